/**
 * The phase-1 parameterisation of Milkert, Hyde, Laine (ICML 2025): the weights of a width-4 ReLU
 * network of depth d are set from d peaks a_1..a_d in (0, 1) and three output coefficients, so
 * that the network keeps exactly 2^d linear regions on [0, 1] whatever values training gives them.
 *
 * The network (units [sum, t1, t2, b] per hidden layer, as in `milkert` of constructions.ts, whose
 * reconstruction is described in docs/theory.md) computes
 *
 *   y(x) = c0 + c1 x + c2 G(x),   G = sum_{i=1}^{d} s_i W_i,   W_i = T_{a_i} o ... o T_{a_1}(x),
 *
 * with s_0 = 1, s_i = s_{i-1} (1 - a_i) a_{i+1}, a_{d+1} = 1/2 (the paper's differentiability
 * recurrence). `milkert` alone computes x + G; the three output coefficients are what a linear
 * output needs to fit a function that is not 2x - x^2-like: G is concave, so a convex target needs
 * c2 < 0 and c1 > 0, which the sum unit (a ReLU, so >= 0) cannot carry directly. The sum unit
 * therefore carries y + K, with K a power of two larger than any |partial sum| on [0, 1], and the
 * output bias subtracts K: sum_1 = relu(c1 x + c0 + K), sum_{i+1} = sum_i + c2 (sa_i t1 - sb_i t2),
 * y = sum_d + c2 (sa_d t1 - sb_d t2) - K. K is a function of c but y does not depend on it, so
 * the gradient treats it as a constant.
 *
 * Trainable phase-1 parameters, in this order: a_1..a_d, c0, c1, c2 (d + 3 numbers). For c2 != 0
 * the slope of y changes at every one of the 2^d - 1 breakpoints of the triangle waves (the proof
 * of `milkert`, scaled by c2), so there are exactly 2^d linear regions.
 *
 * Two versions of the map: {@link setWeightsFromPeaks} in plain float64 (used at every training
 * step, with its exact reverse-mode derivative {@link peakGradient}), and
 * {@link milkertNetworkFromPeaks}, which takes the triangle weights from `milkert` (rounded so that
 * no triangle dips below 0, verified in exact arithmetic) and is the network that is counted,
 * saved and handed to phase 2. The two differ by rounding only (relative 1e-16).
 */
import { LinearRegionsError } from '../../errors.js';
import type { Network } from '../../network/types.js';
import { milkert } from '../constructions.js';
import { mlpLayout, type MlpLayout } from './mlp.js';

/** Layout of the width-4 network of depth d. */
export function milkertLayout(depth: number): MlpLayout {
  return mlpLayout(new Array<number>(depth).fill(4));
}

/** Scales s_0..s_d of the recurrence (s_0 = 1, a_{d+1} = 1/2). */
function scales(peaks: ArrayLike<number>, depth: number, s: Float64Array): void {
  s[0] = 1;
  for (let i = 1; i <= depth; i++) s[i] = s[i - 1]! * (1 - peaks[i - 1]!) * (i < depth ? peaks[i]! : 0.5);
}

/** The offset K of the sum unit: a power of two > |c0| + |c1| + |c2| sum_i s_i (with a margin). */
function sumOffset(c0: number, c1: number, c2: number, s: Float64Array, depth: number): number {
  let total = 0;
  for (let i = 1; i <= depth; i++) total += s[i]!;
  const bound = 1 + Math.abs(c0) + Math.abs(c1) + 2 * Math.abs(c2) * total;
  return 2 ** Math.ceil(Math.log2(bound));
}

/** Number of phase-1 parameters: d peaks and c0, c1, c2. */
export function peakParameterCount(depth: number): number {
  return depth + 3;
}

function checkPeaks(theta: ArrayLike<number>, depth: number): void {
  if (theta.length !== depth + 3) throw new LinearRegionsError('E_ARGS', `expected ${depth + 3} phase-1 parameters (d peaks, c0, c1, c2), got ${theta.length}`);
  for (let i = 0; i < depth; i++) {
    const a = theta[i]!;
    if (!(a > 0 && a < 1)) throw new LinearRegionsError('E_ARGS', `peak ${i + 1} must be in the open interval (0, 1), got ${a}`);
  }
  for (let i = depth; i < depth + 3; i++) {
    if (!Number.isFinite(theta[i]!)) throw new LinearRegionsError('E_NONFINITE', `output coefficient c${i - depth} is ${theta[i]}`);
  }
}

