// The network as the core sees it: per-layer tables in linear memory, the float64 first-layer map
// in domain coordinates, and the a-priori error bounds that make every float decision checkable.
//
// Domain coordinates p: x = P p + o (the "input map", layer 0), with K - 1 coordinates, so every
// map is rows x K (coefficients of p, then the constant). The 2-D engine has K = 3: a box is
// P = I, o = 0; a plane slice is P = [d1 d2]; a 1-D domain is embedded as the strip
// [lo, hi] x [0, 1] with a zero second column (a line never depends on p1, so the strips it cuts are
// the intervals of the 1-D problem, one to one). The n-D engine (traverse-nd.ts) has K = d + 1.
import { alloc } from './memory';
import { ETA, gamma, inflate, underflow, U } from './float';

export const ACT_LINEAR = 0;
export const ACT_RELU = 1;
export const ACT_LEAKY = 2;
export const ACT_ABS = 3;
export const ACT_MAXOUT = 4;

export let L: i32 = 0; // number of layers
export let n0: i32 = 0; // network input dimension
export let totalUnits: i32 = 0; // units over all layers (pattern length)
export let outUnits: i32 = 0; // units of the last layer (rows of the output map)
/** Columns of every map: the domain coordinates, then the constant (3 for the 2-D engine). */
export let K: i32 = 3;
/** Engine of this run (packed word 3): 0 the 2-D polygon engine, 1 n-D affine, 2 n-D homogeneous. */
export let engineMode: i32 = 0;
/**
 * Decision regions (argmax of the outputs): the last unit is the argmax (a maxout over the logits),
 * and two cells across a face join when that unit's piece (the class) is the same, not the map.
 */
export let decisionLabels = false;
export let boxLo0: f64 = 0;
export let boxHi0: f64 = 0;
export let boxLo1: f64 = 0;
export let boxHi1: f64 = 0;

// Per-layer tables, index 0..L (index 0 is the input map x = P p + o).
let rowsT: usize = 0;
let colsT: usize = 0;
let actT: usize = 0;
let piecesT: usize = 0;
let unitsT: usize = 0;
let unitOffT: usize = 0;
let alphaT: usize = 0;
let wT: usize = 0; // row-major weights (rows x cols), f64
let bT: usize = 0; // bias, f64
let colOnT: usize = 0; // column-major weights (cols x rows): the contribution of an "on" unit below
let colOffT: usize = 0; // column-major weights times the off-slope of the layer below (leaky, abs), or 0
// Sparse layers (at most half the weights non-zero: convolutions and pooling lowered to dense
// matrices) keep only the non-zeros of each column: colOn/colOff then hold those values, in
// column order, with their rows in rowIdx and column c's range at colPtr[c] .. colPtr[c+1].
let colPtrT: usize = 0; // i32 (cols + 1), or 0 for a dense layer
let rowIdxT: usize = 0; // i32 per non-zero
let zT: usize = 0; // float pre-activation map of the current cell: rows x K (coefficients of p, then 1)
let aT: usize = 0; // a-priori bound on |Z| (exact and float), rows x K
let eT: usize = 0; // a-priori bound on |Zfloat - Zexact|, rows x K
let outErr: usize = 0; // bound on the error of the float output map, outUnits x K

@inline function i32At(t: usize, l: i32): i32 { return load<i32>(t + ((l as usize) << 2)); }
@inline function ptrAt(t: usize, l: i32): usize { return load<u32>(t + ((l as usize) << 2)) as usize; }

