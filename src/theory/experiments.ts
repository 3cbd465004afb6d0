/**
 * The deep-versus-shallow experiment the papers argue from, measured with the exact engine:
 *
 * 1. Fixed neuron budget N: the shallow network [N] and deep networks [N/2, N/2], [N/3 x 3], ...
 *    side by side: the closed-form bounds (bounds.ts), the exact count of the best known
 *    construction (Montufar et al.'s folding, which for one layer is a general-position
 *    arrangement reaching Zaslavsky's count), and the mean and spread of exact counts over seeded
 *    random initialisations.
 * 2. The same for a fixed parameter budget P (weights and biases, output layer included).
 * 3. A Hanin-Rolnick check: mean exact counts of random networks for several neuron totals and
 *    depths; the counts should grow with the number of neurons and barely move with depth.
 *
 * The counting function is passed in (`countRegions` or `countRegionsSync` of either entry point),
 * so this file stays free of Node built-ins. Everything is seeded; the same options give the same
 * numbers on every machine.
 */
import type { CountOptions, CountResult } from '../count/api-types.js';
import { LinearRegionsError } from '../errors.js';
import { computeBounds, haninRolnick2019, type BoundName } from './bounds.js';
import { montufarFolding, randomNetwork, type Init, INITS } from './constructions.js';
import type { Domain, Network } from '../network/types.js';

/** `countRegions` or `countRegionsSync` from 'linear-regions'. */
export type RegionCounter = (network: Network, domain?: Domain, options?: CountOptions) => CountResult | Promise<CountResult>;

export interface DeepVsShallowOptions {
  /** Input dimension n0 (1 or 2: the exact engine counts 1-D and 2-D inputs). Default 2. */
  inputDim?: number;
  /** Neuron budget N for the first table. Default 24. */
  neurons?: number;
  /** Parameter budget for the second table. Default: the parameters of the shallow net [N]. */
  parameters?: number;
  /** Depths to compare (default 1, 2, 3, 4, 6 where every layer keeps >= n0 units). */
  depths?: number[];
  /** Random initialisations per architecture. Default 10. */
  seeds?: number;
  /** First seed (seeds are seed, seed + 1, ...). Default 1. */
  seed?: number;
  /** Initialisation of the random networks. Default 'he'. */
  init?: Init;
  /** Random networks are counted on the box [-box, box]^n0. Default 1. */
  box?: number;
  /** Neuron totals for the Hanin-Rolnick check. Default N/2, N, 3N/2, 2N (rounded). */
  hrNeurons?: number[];
  /** Depths for the Hanin-Rolnick check. Default 1, 2, 3. */
  hrDepths?: number[];
}

export interface RandomCounts {
  seeds: number[];
  /** Exact activation-region counts, one per seed. */
  counts: number[];
  mean: number;
  /** Sample standard deviation (n - 1). */
  std: number;
  min: number;
  max: number;
}

export interface ArchitectureRow {
  widths: number[];
  depth: number;
  neurons: number;
  /** Weights and biases, the linear output layer (1 unit) included. */
  parameters: number;
  /** Every bound that applies (bigint). */
  bounds: Partial<Record<BoundName, bigint>>;
  /** Hanin-Rolnick expectation for the random networks' box (C_grad = C_bias = 1), or null. */
  haninRolnick: number | null;
  /** The folding construction for these widths, counted exactly on [0, 1]^n0. */
  construction: { activationRegions: number; linearRegions: number | null };
  /** Exact activation-region counts of random networks on [-box, box]^n0. */
  random: RandomCounts;
}

export interface HaninRolnickCheck {
  neurons: number[];
  depths: number[];
  /** mean[d][k]: mean count for depths[d] and neurons[k]. */
  mean: number[][];
  std: number[][];
  /**
   * Growth with neurons: min over depths of mean(largest N) / mean(smallest N).
   */
  growthWithNeurons: number;
  /** Spread across depths: max over N of max_depth mean / min_depth mean. */
  spreadAcrossDepths: number;
  /** True when the counts grow with N more than they vary with depth. */
  neuronsNotDepth: boolean;
}

export interface DeepVsShallowResult {
  inputDim: number;
  neurons: number;
  parameters: number;
  init: Init;
  seeds: number[];
  box: number;
  neuronBudget: ArchitectureRow[];
  parameterBudget: ArchitectureRow[];
  haninRolnick: HaninRolnickCheck;
}

function argsError(message: string): never {
  throw new LinearRegionsError('E_ARGS', message);
}

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < min || v > max) argsError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
}

/** Parameters of a fully connected net n0 -> widths -> 1 (weights and biases). */
export function parameterCount(inputDim: number, widths: readonly number[]): number {
  let prev = inputDim;
  let total = 0;
  for (const w of [...widths, 1]) {
    total += prev * w + w;
    prev = w;
  }
  return total;
}

/** `neurons` split into `depth` layers as evenly as possible, wider layers first. */
export function splitNeurons(neurons: number, depth: number): number[] {
  const base = Math.floor(neurons / depth);
  const extra = neurons % depth;
  return Array.from({ length: depth }, (_, i) => base + (i < extra ? 1 : 0));
}

