// The exact fallback: fraction-free integer arithmetic on the weights as given.
//
// Every float64 is an exact dyadic m * 2^e. For each layer l we fix one exponent F_l (the smallest
// that can occur) so that the exact pre-activation map of ANY cell is Z_l = 2^F_l * (integer matrix).
// Signs of points, lines and determinants are then signs of big-integer expressions; positive
// powers of two never change a sign, so lines of different layers mix freely in a determinant.
// This is only run when a float filter cannot decide (see predicates.ts), and its results for the
// current path are cached per row: a row is composed from only the rows below that it reads, once
// per cell, so a tie in a pooling layer of a CNN costs its receptive field, not the layers below.
import { alloc } from './memory';
import {
  bigAddTo, bigCopy, bigEqual, bigMul, bigSetI64, bigShiftLeft, bigSign,
  bigSlotBytes, bigZero,
} from './bigint';
import { highExponent, lowExponent, oddMantissa } from './float';
import {
  ACT_ABS, ACT_LEAKY, ACT_LINEAR, ACT_MAXOUT, ACT_RELU, K, L, act, alpha, bias, cols, n0, outUnits,
  pieces, rows, totalUnits, unitOffset, units, weights,
} from './network';

/** Refuse exact integers longer than this (the weights span an absurd exponent range). */
const MAX_BITS: i32 = 1 << 20;

let scaleT: usize = 0; // F_l, i32
let zBytesT: usize = 0; // slot bytes of Z_l entries, i32
let exZT: usize = 0; // exact Z_l of the current path, rows x K slots
// Rows of exZ_l are composed on demand, one at a time, from the rows of exZ_{l-1} they read (a
// convolution's row reads its receptive field, not the whole layer): row i of layer l is valid for
// the current path while its stamp equals the layer's epoch, which invalidateAbove advances.
let epochT: usize = 0; // u32 per layer
let stampT: usize = 0; // per layer: pointer to rows(l) u32 stamps
let wOnT: usize = 0; // integer weights of layer l times the on-slope of layer l-1, rows x cols slots (or the non-zeros)
let wOffT: usize = 0; // ... times the off-slope (0 when the off-slope is 0)
let wBytesT: usize = 0; // slot bytes of those weights
let shiftT: usize = 0; // shift of the weighted sum before the bias is added
let biasT: usize = 0; // integer bias of layer l, rows slots (slot bytes zBytes_l)
let slopeOnT: usize = 0; // exact slopes of layer l's activation, as integers with a common scale
let slopeOffT: usize = 0;
let slopeBytes: usize = 0;
let wExpT: usize = 0; // lowest weight exponent of layer l (the scale of its integer weights)
let wReadyT: usize = 0; // u8: layer l's integer weights and bias are written
// Sparse layers (at most half the weights non-zero: convolutions, pooling) keep only their non-zero
// integer weights, row by row: row i's are at rowPtr[i] .. rowPtr[i+1], with their columns in
// colIdx, so composing an exact map costs the non-zeros (LeNet-5's pooling layer: 4,704 of 22 million).
let rowPtrT: usize = 0; // i32 (rows + 1), or 0 for a dense layer
let colIdxT: usize = 0; // i32 per non-zero
let wInt: usize = 0; // scratch: one integer weight

let lineBytes: usize = 0; // slot bytes of one line coefficient (max over layers, +1 bit)
/** Bits that bound any exact row coefficient: a row of some Z_l, a difference of two, or raw floats. */
export let rowBits: i32 = 0;
let lines3: usize = 0; // scratch: three lines x 3 coefficients
let prodA: usize = 0;
let prodB: usize = 0;
let prod3: usize = 0;
let acc3: usize = 0;
let tmpW: usize = 0; // weight x Z product
let ping: usize = 0; // whole-network exact composition for an arbitrary pattern
let pong: usize = 0;
let outA: usize = 0;
let outB: usize = 0;
let outSlot: usize = 0;

@inline function i32At(t: usize, l: i32): i32 { return load<i32>(t + ((l as usize) << 2)); }
@inline function ptrAt(t: usize, l: i32): usize { return load<u32>(t + ((l as usize) << 2)) as usize; }
@inline function setI32(t: usize, l: i32, v: i32): void { store<i32>(t + ((l as usize) << 2), v); }
@inline function setPtr(t: usize, l: i32, v: usize): void { store<u32>(t + ((l as usize) << 2), v as u32); }

/** Integer of x at scale 2^e0 (x = m 2^e with e >= e0): m * 2^(e - e0). */
function setScaled(dst: usize, x: f64, e0: i32): void {
  if (x == 0) {
    bigZero(dst);
    return;
  }
  bigSetI64(dst, oddMantissa(x));
  bigShiftLeft(dst, lowExponent(x) - e0);
}

function ceilLog2(n: i32): i32 {
  return n <= 1 ? 0 : 32 - (clz<u32>((n - 1) as u32) as i32);
}

