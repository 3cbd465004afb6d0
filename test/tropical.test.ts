/**
 * Tropical geometry (issue 12). Expected values come from outside the code under test:
 *  - the network itself, evaluated exactly in BigInt rationals (F - G must equal it everywhere);
 *  - the counting engine on other networks (the one-unit maxout network made of F's monomials; the
 *    arrangement of a hidden layer's distinct hyperplanes), and Zaslavsky's formula;
 *  - the literal recursion with exact hull reductions (an independent algorithm for the same F, G);
 *  - TropicalNN.jl's worked example and hand counts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  LinearRegionsError,
  TropicalPolynomial,
  countRegionsSync,
  createRng,
  tropicalRecursion,
  tropicalizeSync,
  upperHullVertices,
  validateNetwork,
} from '../src/index.node.js';
import type { MonomialJson, TropicalResult } from '../src/index.node.js';
import type { Activation, Layer, Network } from '../src/network/types.js';
import { Rational, toRational } from './reference/rational.js';
import { writeJson } from '../src/cli/tropical.js';

/** A seeded uniform generator in [0, 1). */
function rng(seed: number): () => number {
  const r = createRng(seed);
  return () => r.uniform();
}
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

const ALPHAS = [0, 0.25, 0.5, 1, -0.5, -2, 1.5, 3, 0.01];
const HIDDEN: Activation[] = ['relu', 'relu', 'leaky_relu', 'abs', 'linear', 'maxout'];

/** A small random network: integer weights in [-3, 3], or dyadic ones k/4 in [-2, 2]; 1-3 inputs. */
function randomNet(seed: number): Network {
  const r = rng(seed);
  const inputDim = 1 + (seed % 3);
  const integer = seed % 2 === 0;
  const weight = (): number => (integer ? int(r, -3, 3) : int(r, -8, 8) / 4);
  const depth = int(r, 1, 2);
  const layers: Layer[] = [];
  let inputs = inputDim;
  for (let l = 0; l <= depth; l++) {
    const last = l === depth;
    const activation: Activation = last ? (r() < 0.75 ? 'linear' : HIDDEN[int(r, 0, 3)]!) : HIDDEN[int(r, 0, HIDDEN.length - 1)]!;
    const units = last ? int(r, 1, 2) : int(r, 1, depth === 1 ? 4 : 3);
    const pieces = activation === 'maxout' ? 2 : 1;
    const layer: Layer = {
      weights: Array.from({ length: units * pieces }, () => Array.from({ length: inputs }, weight)),
      bias: Array.from({ length: units * pieces }, weight),
      activation,
    };
    if (activation === 'leaky_relu') layer.alpha = ALPHAS[int(r, 0, ALPHAS.length - 1)]!;
    if (activation === 'maxout') layer.pieces = pieces;
    layers.push(layer);
    inputs = units;
  }
  return { inputDim, layers };
}

/** The network's outputs at x, exactly. */
function evaluate(net: Network, x: Rational[]): Rational[] {
  let a = x;
  for (const layer of net.layers) {
    const z = layer.weights.map((row, i) => row.reduce((s, w, j) => s.add(toRational(w).mul(a[j]!)), toRational(layer.bias[i]!)));
    const alpha = toRational(layer.alpha ?? 0);
    switch (layer.activation) {
      case 'relu':
        a = z.map((v) => (v.sign() > 0 ? v : Rational.ZERO));
        break;
      case 'leaky_relu':
        a = z.map((v) => (v.sign() > 0 ? v : alpha.mul(v)));
        break;
      case 'abs':
        a = z.map((v) => (v.sign() < 0 ? v.neg() : v));
        break;
      case 'linear':
        a = z;
        break;
      case 'maxout': {
        const k = layer.pieces!;
        a = Array.from({ length: z.length / k }, (_, u) => z.slice(u * k, (u + 1) * k).reduce((m, v) => (v.cmp(m) > 0 ? v : m)));
      }
    }
  }
  return a;
}

function parseQ(s: string): Rational {
  const [n, d] = s.split('/');
  return Rational.of(BigInt(n!), BigInt(d ?? '1'));
}

/** max over the monomials of alpha . x + c, exactly. */
function evalTropical(monomials: MonomialJson[], x: Rational[]): Rational {
  let best: Rational | null = null;
  for (const m of monomials) {
    const v = m.exponent.reduce((s, e, k) => s.add(parseQ(e).mul(x[k]!)), parseQ(m.coefficient));
    if (best === null || v.cmp(best) > 0) best = v;
  }
  return best!;
}

/** The float64 equal to an exact rational string, or null when there is none. */
function asDouble(s: string): number | null {
  const q = parseQ(s);
  const x = Number(q.n) / Number(q.d);
  return Number.isFinite(x) && toRational(x).eq(q) ? x : null;
}