@inline export function rows(l: i32): i32 { return i32At(rowsT, l); }
@inline export function cols(l: i32): i32 { return i32At(colsT, l); }
@inline export function act(l: i32): i32 { return i32At(actT, l); }
@inline export function pieces(l: i32): i32 { return i32At(piecesT, l); }
@inline export function units(l: i32): i32 { return i32At(unitsT, l); }
@inline export function unitOffset(l: i32): i32 { return i32At(unitOffT, l); }
@inline export function alpha(l: i32): f64 { return load<f64>(alphaT + ((l as usize) << 3)); }
@inline export function weights(l: i32): usize { return ptrAt(wT, l); }
@inline export function bias(l: i32): usize { return ptrAt(bT, l); }
@inline export function colOn(l: i32): usize { return ptrAt(colOnT, l); }
@inline export function colOff(l: i32): usize { return ptrAt(colOffT, l); }
@inline export function colPtr(l: i32): usize { return ptrAt(colPtrT, l); }
@inline export function rowIdx(l: i32): usize { return ptrAt(rowIdxT, l); }
@inline export function zMap(l: i32): usize { return ptrAt(zT, l); }
@inline export function zBound(l: i32): usize { return ptrAt(aT, l); }
@inline export function zErr(l: i32): usize { return ptrAt(eT, l); }
@inline export function outputErr(): usize { return outErr; }

/** Size in f64 of the map a cell of layer l accumulates: the next layer's pre-activations, or the output. */
@inline export function accumRows(l: i32): i32 { return l < L ? rows(l + 1) : outUnits; }

/** Largest |slope| of an activation: bounds |post-activation| by |pre-activation|. */
function slopeMax(l: i32): f64 {
  if (l == 0) return 1.0;
  const a = act(l);
  if (a == ACT_LEAKY) return max(1.0, abs(alpha(l)));
  return 1.0;
}

/** First word after the layers in the packed input (where the n-D engine's domain follows). */
export let networkEnd: usize = 0;
/** The polygon engine's cut rows (pack's `cut`, engine word + 8): their number, and a, b, c each. */
export let cutRowCount: i32 = 0;
export let cutRows: usize = 0;

function table(n: i32, bytes: i32): usize {
  return alloc((n * bytes) as usize);
}

/**
 * Reads the packed network (see src/pack.ts for the layout) and builds the float tables.
 * Returns false when memory runs out.
 */
export function readNetwork(input: usize): bool {
  L = load<f64>(input) as i32;
  n0 = load<f64>(input + 8) as i32;
  const dp = load<f64>(input + 16) as i32;
  K = (dp > 0 ? dp : 2) + 1;
  const engineWord = load<f64>(input + 24) as i32; // engine, + 4 for decision regions, + 8 for cut rows
  engineMode = engineWord & 3;
  decisionLabels = (engineWord & 4) != 0;
  boxLo0 = load<f64>(input + 32);
  boxHi0 = load<f64>(input + 40);
  boxLo1 = load<f64>(input + 48);
  boxHi1 = load<f64>(input + 56);
  const n = L + 1;
  rowsT = table(n, 4); colsT = table(n, 4); actT = table(n, 4); piecesT = table(n, 4);
  unitsT = table(n, 4); unitOffT = table(n, 4); alphaT = table(n, 8);
  wT = table(n, 4); bT = table(n, 4); colOnT = table(n, 4); colOffT = table(n, 4);
  colPtrT = table(n, 4); rowIdxT = table(n, 4);
  zT = table(n, 4); aT = table(n, 4); eT = table(n, 4);
  if (eT == 0) return false;

  // layer 0: the input map, rows = n0, "weights" = P (n0 x (K - 1)), bias = o
  let p = input + 64;
  store<i32>(rowsT, n0);
  store<i32>(colsT, K - 1);
  store<i32>(actT, ACT_LINEAR);
  store<i32>(piecesT, 1);
  store<i32>(unitsT, n0);
  store<u32>(wT, p as u32);
  p += ((n0 * (K - 1)) as usize) << 3;
  store<u32>(bT, p as u32);
  p += (n0 as usize) << 3;

  let off = 0;
  for (let l = 1; l <= L; l++) {
    const r = load<f64>(p) as i32;
    const c = load<f64>(p + 8) as i32;
    const a = load<f64>(p + 16) as i32;
    const al = load<f64>(p + 24);
    const k = load<f64>(p + 32) as i32;
    p += 40;
    const li = (l as usize) << 2;
    store<i32>(rowsT + li, r);
    store<i32>(colsT + li, c);
    store<i32>(actT + li, a);
    store<f64>(alphaT + ((l as usize) << 3), al);
    const kk = a == ACT_MAXOUT ? k : 1;
    store<i32>(piecesT + li, kk);
    store<i32>(unitsT + li, r / kk);
    store<i32>(unitOffT + li, off);
    off += r / kk;
    store<u32>(wT + li, p as u32);
    p += ((r * c) as usize) << 3;
    store<u32>(bT + li, p as u32);
    p += (r as usize) << 3;
  }
  totalUnits = off;
  outUnits = units(L);
  networkEnd = p;
  cutRowCount = (engineWord & 8) != 0 ? load<f64>(p) as i32 : 0;
  cutRows = p + 8;
  return buildFloatTables();
}

