// The vertex predicate (sign of a line at the meeting point of two others), checked against exact
// BigInt rational evaluation on the cases that break floating point: results one ulp either side
// of zero, exact zeros, huge and subnormal magnitudes, nearly parallel lines.
import { describe, expect, test } from 'vitest';
import { toRational } from './reference/rational.js';
import { coreForPredicates } from './helpers/core.js';
import { Rng } from './reference/random-nets.js';

type Line = [number, number, number];

/** Exact sign of C at the intersection of A and B (A, B not parallel), by Cramer's rule. */
function exactSign(A: Line, B: Line, C: Line): number {
  const [a1, b1, c1] = A.map(toRational);
  const [a2, b2, c2] = B.map(toRational);
  const [a3, b3, c3] = C.map(toRational);
  const D = a1!.mul(b2!).sub(a2!.mul(b1!));
  const x = b1!.mul(c2!).sub(b2!.mul(c1!)).div(D);
  const y = c1!.mul(a2!).sub(c2!.mul(a1!)).div(D);
  return a3!.mul(x).add(b3!.mul(y)).add(c3!).sign();
}

/** The float nearest to -(a x + b y) at the exact intersection, so C(v) is within an ulp of 0. */
function nearZeroC(A: Line, B: Line, a3: number, b3: number): number {
  const [a1, b1, c1] = A.map(toRational);
  const [a2, b2, c2] = B.map(toRational);
  const D = a1!.mul(b2!).sub(a2!.mul(b1!));
  const x = b1!.mul(c2!).sub(b2!.mul(c1!)).div(D);
  const y = c1!.mul(a2!).sub(c2!.mul(a1!)).div(D);
  const v = toRational(a3).mul(x).add(toRational(b3).mul(y)).neg();
  return v.toNumber();
}

function nextUp(x: number): number {
  const f = new Float64Array([x]);
  const i = new BigInt64Array(f.buffer);
  if (x === 0) return Number.MIN_VALUE;
  i[0] = i[0]! + (x > 0 ? 1n : -1n);
  return f[0]!;
}
function nextDown(x: number): number {
  return -nextUp(-x);
}