/** Linear regions of the one-unit maxout network whose pieces are the monomials (null: not representable in float64). */
function maxoutRegions(monomials: MonomialJson[], inputDim: number): number | null {
  const weights: number[][] = [];
  const bias: number[] = [];
  for (const m of monomials) {
    const row = m.exponent.map(asDouble);
    const c = asDouble(m.coefficient);
    if (c === null || row.some((v) => v === null)) return null;
    weights.push(row as number[]);
    bias.push(c);
  }
  const net: Network = { inputDim, layers: [{ weights, bias, activation: 'maxout', pieces: monomials.length }] };
  // the engine tracks linear regions for up to 15 maxout pieces; with distinct pieces every
  // activation region is its own linear region, so activation regions are the same count beyond
  const linear = monomials.length <= 15;
  const r = countRegionsSync(net, { whole: true }, { linearRegions: linear });
  return linear ? r.linearRegions : r.activationRegions;
}

function randomPoint(r: () => number, d: number): Rational[] {
  return Array.from({ length: d }, () => Rational.of(int(r, -40, 40), int(r, 1, 8)));
}

/** How many N(P) = maxout-network checks ran (so the random test can insist they did). */
let maxoutChecks = 0;

/** Every relation of the issue, for one network. */
function checkNetwork(net: Network, seed: number, recursion: boolean): TropicalResult {
  const result = tropicalizeSync(net);
  const r = rng(seed ^ 0x5eed);
  const units = net.layers[net.layers.length - 1]!.activation === 'maxout'
    ? net.layers[net.layers.length - 1]!.weights.length / net.layers[net.layers.length - 1]!.pieces!
    : net.layers[net.layers.length - 1]!.weights.length;
  expect(result.outputs.length).toBe(units);
  const pairs = recursion ? tropicalRecursion(validateNetwork(net)) : [];
  for (const [j, o] of result.outputs.entries()) {
    // F - G is the network's output j, exactly, at random rational points
    for (let t = 0; t < 6; t++) {
      const x = randomPoint(r, net.inputDim);
      const f = evalTropical(o.F.monomials, x).sub(evalTropical(o.G.monomials, x));
      expect(f.key(), `seed ${seed}, output ${j}, x = ${x.map(String)}`).toBe(evaluate(net, x)[j]!.key());
    }
    // sorted by exponent, no repeats, canonical rationals
    for (const p of [o.F, o.G]) {
      expect(p.count).toBe(p.monomials.length);
      for (let i = 1; i < p.monomials.length; i++) {
        const a = p.monomials[i - 1]!.exponent.map(parseQ);
        const b = p.monomials[i]!.exponent.map(parseQ);
        const k = a.findIndex((v, q) => !v.eq(b[q]!));
        expect(k, `seed ${seed}: repeated exponent`).toBeGreaterThanOrEqual(0);
        expect(a[k]!.cmp(b[k]!), `seed ${seed}: order`).toBe(-1);
      }
      for (const m of p.monomials) for (const s of [...m.exponent, m.coefficient]) expect(parseQ(s).toString()).toBe(s);
    }
    // N(F), N(G) are the linear regions of the maxout networks made of their monomials
    for (const p of [o.F, o.G]) {
      if (p.count === 1 || p.count > 254) continue;
      const n = maxoutRegions(p.monomials, net.inputDim);
      if (n !== null) {
        expect(n, `seed ${seed}, output ${j}`).toBe(p.count);
        maxoutChecks++;
      }
    }
    // the exact count of f_j alone is bounded by N(F (*) G), which is at least N(F) and N(G)
    expect(o.linearRegions, `seed ${seed}`).toBeLessThanOrEqual(o.FG.count);
    expect(o.FG.count).toBeGreaterThanOrEqual(Math.max(o.F.count, o.G.count));
    if (recursion) {
      // the literal recursion with exact hull reductions gives the same reduced polynomials
      const { F, G } = pairs[j]!;
      expect(F.toJson(), `seed ${seed}, output ${j}: F`).toEqual(o.F.monomials);
      expect(G.toJson(), `seed ${seed}, output ${j}: G`).toEqual(o.G.monomials);
      expect(F.mul(G).count, `seed ${seed}, output ${j}: F * G`).toBe(o.FG.count);
    }
  }
  return result;
}

