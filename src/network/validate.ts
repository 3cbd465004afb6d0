/**
 * Validation of networks and domains at the library boundary.
 *
 * Everything that reaches the WebAssembly core goes through here first, so the core can assume:
 * finite float64 numbers only, rectangular weight matrices whose shapes chain, known activations
 * with in-range parameters, a domain with a non-empty interior and (for slices) linearly
 * independent directions. Each function returns a NEW plain object (numbers copied into plain
 * arrays) and never keeps a reference to the caller's data. Errors are {@link LinearRegionsError}s
 * whose message names the layer (1-based), row, column or field and the offending value.
 */
import { LinearRegionsError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { Activation, BoxDomain, Domain, Layer, Network, PolytopeDomain, SliceDomain, WholeDomain } from './types.js';
import { domainDimension } from './types.js';

/** The activations the core understands, in the order they are listed in error messages. */
export const ACTIVATIONS: readonly Activation[] = ['relu', 'leaky_relu', 'abs', 'linear', 'maxout'];

/** Default negative-side slope of leaky_relu. */
export const DEFAULT_ALPHA = 0.01;

/** Largest total number of weights (sum over layers of rows x columns) accepted. */
export const MAX_TOTAL_WEIGHTS = 50_000_000;

type Obj = Record<string, unknown>;

/**
 * How validation treats keys it does not know (a typo such as "Domain", "domain " or
 * "alphaalpha" would otherwise be dropped silently and change what is counted).
 */
export interface ValidateOptions {
  /** Refuse unknown keys (E_FORMAT) instead of warning. Default false. */
  strict?: boolean;
  /** Warnings are appended here, one line each, naming the key and where it is. */
  warnings?: string[];
  /**
   * Which domain the count will use, so that a network counted in too many dimensions is refused
   * (E_DIMENSION) before any weight is read: true, a domain that is not a slice (inputDim
   * dimensions); 'own', the network's own domain or the default (inputDim dimensions unless its
   * own domain is a slice); false or absent, no check here (a slice given elsewhere).
   */
  fullDimension?: boolean | 'own';
  /**
   * Check the weight rows without copying them: the result's `weights` are the caller's rows (plain
   * arrays or typed arrays). Only for callers that copy the weights elsewhere at once and never read
   * them again (countRegions packs them for the core before anything else runs), so the 30 million
   * weights of a LeNet-5 are not copied twice. Default false.
   */
  borrowWeights?: boolean;
}

/** Whether a raw (unvalidated) domain value is a slice; slices reduce the counted dimension. */
export function looksLikeSlice(domain: unknown): boolean {
  return typeof domain === 'object' && domain !== null && ('directions' in domain || 'origin' in domain);
}

/** Free-form keys a network file may carry for people (never read by the library). */
const NOTE_KEYS = ['name', 'description', 'metadata', '$schema', 'comment'];

/** Levenshtein distance, for "did you mean" (short strings only). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/**
 * Reports every key of `json` outside `known` (and the free-form note keys): a warning naming the
 * key, where it is and the closest known key, or E_FORMAT with `strict`.
 * `ignored` are keys that are known but unused in this position (e.g. "alpha" on a relu layer).
 */
function checkKeys(json: Obj, known: readonly string[], where: string, options: ValidateOptions | undefined, ignored: Record<string, string> = {}): void {
  for (const key of Object.keys(json)) {
    if (known.includes(key) || NOTE_KEYS.includes(key)) continue;
    let message: string;
    if (ignored[key] !== undefined) {
      message = `${where}: "${key}" is ignored (${ignored[key]})`;
    } else {
      const folded = key.trim().toLowerCase();
      let best: string | undefined;
      let bestDistance = Infinity;
      for (const k of [...known, ...Object.keys(ignored)]) {
        const dist = k.toLowerCase() === folded ? 0 : distance(folded, k.toLowerCase());
        if (dist < bestDistance) [best, bestDistance] = [k, dist];
      }
      const near = best !== undefined && (bestDistance <= 2 || folded.includes(best.toLowerCase()));
      message = `${where}: unknown key ${describe(key)} is ignored${near ? ` (did you mean "${best}"?)` : ''}`;
    }
    if (options?.strict) fail('E_FORMAT', `${message.replace(' is ignored', '')} (strict mode refuses unknown keys)`);
    options?.warnings?.push(message);
  }
}

function fail(code: ErrorCode, message: string): never {
  throw new LinearRegionsError(code, message);
}

/** A short, safe rendering of an arbitrary JSON value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') {
    return Object.is(value, -0) ? '-0' : String(value); // NaN, Infinity, -Infinity stay readable
  }
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return value === null ? 'null' : 'an object';
  return typeof value;
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** Arrays and numeric typed arrays (Float64Array, ...) are accepted wherever a list of numbers is. */
function isList(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** Checks a list of numbers as {@link numbers} does, without copying it. */
function checkNumbers(list: ArrayLike<unknown>, at: (i: number) => string): void {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number') fail('E_FORMAT', `${at(i)} must be a number, got ${describe(v)}`);
    if (!Number.isFinite(v)) fail('E_NONFINITE', `${at(i)} must be finite, got ${describe(v)}`);
  }
}

/**
 * Copies a list of numbers, checking each entry: a non-number is E_FORMAT (or `typeCode`),
 * NaN/±Infinity is E_NONFINITE. `at(i)` names entry i in messages.
 */
function numbers(list: ArrayLike<unknown>, at: (i: number) => string, typeCode: ErrorCode = 'E_FORMAT'): number[] {
  const out = new Array<number>(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number') fail(typeCode, `${at(i)} must be a number, got ${describe(v)}`);
    if (!Number.isFinite(v)) fail('E_NONFINITE', `${at(i)} must be finite, got ${describe(v)}`);
    out[i] = v;
  }
  return out;
}

/** "layer 2, row 3, column 1" with 1-based indices. */
function cell(layer: number, row: number, col?: number): string {
  return `layer ${layer}, row ${row + 1}` + (col === undefined ? '' : `, column ${col + 1}`);
}

/** Number of output units of a validated layer: rows, or rows / pieces for maxout. */
export function outputUnits(layer: Layer): number {
  return layer.activation === 'maxout' ? layer.weights.length / (layer.pieces as number) : layer.weights.length;
}

/**
 * Validates one layer (1-based index `n`) whose input has `inputs` units (`what` says why, for
 * messages: "inputDim is 2", "layer 1 has 4 output units"). Returns the clean layer.
 * `budget` is the number of weights still allowed by {@link MAX_TOTAL_WEIGHTS}; the layer's size
 * is checked against it before any entry is read.
 */
function validateLayer(json: unknown, n: number, inputs: number, what: string, budget: number, options?: ValidateOptions): Layer {
  const name = `layer ${n}`;
  if (!isObject(json)) fail('E_FORMAT', `${name} must be an object {weights, bias, activation}, got ${describe(json)}`);

  // Activation first: the shape rules depend on it (maxout pieces).
  const act = json.activation;
  const allowed = ACTIVATIONS.join(', ');
  if (act === undefined) fail('E_FORMAT', `${name}: "activation" is missing (one of ${allowed})`);
  if (typeof act !== 'string' || !(ACTIVATIONS as readonly string[]).includes(act)) {
    fail('E_ACTIVATION', `${name}: unknown activation ${describe(act)}; expected one of ${allowed}`);
  }
  const activation = act as Activation;
  const unused: Record<string, string> = {};
  if (activation !== 'leaky_relu') unused.alpha = `only leaky_relu reads it; this layer is ${activation}`;
  if (activation !== 'maxout') unused.pieces = `only maxout reads it; this layer is ${activation}`;
  checkKeys(json, ['weights', 'bias', 'activation', 'alpha', 'pieces'].filter((k) => unused[k] === undefined), name, options, unused);

  let pieces: number | undefined;
  if (activation === 'maxout') {
    const p = json.pieces;
    if (p === undefined) fail('E_ACTIVATION', `${name}: maxout needs "pieces" (an integer >= 2)`);
    if (typeof p !== 'number' || !Number.isSafeInteger(p) || p < 2) {
      fail('E_ACTIVATION', `${name}: maxout "pieces" must be an integer >= 2, got ${describe(p)}`);
    }
    pieces = p;
  }
  let alpha: number | undefined;
  if (activation === 'leaky_relu') {
    const a = json.alpha === undefined ? DEFAULT_ALPHA : json.alpha;
    if (typeof a !== 'number') fail('E_FORMAT', `${name}: leaky_relu "alpha" must be a number, got ${describe(a)}`);
    if (!Number.isFinite(a)) fail('E_NONFINITE', `${name}: leaky_relu "alpha" must be finite, got ${describe(a)}`);
    alpha = a;
  }

  // Weights: a non-empty list of rows, each a list of `inputs` numbers.
  const w = json.weights;
  if (w === undefined) fail('E_FORMAT', `${name}: "weights" is missing`);
  if (!isList(w)) fail('E_FORMAT', `${name}: "weights" must be an array of rows, got ${describe(w)}`);
  const rows = w.length;
  if (rows === 0) fail('E_SHAPE', `${name}: "weights" has no rows (a layer needs at least one unit)`);
  for (let r = 0; r < rows; r++) {
    const row = w[r];
    if (!isList(row)) fail('E_FORMAT', `${cell(n, r)}: a weight row must be an array of numbers, got ${describe(row)}`);
  }
  const rowList = w as ArrayLike<ArrayLike<unknown>>;
  const cols = rowList[0]!.length;
  for (let r = 1; r < rows; r++) {
    if (rowList[r]!.length !== cols) {
      const len = rowList[r]!.length;
      fail('E_SHAPE', `${name}: ragged weights: row ${r + 1} has ${len} entr${len === 1 ? 'y' : 'ies'} but row 1 has ${cols}`);
    }
  }
  if (cols !== inputs) {
    fail('E_SHAPE', `${name}: weights have ${cols} column${cols === 1 ? '' : 's'} but ${what}`);
  }
  if (pieces !== undefined && rows % pieces !== 0) {
    fail('E_SHAPE', `${name}: maxout with pieces ${pieces} needs a multiple of ${pieces} rows, got ${rows}`);
  }
  if (rows * cols > budget) {
    const total = MAX_TOTAL_WEIGHTS - budget + rows * cols;
    fail('E_TOO_LARGE', `${name}: ${rows} x ${cols} weights bring the total to ${total}, over the limit of ${MAX_TOTAL_WEIGHTS}`);
  }
  const weights = new Array<number[]>(rows);
  for (let r = 0; r < rows; r++) {
    const at = (c: number) => `${cell(n, r, c)}: weight`;
    if (options?.borrowWeights) {
      checkNumbers(rowList[r]!, at);
      weights[r] = rowList[r] as number[]; // checked: numbers only (maybe a typed array)
    } else {
      weights[r] = numbers(rowList[r]!, at);
    }
  }

  // Bias: one number per row.
  const b = json.bias;
  if (b === undefined) fail('E_FORMAT', `${name}: "bias" is missing`);
  if (!isList(b)) fail('E_FORMAT', `${name}: "bias" must be an array of numbers, got ${describe(b)}`);
  if (b.length !== rows) {
    fail('E_SHAPE', `${name}: "bias" has length ${b.length} but weights have ${rows} row${rows === 1 ? '' : 's'}`);
  }
  const bias = numbers(b, (r) => `${name}, bias entry ${r + 1}`);

  const layer: Layer = { weights, bias, activation };
  if (alpha !== undefined) layer.alpha = alpha;
  if (pieces !== undefined) layer.pieces = pieces;
  return layer;
}

/**
 * Validates a network in the JSON format (see {@link Network}) and returns a clean copy:
 * plain number arrays, `alpha` set (default 0.01) on leaky_relu layers, `pieces` on maxout layers,
 * and the optional `domain` validated with {@link validateDomain}. Unknown keys are dropped with a
 * warning in `options.warnings` (refused with `options.strict`); "name", "description",
 * "metadata", "$schema" and "comment" are free-form notes and pass silently.
 *
 * @throws LinearRegionsError E_FORMAT, E_INPUT_DIM, E_NONFINITE, E_SHAPE, E_ACTIVATION, E_DOMAIN,
 *   E_TOO_LARGE.
 */
export function validateNetwork(json: unknown, options?: ValidateOptions): Network {
  if (!isObject(json)) fail('E_FORMAT', `a network must be a JSON object {inputDim, layers}, got ${describe(json)}`);
  checkKeys(json, ['inputDim', 'layers', 'domain'], 'network', options);
  const inputDim = json.inputDim;
  if (inputDim === undefined) fail('E_INPUT_DIM', '"inputDim" is missing (a positive integer)');
  if (typeof inputDim !== 'number' || !Number.isSafeInteger(inputDim) || inputDim < 1) {
    fail('E_INPUT_DIM', `"inputDim" must be a positive integer, got ${describe(inputDim)}`);
  }
  if (inputDim > MAX_TOTAL_WEIGHTS) {
    fail('E_TOO_LARGE', `"inputDim" ${inputDim} exceeds the limit of ${MAX_TOTAL_WEIGHTS} weights`);
  }
  const full = options?.fullDimension === true || (options?.fullDimension === 'own' && !looksLikeSlice(json.domain));
  if (full) checkInputDimension(inputDim, 'inputDim');
  const list = json.layers;
  if (list === undefined) fail('E_FORMAT', '"layers" is missing (a non-empty array of layers)');
  if (!Array.isArray(list)) fail('E_FORMAT', `"layers" must be an array of layers, got ${describe(list)}`);
  if (list.length === 0) fail('E_FORMAT', '"layers" is empty (a network needs at least one layer)');

  const layers: Layer[] = [];
  let inputs = inputDim;
  let what = `inputDim is ${inputDim}`;
  let budget = MAX_TOTAL_WEIGHTS;
  for (let i = 0; i < list.length; i++) {
    const layer = validateLayer(list[i], i + 1, inputs, what, budget, options);
    budget -= layer.weights.length * inputs;
    layers.push(layer);
    inputs = outputUnits(layer);
    what = `layer ${i + 1} has ${inputs} output unit${inputs === 1 ? '' : 's'}`;
  }
  const network: Network = { inputDim, layers };
  if (json.domain !== undefined && json.domain !== null) {
    network.domain = validateDomain(json.domain, inputDim, 'network domain', options);
  }
  return network;
}

/** Copies and checks `bounds`: `count` pairs [lo, hi] of finite numbers with lo < hi. */
function validateBounds(json: unknown, count: number, where: string, per: string): [number, number][] {
  if (json === undefined) fail('E_DOMAIN', `${where}: "bounds" is missing`);
  if (!isList(json)) fail('E_DOMAIN', `${where}: "bounds" must be an array of [lo, hi] pairs, got ${describe(json)}`);
  if (json.length !== count) {
    fail('E_DOMAIN', `${where}: "bounds" has ${json.length} pair${json.length === 1 ? '' : 's'} but needs ${count} (${per})`);
  }
  const out: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const pair = json[i];
    const at = `${where}: bounds[${i}]`;
    if (!isList(pair) || pair.length !== 2) fail('E_DOMAIN', `${at} must be a [lo, hi] pair of numbers, got ${describe(pair)}`);
    const [lo, hi] = numbers(pair, (k) => `${at} ${k === 0 ? 'lo' : 'hi'}`, 'E_DOMAIN');
    if (lo! > hi!) fail('E_DOMAIN', `${at} = [${lo}, ${hi}] has lo > hi`);
    if (lo === hi) fail('E_DOMAIN', `${at} = [${lo}, ${hi}] has lo == hi (the domain would have an empty interior)`);
    out.push([lo!, hi!]);
  }
  return out;
}

