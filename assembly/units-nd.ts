// Work units of the n-D engine for parallel counting (see src/count/parallel.ts and traverse.ts's
// 2-D version): layer 1 split breadth-first into pending cells written as units (expandUnitsNd),
// the pending cells of a running count handed over (handOverUnitsNd), and a unit resumed in another
// instance with the same network (loadUnitNd).
//
// Layer 1's tree is expanded breadth-first (always the oldest pending cell) until enough cells are
// pending; each becomes a unit: the frame, the rows below its row top (the rows it refers to,
// with the depth of the nodes that made them set to -1: their faces pair across units) and the
// touched units of the path so far.
import { alloc, memoryFailed } from './memory';
import { accumRows, act, ACT_MAXOUT, K, pieces, totalUnits, unitLines, units } from './network';
import { invalidateAbove } from './exact';
import { detachDepths } from './faces';
import { D, ROW_BYTES, setRowDepth } from './rows-nd';
import {
  accumOff, emitCap, F_BOX, F_COUNT, F_HASH, F_LAYER, F_NEXT, F_NWIT, F_PRE, F_ROWTOP, F_TOUCHTOP, fi, frameAt, frameBytes, listOff,
  fStates, geomVersion, linearOn, maxFrames, ndEmitBuf, ndEmitUsed, orderAt, orderCount, orient, orientOff,
  outOfMemory, rowAt, rowCap, rowStore, rowTop, scratchFrame, setFi, sp, touchArena, touchCap, touchScratch,
  touchTop, W, workSoFar,
} from './state-nd';
import { decideMaxout, decideSign } from './decide-nd';
import { ensureWitness } from './cell-nd';
import { dropVertices, hasVertices, rowTopAfterRebuild, vertexRebuild } from './vertex-nd';

const UNIT_HEADER: usize = 40;
/** The header's size, for readers of the records outside the core (src/count/parallel.ts). */
export function ndUnitHeaderBytes(): i32 { return UNIT_HEADER as i32; }

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
    // the split moves frames around the stack (bringToTop), which their vertex lists in the arena
    // cannot follow: the cells of layer 1 are H-cells here, and each unit rebuilds its vertices
    // where it is resumed (loadUnitNd)
    for (let i = 0; i < sp; i++) {
      const f = frameAt(i);
      if (!hasVertices(f)) continue;
      dropVertices(f);
      ensureWitness(f);
    }
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
      if (idx == orderCount(f)) break;
      if (sp + pieces(1) > maxFrames || rowTop + max(1, unitLines(1)) > rowCap || touchTop + 1 >= touchCap) {
        room = false;
        break;
      }
      const u = orderAt(f, idx);
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
  // [header][rows k][orientations k][touches][box][witnesses][map][states][unit list]: independent
  // of the frame layout, which depends on the row capacity of each instance
  const listBytes = (fi(f, F_COUNT) as usize) << 2;
  const size = (UNIT_HEADER + (k as usize) * ROW_BYTES + (k as usize) + ((touches as usize) << 2) + 7 +
    (((2 * D + W * D) as usize) << 3) + mapBytes + (units(1) as usize) + 3 + listBytes + 7) & ~(7 as usize);
  if (!reserveEmit(size)) return false;
  const rec = ndEmitBuf + ndEmitUsed;
  store<i32>(rec, size as i32);
  store<i32>(rec, k, 4);
  store<i32>(rec, touches, 8);
  store<i32>(rec, fi(f, F_NEXT), 12);
  store<i32>(rec, fi(f, F_NWIT), 16);
  store<u64>(rec, load<u64>(f + F_HASH), 24);
  store<i32>(rec, fi(f, F_COUNT), 32);
  store<i32>(rec, fi(f, F_PRE), 36);
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
  p = (p + (units(1) as usize) + 3) & ~(3 as usize);
  memory.copy(p, f + listOff, listBytes);
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
  p = (p + (units(1) as usize) + 3) & ~(3 as usize);
  const count = load<i32>(rec, 32);
  if (count < 0 || count > units(1) || load<i32>(rec, 12) > count) return false;
  memory.copy(f + listOff, p, (count as usize) << 2);
  setFi(f, F_COUNT, count);
  setFi(f, F_PRE, load<i32>(rec, 36));
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
  // the cell's vertices, from the domain's box clipped by its rows (vertex-nd.ts)
  vertexRebuild(f);
  if (hasVertices(f)) {
    rowTop = rowTopAfterRebuild;
    setFi(f, F_ROWTOP, rowTop);
  } else if (fi(f, F_NWIT) == 0) ensureWitness(f);
  return true;
}
