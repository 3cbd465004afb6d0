/**
 * Validation at the boundary (src/network/validate.ts) and file reading (src/network/io.ts): every error case
 * checks the stable `code` and that the message names the layer / row / column / field and value.
 */
import { mkdtempSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LinearRegionsError } from '../src/errors.js';
import type { ErrorCode } from '../src/errors.js';
import { loadNetworkFile, readJsonFile } from '../src/network/io.js';
import type { Layer, Network, SliceDomain } from '../src/network/types.js';
import {
  checkSupportedDimension,
  exactlyDependent,
  exactProductsEqual,
  MAX_TOTAL_WEIGHTS,
  resolveDomain,
  validateDomain,
  validateNetwork,
} from '../src/network/validate.js';

/** Asserts that `fn` throws a LinearRegionsError with `code` whose message contains every fragment. */
function expectError(fn: () => unknown, code: ErrorCode, ...fragments: (string | RegExp)[]): LinearRegionsError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a LinearRegionsError').toBeInstanceOf(LinearRegionsError);
  const err = caught as LinearRegionsError;
  expect(err.code, err.message).toBe(code);
  for (const f of fragments) {
    if (typeof f === 'string') expect(err.message).toContain(f);
    else expect(err.message).toMatch(f);
  }
  return err;
}

/** A valid 2-3-1 network; tests mutate a fresh copy. */
function base(): { inputDim: unknown; layers: Record<string, unknown>[]; [k: string]: unknown } {
  return {
    inputDim: 2,
    layers: [
      { weights: [[1, 0], [0, 1], [1, 1]], bias: [0, 0, 0], activation: 'relu' },
      { weights: [[1, 2, 3]], bias: [0], activation: 'linear' },
    ],
  };
}

function withLayer(i: number, patch: Record<string, unknown>): ReturnType<typeof base> {
  const net = base();
  net.layers[i] = { ...net.layers[i], ...patch };
  return net;
}

