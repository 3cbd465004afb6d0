/**
 * The shared-vertex mesh (assembly/mesh-nd.ts, README: Performance): plain activation counts of a
 * box in 5 or more dimensions run on the whole cell complex at once, with the cell engine as the
 * fallback when a sign or a comparison cannot be certified.
 *
 * - Differential: seeded random cases (3 to 6 inputs, boxes and slices, Gaussian / integer /
 *   dyadic weights with degenerate rows) counted on the mesh (the core's switch lowers its smallest
 *   dimension to 3, where the reference is fast) against the exact BigInt reference.
 * - White box (the core's counters): both paths run; sharpened vertices; the memory fallback; the
 *   public API takes the mesh in 5-D and not where it must not (linear regions, caps, 4-D).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countRegions, countRegionsSync, regionsSync } from '../src/index.node.js';
import { pack } from '../src/count/pack.js';
import type { Domain, Network } from '../src/network/types.js';
import { referenceCountNd } from './reference/reference-nd.js';
import { randomVertexCaseNd } from './reference/random-nets-nd.js';
import { gaussianNet, layer, net } from './helpers/nets.js';
import { coreImports } from '../src/count/core-memory.js';

const CASES = Number(process.env.MESH_CASES ?? 400);
const CHUNK = 50;

interface MeshCore {
  memory: WebAssembly.Memory;
  memoryLimitMiB(mib: number): void;
  prepare(bytes: number): number;
  setup(maxRegions: number, linear: number, emit: number): number;
  run(budget: number): number;
  meshConfigure(on: number, minDim: number, tau: number, maxDim: number): void;
  activationRegions(): number;
  mergedFaces(): number;
  layerCount(l: number): number;
  layers(): number;
  statMesh(): number;
  statMeshFailure(): number;
  statMeshSharpened(): number;
  statMeshFacets(): number;
}

const module = new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));

/**
 * A whole count on one core instance (activation and, with `linear`, linear regions), the mesh on
 * (from `minDim` dimensions) or off; `tau` > 0 sets the bound past which a vertex is sharpened.
 */
function coreCount(network: Network, domain: Domain | undefined, mesh: boolean, minDim = 3, memoryMiB = 0, tau = 0, linear = 1) {
  const core = new WebAssembly.Instance(module, coreImports()).exports as unknown as MeshCore;
  if (memoryMiB > 0) core.memoryLimitMiB(memoryMiB);
  const { words } = pack(network as never, domain as never);
  const ptr = core.prepare(words.byteLength);
  new Float64Array(core.memory.buffer, ptr, words.length).set(words);
  core.meshConfigure(mesh ? 1 : 0, minDim, tau, 0);
  expect(core.setup(0, linear, 0)).toBe(0);
  let status: number;
  while ((status = core.run(1 << 16)) === 1);
  const perLayer: number[] = [];
  for (let l = 1; l <= core.layers(); l++) perLayer.push(core.layerCount(l));
  return {
    status,
    regions: core.activationRegions(),
    linearRegions: linear ? core.activationRegions() - core.mergedFaces() : null,
    perLayer,
    mesh: core.statMesh(),
    failure: core.statMeshFailure(),
    sharpened: core.statMeshSharpened(),
    facets: core.statMeshFacets(),
  };
}

const box = (d: number, h = 1): Domain => ({ bounds: Array.from({ length: d }, (): [number, number] => [-h, h]) });

/** The result's core counters are not part of the public type: the mesh's vertices, 0 when it did not count. */
const meshVertices = (r: object): number | undefined => (r as { stats: { meshVertices?: number } }).stats.meshVertices;

const meshCase = (seed: number) => randomVertexCaseNd(seed, { min: 3, max: 6, salt: 29 });

describe(`the mesh vs the exact n-D reference: ${CASES} seeded cases, 3 to 6 inputs`, () => {
  const used = { mesh: 0, fallback: 0, sharpened: 0, merged: 0 };
  for (let start = 1; start <= CASES; start += CHUNK) {
    const end = Math.min(start + CHUNK - 1, CASES);
    it(`seeds ${start}..${end}`, () => {
      const failures: string[] = [];
      for (let seed = start; seed <= end && failures.length < 3; seed++) {
        const c = meshCase(seed);
        const ref = referenceCountNd(c.network, c.domain);
        // (odd seeds sharpen every crossing whose bound passes 1e-15: nearly all of them)
        const got = coreCount(c.network, c.domain as Domain, true, 3, 0, seed % 2 === 1 ? 1e-15 : 0);
        if (got.mesh === 1) used.mesh++;
        else if (got.failure !== 0) used.fallback++;
        if (got.mesh === 1 && got.sharpened > 0) used.sharpened++;
        if (got.mesh === 1 && got.linearRegions! < got.regions) used.merged++;
        const same =
          got.status === 0 &&
          got.regions === ref.activationRegions &&
          got.linearRegions === ref.linearRegions &&
          JSON.stringify(got.perLayer) === JSON.stringify(ref.perLayer);
        if (!same) {
          failures.push(
            `${c.description}\nnetwork: ${JSON.stringify(c.network)}\ndomain: ${JSON.stringify(c.domain)}\n` +
              `reference: ${ref.activationRegions} / ${ref.linearRegions} ${JSON.stringify(ref.perLayer)}\n` +
              `mesh ${got.mesh} (failure ${got.failure}): ${got.regions} / ${got.linearRegions} ${JSON.stringify(got.perLayer)}`,
          );
        }
      }
      expect(failures.join('\n\n'), failures.join('\n\n')).toBe('');
    }, 120_000);
  }

  it('the cases take both paths: counted on the mesh (some sharpened, some with regions joined), and handed to the cell engine', () => {
    // (slices and polytope-like domains are not boxes: neither path counts those, so the two
    // numbers need not add up to the cases)
    console.log(`mesh paths over ${CASES} cases: ${JSON.stringify(used)}`);
    expect(used.mesh, JSON.stringify(used)).toBeGreaterThan(CASES / 4);
    expect(used.fallback, JSON.stringify(used)).toBeGreaterThan(CASES / 20);
    expect(used.sharpened, JSON.stringify(used)).toBeGreaterThan(CASES / 10);
    expect(used.merged, JSON.stringify(used)).toBeGreaterThan(CASES / 50);
  });
});

