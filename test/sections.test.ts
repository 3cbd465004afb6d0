/**
 * The leaf count by sections (assembly/vertex-nd.ts, sectionCount; gainCellSeparates in
 * assembly/gain-nd.ts): the last sign layer's regions in a vertex cell counted as the sets of its
 * units whose intersection meets the cell (Zaslavsky's count restricted to a convex open set, every
 * such set in general position), without visiting a region.
 *
 * - Hand counts where the count's conditions fail: D + 1 hyperplanes through one point of the cell
 *   and a pencil of three through one line. The generic count would be 1 + n + C(n, 2) + ... ; a
 *   central arrangement of n hyperplanes in general position has 2 (C(n-1, 0) + ... + C(n-1, D-1))
 *   regions (Zaslavsky), a pencil of 3 planes 6.
 * - Seeded Gaussian nets in 3-D and 4-D against the exact BigInt reference, activation and linear
 *   regions, with the sections on (and required to count cells) and off.
 * - Linear regions where a facet's gain is 0 for some states of the units that cut the cell (two
 *   units with one row and opposite output weights): the reference's count, and the sections
 *   refused; the same with the facets two layers down (three sign layers in 3-D).
 * - 3-D nets with three sign layers against the reference, where the sections must count cells
 *   with linear regions too (their facets of layer 1 certified).
 * - The facets of layer l - 1 certified once per count by the sums of their units' sets
 *   (setsCertified): the least |sum| over every non-empty set against brute force (integer terms,
 *   exact in any order), seeded nets against the reference with those sums made at once, and
 *   units whose terms cancel exactly (in either half of the sets' split or across it), whose
 *   facets join and must not be certified.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countRegions } from '../src/index.node.js';
import { pack } from '../src/count/pack.js';
import type { Domain, Network } from '../src/network/types.js';
import { referenceCountNd } from './reference/reference-nd.js';
import { Rng } from './reference/random-nets.js';
import { gaussianNet, layer, net } from './helpers/nets.js';
import type { CountingCoreExports } from './helpers/core.js';
import { coreImports } from '../src/count/core-memory.js';

interface SectionCore extends CountingCoreExports {
  statSectionCells(): number;
  statFacetsKnown(): number;
  statSetsHits(): number;
  testSetsEager(on: number): void;
  testSetsTerms(): number;
  testSetsLeast(k: number): number;
  statLeafRegions(): number;
  testSections(on: number): void;
  linearRegions(): number;
}

const module = new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));

/** One count on its own instance: its counts and how many cells the sections counted. */
function coreCount(network: Network, domain: Domain, linear: boolean, sections = true, setsEager = false) {
  const core = new WebAssembly.Instance(module, coreImports()).exports as unknown as SectionCore;
  core.testSections(sections ? 1 : 0);
  core.testSetsEager(setsEager ? 1 : 0);
  const { words } = pack(network as never, domain as never);
  const ptr = core.prepare(words.byteLength);
  new Float64Array(core.memory.buffer, ptr, words.length).set(words);
  expect(core.setup(0, linear ? 1 : 0, 0)).toBe(0);
  while (core.run(1 << 20) === 1);
  return {
    activation: core.activationRegions(),
    linear: linear ? core.activationRegions() - core.mergedFaces() : null,
    sectionCells: core.statSectionCells(),
    facetsKnown: core.statFacetsKnown(),
    setsHits: core.statSetsHits(),
    leaves: core.statLeafRegions(),
  };
}

const box = (d: number, h = 1): Domain => ({ bounds: Array.from({ length: d }, (): [number, number] => [-h, h]) });

/**
 * The count of the API and of one core instance (linear regions), both required to equal the
 * exact reference's: the reference's joins (activation less linear regions).
 */
async function joinsAgainstReference(network: Network, domain: Domain, seed: number): Promise<number> {
  const ref = referenceCountNd(network, domain);
  const got = await countRegions(network, domain);
  expect([got.activationRegions, got.linearRegions], `seed ${seed}`).toEqual([ref.activationRegions, ref.linearRegions]);
  // (and with the facets' set sums made at once, as a large count makes them)
  for (const eager of [false, true]) {
    const l = coreCount(network, domain, true, true, eager);
    expect([l.activation, l.linear], `seed ${seed}, sets eager ${eager}`).toEqual([ref.activationRegions, ref.linearRegions]);
  }
  return ref.activationRegions - ref.linearRegions!;
}

