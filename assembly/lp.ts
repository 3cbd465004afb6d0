// The small dense LP of the n-D engine, in float64, with answers that are only used once certified.
//
// Problem: the sign of max { g(v) = G.v + e : v in C }, where C = { v : alpha_i.v + beta_i >= 0 }
// is a cell with a known strictly interior point c and an outer box [lo, hi] (d <= ~17 variables,
// tens to a few hundred rows). Every row and the objective are float approximations of exact
// affine functions, with a componentwise bound on their error (from network.ts's a-priori bounds;
// 0 for the domain's own rows).
//
// Method: the revised simplex in its "active set" form for few variables and many rows. The basis
// is D slots, each an active row (alpha_i.v + beta_i = 0 at the current point) or a free slot (a
// coordinate direction not yet pinned); Binv is the inverse of the D x D matrix of the slots' rows
// (unit vectors for free slots). Starting from the interior point with every slot free, a step
// moves along a column of Binv: off an active row (into the interior, when its multiplier says the
// objective grows) or along a free direction, until the ratio test meets a new row, which takes the
// slot. Cost per step O(m D + D^2), no allocation. The start point is strictly feasible, so there is
// no phase 1, and cells lie in their box, so the LP is bounded.
//
// Certificates (no tolerance ever decides; a float choice only picks what to check):
//  - max > 0: a point q = x + theta (c - x) pulled from the LP's best point x towards c, with every
//    row and g checked with a rigorous bound on their rounding error: q is strictly inside C and
//    g(q) > 0, so the open side {g > 0} of the cell has interior points.
//  - max < 0: the multipliers mu_j = -lambda_j >= 0 of the active rows give, for every v in the
//    exact cell, g(v) <= e + sum mu_j beta_j + max over the box of R.v, R = G + sum mu_j alpha_j
//    (the Neumaier-Shcherbina bound), where the exact rows' errors and all roundings are bounded
//    explicitly. A negative bound proves max < 0.
// Anything else (max exactly 0 when a hyperplane touches a face, ill-conditioned bases, cycling)
// is left to the exact LP (lp-exact.ts).
import { alloc } from './memory';
import { gamma, inflate, underflow, U } from './float';

export let lpD: i32 = 0; // variables
export let lpM: i32 = 0; // rows in use
let mCap: i32 = 0;
// rows (alpha_i . v + beta_i >= 0) and their error bounds
export let lpAlpha: usize = 0; // mCap x D
export let lpBeta: usize = 0; // mCap
export let lpEAlpha: usize = 0; // mCap x D
export let lpEBeta: usize = 0; // mCap
// objective
export let lpG: usize = 0; // D
export let lpE: f64 = 0;
export let lpEG: usize = 0; // D
export let lpEE: f64 = 0;
// the start point (strictly interior) and the outer box of the cell
export let lpStart: usize = 0; // D
export let lpLo: usize = 0; // D
export let lpHi: usize = 0; // D
/** The certified point of a +1 answer (strictly inside the cell, objective > 0). */
export let lpPoint: usize = 0; // D
/** The LP's best point (not certified: a hint for witnesses and for the exact LP). */
export let lpX: usize = 0; // D
/** Row index of each basis slot at the end (-1: free), for guiding the exact LP. */
export let lpSlots: usize = 0; // D i32

let slack: usize = 0; // mCap
let active: usize = 0; // mCap u8
let binv: usize = 0; // D x D, column j = direction of slot j
let lambda: usize = 0; // D
let dir: usize = 0; // D
let wrow: usize = 0; // D
let adir: usize = 0; // mCap

export let lpIterations: f64 = 0;
/**
 * Set by the caller when the rows are exactly those of the previous LP: the simplex then starts
 * from the previous basis and point (only the objective changed) instead of from lpStart.
 */
export let lpWarm = false;
export function lpSetWarm(w: bool): void { lpWarm = w; }
let stateValid = false; // the arrays hold a consistent basis (x, slots, Binv) for the current rows
let stateD: i32 = 0;
let stateM: i32 = 0;
export let lpCalls: f64 = 0;

let dCap: i32 = 0;

/** Forgets the workspace (its memory was reset). */
export function lpForget(): void {
  dCap = 0;
  mCap = 0;
  stateValid = false;
}

