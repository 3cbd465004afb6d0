/**
 * Multi-core counting for Node (worker_threads).
 *
 * The first layer's tree is expanded breadth-first into many pending cells (work units: a
 * polygon, the lines and vanish records it refers to, the states decided so far and the partial
 * next-layer map, a few hundred bytes each). Workers, each with its own instance of the same .wasm,
 * take units as they free up and count their subtrees. Faces between regions of different
 * units are paired at the end: every worker hands back the faces still waiting for a second side,
 * keyed exactly as inside the core, with each region replaced by its merged set's root; the main
 * thread pairs them, compares output maps through the core (certified float, exact fallback) and
 * unions roots. Counts are identical for any number of threads.
 *
 * The same units could be shipped to other machines: a unit is self-contained given the network,
 * and the merge step only needs each machine's counts and unpaired faces (see README).
 */
import { Worker } from 'node:worker_threads';
import { coreImports } from './core-memory.js';
import { LinearRegionsError } from '../errors.js';
import type { CountOptions, CountResult, StopReason } from './api-types.js';
import { abortReason } from './api.js';
import { Pacer, yieldToEventLoop } from './pacer.js';
import { LocalCounter, readUnits, type CounterResult, type LocalCore } from './handover.js';
import type { Domain, Network } from '../network/types.js';
import type { Packed } from './pack.js';
import type { PieceReply, PieceSource } from './pieces.js';

export interface MainCore {
  memory: WebAssembly.Memory;
  memoryLimitMiB(mib: number): void;
  prepare(bytes: number): number;
  setup(maxRegions: number, linear: number, emit: number): number;
  run(budget: number): number;
  splitUnits(want: number, budget: number): number;
  resumeUnit(ptr: number): number;
  emitted(): number;
  emitBuffer(): number;
  emitClear(): void;
  layerCount(l: number): number;
  scratch(bytes: number): number;
  compareFaces(mapA: number, patternA: number, mapB: number, patternB: number): number;
  statExactMapChecks(): number;
}

/** A worker's (or the calling thread's, handover.ts) counts and unpaired faces. */
export type WorkerResult = CounterResult;

export interface ParallelInput {
  network: Network;
  domain: Domain;
  packed: Packed;
}

/**
 * Work units per thread (enough that dynamic dispatch balances the load). Tests lower it to make
 * a few large units, so that threads run out early and ask the others to donate.
 */
export const tuning = { unitsPerThread: 64 };

// Idle workers kept for the next count (unref'd: they never keep the process alive).
const idle: Worker[] = [];

function acquireWorkers(n: number): Worker[] {
  const out: Worker[] = [];
  while (out.length < n) {
    const w = idle.pop() ?? new Worker(new URL('./worker.js', import.meta.url));
    w.ref();
    out.push(w);
  }
  return out;
}

/** Starts workers until `n` are pooled (unref'd: they never keep the process alive). */
export function warmWorkers(n: number): void {
  while (idle.length < n) {
    const w = new Worker(new URL('./worker.js', import.meta.url));
    w.unref();
    // a worker that fails before any count uses it leaves the pool (a count adds its own listener)
    w.on('error', () => {
      const i = idle.indexOf(w);
      if (i >= 0) idle.splice(i, 1);
    });
    idle.push(w);
  }
}

function releaseWorker(w: Worker): void {
  w.removeAllListeners('message');
  w.removeAllListeners('error');
  w.unref();
  idle.push(w);
}

function discardWorker(w: Worker): void {
  w.removeAllListeners();
  void w.terminate();
}

export function setupCore(module: WebAssembly.Module, words: Float64Array, linear: boolean): MainCore | undefined {
  const core = new WebAssembly.Instance(module, coreImports()).exports as unknown as MainCore;
  const ptr = core.prepare(words.byteLength);
  if (ptr === 0) return undefined;
  new Float64Array(core.memory.buffer, ptr, words.length).set(words);
  // emit 2: this instance only splits the work into units (room for the rows of many cells)
  return core.setup(0, linear ? 1 : 0, 2) === 0 ? core : undefined;
}