function stats(seeds: number[], counts: number[]): RandomCounts {
  const n = counts.length;
  const mean = counts.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? counts.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { seeds, counts, mean, std: Math.sqrt(variance), min: Math.min(...counts), max: Math.max(...counts) };
}

interface Ctx {
  count: RegionCounter;
  inputDim: number;
  seeds: number[];
  init: Init;
  box: number;
}

function boxDomain(inputDim: number, lo: number, hi: number): Domain {
  return { bounds: Array.from({ length: inputDim }, (): [number, number] => [lo, hi]) };
}

async function randomCounts(ctx: Ctx, widths: number[]): Promise<RandomCounts> {
  const counts: number[] = [];
  const domain = boxDomain(ctx.inputDim, -ctx.box, ctx.box);
  for (const seed of ctx.seeds) {
    const net = randomNetwork(ctx.inputDim, widths, { init: ctx.init, seed });
    const r = await ctx.count(net, domain, { linearRegions: false });
    counts.push(r.activationRegions);
  }
  return stats(ctx.seeds, counts);
}

async function row(ctx: Ctx, widths: number[]): Promise<ArchitectureRow> {
  const report = computeBounds(ctx.inputDim, widths);
  const neurons = widths.reduce((a, b) => a + b, 0);
  const net = montufarFolding(ctx.inputDim, widths);
  const c = await ctx.count(net, net.domain);
  let hr: number | null = null;
  try {
    hr = haninRolnick2019(ctx.inputDim, neurons, { volume: (2 * ctx.box) ** ctx.inputDim });
  } catch {
    hr = null;
  }
  return {
    widths,
    depth: widths.length,
    neurons,
    parameters: parameterCount(ctx.inputDim, widths),
    bounds: report.bounds,
    haninRolnick: hr,
    construction: { activationRegions: c.activationRegions, linearRegions: c.linearRegions },
    random: await randomCounts(ctx, widths),
  };
}

/**
 * Runs the deep-versus-shallow experiment (see the file comment) with the given counter.
 *
 * @throws LinearRegionsError E_ARGS for options out of range.
 */
export async function deepVsShallow(count: RegionCounter, options: DeepVsShallowOptions = {}): Promise<DeepVsShallowResult> {
  if (typeof count !== 'function') argsError('deepVsShallow needs a counting function (countRegions or countRegionsSync)');
  const inputDim = options.inputDim ?? 2;
  checkInt('inputDim', inputDim, 1, 2);
  const neurons = options.neurons ?? 24;
  checkInt('neurons', neurons, inputDim, 64);
  const nSeeds = options.seeds ?? 10;
  checkInt('seeds', nSeeds, 1, 1000);
  const seed0 = options.seed ?? 1;
  checkInt('seed', seed0, 0, 2 ** 32 - 1 - nSeeds);
  const init = options.init ?? 'he';
  if (!(INITS as readonly string[]).includes(init)) argsError(`unknown init "${init}"; expected one of ${INITS.join(', ')}`);
  const box = options.box ?? 1;
  if (!Number.isFinite(box) || box <= 0) argsError(`box must be a positive finite number, got ${box}`);
  const parameters = options.parameters ?? parameterCount(inputDim, [neurons]);
  checkInt('parameters', parameters, 1, 100_000);
  const depths = options.depths ?? [1, 2, 3, 4, 6];
  depths.forEach((d) => checkInt('depth', d, 1, 64));
  const hrNeurons =
    options.hrNeurons ?? [...new Set([neurons / 2, neurons, (3 * neurons) / 2, 2 * neurons].map((n) => Math.max(inputDim, Math.round(n))))];
  hrNeurons.forEach((n) => checkInt('Hanin-Rolnick neurons', n, 1, 128));
  const hrDepths = options.hrDepths ?? [1, 2, 3];
  hrDepths.forEach((d) => checkInt('Hanin-Rolnick depth', d, 1, 64));

  const seeds = Array.from({ length: nSeeds }, (_, i) => seed0 + i);
  const ctx: Ctx = { count, inputDim, seeds, init, box };

  const neuronBudget: ArchitectureRow[] = [];
  for (const d of depths) {
    if (d > neurons) continue;
    const widths = splitNeurons(neurons, d);
    if (Math.min(...widths) < inputDim) continue; // bounds and folding need every width >= n0
    neuronBudget.push(await row(ctx, widths));
  }

  const parameterBudget: ArchitectureRow[] = [];
  for (const d of depths) {
    let best = 0;
    for (let w = inputDim; parameterCount(inputDim, new Array<number>(d).fill(w)) <= parameters; w++) best = w;
    if (best === 0) continue;
    parameterBudget.push(await row(ctx, new Array<number>(d).fill(best)));
  }

  const mean: number[][] = [];
  const std: number[][] = [];
  for (const d of hrDepths) {
    const m: number[] = [];
    const s: number[] = [];
    for (const n of hrNeurons) {
      if (d > n) {
        m.push(NaN);
        s.push(NaN);
        continue;
      }
      const r = await randomCounts(ctx, splitNeurons(n, d));
      m.push(r.mean);
      s.push(r.std);
    }
    mean.push(m);
    std.push(s);
  }
  const first = hrNeurons.indexOf(Math.min(...hrNeurons));
  const last = hrNeurons.indexOf(Math.max(...hrNeurons));
  let growth = Infinity;
  for (const m of mean) if (Number.isFinite(m[first]!) && Number.isFinite(m[last]!)) growth = Math.min(growth, m[last]! / m[first]!);
  let spread = 1;
  hrNeurons.forEach((_, k) => {
    const col = mean.map((m) => m[k]!).filter(Number.isFinite);
    if (col.length > 1) spread = Math.max(spread, Math.max(...col) / Math.min(...col));
  });
  if (!Number.isFinite(growth)) growth = 1;

  return {
    inputDim,
    neurons,
    parameters,
    init,
    seeds,
    box,
    neuronBudget,
    parameterBudget,
    haninRolnick: {
      neurons: hrNeurons,
      depths: hrDepths,
      mean,
      std,
      growthWithNeurons: growth,
      spreadAcrossDepths: spread,
      neuronsNotDepth: growth > spread,
    },
  };
}

