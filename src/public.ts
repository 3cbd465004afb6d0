/** What both entry points export besides the counting functions. */
export { LinearRegionsError } from './errors.js';
export type { ErrorCode } from './errors.js';
export type { Activation, BoxDomain, Domain, Layer, Network, SliceDomain } from './network/types.js';
export type { CountOptions, CountResult, Progress, Region, StopReason } from './count/api-types.js';
export type { CoreStats } from './count/api.js';
export { validateNetwork, validateDomain, resolveDomain } from './network/validate.js';
export { loadOnnx, readOnnx, looksLikeOnnx } from './onnx/import.js';
export type { OnnxImport } from './onnx/import.js';
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
// Tropical geometry (issue 12): tropical polynomials, the recursion, types of tropicalize's result.
export * from './theory/tropical/index.js';
