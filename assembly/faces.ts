// Linear regions: activation regions joined across shared edges where the output map is the same.
//
// Across an edge e created by unit c, the two regions' patterns agree on every unit that is not
// identically 0 on e (each pre-activation is continuous, and none changes sign inside e), so the
// pattern with the units vanishing on e masked out is the same from both sides and names the
// face. A masked maxout unit is replaced by its tie set on e (the pieces that attain the max all
// along e), because three or more of its cells can meet pairwise and must not share a key. Both sides also see the same subdivision of e's line (deeper units cross it at the same
// points from both sides), so faces pair up one to one. Each region files its edges under that
// key; the second side to arrive finds the first, compares the two output maps (float with a
// rigorous bound, exact when the bound cannot decide) and unions. Pending faces are only those
// with one side seen, so memory follows the traversal's frontier, not the number of regions; the
// union-find holds only regions that were actually merged.
//
// The n-D engine also files faces it has not proven to be facets (verified = false) and gives each
// face the stack depth of the node whose split made its row: the partner of such a face lies in
// that node's subtree, so when the stack drops below the depth the face is dropped (purgeDepth),
// and memory follows the traversal's path. Two unverified faces with the same map are not joined
// here but handed back (matchedRegion) for the caller to check the facet first.
import { alloc, memoryFailed, memoryLimit } from './memory';
import {
  setSlotValue, slotKey, slotUsed, slotValue, tableClear, tableCount, tableFind, tableInsert, tableNew,
  tableNextIndex, tableRemoveAt, tableStart,
} from './hashtable';
import { exactSameOutput } from './exact';
import { ETA, U } from './float';
import { K, decisionLabels, outputErr, outUnits, totalUnits } from './network';

let faceTable: usize = 0;
let ufTable: usize = 0;
// The entries live in chunks of 2^chunkShift entries (about 256 KiB each), allocated as the pool
// grows and never copied: no pause to copy a large pool, and no abandoned copies in the bump
// allocator (memory follows the most faces pending at once, not twice that).
let chunks: usize = 0; // u32 pointer per chunk
let chunkCap: i32 = 0;
let chunkShift: i32 = 0;
let poolCap: i32 = 0;
let poolUsed: i32 = 0;
// union-find compaction (see compactUnionFind): off when every region's label is wanted
let keepLabels = false;
let freeHead: i32 = -1;
let entryBytes: usize = 0;
let mapBytes: usize = 0;
let tailOff: usize = 0; // [i32 depth][i32 prev][i32 next][i32 pad] after the pattern
let depthHeads: usize = 0; // i32 per depth: first entry of that depth's list, or -1
let depthCap: i32 = 0;
let depthMax: i32 = -1; // deepest list that may be non-empty
export let merges: f64 = 0;
export let exactMapChecks: f64 = 0;
export let pendingFaces: i32 = 0;
export let peakPendingFaces: i32 = 0;

/**
 * Resets the face tables; `depths` > 0 enables the depth lists (n-D engine) for depths 0..depths-1.
 * `labels`: every region's linear-region label will be asked for (linearLabels), so the union-find
 * must keep every region.
 */
export function facesReset(depths: i32, labels: bool = false): bool {
  keepLabels = labels;
  mapBytes = ((outUnits * K) as usize) << 3;
  tailOff = (16 + mapBytes + 3 * (totalUnits as usize) + 7) & ~(7 as usize);
  entryBytes = tailOff + 16;
  depthCap = depths;
  depthMax = -1;
  if (depths > 0) {
    depthHeads = alloc((depths as usize) << 2);
    if (depthHeads == 0) return false;
    for (let d = 0; d < depths; d++) store<i32>(depthHeads + ((d as usize) << 2), -1);
  }
  faceTable = tableNew(1024);
  ufTable = tableNew(64);
  chunkShift = 0;
  while (chunkShift < 16 && ((2 as usize) << chunkShift) * entryBytes <= (256 << 10)) chunkShift++;
  chunkCap = ((memoryLimit / (entryBytes << chunkShift)) as i32) + 2;
  chunks = alloc((chunkCap as usize) << 2);
  poolCap = 0;
  poolUsed = 0;
  freeHead = -1;
  merges = 0;
  exactMapChecks = 0;
  pendingFaces = 0;
  peakPendingFaces = 0;
  return chunks != 0 && ufTable != 0;
}

