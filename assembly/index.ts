// The WebAssembly interface: numbers in, numbers out. JavaScript packs the validated network into
// the buffer `prepare` returns (layout in src/pack.ts), calls `setup`, then `run` until it returns
// RUN_DONE, reading counts with the getters below.
import { maxNonNeg, orderedDouble, orderKey } from './float';
import { alloc, memoryFailed, memoryRelease, memoryUsedBytes, resetMemory, setMemoryLimit } from './memory';
import { ACT_MAXOUT, L, act, engineMode, pieces, readNetwork } from './network';
import { setupExact } from './exact';
import {
  clearEmitted, emitBuf, emitUsed, expandUnits, handOverUnits, linearOn2d, loadUnit, peakFrames, pendingShare as pendingShare2d,
  perLayer, regions, run as runTraversal, setupTraversal,
} from './traverse';
import {
  exactMapChecks, exportFaces as exportPendingFaces, exportedFaces, faceRecordBytes, linearLabels, merges,
  keepEveryRoot, peakPendingFaces, pendingFaces, sameFaceMaps,
} from './faces';
import { sideCoincident, sideRecordBytes as sideBytes, sideRecordCount as sideCount, sideRecordsOut, sidesSetup } from './sides-nd';
import { exactCalls, filterHits } from './polygon';
import { allowMesh, meshMark, ndClearEmitted, ndPerLayer, ndRegions, pendingShareNd, runNd, sampleShareNd, setupNd } from './traverse-nd';
import {
  MESH_DONE, MESH_MORE, meshEdges, meshFailure, meshFacets, meshMerges, meshCount, meshOn, meshPerLayer, meshSharpened, meshVertices, meshStop, runMesh, setMeshMaxDim, setMeshMinDim, setMeshTau,
} from './mesh-nd';
import {
  ndApexCertificates, ndBoxHits, ndTouchCertificates, ndBoxLps, ndEmitBuf, ndEmitUsed, ndExactCalls, ndFacetChecks, ndFacetLpYes,
  linearOn, ndFacesFiled, ndLpCalls, ndPeakFrames, ndRayFacets, ndWitnessHits, ndWitnessless,
} from './state-nd';
import { expandUnitsNd, handOverUnitsNd, loadUnitNd } from './units-nd';
import { leafAbandon, ndFacetsKnown, ndLeafFallbacks, ndLeafRegions, ndSectionCells, setSections, ndVertexFacets, ndVertexLost, ndVertexSigns, ndVertexSolves, ndVertexUnsure } from './vertex-nd';
export { ndUnitHeaderBytes } from './units-nd';
import { setSetsEager, setsHits } from './gain-nd';
import { lpCalls, lpForget, lpIterations } from './lp';
import { exactLpCalls, exactLpPivots, exactLpResumes, exactLpSuspensions, lpExactForget } from './lp-exact';
import { lpCheckForget } from './lp-check';

let input: usize = 0;

/** Caps this instance's linear memory at `mib` MiB (0: the default 1.5 GiB); call before prepare. */
export function memoryLimitMiB(mib: i32): void {
  setMemoryLimit(mib <= 0 ? 0 : (mib as usize) << 20);
}

/** Resets all memory and returns a zeroed buffer of `bytes` for the packed network. */
export function prepare(bytes: i32): usize {
  resetMemory();
  testScratch = 0;
  lpForget();
  lpExactForget();
  lpCheckForget();
  input = alloc(bytes as usize);
  return input;
}

/**
 * Builds the tables. Returns 0 on success, 1 when memory would exceed the limit, 2 when the exact
 * integers would be absurdly long (weights spanning thousands of binary orders of magnitude), 3 when
 * linear regions are asked for a maxout layer with more than 15 pieces, 4 when the domain has an
 * empty interior (an n-D domain, or a 2-D box cut by rows).
 */
