/**
 * The whole space R^n (n = 2 to 5) counted as boxes, where the polygon engine (2-D) and vertex
 * cells (3-D, 4-D) count fast, instead of in the homogeneous chart, where every cell is an H-cell
 * decided by LPs (docs/whole-space.md); a polytope as the same boxes, each cut by its rows. In 5-D
 * the boxes are H-cell counts too (the shared-vertex mesh records no sides), which avoid
 * the chart's apex.
 *
 * R^n is the box [-1, 1]^n and 2 n outer pieces: piece (i, s), s = +-1, holds the points where
 * s x_i >= 1 and |x_j| <= s x_i for every j. In the coordinates y_j = x_j / (s x_i) (j != i) and
 * t = 1 / (s x_i), piece (i, s) is the box [-1, 1]^(n-1) x (0, 1], and a unit's pre-activation at
 * x is, times t > 0, the homogenized network's at (y, t) (ReLU, leaky ReLU, abs and linear layers
 * are positively homogeneous): each layer's bias multiplies t. The piece's network is that
 * homogenized network, with t carried from layer to layer by one extra unit per hidden layer,
 * relu(t + 1) = t + 1 (never 0 on the box: it splits nothing), the next layer reading b t as
 * b (t + 1) - b. Every weight is the network's own or its negation, so the piece's exact counts
 * are the network's on the piece.
 *
 * Each region of R^n meets some pieces, and its part in each is one cell there (both convex). A
 * region counted in several pieces touches, in each, a side that piece shares with another (its
 * parts meet across them), so the core records every region touching those sides with its
 * activation pattern (assembly/sides-nd.ts), and the copies are found by pattern: one pattern is
 * one region (its set is convex). Activation regions are the pieces' counts less the copies; the
 * same for the regions of each layer, by the patterns' prefixes. Linear regions: each piece's own
 * (joined inside it), less the joins of one region's linear regions across pieces (a union-find
 * over (piece, root)). That misses a join only across a face that lies on a piece's side, where a
 * unit's hyperplane holds a facet on the side. A unit decided by strict certified signs (box
 * tests, vertex signs) cannot be such a unit; one the H-cell engine decided is checked exactly
 * against the cell's sides (the core's sidesExact), and if one is, the count is made in the
 * homogeneous chart instead.
 */
import type { Domain, Layer, Network } from '../network/types.js';
import { isPolytope, isWhole, type PolytopeDomain } from '../network/types.js';

/** One piece: its network and box, and the box sides it shares with other pieces (bit i: row i). */
export interface Piece {
  network: Network;
  domain: Domain;
  /** A polytope's rows alpha.p + beta >= 0 in the piece's coordinates, cutting its box (pack's `cut`). */
  cut: number[][];
  sides: number;
  /** The network carries t in one extra unit at the end of each hidden layer. */
  carriesT: boolean;
}

/** The core's side records (assembly/index.ts). */
export interface SideCore {
  memory: WebAssembly.Memory;
  recordSides(mask: number): number;
  sideRecordCount(): number;
  sideRecordBytes(): number;
  sideRecords(): number;
  sidesExact(): number;
  settleSides(): void;
}

/** What a piece's count hands back (parallel.ts, countPiecesOnWorkers). */
export interface PieceReply {
  type: 'piece-result';
  /** 'complete', or why it stopped: 'stopped' (asked to), 'memory'; 'empty': no interior point of the polytope there. */
  status: 'complete' | 'stopped' | 'memory' | 'empty';
  activation: number;
  merges: number;
  perLayer: number[];
  exact: boolean;
  records: Uint8Array;
  recordCount: number;
  recordBytes: number;
  memoryBytes: number;
}

/** The pieces of a count of the whole space that workers may take (api.ts, PiecesCount). */
export interface PieceSource {
  /** The next piece nobody has started (its index and packed words, the sides to record), or undefined. */
  take(): { index: number; words: Float64Array; sides: number } | undefined;
  /** Piece `index` counted by a worker. */
  done(index: number, reply: PieceReply): void;
}

