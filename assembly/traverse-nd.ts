// The n-D engine: depth-first refinement of H-cells, one unit at a time, as a resumable stack
// machine (the 2-D engine's shape, traverse.ts, with polygons replaced by H-representations).
//
// A frame is a convex cell {v : o_i (alpha_i.v + beta_i) >= 0} over the rows of the current path
// (a stack of row entries shared by every frame; each frame keeps its own orientation o_i per row:
// +1, -1, or 0 for "not a constraint of this cell"), an outer box [lo, hi] that contains the exact
// cell, up to W strictly interior witness points (float64 vectors, each checked exactly), the
// units of its layer decided so far, and the map it accumulates for the next layer.
//
// A unit's hyperplane g splits a cell iff the cell has interior points with g > 0 and with g < 0.
//  - The box test: g keeps one strict sign on the whole outer box (rigorous float bound): no split.
//  - Witnesses: interior points with g > 0 and g < 0 (sign certified, exact at the float point when
//    the filter cannot tell) prove the split without any LP.
//  - Otherwise the side not yet seen is an LP (lp.ts): a certified interior point proves it, a
//    certified dual bound refutes it, and the exact LP (lp-exact.ts) decides what neither can.
// On a split both children get the row (with opposite orientations), the witnesses on their side
// and the LP's point, and a box shrunk by the closed-form bound of box intersected with the
// half-space. A unit whose hyperplane only touches the cell (exact max or min 0) is recorded on the
// path ("touched"): it may vanish on a facet of a descendant, which linear regions must know.
//
// Linear regions: as in 2-D (faces.ts), each region files its facets under the pattern with the
// units identically 0 on the facet masked. A facet's candidates are the rows of unit hyperplanes;
// the units vanishing on a row's hyperplane are its own unit and the touched units of the path
// whose rows are exactly proportional to it (any other unit keeps a strict sign on the cell where it
// was decided). A row may be redundant (not a facet); such a row's partner under the same key, if
// any, is not adjacent either, and when two regions meet under a key with the same output map the
// second one proves its row is a facet (an LP: the cell with that row removed reaches past it)
// before they are joined. Faces of units of layer l wait in table l and are dropped when a new
// layer-(l-1) cell starts layer l: their partners, which share every state below layer l, lie in
// the subtree just finished. Memory follows the depth of the traversal, not the number of regions.
import { alloc, memoryFailed } from './memory';
import {
  ACT_LINEAR, ACT_MAXOUT, ACT_RELU, ACT_LEAKY, K, L, accumRows, act, alpha, bias, colOff, colOn, colPtr, mix,
  networkEnd, outUnits, pieces, rowIdx, rows, totalUnits, unitBranches, unitLines, unitOffset, units, zErr, zMap,
} from './network';
import { invalidateAbove } from './exact';
import { gamma, inflate, underflow, U } from './float';
import { compactUnionFind, detachDepths, fileFace, facesReset, matchedRegion, purgeDepth, unionRegions } from './faces';
import {
  lpAlpha, lpBeta, lpD, lpE, lpEAlpha, lpEBeta, lpEE, lpEG, lpG, lpHi, lpLo, lpMaxBound, lpMaxSign, lpPoint,
  lpApexCertificate, lpIterations, lpReserve, lpSetWarm, lpSlots, lpStart, lpUse, lpX, strictlyInside,
} from './lp';
import {
  exactVertex, exactVertexValid, lpExactInteriorSign, lpExactMaxSign, lpExactReserve, lpExactSlot,
  lpExactGuide, lpExactSlotBytes, lpExactUse, exactLpPivots,
} from './lp-exact';
import {
  D, LINE_DIFF, LINE_RAW, LINE_ROW, ROW_BYTES, exactProportional, exactRow, exactSignAt, homogeneous,
  maybeProportional, rowCoef, rowDepth, rowErr, rowKind, rowLayer, rowR1, rowR2, rowUnit, rowsSetup, setRowDepth,
  setRowFromMap,
  setRowSource,
} from './rows-nd';
import { rowBits } from './exact';

export const ND_DONE = 0;
export const ND_MORE = 1;
export const ND_MAX_REGIONS = 2;
export const ND_OUT_OF_MEMORY = 3;

const EXTREME_WITNESSES = true;
let W: i32 = 4; // witnesses per cell (2 D + 2: room for the extreme points found when the box is tightened)

// frame header
const F_LAYER: usize = 0;
const F_NEXT: usize = 4;
const F_ROWTOP: usize = 8;
const F_NWIT: usize = 12;
const F_HASH: usize = 16;
const F_TOUCHTOP: usize = 24;
const F_BOX: usize = 32;

let witOff: usize = 0;
let orientOff: usize = 0;
let accumOff: usize = 0;
let statesOff: usize = 0;
let geomBytes: usize = 0; // header, box, witnesses and orientations: what a maxout child differs in
let frameBytes: usize = 0;
let frames: usize = 0;
let maxFrames: i32 = 0;
let sp: i32 = 0;
const FRAME_CHUNK: i32 = 16;

let rowStore: usize = 0;
let rowCap: i32 = 0;
let rowTop: i32 = 0;
let domainRows: i32 = 0;
let touchArena: usize = 0;
let touchScratch: usize = 0;
let touchTop: i32 = 0;
let touchCap: i32 = 0;

let pattern: usize = 0;
let keyBuf: usize = 0;
let unitLayer: usize = 0;
let maskList: usize = 0;
let orderT: usize = 0;
let orderCountT: usize = 0;
let baseHashT: usize = 0;
let layerHashT: usize = 0;
let perLayerT: usize = 0;

let probe: usize = 0; // row entry of the unit being decided
let probe2: usize = 0; // row entry scratch (linear-region masks)
let wsign: usize = 0; // i8 per witness: its sign against the current row
let posPt: usize = 0;
let negPt: usize = 0;
let posOk = false;
let negOk = false;
let pointOk = false; // the last side query's point is certified
let touched = false;
let childBuf: usize = 0; // maxout: the geometry of each piece's cell
let tauStart: usize = 0; // scratch start point of phase-1 LPs (D + 1)
let tauPoint: usize = 0; // scratch point (D + 1)
let epsRows: usize = 0; // facet tests: the rows of the widened box (2 D raw entries)
let epsLo: usize = 0;
let epsHi: usize = 0;
let lpSrc: usize = 0; // per LP row: u32 row entry, i32 orientation
let regionsNd: f64 = 0;
let maxRegions: f64 = 0;
let linearOn = false;
let emitOn = false;
export let ndEmitBuf: usize = 0;
let emitCap: usize = 0;
export let ndEmitUsed: usize = 0;
let recordMax: usize = 0;
export let ndPeakFrames: i32 = 0;
let outOfMemory = false;
let scratchFrame: usize = 0;

