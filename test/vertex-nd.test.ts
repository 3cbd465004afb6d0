/**
 * Vertex cells of the n-D engine (assembly/vertex-nd.ts, docs/vertex-engine.md): on 3-D and 4-D
 * boxes and slices a cell's units are decided by certified signs at its vertices, and a sign the
 * filter cannot certify hands the cell to the H-cell engine.
 *
 * - Differential: seeded random cases built for vertex cells (3-4 inputs, boxes and 3-D slices,
 *   Gaussian / integer / dyadic weights with degenerate rows) against the exact BigInt reference.
 * - White box (the core's counters): generic nets are counted without a single LP; hyperplanes
 *   through a vertex and near misses below the filter's resolution take the fallback and still
 *   give the hand count; work units rebuild their vertices where they are resumed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countRegions, regionsSync } from '../src/index.node.js';
import { countRegions as countRegionsDist } from '../dist/index.node.js';
import { pack } from '../src/count/pack.js';
import type { Domain, Network } from '../src/network/types.js';
import { referenceCountNd } from './reference/reference-nd.js';
import { randomVertexCaseNd } from './reference/random-nets-nd.js';
import { Rng } from './reference/random-nets.js';
import { gaussianNet, layer, net } from './helpers/nets.js';
import { resumeAllUnits } from './helpers/core.js';
import { coreImports } from '../src/count/core-memory.js';

const CASES = Number(process.env.VERTEX_CASES ?? 400);
const CHUNK = 50;

interface VertexCore {
  memory: WebAssembly.Memory;
  prepare(bytes: number): number;
  setup(maxRegions: number, linear: number, emit: number): number;
  run(budget: number): number;
  splitUnits(want: number, budget: number): number;
  resumeUnit(ptr: number): number;
  emitted(): number;
  emitBuffer(): number;
  scratch(bytes: number): number;
  activationRegions(): number;
  statVertexSigns(): number;
  statVertexUnsure(): number;
  statVertexLost(): number;
  statSideQueries(): number;
  statLeafRegions(): number;
  statLeafFallbacks(): number;
  mergedFaces(): number;
}

const module = new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));

function load(network: Network, domain: Domain, linear: number, emit = 0): VertexCore {
  const core = new WebAssembly.Instance(module, coreImports()).exports as unknown as VertexCore;
  const { words } = pack(network as never, domain as never);
  const ptr = core.prepare(words.byteLength);
  new Float64Array(core.memory.buffer, ptr, words.length).set(words);
  expect(core.setup(0, linear, emit)).toBe(0);
  return core;
}

/** A whole count on one instance: activation regions and the vertex counters. */
function coreCount(network: Network, domain: Domain, linear = 0) {
  const core = load(network, domain, linear);
  while (core.run(1 << 20) === 1);
  return {
    regions: core.activationRegions(),
    signs: core.statVertexSigns(),
    unsure: core.statVertexUnsure(),
    lost: core.statVertexLost(),
    lps: core.statSideQueries(),
    leaves: core.statLeafRegions(),
    leafFallbacks: core.statLeafFallbacks(),
    merges: core.mergedFaces(),
  };
}

const box = (d: number, h = 1): Domain => ({ bounds: Array.from({ length: d }, (): [number, number] => [-h, h]) });