/** Lowest exponent over n floats at p (stride 8); returns i32.MAX_VALUE when all are 0. */
function minLow(p: usize, n: i32, stride: i32): i32 {
  let e = i32.MAX_VALUE;
  for (let i = 0; i < n; i++) {
    const x = load<f64>(p + ((i * stride) as usize) * 8);
    if (x != 0) e = min(e, lowExponent(x));
  }
  return e;
}
function maxHigh(p: usize, n: i32, stride: i32): i32 {
  let e = i32.MIN_VALUE;
  for (let i = 0; i < n; i++) {
    const x = load<f64>(p + ((i * stride) as usize) * 8);
    if (x != 0) e = max(e, highExponent(x));
  }
  return e;
}

/**
 * Builds the integer tables. Returns 0, or 2 when the integers would exceed MAX_BITS, or 1 when
 * memory runs out.
 */
export function setupExact(): i32 {
  cachePattern = 0;
  memoB = 0;
  memoCount = 0;
  jobActive = false;
  exactInterrupted = false;
  windowOpen = false;
  exactAllowance = -1;
  const n = L + 1;
  scaleT = alloc((n as usize) * 4); zBytesT = alloc((n as usize) * 4); exZT = alloc((n as usize) * 4);
  epochT = alloc((n as usize) * 4); stampT = alloc((n as usize) * 4); wOnT = alloc((n as usize) * 4); wOffT = alloc((n as usize) * 4);
  wBytesT = alloc((n as usize) * 4); shiftT = alloc((n as usize) * 4); biasT = alloc((n as usize) * 4);
  slopeOnT = alloc((n as usize) * 4); slopeOffT = alloc((n as usize) * 4);
  wExpT = alloc((n as usize) * 4); wReadyT = alloc(n as usize);
  rowPtrT = alloc((n as usize) * 4); colIdxT = alloc((n as usize) * 4);
  if (colIdxT == 0) return 1;

  // slopes of each layer's activation, as integers at a common scale 2^es (es <= 0)
  slopeBytes = 0;
  const slopeExp = alloc((n as usize) * 4);
  const slopeBits = alloc((n as usize) * 4);
  if (slopeBits == 0) return 1;
  for (let l = 0; l <= L; l++) {
    const a = l == 0 ? ACT_LINEAR : act(l);
    let es = 0;
    let bits = 2;
    if (a == ACT_LEAKY && alpha(l) != 0) {
      const al = alpha(l);
      es = min(0, lowExponent(al));
      bits = max(1 - es, highExponent(al) - es + 1) + 1;
    }
    setI32(slopeExp, l, es);
    setI32(slopeBits, l, bits);
    slopeBytes = max(slopeBytes, bigSlotBytes(bits + 2));
  }
  for (let l = 0; l <= L; l++) {
    const on = alloc(slopeBytes);
    const off = alloc(slopeBytes);
    if (off == 0) return 1;
    setPtr(slopeOnT, l, on);
    setPtr(slopeOffT, l, off);
    const a = l == 0 ? ACT_LINEAR : act(l);
    const es = i32At(slopeExp, l);
    bigSetI64(on, 1);
    bigShiftLeft(on, -es);
    if (a == ACT_LEAKY) setScaled(off, alpha(l), es);
    else if (a == ACT_ABS) bigSetI64(off, -1);
    else if (a == ACT_LINEAR || a == ACT_MAXOUT) bigSetI64(off, 1);
    else bigZero(off);
  }

  // layer 0: Z0 = [P | o]
  const P = weights(0);
  const o = bias(0);
  let f0 = min(minLow(P, (K - 1) * n0, 1), minLow(o, n0, 1));
  if (f0 == i32.MAX_VALUE) f0 = 0;
  let h0 = max(maxHigh(P, (K - 1) * n0, 1), maxHigh(o, n0, 1));
  let zBits = h0 == i32.MIN_VALUE ? 1 : h0 - f0 + 2;
  setI32(scaleT, 0, f0);
  let maxZBytes = bigSlotBytes(zBits + 2);
  setI32(zBytesT, 0, maxZBytes as i32);
  let maxLineBits = zBits;

  for (let l = 1; l <= L; l++) {
    const r = rows(l);
    const c = cols(l);
    const w = weights(l);
    const b = bias(l);
    const below = l - 1;
    const es = i32At(slopeExp, below);
    let ew = minLow(w, r * c, 1);
    const hw = maxHigh(w, r * c, 1);
    if (ew == i32.MAX_VALUE) ew = 0;
    const eb = minLow(b, r, 1);
    const hb = maxHigh(b, r, 1);
    const fPrev = i32At(scaleT, below);
    const fProd = ew + es + fPrev;
    const f = eb == i32.MAX_VALUE ? fProd : min(fProd, eb);
    const shift = fProd - f;
    setI32(scaleT, l, f);
    setI32(shiftT, l, shift);
    const wBits = (hw == i32.MIN_VALUE ? 1 : hw - ew + 1) + i32At(slopeBits, below);
    const sumBits = wBits + zBits + ceilLog2(c + 1) + shift;
    const bBits = hb == i32.MIN_VALUE ? 1 : hb - f + 1;
    zBits = max(sumBits, bBits) + 1;
    if (zBits > MAX_BITS || wBits > MAX_BITS) return 2;
    maxLineBits = max(maxLineBits, zBits);
    const zb = bigSlotBytes(zBits + 2);
    setI32(zBytesT, l, zb as i32);
    maxZBytes = max(maxZBytes, zb);
    const wb = bigSlotBytes(wBits + 2);
    setI32(wBytesT, l, wb as i32);

    setI32(wExpT, l, ew);
    // the integers themselves are allocated and written on first use (integerWeights): most counts
    // never need them, and for wide layers they are the largest tables of all
  }
  // a line is a row of some Z_l, or the difference of two rows (maxout, +1 bit), or a raw float
  // line (any three float64 at a common scale fit in 2,200 bits)
  lineBytes = bigSlotBytes(max(maxLineBits + 1, 2200) + 4);
  rowBits = max(maxLineBits + 1, 2200) + 4;
  for (let l = 0; l <= L; l++) {
    const ex = alloc((rows(l) * K) as usize * (i32At(zBytesT, l) as usize));
    if (ex == 0) return 1;
    setPtr(exZT, l, ex);
    const stamps = alloc((rows(l) as usize) * 4);
    if (stamps == 0) return 1;
    memory.fill(stamps, 0, (rows(l) as usize) * 4);
    setPtr(stampT, l, stamps);
    setI32(epochT, l, 1);
  }
  const maxWB = maxWeightBytes();
  wInt = alloc(maxWB);
  tmpW = alloc(maxWB + maxZBytes);
  lines3 = alloc(9 * lineBytes);
  prodA = alloc(2 * lineBytes);
  prodB = alloc(2 * lineBytes);
  prod3 = alloc(3 * lineBytes);
  acc3 = alloc(3 * lineBytes);
  let maxLayer: usize = 0;
  for (let l = 0; l <= L; l++) maxLayer = max(maxLayer, (rows(l) * K) as usize * (i32At(zBytesT, l) as usize));
  ping = alloc(maxLayer);
  pong = alloc(maxLayer);
  outSlot = maxZBytes + slopeBytes;
  outA = alloc((outUnits * K) as usize * outSlot);
  outB = alloc((outUnits * K) as usize * outSlot);
  if (outB == 0) return 1;
  // exact Z0 never changes
  const z0 = ptrAt(exZT, 0);
  const zb0 = i32At(zBytesT, 0) as usize;
  for (let j = 0; j < n0; j++) {
    for (let k = 0; k < K - 1; k++) {
      setScaled(z0 + ((j * K + k) as usize) * zb0, load<f64>(P + (((j * (K - 1) + k) as usize) << 3)), f0);
    }
    setScaled(z0 + ((j * K + K - 1) as usize) * zb0, load<f64>(o + ((j as usize) << 3)), f0);
  }
  return 0;
}

