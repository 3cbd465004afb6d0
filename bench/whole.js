// The whole space and polytopes of 2 to 5 inputs: counted by pieces (a box and 2 n outer boxes, on the polygon
// engine in 2-D, on vertex cells in 3-D and 4-D and on H-cells in 5-D, src/count/pieces.ts) against the homogeneous chart (H-cells and LPs, the engine the whole space
// had before; forced here with a maxRegions bound no count reaches). One core, seeded He-normal
// networks, median of tinybench samples after warm-up; both engines' counts are compared.
// `node bench/whole.js` (part of `npm run bench`); `--quick` for a short run, `--only NAME` for some rows.
import os from 'node:os';
import { Bench } from 'tinybench';
import { countRegionsSync } from '../dist/index.node.js';
import { pieceTuning } from '../dist/count/pieces.js';
import { heNormal } from './nets.js';

const quick = process.argv.includes('--quick');
// `--only NAME`: the rows whose name starts with NAME
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const CHART = { maxRegions: 1e12 }; // (a count that may stop early is never made by pieces)
const leaky = (net) => ({ ...net, layers: net.layers.map((l, i) => (i < net.layers.length - 1 ? { ...l, activation: 'leaky_relu', alpha: 0.1 } : l)) });
const cases = [
  ['2-8-8-1', heNormal([2, 8, 8, 1], 42)],
  ['2-32-32-1', heNormal([2, 32, 32, 1], 42)],
  ['2-64-64-1', heNormal([2, 64, 64, 1], 42)],
  ['2-32-32-32-1', heNormal([2, 32, 32, 32, 1], 42)],
  ['3-6-6-1', heNormal([3, 6, 6, 1], 42)],
  ['3-8-8-1', heNormal([3, 8, 8, 1], 42)],
  ['3-10-10-1', heNormal([3, 10, 10, 1], 42)],
  ['4-8-8-1', heNormal([4, 8, 8, 1], 42)],
  ['3-20-1', heNormal([3, 20, 1], 42)],
  ['3-16-16-1', heNormal([3, 16, 16, 1], 42)],
  ['4-10-10-1', heNormal([4, 10, 10, 1], 42)],
  ['3-16-16-16-1', heNormal([3, 16, 16, 16, 1], 42)],
  ['3-16-16-16-1 leaky', leaky(heNormal([3, 16, 16, 16, 1], 42))],
  ['4-16-16-1', heNormal([4, 16, 16, 1], 42)],
  ['3-32-32-32-1', heNormal([3, 32, 32, 32, 1], 42), true],
  ['4-24-24-1', heNormal([4, 24, 24, 1], 42), true],
  // 5 inputs and 3 sign layers: H-cell boxes (the mesh records no sides; 6 inputs stay in the
  // chart, which is faster there on one thread and on two)
  ['5-8-8-8-1', heNormal([5, 8, 8, 8, 1], 42), true],
  // polytopes: each piece cut by the polytope's rows (2-D: the polygon engine clips its box by them)
  ['2-64-64-1, triangle x, y >= -1, x + y <= 1', heNormal([2, 64, 64, 1], 42), false, { A: [[-1, 0], [0, -1], [1, 1]], b: [1, 1, 1] }],
  ['2-64-64-1, half-plane x + y <= 0.5', heNormal([2, 64, 64, 1], 42), false, { A: [[1, 1]], b: [0.5] }],
  ['2-32-32-32-1, square |x|, |y| <= 3', heNormal([2, 32, 32, 32, 1], 42), false, { A: [[1, 0], [-1, 0], [0, 1], [0, -1]], b: [3, 3, 3, 3] }],
  ['2-16-16-1, triangle x, y >= -1, x + y <= 1', heNormal([2, 16, 16, 1], 42), false, { A: [[-1, 0], [0, -1], [1, 1]], b: [1, 1, 1] }],
  ['3-16-16-16-1, half-space x + 2y - z <= 0.5', heNormal([3, 16, 16, 16, 1], 42), false, { A: [[1, 2, -1]], b: [0.5] }],
  ['3-16-16-16-1, cone x, y >= 0, x + y <= 3z + 0.25', heNormal([3, 16, 16, 16, 1], 42), false, { A: [[-1, 0, 0], [0, -1, 0], [1, 1, -3]], b: [0, 0, 0.25] }],
  ['3-16-16-16-1, simplex x, y, z >= -3, x + y + z <= 3', heNormal([3, 16, 16, 16, 1], 42), false, { A: [[-1, 0, 0], [0, -1, 0], [0, 0, -1], [1, 1, 1]], b: [3, 3, 3, 3] }],
  ['4-16-16-1, [-1, 1]^4 and x1 + x2 + x3 + x4 <= 2 (through 4 corners of the box)', heNormal([4, 16, 16, 1], 42), false,
    { A: [[1, 0, 0, 0], [-1, 0, 0, 0], [0, 1, 0, 0], [0, -1, 0, 0], [0, 0, 1, 0], [0, 0, -1, 0], [0, 0, 0, 1], [0, 0, 0, -1], [1, 1, 1, 1]], b: [1, 1, 1, 1, 1, 1, 1, 1, 2] }],
];

