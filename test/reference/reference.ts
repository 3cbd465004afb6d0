/**
 * A slow, exact reference counter of activation regions and linear regions, for tests only.
 *
 * Everything is decided in exact arithmetic on the float64 numbers as given:
 *  - affine maps (weights, biases, composed maps on a cell) are exact dyadic rationals m * 2^e
 *    ({@link Dyadic}): float64s are dyadic, and so are their products and sums;
 *  - 2-D cells are convex polygons stored as a cyclic list of edge lines (a, b, c) with BigInt
 *    coefficients (the line a*x + b*y + c = 0) and vertices in homogeneous BigInt coordinates
 *    (X, Y, W) with W > 0, each vertex the cross product of its two edge lines; a sign is the sign
 *    of a BigInt dot product, so no division and no gcd is ever needed;
 *  - 1-D cells are intervals whose end points are homogeneous BigInt pairs (x, w), w > 0.
 *
 * Algorithm (depth-first over the layers): the domain is one cell with the input
 * map (identity for a box, origin + directions * p for a slice). For each layer, the cell's
 * pre-activations z = W * (input map) + b are computed exactly, and the cell is split unit after
 * unit into the sub-cells on which the unit keeps its state:
 *  - relu / leaky_relu / abs: "on" = {z > 0}, "off" = {z <= 0};
 *  - maxout (k pieces): piece i = {z_i > z_m for m < i} and {z_i >= z_m for m > i};
 *  - linear: no split.
 * A state is kept when its set has a non-empty interior in the cell. For a convex cell P of
 * positive area and an affine g that is not identically zero, the set P and {g > 0} (or {g >= 0})
 * has non-empty interior iff some vertex of P has g > 0, and then its closure is P clipped by the
 * closed half-plane {g >= 0}; applying the constraints one after the other is therefore exact.
 * An identically-zero g gives the empty set for a strict constraint and no constraint otherwise.
 *
 * Linear regions: the final cells are grouped by their output map (the last layer's
 * post-activation, exactly); within a group, two cells are joined when they have collinear edges
 * overlapping in a segment of positive length (2-D) or a common end point (1-D); union-find then
 * counts the components.
 */
import type { Activation, BoxDomain, Domain, Layer, Network, SliceDomain } from '../../src/network/types.js';
import { Dyadic, Rational, approxRatio, toDyadic, toRational } from './rational.js';

// ---------------------------------------------------------------------------------------------
// Affine maps in domain coordinates.

/** An affine function of the domain coordinates p: a . p + c (a has one entry per dimension). */
export interface AffineRow {
  a: Dyadic[];
  c: Dyadic;
}

function rowIsZero(r: AffineRow): boolean {
  return r.c.isZero() && r.a.every((x) => x.isZero());
}

export function rowSub(r: AffineRow, s: AffineRow): AffineRow {
  return { a: r.a.map((x, k) => x.sub(s.a[k]!)), c: r.c.sub(s.c) };
}

export function rowScale(r: AffineRow, s: Dyadic): AffineRow {
  return { a: r.a.map((x) => x.mul(s)), c: r.c.mul(s) };
}

export function zeroRow(dim: number): AffineRow {
  return { a: new Array<Dyadic>(dim).fill(Dyadic.ZERO), c: Dyadic.ZERO };
}

/** Canonical string of a list of affine rows (equal strings iff equal maps). */
export function mapKey(rows: readonly AffineRow[]): string {
  return rows.map((r) => r.a.map((x) => x.key()).join(',') + ';' + r.c.key()).join('|');
}

// ---------------------------------------------------------------------------------------------
// The network, converted to rationals once per call.

export interface PreparedLayer {
  weights: Dyadic[][];
  bias: Dyadic[];
  activation: Activation;
  alpha: Dyadic;
  pieces: number;
  /** Output units (rows, or rows / pieces for maxout). */
  units: number;
}

const DEFAULT_ALPHA = 0.01;

