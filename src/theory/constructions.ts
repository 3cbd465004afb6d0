/**
 * The papers' constructions, as networks in the JSON format with their natural `domain`:
 *
 * - {@link sawtooth}: Telgarsky's composed hat, exactly 2^L linear regions on [0, 1].
 * - {@link montufarFolding}: the folding construction of Montufar, Pascanu, Cho, Bengio 2014,
 *   exactly their lower bound (activation and, when n_L > n0, linear regions) on [0, 1]^n0.
 * - {@link milkert}: the width-4 triangle-wave reparameterisation of Milkert, Hyde, Laine
 *   (ICML 2025), exactly 2^d activation and linear regions on [0, 1] for any peaks in (0, 1).
 * - {@link randomNetwork}: seeded He, Glorot or uniform initialisation.
 *
 * Every weight is a float64 chosen so that the count is exact for the weights as written: the
 * folding and sawtooth weights are small dyadic rationals; the Milkert weights are rounded in the
 * direction that keeps the structure, and the structure is then checked in exact dyadic
 * arithmetic (BigInt) before the network is returned. No Node built-ins.
 */
import { LinearRegionsError } from '../errors.js';
import type { Layer, Network } from '../network/types.js';

/** A network with a human-readable `description` (an extra field the loader ignores). */
export type ConstructedNetwork = Network & { description: string };

export const CONSTRUCTION_NAMES = ['sawtooth', 'montufar', 'milkert', 'random'] as const;
export type ConstructionName = (typeof CONSTRUCTION_NAMES)[number];

function argsError(message: string): never {
  throw new LinearRegionsError('E_ARGS', message);
}

