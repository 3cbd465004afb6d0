// The n-D engine's shared state (see traverse-nd.ts): the stack of frames (their layout and
// accessors), the row store every frame's orientations refer to, the touched-unit arena, scratch
// buffers, the output buffer and the counters. allocateNd sizes and allocates it for the network;
// the other -nd modules read and update it.
import { alloc } from './memory';
import {
  K, L, measureShape, shapeAccumMax, shapeBranches, shapeLinesPerPath, shapeMaxPieces, shapeMaxUnits, totalUnits, units,
} from './network';
import { lpIterations } from './lp';
import { exactLpSteps } from './lp-exact';
import { composeSteps, exactPathPattern } from './exact';
import { D, ROW_BYTES } from './rows-nd';

// ---- frames -------------------------------------------------------------------------------------
// A frame: the header below, the outer box [lo (D), hi (D)], W witnesses (D floats each), one i8
// orientation per row of the row store, then the accumulated map (for the next layer), the list of
// the layer's units in the order the cell decides them (the undecided ones from F_NEXT to F_COUNT)
// and the states of the layer's units.

export const F_LAYER: usize = 0;
export const F_NEXT: usize = 4;
export const F_ROWTOP: usize = 8;
export const F_NWIT: usize = 12;
export const F_HASH: usize = 16;
export const F_TOUCHTOP: usize = 24;
export const F_COUNT: usize = 28; // units of the layer in the frame's list (the undecided ones from F_NEXT on)
export const F_PRE: usize = 32; // the pre-test's cursor in the list (see decide-nd.ts, preTest)
export const F_VOFF: usize = 36; // the cell's first vertex in the vertex arena (vertex-nd.ts)
export const F_VCNT: usize = 40; // its number of vertices; 0: an H-cell only
export const F_WORDS: usize = 44; // 1: its vertices carry the signs of its layer's list units (vertex-nd.ts, layerWords)
export const F_BOX: usize = 48;

export let W: i32 = 4; // witnesses per cell (2 D + 2: room for the extreme points found when the box is tightened)
export let witOff: usize = 0;
export let orientOff: usize = 0;
export let accumOff: usize = 0;
export let listOff: usize = 0; // i32 per unit of the layer: the order in which the frame decides them
export let statesOff: usize = 0;
export let geomBytes: usize = 0; // header, box, witnesses and orientations: what a maxout child differs in
export let frameBytes: usize = 0;

// the stack: chunks of FRAME_CHUNK frames, allocated as it grows
export let frames: usize = 0;
export let maxFrames: i32 = 0;
export let sp: i32 = 0;
export const FRAME_CHUNK: i32 = 16;
export let scratchFrame: usize = 0;

// ---- rows and touched units of the current path -------------------------------------------------

export let rowStore: usize = 0;
export let rowCap: i32 = 0;
export let rowTop: i32 = 0;
export let touchArena: usize = 0;
export let touchScratch: usize = 0;
export let touchTop: i32 = 0;
export let touchCap: i32 = 0;

// ---- per-unit and per-layer tables --------------------------------------------------------------

export let pattern: usize = 0;
export let keyBuf: usize = 0;
export let unitLayer: usize = 0;
export let maskList: usize = 0;
export let baseHashT: usize = 0;
export let layerHashT: usize = 0;
export let perLayerT: usize = 0;

// ---- a decision's scratch and results -----------------------------------------------------------

export let probe: usize = 0; // row entry of the unit being decided
export let probe2: usize = 0; // row entry scratch (linear-region masks)
export let wsign: usize = 0; // i8 per witness: its sign against the current row
export let posPt: usize = 0;
export let negPt: usize = 0;
export let posOk = false;
export let negOk = false;
export let pointOk = false; // the last side query's point is certified
export let touched = false;
export let childBuf: usize = 0; // maxout: the geometry of each piece's cell
export let tauStart: usize = 0; // scratch start point of phase-1 LPs (D + 1)
export let tauPoint: usize = 0; // scratch point (D + 1)
export let epsRows: usize = 0; // facet tests: the rows of the widened box (2 D raw entries)
export let epsLo: usize = 0;
export let epsHi: usize = 0;
export let lpSrc: usize = 0; // per LP row: u32 row entry, i32 orientation

// Any change of any cell's rows bumps geomVersion; the float LP reuses its rows and its last basis
// (a warm start) while the frame and the version are those it was built for.
export let geomVersion: u32 = 1;
export let lpFrame: usize = 0;
export let lpVersion: u32 = 0;
export let lpRows: i32 = 0;

// ---- the count: options, results, output buffer -------------------------------------------------

export let regionsNd: f64 = 0;
export let maxRegions: f64 = 0;
export let linearOn = false;
export let emitOn = false;
export let ndEmitBuf: usize = 0;
export let emitCap: usize = 0;
export let ndEmitUsed: usize = 0;
export let recordMax: usize = 0;
export let ndPeakFrames: i32 = 0;
export let outOfMemory = false;