/**
 * `minUnits`: below this many units in sign layers (3 and 4 inputs; PLANE times as many for 2) the
 * homogeneous chart is as fast or faster: each piece is a count of its own (an instance of the
 * core, its set-up: 0.3-0.5 ms), 2 n + 1 of them (bench/whole.js). Tests lower it to count small
 * networks by pieces.
 */
export const pieceTuning = { minUnits: 20 };
// (the plane's chart is cheaper: 2-30-1 and 2-12-12-1 counted the whole plane 0.86x and 0.92x as
// fast by pieces, 2-16-16-1 and 2-40-1 1.22x and 1.31x; a triangle 0.99x, 1.22x, 1.52x, 1.04x)
const PLANE = 1.6;

/**
 * Whether a count goes by pieces: a plain count (every region, no decision regions) of the whole
 * space or a polytope of 2 to 5 inputs, no maxout layer, at least pieceTuning.minUnits
 * units in sign layers, and with linear regions not all weights integers. With 5 inputs only
 * networks of 3 or more sign layers (see below).
 */
export function byPieces(network: Network, domain: Domain, plain: boolean, linear: boolean): boolean {
  if (!plain || !(isWhole(domain) || isPolytope(domain))) return false;
  // (integer weights put hyperplanes on the pieces' sides, x_i = 1 or x_i = x_j, often enough
  // that linear regions would be given up on, after a piece's work, for the homogeneous chart)
  if (linear && integerWeights(network)) return false;
  const n = network.inputDim;
  if (n < 2 || n > 5 || network.layers.some((layer) => layer.activation === 'maxout')) return false;
  let units = 0;
  let signLayers = 0;
  for (const layer of network.layers) {
    if (layer.activation === 'linear') continue;
    units += layer.weights.length;
    signLayers++;
  }
  // (5 and 6 inputs: the pieces are H-cell counts, the mesh recording no sides, and the chart's
  // points at infinity cost little since the touch certificate (queries-nd.ts). On one thread the
  // pieces gain with 5 inputs and 3 sign layers (5-8-8-8-1 1.6x, 5-10-10-10-1 1.03x; two-layer
  // 5-12-12-1 0.79x), and lose with 6 (6-8-8-8-1 0.75x, 6-10-10-1 0.79x, 6-12-12-1 1.0x). On two
  // threads the chart's count goes parallel too, and there 6 inputs lose by pieces as well
  // (6-10-10-1 727 ms in the chart against 997 ms by pieces, 6-8-8-8-1 2.09 s against 2.88 s,
  // 6-12-12-1 3.77 s against 4.75 s), where 5-8-8-8-1 still gains (0.65 s against 1.05 s).)
  if (n === 5 && signLayers < 3) return false;
  return units >= (n === 2 ? PLANE : 1) * pieceTuning.minUnits;
}

function integerWeights(network: Network): boolean {
  return network.layers.every((layer) => layer.bias.every(Number.isInteger) && layer.weights.every((row) => Array.from(row).every(Number.isInteger)));
}

const cube = (n: number): [number, number][] => Array.from({ length: n }, () => [-1, 1] as [number, number]);

/**
 * The box and the 2 n outer pieces of R^n (see the header); with `polytope`, each cut by its rows
 * {x : A x <= b} (2 inputs: the polygon engine clips its box by them; 3 and 4: the pieces' cells
 * are vertex cells clipped by the rows).
 */
