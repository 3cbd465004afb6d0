// Closed-form bounds (src/theory/bounds.ts) against the papers' worked values and hand computations,
// plus ordering and monotonicity properties over seeded random architectures.
// Every expected number below is worked out by hand in the comment next to it, never taken from
// the code's own output.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  binomial,
  boundsToJson,
  computeBounds,
  haninRolnick2019,
  montufar2014,
  montufar2014Maxout,
  montufar2017,
  naiveBound,
  pascanu2013,
  serra2018,
  serra2018Lower,
  serra2018Maxout,
  sumBinomials,
  zaslavsky,
  zhang2018,
} from '../src/theory/bounds.js';
import { LinearRegionsError } from '../src/errors.js';
import { createRng } from '../src/theory/constructions.js';

function expectArgsError(f: () => unknown, fragment: string): void {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(LinearRegionsError);
    expect((err as LinearRegionsError).code).toBe('E_ARGS');
    expect((err as Error).message).toContain(fragment);
    return;
  }
  throw new Error(`expected an E_ARGS error containing "${fragment}"`);
}

describe('worked values from the issue (Serra et al. 2018 and Montufar et al. 2014 examples)', () => {
  test('n0 = 2, widths [4, 4, 4]: serra2018 1331, montufar2014 176, pascanu2013 44', () => {
    expect(serra2018(2, [4, 4, 4])).toBe(1331n);
    expect(montufar2014(2, [4, 4, 4])).toBe(176n);
    expect(pascanu2013(2, [4, 4, 4])).toBe(44n);
  });
  test('n0 = 3, widths [4, 4, 4]: serra2018 1631', () => {
    expect(serra2018(3, [4, 4, 4])).toBe(1631n);
  });
  test('n0 = 2: serra2018 of [3, 5] is 82 and of [5, 3] is 112 (the bottleneck effect)', () => {
    expect(serra2018(2, [3, 5])).toBe(82n);
    expect(serra2018(2, [5, 3])).toBe(112n);
  });
});

