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
// Before a cell decides its next unit it pre-tests the later ones on the whole cell (decide-nd.ts,
// preTest): a unit whose hyperplane misses it is decided once there, not in every cell below.
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
//
// The engine's parts: state-nd.ts (the stack of frames and the state every part shares), cell-nd.ts
// (a cell's geometry: float tests on a frame, its box and witnesses), queries-nd.ts (the LP queries:
// which sides of a hyperplane a cell has interior points on), decide-nd.ts (a layer's units decided
// on a cell, splitting it, and the map they contribute), facets-nd.ts (a finished linear region:
// its facets filed and its record emitted), units-nd.ts (work units for other instances). This file
// sets the engine up and runs it.
import { alloc, memoryFailed, memoryLimit, memoryRelease, memoryTop } from './memory';
import {
  act, ACT_LINEAR, ACT_MAXOUT, decisionLabels, K, L, mix, networkEnd, outUnits, rows, totalUnits, unitOffset, units, zMap,
} from './network';
import { exactInterrupted, invalidateAbove, rowBits, setExactAllowance } from './exact';
import { compactUnionFind, facesReset, purgeDepth } from './faces';
import { lpReserve } from './lp';
import { lpExactReserve } from './lp-exact';
import { D, homogeneous, LINE_RAW, rowCoef, rowsSetup, setRowSource } from './rows-nd';
import {
  accumOff, allocateNd, baseHashT, emitCap, emitOn, F_HASH, F_LAYER, F_NEXT, F_NWIT, F_PRE, F_ROWTOP, F_TOUCHTOP, fi,
  frameAt, frameBytes, fStates, geomVersion, hi, layerHashT, linearOn, lo, maxFrames, maxRegions, ndEmitBuf,
  ndEmitUsed, ndPeakFrames, orderAt, orderCount, orient, outOfMemory, pattern, perLayerT, pointOk, posPt,
  recordMax, regionsNd, rowAt, rowCap, rowTop, setFi, setHi, setLo, setOrient, sp, touchTop, unitLayer, witAt,
  workSoFar,
} from './state-nd';
import { interiorQuery } from './queries-nd';
import { decideMaxout, decideSign, leafRegions, preTest, replayLeafStart, startLayer, startLeafLayer } from './decide-nd';
import { finalizeRegion, prepareFacets } from './facets-nd';
import { gainReserve } from './gain-nd';
import { boxFromVertices, hasVertices, leafAbandon, leafTests, vertexRoot, vertexSetup, vOn } from './vertex-nd';
import { meshApplies, meshSetup } from './mesh-nd';

/** Volume of the domain's box (boxes and slices; the homogeneous chart has none). */
let domainVolume: f64 = 0;
let domainBox: usize = 0; // the domain's box: lo (D), then hi (D)

/**
 * The share of the domain in the cells still on the stack, pending or being counted, estimated
 * from their boxes (which may overlap: an overestimate, capped at 1); 1 in the homogeneous chart
 * of the whole space and polytopes. Only a scheduling hint for JavaScript (src/count/api.ts):
 * it decides nothing about a count.
 */
export function pendingShareNd(): f64 {
  if (sp == 0) return 0;
  if (homogeneous || !(domainVolume > 0) || !(domainVolume < Infinity)) return 1;
  let sum: f64 = 0;
  for (let i = 0; i < sp; i++) {
    const f = frameAt(i);
    if (fi(f, F_LAYER) == 0) continue;
    if (hasVertices(f)) boxFromVertices(f); // (a cell with vertices shrinks its box lazily)
    let v: f64 = 1;
    for (let k = 0; k < D; k++) v *= max<f64>(0, hi(f, k) - lo(f, k));
    sum += v;
  }
  return min<f64>(1, sum / domainVolume);
}

/**
 * The share of the domain in the cells still on the stack (pending or being counted), estimated
 * from SAMPLES fixed points of the domain's box: the fraction of the points inside the domain that
 * lie inside one of those cells (disjoint: the stack holds the pending siblings of the cell being
 * counted, and that cell), by a float test of each cell's rows. In the homogeneous chart the box is
 * the chart's, |y_k| <= 1, 0 <= t <= 1, and a polytope's cone takes part of it: the points
 * outside the domain's rows are left out. A scheduling hint for JavaScript (src/count/api.ts:
 * whether a count is worth workers), never a decision of the count. Unlike pendingShareNd, whose
 * boxes overlap (so it stays at 1 until late in a count, and at 1 throughout in the chart), it
 * tracks the share from the first cells on. -1 when no point of the box is in the domain.
 */