/** Sizes the workspace for up to D variables and m rows (grows, never shrinks). */
export function lpReserve(D: i32, m: i32): bool {
  if (D <= dCap && m <= mCap) return true;
  const cap = max(m, max(mCap * 2, 64));
  dCap = max(D, dCap);
  mCap = cap;
  const d = dCap as usize;
  const c = cap as usize;
  lpAlpha = alloc(c * d * 8);
  lpBeta = alloc(c * 8);
  lpEAlpha = alloc(c * d * 8);
  lpEBeta = alloc(c * 8);
  slack = alloc(c * 8);
  active = alloc(c);
  adir = alloc(max(c, d) * 8);
  lpG = alloc(d * 8);
  lpEG = alloc(d * 8);
  lpStart = alloc(d * 8);
  lpLo = alloc(d * 8);
  lpHi = alloc(d * 8);
  lpPoint = alloc(d * 8);
  lpX = alloc(d * 8);
  lpSlots = alloc(d * 4);
  binv = alloc(d * d * 8);
  lambda = alloc(d * 8);
  dir = alloc(d * 8);
  wrow = alloc(d * 8);
  return wrow != 0;
}

/** The LP's variables for the next problem (at most the reserved number), and its rows. */
export function lpUse(d: i32, m: i32): void {
  lpD = d;
  lpM = m;
}

@inline function f(p: usize, i: i32): f64 { return load<f64>(p + ((i as usize) << 3)); }
@inline function setF(p: usize, i: i32, v: f64): void { store<f64>(p + ((i as usize) << 3), v); }

/** alpha_i . v + beta_i in float. */
@inline function rowValue(i: i32, v: usize): f64 {
  const D = lpD;
  const a = lpAlpha + (((i * D) as usize) << 3);
  let s = f(lpBeta, i);
  for (let k = 0; k < D; k++) s += f(a, k) * f(v, k);
  return s;
}

/**
 * Certified sign of a.v + b at the float point v, for coefficients a (D f64) with error bounds ea
 * and b with error bound eb: 1, -1, or 0 when the bounds cannot decide.
 * |exact - float| <= sum_k ea_k |v_k| + eb + gamma_{D+1} (sum_k |a_k v_k| + |b|) + underflow(D).
 */
function signAt(a: usize, ea: usize, b: f64, eb: f64, v: usize): i32 {
  const D = lpD;
  let s = b;
  let mag = abs(s);
  let err = eb;
  for (let k = 0; k < D; k++) {
    const t = f(a, k) * f(v, k);
    s += t;
    mag += abs(t);
    err += f(ea, k) * abs(f(v, k));
  }
  const bound = inflate(err + gamma(D + 1) * mag + underflow(D), 2 * D + 4);
  if (s > bound) return 1;
  if (s < -bound) return -1;
  return 0;
}

/** Certified sign of row i (alpha_i . v + beta_i) at v. */
export function rowSignAt(i: i32, v: usize): i32 {
  const o = ((i * lpD) as usize) << 3;
  return signAt(lpAlpha + o, lpEAlpha + o, f(lpBeta, i), f(lpEBeta, i), v);
}

/** Certified sign of the objective at v. */
export function objectiveSignAt(v: usize): i32 {
  return signAt(lpG, lpEG, lpE, lpEE, v);
}

function objectiveValue(v: usize): f64 {
  let s = lpE;
  for (let k = 0; k < lpD; k++) s += f(lpG, k) * f(v, k);
  return s;
}

/** True when every row is certified strictly positive at v. */
export function strictlyInside(v: usize): bool {
  for (let i = 0; i < lpM; i++) if (rowSignAt(i, v) <= 0) return false;
  return true;
}

/**
 * Tries to certify a point with g > 0 near x: q = x + theta (c - x) with g(q) about g(x) / 2.
 * On success q is in lpPoint.
 */
function certifyPositive(x: usize, gx: f64): bool {
  const D = lpD;
  const gc = objectiveValue(lpStart);
  let theta: f64 = 0.5;
  if (gc < 0) theta = 0.5 * gx / (gx - gc);
  for (let k = 0; k < D; k++) setF(lpPoint, k, f(x, k) + theta * (f(lpStart, k) - f(x, k)));
  return objectiveSignAt(lpPoint) > 0 && strictlyInside(lpPoint);
}

/**
 * Rigorous upper bound on g over the exact cell from the multipliers of the current basis (see the
 * header); returns it (Infinity when the basis has a free slot with a non-negligible multiplier is
 * still fine: the residual absorbs it through the box).
 */