export function setup(maxRegions: f64, linear: i32, emit: i32): i32 {
  if (input == 0) return 1;
  if (!readNetwork(input)) return 1;
  const s = setupExact();
  if (s != 0) return s;
  if (linear != 0) {
    // face keys hold a maxout unit's tie set as a 15-bit mask
    for (let l = 1; l <= L; l++) if (act(l) == ACT_MAXOUT && pieces(l) > 15) return 3;
  }
  // emit 2: an instance that only splits the work into units (src/parallel.ts)
  if (engineMode != 0) return setupNd(maxRegions, linear != 0, emit == 1, emit == 2);
  const s2 = setupTraversal(maxRegions, linear != 0, emit == 1);
  if (s2 != 0) return s2;
  if (memoryFailed()) return 1;
  return 0;
}

/**
 * See traverse.ts: 0 done, 1 more to do, 2 maxRegions reached, 3 out of memory. `budget` is in
 * steps (decisions, regions, LP pivots), so every call returns within a bounded amount of work.
 */
export function run(budget: i32): i32 {
  if (engineMode != 0 && meshOn) {
    const r = runMesh(budget);
    if (r == MESH_DONE) return 0;
    if (r == MESH_MORE) return 1;
    memoryRelease(meshMark); // the mesh stopped: the cell engine, set up beside it, counts instead
  }
  return engineMode != 0 ? runNd(budget) : runTraversal(budget);
}

/**
 * The shared-vertex mesh (mesh-nd.ts): `on` 0 keeps every count on the cell engine; `minDim` is the
 * smallest box dimension it counts (5; tests lower it to check it against the exact reference in
 * 3-D); `tau` the bound past which a vertex is sharpened (1e-3; tests lower it to sharpen every
 * crossing; <= 0 keeps it); `maxDim` the largest dimension (6; the benchmark raises it to measure
 * 7-D and 8-D, at most 12; <= 0 keeps it). Call before setup.
 */
export function meshConfigure(on: i32, minDim: i32, tau: f64, maxDim: i32): void {
  allowMesh(on != 0);
  setMeshMinDim(minDim);
  if (tau > 0) setMeshTau(tau);
  if (maxDim > 0) setMeshMaxDim(maxDim);
}
/** 1 when this count ran on the mesh; else 0. */
export function statMesh(): i32 { return engineMode != 0 && meshOn ? 1 : 0; }
/** Why the last mesh handed its count to the cell engine: 0 it did not, else mesh-nd.ts's meshFailure code. */
export function statMeshFailure(): i32 { return meshFailure; }
export function statMeshVertices(): f64 { return meshVertices; }
export function statMeshEdges(): f64 { return meshEdges; }
export function statMeshSharpened(): f64 { return meshSharpened; }
export function statMeshFacets(): f64 { return meshFacets; }

