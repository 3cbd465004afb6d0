/**
 * The exact rank of a ConvAC grid tensor's matricization, over the rationals (docs/theory.md):
 *
 * 1. The grid tensor and its matricization are built modulo a random prime p in [2^29, 2^30) in the
 *    WebAssembly core (assembly/convac.ts) and eliminated there: rank_p <= rank_Q, because every
 *    minor of the integer matrix 2^s [A] that is non-zero modulo p is non-zero.
 * 2. Certified when rank_p reaches the structural upper bound (src/theory/convac/structure.ts).
 * 3. Otherwise by more primes: once the product of the primes exceeds the Hadamard bound of the
 *    (r+1)-minors, r = max rank_p is rank_Q (every (r+1)-minor is divisible by all the primes yet
 *    smaller in absolute value than their product, so it is 0).
 * 4. When that needs more than `maxPrimes` primes, the result says exact: false with the modular
 *    rank and the probability that random primes hide a larger rank.
 *
 * Each call runs on its own instance of the core (like the counting API), in chunks, with the same
 * AbortSignal and progress as the counting engine.
 */
import { LinearRegionsError } from '../../errors.js';
import { coreImports } from '../../count/core-memory.js';
import { createRng, type Rng } from '../constructions.js';
import { abortReason, moduleCache, type ModuleLoader } from '../../count/api.js';
import { yieldToEventLoop } from '../../count/pacer.js';
import { validateConvacSpec, MAX_TABLE_ENTRIES, type ConvacShape } from './spec.js';
import { overlapExperiment, type OverlapOptions, type OverlapResult, type SliceCounter } from './experiment.js';
import { PRIME_BITS, PRIME_COUNT_LOWER, isPrime32, randomPrime, residue } from './modular.js';
import { entryBitsBound, planConvac, resolvePartition, structuralBound, type Partition, type Plan } from './structure.js';

/** The core's ConvAC exports (assembly/convac.ts). */
interface ConvacCore {
  memory: WebAssembly.Memory;
  convacPrepare(bytes: number): number;
  convacSetup(): number;
  convacRun(budget: number): number;
  convacRank(): number;
  convacPhase(): number;
  convacColumn(): number;
  convacWork(): number;
  convacMatrix(): number;
  memoryBytes(): number;
}

export interface ConvacProgress {
  /** 'build': the grid tensor modulo the prime; 'eliminate': the elimination. */
  phase: 'build' | 'eliminate';
  /** Primes done so far (the first one is the rank; the others certify it). */
  primesDone: number;
  /** Rank found so far with the current prime. */
  rank: number;
  /** Columns of the matricization eliminated so far, of `cols`. */
  column: number;
  elapsedMs: number;
}

export interface ConvacRankOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ConvacProgress) => void;
  /** Seed of the random primes (default: from crypto.getRandomValues). */
  seed?: number;
  /** Most primes spent on a CRT/Hadamard certificate (default 1000). */
  maxPrimes?: number;
  /**
   * Time budget of the certificate in milliseconds (default 10000): primes are spent only when the
   * fastest prime's time so far times the primes still needed fits. Set it to Infinity to decide by
   * `maxPrimes` alone (reproducible across machines).
   */
  certifyBudgetMs?: number;
  /** Primes drawn in all when no certificate is affordable (default 3): the error probability shrinks with each. */
  probabilisticPrimes?: number;
}

export type ConvacCertificate = 'upper-bound' | 'primes' | 'none';