describe('tropicalize: F - G on random networks', () => {
  test('210 seeded random networks (integer and dyadic weights, 1-3 inputs, every activation)', () => {
    let checked = 0;
    let withRecursion = 0;
    for (let seed = 1; seed <= 210; seed++) {
      const net = randomNet(seed);
      // the literal recursion is exponential in depth x width; run it where it is quick
      const small = net.layers.every((l) => l.weights.length <= 3) || net.inputDim === 1;
      checkNetwork(net, seed, small);
      checked++;
      if (small) withRecursion++;
    }
    expect(checked).toBe(210);
    expect(withRecursion).toBeGreaterThan(100);
    expect(maxoutChecks).toBeGreaterThan(150); // N(F), N(G) > 1 and representable: the engine check really ran
  });

  test('He-normal float networks (weights with full 53-bit mantissas)', () => {
    const g = createRng(7);
    const gauss = (): number => g.normal();
    for (const widths of [[2, 3, 3, 1], [3, 4, 3, 2], [1, 6, 6, 1]]) {
      const layers: Layer[] = widths.slice(1).map((w, i) => ({
        weights: Array.from({ length: w }, () => Array.from({ length: widths[i]! }, () => gauss() * Math.sqrt(2 / widths[i]!))),
        bias: Array.from({ length: w }, () => gauss() * 0.1),
        activation: i === widths.length - 2 ? 'linear' : 'relu',
      }));
      checkNetwork({ inputDim: widths[0]!, layers }, widths.join('').length, widths[1]! <= 3);
    }
  });
});

describe('reference values', () => {
  test('TropicalNN.jl: f = max(0, 1 + x2) - max(0, 1 + x1), 2 + 2 monomials, 4 regions', () => {
    const net: Network = {
      inputDim: 2,
      layers: [
        { weights: [[0, 1], [1, 0]], bias: [1, 1], activation: 'relu' },
        { weights: [[1, -1]], bias: [0], activation: 'linear' },
      ],
    };
    const [o] = tropicalizeSync(net).outputs;
    expect(o!.F.monomials).toEqual([
      { exponent: ['0', '0'], coefficient: '0' },
      { exponent: ['0', '1'], coefficient: '1' },
    ]);
    expect(o!.G.monomials).toEqual([
      { exponent: ['0', '0'], coefficient: '0' },
      { exponent: ['1', '0'], coefficient: '1' },
    ]);
    expect(o!.F.count + o!.G.count).toBe(4);
    expect(o!.FG.count).toBe(4);
    expect(o!.linearRegions).toBe(4);
    expect(o!.zonotope).toEqual({ F: [['0', '1', '1']], G: [['1', '0', '1']] });
  });

  test('max(0, x, y) has 3 regions (maxout, and as relu(max(x, y)) built from relus)', () => {
    const maxout: Network = { inputDim: 2, layers: [{ weights: [[0, 0], [1, 0], [0, 1]], bias: [0, 0, 0], activation: 'maxout', pieces: 3 }] };
    const [o] = tropicalizeSync(maxout).outputs;
    expect(o!.F.monomials.map((m) => m.exponent)).toEqual([['0', '0'], ['0', '1'], ['1', '0']]);
    expect(o!.G.count).toBe(1);
    expect(o!.linearRegions).toBe(3);
    // max(0, x, y) = relu(x + relu(y - x))... as a network: h1 = relu(y - x), h2 = relu(x), h3 = relu(-x);
    // max(x, y) = x + relu(y - x) = h2 - h3 + h1, then relu of that
    const relu: Network = {
      inputDim: 2,
      layers: [
        { weights: [[-1, 1], [1, 0], [-1, 0]], bias: [0, 0, 0], activation: 'relu' },
        { weights: [[1, 1, -1]], bias: [0], activation: 'relu' },
      ],
    };
    const [p] = tropicalizeSync(relu).outputs;
    expect(p!.linearRegions).toBe(3);
    for (const x of [[-1, -2], [3, 1], [1, 5], [-7, 2]]) {
      const q = x.map((v) => Rational.of(v));
      const v = evalTropical(p!.F.monomials, q).sub(evalTropical(p!.G.monomials, q));
      expect(v.toNumber()).toBe(Math.max(0, x[0]!, x[1]!));
    }
  });

  test('linearRegions counts output j alone: the two-output network has more regions than N(F_j (*) G_j)', () => {
    // y1 = relu(x), y2 = relu(x - 1): the pair (y1, y2) has 3 linear regions (x < 0, 0 < x < 1, x > 1),
    // each output alone 2; F1 = max(x, 0), G1 = 0 and F2 = max(x - 1, 0), G2 = 0, so N(F_j (*) G_j) = 2.
    const net: Network = {
      inputDim: 1,
      layers: [
        { weights: [[1], [1]], bias: [0, -1], activation: 'relu' },
        { weights: [[1, 0], [0, 1]], bias: [0, 0], activation: 'linear' },
      ],
    };
    expect(countRegionsSync(net, { whole: true }, { linearRegions: true }).linearRegions).toBe(3);
    const { outputs } = tropicalizeSync(net);
    expect(outputs.map((o) => [o.F.count, o.G.count, o.FG.count, o.linearRegions])).toEqual([[2, 1, 2, 2], [2, 1, 2, 2]]);
    expect(outputs[1]!.F.monomials).toEqual([{ exponent: ['0'], coefficient: '0' }, { exponent: ['1'], coefficient: '-1' }]);
    expect(tropicalizeSync(net, { output: 1 }).outputs.map((o) => [o.output, o.linearRegions])).toEqual([[1, 2]]);
  });

  test('1-D by hand: relu(x) + relu(-x) = |x| has F = max(x, -x)... in the issue form', () => {
    // relu units h1 = relu(x): F = max(x, 0), G = 0; h2 = relu(-x): H = 0, K = x, F = max(0, x), G = x.
    // output h1 + h2: F = max(x, 0) + max(0, x) = max(0, x, 2x) reduced to {0, 2x}; G = 0 + x = x.
    const net: Network = { inputDim: 1, layers: [{ weights: [[1], [-1]], bias: [0, 0], activation: 'relu' }, { weights: [[1, 1]], bias: [0], activation: 'linear' }] };
    const [o] = tropicalizeSync(net).outputs;
    expect(o!.F.monomials).toEqual([{ exponent: ['0'], coefficient: '0' }, { exponent: ['2'], coefficient: '0' }]);
    expect(o!.G.monomials).toEqual([{ exponent: ['1'], coefficient: '0' }]);
    expect(o!.linearRegions).toBe(2);
  });

  test('abs and leaky forms follow the table (a = 1/2: F = max(H, H/2 + K/2), G = K)', () => {
    const leaky: Network = { inputDim: 1, layers: [{ weights: [[1]], bias: [-1], activation: 'leaky_relu', alpha: 0.5 }] };
    // z = x - 1: H = x - 1, K = 0: F = max(x - 1, x/2 - 1/2), G = 0
    expect(tropicalizeSync(leaky).outputs[0]!.F.monomials).toEqual([
      { exponent: ['1/2'], coefficient: '-1/2' },
      { exponent: ['1'], coefficient: '-1' },
    ]);
    const abs: Network = { inputDim: 1, layers: [{ weights: [[-2]], bias: [3], activation: 'abs' }] };
    // z = -2x + 3: H = 3, K = 2x: F = 2 max(3, 2x) = max(6, 4x), G = K (*) H = 2x + 3
    const [o] = tropicalizeSync(abs).outputs;
    expect(o!.F.monomials).toEqual([{ exponent: ['0'], coefficient: '6' }, { exponent: ['4'], coefficient: '0' }]);
    expect(o!.G.monomials).toEqual([{ exponent: ['2'], coefficient: '3' }]);
  });
});