export function prepareLayers(network: Network): PreparedLayer[] {
  let inputs = network.inputDim;
  return network.layers.map((layer: Layer, i: number): PreparedLayer => {
    const rows = layer.weights.length;
    if (rows === 0) throw new Error(`reference: layer ${i + 1} has no rows`);
    if (layer.bias.length !== rows) throw new Error(`reference: layer ${i + 1} bias length ${layer.bias.length} != ${rows}`);
    for (const row of layer.weights) {
      if (row.length !== inputs) throw new Error(`reference: layer ${i + 1} has rows of length ${row.length}, expected ${inputs}`);
    }
    let pieces = 1;
    if (layer.activation === 'maxout') {
      pieces = layer.pieces ?? NaN;
      if (!Number.isInteger(pieces) || pieces < 1 || rows % pieces !== 0) {
        throw new Error(`reference: layer ${i + 1} maxout pieces ${layer.pieces} invalid for ${rows} rows`);
      }
    } else if (!['relu', 'leaky_relu', 'abs', 'linear'].includes(layer.activation)) {
      throw new Error(`reference: layer ${i + 1} unknown activation ${String(layer.activation)}`);
    }
    const units = rows / pieces;
    inputs = units;
    return {
      weights: layer.weights.map((row) => row.map(toDyadic)),
      bias: layer.bias.map(toDyadic),
      activation: layer.activation,
      alpha: toDyadic(layer.activation === 'leaky_relu' ? (layer.alpha ?? DEFAULT_ALPHA) : 0),
      pieces,
      units,
    };
  });
}

/** Pre-activations z = W * input + b, exactly. */
export function compose(layer: PreparedLayer, input: readonly AffineRow[], dim: number): AffineRow[] {
  return layer.weights.map((wrow, r) => {
    const a = new Array<Dyadic>(dim).fill(Dyadic.ZERO);
    let c = layer.bias[r]!;
    for (let j = 0; j < wrow.length; j++) {
      const w = wrow[j]!;
      if (w.isZero()) continue;
      const inp = input[j]!;
      for (let k = 0; k < dim; k++) {
        if (!inp.a[k]!.isZero()) a[k] = a[k]!.add(w.mul(inp.a[k]!));
      }
      if (!inp.c.isZero()) c = c.add(w.mul(inp.c));
    }
    return { a, c };
  });
}

/** One state of one unit: the constraints (g >= 0, or g > 0 when strict) and the unit's output. */
export interface UnitState {
  pattern: number;
  constraints: { g: AffineRow; strict: boolean }[];
  output: AffineRow;
}

export function unitStates(layer: PreparedLayer, z: readonly AffineRow[], u: number, dim: number): UnitState[] {
  const act = layer.activation;
  if (act === 'linear') return [{ pattern: -1, constraints: [], output: z[u]! }];
  if (act === 'maxout') {
    const k = layer.pieces;
    const states: UnitState[] = [];
    for (let i = 0; i < k; i++) {
      const zi = z[u * k + i]!;
      const constraints: UnitState['constraints'] = [];
      for (let m = 0; m < k; m++) {
        if (m !== i) constraints.push({ g: rowSub(zi, z[u * k + m]!), strict: m < i });
      }
      states.push({ pattern: i, constraints, output: zi });
    }
    return states;
  }
  const zu = z[u]!;
  const off =
    act === 'relu' ? zeroRow(dim) : act === 'leaky_relu' ? rowScale(zu, layer.alpha) : rowScale(zu, Dyadic.MINUS_ONE);
  return [
    { pattern: 1, constraints: [{ g: zu, strict: true }], output: zu },
    { pattern: 0, constraints: [{ g: rowScale(zu, Dyadic.MINUS_ONE), strict: false }], output: off },
  ];
}

// ---------------------------------------------------------------------------------------------
// Geometry: clipping a cell by {g >= 0}, keeping it only if {g > 0} (or {g >= 0}) meets its interior.

export interface Geometry<C> {
  /**
   * The closure of cell and {g > 0} (strict) or cell and {g >= 0}, or null when that set has an
   * empty interior. The cell has a non-empty interior.
   */
  clip(cell: C, g: AffineRow, strict: boolean): C | null;
}

/** A point of the line in homogeneous coordinates: the number x / w, with w > 0. */
export interface Point1 {
  x: bigint;
  w: bigint;
}

