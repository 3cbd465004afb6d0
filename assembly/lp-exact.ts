// The exact LP: the sign of max { g(v) : alpha_i.v + beta_i >= 0 } decided in integer arithmetic,
// for the decisions the float LP (lp.ts) cannot certify: hyperplanes that touch a cell along a
// face (max exactly 0), coincident and nearly coincident rows, ill-conditioned bases.
//
// Data: every row, and the objective, as integers (alpha, beta) up to a positive factor (each row
// is scaled on its own, which changes nothing), and a start point c that is strictly inside (a
// float64 vector: exact dyadic). With c = 2^E C (C integer, E <= 0) and v = c + 2^E w, row i is
//   2^-E (alpha_i.v + beta_i) = S_i + alpha_i.w,   S_i = alpha_i.C + 2^-E beta_i  (> 0),
// so the slack basis is feasible at w = 0: no phase 1.
//
// Method: the dictionary simplex with integer pivoting (Edmonds; Avis's lrs): every entry of the
// dictionary is an integer, the true value times the basis determinant `det`, and a pivot on
// (r, s) computes T'_ik = (T_rs T_ik - T_is T_rk) / det with an exact division (bigDivExact).
// Row i reads det * x_i = T_i0 - sum_j T_ij x_j over the nonbasic x_j; the objective row is
// det * g = O_0 - sum_j O_j x_j. The free variables w enter first, each in the direction that
// improves g (a free variable never leaves); then Bland's rule (lowest index enters, ties in the
// ratio test go to the lowest index) makes cycling impossible. As soon as the current vertex has
// g > 0 the answer is +1 (the simplex never decreases g).
//
// Without an interior point (lpExactInteriorSign), the question "has {alpha_i.v + beta_i >= 0} a
// non-empty interior" is the sign of max tau subject to alpha_i.v + beta_i >= omega_i tau and
// tau <= 1, for any weights omega_i > 0; starting at v = c, tau = -1 with omega_i = max(1, 1 - S_i)
// the slack basis is again feasible.
import { alloc } from './memory';
import {
  bigAddTo, bigApprox, bigApproxExp, bigBits, bigCompare, bigCopy, bigDivExact, bigMul, bigNegate, bigSetI64,
  bigShiftLeft, bigSign, bigSlotBytes, bigZero,
} from './bigint';
import { exactStop, exactWindowIsOpen, exactWindowSpend, exactWindowSpent, floatsToInts } from './exact';

let D: i32 = 0; // variables of the input rows (alpha has D entries, then beta)
let dCap: i32 = 0;
let mCap: i32 = 0;
let inBytes: usize = 0; // bytes of an input slot
let input: usize = 0; // (mCap + 1) x (dCap + 1) input slots: rows, then the objective
let startInts: usize = 0; // D slots: C
let startBits: i32 = 0;
const START_SLOT: usize = 296; // bigSlotBytes(2300): any float64 vector at a common exponent fits

// tableau (sized per call): nv variables, mr constraint rows, the objective in row mr
let nv: i32 = 0;
let mr: i32 = 0;
let arena: usize = 0;
let arenaBytes: usize = 0;
let entryBytes: usize = 0;
let tab: usize = 0;
let det: usize = 0;
let p1: usize = 0;
let p2: usize = 0;
let tmpB: usize = 0;
let saved: usize = 0;
let basisVar: usize = 0; // i32 per row
let colVar: usize = 0; // i32 per column 1..nv (index 0 unused)
let varSign: usize = 0; // i8 per free variable (its column was negated)
let freeDone: usize = 0; // u8 per free variable: basic, or proven unconstrained

export let exactLpCalls: f64 = 0;
export let exactLpPivots: f64 = 0;
/**
 * The exact LP's work in the run loops' steps: a pivot updates (rows + 1) x (columns + 1) entries,
 * each with two products and an exact division of numbers about as long as det; a step is about
 * 4,096 limb products (as for the exact maps, exact.ts), so a chunk that meets exact LPs of
 * thousands of bits ends after fewer of them.
 */
export let exactLpSteps: f64 = 0;
/** After a +1 answer: a float approximation of the vertex found (not certified), D f64. */
export let exactVertex: usize = 0;
/** True when exactVertex holds a vertex (false after an unbounded +1). */
export let exactVertexValid = false;

/** Forgets the workspace (its memory was reset). */
export function lpExactForget(): void {
  forgetCopies();
  dCap = 0;
  mCap = 0;
  inBytes = 0;
  arenaBytes = 0;
}

