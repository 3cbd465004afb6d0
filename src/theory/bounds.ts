/**
 * Closed-form bounds on the number of regions of piecewise-linear networks, in exact BigInt
 * arithmetic (counts overflow float64 quickly: 2^1100 is already out of range).
 *
 * Notation (the papers'): n0 is the input dimension, the network has L hidden layers of widths
 * n_1, ..., n_L (the `widths` argument; the output layer is not listed), N = n_1 + ... + n_L is the
 * number of hidden neurons, C(n, j) is a binomial coefficient and S(n, d) = sum_{j=0}^{d} C(n, j)
 * is the number of regions of n hyperplanes in general position in R^d (Zaslavsky 1975).
 *
 * "Regions" in the upper bounds are activation regions (sets of inputs with one activation
 * pattern, Serra et al.'s Definition 2); linear regions (maximal connected sets where the function
 * is affine, their Definition 1) are never more numerous, so every upper bound holds for both. The
 * lower bounds are attained by constructions whose linear and activation regions coincide.
 *
 * Every function checks its validity conditions and throws a {@link LinearRegionsError} with code
 * E_ARGS naming the failed condition; {@link computeBounds} collects the valid ones and the reasons
 * for the others. Nothing here imports a Node built-in (the browser entry re-exports this file).
 *
 * Sources, with the statement each function implements:
 * - Zaslavsky, "Facing up to arrangements" (1975): S(n, d) regions for n hyperplanes in general
 *   position in R^d.
 * - Pascanu, Montufar, Bengio, "On the number of response regions of deep feedforward networks
 *   with piecewise linear activations" (arXiv:1312.6098, ICLR 2014; the "2013" preprint).
 * - Montufar, Pascanu, Cho, Bengio, "On the number of linear regions of deep neural networks"
 *   (NIPS 2014, arXiv:1402.1869): ReLU lower bound (Theorem 4 in v2) and deep maxout lower bound
 *   (Theorem 8).
 * - Montufar, "Notes on the number of linear regions of deep neural networks" (SampTA 2017).
 * - Serra, Tjandraatmadja, Ramalingam, "Bounding and counting linear regions of deep neural
 *   networks" (ICML 2018, arXiv:1711.02114): Theorem 1 (upper), the lower bound for n_l >= 3 n0,
 *   and the maxout upper bound. Theorem numbers differ between the versions; the numbers quoted
 *   below are those of the version consulted, and the statements are quoted in full.
 * - Zhang, Naitzat, Lim, "Tropical geometry of deep neural networks" (ICML 2018, arXiv:1805.07091).
 * - Hanin, Rolnick, "Complexity of linear regions in deep networks" (ICML 2019, arXiv:1901.09021)
 *   and "Deep ReLU networks have surprisingly few activation patterns" (NeurIPS 2019,
 *   arXiv:1906.00904).
 */
import { LinearRegionsError } from '../errors.js';

/** Names of the exact (BigInt) bounds, in the order they are reported. */
export const BOUND_NAMES = [
  'naive',
  'zaslavsky',
  'montufar2017',
  'serra2018',
  'zhang2018',
  'pascanu2013',
  'montufar2014',
  'serra2018Lower',
  'serra2018Maxout',
  'montufar2014Maxout',
] as const;
export type BoundName = (typeof BOUND_NAMES)[number];

/** Names of the floating-point estimates (expectations at random initialisation). */
export const ESTIMATE_NAMES = ['haninRolnick2019'] as const;
export type EstimateName = (typeof ESTIMATE_NAMES)[number];

export type BoundKind = 'upper' | 'lower' | 'exact' | 'expectation';

