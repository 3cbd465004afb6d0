/**
 * The float order helpers of the core (assembly/float.ts): the engine compiles f64.min and f64.max
 * with branches, so the vertex loops take extremes on integer keys instead (boxFromVertices, the
 * crossings' radii). Checked against JavaScript's own comparison of the doubles, on seeded random
 * bit patterns of every kind (normal, subnormal, zero, infinite, both signs).
 */
import { describe, expect, it } from 'vitest';
import { coreForPredicates } from './helpers/core.js';
import { Rng } from './reference/random-nets.js';

interface OrderCore {
  testOrderRoundTrip(x: number): number;
  testOrderCompare(a: number, b: number): number;
  testMaxNonNeg(a: number, b: number): number;
}

const core = coreForPredicates() as unknown as OrderCore;
const bits = new DataView(new ArrayBuffer(8));

/** A double of every kind from the seeded generator (never NaN). */
function anyDouble(rng: Rng): number {
  const kind = Math.floor(rng.next() * 6);
  const sign = rng.next() < 0.5 ? -1 : 1;
  if (kind === 0) return sign * 0;
  if (kind === 1) return sign * Infinity;
  if (kind === 2) return sign * rng.next() * 2 ** -1022; // subnormal (or 0)
  if (kind === 3) return sign * Math.floor(rng.next() * 8); // small integers: many ties
  // any finite pattern: random exponent and mantissa
  bits.setUint32(0, Math.floor(rng.next() * 0x7fefffff));
  bits.setUint32(4, Math.floor(rng.next() * 2 ** 32));
  return sign * bits.getFloat64(0);
}

describe('float order keys', () => {
  it('order doubles as JavaScript does, and map back to the same double (20,000 seeded pairs)', () => {
    const seed = 1207;
    const rng = new Rng(seed);
    for (let i = 0; i < 20000; i++) {
      const a = anyDouble(rng);
      const b = anyDouble(rng);
      const want = a < b ? -1 : a > b ? 1 : Object.is(a, b) ? 0 : Object.is(a, -0) ? -1 : 1;
      const got = core.testOrderCompare(a, b);
      if (got !== want) throw new Error(`seed ${seed}, pair ${i}: ${a} vs ${b} gave ${got}, expected ${want}`);
      expect(Object.is(core.testOrderRoundTrip(a), a)).toBe(true);
    }
  });

  it('take the larger of two non-negative doubles (NaN wins, as f64.max makes it)', () => {
    const seed = 1208;
    const rng = new Rng(seed);
    for (let i = 0; i < 20000; i++) {
      const a = Math.abs(anyDouble(rng));
      const b = Math.abs(anyDouble(rng));
      const got = core.testMaxNonNeg(a, b);
      if (got !== Math.max(a, b)) throw new Error(`seed ${seed}, pair ${i}: max(${a}, ${b}) gave ${got}`);
    }
    expect(core.testMaxNonNeg(NaN, 1)).toBeNaN();
    expect(core.testMaxNonNeg(2, NaN)).toBeNaN();
    expect(core.testMaxNonNeg(0, 5e-324)).toBe(5e-324);
  });
});