function dualBound(): f64 {
  const D = lpD;
  // R = G + sum mu_j alpha_j, with mu_j = max(0, -lambda_j) on row slots
  let ub = lpE + lpEE;
  let ubMag = abs(lpE);
  let nTerms = 1;
  for (let k = 0; k < D; k++) setF(dir, k, f(lpG, k)); // R (float)
  for (let k = 0; k < D; k++) setF(wrow, k, abs(f(lpG, k)) + 0); // magnitude for rounding of R
  for (let k = 0; k < D; k++) setF(adir, k, f(lpEG, k)); // error of R from the rows' and G's errors (reuse adir[0..D))
  for (let j = 0; j < D; j++) {
    const row = load<i32>(lpSlots + ((j as usize) << 2));
    if (row < 0) continue;
    const mu = -f(lambda, j);
    if (!(mu > 0)) continue;
    const a = lpAlpha + (((row * D) as usize) << 3);
    const ea = lpEAlpha + (((row * D) as usize) << 3);
    const t = mu * (f(lpBeta, row) + f(lpEBeta, row));
    ub += t;
    ubMag += abs(t);
    nTerms++;
    for (let k = 0; k < D; k++) {
      const p = mu * f(a, k);
      setF(dir, k, f(dir, k) + p);
      setF(wrow, k, f(wrow, k) + abs(p));
      setF(adir, k, f(adir, k) + mu * f(ea, k));
    }
  }
  const gR = gamma(D + 2);
  const uR = underflow(D); // R_k sums at most D products mu_j alpha_jk
  for (let k = 0; k < D; k++) {
    const r = f(dir, k);
    const lo = f(lpLo, k);
    const hi = f(lpHi, k);
    const xm = max(abs(lo), abs(hi));
    const t = max(r * lo, r * hi);
    ub += t;
    ubMag += abs(t);
    // |R_exact - R_float| <= errors of the data + rounding of the sum (inflated before the box
    // scales it)
    ub += inflate(f(adir, k) + gR * f(wrow, k) + uR, D + 4) * xm;
    nTerms += 2;
  }
  // every term of ub is one product, which can lose 2^-1075
  return ub + inflate(gamma(nTerms + 2) * ubMag + underflow(nTerms), nTerms + 4);
}

const RESULT_UNDECIDED = 0;

/**
 * Sign of max g over the cell, certified: 1 (lpPoint is strictly inside with g > 0), -1 (a rigorous
 * bound shows g < 0 on the whole exact cell), or 0 when the float LP cannot certify either (the
 * caller then decides exactly). lpX is the LP's final point either way.
 */
export function lpMaxSign(): i32 {
  const r = simplex(true);
  if (r == SIMPLEX_NEGATIVE) return -1;
  if (r != SIMPLEX_OPTIMAL) return r == SIMPLEX_POSITIVE ? 1 : RESULT_UNDECIDED;
  const gx = objectiveValue(lpX);
  if (gx > 0 && certifyPositive(lpX, gx)) return 1;
  if (dualBound() < 0) return -1;
  return RESULT_UNDECIDED;
}

/**
 * A rigorous upper bound on max g over the exact cell (the dual bound of the float optimum; any
 * basis gives a valid bound, the optimal one a tight bound), or Infinity when the float simplex
 * failed. lpX is the LP's final point.
 */
export function lpMaxBound(): f64 {
  const r = simplex(false);
  if (r != SIMPLEX_OPTIMAL) return Infinity;
  return dualBound();
}

const SIMPLEX_OPTIMAL = 0;
const SIMPLEX_POSITIVE = 1; // stopped early: lpPoint is certified with g > 0
const SIMPLEX_FAILED = 2;
const SIMPLEX_NEGATIVE = 3; // stopped early: the dual bound of the current basis is negative

/**
 * The float simplex from lpStart. With `early`, stops as soon as a point with g > 0 is certified.
 * On SIMPLEX_OPTIMAL, lambda holds the final basis's multipliers.
 */