/** -1, 0 or 1 as p <, =, > q. */
function cmp1(p: Point1, q: Point1): number {
  const l = p.x * q.w;
  const r = q.x * p.w;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** 1-D cell: the interval [lo, hi], lo < hi. */
export interface Interval {
  lo: Point1;
  hi: Point1;
}

const geometry1: Geometry<Interval> = {
  clip(cell, g, strict) {
    if (rowIsZero(g)) return strict ? null : cell;
    // g(x) = a x + c; with A, C a positive (power-of-two) multiple of a, c: sign g(x/w) = sign(A x + C w).
    const a = g.a[0]!;
    const c = g.c;
    const e = Math.min(a.e, c.e);
    const A = a.m << BigInt(a.e - e);
    const C = c.m << BigInt(c.e - e);
    const fl = A * cell.lo.x + C * cell.lo.w;
    const fh = A * cell.hi.x + C * cell.hi.w;
    if (fl <= 0n && fh <= 0n) return null; // g <= 0 on the whole interval
    if (fl >= 0n && fh >= 0n) return cell;
    // The signs at the ends are strictly opposite, so A != 0 and the root -C/A is strictly inside.
    const root: Point1 = A > 0n ? { x: -C, w: A } : { x: C, w: -A };
    return fl > 0n ? { lo: cell.lo, hi: root } : { lo: root, hi: cell.hi };
  },
};

/** A line a*x + b*y + c = 0 (or, for a vertex, homogeneous coordinates (a, b, c) = (X, Y, W)). */
export interface Triple {
  a: bigint;
  b: bigint;
  c: bigint;
}

function cross(p: Triple, q: Triple): Triple {
  return { a: p.b * q.c - p.c * q.b, b: p.c * q.a - p.a * q.c, c: p.a * q.b - p.b * q.a };
}

function dot(p: Triple, q: Triple): bigint {
  return p.a * q.a + p.b * q.b + p.c * q.c;
}

/** The intersection point of two non-parallel lines, homogeneous with W > 0. */
function meet(l1: Triple, l2: Triple): Triple {
  const v = cross(l1, l2);
  if (v.c === 0n) throw new Error('reference: internal error, parallel lines do not meet');
  return v.c < 0n ? { a: -v.a, b: -v.b, c: -v.c } : v;
}

/**
 * 2-D cell: a convex polygon of positive area. Edge i runs from vertex i to vertex i+1 (cyclically)
 * on line i; vertex i is the meet of lines i-1 and i.
 */
export interface Polygon {
  vertices: Triple[];
  lines: Triple[];
}

/** The line g = 0 with integer coefficients (a positive power-of-two multiple of g). */
function integerLine(g: AffineRow): Triple {
  const [a, b] = g.a as [Dyadic, Dyadic];
  const c = g.c;
  const e = Math.min(a.e, b.e, c.e);
  return { a: a.m << BigInt(a.e - e), b: b.m << BigInt(b.e - e), c: c.m << BigInt(c.e - e) };
}

const geometry2: Geometry<Polygon> = {
  clip(cell, g, strict) {
    if (rowIsZero(g)) return strict ? null : cell;
    const L = integerLine(g);
    const n = cell.vertices.length;
    const F = cell.vertices.map((v) => dot(L, v));
    let anyPos = false;
    let anyNeg = false;
    for (const f of F) {
      if (f > 0n) anyPos = true;
      else if (f < 0n) anyNeg = true;
    }
    if (!anyPos) return null; // g <= 0 on the whole polygon: no interior point with g > 0
    if (!anyNeg) return cell; // g >= 0 on the whole polygon
    // Sutherland-Hodgman on the cyclic list (vertex, outgoing edge line).
    const vertices: Triple[] = [];
    const lines: Triple[] = [];
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const fp = F[i]!;
      const fq = F[j]!;
      const edge = cell.lines[i]!;
      if (fp > 0n) {
        vertices.push(cell.vertices[i]!);
        lines.push(edge);
        if (fq < 0n) {
          vertices.push(meet(edge, L)); // leaving: continue along the clip line
          lines.push(L);
        }
      } else if (fp === 0n) {
        vertices.push(cell.vertices[i]!);
        lines.push(fq < 0n ? L : edge);
      } else if (fq > 0n) {
        vertices.push(meet(edge, L)); // entering: continue along the edge
        lines.push(edge);
      }
    }
    return { vertices, lines };
  },
};