export interface ConvacRankResult {
  /** The rank over the rationals when `exact`; otherwise a lower bound (the largest modular rank). */
  rank: number;
  /** M^|I| and M^|J| (a decimal string past 2^53). */
  rows: number | string;
  cols: number | string;
  /** Positions of I, 0-based, ascending. */
  partition: number[];
  /** The best proven upper bound: min(rows, cols) of the read positions and the structural bound. */
  upperBound: number;
  /** True when `rank` is certified equal to the rank over the rationals. */
  exact: boolean;
  /** How it was certified: the upper bound was reached, enough primes, or not certified. */
  certificate: ConvacCertificate;
  /** The primes drawn, in order. */
  primes: number[];
  /**
   * 0 when exact; otherwise an upper bound on the probability, over the random primes, that every
   * prime missed a larger rank.
   */
  errorProbability: number;
  /** Upper bound on log2 of the entries of the integer grid tensor 2^s A. */
  entryBits: number;
  /** Grid tensor and rank modulo the first prime, in milliseconds. */
  elapsedMs: number;
  /** Of which the grid tensor (the first prime's), in milliseconds. */
  gridMs: number;
  /** The further primes (certification), in milliseconds. */
  certifyMs: number;
  /** Linear memory of the core at the end of the first prime, in bytes. */
  memoryBytes: number;
  /**
   * 'aborted' when the signal stopped it, 'timeout' when its reason was a TimeoutError
   * (AbortSignal.timeout), as for counts; the rank is then a lower bound and `exact` is false.
   */
  stopReason: 'complete' | 'aborted' | 'timeout';
}

export interface ConvacGridTensor {
  prime: number;
  /** [M, M, ..., M]: one axis per position (row-major positions). */
  shape: number[];
  /** The M^N entries modulo `prime`, position 0 the most significant index (like A[d_1, ..., d_N]). */
  values: Uint32Array;
  /** Positions the network reads (the grid tensor is constant along the others). */
  read: number[];
}

export interface ConvacGridOptions {
  prime?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ConvacProgress) => void;
}

const SYNC_BUDGET = 1e15;

/** Packs the plan and the weights modulo p as the core's i32 words (layout: assembly/convac.ts). */
export function packConvac(plan: Plan, p: number, cap: number, mode: number): Int32Array {
  const { shape, layers } = plan;
  const words: number[] = [shape.M, layers.length, p, plan.highDigits, cap, mode, 0, 0];
  for (const lp of layers) words.push(lp.nodes, lp.childNodes, lp.K, lp.r, lp.D, lp.fChild, lp.fParent, lp.digitEntries.length / 2);
  layers.forEach((lp, l) => {
    for (const x of lp.childIndex) words.push(x);
    for (const x of lp.digitStart) words.push(x);
    for (const x of lp.digitEntries) words.push(x);
    for (const w of shape.flat[l]!) words.push(residue(w, p));
  });
  for (const w of shape.flat[layers.length]!) words.push(residue(w, p));
  return Int32Array.from(words);
}

function tooLarge(plan: Plan): LinearRegionsError {
  return new LinearRegionsError(
    'E_TOO_LARGE',
    `the grid tensor needs about ${(plan.bytes / 2 ** 20).toFixed(0)} MiB of tables, more than the WebAssembly core could allocate (its limit is 1.5 GiB)`,
  );
}

/** One prime on a fresh instance: the grid tensor modulo p, then (mode 0) its rank. */
class PrimeRun {
  readonly core: ConvacCore;
  readonly started = performance.now();
  done = false;
  /** `core`: an instance to reuse (convacPrepare resets its memory), else a new one. */
  constructor(module: WebAssembly.Module, plan: Plan, p: number, cap: number, mode: number, core?: ConvacCore) {
    this.core = core ?? (new WebAssembly.Instance(module, coreImports()).exports as unknown as ConvacCore);
    const words = packConvac(plan, p, cap, mode);
    const ptr = this.core.convacPrepare(words.byteLength);
    if (ptr === 0) throw tooLarge(plan);
    new Int32Array(this.core.memory.buffer, ptr, words.length).set(words);
    if (this.core.convacSetup() !== 0) throw tooLarge(plan);
  }
  /** When the grid tensor was done (ms after the start), once known. */
  gridMs: number | undefined;
  step(budget: number): boolean {
    this.done = this.core.convacRun(budget) === 0;
    if (this.gridMs === undefined && this.core.convacPhase() !== 0) this.gridMs = performance.now() - this.started;
    return this.done;
  }
}

