// The API around the core: regions() output, maxRegions, AbortSignal, progress, the browser entry.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import { countRegions, countRegionsSync, LinearRegionsError, regions, regionsSync } from '../src/index.node.js';
import type { Domain, Network } from '../src/network/types.js';
import { Rng, randomCase } from './reference/random-nets.js';
import { referenceCount } from './reference/reference.js';

/** Uniform [0, 1) numbers from the seeded generator the reference tests use. */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

function randomNet(widths: number[], seed: number): Network {
  const r = rng(seed);
  const g = () => (r() - 0.5) * 2;
  return {
    inputDim: widths[0]!,
    layers: widths.slice(1).map((w, i) => ({
      weights: Array.from({ length: w }, () => Array.from({ length: widths[i]! }, g)),
      bias: Array.from({ length: w }, () => g() * 0.5),
      activation: i === widths.length - 2 ? ('linear' as const) : ('relu' as const),
    })),
  };
}

/** Float forward pass (for sanity checks at interior points, well away from boundaries). */
function forward(net: Network, x: number[]): { pattern: number[][]; out: number[] } {
  const pattern: number[][] = [];
  let h = x;
  for (const layer of net.layers) {
    const z = layer.weights.map((row, i) => row.reduce((s, w, j) => s + w * h[j]!, layer.bias[i]!));
    if (layer.activation === 'relu') {
      pattern.push(z.map((v) => (v > 0 ? 1 : 0)));
      h = z.map((v) => Math.max(0, v));
    } else {
      pattern.push([]);
      h = z;
    }
  }
  return { pattern, out: h };
}

const shoelace = (poly: [number, number][]) =>
  0.5 * poly.reduce((s, [x, y], i) => s + x * poly[(i + 1) % poly.length]![1] - poly[(i + 1) % poly.length]![0] * y, 0);

describe('regions()', () => {
  const net = randomNet([2, 8, 8, 2], 3);
  const box = { bounds: [[-1, 1], [-1, 1]] as [number, number][] };

  test('yields every activation region once, tiling the box, with its pattern and output map', async () => {
    const count = countRegionsSync(net, box);
    const seen = new Set<string>();
    let area = 0;
    let n = 0;
    for await (const region of regions(net, box)) {
      n++;
      seen.add(JSON.stringify(region.pattern));
      expect(region.polygon!.length).toBeGreaterThanOrEqual(3);
      const a = shoelace(region.polygon!);
      expect(a).toBeGreaterThan(0); // counter-clockwise, positive area
      area += a;
      const f = forward(net, region.interiorPoint);
      expect(f.pattern).toEqual(region.pattern);
      const [px, py] = region.interiorPoint as [number, number];
      region.map.weights.forEach((w, k) => {
        expect(w[0]! * px + w[1]! * py + region.map.bias[k]!).toBeCloseTo(f.out[k]!, 9);
      });
    }
    expect(n).toBe(count.activationRegions);
    expect(seen.size).toBe(n);
    expect(area).toBeCloseTo(4, 9); // the box [-1, 1]^2
  });

  test('1-D regions are intervals that tile the domain in order-independent fashion', () => {
    const net1 = randomNet([1, 6, 6, 1], 9);
    const list = [...regionsSync(net1, { bounds: [[-2, 3]] })];
    expect(list.length).toBe(countRegionsSync(net1, { bounds: [[-2, 3]] }).activationRegions);
    const total = list.reduce((s, r) => s + (r.interval![1] - r.interval![0]), 0);
    expect(total).toBeCloseTo(5, 12);
    for (const r of list) expect(r.polygon).toBeUndefined();
  });

  test('linearRegionOf labels every region with its linear region, as the exact reference counts them', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const c = randomCase(seed);
      const domain = (c as { domain?: Domain }).domain;
      const list = [...regionsSync(c.network, domain)];
      const it = regionsSync(c.network, domain);
      let next = it.next();
      while (!next.done) next = it.next();
      const labels = next.value.linearRegionOf!;
      expect(labels.length, `randomCase(${seed})`).toBe(list.length);
      labels.forEach((l, i) => {
        expect(l).toBeLessThanOrEqual(i);
        expect(labels[l]).toBe(l); // the label is the smallest index of the group, itself labelled so
      });
      expect(new Set(labels).size, `randomCase(${seed})`).toBe(referenceCount(c.network, domain).linearRegions);
    }
    // f = relu(x) - relu(x): both activation regions form one linear region
    const cancel: Network = {
      inputDim: 1,
      layers: [
        { weights: [[1], [1]], bias: [0, 0], activation: 'relu' },
        { weights: [[1, -1]], bias: [0], activation: 'linear' },
      ],
    };
    const it = regionsSync(cancel, { bounds: [[-1, 1]] });
    let next = it.next();
    while (!next.done) next = it.next();
    expect([...next.value.linearRegionOf!]).toEqual([0, 0]);
  });

  test('the generator returns the count as its value', async () => {
    const it = regions(net, box);
    let next = await it.next();
    while (!next.done) next = await it.next();
    expect(next.value.activationRegions).toBe(countRegionsSync(net, box).activationRegions);
  });
});