/** Input slots for up to d variables, m rows, and integers of at most `bits` bits. */
export function lpExactReserve(d: i32, m: i32, bits: i32): bool {
  const need = bigSlotBytes(bits + 2);
  if (d <= dCap && m <= mCap && need <= inBytes) return true;
  dCap = max(d, dCap);
  mCap = max(m, max(2 * mCap, 64));
  inBytes = max(need, inBytes);
  input = alloc(((mCap + 1) * (dCap + 1)) as usize * inBytes);
  startInts = alloc(((dCap + 1) as usize) * START_SLOT);
  exactVertex = alloc(((dCap + 1) as usize) << 3);
  basisVar = alloc(((mCap + 2) as usize) << 2);
  colVar = alloc(((dCap + 2) as usize) << 2);
  varSign = alloc((dCap + 1) as usize);
  freeDone = alloc((dCap + 1) as usize);
  return freeDone != 0;
}

/** Variables of the next problem's rows (at most the reserved number). */
export function lpExactUse(d: i32): void {
  D = d;
}

/** Bytes of one input slot (the stride between a row's slots). */
export function lpExactSlotBytes(): usize {
  return inBytes;
}

/** Slot k (0..D-1: alpha, D: beta) of row i; row m is the objective. */
export function lpExactSlot(i: i32, k: i32): usize {
  return input + ((i * (D + 1) + k) as usize) * inBytes;
}

@inline function entry(i: i32, j: i32): usize {
  return tab + ((i * (nv + 1) + j) as usize) * entryBytes;
}

/** Writes C (c = 2^E C) into startInts; returns E (<= 0). */
function startPoint(c: usize): i32 {
  const e = floatsToInts(startInts, START_SLOT, c, D, 0);
  startBits = 0;
  for (let k = 0; k < D; k++) startBits = max(startBits, bigBits(startInts + (k as usize) * START_SLOT));
  return e;
}

/** Grows the tableau arena for the current mr, nv and entries of `bits` bits. */
function reserveTableau(bits: i32): bool {
  entryBytes = bigSlotBytes(bits + 64);
  const prodBytes = bigSlotBytes(2 * bits + 160);
  const need = ((mr + 1) * (nv + 1)) as usize * entryBytes + 4 * entryBytes + 3 * prodBytes + 64;
  if (need > arenaBytes) {
    const bytes = max(need, arenaBytes * 2);
    const a = alloc(bytes);
    if (a == 0) return false;
    arena = a;
    arenaBytes = bytes;
  }
  let p = arena;
  tab = p; p += ((mr + 1) * (nv + 1)) as usize * entryBytes;
  det = p; p += entryBytes;
  tmpB = p; p += entryBytes;
  saved = p; p += entryBytes;
  p1 = p; p += prodBytes;
  p2 = p;
  return true;
}

/**
 * Writes the initial dictionary for m input rows; in phase 1 also the column of tau and the row
 * tau <= 1, and the objective tau; otherwise the objective is input row m. Returns E, or 1 when
 * memory ran out.
 */
function initTableau(m: i32, start: usize, phase1: bool): i32 {
  const e = startPoint(start);
  nv = phase1 ? D + 1 : D;
  mr = phase1 ? m + 1 : m;
  // bits of the initial entries bound the determinants (Hadamard: r (B + log2 r / 2) for order r)
  let B = 16;
  const last = phase1 ? m - 1 : m;
  for (let i = 0; i <= last; i++) for (let k = 0; k <= D; k++) B = max(B, bigBits(lpExactSlot(i, k)) + startBits - e + 8);
  if (!reserveTableau((nv + 2) * (B + 3))) return 1;
  for (let i = 0; i <= last; i++) {
    const row = phase1 || i < m ? i : mr;
    writeRow(row, i, e);
    const t0 = entry(row, 0);
    if (phase1) {
      // slack = S_i + omega_i + alpha.w - omega_i tau', omega_i = max(1, 1 - S_i): T_i0 = max(S_i, 0) + 1
      const om = entry(row, D + 1);
      if (bigSign(t0) >= 0) {
        bigSetI64(om, 1);
        bigCopy(p1, t0);
        bigSetI64(p2, 1);
        bigAddTo(p1, p2, 1);
        bigCopy(t0, p1);
      } else {
        bigSetI64(om, 1);
        bigAddTo(om, t0, -1);
        bigSetI64(t0, 1);
      }
    }
  }
  if (phase1) {
    // row m: tau <= 1, slack 2 - tau'; objective tau = -1 + tau'
    for (let j = 0; j <= nv; j++) {
      bigZero(entry(m, j));
      bigZero(entry(mr, j));
    }
    bigSetI64(entry(m, 0), 2);
    bigSetI64(entry(m, nv), 1);
    bigSetI64(entry(mr, 0), -1);
    bigSetI64(entry(mr, nv), -1);
  }
  bigSetI64(det, 1);
  for (let i = 0; i < mr; i++) store<i32>(basisVar + ((i as usize) << 2), i);
  for (let j = 1; j <= nv; j++) store<i32>(colVar + ((j as usize) << 2), mr + j - 1);
  memory.fill(varSign, 0, nv as usize);
  memory.fill(freeDone, 0, nv as usize);
  return e;
}

