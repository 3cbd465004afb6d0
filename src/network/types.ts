/** Activation functions of a layer. `linear` is the identity (no split). */
export type Activation = 'relu' | 'leaky_relu' | 'abs' | 'linear' | 'maxout';

/** One affine layer followed by its activation. `weights` has one row per output. */
export interface Layer {
  weights: number[][];
  bias: number[];
  activation: Activation;
  /** Negative-side slope of leaky_relu (only used by leaky_relu). Default 0.01. */
  alpha?: number;
  /** Pieces per maxout unit: rows u*k .. u*k+k-1 form unit u (only used by maxout). */
  pieces?: number;
}

/** An axis-aligned box of input space: one [lo, hi] pair per input. */
export interface BoxDomain {
  bounds: [number, number][];
}

/**
 * A slice through input space: x = origin + sum_k p_k * directions[k], for p in the box `bounds`
 * (one pair per direction). One direction makes a line, two a plane, more an n-D slice; the
 * directions must be linearly independent.
 */
export interface SliceDomain {
  origin: number[];
  directions: number[][];
  bounds: [number, number][];
}

/**
 * A polytope (or unbounded polyhedron) of input space: {x : A x <= b}, one row of A per
 * constraint. It must have a non-empty interior.
 */
export interface PolytopeDomain {
  A: number[][];
  b: number[];
}

/** The whole input space R^inputDim (regions may be unbounded). */
export interface WholeDomain {
  whole: true;
}

export type Domain = BoxDomain | SliceDomain | PolytopeDomain | WholeDomain;

/** A network in the JSON format. `domain` is the network's natural domain (optional). */
export interface Network {
  inputDim: number;
  layers: Layer[];
  domain?: Domain;
}

export function isSlice(domain: Domain): domain is SliceDomain {
  return (domain as SliceDomain).directions !== undefined;
}

export function isPolytope(domain: Domain): domain is PolytopeDomain {
  return (domain as PolytopeDomain).A !== undefined;
}

export function isWhole(domain: Domain): domain is WholeDomain {
  return (domain as WholeDomain).whole === true;
}

/** Dimension of the space a domain is counted in: slice directions, else the input dimension. */
export function domainDimension(domain: Domain, inputDim: number): number {
  return isSlice(domain) ? domain.directions.length : inputDim;
}
