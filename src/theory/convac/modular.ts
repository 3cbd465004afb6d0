/**
 * Modular arithmetic for the ConvAC rank: random primes in [2^29, 2^30), residues of float64
 * weights (exact dyadic rationals) modulo them, and a plain TypeScript rank modulo p (the same
 * elimination as assembly/convac.ts, for the benchmark and as a cross-check).
 */
import type { Rng } from '../constructions.js';

/**
 * Primes are drawn from [2^29, 2^30): products of two residues stay below 2^60, which leaves the
 * core's elimination room for 15 delayed updates in a u64 (assembly/convac.ts).
 */
export const PRIME_MIN = 2 ** 29;
export const PRIME_MAX = 2 ** 30;
/** Every prime drawn has at least this many bits (for the CRT certificate and the factor count). */
export const PRIME_BITS = 29;
/**
 * A lower bound on the number of primes in [2^29, 2^30): x / ln x < pi(x) < 1.25506 x / ln x for
 * x >= 17 (Rosser and Schoenfeld 1962) give pi(2^30) - pi(2^29) > 2^29 (2 / ln 2^30 - 1.25506 / ln 2^29)
 * > 1.8 * 10^7 (the true count is about 2.6 * 10^7).
 */
export const PRIME_COUNT_LOWER = 18_000_000;

function powMod(b: bigint, e: bigint, p: bigint): bigint {
  let r = 1n;
  b %= p;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % p;
    b = (b * b) % p;
    e >>= 1n;
  }
  return r;
}

/** Deterministic Miller-Rabin for n < 3.2 * 10^9 (bases 2, 3, 5, 7 suffice below 3,215,031,751). */
export function isPrime32(n: number): boolean {
  if (n < 2) return false;
  for (const q of [2, 3, 5, 7]) if (n % q === 0) return n === q;
  const N = BigInt(n);
  let d = N - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  outer: for (const a of [2n, 3n, 5n, 7n]) {
    let x = powMod(a, d, N);
    if (x === 1n || x === N - 1n) continue;
    for (let i = 1; i < s; i++) {
      x = (x * x) % N;
      if (x === N - 1n) continue outer;
    }
    return false;
  }
  return true;
}

/** A prime drawn uniformly from the primes in [2^29, 2^30) (rejection sampling). */
export function randomPrime(rng: Rng): number {
  for (;;) {
    const n = PRIME_MIN + Math.floor(rng.uniform() * PRIME_MIN);
    if (isPrime32(n)) return n;
  }
}

/** A float64 as m * 2^e with m an integer (exact, from the IEEE-754 bits). */
export function dyadic(x: number): { m: bigint; e: number } {
  if (x === 0) return { m: 0n, e: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp === 0) return { m: sign * m, e: -1074 };
  m |= 1n << 52n;
  return { m: sign * m, e: exp - 1075 };
}

/** x modulo the odd prime p, for any finite float64 x (2 is invertible modulo p). */
export function residue(x: number, p: number): number {
  const { m, e } = dyadic(x);
  const P = BigInt(p);
  let r = ((m % P) + P) % P;
  if (e > 0) r = (r * powMod(2n, BigInt(e), P)) % P;
  else if (e < 0) r = (r * powMod((P + 1n) / 2n, BigInt(-e), P)) % P;
  return Number(r);
}

/** a * b mod p for 0 <= a, b < p < 2^31, in float64 without BigInt (16-bit halves: every partial sum < 2^53). */
export function mulModNumber(a: number, b: number, p: number): number {
  const hi = Math.floor(a / 65536);
  const lo = a - hi * 65536;
  return (((hi * b) % p) * 65536 + lo * b) % p;
}

function invMod(a: number, p: number): number {
  // Fermat: a^(p-2)
  let r = 1;
  let b = a;
  let e = p - 2;
  while (e > 0) {
    if (e & 1) r = mulModNumber(r, b, p);
    b = mulModNumber(b, b, p);
    e = Math.floor(e / 2);
  }
  return r;
}

/**
 * Rank of a rows x cols matrix (row-major residues, overwritten) modulo p, by the same
 * right-looking Gaussian elimination as the core, in plain TypeScript. Stops at `cap` when given.
 */
export function rankModPTs(matrix: Uint32Array, rows: number, cols: number, p: number, cap = 0): number {
  let rank = 0;
  for (let c = 0; c < cols && rank < rows && (cap === 0 || rank < cap); c++) {
    let piv = -1;
    for (let i = rank; i < rows; i++) {
      if (matrix[i * cols + c] !== 0) {
        piv = i;
        break;
      }
    }
    if (piv < 0) continue;
    const pr = rank * cols;
    if (piv !== rank) {
      const o = piv * cols;
      for (let j = c; j < cols; j++) {
        const t = matrix[pr + j]!;
        matrix[pr + j] = matrix[o + j]!;
        matrix[o + j] = t;
      }
    }
    const inv = invMod(matrix[pr + c]!, p);
    for (let i = rank + 1; i < rows; i++) {
      const row = i * cols;
      const a = matrix[row + c]!;
      if (a === 0) continue;
      const f = p - mulModNumber(a, inv, p);
      matrix[row + c] = 0;
      for (let j = c + 1; j < cols; j++) matrix[row + j] = (matrix[row + j]! + mulModNumber(f, matrix[pr + j]!, p)) % p;
    }
    rank++;
  }
  return rank;
}