export let ndBoxHits: f64 = 0;
export let ndWitnessHits: f64 = 0;
export let ndLpCalls: f64 = 0;
export let ndExactCalls: f64 = 0;
export let ndFacetChecks: f64 = 0;
export let ndBoxLps: f64 = 0;
export let ndRayFacets: f64 = 0;
export let ndWitnessless: f64 = 0;
export let ndFacetLpYes: f64 = 0;
export let ndApexCertificates: f64 = 0;

export function ndRegions(): f64 { return regionsNd; }
export function ndPerLayer(l: i32): f64 { return load<f64>(perLayerT + ((l as usize) << 3)); }

@inline function frameAt(i: i32): usize {
  return (load<u32>(frames + (((i / FRAME_CHUNK) as usize) << 2)) as usize) + ((i % FRAME_CHUNK) as usize) * frameBytes;
}
function ensureFrame(i: i32): bool {
  const c = frames + (((i / FRAME_CHUNK) as usize) << 2);
  if (load<u32>(c) != 0) return true;
  const chunk = alloc((FRAME_CHUNK as usize) * frameBytes);
  if (chunk == 0) return false;
  store<u32>(c, chunk as u32);
  return true;
}
@inline function fi(f: usize, o: usize): i32 { return load<i32>(f + o); }
@inline function setFi(f: usize, o: usize, v: i32): void { store<i32>(f + o, v); }
@inline function rowAt(i: i32): usize { return rowStore + (i as usize) * ROW_BYTES; }
@inline function orient(f: usize, i: i32): i32 { return load<i8>(f + orientOff + (i as usize)) as i32; }
@inline function setOrient(f: usize, i: i32, o: i32): void {
  store<i8>(f + orientOff + (i as usize), o as i8);
  geomVersion++;
}
// Any change of any cell's rows bumps geomVersion; the float LP reuses its rows and its last basis
// (a warm start) while the frame and the version are those it was built for.
let geomVersion: u32 = 1;
let lpFrame: usize = 0;
let lpVersion: u32 = 0;
let lpRows: i32 = 0;
@inline function witAt(f: usize, i: i32): usize { return f + witOff + (((i * D) as usize) << 3); }
@inline function lo(f: usize, k: i32): f64 { return load<f64>(f + F_BOX + ((k as usize) << 3)); }
@inline function hi(f: usize, k: i32): f64 { return load<f64>(f + F_BOX + (((D + k) as usize) << 3)); }
@inline function setLo(f: usize, k: i32, v: f64): void { store<f64>(f + F_BOX + ((k as usize) << 3), v); }
@inline function setHi(f: usize, k: i32, v: f64): void { store<f64>(f + F_BOX + (((D + k) as usize) << 3), v); }
@inline function fStates(f: usize): usize { return f + statesOff; }



/**
 * Setup status: 0 ok, 1 out of memory, 4 the domain has an empty interior.
 * The packed domain (after the layers, float64 words): [rows] rows x (D + 1) (alpha, beta: the
 * domain's constraints alpha.v + beta >= 0), lo (D), hi (D) (a box holding the domain), [has start],
 * start (D, strictly interior when given).
 */
export function setupNd(maxRegionsOpt: f64, linear: bool, emit: bool, splitter: bool = false): i32 {
  if (!rowsSetup()) return 1;
  maxRegions = maxRegionsOpt;
  linearOn = linear;
  emitOn = emit;
  regionsNd = 0;
  ndPeakFrames = 0;
  let branches = 0;
  let linesPerPath = 0;
  let maxUnits = 0;
  let accumMax = 0;
  let maxPieces = 1;
  for (let l = 1; l <= L; l++) {
    branches += units(l) * unitBranches(l);
    linesPerPath += units(l) * unitLines(l);
    maxUnits = max(maxUnits, units(l));
    accumMax = max(accumMax, accumRows(l));
    maxPieces = max(maxPieces, pieces(l));
  }
  let p = networkEnd;
  domainRows = load<f64>(p) as i32;
  p += 8;
  const domainData = p;
  p += ((domainRows * (D + 1)) as usize) << 3;
  const boxData = p;
  p += ((2 * D) as usize) << 3;
  const hasStart = load<f64>(p) != 0;
  p += 8;
  const startData = p;

  // an instance that splits layer 1 into work units keeps rows of many cells at once
  rowCap = domainRows + linesPerPath + 4 + (splitter ? 1024 : 0);
  touchCap = totalUnits + 8 + (splitter ? 4096 : 0);
  W = min(2 * D + 2, 24);
  maxFrames = 2 + branches + (splitter ? 1024 : 0);
  witOff = F_BOX + (((2 * D) as usize) << 3);
  orientOff = witOff + (((W * D) as usize) << 3);
  accumOff = (orientOff + (rowCap as usize) + 7) & ~(7 as usize);
  geomBytes = accumOff;
  statesOff = accumOff + (((accumMax * K) as usize) << 3);
  frameBytes = (statesOff + (maxUnits as usize) + 7) & ~(7 as usize);
  frames = alloc((((maxFrames + FRAME_CHUNK) / FRAME_CHUNK) as usize) << 2);
  outOfMemory = frames == 0 || !ensureFrame(0);
  scratchFrame = alloc(frameBytes);
  rowStore = alloc((rowCap as usize) * ROW_BYTES);
  touchArena = alloc((touchCap as usize) << 2);
  touchScratch = alloc((touchCap as usize) << 2);
  pattern = alloc(totalUnits as usize + 8);
  keyBuf = alloc(2 * (totalUnits as usize) + 8);
  unitLayer = alloc(((totalUnits + 1) as usize) << 2);
  maskList = alloc(((totalUnits + 1) as usize) << 2);
  probe = alloc(ROW_BYTES);
  probe2 = alloc(ROW_BYTES);
  wsign = alloc(W as usize + 8);
  posPt = alloc(((D + 1) as usize) << 3);
  negPt = alloc(((D + 1) as usize) << 3);
  childBuf = alloc((maxPieces as usize) * geomBytes);
  tauStart = alloc(((D + 2) as usize) << 3);
  tauPoint = alloc(((D + 2) as usize) << 3);
  epsRows = alloc(((2 * D) as usize) * ROW_BYTES);
  epsLo = alloc((D as usize) << 3);
  epsHi = alloc((D as usize) << 3);
  lpSrc = alloc(((rowCap + 2 * D + 8) as usize) << 3);
  perLayerT = alloc(((L + 1) as usize) << 3);
  orderT = alloc(((L + 1) as usize) << 2);
  orderCountT = alloc(((L + 1) as usize) << 2);
  baseHashT = alloc(((L + 1) as usize) << 3);
  layerHashT = alloc(((L + 1) as usize) << 3);
  if (layerHashT == 0 || scratchFrame == 0 || lpSrc == 0) return 1;
  if (!lpReserve(D + 1, rowCap + 2 * D + 4)) return 1;
  if (!lpExactReserve(D + 1, rowCap + 2 * D + 4, rowBits + 8)) return 1;
  for (let l = 1; l <= L; l++) for (let u = 0; u < units(l); u++) store<i32>(unitLayer + (((unitOffset(l) + u) as usize) << 2), l);
  for (let l = 1; l <= L; l++) {
    let h: u64 = 0;
    for (let u = 0; u < units(l); u++) h ^= mix(unitOffset(l) + u, 0);
    store<u64>(baseHashT + ((l as usize) << 3), h);
    store<u32>(orderT + ((l as usize) << 2), alloc((units(l) as usize) << 2) as u32);
  }
  recordMax = (16 + ((D as usize) << 3) + ((outUnits * K) as usize) * 8 + (totalUnits as usize) + 15) & ~(7 as usize);
  emitCap = 0;
  ndEmitUsed = 0;
  if (emit) {
    emitCap = max<usize>(1 << 20, 2 * recordMax);
    ndEmitBuf = alloc(emitCap);
    if (ndEmitBuf == 0) return 1;
  }
  if (linear && !facesReset(maxFrames + 2, emit)) return 1;
  if (memoryFailed() || outOfMemory) return 1;

  // the root cell: the domain's rows, its box, and an interior point
  rowTop = 0;
  const f = frameAt(0);
  sp = 1;
  memory.fill(f, 0, frameBytes);
  for (let i = 0; i < domainRows; i++) {
    const r = rowAt(rowTop++);
    memory.copy(r, domainData + (((i * (D + 1)) as usize) << 3), ((D + 1) as usize) << 3);
    memory.fill(r + (((D + 1) as usize) << 3), 0, ((D + 1) as usize) << 3);
    setRowSource(r, LINE_RAW, 0, 0, 0, -1);
    setOrient(f, i, 1);
  }
  for (let k = 0; k < D; k++) {
    const a = load<f64>(boxData + ((k as usize) << 3));
    const b = load<f64>(boxData + (((D + k) as usize) << 3));
    setLo(f, k, a);
    setHi(f, k, b);
  }
  setFi(f, F_ROWTOP, rowTop);
  setFi(f, F_TOUCHTOP, 0);
  touchTop = 0;
  if (hasStart) {
    memory.copy(witAt(f, 0), startData, (D as usize) << 3);
    setFi(f, F_NWIT, 1);
  } else {
    setFi(f, F_NWIT, 0);
    const s = interiorQuery(f, 0, 0, posPt);
    if (s == -2) return 1;
    if (s <= 0) return 4;
    if (pointOk) {
      memory.copy(witAt(f, 0), posPt, (D as usize) << 3);
      setFi(f, F_NWIT, 1);
    }
  }
  startLayer(f, 1);
  return memoryFailed() || outOfMemory ? 1 : 0;
}

