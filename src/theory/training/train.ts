/**
 * Training 1-D width-4 ReLU networks two ways, in float64 with Adam, with exact region counts at
 * checkpoints:
 *
 * - `milkert`: phase 1 trains the peaks a_1..a_d and the output coefficients c0, c1, c2 of the
 *   reparameterised network (reparam.ts; the paper's Algorithm 1: set the weights from the peaks,
 *   compute the loss, back-propagate through the weight-setting map, update the peaks); phase 2
 *   starts from the phase-1 network and trains every weight and bias directly.
 * - `kaiming`: the same architecture with He-normal weights (randomNetwork 'he' of
 *   constructions.ts: weights N(0, 2/fan_in), biases N(0, 0.25^2)), trained directly for the same
 *   total number of steps.
 *
 * {@link Trainer} takes steps one at a time (what the visualizer drives); {@link trainMilkert} and
 * {@link trainKaiming} run it to the end, counting regions at checkpoints with the counting
 * function passed in (`countRegions` or `countRegionsSync`), so this file has no Node built-ins.
 */
import { LinearRegionsError } from '../../errors.js';
import type { Network } from '../../network/types.js';
import type { RegionCounter } from '../experiments.js';
import { createRng, randomNetwork, type Rng } from '../constructions.js';
import { Adam } from './adam.js';
import { lossAndGradient, meanSquaredError, mlpWorkspace, networkToParams, paramsToNetwork, type MlpLayout, type MlpWorkspace } from './mlp.js';
import { fitOutputCoefficients, milkertLayout, milkertNetworkFromPeaks, peakGradient, peakParameterCount, setWeightsFromPeaks } from './reparam.js';
import { evaluate, resolveTarget, testGrid, trainingGrid, TRAIN_POINTS, type Target, type TargetName } from './targets.js';

/** `countRegions` or `countRegionsSync` from 'linear-regions' (the experiments' RegionCounter). */
export type TrainingRegionCounter = RegionCounter;

export type TrainingMethod = 'milkert' | 'kaiming';
export type TrainingPhase = 'phase1' | 'phase2' | 'kaiming';

/** Peaks are kept in [PEAK_MIN, 1 - PEAK_MIN] after every phase-1 step (a projection), depth <= 9. */
export const PEAK_MIN = 0.02;

/**
 * The projection bound of the peaks at a given depth. The construction's float64 rounding grows
 * like prod 1/a_i, so deeper networks need peaks farther from 0 and 1 for its exact structure
 * check to pass: 0.02 up to depth 9, 0.05 up to 12, 0.1 up to 16, 0.2 up to 20 (each checked on
 * the extreme sequences: all low, all high, alternating).
 */
export function peakBound(depth: number): number {
  return depth <= 9 ? PEAK_MIN : depth <= 12 ? 0.05 : depth <= 16 ? 0.1 : 0.2;
}

/** Defaults, chosen so that `experiment milkert` shows the effect within about a minute (docs/theory.md). */
export const TRAINING_DEFAULTS = {
  depth: 6,
  /** Total Adam steps per method; Milkert gives 1/6 to phase 1 (whose loss plateaus early) and 5/6 to phase 2. */
  steps: 12000,
  /** Adam learning rate at the start of phase 1 (peaks and output coefficients). */
  lrPhase1: 0.05,
  /** Adam learning rate at the start of phase 2 (all weights). */
  lrPhase2: 0.001,
  /** Adam learning rate at the start of the Kaiming run. */
  lrKaiming: 0.01,
  /** The learning rate decays exponentially to this fraction of its start over each phase. */
  lrDecay: 0.01,
  /**
   * Linear learning-rate warm-up over this fraction of each phase's steps (every phase and the
   * Kaiming run alike). Adam's first steps move every weight by about lr whatever its gradient,
   * which at the start of phase 2 knocks the construction's breakpoints out of place (a loss spike
   * the training view shows); ramping up lets the moment estimates settle first.
   */
  warmup: 0.05,
} as const;

