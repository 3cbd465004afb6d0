/**
 * A counting worker (Node worker_threads): its own instance of the core, fed work units (cells that
 * completed some layer) by src/count/parallel.ts; at the end it hands back its counts and the faces still
 * waiting for a second side.
 */
import { parentPort } from 'node:worker_threads';
import { type CoreInstance, giveBackInstance, takeInstance } from './core-memory.js';
import { readUnits, type CountingCore } from './handover.js';
import type { PieceReply, SideCore } from './pieces.js';
import { CHUNK_MS, Pacer, yieldToEventLoop } from './pacer.js';

interface Setup {
  type: 'setup';
  module: WebAssembly.Module;
  words: Float64Array;
  linear: boolean;
  layers: number;
  maxMemoryMiB: number;
}

// One count at a time; a 'setup' message starts the next one on an instance in the state
// instantiation gives (workers are pooled across counts by src/count/parallel.ts, and each keeps
// its instances for its next counts and pieces: core-memory.ts).
let core: CountingCore;
/** The instance of the count that `core` is, given back when the next count's setup comes. */
let counting: { module: WebAssembly.Module; instance: CoreInstance } | undefined;
let status = 1;
let unitBuffer = 0;
let unitCapacity = 0;
let linear = true;
let layers = 0;

/** An instance with the packed input in its memory; undefined when memory ran out (the instance is given back). */
function instance(module: WebAssembly.Module, words: Float64Array, maxMemoryMiB: number): CoreInstance | undefined {
  const taken = takeInstance(module);
  const c = taken.exports as unknown as CountingCore;
  c.memoryLimitMiB(maxMemoryMiB);
  const ptr = c.prepare(words.byteLength);
  if (ptr === 0) return void giveBackInstance(module, taken, c.memoryBytes());
  new Float64Array(c.memory.buffer, ptr, words.length).set(words);
  return taken;
}

