// The geometry of one cell of the n-D engine (a frame, see state-nd.ts): rigorous float tests of a
// row against the cell's outer box or a point, the box shrunk by a half-space or tightened by LPs,
// and the cell's strictly interior witness points.
import { gamma, inflate, U, underflow } from './float';
import { lpE, lpEE, lpEG, lpG, lpHi, lpLo, lpMaxBound, lpSetWarm, lpStart, lpX, strictlyInside } from './lp';
import { D, exactSignAt, rowCoef, rowErr } from './rows-nd';
import {
  F_NWIT, F_ROWTOP, fi, hi, lo, ndBoxLps, ndExactCalls, ndWitnessless, orient, pattern, pointOk, posPt, rowAt,
  setFi, setHi, setLo, setOrient, tauPoint, W, witAt, wsign,
} from './state-nd';
import { buildLp, interiorQuery } from './queries-nd';

// ---- float tests on a frame ---------------------------------------------------------------------

/**
 * Rigorous bounds of row r (times o) over the frame's box: returns 1 when it is > 0 on the whole
 * box, -1 when < 0 on the whole box, 0 otherwise.
 */
export function boxSignRow(f: usize, r: usize, o: f64): i32 {
  return boxSignAt(f, r, r + (((D + 1) as usize) << 3), o);
}

/**
 * boxSignRow for the row whose D + 1 coefficients are at `coef` and their error bounds at `err_`
 * (a layer's map row: no copy into a row entry).
 */
export function boxSignAt(f: usize, coef: usize, err_: usize, o: f64): i32 {
  let mx = o * load<f64>(coef + ((D as usize) << 3));
  let mn = mx;
  let mag = abs(mx);
  let err = load<f64>(err_ + ((D as usize) << 3));
  for (let k = 0; k < D; k++) {
    const a = o * load<f64>(coef + ((k as usize) << 3));
    const x0 = a * lo(f, k);
    const x1 = a * hi(f, k);
    mx += max(x0, x1);
    mn += min(x0, x1);
    mag += max(abs(x0), abs(x1));
    err += load<f64>(err_ + ((k as usize) << 3)) * max(abs(lo(f, k)), abs(hi(f, k)));
  }
  // (D products in mx and in mn: D underflows)
  const bound = inflate(err + gamma(D + 2) * mag + underflow(D), 2 * D + 6);
  if (mx < -bound) return -1;
  if (mn > bound) return 1;
  return 0;
}

/** Certified sign of row r (times o) at the float point v: float filter, then exact. */
export function pointSign(r: usize, o: i32, v: usize): i32 {
  let s = (o as f64) * rowCoef(r, D);
  let mag = abs(s);
  let err = rowErr(r, D);
  for (let k = 0; k < D; k++) {
    const x = load<f64>(v + ((k as usize) << 3));
    const t = (o as f64) * rowCoef(r, k) * x;
    s += t;
    mag += abs(t);
    err += rowErr(r, k) * abs(x);
  }
  const bound = inflate(err + gamma(D + 2) * mag + underflow(D), 2 * D + 6);
  if (s > bound) return 1;
  if (s < -bound) return -1;
  ndExactCalls += 1;
  return exactSignAt(r, o, v, pattern);
}

/** True when v is strictly inside every row of the frame but `skip` (exact). */
export function strictlyInsideFrame(f: usize, v: usize, skip: i32 = -1): bool {
  const top = fi(f, F_ROWTOP);
  for (let i = 0; i < top; i++) {
    if (i == skip) continue;
    const o = orient(f, i);
    if (o == 0) continue;
    if (pointSign(rowAt(i), o, v) <= 0) return false;
  }
  return true;
}

/**
 * The box of the frame intersected with {o (alpha.v + beta) >= 0}: per coordinate, the constraint
 * forces a_k v_k >= -(beta + err) - sum_{j != k} max(a_j lo_j, a_j hi_j), with the row's error
 * bound and the rounding of every sum covered, so the new box still holds the exact cell.
 */
export function shrinkBox(f: usize, r: usize, o: f64): void {
  let total = o * rowCoef(r, D) + rowErr(r, D);
  let mag = abs(rowCoef(r, D)) + rowErr(r, D);
  for (let k = 0; k < D; k++) {
    const a = o * rowCoef(r, k);
    const xm = max(abs(lo(f, k)), abs(hi(f, k)));
    total += max(a * lo(f, k), a * hi(f, k)) + rowErr(r, k) * xm;
    mag += abs(a) * xm + rowErr(r, k) * xm;
  }
  // the products of total and rest (a lo, a hi, err xm) can each lose 2^-1075: their underflow is
  // in the slack BEFORE rest is divided by a (a tiny a would scale it)
  const slack = inflate(gamma(2 * D + 4) * mag + underflow(2 * D + 2), 2 * D + 8);
  for (let k = 0; k < D; k++) {
    const a = o * rowCoef(r, k);
    if (a == 0 || !isFinite(total)) continue;
    const xm = max(abs(lo(f, k)), abs(hi(f, k)));
    // the rest of the row at most: total - own term (own term's error kept in the bound)
    const own = max(a * lo(f, k), a * hi(f, k));
    const rest = total - own + slack + rowErr(r, k) * xm;
    // a v_k >= -rest
    const t = -rest / a;
    const e = inflate(abs(t) * 4.0 * U, 2) + 1e-300;
    if (a > 0) {
      const nl = t - e;
      if (nl > lo(f, k)) setLo(f, k, min(nl, hi(f, k)));
    } else {
      const nh = t + e;
      if (nh < hi(f, k)) setHi(f, k, max(nh, lo(f, k)));
    }
  }
}