function maxWeightBytes(): usize {
  let m: usize = 0;
  for (let l = 1; l <= L; l++) m = max(m, i32At(wBytesT, l) as usize);
  return m;
}

/**
 * Allocates and writes layer l's integer weights (times the slopes of the layer below) and integer
 * bias. When memory runs out, memoryFailed() is set and the traversal stops with RUN_OUT_OF_MEMORY
 * before using anything computed from them.
 */
function integerWeights(l: i32): bool {
  if (load<u8>(wReadyT + (l as usize)) != 0) return true;
  const r = rows(l);
  const c = cols(l);
  const w = weights(l);
  const b = bias(l);
  const below = l - 1;
  const ew = i32At(wExpT, l);
  const wb = i32At(wBytesT, l) as usize;
  const zb = i32At(zBytesT, l) as usize;
  const aBelow = below == 0 ? ACT_LINEAR : act(below);
  let nnz = 0;
  for (let k = 0; k < r * c; k++) if (load<f64>(w + ((k as usize) << 3)) != 0) nnz++;
  const sparse = 2 * (nnz as i64) <= (r as i64) * (c as i64);
  const slots = sparse ? max(nnz, 1) : r * c;
  const wOn = alloc((slots as usize) * wb);
  const wOff = aBelow == ACT_LEAKY || aBelow == ACT_ABS ? alloc((slots as usize) * wb) : 0;
  const bz = alloc((r as usize) * zb);
  const ptr = sparse ? alloc(((r + 1) as usize) << 2) : 0;
  const cidx = sparse ? alloc((slots as usize) << 2) : 0;
  if (bz == 0 || (sparse && cidx == 0)) return false;
  setPtr(wOnT, l, wOn);
  setPtr(wOffT, l, wOff);
  setPtr(biasT, l, bz);
  setPtr(rowPtrT, l, ptr);
  setPtr(colIdxT, l, cidx);
  const f = i32At(scaleT, l);
  let k = 0;
  for (let i = 0; i < r; i++) {
    if (sparse) store<i32>(ptr + ((i as usize) << 2), k);
    for (let j = 0; j < c; j++) {
      const x = load<f64>(w + (((i * c + j) as usize) << 3));
      if (sparse && x == 0) continue;
      setScaled(wInt, x, ew);
      const idx = (sparse ? k : i * c + j) as usize;
      if (sparse) store<i32>(cidx + ((k as usize) << 2), j);
      k++;
      bigMul(wOn + idx * wb, wInt, ptrAt(slopeOnT, below));
      if (wOff != 0) bigMul(wOff + idx * wb, wInt, ptrAt(slopeOffT, below));
    }
    setScaled(bz + (i as usize) * zb, load<f64>(b + ((i as usize) << 3)), f);
  }
  if (sparse) store<i32>(ptr + ((r as usize) << 2), k);
  store<u8>(wReadyT + (l as usize), 1);
  return true;
}