export function sampleShareNd(): f64 {
  if (!(domainVolume > 0) || !(domainVolume < Infinity)) return -1;
  if (sp == 0) return 0;
  if (samplePts == 0) {
    // (a hint never takes the allocation that fails a count)
    const bytes = ((SAMPLES * D) as usize) << 3;
    if (memoryTop() + bytes + (1 << 20) > memoryLimit) return -1;
    samplePts = alloc(bytes);
    if (samplePts == 0) return -1;
    // (a fixed sequence: the same points in every count, so the same hint)
    let seed: u64 = 0x9E3779B97F4A7C15;
    for (let s = 0; s < SAMPLES * D; s++) {
      seed = seed * 6364136223846793005 + 1442695040888963407;
      const u = ((seed >> 11) as f64) / 9007199254740992.0;
      const k = s % D;
      const a = load<f64>(domainBox + ((k as usize) << 3));
      const b = load<f64>(domainBox + (((D + k) as usize) << 3));
      store<f64>(samplePts + ((s as usize) << 3), a + u * (b - a));
    }
    // (the domain's rows come first in the row table, and every cell keeps them)
    samplesIn = 0;
    for (let s = 0; s < SAMPLES; s++) if (insideFirstRows(domainRows, samplePts + (((s * D) as usize) << 3))) samplesIn++;
  }
  if (samplesIn == 0) return -1;
  let inside = 0;
  for (let s = 0; s < SAMPLES; s++) {
    const x = samplePts + (((s * D) as usize) << 3);
    for (let i = 0; i < sp; i++) {
      const f = frameAt(i);
      if (fi(f, F_LAYER) != 0 && insideRows(f, x)) {
        inside++;
        break;
      }
    }
  }
  return (inside as f64) / (samplesIn as f64);
}
const SAMPLES = 128;
let samplePts: usize = 0;
let samplesIn = 0; // the sample points inside the domain's rows
let domainRows = 0; // the domain's rows (the first of the row table)

/** Whether the float point x satisfies the first n rows, each as >= 0 (a float test: a hint only). */
function insideFirstRows(n: i32, x: usize): bool {
  for (let i = 0; i < n; i++) {
    const r = rowAt(i);
    let v = rowCoef(r, D);
    for (let k = 0; k < D; k++) v += rowCoef(r, k) * load<f64>(x + ((k as usize) << 3));
    if (v < 0) return false;
  }
  return true;
}

/** Whether the float point x satisfies every row of frame f (a float test: a hint only). */
function insideRows(f: usize, x: usize): bool {
  const top = fi(f, F_ROWTOP);
  for (let i = 0; i < top; i++) {
    const o = orient(f, i);
    if (o == 0) continue;
    const r = rowAt(i);
    let v = rowCoef(r, D);
    for (let k = 0; k < D; k++) v += rowCoef(r, k) * load<f64>(x + ((k as usize) << 3));
    if ((o as f64) * v < 0) return false;
  }
  return true;
}

export const ND_DONE = 0;
export const ND_MORE = 1;
export const ND_MAX_REGIONS = 2;
export const ND_OUT_OF_MEMORY = 3;

