// The deep-versus-shallow experiment (src/theory/experiments.ts): its tables hold the bounds, the exact
// count of the folding construction (Montufar et al.'s bound, worked out by hand below) and exact
// counts of seeded random networks, which must stay below Serra et al.'s bound; the Hanin-Rolnick
// check must find counts growing with neurons more than with depth.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { computeBounds } from '../src/theory/bounds.js';
import { LinearRegionsError } from '../src/errors.js';
import { deepVsShallow, deepVsShallowToJson, formatDeepVsShallow, parameterCount, splitNeurons } from '../src/theory/experiments.js';
import { countRegions, countRegionsSync } from '../src/index.node.js';

describe('helpers', () => {
  test('parameterCount counts weights and biases with one linear output', () => {
    expect(parameterCount(2, [12])).toBe(2 * 12 + 12 + 12 + 1); // 49
    expect(parameterCount(2, [4, 4])).toBe(2 * 4 + 4 + 4 * 4 + 4 + 4 + 1); // 37
    expect(parameterCount(1, [3, 3, 3])).toBe(1 * 3 + 3 + 2 * (9 + 3) + 3 + 1); // 34
  });
  test('splitNeurons spreads a budget evenly, wider layers first', () => {
    expect(splitNeurons(12, 3)).toEqual([4, 4, 4]);
    expect(splitNeurons(13, 3)).toEqual([5, 4, 4]);
    expect(splitNeurons(5, 5)).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('deepVsShallow, n0 = 2, 12 neurons (the default table)', async () => {
  const seeds = 6;
  const result = await deepVsShallow(countRegionsSync, { inputDim: 2, neurons: 12, seeds, seed: 1 });

  test('neuron budget: the shallow and deep architectures side by side', () => {
    expect(result.neuronBudget.map((r) => r.widths)).toEqual([[12], [6, 6], [4, 4, 4], [3, 3, 3, 3], [2, 2, 2, 2, 2, 2]]);
    for (const r of result.neuronBudget) expect(r.neurons).toBe(12);
  });

  test('the folding construction reaches montufar2014 exactly (hand values)', () => {
    // [12]: 1 + 12 + 66; [6,6]: 3^2 (1 + 6 + 15); [4,4,4]: 2^2 2^2 (1 + 4 + 6); [3,3,3,3]: 1 (1 + 3 + 3); [2 x 6]: 1 + 2 + 1
    expect(result.neuronBudget.map((r) => r.construction.activationRegions)).toEqual([79, 198, 176, 7, 4]);
    for (const r of result.neuronBudget) expect(BigInt(r.construction.activationRegions)).toBe(r.bounds.montufar2014);
  });

  test('rows carry the bounds of computeBounds, and random counts stay below serra2018', () => {
    for (const r of [...result.neuronBudget, ...result.parameterBudget]) {
      expect(r.bounds).toEqual(computeBounds(2, r.widths).bounds);
      expect(r.random.counts).toHaveLength(seeds);
      expect(r.random.seeds).toEqual([1, 2, 3, 4, 5, 6]);
      for (const [i, c] of r.random.counts.entries()) {
        expect(BigInt(c) <= r.bounds.serra2018!, `widths [${r.widths}], seed ${r.random.seeds[i]}: ${c}`).toBe(true);
      }
      expect(r.random.min).toBeLessThanOrEqual(r.random.mean);
      expect(r.random.mean).toBeLessThanOrEqual(r.random.max);
      expect(r.random.std).toBeGreaterThanOrEqual(0);
    }
  });

  test('parameter budget: every row within the shallow net\'s 49 parameters', () => {
    expect(result.parameters).toBe(49);
    expect(result.parameterBudget.length).toBeGreaterThanOrEqual(3);
    for (const r of result.parameterBudget) {
      expect(r.parameters).toBeLessThanOrEqual(49);
      expect(parameterCount(2, r.widths.map((w) => w + 1))).toBeGreaterThan(49); // the widest equal widths that fit
    }
  });

  test('Hanin-Rolnick: counts grow with the number of neurons, not with depth', () => {
    const hr = result.haninRolnick;
    expect(hr.neurons).toEqual([6, 12, 18, 24]);
    expect(hr.depths).toEqual([1, 2, 3]);
    for (const row of hr.mean) for (let k = 1; k < row.length; k++) expect(row[k]!).toBeGreaterThan(row[k - 1]!);
    expect(hr.growthWithNeurons).toBeGreaterThan(4);
    expect(hr.spreadAcrossDepths).toBeLessThan(hr.growthWithNeurons);
    expect(hr.neuronsNotDepth).toBe(true);
  });

  test('text and JSON forms', () => {
    const text = formatDeepVsShallow(result);
    expect(text).toContain('Fixed neuron budget: 12 hidden neurons');
    expect(text).toContain('Fixed parameter budget');
    expect(text).toContain('Hanin-Rolnick check');
    expect(text).toMatch(/^4-4-4\s+57\s+4096\s+1331\s+1331\s+-\s+44\s+176\s+-\s+176\s/m);
    const json = deepVsShallowToJson(result) as { neuronBudget: { bounds: Record<string, string> }[] };
    expect(json.neuronBudget[2]!.bounds.serra2018).toBe('1331');
  });
});

describe('deepVsShallow, other settings', () => {
  test('n0 = 1 with the async counter; same seeds give the same numbers', async () => {
    const a = await deepVsShallow(countRegions, { inputDim: 1, neurons: 6, seeds: 3, depths: [1, 2, 3] });
    const b = await deepVsShallow(countRegionsSync, { inputDim: 1, neurons: 6, seeds: 3, depths: [1, 2, 3] });
    expect(deepVsShallowToJson(a)).toEqual(deepVsShallowToJson(b));
    // folding in 1-D: [6]: 7; [3,3]: 3 * 4 = 12; [2,2,2]: 2 * 2 * 3 = 12
    expect(a.neuronBudget.map((r) => r.construction.activationRegions)).toEqual([7, 12, 12]);
    for (const r of a.neuronBudget) for (const c of r.random.counts) expect(BigInt(c) <= r.bounds.serra2018!).toBe(true);
  });

  test('options are checked', async () => {
    await expect(deepVsShallow(countRegionsSync, { inputDim: 3 })).rejects.toBeInstanceOf(LinearRegionsError);
    await expect(deepVsShallow(countRegionsSync, { neurons: 0 })).rejects.toThrow(/neurons/);
    await expect(deepVsShallow(countRegionsSync, { init: 'xavier' as never })).rejects.toThrow(/init/);
  });
});

describe('CLI: linear-regions experiment deep-vs-shallow', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const cli = join(root, 'dist', 'cli', 'main.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

  test('--json prints exactly one JSON object; the table is the default', () => {
    const r = run('experiment', 'deep-vs-shallow', '--neurons', '8', '--seeds', '2', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout) as { inputDim: number; neurons: number; neuronBudget: { widths: number[] }[]; haninRolnick: unknown };
    expect(out.inputDim).toBe(2);
    expect(out.neurons).toBe(8);
    expect(out.neuronBudget[0]!.widths).toEqual([8]);
    const t = run('experiment', 'deep-vs-shallow', '--input', '1', '--neurons', '6', '--seeds', '2');
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toContain('Hanin-Rolnick check');
  });

  test('bad arguments exit 2', () => {
    for (const args of [['experiment', 'wide-vs-narrow'], ['experiment', 'deep-vs-shallow', '--input', '3'], ['experiment', 'deep-vs-shallow', '--seeds', '0']]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^linear-regions: .*\[E_ARGS\]\n$/);
    }
    expect(run('experiment', '--help').stdout).toContain('--neurons');
  });
});