/** Largest number of polytope constraints (rows of A) accepted. */
export const MAX_POLYTOPE_ROWS = 100_000;

/** Copies and checks a polytope {A, b}: rows of inputDim finite numbers, one b entry per row. */
function validatePolytope(json: Obj, inputDim: number, where: string): PolytopeDomain {
  const A = json.A;
  const b = json.b;
  if (!isList(A)) fail('E_DOMAIN', `${where}: a polytope's "A" must be an array of rows (one per constraint a.x <= b), got ${describe(A)}`);
  if (b === undefined) fail('E_DOMAIN', `${where}: a polytope needs "b" (one number per row of A)`);
  if (!isList(b)) fail('E_DOMAIN', `${where}: a polytope's "b" must be an array of numbers, got ${describe(b)}`);
  if (A.length === 0) fail('E_DOMAIN', `${where}: a polytope's "A" has no rows; use {"whole": true} for the whole space`);
  if (A.length !== b.length) {
    fail('E_SHAPE', `${where}: polytope "A" has ${A.length} row${A.length === 1 ? '' : 's'} but "b" has ${b.length} entr${b.length === 1 ? 'y' : 'ies'}`);
  }
  if (A.length > MAX_POLYTOPE_ROWS) fail('E_TOO_LARGE', `${where}: ${A.length} polytope rows exceed the limit of ${MAX_POLYTOPE_ROWS}`);
  const rows: number[][] = [];
  for (let i = 0; i < A.length; i++) {
    const row = A[i];
    if (!isList(row)) fail('E_DOMAIN', `${where}: polytope A row ${i + 1} must be an array of ${inputDim} numbers, got ${describe(row)}`);
    if (row.length !== inputDim) {
      fail('E_SHAPE', `${where}: polytope A row ${i + 1} has ${row.length} entr${row.length === 1 ? 'y' : 'ies'} but inputDim is ${inputDim}`);
    }
    rows.push(numbers(row, (k) => `${where}: polytope A[${i}][${k}]`, 'E_DOMAIN'));
  }
  const rhs = numbers(b, (i) => `${where}: polytope b[${i}]`, 'E_DOMAIN');
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.every((x) => x === 0) && rhs[i]! < 0) {
      fail('E_DOMAIN', `${where}: polytope row ${i + 1} reads 0 <= ${rhs[i]}, which no point satisfies (the polytope is empty)`);
    }
  }
  return { A: rows, b: rhs };
}

