/**
 * A counting worker (Node worker_threads): its own instance of the core, fed work units (cells that
 * completed some layer) by src/count/parallel.ts; at the end it hands back its counts and the faces still
 * waiting for a second side.
 */
import { parentPort } from 'node:worker_threads';

interface WorkerCore {
  memory: WebAssembly.Memory;
  prepare(bytes: number): number;
  setup(maxRegions: number, linear: number, emit: number): number;
  run(budget: number): number;
  scratch(bytes: number): number;
  resumeUnit(ptr: number): number;
  activationRegions(): number;
  mergedFaces(): number;
  layerCount(l: number): number;
  exportFaces(): number;
  exportedFaceCount(): number;
  faceBytes(): number;
  statFilterHits(): number;
  statExactCalls(): number;
  statExactMapChecks(): number;
  memoryBytes(): number;
}

interface Setup {
  type: 'setup';
  module: WebAssembly.Module;
  words: Float64Array;
  linear: boolean;
  layers: number;
}

// One count at a time; a 'setup' message starts the next one on a fresh instance (workers are
// pooled across counts by src/count/parallel.ts).
let core: WorkerCore;
let status = 1;
let unitBuffer = 0;
let unitCapacity = 0;
let linear = true;
let layers = 0;

function setup(message: Setup): void {
  core = new WebAssembly.Instance(message.module, {}).exports as unknown as WorkerCore;
  linear = message.linear;
  layers = message.layers;
  const ptr = core.prepare(message.words.byteLength);
  new Float64Array(core.memory.buffer, ptr, message.words.length).set(message.words);
  status = core.setup(0, linear ? 1 : 0, 0);
  unitBuffer = 0;
  unitCapacity = 0;
}

/** A buffer in the core's memory for a unit of `bytes` (reused; a bigger one when needed). */
function unitSpace(bytes: number): number {
  if (bytes > unitCapacity) {
    unitCapacity = Math.max(bytes, 1 << 16);
    unitBuffer = core.scratch(unitCapacity);
  }
  return unitBuffer;
}

parentPort!.on('message', (message: Setup | { type: 'units'; units: Uint8Array[] } | { type: 'finish' }) => {
  if (message.type === 'setup') {
    setup(message);
    return;
  }
  if (status !== 0) {
    parentPort!.postMessage({ type: 'error', status });
    return;
  }
  if (message.type === 'units') {
    for (const unit of message.units) {
      const at = unitSpace(unit.byteLength);
      if (at === 0) {
        parentPort!.postMessage({ type: 'error', status: 3 });
        return;
      }
      new Uint8Array(core.memory.buffer, at, unit.byteLength).set(unit);
      if (core.resumeUnit(at) !== 1) {
        parentPort!.postMessage({ type: 'error', status: 3 });
        return;
      }
      for (;;) {
        const s = core.run(1 << 16);
        if (s === 0) break;
        if (s !== 1) {
          parentPort!.postMessage({ type: 'error', status: s });
          return;
        }
        parentPort!.postMessage({ type: 'progress', regions: core.activationRegions() });
      }
    }
    parentPort!.postMessage({ type: 'ready', regions: core.activationRegions() });
    return;
  }
  const faces = linear ? core.exportFaces() : 0;
  const count = linear ? core.exportedFaceCount() : 0;
  const bytes = count * core.faceBytes();
  const facesCopy = new Uint8Array(bytes);
  if (bytes > 0) facesCopy.set(new Uint8Array(core.memory.buffer, faces, bytes));
  const perLayer: number[] = [];
  for (let l = 1; l <= layers; l++) perLayer.push(core.layerCount(l));
  parentPort!.postMessage(
    {
      type: 'result',
      regions: core.activationRegions(),
      merges: core.mergedFaces(),
      perLayer,
      faces: facesCopy,
      faceCount: count,
      recordBytes: core.faceBytes(),
      stats: {
        filterHits: core.statFilterHits(),
        exactCalls: core.statExactCalls(),
        exactMapChecks: core.statExactMapChecks(),
        memoryBytes: core.memoryBytes(),
      },
    },
    [facesCopy.buffer],
  );
});
