/**
 * Exact dyadic numbers for the tropical code: every float64 weight is m * 2^e with integer m, so
 * sums and products of weights are integers over a power of two. A tropical polynomial keeps all its
 * exponents and coefficients as BigInt integers over one shared 2^scale (see polynomial.ts), which
 * makes every operation integer arithmetic and every comparison exact.
 */
import { dyadic } from '../../network/validate.js';

/** A non-negative power-of-two scale: `n` stands for n / 2^scale. */
export interface Scaled {
  int: bigint;
  scale: number;
}

/** The exact value of a finite double as int / 2^scale with scale >= 0 as small as possible. */
export function fromDouble(x: number): Scaled {
  const { m, e } = dyadic(x);
  if (m === 0n) return { int: 0n, scale: 0 };
  let int = m;
  let scale = -e;
  while (scale > 0 && (int & 1n) === 0n) {
    int >>= 1n;
    scale--;
  }
  if (scale < 0) {
    int <<= BigInt(-scale);
    scale = 0;
  }
  return { int, scale };
}

/** n / 2^scale as a reduced rational string: "5", "-3/8", "0". */
export function rationalString(n: bigint, scale: number): string {
  if (n === 0n) return '0';
  let s = scale;
  let v = n;
  while (s > 0 && (v & 1n) === 0n) {
    v >>= 1n;
    s--;
  }
  return s === 0 ? v.toString() : `${v}/${1n << BigInt(s)}`;
}

/** Greatest common divisor of |a| and |b| (Euclid). */
export function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
