/**
 * Counts split into shards that run anywhere: on other machines, as the tasks of a batch engine
 * (Kubernetes Indexed Jobs, Slurm job arrays), at different times. The same work units that split
 * a count among worker threads (src/count/parallel.ts) are the unit of distribution:
 *
 *   plan   layer 1 is split breadth-first into pending cells (self-contained given the network),
 *          grouped into N shards of neighbouring cells;
 *   run    one shard's cells are counted on their own instance of the core; the result is the
 *          shard's counts and the faces still waiting for a partner, keyed exactly as in the core;
 *   merge  the faces of all shards are paired (output maps compared certified-float, exact
 *          fallback) and the counts added: the result equals an unsharded count.
 *
 * These functions work on bytes; src/cli/shard.ts reads and writes the files.
 */
import { LinearRegionsError } from '../errors.js';
import { coreImports } from './core-memory.js';
import type { CountResult } from './api-types.js';
import type { Input } from './api.js';
import type { CounterResult, CountingCore } from './handover.js';
import { enumerateUnits, linearAcross, setupCore, sortBySpace } from './parallel.js';
import { ENGINE_POLYGON } from './pack.js';

/** One shard's partial result (what a worker hands back), with its own counting time. */
export type ShardResult = CounterResult & { elapsedMs: number };

function tooLarge(what: string): LinearRegionsError {
  return new LinearRegionsError('E_TOO_LARGE', `${what} needs more than the 1.5 GiB memory limit of the WebAssembly core`);
}

/**
 * Splits a count into `shards` groups of work units (cells of layer 1). Each group is a list of
 * unit records, concatenated as the core writes them (each starts with its byte length, i32).
 * Groups are contiguous runs of a space-filling order (2-D) or of the breadth-first split (n-D),
 * so most faces pair inside a shard. Layer 1 with fewer cells than shards leaves some empty.
 */
export async function planShards(module: WebAssembly.Module, input: Input, linear: boolean, shards: number): Promise<{ groups: Uint8Array[]; units: number }> {
  const core = setupCore(module, input.packed.words, linear);
  if (!core) throw tooLarge('splitting the count');
  const units = await enumerateUnits(core, Math.max(shards * 8, 64));
  if (!units || units === 'aborted') throw tooLarge('splitting the count');
  if (input.packed.engine === ENGINE_POLYGON) sortBySpace(units, input.packed.words);
  const groups: Uint8Array[] = [];
  for (let s = 0; s < shards; s++) {
    const part = units.slice(Math.floor((s * units.length) / shards), Math.floor(((s + 1) * units.length) / shards));
    const bytes = new Uint8Array(part.reduce((a, u) => a + u.byteLength, 0));
    let p = 0;
    for (const u of part) {
      bytes.set(u, p);
      p += u.byteLength;
    }
    groups.push(bytes);
  }
  return { groups, units: units.length };
}

/** Counts one shard (the unit records of {@link planShards}) on a fresh instance of the core. */
export function runShard(module: WebAssembly.Module, input: Input, linear: boolean, records: Uint8Array): ShardResult {
  const started = performance.now();
  const core = new WebAssembly.Instance(module, coreImports()).exports as unknown as CountingCore;
  const words = input.packed.words;
  const ptr = core.prepare(words.byteLength);
  if (ptr === 0) throw tooLarge('this shard');
  new Float64Array(core.memory.buffer, ptr, words.length).set(words);
  if (core.setup(0, linear ? 1 : 0, 0) !== 0) throw tooLarge('this shard');
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  let space = 0;
  let capacity = 0;
  for (let p = 0; p < records.byteLength; ) {
    const bytes = view.getInt32(p, true);
    if (bytes <= 0 || p + bytes > records.byteLength) {
      throw new LinearRegionsError('E_FORMAT', `the shard's unit records are damaged at byte ${p} (rerun "shard plan")`);
    }
    if (bytes > capacity) {
      capacity = Math.max(bytes, 1 << 16);
      space = core.scratch(capacity);
      if (space === 0) throw tooLarge('this shard');
    }
    new Uint8Array(core.memory.buffer, space, bytes).set(records.subarray(p, p + bytes));
    if (core.resumeUnit(space) !== 1) throw tooLarge('this shard');
    for (;;) {
      const status = core.run(1 << 16);
      if (status === 0) break;
      if (status !== 1) throw tooLarge('this shard');
    }
    p += bytes;
  }
  const L = input.network.layers.length;
  const perLayer: number[] = [];
  for (let l = 1; l <= L; l++) perLayer.push(core.layerCount(l));
  let faces = new Uint8Array(0);
  let faceCount = 0;
  let recordBytes = 0;
  if (linear) {
    const at = core.exportFaces();
    faceCount = core.exportedFaceCount();
    recordBytes = core.faceBytes();
    if (at === 0 && faceCount > 0) throw tooLarge('exporting the faces of this shard');
    faces = new Uint8Array(core.memory.buffer.slice(at, at + faceCount * recordBytes));
  }
  return {
    regions: core.activationRegions(),
    merges: core.mergedFaces(),
    perLayer,
    faces,
    faceCount,
    recordBytes,
    elapsedMs: performance.now() - started,
    stats: { filterHits: core.statFilterHits(), exactCalls: core.statExactCalls(), exactMapChecks: core.statExactMapChecks(), memoryBytes: core.memoryBytes() },
  };
}

/**
 * Merges the results of every shard of a plan (in index order) into the result an unsharded
 * count gives: the counts are added and the faces that wait for a partner in another shard are
 * paired exactly, as the multi-core count pairs them across workers.
 */
export function mergeShards(module: WebAssembly.Module, input: Input, linear: boolean, results: ShardResult[]): CountResult & { stats: Record<string, number> } {
  const started = performance.now();
  const L = input.network.layers.length;
  const perLayer: number[] = [];
  for (let l = 0; l < L; l++) perLayer.push(results.reduce((a, r) => a + r.perLayer[l]!, 0));
  const activationRegions = results.reduce((a, r) => a + r.regions, 0);
  let linearRegions: number | null = null;
  let crossMerges = 0;
  if (linear) {
    const core = setupCore(module, input.packed.words, linear);
    if (!core) throw tooLarge('merging the shards');
    ({ linearRegions, merges: crossMerges } = linearAcross(core, results, input.packed));
  }
  const mergeMs = performance.now() - started;
  return {
    activationRegions,
    linearRegions,
    perLayer,
    partial: false,
    stopReason: 'complete',
    // the count's own time: every shard's counting time plus the merge
    elapsedMs: results.reduce((a, r) => a + r.elapsedMs, 0) + mergeMs,
    dimension: input.packed.dimension,
    domain: input.domain,
    warnings: [...input.warnings],
    stats: { shards: results.length, crossShardMerges: crossMerges, mergeMs, memoryBytes: Math.max(0, ...results.map((r) => r.stats.memoryBytes)) },
  };
}