describe(`vertex cells vs the exact n-D reference: ${CASES} seeded cases on 3-D and 4-D boxes and 3-D slices`, () => {
  for (let start = 1; start <= CASES; start += CHUNK) {
    const end = Math.min(start + CHUNK - 1, CASES);
    it(`seeds ${start}..${end}`, async () => {
      const failures: string[] = [];
      for (let seed = start; seed <= end && failures.length < 3; seed++) {
        const c = randomVertexCaseNd(seed);
        const domain = c.domain as Domain;
        const ref = referenceCountNd(c.network, c.domain);
        const got = await countRegions(c.network, domain);
        const same =
          got.activationRegions === ref.activationRegions &&
          got.linearRegions === ref.linearRegions &&
          JSON.stringify(got.perLayer) === JSON.stringify(ref.perLayer);
        if (!same) {
          failures.push(
            `${c.description}\nnetwork: ${JSON.stringify(c.network)}\ndomain: ${JSON.stringify(domain)}\n` +
              `reference: ${ref.activationRegions} / ${ref.linearRegions} ${JSON.stringify(ref.perLayer)}\n` +
              `core:      ${got.activationRegions} / ${got.linearRegions} ${JSON.stringify(got.perLayer)}`,
          );
        }
      }
      expect(failures.join('\n\n'), failures.join('\n\n')).toBe('');
    }, 120_000);
  }

  it('the cases do take both paths: vertex decisions, and fallbacks to the H-cell engine', () => {
    let signs = 0;
    let unsure = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const c = randomVertexCaseNd(seed);
      const r = coreCount(c.network, c.domain as Domain);
      signs += r.signs;
      unsure += r.unsure;
    }
    expect(signs).toBeGreaterThan(1000);
    expect(unsure).toBeGreaterThan(10);
  });

  it('the last sign layer is counted without frames where it can, and by the frames where a sign or a gain is not certified', () => {
    // (the differential above checks the counts; this checks that its cases reach both paths)
    for (const linear of [0, 1]) {
      let leaves = 0;
      let fallbacks = 0;
      let merges = 0;
      for (let seed = 1; seed <= 60; seed++) {
        const c = randomVertexCaseNd(seed);
        const r = coreCount(c.network, c.domain as Domain, linear);
        leaves += r.leaves;
        fallbacks += r.leafFallbacks;
        merges += r.merges;
      }
      const seen = `linear ${linear}: ${leaves} regions by the leaf count, ${fallbacks} cells left to the frames, ${merges} faces merged`;
      expect(leaves, seen).toBeGreaterThan(100);
      expect(fallbacks, seen).toBeGreaterThan(10);
      if (linear) expect(merges, seen).toBeGreaterThan(0);
      console.log(seen);
    }
  });
});

