/**
 * Seeded ConvAC specs (`linear-regions construct convac`) and the architectures of the overlap
 * experiment. Weights are generic by default: non-zero integers drawn uniformly from [-1000, 1000]
 * (weights from a small range such as [-3, 3] often give ranks far below the generic rank).
 */
import { LinearRegionsError } from '../../errors.js';
import { createRng } from '../constructions.js';
import { outputPositions, validateConvacSpec, type ConvacLayer, type ConvacSpec } from './spec.js';

export const CONVAC_WEIGHTS = ['int', 'gaussian'] as const;
export type ConvacWeights = (typeof CONVAC_WEIGHTS)[number];

/** One layer of an architecture: receptive field, stride, channels. */
export interface GcShape {
  R: number;
  S: number;
  r: number;
}

export interface ConvacConstructOptions {
  /** N positions (1-D) or [H, W]. */
  positions: number | [number, number];
  /** M templates. */
  templates: number;
  layers: readonly GcShape[];
  /** 'int' (default): non-zero integers in [-1000, 1000]; 'gaussian': N(0, 1) float64. */
  weights?: ConvacWeights;
  /** Default 1. */
  seed?: number;
}

function argsError(message: string): never {
  throw new LinearRegionsError('E_ARGS', message);
}

/** Parses `R:S:r,R:S:r,...`. */
export function parseGcLayers(text: string): GcShape[] {
  const out: GcShape[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+):(\d+):(\d+)\s*$/.exec(part);
    const nums = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
    if (!m || !nums.every((n) => Number.isSafeInteger(n) && n >= 1)) {
      argsError(`--layers must be a comma-separated list of R:S:r (receptive field, stride, channels; e.g. 2:1:2,3:1:2), got "${text}"`);
    }
    out.push({ R: nums[0]!, S: nums[1]!, r: nums[2]! });
  }
  return out;
}

/** A ConvAC spec with seeded weights (drawn layer by layer, channel, offset, input channel; then the output). */
export function convacNetwork(options: ConvacConstructOptions): ConvacSpec {
  const weights = options.weights ?? 'int';
  if (!(CONVAC_WEIGHTS as readonly string[]).includes(weights)) argsError(`weights must be one of ${CONVAC_WEIGHTS.join(', ')}, got "${weights}"`);
  const seed = options.seed ?? 1;
  if (!(Number.isSafeInteger(seed) && seed >= 0 && seed < 2 ** 32)) argsError(`seed must be an integer in [0, 2^32), got ${seed}`);
  const rng = createRng(seed);
  const draw =
    weights === 'int'
      ? (): number => (1 + Math.floor(rng.uniform() * 1000)) * (rng.uniform() < 0.5 ? -1 : 1)
      : (): number => rng.normal();
  const dim = Array.isArray(options.positions) ? 2 : 1;
  let D = options.templates;
  const layers: ConvacLayer[] = options.layers.map(({ R, S, r }) => {
    const offsets = (): number[][] => Array.from({ length: R }, () => Array.from({ length: D }, draw));
    const w = Array.from({ length: r }, () => (dim === 1 ? offsets() : Array.from({ length: R }, offsets)));
    D = r;
    return { receptiveField: R, stride: S, channels: r, weights: w as number[][][] | number[][][][] };
  });
  const output = Array.from({ length: D }, draw);
  const arch = options.layers.map(({ R, S, r }) => `${R}:${S}:${r}`).join(',');
  const spec: ConvacSpec = {
    kind: 'convac',
    description: `ConvAC ${arch} on ${dim === 1 ? options.positions : (options.positions as number[]).join('x')} positions, M = ${options.templates}, ${weights === 'int' ? 'non-zero integer weights in [-1000, 1000]' : 'N(0, 1) weights'}, seed ${seed} (mulberry32)`,
    M: options.templates,
    positions: options.positions,
    layers,
    output,
  };
  validateConvacSpec(spec); // shape errors (a last layer that leaves more than one position) surface here
  return spec;
}

/** Parameters of an architecture: sum over layers of r R^dim D, plus the output weights. */
export function convacParameters(M: number, dim: number, layers: readonly GcShape[]): number {
  let D = M;
  let total = 0;
  for (const { R, r } of layers) {
    total += r * R ** dim * D;
    D = r;
  }
  return total + D;
}

/** Positions left after the layers (1-D), or -1 when a layer does not fit. */
export function positionsAfter(N: number, layers: readonly GcShape[]): number {
  let P = N;
  for (const { R, S } of layers) {
    if (P < R) return -1;
    P = outputPositions(P, R, S);
  }
  return P;
}
