// ConvAC grid tensors modulo a prime, and the rank of their matricization by Gaussian elimination
// modulo the same prime (src/theory/convac/ drives it; the layout of the packed input is written
// by packConvac in src/theory/convac/rank.ts).
//
// The grid tensor is built layer by layer and never as integers: a node (layer l, position j)
// depends only on the input templates in its window, so its channels are tables over the
// M^F configurations of the F positions its window reads. A parent's entry is the product over
// its R (or R x R) children of a linear form of the child's channels, each child indexed by the
// configuration of its own sub-window: an odometer over the parent's digits keeps every child's
// sub-index up to date with O(1) work per step (each digit lists the children that read it and
// its weight M^i in their index). Residues are below 2^30, so a product fits a u64 with room to spare.
//
// The top node writes h = <a, y> straight into the matricization: its digits are ordered with one
// side of the partition low and the other high (H_ROW_DIGITS: the high side's digits, the rows), so
// entry e is row e / cols, column e % cols (src/theory/convac/structure.ts planConvac picks the
// order; the rank does not depend on which side is the rows). Primes are below 2^30 (see the elimination's delayed reduction). Memory comes from memory.ts (`convacPrepare` resets it, like `prepare`), so a count
// after a rank starts from a clean slate.
import { alloc, memoryFailed, resetMemory } from './memory';

export const CONVAC_DONE = 0;
export const CONVAC_MORE = 1;
export const CONVAC_OUT_OF_MEMORY = 3;

// header words of the packed input (i32)
const H_M = 0;
const H_LAYERS = 1;
const H_PRIME = 2;
const H_ROW_DIGITS = 3;
const H_CAP = 4;
const H_MODE = 5;
const HEADER = 8;
// per-layer header words
const LH_NODES = 0;
const LH_CHILD_NODES = 1;
const LH_K = 2;
const LH_R = 3;
const LH_D = 4;
const LH_FCHILD = 5;
const LH_FPARENT = 6;
const LH_ENTRIES = 7; // digit-child entries in total
const LH_WORDS = 8;

let input: usize = 0;
let P: u64 = 0;
let M: i32 = 0;
let L: i32 = 0;
let mode: i32 = 0;
let cap: i32 = 0;
// per layer (1..L): pointers into the input
let layerHead: usize = 0; // L x LH_WORDS i32
let childIdxPtr: usize = 0; // L pointers
let digitStartPtr: usize = 0;
let digitEntryPtr: usize = 0;
let weightPtr: usize = 0;
let outputPtr: usize = 0;
// tables
let arenaOdd: usize = 0;
let arenaEven: usize = 0;
let linBuf: usize = 0;
let subBuf: usize = 0;
let digitBuf: usize = 0;
let matrix: usize = 0;
let powBuf: usize = 0; // M^i, i = 0..max digits
// run state
let phase: i32 = 0; // 0 build, 1 eliminate, 2 done
let curLayer: i32 = 1;
let curNode: i32 = 0;
let nRows: i32 = 0;
let nCols: i32 = 0;
let rankSoFar: i32 = 0;
let curCol: i32 = 0;
let workDone: f64 = 0;

@inline function word(i: i32): i32 { return load<i32>(input + ((i as usize) << 2)); }
@inline function lh(l: i32, f: i32): i32 { return load<i32>(layerHead + ((((l - 1) * LH_WORDS + f) as usize) << 2)); }
@inline function lptr(t: usize, l: i32): usize { return load<u32>(t + (((l - 1) as usize) << 2)) as usize; }
@inline function u32At(base: usize, i: i32): u64 { return load<u32>(base + ((i as usize) << 2)) as u64; }
@inline function setU32(base: usize, i: i32, v: u64): void { store<u32>(base + ((i as usize) << 2), v as u32); }
let invP: f64 = 0;

