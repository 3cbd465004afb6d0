/**
 * The core returns to JavaScript often, whatever the dimension or depth (assembly run(budget) is a
 * work budget: decisions, regions, LP pivots and exact work counted by its size, and a decision
 * that needs a long exact composition stops between rows and resumes), so abort, timeouts and
 * progress work, and a partial result has one shape from every path: the calling thread, workers,
 * the CLI.
 *
 * Two measures. The first is the core's own chunks in CPU time (process.cpuUsage around each
 * run() call, or its wall time where that is less: chunkCpuMs; driven by the real Pacer on one
 * thread): what a chunk costs whatever else the machine runs, so its limit can be the 50 ms target even on a loaded CI machine. The second is
 * behavioural: the event loop's longest stall (a 1 ms interval timer) and the delay of an abort,
 * through the public API, with workers too. Wall time on a shared 2-core machine grows with the
 * load (the figures in the README were measured with a load average near 6, where wall time is
 * 2-4 times the CPU time), so its limits are generous; the measured figures are printed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { countRegions, countRegionsSync, loadTfjs } from '../dist/index.node.js';
import { LocalCounter, type LocalCore } from '../src/count/handover.js';
import { enumerateUnits, setupCore } from '../src/count/parallel.js';
import { pack } from '../src/count/pack.js';
import { Pacer } from '../src/count/pacer.js';
import { resolveDomain, validateNetwork } from '../src/network/validate.js';
// @ts-expect-error plain JS module without types (seeded He-normal networks shared with bench/)
import { heNormal } from '../bench/nets.js';
import type { Domain, Network } from '../src/network/types.js';
import { Rng } from './reference/random-nets.js';
import { layer, net } from './helpers/nets.js';
import { coreImports } from '../src/count/core-memory.js';

/**
 * CPU time of the core's longest chunk. The issue's target is 50 ms; the figures printed are 4-40
 * ms on a machine with a load average of 4-6, and the limit is twice the target because CPU time
 * too grows on a loaded machine (shared caches and cores), and a failure on CI blocks landing. It
 * still fails for the steps this work removed: a deep exact decision composing every layer's exact
 * map at once took 150-450 ms of CPU, the exact comparison of two regions' output maps in the deep
 * 2-D net 100-250 ms, an exact simplex in 16-D 60-70 ms (bench/yield.js times single steps).
 */
const CHUNK_CPU_LIMIT_MS = 100;

/**
 * Wall-time limits for a loaded 2-core machine. Before the work budget these counts stalled the
 * event loop for 1.3-1.5 s per chunk (16-D box, deep 3-D) and minutes in 36-D, and the worker split
 * of the 16-D box 74-430 ms (its facet LPs were one step; CI saw an abort delay of 501 ms); now
 * every stall measured is 11-36 ms with a load average near 4, and up to 165 ms (a deep net's
 * validation, packing and set-up) near 6, so the limits leave 3 times that for CI.
 */
const GAP_LIMIT_MS = 500;
const ABORT_LIMIT_MS = 500;

const he = heNormal as (widths: number[], seed: number) => Network;
const box = (n: number, h = 1) => ({ bounds: Array.from({ length: n }, (): [number, number] => [-h, h]) });

interface Measured {
  maxGapMs: number;
  abortDelayMs: number;
  result: Awaited<ReturnType<typeof countRegions>>;
}

/** Counts with an abort at `abortAtMs`, measuring the event loop's longest stall and the abort's delay. */
async function measure(network: Network, domain: unknown, abortAtMs: number, options: object = {}): Promise<Measured> {
  let last = performance.now();
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const t = performance.now();
    maxGapMs = Math.max(maxGapMs, t - last);
    last = t;
  }, 1);
  const controller = new AbortController();
  const t0 = performance.now();
  const abortTimer = setTimeout(() => controller.abort(), abortAtMs);
  try {
    const result = await countRegions(network, domain as Domain, { signal: controller.signal, ...options });
    const abortDelayMs = performance.now() - t0 - abortAtMs;
    return { maxGapMs, abortDelayMs, result };
  } finally {
    clearInterval(timer);
    clearTimeout(abortTimer);
  }
}

