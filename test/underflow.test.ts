/**
 * Exactness under underflow (issue 10, item 1): networks whose float64 evaluation gives the wrong
 * sign because products land in the subnormal range, where each product can lose up to 2^-1075
 * (half the smallest subnormal) whatever its relative size. The float filters must carry an
 * underflow slack proportional to the number of products, through every layer, or they certify a
 * wrong sign and count a region that does not exist (or miss one that does).
 *
 * The basic construction: n products 2^-600 x (1 + 2^-52) 2^-475, each exactly 2^-1075 (1 + 2^-52),
 * just above half of the smallest subnormal SUB = 2^-1074, so each rounds UP to SUB (an error of
 * almost SUB / 2 per product; the old bounds allowed a fixed slack of about 99 SUB per bound
 * whatever n). Two more products cancel them exactly: -(n/2) SUB (exact in float) and -n 2^-1127
 * (below SUB, rounds to 0). So a unit's pre-activation is EXACTLY -16 SUB (a negative constant: the
 * unit never turns on, the count is 1 on any domain), while float64 computes the map
 * (n/2) SUB x_0 - 16 SUB, which changes sign inside the domain. Expected counts are hand counts (a
 * negative constant splits nothing), checked against the exact BigInt references (test/reference/)
 * in one case of each kind.
 *
 * With this construction the float error is at most n/2 SUB, so n of 100 to 300 stays inside the old
 * fixed slack: each engine's smallest n here is about where the old bounds first failed. The n = 1
 * and n = 100 cases use a second mechanism that no fixed slack covers: the off-slope product
 * alpha * w of leaky ReLU underflowing, an error of SUB / 2 times |Z| (|Z| up to 2^1021 here).
 *
 * Every case here fails on the code before the underflow fix (33 of 33).
 */
import { describe, expect, it } from 'vitest';
import { countRegions } from '../src/index.node.js';
import type { Domain, Layer, Network } from '../src/network/types.js';
import { referenceCount } from './reference/reference.js';
import { referenceCountNd } from './reference/reference-nd.js';
import { layer } from './helpers/nets.js';

const SUB = 2 ** -1074; // the smallest subnormal
const W = 2 ** -600;
const C = (1 + 2 ** -52) * 2 ** -475; // W * C = (1 + 2^-52) 2^-1075: rounds up to SUB

/** Column 0 set to x, the other d - 1 columns 0. */
function col0(x: number, d: number): number[] {
  return Array.from({ length: d }, (_, k) => (k === 0 ? x : 0));
}

/**
 * Layer 1 (linear, n + 2 units) on d inputs: n units C x_0, then -(n/2) 2^-474 x_0 and -n 2^-527 x_0.
 * Followed by weights W on every unit, the exact sum is 0 and the float sum is (n/2) SUB (per x_0).
 */
function underflowLayer(n: number, d: number): Layer {
  const rows: number[][] = [];
  for (let j = 0; j < n; j++) rows.push(col0(C, d));
  rows.push(col0(-(n / 2) * 2 ** -474, d));
  rows.push(col0(-n * 2 ** -527, d));
  return layer(rows, new Array(n + 2).fill(0), 'linear');
}

/** The unit that sums layer 1 with weights W: exactly -16 SUB, in float (n/2) SUB x_0 - 16 SUB. */
function sumUnit(n: number, bias = -16 * SUB, activation: Layer['activation'] = 'relu'): Layer {
  return layer([new Array(n + 2).fill(W)], [bias], activation);
}

/** Two layers: the underflow layer, then one relu unit that is exactly -16 SUB everywhere. */
function twoLayerNet(n: number, d: number): Network {
  return { inputDim: d, layers: [underflowLayer(n, d), sumUnit(n)] };
}

/**
 * Three layers: the underflow is made in layer 2 (one linear unit, exactly -16 SUB) and the sign is
 * decided in layer 3, where the weight 2^500 scales it: exactly -16 SUB 2^500 everywhere.
 */
function threeLayerNet(n: number, d: number): Network {
  return { inputDim: d, layers: [underflowLayer(n, d), sumUnit(n, -16 * SUB, 'linear'), layer([[2 ** 500]], [0], 'relu')] };
}

