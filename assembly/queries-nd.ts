// The LP queries of the n-D engine on one cell (a frame, see state-nd.ts): does the cell have
// interior points on a side of a hyperplane (sideQuery), an interior at all (interiorQuery), and on
// which sides of a unit's hyperplane it has them (sides). The float LP (lp.ts) answers with a
// certified point or dual bound; the exact LP (lp-exact.ts) decides what it cannot.
import { gamma } from './float';
import {
  lpAlpha, lpApexCertificate, lpBeta, lpE, lpEAlpha, lpEBeta, lpEE, lpEG, lpG, lpHi, lpLo, lpMaxSign, lpPoint,
  lpSetWarm, lpSlots, lpStart, lpUse, lpX, strictlyInside,
} from './lp';
import {
  exactVertex, exactVertexValid, lpExactGuide, lpExactInteriorSign, lpExactMaxSign, lpExactSlot,
  lpExactSlotBytes, lpExactUse,
} from './lp-exact';
import { exactInterrupted } from './exact';
import { D, exactConeCertificate, exactRow, homogeneous, LINE_RAW, ROW_BYTES, rowCoef, rowErr, setRowSource } from './rows-nd';
import {
  epsHi, epsLo, epsRows, F_NWIT, F_ROWTOP, fi, geomVersion, hi, lo, lpFrame, lpRows, lpSrc, lpVersion,
  ndApexCertificates, ndBoxHits, ndExactCalls, ndTouchCertificates, ndLpCalls, ndWitnessHits, negOk, negPt, orient, outOfMemory,
  pattern, pointOk, posOk, posPt, rowAt, tauStart, touched, witAt, wsign,
} from './state-nd';
import { addWitness, boxSignRow, ensureWitness, pointSign, strictlyInsideFrame } from './cell-nd';
import { hasVertices, resetVertexDecided, vertexSidesOf } from './vertex-nd';

// the optimum of a refuted side, pulled slightly in, becomes a witness
const EXTREME_WITNESSES = true;

/**
 * Writes the frame's rows (all with a non-zero orientation, except row `skip`) and optionally one
 * more row (entry r, orientation o) into the float LP; with `tau`, every row gets a -1 coefficient on
 * an extra variable tau, plus the rows tau <= 1 and tau >= tauLo. Also records each LP row's source
 * for the exact LP. Returns the number of rows from entries (without the tau rows).
 */
