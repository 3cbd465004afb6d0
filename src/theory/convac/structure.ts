/**
 * The shape of a ConvAC's computation, independent of its weights: which input positions each
 * node's window reads, the digits its channel tables are indexed by, where each child's sub-window
 * sits among its parent's digits; partitions of the positions; and the two bounds the rank
 * certification needs: the structural upper bound on the matricization rank and a bound on the
 * size of the grid tensor's integer entries. See docs/theory.md.
 */
import { LinearRegionsError } from '../../errors.js';
import { MAX_TABLE_ENTRIES, type ConvacShape } from './spec.js';

/** The bytes the core may use (assembly/memory.ts MEMORY_LIMIT is 1.5 GiB; leave room for the input). */
const CORE_BYTES = 1.4 * 2 ** 30;

export interface LayerPlan {
  /** Nodes of this layer (row-major) and of the layer below. */
  nodes: number;
  childNodes: number;
  K: number;
  r: number;
  D: number;
  /** Digits of a child's and of a node's table (positions their windows read). */
  fChild: number;
  fParent: number;
  /** childIndex[j * K + k]: the node of the layer below at offset k of node j. */
  childIndex: Int32Array;
  /** For each parent digit i: entries digitEntries[2t], [2t+1] = (child k, M^(child digit)) for t in [start[i], start[i+1]). */
  digitStart: Int32Array;
  digitEntries: Int32Array;
}

export interface Plan {
  shape: ConvacShape;
  layers: LayerPlan[];
  /** Input positions the network reads (ascending); the others leave the grid tensor constant. */
  read: number[];
  /** Positions of I and of J among `read`, ascending. */
  rowPositions: number[];
  colPositions: number[];
  /**
   * Digits of the top table's high group: the table is a matrix whose rows are the configurations
   * of the high group and whose columns are those of the low group (I or J: the rank is the same).
   */
  highDigits: number;
  /** Bytes of linear memory the core needs for the tables and the matrix. */
  bytes: number;
}