function cryptoSeed(): number {
  const c = (globalThis as { crypto?: { getRandomValues(a: Uint32Array): Uint32Array } }).crypto;
  if (c) return c.getRandomValues(new Uint32Array(1))[0]!;
  return Math.floor(Math.random() * 2 ** 32);
}

function checkRankOptions(options: ConvacRankOptions): void {
  for (const key of ['maxPrimes', 'probabilisticPrimes'] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 1 && v <= 10_000)) {
      throw new LinearRegionsError('E_ARGS', `options.${key} must be an integer from 1 to 10000, got ${String(v)}`);
    }
  }
  const b = options.certifyBudgetMs;
  if (b !== undefined && !(typeof b === 'number' && b >= 0)) {
    throw new LinearRegionsError('E_ARGS', `options.certifyBudgetMs must be a number >= 0, got ${String(b)}`);
  }
  if (options.seed !== undefined && !(Number.isSafeInteger(options.seed) && options.seed >= 0)) {
    throw new LinearRegionsError('E_ARGS', `options.seed must be a non-negative integer, got ${String(options.seed)}`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new LinearRegionsError('E_ARGS', 'options.onProgress must be a function');
  }
}

const sizeOf = (M: number, k: number): number | string => {
  const v = BigInt(M) ** BigInt(k);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
};

/** log2 of the Hadamard bound of the (k)-minors of a matrix with entries of at most `entryBits` bits. */
function hadamardBits(k: number, entryBits: number): number {
  return k * (entryBits + 0.5 * Math.log2(Math.max(k, 1)));
}

interface Prepared {
  shape: ConvacShape;
  plan: Plan;
  partition: number[];
  upperBound: number;
  rows: number | string;
  cols: number | string;
}

function prepareRank(spec: unknown, partition: Partition): Prepared {
  const shape = validateConvacSpec(spec);
  const I = resolvePartition(shape, partition);
  const rowSet = new Set(I);
  const plan = planConvac(shape, rowSet);
  const M = shape.M;
  const reducedRows = M ** plan.rowPositions.length;
  const reducedCols = M ** plan.colPositions.length;
  const structural = structuralBound(shape, rowSet);
  let upper = Math.min(reducedRows, reducedCols);
  if (structural < BigInt(upper)) upper = Number(structural);
  return { shape, plan, partition: I, upperBound: upper, rows: sizeOf(M, I.length), cols: sizeOf(M, shape.N - I.length) };
}

/** Certification loop shared by the sync and async entry points (generator so both can drive it). */
function* certify(
  prep: Prepared,
  options: ConvacRankOptions,
  newRun: (p: number) => PrimeRun,
): Generator<PrimeRun, ConvacRankResult, StopReason> {
  const rng: Rng = createRng(options.seed ?? cryptoSeed());
  const maxPrimes = options.maxPrimes ?? 1000;
  const budgetMs = options.certifyBudgetMs ?? 10_000;
  const probabilistic = options.probabilisticPrimes ?? 3;
  const { upperBound } = prep;
  const primes: number[] = [];
  const t0 = performance.now();
  let elapsedMs = 0;
  let perPrimeMs = Infinity; // the fastest prime so far (the first one pays for warm-up)
  let gridMs = 0;
  let memoryBytes = 0;
  let rank = 0;
  const result = (exact: boolean, certificate: ConvacCertificate, errorProbability: number, stop: ConvacRankResult['stopReason']): ConvacRankResult => ({
    rank,
    rows: prep.rows,
    cols: prep.cols,
    partition: prep.partition,
    upperBound,
    exact,
    certificate,
    primes,
    errorProbability,
    entryBits: entryBits(),
    elapsedMs,
    gridMs,
    certifyMs: primes.length > 1 ? performance.now() - t0 - elapsedMs : 0,
    memoryBytes,
    stopReason: stop,
  });
  let bits: number | undefined;
  const entryBits = (): number => (bits ??= entryBitsBound(prep.shape));
  const distinct = new Set<number>();
  for (;;) {
    const p = randomPrime(rng);
    primes.push(p);
    const run = newRun(p);
    const primeStart = performance.now();
    const stop = yield run;
    perPrimeMs = Math.min(perPrimeMs, performance.now() - primeStart);
    rank = Math.max(rank, run.core.convacRank());
    if (primes.length === 1) {
      elapsedMs = performance.now() - t0;
      gridMs = run.gridMs ?? elapsedMs;
      memoryBytes = run.core.memoryBytes();
    }
    if (stop !== 'complete') return result(false, 'none', 1, stop);
    distinct.add(p);
    if (rank >= upperBound) return result(true, 'upper-bound', 0, 'complete');
    let have = 0;
    for (const q of distinct) have += Math.log2(q);
    const need = hadamardBits(rank + 1, entryBits());
    if (have > need) return result(true, 'primes', 0, 'complete');
    const more = Math.ceil((need - have) / PRIME_BITS);
    const affordable = distinct.size + more <= maxPrimes && more * perPrimeMs <= budgetMs;
    if (!affordable && primes.length >= probabilistic) {
      // a non-zero k-minor (k <= upperBound) has at most log2|minor| / 29 prime factors >= 2^29
      const factors = Math.ceil(hadamardBits(upperBound, entryBits()) / PRIME_BITS);
      const q = Math.min(1, factors / PRIME_COUNT_LOWER);
      return result(false, 'none', q ** primes.length, 'complete');
    }
  }
}

