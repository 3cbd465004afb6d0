/**
 * Packs a validated network and domain into the flat float64 layout the WebAssembly core reads.
 *
 * Domain coordinates p: x = P p + o. The polygon engine (1-D and 2-D boxes and slices) always has
 * 2 of them: a box in 2-D is P = I; a plane slice is P = [d1 d2]; a 1-D problem (1 input, or a
 * line slice) is embedded as the strip [lo, hi] x [0, 1] with a zero second column, whose cells are
 * exactly the 1-D intervals. The n-D engine has d of them: a box (P = I) or a slice with 3 or more
 * directions in affine mode, where the LP variables are p; the whole space and polytopes in
 * homogeneous mode, where the LP variables are (y, t) with x = y / t over the box
 * [-1, 1]^d x [0, 1] (see assembly/rows-nd.ts for why that is exact).
 *
 * Layout (float64 words):
 *   [0] L  [1] n0  [2] d (domain coordinates)  [3] engine (0 polygon, 1 n-D affine, 2 n-D homogeneous;
 *   + DECISION_FLAG when the last unit is an argmax whose class, not the map, joins regions: decision.ts)
 *   [4..7] lo0 hi0 lo1 hi1 (polygon engine's box)
 *   [8..] P (n0 x d, row-major), o (n0)
 *   per layer: rows, cols, activation code, alpha, pieces, weights (rows x cols), bias (rows)
 *   n-D engine only, then: [rows] rows x (D + 1) (alpha, beta: the domain's constraints
 *   alpha.v + beta >= 0 over the D LP variables), lo (D), hi (D) (a box holding the domain),
 *   [has start] start (D: a strictly interior point, when known).
 *   Polygon engine with CUT_FLAG in [3] only, then: [rows] rows x 3 (a, b, c: lines
 *   a p0 + b p1 + c >= 0 that cut its box: the pieces of a 2-D polytope, src/count/pieces.ts).
 */
import type { Domain, Network } from '../network/types.js';
import { domainDimension, isPolytope, isSlice, isWhole } from '../network/types.js';

export const ACTIVATION_CODES = { linear: 0, relu: 1, leaky_relu: 2, abs: 3, maxout: 4 } as const;

export const ENGINE_POLYGON = 0;
export const ENGINE_AFFINE = 1;
export const ENGINE_HOMOGENEOUS = 2;
/** Added to the engine word: count decision regions (see decision.ts and assembly/faces.ts). */
export const DECISION_FLAG = 4;
/** Added to the engine word: the polygon engine's box is cut by rows after the layers (pack's `cut`). */
export const CUT_FLAG = 8;
/** A CountOptions key of the library's own (decision.ts): pack with {@link DECISION_FLAG}. */
export const DECISION: unique symbol = Symbol('linear-regions: decision regions');
export interface DecisionOption {
  [DECISION]?: boolean;
}

export interface Packed {
  words: Float64Array;
  /** The dimension of the counted space (1 or 2 on the polygon engine, any on the n-D engine). */
  dimension: number;
  /** 0 polygon engine, 1 n-D affine (boxes, slices), 2 n-D homogeneous (whole space, polytopes). */
  engine: number;
  outUnits: number;
  /** Units per layer (the pattern's shape). */
  units: number[];
}

/** Which engine counts a domain of this dimension. */
export function engineFor(domain: Domain, inputDim: number): number {
  const dim = domainDimension(domain, inputDim);
  if (isWhole(domain) || isPolytope(domain)) return ENGINE_HOMOGENEOUS;
  return dim <= 2 ? ENGINE_POLYGON : ENGINE_AFFINE;
}

/** (lo + hi) / 2 when it lies strictly inside (lo, hi) in float64, else NaN (no float point does). */
function midpoint(lo: number, hi: number): number {
  const m = lo / 2 + hi / 2;
  return m > lo && m < hi ? m : Number.NaN;
}

/**
 * `cut`: rows alpha.p + beta >= 0 (alpha, then beta) that cut a box domain, after its sides (the
 * pieces of a polytope, src/count/pieces.ts). In 3 or more dimensions the core then finds an
 * interior point itself; in 2-D the polygon engine clips its box by them.
 */