/** Tableau row `row` from input row i: T_0 = alpha_i . C + 2^-E beta_i (the slack S_i at w = 0), T_j = -alpha_ij. */
function writeRow(row: i32, i: i32, e: i32): void {
  const t0 = entry(row, 0);
  slackAtStart(t0, i, e);
  for (let k = 0; k < D; k++) {
    const t = entry(row, k + 1);
    bigCopy(t, lpExactSlot(i, k));
    bigNegate(t);
  }
}

/** dst = S_i = alpha_i . C + 2^-E beta_i (p1 is scratch; dst must not be p1). */
function slackAtStart(dst: usize, i: i32, e: i32): void {
  bigZero(dst);
  for (let k = 0; k < D; k++) {
    const a = lpExactSlot(i, k);
    if (bigSign(a) == 0) continue;
    bigMul(p1, a, startInts + (k as usize) * START_SLOT);
    bigAddTo(dst, p1, 1);
  }
  bigCopy(p1, lpExactSlot(i, D));
  bigShiftLeft(p1, -e);
  bigAddTo(dst, p1, 1);
}

@inline function sgn(p: usize): i32 { return bigSign(p); }

/** The pivot on (r, s): x_s enters row r, the basic variable of row r leaves into column s. */
function pivot(r: i32, s: i32): void {
  pivotRows(r, s, 0, false);
}

// A pivot of the simplex (solve, guided) may itself stop between two rows in a window: rows i != r
// are updated from row r, T_rs, their own T_is and det, none of which changes before the last
// row, so the rows left are updated when the LP is resumed (resumePivot) before anything reads
// the dictionary. pivotPending tells that a pivot is half done.
let pivotPending = false;
let pendR = 0;
let pendS = 0;
let pendRow = 0;
let pendFree = -1; // the free variable guided marks done once its pivot is complete

/**
 * Rows from..mr of the pivot on (r, s), then row r and det; with `resumable`, stops after a row
 * once the window's allowance is spent (pivotPending, false). True when the pivot is complete.
 */
function pivotRows(r: i32, s: i32, from: i32, resumable: bool): bool {
  if (from == 0) exactLpPivots += 1;
  const limbs = ((bigBits(det) >> 5) + 2) as f64;
  const rowCost = ((nv + 1) as f64) * 3.0 * limbs * limbs / 4096.0;
  const trs = entry(r, s);
  for (let i = from; i <= mr; i++) {
    if (i == r) continue;
    if (resumable && i > from && exactWindowSpent()) {
      pivotPending = true;
      pendR = r;
      pendS = s;
      pendRow = i;
      return false;
    }
    const tis = entry(i, s);
    bigCopy(saved, tis);
    for (let k = 0; k <= nv; k++) {
      if (k == s) continue;
      const tik = entry(i, k);
      bigMul(p1, trs, tik);
      if (sgn(saved) != 0) {
        bigMul(p2, saved, entry(r, k));
        bigAddTo(p1, p2, -1);
      }
      bigDivExact(p1, p1, det, tmpB);
      bigCopy(tik, p1);
    }
    bigCopy(tis, saved);
    bigNegate(tis);
    exactLpSteps += rowCost;
    exactWindowSpend(rowCost);
  }
  pivotPending = false;
  // row r keeps its entries; its column s now holds the leaving variable, with coefficient det
  bigCopy(saved, trs);
  bigCopy(trs, det);
  bigCopy(det, saved);
  const leaving = load<i32>(basisVar + ((r as usize) << 2));
  store<i32>(basisVar + ((r as usize) << 2), load<i32>(colVar + ((s as usize) << 2)));
  store<i32>(colVar + ((s as usize) << 2), leaving);
  if (pendFree >= 0) {
    store<u8>(freeDone + (pendFree as usize), 1);
    pendFree = -1;
  }
  return true;
}