export interface ConvacApi {
  convacRank(spec: unknown, partition: Partition, options?: ConvacRankOptions): Promise<ConvacRankResult>;
  convacRankSync?: (spec: unknown, partition: Partition, options?: Omit<ConvacRankOptions, 'signal' | 'onProgress'>) => ConvacRankResult;
  /**
   * The grid tensor modulo a prime (`prime`, an odd prime below 2^30, or one drawn from `seed`).
   * `signal` stops it (the promise rejects with the signal's reason); `onProgress` as for ranks.
   */
  buildConvacGridTensor(spec: unknown, options?: ConvacGridOptions): Promise<ConvacGridTensor>;
  /** The overlap experiment with this API's ranks (and, for `relu`, the counting function it was created with). */
  overlapExperiment(options?: OverlapOptions): Promise<OverlapResult>;
}

/** Expands the grid tensor over the read positions to all N positions (constant along the others). */
function expandGrid(shape: ConvacShape, read: number[], reduced: Uint32Array): Uint32Array {
  const { M, N } = shape;
  const total = M ** N;
  if (total > MAX_TABLE_ENTRIES) {
    throw new LinearRegionsError('E_TOO_LARGE', `the grid tensor has ${M}^${N} = ${total.toExponential(3)} entries; buildConvacGridTensor returns at most 2^28`);
  }
  if (read.length === N) return reduced;
  const out = new Uint32Array(total);
  const readSet = new Set(read);
  const digits = new Array<number>(N).fill(0);
  for (let e = 0; e < total; e++) {
    let rest = e;
    for (let q = N - 1; q >= 0; q--) {
      digits[q] = rest % M;
      rest = Math.floor(rest / M);
    }
    let idx = 0;
    for (let q = 0; q < N; q++) if (readSet.has(q)) idx = idx * M + digits[q]!;
    out[e] = reduced[idx]!;
  }
  return out;
}

type StopReason = ConvacRankResult['stopReason'];

/**
 * Runs one prime in chunks of about 5-40 ms (the budget, in multiply-mods, adapts to the time a
 * chunk took), giving the event loop a turn between chunks, with progress at most every 50 ms and
 * the signal checked between chunks: the same pacing as the counting engine (count/pacer.ts).
 */