/**
 * Splits layer 1 into work units (at least `want` when layer 1 has that many cells), in chunks of
 * about 10 ms with a turn of the event loop between them. Undefined when the split is refused, or
 * 'aborted' when the signal fired during it.
 */
export async function enumerateUnits(core: MainCore, want: number, signal?: AbortSignal): Promise<Uint8Array[] | 'aborted' | undefined> {
  const pacer = new Pacer();
  const start = performance.now();
  let count: number;
  for (;;) {
    if (signal?.aborted) return 'aborted';
    const t0 = performance.now();
    // a split that takes long (many dimensions: every decision is an LP) ships what it has
    count = core.splitUnits(t0 - start > SPLIT_MS ? 1 : want, pacer.budget);
    pacer.adapt(performance.now() - t0);
    if (count !== -2) break;
    await yieldToEventLoop();
  }
  if (count < 0) return undefined;
  const units = readUnits(core);
  return units.length === count ? units : undefined;
}

/**
 * Splits each unit a running count handed over (handover.ts) into about `want` smaller ones on the
 * splitting instance, so the load balances; a unit that does not split is kept whole.
 */
async function resplit(core: MainCore, handed: Uint8Array[], want: number, signal?: AbortSignal): Promise<Uint8Array[] | 'aborted'> {
  const out: Uint8Array[] = [];
  let buffer = 0;
  let capacity = 0;
  for (const unit of handed) {
    if (unit.byteLength > capacity) {
      capacity = Math.max(unit.byteLength, 1 << 16);
      buffer = core.scratch(capacity);
    }
    if (buffer === 0) {
      out.push(unit);
      continue;
    }
    new Uint8Array(core.memory.buffer, buffer, unit.byteLength).set(unit);
    if (core.resumeUnit(buffer) !== 1) {
      out.push(unit);
      continue;
    }
    const parts = await enumerateUnits(core, want, signal);
    if (parts === 'aborted') return 'aborted';
    if (parts && parts.length > 0) out.push(...parts);
    else out.push(unit);
  }
  return out;
}

/**
 * Orders units along a Z-order (Morton) curve of their polygons' centroids, so each shard's
 * contiguous share is a compact block of the domain: fewer faces cross between shards.
 * Unit record: 32-byte header ([1] next, [2] vertices, [3] lines), lines (64 bytes each), then
 * vertices of 32 bytes starting with x, y (float64).
 */
export function sortBySpace(units: Uint8Array[], words: Float64Array): void {
  const [lo0, hi0, lo1, hi1] = [words[4]!, words[5]!, words[6]!, words[7]!];
  const key = (u: Uint8Array): number => {
    const view = new DataView(u.buffer, u.byteOffset, u.byteLength);
    const n = view.getInt32(8, true);
    const start = 32 + 64 * view.getInt32(12, true);
    let x = 0;
    let y = 0;
    for (let i = 0; i < n; i++) {
      x += view.getFloat64(start + 32 * i, true);
      y += view.getFloat64(start + 32 * i + 8, true);
    }
    const qx = Math.min(65535, Math.max(0, Math.floor(((x / n - lo0) / (hi0 - lo0)) * 65536))) || 0;
    const qy = Math.min(65535, Math.max(0, Math.floor(((y / n - lo1) / (hi1 - lo1)) * 65536))) || 0;
    let z = 0;
    for (let b = 15; b >= 0; b--) z = z * 4 + ((qx >> b) & 1) * 2 + ((qy >> b) & 1);
    return z;
  };
  const keyed = units.map((u) => ({ u, k: key(u) }));
  keyed.sort((a, b) => a.k - b.k);
  keyed.forEach((e, i) => (units[i] = e.u));
}

/** Bytes of an n-D unit record's header (assembly/units-nd.ts UNIT_HEADER; the core's ndUnitHeaderBytes()). */
export const ND_UNIT_HEADER = 40;

/**
 * The size of a unit's cell, as an estimate of its work: the area of a 2-D unit's polygon (unit
 * record: 32-byte header ([2] vertices, [3] lines), lines of 64 bytes, then vertices of 32 bytes
 * starting with x, y; assembly/traverse.ts), the volume of an n-D unit's box (assembly/units-nd.ts).
 */
