/**
 * The layers a model graph (ONNX, TensorFlow.js) lowers to: sparse affine maps composed exactly
 * or split by a linear layer boundary, the activation that ends each layer, and the tensors a
 * layer carries for later ops (skip connections).
 *
 * The importers walk a graph and feed each op here. Every tensor is a {@link Value}: an affine
 * map of the current layer's input. Affine ops compose into it; an activation (relu, leaky_relu,
 * abs, maxout, PReLU, Clip) turns its input map into a layer of the network. Composing two affine
 * maps multiplies and adds float64s, which can round. Every product and sum is therefore checked
 * with error-free transformations (Dekker's TwoProduct, Knuth's TwoSum): if one of them would
 * round, the live tensors are emitted as a `linear` layer first, so the network stays exactly the
 * composition of the ops as given. The one deliberate rounding is
 * {@link NetworkBuilder.scaleChannels} (BatchNormalization folding).
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

/** Builds an {@link AffineMap} row by row (typed arrays that grow geometrically). */
export class AffineBuilder {
  private ptr: Int32Array;
  private idx: Int32Array;
  private val: Float64Array;
  private bias: Float64Array;
  private rows = 0;
  private count = 0;

  /** `entries` and `rows`: the expected sizes, if known (the arrays grow past them if needed). */
  constructor(readonly cols: number, entries = 16, rows = 16) {
    this.idx = new Int32Array(Math.max(entries, 16));
    this.val = new Float64Array(this.idx.length);
    this.ptr = new Int32Array(Math.max(rows, 16) + 1);
    this.bias = new Float64Array(this.ptr.length);
  }

  /** Adds the entry W[current row, col] = value. */
  entry(col: number, value: number): void {
    if (this.count === this.idx.length) {
      this.idx = grow(this.idx, this.count * 2) as Int32Array;
      this.val = grow(this.val, this.count * 2) as Float64Array;
    }
    this.idx[this.count] = col;
    this.val[this.count++] = value;
  }

  /** Closes the current row with its bias. */
  endRow(bias: number): void {
    if (this.rows + 1 >= this.ptr.length) {
      this.ptr = grow(this.ptr, this.ptr.length * 2) as Int32Array;
      this.bias = grow(this.bias, this.bias.length * 2) as Float64Array;
    }
    this.bias[this.rows++] = bias;
    this.ptr[this.rows] = this.count;
  }

  get nonZeros(): number {
    return this.count;
  }

  /** Appends row r of `map` (its entries and bias) as a new row. */
  copyRow(map: AffineMap, r: number): void {
    const from = map.ptr[r]!;
    const to = map.ptr[r + 1]!;
    const need = this.count + (to - from);
    if (need > this.idx.length) {
      this.idx = grow(this.idx, Math.max(need, this.count * 2)) as Int32Array;
      this.val = grow(this.val, this.idx.length) as Float64Array;
    }
    this.idx.set(map.idx.subarray(from, to), this.count);
    this.val.set(map.val.subarray(from, to), this.count);
    this.count = need;
    this.endRow(map.bias[r]!);
  }

  /** The map (views of the builder's arrays: build once, then drop the builder). */
  build(): AffineMap {
    return {
      rows: this.rows,
      cols: this.cols,
      ptr: this.ptr.subarray(0, this.rows + 1),
      idx: this.idx.subarray(0, this.count),
      val: this.val.subarray(0, this.count),
      bias: this.bias.subarray(0, this.rows),
    };
  }
}

function grow(a: Int32Array | Float64Array, size: number): Int32Array | Float64Array {
  const b = a instanceof Int32Array ? new Int32Array(size) : new Float64Array(size);
  b.set(a);
  return b;
}

/**
 * For a map whose every row is one entry 1 with bias 0 (a selection of its input values), the
 * selected column of each row; else null.
 */
