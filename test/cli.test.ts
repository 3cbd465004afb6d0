/**
 * The command line (dist/cli/main.js, built by `npm run build` in `pretest`) and the API boundary.
 * Expected counts come from the hand counts and formulas documented in examples/README.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { randomNetwork } from '../src/theory/constructions.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli', 'main.js');
const example = (name: string) => join('examples', `${name}.json`);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(...args: string[]): Run {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, LINEAR_REGIONS_DEBUG: '' },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** No stack trace lines ("    at fn (file:1:2)") anywhere in the output. */
function expectNoStack(r: Run): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stdout).not.toMatch(/^\s+at /m);
}

/** An input error: exit 1, one line `linear-regions: <message> [CODE]` containing every fragment. */
function expectInputError(r: Run, code: string, ...fragments: string[]): void {
  expect(r.status, r.stderr).toBe(1);
  expectNoStack(r);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(new RegExp(`^linear-regions: .*\\[${code}\\]\\n$`));
  for (const f of fragments) expect(r.stderr).toContain(f);
}

function expectUsageError(r: Run, ...fragments: string[]): void {
  expect(r.status, r.stderr).toBe(2);
  expectNoStack(r);
  expect(r.stderr).toMatch(/^linear-regions: .*\[E_ARGS\]\n$/);
  for (const f of fragments) expect(r.stderr).toContain(f);
}

const JSON_KEYS = ['activationRegions', 'linearRegions', 'perLayer', 'elapsedMs', 'partial', 'stopReason', 'dimension', 'network', 'warnings'];

/** Runs `count ... --json` and checks the output is exactly one JSON object with integer counts. */
function countJson(...args: string[]): Record<string, unknown> & { activationRegions: number; linearRegions: number; perLayer: number[] } {
  const r = run('count', ...args, '--json');
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  expect(r.stdout.endsWith('\n')).toBe(true);
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  expect(typeof out === 'object' && out !== null && !Array.isArray(out)).toBe(true);
  expect(Object.keys(out).sort()).toEqual([...JSON_KEYS].sort());
  expect(Number.isInteger(out.activationRegions)).toBe(true);
  if (out.linearRegions !== null) expect(Number.isInteger(out.linearRegions)).toBe(true);
  expect(Array.isArray(out.perLayer)).toBe(true);
  for (const n of out.perLayer as unknown[]) expect(Number.isInteger(n)).toBe(true);
  expect(typeof out.elapsedMs).toBe('number');
  expect(typeof out.partial).toBe('boolean');
  return out as ReturnType<typeof countJson>;
}

const tmp = mkdtempSync(join(tmpdir(), 'lr-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe('help and version', () => {
  it('--help works for the program and every command', () => {
    for (const args of [['--help'], ['count', '--help'], ['examples', '--help'], ['help', 'count'], ['help', 'examples']]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout).toContain('Usage: linear-regions');
      expectNoStack(r);
    }
    const count = run('count', '--help').stdout;
    for (const opt of ['--domain', '--box', '--json', '--max-regions', '--no-linear']) expect(count).toContain(opt);
  });

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const r = run('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe('count --json on the bundled examples (documented counts)', () => {
  it('relu-cancel: 2 activation regions, 1 linear region', () => {
    const out = countJson(example('relu-cancel'));
    expect(out).toMatchObject({ activationRegions: 2, linearRegions: 1, perLayer: [2, 2], partial: false, stopReason: 'complete', dimension: 1 });
    expect(out.network).toBe(example('relu-cancel'));
  });

  it('sawtooth-4: 2^4 = 16 and 16, doubling per layer', () => {
    expect(countJson(example('sawtooth-4'))).toMatchObject({ activationRegions: 16, linearRegions: 16, perLayer: [2, 4, 8, 16, 16], dimension: 1 });
  });

  it('lines-5: 1 + 5 + C(5,2) = 16 and 16', () => {
    expect(countJson(example('lines-5'))).toMatchObject({ activationRegions: 16, linearRegions: 16, perLayer: [16, 16], dimension: 2 });
  });

  it('maxout-2d: 12 activation regions, 5 linear regions', () => {
    expect(countJson(example('maxout-2d'))).toMatchObject({ activationRegions: 12, linearRegions: 5, perLayer: [4, 12], dimension: 2 });
  });

  it('he-2-16-16-1: first layer 1 + 15 + 91 = 107, total within the bound 107 * 137', () => {
    const out = countJson(example('he-2-16-16-1'));
    expect(out.perLayer[0]).toBe(107);
    expect(out.perLayer).toHaveLength(3);
    expect(out.activationRegions).toBeGreaterThanOrEqual(107);
    expect(out.activationRegions).toBeLessThanOrEqual(107 * 137);
    expect(out.perLayer[2]).toBe(out.activationRegions); // the linear output layer splits nothing
    expect(out.linearRegions).toBeGreaterThanOrEqual(1);
    expect(out.linearRegions).toBeLessThanOrEqual(out.activationRegions);
  });

  it('mnist-like-slice: a 2-D plane slice of a 20-input net, first layer 1 + 6 + 9 = 16', () => {
    const out = countJson(example('mnist-like-slice'));
    expect(out.dimension).toBe(2);
    expect(out.perLayer[0]).toBe(16);
    expect(out.activationRegions).toBeLessThanOrEqual(16 * 37);
    expect(out.linearRegions).toBeLessThanOrEqual(out.activationRegions);
  });
});