export function pieces(network: Network, polytope?: PolytopeDomain): Piece[] {
  const n = network.inputDim;
  const all = (1 << (2 * n)) - 1;
  // (rows 0 <= b constrain nothing, as in the homogeneous chart's packing: pack.ts)
  const rows = polytope ? polytope.A.map((a, r) => ({ a: Array.from(a), b: polytope.b[r]! })).filter(({ a }) => a.some((x) => x !== 0)) : [];
  // a.x <= b: -a.x + b >= 0 in the box; in piece (i, s), x = y~ / t with y~_i = s and t > 0, so
  // a.y~ - b t <= 0: -sum_{j != i} a_j y_j + b t - s a_i >= 0 (every number the polytope's own)
  const inner = rows.map(({ a, b }) => [...a.map((x) => -x), b]);
  const out: Piece[] = [{ network, domain: { bounds: cube(n) }, cut: inner, sides: all, carriesT: false }];
  // (the outer pieces' side t >= 0 is the points at infinity: no other piece has it)
  const outerSides = all & ~(1 << (2 * (n - 1)));
  const outerBox: Domain = { bounds: [...cube(n - 1), [0, 1]] };
  for (let i = 0; i < n; i++) {
    for (const s of [1, -1]) {
      const cut = rows.map(({ a, b }) => [...a.filter((_, j) => j !== i).map((x) => -x), b, -s * a[i]!]);
      out.push({ network: outerNetwork(network, i, s), domain: outerBox, cut, sides: outerSides, carriesT: true });
    }
  }
  return out;
}

/** The network of outer piece (i, s) in its coordinates (y_j for j != i, then t). */
export function outerNetwork(network: Network, i: number, s: number): Network {
  const L = network.layers.length;
  const n = network.inputDim;
  const layers: Layer[] = network.layers.map((layer, l) => {
    const weights: number[][] = [];
    const bias: number[] = [];
    for (let u = 0; u < layer.weights.length; u++) {
      const row = Array.from(layer.weights[u]!);
      const b = layer.bias[u]!;
      if (l === 0) {
        // w.x + b = (w_i s + sum_{j != i} w_j y_j + b t) / t
        weights.push([...row.filter((_, j) => j !== i), b]);
        bias.push(s * row[i]!);
      } else {
        // the extra column reads t + 1
        weights.push([...row, b]);
        bias.push(-b);
      }
    }
    if (l < L - 1) {
      const width = l === 0 ? n : layer.weights[0]!.length + 1;
      weights.push(Array.from({ length: width }, (_, j) => (j === width - 1 ? 1 : 0)));
      bias.push(l === 0 ? 1 : 0);
    }
    return { ...layer, weights, bias };
  });
  return { inputDim: n, layers };
}

/** A piece's counts and side records (from its core: pieceCount; or from a worker). */
export interface PieceCount {
  activation: number;
  /** Its linear regions (joined inside the piece); 0 when not counted. */
  linear: number;
  perLayer: number[];
  /** The core's sidesExact: no unit's hyperplane found on a shared side. */
  exact: boolean;
  /** recordCount records of recordBytes bytes (assembly/sides-nd.ts). */
  records: Uint8Array;
  recordCount: number;
  recordBytes: number;
  /** The count stopped early (settleSides was called before the records were read). */
  stopped: boolean;
}

/** A piece's count from its core after its run (a view of the core's records, not a copy). */
export function pieceCount(core: SideCore, counts: { activationRegions: number; linearRegions: number | null; perLayer: number[] }, stopped: boolean): PieceCount {
  if (stopped) core.settleSides();
  const recordCount = core.sideRecordCount();
  const recordBytes = core.sideRecordBytes();
  const at = core.sideRecords();
  return {
    activation: counts.activationRegions,
    linear: counts.linearRegions ?? 0,
    perLayer: counts.perLayer,
    exact: core.sidesExact() === 1,
    records: new Uint8Array(core.memory.buffer, at, recordCount * recordBytes),
    recordCount,
    recordBytes,
    stopped,
  };
}

/**
 * The pieces' counts and side records, combined into the count of R^n: each piece's counts and
 * records go in with `add`, and `result` takes the copies off.
 */
