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
  bigAddTo, bigCopy, bigMul, bigNegate, bigSetI64, bigShiftLeft, bigSign, bigSlotBytes, bigZero,
} from './bigint';
import { exactFloats, exactMapRow, floatsToInts, rowBits, LINE_DIFF, LINE_RAW, LINE_ROW } from './exact';
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
