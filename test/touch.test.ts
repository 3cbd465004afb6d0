/**
 * The touch certificate (assembly/queries-nd.ts touchCertificate, rows-nd.ts exactConeCertificate):
 * where the float LP cannot certify the sign of a unit's maximum over a cell, a float search for
 * g = -sum y_i row_i (y_i > 0) over the rows active at its optimum, checked exactly, settles the
 * case "the hyperplane only touches the cell" without the exact LP. Expected values: hand-made rows
 * whose combinations are known, and the slow exact n-D reference (BigInt) on deep networks whose
 * points at infinity make those touches (every unit of layer 2 and up is 0 there where layer 1 is
 * all off).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countRegionsSync } from '../src/index.node.js';
import { pack } from '../src/count/pack.js';
import type { Domain, Network } from '../src/network/types.js';
import { referenceCountNd } from './reference/reference-nd.js';
import { gaussianNet } from './helpers/nets.js';
import type { CountingCoreExports } from './helpers/core.js';
import { coreImports } from '../src/count/core-memory.js';

interface TouchCore extends CountingCoreExports {
  layers(): number;
  statTouchCertificates(): number;
  statExactLpCalls(): number;
  testRowsBuffer(n: number): number;
  testRowWords(): number;
  testConeCertificate(): number;
}

const module = new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));

function core(network: Network, domain: Domain, linear: number): TouchCore {
  const c = new WebAssembly.Instance(module, coreImports()).exports as unknown as TouchCore;
  const { words } = pack(network, domain);
  const ptr = c.prepare(words.byteLength);
  new Float64Array(c.memory.buffer, ptr, words.length).set(words);
  expect(c.setup(0, linear, 0)).toBe(0);
  return c;
}

describe('the touch certificate', () => {
  // (a 3-D box count: the LP variables are its 3 coordinates, rows (a0, a1, a2, beta))
  const box3 = { bounds: [[-1, 1], [-1, 1], [-1, 1]] as [number, number][] };
  const tiny = gaussianNet([3, 2, 1], 1);
  /** Whether g is -sum y_i rows_i with every y_i > 0, exactly. */
  function cone(rows: number[][], g: number[]): boolean {
    const c = core(tiny, box3, 0);
    const stride = c.testRowWords();
    const ptr = c.testRowsBuffer(rows.length);
    const view = new Float64Array(c.memory.buffer, ptr, (rows.length + 1) * stride);
    [...rows, g].forEach((r, i) => view.set(r, i * stride));
    return c.testConeCertificate() === 1;
  }
  const r1 = [0.375, -1.25, 2, 0.5];
  const r2 = [-3, 0.25, 0.125, -1];
  const r3 = [1, 1, -0.5, 0.0625];
  const comb = (ys: number[], rows: number[][]) => [0, 1, 2, 3].map((k) => -rows.reduce((s, r, i) => s + ys[i]! * r[k]!, 0));

  it('finds g = -(y1 r1 + y2 r2 + y3 r3) with every y > 0, exactly (dyadic rows: the sums are exact in float64)', () => {
    expect(cone([r1, r2, r3], comb([2, 0.5, 3], [r1, r2, r3]))).toBe(true);
    expect(cone([r1, r2], comb([1, 1], [r1, r2]))).toBe(true);
    expect(cone([r1], comb([7], [r1]))).toBe(true);
    // exponents far apart (each sum still exact)
    const a = [2 ** -900, 0, 1, 0];
    const b = [0, 2 ** 600, 0, 1];
    expect(cone([a, b], [-(2 ** -900), -(2 ** 600), -1, -1])).toBe(true);
  });

  it('refuses a combination with a coefficient <= 0, one that is off by one unit in the last place, and dependent rows', () => {
    expect(cone([r1, r2, r3], comb([2, -0.5, 3], [r1, r2, r3]))).toBe(false);
    expect(cone([r1, r2], comb([1, 0], [r1, r2]))).toBe(false);
    expect(cone([r1], comb([-1], [r1]))).toBe(false);
    const g = comb([2, 0.5, 3], [r1, r2, r3]);
    g[3] = g[3]! + 2 ** -50 * Math.abs(g[3]!); // (exact in float64, and no longer the combination)
    expect(cone([r1, r2, r3], g)).toBe(false);
    expect(cone([r1, r1.map((x) => 2 * x)], comb([1, 1], [r1, r1.map((x) => 2 * x)]))).toBe(false);
  });

  it('deep networks on the whole space: touches settled without the exact LP, counts equal to the exact reference', () => {
    let touches = 0;
    for (const [widths, seed] of [[[3, 4, 4, 4, 1], 1], [[5, 4, 4, 4, 1], 1]] as const) {
      const network = gaussianNet([...widths], seed);
      const ref = referenceCountNd(network, { whole: true });
      for (const linear of [1, 0]) {
        const c = core(network, { whole: true }, linear);
        while (c.run(1 << 20) === 1);
        const perLayer = Array.from({ length: c.layers() }, (_, l) => c.layerCount(l + 1));
        const name = `${widths.join('-')} seed ${seed}, linear ${linear}`;
        expect([c.activationRegions(), perLayer], name).toEqual([ref.activationRegions, ref.perLayer]);
        if (linear) expect(c.activationRegions() - c.mergedFaces(), name).toBe(ref.linearRegions);
        touches += c.statTouchCertificates();
      }
      // (the API, which counts these small networks in the homogeneous chart too)
      const api = countRegionsSync(network, { whole: true });
      expect([api.activationRegions, api.linearRegions, api.perLayer]).toEqual([ref.activationRegions, ref.linearRegions, ref.perLayer]);
    }
    expect(touches).toBeGreaterThan(100);
  }, 60_000);
});
