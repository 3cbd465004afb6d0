/**
 * `experiment milkert`: for each target, `trials` seeded runs of the reparameterised training
 * (phase 1, then phase 1 + 2) and of the Kaiming baseline with the same architecture and the same
 * total number of steps; test MSE on 10,001 points and exact linear regions on [0, 1] of every
 * trained network, with the 2^d-piece interpolant of the target as a sanity reference.
 */
import { LinearRegionsError } from '../../errors.js';
import type { Network } from '../../network/types.js';
import { referenceMse, resolveTarget, TARGET_NAMES, TEST_POINTS, type TargetName } from './targets.js';
import {
  checkCallbacks,
  resolveTrainOptions,
  trainKaiming,
  trainMilkert,
  type RegionCheckpoint,
  type TrainOptions,
  type TrainResult,
  type TrainingRegionCounter,
} from './train.js';

export const EXPERIMENT_METHODS = ['phase1', 'phase2', 'kaiming'] as const;
export type ExperimentMethod = (typeof EXPERIMENT_METHODS)[number];

export interface MilkertExperimentOptions extends Omit<TrainOptions, 'target' | 'seed' | 'onProgress' | 'signal'> {
  /** Targets, in order (default x3, x2, exp, sin). */
  functions?: TargetName[];
  /** Trials per target and method (default 5); trial t uses seed + t. */
  trials?: number;
  /** First seed (default 1). */
  seed?: number;
  /** Called with every trained network (for --save), trial counted from 1. */
  onNetwork?: (fn: TargetName, method: ExperimentMethod, trial: number, network: Network) => void | Promise<void>;
  /** Called after each run with a short description (for a progress line). */
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

export interface MethodResult {
  /** Test MSE of each trial's network, in trial order. */
  testMse: number[];
  /** Exact linear regions on [0, 1] of each trial's network. */
  linearRegions: number[];
  /** Exact activation regions of each trial's network. */
  activationRegions: number[];
  /** Exact linear regions of each trial's starting network (phase 2 starts from phase 1's result). */
  initialLinearRegions: number[];
  /** Wall time of this method over all trials (training and counting), seconds. */
  seconds: number;
}

export interface TargetResult {
  function: TargetName;
  formula: string;
  methods: Record<ExperimentMethod, MethodResult>;
  /** Smallest and largest linear-region count over every phase-1 checkpoint of every trial (2^d, 2^d). */
  phase1CheckpointRegions: [number, number];
  /** Test MSE of the 2^d-piece interpolants of the target (uniform and asymptotically optimal knots). */
  reference: { uniform: number; optimalKnots: number };
}

export interface MilkertExperimentResult {
  experiment: 'milkert';
  depth: number;
  trials: number;
  seed: number;
  /** Steps per method (Milkert: phase1Steps + phase2Steps). */
  steps: number;
  phase1Steps: number;
  phase2Steps: number;
  trainPoints: number;
  testPoints: number;
  targets: TargetResult[];
  /** True when `signal` stopped the experiment (the arrays then hold fewer trials). */
  partial: boolean;
}

function argsError(message: string): never {
  throw new LinearRegionsError('E_ARGS', message);
}

function emptyMethod(): MethodResult {
  return { testMse: [], linearRegions: [], activationRegions: [], initialLinearRegions: [], seconds: 0 };
}

function last(checkpoints: RegionCheckpoint[], phase: string): RegionCheckpoint {
  const list = checkpoints.filter((c) => c.phase === phase);
  return list[list.length - 1]!;
}

function withDescription(network: Network, text: string): Network & { description: string } {
  return { description: text, ...network };
}

/** Runs the experiment; regions are counted with `count` (`countRegions` or `countRegionsSync`). */
export async function milkertExperiment(count: TrainingRegionCounter, options: MilkertExperimentOptions = {}): Promise<MilkertExperimentResult> {
  if (typeof count !== 'function') argsError('milkertExperiment needs a counting function (countRegions or countRegionsSync)');
  if (options === null || typeof options !== 'object') argsError('experiment options must be an object');
  checkCallbacks(options);
  if (options.onNetwork !== undefined && typeof options.onNetwork !== 'function') argsError('options.onNetwork must be a function');
  const functions = options.functions ?? [...TARGET_NAMES];
  if (!Array.isArray(functions) || functions.length === 0) argsError('functions must be a non-empty list of target names');
  functions.forEach((f) => resolveTarget(f));
  const trials = options.trials ?? 5;
  if (!Number.isSafeInteger(trials) || trials < 1 || trials > 1000) argsError(`trials must be an integer in [1, 1000], got ${trials}`);
  const seed = options.seed ?? 1;
  const { onNetwork, onProgress, signal, functions: _f, trials: _t, ...train } = options;
  const base = resolveTrainOptions({ ...train, seed, target: functions[0] });
  if (!Number.isSafeInteger(seed) || seed + trials - 1 > 2 ** 32 - 1) argsError(`seed + trials - 1 must be <= 2^32 - 1, got seed ${seed}`);
  const result: MilkertExperimentResult = {
    experiment: 'milkert',
    depth: base.depth,
    trials,
    seed,
    steps: base.phase1Steps + base.phase2Steps,
    phase1Steps: base.phase1Steps,
    phase2Steps: base.phase2Steps,
    trainPoints: base.trainPoints,
    testPoints: TEST_POINTS,
    targets: [],
    partial: false,
  };
  const kaimingSteps = base.phase1Steps + base.phase2Steps;
  for (const fn of functions) {
    const target = resolveTarget(fn);
    const methods = { phase1: emptyMethod(), phase2: emptyMethod(), kaiming: emptyMethod() };
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = 0; t < trials && !result.partial; t++) {
      const runOptions: TrainOptions = { ...train, target: fn, seed: seed + t, ...(signal ? { signal } : {}) };
      const m: TrainResult = await trainMilkert(count, runOptions);
      const k: TrainResult = await trainKaiming(count, { ...runOptions, steps: kaimingSteps });
      if (m.partial || k.partial) {
        result.partial = true;
        break;
      }
      for (const c of m.checkpoints) {
        if (c.phase !== 'phase1') continue;
        lo = Math.min(lo, c.linearRegions);
        hi = Math.max(hi, c.linearRegions);
      }
      const p1 = last(m.checkpoints, 'phase1');
      const p2 = last(m.checkpoints, 'phase2');
      const k0 = k.checkpoints[0]!;
      const kEnd = last(k.checkpoints, 'kaiming');
      const record = (into: MethodResult, mse: number, end: RegionCheckpoint, start: number, seconds: number): void => {
        into.testMse.push(mse);
        into.linearRegions.push(end.linearRegions);
        into.activationRegions.push(end.activationRegions);
        into.initialLinearRegions.push(start);
        into.seconds += seconds;
      };
      record(methods.phase1, m.phase1TestMse!, p1, m.checkpoints[0]!.linearRegions, m.phase1Seconds!);
      record(methods.phase2, m.testMse, p2, p1.linearRegions, m.seconds - m.phase1Seconds!);
      record(methods.kaiming, k.testMse, kEnd, k0.linearRegions, k.seconds);
      if (onNetwork) {
        const tag = `${fn} trial ${t + 1} (seed ${seed + t}), depth ${base.depth}`;
        await onNetwork(fn, 'phase1', t + 1, withDescription(m.phase1Network!, `Milkert phase 1 (${base.phase1Steps} steps), ${tag}: test MSE ${m.phase1TestMse}, ${p1.linearRegions} linear regions on [0, 1]`));
        await onNetwork(fn, 'phase2', t + 1, withDescription(m.network, `Milkert phase 1 + 2 (${base.phase1Steps} + ${base.phase2Steps} steps), ${tag}: test MSE ${m.testMse}, ${p2.linearRegions} linear regions on [0, 1]`));
        await onNetwork(fn, 'kaiming', t + 1, withDescription(k.network, `Kaiming (He normal) init, ${kaimingSteps} steps, ${tag}: test MSE ${k.testMse}, ${kEnd.linearRegions} linear regions on [0, 1]`));
      }
      onProgress?.(`${fn} trial ${t + 1}/${trials}: phase 1 ${m.phase1TestMse!.toExponential(2)}, phase 1 + 2 ${m.testMse.toExponential(2)}, kaiming ${k.testMse.toExponential(2)}`);
    }
    for (const mr of Object.values(methods)) mr.seconds = Math.round(mr.seconds * 1000) / 1000;
    result.targets.push({
      function: fn,
      formula: target.formula,
      methods,
      phase1CheckpointRegions: [lo, hi],
      reference: referenceMse(target, base.depth),
    });
    if (result.partial) break;
  }
  return result;
}

