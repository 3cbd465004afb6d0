/**
 * The whole space of 2 to 4 inputs counted by pieces (src/count/pieces.ts: the box [-1, 1]^n and
 * 2 n outer boxes in homogeneous coordinates, copies of a region found by its pattern). Expected
 * values come from outside the code: Zaslavsky's count for hyperplanes in general position (and
 * the same count for the units with a non-zero output weight, for linear regions), the slow exact
 * n-D reference (BigInt rationals) on seeded random networks, the homogeneous chart (the engine the
 * whole space had before, itself checked against the reference in differential-nd.test.ts) on
 * larger ones, and the homogenization identity t N(x) = N_t(y, t) in exact dyadic arithmetic.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { countRegions, countRegionsSync } from '../src/index.node.js';
// (worker threads load the built worker script: threads are tested on the build, as in parallel.test.ts)
import { countRegions as countRegionsBuilt } from '../dist/index.node.js';
import { pieceTuning as builtTuning } from '../dist/count/pieces.js';
import type { Network } from '../src/network/types.js';
import { NumberMap, outerNetwork, pieceTuning, pieces } from '../src/count/pieces.js';
import { referenceCountNd } from './reference/reference-nd.js';
import { randomDomainNd, randomVertexCaseNd } from './reference/random-nets-nd.js';
import { Rng } from './reference/random-nets.js';
import { gaussianNet, layer, net } from './helpers/nets.js';

const WHOLE = { whole: true as const };
const piecesOf = (r: object) => (r as { stats: { pieces: number } }).stats.pieces;

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Zaslavsky / Buck: regions of n hyperplanes in general position in R^d. */
function zaslavsky(n: number, d: number): number {
  let s = 0;
  for (let j = 0; j <= d; j++) s += binomial(n, j);
  return s;
}

/** One hidden layer of n Gaussian units in R^d, a linear output whose weights are 0 for the first `dead` units. */
function oneLayer(d: number, n: number, dead: number, seed: number, activation: 'relu' | 'leaky_relu' | 'abs' = 'relu'): Network {
  const rng = new Rng(seed);
  const W = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.gaussian()));
  const b = Array.from({ length: n }, () => rng.gaussian() * 0.5);
  const out = Array.from({ length: n }, (_, u) => (u < dead ? 0 : rng.gaussian()));
  const extra = activation === 'leaky_relu' ? { alpha: 0.25 } : {};
  return net(d, [layer(W, b, activation, extra), layer([out], [0.1], 'linear')]);
}

afterEach(() => {
  pieceTuning.minUnits = 20;
  builtTuning.minUnits = 20;
});

