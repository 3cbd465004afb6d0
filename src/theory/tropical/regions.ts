/**
 * The fast path to the reduced F_j and G_j: read them off the network's activation regions.
 *
 * Every F and G of the recursion (recursion.ts) is affine on each activation region of the network
 * (its switches are the units' sign changes), and a reduced tropical polynomial's monomials are
 * exactly its affine pieces on open sets. The regions cover R^n0 up to a null set, so the distinct
 * affine maps that F_j takes on the activation regions (counted exactly by the WebAssembly engine
 * on the whole space) ARE the reduced monomials of F_j: nothing missing (each monomial wins on an
 * open set, which meets some region's interior), nothing extra (each map is F_j on an open set).
 * Likewise N(F_j (*) G_j) is the number of distinct (F_j piece, G_j piece) pairs: the vertices of a
 * Minkowski sum are the pairs of vertices whose normal cones (here: regions) overlap.
 *
 * Per region the maps follow the recursion's table with the region's activation pattern choosing
 * the branch of each max, in exact BigInt integers: each layer's weights are integers over one
 * power of two, so all maps of a layer share one scale and need no alignment. Maps are cached per
 * pattern prefix (the engine lists regions depth-first, so a prefix's regions come together).
 */
import { LinearRegionsError } from '../../errors.js';
import type { Layer, Network } from '../../network/types.js';
import { fromDouble } from './dyadic.js';
import { TropicalPolynomial, compareExponents } from './polynomial.js';

/** Affine map: n0 exponent entries then the coefficient, integers over the layer's 2^scale. */
type Affine = bigint[];

interface LayerPlan {
  /** A+ and A- as integers over 2^weightScale (rows x inputs). */
  plus: bigint[][];
  minus: bigint[][];
  /** Bias as integers over 2^preScale. */
  bias: bigint[];
  /** Scale of H and K (previous layer's scale + weight scale). */
  preScale: number;
  /** Scale of the layer's F and G (preScale + the activation's scale). */
  scale: number;
  /** leaky_relu: alpha = sign * alphaInt / 2^alphaScale; 1 = unit. */
  alphaInt: bigint;
  unit: bigint;
  layer: Layer;
}

function plan(layers: readonly Layer[]): LayerPlan[] {
  const plans: LayerPlan[] = [];
  let prev = 0;
  for (const layer of layers) {
    const ws = layer.weights.map((row) => row.map(fromDouble));
    const bs = layer.bias.map(fromDouble);
    let wScale = 0;
    for (const row of ws) for (const w of row) wScale = Math.max(wScale, w.scale);
    for (const b of bs) wScale = Math.max(wScale, b.scale - prev);
    const preScale = prev + wScale;
    const plus = ws.map((row) => row.map((w) => (w.int > 0n ? w.int << BigInt(wScale - w.scale) : 0n)));
    const minus = ws.map((row) => row.map((w) => (w.int < 0n ? -w.int << BigInt(wScale - w.scale) : 0n)));
    const bias = bs.map((b) => b.int << BigInt(preScale - b.scale));
    let alphaInt = 0n;
    let aScale = 0;
    if (layer.activation === 'leaky_relu') {
      const a = fromDouble(layer.alpha ?? 0);
      alphaInt = a.int < 0n ? -a.int : a.int;
      aScale = a.scale;
    }
    const scale = preScale + aScale;
    plans.push({ plus, minus, bias, preScale, scale, alphaInt, unit: 1n << BigInt(aScale), layer });
    prev = scale;
  }
  return plans;
}

/** x + y, or c * x + d * y, entrywise. */
function add(x: Affine, y: Affine): Affine {
  return x.map((v, k) => v + y[k]!);
}
function comb(c: bigint, x: Affine, d: bigint, y: Affine): Affine {
  return x.map((v, k) => c * v + d * y[k]!);
}
function times(c: bigint, x: Affine): Affine {
  return x.map((v) => c * v);
}

/** H and K of layer `p` (pre-activation) from the previous layer's F and G, in full. */
function preActivation(p: LayerPlan, F: readonly Affine[], G: readonly Affine[], n: number): { H: Affine[]; K: Affine[] } {
  const H: Affine[] = [];
  const K: Affine[] = [];
  for (let r = 0; r < p.plus.length; r++) {
    const h = new Array<bigint>(n + 1).fill(0n);
    const k = new Array<bigint>(n + 1).fill(0n);
    h[n] = p.bias[r]!;
    H.push(h);
    K.push(k);
  }
  for (let j = 0; j < F.length; j++) addUnit(p, H, K, j, F[j]!, G[j]!, n);
  return { H, K };
}

