// Depth-first refinement of the domain, one unit at a time, as a resumable stack machine.
//
// A frame is a convex cell being refined by the units of one layer: its polygon, the units of
// that layer decided so far (states), and the map it is accumulating for the next layer
// (pre-activations of layer l+1, or the output map for the last layer). Deciding a unit either
// keeps the cell whole (the unit's line does not cross the interior: its state is known) or splits
// it; siblings wait on the stack. A unit's contribution to the next layer is a rank-1 update
// (W_{l+1}[:, u] x Z_l[u, :]), so a cell pays for its own map and nothing more. Memory is one slot
// per pending sibling: at most 1 + (number of units) slots, whatever the number of regions.
//
// The stack machine returns to JavaScript every `budget` steps (progress, AbortSignal, output
// buffers), mid-cell if need be, and resumes where it stopped.
import { alloc, memoryFailed } from './memory';
import {
  ACT_LINEAR, ACT_MAXOUT, ACT_RELU, ACT_LEAKY, L, accumRows, act, alpha, bias, boxHi0, boxHi1,
  boxLo0, boxLo1, colOff, colOn, colPtr, mix, outUnits, rowIdx, pieces, rows, totalUnits, unitLines,
  unitOffset, units, weights, cols, zErr, zMap, measureShape, cutRowCount, cutRows, shapeAccumMax, shapeBranches, shapeLinesPerPath, shapeMaxPieces,
  shapeMaxUnits,
} from './network';
import {
  LINE_BYTES, LINE_DIFF, LINE_RAW, LINE_ROW, composeSteps, exactInterrupted, exactPathPattern, exactPrepareSame, exactWholeComposeSteps, exactWindow,
  invalidateAbove, setExactAllowance, writeRawLine,
} from './exact';
import {
  VERT_BYTES, cutPolygon, polygonSigns, setVanish, setVertex, vertexAt, vertexSign, vline, vr, vvanish, vx, vy,
} from './polygon';
import { gamma, inflate, underflow, U } from './float';
import { compactUnionFind, faceNeedingExactCheck, facesReset, fileFace } from './faces';
import { markSideCoincident, sideMask, sideRecord } from './sides-nd';
import { mulAddIsExact, sumIsExact } from './exact-ops';

export const RUN_DONE = 0;
export const RUN_MORE = 1;
export const RUN_MAX_REGIONS = 2;
export const RUN_OUT_OF_MEMORY = 3;

// frame header fields
const F_LAYER: usize = 0;
const F_NEXT: usize = 4;
const F_NVERTS: usize = 8;
const F_LINETOP: usize = 12;
const F_VANISHTOP: usize = 16;
const F_BOX: usize = 24; // center x, center y, half-width x, half-width y (covering the exact vertices)
const F_HASH: usize = 56; // Zobrist hash of the layer's states so far (for linear-region faces)
const F_ACCUM: usize = 64;

let frames: usize = 0;
let frameBytes: usize = 0;
let exactOffset: usize = 0; // the accumulated rows' exactness flags (see contribute), one byte per row
let statesOffset: usize = 0;
let polyOffset: usize = 0;
let maxFrames: i32 = 0;
let sp: i32 = 0;
let maxVerts: i32 = 0;
let accumBytesMax: usize = 0;

let lineStore: usize = 0;
let lineCap: i32 = 0;
let lineTop: i32 = 0;
let vanishArena: usize = 0;
let vanishCap: i32 = 0;
let vanishLimit: i32 = 0; // most records a path can hold
let vanishTop: i32 = 0;

let pattern: usize = 0; // the current path's states, one byte per unit
let keyBuf: usize = 0; // the face key: one u16 per unit (state, or a mask value >= 0x8000)
let unitLayer: usize = 0; // layer of each unit
let tieLine: usize = 0; // scratch line entry for maxout tie sets
let signs: usize = 0;
let polyA: usize = 0;
let polyB: usize = 0;
let firstPoly: usize = 0;
let probe: usize = 0;
let pairLines: usize = 0; // u32 pointers to the maxout difference lines of the current unit
// Per layer: the units still undecided when a cell starts that layer (i32 list), and their count.
// Units whose line misses the cell's box are decided once, up front, for the whole subtree; like
// zMap, this is valid for every frame of the layer because frames of one layer-cell are LIFO.
let orderT: usize = 0;
let orderCountT: usize = 0;
let baseHashT: usize = 0; // per layer: hash of the all-zero states
let layerHashT: usize = 0; // per layer: hash of the current path's states
let maskList: usize = 0; // units masked for the face being filed

export let regions: f64 = 0;
let perLayerT: usize = 0;
let maxRegions: f64 = 0;
let linearOn = false;
let emitOn = false;
export let emitBuf: usize = 0;
let emitCap: usize = 0;
export let emitUsed: usize = 0;
let recordMax: usize = 0;
export let peakFrames: i32 = 0;


// Frames live in chunks of FRAME_CHUNK slots, allocated the first time the stack reaches them, so
// memory follows the stack's actual depth (a few dozen frames), not its worst case.
const FRAME_CHUNK: i32 = 16;
@inline function frameAt(i: i32): usize {
  return (load<u32>(frames + (((i / FRAME_CHUNK) as usize) << 2)) as usize) + ((i % FRAME_CHUNK) as usize) * frameBytes;
}
/** Makes sure slot i exists; false when memory ran out. */
function ensureFrame(i: i32): bool {
  const c = frames + (((i / FRAME_CHUNK) as usize) << 2);
  if (load<u32>(c) != 0) return true;
  const chunk = alloc((FRAME_CHUNK as usize) * frameBytes);
  if (chunk == 0) return false;
  store<u32>(c, chunk as u32);
  return true;
}
/** Set when a push or a vanish record could not get memory: the run stops with RUN_OUT_OF_MEMORY. */
let outOfMemory = false;
let scratchFrame: usize = 0; // one frame's worth of scratch (swaps, and a sink when a push fails)
@inline function fi(f: usize, o: usize): i32 { return load<i32>(f + o); }
@inline function setFi(f: usize, o: usize, v: i32): void { store<i32>(f + o, v); }
@inline function fPoly(f: usize): usize { return f + polyOffset; }
@inline function fStates(f: usize): usize { return f + statesOffset; }
@inline function fExact(f: usize): usize { return f + exactOffset; }

// Exactness of the rows of each layer's map on the current cell (one byte per row, 1 = the float
// row IS the exact row, so its error bound is 0). A row stays exact while every contribution it
// receives is exactly zero: a ReLU that is off, or a unit whose own row is exactly 0 (the maxout
// pieces of a pooling window whose ReLUs are all off). Ties between such rows (z_i - z_m = 0
// exactly) are then decided by the float filter instead of the exact path.
let zExactT: usize = 0; // per layer: pointer to rows(l) flags, copied from the frame when the layer starts
let zeroErr: usize = 0; // three zero error bounds
/**
 * Marks the rows of layer 1's map (network.ts firstLayerMap) that no rounding touched: replays
 * their sums in the same order, checking each product and sum (Z0 = [P | o] is exact).
 */