describe('hand-checked small cases, one or more per bound', () => {
  test('binomial and S(n, d)', () => {
    expect(binomial(5, 2)).toBe(10n);
    expect(binomial(0, 0)).toBe(1n);
    expect(binomial(3, 5)).toBe(0n);
    expect(binomial(5, -1)).toBe(0n);
    expect(binomial(60, 30)).toBe(118264581564861424n); // C(60, 30), beyond 2^53
    expect(sumBinomials(5, 2)).toBe(16n); // 1 + 5 + 10
    expect(sumBinomials(3, 5)).toBe(8n); // d >= n: 2^3
    expect(sumBinomials(4, 0)).toBe(1n);
  });

  test('naive: 2^N for ReLU, k^N for rank-k maxout', () => {
    expect(naiveBound(2, [4, 4, 4])).toBe(4096n); // 2^12
    expect(naiveBound(2, [2, 1], 3)).toBe(27n); // 3^3
    expect(naiveBound(1, [1100])).toBe(2n ** 1100n); // far beyond float64
  });

  test('zaslavsky: one hidden layer only', () => {
    expect(zaslavsky(2, [5])).toBe(16n); // 1 + 5 + 10: the lines-5 example
    expect(zaslavsky(1, [7])).toBe(8n); // 7 points cut a line into 8
    expect(zaslavsky(3, [4])).toBe(15n); // 1 + 4 + 6 + 4
    expect(zaslavsky(5, [3])).toBe(8n); // n0 >= n: all 2^3 patterns
    expectArgsError(() => zaslavsky(2, [3, 3]), 'one hidden layer');
  });

  test('montufar2017: prod S(n_l, min(n0, n_1..n_l))', () => {
    // [3, 5], n0 = 2: d = 2, 2: S(3,2) = 7, S(5,2) = 16 -> 112
    expect(montufar2017(2, [3, 5])).toBe(112n);
    // [2, 5], n0 = 3: d_1 = 2, d_2 = 2: S(2,2) = 4, S(5,2) = 16 -> 64
    expect(montufar2017(3, [2, 5])).toBe(64n);
    // [4, 4, 4], n0 = 2: 11^3
    expect(montufar2017(2, [4, 4, 4])).toBe(1331n);
  });

  test('serra2018: the sum over J by hand', () => {
    // n0 = 3, [2, 5]: j1 <= 2, j2 <= min(3, 2 - j1, 5):
    //   j1 = 0: C(2,0) S(5,2) = 16; j1 = 1: C(2,1) S(5,1) = 2 * 6 = 12; j1 = 2: C(2,2) S(5,0) = 1 -> 29
    expect(serra2018(3, [2, 5])).toBe(29n);
    // n0 = 10, [5, 5]: j2 <= 5 - j1: sum_j1 C(5,j1) S(5, 5 - j1) = 32 + 5*31 + 10*26 + 10*16 + 5*6 + 1 = 638,
    // fewer than the 2^10 = 1024 of the shallow [10] (Serra et al.: large n0 favours shallow nets)
    expect(serra2018(10, [5, 5])).toBe(638n);
    expect(zaslavsky(10, [10])).toBe(1024n);
    // n0 = 1: the bound is prod (n_l + 1), attained for n_l >= 3 (Serra et al., Theorem 5)
    expect(serra2018(1, [3, 4, 5])).toBe(120n);
    // one layer: tight, equal to Zaslavsky
    expect(serra2018(2, [7])).toBe(29n); // 1 + 7 + 21
  });

  test('serra2018Lower: (prod (floor(n_l/n0) + 1)^n0) S(n_L, n0) for n_l >= 3 n0', () => {
    expect(serra2018Lower(2, [6, 6])).toBe(352n); // (3 + 1)^2 * (1 + 6 + 15)
    expect(serra2018Lower(1, [3, 3, 3])).toBe(64n); // 4 * 4 * 4, equal to serra2018 for n0 = 1
    expect(serra2018(1, [3, 3, 3])).toBe(64n);
    expectArgsError(() => serra2018Lower(2, [6, 5]), '>= 3 n0 = 6');
  });

  test('pascanu2013: (prod floor(n_i/n0)) S(n_L, n0)', () => {
    expect(pascanu2013(1, [3, 3, 3])).toBe(36n); // 3 * 3 * (1 + 3)
    expect(pascanu2013(2, [3, 5])).toBe(16n); // floor(3/2) = 1, S(5,2) = 16
    expect(pascanu2013(2, [6, 6, 6])).toBe(9n * 22n); // 3 * 3 * (1 + 6 + 15)
    expectArgsError(() => pascanu2013(2, [1, 4]), '>= n0 = 2');
  });

  test('montufar2014: (prod floor(n_i/n0)^n0) S(n_L, n0)', () => {
    expect(montufar2014(2, [6, 6, 4])).toBe(891n); // 3^2 * 3^2 * (1 + 4 + 6)
    expect(montufar2014(2, [4, 4, 3])).toBe(112n); // 2^2 * 2^2 * (1 + 3 + 3)
    expect(montufar2014(1, [3, 3, 3])).toBe(36n); // n0 = 1: same as pascanu2013
    expect(montufar2014(3, [7, 3])).toBe(8n * 8n); // floor(7/3)^3 = 8, S(3,3) = 8
    expectArgsError(() => montufar2014(2, [1, 5]), '>= n0 = 2');
  });

  test('zhang2018: prod S(n_l, n0) for n_l >= n0', () => {
    expect(zhang2018(2, [4, 4, 4])).toBe(1331n); // 11^3
    expect(zhang2018(3, [4, 5])).toBe(15n * 26n); // S(4,3) = 15, S(5,3) = 26
    expectArgsError(() => zhang2018(2, [1, 4]), '>= n0 = 2');
  });

  test('serra2018Maxout: prod S(k(k-1)/2 n_l, d_l)', () => {
    expect(serra2018Maxout(2, [4, 4], 3)).toBe(79n * 79n); // 3 * 4 = 12 hyperplanes a layer: 1 + 12 + 66 = 79
    expect(serra2018Maxout(1, [2], 3)).toBe(7n); // 6 points on a line
    expect(serra2018Maxout(2, [3, 5], 2)).toBe(montufar2017(2, [3, 5])); // k = 2: one hyperplane per unit
    expectArgsError(() => serra2018Maxout(2, [3], 1), 'rank');
  });

  test('montufar2014Maxout: k^(L-1) k^n0 for widths >= n0', () => {
    expect(montufar2014Maxout(2, [2, 2, 2], 3)).toBe(81n); // 3^2 * 3^2
    expect(montufar2014Maxout(1, [1], 4)).toBe(4n); // one rank-4 unit on a line: 4 pieces
    expectArgsError(() => montufar2014Maxout(2, [1], 3), '>= n0 = 2');
  });

  test('haninRolnick2019: vol (2 C_grad C_bias N)^n0 / n0! for N >= n0', () => {
    expect(haninRolnick2019(2, 12)).toBe(288); // (2 * 12)^2 / 2
    expect(haninRolnick2019(1, 5, { cGrad: 0.5, cBias: 1, volume: 2 })).toBe(10); // 2 * (1 * 5)
    expect(haninRolnick2019(3, 10, { volume: 6 })).toBeCloseTo(8000, 9); // 6 * 20^3 / 6
    expectArgsError(() => haninRolnick2019(3, 2), 'N >= n0');
    expectArgsError(() => haninRolnick2019(2, 4, { cGrad: -1 }), 'cGrad');
  });

  test('invalid architectures are E_ARGS', () => {
    expectArgsError(() => serra2018(0, [3]), 'input dimension');
    expectArgsError(() => serra2018(2, []), 'at least one hidden layer');
    expectArgsError(() => montufar2017(2, [3, 0]), 'layer 2');
    expectArgsError(() => naiveBound(2, [2.5]), 'layer 1');
  });
});