function simplex(early: bool): i32 {
  lpCalls += 1;
  const D = lpD;
  const m = lpM;
  if (lpWarm && stateValid && D == stateD && m == stateM) {
    // warm start: the previous LP on the same rows left a basis and its point (a vertex or a
    // partial one); only the objective changed
    memory.fill(active, 0, m as usize);
    for (let j = 0; j < D; j++) {
      const r = load<i32>(lpSlots + ((j as usize) << 2));
      if (r >= 0) store<u8>(active + (r as usize), 1);
    }
  } else {
    // cold start: x = c, every slot free, Binv = I
    memory.copy(lpX, lpStart, (D as usize) << 3);
    memory.fill(binv, 0, ((D * D) as usize) << 3);
    for (let k = 0; k < D; k++) {
      setF(binv, k * D + k, 1.0);
      store<i32>(lpSlots + ((k as usize) << 2), -1);
    }
    memory.fill(active, 0, m as usize);
  }
  stateValid = false;
  stateD = D;
  stateM = m;
  let scale: f64 = abs(lpE);
  for (let k = 0; k < D; k++) scale = max(scale, abs(f(lpG, k)) * max(abs(f(lpLo, k)), abs(f(lpHi, k))));
  for (let i = 0; i < m; i++) setF(slack, i, max(0.0, rowValue(i, lpX)));
  const maxIter = 4 * (m + D) + 32;
  let degenerate = 0;
  let gx = objectiveValue(lpX);
  for (let iter = 0; iter < maxIter; iter++) {
    if (early && gx > 0 && gx > 1e-9 * scale && certifyPositive(lpX, gx)) {
      stateValid = true;
      return SIMPLEX_POSITIVE;
    }
    // multipliers: lambda = G^T Binv
    for (let j = 0; j < D; j++) {
      let s: f64 = 0;
      for (let k = 0; k < D; k++) s += f(lpG, k) * f(binv, k * D + j);
      setF(lambda, j, s);
    }
    // any basis gives a valid bound (multipliers clipped at 0, the rest absorbed through the box):
    // a negative one ends a sign query before optimality
    if (early && gx < 0 && iter > 0 && dualBound() < 0) {
      stateValid = true;
      return SIMPLEX_NEGATIVE;
    }
    // choose the slot to move: a free one with a non-negligible multiplier first (largest), else
    // the row slot with the largest positive multiplier (Bland's lowest index after many
    // degenerate steps). A free slot whose multiplier is 0 needs no move: the objective is flat there.
    let pick = -1;
    const tiny = 1e-14 * (scale + 1e-300);
    let best = tiny;
    for (let j = 0; j < D; j++) {
      if (load<i32>(lpSlots + ((j as usize) << 2)) >= 0) continue;
      const lj = abs(f(lambda, j));
      if (lj > best) { best = lj; pick = j; }
    }
    let sign: f64 = 1;
    if (pick >= 0) {
      sign = f(lambda, pick) > 0 ? 1 : -1;
    } else {
      best = tiny;
      for (let j = 0; j < D; j++) {
        if (load<i32>(lpSlots + ((j as usize) << 2)) < 0) continue;
        const lj = f(lambda, j);
        if (degenerate > 2 * D + 8) {
          if (lj > tiny) { pick = j; break; }
        } else if (lj > best) { best = lj; pick = j; }
      }
      if (pick < 0) break; // optimal (within the float's reach)
    }
    for (let k = 0; k < D; k++) setF(dir, k, sign * f(binv, k * D + pick));
    // ratio test: rows whose slack decreases along dir
    let enter = -1;
    let step: f64 = Infinity;
    for (let i = 0; i < m; i++) {
      const a = lpAlpha + (((i * D) as usize) << 3);
      let ad: f64 = 0;
      for (let k = 0; k < D; k++) ad += f(a, k) * f(dir, k);
      setF(adir, i, ad);
      if (load<u8>(active + (i as usize)) != 0 || !(ad < 0)) continue;
      const t = f(slack, i) / -ad;
      if (t < step) { step = t; enter = i; }
    }
    if (enter < 0) return SIMPLEX_FAILED; // unbounded in float: cannot happen inside a box; let exact decide
    if (step == 0) degenerate++;
    else degenerate = 0;
    for (let k = 0; k < D; k++) setF(lpX, k, f(lpX, k) + step * f(dir, k));
    for (let i = 0; i < m; i++) setF(slack, i, max(0.0, f(slack, i) + step * f(adir, i)));
    setF(slack, enter, 0);
    const leaving = load<i32>(lpSlots + ((pick as usize) << 2));
    if (leaving >= 0) store<u8>(active + (leaving as usize), 0);
    store<u8>(active + (enter as usize), 1);
    store<i32>(lpSlots + ((pick as usize) << 2), enter);
    // Binv: slot `pick` now holds row `enter`; w = alpha_enter^T Binv, pivot w_pick
    const a = lpAlpha + (((enter * D) as usize) << 3);
    for (let j = 0; j < D; j++) {
      let s: f64 = 0;
      for (let k = 0; k < D; k++) s += f(a, k) * f(binv, k * D + j);
      setF(wrow, j, s);
    }
    const piv = f(wrow, pick);
    if (piv == 0 || !isFinite(piv)) return SIMPLEX_FAILED;
    for (let k = 0; k < D; k++) setF(binv, k * D + pick, f(binv, k * D + pick) / piv);
    for (let j = 0; j < D; j++) {
      if (j == pick) continue;
      const w = f(wrow, j);
      if (w == 0) continue;
      for (let k = 0; k < D; k++) setF(binv, k * D + j, f(binv, k * D + j) - w * f(binv, k * D + pick));
    }
    gx = objectiveValue(lpX);
    lpIterations += 1;
  }
  stateValid = true;
  // multipliers of the final basis (recomputed: the loop may have ended on the iteration cap)
  for (let j = 0; j < D; j++) {
    let s: f64 = 0;
    for (let k = 0; k < D; k++) s += f(lpG, k) * f(binv, k * D + j);
    setF(lambda, j, s);
  }
  return SIMPLEX_OPTIMAL;
}