/**
 * A unit on N inputs, sliced through x = s u (+ t e_{N-1} + r e_{N-2}): the underflow is in the
 * slice's own map W . u, a sum of N - 2 products (weights W on inputs 0..N-3, 0 on the last two).
 * `scaled`: the unit is linear and a relu unit with weight 2^500 follows.
 */
function sliceNet(N: number, scaled: boolean): { network: Network; direction: number[] } {
  const m = N - 4; // even
  const u = new Array(N).fill(0);
  for (let i = 0; i < m; i++) u[i] = C;
  u[m] = -(m / 2) * 2 ** -474;
  u[m + 1] = -m * 2 ** -527;
  const w = new Array(N).fill(W);
  w[N - 1] = 0;
  w[N - 2] = 0;
  const layers = scaled
    ? [layer([w], [-16 * SUB], 'linear'), layer([[2 ** 500]], [0], 'relu')]
    : [layer([w], [-16 * SUB], 'relu')];
  return { network: { inputDim: N, layers }, direction: u };
}

function unitVector(N: number, i: number): number[] {
  const e = new Array(N).fill(0);
  e[i] = 1;
  return e;
}

function box(d: number, r = 1): Domain {
  return { bounds: Array.from({ length: d }, (): [number, number] => [-r, r]) };
}

/** A simplex holding (4, 0, 0) and (-1, -1, -1): x_k >= -1, x_0 + x_1 + x_2 <= 2. */
const SIMPLEX3: Domain = { A: [[-1, 0, 0], [0, -1, 0], [0, 0, -1], [1, 1, 1]], b: [1, 1, 1, 2] };

async function counts(network: Network, domain: Domain) {
  const r = await countRegions(network, domain);
  return { activationRegions: r.activationRegions, linearRegions: r.linearRegions, perLayer: r.perLayer };
}

const ONE = (layers: number) => ({ activationRegions: 1, linearRegions: 1, perLayer: new Array(layers).fill(1) });

// The smallest n of each case is about where the old bounds first failed (with a fixed slack of
// about 99 SUB per bound, n/2 SUB of error needs n of a few hundred); below it they happened to hold.
describe('a sum of n subnormal products: exactly -16 SUB, float (n/2) SUB x_0 - 16 SUB', () => {
  for (const n of [800, 2000]) {
    it(`1-D interval, n = ${n}`, async () => {
      if (n === 800) expect(referenceCount(twoLayerNet(n, 1), box(1))).toMatchObject(ONE(2));
      expect(await counts(twoLayerNet(n, 1), box(1))).toEqual(ONE(2));
    });
  }
  for (const n of [1000, 2000]) {
    it(`2-D box, n = ${n}`, async () => {
      if (n === 1000) expect(referenceCount(twoLayerNet(n, 2), box(2))).toMatchObject(ONE(2));
      expect(await counts(twoLayerNet(n, 2), box(2))).toEqual(ONE(2));
    });
  }
  // the n-D engine (its LP leaves values near SUB to the exact LP, so the sign is scaled up by a
  // third layer to reach its float certificates)
  for (const n of [800, 2000]) {
    it(`n-D box (3-D), 3 layers, n = ${n}`, async () => {
      if (n === 800) expect(referenceCountNd(threeLayerNet(n, 3), box(3))).toMatchObject(ONE(3));
      expect(await counts(threeLayerNet(n, 3), box(3))).toEqual(ONE(3));
    });
  }
  for (const n of [500, 2000]) {
    it(`n-D polytope (3-D simplex), 3 layers, n = ${n}`, async () => {
      if (n === 500) expect(referenceCountNd(threeLayerNet(n, 3), SIMPLEX3 as never)).toMatchObject(ONE(3));
      expect(await counts(threeLayerNet(n, 3), SIMPLEX3)).toEqual(ONE(3));
    });
  }
  for (const n of [400, 2000]) {
    it(`n-D whole space (3-D), 3 layers, n = ${n}`, async () => {
      if (n === 400) expect(referenceCountNd(threeLayerNet(n, 3), { whole: true })).toMatchObject(ONE(3));
      expect(await counts(threeLayerNet(n, 3), { whole: true })).toEqual(ONE(3));
    });
  }

});