/** The CNN of test/fixtures/tfjs (6 x 6 x 1 inputs), as the 36-input model. */
const cnn36 = (): Network => {
  const dir = fileURLToPath(new URL('./fixtures/tfjs/', import.meta.url));
  return loadTfjs(JSON.parse(readFileSync(join(dir, 'cnn.json'), 'utf8')), readFileSync(join(dir, 'cnn.weights.bin'))) as Network;
};

const cases: [string, () => [Network, unknown], object, number][] = [
  ['a 16-D box', () => [he([16, 20, 20, 1], 1), box(16)], {}, GAP_LIMIT_MS],
  ['the 5-D whole space', () => [he([5, 30, 30, 1], 2), { whole: true }], {}, GAP_LIMIT_MS],
  ['a deep 3-D net (10 layers of 100)', () => [he([3, ...Array<number>(10).fill(100), 1], 3), box(3)], {}, GAP_LIMIT_MS],
  ['a deep 2-D net (20 layers of 200)', () => [he([2, ...Array<number>(20).fill(200), 1], 5), box(2)], {}, GAP_LIMIT_MS],
  ['the worker split of a 16-D box (2 threads)', () => [he([16, 20, 20, 1], 1), box(16)], { threads: 2, workersAfterMs: 0 }, GAP_LIMIT_MS],
  ['the worker split of the 5-D whole space (2 threads, activation regions)', () => [he([5, 30, 30, 1], 2), { whole: true }], { threads: 2, workersAfterMs: 0, linearRegions: false }, GAP_LIMIT_MS],
  // the 36-input CNN (a TensorFlow.js fixture): every decision there is an exact simplex
  // of seconds, which now stops between pivots (lp-exact.ts); it stalled 3.9 s on the box before
  ['a 36-input CNN on [-1, 1]^36', () => [cnn36(), box(36)], {}, GAP_LIMIT_MS],
  ['a 36-input CNN on the whole space', () => [cnn36(), { whole: true }], {}, GAP_LIMIT_MS],
];

interface RawCore {
  memory: WebAssembly.Memory;
  prepare(bytes: number): number;
  setup(maxRegions: number, linear: number, emit: number): number;
  run(budget: number): number;
}
const coreModule = new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));

/**
 * A bound on the CPU time the calling thread spent in one synchronous call: the process's CPU time
 * over the call (which also counts every other thread: V8's background compilers and GC, which
 * once failed the 6-D case beside five other test files) or its wall time (which also counts the
 * time the thread was descheduled), whichever is less. Each is at least the thread's own CPU time,
 * so a call that truly runs past the limit still fails. (Node 20 has no per-thread CPU clock.)
 */
function chunkCpuMs(c: NodeJS.CpuUsage, wallMs: number): number {
  return Math.min((c.user + c.system) / 1000, wallMs);
}

/** Longest CPU time of one run() call over `ms` of a count on one thread, paced as the API paces it. */
function longestChunkCpu(network: Network, domain: unknown, linear: boolean, ms: number): { cpuMs: number; chunks: number } {
  const net = validateNetwork(network);
  const { words } = pack(net, resolveDomain(net, domain));
  const core = new WebAssembly.Instance(coreModule, coreImports()).exports as unknown as RawCore;
  const ptr = core.prepare(words.byteLength);
  new Float64Array(core.memory.buffer, ptr, words.length).set(words);
  expect(core.setup(0, linear ? 1 : 0, 0)).toBe(0);
  const pacer = new Pacer();
  let cpuMs = 0;
  let chunks = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const status = core.run(pacer.budget);
    const c = process.cpuUsage(c0);
    const wall = performance.now() - t0;
    pacer.adapt(wall);
    cpuMs = Math.max(cpuMs, chunkCpuMs(c, wall));
    chunks++;
    if (status !== 1) break;
  }
  return { cpuMs, chunks };
}

/**
 * 4-D: layer 1 passes the box on (x + 2 > 0 there, one cell), layer 2 puts 50 seeded Gaussian
 * hyperplanes through points near its centre, so that the leaf count gets one cell with most of
 * their 4-fold crossings inside.
 */
