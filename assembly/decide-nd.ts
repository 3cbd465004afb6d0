// Split decisions of the n-D engine: a cell starts a layer (units whose hyperplane misses its box
// are decided at once), then each remaining unit is decided on the cell (decideSign for relu /
// leaky / abs, decideMaxout for maxout), splitting it into children when its hyperplane crosses
// the cell, and each decision adds the unit's contribution to the map for the next layer.
import {
  accumRows, act, ACT_LEAKY, ACT_LINEAR, ACT_MAXOUT, ACT_RELU, alpha, bias, colOff, colOn, colPtr, K, L, mix,
  pieces, rowIdx, rows, unitOffset, units, zErr, zMap,
} from './network';
import { gamma, inflate, U, underflow } from './float';
import {
  D, homogeneous, LINE_DIFF, LINE_ROW, ROW_BYTES, rowCoef, rowR1, rowR2, setRowDepth, setRowFromMap,
  setRowSource,
} from './rows-nd';
import {
  accumOff, baseHashT, childBuf, F_HASH, F_LAYER, F_NEXT, F_NWIT, F_ROWTOP, F_TOUCHTOP, fStates, geomBytes,
  F_COUNT, F_PRE, F_WORDS, fi, geomVersion, hi, linearOn, listOff, lo, orderAt, orderCount, ndBoxHits, negOk, negPt, outOfMemory, posOk, posPt, probe, pushCopy,
  rowAt, rowCap, rowTop, setFi, setOrient, sp, touchArena, touched, touchTop,
} from './state-nd';
import { addWitness, boxSignAt, boxSignRow, ensureWitness, keepWitnesses, pruneRows, shrinkBox, tightenBox } from './cell-nd';
import { sides } from './queries-nd';
import { alloc } from './memory';
import { exactInterrupted, exactWindow } from './exact';
import { sideCheck, sideMask } from './sides-nd';
import {
  boxFromVertices, dropVertices, layerWordsRow, leafFits, leafPendingFor, leafTestsReset, setVertexDecided, splitWords, vertexLeaves,
  vertexLeavesResume, vertexPrune, hasVertices, vertexDecided, vertexSplit, wordSides,
} from './vertex-nd';

/** A cell starts layer l: its map is reset, units whose hyperplane misses the box are decided. */
export function startLayer(f: usize, l: i32): void {
  initAccum(f, l);
  const a = act(l);
  if (a != ACT_LINEAR && hasVertices(f)) boxFromVertices(f);
  store<u64>(f + F_HASH, load<u64>(baseHashT + ((l as usize) << 3)));
  setFi(f, F_LAYER, l);
  setFi(f, F_NEXT, 0);
  const list = f + listOff;
  const n = units(l);
  let count = 0;
  if (a == ACT_LINEAR) {
    for (let u = 0; u < n; u++) contribute(f, l, u, 0);
  } else if (a == ACT_MAXOUT) {
    for (let u = 0; u < n; u++) store<i32>(list + ((count++ as usize) << 2), u);
  } else {
    // units whose hyperplane misses the box are decided for the whole subtree; when two or more
    // remain, the box is tightened by LPs first and they are tested again (boxes and slices only:
    // in the homogeneous chart of the whole space and polytopes the pre-test does better without:
    // 3-16-16-16-1 on the whole space -28% in CPU time, the other whole-space and polytope nets of
    // bench/nd.js and bench/threads.js the same or faster)
    for (let pass = 0; pass < 2; pass++) {
      const n0 = pass == 0 ? n : count;
      let kept = 0;
      for (let i = 0; i < n0; i++) {
        const u = pass == 0 ? i : load<i32>(list + ((i as usize) << 2));
        // (the map's row as it is, outside the homogeneous chart, where the row entry zeroes its
        // constant term)
        let q: i32;
        if (homogeneous) {
          unitRow(probe, l, u);
          q = boxSignRow(f, probe, 1);
        } else if (pass == 0) {
          if (i == 0) boxSignsOfLayer(f, l);
          q = load<i8>(layerSigns + (u as usize)) as i32;
        } else {
          const o = ((u * K) as usize) << 3;
          q = boxSignAt(f, zMap(l) + o, zErr(l) + o, 1);
        }
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
        // (a cell with vertices has its vertices' box already: nothing to tighten)
        if (count < 2 || homogeneous || hasVertices(f)) break;
        tightenBox(f);
      }
    }
  }
  setFi(f, F_COUNT, count);
  // (maxout units are decided by their pieces, without a pre-test)
  setFi(f, F_PRE, a != ACT_MAXOUT && !hasVertices(f) ? 1 : count);
  // the list units' signs at the vertices, once for the subtree (vertex-nd.ts, layerWordsRow)
  let words = hasVertices(f) && a != ACT_MAXOUT && a != ACT_LINEAR && count > 0 && count <= 64;
  for (let j = 0; j < count && words; j++) {
    unitRow(probe, l, load<i32>(list + ((j as usize) << 2)));
    words = layerWordsRow(f, l, j, probe);
  }
  setFi(f, F_WORDS, words ? 1 : 0);
  // (a linear layer splits nothing: its start is the region's end, where finalizeRegion decides)
  if (hasVertices(f)) vertexPrune(f);
  else pruneRows(f);
}