describe('the activation table, row by row, by hand (one layer, 1 input: z = w x + b)', () => {
  // F0 = x, G0 = 0, so w > 0 gives H = w x + b, K = 0 and w < 0 gives H = b, K = |w| x.
  const one = (activation: Activation, w: number[], b: number[], extra: Partial<Layer> = {}) =>
    tropicalizeSync({ inputDim: 1, layers: [{ weights: w.map((v) => [v]), bias: b, activation, ...extra }] }).outputs[0]!;
  const M = (e: string, c: string): MonomialJson => ({ exponent: [e], coefficient: c });
  test('relu and linear; leaky a = 0 is relu and a = 1 is linear', () => {
    // w = -1, b = 2: H = 2, K = x. relu: F = H (+) K = max(2, x), G = x; linear: F = 2, G = x
    for (const o of [one('relu', [-1], [2]), one('leaky_relu', [-1], [2], { alpha: 0 })]) {
      expect([o.F.monomials, o.G.monomials]).toEqual([[M('0', '2'), M('1', '0')], [M('1', '0')]]);
    }
    for (const o of [one('linear', [-1], [2]), one('leaky_relu', [-1], [2], { alpha: 1 })]) {
      expect([o.F.monomials, o.G.monomials]).toEqual([[M('0', '2')], [M('1', '0')]]);
    }
  });
  test('leaky 0 < a < 1: F = H (+) (aH (*) (1-a)K), G = K', () => {
    // a = 1/4, w = -1, b = 2: F = max(2, 1/2 + 3/4 x), G = x
    const o = one('leaky_relu', [-1], [2], { alpha: 0.25 });
    expect([o.F.monomials, o.G.monomials]).toEqual([[M('0', '2'), M('3/4', '1/2')], [M('1', '0')]]);
  });
  test('leaky a < 0: F = (1-a)(H (+) K), G = K (*) (-a)H', () => {
    // a = -1/2, w = 1, b = -1: H = x - 1, K = 0: F = 3/2 max(x - 1, 0), G = (x - 1)/2
    const o = one('leaky_relu', [1], [-1], { alpha: -0.5 });
    expect([o.F.monomials, o.G.monomials]).toEqual([[M('0', '0'), M('3/2', '-3/2')], [M('1/2', '-1/2')]]);
  });
  test('leaky a > 1 (min(z, az)): F = aH, G = K (*) (a-1)(H (+) K)', () => {
    // a = 3, w = -2, b = 3: H = 3, K = 2x: F = 9, G = 2x + 2 max(3, 2x) = max(2x + 6, 6x)
    const o = one('leaky_relu', [-2], [3], { alpha: 3 });
    expect([o.F.monomials, o.G.monomials]).toEqual([[M('0', '9')], [M('2', '6'), M('6', '0')]]);
  });
  test('abs: F = 2(H (+) K), G = K (*) H', () => {
    // w = 1, b = -1: H = x - 1, K = 0: F = max(2x - 2, 0), G = x - 1
    const o = one('abs', [1], [-1]);
    expect([o.F.monomials, o.G.monomials]).toEqual([[M('0', '0'), M('2', '-2')], [M('1', '-1')]]);
  });
  test('maxout: F = (+)_r (H_r (*) (*)_{s != r} K_s), G = (*)_s K_s', () => {
    // z1 = x (H1 = x, K1 = 0), z2 = 1 - x (H2 = 1, K2 = x), z3 = 2x - 5 (H3 = 2x - 5, K3 = 0):
    // F = max(H1 + K2 + K3, H2 + K1 + K3, H3 + K1 + K2) = max(2x, 1, 3x - 5): 1 wins on x < 1/2, 2x on
    // (1/2, 5), 3x - 5 beyond, so all three stay; G = K1 + K2 + K3 = x
    const o = one('maxout', [1, -1, 2], [0, 1, -5], { pieces: 3 });
    expect([o.F.monomials, o.G.monomials]).toEqual([[M('0', '1'), M('2', '0'), M('3', '-5')], [M('1', '0')]]);
    // z3 = 3x - 1 instead: F = max(2x, 1, 4x - 1); all three meet at x = 1/2, so 2x never wins alone
    // (its lifted point (2, 0) is the midpoint of (0, 1) and (4, -1)) and the reduced F drops it
    const p = one('maxout', [1, -1, 3], [0, 1, -1], { pieces: 3 });
    expect([p.F.monomials, p.G.monomials, p.linearRegions]).toEqual([[M('0', '1'), M('4', '-1')], [M('1', '0')], 2]);
  });
});