function cellSize(u: Uint8Array, words: Float64Array): number {
  const view = new DataView(u.buffer, u.byteOffset, u.byteLength);
  if (words[3]! % 4 === 0) {
    const n = view.getInt32(8, true);
    const start = 32 + 64 * view.getInt32(12, true);
    let a = 0;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      a += view.getFloat64(start + 32 * i, true) * view.getFloat64(start + 32 * j + 8, true) -
        view.getFloat64(start + 32 * j, true) * view.getFloat64(start + 32 * i + 8, true);
    }
    return Math.abs(a);
  }
  const D = words[3]! % 4 === 2 ? words[2]! + 1 : words[2]!; // the LP variables (homogeneous: + 1)
  const rowBytes = 16 * (D + 1) + 24;
  const k = view.getInt32(4, true);
  const touches = view.getInt32(8, true);
  const box = (ND_UNIT_HEADER + k * rowBytes + k + 4 * touches + 7) & ~7;
  let v = 1;
  for (let j = 0; j < D; j++) v *= Math.max(0, view.getFloat64(box + 8 * (D + j), true) - view.getFloat64(box + 8 * j, true));
  return v;
}

/**
 * Units largest first and dealt round-robin into the threads' contiguous shares: each share starts
 * with its largest units and the units taken from the back of a share at the end are the smallest,
 * so no thread is left with one large unit while the others are idle. The size of a unit is
 * estimated by its cell's area (2-D) or box volume (n-D). In 2-D this replaced an order along a
 * space-filling curve (neighbouring cells in one thread, so fewer faces to pair across threads):
 * the balance gained more than the pairing lost, with and without linear regions (2-128-128-128-
 * 128-1 on 2 threads: 1.48x -> 1.76x the speed of one thread without linear regions, 1.71x ->
 * 1.81x with them; median of 5, alternating, quiet machine).
 */
export function dealBySize(units: Uint8Array[], words: Float64Array, threads: number): void {
  const sorted = units.map((u) => ({ u, v: cellSize(u, words) })).sort((a, b) => b.v - a.v);
  const n = units.length;
  const shares = Array.from({ length: threads }, (_, t) => Math.floor(((t + 1) * n) / threads) - Math.floor((t * n) / threads));
  const next = Array.from({ length: threads }, (_, t) => Math.floor((t * n) / threads));
  let t = 0;
  for (const { u } of sorted) {
    while (shares[t]! === 0) t = (t + 1) % threads;
    units[next[t]!++] = u;
    shares[t]!--;
    t = (t + 1) % threads;
  }
}

/** The longest the split into work units may take before it ships the units it has. */
const SPLIT_MS = 100;

/** How long stopped workers get to hand back their counts before they are terminated. */
const STOP_GRACE_MS = 100;

/**
 * Counts with `threads` workers, or returns undefined when the network does not split usefully
 * (layer 1 has a single cell) or the core refuses; the caller then counts on one thread.
 * `spentMs`: time the caller already spent on this count (its probe on the calling thread), part
 * of elapsedMs. Time spent waiting for workers to come online is not.
 */
