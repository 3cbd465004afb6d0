// Vertex cells for the n-D engine on boxes and slices in 3-D and 4-D (docs/vertex-engine.md).
//
// Next to its H-representation (rows and orientations, state-nd.ts), a frame may carry its cell's
// vertices: each a float point x, a radius r with |x - x*| <= r per coordinate (x* the exact
// vertex of the exact cell) and a mask of the D rows it lies on (bits of the cell's facet table).
// While every vertex is
// simple (on exactly D rows, strictly inside every other row of the cell), a unit's hyperplane is
// decided on the cell by its certified signs at the vertices, with no witness and no LP:
//  - every sign one way: the hyperplane misses the closed cell (a polytope is the hull of its
//    vertices), so the unit keeps one state on it and does not even touch it;
//  - signs both ways: the hyperplane splits the cell; the new vertices are the crossings of the
//    edges from a positive to a negative vertex (two vertices span an edge iff they share D - 1
//    rows), each on the edge's D - 1 rows and the new row, strictly inside every other row.
// A sign the filter cannot certify (a hyperplane through a vertex, as integer weights make them,
// or a near miss) is left to the H-cell engine: the cell gets a witness, the decision is the
// engine's own, and if it splits, both children and their subtrees are H-cells only. Nothing is
// decided by a tolerance: a vertex sign is used only when |h(x)| exceeds a rigorous bound on
// |h(x) - h*(x*)| (h* the exact row: the float row's coefficient error bounds, the vertex's
// radius, the rounding of the evaluation).
//
// Radii: a box corner is exact (radius 0). A crossing's radius first comes from the interpolation
// (the exact crossing parameter lies between its values at the corners of the endpoints' error
// intervals); it is recomputed from the vertex's D rows by Rump's residual bound with an
// approximate inverse C of the D x D row matrix A,
//   |x - x*| <= ||C|| rho / (1 - ||I - C A|| - ||C|| eps),
// rho bounding the exact rows' residuals at x and eps the rows' coefficient errors, when it passes
// RADIUS_REFRESH, and where a sign at the vertex is not certified with the radius it has
// (`sharpened`). A vertex whose bound fails (a near-singular A) sends the cell to the H-cell engine.
//
// Memory: each cell's block (its 64 facet bits' rows, then its vertices) lives in one arena used as
// a stack in the frames' order (the top frame's block is last, so a split writes the child it
// keeps in place and the pushed child's block after it).
import { alloc, allocRaw, memoryLimit, memoryTop } from './memory';
import { gamma, inflate, maxNonNeg, orderedDouble, orderKey, U, underflow } from './float';
import { D, LINE_RAW, LINE_ROW, rowCoef, rowErr, rowKind, rowUnit, setRowDepth, setRowSource } from './rows-nd';
import { gainCellSeparates, gainLeafBase, gainLeafDecide, gainLeafEnd, gainLeafRegion, gainLeafSplit, gainLeafStart, gainSeparates, setsFacet } from './gain-nd';
import { L, unitOffset, units } from './network';
import { pointSign } from './cell-nd';
import { sideMask, sideLeafId, sideRecord, sideRecordCount, sideRecordsBack } from './sides-nd';
import {
  F_ROWTOP, F_VCNT, F_VOFF, F_WORDS, fi, fStates, listOff, maxFrames, hi, lo, orient, pattern, rowAt, rowCap, rowTop, setFi,
  setHi, setLo, setOrient, unitLayer,
} from './state-nd';

/** Vertex cells are in use for this count (3-D and 4-D boxes and slices, no maxout layer). */
export let vOn = false;
/** The last `sides` answer came from the vertices (decideSign splits them). */
export let vertexDecided = false;

export let ndVertexSigns: f64 = 0; // vertex signs certified
export let ndVertexUnsure: f64 = 0; // decisions left to the H-cell engine (a sign the filter could not certify)
export let ndVertexSolves: f64 = 0; // radii recomputed from the rows (Rump's bound)
export let ndVertexLost: f64 = 0; // splits whose children lost their vertices (capacity or a failed radius)
export let ndVertexFacets: f64 = 0; // facet questions answered from the vertices
export let ndLeafRegions: f64 = 0; // regions counted by vertexLeaves
export let ndLeafFallbacks: f64 = 0; // cells vertexLeaves left to the frames

const CELL_MAX: i32 = 512; // vertices of one cell (more: its children are H-cells)
// The arena: room for 128 vertices in each frame the stack can hold, between 16 KiB and 1 MiB
// (memory is zeroed when it is allocated, and each count has its own instance: a 1 MiB arena for
// every count made a 3-4-1 count 3.3x slower, 1.8 ms against 0.55 ms). A split that does not fit
// leaves its children to the H-cell engine.
let arenaBytes: i32 = 0;
const TABLE: usize = 256; // a cell's block in the arena starts with its 64 facet bits' rows (i32)
// (eagerly only past 1e-3: most vertices never need a tight radius, and the signs that do get one
// on demand. On 4-16-16-1 and 4-24-24-1 that took 1.15-1.35x off against refreshing past 1e-7,
// every sign still certified; refreshing past 1e-6 without the on-demand step had left signs to
// the LPs)
const RADIUS_REFRESH: f64 = 1e-3;

let VB: usize = 0; // bytes per vertex: D coordinates, the radius, the mask of its rows' bits, its word
let RAD: usize = 0;
let MASK: usize = 0;
let WORD: usize = 0; // the signs of the frame's list units at the vertex (bit j: list unit j positive), when F_WORDS
let wordTab: usize = 0; // per layer and list unit (64): its row's c, a_0 .. a_3 and bound E0, K1 (8 f64)
let arena: usize = 0;
let vals: usize = 0; // f64 per vertex of the cell being decided: the row's value
let posIdx: usize = 0;
let negIdx: usize = 0;
let negMask: usize = 0; // u64 per vertex of the negative side (crossAt)
let fresh: usize = 0; // the crossings of a split (CELL_MAX vertices)
let pairs: usize = 0; // crossAt's edges: two i32 (positive vertex, negative vertex) each, 2 CELL_MAX of them
let solveA: usize = 0;
let solveC: usize = 0;
let rowStamp: usize = 0; // u32 per row: `stamp` when the row is a facet (vertexPrune)
let stamp: u32 = 0;
let sideRows: usize = 0; // i32 per side of the domain's box: its row
let curPos = 0;
let curNeg = 0;
let curE0: f64 = 0; // the last vertexSides' error bound at a vertex of radius r: (E0 + r K1) (1 + 4u)
let curK1: f64 = 0;
let domainRows: usize = 0; // the packed domain's rows (2 D of them, (alpha, beta))
let domainMax: f64 = 0; // the largest |coordinate| of the domain's box

@inline function blockOf(f: usize): usize { return arena + (fi(f, F_VOFF) as usize); }
@inline function vertsOf(f: usize): usize { return arena + (fi(f, F_VOFF) as usize) + TABLE; }
@inline function radiusOf(v: usize): f64 { return load<f64>(v + RAD); }
@inline function maskOf(v: usize): u64 { return load<u64>(v + MASK); }
@inline function bitRow(table: usize, b: i32): i32 { return load<i32>(table + ((b as usize) << 2)); }

/** One vertex record (D + 2 words) from src to dst (no overlap): a loop, not a bulk copy of 40-48 bytes. */
@inline function copyVertex(dst: usize, src: usize): void {
  for (let w: usize = 0; w < VB; w += 8) store<u64>(dst + w, load<u64>(src + w));
}

/** The bits used by f's vertices (the cell's facets). */
function usedBits(f: usize): u64 {
  return bitsOf(vertsOf(f), fi(f, F_VCNT));
}

/** The bits of the rows the nv vertices at `base` lie on (their cell's facets). */
@inline function bitsOf(base: usize, nv: i32): u64 {
  let used: u64 = 0;
  for (let i = 0; i < nv; i++) used |= maskOf(base + (i as usize) * VB);
  return used;
}
@inline export function hasVertices(f: usize): bool { return fi(f, F_VCNT) > 0; }

/** Drops the frame's vertex list (its subtree is counted by the H-cell engine). */
@inline export function dropVertices(f: usize): void {
  setFi(f, F_VCNT, 0);
  setFi(f, F_WORDS, 0);
}

/**
 * Whether the packed domain rows are exactly the box [lo, hi] (finite): row 2k is v_k - lo_k >= 0
 * and row 2k + 1 is hi_k - v_k >= 0. Vertex cells and the mesh (mesh-nd.ts) start from its corners.
 */
export function isBoxDomain(rowCount: i32, rows: usize, boxLo: usize, boxHi: usize): bool {
  return rowCount == 2 * D && boxFirst(rows, boxLo, boxHi);
}

/**
 * Whether the first 2 D packed domain rows are the box [lo, hi] (finite), as in isBoxDomain; more
 * rows may follow (a box cut by a polytope's rows: src/count/pieces.ts).
 */
function boxFirst(rows: usize, boxLo: usize, boxHi: usize): bool {
  for (let k = 0; k < D; k++) {
    const lo = load<f64>(boxLo + ((k as usize) << 3));
    const hi = load<f64>(boxHi + ((k as usize) << 3));
    if (!isFinite(lo) || !isFinite(hi)) return false;
    for (let s = 0; s < 2; s++) {
      const r = rows + ((((2 * k + s) * (D + 1)) as usize) << 3);
      for (let j = 0; j < D; j++) {
        const want: f64 = j == k ? (s == 0 ? 1.0 : -1.0) : 0.0;
        if (load<f64>(r + ((j as usize) << 3)) != want) return false;
      }
      if (load<f64>(r + ((D as usize) << 3)) != (s == 0 ? -lo : hi)) return false;
    }
  }
  return true;
}

/**
 * Decides whether vertex cells apply (D = 3 or 4, a box domain in the affine chart, no maxout) and
 * reserves their memory; false when memory ran out. `rows` points at the packed domain's rows.
 */
export function vertexSetup(applies: bool, rowCount: i32, rows: usize, boxLo: usize, boxHi: usize): bool {
  vOn = false;
  vertexDecided = false;
  if (!applies || (D != 3 && D != 4) || rowCount < 2 * D || rowCount > 64 || !boxFirst(rows, boxLo, boxHi)) return true;
  domainRowCount = rowCount;
  VB = ((D + 3) as usize) << 3;
  RAD = (D as usize) << 3;
  MASK = ((D + 1) as usize) << 3;
  WORD = ((D + 2) as usize) << 3;
  gammaD2 = gamma(D + 2);
  wordTab = alloc((((L + 1) * 64 * 8) as usize) << 3);
  arenaBytes = min(1 << 20, max(1 << 14, maxFrames * ((TABLE as i32) + 128 * (VB as i32))));
  arena = alloc(arenaBytes as usize);
  vals = alloc((CELL_MAX as usize) << 3);
  posIdx = alloc((CELL_MAX as usize) << 2);
  negIdx = alloc((CELL_MAX as usize) << 2);
  negMask = alloc((CELL_MAX as usize) << 3);
  fresh = alloc((CELL_MAX as usize) * VB);
  pairs = alloc((2 * CELL_MAX as usize) << 3);
  solveA = alloc(((D * D) as usize) << 3);
  solveC = alloc(((D * D) as usize) << 3);
  rowStamp = alloc((rowCap as usize) << 2);
  sideRows = alloc(((2 * D) as usize) << 2);
  if (sideRows == 0) return false;
  memory.fill(rowStamp, 0, (rowCap as usize) << 2);
  stamp = 0;
  domainRows = rows;
  domainMax = 0;
  for (let k = 0; k < D; k++) {
    domainMax = max(domainMax, abs(load<f64>(boxLo + ((k as usize) << 3))));
    domainMax = max(domainMax, abs(load<f64>(boxHi + ((k as usize) << 3))));
  }
  if (!isFinite(domainMax)) return true;
  vOn = true;
  return true;
}