/**
 * dst (layer l, rows x K slots) = exact Z_l from src (exact Z_{l-1}) and the states of layer l-1
 * read from `states` (one byte per unit of layer l-1; ignored for layer 0).
 */
function compose(l: i32, src: usize, states: usize, dst: usize): void {
  if (!integerWeights(l)) {
    // out of memory (memoryFailed() is set): leave zeros; the traversal stops before using them
    memory.fill(dst, 0, ((rows(l) * K) as usize) * (i32At(zBytesT, l) as usize));
    return;
  }
  composeRows(l, src, states, dst, 0, rows(l));
}

/** Rows i0..i1-1 of compose(l, src, states, dst) (layer l's integer weights must be written). */
function composeRows(l: i32, src: usize, states: usize, dst: usize, i0: i32, i1: i32): void {
  const c = cols(l);
  const below = l - 1;
  const aBelow = below == 0 ? ACT_LINEAR : act(below);
  const kb = below == 0 ? 1 : pieces(below);
  const zbPrev = i32At(zBytesT, below) as usize;
  const zb = i32At(zBytesT, l) as usize;
  const wb = i32At(wBytesT, l) as usize;
  const wOn = ptrAt(wOnT, l);
  const wOff = ptrAt(wOffT, l);
  const shift = i32At(shiftT, l);
  const bz = ptrAt(biasT, l);
  const ptr = ptrAt(rowPtrT, l);
  const cidx = ptrAt(colIdxT, l);
  for (let i = i0; i < i1; i++) {
    // the weights of row i: all c columns (dense), or its non-zeros (sparse: slot t is column colIdx[t])
    const t0 = ptr != 0 ? load<i32>(ptr + ((i as usize) << 2)) : i * c;
    const t1 = ptr != 0 ? load<i32>(ptr + (((i + 1) as usize) << 2)) : i * c + c;
    for (let k = 0; k < K; k++) {
      const acc = dst + ((i * K + k) as usize) * zb;
      bigZero(acc);
      for (let t = t0; t < t1; t++) {
        const j = ptr != 0 ? load<i32>(cidx + ((t as usize) << 2)) : t - i * c;
        let row = j;
        let wsel = wOn;
        if (below > 0) {
          const s = load<u8>(states + (j as usize)) as i32;
          if (aBelow == ACT_MAXOUT) row = j * kb + s;
          else if (aBelow != ACT_LINEAR && s == 0) {
            if (aBelow == ACT_RELU) continue;
            wsel = wOff;
          }
        }
        const wij = wsel + (t as usize) * wb;
        if (bigSign(wij) == 0) continue;
        bigMul(tmpW, wij, src + ((row * K + k) as usize) * zbPrev);
        bigAddTo(acc, tmpW, 1);
      }
      bigShiftLeft(acc, shift);
      if (k == K - 1) bigAddTo(acc, bz + (i as usize) * zb, 1);
    }
  }
}

/** Forgets the cached exact maps of layers above m (the path's states of layer m changed). */
export function invalidateAbove(m: i32): void {
  for (let l = max(m + 1, 1); l <= L; l++) setI32(epochT, l, i32At(epochT, l) + 1);
}

/** Whether every row of exZ_l is valid for the current path (layer 0 always is). */
function layerComplete(l: i32): bool {
  if (l == 0) return true;
  const stamps = ptrAt(stampT, l);
  const epoch = i32At(epochT, l);
  const r = rows(l);
  for (let i = 0; i < r; i++) if (load<i32>(stamps + ((i as usize) << 2)) != epoch) return false;
  return true;
}

// The exact maps of a deep path are composed a row at a time, and a decision may stop between two
// rows (a "window", opened by the run loops around the exact predicates of one decision, which
// then report exactInterrupted and change nothing): the rows done stay in the cache (stamped), so
// the decision, run again by the next run() call on the same path, goes on where it stopped. Every
// window composes at least one row, so a decision always progresses. Outside a window (region
// faces, set-up, the split for workers) the composition runs to the end.
let cachePattern: usize = 0; // the pattern buffer (the current path) the cache is for
let windowOpen = false;
let windowRows = 0;
/** Steps the composition may still take in the open window (set by the run loop before a decision). */
export let exactAllowance: f64 = -1;
/** The open window stopped the composition: the decision's exact answers are void. */
export let exactInterrupted = false;
/** Work of the exact composition so far, in steps (a step is about 4,096 limb products). */
export let composeSteps: f64 = 0;
const LIMB_PRODUCTS_PER_STEP: f64 = 4096;
let rowStepsFloor: f64 = 0;

let interruptions: f64 = 0;