export class PieceTally {
  activation = 0;
  linear = 0;
  perLayer: number[];
  /** Every piece's units were decided by strict certified signs (linear regions are exact). */
  exact = true;
  /** Per layer below the last: each region's key prefix, and the last piece that recorded it. */
  private readonly prefixes: KeyMap[];
  private readonly copies: number[];
  private readonly first: KeyMap;
  private readonly parent = new NumberMap();
  private joins = 0;
  private piece = 0;
  /** Units per layer, and whether each is a sign layer (its states are part of a region's key). */
  private readonly widths: number[];
  private readonly sign: boolean[];
  /**
   * At most 52 units in sign layers: a key is a number, the states as binary digits (exact in a
   * double), kept in a NumberMap (typed arrays, nothing allocated per key) instead of a Map of
   * strings.
   */
  private readonly numeric: boolean;

  constructor(private readonly network: Network) {
    const layers = network.layers;
    this.perLayer = new Array<number>(layers.length).fill(0);
    this.copies = new Array<number>(layers.length).fill(0);
    this.widths = layers.map((layer) => layer.weights.length);
    this.sign = layers.map((layer) => layer.activation !== 'linear');
    let end = 0;
    let units = 0;
    this.ends = layers.map((layer, l) => {
      if (this.sign[l]) units += layer.weights.length;
      return (end += this.sign[l] ? Math.ceil(layer.weights.length / 15) : 0);
    });
    this.codes = new Array<number>(end).fill(0);
    this.numeric = units <= 52;
    const map = (): KeyMap => (this.numeric ? new NumberMap() : new StringMap());
    this.prefixes = layers.map(map);
    this.first = map();
  }

  /**
   * One piece's count (pieceCount). A stopped count's regions are counted, each once; for a piece
   * stopped after others, its regions of the layers below the last are left out: one of them whose
   * final regions it had not counted yet may be a copy no record shows (the counts stay lower
   * bounds). The first piece has no copies.
   */
  add(piece: Piece, c: PieceCount): void {
    const p = this.piece++;
    const partial = c.stopped && p > 0;
    const last = this.widths.length - 1;
    this.activation += c.activation;
    this.linear += c.linear;
    c.perLayer.forEach((n, l) => {
      if (!partial || l === last) this.perLayer[l]! += n;
    });
    if (!c.exact) this.exact = false;
    const count = c.recordCount;
    const bytes = c.recordBytes;
    const mem = c.records;
    const view = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
    const widths = this.widths;
    const sign = this.sign;
    // (the extra unit that carries t comes last in each hidden layer of an outer piece)
    const extra = piece.carriesT ? 1 : 0;
    for (const m of this.prefixes) m.reserve(count);
    this.first.reserve(count);
    this.parent.reserve(count);
    for (let r = 0; r < count; r++) {
      const rec = r * bytes;
      // the states of the network's own units (0 or 1), sign layers only; the regions of layer l
      // below the last by their prefixes (a region of layer l has records for several of its final
      // regions in one piece: it is a copy once per piece)
      let key: string | number;
      if (this.numeric) {
        let k = 0;
        let q = rec + 16;
        for (let l = 0; l <= last; l++) {
          const n = widths[l]!;
          if (sign[l]) for (let u = 0; u < n; u++) k = k * 2 + mem[q + u]!;
          q += n + (l < last ? extra : 0);
          if (l < last && !partial) this.prefix(l, k, p);
        }
        key = k;
      } else {
        // (15 states to a character, each layer from a new one)
        const codes = this.codes;
        let q = rec + 16;
        let o = 0;
        for (let l = 0; l <= last; l++) {
          const n = widths[l]!;
          if (sign[l]) {
            for (let u = 0; u < n; u += 15) {
              let code = 0;
              for (let b = 0; b < 15 && u + b < n; b++) code |= mem[q + u + b]! << b;
              codes[o++] = code;
            }
          }
          q += n + (l < last ? extra : 0);
        }
        key = String.fromCharCode.apply(null, codes);
        for (let l = 0; l < last && !partial; l++) this.prefix(l, key.slice(0, this.ends[l]), p);
      }
      // the last layer's: one record per region of a piece, so a key seen before is a copy; the
      // region's linear region here joins that of its first copy
      const node = p * 2 ** 32 + (view.getInt32(rec + 4, true) >>> 0);
      const other = this.first.get(key);
      if (other < 0) {
        this.first.set(key, node);
      } else {
        this.copies[last]!++;
        this.join(other, node);
      }
    }
  }

