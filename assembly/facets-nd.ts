// The faces of the n-D engine's linear regions (see the header of traverse-nd.ts): when a region is
// complete, its facets are filed under their masked patterns (faces.ts), a row is proven a facet
// (by a ray from a witness, else an LP) before regions are joined across it, and the region's
// record is emitted.
import { act, ACT_LINEAR, ACT_MAXOUT, K, L, decisionLabels, mix, outUnits, pieces, totalUnits, unitOffset } from './network';
import { faceNeedingExactCheck, fileFace, matchedRegion, unionRegions } from './faces';
import { exactAllowance, exactInterrupted, exactPrepareSame, exactWindow } from './exact';
import { alloc } from './memory';
import { lpMaxSign, lpSlots, lpStart } from './lp';
import { lpExactGuide, lpExactMaxSign } from './lp-exact';
import {
  D, exactProportional, LINE_RAW, LINE_ROW, maybeProportional, ROW_BYTES, rowCoef, rowDepth, rowKind, rowUnit,
} from './rows-nd';
import {
  accumOff, emitOn, F_NWIT, F_ROWTOP, F_TOUCHTOP, fi, keyBuf, layerHashT, linearOn, maskList, ndEmitBuf,
  ndEmitUsed, ndFacesFiled, ndFacetChecks, ndFacetLpYes, ndRayFacets, negPt, orient, outOfMemory, pattern, probe2,
  regionsNd, rowAt, rowCap, touchArena, unitLayer, witAt, workSoFar,
} from './state-nd';
import { addWitness, boxSignRow, ensureWitness, pointSign, strictlyInsideFrame } from './cell-nd';
import { buildExact, buildLp, interiorQuery, setObjective } from './queries-nd';
import { diffRow, unitRow } from './decide-nd';
import { gainSeparates } from './gain-nd';
import { hasVertices, vertexCentroid, vertexFacet, vertexPrune } from './vertex-nd';
import { sideMask, sideRecord } from './sides-nd';

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
  // a cell with vertices: a row is a facet iff a vertex lies on it (vertex-nd.ts)
  if (hasVertices(f)) return vertexFacet(f, i);
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
  // the rows are incomplete (an exact composition stopped, exact.ts): the caller runs it again
  if (exactInterrupted) return false;
  lpExactGuide(lpSlots, D); // the float LP's basis, checked exactly first (lp-exact.ts)
  const e = lpExactMaxSign(m, w);
  lpExactGuide(0, 0);
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

let keyMasked = 0;
let facetMemo: usize = 0; // i8 per row of the region being prepared: isFacet's answer, -1, or FACET_SKIP
const FACET_SKIP: i8 = 2; // the row's face joins nothing or the row is redundant: nothing to file
let facetMemoCap: i32 = 0;
let facetMemoRegion: f64 = -1;
let facetMemoFrame: usize = 0;

/** isFacet(f, i) for region `id`, from the answers prepareFacets made for it when it has one. */
function facetOf(f: usize, i: i32, id: i32): bool {
  if (facetMemoRegion == (id as f64) && facetMemoFrame == f) {
    const known = load<i8>(facetMemo + (i as usize));
    if (known == 0 || known == 1) return known != 0;
  }
  return isFacet(f, i);
}

/** The region's pattern as a face key in keyBuf (nothing masked); returns the hash of the layers. */
function startKey(): u64 {
  let h: u64 = 0;
  for (let l = 1; l <= L; l++) h ^= load<u64>(layerHashT + ((l as usize) << 3));
  for (let u = 0; u < totalUnits; u++) store<u16>(keyBuf + ((u as usize) << 1), load<u8>(pattern + (u as usize)));
  return h;
}

