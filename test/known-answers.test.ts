// Counts from the fast core against closed forms and hand counts (never against its own output).
import { describe, expect, test } from 'vitest';
import { countRegionsSync } from '../src/index.node.js';
import type { Layer, Network } from '../src/network/types.js';

const C2 = (n: number) => (n * (n - 1)) / 2;

/** One ReLU layer of lines w.x + b, followed by a linear read-out that keeps every unit. */
function lines(rows: [number, number, number][]): Network {
  return {
    inputDim: 2,
    layers: [
      { weights: rows.map(([a, b]) => [a, b]), bias: rows.map(([, , c]) => c), activation: 'relu' },
      { weights: [rows.map((_, i) => i + 1)], bias: [0], activation: 'linear' },
    ],
  };
}

/** Telgarsky's hat t(x) = 2 relu(x) - 4 relu(x - 1/2) on [0, 1], composed L times. */
function sawtooth(L: number): Network {
  const layers: Layer[] = [{ weights: [[1], [1]], bias: [0, -0.5], activation: 'relu' }];
  for (let i = 1; i < L; i++) {
    // next hat's input is 2 a - 4 b, folded into the weights
    layers.push({ weights: [[2, -4], [2, -4]], bias: [0, -0.5], activation: 'relu' });
  }
  layers.push({ weights: [[2, -4]], bias: [0], activation: 'linear' });
  return { inputDim: 1, layers, domain: { bounds: [[0, 1]] } };
}

describe('Zaslavsky: n lines in general position, every crossing inside the box', () => {
  for (let n = 1; n <= 14; n++) {
    test(`n = ${n}: 1 + n + C(n, 2) = ${1 + n + C2(n)}`, () => {
      // tangents to the circle of radius 1/2 at angles in [0, pi/2]: no two parallel, no three
      // concurrent, every crossing within 0.5 / cos(pi/4) < 1 of the origin
      const rows: [number, number, number][] = [];
      for (let i = 0; i < n; i++) {
        const t = (i / Math.max(1, n - 1)) * (Math.PI / 2) * 0.98 + 0.01;
        rows.push([Math.cos(t), Math.sin(t), -0.5]);
      }
      const r = countRegionsSync(lines(rows), { bounds: [[-1, 1], [-1, 1]] });
      expect(r.activationRegions).toBe(1 + n + C2(n));
      expect(r.perLayer).toEqual([1 + n + C2(n), 1 + n + C2(n)]);
      // the read-out weights 1..n make every region's output map different
      expect(r.linearRegions).toBe(1 + n + C2(n));
    });
  }
});

describe("Telgarsky's sawtooth: 2^L linear regions on [0, 1]", () => {
  for (const L of [1, 2, 3, 4, 6, 8, 10, 12, 14]) {
    test(`L = ${L}`, () => {
      const r = countRegionsSync(sawtooth(L));
      expect(r.linearRegions).toBe(2 ** L);
      // layer i doubles the pieces: each hat's two units split [0,1] at every 1/2^i point
      expect(r.perLayer.slice(0, L)).toEqual(Array.from({ length: L }, (_, i) => 2 ** (i + 1)));
      expect(r.activationRegions).toBe(2 ** L);
    });
  }
});

