/**
 * Tied rows: the units of a pooling window whose ReLUs are all off (or whose inputs are blank on
 * the slice) have pre-activations that are EXACTLY equal, so the maxout lines between them are
 * identically 0. The 2-D engine marks the rows of a cell's map that no float operation rounded
 * (assembly/traverse.ts, rowExact) and decides those ties with error bound 0 instead of the exact
 * path; ties between rows that did round still go to the exact path, which composes sparse layers
 * by their non-zeros (assembly/exact.ts). Every count here is checked against the exact reference
 * (test/reference/reference.ts, BigInt rationals); the exact-path counters show which path ran.
 */
import { describe, expect, it } from 'vitest';
import { countRegionsSync } from '../src/index.node.js';
import { countRegions } from '../dist/index.node.js'; // the built package: workers load dist/count/worker.js
import type { Domain, Layer, Network } from '../src/network/types.js';
import { referenceCount } from './reference/reference.js';
import { Rng } from './reference/random-nets.js';
import { layer, net } from './helpers/nets.js';

interface Stats { exactCalls: number; filterHits: number }

function countWithStats(network: Network, domain: Domain) {
  return countRegionsSync(network, domain) as ReturnType<typeof countRegionsSync> & { stats: Stats };
}

function expectReference(network: Network, domain: Domain, label: string) {
  const ref = referenceCount(network, domain);
  const got = countWithStats(network, domain);
  const replay = `${label}\nnetwork: ${JSON.stringify(network)}\ndomain: ${JSON.stringify(domain)}`;
  expect({ a: got.activationRegions, l: got.linearRegions, p: got.perLayer }, replay).toEqual({
    a: ref.activationRegions,
    l: ref.linearRegions,
    p: ref.perLayer,
  });
  return got;
}

/** Maxout layer that takes the max over consecutive groups of `k` inputs (a 1-D MaxPool): one 1 per row. */
function pool(inputs: number, k: number): Layer {
  const weights: number[][] = [];
  for (let g = 0; g < inputs / k; g++) {
    for (let t = 0; t < k; t++) weights.push(Array.from({ length: inputs }, (_, j) => (j === g * k + t ? 1 : 0)));
  }
  return layer(weights, new Array(weights.length).fill(0), 'maxout', { pieces: k });
}

const ulp = (x: number) => x * Number.EPSILON;
const box2: Domain = { bounds: [[-1, 1], [-1, 1]] };

/**
 * ReLU then max-pool over windows of 2: constant units (on and off), exact duplicates of a
 * crossing unit, a constant pair that differs by one ulp (a near tie, not a tie), and a crossing
 * unit pooled with a constant one.
 */
function reluPool(): Network {
  return net(2, [
    layer(
      [[0, 0], [0, 0], [0, 0], [0, 0], [1, 0.5], [1, 0.5], [0, 0], [0, 0], [-0.5, 1], [0, 0]],
      [0.5, 0.5, -0.25, -0.25, -0.125, -0.125, 0.0625, 0.0625 + ulp(0.0625), 0.375, 0.375],
      'relu',
    ),
    pool(10, 2),
  ]);
}

describe('ties between exactly equal rows', () => {
  it('are decided without the exact path, with the reference count (ReLU then MaxPool)', () => {
    const got = expectReference(reluPool(), box2, 'relu-pool');
    // every tie here is between rows that no rounding touched: the filter decides them all
    expect(got.stats.exactCalls).toBe(0);
  });

  it('on a plane slice whose blank inputs make constant rows (as in an image with a blank margin)', () => {
    // inputs 2 and 3 are 0 on the whole slice: units reading only them are constant
    const network = net(4, [
      layer(
        [[0, 0, 1, 0.5], [0, 0, 1, 0.5], [0, 0, -1, 2], [0, 0, -1, 2], [1, -1, 0, 0.5], [1, -1, 0, 0.5], [0.5, 1, 0, 0], [0.5, 1, 3, 0]],
        [0.25, 0.25, -0.5, -0.5, 0, 0, 0.125, 0.125],
        'relu',
      ),
      pool(8, 2),
    ]);
    const slice: Domain = { origin: [0, 0, 0, 0], directions: [[1, 0, 0, 0], [0, 1, 0, 0]], bounds: [[-1, 1], [-1, 1]] };
    expectReference(network, slice, 'blank inputs');
  });

  it('MaxPool then ReLU: ties of the pooling layer itself, and ReLU copies of them', () => {
    const network = net(2, [
      // (the last unit's pieces are both 0 only at (-1.5, 0), outside the box: no three lines meet)
      layer([[0, 0], [0, 0], [1, 0.5], [1, 0.5], [1, 0], [0, 1]], [0.5, 0.5, -0.125, -0.125, 1.5, 0], 'maxout', { pieces: 2 }),
      layer([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0], 'relu'),
      pool(3, 3),
    ]);
    // (three lines of layer 3 meet at (0.125, 0): that vertex is a true degeneracy for the exact path)
    expectReference(network, box2, 'pool-relu');
  });

  it('leaky ReLU that is off contributes alpha * w * z: still the reference count', () => {
    const network = net(2, [
      layer([[0, 0], [0, 0], [1, 0.5], [1, 0.5]], [-0.5, -0.5, -0.125, -0.125], 'leaky_relu', { alpha: 0.1 }),
      layer([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], [0, 0, 0, 0], 'maxout', { pieces: 2 }),
      layer([[1, -0.75], [0.5, 1]], [0.01, -0.02], 'relu'),
    ]);
    expectReference(network, box2, 'leaky');
  });
});