function firstLayerExactness(): void {
  const r = rows(1);
  const c = cols(1);
  const w = weights(1);
  const b = bias(1);
  const z0 = zMap(0);
  const z1 = zMap(1);
  const t = load<u32>(zExactT + 4) as usize;
  for (let i = 0; i < r; i++) {
    let exact = true;
    for (let k = 0; k < 3 && exact; k++) {
      let s: f64 = k == 2 ? load<f64>(b + ((i as usize) << 3)) : 0.0;
      for (let j = 0; j < c && exact; j++) {
        const x = load<f64>(w + (((i * c + j) as usize) << 3));
        const z = load<f64>(z0 + (((j * 3 + k) as usize) << 3));
        if (!mulAddIsExact(s, x, z)) exact = false;
        s += x * z;
      }
      // the replay must give the stored value (same operations, same order)
      if (s != load<f64>(z1 + (((i * 3 + k) as usize) << 3))) exact = false;
    }
    store<u8>(t + (i as usize), exact ? 1 : 0);
  }
}

@inline function rowExact(l: i32, row: i32): bool {
  return load<u8>((load<u32>(zExactT + ((l as usize) << 2)) as usize) + (row as usize)) != 0;
}
/** The error bounds of row `row` of layer l's map on the current cell: 0 for an exact row. */
@inline function rowErr(l: i32, row: i32): usize {
  return rowExact(l, row) ? zeroErr : zErr(l) + (((row * 3) as usize) << 3);
}
@inline function lineAt(i: i32): usize { return lineStore + (i as usize) * LINE_BYTES; }

export function perLayer(l: i32): f64 { return load<f64>(perLayerT + ((l as usize) << 3)); }


/**
 * Sizes every buffer from the network's shape and sets up the root cell: the box, clipped by the
 * packed cut rows if any. 0 when done, 1 when memory runs out, 4 when the cut rows leave the box
 * no interior (the setup's codes, index.ts).
 */
export function setupTraversal(maxRegionsOpt: f64, linear: bool, emit: bool): i32 {
  maxRegions = maxRegionsOpt;
  linearOn = linear;
  emitOn = emit;
  regions = 0;
  peakFrames = 0;
  measureShape();
  const branches = shapeBranches;
  const linesPerPath = shapeLinesPerPath;
  const maxUnits = shapeMaxUnits;
  const accumMax = shapeAccumMax;
  const maxPieces = shapeMaxPieces;
  // (each cut row adds at most one vertex to the root polygon, and one line to the store)
  maxVerts = 4 + branches + 1 + cutRowCount;
  maxFrames = 2 + branches;
  accumBytesMax = ((accumMax * 3) as usize) << 3;
  exactOffset = F_ACCUM + accumBytesMax;
  statesOffset = exactOffset + (accumMax as usize);
  polyOffset = (statesOffset + (maxUnits as usize) + 7) & ~(7 as usize);
  frameBytes = polyOffset + (maxVerts as usize) * VERT_BYTES;
  frames = alloc((((maxFrames + FRAME_CHUNK) / FRAME_CHUNK) as usize) << 2);
  outOfMemory = frames == 0 || !ensureFrame(0);
  scratchFrame = alloc(frameBytes);
  if (scratchFrame == 0) return 1;
  lineCap = 4 + linesPerPath + 4 + cutRowCount;
  lineStore = alloc((lineCap as usize) * LINE_BYTES);
  // vanish records: indexed by number, so the arena can grow by copying (it starts small)
  vanishLimit = (branches + 1) * (maxVerts + 1) + 16;
  vanishCap = min(vanishLimit, 4096);
  vanishArena = alloc((vanishCap as usize) * 8);
  zeroErr = alloc(24);
  zExactT = alloc(((L + 2) as usize) << 2);
  if (zExactT == 0) return 1;
  for (let l = 1; l <= L; l++) {
    const t = alloc(rows(l) as usize + 8);
    if (t == 0) return 1;
    store<u32>(zExactT + ((l as usize) << 2), t as u32);
  }
  firstLayerExactness();
  pattern = alloc(totalUnits as usize + 8);
  exactPathPattern(pattern);
  keyBuf = alloc(2 * (totalUnits as usize) + 8);
  unitLayer = alloc(((totalUnits + 1) as usize) << 2);
  tieLine = alloc(LINE_BYTES);
  if (tieLine == 0) return 1;
  for (let l = 1; l <= L; l++) for (let u = 0; u < units(l); u++) store<i32>(unitLayer + (((unitOffset(l) + u) as usize) << 2), l);
  signs = alloc(maxVerts as usize + 8);
  polyA = alloc((maxVerts as usize) * VERT_BYTES);
  polyB = alloc((maxVerts as usize) * VERT_BYTES);
  firstPoly = alloc((maxVerts as usize) * VERT_BYTES);
  probe = alloc(LINE_BYTES);
  pairLines = alloc(((maxPieces * maxPieces) as usize) * 4);
  perLayerT = alloc(((L + 1) as usize) << 3);
  orderT = alloc(((L + 1) as usize) << 2);
  orderCountT = alloc(((L + 1) as usize) << 2);
  baseHashT = alloc(((L + 1) as usize) << 3);
  layerHashT = alloc(((L + 1) as usize) << 3);
  maskList = alloc(((totalUnits + 1) as usize) << 2);
  if (orderCountT == 0 || maskList == 0) return 1;
  for (let l = 1; l <= L; l++) {
    let h: u64 = 0;
    for (let u = 0; u < units(l); u++) h ^= mix(unitOffset(l) + u, 0);
    store<u64>(baseHashT + ((l as usize) << 3), h);
  }
  for (let l = 1; l <= L; l++) store<u32>(orderT + ((l as usize) << 2), alloc((units(l) as usize) << 2) as u32);
  recordMax = (8 + (maxVerts as usize) * 16 + ((outUnits * 3) as usize) * 8 + (totalUnits as usize) + 15) & ~(7 as usize);
  emitCap = 0;
  emitUsed = 0;
  if (emit) {
    emitCap = max<usize>(1 << 20, 2 * recordMax);
    emitBuf = alloc(emitCap);
  }
  if (perLayerT == 0 || (emit && emitBuf == 0)) return 1;
  if (linear && !facesReset(0, emit)) return 1;

  // the box's sides: lines of the domain, exact as stored (a p0 + b p1 + c >= 0 inside)
  lineTop = 0;
  rawLine(0, 1, -boxLo1);
  rawLine(-1, 0, boxHi0);
  rawLine(0, -1, boxHi1);
  rawLine(1, 0, -boxLo0);
  vanishTop = 0;
  const f = frameAt(0);
  sp = 1;
  setFi(f, F_LAYER, 1);
  setFi(f, F_NEXT, 0);
  setFi(f, F_NVERTS, 4);
  setFi(f, F_LINETOP, lineTop);
  setFi(f, F_VANISHTOP, 0);
  const poly = fPoly(f);
  setVertex(vertexAt(poly, 0), boxLo0, boxLo1, 0, lineAt(0), -1);
  setVertex(vertexAt(poly, 1), boxHi0, boxLo1, 0, lineAt(1), -1);
  setVertex(vertexAt(poly, 2), boxHi0, boxHi1, 0, lineAt(2), -1);
  setVertex(vertexAt(poly, 3), boxLo0, boxHi1, 0, lineAt(3), -1);
  // the cut rows (a 2-D polytope's piece, src/count/pieces.ts): lines of the domain too, exact as
  // stored; each clips the root by its exact signs at the vertices. A row >= 0 on the whole
  // polygon cuts nothing, and one <= 0 on all of it leaves no interior.
  let n = 4;
  for (let k = 0; k < cutRowCount; k++) {
    const c = cutRows + (((k * 3) as usize) << 3);
    const line = rawLine(load<f64>(c), load<f64>(c, 8), load<f64>(c, 16));
    const seen = polygonSigns(poly, n, line, signs, pattern);
    if ((seen & 2) == 0) continue;
    if ((seen & 1) == 0) return 4;
    n = cutPolygon(poly, n, signs, line, 1, polyA);
    memory.copy(poly, polyA, (n as usize) * VERT_BYTES);
  }
  setFi(f, F_NVERTS, n);
  setFi(f, F_LINETOP, lineTop);
  updateBox(f);
  startLayer(f, 1);
  return 0;
}