describe('validateNetwork: valid input', () => {
  it('returns a clean deep copy with plain arrays', () => {
    const json = base();
    const net = validateNetwork(json);
    expect(net).toEqual({ inputDim: 2, layers: json.layers });
    expect(net.layers[0]!.weights).not.toBe(json.layers[0]!.weights);
    expect(net.layers[0]!.weights[0]).not.toBe((json.layers[0]!.weights as number[][])[0]);
    (json.layers[0]!.weights as number[][])[0]![0] = 99;
    expect(net.layers[0]!.weights[0]![0]).toBe(1);
  });

  it('copies typed arrays into plain arrays', () => {
    const net = validateNetwork({
      inputDim: 2,
      layers: [{ weights: [new Float64Array([1, 2])], bias: new Float64Array([3]), activation: 'relu' }],
    });
    expect(Array.isArray(net.layers[0]!.weights[0])).toBe(true);
    expect(Array.isArray(net.layers[0]!.bias)).toBe(true);
    expect(net.layers[0]!.weights).toEqual([[1, 2]]);
  });

  it('defaults alpha to 0.01 for leaky_relu, keeps a given alpha, drops alpha/pieces elsewhere', () => {
    expect(validateNetwork(withLayer(0, { activation: 'leaky_relu' })).layers[0]!.alpha).toBe(0.01);
    expect(validateNetwork(withLayer(0, { activation: 'leaky_relu', alpha: 0.2 })).layers[0]!.alpha).toBe(0.2);
    const relu = validateNetwork(withLayer(0, { alpha: 0.5, pieces: 3 })).layers[0]!;
    expect(relu.alpha).toBeUndefined();
    expect(relu.pieces).toBeUndefined();
  });

  it('accepts abs, linear and maxout, and chains maxout by units (rows / pieces)', () => {
    const net = validateNetwork({
      inputDim: 2,
      layers: [
        { weights: [[1, 0], [-1, 0], [0, 1], [0, -1]], bias: [0, 0, 0, 0], activation: 'maxout', pieces: 2 },
        { weights: [[1, 1], [1, -1]], bias: [0, 0], activation: 'abs' },
        { weights: [[1, 1]], bias: [0], activation: 'linear' },
      ],
    });
    expect(net.layers[0]!.pieces).toBe(2);
    expect(net.layers.map((l: Layer) => l.activation)).toEqual(['maxout', 'abs', 'linear']);
  });

  it('ignores unknown extra fields', () => {
    const json = { ...base(), description: 'x', version: 3 };
    (json.layers[0] as Record<string, unknown>).name = 'hidden';
    const net = validateNetwork(json);
    expect(net).not.toHaveProperty('description');
    expect(net.layers[0]).not.toHaveProperty('name');
  });

  it('validates and copies the network domain', () => {
    const net = validateNetwork({ ...base(), domain: { bounds: [[0, 1], [-2, 2]], extra: 1 } });
    expect(net.domain).toEqual({ bounds: [[0, 1], [-2, 2]] });
  });

  it('accepts every bundled example', () => {
    const dir = new URL('../examples/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) expect(() => loadNetworkFile(join(dir.pathname, f))).not.toThrow();
  });
});

describe('validateNetwork: errors', () => {
  it('not an object -> E_FORMAT', () => {
    for (const v of [null, 42, 'net', [], undefined, true]) expectError(() => validateNetwork(v), 'E_FORMAT', 'network must be a JSON object');
    expectError(() => validateNetwork([]), 'E_FORMAT', 'an array');
  });

  it('inputDim not a positive integer -> E_INPUT_DIM', () => {
    const { inputDim: _drop, ...missing } = base();
    expectError(() => validateNetwork(missing), 'E_INPUT_DIM', 'inputDim', 'missing');
    for (const [v, shown] of [
      [0, '0'],
      [-1, '-1'],
      [1.5, '1.5'],
      ['2', '"2"'],
      [null, 'null'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
    ] as const) {
      expectError(() => validateNetwork({ ...base(), inputDim: v }), 'E_INPUT_DIM', 'inputDim', `got ${shown}`);
    }
  });

  it('layers missing, not an array, or empty -> E_FORMAT', () => {
    expectError(() => validateNetwork({ inputDim: 2 }), 'E_FORMAT', '"layers" is missing');
    expectError(() => validateNetwork({ inputDim: 2, layers: {} }), 'E_FORMAT', '"layers" must be an array', 'an object');
    expectError(() => validateNetwork({ inputDim: 2, layers: 'relu' }), 'E_FORMAT', '"layers" must be an array');
    expectError(() => validateNetwork({ inputDim: 2, layers: [] }), 'E_FORMAT', '"layers" is empty');
  });

  it('a layer that is not an object -> E_FORMAT naming the layer', () => {
    const net = base();
    net.layers[1] = 7 as unknown as Record<string, unknown>;
    expectError(() => validateNetwork(net), 'E_FORMAT', 'layer 2', 'got 7');
  });

  it('non-numeric weights (string, null, boolean) -> E_FORMAT naming layer, row and column', () => {
    for (const [v, shown] of [
      ['x', '"x"'],
      [null, 'null'],
      [true, 'boolean'],
      [[1], 'an array'],
      [{}, 'an object'],
    ] as const) {
      const net = withLayer(1, { weights: [[1, v, 3]] });
      expectError(() => validateNetwork(net), 'E_FORMAT', 'layer 2, row 1, column 2', shown);
    }
    expectError(() => validateNetwork(withLayer(0, { weights: [[1, 0], [0, '1'], [1, 1]] })), 'E_FORMAT', 'layer 1, row 2, column 2', '"1"');
  });

  it('non-finite weights (NaN, +-Infinity, 1e400 from JSON.parse) -> E_NONFINITE naming layer, row and column', () => {
    for (const [v, shown] of [
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
    ] as const) {
      expectError(() => validateNetwork(withLayer(0, { weights: [[1, 0], [0, 1], [1, v]] })), 'E_NONFINITE', 'layer 1, row 3, column 2', shown);
    }
    const parsed = JSON.parse(
      '{"inputDim": 1, "layers": [{"weights": [[1], [1e400]], "bias": [0, 0], "activation": "relu"}]}',
    ) as unknown;
    expectError(() => validateNetwork(parsed), 'E_NONFINITE', 'layer 1, row 2, column 1', 'Infinity');
  });

  it('bad bias entries -> E_FORMAT / E_NONFINITE naming the layer and entry', () => {
    expectError(() => validateNetwork(withLayer(0, { bias: [0, 'b', 0] })), 'E_FORMAT', 'layer 1', 'bias entry 2', '"b"');
    expectError(() => validateNetwork(withLayer(0, { bias: [0, 0, null] })), 'E_FORMAT', 'layer 1', 'bias entry 3', 'null');
    expectError(() => validateNetwork(withLayer(1, { bias: [-Infinity] })), 'E_NONFINITE', 'layer 2', 'bias entry 1', '-Infinity');
    expectError(() => validateNetwork(withLayer(1, { bias: [NaN] })), 'E_NONFINITE', 'layer 2', 'NaN');
  });

  it('missing or mistyped weights / bias / rows -> E_FORMAT', () => {
    const { weights: _w, ...noWeights } = base().layers[0]!;
    const net = base();
    net.layers[0] = noWeights;
    expectError(() => validateNetwork(net), 'E_FORMAT', 'layer 1', '"weights" is missing');
    expectError(() => validateNetwork(withLayer(0, { weights: 'w' })), 'E_FORMAT', 'layer 1', '"weights"');
    expectError(() => validateNetwork(withLayer(0, { weights: [[1, 0], 5, [1, 1]] })), 'E_FORMAT', 'layer 1, row 2', 'got 5');
    expectError(() => validateNetwork(withLayer(1, { bias: undefined })), 'E_FORMAT', 'layer 2', '"bias" is missing');
    expectError(() => validateNetwork(withLayer(1, { bias: 0 })), 'E_FORMAT', 'layer 2', '"bias" must be an array');
  });

  it('ragged rows -> E_SHAPE naming layer and row', () => {
    expectError(() => validateNetwork(withLayer(0, { weights: [[1, 0], [0], [1, 1]] })), 'E_SHAPE', 'layer 1', 'ragged', 'row 2 has 1 entry', 'row 1 has 2');
    expectError(() => validateNetwork(withLayer(1, { weights: [[1, 2, 3, 4]], bias: [0] })), 'E_SHAPE', 'layer 2');
  });

  it('shapes that do not chain -> E_SHAPE', () => {
    expectError(
      () => validateNetwork(withLayer(0, { weights: [[1, 0, 0], [0, 1, 0], [1, 1, 0]] })),
      'E_SHAPE',
      'layer 1',
      '3 columns',
      'inputDim is 2',
    );
    expectError(() => validateNetwork(withLayer(1, { weights: [[1, 2]] })), 'E_SHAPE', 'layer 2', '2 columns', 'layer 1 has 3 output units');
  });

  it('maxout layers chain by units = rows / pieces', () => {
    const maxout = { weights: [[1, 0], [-1, 0], [0, 1], [0, -1]], bias: [0, 0, 0, 0], activation: 'maxout', pieces: 2 };
    const next = (cols: number) => ({ weights: [Array<number>(cols).fill(1)], bias: [0], activation: 'linear' });
    expect(() => validateNetwork({ inputDim: 2, layers: [maxout, next(2)] })).not.toThrow();
    expectError(() => validateNetwork({ inputDim: 2, layers: [maxout, next(4)] }), 'E_SHAPE', 'layer 2', '4 columns', 'layer 1 has 2 output units');
  });

  it('wrong bias length -> E_SHAPE', () => {
    expectError(() => validateNetwork(withLayer(0, { bias: [0, 0] })), 'E_SHAPE', 'layer 1', '"bias" has length 2', '3 rows');
    expectError(() => validateNetwork(withLayer(1, { bias: [0, 0] })), 'E_SHAPE', 'layer 2', 'length 2', '1 row');
  });

  it('a layer with zero rows -> E_SHAPE', () => {
    expectError(() => validateNetwork(withLayer(0, { weights: [], bias: [] })), 'E_SHAPE', 'layer 1', 'no rows');
  });

  it('unknown activation -> E_ACTIVATION listing the allowed ones', () => {
    for (const [v, shown] of [
      ['sigmoid', '"sigmoid"'],
      ['ReLU', '"ReLU"'],
      [3, '3'],
      [null, 'null'],
    ] as const) {
      expectError(() => validateNetwork(withLayer(1, { activation: v })), 'E_ACTIVATION', 'layer 2', shown, 'relu, leaky_relu, abs, linear, maxout');
    }
    expectError(() => validateNetwork(withLayer(0, { activation: undefined })), 'E_FORMAT', 'layer 1', '"activation" is missing');
  });

  it('leaky_relu alpha not finite -> E_NONFINITE; not a number -> E_FORMAT', () => {
    expectError(() => validateNetwork(withLayer(0, { activation: 'leaky_relu', alpha: Infinity })), 'E_NONFINITE', 'layer 1', 'alpha', 'Infinity');
    expectError(() => validateNetwork(withLayer(0, { activation: 'leaky_relu', alpha: NaN })), 'E_NONFINITE', 'layer 1', 'alpha', 'NaN');
    expectError(() => validateNetwork(withLayer(0, { activation: 'leaky_relu', alpha: '0.1' })), 'E_FORMAT', 'layer 1', 'alpha', '"0.1"');
    expectError(() => validateNetwork(withLayer(0, { activation: 'leaky_relu', alpha: null })), 'E_FORMAT', 'layer 1', 'alpha', 'null');
  });

  it('maxout pieces not an integer >= 2 -> E_ACTIVATION', () => {
    const maxout = (pieces: unknown) => withLayer(0, { activation: 'maxout', pieces, weights: [[1, 0], [0, 1], [1, 1], [0, 0]], bias: [0, 0, 0, 0] });
    expectError(() => validateNetwork(maxout(undefined)), 'E_ACTIVATION', 'layer 1', 'pieces');
    for (const [p, shown] of [
      [1, '1'],
      [0, '0'],
      [-2, '-2'],
      [2.5, '2.5'],
      ['2', '"2"'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
    ] as const) {
      expectError(() => validateNetwork(maxout(p)), 'E_ACTIVATION', 'layer 1', 'pieces', `got ${shown}`);
    }
  });

  it('maxout rows not divisible by pieces -> E_SHAPE', () => {
    const net = withLayer(0, { activation: 'maxout', pieces: 2 }); // 3 rows
    expectError(() => validateNetwork(net), 'E_SHAPE', 'layer 1', 'pieces 2', 'got 3');
  });

  it('more than 50,000,000 weights in total -> E_TOO_LARGE (without reading the entries)', () => {
    expect(MAX_TOTAL_WEIGHTS).toBe(50_000_000);
    const row = new Array<number>(8000).fill(0); // shared row: 8000 x 8000 = 64M weights, little memory
    const big = { weights: new Array(8000).fill(row), bias: new Array<number>(8000).fill(0), activation: 'relu' };
    expectError(() => validateNetwork({ inputDim: 8000, layers: [big] }), 'E_TOO_LARGE', 'layer 1', '50000000');
    // Two layers of 6000 x 6000 = 36M each: the second one crosses the limit.
    const r6 = new Array<number>(6000).fill(0);
    const l6 = { weights: new Array(6000).fill(r6), bias: new Array<number>(6000).fill(0), activation: 'relu' };
    expectError(() => validateNetwork({ inputDim: 6000, layers: [l6, l6] }), 'E_TOO_LARGE', 'layer 2');
  });

  it('an invalid network domain is reported as such', () => {
    expectError(() => validateNetwork({ ...base(), domain: { bounds: [[0, 1]] } }), 'E_DOMAIN', 'network domain', 'bounds');
  });
});

describe('validateDomain', () => {
  it('accepts boxes and slices and returns clean copies', () => {
    const bounds = [[-1, 1], [0, 2]];
    const box = validateDomain({ bounds, note: 'x' }, 2);
    expect(box).toEqual({ bounds: [[-1, 1], [0, 2]] });
    expect((box as { bounds: unknown[] }).bounds[0]).not.toBe(bounds[0]);
    const slice = validateDomain({ origin: [0, 0, 0], directions: [[1, 0, 0], [0, 1, 0]], bounds: [[-1, 1], [-1, 1]] }, 3);
    expect(slice).toEqual({ origin: [0, 0, 0], directions: [[1, 0, 0], [0, 1, 0]], bounds: [[-1, 1], [-1, 1]] });
    const line = validateDomain({ origin: [0, 0, 0], directions: [[1, 2, 3]], bounds: [[0, 1]] }, 3);
    expect((line as SliceDomain).directions).toHaveLength(1);
  });

  it('not an object -> E_DOMAIN', () => {
    for (const v of [null, 3, [[0, 1]], 'box']) expectError(() => validateDomain(v, 1), 'E_DOMAIN', 'domain');
  });

  it('box bounds of the wrong length -> E_DOMAIN', () => {
    expectError(() => validateDomain({ bounds: [[0, 1]] }, 2), 'E_DOMAIN', '"bounds" has 1 pair', 'needs 2');
    expectError(() => validateDomain({ bounds: [[0, 1], [0, 1], [0, 1]] }, 2), 'E_DOMAIN', 'has 3 pairs', 'needs 2');
    expectError(() => validateDomain({}, 2), 'E_DOMAIN', '"bounds" is missing');
  });

  it('an entry that is not a [lo, hi] pair of numbers -> E_DOMAIN naming the index', () => {
    expectError(() => validateDomain({ bounds: [[0, 1], [1]] }, 2), 'E_DOMAIN', 'bounds[1]', '[lo, hi] pair');
    expectError(() => validateDomain({ bounds: [[0, 1, 2], [0, 1]] }, 2), 'E_DOMAIN', 'bounds[0]');
    expectError(() => validateDomain({ bounds: [[0, 1], 'x'] }, 2), 'E_DOMAIN', 'bounds[1]', '"x"');
    expectError(() => validateDomain({ bounds: [[0, '1']] }, 1), 'E_DOMAIN', 'bounds[0] hi', '"1"');
    expectError(() => validateDomain({ bounds: [[null, 1]] }, 1), 'E_DOMAIN', 'bounds[0] lo', 'null');
  });

  it('non-finite bounds -> E_NONFINITE naming the index', () => {
    expectError(() => validateDomain({ bounds: [[0, 1], [-Infinity, 1]] }, 2), 'E_NONFINITE', 'bounds[1] lo', '-Infinity');
    expectError(() => validateDomain(JSON.parse('{"bounds": [[0, 1e400]]}'), 1), 'E_NONFINITE', 'bounds[0] hi', 'Infinity');
    expectError(() => validateDomain({ bounds: [[NaN, 1]] }, 1), 'E_NONFINITE', 'bounds[0]', 'NaN');
  });

  it('lo > hi and lo == hi -> E_DOMAIN naming the index and values', () => {
    expectError(() => validateDomain({ bounds: [[0, 1], [2, 1]] }, 2), 'E_DOMAIN', 'bounds[1]', '[2, 1]', 'lo > hi');
    expectError(() => validateDomain({ bounds: [[0.5, 0.5]] }, 1), 'E_DOMAIN', 'bounds[0]', '[0.5, 0.5]', 'empty interior');
  });

  it('names the given location', () => {
    expectError(() => validateDomain({ bounds: [[1, 0]] }, 1, 'dom.json'), 'E_DOMAIN', 'dom.json: bounds[0]');
  });

  const slice = (patch: Record<string, unknown>) => ({
    origin: [0, 0, 0],
    directions: [[1, 0, 0], [0, 1, 0]],
    bounds: [[-1, 1], [-1, 1]],
    ...patch,
  });

  it('slice origin of the wrong length or missing -> E_DOMAIN', () => {
    expectError(() => validateDomain(slice({ origin: [0, 0] }), 3), 'E_DOMAIN', '"origin" has length 2', 'inputDim is 3');
    expectError(() => validateDomain(slice({ origin: undefined }), 3), 'E_DOMAIN', 'origin');
    expectError(() => validateDomain(slice({ origin: [0, 'a', 0] }), 3), 'E_DOMAIN', 'origin[1]', '"a"');
  });

  it('slice with 0 or more than inputDim directions, or directions of the wrong length -> E_DOMAIN', () => {
    expectError(() => validateDomain(slice({ directions: [] }), 3), 'E_DOMAIN', '1 to 3 directions', 'got 0');
    expectError(
      () => validateDomain(slice({ directions: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], bounds: [[0, 1], [0, 1], [0, 1], [0, 1]] }), 3),
      'E_DOMAIN', '1 to 3 directions', 'got 4',
    );
    expect(validateDomain(slice({ directions: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], bounds: [[0, 1], [0, 1], [0, 1]] }), 3)).toMatchObject({
      directions: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    });
    expectError(() => validateDomain(slice({ directions: [[1, 0, 0], [0, 1]] }), 3), 'E_DOMAIN', 'directions[1]', 'length 2', 'inputDim is 3');
    expectError(() => validateDomain(slice({ directions: undefined }), 3), 'E_DOMAIN', 'directions');
    expectError(() => validateDomain(slice({ directions: [[1, 0, 0], 'v'] }), 3), 'E_DOMAIN', 'directions[1]', '"v"');
  });

  it('slice bounds must match the number of directions -> E_DOMAIN', () => {
    expectError(() => validateDomain(slice({ bounds: [[-1, 1]] }), 3), 'E_DOMAIN', 'has 1 pair', 'needs 2', 'one per direction');
    expectError(() => validateDomain(slice({ directions: [[1, 0, 0]] }), 3), 'E_DOMAIN', 'has 2 pairs', 'needs 1');
    expectError(() => validateDomain(slice({ bounds: [[-1, 1], [3, 3]] }), 3), 'E_DOMAIN', 'bounds[1]', 'empty interior');
  });

  it('non-finite slice entries -> E_NONFINITE', () => {
    expectError(() => validateDomain(slice({ origin: [0, NaN, 0] }), 3), 'E_NONFINITE', 'origin[1]', 'NaN');
    expectError(() => validateDomain(slice({ directions: [[1, 0, 0], [0, 1, Infinity]] }), 3), 'E_NONFINITE', 'directions[1][2]', 'Infinity');
  });

  it('a zero direction -> E_DOMAIN', () => {
    expectError(() => validateDomain(slice({ directions: [[0, 0, 0], [0, 1, 0]] }), 3), 'E_DOMAIN', 'directions[0]', 'zero vector');
    expectError(() => validateDomain(slice({ directions: [[1, 0, 0], [0, -0, 0]] }), 3), 'E_DOMAIN', 'directions[1]', 'zero vector');
    expectError(() => validateDomain(slice({ directions: [[0, 0, 0]], bounds: [[0, 1]] }), 3), 'E_DOMAIN', 'zero vector');
  });

  it('linearly dependent directions -> E_DOMAIN, decided exactly', () => {
    const dep = (u: number[], v: number[]) =>
      expectError(() => validateDomain({ origin: u.map(() => 0), directions: [u, v], bounds: [[0, 1], [0, 1]] }, u.length), 'E_DOMAIN', 'linearly dependent');
    const indep = (u: number[], v: number[]) =>
      expect(() => validateDomain({ origin: u.map(() => 0), directions: [u, v], bounds: [[0, 1], [0, 1]] }, u.length)).not.toThrow();
    dep([1, 2, 3], [-2, -4, -6]);
    dep([0.1, 0.7, 0], [0.2, 1.4, 0]); // v = 2u exactly (doubling is exact)
    dep([5e-324, 1e-323], [1, 2]); // subnormals: 1e-323 is exactly 2 * 5e-324
    expectError(() => validateDomain({ origin: [0], directions: [[3], [7]], bounds: [[0, 1], [0, 1]] }, 1), 'E_DOMAIN', '1 to 1 directions');
    // three directions: dependent when one is an exact combination of the others
    const dep3 = (dirs: number[][]) =>
      expectError(() => validateDomain({ origin: [0, 0, 0, 0], directions: dirs, bounds: [[0, 1], [0, 1], [0, 1]] }, 4), 'E_DOMAIN', 'linearly dependent');
    dep3([[1, 2, 0, 1], [0, 1, 1, 0], [1, 3, 1, 1]]);
    dep3([[0.1, 0.2, 0, 0], [0, 0, 0.5, 0], [0.3, 0.6, 1.5, 0]]); // exactly: 0.2 = 2 * 0.1 and 0.6 = 2 * 0.3 as doubles
    expect(() => validateDomain({ origin: [0, 0, 0, 0], directions: [[1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 2 ** -52, 0]], bounds: [[0, 1], [0, 1], [0, 1]] }, 4)).not.toThrow();
    // In float, 1 * 0.30000000000000004 - 3 * 0.1 == 0, but exactly 3 * 0.1 != 0.30000000000000004.
    expect(1 * 0.30000000000000004 - 3 * 0.1).toBe(0);
    indep([1, 3], [0.1, 0.30000000000000004]);
    indep([1, 1], [1, 1 + 2 ** -52]); // a minor of 2^-52: any tolerance would call these parallel
    indep([1e-300, 1e-300], [1e-300, 2e-300]); // the minor 1e-600 underflows to 0 in float
    indep([1e300, 1e300], [1e300, 1e300 * (1 + 2 ** -52)]); // the products overflow to Infinity in float
    indep([0, 0, 1], [0, 1, 0]);
  });

  it('exactProductsEqual and exactlyDependent compare exact values', () => {
    expect(exactProductsEqual(3, 0.1, 1, 0.30000000000000004)).toBe(false);
    expect(exactProductsEqual(0.1, 4, 0.2, 2)).toBe(true);
    expect(exactProductsEqual(-0, 5, 0, -7)).toBe(true);
    expect(exactProductsEqual(-1, 2, 1, 2)).toBe(false);
    expect(exactProductsEqual(1e308, 1e308, 1e308, 1e308)).toBe(true);
    expect(exactProductsEqual(2 ** -1074, 2 ** 1023, 2 ** -51, 1)).toBe(true);
    expect(exactlyDependent([0, 0], [1, 2])).toBe(true);
    expect(exactlyDependent([0, 2, 0], [0, -3, 0])).toBe(true);
    expect(exactlyDependent([0, 2, 0], [0, -3, 1e-320])).toBe(false);
  });
});

describe('resolveDomain and checkSupportedDimension', () => {
  const net = (inputDim: number, domain?: unknown): Network =>
    validateNetwork({
      inputDim,
      layers: [{ weights: [new Array<number>(inputDim).fill(1)], bias: [0], activation: 'relu' }],
      ...(domain === undefined ? {} : { domain }),
    });

  it('takes the argument, else the network domain, else [-1, 1]^inputDim', () => {
    expect(resolveDomain(net(2))).toEqual({ bounds: [[-1, 1], [-1, 1]] });
    expect(resolveDomain(net(1, { bounds: [[0, 3]] }))).toEqual({ bounds: [[0, 3]] });
    expect(resolveDomain(net(1, { bounds: [[0, 3]] }), { bounds: [[-5, 5]] })).toEqual({ bounds: [[-5, 5]] });
    expectError(() => resolveDomain(net(1), { bounds: [[5, -5]] }), 'E_DOMAIN', 'bounds[0]');
  });

  it('the counted dimension; the whole space by default above 2 inputs; E_DIMENSION above 64', () => {
    expect(checkSupportedDimension({ bounds: [[0, 1]] }, 1)).toBe(1);
    expect(checkSupportedDimension({ bounds: [[0, 1], [0, 1]] }, 2)).toBe(2);
    const slice: SliceDomain = { origin: new Array<number>(20).fill(0), directions: [new Array<number>(20).fill(1)], bounds: [[0, 1]] };
    expect(checkSupportedDimension(slice, 20)).toBe(1);
    expect(resolveDomain(net(2))).toEqual({ bounds: [[-1, 1], [-1, 1]] });
    expect(resolveDomain(net(3))).toEqual({ whole: true });
    expect(checkSupportedDimension({ whole: true }, 3)).toBe(3);
    expect(checkSupportedDimension({ whole: true }, 64)).toBe(64);
    expectError(() => checkSupportedDimension({ whole: true }, 65), 'E_DIMENSION', '65 dimensions', 'up to 64');
  });
});

describe('readJsonFile and loadNetworkFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lr-validate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('missing file -> E_FILE with the path and "no such file"', () => {
    const p = join(dir, 'nope.json');
    expectError(() => readJsonFile(p), 'E_FILE', p, 'no such file');
  });

  it('a directory -> E_FILE', () => {
    expectError(() => readJsonFile(dir), 'E_FILE', dir, 'directory');
  });

  it('truncated JSON -> E_JSON saying "truncated", with the position', () => {
    const p = file('trunc.json', '{"inputDim": 2, "layers": [{"weights": [[1, 2]');
    expectError(() => readJsonFile(p), 'E_JSON', p, 'truncated', /position \d+ \(line 1, column \d+\)/);
    const q = file('trunc2.json', '{"inputDim": 2,\n "layers": [');
    expectError(() => readJsonFile(q), 'E_JSON', 'truncated', 'line 2');
  });

  it('not JSON / empty -> E_JSON', () => {
    const p = file('bad.json', 'inputDim = 2\n');
    const err = expectError(() => readJsonFile(p), 'E_JSON', p, 'not valid JSON');
    expect(err.message).not.toContain('truncated');
    expectError(() => readJsonFile(file('empty.json', '  \n')), 'E_JSON', 'empty');
    expectError(() => readJsonFile(file('pos.json', '{"a": 1,, "b": 2}')), 'E_JSON', /position \d+/);
  });

  it('reads valid JSON (with a byte-order mark)', () => {
    expect(readJsonFile(file('ok.json', '\uFEFF{"a": [1, 2]}'))).toEqual({ a: [1, 2] });
  });

  it('loadNetworkFile validates and names the file; 1e400 -> E_NONFINITE', () => {
    const p = file('inf.json', '{"inputDim": 1, "layers": [{"weights": [[1e400]], "bias": [0], "activation": "relu"}]}');
    expectError(() => loadNetworkFile(p), 'E_NONFINITE', p, 'layer 1, row 1, column 1', 'Infinity');
    const q = file('ok-net.json', JSON.stringify(base()));
    expect(loadNetworkFile(q).layers).toHaveLength(2);
  });
});
