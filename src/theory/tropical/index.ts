/** Tropical geometry of networks: what the package exports (the engine-bound tropicalize lives in index.node.ts / index.browser.ts). */
export { TropicalPolynomial, DEFAULT_MAX_MONOMIALS } from './polynomial.js';
export type { MonomialJson } from './polynomial.js';
export { upperHullVertices } from './hull.js';
export { tropicalRecursion } from './recursion.js';
export type { TropicalPair } from './recursion.js';
export { outputNetwork } from './tropicalize.js';
export type { TropicalOptions, TropicalOutput, TropicalPolynomialJson, TropicalResult, ZonotopeJson } from './tropicalize.js';
