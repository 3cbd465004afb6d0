/**
 * The public API over the WebAssembly core, independent of how the .wasm is loaded (Node reads it
 * from disk, browsers fetch it; see index.node.ts and index.browser.ts).
 *
 * Each call instantiates its own copy of the compiled module (cheap: the compiled code is shared),
 * so concurrent counts never share memory and a failed call leaves nothing behind.
 */
import { LinearRegionsError } from '../errors.js';
import type { CountOptions, CountResult, Progress, Region, StopReason } from './api-types.js';
import type { Domain, Network } from '../network/types.js';
import { checkSupportedDimension, looksLikeSlice, resolveDomain, validateNetwork } from '../network/validate.js';
import { isPolytope } from '../network/types.js';
import { CORE_MEMORY_LIMIT, DECISION, ENGINE_HOMOGENEOUS, ENGINE_POLYGON, coreMemoryFloor, pack, type DecisionOption, type Packed } from './pack.js';
import { Pacer, yieldToEventLoop } from './pacer.js';
import { type CoreInstance, giveBackInstance, takeInstance } from './core-memory.js';
import type { LocalCore } from './handover.js';
import { byPieces, pieceCount, PieceTally, pieces, type Piece, type PieceCount, type PieceReply, type PieceSource, type SideCore } from './pieces.js';

/** The core's exports (assembly/index.ts). */
interface Core extends SideCore {
  memory: WebAssembly.Memory;
  memoryLimitMiB(mib: number): void;
  prepare(bytes: number): number;
  setup(maxRegions: number, linear: number, emit: number): number;
  run(budget: number): number;
  activationRegions(): number;
  mergedFaces(): number;
  layerCount(l: number): number;
  emitted(): number;
  emitBuffer(): number;
  emitClear(): void;
  linearRegionLabels(): number;
  statFilterHits(): number;
  statExactCalls(): number;
  statExactMapChecks(): number;
  statPeakFrames(): number;
  statPeakPendingFaces(): number;
  statPendingFaces(): number;
  statFacesFiled(): number;
  pendingShare(): number;
  sampleShare(): number;
  memoryBytes(): number;
  statMesh(): number;
  statMeshVertices(): number;
  meshConfigure(on: number, minDim: number, tau: number, maxDim: number): void;
}

/** The shared-vertex mesh's smallest domain dimension (measured: vertex cells are faster below). */
export const MESH_MIN_DIM = 5;
/** Counts with more threads than this leave 5-D and 6-D boxes to the cell engine's workers. */
export const MESH_MAX_THREADS = 2;

const RUN_DONE = 0;
const RUN_MORE = 1;
const RUN_MAX_REGIONS = 2;
const RUN_OUT_OF_MEMORY = 3;

/** Counters from the core, for benchmarks and for checking that the filters do their job. */
export interface CoreStats {
  /** Vertex signs decided by the float filter. */
  filterHits: number;
  /** Vertex signs the filter could not certify, decided in exact integer arithmetic. */
  exactCalls: number;
  /** Output-map comparisons (linear regions) decided exactly. */
  exactMapChecks: number;
  /** Most frames (pending cells) on the depth-first stack at once. */
  peakFrames: number;
  /** Most faces waiting for their second side at once (linear regions). */
  peakPendingFaces: number;
  /** Faces still unpaired at the end (0 after a complete run with linear regions). */
  pendingFaces: number;
  /** WebAssembly memory at the end of the run, in bytes. */
  memoryBytes: number;
  /**
   * Vertices of the shared-vertex mesh when it counted (boxes and slices in 5 and 6 dimensions,
   * with at most 2 threads: see README, Performance), else 0.
   */
  meshVertices: number;
  /**
   * Pieces the count was made of: 2 n + 1 for the whole space and polytopes of 2 to 5 inputs
   * counted by pieces (a box and 2 n outer boxes; src/count/pieces.ts; a polytope's empty pieces
   * included), else 1.
   */
  pieces: number;
  /** Of those, the pieces counted on worker threads. */
  piecesOnWorkers: number;
}

export interface ModuleLoader {
  load(): Promise<WebAssembly.Module>;
  loadSync?: () => WebAssembly.Module;
  /** Multi-core counting (Node: src/count/parallel.ts); undefined where threads are not available. */
  parallel?: (
    module: WebAssembly.Module,
    input: Input,
    options: CountOptions,
    threads: number,
    spentMs: number,
    local?: LocalCore,
  ) => Promise<(CountResult & { stats: Record<string, number> }) | undefined>;
  /**
   * Counts pieces of a whole-space count on `workers` worker threads, taking them from `source`
   * (Node: src/count/parallel.ts countPiecesOnWorkers); undefined where there are none.
   */
  pieces?: (module: WebAssembly.Module, source: PieceSource, options: CountOptions, workers: number) => { done: Promise<void>; stop(): void };
  /** Starts `n` workers in the background (a count that may soon need them); undefined where there are none. */
  warmWorkers?: (n: number) => void;
}

/**
 * A count of the whole space by pieces brings in workers (threads > 1) once its first piece, the
 * box and the largest, has run this long: the workers then take the outer pieces.
 */
export const PIECES_WORKERS_MS = 20;

/**
 * How long a count runs on the calling thread before worker threads are brought in: a count that
 * ends sooner never pays for them (pool start, the split, pairing faces across workers).
 */
export const PROBE_MS = 60;