function boxPolygon(b0: [Rational, Rational], b1: [Rational, Rational]): Polygon {
  const vline = (x: Rational): Triple => ({ a: x.d, b: 0n, c: -x.n }); // d*x - n = 0
  const hline = (y: Rational): Triple => ({ a: 0n, b: y.d, c: -y.n });
  // Counter-clockwise: bottom, right, top, left edges; vertex i starts edge i.
  const lines = [hline(b1[0]), vline(b0[1]), hline(b1[1]), vline(b0[0])];
  const vertices = lines.map((l, i) => meet(lines[(i + 3) % 4]!, l));
  return { vertices, lines };
}

// ---------------------------------------------------------------------------------------------
// Refinement.

export interface Leaf<C> {
  cell: C;
  pattern: number[][];
  /** The network's output on the cell (the last layer's post-activation), exactly. */
  output: AffineRow[];
}

export function refine<C>(
  geo: Geometry<C>,
  layers: readonly PreparedLayer[],
  root: C,
  inputMap: AffineRow[],
  dim: number,
): { leaves: Leaf<C>[]; perLayer: number[] } {
  const perLayer = new Array<number>(layers.length).fill(0);
  const leaves: Leaf<C>[] = [];
  const visit = (cell: C, input: AffineRow[], depth: number, pattern: number[][]): void => {
    if (depth === layers.length) {
      leaves.push({ cell, pattern, output: input });
      return;
    }
    const layer = layers[depth]!;
    const z = compose(layer, input, dim);
    let pieces: { cell: C; outputs: AffineRow[]; states: number[] }[] = [{ cell, outputs: [], states: [] }];
    for (let u = 0; u < layer.units; u++) {
      const states = unitStates(layer, z, u, dim);
      const next: typeof pieces = [];
      for (const piece of pieces) {
        for (const st of states) {
          let c: C | null = piece.cell;
          for (const con of st.constraints) {
            c = geo.clip(c, con.g, con.strict);
            if (c === null) break;
          }
          if (c === null) continue;
          next.push({
            cell: c,
            outputs: [...piece.outputs, st.output],
            states: st.pattern < 0 ? piece.states : [...piece.states, st.pattern],
          });
        }
      }
      pieces = next;
    }
    for (const piece of pieces) {
      perLayer[depth]!++;
      visit(piece.cell, piece.outputs, depth + 1, [...pattern, piece.states]);
    }
  };
  visit(root, inputMap, 0, []);
  return { leaves, perLayer };
}

// ---------------------------------------------------------------------------------------------
// Linear regions.

export class UnionFind {
  private readonly parent: number[];
  components: number;
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
    this.components = n;
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }
  union(i: number, j: number): void {
    const a = this.find(i);
    const b = this.find(j);
    if (a !== b) {
      this.parent[a] = b;
      this.components--;
    }
  }
}

/** What joins adjacent regions: the same output map (linear regions), or another key. */
type GroupKey = (leaf: Leaf<unknown>) => string;
const byMap: GroupKey = (l) => mapKey(l.output);

function linearRegions1(leaves: readonly Leaf<Interval>[], key: GroupKey = byMap): number {
  const order = leaves.map((_, i) => i).sort((i, j) => cmp1(leaves[i]!.cell.lo, leaves[j]!.cell.lo));
  const keys = leaves.map(key);
  const uf = new UnionFind(leaves.length);
  for (let t = 0; t + 1 < order.length; t++) {
    const i = order[t]!;
    const j = order[t + 1]!;
    if (cmp1(leaves[i]!.cell.hi, leaves[j]!.cell.lo) !== 0) throw new Error('reference: internal error, intervals do not tile');
    if (keys[i] === keys[j]) uf.union(i, j);
  }
  return uf.components;
}

/** x/W < x'/W' for W, W' > 0. */
function coordLess(p: bigint, pw: bigint, q: bigint, qw: bigint): boolean {
  return p * qw < q * pw;
}