/** What each bound is and where it comes from (for tables and docs). */
export const BOUND_INFO: Record<BoundName | EstimateName, { kind: BoundKind; activation: 'relu' | 'maxout' | 'any'; source: string }> = {
  naive: { kind: 'upper', activation: 'any', source: '2^N activation patterns (k^N for rank-k maxout)' },
  zaslavsky: { kind: 'exact', activation: 'relu', source: 'Zaslavsky 1975: one hidden layer, hyperplanes in general position' },
  montufar2017: { kind: 'upper', activation: 'relu', source: 'Montufar 2017 (SampTA), as quoted in Serra et al. 2018, Sec. 3' },
  serra2018: { kind: 'upper', activation: 'relu', source: 'Serra, Tjandraatmadja, Ramalingam 2018, Theorem 1' },
  zhang2018: { kind: 'upper', activation: 'relu', source: 'Zhang, Naitzat, Lim 2018 (tropical), Theorem 6.3' },
  pascanu2013: { kind: 'lower', activation: 'relu', source: 'Pascanu, Montufar, Bengio 2013 (arXiv:1312.6098)' },
  montufar2014: { kind: 'lower', activation: 'relu', source: 'Montufar, Pascanu, Cho, Bengio 2014, Theorem 4' },
  serra2018Lower: { kind: 'lower', activation: 'relu', source: 'Serra et al. 2018, lower bound for n_l >= 3 n0' },
  serra2018Maxout: { kind: 'upper', activation: 'maxout', source: 'Serra et al. 2018, maxout upper bound' },
  montufar2014Maxout: { kind: 'lower', activation: 'maxout', source: 'Montufar et al. 2014, Theorem 8 (deep maxout)' },
  haninRolnick2019: {
    kind: 'expectation',
    activation: 'relu',
    source: 'Hanin & Rolnick 2019 (NeurIPS), Theorem 1: E[#regions in K] <= vol(K) (T N)^n0 / n0!',
  },
};

function argsError(message: string): never {
  throw new LinearRegionsError('E_ARGS', message);
}

/** Checks n0 and the widths: positive safe integers, at least one hidden layer. */
function checkArchitecture(inputDim: number, widths: readonly number[]): void {
  if (!Number.isSafeInteger(inputDim) || inputDim < 1) argsError(`the input dimension must be a positive integer, got ${inputDim}`);
  if (!Array.isArray(widths) || widths.length === 0) argsError('widths must list at least one hidden layer');
  widths.forEach((w, i) => {
    if (!Number.isSafeInteger(w) || w < 1) argsError(`width of hidden layer ${i + 1} must be a positive integer, got ${w}`);
  });
}

function checkPieces(pieces: number): void {
  if (!Number.isSafeInteger(pieces) || pieces < 2) argsError(`maxout rank (pieces per unit) must be an integer >= 2, got ${pieces}`);
}

function big(n: number | bigint): bigint {
  return typeof n === 'bigint' ? n : BigInt(n);
}

/** C(n, k) exactly; 0 when k < 0 or k > n. */
export function binomial(n: number | bigint, k: number | bigint): bigint {
  const N = big(n);
  let K = big(k);
  if (K < 0n || N < 0n || K > N) return 0n;
  if (K > N - K) K = N - K;
  let r = 1n;
  for (let i = 1n; i <= K; i++) r = (r * (N - K + i)) / i; // exact: r is C(N-K+i, i) after each step
  return r;
}

/** Binomials C(n, 0..d) (d clipped to n), computed incrementally. */
function binomialRow(n: number | bigint, d: number): bigint[] {
  const N = big(n);
  const top = N < BigInt(d) ? Number(N) : d;
  const row: bigint[] = [1n];
  for (let j = 1; j <= top; j++) row.push((row[j - 1]! * (N - BigInt(j) + 1n)) / BigInt(j));
  return row;
}

/**
 * S(n, d) = sum_{j=0}^{d} C(n, j): the number of regions of n hyperplanes in general position in
 * R^d (Zaslavsky 1975). Equals 2^n when d >= n.
 */
export function sumBinomials(n: number | bigint, d: number): bigint {
  if (!Number.isSafeInteger(d) || d < 0) argsError(`the dimension must be a non-negative integer, got ${d}`);
  return binomialRow(n, d).reduce((a, b) => a + b, 0n);
}

/**
 * Regions of an arrangement of `hyperplanes` hyperplanes in general position in R^`dimension`:
 * sum_{j=0}^{dimension} C(hyperplanes, j) (Zaslavsky 1975). Exact for one hidden ReLU layer of
 * that width with weights in general position, and an upper bound for any weights.
 */
export function arrangementRegions(dimension: number, hyperplanes: number): bigint {
  if (!Number.isSafeInteger(hyperplanes) || hyperplanes < 0) argsError(`the number of hyperplanes must be a non-negative integer, got ${hyperplanes}`);
  return sumBinomials(hyperplanes, dimension);
}