/** Finishes a pivot stopped between two rows; false when it stopped again. */
function resumePivot(): bool {
  return !pivotPending || pivotRows(pendR, pendS, pendRow, true);
}

/**
 * Ratio test for column s (x_s increasing): the row limiting it first, among rows whose basic
 * variable is a slack (index < mr) and decreases (T_is / det > 0); ties go to the lowest basic
 * variable (Bland). Returns -1 when nothing limits x_s.
 */
function ratioRow(s: i32): i32 {
  const ds = sgn(det);
  let best = -1;
  for (let i = 0; i < mr; i++) {
    const v = load<i32>(basisVar + ((i as usize) << 2));
    if (v >= mr) continue; // a free variable: never leaves
    const tis = entry(i, s);
    if (sgn(tis) != ds) continue;
    if (best < 0) {
      best = i;
      continue;
    }
    // T_i0 / T_is < T_b0 / T_bs  <=>  T_i0 T_bs < T_b0 T_is  (T_is, T_bs of the same sign)
    bigMul(p1, entry(i, 0), entry(best, s));
    bigMul(p2, entry(best, 0), tis);
    const c = bigCompare(p1, p2);
    if (c < 0 || (c == 0 && v < load<i32>(basisVar + ((best as usize) << 2)))) best = i;
  }
  return best;
}

@inline function objectivePositive(): bool {
  return sgn(entry(mr, 0)) * sgn(det) > 0;
}

/** Float approximation of the current vertex v = c + 2^E w (the first D variables). */
function writeVertex(start: usize, e: i32): void {
  for (let k = 0; k < D; k++) store<f64>(exactVertex + ((k as usize) << 3), load<f64>(start + ((k as usize) << 3)));
  const dApprox = bigApprox(det);
  const dExp = bigApproxExp;
  for (let i = 0; i < mr; i++) {
    const v = load<i32>(basisVar + ((i as usize) << 2));
    if (v < mr) continue;
    const k = v - mr;
    if (k >= D) continue;
    let w = bigApprox(entry(i, 0)) / dApprox;
    const ex = bigApproxExp - dExp + e;
    w *= Math.pow(2.0, ex as f64);
    if (load<i8>(varSign + (k as usize)) != 0) w = -w;
    const p = exactVertex + ((k as usize) << 3);
    store<f64>(p, load<f64>(p) + w);
  }
  exactVertexValid = true;
}

/** x_j -> -x_j for the free variable k in column j (its column changes sign). */
function negateColumn(j: i32, k: i32): void {
  for (let i = 0; i <= mr; i++) bigNegate(entry(i, j));
  store<i8>(varSign + (k as usize), load<i8>(varSign + (k as usize)) != 0 ? 0 : 1);
}

/** The simplex from the initial dictionary: the sign of the maximum (see lpExactMaxSign). */
function solve(start: usize, e: i32): i32 {
  if (!resumePivot()) return LP_SUSPENDED;
  if (objectivePositive()) {
    writeVertex(start, e);
    return 1;
  }
  // the free variables enter first, each in its improving direction
  for (let j = 1; j <= nv; j++) {
    const v = load<i32>(colVar + ((j as usize) << 2));
    if (v < mr) continue;
    const k = v - mr;
    if (load<u8>(freeDone + (k as usize)) != 0) continue;
    if (exactWindowSpent()) return LP_SUSPENDED; // nothing changed for this variable yet
    // d g / d x_j = -O_j / det
    const improve = -sgn(entry(mr, j)) * sgn(det);
    if (improve < 0) negateColumn(j, k);
    let r = ratioRow(j);
    if (r < 0 && improve == 0) {
      negateColumn(j, k);
      r = ratioRow(j);
    }
    store<u8>(freeDone + (k as usize), 1);
    if (r < 0) {
      if (improve != 0) return 1; // g grows without bound along a line of the cell
      continue; // no row limits this direction: a flat, irrelevant one
    }
    if (!pivotRows(r, j, 0, true)) return LP_SUSPENDED;
    if (objectivePositive()) {
      writeVertex(start, e);
      return 1;
    }
    j = 0; // columns changed: scan again for a free nonbasic variable
  }
  // Bland's rule over the slack variables
  while (true) {
    if (exactWindowSpent()) return LP_SUSPENDED; // between two pivots: the dictionary is whole
    let s = -1;
    let sVar = i32.MAX_VALUE;
    for (let j = 1; j <= nv; j++) {
      const v = load<i32>(colVar + ((j as usize) << 2));
      if (v >= mr) {
        if (sgn(entry(mr, j)) != 0) return 1; // an unconstrained direction with a slope: unbounded
        continue;
      }
      if (-sgn(entry(mr, j)) * sgn(det) > 0 && v < sVar) {
        s = j;
        sVar = v;
      }
    }
    if (s < 0) return sgn(entry(mr, 0)) * sgn(det); // optimal
    const r = ratioRow(s);
    if (r < 0) return 1; // unbounded
    if (!pivotRows(r, s, 0, true)) return LP_SUSPENDED;
    if (objectivePositive()) {
      writeVertex(start, e);
      return 1;
    }
  }
  return 0;
}

