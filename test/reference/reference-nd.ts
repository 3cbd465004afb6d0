/**
 * A slow, exact reference counter of activation regions and linear regions in ANY input dimension,
 * for tests only (the n-D counterpart of reference.ts, with the same semantics).
 *
 * Definitions (as in reference.ts):
 *  - relu / leaky_relu / abs: a unit is "on" on {z > 0} and "off" on {z <= 0}; a unit identically
 *    0 on a cell does not split it (it is off);
 *  - maxout (k pieces): piece i on {z_i > z_m for m < i} and {z_i >= z_m for m > i} (ties go to
 *    the lowest piece); a piece that only wins on a set with empty interior gives no region;
 *  - linear layers never split;
 *  - an activation region is an activation pattern whose cell has a non-empty interior;
 *    perLayer[i] counts the activation regions of the network truncated after layer i;
 *  - linear regions: connected components of the graph on activation regions whose edges join two
 *    regions that share a (d-1)-dimensional face and have exactly the same output affine map.
 *
 * Cells are H-representations {p : A p <= b} (exact rationals) in domain coordinates p: the
 * input x itself for a box, a polytope or the whole space, and x = origin + sum_k p_k u_k for a
 * slice. Each cell also carries a few witness points, exact points of its closure.
 *
 * Splitting. For a cell P with non-empty interior and an affine g that is not identically zero,
 * int(P) meets {g > 0} iff sup_P g > 0 (P is the closure of its interior, g is continuous). So
 *   clip(P, g >= 0 or g > 0) = null        when sup_P g <= 0,
 *                            = P            when inf_P g >= 0 (the constraint changes nothing),
 *                            = P + {-g <= 0} otherwise,
 * and applying the constraints of a unit state one after the other is exact (as in reference.ts).
 * sup_P g > 0 is proven by a witness point with g > 0 when there is one (witnesses are exact points
 * of the closure of P), otherwise decided by the exact LP (lp-exact.ts), whose optimal vertex then
 * becomes a witness. An identically-zero g: a strict constraint gives the empty set, a non-strict
 * one no constraint; a constant g = e != 0 keeps the cell iff e > 0.
 *
 * Adjacency. If two full-dimensional polyhedra R1, R2 with disjoint interiors meet in a set F of
 * dimension d-1, the affine hull H of F separates them and R1 cap H, R2 cap H are facets; every
 * H-representation of a full-dimensional polyhedron contains each facet's inequality up to a
 * positive factor. So it suffices to try the rows (a, b) of R1 whose exact negation (up to a
 * positive factor) is a row of R2. For such an H = {a p = b}, F = R1 cap R2 lies in H, and has
 * dimension d-1 iff some p in H satisfies strictly every other row that is not a multiple of
 * (a, b) (those rows are not identically 0 on H, so their strict versions cut out the relative
 * interior): one LP, maximize t subject to a p = b, a_i p + t <= b_i, t <= 1, and test t > 0.
 */
import type { BoxDomain, Network, SliceDomain } from '../../src/network/types.js';
import { Dyadic, Rational, gcd, toDyadic, toRational } from './rational.js';
import { interiorPoint, solveLp } from './lp-exact.js';
import { UnionFind, mapKey, prepareLayers, refine, type AffineRow, type Leaf as RefLeaf } from './reference.js';

// ---------------------------------------------------------------------------------------------
// Domains.

/** The polytope (or polyhedron) {x : A x <= b}; it must have a non-empty interior. */
export interface PolytopeDomain {
  A: number[][];
  b: number[];
}

/** The whole input space R^inputDim (cells may be unbounded). */
export interface WholeDomain {
  whole: true;
}

export type NdDomain = BoxDomain | PolytopeDomain | WholeDomain | SliceDomain;

export function isWhole(d: NdDomain): d is WholeDomain {
  return (d as WholeDomain).whole === true;
}

export function isPolytope(d: NdDomain): d is PolytopeDomain {
  return (d as PolytopeDomain).A !== undefined;
}

export function isSliceNd(d: NdDomain): d is SliceDomain {
  return (d as SliceDomain).directions !== undefined;
}

/**
 * The domain to count on: the argument, else network.domain, else the box [-1, 1]^inputDim when
 * inputDim <= 2 (as reference.ts) and the whole space when inputDim > 2.
 */
export function resolveDomainNd(network: Network, domain?: NdDomain): NdDomain {
  if (domain !== undefined) return domain;
  if (network.domain !== undefined) return network.domain;
  if (network.inputDim <= 2) return { bounds: Array.from({ length: network.inputDim }, (): [number, number] => [-1, 1]) };
  return { whole: true };
}

// ---------------------------------------------------------------------------------------------
// Affine maps of the domain coordinates, exactly (dyadic).