/**
 * Test hook: every composed row costs at least `steps` (a large value stops each window after one
 * row); returns the number of decisions interrupted so far.
 */
export function exactRowStepsFloor(steps: f64): f64 {
  rowStepsFloor = steps;
  return interruptions;
}

/**
 * Steps that composing the exact maps of every layer would take (an upper bound from the slot
 * sizes): what one output-map comparison may cost. Small for shallow or narrow nets, where
 * preparing the comparisons (exactPrepareSame) is not worth its bookkeeping.
 */
export function exactWholeComposeSteps(): f64 {
  let steps: f64 = 0;
  for (let k = 1; k <= L; k++) {
    const rowCost = max(rowStepsFloor, ((K * cols(k)) as f64) * (1.0 + ((i32At(wBytesT, k) >> 2) as f64) * ((i32At(zBytesT, k - 1) >> 2) as f64)) / LIMB_PRODUCTS_PER_STEP);
    steps += rowCost * (rows(k) as f64);
  }
  return steps;
}

/** The engine's pattern buffer: the current path, which the cache follows (see invalidateAbove). */
export function exactPathPattern(p: usize): void {
  cachePattern = p;
}

/**
 * Before a decision of the run loop: the steps its windows may take (the budget left, at least 0),
 * clearing exactInterrupted; after it, -1: no window opens (regions' faces, set-up, the split).
 */
export function setExactAllowance(steps: f64): void {
  if (steps < 0) {
    exactAllowance = -1; // (exactInterrupted stays for the run loop to read)
    return;
  }
  exactAllowance = steps;
  exactInterrupted = false;
}

/** Whether a window is open (an exact LP in it may stop between pivots: lp-exact.ts). */
export function exactWindowIsOpen(): bool {
  return windowOpen;
}

/** In an open window: work has been done and the allowance is spent, so the caller should stop. */
export function exactWindowSpent(): bool {
  return windowOpen && windowRows > 0 && exactAllowance <= 0;
}

/** Work in the open window other than composing rows (the exact LP's pivots), in steps. */
export function exactWindowSpend(steps: f64): void {
  if (!windowOpen) return;
  exactAllowance -= steps;
  windowRows++;
}

/** Stops the open window: the decision's exact answers are void and the run loop runs it again. */
export function exactStop(): void {
  exactInterrupted = true;
  interruptions += 1;
}

/** Opens (when the run loop allows it) or closes a window in which the composition may stop. */
export function exactWindow(open: bool): void {
  windowOpen = open && exactAllowance >= 0;
  if (open) {
    exactInterrupted = false;
    windowRows = 0;
  }
}

/** Exact Z_l of the current path, every row (pattern = the path's states, one byte per unit). */
function exactZ(l: i32, pattern: usize): usize {
  cachePattern = pattern;
  const r = rows(l);
  for (let i = 0; i < r; i++) {
    exactRow(l, i, pattern);
    if (windowOpen && exactInterrupted) break;
  }
  return ptrAt(exZT, l);
}

/**
 * Makes row i of the exact Z_l of the current path valid (pattern = the path's states, one byte per
 * unit) and returns the address of its K slots: the rows of Z_{l-1} it reads first, then the sum.
 * In an open window whose allowance is spent it stops before composing (exactInterrupted): the
 * rows composed so far keep their stamps, the row itself is left unstamped.
 */
function exactRow(l: i32, i: i32, pattern: usize): usize {
  cachePattern = pattern;
  const zb = i32At(zBytesT, l) as usize;
  const dst = ptrAt(exZT, l) + ((i * K) as usize) * zb;
  if (l == 0) return dst;
  const stamp = ptrAt(stampT, l) + ((i as usize) << 2);
  const epoch = i32At(epochT, l);
  if (load<i32>(stamp) == epoch || (windowOpen && exactInterrupted)) return dst;
  if (!integerWeights(l)) {
    // out of memory (memoryFailed() is set): zeros; the traversal stops before using them
    memory.fill(dst, 0, (K as usize) * zb);
    return dst;
  }
  const c = cols(l);
  const below = l - 1;
  const aBelow = below == 0 ? ACT_LINEAR : act(below);
  const kb = below == 0 ? 1 : pieces(below);
  const states = pattern + (below >= 1 ? unitOffset(below) as usize : 0);
  const zbPrev = i32At(zBytesT, below) as usize;
  const wb = i32At(wBytesT, l) as usize;
  const ptr = ptrAt(rowPtrT, l);
  const cidx = ptrAt(colIdxT, l);
  const t0 = ptr != 0 ? load<i32>(ptr + ((i as usize) << 2)) : i * c;
  const t1 = ptr != 0 ? load<i32>(ptr + (((i + 1) as usize) << 2)) : i * c + c;
  // the rows below first (they use the shared scratch), then the sum
  for (let pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      if (windowOpen && exactInterrupted) return dst; // a row below stopped the window
      if (windowOpen && windowRows > 0 && exactAllowance <= 0) {
        exactInterrupted = true;
        interruptions += 1;
        return dst;
      }
      for (let k = 0; k < K; k++) bigZero(dst + (k as usize) * zb);
    }
    for (let t = t0; t < t1; t++) {
      const j = ptr != 0 ? load<i32>(cidx + ((t as usize) << 2)) : t - i * c;
      let row = j;
      let wsel = ptrAt(wOnT, l);
      if (below > 0) {
        const s = load<u8>(states + (j as usize)) as i32;
        if (aBelow == ACT_MAXOUT) row = j * kb + s;
        else if (aBelow != ACT_LINEAR && s == 0) {
          if (aBelow == ACT_RELU) continue;
          wsel = ptrAt(wOffT, l);
        }
      }
      const wij = wsel + (t as usize) * wb;
      if (bigSign(wij) == 0) continue;
      const src = exactRow(below, row, pattern);
      if (pass == 0) continue;
      for (let k = 0; k < K; k++) {
        bigMul(tmpW, wij, src + (k as usize) * zbPrev);
        bigAddTo(dst + (k as usize) * zb, tmpW, 1);
      }
    }
  }
  const shift = i32At(shiftT, l);
  for (let k = 0; k < K; k++) bigShiftLeft(dst + (k as usize) * zb, shift);
  bigAddTo(dst + ((K - 1) as usize) * zb, ptrAt(biasT, l) + (i as usize) * zb, 1);
  store<i32>(stamp, epoch);
  // a row: K x (its non-zeros) products of a weight by an entry of Z_{l-1}
  const rowCost = max(rowStepsFloor, ((K * (t1 - t0)) as f64) * (1.0 + ((i32At(wBytesT, l) >> 2) as f64) * ((i32At(zBytesT, l - 1) >> 2) as f64)) / LIMB_PRODUCTS_PER_STEP);
  windowRows++;
  composeSteps += rowCost;
  exactAllowance -= rowCost;
  return dst;
}