// ---- counters (statistics) ----------------------------------------------------------------------

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
export let ndTouchCertificates: f64 = 0; // side queries settled by an exact cone certificate (queries-nd.ts, touchCertificate)
export let ndFacesFiled: f64 = 0; // faces filed for a partner (linear regions: not ruled out by the gain filter)

/** LP work and exact composition so far, in steps. */
@inline export function workSoFar(): f64 {
  return lpIterations + exactLpSteps + composeSteps;
}

/**
 * Sizes the frames for the network (and a domain of `domainRowCount` rows) and allocates the
 * stack's first chunk, the row store, the tables and the scratch. False when memory ran out (also
 * flagged in outOfMemory when the stack could not be started).
 */
export function allocateNd(domainRowCount: i32, splitter: bool): bool {
  measureShape();
  const branches = shapeBranches;
  const linesPerPath = shapeLinesPerPath;
  const maxUnits = shapeMaxUnits;
  const accumMax = shapeAccumMax;
  const maxPieces = shapeMaxPieces;

  // an instance that splits layer 1 into work units keeps rows of many cells at once
  // (2 D more: a resumed unit appends the domain box's sides for its vertex cells, vertex-nd.ts)
  rowCap = domainRowCount + linesPerPath + 4 + 2 * D + (splitter ? 1024 : 0);
  touchCap = totalUnits + 8 + (splitter ? 4096 : 0);
  W = min(2 * D + 2, 24);
  maxFrames = 2 + branches + (splitter ? 1024 : 0);
  witOff = F_BOX + (((2 * D) as usize) << 3);
  orientOff = witOff + (((W * D) as usize) << 3);
  accumOff = (orientOff + (rowCap as usize) + 7) & ~(7 as usize);
  geomBytes = accumOff;
  listOff = accumOff + (((accumMax * K) as usize) << 3);
  statesOff = listOff + ((maxUnits as usize) << 2);
  frameBytes = (statesOff + (maxUnits as usize) + 7) & ~(7 as usize);
  frames = alloc((((maxFrames + FRAME_CHUNK) / FRAME_CHUNK) as usize) << 2);
  outOfMemory = frames == 0 || !ensureFrame(0);
  scratchFrame = alloc(frameBytes);
  rowStore = alloc((rowCap as usize) * ROW_BYTES);
  touchArena = alloc((touchCap as usize) << 2);
  touchScratch = alloc((touchCap as usize) << 2);
  pattern = alloc(totalUnits as usize + 8);
  exactPathPattern(pattern);
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
  baseHashT = alloc(((L + 1) as usize) << 3);
  layerHashT = alloc(((L + 1) as usize) << 3);
  return layerHashT != 0 && scratchFrame != 0 && lpSrc != 0;
}

// ---- accessors ----------------------------------------------------------------------------------

@inline export function frameAt(i: i32): usize {
  return (load<u32>(frames + (((i / FRAME_CHUNK) as usize) << 2)) as usize) + ((i % FRAME_CHUNK) as usize) * frameBytes;
}
export function ensureFrame(i: i32): bool {
  const c = frames + (((i / FRAME_CHUNK) as usize) << 2);
  if (load<u32>(c) != 0) return true;
  const chunk = alloc((FRAME_CHUNK as usize) * frameBytes);
  if (chunk == 0) return false;
  store<u32>(c, chunk as u32);
  return true;
}
@inline export function fi(f: usize, o: usize): i32 { return load<i32>(f + o); }
@inline export function setFi(f: usize, o: usize, v: i32): void { store<i32>(f + o, v); }
@inline export function rowAt(i: i32): usize { return rowStore + (i as usize) * ROW_BYTES; }
@inline export function orient(f: usize, i: i32): i32 { return load<i8>(f + orientOff + (i as usize)) as i32; }
@inline export function setOrient(f: usize, i: i32, o: i32): void {
  store<i8>(f + orientOff + (i as usize), o as i8);
  geomVersion++;
}
@inline export function witAt(f: usize, i: i32): usize { return f + witOff + (((i * D) as usize) << 3); }
@inline export function lo(f: usize, k: i32): f64 { return load<f64>(f + F_BOX + ((k as usize) << 3)); }
@inline export function hi(f: usize, k: i32): f64 { return load<f64>(f + F_BOX + (((D + k) as usize) << 3)); }
@inline export function setLo(f: usize, k: i32, v: f64): void { store<f64>(f + F_BOX + ((k as usize) << 3), v); }
@inline export function setHi(f: usize, k: i32, v: f64): void { store<f64>(f + F_BOX + (((D + k) as usize) << 3), v); }
@inline export function fStates(f: usize): usize { return f + statesOff; }

@inline export function orderAt(f: usize, i: i32): i32 {
  return load<i32>(f + listOff + ((i as usize) << 2));
}
@inline export function orderCount(f: usize): i32 {
  return fi(f, F_COUNT);
}

/** Pushes a copy of frame f (a cell of layer l) onto the stack; the scratch frame when memory ran out. */
export function pushCopy(f: usize, l: i32): usize {
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
