/**
 * The core's instances reused between counts (src/count/core-memory.ts): an instance given back is
 * handed out again in the state instantiation gives (every global, the static data, zeros above
 * them), and counts that run one after another on the calling thread (each on the instance the
 * last one gave back) agree with the exact reference, whatever ran before them.
 */
import { readFileSync } from 'node:fs';
import binaryen from 'assemblyscript/binaryen';
import { describe, expect, it } from 'vitest';
import { countRegions, countRegionsSync } from '../src/index.node.js';
import { coreImports, giveBackInstance, takeInstance } from '../src/count/core-memory.js';
import { pack } from '../src/count/pack.js';
import { resolveDomain, validateNetwork } from '../src/network/validate.js';
import type { Domain, Network } from '../src/network/types.js';
import { gaussianNet } from './helpers/nets.js';
import { referenceCountNd } from './reference/reference-nd.js';

/** The shipped core with every global exported as `g<index>` (read by the test, never written). */
function coreWithGlobals(): { module: WebAssembly.Module; globals: number } {
  const mod = binaryen.readBinary(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));
  mod.setFeatures(binaryen.Features.All);
  const globals = mod.getNumGlobals();
  for (let i = 0; i < globals; i++) mod.addGlobalExport(binaryen.getGlobalInfo(mod.getGlobalByIndex(i)).name, `g${i}`);
  const bytes = mod.emitBinary();
  mod.dispose();
  return { module: new WebAssembly.Module(new Uint8Array(bytes)), globals };
}

type Raw = {
  memory: WebAssembly.Memory;
  prepare(bytes: number): number;
  setup(maxRegions: number, linear: number, emit: number): number;
  run(budget: number): number;
  memoryLimitMiB(mib: number): void;
  memoryBytes(): number;
  activationRegions(): number;
} & Record<string, unknown>;

/** Every global's value (BigInt for i64) and every byte of memory the instance holds. */
function state(exports: object, globals: number): { globals: unknown[]; memory: Uint8Array } {
  const values = [];
  const get = exports as Record<string, WebAssembly.Global | WebAssembly.Memory>;
  for (let i = 0; i < globals; i++) values.push((get[`g${i}`] as WebAssembly.Global).value);
  return { globals: values, memory: new Uint8Array((get.memory as WebAssembly.Memory).buffer) };
}

/** One count on raw exports, with linear regions and a memory limit set: the count's own state changes. */
function countOn(core: Raw, net: Network, domain: Domain): number {
  const valid = validateNetwork(net);
  const { words } = pack(valid, resolveDomain(valid, domain));
  core.memoryLimitMiB(64);
  const ptr = core.prepare(words.byteLength);
  new Float64Array(core.memory.buffer, ptr, words.length).set(words);
  expect(core.setup(0, 1, 0)).toBe(0);
  while (core.run(1 << 30) === 1);
  return core.activationRegions();
}

describe('the core instance pool', () => {
  it('hands an instance back in the state instantiation gives: every global, the static data and zeros above', () => {
    const { module, globals } = coreWithGlobals();
    const fresh = new WebAssembly.Instance(module, coreImports()).exports;
    const want = state(fresh, globals);
    const nets: Array<[Network, Domain]> = [
      [gaussianNet([3, 8, 8, 1], 7301), { bounds: [[-1, 1], [-1, 1], [-1, 1]] }],
      [gaussianNet([2, 12, 12, 1], 7302), { bounds: [[-2, 2], [-2, 2]] }],
      [gaussianNet([4, 6, 6, 1], 7303), { whole: true }],
    ];
    let taken = takeInstance(module);
    for (const [net, domain] of nets) {
      const core = taken.exports as Raw;
      expect(countOn(core, net, domain)).toBeGreaterThan(1);
      // (the count changed its state: otherwise the comparison below would test nothing)
      expect(state(core, globals).globals).not.toEqual(want.globals);
      giveBackInstance(module, taken, core.memoryBytes());
      const again = takeInstance(module);
      expect(again.exports).toBe(taken.exports);
      const got = state(again.exports, globals);
      expect(got.globals).toEqual(want.globals);
      expect(got.memory.subarray(0, want.memory.length)).toEqual(want.memory);
      expect(got.memory.subarray(want.memory.length).every((b) => b === 0)).toBe(true);
      taken = again;
    }
  });

  it('keeps at most two instances, and none whose memory grew past 16 MiB', () => {
    const { module } = coreWithGlobals();
    const [a, b, c] = [takeInstance(module), takeInstance(module), takeInstance(module)];
    for (const x of [a, b, c]) giveBackInstance(module, x);
    const kept = new Set([takeInstance(module), takeInstance(module), takeInstance(module)].map((x) => x.exports));
    expect([a, b, c].filter((x) => kept.has(x.exports))).toHaveLength(2);
    const big = takeInstance(module);
    big.memory.grow(256);
    giveBackInstance(module, big);
    expect(takeInstance(module).exports).not.toBe(big.exports);
  });

  it('a count refused at set-up gives its instance back whole: the counts after it equal the reference', async () => {
    const net = gaussianNet([3, 7, 6, 1], 7401);
    const other = gaussianNet([3, 6, 6, 1], 7402);
    const box: Domain = { bounds: [[-2, 2], [-2, 2], [-2, 2]] };
    // (a flat polytope: its pieces, and the chart, are refused by the core's set-up, decided exactly)
    const flat: Domain = { A: [[1, 0, 0], [-1, 0, 0]], b: [0, 0] };
    const want = [referenceCountNd(net, box), referenceCountNd(other, box)];
    const counts = (r: { activationRegions: number; linearRegions: number | null; perLayer: number[] }) => [r.activationRegions, r.linearRegions, r.perLayer];
    for (let round = 0; round < 3; round++) {
      expect(() => countRegionsSync(net, flat)).toThrow(expect.objectContaining({ code: 'E_DOMAIN' }) as Error);
      expect(counts(countRegionsSync(net, box)), `round ${round}`).toEqual(counts(want[0]!));
      await expect(countRegions(other, flat)).rejects.toMatchObject({ code: 'E_DOMAIN' });
      expect(counts(await countRegions(other, box)), `round ${round}`).toEqual(counts(want[1]!));
    }
  });

  it("reports each count's own memory, not the size a reused instance's memory kept from a larger count", () => {
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

  it('counts in a row, each on the instance the last gave back, equal the reference (seeded nets, 2-D and 3-D)', async () => {
    const cases: Array<{ net: Network; domain: Domain }> = [];
    for (let seed = 1; seed <= 6; seed++) {
      const d = 2 + (seed % 2);
      cases.push({ net: gaussianNet([d, 6, 5, 1], 7100 + seed), domain: { bounds: Array.from({ length: d }, (): [number, number] => [-2, 2]) } });
    }
    const want = cases.map(({ net, domain }) => referenceCountNd(net, domain));
    // twice through the list, sync and async in turn: every count but the first runs on a reused instance
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
