/**
 * The layers an ONNX graph lowers to: sparse affine maps composed exactly or split by a linear
 * layer boundary, and the activation that ends each layer.
 *
 * The importer walks a sequential graph and feeds each op here. Affine ops (Gemm, MatMul, Add,
 * Conv, AveragePool, ...) accumulate into one pending affine map of the current layer's input; an
 * activation (relu, leaky_relu, abs, maxout) turns the pending map into a layer of the network.
 * Composing two affine maps multiplies and adds float64s, which can round. Every product and sum
 * is therefore checked with error-free transformations (Dekker's TwoProduct, Knuth's TwoSum): if
 * one of them would round, the pending map is emitted as a `linear` layer and the op starts a new
 * map of that layer's output, so the network stays exactly the composition of the ops as given.
 * The one deliberate rounding is {@link NetworkBuilder.scaleChannels} (BatchNormalization folding).
 */
import { LinearRegionsError } from '../errors.js';
import type { Activation, Layer } from '../network/types.js';
import { MAX_TOTAL_WEIGHTS } from '../network/validate.js';

/**
 * An affine map x -> W x + b from `cols` inputs to `rows` outputs, W stored by rows (CSR): row r
 * has the entries idx[k], val[k] for k in ptr[r] .. ptr[r+1]-1. Entries may be zero (a weight
 * that is 0 in the file stays an explicit entry); columns within a row are distinct.
 */
export interface AffineMap {
  rows: number;
  cols: number;
  ptr: Int32Array;
  idx: Int32Array;
  val: Float64Array;
  bias: Float64Array;
}

/** Builds an {@link AffineMap} row by row. */
export class AffineBuilder {
  private readonly ptr: number[] = [0];
  private readonly idx: number[] = [];
  private readonly val: number[] = [];
  private readonly bias: number[] = [];

  constructor(readonly cols: number) {}

  /** Adds the entry W[current row, col] = value. */
  entry(col: number, value: number): void {
    this.idx.push(col);
    this.val.push(value);
  }

  /** Closes the current row with its bias. */
  endRow(bias: number): void {
    this.bias.push(bias);
    this.ptr.push(this.idx.length);
  }

  get nonZeros(): number {
    return this.idx.length;
  }