function setup(message: Setup): void {
  linear = message.linear;
  layers = message.layers;
  const taken = instance(message.module, message.words, message.maxMemoryMiB);
  if (taken) {
    // (the last count's result was posted, or it was stopped: nothing reads its core again)
    if (counting) giveBackInstance(counting.module, counting.instance, core.memoryBytes());
    core = taken.exports as unknown as CountingCore;
    counting = { module: message.module, instance: taken };
  }
  status = taken ? core.setup(0, linear ? 1 : 0, 0) : 3;
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

function perLayerSoFar(): number[] {
  const out: number[] = [];
  for (let l = 1; l <= layers; l++) out.push(core.layerCount(l));
  return out;
}

/** Stopped by the main thread ('stop') or by memory: the counts so far go back once. */
let stopRequested = false;
let answered = false;
let busy = false;

function postResult(partial: 'memory' | 'stopped' | undefined): void {
  if (answered) return;
  answered = true;
  // a partial result's linear regions are not reported (see api-types.ts), so no faces then
  const exporting = linear && partial === undefined;
  const faces = exporting ? core.exportFaces() : 0;
  const count = exporting ? core.exportedFaceCount() : 0;
  const bytes = count * core.faceBytes();
  const facesCopy = new Uint8Array(bytes);
  if (bytes > 0) facesCopy.set(new Uint8Array(core.memory.buffer, faces, bytes));
  parentPort!.postMessage(
    {
      type: 'result',
      partial,
      regions: core.activationRegions(),
      merges: core.mergedFaces(),
      perLayer: perLayerSoFar(),
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
}

// Batches of units queue up: the main thread keeps one batch ahead of each worker, so a worker
// never waits for the calling thread (busy with its own 10 ms chunks) to answer 'ready'.
const queue: Uint8Array[][] = [];
let finishPending = false;
const pacer = new Pacer();
/** Batches counted or given back so far: the main thread knows from it whether this worker is idle. */
let batchesDone = 0;
/** Set by 'donate': an idle thread wants work (parallel.ts); answered after the running chunk. */
let donateRequested = false;

/**
 * Gives work back to the main thread for an idle thread: the units of the running batch not
 * started yet, the queued batches, and the pending layer-1 cells of the running unit (handed over
 * as the calling thread hands its probe's cells over, handover.ts). An idle worker hands nothing
 * over: its instance may never have loaded a unit, and a fresh instance's stack holds the whole
 * domain (handing that over counted every region twice). False when memory ran out.
 */
function donate(running: Uint8Array[], next: number, idle = false): boolean {
  donateRequested = false;
  const units = running.splice(next);
  for (const batch of queue) units.push(...batch);
  batchesDone += queue.length;
  queue.length = 0;
  const handed = idle ? 0 : core.handOver();
  if (handed < 0) return (postResult('memory'), false);
  if (handed > 0) units.push(...readUnits(core));
  parentPort!.postMessage({ type: 'donated', units, batchesDone, idle }, units.map((u) => u.buffer as ArrayBuffer));
  return true;
}

/**
 * Counts one batch of units in chunks of about 10 ms, with a turn of the event loop between (for
 * 'stop', 'donate' and more batches). False when the count stopped (the result or an error is posted).
 */
async function countUnits(units: Uint8Array[]): Promise<boolean> {
  let lastProgress = performance.now();
  let lastTurn = lastProgress;
  for (let i = 0; i < units.length; i++) {
    // units that each end within a chunk still give the event loop a turn every CHUNK_MS, so a
    // 'donate' or 'stop' is heard within about a chunk
    if (i > 0 && performance.now() - lastTurn > CHUNK_MS) {
      await yieldToEventLoop();
      lastTurn = performance.now();
      if (donateRequested && !donate(units, i)) return false;
      if (i >= units.length) break;
    }
    const unit = units[i]!;
    const at = unitSpace(unit.byteLength);
    if (at === 0) return (postResult('memory'), false);
    new Uint8Array(core.memory.buffer, at, unit.byteLength).set(unit);
    if (core.resumeUnit(at) !== 1) return (postResult('memory'), false);
    for (;;) {
      if (stopRequested) return (postResult('stopped'), false);
      const t0 = performance.now();
      const s = core.run(pacer.budget);
      const t1 = performance.now();
      pacer.adapt(t1 - t0, s === 0);
      if (s === 3) return (postResult('memory'), false);
      if (s !== 0 && s !== 1) {
        parentPort!.postMessage({ type: 'error', status: s });
        return false;
      }
      if (donateRequested && !donate(units, i + 1)) return false;
      if (s === 0) break;
      if (t1 - lastProgress > 25) {
        lastProgress = t1;
        parentPort!.postMessage({ type: 'progress', regions: core.activationRegions(), perLayer: perLayerSoFar() });
      }
      await yieldToEventLoop();
      lastTurn = performance.now();
    }
  }
  if (stopRequested) return (postResult('stopped'), false);
  batchesDone++;
  parentPort!.postMessage({ type: 'ready', regions: core.activationRegions(), perLayer: perLayerSoFar(), batchesDone });
  return true;
}

/** Counts the queued batches, then answers a 'donate' or a 'finish' that came meanwhile. */
async function drainQueue(): Promise<void> {
  for (;;) {
    const units = queue.shift();
    if (!units) break;
    if (!(await countUnits(units))) {
      queue.length = 0;
      return;
    }
  }
  if (donateRequested && !donate([], 0, true)) return;
  if (finishPending) postResult(undefined);
}

/** One piece of a count of the whole space (pieces.ts), counted whole on an instance of its own (core-memory.ts). */
interface PieceJob {
  type: 'piece';
  module: WebAssembly.Module;
  words: Float64Array;
  linear: boolean;
  sides: number;
  maxMemoryMiB: number;
}

type PieceCore = CountingCore & SideCore & {
  meshConfigure(on: number, minDim: number, tau: number, maxDim: number): void;
  layers(): number;
};

/**
 * Counts a piece to its end in chunks of about 10 ms, a turn of the event loop between them (for
 * 'stop'), and posts its counts and side records. A core that cannot be set up is an error.
 */
async function countPiece(job: PieceJob): Promise<void> {
  const taken = instance(job.module, job.words, job.maxMemoryMiB);
  if (!taken) return void parentPort!.postMessage({ type: 'error', status: 3 });
  await countPieceOn(taken.exports as unknown as PieceCore, job);
  // (its records were copied into the reply: nothing reads this core again)
  giveBackInstance(job.module, taken, (taken.exports as unknown as PieceCore).memoryBytes());
}

async function countPieceOn(c: PieceCore, job: PieceJob): Promise<void> {
  c.meshConfigure(0, 5, 0, 0);
  const status = c.setup(0, job.linear ? 1 : 0, 0);
  if (status === 4) {
    // (a piece of a polytope that holds none of its interior)
    const empty: PieceReply = {
      type: 'piece-result', status: 'empty', activation: 0, merges: 0, perLayer: [], exact: true, records: new Uint8Array(0),
      recordCount: 0, recordBytes: 0, memoryBytes: c.memoryBytes(),
    };
    return void parentPort!.postMessage(empty);
  }
  if (status !== 0 || c.recordSides(job.sides) !== 0) return void parentPort!.postMessage({ type: 'error', status: status || 3 });
  const chunks = new Pacer();
  let s = 1;
  while (s === 1 && !stopRequested) {
    const t0 = performance.now();
    s = c.run(chunks.budget);
    chunks.adapt(performance.now() - t0);
    // (linear regions that cannot be certified by pieces: the main thread gives them up)
    if (s === 1 && job.linear && c.sidesExact() === 0) break;
    if (s === 1) await yieldToEventLoop();
  }
  if (s !== 0 && s !== 1 && s !== 3) return void parentPort!.postMessage({ type: 'error', status: s });
  const result: PieceReply['status'] = s === 0 ? 'complete' : s === 3 ? 'memory' : 'stopped';
  if (result !== 'complete') c.settleSides();
  const recordCount = c.sideRecordCount();
  const recordBytes = c.sideRecordBytes();
  const at = c.sideRecords();
  const records = new Uint8Array(c.memory.buffer.slice(at, at + recordCount * recordBytes));
  const perLayer: number[] = [];
  for (let l = 1; l <= c.layers(); l++) perLayer.push(c.layerCount(l));
  const reply: PieceReply = {
    type: 'piece-result', status: result, activation: c.activationRegions(), merges: c.mergedFaces(), perLayer,
    exact: c.sidesExact() === 1, records, recordCount, recordBytes, memoryBytes: c.memoryBytes(),
  };
  parentPort!.postMessage(reply, [records.buffer]);
}

type Message = Setup | PieceJob | { type: 'units'; units: Uint8Array[] } | { type: 'finish' } | { type: 'stop' } | { type: 'donate' };

parentPort!.on('message', (message: Message) => {
  if (message.type === 'piece') {
    stopRequested = false;
    busy = true;
    void countPiece(message).finally(() => (busy = false));
    return;
  }
  if (message.type === 'setup') {
    setup(message);
    stopRequested = false;
    answered = false;
    finishPending = false;
    donateRequested = false;
    batchesDone = 0;
    queue.length = 0;
    parentPort!.postMessage({ type: 'online' });
    return;
  }
  if (message.type === 'stop') {
    // answered at once when idle, else at the end of the running chunk (a piece answers when it ends)
    stopRequested = true;
    if (!busy && core) postResult('stopped');
    return;
  }
  if (status !== 0) {
    parentPort!.postMessage({ type: 'error', status });
    return;
  }
  if (message.type === 'donate') {
    // answered after the running chunk, or at once (with nothing) when idle
    donateRequested = true;
    if (!busy) donate([], 0, true);
    return;
  }
  if (message.type === 'units') {
    queue.push(message.units);
  } else {
    finishPending = true;
  }
  if (busy) return;
  busy = true;
  void drainQueue().finally(() => (busy = false));
});
