// Threads that never slow a count down (`node bench/threads.js`): every count on one thread and on
// the default (every core), the whole call timed (worker start-up included; the pool is warm after
// the warm-up run), median of 5 to 31 rounds after a warm-up run (a short count gets more: about
// 1.5 s per setting); the ratios are medians of the per-round ratios (the two runs of a round are
// adjacent in time, each setting first in every other round). Seeded He-normal networks.
// The CPU columns (process.cpuUsage: every thread of the process) show what the threads cost in
// work, a figure that stays meaningful when other jobs share the cores and the wall clock does not.
// `--only NAME` for some rows.
import os from 'node:os';
import { countRegions } from '../dist/index.node.js';
import { heNormal, integerNet } from './nets.js';

// `--only NAME`: the rows whose name starts with NAME
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

const cube = (n) => ({ bounds: Array.from({ length: n }, () => [-1, 1]) });
const simplex4 = { A: [[1, 0, 0, 0], [-1, 0, 0, 0], [0, 1, 0, 0], [0, -1, 0, 0], [0, 0, 1, 0], [0, 0, -1, 0], [0, 0, 0, 1], [0, 0, 0, -1], [1, 1, 1, 1]], b: [1, 1, 1, 1, 1, 1, 1, 1, 2] };
const cases = [
  ['2-5-1 (tiny)', heNormal([2, 5, 1], 1), cube(2), {}],
  ['2-32-32-1', heNormal([2, 32, 32, 1], 42), cube(2), {}],
  ['2-64-64-64-1', heNormal([2, 64, 64, 64, 1], 42), cube(2), {}],
  ['2-128-128-128-1', heNormal([2, 128, 128, 128, 1], 42), cube(2), {}],
  ['3-16-16-16-1', heNormal([3, 16, 16, 16, 1], 42), cube(3), {}],
  ['2-128-128-128-128-1', heNormal([2, 128, 128, 128, 128, 1], 42), cube(2), {}],
  ['3-32-32-32-1 (activation regions only)', heNormal([3, 32, 32, 32, 1], 42), cube(3), { linearRegions: false }],
  ['3-32-32-32-1', heNormal([3, 32, 32, 32, 1], 42), cube(3), {}],
  ['4-24-24-1', heNormal([4, 24, 24, 1], 42), cube(4), {}],
  // (an n-D count above a second again, now that vertex cells made the ones above 2-3x faster)
  ['4-32-32-1', heNormal([4, 32, 32, 1], 42), cube(4), {}],
  // (a 5-D box: the shared-vertex mesh, on the calling thread with either setting on 2 cores)
  ['5-16-16-1', heNormal([5, 16, 16, 1], 42), cube(5), {}],
  ['3-12-12-1 whole space', heNormal([3, 12, 12, 1], 1), { whole: true }, {}],
  ['4-10-10-1 polytope', heNormal([4, 10, 10, 1], 1), simplex4, {}],
  ['3-16-16-16-1 whole space', heNormal([3, 16, 16, 16, 1], 42), { whole: true }, {}],
  // (the whole space of 3 and 4 inputs goes by pieces: workers take the outer ones)
  ['4-24-24-1 whole space', heNormal([4, 24, 24, 1], 42), { whole: true }, {}],
  ['5-10-10-1 whole space', heNormal([5, 10, 10, 1], 42), { whole: true }, {}],
  // (6 inputs: the homogeneous chart, which brings in workers early from its sample share)
  ['6-10-10-1 whole space', heNormal([6, 10, 10, 1], 42), { whole: true }, {}],
  ['4-12-10-1 integer weights (merging), whole space', integerNet([4, 12, 10, 1], 1), { whole: true }, {}],
];
const threads = Math.max(1, os.availableParallelism());
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function time(net, domain, options) {
  const c = process.cpuUsage();
  const t = performance.now();
  const r = await countRegions(net, domain, options);
  const wall = performance.now() - t;
  const u = process.cpuUsage(c);
  return [wall, r, (u.user + u.system) / 1000];
}

let md = `| network | regions | 1 thread (ms) | default, ${threads} threads (ms) | ratio | CPU 1 thread (ms) | CPU default (ms) | CPU ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|\n`;
for (const [name, net, domain, options] of cases) {
  if (only && !name.startsWith(only)) continue;
  const one = [];
  const many = [];
  const cpuOne = [];
  const cpuMany = [];
  let r;
  const [warm] = await time(net, domain, { ...options, threads: 1 });
  await time(net, domain, { ...options, threads });
  // (a short count gets more rounds, up to 31, so that each setting runs about 1.5 s: five rounds
  // of a 20 ms count read 0.87x where 31 alternated rounds in isolation read 1.00x)
  const rounds = Math.min(31, Math.max(5, Math.ceil(1500 / warm)));
  for (let i = 0; i < rounds; i++) {
    // (each setting goes first in every other round)
    for (const single of i % 2 === 0 ? [true, false] : [false, true]) {
      const [ms, result, cpu] = await time(net, domain, { ...options, threads: single ? 1 : threads });
      if (single) {
        one.push(ms);
        cpuOne.push(cpu);
      } else {
        many.push(ms);
        cpuMany.push(cpu);
        r = result;
      }
    }
  }
  // ratios per round (a 1-thread and a default run next to each other), then their median: the
  // host's speed drifts by up to 1.5x over minutes, which a ratio of two medians picks up
  const ratio = median(one.map((t, i) => t / many[i]));
  const cpuRatio = median(cpuMany.map((c, i) => c / cpuOne[i]));
  md += `| ${name} | ${r.activationRegions.toLocaleString('en-US')} | ${median(one).toFixed(1)} | ${median(many).toFixed(1)} | ${ratio.toFixed(2)}x | ${median(cpuOne).toFixed(1)} | ${median(cpuMany).toFixed(1)} | ${cpuRatio.toFixed(2)} |\n`;
  console.error(`${name}: 1 thread ${median(one).toFixed(1)} ms, ${threads} threads ${median(many).toFixed(1)} ms (${ratio.toFixed(2)}x)`);
}
console.log(`\nNode ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores\n\n${md}`);
process.exit(0);
