// Where the prototype's time goes, by doubling: each variant of vertex.ts does one phase's work
// twice (results kept live); its extra CPU time over the base build is that phase's cost. The
// rest (traversal bookkeeping, splitting the vertex lists, the new vertices' coordinates) is the
// base time minus the phases measured.
//
//   node bench/experiments/vertex-nd/profile.js [--runs N] [--filter]
import { heNormal } from '../../nets.js';
import { buildPrototype, cpuMs, median } from './prototype.js';

const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 9);
const nets = [[3, 16, 16, 16, 1], [4, 16, 16, 1], [3, 32, 32, 32, 1]];
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