export interface TrainOptions {
  /** 'x3' (default), 'x2', 'exp', 'sin', or a function on [0, 1]. */
  target?: TargetName | ((x: number) => number);
  /** Number of hidden layers, each of width 4 (default 6: 2^6 = 64 regions for Milkert; at most 20). */
  depth?: number;
  /** Seed of the initialisation (peaks or He weights) and of mini-batch shuffling (default 1). */
  seed?: number;
  /** Milkert: phase-1 steps (default round(steps / 6)). */
  phase1Steps?: number;
  /** Milkert: phase-2 steps (default steps - phase1Steps). */
  phase2Steps?: number;
  /** Kaiming: steps; Milkert: phase1Steps + phase2Steps when those are not given (default 12000). */
  steps?: number;
  lrPhase1?: number;
  lrPhase2?: number;
  lrKaiming?: number;
  /** Final learning rate as a fraction of the initial one (exponential decay; default 0.01; 1 = constant). */
  lrDecay?: number;
  /** Linear learning-rate warm-up over this fraction of each phase (default 0.05; 0: none). */
  warmup?: number;
  /** Number of training points (k + 1/2)/n (default 256). */
  trainPoints?: number;
  /** Mini-batch size (default: every training point, full batch). Batches are drawn by seeded reshuffling each epoch. */
  batchSize?: number;
  /** Count regions every this many steps of each phase (default: 10 checkpoints per phase), plus at the start and the end. */
  countEvery?: number;
  /** Called at most every ~50 ms with the current phase, step and training loss. */
  onProgress?: (progress: TrainProgress) => void;
  /** Stops training; the result is then marked `partial`. */
  signal?: AbortSignal;
}

export interface TrainProgress {
  phase: TrainingPhase;
  /** Steps done in this phase, and the phase's length. */
  step: number;
  steps: number;
  /** Training MSE at the last step. */
  loss: number;
  elapsedMs: number;
}

/** An exact count of the network at a step (step 0: the initial network). */
export interface RegionCheckpoint {
  phase: TrainingPhase;
  step: number;
  activationRegions: number;
  linearRegions: number;
}

export interface TrainResult {
  method: TrainingMethod;
  target: string;
  depth: number;
  /** The trained network (after phase 2 for Milkert), domain [0, 1]. */
  network: Network;
  /** Milkert: the network at the end of phase 1 (built by the construction, 2^d linear regions). */
  phase1Network?: Network;
  /** Milkert: the phase-1 parameters at the end of phase 1: peaks a_1..a_d and c0, c1, c2. */
  peaks?: number[];
  coefficients?: [number, number, number];
  /** Training MSE at every step, before its update (phase 1 then phase 2 for Milkert). */
  loss: number[];
  /** Exact counts at initialisation, every `countEvery` steps and at the end of each phase. */
  checkpoints: RegionCheckpoint[];
  /** MSE of `network` on the test grid j/10000, j = 0..10000. */
  testMse: number;
  /** Milkert: MSE of `phase1Network` on the test grid. */
  phase1TestMse?: number;
  /** Wall time of training and counting, seconds (Milkert: both phases). */
  seconds: number;
  /** Milkert: wall time of phase 1 alone. */
  phase1Seconds?: number;
  /** True when `signal` stopped training early. */
  partial: boolean;
}

function argsError(message: string): never {
  throw new LinearRegionsError('E_ARGS', message);
}

function checkInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) argsError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  return value;
}

function checkRate(name: string, value: unknown, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) argsError(`${name} must be a positive finite number${max < Infinity ? ` <= ${max}` : ''}, got ${String(value)}`);
  return value;
}

function checkFraction(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) argsError(`${name} must be a number in [0, 1], got ${String(value)}`);
  return value;
}

/** Validated options with defaults. */
export interface ResolvedTrainOptions {
  target: Target;
  depth: number;
  seed: number;
  phase1Steps: number;
  phase2Steps: number;
  steps: number;
  lrPhase1: number;
  lrPhase2: number;
  lrKaiming: number;
  lrDecay: number;
  warmup: number;
  trainPoints: number;
  batchSize: number;
}