/**
 * Writes the network weights set by theta = [a_1..a_d, c0, c1, c2] into `params` (layout of
 * {@link milkertLayout}), in plain float64. `s` is scratch of length d + 1.
 */
export function setWeightsFromPeaks(theta: ArrayLike<number>, depth: number, layout: MlpLayout, params: Float64Array, s: Float64Array = new Float64Array(depth + 1)): void {
  checkPeaks(theta, depth);
  const { weightOffset: W, biasOffset: B } = layout;
  const [c0, c1, c2] = [theta[depth]!, theta[depth + 1]!, theta[depth + 2]!];
  scales(theta, depth, s);
  const K = sumOffset(c0, c1, c2, s, depth);
  params.fill(0);
  // Layer 1 (4 x 1): sum = relu(c1 x + c0 + K), t1 = relu(x), t2 = relu(x - a_1), b = relu(1).
  params[W[0]!] = c1;
  params[W[0]! + 1] = 1;
  params[W[0]! + 2] = 1;
  params[B[0]!] = c0 + K;
  params[B[0]! + 2] = -theta[0]!;
  params[B[0]! + 3] = 1;
  for (let i = 1; i <= depth; i++) {
    const a = theta[i - 1]!;
    const sa = s[i]! / a;
    const sb = s[i]! / (a * (1 - a));
    const w = W[i]!; // layer i + 1 (4 x 4, or 1 x 4 for the output)
    params[w] = 1;
    params[w + 1] = c2 * sa;
    params[w + 2] = -c2 * sb;
    if (i === depth) {
      params[B[i]!] = -K;
      break;
    }
    const alpha = 1 / a;
    const beta = 1 / (a * (1 - a));
    params[w + 4 + 1] = alpha; // t1 row
    params[w + 4 + 2] = -beta;
    params[w + 8 + 1] = alpha; // t2 row
    params[w + 8 + 2] = -beta;
    params[w + 8 + 3] = -theta[i]!;
    params[w + 12 + 3] = 1; // b row
  }
}

/**
 * Reverse mode through {@link setWeightsFromPeaks}: from dL/d(params) (`gradW`) to dL/d(theta),
 * written into `out` (length d + 3). `s` and `ds` are scratch of length d + 1.
 */
export function peakGradient(
  theta: ArrayLike<number>,
  depth: number,
  layout: MlpLayout,
  gradW: Float64Array,
  out: Float64Array,
  s: Float64Array = new Float64Array(depth + 1),
  ds: Float64Array = new Float64Array(depth + 1),
): void {
  const { weightOffset: W, biasOffset: B } = layout;
  const c2 = theta[depth + 2]!;
  scales(theta, depth, s);
  out.fill(0);
  ds.fill(0);
  out[depth] = gradW[B[0]!]!; // c0
  out[depth + 1] = gradW[W[0]!]!; // c1
  out[0] = -gradW[B[0]! + 2]!; // t2 bias -a_1
  let dc2 = 0;
  for (let i = 1; i <= depth; i++) {
    const a = theta[i - 1]!;
    const q = a * (1 - a);
    const w = W[i]!;
    const gsa = gradW[w + 1]!; // d/d(c2 sa_i)
    const gsb = -gradW[w + 2]!; // d/d(c2 sb_i)
    const sa = s[i]! / a;
    const sb = s[i]! / q;
    dc2 += gsa * sa + gsb * sb;
    const dsa = c2 * gsa;
    const dsb = c2 * gsb;
    // sa = s_i / a, sb = s_i / (a (1 - a)).
    ds[i] += dsa / a + dsb / q;
    out[i - 1] += (-dsa * s[i]!) / (a * a) - (dsb * s[i]! * (1 - 2 * a)) / (q * q);
    if (i === depth) break;
    // alpha = 1/a, beta = 1/(a(1-a)), the t2 bias weight -a_{i+1}.
    const dAlpha = gradW[w + 4 + 1]! + gradW[w + 8 + 1]!;
    const dBeta = -(gradW[w + 4 + 2]! + gradW[w + 8 + 2]!);
    out[i - 1] += -dAlpha / (a * a) - (dBeta * (1 - 2 * a)) / (q * q);
    out[i] -= gradW[w + 8 + 3]!;
  }
  // s_i = s_{i-1} (1 - a_i) a_{i+1}, a_{d+1} = 1/2 (constant), s_0 = 1 (constant).
  for (let i = depth; i >= 1; i--) {
    const ai = theta[i - 1]!;
    const next = i < depth ? theta[i]! : 0.5;
    ds[i - 1] += ds[i]! * (1 - ai) * next;
    out[i - 1] -= ds[i]! * s[i - 1]! * next;
    if (i < depth) out[i] += ds[i]! * s[i - 1]! * (1 - ai);
  }
  out[depth + 2] = dc2;
}

