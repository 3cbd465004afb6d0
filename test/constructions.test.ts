// The papers' constructions (src/theory/constructions.ts) counted by the exact engine. Expected counts are
// the papers' numbers (2^L, 2^d, Montufar et al.'s bound worked out by hand), never the code's own
// output. Random networks are checked against Serra et al.'s upper bound.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { montufar2014, serra2018 } from '../src/theory/bounds.js';
import { createRng, milkert, montufarFolding, randomNetwork, sawtooth } from '../src/theory/constructions.js';
import { LinearRegionsError } from '../src/errors.js';
import { countRegionsSync } from '../src/index.node.js';
import { validateNetwork } from '../src/network/validate.js';

function expectError(f: () => unknown, code: string, fragment: string): void {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(LinearRegionsError);
    expect((err as LinearRegionsError).code).toBe(code);
    expect((err as Error).message).toContain(fragment);
    return;
  }
  throw new Error(`expected ${code} containing "${fragment}"`);
}

describe("Telgarsky's sawtooth: exactly 2^L linear regions on [0, 1]", () => {
  test('L = 1..12, doubling per layer', () => {
    for (let L = 1; L <= 12; L++) {
      const net = sawtooth(L);
      expect(net.domain).toEqual({ bounds: [[0, 1]] });
      const r = countRegionsSync(net);
      expect(r.activationRegions, `L = ${L}`).toBe(2 ** L);
      expect(r.linearRegions, `L = ${L}`).toBe(2 ** L);
      expect(r.perLayer, `L = ${L}`).toEqual([...Array.from({ length: L }, (_, i) => 2 ** (i + 1)), 2 ** L]);
    }
  });

  test('matches the bundled example sawtooth-4 (same weights)', async () => {
    const { readFileSync } = await import('node:fs');
    const example = JSON.parse(readFileSync(new URL('../examples/sawtooth-4.json', import.meta.url), 'utf8')) as { layers: unknown };
    expect(sawtooth(4).layers).toEqual(example.layers);
  });
});

describe('Milkert, Hyde, Laine: exactly 2^d activation and linear regions for any peaks', () => {
  test('seeded peaks, depth 1..14', () => {
    for (let d = 1; d <= 14; d++) {
      const seed = 100 + d;
      const r = countRegionsSync(milkert(d, { seed }));
      expect(r.activationRegions, `depth ${d}, seed ${seed}`).toBe(2 ** d);
      expect(r.linearRegions, `depth ${d}, seed ${seed}`).toBe(2 ** d);
    }
  });

  test('peaks anywhere in (0, 1), including close to 0 and 1', () => {
    const rng = createRng(424242);
    for (let trial = 0; trial < 20; trial++) {
      const peaks = Array.from({ length: 7 }, () => 0.001 + 0.998 * rng.uniform());
      const r = countRegionsSync(milkert(7, { peaks }));
      expect(r.activationRegions, `peaks ${peaks} (createRng(424242), trial ${trial})`).toBe(128);
      expect(r.linearRegions, `peaks ${peaks} (createRng(424242), trial ${trial})`).toBe(128);
    }
    const extreme = [0.01, 0.99, 0.5, 0.02, 0.97];
    const r = countRegionsSync(milkert(5, { peaks: extreme }));
    expect(r.activationRegions).toBe(32);
    expect(r.linearRegions).toBe(32);
    expect(r.perLayer).toEqual([2, 4, 8, 16, 32, 32]); // each layer doubles
  });

  test('width 4 on every hidden layer, domain [0, 1], valid JSON', () => {
    const net = milkert(6, { seed: 3 });
    expect(net.layers.slice(0, -1).every((l) => l.weights.length === 4)).toBe(true);
    expect(net.domain).toEqual({ bounds: [[0, 1]] });
    expect(validateNetwork(JSON.parse(JSON.stringify(net))).layers).toHaveLength(7);
    expect(milkert(6, { seed: 3 })).toEqual(net); // seeded: reproducible
    expect(milkert(6, { seed: 4 })).not.toEqual(net);
  });

  test('bad peaks and depths are E_ARGS', () => {
    expectError(() => milkert(2, { peaks: [0.5, 1] }), 'E_ARGS', 'open interval (0, 1)');
    expectError(() => milkert(2, { peaks: [0.5, 0] }), 'E_ARGS', 'open interval (0, 1)');
    expectError(() => milkert(3, { peaks: [0.5, 0.5] }), 'E_ARGS', '2 peaks given for depth 3');
    expectError(() => milkert(0), 'E_ARGS', 'depth');
  });
});

