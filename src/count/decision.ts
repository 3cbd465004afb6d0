/**
 * Decision regions of a classifier: the connected pieces of the domain on which the predicted
 * class, the argmax of the network's outputs (its logits), is the same.
 *
 * The network gets one more layer: a single maxout unit whose pieces are the K logits (for one
 * output, the two pieces 0 and z: class 1 where z > 0). Its piece in a cell is the class there,
 * ties going to the lowest index as in `argmax` of PyTorch and NumPy, and its hyperplanes
 * z_i = z_j are where the class can change. Counting that network with linear regions, the core
 * joins two cells across a common face when they have the same class instead of the same output
 * map (assembly/faces.ts, with DECISION_FLAG in the packed network): what it counts as linear
 * regions is then the decision regions, exactly, with the same engines, threads and partial
 * results as any count. Cells meeting only at a lower-dimensional set (a point in 2-D) are not
 * joined, as for linear regions.
 */
import { LinearRegionsError } from '../errors.js';
import type { CountOptions, CountResult, StopReason } from './api-types.js';
import type { Domain, Layer, Network } from '../network/types.js';
import { outputUnits, validateNetwork } from '../network/validate.js';
import { DECISION, type DecisionOption } from './pack.js';

/** Face keys hold a maxout unit's tie set in 15 bits: at most 15 classes. */
export const MAX_CLASSES = 15;

export interface DecisionResult {
  /**
   * The number of decision regions (connected regions of constant argmax class), or null when the
   * count stopped early (then only `cells` is a lower bound).
   */
  decisionRegions: number | null;
  /** The classes: the network's outputs (2 for a single output, read as z > 0). */
  classes: number;
  /** Activation regions of the network with its argmax unit: cells on which the class and every unit are fixed. */
  cells: number;
  partial: boolean;
  stopReason: StopReason;
  /** The count's own time in milliseconds. */
  elapsedMs: number;
  /** Validation warnings (unknown keys in the network or domain). */
  warnings: string[];
}

/**
 * The network with its argmax unit appended: one maxout unit over the K outputs (over 0 and the
 * output for K = 1). Throws E_ARGS above {@link MAX_CLASSES} classes.
 */
export function withArgmax(network: Network): { network: Network; classes: number } {
  const last = network.layers[network.layers.length - 1]!;
  const K = outputUnits(last);
  const classes = K === 1 ? 2 : K;
  if (classes > MAX_CLASSES) {
    throw new LinearRegionsError('E_ARGS', `decision regions are counted for up to ${MAX_CLASSES} classes; the network has ${K} outputs`);
  }
  const weights = K === 1 ? [[0], [1]] : Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, j) => (i === j ? 1 : 0)));
  const argmax: Layer = { weights, bias: new Array<number>(weights.length).fill(0), activation: 'maxout', pieces: classes };
  return { network: { ...network, layers: [...network.layers, argmax] }, classes };
}

type Count = (network: Network, domain?: Domain | null, options?: CountOptions) => Promise<CountResult>;
type CountSync = (network: Network, domain?: Domain | null, options?: Omit<CountOptions, 'signal' | 'onProgress'>) => CountResult;

function prepare(network: unknown, options: CountOptions | undefined): { network: Network; classes: number; warnings: string[] } {
  const warnings: string[] = [];
  const strict = options !== null && typeof options === 'object' && options.strict === true;
  // checked here for its outputs, without a copy: countRegions checks and packs the same rows at once
  return { ...withArgmax(validateNetwork(network, { strict, warnings, borrowWeights: true })), warnings };
}

function result(r: CountResult, classes: number, warnings: string[]): DecisionResult {
  return {
    decisionRegions: r.partial ? null : r.linearRegions,
    classes,
    cells: r.activationRegions,
    partial: r.partial,
    stopReason: r.stopReason,
    elapsedMs: r.elapsedMs,
    warnings: [...new Set([...warnings, ...r.warnings])],
  };
}

function decisionOptions<O extends object>(options: O | undefined): O & DecisionOption {
  if (options === null || (options !== undefined && typeof options !== 'object')) {
    throw new LinearRegionsError('E_ARGS', `options must be an object (or omitted), got ${options === null ? 'null' : typeof options}`);
  }
  return { ...(options ?? ({} as O)), linearRegions: true, [DECISION]: true };
}

/** countDecisionRegions over a counting function (the entry points bind it to their countRegions). */
export function createDecisionCount(count: Count): (network: Network, domain?: Domain | null, options?: CountOptions) => Promise<DecisionResult> {
  return async (network, domain, options) => {
    const opts = decisionOptions(options);
    const { network: net, classes, warnings } = prepare(network, opts);
    return result(await count(net, domain, opts), classes, warnings);
  };
}

/** Synchronous form (Node). */
export function createDecisionCountSync(count: CountSync): (network: Network, domain?: Domain | null, options?: Omit<CountOptions, 'signal' | 'onProgress'>) => DecisionResult {
  return (network, domain, options) => {
    const opts = decisionOptions(options);
    const { network: net, classes, warnings } = prepare(network, opts);
    return result(count(net, domain, opts), classes, warnings);
  };
}
