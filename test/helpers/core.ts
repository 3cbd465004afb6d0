/** Direct access to the WebAssembly core for white-box tests (predicates, counters). */
import { readFileSync } from 'node:fs';
import { pack } from '../../src/count/pack.js';
import type { CountingCore } from '../../src/count/handover.js';
import { coreImports } from '../../src/count/core-memory.js';

/** The counting calls every white-box test of the core uses (the library's own declaration). */
export type CountingCoreExports = Pick<CountingCore, 'memory' | 'prepare' | 'setup' | 'run' | 'activationRegions' | 'mergedFaces' | 'layerCount'>;

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
  const core = new WebAssembly.Instance(module, coreImports()).exports as unknown as RawCore;
  const { words } = pack(
    { inputDim: 2, layers: [{ weights: [[1, 1]], bias: [0], activation: 'relu' }] },
    { bounds: [[-1, 1], [-1, 1]] },
  );
  const ptr = core.prepare(words.byteLength);
  new Float64Array(core.memory.buffer, ptr, words.length).set(words);
  if (core.setup(0, 0, 0) !== 0) throw new Error('setup failed');
  return core;
}

/** A core instance that resumes work units (the records a splitting instance wrote). */
export interface UnitCounter {
  memory: WebAssembly.Memory;
  scratch(bytes: number): number;
  resumeUnit(ptr: number): number;
  run(budget: number): number;
}

/**
 * Resumes every unit record in `bytes` on `counter`, one after the other, each counted to its end;
 * returns the number of units (and fails the calling test if one is refused).
 */
export function resumeAllUnits(bytes: Uint8Array, counter: UnitCounter): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let units = 0;
  for (let p = 0; p < bytes.length; units++) {
    const size = view.getInt32(p, true);
    const at = counter.scratch(size);
    new Uint8Array(counter.memory.buffer, at, size).set(bytes.subarray(p, p + size));
    if (counter.resumeUnit(at) !== 1) throw new Error(`unit ${units} was refused`);
    while (counter.run(1 << 20) === 1);
    p += size;
  }
  return units;
}
