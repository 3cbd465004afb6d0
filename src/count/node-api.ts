/**
 * The counting API for Node, on its own: index.node.ts re-exports it with the rest of the library,
 * and the CLI loads only this (and what it imports) for `count`, not the ONNX importer, the
 * theory modules or the rest of the public API (about 90 ms of module loading per call).
 */
import { createApi } from './api.js';
import { loadModule, loadModuleSync } from './wasm-node.js';
import { countParallel, countPiecesOnWorkers, warmWorkers } from './parallel.js';
import { createDecisionCount, createDecisionCountSync } from './decision.js';

/** The one API instance of the process (its first-count pace and parallel-count rule are shared). */
export const nodeApi = createApi({ load: loadModule, loadSync: loadModuleSync, parallel: countParallel, pieces: countPiecesOnWorkers, warmWorkers });

export const countDecisionRegions = createDecisionCount(nodeApi.countRegions);
export const countDecisionRegionsSync = createDecisionCountSync(nodeApi.countRegionsSync!);