export async function countParallel(
  module: WebAssembly.Module,
  input: ParallelInput,
  options: CountOptions,
  threads: number,
  spentMs = 0,
  local?: LocalCore,
): Promise<(CountResult & { stats: Record<string, number> }) | undefined> {
  const started = performance.now() - spentMs;
  const L = input.network.layers.length;
  const linear = options.linearRegions !== false;
  const words = input.packed.words;
  // A running count on the calling thread (2-D): it hands its pending layer-1 cells over and
  // stays on as one of the `threads`; nothing it counted is redone.
  let handed: Uint8Array[] | undefined;
  if (local) {
    const n = local.handOver();
    if (n <= 0) return undefined; // nothing pending to share (or no memory): it goes on alone
    handed = readUnits(local);
  }
  const counter = local ? new LocalCounter(local, L, linear) : undefined;
  // the workers set up their instances while this thread splits the work
  const workers = acquireWorkers(counter ? threads - 1 : threads);
  let lastOnline = 0;
  let online = 0;
  for (const w of workers) {
    w.removeAllListeners('message');
    w.on('message', (msg: { type: string }) => {
      if (msg.type !== 'online') return;
      online++;
      lastOnline = performance.now();
    });
    w.postMessage({ type: 'setup', module, words, linear, layers: L, maxMemoryMiB: options.maxMemoryMiB ?? 0 });
  }
  const main = setupCore(module, words, linear);
  // enough units that dynamic dispatch balances the load; each is a subtree of layer 1's tree
  let units: Uint8Array[] | 'aborted' | undefined;
  if (handed) {
    // (each handed cell in at least 4, or fewer when a test asks for fewer units)
    const per = Math.max(Math.min(4, tuning.unitsPerThread), Math.ceil((tuning.unitsPerThread * threads) / handed.length));
    units = main ? await resplit(main, handed, per, options.signal) : handed;
  } else {
    units = main ? await enumerateUnits(main, tuning.unitsPerThread * threads, options.signal) : undefined;
  }
  if (units === 'aborted') {
    for (const w of workers) releaseWorker(w);
    const regions = counter ? counter.regions : 0;
    return partialResult(input, regions, counter ? counter.perLayer() : new Array<number>(L).fill(0), started, abortReason(options.signal!), 0);
  }
  if (!units || (!counter && (!main || units.length < 2))) {
    // (never after a hand-over: the handed cells must be counted)
    for (const w of workers) releaseWorker(w);
    return undefined;
  }
  // the instance that compares output maps when faces are paired (the calling thread's, if the
  // splitting instance could not be set up: it is idle by then)
  const pairing = main ?? (local as unknown as MainCore);
  const unitsReady = performance.now();
  dealBySize(units, input.packed.words, threads);

  const progress = new Array<number>(threads).fill(0);
  const progressLayers: number[][] = Array.from({ length: threads }, () => new Array<number>(L).fill(0));
  // Each worker starts on its own contiguous share of the units (dealt by size, dealBySize), in
  // small batches; a worker whose share is done takes
  // batches from the back of the largest share left. Batches shrink with the units left: a worker
  // keeps one batch queued (below), which no other thread can take, so at the end of the count a
  // queue of large batches would leave the others idle while it is worked through.
  let left = units.length;
  const batchNow = () => Math.max(1, Math.min(Math.floor(units.length / (threads * 16)), Math.floor(left / (threads * 4))));
  const shares = Array.from({ length: threads }, (_, t) => ({
    lo: Math.floor((t * units.length) / threads),
    hi: Math.floor(((t + 1) * units.length) / threads),
  }));
  // Work given back: when every share is empty, a thread with nothing to count asks the busy ones
  // to donate (their queued units and the pending layer-1 cells of the unit they are in), so no
  // thread idles while one unit with a large subtree is counted to its end.
  const given: Uint8Array[] = [];
  let donatedUnits = 0;
  const take = (t: number): Uint8Array[] => {
    const own = shares[t]!;
    if (own.lo < own.hi) {
      const chunk = units.slice(own.lo, Math.min(own.hi, own.lo + batchNow()));
      own.lo += chunk.length;
      left -= chunk.length;
      return chunk;
    }
    let best = own;
    for (const s of shares) if (s.hi - s.lo > best.hi - best.lo) best = s;
    const n = Math.min(batchNow(), best.hi - best.lo);
    if (n === 0) return given.splice(0, Math.max(1, Math.floor(given.length / threads)));
    best.hi -= n;
    left -= n;
    return units.slice(best.hi, best.hi + n);
  };
  let lastProgress = 0;

  // stopping: every worker is asked for its counts so far ('stop'); one that does not answer
  // within STOP_GRACE_MS is terminated and its last progress report stands for it
  let stopReason: StopReason | undefined;
  const outcome = await new Promise<{ results: (WorkerResult | undefined)[] }>((resolve, reject) => {
    const done: (WorkerResult | undefined)[] = new Array<WorkerResult | undefined>(threads).fill(undefined);
    let finished = 0;
    let settled = false;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const settle = () => {
      if (settled) return;
      settled = true;
      if (graceTimer) clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
      for (let t = 0; t < workers.length; t++) {
        if (done[t]) releaseWorker(workers[t]!);
        else discardWorker(workers[t]!);
      }
      resolve({ results: done });
    };
    const stopAll = (why: StopReason) => {
      if (stopReason !== undefined || settled) return;
      stopReason = why;
      if (counter) counter.stopRequested = true;
      localWaiter?.([]);
      localWaiter = undefined;
      for (let t = 0; t < workers.length; t++) if (!done[t]) workers[t]!.postMessage({ type: 'stop' });
      graceTimer = setTimeout(settle, STOP_GRACE_MS);
    };
    const report = (): boolean => {
      if (!options.onProgress || performance.now() - lastProgress <= 50) return true;
      lastProgress = performance.now();
      try {
        options.onProgress({ activationRegions: progress.reduce((a, b) => a + b, 0), elapsedMs: performance.now() - started });
        return true;
      } catch (error) {
        fail(error);
        return false;
      }
    };
    const onAbort = () => stopAll(abortReason(options.signal!));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // batches posted to each worker, and counted or given back (as it reports): it is busy while
    // they differ; the calling thread is busy unless it waits in localWaiter
    const posted = new Array<number>(threads).fill(0);
    const reported = new Array<number>(threads).fill(0);
    const asked = new Array<boolean>(threads).fill(false);
    // a thread whose last donation was empty has nothing more to give until it takes new units
    const dry = new Array<boolean>(threads).fill(false);
    const waiting: number[] = [];
    let localWaiter: ((units: Uint8Array[]) => void) | undefined;
    let finishing = false;
    const serve = (t: number): boolean => {
      const chunk = take(t);
      if (chunk.length === 0) return false;
      dry[t] = false;
      if (t < workers.length) {
        posted[t]!++;
        workers[t]!.postMessage({ type: 'units', units: chunk });
      } else {
        const wake = localWaiter!;
        localWaiter = undefined;
        wake(chunk);
      }
      return true;
    };
    // threads waiting for work get what was given back; if there is none, the busy threads are
    // asked to donate; when no thread is busy, the count is over
    const rebalance = () => {
      if (finishing || stopReason !== undefined) return;
      while (waiting.length > 0 && serve(waiting[0]!)) waiting.shift();
      if (waiting.length === 0) return;
      let busy = 0;
      for (let t = 0; t < threads; t++) {
        if (done[t] || waiting.includes(t)) continue;
        busy++;
        if (asked[t] || dry[t]) continue;
        asked[t] = true;
        if (t < workers.length) workers[t]!.postMessage({ type: 'donate' });
        else counter!.donateRequested = true;
      }
      if (busy > 0) return;
      finishing = true;
      for (const t of waiting) {
        if (t < workers.length) workers[t]!.postMessage({ type: 'finish' });
        else localWaiter?.([]);
      }
      localWaiter = undefined;
      waiting.length = 0;
    };
    // (an answer from a thread that was idle by then says nothing about the units it has since)
    const donated = (t: number, units: Uint8Array[], idle = false) => {
      asked[t] = false;
      if (units.length === 0 && !idle) dry[t] = true;
      else given.push(...units);
      donatedUnits += units.length;
      rebalance();
    };
    const feed = (w: Worker, t: number) => {
      if (stopReason !== undefined) return;
      if (serve(t)) return;
      if (posted[t] === reported[t] && !waiting.includes(t)) waiting.push(t);
      rebalance();
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      if (counter) counter.stopRequested = true;
      if (graceTimer) clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
      for (const w of workers) discardWorker(w);
      reject(error);
    };
    const finishOne = (t: number, result: WorkerResult) => {
      done[t] = result;
      finished++;
      if (result.partial === 'memory') stopAll('memory');
      if (finished === threads) settle();
    };
    if (counter) {
      // the calling thread's share: its own cell first, then units like a worker
      const t = threads - 1;
      counter
        .count(
          () => {
            if (stopReason !== undefined || settled || finishing) return [];
            const chunk = take(t);
            if (chunk.length > 0) {
              dry[t] = false;
              return chunk;
            }
            // nothing left to take: wait for work another thread gives back, or for the end
            return new Promise<Uint8Array[]>((wake) => {
              // (a request to donate that came after its last chunk: it has nothing to give)
              counter.donateRequested = false;
              asked[t] = false;
              localWaiter = wake;
              waiting.push(t);
              rebalance();
            });
          },
          () => {
            progress[t] = counter.regions;
            if (!report()) counter.stopRequested = true;
          },
          (units) => donated(t, units),
        )
        .then((stop) => {
          if (settled) return;
          progress[t] = counter.regions;
          progressLayers[t] = counter.perLayer();
          finishOne(t, counter.result(stop));
        }, fail);
    }
    for (let t = 0; t < workers.length; t++) {
      const w = workers[t]!;
      w.removeAllListeners('message');
      w.removeAllListeners('error');
      w.on('message', (msg: { type: string; regions?: number; perLayer?: number[]; status?: number; batchesDone?: number; units?: Uint8Array[]; idle?: boolean } & WorkerResult) => {
        if (settled) return;
        if (msg.type === 'online') {
          online++;
          lastOnline = performance.now();
          return;
        }
        if (msg.type === 'error') {
          fail(
            msg.status === 3 || msg.status === 1
              ? new LinearRegionsError('E_TOO_LARGE', 'a counting worker needs more than the 1.5 GiB memory limit')
              : new Error(`worker failed with status ${msg.status}`),
          );
          return;
        }
        if (msg.type === 'donated') {
          reported[t] = msg.batchesDone!;
          donated(t, msg.units!, msg.idle);
          return;
        }
        if (msg.type === 'progress' || msg.type === 'ready') {
          progress[t] = msg.regions!;
          if (msg.perLayer) progressLayers[t] = msg.perLayer;
          if (msg.type === 'ready') reported[t] = msg.batchesDone!;
          if (!report()) return;
          if (msg.type === 'ready') feed(w, t);
          return;
        }
        finishOne(t, msg);
      });
      w.on('error', fail);
      // two batches: one queued behind the running one (worker.ts), so the worker never waits
      feed(w, t);
      feed(w, t);
    }
  });

  const results = outcome.results;
  // a worker that was terminated counts with its last progress report
  const regionsOf = (t: number) => results[t]?.regions ?? progress[t]!;
  const layersOf = (t: number) => results[t]?.perLayer ?? progressLayers[t]!;
  const perLayer: number[] = [];
  for (let l = 0; l < L; l++) {
    let sum = 0;
    for (let t = 0; t < threads; t++) sum += layersOf(t)[l] ?? 0;
    perLayer.push(sum);
  }
  let activationRegions = 0;
  for (let t = 0; t < threads; t++) activationRegions += regionsOf(t);
  // worker start-up is not the count's time: the wait, after the split, for the last worker to come
  // online (none when the calling thread counts meanwhile)
  const startup = online > 0 && !counter ? Math.max(0, lastOnline - unitsReady) : 0;
  if (stopReason !== undefined) return partialResult(input, activationRegions, perLayer, started, stopReason, startup);
  const complete = results as WorkerResult[];
  let linearRegions: number | null = null;
  let globalMerges = 0;
  if (linear) {
    ({ linearRegions, merges: globalMerges } = linearAcross(pairing, complete, input.packed));
  }
  return {
    activationRegions,
    linearRegions,
    perLayer,
    partial: false,
    stopReason: 'complete',
    elapsedMs: performance.now() - started - startup,
    dimension: input.packed.dimension,
    domain: input.domain,
    warnings: [],
    stats: {
      threads,
      workUnits: units.length,
      donatedUnits,
      crossUnitMerges: globalMerges,
      workerStartupMs: startup,
      filterHits: complete.reduce((a, r) => a + r.stats.filterHits, 0),
      exactCalls: complete.reduce((a, r) => a + r.stats.exactCalls, 0),
      exactMapChecks: complete.reduce((a, r) => a + r.stats.exactMapChecks, 0) + (main ? main.statExactMapChecks() : 0),
      memoryBytes: Math.max(...complete.map((r) => r.stats.memoryBytes)),
    },
  };
}