function oneWideCell(): Network {
  const rng = new Rng(7);
  const w = Array.from({ length: 50 }, () => Array.from({ length: 4 }, () => rng.gaussian()));
  const b = w.map((r) => -2 * (r[0]! + r[1]! + r[2]! + r[3]!) + 0.1 * rng.gaussian());
  return net(4, [
    layer([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], [2, 2, 2, 2], 'relu'),
    layer(w, b, 'relu'),
    layer([w.map(() => rng.gaussian())], [0], 'linear'),
  ]);
}

const deep3 = () => he([3, ...Array<number>(10).fill(100), 1], 3);
const deep2 = () => he([2, ...Array<number>(20).fill(200), 1], 5);
const cpuCases: [string, () => Network, unknown, boolean, number][] = [
  ['a 16-D box', () => he([16, 20, 20, 1], 1), box(16), true, CHUNK_CPU_LIMIT_MS],
  ['the 5-D whole space', () => he([5, 30, 30, 1], 2), { whole: true }, true, CHUNK_CPU_LIMIT_MS],
  ['a deep 3-D net (10 layers of 100), activation regions', deep3, box(3), false, CHUNK_CPU_LIMIT_MS],
  ['a deep 2-D net (20 layers of 200), activation regions', deep2, box(2), false, CHUNK_CPU_LIMIT_MS],
  ['a deep 3-D net (10 layers of 100), linear regions', deep3, box(3), true, CHUNK_CPU_LIMIT_MS],
  ['a deep 2-D net (20 layers of 200), linear regions', deep2, box(2), true, CHUNK_CPU_LIMIT_MS],
  // the shared-vertex mesh (assembly/mesh-nd.ts): its steps are units, layer starts and blocks of
  // its linear pass over the whole complex
  ['a 6-D box (the mesh), linear regions', () => he([6, 12, 12, 1], 42), box(6), true, CHUNK_CPU_LIMIT_MS],
  ['a 5-D box (the mesh), wide layers', () => he([5, 40, 40, 1], 2), box(5), true, CHUNK_CPU_LIMIT_MS],
  // the leaf count (assembly/vertex-nd.ts, vertexLeaves): one cell cut by 50 units of the last
  // layer into 220,072 regions, counted across runs (one run of about 775 ms before it could stop
  // at its budget)
  ['a 4-D box cut by 50 hyperplanes in one cell (the leaf count)', oneWideCell, box(4), true, CHUNK_CPU_LIMIT_MS],
];

describe('the core\'s chunks are short in CPU time', () => {
  test('warm-up (the WebAssembly tiers up in background threads, whose CPU time this process would count)', () => {
    for (const [, make, domain, linear] of cpuCases) longestChunkCpu(make(), domain, linear, 100);
  });
  test.each(cpuCases)('%s: the longest chunk', (name, make, domain, linear, limit) => {
    const m = longestChunkCpu(make(), domain, linear, 1000);
    console.log(`${name}: longest chunk ${m.cpuMs.toFixed(1)} ms CPU over ${m.chunks} chunks (limit ${limit} ms)`);
    expect(m.chunks).toBeGreaterThan(10);
    expect(m.cpuMs).toBeLessThan(limit);
  });
});

