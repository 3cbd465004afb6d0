/**
 * linear-regions for Node: exact counts of the linear regions of piecewise-linear networks.
 * The core .wasm is read from disk next to the package, on first use (no top-level await).
 */
import { loadModule, loadModuleSync } from './count/wasm-node.js';
import { countDecisionRegions as decisionCount, countDecisionRegionsSync as decisionCountSync, nodeApi } from './count/node-api.js';
import type { DecisionResult } from './count/decision.js';
import { createConvacApi } from './theory/convac/rank.js';
import type { CountOptions, CountResult, Region } from './count/api-types.js';
import type { Domain, Network } from './network/types.js';
import { tropicalizeSync as tropicalizeWith, type TropicalOptions, type TropicalResult } from './theory/tropical/tropicalize.js';

const api = nodeApi;

/** Counts activation and linear regions of `network` on `domain` (default: its own, else [-1,1]^n for 1 or 2 inputs and R^n above). */
export const countRegions: (network: Network, domain?: Domain | null, options?: CountOptions) => Promise<CountResult> =
  api.countRegions;
/** Yields every activation region with its pattern, polygon or interval, and output map. */
export const regions: (network: Network, domain?: Domain | null, options?: CountOptions) => AsyncGenerator<Region, CountResult> =
  api.regions;
/** Resolves once the WebAssembly module is compiled (optional: every call waits for it). */
export const ready: () => Promise<void> = api.ready;
/** Options of the synchronous calls: no signal, no progress (nothing else runs until they return). */
export type SyncOptions = Omit<CountOptions, 'signal' | 'onProgress'>;
/** Synchronous countRegions (Node only): blocks until done; maxRegions works, signal does not. */
export const countRegionsSync: (network: Network, domain?: Domain | null, options?: SyncOptions) => CountResult = api.countRegionsSync!;
/** Synchronous regions (Node only). */
export const regionsSync: (network: Network, domain?: Domain | null, options?: SyncOptions) => Generator<Region, CountResult> =
  api.regionsSync!;

/** Decision regions of a classifier: connected regions where the argmax of the outputs is constant (count/decision.ts). */
export const countDecisionRegions: (network: Network, domain?: Domain | null, options?: CountOptions) => Promise<DecisionResult> =
  decisionCount;
/** Synchronous countDecisionRegions (Node only). */
export const countDecisionRegionsSync: (network: Network, domain?: Domain | null, options?: SyncOptions) => DecisionResult =
  decisionCountSync;

// ConvAC ranks (src/theory/convac/): convacRank, convacRankSync, buildConvacGridTensor, overlapExperiment
const convac = createConvacApi({ load: loadModule, loadSync: loadModuleSync }, api.countRegions);
export const { convacRank, buildConvacGridTensor, overlapExperiment } = convac;
export const convacRankSync = convac.convacRankSync!;

/** A network's outputs as tropical rational maps F - G, reduced, with exact counts (see docs/theory.md). */
export const tropicalizeSync = (network: unknown, options: TropicalOptions = {}): TropicalResult =>
  tropicalizeWith(network, options, { regions: regionsSync, count: countRegionsSync });
/** Promise form of {@link tropicalizeSync}, as in browsers. */
export const tropicalize = async (network: unknown, options: TropicalOptions = {}): Promise<TropicalResult> => tropicalizeSync(network, options);

export * from './public.js';
