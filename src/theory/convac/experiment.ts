/**
 * The overlap experiment (Sharir and Shashua 2018): for N positions and M templates, the shallow
 * network, the non-overlapping deep network (R = S = 2) and overlapping ones (R = 2, S = 1;
 * R = 3, S = 1; the mix (3,1), (2,2), ...) side by side, first at the same channel count, then at
 * (at most) the parameter count of the R = 2, S = 1 network; the exact ranks of the left-right
 * and odd-even matricizations over seeded generic weights, next to their proven upper bounds.
 * With `relu`, the matching ReLU ConvNets at equal parameter counts, their exact linear regions
 * counted on seeded 2-D slices of input space.
 *
 * The rank and counting functions are passed in (the entry points bind them), so this file stays
 * free of Node built-ins. Everything is seeded.
 */
import { LinearRegionsError } from '../../errors.js';
import type { CountOptions, CountResult } from '../../count/api-types.js';
import type { Domain, Network } from '../../network/types.js';
import { convacNetwork, convacParameters, positionsAfter, type GcShape } from './construct.js';
import type { ConvacRankOptions, ConvacRankResult } from './rank.js';
import type { Partition } from './structure.js';
import { randomSlice, reluConvNet } from './relu.js';

export type RankFunction = (spec: unknown, partition: Partition, options?: ConvacRankOptions) => Promise<ConvacRankResult> | ConvacRankResult;
export type SliceCounter = (network: Network, domain?: Domain, options?: CountOptions) => Promise<CountResult> | CountResult;

export interface OverlapOptions {
  /** N (1-D). Default 8. */
  positions?: number;
  /** M. Default 2. */
  templates?: number;
  /** Channels of every layer in the first table. Default 2. */
  channels?: number;
  /** Seeds per architecture. Default 10 (as the other experiments). */
  seeds?: number;
  /** First seed. Default 1. */
  seed?: number;
  /** Also count the ReLU counterparts' linear regions on 2-D slices. Default false. */
  relu?: boolean;
}

export interface RankSummary {
  /** Smallest and largest rank over the seeds. */
  min: number;
  max: number;
  upperBound: number;
  /** True when every rank was certified exact. */
  exact: boolean;
}

export interface OverlapRow {
  name: string;
  layers: GcShape[];
  parameters: number;
  leftRight: RankSummary;
  oddEven: RankSummary;
}

export interface ReluRow {
  name: string;
  layers: GcShape[];
  parameters: number;
  /** Exact linear regions per seed on that seed's slice. */
  counts: number[];
  mean: number;
  std: number;
}

export interface OverlapResult {
  positions: number;
  templates: number;
  channels: number;
  seeds: number[];
  /** min(rows, cols) of both partitions: M^floor(N/2). */
  fullRank: number;
  sameChannels: OverlapRow[];
  /** The parameter budget of the second table (the R = 2, S = 1 network's); its channels come from channelsForBudget. */
  budget: number;
  equalParameters: OverlapRow[];
  relu?: ReluRow[];
}

function argsError(message: string): never {
  throw new LinearRegionsError('E_ARGS', message);
}

/** The architectures the sizes allow, as (name, layer shapes without channels). */
export function overlapArchitectures(N: number): { name: string; shapes: { R: number; S: number }[] }[] {
  const out: { name: string; shapes: { R: number; S: number }[] }[] = [];
  out.push({ name: 'shallow (R = N)', shapes: [{ R: N, S: 1 }] });
  const finish = (shapes: { R: number; S: number }[], P: number): void => {
    if (P > 1) shapes.push({ R: P, S: 1 });
  };
  // non-overlapping: R = S = 2 while the positions pair up
  if (N >= 4) {
    const shapes: { R: number; S: number }[] = [];
    let P = N;
    while (P >= 2 && P % 2 === 0) {
      shapes.push({ R: 2, S: 2 });
      P /= 2;
    }
    finish(shapes, P);
    out.push({ name: P === 1 || shapes.length === 1 ? 'non-overlapping R=S=2' : 'non-overlapping R=S=2, last R=P', shapes });
  }
  if (N >= 3) out.push({ name: 'overlapping R=2,S=1', shapes: Array.from({ length: N - 1 }, () => ({ R: 2, S: 1 })) });
  if (N >= 4) {
    const shapes: { R: number; S: number }[] = [];
    let P = N;
    while (P >= 3) {
      shapes.push({ R: 3, S: 1 });
      P -= 2;
    }
    finish(shapes, P);
    out.push({ name: 'overlapping R=3,S=1', shapes });
  }
  if (N >= 5) {
    const shapes: { R: number; S: number }[] = [];
    let P = N;
    for (let i = 0; P > 1; i++) {
      const [R, S] = i % 2 === 0 ? [3, 1] : [2, 2];
      if (P < R) break;
      shapes.push({ R, S });
      P = Math.floor((P - R) / S) + 1;
    }
    finish(shapes, P);
    out.push({ name: `mixed ${shapes.map((s) => `(${s.R},${s.S})`).join(',')}`, shapes });
  }
  return out;
}