/**
 * x mod P for any u64 x, without a 64-bit division: the quotient estimate floor(x / P) from float64
 * is off by at most 1 (x / P < 2^35 and the estimate's relative error is below 2^-51, so its
 * absolute error is below 2^-16), and the
 * remainder x - q P is exact in wrapping 64-bit arithmetic, so one correction either way fixes it.
 */
@inline function reduce(x: u64): u64 {
  const q = ((x as f64) * invP) as u64;
  let r = (x - q * P) as i64;
  if (r < 0) r += P as i64;
  else if (r >= (P as i64)) r -= P as i64;
  return r as u64;
}
/**
 * x mod P for x < 2^63 (a product of two residues, below 2^60): as `reduce`, with the signed
 * conversions, which are single instructions where the unsigned ones are not.
 */
@inline function reduceProduct(x: u64): u64 {
  const q = (((x as i64) as f64) * invP) as i64;
  let r = (x as i64) - q * (P as i64);
  if (r < 0) r += P as i64;
  else if (r >= (P as i64)) r -= P as i64;
  return r as u64;
}
@inline function mulmod(a: u64, b: u64): u64 { return reduceProduct(a * b); }
@inline function pw(i: i32): i32 { return load<i32>(powBuf + ((i as usize) << 2)); }

/** Resets all memory (like `prepare`) and returns a zeroed buffer of `bytes` for the packed input. */
export function convacPrepare(bytes: i32): usize {
  resetMemory();
  input = alloc(bytes as usize);
  return input;
}

function powMod(b: u64, e: u64): u64 {
  let r: u64 = 1;
  b %= P;
  while (e > 0) {
    if (e & 1) r = mulmod(r, b);
    b = mulmod(b, b);
    e >>= 1;
  }
  return r;
}

/** Size of one node's channel tables of layer l, in u32 entries. */
function tableEntries(l: i32): i32 {
  return lh(l, LH_R) * pw(lh(l, LH_FPARENT));
}

/** Reads the packed input and allocates every table. 0 success, 1 out of memory. */
export function convacSetup(): i32 {
  M = word(H_M);
  L = word(H_LAYERS);
  P = word(H_PRIME) as u64;
  invP = 1.0 / (P as f64);
  mode = word(H_MODE);
  cap = word(H_CAP);
  layerHead = input + ((HEADER as usize) << 2);
  childIdxPtr = alloc((L as usize) << 2);
  digitStartPtr = alloc((L as usize) << 2);
  digitEntryPtr = alloc((L as usize) << 2);
  weightPtr = alloc((L as usize) << 2);
  if (memoryFailed()) return 1;
  let at = HEADER + L * LH_WORDS;
  let maxF = 1;
  let maxK = 1;
  for (let l = 1; l <= L; l++) {
    const nodes = lh(l, LH_NODES);
    const k = lh(l, LH_K);
    const fp = lh(l, LH_FPARENT);
    store<u32>(childIdxPtr + (((l - 1) as usize) << 2), (input + ((at as usize) << 2)) as u32);
    at += nodes * k;
    store<u32>(digitStartPtr + (((l - 1) as usize) << 2), (input + ((at as usize) << 2)) as u32);
    at += fp + 1;
    store<u32>(digitEntryPtr + (((l - 1) as usize) << 2), (input + ((at as usize) << 2)) as u32);
    at += 2 * lh(l, LH_ENTRIES);
    store<u32>(weightPtr + (((l - 1) as usize) << 2), (input + ((at as usize) << 2)) as u32);
    at += lh(l, LH_R) * k * lh(l, LH_D);
    if (fp > maxF) maxF = fp;
    if (k > maxK) maxK = k;
  }
  outputPtr = input + ((at as usize) << 2);
  powBuf = alloc(((maxF + 1) as usize) << 2);
  if (memoryFailed()) return 1;
  let q = 1;
  for (let i = 0; i <= maxF; i++) {
    store<i32>(powBuf + ((i as usize) << 2), q);
    q *= M;
  }
  // two arenas: the tables of odd and of even layers (the top layer writes the matrix instead)
  let odd: usize = 0;
  let even: usize = 0;
  let lin: usize = 0;
  for (let l = 1; l < L; l++) {
    const bytes = ((lh(l, LH_NODES) as usize) * (tableEntries(l) as usize)) << 2;
    if (l & 1) { if (bytes > odd) odd = bytes; } else if (bytes > even) even = bytes;
  }
  for (let l = 1; l <= L; l++) {
    const bytes = ((lh(l, LH_K) * lh(l, LH_R)) as usize) * (pw(lh(l, LH_FCHILD)) as usize) << 2;
    if (bytes > lin) lin = bytes;
  }
  arenaOdd = alloc(odd);
  arenaEven = alloc(even);
  linBuf = alloc(lin);
  subBuf = alloc((maxK as usize) << 2);
  digitBuf = alloc((maxF as usize) << 2);
  const topF = lh(L, LH_FPARENT);
  const rowDigits = word(H_ROW_DIGITS);
  nRows = pw(rowDigits);
  nCols = pw(topF - rowDigits);
  matrix = alloc(((nRows as usize) * (nCols as usize)) << 2);
  wide = mode == 1 ? 0 : alloc(((nRows as usize) * (nCols as usize)) << 3);
  sinceReduce = 0;
  if (memoryFailed()) return 1;
  phase = 0;
  curLayer = 1;
  curNode = 0;
  linDone = 0;
  entryDone = 0;
  rankSoFar = 0;
  curCol = 0;
  workDone = 0;
  return 0;
}

