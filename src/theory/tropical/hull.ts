/**
 * Exact upper-hull vertices of lifted points (alpha_i, c_i) in Z^d x Z: the monomials of a tropical
 * polynomial max_i (alpha_i . x + c_i) that are the strict maximum on an open set of x.
 *
 * Point q is a vertex iff the LP  max t  s.t.  (alpha_q - alpha_k) . x + c_q - c_k >= t  (k != q)
 * has a positive optimum. Solving it against all N points for all N points costs N LPs of N rows;
 * Clarkson's output-sensitive scheme solves each against the vertices V found so far (|V| rows):
 *  - t* <= 0 against V means q is beaten everywhere by V's upper envelope, a fortiori by all points;
 *  - t* > 0 gives a rational x where q beats every point of V. Evaluating all N points exactly at x,
 *    the lexicographically largest exponent among those attaining the maximum is a vertex (the
 *    lex-max point of the face of the hull exposed by x), and it is not in V; add it and repeat.
 * Each LP is an exact rational simplex (Bland's rule, no floating point), so every decision is exact.
 * Equal exponents must have been merged (keeping the larger coefficient) before the call.
 */

/** A witness point x = X / D (integers X, D > 0), or null when q is not a vertex against `rows`. */
interface Witness {
  X: bigint[];
  D: bigint;
}

/**
 * Exact LP: is there x with (alpha_q - alpha_v) . x + (c_q - c_v) > 0 for every v in `against`?
 * Returns such an x, or null when there is none. Variables x = x+ - x- (both >= 0) and
 * t = t0 + t' with t0 = min_v (c_q - c_v) (so x = 0, t' = 0 is a feasible start) and t' <= 1 - t0;
 * maximize t'. Stops as soon as the current basic solution has t > 0.
 *
 * The condensed tableau (basic_i = b_i - sum_j a_ij y_j, objective row likewise) is kept in
 * integers over one common denominator D by integer pivoting (Edmonds; the lrs scheme): pivoting
 * on p = T_rs gives T'_rs = D, T'_rj = T_rj, T'_is = -T_is and T'_ij = (T_ij p - T_is T_rj) / D,
 * an exact division, then D = p. No gcds, no fractions. Bland's rule prevents cycling.
 */
function witness(points: readonly (readonly bigint[])[], q: number, against: readonly number[], d: number): Witness | null {
  const pq = points[q]!;
  if (against.length === 0) return { X: new Array<bigint>(d).fill(0n), D: 1n };
  let t0: bigint | null = null;
  for (const v of against) {
    const gap = pq[d]! - points[v]![d]!;
    if (t0 === null || gap < t0) t0 = gap;
  }
  if (t0! > 0n) return { X: new Array<bigint>(d).fill(0n), D: 1n }; // q is highest above the origin
  const cols = 2 * d + 2; // x+ (0..d-1), x- (d..2d-1), t' (2d), right-hand side (2d+1)
  const RHS = cols - 1;
  const T: bigint[][] = [];
  for (const v of against) {
    const pv = points[v]!;
    const row = new Array<bigint>(cols);
    for (let k = 0; k < d; k++) {
      const coef = pv[k]! - pq[k]!; // (alpha_v - alpha_q) . x + t' <= c_q - c_v - t0
      row[k] = coef;
      row[d + k] = -coef;
    }
    row[2 * d] = 1n;
    row[RHS] = pq[d]! - pv[d]! - t0!;
    T.push(row);
  }
  const cap = new Array<bigint>(cols).fill(0n);
  cap[2 * d] = 1n;
  cap[RHS] = 1n - t0!;
  T.push(cap);
  const obj = new Array<bigint>(cols).fill(0n); // z = obj[RHS]/D - sum_j obj[j]/D y_j
  obj[2 * d] = -1n;
  T.push(obj);
  const m = T.length - 1; // constraint rows; T[m] is the objective
  let D = 1n;
  const colVar = Array.from({ length: cols - 1 }, (_, j) => j);
  const rowVar = Array.from({ length: m }, (_, i) => cols + i);
  for (;;) {
    if (obj[RHS]! + t0! * D > 0n) break; // t = t0 + z > 0
    let s = -1;
    for (let j = 0; j < cols - 1; j++) if (T[m]![j]! < 0n && (s < 0 || colVar[j]! < colVar[s]!)) s = j;
    if (s < 0) return null; // optimal with t <= 0
    let r = -1;
    for (let i = 0; i < m; i++) {
      const a = T[i]![s]!;
      if (a <= 0n) continue;
      if (r < 0) {
        r = i;
        continue;
      }
      // compare b_i / a_is with b_r / a_rs (common denominator D cancels)
      const diff = T[i]![RHS]! * T[r]![s]! - T[r]![RHS]! * a;
      if (diff < 0n || (diff === 0n && rowVar[i]! < rowVar[r]!)) r = i;
    }
    if (r < 0) throw new Error('tropical hull LP: unbounded (cannot happen: t is capped)');
    const p = T[r]![s]!;
    const rowR = T[r]!;
    for (let i = 0; i <= m; i++) {
      if (i === r) continue;
      const row = T[i]!;
      const f = row[s]!;
      for (let j = 0; j < cols; j++) {
        if (j === s) continue;
        row[j] = f === 0n ? (row[j]! * p) / D : (row[j]! * p - f * rowR[j]!) / D;
      }
      row[s] = -f;
    }
    rowR[s] = D;
    D = p;
    [colVar[s], rowVar[r]] = [rowVar[r]!, colVar[s]!];
  }
  // x = x+ - x- read off the basis, all over D
  const X = new Array<bigint>(d).fill(0n);
  for (let i = 0; i < m; i++) {
    const v = rowVar[i]!;
    if (v < d) X[v]! += T[i]![RHS]!;
    else if (v < 2 * d) X[v - d]! -= T[i]![RHS]!;
  }
  return { X, D };
}

/** Compares exponent vectors lexicographically (numeric). */
function lexCompare(p: readonly bigint[], q: readonly bigint[], d: number): number {
  for (let k = 0; k < d; k++) if (p[k] !== q[k]) return p[k]! < q[k]! ? -1 : 1;
  return 0;
}

/** The vertex exposed by x = X / D: among the points maximizing alpha . x + c, the lex-largest alpha. */
function exposed(points: readonly (readonly bigint[])[], w: Witness, d: number): number {
  let best = -1;
  let bestValue = 0n;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    let v = p[d]! * w.D;
    for (let k = 0; k < d; k++) if (w.X[k] !== 0n) v += p[k]! * w.X[k]!;
    if (best < 0 || v > bestValue || (v === bestValue && lexCompare(p, points[best]!, d) > 0)) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

/**
 * Indices (ascending) of the upper-hull vertices of `points`: each point is d exponent entries then
 * a coefficient, all integers (a common power-of-two scale changes nothing), exponents distinct.
 */
export function upperHullVertices(points: readonly (readonly bigint[])[], d: number): number[] {
  const n = points.length;
  if (n <= 1) return n === 1 ? [0] : [];
  const inV = new Uint8Array(n);
  const V: number[] = [];
  for (let q = 0; q < n; q++) {
    while (inV[q] === 0) {
      const w = witness(points, q, V, d);
      if (w === null) break; // dominated by the vertices found so far
      const v = exposed(points, w, d);
      if (inV[v] === 1) throw new Error('tropical hull: exposed point already a vertex (cannot happen)');
      inV[v] = 1;
      V.push(v);
    }
  }
  return V.sort((x, y) => x - y);
}
