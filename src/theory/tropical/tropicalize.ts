/**
 * A network as a tropical rational map (Zhang, Naitzat and Lim, ICML 2018): each output is
 * f_j = F_j - G_j with F_j, G_j tropical polynomials (maxima of affine functions), reduced to the
 * upper-hull vertices of their lifted Newton polytopes. See docs/theory.md, "Tropical geometry".
 *
 * The reduced F_j, G_j are read off the activation regions, which the WebAssembly engine lists
 * exactly on the whole space (regions.ts explains why that gives exactly the reduced polynomials);
 * the plain recursion with exact hull reductions (recursion.ts) is the independent slow path.
 * The engine is passed in, so the same code serves Node (sync) and browsers (async).
 */
import { LinearRegionsError } from '../../errors.js';
import type { CountOptions, CountResult, Region } from '../../count/api-types.js';
import type { Layer, Network } from '../../network/types.js';
import { checkSupportedDimension, outputUnits, validateNetwork } from '../../network/validate.js';
import { rationalString, fromDouble } from './dyadic.js';
import { DEFAULT_MAX_MONOMIALS, type MonomialJson, type TropicalPolynomial } from './polynomial.js';
import { RegionPieces } from './regions.js';

export interface TropicalOptions {
  /** Only this output unit (0-based); default every output. */
  output?: number;
  /** Largest number of monomials of any F_j, G_j or F_j (*) G_j (default 2,000,000): E_TOO_LARGE beyond. */
  maxMonomials?: number;
}

/** A reduced tropical polynomial: its monomials sorted by exponent, and their number. */
export interface TropicalPolynomialJson {
  monomials: MonomialJson[];
  /** Number of monomials = number of linear regions of the polynomial on R^n0. */
  count: number;
}

/**
 * One hidden ReLU layer and a linear output: P(F_j) and P(G_j) are zonotopes (up to a translation)
 * with these generators: w_ji (a_i, b_i) for the hidden units i with w_ji > 0 in F, |w_ji| (a_i, b_i)
 * for w_ji < 0 in G (a_i, b_i the unit's weight row and bias, as exact rational strings).
 */
export interface ZonotopeJson {
  F: string[][];
  G: string[][];
}

/**
 * One output j. The fields come first, in its order (F, G, FG, linearRegions); `output` and
 * `zonotope` are additions after them.
 */
export interface TropicalOutput {
  F: TropicalPolynomialJson;
  G: TropicalPolynomialJson;
  /** Upper-hull vertices of P(F) + P(G): an upper bound on the linear regions of f = F - G. */
  FG: { count: number };
  /** Exact linear regions of this output alone (the network cut to it) on R^n0. */
  linearRegions: number;
  /** The output unit (0-based). */
  output: number;
  zonotope?: ZonotopeJson;
}

export interface TropicalResult {
  outputs: TropicalOutput[];
}

/** The engine functions tropicalize needs (sync in Node, async in browsers). */
export interface TropicalEngine<R> {
  regions(network: Network, domain: { whole: true }, options: CountOptions): R;
  count(network: Network, domain: { whole: true }, options: CountOptions): CountResult | Promise<CountResult>;
}

const WHOLE = { whole: true } as const;

/** Validates the network and options; returns the chosen output units. */
function prepare(network: unknown, options: TropicalOptions): { net: Network; outputs: number[]; maxMonomials: number } {
  const net = validateNetwork(network);
  checkSupportedDimension(WHOLE, net.inputDim);
  const units = outputUnits(net.layers[net.layers.length - 1]!);
  const { output, maxMonomials = DEFAULT_MAX_MONOMIALS } = options;
  if (!(Number.isSafeInteger(maxMonomials) && maxMonomials >= 1)) {
    throw new LinearRegionsError('E_ARGS', `options.maxMonomials must be a positive integer, got ${String(maxMonomials)}`);
  }
  if (output !== undefined && !(Number.isSafeInteger(output) && output >= 0 && output < units)) {
    throw new LinearRegionsError('E_ARGS', `options.output must be an integer from 0 to ${units - 1} (the network has ${units} output${units === 1 ? '' : 's'}), got ${String(output)}`);
  }
  return { net, outputs: output === undefined ? Array.from({ length: units }, (_, j) => j) : [output], maxMonomials };
}