/** Serra's sum by brute-force enumeration of J (an independent reference for small cases). */
function serraByEnumeration(n0: number, widths: number[]): bigint {
  let total = 0n;
  const walk = (l: number, budget: number, product: bigint): void => {
    if (l === widths.length) {
      total += product;
      return;
    }
    const n = widths[l]!;
    for (let j = 0; j <= Math.min(budget, n); j++) walk(l + 1, Math.min(budget, n - j), product * binomial(n, j));
  };
  walk(0, n0, 1n);
  return total;
}

describe('properties over seeded random architectures', () => {
  const rng = createRng(20250101);
  const archs: { seed: number; n0: number; widths: number[] }[] = [];
  for (let seed = 0; seed < 300; seed++) {
    const n0 = 1 + Math.floor(rng.uniform() * 5);
    const depth = 1 + Math.floor(rng.uniform() * 4);
    const widths = Array.from({ length: depth }, () => 1 + Math.floor(rng.uniform() * 9));
    archs.push({ seed, n0, widths });
  }
  const label = (a: { seed: number; n0: number; widths: number[] }) => `case ${a.seed}: n0 = ${a.n0}, widths [${a.widths}] (rng seed 20250101)`;

  test('serra2018 equals brute-force enumeration of J', () => {
    for (const a of archs) expect(serra2018(a.n0, a.widths), label(a)).toBe(serraByEnumeration(a.n0, a.widths));
  });

  test('every lower bound <= serra2018 <= montufar2017 <= naive, where valid', () => {
    for (const a of archs) {
      const r = computeBounds(a.n0, a.widths);
      const b = r.bounds;
      expect(b.serra2018! <= b.montufar2017!, label(a)).toBe(true);
      expect(b.montufar2017! <= b.naive!, label(a)).toBe(true);
      for (const lower of ['pascanu2013', 'montufar2014', 'serra2018Lower'] as const) {
        if (b[lower] !== undefined) expect(b[lower]! <= b.serra2018!, `${lower}, ${label(a)}`).toBe(true);
      }
      if (b.pascanu2013 !== undefined) expect(b.pascanu2013 <= b.montufar2014!, label(a)).toBe(true);
      if (b.serra2018Lower !== undefined) expect(b.montufar2014! <= b.serra2018Lower, label(a)).toBe(true);
      if (b.zhang2018 !== undefined) expect(b.zhang2018, label(a)).toBe(b.montufar2017); // same under n_l >= n0
      if (a.widths.length === 1) expect(b.zaslavsky, label(a)).toBe(b.serra2018); // tight for one layer
      // validity conditions decide what is reported
      expect(b.montufar2014 !== undefined, label(a)).toBe(a.widths.every((n) => n >= a.n0));
      expect(b.serra2018Lower !== undefined, label(a)).toBe(a.widths.every((n) => n >= 3 * a.n0));
      expect(b.zaslavsky !== undefined, label(a)).toBe(a.widths.length === 1);
    }
  });

  test('monotone: one more neuron in any layer, or one more layer, never lowers an upper bound', () => {
    for (const a of archs) {
      for (let l = 0; l < a.widths.length; l++) {
        const wider = a.widths.map((n, i) => (i === l ? n + 1 : n));
        expect(serra2018(a.n0, wider) >= serra2018(a.n0, a.widths), `layer ${l + 1}, ${label(a)}`).toBe(true);
        expect(montufar2017(a.n0, wider) >= montufar2017(a.n0, a.widths), `layer ${l + 1}, ${label(a)}`).toBe(true);
      }
      const deeper = [...a.widths, 3];
      expect(serra2018(a.n0, deeper) >= serra2018(a.n0, a.widths), label(a)).toBe(true);
      expect(montufar2017(a.n0, deeper) >= montufar2017(a.n0, a.widths), label(a)).toBe(true);
    }
  });

  test('maxout: lower <= serra2018Maxout, and k = 2 reduces to the ReLU bound', () => {
    for (const a of archs) {
      expect(serra2018Maxout(a.n0, a.widths, 2), label(a)).toBe(montufar2017(a.n0, a.widths));
      const r = computeBounds(a.n0, a.widths, { maxout: 3 });
      if (r.bounds.montufar2014Maxout !== undefined) expect(r.bounds.montufar2014Maxout <= r.bounds.serra2018Maxout!, label(a)).toBe(true);
    }
  });
});

