/** What both entry points export besides the counting functions. */
export { LinearRegionsError, escapeControls } from './errors.js';
export type { ErrorCode } from './errors.js';
export type { Activation, BoxDomain, Domain, Layer, Network, PolytopeDomain, SliceDomain, WholeDomain } from './network/types.js';
export type { CountOptions, CountResult, Progress, Region, StopReason } from './count/api-types.js';
export type { CoreStats } from './count/api.js';
export type { DecisionResult } from './count/decision.js';
export { MAX_CLASSES, withArgmax } from './count/decision.js';
export { validateNetwork, validateDomain, resolveDomain } from './network/validate.js';
export type { ValidateOptions } from './network/validate.js';
export { loadOnnx, readOnnx, looksLikeOnnx } from './onnx/import.js';
export type { OnnxImport, OnnxOptions } from './onnx/import.js';
export { loadTfjs, readTfjs, looksLikeTfjs } from './tfjs/load.js';
export type { TfjsImport, TfjsOptions } from './tfjs/load.js';
// Theory: closed-form bounds, the papers' constructions, the deep-versus-shallow experiment.
export {
  BOUND_INFO,
  BOUND_NAMES,
  ESTIMATE_NAMES,
  arrangementRegions,
  binomial,
  boundsToJson,
  computeBounds,
  haninRolnick2019,
  montufar2014,
  montufar2014Maxout,
  montufar2017,
  naiveBound,
  pascanu2013,
  serra2018,
  serra2018Lower,
  serra2018Maxout,
  sumBinomials,
  zaslavsky,
  zhang2018,
} from './theory/bounds.js';
export type { BoundKind, BoundName, BoundsOptions, BoundsReport, EstimateName, HaninRolnickOptions } from './theory/bounds.js';
export { CONSTRUCTION_NAMES, INITS, createRng, milkert, montufarFolding, randomNetwork, sawtooth } from './theory/constructions.js';
export type { ConstructedNetwork, ConstructionName, Init, MilkertOptions, RandomOptions, Rng } from './theory/constructions.js';
export { deepVsShallow, deepVsShallowToJson, formatDeepVsShallow, parameterCount, splitNeurons } from './theory/experiments.js';
export type {
  ArchitectureRow,
  DeepVsShallowOptions,
  DeepVsShallowResult,
  HaninRolnickCheck,
  RandomCounts,
  RegionCounter,
} from './theory/experiments.js';
// Training with guaranteed regions (Milkert, Hyde, Laine) against Kaiming init: src/theory/training/.
export * from './theory/training/index.js';
// ConvAC grid tensors and exact matricization ranks (src/theory/convac/); convacRank etc. come from the entry points.
export * from './theory/convac/index.js';
// Tropical geometry (issue 12): tropical polynomials, the recursion, types of tropicalize's result.
export * from './theory/tropical/index.js';