/** The network cut down to output unit j (for maxout: unit j's rows). */
export function outputNetwork(net: Network, j: number): Network {
  const last = net.layers[net.layers.length - 1]!;
  const k = last.activation === 'maxout' ? (last.pieces as number) : 1;
  const cut: Layer = { ...last, weights: last.weights.slice(j * k, (j + 1) * k), bias: last.bias.slice(j * k, (j + 1) * k) };
  return { inputDim: net.inputDim, layers: [...net.layers.slice(0, -1), cut] };
}

/** Generators of the zonotopes P(F_j), P(G_j) for a one-hidden-layer ReLU network with a linear output. */
function zonotope(net: Network, j: number): ZonotopeJson | undefined {
  if (net.layers.length !== 2 || net.layers[0]!.activation !== 'relu' || net.layers[1]!.activation !== 'linear') return undefined;
  const hidden = net.layers[0]!;
  const out: ZonotopeJson = { F: [], G: [] };
  net.layers[1]!.weights[j]!.forEach((w, i) => {
    const row = [...hidden.weights[i]!, hidden.bias[i]!];
    if (w === 0 || row.every((v) => v === 0)) return;
    const a = fromDouble(Math.abs(w));
    const gen = row.map((v) => {
      const x = fromDouble(v);
      return rationalString(x.int * a.int, x.scale + a.scale);
    });
    (w > 0 ? out.F : out.G).push(gen);
  });
  return out;
}

function polyJson(p: TropicalPolynomial): TropicalPolynomialJson {
  return { monomials: p.toJson(), count: p.count };
}

function assemble(net: Network, outputs: number[], pieces: RegionPieces, counts: number[]): TropicalResult {
  return {
    outputs: outputs.map((j, o) => {
      const F = polyJson(pieces.take(o, 'F')); // one polynomial at a time: F's points are freed before G's are built
      const G = polyJson(pieces.take(o, 'G'));
      const result: TropicalOutput = { F, G, FG: { count: pieces.pairCount(o) }, linearRegions: counts[o]!, output: j };
      const z = zonotope(net, j);
      if (z !== undefined) result.zonotope = z;
      return result;
    }),
  };
}

/** Names the step when the engine refuses the linear-region count (e.g. maxout with more than 15 pieces). */
/** The linear-region count of a complete count (never null there: linear regions were asked for). */
function linearOf(r: CountResult): number {
  if (r.linearRegions === null) throw new LinearRegionsError('E_ARGS', 'the engine returned no linear-region count');
  return r.linearRegions;
}

function linearCountError(err: unknown, j: number): unknown {
  if (!(err instanceof LinearRegionsError)) return err;
  return new LinearRegionsError(err.code, `output ${j + 1}: the exact linear-region count failed: ${err.message}`);
}

/** Synchronous tropicalization on a synchronous engine (Node's regionsSync / countRegionsSync). */
export function tropicalizeSync(network: unknown, options: TropicalOptions, engine: TropicalEngine<Iterable<Region>>): TropicalResult {
  const { net, outputs, maxMonomials } = prepare(network, options);
  const pieces = new RegionPieces(net, outputs, maxMonomials);
  for (const region of engine.regions(net, WHOLE, { linearRegions: false })) pieces.add(region.pattern);
  const counts = outputs.map((j) => {
    try {
      return linearOf(engine.count(outputNetwork(net, j), WHOLE, { linearRegions: true }) as CountResult);
    } catch (err) {
      throw linearCountError(err, j);
    }
  });
  return assemble(net, outputs, pieces, counts);
}

/** Tropicalization on an asynchronous engine (the browser's regions / countRegions). */
export async function tropicalizeAsync(
  network: unknown,
  options: TropicalOptions,
  engine: TropicalEngine<AsyncIterable<Region> | Iterable<Region>>,
): Promise<TropicalResult> {
  const { net, outputs, maxMonomials } = prepare(network, options);
  const pieces = new RegionPieces(net, outputs, maxMonomials);
  for await (const region of engine.regions(net, WHOLE, { linearRegions: false })) pieces.add(region.pattern);
  const counts: number[] = [];
  for (const j of outputs) {
    try {
      counts.push(linearOf(await engine.count(outputNetwork(net, j), WHOLE, { linearRegions: true })));
    } catch (err) {
      throw linearCountError(err, j);
    }
  }
  return assemble(net, outputs, pieces, counts);
}