function buildFloatTables(): bool {
  for (let l = 0; l <= L; l++) {
    const r = rows(l);
    const li = (l as usize) << 2;
    store<u32>(zT + li, alloc(((r * K) as usize) << 3) as u32);
    store<u32>(aT + li, alloc(((r * K) as usize) << 3) as u32);
    store<u32>(eT + li, alloc(((r * K) as usize) << 3) as u32);
  }
  for (let l = 1; l <= L; l++) {
    const r = rows(l);
    const c = cols(l);
    const li = (l as usize) << 2;
    const w = weights(l);
    const below = act(l - 1);
    const offSlope: f64 = l == 1 ? 1.0 : below == ACT_LEAKY ? alpha(l - 1) : below == ACT_ABS ? -1.0 : 0.0;
    const hasOff = l > 1 && (below == ACT_LEAKY || below == ACT_ABS);
    // non-zeros per column, in one pass over the rows (the weights are row-major: a pass down the
    // columns would stride through the whole matrix, slow for the 22 million weights of a LeNet-5 pool)
    const ptr = alloc(((c + 1) as usize) << 2);
    if (ptr == 0) return false;
    memory.fill(ptr, 0, ((c + 1) as usize) << 2);
    let nnz = 0;
    for (let i = 0; i < r; i++) {
      const row = w + (((i * c) as usize) << 3);
      for (let j = 0; j < c; j++) {
        if (load<f64>(row + ((j as usize) << 3)) == 0) continue;
        const q = ptr + (((j + 1) as usize) << 2);
        store<i32>(q, load<i32>(q) + 1);
        nnz++;
      }
    }
    if (2 * (nnz as i64) <= (r as i64) * (c as i64)) {
      const idx = alloc((max(nnz, 1) as usize) << 2);
      const on = alloc((max(nnz, 1) as usize) << 3);
      const off = hasOff ? alloc((max(nnz, 1) as usize) << 3) : 0;
      const next = alloc((max(c, 1) as usize) << 2); // the next free slot of each column
      if (on == 0 || next == 0 || (hasOff && off == 0)) return false;
      for (let j = 0; j < c; j++) {
        const q = ptr + (((j + 1) as usize) << 2);
        store<i32>(q, load<i32>(q) + load<i32>(q - 4));
        store<i32>(next + ((j as usize) << 2), load<i32>(q - 4));
      }
      // rows in increasing order within each column, as a pass down the columns would give
      for (let i = 0; i < r; i++) {
        const row = w + (((i * c) as usize) << 3);
        for (let j = 0; j < c; j++) {
          const v = load<f64>(row + ((j as usize) << 3));
          if (v == 0) continue;
          const q = next + ((j as usize) << 2);
          const k = load<i32>(q);
          store<i32>(q, k + 1);
          store<i32>(idx + ((k as usize) << 2), i);
          store<f64>(on + ((k as usize) << 3), v);
          if (off != 0) store<f64>(off + ((k as usize) << 3), offSlope * v);
        }
      }
      store<u32>(colPtrT + li, ptr as u32);
      store<u32>(rowIdxT + li, idx as u32);
      store<u32>(colOnT + li, on as u32);
      store<u32>(colOffT + li, off as u32);
      continue;
    }
    const on = alloc(((r * c) as usize) << 3);
    store<u32>(colOnT + li, on as u32);
    const off = hasOff ? alloc(((r * c) as usize) << 3) : 0;
    store<u32>(colOffT + li, off as u32);
    if (on == 0) return false;
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < c; j++) {
        const v = load<f64>(w + (((i * c + j) as usize) << 3));
        store<f64>(on + (((j * r + i) as usize) << 3), v);
        if (off != 0) store<f64>(off + (((j * r + i) as usize) << 3), offSlope * v);
      }
    }
  }
  outErr = alloc(((outUnits * K) as usize) << 3);
  if (outErr == 0) return false;

  // layer 0: Z0 = [P | o], exact, so its error bound is 0
  const z0 = zMap(0);
  const a0 = zBound(0);
  const dp = K - 1;
  for (let j = 0; j < n0; j++) {
    const P = weights(0) + (((j * dp) as usize) << 3);
    const o = load<f64>(bias(0) + ((j as usize) << 3));
    const q = z0 + (((j * K) as usize) << 3);
    const qa = a0 + (((j * K) as usize) << 3);
    for (let k = 0; k < dp; k++) {
      const v = load<f64>(P + ((k as usize) << 3));
      store<f64>(q + ((k as usize) << 3), v);
      store<f64>(qa + ((k as usize) << 3), abs(v));
    }
    store<f64>(q + ((dp as usize) << 3), o);
    store<f64>(qa + ((dp as usize) << 3), abs(o));
  }
  firstLayerMap();
  return aPrioriBounds();
}