/**
 * Homogeneous mode (rows and objective linear: beta = 0): a float certificate that max g over the
 * cell is exactly 0, attained at the apex v = 0. When the final basis has D row slots, all
 * homogeneous, the exact multipliers lambda_e (B_e^T lambda_e = G_e, B_e the exact basis rows)
 * differ from the float ones by at most ||B_e^-1||_1 ||G_e - B_e^T lambda||_inf, where
 * ||B_e^-1||_1 <= ||X||_1 / (1 - ||I - B_e X||_1) for the float inverse X (a Neumann series bound)
 * and every error of the data and of the rounding is bounded explicitly. If every lambda_j stays
 * below 0 by more than that, then g = sum lambda_e_j row_j <= 0 wherever the rows are >= 0, and
 * g(0) = 0: the hyperplane touches the cell at the apex only (a point at infinity of R^d).
 */
export function lpApexCertificate(): bool {
  const D = lpD;
  if (lpE != 0 || lpEE != 0) return false;
  for (let j = 0; j < D; j++) {
    const r = load<i32>(lpSlots + ((j as usize) << 2));
    if (r < 0 || f(lpBeta, r) != 0 || f(lpEBeta, r) != 0) return false;
  }
  const g = gamma(D + 2);
  // N1 = || |I - B X| + EB |X| ||_1 and ||X||_1 (column sums); B row j = alpha of slot j
  let n1: f64 = 0;
  let xn: f64 = 0;
  for (let k = 0; k < D; k++) {
    let col: f64 = 0;
    let xcol: f64 = 0;
    for (let j = 0; j < D; j++) {
      const r = load<i32>(lpSlots + ((j as usize) << 2));
      const a = lpAlpha + (((r * D) as usize) << 3);
      const ea = lpEAlpha + (((r * D) as usize) << 3);
      let s: f64 = j == k ? -1.0 : 0.0;
      let mag: f64 = j == k ? 1.0 : 0.0;
      let err: f64 = 0;
      for (let i = 0; i < D; i++) {
        const x = f(binv, i * D + k);
        const p = f(a, i) * x;
        s += p;
        mag += abs(p);
        err += f(ea, i) * abs(x);
      }
      col += abs(s) + g * mag + err + underflow(D);
      xcol += abs(f(binv, j * D + k));
    }
    n1 = max(n1, col);
    xn = max(xn, xcol);
  }
  n1 = inflate(n1, 2 * D + 4);
  if (!(n1 < 0.5)) return false;
  const invBound = inflate(inflate(xn, D + 2) / (1.0 - n1), 4);
  // rho = G_e - B_e^T lambda, bounded componentwise
  let rho: f64 = 0;
  for (let i = 0; i < D; i++) {
    let s = f(lpG, i);
    let mag = abs(s);
    let err = f(lpEG, i);
    for (let j = 0; j < D; j++) {
      const r = load<i32>(lpSlots + ((j as usize) << 2));
      const lj = f(lambda, j);
      const p = lj * f(lpAlpha + (((r * D) as usize) << 3), i);
      s -= p;
      mag += abs(p);
      err += f(lpEAlpha + (((r * D) as usize) << 3), i) * abs(lj);
    }
    rho = max(rho, abs(s) + g * mag + err + underflow(D));
  }
  const dl = inflate(invBound * inflate(rho, D + 4), 4);
  for (let j = 0; j < D; j++) if (!(f(lambda, j) < -dl)) return false;
  return true;
}