const choose = (n: number, k: number): number => (k < 0 || k > n ? 0 : k === 0 ? 1 : (choose(n - 1, k - 1) * n) / k);
/** Regions of a central arrangement of n hyperplanes in general position in R^d (Zaslavsky). */
const central = (n: number, d: number): number => 2 * Array.from({ length: d }, (_, i) => choose(n - 1, i)).reduce((a, b) => a + b, 0);

/** One ReLU layer of hyperplanes n_i . (x - c) = 0 and a linear output with weights 1, 2, 3, ... */
function through(normals: number[][], c: number[]): Network {
  const bias = normals.map((n) => -n.reduce((s, v, k) => s + v * c[k]!, 0));
  return net(c.length, [layer(normals, bias, 'relu'), layer([normals.map((_, i) => i + 1)], [0], 'linear')]);
}

describe('the leaf count by sections', () => {
  it('D + 1 hyperplanes through one point of the cell, and a pencil: the hand counts, not the generic ones', async () => {
    const cases: [string, Network, number][] = [
      // (every 3 of these normals are independent)
      ['4 planes through the origin', through([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], [0, 0, 0]), central(4, 3)],
      ['5 planes through (0.25, -0.5, 0.125)', through([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [1, 2, 4]], [0.25, -0.5, 0.125]), central(5, 3)],
      ['a pencil of 3 planes through a line', through([[1, 0, 0], [0, 1, 0], [1, 1, 0]], [0.25, 0.5, 0]), 6],
      ['5 hyperplanes through a point of R^4', through([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 1, 1, 1]], [0.5, -0.25, 0, 0.125]), central(5, 4)],
      ['6 hyperplanes through a point of R^4', through([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 1, 1, 1], [1, 2, 4, 8]], [0, 0, 0, 0]), central(6, 4)],
    ];
    for (const [name, network, expected] of cases) {
      const d = network.inputDim;
      const got = await countRegions(network, box(d));
      expect([got.activationRegions, got.linearRegions], name).toEqual([expected, expected]);
      expect(referenceCountNd(network, box(d)).activationRegions, name).toBe(expected);
      // (the generic count, which the sections must not give)
      expect(Array.from({ length: d + 1 }, (_, k) => choose(network.layers[0]!.weights.length, k)).reduce((a, b) => a + b, 0), name).not.toBe(expected);
      expect(coreCount(network, box(d), false).activation, name).toBe(expected);
      expect(coreCount(network, box(d), true).linear, name).toBe(expected);
    }
  });

  it('16 seeded Gaussian nets in 3-D and 4-D: the reference\'s counts, sections on (counting cells) and off', () => {
    let sectionCells = 0;
    let linearSectionCells = 0;
    const failures: string[] = [];
    for (let seed = 1; seed <= 16; seed++) {
      const rng = new Rng(9000 + seed);
      const d = seed % 2 === 0 ? 4 : 3;
      const widths = d === 4 ? [4, 4, rng.int(3, 4), rng.int(1, 2)] : [3, rng.int(4, 6), rng.int(3, 5), rng.int(1, 2)];
      const network = gaussianNet(widths, 9000 + seed);
      const domain = box(d, d === 4 ? 1 : rng.int(1, 2));
      const ref = referenceCountNd(network, domain);
      for (const sections of [true, false]) {
        const a = coreCount(network, domain, false, sections);
        const l = coreCount(network, domain, true, sections);
        if (a.activation !== ref.activationRegions || l.activation !== ref.activationRegions || l.linear !== ref.linearRegions) {
          failures.push(`seed ${seed} (${widths.join('-')}, sections ${sections}): reference ${ref.activationRegions} / ${ref.linearRegions}, core ${a.activation}, ${l.activation} / ${l.linear}`);
        }
        if (sections) {
          sectionCells += a.sectionCells;
          linearSectionCells += l.sectionCells;
        } else {
          expect(a.sectionCells + l.sectionCells).toBe(0);
        }
      }
    }
    expect(failures.join('\n'), failures.join('\n')).toBe('');
    console.log(`${sectionCells} cells by sections, ${linearSectionCells} with linear regions`);
    expect(sectionCells).toBeGreaterThan(50);
    expect(linearSectionCells).toBeGreaterThan(10);
  }, 120_000);

  it('3-D nets with three sign layers (cells with facets two layers down): the reference\'s counts, and cells counted by sections with linear regions', () => {
    // the leaf cells of a 3-D net with three sign layers have facets of layer 1, whose gains sum
    // over both later layers (termsTwoDown): before those were certified, every such cell went to
    // the split count with linear regions (0 cells by sections here). These small nets have many
    // real joins (seed 3: 81 activation regions, 66 linear), whose cells must be refused.
    const failures: string[] = [];
    let cells = 0;
    let linearCells = 0;
    let known = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const rng = new Rng(9400 + seed);
      const widths = [3, rng.int(3, 5), rng.int(3, 4), rng.int(3, 4), rng.int(1, 2)];
      const network = gaussianNet(widths, 9400 + seed);
      const domain = box(3, rng.int(1, 2));
      const ref = referenceCountNd(network, domain);
      const a = coreCount(network, domain, false);
      const l = coreCount(network, domain, true);
      if (a.activation !== ref.activationRegions || l.activation !== ref.activationRegions || l.linear !== ref.linearRegions) {
        failures.push(`seed ${seed} (${widths.join('-')}): reference ${ref.activationRegions} / ${ref.linearRegions}, core ${a.activation}, ${l.activation} / ${l.linear}`);
      }
      cells += a.sectionCells;
      linearCells += l.sectionCells;
      known += l.facetsKnown;
    }
    expect(failures.join('\n'), failures.join('\n')).toBe('');
    console.log(`${cells} cells by sections, ${linearCells} with linear regions, ${known} facets certified by the cell across them`);
    expect(linearCells).toBeGreaterThan(40);
    // (the facet cache: a facet certified from one side is not certified again from the other)
    expect(known).toBeGreaterThan(20);
  }, 120_000);

  it('three sign layers, where a facet two layers down joins for some states of the cutting units: the reference\'s count', async () => {
    // units A and B of layer 3 have one row and different biases, output weights 1 and -1: where
    // both are on or both off and C is off, G_2 = 0, so every facet of layers 1 and 2 there joins
    let joins = 0;
    for (let seed = 1; seed <= 4; seed++) {
      const base = gaussianNet([3, 4, 4, 3, 1], 720 + seed);
      const [first, second, third] = base.layers as [Network['layers'][0], Network['layers'][0], Network['layers'][0]];
      const row = third.weights[0]!;
      const network = net(3, [
        first,
        second,
        layer([row, row, third.weights[2]!], [0.3, -0.2, third.bias[2]!], 'relu'),
        layer([[1, -1, 0.7]], [0], 'linear'),
      ]);
      joins += await joinsAgainstReference(network, box(3, 2), seed);
    }
    expect(joins).toBeGreaterThan(10);
  });

  it('three sign layers, a facet two layers down that joins only where a unit free on it is on: the reference\'s count', async () => {
    // layer 2 is one unit h that is on in the whole box (no facet of layer 2: the facets of layer
    // 1 are the only ones a facet check two layers down guards); layer 3 has A = relu(h - 101),
    // B = relu(h - 102) and C = relu(104 - h), output A - B + 0.7 C: where A and B are on and C
    // off, G_2 = 0 and every facet of layer 1 joins. On a facet that B's level set crosses, B is
    // free: taking it off there (the state the facet's other regions have) would certify it.
    let joins = 0;
    for (let seed = 1; seed <= 3; seed++) {
      const rng = new Rng(760 + seed);
      const first = layer(Array.from({ length: 4 }, () => Array.from({ length: 3 }, () => rng.gaussian())), Array.from({ length: 4 }, () => 0.5 * rng.gaussian()), 'relu');
      const network = net(3, [
        first,
        layer([[0.6, 0.5, 0.7, 0.4]], [100], 'relu'),
        layer([[1], [1], [-1]], [-101, -102, 104], 'relu'),
        layer([[1, -1, 0.7]], [0], 'linear'),
      ]);
      joins += await joinsAgainstReference(network, box(3, 2), seed);
    }
    expect(joins).toBeGreaterThan(5);
  });

  it('linear regions where a facet\'s gain is 0 for some states of the cutting units: the reference\'s count, the sections refused there', async () => {
    // units A and B of layer 2 have one row and different biases (parallel in each cell) and
    // output weights 1 and -1: across a facet of layer 1 their terms cancel where both are on or
    // both off, and with C off the facet joins its two regions
    let joins = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const d = seed % 2 === 0 ? 4 : 3;
      const base = gaussianNet([d, 5, 3, 1], 700 + seed);
      const [first, second] = base.layers as [Network['layers'][0], Network['layers'][0]];
      const row = second.weights[0]!;
      const network = net(d, [
        first,
        layer([row, row, second.weights[2]!], [0.3, -0.2, second.bias[2]!], 'relu'),
        layer([[1, -1, 0.7]], [0], 'linear'),
      ]);
      joins += await joinsAgainstReference(network, box(d, 2), seed);
    }
    expect(joins).toBeGreaterThan(10);
  });

  it('facets of layer l - 1 certified by the sums of their units\' sets: the reference\'s counts, and the sets used', () => {
    // two sign layers in 3-D and 4-D, layer 2 of 4 to 12 units (the sets' halves up to 6 units)
    let hits = 0;
    const failures: string[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const rng = new Rng(9400 + seed);
      const d = seed % 2 === 0 ? 4 : 3;
      const widths = [d, rng.int(3, 4), rng.int(4, 12), 1];
      const network = gaussianNet(widths, 9400 + seed);
      const domain = box(d, rng.int(1, 2));
      const ref = referenceCountNd(network, domain);
      const l = coreCount(network, domain, true, true, true);
      if (l.activation !== ref.activationRegions || l.linear !== ref.linearRegions) {
        failures.push(`seed ${9400 + seed} (${widths.join('-')}): reference ${ref.activationRegions} / ${ref.linearRegions}, core ${l.activation} / ${l.linear}`);
      }
      hits += l.setsHits;
    }
    expect(failures.join('\n'), failures.join('\n')).toBe('');
    expect(hits).toBeGreaterThan(100);
  }, 120_000);

  it('the least |sum| over the non-empty sets of k terms (meet in the middle): brute force over every set, integer terms', () => {
    // integers below 2^20 sum exactly in doubles, in any order: the least is one number
    const core = new WebAssembly.Instance(module, coreImports()).exports as unknown as SectionCore;
    const at = core.testSetsTerms();
    const failures: string[] = [];
    for (let seed = 1; seed <= 300; seed++) {
      const rng = new Rng(9600 + seed);
      const k = 1 + (seed % 20);
      const terms = Array.from({ length: k }, () => rng.int(-5000, 5000) || 1);
      // (a third of the cases: a planted set summing to 0, its units anywhere among the k)
      if (seed % 3 === 0 && k >= 2) {
        const i = rng.int(0, k - 1);
        let j = rng.int(0, k - 1);
        if (j === i) j = (i + 1) % k;
        terms[j] = -terms[i]!;
      }
      new Float64Array(core.memory.buffer, at, k).set(terms);
      let least = Infinity;
      for (let mask = 1; mask < 1 << k; mask++) {
        let sum = 0;
        for (let i = 0; i < k; i++) if ((mask >> i) & 1) sum += terms[i]!;
        least = Math.min(least, Math.abs(sum));
      }
      const got = core.testSetsLeast(k);
      if (got !== least) failures.push(`seed ${9600 + seed}, k ${k}: ${got} against ${least} (${terms.join(', ')})`);
    }
    expect(failures.join('\n'), failures.join('\n')).toBe('');
  });

  it('a set of units whose terms cancel exactly, in either half or across them: the facets that join are not certified', async () => {
    // layer 2: units p and q share a row (different biases) and have output weights 1 and -1, so
    // their terms of G_1[0, v] cancel for every v of layer 1, and the set {p, q} sums to 0; where
    // both are on and the others off, a facet of layer 1 joins its two regions. Four units, the
    // sets' halves being units {0, 1} and {2, 3}: p, q in the first half, in the second, across.
    let joins = 0;
    for (const [p, q] of [[0, 1], [2, 3], [0, 3]] as const) {
      for (let seed = 1; seed <= 3; seed++) {
        const d = seed % 2 === 0 ? 4 : 3;
        const base = gaussianNet([d, 5, 4, 1], 720 + seed);
        const [first, second] = base.layers as [Network['layers'][0], Network['layers'][0]];
        const rows = second.weights.map((r) => [...r]);
        const bias = [...second.bias];
        rows[q] = [...rows[p]!];
        bias[p] = 0.3;
        bias[q] = -0.2;
        const out = [0.7, 0.45, -0.6, 0.8];
        out[p] = 1;
        out[q] = -1;
        const network = net(d, [first, layer(rows, bias, 'relu'), layer([out], [0], 'linear')]);
        const ref = referenceCountNd(network, box(d, 2));
        const l = coreCount(network, box(d, 2), true, true, true);
        expect([l.activation, l.linear], `units ${p}, ${q}, seed ${seed}`).toEqual([ref.activationRegions, ref.linearRegions]);
        joins += ref.activationRegions - ref.linearRegions!;
      }
    }
    expect(joins).toBeGreaterThan(10);
  });
});