describe('one hidden layer: zonotopes and hyperplane arrangements', () => {
  test('positive output weights: N(F) = regions of the arrangement of the distinct non-constant hyperplanes', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed * 31);
      const d = 1 + (seed % 3);
      const n = int(r, 1, 5);
      const rows = Array.from({ length: n }, () => Array.from({ length: d }, () => int(r, -2, 2)));
      const bias = Array.from({ length: n }, () => int(r, -2, 2));
      if (n >= 2 && seed % 4 === 0) {
        rows[1] = rows[0]!.map((v) => -2 * v); // the same hyperplane, the other way round
        bias[1] = -2 * bias[0]!;
      }
      const net: Network = {
        inputDim: d,
        layers: [{ weights: rows, bias, activation: 'relu' }, { weights: [Array.from({ length: n }, () => int(r, 1, 4) / 2)], bias: [0], activation: 'linear' }],
      };
      const [o] = tropicalizeSync(net).outputs;
      // distinct hyperplanes a.x + b = 0 of the non-constant units (up to a non-zero factor)
      const key = (a: number[], b: number): string => {
        const v = [...a, b];
        const p = v.find((x) => x !== 0)!;
        return v.map((x) => x / p).join(',');
      };
      const distinct = new Map<string, number>();
      rows.forEach((a, i) => {
        if (a.some((v) => v !== 0)) distinct.set(key(a, bias[i]!), i);
      });
      const idx = [...distinct.values()];
      const expected = idx.length === 0
        ? 1
        : countRegionsSync({ inputDim: d, layers: [{ weights: idx.map((i) => rows[i]!), bias: idx.map((i) => bias[i]!), activation: 'relu' }] }, { whole: true }, { linearRegions: false }).activationRegions;
      expect(o!.F.count, `seed ${seed}`).toBe(expected);
      expect(o!.G.count).toBe(1);
      expect(o!.zonotope!.G).toEqual([]);
    }
  });

  test('general position: N(F) = sum_{j <= d} C(n, j) (Zaslavsky)', () => {
    const r = rng(99);
    const C = (n: number, k: number): number => (k > n ? 0 : k === 0 ? 1 : (C(n - 1, k - 1) * n) / k);
    for (const [d, n] of [[1, 5], [2, 6], [3, 5], [2, 10]] as const) {
      const net: Network = {
        inputDim: d,
        layers: [
          { weights: Array.from({ length: n }, () => Array.from({ length: d }, () => r() * 2 - 1)), bias: Array.from({ length: n }, () => r() * 2 - 1), activation: 'relu' },
          { weights: [Array.from({ length: n }, () => 0.5 + r())], bias: [0.25], activation: 'linear' },
        ],
      };
      const [o] = tropicalizeSync(net).outputs;
      let zas = 0;
      for (let j = 0; j <= d; j++) zas += C(n, j);
      expect(o!.F.count, `d=${d} n=${n}`).toBe(zas);
      expect(o!.linearRegions).toBe(zas);
      expect(o!.zonotope!.F.length).toBe(n);
    }
  });

  test('the generators span P(F) and P(G): the upper vertices of translate + sum of segments are F and G', () => {
    // F = b + sum_{w>0} w max(a+ x + b_i, a- x) + sum_{w<0} |w| a- x, so P(F) = t + sum_{w>0} [0, w (a_i, b_i)]
    // with t = sum_i |w_i| (a-_i, 0) + (0, b) (a-_i the unit's negative weights as magnitudes); likewise
    // P(G) = sum_i |w_i| (a-_i, 0) + sum_{w<0} [0, |w| (a_i, b_i)]. The upper hull of all 2^m vertex
    // sums, computed by upperHullVertices, must be exactly the reduced F and G.
    const toBig = (pts: Rational[][]): { big: bigint[][]; D: bigint } => {
      let D = 1n;
      for (const p of pts) for (const v of p) if (v.d > D) D = v.d; // powers of two: the largest is the lcm
      return { big: pts.map((p) => p.map((v) => (v.n * D) / v.d)), D };
    };
    const hull = (t: Rational[], gens: Rational[][], d: number): MonomialJson[] => {
      let pts = [t];
      for (const g of gens) pts = [...pts, ...pts.map((p) => p.map((v, k) => v.add(g[k]!)))];
      const { big, D } = toBig(pts);
      const best = new Map<string, bigint[]>();
      for (const p of big) {
        const key = p.slice(0, d).join(',');
        const q = best.get(key);
        if (q === undefined || p[d]! > q[d]!) best.set(key, p);
      }
      const merged = [...best.values()];
      const str = (v: bigint): string => Rational.of(v, D).toString();
      return upperHullVertices(merged, d)
        .map((i) => merged[i]!)
        .map((p) => ({ exponent: p.slice(0, d).map(str), coefficient: str(p[d]!) }))
        .sort((x, y) => {
          for (let k = 0; k < d; k++) {
            const c = parseQ(x.exponent[k]!).cmp(parseQ(y.exponent[k]!));
            if (c !== 0) return c;
          }
          return 0;
        });
    };
    let zonotopes = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed * 977);
      const d = 1 + (seed % 3);
      const m = int(r, 1, 6);
      const q = (): number => int(r, -8, 8) / 4;
      const rows = Array.from({ length: m }, () => Array.from({ length: d }, q));
      const bias = Array.from({ length: m }, q);
      const w = Array.from({ length: m }, q);
      const b = q();
      const net: Network = { inputDim: d, layers: [{ weights: rows, bias, activation: 'relu' }, { weights: [w], bias: [b], activation: 'linear' }] };
      const [o] = tropicalizeSync(net).outputs;
      const z = o!.zonotope!;
      const gens = (list: string[][]): Rational[][] => list.map((g) => g.map(parseQ));
      const base = rows.map((row, i) => row.map((v) => toRational(Math.abs(w[i]!)).mul(toRational(v < 0 ? -v : 0))));
      const tG = Array.from({ length: d }, (_, k) => base.reduce((s, row) => s.add(row[k]!), Rational.ZERO));
      expect(hull([...tG, toRational(b)], gens(z.F), d), `seed ${seed}: F`).toEqual(o!.F.monomials);
      expect(hull([...tG, Rational.ZERO], gens(z.G), d), `seed ${seed}: G`).toEqual(o!.G.monomials);
      // one generator per unit with w != 0 and a non-zero (row, bias), on the side of w's sign
      const live = (s: number): number => w.filter((v, i) => Math.sign(v) === s && [...rows[i]!, bias[i]!].some((x) => x !== 0)).length;
      expect([z.F.length, z.G.length]).toEqual([live(1), live(-1)]);
      zonotopes++;
    }
    expect(zonotopes).toBe(40);
  });

  test('zonotope generators are the output weight times the unit (row, bias), exactly', () => {
    const net: Network = {
      inputDim: 2,
      layers: [
        { weights: [[1, 0.5], [0, 0], [3, -1], [0.1, 0]], bias: [2, 1, 0, 0], activation: 'relu' },
        { weights: [[0.75, 4, -2, 0]], bias: [1], activation: 'linear' },
      ],
    };
    const z = tropicalizeSync(net).outputs[0]!.zonotope!;
    expect(z.F).toEqual([['3/4', '3/8', '3/2'], ['0', '0', '4']]);
    expect(z.G).toEqual([['6', '-2', '0']]);
  });
});