/** Do two polygons have collinear edges that overlap in a segment of positive length? */
function shareEdge(P: Polygon, Q: Polygon): boolean {
  const np = P.vertices.length;
  const nq = Q.vertices.length;
  for (let i = 0; i < np; i++) {
    const e = P.lines[i]!;
    for (let j = 0; j < nq; j++) {
      const f = Q.lines[j]!;
      const x = cross(e, f);
      if (x.a !== 0n || x.b !== 0n || x.c !== 0n) continue; // not the same line
      // Parametrize the common line by x (or by y when it is vertical).
      const pick = (v: Triple): bigint => (e.b !== 0n ? v.a : v.b);
      let p0 = P.vertices[i]!;
      let p1 = P.vertices[(i + 1) % np]!;
      let q0 = Q.vertices[j]!;
      let q1 = Q.vertices[(j + 1) % nq]!;
      if (coordLess(pick(p1), p1.c, pick(p0), p0.c)) [p0, p1] = [p1, p0];
      if (coordLess(pick(q1), q1.c, pick(q0), q0.c)) [q0, q1] = [q1, q0];
      const lo = coordLess(pick(p0), p0.c, pick(q0), q0.c) ? q0 : p0; // max of the lows
      const hi = coordLess(pick(p1), p1.c, pick(q1), q1.c) ? p1 : q1; // min of the highs
      if (coordLess(pick(lo), lo.c, pick(hi), hi.c)) return true;
    }
  }
  return false;
}