/**
 * How long a count runs on the calling thread before it may bring in workers (without
 * workersAfterMs). Twice as long in the homogeneous chart (the whole space, polytopes): a 4-D
 * polytope count of 75 ms went parallel at 60 ms there and took 0.89x the speed of one thread,
 * when the chart had no estimate of its share left (pendingShare is 1 throughout). It has one
 * now from sample points (sampleShare), and halving the probe again changed nothing measurable
 * (6-10-10-1 on R^6 1.80x against 1.82x on two threads, 5-10-10-1 on R^5 1.51x against 1.46x).
 */
export function probeFor(engine: number): number {
  return engine === ENGINE_HOMOGENEOUS ? 2 * PROBE_MS : PROBE_MS;
}

/**
 * Whether a count still running after its probe should bring in workers: the work left is
 * estimated from the share of the domain still on the core's stack (pendingShare), as the time
 * so far per share done, and workers pay off only when it is at least another probe's worth. (A
 * 2-D count of 70 ms, 16,289 regions, went parallel at 60 ms with a tenth of its area left and took
 * 15% longer than on one thread.) The estimate assumes regions spread evenly; it only schedules.
 */
export function worthWorkers(busyMs: number, share: number): boolean {
  if (!(share < 1)) return true;
  if (!(share > 0)) return false;
  return (busyMs * share) / (1 - share) >= PROBE_MS;
}

/**
 * The early start: from EARLY_MS of the core's time on, a count whose remaining work is estimated
 * at EARLY_WORTH_MS or more brings in workers before the probe ends. The estimate is the time so
 * far per share of the domain done, the share from shareLeft (in n-D fixed sample points, the
 * cells still on the stack holding a share of them; in 2-D the cells' areas, used since a session
 * measured 2-128-128-1 1.05x -> 1.30x and 2-128-128-128-1 1.47x -> 1.64x on two threads). In n-D
 * it overshot by up to 2.3x early in the counts measured (4-16-16-1: 74-89 ms estimated at 11-16
 * ms, 34-38 ms left), so the bar is high: a count that goes early on a 2x overshoot still has about
 * 45 ms left, where two threads already pay. Without it a count of a few hundred ms spent its first
 * 60 ms on one thread: 3-32-32-32-1 with linear regions took 183 ms on two threads against 131 ms
 * with workers from 10 ms. (In 2-D the area share underestimates early: 2-64-64-64-1 read 0.57 at
 * 10 ms with 42 ms left, so it stays on one thread.)
 */
export const EARLY_MS = 10;
export const EARLY_WORTH_MS = 90;

/**
 * The share of the domain a count has left, a scheduling hint (it decides nothing about the count):
 * in n-D from the sample points (sampleShare: the cells' boxes overlap, so pendingShare stays near
 * 1 there, and at 1 throughout in the homogeneous chart), in 2-D from the cells' areas
 * (pendingShare: polygons do not overlap); -1 when unknown (the shared-vertex mesh, which does not
 * split).
 */
function shareLeft(run: Run): number {
  const sampled = run.core.sampleShare();
  if (sampled >= 0) return sampled;
  return run.input.packed.engine === ENGINE_POLYGON ? run.core.pendingShare() : -1;
}

/** Whether a count `busyMs` into its probe, with `share` of the domain left (shareLeft), should go parallel now. */
export function worthEarly(busyMs: number, share: number): boolean {
  if (!(busyMs >= EARLY_MS) || !(share > 0)) return false;
  if (!(share < 1)) return true;
  return (busyMs * share) / (1 - share) >= EARLY_WORTH_MS;
}

/** The stop reason of an aborted signal: 'timeout' for a TimeoutError (AbortSignal.timeout), else 'aborted'. */
export function abortReason(signal: AbortSignal): StopReason {
  const reason = signal.reason as { name?: unknown } | undefined;
  return reason !== null && typeof reason === 'object' && reason.name === 'TimeoutError' ? 'timeout' : 'aborted';
}

export interface Input {
  network: Network;
  domain: Domain;
  packed: Packed;
  /** Validation warnings (unknown keys), copied into the result. */
  warnings: string[];
}

/** Validates once, at the boundary: nothing invalid reaches the core. */
function prepareInput(network: unknown, domain: unknown, options: CountOptions): Input {
  const warnings: string[] = [];
  const strict = options.strict === true;
  const fullDimension = domain === undefined || domain === null ? 'own' : !looksLikeSlice(domain);
  // the weights are packed (copied) below, before anything else runs: no copy of them here
  const net = validateNetwork(network, { strict, warnings, fullDimension, borrowWeights: true });
  const dom = resolveDomain(net, domain, { strict, warnings });
  checkSupportedDimension(dom, net.inputDim);
  for (const [i, layer] of net.layers.entries()) {
    if (layer.activation === 'maxout' && (layer.pieces as number) > 254) {
      throw new LinearRegionsError('E_ACTIVATION', `layer ${i + 1}: maxout "pieces" must be at most 254, got ${layer.pieces}`);
    }
  }
  const packed = pack(net, dom, (options as DecisionOption)[DECISION] === true);
  const floor = coreMemoryFloor(net, packed);
  if (floor > CORE_MEMORY_LIMIT) {
    const mib = (x: number) => `${Math.ceil(x / 1024 / 1024)} MiB`;
    throw new LinearRegionsError(
      'E_TOO_LARGE',
      `this network needs at least ${mib(floor)} of core memory before its first regions (stack frames that hold cells of up to ` +
        `${packed.units.reduce((a, b) => a + b, 0)} units), over the ${mib(CORE_MEMORY_LIMIT)} limit; count fewer units or a smaller slice`,
    );
  }
  return { network: net, domain: dom, packed, warnings };
}