function withChannels(shapes: readonly { R: number; S: number }[], r: number): GcShape[] {
  return shapes.map(({ R, S }) => ({ R, S, r }));
}

/**
 * Channels per layer for a parameter budget: the largest uniform count within it (at least 1),
 * then one channel more at a time in the layer where it brings the count closest to the budget
 * without passing it (the earliest layer on a tie), so the architectures of the second table have
 * nearly equal parameter counts (integer channels rarely allow exactly equal ones).
 */
export function channelsForBudget(M: number, shapes: readonly { R: number; S: number }[], budget: number): GcShape[] {
  let r = 1;
  while (convacParameters(M, 1, withChannels(shapes, r + 1)) <= budget) r++;
  const layers = withChannels(shapes, r);
  for (;;) {
    let best = -1;
    let bestParams = convacParameters(M, 1, layers);
    for (let i = 0; i < layers.length; i++) {
      layers[i]!.r++;
      const p = convacParameters(M, 1, layers);
      layers[i]!.r--;
      if (p <= budget && p > bestParams) {
        best = i;
        bestParams = p;
      }
    }
    if (best < 0) return layers;
    layers[best]!.r++;
  }
}

async function rankSummary(rank: RankFunction, N: number, M: number, layers: GcShape[], seeds: number[], partition: Partition): Promise<RankSummary> {
  const ranks: number[] = [];
  let upperBound = 0;
  let exact = true;
  for (const seed of seeds) {
    const spec = convacNetwork({ positions: N, templates: M, layers, seed });
    const r = await rank(spec, partition, { seed });
    ranks.push(r.rank);
    upperBound = r.upperBound;
    exact &&= r.exact;
  }
  return { min: Math.min(...ranks), max: Math.max(...ranks), upperBound, exact };
}

async function rows(rank: RankFunction, N: number, M: number, archs: { name: string; layers: GcShape[] }[], seeds: number[]): Promise<OverlapRow[]> {
  const out: OverlapRow[] = [];
  for (const { name, layers } of archs) {
    out.push({
      name,
      layers,
      parameters: convacParameters(M, 1, layers),
      leftRight: await rankSummary(rank, N, M, layers, seeds, 'left-right'),
      oddEven: await rankSummary(rank, N, M, layers, seeds, 'odd-even'),
    });
  }
  return out;
}