/** Z1 = W1 [P | o] + [0 .. 0 b1], computed once in float64: it does not depend on the cell. */
function firstLayerMap(): void {
  const r = rows(1);
  const c = cols(1);
  const w = weights(1);
  const b = bias(1);
  const z0 = zMap(0);
  const z1 = zMap(1);
  for (let i = 0; i < r; i++) {
    const q = z1 + (((i * K) as usize) << 3);
    for (let k = 0; k < K; k++) {
      let s: f64 = k == K - 1 ? load<f64>(b + ((i as usize) << 3)) : 0.0;
      for (let j = 0; j < c; j++) {
        s += load<f64>(w + (((i * c + j) as usize) << 3)) * load<f64>(z0 + (((j * K + k) as usize) << 3));
      }
      store<f64>(q + ((k as usize) << 3), s);
    }
  }
}

/**
 * Bounds valid for every cell, computed once (Higham, Accuracy and Stability, eq. 3.5: a sum of n
 * products computed in any order has error <= gamma_{n+1} * sum |terms|, plus, with underflow,
 * n 2^-1075 (1 + gamma): see float.ts). With
 *   H_{l-1}[j] = smax * max over the rows of unit j of (A, E)   (post-activation bounds)
 *   A_l[i,k] = sum_j |W_ij| H_A[j,k] + [k=K-1] |b_i|
 *   E_l[i,k] = sum_j |W_ij| H_E[j,k] + gamma_{n+3} (sum_j |W_ij| (H_A + H_E)[j,k] + [k=K-1] |b_i|)
 *              + underflow(n) + [leaky below] 2^-1074 sum_{j : W_ij != 0} (H_A + H_E)[j,k]
 * where the +3 covers the off-slope product (alpha * w) and the bias, underflow(n) what the n
 * products of the sum can lose, and the last term what the off-slope product alpha * w itself can
 * lose (up to 2^-1075, an error that the map below then multiplies: |Z| <= H_A + H_E). Each
 * layer's E carries the previous one's, so the underflow slack is carried through the layers.
 * Every bound is inflated to cover its own rounding, so |Zfloat - Zexact| <= E holds for the float
 * maps the traversal builds.
 */
