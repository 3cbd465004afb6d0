/**
 * The n-D engine on known answers: formulas from the papers (Zaslavsky / Buck, Serra et al.'s
 * Theorem 1 for one layer, Montufar et al.'s folding construction), hand counts of degenerate
 * arrangements (touching, coincident, zero rows), the exact reference for polytopes, slices and
 * the whole space, bad domains, and the LP alone against the exact BigInt LP on degenerate and
 * infeasible instances.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { countRegions, countRegionsSync, regionsSync, LinearRegionsError } from '../src/index.node.js';
import { montufarFolding } from '../src/theory/constructions.js';
import { serra2018 } from '../src/theory/bounds.js';
import { pack } from '../src/count/pack.js';
import type { Domain, Network } from '../src/network/types.js';
import { layer, net } from './helpers/nets.js';
import { Rng } from './reference/random-nets.js';
import { referenceCountNd } from './reference/reference-nd.js';
import { interiorPoint, solveLp } from './reference/lp-exact.js';
import { Rational, toRational } from './reference/rational.js';
import { coreImports } from '../src/count/core-memory.js';

/** C(n, 0) + ... + C(n, d): regions of n hyperplanes in general position in R^d (Zaslavsky 1975). */
function zaslavsky(n: number, d: number): number {
  let total = 0n;
  let c = 1n;
  for (let j = 0; j <= Math.min(n, d); j++) {
    total += c;
    c = (c * BigInt(n - j)) / BigInt(j + 1);
  }
  return Number(total);
}

/** One hidden ReLU layer of n Gaussian hyperplanes (general position with probability 1). */
function oneLayer(d: number, n: number, seed: number): Network {
  const rng = new Rng(seed);
  const W = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.gaussian()));
  const b = Array.from({ length: n }, () => rng.gaussian());
  const out = [Array.from({ length: n }, () => rng.gaussian())];
  return net(d, [layer(W, b, 'relu'), layer(out, [0], 'linear')]);
}

