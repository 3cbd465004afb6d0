// The n-D engine: regions per second on seeded He-normal networks over boxes and the whole
// space, with and without linear regions, and WebAssembly memory as the count grows.
// `node bench/nd.js` (part of `npm run bench`); `--quick` for a short run.
//
// The host's speed drifts by up to 1.7x over a minute, so the cases are measured in interleaved
// rounds: each round gives every case (and setting) a short tinybench run after its warm-up, and a
// row's time is the median over the rounds of those runs' medians. A slow stretch then falls on
// a round of every case instead of on all of one case's samples. The console also shows each
// row's fastest round.
import { Bench } from 'tinybench';
import { countRegionsSync } from '../dist/index.node.js';
import { heNormal } from './nets.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 9;
const time = quick ? 100 : 250; // ms per case and round

// Published edge-subdivision code (Berzins, ICML 2023) on CPU, as measured on this kind of
// machine and quoted in the project's issue tracker: seconds and regions for its own nets of
// these shapes (our seeded nets have other counts, so rates are compared).
const berzins = {
  '3-16-16-16-1': { seconds: 0.094, regions: 11018 },
  '3-32-32-32-1': { seconds: 1.27, regions: 94310 },
  '4-16-16-1': { seconds: 0.245, regions: 45516 },
};

const box = (d, h = 1) => ({ bounds: Array.from({ length: d }, () => [-h, h]) });
const cases = [
  { widths: [3, 16, 16, 16, 1], domain: box(3) },
  { widths: [3, 32, 32, 32, 1], domain: box(3), slow: true },
  { widths: [4, 16, 16, 1], domain: box(4) },
  { widths: [5, 12, 12, 1], domain: box(5) },
  { widths: [6, 8, 8, 8, 1], domain: box(6) },
  { widths: [6, 12, 12, 1], domain: box(6), slow: true },
  { widths: [3, 16, 16, 16, 1], domain: { whole: true }, name: 'whole space' },
  { widths: [5, 10, 10, 1], domain: { whole: true }, name: 'whole space' },
];

const rows = [];
// every case and setting, counted once (its counts, and the warm-up of its code paths)
const runs = [];
for (const c of cases) {
  if (quick && c.slow) continue;
  const net = heNormal(c.widths, 42);
  for (const linear of [false, true]) {
    runs.push({ c, net, linear, once: countRegionsSync(net, c.domain, { linearRegions: linear }), p50: [] });
  }
}
for (let r = 0; r < rounds; r++) {
  for (const run of runs) {
    const bench = new Bench({ time: run.c.slow ? time / 2 : time, warmupTime: quick ? 50 : 100, warmupIterations: 1, iterations: 1 });
    bench.add('count', () => countRegionsSync(run.net, run.c.domain, { linearRegions: run.linear }));
    await bench.run();
    run.p50.push(bench.tasks[0].result.latency.p50);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const { c, linear, once, p50 } of runs) {
  const name = c.widths.join('-');
  const ms = median(p50);
  const rate = once.activationRegions / (ms / 1000);
  const b = berzins[name];
  const row = {
    name,
    domain: c.name ?? `[-1,1]^${c.widths[0]}`,
    linear,
    activationRegions: once.activationRegions,
    linearRegions: once.linearRegions,
    ms,
    rate,
    vsBerzins: b && c.domain.bounds ? rate / (b.regions / b.seconds) : undefined,
    wasmMiB: once.stats.memoryBytes / 2 ** 20,
    // the shared-vertex mesh counts boxes from 5-D up (assembly/mesh-nd.ts); the whole space of 3
    // and 4 inputs goes by pieces, boxes on vertex cells (src/count/pieces.ts); cells otherwise
    engine: once.stats.meshVertices > 0 ? 'mesh' : once.stats.pieces > 1 ? `pieces (${once.stats.pieces} boxes)` : c.widths[0] <= 4 && c.domain.bounds ? 'vertex cells' : 'H-cells',
  };
  rows.push(row);
  console.error(`${name} ${row.domain} linear=${linear}: ${once.activationRegions} regions, ${ms.toFixed(1)} ms (fastest round ${Math.min(...p50).toFixed(1)} ms), ${Math.round(rate).toLocaleString('en-US')} regions/s`);
}

// memory as the count grows: wider and wider boxes around the same 3-16-16-16-1 network
const memory = [];
const net3 = heNormal([3, 16, 16, 16, 1], 42);
for (const h of quick ? [0.5, 2] : [0.25, 0.5, 1, 2, 4]) {
  const r = countRegionsSync(net3, box(3, h));
  memory.push({ h, regions: r.activationRegions, wasmMiB: r.stats.memoryBytes / 2 ** 20, peakFrames: r.stats.peakFrames, peakPendingFaces: r.stats.peakPendingFaces });
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
let md = `n-D engine (one core; median over ${rounds} interleaved rounds of each round's tinybench median, after warm-up):\n\n`;
md += '| network | domain | engine | linear regions | activation regions | linear regions | time (ms) | regions / s | vs edge subdivision (rate) | WASM memory (MiB) |\n';
md += '|---|---|---|---|---:|---:|---:|---:|---:|---:|\n';
for (const r of rows) {
  md += `| ${r.name} | ${r.domain} | ${r.engine} | ${r.linear ? 'yes' : 'no'} | ${fmt(r.activationRegions)} | ${r.linear ? fmt(r.linearRegions) : '-'} | ${r.ms.toFixed(1)} | ${fmt(r.rate)} | ${r.vsBerzins ? `${r.vsBerzins.toFixed(2)}x` : ''} | ${r.wasmMiB.toFixed(1)} |\n`;
}
md += '\nMemory as the count grows (3-16-16-16-1, boxes [-h, h]^3, linear regions on):\n\n';
md += '| h | regions | WASM memory (MiB) | peak stack frames | peak pending faces |\n|---:|---:|---:|---:|---:|\n';
for (const m of memory) md += `| ${m.h} | ${fmt(m.regions)} | ${m.wasmMiB.toFixed(1)} | ${m.peakFrames} | ${fmt(m.peakPendingFaces)} |\n`;
console.log(md);