@inline function arena(l: i32): usize { return (l & 1) ? arenaOdd : arenaEven; }

// A node (layer l, position j) is built in resumable steps, so that one chunk of convacRun never
// runs much past its budget even for the top node of a large grid tensor (2^20 entries and more):
// first its K x r linear forms of the children's channels, one (channel, offset) pair per step,
// then its entries, as many per call as the budget allows, the odometer kept between calls.
let linDone: i32 = 0; // (channel, offset) pairs of the current node whose linear form is computed
let entryDone: i32 = 0; // entries of the current node written

/** The linear form lin[(g * K + k) * childSize + e'] = <w^{g,k}, x_child(k)[e']> of pair t = g * K + k. */
function nodeLinearForm(l: i32, j: i32, t: i32): f64 {
  const K = lh(l, LH_K);
  const D = lh(l, LH_D);
  const childSize = pw(lh(l, LH_FCHILD));
  const k = t % K;
  const wBase = t * D; // (g * K + k) * D
  const weights = lptr(weightPtr, l);
  const out = linBuf + ((((t * childSize) as usize)) << 2);
  if (l == 1) {
    // the representation layer: template d is the one-hot e_d, so <w, e_d> = w_d
    for (let d = 0; d < childSize; d++) store<u32>(out + ((d as usize) << 2), load<u32>(weights + (((wBase + d) as usize) << 2)));
    return childSize as f64;
  }
  const c = load<i32>(lptr(childIdxPtr, l) + (((j * K + k) as usize) << 2));
  const childStride = tableEntries(l - 1);
  const table = arena(l - 1) + ((((c as usize) * (childStride as usize))) << 2);
  for (let e = 0; e < childSize; e++) store<u32>(out + ((e as usize) << 2), 0);
  for (let dl = 0; dl < D; dl++) {
    const w = u32At(weights, wBase + dl);
    if (w == 0) continue;
    const src = table + ((((dl * childSize) as usize)) << 2);
    for (let e = 0; e < childSize; e++) {
      const o = out + ((e as usize) << 2);
      let v = (load<u32>(o) as u64) + mulmod(w, load<u32>(src + ((e as usize) << 2)) as u64);
      if (v >= P) v -= P;
      store<u32>(o, v as u32);
    }
  }
  return (D as f64) * (childSize as f64);
}