export function buildLp(f: usize, skip: i32, r: usize, o: i32, tau: bool, tauLo: f64): i32 {
  const plain = skip < 0 && r == 0 && !tau;
  if (plain && f == lpFrame && geomVersion == lpVersion) {
    lpUse(D, lpRows);
    for (let k = 0; k < D; k++) {
      store<f64>(lpLo + ((k as usize) << 3), lo(f, k));
      store<f64>(lpHi + ((k as usize) << 3), hi(f, k));
    }
    lpSetWarm(true);
    return lpRows;
  }
  lpSetWarm(false);
  lpFrame = plain ? f : 0;
  lpVersion = geomVersion;
  const top = fi(f, F_ROWTOP);
  const nv = tau ? D + 1 : D;
  let m = 0;
  for (let i = 0; i <= top; i++) {
    let e: usize;
    let oi: i32;
    if (i < top) {
      if (i == skip) continue;
      oi = orient(f, i);
      if (oi == 0) continue;
      e = rowAt(i);
    } else {
      if (r == 0) break;
      e = r;
      oi = o;
    }
    const a = lpAlpha + (((m * nv) as usize) << 3);
    const ea = lpEAlpha + (((m * nv) as usize) << 3);
    const fo = oi as f64;
    for (let k = 0; k < D; k++) {
      store<f64>(a + ((k as usize) << 3), fo * rowCoef(e, k));
      store<f64>(ea + ((k as usize) << 3), rowErr(e, k));
    }
    if (tau) {
      store<f64>(a + ((D as usize) << 3), -1.0);
      store<f64>(ea + ((D as usize) << 3), 0);
    }
    store<f64>(lpBeta + ((m as usize) << 3), fo * rowCoef(e, D));
    store<f64>(lpEBeta + ((m as usize) << 3), rowErr(e, D));
    store<u32>(lpSrc + ((m as usize) << 3), e as u32);
    store<i32>(lpSrc + ((m as usize) << 3), oi, 4);
    m++;
  }
  if (skip >= 0) {
    // facet test: the cell without row `skip` may be unbounded in the box's terms; bound it by the
    // cell's box widened by a margin (any positive margin keeps the answer: a facet has points past
    // it arbitrarily close to its relative interior, which lies in the box)
    for (let k = 0; k < D; k++) {
      const a0 = lo(f, k), b0 = hi(f, k);
      const eps = max((b0 - a0) * 0.015625, max(abs(a0), abs(b0)) * 1e-12) + 1e-300;
      store<f64>(epsLo + ((k as usize) << 3), a0 - eps);
      store<f64>(epsHi + ((k as usize) << 3), b0 + eps);
    }
    for (let t = 0; t < 2 * D; t++) {
      const e = epsRows + (t as usize) * ROW_BYTES;
      const k = t >> 1;
      memory.fill(e, 0, ROW_BYTES);
      const up = (t & 1) != 0;
      store<f64>(e + ((k as usize) << 3), up ? -1.0 : 1.0); // hi - v_k >= 0  or  v_k - lo >= 0
      store<f64>(e + ((D as usize) << 3), up ? load<f64>(epsHi + ((k as usize) << 3)) : -load<f64>(epsLo + ((k as usize) << 3)));
      setRowSource(e, LINE_RAW, 0, 0, 0, -1);
      const a = lpAlpha + (((m * nv) as usize) << 3);
      const ea = lpEAlpha + (((m * nv) as usize) << 3);
      for (let j = 0; j < D; j++) {
        store<f64>(a + ((j as usize) << 3), rowCoef(e, j));
        store<f64>(ea + ((j as usize) << 3), 0);
      }
      store<f64>(lpBeta + ((m as usize) << 3), rowCoef(e, D));
      store<f64>(lpEBeta + ((m as usize) << 3), 0);
      store<u32>(lpSrc + ((m as usize) << 3), e as u32);
      store<i32>(lpSrc + ((m as usize) << 3), 1, 4);
      m++;
    }
  }
  let total = m;
  if (tau) {
    for (let t = 0; t < 2; t++) {
      const a = lpAlpha + (((total * nv) as usize) << 3);
      const ea = lpEAlpha + (((total * nv) as usize) << 3);
      memory.fill(a, 0, (nv as usize) << 3);
      memory.fill(ea, 0, (nv as usize) << 3);
      store<f64>(a + ((D as usize) << 3), t == 0 ? -1.0 : 1.0);
      store<f64>(lpBeta + ((total as usize) << 3), t == 0 ? 1.0 : -tauLo);
      store<f64>(lpEBeta + ((total as usize) << 3), 0);
      total++;
    }
  }
  lpUse(nv, total);
  lpRows = m;
  const wide = skip >= 0;
  for (let k = 0; k < D; k++) {
    store<f64>(lpLo + ((k as usize) << 3), wide ? load<f64>(epsLo + ((k as usize) << 3)) : lo(f, k));
    store<f64>(lpHi + ((k as usize) << 3), wide ? load<f64>(epsHi + ((k as usize) << 3)) : hi(f, k));
  }
  if (tau) {
    store<f64>(lpLo + ((D as usize) << 3), tauLo);
    store<f64>(lpHi + ((D as usize) << 3), 1.0);
  }
  return m;
}

