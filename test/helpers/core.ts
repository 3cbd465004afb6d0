/** Direct access to the WebAssembly core for white-box tests (predicates, counters). */
import { readFileSync } from 'node:fs';
import { pack } from '../../src/count/pack.js';

export interface RawCore {
  memory: WebAssembly.Memory;
  prepare(bytes: number): number;
  setup(maxRegions: number, linear: number, emit: number): number;
  run(budget: number): number;
  testVertexSign(a1: number, b1: number, c1: number, a2: number, b2: number, c2: number, a3: number, b3: number, c3: number): number;
  statFilterHits(): number;
  statExactCalls(): number;
}

const module = new WebAssembly.Module(readFileSync(new URL('../../build/linear_regions.wasm', import.meta.url)));

/** A fresh core instance set up with a one-neuron network (enough for the predicate hook). */
export function coreForPredicates(): RawCore {
  const core = new WebAssembly.Instance(module, {}).exports as unknown as RawCore;
  const { words } = pack(
    { inputDim: 2, layers: [{ weights: [[1, 1]], bias: [0], activation: 'relu' }] },
    { bounds: [[-1, 1], [-1, 1]] },
  );
  const ptr = core.prepare(words.byteLength);
  new Float64Array(core.memory.buffer, ptr, words.length).set(words);
  if (core.setup(0, 0, 0) !== 0) throw new Error('setup failed');
  return core;
}