/**
 * `naive`: every region has its own activation pattern, so there are at most 2^N of them for N
 * ReLU neurons, and at most k^N for N rank-k maxout units (Montufar et al. 2014, Sec. 3, the 2^N
 * bound; each maxout unit has k possible argmax values). Valid for every architecture.
 */
export function naiveBound(inputDim: number, widths: readonly number[], pieces = 2): bigint {
  checkArchitecture(inputDim, widths);
  checkPieces(pieces);
  const n = widths.reduce((a, b) => a + b, 0);
  return BigInt(pieces) ** BigInt(n);
}

/**
 * `zaslavsky`: the exact maximal number of regions of a network with ONE hidden ReLU layer of
 * width n_1 on R^n0: S(n_1, n0) = sum_{j=0}^{n0} C(n_1, j) (Zaslavsky 1975; attained iff the
 * hyperplanes are in general position, as Serra et al. 2018 recall in Sec. 2).
 *
 * Valid only for one hidden layer.
 */
export function zaslavsky(inputDim: number, widths: readonly number[]): bigint {
  checkArchitecture(inputDim, widths);
  if (widths.length !== 1) argsError(`zaslavsky applies to one hidden layer only (got ${widths.length})`);
  return sumBinomials(widths[0]!, inputDim);
}

/**
 * `montufar2017` (upper): prod_{l=1}^{L} S(n_l, d_l) with d_l = min(n0, n_1, ..., n_l)
 * (Montufar 2017, SampTA; statement as quoted by Serra et al. 2018, Sec. 3). Valid for every
 * ReLU architecture.
 */
export function montufar2017(inputDim: number, widths: readonly number[]): bigint {
  checkArchitecture(inputDim, widths);
  let d = inputDim;
  let product = 1n;
  for (const n of widths) {
    d = Math.min(d, n);
    product *= sumBinomials(n, d);
  }
  return product;
}

/**
 * Sum over J of prod_l C(m_l, j_l) where m_l is the number of hyperplanes of layer l and
 * J = {0 <= j_l <= min(n0, n_1 - j_1, ..., n_{l-1} - j_{l-1}, n_l)}. Computed by dynamic
 * programming over (layer, current dimension budget) instead of enumerating J:
 * f(l, m) = sum_{j=0}^{min(m, n_l)} C(m_l, j) f(l+1, min(m, n_l - j)), f(L+1, m) = 1, answer f(1, n0).
 */
function serraSum(inputDim: number, widths: readonly number[], hyperplanes: readonly bigint[]): bigint {
  const maxWidth = Math.max(...widths);
  const top = Math.min(inputDim, maxWidth); // the budget m never exceeds this after layer 1
  let next: bigint[] = new Array<bigint>(top + 1).fill(1n); // f(L+1, m) = 1
  for (let l = widths.length - 1; l >= 0; l--) {
    const n = widths[l]!;
    const row = binomialRow(hyperplanes[l]!, Math.min(top, n));
    const cur: bigint[] = new Array<bigint>(top + 1).fill(0n);
    for (let m = 0; m <= top; m++) {
      let s = 0n;
      const jmax = Math.min(m, n);
      for (let j = 0; j <= jmax; j++) s += (row[j] ?? 0n) * next[Math.min(m, n - j)]!;
      cur[m] = s;
    }
    next = cur;
  }
  return next[top]!; // f(1, min(n0, ...)): the first layer's budget is min(n0, n_1) <= top
}

/**
 * `serra2018` (upper), Serra, Tjandraatmadja, Ramalingam 2018, Theorem 1: a deep rectifier
 * network with L layers of n_l ReLUs and input dimension n0 has at most
 *
 *   sum_{(j_1..j_L) in J} prod_{l=1}^{L} C(n_l, j_l),
 *   J = {(j_1..j_L) in Z^L : 0 <= j_l <= min(n0, n_1 - j_1, ..., n_{l-1} - j_{l-1}, n_l) for all l}
 *
 * regions; tight for L = 1, and (their Theorem 5, n0 = 1, n_l >= 3) exactly prod (n_l + 1) is
 * attained in dimension one. Computed by memoised recursion over (layer, dimension budget), never
 * by enumerating J. Valid for every ReLU architecture.
 */
export function serra2018(inputDim: number, widths: readonly number[]): bigint {
  checkArchitecture(inputDim, widths);
  return serraSum(inputDim, widths, widths.map((n) => BigInt(n)));
}

