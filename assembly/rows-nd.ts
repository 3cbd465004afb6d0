// Rows of the n-D engine: the hyperplanes that bound its cells, in LP form alpha.v + beta >= 0 over
// the LP variables v (D of them), with their float error bounds and where their exact values come
// from; and the exact predicates on them (sign at a point, proportionality).
//
// LP variables: in affine mode (a box, or a slice, of domain coordinates p) v = p and D = K - 1, so
// a map row (coefficients of p, then the constant) is already (alpha, beta). In homogeneous mode
// (the whole space, or a polytope {A x <= b}) v = (y, t) with x = y / t, t > 0, and D = K: the
// cone over the domain cut by the box |y_k| <= 1, 0 <= t <= 1. A map row m becomes the linear
// function alpha = m, beta = 0: its sign at (y, t) is the sign of the affine map at x = y / t,
// because t > 0. ReLU, leaky ReLU, abs and maxout are positively homogeneous, so the homogenized
// network t N(y / t) is piecewise linear with the same activation patterns, its regions are cones,
// each meets the box in a full-dimensional cell, and the box's cells correspond one to one to the
// regions of R^d (or of the polytope), with the same adjacency across faces and the same output
// maps. Unbounded cells thus become bounded ones, and every LP is bounded.
import { alloc } from './memory';
import {
  bigAddTo, bigBits, bigCopy, bigDivExact, bigMul, bigNegate, bigSetI64, bigShiftLeft, bigSign, bigSlotBytes, bigZero,
} from './bigint';
import { exactFloats, exactInterrupted, exactMapRow, floatsToInts, rowBits, LINE_DIFF, LINE_RAW, LINE_ROW } from './exact';
import { K, engineMode } from './network';
import { gamma, inflate, underflow } from './float';

export { LINE_DIFF, LINE_RAW, LINE_ROW };

/** LP variables: K - 1 (affine) or K (homogeneous). */
export let D: i32 = 0;
export let homogeneous = false;

// Row entry: alpha (D f64), beta, their error bounds (D + 1 f64), then i32 kind, layer, r1, r2,
// unit, and the stack depth of the node whose split made the row (linear-region faces).
export let ROW_BYTES: usize = 0;
let kindOff: usize = 0;

export function rowsSetup(): bool {
  homogeneous = engineMode == 2;
  D = homogeneous ? K : K - 1;
  kindOff = ((2 * (D + 1)) as usize) << 3;
  ROW_BYTES = kindOff + 24;
  // (kindOff + 20: the depth)
  slotBytes = bigSlotBytes(rowBits + 8);
  prodBytes = bigSlotBytes(rowBits + 2400);
  rowA = alloc(((D + 1) as usize) * slotBytes);
  rowB = alloc(((D + 1) as usize) * slotBytes);
  pointInts = alloc((D as usize) * bigSlotBytes(2300));
  accA = alloc(prodBytes);
  accB = alloc(prodBytes);
  prod = alloc(prodBytes);
  return prod != 0;
}

@inline export function rowKind(r: usize): i32 { return load<i32>(r + kindOff); }
@inline export function rowLayer(r: usize): i32 { return load<i32>(r + kindOff + 4); }
@inline export function rowR1(r: usize): i32 { return load<i32>(r + kindOff + 8); }
@inline export function rowR2(r: usize): i32 { return load<i32>(r + kindOff + 12); }
@inline export function rowUnit(r: usize): i32 { return load<i32>(r + kindOff + 16); }
@inline export function rowDepth(r: usize): i32 { return load<i32>(r + kindOff + 20); }
@inline export function setRowDepth(r: usize, d: i32): void { store<i32>(r + kindOff + 20, d); }
@inline export function rowCoef(r: usize, k: i32): f64 { return load<f64>(r + ((k as usize) << 3)); }
@inline export function rowErr(r: usize, k: i32): f64 { return load<f64>(r + (((D + 1 + k) as usize) << 3)); }