/**
 * Validates a domain for a network with `inputDim` inputs and returns a clean copy.
 * A box is `{bounds}` with one [lo, hi] pair per input; a slice is `{origin, directions, bounds}`
 * with 1 to inputDim directions of length inputDim that are linearly independent (decided exactly);
 * a polytope is `{A, b}` (the set {x : A x <= b}, rows of inputDim numbers); the whole space is
 * `{whole: true}`. Every interval must have lo < hi. `where` prefixes messages (default "domain").
 * Whether a polytope's interior is empty is decided exactly by the core (E_DOMAIN).
 *
 * @throws LinearRegionsError E_DOMAIN, E_NONFINITE, E_SHAPE.
 */
export function validateDomain(json: unknown, inputDim: number, where = 'domain', options?: ValidateOptions): Domain {
  if (!isObject(json)) {
    fail('E_DOMAIN', `${where} must be an object {bounds}, {origin, directions, bounds}, {A, b} or {whole: true}, got ${describe(json)}`);
  }
  // One kind per domain: a key of another kind is an error, not something to drop silently.
  const has = (k: string) => json[k] !== undefined;
  const kinds: [string, string[]][] = [];
  if (has('whole')) kinds.push(['the whole space', ['whole']]);
  if (has('A') || has('b')) kinds.push(['a polytope', ['A', 'b']]);
  if (has('origin') || has('directions')) kinds.push(['a slice', ['origin', 'directions']]);
  else if (has('bounds')) kinds.push(['a box', ['bounds']]);
  if (kinds.length > 1) {
    const [[kindA, keysA], [kindB, keysB]] = kinds as [[string, string[]], [string, string[]]];
    const named = (keys: string[]) => keys.filter(has).map((k) => `"${k}"`).join(' and ');
    fail('E_DOMAIN', `${where} mixes two kinds: ${named(keysA)} (${kindA}) and ${named(keysB)} (${kindB}); a domain has exactly one kind`);
  }
  const kindKeys = json.whole !== undefined ? ['whole'] : json.A !== undefined || json.b !== undefined ? ['A', 'b']
    : json.directions === undefined && json.origin === undefined ? ['bounds'] : ['origin', 'directions', 'bounds'];
  checkKeys(json, kindKeys, where, options);
  if (json.whole !== undefined) {
    if (json.whole !== true) fail('E_DOMAIN', `${where}: "whole" must be true (the whole space), got ${describe(json.whole)}`);
    const whole: WholeDomain = { whole: true };
    return whole;
  }
  if (json.A !== undefined || json.b !== undefined) return validatePolytope(json, inputDim, where);
  if (json.directions === undefined && json.origin === undefined) {
    const box: BoxDomain = { bounds: validateBounds(json.bounds, inputDim, where, 'one per input') };
    return box;
  }
  const o = json.origin;
  if (o === undefined) fail('E_DOMAIN', `${where}: a slice needs "origin" (a point with ${inputDim} coordinates)`);
  if (!isList(o)) fail('E_DOMAIN', `${where}: "origin" must be an array of ${inputDim} numbers, got ${describe(o)}`);
  if (o.length !== inputDim) fail('E_DOMAIN', `${where}: "origin" has length ${o.length} but inputDim is ${inputDim}`);
  const origin = numbers(o, (i) => `${where}: origin[${i}]`, 'E_DOMAIN');

  const d = json.directions;
  if (d === undefined) fail('E_DOMAIN', `${where}: a slice needs "directions" (1 to ${inputDim} independent vectors of length ${inputDim})`);
  if (!isList(d)) fail('E_DOMAIN', `${where}: "directions" must be an array of vectors, got ${describe(d)}`);
  if (d.length < 1 || d.length > inputDim) {
    fail('E_DOMAIN', `${where}: a slice has 1 to ${inputDim} directions (inputDim), got ${d.length}`);
  }
  const directions: number[][] = [];
  for (let k = 0; k < d.length; k++) {
    const v = d[k];
    const at = `${where}: directions[${k}]`;
    if (!isList(v)) fail('E_DOMAIN', `${at} must be an array of ${inputDim} numbers, got ${describe(v)}`);
    if (v.length !== inputDim) fail('E_DOMAIN', `${at} has length ${v.length} but inputDim is ${inputDim}`);
    const dir = numbers(v, (i) => `${at}[${i}]`, 'E_DOMAIN');
    if (dir.every((x) => x === 0)) fail('E_DOMAIN', `${at} is the zero vector`);
    directions.push(dir);
  }
  if (directions.length === 2 && exactlyDependent(directions[0]!, directions[1]!)) {
    fail('E_DOMAIN', `${where}: directions[0] and directions[1] are linearly dependent (parallel); a plane slice needs independent directions`);
  }
  if (directions.length > 2 && exactRank(directions) < directions.length) {
    fail('E_DOMAIN', `${where}: the ${directions.length} directions are linearly dependent; a slice needs independent directions`);
  }
  const bounds = validateBounds(json.bounds, directions.length, where, 'one per direction');
  const slice: SliceDomain = { origin, directions, bounds };
  return slice;
}