describe('the whole space by pieces', () => {
  it('Zaslavsky: n Gaussian hyperplanes in R^2, R^3 and R^4 (relu, leaky_relu, abs), linear regions without the units whose output weight is 0', () => {
    for (const [d, n, dead] of [[2, 40, 9], [3, 24, 6], [4, 21, 5], [3, 30, 0]] as const) {
      for (const act of ['relu', 'leaky_relu', 'abs'] as const) {
        const network = oneLayer(d, n, dead, 100 * d + n, act);
        const r = countRegionsSync(network, WHOLE);
        const what = `${d}-${n}-1 ${act}, ${dead} dead`;
        expect(piecesOf(r), what).toBe(2 * d + 1);
        expect(r.activationRegions, what).toBe(zaslavsky(n, d));
        expect(r.perLayer, what).toEqual([zaslavsky(n, d), zaslavsky(n, d)]);
        // (a unit whose output weight is 0 changes no output map: its hyperplane joins its sides)
        expect(r.linearRegions, what).toBe(zaslavsky(n - dead, d));
      }
    }
  });

  /**
   * Counts of `cases` seeds (each a network, a domain and a label) against the exact n-D reference,
   * with and without linear regions, half of them through the async API; the counts that went by
   * pieces (more than one piece).
   */
  async function againstReference(cases: number, draw: (seed: number) => { network: Network; domain: object; label: string }): Promise<number> {
    pieceTuning.minUnits = 0;
    let byPieces = 0;
    const failures: string[] = [];
    for (let seed = 1; seed <= cases && failures.length < 3; seed++) {
      const { network, domain, label } = draw(seed);
      const ref = referenceCountNd(network, domain as Parameters<typeof referenceCountNd>[1]);
      for (const linearRegions of [true, false]) {
        const dom = domain as Parameters<typeof countRegionsSync>[1];
        const got = seed % 2 ? countRegionsSync(network, dom, { linearRegions }) : await countRegions(network, dom, { linearRegions });
        if (piecesOf(got) > 1) byPieces++;
        const want = [ref.activationRegions, linearRegions ? ref.linearRegions : null, ref.perLayer];
        const have = [got.activationRegions, got.linearRegions, got.perLayer];
        if (JSON.stringify(want) !== JSON.stringify(have)) {
          failures.push(`${label} (${JSON.stringify(domain)}, linearRegions ${linearRegions}, pieces ${piecesOf(got)})\n` +
            `network: ${JSON.stringify(network)}\nreference: ${JSON.stringify(want)}\ncore:      ${JSON.stringify(have)}`);
        }
      }
    }
    expect(failures.join('\n\n'), failures.join('\n\n')).toBe('');
    return byPieces;
  }

  it('agrees with the exact n-D reference on 160 seeded random networks (Gaussian, integer, dyadic; degenerate rows)', async () => {
    const byPieces = await againstReference(160, (seed) => {
      const c = randomVertexCaseNd(seed, { min: 2, max: 4, salt: 29 });
      delete c.network.domain;
      return { network: c.network, domain: WHOLE, label: c.description };
    });
    // (integer networks with linear regions go to the homogeneous chart, and so does a count with a
    // unit's hyperplane on a shared side: most counts must still have gone by pieces)
    expect(byPieces).toBeGreaterThan(160);
  }, 120_000);

  it('polytopes by pieces (2 to 4 inputs): the exact n-D reference on 180 seeded random networks and polytopes (random, simplices, cross-polytopes, unbounded ones)', async () => {
    const byPieces = await againstReference(180, (seed) => {
      const c = randomVertexCaseNd(seed, { min: 2, max: 4, salt: 31 });
      delete c.network.domain;
      const rng = new Rng(seed * 31 + 7);
      const kind = rng.pick(['polytope', 'polytope', 'simplex', 'cross'] as const);
      const domain = randomDomainNd(rng, kind, c.network.inputDim, rng.pick(['gaussian', 'integer'] as const));
      return { network: c.network, domain, label: `${c.description}, ${kind}` };
    });
    expect(byPieces).toBeGreaterThan(180);
  }, 120_000);

  // Plane polygons whose rows meet the pieces' corners and sides: through box corners, on box sides,
  // repeated, on the outer pieces' shared diagonal x0 = x1, inside one outer piece, thin, unbounded
  // (the polygon engine clips each piece's box by the rows, by their exact signs at its vertices)
  const planePolytopes: [string, { A: number[][]; b: number[] }][] = [
    ['a triangle through two corners of the box', { A: [[-1, 0], [0, -1], [1, 1]], b: [1, 1, 0] }],
    ['the box itself, as rows', { A: [[1, 0], [-1, 0], [0, 1], [0, -1]], b: [1, 1, 1, 1] }],
    ['a repeated row and a row touching the corner (1, 1)', { A: [[1, 1], [1, 1], [-1, 0], [0, -1], [2, 2]], b: [2, 2, 3, 3, 4] }],
    ['the half-plane x0 <= x1 (on the diagonal the outer pieces share)', { A: [[1, -1]], b: [0] }],
    ['a rectangle inside one outer piece', { A: [[1, 0], [-1, 0], [0, 1], [0, -1]], b: [12, -10, 1, 1] }],
    ['a thin strip', { A: [[1, 0], [-1, 0]], b: [0.001, 0.001] }],
    ['a cone x0 >= |x1|, its apex at the origin', { A: [[-1, 1], [-1, -1]], b: [0, 0] }],
    ['a quadrant whose corner is a corner of the box', { A: [[-1, 0], [0, -1]], b: [-1, -1] }],
  ];

  it('plane polytopes meeting the pieces\' corners and sides: the exact reference on small networks, the homogeneous chart on larger ones', () => {
    for (const [name, domain] of planePolytopes) {
      for (let seed = 1; seed <= 6; seed++) {
        pieceTuning.minUnits = 0;
        const small = gaussianNet([2, 5, 4, 1], 40 + seed);
        const ref = referenceCountNd(small, domain);
        for (const linearRegions of [true, false]) {
          const got = countRegionsSync(small, domain, { linearRegions });
          expect(piecesOf(got), name).toBe(5);
          expect([got.activationRegions, got.linearRegions, got.perLayer], `${name}, seed ${seed}, linear ${linearRegions}`)
            .toEqual([ref.activationRegions, linearRegions ? ref.linearRegions : null, ref.perLayer]);
        }
      }
      pieceTuning.minUnits = 20;
      const large = gaussianNet([2, 24, 24, 1], 50);
      const chart = countRegionsSync(large, domain, { maxRegions: 1e12 });
      const got = countRegionsSync(large, domain);
      expect([piecesOf(chart), piecesOf(got)], name).toEqual([1, 5]);
      expect([got.activationRegions, got.linearRegions, got.perLayer], name).toEqual([chart.activationRegions, chart.linearRegions, chart.perLayer]);
    }
    // (rows x0 <= 0 and x0 >= 0: no interior in any piece, as in the chart)
    expect(() => countRegionsSync(gaussianNet([2, 24, 24, 1], 50), { A: [[1, 0], [-1, 0]], b: [0, 0] })).toThrow(/empty interior/);
  });

  it('5 inputs by pieces (H-cell boxes): the same counts as the homogeneous chart, linear regions with joins included, from 3 sign layers; 6 inputs in the chart on any number of threads', async () => {
    pieceTuning.minUnits = 0;
    builtTuning.minUnits = 0;
    const simplex = (n: number) => ({
      A: [...Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? -1 : 0))), new Array<number>(n).fill(1)],
      b: [...new Array<number>(n).fill(1), 2],
    });
    const cases: [number[], object][] = [
      [[5, 4, 4, 4, 1], WHOLE], [[5, 3, 5, 4, 1], WHOLE], [[5, 5, 5, 5, 1], simplex(5)],
    ];
    for (const [widths, domain] of cases) {
      const network = gaussianNet(widths, 7);
      const name = `${widths.join('-')} ${JSON.stringify(domain).slice(0, 20)}`;
      const dom = domain as Parameters<typeof countRegionsSync>[1];
      const chart = countRegionsSync(network, dom, { maxRegions: 1e12 });
      expect(piecesOf(chart), name).toBe(1);
      // (the built library, whose workers may take pieces)
      const got = await countRegionsBuilt(network, dom, { threads: 2 });
      expect(piecesOf(got), name).toBe(11);
      expect([got.activationRegions, got.linearRegions, got.perLayer], name).toEqual([chart.activationRegions, chart.linearRegions, chart.perLayer]);
      const one = countRegionsSync(network, dom);
      expect(piecesOf(one), name).toBe(11);
      expect([one.activationRegions, one.linearRegions, one.perLayer], name).toEqual([chart.activationRegions, chart.linearRegions, chart.perLayer]);
    }
    // (two sign layers in 5-D stay in the chart, where they are as fast; so do 6 inputs, whose
    // chart count goes parallel on its own and beat the pieces on two threads)
    expect(piecesOf(countRegionsSync(gaussianNet([5, 4, 4, 1], 7), WHOLE))).toBe(1);
    for (const threads of [1, 2]) {
      expect(piecesOf(await countRegionsBuilt(gaussianNet([6, 4, 4, 4, 1], 7), WHOLE, { threads }))).toBe(1);
      expect(piecesOf(await countRegionsBuilt(gaussianNet([6, 4, 4, 4, 1], 7), simplex(6), { threads }))).toBe(1);
    }
  }, 60_000);

  it('agrees with the homogeneous chart on larger networks (He-normal, leaky, abs, 3 and 4 layers)', () => {
    const cases: [string, Network][] = [
      ['3-16-16-1', gaussianNet([3, 16, 16, 1], 5)],
      ['4-10-10-1', gaussianNet([4, 10, 10, 1], 6)],
      ['3-8-8-8-1', gaussianNet([3, 8, 8, 8, 1], 7)],
      ['3-12-12-2 leaky', { ...gaussianNet([3, 12, 12, 2], 8), layers: gaussianNet([3, 12, 12, 2], 8).layers.map((l, i) => (i < 2 ? { ...l, activation: 'leaky_relu' as const, alpha: 0.1 } : l)) }],
      ['4-12-12-1 abs', { ...gaussianNet([4, 12, 12, 1], 9), layers: gaussianNet([4, 12, 12, 1], 9).layers.map((l, i) => (i < 2 ? { ...l, activation: 'abs' as const } : l)) }],
      ['2-32-32-1', gaussianNet([2, 32, 32, 1], 10)],
      ['2-16-16-16-2', gaussianNet([2, 16, 16, 16, 2], 11)],
      // (a linear hidden layer, and a ReLU last layer: the extra unit rides through both)
      ['3-12(linear)-16-8(relu)', { ...gaussianNet([3, 12, 16, 8], 12), layers: gaussianNet([3, 12, 16, 8], 12).layers.map((l, i) => (i === 0 ? { ...l, activation: 'linear' as const } : i === 2 ? { ...l, activation: 'relu' as const } : l)) }],
    ];
    for (const [name, network] of cases) {
      // (maxRegions: a count that may stop early is not made by pieces; this bound is never met)
      const chart = countRegionsSync(network, WHOLE, { maxRegions: 1e12 });
      const got = countRegionsSync(network, WHOLE);
      expect(piecesOf(chart), name).toBe(1);
      expect(piecesOf(got), name).toBe(2 * network.inputDim + 1);
      expect([got.activationRegions, got.linearRegions, got.perLayer], name).toEqual([chart.activationRegions, chart.linearRegions, chart.perLayer]);
    }
  });

  // n Gaussian units and two more: x0 - 1 (the box's side x0 = 1) and x0 - x1 (the outer pieces'
  // shared side x0 = x1), both with output weight 0, so their hyperplanes join the regions on their
  // two sides; the count must see those joins (it gives up on pieces for the homogeneous chart when
  // a unit's hyperplane lies on a shared side). In R^3 the H-cell engine's exact check finds them,
  // in R^2 the polygon engine's exact signs (the polygon engine counts the plane's pieces).
  for (const [d, n, seed] of [[3, 22, 77], [2, 30, 78]] as const) {
    it(`a unit whose hyperplane lies on a side shared by two pieces (x0 = 1, x0 = x1) and joins nothing, in R^${d}: the join across it is not missed`, () => {
      const base = oneLayer(d, n, 0, seed);
      const e = (k: number) => Array.from({ length: d }, (_, j) => (j === k ? 1 : 0));
      const W = [...base.layers[0]!.weights, e(0), e(0).map((x, j) => x - e(1)[j]!)];
      const b = [...base.layers[0]!.bias, -1, 0];
      const out = [...base.layers[1]!.weights[0]!, 0, 0];
      const network = net(d, [layer(W, b, 'relu'), layer([out], [0.1], 'linear')]);
      const r = countRegionsSync(network, WHOLE);
      expect(r.activationRegions).toBe(zaslavsky(n + 2, d));
      expect(r.linearRegions).toBe(zaslavsky(n, d));
      expect(piecesOf(r)).toBe(1); // (the pieces found the hyperplanes on their sides and gave up)
      // activation regions alone are exact by pieces whatever the signs (copies are found by pattern)
      const a = countRegionsSync(network, WHOLE, { linearRegions: false });
      expect(piecesOf(a)).toBe(2 * d + 1);
      expect(a.activationRegions).toBe(zaslavsky(n + 2, d));
    });
  }

  it('with threads, workers count pieces beside the calling thread: the same counts; a stop still counts each region once', { timeout: 60_000 }, async () => {
    const network = gaussianNet([4, 16, 16, 1], 3);
    const one = await countRegionsBuilt(network, WHOLE, { threads: 1 });
    expect(piecesOf(one)).toBe(9);
    expect((one as unknown as { stats: { piecesOnWorkers: number } }).stats.piecesOnWorkers).toBe(0);
    for (let i = 0; i < 3; i++) {
      const two = await countRegionsBuilt(network, WHOLE, { threads: 2 });
      expect([two.activationRegions, two.linearRegions, two.perLayer]).toEqual([one.activationRegions, one.linearRegions, one.perLayer]);
      expect(piecesOf(two)).toBe(9);
      expect((two as unknown as { stats: { piecesOnWorkers: number } }).stats.piecesOnWorkers).toBeGreaterThan(0);
    }
    const activation = await countRegionsBuilt(network, WHOLE, { threads: 2, linearRegions: false });
    expect([activation.activationRegions, activation.perLayer]).toEqual([one.activationRegions, one.perLayer]);
    // a simplex (x_k >= -0.75, sum <= 1.5) that reaches past the box on the positive sides: the
    // outer pieces (k, -1) hold none of it (empty, skipped), the others part of it; the same counts
    // with workers as without, and as the homogeneous chart's
    const inside = { A: [[1, 1, 1, 1], [-1, 0, 0, 0], [0, -1, 0, 0], [0, 0, -1, 0], [0, 0, 0, -1]], b: [1.5, 0.75, 0.75, 0.75, 0.75] };
    const poly1 = await countRegionsBuilt(network, inside, { threads: 1 });
    const poly2 = await countRegionsBuilt(network, inside, { threads: 2 });
    expect(piecesOf(poly1)).toBe(9);
    expect([poly2.activationRegions, poly2.linearRegions, poly2.perLayer]).toEqual([poly1.activationRegions, poly1.linearRegions, poly1.perLayer]);
    const chart = await countRegionsBuilt(network, inside, { maxRegions: 1e12 });
    expect([poly1.activationRegions, poly1.linearRegions, poly1.perLayer]).toEqual([chart.activationRegions, chart.linearRegions, chart.perLayer]);
    // a plane triangle (the polygon engine clips its pieces' boxes; 2-64-64-64-1 runs long enough
    // for a worker to take pieces): the same counts with workers as without, and as the chart's
    const plane = gaussianNet([2, 64, 64, 64, 1], 4);
    const triangle = { A: [[-1, 0], [0, -1], [1, 1]], b: [2, 2, 2] };
    const tri1 = await countRegionsBuilt(plane, triangle, { threads: 1 });
    const tri2 = await countRegionsBuilt(plane, triangle, { threads: 2 });
    const triChart = await countRegionsBuilt(plane, triangle, { maxRegions: 1e12 });
    expect([piecesOf(tri1), piecesOf(tri2), piecesOf(triChart)]).toEqual([5, 5, 1]);
    expect([tri2.activationRegions, tri2.linearRegions, tri2.perLayer]).toEqual([tri1.activationRegions, tri1.linearRegions, tri1.perLayer]);
    expect([tri1.activationRegions, tri1.linearRegions, tri1.perLayer]).toEqual([triChart.activationRegions, triChart.linearRegions, triChart.perLayer]);
    for (const ms of [25, 40, 60, 80]) {
      const r = await countRegionsBuilt(network, WHOLE, { threads: 2, signal: AbortSignal.timeout(ms) });
      if (!r.partial) break;
      expect(r.activationRegions, `stopped at ${ms} ms`).toBeLessThanOrEqual(one.activationRegions);
      r.perLayer.forEach((n, l) => expect(n, `stopped at ${ms} ms, layer ${l + 1}`).toBeLessThanOrEqual(one.perLayer[l]!));
    }
  });

  it('the tally\'s NumberMap holds what a Map holds: 52-bit keys, keys equal in their low 32 bits, growth', () => {
    const rng = new Rng(31);
    const mine = new NumberMap();
    const ref = new Map<number, number>();
    for (let i = 0; i < 20_000; i++) {
      // (half the keys share their low 32 bits with others: the hash mixes the high half too)
      const hi = rng.int(0, 2 ** 20 - 1);
      const key = i % 2 === 0 ? hi * 2 ** 32 + rng.int(0, 2 ** 31 - 1) : hi * 2 ** 32 + 12345;
      const value = rng.int(0, 2 ** 40);
      if (i % 1000 === 0) mine.reserve(rng.int(0, 5000));
      mine.set(key, value);
      ref.set(key, value);
      const probe = rng.int(0, 2 ** 20 - 1) * 2 ** 32 + 12345;
      expect(mine.get(probe)).toBe(ref.get(probe) ?? -1);
    }
    for (const [key, value] of ref) expect(mine.get(key)).toBe(value);
    expect(mine.get(2 ** 52 - 1)).toBe(ref.get(2 ** 52 - 1) ?? -1);
  });

  it('an outer piece computes t N(x) exactly: the homogenization identity at dyadic points', () => {
    // integer weights, dyadic points: every value below is exact in float64
    const rng = new Rng(5);
    const int = (lo: number, hi: number) => rng.int(lo, hi);
    const layers = [
      layer(Array.from({ length: 5 }, () => [int(-3, 3), int(-3, 3), int(-3, 3)]), Array.from({ length: 5 }, () => int(-4, 4)), 'relu'),
      layer(Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => int(-2, 2))), Array.from({ length: 4 }, () => int(-3, 3)), 'leaky_relu', { alpha: 0.5 }),
      layer([[int(-2, 2), int(-2, 2), int(-2, 2), int(-2, 2)]], [int(-2, 2)], 'linear'),
    ];
    const network = net(3, layers);
    const forward = (n: Network, x: number[]): number[] => {
      let z = x;
      for (const l of n.layers) {
        const pre = l.weights.map((row, u) => row.reduce((s, w, j) => s + w * z[j]!, l.bias[u]!));
        z = pre.map((v) => (l.activation === 'relu' ? Math.max(0, v) : l.activation === 'leaky_relu' ? (v > 0 ? v : (l.alpha ?? 0.01) * v) : v));
      }
      return z;
    };
    for (let i = 0; i < 3; i++) {
      for (const s of [1, -1]) {
        const outer = outerNetwork(network, i, s);
        for (let k = 0; k < 20; k++) {
          const y = [int(-8, 8) / 8, int(-8, 8) / 8];
          const t = 2 ** -int(0, 3); // (x = y / t stays dyadic)
          const full = [...y];
          full.splice(i, 0, s);
          const x = full.map((v) => v / t);
          expect(forward(outer, [...y, t]), `piece (${i}, ${s}) at y ${y}, t ${t}`).toEqual(forward(network, x).map((v) => v * t));
        }
      }
    }
    // the pieces: the box and the 2 n outer boxes
    expect(pieces(network).map((p) => p.domain)).toEqual([
      { bounds: [[-1, 1], [-1, 1], [-1, 1]] },
      ...Array.from({ length: 6 }, () => ({ bounds: [[-1, 1], [-1, 1], [0, 1]] })),
    ]);
  });

  it('a stopped count reports the regions found, each once; progress never counts more than the whole', { timeout: 60_000 }, async () => {
    const network = gaussianNet([3, 16, 16, 16, 1], 42);
    const full = await countRegions(network, WHOLE);
    expect(piecesOf(full)).toBe(7);
    const seen: number[] = [];
    const controller = new AbortController();
    const stopped = await countRegions(network, WHOLE, {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.activationRegions);
        if (p.activationRegions > full.activationRegions / 2) controller.abort();
      },
    });
    expect(stopped.partial).toBe(true);
    expect(stopped.stopReason).toBe('aborted');
    expect(stopped.linearRegions).toBeNull();
    expect(stopped.activationRegions).toBeGreaterThan(0);
    expect(stopped.activationRegions).toBeLessThanOrEqual(full.activationRegions);
    stopped.perLayer.forEach((n, l) => expect(n, `layer ${l + 1}`).toBeLessThanOrEqual(full.perLayer[l]!));
    for (const n of seen) expect(n).toBeLessThanOrEqual(full.activationRegions);
    // a 4-D count stopped later and later, in the box and in the outer pieces: lower bounds each time
    const net4 = gaussianNet([4, 16, 16, 1], 42);
    const whole4 = await countRegions(net4, WHOLE);
    const box4 = countRegionsSync(net4, { bounds: [[-1, 1], [-1, 1], [-1, 1], [-1, 1]] });
    let outer = 0;
    for (let ms = 5; ms < 2000; ms += 15) {
      const r = await countRegions(net4, WHOLE, { signal: AbortSignal.timeout(ms) });
      if (!r.partial) break;
      expect(r.activationRegions, `stopped at ${ms} ms`).toBeLessThanOrEqual(whole4.activationRegions);
      r.perLayer.forEach((n, l) => expect(n, `stopped at ${ms} ms, layer ${l + 1}`).toBeLessThanOrEqual(whole4.perLayer[l]!));
      // (the box is the first piece: more regions than it holds were found in the outer pieces)
      if (r.activationRegions > box4.activationRegions) outer++;
    }
    expect(outer).toBeGreaterThan(0);
  });
});