/**
 * `serra2018Lower` (lower), Serra et al. 2018 (Theorem 6 in the version consulted): a rectifier
 * network with n0 inputs and L hidden layers with n_l >= 3 n0 for all l can have
 *
 *   (prod_{l=1}^{L-1} (floor(n_l / n0) + 1)^{n0}) * sum_{j=0}^{n0} C(n_L, j)
 *
 * linear regions. Valid only when every n_l >= 3 n0.
 */
export function serra2018Lower(inputDim: number, widths: readonly number[]): bigint {
  checkArchitecture(inputDim, widths);
  const bad = widths.findIndex((n) => n < 3 * inputDim);
  if (bad >= 0) argsError(`serra2018Lower needs every width >= 3 n0 = ${3 * inputDim} (layer ${bad + 1} has ${widths[bad]})`);
  let product = 1n;
  for (let l = 0; l < widths.length - 1; l++) product *= BigInt(Math.floor(widths[l]! / inputDim) + 1) ** BigInt(inputDim);
  return product * sumBinomials(widths[widths.length - 1]!, inputDim);
}

function checkAtLeastInput(name: string, inputDim: number, widths: readonly number[]): void {
  const bad = widths.findIndex((n) => n < inputDim);
  if (bad >= 0) argsError(`${name} needs every width >= n0 = ${inputDim} (layer ${bad + 1} has ${widths[bad]})`);
}

/**
 * `pascanu2013` (lower), Pascanu, Montufar, Bengio (arXiv:1312.6098): for widths n_i >= n0,
 * some ReLU network of that architecture has at least
 *
 *   (prod_{i=1}^{L-1} floor(n_i / n0)) * sum_{j=0}^{n0} C(n_L, j)
 *
 * linear regions (the exponent n0 of Montufar et al. 2014 is missing here: each folding layer
 * replicates along one direction only). Valid only when every n_i >= n0.
 *
 * Caveat: only the paper's abstract (its asymptotic form Omega(floor(n/n0)^(L-1) n^n0)) could be
 * checked; the exact statement and its theorem number were not retrieved.
 */
export function pascanu2013(inputDim: number, widths: readonly number[]): bigint {
  checkArchitecture(inputDim, widths);
  checkAtLeastInput('pascanu2013', inputDim, widths);
  let product = 1n;
  for (let i = 0; i < widths.length - 1; i++) product *= BigInt(Math.floor(widths[i]! / inputDim));
  return product * sumBinomials(widths[widths.length - 1]!, inputDim);
}

/**
 * `montufar2014` (lower), Montufar, Pascanu, Cho, Bengio 2014, Theorem 4 (v2 numbering): a deep
 * rectifier network with n0 inputs and L hidden layers of widths n_i >= n0 can compute functions
 * with at least
 *
 *   (prod_{i=1}^{L-1} floor(n_i / n0)^{n0}) * sum_{j=0}^{n0} C(n_L, j)
 *
 * linear regions (the folding construction; see `montufarFolding` in constructions.ts). Valid
 * only when every n_i >= n0.
 */
export function montufar2014(inputDim: number, widths: readonly number[]): bigint {
  checkArchitecture(inputDim, widths);
  checkAtLeastInput('montufar2014', inputDim, widths);
  let product = 1n;
  for (let i = 0; i < widths.length - 1; i++) product *= BigInt(Math.floor(widths[i]! / inputDim)) ** BigInt(inputDim);
  return product * sumBinomials(widths[widths.length - 1]!, inputDim);
}

/**
 * `zhang2018` (upper), Zhang, Naitzat, Lim 2018 (tropical geometry), Theorem 6.3: a ReLU network
 * on R^d whose hidden layers have widths n_l >= d has at most prod_{l} sum_{i=0}^{d} C(n_l, i)
 * linear regions (their L-layer network counts the output layer, so the product runs over the
 * hidden layers). Under its condition it coincides with montufar2017. Valid only when every
 * n_l >= n0.
 *
 * Caveat: the statement is implemented from the paper as remembered by the author of this file;
 * the theorem text could not be retrieved to re-check it (see docs/theory.md).
 */
export function zhang2018(inputDim: number, widths: readonly number[]): bigint {
  checkArchitecture(inputDim, widths);
  checkAtLeastInput('zhang2018', inputDim, widths);
  let product = 1n;
  for (const n of widths) product *= sumBinomials(n, inputDim);
  return product;
}

