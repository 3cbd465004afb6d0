/**
 * countRegions checks the weight rows without copying them (validateNetwork's borrowWeights: the
 * rows are packed into the core at once), so the 30 million weights of a lowered LeNet-5 are not
 * copied twice. The checks must still be those of a copying validation, and typed-array rows
 * (which packing now copies with TypedArray.set) must count as plain arrays do.
 */
import { describe, expect, it } from 'vitest';
import { countRegions, countRegionsSync, LinearRegionsError } from '../src/index.node.js';
import { validateNetwork } from '../src/network/validate.js';
import type { Network } from '../src/network/types.js';
import { referenceCount } from './reference/reference.js';
import { layer, net } from './helpers/nets.js';

const plain = (): Network =>
  net(2, [
    layer([[1, 0.5], [-0.25, 1], [0.75, -0.5], [0, 0]], [0.125, -0.25, 0, 0.5], 'relu'),
    layer([[1, -1, 0.5, 0.25], [0.5, 0.5, -1, 1]], [0.0625, -0.125], 'relu'),
  ]);
const box = { bounds: [[-1, 1], [-1, 1]] as [number, number][] };

function caught(f: () => unknown): LinearRegionsError {
  try {
    f();
  } catch (e) {
    return e as LinearRegionsError;
  }
  throw new Error('expected an error');
}

describe('weights checked without a copy', () => {
  it('Float64Array rows count as the exact reference counts the plain network', async () => {
    const ref = referenceCount(plain(), box);
    const typed = plain();
    for (const l of typed.layers) l.weights = l.weights.map((row) => Float64Array.from(row)) as unknown as number[][];
    const sync = countRegionsSync(typed, box);
    const async = await countRegions(typed, box);
    for (const got of [sync, async]) {
      expect({ a: got.activationRegions, l: got.linearRegions, p: got.perLayer }).toEqual({ a: ref.activationRegions, l: ref.linearRegions, p: ref.perLayer });
    }
  });

  it('a NaN, an infinity or a non-number in a row is refused as before, naming layer, row and column', () => {
    const cases: [unknown, string, RegExp][] = [
      [Number.NaN, 'E_NONFINITE', /layer 2, row 1, column 3: weight must be finite, got NaN/],
      [-Infinity, 'E_NONFINITE', /layer 2, row 1, column 3: weight must be finite, got -Infinity/],
      ['0.5', 'E_FORMAT', /layer 2, row 1, column 3: weight must be a number, got "0.5"/],
    ];
    for (const [bad, code, message] of cases) {
      const network = plain();
      (network.layers[1]!.weights[0] as unknown[])[2] = bad;
      const err = caught(() => countRegionsSync(network, box));
      expect(err).toBeInstanceOf(LinearRegionsError);
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
      // the copying validation says the same
      const copied = caught(() => validateNetwork(network));
      expect([copied.code, copied.message]).toEqual([err.code, err.message]);
    }
    // and the next call works
    expect(countRegionsSync(plain(), box).activationRegions).toBe(referenceCount(plain(), box).activationRegions);
  });

  it('validateNetwork still copies by default; borrowWeights shares the checked rows', () => {
    const network = plain();
    const copied = validateNetwork(network);
    const borrowed = validateNetwork(network, { borrowWeights: true });
    expect(copied.layers[0]!.weights[0]).not.toBe(network.layers[0]!.weights[0]);
    expect(copied.layers[0]!.weights).toEqual(network.layers[0]!.weights);
    expect(borrowed.layers[0]!.weights[0]).toBe(network.layers[0]!.weights[0]);
  });
});