/** Every vertex of the arrangement (float solves of d x d systems), for a box that holds them all. */
function vertexBox(network: Network): [number, number][] {
  const W = network.layers[0]!.weights;
  const b = network.layers[0]!.bias;
  const d = network.inputDim;
  const lo = new Array<number>(d).fill(-1);
  const hi = new Array<number>(d).fill(1);
  const choose = (start: number, picked: number[]): void => {
    if (picked.length === d) {
      // solve W_S x = -b_S by Gaussian elimination with partial pivoting
      const M = picked.map((i) => [...W[i]!, -b[i]!]);
      for (let c = 0; c < d; c++) {
        let p = c;
        for (let r = c + 1; r < d; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
        [M[c], M[p]] = [M[p]!, M[c]!];
        for (let r = 0; r < d; r++) {
          if (r === c) continue;
          const f = M[r]![c]! / M[c]![c]!;
          for (let k = c; k <= d; k++) M[r]![k]! -= f * M[c]![k]!;
        }
      }
      for (let k = 0; k < d; k++) {
        const x = M[k]![d]! / M[k]![k]!;
        lo[k] = Math.min(lo[k]!, x);
        hi[k] = Math.max(hi[k]!, x);
      }
      return;
    }
    for (let i = start; i < W.length; i++) choose(i + 1, [...picked, i]);
  };
  choose(0, []);
  // a generous margin: the box must hold every exact vertex in its interior
  return lo.map((l, k) => [l - 1 - 0.5 * (hi[k]! - l), hi[k]! + 1 + 0.5 * (hi[k]! - l)]);
}

describe('Zaslavsky: n hyperplanes in general position in R^d', () => {
  const cases: [number, number][] = [[3, 3], [3, 7], [3, 12], [4, 4], [4, 9], [5, 8], [6, 6], [6, 10]];
  test.each(cases)('d = %i, n = %i: the whole space and a box holding every vertex', (d, n) => {
    const expected = zaslavsky(n, d);
    for (const seed of [1, 2, 3]) {
      const network = oneLayer(d, n, 1000 * d + 10 * n + seed);
      const whole = countRegionsSync(network, { whole: true });
      expect(whole.activationRegions, `seed ${seed}`).toBe(expected);
      // crossing any hyperplane changes the output by w_u a_u != 0
      expect(whole.linearRegions, `seed ${seed}`).toBe(expected);
      expect(whole.dimension).toBe(d);
      const box = countRegionsSync(network, { bounds: vertexBox(network) });
      expect(box.activationRegions, `seed ${seed}, box`).toBe(expected);
    }
  });

  test('one hidden layer in the whole space reaches Serra et al.\'s Theorem 1 bound', () => {
    for (const [d, n] of [[3, 5], [4, 6], [5, 5], [3, 10]] as const) {
      const network = oneLayer(d, n, 77 + n);
      const bound = serra2018(d, [n]);
      expect(bound).toBe(BigInt(zaslavsky(n, d)));
      expect(BigInt(countRegionsSync(network).activationRegions)).toBe(bound);
    }
  });

  test('the default domain above 2 inputs is the whole space', () => {
    const network = oneLayer(4, 6, 5);
    const r = countRegionsSync(network);
    expect(r.domain).toEqual({ whole: true });
    expect(r.activationRegions).toBe(zaslavsky(6, 4));
  });
});

describe('Montufar et al.\'s folding construction in 3 and 4 dimensions (integer weights, degenerate)', () => {
  // (prod floor(n_l / n0)^n0) * sum_{j <= n0} C(n_L, j) (Montufar, Pascanu, Cho, Bengio 2014)
  const cases: [number, number[], number][] = [
    [3, [6, 4], 8 * 15],
    [3, [6, 6, 4], 8 * 8 * 15],
    [3, [3, 5], 1 * (1 + 5 + 10 + 10)],
    [4, [8, 5], 16 * 31],
  ];
  test.each(cases)('n0 = %i, widths %j: %i regions on [0, 1]^n0', (n0, widths, expected) => {
    const network = montufarFolding(n0, widths);
    const r = countRegionsSync(network);
    expect(r.activationRegions).toBe(expected);
    expect(r.linearRegions).toBe(expected);
  });
});

describe('degenerate arrangements: hand counts', () => {
  const cube: Domain = { bounds: [[-1, 1], [-1, 1], [-1, 1]] };

  test('hyperplanes that only touch the cube along a face, an edge or at a vertex do not split it', () => {
    const network = net(3, [
      layer([[1, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1], [0, 0, -1]], [0, -1, -2, -3, -1], 'relu'),
      layer([[1, 1, 1, 1, 1]], [0], 'linear'),
    ]);
    // only x0 = 0 cuts the interior: x0 = 1 is a face, x0 + x1 = 2 an edge, x0 + x1 + x2 = 3 a
    // vertex, -x2 - 1 = 0 the face x2 = -1
    const r = countRegionsSync(network, cube);
    expect(r).toMatchObject({ activationRegions: 2, linearRegions: 2, perLayer: [2, 2] });
  });

  test('a hyperplane through a vertex of a simplex, and one along its face, do not split it', () => {
    const simplex: Domain = { A: [[-1, 0, 0], [0, -1, 0], [0, 0, -1], [1, 1, 1]], b: [0, 0, 0, 1] };
    const network = net(3, [
      layer([[1, 1, 1], [1, -1, 0], [0, 0, 1]], [-1, -1, 0], 'relu'), // the face, a vertex (1, 0, 0), the face z = 0
      layer([[1, 1, 1]], [0], 'linear'),
    ]);
    expect(countRegionsSync(network, simplex)).toMatchObject({ activationRegions: 1, linearRegions: 1 });
    const cutting = net(3, [layer([[1, -1, 0]], [0], 'relu'), layer([[1]], [0], 'linear')]);
    expect(countRegionsSync(cutting, simplex).activationRegions).toBe(2);
  });

  test('coincident hyperplanes with scaled and flipped normals count once', () => {
    const z = [1, 2, -1];
    const network = net(3, [
      layer([z, z.map((x) => 2 * x), z.map((x) => -x), z.map((x) => -0.5 * x), [0, 1, 1]], [0.5, 1, -0.5, -0.25, 0], 'relu'),
      layer([[1, 1, 1, 1, 1]], [0], 'linear'),
    ]);
    // two distinct planes crossing in R^3: 4 regions
    const r = countRegionsSync(network);
    expect(r.activationRegions).toBe(4);
    expect(r.linearRegions).toBe(4);
  });

  test('relu(z) - relu(z) is one linear region; |z| = relu(z) + relu(-z) is two', () => {
    const z = [1, -1, 2, 0.5];
    const cancel = net(4, [layer([z, z], [0.25, 0.25], 'relu'), layer([[1, -1]], [0], 'linear')]);
    expect(countRegionsSync(cancel)).toMatchObject({ activationRegions: 2, linearRegions: 1 });
    const abs = net(4, [layer([z, z.map((x) => -x)], [0.25, -0.25], 'relu'), layer([[1, 1]], [0], 'linear')]);
    expect(countRegionsSync(abs)).toMatchObject({ activationRegions: 2, linearRegions: 2 });
  });

  test('zero rows split nothing (identically zero: off; a constant: its sign)', () => {
    const network = net(3, [
      layer([[0, 0, 0], [0, 0, 0], [0, 0, 0], [1, 0, 0], [0, 1, 0]], [0, 1, -1, 0, 0], 'relu'),
      layer([[1, 1, 1, 1, 1]], [0], 'linear'),
    ]);
    const r = countRegionsSync(network, { whole: true });
    expect(r).toMatchObject({ activationRegions: 4, linearRegions: 4, perLayer: [4, 4] });
    const regions = [...regionsSync(network, { whole: true })];
    for (const region of regions) expect(region.pattern[0]!.slice(0, 3)).toEqual([0, 1, 0]);
  });

  test('the integer box [0, 2]^3 cut by the planes x_k = 1: 8 cubes, and a maxout corner', () => {
    const grid = net(3, [layer([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [-1, -1, -1], 'relu'), layer([[1, 2, 4]], [0], 'linear')]);
    expect(countRegionsSync(grid, { bounds: [[0, 2], [0, 2], [0, 2]] })).toMatchObject({ activationRegions: 8, linearRegions: 8 });
    // max(x0, x1, x2): three regions in the whole space, one per winning coordinate
    const maxout = net(3, [layer([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0], 'maxout', { pieces: 3 })]);
    expect(countRegionsSync(maxout, { whole: true })).toMatchObject({ activationRegions: 3, linearRegions: 3 });
  });
});

describe('domains against the exact reference', () => {
  const network: Network = JSON.parse(
    '{"inputDim":4,"layers":[{"weights":[[1,-1,0,0.5],[0,1,1,-1],[0.5,0.5,-1,0],[-1,0,1,1],[1,1,1,1]],"bias":[0,0.25,-0.5,0,-1],"activation":"relu"},' +
      '{"weights":[[1,-1,0.5,0,1],[0,1,1,-1,0.5]],"bias":[0,-0.25],"activation":"leaky_relu","alpha":0.25},{"weights":[[1,1]],"bias":[0],"activation":"linear"}]}',
  ) as Network;
  const domains: [string, Domain][] = [
    ['whole space', { whole: true }],
    ['box', { bounds: [[-1, 1], [-2, 0.5], [-1, 1], [0, 3]] }],
    ['simplex', { A: [[-1, 0, 0, 0], [0, -1, 0, 0], [0, 0, -1, 0], [0, 0, 0, -1], [1, 1, 1, 1]], b: [0, 0, 0, 0, 2] }],
    ['unbounded polyhedron (two half-spaces)', { A: [[1, 0, 0, 0], [0, -1, 0, 0]], b: [0.5, 1] }],
    ['3-D slice', { origin: [0.1, 0.2, -0.3, 0.4], directions: [[1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 1, -1]], bounds: [[-2, 2], [-2, 2], [-2, 2]] }],
  ];
  test.each(domains)('%s', async (_, domain) => {
    const expected = referenceCountNd(network, domain as never);
    const r = await countRegions(network, domain);
    expect({ activationRegions: r.activationRegions, linearRegions: r.linearRegions, perLayer: r.perLayer, dimension: r.dimension }).toEqual(expected);
  });

  test('regions() gives a certified interior point per region, with its pattern and output map', () => {
    const domain: Domain = { A: [[1, 0, 0, 0], [0, -1, 0, 0]], b: [0.5, 1] };
    const regions = [...regionsSync(network, domain)];
    expect(regions).toHaveLength(referenceCountNd(network, domain as never).activationRegions);
    for (const region of regions) {
      const x = region.interiorPoint;
      expect(x).toHaveLength(4);
      expect(x[0]! <= 0.5 && -x[1]! <= 1).toBe(true);
      // a float forward pass agrees with the pattern wherever the pre-activation is not tiny
      let h = x;
      network.layers.forEach((l, li) => {
        const z = l.weights.map((row, i) => row.reduce((s, w, j) => s + w * h[j]!, l.bias[i]!));
        if (l.activation !== 'linear') {
          z.forEach((v, i) => {
            if (Math.abs(v) > 1e-9) expect(region.pattern[li]![i]).toBe(v > 0 ? 1 : 0);
          });
        }
        h = z.map((v) => (l.activation === 'relu' ? Math.max(v, 0) : l.activation === 'leaky_relu' ? (v > 0 ? v : 0.25 * v) : v));
      });
      const out = region.map.weights[0]!.reduce((s, w, j) => s + w * x[j]!, region.map.bias[0]!);
      expect(out).toBeCloseTo(h[0]!, 9);
    }
  });
});

describe('bad domains get clear errors, and the next call works', () => {
  const network = net(3, [layer([[1, 2, 3]], [0], 'relu')]);
  test('a polytope with an empty interior (flat, or empty) -> E_DOMAIN', async () => {
    const flat: Domain = { A: [[1, 0, 0], [-1, 0, 0]], b: [0, 0] };
    await expect(countRegions(network, flat)).rejects.toMatchObject({ code: 'E_DOMAIN', message: expect.stringContaining('empty interior') });
    const empty: Domain = { A: [[1, 0, 0], [-1, 0, 0]], b: [0, -1] };
    await expect(countRegions(network, empty)).rejects.toMatchObject({ code: 'E_DOMAIN' });
    // 1 <= x0 <= 1 + 2^-52 has an interior but no float64 x0 strictly inside it (1 + 2^-52 is
    // the next double after 1): no float witness exists, the count is decided exactly
    const thin: Domain = { A: [[-1, 0, 0], [1, 0, 0]], b: [-1, 1 + 2 ** -52] };
    const expected = referenceCountNd(network, thin as never);
    expect(expected.activationRegions).toBe(2); // the plane x0 + 2 x1 + 3 x2 = 0 crosses the slab
    expect((await countRegions(network, thin)).activationRegions).toBe(2);
    expect((await countRegions(network)).activationRegions).toBe(2);
  });

  test('non-finite, mismatched or malformed polytopes and whole-space flags', async () => {
    const bad: [unknown, string, string][] = [
      [{ A: [[1, 0, NaN]], b: [1] }, 'E_NONFINITE', 'polytope A[0][2]'],
      [{ A: [[1, 0, 0]], b: [Infinity] }, 'E_NONFINITE', 'polytope b[0]'],
      [{ A: [[1, 0, 0], [0, 1, 0]], b: [1] }, 'E_SHAPE', '"A" has 2 rows but "b" has 1 entry'],
      [{ A: [[1, 0]], b: [1] }, 'E_SHAPE', 'polytope A row 1 has 2 entries but inputDim is 3'],
      [{ A: [], b: [] }, 'E_DOMAIN', 'no rows'],
      [{ A: [[0, 0, 0]], b: [-1] }, 'E_DOMAIN', 'no point satisfies'],
      [{ whole: 1 }, 'E_DOMAIN', '"whole" must be true'],
      [{ A: 'rows', b: [1] }, 'E_DOMAIN', 'array of rows'],
    ];
    for (const [domain, code, text] of bad) {
      const err = await countRegions(network, domain as Domain).then(() => null, (e: unknown) => e);
      expect(err, JSON.stringify(domain)).toBeInstanceOf(LinearRegionsError);
      expect((err as LinearRegionsError).code, JSON.stringify(domain)).toBe(code);
      expect((err as LinearRegionsError).message, JSON.stringify(domain)).toContain(text);
    }
    expect((await countRegions(network, { whole: true })).activationRegions).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------
// The LP alone.

interface LpCore {
  memory: WebAssembly.Memory;
  prepare(bytes: number): number;
  lpTestBuffer(m: number, d: number): number;
  lpTest(m: number, d: number): number;
  lpTestPoint(): number;
  lpTestExact(): number;
}

const wasm = new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));

function lpCore(): LpCore {
  const core = new WebAssembly.Instance(wasm, coreImports()).exports as unknown as LpCore;
  core.prepare(0);
  return core;
}

/** The core's answer for {x : A x <= b} inside the box [-B, B]^d (its rows included). */
function coreInterior(core: LpCore, A: number[][], b: number[], B: number): { sign: number; exact: boolean; point?: number[] } {
  const d = A[0]!.length;
  const rows = [...A.map((a, i) => [...a, b[i]!])];
  for (let k = 0; k < d; k++) {
    rows.push([...Array.from({ length: d }, (_, j) => (j === k ? 1 : 0)), B]);
    rows.push([...Array.from({ length: d }, (_, j) => (j === k ? -1 : 0)), B]);
  }
  const ptr = core.lpTestBuffer(rows.length, d);
  const view = new Float64Array(core.memory.buffer, ptr, rows.length * (d + 1) + 2 * d);
  view.set(rows.flat());
  view.set(new Array<number>(d).fill(-B), rows.length * (d + 1));
  view.set(new Array<number>(d).fill(B), rows.length * (d + 1) + d);
  const sign = core.lpTest(rows.length, d);
  const exact = core.lpTestExact() === 1;
  const out: { sign: number; exact: boolean; point?: number[] } = { sign, exact };
  if (sign === 1 && !exact) out.point = Array.from(new Float64Array(core.memory.buffer, core.lpTestPoint(), d));
  return out;
}

/** The reference: 1 interior, 0 flat but feasible, -1 infeasible (exact BigInt LPs). */
function referenceInterior(A: number[][], b: number[], B: number): number {
  const d = A[0]!.length;
  const rows = [...A];
  const rhs = [...b];
  for (let k = 0; k < d; k++) {
    rows.push(Array.from({ length: d }, (_, j) => (j === k ? 1 : 0)), Array.from({ length: d }, (_, j) => (j === k ? -1 : 0)));
    rhs.push(B, B);
  }
  if (interiorPoint(rows, rhs, d) !== null) return 1;
  return solveLp(new Array<number>(d).fill(0), rows, rhs).status === 'infeasible' ? -1 : 0;
}

describe('the LP alone against the exact BigInt LP', () => {
  test('random, degenerate, flat and infeasible instances (seeded; 600 per run)', () => {
    const core = lpCore();
    const seen = { 1: 0, 0: 0, '-1': 0 } as Record<string, number>;
    let exactCalls = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const rng = new Rng(9000 + seed);
      const d = rng.pick([2, 3, 4, 6]);
      const m = rng.int(d, 4 * d + 4);
      const integer = rng.chance(0.5);
      const entry = (): number => (integer ? rng.int(-3, 3) : rng.gaussian());
      const A: number[][] = [];
      const b: number[] = [];
      const p = Array.from({ length: d }, () => (integer ? rng.int(-1, 1) : rng.gaussian() * 0.3)); // often a common point
      for (let i = 0; i < m; i++) {
        const a = Array.from({ length: d }, entry);
        const through = rng.chance(0.4); // many rows through one point: degenerate vertices
        const slack = through ? 0 : integer ? rng.int(-1, 3) : rng.gaussian();
        A.push(a);
        b.push(a.reduce((s, x, k) => s + x * p[k]!, 0) + slack);
      }
      const kind = rng.int(0, 3);
      if (kind === 1) {
        // a flat set: a.x <= c and -a.x <= -c
        const i = rng.int(0, m - 1);
        A.push(A[i]!.map((x) => -x));
        b.push(-b[i]!);
      } else if (kind === 2) {
        // empty: a.x <= c and -a.x <= -c - 1
        const i = rng.int(0, m - 1);
        A.push(A[i]!.map((x) => -x));
        b.push(-b[i]! - 1);
      }
      if (A[0]!.every((x): boolean => x === 0)) A[0]![0] = 1;
      const B = 8;
      const expected = referenceInterior(A, b, B);
      const got = coreInterior(core, A, b, B);
      const label = `seed ${9000 + seed}: d ${d}, m ${A.length}, ${integer ? 'integer' : 'gaussian'}, kind ${kind}\nA ${JSON.stringify(A)}\nb ${JSON.stringify(b)}`;
      expect(got.sign, label).toBe(expected);
      if (got.point) {
        // a certified interior point is strictly inside every row, in exact rational arithmetic
        for (let i = 0; i < A.length; i++) {
          let s = Rational.ZERO;
          A[i]!.forEach((x, k) => (s = s.add(toRational(x).mul(toRational(got.point![k]!)))));
          expect(s.lt(toRational(b[i]!)), `${label}\nrow ${i}`).toBe(true);
        }
      }
      seen[String(expected)]!++;
      if (got.exact) exactCalls++;
    }
    // every kind of answer occurred, and the exact LP was needed for some (flat sets need it)
    expect(seen['1']).toBeGreaterThan(50);
    expect(seen['0']).toBeGreaterThan(50);
    expect(seen['-1']).toBeGreaterThan(50);
    expect(exactCalls).toBeGreaterThan(20);
  });

  test('a polytope thinner than float64 resolution: decided exactly', () => {
    const core = lpCore();
    const e = 2 ** -52; // 1 + e is the next double after 1
    // 1 <= x0 <= 1 + e: a non-empty interior without a single float64 x0 in it
    expect(coreInterior(core, [[-1, 0, 0], [1, 0, 0]], [-1, 1 + e], 4)).toMatchObject({ sign: 1, exact: true });
    expect(coreInterior(core, [[-1, 0, 0], [1, 0, 0]], [-1, 1], 4)).toMatchObject({ sign: 0, exact: true });
    expect(coreInterior(core, [[-1, 0, 0], [1, 0, 0]], [-1, 1 - e / 2], 4)).toMatchObject({ sign: -1, exact: true });
    // the same slab tilted: 1 <= x0 + x1 <= 1 + e does hold float points (x0 = 1, x1 = 2^-53)
    expect(coreInterior(core, [[-1, -1, 0], [1, 1, 0]], [-1, 1 + e], 4)).toMatchObject({ sign: 1 });
  });

  test('the packed layout of an n-D domain has the interior point the engine starts from', () => {
    const { words, engine } = pack(net(3, [layer([[1, 0, 0]], [0], 'relu')]), { bounds: [[0, 1], [2, 3], [-1, 0]] });
    expect(engine).toBe(1);
    // the last 3 words: the box's center
    expect(Array.from(words.slice(-3))).toEqual([0.5, 2.5, -0.5]);
  });
});