/**
 * The phase-1 network for theta = [a_1..a_d, c0, c1, c2] with the triangle weights of `milkert`
 * (exact structure: 2^d linear regions on [0, 1] when c2 != 0), on the domain [0, 1].
 * Throws E_ARGS when a peak is so close to 0 or 1 that the structure fails in float64.
 */
export function milkertNetworkFromPeaks(theta: ArrayLike<number>, depth: number): Network {
  checkPeaks(theta, depth);
  const peaks = Array.from({ length: depth }, (_, i) => theta[i]!);
  const [c0, c1, c2] = [theta[depth]!, theta[depth + 1]!, theta[depth + 2]!];
  const s = new Float64Array(depth + 1);
  scales(theta, depth, s);
  const K = sumOffset(c0, c1, c2, s, depth);
  const base = milkert(depth, { peaks });
  const layers = base.layers.map((l) => ({ weights: l.weights.map((r) => r.slice()), bias: l.bias.slice(), activation: l.activation }));
  layers[0]!.weights[0] = [c1];
  layers[0]!.bias[0] = c0 + K;
  for (let l = 1; l <= depth; l++) {
    const row = layers[l]!.weights[0]!; // [1, sa, -sb, 0]
    layers[l]!.weights[0] = [1, c2 * row[1]!, c2 * row[2]!, 0];
  }
  layers[depth]!.bias[0] = -K;
  return { inputDim: 1, layers, domain: { bounds: [[0, 1]] } };
}

/**
 * Sets c0, c1, c2 of theta to the least-squares fit of y ~ c0 + c1 x + c2 G(x) on (xs, ys) for
 * the current peaks (G evaluated directly from the triangles: W_0 = x, W_i = T_{a_i}(W_{i-1})).
 * Used once, at the start of phase 1, so that the first steps do not drag the peaks around while
 * the output coefficients are still far off. Leaves c unchanged if the 3 x 3 system is singular.
 */
export function fitOutputCoefficients(theta: Float64Array, depth: number, xs: ArrayLike<number>, ys: ArrayLike<number>): void {
  const s = new Float64Array(depth + 1);
  scales(theta, depth, s);
  // Normal equations A c = b for the features (1, x, G).
  const A = [new Float64Array(4), new Float64Array(4), new Float64Array(4)];
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]!;
    let w = x;
    let g = 0;
    for (let i = 1; i <= depth; i++) {
      const a = theta[i - 1]!;
      w = w <= a ? w / a : (1 - w) / (1 - a);
      g += s[i]! * w;
    }
    const f = [1, x, g];
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) A[r]![c] += f[r]! * f[c]!;
      A[r]![3] += f[r]! * ys[k]!;
    }
  }
  // Gaussian elimination with partial pivoting.
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[pivot]![col]!)) pivot = r;
    if (!(Math.abs(A[pivot]![col]!) > 1e-300)) return;
    [A[col], A[pivot]] = [A[pivot]!, A[col]!];
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const m = A[r]![col]! / A[col]![col]!;
      for (let c = col; c < 4; c++) A[r]![c] -= m * A[col]![c]!;
    }
  }
  const c = [A[0]![3]! / A[0]![0]!, A[1]![3]! / A[1]![1]!, A[2]![3]! / A[2]![2]!];
  if (!c.every(Number.isFinite)) return;
  theta[depth] = c[0]!;
  theta[depth + 1] = c[1]!;
  theta[depth + 2] = c[2]!;
}