export function resolveTrainOptions(options: TrainOptions = {}): ResolvedTrainOptions {
  if (options === null || typeof options !== 'object') argsError('training options must be an object');
  const target = resolveTarget(options.target);
  const depth = checkInt('depth', options.depth ?? TRAINING_DEFAULTS.depth, 1, 20);
  const seed = checkInt('seed', options.seed ?? 1, 0, 2 ** 32 - 1);
  const steps = checkInt('steps', options.steps ?? TRAINING_DEFAULTS.steps, 0, 10_000_000);
  const phase1Steps = checkInt('phase1Steps', options.phase1Steps ?? Math.round(steps / 6), 0, 10_000_000);
  const phase2Steps = checkInt('phase2Steps', options.phase2Steps ?? steps - phase1Steps, 0, 10_000_000);
  const trainPoints = checkInt('trainPoints', options.trainPoints ?? TRAIN_POINTS, 2, 1_000_000);
  const batchSize = checkInt('batchSize', options.batchSize ?? trainPoints, 1, trainPoints);
  return {
    target,
    depth,
    seed,
    phase1Steps,
    phase2Steps,
    steps: options.steps !== undefined ? steps : phase1Steps + phase2Steps,
    lrPhase1: checkRate('lrPhase1', options.lrPhase1 ?? TRAINING_DEFAULTS.lrPhase1),
    lrPhase2: checkRate('lrPhase2', options.lrPhase2 ?? TRAINING_DEFAULTS.lrPhase2),
    lrKaiming: checkRate('lrKaiming', options.lrKaiming ?? TRAINING_DEFAULTS.lrKaiming),
    lrDecay: checkRate('lrDecay', options.lrDecay ?? TRAINING_DEFAULTS.lrDecay, 1),
    warmup: checkFraction('warmup', options.warmup ?? TRAINING_DEFAULTS.warmup),
    trainPoints,
    batchSize,
  };
}

/**
 * The initial phase-1 parameters: peaks uniform in [0.2, 0.8] (as `construct milkert --seed`),
 * c = (0, 1, -1). The Trainer then replaces c by the least-squares fit for these peaks
 * (`fitOutputCoefficients`).
 */
export function initialPeaks(depth: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const theta = new Float64Array(depth + 3);
  for (let i = 0; i < depth; i++) theta[i] = 0.2 + 0.6 * rng.uniform();
  theta[depth + 1] = 1;
  theta[depth + 2] = -1;
  return theta;
}

/** The Kaiming (He-normal) initial network: width 4, depth d, seeded. */
export function kaimingNetwork(depth: number, seed: number): Network {
  const net = randomNetwork(1, new Array<number>(depth).fill(4), { init: 'he', seed });
  return { inputDim: 1, layers: net.layers, domain: { bounds: [[0, 1]] } };
}

/**
 * A training run taken step by step. `method` 'milkert' runs phase 1 (reparameterised) and then
 * phase 2 (free weights); 'kaiming' runs one phase from a He-normal initialisation.
 */
export class Trainer {
  readonly method: TrainingMethod;
  readonly options: ResolvedTrainOptions;
  readonly layout: MlpLayout;
  /** Current phase; `done` after the last step. */
  phase: TrainingPhase | 'done';
  /** Steps taken in the current phase. */
  step = 0;
  /** Training loss of every step taken, in order. */
  readonly loss: number[] = [];
  /** Training MSE of the last step. */
  lastLoss = NaN;
  /** Phase-1 parameters [a_1..a_d, c0, c1, c2] (Milkert). */
  readonly theta: Float64Array;
  /** Network parameters (set from theta in phase 1). */
  params: Float64Array;
  private phase1Result: Network | undefined;
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly grad: Float64Array;
  private readonly thetaGrad: Float64Array;
  private readonly scratchS: Float64Array;
  private readonly scratchDs: Float64Array;
  private readonly work: MlpWorkspace;
  private readonly order: Int32Array;
  private readonly rng: Rng;
  private batchAt: number;
  private readonly peakMin: number;
  private batchIndex: Int32Array | null = null;
  private batchFrom = 0;
  private batchTo = 0;
  private adam: Adam;