/** Sets the float LP's objective to row entry r times o (over the first D variables). */
export function setObjective(r: usize, o: i32, nv: i32): void {
  const fo = o as f64;
  for (let k = 0; k < D; k++) {
    store<f64>(lpG + ((k as usize) << 3), fo * rowCoef(r, k));
    store<f64>(lpEG + ((k as usize) << 3), rowErr(r, k));
  }
  for (let k = D; k < nv; k++) {
    store<f64>(lpG + ((k as usize) << 3), 0);
    store<f64>(lpEG + ((k as usize) << 3), 0);
  }
  lpE = fo * rowCoef(r, D);
  lpEE = rowErr(r, D);
}

/** Writes the exact LP's rows from the recorded sources (m rows), and the objective (r, o) as row m when r != 0. */
export function buildExact(m: i32, r: usize, o: i32): void {
  lpExactUse(D);
  const stride = lpExactSlotBytes();
  for (let i = 0; i < m; i++) {
    const e = load<u32>(lpSrc + ((i as usize) << 3)) as usize;
    const oi = load<i32>(lpSrc + ((i as usize) << 3), 4);
    exactRow(lpExactSlot(i, 0), stride, e, oi, pattern);
  }
  if (r != 0) exactRow(lpExactSlot(m, 0), stride, r, o, pattern);
}

/**
 * A candidate point near x (D floats), pulled towards the interior point c: the point is accepted
 * (copied to dst) only when it is exactly strictly inside the frame (and strictly on side o of
 * row r when r != 0).
 */
function acceptPoint(f: usize, x: usize, c: usize, r: usize, o: i32, dst: usize): bool {
  // theta such that the row's value is about half its value at x (c is on its other side), then
  // closer to x
  let theta: f64 = 0.5;
  if (r != 0 && c != 0) {
    let gx = (o as f64) * rowCoef(r, D);
    let gc = gx;
    for (let k = 0; k < D; k++) {
      gx += (o as f64) * rowCoef(r, k) * load<f64>(x + ((k as usize) << 3));
      gc += (o as f64) * rowCoef(r, k) * load<f64>(c + ((k as usize) << 3));
    }
    if (gc < 0 && gx > 0) theta = 0.5 * gx / (gx - gc);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    for (let k = 0; k < D; k++) {
      const xk = load<f64>(x + ((k as usize) << 3));
      const ck = c == 0 ? xk : load<f64>(c + ((k as usize) << 3));
      store<f64>(dst + ((k as usize) << 3), xk + theta * (ck - xk));
    }
    if ((r == 0 || pointSign(r, o, dst) > 0) && strictlyInsideFrame(f, dst)) return true;
    theta *= 1.0 / 64.0;
    if (c == 0) break;
  }
  return false;
}

/** Index of the witness of f with the largest value of row r times o (the best LP start). */
function bestWitness(f: usize, r: usize, o: i32): i32 {
  const n = fi(f, F_NWIT);
  let best = 0;
  let bv = -Infinity;
  for (let i = 0; i < n; i++) {
    const w = witAt(f, i);
    let s = (o as f64) * rowCoef(r, D);
    for (let k = 0; k < D; k++) s += (o as f64) * rowCoef(r, k) * load<f64>(w + ((k as usize) << 3));
    if (s > bv) { bv = s; best = i; }
  }
  return best;
}

/**
 * Does the frame's cell have interior points where row r times o is > 0? Returns 1 (with a
 * certified interior point of that side in posPt when posOk), 0 when the row's maximum over the
 * cell is exactly 0 (it touches the cell), -1 when it is negative, -2 when memory ran out.
 * With r == 0: does the cell itself have an interior (phase 1; used for the root and for cells
 * without witnesses).
 */