export function setRowSource(r: usize, kind: i32, layer: i32, r1: i32, r2: i32, unit: i32): void {
  store<i32>(r + kindOff, kind);
  store<i32>(r + kindOff + 4, layer);
  store<i32>(r + kindOff + 8, r1);
  store<i32>(r + kindOff + 12, r2);
  store<i32>(r + kindOff + 16, unit);
}

/**
 * Writes a map row m (K floats) and its error bounds (K floats) into entry r in LP form, times
 * `sign` (+1 or -1).
 */
export function setRowFromMap(r: usize, m: usize, err: usize, sign: f64): void {
  for (let k = 0; k < K; k++) {
    store<f64>(r + ((k as usize) << 3), sign * load<f64>(m + ((k as usize) << 3)));
    store<f64>(r + (((D + 1 + k) as usize) << 3), load<f64>(err + ((k as usize) << 3)));
  }
  if (homogeneous) {
    store<f64>(r + ((D as usize) << 3), 0);
    store<f64>(r + (((2 * D + 1) as usize) << 3), 0);
  }
}

// ---- exact predicates -------------------------------------------------------------------------

let slotBytes: usize = 0;
let prodBytes: usize = 0;
let rowA: usize = 0;
let rowB: usize = 0;
let pointInts: usize = 0;
let accA: usize = 0;
let accB: usize = 0;
let prod: usize = 0;

/** Bytes of one slot of an exact LP-form row (rows are written with this stride). */
export function exactSlotBytes(): usize { return slotBytes; }

/**
 * The exact coefficients of row entry r in LP form (alpha, beta), times `orient`, into D + 1 slots
 * at dst with `stride` bytes between them: a positive multiple of the true row.
 */
export function exactRow(dst: usize, stride: usize, r: usize, orient: i32, pattern: usize): void {
  const kind = rowKind(r);
  if (kind == LINE_RAW) exactFloats(dst, stride, r, D + 1);
  else {
    exactMapRow(dst, stride, kind, rowLayer(r), rowR1(r), rowR2(r), pattern);
    if (homogeneous) bigZero(dst + (D as usize) * stride);
  }
  if (orient < 0) for (let k = 0; k <= D; k++) bigNegate(dst + (k as usize) * stride);
}

/** Integers P with v = 2^e P for the float point v (D coordinates); returns e. */
function pointToInts(v: usize): i32 {
  const e = floatsToInts(pointInts, bigSlotBytes(2300), v, D, i32.MAX_VALUE);
  return e == i32.MAX_VALUE ? 0 : e;
}

/** Exact sign of row entry r (times orient) at the float point v. */
export function exactSignAt(r: usize, orient: i32, v: usize, pattern: usize): i32 {
  exactRow(rowA, slotBytes, r, orient, pattern);
  return exactSignOfSlotsAt(rowA, slotBytes, v);
}

/** Exact sign of the LP-form integer row at dst (D + 1 slots, stride) at the float point v. */
export function exactSignOfSlotsAt(dst: usize, stride: usize, v: usize): i32 {
  const e = pointToInts(v);
  const sb = bigSlotBytes(2300);
  // value * 2^-e = alpha . P + beta 2^-e   (e <= 0), or 2^e (alpha . P) + beta (e > 0)
  bigZero(accA);
  for (let k = 0; k < D; k++) {
    const a = dst + (k as usize) * stride;
    if (bigSign(a) == 0) continue;
    bigMul(prod, a, pointInts + (k as usize) * sb);
    bigAddTo(accA, prod, 1);
  }
  bigCopy(accB, dst + (D as usize) * stride);
  if (e <= 0) bigShiftLeft(accB, -e);
  else bigShiftLeft(accA, e);
  bigAddTo(accA, accB, 1);
  return bigSign(accA);
}

/**
 * True when rows a and b (entries, on the current path) are exactly proportional: a = lambda b for
 * some real lambda, 0 included (b must not be zero). Tests a_k b_p == a_p b_k for a pivot p with
 * b_p != 0.
 */