  constructor(method: TrainingMethod, options: TrainOptions = {}) {
    if (method !== 'milkert' && method !== 'kaiming') argsError(`unknown training method "${String(method)}"; expected milkert or kaiming`);
    this.method = method;
    const o = (this.options = resolveTrainOptions(options));
    this.layout = milkertLayout(o.depth);
    this.xs = trainingGrid(o.trainPoints);
    this.ys = evaluate(o.target, this.xs);
    this.grad = new Float64Array(this.layout.parameters);
    this.work = mlpWorkspace(this.layout);
    this.scratchS = new Float64Array(o.depth + 1);
    this.scratchDs = new Float64Array(o.depth + 1);
    this.thetaGrad = new Float64Array(peakParameterCount(o.depth));
    this.order = Int32Array.from({ length: o.trainPoints }, (_, i) => i);
    this.rng = createRng(o.seed ^ 0x5bd1e995);
    this.batchAt = o.trainPoints;
    this.peakMin = peakBound(o.depth);
    if (method === 'milkert') {
      this.theta = initialPeaks(o.depth, o.seed);
      fitOutputCoefficients(this.theta, o.depth, this.xs, this.ys);
      this.params = new Float64Array(this.layout.parameters);
      setWeightsFromPeaks(this.theta, o.depth, this.layout, this.params, this.scratchS);
      this.phase = 'phase1';
      this.adam = new Adam(this.theta.length);
    } else {
      this.theta = new Float64Array(0);
      this.params = networkToParams(kaimingNetwork(o.depth, o.seed)).params;
      this.phase = 'kaiming';
      this.adam = new Adam(this.params.length);
    }
    this.skipEmptyPhases();
  }

  /** Steps of the current phase. */
  get phaseSteps(): number {
    const o = this.options;
    return this.phase === 'phase1' ? o.phase1Steps : this.phase === 'phase2' ? o.phase2Steps : this.phase === 'kaiming' ? o.steps : 0;
  }

  /** The learning rate of the current step: lr0 * lrDecay^(step / phaseSteps), times the warm-up ramp. */
  private learningRate(): number {
    const o = this.options;
    const lr0 = this.phase === 'phase1' ? o.lrPhase1 : this.phase === 'phase2' ? o.lrPhase2 : o.lrKaiming;
    const steps = Math.max(1, this.phaseSteps);
    const ramp = o.warmup > 0 ? Math.min(1, (this.step + 1) / (o.warmup * steps)) : 1;
    return lr0 * o.lrDecay ** (this.step / steps) * ramp;
  }

  /** The current network: in phase 1 the construction's network for the current peaks. */
  network(): Network {
    if (this.phase === 'phase1') return milkertNetworkFromPeaks(this.theta, this.options.depth);
    return paramsToNetwork(this.params, this.layout);
  }

  /** Milkert: the network at the end of phase 1 (undefined before phase 1 ends). */
  phase1Network(): Network | undefined {
    return this.phase1Result;
  }

  /** Picks the next batch into batchIndex / batchFrom / batchTo (no allocation). */
  private nextBatch(): void {
    const n = this.options.trainPoints;
    const size = this.options.batchSize;
    if (size >= n) {
      this.batchIndex = null;
      this.batchFrom = 0;
      this.batchTo = n;
      return;
    }
    if (this.batchAt + size > n) {
      const order = this.order;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(this.rng.uniform() * (i + 1));
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      this.batchAt = 0;
    }
    this.batchIndex = this.order;
    this.batchFrom = this.batchAt;
    this.batchAt += size;
    this.batchTo = this.batchAt;
  }