@inline function orderAt(l: i32, i: i32): i32 {
  return load<i32>((load<u32>(orderT + ((l as usize) << 2)) as usize) + ((i as usize) << 2));
}
@inline function orderCount(l: i32): i32 {
  return load<i32>(orderCountT + ((l as usize) << 2));
}

// ---- float tests on a frame --------------------------------------------------------------------

/**
 * Rigorous bounds of row r (times o) over the frame's box: returns 1 when it is > 0 on the whole
 * box, -1 when < 0 on the whole box, 0 otherwise.
 */
function boxSignRow(f: usize, r: usize, o: f64): i32 {
  let mx = o * rowCoef(r, D);
  let mn = mx;
  let mag = abs(mx);
  let err = rowErr(r, D);
  for (let k = 0; k < D; k++) {
    const a = o * rowCoef(r, k);
    const x0 = a * lo(f, k);
    const x1 = a * hi(f, k);
    mx += max(x0, x1);
    mn += min(x0, x1);
    mag += max(abs(x0), abs(x1));
    err += rowErr(r, k) * max(abs(lo(f, k)), abs(hi(f, k)));
  }
  // (D products in mx and in mn: D underflows)
  const bound = inflate(err + gamma(D + 2) * mag + underflow(D), 2 * D + 6);
  if (mx < -bound) return -1;
  if (mn > bound) return 1;
  return 0;
}

