// Decision regions (countDecisionRegions: the argmax of the outputs) against the plain count of the
// same network (activation and linear regions), on seeded He-normal classifiers over [-1, 1]^2 and
// a 3-D box. One warm-up, then the median of 5 runs of each, on one thread.
//
//   node bench/decision.js            (part of `npm run bench`)
import { cpus } from 'node:os';
import { heNormal } from './nets.js';

const { countRegionsSync, countDecisionRegionsSync } = await import('../dist/index.node.js');

function median(f) {
  f(); // warm-up
  const times = [];
  let result;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    result = f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { result, ms: times[2] };
}

console.log(`decision regions vs the plain count; Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, one thread, median of 5 after a warm-up`);
console.log('| network (domain) | activation regions | linear regions | count (ms) | decision regions | cells | decision count (ms) | ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
const cases = [
  [[2, 32, 32, 10], 2],
  [[2, 64, 64, 10], 2],
  [[2, 128, 128, 10], 2],
  [[2, 64, 64, 64, 3], 2],
  [[3, 16, 16, 4], 3],
];
for (const [widths, d] of cases) {
  const net = heNormal(widths, 42);
  const box = { bounds: Array.from({ length: d }, () => [-1, 1]) };
  const plain = median(() => countRegionsSync(net, box, { threads: 1 }));
  const dec = median(() => countDecisionRegionsSync(net, box, { threads: 1 }));
  const fmt = (n) => n.toLocaleString('en-US');
  console.log(
    `| ${widths.join('-')} ([-1,1]^${d}) | ${fmt(plain.result.activationRegions)} | ${fmt(plain.result.linearRegions)} | ${plain.ms.toFixed(1)} | ` +
      `${fmt(dec.result.decisionRegions)} | ${fmt(dec.result.cells)} | ${dec.ms.toFixed(1)} | ${(dec.ms / plain.ms).toFixed(2)}x |`,
  );
}
