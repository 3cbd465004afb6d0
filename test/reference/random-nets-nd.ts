/**
 * Seeded random networks and domains in 3 to 6 input dimensions, for differential tests of the
 * n-D engine against the exact n-D reference (reference-nd.ts). No Math.random anywhere: the PRNG
 * is the {@link Rng} of random-nets.ts, and the same seed gives the same case on every run.
 *
 * Sizes are kept small (a handful of hidden units in total) so the reference answers in a few
 * milliseconds to a few tens of milliseconds.
 */
import type { Activation, Layer, Network } from '../../src/network/types.js';
import { Rng, type WeightKind } from './random-nets.js';
import type { NdDomain } from './reference-nd.js';

export type NdDomainKind = 'none' | 'box' | 'intbox' | 'polytope' | 'simplex' | 'cross' | 'whole';

export interface RandomCaseNd {
  seed: number;
  network: Network;
  /** The domain argument (undefined: network.domain, else the default: the whole space for inputDim > 2). */
  domain?: NdDomain;
  /** What was drawn, for failure messages. */
  description: string;
}

/** One weight or bias entry. Integer entries are in -2..2 with many zeros. */
function draw(rng: Rng, kind: WeightKind, std: number): number {
  switch (kind) {
    case 'gaussian':
      return rng.gaussian() * std;
    case 'integer':
      return rng.chance(0.35) ? 0 : rng.pick([-2, -1, -1, 1, 1, 2]);
    case 'dyadic': {
      const den = rng.pick([2, 4, 8]);
      return rng.int(-2 * den, 2 * den) / den;
    }
  }
}

/** One random degenerate tweak of a weight matrix and bias, in place. */
function degenerate(rng: Rng, weights: number[][], bias: number[]): void {
  const rows = weights.length;
  const r = rng.int(0, rows - 1);
  const s = rng.int(0, rows - 1);
  switch (rng.int(0, 5)) {
    case 0: // duplicated row: coincident hyperplane
      weights[r] = [...weights[s]!];
      bias[r] = bias[s]!;
      break;
    case 1: {
      // scaled and/or flipped copy (exact: powers of two)
      const f = rng.pick([-1, -1, 2, -2, 0.5, -0.5, 4]);
      weights[r] = weights[s]!.map((w) => w * f);
      bias[r] = bias[s]! * f;
      break;
    }
    case 2: // zero row (maybe with a bias: a constant unit)
      weights[r] = weights[r]!.map(() => 0);
      if (rng.chance(0.5)) bias[r] = 0;
      break;
    case 3: {
      // zero column
      const c = rng.int(0, weights[0]!.length - 1);
      for (const row of weights) row[c] = 0;
      break;
    }
    case 4: // parallel hyperplane
      weights[r] = [...weights[s]!];
      break;
    case 5: // a row through the origin (with integer boxes: through vertices and centers)
      bias[r] = 0;
      break;
  }
}

const HIDDEN: Activation[] = ['relu', 'relu', 'relu', 'leaky_relu', 'abs', 'maxout', 'linear'];
const LAST: Activation[] = ['linear', 'linear', 'linear', 'relu', 'abs', 'leaky_relu', 'maxout'];

function matrix(rng: Rng, rows: number, cols: number, kind: WeightKind): { weights: number[][]; bias: number[] } {
  const std = Math.sqrt(2 / cols);
  const weights: number[][] = [];
  const bias: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row: number[] = [];
    for (let c = 0; c < cols; c++) row.push(draw(rng, kind, std));
    weights.push(row);
    bias.push(kind === 'gaussian' ? rng.gaussian() * 0.5 : draw(rng, kind, 0));
  }
  return { weights, bias };
}

