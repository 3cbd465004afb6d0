// Multi-core counting must give the same counts as one thread, including linear regions merged
// across work units (faces paired after the workers finish). Runs the built package (dist/), as the
// workers load dist/count/worker.js.
import { describe, expect, onTestFinished, test } from 'vitest';
import { countRegions, countRegionsSync } from '../dist/index.node.js';
import { randomCase, randomNetwork } from './reference/random-nets.js';
import type { Domain, Network } from '../src/network/types.js';
import { Rng } from './reference/random-nets.js';
import { readFileSync } from 'node:fs';
import { ND_UNIT_HEADER, tuning } from '../dist/count/parallel.js';
import { pieceTuning } from '../dist/count/pieces.js';
import { coreImports } from '../src/count/core-memory.js';

/** Uniform [0, 1) numbers from the seeded generator the reference tests use. */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/** Integer weights in -2..2: coincident, concurrent and cancelling units everywhere. */
function integerNet(widths: number[], seed: number): Network {
  const r = rng(seed);
  const n = () => Math.floor(r() * 5) - 2;
  return {
    inputDim: widths[0]!,
    layers: widths.slice(1).map((w, i) => ({
      weights: Array.from({ length: w }, () => Array.from({ length: widths[i]! }, n)),
      bias: Array.from({ length: w }, n),
      activation: i === widths.length - 2 ? ('linear' as const) : ('relu' as const),
    })),
  };
}