export function ndRegions(): f64 { return regionsNd; }
export function ndPerLayer(l: i32): f64 { return load<f64>(perLayerT + ((l as usize) << 3)); }

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
  let p = networkEnd;
  const domainRowCount = load<f64>(p) as i32;
  p += 8;
  const domainData = p;
  p += ((domainRowCount * (D + 1)) as usize) << 3;
  const boxData = p;
  p += ((2 * D) as usize) << 3;
  const hasStart = load<f64>(p) != 0;
  p += 8;
  const startData = p;

  if (!allocateNd(domainRowCount, splitter)) return 1;
  if (!lpReserve(D + 1, rowCap + 2 * D + 4)) return 1;
  if (!lpExactReserve(D + 1, rowCap + 2 * D + 4, rowBits + 8)) return 1;
  for (let l = 1; l <= L; l++) for (let u = 0; u < units(l); u++) store<i32>(unitLayer + (((unitOffset(l) + u) as usize) << 2), l);
  for (let l = 1; l <= L; l++) {
    let h: u64 = 0;
    for (let u = 0; u < units(l); u++) h ^= mix(unitOffset(l) + u, 0);
    store<u64>(baseHashT + ((l as usize) << 3), h);
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
  if (linear && !gainReserve()) return 1;
  let noMaxout = true;
  for (let l = 1; l <= L; l++) if (act(l) == ACT_MAXOUT) noMaxout = false;
  if (!vertexSetup(!homogeneous && noMaxout, domainRowCount, domainData, boxData, boxData + ((D as usize) << 3))) return 1;
  if (memoryFailed() || outOfMemory) return 1;
  // the last sign layer's cells with vertices are counted without frames (vertex-nd.ts,
  // vertexLeaves) when nothing but their number is asked for
  leafLayer = 0;
  leafAbandon();
  if (vOn && !emit && !splitter && maxRegions <= 0 && !decisionLabels) {
    let ls = L;
    while (ls >= 1 && act(ls) == ACT_LINEAR) ls--;
    if (ls >= 1 && act(ls) != ACT_MAXOUT) leafLayer = ls;
  }

  // the root cell: the domain's rows, its box, and an interior point
  rowTop = 0;
  const f = frameAt(0);
  sp = 1;
  memory.fill(f, 0, frameBytes);
  for (let i = 0; i < domainRowCount; i++) {
    const r = rowAt(rowTop++);
    memory.copy(r, domainData + (((i * (D + 1)) as usize) << 3), ((D + 1) as usize) << 3);
    memory.fill(r + (((D + 1) as usize) << 3), 0, ((D + 1) as usize) << 3);
    setRowSource(r, LINE_RAW, 0, 0, 0, -1);
    setOrient(f, i, 1);
  }
  domainVolume = 1;
  domainBox = boxData;
  domainRows = domainRowCount;
  for (let k = 0; k < D; k++) {
    const a = load<f64>(boxData + ((k as usize) << 3));
    const b = load<f64>(boxData + (((D + k) as usize) << 3));
    setLo(f, k, a);
    setHi(f, k, b);
    domainVolume *= b - a;
  }
  setFi(f, F_ROWTOP, rowTop);
  setFi(f, F_TOUCHTOP, 0);
  touchTop = 0;
  vertexRoot(f);
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
  if (memoryFailed() || outOfMemory) return 1;
  // a plain count of a box in 5 or 6 dimensions runs on the shared-vertex mesh (mesh-nd.ts),
  // with this cell engine, set up above, as its fallback
  meshMark = memoryTop();
  if (meshAllowed && !emit && !splitter && maxRegions <= 0 && !homogeneous
    && meshApplies(domainRowCount, domainData, boxData, boxData + ((D as usize) << 3))) {
    if (!meshSetup(boxData, boxData + ((D as usize) << 3), 0, linear)) memoryRelease(meshMark);
  }
  return 0;
}

/** The last sign layer, whose cells with vertices vertexLeaves counts (0: none). */
let leafLayer = 0;

/** Memory above this mark is the mesh's, freed when it hands the count to the cell engine. */
export let meshMark: usize = 0;
/** Whether plain counts may use the mesh (tests and benchmarks switch it off to compare). */
export let meshAllowed = true;
export function allowMesh(on: bool): void { meshAllowed = on; }

export function ndClearEmitted(): void {
  ndEmitUsed = 0;
}

/**
 * Runs until `budget` steps are done, the output buffer is full, maxRegions is reached, or the
 * traversal ends (mid-cell if need be: the frames hold all the state).
 */
