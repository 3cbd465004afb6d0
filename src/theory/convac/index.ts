/** ConvAC grid tensors and exact matricization ranks (Sharir and Shashua 2018): the public surface. */
export { validateConvacSpec, outputPositions, MAX_TABLE_ENTRIES } from './spec.js';
export type { ConvacLayer, ConvacSpec, ConvacShape } from './spec.js';
export { PARTITION_NAMES, entryBitsBound, planConvac, readPositions, resolvePartition, structuralBound } from './structure.js';
export type { Partition, PartitionName, Plan } from './structure.js';
export { createConvacApi } from './rank.js';
export type { ConvacApi, ConvacCertificate, ConvacGridOptions, ConvacGridTensor, ConvacProgress, ConvacRankOptions, ConvacRankResult } from './rank.js';
export { isPrime32, randomPrime, rankModPTs, residue } from './modular.js';
export { CONVAC_WEIGHTS, convacNetwork, convacParameters, parseGcLayers } from './construct.js';
export type { ConvacConstructOptions, ConvacWeights, GcShape } from './construct.js';
export { channelsForBudget, formatOverlap, overlapArchitectures } from './experiment.js';
export type { OverlapOptions, OverlapResult, OverlapRow, RankFunction, RankSummary, ReluRow, SliceCounter } from './experiment.js';
export { randomSlice, reluConvNet } from './relu.js';