export function activationRegions(): f64 { return engineMode != 0 ? (meshOn ? meshCount() : ndRegions()) : regions; }
export function mergedFaces(): f64 { return engineMode != 0 && meshOn ? meshMerges : merges; }
export function layerCount(l: i32): f64 { return engineMode != 0 ? (meshOn ? meshPerLayer(l) : ndPerLayer(l)) : perLayer(l); }
export function layers(): i32 { return L; }
export function emitted(): usize { return engineMode != 0 ? ndEmitUsed : emitUsed; }
export function emitBuffer(): usize { return engineMode != 0 ? ndEmitBuf : emitBuf; }
export function emitClear(): void { if (engineMode != 0) ndClearEmitted(); else clearEmitted(); }
/** After a complete run with linear regions: i32 per region, the smallest index in its linear region. */
export function linearRegionLabels(): usize { return linearLabels(activationRegions() as i32); }
export function statFilterHits(): f64 { return filterHits; }
export function statExactCalls(): f64 { return engineMode != 0 ? ndExactCalls : exactCalls; }
export function statExactMapChecks(): f64 { return exactMapChecks; }
export function statPeakFrames(): i32 { return engineMode != 0 ? ndPeakFrames : peakFrames; }
/** n-D engine counters: units decided by the box test, splits proven by witnesses, LP calls. */
export function statBoxHits(): f64 { return ndBoxHits; }
export function statWitnessHits(): f64 { return ndWitnessHits; }
export function statLpCalls(): f64 { return lpCalls; }
export function statLpIterations(): f64 { return lpIterations; }
export function statExactLpCalls(): f64 { return exactLpCalls; }
export function statExactLpPivots(): f64 { return exactLpPivots; }
/** Exact LPs stopped between pivots to return to JavaScript (and resumed). */
export function statExactLpSuspensions(): f64 { return exactLpSuspensions; }
export function statExactLpResumes(): f64 { return exactLpResumes; }
export function statSideQueries(): f64 { return ndLpCalls; }
export function statFacetChecks(): f64 { return ndFacetChecks; }
export function statBoxLps(): f64 { return ndBoxLps; }
export function statRayFacets(): f64 { return ndRayFacets; }
export function statWitnessless(): f64 { return ndWitnessless; }
/** Vertex cells (vertex-nd.ts): signs certified at vertices, decisions left to the H-cell engine, radii from Rump's bound, splits that lost their vertices. */
export function statVertexSigns(): f64 { return ndVertexSigns; }
export function statVertexUnsure(): f64 { return ndVertexUnsure; }
export function statVertexSolves(): f64 { return ndVertexSolves; }
export function statVertexLost(): f64 { return ndVertexLost; }
export function statVertexFacets(): f64 { return ndVertexFacets; }
export function statLeafRegions(): f64 { return ndLeafRegions; }
export function statSectionCells(): f64 { return ndSectionCells; }
/** Facets of leaf cells whose certificate another cell had made (the sections' facet cache). */
export function statFacetsKnown(): f64 { return ndFacetsKnown; }
/** Facets of layer l - 1 certified by the sums of their units' sets (gain-nd.ts, setsCertified). */
export function statSetsHits(): f64 { return setsHits; }
/** Test hook: those sums made at a unit's first facet (1), or once its facets have paid for them (0, the default). */
export function testSetsEager(on: i32): void { setSetsEager(on != 0); }
export { setsTest as testSetsLeast, setsTestTerms as testSetsTerms } from './gain-nd';
export { productsNormalFor as testProductsNormal } from './gain-nd';
/** Test hook: the leaf count tries sections first (1, the default) or only splits (0). */
export function testSections(on: i32): void { setSections(on != 0); }
export function statLeafFallbacks(): f64 { return ndLeafFallbacks; }
export function statFacetYes(): f64 { return ndFacetLpYes; }
export function statApexCertificates(): f64 { return ndApexCertificates; }
export function statTouchCertificates(): f64 { return ndTouchCertificates; }
/** n-D linear regions: faces filed to wait for a partner (the gain filter could not rule a join out). */
export function statFacesFiled(): f64 { return ndFacesFiled; }
export function statPeakPendingFaces(): i32 { return peakPendingFaces; }
/** Faces still waiting for their second side (0 after a complete run: every interior edge pairs up). */
export function statPendingFaces(): i32 { return pendingFaces; }
export function memoryBytes(): f64 { return memoryUsedBytes(); }

// ---- parallel counting (see src/parallel.ts) -----------------------------------------------------
/**
 * Splits layer 1 into at least `want` work units in the output buffer; returns their number, -1,
 * or -2 after about `budget` steps (call again to resume: the split returns to JavaScript too).
 */
export function splitUnits(want: i32, budget: i32): i32 {
  leafAbandon();
  return engineMode != 0 ? expandUnitsNd(want, budget) : expandUnits(want, budget);
}
/**
 * A running count hands its pending layer-1 cells to workers as units in the output buffer and
 * goes on with the rest; returns their number, or -1 when memory ran out.
 */