@inline function orderAt(l: i32, i: i32): i32 {
  return load<i32>((load<u32>(orderT + ((l as usize) << 2)) as usize) + ((i as usize) << 2));
}
@inline function orderCount(l: i32): i32 {
  return load<i32>(orderCountT + ((l as usize) << 2));
}

/**
 * A cell starts layer l: its map is reset to the next layer's bias, the units whose line misses
 * the cell's box are decided at once, and the rest are listed for the depth-first refinement.
 */
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
    const zm = zMap(l);
    for (let u = 0; u < n; u++) {
      const z = zm + (((u * 3) as usize) << 3);
      const e = rowErr(l, u);
      const q = boxSign(f, load<f64>(z), load<f64>(z, 8), load<f64>(z, 16), load<f64>(e), load<f64>(e, 8), load<f64>(e, 16));
      if (q == 0) {
        store<i32>(list + ((count++ as usize) << 2), u);
      } else {
        const st = q > 0 ? 1 : 0;
        setState(f, l, u, st);
        contribute(f, l, u, st);
      }
    }
  }
  store<i32>(orderCountT + ((l as usize) << 2), count);
}

function rawLine(a: f64, b: f64, c: f64): usize {
  const p = lineAt(lineTop++);
  writeRawLine(p, a, b, c);
  return p;
}

/** Starts the map a cell of layer l accumulates: the bias of layer l+1, or zeros for the output. */
function initAccum(f: usize, l: i32): void {
  const acc = f + F_ACCUM;
  const n = accumRows(l);
  memory.fill(acc, 0, ((n * 3) as usize) << 3);
  if (l < L) {
    const b = bias(l + 1);
    for (let i = 0; i < n; i++) store<f64>(acc + (((i * 3 + 2) as usize) << 3), load<f64>(b + ((i as usize) << 3)));
  }
  memory.fill(fExact(f), 1, n as usize);
  memory.fill(fStates(f), 0, units(l) as usize);
}

/** Sets unit u's state in the frame (states start at 0) and keeps the frame's hash in step. */
@inline function setState(f: usize, l: i32, u: i32, st: i32): void {
  store<u8>(fStates(f) + (u as usize), st as u8);
  if (st != 0) {
    const id = unitOffset(l) + u;
    store<u64>(f + F_HASH, load<u64>(f + F_HASH) ^ mix(id, 0) ^ mix(id, st));
  }
}

/**
 * Before row o of a map receives w * (z0, z1, z2): the row stays exact (flag at `flag`) only when
 * the source row is exact and the three products and sums about to be done are exact.
 */
@inline function keepExact(flag: usize, srcExact: bool, o: usize, w: f64, z0: f64, z1: f64, z2: f64): void {
  if (load<u8>(flag) == 0) return;
  if (!srcExact || !mulAddIsExact(load<f64>(o), w, z0) || !mulAddIsExact(load<f64>(o, 8), w, z1) ||
    !mulAddIsExact(load<f64>(o, 16), w, z2)) store<u8>(flag, 0);
}

/** Adds unit u's contribution (in state s) to the frame's accumulated map. */
function contribute(f: usize, l: i32, u: i32, s: i32): void {
  const a = act(l);
  const row = a == ACT_MAXOUT ? u * pieces(l) + s : u;
  const z = zMap(l) + (((row * 3) as usize) << 3);
  const z0 = load<f64>(z);
  const z1 = load<f64>(z, 8);
  const z2 = load<f64>(z, 16);
  const acc = f + F_ACCUM;
  const on = a == ACT_MAXOUT || a == ACT_LINEAR || s == 1;
  if (l == L) {
    const slope: f64 = on ? 1.0 : a == ACT_RELU ? 0.0 : a == ACT_LEAKY ? alpha(l) : -1.0;
    const o = acc + (((u * 3) as usize) << 3);
    store<f64>(o, slope * z0);
    store<f64>(o, slope * z1, 8);
    store<f64>(o, slope * z2, 16);
    return;
  }
  if (!on && a == ACT_RELU) return;
  // an exactly zero row contributes exactly nothing (and leaves the rows it feeds exact)
  // (a leaky unit that is off contributes fl(alpha w) z: the slope's product may have rounded)
  const srcExact = rowExact(l, row) && (on || a != ACT_LEAKY);
  if (z0 == 0 && z1 == 0 && z2 == 0 && srcExact) return;
  const flags = fExact(f);
  const vals = on ? colOn(l + 1) : colOff(l + 1);
  const ptr = colPtr(l + 1);
  if (ptr != 0) {
    // sparse column: only its non-zeros
    const idx = rowIdx(l + 1);
    const end = load<i32>(ptr + (((u + 1) as usize) << 2));
    for (let k = load<i32>(ptr + ((u as usize) << 2)); k < end; k++) {
      const w = load<f64>(vals + ((k as usize) << 3));
      const i = load<i32>(idx + ((k as usize) << 2));
      const o = acc + (((i * 3) as usize) << 3);
      keepExact(flags + (i as usize), srcExact, o, w, z0, z1, z2);
      store<f64>(o, load<f64>(o) + w * z0);
      store<f64>(o, load<f64>(o, 8) + w * z1, 8);
      store<f64>(o, load<f64>(o, 16) + w * z2, 16);
    }
    return;
  }
  const R = rows(l + 1);
  const col = vals + (((u * R) as usize) << 3);
  if (!srcExact) {
    // every row this unit feeds (with a weight that is not 0, or whose on-slope weight is not 0:
    // fl(alpha w) can underflow to 0) is no longer exact: no check per entry
    const colW = colOn(l + 1) + (((u * R) as usize) << 3);
    for (let i = 0; i < R; i++) {
      const w = load<f64>(col + ((i as usize) << 3));
      if (w == 0) {
        if (load<f64>(colW + ((i as usize) << 3)) != 0) store<u8>(flags + (i as usize), 0);
        continue;
      }
      store<u8>(flags + (i as usize), 0);
      const o = acc + (((i * 3) as usize) << 3);
      store<f64>(o, load<f64>(o) + w * z0);
      store<f64>(o, load<f64>(o, 8) + w * z1, 8);
      store<f64>(o, load<f64>(o, 16) + w * z2, 16);
    }
    return;
  }
  for (let i = 0; i < R; i++) {
    const w = load<f64>(col + ((i as usize) << 3));
    if (w == 0) continue;
    const o = acc + (((i * 3) as usize) << 3);
    keepExact(flags + (i as usize), true, o, w, z0, z1, z2);
    store<f64>(o, load<f64>(o) + w * z0);
    store<f64>(o, load<f64>(o, 8) + w * z1, 8);
    store<f64>(o, load<f64>(o, 16) + w * z2, 16);
  }
}

