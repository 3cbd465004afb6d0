// Side records: the regions of a count that touch chosen sides of its domain's box, for counts
// made of pieces (src/count/pieces.ts: the whole space as a box and 2 n outer boxes in the
// homogeneous chart). A region of the whole space that meets several pieces is counted once in
// each; its part in each piece touches a side that piece shares with another, so the caller can
// find every region counted more than once among these records (the same activation pattern is the
// same region: a pattern's region is convex) and take the copies off.
//
// Record (recordBytes): [i32 region][i32 root][u32 sides touched][i32 -][pattern: u8 per unit]
// - region: the frames' region number, or -1 - k for the k-th region counted by vertexLeaves (no
//   frame number; it joins no other region of the piece, so it is its own root);
// - root: filled by sideRecordsOut: the region's linear region in this piece (its union-find root);
// - sides: bit i for the domain's row i (boxes: row 2k is p_k >= lo_k, row 2k + 1 is p_k <= hi_k;
//   the polygon engine's box sides by the same numbers, traverse.ts sideBit).
// A side is listed when the region's cell has it as a facet or may have (a row not shown redundant):
// listing too many costs a record, never a wrong count.
import { alloc, allocRaw } from './memory';
import { totalUnits } from './network';
import { rootOf } from './faces';
import { D, exactProportional, maybeProportional } from './rows-nd';
import { fi, F_ROWTOP, orient, pattern, probe, rowAt } from './state-nd';

/** The domain rows whose regions are recorded (bit i: row i); 0: none (the usual count). */
export let sideMask: u32 = 0;
let recordBytes: usize = 0;
let buf: usize = 0;
let cap = 0;
let count = 0;
let leafSerial = 0;

/**
 * A unit was found, on a cell that has a recorded side, not to cross the cell by the H-cell engine
 * (witnesses, LPs: no strict sign at every vertex), and its hyperplane is that side's: the unit's
 * two sides may then be regions of different pieces that join across the side, which no piece
 * sees (src/count/pieces.ts gives up on the pieces for linear regions).
 */
export let sideCoincident = false;

/**
 * After the H-cell engine decided that the unit whose row is in `probe` does not cross f's cell:
 * is its hyperplane one of f's recorded sides (rows exactly proportional)? Decisions by strict
 * signs (box tests, vertex signs) need no check: a hyperplane that holds a facet of the cell is 0
 * at the facet's vertices and at a point of the box.
 */
export function sideCheck(f: usize): void {
  const top = min(fi(f, F_ROWTOP), 2 * D);
  for (let i = 0; i < top && !sideCoincident; i++) {
    if (((sideMask >> (i as u32)) & 1) == 0 || orient(f, i) == 0) continue;
    const side = rowAt(i);
    if (maybeProportional(probe, side) && exactProportional(probe, side, pattern)) sideCoincident = true;
  }
}

/** The same found by the polygon engine (traverse.ts: a unit's line through both ends of a side's edge). */
export function markSideCoincident(): void {
  sideCoincident = true;
}

/** Records the regions touching the domain rows in `mask` from now on; false when memory ran out. */
export function sidesSetup(mask: u32): bool {
  sideMask = mask;
  recordBytes = (16 + (totalUnits as usize) + 7) & ~(7 as usize);
  count = 0;
  leafSerial = 0;
  cap = 1024;
  buf = allocRaw((cap as usize) * recordBytes);
  return buf != 0;
}

/** The next region number of vertexLeaves' regions (negative, never a frame's number). */
export function sideLeafId(): i32 {
  return -1 - leafSerial++;
}

/**
 * Region `id`, whose states are in `pattern`, touches the recorded sides in `touched` (already
 * masked, non-zero): its record. False when memory ran out.
 */
export function sideRecord(id: i32, touched: u32, pattern: usize): bool {
  if (count == cap) {
    // (grown geometrically: the old buffer is left behind, at most as much again)
    const bigger = allocRaw(((cap * 2) as usize) * recordBytes);
    if (bigger == 0) return false;
    memory.copy(bigger, buf, (cap as usize) * recordBytes);
    buf = bigger;
    cap *= 2;
  }
  const r = buf + (count++ as usize) * recordBytes;
  store<i32>(r, id);
  store<i32>(r, id, 4);
  store<u32>(r, touched, 8);
  store<i32>(r, 0, 12);
  memory.copy(r + 16, pattern, totalUnits as usize);
  return true;
}

export function sideRecordCount(): i32 {
  return count;
}

/** Drops the records after the first n (a leaf count the frames take over records its regions again). */
export function sideRecordsBack(n: i32): void {
  if (n < count) count = n;
}

export function sideRecordBytes(): i32 {
  return recordBytes as i32;
}

/** The records with each region's linear-region root filled in (`linear`: the count joined regions). */
export function sideRecordsOut(linear: bool): usize {
  if (count == 0) return alloc(8);
  for (let i = 0; i < count; i++) {
    const r = buf + (i as usize) * recordBytes;
    const id = load<i32>(r);
    store<i32>(r, linear && id >= 0 ? rootOf(id) : id, 4);
  }
  return buf;
}
