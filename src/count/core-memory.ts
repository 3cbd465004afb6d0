/**
 * The core's instances and their memory. The WebAssembly module imports its memory (`env.memory`,
 * asconfig.json's importMemory) instead of making its own, and the build adds `resetInstance()`
 * (scripts/build-wasm.mjs), so that a count on the calling thread can hand its instance, memory
 * and all, to the next one:
 * - each new memory is a fresh reservation of address space that the garbage collector and the
 *   kernel must later release, and a count's first touch of each page faults it in (through the
 *   API a 3-8-8-1 count went from 1.0 to 0.6 ms when memories were first reused);
 * - each new instance builds its 97 exported functions and 641 globals: 0.15-0.2 ms a count
 *   (docs/performance.md).
 *
 * An instance taken back is put in the state instantiation gives it: its memory zeroed up to
 * where its last count allocated (the core relies on memory it has not yet handed out being
 * zero, as a fresh memory is), the static data written back from a fresh instance's copy, then
 * `resetInstance()` sets every global to its initial value and runs the start function again. Its
 * memory may stay larger than a fresh one's, which the core allows for (it grows memory only when
 * an allocation passes the memory's size, and reports its own use: assembly/memory.ts).
 */

/** At most this many spare instances are kept (the last given back), each with at most KEEP_BYTES of memory (a large count's instance is left to the collector). */
const SPARES = 2;
const KEEP_BYTES = 16 * 2 ** 20;

/** The module's initial memory in 64 KiB pages (asconfig.json's initialMemory). */
const INITIAL_PAGES = 2;

/** The exports pooling needs (scripts/build-wasm.mjs adds them to the core). */
interface Resettable {
  resetInstance(): void;
  staticEnd(): number;
}

/** An instance of the core with its memory. */
export interface CoreInstance {
  readonly exports: WebAssembly.Exports;
  readonly memory: WebAssembly.Memory;
}

interface Spare extends CoreInstance {
  readonly module: WebAssembly.Module;
  /** The bytes its last count wrote at most, from address 0 (all above is still zero). */
  readonly used: number;
}

const spares: Spare[] = [];
/** Per module, the bytes a fresh instance's memory holds below staticEnd() (its data segments). */
const staticBytes = new WeakMap<WebAssembly.Module, Uint8Array>();

/** An instance of `module` for a count: a spare one reset, or a new one. */
export function takeInstance(module: WebAssembly.Module): CoreInstance {
  const at = spares.findIndex((s) => s.module === module);
  if (at >= 0) {
    const [spare] = spares.splice(at, 1) as [Spare];
    const bytes = new Uint8Array(spare.memory.buffer);
    bytes.fill(0, 0, spare.used);
    bytes.set(staticBytes.get(module)!, 0);
    (spare.exports as unknown as Resettable).resetInstance();
    return { exports: spare.exports, memory: spare.memory };
  }
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  if (!staticBytes.has(module)) {
    staticBytes.set(module, new Uint8Array(memory.buffer, 0, (exports as unknown as Resettable).staticEnd()).slice());
  }
  return { exports, memory };
}

/**
 * An instance whose count is over and read (nothing will call it again), kept for the next count;
 * `used`: the bytes from its memory's start that may hold anything but zeros (the core's
 * memoryBytes(): every byte it or its caller wrote lies in what it allocated), else all of them.
 */
export function giveBackInstance(module: WebAssembly.Module, instance: CoreInstance, used?: number): void {
  const size = instance.memory.buffer.byteLength;
  if (size > KEEP_BYTES || spares.some((s) => s.exports === instance.exports)) return;
  // (the oldest makes room: with one module, as in any use of the API, they are all alike)
  if (spares.length === SPARES) spares.shift();
  spares.push({ module, exports: instance.exports, memory: instance.memory, used: Math.min(used ?? Infinity, size) });
}

/** The imports of an instance of the core: `memory` (default: a new one, not kept). */
export function coreImports(memory: WebAssembly.Memory = new WebAssembly.Memory({ initial: INITIAL_PAGES })): WebAssembly.Imports {
  return { env: { memory } };
}