/**
 * Gives frame f the vertices of the domain's box in a block at byte `at` of the arena; sides[2k]
 * (i32) is the row v_k - lo_k >= 0, sides[2k + 1] the row hi_k - v_k >= 0, and side s gets bit s
 * (exact: the corners are exact, radius 0).
 */
function boxVertices(f: usize, sides: usize, at: i32): void {
  const table = arena + (at as usize);
  for (let b = 0; b < 64; b++) store<i32>(table + ((b as usize) << 2), b < 2 * D ? load<i32>(sides + ((b as usize) << 2)) : -1);
  const n = 1 << D;
  const verts = table + TABLE;
  for (let m = 0; m < n; m++) {
    const v = verts + (m as usize) * VB;
    let mask: u64 = 0;
    for (let k = 0; k < D; k++) {
      const up = ((m >> k) & 1) != 0;
      const side = 2 * k + (up ? 1 : 0);
      // (the packed row's beta: -lo_k, or hi_k)
      const beta = load<f64>(domainRows + (((side * (D + 1) + D) as usize) << 3));
      store<f64>(v + ((k as usize) << 3), up ? beta : -beta);
      mask |= (1 as u64) << (side as u64);
    }
    store<f64>(v + RAD, 0);
    store<u64>(v + MASK, mask);
  }
  setFi(f, F_VOFF, at);
  setFi(f, F_VCNT, n);
}

/**
 * The root cell as vertices: the domain's box (rows 0 .. 2 D - 1), clipped by the domain's other
 * rows (a polytope's, rows 2 D and up) in order. A row the vertices cannot certify, or one that
 * leaves no vertex, leaves the root to the H-cell engine (which finds an empty interior exactly).
 */
export function vertexRoot(f: usize): void {
  if (!vOn) {
    dropVertices(f);
    return;
  }
  for (let i = 0; i < 2 * D; i++) store<i32>(sideRows + ((i as usize) << 2), i);
  boxVertices(f, sideRows, 0);
  if (domainRowCount == 2 * D) return;
  // rows that hold on the whole box are no facets: each tested first at the box's corners, which
  // are exact points (pointSign: the float filter, then exact arithmetic), so a polytope side that
  // is a box side (0 at four corners) is found redundant here rather than left to the H-cells
  const corners = 1 << D;
  const base = vertsOf(f);
  let redundant: u64 = 0;
  for (let i = 2 * D; i < domainRowCount; i++) {
    let inside = true;
    for (let m = 0; m < corners && inside; m++) inside = pointSign(rowAt(i), 1, base + (m as usize) * VB) >= 0;
    if (inside) redundant |= (1 as u64) << (i as u64);
  }
  for (let i = 2 * D; i < domainRowCount; i++) {
    if (((redundant >> (i as u64)) & 1) != 0) continue;
    const b = vertexSides(f, rowAt(i), 1);
    if (b == 1) continue; // (the row holds on the whole box cut so far: no facet)
    if (b != 3 || !clipKeepPositive(f, i)) {
      dropVertices(f);
      return;
    }
  }
}

let domainRowCount = 0; // the packed domain's rows (the box's 2 D, then a polytope's)

/**
 * Certified signs of o * row r at the vertices of f (values in `vals`, the vertices on each side
 * in posIdx and negIdx). Returns 1 (all positive), 2 (all negative), 3 (both), or 0 when a sign
 * cannot be certified.
 */
export function vertexSides(f: usize, r: usize, o: f64): i32 {
  return signsAt(vertsOf(f), fi(f, F_VCNT), blockOf(f), r, o);
}

/** vertexSides on the nv vertices at `base`, whose bits name the rows in `table`. */
function signsAt(base: usize, nv: i32, table: usize, r: usize, o: f64): i32 {
  rowBound(r, o);
  return signsWith(base, nv, table, r, o, boundE0, boundK1);
}

let boundE0: f64 = 0;
let boundK1: f64 = 0;
let gammaD2: f64 = 0; // gamma(D + 2), once per count (rowBound: a division saved per row)

/**
 * The error bound of o * row r at a vertex of radius rad, (E0 + rad K1) (1 + 4 u), as E0 and K1
 * into boundE0 and boundK1: it depends on the row alone.
 */
function rowBound(r: usize, o: f64): void {
  const c = o * rowCoef(r, D);
  let na: f64 = 0;
  let ne: f64 = 0;
  for (let k = 0; k < D; k++) {
    na += abs(rowCoef(r, k));
    ne += rowErr(r, k);
  }
  // |h*(x*) - fl(h(x))| <= |a*.(x* - x)| + |h*(x) - h(x)| + rounding
  //   <= r (||a||_1 + ||e||_1) + e_b + ||e||_1 |x|_inf + gamma_{D+2} (|c| + ||a||_1 |x|_inf) + D underflows,
  // with |x|_inf <= X + r (X: the domain box's largest coordinate, |x*|_inf <= X): E0 + r k1
  const g = gammaD2;
  boundE0 = inflate(rowErr(r, D) + ne * domainMax + g * (abs(c) + na * domainMax) + underflow(D), 3 * D + 12);
  boundK1 = inflate(na + 2 * ne + g * na, 2 * D + 6);
}

/** A row's value at vertex v in 3-D, its coefficients (c, a0, a1, a2) given. */
@inline function value3(v: usize, c: f64, a0: f64, a1: f64, a2: f64): f64 {
  return c + a0 * load<f64>(v) + a1 * load<f64>(v, 8) + a2 * load<f64>(v, 16);
}

/** A row's value at vertex v in 4-D. */
@inline function value4(v: usize, c: f64, a0: f64, a1: f64, a2: f64, a3: f64): f64 {
  return c + a0 * load<f64>(v) + a1 * load<f64>(v, 8) + a2 * load<f64>(v, 16) + a3 * load<f64>(v, 24);
}

/** The error bound of a row's value at a vertex of radius r: (E0 + r K1) (1 + 4 u) (rowBound). */
@inline function valueError(e0: f64, k1: f64, r: f64): f64 {
  return (e0 + r * k1) * (1 + 4 * U);
}

/**
 * The sign of the value s at vertex v (radius at byte `rad` of it) certified: the filter with the
 * row's bound (E0, K1), else with v's radius recomputed from its rows (`sharpened`).
 */
@inline function certain(table: usize, v: usize, rad: usize, s: f64, e0: f64, k1: f64): bool {
  return abs(s) > valueError(e0, k1, load<f64>(v + rad)) || sharpened(table, v, s, e0, k1);
}

/** signsAt with the row's bound (rowBound) given. */
function signsWith(base: usize, nv: i32, table: usize, r: usize, o: f64, e0: f64, k1: f64): i32 {
  const c = o * rowCoef(r, D);
  const a0 = o * rowCoef(r, 0);
  const a1 = o * rowCoef(r, 1);
  const a2 = o * rowCoef(r, 2);
  const a3 = D == 4 ? o * rowCoef(r, 3) : 0.0;
  let np = 0;
  let nn = 0;
  // (two loops, each with its dot product unrolled; the side lists are written branch-free: the
  // signs of a cell's vertices are what a branch predictor cannot guess)
  if (D == 3) {
    for (let i = 0; i < nv; i++) {
      const v = base + (i as usize) * VB;
      const s = value3(v, c, a0, a1, a2);
      if (!certain(table, v, 24, s, e0, k1)) {
        ndVertexUnsure += 1;
        return 0;
      }
      store<f64>(vals + ((i as usize) << 3), s);
      store<i32>(posIdx + ((np as usize) << 2), i);
      store<i32>(negIdx + ((nn as usize) << 2), i);
      const pos = <i32>(s > 0);
      np += pos;
      nn += 1 - pos;
    }
  } else {
    for (let i = 0; i < nv; i++) {
      const v = base + (i as usize) * VB;
      const s = value4(v, c, a0, a1, a2, a3);
      if (!certain(table, v, 32, s, e0, k1)) {
        ndVertexUnsure += 1;
        return 0;
      }
      store<f64>(vals + ((i as usize) << 3), s);
      store<i32>(posIdx + ((np as usize) << 2), i);
      store<i32>(negIdx + ((nn as usize) << 2), i);
      const pos = <i32>(s > 0);
      np += pos;
      nn += 1 - pos;
    }
  }
  ndVertexSigns += nv as f64;
  return sidesFound(np, nn, e0, k1);
}

/**
 * The outcome of a side test whose np positive and nn negative vertices are listed at posIdx and
 * negIdx (their values at vals), its error bound's parts kept for the crossings: 1 when every
 * vertex is positive, 2 when every one is negative, 3 when the row crosses the cell.
 */
@inline function sidesFound(np: i32, nn: i32, e0: f64, k1: f64): i32 {
  curE0 = e0;
  curK1 = k1;
  curPos = np;
  curNeg = nn;
  return nn == 0 ? 1 : np == 0 ? 2 : 3;
}

/**
 * A sign the filter could not certify at vertex v, tried again with v's radius recomputed from its
 * rows (Rump's bound, far below the interpolated one): true when it is certified now. Radii are
 * refreshed eagerly only past RADIUS_REFRESH; this does it where a sign needs it.
 */
function sharpened(table: usize, v: usize, s: f64, e0: f64, k1: f64): bool {
  const r = radiusOf(v);
  if (!(r > 0)) return false;
  ndVertexSolves += 1;
  const sharp = rowsRadius(v, table);
  if (!(sharp < r)) return false;
  store<f64>(v + RAD, sharp);
  return abs(s) > valueError(e0, k1, sharp);
}

export function resetVertexDecided(): void { vertexDecided = false; }

// ---- the list units' signs carried by a frame's vertices -----------------------------------------
// A cell that starts a layer evaluates each of the layer's list units at its vertices once
// (layerWordsRow); a split's crossings take theirs from their edges' ends (a unit with one certified
// strict sign at both has it at the crossing: the exact crossing is a convex combination of the
// exact vertices), and only a unit whose signs differ there is evaluated at the crossing. A unit
// that keeps one sign at all of a cell's vertices is then decided there with no evaluation
// (wordSides); one that splits it is evaluated at its vertices as before (the crossings need the
// values). The rows are the same for the whole subtree of the cell that started the layer (its
// list and map), so they are kept per layer and list index.

