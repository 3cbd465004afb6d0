// Driver for the vertex-cell prototype (vertex.ts): compiles it (float only, and with the FILTER
// bookkeeping), counts the activation regions of seeded He-normal nets on [-1, 1]^d, checks each
// count against the exact n-D engine (countRegionsSync, linearRegions false) and times all three in
// the same process, rotating the order, in CPU time (median of several runs after a warm-up).
//
//   node bench/experiments/vertex-nd/run.js [--runs N] [--quick] [--debug] [--linear] [--only 3-16-16-16-1]
//
// --debug builds the prototype with debug info (for node --cpu-prof); --quick skips 3-32-32-32-1
// and 6-12-12-1; --linear also times the engine with linear regions.
import { countRegionsSync } from '../../../dist/index.node.js';
import { heNormal, integerNet } from '../../nets.js';
import { buildPrototype, cpuMs, median } from './prototype.js';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(option('--runs', 5));
const debug = flag('--debug');
const quick = flag('--quick');
const only = option('--only', null);
const linear = flag('--linear');

// Published edge-subdivision code (Berzins, ICML 2023) on CPU, as in bench/nd.js: rates compared.
const peer = {
  '3-16-16-16-1': { seconds: 0.094, regions: 11018 },
  '3-32-32-32-1': { seconds: 1.27, regions: 94310 },
  '4-16-16-1': { seconds: 0.245, regions: 45516 },
};

const cases = [
  { widths: [3, 16, 16, 16, 1], seed: 42 },
  { widths: [3, 32, 32, 32, 1], seed: 42, slow: true },
  { widths: [4, 16, 16, 1], seed: 42 },
  { widths: [3, 16, 16, 16, 1], seed: 7 },
  { widths: [3, 16, 16, 16, 1], seed: 2026 },
  { widths: [4, 16, 16, 1], seed: 7 },
  { widths: [4, 16, 16, 1], seed: 2026 },
  { widths: [5, 10, 10, 1], seed: 42 },
  { widths: [6, 12, 12, 1], seed: 42, slow: true },
];

const proto = await buildPrototype({ debug });
const filtered = await buildPrototype({ debug, defines: ['FILTER'] });

const rows = [];
let mismatches = 0;
for (const c of cases) {
  const name = c.widths.join('-');
  if (quick && c.slow) continue;
  if (only && only !== name) continue;
  const d = c.widths[0];
  const net = heNormal(c.widths, c.seed);
  const domain = { bounds: Array.from({ length: d }, () => [-1, 1]) };
  proto.load(net);
  filtered.load(net);
  const engine = () => countRegionsSync(net, domain, { linearRegions: false }).activationRegions;
  // warm-up, and the counts compared
  const exact = engine();
  const mine = proto.count();
  const stats = proto.counters();
  const mineFiltered = filtered.count();
  const filterStats = filtered.counters();
  if (mine !== exact || mineFiltered !== exact) mismatches++;
  const engineLinear = () => countRegionsSync(net, domain, { linearRegions: true }).linearRegions;
  if (linear) engineLinear();
  const tasks = linear ? [proto.count, filtered.count, engine, engineLinear] : [proto.count, filtered.count, engine];
  const times = tasks.map(() => []);
  for (let i = 0; i < runs; i++) {
    // rotate which goes first, so drift in the machine's load hits all alike
    for (let j = 0; j < tasks.length; j++) {
      const k = (i + j) % tasks.length;
      times[k].push(cpuMs(tasks[k]));
    }
  }
  const [floatMs, filterMs, engineMs, engineLinearMs] = times.map(median);
  const p = peer[name];
  const peerRate = p ? p.regions / p.seconds : undefined;
  const vsPeer = (ms) => (peerRate ? exact / (ms / 1000) / peerRate : undefined);
  const row = {
    net: name, seed: c.seed, regions: exact, equal: mine === exact && mineFiltered === exact, floatMs, filterMs, engineMs, engineLinearMs,
    floatVsPeer: vsPeer(floatMs), filterVsPeer: vsPeer(filterMs), engineVsPeer: vsPeer(engineMs),
    ...stats,
    filterFails: filterStats.filterFails, cellBoundFails: filterStats.cellBoundFails,
    lostVertices: filterStats.lostVertices, verifiedSolves: filterStats.verifiedSolves, filterNewVertices: filterStats.newVertices, maxRadius: filterStats.maxRadius, filterVertexEvals: filterStats.vertexEvals,
  };
  rows.push(row);
  console.error(`${name} seed ${c.seed}: prototype ${mine} (with filter ${mineFiltered}), engine ${exact}${row.equal ? '' : '  MISMATCH'}; ${floatMs.toFixed(1)} / ${filterMs.toFixed(1)} / ${engineMs.toFixed(1)} ms`);
}