function aPrioriBounds(): bool {
  for (let l = 1; l <= L; l++) {
    const r = rows(l);
    const c = cols(l);
    const w = weights(l);
    const b = bias(l);
    const below = l - 1;
    const kb = pieces(below);
    const sm = slopeMax(below);
    const aPrev = zBound(below);
    const ePrev = zErr(below);
    const aCur = zBound(l);
    const eCur = zErr(l);
    const g = gamma(c + 3);
    const offRounds = l > 1 && act(below) == ACT_LEAKY; // colOff = fl(alpha * w) can underflow
    if (colPtr(l) != 0) {
      if (!sparseBounds(l, g, offRounds)) return false;
      continue;
    }
    for (let i = 0; i < r; i++) {
      for (let k = 0; k < K; k++) {
        let sa: f64 = k == K - 1 ? abs(load<f64>(b + ((i as usize) << 3))) : 0.0;
        let se: f64 = 0;
        let sae: f64 = sa;
        let so: f64 = 0; // sum of (H_A + H_E) over the non-zero weights (the off-slope's underflow)
        for (let j = 0; j < c; j++) {
          const wij = abs(load<f64>(w + (((i * c + j) as usize) << 3)));
          if (wij == 0) continue;
          let ha: f64 = 0, he: f64 = 0;
          for (let t = 0; t < kb; t++) {
            const q = (((j * kb + t) * K + k) as usize) << 3;
            ha = max(ha, load<f64>(aPrev + q));
            he = max(he, load<f64>(ePrev + q));
          }
          if (sm != 1.0) {
            // rounded up past an underflow: the weight W_ij, maybe large, would scale what it lost
            ha = ha * sm + ETA;
            he = he * sm + ETA;
          }
          sa += wij * ha;
          se += wij * he;
          sae += wij * (ha + he);
          so += ha + he;
        }
        const q = (((i * K + k) as usize) << 3);
        store<f64>(aCur + q, inflate(sa, c + 2));
        const uf = underflow(c) + (offRounds ? ETA * so : 0.0);
        store<f64>(eCur + q, inflate(se + g * inflate(sae, c + 2) + uf, c + 6));
      }
    }
  }
  // the output map is slope * Z_L (or the winning piece): one more rounding for a leaky slope
  const kL = pieces(L);
  const sm = slopeMax(L);
  for (let u = 0; u < outUnits; u++) {
    for (let k = 0; k < K; k++) {
      let ha: f64 = 0, he: f64 = 0;
      for (let t = 0; t < kL; t++) {
        const q = (((u * kL + t) * K + k) as usize) << 3;
        ha = max(ha, load<f64>(zBound(L) + q));
        he = max(he, load<f64>(zErr(L) + q));
      }
      // (+ ETA: the product slope * z can underflow)
      store<f64>(outErr + ((((u * K) + k) as usize) << 3), inflate(sm * he + 2.0 * U * sm * (ha + he) + ETA, 6));
    }
  }
  return true;
}

/**
 * aPrioriBounds for a sparse layer, column by column over its non-zeros (a row-by-row pass would
 * read every zero of a pooling layer's 22 million weights). Each row's sums add the same terms in
 * the same order (increasing column) as the dense pass, so the bounds are the same numbers.
 */