function partialResult(
  input: ParallelInput,
  regions: number,
  perLayer: number[],
  started: number,
  stopReason: StopReason,
  startup: number,
): CountResult & { stats: Record<string, number> } {
  return {
    activationRegions: regions,
    linearRegions: null,
    perLayer,
    partial: true,
    stopReason,
    elapsedMs: performance.now() - started - startup,
    dimension: input.packed.dimension,
    domain: input.domain,
    warnings: [],
    stats: {},
  };
}

/**
 * Linear regions of a count split into parts (workers, shards): every part's own, less the unions
 * made by pairing the faces that waited for a partner in another part.
 */
export function linearAcross(core: MainCore, results: WorkerResult[], packed: Packed): { linearRegions: number; merges: number } {
  const mapColumns = packed.words[2]! + 1; // domain coordinates, then the constant
  const merges = pairFaces(core, results, packed.outUnits * mapColumns, packed.units.reduce((a, b) => a + b, 0));
  return { linearRegions: results.reduce((a, r) => a + r.regions - r.merges, 0) - merges, merges };
}

/** Pairs the faces the workers could not pair; returns the number of effective unions. */
export function pairFaces(core: MainCore, results: WorkerResult[], mapEntries: number, units: number): number {
  const recordBytes = results[0]?.recordBytes ?? 0;
  if (!recordBytes) return 0;
  // record: [u64 hash][i32 root][i32 verified][map: mapEntries f64][key: u16 per unit][pattern: u8 per unit]
  // (n-D faces that cross units are always verified facets: see traverse-nd.ts)
  const mapBytes = mapEntries * 8;
  const keyStart = 16 + mapBytes;
  const keyBytes = 2 * units;
  const patternBytes = units;
  const scratch = core.scratch(2 * (mapBytes + patternBytes) + 16);
  // union-find over (part, root) as numbers: part * 2^32 + root
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    for (let p = parent.get(r); p !== undefined && p !== r; p = parent.get(r)) r = p;
    while (x !== r) {
      const p = parent.get(x)!;
      parent.set(x, r);
      x = p;
    }
    return r;
  };
  // faces waiting for a partner, by 52 bits of their hash; a hit is confirmed on the whole key
  const waiting = new Map<number, { part: number; offset: number }[]>();
  // keys compared four bytes at a time where the records allow it (a byte loop took most of the pairing)
  const words = results.map((r) =>
    r.faces.byteOffset % 4 === 0 && recordBytes % 4 === 0 && keyStart % 4 === 0
      ? new Uint32Array(r.faces.buffer, r.faces.byteOffset, r.faces.byteLength >> 2)
      : undefined,
  );
  const sameKey = (partA: number, offsetA: number, partB: number, offsetB: number): boolean => {
    const a = results[partA]!.faces;
    const b = results[partB]!.faces;
    let from = keyStart;
    const wa = words[partA];
    const wb = words[partB];
    if (wa && wb) {
      const ia = offsetA >> 2;
      const ib = offsetB >> 2;
      if (wa[ia] !== wb[ib] || wa[ia + 1] !== wb[ib + 1]) return false;
      const k = keyStart >> 2;
      const n = keyBytes >> 2;
      for (let i = 0; i < n; i++) if (wa[ia + k + i] !== wb[ib + k + i]) return false;
      from = keyStart + 4 * n;
    } else {
      for (let i = 0; i < 8; i++) if (a[offsetA + i] !== b[offsetB + i]) return false;
    }
    for (let i = from; i < keyStart + keyBytes; i++) if (a[offsetA + i] !== b[offsetB + i]) return false;
    return true;
  };
  let merges = 0;
  for (const [w, r] of results.entries()) {
    const view = new DataView(r.faces.buffer, r.faces.byteOffset, r.faces.byteLength);
    for (let i = 0; i < r.faceCount; i++) {
      const offset = i * recordBytes;
      const hash = view.getUint32(offset, true) + (view.getUint32(offset + 4, true) & 0xfffff) * 2 ** 32;
      const bucket = waiting.get(hash);
      let found = -1;
      if (bucket) {
        for (let j = 0; j < bucket.length && found < 0; j++) {
          if (sameKey(bucket[j]!.part, bucket[j]!.offset, w, offset)) found = j;
        }
      }
      if (found < 0) {
        if (bucket) bucket.push({ part: w, offset });
        else waiting.set(hash, [{ part: w, offset }]);
        continue;
      }
      const other = bucket![found]!;
      bucket![found] = bucket![bucket!.length - 1]!;
      bucket!.pop();
      if (bucket!.length === 0) waiting.delete(hash);
      const a = results[other.part]!.faces;
      const b = r.faces;
      const mem = new Uint8Array(core.memory.buffer);
      const mapA = scratch;
      const patA = mapA + mapBytes;
      const mapB = patA + patternBytes;
      const patB = mapB + mapBytes;
      mem.set(a.subarray(other.offset + 16, other.offset + 16 + mapBytes), mapA);
      mem.set(a.subarray(other.offset + keyStart + keyBytes, other.offset + keyStart + keyBytes + patternBytes), patA);
      mem.set(b.subarray(offset + 16, offset + 16 + mapBytes), mapB);
      mem.set(b.subarray(offset + keyStart + keyBytes, offset + keyStart + keyBytes + patternBytes), patB);
      const same = core.compareFaces(mapA, patA, mapB, patB);
      if (same < 0) throw new LinearRegionsError('E_TOO_LARGE', 'the exact comparison of output maps needs more than the memory limit');
      if (same !== 1) continue;
      const ra = find(other.part * 2 ** 32 + new DataView(a.buffer, a.byteOffset).getUint32(other.offset + 8, true));
      const rb = find(w * 2 ** 32 + view.getUint32(offset + 8, true));
      if (ra !== rb) {
        parent.set(ra, rb);
        merges++;
      }
    }
  }
  return merges;
}

