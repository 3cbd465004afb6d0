/**
 * Work given back mid-count (src/count/parallel.ts, donation): instances hand their pending
 * layer-1 cells over at many points, also while counting a unit they received (as a worker asked
 * to donate does), and the units go on in other instances. The counts, merged as threads and shards merge them, must equal the
 * exact reference (BigInt rationals, test/reference/) on seeded random 2-D and n-D cases.
 */
import { describe, expect, it } from 'vitest';
import type { Input } from '../src/count/api.js';
import { LocalCounter, readUnits, type CountingCore } from '../src/count/handover.js';
import { pack } from '../src/count/pack.js';
import { linearAcross, setupCore } from '../src/count/parallel.js';
import { loadModuleSync } from '../src/count/wasm-node.js';
import { resolveDomain, validateNetwork } from '../src/network/validate.js';
import type { Domain, Network } from '../src/network/types.js';
import { randomCase } from './reference/random-nets.js';
import { randomCaseNd } from './reference/random-nets-nd.js';
import { referenceCount } from './reference/reference.js';
import { referenceCountNd } from './reference/reference-nd.js';
import { coreImports } from '../src/count/core-memory.js';

const module = loadModuleSync();

function instance(words: Float64Array): CountingCore {
  const core = new WebAssembly.Instance(module, coreImports()).exports as unknown as CountingCore;
  const ptr = core.prepare(words.byteLength);
  new Float64Array(core.memory.buffer, ptr, words.length).set(words);
  expect(core.setup(0, 1, 0)).toBe(0);
  return core;
}

/**
 * Three instances take turns, one small chunk each: the first counts the domain from the start,
 * the others take units from a shared queue when their stack is empty. Every few chunks the
 * instance whose turn it is hands its pending layer-1 cells to the queue (as a thread asked to
 * donate does). Returns the merged counts and how many hand-overs gave units, per instance.
 */
function countWithDonations(network: Network, domain: Domain | undefined, seed: number) {
  const net = validateNetwork(network);
  const dom = resolveDomain(net, domain);
  const input: Input = { network: net, domain: dom, packed: pack(net, dom), warnings: [] };
  const cores = [0, 1, 2].map(() => instance(input.packed.words));
  const busy = [true, false, false];
  const queue: Uint8Array[] = [];
  const handOvers = [0, 0, 0];
  const budget = 2 + (seed % 5);
  let turn = 0;
  for (let step = 0; busy.some((b) => b) || queue.length > 0; step++) {
    const i = turn++ % 3;
    const core = cores[i]!;
    if (!busy[i]) {
      const unit = queue.shift();
      if (!unit) continue;
      const at = core.scratch(unit.byteLength);
      new Uint8Array(core.memory.buffer, at, unit.byteLength).set(unit);
      expect(core.resumeUnit(at)).toBe(1);
      busy[i] = true;
    }
    const status = core.run(budget);
    expect(status === 0 || status === 1, `run status ${status}`).toBe(true);
    if (status === 0) busy[i] = false;
    else if (step % (3 + (seed % 4)) === 0) {
      const n = core.handOver();
      expect(n).toBeGreaterThanOrEqual(0);
      if (n > 0) {
        handOvers[i]!++;
        queue.push(...readUnits(core));
      }
    }
  }
  const L = net.layers.length;
  const results = cores.map((c) => new LocalCounter(c, L, true).result(undefined));
  const pairing = setupCore(module, input.packed.words, true)!;
  const { linearRegions } = linearAcross(pairing, results, input.packed);
  const perLayer = Array.from({ length: L }, (_, l) => results.reduce((a, r) => a + r.perLayer[l]!, 0));
  return { a: results.reduce((a, r) => a + r.regions, 0), l: linearRegions, p: perLayer, handOvers };
}

type Case = { network: Network; domain: Domain | undefined; description: string; ref: { activationRegions: number; linearRegions: number | null; perLayer: number[] } };
const cases2d = (seed: number): Case => {
  const c = randomCase(seed);
  return { network: c.network, domain: c.domain, description: c.description, ref: referenceCount(c.network, c.domain) };
};
const casesNd = (seed: number): Case => {
  const c = randomCaseNd(seed);
  return { network: c.network, domain: c.domain as Domain | undefined, description: c.description, ref: referenceCountNd(c.network, c.domain) };
};

describe('counts handed over again and again, also from instances counting a unit', () => {
  it.each([
    ['2-D: 80 seeded random cases', 80, cases2d],
    ['n-D: 50 seeded random cases (3-6-D boxes, polytopes, the whole space)', 50, casesNd],
  ] as const)('%s equal the exact reference', (_name, count, make) => {
    let repeated = 0;
    let fromUnits = 0;
    for (let seed = 1; seed <= count; seed++) {
      const c = make(seed);
      const r = countWithDonations(c.network, c.domain, seed);
      expect({ a: r.a, l: r.l, p: r.p }, `seed ${seed}: ${c.description}`).toEqual({ a: c.ref.activationRegions, l: c.ref.linearRegions, p: c.ref.perLayer });
      if (r.handOvers[0]! >= 2) repeated++;
      if (r.handOvers[1]! + r.handOvers[2]! > 0) fromUnits++;
    }
    // the cases do exercise an instance that hands over again (a later unit), and hand-overs
    // from instances counting a unit they were given
    expect(repeated).toBeGreaterThanOrEqual(5);
    expect(fromUnits).toBeGreaterThanOrEqual(5);
  });
});
