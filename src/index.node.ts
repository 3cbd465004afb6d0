/**
 * linear-regions for Node: exact counts of the linear regions of piecewise-linear networks.
 * The core .wasm is read from disk next to the package, on first use (no top-level await).
 */
import { createApi } from './count/api.js';
import { loadModule, loadModuleSync } from './count/wasm-node.js';
import { countParallel } from './count/parallel.js';
import type { CountOptions, CountResult, Region } from './count/api-types.js';
import { tropicalizeSync as tropicalizeWith, type TropicalOptions, type TropicalResult } from './theory/tropical/tropicalize.js';

const api = createApi({ load: loadModule, loadSync: loadModuleSync, parallel: countParallel });

/** Counts activation and linear regions of `network` on `domain` (default: its own, else [-1,1]^n). */
export const countRegions: (network: unknown, domain?: unknown, options?: CountOptions) => Promise<CountResult> =
  api.countRegions;
/** Yields every activation region with its pattern, polygon or interval, and output map. */
export const regions: (network: unknown, domain?: unknown, options?: CountOptions) => AsyncGenerator<Region, CountResult> =
  api.regions;
/** Resolves once the WebAssembly module is compiled (optional: every call waits for it). */
export const ready: () => Promise<void> = api.ready;
/** Synchronous countRegions (Node only): blocks until done; maxRegions works, signal does not. */
export const countRegionsSync = api.countRegionsSync!;
/** Synchronous regions (Node only). */
export const regionsSync = api.regionsSync!;

/** A network's outputs as tropical rational maps F - G, reduced, with exact counts (see docs/theory.md). */
export const tropicalizeSync = (network: unknown, options: TropicalOptions = {}): TropicalResult =>
  tropicalizeWith(network, options, { regions: regionsSync, count: countRegionsSync });
/** Promise form of {@link tropicalizeSync}, as in browsers. */
export const tropicalize = async (network: unknown, options: TropicalOptions = {}): Promise<TropicalResult> => tropicalizeSync(network, options);

export * from './public.js';