describe('exact upper hulls', () => {
  const P = (pts: number[][]): bigint[][] => pts.map((p) => p.map(BigInt));
  test('1-D: points on a parabola are all vertices; points below a chord are not', () => {
    expect(upperHullVertices(P([[0, 0], [1, 1], [2, 0], [3, -3]]), 1)).toEqual([0, 1, 2, 3]); // concave: -(x-1)^2 + 1
    expect(upperHullVertices(P([[0, 0], [1, 0], [2, 0]]), 1)).toEqual([0, 2]); // collinear: the middle is not strict
    expect(upperHullVertices(P([[0, 0], [1, -1], [2, 0]]), 1)).toEqual([0, 2]);
  });
  test('2-D: a lifted square with its centre on, above and below the top face', () => {
    const square = [[0, 0, 0], [2, 0, 0], [0, 2, 0], [2, 2, 0]];
    expect(upperHullVertices(P([...square, [1, 1, 0]]), 2)).toEqual([0, 1, 2, 3]);
    expect(upperHullVertices(P([...square, [1, 1, 1]]), 2)).toEqual([0, 1, 2, 3, 4]);
    expect(upperHullVertices(P([...square, [1, 1, -1]]), 2)).toEqual([0, 1, 2, 3]);
    // a 3 x 3 grid lifted by the concave -(x^2 + y^2): every point is a vertex
    const grid: number[][] = [];
    for (let x = -1; x <= 1; x++) for (let y = -1; y <= 1; y++) grid.push([x, y, -(x * x + y * y)]);
    expect(upperHullVertices(P(grid), 2)).toHaveLength(9);
  });
  test('3-D: the 2^3 cube lifted flat keeps its 8 corners, not the 19 other grid points', () => {
    const pts: number[][] = [];
    for (let x = 0; x <= 2; x++) for (let y = 0; y <= 2; y++) for (let z = 0; z <= 2; z++) pts.push([x, y, z, 0]);
    expect(upperHullVertices(P(pts), 3)).toHaveLength(8);
  });
  test('polynomial algebra: (+) is a union, (*) a Minkowski sum, scaling exact', () => {
    const x = TropicalPolynomial.variable(1, 0);
    const one = TropicalPolynomial.constant(1, 1);
    const p = x.add(one); // max(x, 1)
    expect(p.toJson()).toEqual([{ exponent: ['0'], coefficient: '1' }, { exponent: ['1'], coefficient: '0' }]);
    // max(x, 1) + max(x, 1) = max(2x, x + 1, 2): the middle is on the chord, reduced away
    expect(p.mul(p).toJson()).toEqual([{ exponent: ['0'], coefficient: '2' }, { exponent: ['2'], coefficient: '0' }]);
    expect(p.scaleBy(0.1).toJson()[0]!.coefficient).toBe('3602879701896397/36028797018963968');
    // equal exponents keep the larger coefficient: max(x, x + 2, -5) = max(x + 2, -5)
    expect(TropicalPolynomial.fromPoints(1, 0, [[1n, 0n], [1n, 2n], [0n, -5n]]).toJson()).toEqual([
      { exponent: ['0'], coefficient: '-5' },
      { exponent: ['1'], coefficient: '2' },
    ]);
    // sorted by exponent in ascending numeric (not string) order: 2 before 10, -3 first (lifted by -x^2: all vertices)
    const sorted = TropicalPolynomial.fromPoints(1, 0, [[10n, -100n], [2n, -4n], [-3n, -9n]]).toJson().map((m) => m.exponent[0]);
    expect(sorted).toEqual(['-3', '2', '10']);
    expect(() => p.scaleBy(-1)).toThrow(LinearRegionsError);
  });
});