/** A random domain of the given kind in R^n (not 'none'). */
export function randomDomainNd(rng: Rng, kind: Exclude<NdDomainKind, 'none'>, n: number, weights: WeightKind): NdDomain {
  switch (kind) {
    case 'whole':
      return { whole: true };
    case 'box':
      return {
        bounds: Array.from({ length: n }, (): [number, number] => {
          const s = rng.pick([1, 1, 2, 4]);
          return [-rng.uniform(0.2, s), rng.uniform(0.2, s)];
        }),
      };
    case 'intbox':
      return {
        bounds: Array.from({ length: n }, (): [number, number] => [rng.pick([-2, -1, -1, -0.5, 0]), rng.pick([0.5, 1, 1, 2])]),
      };
    case 'simplex': {
      // {x : x_i >= lo, sum x_i <= k}, with integer data
      const lo = rng.pick([0, -1, -1]);
      const k = rng.pick([1, 2, 3]);
      const A: number[][] = [];
      const b: number[] = [];
      for (let i = 0; i < n; i++) {
        A.push(Array.from({ length: n }, (_, j) => (j === i ? -1 : 0)));
        b.push(-lo);
      }
      A.push(new Array<number>(n).fill(1));
      b.push(k);
      return { A, b };
    }
    case 'cross': {
      // {x : sum s_i x_i <= k for every sign vector s} (2^n rows: only for small n)
      const k = rng.pick([1, 1, 2]);
      const A: number[][] = [];
      const b: number[] = [];
      for (let mask = 0; mask < 1 << n; mask++) {
        A.push(Array.from({ length: n }, (_, j) => ((mask >> j) & 1 ? -1 : 1)));
        b.push(k);
      }
      return { A, b };
    }
    case 'polytope': {
      // Random rows through a known interior point x0: a_i . x0 < b_i. Sometimes unbounded
      // (a polyhedron); sometimes with a zero row or a duplicated / scaled row.
      const integer = weights !== 'gaussian' || rng.chance(0.4);
      const x0 = Array.from({ length: n }, () => (rng.chance(0.5) ? 0 : integer ? rng.int(-1, 1) : rng.gaussian() * 0.3));
      const m = rng.int(n + 1, n + 4);
      const A: number[][] = [];
      const b: number[] = [];
      for (let i = 0; i < m; i++) {
        let a: number[];
        do a = Array.from({ length: n }, () => (integer ? rng.int(-2, 2) : rng.gaussian()));
        while (a.every((x) => x === 0));
        const slack = integer ? rng.pick([1, 1, 2, 0.5, 3]) : rng.uniform(0.3, 2);
        // b_i = a_i . x0 + slack: exact for integer data; for floats the rounding error is far below the slack.
        b.push(a.reduce((s, x, k) => s + x * x0[k]!, 0) + slack);
        A.push(a);
      }
      if (rng.chance(0.15)) {
        A.push(new Array<number>(n).fill(0));
        b.push(rng.pick([0, 1]));
      }
      if (rng.chance(0.2)) {
        const s = rng.int(0, m - 1);
        const f = rng.pick([1, 2, 0.5]);
        A.push(A[s]!.map((x) => x * f));
        b.push(b[s]! * f);
      }
      return { A, b };
    }
  }
}

/**
 * A random small case in 3 to 6 input dimensions: 1 to 3 layers (widths 1 to 5, fewer in deeper
 * layers; maxout 1 to 3 units), mixed activations (maxout with 2 or 3 pieces), Gaussian / integer
 * (-2..2, many zeros) / dyadic weights with degenerate rows (duplicated, scaled, flipped, zero,
 * parallel), on a float or integer box, a random polytope with a known interior point, a simplex,
 * a cross-polytope (n <= 4), or the whole space.
 */
export function randomCaseNd(seed: number): RandomCaseNd {
  const rng = new Rng(seed * 104729 + 31);
  const inputDim = rng.int(3, 6);
  const weights = rng.pick<WeightKind>(['gaussian', 'gaussian', 'integer', 'integer', 'dyadic']);
  const kinds: NdDomainKind[] = ['none', 'box', 'intbox', 'intbox', 'polytope', 'polytope', 'simplex', 'whole', 'whole'];
  if (inputDim <= 4) kinds.push('cross');
  const domainKind = rng.pick(kinds);
  const depth = rng.pick([1, 1, 2, 2, 3]);
  const degenerateP = rng.pick([0, 0.3, 0.6, 0.8]);
  const big = inputDim >= 5;

  const layers: Layer[] = [];
  const activations: Activation[] = [];
  const widths: number[] = [];
  let fanIn = inputDim;
  for (let i = 0; i < depth; i++) {
    const last = i === depth - 1;
    const act = rng.pick(last && depth > 1 ? LAST : HIDDEN);
    const pieces = act === 'maxout' ? rng.int(2, 3) : 1;
    let units: number;
    if (depth === 1) units = act === 'maxout' ? rng.int(1, pieces === 3 ? 2 : 3) : rng.int(rng.chance(0.1) ? 1 : 2, 5);
    else if (last) units = act === 'linear' ? rng.int(1, 2) : act === 'maxout' ? 1 : rng.int(1, 3);
    else if (depth === 2) units = act === 'maxout' ? rng.int(1, 2) : rng.int(2, big ? 4 : 5);
    else units = act === 'maxout' ? 1 : rng.int(2, 3);
    const { weights: W, bias } = matrix(rng, units * pieces, fanIn, weights);
    let p = degenerateP;
    while (rng.chance(p)) {
      degenerate(rng, W, bias);
      p /= 2;
    }
    const layer: Layer = { weights: W, bias, activation: act };
    if (act === 'maxout') layer.pieces = pieces;
    if (act === 'leaky_relu') {
      const a = rng.pick<number | null>([0.25, 0.01, 0.5, 1, -1, 0.1, null]);
      if (a !== null) layer.alpha = a;
    }
    layers.push(layer);
    activations.push(act === 'maxout' ? `maxout/${pieces}` as Activation : act);
    widths.push(units);
    fanIn = units;
  }
  const network: Network = { inputDim, layers };
  let domain: NdDomain | undefined;
  let where = '';
  if (domainKind !== 'none') {
    domain = randomDomainNd(rng, domainKind, inputDim, weights);
    if ((domainKind === 'box' || domainKind === 'intbox') && rng.chance(0.5)) {
      network.domain = domain as { bounds: [number, number][] };
      domain = undefined;
      where = ' (network)';
    } else {
      where = ' (argument)';
    }
  }
  const description =
    `seed ${seed}: inputDim ${inputDim}, ${weights} weights, widths [${widths.join(', ')}], ` +
    `activations [${activations.join(', ')}], domain ${domainKind}${where}, degenerate ${degenerateP}`;
  return { seed, network, domain, description };
}