export function exactProportional(a: usize, b: usize, pattern: usize): bool {
  exactRow(rowA, slotBytes, a, 1, pattern);
  exactRow(rowB, slotBytes, b, 1, pattern);
  let p = -1;
  for (let k = 0; k <= D; k++) {
    if (bigSign(rowB + (k as usize) * slotBytes) != 0) {
      p = k;
      break;
    }
  }
  if (p < 0) return true;
  const ap = rowA + (p as usize) * slotBytes;
  const bp = rowB + (p as usize) * slotBytes;
  for (let k = 0; k <= D; k++) {
    if (k == p) continue;
    bigMul(accA, rowA + (k as usize) * slotBytes, bp);
    bigMul(accB, ap, rowB + (k as usize) * slotBytes);
    bigAddTo(accA, accB, -1);
    if (bigSign(accA) != 0) return false;
  }
  return true;
}

/**
 * Float filter for proportionality: false when some 2x2 minor a_k b_p - a_p b_k is certainly
 * non-zero (so the rows are certainly not proportional); true when it cannot tell.
 */
export function maybeProportional(a: usize, b: usize): bool {
  // pivot: the largest |b_p|
  let p = 0;
  let bm: f64 = -1;
  for (let k = 0; k <= D; k++) {
    const x = abs(rowCoef(b, k));
    if (x > bm) { bm = x; p = k; }
  }
  const ap = rowCoef(a, p), bp = rowCoef(b, p), eap = rowErr(a, p), ebp = rowErr(b, p);
  for (let k = 0; k <= D; k++) {
    if (k == p) continue;
    const ak = rowCoef(a, k), bk = rowCoef(b, k), eak = rowErr(a, k), ebk = rowErr(b, k);
    const m = ak * bp - ap * bk;
    // |exact - float| <= (|ak|+eak) ebp + eak |bp| + (|ap|+eap) ebk + eap |bk| + rounding, where
    // the rounding of two products and a difference is gamma_2 (|ak bp| + |ap bk|) + underflow(2)
    const bound = (abs(ak) + eak) * ebp + eak * abs(bp) + (abs(ap) + eap) * ebk + eap * abs(bk) +
      gamma(2) * (abs(ak * bp) + abs(ap * bk)) + underflow(2);
    if (abs(m) > inflate(bound, 16)) return false;
  }
  return true;
}

// ---- a row as a non-positive combination of others, exactly -----------------------------------

let coneM: usize = 0; // (D + 1) x (D + 2) slots of coneSlot bytes: the system, then its solution
let coneSlot: usize = 0;
let coneBits = 0; // what a slot of coneM holds
let coneRows: usize = 0; // D + 2 exact rows of D + 1 slots (slotBytes each)
let coneT1: usize = 0;
let coneT2: usize = 0;
let coneDiv: usize = 0;
let conePrev: usize = 0; // the last pivot's value (its slot changes during the next step)

/**
 * Whether row r times o equals -sum_i y_i (o_i times row e_i) with every y_i > 0, exactly (the n
 * rows e_i, u32 entries at `entries`, orientations o_i as i32 at `orients`; on the current path):
 * then r times o is <= 0 wherever those oriented rows are >= 0 (Farkas). The y_i come from a
 * fraction-free Gauss-Jordan elimination of the exact system (Bareiss; every entry after step k is
 * a (k + 1)-minor, so each division by the last pivot is exact), and are then checked by
 * substitution in exact integers: an elimination that went wrong can only fail the check (and a
 * quotient that would not fit its slot fails it first). False when there is no such combination with
 * these rows, n > D + 1, the exact rows were interrupted (exact.ts), or memory ran out.
 */