/** An exact affine function a.x + c of the domain coordinates (the 2-D reference's AffineRow). */
export type AffineRowNd = AffineRow;

// The network's exact layers, rows and unit states are the 2-D reference's (test/reference/reference.ts):
// nothing there depends on the dimension.

// ---------------------------------------------------------------------------------------------
// Cells.

/** A cell {p : A p <= b} with a non-empty interior, and exact points of its closure. */
export interface HCell {
  A: Rational[][];
  b: Rational[];
  witnesses: Rational[][];
}

const MAX_WITNESSES = 8;

function dotQ(a: readonly Rational[], x: readonly Rational[]): Rational {
  let s = Rational.ZERO;
  for (let k = 0; k < a.length; k++) if (!a[k]!.isZero() && !x[k]!.isZero()) s = s.add(a[k]!.mul(x[k]!));
  return s;
}

/** Statistics of one run (for tests and measurements). */
export interface NdStats {
  lps: number;
  witnessHits: number;
}

class Refiner {
  stats: NdStats = { lps: 0, witnessHits: 0 };

  /** Adds an exact point of the closure of `cell` to its witnesses (checked exactly; the oldest goes first). */
  private addWitness(cell: HCell, p: Rational[]): void {
    for (let i = 0; i < cell.A.length; i++) {
      if (dotQ(cell.A[i]!, p).cmp(cell.b[i]!) > 0) throw new Error('referenceNd: internal error, an LP point is not in its cell');
    }
    cell.witnesses.push(p);
    if (cell.witnesses.length > MAX_WITNESSES) cell.witnesses.shift();
  }

  /**
   * A point of the closure of `cell` with G.p + E > 0 (side 1) or < 0 (side -1), or null if there
   * is none: a witness when one qualifies, else from the LP (maximize or minimize G.p); the LP's
   * point (an optimal vertex, or far enough along an unbounded ray) becomes a witness of the cell.
   */
  private findSide(cell: HCell, G: Rational[], E: Rational, side: 1 | -1): Rational[] | null {
    for (const w of cell.witnesses) {
      if (dotQ(G, w).add(E).sign() === side) {
        this.stats.witnessHits++;
        return w;
      }
    }
    this.stats.lps++;
    const r = solveLp(G, cell.A, cell.b, side > 0 ? 'max' : 'min');
    if (r.status === 'infeasible') throw new Error('referenceNd: internal error, a cell is empty');
    let p = r.x!;
    if (r.status === 'unbounded') {
      // g(x + s d) = g(x) + s G.d with side * G.d > 0: step s = max(0, -side g(x) / (side G.d)) + 1.
      const d = r.ray!;
      const gd = dotQ(G, d);
      const gx = dotQ(G, p).add(E);
      if (gd.sign() !== side) throw new Error('referenceNd: internal error, bad unbounded ray');
      let step = gx.neg().div(gd);
      if (step.sign() < 0) step = Rational.ZERO;
      step = step.add(Rational.ONE);
      p = p.map((x, k) => x.add(step.mul(d[k]!)));
    }
    this.addWitness(cell, p);
    return dotQ(G, p).add(E).sign() === side ? p : null;
  }

  /** The closure of cell and {g > 0} (strict) or {g >= 0}, or null when it has an empty interior. */
  clip(cell: HCell, g: AffineRowNd, strict: boolean): HCell | null {
    const G = g.a.map((x) => x.toRational());
    const E = g.c.toRational();
    if (G.every((x) => x.isZero())) {
      if (E.isZero()) return strict ? null : cell;
      return E.sign() > 0 ? cell : null;
    }
    const pos = this.findSide(cell, G, E, 1);
    if (pos === null) return null;
    const neg = this.findSide(cell, G, E, -1);
    if (neg === null) return cell; // g >= 0 on the whole cell
    const witnesses = cell.witnesses.filter((w) => dotQ(G, w).add(E).sign() >= 0);
    if (!witnesses.includes(pos)) witnesses.push(pos);
    // -G . p <= E  <=>  g(p) >= 0
    return { A: [...cell.A, G.map((x) => x.neg())], b: [...cell.b, E], witnesses: witnesses.slice(-MAX_WITNESSES) };
  }
}

// ---------------------------------------------------------------------------------------------
// Refinement.

// The depth-first refinement and the union-find are the 2-D reference's (generic over the cell):
// here cells are H-representations clipped by exact LPs.
type Leaf = RefLeaf<HCell>;

// ---------------------------------------------------------------------------------------------
// Linear regions.

/** The row (a, b) of "a . p <= b" scaled by a positive factor to a primitive integer vector. */
function primitiveRow(a: readonly Rational[], b: Rational): bigint[] {
  const all = [...a, b];
  let l = 1n;
  for (const x of all) l = (l / gcd(l, x.d)) * x.d;
  const ints = all.map((x) => (x.n * l) / x.d);
  let g = 0n;
  for (const v of ints) g = gcd(g, v);
  return g === 0n ? ints : ints.map((v) => v / g);
}