// A line entry (LINE_BYTES bytes): float coefficients of a p0 + b p1 + c, their error bounds, and
// where the exact coefficients come from.
export const LINE_BYTES: usize = 64;
export const LINE_RAW: i32 = 0; // exact as stored (box sides, test lines): errors are 0
export const LINE_ROW: i32 = 1; // row r1 of Z_layer
export const LINE_DIFF: i32 = 2; // row r1 minus row r2 of Z_layer (two maxout pieces)

/** Writes a raw line a p0 + b p1 + c (exact as given: error bounds 0) into the entry at p. */
export function writeRawLine(p: usize, a: f64, b: f64, c: f64): void {
  store<f64>(p, a);
  store<f64>(p, b, 8);
  store<f64>(p, c, 16);
  store<f64>(p, 0, 24);
  store<f64>(p, 0, 32);
  store<f64>(p, 0, 40);
  store<i32>(p, LINE_RAW, 48);
}

/** Writes the exact coefficients (a, b, c) of a line entry into 3 consecutive slots at dst. */
function exactLine(dst: usize, line: usize, pattern: usize): void {
  const kind = load<i32>(line + 48);
  if (kind == LINE_RAW) {
    let e = i32.MAX_VALUE;
    for (let k = 0; k < 3; k++) {
      const x = load<f64>(line + ((k as usize) << 3));
      if (x != 0) e = min(e, lowExponent(x));
    }
    for (let k = 0; k < 3; k++) setScaled(dst + (k as usize) * lineBytes, load<f64>(line + ((k as usize) << 3)), e);
    return;
  }
  const layer = load<i32>(line + 52);
  const r1 = load<i32>(line + 56);
  const r2 = load<i32>(line + 60);
  const z1 = exactRow(layer, r1, pattern);
  const z2 = kind == LINE_DIFF ? exactRow(layer, r2, pattern) : 0;
  const zb = i32At(zBytesT, layer) as usize;
  for (let k = 0; k < 3; k++) {
    const d = dst + (k as usize) * lineBytes;
    bigCopy(d, z1 + (k as usize) * zb);
    if (kind == LINE_DIFF) bigAddTo(d, z2 + (k as usize) * zb, -1);
  }
}

@inline function coef(line: i32, k: i32): usize {
  return lines3 + ((line * 3 + k) as usize) * lineBytes;
}

/** Sign of a1 b2 - a2 b1 for lines 0 and 1 of the scratch. */
function det2Sign(): i32 {
  bigMul(prodA, coef(0, 0), coef(1, 1));
  bigMul(prodB, coef(1, 0), coef(0, 1));
  bigAddTo(prodA, prodB, -1);
  return bigSign(prodA);
}

/** acc3 += sign * x * (y z' - y' z) for the three lines in the scratch (a cofactor term). */
function cofactorTerm(x: usize, y1: usize, z2: usize, y2: usize, z1: usize, sign: i32): void {
  bigMul(prodA, y1, z2);
  bigMul(prodB, y2, z1);
  bigAddTo(prodA, prodB, -1);
  bigMul(prod3, x, prodA);
  bigAddTo(acc3, prod3, sign);
}

/**
 * Exact sign of line C at the vertex where lines A and B meet (A, B not parallel), each line given
 * as a line entry. By Cramer's rule det[A; B; C] = C(v) * det2(A, B).
 */