export function handOver(): i32 {
  leafAbandon(); // (the frames may move: a leaf count in progress starts again, or the frames count its cell)
  return engineMode != 0 ? (meshOn ? 0 : handOverUnitsNd()) : handOverUnits();
}
/**
 * Share of the domain still on the stack (0 when the count is done): a scheduling hint. 0 on the
 * shared-vertex mesh, whose work does not split: the count stays on its thread.
 */
export function pendingShare(): f64 { return engineMode != 0 ? (meshOn ? 0 : pendingShareNd()) : pendingShare2d(); }
/** The n-D engine's share of the domain still to count, from fixed sample points (-1: not known). */
export function sampleShare(): f64 { return engineMode != 0 && !meshOn ? sampleShareNd() : -1; }
/** A buffer of `bytes` for the caller to write into (e.g. a work unit or two faces). */
export function scratch(bytes: i32): usize { return alloc(bytes as usize); }
/** Resumes the work unit at ptr (written by another instance's split run). */
export function resumeUnit(ptr: usize): i32 {
  leafAbandon();
  // (an instance that resumes units counts them on the cell engine: the mesh set up for a whole
  // count is dropped; its memory stays allocated, unused, since the unit's buffer lies above it)
  if (engineMode != 0 && meshOn) meshStop();
  return (engineMode != 0 ? loadUnitNd(ptr) : loadUnit(ptr)) ? 1 : 0;
}
// ---- counts made of pieces (src/count/pieces.ts) -------------------------------------------------
/**
 * Records every region that touches one of the domain rows in `mask` (bit i: row i), with its
 * pattern (sides-nd.ts); call after setup, before run. 1 when memory ran out.
 */
export function recordSides(mask: i32): i32 {
  if (joining()) keepEveryRoot();
  return sidesSetup(mask as u32) ? 0 : 1;
}
export function sideRecordCount(): i32 { return sideCount(); }
export function sideRecordBytes(): i32 { return sideBytes(); }
/** The side records, each with its region's linear-region root in this count (a complete run). */
export function sideRecords(): usize { return sideRecordsOut(joining()); }
/** This count joins regions into linear regions (the n-D or the polygon engine's flag). */
function joining(): bool { return engineMode != 0 ? linearOn : linearOn2d(); }
/**
 * 1 when no unit's hyperplane was found to hold a facet of a cell on a recorded side (sides-nd.ts,
 * sideCheck): joins across the recorded sides are then all seen by the pieces (src/count/pieces.ts).
 */
export function sidesExact(): i32 { return sideCoincident ? 0 : 1; }

/** A stopped count's side records: those of a leaf count in progress (its regions not counted yet) go. */
export function settleSides(): void { leafAbandon(); }

/** Pending faces, exported into a new buffer; their number is exportedFaceCount(). */
export function exportFaces(): usize { return exportPendingFaces(); }
export function exportedFaceCount(): i32 { return exportedFaces; }
export function faceBytes(): i32 { return faceRecordBytes() as i32; }
export function compareFaces(mapA: usize, patternA: usize, mapB: usize, patternB: usize): i32 {
  return sameFaceMaps(mapA, patternA, mapB, patternB);
}

// ---- test hook: the vertex predicate on its own --------------------------------------------------
// Sign of a3 x + b3 y + c3 at the intersection of lines a1 x + b1 y + c1 = 0 and a2 x + b2 y + c2 = 0,
// through the same path the traversal uses (float intersection with a certified radius, the float
// filter, then the exact fallback). Needs a successful `setup` first (any network).
import { LINE_BYTES, writeRawLine } from './exact';
import { VERT_BYTES, intersect, vertexSign } from './polygon';

let testScratch: usize = 0;