describe('vertex cells, white box', () => {
  it('the last layer\'s gains: a unit decided on the whole cell and one that splits it cancel on a facet (4 activation regions, 3 linear: hand count)', async () => {
    // layer 1: u0 = relu(x0), u1 = relu(x1 + 2) = x1 + 2, u2 = relu(x2 + 2) = x2 + 2 on [-1, 1]^3;
    // layer 2: A = u0 + 10 (on everywhere: decided on each cell's box), B = -u0 + u1 - 1.5 (splits
    // both cells of u0: x1 = -0.5 for x0 < 0, x1 = x0 - 0.5 for x0 > 0); y = A + B. Where B is on,
    // y = 10.5 + x1 on both sides of x0 = 0 (the gain of u0 there is 1 - 1 = 0): those two regions
    // are one linear region; where B is off, y = 10 against 10 + x0.
    const network = net(3, [
      layer([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 2, 2], 'relu'),
      layer([[1, 0, 0], [-1, 1, 0]], [10, -1.5], 'relu'),
      layer([[1, 1]], [0], 'linear'),
    ]);
    const got = await countRegions(network, box(3));
    expect([got.activationRegions, got.linearRegions]).toEqual([4, 3]);
    const activation = coreCount(network, box(3), 0);
    expect(activation.leaves).toBe(4); // both cells of u0 by the leaf count
    const linear = coreCount(network, box(3), 1);
    expect(linear.leafFallbacks).toBeGreaterThan(0); // the cancelling gain is not certified there
    expect(linear.merges).toBe(1);
  });

  it('the last layer\'s gains two layers down: a facet of layer 1 whose gain cancels over two units of layer 2 (4 activation regions, 3 linear: hand count)', async () => {
    // layer 1: v0 = relu(x0), v1 = x1 + 2, v2 = x2 + 2 on [-1, 1]^3; layer 2 (on everywhere):
    // c = v1, a = b = v0 + 1; layer 3: A = a + b + 10 (on everywhere), B = c - 2a + 0.5 (splits
    // both cells of v0: x1 = -0.5 for x0 < 0, x1 = 2 x0 - 0.5 for x0 > 0); y = A + B. The gain of v0
    // is G(a) + G(b) = (1 - 2) + 1 = 0 where B is on (y = 12.5 + x1 on both sides of x0 = 0: one
    // linear region) and 2 where B is off (y = 12 against 12 + 2 x0)
    const network = net(3, [
      layer([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 2, 2], 'relu'),
      layer([[0, 1, 0], [1, 0, 0], [1, 0, 0]], [0, 1, 1], 'relu'),
      layer([[0, 1, 1], [1, -2, 0]], [10, 0.5], 'relu'),
      layer([[1, 1]], [0], 'linear'),
    ]);
    const got = await countRegions(network, box(3));
    expect([got.activationRegions, got.linearRegions]).toEqual([4, 3]);
    expect(coreCount(network, box(3), 0).leaves).toBe(4);
    const linear = coreCount(network, box(3), 1);
    expect(linear.leafFallbacks).toBeGreaterThan(0);
    expect(linear.merges).toBe(1);
  });

  it('a unit that cuts the cell but misses a side of its first split is decided there, state and gain, for every region of that side (12 activation regions, 10 linear: hand count)', async () => {
    // layer 1: u0 = relu(x0), u1 = x1 + 2, u2 = x2 + 2 on [-1, 1]^3, so the leaf count takes the
    // cells x0 < 0 and x0 > 0. Layer 2, in list order after E = u0 + 10 (on everywhere, decided on
    // each cell's box): B = -u0 + u1 - 1.5 (x1 = x0 - 0.5 on x0 > 0), C = u2 - 2 (x2 = 0) and
    // A = u0 + u1 - 1.25 (x1 = -x0 - 0.75). A cuts each cell of u0 but misses B's positive side
    // (A >= 2 x0 + 0.25 > 0 there), where it is decided when C splits that side. y = E + 2 B + C + A.
    // Each cell: B+ (A on), and below it A on or off, times C on or off: 6 regions, 12 in all.
    // Across x0 = 0 the gain of u0 is 1 (E) - 2 (B) + 1 (A): 0 where B is on (A is then on), so those
    // 2 pairs join; 1 or 2 elsewhere. 12 - 2 = 10 linear regions.
    const network = net(3, [
      layer([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 2, 2], 'relu'),
      layer([[1, 0, 0], [-1, 1, 0], [0, 0, 1], [1, 1, 0]], [10, -1.5, -2, -1.25], 'relu'),
      layer([[1, 2, 1, 1]], [0], 'linear'),
    ]);
    const got = await countRegions(network, box(3));
    expect([got.activationRegions, got.linearRegions]).toEqual([12, 10]);
    expect(coreCount(network, box(3), 0).leaves).toBe(12);
    expect(coreCount(network, box(3), 1).merges).toBe(2);
  });

  it('generic 3-D and 4-D nets are counted without one LP, and agree with the reference', () => {
    for (const [widths, seed] of [[[3, 6, 5, 1], 1], [[4, 5, 4, 1], 2], [[3, 8, 1], 3]] as const) {
      const network = gaussianNet([...widths], seed);
      const r = coreCount(network, box(widths[0]));
      const ref = referenceCountNd(network, box(widths[0]) as never);
      expect(r.regions, `widths ${widths.join('-')}`).toBe(ref.activationRegions);
      expect(r.signs).toBeGreaterThan(0);
      expect(r.lps).toBe(0);
      expect(r.unsure).toBe(0);
    }
  });

  it('planes x, y, z and x + y + z = 0 through the box corner of the cells at the origin: 14 regions (hand count), by the fallback', () => {
    const network = net(3, [layer([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], [0, 0, 0, 0], 'relu')]);
    const r = coreCount(network, box(3));
    // 4 planes through the origin in general position cut R^3 into 2 (1 + 3 + 3) = 14 cones
    expect(r.regions).toBe(14);
    expect(r.unsure).toBeGreaterThan(0);
  });

  it('a plane 1e-17 from a vertex (below the filter) and 1e-12 from it (above): 15 regions each (hand count)', () => {
    for (const offset of [1e-17, 1e-12]) {
      const network = net(3, [layer([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], [0, 0, 0, -offset], 'relu')]);
      const r = coreCount(network, box(3));
      // 4 affine planes in general position: 1 + 4 + 6 + 4 = 15 regions, all meeting the box
      expect(r.regions, `offset ${offset}`).toBe(15);
      if (offset < 1e-15) expect(r.unsure).toBeGreaterThan(0);
      else expect(r.unsure).toBe(0);
    }
  });

  it('work units rebuild their vertices where they are resumed: no LP, and the same count', () => {
    for (const [widths, seed] of [[[3, 6, 5, 1], 4], [[4, 5, 4, 1], 5]] as const) {
      const network = gaussianNet([...widths], seed);
      const domain = box(widths[0]);
      const whole = coreCount(network, domain);
      const splitter = load(network, domain, 0, 2);
      let n: number;
      while ((n = splitter.splitUnits(24, 1 << 20)) === -2);
      expect(n).toBeGreaterThan(4);
      const bytes = new Uint8Array(splitter.memory.buffer, splitter.emitBuffer(), splitter.emitted()).slice();
      const counter = load(network, domain, 0);
      expect(resumeAllUnits(bytes, counter)).toBe(n);
      expect(counter.activationRegions()).toBe(whole.regions);
      expect(whole.regions).toBe(referenceCountNd(network, domain as never).activationRegions);
      expect(counter.statVertexSigns()).toBeGreaterThan(0);
      expect(counter.statSideQueries()).toBe(0);
    }
  });

  it('threads: a 3-D count split among workers equals the one-thread count', async () => {
    const network = gaussianNet([3, 7, 6, 1], 6);
    // (workers run the built package)
    const one = await countRegionsDist(network, box(3), { threads: 1 });
    const two = await countRegionsDist(network, box(3), { threads: 2, workersAfterMs: 0 });
    expect(two.activationRegions).toBe(one.activationRegions);
    expect(two.linearRegions).toBe(one.linearRegions);
    const ref = referenceCountNd(network, box(3) as never);
    expect([one.activationRegions, one.linearRegions]).toEqual([ref.activationRegions, ref.linearRegions]);
  });
});