export function exactVertexSign(lineA: usize, lineB: usize, lineC: usize, pattern: usize): i32 {
  exactLine(lines3, lineA, pattern);
  exactLine(lines3 + 3 * lineBytes, lineB, pattern);
  exactLine(lines3 + 6 * lineBytes, lineC, pattern);
  const d2 = det2Sign();
  bigZero(acc3);
  cofactorTerm(coef(0, 0), coef(1, 1), coef(2, 2), coef(2, 1), coef(1, 2), 1);
  cofactorTerm(coef(0, 1), coef(1, 0), coef(2, 2), coef(2, 0), coef(1, 2), -1);
  cofactorTerm(coef(0, 2), coef(1, 0), coef(2, 1), coef(2, 0), coef(1, 1), 1);
  return bigSign(acc3) * d2;
}

/**
 * The layers s whose cached exact map is also pattern p's: Z_1..Z_s are composed for the current
 * path and p agrees with the path on the layers below s (Z_l depends on the states below l only).
 */
function sharedLayers(p: usize): i32 {
  if (cachePattern == 0) return 0;
  let s = 0;
  for (let l = 1; l <= L; l++) {
    if (!layerComplete(l)) break;
    if (l >= 2) {
      const o = unitOffset(l - 1) as usize;
      if (memory.compare(p + o, cachePattern + o, units(l - 1) as usize) != 0) break;
    }
    s = l;
  }
  return s;
}

/**
 * Exact output map for a whole pattern (one byte per unit), into `out` (outUnits x K slots). The
 * current path's maps come from the cache (and fill it); another pattern starts from the layers it
 * shares with the path (a face's two regions differ only in the units vanishing on the face).
 */
function exactOutput(pattern: usize, out: usize): void {
  if (pattern == cachePattern) exactZ(L, pattern);
  const s = pattern == cachePattern ? L : sharedLayers(pattern);
  jobActive = false; // ping and pong are about to be overwritten
  let src = ptrAt(exZT, s);
  let dst = ping;
  for (let l = s + 1; l <= L; l++) {
    compose(l, src, pattern + (l >= 2 ? unitOffset(l - 1) as usize : 0), dst);
    src = dst;
    dst = dst == ping ? pong : ping;
  }
  outputFrom(src, pattern, out);
}

/** The output map (outUnits x K slots at out) from the exact Z_L at src and the pattern's last layer. */
function outputFrom(src: usize, pattern: usize, out: usize): void {
  const zb = i32At(zBytesT, L) as usize;
  const a = act(L);
  const k = pieces(L);
  const states = pattern + (unitOffset(L) as usize);
  for (let u = 0; u < outUnits; u++) {
    const s = load<u8>(states + (u as usize)) as i32;
    const row = a == ACT_MAXOUT ? u * k + s : u;
    const slope = a == ACT_MAXOUT || a == ACT_LINEAR || s != 0 ? ptrAt(slopeOnT, L) : ptrAt(slopeOffT, L);
    for (let c = 0; c < K; c++) {
      bigMul(out + ((u * K + c) as usize) * outSlot, slope, src + ((row * K + c) as usize) * zb);
    }
  }
}

// ---- the output-map comparison as a resumable job ---------------------------------------------
// A region about to file its faces first runs, in a window, the exact comparisons its faces will
// need (exactPrepareSame): the current path's maps fill the cache a row at a time, the partner's
// are composed a row at a time from the layers they share (the job), and the answers are kept in a
// small memo, which exactSameOutput reads when the faces are filed. The memo holds the patterns
// themselves, so an answer is only ever reused for the same two patterns.
const MEMO_CAP: i32 = 16;
let memoB: usize = 0; // the pattern (current path) the memo's answers are for
let memoA: usize = 0; // MEMO_CAP patterns
let memoSame: usize = 0; // u8 per memo entry
let memoCount = 0;
let jobA: usize = 0; // the partner pattern being composed
let jobActive = false;
let jobLayer = 0;
let jobRow = 0;
let jobSrc: usize = 0;
let jobDst: usize = 0;

@inline function samePattern(a: usize, b: usize): bool {
  return memory.compare(a, b, totalUnits as usize) == 0;
}

function memoFind(a: usize, b: usize): i32 {
  if (memoB == 0 || memoCount == 0 || !samePattern(b, memoB)) return -1;
  for (let i = 0; i < memoCount; i++) {
    if (samePattern(a, memoA + (i as usize) * (totalUnits as usize))) return load<u8>(memoSame + (i as usize)) as i32;
  }
  return -1;
}

/**
 * Inside a window: whether the outputs under patternA and patternB (the current path) are the same
 * map, 1 or 0, kept for exactSameOutput; -1 when the window stopped the work (call again with the
 * same patterns: it goes on where it stopped). Outside a window it runs to the end.
 */
