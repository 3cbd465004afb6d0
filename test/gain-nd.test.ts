/**
 * n-D linear regions (assembly/gain-nd.ts): a face is not filed, and on a row made before the work
 * was split not proven a facet, when the output maps across it certainly differ (the gain of its
 * unit to the outputs is certified non-zero). Counts on 2 threads from the first millisecond
 * (every layer-1 row is such a row) must equal the slow exact reference (BigInt rationals) on nets
 * built so that the gain is exactly zero (dead and cancelling output columns, leaky slope 1),
 * underflows in float64, or is tiny, as well as on seeded random nets; and the shortcut must
 * actually replace the proofs where it can (white box: the core's facet-proof counter).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countRegions } from '../dist/index.node.js';
import { pack } from '../src/count/pack.js';
import type { Activation, Network } from '../src/network/types.js';
import { referenceCountNd } from './reference/reference-nd.js';
import { randomCaseNd } from './reference/random-nets-nd.js';
import { Rng } from './reference/random-nets.js';
import { resumeAllUnits } from './helpers/core.js';
import { coreImports } from '../src/count/core-memory.js';

/** Integer weights in -2..2 (many zeros, cancellations) with a given output layer. */
function integerNet(widths: number[], seed: number, hidden: Activation = 'relu'): Network {
  const rng = new Rng(seed);
  const n = () => (rng.chance(0.3) ? 0 : rng.pick([-2, -1, -1, 1, 1, 2]));
  return {
    inputDim: widths[0]!,
    layers: widths.slice(1).map((w, i) => ({
      weights: Array.from({ length: w }, () => Array.from({ length: widths[i]! }, n)),
      bias: Array.from({ length: w }, n),
      activation: i === widths.length - 2 ? ('linear' as const) : hidden,
      ...(hidden === 'leaky_relu' && i < widths.length - 2 ? { alpha: 1 } : {}),
    })),
  };
}

const cube = (d: number, h = 2) => ({ bounds: Array.from({ length: d }, (): [number, number] => [-h, h]) });

async function expectReference(network: Network, domain: unknown, label: string): Promise<{ merged: number }> {
  const ref = referenceCountNd(network, domain as never);
  const got = await countRegions(network, domain as never, { threads: 2, workersAfterMs: 0 });
  expect([got.activationRegions, got.linearRegions, got.perLayer], `${label}\n${JSON.stringify(network)}`).toEqual([
    ref.activationRegions,
    ref.linearRegions,
    ref.perLayer,
  ]);
  return { merged: ref.activationRegions - ref.linearRegions };
}

describe('faces across work units without facet proofs equal the exact reference', () => {
  it('dead and cancelling output columns (the gain is exactly 0: the faces are proven and joined)', async () => {
    let merged = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const d = 3;
      const net = integerNet([d, 5, 4, 1], 500 + seed);
      // the last layer reads only half the units, and two of them with opposite weights
      const out = net.layers[2]!.weights[0]!;
      for (let j = 0; j < out.length; j++) if (j % 2 === 1) out[j] = 0;
      out[0] = 1;
      out[2] = -1;
      net.layers[1]!.weights[2] = [...net.layers[1]!.weights[0]!];
      net.layers[1]!.bias[2] = net.layers[1]!.bias[0]!;
      merged += (await expectReference(net, cube(d), `cancel seed ${500 + seed}`)).merged;
    }
    expect(merged).toBeGreaterThan(0); // the zero gains do join regions
  });

  it('leaky ReLU with slope 1 (no jump across its units: every region joins)', async () => {
    for (let seed = 1; seed <= 4; seed++) {
      const net = integerNet([3, 5, 3, 1], 600 + seed, 'leaky_relu');
      const { merged } = await expectReference(net, cube(3), `leaky seed ${600 + seed}`);
      expect(merged).toBeGreaterThan(0);
    }
  });

  it('weights whose products underflow or nearly cancel in float64', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const net = integerNet([3, 5, 4, 1], 700 + seed);
      const tiny = seed % 2 === 0 ? 2 ** -540 : 2 ** -1000;
      // layer 2 and the output scaled: the gain is a product of two tiny factors (exact rationals)
      net.layers[1]!.weights = net.layers[1]!.weights.map((row) => row.map((w) => w * tiny));
      net.layers[1]!.bias = net.layers[1]!.bias.map((b) => b * tiny);
      net.layers[2]!.weights[0] = net.layers[2]!.weights[0]!.map((w, j) => (j === 0 ? w + 2 ** -52 : w) * tiny);
      await expectReference(net, cube(3), `tiny seed ${700 + seed}`);
    }
  });

  it('seeded random cases (3-6 dimensions, every activation and domain kind)', async () => {
    for (let seed = 1; seed <= 120; seed++) {
      const c = randomCaseNd(seed);
      if (c.network.layers.length < 2) continue;
      await expectReference(c.network, c.domain, c.description);
    }
  });
});