/**
 * Exact sign of max g over the cell given by input rows 0..m-1 (lpExactSlot; g is row m), with
 * the strictly interior start point `start` (D f64). Returns 1, 0 or -1; -2 when memory ran out.
 * After a 1, exactVertexValid tells whether exactVertex holds a vertex with g > 0.
 */
export function lpExactMaxSign(m: i32, start: usize): i32 {
  exactLpCalls += 1;
  exactVertexValid = false;
  const win = exactWindowIsOpen() && ensureCopies();
  if (win) {
    const known = memoFind(KIND_MAX, m, start);
    if (known != NOT_FOUND) return known;
    if (suspended && sameProblem(SUSPENDED_SLOT, KIND_MAX, m, start)) {
      exactLpResumes += 1;
      return settle(KIND_MAX, m, start, maxFrom(m, start));
    }
  }
  suspended = false; // the tableau is about to be another problem's
  pivotPending = false;
  pendFree = -1;
  basisAt = -1;
  phase = guideCount == D ? PHASE_BASIS : guideCount > 0 ? PHASE_START_GUIDED : PHASE_START;
  const r = maxFrom(m, start);
  return win ? settle(KIND_MAX, m, start, r) : r == LP_SUSPENDED ? 0 : r;
}

/**
 * lpExactMaxSign from wherever it is (phase): the float basis checked on its own, the dictionary
 * set up, the guide's pivots, the simplex. LP_SUSPENDED when a window stopped it.
 */
function maxFrom(m: i32, start: usize): i32 {
  if (phase == PHASE_BASIS) {
    const c = basisCheck(m, start);
    if (c == LP_SUSPENDED || c == -2) return c;
    if (c <= 1) {
      exactBasisChecks += 1;
      return c;
    }
    // a feasible vertex: the simplex goes on from there; else from the start point
    phase = c == BASIS_NOT_OPTIMAL ? PHASE_START_GUIDED : PHASE_START;
  }
  if (phase == PHASE_START || phase == PHASE_START_GUIDED) {
    const e = initTableau(m, start, false);
    if (e == 1) return -2;
    tableauE = e;
    phase = phase == PHASE_START_GUIDED ? PHASE_GUIDE : PHASE_SOLVE;
    guideAt = 0;
  }
  if (phase == PHASE_GUIDE) {
    const g = guided(m);
    if (g == LP_SUSPENDED) return g;
    if (g == 1) exactGuided += 1;
    // the float basis was not feasible in exact arithmetic: from the start point instead
    else if (initTableau(m, start, false) == 1) return -2;
    phase = PHASE_SOLVE;
  }
  return solve(start, tableauE);
}

// ---- resumable exact LPs -------------------------------------------------------------------
// In a window of the run loop (exact.ts) an exact LP stops between two pivots once the budget is
// spent (a simplex in 36 dimensions takes seconds): it reports exactStop, the decision is void
// and the run loop runs it again, which asks the same LP again. The problem (its rows as
// integers, the start point) is kept with the suspended tableau, and a call that asks exactly the
// same problem, compared in full, goes on from there; the answers of the last LPs made in windows
// are kept the same way, so a decision with several LPs does not redo the ones before.
const LP_SUSPENDED: i32 = -3;
/** Exact LPs stopped between pivots so far (each resumed by the decision run again). */
export let exactLpSuspensions: f64 = 0;
/** Suspended exact LPs found again and resumed (each suspension should be, but at the end of a count). */
export let exactLpResumes: f64 = 0;
const NOT_FOUND: i32 = -4;
const KIND_MAX: i32 = 0;
const KIND_INTERIOR: i32 = 1;
const PHASE_GUIDE: i32 = 0;
const PHASE_SOLVE: i32 = 1;
const PHASE_BASIS: i32 = 2;
const PHASE_START: i32 = 3;
const PHASE_START_GUIDED: i32 = 4;
const MEMO_LPS: i32 = 3;
const SUSPENDED_SLOT: i32 = MEMO_LPS;
const HEAD_BYTES: usize = 32; // [i32 kind][i32 m][i32 D][i32 answer][i32 vertexValid][i32 used]
let copyCap: usize = 0; // bytes of one copy of a problem's rows
let copyD: i32 = 0; // dCap the start and vertex slots were sized for
let copies: usize = 0; // MEMO_LPS + 1 copies: the memo's problems, then the suspended one
let heads: usize = 0;
let starts: usize = 0; // (dCap + 1) f64 per slot
let vertices: usize = 0;
let memoNext = 0;
let suspended = false;
let phase = PHASE_SOLVE;
let guideAt = 0;
let tableauE = 0;