export function exactPrepareSame(patternA: usize, patternB: usize): i32 {
  if (patternB != cachePattern) return exactSameOutput(patternA, patternB) ? 1 : 0;
  if (memoB == 0) {
    const n = totalUnits as usize;
    memoB = alloc(n + 8);
    memoA = alloc((MEMO_CAP as usize) * n + 8);
    memoSame = alloc(MEMO_CAP as usize);
    jobA = alloc(n + 8);
    if (jobA == 0) return exactSameOutput(patternA, patternB) ? 1 : 0;
    memoCount = 0;
  }
  const known = memoFind(patternA, patternB);
  if (known >= 0) return known;
  if (!samePattern(patternB, memoB)) {
    memory.copy(memoB, patternB, totalUnits as usize);
    memoCount = 0;
    jobActive = false;
  }
  exactZ(L, patternB);
  if (windowOpen && exactInterrupted) return -1;
  if (!jobActive || !samePattern(patternA, jobA)) {
    memory.copy(jobA, patternA, totalUnits as usize);
    const s = sharedLayers(patternA);
    jobLayer = s + 1;
    jobRow = 0;
    jobSrc = ptrAt(exZT, s);
    jobDst = ping;
    jobActive = true;
  }
  while (jobLayer <= L) {
    const k = jobLayer;
    if (!integerWeights(k)) return exactSameOutput(patternA, patternB) ? 1 : 0;
    const states = jobA + (k >= 2 ? unitOffset(k - 1) as usize : 0);
    const rowCost = max(rowStepsFloor, ((K * cols(k)) as f64) * (1.0 + ((i32At(wBytesT, k) >> 2) as f64) * ((i32At(zBytesT, k - 1) >> 2) as f64)) / LIMB_PRODUCTS_PER_STEP);
    while (jobRow < rows(k)) {
      if (windowOpen && windowRows > 0 && exactAllowance <= 0) {
        exactInterrupted = true;
        interruptions += 1;
        return -1;
      }
      composeRows(k, jobSrc, states, jobDst, jobRow, jobRow + 1);
      jobRow++;
      windowRows++;
      composeSteps += rowCost;
      exactAllowance -= rowCost;
    }
    jobSrc = jobDst;
    jobDst = jobDst == ping ? pong : ping;
    jobLayer++;
    jobRow = 0;
  }
  jobActive = false;
  outputFrom(jobSrc, jobA, outA);
  outputFrom(ptrAt(exZT, L), patternB, outB);
  let same = 1;
  for (let i = 0; i < outUnits * K; i++) {
    if (!bigEqual(outA + (i as usize) * outSlot, outB + (i as usize) * outSlot)) {
      same = 0;
      break;
    }
  }
  if (memoCount < MEMO_CAP) {
    memory.copy(memoA + (memoCount as usize) * (totalUnits as usize), patternA, totalUnits as usize);
    store<u8>(memoSame + (memoCount as usize), same as u8);
    memoCount++;
  }
  return same;
}

/** True when the network's output is exactly the same affine map under the two patterns. */
export function exactSameOutput(patternA: usize, patternB: usize): bool {
  const known = memoFind(patternA, patternB);
  if (known >= 0) return known != 0;
  // the current path first: its maps fill the cache the other pattern then starts from
  if (patternA == cachePattern) {
    exactOutput(patternA, outA);
    exactOutput(patternB, outB);
  } else {
    exactOutput(patternB, outB);
    exactOutput(patternA, outA);
  }
  for (let i = 0; i < outUnits * K; i++) {
    if (!bigEqual(outA + (i as usize) * outSlot, outB + (i as usize) * outSlot)) return false;
  }
  return true;
}


/**
 * The exact coefficients of row r1 of Z_layer (kind LINE_ROW) or of row r1 minus row r2 (LINE_DIFF)
 * on the current path, K slots at dst with `stride` bytes between slots (each of at least
 * bigSlotBytes(rowBits) bytes). They are 2^-F_layer times the true coefficients: a positive factor.
 */
export function exactMapRow(dst: usize, stride: usize, kind: i32, layer: i32, r1: i32, r2: i32, pattern: usize): void {
  const z1 = exactRow(layer, r1, pattern);
  const z2 = kind == LINE_DIFF ? exactRow(layer, r2, pattern) : 0;
  const zb = i32At(zBytesT, layer) as usize;
  for (let k = 0; k < K; k++) {
    const d = dst + (k as usize) * stride;
    bigCopy(d, z1 + (k as usize) * zb);
    if (kind == LINE_DIFF) bigAddTo(d, z2 + (k as usize) * zb, -1);
  }
}

/**
 * n floats at p as integers X_k with x_k = 2^e X_k, into slots at dst (`stride` bytes apart), for
 * e = min(e0, the lowest exponent of a non-zero x_k); returns e (e0 when all are zero).
 */
export function floatsToInts(dst: usize, stride: usize, p: usize, n: i32, e0: i32): i32 {
  let e = e0;
  for (let k = 0; k < n; k++) {
    const x = load<f64>(p + ((k as usize) << 3));
    if (x != 0) e = min(e, lowExponent(x));
  }
  for (let k = 0; k < n; k++) setScaled(dst + (k as usize) * stride, load<f64>(p + ((k as usize) << 3)), e);
  return e;
}

/** n floats at p written as integers at their common lowest exponent (a positive factor), into slots at dst. */
export function exactFloats(dst: usize, stride: usize, p: usize, n: i32): void {
  floatsToInts(dst, stride, p, n, i32.MAX_VALUE);
}