describe('a counting instance that counts unit after unit keeps its chunks short', () => {
  test('the pacer grows only on chunks that spent their budget', () => {
    const p = new Pacer();
    const start = p.budget;
    for (let i = 0; i < 50; i++) p.adapt(0.01, true); // units that ended early
    expect(p.budget).toBe(start);
    p.adapt(100, true); // one that ended, but late: the budget shrinks
    expect(p.budget).toBeLessThan(start);
    const q = new Pacer();
    q.adapt(0.01); // a quick chunk that spent its budget: the budget grows
    expect(q.budget).toBeGreaterThan(start);
  });

  test('units counted one after another on the calling thread (LocalCounter, as in a parallel count): the longest chunk', async () => {
    // small units first, then a large one: with a budget that grew on every unit that ended
    // early, one large unit ran 300 ms and more in a single call (deaf to 'stop', 'donate')
    const net = validateNetwork(he([3, 32, 32, 32, 1], 4));
    const { words } = pack(net, resolveDomain(net, box(3)));
    // twenty small units (from a split into hundreds), then a large one (half of a split in two)
    const small = (await enumerateUnits(setupCore(coreModule, words, false)!, 256)) as Uint8Array[];
    small.sort((a, b) => a.byteLength - b.byteLength);
    const large = (await enumerateUnits(setupCore(coreModule, words, false)!, 2)) as Uint8Array[];
    const units = [...small.slice(0, 20), large[0]!];
    const raw = new WebAssembly.Instance(coreModule, coreImports()).exports as unknown as LocalCore & RawCore;
    const ptr = raw.prepare(words.byteLength);
    new Float64Array(raw.memory.buffer, ptr, words.length).set(words);
    expect(raw.setup(0, 0, 0)).toBe(0);
    let longest = 0;
    let chunks = 0;
    // the counter's core, with each run() timed in CPU (the exports object is frozen: a copy)
    const timed = { ...raw } as LocalCore;
    timed.run = (budget: number) => {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const s = raw.run(budget);
      const c = process.cpuUsage(c0);
      longest = Math.max(longest, chunkCpuMs(c, performance.now() - t0));
      chunks++;
      return s;
    };
    const counter = new LocalCounter(timed, net.layers.length, false);
    // (a fresh instance starts the whole count: its first unit replaces that, as in a worker)
    const first = units[0]!;
    const at = raw.scratch(first.byteLength);
    new Uint8Array(raw.memory.buffer, at, first.byteLength).set(first);
    expect(raw.resumeUnit(at)).toBe(1);
    let given = false;
    const stop = await counter.count(
      () => (given ? [] : ((given = true), units.slice(1))),
      () => {},
    );
    expect(stop).toBeUndefined();
    console.log(`${units.length} units: longest chunk ${longest.toFixed(1)} ms CPU over ${chunks} chunks`);
    expect(small.length).toBeGreaterThan(100);
    // the large unit alone is a fair share of the whole count (which is several chunk limits long)
    expect(counter.regions).toBeGreaterThan(0.3 * countRegionsSync(net, box(3), { linearRegions: false }).activationRegions);
    expect(longest).toBeLessThan(CHUNK_CPU_LIMIT_MS);
  });
});

describe('the core yields', () => {
  test.each(cases)('%s: the event loop never stalls long, an abort takes effect at once', async (name, make, options, gapLimit) => {
    const [network, domain] = make();
    const m = await measure(network, domain, 600, options);
    console.log(`${name}: longest event-loop stall ${m.maxGapMs.toFixed(1)} ms, abort honoured after ${m.abortDelayMs.toFixed(1)} ms, ${m.result.activationRegions} regions`);
    expect(m.result.stopReason).toBe('aborted');
    expect(m.maxGapMs).toBeLessThan(gapLimit);
    expect(m.abortDelayMs).toBeLessThan(Math.max(ABORT_LIMIT_MS, gapLimit));
  });
});

/** The shape every partial result has (see CountResult in api-types.ts). */
function expectPartialShape(r: Awaited<ReturnType<typeof countRegions>>, layers: number, why: string): void {
  expect(r.partial).toBe(true);
  expect(r.stopReason).toBe(why);
  expect(r.linearRegions).toBeNull();
  expect(r.perLayer).toHaveLength(layers);
  for (const c of r.perLayer) expect(Number.isSafeInteger(c)).toBe(true);
  // every region found is a completed cell of the last layer, on every thread
  expect(r.perLayer[layers - 1]).toBe(r.activationRegions);
}

describe('partial results are one thing', () => {
  // 2-D, 5 layers of 128: about 2 x 10^5 regions, seconds of work on one thread
  const big = he([2, 128, 128, 128, 128, 128, 1], 7);
  const L = big.layers.length;

  test('abort, timeout and maxRegions: same shape from one thread and from workers; regions found are counted', async () => {
    for (const threads of [1, 2]) {
      const a = await measure(big, box(2), 400, { threads, workersAfterMs: 0 });
      expectPartialShape(a.result, L, 'aborted');
      expect(a.result.activationRegions, `${threads} threads`).toBeGreaterThan(0);
      const t = await countRegions(big, box(2), { threads, workersAfterMs: 0, signal: AbortSignal.timeout(400) });
      expectPartialShape(t, L, 'timeout');
      expect(t.activationRegions, `${threads} threads`).toBeGreaterThan(0);
    }
    const m = await countRegions(big, box(2), { maxRegions: 1000 });
    expectPartialShape(m, L, 'maxRegions');
    expect(m.activationRegions).toBe(1000);
  });

  test('an n-D count stopped with threads reports the regions its workers found', async () => {
    const net = he([5, 60, 60, 1], 11);
    const r = await countRegions(net, box(5), { threads: 2, workersAfterMs: 0, linearRegions: false, signal: AbortSignal.timeout(2000) });
    expectPartialShape(r, net.layers.length, 'timeout');
    expect(r.activationRegions).toBeGreaterThan(0);
  });
});