/** List unit j of layer l (row r, as unitRow makes it) evaluated at f's vertices into their words; false when a sign is not certified. */
export function layerWordsRow(f: usize, l: i32, j: i32, r: usize): bool {
  const t = wordTab + ((((l * 64 + j) * 8) as usize) << 3);
  rowEntry(t, r);
  const nv = fi(f, F_VCNT);
  const base = vertsOf(f);
  const table = blockOf(f);
  const bit = (1 as u64) << (j as u64);
  for (let i = 0; i < nv; i++) {
    const v = base + (i as usize) * VB;
    const s = wordValue(t, v);
    if (!certain(table, v, RAD, s, boundE0, boundK1)) {
      ndVertexUnsure += 1;
      return false;
    }
    const w = v + WORD;
    store<u64>(w, (j == 0 ? 0 : load<u64>(w) & ~bit) | (<u64>(s > 0) << (j as u64)));
  }
  ndVertexSigns += nv as f64;
  return true;
}

/** Row r's entry at t (8 f64): its constant c, its coefficients a_0 .. a_{D-1}, its bound's E0 and K1 (rowBound). */
function rowEntry(t: usize, r: usize): void {
  rowBound(r, 1);
  for (let k = 0; k < D; k++) store<f64>(t + (((k + 1) as usize) << 3), rowCoef(r, k));
  store<f64>(t, rowCoef(r, D));
  store<f64>(t, boundE0, 40);
  store<f64>(t, boundK1, 48);
}

/**
 * The words of the nf crossings crossAt just made (into `fresh`, by `pairs` from vertices whose
 * words are at `src` + index * `stride`) for the units of `units` (entry k of `tab`: rowEntry), into
 * `out` + i * `outStride`; false when a sign is not certified (rows named by `rows`). A crossing lies
 * on the segment between its edge's two ends, so a unit with one certified strict sign at both has
 * that sign there too (the exact crossing is a convex combination of the exact vertices); only the
 * units whose signs differ at the two ends are evaluated at the crossing.
 */
function wordsAcross(src: usize, stride: usize, nf: i32, out: usize, outStride: usize, units: u64, tab: usize, rows: usize): bool {
  for (let i = 0; i < nf; i++) {
    const wa = load<u64>(src + (load<i32>(pairs + ((i as usize) << 3)) as usize) * stride);
    const wb = load<u64>(src + (load<i32>(pairs + ((i as usize) << 3), 4) as usize) * stride);
    let w = wa & wb & units;
    let open = (wa ^ wb) & units;
    if (open != 0) {
      const v = fresh + (i as usize) * VB;
      do {
        const k = ctz<u64>(open);
        open &= open - 1;
        const t = tab + ((k as usize) << 6);
        const s = wordValue(t, v);
        if (!certain(rows, v, RAD, s, load<f64>(t, 40), load<f64>(t, 48))) {
          ndVertexUnsure += 1;
          return false;
        }
        ndVertexSigns += 1;
        w |= (<u64>(s > 0)) << k;
      } while (open != 0);
    }
    store<u64>(out + (i as usize) * outStride, w);
  }
  return true;
}

/** Row (c, a) of a rowEntry at vertex v. */
@inline function wordValue(t: usize, v: usize): f64 {
  return D == 3
    ? value3(v, load<f64>(t), load<f64>(t, 8), load<f64>(t, 16), load<f64>(t, 24))
    : value4(v, load<f64>(t), load<f64>(t, 8), load<f64>(t, 16), load<f64>(t, 24), load<f64>(t, 32));
}

/** The sides of list unit j at f's vertices from their words (F_WORDS): 1 all positive, 2 all negative, 3 both. */
export function wordSides(f: usize, j: i32): i32 {
  const nv = fi(f, F_VCNT);
  const base = vertsOf(f);
  let any: u64 = 0;
  let all: u64 = <u64>-1;
  for (let i = 0; i < nv; i++) {
    const w = load<u64>(base + (i as usize) * VB + WORD);
    any |= w;
    all &= w;
  }
  const bit = (1 as u64) << (j as u64);
  return (all & bit) != 0 ? 1 : (any & bit) == 0 ? 2 : 3;
}

/** A unit decided from the vertices' words (decideWhole then reads it as a vertex decision). */
export function setVertexDecided(): void { vertexDecided = true; }

/**
 * The words of the nf crossings just made (into `fresh`, from f's vertices at `base` by `pairs`;
 * rows named by f's table `rows`, which has the split's row) for the list units after j of layer l
 * (count of them in the list): false when a sign is not certified (the children's words are then
 * not kept).
 */
function crossingWords(base: usize, rows: usize, nf: i32, l: i32, j: i32, count: i32): bool {
  const later: u64 = (count >= 64 ? <u64>-1 : ((1 as u64) << (count as u64)) - 1) & ~(j >= 63 ? <u64>-1 : ((2 as u64) << (j as u64)) - 1);
  return wordsAcross(base + WORD, VB, nf, fresh + WORD, VB, later, wordTab + ((((l * 64) * 8) as usize) << 3), rows);
}
let wordsCut = -1; // the list index of the unit a split is on (decideSign sets it), -1: no words
let wordsLayer = 0;
let wordsCount = 0;
/** The next vertexSplit of a cell with words is on list unit j of layer l (count units in its list). */
export function splitWords(l: i32, j: i32, count: i32): void {
  wordsCut = j;
  wordsLayer = l;
  wordsCount = count;
}

/** The answer of `sides` from f's vertices (0: not known, the H-cell engine decides). */
export function vertexSidesOf(f: usize, r: usize): i32 {
  vertexDecided = false;
  if (!hasVertices(f)) return 0;
  const b = vertexSides(f, r, 1);
  vertexDecided = b != 0;
  return b;
}

/**
 * The crossings of row ri (already sided by vertexSides on f) with f's edges, into `fresh`.
 * Returns their number, or -1 when a crossing's radius cannot be bounded or there are too many.
 */
function crossings(f: usize, ri: i32): i32 {
  // the new row takes the lowest bit no vertex of the cell uses (a cell has at most 64 facets, else
  // the split is left to the H-cell engine)
  const used = usedBits(f);
  if (used == <u64>-1) return -1;
  const bit: u64 = (1 as u64) << ctz<u64>(~used);
  const table = blockOf(f);
  store<i32>(table + ((ctz<u64>(bit) as usize) << 2), ri);
  return crossAt(vertsOf(f), table, bit, false);
}

// The leaf count's crossings, kept while it runs (`kept`): in one leaf count a vertex is named by
// the bits of its D rows, the same in every cell of it, and the same vertex is the crossing of an
// edge shared by several cells (up to 2^(D-1) in the arrangement), each in its own branch of the
// depth-first count. A crossing made once is copied into the others: its point and radius bound
// the same exact vertex whichever cell made it. In 4-D 40-43% of the crossings of 4-16-16-1 and
// 4-24-24-1 were copies (and two in three radii recomputed from rows went with them); in 3-D only
// 18-19% were, which did not pay for the table, so it is kept in 4-D only.
const KEEP_BITS: i32 = 11;
const KEEP_CAP: i32 = 1 << KEEP_BITS;
let keptKeys: usize = 0; // u64 per entry: the vertex's mask
let keptStamp: usize = 0; // u32 per entry: the leaf count it was made in
let keptRec: usize = 0; // a vertex record (VB bytes) per entry
let keptNow: u32 = 0; // the leaf count in progress
let keptCount = 0;

/** A new leaf count: the kept crossings of the last one are dropped. */
function keptReset(): void {
  keptNow++;
  keptCount = 0;
}

@inline function keptSlot(key: u64): i32 {
  return <i32>((key * 0x9E3779B97F4A7C15) >> ((64 - KEEP_BITS) as u64));
}

/**
 * The crossings of the row just sided by signsAt on the vertices at `base` (rows named in
 * `table`, the new row's bit `bit` already in it) into `fresh`: their number, or -1. With `kept`
 * (the leaf count), crossings it made before are copied, and the ones made here kept.
 */