/**
 * The domain to count on: the `domain` argument if given (validated), else the network's own
 * domain, else the box [-1, 1]^inputDim for 1 or 2 inputs and the whole space for more.
 * `network` must come from {@link validateNetwork}.
 */
export function resolveDomain(network: Network, domain?: unknown, options?: ValidateOptions): Domain {
  if (domain !== undefined && domain !== null) return validateDomain(domain, network.inputDim, 'domain', options);
  if (network.domain !== undefined) return network.domain;
  if (network.inputDim > 2) return { whole: true };
  return { bounds: Array.from({ length: network.inputDim }, (): [number, number] => [-1, 1]) };
}

/** Largest dimension of the counted space (inputs, or slice directions). */
export const MAX_DIMENSION = 64;

/**
 * Refuses an input of more than {@link MAX_DIMENSION} values when the domain is not a slice: called
 * before any weight is read (from validation and from the ONNX and TensorFlow.js importers).
 *
 * @throws LinearRegionsError E_DIMENSION.
 */
export function checkInputDimension(inputDim: number, what: string): void {
  if (inputDim > MAX_DIMENSION) {
    fail('E_DIMENSION', `the domain has ${inputDim} dimensions (${what}, no slice); the n-D engine counts up to ${MAX_DIMENSION} (use a slice with fewer directions)`);
  }
}