/** Room for the copies at the reserved sizes; false when memory ran out (no resuming then). */
function ensureCopies(): bool {
  const need = ((mCap + 1) * (dCap + 1)) as usize * inBytes;
  if (copies != 0 && copyCap >= need && copyD >= dCap) return true;
  const slots = (MEMO_LPS + 1) as usize;
  const c = alloc(slots * need);
  const h = alloc(slots * HEAD_BYTES);
  const st = alloc(slots * ((dCap + 1) as usize) << 3);
  const v = alloc(slots * ((dCap + 1) as usize) << 3);
  if (v == 0) return false;
  copies = c;
  heads = h;
  starts = st;
  vertices = v;
  copyCap = need;
  copyD = dCap;
  memory.fill(heads, 0, slots * HEAD_BYTES);
  memoNext = 0;
  suspended = false;
  return true;
}

/** Forgets the kept LPs (their memory was reset). */
function forgetCopies(): void {
  copies = 0;
  copyCap = 0;
  copyD = 0;
  suspended = false;
  memoNext = 0;
}

@inline function head(slot: i32): usize {
  return heads + (slot as usize) * HEAD_BYTES;
}

function problemBytes(kind: i32, m: i32): usize {
  return ((kind == KIND_MAX ? m + 1 : m) * (D + 1)) as usize * inBytes;
}

function sameProblem(slot: i32, kind: i32, m: i32, start: usize): bool {
  const h = head(slot);
  if (load<i32>(h, 20) == 0 || load<i32>(h) != kind || load<i32>(h, 4) != m || load<i32>(h, 8) != D) return false;
  const sd = ((copyD + 1) as usize) << 3;
  if (memory.compare(starts + (slot as usize) * sd, start, (D as usize) << 3) != 0) return false;
  // slot by slot, the number's own bytes only: a slot's limbs past its size are stale (bigint.ts),
  // and they differ between two writes of the same problem
  const slots = (kind == KIND_MAX ? m + 1 : m) * (D + 1);
  const copy = copies + (slot as usize) * copyCap;
  for (let j = 0; j < slots; j++) {
    const o = (j as usize) * inBytes;
    const n = load<i32>(input + o);
    if (load<i32>(copy + o) != n) return false;
    const limbs = (n < 0 ? -n : n) as usize;
    if (limbs > 0 && memory.compare(copy + o + 4, input + o + 4, limbs << 2) != 0) return false;
  }
  return true;
}

function keepProblem(slot: i32, kind: i32, m: i32, start: usize): void {
  const h = head(slot);
  store<i32>(h, kind);
  store<i32>(h, m, 4);
  store<i32>(h, D, 8);
  store<i32>(h, 1, 20);
  const sd = ((copyD + 1) as usize) << 3;
  memory.copy(starts + (slot as usize) * sd, start, (D as usize) << 3);
  memory.copy(copies + (slot as usize) * copyCap, input, problemBytes(kind, m));
}

function memoFind(kind: i32, m: i32, start: usize): i32 {
  for (let s = 0; s < MEMO_LPS; s++) {
    if (!sameProblem(s, kind, m, start)) continue;
    const h = head(s);
    exactVertexValid = load<i32>(h, 16) != 0;
    const sd = ((copyD + 1) as usize) << 3;
    memory.copy(exactVertex, vertices + (s as usize) * sd, (D as usize) << 3);
    return load<i32>(h, 12);
  }
  return NOT_FOUND;
}