  /** A region of layer l (its key prefix) recorded by piece p: a copy when another piece had it. */
  private prefix(l: number, prefix: string | number, p: number): void {
    const seen = this.prefixes[l]!;
    const by = seen.get(prefix);
    if (by === p) return;
    if (by >= 0) this.copies[l]!++;
    seen.set(prefix, p);
  }

  private readonly codes: number[];
  /** Per layer, the length of the key's prefix up to it (characters of 15 states of sign layers). */
  private readonly ends: number[];

  private find(x: number): number {
    let r = x;
    for (let p = this.parent.get(r); p >= 0 && p !== r; p = this.parent.get(r)) r = p;
    while (x !== r) {
      const p = this.parent.get(x);
      this.parent.set(x, r);
      x = p;
    }
    return r;
  }

  private join(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    this.parent.set(ra, rb);
    this.joins++;
  }

  /** The counts of R^n (activation regions, linear regions, per layer) from the pieces added. */
  result(): { activationRegions: number; linearRegions: number; perLayer: number[] } {
    const last = this.network.layers.length - 1;
    return {
      activationRegions: this.activation - this.copies[last]!,
      linearRegions: this.linear - this.joins,
      perLayer: this.perLayer.map((c, l) => c - this.copies[l]!),
    };
  }
}

/** A map from keys to non-negative numbers; get answers -1 for a key it does not hold. */
interface KeyMap {
  get(key: string | number): number;
  set(key: string | number, value: number): void;
  reserve(more: number): void;
}

class StringMap implements KeyMap {
  private readonly map = new Map<string | number, number>();
  get(key: string | number): number {
    return this.map.get(key) ?? -1;
  }
  set(key: string | number, value: number): void {
    this.map.set(key, value);
  }
  reserve(): void {}
}

/**
 * A map from integers in [0, 2^53) to non-negative numbers: open addressing with linear probing in
 * two Float64Arrays (-1 marks a free slot), grown to keep it at most half full. Nothing is
 * allocated per key, where a Map boxes every key above 2^31 (the keys here are up to 52 bits).
 */
export class NumberMap implements KeyMap {
  private keys = new Float64Array(1024).fill(-1);
  private values = new Float64Array(1024);
  private size = 0;

  private slot(key: number): number {
    const mask = this.keys.length - 1;
    // (the key's two 32-bit halves, mixed)
    const h = Math.imul((key >>> 0) ^ Math.imul((key / 4294967296) >>> 0, 0x9e3779b1), 0x85ebca6b);
    let i = (h ^ (h >>> 15)) & mask;
    while (this.keys[i] !== key && this.keys[i] !== -1) i = (i + 1) & mask;
    return i;
  }

  get(key: string | number): number {
    const i = this.slot(key as number);
    return this.keys[i] === key ? this.values[i]! : -1;
  }

  set(key: string | number, value: number): void {
    const i = this.slot(key as number);
    if (this.keys[i] === key) {
      this.values[i] = value;
      return;
    }
    this.keys[i] = key as number;
    this.values[i] = value;
    if (++this.size * 2 > this.keys.length) this.grow();
  }

  /** Room for `more` keys beyond those held, grown once (a piece's records are added in a batch). */
  reserve(more: number): void {
    if ((this.size + more) * 2 > this.keys.length) this.grow(this.size + more);
  }

  private grow(atLeast = 0): void {
    const keys = this.keys;
    const values = this.values;
    let length = keys.length * 2;
    while (length < 2 * atLeast) length *= 2;
    this.keys = new Float64Array(length).fill(-1);
    this.values = new Float64Array(length);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === -1) continue;
      const j = this.slot(keys[i]!);
      this.keys[j] = keys[i]!;
      this.values[j] = values[i]!;
    }
  }
}
