/** The training API (issue 14): what src/public.ts re-exports with one line. */
export { Adam } from './adam.js';
export type { AdamOptions } from './adam.js';
export { lossAndGradient, meanSquaredError, mlpLayout, mlpWorkspace, networkToParams, paramsToNetwork } from './mlp.js';
export type { MlpLayout, MlpWorkspace } from './mlp.js';
export { milkertLayout, milkertNetworkFromPeaks, peakGradient, peakParameterCount, setWeightsFromPeaks } from './reparam.js';
export { TARGETS, TARGET_NAMES, TEST_POINTS, TRAIN_POINTS, optimalKnots, referenceMse, testGrid, trainingGrid } from './targets.js';
export type { Target, TargetName } from './targets.js';
export { PEAK_MIN, TRAINING_DEFAULTS, peakBound, Trainer, initialPeaks, kaimingNetwork, resolveTrainOptions, testMse, trainKaiming, trainMilkert } from './train.js';
export type {
  RegionCheckpoint,
  ResolvedTrainOptions,
  TrainOptions,
  TrainProgress,
  TrainResult,
  TrainingMethod,
  TrainingPhase,
  TrainingRegionCounter,
} from './train.js';
export { EXPERIMENT_METHODS, formatMilkertExperiment, milkertExperiment, milkertExperimentToJson } from './experiment.js';
export type { ExperimentMethod, MethodResult, MilkertExperimentOptions, MilkertExperimentResult, TargetResult } from './experiment.js';