const VERTEX_ACTIVATIONS: Activation[] = ['relu', 'relu', 'relu', 'leaky_relu', 'abs'];

/**
 * A random case where the n-D engine keeps vertex cells (assembly/vertex-nd.ts): 3 or 4 inputs
 * (`dims`: another range, as the shared-vertex mesh's tests draw 3 to 6, with another salt),
 * a float or integer box (or a 3-D slice of a wider network), no maxout layer, 1 to 3 layers
 * (wider than randomCaseNd's: cells with many vertices), Gaussian / integer / dyadic weights with
 * the same degenerate rows (hyperplanes through vertices, coincident and parallel ones).
 */
export function randomVertexCaseNd(seed: number, dims: { min: number; max: number; salt: number } = { min: 3, max: 4, salt: 17 }): RandomCaseNd {
  const rng = new Rng(seed * 7919 + dims.salt);
  const slice = rng.chance(0.15);
  const dim = rng.int(dims.min, dims.max);
  const inputDim = slice ? (dims.max <= 4 ? rng.int(4, 6) : rng.int(dim + 1, dim + 2)) : dim;
  const weights = rng.pick<WeightKind>(['gaussian', 'gaussian', 'integer', 'integer', 'dyadic']);
  const depth = rng.pick([1, 2, 2, 3]);
  const degenerateP = rng.pick([0, 0.3, 0.6, 0.8]);
  const layers: Layer[] = [];
  const widths: number[] = [];
  const activations: Activation[] = [];
  let fanIn = inputDim;
  for (let i = 0; i < depth; i++) {
    const last = i === depth - 1 && depth > 1;
    const act: Activation = last ? rng.pick<Activation>(['linear', 'linear', 'relu', 'abs']) : rng.pick(VERTEX_ACTIVATIONS);
    const units = last
      ? rng.int(1, 2)
      : depth === 1
        ? rng.int(2, dim >= 5 ? 6 : 8)
        : depth === 2
          ? rng.int(2, dim === 3 ? 6 : dim === 4 ? 5 : 4)
          : rng.int(2, dim >= 5 ? 3 : 4);
    const { weights: W, bias } = matrix(rng, units, fanIn, weights);
    let p = degenerateP;
    while (rng.chance(p)) {
      degenerate(rng, W, bias);
      p /= 2;
    }
    const layer: Layer = { weights: W, bias, activation: act };
    if (act === 'leaky_relu' && rng.chance(0.5)) layer.alpha = rng.pick([0.25, 0.5, -1]);
    layers.push(layer);
    widths.push(units);
    activations.push(act);
    fanIn = units;
  }
  const network: Network = { inputDim, layers };
  let domain: NdDomain;
  if (slice) {
    const integer = weights !== 'gaussian';
    const entry = (): number => (integer ? rng.int(-1, 1) : rng.gaussian() * 0.5);
    // direction i: e_{axis i} plus a random part on the axes no direction owns (independent)
    const axes = Array.from({ length: inputDim }, (_, i) => i);
    for (let i = axes.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [axes[i], axes[j]] = [axes[j]!, axes[i]!];
    }
    const directions = Array.from({ length: dim }, (_, i) =>
      Array.from({ length: inputDim }, (_, k) => (k === axes[i] ? 1 : axes.indexOf(k) >= dim ? entry() : 0)),
    );
    domain = {
      origin: Array.from({ length: inputDim }, entry),
      directions,
      bounds: Array.from({ length: dim }, (): [number, number] => (integer ? [-1, 1] : [-rng.uniform(0.3, 1), rng.uniform(0.3, 1)])),
    } as NdDomain;
  } else {
    domain = randomDomainNd(rng, rng.pick<'box' | 'intbox'>(['box', 'intbox', 'intbox']), inputDim, weights);
  }
  const description =
    `vertex seed ${seed}: inputDim ${inputDim}${slice ? `, ${dim}-D slice` : ''}, ${weights} weights, widths [${widths.join(', ')}], ` +
    `activations [${activations.join(', ')}], degenerate ${degenerateP}`;
  return { seed, network, domain, description };
}