let extremeReady = false; // sideQuery left a refuted side's optimum, pulled in, in dst: a witness
function sideQuery(f: usize, r: usize, o: i32, dst: usize): i32 {
  pointOk = false;
  extremeReady = false;
  ndLpCalls += 1;
  const nw = fi(f, F_NWIT);
  if (nw > 0 && r != 0) {
    const wi = bestWitness(f, r, o);
    const w = witAt(f, wi);
    const m = buildLp(f, -1, 0, 0, false, 0);
    setObjective(r, o, D);
    memory.copy(lpStart, w, (D as usize) << 3);
    const s = lpMaxSign();
    if (s > 0) {
      memory.copy(dst, lpPoint, (D as usize) << 3);
      pointOk = true;
      return 1;
    }
    if (s < 0) {
      // the optimum is an extreme point of the cell: pulled slightly in, a useful witness
      if (EXTREME_WITNESSES) {
        for (let j = 0; j < D; j++) {
          const x = load<f64>(lpX + ((j as usize) << 3));
          store<f64>(dst + ((j as usize) << 3), x + 0.0625 * (load<f64>(w + ((j as usize) << 3)) - x));
        }
        // (sides adds it to the cell once the decision is complete: a decision that stops in an
        // exact LP must find the same witnesses when it runs again, or its LPs are not resumed)
        extremeReady = strictlyInside(dst);
      }
      return -1;
    }
    if (homogeneous && lpApexCertificate()) {
      // negative on the whole cell but at the apex, a point at infinity: it vanishes on no facet
      ndApexCertificates += 1;
      return -1;
    }
    const cone = touchCertificate(m, r, o);
    if (exactInterrupted) return 0; // (the rows are incomplete: the decision is run again)
    if (cone) {
      ndTouchCertificates += 1;
      return 0;
    }
    ndExactCalls += 1;
    buildExact(m, r, o);
    if (exactInterrupted) return 0; // the rows are incomplete: the decision is run again (exact.ts)
    lpExactGuide(lpSlots, D);
    const e = lpExactMaxSign(m, w);
    lpExactGuide(0, 0);
    if (exactInterrupted) return 0; // the exact LP stopped between pivots: the decision is run again (lp-exact.ts)
    if (e == -2) { outOfMemory = true; return -2; }
    if (e > 0 && exactVertexValid) pointOk = acceptPoint(f, exactVertex, w, r, o, dst);
    return e;
  }
  return interiorQuery(f, r, o, dst);
}

// ---- the touch certificate ----------------------------------------------------------------------

const NN_ROWS = 13; // D + 1 at most (larger D: no certificate is tried)
const NN_COLS = 32; // active rows at most
const nnA: usize = memory.data(8 * NN_ROWS * NN_COLS); // column j: active row j's (alpha, beta)
const nnB: usize = memory.data(8 * NN_ROWS);
const nnR: usize = memory.data(8 * NN_ROWS);
const nnY: usize = memory.data(8 * NN_COLS);
const nnZ: usize = memory.data(8 * NN_COLS);
const nnIn: usize = memory.data(NN_COLS); // 1: in the passive set
const nnG: usize = memory.data(8 * NN_COLS * NN_COLS);
const nnH: usize = memory.data(8 * NN_COLS);
const nnIdx: usize = memory.data(4 * NN_COLS); // LP row of active column j
const nnP: usize = memory.data(4 * NN_COLS);
const coneEntries: usize = memory.data(4 * NN_COLS);
const coneOrients: usize = memory.data(4 * NN_COLS);

@inline function nnAt(j: i32, i: i32): f64 { return load<f64>(nnA + (((j * NN_ROWS + i) as usize) << 3)); }

/**
 * When the float LP cannot certify the sign of max g over the cell (g = row r times o), its optimum
 * being 0 or too close to it: a certificate that g <= 0 on the cell, g = -sum_i y_i row_i with
 * y_i > 0 over some of the cell's rows (oriented, >= 0 on it), found in float among the rows active
 * at the LP's optimum (non-negative least squares, Lawson and Hanson) and then checked exactly
 * (rows-nd.ts, exactConeCertificate). By LP duality such a combination exists whenever the maximum
 * is exactly 0 at a vertex, however many rows meet there; the exact LP, which it replaces in that
 * case, pivots through the degenerate bases of that vertex on bigint tableaus of every row. The
 * case is common at the points at infinity (t = 0) of the homogeneous chart and of the whole space's
 * outer pieces, where every unit whose inputs are all off is 0 (6-8-8-8-1 on R^6: 31,972 exact
 * LPs, 20 s). sideQuery answers 0: "touched" may then be set where the maximum is below 0, which
 * only adds a unit to check on the path's facets.
 */
