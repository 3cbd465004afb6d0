/**
 * linear-regions for browsers (and any runtime with fetch): the core .wasm is fetched relative to
 * this module on first use (no top-level await). Imports no Node built-ins.
 */
import { createApi } from './count/api.js';
import { loadModule } from './count/wasm-browser.js';
import { createConvacApi } from './theory/convac/rank.js';
import { createDecisionCount, type DecisionResult } from './count/decision.js';
import type { CountOptions, CountResult, Region } from './count/api-types.js';
import type { Domain, Network } from './network/types.js';
import { tropicalizeAsync, type TropicalOptions, type TropicalResult } from './theory/tropical/tropicalize.js';

const api = createApi({ load: loadModule });

export const countRegions: (network: Network, domain?: Domain | null, options?: CountOptions) => Promise<CountResult> =
  api.countRegions;
export const regions: (network: Network, domain?: Domain | null, options?: CountOptions) => AsyncGenerator<Region, CountResult> =
  api.regions;
export const ready: () => Promise<void> = api.ready;
/** Decision regions of a classifier: connected regions where the argmax of the outputs is constant (count/decision.ts). */
export const countDecisionRegions: (network: Network, domain?: Domain | null, options?: CountOptions) => Promise<DecisionResult> =
  createDecisionCount(api.countRegions);

// ConvAC ranks (src/theory/convac/)
export const { convacRank, buildConvacGridTensor, overlapExperiment } = createConvacApi({ load: loadModule }, api.countRegions);
/** A network's outputs as tropical rational maps F - G, reduced, with exact counts (see docs/theory.md). */
export const tropicalize = (network: unknown, options: TropicalOptions = {}): Promise<TropicalResult> =>
  tropicalizeAsync(network, options, { regions: api.regions, count: api.countRegions });

export * from './public.js';