function crossAt(base: usize, table: usize, bit: u64, kept: bool): i32 {
  const np = curPos;
  const nn = curNeg;
  // (the module's pointers in locals, read once: V8 reloads a mutable global at each use in a
  // loop, though that measured no cost of its own; docs/performance.md)
  const vb = VB;
  const mk = MASK;
  const nm = negMask;
  const ni = negIdx;
  const pi = posIdx;
  const pk = pairs;
  const fr = fresh;
  const vl = vals;
  const rd = RAD;
  const e0 = curE0;
  const k1 = curK1;
  const d = D;
  // two vertices span an edge iff their masks share D - 1 bits
  const need = (D - 1) as u64;
  // (the negative side's masks in a row first: the pair loop reads them np times)
  for (let b = 0; b < nn; b++) {
    store<u64>(nm + ((b as usize) << 3), load<u64>(base + (load<i32>(ni + ((b as usize) << 2)) as usize) * vb + mk));
  }
  // the edges first, branch-free (whether two vertices span one is what a branch predictor cannot
  // guess), each as its two list positions in one word, then their crossings in a loop with no
  // such branch
  let ne = 0;
  for (let a = 0; a < np; a++) {
    const ma = load<u64>(base + (load<i32>(pi + ((a as usize) << 2)) as usize) * vb + mk);
    const ka = a << 16;
    for (let b = 0; b < nn; b++) {
      const both = ma & load<u64>(nm + ((b as usize) << 3));
      store<i32>(pk + ((ne as usize) << 2), ka | b);
      ne += <i32>(popcnt<u64>(both) == need);
    }
    if (ne > CELL_MAX) return -1;
  }
  // (the edges' vertex indices, as the words' readers take them: `pairs` holds two i32 per edge;
  // from the last, so that the packed words are read before they are overwritten)
  for (let e = ne - 1; e >= 0; e--) {
    const w = load<i32>(pk + ((e as usize) << 2));
    const ia = load<i32>(pi + (((w >>> 16) as usize) << 2));
    const ib = load<i32>(ni + (((w & 0xffff) as usize) << 2));
    store<i32>(pk + ((e as usize) << 3), ia);
    store<i32>(pk + ((e as usize) << 3), ib, 4);
  }
  let nf = 0;
  for (let e = 0; e < ne; e++) {
    const ia = load<i32>(pk + ((e as usize) << 3));
    const ib = load<i32>(pk + ((e as usize) << 3), 4);
    const pa = base + (ia as usize) * vb;
    const pb = base + (ib as usize) * vb;
    const q = fr + (nf++ as usize) * vb;
    const key = (load<u64>(pa + mk) & load<u64>(pb + mk)) | bit;
    let slot = -1;
    if (kept) {
      slot = keptSlot(key);
      while (load<u32>(keptStamp + ((slot as usize) << 2)) == keptNow && load<u64>(keptKeys + ((slot as usize) << 3)) != key) {
        slot = (slot + 1) & (KEEP_CAP - 1);
      }
      if (load<u32>(keptStamp + ((slot as usize) << 2)) == keptNow) {
        copyVertex(q, keptRec + (slot as usize) * VB);
        continue;
      }
      if (keptCount >= KEEP_CAP / 2) slot = -1;
    }
    // the rows: the edge's and ri
    store<u64>(q + mk, key);
    // the point: pa + t (pb - pa), t = va / (va - vb)
    const va = load<f64>(vl + ((ia as usize) << 3));
    const vb_ = load<f64>(vl + ((ib as usize) << 3));
    const dv = va - vb_;
    const t = va / dv;
    // (maxNonNeg: f64.max takes branches in the engine)
    let spread: f64 = 0;
    let size: f64 = 0;
    for (let k = 0; k < d; k++) {
      const xa = load<f64>(pa + ((k as usize) << 3));
      const xb = load<f64>(pb + ((k as usize) << 3));
      store<f64>(q + ((k as usize) << 3), xa + t * (xb - xa));
      spread = maxNonNeg(spread, abs(xb - xa));
      size = maxNonNeg(size, abs(xa) + abs(xb));
    }
    // the radius the interpolation inherits: with va* = va + da and vb* = vb + db the exact
    // values (|da| <= ea, |db| <= eb; va - ea > 0 > vb + eb: the signs are certified),
    // t* - va / (va - vb) = (va db - vb da) / ((va* - vb*) (va - vb)), at most
    // (ea |vb| + eb va) / (d (d - ea - eb)) with d = va - vb. The gap d - ea - eb is taken less
    // its rounding (three subtractions, each within u of d + ea + eb: 8 u of it covers them and
    // this bound's own), so a gap that cancels cannot make the bound too small. The float t is
    // within 2 u of va / (va - vb), and the quotient's other operations within 6 u of it: the
    // 8 u added and the factor 1 + 16 u cover them (the numerator's two products with their
    // underflow added; a denominator near underflow gives no bound: the radius is recomputed
    // from the rows). The exact crossing is then within
    // max(ra, rb) + |t* - t| (|xb - xa| + ra + rb) of the float one, plus its rounding
    const ra = load<f64>(pa + rd);
    const rb = load<f64>(pb + rd);
    const ea = valueError(e0, k1, ra);
    const eb = valueError(e0, k1, rb);
    const gap = dv - ea - eb - (dv + ea + eb) * (8 * U);
    const den = dv * gap;
    const dt = gap > 0 && den > 1e-300 ? ((ea * -vb_ + eb * va + underflow(2)) / den) * (1 + 16 * U) + 8 * U : Infinity;
    let rad = (maxNonNeg(ra, rb) + dt * (spread + ra + rb) + 8 * U * size) * (1 + 32 * U) + underflow(64);
    if (!(rad <= RADIUS_REFRESH)) {
      ndVertexSolves += 1;
      rad = rowsRadius(q, table);
      if (!(rad < Infinity)) return -1;
    }
    store<f64>(q + rd, rad);
    if (slot >= 0) {
      store<u64>(keptKeys + ((slot as usize) << 3), key);
      store<u32>(keptStamp + ((slot as usize) << 2), keptNow);
      copyVertex(keptRec + (slot as usize) * VB, q);
      keptCount++;
    }
  }
  return nf;
}

/**
 * Splits f's vertices by row ri (vertexSides ran on f with it): g (pushed on top of f, a copy of
 * its header) gets the positive side, f keeps the negative side in place; both boxes shrink to
 * their vertices. False when the children cannot have vertex lists (they are H-cells then).
 */
export function vertexSplit(f: usize, g: usize, ri: i32): bool {
  const nf = crossings(f, ri);
  const off = fi(f, F_VOFF);
  const nv = fi(f, F_VCNT);
  const np = curPos;
  const nn = curNeg;
  const gOff = off + (TABLE as i32) + max(nv, nn + nf) * (VB as i32);
  const cut = wordsCut;
  wordsCut = -1;
  if (nf < 0 || nn + nf > CELL_MAX || np + nf > CELL_MAX || gOff + (TABLE as i32) + (np + nf) * (VB as i32) > arenaBytes) {
    dropVertices(f);
    dropVertices(g);
    ndVertexLost += 1;
    return false;
  }
  const base = vertsOf(f);
  // (the crossings' words, from f's vertices before they move)
  if (fi(f, F_WORDS) != 0) {
    const ok = cut >= 0 && crossingWords(base, blockOf(f), nf, wordsLayer, cut, wordsCount);
    setFi(f, F_WORDS, ok ? 1 : 0);
    setFi(g, F_WORDS, ok ? 1 : 0);
  }
  const gTable = arena + (gOff as usize);
  memory.copy(gTable, blockOf(f), TABLE); // (with the new row's bit, set by crossings)
  const gb = gTable + TABLE;
  for (let a = 0; a < np; a++) {
    copyVertex(gb + (a as usize) * VB, base + (load<i32>(posIdx + ((a as usize) << 2)) as usize) * VB);
  }
  memory.copy(gb + (np as usize) * VB, fresh, (nf as usize) * VB);
  setFi(g, F_VOFF, gOff);
  setFi(g, F_VCNT, np + nf);
  keepInPlace(f, negIdx, nn, nf);
  return true;
}

/**
 * f's vertex list in place: the n vertices listed in idx (ascending: in order, a copy never
 * overtakes), then the nf crossings.
 */
function keepInPlace(f: usize, idx: usize, n: i32, nf: i32): void {
  const base = vertsOf(f);
  for (let b = 0; b < n; b++) {
    const ib = load<i32>(idx + ((b as usize) << 2));
    if (ib != b) copyVertex(base + (b as usize) * VB, base + (ib as usize) * VB);
  }
  memory.copy(base + (n as usize) * VB, fresh, (nf as usize) * VB);
  setFi(f, F_VCNT, n + nf);
}

/** Shrinks f's box to its vertices' box (each widened by its radius, rounded outwards). */
export function boxFromVertices(f: usize): void {
  const nv = fi(f, F_VCNT);
  const base = vertsOf(f);
  if (nv == 0) return;
  const vb = VB;
  // (one pass over the vertices for every coordinate: they are read once; the extremes are taken
  // on orderKey's integers, without the branches of f64.min and f64.max)
  let mn0 = I64.MAX_VALUE, mn1 = I64.MAX_VALUE, mn2 = I64.MAX_VALUE, mn3 = I64.MAX_VALUE;
  let mx0 = I64.MIN_VALUE, mx1 = I64.MIN_VALUE, mx2 = I64.MIN_VALUE, mx3 = I64.MIN_VALUE;
  // (orderKey orders no NaN: their sum, NaN if any of them is, leaves the box as it is then; the
  // vertices' coordinates and radii are finite, so this only guards the invariant)
  let all: f64 = 0;
  for (let i = 0; i < nv; i++) {
    const v = base + (i as usize) * vb;
    const r = radiusOf(v);
    const x0 = load<f64>(v), x1 = load<f64>(v, 8), x2 = load<f64>(v, 16);
    all += x0 + x1 + x2 + r;
    mn0 = min<i64>(mn0, orderKey(x0 - r));
    mx0 = max<i64>(mx0, orderKey(x0 + r));
    mn1 = min<i64>(mn1, orderKey(x1 - r));
    mx1 = max<i64>(mx1, orderKey(x1 + r));
    mn2 = min<i64>(mn2, orderKey(x2 - r));
    mx2 = max<i64>(mx2, orderKey(x2 + r));
    if (D == 4) {
      const x3 = load<f64>(v, 24);
      mn3 = min<i64>(mn3, orderKey(x3 - r));
      mx3 = max<i64>(mx3, orderKey(x3 + r));
      all += x3;
    }
  }
  if (all != all) return;
  shrinkTo(f, 0, orderedDouble(mn0), orderedDouble(mx0));
  shrinkTo(f, 1, orderedDouble(mn1), orderedDouble(mx1));
  shrinkTo(f, 2, orderedDouble(mn2), orderedDouble(mx2));
  if (D == 4) shrinkTo(f, 3, orderedDouble(mn3), orderedDouble(mx3));
}

/** f's box in coordinate k shrunk to [mn, mx] (the vertices' float extent), rounded outwards. */
@inline function shrinkTo(f: usize, k: i32, mn: f64, mx: f64): void {
  // one rounding each way: a relative u of the result
  mn -= abs(mn) * 4 * U + underflow(4);
  mx += abs(mx) * 4 * U + underflow(4);
  if (mn > lo(f, k)) setLo(f, k, min(mn, hi(f, k)));
  if (mx < hi(f, k)) setHi(f, k, max(mx, lo(f, k)));
}

/**
 * A unit resumed from a record (loadUnitNd: its rows 0 .. rowTop - 1 and orientations on f) gets
 * vertices: the domain's box, whose rows are appended, clipped by each oriented row of the cell.
 * Nothing is changed but f's vertex list and the appended rows; the cell stays an H-cell when a
 * clip is not certified.
 */
export function vertexRebuild(f: usize): void {
  dropVertices(f);
  if (!vOn) return;
  const start = fi(f, F_ROWTOP); // the rows loaded
  // the domain box's sides: the unit's own rows where it kept them (a unit made from a rebuilt one
  // carries them), the others appended, so a unit never holds more than 2 D of them
  let top = start;
  for (let i = 0; i < 2 * D; i++) {
    const src = domainRows + (((i * (D + 1)) as usize) << 3);
    let at = -1;
    for (let j = 0; j < start && at < 0; j++) {
      const r = rowAt(j);
      if (orient(f, j) != 1 || rowKind(r) != LINE_RAW) continue;
      let same = true;
      for (let k = 0; k <= D && same; k++) same = rowCoef(r, k) == load<f64>(src + ((k as usize) << 3));
      if (same) at = j;
    }
    if (at < 0) {
      if (top >= rowCap) return;
      at = top++;
      const r = rowAt(at);
      memory.copy(r, src, ((D + 1) as usize) << 3);
      memory.fill(r + (((D + 1) as usize) << 3), 0, ((D + 1) as usize) << 3);
      setRowSource(r, LINE_RAW, 0, 0, 0, -1);
      setRowDepth(r, -1);
    }
    store<i32>(sideRows + ((i as usize) << 2), at);
  }
  // the domain's box as vertices (from the packed box: the frame's box may be smaller)
  boxVertices(f, sideRows, 0);
  for (let i = 0; i < start; i++) {
    const o = orient(f, i);
    const r = rowAt(i);
    if (o == 0 || rowKind(r) == LINE_RAW) continue;
    const b = vertexSides(f, r, o as f64);
    if (b == 1) continue; // redundant on the cell so far
    if (b != 3 || !clipKeepPositive(f, i)) {
      dropVertices(f);
      return;
    }
  }
  for (let i = start; i < top; i++) setOrient(f, i, 1);
  rowTopAfterRebuild = top;
  boxFromVertices(f);
}