/**
 * `serra2018Maxout` (upper), Serra et al. 2018 (Theorem 8 in the version consulted): a network
 * with L layers of n_l rank-k maxout units and input dimension n0 has at most
 *
 *   prod_{l=1}^{L} sum_{j=0}^{d_l} C(k (k - 1) / 2 * n_l, j),  d_l = min(n0, n_1, ..., n_l)
 *
 * regions (each unit contributes the k(k-1)/2 hyperplanes where two of its pieces tie). Valid for
 * every maxout architecture.
 */
export function serra2018Maxout(inputDim: number, widths: readonly number[], pieces: number): bigint {
  checkArchitecture(inputDim, widths);
  checkPieces(pieces);
  const perUnit = BigInt((pieces * (pieces - 1)) / 2);
  let d = inputDim;
  let product = 1n;
  for (const n of widths) {
    d = Math.min(d, n);
    product *= sumBinomials(perUnit * BigInt(n), d);
  }
  return product;
}

/**
 * `montufar2014Maxout` (lower), Montufar et al. 2014, Theorem 8: a rank-k maxout network with L
 * layers of width n0 can compute functions with at least k^{L-1} * k^{n0} linear regions.
 *
 * The theorem is stated for width exactly n0; it is reported for widths n_l >= n0 because extra
 * units given zero outgoing weights leave the function unchanged, so the maximum cannot drop
 * (this extension is ours, not the paper's). Valid only when every n_l >= n0.
 *
 * Caveat: the statement is taken from two secondary sources that agree; the paper's text was not
 * retrieved. Its single-layer maxout bounds (Proposition 7) are not implemented for that reason.
 */
export function montufar2014Maxout(inputDim: number, widths: readonly number[], pieces: number): bigint {
  checkArchitecture(inputDim, widths);
  checkPieces(pieces);
  checkAtLeastInput('montufar2014Maxout', inputDim, widths);
  return BigInt(pieces) ** BigInt(widths.length - 1 + inputDim);
}

export interface HaninRolnickOptions {
  /** C_grad: bound on the moments of the neurons' input gradients, sup_x E[||grad z(x)||^m]^(1/m). Default 1. */
  cGrad?: number;
  /** C_bias: bound on the (conditional) density of each bias. Default 1. */
  cBias?: number;
  /** Volume of the region K counted over (default 1: the result is a density per unit volume). */
  volume?: number;
}

/**
 * `haninRolnick2019` (expectation, float): Hanin & Rolnick, "Deep ReLU networks have surprisingly
 * few activation patterns" (NeurIPS 2019), Theorem 1: for random weights and biases whose biases
 * have conditional densities bounded by C_bias and whose neurons have input gradients with
 * moments bounded by C_grad, the expected number of activation regions meeting a cube K satisfies
 *
 *   E[#regions in K] / vol(K) <= (T N)^{n0} / n0!   for N >= n0 hidden neurons,
 *
 * independently of how the N neurons are arranged in layers (depth does not enter). We use
 * T = 2 C_grad C_bias, the constant that makes the n0 = 1 case agree with the companion paper
 * "Complexity of linear regions in deep networks" (ICML 2019), whose boundary-density theorem
 * gives E[vol_{n0-k}(boundary of codimension k in K)] / vol(K) <= C(N, k) (2 C_grad C_bias)^k
 * (restated with that constant by Tiwari & Konidaris 2022, Thm. 3.3 with C_M = 1).
 *
 * Caveat: the text of the NeurIPS theorem defining T could not be retrieved, so T = 2 C_grad C_bias
 * is an inference from the 1-D case, and C_grad and C_bias are parameters (default 1), not
 * derived from an initialisation. The paper reports that the bound, with constants near 1, is
 * close to what is measured. Returns a float. Valid only when N >= n0.
 */
