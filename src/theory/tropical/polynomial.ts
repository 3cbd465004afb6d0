/**
 * Tropical polynomials with exact dyadic exponents and coefficients.
 *
 * p(x) = max_i (alpha_i . x + c_i); in tropical notation the sum (+) is max and the product (*)
 * is +. Every alpha_i and c_i is stored as a BigInt integer over the polynomial's shared 2^scale.
 * A polynomial is kept REDUCED: one monomial per exponent (the largest coefficient) and only the
 * monomials whose lifted point (alpha_i, c_i) is a vertex of the upper hull of the Newton polytope
 * conv{(alpha_i, c_i)}, i.e. the affine pieces that are the strict maximum on an open set
 * (hull.ts decides this exactly). Monomials are sorted by exponent, ascending lexicographically.
 */
import { LinearRegionsError } from '../../errors.js';
import { fromDouble, rationalString, type Scaled } from './dyadic.js';
import { upperHullVertices } from './hull.js';

/**
 * Default limit on the monomials of one polynomial (or of the candidates of one product). Measured
 * (docs/theory.md, Limits): about 0.85 KB of heap per monomial at the peak with full-precision
 * weights, so two million stay well inside Node's default heap (about 4 GB on 64-bit).
 */
export const DEFAULT_MAX_MONOMIALS = 2_000_000;

/** One monomial as exact rational strings: exponent entries and coefficient ("5", "-3/8"). */
export interface MonomialJson {
  exponent: string[];
  coefficient: string;
}

/** Lexicographic order of integer vectors over their first `d` entries. */
export function compareExponents(p: readonly bigint[], q: readonly bigint[], d: number): number {
  for (let k = 0; k < d; k++) if (p[k] !== q[k]) return p[k]! < q[k]! ? -1 : 1;
  return 0;
}

/** Multiplies every entry by 2^shift. */
function shifted(points: readonly (readonly bigint[])[], shift: number): bigint[][] {
  if (shift === 0) return points.map((p) => p.slice());
  const s = BigInt(shift);
  return points.map((p) => p.map((v) => v << s));
}

export class TropicalPolynomial {
  /** Number of variables. */
  readonly dim: number;
  /** Entries are integers over 2^scale. */
  readonly scale: number;
  /** Lifted points: dim exponent entries, then the coefficient (integers over 2^scale), sorted, reduced. */
  readonly points: readonly (readonly bigint[])[];

  private constructor(dim: number, scale: number, points: bigint[][]) {
    this.dim = dim;
    this.scale = scale;
    this.points = points;
  }

  /**
   * Builds a reduced polynomial from lifted points (integers over 2^scale, any order, repeated
   * exponents allowed). `maxMonomials` bounds the candidates (E_TOO_LARGE beyond it).
   */
  static fromPoints(dim: number, scale: number, points: bigint[][], maxMonomials = DEFAULT_MAX_MONOMIALS): TropicalPolynomial {
    if (points.length === 0) throw new LinearRegionsError('E_ARGS', 'a tropical polynomial needs at least one monomial');
    if (points.length > maxMonomials) {
      throw new LinearRegionsError('E_TOO_LARGE', `a tropical polynomial reached ${points.length} candidate monomials, over maxMonomials = ${maxMonomials}`);
    }
    // one monomial per exponent, the largest coefficient
    const sorted = points.slice().sort((p, q) => compareExponents(p, q, dim) || (p[dim]! < q[dim]! ? 1 : p[dim]! > q[dim]! ? -1 : 0));
    const merged: bigint[][] = [];
    for (const p of sorted) if (merged.length === 0 || compareExponents(merged[merged.length - 1]!, p, dim) !== 0) merged.push(p);
    return TropicalPolynomial.fromReduced(dim, scale, upperHullVertices(merged, dim).map((i) => merged[i]!));
  }

  /**
   * A polynomial from points already known to be reduced and sorted (the affine pieces of a convex
   * function, e.g. read off its regions): only the scale is normalized.
   */
  static fromReduced(dim: number, scale: number, points: bigint[][]): TropicalPolynomial {
    let kept = points;
    while (scale > 0 && kept.every((p) => p.every((v) => (v & 1n) === 0n))) {
      kept = kept.map((p) => p.map((v) => v >> 1n));
      scale--;
    }
    return new TropicalPolynomial(dim, scale, kept);
  }