function touchCertificate(m: i32, r: usize, o: i32): bool {
  const p = D + 1;
  if (p > NN_ROWS) return false;
  // the rows active at the float optimum x, as columns (alpha, beta); b = -g. Active: 0 at x up to
  // its rounding, or within 1e-9 (1 + |x|) of x (the LP's optimum near the chart's apex is a point
  // 1e-14 from it, where each row's value is mostly rounding)
  let xm: f64 = 0;
  for (let k = 0; k < D; k++) xm = max(xm, abs(load<f64>(lpX + ((k as usize) << 3))));
  let na = 0;
  for (let i = 0; i < m && na < NN_COLS; i++) {
    const a = lpAlpha + (((i * D) as usize) << 3);
    let v = load<f64>(lpBeta + ((i as usize) << 3));
    let mag = abs(v);
    let norm: f64 = 0;
    for (let k = 0; k < D; k++) {
      const ak = load<f64>(a + ((k as usize) << 3));
      const t = ak * load<f64>(lpX + ((k as usize) << 3));
      v += t;
      mag += abs(t);
      norm += abs(ak);
    }
    if (!(abs(v) <= 1e-7 * mag + 1e-9 * norm * (1 + xm) + 1e-300)) continue;
    for (let k = 0; k < D; k++) store<f64>(nnA + (((na * NN_ROWS + k) as usize) << 3), load<f64>(a + ((k as usize) << 3)));
    store<f64>(nnA + (((na * NN_ROWS + D) as usize) << 3), load<f64>(lpBeta + ((i as usize) << 3)));
    store<i32>(nnIdx + ((na as usize) << 2), i);
    na++;
  }
  if (na == 0) return false;
  let bn: f64 = 0;
  for (let k = 0; k < D; k++) {
    const x = -load<f64>(lpG + ((k as usize) << 3));
    store<f64>(nnB + ((k as usize) << 3), x);
    bn += x * x;
  }
  store<f64>(nnB + ((D as usize) << 3), -lpE);
  bn = sqrt(bn + lpE * lpE);
  if (!(bn > 0)) return false;
  // (a float combination the exact check refuses, where many rows meet, may hold a row that is only
  // nearly right: the one that contributes least is dropped and the search made again, twice)
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!nnls(na, p, bn)) return false;
    let n = 0;
    let least = -1;
    let leastPart: f64 = Infinity;
    for (let j = 0; j < na; j++) {
      const y = load<f64>(nnY + ((j as usize) << 3));
      if (!(y > 0)) continue;
      const i = load<i32>(nnIdx + ((j as usize) << 2));
      store<u32>(coneEntries + ((n as usize) << 2), load<u32>(lpSrc + ((i as usize) << 3)));
      store<i32>(coneOrients + ((n as usize) << 2), load<i32>(lpSrc + ((i as usize) << 3), 4));
      n++;
      let size: f64 = 0;
      for (let k = 0; k < p; k++) size += abs(nnAt(j, k));
      if (y * size < leastPart) {
        leastPart = y * size;
        least = j;
      }
    }
    if (n == 0 || n > p) return false;
    if (exactConeCertificate(coneEntries, coneOrients, n, r, o, pattern)) return true;
    if (exactInterrupted || n == 1) return false;
    memory.fill(nnA + (((least * NN_ROWS) as usize) << 3), 0, (p as usize) << 3);
  }
  return false;
}

/**
 * Non-negative least squares (Lawson and Hanson's active set method) on the na columns at nnA (p
 * rows) and b at nnB: y >= 0 into nnY, true when b = A y to a small residual (a float guide only:
 * exactConeCertificate decides).
 */