/** Test hooks of the float order helpers (float.ts): orderedDouble(orderKey(x)); -1, 0, 1 as orderKey(a) is below, equal to or above orderKey(b); maxNonNeg(a, b). */
export function testOrderRoundTrip(x: f64): f64 { return orderedDouble(orderKey(x)); }
export function testOrderCompare(a: f64, b: f64): i32 { const p = orderKey(a); const q = orderKey(b); return p < q ? -1 : p > q ? 1 : 0; }
export function testMaxNonNeg(a: f64, b: f64): f64 { return maxNonNeg(a, b); }

export function testVertexSign(a1: f64, b1: f64, c1: f64, a2: f64, b2: f64, c2: f64, a3: f64, b3: f64, c3: f64): i32 {
  if (testScratch == 0) testScratch = alloc(3 * LINE_BYTES + VERT_BYTES);
  const l1 = testScratch;
  const l2 = l1 + LINE_BYTES;
  const l3 = l2 + LINE_BYTES;
  const v = l3 + LINE_BYTES;
  writeRawLine(l1, a1, b1, c1);
  writeRawLine(l2, a2, b2, c2);
  writeRawLine(l3, a3, b3, c3);
  intersect(v, l1, l2, 0, 0);
  return vertexSign(v, l1, l2, l3, 0);
}

// ---- test hook: the touch certificate's exact check on its own ----------------------------------
// Needs a successful `setup` of an n-D count first (any network: it sets D, the LP variables). The
// buffer holds n + 1 rows (alpha: D float64, beta), the last one g; testConeCertificate says whether
// g = -sum_i y_i row_i with every y_i > 0, exactly (rows-nd.ts exactConeCertificate).
import { D as ndD, exactConeCertificate, LINE_RAW as ROW_RAW, ROW_BYTES, setRowSource } from './rows-nd';
let testRows: usize = 0;
let testRowCount = 0;
export function testRowsBuffer(n: i32): usize {
  testRows = alloc(((n + 1) as usize) * ROW_BYTES);
  testRowCount = n;
  return testRows;
}
/** The row stride of testRowsBuffer, in float64 (alpha and beta first, then their error bounds, 0). */
export function testRowWords(): i32 { return (ROW_BYTES >> 3) as i32; }
export function testConeCertificate(): i32 {
  const n = testRowCount;
  const list = alloc(((n + 1) as usize) << 3);
  for (let i = 0; i <= n; i++) {
    const r = testRows + (i as usize) * ROW_BYTES;
    memory.fill(r + (((ndD + 1) as usize) << 3), 0, ((ndD + 1) as usize) << 3);
    setRowSource(r, ROW_RAW, 0, 0, 0, -1);
    store<u32>(list + ((i as usize) << 2), r as u32);
    store<i32>(list + (((n + 1 + i) as usize) << 2), 1);
  }
  return exactConeCertificate(list, list + (((n + 1) as usize) << 2), n, testRows + (n as usize) * ROW_BYTES, 1, 0) ? 1 : 0;
}

// ---- the LP on its own (tests and benchmarks): interior of {x : A x <= b} -------------------------
import { checkExact, lpCheck, lpCheckBuffer, lpCheckPoint } from './lp-check';
/** A buffer for m rows (a_i, b_i) of d + 1 float64, then a box lo (d), hi (d) holding the polytope. */
export function lpTestBuffer(m: i32, d: i32): usize { return lpCheckBuffer(m, d); }
/** 1: non-empty interior (lpTestPoint: a certified interior point when the float LP decided), 0: flat, -1: empty. */
export function lpTest(m: i32, d: i32): i32 { return lpCheck(m, d); }
export function lpTestPoint(): usize { return lpCheckPoint(); }
/** 1 when the last lpTest needed the exact LP. */
export function lpTestExact(): i32 { return checkExact; }
export { convacPrepare, convacSetup, convacRun, convacRank, convacPhase, convacColumn, convacWork, convacMatrix } from './convac';
/** Test hook: each row of an exact map composed in a decision costs at least `steps` (exact.ts). */
export { exactRowStepsFloor } from './exact';