describe('Montufar et al. 2014 folding: exactly their lower bound', () => {
  // Expected: (prod floor(n_i/n0)^n0) * sum_{j<=n0} C(n_L, j), worked out by hand.
  const cases: [number, number[], number][] = [
    [2, [4, 4, 3], 2 ** 2 * 2 ** 2 * (1 + 3 + 3)], // 112
    [2, [6, 6, 4], 3 ** 2 * 3 ** 2 * (1 + 4 + 6)], // 891
    [2, [4, 4, 4], 2 ** 2 * 2 ** 2 * (1 + 4 + 6)], // 176, the worked value
    [2, [5, 3], 2 ** 2 * (1 + 3 + 3)], // 28: one leftover unit in layer 1
    [2, [7], 1 + 7 + 21], // one layer: Zaslavsky's count, 29
    [1, [3, 3, 3], 3 * 3 * (1 + 3)], // 36
    [1, [4, 5], 4 * (1 + 5)], // 24
  ];
  test.each(cases)('n0 = %i, widths %j: %i regions', (n0, widths, expected) => {
    expect(montufar2014(n0, widths)).toBe(BigInt(expected)); // the bound function agrees with the hand value
    const net = montufarFolding(n0, widths);
    expect(net.domain).toEqual({ bounds: Array.from({ length: n0 }, () => [0, 1]) });
    const r = countRegionsSync(net);
    expect(r.activationRegions).toBe(expected);
    // n_L > n0: no all-off region, so neighbouring boxes never share an output map
    expect(r.linearRegions).toBe(expected);
    expect(BigInt(r.activationRegions) <= serra2018(n0, widths)).toBe(true);
  });

  test('when n_L <= n0 the activation count still equals the bound', () => {
    const r = countRegionsSync(montufarFolding(1, [2, 2, 1]));
    expect(r.activationRegions).toBe(2 * 2 * 2); // 8
    expect(r.linearRegions).toBeLessThanOrEqual(8);
  });

  test('needs folding widths >= n0', () => {
    expectError(() => montufarFolding(2, [1, 3]), 'E_ARGS', 'width >= n0 = 2');
    expectError(() => montufarFolding(2, []), 'E_ARGS', 'at least one hidden layer');
  });
});

