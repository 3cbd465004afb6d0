// Where the prototype's time goes, by doubling: each variant of vertex.ts does one phase's work
// twice (results kept live); its extra CPU time over the base build is that phase's cost. The
// rest (traversal bookkeeping, splitting the vertex lists, the new vertices' coordinates) is the
// base time minus the phases measured.
//
//   node bench/experiments/vertex-nd/profile.js [--runs N] [--filter]
//
// --functions instead samples a build that keeps its functions apart (optimizeLevel 1, names kept)
// with V8's profiler and gives each function's share of the samples (self time): slower code than
// the release build, but shares by function rather than by phase.
import { Session } from 'node:inspector/promises';
import { heNormal } from '../../nets.js';
import { buildPrototype, cpuMs, median } from './prototype.js';

const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 9);
const nets = [[3, 16, 16, 16, 1], [4, 16, 16, 1], [3, 32, 32, 32, 1]];
if (args.includes('--functions')) {
  await profileFunctions(args.includes('--filter'));
  process.exit(0);
}
const phases = [
  ['PROFILE_EVAL', 'vertex values (a.x + c at every vertex, signs)'],
  ['PROFILE_PAIRS', 'edge finding (pairs sharing d-1 facets)'],
  ['PROFILE_COPY', 'copying the on side into a new frame (vertices, map)'],
  ['PROFILE_COMPOSE', 'composing maps (rank-1 updates; with FILTER also the row bounds)'],
  ['PROFILE_RADIUS', 'radii from the facets (FILTER only)'],
];
const filter = args.includes('--filter');
const extra = filter ? ['FILTER'] : [];
const builds = [['base', await buildPrototype({ defines: extra })]];
for (const [flag] of phases) builds.push([flag, await buildPrototype({ defines: [...extra, flag] })]);

let md = `Prototype${filter ? ' with FILTER' : ''}: CPU time by phase (doubling; median of ${runs} runs, builds interleaved; node ${process.version}):\n\n`;
md += `| net | regions | total us/region | ${phases.map(([, what]) => what).join(' | ')} | rest (bookkeeping, splitting lists, new coordinates, filter checks) |\n`;
md += `|---|---:|---:|${phases.map(() => '---:').join('|')}|---:|\n`;
for (const widths of nets) {
  const net = heNormal(widths, 42);
  let regions = 0;
  for (const [, b] of builds) {
    b.load(net);
    regions = b.count(); // warm-up
  }
  const times = builds.map(() => []);
  for (let r = 0; r < runs; r++) builds.forEach(([, b], i) => times[i].push(cpuMs(b.count)));
  const us = times.map((t) => (median(t) * 1000) / regions);
  const extra = us.slice(1).map((t) => Math.max(0, t - us[0]));
  const rest = us[0] - extra.reduce((a, b) => a + b, 0);
  md += `| ${widths.join('-')} | ${regions.toLocaleString('en-US')} | ${us[0].toFixed(2)} | ${extra.map((x) => `${x.toFixed(2)} (${((100 * x) / us[0]).toFixed(0)}%)`).join(' | ')} | ${rest.toFixed(2)} (${((100 * rest) / us[0]).toFixed(0)}%) |\n`;
  console.error(`${widths.join('-')}: ${us.map((x) => x.toFixed(2)).join(' ')}`);
}
console.log(md);

async function profileFunctions(filter) {
  const build = await buildPrototype({ debug: true, optimizeLevel: 1, defines: filter ? ['FILTER'] : [] });
  const session = new Session();
  session.connect();
  let md = `Prototype${filter ? ' with FILTER' : ''}, optimizeLevel 1 (functions kept apart): share of V8 profiler samples (self time) by function; node ${process.version}:\n\n`;
  const rows = [];
  const names = new Set();
  for (const widths of nets) {
    const net = heNormal(widths, 42);
    build.load(net);
    build.count(); // warm-up
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 50 });
    await session.post('Profiler.start');
    const t = cpuMs(() => { for (let r = 0; r < runs; r++) build.count(); });
    const { profile } = await session.post('Profiler.stop');
    const self = new Map();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const n = byId.get(id);
      let name = n.callFrame.functionName.split('/').pop() || '(other)';
      if (!n.callFrame.url.startsWith('wasm')) name = '(outside the prototype)';
      self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    for (const k of self.keys()) names.add(k);
    rows.push({ net: widths.join('-'), usPerRegion: (t * 1000) / runs / build.count(), share: self, total });
  }
  const cols = [...names].sort();
  md += `| net | us/region (this build) | ${cols.join(' | ')} |\n|---|---:|${cols.map(() => '---:').join('|')}|\n`;
  for (const r of rows) md += `| ${r.net} | ${r.usPerRegion.toFixed(2)} | ${cols.map((c) => `${((100 * (r.share.get(c) ?? 0)) / r.total).toFixed(0)}%`).join(' | ')} |\n`;
  console.log(md);
}