describe('slices of 784 and 2,000 inputs: the underflow is in the slice map itself', () => {
  for (const N of [784, 2000]) {
    const origin = new Array(N).fill(0);
    it(`line slice, ${N} inputs`, async () => {
      const { network, direction } = sliceNet(N, false);
      const domain: Domain = { origin, directions: [direction], bounds: [[-1, 1]] };
      expect(referenceCount(network, domain)).toMatchObject(ONE(1));
      expect(await counts(network, domain)).toEqual(ONE(1));
    });
    it(`line slice, ${N} inputs, scaled by a second layer`, async () => {
      const { network, direction } = sliceNet(N, true);
      expect(await counts(network, { origin, directions: [direction], bounds: [[-1, 1]] })).toEqual(ONE(2));
    });
    it(`plane slice, ${N} inputs, scaled by a second layer`, async () => {
      const { network, direction } = sliceNet(N, true);
      const domain: Domain = { origin, directions: [direction, unitVector(N, N - 1)], bounds: [[-1, 1], [-1, 1]] };
      if (N === 784) expect(referenceCount(network, domain)).toMatchObject(ONE(2));
      expect(await counts(network, domain)).toEqual(ONE(2));
    });
    it(`3-D slice (n-D engine), ${N} inputs, scaled by a second layer`, async () => {
      const { network, direction } = sliceNet(N, true);
      const domain: Domain = {
        origin, directions: [direction, unitVector(N, N - 1), unitVector(N, N - 2)], bounds: [[-1, 1], [-1, 1], [-1, 1]],
      };
      expect(await counts(network, domain)).toEqual(ONE(2));
    });
  }
});

describe('through 2-3 layers', () => {
  for (const n of [500, 2000]) {
    it(`3 layers, the underflow in layer 2 scaled by 2^500 in layer 3, 1-D, n = ${n}`, async () => {
      const net = threeLayerNet(n, 1);
      if (n === 500) expect(referenceCount(net, box(1))).toMatchObject(ONE(3));
      expect(await counts(net, box(1))).toEqual(ONE(3));
    });
  }
  for (const n of [800, 2000]) {
    it(`3 layers, 2-D box, n = ${n}`, async () => {
      expect(await counts(threeLayerNet(n, 2), box(2))).toEqual(ONE(3));
    });
  }

  /**
   * The off-slope of leaky ReLU: n units off on the whole domain (pre-activation -2^1000 (x_0 + 2)),
   * weighted by -SUB in layer 2. alpha * (-SUB) = -SUB / 4 underflows to 0 in float, so the float
   * map of layer 2 is its bias alone, while exactly each unit adds SUB/4 2^1000 (x_0 + 2) =
   * 2^-76 (x_0 + 2): z_2 = n 2^-76 x_0 (with the bias -2n 2^-76), which splits the domain at x_0 = 0.
   * One layer of small n is enough: the error is SUB |Z| per product, not SUB per sum.
   */
  function leakyNet(n: number, d: number): Network {
    const rows = Array.from({ length: n }, () => col0(-(2 ** 1000), d));
    const l1 = layer(rows, new Array(n).fill(-(2 ** 1001)), 'leaky_relu', { alpha: 0.25 });
    return { inputDim: d, layers: [l1, layer([new Array(n).fill(-SUB)], [-2 * n * 2 ** -76], 'relu')] };
  }
  const TWO = { activationRegions: 2, linearRegions: 2, perLayer: [1, 2] };
  for (const n of [1, 100]) {
    it(`leaky off-slope product underflows, 1-D, n = ${n}`, async () => {
      expect(referenceCount(leakyNet(n, 1), box(1))).toMatchObject(TWO);
      expect(await counts(leakyNet(n, 1), box(1))).toEqual(TWO);
    });
    it(`leaky off-slope product underflows, 2-D box, n = ${n}`, async () => {
      expect(await counts(leakyNet(n, 2), box(2))).toEqual(TWO);
    });
    it(`leaky off-slope product underflows, n-D box (3-D), n = ${n}`, async () => {
      expect(referenceCountNd(leakyNet(n, 3), box(3))).toMatchObject(TWO);
      expect(await counts(leakyNet(n, 3), box(3))).toEqual(TWO);
    });
  }

  /**
   * The same off-slope underflow, seen by the n-D engine's LP: a splitting unit s = x_0 + x_1
   * (leaky too, so its off side is scaled by exactly 1/4) and n units off on the whole domain
   * (-2^1020 (x_2 + 2)), each weighted by -SUB in layer 2 (exactly 2^-56 (x_2 + 2) each, 0 in
   * float). With e = n 2^-56, layer 2 is exactly 8 e s + e (x_2 + 2) - 2 e on {s > 0} and
   * 2 e s + e (x_2 + 2) - 2 e on {s < 0}: both cells split (at s = 0-, x_2 = 1 it is e > 0; at
   * s = -2, x_2 = -1 it is -5 e). In float the second is 2 e s - 2 e: negative on its cell, positive
   * on the cell's box, so neither the box test nor a witness decides it and the LP's dual bound
   * (with the row's error bound) must not certify it negative. 4 regions; 3 linear regions (the
   * two where z_2 <= 0 meet across s = 0 with the same output, 0).
   */
  function dualNet(n: number): Network {
    const rows = [[1, 1, 0], ...Array.from({ length: n }, () => [0, 0, -(2 ** 1020)])];
    const l1 = layer(rows, [0, ...new Array(n).fill(-(2 ** 1021))], 'leaky_relu', { alpha: 0.25 });
    const e = n * 2 ** -56;
    return { inputDim: 3, layers: [l1, layer([[8 * e, ...new Array(n).fill(-SUB)]], [-2 * e], 'relu')] };
  }
  const FOUR = { activationRegions: 4, linearRegions: 3, perLayer: [2, 4] }; // the two cells with z_2 <= 0 share output 0 across s = 0
  for (const n of [1, 100]) {
    it(`leaky off-slope underflow behind the LP's dual bound, n-D box (3-D), n = ${n}`, async () => {
      if (n === 1) expect(referenceCountNd(dualNet(n), box(3))).toMatchObject(FOUR);
      expect(await counts(dualNet(n), box(3))).toEqual(FOUR);
    });
  }
});

