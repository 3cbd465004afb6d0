// The core's longest indivisible step: the counts of test/yield.test.ts run with run(1) (the core
// returns after every decision, region, or interrupted exact composition it can stop at), timing
// every call in CPU time of this process (process.cpuUsage: what the step costs, whatever else the
// machine runs) and in wall time, for a few seconds per count; and the core's set-up. The longest
// call is what the event loop would stall for with the best possible pacing.
// `node bench/yield.js [seconds per count]` (default 4).
import { readFileSync } from 'node:fs';
import { heNormal } from './nets.js';
import { validateNetwork, resolveDomain } from '../dist/network/validate.js';
import { pack } from '../dist/count/pack.js';
import { loadTfjs } from '../dist/tfjs/load.js';
import { coreImports } from '../dist/count/core-memory.js';

const seconds = Number(process.argv[2] ?? 4);
const wasm = new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));
const box = (n, h = 1) => ({ bounds: Array.from({ length: n }, () => [-h, h]) });
const deep3 = [3, ...Array(10).fill(100), 1];
const deep2 = [2, ...Array(20).fill(200), 1];
const tfjsDir = new URL('../test/fixtures/tfjs/', import.meta.url);
const cnn36 = loadTfjs(JSON.parse(readFileSync(new URL('cnn.json', tfjsDir), 'utf8')), readFileSync(new URL('cnn.weights.bin', tfjsDir)));
const cases = [
  ['16-D box, 16-20-20-1', heNormal([16, 20, 20, 1], 1), box(16), true],
  ['5-D whole space, 5-30-30-1', heNormal([5, 30, 30, 1], 2), { whole: true }, true],
  ['3-D, 10 layers of 100', heNormal(deep3, 3), box(3), true],
  ['3-D, 10 layers of 100, activation regions only', heNormal(deep3, 3), box(3), false],
  ['2-D, 20 layers of 200', heNormal(deep2, 5), box(2), true],
  ['2-D, 20 layers of 200, activation regions only', heNormal(deep2, 5), box(2), false],
  ['36-input CNN (test/fixtures/tfjs/cnn.json), box [-1, 1]^36', cnn36, box(36), true],
  ['36-input CNN (test/fixtures/tfjs/cnn.json), whole space', cnn36, { whole: true }, true],
];
const cpuMs = (c) => (c.user + c.system) / 1000;

for (const [name, raw, domain, linear] of cases) {
  const net = validateNetwork(raw);
  const packed = pack(net, resolveDomain(net, domain));
  const core = new WebAssembly.Instance(wasm, coreImports()).exports;
  const ptr = core.prepare(packed.words.byteLength);
  new Float64Array(core.memory.buffer, ptr, packed.words.length).set(packed.words);
  let c0 = process.cpuUsage();
  const status = core.setup(0, linear ? 1 : 0, 0);
  const setupMs = cpuMs(process.cpuUsage(c0));
  if (status !== 0) throw new Error(`${name}: setup status ${status}`);
  const cpu = [];
  let longestWall = 0;
  const end = performance.now() + seconds * 1000;
  let s = 1;
  while (s === 1 && performance.now() < end) {
    const t = performance.now();
    c0 = process.cpuUsage();
    s = core.run(1);
    cpu.push(cpuMs(process.cpuUsage(c0)));
    longestWall = Math.max(longestWall, performance.now() - t);
  }
  cpu.sort((a, b) => b - a);
  console.log(
    `${name}: set-up ${setupMs.toFixed(0)} ms; ${cpu.length} steps, longest ${cpu.slice(0, 3).map((x) => x.toFixed(0)).join(', ')} ms CPU ` +
      `(${longestWall.toFixed(0)} ms wall), ${cpu.filter((x) => x > 50).length} over 50 ms; ${core.activationRegions()} regions`,
  );
}