/** Read set of each layer's window, relative to its corner, as [dy, dx] sorted; and T (input positions per step). */
function readSets(shape: ConvacShape): { sets: [number, number][][]; T: number[] } {
  const sets: [number, number][][] = [[[0, 0]]];
  const T = [1];
  for (const layer of shape.spec.layers) {
    const prev = sets[sets.length - 1]!;
    const t = T[T.length - 1]!;
    const R = layer.receptiveField;
    const seen = new Map<string, [number, number]>();
    for (let ky = 0; ky < (shape.dim === 2 ? R : 1); ky++) {
      for (let kx = 0; kx < R; kx++) {
        for (const [py, px] of prev) {
          const p: [number, number] = [ky * t + py, kx * t + px];
          seen.set(`${p[0]},${p[1]}`, p);
        }
      }
    }
    // every node's read set reappears, translated, in the top node's, whose table has M^|set| entries
    if (seen.size > (shape.M >= 2 ? Math.floor(Math.log2(MAX_TABLE_ENTRIES) / Math.log2(shape.M)) : 4096)) {
      throw new LinearRegionsError(
        'E_TOO_LARGE',
        `a window of layer ${sets.length} reads ${seen.size} positions: the grid tensor over them has ${shape.M}^${seen.size} entries; the core takes at most 2^28`,
      );
    }
    sets.push([...seen.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    T.push(t * layer.stride);
  }
  return { sets, T };
}

/** The input positions (row-major indices) the network reads, ascending. */
export function readPositions(shape: ConvacShape): number[] {
  const { sets } = readSets(shape);
  const W = shape.dim === 2 ? shape.axes[1]! : shape.axes[0]!;
  return sets[sets.length - 1]!.map(([y, x]) => (shape.dim === 2 ? y * W + x : x)).sort((a, b) => a - b);
}

/**
 * Plans the computation for the partition whose row side is `rowSet` (positions of I).
 *
 * The top table must be a matricization: one side's digits low, the other's high. For a rank
 * (`tensorOrder` false) the side holding the first read position is low and each side's digits
 * ascend with the position, the order of every lower node's table (a child's index grows with
 * M^i for its i-th position), so the top node reads its children's tables in long sequential runs
 * (for left-right the top table is in plain position order; with the reverse order, which strides
 * through the children's tables, the grid tensor of M = 2, N = 20 took 1.2x to 3.8x as long in
 * interleaved runs on a loaded machine). With `tensorOrder` (and `rowSet`
 * empty) the top table is the grid tensor over the read positions with the lowest position the
 * most significant digit, as buildConvacGridTensor returns it.
 */
export function planConvac(shape: ConvacShape, rowSet: ReadonlySet<number>, tensorOrder = false): Plan {
  const { sets, T } = readSets(shape);
  const { dim, M, sizes } = shape;
  const W = dim === 2 ? shape.axes[1]! : shape.axes[0]!;
  const L = shape.spec.layers.length;
  const abs = ([y, x]: [number, number]): number => (dim === 2 ? y * W + x : x);
  const top = sets[L]!;
  const read = top.map(abs).sort((a, b) => a - b);
  const rowPositions = read.filter((p) => rowSet.has(p));
  const colPositions = read.filter((p) => !rowSet.has(p));
  const entries = M ** read.length;
  if (entries > MAX_TABLE_ENTRIES) {
    throw new LinearRegionsError(
      'E_TOO_LARGE',
      `the grid tensor over the ${read.length} positions the network reads has ${M}^${read.length} = ${entries.toExponential(3)} entries; the core takes at most 2^28`,
    );
  }
  // digit index of each top position
  const topDigit = new Map<number, number>();
  let low: number[];
  let high: number[];
  if (tensorOrder) {
    low = [...colPositions].reverse();
    high = [...rowPositions].reverse();
  } else {
    [low, high] = read.length > 0 && rowSet.has(read[0]!) ? [rowPositions, colPositions] : [colPositions, rowPositions];
  }
  low.forEach((p, i) => topDigit.set(p, i));
  high.forEach((p, i) => topDigit.set(p, low.length + i));
  const layers: LayerPlan[] = [];
  let oddBytes = 0;
  let evenBytes = 0;
  let linBytes = 0;
  for (let l = 1; l <= L; l++) {
    const layer = shape.spec.layers[l - 1]!;
    const R = layer.receptiveField;
    const S = layer.stride;
    const K = shape.K[l - 1]!;
    const childSet = sets[l - 1]!;
    const parentSet = sets[l]!;
    const parentIndex = new Map<string, number>();
    if (l === L) parentSet.forEach((p) => parentIndex.set(`${p[0]},${p[1]}`, topDigit.get(abs(p))!));
    else parentSet.forEach((p, i) => parentIndex.set(`${p[0]},${p[1]}`, i));
    const lists: [number, number][][] = parentSet.map(() => []);
    const t = T[l - 1]!;
    for (let k = 0; k < K; k++) {
      const ky = dim === 2 ? Math.floor(k / R) : 0;
      const kx = dim === 2 ? k % R : k;
      childSet.forEach(([py, px], i) => {
        const d = parentIndex.get(`${ky * t + py},${kx * t + px}`)!;
        lists[d]!.push([k, M ** i]);
      });
    }
    const digitStart = new Int32Array(parentSet.length + 1);
    const flatEntries: number[] = [];
    lists.forEach((list, d) => {
      digitStart[d] = flatEntries.length / 2;
      for (const [k, w] of list) flatEntries.push(k, w);
    });
    digitStart[parentSet.length] = flatEntries.length / 2;
    const [Py, Px] = dim === 2 ? sizes[l]! : [1, sizes[l]![0]!];
    const childW = dim === 2 ? sizes[l - 1]![1]! : sizes[l - 1]![0]!;
    const nodes = Py * Px;
    const childIndex = new Int32Array(nodes * K);
    for (let jy = 0; jy < Py; jy++) {
      for (let jx = 0; jx < Px; jx++) {
        for (let k = 0; k < K; k++) {
          const ky = dim === 2 ? Math.floor(k / R) : 0;
          const kx = dim === 2 ? k % R : k;
          childIndex[(jy * Px + jx) * K + k] = (jy * S + ky) * childW + jx * S + kx;
        }
      }
    }
    const childNodes = sizes[l - 1]!.reduce((a, b) => a * b, 1);
    const plan: LayerPlan = {
      nodes,
      childNodes,
      K,
      r: layer.channels,
      D: shape.D[l - 1]!,
      fChild: childSet.length,
      fParent: parentSet.length,
      childIndex,
      digitStart,
      digitEntries: Int32Array.from(flatEntries),
    };
    layers.push(plan);
    const tableBytes = l < L ? 4 * nodes * plan.r * M ** plan.fParent : 0;
    if (l % 2 === 1) oddBytes = Math.max(oddBytes, tableBytes);
    else evenBytes = Math.max(evenBytes, tableBytes);
    linBytes = Math.max(linBytes, 4 * K * plan.r * M ** plan.fChild);
  }
  const bytes = oddBytes + evenBytes + linBytes + 12 * entries; // u32 matricization + its u64 working copy
  if (bytes > CORE_BYTES) {
    throw new LinearRegionsError(
      'E_TOO_LARGE',
      `building this grid tensor needs about ${(bytes / 2 ** 20).toFixed(0)} MiB of tables, more than the core's ${(CORE_BYTES / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  return { shape, layers, read, rowPositions, colPositions, highDigits: high.length, bytes };
}

// ---- partitions ---------------------------------------------------------------------------------

export const PARTITION_NAMES = ['left-right', 'top-bottom', 'odd-even'] as const;
export type PartitionName = (typeof PARTITION_NAMES)[number];
/** A named partition, or the positions of I (0-based, row-major). */
export type Partition = PartitionName | readonly number[];

/** The positions of I, ascending, for a named or explicit partition. */
export function resolvePartition(shape: ConvacShape, partition: Partition): number[] {
  const { dim, N } = shape;
  const [H, W] = dim === 2 ? [shape.axes[0]!, shape.axes[1]!] : [1, shape.axes[0]!];
  const all = Array.from({ length: N }, (_, i) => i);
  if (Array.isArray(partition)) {
    const seen = new Set<number>();
    for (const p of partition as readonly unknown[]) {
      if (!(typeof p === 'number' && Number.isSafeInteger(p) && p >= 0 && p < N)) {
        throw new LinearRegionsError('E_ARGS', `partition: position ${JSON.stringify(p)} is not an integer from 0 to ${N - 1}`);
      }
      if (seen.has(p)) throw new LinearRegionsError('E_ARGS', `partition: position ${p} is listed twice`);
      seen.add(p);
    }
    return [...seen].sort((a, b) => a - b);
  }
  if (partition === 'left-right') return all.filter((p) => p % W < Math.floor(W / 2));
  if (partition === 'top-bottom') {
    if (dim !== 2) throw new LinearRegionsError('E_ARGS', 'partition top-bottom needs a 2-D grid of positions (use left-right in 1-D)');
    return all.filter((p) => Math.floor(p / W) < Math.floor(H / 2));
  }
  if (partition === 'odd-even') return all.filter((p) => (Math.floor(p / W) + (p % W)) % 2 === 0);
  throw new LinearRegionsError(
    'E_ARGS',
    `unknown partition ${JSON.stringify(partition)}: use ${PARTITION_NAMES.join(', ')} or a list of positions`,
  );
}

// ---- bounds -------------------------------------------------------------------------------------

const min3 = (a: bigint, b: bigint, c: bigint): bigint => (a < b ? (a < c ? a : c) : b < c ? b : c);

/**
 * The structural upper bound on the rank of [A]_{I,J} (docs/theory.md, "Structural bound"). For
 * every node v, C_v bounds the dimension of the sum of the column spaces of its channels'
 * matricizations and R_v that of their row spaces:
 *   C_v <= prod_k C_{c_k}  (a Hadamard product's columns lie in the span of products of columns),
 *   C_v <= r_v prod_k min(C_{c_k}, R_{c_k})  (r_v channels, each of rank <= the product of its factors' ranks),
 *   C_v <= M^{|I within v's window|}  (the number of rows),
 * and the same with rows and columns exchanged; an input position in I has C = M, R = 1.
 * The rank is at most min(C, R, r_L prod_k min(C_{c_k}, R_{c_k})) at the top.
 */
export function structuralBound(shape: ConvacShape, rowSet: ReadonlySet<number>): bigint {
  const { dim, M, sizes } = shape;
  const Mb = BigInt(M);
  const W = dim === 2 ? shape.axes[1]! : shape.axes[0]!;
  // per node of the current layer: C and R
  let C: bigint[] = [];
  let Rr: bigint[] = [];
  for (let p = 0; p < shape.N; p++) {
    const inI = rowSet.has(p);
    C.push(inI ? Mb : 1n);
    Rr.push(inI ? 1n : Mb);
  }
  // the read sets of nodes overlap, so |I within window| is counted from the read set directly
  const { sets, T } = readSets(shape);
  const L = shape.spec.layers.length;
  let bound = 0n;
  for (let l = 1; l <= L; l++) {
    const layer = shape.spec.layers[l - 1]!;
    const R = layer.receptiveField;
    const S = layer.stride;
    const K = shape.K[l - 1]!;
    const r = BigInt(layer.channels);
    const [Py, Px] = dim === 2 ? sizes[l]! : [1, sizes[l]![0]!];
    const childW = dim === 2 ? sizes[l - 1]![1]! : sizes[l - 1]![0]!;
    const t = T[l]!;
    const nextC: bigint[] = [];
    const nextR: bigint[] = [];
    for (let jy = 0; jy < Py; jy++) {
      for (let jx = 0; jx < Px; jx++) {
        let pc = 1n;
        let pr = 1n;
        let pm = 1n;
        for (let k = 0; k < K; k++) {
          const ky = dim === 2 ? Math.floor(k / R) : 0;
          const kx = dim === 2 ? k % R : k;
          const c = (jy * S + ky) * childW + jx * S + kx;
          pc *= C[c]!;
          pr *= Rr[c]!;
          pm *= C[c]! < Rr[c]! ? C[c]! : Rr[c]!;
        }
        let ci = 0;
        for (const [y, x] of sets[l]!) if (rowSet.has(dim === 2 ? (jy * t + y) * W + jx * t + x : jx * t + x)) ci++;
        const cj = sets[l]!.length - ci;
        nextC.push(min3(pc, r * pm, Mb ** BigInt(ci)));
        nextR.push(min3(pr, r * pm, Mb ** BigInt(cj)));
        if (l === L) bound = min3(nextC[0]!, nextR[0]!, r * pm);
      }
    }
    C = nextC;
    Rr = nextR;
  }
  return bound;
}

/** Largest power-of-two exponent needed to make every weight of `ws` an integer (>= 0). */
function fractionBits(ws: readonly number[]): number {
  let bits = 0;
  for (const w of ws) {
    if (w === 0) continue;
    let e = 0;
    let x = Math.abs(w);
    // x * 2^e is an integer once the fraction is gone; at most 1074 steps (the smallest subnormal)
    while (!Number.isInteger(x) && e < 1100) {
      x *= 2;
      e++;
    }
    if (e > bits) bits = e;
  }
  return bits;
}

/** log2 of sum |w| for a run of weights, overflow-safe; -Infinity when all are 0. */
function log2SumAbs(ws: readonly number[], from: number, count: number): number {
  let max = 0;
  for (let i = from; i < from + count; i++) max = Math.max(max, Math.abs(ws[i]!));
  if (max === 0) return -Infinity;
  let s = 0;
  for (let i = from; i < from + count; i++) s += Math.abs(ws[i]!) / max;
  return Math.log2(max) + Math.log2(s);
}

/**
 * An upper bound on log2 |entry| of the integer grid tensor 2^s A obtained by scaling every layer's
 * weights by 2^(its fraction bits): B_0 = 1 (one-hot inputs), B_l = max_g prod_k (sum_d |W_l[g][k][d]|) B_{l-1}^K,
 * |entry| <= sum_g |a_g| B_L. Computed in float64 logs with a margin (1 bit plus 10^-6 relative)
 * far above their rounding error. 0 when every entry is 0.
 */
export function entryBitsBound(shape: ConvacShape): number {
  let logB = 0;
  const L = shape.spec.layers.length;
  for (let l = 0; l < L; l++) {
    const ws = shape.flat[l]!;
    const K = shape.K[l]!;
    const D = shape.D[l]!;
    const r = shape.spec.layers[l]!.channels;
    const e = fractionBits(ws);
    let lambda = -Infinity;
    for (let g = 0; g < r; g++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += log2SumAbs(ws, (g * K + k) * D, D) + e;
      lambda = Math.max(lambda, s);
    }
    logB = lambda + K * logB;
  }
  const a = shape.flat[L]!;
  const logE = log2SumAbs(a, 0, a.length) + fractionBits(a) + logB;
  if (!Number.isFinite(logE) || logE < 0) return 1;
  return logE + 1 + 1e-6 * logE;
}
