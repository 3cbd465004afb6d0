/**
 * Seeded random networks and domains for differential tests (no Math.random anywhere).
 *
 * The PRNG is mulberry32 (32-bit state); Gaussians use Box-Muller on top of it. The same seed
 * gives the same network on every run (Math.log / Math.cos are deterministic in V8).
 */
import type { Activation, Domain, Layer, Network } from '../../src/network/types.js';
import { toRational } from './rational.js';

// ---------------------------------------------------------------------------------------------
// PRNG.

export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    // Mix the seed once (splitmix-style) so that nearby seeds give unrelated streams.
    let s = (seed ^ 0x9e3779b9) >>> 0;
    s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0;
    s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0;
    this.state = (s ^ (s >>> 16)) >>> 0;
  }

  /** mulberry32: a uniform 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }

  /** Standard normal (Box-Muller). */
  gaussian(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

// ---------------------------------------------------------------------------------------------
// Options.

export type WeightKind = 'gaussian' | 'integer' | 'dyadic';

/**
 * 'none': no domain (the counter uses [-1, 1]^inputDim); 'box': a box with float bounds around 0;
 * 'intbox': a box with small integer / dyadic bounds (lines through corners become common);
 * 'line' / 'plane': a slice with 1 / 2 directions (origin and directions integer or Gaussian).
 */
export type DomainKind = 'none' | 'box' | 'intbox' | 'line' | 'plane';

export interface RandomNetOptions {
  /** Input dimension (default 2). A box needs 1 or 2; slices accept any. */
  inputDim?: number;
  /** Output units of each layer (for maxout: units, the layer has units * pieces rows). */
  widths: number[];
  /** One activation for all layers, or one per layer (default: relu, then linear for the last). */
  activations?: Activation | Activation[];
  /** Pieces of maxout layers (default 2). */
  pieces?: number | number[];
  /** leaky_relu alpha; `null` leaves it out (default 0.01 applies). Default 0.25. */
  alpha?: number | null | (number | null)[];
  /** How weights and biases are drawn (default 'gaussian'). */
  weights?: WeightKind;
  /**
   * Degenerate tweaks: the probability (per layer) of duplicated, scaled or negated rows, zero
   * rows, and zero columns. Default 0.
   */
  degenerate?: number;
  /** The network's own domain: a kind to draw, or a fixed domain (default 'none'). */
  domain?: DomainKind | Domain;
}

function perLayer<T>(x: T | T[] | undefined, i: number, fallback: T): T {
  if (x === undefined) return fallback;
  return Array.isArray(x) ? (x[i] ?? fallback) : x;
}

/** One weight or bias entry. */
function draw(rng: Rng, kind: WeightKind, std: number): number {
  switch (kind) {
    case 'gaussian':
      return rng.gaussian() * std;
    case 'integer':
      return rng.int(-3, 3);
    case 'dyadic': {
      const den = rng.pick([4, 8]);
      return rng.int(-2 * den, 2 * den) / den;
    }
  }
}

/** Applies one random degenerate tweak to a weight matrix (rows) and bias, in place. */
function degenerate(rng: Rng, weights: number[][], bias: number[]): void {
  const rows = weights.length;
  const r = rng.int(0, rows - 1);
  const s = rng.int(0, rows - 1);
  switch (rng.int(0, 4)) {
    case 0: // duplicate a row (coincident line)
      weights[r] = [...weights[s]!];
      bias[r] = bias[s]!;
      break;
    case 1: {
      // scaled or flipped copy (same line, maybe opposite side); scaling by powers of 2 is exact
      const f = rng.pick([-1, 2, -2, 0.5, -0.5, 4]);
      weights[r] = weights[s]!.map((w) => w * f);
      bias[r] = bias[s]! * f;
      break;
    }
    case 2: // zero row
      weights[r] = weights[r]!.map(() => 0);
      if (rng.chance(0.5)) bias[r] = 0;
      break;
    case 3: {
      // zero column (the unit of the previous layer is ignored)
      const c = rng.int(0, weights[0]!.length - 1);
      for (const row of weights) row[c] = 0;
      break;
    }
    case 4: // parallel line: same weights, another bias
      weights[r] = [...weights[s]!];
      break;
  }
}

/** A random network (and, in `network.domain`, the requested domain). */
export function randomNetwork(seed: number, opts: RandomNetOptions): Network {
  const rng = new Rng(seed);
  const inputDim = opts.inputDim ?? 2;
  const kind = opts.weights ?? 'gaussian';
  const L = opts.widths.length;
  if (L === 0) throw new Error('randomNetwork: widths is empty');
  const layers: Layer[] = [];
  let fanIn = inputDim;
  for (let i = 0; i < L; i++) {
    const activation = perLayer<Activation>(opts.activations, i, i === L - 1 && L > 1 ? 'linear' : 'relu');
    const units = opts.widths[i]!;
    const pieces = activation === 'maxout' ? perLayer(opts.pieces, i, 2) : 1;
    const rows = units * pieces;
    const std = Math.sqrt(2 / fanIn);
    const weights: number[][] = [];
    const bias: number[] = [];
    for (let r = 0; r < rows; r++) {
      const row: number[] = [];
      for (let c = 0; c < fanIn; c++) row.push(draw(rng, kind, std));
      weights.push(row);
      bias.push(kind === 'gaussian' ? rng.gaussian() * 0.5 : draw(rng, kind, 0));
    }
    const p = opts.degenerate ?? 0;
    while (rng.chance(p)) {
      degenerate(rng, weights, bias);
      if (rng.chance(0.5)) break;
    }
    const layer: Layer = { weights, bias, activation };
    if (activation === 'leaky_relu') {
      const a = perLayer<number | null>(opts.alpha, i, 0.25);
      if (a !== null) layer.alpha = a;
    }
    if (activation === 'maxout') layer.pieces = pieces;
    layers.push(layer);
    fanIn = units;
  }
  const network: Network = { inputDim, layers };
  const dom = opts.domain ?? 'none';
  if (typeof dom === 'string') {
    if (dom !== 'none') network.domain = randomDomain(rng, dom, inputDim, kind);
  } else {
    network.domain = dom;
  }
  return network;
}

/** True when the two vectors are linearly dependent, decided exactly. */
function dependent(u: readonly number[], v: readonly number[]): boolean {
  const U = u.map(toRational);
  const V = v.map(toRational);
  for (let i = 0; i < U.length; i++) {
    for (let j = i + 1; j < U.length; j++) {
      if (!U[i]!.mul(V[j]!).eq(U[j]!.mul(V[i]!))) return false;
    }
  }
  return true;
}

function randomBounds(rng: Rng, exact: boolean): [number, number] {
  if (exact) {
    if (rng.chance(0.75)) return [rng.pick([-2, -1.5, -1, -1, -0.5, 0]), rng.pick([0.5, 1, 1, 1.5, 2])];
    const ends = [-2, -1.5, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 1.5, 2];
    let lo = rng.pick(ends);
    let hi = rng.pick(ends);
    while (hi === lo) hi = rng.pick(ends);
    if (lo > hi) [lo, hi] = [hi, lo];
    return [lo, hi];
  }
  const scale = rng.pick([1, 1, 2, 4]);
  const lo = -rng.uniform(0.2, scale);
  const hi = rng.uniform(0.2, scale);
  return rng.chance(0.2) ? [lo + 0.5 * (hi - lo), hi] : [lo, hi];
}

/** A random domain of the given kind for a network with `inputDim` inputs. */
export function randomDomain(rng: Rng, kind: Exclude<DomainKind, 'none'>, inputDim: number, weights: WeightKind = 'gaussian'): Domain {
  if (kind === 'box' || kind === 'intbox') {
    if (inputDim !== 1 && inputDim !== 2) throw new Error(`randomDomain: a box needs inputDim 1 or 2, got ${inputDim}`);
    return { bounds: Array.from({ length: inputDim }, () => randomBounds(rng, kind === 'intbox')) };
  }
  const k = kind === 'line' ? 1 : 2;
  if (k === 2 && inputDim < 2) throw new Error('randomDomain: a plane slice needs inputDim >= 2');
  const integer = weights !== 'gaussian' || rng.chance(0.4);
  const entry = (): number => (integer ? rng.int(-2, 2) : rng.gaussian());
  const zeroOrigin = rng.chance(0.3);
  const origin = Array.from({ length: inputDim }, () => (zeroOrigin || rng.chance(0.3) ? 0 : entry() * 0.5));
  const directions: number[][] = [];
  while (directions.length < k) {
    const d = Array.from({ length: inputDim }, entry);
    if (d.every((x) => x === 0)) continue;
    if (directions.length === 1 && dependent(directions[0]!, d)) continue;
    directions.push(d);
  }
  const bounds = directions.map(() => randomBounds(rng, integer));
  return { origin, directions, bounds };
}

// ---------------------------------------------------------------------------------------------
// A mix of everything, for the differential test.

export interface RandomCase {
  seed: number;
  network: Network;
  /** The domain argument to pass (undefined: use network.domain or the default box). */
  domain?: Domain;
  description: string;
}

const HIDDEN: Activation[] = ['relu', 'relu', 'relu', 'relu', 'leaky_relu', 'abs', 'maxout', 'maxout', 'linear'];
const LAST: Activation[] = ['linear', 'linear', 'linear', 'relu', 'abs', 'leaky_relu', 'maxout'];

/**
 * A random small case: 1 to 3 layers of 1 to 8 units (maxout: 1 to 5 units of 2 or 3 pieces),
 * mixed activations, Gaussian / integer / dyadic weights with occasional degenerate rows, on a
 * 1-D or 2-D box or a line or plane slice of a 2- to 5-dimensional input. One case in 20 is a
 * larger 2-D network (two or three hidden layers of 6 to 8 units, up to a few hundred regions).
 */
export function randomCase(seed: number): RandomCase {
  const rng = new Rng(seed * 7919 + 17);
  if (rng.chance(0.05)) return largeCase(seed, rng);
  const weights = rng.pick<WeightKind>(['gaussian', 'gaussian', 'integer', 'integer', 'dyadic']);
  const domainKind = rng.pick<DomainKind>(['none', 'box', 'intbox', 'intbox', 'line', 'plane', 'plane', 'plane']);
  const dim1 = rng.chance(0.25);
  let inputDim: number;
  if (domainKind === 'line' || domainKind === 'plane') inputDim = rng.int(domainKind === 'line' ? 1 : 2, 5);
  else inputDim = dim1 ? 1 : 2;
  const is1D = domainKind === 'line' || inputDim === 1;

  const depth = rng.pick([1, 2, 2, 3, 3]);
  const widths: number[] = [];
  const activations: Activation[] = [];
  const pieces: number[] = [];
  const alpha: (number | null)[] = [];
  for (let i = 0; i < depth; i++) {
    const last = i === depth - 1;
    const act = rng.pick(last && depth > 1 ? LAST : HIDDEN);
    activations.push(act);
    pieces.push(rng.int(2, 3));
    alpha.push(rng.pick([0.25, 0.01, 0.5, 1, -1, 0.1, null]));
    let w: number;
    if (act === 'maxout') w = rng.int(1, is1D ? 5 : depth === 1 ? 4 : 3);
    else if (last && depth > 1) w = rng.int(1, act === 'linear' ? 2 : 4);
    else w = rng.int(is1D ? 1 : 2, is1D ? 8 : depth === 3 ? 6 : 8);
    widths.push(w);
  }
  const degenerateP = rng.pick([0, 0, 0.3, 0.6]);
  const netSeed = rng.nextU32();
  const network = randomNetwork(netSeed, {
    inputDim,
    widths,
    activations,
    pieces,
    alpha,
    weights,
    degenerate: degenerateP,
    domain: 'none',
  });
  let domain: Domain | undefined;
  if (domainKind !== 'none') {
    const d = randomDomain(rng, domainKind, inputDim, weights);
    if (rng.chance(0.5)) network.domain = d;
    else domain = d;
    if (rng.chance(0.1) && domain !== undefined && inputDim <= 2) {
      // a network domain that must be ignored because an explicit domain is given
      network.domain = { bounds: Array.from({ length: inputDim }, (): [number, number] => [-3, 3]) };
    }
  }
  const description =
    `seed ${seed}: ${weights} weights, widths [${widths.join(', ')}], activations [${activations.join(', ')}], ` +
    `domain ${domainKind}${domain ? ' (argument)' : network.domain ? ' (network)' : ''}, inputDim ${inputDim}, degenerate ${degenerateP}`;
  return { seed, network, domain, description };
}

/** A larger 2-D case: 2 or 3 hidden layers of 6 to 8 units and a linear output, on a wide box or plane. */
function largeCase(seed: number, rng: Rng): RandomCase {
  const weights = rng.pick<WeightKind>(['gaussian', 'gaussian', 'integer', 'dyadic']);
  const hidden = rng.int(2, 3);
  const widths: number[] = [];
  const activations: Activation[] = [];
  for (let i = 0; i < hidden; i++) {
    widths.push(rng.int(6, 8));
    activations.push(rng.pick<Activation>(['relu', 'relu', 'relu', 'leaky_relu', 'abs']));
  }
  widths.push(rng.int(1, 2));
  activations.push('linear');
  const slice = rng.chance(0.3);
  const inputDim = slice ? rng.int(2, 5) : 2;
  const network = randomNetwork(rng.nextU32(), {
    inputDim,
    widths,
    activations,
    weights,
    alpha: rng.pick([0.25, 0.01, null]),
    degenerate: rng.pick([0, 0.3]),
  });
  let domain: Domain;
  if (slice) {
    domain = randomDomain(rng, 'plane', inputDim, weights);
  } else {
    const s = rng.pick([1.5, 2, 3]);
    domain = { bounds: [[-s, s], [-s, s]] };
  }
  const description =
    `seed ${seed} (large): ${weights} weights, widths [${widths.join(', ')}], activations [${activations.join(', ')}], ` +
    `domain ${slice ? 'plane' : 'box'} (argument), inputDim ${inputDim}`;
  return { seed, network, domain, description };
}