function sparseBounds(l: i32, g: f64, offRounds: bool): bool {
  const r = rows(l);
  const c = cols(l);
  const b = bias(l);
  const below = l - 1;
  const kb = pieces(below);
  const sm = slopeMax(below);
  const aPrev = zBound(below);
  const ePrev = zErr(below);
  const sa = zBound(l); // the sums, then the bounds
  const se = zErr(l);
  const bytes = ((r * K) as usize) << 3;
  const sae = alloc(bytes);
  const so = alloc(bytes);
  const hk = alloc(((2 * K) as usize) << 3); // H_A and H_E of the current column, per map column k
  if (hk == 0) return false;
  memory.fill(sa, 0, bytes);
  memory.fill(se, 0, bytes);
  memory.fill(so, 0, bytes);
  for (let i = 0; i < r; i++) store<f64>(sa + (((i * K + K - 1) as usize) << 3), abs(load<f64>(b + ((i as usize) << 3))));
  memory.copy(sae, sa, bytes);
  const ptr = colPtr(l);
  const idx = rowIdx(l);
  const on = colOn(l);
  for (let j = 0; j < c; j++) {
    const t0 = load<i32>(ptr + ((j as usize) << 2));
    const t1 = load<i32>(ptr + (((j + 1) as usize) << 2));
    if (t0 == t1) continue;
    for (let k = 0; k < K; k++) {
      let ha: f64 = 0, he: f64 = 0;
      for (let t = 0; t < kb; t++) {
        const q = (((j * kb + t) * K + k) as usize) << 3;
        ha = max(ha, load<f64>(aPrev + q));
        he = max(he, load<f64>(ePrev + q));
      }
      if (sm != 1.0) {
        ha = ha * sm + ETA;
        he = he * sm + ETA;
      }
      store<f64>(hk + ((k as usize) << 3), ha);
      store<f64>(hk + (((K + k) as usize) << 3), he);
    }
    for (let t = t0; t < t1; t++) {
      const wij = abs(load<f64>(on + ((t as usize) << 3)));
      const row = ((load<i32>(idx + ((t as usize) << 2)) * K) as usize) << 3;
      for (let k = 0; k < K; k++) {
        const ha = load<f64>(hk + ((k as usize) << 3));
        const he = load<f64>(hk + (((K + k) as usize) << 3));
        const q = row + ((k as usize) << 3);
        store<f64>(sa + q, load<f64>(sa + q) + wij * ha);
        store<f64>(se + q, load<f64>(se + q) + wij * he);
        store<f64>(sae + q, load<f64>(sae + q) + wij * (ha + he));
        store<f64>(so + q, load<f64>(so + q) + (ha + he));
      }
    }
  }
  const uf = underflow(c);
  for (let q: usize = 0; q < bytes; q += 8) {
    store<f64>(sa + q, inflate(load<f64>(sa + q), c + 2));
    const u = uf + (offRounds ? ETA * load<f64>(so + q) : 0.0);
    store<f64>(se + q, inflate(load<f64>(se + q) + g * inflate(load<f64>(sae + q), c + 2) + u, c + 6));
  }
  return true;
}

/** The network's shape as both engines size their buffers (measureShape). */
export let shapeBranches = 0; // cells a path can split into, over all units
export let shapeLinesPerPath = 0; // hyperplanes a path can add
export let shapeMaxUnits = 0;
export let shapeAccumMax = 0; // rows of the largest accumulated map
export let shapeMaxPieces = 1;

/** Measures the shape above from the layer tables (after readNetwork). */
export function measureShape(): void {
  shapeBranches = 0;
  shapeLinesPerPath = 0;
  shapeMaxUnits = 0;
  shapeAccumMax = 0;
  shapeMaxPieces = 1;
  for (let l = 1; l <= L; l++) {
    shapeBranches += units(l) * unitBranches(l);
    shapeLinesPerPath += units(l) * unitLines(l);
    shapeMaxUnits = max(shapeMaxUnits, units(l));
    shapeAccumMax = max(shapeAccumMax, accumRows(l));
    shapeMaxPieces = max(shapeMaxPieces, pieces(l));
  }
}

/** Lines (hyperplanes) a unit of layer l can add to a path: 1, k(k-1)/2 for maxout, 0 if linear. */
export function unitLines(l: i32): i32 {
  const a = act(l);
  if (a == ACT_LINEAR) return 0;
  if (a == ACT_MAXOUT) return (pieces(l) * (pieces(l) - 1)) >> 1;
  return 1;
}

/** Pending siblings a unit of layer l can leave when it splits a cell. */
export function unitBranches(l: i32): i32 {
  const a = act(l);
  if (a == ACT_LINEAR) return 0;
  if (a == ACT_MAXOUT) return pieces(l) - 1;
  return 1;
}

/** The hash of unit u in state s (splitmix64), XORed into incremental pattern hashes. */
@inline export function mix(u: i32, s: i32): u64 {
  let z = ((u as u64) << 16 | (s as u64)) + 0x9e3779b97f4a7c15;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}
