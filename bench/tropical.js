// Tropical geometry: time, monomial counts and memory of tropicalize (reduced F, G per output, read
// off the exact region enumeration) on seeded He-normal nets, against the same reduced polynomials
// computed by the literal recursion in plain TypeScript (every (+) and (*) followed by an exact
// upper-hull reduction: Clarkson's scheme with an exact integer-pivoting LP per candidate).
//
//   node bench/tropical.js [--quick]       (part of `npm run bench`)
//
// Each measurement runs in its own child process (so max RSS is that case's), with one warm-up run
// and the median of several timed runs. CPU time (process.cpuUsage: the count is single-threaded) is
// the figure to read on a shared machine; wall time is shown beside it. The plain recursion gets a
// wall-time budget and is reported as "> budget" when it does not finish.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { heNormal } from './nets.js';

const quick = process.argv.includes('--quick');
const budgetS = quick ? 20 : 120;
const self = fileURLToPath(import.meta.url);

async function child(mode, widths) {
  const { tropicalizeSync, tropicalRecursion, validateNetwork } = await import('../dist/index.node.js');
  const net = heNormal(widths, 42);
  const runs = mode === 'fast' ? 5 : 1;
  let result;
  const times = [];
  const cpu = [];
  if (mode === 'fast') tropicalizeSync(net); // warm-up
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    result = mode === 'fast' ? tropicalizeSync(net) : tropicalRecursion(validateNetwork(net));
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const out = { ms: median(times), cpuMs: median(cpu), maxRssMB: process.resourceUsage().maxRSS / 1024 };
  if (mode === 'fast') {
    const o = result.outputs[0];
    Object.assign(out, { F: o.F.count, G: o.G.count, FG: o.FG.count, linearRegions: o.linearRegions });
  } else {
    Object.assign(out, { F: result[0].F.count, G: result[0].G.count });
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function measure(mode, widths) {
  const r = spawnSync(process.execPath, [self, '--child', mode, widths.join('-')], {
    encoding: 'utf8',
    timeout: mode === 'fast' ? 600_000 : budgetS * 1000,
  });
  if (r.status !== 0) {
    // the fast path must finish: a failure there is a bug to show, not a "> budget" row
    if (mode === 'fast') throw new Error(`${widths.join('-')}: tropicalize failed (status ${r.status}, ${r.signal ?? 'no signal'}): ${r.stderr}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function main() {
  const cases = [
    { widths: [2, 16, 16, 1], target: true },
    { widths: [2, 32, 32, 1], target: true },
    { widths: [3, 8, 8, 8, 1], target: true },
    { widths: [2, 4, 4, 1] },
    { widths: [2, 8, 8, 1] },
    { widths: [3, 4, 4, 4, 1] },
  ];
  const rows = [];
  for (const c of cases) {
    const name = c.widths.join('-');
    const fast = measure('fast', c.widths);
    const plain = quick && c.target ? null : measure('plain', c.widths);
    if (plain !== null && fast !== null && (plain.F !== fast.F || plain.G !== fast.G)) {
      throw new Error(`${name}: the plain recursion found ${plain.F} + ${plain.G} monomials, tropicalize ${fast.F} + ${fast.G}`);
    }
    rows.push({
      network: name,
      'N(F)': fast.F,
      'N(G)': fast.G,
      'N(F*G)': fast.FG,
      'linear regions': fast.linearRegions,
      'tropicalize CPU ms': fast.cpuMs.toFixed(0),
      'wall ms': fast.ms.toFixed(0),
      'max RSS MB': fast.maxRssMB.toFixed(0),
      'plain recursion CPU ms': plain === null ? (quick && c.target ? 'skipped (--quick)' : `> ${budgetS} s wall`) : plain.cpuMs.toFixed(0),
      speedup: plain === null ? '' : `${(plain.cpuMs / fast.cpuMs).toFixed(0)}x`,
    });
  }
  console.log(`\nTropical geometry (node ${process.version}; seed 42, He-normal, one output; median of 5 after a warm-up)`);
  console.table(rows);
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4].split('-').map(Number));
else await main();