function linearRegions2(leaves: readonly Leaf<Polygon>[], key: GroupKey = byMap): number {
  const uf = new UnionFind(leaves.length);
  const groups = new Map<string, number[]>();
  leaves.forEach((l, i) => {
    const k = key(l);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  // Float bounding boxes only prune pairs that are far apart (tolerance far above rounding error).
  let boxes: { x0: number; x1: number; y0: number; y1: number }[] | null = null;
  let tol = 0;
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    if (boxes === null) {
      let scale = 1;
      boxes = leaves.map((l) => {
        const xs = l.cell.vertices.map((v) => approxRatio(v.a, v.c));
        const ys = l.cell.vertices.map((v) => approxRatio(v.b, v.c));
        const b = { x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
        scale = Math.max(scale, Math.abs(b.x0), Math.abs(b.x1), Math.abs(b.y0), Math.abs(b.y1));
        return b;
      });
      tol = 1e-9 * scale;
      if (!Number.isFinite(tol)) tol = Infinity;
    }
    for (let s = 0; s < group.length; s++) {
      const i = group[s]!;
      const bi = boxes[i]!;
      for (let t = s + 1; t < group.length; t++) {
        const j = group[t]!;
        const bj = boxes[j]!;
        if (bi.x0 > bj.x1 + tol || bj.x0 > bi.x1 + tol || bi.y0 > bj.y1 + tol || bj.y0 > bi.y1 + tol) continue;
        if (uf.find(i) === uf.find(j)) continue;
        if (shareEdge(leaves[i]!.cell, leaves[j]!.cell)) uf.union(i, j);
      }
    }
  }
  return uf.components;
}

// ---------------------------------------------------------------------------------------------
// Public API.

export interface ReferenceResult {
  activationRegions: number;
  linearRegions: number;
  perLayer: number[];
  dimension: 1 | 2;
}

/** A final region with exact geometry (for tests of the reference itself). */
export interface ReferenceRegion {
  pattern: number[][];
  /** 1-D: [lo, hi]. */
  interval?: [Rational, Rational];
  /** 2-D: the polygon's vertices, counter-clockwise. */
  polygon?: [Rational, Rational][];
  /** Output map rows: output_r = a . p + c. */
  output: AffineRow[];
}

export interface ReferenceRegionsResult extends ReferenceResult {
  regions: ReferenceRegion[];
}

function isSliceDomain(domain: Domain): domain is Extract<Domain, { directions: number[][] }> {
  return (domain as { directions?: unknown }).directions !== undefined;
}

/** The domain to count on: the argument, else network.domain, else [-1, 1]^inputDim. */
export function resolveReferenceDomain(network: Network, domain?: Domain): Domain {
  return domain ?? network.domain ?? { bounds: Array.from({ length: network.inputDim }, (): [number, number] => [-1, 1]) };
}

function run(network: Network, domain: Domain | undefined, wantRegions: boolean, key?: GroupKey): ReferenceRegionsResult {
  const dom = resolveReferenceDomain(network, domain) as BoxDomain | SliceDomain; // 1-D and 2-D: boxes and slices
  const layers = prepareLayers(network);
  const n = network.inputDim;
  let dim: number;
  let inputMap: AffineRow[];
  if (isSliceDomain(dom)) {
    dim = dom.directions.length;
    if (dom.origin.length !== n) throw new Error('reference: slice origin length != inputDim');
    for (const d of dom.directions) if (d.length !== n) throw new Error('reference: slice direction length != inputDim');
    // x_j = origin_j + sum_k p_k directions[k][j]
    inputMap = dom.origin.map((o, j) => ({ a: dom.directions.map((d) => toDyadic(d[j]!)), c: toDyadic(o) }));
  } else {
    dim = n;
    inputMap = Array.from({ length: n }, (_, j) => ({
      a: Array.from({ length: n }, (_, k) => (k === j ? Dyadic.ONE : Dyadic.ZERO)),
      c: Dyadic.ZERO,
    }));
  }
  if (dim !== 1 && dim !== 2) throw new Error(`reference: only 1-D and 2-D domains are supported, got ${dim}`);
  if (dom.bounds.length !== dim) throw new Error(`reference: domain has ${dom.bounds.length} bounds, expected ${dim}`);
  const bounds = dom.bounds.map(([lo, hi]): [Rational, Rational] => {
    const l = toRational(lo);
    const h = toRational(hi);
    if (!l.lt(h)) throw new Error(`reference: empty domain interval [${lo}, ${hi}]`);
    return [l, h];
  });

  if (dim === 1) {
    const [lo, hi] = bounds[0]!;
    const root: Interval = { lo: { x: lo.n, w: lo.d }, hi: { x: hi.n, w: hi.d } };
    const { leaves, perLayer } = refine(geometry1, layers, root, inputMap, 1);
    const result: ReferenceRegionsResult = {
      activationRegions: leaves.length,
      linearRegions: linearRegions1(leaves, key),
      perLayer,
      dimension: 1,
      regions: [],
    };
    if (wantRegions) {
      result.regions = leaves.map((l) => ({
        pattern: l.pattern,
        interval: [Rational.of(l.cell.lo.x, l.cell.lo.w), Rational.of(l.cell.hi.x, l.cell.hi.w)],
        output: l.output,
      }));
    }
    return result;
  }
  const { leaves, perLayer } = refine(geometry2, layers, boxPolygon(bounds[0]!, bounds[1]!), inputMap, 2);
  const result: ReferenceRegionsResult = {
    activationRegions: leaves.length,
    linearRegions: linearRegions2(leaves, key),
    perLayer,
    dimension: 2,
    regions: [],
  };
  if (wantRegions) {
    result.regions = leaves.map((l) => ({
      pattern: l.pattern,
      polygon: l.cell.vertices.map((v): [Rational, Rational] => [Rational.of(v.a, v.c), Rational.of(v.b, v.c)]),
      output: l.output,
    }));
  }
  return result;
}

/**
 * Exact counts of activation regions and linear regions of `network` on `domain` (default:
 * network.domain, else [-1, 1]^inputDim). perLayer[i] counts the activation regions of the network
 * truncated after layer i. Throws on malformed input or on domains that are not 1-D or 2-D.
 */
export function referenceCount(network: Network, domain?: Domain): ReferenceResult {
  const { activationRegions, linearRegions, perLayer, dimension } = run(network, domain, false);
  return { activationRegions, linearRegions, perLayer, dimension };
}

/**
 * Decision regions: the network's last layer is a single maxout unit over the logits (its piece
 * is the class, lowest index on ties); regions are joined across shared edges when that piece is
 * the same (instead of the output map). `activationRegions` counts the cells of that network.
 */
export function referenceDecisionCount(network: Network, domain?: Domain): ReferenceResult {
  const last: GroupKey = (l) => String(l.pattern[l.pattern.length - 1]![0]);
  const { activationRegions, linearRegions, perLayer, dimension } = run(network, domain, false, last);
  return { activationRegions, linearRegions, perLayer, dimension };
}

/** Like {@link referenceCount}, plus every final region with its exact geometry and output map. */
export function referenceRegions(network: Network, domain?: Domain): ReferenceRegionsResult {
  return run(network, domain, true);
}