/** Rows in use after vertexRebuild (the caller sets the frame's row top and rowTop). */
export let rowTopAfterRebuild = 0;

/** Clips f's vertices to the positive side of row ri (vertexSides ran with it): false on failure. */
function clipKeepPositive(f: usize, ri: i32): bool {
  const nf = crossings(f, ri);
  const np = curPos;
  if (nf < 0 || np + nf > CELL_MAX || fi(f, F_VOFF) + (TABLE as i32) + max(fi(f, F_VCNT), np + nf) * (VB as i32) > arenaBytes) return false;
  keepInPlace(f, posIdx, np, nf);
  return true;
}

/**
 * Drops the rows of f that no vertex lies on (orientation 0): each holds strictly at every vertex,
 * so strictly on the cell, and is no facet of it or of any cell below.
 */
export function vertexPrune(f: usize): void {
  let used = usedBits(f);
  const table = blockOf(f);
  stamp++;
  while (used != 0) {
    store<u32>(rowStamp + ((bitRow(table, ctz<u64>(used) as i32) as usize) << 2), stamp);
    used &= used - 1;
  }
  const top = fi(f, F_ROWTOP);
  for (let i = 0; i < top; i++) {
    if (orient(f, i) != 0 && load<u32>(rowStamp + ((i as usize) << 2)) != stamp) setOrient(f, i, 0);
  }
}

/** Row i is a facet of f's cell: some vertex lies on it (every row through a simple vertex is one). */
export function vertexFacet(f: usize, i: i32): bool {
  ndVertexFacets += 1;
  const table = blockOf(f);
  let used = usedBits(f);
  while (used != 0) {
    if (bitRow(table, ctz<u64>(used) as i32) == i) return true;
    used &= used - 1;
  }
  return false;
}

/** The centroid of f's vertices into dst (a candidate interior point, to be checked exactly). */
export function vertexCentroid(f: usize, dst: usize): void {
  const nv = fi(f, F_VCNT);
  const base = vertsOf(f);
  for (let k = 0; k < D; k++) {
    let s: f64 = 0;
    for (let a = 0; a < nv; a++) s += load<f64>(base + (a as usize) * VB + ((k as usize) << 3));
    store<f64>(dst + ((k as usize) << 3), s / (nv as f64));
  }
}

// ---- Rump's bound ---------------------------------------------------------------------------------

@inline function aAt(i: i32, j: i32): f64 { return load<f64>(solveA + (((i * D + j) as usize) << 3)); }
@inline function cAt(i: i32, j: i32): f64 { return load<f64>(solveC + (((i * D + j) as usize) << 3)); }
@inline function setC(i: i32, j: i32, x: f64): void { store<f64>(solveC + (((i * D + j) as usize) << 3), x); }

/** solveC = adj(A) / det(A) for D = 3 (the columns are the rows' cross products); false if det = 0. */
function inverse3(): bool {
  const a00 = aAt(0, 0), a01 = aAt(0, 1), a02 = aAt(0, 2);
  const a10 = aAt(1, 0), a11 = aAt(1, 1), a12 = aAt(1, 2);
  const a20 = aAt(2, 0), a21 = aAt(2, 1), a22 = aAt(2, 2);
  const c00 = a11 * a22 - a12 * a21, c10 = a12 * a20 - a10 * a22, c20 = a10 * a21 - a11 * a20;
  const det = a00 * c00 + a01 * c10 + a02 * c20;
  if (det == 0 || !isFinite(det)) return false;
  const k = 1 / det;
  setC(0, 0, c00 * k); setC(1, 0, c10 * k); setC(2, 0, c20 * k);
  setC(0, 1, (a21 * a02 - a22 * a01) * k); setC(1, 1, (a22 * a00 - a20 * a02) * k); setC(2, 1, (a20 * a01 - a21 * a00) * k);
  setC(0, 2, (a01 * a12 - a02 * a11) * k); setC(1, 2, (a02 * a10 - a00 * a12) * k); setC(2, 2, (a00 * a11 - a01 * a10) * k);
  return true;
}

/** solveC = adj(A) / det(A) for D = 4 (Laplace by the 2 x 2 minors of rows 0-1 and 2-3). */
function inverse4(): bool {
  const a00 = aAt(0, 0), a01 = aAt(0, 1), a02 = aAt(0, 2), a03 = aAt(0, 3);
  const a10 = aAt(1, 0), a11 = aAt(1, 1), a12 = aAt(1, 2), a13 = aAt(1, 3);
  const a20 = aAt(2, 0), a21 = aAt(2, 1), a22 = aAt(2, 2), a23 = aAt(2, 3);
  const a30 = aAt(3, 0), a31 = aAt(3, 1), a32 = aAt(3, 2), a33 = aAt(3, 3);
  const s0 = a00 * a11 - a10 * a01, s1 = a00 * a12 - a10 * a02, s2 = a00 * a13 - a10 * a03;
  const s3 = a01 * a12 - a11 * a02, s4 = a01 * a13 - a11 * a03, s5 = a02 * a13 - a12 * a03;
  const c5 = a22 * a33 - a32 * a23, c4 = a21 * a33 - a31 * a23, c3 = a21 * a32 - a31 * a22;
  const c2 = a20 * a33 - a30 * a23, c1 = a20 * a32 - a30 * a22, c0 = a20 * a31 - a30 * a21;
  const det = s0 * c5 - s1 * c4 + s2 * c3 + s3 * c2 - s4 * c1 + s5 * c0;
  if (det == 0 || !isFinite(det)) return false;
  const k = 1 / det;
  setC(0, 0, (a11 * c5 - a12 * c4 + a13 * c3) * k);
  setC(0, 1, (-a01 * c5 + a02 * c4 - a03 * c3) * k);
  setC(0, 2, (a31 * s5 - a32 * s4 + a33 * s3) * k);
  setC(0, 3, (-a21 * s5 + a22 * s4 - a23 * s3) * k);
  setC(1, 0, (-a10 * c5 + a12 * c2 - a13 * c1) * k);
  setC(1, 1, (a00 * c5 - a02 * c2 + a03 * c1) * k);
  setC(1, 2, (-a30 * s5 + a32 * s2 - a33 * s1) * k);
  setC(1, 3, (a20 * s5 - a22 * s2 + a23 * s1) * k);
  setC(2, 0, (a10 * c4 - a11 * c2 + a13 * c0) * k);
  setC(2, 1, (-a00 * c4 + a01 * c2 - a03 * c0) * k);
  setC(2, 2, (a30 * s4 - a31 * s2 + a33 * s0) * k);
  setC(2, 3, (-a20 * s4 + a21 * s2 - a23 * s0) * k);
  setC(3, 0, (-a10 * c3 + a11 * c1 - a12 * c0) * k);
  setC(3, 1, (a00 * c3 - a01 * c1 + a02 * c0) * k);
  setC(3, 2, (-a30 * s3 + a31 * s1 - a32 * s0) * k);
  setC(3, 3, (a20 * s3 - a21 * s1 + a22 * s0) * k);
  return true;
}

/**
 * A rigorous bound on |x - x*|_inf for the float vertex q, whose exact vertex solves A* x* + b* = 0
 * over its D rows (A* = A + dA with |dA_ik| <= the rows' coefficient errors): with C ~ A^-1 and
 * res* = A* x + b* (|res*_i| <= rho), A* (x - x*) = res*, so (I - G)(x - x*) = C res* with
 * G = I - C A* and ||G|| <= ||I - C A|| + ||C|| ||dA||. Infinity when the bound fails.
 */
/**
 * A bound on ||I - C A||_inf for n x n row-major float matrices C and A (an approximate inverse and
 * its matrix), before the caller's inflation for the rounding of the bound itself: the computed
 * entries of I - C A plus each one's rounding, gamma_{n+2} (|C| |A| + 1) and n underflows. Used
 * by Rump's residual bound here and in the mesh (mesh-nd.ts).
 */
export function identityGap(C: usize, A: usize, n: i32): f64 {
  let gap: f64 = 0;
  const g = gamma(n + 2);
  for (let i = 0; i < n; i++) {
    let row: f64 = 0;
    for (let j = 0; j < n; j++) {
      let s: f64 = i == j ? 1.0 : 0.0;
      let size: f64 = 1;
      for (let k = 0; k < n; k++) {
        const t = load<f64>(C + (((i * n + k) as usize) << 3)) * load<f64>(A + (((k * n + j) as usize) << 3));
        s -= t;
        size += abs(t);
      }
      row += abs(s) + g * size + underflow(n);
    }
    gap = max(gap, row);
  }
  return gap;
}

function rowsRadius(q: usize, table: usize): f64 {
  let rho: f64 = 0;
  let epsA: f64 = 0;
  let mask = maskOf(q);
  for (let i = 0; i < D; i++) {
    const r = rowAt(bitRow(table, ctz<u64>(mask) as i32));
    mask &= mask - 1;
    let res = rowCoef(r, D);
    let size = abs(res);
    let err = rowErr(r, D);
    let rowEps: f64 = 0;
    for (let k = 0; k < D; k++) {
      const a = rowCoef(r, k);
      store<f64>(solveA + (((i * D + k) as usize) << 3), a);
      const x = load<f64>(q + ((k as usize) << 3));
      const t = a * x;
      res += t;
      size += abs(t);
      err += rowErr(r, k) * abs(x);
      rowEps += rowErr(r, k);
    }
    rho = max(rho, inflate(abs(res) + err + gamma(D + 1) * size + underflow(D), 3 * D + 8));
    epsA = max(epsA, rowEps);
  }
  if (!(D == 3 ? inverse3() : inverse4())) return Infinity;
  // ||C||_inf and ||I - C A||_inf
  let normC: f64 = 0;
  for (let i = 0; i < D; i++) {
    let rowC: f64 = 0;
    for (let j = 0; j < D; j++) rowC += abs(cAt(i, j));
    normC = max(normC, rowC);
  }
  normC = inflate(normC, D + 2);
  const normG = inflate(identityGap(solveC, solveA, D), 3 * D + 4);
  const den = 1 - normG - inflate(normC * epsA, 2);
  if (!(den > 0.5) || !isFinite(normC)) return Infinity;
  // den is within a few ulps of its true value (>= 1/2): the quotient's slack covers it
  return inflate(normC * rho / den, 8);
}

// ---- the last sign layer, counted without frames -----------------------------------------------

