/**
 * Issue 10 (items 3, 9, 10): typos must not change what is counted, input files that cannot be a
 * model are refused before they are read, messages cannot drive a terminal, and a count that may
 * never finish is announced. Expected values are the documented rules, written out by hand.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LinearRegionsError, escapeControls } from '../src/errors.js';
import { countRegionsSync } from '../src/index.node.js';
import { readCapped } from '../src/network/io.js';
import type { Domain, Network } from '../src/network/types.js';
import { validateDomain, validateNetwork } from '../src/network/validate.js';
import { model, node } from './helpers/onnx-build.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'lr-safety-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, LINEAR_REGIONS_DEBUG: '' }, timeout: 60_000 });
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return r;
}
function file(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}
function code(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof LinearRegionsError) return err.code;
    throw err;
  }
  return 'no error';
}

// Two crossing lines through the unit square's centre: 4 regions on [0,1]^2 and on [-1,1]^2;
// a domain that misses the lines ([2,3]^2) has 1.
const cross = { inputDim: 2, layers: [{ weights: [[1, 0], [0, 1]], bias: [-0.5, -0.5], activation: 'relu' }] };

describe('unknown keys (typos) are reported, never silently dropped', () => {
  it('names each unknown key, where it is, and the key it resembles', () => {
    const warnings: string[] = [];
    validateNetwork({ ...cross, Domain: { bounds: [[2, 3], [2, 3]] }, 'domain ': {}, layers: [{ ...cross.layers[0], alphaalpha: 0.5 }] }, { warnings });
    expect(warnings).toEqual([
      'network: unknown key "Domain" is ignored (did you mean "domain"?)',
      'network: unknown key "domain " is ignored (did you mean "domain"?)',
      'layer 1: unknown key "alphaalpha" is ignored (did you mean "alpha"?)',
    ]);
  });

  it('says when a known key is ignored by this kind of layer', () => {
    const warnings: string[] = [];
    validateNetwork({ ...cross, layers: [{ ...cross.layers[0], alpha: 0.2, pieces: 2 }] }, { warnings });
    expect(warnings).toEqual([
      'layer 1: "alpha" is ignored (only leaky_relu reads it; this layer is relu)',
      'layer 1: "pieces" is ignored (only maxout reads it; this layer is relu)',
    ]);
  });

  it('lets free-form notes through and warns about unknown domain keys', () => {
    const warnings: string[] = [];
    validateNetwork({ ...cross, name: 'x', description: 'y', metadata: {}, $schema: 'z', comment: 'c' }, { warnings });
    expect(warnings).toEqual([]);
    validateDomain({ bounds: [[0, 1], [0, 1]], bouns: 1 }, 2, 'domain', { warnings });
    expect(warnings).toEqual(['domain: unknown key "bouns" is ignored (did you mean "bounds"?)']);
  });

  it('strict mode refuses them with E_FORMAT', () => {
    expect(code(() => validateNetwork({ ...cross, Domain: {} }, { strict: true }))).toBe('E_FORMAT');
    expect(code(() => validateDomain({ whole: true, hole: 1 }, 2, 'domain', { strict: true }))).toBe('E_FORMAT');
    expect(code(() => validateNetwork({ ...cross, Domain: {} }))).toBe('no error');
  });

  it('the API lists them on the result and counts what the valid keys say', () => {
    const r = countRegionsSync({ ...cross, Domain: { bounds: [[2, 3], [2, 3]] } } as Network, { bounds: [[0, 1], [0, 1]] }, { threads: 1 });
    expect(r.activationRegions).toBe(4);
    expect(r.warnings).toEqual(['network: unknown key "Domain" is ignored (did you mean "domain"?)']);
    expect(countRegionsSync(cross as Network, { bounds: [[0, 1], [0, 1]] }).warnings).toEqual([]);
    expect(code(() => countRegionsSync({ ...cross, Domain: {} } as Network, null, { strict: true }))).toBe('E_FORMAT');
  });

  it('the CLI warns on stderr (and in --json), or refuses with --strict', () => {
    const net = file('typo.json', { ...cross, Domain: { bounds: [[2, 3], [2, 3]] } });
    const r = run('count', net, '--json', '--threads', '1');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`linear-regions: warning: ${net}: network: unknown key "Domain" is ignored (did you mean "domain"?)\n`);
    expect(JSON.parse(r.stdout).warnings).toEqual([`${net}: network: unknown key "Domain" is ignored (did you mean "domain"?)`]);
    const s = run('count', net, '--strict');
    expect(s.status).toBe(1);
    expect(s.stderr).toMatch(/unknown key "Domain".*\[E_FORMAT\]\n$/);
  });
});

describe('a domain has exactly one kind', () => {
  it.each([
    [{ whole: true, bounds: [[5, -5]] }, '"whole" (the whole space) and "bounds" (a box)'],
    [{ A: [[1, 0]], b: [1], bounds: [[0, 1], [0, 1]] }, '"A" and "b" (a polytope) and "bounds" (a box)'],
    [{ whole: true, origin: [0, 0], directions: [[1, 0]], bounds: [[0, 1]] }, '"whole" (the whole space) and "origin" and "directions" (a slice)'],
  ])('%j is refused', (domain, named) => {
    try {
      validateDomain(domain, 2);
      expect.unreachable();
    } catch (err) {
      expect((err as LinearRegionsError).code).toBe('E_DOMAIN');
      expect((err as Error).message).toContain(named);
    }
  });

  it('a slice message allows n-D slices', () => {
    expect(() => validateDomain({ origin: [0, 0, 0], bounds: [[0, 1]] }, 3)).toThrow('1 to 3 independent vectors');
  });
});

describe('files that cannot be a model', () => {
  it('a device is refused at once (it would never end)', () => {
    expect(code(() => readCapped('/dev/zero', 1 << 20))).toBe('E_FILE');
    const r = run('count', '/dev/zero');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('linear-regions: cannot read /dev/zero: it is a device, not a regular file or a pipe [E_FILE]\n');
  });

  it('a file over the cap is refused from its size, with the size', () => {
    const path = file('big.json', 'x'.repeat(3 << 20));
    expect(() => readCapped(path, 2 << 20)).toThrow('3.00 MiB, over the limit of 2.00 MiB');
    expect(readCapped(path, 4 << 20).length).toBe(3 << 20);
  });

  it('trailing bytes after JSON name the position once', () => {
    const r = run('count', file('trailing.json', '{"a":1} xx'));
    expect(r.stderr).toBe(`linear-regions: ${join(dir, 'trailing.json')} is not valid JSON: Unexpected non-whitespace character after JSON at position 8 (line 1, column 9) [E_JSON]\n`);
  });

  it('--domain does not swallow the next flag', () => {
    const r = run('count', file('c.json', cross), '--domain', '--json');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--domain needs a file name, got the flag "--json"');
  });
});

describe('messages cannot drive a terminal', () => {
  it('escapes C0, DEL, C1 and bidi controls', () => {
    expect(escapeControls('a\u001b[2Jb\u0000c\u009bd\u007fe\u202ef\n')).toBe('a\\x1b[2Jb\\x00c\\x9bd\\x7fe\\u{202e}f\\x0a');
    expect(new LinearRegionsError('E_ONNX', 'op "\u001b]0;pwned\u0007" is not supported').message).toBe('op "\\x1b]0;pwned\\x07" is not supported');
  });

  it('a file name with an escape sequence is printed escaped', () => {
    const r = run('count', 'no\u001b[2Jsuch.json');
    expect(r.stderr).toBe('linear-regions: cannot read no\\x1b[2Jsuch.json: no such file [E_FILE]\n');
  });
});

describe('a count that may never finish is announced', () => {
  // 36 inputs, widths 32-1: Serra et al.'s bound on R^36 is sum_{j<=32} C(32, j) = 2^32 > 10^9,
  // which depends on the widths only. The 32 rows are one hyperplane, so the count is 2 and fast.
  const wide = {
    inputDim: 36,
    layers: [
      { weights: Array.from({ length: 32 }, () => Array.from({ length: 36 }, (_, j) => (j % 5) - 2)), bias: Array(32).fill(1), activation: 'relu' },
      { weights: [Array(32).fill(1)], bias: [0], activation: 'linear' },
    ],
  };
  it('on the default whole space, with the flags that bound the work', () => {
    const r = run('count', file('wide.json', wide), '--json', '--threads', '1');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).activationRegions).toBe(2);
    expect(r.stderr).toMatch(/^linear-regions: note: counting on R\^36 \(the whole space\), the default above 2 inputs: this architecture can have up to 4\.29e\+9 regions there \(Serra et al\. 2018\), so the count may not finish\./);
    for (const flag of ['--domain', '--box', '--timeout', '--max-regions']) expect(r.stderr).toContain(flag);
  });
  it('not for small architectures or slices', () => {
    expect(run('count', file('c2.json', cross)).stderr).toBe('');
    const slice = file('slice.json', { origin: Array(36).fill(0), directions: [Array.from({ length: 36 }, (_, i) => (i === 0 ? 1 : 0)), Array.from({ length: 36 }, (_, i) => (i === 1 ? 1 : 0))], bounds: [[-1, 1], [-1, 1]] });
    expect(run('count', join(dir, 'wide.json'), '--domain', slice, '--threads', '1').stderr).toBe('');
  });
});

describe('options', () => {
  it('options: null is a coded error, not a TypeError', () => {
    expect(code(() => countRegionsSync(cross as Network, null, null as never))).toBe('E_ARGS');
  });
});

describe('inputs that cannot fit are refused before they allocate', () => {
  it('a layer of 800,000 units in 2-D: E_TOO_LARGE with the size, at once, and the next call works', () => {
    const rows = Array.from({ length: 800_000 }, (_, i) => [1, i / 800_000]);
    const net = { inputDim: 2, layers: [{ weights: rows, bias: new Array(800_000).fill(0), activation: 'relu' }] } as Network;
    let message = '';
    try {
      countRegionsSync(net, null, { threads: 1 });
    } catch (err) {
      expect((err as LinearRegionsError).code).toBe('E_TOO_LARGE');
      message = (err as Error).message;
    }
    expect(message).toMatch(/needs at least \d+ MiB of core memory .* over the 1536 MiB limit/);
    expect(countRegionsSync(cross as Network, { bounds: [[0, 1], [0, 1]] }).activationRegions).toBe(4);
  });
});

describe('too many dimensions is refused before the weights are read', () => {
  // layers: "unread" would be E_FORMAT if the weights were read: E_DIMENSION proves they were not
  const wide = { inputDim: 5_000_000, layers: 'unread' };
  it('API: the whole space or a box of 5e6 dimensions', () => {
    expect(code(() => countRegionsSync(wide as unknown as Network))).toBe('E_DIMENSION');
    expect(code(() => countRegionsSync(wide as unknown as Network, { whole: true }))).toBe('E_DIMENSION');
    expect(code(() => countRegionsSync({ ...wide, domain: { whole: true } } as unknown as Network))).toBe('E_DIMENSION');
  });
  it('but a slice of it is read and validated as usual', () => {
    const slice = { origin: [0], directions: [[1]], bounds: [[0, 1]] };
    expect(code(() => countRegionsSync(wide as unknown as Network, slice as unknown as Domain))).toBe('E_FORMAT');
    expect(code(() => countRegionsSync({ ...wide, domain: slice } as unknown as Network))).toBe('E_FORMAT');
  });
  it('CLI: the same, before the domain is checked against the weights', () => {
    const net = file('wide-unread.json', wide);
    const r = run('count', net);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/5000000 dimensions.*\[E_DIMENSION\]\n$/);
    expect(run('count', net, '--box', '-1,1').stderr).toMatch(/\[E_DIMENSION\]\n$/);
  });
  it('CLI: an ONNX model of 100 inputs is refused from its input shape, before a node is lowered', () => {
    // the node "Tanh" would be E_ONNX if the graph were lowered: E_DIMENSION proves it was not
    const onnx = join(dir, 'wide.onnx');
    writeFileSync(onnx, model({ input: [1, 100], nodes: [node('Tanh', ['x'], ['y'])] }));
    const r = run('count', onnx);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/100 dimensions \(the graph input "x", no slice\).*\[E_DIMENSION\]\n$/);
    // with a slice the graph is read as usual
    const slice = file('slice100.json', { origin: new Array(100).fill(0), directions: [[1, ...new Array(99).fill(0)]], bounds: [[0, 1]] });
    expect(run('count', onnx, '--domain', slice).stderr).toMatch(/Tanh.*\[E_ONNX\]\n$/);
  });
});
