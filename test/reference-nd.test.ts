/**
 * Tests of the slow exact n-D reference (test/reference/reference-nd.ts) and of its exact LP
 * (test/reference/lp-exact.ts), with expected values from outside the code: hand-solved LPs and a
 * brute-force vertex enumeration, Zaslavsky's count for hyperplanes in general position (checked
 * exactly here), Serra et al.'s Theorem 1 for one hidden layer, hand counts in 3-D, agreement with
 * the 1-D / 2-D reference (reference.ts) on random cases, and an independent exact forward pass at
 * interior points of every region. The fast n-D engine will be tested against this reference.
 */
import { describe, expect, it } from 'vitest';
import type { Activation, Layer, Network } from '../src/network/types.js';
import { Rational, toRational } from './reference/rational.js';
import { referenceCount, resolveReferenceDomain } from './reference/reference.js';
import { Rng, randomCase } from './reference/random-nets.js';
import { cutsInterior, hasInterior, interiorPoint, maximize, minimize, solveLp, toQ, type Num } from './reference/lp-exact.js';
import { referenceCountNd, referenceRegionsNd, resolveDomainNd, type NdDomain } from './reference/reference-nd.js';
import { randomCaseNd } from './reference/random-nets-nd.js';

// ---------------------------------------------------------------------------------------------
// Helpers.

const Q = (n: number | bigint, d: number | bigint = 1): Rational => Rational.of(BigInt(n), BigInt(d));

function layer(weights: number[][], bias: number[], activation: Activation, extra: Partial<Layer> = {}): Layer {
  return { weights, bias, activation, ...extra };
}

function net(inputDim: number, layers: Layer[]): Network {
  return { inputDim, layers };
}

function binomial(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

/** Zaslavsky / Buck: regions of n hyperplanes in general position in R^d. */
function zaslavsky(n: number, d: number): number {
  let s = 0n;
  for (let j = 0; j <= d; j++) s += binomial(n, j);
  return Number(s);
}

function cube(n: number, lo = -1, hi = 1): NdDomain {
  return { bounds: Array.from({ length: n }, (): [number, number] => [lo, hi]) };
}

/** The box as a polytope {A x <= b}. */
function boxAsPolytope(bounds: readonly [number, number][]): NdDomain {
  const n = bounds.length;
  const A: number[][] = [];
  const b: number[] = [];
  bounds.forEach(([lo, hi], k) => {
    A.push(Array.from({ length: n }, (_, j) => (j === k ? 1 : 0)));
    b.push(hi);
    A.push(Array.from({ length: n }, (_, j) => (j === k ? -1 : 0)));
    b.push(-lo);
  });
  return { A, b };
}

/** Exact determinant (Gaussian elimination over the rationals). */
function det(M: readonly (readonly Rational[])[]): Rational {
  const A = M.map((r) => [...r]);
  const n = A.length;
  let d = Rational.ONE;
  for (let c = 0; c < n; c++) {
    let p = -1;
    for (let r = c; r < n; r++) if (!A[r]![c]!.isZero()) { p = r; break; }
    if (p < 0) return Rational.ZERO;
    if (p !== c) { [A[p], A[c]] = [A[c]!, A[p]!]; d = d.neg(); }
    const piv = A[c]![c]!;
    d = d.mul(piv);
    for (let r = c + 1; r < n; r++) {
      const f = A[r]![c]!.div(piv);
      if (f.isZero()) continue;
      for (let k = c; k < n; k++) A[r]![k] = A[r]![k]!.sub(f.mul(A[c]![k]!));
    }
  }
  return d;
}

/** Solves the square system M x = v exactly, or null when M is singular. */
function solve(M: readonly (readonly Rational[])[], v: readonly Rational[]): Rational[] | null {
  const n = M.length;
  const A = M.map((r, i) => [...r, v[i]!]);
  for (let c = 0; c < n; c++) {
    let p = -1;
    for (let r = c; r < n; r++) if (!A[r]![c]!.isZero()) { p = r; break; }
    if (p < 0) return null;
    [A[p], A[c]] = [A[c]!, A[p]!];
    for (let r = 0; r < n; r++) {
      if (r === c || A[r]![c]!.isZero()) continue;
      const f = A[r]![c]!.div(A[c]![c]!);
      for (let k = c; k <= n; k++) A[r]![k] = A[r]![k]!.sub(f.mul(A[c]![k]!));
    }
  }
  return A.map((row, i) => row[n]!.div(row[i]!));
}

function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, acc: number[]): void => {
    if (acc.length === k) { out.push([...acc]); return; }
    for (let i = start; i < n; i++) rec(i + 1, [...acc, i]);
  };
  rec(0, []);
  return out;
}

function dotQ(a: readonly Rational[], x: readonly Rational[]): Rational {
  let s = Rational.ZERO;
  for (let k = 0; k < a.length; k++) s = s.add(a[k]!.mul(x[k]!));
  return s;
}

/**
 * Exact check that the hyperplanes a_i . x + c_i = 0 are in general position in R^d: every d
 * normals are linearly independent and no d+1 hyperplanes share a point.
 */
function inGeneralPosition(a: readonly number[][], c: readonly number[]): boolean {
  const d = a[0]!.length;
  const A = a.map((r) => r.map(toRational));
  const C = c.map(toRational);
  for (const s of subsets(a.length, Math.min(d, a.length))) {
    if (s.length === d && det(s.map((i) => A[i]!)).isZero()) return false;
  }
  if (a.length > d) {
    for (const s of subsets(a.length, d + 1)) if (det(s.map((i) => [...A[i]!, C[i]!])).isZero()) return false;
  }
  if (a.length < d) {
    // fewer than d hyperplanes: general position = independent normals (some maximal minor != 0)
    const k = a.length;
    const ok = subsets(d, k).some((cols) => !det(A.map((r) => cols.map((j) => r[j]!))).isZero());
    if (!ok) return false;
  }
  return true;
}