let leafArena: usize = 0;
const LEAF_ARENA: i32 = 1 << 18;
const LEAF_DEPTH: i32 = 256; // units of one layer the leaf count takes (more: the frames do it)
let leafTable: usize = 0; // the cell's 64 facet bits' rows, with the layer's units' bits added
let leafBits: usize = 0; // u64 per unit of the list: its bit
let leafOff: usize = 0; // i32 per level of the leaf stack: its cell's block (bytes into leafArena)
let leafCnt: usize = 0; // i32 per level: its vertices
let leafTodo: usize = 0; // u64 per level: the list units its cell has not decided (bit j: unit j of the list)
let leafCut: usize = 0; // i32 per level: the unit its cell split on last (the level's cell is that unit's negative side)
// u64 per vertex slot of leafArena (a vertex at byte o of the arena has slot o / VB): bit j is the
// certified sign of list unit j at that vertex (1: positive), for every unit its cell has not decided
let leafWords: usize = 0;
let freshWords: usize = 0; // the same for the crossings of a split (`fresh`)
let leafBounds: usize = 0; // per unit of the list: its row's entry (rowEntry: c, a, E0, K1)
// The values leafSigns takes at the cell's vertices, kept (unit j's at leafVals + j nv) when the
// m nv of them fit: the sections' first level reads its units' values there (storedSides) instead
// of evaluating them again
const VALS_CAP = 4096;
let leafVals: usize = 0;
let leafValsN = 0; // nv when they are kept, else 0
// the gain filter's region ids for the leaves (it keeps a region's gains by id): 2^52 and up, never
// a frame's region number, and never the same twice (a count that falls back to the frames must
// not find a leaf's gains under its own regions' ids)
let leafSerial: f64 = 4503599627370496;

/** Whether vertexLeaves can take f's cell with m units (their rows not written yet): a bit for each. */
export function leafFits(f: usize, m: i32): bool {
  return m <= LEAF_DEPTH && (popcnt<u64>(~usedBits(f)) as i32) >= m;
}

/**
 * The regions the m units whose rows are rowAt(first .. first + m - 1) cut f's cell into, when
 * they are the undecided units of layer l, the last sign layer (its regions are then the
 * network's): the frames' certified signs and crossings (each cell sides its units at its
 * vertices and splits on the first that crosses it), on vertex lists alone, with no map, witness
 * or frame per cell. The cells are the arrangement's, whatever the order of the splits.
 * With `linear`, each region's facets must be certified by the gain filter to join nothing (the
 * frames would neither file nor prove them; gain-nd.ts), the region's states written into
 * `pattern` for it. 0 when a sign or a gain is not certified or a list does not fit: f is
 * unchanged (pattern's layer l is not), and the frames count it instead. -1 when `budget` unit
 * tests were made first (a cell's decisions count one test per unit undecided on it): the count
 * waits, and vertexLeavesResume goes on with it.
 */
export function vertexLeaves(f: usize, first: i32, m: i32, l: i32, linear: bool, budget: i32): i32 {
  leafPending = false;
  if (!leafBegin(f, first, m, l, linear)) return leafEnd(0);
  if (sectionsOn && (sideMask == 0 || !leafOnSide())) {
    const n = sectionCount(first, m, l);
    if (n > 0) return leafEnd(n);
  }
  return leafGoOn(budget);
}

/** Whether a leaf count of frame f stopped at its budget and can go on (vertexLeavesResume). */
export function leafPendingFor(f: usize): bool {
  return leafPending && lcFrame == f;
}

/** The stopped leaf count goes on (leafPendingFor was true): as vertexLeaves. */
export function vertexLeavesResume(budget: i32): i32 {
  leafPending = false;
  return leafGoOn(budget);
}

/** A stopped leaf count is dropped (its frame may move: the frames count its cell, or it starts again). */
export function leafAbandon(): void {
  if (leafPending && lcLinear) gainLeafEnd();
  if (leafPending) sideRecordsBack(lcRecords);
  leafPending = false;
}

/** Unit tests the last vertexLeaves or vertexLeavesResume made (steps of the run loop). */
export let leafTests = 0;
/** No unit tests made yet (before a leaf count may be tried). */
export function leafTestsReset(): void { leafTests = 0; }

// the leaf count in progress: its cell, units and layer, and the depth-first stack's top
let leafPending = false;
let lcFrame: usize = 0;
let lcFirst = 0;
let lcL = 0;
let lcLinear = false;
let lcTrack = false; // the leaves' states are kept in `pattern` (linear regions, side records)
let lcRecords = 0; // the side records before this leaf count
let lcTop = 0;
let lcLeaves = 0;

function leafGoOn(budget: i32): i32 {
  leafTests = 0;
  const n = leafRun(max(budget, 1));
  if (n < 0) {
    leafPending = true;
    return -1;
  }
  return leafEnd(n);
}

function leafEnd(n: i32): i32 {
  if (lcLinear) gainLeafEnd();
  // (a leaf count the frames take over: its regions will be recorded again, by the frames)
  if (n == 0) sideRecordsBack(lcRecords);
  if (n > 0) ndLeafRegions += n as f64;
  else ndLeafFallbacks += 1;
  return n;
}

function leafBegin(f: usize, first: i32, m: i32, l: i32, linear: bool): bool {
  lcLinear = linear;
  lcTrack = linear || sideMask != 0;
  lcRecords = sideRecordCount();
  if (m > LEAF_DEPTH) return false;
  if (leafArena == 0) {
    leafArena = allocRaw(LEAF_ARENA as usize);
    leafTable = allocRaw(TABLE);
    leafBits = allocRaw((LEAF_DEPTH as usize) << 3);
    leafOff = allocRaw(((LEAF_DEPTH + 1) as usize) << 2);
    leafCnt = allocRaw(((LEAF_DEPTH + 1) as usize) << 2);
    leafTodo = allocRaw(((LEAF_DEPTH + 1) as usize) << 3);
    leafCut = allocRaw(((LEAF_DEPTH + 1) as usize) << 2);
    leafWords = allocRaw(((LEAF_ARENA / 40 + 1) as usize) << 3); // (VB >= 40 bytes)
    freshWords = allocRaw((CELL_MAX as usize) << 3);
    if (D == 4) {
      keptKeys = allocRaw((KEEP_CAP as usize) << 3);
      keptStamp = alloc((KEEP_CAP as usize) << 2);
      keptRec = allocRaw((KEEP_CAP as usize) * VB);
    }
    leafBounds = allocRaw((LEAF_DEPTH as usize) << 6);
    leafVals = allocRaw((VALS_CAP as usize) << 3);
    if (leafVals == 0) return false;
  }
  // the units take the bits the cell's vertices leave free
  memory.copy(leafTable, blockOf(f), TABLE);
  let free = ~usedBits(f);
  for (let j = 0; j < m; j++) {
    if (free == 0) return false;
    const b = ctz<u64>(free);
    free &= free - 1;
    store<u64>(leafBits + ((j as usize) << 3), (1 as u64) << b);
    store<i32>(leafTable + ((b as usize) << 2), first + j);
    // (each unit's row and error bound once for the cell: the bound depends on the row alone)
    rowEntry(leafBounds + ((j as usize) << 6), rowAt(first + j));
  }
  const nv0 = fi(f, F_VCNT);
  if (nv0 * (VB as i32) > LEAF_ARENA) return false;
  memory.copy(leafArena, vertsOf(f), (nv0 as usize) * VB);
  keptReset();
  const every: u64 = m == 64 ? <u64>-1 : ((1 as u64) << (m as u64)) - 1;
  memory.fill(leafWords, 0, (nv0 as usize) << 3);
  leafValsN = m * nv0 <= VALS_CAP ? nv0 : 0;
  if (!leafSigns(leafArena, nv0, leafWords, every, leafValsN > 0)) return false;
  store<i32>(leafOff, 0);
  store<i32>(leafCnt, nv0);
  store<u64>(leafTodo, every);
  lcFrame = f;
  lcFirst = first;
  lcL = l;
  lcTop = 0;
  lcLeaves = 0;
  if (lcTrack) memory.copy(pattern + (unitOffset(l) as usize), fStates(f), units(l) as usize);
  if (linear && (!gainLeafBase(l, pattern, f + listOff, m) || !gainLeafStart(l, m + 1))) return false;
  return true;
}

/**
 * The depth-first count from where it stands, for at most `budget` unit tests: the number of
 * regions when it is done, 0 when the cell goes to the frames, -1 when the budget ran out (the
 * stack, the vertices' signs, the pattern's states and the gain sums stay as they are, to go on
 * from). Each vertex carries the signs of the units its cell has not decided (leafWords), so a
 * cell decides all of them at once from its vertices' words: a unit whose signs are all one way
 * misses the cell and keeps that state on all its regions, and the first unit with signs both ways
 * splits it. The units left get their signs at the split's crossings only (the other vertices of
 * both sides had theirs): each unit's sign at each vertex is computed once.
 */
function leafRun(budget: i32): i32 {
  const first = lcFirst;
  const l = lcL;
  const linear = lcLinear;
  const track = lcTrack;
  const list = lcFrame + listOff;
  const states = pattern + (unitOffset(l) as usize);
  let top = lcTop;
  let leaves = lcLeaves;
  while (top >= 0) {
    const lp = (top as usize) << 2;
    const todo = load<u64>(leafTodo + ((top as usize) << 3));
    const off = load<i32>(leafOff + lp);
    const nv = load<i32>(leafCnt + lp);
    const base = leafArena + (off as usize);
    const words = leafWords + (((off / (VB as i32)) as usize) << 3);
    let cut: u64 = 0;
    if (todo != 0) {
      if (leafTests >= budget) {
        lcTop = top;
        lcLeaves = leaves;
        return -1;
      }
      leafTests += popcnt<u64>(todo) as i32;
      const any = orWords(words, nv);
      const all = wordsAnd;
      cut = any & ~all & todo;
      if (track) {
        let decided = todo & ~cut;
        while (decided != 0) {
          const j = ctz<u64>(decided);
          decided &= decided - 1;
          const st = ((all >> j) & 1) as i32;
          const u = load<i32>(list + ((j as usize) << 2));
          store<u8>(states + (u as usize), st as u8);
          if (linear) gainLeafDecide(top, l, u, st);
        }
      }
    }
    if (cut == 0) {
      if (linear || sideMask != 0) {
        const used = bitsOf(base, nv);
        if (linear) {
          const id = leafSerial++;
          gainLeafRegion(id, top, l);
          if (!leafSeparates(used, id)) return 0;
        }
        if (sideMask != 0 && !leafRecord(used)) return 0;
      }
      leaves++;
      top--;
      // the cell below split on leafCut, and is now that unit's negative side
      if (track && top >= 0) {
        const js = load<i32>(leafCut + ((top as usize) << 2));
        store<u8>(states + (load<i32>(list + ((js as usize) << 2)) as usize), 0);
      }
      continue;
    }
    const j = ctz<u64>(cut) as i32;
    const rest = cut & (cut - 1);
    // (j's signs are known; the crossings need its values)
    if (leafTest(base, nv, first, j) != 3) return 0;
    const nf = crossAt(base, leafTable, load<u64>(leafBits + ((j as usize) << 3)), D == 4);
    const np = curPos;
    const nn = curNeg;
    // the negative side stays in place, the positive side's list goes after it (as in vertexSplit)
    const gOff = off + max(nv, nn + nf) * (VB as i32);
    if (nf < 0 || nn + nf > CELL_MAX || np + nf > CELL_MAX || gOff + (np + nf) * (VB as i32) > LEAF_ARENA) return 0;
    if (!edgeWords(words, nf, freshWords, rest)) return 0;
    const gb = leafArena + (gOff as usize);
    const gw = leafWords + (((gOff / (VB as i32)) as usize) << 3);
    for (let a = 0; a < np; a++) {
      const ia = load<i32>(posIdx + ((a as usize) << 2)) as usize;
      copyVertex(gb + (a as usize) * VB, base + ia * VB);
      store<u64>(gw + ((a as usize) << 3), load<u64>(words + (ia << 3)));
    }
    memory.copy(gb + (np as usize) * VB, fresh, (nf as usize) * VB);
    memory.copy(gw + ((np as usize) << 3), freshWords, (nf as usize) << 3);
    for (let a = 0; a < nn; a++) {
      const ia = load<i32>(negIdx + ((a as usize) << 2));
      if (ia == a) continue;
      copyVertex(base + (a as usize) * VB, base + (ia as usize) * VB);
      store<u64>(words + ((a as usize) << 3), load<u64>(words + ((ia as usize) << 3)));
    }
    memory.copy(base + (nn as usize) * VB, fresh, (nf as usize) * VB);
    memory.copy(words + ((nn as usize) << 3), freshWords, (nf as usize) << 3);
    store<i32>(leafCnt + lp, nn + nf);
    store<u64>(leafTodo + ((top as usize) << 3), rest);
    store<i32>(leafCut + lp, j);
    if (track) {
      const u = load<i32>(list + ((j as usize) << 2));
      store<u8>(states + (u as usize), 1);
      if (linear) gainLeafSplit(top, l, u);
    }
    top++;
    const gp = (top as usize) << 2;
    store<i32>(leafOff + gp, gOff);
    store<i32>(leafCnt + gp, np + nf);
    store<u64>(leafTodo + ((top as usize) << 3), rest);
  }
  return leaves;
}