describe('vertex cells: regions() on 3-D and 4-D boxes', () => {
  it('every region gets an interior point (the vertices\' centroid, checked exactly), inside the box and with its pattern', () => {
    for (const [network, domain] of [
      [gaussianNet([3, 6, 5, 1], 7), box(3)],
      [gaussianNet([4, 5, 4, 1], 8), box(4, 2)],
      // integer weights: hyperplanes through vertices, cells that fall back to H-cells
      [net(3, [layer([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [1, -1, 0]], [0, 0, 0, 0, 1], 'relu'), layer([[1, 1, 1, 1, 1]], [0], 'linear')]), box(3)],
    ] as const) {
      const regions = [...regionsSync(network, domain)];
      expect(regions).toHaveLength(referenceCountNd(network, domain as never).activationRegions);
      const bounds = (domain as { bounds: [number, number][] }).bounds;
      for (const region of regions) {
        const x = region.interiorPoint;
        expect(x).toHaveLength(bounds.length);
        x.forEach((v, k) => expect(v > bounds[k]![0] && v < bounds[k]![1]).toBe(true));
        // the first layer's pattern at the point (strict: the point is certified interior)
        const first = network.layers[0]!;
        first.weights.forEach((row, i) => {
          const z = row.reduce((s, w, j) => s + w * x[j]!, first.bias[i]!);
          if (Math.abs(z) > 1e-12) expect(region.pattern[0]![i]).toBe(z > 0 ? 1 : 0);
        });
      }
    }
  });
});

describe('vertex cells: a cell with more than 64 facets goes on as an H-cell', () => {
  it('70 planes tangent to the unit sphere (the cell around the origin has 70 facets): Zaslavsky\'s count, with the fallback taken', () => {
    const rng = new Rng(2026);
    const n = 70;
    const normals: number[][] = [];
    while (normals.length < n) {
      const v = [rng.gaussian(), rng.gaussian(), rng.gaussian()];
      const len = Math.hypot(v[0]!, v[1]!, v[2]!);
      if (len > 0.1) normals.push(v.map((x) => x / len));
    }
    // w_i . x + 1 >= 0 touches the unit sphere at -w_i: every plane is a facet of the cell around
    // the origin. A box holding every vertex of the arrangement meets every region, so the count
    // is Zaslavsky's for n planes in general position in R^3: C(n,0) + C(n,1) + C(n,2) + C(n,3).
    let far = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) for (let k = j + 1; k < n; k++) {
      const [a, b, c] = [normals[i]!, normals[j]!, normals[k]!];
      const det = a[0]! * (b[1]! * c[2]! - b[2]! * c[1]!) - a[1]! * (b[0]! * c[2]! - b[2]! * c[0]!) + a[2]! * (b[0]! * c[1]! - b[1]! * c[0]!);
      expect(Math.abs(det)).toBeGreaterThan(1e-9); // general position (by a wide margin)
      // the vertex solves [a; b; c] x = -1: |x|_inf <= ||adj||_inf / |det| (the adjugate's rows sum to at most 6)
      far = Math.max(far, 6 / Math.abs(det));
    }
    const network = net(3, [layer(normals, new Array<number>(n).fill(1), 'relu'), layer([new Array<number>(n).fill(1)], [0], 'linear')]);
    const domain = box(3, 10 * far);
    const r = coreCount(network, domain);
    expect(r.regions).toBe(1 + n + (n * (n - 1)) / 2 + (n * (n - 1) * (n - 2)) / 6);
    expect(r.lost).toBeGreaterThan(0);
  });
});