function time(fn, slow) {
  const bench = new Bench({ time: quick ? 200 : slow ? 1500 : 1000, warmupTime: quick ? 50 : 200, warmupIterations: 1, iterations: 3 });
  bench.add('x', fn);
  return bench.run().then(() => bench.tasks[0].result.latency.p50);
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
let md = `Whole space, one core (Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}): by pieces against the homogeneous chart\n\n`;
md += '| network | activation regions | linear regions | pieces (ms) | chart (ms) | speed-up | pieces, activation only (ms) | chart (ms) | speed-up | used by default |\n';
md += '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n';
const saved = pieceTuning.minUnits;
for (const [name, net, slow, polytope] of cases) {
  const WHOLE = polytope ?? { whole: true };
  if ((quick && slow) || (only && !name.startsWith(only))) continue;
  const row = [];
  let counts;
  for (const linearRegions of [true, false]) {
    // (pieces whatever the size, to show where the default's threshold lies)
    pieceTuning.minUnits = 0;
    const a = countRegionsSync(net, WHOLE, { linearRegions });
    const b = countRegionsSync(net, WHOLE, { linearRegions, ...CHART });
    if (a.activationRegions !== b.activationRegions || a.linearRegions !== b.linearRegions || a.perLayer.join() !== b.perLayer.join()) {
      throw new Error(`${name}: pieces ${a.activationRegions}/${a.linearRegions} against the chart ${b.activationRegions}/${b.linearRegions}`);
    }
    if (a.stats.pieces === 1) throw new Error(`${name}: not counted by pieces`);
    const tp = await time(() => countRegionsSync(net, WHOLE, { linearRegions }), slow);
    const tc = await time(() => countRegionsSync(net, WHOLE, { linearRegions, ...CHART }), slow);
    row.push(tp, tc);
    if (linearRegions) counts = a;
  }
  pieceTuning.minUnits = saved;
  const byDefault = countRegionsSync(net, WHOLE).stats.pieces > 1;
  md += `| ${name} | ${fmt(counts.activationRegions)} | ${fmt(counts.linearRegions)} | ${row[0].toFixed(1)} | ${row[1].toFixed(1)} | ${(row[1] / row[0]).toFixed(2)}x | ${row[2].toFixed(1)} | ${row[3].toFixed(1)} | ${(row[3] / row[2]).toFixed(2)}x | ${byDefault ? 'pieces' : 'chart'} |\n`;
  console.error(`${name}: pieces ${row[0].toFixed(1)} ms, chart ${row[1].toFixed(1)} ms (${(row[1] / row[0]).toFixed(2)}x)`);
}
console.log(md);
