/**
 * Tests of the slow exact reference (test/reference/) itself: hand counts, closed forms, exact
 * float decoding, and self-consistency checks that use an independent exact forward pass and an
 * independent polygon-intersection adjacency test. The fast core is tested against this reference
 * in differential.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { BoxDomain, Domain, Layer, Network, SliceDomain } from '../src/network/types.js';
import { Dyadic, Rational, toDyadic, toRational } from './reference/rational.js';
import { referenceCount, referenceRegions, type ReferenceRegion } from './reference/reference.js';
import { Rng, randomCase, randomNetwork } from './reference/random-nets.js';
import { layer, net } from './helpers/nets.js';

// ---------------------------------------------------------------------------------------------
// Helpers.


const BOX2: Domain = { bounds: [[-1, 1], [-1, 1]] };

/** One relu layer whose units are the given lines a x + b y + c (as rows [a, b], bias c). */
function lines(rows: [number, number, number][], domain: Domain = BOX2): Network {
  return net(2, [layer(rows.map(([a, b]) => [a, b]), rows.map(([, , c]) => c), 'relu')], domain);
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Telgarsky's sawtooth: the hat t(x) = 2 relu(x) - 4 relu(x - 1/2), composed L times, on [0, 1]. */
function sawtooth(L: number): Network {
  const layers: Layer[] = [layer([[1], [1]], [0, -0.5], 'relu')];
  for (let k = 2; k <= L; k++) layers.push(layer([[2, -4], [2, -4]], [0, -0.5], 'relu'));
  layers.push(layer([[2, -4]], [0], 'linear'));
  return net(1, layers, { bounds: [[0, 1]] });
}

// ---------------------------------------------------------------------------------------------
// An independent exact forward pass, straight from the definitions. It runs on homogeneous
// points: the input is W * x with W > 0, and since every activation is positively homogeneous
// (relu(W z) = W relu(z), the same for leaky_relu, abs, max), every value is W times the true
// one: signs and argmaxes are unchanged, and no division (so no gcd) is ever needed.

interface Forward {
  pattern: number[][];
  /** W * output. */
  output: Dyadic[];
}

function forwardExact(network: Network, xW: Dyadic[], W: Dyadic): Forward {
  let h = xW;
  const pattern: number[][] = [];
  for (const L of network.layers) {
    const z = L.weights.map((row, r) => row.reduce((acc, w, j) => acc.add(toDyadic(w).mul(h[j]!)), toDyadic(L.bias[r]!).mul(W)));
    const pat: number[] = [];
    let out: Dyadic[];
    switch (L.activation) {
      case 'linear':
        out = z;
        break;
      case 'relu':
        out = z.map((v) => (v.sign() > 0 ? v : Dyadic.ZERO));
        z.forEach((v) => pat.push(v.sign() > 0 ? 1 : 0));
        break;
      case 'leaky_relu': {
        const alpha = toDyadic(L.alpha ?? 0.01);
        out = z.map((v) => (v.sign() > 0 ? v : v.mul(alpha)));
        z.forEach((v) => pat.push(v.sign() > 0 ? 1 : 0));
        break;
      }
      case 'abs':
        out = z.map((v) => (v.sign() > 0 ? v : v.neg()));
        z.forEach((v) => pat.push(v.sign() > 0 ? 1 : 0));
        break;
      case 'maxout': {
        const k = L.pieces!;
        out = [];
        for (let u = 0; u < z.length / k; u++) {
          let best = 0;
          for (let i = 1; i < k; i++) if (z[u * k + i]!.sub(z[u * k + best]!).sign() > 0) best = i;
          pat.push(best);
          out.push(z[u * k + best]!);
        }
        break;
      }
    }
    pattern.push(pat);
    h = out;
  }
  return { pattern, output: h };
}

/** The 1-D and 2-D reference domains: boxes and slices (both have bounds). */
function resolved(network: Network, domain?: Domain): BoxDomain | SliceDomain {
  return (domain ?? network.domain ?? { bounds: Array.from({ length: network.inputDim }, (): [number, number] => [-1, 1]) }) as BoxDomain | SliceDomain;
}

/** W * input for the homogeneous domain point (pW, W): x = origin + sum_k p_k directions[k]. */
function toInput(domain: Domain, pW: Dyadic[], W: Dyadic): Dyadic[] {
  if ('directions' in domain) {
    return domain.origin.map((o, j) =>
      domain.directions.reduce((acc, d, k) => acc.add(toDyadic(d[j]!).mul(pW[k]!)), toDyadic(o).mul(W)),
    );
  }
  return pW;
}

/** W * (a . p + c) for the homogeneous point (pW, W). */
function evalRow(row: ReferenceRegion['output'][number], pW: Dyadic[], W: Dyadic): Dyadic {
  return row.a.reduce((acc, a, k) => acc.add(a.mul(pW[k]!)), row.c.mul(W));
}

/** A rational point as homogeneous integers (P, W), W > 0. */
function homogeneous(p: Rational[]): { P: bigint[]; W: bigint } {
  const W = p.reduce((w, x) => w * x.d, 1n);
  return { P: p.map((x) => x.n * (W / x.d)), W };
}

const big = (x: bigint): Dyadic => new Dyadic(x, 0);

const half = Rational.of(1, 2);

/** Twice the signed area of a polygon. */
function area2(poly: [Rational, Rational][]): Rational {
  let s = Rational.ZERO;
  for (let i = 0; i < poly.length; i++) {
    const [x0, y0] = poly[i]!;
    const [x1, y1] = poly[(i + 1) % poly.length]!;
    s = s.add(x0.mul(y1).sub(x1.mul(y0)));
  }
  return s;
}

/**
 * Closed intersection of two convex polygons (Sutherland-Hodgman with closed half-planes, exact);
 * returns the list of points (possibly degenerate: a segment or a point).
 */
function intersect(A: [Rational, Rational][], B: [Rational, Rational][]): [Rational, Rational][] {
  const orient = area2(B).sign(); // +1 counter-clockwise
  let pts = A;
  for (let i = 0; i < B.length && pts.length > 0; i++) {
    const [ax, ay] = B[i]!;
    const [bx, by] = B[(i + 1) % B.length]!;
    // f(p) = orient * cross(b - a, p - a) >= 0 inside
    const f = ([px, py]: [Rational, Rational]): Rational => {
      const c = bx.sub(ax).mul(py.sub(ay)).sub(by.sub(ay).mul(px.sub(ax)));
      return orient > 0 ? c : c.neg();
    };
    const out: [Rational, Rational][] = [];
    for (let k = 0; k < pts.length; k++) {
      const P = pts[k]!;
      const Q = pts[(k + 1) % pts.length]!;
      const fp = f(P);
      const fq = f(Q);
      if (fp.sign() >= 0) out.push(P);
      if (fp.sign() * fq.sign() < 0) {
        const t = fp.div(fp.sub(fq));
        out.push([P[0].add(Q[0].sub(P[0]).mul(t)), P[1].add(Q[1].sub(P[1]).mul(t))]);
      }
    }
    pts = out;
  }
  return pts;
}

/** Linear regions recomputed from the regions by brute force (independent adjacency test). */
function bruteLinearRegions(regions: ReferenceRegion[]): number {
  const parent = regions.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const key = (r: ReferenceRegion): string => r.output.map((o) => o.a.map((a) => a.key()).join(',') + ';' + o.c.key()).join('|');
  const keys = regions.map(key);
  for (let i = 0; i < regions.length; i++) {
    for (let j = i + 1; j < regions.length; j++) {
      if (keys[i] !== keys[j]) continue;
      let adjacent: boolean;
      if (regions[i]!.interval) {
        const [a0, a1] = regions[i]!.interval!;
        const [b0, b1] = regions[j]!.interval!;
        adjacent = a1.eq(b0) || b1.eq(a0);
      } else {
        const pts = intersect(regions[i]!.polygon!, regions[j]!.polygon!);
        // interiors are disjoint, so the intersection is empty, a point or a segment
        adjacent = pts.some((p) => !p[0].eq(pts[0]![0]) || !p[1].eq(pts[0]![1]));
      }
      if (adjacent) parent[find(i)] = find(j);
    }
  }
  return regions.filter((_, i) => find(i) === i).length;
}

/**
 * Checks the reference's regions against the definitions, with the independent forward pass:
 * interior points of each region have its pattern and its output map; patterns are distinct;
 * regions tile the domain (total length / area); exact random points land in a listed pattern;
 * the linear-region count matches the brute-force adjacency.
 */
function checkConsistency(network: Network, domain: Domain | undefined, seed: number, samples = 40): void {
  const res = referenceRegions(network, domain);
  const dom = resolved(network, domain);
  const where = `seed ${seed}: ${JSON.stringify({ network, domain })}`;
  expect(res.regions.length, where).toBe(res.activationRegions);
  expect(res.perLayer[res.perLayer.length - 1], where).toBe(res.activationRegions);
  const patterns = new Set(res.regions.map((r) => JSON.stringify(r.pattern)));
  expect(patterns.size, `distinct patterns, ${where}`).toBe(res.activationRegions);

  const bounds = dom.bounds.map(([lo, hi]) => [toRational(lo), toRational(hi)] as const);
  let total = Rational.ZERO;
  for (const r of res.regions) {
    // Interior points as homogeneous sums: sum_i w_i V_i with all weights w_i > 0 is a strict
    // convex combination of all the vertices, hence interior.
    let verts: { P: bigint[]; W: bigint }[];
    if (r.interval) {
      const [lo, hi] = r.interval;
      expect(lo.lt(hi), where).toBe(true);
      total = total.add(hi.sub(lo));
      verts = [homogeneous([lo]), homogeneous([hi])];
    } else {
      const poly = r.polygon!;
      const a = area2(poly);
      expect(a.sign(), `positive area, ${where}`).toBe(1);
      total = total.add(a.mul(half));
      verts = poly.map((v) => homogeneous(v));
    }
    const dim = verts[0]!.P.length;
    const sumP = Array.from({ length: dim }, (_, k) => verts.reduce((acc, v) => acc + v.P[k]!, 0n));
    const sumW = verts.reduce((acc, v) => acc + v.W, 0n);
    const interior = [{ P: sumP, W: sumW }];
    const m = BigInt(verts.length);
    for (const v of verts) interior.push({ P: sumP.map((x, k) => x + m * v.P[k]!), W: sumW + m * v.W });
    for (const { P, W } of interior) {
      const pW = P.map(big);
      const f = forwardExact(network, toInput(dom, pW, big(W)), big(W));
      expect(JSON.stringify(f.pattern), `pattern at an interior point, ${where}`).toBe(JSON.stringify(r.pattern));
      const mapped = r.output.map((row) => evalRow(row, pW, big(W)).key());
      expect(mapped, `output map at an interior point, ${where}`).toEqual(f.output.map((v) => v.key()));
    }
  }
  const domainSize = bounds.reduce((s, [lo, hi]) => s.mul(hi.sub(lo)), Rational.ONE);
  expect(total.key(), `regions tile the domain, ${where}`).toBe(domainSize.key());

  // Exact random points (53-bit dyadic coordinates: almost surely on no boundary).
  const rng = new Rng(seed + 1000003);
  for (let s = 0; s < samples; s++) {
    // lo + (hi - lo) r with dyadic lo, hi, r: a dyadic point, W = 1
    const p = dom.bounds.map(([lo, hi]) => toDyadic(lo).add(toDyadic(hi).sub(toDyadic(lo)).mul(toDyadic(rng.next()))));
    const f = forwardExact(network, toInput(dom, p, Dyadic.ONE), Dyadic.ONE);
    expect(patterns.has(JSON.stringify(f.pattern)), `sampled pattern ${JSON.stringify(f.pattern)} missing, ${where}`).toBe(true);
  }

  expect(bruteLinearRegions(res.regions), `linear regions by brute force, ${where}`).toBe(res.linearRegions);
}

// ---------------------------------------------------------------------------------------------
// Exact float decoding.

describe('toRational (exact float64 decoding)', () => {
  it('decodes 0.1 exactly', () => {
    const r = toRational(0.1);
    expect(r.n).toBe(3602879701896397n);
    expect(r.d).toBe(36028797018963968n); // 2^55
  });

  it('decodes the smallest subnormal 5e-324 as 1/2^1074', () => {
    const r = toRational(5e-324);
    expect(r.n).toBe(1n);
    expect(r.d).toBe(2n ** 1074n);
    expect(toRational(-5e-324).n).toBe(-1n);
  });

  it('decodes 1e308 and the largest double exactly', () => {
    const r = toRational(1e308);
    expect(r.d).toBe(1n);
    expect(r.n).toBe(BigInt(1e308)); // BigInt(number) is exact for integral doubles
    expect(r.n.toString().startsWith('1000000000000000010979063629440455417404923')).toBe(true);
    expect(toRational(Number.MAX_VALUE).n).toBe((2n ** 53n - 1n) * 2n ** 971n);
  });

  it('decodes other edge values', () => {
    expect(toRational(0).key()).toBe('0');
    expect(toRational(-0).key()).toBe('0');
    expect(toRational(1).key()).toBe('1');
    expect(toRational(-3).key()).toBe('-3');
    expect(toRational(0.5).key()).toBe('1/2');
    expect(toRational(-0.375).key()).toBe('-3/8');
    expect(toRational(2 ** -1022).key()).toBe(`1/${2n ** 1022n}`); // smallest normal
    expect(toRational(2 ** -1022 - 2 ** -1074).key()).toBe(`${2n ** 52n - 1n}/${2n ** 1074n}`); // largest subnormal
    expect(toRational(Number.EPSILON).key()).toBe(`1/${2n ** 52n}`);
    expect(toRational(2 ** 53 + 2).key()).toBe(`${2n ** 53n + 2n}`);
    expect(() => toRational(NaN)).toThrow();
    expect(() => toRational(Infinity)).toThrow();
  });

  it('round-trips random doubles of every magnitude, and Dyadic agrees with Rational', () => {
    const rng = new Rng(42);
    for (let i = 0; i < 2000; i++) {
      const x = (rng.next() - 0.5) * 2 ** rng.int(-1074, 1023);
      const r = toRational(x);
      expect(r.toNumber()).toBe(x);
      expect(toDyadic(x).toRational().key()).toBe(r.key());
      if (Number.isInteger(x)) expect(r.n).toBe(BigInt(x));
    }
  });

  it('Rational arithmetic is normalized and exact', () => {
    const a = Rational.of(6, -4);
    expect(a.key()).toBe('-3/2');
    expect(a.add(Rational.of(1, 3)).key()).toBe('-7/6');
    expect(a.mul(Rational.of(-2, 3)).key()).toBe('1');
    expect(a.div(Rational.of(3)).key()).toBe('-1/2');
    expect(toRational(0.1).add(toRational(0.2)).eq(toRational(0.3))).toBe(false); // the doubles differ
    expect(toRational(0.1).add(toRational(0.2)).eq(Rational.of(3, 10))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Hand counts and closed forms.

describe('reference: lines in the plane (one relu layer)', () => {
  it('n lines in general position with every crossing inside the box give 1 + n + C(n, 2)', () => {
    // Tangents to the circle of radius 1/2 at angles in [0, pi/2]: no two parallel, no three
    // concurrent (a point outside a circle lies on exactly two tangents), and two tangents at
    // angles differing by at most pi/2 cross at distance <= (1/2) / cos(pi/4) < 1 from 0.
    for (let n = 1; n <= 8; n++) {
      const rows: [number, number, number][] = [];
      for (let i = 0; i < n; i++) {
        const t = (Math.PI / 2) * (n === 1 ? 0.3 : i / (n - 1));
        rows.push([Math.cos(t), Math.sin(t), -0.5]);
      }
      const r = referenceCount(lines(rows));
      expect(r.activationRegions, `n = ${n}`).toBe(1 + n + binomial(n, 2));
      expect(r.linearRegions, `n = ${n}`).toBe(1 + n + binomial(n, 2)); // relu output: every edge changes the map
      expect(r.dimension).toBe(2);
    }
  });

  it('the five lines x = 1/2, y = 1/2, x + y = 0, x + 2y = 1/4, 2x + y = 1/4 give 16 regions', () => {
    const r = referenceCount(lines([[1, 0, -0.5], [0, 1, -0.5], [1, 1, 0], [1, 2, -0.25], [2, 1, -0.25]]));
    expect(r.activationRegions).toBe(16);
  });

  it('coincident lines with scaled or flipped normals count once', () => {
    // x + y, -2x - 2y, 0.5x + 0.5y, 3x + 3y: all the line x + y = 0
    const r = referenceCount(lines([[1, 1, 0], [-2, -2, 0], [0.5, 0.5, 0], [3, 3, 0]]));
    expect(r.activationRegions).toBe(2);
    expect(r.perLayer).toEqual([2]);
    // plus the line x = 0 crossing it: 4
    expect(referenceCount(lines([[1, 1, 0], [-2, -2, 0], [1, 0, 0], [-1, 0, 0]])).activationRegions).toBe(4);
    // parallel but distinct lines x + y = 0 and x + y = 1/2: 3
    expect(referenceCount(lines([[1, 1, 0], [-2, -2, 1]])).activationRegions).toBe(3);
  });

  it('a line that only touches the box at a corner or along a side does not split it', () => {
    expect(referenceCount(lines([[1, 1, -2]])).activationRegions).toBe(1); // touches (1, 1)
    expect(referenceCount(lines([[-1, -1, -2]])).activationRegions).toBe(1); // touches (-1, -1)
    expect(referenceCount(lines([[1, -1, 2]])).activationRegions).toBe(1); // touches (-1, 1)
    expect(referenceCount(lines([[1, 0, -1]])).activationRegions).toBe(1); // the side x = 1
    expect(referenceCount(lines([[0, -3, -3]])).activationRegions).toBe(1); // the side y = -1
    // together with a real cut y = 0, and a corner line through a vertex of the cut
    expect(referenceCount(lines([[1, 1, -2], [1, 0, -1], [0, 1, 0], [1, -1, -2]])).activationRegions).toBe(2);
    // a line through two opposite corners does split: 2
    expect(referenceCount(lines([[1, -1, 0]])).activationRegions).toBe(2);
  });

  it('a zero row does not split (whatever its bias)', () => {
    expect(referenceCount(lines([[0, 0, 0]])).activationRegions).toBe(1);
    expect(referenceCount(lines([[0, 0, 1]])).activationRegions).toBe(1);
    expect(referenceCount(lines([[0, 0, -1]])).activationRegions).toBe(1);
    expect(referenceCount(lines([[0, 0, 0], [1, 0, 0], [0, 0, 0]])).activationRegions).toBe(2);
    const r = referenceCount(net(2, [layer([[0, 0]], [0], 'relu'), layer([[0]], [0], 'relu')]));
    expect(r).toEqual({ activationRegions: 1, linearRegions: 1, perLayer: [1, 1], dimension: 2 });
  });

  it('concurrent lines through the center give 2k regions', () => {
    expect(referenceCount(lines([[1, 0, 0], [0, 1, 0], [1, -1, 0]])).activationRegions).toBe(6);
    expect(referenceCount(lines([[1, 0, 0], [0, 1, 0], [1, -1, 0], [1, 1, 0]])).activationRegions).toBe(8);
    // concurrent at (1/2, 0) inside the box, plus one line missing the box: still 6
    expect(referenceCount(lines([[1, 0, -0.5], [0, 1, 0], [1, 1, -0.5], [1, 1, 5]])).activationRegions).toBe(6);
    // three lines almost concurrent (a tiny triangle of side 2^-40): 7
    expect(referenceCount(lines([[1, 0, 0], [0, 1, 0], [1, 1, 2 ** -40]])).activationRegions).toBe(7);
  });

  it('abs and leaky_relu split like relu; alpha = 1 makes one linear region', () => {
    const rows = [[1, 0], [0, 1], [1, 1]];
    for (const act of ['abs', 'leaky_relu'] as const) {
      const r = referenceCount(net(2, [layer(rows, [0, 0, -0.5], act), layer([[1, 1, 1]], [0], 'linear')], BOX2));
      expect(r.activationRegions, act).toBe(7);
      expect(r.linearRegions, act).toBe(7);
    }
    const lin = referenceCount(net(2, [layer(rows, [0, 0, -0.5], 'leaky_relu', { alpha: 1 }), layer([[1, 1, 1]], [0], 'linear')], BOX2));
    expect(lin).toEqual({ activationRegions: 7, linearRegions: 1, perLayer: [7, 7], dimension: 2 });
  });

  it('a linear layer never splits and repeats the count in perLayer', () => {
    const r = referenceCount(
      net(2, [layer([[1, 0], [0, 1]], [0, 0], 'linear'), layer([[1, 0], [0, 1]], [0, 0], 'relu'), layer([[1, 1]], [0.25], 'linear')], BOX2),
    );
    expect(r.perLayer).toEqual([1, 4, 4]);
    expect(r.activationRegions).toBe(4);
  });

  it('a relu last layer splits too; its output map decides linear regions', () => {
    // relu(x) + relu(-x) = |x| with a relu output relu(|x| - 1/2): 2 + 2 = 4 regions on [-1, 1]
    const r = referenceCount(net(1, [layer([[1], [-1]], [0, 0], 'relu'), layer([[1, 1]], [-0.5], 'relu')], { bounds: [[-1, 1]] }));
    expect(r).toEqual({ activationRegions: 4, linearRegions: 3, perLayer: [2, 4], dimension: 1 });
    // (-1,-1/2): -x - 1/2; (-1/2,0) and (0,1/2): 0 (merged across x = 0); (1/2,1): x - 1/2
  });
});

describe('reference: Telgarsky sawtooth', () => {
  it('t composed L times on [0, 1] has exactly 2^L linear regions and 2^L activation regions', () => {
    // Hand derivation: hidden layer k's first unit sees t^(k-1) >= 0, which vanishes only at
    // break points, so it never splits; its second unit sees t^(k-1) - 1/2, which crosses zero
    // once on each of the 2^(k-1) monotone pieces of t^(k-1): 2^k regions after layer k.
    // t^L alternates slopes +2^L and -2^L, so neighbouring pieces never merge.
    for (let L = 1; L <= 6; L++) {
      const r = referenceCount(sawtooth(L));
      expect(r.linearRegions, `L = ${L}`).toBe(2 ** L);
      expect(r.activationRegions, `L = ${L}`).toBe(2 ** L);
      expect(r.perLayer, `L = ${L}`).toEqual([...Array.from({ length: L }, (_, k) => 2 ** (k + 1)), 2 ** L]);
      expect(r.dimension).toBe(1);
    }
  });
});

describe('reference: cancellation', () => {
  it('relu(x) - relu(x) on [-1, 1]: 2 activation regions, 1 linear region', () => {
    const n = net(1, [layer([[1], [1]], [0, 0], 'relu'), layer([[1, -1]], [0], 'linear')]);
    expect(referenceCount(n)).toEqual({ activationRegions: 2, linearRegions: 1, perLayer: [2, 2], dimension: 1 });
  });

  it('relu(x) - relu(-x) = x: 2 activation regions, 1 linear region', () => {
    const n = net(1, [layer([[1], [-1]], [0, 0], 'relu'), layer([[1, -1]], [0], 'linear')]);
    expect(referenceCount(n)).toEqual({ activationRegions: 2, linearRegions: 1, perLayer: [2, 2], dimension: 1 });
  });

  it('2-D: relu(x) - relu(x) + relu(y): 4 activation regions, 2 linear regions', () => {
    const n = net(2, [layer([[1, 0], [1, 0], [0, 1]], [0, 0, 0], 'relu'), layer([[1, -1, 1]], [0], 'linear')]);
    expect(referenceCount(n)).toEqual({ activationRegions: 4, linearRegions: 2, perLayer: [4, 4], dimension: 2 });
  });

  it('quadrants joined across edges: relu(x) - relu(-x) + relu(y) - relu(-y) = x + y', () => {
    const four = layer([[1, 0], [-1, 0], [0, 1], [0, -1]], [0, 0, 0, 0], 'relu');
    expect(referenceCount(net(2, [four, layer([[1, -1, 1, -1]], [0], 'linear')]))).toEqual({
      activationRegions: 4,
      linearRegions: 1,
      perLayer: [4, 4],
      dimension: 2,
    });
    // relu(x) - relu(y): maps 0, x, -y, x - y on the four quadrants: 4 linear regions
    const two = layer([[1, 0], [0, 1]], [0, 0], 'relu');
    expect(referenceCount(net(2, [two, layer([[1, -1]], [0], 'linear')])).linearRegions).toBe(4);
    // a zero output layer: one linear region
    expect(referenceCount(net(2, [two, layer([[0, 0]], [0], 'linear')])).linearRegions).toBe(1);
  });

  it('regions with the same map that touch only at a point are not joined', () => {
    // relu(x) + relu(y) - relu(x + y): three concurrent lines, 6 regions. Maps by hand:
    // x>0,y>0: 0; x<0,y<0: 0; x>0,y<0: -y (x+y>0) or x (x+y<0); x<0,y>0: -x (x+y>0) or y (x+y<0).
    // Every pair of regions sharing an edge has different maps, and the two 0-regions touch only
    // at the origin: 6 linear regions (not 5).
    const diag = net(2, [layer([[1, 0], [0, 1], [1, 1]], [0, 0, 0], 'relu'), layer([[1, 1, -1]], [0], 'linear')]);
    expect(referenceCount(diag)).toEqual({ activationRegions: 6, linearRegions: 6, perLayer: [6, 6], dimension: 2 });
  });
});

describe('reference: maxout', () => {
  it('a maxout unit with 3 pieces of which two are identical', () => {
    // max(x, y, x): piece 0 wins where x >= y (ties to the lowest index), piece 1 where y > x,
    // piece 2 never (it would need x > x): 2 regions.
    const a = net(2, [layer([[1, 0], [0, 1], [1, 0]], [0, 0, 0], 'maxout', { pieces: 3 })], BOX2);
    expect(referenceCount(a)).toEqual({ activationRegions: 2, linearRegions: 2, perLayer: [2], dimension: 2 });
    // max(x, x, y): piece 1 never wins (it ties piece 0 everywhere): 2 regions.
    const b = net(2, [layer([[1, 0], [1, 0], [0, 1]], [0, 0, 0], 'maxout', { pieces: 3 })], BOX2);
    expect(referenceCount(b).activationRegions).toBe(2);
    // max(x, y, -x - y): three sectors around the origin: 3 regions.
    const c = net(2, [layer([[1, 0], [0, 1], [-1, -1]], [0, 0, 0], 'maxout', { pieces: 3 })], BOX2);
    expect(referenceCount(c).activationRegions).toBe(3);
    // max(x, x, x): 1 region; max(0, 0, y) with bias: piece 0 where y <= 0, piece 2 where y > 0.
    const d = net(2, [layer([[1, 0], [1, 0], [1, 0]], [0, 0, 0], 'maxout', { pieces: 3 })], BOX2);
    expect(referenceCount(d).activationRegions).toBe(1);
    const e = net(2, [layer([[0, 0], [0, 0], [0, 1]], [0, 0, 0], 'maxout', { pieces: 3 })], BOX2);
    expect(referenceCount(e).activationRegions).toBe(2);
    // a piece that only ties on a line: max(x, -x, 0) is |x| and 0 wins only at x = 0: 2 regions
    const f = net(2, [layer([[1, 0], [-1, 0], [0, 0]], [0, 0, 0], 'maxout', { pieces: 3 })], BOX2);
    expect(referenceCount(f).activationRegions).toBe(2);
  });

  it('max(|x|, |y|, 1/2) on [-1, 1]^2: 12 activation regions, 5 linear regions', () => {
    // Layer 1: |x| = max(x, -x), |y| = max(y, -y): 4 quadrants. Layer 2 splits each quadrant into
    // 3 (the constant 1/2 wins near the center, |x| or |y| outside): 12. Linear regions: the
    // central square (map 1/2) and the four sides (maps x, -x, y, -y) each join across the axes.
    const n = net(2, [
      layer([[1, 0], [-1, 0], [0, 1], [0, -1]], [0, 0, 0, 0], 'maxout', { pieces: 2 }),
      layer([[1, 0], [0, 1], [0, 0]], [0, 0, 0.5], 'maxout', { pieces: 3 }),
    ]);
    expect(referenceCount(n)).toEqual({ activationRegions: 12, linearRegions: 5, perLayer: [4, 12], dimension: 2 });
  });

  it('1-D maxout by hand', () => {
    // max(x, -x, 1/2) on [-1, 1]: -x on (-1, -1/2), 1/2 on (-1/2, 1/2), x on (1/2, 1).
    const a = net(1, [layer([[1], [-1], [0]], [0, 0, 0.5], 'maxout', { pieces: 3 })]);
    expect(referenceCount(a)).toEqual({ activationRegions: 3, linearRegions: 3, perLayer: [3], dimension: 1 });
    // max(x, 2x, x): piece 0 on x < 0, piece 1 on x > 0; piece 2 never.
    const b = net(1, [layer([[1], [2], [1]], [0, 0, 0], 'maxout', { pieces: 3 })]);
    expect(referenceCount(b).activationRegions).toBe(2);
    // units max(x, 0) and max(-x, 0), output difference = x: 2 activation regions, 1 linear region.
    const c = net(1, [layer([[1], [0], [-1], [0]], [0, 0, 0, 0], 'maxout', { pieces: 2 }), layer([[1, -1]], [0], 'linear')]);
    expect(referenceCount(c)).toEqual({ activationRegions: 2, linearRegions: 1, perLayer: [2, 2], dimension: 1 });
    // max(x - 1/2, -x - 1/2, 2x - 3/2, 0) on [-1, 2]: -x-1/2 on (-1,-1/2), 0 on (-1/2,1/2),
    // x - 1/2 on (1/2, 1), 2x - 3/2 on (1, 2): 4 regions.
    const d = net(1, [layer([[1], [-1], [2], [0]], [-0.5, -0.5, -1.5, 0], 'maxout', { pieces: 4 })], { bounds: [[-1, 2]] });
    expect(referenceCount(d)).toEqual({ activationRegions: 4, linearRegions: 4, perLayer: [4], dimension: 1 });
  });
});

describe('reference: 1-D', () => {
  it('n distinct break points inside the interval give n + 1 regions', () => {
    for (let n = 1; n <= 10; n++) {
      const ws = Array.from({ length: n }, (_, i) => [i % 2 === 0 ? 1 : -2]);
      const bs = Array.from({ length: n }, (_, i) => -(ws[i]![0]!) * (-0.9 + (1.8 * i) / Math.max(1, n - 1)) * 0.99);
      const r = referenceCount(net(1, [layer(ws, bs, 'relu')]));
      expect(r.activationRegions, `n = ${n}`).toBe(n + 1);
    }
  });

  it('break points at the ends or outside do not split; repeated break points count once', () => {
    const r = referenceCount(net(1, [layer([[1], [1], [-1], [2], [1], [0]], [1, -1, 0, 0, 5, 0.5], 'relu')]));
    expect(r.activationRegions).toBe(2);
  });
});

describe('reference: domains', () => {
  it('defaults: network.domain, then [-1, 1]^n; an explicit domain wins', () => {
    const base = lines([[1, 0, -0.5]]);
    expect(referenceCount({ inputDim: 2, layers: base.layers }).activationRegions).toBe(2);
    expect(referenceCount({ ...base, domain: { bounds: [[0.6, 1], [0, 1]] } }).activationRegions).toBe(1);
    expect(referenceCount({ ...base, domain: { bounds: [[0.6, 1], [0, 1]] } }, BOX2).activationRegions).toBe(2);
  });

  it('a plane slice with integer directions equals the composed network on a box', () => {
    const rng = new Rng(7);
    for (let s = 0; s < 30; s++) {
      const n = rng.int(2, 5);
      const network = randomNetwork(100 + s, { inputDim: n, widths: [5, 4, 1], weights: 'integer', activations: ['relu', 'relu', 'linear'] });
      const origin = Array.from({ length: n }, () => rng.int(-1, 1));
      const d1 = Array.from({ length: n }, () => rng.int(-2, 2));
      const d2 = Array.from({ length: n }, () => rng.int(-2, 2));
      const indep = d1.some((_, i) => d1.some((__, j) => d1[i]! * d2[j]! !== d1[j]! * d2[i]!));
      if (!indep) continue;
      const slice: Domain = { origin, directions: [d1, d2], bounds: [[-1, 1], [-0.5, 1.5]] };
      const W = network.layers[0]!.weights;
      const composed: Network = {
        inputDim: 2,
        layers: [
          layer(
            W.map((row) => [0, 1].map((k) => row.reduce((acc, w, j) => acc + w * [d1, d2][k]![j]!, 0))),
            W.map((row, r) => row.reduce((acc, w, j) => acc + w * origin[j]!, network.layers[0]!.bias[r]!)),
            'relu',
          ),
          ...network.layers.slice(1),
        ],
      };
      const a = referenceCount(network, slice);
      const b = referenceCount(composed, { bounds: [[-1, 1], [-0.5, 1.5]] });
      expect(a, `case ${s}`).toEqual(b);
    }
  });

  it('a line slice is 1-D', () => {
    const n = net(3, [layer([[1, 1, 1], [1, -1, 0]], [0, 0], 'relu')]);
    const r = referenceCount(n, { origin: [0, 0, 0], directions: [[1, 1, 1]], bounds: [[-1, 1]] });
    // unit 1: 3p > 0 splits at 0; unit 2: 0 identically (off): 2 regions
    expect(r).toEqual({ activationRegions: 2, linearRegions: 2, perLayer: [2], dimension: 1 });
  });

  it('the composed first layer of a slice is exact (a coefficient of 2^-60 is not lost)', () => {
    // row (1, 1, 1) . direction (1, 2^-60, -1) = 2^-60 exactly; in float64 (1 + 2^-60) - 1 = 0.
    const n = net(3, [layer([[1, 1, 1]], [0], 'relu')]);
    const dom: Domain = { origin: [0, 0, 0], directions: [[1, 2 ** -60, -1], [0, 0, 0.5]], bounds: [[-1, 1], [-1, 1]] };
    // exact pre-activation: 2^-60 p1 + 0.5 p2: one line through the origin: 2 regions
    expect(referenceCount(n, dom).activationRegions).toBe(2);
    const dom2: Domain = { origin: [0, 0, 0], directions: [[1, 2 ** -60, -1], [1, 0, -1]], bounds: [[-1, 1], [-1, 1]] };
    // exact pre-activation: 2^-60 p1 (the p2 terms cancel exactly): the line p1 = 0: 2 regions
    expect(referenceCount(n, dom2).activationRegions).toBe(2);
  });
});

describe('reference: random networks satisfy the definitions (independent checks)', () => {
  it('single hidden layer, Gaussian weights, linear output: linear regions = activation regions', () => {
    for (let s = 1; s <= 30; s++) {
      const n = randomNetwork(s, { widths: [1 + (s % 8), 1], activations: ['relu', 'linear'] });
      const r = referenceCount(n);
      expect(r.linearRegions, `seed ${s}`).toBe(r.activationRegions);
    }
  });

  it('globally affine networks (linear and alpha = 1 layers) have one linear region', () => {
    for (let s = 1; s <= 20; s++) {
      const n = randomNetwork(s, { widths: [4, 3, 2], activations: ['leaky_relu', 'linear', 'leaky_relu'], alpha: 1, weights: s % 2 ? 'gaussian' : 'integer' });
      expect(referenceCount(n).linearRegions, `seed ${s}`).toBe(1);
    }
  });

  it('randomCase 1..300: regions have the claimed patterns and maps, tile the domain, and linear regions match brute force', () => {
    for (let s = 1; s <= 300; s++) {
      const c = randomCase(s);
      const r = referenceCount(c.network, c.domain);
      if (r.activationRegions > 80) continue; // keep the brute-force checks quick
      checkConsistency(c.network, c.domain, s);
    }
  });

  it('integer and dyadic nets with degenerate rows on integer boxes pass the same checks', () => {
    for (let s = 1; s <= 80; s++) {
      const network = randomNetwork(5000 + s, {
        widths: [4, 3, 1],
        activations: [s % 3 === 0 ? 'maxout' : 'relu', s % 2 ? 'abs' : 'relu', 'linear'],
        pieces: 2,
        weights: s % 2 ? 'integer' : 'dyadic',
        degenerate: 0.7,
        domain: 'intbox',
      });
      checkConsistency(network, undefined, 5000 + s);
    }
  });
});
