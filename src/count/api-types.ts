import type { Domain } from '../network/types.js';

/** Progress reported during a long count (at most every ~50 ms). */
export interface Progress {
  /** Activation regions found so far. */
  activationRegions: number;
  elapsedMs: number;
}

export interface CountOptions {
  /**
   * Stops the count within a few tens of milliseconds; the promise then resolves with a partial
   * result: stopReason 'timeout' when the signal's reason is a TimeoutError (AbortSignal.timeout(ms)),
   * else 'aborted'.
   */
  signal?: AbortSignal;
  /** Called about every 50 ms; if it throws, the count stops and the promise rejects with that error. */
  onProgress?: (progress: Progress) => void;
  /** Stop after this many activation regions; the result is marked `partial` (stopReason 'maxRegions'). */
  maxRegions?: number;
  /** Compute linear regions too (default true). Turning it off saves the face bookkeeping. */
  linearRegions?: boolean;
  /**
   * Worker threads (Node only; default 1). Counts are identical for any number of threads. The
   * count starts on the calling thread; workers join only when it is still running after a short
   * probe (small counts never pay for them). Ignored (one thread) with maxRegions, in browsers, and
   * for single-layer networks.
   */
  threads?: number;
  /**
   * Refuse unknown keys in the network and domain (E_FORMAT) instead of listing them in
   * `warnings`. Default false.
   */
  strict?: boolean;
  /**
   * With threads > 1: how long the count runs on the calling thread before worker threads are
   * brought in, in milliseconds (default 60, 120 on the whole space and polytopes; 0 brings them in at once). A count that ends sooner
   * never starts a worker. The running count hands its pending cells to the workers and counts on
   * with them. Without this option, n-D linear regions on the whole space or a polytope bring in
   * workers only when nearly every face met during the probe provably joins nothing (the gain
   * filter); a network whose units cancel exactly stays on one thread, where threads made it far
   * slower (see the README, Multi-core). Without it, too, a count that is nearly done when its
   * probe ends stays on one thread, and the probe lasts 120 ms on the whole space and polytopes;
   * an n-D count on a box or a slice whose work left is estimated at 90 ms or more after 10 ms
   * brings them in then (the early start); and the first count of a process, which runs partly on
   * the engine's unoptimized code, reads its time at half speed (a 120 ms probe, no early start).
   */
  workersAfterMs?: number;
  /**
   * Caps the core's memory, in MiB (default and maximum 1536, per thread). A count that reaches it
   * stops with a partial result, stopReason 'memory' (linear regions keep the faces still waiting
   * for their second side, whose number follows the traversal's frontier).
   */
  maxMemoryMiB?: number;
}

/**
 * Why a count stopped. 'complete': the counts are exact. Every other value marks a partial result
 * (see CountResult.partial): 'maxRegions' (options.maxRegions reached), 'aborted' (options.signal),
 * 'timeout' (a signal aborted with a TimeoutError; the CLI's --timeout), 'memory' (the core reached
 * its memory limit), 'interrupted' (CLI only: Ctrl-C).
 */
export type StopReason = 'complete' | 'maxRegions' | 'aborted' | 'timeout' | 'memory' | 'interrupted';

export interface CountResult {
  /** Number of activation patterns whose cell has non-empty interior in the domain. */
  activationRegions: number;
  /**
   * Connected components of same-affine-map activation regions joined across shared faces; null
   * when not known: counted with `linearRegions: false`, or a partial result (the components of the
   * regions found so far are not a bound on the final count: regions not yet found may join them).
   */
  linearRegions: number | null;
  /**
   * perLayer[i]: activation regions of the network cut after layer i (one entry per layer). In a
   * partial result: the cells of each layer completed so far (lower bounds).
   */
  perLayer: number[];
  /**
   * True when the count stopped early (any stopReason but 'complete'). A partial result has the same
   * shape from the API and the CLI for any number of threads: activationRegions and perLayer count
   * every region found so far on every thread (lower bounds), linearRegions is null.
   */
  partial: boolean;
  stopReason: StopReason;
  /**
   * Time of the count itself, in milliseconds (no process start-up, no JSON parsing, no worker
   * start-up: time spent waiting for worker threads to come online is not counted).
   */
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