function rowKey(ints: readonly bigint[]): string {
  return ints.join(',');
}

/**
 * Do the closures of two cells (with disjoint interiors) share a (d-1)-dimensional face? Exact; see
 * the header. `stats` counts LPs.
 */
export function shareFacet(P: { A: Rational[][]; b: Rational[] }, Q: { A: Rational[][]; b: Rational[] }, stats?: NdStats): boolean {
  const pKeys = P.A.map((a, i) => primitiveRow(a, P.b[i]!));
  const qKeys = new Set(Q.A.map((a, i) => rowKey(primitiveRow(a, Q.b[i]!))));
  const tried = new Set<string>();
  for (let i = 0; i < P.A.length; i++) {
    const h = pKeys[i]!;
    const key = rowKey(h);
    if (tried.has(key)) continue;
    tried.add(key);
    if (!qKeys.has(rowKey(h.map((v) => -v)))) continue;
    const hNeg = rowKey(h.map((v) => -v));
    const dim = P.A[i]!.length;
    // Variables (p, t): maximize t s.t. a.p <= b, -a.p <= -b, other rows a_j p + t <= b_j, t <= 1.
    const rows: Rational[][] = [];
    const rhs: Rational[] = [];
    rows.push([...P.A[i]!, Rational.ZERO], [...P.A[i]!.map((x) => x.neg()), Rational.ZERO]);
    rhs.push(P.b[i]!, P.b[i]!.neg());
    for (const C of [P, Q]) {
      for (let j = 0; j < C.A.length; j++) {
        const k = rowKey(primitiveRow(C.A[j]!, C.b[j]!));
        if (k === key || k === hNeg) continue; // a positive or negative multiple of (a, b): 0 on H
        rows.push([...C.A[j]!, Rational.ONE]);
        rhs.push(C.b[j]!);
      }
    }
    const t = new Array<Rational>(dim + 1).fill(Rational.ZERO);
    t[dim] = Rational.ONE;
    rows.push(t);
    rhs.push(Rational.ONE);
    if (stats) stats.lps++;
    const r = solveLp(t, rows, rhs, 'max');
    if (r.status === 'optimal' && r.value!.sign() > 0) return true;
  }
  return false;
}