let wordsAnd: u64 = 0; // the AND of the words orWords read

/** The OR of the n sign words at `words` (bit j: list unit j positive at a vertex); their AND in wordsAnd. */
@inline function orWords(words: usize, n: i32): u64 {
  let any: u64 = 0;
  let all: u64 = <u64>-1;
  for (let i = 0; i < n; i++) {
    const w = load<u64>(words + ((i as usize) << 3));
    any |= w;
    all &= w;
  }
  wordsAnd = all;
  return any;
}

/** The certified sides of list unit j on the nv vertices at `base` (signsWith with its bound). */
@inline function leafTest(base: usize, nv: i32, first: i32, j: i32): i32 {
  const jb = leafBounds + ((j as usize) << 6);
  return signsWith(base, nv, leafTable, rowAt(first + j), 1, load<f64>(jb, 40), load<f64>(jb, 48));
}

/**
 * The certified signs of the list units in `units` at the n vertices at `base` (rows named by
 * leafTable), as bits into their words (zero there before): false when one cannot be certified,
 * even with the vertex's radius recomputed (the frames take the cell then).
 */
function leafSigns(base: usize, n: i32, words: usize, units: u64, keep: bool): bool {
  while (units != 0) {
    const j = ctz<u64>(units);
    units &= units - 1;
    const jb = leafBounds + ((j as usize) << 6);
    const out = leafVals + (((j as i32) * n) as usize << 3); // (when kept)
    const e0 = load<f64>(jb, 40);
    const k1 = load<f64>(jb, 48);
    const c = load<f64>(jb);
    const a0 = load<f64>(jb, 8);
    const a1 = load<f64>(jb, 16);
    const a2 = load<f64>(jb, 24);
    const a3 = D == 4 ? load<f64>(jb, 32) : 0.0;
    // (as signsWith, each dimension's dot product unrolled)
    if (D == 3) {
      for (let i = 0; i < n; i++) {
        const v = base + (i as usize) * VB;
        const s = value3(v, c, a0, a1, a2);
        if (!certain(leafTable, v, 24, s, e0, k1)) {
          ndVertexUnsure += 1;
          return false;
        }
        if (keep) store<f64>(out + ((i as usize) << 3), s);
        const w = words + ((i as usize) << 3);
        store<u64>(w, load<u64>(w) | ((<u64>(s > 0)) << j));
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = base + (i as usize) * VB;
        const s = value4(v, c, a0, a1, a2, a3);
        if (!certain(leafTable, v, 32, s, e0, k1)) {
          ndVertexUnsure += 1;
          return false;
        }
        if (keep) store<f64>(out + ((i as usize) << 3), s);
        const w = words + ((i as usize) << 3);
        store<u64>(w, load<u64>(w) | ((<u64>(s > 0)) << j));
      }
    }
    ndVertexSigns += n as f64;
  }
  return true;
}

/**
 * The signs of the list units in `units` at the nf crossings crossAt just made (into `fresh`, from
 * the leaf count's vertices whose signs are in `words`), as words into `out` (wordsAcross): false
 * when one cannot be certified.
 */
@inline function edgeWords(words: usize, nf: i32, out: usize, units: u64): bool {
  return wordsAcross(words, 8, nf, out, 8, units, leafBounds, leafTable);
}

/** Whether the leaf count's cell (leafBegin ran) has a vertex on a recorded side (sides-nd.ts). */
function leafOnSide(): bool {
  let used = bitsOf(leafArena, load<i32>(leafCnt));
  while (used != 0) {
    const row = bitRow(leafTable, ctz<u64>(used) as i32);
    used &= used - 1;
    if (row < 32 && ((sideMask >> (row as u32)) & 1) != 0) return true;
  }
  return false;
}

/**
 * The side record of the leaf region whose vertices lie on the rows of `used` (bits of leafTable;
 * its states in `pattern`), when one is a recorded side of the domain (sides-nd.ts): false when
 * memory ran out.
 */
function leafRecord(used: u64): bool {
  let touching: u32 = 0;
  while (used != 0) {
    const row = bitRow(leafTable, ctz<u64>(used) as i32);
    used &= used - 1;
    if (row < 32 && ((sideMask >> (row as u32)) & 1) != 0) touching |= (1 as u32) << (row as u32);
  }
  return touching == 0 || sideRecord(sideLeafId(), touching, pattern);
}

/**
 * Every facet of the region whose vertices lie on the rows of `used` (bits of leafTable) joins
 * nothing: a unit's row whose gain the filter certifies (gain-nd.ts, with the region's states in
 * `pattern`), or a side of the domain.
 */
function leafSeparates(used: u64, id: f64): bool {
  while (used != 0) {
    const r = rowAt(bitRow(leafTable, ctz<u64>(used) as i32));
    used &= used - 1;
    const kind = rowKind(r);
    if (kind == LINE_RAW) continue;
    if (kind != LINE_ROW) return false;
    const unit = rowUnit(r);
    const ul = load<i32>(unitLayer + ((unit as usize) << 2));
    if (!gainSeparates(id, ul, unit - unitOffset(ul), pattern)) return false;
  }
  return true;
}

// ---- the last sign layer by sections (a count with nothing but the number asked) ---------------
//
// Inside the open cell P the units that cross it (signs both ways at its vertices) are hyperplanes
// of an arrangement. When every set S of them whose intersection X_S meets P has codimension |S|
// (so no D + 1 of them share a point of P, none contains the intersection of others there), P is
// cut into as many regions as there are such sets, the empty set included: Zaslavsky's count
// restricted to a convex open set, sum over the flats X meeting P of |mu(X)|, every |mu| being 1
// (Zaslavsky 1975; Stanley, "An introduction to hyperplane arrangements", 2.2). The sets are
// found in increasing order of their units, each by sections: P cut by its first unit is a
// (D - 1)-polytope whose vertices are the crossings of that unit with P's edges (crossAt, as at a
// split), that section cut by the next unit, and so on. A unit with certified signs both ways at
// a section's vertices meets its relative interior transversally: one more set. A sign that cannot
// be certified (a unit through a section's vertex, or containing the section) leaves the cell to
// the split count. On the 1-dimensional sections (segments) every other unit that crosses is
// placed by an interval of its crossing's parameter, and the intervals must be disjoint: two units
// crossing a segment at one point would be D + 1 units through it. That is every condition of the
// count: a set S meeting P is reached through its prefixes, each of whose sections holds a point of
// X_S in its relative interior, so each next unit either crosses it with certified signs or leaves
// a sign uncertified. No region is visited, so nothing is known of each region but its existence:
// not used on a cell with a vertex on a recorded side (the pieces of the whole space record the
// regions touching their shared sides, sides-nd.ts: a cell with no vertex there has no region
// touching one); with linear regions only when the gain filter certifies every facet
// of every region of the cell at once, whatever the cut units' states (gainCellSeparates): the
// cell's linear regions are then its regions.
// The split count makes one split per region and carries every undecided unit's sign at every
// vertex; this makes one section per set, on smaller and smaller polytopes, and evaluates a unit
// only on the sections whose later units it may be.

/** Sections are tried before the split count (tests turn them off to compare). */
let sectionsOn = true;
export function setSections(on: bool): void { sectionsOn = on; }
export let ndSectionCells: f64 = 0; // cells the sections counted
// (a cell crossed by more units than this has too many sets for one step of the run loop: the
// split count, which stops at its budget, takes it)
const SECTION_MAX = 24;
let secBuf: usize = 0; // D - 1 levels of CELL_MAX vertices: the sections
let secWords: usize = 0; // D - 1 levels of CELL_MAX u64: the signs of their later units at those vertices
let secLo: usize = 0; // f64 per unit: the crossing's parameter interval on the segment
let secHi: usize = 0;
let secBelow: usize = 0; // i32 per facet of the cell: its unit's index in layer l - 1, or -(index + 1) in layer l - 2
let secFree: usize = 0; // u64 per facet: the list units with signs both ways at its vertices
let secOn: usize = 0; // u64 per facet: the list units positive at all its vertices
let secBitOr: usize = 0; // u64 per facet bit: the OR of its vertices' words
let secBitAnd: usize = 0; // and their AND
let secUnit: usize = 0; // i32 per facet of layer l - 1 or l - 2: its unit (for the facet cache)

// Facets already certified, by name. A leaf cell is the region of layers 1 .. l - 1 with its
// states S there (a region is convex: one per pattern), and its facet on unit v (v's pre-activation
// is affine on it: one facet) is also the facet of the cell whose states are S with v's flipped.
// Each side's certificate covers the facet for every state of the units crossing it, which both
// sides share, so the second cell need not certify it again. Named exactly by (S without v, v)
// when layers 1 .. l - 1 have at most 64 units; a direct-mapped cache, so a name it lost is only
// certified again.
const FACET_BITS = 14;
let facetKeys: usize = 0; // u64 per slot: S without v's state
let facetUnits: usize = 0; // i32 per slot: 1 + v (0: empty)
export let ndFacetsKnown: f64 = 0; // facets of leaf cells not certified again