/** Uniform [0, 1) numbers from the seeded generator the reference tests use. */
function mulberry32(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

describe('vertex predicate against exact rationals', () => {
  const core = coreForPredicates();
  const check = (A: Line, B: Line, C: Line, what: string) => {
    const got = core.testVertexSign(...A, ...B, ...C);
    const want = exactSign(A, B, C);
    expect(got, `${what}: A=${A} B=${B} C=${C}`).toBe(want);
  };

  test('one ulp either side of zero, and the nearest float itself, on random lines', () => {
    const seed = 20261122;
    const r = mulberry32(seed);
    for (let i = 0; i < 400; i++) {
      const g = () => (r() - 0.5) * 4;
      const A: Line = [g(), g(), g()];
      const B: Line = [g(), g(), g()];
      const a3 = g();
      const b3 = g();
      const c = nearZeroC(A, B, a3, b3);
      for (const c3 of [nextDown(nextDown(c)), nextDown(c), c, nextUp(c), nextUp(nextUp(c))]) {
        check(A, B, [a3, b3, c3], `seed ${seed} case ${i}`);
      }
    }
  });

  test('exact zeros: concurrent integer and dyadic lines', () => {
    // three lines through (1/3, -2/7) scaled to integers: 3x - 1 = 0, 7y + 2 = 0, 21x + 21y + ... 
    check([3, 0, -1], [0, 7, 2], [21, 21, -1], 'through (1/3, -2/7)');
    expect(core.testVertexSign(3, 0, -1, 0, 7, 2, 21, 21, -1)).toBe(exactSign([3, 0, -1], [0, 7, 2], [21, 21, -1]));
    // x + y = 1, x - y = 0 meet at (1/2, 1/2); 2x - 1 = 0 passes through it
    expect(core.testVertexSign(1, 1, -1, 1, -1, 0, 2, 0, -1)).toBe(0);
    expect(core.testVertexSign(0.25, 0.5, -0.125, -0.5, 0.25, 0, 0.75, 1.5, -0.375)).toBe(0);
    const r = mulberry32(7);
    for (let i = 0; i < 300; i++) {
      const n = () => Math.floor(r() * 7) - 3;
      const A: Line = [n(), n(), n()];
      const B: Line = [n(), n(), n()];
      if (A[0] * B[1] - A[1] * B[0] === 0) continue;
      // C = s*A + t*B vanishes at their intersection exactly
      const s = n(), t = n();
      const C: Line = [s * A[0] + t * B[0], s * A[1] + t * B[1], s * A[2] + t * B[2]];
      expect(core.testVertexSign(...A, ...B, ...C), `integer case ${i}`).toBe(0);
      check(A, B, [C[0], C[1], C[2] + 1], `integer case ${i} shifted`);
    }
  });

  test('huge and subnormal magnitudes', () => {
    const tiny = Number.MIN_VALUE; // 2^-1074
    const cases: [Line, Line, Line][] = [
      [[1e300, 0, -1e300], [0, 1e-300, -1e-300], [1, 1, -2]], // meet at (1, 1): exactly 0
      [[1e300, 0, -1e300], [0, 1e-300, -1e-300], [1, 1, nextDown(-2)]],
      [[1e300, 0, -1e300], [0, 1e-300, -1e-300], [1, 1, nextUp(-2)]],
      [[tiny, 0, -tiny], [0, 3 * tiny, -6 * tiny], [tiny, tiny, -3 * tiny]], // (1, 2): exactly 0
      [[tiny, 0, -tiny], [0, 3 * tiny, -6 * tiny], [tiny, tiny, -4 * tiny]],
      [[tiny, 0, -tiny], [0, 3 * tiny, -6 * tiny], [tiny, tiny, -2 * tiny]],
      [[1e308, 1e308, -1e308], [1e-308, -1e-308, 0], [1e308, -1e308, 0]], // (1/2, 1/2) on x = y
      [[1e308, 1e308, -1e308], [1e-308, -1e-308, 0], [1e-320, 1e-320, -1e-320]],
      [[1e308, 1e308, -1e308], [1e-308, -1e-308, 0], [1e-320, 1e-320, nextUp(-1e-320)]],
      [[2 ** 1000, 2 ** -1000, 1], [2 ** -1000, 2 ** 1000, -1], [1, 1, 0]],
    ];
    for (const [A, B, C] of cases) check(A, B, C, 'magnitudes');
    const r = mulberry32(99);
    for (let i = 0; i < 200; i++) {
      const e = () => (r() - 0.5) * 2 * 10 ** Math.floor(r() * 600 - 300);
      const A: Line = [e(), e(), e()];
      const B: Line = [e(), e(), e()];
      const C: Line = [e(), e(), e()];
      if (toRational(A[0]).mul(toRational(B[1])).sub(toRational(A[1]).mul(toRational(B[0]))).sign() === 0) continue;
      check(A, B, C, `random magnitudes ${i}`);
    }
  });

  test('nearly parallel lines: the filter must defer to the exact path', () => {
    const before = core.statExactCalls();
    const eps = 2 ** -52;
    for (const k of [1, 3, 5]) {
      const A: Line = [1, 1, -1];
      const B: Line = [1, 1 + k * eps, -1 - 2 * eps];
      const a3 = 1, b3 = -1;
      const c = nearZeroC(A, B, a3, b3);
      for (const c3 of [nextDown(c), c, nextUp(c)]) check(A, B, [a3, b3, c3], `nearly parallel k=${k}`);
    }
    expect(core.statExactCalls()).toBeGreaterThan(before);
  });

  test('easy cases are decided by the filter, not the exact path', () => {
    const hits = core.statFilterHits();
    const exact = core.statExactCalls();
    check([1, 0, 0], [0, 1, 0], [1, 1, 1], 'origin, C = 1');
    check([1, 0, -0.5], [0, 1, -0.5], [1, 1, -0.25], 'C(1/2,1/2) = 0.75');
    expect(core.statFilterHits()).toBe(hits + 2);
    expect(core.statExactCalls()).toBe(exact);
  });
});