let layerSigns: usize = 0; // i8 per unit of a layer: boxSignsOfLayer's answers
let layerSignsCap = 0;

/**
 * boxSignAt(f, unit u's map row, 1) for every unit u of layer l into layerSigns (the affine chart),
 * in 3-D and 4-D with the box in centre form: each coordinate's [lo, hi] lies within [m - w, m + w]
 * (w rounded up), so a row c + a.x ranges over s -+ t with s = c + sum a_k m_k and
 * t = sum |a_k| w_k: no min or max per unit (in 3-D 12 products and 4 absolute values, where the
 * box's corners took 9 products, 9 min / max and 7 absolute values; 1.05-1.09x on the 3-D and 4-D
 * nets with linear regions, docs/performance.md).
 *
 * The bound: the exact row is within e_c + sum e_k max(|lo_k|, |hi_k|) of the float row on the box
 * (its coefficients' error bounds); s and t are D + 1 and D products summed, and s -+ t one more
 * rounding, so each float end is within gamma_{D+2} (|c| + sum |a_k| (|m_k| + w_k)) of the exact
 * one, plus 2 D underflows. The bound's own 5 D + 3 operations are covered as by `inflate`.
 */
function boxSignsOfLayer(f: usize, l: i32): void {
  const n = units(l);
  if (layerSignsCap < n) {
    layerSigns = alloc(n as usize);
    layerSignsCap = n;
  }
  const zm = zMap(l);
  const ze = zErr(l);
  if (D != 3 && D != 4) {
    for (let u = 0; u < n; u++) {
      const o = ((u * K) as usize) << 3;
      store<i8>(layerSigns + (u as usize), boxSignAt(f, zm + o, ze + o, 1) as i8);
    }
    return;
  }
  const g = gamma(D + 2);
  const uf = underflow(2 * D);
  const k = 4 * (5 * D + 8);
  const grow: f64 = 1.0 + (k as f64) * U;
  const floor = underflow(k);
  const m0 = mid(f, 0), m1 = mid(f, 1), m2 = mid(f, 2);
  const w0 = halfWidth(f, 0, m0), w1 = halfWidth(f, 1, m1), w2 = halfWidth(f, 2, m2);
  const n0 = abs(m0) + w0, n1 = abs(m1) + w1, n2 = abs(m2) + w2;
  const x0 = max(abs(lo(f, 0)), abs(hi(f, 0))), x1 = max(abs(lo(f, 1)), abs(hi(f, 1))), x2 = max(abs(lo(f, 2)), abs(hi(f, 2)));
  if (D == 3) {
    for (let u = 0; u < n; u++) {
      const z = zm + (((u * 4) as usize) << 3);
      const e = ze + (((u * 4) as usize) << 3);
      const c = load<f64>(z, 24);
      const a0 = load<f64>(z), a1 = load<f64>(z, 8), a2 = load<f64>(z, 16);
      const b0 = abs(a0), b1 = abs(a1), b2 = abs(a2);
      const s = c + a0 * m0 + a1 * m1 + a2 * m2;
      const t = b0 * w0 + b1 * w1 + b2 * w2;
      const mag = abs(c) + b0 * n0 + b1 * n1 + b2 * n2;
      const err = load<f64>(e, 24) + load<f64>(e) * x0 + load<f64>(e, 8) * x1 + load<f64>(e, 16) * x2;
      const bound = (err + g * mag + uf) * grow + floor;
      store<i8>(layerSigns + (u as usize), s + t < -bound ? -1 : s - t > bound ? 1 : 0);
    }
    return;
  }
  const m3 = mid(f, 3);
  const w3 = halfWidth(f, 3, m3);
  const n3 = abs(m3) + w3;
  const x3 = max(abs(lo(f, 3)), abs(hi(f, 3)));
  for (let u = 0; u < n; u++) {
    const z = zm + (((u * 5) as usize) << 3);
    const e = ze + (((u * 5) as usize) << 3);
    const c = load<f64>(z, 32);
    const a0 = load<f64>(z), a1 = load<f64>(z, 8), a2 = load<f64>(z, 16), a3 = load<f64>(z, 24);
    const b0 = abs(a0), b1 = abs(a1), b2 = abs(a2), b3 = abs(a3);
    const s = c + a0 * m0 + a1 * m1 + a2 * m2 + a3 * m3;
    const t = b0 * w0 + b1 * w1 + b2 * w2 + b3 * w3;
    const mag = abs(c) + b0 * n0 + b1 * n1 + b2 * n2 + b3 * n3;
    const err = load<f64>(e, 32) + load<f64>(e) * x0 + load<f64>(e, 8) * x1 + load<f64>(e, 16) * x2 + load<f64>(e, 24) * x3;
    const bound = (err + g * mag + uf) * grow + floor;
    store<i8>(layerSigns + (u as usize), s + t < -bound ? -1 : s - t > bound ? 1 : 0);
  }
}