/**
 * Writes the line z_r1 - z_r2 of layer l (two maxout pieces) into the entry at p. Its error bound
 * is both rows' bounds plus the rounding of the subtraction.
 */
function writeDiffLine(p: usize, l: i32, r1: i32, r2: i32): void {
  const zm = zMap(l);
  const e1 = rowErr(l, r1);
  const e2 = rowErr(l, r2);
  for (let c = 0; c < 3; c++) {
    const o1 = ((r1 * 3 + c) as usize) << 3;
    const o2 = ((r2 * 3 + c) as usize) << 3;
    const x1 = load<f64>(zm + o1);
    const x2 = load<f64>(zm + o2);
    const d = x1 - x2;
    const oc = (c as usize) << 3;
    store<f64>(p + oc, d);
    // two exact rows whose float difference is exact (always when it is 0: an exact tie): bound 0,
    // so the tie, or a vertex on this very line, is decided without the exact path
    const ed = load<f64>(e1 + oc) + load<f64>(e2 + oc);
    store<f64>(p + 24 + oc, ed == 0 && sumIsExact(x1, -x2, d) ? 0.0 : inflate(ed + U * abs(d), 4));
  }
  store<i32>(p, LINE_DIFF, 48);
  store<i32>(p, l, 52);
  store<i32>(p, r1, 56);
  store<i32>(p, r2, 60);
}

/** Records that unit `unit` is identically 0 on every edge of the polygon whose ends both have sign 0. */
function recordVanishing(poly: usize, n: i32, unit: i32): bool {
  for (let i = 0; i < n; i++) {
    const j = i + 1 == n ? 0 : i + 1;
    if (load<i8>(signs + (i as usize)) != 0 || load<i8>(signs + (j as usize)) != 0) continue;
    const v = vertexAt(poly, i);
    const head = vvanish(v);
    if (head >= 0 && load<i32>(vanishArena + ((head as usize) << 3)) == unit) continue;
    if (vanishTop >= vanishCap && !growVanish()) {
      outOfMemory = true;
      return false;
    }
    const node = vanishArena + ((vanishTop as usize) << 3);
    store<i32>(node, unit);
    store<i32>(node, head, 4);
    setVanish(v, vanishTop);
    vanishTop++;
  }
  return true;
}

/** Pushes a copy of frame f (header, map, states, and nothing of the polygon) and returns it. */
/** Doubles the vanish arena (records are referenced by index, so they can move). */
function growVanish(): bool {
  if (vanishCap >= vanishLimit) return false;
  const cap = min(vanishLimit, 2 * vanishCap);
  const bigger = alloc((cap as usize) * 8);
  if (bigger == 0) {
    outOfMemory = true;
    return false;
  }
  memory.copy(bigger, vanishArena, (vanishTop as usize) * 8);
  vanishArena = bigger;
  vanishCap = cap;
  return true;
}

function pushCopy(f: usize, l: i32): usize {
  if (!ensureFrame(sp)) {
    // keep the stack consistent: the split is abandoned and the run stops
    outOfMemory = true;
    return scratchFrame;
  }
  const g = frameAt(sp++);
  if (sp > peakFrames) peakFrames = sp;
  memory.copy(g, f, statesOffset + (units(l) as usize));
  return g;
}

function copyLine(src: usize): usize {
  const p = lineAt(lineTop++);
  memory.copy(p, src, LINE_BYTES);
  return p;
}

/** Stores a box that contains every exact vertex of the frame's polygon. */
function updateBox(f: usize): void {
  const poly = fPoly(f);
  const n = fi(f, F_NVERTS);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity, r: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = vertexAt(poly, i);
    x0 = min(x0, vx(v)); x1 = max(x1, vx(v));
    y0 = min(y0, vy(v)); y1 = max(y1, vy(v));
    r = max(r, vr(v));
  }
  const b = f + F_BOX;
  const cx = 0.5 * (x0 + x1);
  const cy = 0.5 * (y0 + y1);
  store<f64>(b, cx);
  store<f64>(b, cy, 8);
  // |v - c| <= half-width + r, inflated for the rounding of c and of the half-width itself
  store<f64>(b, inflate(max(x1 - cx, cx - x0) + r, 4), 16);
  store<f64>(b, inflate(max(y1 - cy, cy - y0) + r, 4), 24);
}

/**
 * The cheap test first: when the line keeps one strict sign over the whole box around the
 * polygon, every vertex has that sign. Returns 1 or -1 when certain, 0 otherwise. The bound is
 * the vertex filter's with the box half-widths in place of the vertex radius.
 */
function boxSign(f: usize, a: f64, b: f64, c: f64, ea: f64, eb: f64, ec: f64): i32 {
  const bx = f + F_BOX;
  const cx = load<f64>(bx);
  const cy = load<f64>(bx, 8);
  const hx = load<f64>(bx, 16);
  const hy = load<f64>(bx, 24);
  const ax = a * cx;
  const by = b * cy;
  const z = ax + by + c;
  const bound = inflate((abs(a) + ea) * hx + (abs(b) + eb) * hy + ea * abs(cx) + eb * abs(cy) + ec +
    gamma(3) * (abs(ax) + abs(by) + abs(c)) + underflow(2), 12);
  if (abs(z) > bound) return z > 0 ? 1 : -1;
  return 0;
}