export function haninRolnick2019(inputDim: number, neurons: number, options: HaninRolnickOptions = {}): number {
  if (!Number.isSafeInteger(inputDim) || inputDim < 1) argsError(`the input dimension must be a positive integer, got ${inputDim}`);
  if (!Number.isSafeInteger(neurons) || neurons < 1) argsError(`the number of neurons must be a positive integer, got ${neurons}`);
  const cGrad = options.cGrad ?? 1;
  const cBias = options.cBias ?? 1;
  const volume = options.volume ?? 1;
  for (const [name, v] of [['cGrad', cGrad], ['cBias', cBias], ['volume', volume]] as const) {
    if (!Number.isFinite(v) || v <= 0) argsError(`${name} must be a positive finite number, got ${v}`);
  }
  if (neurons < inputDim) {
    argsError(`haninRolnick2019 needs N >= n0 (the theorem's other case is the naive 2^N); N = ${neurons}, n0 = ${inputDim}`);
  }
  const t = 2 * cGrad * cBias;
  let value = volume;
  for (let i = 1; i <= inputDim; i++) value *= (t * neurons) / i; // vol (T N)^n0 / n0!, without overflowing early
  return value;
}

export interface BoundsOptions extends HaninRolnickOptions {
  /** Rank k of maxout units (pieces per unit). Absent: a ReLU network. */
  maxout?: number;
}

export interface BoundsReport {
  inputDim: number;
  widths: number[];
  /** Pieces per maxout unit, or undefined for ReLU. */
  maxout?: number;
  /** The valid exact bounds, in {@link BOUND_NAMES} order. */
  bounds: Partial<Record<BoundName, bigint>>;
  /** The valid floating-point estimates. */
  estimates: Partial<Record<EstimateName, number>>;
  /** Bounds left out, each with the reason (a failed condition or another activation). */
  omitted: Partial<Record<BoundName | EstimateName, string>>;
}

/**
 * Every bound that applies to the architecture (n0 inputs, hidden `widths`, ReLU or rank-k maxout),
 * with the reason for each one left out.
 *
 * @throws LinearRegionsError E_ARGS when the architecture itself is invalid.
 */
export function computeBounds(inputDim: number, widths: readonly number[], options: BoundsOptions = {}): BoundsReport {
  checkArchitecture(inputDim, widths);
  const k = options.maxout;
  if (k !== undefined) checkPieces(k);
  const report: BoundsReport = { inputDim, widths: [...widths], bounds: {}, estimates: {}, omitted: {} };
  if (k !== undefined) report.maxout = k;
  const relu: Partial<Record<BoundName, () => bigint>> = {
    naive: () => naiveBound(inputDim, widths),
    zaslavsky: () => zaslavsky(inputDim, widths),
    montufar2017: () => montufar2017(inputDim, widths),
    serra2018: () => serra2018(inputDim, widths),
    zhang2018: () => zhang2018(inputDim, widths),
    pascanu2013: () => pascanu2013(inputDim, widths),
    montufar2014: () => montufar2014(inputDim, widths),
    serra2018Lower: () => serra2018Lower(inputDim, widths),
  };
  const maxout: Partial<Record<BoundName, () => bigint>> = {
    naive: () => naiveBound(inputDim, widths, k),
    serra2018Maxout: () => serra2018Maxout(inputDim, widths, k!),
    montufar2014Maxout: () => montufar2014Maxout(inputDim, widths, k!),
  };
  const table = k === undefined ? relu : maxout;
  for (const name of BOUND_NAMES) {
    const f = table[name];
    if (f === undefined) {
      report.omitted[name] =
        k === undefined ? 'a maxout bound (use --maxout K / the maxout option)' : `a ReLU bound; the network is rank-${k} maxout`;
      continue;
    }
    try {
      report.bounds[name] = f();
    } catch (err) {
      if (!(err instanceof LinearRegionsError)) throw err;
      report.omitted[name] = err.message;
    }
  }
  if (k !== undefined) {
    report.omitted.haninRolnick2019 = `stated for ReLU networks; the network is rank-${k} maxout`;
  } else {
    try {
      report.estimates.haninRolnick2019 = haninRolnick2019(
        inputDim,
        widths.reduce((a, b) => a + b, 0),
        options,
      );
    } catch (err) {
      if (!(err instanceof LinearRegionsError)) throw err;
      report.omitted.haninRolnick2019 = err.message;
    }
  }
  return report;
}

/**
 * The report as one JSON-ready object mapping each valid bound and estimate to its value as a
 * decimal string (bigints exactly; floats as the shortest round-trip decimal).
 */
export function boundsToJson(report: BoundsReport): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of BOUND_NAMES) {
    const v = report.bounds[name];
    if (v !== undefined) out[name] = v.toString();
  }
  for (const name of ESTIMATE_NAMES) {
    const v = report.estimates[name];
    if (v !== undefined) out[name] = String(v);
  }
  return out;
}