/** The experiment as the one JSON object `--json` prints (the result is already plain data). */
export function milkertExperimentToJson(result: MilkertExperimentResult): MilkertExperimentResult {
  return result;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

const LABELS: Record<ExperimentMethod, string> = { phase1: 'phase 1', phase2: 'phase 1 + 2', kaiming: 'Kaiming' };

/** Readable tables, one per target. */
export function formatMilkertExperiment(result: MilkertExperimentResult): string {
  const e = (v: number): string => (Number.isFinite(v) ? v.toExponential(2) : String(v));
  const mmm = (v: number[], f: (x: number) => string): string[] => (v.length ? [f(Math.min(...v)), f(median(v)), f(Math.max(...v))] : ['-', '-', '-']);
  const out: string[] = [
    `Milkert, Hyde, Laine reparameterisation vs Kaiming init: width 4, depth ${result.depth}, ${result.trials} trial${result.trials === 1 ? '' : 's'} (seeds ${result.seed}..${result.seed + result.trials - 1}), ` +
      `${result.steps} Adam steps per method (phase 1: ${result.phase1Steps}, phase 2: ${result.phase2Steps}), ${result.trainPoints} training points, test MSE on ${result.testPoints} points of [0, 1]` +
      (result.partial ? ' (stopped early: partial)' : ''),
  ];
  for (const t of result.targets) {
    const rows: string[][] = [['method', 'MSE min', 'median', 'max', 'regions min', 'median', 'max', 'at start', 'seconds']];
    for (const m of EXPERIMENT_METHODS) {
      const r = t.methods[m];
      const lo = Math.min(...r.initialLinearRegions);
      const hi = Math.max(...r.initialLinearRegions);
      rows.push([LABELS[m], ...mmm(r.testMse, e), ...mmm(r.linearRegions, String), lo === hi ? String(lo) : `${lo}..${hi}`, r.seconds.toFixed(1)]);
    }
    const p2 = t.methods.phase2.testMse;
    const k = t.methods.kaiming.testMse;
    const ratio = p2.length ? Math.min(...k) / Math.min(...p2) : NaN;
    out.push(
      '',
      `${t.function}: ${t.formula} on [0, 1]; 2^${result.depth}-piece interpolant: ${e(t.reference.uniform)} (uniform knots), ${e(t.reference.optimalKnots)} (optimal knots)`,
      table(rows),
      `min MSE Kaiming / min MSE phase 1 + 2 = ${Number.isFinite(ratio) ? ratio.toPrecision(3) : '-'}x; phase-1 checkpoints: ${t.phase1CheckpointRegions[0]}..${t.phase1CheckpointRegions[1]} linear regions (2^${result.depth} = ${2 ** result.depth})`,
    );
  }
  return out.join('\n');
}