/** Decides a relu / leaky / abs unit; returns true when the frame split (a new frame is on top). */
function decideSign(f: usize, l: i32, u: i32, next: i32): bool {
  const z = zMap(l) + (((u * 3) as usize) << 3);
  const e = rowErr(l, u);
  const quick = boxSign(f, load<f64>(z), load<f64>(z, 8), load<f64>(z, 16), load<f64>(e), load<f64>(e, 8), load<f64>(e, 16));
  if (quick != 0) {
    const s = quick > 0 ? 1 : 0;
    setState(f, l, u, s);
    contribute(f, l, u, s);
    return false;
  }
  memory.copy(probe, z, 24);
  memory.copy(probe + 24, e, 24);
  store<i32>(probe, LINE_ROW, 48);
  store<i32>(probe, l, 52);
  store<i32>(probe, u, 56);
  const poly = fPoly(f);
  const n = fi(f, F_NVERTS);
  exactWindow(true);
  const seen = polygonSigns(poly, n, probe, signs, pattern);
  exactWindow(false);
  if (exactInterrupted) return false; // nothing changed: the run loop stops and runs it again
  if (seen != 3) {
    // (a count made of pieces: a line through both ends of an edge on a recorded side holds it)
    if (sideMask != 0) {
      for (let i = 0; i < n; i++) {
        if (load<i8>(signs + (i as usize)) != 0 || load<i8>(signs + (((i + 1) % n) as usize)) != 0) continue;
        if ((sideBit(vline(vertexAt(poly, i))) & sideMask) != 0) markSideCoincident();
      }
    }
    const s = seen == 1 ? 1 : 0;
    setState(f, l, u, s);
    contribute(f, l, u, s);
    recordVanishing(poly, n, unitOffset(l) + u);
    return false;
  }
  const line = copyLine(probe);
  const g = pushCopy(f, l);
  setFi(g, F_NVERTS, cutPolygon(poly, n, signs, line, 1, fPoly(g)));
  setState(g, l, u, 1);
  contribute(g, l, u, 1);
  const m = cutPolygon(poly, n, signs, line, -1, polyA);
  memory.copy(poly, polyA, (m as usize) * VERT_BYTES);
  setFi(f, F_NVERTS, m);
  updateBox(f);
  updateBox(g);
  setState(f, l, u, 0);
  contribute(f, l, u, 0);
  setFi(g, F_NEXT, next);
  setFi(f, F_NEXT, next);
  setFi(f, F_LINETOP, lineTop);
  setFi(g, F_LINETOP, lineTop);
  setFi(f, F_VANISHTOP, vanishTop);
  setFi(g, F_VANISHTOP, vanishTop);
  return true;
}

/**
 * Decides a maxout unit: the cell of piece i is the polygon clipped by z_i - z_m > 0 (m < i) and
 * z_i - z_m >= 0 (m > i): ties go to the lowest index, and a piece that only ties has no cell.
 */
function decideMaxout(f: usize, l: i32, u: i32, next: i32): bool {
  const k = pieces(l);
  const r0 = u * k;
  const sp0 = sp;
  const lineTop0 = lineTop;
  const vanishTop0 = vanishTop;
  // difference lines z_i - z_m for i < m
  for (let i = 0; i < k; i++) {
    for (let m = i + 1; m < k; m++) {
      const p = lineAt(lineTop++);
      writeDiffLine(p, l, r0 + i, r0 + m);
      store<u32>(pairLines + (((i * k + m) as usize) << 2), p as u32);
    }
  }
  const unitId = unitOffset(l) + u;
  const poly = fPoly(f);
  const n = fi(f, F_NVERTS);
  let children = 0;
  let firstWinner = -1;
  let firstN = 0;
  for (let i = 0; i < k; i++) {
    memory.copy(polyA, poly, (n as usize) * VERT_BYTES);
    let cur = polyA;
    let other = polyB;
    let cn = n;
    let alive = true;
    for (let m = 0; m < k && alive; m++) {
      if (m == i) continue;
      const lo = min(i, m);
      const hi = max(i, m);
      const line = load<u32>(pairLines + (((lo * k + hi) as usize) << 2)) as usize;
      const o = i < m ? 1 : -1; // z_i - z_m = o * line
      // the cheap test first: a sign certain on the whole cell's box is certain on its part cur
      // (no zero at any vertex either, so nothing to cut and no vanishing edge to record)
      const q = boxSign(f, load<f64>(line), load<f64>(line, 8), load<f64>(line, 16),
        load<f64>(line, 24), load<f64>(line, 32), load<f64>(line, 40));
      if (q != 0) {
        if (q * o < 0) alive = false; // piece m beats piece i on the whole cell
        continue;
      }
      exactWindow(true);
      const seen = polygonSigns(cur, cn, line, signs, pattern);
      exactWindow(false);
      if (exactInterrupted) {
        // undone (f itself is not changed before the loop ends): the run loop runs it again
        sp = sp0;
        lineTop = lineTop0;
        vanishTop = vanishTop0;
        return false;
      }
      const pos = (o > 0 ? seen & 1 : seen & 2) != 0;
      const neg = (o > 0 ? seen & 2 : seen & 1) != 0;
      if (!pos && (m < i || neg)) {
        alive = false; // no interior point where piece i wins against piece m
      } else if (neg) {
        cn = cutPolygon(cur, cn, signs, line, o, other);
        const t = cur; cur = other; other = t;
      } else if (!recordVanishing(cur, cn, unitId)) {
        return false;
      }
    }
    if (!alive) continue;
    children++;
    if (firstWinner < 0) {
      firstWinner = i;
      firstN = cn;
      memory.copy(firstPoly, cur, (cn as usize) * VERT_BYTES);
    } else {
      const g = pushCopy(f, l);
      memory.copy(fPoly(g), cur, (cn as usize) * VERT_BYTES);
      setFi(g, F_NVERTS, cn);
      updateBox(g);
      setState(g, l, u, i);
      contribute(g, l, u, i);
      setFi(g, F_NEXT, next);
    }
  }
  memory.copy(poly, firstPoly, (firstN as usize) * VERT_BYTES);
  setFi(f, F_NVERTS, firstN);
  updateBox(f);
  setState(f, l, u, firstWinner);
  contribute(f, l, u, firstWinner);
  setFi(f, F_NEXT, next);
  if (children > 1) {
    // every pushed sibling keeps the lines and vanish records made so far
    for (let s = sp - children + 1; s < sp; s++) {
      setFi(frameAt(s), F_LINETOP, lineTop);
      setFi(frameAt(s), F_VANISHTOP, vanishTop);
    }
    setFi(f, F_LINETOP, lineTop);
    setFi(f, F_VANISHTOP, vanishTop);
    return true;
  }
  return false;
}


/** Unit id (over all layers) of the unit whose line this is. */
function lineUnit(line: usize): i32 {
  const layer = load<i32>(line, 52);
  const r1 = load<i32>(line, 56);
  const kind = load<i32>(line, 48);
  return unitOffset(layer) + (kind == LINE_DIFF ? r1 / pieces(layer) : r1);
}

/**
 * The key value of a unit identically 0 on edge i of the polygon: 0xFFFF for a sign unit, and for
 * a maxout unit 0x8000 | (bit mask of the pieces tied with the winner all along the edge), decided
 * by the exact vertex predicate at both ends of the edge. The same from both sides of the edge.
 */
function maskValue(poly: usize, n: i32, i: i32, unit: i32): i32 {
  const l = load<i32>(unitLayer + ((unit as usize) << 2));
  if (act(l) != ACT_MAXOUT) return 0xffff;
  const k = pieces(l);
  const u = unit - unitOffset(l);
  const w = load<u8>(pattern + (unit as usize)) as i32;
  const v0 = vertexAt(poly, i);
  const v1 = vertexAt(poly, i + 1 == n ? 0 : i + 1);
  const before = vline(vertexAt(poly, i == 0 ? n - 1 : i - 1));
  const along = vline(v0);
  const after = vline(v1);
  let mask = 1 << w;
  // the edge's own line, when it is where this unit's winner and piece p are equal
  const alongDiff = load<i32>(along, 48) == LINE_DIFF && load<i32>(along, 52) == l;
  const a1 = load<i32>(along, 56);
  const a2 = load<i32>(along, 60);
  for (let p = 0; p < k; p++) {
    if (p == w) continue;
    const rw = u * k + w;
    const rp = u * k + p;
    if (alongDiff && ((a1 == rw && a2 == rp) || (a1 == rp && a2 == rw))) {
      mask |= 1 << p; // tied all along the edge: it lies on their line
      continue;
    }
    writeDiffLine(tieLine, l, rw, rp);
    if (vertexSign(v0, before, along, tieLine, pattern) == 0 && vertexSign(v1, along, after, tieLine, pattern) == 0) {
      mask |= 1 << p;
    }
  }
  return 0x8000 | mask;
}