function checkOptions(options: CountOptions | null | undefined): asserts options is CountOptions {
  if (options === null || typeof options !== 'object') {
    throw new LinearRegionsError('E_ARGS', `options must be an object (or omitted), got ${options === null ? 'null' : typeof options}`);
  }
  if (options.signal !== undefined && !(typeof options.signal === 'object' && options.signal !== null && 'aborted' in options.signal)) {
    throw new LinearRegionsError('E_ARGS', 'options.signal must be an AbortSignal');
  }
  if (options.strict !== undefined && typeof options.strict !== 'boolean') {
    throw new LinearRegionsError('E_ARGS', `options.strict must be a boolean, got ${typeof options.strict}`);
  }
  const m = options.maxRegions;
  if (m !== undefined && !(Number.isSafeInteger(m) && m > 0)) {
    throw new LinearRegionsError('E_ARGS', `options.maxRegions must be a positive integer, got ${String(m)}`);
  }
  const t = options.threads;
  if (t !== undefined && !(Number.isSafeInteger(t) && t >= 1 && t <= 256)) {
    throw new LinearRegionsError('E_ARGS', `options.threads must be an integer from 1 to 256, got ${String(t)}`);
  }
  const mem = options.maxMemoryMiB;
  if (mem !== undefined && !(Number.isSafeInteger(mem) && mem >= 16 && mem <= 1536)) {
    throw new LinearRegionsError('E_ARGS', `options.maxMemoryMiB must be an integer from 16 to 1536, got ${String(mem)}`);
  }
  const w = options.workersAfterMs;
  if (w !== undefined && !(typeof w === 'number' && w >= 0 && w <= 2147483647)) {
    throw new LinearRegionsError('E_ARGS', `options.workersAfterMs must be a number of milliseconds from 0 to 2147483647, got ${String(w)}`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new LinearRegionsError('E_ARGS', 'options.onProgress must be a function');
  }
}

/** The error for a status of the core's setup() other than 0 (undefined for 0). */
function setupRefusal(status: number): Error | undefined {
  if (status === 0) return undefined;
  if (status === 1) return tooLarge();
  if (status === 3) {
    return new LinearRegionsError(
      'E_ACTIVATION',
      'linear regions are supported for maxout layers of at most 15 pieces; count with { linearRegions: false } (CLI: --no-linear) for more',
    );
  }
  if (status === 4) {
    return new LinearRegionsError('E_DOMAIN', 'the polytope {x : A x <= b} has an empty interior (decided exactly): there is nothing to count');
  }
  if (status === 2) {
    return new LinearRegionsError(
      'E_TOO_LARGE',
      'the weights span too many binary orders of magnitude for exact integer arithmetic (over 2^20 bits)',
    );
  }
  return new Error(`linear-regions core setup returned unknown status ${status}`);
}

/** One count on its own instance of the core. */
class Run {
  readonly core: Core;
  /** The core's instance and memory (core-memory.ts), given back by release() for the next count. */
  private readonly instance: CoreInstance;
  private readonly module: WebAssembly.Module;
  readonly input: Input;
  readonly linear: boolean;
  private started = 0;
  /** Time spent in the core (the count's own work, whatever else shares the event loop). */
  busyMs = 0;

  /** `mesh`: the shared-vertex mesh may count (not a piece of the whole space: it records no sides). */
  constructor(module: WebAssembly.Module, input: Input, options: CountOptions, emit: boolean, mesh = true) {
    this.module = module;
    this.instance = takeInstance(module);
    this.core = this.instance.exports as unknown as Core;
    this.input = input;
    this.linear = options.linearRegions !== false;
    this.started = performance.now();
    this.core.memoryLimitMiB(options.maxMemoryMiB ?? 0);
    const words = input.packed.words;
    const ptr = this.core.prepare(words.byteLength);
    if (ptr !== 0) {
      new Float64Array(this.core.memory.buffer, ptr, words.length).set(words);
      // The shared-vertex mesh (5-D and 6-D boxes) counts on one thread, 1.3-3.5x faster than the
      // cell engine there; with more than 2 threads the cell engine's workers do better (README,
      // Multi-core), so it is left to them.
      this.core.meshConfigure(mesh && (options.threads ?? 1) <= MESH_MAX_THREADS ? 1 : 0, MESH_MIN_DIM, 0, 0);
    }
    const refused = ptr === 0 ? tooLarge() : setupRefusal(this.core.setup(options.maxRegions ?? 0, this.linear ? 1 : 0, emit ? 1 : 0));
    if (refused) {
      // (a refusal, not a trap: the instance is whole, and the next count takes it; an empty
      // piece of a polytope is refused so)
      this.release();
      throw refused;
    }
  }

  /**
   * The count is over and its result read (nothing reads the core again): its instance goes to
   * the next count. Only where that is certain: a count on this thread to its end, synchronous or
   * with no other use of the core after its last step, or a piece whose records the tally has read
   * (not a count handed to workers, whose core is read later and is left to the collector).
   */
  release(): void {
    giveBackInstance(this.module, this.instance, this.core.memoryBytes());
  }

  /** Runs up to `budget` steps; returns why the count stopped, or undefined while there is more to do. */
  step(budget: number): StopReason | undefined {
    const t0 = performance.now();
    const status = this.core.run(budget);
    this.busyMs += performance.now() - t0;
    if (status === RUN_MORE) return undefined;
    if (status === RUN_DONE) return 'complete';
    if (status === RUN_MAX_REGIONS) return 'maxRegions';
    // the counts so far stay readable: a memory stop is a partial result like a timeout
    if (status === RUN_OUT_OF_MEMORY) return 'memory';
    throw new Error(`linear-regions core returned unknown status ${status}`);
  }

  get regionsSoFar(): number {
    return this.core.activationRegions();
  }

  elapsed(): number {
    return performance.now() - this.started;
  }

  result(stopReason: StopReason): CountResult & { stats: CoreStats } {
    const c = this.core;
    const L = this.input.network.layers.length;
    const perLayer: number[] = [];
    for (let l = 1; l <= L; l++) perLayer.push(c.layerCount(l));
    const activationRegions = c.activationRegions();
    const complete = stopReason === 'complete';
    return {
      activationRegions,
      linearRegions: this.linear && complete ? activationRegions - c.mergedFaces() : null,
      perLayer,
      partial: stopReason !== 'complete',
      stopReason,
      elapsedMs: this.elapsed(),
      dimension: this.input.packed.dimension,
      domain: this.input.domain,
      warnings: [...this.input.warnings],
      stats: {
        filterHits: c.statFilterHits(),
        exactCalls: c.statExactCalls(),
        exactMapChecks: c.statExactMapChecks(),
        peakFrames: c.statPeakFrames(),
        peakPendingFaces: c.statPeakPendingFaces(),
        pendingFaces: c.statPendingFaces(),
        memoryBytes: c.memoryBytes(),
        meshVertices: c.statMesh() === 1 ? c.statMeshVertices() : 0,
        pieces: 1,
        piecesOnWorkers: 0,
      },
    };
  }

  /** Per region index, the smallest index of its linear region (complete runs with linear regions). */
  linearLabels(): Int32Array | undefined {
    const n = this.core.activationRegions();
    if (!this.linear || n === 0) return undefined;
    const ptr = this.core.linearRegionLabels();
    if (ptr === 0) throw tooLarge();
    return new Int32Array(this.core.memory.buffer.slice(ptr, ptr + 4 * n));
  }

  /** Decodes and clears the regions the core has written since the last call. */
  drain(): Region[] {
    if (this.input.packed.engine !== ENGINE_POLYGON) return this.drainNd();
    const records = this.records();
    if (!records) return [];
    const { view, used, total, linearLayer } = records;
    const { dimension, outUnits, units } = this.input.packed;
    const out: Region[] = [];
    let p = 0;
    while (p < used) {
      const index = view.getInt32(p, true);
      const n = view.getInt32(p + 4, true);
      p += 8;
      const xs: number[] = [];
      const ys: number[] = [];
      for (let i = 0; i < n; i++) {
        xs.push(view.getFloat64(p, true));
        ys.push(view.getFloat64(p + 8, true));
        p += 16;
      }
      const weights: number[][] = [];
      const bias: number[] = [];
      for (let u = 0; u < outUnits; u++) {
        const w0 = view.getFloat64(p, true);
        const w1 = view.getFloat64(p + 8, true);
        bias.push(view.getFloat64(p + 16, true));
        weights.push(dimension === 2 ? [w0, w1] : [w0]);
        p += 24;
      }
      const pattern = readPattern(view, p, units, linearLayer);
      p = (p + total + 7) & ~7;
      const region: Region = { index, pattern, interiorPoint: [], map: { weights, bias } };
      if (dimension === 2) {
        region.polygon = xs.map((x, i) => [x, ys[i]!] as [number, number]);
        region.interiorPoint = [mean(xs), mean(ys)];
      } else {
        const lo = Math.min(...xs);
        const hi = Math.max(...xs);
        region.interval = [lo, hi];
        region.interiorPoint = [0.5 * (lo + hi)];
      }
      out.push(region);
    }
    this.core.emitClear();
    return out;
  }

  /** The region records the core has written (undefined when there are none), and their shape. */
  private records(): { view: DataView; used: number; total: number; linearLayer: boolean[] } | undefined {
    const c = this.core;
    const used = c.emitted();
    if (used === 0) return undefined;
    return {
      view: new DataView(c.memory.buffer, c.emitBuffer(), used),
      used,
      total: this.input.packed.units.reduce((a, b) => a + b, 0),
      linearLayer: this.input.network.layers.map((layer) => layer.activation === 'linear'),
    };
  }

  /** n-D records: [i32 index][i32 has point][D f64 point][map outUnits x (d+1)][pattern]. */
  private drainNd(): Region[] {
    const records = this.records();
    if (!records) return [];
    const { view, used, total, linearLayer } = records;
    const { dimension: d, engine, outUnits, units } = this.input.packed;
    const D = engine === ENGINE_HOMOGENEOUS ? d + 1 : d;
    const out: Region[] = [];
    let p = 0;
    while (p < used) {
      const index = view.getInt32(p, true);
      const hasPoint = view.getInt32(p + 4, true) !== 0;
      p += 8;
      const v: number[] = [];
      for (let k = 0; k < D; k++) v.push(view.getFloat64(p + 8 * k, true));
      p += 8 * D;
      const interiorPoint = !hasPoint ? [] : engine === ENGINE_HOMOGENEOUS ? v.slice(0, d).map((y) => y / v[d]!) : v;
      const weights: number[][] = [];
      const bias: number[] = [];
      for (let u = 0; u < outUnits; u++) {
        const row: number[] = [];
        for (let k = 0; k < d; k++) row.push(view.getFloat64(p + 8 * k, true));
        weights.push(row);
        bias.push(view.getFloat64(p + 8 * d, true));
        p += 8 * (d + 1);
      }
      const pattern = readPattern(view, p, units, linearLayer);
      p = (p + total + 7) & ~7;
      out.push({ index, pattern, interiorPoint, map: { weights, bias } });
    }
    this.core.emitClear();
    return out;
  }
}

/** A region record's pattern: one byte per unit, one array per layer (empty for linear layers). */
function readPattern(view: DataView, at: number, units: readonly number[], linearLayer: readonly boolean[]): number[][] {
  const pattern: number[][] = [];
  let q = at;
  for (const [l, k] of units.entries()) {
    const states: number[] = [];
    for (let u = 0; u < k; u++) states.push(view.getUint8(q + u));
    pattern.push(linearLayer[l] ? [] : states);
    q += k;
  }
  return pattern;
}

/** The result, with the linear-region label of every region when regions were emitted. */
function withLabels(run: Run, stop: StopReason, emit: boolean): CountResult & { stats: CoreStats } {
  const result = run.result(stop);
  if (emit && stop === 'complete') {
    const labels = run.linearLabels();
    if (labels) result.linearRegionOf = labels;
  }
  return result;
}

/**
 * A plain count of the whole space or a polytope of 2 to 5 inputs, made of pieces (pieces.ts), driven by the
 * caller: it takes the pieces one at a time (take), counts each on this thread (run, then done) or
 * on a worker (doneRemote), and reads the count (result): undefined when its linear regions cannot
 * be certified by pieces (a unit's hyperplane on a shared side, sidesExact 0; the caller then counts
 * in the homogeneous chart).
 */
class PiecesCount {
  readonly parts: Piece[];
  readonly linear: boolean;
  /** Why the count stopped ('complete' while it goes on). */
  stop: StopReason = 'complete';
  /** Linear regions cannot be certified by pieces: the count is given up. */
  gaveUp = false;
  /** The regions of the pieces done, less their copies (for progress reports). */
  base = 0;
  private next = 0;
  private readonly tally: PieceTally;
  private readonly started = performance.now();
  private readonly stats: CoreStats = {
    filterHits: 0, exactCalls: 0, exactMapChecks: 0, peakFrames: 0, peakPendingFaces: 0, pendingFaces: 0,
    memoryBytes: 0, meshVertices: 0, pieces: 0, piecesOnWorkers: 0,
  };

  // (stats.pieces: every piece, a polytope's empty ones too)
  constructor(
    readonly module: WebAssembly.Module,
    readonly input: Input,
    readonly options: CountOptions,
  ) {
    this.parts = pieces(input.network, isPolytope(input.domain) ? input.domain : undefined);
    this.stats.pieces = this.parts.length;
    this.linear = options.linearRegions !== false;
    this.tally = new PieceTally(input.network);
  }

  /** The next piece nobody has started, or undefined (none left, or the count stopped or gave up). */
  take(): number | undefined {
    if (this.stop !== 'complete' || this.gaveUp || this.next >= this.parts.length) return undefined;
    return this.next++;
  }

  /** Piece i's packed words (for a worker). */
  words(i: number): Float64Array {
    const piece = this.parts[i]!;
    return pack(piece.network, piece.domain, false, piece.cut).words;
  }

  /**
   * A run of piece i on this thread, recording its shared sides; undefined when the piece holds
   * no interior point of the polytope (decided exactly by the core's set-up).
   */
  run(i: number): Run | undefined {
    const piece = this.parts[i]!;
    const input: Input = { network: piece.network, domain: piece.domain, packed: pack(piece.network, piece.domain, false, piece.cut), warnings: [] };
    let run: Run;
    try {
      run = new Run(this.module, input, { ...this.options, threads: 1 }, false, false);
    } catch (error) {
      if (piece.cut.length > 0 && error instanceof LinearRegionsError && error.code === 'E_DOMAIN') {
        this.empty();
        return undefined;
      }
      throw error;
    }
    if (run.core.recordSides(piece.sides) !== 0) throw tooLarge();
    return run;
  }

  /** A piece that holds no interior point of the polytope: nothing to count there. */
  empty(): void {
    this.emptyPieces++;
  }

  private emptyPieces = 0;

  /** Piece i's run ended: why (undefined: given up, its linear regions not certified by pieces). */
  done(i: number, run: Run, why: StopReason | undefined): void {
    if (why === undefined) {
      this.gaveUp = true;
      return;
    }
    const r = run.result(why);
    // (a stopped count: the regions of a leaf count in progress are not counted, nor recorded)
    this.add(i, pieceCount(run.core, r, why !== 'complete'), why, r.stats);
    // (its records were read into the tally: nothing reads this core again)
    run.release();
  }

  /** Piece i counted by a worker. */
  doneRemote(i: number, reply: PieceReply): void {
    if (reply.status === 'empty') return this.empty();
    // (a worker stops when asked to, for this count's reason, or on its own when its linear regions
    // cannot be certified, which gives the count up)
    const signal = this.options.signal;
    const asked: StopReason = this.stop !== 'complete' ? this.stop : signal?.aborted ? abortReason(signal) : 'aborted';
    const why: StopReason = reply.status === 'complete' ? 'complete' : reply.status === 'memory' ? 'memory' : asked;
    const count: PieceCount = {
      activation: reply.activation,
      linear: reply.activation - reply.merges,
      perLayer: reply.perLayer,
      exact: reply.exact,
      records: reply.records,
      recordCount: reply.recordCount,
      recordBytes: reply.recordBytes,
      stopped: reply.status !== 'complete',
    };
    const stats = { filterHits: 0, exactCalls: 0, exactMapChecks: 0, peakFrames: 0, peakPendingFaces: 0, pendingFaces: 0, memoryBytes: reply.memoryBytes, meshVertices: 0, pieces: 1, piecesOnWorkers: 1 };
    this.add(i, count, why, stats);
  }

  private add(i: number, count: PieceCount, why: StopReason, stats: CoreStats): void {
    this.tally.add(this.parts[i]!, count);
    const s = this.stats;
    s.filterHits += stats.filterHits;
    s.exactCalls += stats.exactCalls;
    s.exactMapChecks += stats.exactMapChecks;
    s.peakFrames = Math.max(s.peakFrames, stats.peakFrames);
    s.peakPendingFaces = Math.max(s.peakPendingFaces, stats.peakPendingFaces);
    s.pendingFaces += stats.pendingFaces;
    s.memoryBytes = Math.max(s.memoryBytes, stats.memoryBytes);
    s.piecesOnWorkers += stats.piecesOnWorkers;
    if (why !== 'complete' && this.stop === 'complete') this.stop = why;
    if (this.linear && !count.exact) this.gaveUp = true;
    this.base = this.tally.result().activationRegions;
  }

  result(): (CountResult & { stats: CoreStats }) | undefined {
    if (this.gaveUp) return undefined;
    if (this.emptyPieces === this.parts.length) {
      throw new LinearRegionsError('E_DOMAIN', 'the polytope {x : A x <= b} has an empty interior (decided exactly): there is nothing to count');
    }
    const counts = this.tally.result();
    const complete = this.stop === 'complete';
    const input = this.input;
    return {
      activationRegions: counts.activationRegions,
      linearRegions: this.linear && complete ? counts.linearRegions : null,
      perLayer: counts.perLayer,
      partial: !complete,
      stopReason: this.stop,
      elapsedMs: performance.now() - this.started,
      dimension: input.packed.dimension,
      domain: input.domain,
      warnings: [...input.warnings],
      stats: this.stats,
    };
  }
}

/** A piece's count of linear regions can no longer be certified (PiecesCount). */
function inexact(run: Run): boolean {
  return run.linear && run.core.sidesExact() === 0;
}

/** Whether a count is a plain one (every region, no decision regions): pieces may count it. */
function plainCount(options: CountOptions): boolean {
  return options.maxRegions === undefined && (options as DecisionOption)[DECISION] !== true;
}

function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function tooLarge(): LinearRegionsError {
  return new LinearRegionsError(
    'E_TOO_LARGE',
    'the count needs more than the 1.5 GiB memory limit of the WebAssembly core (network too large, or too many faces pending)',
  );
}

export interface Api {
  countRegions(network: unknown, domain?: unknown, options?: CountOptions): Promise<CountResult>;
  regions(network: unknown, domain?: unknown, options?: CountOptions): AsyncGenerator<Region, CountResult>;
  ready(): Promise<void>;
  countRegionsSync?: (network: unknown, domain?: unknown, options?: Omit<CountOptions, 'signal' | 'onProgress'>) => CountResult;
  regionsSync?: (network: unknown, domain?: unknown, options?: Omit<CountOptions, 'signal' | 'onProgress'>) => Generator<Region, CountResult>;
}

/** The compiled core, loaded once per API on first use (async, or sync where the loader can). */
export function moduleCache(loader: ModuleLoader): { get(): Promise<WebAssembly.Module>; getSync(): WebAssembly.Module } {
  let modulePromise: Promise<WebAssembly.Module> | undefined;
  let moduleSync: WebAssembly.Module | undefined;
  return {
    get() {
      if (moduleSync) return Promise.resolve(moduleSync);
      modulePromise ??= loader.load().then((m) => (moduleSync = m));
      return modulePromise;
    },
    getSync() {
      moduleSync ??= loader.loadSync!();
      return moduleSync;
    },
  };
}

/** Counts of this process that are using worker threads now (at most one: see countRegions). */
let parallelCounts = 0;

/**
 * Counts that ended in this process (countRegions). The first one runs partly on V8's baseline
 * code while the optimized code is compiled in the background: 3-16-16-16-1 took 56-66 ms as the
 * first count of a fresh process against 28-34 ms for the next ones. So the scheduling of that
 * count reads its time at COLD_PACE times its speed, it never starts early (its estimate would
 * read cold code's pace, and its workers would boot and run cold too), and it does not boot workers
 * halfway through its probe: a count of 60-120 ms of its time, which stays on one thread, paid
 * for their boot in its last tens of ms, and a CLI count of a second did not measurably gain from
 * it (4-32-32-1: medians of 4, 756 ms with it, 777 ms without). A CLI count is always the
 * first of its process: from the CLI (`node bench/cli.js`-style runs, the three builds alternated,
 * medians of 7), two threads against one gave 0.65x / 0.97x / 1.25x on 4-16-16-1 / 3-16-16-16-1 /
 * 3-32-32-32-1 before this, 0.70x / 0.90x / 1.32x with the early start allowed at half pace, and
 * 1.18x / 1.13x / 1.19x as it is.
 */
let countsEnded = 0;
export const COLD_PACE = 2;

export function createApi(loader: ModuleLoader): Api {
  const cache = moduleCache(loader);
  const getModule = cache.get;
  const getModuleSync = cache.getSync;

  /**
   * Runs a count on the calling thread in chunks of about 10 ms (see pacer.ts), giving the event loop
   * a turn between chunks. With `probeMs`, returns undefined once the count has run that long
   * without finishing (the caller then brings in worker threads).
   */
  async function* drive(
    run: Run,
    options: CountOptions,
    emit: boolean,
    probeMs = Infinity,
    onHalfProbe?: () => void,
    early?: () => boolean,
  ): AsyncGenerator<Region, (CountResult & { stats: CoreStats }) | undefined> {
    const pacer = new Pacer();
    let lastProgress = 0;
    let half = onHalfProbe;
    for (;;) {
      if (options.signal?.aborted) return run.result(abortReason(options.signal));
      const t0 = performance.now();
      const stop = run.step(pacer.budget);
      pacer.adapt(performance.now() - t0);
      if (emit) for (const region of run.drain()) yield region;
      if (stop) return withLabels(run, stop, emit);
      if (options.onProgress && performance.now() - lastProgress > 50) {
        lastProgress = performance.now();
        const progress: Progress = { activationRegions: run.regionsSoFar, elapsedMs: run.elapsed() };
        options.onProgress(progress);
      }
      // the probe counts the core's own time: many concurrent counts share the event loop, and a
      // small count among them must not bring in workers because its wall time grew
      if (run.busyMs >= probeMs) return undefined;
      if (early && run.busyMs >= EARLY_MS && early()) {
        half?.();
        return undefined;
      }
      if (half && run.busyMs >= probeMs / 2) {
        half();
        half = undefined;
      }
      await yieldToEventLoop();
    }
  }

  async function prepared(network: unknown, domain: unknown, options: CountOptions | undefined): Promise<Input> {
    checkOptions(options);
    const input = prepareInput(network, domain, options);
    // validation and packing, then the core's set-up: two synchronous stretches of tens of ms each
    // for a large network, with a turn of the event loop between them
    await yieldToEventLoop();
    return input;
  }

  async function start(network: unknown, domain: unknown, options: CountOptions | undefined, emit: boolean): Promise<Run> {
    const input = await prepared(network, domain, options);
    return new Run(await getModule(), input, options!, emit);
  }

  /**
   * The whole space by pieces (PiecesCount), each driven in chunks on this thread; with threads,
   * workers take pieces too once the first has run PIECES_WORKERS_MS. Undefined: count it in the
   * homogeneous chart.
   */
  async function piecesAsync(input: Input, options: CountOptions) {
    const threads = options.threads ?? 1;
    const count = new PiecesCount(await getModule(), input, options);
    const started = performance.now();
    const onProgress = options.onProgress;
    let run: Run | undefined;
    // (the regions found so far, each once: the running piece's that touch no side it shares with
    // another are new, the others may be copies and are known only at the piece's end)
    let shown = 0;
    const report = (p: Progress) => {
      shown = Math.max(shown, count.base + Math.max(0, p.activationRegions - run!.core.sideRecordCount()));
      onProgress!({ activationRegions: shown, elapsedMs: performance.now() - started });
    };
    const driven: CountOptions = onProgress ? { ...options, onProgress: report } : options;
    let remote: { done: Promise<void>; stop(): void } | undefined;
    const source: PieceSource = {
      take: () => {
        const i = count.take();
        return i === undefined ? undefined : { index: i, words: count.words(i), sides: count.parts[i]!.sides };
      },
      done: (i, reply) => count.doneRemote(i, reply),
    };
    // (a count that lasts: the first piece, the box, is the largest; the workers take the others)
    const bringWorkers = () => {
      if (!remote && threads > 1 && loader.pieces && parallelCounts === 0 && run!.busyMs >= PIECES_WORKERS_MS) {
        parallelCounts++;
        remote = loader.pieces(count.module, source, options, Math.min(threads, count.parts.length) - 1);
        void remote.done.then(() => parallelCounts--, () => parallelCounts--);
      }
    };
    // (an abort while the last pieces are on workers stops them: they hand back what they counted)
    const onAbort = () => remote?.stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (let i = count.take(); i !== undefined; i = count.take()) {
        const piece = count.run(i);
        if (!piece) continue;
        run = piece;
        const current = run;
        const result = await finish(drive(current, driven, false, Infinity, undefined, () => {
          bringWorkers();
          return inexact(current) || count.gaveUp || count.stop !== 'complete';
        }));
        count.done(i, current, result?.stopReason ?? (count.gaveUp || inexact(current) ? undefined : count.stop));
        if (count.stop !== 'complete' || count.gaveUp) remote?.stop();
      }
    } finally {
      await remote?.done;
      options.signal?.removeEventListener('abort', onAbort);
    }
    return count.result();
  }

  function driveSync(
    network: unknown,
    domain: unknown,
    options: CountOptions | undefined,
    emit: boolean,
  ): Generator<Region, CountResult & { stats: CoreStats }> {
    checkOptions(options);
    return driveInputSync(prepareInput(network, domain, options), options, emit);
  }

  function* driveInputSync(input: Input, options: CountOptions, emit: boolean): Generator<Region, CountResult & { stats: CoreStats }> {
    const run = new Run(getModuleSync(), input, options, emit);
    for (;;) {
      const stop = run.step(emit ? 4096 : 1 << 30);
      if (emit) yield* run.drain();
      if (stop) {
        const result = withLabels(run, stop, emit);
        run.release();
        return result;
      }
    }
  }

  async function finish(it: AsyncGenerator<Region, (CountResult & { stats: CoreStats }) | undefined>) {
    for (;;) {
      const next = await it.next();
      if (next.done) return next.value;
    }
  }

  async function countOnce(network: unknown, domain: unknown, options: CountOptions): Promise<CountResult> {
    const input = await prepared(network, domain, options);
    if (!byPieces(input.network, input.domain, plainCount(options), options.linearRegions !== false)) return countInput(input, options);
    const t0 = performance.now();
    const byParts = await piecesAsync(input, options);
    if (byParts) return byParts;
    // (given up: the homogeneous chart counts it, and its time includes the pieces')
    const spent = performance.now() - t0;
    const result = await countInput(input, options);
    return { ...result, elapsedMs: result.elapsedMs + spent };
  }

  async function countInput(input: Input, options: CountOptions): Promise<CountResult> {
    const run = new Run(await getModule(), input, options, false);
    const threads = options.threads ?? 1;
    // n-D linear regions on the whole space or a polytope (the homogeneous chart): in parallel,
    // every face on a row made before the split must be proven a facet by LP, unless the gain
    // filter rules out any join across it (gain-nd.ts). Without workersAfterMs, such a count
    // brings in workers only if the filter ruled out nearly every face it met during the probe
    // (at most one face filed per four regions); one that filed more (units that cancel exactly,
    // as in small integer networks) stays on this thread: in parallel such counts took 1.1-1.8x
    // the CPU time (10-200x before the gain filter; see README, Multi-core)
    const homogeneousLinear = run.input.packed.engine === ENGINE_HOMOGENEOUS && run.linear && options.workersAfterMs === undefined;
    const manyFaces = () => homogeneousLinear && run.core.statFacesFiled() > 0.25 * run.regionsSoFar;
    const parallel = threads > 1 && options.maxRegions === undefined ? loader.parallel : undefined;
    // start on the calling thread; workers only for a count still running after the probe
    // halfway through the probe the workers start in the background, so they are online when a
    // count that outlasts it hands work over (they stay pooled for the next count otherwise)
    const pace = countsEnded === 0 ? COLD_PACE : 1;
    const warm = parallel && loader.warmWorkers && pace === 1
      ? () => {
          // (another count has the cores, or this one will stay on this thread: so does a count
          // on the shared-vertex mesh, which does not split)
          if (parallelCounts === 0 && !manyFaces() && run.core.statMesh() !== 1) loader.warmWorkers!(threads - 1);
        }
      : undefined;
    // (an explicit workersAfterMs is kept to the letter; the default probe is read at the pace of
    // warm code: see countsEnded)
    const probe = options.workersAfterMs ?? pace * probeFor(run.input.packed.engine);
    let wentEarly = false;
    // (not for the first count of a process: its estimate reads cold code's pace and its workers
    // would boot and run cold too; from the CLI it made 4-16-16-1 0.71x on two threads)
    const early = parallel && options.workersAfterMs === undefined && pace === 1
      ? () => (wentEarly = parallelCounts === 0 && !manyFaces() && worthEarly(run.busyMs, shareLeft(run)))
      : undefined;
    const probed = await finish(drive(run, options, false, parallel ? probe : Infinity, warm, early));
    if (probed) {
      run.release();
      return probed;
    }
    // one count at a time brings in workers: concurrent counts would each start a pool and
    // oversubscribe the cores (fifty concurrent calls took 10-30x longer); the others go on here.
    // A count that is nearly done stays here too (without workersAfterMs): going parallel costs
    // a split and a pairing, and the cell being counted cannot be shared
    const share = shareLeft(run);
    const nearlyDone = options.workersAfterMs === undefined && !wentEarly && !worthWorkers(run.busyMs / pace, share);
    if (parallelCounts > 0 || manyFaces() || nearlyDone) {
      const result = (await finish(drive(run, options, false)))!;
      run.release();
      return result;
    }
    const spent = run.elapsed();
    // the running count hands its pending cells to the workers and stays on (handover.ts)
    const local = run.core as unknown as LocalCore;
    parallelCounts++;
    let result;
    try {
      result = await parallel!(await getModule(), run.input, options, threads, spent, local);
    } finally {
      parallelCounts--;
    }
    if (result) return { ...result, warnings: [...run.input.warnings] };
    // the work does not split: the probe's count goes on where it stopped
    return (await finish(drive(run, options, false)))!;
  }

  const api: Api = {
    async countRegions(network, domain, options = {}) {
      try {
        return await countOnce(network, domain, options);
      } finally {
        countsEnded++;
      }
    },
    regions(network, domain, options = {}) {
      return (async function* () {
        const run = await start(network, domain, options, true);
        return (yield* drive(run, options, true))!;
      })();
    },
    async ready() {
      await getModule();
    },
  };
  if (loader.loadSync) {
    api.countRegionsSync = (network, domain, options = {}) => {
      checkOptions(options);
      const input = prepareInput(network, domain, options);
      let spent = 0;
      if (byPieces(input.network, input.domain, plainCount(options), options.linearRegions !== false)) {
        const t0 = performance.now();
        const count = new PiecesCount(getModuleSync(), input, options);
        for (let i = count.take(); i !== undefined; i = count.take()) {
          const run = count.run(i);
          if (!run) continue;
          let stop: StopReason | undefined;
          while (!(stop = run.step(1 << 16)) && !inexact(run));
          count.done(i, run, stop);
        }
        const result = count.result();
        if (result) return result;
        spent = performance.now() - t0;
      }
      const it = driveInputSync(input, options, false);
      for (;;) {
        const next = it.next();
        if (next.done) return spent > 0 ? { ...next.value, elapsedMs: next.value.elapsedMs + spent } : next.value;
      }
    };
    api.regionsSync = (network, domain, options = {}) => driveSync(network, domain, options, true);
  }
  return api;
}