function nnls(na: i32, p: i32, bn: f64): bool {
  memory.fill(nnY, 0, (na as usize) << 3);
  memory.fill(nnIn, 0, na as usize);
  for (let outer = 0; outer < 3 * na; outer++) {
    // w = A^T (b - A y): the most positive among the columns not in the passive set joins it
    nnResidual(na, p);
    let t = -1;
    let best: f64 = 1e-12 * bn;
    for (let j = 0; j < na; j++) {
      if (load<u8>(nnIn + (j as usize)) != 0) continue;
      let w: f64 = 0;
      for (let i = 0; i < p; i++) w += nnAt(j, i) * load<f64>(nnR + ((i as usize) << 3));
      if (w > best) {
        best = w;
        t = j;
      }
    }
    if (t < 0) break;
    store<u8>(nnIn + (t as usize), 1);
    for (let inner = 0; inner <= na; inner++) {
      if (!nnSolve(na, p)) return false;
      let alpha: f64 = 2;
      for (let j = 0; j < na; j++) {
        if (load<u8>(nnIn + (j as usize)) == 0) continue;
        const z = load<f64>(nnZ + ((j as usize) << 3));
        if (z > 0) continue;
        const y = load<f64>(nnY + ((j as usize) << 3));
        alpha = min(alpha, y / (y - z));
      }
      if (alpha > 1) {
        memory.copy(nnY, nnZ, (na as usize) << 3);
        break;
      }
      for (let j = 0; j < na; j++) {
        if (load<u8>(nnIn + (j as usize)) == 0) continue;
        const y = load<f64>(nnY + ((j as usize) << 3));
        const ny = y + alpha * (load<f64>(nnZ + ((j as usize) << 3)) - y);
        if (ny <= 1e-15 * bn) {
          store<u8>(nnIn + (j as usize), 0);
          store<f64>(nnY + ((j as usize) << 3), 0);
        } else store<f64>(nnY + ((j as usize) << 3), ny);
      }
    }
  }
  nnResidual(na, p);
  let rn: f64 = 0;
  for (let i = 0; i < p; i++) rn += load<f64>(nnR + ((i as usize) << 3)) * load<f64>(nnR + ((i as usize) << 3));
  return sqrt(rn) <= 1e-9 * bn;
}

/** nnR = b - A y. */
function nnResidual(na: i32, p: i32): void {
  for (let i = 0; i < p; i++) {
    let s = load<f64>(nnB + ((i as usize) << 3));
    for (let j = 0; j < na; j++) s -= nnAt(j, i) * load<f64>(nnY + ((j as usize) << 3));
    store<f64>(nnR + ((i as usize) << 3), s);
  }
}

