/**
 * TensorFlow.js Layers models (the model.json and binary weight shards that `model.save`
 * writes) lowered to the JSON network format, with the same layer builder as the ONNX importer
 * (src/onnx/affine.ts): exact composition or a `linear` boundary, Clip as two ReLU units, PReLU
 * and BatchNormalization as there. Runs in Node and browsers (no Node built-ins).
 *
 * The input is flattened in C order of its TensorFlow.js shape without the batch axis (for an
 * image, height x width x channels: channels last), as `tensor.dataSync()` lays it out.
 */
import { LinearRegionsError } from '../errors.js';
import { AffineBuilder, NetworkBuilder } from '../onnx/affine.js';
import { broadcastIndex, concatLayout } from '../onnx/fold.js';
import type { LayerActivation, Value } from '../onnx/affine.js';
import type { Network } from '../network/types.js';
import { MAX_TOTAL_WEIGHTS, checkInputDimension, describe, validateNetwork } from '../network/validate.js';

/** The layer classes {@link loadTfjs} reads. */
export const TFJS_LAYERS: readonly string[] = [
  'InputLayer', 'Dense', 'Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'GlobalMaxPooling2D', 'GlobalAveragePooling2D',
  'Flatten', 'Reshape', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout',
  'BatchNormalization', 'ReLU', 'LeakyReLU', 'PReLU', 'Activation', 'Softmax',
  // functional models (tf.model): merge layers
  'Add', 'Average', 'Concatenate', 'Maximum', 'Minimum',
];

/** Merge layers of functional models: several inputs, one output. */
const MERGE = new Set(['Add', 'Average', 'Concatenate', 'Maximum', 'Minimum']);

/** Activations of Dense, Conv2D and Activation layers that are read (others are refused). */
const ACTIVATIONS = ['linear', 'relu', 'relu6'];
/** Activations cut at the end of a model (a classifier's head), like the ONNX softmax tail. */
const TAIL = new Set(['softmax', 'sigmoid']);

export interface TfjsOptions {
  /** Stop after the layer of this name: the network's output is that layer's output. */
  until?: string;
  /** Refuse a final softmax or sigmoid instead of cutting it. */
  strict?: boolean;
  /**
   * The model will be counted on its whole input (no slice): refuse an input of more than 64 values
   * (E_DIMENSION, the n-D engine's limit) before any layer is lowered.
   */
  fullInput?: boolean;
}

/** What {@link readTfjs} found besides the network. */
export interface TfjsImport {
  network: Network;
  /** The input shape without the batch axis; network.inputDim is its product. */
  inputShape: number[];
  /** For each layer of `network`, the TensorFlow.js layers it was built from: "Dense dense_1", ... */
  layerNodes: string[][];
  /** One line per layer whose lowering rounded (BatchNormalization, AveragePooling 1/9, ...). */
  rounding: string[];
  /** What was left out at the end (a softmax activation, or the layers after `until`). */
  omitted: string[];
}

function fail(message: string): never {
  throw new LinearRegionsError('E_TFJS', message);
}

/** True when parsed JSON looks like a TensorFlow.js model.json (it has a modelTopology). */
export function looksLikeTfjs(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'modelTopology' in json;
}

/**
 * Imports a TensorFlow.js Layers model: `modelJson` is the model.json (parsed or as text),
 * `weights` the contents of its weight files, in the order of the manifest's paths (one buffer,
 * or one per path).
 *
 * @throws LinearRegionsError E_TFJS (not a Layers model, missing or short weights, unsupported
 *   layer or activation), E_NONFINITE, E_TOO_LARGE, as the ONNX importer.
 */
export function loadTfjs(modelJson: unknown, weights: ArrayBuffer | Uint8Array | readonly (ArrayBuffer | Uint8Array)[], options: TfjsOptions = {}): Network {
  return readTfjs(modelJson, weights, options).network;
}

type Json = Record<string, unknown>;

interface Layer {
  className: string;
  config: Json;
  name: string;
  /** What other layers call it by: its name in a functional model, its position in a Sequential one. */
  key: string;
  /** The keys of the layers whose outputs it reads, in order (MODEL_INPUT for the model's input). */
  inbound: string[];
}

