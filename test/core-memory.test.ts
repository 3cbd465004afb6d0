/**
 * The core's memory reused between counts (src/count/core-memory.ts): a memory given back is
 * handed out again zeroed, and counts that run one after another on the calling thread (each on
 * the memory the last one gave back) agree with the exact reference, whatever ran before them.
 */
import { describe, expect, it } from 'vitest';
import { countRegions, countRegionsSync } from '../src/index.node.js';
import { giveBack, takeMemory } from '../src/count/core-memory.js';
import type { Domain, Network } from '../src/network/types.js';
import { gaussianNet } from './helpers/nets.js';
import { referenceCountNd } from './reference/reference-nd.js';

describe('the core memory pool', () => {
  it('hands a memory back zeroed, and keeps at most two', () => {
    const a = takeMemory();
    a.grow(3);
    new Uint8Array(a.buffer).fill(0xa5);
    giveBack(a);
    const again = takeMemory();
    expect(again).toBe(a);
    const bytes = new Uint8Array(again.buffer);
    expect(bytes.byteLength).toBe(5 * 65536);
    expect(bytes.every((b) => b === 0)).toBe(true);
    // given back with the bytes its count used: those are zeroed, the rest was never written
    new Uint8Array(again.buffer).fill(0x5a, 0, 70000);
    giveBack(again, 70000);
    expect(takeMemory()).toBe(again);
    expect(new Uint8Array(again.buffer).every((b) => b === 0)).toBe(true);
    const [x, y, z] = [takeMemory(), takeMemory(), takeMemory()];
    for (const m of [again, x, y, z]) giveBack(m);
    const kept = new Set([takeMemory(), takeMemory(), takeMemory()]);
    expect([again, x, y, z].filter((m) => kept.has(m))).toHaveLength(2);
  });

  it("reports each count's own memory, not the size a reused memory kept from a larger count", () => {
    const small = gaussianNet([3, 6, 5, 1], 7201);
    const large = gaussianNet([3, 24, 24, 24, 1], 7202);
    const box = { bounds: [[-2, 2], [-2, 2], [-2, 2]] as [number, number][] };
    // (the core's statistics ride on the result, outside its public type)
    const memoryBytes = (r: object): number => (r as { stats: { memoryBytes: number } }).stats.memoryBytes;
    const before = memoryBytes(countRegionsSync(small, box));
    const big = memoryBytes(countRegionsSync(large, box));
    const after = memoryBytes(countRegionsSync(small, box));
    expect(big).toBeGreaterThan(before);
    expect(after).toBe(before);
  });

  it('counts in a row, each on the memory the last gave back, equal the reference (seeded nets, 2-D and 3-D)', async () => {
    const cases: Array<{ net: Network; domain: Domain }> = [];
    for (let seed = 1; seed <= 6; seed++) {
      const d = 2 + (seed % 2);
      cases.push({ net: gaussianNet([d, 6, 5, 1], 7100 + seed), domain: { bounds: Array.from({ length: d }, (): [number, number] => [-2, 2]) } });
    }
    const want = cases.map(({ net, domain }) => referenceCountNd(net, domain));
    // twice through the list, sync and async in turn: every count but the first runs on reused memory
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < cases.length; i++) {
        const { net, domain } = cases[i]!;
        const got = round === 0 ? countRegionsSync(net, domain) : await countRegions(net, domain);
        expect([got.activationRegions, got.linearRegions, got.perLayer], `case ${i} (seed ${7101 + i}), round ${round}`).toEqual([
          want[i]!.activationRegions,
          want[i]!.linearRegions,
          want[i]!.perLayer,
        ]);
      }
    }
  });
});