/** All vertices of the arrangement (d hyperplanes meeting in a point). */
function vertices(a: readonly number[][], c: readonly number[]): Rational[][] {
  const d = a[0]!.length;
  const out: Rational[][] = [];
  for (const s of subsets(a.length, d)) {
    const x = solve(s.map((i) => a[i]!.map(toRational)), s.map((i) => toRational(-c[i]!)));
    if (x) out.push(x);
  }
  return out;
}

/** Brute-force LP: the best vertex (n tight constraints), for bounded LPs with a pointed feasible set. */
function bruteForceMax(c: Rational[], A: Rational[][], b: Rational[]): Rational | null {
  const n = c.length;
  let best: Rational | null = null;
  for (const s of subsets(A.length, n)) {
    const x = solve(s.map((i) => A[i]!), s.map((i) => b[i]!));
    if (!x) continue;
    if (A.some((row, i) => dotQ(row, x).cmp(b[i]!) > 0)) continue;
    const v = dotQ(c, x);
    if (best === null || v.cmp(best) > 0) best = v;
  }
  return best;
}

function feasible(A: readonly (readonly Num[])[], b: readonly Num[], x: readonly Rational[]): boolean {
  return A.every((row, i) => dotQ(row.map(toQ), x).cmp(toQ(b[i]!)) <= 0);
}

// ---------------------------------------------------------------------------------------------
// An independent exact forward pass (rationals, straight from the definitions).

interface Forward {
  pattern: number[][];
  output: Rational[];
}

function forward(network: Network, x: readonly Rational[]): Forward {
  let h = [...x];
  const pattern: number[][] = [];
  for (const L of network.layers) {
    const z = L.weights.map((row, r) => row.reduce((s, w, j) => s.add(toRational(w).mul(h[j]!)), toRational(L.bias[r]!)));
    const states: number[] = [];
    const out: Rational[] = [];
    if (L.activation === 'maxout') {
      const k = L.pieces!;
      for (let u = 0; u < z.length / k; u++) {
        let best = 0;
        for (let i = 1; i < k; i++) if (z[u * k + i]!.cmp(z[u * k + best]!) > 0) best = i;
        states.push(best);
        out.push(z[u * k + best]!);
      }
    } else {
      for (const v of z) {
        if (L.activation === 'linear') { out.push(v); continue; }
        const on = v.sign() > 0;
        states.push(on ? 1 : 0);
        const alpha = toRational(L.alpha ?? 0.01);
        out.push(on ? v : L.activation === 'relu' ? Rational.ZERO : L.activation === 'abs' ? v.neg() : v.mul(alpha));
      }
    }
    pattern.push(states);
    h = out;
  }
  return { pattern, output: h };
}

/** Is every pre-activation non-zero and every maxout argmax unique at x? (x is then inside a region.) */
function generic(network: Network, x: readonly Rational[]): boolean {
  let h = [...x];
  for (const L of network.layers) {
    const z = L.weights.map((row, r) => row.reduce((s, w, j) => s.add(toRational(w).mul(h[j]!)), toRational(L.bias[r]!)));
    if (L.activation === 'maxout') {
      const k = L.pieces!;
      for (let u = 0; u < z.length / k; u++) {
        for (let i = 0; i < k; i++) for (let m = i + 1; m < k; m++) if (z[u * k + i]!.eq(z[u * k + m]!)) return false;
      }
    } else if (L.activation !== 'linear' && z.some((v) => v.isZero())) {
      return false;
    }
    h = forward({ inputDim: h.length, layers: [L] }, h).output;
  }
  return true;
}

/**
 * Independent checks of the reference's regions: (1) at a strict interior point of every region's
 * H-representation, the forward pass gives the region's pattern and output; (2) the patterns are
 * distinct; (3) at random generic points of `sampleBox`, the forward pass pattern is one of the
 * regions'. Returns an error message or null.
 */
function checkRegions(network: Network, domain: NdDomain | undefined, samples: number, rng: Rng, sampleBox: [number, number][]): string | null {
  const r = referenceRegionsNd(network, domain);
  if (r.dimension !== network.inputDim) return null; // slices: skip
  const keys = new Set<string>();
  for (const reg of r.regions) {
    const p = interiorPoint(reg.A, reg.b, r.dimension);
    if (p === null) return `region ${JSON.stringify(reg.pattern)} has an empty interior`;
    const f = forward(network, p);
    const key = JSON.stringify(f.pattern);
    if (key !== JSON.stringify(reg.pattern)) return `interior point of region ${JSON.stringify(reg.pattern)} has pattern ${key}`;
    const out = reg.output.map((row) => dotQ(row.a.map((x) => x.toRational()), p).add(row.c.toRational()));
    if (out.some((v, i) => !v.eq(f.output[i]!))) return `output map of region ${key} disagrees with the forward pass`;
    if (keys.has(key)) return `pattern ${key} twice`;
    keys.add(key);
  }
  const dom = resolveDomainNd(network, domain);
  for (let s = 0; s < samples; s++) {
    const x = sampleBox.map(([lo, hi]) => toRational(Math.round(rng.uniform(lo, hi) * 64) / 64 + 1 / 1024));
    // inside the domain?
    if ('bounds' in dom && dom.bounds.some(([lo, hi], k) => x[k]!.cmp(toRational(lo)) <= 0 || x[k]!.cmp(toRational(hi)) >= 0)) continue;
    if ('A' in dom && dom.A.some((row, i) => dotQ(row.map(toRational), x).cmp(toRational(dom.b[i]!)) >= 0 && row.some((v) => v !== 0))) continue;
    if (!generic(network, x)) continue;
    const key = JSON.stringify(forward(network, x).pattern);
    if (!keys.has(key)) return `sample point has pattern ${key}, which is not a region`;
  }
  return null;
}

function describeFailure(what: string, network: Network, domain: unknown): string {
  return `${what}\nnetwork: ${JSON.stringify(network)}\ndomain: ${JSON.stringify(domain)}`;
}