@inline function entryAt(i: i32): usize {
  return (load<u32>(chunks + (((i >> chunkShift) as usize) << 2)) as usize) + ((i & ((1 << chunkShift) - 1)) as usize) * entryBytes;
}

function newEntry(): i32 {
  if (freeHead >= 0) {
    const i = freeHead;
    freeHead = load<i32>(entryAt(i), 8);
    return i;
  }
  if (poolUsed == poolCap) {
    const c = poolCap >> chunkShift;
    if (c >= chunkCap) return -1;
    const chunk = alloc(entryBytes << chunkShift);
    if (chunk == 0) return -1;
    store<u32>(chunks + ((c as usize) << 2), chunk as u32);
    poolCap += 1 << chunkShift;
  }
  return poolUsed++;
}

function freeEntry(i: i32): void {
  store<i32>(entryAt(i), freeHead, 8);
  freeHead = i;
}

function findRoot(x: i32): i32 {
  let r = x;
  while (true) {
    const i = tableFind(ufTable, r as u64);
    if (i < 0) break;
    const p = slotValue(ufTable, i as u32);
    if (p == r) break;
    r = p;
  }
  // path compression
  while (x != r) {
    const i = tableFind(ufTable, x as u64);
    const p = slotValue(ufTable, i as u32);
    setSlotValue(ufTable, i as u32, r);
    x = p;
  }
  return r;
}

/**
 * Keeps the union-find as small as the pending faces: once it holds more entries than twice the
 * pending faces, every pending face's region is replaced by its root and the table is emptied in
 * place (a root needs no entry). Only pending faces still refer to regions (exportFaces and
 * fileFace read them; merges is a count), so the components are unchanged; without this the
 * table grows with every merge of the whole count. Called between regions (no region id is held
 * anywhere else then).
 */
export function compactUnionFind(): void {
  if (keepLabels) return;
  const n = tableCount(ufTable);
  if (n < 1024 || n < 2 * (pendingFaces as u32)) return;
  const cap = load<u32>(faceTable);
  for (let i: u32 = 0; i < cap; i++) {
    if (!slotUsed(faceTable, i)) continue;
    const e = entryAt(slotValue(faceTable, i));
    store<i32>(e, findRoot(load<i32>(e, 8)), 8);
  }
  tableClear(ufTable);
}

/** Region a's linear region (its root in the union-find; keepEveryRoot must hold since a was counted). */
export function rootOf(a: i32): i32 {
  return findRoot(a);
}

/** Every region's root stays findable to the end (side records, sides-nd.ts): no compaction. */
export function keepEveryRoot(): void {
  keepLabels = true;
}

function union(a: i32, b: i32): bool {
  const ra = findRoot(a);
  const rb = findRoot(b);
  if (ra == rb) return true;
  const t = tableInsert(ufTable, ra as u64, rb);
  if (t == 0) return false;
  ufTable = t;
  merges += 1;
  return true;
}

/**
 * Set by fileFace when the face met its partner with the same map but neither side had proven the
 * face is a facet: the partner region (the caller checks its own side, then joins them), or -1.
 */
export let matchedRegion: i32 = -1;

/** Joins two regions' linear regions (after the caller verified their shared face). */
export function unionRegions(a: i32, b: i32): bool {
  return union(a, b);
}

@inline function depthOf(e: usize): i32 { return load<i32>(e + tailOff); }

function unlinkDepth(idx: i32): void {
  const e = entryAt(idx);
  const d = depthOf(e);
  if (d < 0) return;
  const prev = load<i32>(e + tailOff, 4);
  const next = load<i32>(e + tailOff, 8);
  if (prev >= 0) store<i32>(entryAt(prev) + tailOff, next, 8);
  else store<i32>(depthHeads + ((d as usize) << 2), next);
  if (next >= 0) store<i32>(entryAt(next) + tailOff, prev, 4);
}

