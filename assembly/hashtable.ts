// Open-addressing hash table from u64 keys to i32 values (linear probing, backward-shift deletion,
// duplicates allowed: the caller walks equal keys). Grows by doubling into fresh memory.
import { alloc } from './memory';

// table header: [u32 capacity][u32 count][u32 slots]; slot: [u64 key][i32 value + 1 (0 = empty)][pad]
const SLOT: usize = 16;

export function tableNew(capacity: u32): usize {
  const t = alloc(16);
  if (t == 0) return 0;
  const slots = alloc((capacity as usize) * SLOT);
  if (slots == 0) return 0;
  store<u32>(t, capacity);
  store<u32>(t, 0, 4);
  store<u32>(t, slots as u32, 8);
  return t;
}

@inline function mixKey(k: u64): u64 {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccd;
  k ^= k >> 33;
  return k;
}

@inline function slotAt(t: usize, i: u32): usize {
  return (load<u32>(t, 8) as usize) + (i as usize) * SLOT;
}

/** First slot index for key k (walk with tableNextIndex while the slot is occupied). */
@inline export function tableStart(t: usize, k: u64): u32 {
  return (mixKey(k) as u32) & (load<u32>(t) - 1);
}
@inline export function tableNextIndex(t: usize, i: u32): u32 {
  return (i + 1) & (load<u32>(t) - 1);
}
@inline export function slotUsed(t: usize, i: u32): bool {
  return load<i32>(slotAt(t, i), 8) != 0;
}
@inline export function slotKey(t: usize, i: u32): u64 {
  return load<u64>(slotAt(t, i));
}
@inline export function slotValue(t: usize, i: u32): i32 {
  return load<i32>(slotAt(t, i), 8) - 1;
}
@inline export function setSlotValue(t: usize, i: u32, v: i32): void {
  store<i32>(slotAt(t, i), v + 1, 8);
}

function rawInsert(t: usize, k: u64, v: i32): void {
  let i = tableStart(t, k);
  while (slotUsed(t, i)) i = tableNextIndex(t, i);
  const s = slotAt(t, i);
  store<u64>(s, k);
  store<i32>(s, v + 1, 8);
  store<u32>(t, load<u32>(t, 4) + 1, 4);
}

/** Inserts (k, v); returns the table (a new one after growth), or 0 when memory ran out. */
export function tableInsert(t: usize, k: u64, v: i32): usize {
  const cap = load<u32>(t);
  if ((load<u32>(t, 4) + 1) * 2 > cap) {
    const bigger = tableNew(cap * 2);
    if (bigger == 0) return 0;
    for (let i: u32 = 0; i < cap; i++) {
      if (slotUsed(t, i)) rawInsert(bigger, slotKey(t, i), slotValue(t, i));
    }
    t = bigger;
  }
  rawInsert(t, k, v);
  return t;
}

/** Removes the entry in slot i, shifting later entries of the probe run back (no tombstones). */
export function tableRemoveAt(t: usize, i: u32): void {
  const mask = load<u32>(t) - 1;
  let hole = i;
  let j = (i + 1) & mask;
  while (slotUsed(t, j)) {
    const home = tableStart(t, slotKey(t, j));
    // move j into the hole unless its home lies cyclically in (hole, j]
    const inRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (!inRange) {
      memory.copy(slotAt(t, hole), slotAt(t, j), SLOT);
      hole = j;
    }
    j = (j + 1) & mask;
  }
  store<i32>(slotAt(t, hole), 0, 8);
  store<u32>(t, load<u32>(t, 4) - 1, 4);
}

/** Index of the slot holding key k, or -1 (for tables with unique keys). */
export function tableFind(t: usize, k: u64): i32 {
  let i = tableStart(t, k);
  while (slotUsed(t, i)) {
    if (slotKey(t, i) == k) return i as i32;
    i = tableNextIndex(t, i);
  }
  return -1;
}

/** Empties the table in place (its capacity stays). */
export function tableClear(t: usize): void {
  memory.fill(load<u32>(t, 8) as usize, 0, (load<u32>(t) as usize) * SLOT);
  store<u32>(t, 0, 4);
}

export function tableCount(t: usize): u32 {
  return load<u32>(t, 4);
}