/** Certified sign of row r (times o) at the float point v: float filter, then exact. */
function pointSign(r: usize, o: i32, v: usize): i32 {
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
function strictlyInsideFrame(f: usize, v: usize, skip: i32 = -1): bool {
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
function shrinkBox(f: usize, r: usize, o: f64): void {
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

// ---- LPs ---------------------------------------------------------------------------------------

/**
 * Writes the frame's rows (all with a non-zero orientation, except row `skip`) and optionally one
 * more row (entry r, orientation o) into the float LP; with `tau`, every row gets a -1 coefficient on
 * an extra variable tau, plus the rows tau <= 1 and tau >= tauLo. Also records each LP row's source
 * for the exact LP. Returns the number of rows from entries (without the tau rows).
 */
function buildLp(f: usize, skip: i32, r: usize, o: i32, tau: bool, tauLo: f64): i32 {
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
function setObjective(r: usize, o: i32, nv: i32): void {
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
function buildExact(m: i32, r: usize, o: i32): void {
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
function sideQuery(f: usize, r: usize, o: i32, dst: usize): i32 {
  pointOk = false;
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
        if (strictlyInside(dst)) addWitness(f, dst);
      }
      return -1;
    }
    if (homogeneous && lpApexCertificate()) {
      // negative on the whole cell but at the apex, a point at infinity: it vanishes on no facet
      ndApexCertificates += 1;
      return -1;
    }
    ndExactCalls += 1;
    buildExact(m, r, o);
    lpExactGuide(lpSlots, D);
    const e = lpExactMaxSign(m, w);
    lpExactGuide(0, 0);
    if (e == -2) { outOfMemory = true; return -2; }
    if (e > 0 && exactVertexValid) pointOk = acceptPoint(f, exactVertex, w, r, o, dst);
    return e;
  }
  return interiorQuery(f, r, o, dst);
}

/** Phase 1: has the cell (intersected with {row r times o >= 0} when r != 0) a non-empty interior? */
function interiorQuery(f: usize, r: usize, o: i32, dst: usize, skip: i32 = -1): i32 {
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
  const e = lpExactInteriorSign(m, tauStart);
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
function sides(f: usize, r: usize): i32 {
  touched = false;
  posOk = false;
  negOk = false;
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
  if ((bits & 1) == 0) {
    const s = sideQuery(f, r, 1, posPt);
    if (s > 0) {
      bits |= 1;
      posOk = pointOk;
    } else if (s == 0) touched = true;
  }
  if ((bits & 2) == 0) {
    const s = sideQuery(f, r, -1, negPt);
    if (s > 0) {
      bits |= 2;
      negOk = pointOk;
    } else if (s == 0) touched = true;
  }
  return bits;
}

// ---- frames ------------------------------------------------------------------------------------

function pushCopy(f: usize, l: i32): usize {
  if (!ensureFrame(sp)) {
    outOfMemory = true;
    return scratchFrame;
  }
  const g = frameAt(sp++);
  if (sp > ndPeakFrames) ndPeakFrames = sp;
  memory.copy(g, f, statesOff + (units(l) as usize));
  geomVersion++;
  return g;
}

/** Keeps the witnesses of f whose sign (wsign) is s, then appends pt when ok. */
function keepWitnesses(f: usize, s: i32, pt: usize, ok: bool): void {
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
function ensureWitness(f: usize): void {
  if (fi(f, F_NWIT) > 0) return;
  ndWitnessless += 1;
  if (interiorQuery(f, 0, 0, tauPoint) > 0 && pointOk) addWitness(f, tauPoint);
}

/** Appends a witness (dropping the oldest when full). */
function addWitness(f: usize, pt: usize): void {
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
function tightenBox(f: usize): void {
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

/** A cell starts layer l: its map is reset, units whose hyperplane misses the box are decided. */
function startLayer(f: usize, l: i32): void {
  initAccum(f, l);
  store<u64>(f + F_HASH, load<u64>(baseHashT + ((l as usize) << 3)));
  setFi(f, F_LAYER, l);
  setFi(f, F_NEXT, 0);
  const list = load<u32>(orderT + ((l as usize) << 2)) as usize;
  const n = units(l);
  const a = act(l);
  let count = 0;
  if (a == ACT_LINEAR) {
    for (let u = 0; u < n; u++) contribute(f, l, u, 0);
  } else if (a == ACT_MAXOUT) {
    for (let u = 0; u < n; u++) store<i32>(list + ((count++ as usize) << 2), u);
  } else {
    // units whose hyperplane misses the box are decided for the whole subtree; when two or more
    // remain, the box is tightened by LPs first and they are tested again
    for (let pass = 0; pass < 2; pass++) {
      const n0 = pass == 0 ? n : count;
      let kept = 0;
      for (let i = 0; i < n0; i++) {
        const u = pass == 0 ? i : load<i32>(list + ((i as usize) << 2));
        unitRow(probe, l, u);
        const q = boxSignRow(f, probe, 1);
        if (q == 0) {
          store<i32>(list + ((kept++ as usize) << 2), u);
        } else {
          ndBoxHits += 1;
          const st = q > 0 ? 1 : 0;
          setState(f, l, u, st);
          contribute(f, l, u, st);
        }
      }
      count = kept;
      if (pass == 0) {
        if (count < 2) break;
        tightenBox(f);
      }
    }
  }
  store<i32>(orderCountT + ((l as usize) << 2), count);
  // (a linear layer splits nothing: its start is the region's end, where finalizeRegion decides)
  pruneRows(f);
}

/** Drops the rows that hold strictly on the cell's whole box (redundant) as it starts a layer. */
function pruneRows(f: usize): void {
  const top = fi(f, F_ROWTOP);
  for (let i = 0; i < top; i++) {
    const o = orient(f, i);
    if (o != 0 && boxSignRow(f, rowAt(i), o as f64) > 0) setOrient(f, i, 0);
  }
}

/** Row entry of unit u of layer l (its pre-activation on the current cell). */
function unitRow(dst: usize, l: i32, u: i32): void {
  setRowFromMap(dst, zMap(l) + (((u * K) as usize) << 3), zErr(l) + (((u * K) as usize) << 3), 1);
  setRowSource(dst, LINE_ROW, l, u, 0, unitOffset(l) + u);
}

/** Row entry of z_r1 - z_r2 of layer l (two maxout pieces of unit `unit`). */
function diffRow(dst: usize, l: i32, r1: i32, r2: i32, unit: i32): void {
  const zm = zMap(l);
  const ze = zErr(l);
  for (let c = 0; c < K; c++) {
    const o1 = ((r1 * K + c) as usize) << 3;
    const o2 = ((r2 * K + c) as usize) << 3;
    const d = load<f64>(zm + o1) - load<f64>(zm + o2);
    store<f64>(dst + ((c as usize) << 3), d);
    store<f64>(dst + (((D + 1 + c) as usize) << 3), inflate(load<f64>(ze + o1) + load<f64>(ze + o2) + U * abs(d), 4));
  }
  if (homogeneous) {
    store<f64>(dst + ((D as usize) << 3), 0);
    store<f64>(dst + (((2 * D + 1) as usize) << 3), 0);
  }
  setRowSource(dst, LINE_DIFF, l, r1, r2, unit);
}

function initAccum(f: usize, l: i32): void {
  const acc = f + accumOff;
  const n = accumRows(l);
  memory.fill(acc, 0, ((n * K) as usize) << 3);
  if (l < L) {
    const b = bias(l + 1);
    for (let i = 0; i < n; i++) store<f64>(acc + (((i * K + K - 1) as usize) << 3), load<f64>(b + ((i as usize) << 3)));
  }
  memory.fill(fStates(f), 0, units(l) as usize);
}

@inline function setState(f: usize, l: i32, u: i32, st: i32): void {
  store<u8>(fStates(f) + (u as usize), st as u8);
  if (st != 0) {
    const id = unitOffset(l) + u;
    store<u64>(f + F_HASH, load<u64>(f + F_HASH) ^ mix(id, 0) ^ mix(id, st));
  }
}

/** Adds unit u's contribution (in state s) to the frame's accumulated map (a rank-1 update). */
function contribute(f: usize, l: i32, u: i32, s: i32): void {
  const a = act(l);
  const row = a == ACT_MAXOUT ? u * pieces(l) + s : u;
  const z = zMap(l) + (((row * K) as usize) << 3);
  const acc = f + accumOff;
  const on = a == ACT_MAXOUT || a == ACT_LINEAR || s == 1;
  if (l == L) {
    const slope: f64 = on ? 1.0 : a == ACT_RELU ? 0.0 : a == ACT_LEAKY ? alpha(l) : -1.0;
    const o = acc + (((u * K) as usize) << 3);
    for (let k = 0; k < K; k++) store<f64>(o + ((k as usize) << 3), slope * load<f64>(z + ((k as usize) << 3)));
    return;
  }
  if (!on && a == ACT_RELU) return;
  const vals = on ? colOn(l + 1) : colOff(l + 1);
  const ptr = colPtr(l + 1);
  if (ptr != 0) {
    const idx = rowIdx(l + 1);
    const end = load<i32>(ptr + (((u + 1) as usize) << 2));
    for (let j = load<i32>(ptr + ((u as usize) << 2)); j < end; j++) {
      const w = load<f64>(vals + ((j as usize) << 3));
      const o = acc + (((load<i32>(idx + ((j as usize) << 2)) * K) as usize) << 3);
      for (let k = 0; k < K; k++) {
        const q = o + ((k as usize) << 3);
        store<f64>(q, load<f64>(q) + w * load<f64>(z + ((k as usize) << 3)));
      }
    }
    return;
  }
  const R = rows(l + 1);
  const col = vals + (((u * R) as usize) << 3);
  for (let i = 0; i < R; i++) {
    const w = load<f64>(col + ((i as usize) << 3));
    if (w == 0) continue;
    const o = acc + (((i * K) as usize) << 3);
    for (let k = 0; k < K; k++) {
      const q = o + ((k as usize) << 3);
      store<f64>(q, load<f64>(q) + w * load<f64>(z + ((k as usize) << 3)));
    }
  }
}

function recordTouch(unit: i32): void {
  store<i32>(touchArena + ((touchTop as usize) << 2), unit);
  touchTop++;
}

/** Decides a relu / leaky / abs unit; returns true when the frame split (a new frame is on top). */
function decideSign(f: usize, l: i32, u: i32, next: i32): bool {
  unitRow(probe, l, u);
  const bits = sides(f, probe);
  if (outOfMemory) return false;
  if (bits != 3) {
    const s = bits == 1 ? 1 : 0;
    setState(f, l, u, s);
    contribute(f, l, u, s);
    if (touched) recordTouch(unitOffset(l) + u);
    setFi(f, F_TOUCHTOP, touchTop);
    return false;
  }
  if (rowTop >= rowCap) {
    outOfMemory = true;
    return false;
  }
  const ri = rowTop++;
  const r = rowAt(ri);
  memory.copy(r, probe, ROW_BYTES);
  setRowDepth(r, sp - 1); // f's slot: the node's subtree ends when it is popped
  const g = pushCopy(f, l);
  setOrient(g, ri, 1);
  keepWitnesses(g, 1, posPt, posOk);
  shrinkBox(g, r, 1);
  setState(g, l, u, 1);
  contribute(g, l, u, 1);
  setOrient(f, ri, -1);
  keepWitnesses(f, -1, negPt, negOk);
  shrinkBox(f, r, -1);
  setState(f, l, u, 0);
  contribute(f, l, u, 0);
  setFi(g, F_NEXT, next);
  setFi(f, F_NEXT, next);
  setFi(f, F_ROWTOP, rowTop);
  setFi(g, F_ROWTOP, rowTop);
  setFi(f, F_TOUCHTOP, touchTop);
  setFi(g, F_TOUCHTOP, touchTop);
  ensureWitness(g);
  ensureWitness(f);
  return true;
}

/**
 * Decides a maxout unit: the cell of piece i is the cell clipped by z_i - z_m > 0 (m < i) and
 * z_i - z_m >= 0 (m > i): ties go to the lowest index, and a piece that only ties has no cell.
 */
function decideMaxout(f: usize, l: i32, u: i32, next: i32): bool {
  const k = pieces(l);
  const r0 = u * k;
  const unitId = unitOffset(l) + u;
  const base = rowTop;
  const npairs = (k * (k - 1)) >> 1;
  if (rowTop + npairs > rowCap) {
    outOfMemory = true;
    return false;
  }
  for (let i = 0; i < k; i++) {
    for (let m = i + 1; m < k; m++) {
      diffRow(rowAt(rowTop), l, r0 + i, r0 + m, unitId);
      setRowDepth(rowAt(rowTop++), sp - 1);
    }
  }
  for (let i = base; i < rowTop; i++) setOrient(f, i, 0);
  setFi(f, F_ROWTOP, rowTop); // the pieces' cells see the difference rows they are clipped by
  let children = 0;
  let anyTouch = false;
  let winners: u32 = 0;
  for (let i = 0; i < k; i++) {
    const c = childBuf + (children as usize) * geomBytes;
    memory.copy(c, f, geomBytes);
    geomVersion++;
    let alive = true;
    for (let m = 0; m < k && alive; m++) {
      if (m == i) continue;
      const lo_ = min(i, m);
      const hi_ = max(i, m);
      const ri = base + lo_ * k - ((lo_ * (lo_ + 1)) >> 1) + (hi_ - lo_ - 1);
      const o = i < m ? 1 : -1; // z_i - z_m = o * row
      // sides of o * row: flip the entry's sign through a copy in probe
      memory.copy(probe, rowAt(ri), ROW_BYTES);
      if (o < 0) {
        for (let t = 0; t <= D; t++) store<f64>(probe + ((t as usize) << 3), -rowCoef(probe, t));
        setRowSource(probe, LINE_DIFF, l, rowR2(probe), rowR1(probe), unitId);
      }
      const bits = sides(c, probe);
      if (outOfMemory) return false;
      if (touched) anyTouch = true;
      const pos = (bits & 1) != 0;
      const neg = (bits & 2) != 0;
      if (!pos && (m < i || neg)) {
        alive = false;
      } else if (neg) {
        setOrient(c, ri, o);
        keepWitnesses(c, 1, posPt, posOk);
        shrinkBox(c, rowAt(ri), o as f64);
      }
    }
    if (!alive) continue;
    ensureWitness(c);
    winners |= (1 as u32) << (i as u32);
    children++;
  }
  if (anyTouch) recordTouch(unitId);
  // children: the first goes back into f, the others are pushed
  let idx = 0;
  for (let i = 0; i < k; i++) {
    if ((winners & ((1 as u32) << (i as u32))) == 0) continue;
    const c = childBuf + (idx as usize) * geomBytes;
    const g = idx == 0 ? f : pushCopy(f, l);
    if (idx > 0 && outOfMemory) return false;
    if (idx > 0) {
      // a pushed copy carries f's states and map before this unit; the geometry is the child's
      memory.copy(g, c, geomBytes);
    }
    idx++;
    if (g != f) {
      setState(g, l, u, i);
      contribute(g, l, u, i);
      setFi(g, F_NEXT, next);
      setFi(g, F_ROWTOP, rowTop);
      setFi(g, F_TOUCHTOP, touchTop);
    }
  }
  // f last: its geometry is child 0's (pushed copies above were taken from f before this)
  let first = -1;
  for (let i = 0; i < k; i++) if ((winners & ((1 as u32) << (i as u32))) != 0) { first = i; break; }
  const layerHash = load<u64>(f + F_HASH);
  memory.copy(f, childBuf, geomBytes);
  geomVersion++;
  store<u64>(f + F_HASH, layerHash);
  setState(f, l, u, first);
  contribute(f, l, u, first);
  setFi(f, F_NEXT, next);
  setFi(f, F_ROWTOP, rowTop);
  setFi(f, F_TOUCHTOP, touchTop);
  setFi(f, F_LAYER, l);
  return children > 1;
}

// ---- regions -----------------------------------------------------------------------------------

/**
 * A certificate that row i is a facet, without an LP: from a witness w, the ray that leaves the
 * cell across row i's hyperplane meets it before any other row; a point just past it (checked
 * exactly) violates row i and satisfies every other row strictly.
 */
function rayFacet(f: usize, i: i32): bool {
  const r = rowAt(i);
  const o = orient(f, i) as f64;
  const top = fi(f, F_ROWTOP);
  const n = fi(f, F_NWIT);
  // dir = -o alpha_i (row i decreases at rate |alpha_i|^2)
  let a2: f64 = 0;
  for (let k = 0; k < D; k++) a2 += rowCoef(r, k) * rowCoef(r, k);
  if (!(a2 > 0)) return false;
  for (let wi = 0; wi < n; wi++) {
    const w = witAt(f, wi);
    let ri = o * rowCoef(r, D);
    for (let k = 0; k < D; k++) ri += o * rowCoef(r, k) * load<f64>(w + ((k as usize) << 3));
    const ti = ri / a2;
    let tmin = Infinity;
    for (let j = 0; j < top; j++) {
      if (j == i) continue;
      const oj = orient(f, j) as f64;
      if (oj == 0) continue;
      const e = rowAt(j);
      let ad: f64 = 0;
      let rj = oj * rowCoef(e, D);
      for (let k = 0; k < D; k++) {
        const c = oj * rowCoef(e, k);
        ad -= c * o * rowCoef(r, k);
        rj += c * load<f64>(w + ((k as usize) << 3));
      }
      if (ad < 0) tmin = min(tmin, rj / -ad);
    }
    if (!(tmin > ti * (1.0 + 1e-9))) continue;
    const t = tmin == Infinity ? 2.0 * ti : 0.5 * (ti + tmin);
    for (let k = 0; k < D; k++) {
      store<f64>(negPt + ((k as usize) << 3), load<f64>(w + ((k as usize) << 3)) - t * o * rowCoef(r, k));
    }
    if (pointSign(r, orient(f, i), negPt) >= 0) continue;
    let ok = true;
    for (let j = 0; j < top && ok; j++) {
      if (j == i || orient(f, j) == 0) continue;
      if (pointSign(rowAt(j), orient(f, j), negPt) <= 0) ok = false;
    }
    if (ok) return true;
  }
  return false;
}

/** Is row i of the frame a facet of its cell (the cell without it reaches past it)? */
function isFacet(f: usize, i: i32): bool {
  if (rayFacet(f, i)) {
    ndRayFacets += 1;
    return true;
  }
  ndFacetChecks += 1;
  if (fi(f, F_NWIT) == 0) {
    // no interior point to start from: is {the cell without row i, past row i} full-dimensional?
    memory.copy(probe2, rowAt(i), ROW_BYTES);
    return interiorQuery(f, probe2, -orient(f, i), negPt, i) > 0;
  }
  const w = witAt(f, 0);
  const o = orient(f, i);
  const m = buildLp(f, i, 0, 0, false, 0);
  setObjective(rowAt(i), -o, D);
  memory.copy(lpStart, w, (D as usize) << 3);
  const s = lpMaxSign();
  if (s != 0) return s > 0;
  buildExact(m, rowAt(i), -o);
  const e = lpExactMaxSign(m, w);
  if (e == -2) outOfMemory = true;
  return e > 0;
}

/**
 * The key value of unit `unit` on the hyperplane of row entry h: 0xFFFF when a sign unit vanishes
 * there, 0x8000 | (pieces tied with the winner all along it) for a maxout unit with a tie, or -1
 * when the unit does not vanish on it.
 */
function maskValue(unit: i32, h: usize): i32 {
  const l = load<i32>(unitLayer + ((unit as usize) << 2));
  const u = unit - unitOffset(l);
  if (act(l) != ACT_MAXOUT) {
    unitRow(probe2, l, u);
    if (maybeProportional(probe2, h) && exactProportional(probe2, h, pattern)) return 0xffff;
    return -1;
  }
  const k = pieces(l);
  const w = load<u8>(pattern + (unit as usize)) as i32;
  let mask = 1 << w;
  for (let p = 0; p < k; p++) {
    if (p == w) continue;
    diffRow(probe2, l, u * k + p, u * k + w, unit);
    if (maybeProportional(probe2, h) && exactProportional(probe2, h, pattern)) mask |= 1 << p;
  }
  return mask == 1 << w ? -1 : 0x8000 | mask;
}

/** A region is complete: count it, file its facets, emit it. Returns false when memory ran out. */
function finalizeRegion(f: usize): bool {
  const id = regionsNd as i32;
  regionsNd += 1;
  const map = f + accumOff;
  if (linearOn) {
    let h: u64 = 0;
    for (let l = 1; l <= L; l++) h ^= load<u64>(layerHashT + ((l as usize) << 3));
    const N = totalUnits;
    for (let u = 0; u < N; u++) store<u16>(keyBuf + ((u as usize) << 1), load<u8>(pattern + (u as usize)));
    const top = fi(f, F_ROWTOP);
    const nTouch = fi(f, F_TOUCHTOP);
    for (let i = 0; i < top; i++) {
      const o = orient(f, i);
      if (o == 0) continue;
      const r = rowAt(i);
      if (rowKind(r) == LINE_RAW) continue;
      // a row that holds on the whole box is redundant; the others are filed unverified (they may
      // be redundant too) and checked only if they meet a partner with the same map (see the header)
      if (boxSignRow(f, r, o as f64) > 0) continue;
      let verified = false;
      let kh = h;
      let masked = 0;
      for (let t = -1; t < nTouch; t++) {
        const unit = t < 0 ? rowUnit(r) : load<i32>(touchArena + ((t as usize) << 2));
        const kp = keyBuf + ((unit as usize) << 1);
        if (load<u16>(kp) >= 0x8000) continue; // already masked
        // the row's own sign unit vanishes on its row by definition; a maxout unit's tie set is tested
        let value = t < 0 && rowKind(r) == LINE_ROW ? 0xffff : maskValue(unit, r);
        if (t < 0 && value < 0) value = 0xffff;
        if (value < 0) continue;
        kh ^= mix(unit, load<u8>(pattern + (unit as usize)) as i32) ^ mix(unit, value);
        store<u16>(kp, value as u16);
        store<i32>(maskList + ((masked++ as usize) << 2), unit);
      }
      // with several units vanishing on it (coincident hyperplanes) a face is checked before it is
      // filed: several regions may then share its key
      // rows made before a work unit was shipped (depth -1) have partners in other units, whose
      // faces are paired by the main thread without geometry: they are checked here first
      if (!verified && (masked > 1 || rowDepth(r) < 0)) {
        if (!isFacet(f, i)) {
          for (let k = 0; k < masked; k++) {
            const m = load<i32>(maskList + ((k as usize) << 2)) as usize;
            store<u16>(keyBuf + (m << 1), load<u8>(pattern + m));
          }
          continue;
        }
        ndFacetLpYes += 1;
        verified = true;
      }
      if (!fileFace(kh, keyBuf, pattern, map, id, verified, rowDepth(r))) return false;
      if (matchedRegion >= 0 && isFacet(f, i) && !unionRegions(matchedRegion, id)) return false;
      for (let k = 0; k < masked; k++) {
        const m = load<i32>(maskList + ((k as usize) << 2)) as usize;
        store<u16>(keyBuf + (m << 1), load<u8>(pattern + m));
      }
      if (outOfMemory) return false;
    }
  }
  if (emitOn) {
    const rec = ndEmitBuf + ndEmitUsed;
    store<i32>(rec, id);
    store<i32>(rec, fi(f, F_NWIT) > 0 ? 1 : 0, 4);
    let p = rec + 8;
    if (fi(f, F_NWIT) > 0) memory.copy(p, witAt(f, 0), (D as usize) << 3);
    else memory.fill(p, 0, (D as usize) << 3);
    p += (D as usize) << 3;
    memory.copy(p, map, ((outUnits * K) as usize) << 3);
    p += ((outUnits * K) as usize) << 3;
    memory.copy(p, pattern, totalUnits as usize);
    p += totalUnits as usize;
    ndEmitUsed = (p - ndEmitBuf + 7) & ~(7 as usize);
  }
  return true;
}

export function ndClearEmitted(): void {
  ndEmitUsed = 0;
}

const EXACT_PIVOT_STEPS: f64 = 64;
/** LP work so far, in steps. */
@inline function workSoFar(): f64 {
  return lpIterations + EXACT_PIVOT_STEPS * exactLpPivots;
}

/**
 * Runs until `budget` steps are done, the output buffer is full, maxRegions is reached, or the
 * traversal ends (mid-cell if need be: the frames hold all the state).
 */
export function runNd(budget: i32): i32 {
  // budget: steps, where a unit decision, a completed region and a simplex pivot are one step each
  // and an exact pivot is EXACT_PIVOT_STEPS: a chunk is bounded by work whatever the dimension
  const start = workSoFar();
  let spent = 0;
  while (sp > 0) {
    if (maxRegions > 0 && regionsNd >= maxRegions) return ND_MAX_REGIONS;
    const f = frameAt(sp - 1);
    if (fi(f, F_LAYER) == 0) {
      // handed over to another instance (handOverUnitsNd): nothing left to count here
      sp--;
      geomVersion++;
      if (linearOn) purgeDepth(sp);
      if (sp == 0) finish();
      continue;
    }
    rowTop = fi(f, F_ROWTOP);
    touchTop = fi(f, F_TOUCHTOP);
    let l = fi(f, F_LAYER);
    while (true) {
      const idx = fi(f, F_NEXT);
      if (idx == orderCount(l)) {
        const pl = perLayerT + ((l as usize) << 3);
        store<f64>(pl, load<f64>(pl) + 1);
        memory.copy(pattern + (unitOffset(l) as usize), fStates(f), units(l) as usize);
        store<u64>(layerHashT + ((l as usize) << 3), load<u64>(f + F_HASH));
        invalidateAbove(l);
        if (l == L) {
          if (!finalizeRegion(f) || memoryFailed() || outOfMemory) return ND_OUT_OF_MEMORY;
          if (linearOn) compactUnionFind();
          sp--;
          geomVersion++;
          if (linearOn) purgeDepth(sp); // every subtree rooted at slot sp or above is done
          break;
        }
        memory.copy(zMap(l + 1), f + accumOff, ((rows(l + 1) * K) as usize) << 3);
        l++;
        startLayer(f, l);
        continue;
      }
      const u = orderAt(l, idx);
      const split = act(l) == ACT_MAXOUT ? decideMaxout(f, l, u, idx + 1) : decideSign(f, l, u, idx + 1);
      if (outOfMemory || memoryFailed()) return ND_OUT_OF_MEMORY;
      if (split) break;
      setFi(f, F_NEXT, idx + 1);
      // the next call resumes here, from the frame (whose touched units are recorded; a decision
      // that added rows without splitting runs on to the next split, which files them)
      if (++spent + (workSoFar() - start) >= budget && rowTop == fi(f, F_ROWTOP)) {
        setFi(f, F_TOUCHTOP, touchTop);
        return ND_MORE;
      }
    }
    if (sp == 0) finish();
    if (++spent + (workSoFar() - start) >= budget) return sp > 0 ? ND_MORE : ND_DONE;
    if (emitOn && ndEmitUsed + recordMax > emitCap) return sp > 0 ? ND_MORE : ND_DONE;
  }
  return ND_DONE;
}

/** The count is complete. */
function finish(): void {
  if (linearOn) purgeDepth(0);
}

// ---- work units for parallel counting (see src/parallel.ts and traverse.ts's 2-D version) --------
// Layer 1's tree is expanded breadth-first (always the oldest pending cell) until enough cells are
// pending; each becomes a unit: the frame, the rows below its row top (the rows it refers to,
// with the depth of the nodes that made them set to -1: their faces pair across units) and the
// touched units of the path so far.

const UNIT_HEADER: usize = 32;

/** Moves frame i to the top of the stack (swapping with the top frame). */
function bringToTop(i: i32): void {
  const top = sp - 1;
  if (i == top) return;
  const a = frameAt(i);
  const b = frameAt(top);
  memory.copy(scratchFrame, a, frameBytes);
  memory.copy(a, b, frameBytes);
  memory.copy(b, scratchFrame, frameBytes);
  geomVersion++;
}

/** Makes room for `bytes` more in the output buffer (growing it by copying); false when out of memory. */
function reserveEmit(bytes: usize): bool {
  if (ndEmitUsed + bytes <= emitCap) return true;
  const cap = max<usize>(max<usize>(2 * emitCap, 1 << 20), ndEmitUsed + bytes);
  const bigger = alloc(cap);
  if (bigger == 0) return false;
  if (ndEmitUsed > 0) memory.copy(bigger, ndEmitBuf, ndEmitUsed);
  ndEmitBuf = bigger;
  emitCap = cap;
  return true;
}

export const ND_SPLIT_MORE: i32 = -2;

/**
 * Splits layer 1 into about `want` pending cells and writes each as a unit into the output buffer
 * (the stack is emptied). Returns the number of units, -1 when memory ran out, or ND_SPLIT_MORE
 * after about `budget` steps (call again: the split resumes where it stopped).
 */
let splitDone = 0;
let splitRoom = true;
let splitStarted = false;

export function expandUnitsNd(want: i32, budget: i32): i32 {
  if (!splitStarted) {
    splitStarted = true;
    splitDone = 0;
    splitRoom = true;
  }
  let done = splitDone;
  let room = splitRoom;
  const start = workSoFar();
  let spent = 0;
  while (room && sp - done < want && done < sp) {
    if (spent + (workSoFar() - start) >= budget) {
      splitDone = done;
      splitRoom = room;
      return ND_SPLIT_MORE;
    }
    bringToTop(done);
    const f = frameAt(sp - 1);
    // rows made by other frames since this one last changed are not constraints of its cell
    for (let i = fi(f, F_ROWTOP); i < rowTop; i++) store<i8>(f + orientOff + (i as usize), 0);
    setFi(f, F_ROWTOP, rowTop);
    setFi(f, F_TOUCHTOP, touchTop);
    let split = false;
    while (true) {
      const idx = fi(f, F_NEXT);
      if (idx == orderCount(1)) break;
      if (sp + pieces(1) > maxFrames || rowTop + max(1, unitLines(1)) > rowCap || touchTop + 1 >= touchCap) {
        room = false;
        break;
      }
      const u = orderAt(1, idx);
      split = act(1) == ACT_MAXOUT ? decideMaxout(f, 1, u, idx + 1) : decideSign(f, 1, u, idx + 1);
      spent++;
      if (outOfMemory || memoryFailed()) return -1;
      if (split) break;
      setFi(f, F_NEXT, idx + 1);
    }
    if (!split && room) {
      bringToTop(done);
      done++;
    }
  }
  splitStarted = false;
  const count = sp;
  for (let i = 0; i < count; i++) if (!exportUnitNd(frameAt(i))) return -1;
  sp = 0;
  return count;
}

/**
 * Writes frame f (a pending cell of layer 1) as a unit into the output buffer: its rows (depth -1:
 * their faces wait for other units and are proven facets first), orientations, touched units,
 * box, witnesses, map and states. False when memory ran out.
 */
function exportUnitNd(f: usize): bool {
  const mapBytes = ((accumRows(1) * K) as usize) << 3;
  const top = fi(f, F_ROWTOP);
  // the touched units of every cell split so far (a superset of this path's, which only costs
  // proportionality tests), each once
  // (deduplicated into scratch: a count that hands units over goes on with its touch list)
  let touches = 0;
  const all = fi(f, F_TOUCHTOP);
  for (let t = 0; t < all; t++) {
    const u = load<i32>(touchArena + ((t as usize) << 2));
    let seen = false;
    for (let q = 0; q < touches && !seen; q++) if (load<i32>(touchScratch + ((q as usize) << 2)) == u) seen = true;
    if (!seen) store<i32>(touchScratch + (((touches++) as usize) << 2), u);
  }
  let k = 0;
  for (let r = 0; r < top; r++) if (orient(f, r) != 0) k++;
  // [header][rows k][orientations k][touches][box][witnesses][map][states]: independent of the
  // frame layout, which depends on the row capacity of each instance
  const size = (UNIT_HEADER + (k as usize) * ROW_BYTES + (k as usize) + ((touches as usize) << 2) + 7 +
    (((2 * D + W * D) as usize) << 3) + mapBytes + (units(1) as usize) + 7) & ~(7 as usize);
  if (!reserveEmit(size)) return false;
  const rec = ndEmitBuf + ndEmitUsed;
  store<i32>(rec, size as i32);
  store<i32>(rec, k, 4);
  store<i32>(rec, touches, 8);
  store<i32>(rec, fi(f, F_NEXT), 12);
  store<i32>(rec, fi(f, F_NWIT), 16);
  store<u64>(rec, load<u64>(f + F_HASH), 24);
  let p = rec + UNIT_HEADER;
  let q = p + (k as usize) * ROW_BYTES;
  for (let r = 0; r < top; r++) {
    const o = orient(f, r);
    if (o == 0) continue;
    memory.copy(p, rowAt(r), ROW_BYTES);
    setRowDepth(p, -1);
    p += ROW_BYTES;
    store<i8>(q++, o as i8);
  }
  p = q;
  memory.copy(p, touchScratch, (touches as usize) << 2);
  p = (p + ((touches as usize) << 2) + 7) & ~(7 as usize);
  memory.copy(p, f + F_BOX, (((2 * D + W * D) as usize) << 3));
  p += (((2 * D + W * D) as usize) << 3);
  memory.copy(p, f + accumOff, mapBytes);
  p += mapBytes;
  memory.copy(p, fStates(f), units(1) as usize);
  ndEmitUsed += size;
  return true;
}

/**
 * Hands the pending cells of layer 1 to other instances (see traverse.ts handOverUnits): each is
 * written as a unit and marked done here (layer 0). Every row made so far gets depth -1 and every
 * pending face leaves the depth lists: faces between this instance's regions and the units' must
 * wait for the end, where the faces of all instances are paired by key; this instance proves its
 * later faces on those rows are facets before filing them, as the units' instances do.
 */
export function handOverUnitsNd(): i32 {
  let rowsUsed = rowTop;
  for (let i = 0; i < sp; i++) rowsUsed = max(rowsUsed, fi(frameAt(i), F_ROWTOP));
  // depth-first, the pending cells of layer 1 are the bottom of the stack
  let count = 0;
  for (let i = 0; i < sp; i++) {
    const f = frameAt(i);
    if (fi(f, F_LAYER) != 1) break;
    if (!exportUnitNd(f)) return -1;
    setFi(f, F_LAYER, 0);
    count++;
  }
  if (count > 0) {
    for (let r = 0; r < rowsUsed; r++) setRowDepth(rowAt(r), -1);
    if (linearOn) detachDepths();
  }
  return count;
}

/** Resumes a unit written by expandUnitsNd (in another instance with the same network). */
export function loadUnitNd(rec: usize): bool {
  const k = load<i32>(rec, 4);
  const touches = load<i32>(rec, 8);
  if (k > rowCap || touches > totalUnits + 8) return false;
  const f = frameAt(0);
  memory.fill(f, 0, frameBytes);
  let p = rec + UNIT_HEADER;
  memory.copy(rowStore, p, (k as usize) * ROW_BYTES);
  p += (k as usize) * ROW_BYTES;
  for (let r = 0; r < k; r++) store<i8>(f + orientOff + (r as usize), load<i8>(p + (r as usize)));
  p += k as usize;
  memory.copy(touchArena, p, (touches as usize) << 2);
  p = (p + ((touches as usize) << 2) + 7) & ~(7 as usize);
  memory.copy(f + F_BOX, p, (((2 * D + W * D) as usize) << 3));
  p += (((2 * D + W * D) as usize) << 3);
  const mapBytes = ((accumRows(1) * K) as usize) << 3;
  memory.copy(f + accumOff, p, mapBytes);
  p += mapBytes;
  memory.copy(fStates(f), p, units(1) as usize);
  setFi(f, F_LAYER, 1);
  setFi(f, F_NEXT, load<i32>(rec, 12));
  setFi(f, F_NWIT, load<i32>(rec, 16));
  store<u64>(f + F_HASH, load<u64>(rec, 24));
  setFi(f, F_ROWTOP, k);
  setFi(f, F_TOUCHTOP, touches);
  rowTop = k;
  touchTop = touches;
  sp = 1;
  geomVersion++;
  invalidateAbove(0);
  return true;
}