/**
 * The dimension of the space the domain is counted in (the input dimension, or the number of
 * slice directions). 1-D and 2-D boxes and slices run on the polygon engine, everything else on
 * the n-D engine.
 *
 * @throws LinearRegionsError E_DIMENSION above {@link MAX_DIMENSION}.
 */
export function checkSupportedDimension(domain: Domain, inputDim: number): number {
  const dim = domainDimension(domain, inputDim);
  if (dim > MAX_DIMENSION) {
    fail('E_DIMENSION', `the domain has ${dim} dimensions; the n-D engine counts up to ${MAX_DIMENSION} (use a slice with fewer directions)`);
  }
  return dim;
}

// ---------------------------------------------------------------------------------------------
// Exact linear dependence of two float64 vectors.

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The exact value of a finite double as m * 2^e with integer m (m = 0 for ±0). */
export function dyadic(x: number): { m: bigint; e: number } {
  f64[0] = x;
  const hi = u32[LITTLE ? 1 : 0]!;
  const lo = u32[LITTLE ? 0 : 1]!;
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) e = -1074; // zero or subnormal
  else {
    m |= 1n << 52n;
    e = biased - 1075;
  }
  return { m: hi >>> 31 ? -m : m, e };
}

/** The exact rank of a list of float64 vectors (fraction-free Gaussian elimination over BigInt). */
export function exactRank(vectors: readonly (readonly number[])[]): number {
  // every double is m 2^e: scale each vector to integers (a non-zero factor keeps the rank)
  const rows = vectors.map((v) => {
    const ds = v.map(dyadic);
    const e = Math.min(...ds.filter((d) => d.m !== 0n).map((d) => d.e), 0);
    return ds.map((d) => (d.m === 0n ? 0n : d.m << BigInt(d.e - e)));
  });
  // Bareiss: dividing by the previous pivot keeps the integers exact and their size linear
  let rank = 0;
  let prev = 1n;
  const n = rows[0]?.length ?? 0;
  for (let col = 0; col < n && rank < rows.length; col++) {
    const p = rows.findIndex((r, i) => i >= rank && r[col] !== 0n);
    if (p < 0) continue;
    [rows[rank], rows[p]] = [rows[p]!, rows[rank]!];
    const piv = rows[rank]!;
    for (let i = rank + 1; i < rows.length; i++) {
      const r = rows[i]!;
      const f = r[col]!;
      for (let k = 0; k < n; k++) r[k] = (r[k]! * piv[col]! - f * piv[k]!) / prev;
    }
    prev = piv[col]!;
    rank++;
  }
  return rank;
}

