// Linear memory, managed by hand: one bump allocator over the whole run, reset by `prepare`.
// Nothing in the hot loops allocates. Buffers are sized from the network's shape; the ones whose
// worst case is far above the usual need (stack frames, vanish records, exact integer tables, the
// face tables of linear regions) are allocated on first use or grow geometrically at the end.

const PAGE: usize = 65536;
/** Refuse runs that would need more than this many bytes of linear memory. */
export const MEMORY_LIMIT: usize = 3 << 29; // 1.5 GiB
/** The limit of this instance (setMemoryLimit: at most MEMORY_LIMIT). */
export let memoryLimit: usize = MEMORY_LIMIT;

export function setMemoryLimit(bytes: usize): void {
  memoryLimit = bytes == 0 || bytes > MEMORY_LIMIT ? MEMORY_LIMIT : bytes;
}

let top: usize = 0;
let failed = false;
// Memory at and above `clean` has never been handed out, so it is still zero (a fresh instance's
// memory and grown pages are zeroed, and so is a reused instance's memory, by the caller, up to
// where its last count allocated: src/count/core-memory.ts): alloc zeroes only what lies below it.
// A count's set-up on such an instance (every count, every piece of the whole space) then zeroes
// nothing: its 1 MiB vertex arena and the leaf count's 256 KiB were filled with zeros at every
// set-up before.
let clean: usize = 0;
let cleanBefore: usize = 0; // `clean` before the last allocRaw

export function resetMemory(): void {
  top = (__heap_base + 15) & ~(15 as usize);
  failed = false;
}

/** True once an allocation could not be satisfied (the run must stop with E_TOO_LARGE). */
export function memoryFailed(): bool {
  return failed;
}

/** Returns 16-byte aligned, zeroed memory, or 0 (and sets the failed flag) when over the limit. */
export function alloc(bytes: usize): usize {
  const ptr = allocRaw(bytes);
  if (ptr != 0 && cleanBefore > ptr) memory.fill(ptr, 0, min(top, cleanBefore) - ptr);
  return ptr;
}

/** alloc without the zeroing: for buffers the caller overwrites before reading (grown arrays). */
export function allocRaw(bytes: usize): usize {
  if (failed) return 0;
  const ptr = top;
  const end = (ptr + bytes + 15) & ~(15 as usize);
  if (end > memoryLimit || end < ptr) {
    failed = true;
    return 0;
  }
  const have = (memory.size() as usize) * PAGE;
  if (end > have) {
    const pages = ((end - have + PAGE - 1) / PAGE) as i32;
    if (memory.grow(pages) < 0) {
      failed = true;
      return 0;
    }
  }
  top = end;
  cleanBefore = clean;
  if (end > clean) clean = end;
  return ptr;
}

export function memoryTop(): usize {
  return top;
}

/**
 * The bytes this instance's memory would have grown to on its own: the pages up to the highest
 * address it handed out, at least the initial two (asconfig.json's initialMemory). Not the
 * memory's own size, which a memory reused from a larger count keeps (src/count/core-memory.ts).
 */
export function memoryUsedBytes(): f64 {
  const pages = (clean + PAGE - 1) / PAGE;
  return (max<usize>(pages, 2) as f64) * (PAGE as f64);
}

/** Frees everything allocated after `mark` (a memoryTop() value) and clears the failed flag. */
export function memoryRelease(mark: usize): void {
  top = mark;
  failed = false;
}