describe('errors and limits', () => {
  const good: Network = { inputDim: 2, layers: [{ weights: [[1, 2], [3, 4]], bias: [0, 1], activation: 'relu' }, { weights: [[1, -1]], bias: [0], activation: 'linear' }] };
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (err) {
      expect(err).toBeInstanceOf(LinearRegionsError);
      return (err as LinearRegionsError).code;
    }
    return 'no error';
  };
  test('invalid networks get the same codes as count', () => {
    expect(code(() => tropicalizeSync({ inputDim: 2, layers: [{ weights: [[1]], bias: [0], activation: 'relu' }] }))).toBe('E_SHAPE');
    expect(code(() => tropicalizeSync({ inputDim: 0, layers: [] }))).toBe('E_INPUT_DIM');
    expect(code(() => tropicalizeSync({ inputDim: 1, layers: [{ weights: [[NaN]], bias: [0], activation: 'relu' }] }))).toBe('E_NONFINITE');
    expect(code(() => tropicalizeSync({ inputDim: 1, layers: [{ weights: [[1]], bias: [0], activation: 'gelu' }] }))).toBe('E_ACTIVATION');
    expect(code(() => tropicalizeSync(null))).toBe('E_FORMAT');
    expect(code(() => tropicalizeSync(good, { output: 1 }))).toBe('E_ARGS');
    expect(code(() => tropicalizeSync(good, { maxMonomials: 0 }))).toBe('E_ARGS');
    const wide: Network = { inputDim: 1, layers: [{ weights: Array.from({ length: 16 }, (_, i) => [i]), bias: Array.from({ length: 16 }, (_, i) => -i * i), activation: 'maxout', pieces: 16 }] };
    expect(() => tropicalizeSync(wide)).toThrow(/output 1: the exact linear-region count failed: .*15 pieces/);
    expect(tropicalizeSync(good).outputs[0]!.F.count).toBeGreaterThan(0); // the next call still works
  });
  test('maxMonomials: E_TOO_LARGE with the size reached, in both paths', () => {
    let message = '';
    try {
      tropicalizeSync(good, { maxMonomials: 2 });
    } catch (err) {
      expect((err as LinearRegionsError).code).toBe('E_TOO_LARGE');
      message = (err as Error).message;
    }
    expect(message).toMatch(/reached 3 monomials, over maxMonomials = 2/);
    const net = validateNetwork(good);
    expect(code(() => tropicalRecursion(net, 1))).toBe('E_TOO_LARGE');
    expect(tropicalRecursion(net, 100)[0]!.F.count).toBe(tropicalizeSync(good).outputs[0]!.F.count);
  });
});