const f1 = (x) => (x === undefined ? '' : x.toFixed(1));
const f2 = (x) => (x === undefined ? '' : `${x.toFixed(2)}x`);
const int = (x) => Math.round(x).toLocaleString('en-US');
const us = (ms, r) => ((ms * 1000) / r.regions).toFixed(2);
let md = `Activation regions on [-1,1]^d: the vertex prototype (float64; and with the float filter's bookkeeping, FILTER) against the exact n-D engine (countRegionsSync, linearRegions false), CPU ms, median of ${runs} rotated runs after a warm-up; node ${process.version}.\n\n`;
md += '| net | seed | activation regions | counts equal | float ms | filter ms | engine ms | float us/region | filter us/region | engine us/region | engine / float | engine / filter | float vs peer | filter vs peer | engine vs peer |\n';
md += '|---|---:|---:|:-:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
for (const r of rows) {
  md += `| ${r.net} | ${r.seed} | ${int(r.regions)} | ${r.equal ? 'yes' : 'NO'} | ${f1(r.floatMs)} | ${f1(r.filterMs)} | ${f1(r.engineMs)} | ${us(r.floatMs, r)} | ${us(r.filterMs, r)} | ${us(r.engineMs, r)} | ${f2(r.engineMs / r.floatMs)} | ${f2(r.engineMs / r.filterMs)} | ${f2(r.floatVsPeer)} | ${f2(r.filterVsPeer)} | ${f2(r.engineVsPeer)} |\n`;
}
md += '\nWhere float alone could not be trusted (counts over the whole traversal):\n\n';
md += '| net | seed | vertex signs evaluated | within 1e-9 of 0 | not certified by the cell bound | not certified by the vertex bound (exact fallback) | new vertices | radii recomputed from the facets | vertices without a radius (exact fallback) | largest vertex radius |\n';
md += '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
for (const r of rows) {
  md += `| ${r.net} | ${r.seed} | ${int(r.filterVertexEvals)} | ${r.nearZero} | ${r.cellBoundFails} | ${r.filterFails} | ${int(r.filterNewVertices)} | ${int(r.verifiedSolves)} | ${r.lostVertices} | ${r.maxRadius.toExponential(1)} |\n`;
}
md += '\nPrototype work per region:\n\n';
md += '| net | seed | units decided by the box | units tested on the vertices | vertices evaluated | splits | edge pair tests | new vertices | rank-1 updates | peak vertices per cell | peak frames |\n';
md += '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
for (const r of rows) {
  const per = (x) => (x / r.regions).toFixed(1);
  md += `| ${r.net} | ${r.seed} | ${per(r.boxDecided)} | ${per(r.unitTests)} | ${per(r.vertexEvals)} | ${per(r.splits)} | ${per(r.pairTests)} | ${per(r.newVertices)} | ${per(r.rankOneUpdates)} | ${r.peakVertices} | ${r.peakFrames} |\n`;
}
// Degenerate input (integer weights: hyperplanes through vertices, non-simple cells) breaks the
// prototype's general-position assumption: its count may be wrong, but never without near-zero
// vertex values flagging it (a wrong count with none would be a bug in the prototype).
md += '\nDegenerate input (integer weights in [-2, 2], bench/nets.js integerNet), where the prototype is not expected to be right:\n\n';
md += '| net | seed | exact activation regions | prototype | near-zero vertex values |\n|---|---:|---:|---:|---:|\n';
for (const [widths, seed] of [[[3, 8, 8, 1], 1], [[3, 8, 8, 1], 2], [[3, 6, 6, 6, 1], 3], [[4, 8, 8, 1], 4]]) {
  const net = integerNet(widths, seed);
  const domain = { bounds: Array.from({ length: widths[0] }, () => [-1, 1]) };
  const exact = countRegionsSync(net, domain, { linearRegions: false }).activationRegions;
  proto.load(net);
  let mine;
  try {
    mine = proto.count();
  } catch (e) {
    mine = e.message;
  }
  const near = proto.counters().nearZero;
  if (mine !== exact && near === 0) {
    console.error(`${widths.join('-')} seed ${seed}: a wrong count (${mine}, exact ${exact}) with no near-zero value flagging it`);
    mismatches++;
  }
  md += `| ${widths.join('-')} | ${seed} | ${int(exact)} | ${typeof mine === 'number' ? int(mine) : mine} | ${int(near)} |\n`;
}
if (linear) {
  md += '\nThe engine with linear regions (linearRegions true) against without, in the same runs:\n\n';
  md += '| net | seed | engine ms | engine ms, linear regions | added us/region |\n|---|---:|---:|---:|---:|\n';
  for (const r of rows) md += `| ${r.net} | ${r.seed} | ${f1(r.engineMs)} | ${f1(r.engineLinearMs)} | ${us(r.engineLinearMs - r.engineMs, r)} |\n`;
}
console.log(md);
if (mismatches) {
  console.error(`${mismatches} count(s) differ from the exact engine`);
  process.exitCode = 1;
}