/** The centre of the box's coordinate k (any float in it would do: halfWidth covers it). */
@inline function mid(f: usize, k: i32): f64 {
  return 0.5 * lo(f, k) + 0.5 * hi(f, k);
}

/**
 * A w with [lo_k, hi_k] within [m - w, m + w] exactly: the larger float difference, which is within
 * a relative u of the exact one (exact when subnormal), rounded up by 1 + 4 u and an underflow.
 */
@inline function halfWidth(f: usize, k: i32, m: f64): f64 {
  return max(hi(f, k) - m, m - lo(f, k)) * (1.0 + 4.0 * U) + underflow(1);
}

/**
 * startLayer for a cell with vertices that starts the last sign layer l, whose regions
 * vertexLeaves counts (leafRegions): the units whose hyperplane misses the cell's box get their
 * state, and nothing else (their map contributions and the hash of the pattern are only needed
 * when the frames count the cell: replayLeafStart adds them then).
 */
export function startLeafLayer(f: usize, l: i32): void {
  initAccum(f, l);
  boxFromVertices(f);
  store<u64>(f + F_HASH, load<u64>(baseHashT + ((l as usize) << 3)));
  setFi(f, F_LAYER, l);
  setFi(f, F_NEXT, 0);
  const list = f + listOff;
  const states = fStates(f);
  boxSignsOfLayer(f, l);
  let count = 0;
  for (let u = 0; u < units(l); u++) {
    const q = load<i8>(layerSigns + (u as usize)) as i32;
    if (q == 0) {
      store<i32>(list + ((count++ as usize) << 2), u);
    } else {
      ndBoxHits += 1;
      store<u8>(states + (u as usize), q > 0 ? 1 : 0);
    }
  }
  setFi(f, F_COUNT, count);
  setFi(f, F_PRE, count);
  setFi(f, F_WORDS, 0);
  // (the rows that are not facets are dropped only if the frames take the cell: replayLeafStart.
  // The leaf count reads the vertices' rows, never the orientations)
}

/**
 * The rest of startLayer after startLeafLayer, for the frames: each unit decided on the box adds
 * its hash and its map contribution, in the order startLayer adds them (the same sums).
 */
