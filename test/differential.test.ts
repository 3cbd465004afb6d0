/**
 * Differential test: the fast WebAssembly core (countRegions) against the slow exact reference
 * (test/reference/reference.ts) on seeded random networks, hand-built degenerate networks, and
 * networks whose slice composition is wrong in float64.
 *
 * The number of random cases is DIFF_CASES (default 2000, seeds 1..DIFF_CASES); DIFF_SEED_START
 * shifts the range. A failure prints the seed, a description and the JSON of the network and
 * domain, so it can be replayed with randomCase(seed).
 */
import { describe, expect, it } from 'vitest';
import { countRegions } from '../src/index.node.js';
import type { Domain, Layer, Network } from '../src/network/types.js';
import { referenceCount, type ReferenceResult } from './reference/reference.js';
import { randomCase, randomNetwork } from './reference/random-nets.js';
import { layer, net } from './helpers/nets.js';

const CASES = Number(process.env.DIFF_CASES ?? 2000);
const SEED_START = Number(process.env.DIFF_SEED_START ?? 1);
const CHUNK = 100;


/** Compares the core with the reference; returns a failure message, or null when they agree. */
async function compare(label: string, network: Network, domain: Domain | undefined): Promise<string | null> {
  const replay = `${label}\nnetwork: ${JSON.stringify(network)}\ndomain: ${JSON.stringify(domain ?? null)}`;
  let ref: ReferenceResult;
  try {
    ref = referenceCount(network, domain);
  } catch (e) {
    return `${replay}\nreference threw: ${(e as Error).message}`;
  }
  let got;
  try {
    got = await countRegions(network, domain);
  } catch (e) {
    return `${replay}\ncore threw: ${(e as Error).message}\nreference: ${JSON.stringify(ref)}`;
  }
  const core = {
    activationRegions: got.activationRegions,
    linearRegions: got.linearRegions,
    perLayer: got.perLayer,
    dimension: got.dimension,
  };
  const same =
    core.activationRegions === ref.activationRegions &&
    core.linearRegions === ref.linearRegions &&
    core.dimension === ref.dimension &&
    JSON.stringify(core.perLayer) === JSON.stringify(ref.perLayer) &&
    got.partial === false;
  if (same) return null;
  return `${replay}\nreference: ${JSON.stringify(ref)}\ncore:      ${JSON.stringify({ ...core, partial: got.partial })}`;
}

async function expectAgree(label: string, network: Network, domain?: Domain): Promise<void> {
  const failure = await compare(label, network, domain);
  expect(failure, failure ?? '').toBeNull();
}

// ---------------------------------------------------------------------------------------------
// Random cases.