/** Adds input unit j's contribution (F_j, G_j, or their change) to every row's H and K. */
function addUnit(p: LayerPlan, H: Affine[], K: Affine[], j: number, f: Affine, g: Affine, n: number): void {
  for (let r = 0; r < H.length; r++) {
    const a = p.plus[r]![j]!;
    const m = p.minus[r]![j]!;
    if (a === 0n && m === 0n) continue;
    const h = H[r]!;
    const k = K[r]!;
    const fw = a !== 0n ? a : m; // A+ F into H and A+ G into K, or A- G into H and A- F into K
    const into = a !== 0n ? h : k;
    const other = a !== 0n ? k : h;
    for (let t = 0; t <= n; t++) {
      if (f[t] !== 0n) into[t]! += fw * f[t]!;
      if (g[t] !== 0n) other[t]! += fw * g[t]!;
    }
  }
}

/** Unit u's F and G: the branch of the activation table chosen by the pattern (table in recursion.ts). */
function activate(p: LayerPlan, H: Affine[], K: Affine[], pattern: readonly number[], u: number): [Affine, Affine] {
  const act = p.layer.activation;
  if (act === 'maxout') {
    const k = p.layer.pieces as number;
    let sum = K[u * k]!;
    for (let s = 1; s < k; s++) sum = add(sum, K[u * k + s]!);
    const r = pattern[u]!;
    return [add(H[u * k + r]!, sum.map((v, t) => v - K[u * k + r]![t]!)), sum];
  }
  const alpha = p.layer.alpha ?? 0;
  const one = p.unit;
  const a = p.alphaInt;
  const h = H[u]!;
  const k = K[u]!;
  const on = pattern[u] === 1; // z > 0; off also where z is identically 0 (then H = K)
  switch (act) {
    case 'relu': // copies: H and K are updated in place as the patterns change
      return [(on ? h : k).slice(), k.slice()];
    case 'linear':
      return [h.slice(), k.slice()];
    case 'abs':
      return [times(2n, on ? h : k), add(h, k)];
    default: // leaky_relu
      if (alpha >= 0 && alpha <= 1) return [on ? times(one, h) : comb(a, h, one - a, k), times(one, k)]; // H (+) (aH (*) (1-a)K), K
      if (alpha < 0) return [times(one + a, on ? h : k), comb(one, k, a, h)]; // (1-a)(H (+) K), K (*) (-a)H
      return [times(a, h), on ? comb(one, k, a - one, h) : times(a, k)]; // aH, K (*) (a-1)(H (+) K)
  }
}

/** Is unit u's pattern entry the same in both patterns? */
function sameEntry(x: readonly number[], y: readonly number[], u: number): boolean {
  return x[u] === y[u];
}

/** An affine map as a key: its entries in decimal, comma-separated (take() parses them back). */
function mapKey(m: Affine): string {
  return m.join(',');
}

/** Pair ids F id * PAIR_BASE + G id stay below 2^52, exact in a double. */
const PAIR_BASE = 2 ** 26;

/** The id of `key` in `ids`, added with the next id when new. */
function idOf(ids: Map<string, number>, key: string): number {
  let id = ids.get(key);
  if (id === undefined) {
    id = ids.size;
    ids.set(key, id);
  }
  return id;
}

/**
 * Collects the F and G maps of the chosen output units region by region. Feed it every activation
 * region's pattern (from the engine on the whole space), then call `take` and `pairCount`.
 */
export class RegionPieces {
  private readonly n: number;
  private readonly plans: LayerPlan[];
  private readonly outputs: number[];
  private readonly maxMonomials: number;
  /** Current state along the last region's pattern: per layer its pattern, F, G, and the next layer's H, K. */
  private readonly patterns: (readonly number[])[] = [];
  private readonly F: Affine[][] = [];
  private readonly G: Affine[][] = [];
  private readonly H: Affine[][] = [];
  private readonly K: Affine[][] = [];
  /** Per output: each distinct F (G) map, keyed by its entries, with its id (order of discovery). */
  private readonly outF: Map<string, number>[];
  private readonly outG: Map<string, number>[];
  /** Per output: the (F id, G id) pairs seen, as F id * 2^26 + G id (a string beyond 2^26 ids). */
  private readonly pairs: Set<number | string>[];