export function replayLeafStart(f: usize, l: i32): void {
  vertexPrune(f);
  const list = f + listOff;
  const count = fi(f, F_COUNT);
  const states = fStates(f);
  let k = 0;
  for (let u = 0; u < units(l); u++) {
    if (k < count && load<i32>(list + ((k as usize) << 2)) == u) {
      k++;
      continue;
    }
    const st = load<u8>(states + (u as usize)) as i32;
    setState(f, l, u, st);
    contribute(f, l, u, st);
  }
}

/**
 * The pre-test: before a cell decides its next unit (at F_NEXT, which the decision itself tests),
 * each later unit still in its list (from F_PRE on) is tested on the whole cell, and those whose
 * hyperplane misses it are decided there, once, instead of in every cell the next splits make; a
 * cell that starts a layer, and each child of a split, pre-tests. The ones that cross stay in the
 * list, in order, and the points that showed it join the cell's witnesses (the cells below decide
 * them with fewer LPs). On 4-16-16-1 over [-1, 1]^4 this took the LPs from 4.6 to 2.4 per region.
 * One unit per call (a step of the run loop, which the exact window may interrupt: nothing
 * changes then); returns false when the frame's pre-test is done.
 */
export function preTest(f: usize, l: i32): bool {
  const pre = fi(f, F_PRE);
  const count = fi(f, F_COUNT);
  if (pre >= count) return false;
  const list = f + listOff;
  const u = load<i32>(list + ((pre as usize) << 2));
  unitRow(probe, l, u);
  exactWindow(true);
  const bits = sides(f, probe);
  exactWindow(false);
  if (outOfMemory || exactInterrupted) return true;
  if (bits == 3) {
    if (posOk) addWitness(f, posPt);
    if (negOk) addWitness(f, negPt);
    setFi(f, F_PRE, pre + 1);
    return true;
  }
  decideWhole(f, l, u, bits);
  memory.copy(list + ((pre as usize) << 2), list + (((pre + 1) as usize) << 2), ((count - pre - 1) as usize) << 2);
  setFi(f, F_COUNT, count - 1);
  setFi(f, F_WORDS, 0); // (the list's indices moved)
  return true;
}
/**
 * The regions of a cell with vertices that has just started layer l, the network's last sign
 * layer (vertex-nd.ts, vertexLeaves), in at most `budget` unit tests: its undecided units' rows
 * are written above rowTop, where the frames would write them one split at a time. 0: not counted
 * that way (the frames count it); -1: the budget ran out, and the count goes on at the next call.
 */
export function leafRegions(f: usize, l: i32, budget: i32): i32 {
  leafTestsReset();
  if (leafPendingFor(f)) return vertexLeavesResume(budget);
  const m = orderCount(f);
  // (a unit touching the cell may vanish on a facet too: its faces' keys need the exact test)
  if (rowTop + m > rowCap || (linearOn && fi(f, F_TOUCHTOP) != 0) || !leafFits(f, m)) return 0;
  for (let j = 0; j < m; j++) unitRow(rowAt(rowTop + j), l, orderAt(f, j));
  return vertexLeaves(f, rowTop, m, l, linearOn, budget);
}

/** Row entry of unit u of layer l (its pre-activation on the current cell). */
export function unitRow(dst: usize, l: i32, u: i32): void {
  setRowFromMap(dst, zMap(l) + (((u * K) as usize) << 3), zErr(l) + (((u * K) as usize) << 3), 1);
  setRowSource(dst, LINE_ROW, l, u, 0, unitOffset(l) + u);
}