describe('count options', () => {
  it('prints a readable table by default', () => {
    const r = run('count', example('maxout-2d'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/activation regions\s+12\n/);
    expect(r.stdout).toMatch(/linear regions\s+5\n/);
    expect(r.stdout).toMatch(/layer 1 .*\s4\n/);
    expect(r.stdout).toMatch(/layer 2 .*\s12\n/);
    expect(r.stdout).toMatch(/elapsed\s+\d/);
    expect(r.stdout).not.toContain('partial');
  });

  it('--box LO,HI counts on [LO, HI]^inputDim', () => {
    // relu(x) - relu(x) on [0, 1/4]: the breakpoint 0 is on the boundary: 1 region.
    expect(countJson(example('relu-cancel'), '--box', '0,0.25')).toMatchObject({ activationRegions: 1, linearRegions: 1 });
    expect(countJson(example('lines-5'), '--box=-1,1')).toMatchObject({ activationRegions: 16, linearRegions: 16 });
    // On [1, 2]^2 all five units of lines-5 are strictly positive (no line meets the box): 1 region.
    expect(countJson(example('lines-5'), '--box', '1,2')).toMatchObject({ activationRegions: 1, linearRegions: 1 });
  });

  it('--domain FILE counts on that domain', () => {
    const d = file('left.json', JSON.stringify({ bounds: [[-2, -1]] }));
    expect(countJson(example('sawtooth-4'), '--domain', d)).toMatchObject({ activationRegions: 1, linearRegions: 1 });
    const bad = file('bad-domain.json', JSON.stringify({ bounds: [[1, -1]] }));
    expectInputError(run('count', example('sawtooth-4'), '--domain', bad), 'E_DOMAIN', 'bad-domain.json', 'bounds[0]', 'lo > hi');
    expectInputError(run('count', example('sawtooth-4'), '--domain', join(tmp, 'none.json')), 'E_FILE', 'none.json', 'no such file');
  });

  it('--max-regions marks the result partial', () => {
    const out = countJson(example('sawtooth-4'), '--max-regions', '3');
    expect(out.partial).toBe(true);
    expect(out.stopReason).toBe('maxRegions');
    expect(out.activationRegions).toBeLessThan(16);
    const r = run('count', example('sawtooth-4'), '--max-regions', '3');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^partial: reached --max-regions; counts so far \(lower bounds\): \d+ activation regions/m);
  });

  it('--threads gives the same counts as one thread, and rejects bad values', () => {
    const one = countJson(example('he-2-16-16-1'), '--threads', '1');
    const two = countJson(example('he-2-16-16-1'), '--threads', '2');
    expect([two.activationRegions, two.linearRegions, two.perLayer]).toEqual([one.activationRegions, one.linearRegions, one.perLayer]);
    for (const bad of ['0', 'x', '1.5', '1000']) {
      const r = run('count', example('lines-5'), '--threads', bad);
      expect(r.status, bad).toBe(2);
      expect(r.stderr).toMatch(/--threads must be an integer from 1 to 256.*\[E_ARGS\]/);
    }
  });

  it('--timeout and Ctrl-C stop a long count cleanly with the counts so far, marked partial', async () => {
    // 5 x 128 He-normal ReLU units on [-1, 1]^2: about 2 x 10^5 regions, a few seconds on one thread
    const big = join(tmp, 'big.json');
    writeFileSync(big, JSON.stringify(randomNetwork(2, [128, 128, 128, 128, 128], { init: 'he', seed: 1 })));
    const timed = run('count', big, '--json', '--threads', '1', '--timeout', '0.2');
    expect(timed.status).toBe(0);
    const t = JSON.parse(timed.stdout);
    expect(t.partial).toBe(true);
    expect(t.stopReason).toBe('timeout');
    expect(t.activationRegions).toBeGreaterThan(0);
    expect(t.linearRegions).toBeNull(); // not meaningful for a partial count
    expect(run('count', big, '--timeout', '-1').status).toBe(2);

    // Ctrl-C after 0.9 s; on a machine so loaded that the CLI has not started counting (nor set its
    // handler) by then, Node's default ends it with no output: try again later in the count
    let code: number | null = null;
    let stdout = '';
    let stderr = '';
    for (const delay of [900, 3000, 8000]) {
      const child = spawn(process.execPath, [cli, 'count', big, '--json', '--threads', '1'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      stdout = '';
      stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGINT');
      code = await new Promise<number | null>((r) => child.on('close', r));
      if (code !== null) break;
    }
    expect(code).toBe(130);
    expect(stderr).not.toMatch(/\n\s+at /);
    const out = JSON.parse(stdout);
    expect(out.partial).toBe(true);
    expect(out.stopReason).toBe('interrupted');
    expect(out.activationRegions).toBeGreaterThan(0);
  });

  it('--no-linear skips linear regions', () => {
    const out = countJson(example('maxout-2d'), '--no-linear');
    expect(out.activationRegions).toBe(12);
    expect(out.linearRegions).toBeNull();
  });
});

describe('usage errors: exit 2, [E_ARGS]', () => {
  it('--domain and --box together', () => {
    expectUsageError(run('count', example('lines-5'), '--box', '0,1', '--domain', 'd.json'), '--domain', '--box');
  });

  it('bad --box', () => {
    for (const box of ['1', 'a,b', '1,2,3', ',1', '1,-1', '2,2', '0,Infinity']) {
      expectUsageError(run('count', example('lines-5'), `--box=${box}`), '--box', box);
    }
  });

  it('bad --max-regions', () => {
    for (const n of ['0', '-3', '1.5', 'many']) expectUsageError(run('count', example('lines-5'), `--max-regions=${n}`), '--max-regions');
  });

  it('commander errors: missing argument, unknown option, too many arguments, unknown command, no command', () => {
    expectUsageError(run('count'), 'missing required argument');
    expectUsageError(run('count', example('lines-5'), '--bogus'), "unknown option '--bogus'");
    expectUsageError(run('count', example('lines-5'), example('maxout-2d')), 'too many arguments');
    expectUsageError(run('frobnicate'), 'frobnicate');
    const none = run();
    expect(none.status).toBe(2);
    expectNoStack(none);
    expect(none.stderr).toMatch(/^linear-regions: expected a command.*\[E_ARGS\]\n$/m);
  });
});

describe('input errors: exit 1, no stack trace', () => {
  const net = (layers: unknown[], inputDim = 2) => JSON.stringify({ inputDim, layers });

  it('missing file', () => {
    const p = join(tmp, 'missing.json');
    expectInputError(run('count', p), 'E_FILE', p, 'no such file');
  });

  it('truncated file', () => {
    const text = net([{ weights: [[1, 2]], bias: [0], activation: 'relu' }]);
    const p = file('truncated.json', text.slice(0, text.length - 7));
    expectInputError(run('count', p), 'E_JSON', p, 'truncated');
  });

  it('non-JSON file', () => {
    const p = file('not-json.json', 'inputDim: 2\nlayers: []\n');
    expectInputError(run('count', p), 'E_JSON', p, 'not valid JSON');
  });

  it('a 1e400 weight (Infinity after JSON.parse)', () => {
    const p = file('inf.json', '{"inputDim": 2, "layers": [{"weights": [[1, 2], [3, 1e400]], "bias": [0, 0], "activation": "relu"}]}');
    expectInputError(run('count', p), 'E_NONFINITE', 'layer 1, row 2, column 2', 'Infinity');
  });

  it('a ragged row', () => {
    const p = file('ragged.json', net([{ weights: [[1, 2], [3, 4], [5]], bias: [0, 0, 0], activation: 'relu' }]));
    expectInputError(run('count', p), 'E_SHAPE', 'layer 1', 'row 3');
  });

  it('an unknown activation', () => {
    const p = file('act.json', net([
      { weights: [[1, 2]], bias: [0], activation: 'relu' },
      { weights: [[1]], bias: [0], activation: 'swish' },
    ]));
    expectInputError(run('count', p), 'E_ACTIVATION', 'layer 2', 'swish', 'relu, leaky_relu, abs, linear, maxout');
  });

  it('a polytope domain with an empty interior -> E_DOMAIN, decided exactly', () => {
    const p = file('three.json', net([{ weights: [[1, 2, 3]], bias: [0], activation: 'relu' }], 3));
    // x0 <= 0 and x0 >= 0: a flat set (its interior is empty)
    const d = file('flat.json', JSON.stringify({ A: [[1, 0, 0], [-1, 0, 0]], b: [0, 0] }));
    expectInputError(run('count', p, '--domain', d), 'E_DOMAIN', 'empty interior');
    const bad = file('ragged.json', JSON.stringify({ A: [[1, 0, 0], [1, 0]], b: [0, 0] }));
    expectInputError(run('count', p, '--domain', bad), 'E_SHAPE', 'polytope A row 2 has 2 entries but inputDim is 3');
  });
});

describe('examples command', () => {
  it('counts every bundled example in a few seconds', () => {
    const started = Date.now();
    const r = run('examples');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const rows = new Map(
      r.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => [line.split(/\s+/)[0]!, line] as const),
    );
    const expected: Record<string, [number, number]> = {
      'relu-cancel': [2, 1],
      'sawtooth-4': [16, 16],
      'lines-5': [16, 16],
      'maxout-2d': [12, 5],
      'planes-3d': [15, 15],
    };
    for (const name of ['relu-cancel', 'sawtooth-4', 'lines-5', 'maxout-2d', 'he-2-16-16-1', 'mnist-like-slice', 'planes-3d']) {
      expect(rows.has(name), name).toBe(true);
    }
    for (const [name, [act, lin]] of Object.entries(expected)) {
      expect(rows.get(name)).toMatch(new RegExp(`\\s${act}\\s+${lin}\\s+[\\d.]+ m?s$`));
    }
  });
});

describe('API: a valid call right after an invalid one still works', () => {
  it('countRegions rejects an invalid network, then counts a valid one in the same process', async () => {
    const typed = (await import(join(root, 'dist', 'index.node.js'))) as typeof import('../src/index.node.js');
    // invalid networks on purpose: the call as plain JavaScript makes it
    const api = { countRegions: typed.countRegions as (network: unknown, domain?: unknown) => ReturnType<typeof typed.countRegions> };
    const errors = (await import(join(root, 'dist', 'errors.js'))) as typeof import('../src/errors.js');
    const bad = { inputDim: 1, layers: [{ weights: [[1], [2, 3]], bias: [0, 0], activation: 'relu' }] };
    await expect(api.countRegions(bad)).rejects.toBeInstanceOf(errors.LinearRegionsError);
    await expect(api.countRegions(bad)).rejects.toMatchObject({ code: 'E_SHAPE' });
    const inf = { inputDim: 1, layers: [{ weights: [[Infinity]], bias: [0], activation: 'relu' }] };
    await expect(api.countRegions(inf)).rejects.toMatchObject({ code: 'E_NONFINITE' });

    const saw = JSON.parse(readFileSync(join(root, example('sawtooth-4')), 'utf8')) as unknown;
    const ok = await api.countRegions(saw);
    expect(ok).toMatchObject({ activationRegions: 16, linearRegions: 16, perLayer: [2, 4, 8, 16, 16], partial: false });

    await expect(api.countRegions(bad, { bounds: [[0, 1]] })).rejects.toMatchObject({ code: 'E_SHAPE' });
    const cancel = JSON.parse(readFileSync(join(root, example('relu-cancel')), 'utf8')) as unknown;
    expect(await api.countRegions(cancel)).toMatchObject({ activationRegions: 2, linearRegions: 1 });
  });
});