  /** Ends phase 1: the construction's network for the final peaks becomes phase 2's start. */
  private endPhase1(): void {
    this.phase1Result = milkertNetworkFromPeaks(this.theta, this.options.depth);
    this.params = networkToParams(this.phase1Result).params;
    this.phase = 'phase2';
    this.step = 0;
    this.adam = new Adam(this.params.length);
  }

  private skipEmptyPhases(): void {
    for (;;) {
      if (this.phase === 'phase1' && this.step >= this.options.phase1Steps) this.endPhase1();
      else if ((this.phase === 'phase2' || this.phase === 'kaiming') && this.step >= this.phaseSteps) this.phase = 'done';
      else return;
    }
  }

  /** One Adam step of the current phase; returns the training MSE before the update. */
  takeStep(): number {
    if (this.phase === 'done') return this.lastLoss;
    this.nextBatch();
    const { batchIndex: index, batchFrom: from, batchTo: to } = this;
    const lr = this.learningRate();
    let loss: number;
    if (this.phase === 'phase1') {
      const d = this.options.depth;
      setWeightsFromPeaks(this.theta, d, this.layout, this.params, this.scratchS);
      loss = lossAndGradient(this.params, this.layout, this.xs, this.ys, this.grad, this.work, index, from, to);
      peakGradient(this.theta, d, this.layout, this.grad, this.thetaGrad, this.scratchS, this.scratchDs);
      this.adam.step(this.theta, this.thetaGrad, lr);
      const p = this.peakMin;
      for (let i = 0; i < d; i++) this.theta[i] = Math.min(1 - p, Math.max(p, this.theta[i]!));
    } else {
      loss = lossAndGradient(this.params, this.layout, this.xs, this.ys, this.grad, this.work, index, from, to);
      this.adam.step(this.params, this.grad, lr);
    }
    this.loss.push(loss);
    this.lastLoss = loss;
    this.step++;
    this.skipEmptyPhases();
    return loss;
  }
}

/** MSE of a network (1 input, ReLU hidden layers, linear output) on the test grid j/10000, j = 0..10000. */
export function testMse(network: Network, target: TargetName | ((x: number) => number) = 'x3'): number {
  const t = resolveTarget(target);
  const { layout, params } = networkToParams(network);
  const xs = testGrid();
  return meanSquaredError(params, layout, xs, evaluate(t, xs));
}

/** `signal` and `onProgress` checked as the counting functions check them (E_ARGS). */
export function checkCallbacks(options: { signal?: unknown; onProgress?: unknown } | null | undefined): void {
  if (options === null || typeof options !== 'object') return; // resolveTrainOptions names the error
  const signal = options.signal;
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal)) argsError('options.signal must be an AbortSignal');
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') argsError('options.onProgress must be a function');
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

async function countAt(count: TrainingRegionCounter, network: Network, phase: TrainingPhase, step: number): Promise<RegionCheckpoint> {
  const r = await count(network, { bounds: [[0, 1]] });
  // a complete count with linear regions on (the default) always has them
  if (r.linearRegions === null) throw new LinearRegionsError('E_ARGS', 'the region counter must count linear regions (do not pass linearRegions: false)');
  return { phase, step, activationRegions: r.activationRegions, linearRegions: r.linearRegions };
}