let keyMasked = 0;
// a net whose exact maps all compose in fewer steps (a few ms) compares output maps in the filing
const PREPARE_STEPS: f64 = 1024;

/** The region's pattern as a face key in keyBuf (nothing masked); returns the hash of the layers. */
function startKey(): u64 {
  let h: u64 = 0;
  for (let l = 1; l <= L; l++) h ^= load<u64>(layerHashT + ((l as usize) << 3));
  for (let u = 0; u < totalUnits; u++) store<u16>(keyBuf + ((u as usize) << 1), load<u8>(pattern + (u as usize)));
  return h;
}

/** The key of the face on edge i: the pattern with the units identically 0 on the edge masked (in keyBuf, until unmaskKey); returns its hash. */
function edgeKey(poly: usize, n: i32, i: i32, h: u64): u64 {
  const v = vertexAt(poly, i);
  let kh = h;
  keyMasked = 0;
  let unit = lineUnit(vline(v));
  let node = vvanish(v);
  while (true) {
    const kp = keyBuf + ((unit as usize) << 1);
    if (load<u16>(kp) < 0x8000) {
      const value = maskValue(poly, n, i, unit);
      kh ^= mix(unit, load<u8>(pattern + (unit as usize)) as i32) ^ mix(unit, value);
      store<u16>(kp, value as u16);
      store<i32>(maskList + ((keyMasked++ as usize) << 2), unit);
    }
    if (node < 0) break;
    unit = load<i32>(vanishArena + ((node as usize) << 3));
    node = load<i32>(vanishArena + ((node as usize) << 3), 4);
  }
  return kh;
}

function unmaskKey(): void {
  for (let k = 0; k < keyMasked; k++) {
    const m = load<i32>(maskList + ((k as usize) << 2)) as usize;
    store<u16>(keyBuf + (m << 1), load<u8>(pattern + m));
  }
}

/**
 * Before a region files its faces: the exact output-map comparisons they will need, made in a
 * window (exact.ts, exactPrepareSame), so that a deep net's comparisons stop and resume like
 * decisions; finalizeRegion then finds the answers in the memo. Changes nothing else; false when
 * the window stopped the work (the run loop returns and calls this again).
 */
function prepareFaces(f: usize): bool {
  const poly = fPoly(f);
  const n = fi(f, F_NVERTS);
  const map = f + F_ACCUM;
  const h = startKey();
  exactWindow(true);
  for (let i = 0; i < n; i++) {
    if (load<i32>(vline(vertexAt(poly, i)), 48) == LINE_RAW) continue;
    const kh = edgeKey(poly, n, i, h);
    let stop = exactInterrupted;
    if (!stop) {
      const other = faceNeedingExactCheck(kh, keyBuf, map);
      if (other != 0 && exactPrepareSame(other, pattern) < 0) stop = true;
    }
    unmaskKey();
    if (stop) {
      exactWindow(false);
      return false;
    }
  }
  exactWindow(false);
  return true;
}

/** A region is complete: count it, file its faces, emit it. Returns false when memory ran out. */
function finalizeRegion(f: usize): bool {
  const id = regions as i32;
  regions += 1;
  const poly = fPoly(f);
  const n = fi(f, F_NVERTS);
  const map = f + F_ACCUM;
  if (sideMask != 0) {
    let touching: u32 = 0;
    for (let i = 0; i < n; i++) touching |= sideBit(vline(vertexAt(poly, i)));
    touching &= sideMask;
    if (touching != 0 && !sideRecord(id, touching, pattern)) return false;
  }
  if (linearOn) {
    const h = startKey();
    for (let i = 0; i < n; i++) {
      if (load<i32>(vline(vertexAt(poly, i)), 48) == LINE_RAW) continue; // a side of the domain
      const kh = edgeKey(poly, n, i, h);
      if (!fileFace(kh, keyBuf, pattern, map, id)) return false;
      unmaskKey();
    }
  }
  if (emitOn) {
    const r = emitBuf + emitUsed;
    store<i32>(r, id);
    store<i32>(r, n, 4);
    let p = r + 8;
    for (let i = 0; i < n; i++) {
      const v = vertexAt(poly, i);
      store<f64>(p, vx(v));
      store<f64>(p, vy(v), 8);
      p += 16;
    }
    memory.copy(p, map, ((outUnits * 3) as usize) << 3);
    p += ((outUnits * 3) as usize) << 3;
    memory.copy(p, pattern, totalUnits as usize);
    p += totalUnits as usize;
    emitUsed = (p - emitBuf + 7) & ~(7 as usize);
  }
  return true;
}

/**
 * The side record bit of a box side's line (sides-nd.ts: bit 2 k for p_k >= lo_k, 2 k + 1 for
 * p_k <= hi_k; the box's lines are 0 .. 3, set up as y >= lo1, x <= hi0, y <= hi1, x >= lo0), 0
 * for any other line.
 */
function sideBit(line: usize): u32 {
  if (line < lineStore || line >= lineStore + 4 * LINE_BYTES) return 0;
  const k = ((line - lineStore) / LINE_BYTES) as i32;
  return (1 as u32) << (k == 0 ? 2 : k == 1 ? 1 : k == 2 ? 3 : 0);
}

/** Whether this count joins regions (linear regions). */
export function linearOn2d(): bool {
  return linearOn;
}

/** Empties the region output buffer (JavaScript has read it). */
export function clearEmitted(): void {
  emitUsed = 0;
}

/**
 * Runs until `budget` steps are done (a step: a unit decided or a region completed), the output
 * buffer is full, maxRegions is reached, or the traversal ends. Returns RUN_DONE, RUN_MORE,
 * RUN_MAX_REGIONS or RUN_OUT_OF_MEMORY.
 */