@inline function facetSlot(key: u64, unit: i32): usize {
  return <usize>(((key ^ ((unit as u64) << 58)) * 0x9E3779B97F4A7C15) >> ((64 - FACET_BITS) as u64));
}

/**
 * The regions of the leaf count's cell (leafBegin ran: its vertices at leafArena, their signs in
 * leafWords) by sections, or 0 when a condition is not certified (the split count takes it).
 */
function sectionCount(first: i32, m: i32, l: i32): i32 {
  const nv = load<i32>(leafCnt);
  const cut = orWords(leafWords, nv) & ~wordsAnd;
  const k = popcnt<u64>(cut) as i32;
  if (k > SECTION_MAX) return 0;
  if (secBuf == 0) {
    // (one block, so that no part of it is used when memory ran out: the count then stops for memory)
    const levels = ((D - 1) as usize) * (CELL_MAX as usize) * (VB + 8);
    const block = allocRaw(levels + (64 << 3) * 6 + (64 << 2) * 2);
    if (block == 0) return 0;
    secWords = block + ((D - 1) as usize) * (CELL_MAX as usize) * VB;
    secUnit = block + levels + (64 << 3) * 6 + (64 << 2);
    secLo = block + levels;
    secHi = secLo + (64 << 3);
    secFree = secHi + (64 << 3);
    secOn = secFree + (64 << 3);
    secBitOr = secOn + (64 << 3);
    secBitAnd = secBitOr + (64 << 3);
    secBelow = secBitAnd + (64 << 3);
    secBuf = block;
  }
  if (lcLinear) {
    // the cell's facets: domain sides (joining nothing) and units of layers l - 1 and l - 2 (their
    // gains certified below); a facet from a deeper layer leaves the cell to the split count
    let used = bitsOf(leafArena, nv);
    // (per facet bit, the OR and the AND of the words of the vertices on it: one pass)
    let fb = used;
    while (fb != 0) {
      const bit = ctz<u64>(fb);
      fb &= fb - 1;
      store<u64>(secBitOr + ((bit as usize) << 3), 0);
      store<u64>(secBitAnd + ((bit as usize) << 3), <u64>-1);
    }
    for (let i = 0; i < nv; i++) {
      const w = load<u64>(leafWords + ((i as usize) << 3));
      let mask = maskOf(leafArena + (i as usize) * VB);
      while (mask != 0) {
        const at = (ctz<u64>(mask) as usize) << 3;
        mask &= mask - 1;
        store<u64>(secBitOr + at, load<u64>(secBitOr + at) | w);
        store<u64>(secBitAnd + at, load<u64>(secBitAnd + at) & w);
      }
    }
    let nb = 0;
    const ob = unitOffset(l - 1);
    const ob2 = l >= 3 ? unitOffset(l - 2) : 0;
    // the cell's states of layers 1 .. l - 1 as bits (pattern holds them: the frames copy each
    // layer's states there at its end, and units start at layer 1), when they fit
    const below = unitOffset(l);
    if (below <= 64 && facetKeys == 0 && memoryTop() + ((12 as usize) << FACET_BITS) + (1 << 20) <= memoryLimit) {
      // (optional: never the allocation that fails a count)
      facetKeys = alloc((8 as usize) << FACET_BITS);
      facetUnits = alloc((4 as usize) << FACET_BITS);
    }
    const named = below <= 64 && facetUnits != 0;
    let cell: u64 = 0;
    if (named) {
      // (eight states, each byte 0 or 1, packed into eight bits by one product; pattern has 8 bytes
      // of room past its last unit)
      for (let i = 0; i < below; i += 8) {
        const x = load<u64>(pattern + (i as usize)) & 0x0101010101010101;
        cell |= ((x * 0x0102040810204080) >> 56) << (i as u64);
      }
      if (below < 64) cell &= ((1 as u64) << (below as u64)) - 1;
    }
    let ns = 0;
    while (used != 0) {
      const bit = ctz<u64>(used);
      const r = rowAt(bitRow(leafTable, bit as i32));
      used &= used - 1;
      const kind = rowKind(r);
      if (kind == LINE_RAW) continue;
      if (kind != LINE_ROW) return 0;
      const unit = rowUnit(r);
      const ul = load<i32>(unitLayer + ((unit as usize) << 2));
      if (ul != l - 1 && ul != l - 2) return 0;
      // (a facet of layer l - 1 that the set sums certify needs neither the cache nor the search;
      // the units on at all its points are those on at all the cell's vertices on it)
      if (ul == l - 1 && setsFacet(l, unit - ob, lcFrame + listOff, load<u64>(secBitAnd + ((bit as usize) << 3)))) continue;
      if (named) {
        store<i32>(secUnit + ((ns++ as usize) << 2), unit);
        const key = cell & ~((1 as u64) << (unit as u64));
        const at = facetSlot(key, unit);
        if (load<i32>(facetUnits + (at << 2)) == unit + 1 && load<u64>(facetKeys + (at << 3)) == key) {
          ndFacetsKnown += 1;
          continue;
        }
      }
      // (a region with a facet on this one has the states the units keep on its vertices, the
      // facet being the hull of the cell's vertices on it: only the units crossing it are free)
      const fa = load<u64>(secBitOr + ((bit as usize) << 3));
      const fl = load<u64>(secBitAnd + ((bit as usize) << 3));
      // (a unit of layer l - 2 as -(its index + 1))
      store<i32>(secBelow + ((nb as usize) << 2), ul == l - 1 ? unit - ob : ob2 - unit - 1);
      store<u64>(secFree + ((nb as usize) << 3), fa & ~fl);
      store<u64>(secOn + ((nb as usize) << 3), fl);
      nb++;
    }
    if (!gainCellSeparates(l, lcFrame + listOff, m, cut, secBelow, secFree, secOn, nb)) return 0;
    for (let i = 0; i < ns; i++) {
      const unit = load<i32>(secUnit + ((i as usize) << 2));
      const key = cell & ~((1 as u64) << (unit as u64));
      const at = facetSlot(key, unit);
      store<u64>(facetKeys + (at << 3), key);
      store<i32>(facetUnits + (at << 2), unit + 1);
    }
  }
  if (k == 0) return 1;
  leafTests += k;
  const n = sectionsOf(leafArena, leafWords, nv, 0, cut, first);
  if (n > 0) ndSectionCells += 1;
  return n > 0 ? n + 1 : 0;
}

/**
 * The sets of `later` units (bits of the list, each with a higher index than the chain's: the
 * units whose section holds the n vertices at `base`, `depth` of them; their signs at those
 * vertices in `words`) that extend the chain, counted with every set they extend to: -1 when a
 * condition is not certified.
 */
function sectionsOf(base: usize, words: usize, n: i32, depth: i32, later: u64, first: i32): i32 {
  if (depth == D - 1) return segmentCrossings(base, words, n, later, first);
  // the later units that cross this section (only they can cross its sections), then each of them
  const crossing = orWords(words, n) & ~wordsAnd & later;
  let count = popcnt<u64>(crossing) as i32;
  let units = crossing;
  while (units != 0) {
    const j = ctz<u64>(units) as i32;
    units &= units - 1;
    // (no later unit to cut this section: a concurrence it would show involves D + 1 units, and
    // the segment of the first D - 1 of them has later units)
    if (units == 0) break;
    // (j's values at the vertices, for its crossings: at the first level, the cell's own vertices,
    // as leafSigns took them)
    if ((depth == 0 && leafValsN == n ? storedSides(j, n) : leafTest(base, n, first, j)) != 3) return -1;
    const nf = crossAt(base, leafTable, load<u64>(leafBits + ((j as usize) << 3)), false);
    if (nf < 0) return -1;
    const next = secBuf + (depth as usize) * (CELL_MAX as usize) * VB;
    const nextWords = secWords + (((depth * CELL_MAX) as usize) << 3);
    memory.copy(next, fresh, (nf as usize) * VB);
    if (!edgeWords(words, nf, nextWords, units)) return -1;
    const c = sectionsOf(next, nextWords, nf, depth + 1, units, first);
    if (c < 0) return -1;
    count += c;
  }
  return count;
}

/**
 * leafTest of list unit j on the n vertices of the cell leafBegin started (unchanged since), from
 * the values leafSigns kept: the same values, each sign certified there.
 */
function storedSides(j: i32, n: i32): i32 {
  const src = leafVals + ((j * n) as usize << 3);
  const vl = vals;
  const pi = posIdx;
  const ni = negIdx;
  let np = 0;
  let nn = 0;
  for (let i = 0; i < n; i++) {
    const s = load<f64>(src + ((i as usize) << 3));
    store<f64>(vl + ((i as usize) << 3), s);
    store<i32>(pi + ((np as usize) << 2), i);
    store<i32>(ni + ((nn as usize) << 2), i);
    const pos = <i32>(s > 0);
    np += pos;
    nn += 1 - pos;
  }
  const jb = leafBounds + ((j as usize) << 6);
  return sidesFound(np, nn, load<f64>(jb, 40), load<f64>(jb, 48));
}

/**
 * A segment (2 vertices at `base`, their signs in `words`): the `later` units crossing it, once
 * each is placed by a parameter interval disjoint from every other's; -1 when a sign is not
 * certified or two intervals meet. (Only the later units: a concurrence of D + 1 units in the cell
 * shows on the segment of its first D - 1, whose later units the other two are.)
 */
function segmentCrossings(base: usize, words: usize, n: i32, later: u64, first: i32): i32 {
  if (n != 2) return -1;
  let count = 0;
  let units = (load<u64>(words) ^ load<u64>(words, 8)) & later;
  while (units != 0) {
    const j = ctz<u64>(units) as i32;
    units &= units - 1;
    // (j's values at the two ends)
    if (leafTest(base, 2, first, j) != 3) return -1;
    // the exact parameter t* = va* / (va* - vb*) of the crossing on the exact segment grows with
    // both values (taken with va > 0 > vb), so it lies between t's values at the corners of their
    // error intervals (as in crossAt), widened by the rounding of those quotients
    // (t is the same with both values negated)
    let va = load<f64>(vals);
    let vb = load<f64>(vals, 8);
    if (va < 0) {
      va = -va;
      vb = -vb;
    }
    // (the radii after the signs: certifying one may have sharpened them)
    const ea = valueError(curE0, curK1, radiusOf(base));
    const eb = valueError(curE0, curK1, radiusOf(base + VB));
    const lo = (va - ea) / ((va - ea) - (vb - eb)) - 8 * U;
    const hi = (va + ea) / ((va + ea) - (vb + eb)) + 8 * U;
    for (let i = 0; i < count; i++) {
      if (!(hi < load<f64>(secLo + ((i as usize) << 3)) || lo > load<f64>(secHi + ((i as usize) << 3)))) return -1;
    }
    store<f64>(secLo + ((count as usize) << 3), lo);
    store<f64>(secHi + ((count as usize) << 3), hi);
    count++;
  }
  return count;
}