/** Exactly: is a*b == c*d as real numbers? (finite doubles; no rounding anywhere) */
export function exactProductsEqual(a: number, b: number, c: number, d: number): boolean {
  const A = dyadic(a), B = dyadic(b), C = dyadic(c), D = dyadic(d);
  const p = A.m * B.m, q = C.m * D.m;
  if (p === 0n || q === 0n) return p === q;
  if ((p < 0n) !== (q < 0n)) return false;
  const ep = A.e + B.e, eq = C.e + D.e;
  const e = Math.min(ep, eq);
  return p << BigInt(ep - e) === q << BigInt(eq - e);
}

/**
 * Exactly decides whether two finite float64 vectors are linearly dependent, i.e. whether every
 * 2x2 minor u_i v_j - u_j v_i is exactly zero. With a pivot p where u_p != 0 it suffices to check
 * u_p v_j == u_j v_p for all j (then v = (v_p / u_p) u). No tolerance is involved.
 */
export function exactlyDependent(u: readonly number[], v: readonly number[]): boolean {
  const p = u.findIndex((x) => x !== 0);
  if (p < 0) return true; // u = 0
  for (let j = 0; j < u.length; j++) {
    if (j !== p && !exactProductsEqual(u[p]!, v[j]!, u[j]!, v[p]!)) return false;
  }
  return true;
}