function linearRegions(leaves: readonly Leaf[], stats: NdStats): number {
  const uf = new UnionFind(leaves.length);
  const groups = new Map<string, number[]>();
  leaves.forEach((l, i) => {
    const k = mapKey(l.output);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  for (const group of groups.values()) {
    for (let s = 0; s < group.length; s++) {
      for (let t = s + 1; t < group.length; t++) {
        const i = group[s]!;
        const j = group[t]!;
        if (uf.find(i) === uf.find(j)) continue;
        if (shareFacet(leaves[i]!.cell, leaves[j]!.cell, stats)) uf.union(i, j);
      }
    }
  }
  return uf.components;
}

// ---------------------------------------------------------------------------------------------
// Public API.

export interface ReferenceNdResult {
  activationRegions: number;
  linearRegions: number;
  perLayer: number[];
  /** The dimension of the domain (inputDim, or the number of slice directions). */
  dimension: number;
}

export interface ReferenceNdRegion {
  pattern: number[][];
  /** The closed cell {p : A p <= b} in domain coordinates. */
  A: Rational[][];
  b: Rational[];
  /** Exact points of the closed cell. */
  witnesses: Rational[][];
  /** Output map rows: output_r = a . p + c. */
  output: AffineRowNd[];
}

export interface ReferenceNdRegionsResult extends ReferenceNdResult {
  regions: ReferenceNdRegion[];
  stats: NdStats;
}

function checkFinite(xs: readonly number[], what: string): void {
  for (const x of xs) if (!Number.isFinite(x)) throw new Error(`referenceNd: ${what} has a non-finite entry ${x}`);
}

/** The root cell and the input map, from a domain. */
function rootCell(network: Network, dom: NdDomain): { dim: number; root: HCell; inputMap: AffineRowNd[] } {
  const n = network.inputDim;
  const identity = (): AffineRowNd[] =>
    Array.from({ length: n }, (_, j) => ({ a: Array.from({ length: n }, (_, k) => (k === j ? Dyadic.ONE : Dyadic.ZERO)), c: Dyadic.ZERO }));
  const boxCell = (bounds: readonly [number, number][], dim: number): HCell => {
    if (bounds.length !== dim) throw new Error(`referenceNd: domain has ${bounds.length} bounds, expected ${dim}`);
    const A: Rational[][] = [];
    const b: Rational[] = [];
    const center: Rational[] = [];
    bounds.forEach(([lo, hi], k) => {
      checkFinite([lo, hi], 'a bound');
      const l = toRational(lo);
      const h = toRational(hi);
      if (!l.lt(h)) throw new Error(`referenceNd: empty domain interval [${lo}, ${hi}]`);
      const e = Array.from({ length: dim }, (_, j) => (j === k ? Rational.ONE : Rational.ZERO));
      A.push(e, e.map((x) => x.neg()));
      b.push(h, l.neg());
      center.push(l.add(h).div(Rational.int(2)));
    });
    return { A, b, witnesses: [center] };
  };
  if (isWhole(dom)) return { dim: n, root: { A: [], b: [], witnesses: [new Array<Rational>(n).fill(Rational.ZERO)] }, inputMap: identity() };
  if (isPolytope(dom)) {
    if (dom.A.length !== dom.b.length) throw new Error(`referenceNd: polytope A has ${dom.A.length} rows, b has ${dom.b.length}`);
    dom.A.forEach((row, i) => {
      if (row.length !== n) throw new Error(`referenceNd: polytope row ${i} has ${row.length} entries, expected ${n}`);
      checkFinite(row, 'polytope A');
    });
    checkFinite(dom.b, 'polytope b');
    const A = dom.A.map((row) => row.map(toRational));
    const b = dom.b.map(toRational);
    const p = interiorPoint(A, b, n);
    if (p === null) throw new Error('referenceNd: the polytope {x : A x <= b} has an empty interior');
    // Zero rows (0 <= b_i, b_i >= 0 since the interior is non-empty) constrain nothing: drop them.
    const keep = A.map((row) => row.some((x) => !x.isZero()));
    return { dim: n, root: { A: A.filter((_, i) => keep[i]), b: b.filter((_, i) => keep[i]), witnesses: [p] }, inputMap: identity() };
  }
  if (isSliceNd(dom)) {
    const k = dom.directions.length;
    if (k < 1) throw new Error('referenceNd: a slice needs at least one direction');
    if (dom.origin.length !== n) throw new Error('referenceNd: slice origin length != inputDim');
    for (const d of dom.directions) if (d.length !== n) throw new Error('referenceNd: slice direction length != inputDim');
    checkFinite(dom.origin, 'slice origin');
    for (const d of dom.directions) checkFinite(d, 'slice direction');
    const inputMap = dom.origin.map((o, j) => ({ a: dom.directions.map((d) => toDyadic(d[j]!)), c: toDyadic(o) }));
    return { dim: k, root: boxCell(dom.bounds, k), inputMap };
  }
  if ((dom as BoxDomain).bounds !== undefined) return { dim: n, root: boxCell((dom as BoxDomain).bounds, n), inputMap: identity() };
  throw new Error('referenceNd: unknown domain (expected bounds, A and b, whole, or a slice)');
}

function run(network: Network, domain: NdDomain | undefined, withLinear: boolean): ReferenceNdRegionsResult {
  const layers = prepareLayers(network);
  const dom = resolveDomainNd(network, domain);
  const { dim, root, inputMap } = rootCell(network, dom);
  const refiner = new Refiner();
  const { leaves, perLayer } = refine(refiner, layers, root, inputMap, dim);
  const linear = withLinear ? linearRegions(leaves, refiner.stats) : NaN;
  return {
    activationRegions: leaves.length,
    linearRegions: linear,
    perLayer,
    dimension: dim,
    regions: leaves.map((l) => ({ pattern: l.pattern, A: l.cell.A, b: l.cell.b, witnesses: l.cell.witnesses, output: l.output })),
    stats: refiner.stats,
  };
}

/**
 * Exact counts of activation regions and linear regions of `network` on `domain` (default:
 * network.domain, else [-1, 1]^inputDim for inputDim <= 2, else the whole space), in any dimension.
 * Throws on malformed input and on a polytope with an empty interior.
 */
export function referenceCountNd(network: Network, domain?: NdDomain): ReferenceNdResult {
  const r = run(network, domain, true);
  return { activationRegions: r.activationRegions, linearRegions: r.linearRegions, perLayer: r.perLayer, dimension: r.dimension };
}

/** Activation regions only (skips the linear-region pass, which is O(R^2) LPs). linearRegions is NaN. */
export function referenceActivationCountNd(network: Network, domain?: NdDomain): ReferenceNdResult {
  const r = run(network, domain, false);
  return { activationRegions: r.activationRegions, linearRegions: r.linearRegions, perLayer: r.perLayer, dimension: r.dimension };
}

/** Like {@link referenceCountNd}, plus every final region (exact H-representation, output map) and LP statistics. */
export function referenceRegionsNd(network: Network, domain?: NdDomain): ReferenceNdRegionsResult {
  return run(network, domain, true);
}