/** z = the least-squares solution on the passive set (normal equations, partial pivoting), 0 off it. */
function nnSolve(na: i32, p: i32): bool {
  let q = 0;
  for (let j = 0; j < na; j++) if (load<u8>(nnIn + (j as usize)) != 0) store<i32>(nnP + ((q++ as usize) << 2), j);
  for (let a = 0; a < q; a++) {
    const ja = load<i32>(nnP + ((a as usize) << 2));
    let h: f64 = 0;
    for (let i = 0; i < p; i++) h += nnAt(ja, i) * load<f64>(nnB + ((i as usize) << 3));
    store<f64>(nnH + ((a as usize) << 3), h);
    for (let c = 0; c < q; c++) {
      const jc = load<i32>(nnP + ((c as usize) << 2));
      let s: f64 = 0;
      for (let i = 0; i < p; i++) s += nnAt(ja, i) * nnAt(jc, i);
      store<f64>(nnG + (((a * NN_COLS + c) as usize) << 3), s);
    }
  }
  for (let k = 0; k < q; k++) {
    let piv = k;
    for (let a = k + 1; a < q; a++) {
      if (abs(load<f64>(nnG + (((a * NN_COLS + k) as usize) << 3))) > abs(load<f64>(nnG + (((piv * NN_COLS + k) as usize) << 3)))) piv = a;
    }
    const d = load<f64>(nnG + (((piv * NN_COLS + k) as usize) << 3));
    if (!(abs(d) > 1e-300)) return false;
    if (piv != k) {
      for (let c = 0; c < q; c++) {
        const t = load<f64>(nnG + (((k * NN_COLS + c) as usize) << 3));
        store<f64>(nnG + (((k * NN_COLS + c) as usize) << 3), load<f64>(nnG + (((piv * NN_COLS + c) as usize) << 3)));
        store<f64>(nnG + (((piv * NN_COLS + c) as usize) << 3), t);
      }
      const t = load<f64>(nnH + ((k as usize) << 3));
      store<f64>(nnH + ((k as usize) << 3), load<f64>(nnH + ((piv as usize) << 3)));
      store<f64>(nnH + ((piv as usize) << 3), t);
    }
    for (let a = k + 1; a < q; a++) {
      const f = load<f64>(nnG + (((a * NN_COLS + k) as usize) << 3)) / d;
      if (f == 0) continue;
      for (let c = k; c < q; c++) {
        store<f64>(nnG + (((a * NN_COLS + c) as usize) << 3), load<f64>(nnG + (((a * NN_COLS + c) as usize) << 3)) - f * load<f64>(nnG + (((k * NN_COLS + c) as usize) << 3)));
      }
      store<f64>(nnH + ((a as usize) << 3), load<f64>(nnH + ((a as usize) << 3)) - f * load<f64>(nnH + ((k as usize) << 3)));
    }
  }
  memory.fill(nnZ, 0, (na as usize) << 3);
  for (let k = q - 1; k >= 0; k--) {
    let s = load<f64>(nnH + ((k as usize) << 3));
    for (let c = k + 1; c < q; c++) {
      s -= load<f64>(nnG + (((k * NN_COLS + c) as usize) << 3)) * load<f64>(nnZ + ((load<i32>(nnP + ((c as usize) << 2)) as usize) << 3));
    }
    const z = s / load<f64>(nnG + (((k * NN_COLS + k) as usize) << 3));
    if (!isFinite(z)) return false;
    store<f64>(nnZ + ((load<i32>(nnP + ((k as usize) << 2)) as usize) << 3), z);
  }
  return true;
}

/** Phase 1: has the cell (intersected with {row r times o >= 0} when r != 0) a non-empty interior? */
export function interiorQuery(f: usize, r: usize, o: i32, dst: usize, skip: i32 = -1): i32 {
  pointOk = false;
  // start: the box's center, tau below every row's value there (the rows as built for the LP)
  for (let k = 0; k < D; k++) store<f64>(tauStart + ((k as usize) << 3), 0.5 * (lo(f, k) + hi(f, k)));
  const m = buildLp(f, skip, r, o, true, 0);
  const nv = D + 1;
  let tmin: f64 = 0.5;
  for (let i = 0; i < m; i++) {
    const a = lpAlpha + (((i * nv) as usize) << 3);
    const ea = lpEAlpha + (((i * nv) as usize) << 3);
    let s = load<f64>(lpBeta + ((i as usize) << 3));
    let mag = abs(s);
    let err = load<f64>(lpEBeta + ((i as usize) << 3));
    for (let k = 0; k < D; k++) {
      const x = load<f64>(tauStart + ((k as usize) << 3));
      const t = load<f64>(a + ((k as usize) << 3)) * x;
      s += t;
      mag += abs(t);
      err += load<f64>(ea + ((k as usize) << 3)) * abs(x);
    }
    tmin = min(tmin, s - 2.0 * (err + gamma(D + 2) * mag) - 1e-300);
  }
  let t0 = tmin - 1.0;
  if (!isFinite(t0)) t0 = -1e300;
  store<f64>(tauStart + ((D as usize) << 3), t0);
  // the row tau >= t0 - 1 (the last one) and the box of tau
  store<f64>(lpBeta + (((m + 1) as usize) << 3), -(t0 - 1.0));
  store<f64>(lpLo + ((D as usize) << 3), t0 - 1.0);
  for (let k = 0; k <= D; k++) {
    store<f64>(lpG + ((k as usize) << 3), k == D ? 1.0 : 0.0);
    store<f64>(lpEG + ((k as usize) << 3), 0);
  }
  lpE = 0;
  lpEE = 0;
  memory.copy(lpStart, tauStart, ((D + 1) as usize) << 3);
  const s = lpMaxSign();
  if (s > 0) {
    // tau > 0 at lpPoint: its first D coordinates are strictly inside every row
    memory.copy(dst, lpPoint, (D as usize) << 3);
    pointOk = true;
    return 1;
  }
  if (s < 0) return -1;
  ndExactCalls += 1;
  buildExact(m, 0, 0);
  if (exactInterrupted) return 0; // as in sideQuery
  const e = lpExactInteriorSign(m, tauStart);
  if (exactInterrupted) return 0; // as above
  if (e == -2) { outOfMemory = true; return -2; }
  if (e > 0 && exactVertexValid) {
    memory.copy(dst, exactVertex, (D as usize) << 3);
    pointOk = (r == 0 || pointSign(r, o, dst) > 0) && strictlyInsideFrame(f, dst, skip);
  }
  return e;
}