describe('random networks never exceed serra2018', () => {
  test('He, Glorot and uniform, 1-D and 2-D, on [-1, 1]^n0 and on a large box', () => {
    const archs: [number, number[]][] = [
      [1, [5]],
      [1, [4, 4, 4]],
      [1, [3, 6, 2]],
      [2, [6]],
      [2, [3, 5]],
      [2, [5, 3]],
      [2, [4, 4, 4]],
      [2, [6, 6]],
      [2, [8, 3, 8]],
    ];
    for (const [n0, widths] of archs) {
      const bound = serra2018(n0, widths);
      for (const init of ['he', 'glorot', 'uniform'] as const) {
        for (let seed = 1; seed <= 4; seed++) {
          const net = randomNetwork(n0, widths, { init, seed });
          for (const box of [1, 100]) {
            const domain = { bounds: Array.from({ length: n0 }, (): [number, number] => [-box, box]) };
            const r = countRegionsSync(net, domain);
            const what = `n0 = ${n0}, widths [${widths}], init ${init}, seed ${seed}, box ${box}`;
            expect(BigInt(r.activationRegions) <= bound, `${what}: ${r.activationRegions} > serra2018 ${bound}`).toBe(true);
            expect(r.linearRegions, what).toBeLessThanOrEqual(r.activationRegions);
          }
        }
      }
    }
  });

  test('one random layer on a large box reaches Zaslavsky (general position)', () => {
    // n hyperplanes in general position with every crossing inside [-1e6, 1e6]^2: 1 + n + C(n, 2).
    for (let seed = 1; seed <= 5; seed++) {
      const r = countRegionsSync(randomNetwork(2, [6], { seed }), { bounds: [[-1e6, 1e6], [-1e6, 1e6]] });
      expect(r.activationRegions, `seed ${seed}`).toBe(1 + 6 + 15);
    }
  });

  test('seeded and reproducible; options are checked', () => {
    const a = randomNetwork(2, [3, 3], { seed: 9, init: 'glorot' });
    expect(randomNetwork(2, [3, 3], { seed: 9, init: 'glorot' })).toEqual(a);
    expect(randomNetwork(2, [3, 3], { seed: 10, init: 'glorot' })).not.toEqual(a);
    expect(a.layers.map((l) => l.weights.length)).toEqual([3, 3, 1]);
    expect(a.layers.map((l) => l.activation)).toEqual(['relu', 'relu', 'linear']);
    // Glorot: |w| <= sqrt(6 / (fan_in + fan_out)); uniform: |w|, |b| <= 1/sqrt(fan_in)
    expect(a.layers[0]!.weights.flat().every((w) => Math.abs(w) <= Math.sqrt(6 / 5))).toBe(true);
    const u = randomNetwork(4, [2], { seed: 1, init: 'uniform' });
    expect([...u.layers[0]!.weights.flat(), ...u.layers[0]!.bias].every((w) => Math.abs(w) <= 0.5)).toBe(true);
    expectError(() => randomNetwork(2, [3], { init: 'xavier' as never }), 'E_ARGS', 'unknown init');
    expectError(() => randomNetwork(2, [0]), 'E_ARGS', 'width');
  });
});

describe('CLI: linear-regions construct', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const cli = join(root, 'dist', 'cli', 'main.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const tmp = mkdtempSync(join(tmpdir(), 'lr-construct-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('each construction prints a network that `count` counts as the papers say', () => {
    const cases: [string[], number][] = [
      [['sawtooth', '--depth', '5'], 32],
      [['milkert', '--depth', '6', '--seed', '11'], 64],
      [['milkert', '--peaks', '0.3,0.6,0.9'], 8],
      [['montufar', '--input', '2', '--widths', '4,4,3'], 112],
    ];
    for (const [args, expected] of cases) {
      const r = run('construct', ...args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      const file = join(tmp, `${args.join('_')}.json`);
      writeFileSync(file, r.stdout);
      const c = run('count', file, '--json');
      expect(c.status, c.stderr).toBe(0);
      const out = JSON.parse(c.stdout) as { activationRegions: number; linearRegions: number };
      expect(out.activationRegions, args.join(' ')).toBe(expected);
      expect(out.linearRegions, args.join(' ')).toBe(expected);
    }
    const rnd = run('construct', 'random', '--input', '2', '--widths', '3,3', '--init', 'glorot', '--seed', '5');
    expect(rnd.status, rnd.stderr).toBe(0);
    expect(JSON.parse(rnd.stdout)).toEqual(JSON.parse(JSON.stringify(randomNetwork(2, [3, 3], { init: 'glorot', seed: 5 }))));
  });

  test('bad arguments exit 2 with [E_ARGS]', () => {
    for (const args of [
      ['construct', 'nope'],
      ['construct', 'sawtooth'],
      ['construct', 'sawtooth', '--depth', '0'],
      ['construct', 'sawtooth', '--depth', '3', '--widths', '2'],
      ['construct', 'milkert', '--depth', '2', '--peaks', '0.5,1.5'],
      ['construct', 'milkert', '--seed', '1', '--peaks', '0.5'],
      ['construct', 'montufar', '--input', '2', '--widths', '1,3'],
      ['construct', 'random', '--input', '2', '--widths', '3', '--init', 'xavier'],
    ]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^linear-regions: .*\[E_ARGS\]\n$/);
      expect(r.stdout).toBe('');
    }
    expect(run('construct', '--help').stdout).toContain('milkert --depth d');
  });
});