/** The model's input tensor in {@link Layer.inbound}. */
const MODEL_INPUT = '';

/** A functional model's layers (tf.model): their inbound layers, the input and the output layer. */
function functionalLayers(topology: Json): { layers: Layer[]; input: string; output: string } {
  const config = (topology.config ?? {}) as Json;
  const raw = config.layers;
  if (!Array.isArray(raw) || raw.length === 0) fail('the functional model has no layers');
  const ends = (key: string) => {
    const list = config[key];
    if (!Array.isArray(list) || list.length !== 1 || !Array.isArray(list[0]) || typeof list[0][0] !== 'string') {
      fail(`the functional model has ${Array.isArray(list) ? list.length : 0} ${key === 'input_layers' ? 'inputs' : 'outputs'}; only models with one input and one output are supported`);
    }
    if (list[0][2] !== undefined && list[0][2] !== 0) fail(`${key} names output ${String(list[0][2])} of layer "${list[0][0]}"; only the first output of a layer is supported`);
    return list[0][0] as string;
  };
  const input = ends('input_layers');
  const output = ends('output_layers');
  const layers = (raw as Json[]).map((l, i) => {
    const cfg = (l.config ?? {}) as Json;
    const name = typeof l.name === 'string' ? l.name : typeof cfg.name === 'string' ? cfg.name : `#${i + 1}`;
    const nodes = (l.inbound_nodes ?? []) as unknown[];
    if (!Array.isArray(nodes)) fail(`layer "${name}": inbound_nodes is not a list`);
    if (nodes.length > 1) fail(`layer "${name}" is called ${nodes.length} times (a shared layer); only layers called once are supported`);
    const inbound = ((nodes[0] ?? []) as unknown[]).map((ref) => {
      if (!Array.isArray(ref) || typeof ref[0] !== 'string') fail(`layer "${name}": an inbound node is not [layer, node, tensor, kwargs]`);
      if ((ref[1] ?? 0) !== 0 || (ref[2] ?? 0) !== 0) fail(`layer "${name}" reads output ${String(ref[2])} of call ${String(ref[1])} of "${ref[0]}"; only single-output layers called once are supported`);
      return ref[0] as string;
    });
    return { className: String(l.class_name), config: cfg, name, key: name, inbound: name === input ? [MODEL_INPUT] : inbound };
  });
  return { layers, input, output };
}

/** {@link loadTfjs} with the input shape, the layers each network layer came from, and what rounded. */
export function readTfjs(modelJson: unknown, weights: ArrayBuffer | Uint8Array | readonly (ArrayBuffer | Uint8Array)[], options: TfjsOptions = {}): TfjsImport {
  let json = modelJson;
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json);
    } catch {
      fail('model.json is not valid JSON');
    }
  }
  if (!looksLikeTfjs(json)) fail(`not a TensorFlow.js model: expected a model.json object with "modelTopology", got ${describe(json)}`);
  const model = json as Json;
  let topology = model.modelTopology as Json;
  if (topology && typeof topology === 'object' && 'model_config' in topology) topology = topology.model_config as Json;
  if (!topology || typeof topology !== 'object') fail('"modelTopology" is not an object (a graph model from tensorflowjs_converter? only Layers models are read)');
  const tensors = () => readWeights(model, weights);
  if (topology.class_name === 'Model' || topology.class_name === 'Functional') {
    const { layers, input, output } = functionalLayers(topology);
    return new Lowering(layers, input, output, tensors, options).run();
  }
  if (topology.class_name !== 'Sequential') {
    fail(`the model is a ${String(topology.class_name)} model; only Layers models are supported (tf.sequential, or tf.model with one input and one output)`);
  }
  const config = topology.config as Json | Json[];
  const rawLayers = (Array.isArray(config) ? config : (config?.layers as Json[] | undefined)) ?? fail('the Sequential model has no layers');
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) fail('the Sequential model has no layers');
  const layers: Layer[] = rawLayers.map((l, i) => {
    const cfg = (l.config ?? {}) as Json;
    const name = typeof cfg.name === 'string' ? cfg.name : `#${i + 1}`;
    // the chain of its layers, keyed by position (names may repeat in hand-made files)
    return { className: String(l.class_name), config: cfg, name, key: `#${i}`, inbound: [i === 0 ? MODEL_INPUT : `#${i - 1}`] };
  });
  return new Lowering(layers, layers[0]!.key, layers[layers.length - 1]!.key, tensors, options).run();
}