function selectedColumns(map: AffineMap): Int32Array | null {
  if (map.idx.length !== map.rows) return null;
  for (let r = 0; r < map.rows; r++) {
    if (map.ptr[r + 1]! - map.ptr[r]! !== 1 || map.val[r] !== 1 || map.bias[r] !== 0) return null;
  }
  return map.idx;
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
  const picked = selectedColumns(map);
  if (picked !== null) {
    // op after a selection: the same weights on the selected columns (no arithmetic), unless two
    // entries of a row land on the same column (x + x): then the general path adds them
    const seen = new Int32Array(n).fill(-1);
    let clash = false;
    for (let i = 0; i < op.rows && !clash; i++) {
      for (let p = op.ptr[i]!; p < op.ptr[i + 1]!; p++) {
        const j = picked[op.idx[p]!]!;
        if (seen[j] === i) clash = true;
        seen[j] = i;
      }
    }
    if (!clash) {
      const idx = new Int32Array(op.idx.length);
      for (let p = 0; p < idx.length; p++) idx[p] = picked[op.idx[p]!]!;
      return { rows: op.rows, cols: n, ptr: op.ptr, idx, val: op.val, bias: op.bias };
    }
  }
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

/** The rows of several maps of the same input, one after the other. */
export function stackMaps(maps: readonly AffineMap[], cols: number): AffineMap {
  if (maps.length === 1) return maps[0]!;
  const b = new AffineBuilder(cols, maps.reduce((s, m) => s + m.idx.length, 0), maps.reduce((s, m) => s + m.rows, 0));
  for (const m of maps) {
    for (let r = 0; r < m.rows; r++) {
      for (let p = m.ptr[r]!; p < m.ptr[r + 1]!; p++) b.entry(m.idx[p]!, m.val[p]!);
      b.endRow(m.bias[r]!);
    }
  }
  return b.build();
}

/** Row r of `map` times `factor`, added to `b` as a new row; false when a product rounds. */
function scaledRow(b: AffineBuilder, map: AffineMap, r: number, factor: number): boolean {
  for (let p = map.ptr[r]!; p < map.ptr[r + 1]!; p++) {
    if (!productIsExact(factor, map.val[p]!)) return false;
    b.entry(map.idx[p]!, factor * map.val[p]!);
  }
  if (!productIsExact(factor, map.bias[r]!)) return false;
  b.endRow(factor * map.bias[r]!);
  return true;
}

/** True when `map` is the identity of R^n (rows e_0 .. e_{n-1}, bias 0). */
function isIdentity(map: AffineMap, n: number): boolean {
  if (map.rows !== n || map.cols !== n) return false;
  for (let r = 0; r < n; r++) {
    if (map.ptr[r + 1]! - map.ptr[r]! !== 1 || map.idx[map.ptr[r]!] !== r || map.val[map.ptr[r]!] !== 1 || map.bias[r] !== 0) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------

/**
 * A tensor of the graph, as an affine map of the current layer's input. Names that alias the
 * same values (Flatten, Reshape, Identity) share one Value; when a layer is emitted, every Value
 * still needed later is carried through it and its map is replaced by a selection of the new
 * layer's outputs (in place, so the aliases follow).
 */
export interface Value {
  map: AffineMap;
  /**
   * On every cell of the partition made by the layers so far, each entry is either identically 0
   * or positive inside the cell (a ReLU, Abs or MaxPool-of-ReLU output). Such a value rides
   * through a `relu` layer as its own pre-activation without ever splitting a cell (see
   * docs/onnx.md, "Residual connections").
   */
  nonneg: boolean;
}

/** The activation that ends a layer, applied to the rows of a pre-activation map. */
export type LayerActivation =
  | { kind: 'relu' | 'abs' | 'linear' }
  | { kind: 'leaky_relu'; alpha: number }
  | { kind: 'maxout'; pieces: number }
  /** PReLU: leaky ReLU with slope slopes[r] for row r. */
  | { kind: 'prelu'; slopes: Float64Array };

/** Where each layer came from, for messages and for {@link NetworkBuilder.finish}. */
export interface BuiltNetwork {
  inputDim: number;
  layers: Layer[];
  /** For each layer, the labels of the ONNX nodes it was built from. */
  layerNodes: string[][];
}

/**
 * Builds the layers of a network from the graph's tensors. A layer is emitted at every
 * activation node (and at a `linear` boundary where composing would round). The layer holds the
 * activation's units and, when other tensors are still needed later (skip connections, branches),
 * carries them as units that never split a cell:
 *  - a `relu` layer carries {@link Value.nonneg} tensors as their own pre-activations (relu(h) = h,
 *    and h is identically 0 or positive inside every cell, so it adds no hyperplane);
 *  - otherwise the layer becomes `maxout` with k >= 2 pieces: a carried unit has k identical
 *    pieces (their differences are identically 0, so it never splits and always picks piece 0),
 *    and each activation unit is written as a maxout of the same hyperplane: relu = max(0, z),
 *    abs = max(-z, z), leaky ReLU = max(a z, z) for a <= 1 and -max(-z, -a z) for a > 1.
 * Each rewrite keeps, cell by cell, the same hyperplanes and a one-to-one map of activation
 * patterns, so activation and linear region counts (and per-layer counts) are those of the graph.
 */
export class NetworkBuilder {
  private readonly layers: Layer[] = [];
  private readonly layerNodes: string[][] = [];
  private pendingNodes: string[] = [];
  private inputs: number;
  private weights = 0;

  /**
   * @param liveValues the tensors still needed after the current node (besides its output), which
   *   an emitted layer must carry.
   */
  constructor(readonly inputDim: number, private readonly liveValues: () => Value[]) {
    this.inputs = inputDim;
  }

  /** Dimension of the current layer's input. */
  get layerInputs(): number {
    return this.inputs;
  }

  /** Weights emitted so far (dense rows x cols per layer). */
  get totalWeights(): number {
    return this.weights;
  }

  /** The graph input: the identity map. */
  inputValue(): Value {
    return { map: identityMap(this.inputDim), nonneg: false };
  }

  /** Records a node that does not change the flattened vector (Flatten, Reshape, Dropout, ...). */
  note(label: string): void {
    this.pendingNodes.push(label);
  }

  /**
   * op applied to the operands' values stacked (op.cols = their total rows), composed exactly;
   * when a product or sum would round, the live tensors are first emitted as a `linear` layer,
   * after which the operands are selections and the composition is exact.
   */
  affine(op: AffineMap, operands: readonly Value[], label: string, nonneg = false): Value {
    let composed = composeExactly(op, stackMaps(operands.map((v) => v.map), this.inputs));
    if (composed === null) {
      this.flush(label, operands);
      composed = composeExactly(op, stackMaps(operands.map((v) => v.map), this.inputs));
      if (composed === null) throw new LinearRegionsError('E_ONNX', `${label}: the op's own weights sum inexactly over a repeated operand`);
    }
    this.pendingNodes.push(label);
    return { map: composed, nonneg };
  }

  /**
   * A per-channel scale and shift of a value (BatchNormalization): row r, in channel
   * channelOf(r), becomes s_c * (row - shift_c) + offset_c, computed in float64 as s_c * w for
   * every weight and s_c * (b - shift_c) + offset_c for the bias. This rounds on purpose.
   */
  scaleChannels(value: Value, channelOf: (r: number) => number, s: Float64Array, shift: Float64Array, offset: Float64Array, label: string): Value {
    const map = value.map;
    const val = new Float64Array(map.val.length);
    const bias = new Float64Array(map.rows);
    for (let r = 0; r < map.rows; r++) {
      const c = channelOf(r);
      const sc = s[c]!;
      for (let p = map.ptr[r]!; p < map.ptr[r + 1]!; p++) val[p] = sc * map.val[p]!;
      bias[r] = sc * (map.bias[r]! - shift[c]!) + offset[c]!;
    }
    this.pendingNodes.push(label);
    return { map: { rows: map.rows, cols: map.cols, ptr: map.ptr, idx: map.idx, val, bias }, nonneg: false };
  }

  /**
   * Ends a layer: `activation` applied to the value's rows (for maxout, `windows` lists the rows
   * of each unit, all of the same length). Returns the activation's output as a selection of
   * the new layer's units.
   */
  activation(value: Value, activation: LayerActivation, label: string, windows?: readonly (readonly number[])[]): Value {
    const carries = this.carries();
    const out = this.tryEmit(value, activation, carries, label, windows);
    if (out !== null) return out;
    // a slope times a weight rounds: emit the tensors as a linear layer first, then the slopes
    // multiply 1s (exact)
    this.flush(label, [value]);
    return this.tryEmit(value, activation, this.carries(), label, windows)!;
  }

  /**
   * Clip (Hardtanh, ReLU6, clamp) with constant bounds: for lo < hi, two ReLU units per value,
   * clip(z) = lo + relu(z - lo) - relu(z - hi). Their hyperplanes z = lo and z = hi are the
   * clip's own breakpoints, and the three feasible states (off, off), (on, off), (on, on) are its
   * three pieces, so the regions are the clip's. With one bound, one unit: lo + relu(z - lo) or
   * hi - relu(hi - z). lo >= hi is the constant hi (ONNX's min(max(x, lo), hi)).
   */
  clip(value: Value, lo: number, hi: number, label: string): Value {
    const n = value.map.rows;
    if (lo === -Infinity && hi === Infinity) {
      this.note(label);
      return value;
    }
    if (lo >= hi) {
      const out = new AffineBuilder(n);
      for (let i = 0; i < n; i++) out.endRow(hi);
      return this.affine(out.build(), [value], label);
    }
    const bounds = [lo, hi].filter((b) => Number.isFinite(b));
    const onlyMax = lo === -Infinity;
    const pre = new AffineBuilder(n);
    for (const b of bounds) {
      for (let i = 0; i < n; i++) {
        pre.entry(i, onlyMax ? -1 : 1);
        pre.endRow(onlyMax ? b : -b);
      }
    }
    const units = this.activation(this.affine(pre.build(), [value], label), { kind: 'relu' }, label);
    const post = new AffineBuilder(n * bounds.length);
    for (let i = 0; i < n; i++) {
      post.entry(i, onlyMax ? -1 : 1);
      if (bounds.length === 2) post.entry(n + i, -1);
      post.endRow(onlyMax ? hi : lo);
    }
    return this.affine(post.build(), [units], label);
  }

  /** The network: an output that is not exactly the last layer's output gets a final `linear` layer. */
  finish(output: Value, label: string): BuiltNetwork {
    if (this.layers.length === 0 || !isIdentity(output.map, this.inputs)) {
      this.emitLayer(output.map, 'linear', label, false);
    } else if (this.pendingNodes.length > 0) {
      this.layerNodes[this.layerNodes.length - 1]!.push(...this.pendingNodes); // trailing Flatten, ...
      this.pendingNodes = [];
    }
    return { inputDim: this.inputDim, layers: this.layers, layerNodes: this.layerNodes };
  }

  /**
   * Refuses, before anything is allocated, an op whose output rows would make the network exceed
   * the weight limit: they end up in a layer of at least rows x min(inputs, operand rows) weights.
   */
  checkRows(rows: number, operandRows: number, label: string): void {
    const dense = rows * Math.min(this.inputs, operandRows);
    if (this.weights + dense > MAX_TOTAL_WEIGHTS) {
      throw new LinearRegionsError(
        'E_TOO_LARGE',
        `${label}: the lowered network would need at least ${this.weights + dense} weights (this op alone ${rows} x ${Math.min(this.inputs, operandRows)}), over the limit of ${MAX_TOTAL_WEIGHTS}`,
      );
    }
  }

  // -------------------------------------------------------------------------------------------

  /** The distinct tensors still needed after the current node: the layer must carry them. */
  private carries(): Value[] {
    return [...new Set(this.liveValues())];
  }

  /** Emits every live tensor (and `extra`) as a `linear` layer, so that they become selections. */
  private flush(label: string, extra: readonly Value[]): void {
    const seen = new Set<Value>();
    const all: Value[] = [];
    for (const v of [...extra, ...this.liveValues()]) {
      if (!seen.has(v)) {
        seen.add(v);
        all.push(v);
      }
    }
    const map = stackMaps(all.map((v) => v.map), this.inputs);
    this.emitLayer(map, 'linear', label, false);
    let offset = 0;
    for (const v of all) {
      v.map = selection(offset, v.map.rows, this.inputs);
      offset += v.map.rows;
    }
  }

  private tryEmit(value: Value, act: LayerActivation, carries: Value[], label: string, windows?: readonly (readonly number[])[]): Value | null {
    const pre = value.map;
    const n = this.inputs;
    let kind = act.kind;
    let alpha: number | undefined;
    if (act.kind === 'prelu') {
      const s0 = act.slopes[0]!;
      if (act.slopes.every((s) => Object.is(s, s0))) {
        if (s0 === 0) kind = 'relu';
        else {
          kind = 'leaky_relu';
          alpha = s0;
        }
      }
    } else if (act.kind === 'leaky_relu') alpha = act.alpha;
    const maxoutUnits = act.kind === 'maxout' ? windows! : undefined;
    const units = maxoutUnits ? maxoutUnits.length : pre.rows;

    const native = carries.length === 0 && kind !== 'prelu';
    const reluCarry = carries.length > 0 && (kind === 'relu' || kind === 'linear') && carries.every((c) => c.nonneg || kind === 'linear');
    if (native || reluCarry) {
      // the activation's rows (maxout: each window's rows), then the carried tensors' rows
      const b = new AffineBuilder(n, pre.idx.length + carries.reduce((s, c) => s + c.map.idx.length, 0));
      if (maxoutUnits) for (const w of maxoutUnits) for (const r of w) copyRow(b, pre, r);
      else for (let r = 0; r < pre.rows; r++) copyRow(b, pre, r);
      for (const c of carries) for (let r = 0; r < c.map.rows; r++) copyRow(b, c.map, r);
      const layerAct: Activation = kind === 'prelu' ? 'linear' : kind; // prelu is never native here
      this.emitLayer(b.build(), layerAct, label, true, alpha, maxoutUnits ? maxoutUnits[0]!.length : undefined);
      return this.afterEmit(units, carries, kind === 'relu' || kind === 'abs' || (kind === 'maxout' && value.nonneg) || (kind === 'linear' && value.nonneg), null);
    }

    // maxout with k pieces per unit
    const k = Math.max(2, maxoutUnits ? maxoutUnits[0]!.length : 2);
    const b = new AffineBuilder(n);
    const sign = new Float64Array(units).fill(1);
    const zero = (): void => b.endRow(0);
    const pad = (count: number, r: number, factor: number): boolean => {
      for (let i = count; i < k; i++) if (!scaledRow(b, pre, r, factor)) return false;
      return true;
    };
    for (let u = 0; u < units; u++) {
      if (maxoutUnits) {
        const w = maxoutUnits[u]!;
        for (const r of w) copyRow(b, pre, r);
        if (!pad(w.length, w[w.length - 1]!, 1)) return null;
        continue;
      }
      let slope: number;
      if (kind === 'relu') slope = 0;
      else if (kind === 'abs') slope = -1;
      else if (kind === 'leaky_relu') slope = alpha!;
      else if (kind === 'prelu') slope = (act as { slopes: Float64Array }).slopes[u]!;
      else slope = 1; // linear
      if (slope <= 1) {
        // max(slope z, z): the tie at z = 0 picks piece 0, whose value equals piece 1's there
        if (slope === 0) zero();
        else if (!scaledRow(b, pre, u, slope)) return null;
        if (!pad(1, u, 1)) return null;
      } else {
        // slope > 1: min(z, slope z) = -max(-z, -slope z)
        sign[u] = -1;
        if (!scaledRow(b, pre, u, -1) || !scaledRow(b, pre, u, -slope) || !pad(2, u, -slope)) return null;
      }
    }
    for (const c of carries) {
      for (let r = 0; r < c.map.rows; r++) {
        for (let i = 0; i < k; i++) copyRow(b, c.map, r);
      }
    }
    this.emitLayer(b.build(), 'maxout', label, true, undefined, k);
    return this.afterEmit(units, carries, kind === 'relu' || kind === 'abs' || (kind === 'maxout' && value.nonneg), sign);
  }

  /** After a layer of `units` activation units then the carried tensors: the new selections. */
  private afterEmit(units: number, carries: Value[], nonneg: boolean, sign: Float64Array | null): Value {
    const n = this.inputs;
    const b = new AffineBuilder(n);
    for (let u = 0; u < units; u++) {
      b.entry(u, sign ? sign[u]! : 1);
      b.endRow(0);
    }
    let offset = units;
    for (const c of carries) {
      c.map = selection(offset, c.map.rows, n);
      offset += c.map.rows;
    }
    return { map: b.build(), nonneg };
  }

  /** Turns a map into a layer; `label` names the node that forced it (for messages). */
  private emitLayer(map: AffineMap, activation: Activation, label: string, labelIsPart: boolean, alpha?: number, pieces?: number): void {
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
    this.inputs = pieces === undefined ? map.rows : map.rows / pieces;
  }
}

function copyRow(b: AffineBuilder, map: AffineMap, r: number): void {
  b.copyRow(map, r);
}

/** Rows e_offset .. e_{offset+count-1} of R^n. */
function selection(offset: number, count: number, n: number): AffineMap {
  const b = new AffineBuilder(n);
  for (let i = 0; i < count; i++) {
    b.entry(offset + i, 1);
    b.endRow(0);
  }
  return b.build();
}
