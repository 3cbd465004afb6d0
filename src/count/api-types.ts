import type { Domain } from '../network/types.js';

/** Progress reported during a long count (at most every ~50 ms). */
export interface Progress {
  /** Activation regions found so far. */
  activationRegions: number;
  elapsedMs: number;
}

export interface CountOptions {
  /** Stops the count; the promise then resolves with a result marked `partial` (stopReason 'aborted'). */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Stop after this many activation regions; the result is marked `partial` (stopReason 'maxRegions'). */
  maxRegions?: number;
  /** Compute linear regions too (default true). Turning it off saves the face bookkeeping. */
  linearRegions?: boolean;
  /**
   * Worker threads (Node only; default 1). Counts are identical for any number of threads. Ignored
   * (one thread) with maxRegions, in browsers, and for single-layer networks.
   */
  threads?: number;
  /**
   * Refuse unknown keys in the network and domain (E_FORMAT) instead of listing them in
   * `warnings`. Default false.
   */
  strict?: boolean;
}

/**
 * Why a count ended. 'complete': every region was found. The others mark a partial result:
 * 'maxRegions' (options.maxRegions reached), 'aborted' (options.signal), 'timeout' (CLI
 * --timeout), 'interrupted' (CLI Ctrl-C), 'memory' (the core's memory limit was reached).
 */
export type StopReason = 'complete' | 'maxRegions' | 'aborted' | 'timeout' | 'interrupted' | 'memory';

export interface CountResult {
  /** Number of activation patterns whose cell has non-empty interior in the domain. */
  activationRegions: number;
  /**
   * Connected components of same-affine-map activation regions joined across shared faces; null
   * when it is not known (linearRegions: false, or a partial count).
   */
  linearRegions: number | null;
  /** perLayer[i]: activation regions of the network cut after layer i (one entry per layer). */
  perLayer: number[];
  /** True when the count stopped early (maxRegions or abort): counts are lower bounds then. */
  partial: boolean;
  stopReason: StopReason;
  /** Time of the count itself, in milliseconds (no process start-up, no JSON parsing). */
  elapsedMs: number;
  /**
   * Dimension of the space that was counted: the input dimension, or the number of slice
   * directions (1 and 2 run on the polygon engine, more on the n-D engine).
   */
  dimension: number;
  /**
   * The domain that was counted: the argument, else the network's domain, else the default
   * ([-1, 1]^inputDim for 1 or 2 inputs, the whole space R^inputDim above).
   */
  domain: Domain;
  /**
   * What validation noticed but did not refuse, one line each: unknown keys in the network or
   * domain (dropped; a typo such as "Domain" would otherwise change what is counted). Empty when
   * all is well; `options.strict` turns these into errors.
   */
  warnings: string[];
  /**
   * Only in the value `regions()` returns after a complete count with linear regions: for each
   * region index, the smallest index of a region in the same linear region (exact, from the
   * core's face pairing), so a visualizer can colour linear regions.
   */
  linearRegionOf?: Int32Array;
}

/** One activation region, with what a visualizer draws. Coordinates are domain coordinates. */
export interface Region {
  /** 0-based index in the order regions are found. */
  index: number;
  /**
   * Activation pattern: one array per layer, one entry per unit. relu/leaky_relu/abs: 1 where the
   * pre-activation is positive, 0 where it is negative (or identically zero on the region).
   * maxout: the index of the winning piece. linear layers: an empty array.
   */
  pattern: number[][];
  /**
   * A point inside the region, in domain coordinates (float64; in the n-D engine a certified
   * interior point, in 1-D and 2-D an approximation of an exact interior point). Empty in the rare
   * n-D case of a region too thin to hold any float64 point.
   */
  interiorPoint: number[];
  /** 2-D: the region's convex polygon, counter-clockwise (float64 approximations of exact vertices). */
  polygon?: [number, number][];
  /** 1-D: the region's interval [lo, hi]. */
  interval?: [number, number];
  /** The network's output on this region: output = weights * p + bias, p in domain coordinates. */
  map: { weights: number[][]; bias: number[] };
}