/** Entries of node j of layer l from entryDone on, until about `budget` work is done or the node is complete. */
function nodeEntries(l: i32, j: i32, budget: f64): f64 {
  const K = lh(l, LH_K);
  const r = lh(l, LH_R);
  const fp = lh(l, LH_FPARENT);
  const childSize = pw(lh(l, LH_FCHILD));
  const parentSize = pw(fp);
  const dStart = lptr(digitStartPtr, l);
  const dEntry = lptr(digitEntryPtr, l);
  if (entryDone == 0) {
    for (let i = 0; i < fp; i++) store<i32>(digitBuf + ((i as usize) << 2), 0);
    for (let k = 0; k < K; k++) store<i32>(subBuf + ((k as usize) << 2), 0);
  }
  const top = l == L;
  const dest = top ? matrix : arena(l) + ((((j as usize) * (tableEntries(l) as usize))) << 2);
  const out = outputPtr;
  const mMinus = M - 1;
  const perEntry = (r as f64) * (K as f64);
  let spent: f64 = 0;
  let e = entryDone;
  while (e < parentSize && spent < budget) {
    let h: u64 = 0;
    for (let g = 0; g < r; g++) {
      let v: u64 = 1;
      const gBase = g * K;
      for (let k = 0; k < K; k++) {
        const s = load<i32>(subBuf + ((k as usize) << 2));
        v = mulmod(v, u32At(linBuf, (gBase + k) * childSize + s));
      }
      if (top) {
        h += mulmod(v, u32At(out, g));
        if (h >= P) h -= P;
      } else {
        setU32(dest, g * parentSize + e, v);
      }
    }
    if (top) setU32(dest, e, h);
    // increment the odometer
    let i = 0;
    while (i < fp) {
      const dp = digitBuf + ((i as usize) << 2);
      const di = load<i32>(dp);
      const a = load<i32>(dStart + ((i as usize) << 2));
      const b = load<i32>(dStart + (((i + 1) as usize) << 2));
      if (di < mMinus) {
        store<i32>(dp, di + 1);
        for (let t = a; t < b; t++) {
          const kk = load<i32>(dEntry + (((2 * t) as usize) << 2));
          const sp = subBuf + ((kk as usize) << 2);
          store<i32>(sp, load<i32>(sp) + load<i32>(dEntry + (((2 * t + 1) as usize) << 2)));
        }
        break;
      }
      store<i32>(dp, 0);
      for (let t = a; t < b; t++) {
        const kk = load<i32>(dEntry + (((2 * t) as usize) << 2));
        const sp = subBuf + ((kk as usize) << 2);
        store<i32>(sp, load<i32>(sp) - mMinus * load<i32>(dEntry + (((2 * t + 1) as usize) << 2)));
      }
      i++;
    }
    e++;
    spent += perEntry;
  }
  entryDone = e;
  return spent;
}

/** One step of node j of layer l (a linear form, or a run of entries); true when the node is complete. */
function buildStep(l: i32, j: i32, budget: f64): f64 {
  const pairs = lh(l, LH_K) * lh(l, LH_R);
  if (linDone < pairs) {
    const w = nodeLinearForm(l, j, linDone);
    linDone++;
    return w;
  }
  return nodeEntries(l, j, budget);
}

@inline function nodeComplete(l: i32): bool {
  return linDone >= lh(l, LH_K) * lh(l, LH_R) && entryDone >= pw(lh(l, LH_FPARENT));
}

// The elimination works on a u64 copy of the matricization with delayed reduction: primes are
// below 2^30, so a product of two residues is below 2^60 and an entry may take LAZY updates
// (row += f * pivot row, no reduction) before it could overflow 2^64. Entries are reduced when read
// (the pivot column, the pivot row) and the whole trailing block every LAZY pivots, so the inner
// loop is a multiply-add with no division.
const LAZY: i32 = 15;
let wide: usize = 0; // nRows x nCols u64
let sinceReduce: i32 = 0;

function copyWide(): void {
  const total = (nRows as usize) * (nCols as usize);
  for (let i: usize = 0; i < total; i++) store<u64>(wide + (i << 3), load<u32>(matrix + (i << 2)) as u64);
}

