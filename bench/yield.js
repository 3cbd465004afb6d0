// The core's longest indivisible step: each count of test/yield.test.ts run with run(1) (the core
// returns after every decision, region or pivot budget it can stop at), timing every call, for a
// few seconds per count. The longest call is what the event loop would stall for with the best
// possible pacing; the set-up (packing excluded: the core's setup only) is timed too.
// `node bench/yield.js [seconds per count]` (default 4).
import { readFileSync } from 'node:fs';
import { heNormal } from './nets.js';
import { validateNetwork, resolveDomain } from '../dist/network/validate.js';
import { pack } from '../dist/count/pack.js';

const seconds = Number(process.argv[2] ?? 4);
const wasm = new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));
const box = (n, h = 1) => ({ bounds: Array.from({ length: n }, () => [-h, h]) });

const cases = [
  ['16-D box, 16-20-20-1', heNormal([16, 20, 20, 1], 1), box(16)],
  ['5-D whole space, 5-30-30-1', heNormal([5, 30, 30, 1], 2), { whole: true }],
  ['3-D, 10 layers of 100', heNormal([3, ...Array(10).fill(100), 1], 3), box(3)],
  ['2-D, 20 layers of 200', heNormal([2, ...Array(20).fill(200), 1], 5), box(2)],
];

for (const [name, raw, domain] of cases) {
  const net = validateNetwork(raw);
  const packed = pack(net, resolveDomain(net, domain));
  const core = new WebAssembly.Instance(wasm, {}).exports;
  const ptr = core.prepare(packed.words.byteLength);
  new Float64Array(core.memory.buffer, ptr, packed.words.length).set(packed.words);
  let t = performance.now();
  const status = core.setup(0, 1, 0);
  const setupMs = performance.now() - t;
  if (status !== 0) throw new Error(`${name}: setup status ${status}`);
  const steps = [];
  const end = performance.now() + seconds * 1000;
  let s = 1;
  while (s === 1 && performance.now() < end) {
    t = performance.now();
    s = core.run(1);
    steps.push(performance.now() - t);
  }
  steps.sort((a, b) => b - a);
  const over = steps.filter((x) => x > 50).length;
  console.log(
    `${name}: setup ${setupMs.toFixed(0)} ms; ${steps.length} steps, longest ${steps.slice(0, 3).map((x) => x.toFixed(0)).join(', ')} ms, ` +
      `${over} over 50 ms; exact LP calls ${core.statExactLpCalls()}, pivots ${core.statExactLpPivots()}, ${core.activationRegions()} regions`,
  );
}
