// Training step cost (never run as tests): `node bench/training.js` after `npm run build`.
// One Adam step of each kind on the default setting (width 4, depth 6, 256 training points, full
// batch): phase 1 (set the weights from the peaks, forward + backward over the batch, back through
// the map, update), phase 2 and Kaiming (forward + backward, update). Warm-up, then the median of
// 7 timed runs of 2,000 steps each. Seeded; prints ms per step.
import { Trainer } from '../dist/index.node.js';

function stepsPerRun(method, phase) {
  const t = new Trainer(method, { depth: 6, steps: 1_000_000, phase1Steps: phase === 'phase1' ? 1_000_000 : 0, phase2Steps: 1_000_000, seed: 1 });
  return t;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const rows = [];
for (const [label, method, phase] of [
  ['phase 1 (peaks, through the map)', 'milkert', 'phase1'],
  ['phase 2 (all weights)', 'milkert', 'phase2'],
  ['Kaiming (all weights)', 'kaiming', 'kaiming'],
]) {
  const trainer = stepsPerRun(method, phase);
  for (let i = 0; i < 2000; i++) trainer.takeStep(); // warm-up
  const times = [];
  for (let run = 0; run < 7; run++) {
    const t0 = performance.now();
    for (let i = 0; i < 2000; i++) trainer.takeStep();
    times.push((performance.now() - t0) / 2000);
  }
  rows.push(`| ${label} | ${median(times).toFixed(3)} ms |`);
}
console.log(`Node ${process.version}, width 4, depth 6, 256 points, full batch (median of 7 x 2,000 steps)\n`);
console.log('| step | time per step |\n| --- | --- |');
console.log(rows.join('\n'));
