// The faces of the n-D engine's linear regions (see the header of traverse-nd.ts): when a region is
// complete, its facets are filed under their masked patterns (faces.ts), a row is proven a facet
// (by a ray from a witness, else an LP) before regions are joined across it, and the region's
// record is emitted.
import { act, ACT_MAXOUT, K, L, mix, outUnits, pieces, totalUnits, unitOffset } from './network';
import { fileFace, matchedRegion, unionRegions } from './faces';
import { lpMaxSign, lpStart } from './lp';
import { lpExactMaxSign } from './lp-exact';
import {
  D, exactProportional, LINE_RAW, LINE_ROW, maybeProportional, ROW_BYTES, rowCoef, rowDepth, rowKind, rowUnit,
} from './rows-nd';
import {
  accumOff, emitOn, F_NWIT, F_ROWTOP, F_TOUCHTOP, fi, keyBuf, layerHashT, linearOn, maskList, ndEmitBuf,
  ndEmitUsed, ndFacetChecks, ndFacetLpYes, ndRayFacets, negPt, orient, outOfMemory, pattern, probe2,
  regionsNd, rowAt, touchArena, unitLayer, witAt,
} from './state-nd';
import { boxSignRow, pointSign } from './cell-nd';
import { buildExact, buildLp, interiorQuery, setObjective } from './queries-nd';
import { diffRow, unitRow } from './decide-nd';
import { gainSeparates } from './gain-nd';

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
export function finalizeRegion(f: usize): bool {
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
      // a face where only the row's own sign unit vanishes is dropped when the output maps across
      // it certainly differ (gain-nd.ts): it can join nothing, so it is neither filed nor, on a
      // row made before a work unit was shipped, proven a facet
      if (masked == 1 && rowKind(r) == LINE_ROW) {
        const unit = rowUnit(r);
        const l = load<i32>(unitLayer + ((unit as usize) << 2));
        if (gainSeparates(id, l, unit - unitOffset(l), pattern)) {
          store<u16>(keyBuf + ((unit as usize) << 1), load<u8>(pattern + (unit as usize)));
          continue;
        }
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