// ---------------------------------------------------------------------------------------------
// Weights.

interface Weight {
  shape: number[];
  data: Float64Array;
}

function concat(weights: ArrayBuffer | Uint8Array | readonly (ArrayBuffer | Uint8Array)[]): Uint8Array {
  const list = Array.isArray(weights) ? weights : [weights];
  const parts = list.map((w: unknown) => {
    if (w instanceof Uint8Array) return w;
    if (w instanceof ArrayBuffer) return new Uint8Array(w);
    return fail(`the weights must be ArrayBuffers or Uint8Arrays (the .bin files), got ${describe(w)}`);
  });
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const DTYPE_SIZE: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

function readWeights(model: Json, weights: ArrayBuffer | Uint8Array | readonly (ArrayBuffer | Uint8Array)[]): Map<string, Weight> {
  const manifest = model.weightsManifest;
  if (!Array.isArray(manifest)) fail('"weightsManifest" is missing: the model.json must list its weights');
  const bytes = concat(weights);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, Weight>();
  let offset = 0;
  for (const group of manifest as Json[]) {
    for (const spec of (group.weights ?? []) as Json[]) {
      const name = String(spec.name);
      const shape = (spec.shape as number[]) ?? [];
      const dtype = String(spec.dtype ?? 'float32');
      if (spec.quantization) fail(`weight "${name}" is quantized; save the model without quantization`);
      const size = DTYPE_SIZE[dtype] ?? fail(`weight "${name}" has dtype ${dtype}; supported: float32, int32`);
      const n = shape.reduce((a, b) => a * b, 1);
      if (!Number.isInteger(n) || n < 0 || n > MAX_TOTAL_WEIGHTS) fail(`weight "${name}" has shape ${JSON.stringify(shape)}, which is not valid or too large`);
      if (offset + n * size > bytes.length) {
        fail(`the weight files hold ${bytes.length} bytes, but the manifest needs at least ${offset + n * size} (weight "${name}"): a missing or truncated .bin file?`);
      }
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        data[i] = dtype === 'float32' ? view.getFloat32(offset + 4 * i, true) : dtype === 'int32' ? view.getInt32(offset + 4 * i, true) : view.getUint8(offset + i);
      }
      offset += n * size;
      out.set(name, { shape, data });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function pair(v: unknown, fallback: [number, number]): [number, number] {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
  return fallback;
}

class Lowering {
  private readonly builder: NetworkBuilder;
  private readonly rounding: string[] = [];
  private value!: Value;
  private shape: number[] = [];
  private label = '';
  private tag = '';

  private weights = new Map<string, Weight>();
  /** The output of each layer lowered so far, by key (MODEL_INPUT: the model's input). */
  private readonly values = new Map<string, { value: Value; shape: number[] }>();
  /** Position of the last layer that reads each key (Infinity for the counted output). */
  private readonly lastUse = new Map<string, number>();
  private index = 0;

  /**
   * @param input the key of the layer that holds the input shape (batch_input_shape): the
   *   Sequential model's first layer or the functional model's InputLayer.
   * @param output the key of the output layer.
   * @param readWeights called once the input shape has been checked.
   */
  constructor(
    private readonly layers: Layer[],
    input: string,
    private readonly output: string,
    private readonly readWeights: () => Map<string, Weight>,
    private readonly options: TfjsOptions,
  ) {
    const first = layers.find((l) => l.key === input) ?? fail(`the input layer "${input}" is not among the layers`);
    const batchShape = (first.config.batch_input_shape ?? first.config.batchInputShape) as (number | null)[] | undefined;
    if (!Array.isArray(batchShape)) fail(`the first layer "${first.name}" has no batch_input_shape (build the model with inputShape)`);
    const dims = batchShape.slice(1);
    if (dims.some((d) => typeof d !== 'number' || !(d >= 1) || !Number.isInteger(d))) {
      fail(`the input shape ${JSON.stringify(batchShape)} has a dynamic or invalid dimension besides the batch; give inputShape fixed sizes`);
    }
    this.shape = dims as number[];
    const inputDim = product(this.shape);
    if (inputDim > MAX_TOTAL_WEIGHTS) throw new LinearRegionsError('E_TOO_LARGE', `the input has ${inputDim} values, over the limit of ${MAX_TOTAL_WEIGHTS}`);
    if (options.fullInput === true) checkInputDimension(inputDim, `the input of "${first.name}"`);
    // tensors still read by a later layer are carried through the layers in between (skips)
    this.builder = new NetworkBuilder(inputDim, () => this.liveValues());
    this.value = this.builder.inputValue();
  }

  run(): TfjsImport {
    this.weights = this.readWeights();
    const inputShape = this.shape.slice();
    const omitted: string[] = [];
    let output = this.output;
    let end = this.layers.findIndex((l) => l.key === output) + 1;
    if (end === 0) fail(`the output layer "${output}" is not among the layers`);
    if (this.options.until !== undefined) {
      const i = this.layers.findIndex((l) => l.name === this.options.until);
      if (i < 0) throw new LinearRegionsError('E_ARGS', `--until "${this.options.until}": no layer of that name; the layers are ${this.layers.map((l) => `"${l.name}"`).join(', ')}`);
      end = i + 1;
      output = this.layers[i]!.key;
      omitted.push(...this.layers.slice(end).map((l) => `${l.className} ${l.name}`));
    }
    this.values.set(MODEL_INPUT, { value: this.value, shape: this.shape });
    for (let i = 0; i < end; i++) for (const key of this.layers[i]!.inbound) this.lastUse.set(key, i);
    this.lastUse.set(output, Infinity);
    for (let i = 0; i < end; i++) {
      const layer = this.layers[i]!;
      this.index = i;
      this.label = `layer "${layer.name}" (${layer.className})`;
      this.tag = `${layer.className} ${layer.name}`;
      const inputs = layer.inbound.map((key) => this.values.get(key) ?? fail(`${this.label} reads "${key}", which is not computed before it (layers must be listed in the order they are called)`));
      if (MERGE.has(layer.className)) this.merge(layer, inputs);
      else {
        if (inputs.length !== 1) fail(`${this.label} has ${inputs.length} inputs; only merge layers (${[...MERGE].join(', ')}) read several`);
        this.value = inputs[0]!.value;
        this.shape = inputs[0]!.shape;
        this.layer(layer, layer.key === output && this.options.until === undefined, omitted);
      }
      this.values.set(layer.key, { value: this.value, shape: this.shape });
    }
    const built = this.builder.finish(this.values.get(output)!.value, 'the model output');
    const network = validateNetwork({ inputDim: built.inputDim, layers: built.layers });
    return { network, inputShape, layerNodes: built.layerNodes, rounding: this.rounding, omitted };
  }

  /** The outputs still read after the current layer (besides its own). */
  private liveValues(): Value[] {
    const out: Value[] = [];
    for (const [key, { value }] of this.values) if ((this.lastUse.get(key) ?? -1) > this.index) out.push(value);
    return out;
  }

  /**
   * Add, Average, Concatenate: one affine map of the stacked inputs. Maximum and
   * Minimum: a maxout unit per value over the inputs (min(a, b) = -max(-a, -b)), so each of their
   * hyperplanes a_i = b_i is a unit's, as for MaxPooling.
   */
  private merge(layer: Layer, inputs: { value: Value; shape: number[] }[]): void {
    const k = inputs.length;
    if (k < 2) fail(`${this.label} has ${k} input; a merge layer needs at least two`);
    const sizes = inputs.map((p) => product(p.shape));
    const cols = sizes.reduce((a, b) => a + b, 0);
    const offsets = sizes.map((_, j) => sizes.slice(0, j).reduce((a, b) => a + b, 0));
    if (layer.className === 'Concatenate') {
      const r = inputs[0]!.shape.length;
      let axis = Number(layer.config.axis ?? -1);
      if (axis < 0) axis += r;
      const shapes = inputs.map((p) => p.shape);
      if (!Number.isInteger(axis) || axis < 0 || axis >= r || shapes.some((sh) => sh.length !== r || sh.some((d, i) => i !== axis && d !== shapes[0]![i]))) {
        fail(`${this.label}: shapes ${shapes.map((sh) => sh.join('x')).join(', ')} cannot be concatenated on axis ${String(layer.config.axis ?? -1)}`);
      }
      const { dims, part, index } = concatLayout(shapes, axis, this.label);
      this.builder.checkRows(part.length, cols, this.label);
      const op = new AffineBuilder(cols);
      for (let o = 0; o < part.length; o++) {
        op.entry(offsets[part[o]!]! + index[o]!, 1);
        op.endRow(0);
      }
      this.value = this.builder.affine(op.build(), inputs.map((p) => p.value), this.tag, inputs.every((p) => p.value.nonneg));
      this.shape = dims;
      return;
    }
    const shape = inputs[0]!.shape;
    if (inputs.some((p) => p.shape.join('x') !== shape.join('x'))) {
      fail(`${this.label}: its inputs have shapes ${inputs.map((p) => p.shape.join('x')).join(', ')}; ${layer.className} needs equal shapes`);
    }
    const n = sizes[0]!;
    this.shape = shape;
    const values = inputs.map((p) => p.value);
    if (layer.className === 'Maximum' || layer.className === 'Minimum') {
      const sign = layer.className === 'Maximum' ? 1 : -1;
      this.builder.checkRows(n * k, cols, this.label);
      const stack = new AffineBuilder(cols);
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < n; i++) {
          stack.entry(offsets[j]! + i, sign);
          stack.endRow(0);
        }
      }
      const windows = Array.from({ length: n }, (_, i) => Array.from({ length: k }, (_, j) => j * n + i));
      const max = this.builder.activation(this.builder.affine(stack.build(), values, this.tag), { kind: 'maxout', pieces: k }, this.tag, windows);
      if (sign === 1) this.value = max;
      else {
        const negate = new AffineBuilder(n);
        for (let i = 0; i < n; i++) {
          negate.entry(i, -1);
          negate.endRow(0);
        }
        this.value = this.builder.affine(negate.build(), [max], this.tag);
      }
      return;
    }
    const coef = layer.className === 'Average' ? 1 / k : 1;
    if (layer.className === 'Average' && (k & (k - 1)) !== 0) this.rounding.push(`${this.label}: the averaging weight 1/${k} rounded to float64`);
    this.builder.checkRows(n, cols, this.label);
    const op = new AffineBuilder(cols);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) op.entry(offsets[j]! + i, coef);
      op.endRow(0);
    }
    this.value = this.builder.affine(op.build(), values, this.tag);
  }

  private weight(layer: Layer, role: string, required = true): Weight | undefined {
    const key = `${layer.name}/${role}`;
    let w = this.weights.get(key);
    if (w === undefined) for (const [name, v] of this.weights) if (name.endsWith(`/${key}`)) w = v;
    if (w === undefined && required) fail(`${this.label}: its weight "${key}" is not in the weights manifest`);
    if (w) {
      for (let i = 0; i < w.data.length; i++) {
        if (!Number.isFinite(w.data[i]!)) throw new LinearRegionsError('E_NONFINITE', `${this.label}: the weight "${key}" has a non-finite value ${w.data[i]} at index ${i}`);
      }
    }
    return w;
  }

  private layer(layer: Layer, last: boolean, omitted: string[]): void {
    const c = layer.config;
    switch (layer.className) {
      case 'InputLayer':
      case 'Dropout':
      case 'SpatialDropout1D':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
      case 'GaussianDropout':
      case 'AlphaDropout':
        return this.builder.note(this.tag); // inference: the identity
      case 'Flatten':
        this.shape = [product(this.shape)];
        return this.builder.note(this.tag);
      case 'Reshape': {
        const target = (c.target_shape ?? c.targetShape) as number[];
        const known = product(target.filter((d) => d !== -1));
        const dims = target.map((d) => (d === -1 ? product(this.shape) / known : d));
        if (product(dims) !== product(this.shape) || !dims.every(Number.isInteger)) fail(`${this.label}: cannot reshape ${this.shape.join('x')} to ${target.join('x')}`);
        this.shape = dims;
        return this.builder.note(this.tag);
      }
      case 'Dense':
        this.dense(layer);
        return this.activation(String(c.activation ?? 'linear'), last, omitted);
      case 'Conv2D':
        this.conv(layer);
        return this.activation(String(c.activation ?? 'linear'), last, omitted);
      case 'MaxPooling2D':
      case 'AveragePooling2D':
      case 'GlobalMaxPooling2D':
      case 'GlobalAveragePooling2D':
        return this.pool(layer);
      case 'BatchNormalization':
        return this.batchNorm(layer);
      case 'Activation':
        return this.activation(String(c.activation ?? 'linear'), last, omitted);
      case 'Softmax':
        return this.activation('softmax', last, omitted);
      case 'ReLU': {
        const slope = Number(c.negative_slope ?? c.negativeSlope ?? 0);
        const threshold = Number(c.threshold ?? 0);
        const maxValue = c.max_value ?? c.maxValue;
        if (threshold !== 0) fail(`${this.label}: a threshold of ${threshold} makes ReLU discontinuous; only threshold 0 is supported`);
        if (maxValue !== null && maxValue !== undefined) {
          if (slope !== 0) fail(`${this.label}: max_value with a negative_slope is not supported`);
          this.value = this.builder.clip(this.value, 0, Number(maxValue), this.tag);
          return;
        }
        return this.act(slope === 0 ? { kind: 'relu' } : { kind: 'leaky_relu', alpha: Math.fround(slope) });
      }
      case 'LeakyReLU':
        // TensorFlow.js computes in float32: the slope is alpha rounded to float32
        return this.act({ kind: 'leaky_relu', alpha: Math.fround(Number(c.alpha ?? 0.3)) });
      case 'PReLU': {
        const alpha = this.weight(layer, 'alpha')!;
        const n = product(this.shape);
        // alpha has the input's shape, with size 1 on shared axes: broadcast it
        if (alpha.shape.length > this.shape.length || alpha.shape.some((d, k) => d !== 1 && d !== this.shape[this.shape.length - alpha.shape.length + k])) {
          fail(`${this.label}: alpha of shape ${alpha.shape.join('x')} does not fit the input of shape ${this.shape.join('x')}`);
        }
        const index = broadcastIndex(alpha.shape, this.shape);
        const slopes = Float64Array.from({ length: n }, (_, i) => alpha.data[index(i)]!);
        return this.act({ kind: 'prelu', slopes });
      }
    }
    fail(`${this.label}: layer class "${layer.className}" is not supported; supported: ${TFJS_LAYERS.join(', ')}`);
  }

  private act(activation: LayerActivation): void {
    this.value = this.builder.activation(this.value, activation, this.tag);
  }

  private activation(name: string, last: boolean, omitted: string[]): void {
    if (name === 'linear') return;
    if (name === 'relu') return this.act({ kind: 'relu' });
    if (name === 'relu6') {
      this.value = this.builder.clip(this.value, 0, 6, this.tag);
      return;
    }
    if (TAIL.has(name) && last) {
      if (this.options.strict) fail(`${this.label}: the model ends in a ${name}, which is not piecewise linear (strict); without strict the part before it is counted`);
      omitted.push(`${name} of ${this.tag}`);
      return;
    }
    fail(`${this.label}: activation "${name}" is not piecewise linear, so it has no linear regions: count a ReLU version of the model (supported: ${ACTIVATIONS.join(', ')}, and softmax or sigmoid on the last layer)`);
  }

  private dense(layer: Layer): void {
    const kernel = this.weight(layer, 'kernel')!;
    const useBias = layer.config.use_bias ?? layer.config.useBias ?? true;
    const bias = useBias ? this.weight(layer, 'bias') : undefined;
    const [K, U] = kernel.shape as [number, number];
    const X = this.shape;
    if (kernel.shape.length !== 2 || X[X.length - 1] !== K) fail(`${this.label}: the kernel of shape ${kernel.shape.join('x')} does not fit the input of shape ${X.join('x')}`);
    const rows = product(X) / K;
    this.builder.checkRows(rows * U, product(X), this.label);
    const op = new AffineBuilder(product(X), rows * U * K, rows * U);
    for (let r = 0; r < rows; r++) {
      for (let u = 0; u < U; u++) {
        for (let k = 0; k < K; k++) op.entry(r * K + k, kernel.data[k * U + u]!);
        op.endRow(bias ? bias.data[u]! : 0);
      }
    }
    this.value = this.builder.affine(op.build(), [this.value], this.tag);
    this.shape = [...X.slice(0, -1), U];
  }

  /** Output size and the padding before, for TensorFlow's "valid" and "same". */
  private span(size: number, k: number, stride: number, dilation: number, padding: string): { out: number; before: number } {
    const extent = (k - 1) * dilation + 1;
    if (padding === 'same') {
      const out = Math.ceil(size / stride);
      const total = Math.max((out - 1) * stride + extent - size, 0);
      return { out, before: Math.floor(total / 2) };
    }
    if (padding !== 'valid') fail(`${this.label}: padding "${padding}" is not supported`);
    const out = Math.floor((size - extent) / stride) + 1;
    if (out < 1) fail(`${this.label}: the window (${extent}) is larger than the input (${size})`);
    return { out, before: 0 };
  }

  private channelsLast(): void {
    const format = this.layers.find((l) => `${l.className} ${l.name}` === this.tag)?.config.data_format;
    if (format !== undefined && format !== 'channels_last' && format !== 'channelsLast') fail(`${this.label}: data_format "${String(format)}" is not supported (channels_last only)`);
    if (this.shape.length !== 3) fail(`${this.label}: needs an input of shape height x width x channels, got ${this.shape.join('x')}`);
  }

  private conv(layer: Layer): void {
    this.channelsLast();
    const c = layer.config;
    const kernel = this.weight(layer, 'kernel')!;
    const useBias = c.use_bias ?? c.useBias ?? true;
    const bias = useBias ? this.weight(layer, 'bias') : undefined;
    const [H, W, C] = this.shape as [number, number, number];
    const [kh, kw, kc, M] = kernel.shape as [number, number, number, number];
    if (kernel.shape.length !== 4 || kc !== C) fail(`${this.label}: the kernel of shape ${kernel.shape.join('x')} does not fit the input of shape ${this.shape.join('x')}`);
    const [sh, sw] = pair(c.strides, [1, 1]);
    const [dh, dw] = pair(c.dilation_rate ?? c.dilationRate, [1, 1]);
    const padding = String(c.padding ?? 'valid');
    const y = this.span(H, kh, sh, dh, padding);
    const x = this.span(W, kw, sw, dw, padding);
    this.builder.checkRows(y.out * x.out * M, H * W * C, this.label);
    const op = new AffineBuilder(H * W * C, y.out * x.out * M * kh * kw * C, y.out * x.out * M);
    for (let oy = 0; oy < y.out; oy++) {
      for (let ox = 0; ox < x.out; ox++) {
        for (let m = 0; m < M; m++) {
          for (let i = 0; i < kh; i++) {
            const iy = oy * sh - y.before + i * dh;
            if (iy < 0 || iy >= H) continue;
            for (let j = 0; j < kw; j++) {
              const ix = ox * sw - x.before + j * dw;
              if (ix < 0 || ix >= W) continue;
              for (let ci = 0; ci < C; ci++) op.entry((iy * W + ix) * C + ci, kernel.data[((i * kw + j) * C + ci) * M + m]!);
            }
          }
          op.endRow(bias ? bias.data[m]! : 0);
        }
      }
    }
    this.value = this.builder.affine(op.build(), [this.value], this.tag);
    this.shape = [y.out, x.out, M];
  }

  private pool(layer: Layer): void {
    this.channelsLast();
    const c = layer.config;
    const [H, W, C] = this.shape as [number, number, number];
    const global = layer.className.startsWith('Global');
    const [ph, pw] = global ? [H, W] : pair(c.pool_size ?? c.poolSize, [2, 2]);
    const [sh, sw] = global ? [1, 1] : pair(c.strides, [ph, pw]);
    const padding = global ? 'valid' : String(c.padding ?? 'valid');
    const y = this.span(H, ph, sh, 1, padding);
    const x = this.span(W, pw, sw, 1, padding);
    const windows: number[][] = [];
    for (let oy = 0; oy < y.out; oy++) {
      for (let ox = 0; ox < x.out; ox++) {
        for (let ch = 0; ch < C; ch++) {
          const members: number[] = [];
          for (let i = 0; i < ph; i++) {
            const iy = oy * sh - y.before + i;
            if (iy < 0 || iy >= H) continue;
            for (let j = 0; j < pw; j++) {
              const ix = ox * sw - x.before + j;
              if (ix >= 0 && ix < W) members.push((iy * W + ix) * C + ch);
            }
          }
          windows.push(members);
        }
      }
    }
    this.shape = global ? [C] : [y.out, x.out, C];
    if (layer.className.includes('Max')) {
      const k = Math.max(...windows.map((w) => w.length));
      // a window clipped by "same" padding repeats its last member: the max and the regions are
      // unchanged, as the copy never wins (ties go to the lowest piece)
      for (const w of windows) while (w.length < k) w.push(w[w.length - 1]!);
      if (k === 1) return this.select(windows.map((w) => w[0]!));
      this.value = this.builder.activation(this.value, { kind: 'maxout', pieces: k }, this.tag, windows);
      return;
    }
    const op = new AffineBuilder(H * W * C);
    const rounded = new Set<number>();
    for (const w of windows) {
      if ((w.length & (w.length - 1)) !== 0) rounded.add(w.length);
      for (const m of w) op.entry(m, 1 / w.length);
      op.endRow(0);
    }
    if (rounded.size > 0) this.rounding.push(`${this.label}: the averaging weights ${[...rounded].map((n) => `1/${n}`).join(', ')} rounded to float64`);
    this.value = this.builder.affine(op.build(), [this.value], this.tag);
  }

  private select(indices: number[]): void {
    const op = new AffineBuilder(this.value.map.rows);
    for (const i of indices) {
      op.entry(i, 1);
      op.endRow(0);
    }
    this.value = this.builder.affine(op.build(), [this.value], this.tag, this.value.nonneg);
  }

  /** Inference BatchNormalization on the last axis, folded as in the ONNX importer (rounds). */
  private batchNorm(layer: Layer): void {
    const c = layer.config;
    const axis = Number(c.axis ?? -1);
    const r = this.shape.length;
    if (axis !== -1 && axis !== r) fail(`${this.label}: only axis -1 (the channels, last) is supported, got ${axis}`);
    const C = this.shape[r - 1]!;
    const eps = Number(c.epsilon ?? 0.001);
    const get = (role: string, fallback: number, used: unknown) => {
      if (used === false) return new Float64Array(C).fill(fallback);
      const w = this.weight(layer, role)!;
      if (w.data.length !== C) fail(`${this.label}: ${role} has ${w.data.length} values for ${C} channels`);
      return w.data;
    };
    const gamma = get('gamma', 1, c.scale);
    const beta = get('beta', 0, c.center);
    const mean = get('moving_mean', 0, true);
    const variance = get('moving_variance', 1, true);
    const s = new Float64Array(C);
    for (let ch = 0; ch < C; ch++) {
      const v = variance[ch]! + eps;
      if (!(v > 0)) fail(`${this.label}: variance + epsilon must be positive, got ${v} for channel ${ch}`);
      s[ch] = gamma[ch]! / Math.sqrt(v);
    }
    this.value = this.builder.scaleChannels(this.value, (row) => row % C, s, mean, beta, this.tag);
    this.rounding.push(`${this.label}: folded into the preceding affine map (gamma / sqrt(variance + epsilon) rounds)`);
  }
}