export function run(budget: i32): i32 {
  // budget: steps (unit decisions and completed regions), so a chunk is bounded by work, not by
  // regions: a deep path costs many steps before its first region
  let spent = 0;
  const start = composeSteps;
  while (sp > 0) {
    if (maxRegions > 0 && regions >= maxRegions) return RUN_MAX_REGIONS;
    const f = frameAt(sp - 1);
    if (fi(f, F_LAYER) == 0) {
      // handed over to another instance (handOverUnits): nothing left to count here
      sp--;
      continue;
    }
    lineTop = fi(f, F_LINETOP);
    vanishTop = fi(f, F_VANISHTOP);
    let l = fi(f, F_LAYER);
    while (true) {
      const idx = fi(f, F_NEXT);
      if (idx == orderCount(l)) {
        if (l == L && linearOn && L >= 3 && exactWholeComposeSteps() > PREPARE_STEPS) {
          // a deep net's exact output-map comparisons, made first and resumable (prepareFaces)
          memory.copy(pattern + (unitOffset(l) as usize), fStates(f), units(l) as usize);
          store<u64>(layerHashT + ((l as usize) << 3), load<u64>(f + F_HASH));
          setExactAllowance(max<f64>(0, (budget as f64) - (spent as f64) - (composeSteps - start)));
          const ready = prepareFaces(f);
          setExactAllowance(-1);
          if (outOfMemory || memoryFailed()) return RUN_OUT_OF_MEMORY;
          if (!ready) {
            setFi(f, F_LINETOP, lineTop);
            setFi(f, F_VANISHTOP, vanishTop);
            return RUN_MORE;
          }
        }
        const pl = perLayerT + ((l as usize) << 3);
        store<f64>(pl, load<f64>(pl) + 1);
        memory.copy(pattern + (unitOffset(l) as usize), fStates(f), units(l) as usize);
        store<u64>(layerHashT + ((l as usize) << 3), load<u64>(f + F_HASH));
        invalidateAbove(l);
        if (l == L) {
          if (!finalizeRegion(f) || memoryFailed()) return RUN_OUT_OF_MEMORY;
          if (linearOn) compactUnionFind();
          sp--;
          break;
        }
        memory.copy(zMap(l + 1), f + F_ACCUM, ((rows(l + 1) * 3) as usize) << 3);
        memory.copy(load<u32>(zExactT + (((l + 1) as usize) << 2)) as usize, fExact(f), rows(l + 1) as usize);
        l++;
        startLayer(f, l);
        continue;
      }
      const u = orderAt(l, idx);
      setExactAllowance(max<f64>(0, (budget as f64) - (spent as f64) - (composeSteps - start)));
      const split = act(l) == ACT_MAXOUT ? decideMaxout(f, l, u, idx + 1) : decideSign(f, l, u, idx + 1);
      setExactAllowance(-1);
      if (outOfMemory || memoryFailed()) return RUN_OUT_OF_MEMORY;
      if (exactInterrupted) {
        // the decision stopped in the exact composition of a deep map, changing nothing: the next
        // call runs it again from the rows composed so far (exact.ts)
        setFi(f, F_LINETOP, lineTop);
        setFi(f, F_VANISHTOP, vanishTop);
        return RUN_MORE;
      }
      if (split) break;
      setFi(f, F_NEXT, idx + 1);
      if (++spent + (composeSteps - start) >= budget) {
        // the next call resumes here, from the frame: a decision that kept the cell whole may have
        // added lines or vanish records (a touching unit), which the frame now owns
        setFi(f, F_LINETOP, lineTop);
        setFi(f, F_VANISHTOP, vanishTop);
        return RUN_MORE;
      }
    }
    if (++spent + (composeSteps - start) >= budget) return sp > 0 ? RUN_MORE : RUN_DONE;
    if (emitOn && emitUsed + recordMax > emitCap) return sp > 0 ? RUN_MORE : RUN_DONE;
  }
  return RUN_DONE;
}

// ---- work units for parallel counting ------------------------------------------------------------
// The first layer's tree is expanded breadth-first (always splitting the oldest pending cell, the
// one with the most work left) until enough cells are pending; each becomes a work unit: a frame in
// layer 1 with its polygon, the lines and vanish records it refers to, its decided states and its
// partial map. Layer 1's map and undecided-unit list are the same in every instance, so a unit is
// self-contained given the network.

const UNIT_HEADER: usize = 32;

/** Moves frame i to the top of the stack (swapping with the top frame). */
function bringToTop(i: i32): void {
  const top = sp - 1;
  if (i == top) return;
  const a = frameAt(i);
  const b = frameAt(top);
  const tmp = scratchFrame;
  memory.copy(tmp, a, frameBytes);
  memory.copy(a, b, frameBytes);
  memory.copy(b, tmp, frameBytes);
}

/** expandUnits has more to do: call it again. */
export const SPLIT_MORE: i32 = -2;

/**
 * Splits layer 1 into about `want` pending cells (fewer if layer 1 has fewer cells, or when the
 * stack, line or vanish buffers would overflow), then writes
 * every pending cell to the output buffer as a unit and empties the stack. Returns the number of
 * units, -1 when the buffers for the expansion ran out (count on one instance instead), or
 * SPLIT_MORE after about `budget` decisions (call again: the split resumes where it stopped).
 */
let splitDone = 0; // frames at the bottom of the stack whose layer 1 is complete
let splitRoom = true;
let splitStarted = false;

export function expandUnits(want: i32, budget: i32): i32 {
  // The expansion stops early rather than overflow: every decision may push (pieces - 1) frames,
  // unitLines(1) line entries and a vanish record per vertex, and nothing is popped here.
  const perDecisionLines = max(1, unitLines(1));
  if (!splitStarted) {
    splitStarted = true;
    splitDone = 0;
    splitRoom = true;
  }
  let done = splitDone;
  let room = splitRoom;
  let spent = 0;
  while (room && sp - done < want && done < sp) {
    if (spent >= budget) {
      // resumable: the frames hold the state, the two counters are kept
      splitDone = done;
      splitRoom = room;
      return SPLIT_MORE;
    }
    bringToTop(done);
    const f = frameAt(sp - 1);
    let split = false;
    while (true) {
      const idx = fi(f, F_NEXT);
      if (idx == orderCount(1)) break;
      if (sp + pieces(1) > maxFrames || lineTop + perDecisionLines > lineCap || vanishTop + maxVerts > vanishLimit) {
        room = false;
        break;
      }
      const u = orderAt(1, idx);
      split = act(1) == ACT_MAXOUT ? decideMaxout(f, 1, u, idx + 1) : decideSign(f, 1, u, idx + 1);
      spent++;
      if (split) break;
      setFi(f, F_NEXT, idx + 1);
    }
    if (!split && room) {
      // complete for layer 1: park it at the bottom, with the other finished ones
      bringToTop(done);
      done++;
    }
  }
  splitStarted = false;
  if (outOfMemory || memoryFailed()) return -1;
  const count = sp;
  for (let i = 0; i < count; i++) if (!exportFrame(frameAt(i))) return -1;
  sp = 0;
  return count;
}

/**
 * The share of the domain's area in the cells still on the stack, pending or being counted (float
 * polygon areas). Only a scheduling hint for JavaScript (src/count/api.ts): it decides nothing
 * about a count.
 */
export function pendingShare(): f64 {
  if (sp == 0) return 0;
  const total = (boxHi0 - boxLo0) * (boxHi1 - boxLo1);
  if (!(total > 0) || !(total < Infinity)) return 1;
  let area: f64 = 0;
  for (let i = 0; i < sp; i++) {
    const f = frameAt(i);
    if (fi(f, F_LAYER) == 0) continue;
    const poly = fPoly(f);
    const n = fi(f, F_NVERTS);
    let twice: f64 = 0;
    for (let j = 0; j < n; j++) {
      const a = vertexAt(poly, j);
      const b = vertexAt(poly, j + 1 == n ? 0 : j + 1);
      twice += vx(a) * vy(b) - vx(b) * vy(a);
    }
    area += 0.5 * abs(twice);
  }
  return min<f64>(1, area / total);
}