describe('threads give the same counts as one thread', () => {
  test('integer networks with many merged linear regions', async () => {
    let merged = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const net = integerNet([2, 10, 10, 10, 1], seed);
      const box = { bounds: [[-3, 3], [-3, 3]] as [number, number][] };
      const one = countRegionsSync(net, box);
      merged += one.activationRegions - one.linearRegions!;
      for (const threads of [2, 3]) {
        const many = await countRegions(net, box, { threads, workersAfterMs: 0 });
        expect([many.activationRegions, many.linearRegions, many.perLayer], `seed ${seed}, ${threads} threads`).toEqual([
          one.activationRegions,
          one.linearRegions,
          one.perLayer,
        ]);
      }
    }
    expect(merged).toBeGreaterThan(0); // the cases do exercise merging
  });

  test('random cases of every kind (activations, slices, 1-D)', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const c = randomCase(seed);
      if (c.network.layers.length < 2) continue;
      const domain = (c as { domain?: unknown }).domain;
      const one = countRegionsSync(c.network, domain as Domain);
      const many = await countRegions(c.network, domain as Domain, { threads: 2, workersAfterMs: 0 });
      expect([many.activationRegions, many.linearRegions, many.perLayer], `randomCase(${seed})`).toEqual([
        one.activationRegions,
        one.linearRegions,
        one.perLayer,
      ]);
    }
  });

  test('n-D: integer networks in 3 and 4 dimensions with merges across work units, boxes and the whole space', async () => {
    let merged = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const d = seed % 2 === 0 ? 3 : 4;
      const net = integerNet([d, 8, 6, 1], 100 + seed);
      for (const domain of [{ bounds: Array.from({ length: d }, (): [number, number] => [-2, 2]) }, { whole: true as const }]) {
        const one = countRegionsSync(net, domain);
        merged += one.activationRegions - one.linearRegions!;
        const many = await countRegions(net, domain, { threads: 2, workersAfterMs: 0 });
        expect([many.activationRegions, many.linearRegions, many.perLayer], `seed ${100 + seed}, ${JSON.stringify(domain)}`).toEqual([
          one.activationRegions,
          one.linearRegions,
          one.perLayer,
        ]);
      }
    }
    expect(merged).toBeGreaterThan(0);
  });

  test('n-D: random cases (3-6 dimensions, every domain kind)', async () => {
    const { randomCaseNd } = await import('./reference/random-nets-nd.js');
    for (let seed = 1; seed <= 250; seed++) {
      const c = randomCaseNd(seed);
      if (c.network.layers.length < 2) continue;
      const one = countRegionsSync(c.network, c.domain as never);
      const many = await countRegions(c.network, c.domain as never, { threads: 2, workersAfterMs: 0 });
      expect([many.activationRegions, many.linearRegions, many.perLayer], c.description).toEqual([
        one.activationRegions,
        one.linearRegions,
        one.perLayer,
      ]);
    }
  });

  test('2-D: a count handed over to workers mid-run (its pending layer-1 cells) gives the same counts', async () => {
    // the calling thread counts first, then hands its pending cells over at some point of its
    // depth-first traversal and counts units itself (src/count/handover.ts); integer nets merge a lot
    let merged = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const net = integerNet([2, 14, 14, 14, 1], 100 + seed);
      const box = { bounds: [[-4, 4], [-4, 4]] as [number, number][] };
      const one = countRegionsSync(net, box);
      merged += one.activationRegions - one.linearRegions!;
      for (const workersAfterMs of [0, 2, 8]) {
        const many = (await countRegions(net, box, { threads: 2, workersAfterMs })) as Awaited<ReturnType<typeof countRegions>> & {
          stats: { threads?: number };
        };
        expect([many.activationRegions, many.linearRegions, many.perLayer], `seed ${seed}, after ${workersAfterMs} ms`).toEqual([
          one.activationRegions,
          one.linearRegions,
          one.perLayer,
        ]);
      }
    }
    expect(merged).toBeGreaterThan(0);
  });

  test('n-D: a count handed over to workers mid-run gives the same counts, boxes and the whole space', async () => {
    // the hand-over makes every row so far a proven-facet row (depth -1) and keeps every pending
    // face for the final pairing (assembly/units-nd.ts handOverUnitsNd)
    let merged = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const d = seed % 2 === 0 ? 3 : 4;
      const net = integerNet([d, 9, 7, 1], 200 + seed);
      for (const domain of [{ bounds: Array.from({ length: d }, (): [number, number] => [-2, 2]) }, { whole: true as const }]) {
        const one = countRegionsSync(net, domain);
        merged += one.activationRegions - one.linearRegions!;
        for (const workersAfterMs of [1, 4, 15]) {
          const many = await countRegions(net, domain, { threads: 2, workersAfterMs });
          expect([many.activationRegions, many.linearRegions, many.perLayer], `seed ${200 + seed}, ${JSON.stringify(domain)}, after ${workersAfterMs} ms`).toEqual([
            one.activationRegions,
            one.linearRegions,
            one.perLayer,
          ]);
        }
      }
    }
    expect(merged).toBeGreaterThan(0);
  });

  test('work given back to idle threads (donated units) is counted once: 2-D and n-D, merges, 2-4 threads', async () => {
    // a thread with nothing left asks the busy ones for their queued units and the pending layer-1
    // cells of the unit they are in (handed over mid-unit: assembly handOverUnits*); one or two
    // units per thread, of uneven sizes, make threads run out early
    let donated = 0;
    let merged = 0;
    const saved = tuning.unitsPerThread;
    onTestFinished(() => {
      tuning.unitsPerThread = saved;
    });
    for (let seed = 1; seed <= 8; seed++) {
      tuning.unitsPerThread = 1 + (seed % 2);
      const d = 2 + (seed % 3);
      const net = d === 2 ? integerNet([2, 16, 14, 14, 1], 300 + seed) : integerNet([d, 10, 9, 1], 300 + seed);
      const domain = seed % 4 === 3 ? { whole: true as const } : { bounds: Array.from({ length: d }, (): [number, number] => [-3, 3]) };
      const one = countRegionsSync(net, domain);
      merged += one.activationRegions - one.linearRegions!;
      for (const threads of [2, 4]) {
        const many = (await countRegions(net, domain, { threads, workersAfterMs: 0 })) as Awaited<ReturnType<typeof countRegions>> & {
          stats: { donatedUnits?: number };
        };
        donated += many.stats.donatedUnits ?? 0;
        expect([many.activationRegions, many.linearRegions, many.perLayer], `seed ${300 + seed}, ${d}-D, ${threads} threads`).toEqual([
          one.activationRegions,
          one.linearRegions,
          one.perLayer,
        ]);
      }
    }
    expect(merged).toBeGreaterThan(0);
    expect(donated).toBeGreaterThan(0);
  });

  test('a worker asked to donate before it has a unit gives nothing back (a fresh instance holds the whole domain)', async () => {
    // one unit and four threads: the idle workers are asked as soon as the others wait; one that
    // handed its fresh instance's stack over counted every region twice (1 run in 3 on this case)
    const saved = tuning.unitsPerThread;
    onTestFinished(() => {
      tuning.unitsPerThread = saved;
    });
    tuning.unitsPerThread = 1;
    for (const seed of [1025, 7, 31]) {
      const c = randomCase(seed);
      const domain = (c as { domain?: unknown }).domain as Domain;
      const one = countRegionsSync(c.network, domain);
      for (let i = 0; i < 12; i++) {
        const many = await countRegions(c.network, domain, { threads: 4, workersAfterMs: 0 });
        expect([many.activationRegions, many.linearRegions, many.perLayer], `randomCase(${seed}), run ${i}`).toEqual([
          one.activationRegions,
          one.linearRegions,
          one.perLayer,
        ]);
      }
    }
  });

  test('n-D linear regions on the whole space and a polytope: workers only when no face met during the probe can join', async () => {
    // a Gaussian network: the gain filter rules out every join, so the default brings in workers;
    // an integer network whose units cancel files faces at once (about two per region) and stays
    // on the calling thread (there, every face on a row made before the split needs a facet LP).
    // (These are the homogeneous chart's rules: the count by pieces, which would take the Gaussian
    // network's whole space and simplex, src/count/pieces.ts, is turned off here.)
    const saved = pieceTuning.minUnits;
    onTestFinished(() => {
      pieceTuning.minUnits = saved;
    });
    pieceTuning.minUnits = Infinity;
    const withWorkers = (r: object) => (r as { stats?: Record<string, unknown> }).stats?.workUnits !== undefined;
    // (counts of 0.2-0.5 s: past the 120 ms probe of the homogeneous chart)
    const gaussian = randomNetwork(3, { inputDim: 4, widths: [16, 16, 1] });
    const integer = integerNet([4, 12, 10, 1], 1);
    const simplex = { A: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [-1, -1, -1, -1]], b: [1, 1, 1, 1, 1] };
    for (const domain of [{ whole: true as const }, simplex]) {
      for (const [name, net, parallel] of [['gaussian', gaussian, true], ['integer', integer, false]] as const) {
        const one = countRegionsSync(net, domain);
        const many = await countRegions(net, domain, { threads: 2 });
        const what = `${name} network, ${JSON.stringify(domain)}`;
        expect([many.activationRegions, many.linearRegions, many.perLayer], what).toEqual([one.activationRegions, one.linearRegions, one.perLayer]);
        expect(withWorkers(many), what).toBe(parallel);
        if (!parallel) expect(one.linearRegions, what).toBeLessThan(one.activationRegions);
      }
    }
  });

  test('the n-D unit record header read in JavaScript (dealBySize) is the core\'s', () => {
    const core = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url))), coreImports())
      .exports as unknown as { ndUnitHeaderBytes(): number };
    expect(ND_UNIT_HEADER).toBe(core.ndUnitHeaderBytes());
  });

  test('an aborted parallel count is marked partial', async () => {
    const controller = new AbortController();
    controller.abort();
    const r = await countRegions(integerNet([2, 12, 12, 1], 5), undefined, { threads: 2, signal: controller.signal });
    expect(r.partial).toBe(true);
    expect(r.stopReason).toBe('aborted');
  });

  test('concurrent counts: one at a time brings in workers, the others count on the calling thread', async () => {
    // (fifty concurrent calls with threads 2 used to start fifty pools and took 10-30x longer)
    const big = integerNet([2, 40, 40, 40, 1], 31);
    const box = { bounds: [[-4, 4], [-4, 4]] as [number, number][] };
    const want = countRegionsSync(big, box);
    const withWorkers = (r: object) => (r as { stats?: Record<string, unknown> }).stats?.workUnits !== undefined;
    const a = countRegions(big, box, { threads: 2, workersAfterMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 30)); // a is counting with its workers by now
    const b = await countRegions(big, box, { threads: 2, workersAfterMs: 0 });
    const ra = await a;
    expect(withWorkers(ra)).toBe(true);
    expect(withWorkers(b)).toBe(false);
    for (const r of [ra, b]) expect([r.activationRegions, r.linearRegions]).toEqual([want.activationRegions, want.linearRegions]);
    // and once it is done, the next count may use workers again
    expect(withWorkers(await countRegions(big, box, { threads: 2, workersAfterMs: 0 }))).toBe(true);
  });
});
