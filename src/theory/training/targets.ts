/**
 * The 1-D regression targets of the Milkert experiment on [0, 1], the training and test grids, and
 * the sanity reference: the piecewise-linear interpolant of the target with 2^d pieces and
 * asymptotically optimal knots.
 */
import { LinearRegionsError } from '../../errors.js';

export const TARGET_NAMES = ['x3', 'x2', 'exp', 'sin'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface Target {
  name: string;
  f: (x: number) => number;
  /** |f''|, for the reference knots (optional for user targets). */
  curvature?: (x: number) => number;
  /** A readable formula. */
  formula: string;
}

export const TARGETS: Record<TargetName, Target> = {
  x3: { name: 'x3', f: (x) => x * x * x, curvature: (x) => 6 * x, formula: 'x^3' },
  x2: { name: 'x2', f: (x) => x * x, curvature: () => 2, formula: 'x^2' },
  exp: { name: 'exp', f: (x) => Math.exp(x), curvature: (x) => Math.exp(x), formula: 'e^x' },
  sin: { name: 'sin', f: (x) => Math.sin(2 * Math.PI * x), curvature: (x) => 4 * Math.PI * Math.PI * Math.abs(Math.sin(2 * Math.PI * x)), formula: 'sin(2 pi x)' },
};

/** A target by name (E_ARGS for an unknown name) or a user function. */
export function resolveTarget(target: TargetName | ((x: number) => number) | undefined): Target {
  if (target === undefined) return TARGETS.x3;
  if (typeof target === 'function') return { name: 'custom', f: target, formula: 'custom' };
  if (typeof target !== 'string' || !(TARGET_NAMES as readonly string[]).includes(target)) {
    throw new LinearRegionsError('E_ARGS', `unknown target function "${String(target)}"; expected one of ${TARGET_NAMES.join(', ')}`);
  }
  return TARGETS[target as TargetName];
}

/** Default number of training points. */
export const TRAIN_POINTS = 256;
/** Number of test points: 0, 1/10000, ..., 1. */
export const TEST_POINTS = 10_001;

/**
 * Training points (k + 1/2) / n, k = 0..n-1: cell midpoints. For n = 256 they are (2k + 1)/512,
 * exact dyadics, none of them on the test grid j / 10000 (10000 (2k + 1) / 512 is not an integer).
 */
export function trainingGrid(n = TRAIN_POINTS): Float64Array {
  return Float64Array.from({ length: n }, (_, k) => (k + 0.5) / n);
}

/** The test grid j / 10000, j = 0..10000 (both ends included). */
export function testGrid(): Float64Array {
  return Float64Array.from({ length: TEST_POINTS }, (_, j) => j / (TEST_POINTS - 1));
}

export function evaluate(target: Target, xs: Float64Array): Float64Array {
  return xs.map((x) => target.f(x));
}

/**
 * Knots 0 = x_0 < ... < x_n = 1 that equidistribute |f''|^(2/5): the asymptotically optimal knots
 * for the L2 error of piecewise-linear interpolation (on a piece of length h the squared error
 * integrates to f''^2 h^5 / 120, and minimising sum f''_k^2 h_k^5 under sum h_k = 1 gives
 * h_k proportional to |f''_k|^(-2/5)). For x^3 this is x_k = (k/n)^(5/7), for x^2 uniform knots.
 * Computed numerically from the curvature on a fine grid (closed forms agree to 1e-6).
 */
export function optimalKnots(target: Target, pieces: number): Float64Array {
  const knots = new Float64Array(pieces + 1);
  knots[pieces] = 1;
  const curvature = target.curvature;
  if (curvature === undefined) {
    for (let k = 1; k < pieces; k++) knots[k] = k / pieces;
    return knots;
  }
  const m = 200_000;
  const cumulative = new Float64Array(m + 1);
  for (let j = 0; j < m; j++) {
    const x = (j + 0.5) / m;
    cumulative[j + 1] = cumulative[j]! + Math.max(curvature(x), 1e-300) ** 0.4 / m;
  }
  const total = cumulative[m]!;
  let j = 0;
  for (let k = 1; k < pieces; k++) {
    const want = (k / pieces) * total;
    while (cumulative[j + 1]! < want) j++;
    const t = (want - cumulative[j]!) / (cumulative[j + 1]! - cumulative[j]!);
    knots[k] = (j + t) / m;
  }
  return knots;
}

/** MSE on `xs` of the piecewise-linear interpolant of the target at `knots`. */
export function interpolantMse(target: Target, knots: Float64Array, xs: Float64Array): number {
  let piece = 0;
  let sum = 0;
  for (const x of xs) {
    while (piece < knots.length - 2 && x > knots[piece + 1]!) piece++;
    const x0 = knots[piece]!;
    const x1 = knots[piece + 1]!;
    const y0 = target.f(x0);
    const y1 = target.f(x1);
    const e = y0 + ((y1 - y0) * (x - x0)) / (x1 - x0) - target.f(x);
    sum += e * e;
  }
  return sum / xs.length;
}

/** Test MSE of the 2^d-piece interpolants: uniform knots and asymptotically optimal knots. */
export function referenceMse(target: Target, depth: number): { uniform: number; optimalKnots: number } {
  const pieces = 2 ** depth;
  const xs = testGrid();
  const uniform = Float64Array.from({ length: pieces + 1 }, (_, k) => k / pieces);
  return { uniform: interpolantMse(target, uniform, xs), optimalKnots: interpolantMse(target, optimalKnots(target, pieces), xs) };
}