describe('options', () => {
  const big = randomNet([2, 24, 24, 24, 1], 11);
  const full = countRegionsSync(big);

  test('maxRegions stops early with a partial result', async () => {
    expect(full.activationRegions).toBeGreaterThan(100);
    const r = await countRegions(big, undefined, { maxRegions: 50 });
    expect(r.partial).toBe(true);
    expect(r.stopReason).toBe('maxRegions');
    expect(r.activationRegions).toBe(50);
    expect(full.partial).toBe(false);
    expect(full.stopReason).toBe('complete');
  });

  test('an aborted signal stops the count; the result is marked partial', async () => {
    const controller = new AbortController();
    controller.abort();
    const r = await countRegions(big, undefined, { signal: controller.signal });
    expect(r.partial).toBe(true);
    expect(r.stopReason).toBe('aborted');
    expect(r.activationRegions).toBeLessThan(full.activationRegions);
  });

  test('abort during a count, from a progress callback', async () => {
    const controller = new AbortController();
    let calls = 0;
    const r = await countRegions(randomNet([2, 64, 64, 64, 1], 5), undefined, {
      signal: controller.signal,
      onProgress: (p) => {
        calls++;
        expect(p.activationRegions).toBeGreaterThanOrEqual(0);
        controller.abort();
      },
    });
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(r.stopReason).toBe('aborted');
    expect(r.partial).toBe(true);
  });

  test('linearRegions: false skips the faces', () => {
    const r = countRegionsSync(big, undefined, { linearRegions: false });
    expect(r.activationRegions).toBe(full.activationRegions);
    expect(r.linearRegions).toBeNull();
  });

  test('bad options are clear errors', async () => {
    await expect(countRegions(big, undefined, { maxRegions: -1 })).rejects.toMatchObject({ code: 'E_ARGS' });
    await expect(countRegions(big, undefined, { maxRegions: 1.5 })).rejects.toBeInstanceOf(LinearRegionsError);
  });

  test('more than 2 inputs: the whole space by default (n-D engine); slices still 2-D', async () => {
    const net3 = randomNet([3, 4, 1], 2);
    // 4 hyperplanes in general position in R^3: 1 + 4 + 6 + 4 regions (Zaslavsky)
    const whole = await countRegions(net3);
    expect(whole).toMatchObject({ activationRegions: 15, dimension: 3, domain: { whole: true }, partial: false });
    const sliced = await countRegions(net3, { origin: [0, 0, 0], directions: [[1, 0, 0], [0, 1, 1]], bounds: [[-1, 1], [-1, 1]] });
    expect(sliced.dimension).toBe(2);
    expect(sliced.activationRegions).toBeGreaterThan(0);
  });

  test('maxout with more than 15 pieces: linear regions refused with a clear error, activation regions fine', async () => {
    const k = 16;
    const net: Network = {
      inputDim: 1,
      layers: [{ weights: Array.from({ length: k }, (_, i) => [i]), bias: Array.from({ length: k }, (_, i) => -i * i / 32), activation: 'maxout', pieces: k }],
    };
    await expect(countRegions(net)).rejects.toMatchObject({ code: 'E_ACTIVATION' });
    const r = await countRegions(net, undefined, { linearRegions: false });
    expect(r.activationRegions).toBeGreaterThan(1);
  });

  test('concurrent counts do not interfere', async () => {
    const a = randomNet([2, 16, 16, 1], 1);
    const b = randomNet([2, 12, 12, 12, 1], 2);
    const [ra, rb] = await Promise.all([countRegions(a), countRegions(b)]);
    expect(ra.activationRegions).toBe(countRegionsSync(a).activationRegions);
    expect(rb.activationRegions).toBe(countRegionsSync(b).activationRegions);
  });
});

describe('the browser entry point', () => {
  test('imports no Node built-ins, directly or through its imports', () => {
    const seen = new Set<string>();
    const bad: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8');
      for (const m of source.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = (m[1] ?? m[2])!;
        if (spec.startsWith('.')) visit(posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts'));
        else if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!)) bad.push(`${file} imports ${spec}`);
      }
      if (/\bprocess\.|\brequire\(|__dirname|\bBuffer\./.test(source)) bad.push(`${file} uses a Node global`);
    };
    visit('index.browser.ts');
    expect(seen.has('count/api.ts')).toBe(true);
    expect(seen.has('count/wasm-browser.ts')).toBe(true);
    expect(seen.has('count/wasm-node.ts')).toBe(false);
    expect(bad).toEqual([]);
  });
});
