/**
 * Threads without a restart: a count that has run on the calling thread for workersAfterMs hands
 * its pending layer-1 cells to the workers (assembly/traverse.ts handOverUnits), finishes the
 * cell it is in, and then counts units like a worker, on the calling thread in ~10 ms chunks.
 * Nothing it counted is redone. In the n-D engine every row made before a hand-over becomes a
 * proven-facet row (assembly/units-nd.ts handOverUnitsNd). Any counting instance hands over again
 * later when an idle thread asks for work (donate, parallel.ts).
 */
import { CHUNK_MS, Pacer, yieldToEventLoop } from './pacer.js';

/** The core exports a counting instance needs to hand over and to count units. */
export interface LocalCore {
  memory: WebAssembly.Memory;
  handOver(): number;
  run(budget: number): number;
  scratch(bytes: number): number;
  resumeUnit(ptr: number): number;
  emitted(): number;
  emitBuffer(): number;
  emitClear(): void;
  activationRegions(): number;
  mergedFaces(): number;
  layerCount(l: number): number;
  exportFaces(): number;
  exportedFaceCount(): number;
  faceBytes(): number;
  statFilterHits(): number;
  statExactCalls(): number;
  statExactMapChecks(): number;
  memoryBytes(): number;
}

/** A fresh counting instance (a worker's, a shard's): what LocalCore needs, plus its set-up. */
export type CountingCore = LocalCore & {
  memoryLimitMiB(mib: number): void;
  prepare(bytes: number): number;
  setup(maxRegions: number, linear: number, emit: number): number;
};

/** The unit records in a core's output buffer (each starts with its i32 size), copied out; the buffer is cleared. */
export function readUnits(core: Pick<LocalCore, 'memory' | 'emitted' | 'emitBuffer' | 'emitClear'>): Uint8Array[] {
  const units: Uint8Array[] = [];
  const used = core.emitted();
  const base = core.emitBuffer();
  const view = new DataView(core.memory.buffer, base, used);
  for (let p = 0; p < used; ) {
    const bytes = view.getInt32(p, true);
    units.push(new Uint8Array(core.memory.buffer.slice(base + p, base + p + bytes)));
    p += bytes;
  }
  core.emitClear();
  return units;
}

/** What a counting instance hands back (as a worker's 'result' message). */
export interface CounterResult {
  partial?: 'memory' | 'stopped';
  regions: number;
  merges: number;
  perLayer: number[];
  faces: Uint8Array;
  faceCount: number;
  recordBytes: number;
  stats: { filterHits: number; exactCalls: number; exactMapChecks: number; memoryBytes: number };
}

/** The calling thread's share of a parallel count. */
export class LocalCounter {
  stopRequested = false;
  /** Set when an idle thread wants work: after the running chunk, `onDonate` gets some (parallel.ts). */
  donateRequested = false;
  private unitBuffer = 0;
  private unitCapacity = 0;
  /** The batch being counted and the index of its next unit (the rest can be given away). */
  private batch: Uint8Array[] = [];
  private next = 0;

  constructor(
    readonly core: LocalCore,
    private readonly layers: number,
    private readonly linear: boolean,
  ) {}

  get regions(): number {
    return this.core.activationRegions();
  }

  perLayer(): number[] {
    const out: number[] = [];
    for (let l = 1; l <= this.layers; l++) out.push(this.core.layerCount(l));
    return out;
  }

  /**
   * Finishes the instance's own stack, then counts units from `take` until it returns none (it
   * may wait for units another thread gives back). `onDonate` receives the work this thread gives
   * back when asked (donateRequested). Resolves with why it stopped early, or undefined when its
   * share is done.
   */
  async count(
    take: () => Uint8Array[] | Promise<Uint8Array[]>,
    onChunk: () => void,
    onDonate: (units: Uint8Array[]) => void = () => {},
  ): Promise<'memory' | 'stopped' | undefined> {
    this.onDonate = onDonate;
    const stop = await this.drain(onChunk);
    if (stop) return stop;
    for (;;) {
      const chunk = await take();
      if (chunk.length === 0) return undefined;
      this.batch = chunk;
      for (this.next = 0; this.next < chunk.length; ) {
        // units that each end within a chunk still give the event loop a turn every CHUNK_MS (the
        // workers' messages, a request to donate)
        if (this.next > 0 && performance.now() - this.lastTurn > CHUNK_MS) {
          await yieldToEventLoop();
          this.lastTurn = performance.now();
          if (this.donateRequested && !this.donate()) return 'memory';
          if (this.next >= chunk.length) break;
        }
        const unit = chunk[this.next++]!;
        const at = this.space(unit.byteLength);
        if (at === 0) return 'memory';
        new Uint8Array(this.core.memory.buffer, at, unit.byteLength).set(unit);
        if (this.core.resumeUnit(at) !== 1) return 'memory';
        const s = await this.drain(onChunk);
        if (s) return s;
      }
    }
  }

  private onDonate: (units: Uint8Array[]) => void = () => {};
  private lastTurn = performance.now();
  /** One budget for all the units (a fresh one per unit started every unit with tiny chunks). */
  private readonly pacer = new Pacer();

  /** Runs the instance's stack to its end in ~10 ms chunks with turns of the event loop. */
  private async drain(onChunk: () => void): Promise<'memory' | 'stopped' | undefined> {
    const pacer = this.pacer;
    for (;;) {
      if (this.stopRequested) return 'stopped';
      const t0 = performance.now();
      const s = this.core.run(pacer.budget);
      pacer.adapt(performance.now() - t0, s === 0);
      if (s !== 0 && s !== 1) return 'memory';
      if (this.donateRequested && !this.donate()) return 'memory';
      if (s === 0) return undefined;
      onChunk();
      await yieldToEventLoop();
      this.lastTurn = performance.now();
    }
  }

  /** Gives back the batch's units not started yet and the running unit's pending layer-1 cells. */
  private donate(): boolean {
    this.donateRequested = false;
    const units = this.batch.splice(this.next);
    const handed = this.core.handOver();
    if (handed < 0) return false;
    if (handed > 0) units.push(...readUnits(this.core));
    this.onDonate(units);
    return true;
  }

  private space(bytes: number): number {
    if (bytes > this.unitCapacity) {
      this.unitCapacity = Math.max(bytes, 1 << 16);
      this.unitBuffer = this.core.scratch(this.unitCapacity);
    }
    return this.unitBuffer;
  }

  result(partial: 'memory' | 'stopped' | undefined): CounterResult {
    const c = this.core;
    const exporting = this.linear && partial === undefined;
    const ptr = exporting ? c.exportFaces() : 0;
    const count = exporting ? c.exportedFaceCount() : 0;
    const bytes = count * c.faceBytes();
    const faces = new Uint8Array(bytes);
    if (bytes > 0) faces.set(new Uint8Array(c.memory.buffer, ptr, bytes));
    return {
      partial,
      regions: c.activationRegions(),
      merges: c.mergedFaces(),
      perLayer: this.perLayer(),
      faces,
      faceCount: count,
      recordBytes: c.faceBytes(),
      stats: {
        filterHits: c.statFilterHits(),
        exactCalls: c.statExactCalls(),
        exactMapChecks: c.statExactMapChecks(),
        memoryBytes: c.memoryBytes(),
      },
    };
  }
}