describe('hand counts on degenerate input', () => {
  const box = { bounds: [[-1, 1], [-1, 1]] as [number, number][] };
  test('relu(x) - relu(x): 2 activation regions, 1 linear region', () => {
    const net: Network = {
      inputDim: 1,
      layers: [
        { weights: [[1], [1]], bias: [0, 0], activation: 'relu' },
        { weights: [[1, -1]], bias: [0], activation: 'linear' },
      ],
    };
    const r = countRegionsSync(net, { bounds: [[-1, 1]] });
    expect([r.activationRegions, r.linearRegions]).toEqual([2, 1]);
  });
  test('n lines through one point: 2n regions', () => {
    const rows: [number, number, number][] = [[1, 0, 0], [0, 1, 0], [1, 1, 0], [1, -1, 0], [1, 2, 0], [2, 1, 0], [1, -3, 0]];
    for (let n = 1; n <= rows.length; n++) {
      expect(countRegionsSync(lines(rows.slice(0, n)), box).activationRegions).toBe(2 * n);
    }
  });
  test('coincident lines with scaled and flipped normals count once', () => {
    const r = countRegionsSync(lines([[1, 1, 0], [-2, -2, 0], [0.5, 0.5, 0], [3, 3, 0]]), box);
    expect(r.activationRegions).toBe(2);
  });
  test('a line touching the box only at a corner, or along a side, does not split it', () => {
    expect(countRegionsSync(lines([[1, 1, -2]]), box).activationRegions).toBe(1);
    expect(countRegionsSync(lines([[1, 0, -1]]), box).activationRegions).toBe(1);
    expect(countRegionsSync(lines([[1, 0, -1], [0, 1, 1], [1, 1, -2]]), box).activationRegions).toBe(1);
  });
  test('zero rows do not split', () => {
    expect(countRegionsSync(lines([[0, 0, 0], [0, 0, 1], [0, 0, -1]]), box).activationRegions).toBe(1);
    expect(countRegionsSync(lines([[0, 0, 0], [1, 0, 0], [0, 0, 0]]), box).activationRegions).toBe(2);
  });
  test('a grid of integer lines: (a+1)(b+1) cells', () => {
    // x = -1/2, 0, 1/2 and y = 0, 1/2: 4 x 3 = 12 cells, lines meeting at grid points exactly
    const rows: [number, number, number][] = [[2, 0, 1], [1, 0, 0], [2, 0, -1], [0, 1, 0], [0, 2, -1]];
    expect(countRegionsSync(lines(rows), box).activationRegions).toBe(12);
  });
  test('a 1-D line slice through a 2-D net counts intervals', () => {
    // the x axis crosses the lines x = -1/2, 0, 1/2 (and runs along y = 0, which does not split)
    const rows: [number, number, number][] = [[2, 0, 1], [1, 0, 0], [2, 0, -1], [0, 1, 0]];
    const r = countRegionsSync(lines(rows), { origin: [0, 0], directions: [[1, 0]], bounds: [[-1, 1]] });
    expect(r.dimension).toBe(1);
    expect(r.activationRegions).toBe(4);
  });
  test('a plane slice with the unit directions equals the box', () => {
    const rows: [number, number, number][] = [[1, 2, 0.25], [-1, 1, 0.5], [3, -1, 0], [0.5, 0.25, -0.125]];
    const sliced = countRegionsSync(lines(rows), { origin: [0, 0], directions: [[1, 0], [0, 1]], bounds: [[-1, 1], [-1, 1]] });
    // 4 lines in general position, all 6 crossings inside the box: 1 + 4 + 6
    expect(sliced.activationRegions).toBe(11);
  });
  test('maxout of x, y and 0: three cells; max of a piece and itself: one', () => {
    const m: Network = {
      inputDim: 2,
      layers: [{ weights: [[1, 0], [0, 1], [0, 0]], bias: [0, 0, 0], activation: 'maxout', pieces: 3 }],
    };
    expect(countRegionsSync(m, box).activationRegions).toBe(3);
    const dup: Network = {
      inputDim: 2,
      layers: [{ weights: [[1, 1], [1, 1], [2, 2]], bias: [0, 0, 0], activation: 'maxout', pieces: 3 }],
    };
    // pieces 0 and 1 are identical (ties go to piece 0), piece 2 = 2(x+y) wins where x + y > 0
    expect(countRegionsSync(dup, box).activationRegions).toBe(2);
  });
  test('abs folds: |x| then |.| - 1/2 gives 4 pieces of a W on [-1, 1]', () => {
    const w: Network = {
      inputDim: 1,
      layers: [
        { weights: [[1]], bias: [0], activation: 'abs' },
        { weights: [[1]], bias: [-0.5], activation: 'abs' },
        { weights: [[1]], bias: [0], activation: 'linear' },
      ],
    };
    const r = countRegionsSync(w, { bounds: [[-1, 1]] });
    expect([r.activationRegions, r.linearRegions]).toEqual([4, 4]);
  });
  test('a sparse layer (an identity selection, like lowered pooling) keeps the count of the lines before it', () => {
    // 6 tangent lines (1 + 6 + 15 regions), then a maxout layer whose pieces are copies of single
    // units (rows of an identity matrix: 1 non-zero per row, the sparse path), then a read-out
    const rows: [number, number, number][] = [];
    for (let i = 0; i < 6; i++) {
      const t = (i / 5) * (Math.PI / 2) * 0.98 + 0.01;
      rows.push([Math.cos(t), Math.sin(t), -0.5]);
    }
    const eye = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
    const net: Network = {
      inputDim: 2,
      layers: [
        { weights: rows.map(([a, b]) => [a, b]), bias: rows.map(([, , c]) => c), activation: 'relu' },
        { weights: eye(6), bias: new Array(6).fill(0), activation: 'linear' },
        { weights: [[1, 2, 3, 4, 5, 6]], bias: [0], activation: 'linear' },
      ],
    };
    const r = countRegionsSync(net, { bounds: [[-1, 1], [-1, 1]] });
    expect([r.activationRegions, r.linearRegions]).toEqual([22, 22]);
    expect(r.perLayer).toEqual([22, 22, 22]);
  });
  test('leaky ReLU with alpha = 1 is linear: 2 activation regions, 1 linear region', () => {
    const net: Network = {
      inputDim: 1,
      layers: [
        { weights: [[1]], bias: [0], activation: 'leaky_relu', alpha: 1 },
        { weights: [[3]], bias: [1], activation: 'linear' },
      ],
    };
    const r = countRegionsSync(net, { bounds: [[-1, 1]] });
    expect([r.activationRegions, r.linearRegions]).toEqual([2, 1]);
  });
});