/** Takes every pending face out of the depth lists (depth -1: never dropped, see handOverUnitsNd). */
export function detachDepths(): void {
  for (let d = 0; d <= depthMax; d++) {
    let idx = load<i32>(depthHeads + ((d as usize) << 2));
    while (idx >= 0) {
      const e = entryAt(idx);
      const next = load<i32>(e + tailOff, 8);
      store<i32>(e + tailOff, -1);
      store<i32>(e + tailOff, -1, 4);
      store<i32>(e + tailOff, -1, 8);
      idx = next;
    }
    store<i32>(depthHeads + ((d as usize) << 2), -1);
  }
  depthMax = -1;
}

/** Drops every face of depth >= h (their partners can no longer come). */
export function purgeDepth(h: i32): void {
  for (let d = max(h, 0); d <= depthMax; d++) {
    let idx = load<i32>(depthHeads + ((d as usize) << 2));
    while (idx >= 0) {
      const e = entryAt(idx);
      const next = load<i32>(e + tailOff, 8);
      // remove its slot from the hash table
      let i = tableStart(faceTable, load<u64>(e));
      while (slotUsed(faceTable, i) && slotValue(faceTable, i) != idx) i = tableNextIndex(faceTable, i);
      if (slotUsed(faceTable, i)) tableRemoveAt(faceTable, i);
      freeEntry(idx);
      pendingFaces--;
      idx = next;
    }
    store<i32>(depthHeads + ((d as usize) << 2), -1);
  }
  depthMax = min(depthMax, h - 1);
}

/** Decision regions: the same class, the piece of the last unit (the argmax over the logits). */
@inline function sameClass(patternA: usize, patternB: usize): bool {
  const last = (totalUnits - 1) as usize;
  return load<u8>(patternA + last) == load<u8>(patternB + last);
}

/** Float maps that differ by more than both error bounds are certainly different. */
function certainlyDifferent(m1: usize, m2: usize): bool {
  const err = outputErr();
  for (let i = 0; i < outUnits * K; i++) {
    const o = (i as usize) << 3;
    const d = abs(load<f64>(m1 + o) - load<f64>(m2 + o));
    if (d > (2.0 * load<f64>(err + o)) * (1.0 + 8.0 * U) + ETA) return true;
  }
  return false;
}

/**
 * Before the current region files its faces (see exact.ts, exactPrepareSame): the pattern of the
 * region waiting under this face key when the two output maps need the exact comparison, else 0.
 * Changes nothing.
 */
export function faceNeedingExactCheck(hash: u64, key: usize, map: usize): usize {
  if (faceTable == 0 || decisionLabels) return 0; // decision regions compare classes, never maps
  const kb: usize = (totalUnits as usize) << 1;
  let i = tableStart(faceTable, hash);
  while (slotUsed(faceTable, i)) {
    if (slotKey(faceTable, i) == hash) {
      const e = entryAt(slotValue(faceTable, i));
      if (memory.compare(e + 16 + mapBytes, key, kb) == 0) {
        return certainlyDifferent(e + 16, map) ? 0 : e + 16 + mapBytes + kb;
      }
    }
    i = tableNextIndex(faceTable, i);
  }
  return 0;
}

/**
 * Files one face of the current region: `key` is the masked pattern (totalUnits u16) with hash
 * `hash`; `pattern` the region's full pattern, `map` its float output map. Returns false when
 * memory ran out. `verified`: the face is known to be a (d-1)-face of the region (always in 2-D);
 * `depth`: the stack depth after which the face is dropped (-1: never).
 */