describe('ties between rows that rounded', () => {
  it('go to the exact path, which composes the sparse pooling layers by their non-zeros', () => {
    // layer 3 duplicates a unit whose weights (0.1, 0.3) round: its copies are equal in float and
    // in exact arithmetic, but only the exact path can tell; layer 4 pools them
    const network = net(2, [
      layer([[1, 0.5], [1, 0.5], [0.3, -1], [0, 0]], [-0.125, -0.125, 0.1, 0.2], 'relu'),
      pool(4, 2),
      layer([[0.1, 0.3], [0.1, 0.3], [0.7, -0.9], [0.1, 0.3]], [0.3, 0.3, -0.1, 0.3], 'relu'),
      pool(4, 2),
      layer([[1, -1]], [0.05], 'linear'),
    ]);
    const got = expectReference(network, box2, 'rounded ties');
    expect(got.stats.exactCalls).toBeGreaterThan(0);
  });
});

describe('seeded random pooling networks (ties, near ties, blank inputs)', () => {
  /** A random conv-like sparse layer with duplicated rows, constant rows and one-ulp near ties. */
  function randomPoolingNet(seed: number): { network: Network; domain: Domain } {
    const rng = new Rng(seed);
    const inputs = 4;
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
    const dyadic = () => pick([-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1]);
    const rows: number[][] = [];
    const bias: number[] = [];
    while (rows.length < 8) {
      const kind = rng.next();
      const row = Array.from({ length: inputs }, () => (rng.next() < 0.5 ? 0 : kind < 0.2 ? dyadic() : Number((rng.next() * 2 - 1).toFixed(2))));
      const b = kind < 0.5 ? dyadic() / 2 : Number((rng.next() - 0.5).toFixed(3));
      rows.push(row, kind < 0.8 ? row.slice() : row.map((x) => x * 0.5));
      bias.push(b, kind < 0.9 ? b : b + ulp(Math.abs(b) || 1));
    }
    const act = pick(['relu', 'relu', 'leaky_relu', 'abs'] as const);
    const layers: Layer[] = [layer(rows, bias, act, act === 'leaky_relu' ? { alpha: pick([0.5, 0.1]) } : {}), pool(8, 2)];
    const hidden = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => (rng.next() < 0.4 ? 0 : dyadic())));
    layers.push(layer([...hidden, hidden[0]!.slice(), hidden[1]!.slice()], [0.25, -0.25, 0, 0.125, 0.25, -0.25], 'relu'), pool(6, 3));
    // inputs 2 and 3 may be blank on the slice
    const blank = rng.next() < 0.5;
    const domain: Domain = {
      origin: [0.125, -0.25, 0, blank ? 0 : 0.5],
      directions: [[1, 0, 0, blank ? 0 : 0.25], [0, 1, blank ? 0 : 0.5, 0]],
      bounds: [[-1, 1], [-1, 1]],
    };
    return { network: net(inputs, layers), domain };
  }

  it('agree with the reference (seeds 1..60)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const { network, domain } = randomPoolingNet(seed);
      expectReference(network, domain, `seed ${seed}`);
    }
  });

  it('agree with the reference when the count is split into units for worker threads', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const { network, domain } = randomPoolingNet(seed);
      const ref = referenceCount(network, domain);
      const got = await countRegions(network, domain, { threads: 2, workersAfterMs: 0 });
      expect({ a: got.activationRegions, l: got.linearRegions }, `seed ${seed}`).toEqual({ a: ref.activationRegions, l: ref.linearRegions });
    }
  });
});