// ---- witnesses and the box ----------------------------------------------------------------------

/** Keeps the witnesses of f whose sign (wsign) is s, then appends pt when ok. */
export function keepWitnesses(f: usize, s: i32, pt: usize, ok: bool): void {
  const n = fi(f, F_NWIT);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if ((load<i8>(wsign + (i as usize)) as i32) != s) continue;
    if (k != i) memory.copy(witAt(f, k), witAt(f, i), (D as usize) << 3);
    k++;
  }
  if (ok) {
    if (k == W) {
      memory.copy(witAt(f, 0), witAt(f, 1), (((W - 1) * D) as usize) << 3);
      k--;
    }
    memory.copy(witAt(f, k), pt, (D as usize) << 3);
    k++;
  }
  setFi(f, F_NWIT, k);
}

/**
 * A cell left without a witness (its side was proven exactly but no float point near the exact
 * vertex checked) gets one from a phase-1 LP when the cell holds any float64 point at all.
 */
export function ensureWitness(f: usize): void {
  if (fi(f, F_NWIT) > 0) return;
  ndWitnessless += 1;
  if (interiorQuery(f, 0, 0, tauPoint) > 0 && pointOk) addWitness(f, tauPoint);
}

/** Appends a witness (dropping the oldest when full). */
export function addWitness(f: usize, pt: usize): void {
  let n = fi(f, F_NWIT);
  if (n == W) {
    memory.copy(witAt(f, 0), witAt(f, 1), (((W - 1) * D) as usize) << 3);
    n--;
  }
  memory.copy(witAt(f, n), pt, (D as usize) << 3);
  setFi(f, F_NWIT, n + 1);
}

/**
 * Shrinks the frame's box to the cell's extent: 2 D LPs (max and min of each coordinate), each
 * giving a rigorous bound (the dual bound holds for any multipliers). The LPs' optimal points,
 * pulled slightly inwards and checked, become witnesses: extreme points spread over the cell, so
 * later splits are often proven without an LP.
 */
export function tightenBox(f: usize): void {
  if (fi(f, F_NWIT) == 0) return;
  buildLp(f, -1, 0, 0, false, 0);
  ndBoxLps += 1;
  for (let k = 0; k < D; k++) {
    for (let s = 1; s >= -1; s -= 2) {
      for (let j = 0; j < D; j++) {
        store<f64>(lpG + ((j as usize) << 3), j == k ? (s as f64) : 0.0);
        store<f64>(lpEG + ((j as usize) << 3), 0);
      }
      lpE = 0;
      lpEE = 0;
      // start from the witness furthest along the objective
      const n = fi(f, F_NWIT);
      let best = 0;
      let bv = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = (s as f64) * load<f64>(witAt(f, i) + ((k as usize) << 3));
        if (v > bv) { bv = v; best = i; }
      }
      const start = witAt(f, best);
      memory.copy(lpStart, start, (D as usize) << 3);
      const b = lpMaxBound();
      // the next direction starts from this optimum's basis (the rows are the same): a few pivots
      // (4-6% of a box count; any start gives a rigorous bound)
      lpSetWarm(true);
      if (s > 0) {
        if (b < hi(f, k)) setHi(f, k, max(b, lo(f, k)));
      } else if (-b > lo(f, k)) setLo(f, k, min(-b, hi(f, k)));
      store<f64>(lpLo + ((k as usize) << 3), lo(f, k));
      store<f64>(lpHi + ((k as usize) << 3), hi(f, k));
      // the optimal point, 1/16 of the way back to the start, as a witness when it checks
      for (let j = 0; j < D; j++) {
        const x = load<f64>(lpX + ((j as usize) << 3));
        store<f64>(posPt + ((j as usize) << 3), x + 0.0625 * (load<f64>(start + ((j as usize) << 3)) - x));
      }
      if (strictlyInside(posPt)) addWitness(f, posPt);
    }
  }
}

/** Drops the rows that hold strictly on the cell's whole box (redundant) as it starts a layer. */
export function pruneRows(f: usize): void {
  const top = fi(f, F_ROWTOP);
  for (let i = 0; i < top; i++) {
    const o = orient(f, i);
    if (o != 0 && boxSignRow(f, rowAt(i), o as f64) > 0) setOrient(f, i, 0);
  }
}