/**
 * Hands the pending cells of layer 1 to other instances: writes each as a unit (as expandUnits
 * does) and marks it done here (layer 0: popped without counting). Depth-first, they are the
 * bottom of the stack, below the one layer-1 cell whose subtree is being counted, which stays.
 * Faces on layer-1 lines are never dropped, so the faces between this instance's regions and the
 * units' pair up when every instance exports its pending faces. An instance counting a unit hands
 * over the same way when an idle thread asks for work (src/count/parallel.ts); once it has, only
 * deeper frames are left of that unit, so a later call gives nothing until it loads another.
 * Returns the number of units, or -1 when memory ran out.
 */
export function handOverUnits(): i32 {
  let count = 0;
  for (let i = 0; i < sp; i++) {
    const f = frameAt(i);
    if (fi(f, F_LAYER) != 1) break;
    if (!exportFrame(f)) return -1;
    setFi(f, F_LAYER, 0);
    count++;
  }
  return count;
}

/** Makes room for `bytes` more in the output buffer (growing it by copying); false when out of memory. */
function reserveEmit(bytes: usize): bool {
  if (emitUsed + bytes <= emitCap) return true;
  const cap = max<usize>(max<usize>(2 * emitCap, 1 << 20), emitUsed + bytes);
  const bigger = alloc(cap);
  if (bigger == 0) return false;
  if (emitUsed > 0) memory.copy(bigger, emitBuf, emitUsed);
  emitBuf = bigger;
  emitCap = cap;
  return true;
}

/** Index of line pointer p in the table (n entries), appending it if new. */
function unitLineIndex(table: usize, n: i32, p: usize): i32 {
  for (let i = 0; i < n; i++) if (load<u32>(table + ((i as usize) << 2)) as usize == p) return i;
  store<u32>(table + ((n as usize) << 2), p as u32);
  return n;
}

/**
 * Unit record: [i32 size][i32 next][i32 nVerts][i32 nLines][i32 nNodes][i32 -][u64 hash]
 * lines (64 bytes each), vertices (x, y, r, i32 line index, i32 vanish head), vanish nodes
 * (i32 unit, i32 next), the partial map (accumRows(1) x 3 f64), its rows' exactness flags
 * (accumRows(1) bytes), layer-1 states (units(1) bytes).
 */
function exportFrame(f: usize): bool {
  const poly = fPoly(f);
  const n = fi(f, F_NVERTS);
  const table = polyB; // maxVerts * 32 bytes: room for maxVerts u32 line pointers
  let nLines = 0;
  for (let i = 0; i < n; i++) {
    if (unitLineIndex(table, nLines, vline(vertexAt(poly, i))) == nLines) nLines++;
  }
  let nNodes = 0;
  for (let i = 0; i < n; i++) {
    let node = vvanish(vertexAt(poly, i));
    while (node >= 0) {
      nNodes++;
      node = load<i32>(vanishArena + ((node as usize) << 3), 4);
    }
  }
  const mapBytes = ((accumRows(1) * 3) as usize) << 3;
  const size: usize = (UNIT_HEADER + (nLines as usize) * LINE_BYTES + (n as usize) * 32 + (nNodes as usize) * 8 +
    mapBytes + (accumRows(1) as usize) + (units(1) as usize) + 7) & ~(7 as usize);
  if (!reserveEmit(size)) return false;
  const r = emitBuf + emitUsed;
  store<i32>(r, size as i32);
  store<i32>(r, fi(f, F_NEXT), 4);
  store<i32>(r, n, 8);
  store<i32>(r, nLines, 12);
  store<i32>(r, nNodes, 16);
  store<u64>(r, load<u64>(f + F_HASH), 24);
  let p = r + UNIT_HEADER;
  for (let i = 0; i < nLines; i++) {
    memory.copy(p, load<u32>(table + ((i as usize) << 2)) as usize, LINE_BYTES);
    p += LINE_BYTES;
  }
  const verts = p;
  p += (n as usize) * 32;
  const nodes = p;
  p += (nNodes as usize) * 8;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = vertexAt(poly, i);
    const o = verts + (i as usize) * 32;
    memory.copy(o, v, 24);
    store<i32>(o, unitLineIndex(table, nLines, vline(v)), 24);
    let node = vvanish(v);
    store<i32>(o, node >= 0 ? k : -1, 28);
    while (node >= 0) {
      const next = load<i32>(vanishArena + ((node as usize) << 3), 4);
      store<i32>(nodes + ((k as usize) << 3), load<i32>(vanishArena + ((node as usize) << 3)));
      store<i32>(nodes + ((k as usize) << 3), next >= 0 ? k + 1 : -1, 4);
      k++;
      node = next;
    }
  }
  memory.copy(p, f + F_ACCUM, mapBytes);
  p += mapBytes;
  memory.copy(p, fExact(f), accumRows(1) as usize);
  p += accumRows(1) as usize;
  memory.copy(p, fStates(f), units(1) as usize);
  emitUsed += size;
  return true;
}

/**
 * Resumes a unit written by exportFrame (in another instance with the same network). Counts and
 * faces accumulate across the units an instance runs.
 */
export function loadUnit(r: usize): bool {
  const next = load<i32>(r, 4);
  const n = load<i32>(r, 8);
  const nLines = load<i32>(r, 12);
  const nNodes = load<i32>(r, 16);
  lineTop = 4; // the box's sides stay
  let p = r + UNIT_HEADER;
  for (let i = 0; i < nLines; i++) {
    memory.copy(lineAt(lineTop++), p, LINE_BYTES);
    p += LINE_BYTES;
  }
  const verts = p;
  p += (n as usize) * 32;
  vanishTop = 0;
  while (nNodes > vanishCap) if (!growVanish()) return false;
  memory.copy(vanishArena, p, (nNodes as usize) * 8);
  p += (nNodes as usize) * 8;
  vanishTop = nNodes;
  sp = 1;
  const f = frameAt(0);
  const poly = fPoly(f);
  for (let i = 0; i < n; i++) {
    const o = verts + (i as usize) * 32;
    const v = vertexAt(poly, i);
    memory.copy(v, o, 24);
    store<u32>(v, lineAt(4 + load<i32>(o, 24)) as u32, 24);
    store<i32>(v, load<i32>(o, 28), 28);
  }
  setFi(f, F_LAYER, 1);
  setFi(f, F_NEXT, next);
  setFi(f, F_NVERTS, n);
  setFi(f, F_LINETOP, lineTop);
  setFi(f, F_VANISHTOP, vanishTop);
  store<u64>(f + F_HASH, load<u64>(r, 24));
  const mapBytes = ((accumRows(1) * 3) as usize) << 3;
  memory.copy(f + F_ACCUM, p, mapBytes);
  p += mapBytes;
  memory.copy(fExact(f), p, accumRows(1) as usize);
  p += accumRows(1) as usize;
  memory.copy(fStates(f), p, units(1) as usize);
  invalidateAbove(0);
  updateBox(f);
  return true;
}