function checkInt(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    argsError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness: mulberry32 (32-bit state), 53-bit uniforms, Box-Muller normals.

export interface Rng {
  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
}

/**
 * A seeded generator (seed: any integer; only its low 32 bits are used). The uniform draws are
 * identical on every platform (32-bit integer arithmetic); the normal draws use Math.log and
 * Math.cos, which JavaScript engines may round differently in the last bit, so He/Glorot
 * networks are reproducible on one engine but not necessarily bit for bit across engines.
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const uniform = (): number => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
  const normal = (): number => {
    let u = 0;
    while (u === 0) u = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal };
}

// ---------------------------------------------------------------------------------------------
// Telgarsky's sawtooth.

/**
 * Telgarsky's sawtooth ("Representation benefits of deep feedforward networks", 2015; "Benefits
 * of depth in neural networks", COLT 2016): the hat t(x) = 2 relu(x) - 4 relu(x - 1/2) maps [0, 1]
 * onto [0, 1] in 2 monotone pieces, so t composed L times has 2^L pieces with slopes +-2^L
 * alternating. Hidden layer k holds relu(t^{k-1}(x)) and relu(t^{k-1}(x) - 1/2); the first never
 * splits a cell (it vanishes only at existing breakpoints), the second crosses 0 once inside each
 * monotone piece. Exactly 2^L activation and 2^L linear regions on the domain [0, 1].
 */
export function sawtooth(depth: number): ConstructedNetwork {
  checkInt('sawtooth depth', depth, 1, 10_000);
  const layers: Layer[] = [{ weights: [[1], [1]], bias: [0, -0.5], activation: 'relu' }];
  for (let k = 1; k < depth; k++) layers.push({ weights: [[2, -4], [2, -4]], bias: [0, -0.5], activation: 'relu' });
  layers.push({ weights: [[2, -4]], bias: [0], activation: 'linear' });
  return {
    description: `Telgarsky's sawtooth: the hat t(x) = 2 relu(x) - 4 relu(x - 1/2) composed ${depth} times on [0, 1]; exactly 2^${depth}${depth <= 53 ? ` = ${2 ** depth}` : ''} linear regions.`,
    inputDim: 1,
    layers,
    domain: { bounds: [[0, 1]] },
  };
}

// ---------------------------------------------------------------------------------------------
// Montufar et al. 2014: folding.

/**
 * The folding construction of Montufar, Pascanu, Cho, Bengio (NIPS 2014, Sec. 3, Theorem 4),
 * which attains their lower bound (prod_{i<L} floor(n_i/n0)^n0) * sum_{j<=n0} C(n_L, j).
 *
 * Domain [0, 1]^n0. Each hidden layer i < L splits its units into n0 groups of p = floor(n_i/n0)
 * (one group per input coordinate; the n_i - n0 p leftover units get zero weights and bias, so
 * they are identically 0 and split nothing). In group j the units are relu(z), relu(2z - 1), ...,
 * relu(2z - (p-1)) of a coordinate z in [0, p/2], and their alternating sum
 * y = h_1 - h_2 + h_3 - ... is a zigzag that maps each of p intervals of z onto [0, 1/2] (the
 * paper's h-tilde). So each layer folds every coordinate p times: after L-1 layers the cube is
 * cut into prod p_i^n0 boxes, each mapped affinely onto [0, 1/2]^n0 (z = (p/2) x_j in layer 1 and
 * z = p y_j afterwards; all weights are small integers or halves, exact in float64).
 *
 * The last hidden layer is an arrangement of n_L hyperplanes in general position whose every
 * region meets the open cube: with w = coordinates of the folded point shifted to
 * [-1/2, 1/2]^n0, unit k (k = 1..n_L) has pre-activation s_k (eps + sum_j k^j w_j), with
 * eps = 2^-(n0+1) and s_k = (-1)^(k-1). Any n0 normals (k, k^2, ..., k^n0) are independent
 * (a Vandermonde determinant), no n0 + 1 hyperplanes meet (eps != 0 and the full Vandermonde is
 * invertible), and the vertex of a set K of n0 indices has w_j = eps (-1)^j e_j(1/k : k in K),
 * so |w_j| <= eps C(n0, j) < 1/2: every vertex, hence every region, is inside the cube
 * (Zaslavsky's count sum_{j<=n0} C(n_L, j) in every box). These hyperplanes are our choice; the
 * paper only requires general position.
 *
 * Output: the identity on the n_L last units (n_L linear outputs). With the alternating signs s_k
 * no region has all last units off when n_L > n0 (that pattern would need a polynomial of degree
 * <= n0 with n_L + 1 > n0 sign changes), so neighbouring boxes never share an output map and the
 * linear regions equal the activation regions. When n_L <= n0 the activation count still equals
 * the bound but all-off regions of neighbouring boxes can merge into one linear region.
 *
 * Requires every folding width n_i >= n0 (i < L) and n_L >= 1.
 */
export function montufarFolding(inputDim: number, widths: readonly number[]): ConstructedNetwork {
  checkInt('montufar input dimension', inputDim, 1, 64);
  if (!Array.isArray(widths) || widths.length === 0) argsError('montufar needs at least one hidden layer (--widths)');
  widths.forEach((w, i) => checkInt(`montufar width of hidden layer ${i + 1}`, w, 1, 100_000));
  const L = widths.length;
  for (let i = 0; i < L - 1; i++) {
    if (widths[i]! < inputDim) {
      argsError(`montufar needs every folding layer (all but the last) to have width >= n0 = ${inputDim}; layer ${i + 1} has ${widths[i]}`);
    }
  }
  const nL = widths[L - 1]!;
  // The last layer's weights 2 k^j and biases eps - (1/2) sum_j k^j must be exact float64 values.
  if (nL ** inputDim * 2 ** (inputDim + 4) > 2 ** 53) {
    throw new LinearRegionsError(
      'E_TOO_LARGE',
      `montufar: ${nL} last-layer units in ${inputDim} dimensions need weights up to ${nL}^${inputDim}, too large for exact float64 weights`,
    );
  }
  const layers: Layer[] = [];
  let prevGroups = 0; // p of the previous folding layer (0: the previous layer is the input)
  let prevWidth = inputDim;
  for (let i = 0; i < L - 1; i++) {
    const n = widths[i]!;
    const p = Math.floor(n / inputDim);
    const weights: number[][] = [];
    const bias: number[] = [];
    for (let j = 0; j < inputDim; j++) {
      for (let k = 1; k <= p; k++) {
        const c = k === 1 ? 1 : 2; // relu(z), relu(2z - 1), ..., relu(2z - (p-1))
        const row = new Array<number>(prevWidth).fill(0);
        if (prevGroups === 0) {
          row[j] = (c * p) / 2; // z = (p/2) x_j, x_j in [0, 1]
        } else {
          for (let m = 1; m <= prevGroups; m++) row[j * prevGroups + (m - 1)] = c * p * (m % 2 === 1 ? 1 : -1); // z = p * y_j
        }
        weights.push(row);
        bias.push(k === 1 ? 0 : -(k - 1));
      }
    }
    for (let u = inputDim * p; u < n; u++) {
      weights.push(new Array<number>(prevWidth).fill(0));
      bias.push(0);
    }
    layers.push({ weights, bias, activation: 'relu' });
    prevGroups = p;
    prevWidth = n;
  }
  // The arrangement layer: pre-activation s_k (eps + sum_j k^j w_j).
  const eps = 2 ** -(inputDim + 1);
  const weights: number[][] = [];
  const bias: number[] = [];
  for (let k = 1; k <= nL; k++) {
    const s = k % 2 === 1 ? 1 : -1;
    const row = new Array<number>(prevWidth).fill(0);
    let constant = eps;
    for (let j = 0; j < inputDim; j++) {
      const coef = k ** (j + 1);
      if (prevGroups === 0) {
        row[j] = s * coef; // w_j = x_j - 1/2
        constant -= coef / 2;
      } else {
        for (let m = 1; m <= prevGroups; m++) row[j * prevGroups + (m - 1)] = s * 2 * coef * (m % 2 === 1 ? 1 : -1); // w_j = 2 y_j - 1/2
        constant -= coef / 2;
      }
    }
    weights.push(row);
    bias.push(s * constant);
  }
  layers.push({ weights, bias, activation: 'relu' });
  layers.push({
    weights: Array.from({ length: nL }, (_, r) => Array.from({ length: nL }, (_, c) => (r === c ? 1 : 0))),
    bias: new Array<number>(nL).fill(0),
    activation: 'linear',
  });
  const folds = widths.slice(0, -1).map((n) => Math.floor(n / inputDim));
  return {
    description:
      `Montufar et al. 2014 folding construction: ${inputDim} input${inputDim === 1 ? '' : 's'}, hidden widths ${widths.join('-')}; ` +
      `folds ${folds.length ? folds.join(', ') : 'none'} per coordinate, then ${nL} hyperplanes in general position; ` +
      `regions on [0, 1]^${inputDim} = (prod floor(n_i/n0)^n0) * sum_{j<=n0} C(n_L, j).`,
    inputDim,
    layers,
    domain: { bounds: Array.from({ length: inputDim }, (): [number, number] => [0, 1]) },
  };
}

// ---------------------------------------------------------------------------------------------
// Exact dyadic arithmetic (every float64 is n * 2^e), for checking the Milkert construction.

interface Dyadic {
  n: bigint;
  e: number;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

function dyadic(x: number): Dyadic {
  if (!Number.isFinite(x)) throw new LinearRegionsError('E_NONFINITE', `non-finite value ${x} in a construction`);
  if (x === 0) return { n: 0n, e: 0 };
  f64[0] = x;
  const bits = u64[0]!;
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  const mant = exp === 0 ? frac : frac | 0x10000000000000n;
  const e = exp === 0 ? -1074 : exp - 1075;
  return norm({ n: bits >> 63n ? -mant : mant, e });
}

function norm(a: Dyadic): Dyadic {
  if (a.n === 0n) return { n: 0n, e: 0 };
  let { n, e } = a;
  while ((n & 1n) === 0n) {
    n >>= 1n;
    e++;
  }
  return { n, e };
}

function dAdd(a: Dyadic, b: Dyadic): Dyadic {
  const e = Math.min(a.e, b.e);
  return norm({ n: (a.n << BigInt(a.e - e)) + (b.n << BigInt(b.e - e)), e });
}

function dNeg(a: Dyadic): Dyadic {
  return { n: -a.n, e: a.e };
}

function dSub(a: Dyadic, b: Dyadic): Dyadic {
  return dAdd(a, dNeg(b));
}

function dMul(a: Dyadic, b: Dyadic): Dyadic {
  return norm({ n: a.n * b.n, e: a.e + b.e });
}

function dSign(a: Dyadic): number {
  return a.n > 0n ? 1 : a.n < 0n ? -1 : 0;
}

function dCmp(a: Dyadic, b: Dyadic): number {
  return dSign(dSub(a, b));
}

/** Nearest float64 (approximately; used only to seed exact searches). */
function dToNumber(a: Dyadic): number {
  if (a.n === 0n) return 0;
  const bits = a.n < 0n ? (-a.n).toString(2).length : a.n.toString(2).length;
  const shift = Math.max(0, bits - 60);
  return Number(a.n >> BigInt(shift)) * 2 ** (a.e + shift);
}

function nextUp(x: number): number {
  f64[0] = x;
  u64[0] = u64[0]! + 1n; // x > 0
  return f64[0]!;
}

function nextDown(x: number): number {
  f64[0] = x;
  u64[0] = u64[0]! - 1n; // x > 0
  return f64[0]!;
}

// ---------------------------------------------------------------------------------------------
// Milkert, Hyde, Laine: exactly 2^d regions.

export interface MilkertOptions {
  /** Seed for peaks drawn uniformly from [0.2, 0.8] (default 1). Ignored when `peaks` is given. */
  seed?: number;
  /** The d triangle peaks a_1..a_d, each in the open interval (0, 1). */
  peaks?: readonly number[];
}

/**
 * The width-4 reparameterised network of Milkert, Hyde, Laine, "Compelling ReLU networks to
 * exhibit exponentially many linear regions at initialization and during training" (ICML 2025,
 * arXiv:2311.18022), reconstructed from its description: each hidden layer applies an asymmetric
 * triangle T_a(u) = u/a on [0, a], (1 - u)/(1 - a) on [a, 1] (two ReLUs, relu(u) and relu(u - a))
 * to the previous layer's wave, so W_i = T_{a_i} o ... o T_{a_1}(x) has 2^i monotone pieces,
 * each mapped onto [0, 1]; a third "sum" unit accumulates F = sum_{i=0}^{d} s_i W_i (W_0 = x)
 * layer by layer, and a fourth "bias" unit holds the constant 1 that positions the next peak.
 * Units per layer: [sum, t1 = relu(W), t2 = relu(W - a b), b]. The scales follow the paper's
 * differentiability recurrence s_{i+1} = s_i (1 - a_{i+1}) a_{i+2} (their Theorem 3.1) with
 * s_0 = 1, completed by a_{d+1} = 1/2 (our choice: the recurrence needs one peak beyond the last
 * layer).
 *
 * Why exactly 2^d regions for any peaks in (0, 1): t1 = relu(W) with W >= 0 never splits a cell;
 * t2 crosses zero once inside each of the 2^(i-1) monotone pieces of W_{i-1}; sum and b stay
 * positive. So layer i doubles the activation regions. F changes slope at every breakpoint: at a
 * breakpoint of layer j the slope change is a fixed multiple of
 * s_j - s_{j+1}/(1-a_{j+1}) - s_{j+2}/((1-a_{j+1}) a_{j+2}) - ..., which with the recurrence is
 * s_j prod_{i=j+2}^{d+1} (1 - a_i) != 0 (up to a non-zero factor), so no two neighbouring
 * regions share an affine map: 2^d linear regions.
 *
 * Float64: 1/a and 1/(a(1 - a)) are rounded; the right-arm weight is rounded down so that each
 * triangle ends at a value >= 0 (never a new zero crossing), and then the whole structure (every
 * peak strictly inside every monotone piece, every low end below the next peak, every slope
 * change non-zero) is verified in exact dyadic arithmetic for the weights as written. Peaks very
 * close to 0 or 1 combined with a large depth can fail that check (rounding errors grow like
 * prod 1/a_i); the function then throws E_ARGS instead of returning a network with another count.
 */
export function milkert(depth: number, options: MilkertOptions = {}): ConstructedNetwork {
  checkInt('milkert depth', depth, 1, 200);
  let peaks: number[];
  let origin: string;
  if (options.peaks !== undefined) {
    if (options.peaks.length !== depth) argsError(`milkert: ${options.peaks.length} peaks given for depth ${depth} (one peak per layer)`);
    peaks = options.peaks.map((a, i) => {
      if (typeof a !== 'number' || !Number.isFinite(a) || !(a > 0 && a < 1)) argsError(`milkert: peak ${i + 1} must be in the open interval (0, 1), got ${a}`);
      return a;
    });
    origin = `peaks ${peaks.join(', ')}`;
  } else {
    const seed = options.seed ?? 1;
    checkInt('milkert seed', seed, 0, 2 ** 32 - 1);
    const rng = createRng(seed);
    peaks = Array.from({ length: depth }, () => 0.2 + 0.6 * rng.uniform());
    origin = `peaks drawn uniformly from [0.2, 0.8] with seed ${seed}: ${peaks.map((a) => a.toPrecision(6)).join(', ')}`;
  }

  // Scales s_0..s_d: s_0 = 1, s_i = s_{i-1} (1 - a_i) a_{i+1}, a_{d+1} = 1/2.
  const a = (i: number): number => (i <= depth ? peaks[i - 1]! : 0.5);
  const s: number[] = [1];
  for (let i = 1; i <= depth; i++) s.push(s[i - 1]! * (1 - a(i)) * a(i + 1));

  // Triangle weights: layer i computes W_i = alpha_i relu(W_{i-1}) - beta_i relu(W_{i-1} - theta_i).
  const alpha: number[] = [NaN];
  const beta: number[] = [NaN];
  const theta: number[] = [NaN];
  const fail = (layer: number, what: string): never =>
    argsError(
      `milkert: in float64, layer ${layer} of ${depth} would not double the regions (${what}); ` +
        'use peaks farther from 0 and 1 or a smaller depth',
    );
  let M: Dyadic = dyadic(1); // the maximum of W_{i-1} (every monotone piece reaches it exactly)
  const maxima: Dyadic[] = [M]; // maxima[i] = the maximum of W_i
  let low: Dyadic = dyadic(0); // an upper bound on the low ends of the monotone pieces (all >= 0)
  for (let i = 1; i <= depth; i++) {
    const m = dToNumber(M);
    const th = a(i) * m;
    const dTh = dyadic(th);
    if (!(dCmp(low, dTh) < 0 && dCmp(dTh, M) < 0)) fail(i, 'the peak is not strictly inside every monotone piece');
    const al = 1 / th;
    const dAl = dyadic(al);
    // beta as large as possible with r = alpha M - beta (M - theta) >= 0 (the triangle ends at >= 0).
    const span = dSub(M, dTh);
    const r = (b: number): Dyadic => dSub(dMul(dAl, M), dMul(dyadic(b), span));
    let be = (al * m) / (m - th);
    if (!(be > 0) || !Number.isFinite(be)) fail(i, 'the right arm is too steep');
    while (dSign(r(be)) < 0) be = nextDown(be);
    while (dSign(r(nextUp(be))) >= 0) be = nextUp(be);
    if (!(be > al)) fail(i, 'the right arm does not descend');
    const rEnd = r(be);
    const lowLeft = dMul(dAl, low);
    low = dCmp(lowLeft, rEnd) >= 0 ? lowLeft : rEnd;
    M = dMul(dAl, dTh);
    maxima.push(M);
    alpha.push(al);
    beta.push(be);
    theta.push(th);
  }
  // The slope change of F at a breakpoint made by layer j, divided by |slope of W_{j-1}|:
  // B_j = -sb_j - beta_j [(sa_{j+1} - sb_{j+1}) + sum_{k>=j+2} sa_k (alpha_{j+1} - beta_{j+1}) prod_{m=j+2}^{k-1} alpha_m].
  // The sum unit adds sa_i relu(W_{i-1}) - sb_i relu(W_{i-1} - theta_i) ~ s_i W_i; sb_i is rounded
  // down so that this term is >= 0 exactly (its minimum is at W_{i-1} = M_{i-1}), which keeps the sum
  // unit > 0 on (0, 1] (it never splits a cell).
  const sa = s.map((v, i) => (i === 0 ? v : v * alpha[i]!));
  const sb = s.map((v, i) => {
    if (i === 0) return 0;
    const m = maxima[i - 1]!;
    const span = dSub(m, dyadic(theta[i]!));
    const end = (b: number): Dyadic => dSub(dMul(dyadic(sa[i]!), m), dMul(dyadic(b), span));
    let b = v * beta[i]!;
    while (dSign(end(b)) < 0) b = nextDown(b);
    return b;
  });
  for (let j = 1; j <= depth; j++) {
    let inner: Dyadic = dyadic(0);
    if (j + 1 <= depth) {
      inner = dSub(dyadic(sa[j + 1]!), dyadic(sb[j + 1]!));
      const right = dSub(dyadic(alpha[j + 1]!), dyadic(beta[j + 1]!));
      let chain = right; // (alpha_{j+1} - beta_{j+1}) prod_{m=j+2}^{k-1} alpha_m
      for (let k = j + 2; k <= depth; k++) {
        inner = dAdd(inner, dMul(dyadic(sa[k]!), chain));
        chain = dMul(chain, dyadic(alpha[k]!));
      }
    }
    const B = dSub(dNeg(dyadic(sb[j]!)), dMul(dyadic(beta[j]!), inner));
    if (dSign(B) === 0) fail(j, 'two neighbouring regions would share an affine map');
  }

  // Layers. Units: [sum, t1, t2, b].
  const layers: Layer[] = [
    { weights: [[s[0]!], [1], [1], [0]], bias: [0, 0, -theta[1]!, 1], activation: 'relu' },
  ];
  for (let i = 1; i < depth; i++) {
    layers.push({
      weights: [
        [1, sa[i]!, -sb[i]!, 0],
        [0, alpha[i]!, -beta[i]!, 0],
        [0, alpha[i]!, -beta[i]!, -theta[i + 1]!],
        [0, 0, 0, 1],
      ],
      bias: [0, 0, 0, 0],
      activation: 'relu',
    });
  }
  layers.push({ weights: [[1, sa[depth]!, -sb[depth]!, 0]], bias: [0], activation: 'linear' });
  return {
    description:
      `Milkert, Hyde, Laine (ICML 2025) width-4 triangle-wave network of depth ${depth}: F = sum_i s_i W_i, ` +
      `W_i = T_{a_i}(W_{i-1}); ${origin}; exactly 2^${depth} activation and linear regions on [0, 1].`,
    inputDim: 1,
    layers,
    domain: { bounds: [[0, 1]] },
  };
}

// ---------------------------------------------------------------------------------------------
// Random initialisation.

export const INITS = ['he', 'glorot', 'uniform'] as const;
export type Init = (typeof INITS)[number];

export interface RandomOptions {
  /** he (default), glorot or uniform; see {@link randomNetwork}. */
  init?: Init;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Standard deviation of the biases for he and glorot (default 0.25). */
  biasStd?: number;
  /** Number of linear outputs (default 1). */
  outputs?: number;
}

/**
 * A fully connected ReLU network with seeded random weights (mulberry32 + Box-Muller, see
 * {@link createRng}; layers drawn in order, weights row by row, then biases):
 *
 * - `he`: weights N(0, 2 / fan_in) (He et al. 2015), biases N(0, biasStd^2).
 * - `glorot`: weights uniform on [-sqrt(6 / (fan_in + fan_out)), +sqrt(...)] (Glorot & Bengio
 *   2010), biases N(0, biasStd^2).
 * - `uniform`: weights and biases uniform on [-1/sqrt(fan_in), 1/sqrt(fan_in)] (the default of
 *   PyTorch's nn.Linear).
 *
 * Biases are non-zero on purpose: with zero biases every first-layer hyperplane passes through the
 * origin, a degenerate arrangement (Hanin & Rolnick assume bias densities bounded by C_bias).
 * The output layer is linear with `outputs` units, initialised the same way. Domain [-1, 1]^n0.
 */
export function randomNetwork(inputDim: number, widths: readonly number[], options: RandomOptions = {}): ConstructedNetwork {
  checkInt('random input dimension', inputDim, 1, 1_000_000);
  if (!Array.isArray(widths) || widths.length === 0) argsError('random needs at least one hidden layer (--widths)');
  widths.forEach((w, i) => checkInt(`random width of hidden layer ${i + 1}`, w, 1, 100_000));
  const init = options.init ?? 'he';
  if (!(INITS as readonly string[]).includes(init)) argsError(`unknown init "${init}"; expected one of ${INITS.join(', ')}`);
  const seed = options.seed ?? 1;
  checkInt('random seed', seed, 0, 2 ** 32 - 1);
  const biasStd = options.biasStd ?? 0.25;
  if (!Number.isFinite(biasStd) || biasStd < 0) argsError(`biasStd must be a finite number >= 0, got ${biasStd}`);
  const outputs = options.outputs ?? 1;
  checkInt('random outputs', outputs, 1, 100_000);
  const rng = createRng(seed);
  const sizes = [inputDim, ...widths, outputs];
  const layers: Layer[] = [];
  for (let i = 1; i < sizes.length; i++) {
    const fanIn = sizes[i - 1]!;
    const fanOut = sizes[i]!;
    let weight: () => number;
    let biasDraw: () => number;
    if (init === 'he') {
      const std = Math.sqrt(2 / fanIn);
      weight = () => std * rng.normal();
      biasDraw = () => biasStd * rng.normal();
    } else if (init === 'glorot') {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      weight = () => limit * (2 * rng.uniform() - 1);
      biasDraw = () => biasStd * rng.normal();
    } else {
      const limit = 1 / Math.sqrt(fanIn);
      weight = () => limit * (2 * rng.uniform() - 1);
      biasDraw = weight;
    }
    const weights = Array.from({ length: fanOut }, () => Array.from({ length: fanIn }, weight));
    const bias = Array.from({ length: fanOut }, biasDraw);
    layers.push({ weights, bias, activation: i === sizes.length - 1 ? 'linear' : 'relu' });
  }
  const biasText = init === 'uniform' ? 'biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))' : `biases N(0, ${biasStd}^2)`;
  return {
    description: `Random ${[inputDim, ...widths, outputs].join('-')} ReLU network: ${init} init, ${biasText}, seed ${seed} (mulberry32).`,
    inputDim,
    layers,
    domain: { bounds: Array.from({ length: inputDim }, (): [number, number] => [-1, 1]) },
  };
}
