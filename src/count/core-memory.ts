/**
 * The core's memory. The WebAssembly module imports it (`env.memory`, asconfig.json's importMemory)
 * instead of making its own, so that a count on the calling thread can hand its memory to the next
 * one: each new memory is a fresh reservation of address space that the garbage collector and the
 * kernel must later release, and a count's first touch of each page faults it in. Through the API
 * a 3-8-8-1 count went from 1.0 to 0.6 ms; counts of 15-20 ms gain about 1% (docs/performance.md).
 *
 * The core relies on memory it has not yet handed out being zero, as a fresh memory is: a memory
 * taken back is zeroed, up to where its last count allocated, before its next instance writes its
 * data there.
 */

/** At most this many spare memories are kept, each at most KEEP_BYTES (a large count's memory is left to the collector). */
const SPARES = 2;
const KEEP_BYTES = 16 * 2 ** 20;
const spares: WebAssembly.Memory[] = [];
/** The bytes each spare's last instance wrote at most (all above is still zero). */
const dirty = new Map<WebAssembly.Memory, number>();

/** The module's initial memory in 64 KiB pages (asconfig.json's initialMemory). */
const INITIAL_PAGES = 2;

/** A memory for a new instance: a spare one zeroed, or a new one. */
export function takeMemory(): WebAssembly.Memory {
  const spare = spares.pop();
  if (spare) {
    new Uint8Array(spare.buffer).fill(0, 0, dirty.get(spare) ?? spare.buffer.byteLength);
    dirty.delete(spare);
    return spare;
  }
  return new WebAssembly.Memory({ initial: INITIAL_PAGES });
}

/**
 * A memory whose instance will never be used again, kept for the next count; `used`: the bytes
 * from its start that may hold anything but zeros (the core's memoryBytes(): every byte it or its
 * caller wrote lies in what it allocated), else the whole memory is zeroed when it is taken.
 */
export function giveBack(memory: WebAssembly.Memory, used?: number): void {
  if (spares.length < SPARES && memory.buffer.byteLength <= KEEP_BYTES && !spares.includes(memory)) {
    spares.push(memory);
    dirty.set(memory, Math.min(used ?? Infinity, memory.buffer.byteLength));
  }
}

/** The imports of an instance of the core: `memory` (default: a new one, not kept). */
export function coreImports(memory: WebAssembly.Memory = new WebAssembly.Memory({ initial: INITIAL_PAGES })): WebAssembly.Imports {
  return { env: { memory } };
}