describe('callbacks and options', () => {
  test('an onProgress callback that throws rejects the promise, with threads too', async () => {
    const net = he([2, 128, 128, 128, 128, 1], 8);
    for (const threads of [1, 2]) {
      const boom = new Error('boom from onProgress');
      await expect(
        countRegions(net, box(2), {
          threads,
          workersAfterMs: 0,
          onProgress: () => {
            throw boom;
          },
        }),
      ).rejects.toBe(boom);
    }
    // and the next call still works
    const ok = await countRegions(he([2, 3, 1], 1), box(2), { threads: 2 });
    expect(ok.partial).toBe(false);
  });

  test('options: null and non-objects are coded errors', async () => {
    for (const bad of [null, 5, 'x']) {
      await expect(countRegions(he([2, 3, 1], 1), box(2), bad as never)).rejects.toMatchObject({ code: 'E_ARGS' });
    }
    await expect(countRegions(he([2, 3, 1], 1), box(2), { workersAfterMs: -1 })).rejects.toMatchObject({ code: 'E_ARGS' });
  });

  test('a small count with threads never starts a worker (it ends within the probe on the calling thread)', async () => {
    const r = (await countRegions(he([2, 5, 1], 1), box(2), { threads: 4 })) as { stats?: { threads?: number } };
    expect(r.stats?.threads).toBeUndefined();
    const forced = (await countRegions(he([2, 16, 16, 1], 1), box(2), { threads: 2, workersAfterMs: 0 })) as { stats?: { threads?: number } };
    expect(forced.stats?.threads).toBe(2);
  });

  test('CLI: --timeout beyond the longest timer is refused (it used to fire after 1 ms)', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'count', join('examples', 'lines-5.json'), '--timeout', '1e10'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--timeout must be .* at most 2147483 .*\[E_ARGS\]/);
    expect(r.stdout).toBe('');
  });
});

describe('memory stays bounded', () => {
  test('a count that reaches maxMemoryMiB stops with a partial result (stopReason memory), from one thread and from workers', async () => {
    // a 5-D box with linear regions: the faces waiting for a partner grow with the count (a maxout
    // output, so that no face is left out as one that can join nothing: assembly/gain-nd.ts)
    const net = he([5, 40, 40, 2], 2);
    net.layers[2] = { ...net.layers[2]!, activation: 'maxout', pieces: 2 };
    for (const threads of [1, 2]) {
      const r = await countRegions(net, box(5, 4), { threads, workersAfterMs: 0, maxMemoryMiB: 16 });
      expectPartialShape(r, net.layers.length, 'memory');
      expect(r.activationRegions, `${threads} threads`).toBeGreaterThan(0);
    }
    await expect(countRegions(net, box(5), { maxMemoryMiB: 4 })).rejects.toMatchObject({ code: 'E_ARGS' });
  });

  test('the union-find is compacted between regions without changing the count: thousands of merges into one linear region', async () => {
    // the output layer's weights are 0: the output is its bias on every region, so the box is one
    // linear region however many activation regions there are (a hand count)
    const net = he([2, 32, 32, 1], 9);
    net.layers[2]!.weights = [Array<number>(32).fill(0)];
    for (const threads of [1, 2]) {
      const r = await countRegions(net, box(2), { threads, workersAfterMs: 0 });
      // more merges than the 1,024 union-find entries that trigger a compaction (faces.ts)
      expect(r.activationRegions, `${threads} threads`).toBeGreaterThan(1024 + 500);
      expect(r.linearRegions, `${threads} threads`).toBe(1);
    }
  });
});