describe('the mesh, white box', () => {
  it('counts He-normal nets in 5-D and 6-D as the cell engine does (activation and linear regions), sharpening along the way', () => {
    for (const [widths, seed] of [[[5, 10, 10, 1], 1], [[6, 6, 6, 6, 1], 2], [[5, 8, 8, 8, 1], 3]] as [number[], number][]) {
      const n = gaussianNet(widths, seed);
      const mesh = coreCount(n, box(widths[0]!), true, 5);
      const cells = coreCount(n, box(widths[0]!), false);
      expect(mesh.mesh, `${widths.join('-')}: failure ${mesh.failure}`).toBe(1);
      expect(mesh.sharpened).toBeGreaterThan(0);
      expect(mesh.regions).toBe(cells.regions);
      expect(mesh.linearRegions).toBe(cells.linearRegions);
      expect(mesh.perLayer).toEqual(cells.perLayer);
      expect(cells.regions).toBeGreaterThan(1000);
    }
  });

  it('joins every region across units whose slope does not jump (leaky ReLU with alpha 1)', () => {
    // the network is the affine map W2 (W1 x + b1) + b2 on the whole box: one linear region (by
    // hand; the exact reference takes a minute here). The activation regions are those of the
    // first layer's 7 hyperplanes, as the cell engine counts them. Walking down to each region's
    // lowest vertex names the regions the joins connect.
    const g = gaussianNet([5, 7, 1], 12);
    const n = net(5, [{ ...g.layers[0]!, activation: 'leaky_relu', alpha: 1 }, g.layers[1]!]);
    const got = coreCount(n, box(5), true, 5);
    const cells = coreCount(n, box(5), false);
    expect(got.mesh, `failure ${got.failure}`).toBe(1);
    expect([got.regions, got.linearRegions]).toEqual([cells.regions, 1]);
    expect(cells.linearRegions).toBe(1);
    expect(got.regions).toBeGreaterThan(50);
  });

  it('hands a count whose planes pass through vertices to the cell engine, with the hand count', () => {
    // x1 = 0, ..., x5 = 0 and x1 + ... + x5 = 0: every one through the origin, a vertex once the
    // first five are in. The coordinate planes make 2^5 = 32 orthants; the sixth plane cuts every
    // orthant with mixed signs (all but the two all-positive / all-negative ones): 32 + 30 = 62.
    const rows = [...Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, k) => (k === i ? 1 : 0))), [1, 1, 1, 1, 1]];
    const n = net(5, [layer(rows, [0, 0, 0, 0, 0, 0], 'relu'), layer([[1, 1, 1, 1, 1, 1]], [0], 'linear')]);
    const got = coreCount(n, box(5), true, 5);
    expect(got.mesh).toBe(0);
    expect(got.failure).toBe(1);
    expect(got.regions).toBe(62);
    expect(referenceCountNd(n, box(5) as never).activationRegions).toBe(62);
  });

  it('hands a count to the cell engine when the mesh would outgrow the memory limit', () => {
    const n = gaussianNet([5, 12, 12, 1], 4);
    const cells = coreCount(n, box(5), false);
    const tight = coreCount(n, box(5), true, 5, 16);
    expect(tight.mesh).toBe(0);
    expect(tight.failure).toBe(3);
    expect(tight.regions).toBe(cells.regions);
  });

  it('is what the public API uses for counts of 5-D boxes, and only there', async () => {
    const n5 = gaussianNet([5, 8, 8, 1], 5);
    const cells = coreCount(n5, box(5), false);
    const a = countRegionsSync(n5, box(5));
    expect(meshVertices(a)).toBeGreaterThan(0);
    expect([a.activationRegions, a.linearRegions]).toEqual([cells.regions, cells.linearRegions]);
    const b = await countRegions(n5, box(5), { linearRegions: false, threads: 2, workersAfterMs: 0 });
    expect(b.activationRegions).toBe(a.activationRegions);
    expect(b.linearRegions).toBe(null);
    // more than two threads, a region cap, emitted regions, 4-D and 7-D stay on the cell engine
    const c = await countRegions(n5, box(5), { threads: 3 });
    expect([c.activationRegions, c.linearRegions, meshVertices(c) ?? 0]).toEqual([a.activationRegions, a.linearRegions, 0]);
    expect(meshVertices(countRegionsSync(n5, box(5), { maxRegions: 10 }))).toBe(0);
    expect(meshVertices(countRegionsSync(gaussianNet([4, 8, 8, 1], 5), box(4)))).toBe(0);
    expect(meshVertices(countRegionsSync(gaussianNet([7, 6, 1], 5), box(7)))).toBe(0);
    let emitted = 0;
    for (const _ of regionsSync(n5, box(5))) emitted++;
    expect(emitted).toBe(a.activationRegions);
  });
});
