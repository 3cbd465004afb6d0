// Benchmarks (never run as tests): `npm run bench` (or `node bench/run.js --quick`).
// Seeded networks, tinybench with warm-up; prints a Markdown table for the README and writes
// bench/results/latest.json. Each count runs on one core (the core is single-threaded).
import { Bench } from 'tinybench';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { countRegionsSync } from '../dist/index.node.js';
import { heNormal, randomPlane } from './nets.js';

const quick = process.argv.includes('--quick');
const time = quick ? 300 : 2000;

// Published edge-subdivision code (Berzins, ICML 2023) on CPU, as measured on this kind of
// machine and quoted in the project's issue tracker (seconds for the whole extraction).
const berzins = {
  '2-64-64-1': 0.23,
  '2-64-64-64-1': 0.47,
  '2-128-128-128-1': 10.7,
};

const cases = [];
for (const width of [32, 64, 128]) {
  for (const depth of [2, 3, 4]) {
    if (quick && width === 128 && depth === 4) continue;
    const widths = [2, ...Array(depth).fill(width), 1];
    cases.push({ name: widths.join('-'), net: heNormal(widths, 42), domain: { bounds: [[-1, 1], [-1, 1]] } });
  }
}
const mnist = heNormal([784, 256, 256, 10], 7);
for (const half of quick ? [0.5] : [0.5, 1, 2]) {
  cases.push({ name: `784-256-256-10 plane ±${half}`, net: mnist, domain: randomPlane(784, 11, half) });
}

const rows = [];
for (const c of cases) {
  const once = countRegionsSync(c.net, c.domain);
  const bench = new Bench({ time, warmupTime: quick ? 100 : 500, warmupIterations: 2, iterations: 3 });
  bench.add(c.name, () => {
    countRegionsSync(c.net, c.domain);
  });
  await bench.run();
  const t = bench.tasks[0].result;
  const ms = t.latency.p50;
  const row = {
    name: c.name,
    activationRegions: once.activationRegions,
    linearRegions: once.linearRegions,
    medianMs: ms,
    regionsPerSecond: Math.round(once.activationRegions / (ms / 1000)),
    wasmMemoryMiB: once.stats.memoryBytes / 2 ** 20,
    exactCalls: once.stats.exactCalls,
    samples: t.latency.samplesCount ?? t.samples?.length,
  };
  if (berzins[c.name]) row.berzinsSpeedup = berzins[c.name] / (ms / 1000);
  rows.push(row);
  console.error(`${c.name}: ${row.activationRegions} regions, ${ms.toFixed(1)} ms, ${row.regionsPerSecond.toLocaleString('en-US')} regions/s`);
}

// Memory stays flat as the count grows: peak WebAssembly memory for slices of growing size.
const memory = [];
for (const half of quick ? [0.25, 1] : [0.25, 0.5, 1, 2, 4]) {
  const r = countRegionsSync(mnist, randomPlane(784, 11, half));
  memory.push({ half, regions: r.activationRegions, wasmMiB: r.stats.memoryBytes / 2 ** 20, peakFrames: r.stats.peakFrames, peakPendingFaces: r.stats.peakPendingFaces });
}

// (Multi-core figures: bench/threads.js, also part of `npm run bench`.)

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
const fmt = (x) => x.toLocaleString('en-US');
let md = `Machine: ${machine}. One core; median of tinybench samples after warm-up; activation and linear regions both counted.\n\n`;
md += '| network (domain) | activation regions | linear regions | time (ms) | regions / s | WASM memory (MiB) | vs edge subdivision (Berzins 2023) |\n';
md += '|---|---:|---:|---:|---:|---:|---:|\n';
for (const r of rows) {
  const dom = r.name.includes('plane') ? '' : ' ([-1,1]^2)';
  md += `| ${r.name}${dom} | ${fmt(r.activationRegions)} | ${fmt(r.linearRegions)} | ${r.medianMs.toFixed(1)} | ${fmt(r.regionsPerSecond)} | ${r.wasmMemoryMiB.toFixed(1)} | ${r.berzinsSpeedup ? `${r.berzinsSpeedup.toFixed(1)}x faster` : ''} |\n`;
}
md += '\nMemory as the count grows (plane slices of the 784-256-256-10 net, wider and wider):\n\n';
md += '| slice half-width | regions | WASM memory (MiB) | peak stack frames | peak pending faces |\n|---:|---:|---:|---:|---:|\n';
for (const m of memory) md += `| ${m.half} | ${fmt(m.regions)} | ${m.wasmMiB.toFixed(1)} | ${m.peakFrames} | ${fmt(m.peakPendingFaces)} |\n`;
console.log(md);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify({ machine, rows, memory }, null, 2));