/**
 * Counts pieces of a whole-space count (src/count/pieces.ts) on `workers` worker threads while the
 * calling thread counts others: each worker takes the next piece from `source` until none is left.
 * `stop()` asks the workers to stop their pieces (they hand back what they counted). Resolves when
 * every worker is done; rejects on a worker's error (E_TOO_LARGE for memory at set-up).
 */
export function countPiecesOnWorkers(
  module: WebAssembly.Module,
  source: PieceSource,
  options: CountOptions,
  workers: number,
): { done: Promise<void>; stop(): void } {
  const pool = acquireWorkers(workers);
  const busy = new Set<Worker>();
  let stopped = false;
  const linear = options.linearRegions !== false;
  const done = Promise.all(
    pool.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          const next = () => {
            const job = stopped ? undefined : source.take();
            if (!job) {
              busy.delete(w);
              releaseWorker(w);
              resolve();
              return;
            }
            busy.add(w);
            w.removeAllListeners('message');
            w.on('message', (msg: { type: string; status?: unknown }) => {
              if (msg.type === 'online') return;
              if (msg.type === 'error') {
                busy.delete(w);
                discardWorker(w);
                reject(
                  msg.status === 3 || msg.status === 1
                    ? new LinearRegionsError('E_TOO_LARGE', 'a counting worker needs more than the 1.5 GiB memory limit')
                    : new Error(`worker failed with status ${msg.status}`),
                );
                return;
              }
              if (msg.type !== 'piece-result') return;
              source.done(job.index, msg as unknown as PieceReply);
              next();
            });
            w.postMessage({ type: 'piece', module, words: job.words, linear, sides: job.sides, maxMemoryMiB: options.maxMemoryMiB ?? 0 });
          };
          w.removeAllListeners('error');
          w.on('error', (error) => {
            busy.delete(w);
            discardWorker(w);
            reject(error);
          });
          next();
        }),
    ),
  ).then(() => undefined);
  return {
    done,
    stop() {
      stopped = true;
      for (const w of busy) w.postMessage({ type: 'stop' });
    },
  };
}