export function fileFace(hash: u64, key: usize, pattern: usize, map: usize, region: i32, verified: bool = true, depth: i32 = -1): bool {
  matchedRegion = -1;
  const n = totalUnits as usize;
  const kb: usize = n << 1;
  let i = tableStart(faceTable, hash);
  while (slotUsed(faceTable, i)) {
    if (slotKey(faceTable, i) == hash) {
      const e = entryAt(slotValue(faceTable, i));
      if (memory.compare(e + 16 + mapBytes, key, kb) == 0) {
        let same = false;
        if (decisionLabels) {
          same = sameClass(e + 16 + mapBytes + kb, pattern);
        } else if (!certainlyDifferent(e + 16, map)) {
          exactMapChecks += 1;
          same = exactSameOutput(e + 16 + mapBytes + kb, pattern);
        }
        const other = load<i32>(e, 8);
        const otherVerified = load<i32>(e, 12) != 0;
        const idx = slotValue(faceTable, i);
        unlinkDepth(idx);
        freeEntry(idx);
        tableRemoveAt(faceTable, i);
        pendingFaces--;
        if (!same) return true;
        if (!verified && !otherVerified) {
          matchedRegion = other;
          return true;
        }
        return union(other, region);
      }
    }
    i = tableNextIndex(faceTable, i);
  }
  const idx = newEntry();
  if (idx < 0) return false;
  const e = entryAt(idx);
  store<u64>(e, hash);
  store<i32>(e, region, 8);
  store<i32>(e, verified ? 1 : 0, 12);
  store<i32>(e + tailOff, depth);
  store<i32>(e + tailOff, -1, 4);
  if (depth >= 0 && depth < depthCap) {
    const head = load<i32>(depthHeads + ((depth as usize) << 2));
    store<i32>(e + tailOff, head, 8);
    if (head >= 0) store<i32>(entryAt(head) + tailOff, idx, 4);
    store<i32>(depthHeads + ((depth as usize) << 2), idx);
    depthMax = max(depthMax, depth);
  } else {
    store<i32>(e + tailOff, -1);
    store<i32>(e + tailOff, -1, 8);
  }
  memory.copy(e + 16, map, mapBytes);
  memory.copy(e + 16 + mapBytes, key, kb);
  memory.copy(e + 16 + mapBytes + kb, pattern, n);
  const t = tableInsert(faceTable, hash, idx);
  if (t == 0) return false;
  faceTable = t;
  pendingFaces++;
  if (pendingFaces > peakPendingFaces) peakPendingFaces = pendingFaces;
  return true;
}

// ---- parallel counting: faces still waiting for their second side leave the instance ------------

export let exportedFaces: i32 = 0;

/** Bytes of one exported face: [u64 hash][i32 root][i32 -][map][key u16 x N][pattern u8 x N]. */
export function faceRecordBytes(): usize {
  return entryBytes;
}

/**
 * Copies every pending face into a new buffer (returned), with the region replaced by the root of
 * its merged set here, so another instance can finish pairing faces across work units.
 */
export function exportFaces(): usize {
  const cap = load<u32>(faceTable);
  const out = alloc((pendingFaces as usize) * entryBytes + 8);
  if (out == 0) return 0;
  let k = 0;
  for (let i: u32 = 0; i < cap; i++) {
    if (!slotUsed(faceTable, i)) continue;
    const e = entryAt(slotValue(faceTable, i));
    const o = out + (k as usize) * entryBytes;
    memory.copy(o, e, entryBytes);
    store<i32>(o, findRoot(load<i32>(e, 8)), 8);
    k++;
  }
  exportedFaces = k;
  return out;
}

/**
 * 1 when two faces' regions have the same output map (certified float, else exact), else 0;
 * -1 when the exact check ran out of memory.
 */
export function sameFaceMaps(mapA: usize, patternA: usize, mapB: usize, patternB: usize): i32 {
  if (decisionLabels) return sameClass(patternA, patternB) ? 1 : 0;
  if (certainlyDifferent(mapA, mapB)) return 0;
  exactMapChecks += 1;
  const same = exactSameOutput(patternA, patternB);
  if (memoryFailed()) return -1;
  return same ? 1 : 0;
}

/**
 * For regions 0..n-1 of a complete run: the smallest region index of each region's linear region,
 * as an i32 array (a new buffer; 0 when memory ran out). Memory grows with n, so it is computed only
 * on request (regions() output for drawing).
 */
export function linearLabels(n: i32): usize {
  const roots = alloc((n as usize) << 2);
  const labels = alloc((n as usize) << 2);
  if (labels == 0) return 0;
  for (let i = 0; i < n; i++) store<i32>(labels + ((i as usize) << 2), i32.MAX_VALUE);
  for (let i = 0; i < n; i++) {
    const r = findRoot(i);
    store<i32>(roots + ((i as usize) << 2), r);
    const p = labels + ((r as usize) << 2);
    if (i < load<i32>(p)) store<i32>(p, i);
  }
  // labels[r] holds the smallest index of root r's set; a region's label is that of its root
  for (let i = 0; i < n; i++) {
    const r = load<i32>(roots + ((i as usize) << 2));
    store<i32>(roots + ((i as usize) << 2), load<i32>(labels + ((r as usize) << 2)));
  }
  return roots;
}
