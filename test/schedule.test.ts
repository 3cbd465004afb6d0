/**
 * When a count brings in workers (src/count/api.ts worthWorkers): only while a fair share of the
 * domain is still on the core's stack. The share itself (assembly pendingShare) is checked against
 * its definition: all of the domain before the count, none after it, between the two while it
 * runs, and in 2-D never growing (a split keeps the area, a finished region removes its own).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EARLY_MS, EARLY_WORTH_MS, PROBE_MS, probeFor, worthEarly, worthWorkers } from '../src/count/api.js';
import { ENGINE_HOMOGENEOUS, ENGINE_POLYGON } from '../src/count/pack.js';
import { pack } from '../src/count/pack.js';
import { resolveDomain, validateNetwork } from '../src/network/validate.js';
import type { Domain, Network } from '../src/network/types.js';
// @ts-expect-error plain JS module without types (seeded networks shared with bench/)
import { heNormal, integerNet } from '../bench/nets.js';
import { coreImports } from '../src/count/core-memory.js';

const module = new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));

interface Core {
  memory: WebAssembly.Memory;
  prepare(bytes: number): number;
  setup(maxRegions: number, linear: number, emit: number): number;
  run(budget: number): number;
  pendingShare(): number;
  sampleShare(): number;
}

function shares(network: Network, domain: Domain | undefined, budget: number, which: 'pendingShare' | 'sampleShare' = 'pendingShare'): number[] {
  const net = validateNetwork(network);
  const { words } = pack(net, resolveDomain(net, domain));
  const core = new WebAssembly.Instance(module, coreImports()).exports as unknown as Core;
  const ptr = core.prepare(words.byteLength);
  new Float64Array(core.memory.buffer, ptr, words.length).set(words);
  expect(core.setup(0, 1, 0)).toBe(0);
  const out = [core[which]()];
  for (;;) {
    const s = core.run(budget);
    out.push(core[which]());
    if (s === 0) break;
    expect(s).toBe(1);
  }
  return out;
}

describe('the share of the domain still to count', () => {
  it('2-D: 1 before, 0 after, never growing in between (boxes and an integer net with ties)', () => {
    for (const [net, domain] of [
      [heNormal([2, 16, 16, 1], 3), { bounds: [[-1, 1], [-1, 1]] }],
      [integerNet([2, 10, 10, 1], 4), { bounds: [[-3, 5], [-2, 2]] }],
    ] as [Network, Domain][]) {
      const s = shares(net, domain, 7);
      expect(s.length).toBeGreaterThan(20);
      expect(s[0]).toBeCloseTo(1, 12);
      expect(s.at(-1)).toBe(0);
      for (let i = 1; i < s.length; i++) expect(s[i]!).toBeLessThanOrEqual(s[i - 1]! + 1e-12);
    }
  });

  it('n-D: 1 before and 0 after on a box; 1 while counting in the homogeneous chart (no volume there)', () => {
    const box = shares(heNormal([3, 8, 8, 1], 5), { bounds: [[-1, 1], [-1, 1], [-2, 2]] }, 5);
    expect(box[0]).toBeCloseTo(1, 12);
    expect(box.at(-1)).toBe(0);
    for (const v of box) expect(v >= 0 && v <= 1).toBe(true);
    expect(box.some((v) => v > 0 && v < 1)).toBe(true);
    const whole = shares(heNormal([3, 8, 8, 1], 5), { whole: true } as Domain, 5);
    expect(whole.slice(0, -1).every((v) => v === 1)).toBe(true);
    expect(whole.at(-1)).toBe(0);
  });
});

describe('the share of the domain still to count, from sample points (the early start)', () => {
  it('n-D boxes, slices, the whole space and polytopes (the chart): 1 before, 0 after, never growing in between; -1 in 2-D', () => {
    for (const [net, domain] of [
      [heNormal([3, 8, 8, 1], 5), { bounds: [[-1, 1], [-1, 1], [-2, 2]] }],
      [heNormal([4, 10, 10, 1], 6), { bounds: [[-1, 1], [-1, 1], [-1, 1], [-1, 1]] }],
      [integerNet([3, 6, 6, 1], 7), { bounds: [[-3, 5], [-2, 2], [0, 1]] }],
      // (the homogeneous chart: its box |y| <= 1, 0 <= t <= 1; a half-space's cone takes half of
      // it, and the share is of the points inside the domain, so it starts at 1 there too)
      [heNormal([3, 8, 8, 1], 5), { whole: true }],
      [heNormal([3, 8, 8, 1], 5), { A: [[1, 0, 0]], b: [0] }],
      [heNormal([4, 6, 6, 1], 8), { A: [[1, 1, 0, 0], [-1, 0, 0, 0]], b: [0.5, 2] }],
    ] as [Network, Domain][]) {
      const s = shares(net, domain, 5, 'sampleShare');
      expect(s.length).toBeGreaterThan(10);
      expect(s[0]).toBe(1);
      expect(s.at(-1)).toBe(0);
      // (the cells on the stack only split or finish: the points inside them never come back)
      for (let i = 1; i < s.length; i++) expect(s[i]!).toBeLessThanOrEqual(s[i - 1]!);
      expect(s.some((v) => v > 0 && v < 1)).toBe(true);
    }
    const plane = shares(heNormal([2, 8, 8, 1], 5), { bounds: [[-1, 1], [-1, 1]] }, 5, 'sampleShare');
    expect(plane.every((v) => v === -1)).toBe(true);
  });
});

describe('worthEarly', () => {
  it('brings workers in before the probe ends only when the work left at the rate so far is well above it', () => {
    expect(worthEarly(EARLY_MS, 0.95)).toBe(true); // 190 ms left at 10 ms for 5%
    expect(worthEarly(EARLY_MS, 0.92)).toBe(true); // 115 ms left
    expect(worthEarly(EARLY_MS, 0.85)).toBe(false); // 56.7 ms left
    expect(worthEarly(2 * EARLY_MS, 0.8)).toBe(false); // 80 ms left
    expect(worthEarly(EARLY_MS, 1)).toBe(true); // no sample point released yet: a long count
    expect(worthEarly(EARLY_MS / 2, 0.99)).toBe(false); // before EARLY_MS
    expect(worthEarly(EARLY_MS, 0)).toBe(false); // done
    expect(worthEarly(EARLY_MS, -1)).toBe(false); // no box to sample (the whole space, polytopes, 2-D)
    expect(EARLY_WORTH_MS).toBeGreaterThan(PROBE_MS);
  });
});

describe('worthWorkers', () => {
  it('brings workers in when at least a probe of work is left at the rate so far', () => {
    expect(worthWorkers(PROBE_MS, 0.5)).toBe(true); // another PROBE_MS left
    expect(worthWorkers(PROBE_MS, 0.4)).toBe(false); // 40 ms left
    expect(worthWorkers(PROBE_MS, 0.1)).toBe(false); // the 2-D count that took 15% longer
    expect(worthWorkers(PROBE_MS, 0.95)).toBe(true);
    expect(worthWorkers(PROBE_MS, 1)).toBe(true); // nothing known (the homogeneous chart)
    expect(worthWorkers(PROBE_MS, 0)).toBe(false); // done
  });
});

describe('probeFor', () => {
  it('probes twice as long in the homogeneous chart, where the share left is unknown', () => {
    expect(probeFor(ENGINE_POLYGON)).toBe(PROBE_MS);
    expect(probeFor(ENGINE_HOMOGENEOUS)).toBe(2 * PROBE_MS);
  });
});