/** Reduces the trailing block rows [r0, n), columns [c0, m). */
function reduceBlock(r0: i32, c0: i32): void {
  const m = nCols;
  for (let i = r0; i < nRows; i++) {
    const row = wide + (((i * m) as usize) << 3);
    for (let j = c0; j < m; j++) {
      const o = row + ((j as usize) << 3);
      store<u64>(o, reduce(load<u64>(o)));
    }
  }
}

/** One pivot column of the elimination (rows below the rank are reduced). Returns its work. */
function eliminateColumn(c: i32): f64 {
  const n = nRows;
  const m = nCols;
  const rk = rankSoFar;
  let piv = -1;
  for (let i = rk; i < n; i++) {
    const o = wide + (((i * m + c) as usize) << 3);
    const v = reduce(load<u64>(o));
    store<u64>(o, v);
    if (v != 0 && piv < 0) piv = i;
  }
  if (piv < 0) return (n - rk) as f64;
  const prow = wide + (((rk * m) as usize) << 3);
  if (piv != rk) {
    const other = wide + (((piv * m) as usize) << 3);
    for (let j = c; j < m; j++) {
      const o = ((j as usize) << 3);
      const t = load<u64>(prow + o);
      store<u64>(prow + o, load<u64>(other + o));
      store<u64>(other + o, t);
    }
  }
  for (let j = c + 1; j < m; j++) {
    const o = prow + ((j as usize) << 3);
    store<u64>(o, reduce(load<u64>(o)));
  }
  const inv = powMod(load<u64>(prow + ((c as usize) << 3)), P - 2);
  for (let i = rk + 1; i < n; i++) {
    const row = wide + (((i * m) as usize) << 3);
    const a = load<u64>(row + ((c as usize) << 3));
    if (a == 0) continue;
    const f = P - mulmod(a, inv); // subtract a / pivot times the pivot row: add (P - that) times it
    store<u64>(row + ((c as usize) << 3), 0);
    for (let j = c + 1; j < m; j++) {
      const o = ((j as usize) << 3);
      store<u64>(row + o, load<u64>(row + o) + f * load<u64>(prow + o));
    }
  }
  rankSoFar = rk + 1;
  sinceReduce++;
  if (sinceReduce >= LAZY) {
    reduceBlock(rk + 1, c + 1);
    sinceReduce = 0;
  }
  return ((n - rk) as f64) * ((m - c) as f64);
}

/** Runs until about `budget` multiply-mods are done: 0 done, 1 more to do. */
export function convacRun(budget: f64): i32 {
  let spent: f64 = 0;
  while (spent < budget) {
    if (phase == 0) {
      spent += buildStep(curLayer, curNode, budget - spent);
      if (!nodeComplete(curLayer)) continue;
      linDone = 0;
      entryDone = 0;
      curNode++;
      if (curNode >= lh(curLayer, LH_NODES)) {
        curNode = 0;
        curLayer++;
        if (curLayer > L) {
          phase = mode == 1 ? 2 : 1;
          if (phase == 1) {
            copyWide();
            workDone += spent;
            return CONVAC_MORE; // a step boundary between the grid tensor and the elimination (timings)
          }
        }
      }
    } else if (phase == 1) {
      if (curCol >= nCols || rankSoFar >= nRows || (cap > 0 && rankSoFar >= cap)) {
        phase = 2;
        continue;
      }
      spent += eliminateColumn(curCol);
      curCol++;
    } else {
      workDone += spent;
      return CONVAC_DONE;
    }
  }
  workDone += spent;
  return CONVAC_MORE;
}

/** Rank found so far (final once convacRun returned 0). */
export function convacRank(): i32 { return rankSoFar; }
/** Progress: 0 while building, then the columns eliminated. */
export function convacPhase(): i32 { return phase; }
export function convacColumn(): i32 { return curCol; }
export function convacWork(): f64 { return workDone; }
/** The matricization (mode 1: the grid tensor over the read positions, before elimination). */
export function convacMatrix(): usize { return matrix; }