interface UnitCore {
  memory: WebAssembly.Memory;
  prepare(bytes: number): number;
  setup(maxRegions: number, linear: number, emit: number): number;
  splitUnits(want: number, budget: number): number;
  resumeUnit(ptr: number): number;
  run(budget: number): number;
  emitted(): number;
  emitBuffer(): number;
  emitClear(): void;
  scratch(bytes: number): number;
  statFacetChecks(): number;
  statRayFacets(): number;
  statVertexFacets(): number;
}

/** Splits the count into units and counts them all on one fresh instance; its facet proofs. */
function facetProofsAcrossUnits(network: Network, domain: unknown): number {
  const module = new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));
  const { words } = pack(network as never, domain as never);
  const load = (emit: number): UnitCore => {
    const core = new WebAssembly.Instance(module, coreImports()).exports as unknown as UnitCore;
    const ptr = core.prepare(words.byteLength);
    new Float64Array(core.memory.buffer, ptr, words.length).set(words);
    expect(core.setup(0, 1, emit)).toBe(0);
    return core;
  };
  const splitter = load(2);
  let n: number;
  while ((n = splitter.splitUnits(32, 1 << 20)) === -2);
  expect(n).toBeGreaterThan(1);
  const bytes = new Uint8Array(splitter.memory.buffer, splitter.emitBuffer(), splitter.emitted()).slice();
  const counter = load(0);
  expect(resumeAllUnits(bytes, counter)).toBe(n);
  // (a cell with vertices proves a facet from its vertices: assembly/vertex-nd.ts)
  return counter.statFacetChecks() + counter.statRayFacets() + counter.statVertexFacets();
}

describe('the gain filter replaces facet proofs where the maps differ (white box)', () => {
  it('Gaussian weights, leaky ReLU (no slope is 0): no facet proof; a dead column: proofs for its faces', () => {
    const rng = new Rng(42);
    const gauss = (rows: number, cols: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.gaussian()));
    const net: Network = {
      inputDim: 3,
      layers: [
        { weights: gauss(8, 3), bias: gauss(1, 8)[0]!, activation: 'leaky_relu', alpha: 0.1 },
        { weights: gauss(6, 8), bias: gauss(1, 6)[0]!, activation: 'leaky_relu', alpha: 0.1 },
        { weights: gauss(1, 6), bias: [0], activation: 'linear' },
      ],
    };
    const box = cube(3, 1);
    expect(facetProofsAcrossUnits(net, box)).toBe(0);
    // layer 2 ignores layer-1 unit 0: its gain is exactly 0, so its faces need the proof
    const dead = structuredClone(net);
    for (const row of dead.layers[1]!.weights) row[0] = 0;
    expect(facetProofsAcrossUnits(dead, box)).toBeGreaterThan(0);
  });
});

describe('the two-down facets skip the per-term underflow test only when no product can underflow', () => {
  // testProductsNormal(minX, least, minW): termsTwoDown adds x s W without testing each product
  // when it holds; every product of factors at least that large (in magnitude) must then be normal
  // and at least 2^-1000, which is checked here by computing such products in float64.
  const core = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url))), coreImports())
    .exports as unknown as { testProductsNormal(minX: number, least: number, minW: number): number };
  const TINY = 2 ** -1000;
  it('holds only where every larger product is normal (seeded factors from 2^-800 to 2^20)', () => {
    const seed = 1209;
    const rng = new Rng(seed);
    const factor = () => 2 ** rng.uniform(-800, 20) * (1 + rng.next());
    let held = 0;
    let refused = 0;
    for (let i = 0; i < 4000; i++) {
      const [minX, least, minW] = [factor(), rng.chance(0.5) ? 1 : factor(), factor()];
      if (core.testProductsNormal(minX, least, minW) === 0) {
        refused++;
        // refused: some product of the least factors is below 2^-999
        expect(minX * least < 2 * TINY || minX * least * minW < 2 * TINY, `seed ${seed}, case ${i}`).toBe(true);
        continue;
      }
      held++;
      for (let k = 0; k < 20; k++) {
        const x = k === 0 ? minX : minX * (1 + rng.next() * 3);
        const s = k === 0 ? least : least * (1 + rng.next());
        const w = k === 0 ? minW : minW * (1 + rng.next() * 3);
        const xs = x * s;
        if (!(xs >= TINY && xs * w >= TINY)) throw new Error(`seed ${seed}, case ${i}: ${x} * ${s} * ${w} is not normal`);
      }
    }
    expect(held).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });
});
