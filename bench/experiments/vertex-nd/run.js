// Driver for the vertex-cell prototype (vertex.ts): compiles it, counts the activation regions of
// seeded He-normal nets on [-1, 1]^d, checks each count against the exact n-D engine
// (countRegionsSync, linearRegions false) and times both in the same process, alternating, in CPU
// time (median of several runs after a warm-up).
//
//   node bench/experiments/vertex-nd/run.js [--runs N] [--quick] [--debug] [--only 3-16-16-16-1]
//
// --debug builds the prototype with debug info (for node --cpu-prof); --quick skips 3-32-32-32-1.
import { countRegionsSync } from '../../../dist/index.node.js';
import { heNormal } from '../../nets.js';
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
  const engine = () => countRegionsSync(net, domain, { linearRegions: false }).activationRegions;
  // warm-up, and the counts compared
  const mine = proto.count();
  const stats = proto.counters();
  const exact = engine();
  if (mine !== exact) mismatches++;
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    // alternate which goes first, so drift in the machine's load hits both alike
    if (i % 2 === 0) {
      a.push(cpuMs(proto.count));
      b.push(cpuMs(engine));
    } else {
      b.push(cpuMs(engine));
      a.push(cpuMs(proto.count));
    }
  }
  const protoMs = median(a);
  const engineMs = median(b);
  const p = peer[name];
  const peerRate = p ? p.regions / p.seconds : undefined;
  const row = {
    net: name, seed: c.seed, regions: exact, prototype: mine, protoMs, engineMs,
    protoUs: (protoMs * 1000) / exact, engineUs: (engineMs * 1000) / exact,
    speedup: engineMs / protoMs,
    protoVsPeer: peerRate ? exact / (protoMs / 1000) / peerRate : undefined,
    engineVsPeer: peerRate ? exact / (engineMs / 1000) / peerRate : undefined,
    ...stats,
  };
  rows.push(row);
  console.error(`${name} seed ${c.seed}: prototype ${mine}, engine ${exact}${mine === exact ? '' : '  MISMATCH'}; ${protoMs.toFixed(1)} ms vs ${engineMs.toFixed(1)} ms; near-zero values ${stats.nearZero}`);
}

const f1 = (x) => (x === undefined ? '' : x.toFixed(1));
const f2 = (x) => (x === undefined ? '' : `${x.toFixed(2)}x`);
const int = (x) => Math.round(x).toLocaleString('en-US');
let md = `Vertex-cell prototype (float64) against the exact n-D engine (linearRegions false), [-1,1]^d, CPU ms, median of ${runs} alternating runs after a warm-up; node ${process.version}.\n\n`;
md += '| net | seed | activation regions | counts equal | prototype ms | engine ms | prototype us/region | engine us/region | engine / prototype | prototype vs peer (rate) | engine vs peer (rate) | near-zero vertex values |\n';
md += '|---|---:|---:|:-:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
for (const r of rows) {
  md += `| ${r.net} | ${r.seed} | ${int(r.regions)} | ${r.prototype === r.regions ? 'yes' : `NO (${r.prototype})`} | ${f1(r.protoMs)} | ${f1(r.engineMs)} | ${r.protoUs.toFixed(2)} | ${r.engineUs.toFixed(2)} | ${f2(r.speedup)} | ${f2(r.protoVsPeer)} | ${f2(r.engineVsPeer)} | ${r.nearZero} |\n`;
}
md += '\nPrototype work per region:\n\n';
md += '| net | seed | units decided by the box | units tested on the vertices | vertices evaluated | splits | edge pair tests | new vertices | rank-1 updates | peak vertices per cell | peak frames |\n';
md += '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
for (const r of rows) {
  const per = (x) => (x / r.regions).toFixed(1);
  md += `| ${r.net} | ${r.seed} | ${per(r.boxDecided)} | ${per(r.unitTests)} | ${per(r.vertexEvals)} | ${per(r.splits)} | ${per(r.pairTests)} | ${per(r.newVertices)} | ${per(r.rankOneUpdates)} | ${r.peakVertices} | ${r.peakFrames} |\n`;
}
console.log(md);
if (mismatches) {
  console.error(`${mismatches} count(s) differ from the exact engine`);
  process.exitCode = 1;
}