async function drive(
  run: PrimeRun,
  options: { signal?: AbortSignal; onProgress?: (progress: ConvacProgress) => void },
  pacing: { budget: number; lastProgress: number },
  t0: number,
  primesDone: number,
): Promise<StopReason> {
  for (;;) {
    if (options.signal?.aborted) return abortReason(options.signal) === 'timeout' ? 'timeout' : 'aborted';
    const s = performance.now();
    if (run.step(pacing.budget)) return 'complete';
    const took = performance.now() - s;
    if (took < 5) pacing.budget = Math.min(pacing.budget * 4, 1e12);
    else if (took > 40) pacing.budget = Math.max(1e3, pacing.budget / 2);
    if (options.onProgress && performance.now() - pacing.lastProgress > 50) {
      pacing.lastProgress = performance.now();
      options.onProgress({
        phase: run.core.convacPhase() === 0 ? 'build' : 'eliminate',
        primesDone,
        rank: run.core.convacRank(),
        column: run.core.convacColumn(),
        elapsedMs: performance.now() - t0,
      });
    }
    await yieldToEventLoop();
  }
}

export function createConvacApi(loader: ModuleLoader, count?: SliceCounter): ConvacApi {
  const cache = moduleCache(loader);
  const getModule = cache.get;

  const api: ConvacApi = {
    async convacRank(spec, partition, options = {}) {
      checkRankOptions(options);
      const prep = prepareRank(spec, partition);
      const module = await getModule();
      let core: ConvacCore | undefined; // one instance for all the primes of this call
      const gen = certify(prep, options, (p) => {
        const run = new PrimeRun(module, prep.plan, p, prep.upperBound, 0, core);
        core = run.core;
        return run;
      });
      const t0 = performance.now();
      const pacing = { budget: 1e5, lastProgress: 0 };
      let primesDone = 0;
      let next = gen.next();
      for (;;) {
        if (next.done) return next.value;
        const stop = await drive(next.value, options, pacing, t0, primesDone);
        primesDone++;
        next = gen.next(stop);
      }
    },
    overlapExperiment(options = {}) {
      return overlapExperiment(api.convacRank, options, count);
    },
    async buildConvacGridTensor(spec, options = {}) {
      if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
        throw new LinearRegionsError('E_ARGS', 'options.onProgress must be a function');
      }
      if (options.seed !== undefined && !(Number.isSafeInteger(options.seed) && options.seed >= 0)) {
        throw new LinearRegionsError('E_ARGS', `options.seed must be a non-negative integer, got ${String(options.seed)}`);
      }
      const shape = validateConvacSpec(spec);
      const plan = planConvac(shape, new Set(), true);
      let p = options.prime;
      if (p === undefined) p = randomPrime(createRng(options.seed ?? cryptoSeed()));
      else if (!(Number.isSafeInteger(p) && p >= 3 && p < 2 ** 30) || !isPrime32(p)) {
        throw new LinearRegionsError('E_ARGS', `options.prime must be an odd prime below 2^30, got ${String(p)}`);
      }
      const run = new PrimeRun(await getModule(), plan, p, 0, 1);
      // a grid tensor cut short is of no use: an abort rejects with the signal's reason, like fetch
      if ((await drive(run, options, { budget: 1e5, lastProgress: 0 }, performance.now(), 0)) !== 'complete') throw options.signal!.reason;
      const n = shape.M ** plan.read.length;
      const reduced = new Uint32Array(run.core.memory.buffer.slice(run.core.convacMatrix(), run.core.convacMatrix() + 4 * n));
      return { prime: p, shape: new Array<number>(shape.N).fill(shape.M), values: expandGrid(shape, plan.read, reduced), read: plan.read };
    },
  };
  if (loader.loadSync) {
    api.convacRankSync = (spec, partition, options = {}) => {
      checkRankOptions(options);
      const prep = prepareRank(spec, partition);
      const module = cache.getSync();
      let core: ConvacCore | undefined;
      const gen = certify(prep, options, (p) => {
        const run = new PrimeRun(module, prep.plan, p, prep.upperBound, 0, core);
        core = run.core;
        return run;
      });
      let next = gen.next();
      for (;;) {
        if (next.done) return next.value;
        const run = next.value;
        while (!run.step(SYNC_BUDGET));
        next = gen.next('complete');
      }
    };
  }
  return api;
}