export function runNd(budget: i32): i32 {
  // budget: steps, where a unit decision, a completed region and a simplex pivot are one step each
  // and exact work (LP pivots, map composition) is counted by its size: a chunk is bounded by work
  // whatever the dimension (state-nd.ts, workSoFar)
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
      // (a cell that starts the leaf layer in this loop tries the leaf count there: below, a root
      // or a resumed unit)
      if (idx == 0 && l == leafLayer && orderCount(f) > 0 && hasVertices(f)) {
        const n = leafDone(f, l, allowance(budget, spent, start));
        spent += leafTests;
        if (n > 0) break;
        if (n < 0) {
          setFi(f, F_TOUCHTOP, touchTop);
          return ND_MORE;
        }
      }
      if (idx == orderCount(f)) {
        if (l == L && linearOn && L >= 3 && rowTop == fi(f, F_ROWTOP)) {
          // a deep net's exact output-map comparisons, made first and resumable (prepareFacets)
          memory.copy(pattern + (unitOffset(l) as usize), fStates(f), units(l) as usize);
          store<u64>(layerHashT + ((l as usize) << 3), load<u64>(f + F_HASH));
          setExactAllowance(max<f64>(0, (budget as f64) - (spent as f64) - (workSoFar() - start)));
          const ready = prepareFacets(f);
          setExactAllowance(-1);
          if (outOfMemory || memoryFailed()) return ND_OUT_OF_MEMORY;
          if (!ready) {
            setFi(f, F_TOUCHTOP, touchTop);
            return ND_MORE;
          }
        }
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
        if (l == leafLayer && hasVertices(f)) {
          startLeafLayer(f, l);
          const n = leafDone(f, l, allowance(budget, spent, start));
          spent += leafTests;
          if (n > 0) break;
          // the frames count it, or the leaf count goes on at the next call (from the loop's top,
          // which sees a frame as startLayer makes it): what startLayer would have added
          replayLeafStart(f, l);
          if (n < 0) {
            setFi(f, F_TOUCHTOP, touchTop);
            return ND_MORE;
          }
          continue;
        }
        startLayer(f, l);
        continue;
      }
      if (fi(f, F_PRE) < orderCount(f)) {
        // the pre-test of the units left on this cell, one at a time (decide-nd.ts)
        setExactAllowance(max<f64>(0, (budget as f64) - (spent as f64) - (workSoFar() - start)));
        preTest(f, l);
        setExactAllowance(-1);
        if (outOfMemory || memoryFailed()) return ND_OUT_OF_MEMORY;
        if (exactInterrupted || (++spent + (workSoFar() - start) >= budget && rowTop == fi(f, F_ROWTOP))) {
          setFi(f, F_TOUCHTOP, touchTop);
          return ND_MORE;
        }
        continue;
      }
      const u = orderAt(f, idx);
      setExactAllowance(max<f64>(0, (budget as f64) - (spent as f64) - (workSoFar() - start)));
      const split = act(l) == ACT_MAXOUT ? decideMaxout(f, l, u, idx + 1) : decideSign(f, l, u, idx + 1);
      setExactAllowance(-1);
      if (outOfMemory || memoryFailed()) return ND_OUT_OF_MEMORY;
      if (exactInterrupted) {
        // the decision stopped in the exact composition of a deep map, changing nothing: the next
        // call runs it again from the rows composed so far (exact.ts)
        setFi(f, F_TOUCHTOP, touchTop);
        return ND_MORE;
      }
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

/**
 * Every region below frame f (a cell with vertices at the start of the leaf layer l) counted by
 * vertexLeaves, and f popped: their number; 0 when it leaves the cell to the frames, -1 when its
 * budget (unit tests, steps of the run loop) ran out first and the count goes on at the next call.
 */
function leafDone(f: usize, l: i32, budget: i32): i32 {
  const n = leafRegions(f, l, budget);
  // (pattern's layer l holds a leaf's states now, counted or not: the exact maps above it go)
  if (linearOn) invalidateAbove(l);
  if (n <= 0) return n;
  for (let m = l; m <= L; m++) {
    const pl = perLayerT + ((m as usize) << 3);
    store<f64>(pl, load<f64>(pl) + (n as f64));
  }
  regionsNd += n;
  sp--;
  geomVersion++;
  if (linearOn) purgeDepth(sp);
  return n;
}

/** Steps left of a run's budget (at least one). */
function allowance(budget: i32, spent: i32, start: f64): i32 {
  return max(1, budget - spent - ((workSoFar() - start) as i32));
}

/** The count is complete. */
function finish(): void {
  if (linearOn) purgeDepth(0);
}
