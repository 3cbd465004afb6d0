// Many concurrent countRegions calls in one process, with one thread and with threads: 2: the
// whole batch timed (Promise.all), median of 3 after a warm-up.
//
//   node bench/concurrent.js
import { heNormal } from './nets.js';

const { countRegions } = await import('../dist/index.node.js');
const box = { bounds: [[-1, 1], [-1, 1]] };

async function batch(nets, threads) {
  const t0 = performance.now();
  const rs = await Promise.all(nets.map((n) => countRegions(n, box, { threads })));
  return { ms: performance.now() - t0, regions: rs.reduce((s, r) => s + r.activationRegions, 0) };
}

console.log(`concurrent calls; Node ${process.version}; median of 3 after a warm-up`);
for (const [label, widths, n] of [['50 x 2-32-32-1', [2, 32, 32, 1], 50], ['20 x 2-64-64-64-1', [2, 64, 64, 64, 1], 20]]) {
  const nets = Array.from({ length: n }, (_, i) => heNormal(widths, i + 1));
  const row = [];
  for (const threads of [1, 2]) {
    await batch(nets, threads);
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await batch(nets, threads));
    runs.sort((a, b) => a.ms - b.ms);
    row.push(`threads ${threads}: ${runs[1].ms.toFixed(0)} ms (${runs[1].regions} regions)`);
  }
  console.log(`${label}: ${row.join(', ')}`);
}