  /** The constant c (a float64, read exactly): one monomial with exponent 0. */
  static constant(dim: number, c: number): TropicalPolynomial {
    const { int, scale } = fromDouble(c);
    const p = new Array<bigint>(dim + 1).fill(0n);
    p[dim] = int;
    return new TropicalPolynomial(dim, scale, [p]);
  }

  /** The variable x_i (0-based): one monomial with exponent e_i and coefficient 0. */
  static variable(dim: number, i: number): TropicalPolynomial {
    const p = new Array<bigint>(dim + 1).fill(0n);
    p[i] = 1n;
    return new TropicalPolynomial(dim, 0, [p]);
  }

  get count(): number {
    return this.points.length;
  }

  /** This polynomial's points over 2^scale with scale >= this.scale. */
  pointsAt(scale: number): bigint[][] {
    return shifted(this.points, scale - this.scale);
  }

  /** Tropical sum (+) = max: the union of the monomials, reduced. */
  add(other: TropicalPolynomial, maxMonomials = DEFAULT_MAX_MONOMIALS): TropicalPolynomial {
    const s = Math.max(this.scale, other.scale);
    return TropicalPolynomial.fromPoints(this.dim, s, [...this.pointsAt(s), ...other.pointsAt(s)], maxMonomials);
  }

  /** Tropical product (*) = +: the Minkowski sum of the Newton polytopes, reduced. */
  mul(other: TropicalPolynomial, maxMonomials = DEFAULT_MAX_MONOMIALS): TropicalPolynomial {
    if (this.count === 1 || other.count === 1 || this.count * other.count <= maxMonomials) {
      const s = Math.max(this.scale, other.scale);
      const p = this.pointsAt(s);
      const q = other.pointsAt(s);
      const sums: bigint[][] = [];
      for (const a of p) for (const b of q) sums.push(a.map((v, k) => v + b[k]!));
      return TropicalPolynomial.fromPoints(this.dim, s, sums, maxMonomials);
    }
    throw new LinearRegionsError(
      'E_TOO_LARGE',
      `a tropical product reached ${this.count} x ${other.count} = ${this.count * other.count} candidate monomials, over maxMonomials = ${maxMonomials}`,
    );
  }

  /**
   * a * p for a >= 0 (a float64, read exactly, or an exact int / 2^scale): scales every exponent
   * and coefficient, which keeps the polynomial reduced; 0 * p = 0.
   */
  scaleBy(a: number | Scaled): TropicalPolynomial {
    if (typeof a === 'number' && !(Number.isFinite(a) && a >= 0)) {
      throw new LinearRegionsError('E_ARGS', `a tropical polynomial can only be scaled by a finite a >= 0, got ${a}`);
    }
    const { int, scale } = typeof a === 'number' ? fromDouble(a) : a;
    if (int < 0n) throw new LinearRegionsError('E_ARGS', 'a tropical polynomial can only be scaled by a >= 0');
    if (int === 0n) return TropicalPolynomial.constant(this.dim, 0);
    return new TropicalPolynomial(this.dim, this.scale + scale, this.points.map((p) => p.map((v) => v * int)));
  }

  /** Exact value at x = X / D (integers, D > 0), returned as the numerator over D * 2^scale. */
  valueAt(X: readonly bigint[], D: bigint): bigint {
    let best: bigint | null = null;
    for (const p of this.points) {
      let v = p[this.dim]! * D;
      for (let k = 0; k < this.dim; k++) v += p[k]! * X[k]!;
      if (best === null || v > best) best = v;
    }
    return best!;
  }

  /** Monomials as exact rational strings, in the stored (sorted) order. */
  toJson(): MonomialJson[] {
    return this.points.map((p) => ({
      exponent: p.slice(0, this.dim).map((v) => rationalString(v, this.scale)),
      coefficient: rationalString(p[this.dim]!, this.scale),
    }));
  }
}