/** The end of an LP made in a window: suspended (kept, exactStop, 0), or an answer (memoised). */
function settle(kind: i32, m: i32, start: usize, r: i32): i32 {
  if (r == LP_SUSPENDED) {
    keepProblem(SUSPENDED_SLOT, kind, m, start);
    suspended = true;
    exactLpSuspensions += 1;
    exactStop();
    return 0;
  }
  suspended = false;
  if (r == -2) return r;
  const s = memoNext;
  memoNext = (memoNext + 1) % MEMO_LPS;
  keepProblem(s, kind, m, start);
  const h = head(s);
  store<i32>(h, r, 12);
  store<i32>(h, exactVertexValid ? 1 : 0, 16);
  const sd = ((copyD + 1) as usize) << 3;
  memory.copy(vertices + (s as usize) * sd, exactVertex, (D as usize) << 3);
  return r;
}

// The float LP's basis checked on its own (the usual case: it is optimal). With D rows in the
// basis, the dictionary of just those rows and the objective (D + 1 rows) gives, after the D
// pivots that bring the free variables in, the vertex w_k = T_t0 / det (free variable k basic in
// row t) and the objective's reduced costs; every other row is checked at the vertex by one dot
// product: det * slack_j = det S_j + sum_k alpha_jk T_t(k)0. That is O(D^3 + m D) big-integer
// operations instead of the O(m D^2) of pivoting the full m-row dictionary, whose entries have
// thousands of bits in many dimensions. The answer is exact: the vertex is in the cell (every row
// checked), and with no improving reduced cost g <= g(vertex) on the cone {basis slacks >= 0},
// which holds the cell.
const BASIS_NOT_OPTIMAL: i32 = 2;
const BASIS_UNUSABLE: i32 = 3;
export let exactBasisChecks: f64 = 0;

/**
 * 1, 0 or -1: the sign of the maximum, decided by the guide basis; BASIS_NOT_OPTIMAL when its
 * vertex is feasible but not optimal, BASIS_UNUSABLE when its rows are dependent or its vertex is
 * outside the cell; -2 when memory ran out.
 */
function basisCheck(m: i32, start: usize): i32 {
  if (basisAt < 0) {
    for (let g = 0; g < D; g++) if (load<i32>(guide + ((g as usize) << 2)) >= m) return BASIS_UNUSABLE;
    // the guide is kept: a resumed check must use the rows it started with
    if (basisGuideCap < D) {
      basisGuide = alloc(((D + 8) as usize) << 2);
      basisGuideCap = D + 8;
    }
    memory.copy(basisGuide, guide, (D as usize) << 2);
    basisE = startPoint(start);
    nv = D;
    mr = D;
    let B = 16;
    for (let i = 0; i <= m; i++) for (let k = 0; k <= D; k++) B = max(B, bigBits(lpExactSlot(i, k)) + startBits - basisE + 8);
    if (!reserveTableau((nv + 2) * (B + 3))) return -2;
    for (let t = 0; t < D; t++) writeRow(t, load<i32>(basisGuide + ((t as usize) << 2)), basisE);
    writeRow(mr, m, basisE);
    bigSetI64(det, 1);
    for (let i = 0; i < mr; i++) store<i32>(basisVar + ((i as usize) << 2), i);
    for (let j = 1; j <= nv; j++) store<i32>(colVar + ((j as usize) << 2), mr + j - 1);
    memory.fill(varSign, 0, nv as usize);
    basisAt = 0;
  }
  const e = basisE;
  // D pivots (each a whole step; the check stops between two of them in a window)
  for (; basisAt < D; basisAt++) {
    if (exactWindowSpent()) return LP_SUSPENDED;
    const t = basisAt;
    let s = -1;
    for (let j = 1; j <= nv; j++) {
      if (load<i32>(colVar + ((j as usize) << 2)) >= mr && sgn(entry(t, j)) != 0) {
        s = j;
        break;
      }
    }
    if (s < 0) return BASIS_UNUSABLE; // the rows are dependent
    pivot(t, s);
  }
  const ds = sgn(det);
  for (let j = 0; j < m; j++) {
    let inBasis = false;
    for (let g = 0; g < D; g++) if (load<i32>(basisGuide + ((g as usize) << 2)) == j) inBasis = true;
    if (inBasis) continue;
    // p1 = det * S_j + sum_k alpha_jk T_t(k)0 (p2 holds the products)
    slackAtStart(tmpB, j, e);
    bigMul(p1, det, tmpB);
    for (let t = 0; t < mr; t++) {
      const k = load<i32>(basisVar + ((t as usize) << 2)) - mr;
      const a = lpExactSlot(j, k);
      if (sgn(a) == 0) continue;
      bigMul(p2, a, entry(t, 0));
      bigAddTo(p1, p2, 1);
    }
    if (sgn(p1) * ds < 0) return BASIS_UNUSABLE;
  }
  if (objectivePositive()) {
    writeVertex(start, e);
    return 1;
  }
  for (let j = 1; j <= nv; j++) if (-sgn(entry(mr, j)) * ds > 0) return BASIS_NOT_OPTIMAL;
  return sgn(entry(mr, 0)) * ds;
}

