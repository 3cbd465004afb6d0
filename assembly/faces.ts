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
import { alloc, memoryFailed } from './memory';
import {
  setSlotValue, slotKey, slotUsed, slotValue, tableClear, tableCount, tableFind, tableInsert, tableNew,
  tableNextIndex, tableRemoveAt, tableStart,
} from './hashtable';
import { exactSameOutput } from './exact';
import { ETA, U } from './float';
import { K, outputErr, outUnits, totalUnits } from './network';

let faceTable: usize = 0;
// The n-D engine keeps one table per layer (faces keyed on a layer-l unit wait in table l) so that
// the faces of a finished subtree can be dropped (purgeFaces); the 2-D engine uses table 0 only.
let faceTables: usize = 0; // u32 per layer: that layer's table (index 0: the 2-D engine's)
let tableCountL: i32 = 0;
let ufTable: usize = 0;
let pool: usize = 0;
let poolCap: i32 = 0;
let poolUsed: i32 = 0;
let freeHead: i32 = -1;
let entryBytes: usize = 0;
let mapBytes: usize = 0;
export let merges: f64 = 0;
export let exactMapChecks: f64 = 0;
export let pendingFaces: i32 = 0;
export let peakPendingFaces: i32 = 0;

export function facesReset(tables: i32): bool {
  mapBytes = ((outUnits * K) as usize) << 3;
  entryBytes = (16 + mapBytes + 3 * (totalUnits as usize) + 7) & ~(7 as usize);
  tableCountL = max(1, tables);
  faceTables = alloc((tableCountL as usize) << 2);
  if (faceTables == 0) return false;
  for (let t = 0; t < tableCountL; t++) {
    const tb = tableNew(t == 0 ? 1024 : 64);
    if (tb == 0) return false;
    store<u32>(faceTables + ((t as usize) << 2), tb as u32);
  }
  faceTable = load<u32>(faceTables) as usize;
  ufTable = tableNew(64);
  poolCap = 256;
  pool = alloc((poolCap as usize) * entryBytes);
  poolUsed = 0;
  freeHead = -1;
  merges = 0;
  exactMapChecks = 0;
  pendingFaces = 0;
  peakPendingFaces = 0;
  return pool != 0 && ufTable != 0;
}

@inline function entryAt(i: i32): usize {
  return pool + (i as usize) * entryBytes;
}

function newEntry(): i32 {
  if (freeHead >= 0) {
    const i = freeHead;
    freeHead = load<i32>(entryAt(i), 8);
    return i;
  }
  if (poolUsed == poolCap) {
    const bigger = alloc((poolCap as usize) * 2 * entryBytes);
    if (bigger == 0) return -1;
    memory.copy(bigger, pool, (poolCap as usize) * entryBytes);
    pool = bigger;
    poolCap *= 2;
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

/** Set by fileFace with `defer`: the region met across the face with the same map, or -1. */
export let matchedRegion: i32 = -1;

/** Joins two regions' linear regions (after the caller verified their shared face). */
export function unionRegions(a: i32, b: i32): bool {
  return union(a, b);
}

/**
 * Drops every face waiting in table t (their partners can no longer come: see traverse-nd.ts).
 */
export function purgeFaces(t: i32): void {
  const tb = load<u32>(faceTables + ((t as usize) << 2)) as usize;
  if (tableCount(tb) == 0) return;
  const cap = load<u32>(tb);
  for (let i: u32 = 0; i < cap; i++) {
    if (!slotUsed(tb, i)) continue;
    freeEntry(slotValue(tb, i));
    pendingFaces--;
  }
  tableClear(tb);
}

/**
 * Files one face of the current region: `key` is the masked pattern (totalUnits u16) with hash
 * `hash`; `pattern` the region's full pattern, `map` its float output map. Returns false when
 * memory ran out. With `defer`, a partner with the same map is not joined but left in
 * matchedRegion for the caller to verify the face first (the n-D engine's facet check).
 */
export function fileFace(hash: u64, key: usize, pattern: usize, map: usize, region: i32, table: i32 = 0, defer: bool = false): bool {
  faceTable = load<u32>(faceTables + ((table as usize) << 2)) as usize;
  matchedRegion = -1;
  const ok = fileFaceIn(hash, key, pattern, map, region, defer);
  store<u32>(faceTables + ((table as usize) << 2), faceTable as u32);
  return ok;
}

function fileFaceIn(hash: u64, key: usize, pattern: usize, map: usize, region: i32, defer: bool): bool {
  const n = totalUnits as usize;
  const kb: usize = n << 1;
  let i = tableStart(faceTable, hash);
  while (slotUsed(faceTable, i)) {
    if (slotKey(faceTable, i) == hash) {
      const e = entryAt(slotValue(faceTable, i));
      if (memory.compare(e + 16 + mapBytes, key, kb) == 0) {
        let same = false;
        if (!certainlyDifferent(e + 16, map)) {
          exactMapChecks += 1;
          same = exactSameOutput(e + 16 + mapBytes + kb, pattern);
        }
        const other = load<i32>(e, 8);
        freeEntry(slotValue(faceTable, i));
        tableRemoveAt(faceTable, i);
        pendingFaces--;
        if (same) {
          if (defer) {
            matchedRegion = other;
            return true;
          }
          return union(other, region);
        }
        return true;
      }
    }
    i = tableNextIndex(faceTable, i);
  }
  const idx = newEntry();
  if (idx < 0) return false;
  const e = entryAt(idx);
  store<u64>(e, hash);
  store<i32>(e, region, 8);
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
  faceTable = load<u32>(faceTables) as usize;
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

// TEMP debug: pending faces (region, first masked unit) into a buffer
export function debugPending(): usize {
  const out = alloc(((pendingFaces + 1) as usize) * 8 + 8);
  let k = 0;
  for (let t = 0; t < tableCountL; t++) {
    const tb = load<u32>(faceTables + ((t as usize) << 2)) as usize;
    const cap = load<u32>(tb);
    for (let i: u32 = 0; i < cap; i++) {
      if (!slotUsed(tb, i)) continue;
      const e = entryAt(slotValue(tb, i));
      store<i32>(out + ((k as usize) << 3), load<i32>(e, 8));
      let m = -1;
      for (let u = 0; u < totalUnits; u++) if (load<u16>(e + 16 + mapBytes + ((u as usize) << 1)) >= 0x8000) { m = u; break; }
      store<i32>(out + ((k as usize) << 3), m, 4);
      k++;
    }
  }
  return out;
}