/** The key of the facet on row entry r: the units vanishing on it masked in keyBuf (keyMasked of them, listed in maskList); returns its hash. */
function rowKey(f: usize, r: usize, h: u64): u64 {
  const nTouch = fi(f, F_TOUCHTOP);
  let kh = h;
  keyMasked = 0;
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
    store<i32>(maskList + ((keyMasked++ as usize) << 2), unit);
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
 * A face of region `id` on row entry r that can join nothing (gain-nd.ts): only the row's own
 * sign unit vanishes on it and the output maps across it certainly differ, so it is neither filed
 * nor, on a row made before a work unit was shipped, proven a facet. Never for decision regions,
 * where the class, not the map, decides a join. keyMasked is rowKey's.
 */
function joinsNothing(id: i32, r: usize): bool {
  if (decisionLabels || keyMasked != 1 || rowKind(r) != LINE_ROW) return false;
  const unit = rowUnit(r);
  const l = load<i32>(unitLayer + ((unit as usize) << 2));
  return gainSeparates(id, l, unit - unitOffset(l), pattern);
}

/**
 * Before a region files its facets: the exact output-map comparisons they may need, made in a
 * window (exact.ts, exactPrepareSame) so that a deep net's comparisons stop and resume like
 * decisions; finalizeRegion then finds the answers in the memo. (The facet LPs are not made here.)
 * Changes nothing else; false when the window stopped the work (the run loop calls this again).
 */
export function prepareFacets(f: usize): bool {
  const map = f + accumOff;
  const h = startKey();
  const top = fi(f, F_ROWTOP);
  if (facetMemoRegion != regionsNd || facetMemoFrame != f) {
    // the answers of isFacet for this region, row by row (-1: not known yet)
    if (facetMemoCap < rowCap) {
      facetMemo = alloc(rowCap as usize);
      facetMemoCap = rowCap;
    }
    memory.fill(facetMemo, 0xff, rowCap as usize);
    facetMemoRegion = regionsNd;
    facetMemoFrame = f;
  }
  const allowance = exactAllowance;
  const w0 = workSoFar();
  // (a cell with vertices drops its redundant rows: every row left is a facet)
  const vertexCell = hasVertices(f);
  if (vertexCell && act(L) != ACT_LINEAR) vertexPrune(f);
  exactWindow(true);
  for (let i = 0; i < top; i++) {
    const o = orient(f, i);
    if (o == 0) continue;
    const r = rowAt(i);
    if (rowKind(r) == LINE_RAW) continue;
    // (the gain filter first: it is cheaper than the box test, and rules out more rows)
    const kh = rowKey(f, r, h);
    if (joinsNothing(regionsNd as i32, r) || (!vertexCell && boxSignRow(f, r, o as f64) > 0)) {
      unmaskKey(); // finalizeRegion drops it too: no exact map check, no facet LP
      store<i8>(facetMemo + (i as usize), FACET_SKIP);
      continue;
    }
    let stop = exactInterrupted;
    if (!stop) {
      const other = faceNeedingExactCheck(kh, keyBuf, map);
      if (other != 0 && exactPrepareSame(other, pattern) < 0) stop = true;
    }
    // the facet LPs finalizeRegion makes first (see there), one at a time: each is one step, and
    // the window stops before the next once the budget is spent (after at least some work)
    if (!stop && (keyMasked > 1 || rowDepth(r) < 0) && load<i8>(facetMemo + (i as usize)) < 0) {
      const w = workSoFar() - w0;
      if (allowance >= 0 && w > 0 && w >= allowance) stop = true;
      else {
        const yes = isFacet(f, i);
        // an exact LP that stopped between pivots (lp-exact.ts): no answer, the preparation stops
        if (exactInterrupted) stop = true;
        else store<i8>(facetMemo + (i as usize), yes ? 1 : 0);
      }
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

/** A region is complete: count it, file its facets, emit it. Returns false when memory ran out. */
export function finalizeRegion(f: usize): bool {
  const id = regionsNd as i32;
  regionsNd += 1;
  if (sideMask != 0) {
    // (the domain's rows are rows 0 .. 2 D - 1; a vertex cell's rows no vertex lies on have been
    // dropped at its last layer's start, an H-cell may list a redundant one: a record too many)
    let touching: u32 = 0;
    const top = min(fi(f, F_ROWTOP), 32);
    for (let i = 0; i < top; i++) {
      if (((sideMask >> (i as u32)) & 1) != 0 && orient(f, i) != 0) touching |= (1 as u32) << (i as u32);
    }
    if (touching != 0 && !sideRecord(id, touching, pattern)) return false;
  }
  const map = f + accumOff;
  if (linearOn) {
    const h = startKey();
    const top = fi(f, F_ROWTOP);
    const prepared = facetMemoRegion == (id as f64) && facetMemoFrame == f;
    // (a cell with vertices drops its redundant rows: every row left is a facet; a linear last
    // layer's start has done it)
    const vertexCell = hasVertices(f);
    if (vertexCell && act(L) != ACT_LINEAR) vertexPrune(f);
    for (let i = 0; i < top; i++) {
      const o = orient(f, i);
      if (o == 0) continue;
      const r = rowAt(i);
      if (rowKind(r) == LINE_RAW) continue;
      // (a row prepareFacets found to need no face: no key, no test again)
      if (prepared && load<i8>(facetMemo + (i as usize)) == FACET_SKIP) continue;
      let verified = false;
      const kh = rowKey(f, r, h);
      // a face that can join nothing is not filed (the gain filter, first: it is the cheaper test
      // and rules out more rows); a row that holds on the whole box is redundant; the others are
      // filed unverified (they may be redundant too) and checked only if they meet a partner with
      // the same map (see the header)
      if (joinsNothing(id, r) || (!vertexCell && boxSignRow(f, r, o as f64) > 0)) {
        unmaskKey();
        continue;
      }
      // with several units vanishing on it (coincident hyperplanes) a face is checked before it is
      // filed: several regions may then share its key
      // rows made before a work unit was shipped (depth -1) have partners in other units, whose
      // faces are paired by the main thread without geometry: they are checked here first
      if (!verified && (keyMasked > 1 || rowDepth(r) < 0)) {
        if (!facetOf(f, i, id)) {
          unmaskKey();
          continue;
        }
        ndFacetLpYes += 1;
        verified = true;
      }
      ndFacesFiled += 1;
      if (!fileFace(kh, keyBuf, pattern, map, id, verified, rowDepth(r))) return false;
      if (matchedRegion >= 0 && isFacet(f, i) && !unionRegions(matchedRegion, id)) return false;
      unmaskKey();
      if (outOfMemory) return false;
    }
  }
  if (emitOn) {
    // a cell decided at its vertices has no witness: its vertices' centroid when it checks
    // exactly, else an LP's interior point
    if (fi(f, F_NWIT) == 0 && hasVertices(f)) {
      vertexCentroid(f, negPt);
      if (strictlyInsideFrame(f, negPt)) addWitness(f, negPt);
      else ensureWitness(f);
    }
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