export function pack(network: Network, domain: Domain, decision = false, cut: readonly number[][] = []): Packed {
  const n0 = network.inputDim;
  const engine = engineFor(domain, n0);
  const dim = domainDimension(domain, n0);
  const d = engine === ENGINE_POLYGON ? 2 : dim;
  let P: number[][]; // n0 rows of d coefficients
  let o: number[];
  let box: [number, number, number, number] = [0, 0, 0, 0];
  const dimension = dim;
  if (isSlice(domain)) {
    const dirs = domain.directions;
    P = Array.from({ length: n0 }, (_, j) => Array.from({ length: d }, (_, k) => dirs[k]?.[j] ?? 0));
    o = domain.origin.slice();
    if (engine === ENGINE_POLYGON) {
      box = dim === 2
        ? [domain.bounds[0][0], domain.bounds[0][1], domain.bounds[1][0], domain.bounds[1][1]]
        : [domain.bounds[0][0], domain.bounds[0][1], 0, 1];
    }
  } else {
    P = Array.from({ length: n0 }, (_, j) => Array.from({ length: d }, (_, k) => (j === k ? 1 : 0)));
    o = new Array(n0).fill(0);
    if (engine === ENGINE_POLYGON && !isWhole(domain) && !isPolytope(domain)) {
      const b = domain.bounds;
      box = dim === 2 ? [b[0][0], b[0][1], b[1][0], b[1][1]] : [b[0][0], b[0][1], 0, 1];
    }
  }
  const cutPolygon = engine === ENGINE_POLYGON && dim === 2 && cut.length > 0;
  const tail = engine === ENGINE_POLYGON ? (cutPolygon ? [cut.length, ...cut.flat()] : []) : ndDomain(domain, d, engine, cut);
  let size = 8 + (d + 1) * n0 + tail.length;
  for (const layer of network.layers) size += 5 + layer.weights.length * (layer.weights[0]?.length ?? 0) + layer.bias.length;
  const w = new Float64Array(size);
  w[0] = network.layers.length;
  w[1] = n0;
  w[2] = d;
  w[3] = engine + (decision ? DECISION_FLAG : 0) + (cutPolygon ? CUT_FLAG : 0);
  w.set(box, 4);
  let p = 8;
  for (let j = 0; j < n0; j++) for (let k = 0; k < d; k++) w[p++] = P[j]![k]!;
  for (let j = 0; j < n0; j++) w[p++] = o[j]!;
  const units: number[] = [];
  for (const layer of network.layers) {
    const rows = layer.weights.length;
    const cols = layer.weights[0]!.length;
    const k = layer.activation === 'maxout' ? layer.pieces ?? 2 : 1;
    w[p++] = rows;
    w[p++] = cols;
    w[p++] = ACTIVATION_CODES[layer.activation];
    w[p++] = layer.activation === 'leaky_relu' ? layer.alpha ?? 0.01 : 0;
    w[p++] = k;
    for (const row of layer.weights) {
      w.set(row, p);
      p += cols;
    }
    for (const x of layer.bias) w[p++] = x;
    units.push(rows / k);
  }
  w.set(tail, p);
  return { words: w, dimension, engine, outUnits: units[units.length - 1]!, units };
}

