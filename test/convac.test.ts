/**
 * ConvAC grid tensors and exact matricization ranks (src/theory/convac/, assembly/convac.ts).
 * Expected values come from hand computations, the papers (Cohen and Shashua 2016; Sharir and
 * Shashua 2018), and a slow exact BigInt-rational reference (test/reference/convac.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildConvacGridTensor,
  convacNetwork,
  convacRank,
  convacRankSync,
  countRegionsSync,
  overlapExperiment,
  LinearRegionsError,
  randomPrime,
  rankModPTs,
  reluConvNet,
  type ConvacSpec,
  type GcShape,
} from '../src/index.node.js';
import { createRng } from '../src/theory/constructions.js';
import { packConvac } from '../src/theory/convac/rank.js';
import { planConvac } from '../src/theory/convac/structure.js';
import { validateConvacSpec } from '../src/theory/convac/spec.js';
import { pack } from '../src/count/pack.js';
import { gridTensor, matricizationRank, rationalRank, type RefSpec } from './reference/convac.js';
import { Rational, toRational } from './reference/rational.js';
import { coreImports } from '../src/count/core-memory.js';

const P = 1_000_003; // a prime for the grid-tensor checks
const exactly = { seed: 7, certifyBudgetMs: Infinity, maxPrimes: 5000 };

function spec(positions: number | [number, number], M: number, layers: { R: number; S: number; w: unknown }[], output: number[]): ConvacSpec {
  return {
    kind: 'convac',
    M,
    positions,
    layers: layers.map((l) => ({ receptiveField: l.R, stride: l.S, channels: (l.w as unknown[]).length, weights: l.w as number[][][] })),
    output,
  };
}

const net = (positions: number | [number, number], M: number, layers: GcShape[], seed = 1): ConvacSpec =>
  convacNetwork({ positions, templates: M, layers, seed });
const repeat = (n: number, l: GcShape): GcShape[] => Array.from({ length: n }, () => ({ ...l }));

function residueOf(x: Rational, p: number): number {
  const P = BigInt(p);
  const n = ((x.n % P) + P) % P;
  // x.d is a power of two: invert it by Fermat
  let inv = 1n;
  let b = x.d % P;
  let e = P - 2n;
  while (e > 0n) {
    if (e & 1n) inv = (inv * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return Number((n * inv) % P);
}

describe('hand-computed cases (M = 2)', () => {
  it('N = 2, one channel: A = u v^T, rank 1', async () => {
    const s = spec(2, 2, [{ R: 2, S: 1, w: [[[1, 2], [3, 5]]] }], [1]);
    const g = await buildConvacGridTensor(s, { prime: P });
    expect(Array.from(g.values)).toEqual([3, 5, 6, 10]); // A[d1, d2] = w0[d1] w1[d2]
    for (const part of ['left-right', 'odd-even'] as const) {
      const r = convacRankSync(s, part, { seed: 1 });
      expect(r).toMatchObject({ rank: 1, rows: 2, cols: 2, upperBound: 1, exact: true, partition: [0] });
    }
  });

  it('N = 2, two channels: the identity (rank 2), and a repeated channel (rank 1), and zero output (rank 0)', () => {
    const id = spec(2, 2, [{ R: 2, S: 1, w: [[[1, 0], [1, 0]], [[0, 1], [0, 1]]] }], [1, 1]);
    expect(convacRankSync(id, 'left-right', exactly)).toMatchObject({ rank: 2, exact: true });
    const twice = spec(2, 2, [{ R: 2, S: 1, w: [[[1, 3], [2, 5]], [[2, 6], [2, 5]]] }], [1, -7]);
    expect(convacRankSync(twice, 'left-right', exactly)).toMatchObject({ rank: 1, exact: true });
    const zero = spec(2, 2, [{ R: 2, S: 1, w: [[[1, 3], [2, 5]], [[2, 6], [2, 5]]] }], [0, 0]);
    expect(convacRankSync(zero, 'left-right', exactly)).toMatchObject({ rank: 0, exact: true });
  });

  it('N = 4 shallow: h = [all templates 0] + [all templates 1] has rank 2 on every partition', () => {
    const s = spec(4, 2, [{ R: 4, S: 1, w: [Array.from({ length: 4 }, () => [1, 0]), Array.from({ length: 4 }, () => [0, 1])] }], [1, 1]);
    for (const part of ['left-right', 'odd-even', [0], [1, 2, 3]] as const) {
      expect(convacRankSync(s, part as never, exactly)).toMatchObject({ rank: 2, exact: true });
    }
  });

  it('N = 4, one channel per layer: a product of per-position factors, rank 1 under any partition', () => {
    const s = spec(4, 2, [
      { R: 2, S: 1, w: [[[1, 2], [3, -1]]] },
      { R: 2, S: 1, w: [[[2], [-3]]] },
      { R: 2, S: 1, w: [[[5], [1]]] },
    ], [4]);
    for (const part of ['left-right', 'odd-even', [1], [0, 3]] as const) {
      expect(convacRankSync(s, part as never, exactly)).toMatchObject({ rank: 1, upperBound: 1, exact: true });
    }
  });

  it('N = 4 with unread positions (stride 3 > field 1): constant along positions 1 and 2', async () => {
    const s = spec(4, 2, [{ R: 1, S: 3, w: [[[1, 2]], [[3, 1]]] }, { R: 2, S: 1, w: [[[1, 0], [0, 1]], [[0, 1], [1, 0]]] }], [1, 2]);
    const g = await buildConvacGridTensor(s, { prime: P });
    expect(g.read).toEqual([0, 3]);
    // h = y0^1 y3^2 + 2 y0^2 y3^1 with y^1 = w1[d], y^2 = w2[d]: w1 = (1, 2), w2 = (3, 1)
    const w1 = [1, 2];
    const w2 = [3, 1];
    for (let e = 0; e < 16; e++) {
      const d0 = e >> 3;
      const d3 = e & 1;
      expect(g.values[e]).toBe(w1[d0]! * w2[d3]! + 2 * w2[d0]! * w1[d3]!);
    }
    // over (d0, d3) the matrix is [[9, 13], [8, 6]] (det -50): rank 2; unread positions change nothing
    expect(convacRankSync(s, [0, 1], exactly)).toMatchObject({ rank: 2, rows: 4, cols: 4, exact: true });
    expect(convacRankSync(s, [1, 2], exactly)).toMatchObject({ rank: 1, rows: 4, cols: 4, exact: true });
  });
});

describe('partitions, exactly as defined (positions row-major from 0)', () => {
  const partitionOf = (N: number, part: string | number[]): number[] =>
    convacRankSync(net(N, 2, [{ R: N, S: 1, r: 1 }]), part as never, { seed: 1 }).partition;
  it('1-D: left-right = the first floor(N/2) positions, odd-even = the even positions, a list = its positions sorted', () => {
    expect(partitionOf(7, 'left-right')).toEqual([0, 1, 2]);
    expect(partitionOf(8, 'left-right')).toEqual([0, 1, 2, 3]);
    expect(partitionOf(7, 'odd-even')).toEqual([0, 2, 4, 6]);
    expect(partitionOf(6, [5, 0, 2])).toEqual([0, 2, 5]);
    expect(partitionOf(6, [])).toEqual([]);
  });
  it('2-D: left-right = the left floor(W/2) columns, top-bottom = the top floor(H/2) rows, odd-even = row + column even', () => {
    // a 3 x 5 grid, numbered row-major: row y holds 5y .. 5y + 4; one 3 x 3 window with stride 5 leaves one position
    const grid = (part: string): number[] => convacRankSync(net([3, 5], 2, [{ R: 3, S: 5, r: 1 }]), part as never, { seed: 1 }).partition;
    expect(grid('left-right')).toEqual([0, 1, 5, 6, 10, 11]);
    expect(grid('top-bottom')).toEqual([0, 1, 2, 3, 4]);
    expect(grid('odd-even')).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    const square = (part: string): number[] => convacRankSync(net([4, 4], 2, repeat(3, { R: 2, S: 1, r: 1 })), part as never, { seed: 1 }).partition;
    expect(square('left-right')).toEqual([0, 1, 4, 5, 8, 9, 12, 13]);
    expect(square('top-bottom')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(square('odd-even')).toEqual([0, 2, 5, 7, 8, 10, 13, 15]);
  });
});

describe('the shallow (CP) network', () => {
  it('rank <= r on every one of the 2^N partitions, = min(r, M^min(|I|,|J|)) for generic weights', () => {
    for (const [M, N] of [[2, 5], [3, 4]] as const) {
      for (const r of [1, 2, 3, 5]) {
        const s = net(N, M, [{ R: N, S: 1, r }], 10 + r);
        for (let mask = 0; mask < 2 ** N; mask++) {
          const I = Array.from({ length: N }, (_, i) => i).filter((i) => (mask >> i) & 1);
          const res = convacRankSync(s, I, { seed: mask });
          const where = `M=${M} N=${N} r=${r} I=${I.join(',')}`;
          expect(res.rank, where).toBe(Math.min(r, M ** Math.min(I.length, N - I.length)));
          expect(res.upperBound, where).toBeLessThanOrEqual(r);
          expect(res.exact, where).toBe(true);
        }
      }
    }
  });

  it('rank <= r on every partition, = min(r, M^min(|I|,|J|)) for generic weights', () => {
    for (const [M, N] of [[2, 6], [3, 4]] as const) {
      for (let r = 1; r <= 10; r++) {
        const s = net(N, M, [{ R: N, S: 1, r }], r);
        for (const part of ['left-right', 'odd-even', [0]] as const) {
          const I = Array.isArray(part) ? part.length : Math.floor(N / 2);
          const res = convacRankSync(s, part as never, { seed: r });
          expect(res.rank, `M=${M} N=${N} r=${r} ${String(part)}`).toBe(Math.min(r, M ** Math.min(I, N - I)));
          expect(res.upperBound).toBeLessThanOrEqual(r);
          expect(res.exact).toBe(true);
        }
      }
    }
  });
});

describe('Cohen and Shashua: the non-overlapping deep network (R = S = 2)', () => {
  it('left-right rank = r_{L-1}, the channels of the last hidden layer, for generic weights', () => {
    for (const rPrev of [1, 2, 3, 4]) {
      const s = net(8, 2, [{ R: 2, S: 2, r: 4 }, { R: 2, S: 2, r: rPrev }, { R: 2, S: 2, r: 6 }], rPrev);
      const res = convacRankSync(s, 'left-right', exactly);
      // the structural bound proves Cohen and Shashua's rank <= r_{L-1} for every weight, and generic weights reach it
      expect(res).toMatchObject({ rank: rPrev, upperBound: rPrev, exact: true, certificate: 'upper-bound' });
    }
  });
  it('left-right rank = min(r_{L-1}, r_L) when the last layer has fewer channels', () => {
    for (const [rPrev, rLast] of [[4, 2], [3, 1], [4, 3]] as const) {
      const s = net(8, 2, [{ R: 2, S: 2, r: 4 }, { R: 2, S: 2, r: rPrev }, { R: 2, S: 2, r: rLast }], rPrev + rLast);
      expect(convacRankSync(s, 'left-right', exactly)).toMatchObject({ rank: Math.min(rPrev, rLast), upperBound: Math.min(rPrev, rLast), exact: true });
    }
  });
  it('odd-even: full rank M^(N/2) for generic weights', () => {
    expect(convacRankSync(net(8, 2, repeat(3, { R: 2, S: 2, r: 2 })), 'odd-even', exactly)).toMatchObject({ rank: 16, exact: true });
    expect(convacRankSync(net(8, 3, repeat(3, { R: 2, S: 2, r: 3 })), 'odd-even', exactly)).toMatchObject({ rank: 81, exact: true });
    expect(convacRankSync(net(16, 2, repeat(4, { R: 2, S: 2, r: 2 })), 'odd-even', exactly)).toMatchObject({ rank: 256, exact: true });
  });
});

describe('Sharir and Shashua: overlapping receptive fields', () => {
  for (const seed of [1, 2, 3]) {
    it(`N = 8, M = 2, 2 channels (seed ${seed}): R=2,S=1 x7 full rank 16; R=S=2 rank 2; (3,1),(2,2),(3,1) 8 and 16`, () => {
      expect(convacRankSync(net(8, 2, repeat(7, { R: 2, S: 1, r: 2 }), seed), 'left-right', exactly)).toMatchObject({ rank: 16, exact: true });
      expect(convacRankSync(net(8, 2, repeat(3, { R: 2, S: 2, r: 2 }), seed), 'left-right', exactly)).toMatchObject({ rank: 2, exact: true });
      const mixed = net(8, 2, [{ R: 3, S: 1, r: 2 }, { R: 2, S: 2, r: 2 }, { R: 3, S: 1, r: 2 }], seed);
      expect(convacRankSync(mixed, 'left-right', exactly)).toMatchObject({ rank: 8, exact: true });
      expect(convacRankSync(mixed, 'odd-even', exactly)).toMatchObject({ rank: 16, exact: true });
    });
  }
  it('2-D: a 3 x 3 grid, 2 x 2 windows with stride 1 against the rational reference', () => {
    for (const seed of [1]) {
      const s = net([3, 3], 2, repeat(2, { R: 2, S: 1, r: 2 }), seed);
      const A = gridTensor(s as RefSpec);
      for (const part of ['left-right', 'top-bottom', 'odd-even'] as const) {
        const res = convacRankSync(s, part, exactly);
        expect(res.rank).toBe(matricizationRank(s as RefSpec, res.partition, A));
        expect(res.exact).toBe(true);
      }
    }
  });
});

// ---- the modular rank against the exact rational reference ---------------------------------------

type Style = 'int' | 'small' | 'dyadic' | 'zeroRows' | 'repeated' | 'lowRank';

function randomSpec(seed: number): { spec: ConvacSpec; I: number[]; style: Style } {
  const rng = createRng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rng.uniform() * (hi - lo + 1));
  const twoD = rng.uniform() < 0.3;
  let axes: number[];
  let M: number;
  for (;;) {
    axes = twoD ? [int(1, 3), int(1, 3)] : [int(1, 7)];
    M = rng.uniform() < 0.1 ? 1 : int(2, 3);
    if (M ** axes.reduce((a, b) => a * b, 1) <= 243) break;
  }
  const N = axes.reduce((a, b) => a * b, 1);
  const styles: Style[] = ['int', 'small', 'dyadic', 'zeroRows', 'repeated', 'lowRank'];
  const style = styles[int(0, styles.length - 1)]!;
  const draw = (): number => {
    if (style === 'small') return int(-2, 2);
    if (style === 'dyadic') return int(-40, 40) / 2 ** int(0, 6);
    return int(-1000, 1000);
  };
  const layers: { R: number; S: number; w: unknown }[] = [];
  let sizes = [...axes];
  let D = M;
  while (layers.length === 0 || sizes.some((p) => p > 1)) {
    const minP = Math.min(...sizes);
    let R = int(1, Math.min(minP, 3));
    let S = rng.uniform() < 0.8 ? int(1, R) : int(1, 3); // mostly no skipped positions
    if (layers.length >= 3) {
      // finish: the largest square window, with a stride that leaves one position on both axes
      R = minP;
      S = Math.max(...sizes);
    }
    const r = rng.uniform() < 0.15 ? 1 : int(2, 4);
    const vec = (): number[] => Array.from({ length: D }, draw);
    const offsets = (): number[][] => Array.from({ length: R }, vec);
    let w: unknown[] = Array.from({ length: r }, () => (twoD ? Array.from({ length: R }, offsets) : offsets()));
    if (style === 'repeated') w = w.map(() => w[0]);
    if (style === 'lowRank') {
      // a rank-deficient layer: at each offset every channel's weight vector is a multiple of one
      // vector u_k (some multiples 0), so the channels span at most one direction per offset
      const u = (twoD ? Array.from({ length: R }, offsets) : offsets()) as unknown[];
      const scaled = (x: unknown): unknown => {
        if (typeof (x as unknown[])[0] !== 'number') return (x as unknown[]).map(scaled);
        const c = int(-2, 2);
        return (x as number[]).map((v) => c * v);
      };
      w = w.map(() => scaled(u));
    }
    if (style === 'zeroRows') {
      const zero = (x: unknown): unknown => (Array.isArray(x) && typeof x[0] === 'number' ? (rng.uniform() < 0.4 ? x.map(() => 0) : x) : (x as unknown[]).map(zero));
      w = w.map(zero);
    }
    layers.push({ R, S, w: JSON.parse(JSON.stringify(w)) });
    sizes = sizes.map((p) => Math.floor((p - R) / S) + 1);
    D = r;
    if (sizes.every((p) => p === 1)) break;
    if (sizes.some((p) => p < 1)) throw new Error('bad generator');
  }
  const output = Array.from({ length: D }, draw);
  const I = Array.from({ length: N }, (_, i) => i).filter(() => rng.uniform() < 0.5);
  return { spec: spec(twoD ? [axes[0]!, axes[1]!] : axes[0]!, M, layers, output), I, style };
}

describe('modular rank vs the exact rational reference', () => {
  it('agrees on 240 seeded random small specs (degenerate ones included), with a valid upper bound', async () => {
    const styles = new Map<string, number>();
    const certificates = new Map<string, number>();
    const ranks = new Map<number, number>();
    for (let seed = 1; seed <= 240; seed++) {
      const { spec: s, I, style } = randomSpec(seed);
      styles.set(style, (styles.get(style) ?? 0) + 1);
      const where = `seed ${seed} (${style}): ${JSON.stringify(s)} I=${JSON.stringify(I)}`;
      const A = gridTensor(s as RefSpec);
      const ref = matricizationRank(s as RefSpec, I, A);
      const res = convacRankSync(s, I, { ...exactly, seed });
      expect(res.exact, where).toBe(true);
      if (style !== 'dyadic') {
        // integer weights: the grid tensor itself is the integer matrix of the Hadamard bound, so
        // entryBits must bound its entries (an entry of b bits is >= 2^(b-1))
        const bits = Math.max(0, ...A.map((x) => (x.n === 0n ? 0 : (x.n < 0n ? -x.n : x.n).toString(2).length - 1)));
        expect(bits, where).toBeLessThanOrEqual(res.entryBits);
      }
      if (res.certificate === 'primes') {
        // the documented certificate: the distinct primes' product exceeds the Hadamard bound
        // (sqrt(k) 2^entryBits)^k of the k = (rank + 1)-minors
        const k = res.rank + 1;
        const have = [...new Set(res.primes)].reduce((a, q) => a + Math.log2(q), 0);
        expect(have, where).toBeGreaterThan(k * (res.entryBits + 0.5 * Math.log2(k)));
      }
      certificates.set(res.certificate, (certificates.get(res.certificate) ?? 0) + 1);
      ranks.set(ref, (ranks.get(ref) ?? 0) + 1);
      expect(res.rank, where).toBe(ref);
      expect(res.upperBound, where).toBeGreaterThanOrEqual(ref);
      if (seed % 4 === 0) {
        const g = await buildConvacGridTensor(s, { prime: P });
        expect(Array.from(g.values), where).toEqual(A.map((x) => residueOf(x, P)));
      }
    }
    for (const st of ['int', 'small', 'dyadic', 'zeroRows', 'repeated', 'lowRank']) expect(styles.get(st) ?? 0).toBeGreaterThan(20);
    // both certificates are exercised, and the ranks are not all trivial
    expect(certificates.get('primes') ?? 0, JSON.stringify([...certificates])).toBeGreaterThan(10);
    expect(certificates.get('upper-bound') ?? 0).toBeGreaterThan(10);
    expect([...ranks].filter(([r]) => r >= 3).reduce((a, [, n]) => a + n, 0), JSON.stringify([...ranks])).toBeGreaterThan(20);
  });

  it('the core elimination (delayed reduction) agrees with the plain TypeScript one on a rank-54 81 x 81 matricization', async () => {
    // M = 3, N = 8, R=2,S=1 x7 with 2 channels: rank 54 < 81 over the rationals (certified by a
    // 4971-prime CRT certificate, see docs/theory.md), far more than the 15 pivots between reductions
    const s = net(8, 3, repeat(7, { R: 2, S: 1, r: 2 }));
    const shape = validateConvacSpec(s);
    const module = new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));
    const rng = createRng(5);
    for (let t = 0; t < 3; t++) {
      const p = randomPrime(rng);
      const core = new WebAssembly.Instance(module, coreImports()).exports as unknown as Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
      const words = packConvac(planConvac(shape, new Set([0, 1, 2, 3])), p, 0, 0);
      new Int32Array(core.memory.buffer, core.convacPrepare!(words.byteLength), words.length).set(words);
      expect(core.convacSetup!()).toBe(0);
      while (core.convacRun!(1e12) === 1);
      const g = await buildConvacGridTensor(s, { prime: p });
      expect(core.convacRank!()).toBe(54);
      expect(rankModPTs(Uint32Array.from(g.values), 81, 81, p)).toBe(54);
    }
  });

  it('not affordable: exact false, the largest modular rank, and the documented random-prime bound', () => {
    // M = 3, N = 8, R=2,S=1 x7, 2 channels: rank 54 of 81 (the test above); a CRT certificate needs
    // about 5,000 primes, so with maxPrimes 1 the result is probabilistic after 3 primes
    const s = net(8, 3, repeat(7, { R: 2, S: 1, r: 2 }));
    const res = convacRankSync(s, 'left-right', { seed: 11, maxPrimes: 1 });
    expect(res).toMatchObject({ rank: 54, exact: false, certificate: 'none', upperBound: 81, stopReason: 'complete' });
    expect(res.primes).toHaveLength(3);
    // docs/theory.md: a non-zero k-minor (k <= upperBound) has at most log2|minor| / 29 prime factors
    // >= 2^29, out of more than 1.8e7 primes in [2^29, 2^30): P <= (factors / 1.8e7)^primes
    const factors = Math.ceil((81 * (res.entryBits + 0.5 * Math.log2(81))) / 29);
    expect(res.errorProbability).toBeCloseTo((factors / 1.8e7) ** 3, 20);
    expect(res.errorProbability).toBeLessThan(1e-9);
    expect(convacRankSync(s, 'left-right', { seed: 11, maxPrimes: 1, probabilisticPrimes: 5 }).primes).toHaveLength(5);
  });

  it('the plain TypeScript elimination agrees with the rational rank on random integer matrices', () => {
    const rng = createRng(99);
    for (let t = 0; t < 40; t++) {
      const rows = 1 + Math.floor(rng.uniform() * 8);
      const cols = 1 + Math.floor(rng.uniform() * 8);
      const k = Math.floor(rng.uniform() * 4); // a product of rows x k and k x cols: rank <= k
      const a = Array.from({ length: rows }, () => Array.from({ length: k }, () => Math.floor(rng.uniform() * 7) - 3));
      const b = Array.from({ length: k }, () => Array.from({ length: cols }, () => Math.floor(rng.uniform() * 7) - 3));
      const m = a.map((ra) => Array.from({ length: cols }, (_, j) => ra.reduce((s, x, i) => s + x * b[i]![j]!, 0)));
      const p = 1_000_000_007;
      const flat = Uint32Array.from(m.flat().map((x) => ((x % p) + p) % p));
      expect(rankModPTs(flat, rows, cols, p)).toBe(rationalRank(m.map((r) => r.map((x) => toRational(x)))));
    }
  });
});

describe('errors and the shared core', () => {
  const bad: [unknown, string, string][] = [
    [{ M: 2, positions: 2, layers: [], output: [] }, 'E_FORMAT', '"kind"'],
    [{ kind: 'convac', M: 0, positions: 2, layers: [], output: [] }, 'E_FORMAT', '"M"'],
    [{ kind: 'convac', M: 2, positions: 2, layers: [], output: [] }, 'E_FORMAT', '"layers"'],
    [spec(2, 2, [{ R: 2, S: 1, w: [[[1, 2]]] }], [1]), 'E_SHAPE', 'layer 1 weights[0]'],
    [spec(2, 2, [{ R: 2, S: 1, w: [[[1, 2], [3, Infinity]]] }], [1]), 'E_NONFINITE', 'layer 1 weights[0][1][1]'],
    [spec(3, 2, [{ R: 2, S: 1, w: [[[1, 2], [3, 4]]] }], [1]), 'E_SHAPE', 'leaves 2 positions'],
    [spec(2, 2, [{ R: 3, S: 1, w: [[[1, 2], [3, 4], [5, 6]]] }], [1]), 'E_SHAPE', 'receptive field 3'],
    [spec(2, 2, [{ R: 2, S: 1, w: [[[1, 2], [3, 4]]] }], [1, 2]), 'E_SHAPE', '"output"'],
    [convacNetwork({ positions: 30, templates: 2, layers: [{ R: 30, S: 1, r: 1 }] }), 'E_TOO_LARGE', '2^30'],
    [convacNetwork({ positions: 26, templates: 2, layers: repeat(25, { R: 2, S: 1, r: 2 }) }), 'E_TOO_LARGE', '2176 MiB'],
    // a 2^40-position grid (each axis within its limit) and 5 million window offsets: refused before any array is built
    [spec([2 ** 20, 2 ** 20], 2, [{ R: 1, S: 1, w: [[[[1, 2]]]] }, { R: 1, S: 2 ** 20, w: [[[[1]]]] }], [1]), 'E_TOO_LARGE', '1048576 x 1048576'],
    [spec([1024, 1024], 2, [{ R: 1, S: 1, w: [[[[1, 2]]]] }, { R: 2, S: 1, w: [[[[1], [1]], [[1], [1]]]] }, { R: 1, S: 2048, w: [[[[1]]]] }], [1]), 'E_TOO_LARGE', '5234693 window offsets'],
  ];
  for (const [value, code, fragment] of bad) {
    it(`${code}: ${fragment}`, () => {
      let err: unknown;
      try {
        convacRankSync(value, 'left-right');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LinearRegionsError);
      expect((err as LinearRegionsError).code).toBe(code);
      expect((err as LinearRegionsError).message).toContain(fragment);
      // the next call still works
      expect(convacRankSync(spec(2, 2, [{ R: 2, S: 1, w: [[[1, 2], [3, 5]]] }], [1]), 'left-right').rank).toBe(1);
    });
  }
  it('bad partitions and options are E_ARGS', () => {
    const s = net(4, 2, repeat(3, { R: 2, S: 1, r: 2 }));
    for (const part of ['top-bottom', 'middle', [4], [1, 1], [-1]]) {
      expect(() => convacRankSync(s, part as never)).toThrow(expect.objectContaining({ code: 'E_ARGS' }));
    }
    expect(() => convacRankSync(s, 'left-right', { maxPrimes: 0 })).toThrow(expect.objectContaining({ code: 'E_ARGS' }));
  });

  it('a count after a rank on the same core instance still works (memory is reset by prepare)', () => {
    const module = new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));
    type Core = Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
    const core = new WebAssembly.Instance(module, coreImports()).exports as unknown as Core;
    const network = { inputDim: 2, layers: [{ weights: [[1, 0], [0, 1], [1, 1]], bias: [0, 0, -0.5], activation: 'relu' as const }, { weights: [[1, -1, 1]], bias: [0], activation: 'linear' as const }] };
    const count = (): number => {
      const { words } = pack(network, { bounds: [[-1, 1], [-1, 1]] });
      const ptr = core.prepare!(words.byteLength);
      new Float64Array(core.memory.buffer, ptr, words.length).set(words);
      expect(core.setup!(0, 1, 0)).toBe(0);
      while (core.run!(1 << 20) === 1);
      return core.activationRegions!();
    };
    const rank = (): number => {
      const shape = validateConvacSpec(net(8, 2, repeat(7, { R: 2, S: 1, r: 2 })));
      const words = packConvac(planConvac(shape, new Set([0, 1, 2, 3])), 1_000_000_007, 0, 0);
      const ptr = core.convacPrepare!(words.byteLength);
      new Int32Array(core.memory.buffer, ptr, words.length).set(words);
      expect(core.convacSetup!()).toBe(0);
      while (core.convacRun!(1e12) === 1);
      return core.convacRank!();
    };
    expect(count()).toBe(7); // x = 0, y = 0, x + y = 1/2 in the square: 4 quadrants, 3 of them cut once
    expect(rank()).toBe(16);
    expect(count()).toBe(7);
    expect(rank()).toBe(16);
  });

  it('the async API: progress from both phases, abort before and during a run (a lower bound), timeout, and the next call still works', async () => {
    const s = net(16, 2, repeat(15, { R: 2, S: 1, r: 2 }));
    const seen: { phase: string; column: number; rank: number }[] = [];
    const r = await convacRank(s, 'left-right', { seed: 3, onProgress: (p) => seen.push({ phase: p.phase, column: p.column, rank: p.rank }) });
    expect(r).toMatchObject({ rank: 256, exact: true, stopReason: 'complete' });
    expect(seen.length).toBeGreaterThan(0); // the first chunk that does not finish reports
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.column).toBeGreaterThanOrEqual(seen[i - 1]!.column);
      expect(seen[i]!.rank).toBeLessThanOrEqual(256);
    }
    const pre = new AbortController();
    pre.abort();
    const a = await convacRank(s, 'left-right', { seed: 3, signal: pre.signal });
    expect(a).toMatchObject({ rank: 0, exact: false, stopReason: 'aborted' });
    // stopped from its own progress callback, mid-run
    const mid = new AbortController();
    const b = await convacRank(s, 'left-right', { seed: 3, signal: mid.signal, onProgress: () => mid.abort() });
    expect(b).toMatchObject({ exact: false, stopReason: 'aborted', errorProbability: 1 });
    expect(b.rank).toBeLessThan(256);
    const t = new AbortController();
    t.abort(new DOMException('late', 'TimeoutError'));
    expect(await convacRank(s, 'left-right', { seed: 3, signal: t.signal })).toMatchObject({ exact: false, stopReason: 'timeout' });
    const g = new AbortController();
    g.abort();
    await expect(buildConvacGridTensor(s, { prime: P, signal: g.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(await convacRank(s, 'left-right', { seed: 4 })).toMatchObject({ rank: 256, exact: true, stopReason: 'complete' });
  });
});

describe('the ReLU counterpart and the experiment', () => {
  it('reluConvNet computes relu(sum_k <w^k, x_{jS+k}>) layer by layer (checked at random points)', () => {
    const layers: GcShape[] = [{ R: 3, S: 1, r: 2 }, { R: 2, S: 2, r: 3 }, { R: 3, S: 1, r: 2 }];
    const network = reluConvNet(8, 2, layers, 5);
    // independent evaluation: re-draw the same weights in the documented order
    const rng = createRng(5);
    const ws = layers.map(({ R, r }, i) => {
      const D = i === 0 ? 2 : layers[i - 1]!.r;
      return Array.from({ length: r }, () => Array.from({ length: R }, () => Array.from({ length: D }, () => rng.normal())));
    });
    const a = Array.from({ length: 2 }, () => rng.normal());
    const pr = createRng(77);
    for (let t = 0; t < 20; t++) {
      const x = Array.from({ length: 16 }, () => pr.normal());
      let cur: number[][] = Array.from({ length: 8 }, (_, j) => [x[2 * j]!, x[2 * j + 1]!]);
      layers.forEach(({ R, S, r }, i) => {
        const n = Math.floor((cur.length - R) / S) + 1;
        cur = Array.from({ length: n }, (_, j) => Array.from({ length: r }, (_, g) => {
          let s = 0;
          for (let k = 0; k < R; k++) cur[j * S + k]!.forEach((v, d) => (s += ws[i]![g]![k]![d]! * v));
          return Math.max(0, s);
        }));
      });
      const expected = a[0]! * cur[0]![0]! + a[1]! * cur[0]![1]!;
      let h = x;
      for (const l of network.layers) {
        h = l.weights.map((row, u) => {
          const s = row.reduce((acc, w, i) => acc + w * h[i]!, l.bias[u]!);
          return l.activation === 'relu' ? Math.max(0, s) : s;
        });
      }
      expect(h[0]).toBeCloseTo(expected, 9);
    }
  });

  it('the experiment (N = 8): the papers\' ranks in both tables, and exact ReLU counts', async () => {
    const res = await overlapExperiment({ positions: 8, seeds: 1, relu: true });
    const byName = (rows: typeof res.sameChannels, name: string) => rows.find((r) => r.name.startsWith(name))!;
    expect(byName(res.sameChannels, 'overlapping R=2,S=1').leftRight).toMatchObject({ min: 16, max: 16, exact: true });
    expect(byName(res.sameChannels, 'non-overlapping').leftRight).toMatchObject({ min: 2, max: 2, upperBound: 2, exact: true });
    expect(byName(res.sameChannels, 'shallow').oddEven).toMatchObject({ min: 2, upperBound: 2 });
    expect(byName(res.sameChannels, 'mixed').leftRight).toMatchObject({ min: 8, upperBound: 8 });
    expect(res.budget).toBe(58); // 8 + 6 * 8 weights + 2 output weights
    const eq = byName(res.equalParameters, 'non-overlapping');
    // uniform r = 3: 4*3 + 2*3*3 + 2*3*3 + 3 = 51 <= 58 (r = 4: 84); then one more channel where it
    // fits: the last layer's, 12 + 18 + 2*3*4 + 4 = 58 (the first's: 61, the second's: 63)
    expect(eq.layers.map((l) => l.r)).toEqual([3, 3, 4]);
    expect(eq.parameters).toBe(58);
    expect(eq.leftRight).toMatchObject({ min: 3, max: 3 }); // min(r_{L-1}, r_L) = 3
    // R=3,S=1: (2,2,2,2) has 12 + 12 + 12 + 8 + 2 = 46; a third channel in the first layer: 18 + 18 + 12 + 8 + 2 = 58
    expect(byName(res.equalParameters, 'overlapping R=3,S=1').layers.map((l) => l.r)).toEqual([3, 2, 2, 2]);
    expect(byName(res.equalParameters, 'shallow').layers).toEqual([{ R: 8, S: 1, r: 3 }]); // 17 r <= 58
    for (const row of res.relu!) {
      const c = countRegionsSync(reluConvNet(8, 2, row.layers, 1), (await import('../src/theory/convac/relu.js')).randomSlice(16, 1));
      expect(row.counts).toEqual([c.linearRegions]);
    }
  });
});

describe('the CLI', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const cli = join(root, 'dist', 'cli', 'main.js');
  const dir = mkdtempSync(join(tmpdir(), 'convac-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

  it('construct convac | convac rank --json prints exactly one object', () => {
    const c = run('construct', 'convac', '--positions', '8', '--templates', '2', '--layers', '3:1:2,2:2:2,3:1:2', '--seed', '4');
    expect(c.status, c.stderr).toBe(0);
    const file = join(dir, 'mixed.json');
    writeFileSync(file, c.stdout);
    const s = JSON.parse(c.stdout) as ConvacSpec;
    expect(s.kind).toBe('convac');
    const flat = (s.layers[0]!.weights as number[][][]).flat(2);
    expect(flat.every((w) => Number.isInteger(w) && w !== 0 && Math.abs(w) <= 1000)).toBe(true);
    const r = run('convac', 'rank', file, '--partition', 'odd-even', '--json');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!);
    expect(out).toStrictEqual({ rank: 16, rows: 16, cols: 16, partition: [0, 2, 4, 6], upperBound: 16, exact: true });
    const details = JSON.parse(run('convac', 'rank', file, '--partition', 'odd-even', '--json', '--details', '--seed', '3').stdout);
    expect(details).toMatchObject({ rank: 16, exact: true, certificate: 'upper-bound', errorProbability: 0, stopReason: 'complete' });
    expect(details.primes).toHaveLength(1);
    const lr = JSON.parse(run('convac', 'rank', file, '--partition', '0,1,2,3', '--json').stdout);
    expect(lr).toMatchObject({ rank: 8, upperBound: 8, exact: true });
  });

  it('a 2-D grid: construct --positions HxW, and the partitions by name and by list', () => {
    const gauss = run('construct', 'convac', '--positions', '3x3', '--templates', '2', '--layers', '2:1:2,2:1:2', '--weights', 'gaussian', '--seed', '2');
    expect(gauss.status, gauss.stderr).toBe(0);
    expect(((JSON.parse(gauss.stdout) as ConvacSpec).layers[1]!.weights as number[][][][]).flat(3).every((w) => !Number.isInteger(w))).toBe(true);
    const c = run('construct', 'convac', '--positions', '3x3', '--templates', '2', '--layers', '2:1:2,2:1:2', '--seed', '2');
    expect(c.status, c.stderr).toBe(0);
    const s = JSON.parse(c.stdout) as ConvacSpec;
    expect(s.positions).toEqual([3, 3]);
    expect((s.layers[0]!.weights as number[][][][]).length).toBe(2); // [channels][R][R][M]
    expect((s.layers[0]!.weights as number[][][][])[0]![1]![1]!).toHaveLength(2);
    const file = join(dir, 'grid.json');
    writeFileSync(file, c.stdout);
    const A = gridTensor(s as RefSpec);
    for (const [part, I] of [['left-right', [0, 3, 6]], ['top-bottom', [0, 1, 2]], ['odd-even', [0, 2, 4, 6, 8]], ['1,5', [1, 5]]] as const) {
      const r = run('convac', 'rank', file, '--partition', part, '--json');
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.partition).toEqual(I);
      expect(out.rank).toBe(matricizationRank(s as RefSpec, I, A));
      expect(out.rows).toBe(2 ** I.length);
      expect(out.cols).toBe(2 ** (9 - I.length));
    }
  });

  it('bad input: one line, a code, non-zero exit', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(spec(3, 2, [{ R: 2, S: 1, w: [[[1, 2], [3, 4]]] }], [1])));
    const r = run('convac', 'rank', file, '--partition', 'left-right');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^linear-regions: .*leaves 2 positions.*\[E_SHAPE\]\n$/);
    const u = run('convac', 'rank', file, '--partition', 'a,b');
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/\[E_ARGS\]\n$/);
    // JSON cannot spell Infinity, but 1e400 parses as Infinity
    const inf = join(dir, 'inf.json');
    writeFileSync(inf, JSON.stringify(spec(2, 2, [{ R: 2, S: 1, w: [[[1, 2], [3, 7]]] }], [1])).replace('7', '1e400'));
    const n = run('convac', 'rank', inf, '--partition', 'left-right', '--json');
    expect(n.status).toBe(1);
    expect(n.stdout).toBe('');
    expect(n.stderr).toMatch(/^linear-regions: layer 1 weights\[0\]\[1\]\[1\] is Infinity.*\[E_NONFINITE\]\n$/);
    const l = run('construct', 'convac', '--positions', '8', '--templates', '2', '--layers', '2-1-2');
    expect(l.status).toBe(2);
    const x = run('construct', 'convac', '--positions', '8', '--templates', '2', '--layers', '2:1:2', '--depth', '3');
    expect(x.status).toBe(2);
    expect(x.stderr).toContain('does not take --depth');
  });
});