  constructor(network: Network, outputs: number[], maxMonomials: number) {
    const n = network.inputDim;
    this.n = n;
    this.plans = plan(network.layers);
    this.outputs = outputs;
    this.maxMonomials = maxMonomials;
    const x = Array.from({ length: n }, (_, i) => Array.from({ length: n + 1 }, (_, t) => (t === i ? 1n : 0n)));
    const zero = Array.from({ length: n }, () => new Array<bigint>(n + 1).fill(0n));
    const first = preActivation(this.plans[0]!, x, zero, n);
    this.H[0] = first.H;
    this.K[0] = first.K;
    this.outF = outputs.map(() => new Map());
    this.outG = outputs.map(() => new Map());
    this.pairs = outputs.map(() => new Set());
  }

  /**
   * Adds one activation region, given its pattern (one array per layer, as the engine reports).
   * Only what changed since the previous region is recomputed: at the first layer whose pattern
   * differs, the units that switched update the next layer's H and K by their change; deeper
   * layers are recomputed in full.
   */
  add(pattern: readonly (readonly number[])[]): void {
    const n = this.n;
    const L = this.plans.length;
    let l0 = 0;
    while (l0 < L && this.patterns[l0] !== undefined && this.patterns[l0]!.join() === pattern[l0]!.join()) l0++;
    for (let l = l0; l < L; l++) {
      const p = this.plans[l]!;
      const H = this.H[l]!;
      const K = this.K[l]!;
      const units = p.layer.activation === 'maxout' ? H.length / (p.layer.pieces as number) : H.length;
      const old = this.patterns[l];
      const incremental = l === l0 && old !== undefined;
      if (!incremental) {
        const F: Affine[] = [];
        const G: Affine[] = [];
        for (let u = 0; u < units; u++) {
          const [f, g] = activate(p, H, K, pattern[l]!, u);
          F.push(f);
          G.push(g);
        }
        this.F[l] = F;
        this.G[l] = G;
        if (l + 1 < L) {
          const next = preActivation(this.plans[l + 1]!, F, G, n);
          this.H[l + 1] = next.H;
          this.K[l + 1] = next.K;
        }
      } else {
        const F = this.F[l]!;
        const G = this.G[l]!;
        for (let u = 0; u < units; u++) {
          if (sameEntry(old, pattern[l]!, u)) continue;
          const [f, g] = activate(p, H, K, pattern[l]!, u);
          if (l + 1 < L) {
            const df = f.map((v, t) => v - F[u]![t]!);
            const dg = g.map((v, t) => v - G[u]![t]!);
            addUnit(this.plans[l + 1]!, this.H[l + 1]!, this.K[l + 1]!, u, df, dg, n);
          }
          F[u] = f;
          G[u] = g;
        }
      }
      this.patterns[l] = pattern[l]!.slice();
    }
    const F = this.F[L - 1]!;
    const G = this.G[L - 1]!;
    this.outputs.forEach((j, o) => {
      const f = F[j]!;
      const g = G[j]!;
      const fi = idOf(this.outF[o]!, mapKey(f));
      const gi = idOf(this.outG[o]!, mapKey(g));
      this.pairs[o]!.add(fi < PAIR_BASE && gi < PAIR_BASE ? fi * PAIR_BASE + gi : `${fi},${gi}`);
      const reached = Math.max(this.outF[o]!.size, this.outG[o]!.size, this.pairs[o]!.size);
      if (reached > this.maxMonomials) {
        throw new LinearRegionsError('E_TOO_LARGE', `output ${j + 1}: the tropical polynomials reached ${reached} monomials, over maxMonomials = ${this.maxMonomials}`);
      }
    });
  }

  /**
   * The reduced F (`which` = 'F') or G of the o-th chosen output, after the last region. Frees that
   * map (call once for each), so that a large polynomial is held once as keys, then once as points,
   * and the caller can turn F into JSON before G is built.
   */
  take(o: number, which: 'F' | 'G'): TropicalPolynomial {
    const n = this.n;
    const m = (which === 'F' ? this.outF : this.outG)[o]!;
    const points = [...m.keys()].map((k) => k.split(',').map(BigInt));
    m.clear();
    return TropicalPolynomial.fromReduced(n, this.plans[this.plans.length - 1]!.scale, points.sort((p, q) => compareExponents(p, q, n)));
  }

  /** N(F (*) G) of the o-th chosen output: its distinct (F piece, G piece) pairs. */
  pairCount(o: number): number {
    return this.pairs[o]!.size;
  }
}