/** The n-D engine's domain section (see the layout above). */
function ndDomain(domain: Domain, d: number, engine: number, cut: readonly number[][]): number[] {
  const out: number[] = [];
  const rows: number[][] = [];
  const unit = (k: number, n: number, s: number): number[] => Array.from({ length: n }, (_, j) => (j === k ? s : 0));
  if (engine === ENGINE_AFFINE) {
    const bounds = (domain as { bounds: [number, number][] }).bounds;
    for (let k = 0; k < d; k++) {
      rows.push([...unit(k, d, 1), -bounds[k]![0]]); // p_k - lo_k >= 0
      rows.push([...unit(k, d, -1), bounds[k]![1]]); // hi_k - p_k >= 0
    }
    rows.push(...cut.map((row) => [...row]));
    out.push(rows.length, ...rows.flat());
    out.push(...bounds.map((b) => b[0]), ...bounds.map((b) => b[1]));
    const start = bounds.map((b) => midpoint(b[0], b[1]));
    const ok = cut.length === 0 && start.every((x) => !Number.isNaN(x));
    out.push(ok ? 1 : 0, ...(ok ? start : new Array(d).fill(0)));
    return out;
  }
  // homogeneous: v = (y, t), the box |y_k| <= 1, 0 <= t <= 1, and the cone over the polytope
  const D = d + 1;
  for (let k = 0; k < d; k++) {
    rows.push([...unit(k, D, 1), 1]); // y_k + 1 >= 0
    rows.push([...unit(k, D, -1), 1]); // 1 - y_k >= 0
  }
  rows.push([...unit(d, D, 1), 0]); // t >= 0
  rows.push([...unit(d, D, -1), 1]); // 1 - t >= 0
  let start: number[] | undefined = [...new Array(d).fill(0), 0.5];
  if (isPolytope(domain)) {
    // a.x <= b  <=>  -a.y + b t >= 0 (t > 0); rows 0 <= b with b >= 0 constrain nothing
    domain.A.forEach((a, i) => {
      if (a.every((x) => x === 0)) return;
      rows.push([...a.map((x) => -x), domain.b[i]!, 0]);
    });
    start = undefined; // the core finds an interior point (and reports an empty interior)
  }
  out.push(rows.length, ...rows.flat());
  out.push(...new Array(d).fill(-1), 0, ...new Array(d).fill(1), 1);
  out.push(start ? 1 : 0, ...(start ?? new Array(D).fill(0)));
  return out;
}

/** The WebAssembly core's memory limit (assembly/memory.ts MEMORY_LIMIT). */
export const CORE_MEMORY_LIMIT = 1.5 * 1024 ** 3;

/**
 * A lower bound, in bytes, on what the core allocates before it can count past a few levels of
 * its depth-first stack: the packed input, the weight and map tables (assembly/network.ts), the
 * line or row store, and two chunks of 16 stack frames (assembly/traverse.ts, state-nd.ts),
 * whose size grows with the network: in the polygon engine each frame holds a polygon of up to
 * 5 + (total branching units) vertices of 32 bytes. Counting needs at least this much, so a
 * network above {@link CORE_MEMORY_LIMIT} is refused before any memory is taken (E_TOO_LARGE with
 * the size) instead of after seconds of allocation. Mirrors the core's sizing formulas; an
 * underestimate only means the core's own check stops the run later.
 */
export function coreMemoryFloor(network: Network, packed: Packed): number {
  const layers = network.layers;
  let branches = 0;
  let lines = 0;
  let maxUnits = 0;
  let tables = 0;
  const K = packed.engine === ENGINE_POLYGON ? 3 : packed.dimension + 1; // map columns: domain coordinates and the constant
  for (const [l, layer] of layers.entries()) {
    const rows = layer.weights.length;
    const cols = layer.weights[0]!.length;
    const units = packed.units[l]!;
    const k = layer.activation === 'maxout' ? layer.pieces ?? 2 : 1;
    branches += units * (layer.activation === 'linear' ? 0 : k - 1 || 1);
    lines += units * (layer.activation === 'linear' ? 0 : k === 1 ? 1 : (k * (k - 1)) / 2);
    maxUnits = Math.max(maxUnits, units);
    tables += rows * cols * 8 + 3 * rows * K * 8; // weights; z, a, e map tables
  }
  let accumMax = packed.outUnits;
  for (let l = 1; l < layers.length; l++) accumMax = Math.max(accumMax, layers[l]!.weights.length);
  let frame: number;
  let store: number;
  if (packed.engine === ENGINE_POLYGON) {
    const maxVerts = 5 + branches;
    frame = 64 + accumMax * 3 * 8 + maxUnits + 8 + maxVerts * 32;
    store = (8 + lines) * 64 + 3 * maxVerts * 32; // line store, three polygon buffers
  } else {
    const D = packed.engine === ENGINE_HOMOGENEOUS ? packed.dimension + 1 : packed.dimension;
    const W = Math.min(2 * D + 2, 24);
    const rowCap = 2 * D + 2 + lines + 4;
    frame = 32 + 2 * D * 8 + W * D * 8 + rowCap + accumMax * K * 8 + maxUnits + 8;
    store = rowCap * (2 * (D + 1) * 8 + 24);
  }
  return packed.words.byteLength + tables + store + 33 * frame;
}