/**
 * Linear regions: the output maps of two neighbours are EXACTLY equal but their float maps differ
 * by n/2 SUB. Layer 1: n units relu(2^-475 x_0) and n units relu(-2^-475 x_0) (coincident
 * hyperplanes x_0 = 0). Output: weights 1.2 W on the first n (each product 0.6 SUB, rounds to SUB)
 * and -2.4 W on n/2 of the others (each product 1.2 SUB, rounds to SUB), 0 on the rest: on both sides
 * the output is exactly 0.6 n SUB x_0, in float n SUB x_0 on one side and (n/2) SUB x_0 on the
 * other. Two activation regions, one linear region.
 */
describe('linear regions: equal output maps whose float maps differ by n/2 SUB', () => {
  function faceNet(n: number, d: number): Network {
    const rows: number[][] = [];
    for (let j = 0; j < n; j++) rows.push(col0(2 ** -475, d));
    for (let j = 0; j < n; j++) rows.push(col0(-(2 ** -475), d));
    const out = new Array(2 * n).fill(0);
    for (let j = 0; j < n; j++) out[j] = 1.2 * W;
    for (let j = 0; j < n / 2; j++) out[n + j] = -2 * 1.2 * W;
    return { inputDim: d, layers: [layer(rows, new Array(2 * n).fill(0), 'relu'), layer([out], [0], 'linear')] };
  }
  const EXPECT = { activationRegions: 2, linearRegions: 1, perLayer: [2, 2] };
  it('1-D, n = 2000', async () => {
    expect(referenceCount(faceNet(2000, 1), box(1))).toMatchObject(EXPECT);
    expect(await counts(faceNet(2000, 1), box(1))).toEqual(EXPECT);
  });
  it('2-D box, n = 2000', async () => {
    expect(await counts(faceNet(2000, 2), box(2))).toEqual(EXPECT);
  });
  it('n-D box (3-D), n = 1000', async () => {
    expect(await counts(faceNet(1000, 3), box(3))).toEqual(EXPECT);
  });
});
