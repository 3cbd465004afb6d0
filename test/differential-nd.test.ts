/**
 * Differential test of the n-D engine: countRegions against the slow exact n-D reference
 * (test/reference/reference-nd.ts) on seeded random networks in 3 to 6 dimensions (Gaussian,
 * integer and dyadic weights with degenerate rows; boxes, polytopes, simplices, cross-polytopes
 * and the whole space).
 *
 * ND_CASES cases per run (default 600, seeds ND_SEED_START.. ); a failure prints the seed, what
 * was drawn and the JSON of the network and domain (replay with randomCaseNd(seed)).
 */
import { describe, expect, it } from 'vitest';
import { countRegions } from '../src/index.node.js';
import type { Domain, Network } from '../src/network/types.js';
import { referenceCountNd, type ReferenceNdResult } from './reference/reference-nd.js';
import { randomCaseNd } from './reference/random-nets-nd.js';

const CASES = Number(process.env.ND_CASES ?? 600);
const SEED_START = Number(process.env.ND_SEED_START ?? 1);
const CHUNK = 50;

export async function compareNd(label: string, network: Network, domain: Domain | undefined): Promise<string | null> {
  const replay = `${label}\nnetwork: ${JSON.stringify(network)}\ndomain: ${JSON.stringify(domain ?? null)}`;
  let ref: ReferenceNdResult;
  try {
    ref = referenceCountNd(network, domain);
  } catch (e) {
    return `${replay}\nreference threw: ${(e as Error).message}`;
  }
  let got;
  try {
    got = await countRegions(network, domain);
  } catch (e) {
    return `${replay}\ncore threw: ${(e as Error).message}\nreference: ${JSON.stringify(ref)}`;
  }
  const core = { activationRegions: got.activationRegions, linearRegions: got.linearRegions, perLayer: got.perLayer, dimension: got.dimension };
  const same =
    core.activationRegions === ref.activationRegions &&
    core.linearRegions === ref.linearRegions &&
    core.dimension === ref.dimension &&
    JSON.stringify(core.perLayer) === JSON.stringify(ref.perLayer) &&
    !got.partial;
  if (same) return null;
  return `${replay}\nreference: ${JSON.stringify(ref)}\ncore:      ${JSON.stringify(core)}`;
}

describe(`n-D engine vs the exact n-D reference: ${CASES} seeded random networks in 3-6 dimensions (seeds ${SEED_START}..${SEED_START + CASES - 1})`, () => {
  for (let start = SEED_START; start < SEED_START + CASES; start += CHUNK) {
    const end = Math.min(start + CHUNK, SEED_START + CASES) - 1;
    it(`seeds ${start}..${end}`, async () => {
      const failures: string[] = [];
      for (let seed = start; seed <= end; seed++) {
        const c = randomCaseNd(seed);
        const f = await compareNd(c.description, c.network, c.domain as Domain | undefined);
        if (f) failures.push(f);
        if (failures.length >= 3) break;
      }
      expect(failures.join('\n\n'), failures.join('\n\n')).toBe('');
    }, 120_000);
  }
});
