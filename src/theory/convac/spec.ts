/**
 * The ConvAC spec (Sharir and Shashua 2018; Cohen and Shashua 2016): N input positions in 1-D or
 * an H x W grid, M templates per position (one-hot representation), generalized convolution layers
 * y_j^g = prod_k <w^{g,k}, x_{jS+k}> with receptive field R, stride S, r channels, no padding,
 * and an output h = <a, y> once a single position is left. See docs/theory.md.
 */
import { LinearRegionsError } from '../../errors.js';

export interface ConvacLayer {
  receptiveField: number;
  stride: number;
  channels: number;
  /** 1-D: [channels][R][input channels]; 2-D: [channels][R][R][input channels] (offsets [dy][dx]). */
  weights: number[][][] | number[][][][];
}

export interface ConvacSpec {
  kind: 'convac';
  /** Number of templates per position (the input channels of the first layer). */
  M: number;
  /** N positions in 1-D, or [H, W] for a grid. */
  positions: number | [number, number];
  layers: ConvacLayer[];
  /** Output weights a, one per channel of the last layer. */
  output: number[];
  description?: string;
}

/** A validated spec, with the shape of every layer and its weights flattened. */
export interface ConvacShape {
  spec: ConvacSpec;
  /** 1 or 2. */
  dim: number;
  /** Positions per axis: [N] or [H, W]. */
  axes: number[];
  /** N: all positions. */
  N: number;
  M: number;
  /** Positions per axis after each layer (index 0: the input). */
  sizes: number[][];
  /** flat[l][(g * K + k) * D + d] for layer l (0-based, k row-major over the offsets); flat[L] is the output a. */
  flat: number[][];
  /** Offsets per window: R (1-D) or R * R (2-D), per layer. */
  K: number[];
  /** Input channels per layer. */
  D: number[];
}

/** Largest grid tensor (over the positions the network reads) the core builds: 2^28 entries. */
export const MAX_TABLE_ENTRIES = 2 ** 28;
/** Most input positions (N, or H x W) of a spec. */
export const MAX_POSITIONS = 2 ** 20;
/** Most window offsets over all layers (nodes x R^dim), each packed for the core. */
export const MAX_WINDOW_OFFSETS = 2 ** 22;

function fail(code: 'E_FORMAT' | 'E_SHAPE' | 'E_NONFINITE' | 'E_TOO_LARGE', message: string): never {
  throw new LinearRegionsError(code, message);
}

function isInt(x: unknown, min: number, max: number): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= min && x <= max;
}

/** Positions after a layer of field R and stride S on P positions (no padding). */
export function outputPositions(P: number, R: number, S: number): number {
  return Math.floor((P - R) / S) + 1;
}

/** Checks `weights` has shape dims (outermost first) with finite numbers; returns them flattened. */
function flattenWeights(value: unknown, dims: number[], where: string): number[] {
  const out: number[] = [];
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === dims.length) {
      if (typeof v !== 'number') fail('E_FORMAT', `${where}${path} must be a number, got ${JSON.stringify(v) ?? String(v)}`);
      if (!Number.isFinite(v)) fail('E_NONFINITE', `${where}${path} is ${String(v)}: weights must be finite`);
      out.push(v);
      return;
    }
    if (!Array.isArray(v)) fail('E_SHAPE', `${where}${path} must be an array of length ${dims[depth]}`);
    if (v.length !== dims[depth]) fail('E_SHAPE', `${where}${path} has length ${v.length}, expected ${dims[depth]} (shape [${dims.join('][')}])`);
    v.forEach((x, i) => walk(x, depth + 1, `${path}[${i}]`));
  };
  walk(value, 0, '');
  return out;
}