  build(): AffineMap {
    return {
      rows: this.bias.length,
      cols: this.cols,
      ptr: Int32Array.from(this.ptr),
      idx: Int32Array.from(this.idx),
      val: Float64Array.from(this.val),
      bias: Float64Array.from(this.bias),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Error-free checks: does a float64 product or sum equal the exact real result?

const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp split of a double into two 26-bit halves)
const TINY = 2 ** -960; // below this a product's rounding error could be subnormal: not decided
const HUGE = 2 ** 995; // above this the split overflows

/** True iff a * b is exactly representable, i.e. fl(a * b) === a * b as real numbers. */
export function productIsExact(a: number, b: number): boolean {
  if (a === 0 || b === 0) return true;
  const p = a * b;
  const ap = Math.abs(p);
  if (!(ap >= TINY) || ap === Infinity || Math.abs(a) > HUGE || Math.abs(b) > HUGE) return false;
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl === 0; // Dekker's TwoProduct error term
}

/** True iff a + b is exactly representable (finite inputs). */
export function sumIsExact(a: number, b: number): boolean {
  const s = a + b;
  if (!Number.isFinite(s)) return false;
  const bb = s - a;
  return a - (s - bb) + (b - bb) === 0; // Knuth's TwoSum error term
}

/**
 * The map `op` after `map` (op(map(x))), or null when some entry of the product would round.
 * op.cols must equal map.rows. The bias is op.W map.b + op.b.
 */
export function composeExactly(op: AffineMap, map: AffineMap): AffineMap | null {
  const n = map.cols;
  const acc = new Float64Array(n);
  const seen = new Int32Array(n).fill(-1);
  const out = new AffineBuilder(n);
  const touched: number[] = [];
  for (let i = 0; i < op.rows; i++) {
    touched.length = 0;
    let bias = op.bias[i]!;
    for (let p = op.ptr[i]!; p < op.ptr[i + 1]!; p++) {
      const k = op.idx[p]!;
      const w = op.val[p]!;
      for (let q = map.ptr[k]!; q < map.ptr[k + 1]!; q++) {
        const j = map.idx[q]!;
        const v = map.val[q]!;
        if (!productIsExact(w, v)) return null;
        const prod = w * v;
        if (seen[j] !== i) {
          seen[j] = i;
          acc[j] = prod;
          touched.push(j);
        } else {
          if (!sumIsExact(acc[j]!, prod)) return null;
          acc[j] = acc[j]! + prod;
        }
      }
      const c = map.bias[k]!;
      if (!productIsExact(w, c)) return null;
      if (!sumIsExact(bias, w * c)) return null;
      bias += w * c;
    }
    touched.sort((a, b) => a - b);
    for (const j of touched) out.entry(j, acc[j]!);
    out.endRow(bias);
  }
  return out.build();
}

/** The identity map of R^n. */
export function identityMap(n: number): AffineMap {
  const b = new AffineBuilder(n);
  for (let i = 0; i < n; i++) {
    b.entry(i, 1);
    b.endRow(0);
  }
  return b.build();
}

// ---------------------------------------------------------------------------------------------

/** Where each layer came from, for messages and for {@link NetworkBuilder.finish}. */
export interface BuiltNetwork {
  inputDim: number;
  layers: Layer[];
  /** For each layer, the labels of the ONNX nodes it was built from. */
  layerNodes: string[][];
}

/**
 * Accumulates layers: `pending` is the affine map from the current layer's input (of dimension
 * `inputs`) to the current tensor; null means the identity (nothing pending).
 */
export class NetworkBuilder {
  private readonly layers: Layer[] = [];
  private readonly layerNodes: string[][] = [];
  private pending: AffineMap | null = null;
  private pendingNodes: string[] = [];
  private inputs: number;
  private weights = 0;

  constructor(readonly inputDim: number) {
    this.inputs = inputDim;
  }

  /** Dimension of the current layer's input (the pending map's domain). */
  get layerInputs(): number {
    return this.inputs;
  }

  /** Records a node that does not change the flattened vector (Flatten, Reshape, Dropout, ...). */
  note(label: string): void {
    this.pendingNodes.push(label);
  }

  /**
   * Applies an affine op to the current tensor. It is composed into the pending map when that is
   * exact; otherwise the pending map becomes a `linear` layer and the op starts the next one.
   */
  affine(op: AffineMap, label: string): void {
    if (this.pending === null) {
      this.pending = op;
    } else {
      const composed = composeExactly(op, this.pending);
      if (composed === null) {
        this.emit('linear', label);
        this.pending = op;
      } else {
        this.pending = composed;
      }
    }
    this.pendingNodes.push(label);
  }

  /**
   * Folds a per-channel scale and shift into the pending map (BatchNormalization): row r of the
   * current tensor, in channel channelOf(r), becomes s_c * (row - shift_c) + offset_c, computed
   * in float64 as s_c * w for every weight and s_c * (b - shift_c) + offset_c for the bias. This
   * rounds; it is the only place the importer rounds on purpose.
   */
  scaleChannels(rows: number, channelOf: (r: number) => number, s: Float64Array, shift: Float64Array, offset: Float64Array, label: string): void {
    const map = this.pending ?? identityMap(this.inputs);
    const val = new Float64Array(map.val.length);
    const bias = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const c = channelOf(r);
      const sc = s[c]!;
      for (let p = map.ptr[r]!; p < map.ptr[r + 1]!; p++) val[p] = sc * map.val[p]!;
      bias[r] = sc * (map.bias[r]! - shift[c]!) + offset[c]!;
    }
    this.pending = { rows: map.rows, cols: map.cols, ptr: map.ptr, idx: map.idx, val, bias };
    this.pendingNodes.push(label);
  }

  /** Ends the current layer with an elementwise activation of the current tensor (`units` values). */
  activation(activation: Activation, units: number, label: string, alpha?: number): void {
    if (this.pending === null) this.pending = identityMap(units);
    this.emit(activation, label, alpha);
  }

  /**
   * Ends the current layer with a maxout layer over windows of the current tensor: unit u is the
   * max of the current values at windows[u] (all of the same length k >= 2, in the order given),
   * so its pieces are the pending map's rows at those indices.
   */
  maxout(windows: readonly (readonly number[])[], label: string): void {
    const map = this.pending;
    const b = new AffineBuilder(this.inputs);
    for (const window of windows) {
      for (const r of window) {
        if (map === null) {
          b.entry(r, 1);
          b.endRow(0);
        } else {
          for (let p = map.ptr[r]!; p < map.ptr[r + 1]!; p++) b.entry(map.idx[p]!, map.val[p]!);
          b.endRow(map.bias[r]!);
        }
      }
    }
    this.pending = b.build();
    this.emit('maxout', label, undefined, windows[0]!.length);
  }

  /** The network: a trailing affine map becomes a final `linear` layer. */
  finish(outputs: number, label: string): BuiltNetwork {
    if (this.pending !== null || this.layers.length === 0) {
      if (this.pending === null) this.pending = identityMap(outputs);
      this.emit('linear', label, undefined, undefined, false);
    } else if (this.pendingNodes.length > 0) {
      this.layerNodes[this.layerNodes.length - 1]!.push(...this.pendingNodes); // trailing Flatten, ...
      this.pendingNodes = [];
    }
    return { inputDim: this.inputDim, layers: this.layers, layerNodes: this.layerNodes };
  }

  /** Turns the pending map into a layer; `label` names the node that forced it (for messages). */
  private emit(activation: Activation, label: string, alpha?: number, pieces?: number, labelIsPart = true): void {
    const map = this.pending!;
    const size = map.rows * map.cols;
    this.weights += size;
    if (this.weights > MAX_TOTAL_WEIGHTS) {
      throw new LinearRegionsError(
        'E_TOO_LARGE',
        `${label}: the lowered network would have ${this.weights} weights (layer ${this.layers.length + 1} is ${map.rows} x ${map.cols}), over the limit of ${MAX_TOTAL_WEIGHTS}`,
      );
    }
    const weights = new Array<number[]>(map.rows);
    for (let r = 0; r < map.rows; r++) {
      const row = new Array<number>(map.cols).fill(0);
      for (let p = map.ptr[r]!; p < map.ptr[r + 1]!; p++) row[map.idx[p]!] = map.val[p]!;
      weights[r] = row;
    }
    const layer: Layer = { weights, bias: Array.from(map.bias), activation };
    if (alpha !== undefined) layer.alpha = alpha;
    if (pieces !== undefined) layer.pieces = pieces;
    this.layers.push(layer);
    const nodes = this.pendingNodes;
    if (labelIsPart && activation !== 'linear') nodes.push(label);
    this.layerNodes.push(nodes);
    this.pendingNodes = [];
    this.pending = null;
    this.inputs = pieces === undefined ? map.rows : map.rows / pieces;
  }
}