/**
 * Which sides of row r the frame's cell has interior points on: bit 0 for r > 0, bit 1 for r < 0.
 * Sets wsign (each witness's sign), posPt/posOk and negPt/negOk for sides found by an LP, and
 * `touched` when the row's maximum or minimum over the cell is exactly 0.
 */
export function sides(f: usize, r: usize): i32 {
  resetVertexDecided();
  touched = false;
  posOk = false;
  negOk = false;
  if (hasVertices(f)) {
    // the certified signs at the cell's vertices decide (vertex-nd.ts); failing that, the cell
    // needs an interior point for the H-cell engine's queries
    const vb = vertexSidesOf(f, r);
    if (vb != 0) return vb;
    ensureWitness(f);
  }
  const q = boxSignRow(f, r, 1);
  if (q != 0) {
    ndBoxHits += 1;
    return q > 0 ? 1 : 2;
  }
  const nw = fi(f, F_NWIT);
  let bits = 0;
  for (let i = 0; i < nw; i++) {
    const s = pointSign(r, 1, witAt(f, i));
    store<i8>(wsign + (i as usize), s as i8);
    if (s > 0) bits |= 1;
    else if (s < 0) bits |= 2;
  }
  if (bits == 3) {
    ndWitnessHits += 1;
    return 3;
  }
  let posExtreme = false;
  let negExtreme = false;
  if ((bits & 1) == 0) {
    const s = sideQuery(f, r, 1, posPt);
    if (s > 0) {
      bits |= 1;
      posOk = pointOk;
    } else {
      if (s == 0) touched = true;
      // a refuted side leaves the LP's optimum, pulled in: strictly inside the cell, where the
      // row is <= 0, so it proves the other side unless it is on the hyperplane (an LP saved)
      posExtreme = extremeReady;
      if (posExtreme && (bits & 2) == 0 && pointSign(r, 1, posPt) < 0) bits |= 2;
    }
  }
  if (exactInterrupted) return bits; // the decision runs again (its caller discards this answer)
  if ((bits & 2) == 0) {
    const s = sideQuery(f, r, -1, negPt);
    if (s > 0) {
      bits |= 2;
      negOk = pointOk;
    } else {
      if (s == 0) touched = true;
      negExtreme = extremeReady;
    }
  }
  if (!exactInterrupted) {
    // the refuted sides' optima join the cell's witnesses, now that the decision is complete
    if (posExtreme) addWitness(f, posPt);
    if (negExtreme) addWitness(f, negPt);
  }
  return bits;
}