describe('computeBounds and boundsToJson', () => {
  test('reports the valid bounds and why the others are left out', () => {
    const r = computeBounds(2, [4, 4, 4]);
    expect(boundsToJson(r)).toEqual({
      naive: '4096',
      montufar2017: '1331',
      serra2018: '1331',
      zhang2018: '1331',
      pascanu2013: '44',
      montufar2014: '176',
      haninRolnick2019: '288',
    });
    expect(r.omitted.zaslavsky).toContain('one hidden layer');
    expect(r.omitted.serra2018Lower).toContain('3 n0');
    expect(r.omitted.serra2018Maxout).toContain('maxout');
  });

  test('maxout reports only the maxout bounds', () => {
    const r = computeBounds(2, [4, 4], { maxout: 3 });
    expect(boundsToJson(r)).toEqual({ naive: '6561', serra2018Maxout: '6241', montufar2014Maxout: '27' }); // 3^8, 79^2, 3^3
    expect(r.omitted.serra2018).toContain('maxout');
    expect(r.omitted.haninRolnick2019).toContain('ReLU');
  });

  test('large architectures stay exact (BigInt)', () => {
    const r = computeBounds(20, [100, 100, 100]);
    expect(r.bounds.naive).toBe(2n ** 300n);
    expect(r.bounds.serra2018! <= r.bounds.montufar2017!).toBe(true);
    expect(r.bounds.serra2018! > 2n ** 53n).toBe(true);
    expect(r.bounds.montufar2017).toBe(sumBinomials(100, 20) ** 3n);
  });
});

describe('CLI: linear-regions bounds', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const cli = join(root, 'dist', 'cli', 'main.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

  test('--json prints one object mapping each name to a decimal string', () => {
    const r = run('bounds', '--input', '3', '--widths', '4,4,4', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    expect(out.serra2018).toBe('1631');
    expect(out.montufar2017).toBe('3375'); // 15^3
    expect(out.naive).toBe('4096');
    for (const v of Object.values(out)) expect(typeof v).toBe('string');
  });

  test('table output names the omitted bounds and why; bad arguments exit 2', () => {
    const r = run('bounds', '--input', '2', '--widths', '3,5');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/serra2018\s+upper\s+82\s/);
    expect(r.stdout).toMatch(/omitted:[\s\S]*zaslavsky: .*one hidden layer/);
    const m = run('bounds', '--input', '2', '--widths', '4,4', '--maxout', '3', '--json');
    expect(JSON.parse(m.stdout)).toEqual({ naive: '6561', serra2018Maxout: '6241', montufar2014Maxout: '27' });
    for (const args of [['--input', '2'], ['--input', '0', '--widths', '3'], ['--input', '2', '--widths', '3,x'], ['--input', '2', '--widths', '3', '--maxout', '1']]) {
      const bad = run('bounds', ...args);
      expect(bad.status, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/^linear-regions: .*\[E_ARGS\]\n$/);
    }
    expect(run('bounds', '--help').stdout).toContain('--widths');
  });
});