/** Runs the experiment; `count` is needed for `relu`. */
export async function overlapExperiment(rank: RankFunction, options: OverlapOptions = {}, count?: SliceCounter): Promise<OverlapResult> {
  const N = options.positions ?? 8;
  const M = options.templates ?? 2;
  const r = options.channels ?? 2;
  const nSeeds = options.seeds ?? 10;
  const first = options.seed ?? 1;
  const check = (name: string, v: number, min: number, max: number): void => {
    if (!(Number.isSafeInteger(v) && v >= min && v <= max)) argsError(`${name} must be an integer from ${min} to ${max}, got ${v}`);
  };
  check('positions', N, 2, 64);
  check('templates', M, 1, 64);
  check('channels', r, 1, 64);
  check('seeds', nSeeds, 1, 1000);
  check('seed', first, 0, 2 ** 32 - 1 - nSeeds);
  if (M ** (N - (N >> 1)) > 4096 || M ** N > 2 ** 24) {
    argsError(`positions ${N} with ${M} templates: the matricizations (${M}^${N >> 1} rows) are too large for the experiment (keep M^N <= 2^24 and M^ceil(N/2) <= 4096)`);
  }
  if (options.relu && typeof count !== 'function') argsError('the ReLU part of the experiment needs a counting function');
  const seeds = Array.from({ length: nSeeds }, (_, i) => first + i);
  const archs = overlapArchitectures(N);
  for (const a of archs) if (positionsAfter(N, withChannels(a.shapes, 1)) !== 1) throw new Error(`internal: ${a.name} does not end at one position`);
  const sameChannels = await rows(rank, N, M, archs.map((a) => ({ name: a.name, layers: withChannels(a.shapes, r) })), seeds);
  const ref = archs.find((a) => a.name === 'overlapping R=2,S=1') ?? archs[archs.length - 1]!;
  const budget = convacParameters(M, 1, withChannels(ref.shapes, r));
  const equalArchs = archs.map((a) => ({ name: a.name, layers: channelsForBudget(M, a.shapes, budget) }));
  const equalParameters = await rows(rank, N, M, equalArchs, seeds);
  const result: OverlapResult = { positions: N, templates: M, channels: r, seeds, fullRank: M ** (N >> 1), sameChannels, budget, equalParameters };
  if (options.relu) {
    result.relu = [];
    for (const { name, layers } of equalArchs) {
      const counts: number[] = [];
      for (const seed of seeds) {
        const net = reluConvNet(N, M, layers, seed);
        const c = await count!(net, randomSlice(N * M, seed));
        if (c.linearRegions === null) throw new LinearRegionsError('E_ARGS', 'the region counter must count linear regions (do not pass linearRegions: false)');
        counts.push(c.linearRegions);
      }
      const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
      const std = counts.length > 1 ? Math.sqrt(counts.reduce((a, b) => a + (b - mean) ** 2, 0) / (counts.length - 1)) : 0;
      result.relu.push({ name, layers, parameters: convacParameters(M, 1, layers), counts, mean, std });
    }
  }
  return result;
}

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

const arch = (layers: GcShape[]): string => layers.map((l) => `${l.R}:${l.S}:${l.r}`).join(',');

function rankCell(s: RankSummary): string {
  const v = s.min === s.max ? String(s.min) : `${s.min}-${s.max}`;
  return `${v}${s.exact ? '' : '*'} / ${s.upperBound}`;
}

function rankTable(rowsIn: OverlapRow[]): string {
  const rowsOut = [['architecture', 'layers R:S:r', 'params', 'left-right rank / bound', 'odd-even rank / bound']];
  for (const row of rowsIn) rowsOut.push([row.name, arch(row.layers), String(row.parameters), rankCell(row.leftRight), rankCell(row.oddEven)]);
  return table(rowsOut);
}

/** The experiment as text tables. */
export function formatOverlap(result: OverlapResult): string {
  const { positions: N, templates: M, seeds } = result;
  const seedText = seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds[0]}-${seeds[seeds.length - 1]}`;
  let text = `ConvAC grid tensor ranks, N = ${N} positions, M = ${M} templates, full rank M^(N/2) = ${result.fullRank}, ${seedText} (integer weights in [-1000, 1000]; a range a-b is min-max over seeds; * = not certified exact)\n\n`;
  text += `Same channels (r = ${result.channels}):\n${rankTable(result.sameChannels)}\n\n`;
  text += `At most ${result.budget} parameters (the R=2,S=1 network's; channels per layer grown to the budget):\n${rankTable(result.equalParameters)}\n`;
  if (result.relu) {
    const rowsOut = [['ReLU counterpart', 'layers R:S:r', 'params', 'linear regions (mean +- std)', 'per seed']];
    for (const row of result.relu) rowsOut.push([row.name, arch(row.layers), String(row.parameters), `${row.mean.toFixed(1)} +- ${row.std.toFixed(1)}`, row.counts.join(' ')]);
    text += `\nReLU ConvNets at the same parameter budgets: exact linear regions on a 2-D slice through a random point ([-2, 2]^2, one slice per seed):\n${table(rowsOut)}\n`;
  }
  return text;
}