describe(`differential: ${CASES} random cases (seeds ${SEED_START}..${SEED_START + CASES - 1})`, () => {
  for (let start = SEED_START; start < SEED_START + CASES; start += CHUNK) {
    const end = Math.min(start + CHUNK, SEED_START + CASES) - 1;
    it(`seeds ${start}..${end}`, async () => {
      const failures: string[] = [];
      for (let seed = start; seed <= end; seed++) {
        const c = randomCase(seed);
        const failure = await compare(c.description, c.network, c.domain);
        if (failure) failures.push(failure);
      }
      const shown = failures.slice(0, 5).join('\n\n');
      expect(failures.length, `${failures.length} of ${end - start + 1} cases differ; first ones:\n\n${shown}`).toBe(0);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Hand-built degenerate cases.

const BOX2: Domain = { bounds: [[-1, 1], [-1, 1]] };

function lines(rows: [number, number, number][], domain: Domain = BOX2, output = true): Network {
  const layers = [layer(rows.map(([a, b]) => [a, b]), rows.map(([, , c]) => c), 'relu')];
  if (output) layers.push(layer([rows.map((_, i) => (i % 2 ? -1 : 1))], [0], 'linear'));
  return net(2, layers, domain);
}

function sawtooth(L: number): Network {
  const layers: Layer[] = [layer([[1], [1]], [0, -0.5], 'relu')];
  for (let k = 2; k <= L; k++) layers.push(layer([[2, -4], [2, -4]], [0, -0.5], 'relu'));
  layers.push(layer([[2, -4]], [0], 'linear'));
  return net(1, layers, { bounds: [[0, 1]] });
}

const degenerate: [string, Network, Domain?][] = [
  ['three concurrent lines through the center', lines([[1, 0, 0], [0, 1, 0], [1, -1, 0]])],
  ['four concurrent lines through the center', lines([[1, 0, 0], [0, 1, 0], [1, -1, 0], [1, 1, 0]])],
  ['concurrent lines off the center', lines([[1, 0, -0.5], [0, 1, 0.25], [1, 1, -0.25], [2, -1, -1.25]])],
  ['coincident lines, scaled and flipped normals', lines([[1, 1, 0], [-2, -2, 0], [0.5, 0.5, 0], [1, 0, 0]])],
  ['coincident lines that cancel in the output', lines([[1, 1, 0], [1, 1, 0], [1, -1, 0.5], [1, -1, 0.5]])],
  ['parallel lines', lines([[1, 2, 0], [1, 2, 0.5], [-1, -2, 0.5], [2, 4, -1]])],
  ['lines through box corners', lines([[1, 1, -2], [1, -1, 0], [1, 1, 0], [-1, 1, -2], [1, -1, 2]])],
  ['a line along a box side and one touching a corner', lines([[1, 0, -1], [0, 1, 1], [1, 1, 2], [0, 1, 0]])],
  ['zero rows', lines([[0, 0, 0], [0, 0, 1], [0, 0, -1], [1, 0, 0]])],
  ['a lone zero row', net(2, [layer([[0, 0]], [0], 'relu')], BOX2)],
  ['zero rows in every layer', net(2, [layer([[0, 0], [1, 1]], [0, 0], 'relu'), layer([[0, 0], [1, 0]], [0, 0], 'relu'), layer([[1, 1]], [0], 'linear')])],
  ['an integer box with lines through its corners', lines([[1, 1, 0], [1, -1, 1], [2, 1, -4], [0, 1, -1]], { bounds: [[0, 2], [-1, 1]] })],
  ['a tiny triangle (side 2^-40)', lines([[1, 0, 0], [0, 1, 0], [1, 1, 2 ** -40]])],
  ['lines crossing exactly on the box side', lines([[1, 1, -1], [1, -1, -1], [1, 0, -1]])],
  ['relu(x) - relu(x) on [-1, 1]', net(1, [layer([[1], [1]], [0, 0], 'relu'), layer([[1, -1]], [0], 'linear')])],
  ['relu(x) - relu(-x) = x', net(1, [layer([[1], [-1]], [0, 0], 'relu'), layer([[1, -1]], [0], 'linear')])],
  ['quadrants summing to x + y', net(2, [layer([[1, 0], [-1, 0], [0, 1], [0, -1]], [0, 0, 0, 0], 'relu'), layer([[1, -1, 1, -1]], [0], 'linear')])],
  ['same map touching at a point only', net(2, [layer([[1, 0], [0, 1], [1, 1]], [0, 0, 0], 'relu'), layer([[1, 1, -1]], [0], 'linear')])],
  ['leaky alpha = 1 (globally linear)', net(2, [layer([[1, 0], [0, 1], [1, 1]], [0, 0, -0.5], 'leaky_relu', { alpha: 1 }), layer([[1, 1, 1]], [0], 'linear')])],
  ['leaky alpha = -1 (abs)', net(2, [layer([[1, 0], [0, 1], [1, 1]], [0, 0, -0.5], 'leaky_relu', { alpha: -1 }), layer([[1, -1, 1]], [0], 'linear')])],
  ['leaky without alpha (default 0.01)', net(2, [layer([[1, 0], [0, 1]], [0, 0.5], 'leaky_relu'), layer([[1, 1]], [0], 'linear')])],
  ['a relu last layer', net(1, [layer([[1], [-1]], [0, 0], 'relu'), layer([[1, 1]], [-0.5], 'relu')])],
  ['abs then abs', net(2, [layer([[1, 0], [0, 1]], [0, 0], 'abs'), layer([[1, 1], [1, -1]], [-0.5, 0], 'abs'), layer([[1, 1]], [0], 'linear')])],
  ['maxout: two identical pieces of three', net(2, [layer([[1, 0], [0, 1], [1, 0]], [0, 0, 0], 'maxout', { pieces: 3 })], BOX2)],
  ['maxout: identical first pieces', net(2, [layer([[1, 0], [1, 0], [0, 1]], [0, 0, 0], 'maxout', { pieces: 3 })], BOX2)],
  ['maxout: all pieces identical', net(2, [layer([[1, 2], [1, 2], [1, 2]], [0, 0, 0], 'maxout', { pieces: 3 })], BOX2)],
  ['maxout: a piece that only ties on a line', net(2, [layer([[1, 0], [-1, 0], [0, 0]], [0, 0, 0], 'maxout', { pieces: 3 })], BOX2)],
  ['maxout: three sectors', net(2, [layer([[1, 0], [0, 1], [-1, -1]], [0, 0, 0], 'maxout', { pieces: 3 })], BOX2)],
  ['max(|x|, |y|, 1/2)', net(2, [layer([[1, 0], [-1, 0], [0, 1], [0, -1]], [0, 0, 0, 0], 'maxout', { pieces: 2 }), layer([[1, 0], [0, 1], [0, 0]], [0, 0, 0.5], 'maxout', { pieces: 3 })])],
  ['1-D maxout max(x, -x, 1/2)', net(1, [layer([[1], [-1], [0]], [0, 0, 0.5], 'maxout', { pieces: 3 })])],
  ['1-D maxout with 4 pieces', net(1, [layer([[1], [-1], [2], [0]], [-0.5, -0.5, -1.5, 0], 'maxout', { pieces: 4 })], { bounds: [[-1, 2]] })],
  ['1-D maxout units cancelling', net(1, [layer([[1], [0], [-1], [0]], [0, 0, 0, 0], 'maxout', { pieces: 2 }), layer([[1, -1]], [0], 'linear')])],
  ['1-D break points at the ends and repeated', net(1, [layer([[1], [1], [-1], [2], [1], [0]], [1, -1, 0, 0, 5, 0.5], 'relu')])],
  ['a linear first layer', net(2, [layer([[1, 0], [0, 1]], [0, 0], 'linear'), layer([[1, 0], [0, 1], [1, 1]], [0, 0, 0], 'relu'), layer([[1, 1, 1]], [0.25], 'linear')], BOX2)],
  ['tiny and huge weights (same lines as unscaled)', lines([[1e-200, 2e-200, -1e-200], [3e200, -1e200, 0], [5e-324, 5e-324, 0]])],
  ['subnormal bias', lines([[1, 0, 5e-324], [0, 1, -5e-324], [1, 1, 0]])],
  ['line slice, concurrent break points', net(3, [layer([[1, 1, 1], [1, -1, 0], [2, 0, 1]], [0, 0, 0], 'relu')]), { origin: [0, 0, 0], directions: [[1, 1, 1]], bounds: [[-1, 1]] }],
  ['plane slice with integer directions', net(4, [layer([[1, 0, 0, 1], [0, 1, 1, 0], [1, 1, 0, 0], [0, 0, 1, -1]], [0, 0, 0, 0], 'relu'), layer([[1, -1, 1, -1]], [0], 'linear')]), { origin: [0, 0, 0, 0], directions: [[1, 0, 1, 0], [0, 1, 0, 1]], bounds: [[-1, 1], [-1, 1]] }],
  ['plane slice where a unit is identically zero', net(3, [layer([[1, -1, 0], [0, 0, 1], [1, 0, 0]], [0, 0, 0], 'relu')]), { origin: [0, 0, 0], directions: [[1, 1, 0], [0, 0, 1]], bounds: [[-1, 1], [-1, 1]] }],
  ['explicit domain overrides the network domain', lines([[1, 0, -0.5], [0, 1, 0]], { bounds: [[0.75, 1], [0.5, 1]] }), BOX2],
];
for (let L = 1; L <= 8; L++) degenerate.push([`sawtooth L = ${L}`, sawtooth(L)]);

describe('differential: hand-built degenerate networks', () => {
  for (const [name, network, domain] of degenerate) {
    it(name, async () => {
      await expectAgree(name, network, domain);
    });
  }

  it('all-integer and dyadic nets with degenerate rows on integer boxes (seeds 1..150)', async () => {
    const failures: string[] = [];
    for (let s = 1; s <= 150; s++) {
      const network = randomNetwork(90000 + s, {
        widths: [s % 4 === 0 ? 3 : 5, 4, 1 + (s % 2)],
        activations: [s % 3 === 0 ? 'maxout' : 'relu', (['relu', 'abs', 'leaky_relu', 'maxout'] as const)[s % 4]!, s % 5 === 0 ? 'relu' : 'linear'],
        pieces: 2 + (s % 2),
        alpha: s % 2 ? 0.5 : 1,
        weights: s % 3 === 2 ? 'dyadic' : 'integer',
        degenerate: 0.7,
        domain: 'intbox',
      });
      const failure = await compare(`integer net, seed ${90000 + s}`, network, undefined);
      if (failure) failures.push(failure);
    }
    expect(failures.length, failures.slice(0, 5).join('\n\n')).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Slices whose composed first layer is wrong in float64.

/** The first layer composed with the slice in float64 (left-to-right sums), as a 2-D network on a box. */
function naiveComposed(network: Network, slice: { origin: number[]; directions: number[][]; bounds: [number, number][] }): Network {
  const [first, ...rest] = network.layers;
  const weights = first!.weights.map((row) =>
    slice.directions.map((d) => {
      let s = 0;
      for (let j = 0; j < row.length; j++) s += row[j]! * d[j]!;
      return s;
    }),
  );
  const bias = first!.weights.map((row, r) => {
    let s = 0;
    for (let j = 0; j < row.length; j++) s += row[j]! * slice.origin[j]!;
    return s + first!.bias[r]!;
  });
  return { inputDim: slice.directions.length, layers: [{ ...first!, weights, bias }, ...rest] };
}

const rounding: [string, Network, { origin: number[]; directions: number[][]; bounds: [number, number][] }][] = [
  [
    // unit A: (1, 1, 1, 0) . (1, 2^-60, -1, 0) = 2^-60 exactly, 0 in float64: exact 4 regions, float 2
    'a direction coefficient 2^-60 that float64 rounds to 0',
    net(4, [layer([[1, 1, 1, 0], [0, 0, 0, 1]], [0, 0], 'relu'), layer([[1, 1]], [0], 'linear')]),
    { origin: [0, 0, 0, 0], directions: [[1, 2 ** -60, -1, 0], [0, 0, 0, 1]], bounds: [[-1, 1], [-1, 1]] },
  ],
  [
    // unit C: (1, 1, 1, 1) . (0, 0, 1, 2^-70) - 1 = 2^-70 exactly, 0 in float64: the lines p1 = 0,
    // p2 = 0 and p1 + p2 + 2^-70 = 0 make a tiny triangle: exact 7 regions, float 6 (concurrent)
    'an offset 2^-70 that float64 rounds to 0 (near-concurrent lines)',
    net(4, [layer([[1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 1, 1]], [0, 0, -1], 'relu'), layer([[1, 1, 1]], [0], 'linear')]),
    { origin: [0, 0, 1, 2 ** -70], directions: [[1, 0, 0, 0], [0, 1, 0, 0]], bounds: [[-1, 1], [-1, 1]] },
  ],
  [
    // (2^53, 1, -2^53, -1/2, 0) . (1, 1, 1, 1, 0) = 1/2 exactly, -1/2 in float64 (2^53 + 1 rounds
    // to 2^53): the unit p1 + 1/2 does not cut p1 in [0, 1]; the float line p1 = 1/2 does.
    'an offset whose sign float64 flips',
    net(5, [layer([[2 ** 53, 1, -(2 ** 53), -0.5, 0]], [0], 'relu')]),
    { origin: [1, 1, 1, 1, 0], directions: [[0, 1, 0, 0, 0], [0, 0, 0, 0, 1]], bounds: [[0, 1], [-1, 1]] },
  ],
  [
    // a direction coefficient exactly -2^-60 (float64: 0) on a line through the box corner region:
    // unit z = -2^-60 p1 + p2 - 1 ... with bounds p2 in [-1, 1]: exact line p2 = 1 + 2^-60 p1 cuts
    // the box where p1 < 0 (p2 < 1 there), float p2 = 1 only touches the top side.
    'a tiny slope that makes a line cut instead of touching a side',
    net(3, [layer([[1, 1, 1], [1, 0, 0]], [-1, 0], 'relu')]),
    { origin: [0, 0, 0], directions: [[-1, -(2 ** -60), 1], [0, 1, 0]], bounds: [[-1, 1], [-1, 1]] },
  ],
];

describe('differential: float64 rounding of the composed first layer of a slice', () => {
  for (const [name, network, slice] of rounding) {
    it(name, async () => {
      const exact = referenceCount(network, slice);
      const naive = referenceCount(naiveComposed(network, slice), { bounds: slice.bounds });
      // the case is only meaningful if float64 composition changes the answer
      expect(exact.activationRegions, `exact ${JSON.stringify(exact)} vs naive ${JSON.stringify(naive)}`).not.toBe(naive.activationRegions);
      await expectAgree(name, network, slice);
    });
  }
});