async function run(count: TrainingRegionCounter, method: TrainingMethod, options: TrainOptions): Promise<TrainResult> {
  if (typeof count !== 'function') argsError(`train${method === 'milkert' ? 'Milkert' : 'Kaiming'} needs a counting function (countRegions or countRegionsSync)`);
  checkCallbacks(options);
  const started = Date.now();
  const trainer = new Trainer(method, options);
  const o = trainer.options;
  const countEvery = options.countEvery === undefined ? 0 : checkInt('countEvery', options.countEvery, 1, 10_000_000);
  const signal = options.signal;
  const checkpoints: RegionCheckpoint[] = [];
  let lastReport = started;
  let lastYield = started;
  let phase1Seconds: number | undefined;
  const every = (steps: number): number => (countEvery > 0 ? countEvery : Math.max(1, Math.ceil(steps / 10)));
  let phase: TrainingPhase | 'done' = trainer.phase;
  checkpoints.push(await countAt(count, trainer.network(), method === 'milkert' ? 'phase1' : 'kaiming', 0));
  let partial = false;
  while (trainer.phase !== 'done') {
    if (signal?.aborted) {
      partial = true;
      break;
    }
    const steps = trainer.phaseSteps;
    trainer.takeStep();
    const now = Date.now();
    if (trainer.phase !== phase) {
      // A phase ended: count its final network.
      const ended = phase as TrainingPhase;
      const net = ended === 'phase1' ? trainer.phase1Network()! : trainer.network();
      checkpoints.push(await countAt(count, net, ended, steps));
      if (ended === 'phase1') phase1Seconds = (Date.now() - started) / 1000;
      phase = trainer.phase;
    } else if (trainer.step % every(steps) === 0) {
      checkpoints.push(await countAt(count, trainer.network(), phase as TrainingPhase, trainer.step));
    }
    if (options.onProgress && now - lastReport >= 50) {
      lastReport = now;
      const phaseNow = trainer.phase as TrainingPhase | 'done';
      const current: TrainingPhase = phaseNow === 'done' ? (method === 'milkert' ? 'phase2' : 'kaiming') : phaseNow;
      options.onProgress({ phase: current, step: trainer.step, steps: trainer.phaseSteps, loss: trainer.lastLoss, elapsedMs: now - started });
    }
    if (signal && now - lastYield >= 50) {
      lastYield = now;
      await yieldToEventLoop(); // lets an abort in
    }
  }
  let phase1Net = trainer.phase1Network();
  if (method === 'milkert' && phase1Net === undefined) phase1Net = milkertNetworkFromPeaks(trainer.theta, o.depth); // stopped in phase 1
  const network = method === 'milkert' && trainer.phase === 'phase1' ? phase1Net! : trainer.network();
  if (partial) checkpoints.push(await countAt(count, network, trainer.phase === 'done' ? (method === 'milkert' ? 'phase2' : 'kaiming') : (trainer.phase as TrainingPhase), trainer.step));
  const target = options.target ?? 'x3';
  const result: TrainResult = {
    method,
    target: o.target.name,
    depth: o.depth,
    network,
    loss: trainer.loss,
    checkpoints,
    testMse: testMse(network, target),
    seconds: (Date.now() - started) / 1000,
    partial,
  };
  if (method === 'milkert') {
    // The phase-1 parameters as they were when phase 1 ended (theta is not touched by phase 2).
    result.phase1Network = phase1Net!;
    result.peaks = Array.from(trainer.theta.subarray(0, o.depth));
    result.coefficients = [trainer.theta[o.depth]!, trainer.theta[o.depth + 1]!, trainer.theta[o.depth + 2]!];
    result.phase1TestMse = testMse(phase1Net!, target);
    result.phase1Seconds = phase1Seconds ?? result.seconds;
  }
  return result;
}

/**
 * Trains the reparameterised network of Milkert, Hyde, Laine: phase 1 (peaks and c0, c1, c2),
 * then phase 2 (every weight), on `options.target` over [0, 1]. Regions are counted exactly with
 * `count` at the start, every `countEvery` steps and at the end of each phase; phase-1 checkpoints
 * have exactly 2^d linear regions.
 *
 * ```js
 * import { countRegionsSync, trainMilkert } from 'linear-regions';
 * const r = await trainMilkert(countRegionsSync, { target: 'x3', depth: 6, steps: 4000 });
 * r.phase1TestMse, r.testMse, r.checkpoints.at(-1).linearRegions;
 * ```
 */
export function trainMilkert(count: TrainingRegionCounter, options: TrainOptions = {}): Promise<TrainResult> {
  return run(count, 'milkert', options);
}

/** Trains the same width-4 architecture from a He-normal initialisation for `options.steps` steps. */
export function trainKaiming(count: TrainingRegionCounter, options: TrainOptions = {}): Promise<TrainResult> {
  return run(count, 'kaiming', options);
}