/** Row entry of z_r1 - z_r2 of layer l (two maxout pieces of unit `unit`). */
export function diffRow(dst: usize, l: i32, r1: i32, r2: i32, unit: i32): void {
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
  if (K == 4) {
    // (3-D: the row's four entries held, the update unrolled)
    const z0 = load<f64>(z);
    const z1 = load<f64>(z, 8);
    const z2 = load<f64>(z, 16);
    const z3 = load<f64>(z, 24);
    for (let i = 0; i < R; i++) {
      const w = load<f64>(col + ((i as usize) << 3));
      if (w == 0) continue;
      const o = acc + ((i as usize) << 5);
      store<f64>(o, load<f64>(o) + w * z0);
      store<f64>(o, load<f64>(o, 8) + w * z1, 8);
      store<f64>(o, load<f64>(o, 16) + w * z2, 16);
      store<f64>(o, load<f64>(o, 24) + w * z3, 24);
    }
    return;
  }
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

/** Unit u keeps one side on the whole cell (sides' answer `bits`, 1 or 2): its state, its map, and a touch. */
function decideWhole(f: usize, l: i32, u: i32, bits: i32): void {
  // (a count made of pieces: a hyperplane the H-cell engine found not to cross may lie on a side)
  if (sideMask != 0 && !vertexDecided) sideCheck(f);
  const s = bits == 1 ? 1 : 0;
  setState(f, l, u, s);
  contribute(f, l, u, s);
  if (touched) recordTouch(unitOffset(l) + u);
  setFi(f, F_TOUCHTOP, touchTop);
}

/** Decides a relu / leaky / abs unit; returns true when the frame split (a new frame is on top). */
export function decideSign(f: usize, l: i32, u: i32, next: i32): bool {
  if (fi(f, F_WORDS) != 0 && hasVertices(f)) {
    // one sign at every vertex: decided from their words, with no evaluation
    const b = wordSides(f, next - 1);
    if (b != 3) {
      touched = false;
      setVertexDecided();
      decideWhole(f, l, u, b);
      return false;
    }
    splitWords(l, next - 1, orderCount(f));
  }
  unitRow(probe, l, u);
  exactWindow(true);
  const bits = sides(f, probe);
  exactWindow(false);
  if (outOfMemory || exactInterrupted) return false; // interrupted: nothing changed, the run loop runs it again
  if (bits != 3) {
    decideWhole(f, l, u, bits);
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
  const byVertices = vertexDecided;
  const g = pushCopy(f, l);
  setOrient(g, ri, 1);
  setOrient(f, ri, -1);
  if (byVertices) {
    // decided at the vertices (no witness signs were taken): the children's vertices; their boxes
    // (the parent's, still holding them) shrink to their vertices when they start a layer, and
    // witnesses are found only if a child falls back to the H-cell engine
    setFi(g, F_NWIT, 0);
    setFi(f, F_NWIT, 0);
    if (!vertexSplit(f, g, ri)) {
      shrinkBox(g, r, 1);
      shrinkBox(f, r, -1);
    }
  } else {
    shrinkBox(g, r, 1);
    shrinkBox(f, r, -1);
    keepWitnesses(g, 1, posPt, posOk);
    keepWitnesses(f, -1, negPt, negOk);
    // an H-cell split: the children's vertices are not known (a hyperplane through a vertex)
    dropVertices(g);
    dropVertices(f);
  }
  setState(g, l, u, 1);
  contribute(g, l, u, 1);
  setState(f, l, u, 0);
  contribute(f, l, u, 0);
  setFi(g, F_NEXT, next);
  setFi(f, F_NEXT, next);
  // (cells with vertices decide each unit when they reach it: a pre-test would evaluate the units
  // still ahead after every split, where they mostly still cross)
  setFi(g, F_PRE, hasVertices(g) ? orderCount(g) : next + 1);
  setFi(f, F_PRE, hasVertices(f) ? orderCount(f) : next + 1);
  setFi(f, F_ROWTOP, rowTop);
  setFi(g, F_ROWTOP, rowTop);
  setFi(f, F_TOUCHTOP, touchTop);
  setFi(g, F_TOUCHTOP, touchTop);
  if (!hasVertices(g)) ensureWitness(g);
  if (!hasVertices(f)) ensureWitness(f);
  return true;
}

/**
 * Decides a maxout unit: the cell of piece i is the cell clipped by z_i - z_m > 0 (m < i) and
 * z_i - z_m >= 0 (m > i): ties go to the lowest index, and a piece that only ties has no cell.
 */
export function decideMaxout(f: usize, l: i32, u: i32, next: i32): bool {
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
      exactWindow(true);
      const bits = sides(c, probe);
      exactWindow(false);
      if (outOfMemory) return false;
      if (exactInterrupted) {
        // f keeps its geometry until the loop ends: dropping the difference rows undoes the rest
        rowTop = base;
        setFi(f, F_ROWTOP, base);
        return false;
      }
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