let basisAt = -1; // the basis check's pivots done (-1: not started)
let basisE = 0;
let basisGuide: usize = 0;
let basisGuideCap = 0;

// The float LP's final basis (rows of the input), tried first: pivoting the free variables in
// against those rows is Gauss-Jordan elimination in integers, after which the dictionary is the
// basis's own (a dictionary depends only on its basis, not on the pivots that led to it). When it
// is feasible the simplex goes on from there, usually finishing at once: the optimal basis checked
// exactly. When it is not, the exact LP starts from the interior point as usual.
let guide: usize = 0;
let guideCount: i32 = 0;
let guideCap: i32 = 0;
export let exactGuided: f64 = 0;

/** The rows (input indices) of the float LP's final basis, for the next lpExactMaxSign; n = 0 for none. */
export function lpExactGuide(rows: usize, n: i32): void {
  if (n > guideCap) {
    guide = alloc(((n + 8) as usize) << 2);
    guideCap = n + 8;
  }
  guideCount = 0;
  for (let i = 0; i < n; i++) {
    const r = load<i32>(rows + ((i as usize) << 2));
    if (r >= 0) store<i32>(guide + (((guideCount++) as usize) << 2), r);
  }
}

/** The guide's pivots from guideAt on: 1 when the basis is feasible, 0 when not (or unusable), or LP_SUSPENDED. */
function guided(m: i32): i32 {
  if (!resumePivot()) return LP_SUSPENDED;
  for (; guideAt < guideCount; guideAt++) {
    if (exactWindowSpent()) return LP_SUSPENDED; // between two pivots
    const r = load<i32>(guide + ((guideAt as usize) << 2));
    if (r >= m || load<i32>(basisVar + ((r as usize) << 2)) != r) return 0; // already left the basis
    let s = -1;
    for (let j = 1; j <= nv; j++) {
      const v = load<i32>(colVar + ((j as usize) << 2));
      if (v >= mr && sgn(entry(r, j)) != 0) {
        s = j;
        break;
      }
    }
    if (s < 0) return 0; // the rows are dependent
    pendFree = load<i32>(colVar + ((s as usize) << 2)) - mr; // marked done with the pivot
    if (!pivotRows(r, s, 0, true)) {
      guideAt++; // this guide row is done once the pivot is (resumePivot)
      return LP_SUSPENDED;
    }
  }
  // feasible: every slack basic variable >= 0
  const ds = sgn(det);
  for (let i = 0; i < mr; i++) {
    if (load<i32>(basisVar + ((i as usize) << 2)) >= mr) continue;
    if (sgn(entry(i, 0)) * ds < 0) return 0;
  }
  return 1;
}

/**
 * Exact sign of the interior of {alpha_i.v + beta_i >= 0, i < m}: 1 when it is non-empty
 * (exactVertex then approximates a vertex of the phase-1 problem with tau > 0: a strictly interior
 * point), 0 when the set is non-empty with an empty interior, -1 when it is empty. `start` is any
 * point (D f64). -2 when memory ran out.
 */
export function lpExactInteriorSign(m: i32, start: usize): i32 {
  exactLpCalls += 1;
  exactVertexValid = false;
  const win = exactWindowIsOpen() && ensureCopies();
  if (win) {
    const known = memoFind(KIND_INTERIOR, m, start);
    if (known != NOT_FOUND) return known;
    if (suspended && sameProblem(SUSPENDED_SLOT, KIND_INTERIOR, m, start)) {
      exactLpResumes += 1;
      return settle(KIND_INTERIOR, m, start, solve(start, tableauE));
    }
  }
  suspended = false;
  pivotPending = false;
  pendFree = -1;
  const e = initTableau(m, start, true);
  if (e == 1) return -2;
  tableauE = e;
  phase = PHASE_SOLVE;
  const r = solve(start, e);
  return win ? settle(KIND_INTERIOR, m, start, r) : r == LP_SUSPENDED ? 0 : r;
}