/** Validates a ConvAC spec (any JSON value) once, at the boundary. Throws LinearRegionsError. */
export function validateConvacSpec(value: unknown): ConvacShape {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('E_FORMAT', 'a ConvAC spec must be a JSON object');
  const s = value as Record<string, unknown>;
  if (s.kind !== 'convac') fail('E_FORMAT', `"kind" must be "convac", got ${JSON.stringify(s.kind) ?? 'nothing'}`);
  if (!isInt(s.M, 1, 1 << 16)) fail('E_FORMAT', `"M" (templates) must be an integer from 1 to 65536, got ${JSON.stringify(s.M) ?? 'nothing'}`);
  const M = s.M;
  let axes: number[];
  if (isInt(s.positions, 1, 1 << 20)) axes = [s.positions];
  else if (Array.isArray(s.positions) && s.positions.length === 2 && s.positions.every((p) => isInt(p, 1, 1 << 20))) axes = [...(s.positions as number[])];
  else fail('E_FORMAT', `"positions" must be a positive integer N or a pair [H, W], got ${JSON.stringify(s.positions) ?? 'nothing'}`);
  const dim = axes.length;
  if (axes[0]! * (axes[1] ?? 1) > MAX_POSITIONS) {
    fail('E_TOO_LARGE', `"positions" ${axes.join(' x ')} = ${axes[0]! * (axes[1] ?? 1)} positions, more than the 2^20 the library takes`);
  }
  if (!Array.isArray(s.layers) || s.layers.length === 0) fail('E_FORMAT', '"layers" must be a non-empty array');
  const sizes: number[][] = [axes];
  const flat: number[][] = [];
  const Ks: number[] = [];
  const Ds: number[] = [];
  let D = M;
  for (const [i, raw] of (s.layers as unknown[]).entries()) {
    const where = `layer ${i + 1}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('E_FORMAT', `${where} must be an object`);
    const layer = raw as Record<string, unknown>;
    for (const f of ['receptiveField', 'stride', 'channels'] as const) {
      if (!isInt(layer[f], 1, 1 << 20)) fail('E_FORMAT', `${where}: "${f}" must be a positive integer, got ${JSON.stringify(layer[f]) ?? 'nothing'}`);
    }
    const R = layer.receptiveField as number;
    const S = layer.stride as number;
    const r = layer.channels as number;
    const prev = sizes[sizes.length - 1]!;
    if (prev.some((P) => P < R)) {
      fail('E_SHAPE', `${where}: receptive field ${R} is larger than its input of ${prev.join(' x ')} position${prev.length === 1 && prev[0] === 1 ? '' : 's'}`);
    }
    sizes.push(prev.map((P) => outputPositions(P, R, S)));
    const K = R ** dim;
    const dims = dim === 1 ? [r, R, D] : [r, R, R, D];
    if (r * K * D > 1e7) fail('E_TOO_LARGE', `${where}: ${r * K * D} weights, more than the 10^7 the core takes`);
    flat.push(flattenWeights(layer.weights, dims, `${where} weights`));
    Ks.push(K);
    Ds.push(D);
    D = r;
  }
  const last = sizes[sizes.length - 1]!;
  // every window of every layer is listed for the core (its children), so their number is bounded
  const windows = sizes.slice(1).reduce((a, z, l) => a + z.reduce((x, y) => x * y, 1) * Ks[l]!, 0);
  if (windows > MAX_WINDOW_OFFSETS) {
    fail('E_TOO_LARGE', `the layers have ${windows} window offsets in all (positions x R^${dim} per layer), more than the 2^22 the core takes`);
  }
  if (last.some((P) => P !== 1)) {
    fail('E_SHAPE', `the last layer leaves ${last.join(' x ')} positions; it must leave exactly one (sizes per layer: ${sizes.map((z) => z.join('x')).join(' -> ')})`);
  }
  const output = flattenWeights(s.output, [D], '"output"');
  const N = axes.reduce((a, b) => a * b, 1);
  const spec: ConvacSpec = {
    kind: 'convac',
    M,
    positions: dim === 1 ? axes[0]! : [axes[0]!, axes[1]!],
    layers: (s.layers as ConvacLayer[]).map((l) => ({ receptiveField: l.receptiveField, stride: l.stride, channels: l.channels, weights: l.weights })),
    output,
  };
  if (typeof s.description === 'string') spec.description = s.description;
  return { spec, dim, axes, N, M, sizes, flat: [...flat, output], K: Ks, D: Ds };
}