describe('CLI', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const cli = join(root, 'dist', 'cli', 'main.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, LINEAR_REGIONS_DEBUG: '' } });
  test('--json prints exactly one object with the issue shape; the summary names the counts', () => {
    const r = run('tropical', 'examples/lines-5.json', '--json');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as TropicalResult;
    expect(Object.keys(out)).toEqual(['outputs']);
    const o = out.outputs[0]!;
    // the shape, in its order; `output` (and `zonotope` for one hidden layer) come after it
    expect(Object.keys(o).slice(0, 4)).toEqual(['F', 'G', 'FG', 'linearRegions']);
    expect(Object.keys(o).slice(4).every((k) => k === 'output' || k === 'zonotope')).toBe(true);
    for (const p of [o.F, o.G]) {
      expect(Object.keys(p)).toEqual(['monomials', 'count']);
      for (const m of p.monomials) {
        expect(Object.keys(m)).toEqual(['exponent', 'coefficient']);
        for (const v of [...m.exponent, m.coefficient]) expect(v).toMatch(/^(0|-?[1-9]\d*(\/[1-9]\d*)?)$/);
      }
    }
    expect(Object.keys(o.FG)).toEqual(['count']);
    expect(o.F.count).toBe(o.F.monomials.length);
    expect(typeof o.FG.count).toBe('number');
    expect(typeof o.linearRegions).toBe('number');
    const text = run('tropical', 'examples/lines-5.json');
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`N(F (*) G) = ${o.FG.count}`);
    expect(text.stdout).toContain(`= ${o.linearRegions}`);
  });
  test('--json is written in pieces, byte for byte JSON.stringify (no single string of millions of monomials)', () => {
    const net = validateNetwork(JSON.parse(readFileSync(join(root, 'examples', 'he-2-16-16-1.json'), 'utf8')));
    const result = tropicalizeSync(net);
    expect(result.outputs[0]!.F.count).toBeGreaterThan(100);
    for (const size of [1, 3, 4096]) {
      const parts: string[] = [];
      writeJson(result, (t) => parts.push(t), size);
      expect(parts.join(''), `chunks of ${size}`).toBe(`${JSON.stringify(result)}\n`);
      if (size === 3) expect(parts.length).toBeGreaterThan(result.outputs[0]!.F.count / 3);
    }
    const two = tropicalizeSync({ inputDim: 1, layers: [{ weights: [[1], [1]], bias: [0, -1], activation: 'relu' }, { weights: [[1, 0], [0, -1]], bias: [0, 0], activation: 'linear' }] });
    const parts: string[] = [];
    writeJson(two, (t) => parts.push(t), 1);
    expect(parts.join('')).toBe(`${JSON.stringify(two)}\n`);
  });

  test('bad input: one line, the right exit code, no stack', () => {
    const missing = run('tropical', 'no-such-file.json');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^linear-regions: .*\[E_FILE\]\n$/);
    const out = run('tropical', 'examples/lines-5.json', '--output', '9');
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/^linear-regions: --output must be from 1 to 1 .*\[E_ARGS\]\n$/);
    const big = run('tropical', 'examples/he-2-16-16-1.json', '--max-monomials', '10');
    expect(big.status).toBe(1);
    expect(big.stderr).toMatch(/reached 11 monomials, over maxMonomials = 10 \[E_TOO_LARGE\]\n$/);
  });
});