export function exactConeCertificate(entries: usize, orients: usize, n: i32, r: usize, o: i32, pattern: usize): bool {
  const rowsN = D + 1; // equations: one per coefficient
  const cols = n + 1; // unknowns, then the right-hand side
  if (n < 1 || n > rowsN) return false;
  if (coneM == 0) {
    // an entry of step k is a (k + 1)-minor of the system, k + 1 <= D + 1: at most
    // (k + 1) (rowBits + 8 + log2(k + 1)) bits; a product before the exact division twice that
    coneBits = rowsN * (rowBits + 8 + 8) + 64;
    coneSlot = bigSlotBytes(coneBits);
    coneM = alloc(((rowsN * (rowsN + 1)) as usize) * coneSlot);
    coneRows = alloc(((rowsN + 1) as usize) * (rowsN as usize) * slotBytes);
    coneT1 = alloc(bigSlotBytes(2 * coneBits + 8));
    coneT2 = alloc(bigSlotBytes(2 * coneBits + 8));
    coneDiv = alloc(coneSlot);
    conePrev = alloc(coneSlot);
    if (conePrev == 0) {
      coneM = 0;
      return false;
    }
  }
  const rowStride = ((D + 1) as usize) * slotBytes;
  for (let i = 0; i < n; i++) {
    exactRow(coneRows + (i as usize) * rowStride, slotBytes, load<u32>(entries + ((i as usize) << 2)) as usize, load<i32>(orients + ((i as usize) << 2)), pattern);
  }
  const g = coneRows + (n as usize) * rowStride;
  exactRow(g, slotBytes, r, o, pattern);
  if (exactInterrupted) return false;
  // the system: column i is row e_i, the right-hand side -g
  for (let j = 0; j < rowsN; j++) {
    for (let i = 0; i < n; i++) bigCopy(coneAt(j, i), coneRows + (i as usize) * rowStride + (j as usize) * slotBytes);
    bigCopy(coneAt(j, n), g + (j as usize) * slotBytes);
    bigNegate(coneAt(j, n));
  }
  let first = true;
  for (let k = 0; k < n; k++) {
    let p = k;
    while (p < rowsN && bigSign(coneAt(p, k)) == 0) p++;
    if (p == rowsN) return false; // the rows are dependent
    if (p != k) {
      for (let j = 0; j < cols; j++) {
        bigCopy(coneT1, coneAt(k, j));
        bigCopy(coneAt(k, j), coneAt(p, j));
        bigCopy(coneAt(p, j), coneT1);
      }
    }
    const pk = coneAt(k, k);
    for (let i = 0; i < rowsN; i++) {
      if (i == k) continue;
      const ik = coneAt(i, k);
      for (let j = 0; j < cols; j++) {
        if (j == k) continue;
        const ij = coneAt(i, j);
        bigMul(coneT1, ij, pk);
        bigMul(coneT2, ik, coneAt(k, j));
        bigAddTo(coneT1, coneT2, -1);
        if (first) bigCopy(ij, coneT1);
        else {
          if (bigBits(coneT1) - bigBits(conePrev) + 1 > coneBits) return false;
          bigDivExact(ij, coneT1, conePrev, coneDiv);
        }
      }
      bigZero(ik);
    }
    // (the pivot row keeps its entries; every other processed row's diagonal becomes the pivot)
    bigCopy(conePrev, pk);
    first = false;
  }
  // candidates y_i = num_i / den, den = the last pivot (a common denominator if the elimination is
  // right): checked exactly, den * g + sum_i num_i e_i = 0 in every coefficient, and y_i > 0
  const den = coneAt(n - 1, n - 1);
  const ds = bigSign(den);
  if (ds == 0) return false;
  for (let i = 0; i < n; i++) {
    if (bigSign(coneAt(i, n)) != ds) return false;
  }
  for (let j = 0; j < rowsN; j++) {
    bigMul(coneT1, den, g + (j as usize) * slotBytes);
    for (let i = 0; i < n; i++) {
      bigMul(coneT2, coneAt(i, n), coneRows + (i as usize) * rowStride + (j as usize) * slotBytes);
      bigAddTo(coneT1, coneT2, 1);
    }
    if (bigSign(coneT1) != 0) return false;
  }
  return true;
}

@inline function coneAt(i: i32, j: i32): usize {
  return coneM + ((i * (D + 2) + j) as usize) * coneSlot;
}