/** The result as JSON-ready data: bigints as decimal strings, NaN as null. */
export function deepVsShallowToJson(result: DeepVsShallowResult): unknown {
  return JSON.parse(
    JSON.stringify(result, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : typeof value === 'number' && Number.isNaN(value) ? null : value)),
  );
}

/** Left-aligns the first `left` columns and right-aligns the others. */
function table(rows: string[][], left = 1): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

const TABLE_BOUNDS: BoundName[] = ['naive', 'montufar2017', 'serra2018', 'zaslavsky', 'pascanu2013', 'montufar2014', 'serra2018Lower'];

function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}

function archTable(rows: ArchitectureRow[]): string {
  const head = ['widths', 'params', ...TABLE_BOUNDS, 'folding', `random mean +- sd [min, max]`];
  const body = rows.map((r) => [
    r.widths.join('-'),
    String(r.parameters),
    ...TABLE_BOUNDS.map((b) => (r.bounds[b] === undefined ? '-' : r.bounds[b]!.toString())),
    String(r.construction.activationRegions) + (r.construction.linearRegions !== r.construction.activationRegions ? ` (${r.construction.linearRegions} lin)` : ''),
    `${fmt(r.random.mean)} +- ${fmt(r.random.std)} [${r.random.min}, ${r.random.max}]`,
  ]);
  return table([head, ...body], 1);
}

/** The result as plain-text tables (what `linear-regions experiment deep-vs-shallow` prints). */
export function formatDeepVsShallow(result: DeepVsShallowResult): string {
  const { inputDim: n0, box } = result;
  const cube = `[-${box}, ${box}]^${n0}`;
  const lines: string[] = [];
  lines.push(
    `Deep vs shallow ReLU networks, n0 = ${n0} inputs. Bounds count regions of all of R^${n0} ` +
      '(upper: naive, montufar2017, serra2018; exact for one layer: zaslavsky; lower: pascanu2013, montufar2014, serra2018Lower).',
  );
  lines.push(
    `folding = exact count of the Montufar et al. folding construction on [0, 1]^${n0}; ` +
      `random = exact activation regions on ${cube}, ${result.init} init, seeds ${result.seeds[0]}..${result.seeds[result.seeds.length - 1]}.`,
  );
  lines.push('');
  lines.push(`Fixed neuron budget: ${result.neurons} hidden neurons`);
  lines.push(archTable(result.neuronBudget));
  lines.push('');
  lines.push(`Fixed parameter budget: <= ${result.parameters} parameters (weights and biases, 1 linear output)`);
  lines.push(archTable(result.parameterBudget));
  lines.push('');
  const hr = result.haninRolnick;
  lines.push(`Hanin-Rolnick check: mean exact activation regions of random networks on ${cube} (${result.seeds.length} seeds)`);
  const head = ['depth \\ neurons', ...hr.neurons.map(String)];
  const body = hr.depths.map((d, i) => [String(d), ...hr.mean[i]!.map((m, k) => (Number.isFinite(m) ? `${fmt(m)} +- ${fmt(hr.std[i]![k]!)}` : '-'))]);
  lines.push(table([head, ...body], 1));
  lines.push(
    `growth with neurons (${Math.min(...hr.neurons)} -> ${Math.max(...hr.neurons)}): x${hr.growthWithNeurons.toFixed(2)} at least; ` +
      `spread across depths at fixed neurons: x${hr.spreadAcrossDepths.toFixed(2)} at most; ` +
      (hr.neuronsNotDepth ? 'counts follow the number of neurons, not depth.' : 'NOT confirmed: depth moved the counts as much as neurons did.'),
  );
  return lines.join('\n');
}