// ---------------------------------------------------------------------------------------------
// The exact LP.

describe('exact LP (lp-exact.ts)', () => {
  it('solves small hand-solved LPs (optimal value and vertex)', () => {
    // max x + y on [0,1] x [0,2]: 3 at (1, 2); min: 0 at (0, 0)
    const A = [[1, 0], [0, 1], [-1, 0], [0, -1]];
    const b = [1, 2, 0, 0];
    const r = maximize([1, 1], A, b);
    expect(r.status).toBe('optimal');
    expect(r.value!.eq(Q(3))).toBe(true);
    expect(r.x!.map((v) => v.key())).toEqual(['1', '2']);
    const s = minimize([1, 1], A, b);
    expect(s.value!.eq(Q(0))).toBe(true);
    // max 2x + 3y s.t. x + y <= 4, x + 3y <= 6, x, y >= 0: vertex (3, 1), value 9
    const t = maximize([2, 3], [[1, 1], [1, 3], [-1, 0], [0, -1]], [4, 6, 0, 0]);
    expect(t.value!.key()).toBe('9');
    expect(t.x!.map((v) => v.key())).toEqual(['3', '1']);
    // rational data: max x s.t. 3x <= 1: 1/3
    expect(maximize([1], [[3]], [1]).value!.key()).toBe('1/3');
    // optimum away from the origin with negative right-hand sides (phase 1 needed): x >= 2, y >= 3, min x + y = 5
    const u = minimize([1, 1], [[-1, 0], [0, -1], [1, 1]], [-2, -3, 10]);
    expect(u.status).toBe('optimal');
    expect(u.value!.key()).toBe('5');
    expect(u.x!.map((v) => v.key())).toEqual(['2', '3']);
    // a free variable at a negative optimum: min x s.t. x >= -7/2
    expect(minimize([1], [[-1]], [3.5]).value!.key()).toBe('-7/2');
  });

  it('degenerate vertices: many constraints through one point', () => {
    // the unit cube cut by every x_i + x_j <= 2 and x+y+z <= 3: all 7 upper constraints tight at (1,1,1)
    const A = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1], [-1, 0, 0], [0, -1, 0], [0, 0, -1]];
    const b = [1, 1, 1, 2, 2, 2, 3, 0, 0, 0];
    const r = maximize([1, 1, 1], A, b);
    expect(r.value!.key()).toBe('3');
    expect(r.x!.map((v) => v.key())).toEqual(['1', '1', '1']);
    // a pyramid apex: 8 planes through (0, 0, 1) (square pyramid with doubled faces), max z = 1
    const P = [[1, 0, 1], [-1, 0, 1], [0, 1, 1], [0, -1, 1], [2, 0, 2], [1, 1, 1], [-1, -1, 1], [0, 0, -1]];
    const pb = [1, 1, 1, 1, 2, 1, 1, 0];
    const p = maximize([0, 0, 1], P, pb);
    expect(p.value!.key()).toBe('1');
    expect(p.x!.map((v) => v.key())).toEqual(['0', '0', '1']);
    // Beale's example (cycles under Dantzig's rule without an anti-cycling rule):
    // min -3/4 x4 + 20 x5 - 1/2 x6 + 6 x7 s.t. 1/4 x4 - 8 x5 - x6 + 9 x7 <= 0,
    // 1/2 x4 - 12 x5 - 1/2 x6 + 3 x7 <= 0, x6 <= 1, x >= 0: optimum -5/4 at (1, 0, 1, 0)
    const BA = [[0.25, -8, -1, 9], [0.5, -12, -0.5, 3], [0, 0, 1, 0], [-1, 0, 0, 0], [0, -1, 0, 0], [0, 0, -1, 0], [0, 0, 0, -1]];
    const Bb = [0, 0, 1, 0, 0, 0, 0];
    for (const arithmetic of ['integer', 'rational'] as const) {
      const beale = solveLp([-0.75, 20, -0.5, 6], BA, Bb, 'min', arithmetic);
      expect(beale.status).toBe('optimal');
      expect(beale.value!.key()).toBe('-5/4');
      expect(beale.x!.map((v) => v.key())).toEqual(['1', '0', '1', '0']);
    }
    // a degenerate origin: the same cone constraint twice and its scaled copy
    const c = maximize([1, 1], [[1, 1], [2, 2], [1, 1], [-1, 0], [0, -1]], [0, 0, 0, 0, 0]);
    expect(c.value!.key()).toBe('0');
  });

  it('infeasible instances', () => {
    expect(maximize([1], [[1], [-1]], [0, -1]).status).toBe('infeasible'); // x <= 0 and x >= 1
    // 3-D: x, y, z >= 1 and x + y + z <= 2
    expect(minimize([1, 0, 0], [[-1, 0, 0], [0, -1, 0], [0, 0, -1], [1, 1, 1]], [-1, -1, -1, 2]).status).toBe('infeasible');
    // a zero row with a negative right-hand side
    expect(maximize([1, 1], [[0, 0], [1, 0]], [-1, 1]).status).toBe('infeasible');
    // infeasible even though the objective is unbounded on the relaxation
    expect(maximize([1, 1], [[1, -1], [-1, 1]], [-1, -1]).status).toBe('infeasible');
    // an empty set that is feasible in float but not exactly: x >= 0.1 (as a double) and 10 x <= 1
    expect(maximize([1], [[-1], [10]], [-0.1, 1]).status).toBe('infeasible'); // 0.1 as a double is > 1/10
  });

  it('unbounded instances, with a valid ray', () => {
    const cases: { c: number[]; A: number[][]; b: number[]; sense: 'max' | 'min' }[] = [
      { c: [1, 0], A: [[0, 1]], b: [1], sense: 'max' }, // max x s.t. y <= 1
      { c: [1, 1, 1], A: [], b: [], sense: 'min' }, // the whole space
      { c: [1, 2, 0], A: [[-1, 0, 0], [0, -1, 0], [1, -1, 0]], b: [0, 0, 1], sense: 'max' },
      { c: [0, 0, 1], A: [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, -1]], b: [1, 1, 1, 1, -3], sense: 'max' }, // a prism, phase 1 first
    ];
    for (const k of cases) {
      const r = solveLp(k.c, k.A, k.b, k.sense);
      expect(r.status).toBe('unbounded');
      expect(feasible(k.A, k.b, r.x!)).toBe(true);
      const C = k.c.map(toQ);
      expect(dotQ(C, r.ray!).sign()).toBe(k.sense === 'max' ? 1 : -1);
      for (const row of k.A) expect(dotQ(row.map(toQ), r.ray!).sign()).toBeLessThanOrEqual(0);
    }
    // a zero objective on an unbounded set is optimal (value 0)
    expect(maximize([0, 0], [[1, 0]], [1]).status).toBe('optimal');
    expect(maximize([0, 0], [], []).value!.key()).toBe('0');
  });

  it('hasInterior / interiorPoint: full-dimensional, lower-dimensional and empty sets', () => {
    const cube3 = boxAsPolytope([[-1, 1], [-1, 1], [-1, 1]]) as { A: number[][]; b: number[] };
    const p = interiorPoint(cube3.A, cube3.b)!;
    expect(p).not.toBeNull();
    for (let i = 0; i < cube3.A.length; i++) expect(dotQ(cube3.A[i]!.map(toQ), p).cmp(toQ(cube3.b[i]!))).toBe(-1);
    // a square in the plane z = 0 (z <= 0 and -z <= 0): feasible, empty interior
    const flat = { A: [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], b: [1, 1, 1, 1, 0, 0] };
    expect(maximize([1, 1, 1], flat.A, flat.b).status).toBe('optimal');
    expect(hasInterior(flat.A, flat.b)).toBe(false);
    // a segment in 3-D, a single point, the empty set
    expect(hasInterior([[1, 1, 0], [-1, -1, 0], [0, 1, 1], [0, -1, -1], [1, 0, 0], [-1, 0, 0]], [0, 0, 0, 0, 1, 1])).toBe(false);
    expect(hasInterior([[1, 0], [-1, 0], [0, 1], [0, -1]], [2, -2, 3, -3])).toBe(false);
    expect(hasInterior([[1, 0], [-1, 0]], [0, -1])).toBe(false);
    // a triangle touching the degenerate limit: x + y <= t with x, y >= 0, t = 0 (a point) vs t = 2^-40
    expect(hasInterior([[1, 1], [-1, 0], [0, -1]], [0, 0, 0])).toBe(false);
    expect(hasInterior([[1, 1], [-1, 0], [0, -1]], [2 ** -40, 0, 0])).toBe(true);
    // unbounded sets, zero rows, no rows
    expect(hasInterior([[1, 0, 0]], [5])).toBe(true);
    expect(hasInterior([[0, 0, 0], [1, 0, 0]], [0, 5])).toBe(true);
    expect(hasInterior([[0, 0, 0]], [-1])).toBe(false);
    expect(hasInterior([], [], 4)).toBe(true);
    // a slab of width 0 given by two parallel scaled rows: 2x <= 2, -x <= -1
    expect(hasInterior([[2, 0], [-1, 0]], [2, -1])).toBe(false);
  });

  it('cutsInterior: touching along a face, an edge or a vertex does not cut', () => {
    const C = boxAsPolytope([[-1, 1], [-1, 1], [-1, 1]]) as { A: number[][]; b: number[] };
    const cuts = (g: number[], e: number): boolean => cutsInterior(C.A, C.b, g, e);
    expect(cuts([1, 0, 0], 0)).toBe(true); // x = 0
    expect(cuts([1, 1, 1], -2.5)).toBe(true); // near a corner
    expect(cuts([1, 0, 0], -1)).toBe(false); // the face x = 1
    expect(cuts([-2, 0, 0], -2)).toBe(false); // the face x = -1, scaled and flipped
    expect(cuts([1, 1, 0], -2)).toBe(false); // the edge x = y = 1
    expect(cuts([1, 1, 1], -3)).toBe(false); // the vertex (1, 1, 1)
    expect(cuts([-1, -1, -1], -3)).toBe(false); // the vertex (-1, -1, -1)
    expect(cuts([1, 0, 0], -5)).toBe(false); // misses
    expect(cuts([0, 0, 0], 0)).toBe(false); // zero g
    expect(cuts([0, 0, 0], 1)).toBe(false);
    // the whole space and an unbounded slab
    expect(cutsInterior([], [], [0, 0, 1], 100)).toBe(true);
    expect(cutsInterior([[1, 0, 0], [-1, 0, 0]], [1, 1], [1, 0, 0], -1)).toBe(false);
    expect(cutsInterior([[1, 0, 0], [-1, 0, 0]], [1, 1], [1, 0, 1], -1)).toBe(true);
    // a simplex whose facet lies on the hyperplane
    expect(cutsInterior([[-1, 0, 0], [0, -1, 0], [0, 0, -1], [1, 1, 1]], [0, 0, 0, 1], [1, 1, 1], -1)).toBe(false);
  });

  it('agrees with a brute-force vertex enumeration and between integer / rational arithmetic on random LPs', () => {
    const rng = new Rng(4242);
    for (let t = 0; t < 150; t++) {
      const n = rng.int(2, 4);
      const m = rng.int(1, 6);
      const integer = rng.chance(0.6);
      const entry = (): number => (integer ? rng.int(-2, 2) : Math.round(rng.gaussian() * 16) / 8);
      // random rows, plus a bounding box so that the LP is bounded and the vertex enumeration applies
      const A: number[][] = [];
      const b: number[] = [];
      for (let i = 0; i < m; i++) {
        A.push(Array.from({ length: n }, entry));
        b.push(integer ? rng.int(-2, 2) : entry());
      }
      for (let k = 0; k < n; k++) {
        A.push(Array.from({ length: n }, (_, j) => (j === k ? 1 : 0)), Array.from({ length: n }, (_, j) => (j === k ? -1 : 0)));
        b.push(3, 3);
      }
      if (rng.chance(0.3)) { A.push(A[0]!.map((x) => 2 * x)); b.push(2 * b[0]!); } // duplicated constraint
      const c = Array.from({ length: n }, entry);
      const sense = rng.chance(0.5) ? 'max' : 'min';
      const r = solveLp(c, A, b, sense);
      const s = solveLp(c, A, b, sense, 'rational');
      const msg = `LP ${t}: c=${JSON.stringify(c)} A=${JSON.stringify(A)} b=${JSON.stringify(b)} ${sense}`;
      expect(s.status, msg).toBe(r.status);
      const CQ = c.map(toQ).map((x) => (sense === 'max' ? x : x.neg()));
      const brute = bruteForceMax(CQ, A.map((row) => row.map(toQ)), b.map(toQ));
      if (brute === null) {
        expect(r.status, msg).toBe('infeasible');
        continue;
      }
      expect(r.status, msg).toBe('optimal');
      expect(r.value!.eq(sense === 'max' ? brute : brute.neg()), msg).toBe(true);
      expect(s.value!.eq(r.value!), msg).toBe(true);
      expect(feasible(A, b, r.x!), msg).toBe(true);
      expect(dotQ(c.map(toQ), r.x!).eq(r.value!), msg).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Closed forms.

/** Hyperplanes with normals on the moment curve (1, t, ..., t^(d-1)) and the given offsets. */
function momentArrangement(d: number, ts: number[], offsets: number[]): { a: number[][]; c: number[] } {
  return { a: ts.map((t) => Array.from({ length: d }, (_, k) => t ** k)), c: offsets };
}

describe('Zaslavsky: n hyperplanes in general position in R^d', () => {
  const configs: { d: number; ts: number[]; offsets: number[] }[] = [
    { d: 3, ts: [-2, -1, 0, 1, 2, 3], offsets: [0.5, -1.25, 2, 0.75, -3, 1.5] },
    { d: 3, ts: [-3, -1, 1, 2], offsets: [1, -2, 0.5, 3] },
    { d: 4, ts: [-2, -1, 0, 1, 2, 3], offsets: [1, 0.5, -1.5, 2.25, -0.75, 3] },
    { d: 5, ts: [-3, -2, -1, 0, 1, 2, 3], offsets: [0.5, -1, 1.75, -2.5, 3, 0.25, -1.25] },
    { d: 5, ts: [-1, 1, 2], offsets: [1, 2, 3] }, // n < d: 2^n
  ];
  for (const { d, ts, offsets } of configs) {
    const n = ts.length;
    it(`d = ${d}, n = ${n}: ${zaslavsky(n, d)} regions in the whole space and in a box holding every vertex`, () => {
      const { a, c } = momentArrangement(d, ts, offsets);
      expect(inGeneralPosition(a, c)).toBe(true);
      const network = net(d, [layer(a, c, 'relu')]);
      const whole = referenceCountNd(network, { whole: true });
      expect(whole.activationRegions).toBe(zaslavsky(n, d));
      expect(whole.perLayer).toEqual([zaslavsky(n, d)]);
      expect(whole.dimension).toBe(d);
      // the default domain for d > 2 is the whole space
      expect(referenceCountNd(network).activationRegions).toBe(zaslavsky(n, d));
      if (n >= d) {
        const V = vertices(a, c);
        expect(V.length).toBe(Number(binomial(n, d)));
        let m = 0;
        for (const v of V) for (const x of v) m = Math.max(m, Math.abs(x.toNumber()));
        const R = Math.ceil(m) + 1;
        const box = cube(d, -R, R);
        // every vertex strictly inside (exactly)
        for (const v of V) for (const x of v) expect(x.cmp(Q(R)) < 0 && x.cmp(Q(-R)) > 0).toBe(true);
        expect(referenceCountNd(network, box).activationRegions).toBe(zaslavsky(n, d));
        // the same box as a polytope
        expect(referenceCountNd(network, boxAsPolytope((box as { bounds: [number, number][] }).bounds)).activationRegions).toBe(zaslavsky(n, d));
      }
      // leaky relu and abs split the same way
      expect(referenceCountNd(net(d, [layer(a, c, 'abs')]), { whole: true }).activationRegions).toBe(zaslavsky(n, d));
      expect(referenceCountNd(net(d, [layer(a, c, 'leaky_relu', { alpha: 0.5 })]), { whole: true }).activationRegions).toBe(zaslavsky(n, d));
    });
  }
});

describe("Serra et al. Theorem 1, one hidden ReLU layer in the whole space: sum_{j <= min(n0, n1)} C(n1, j)", () => {
  const shapes: [number, number][] = [[3, 2], [3, 3], [3, 5], [4, 3], [4, 6], [5, 6], [6, 4], [6, 7]];
  for (const [n0, n1] of shapes) {
    it(`n0 = ${n0}, n1 = ${n1}`, () => {
      const rng = new Rng(1000 * n0 + n1);
      const W = Array.from({ length: n1 }, () => Array.from({ length: n0 }, () => rng.gaussian()));
      const bias = Array.from({ length: n1 }, () => rng.gaussian() * 0.5);
      expect(inGeneralPosition(W, bias)).toBe(true);
      let bound = 0n;
      for (let j = 0; j <= Math.min(n0, n1); j++) bound += binomial(n1, j);
      const network = net(n0, [layer(W, bias, 'relu'), layer([W.map((_, i) => i + 1)], [0], 'linear')]);
      const r = referenceCountNd(network, { whole: true });
      expect(r.activationRegions).toBe(Number(bound));
      expect(r.perLayer).toEqual([Number(bound), Number(bound)]);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Hand counts in 3-D.

describe('hand counts in 3-D', () => {
  const C3 = cube(3);

  it('a hyperplane touching the cube only along a face, an edge or at a vertex does not split it', () => {
    for (const [w, b] of [
      [[1, 0, 0], -1], // face x = 1
      [[1, 1, 0], -2], // edge x = y = 1
      [[-1, -1, 0], 2], // the same edge, flipped: on side
      [[1, 1, 1], -3], // vertex (1, 1, 1)
      [[1, -1, 1], 3], // vertex (-1, 1, -1), on side
      [[0, 0, 1], 7], // misses
    ] as [number[], number][]) {
      const r = referenceCountNd(net(3, [layer([w], [b], 'relu')]), C3);
      expect(r.activationRegions, JSON.stringify([w, b])).toBe(1);
      expect(r.linearRegions).toBe(1);
      // and as the second unit next to a cutting one: 2 regions
      expect(referenceCountNd(net(3, [layer([[0, 0, 1], w], [0, b], 'relu')]), C3).activationRegions).toBe(2);
    }
    // the same in a deeper layer: x then the edge plane on the composed map
    const deep = net(3, [layer([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0], 'linear'), layer([[1, 1, 0]], [-2], 'relu')]);
    expect(referenceCountNd(deep, C3).activationRegions).toBe(1);
  });

  it('coincident hyperplanes with scaled or flipped normals count once', () => {
    const rows = [[1, 1, -1], [2, 2, -2], [-1, -1, 1], [0.5, 0.5, -0.5], [-4, -4, 4]];
    const bias = [0.25, 0.5, -0.25, 0.125, -1];
    for (const dom of [C3, { whole: true } as NdDomain]) {
      const r = referenceCountNd(net(3, [layer(rows, bias, 'relu')]), dom);
      expect(r.activationRegions).toBe(2);
      expect(r.linearRegions).toBe(2);
    }
    // plus a parallel plane (another offset): 3 regions; plus a transversal one: 6
    expect(referenceCountNd(net(3, [layer([...rows, [1, 1, -1]], [...bias, -0.5], 'relu')]), C3).activationRegions).toBe(3);
    expect(referenceCountNd(net(3, [layer([...rows, [1, 1, -1], [1, 0, 0]], [...bias, -0.5, 0.1], 'relu')]), C3).activationRegions).toBe(6);
  });

  it('zero rows do not split (relu, leaky, abs, maxout ties)', () => {
    for (const act of ['relu', 'leaky_relu', 'abs'] as const) {
      for (const b of [0, 1, -1]) {
        const r = referenceCountNd(net(3, [layer([[0, 0, 0]], [b], act)]), C3);
        expect(r.activationRegions).toBe(1);
      }
      // a zero row next to a cutting unit, in a polytope and in the whole space
      expect(referenceCountNd(net(3, [layer([[0, 0, 0], [1, 2, 3]], [0, 0.5], act)]), { whole: true }).activationRegions).toBe(2);
    }
    // a zero row in the second layer after a cutting first layer
    const two = net(3, [layer([[1, 0, 0], [0, 1, 0]], [0, 0], 'relu'), layer([[0, 0]], [0], 'relu')]);
    expect(referenceCountNd(two, C3).perLayer).toEqual([4, 4]);
    // a unit that is identically zero only on some cells: relu(relu(x) - relu(x)) after splitting by x
    const cancel = net(3, [layer([[1, 0, 0]], [0], 'relu'), layer([[1], [-1]], [0, 0], 'relu')]);
    // off cell (x <= 0): both units identically 0 -> 1 region; on cell: relu(x) > 0 and relu(-x) = 0 -> 1
    expect(referenceCountNd(cancel, C3).perLayer).toEqual([2, 2]);
    // maxout with two identical pieces: the second piece never wins (ties to the lowest)
    const tie = net(3, [layer([[1, 2, 3], [1, 2, 3]], [0.5, 0.5], 'maxout', { pieces: 2 })]);
    expect(referenceCountNd(tie, C3).activationRegions).toBe(1);
    expect(referenceRegionsNd(tie, C3).regions[0]!.pattern).toEqual([[0]]);
  });

  it('maxout: argmax regions in 3-D', () => {
    // max(x, y, z): 3 regions (the cones x >= y, z etc.), in the whole space and in the cube
    const m3 = net(3, [layer([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0], 'maxout', { pieces: 3 })]);
    expect(referenceCountNd(m3, { whole: true }).activationRegions).toBe(3);
    expect(referenceCountNd(m3, C3).activationRegions).toBe(3);
    expect(referenceCountNd(m3, C3).linearRegions).toBe(3);
    // max(x, x, y): the duplicated piece only ties -> 2 regions
    const dup = net(3, [layer([[1, 0, 0], [1, 0, 0], [0, 1, 0]], [0, 0, 0], 'maxout', { pieces: 3 })]);
    expect(referenceCountNd(dup, C3).activationRegions).toBe(2);
    // max(x, y, x + 5): the last piece dominates x everywhere and beats y only where x + 5 > y
    // on the cube (always, since x + 5 >= 4 > 1 >= y): 1 region
    const dom = net(3, [layer([[1, 0, 0], [0, 1, 0], [1, 0, 0]], [0, 0, 5], 'maxout', { pieces: 3 })]);
    expect(referenceCountNd(dom, C3).activationRegions).toBe(1);
    expect(referenceCountNd(dom, { whole: true }).activationRegions).toBe(2); // x + 5 vs y
    // two maxout units max(x, -x), max(y, z): 2 * 2 = 4 regions, all with different outputs
    const two = net(3, [layer([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0, 0], 'maxout', { pieces: 2 })]);
    const r = referenceCountNd(two, C3);
    expect(r.activationRegions).toBe(4);
    expect(r.linearRegions).toBe(4);
    // pieces x, y, z - 3 on the cube: z - 3 <= -2 < -1 <= max(x, y), so the third piece never wins
    const never = net(3, [layer([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, -3], 'maxout', { pieces: 3 })]);
    expect(referenceCountNd(never, C3).activationRegions).toBe(2);
    // pieces x and y - 2 on the cube: x >= -1 >= y - 2, equal only on the edge x = -1, y = 1
    const edge = net(3, [layer([[1, 0, 0], [0, 1, 0]], [0, -2], 'maxout', { pieces: 2 })]);
    expect(referenceCountNd(edge, C3).activationRegions).toBe(1);
  });

  it('leaky relu and abs: activation vs linear regions', () => {
    // leaky relu with alpha = 1 is the identity: 8 activation regions, 1 linear region
    const id = net(3, [layer([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0], 'leaky_relu', { alpha: 1 })]);
    const r = referenceCountNd(id, C3);
    expect(r.activationRegions).toBe(8);
    expect(r.linearRegions).toBe(1);
    // alpha = 0.5, then a sum: 8 different maps
    const half = net(3, [layer([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0], 'leaky_relu', { alpha: 0.5 }), layer([[1, 1, 1]], [0], 'linear')]);
    expect(referenceCountNd(half, C3)).toEqual({ activationRegions: 8, linearRegions: 8, perLayer: [8, 8], dimension: 3 });
    // relu(x) - relu(-x) = x: 2 activation regions, 1 linear region
    const cancel = net(3, [layer([[1, 0, 0], [-1, 0, 0]], [0, 0], 'relu'), layer([[1, -1]], [0], 'linear')]);
    expect(referenceCountNd(cancel, C3)).toEqual({ activationRegions: 2, linearRegions: 1, perLayer: [2, 2], dimension: 3 });
    // abs(x) + abs(y) - abs(x) = abs(y): 4 activation regions, 2 linear regions
    const abs = net(3, [layer([[1, 0, 0], [0, 1, 0]], [0, 0], 'abs'), layer([[0, 1], [1, 0]], [0, 0], 'linear'), layer([[1, 0]], [0], 'linear')]);
    expect(referenceCountNd(abs, C3).activationRegions).toBe(4);
    expect(referenceCountNd(abs, C3).linearRegions).toBe(2);
    // leaky relu with alpha = -1 is abs: 2 regions, 2 linear regions
    const neg = net(3, [layer([[1, 1, 1]], [0], 'leaky_relu', { alpha: -1 })]);
    expect(referenceCountNd(neg, C3)).toEqual({ activationRegions: 2, linearRegions: 2, perLayer: [2], dimension: 3 });
  });

  it('equal output maps that meet only along a lower-dimensional set are different linear regions', () => {
    // f = relu(x + y) - relu(x) - relu(y): f = 0 on {x, y > 0} and on {x, y < 0}, which meet only along
    // the line x = y = 0 (dimension 1 in R^3); the other 4 regions have maps x, -y, y, -x.
    const f = net(3, [layer([[1, 1, 0], [1, 0, 0], [0, 1, 0]], [0, 0, 0], 'relu'), layer([[1, -1, -1]], [0], 'linear')]);
    for (const dom of [C3, { whole: true } as NdDomain]) {
      const r = referenceCountNd(f, dom);
      expect(r.activationRegions).toBe(6);
      expect(r.linearRegions).toBe(6);
    }
    // relu(z) - relu(z) over a split by x: 4 activation regions (x and z), output 0 everywhere, and
    // the 4 regions are joined across 2-D faces: 1 linear region
    const h = net(3, [layer([[1, 0, 0], [0, 0, 1], [0, 0, 1]], [0, 0, 0], 'relu'), layer([[0, 1, -1]], [0], 'linear')]);
    const rh = referenceCountNd(h, C3);
    expect(rh.activationRegions).toBe(4);
    expect(rh.linearRegions).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Agreement with the 1-D / 2-D reference.

describe('agreement with reference.ts on 200 random 1-D and 2-D box cases (randomCase, large cases skipped)', () => {
  it('same counts, with the box given as a box and as a polytope', () => {
    let done = 0;
    const failures: string[] = [];
    for (let seed = 1; done < 200 && seed < 5000; seed++) {
      const c = randomCase(seed);
      const dom = resolveReferenceDomain(c.network, c.domain);
      if (!('bounds' in dom) || 'directions' in dom) continue;
      // The 1 case in 20 that is "large" (2-3 hidden layers of 6-8 units, up to a few hundred 2-D
      // regions) takes the LP-based reference seconds with Gaussian weights: skipped here.
      if (c.description.includes('(large)')) continue;
      done++;
      const expected = referenceCount(c.network, c.domain);
      const got = referenceCountNd(c.network, c.domain);
      const poly = referenceCountNd(c.network, boxAsPolytope(dom.bounds));
      const exp = { activationRegions: expected.activationRegions, linearRegions: expected.linearRegions, perLayer: expected.perLayer, dimension: expected.dimension };
      for (const [name, r] of [['box', got], ['polytope', poly]] as const) {
        if (JSON.stringify(r) !== JSON.stringify(exp)) {
          failures.push(`${c.description} (${name}): expected ${JSON.stringify(exp)}, got ${JSON.stringify(r)}\n` + describeFailure('', c.network, c.domain));
        }
      }
    }
    expect(done).toBe(200);
    expect(failures.slice(0, 3).join('\n\n')).toBe('');
  }, 60000);
});

// ---------------------------------------------------------------------------------------------
// Domains and random n-D cases.

describe('domains', () => {
  const N = net(3, [layer([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0], 'relu')]);

  it('defaults: [-1,1]^n for n <= 2, the whole space for n > 2; the argument beats network.domain', () => {
    const n2 = net(2, [layer([[1, 0]], [-0.5], 'relu')]);
    expect(resolveDomainNd(n2)).toEqual({ bounds: [[-1, 1], [-1, 1]] });
    expect(resolveDomainNd(N)).toEqual({ whole: true });
    // x - 5: does not cut [-1,1]^3 but cuts the whole space
    const far = net(3, [layer([[1, 0, 0]], [-5], 'relu')]);
    expect(referenceCountNd(far).activationRegions).toBe(2);
    expect(referenceCountNd({ ...far, domain: { bounds: [[-1, 1], [-1, 1], [-1, 1]] } }).activationRegions).toBe(1);
    expect(referenceCountNd({ ...far, domain: { bounds: [[-1, 1], [-1, 1], [-1, 1]] } }, { whole: true }).activationRegions).toBe(2);
  });

  it('polytopes: simplex, cross-polytope, unbounded polyhedra; an empty interior is an error', () => {
    // the simplex x, y, z >= 0, x + y + z <= 1: the 3 coordinate planes are its facets: 1 region
    const simplex: NdDomain = { A: [[-1, 0, 0], [0, -1, 0], [0, 0, -1], [1, 1, 1]], b: [0, 0, 0, 1] };
    expect(referenceCountNd(N, simplex).activationRegions).toBe(1);
    // the cross-polytope |x| + |y| + |z| <= 1: the 3 coordinate planes make the 8 orthants
    const A: number[][] = [];
    for (let m = 0; m < 8; m++) A.push([m & 1 ? -1 : 1, m & 2 ? -1 : 1, m & 4 ? -1 : 1]);
    expect(referenceCountNd(N, { A, b: new Array<number>(8).fill(1) }).activationRegions).toBe(8);
    // a half-space z <= 0: 4 regions (z > 0 is outside)
    expect(referenceCountNd(N, { A: [[0, 0, 1]], b: [0] }).activationRegions).toBe(4);
    // zero rows in the polytope are allowed when b >= 0
    expect(referenceCountNd(N, { A: [[0, 0, 0], [0, 0, 1]], b: [0, 0] }).activationRegions).toBe(4);
    // empty interiors: a flat square, a point, an empty set
    expect(() => referenceCountNd(N, { A: [[0, 0, 1], [0, 0, -1]], b: [0, 0] })).toThrow(/empty interior/);
    expect(() => referenceCountNd(N, { A: [[1, 0, 0], [-1, 0, 0]], b: [0, -1] })).toThrow(/empty interior/);
    expect(() => referenceCountNd(N, { A: [[0, 0, 0]], b: [-1] })).toThrow(/empty interior/);
    expect(() => referenceCountNd(N, { bounds: [[0, 0], [0, 1], [0, 1]] })).toThrow(/empty/);
    expect(() => referenceCountNd(N, { A: [[1, 0]], b: [0] })).toThrow(/entries/);
  });

  it('slices: a 3-D slice of a 5-D network equals the network composed with the slice map', () => {
    const W = [[1, 0, 0, 2, 0], [0, 1, 0, 0, -1], [0, 0, 1, 1, 1]];
    const network = net(5, [layer(W, [0.5, -0.25, 0], 'relu')]);
    // x = origin + p0 u0 + p1 u1 + p2 u2, with u_k = e_k: only the first 3 coordinates move
    const r = referenceCountNd(network, { origin: [0, 0, 0, 0.125, 0.25], directions: [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0]], bounds: [[-1, 1], [-1, 1], [-1, 1]] });
    expect(r.dimension).toBe(3);
    expect(r.activationRegions).toBe(8);
  });
});

describe('random n-D cases (randomCaseNd): independent checks', () => {
  it('forward pass at interior points of every region, sampled points hit known regions, box = polytope', () => {
    const rng = new Rng(777);
    const failures: string[] = [];
    let regions = 0;
    for (let seed = 1; seed <= 250; seed++) {
      const c = randomCaseNd(seed);
      try {
        const err = checkRegions(c.network, c.domain, 60, rng, Array.from({ length: c.network.inputDim }, (): [number, number] => [-3, 3]));
        if (err) failures.push(`${c.description}: ${err}\n` + describeFailure('', c.network, c.domain));
        const r = referenceCountNd(c.network, c.domain);
        regions += r.activationRegions;
        if (r.linearRegions > r.activationRegions || r.linearRegions < 1) failures.push(`${c.description}: linear ${r.linearRegions} > activation ${r.activationRegions}`);
        if (r.perLayer[r.perLayer.length - 1] !== r.activationRegions) failures.push(`${c.description}: perLayer ${JSON.stringify(r.perLayer)}`);
        for (let i = 1; i < r.perLayer.length; i++) if (r.perLayer[i]! < r.perLayer[i - 1]!) failures.push(`${c.description}: perLayer decreases`);
        const dom = resolveDomainNd(c.network, c.domain);
        if ('bounds' in dom && !('directions' in dom)) {
          const p = referenceCountNd(c.network, boxAsPolytope(dom.bounds));
          if (JSON.stringify(p) !== JSON.stringify(r)) failures.push(`${c.description}: box ${JSON.stringify(r)} != polytope ${JSON.stringify(p)}`);
        }
        // truncations: perLayer[i] equals the count of the network cut after layer i
        if (c.network.layers.length > 1) {
          const t = referenceCountNd({ ...c.network, layers: c.network.layers.slice(0, 1) }, c.domain);
          if (t.activationRegions !== r.perLayer[0]) failures.push(`${c.description}: truncation ${t.activationRegions} != perLayer[0] ${r.perLayer[0]}`);
        }
      } catch (e) {
        failures.push(`${c.description}: threw ${(e as Error).message}\n` + describeFailure('', c.network, c.domain));
      }
    }
    expect(failures.slice(0, 3).join('\n\n')).toBe('');
    expect(regions).toBeGreaterThan(600);
  }, 60000);

  it('is deterministic: the same seed gives the same case', () => {
    expect(JSON.stringify(randomCaseNd(12345))).toBe(JSON.stringify(randomCaseNd(12345)));
    const dims = new Set<number>();
    for (let s = 1; s <= 60; s++) dims.add(randomCaseNd(s).network.inputDim);
    expect([...dims].sort()).toEqual([3, 4, 5, 6]);
  });
});
