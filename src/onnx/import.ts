/**
 * ONNX import: an ONNX graph of piecewise-linear ops (as torch.onnx.export writes for MLPs, CNNs
 * and residual networks) lowered to the JSON network format. Runs in Node and browsers (no Node
 * built-ins).
 *
 * The file is decoded by @bufbuild/protobuf with the schema in proto/ (a subset of ONNX's
 * onnx.proto3). The graph has one input tensor and one output; the input, of any fixed shape (a
 * dynamic batch is fixed to 1), is flattened in C order (as torch.flatten does), so domains and
 * slices live in R^(number of input values). Nodes on constants only are folded (fold.ts); a
 * trailing Softmax/LogSoftmax/Sigmoid/ArgMax is cut unless `strict`; `until` cuts anywhere.
 *
 * Lowering (see docs/onnx.md): every computed tensor is an affine map of the current layer's
 * input (affine.ts). Affine ops (Gemm, MatMul, Add, Sub, Mul, Div, Concat, Conv, AveragePool,
 * Pad, selections; BatchNormalization folded) compose into it; Relu, LeakyRelu, PRelu, Abs, Clip,
 * MaxPool and ReduceMax end a layer, which also carries every tensor still needed later (skip
 * connections) as units that never split a cell. float32 (and float16, bfloat16) weights convert
 * exactly to float64; composing two affine ops is done only where no product or sum rounds,
 * otherwise a `linear` layer boundary is kept. What rounds: BatchNormalization folding,
 * AveragePool's 1/count and Div's 1/c when not powers of two, Gemm's alpha/beta when not 1.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { LinearRegionsError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { AffineBuilder, NetworkBuilder, productIsExact } from './affine.js';
import type { AffineMap, LayerActivation, Value } from './affine.js';
import { FOLDABLE_OPS, broadcastIndex, broadcastShapes, concatLayout, foldConstant, product, reshapeDims, shapeOf, squeezeShape } from './fold.js';
import type { FoldContext, Tensor } from './fold.js';
import { TAIL_OPS, nonLinearAdvice, nonLinearLayer } from './hints.js';
import { AttributeProto_AttributeType as AttrType, ModelProtoSchema, TensorProto_DataLocation, TensorProto_DataType as DataType } from './proto/onnx_pb.js';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from './proto/onnx_pb.js';
import type { Network } from '../network/types.js';
import { MAX_TOTAL_WEIGHTS, checkInputDimension, describe, validateNetwork } from '../network/validate.js';

/** The ops the importer understands, listed in error messages. */
export const ONNX_OPS: readonly string[] = [
  'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Neg', 'Concat', 'Conv', 'AveragePool', 'GlobalAveragePool',
  'BatchNormalization', 'Relu', 'LeakyRelu', 'PRelu', 'Abs', 'Clip', 'HardSigmoid', 'MaxPool', 'GlobalMaxPool', 'ReduceMax',
  'Pad', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout', 'Constant', 'Shape',
  'Slice', 'Gather', 'Transpose',
];

/** Ops that may read several computed tensors (residual Add and Sub, Concat). */
const MULTI_INPUT_OPS: ReadonlySet<string> = new Set(['Add', 'Sub', 'Concat']);

/** What {@link readOnnx} found in the file besides the network. */
export interface OnnxImport {
  /** The lowered network (validated, input flattened in C order). */
  network: Network;
  /** The graph's input tensor: its name and fixed shape; network.inputDim is the product. */
  input: { name: string; shape: number[] };
  /** The graph's output tensor: its name and shape as computed by the importer. */
  output: { name: string; shape: number[] };
  /** "pytorch 1.13.0" (producer_name and producer_version), or "" when absent. */
  producer: string;
  /** The default-domain opset version the model declares. */
  opset: number;
  /** For each layer of `network`, the ONNX nodes it was built from: "Conv /conv/Conv", ... */
  layerNodes: string[][];
  /** One line per op whose lowering rounded (BatchNormalization, AveragePool 1/3, ...); empty when exact. */
  rounding: string[];
  /**
   * The nodes left out at the end of the graph ("Softmax /Softmax"): a Softmax, LogSoftmax,
   * Sigmoid or ArgMax tail cut by default, or everything after `until`. Empty when none.
   */
  omitted: string[];
  /** Other things the importer decided, one line each (a dynamic batch dimension fixed to 1, ...). */
  notes: string[];
}

function fail(message: string, code: ErrorCode = 'E_ONNX'): never {
  throw new LinearRegionsError(code, message);
}

export { looksLikeOnnx } from './sniff.js';

/**
 * Imports an ONNX model (the bytes of an .onnx file) as a network in the JSON format.
 *
 * @throws LinearRegionsError E_ONNX (corrupt or truncated file, an op that is not piecewise
 *   linear or not supported, a dynamic shape other than the batch, several inputs or outputs, a
 *   softmax tail with `strict`), E_NONFINITE (a NaN or infinite weight), E_TOO_LARGE (the lowered
 *   network would exceed the weight limit), E_ARGS (not bytes, or `until` names no node).
 */
export function loadOnnx(bytes: Uint8Array | ArrayBuffer, options: OnnxOptions = {}): Network {
  return readOnnx(bytes, options).network;
}

/** {@link loadOnnx} with what else the importer learned: input shape, per-layer nodes, rounding. */
export function readOnnx(bytes: Uint8Array | ArrayBuffer, options: OnnxOptions = {}): OnnxImport {
  let data: Uint8Array;
  if (bytes instanceof Uint8Array) data = bytes;
  else if (bytes instanceof ArrayBuffer) data = new Uint8Array(bytes);
  else fail(`loadOnnx expects the bytes of an .onnx file (a Uint8Array or ArrayBuffer), got ${describe(bytes)}`, 'E_ARGS');
  const model = decode(data);
  return new Importer(model, options ?? {}).run();
}

function decode(data: Uint8Array): ModelProto {
  if (data.length === 0) fail('not an ONNX model: the file is empty');
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, data, { readUnknownFields: false });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    fail(`not a valid ONNX model (corrupt or truncated protobuf: ${reason})`);
  }
  if (model.graph === undefined || model.graph.node.length === 0 && model.graph.input.length === 0) {
    fail('not an ONNX model: no graph found (corrupt or truncated file, or not an .onnx file)');
  }
  return model;
}

// ---------------------------------------------------------------------------------------------
// Tensors and attributes.


const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(DataType).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]),
);

function typeName(t: number): string {
  return TYPE_NAMES[t] ?? `type ${t}`;
}


function shapeText(dims: readonly number[]): string {
  return dims.length === 0 ? 'a scalar' : dims.join('x');
}

function toCount(v: bigint, what: string): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what}: dimension ${v} is out of range`);
  return Number(v);
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f === 0 ? sign * Infinity : NaN;
  return sign * (1024 + f) * 2 ** (e - 25);
}

const bf16View = new DataView(new ArrayBuffer(4));
function bfloat16ToNumber(h: number): number {
  bf16View.setUint32(0, (h & 0xffff) << 16);
  return bf16View.getFloat32(0);
}

/** Bytes per element in raw_data, for the types read here. */
const RAW_SIZE: Partial<Record<number, number>> = {
  [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.FLOAT16]: 2, [DataType.BFLOAT16]: 2,
  [DataType.INT64]: 8, [DataType.INT32]: 4, [DataType.INT16]: 2, [DataType.UINT16]: 2,
  [DataType.INT8]: 1, [DataType.UINT8]: 1, [DataType.BOOL]: 1,
};

const INTEGER_TYPES: ReadonlySet<number> = new Set([DataType.INT64, DataType.INT32, DataType.INT16, DataType.UINT16, DataType.INT8, DataType.UINT8, DataType.BOOL]);

/** Decodes a TensorProto's values (every element exactly; int64 within +-2^53). */
function readTensor(t: TensorProto, what: string): Tensor {
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL || t.externalData.length > 0) {
    fail(`${what} stores its data in an external file, which is not supported (export the weights inside the .onnx file)`);
  }
  const dims = t.dims.map((d) => toCount(d, what));
  const n = product(dims);
  const type = t.dataType;
  const size = RAW_SIZE[type];
  if (size === undefined) fail(`${what} has data type ${typeName(type)}; supported: FLOAT, DOUBLE, FLOAT16, BFLOAT16 and integers`);
  if (n > MAX_TOTAL_WEIGHTS) fail(`${what} has ${n} elements, over the limit of ${MAX_TOTAL_WEIGHTS}`, 'E_TOO_LARGE');
  const data = new Float64Array(n);
  const raw = t.rawData;
  if (raw.length > 0) {
    if (raw.length !== n * size) {
      fail(`${what} has shape ${shapeText(dims)} (${n} elements) but ${raw.length} bytes of ${typeName(type)} data (expected ${n * size}; truncated?)`);
    }
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) {
      switch (type) {
        case DataType.FLOAT: data[i] = view.getFloat32(4 * i, true); break;
        case DataType.DOUBLE: data[i] = view.getFloat64(8 * i, true); break;
        case DataType.FLOAT16: data[i] = halfToNumber(view.getUint16(2 * i, true)); break;
        case DataType.BFLOAT16: data[i] = bfloat16ToNumber(view.getUint16(2 * i, true)); break;
        case DataType.INT64: data[i] = int64(view.getBigInt64(8 * i, true), what); break;
        case DataType.INT32: data[i] = view.getInt32(4 * i, true); break;
        case DataType.INT16: data[i] = view.getInt16(2 * i, true); break;
        case DataType.UINT16: data[i] = view.getUint16(2 * i, true); break;
        case DataType.INT8: data[i] = view.getInt8(i); break;
        default: data[i] = view.getUint8(i); // UINT8, BOOL
      }
    }
    return { dims, data, integer: INTEGER_TYPES.has(type) };
  }
  let values: ArrayLike<number | bigint>;
  let convert: (v: number | bigint) => number = (v) => Number(v);
  switch (type) {
    case DataType.FLOAT: values = t.floatData; break;
    case DataType.DOUBLE: values = t.doubleData; break;
    case DataType.INT64: values = t.int64Data; convert = (v) => int64(v as bigint, what); break;
    case DataType.FLOAT16: values = t.int32Data; convert = (v) => halfToNumber(Number(v)); break;
    case DataType.BFLOAT16: values = t.int32Data; convert = (v) => bfloat16ToNumber(Number(v)); break;
    default: values = t.int32Data;
  }
  if (values.length !== n) {
    fail(`${what} has shape ${shapeText(dims)} (${n} elements) but ${values.length} values`);
  }
  for (let i = 0; i < n; i++) data[i] = convert(values[i]!);
  return { dims, data, integer: INTEGER_TYPES.has(type) };
}

function int64(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) fail(`${what}: integer ${v} is out of range`);
  return Number(v);
}

/** The value of an attribute of the types read here (numbers; lists of numbers; strings). */
function attribute(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

function attrInt(node: NodeProto, name: string, fallback: number, label: string): number {
  const a = attribute(node, name);
  if (a === undefined) return fallback;
  if (a.type !== AttrType.INT && a.type !== AttrType.UNDEFINED) fail(`${label}: attribute "${name}" must be an integer`);
  return int64(a.i, `${label}: attribute "${name}"`);
}

function attrFloat(node: NodeProto, name: string, fallback: number, label: string): number {
  const a = attribute(node, name);
  if (a === undefined) return fallback;
  if (a.type !== AttrType.FLOAT && a.type !== AttrType.UNDEFINED) fail(`${label}: attribute "${name}" must be a float`);
  return a.f; // a float32, exactly
}

function attrInts(node: NodeProto, name: string, label: string): number[] | undefined {
  const a = attribute(node, name);
  if (a === undefined) return undefined;
  if (a.type !== AttrType.INTS && a.type !== AttrType.UNDEFINED) fail(`${label}: attribute "${name}" must be a list of integers`);
  return a.ints.map((v) => int64(v, `${label}: attribute "${name}"`));
}

function attrString(node: NodeProto, name: string, fallback: string): string {
  const a = attribute(node, name);
  return a === undefined ? fallback : new TextDecoder().decode(a.s);
}

// ---------------------------------------------------------------------------------------------
// Sliding windows (Conv, pools) over the spatial axes of an N x C x D1 x ... tensor.

interface Windows {
  /** Output spatial shape. */
  out: number[];
  /** Kernel spatial shape and its number of positions. */
  kernel: number[];
  kernelSize: number;
  /**
   * For each output position (C order), the valid input positions of its window in C order of
   * the kernel offsets: spatial flat index and kernel flat index.
   */
  members: { input: number[]; offset: number[] }[];
}

/** Stride, dilation and padding attributes of a Conv or pool over `d` spatial axes (ONNX defaults). */
interface Geometry {
  strides: number[];
  dilations: number[];
  pads: number[];
  autoPad: string;
  ceil: boolean;
}

function geometry(node: NodeProto | null, label: string, d: number): Geometry {
  if (node === null) {
    return { strides: new Array<number>(d).fill(1), dilations: new Array<number>(d).fill(1), pads: new Array<number>(2 * d).fill(0), autoPad: 'NOTSET', ceil: false };
  }
  return {
    strides: attrInts(node, 'strides', label) ?? new Array<number>(d).fill(1),
    dilations: attrInts(node, 'dilations', label) ?? new Array<number>(d).fill(1),
    pads: attrInts(node, 'pads', label) ?? new Array<number>(2 * d).fill(0),
    autoPad: attrString(node, 'auto_pad', 'NOTSET'),
    ceil: attrInt(node, 'ceil_mode', 0, label) === 1,
  };
}

function windows(geo: Geometry, label: string, spatial: number[], kernel: number[]): Windows {
  const d = spatial.length;
  const { strides, dilations, autoPad, ceil } = geo;
  let pads = geo.pads;
  if (kernel.length !== d || strides.length !== d || dilations.length !== d || pads.length !== 2 * d) {
    fail(`${label}: kernel_shape, strides, dilations and pads must match the ${d} spatial axes of the input`);
  }
  if ([...strides, ...dilations, ...kernel].some((v) => v < 1) || pads.some((v) => v < 0)) {
    fail(`${label}: kernel_shape, strides and dilations must be positive and pads non-negative`);
  }
  const extent = kernel.map((k, i) => (k - 1) * dilations[i]! + 1);
  if (autoPad === 'VALID') pads = new Array<number>(2 * d).fill(0);
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = new Array<number>(2 * d).fill(0);
    for (let i = 0; i < d; i++) {
      const out = Math.ceil(spatial[i]! / strides[i]!);
      const total = Math.max(0, (out - 1) * strides[i]! + extent[i]! - spatial[i]!);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + d] = total - pads[i]!;
    }
  } else if (autoPad !== 'NOTSET') fail(`${label}: auto_pad "${autoPad}" is not supported`);
  const out: number[] = [];
  for (let i = 0; i < d; i++) {
    const span = spatial[i]! + pads[i]! + pads[i + d]! - extent[i]!;
    if (span < 0) fail(`${label}: the window (${extent[i]}) is larger than the padded input (${spatial[i]! + pads[i]! + pads[i + d]!}) on spatial axis ${i}`);
    const floor = Math.floor(span / strides[i]!) + 1;
    if (ceil && Math.ceil(span / strides[i]!) + 1 !== floor) {
      fail(`${label}: ceil_mode=1 with a partial last window is not supported (input ${shapeText(spatial)}, kernel ${shapeText(kernel)}, strides ${shapeText(strides)})`);
    }
    out.push(floor);
  }
  const kernelSize = product(kernel);
  const members: Windows['members'] = [];
  const pos = new Array<number>(d).fill(0);
  const q = new Array<number>(d).fill(0);
  for (let o = 0, outSize = product(out); o < outSize; o++) {
    // output multi-index (C order)
    for (let i = d - 1, r = o; i >= 0; i--) {
      pos[i] = r % out[i]!;
      r = Math.floor(r / out[i]!);
    }
    const input: number[] = [];
    const offset: number[] = [];
    for (let k = 0; k < kernelSize; k++) {
      for (let i = d - 1, r = k; i >= 0; i--) {
        q[i] = r % kernel[i]!;
        r = Math.floor(r / kernel[i]!);
      }
      let flat = 0;
      let valid = true;
      for (let i = 0; i < d; i++) {
        const x = pos[i]! * strides[i]! - pads[i]! + q[i]! * dilations[i]!;
        if (x < 0 || x >= spatial[i]!) {
          valid = false;
          break;
        }
        flat = flat * spatial[i]! + x;
      }
      if (valid) {
        input.push(flat);
        offset.push(k);
      }
    }
    if (input.length === 0) fail(`${label}: a window lies entirely in the padding`);
    members.push({ input, offset });
  }
  return { out, kernel, kernelSize, members };
}

// ---------------------------------------------------------------------------------------------
// The graph walk.

function nodeLabel(node: NodeProto, index: number): string {
  return node.name ? `node "${node.name}" (${node.opType})` : `node ${index + 1} (${node.opType})`;
}

/** "Conv /conv/Conv" for layerNodes. */
function nodeTag(node: NodeProto, index: number): string {
  return `${node.opType} ${node.name || `#${index + 1}`}`;
}

/**
 * A value_info's shape. A symbolic or missing dimension on axis 0 (a `dynamic_axes` batch) is
 * fixed to 1 and reported in `notes`; anywhere else it is refused.
 */
function valueShape(vi: ValueInfoProto, what: string, notes: string[]): number[] {
  const type = vi.type?.value;
  if (type?.case !== 'tensorType') fail(`${what} "${vi.name}" is not a tensor`);
  const elem = type.value.elemType;
  if (elem !== DataType.FLOAT && elem !== DataType.DOUBLE && elem !== DataType.FLOAT16 && elem !== DataType.BFLOAT16) {
    fail(`${what} "${vi.name}" has element type ${typeName(elem)}; a floating-point tensor is needed`);
  }
  const shape = type.value.shape;
  if (shape === undefined) fail(`${what} "${vi.name}" has no shape (dynamic); re-export with a fixed input shape`);
  return shape.dim.map((dim, axis) => {
    if (dim.value.case === 'dimValue') {
      const v = dim.value.value;
      if (v > 0n) return toCount(v, `${what} "${vi.name}"`);
      fail(`${what} "${vi.name}" has dimension ${v} on axis ${axis}, which is not a valid size (every dimension must be at least 1)`);
    }
    const name = dim.value.case === 'dimParam' ? ` "${dim.value.value}"` : '';
    if (axis === 0 && shape.dim.length > 1) {
      notes.push(`${what} "${vi.name}" has a dynamic batch dimension${name} (axis 0): fixed to 1`);
      return 1;
    }
    fail(`${what} "${vi.name}" has a dynamic dimension${name} (axis ${axis}); re-export with a fixed shape (torch.onnx.export without dynamic_axes)`);
  });
}

/** Options of {@link readOnnx}. */
export interface OnnxOptions {
  /**
   * Count the graph up to this node (its name, or the name of the tensor it computes): the
   * network's output is that node's output, and the nodes after it are ignored.
   */
  until?: string;
  /**
   * Refuse a graph that ends in Softmax, LogSoftmax, Sigmoid or ArgMax instead of cutting it
   * (by default the piecewise-linear part before it is counted, and `omitted` says what was cut).
   */
  strict?: boolean;
  /**
   * The model will be counted on its whole input (no slice): refuse an input of more than 64 values
   * (E_DIMENSION, the n-D engine's limit) before any weight is read or lowered.
   */
  fullInput?: boolean;
}

/** Ops that keep the flattened values as they are. */
const SHAPE_OPS: ReadonlySet<string> = new Set(['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout']);

class Importer {
  private readonly graph: GraphProto;
  private readonly initializers = new Map<string, TensorProto>();
  private readonly constants = new Map<string, Tensor>();
  /** Computed tensors available now: their value and shape. */
  private readonly values = new Map<string, { value: Value; shape: number[] }>();
  /** Index of the last node that reads each tensor (Infinity for the output). */
  private readonly lastUse = new Map<string, number>();
  /** The node that computes each tensor. */
  private readonly producer = new Map<string, NodeProto>();
  private readonly rounding: string[] = [];
  private readonly notes: string[] = [];
  private builder!: NetworkBuilder;
  /** The current node: index, its computed input's value and shape (the output's, after the op). */
  private index = 0;
  private inValue!: Value;
  private out: Value | undefined;
  private shape: number[] = [];
  private label = '';
  private tag = '';
  private opset = 0;

  constructor(private readonly model: ModelProto, private readonly options: OnnxOptions) {
    this.graph = model.graph!;
  }

  run(): OnnxImport {
    const { model, graph } = this;
    const opset = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
    if (opset === undefined) fail('the model declares no opset for the default ONNX domain (a corrupt or truncated file?)');
    this.opset = Number(opset.version);
    for (const t of graph.initializer) this.initializers.set(t.name, t);
    for (const s of graph.sparseInitializer) {
      const name = s.values?.name ?? '';
      fail(`sparse initializer "${name}" is not supported (store the weights as dense tensors)`);
    }

    const inputs = graph.input.filter((vi) => !this.initializers.has(vi.name));
    if (inputs.length !== 1) {
      const names = inputs.map((vi) => `"${vi.name}"`).join(', ');
      fail(inputs.length === 0 ? 'the graph has no input' : `the graph has ${inputs.length} inputs (${names}); only models with one input tensor are supported`);
    }
    if (graph.output.length !== 1) {
      fail(`the graph has ${graph.output.length} outputs (${graph.output.map((vi) => `"${vi.name}"`).join(', ')}); only models with one output are supported`);
    }
    const input = inputs[0]!;
    const inputShape = valueShape(input, 'the graph input', this.notes);
    const inputDim = product(inputShape);
    if (inputDim > MAX_TOTAL_WEIGHTS) fail(`the graph input has ${inputDim} values, over the limit of ${MAX_TOTAL_WEIGHTS}`, 'E_TOO_LARGE');
    if (this.options.fullInput === true) checkInputDimension(inputDim, `the graph input "${input.name}"`);
    this.builder = new NetworkBuilder(inputDim, () => this.liveValues());
    this.values.set(input.name, { value: this.builder.inputValue(), shape: inputShape });
    for (const node of graph.node) for (const name of node.output) if (name) this.producer.set(name, node);

    // Where the counted graph ends: --until, a softmax tail, or the graph output.
    const { end, outputName, omitted } = this.cut();
    const nodes = graph.node.slice(0, end);
    nodes.forEach((node, i) => node.input.forEach((name) => this.lastUse.set(name, i)));
    this.lastUse.set(outputName, Infinity);
    const used = new Set<string>(this.lastUse.keys());

    nodes.forEach((node, i) => {
      this.index = i;
      this.label = nodeLabel(node, i);
      this.tag = nodeTag(node, i);
      if (node.domain !== '' && node.domain !== 'ai.onnx') {
        fail(`${this.label}: op "${node.opType}" of domain "${node.domain}" is not supported; supported ops: ${ONNX_OPS.join(', ')}`);
      }
      if (node.opType === 'Constant') {
        this.constantNode(node);
        return;
      }
      for (let k = 1; k < node.output.length; k++) {
        const extra = node.output[k]!;
        if (extra !== '' && used.has(extra)) {
          fail(`${this.label}: its output ${k + 1} ("${extra}") is used; only the first output of an op is supported`);
        }
      }
      if (!node.output[0]) fail(`${this.label} has no output`);
      if (!node.output.some((name) => name !== '' && used.has(name))) return; // dead code (an unused ArgMax, ...)
      const computed = node.input.filter((name) => name !== '' && !this.isConstant(name));
      for (const name of computed) this.checkAvailable(name);
      if (computed.length === 0 || node.opType === 'Shape') {
        this.fold(node);
      } else {
        this.checkSupported(node, computed);
        const first = this.values.get(computed[0]!)!;
        this.inValue = first.value;
        this.shape = first.shape;
        this.out = undefined;
        this.op(node, computed);
        this.values.set(node.output[0], { value: this.out ?? this.inValue, shape: this.shape });
      }
      for (const name of node.input) if (this.lastUse.get(name) === i) this.values.delete(name);
    });

    const result = this.values.get(outputName);
    if (result === undefined) {
      fail(this.isConstant(outputName) ? `the output "${outputName}" is a constant: it does not depend on the input` : `the output "${outputName}" is not computed by the graph`);
    }
    this.shape = result.shape;
    if (end === graph.node.length) {
      const output = graph.output[0]!;
      const declared = output.type?.value.case === 'tensorType' ? output.type.value.value.shape?.dim : undefined;
      if (declared && declared.every((dim) => dim.value.case === 'dimValue')) {
        const dims = declared.map((dim) => Number(dim.value.value));
        if (product(dims) !== product(this.shape)) {
          fail(`the graph output "${output.name}" is declared with shape ${shapeText(dims)} but the ops compute shape ${shapeText(this.shape)}`);
        }
      }
    }
    const built = this.builder.finish(result.value, end === graph.node.length ? 'the graph output' : `the output "${outputName}"`);
    // the builder's rows are fresh arrays that nothing else holds: checked, not copied again
    const network = validateNetwork({ inputDim: built.inputDim, layers: built.layers }, { borrowWeights: true });
    const producer = [model.producerName, model.producerVersion].filter((s) => s !== '').join(' ');
    return {
      network,
      input: { name: input.name, shape: inputShape },
      output: { name: outputName, shape: this.shape },
      producer,
      opset: this.opset,
      layerNodes: built.layerNodes,
      rounding: this.rounding,
      omitted,
      notes: this.notes,
    };
  }

  /** The tensors needed after the current node (the builder carries them through a layer). */
  private liveValues(): Value[] {
    const out: Value[] = [];
    for (const [name, { value }] of this.values) if ((this.lastUse.get(name) ?? -1) > this.index) out.push(value);
    return out;
  }

  /** The end of the counted graph: --until, else a trailing Softmax/LogSoftmax/Sigmoid/ArgMax. */
  private cut(): { end: number; outputName: string; omitted: string[] } {
    const nodes = this.graph.node;
    const { until, strict } = this.options;
    if (until !== undefined) {
      const i = nodes.findIndex((n) => n.name === until || n.output[0] === until);
      if (i < 0) {
        const names = nodes.filter((n) => n.opType !== 'Constant').map((n) => `"${n.name || n.output[0]}"`);
        fail(`--until "${until}": no node or tensor of that name; the nodes are ${names.slice(0, 30).join(', ')}${names.length > 30 ? ', ...' : ''}`, 'E_ARGS');
      }
      const omitted = nodes.slice(i + 1).filter((n) => n.opType !== 'Constant').map((n, k) => nodeTag(n, i + 1 + k));
      return { end: i + 1, outputName: nodes[i]!.output[0]!, omitted };
    }
    const last = this.graph.output[0]!.name;
    const t = nodes.findIndex((n, i) => TAIL_OPS.has(n.opType) && nodes.slice(i).every((m) => TAIL_OPS.has(m.opType) || SHAPE_OPS.has(m.opType) || m.opType === 'Constant'));
    if (t < 0) return { end: nodes.length, outputName: last, omitted: [] };
    const tail = nodes.slice(t).filter((n) => n.opType !== 'Constant');
    const head = nodes[t]!;
    const names = tail.map((n) => `${n.opType} "${n.name || n.output[0]}"`).join(', ');
    const before = head.input[0]!;
    if (strict) {
      fail(`the graph ends in ${names}, which is not piecewise linear (--strict); without --strict the piecewise-linear part up to "${before}" is counted`);
    }
    return { end: t, outputName: before, omitted: tail.map((n, k) => nodeTag(n, t + k)) };
  }

  private checkAvailable(name: string): void {
    if (this.values.has(name)) return;
    const by = this.producer.get(name);
    fail(by ? `${this.label} reads "${name}", which node "${by.name}" (${by.opType}) computes later or could not be kept` : `${this.label} reads "${name}", which is neither the graph input, a constant, nor the output of an op`);
  }

  /** Refuses ops that are not supported, naming the PyTorch layer when it is recognisable. */
  private checkSupported(node: NodeProto, computed: string[]): void {
    const layer = nonLinearLayer(this.graph, node);
    const multiplies = node.opType === 'Div' || node.opType === 'Mul';
    if (layer !== undefined && (!ONNX_OPS.includes(node.opType) || multiplies && (layer.startsWith('GELU') || computed.length > 1))) {
      const before = this.producer.get(computed[0]!);
      fail(`${this.label}: ${nonLinearAdvice(layer!, before ? before.name || before.output[0] : undefined)}`);
    }
    if (!ONNX_OPS.includes(node.opType)) {
      fail(`${this.label}: op "${node.opType}" is not supported; supported ops: ${ONNX_OPS.join(', ')}`);
    }
    if (computed.length > 1 && !MULTI_INPUT_OPS.has(node.opType)) {
      const names = computed.map((n) => `"${n}"`).join(' and ');
      const why = node.opType === 'Mul' || node.opType === 'Div' || node.opType === 'MatMul' || node.opType === 'Gemm'
        ? 'a product of two computed tensors is not piecewise linear'
        : 'only its first input may be computed; the others must be constants';
      fail(`${this.label} reads two computed tensors (${names}): ${why}`);
    }
  }

  /** A node on constants only (or Shape of a computed tensor): its output is a constant. */
  private fold(node: NodeProto): void {
    if (node.opType === 'Identity' && node.output[0] && this.isConstant(node.input[0] ?? '')) {
      this.constants.set(node.output[0], this.constant(node.input[0], 'input'));
      return;
    }
    if (!FOLDABLE_OPS.includes(node.opType)) {
      fail(`${this.label} computes on constants only with op "${node.opType}", which the importer cannot fold (export with do_constant_folding=True)`);
    }
    const label = this.label;
    const ctx: FoldContext = {
      label,
      opset: this.opset,
      ints: (name) => attrInts(node, name, label),
      int: (name, fallback) => attrInt(node, name, fallback, label),
      rounded: (what) => this.rounding.push(`${label}: ${what}`),
    };
    let t: Tensor;
    if (node.opType === 'Shape') {
      const x = node.input[0] ?? '';
      const shape = this.values.get(x)?.shape ?? this.constant(x, 'input').dims;
      t = shapeOf(shape, ctx);
    } else {
      t = foldConstant(node.opType, node.input.map((name) => (name ? this.constant(name, 'input') : undefined)), ctx);
    }
    this.constants.set(node.output[0]!, t);
  }

  private isConstant(name: string): boolean {
    return this.initializers.has(name) || this.constants.has(name);
  }

  /** A constant input of the current node (an initializer or a Constant's output). */
  private constant(name: string | undefined, role: string): Tensor {
    if (name === undefined || name === '') fail(`${this.label}: the ${role} input is missing`);
    let t = this.constants.get(name);
    if (t === undefined) {
      const proto = this.initializers.get(name);
      if (proto === undefined) fail(`${this.label}: the ${role} input "${name}" must be a constant (an initializer)`);
      t = readTensor(proto, `initializer "${name}"`);
      this.constants.set(name, t);
    }
    return t;
  }

  /** A constant of floating-point weights, checked finite. */
  private weights(name: string | undefined, role: string): Tensor {
    const t = this.constant(name, role);
    let bad = -1;
    for (let i = 0; i < t.data.length && bad < 0; i++) if (!Number.isFinite(t.data[i]!)) bad = i;
    if (bad >= 0) {
      throw new LinearRegionsError('E_NONFINITE', `${this.label}: the ${role} "${name}" has a non-finite value ${t.data[bad]} at index ${bad}`);
    }
    return t;
  }

  private constantNode(node: NodeProto): void {
    const a = node.attribute[0];
    const out = node.output[0];
    if (!a || !out || node.attribute.length !== 1) fail(`${this.label}: a Constant needs exactly one value attribute`);
    let t: Tensor;
    switch (a.name) {
      case 'value':
        if (!a.t) fail(`${this.label}: the "value" attribute has no tensor`);
        t = readTensor(a.t, `${this.label}: the value`);
        break;
      case 'value_float': t = { dims: [], data: Float64Array.of(a.f) }; break;
      case 'value_floats': t = { dims: [a.floats.length], data: Float64Array.from(a.floats) }; break;
      case 'value_int': t = { dims: [], data: Float64Array.of(int64(a.i, this.label)) }; break;
      case 'value_ints': t = { dims: [a.ints.length], data: Float64Array.from(a.ints, (v) => int64(v, this.label)) }; break;
      default: fail(`${this.label}: a Constant with attribute "${a.name}" is not supported`);
    }
    this.constants.set(out, t);
  }

  private op(node: NodeProto, computed: string[]): void {
    switch (node.opType) {
      case 'Gemm': return this.gemm(node);
      case 'MatMul': return this.matmul(node);
      case 'Add':
      case 'Sub': return computed.length > 1 ? this.addComputed(node) : this.addSub(node);
      case 'Mul':
      case 'Div': return this.mulDiv(node);
      case 'Neg': return this.scale(-1);
      case 'Concat': return this.concat(node);
      case 'Conv': return this.conv(node);
      case 'AveragePool':
      case 'GlobalAveragePool': return this.averagePool(node);
      case 'MaxPool':
      case 'GlobalMaxPool': return this.maxPool(node);
      case 'ReduceMax': return this.reduceMax(node);
      case 'BatchNormalization': return this.batchNorm(node);
      case 'Relu': return this.activate({ kind: 'relu' });
      case 'Abs': return this.activate({ kind: 'abs' });
      case 'LeakyRelu': return this.activate({ kind: 'leaky_relu', alpha: attrFloat(node, 'alpha', Math.fround(0.01), this.label) });
      case 'PRelu': return this.prelu(node);
      case 'Clip': return this.clip(node);
      case 'HardSigmoid': return this.hardSigmoid(node);
      case 'Pad': return this.pad(node);
      case 'Flatten': return this.flatten(node);
      case 'Reshape': return this.reshape(node);
      case 'Squeeze':
      case 'Unsqueeze': return this.squeeze(node);
      case 'Dropout': return this.dropout(node);
      case 'Identity': return this.alias();
      case 'Slice':
      case 'Gather':
      case 'Transpose': return this.select(node);
    }
  }

  /**
   * Slice, Gather and Transpose of a computed tensor select values: the op is run on the tensor
   * of flat indices 0 .. n-1 (as a constant fold), and its result says which value goes where.
   */
  private select(node: NodeProto): void {
    const iota: Tensor = { dims: this.shape, data: Float64Array.from({ length: product(this.shape) }, (_, i) => i), integer: true };
    const label = this.label;
    const ctx: FoldContext = {
      label,
      opset: this.opset,
      ints: (name) => attrInts(node, name, label),
      int: (name, fallback) => attrInt(node, name, fallback, label),
      rounded: () => {},
    };
    const rest = node.input.slice(1).map((name) => (name ? this.constant(name, 'input') : undefined));
    const picked = foldConstant(node.opType, [iota, ...rest], ctx);
    const op = new AffineBuilder(iota.data.length);
    for (const i of picked.data) {
      op.entry(i, 1);
      op.endRow(0);
    }
    this.shape = picked.dims;
    this.apply(op.build(), this.inValue.nonneg);
  }

  /** The op's output is the affine map `op` of its computed input. */
  private apply(op: AffineMap, nonneg = false): void {
    this.out = this.builder.affine(op, [this.inValue], this.tag, nonneg);
  }

  /** The op's output is its input, reshaped (this.shape already set). */
  private alias(): void {
    this.builder.note(this.tag);
  }

  /** The op's output is an activation of its input: a layer ends here. */
  private activate(activation: LayerActivation, windows?: number[][]): void {
    this.out = this.builder.activation(this.inValue, activation, this.tag, windows);
  }

  private scale(factor: number | ((i: number) => number)): void {
    const n = product(this.shape);
    const out = new AffineBuilder(n);
    for (let i = 0; i < n; i++) {
      out.entry(i, typeof factor === 'number' ? factor : factor(i));
      out.endRow(0);
    }
    this.apply(out.build());
  }

  /** Mul or Div by a constant that broadcasts to the tensor (x / c is x * (1 / c), rounded unless c is a power of two). */
  private mulDiv(node: NodeProto): void {
    const first = !this.isConstant(node.input[0]!);
    if (node.opType === 'Div' && !first) fail(`${this.label}: a constant divided by a computed tensor (c / x) is not piecewise linear`);
    const C = this.weights(first ? node.input[1] : node.input[0], 'constant');
    const index = this.broadcast(C, this.shape, 'constant');
    let rounded = false;
    const factor = (i: number): number => {
      const c = C.data[index(i)]!;
      if (node.opType === 'Mul') return c;
      if (c === 0) fail(`${this.label}: division by zero (the constant is 0 at index ${index(i)})`);
      const r = 1 / c;
      if (!(productIsExact(r, c) && r * c === 1)) rounded = true;
      return r;
    };
    this.scale(factor);
    if (rounded) this.rounding.push(`${this.label}: division by a constant that is not a power of two (1 / c rounded to float64)`);
  }

  /** Add or Sub of two computed tensors (a residual connection), with numpy broadcasting. */
  private addComputed(node: NodeProto): void {
    const [a, b] = [node.input[0]!, node.input[1]!].map((name) => this.values.get(name)!);
    const shape = broadcastShapes(a!.shape, b!.shape, this.label);
    const ia = broadcastIndex(a!.shape, shape);
    const ib = broadcastIndex(b!.shape, shape);
    const n = product(shape);
    const na = product(a!.shape);
    const sign = node.opType === 'Sub' ? -1 : 1;
    this.builder.checkRows(n, na + product(b!.shape), this.label);
    const op = new AffineBuilder(na + product(b!.shape));
    for (let i = 0; i < n; i++) {
      op.entry(ia(i), 1);
      op.entry(na + ib(i), sign);
      op.endRow(0);
    }
    this.out = this.builder.affine(op.build(), [a!.value, b!.value], this.tag);
    this.shape = shape;
  }

  /** Concat of computed tensors and constants along an axis. */
  private concat(node: NodeProto): void {
    const parts = node.input.filter((name) => name !== '').map((name) => {
      const v = this.values.get(name);
      if (v) return { value: v.value as Value | undefined, shape: v.shape, constant: undefined as Tensor | undefined };
      const c = this.weights(name, 'input');
      return { value: undefined, shape: c.dims, constant: c };
    });
    const r = parts[0]!.shape.length;
    let axis = attrInt(node, 'axis', 0, this.label);
    if (axis < 0) axis += r;
    if (axis < 0 || axis >= r) fail(`${this.label}: axis ${axis} is out of range for rank ${r}`);
    const { dims, part, index } = concatLayout(parts.map((p) => p.shape), axis, this.label);
    const computed = parts.filter((p) => p.value !== undefined);
    const offsets = new Map<number, number>();
    let cols = 0;
    parts.forEach((p, k) => {
      if (p.value) {
        offsets.set(k, cols);
        cols += product(p.shape);
      }
    });
    this.builder.checkRows(part.length, cols, this.label);
    const op = new AffineBuilder(cols);
    for (let o = 0; o < part.length; o++) {
      const p = parts[part[o]!]!;
      if (p.constant) op.endRow(p.constant.data[index[o]!]!);
      else {
        op.entry(offsets.get(part[o]!)! + index[o]!, 1);
        op.endRow(0);
      }
    }
    const nonneg = parts.every((p) => p.value?.nonneg === true);
    this.out = this.builder.affine(op.build(), computed.map((p) => p.value!), this.tag, nonneg);
    this.shape = dims;
  }

  /** ReduceMax over the last axis (maxout written as x.view(..., k).max(-1)): a maxout unit per group. */
  private reduceMax(node: NodeProto): void {
    const X = this.shape;
    const r = X.length;
    let axes = attrInts(node, 'axes', this.label) ?? (node.input[1] ? Array.from(this.constant(node.input[1], 'axes').data) : undefined);
    if (axes === undefined || axes.length === 0) {
      if (attrInt(node, 'noop_with_empty_axes', 0, this.label) === 1) return this.alias();
      axes = [...X.keys()];
    }
    axes = axes.map((a) => (a < 0 ? a + r : a));
    const reduced = new Set(axes);
    // the reduced axes must be trailing (the group is then a contiguous block of values)
    const firstReduced = Math.min(...axes);
    if ([...X.keys()].some((a) => a >= firstReduced && !reduced.has(a) && X[a] !== 1)) {
      fail(`${this.label}: ReduceMax over axes ${axes.join(',')} of shape ${shapeText(X)} is supported only over trailing axes (maxout: x.view(..., k).max(-1))`);
    }
    const k = product(X.filter((_, a) => reduced.has(a)));
    const keep = attrInt(node, 'keepdims', 1, this.label) === 1;
    this.shape = keep ? X.map((d, a) => (reduced.has(a) ? 1 : d)) : X.filter((_, a) => !reduced.has(a));
    if (k === 1) return this.alias();
    const units = product(X) / k;
    const windows = Array.from({ length: units }, (_, u) => Array.from({ length: k }, (_, j) => u * k + j));
    this.activate({ kind: 'maxout', pieces: k }, windows);
  }

  /** PRelu: one slope, or a slope per channel (broadcast to the tensor). */
  private prelu(node: NodeProto): void {
    const slope = this.weights(node.input[1], 'slope');
    const index = this.broadcast(slope, this.shape, 'slope');
    const n = product(this.shape);
    const slopes = Float64Array.from({ length: n }, (_, i) => slope.data[index(i)]!);
    this.activate({ kind: 'prelu', slopes });
  }

  /** Clip (Hardtanh, ReLU6, torch.clamp) with constant bounds: NetworkBuilder.clip. */
  private clip(node: NodeProto): void {
    let lo = -Infinity;
    let hi = Infinity;
    if (this.opset < 11) {
      lo = attrFloat(node, 'min', -Infinity, this.label);
      hi = attrFloat(node, 'max', Infinity, this.label);
    } else {
      const bound = (k: number, role: string): number | undefined => {
        const name = node.input[k];
        if (!name) return undefined;
        if (!this.isConstant(name)) fail(`${this.label}: Clip (from nn.Hardtanh, nn.ReLU6 or torch.clamp) needs a constant ${role}; it reads the computed tensor "${name}"`);
        const t = this.weights(name, role);
        if (t.data.length !== 1) fail(`${this.label}: the Clip ${role} must be a scalar, got shape ${shapeText(t.dims)}`);
        return t.data[0]!;
      };
      lo = bound(1, 'min') ?? -Infinity;
      hi = bound(2, 'max') ?? Infinity;
    }
    this.clipTo(lo, hi);
  }

  private clipTo(lo: number, hi: number): void {
    this.out = this.builder.clip(this.inValue, lo, hi, this.tag);
  }

  /** HardSigmoid: max(0, min(1, alpha x + beta)) = Clip(alpha x + beta, 0, 1). */
  private hardSigmoid(node: NodeProto): void {
    const alpha = attrFloat(node, 'alpha', Math.fround(0.2), this.label);
    const beta = attrFloat(node, 'beta', Math.fround(0.5), this.label);
    const n = product(this.shape);
    const out = new AffineBuilder(n);
    for (let i = 0; i < n; i++) {
      out.entry(i, alpha);
      out.endRow(beta);
    }
    this.apply(out.build());
    this.inValue = this.out!;
    this.clipTo(0, 1);
  }

  private requireFirst(node: NodeProto): void {
    if (this.isConstant(node.input[0] ?? '')) fail(`${this.label}: the computed tensor must be its first input`);
  }

  /**
   * Checks an op's size before building it: its non-zeros (as a sparse map) and the dense layer
   * its `rows` outputs will be part of (see NetworkBuilder.checkRows), so that a model over the
   * limit is refused before anything large is allocated.
   */
  private checkSize(entries: number, rows: number): void {
    if (entries > MAX_TOTAL_WEIGHTS) {
      fail(`${this.label}: lowering needs ${entries} weights, over the limit of ${MAX_TOTAL_WEIGHTS}`, 'E_TOO_LARGE');
    }
    this.builder.checkRows(rows, product(this.shape), this.label);
  }

  /** Index map of a constant broadcast (numpy rules, one direction) to `shape`. */
  private broadcast(c: Tensor, shape: number[], role: string): (i: number) => number {
    const r = shape.length;
    if (c.dims.length > r || c.dims.some((d, k) => d !== 1 && d !== shape[r - c.dims.length + k])) {
      fail(`${this.label}: the ${role} of shape ${shapeText(c.dims)} does not broadcast to the tensor's shape ${shapeText(shape)}`);
    }
    return broadcastIndex(c.dims, shape);
  }

  private scaled(factor: number, v: number, what: string): number {
    if (factor === 1) return v;
    if (!productIsExact(factor, v) && this.rounding.at(-1) !== `${this.label}: ${what}`) this.rounding.push(`${this.label}: ${what}`);
    return factor * v;
  }

  private gemm(node: NodeProto): void {
    this.requireFirst(node);
    const label = this.label;
    const transA = attrInt(node, 'transA', 0, label) === 1;
    const transB = attrInt(node, 'transB', 0, label) === 1;
    const alpha = attrFloat(node, 'alpha', 1, label);
    const beta = attrFloat(node, 'beta', 1, label);
    if (this.shape.length !== 2) fail(`${label}: Gemm needs a 2-D input, got shape ${shapeText(this.shape)}`);
    const [rowsA, colsA] = this.shape as [number, number];
    const [M, K] = transA ? [colsA, rowsA] : [rowsA, colsA];
    const B = this.weights(node.input[1], 'weight B');
    if (B.dims.length !== 2) fail(`${label}: the weight B must be 2-D, got shape ${shapeText(B.dims)}`);
    const [Kb, N] = (transB ? [B.dims[1], B.dims[0]] : B.dims) as [number, number];
    if (Kb !== K) fail(`${label}: the weight B of shape ${shapeText(B.dims)}${transB ? ' (transposed)' : ''} does not fit the input of shape ${shapeText(this.shape)}`);
    const C = node.input[2] ? this.weights(node.input[2], 'bias C') : undefined;
    const cIndex = C ? this.broadcast(C, [M, N], 'bias C') : undefined;
    this.checkSize(M * N * K, M * N);
    const out = new AffineBuilder(M * K, M * N * K, M * N);
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        for (let k = 0; k < K; k++) {
          const w = transB ? B.data[n * K + k]! : B.data[k * N + n]!;
          out.entry(transA ? k * M + m : m * K + k, alpha === 1 ? w : this.scaled(alpha, w, `alpha = ${alpha} scales the weights (rounded)`));
        }
        out.endRow(C ? this.scaled(beta, C.data[cIndex!(m * N + n)]!, `beta = ${beta} scales the bias (rounded)`) : 0);
      }
    }
    this.apply(out.build());
    this.shape = [M, N];
  }

  private matmul(node: NodeProto): void {
    const label = this.label;
    const left = !this.isConstant(node.input[0]!);
    const W = this.weights(left ? node.input[1] : node.input[0], 'weight');
    if (W.dims.length !== 2) fail(`${label}: only a 2-D constant weight is supported, got shape ${shapeText(W.dims)}`);
    const X = this.shape;
    const [Wr, Wc] = W.dims as [number, number];
    if (left) {
      // Y[..., m, n] = sum_k X[..., m, k] W[k, n]; a 1-D X is a single row.
      const K = X[X.length - 1]!;
      if (K !== Wr) fail(`${label}: the input of shape ${shapeText(X)} does not fit the weight of shape ${shapeText(W.dims)}`);
      const rows = product(X) / K;
      this.checkSize(rows * Wc * K, rows * Wc);
      const out = new AffineBuilder(product(X), rows * Wc * K, rows * Wc);
      for (let m = 0; m < rows; m++) {
        for (let n = 0; n < Wc; n++) {
          for (let k = 0; k < K; k++) out.entry(m * K + k, W.data[k * Wc + n]!);
          out.endRow(0);
        }
      }
      this.apply(out.build());
      this.shape = X.length === 1 ? [Wc] : [...X.slice(0, -1), Wc];
    } else {
      // Y[..., m, n] = sum_k W[m, k] X[..., k, n]; a 1-D X is a single column.
      const cols = X.length === 1 ? 1 : X[X.length - 1]!;
      const K = X.length === 1 ? X[0]! : X[X.length - 2]!;
      if (K !== Wc) fail(`${label}: the weight of shape ${shapeText(W.dims)} does not fit the input of shape ${shapeText(X)}`);
      const batch = product(X) / (K * cols);
      this.checkSize(batch * Wr * cols * K, batch * Wr * cols);
      const out = new AffineBuilder(product(X), batch * Wr * cols * K, batch * Wr * cols);
      for (let b = 0; b < batch; b++) {
        for (let m = 0; m < Wr; m++) {
          for (let n = 0; n < cols; n++) {
            for (let k = 0; k < K; k++) out.entry((b * K + k) * cols + n, W.data[m * Wc + k]!);
            out.endRow(0);
          }
        }
      }
      this.apply(out.build());
      this.shape = X.length === 1 ? [Wr] : [...X.slice(0, -2), Wr, cols];
    }
  }

  private addSub(node: NodeProto): void {
    const first = !this.isConstant(node.input[0]!);
    const C = this.weights(first ? node.input[1] : node.input[0], 'constant');
    const index = this.broadcast(C, this.shape, 'constant');
    const n = product(this.shape);
    // Add: x + C.  Sub: x - C, or C - x when the constant comes first. Negation is exact.
    const sign = node.opType === 'Sub' && !first ? -1 : 1;
    const biasSign = node.opType === 'Sub' && first ? -1 : 1;
    const out = new AffineBuilder(n);
    for (let i = 0; i < n; i++) {
      out.entry(i, sign);
      out.endRow(biasSign * C.data[index(i)]!);
    }
    this.apply(out.build());
  }

  private conv(node: NodeProto): void {
    this.requireFirst(node);
    const label = this.label;
    const X = this.shape;
    if (X.length < 3) fail(`${label}: Conv needs an input of shape N x C x D1 x ..., got ${shapeText(X)}`);
    const W = this.weights(node.input[1], 'weight');
    const [N, C] = X as [number, number];
    const spatial = X.slice(2);
    if (W.dims.length !== X.length) fail(`${label}: the weight of shape ${shapeText(W.dims)} does not fit the input of shape ${shapeText(X)}`);
    const [M, Cg] = W.dims as [number, number];
    const group = attrInt(node, 'group', 1, label);
    if (group < 1 || C % group !== 0 || M % group !== 0 || C / group !== Cg) {
      fail(`${label}: group ${group} does not fit ${C} input channels and a weight of shape ${shapeText(W.dims)}`);
    }
    const kernel = attrInts(node, 'kernel_shape', label) ?? W.dims.slice(2);
    if (kernel.some((k, i) => k !== W.dims[i + 2])) fail(`${label}: kernel_shape ${shapeText(kernel)} does not match the weight of shape ${shapeText(W.dims)}`);
    const B = node.input[2] ? this.weights(node.input[2], 'bias') : undefined;
    if (B && (B.data.length !== M)) fail(`${label}: the bias has ${B.data.length} values but there are ${M} output channels`);
    const win = windows(geometry(node, label, spatial.length), label, spatial, kernel);
    const inSize = product(spatial);
    const outSize = product(win.out);
    this.checkSize(N * M * outSize * Cg * win.kernelSize, N * M * outSize);
    const out = new AffineBuilder(product(X), N * M * outSize * Cg * win.kernelSize, N * M * outSize);
    const perGroup = M / group;
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const g = Math.floor(m / perGroup);
        for (let o = 0; o < outSize; o++) {
          const { input, offset } = win.members[o]!;
          for (let c = 0; c < Cg; c++) {
            const base = (n * C + g * Cg + c) * inSize;
            const wBase = (m * Cg + c) * win.kernelSize;
            for (let j = 0; j < input.length; j++) out.entry(base + input[j]!, W.data[wBase + offset[j]!]!);
          }
          out.endRow(B ? B.data[m]! : 0);
        }
      }
    }
    this.apply(out.build());
    this.shape = [N, M, ...win.out];
  }

  /** Windows of a pool over the current N x C x D1 x ... tensor. */
  private poolWindows(node: NodeProto): { win: Windows; N: number; C: number; inSize: number } {
    const X = this.shape;
    if (X.length < 3) fail(`${this.label}: ${node.opType} needs an input of shape N x C x D1 x ..., got ${shapeText(X)}`);
    const spatial = X.slice(2);
    const global = node.opType.startsWith('Global');
    let kernel = spatial;
    if (!global) {
      const k = attrInts(node, 'kernel_shape', this.label);
      if (k === undefined) fail(`${this.label}: the attribute kernel_shape is missing`);
      kernel = k;
    }
    const win = windows(geometry(global ? null : node, this.label, spatial.length), this.label, spatial, kernel);
    return { win, N: X[0]!, C: X[1]!, inSize: product(spatial) };
  }

  private averagePool(node: NodeProto): void {
    const { win, N, C, inSize } = this.poolWindows(node);
    const includePad = attrInt(node, 'count_include_pad', 0, this.label) === 1;
    const outSize = product(win.out);
    this.checkSize(N * C * outSize * win.kernelSize, N * C * outSize);
    const out = new AffineBuilder(product(this.shape));
    const rounded = new Set<number>();
    for (let nc = 0; nc < N * C; nc++) {
      for (let o = 0; o < outSize; o++) {
        const { input } = win.members[o]!;
        const count = includePad ? win.kernelSize : input.length;
        if ((count & (count - 1)) !== 0) rounded.add(count); // 1/count is exact only for powers of two
        for (const i of input) out.entry(nc * inSize + i, 1 / count);
        out.endRow(0);
      }
    }
    if (rounded.size > 0) {
      const list = [...rounded].sort((a, b) => a - b).map((c) => `1/${c}`).join(', ');
      this.rounding.push(`${this.label}: the averaging weight${rounded.size > 1 ? 's' : ''} ${list} rounded to float64`);
    }
    this.apply(out.build());
    this.shape = [N, C, ...win.out];
  }

  private maxPool(node: NodeProto): void {
    const { win, N, C, inSize } = this.poolWindows(node);
    const outSize = product(win.out);
    const pieces = Math.max(...win.members.map((m) => m.input.length));
    this.checkSize(N * C * outSize * pieces, N * C * outSize * pieces);
    const groups: number[][] = [];
    for (let nc = 0; nc < N * C; nc++) {
      for (let o = 0; o < outSize; o++) {
        const members = win.members[o]!.input.map((i) => nc * inSize + i);
        // A window clipped by the padding repeats its last member: the max is unchanged and the
        // copy never wins (ties go to the lowest piece).
        while (members.length < pieces) members.push(members[members.length - 1]!);
        groups.push(members);
      }
    }
    this.shape = [N, C, ...win.out];
    if (pieces === 1) {
      // 1x1 windows select values: an exact affine op, not a maxout.
      const out = new AffineBuilder(N * C * inSize);
      for (const [i] of groups) {
        out.entry(i!, 1);
        out.endRow(0);
      }
      this.apply(out.build());
      return;
    }
    this.activate({ kind: 'maxout', pieces }, groups);
  }

  private batchNorm(node: NodeProto): void {
    this.requireFirst(node);
    const label = this.label;
    if (attrInt(node, 'training_mode', 0, label) === 1) fail(`${label}: training_mode=1 is not supported (export the model in eval mode)`);
    if (attrInt(node, 'spatial', 1, label) !== 1) fail(`${label}: spatial=0 is not supported`);
    const X = this.shape;
    if (X.length < 2) fail(`${label}: BatchNormalization needs an input of shape N x C x ..., got ${shapeText(X)}`);
    const C = X[1]!;
    const [gamma, beta, mean, variance] = (['scale', 'bias', 'mean', 'var'] as const).map((role, k) => {
      const t = this.weights(node.input[k + 1], role);
      if (t.data.length !== C) fail(`${label}: the ${role} has ${t.data.length} values but the input has ${C} channels`);
      return t.data;
    }) as [Float64Array, Float64Array, Float64Array, Float64Array];
    const eps = attrFloat(node, 'epsilon', Math.fround(1e-5), label);
    // s = gamma / sqrt(var + eps); then w' = s * w and b' = s * (b - mean) + beta (onnx-affine.ts).
    const s = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      const v = variance[c]! + eps;
      if (!(v > 0)) fail(`${label}: var + epsilon must be positive, got ${v} for channel ${c}`);
      s[c] = gamma[c]! / Math.sqrt(v);
    }
    const spatialSize = product(X.slice(2));
    this.out = this.builder.scaleChannels(this.inValue, (r) => Math.floor(r / spatialSize) % C, s, mean, beta, this.tag);
    this.rounding.push(`${label}: folded into the preceding affine map (gamma / sqrt(var + eps) rounds)`);
  }

  /** Pad (constant, reflect or edge): every output value is an input value or the constant. */
  private pad(node: NodeProto): void {
    this.requireFirst(node);
    const label = this.label;
    const mode = attrString(node, 'mode', 'constant');
    if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') fail(`${label}: mode "${mode}" is not supported`);
    const X = this.shape;
    const r = X.length;
    let pads: number[];
    let value = 0;
    if (this.opset < 11) {
      pads = attrInts(node, 'pads', label) ?? fail(`${label}: the attribute pads is missing`);
      value = attrFloat(node, 'value', 0, label);
    } else {
      const given = Array.from(this.constant(node.input[1], 'pads').data);
      if (node.input[2]) value = this.weights(node.input[2], 'constant_value').data[0] ?? 0;
      const axes = node.input[3] ? Array.from(this.constant(node.input[3], 'axes').data, (a) => (a < 0 ? a + r : a)) : [...X.keys()];
      if (given.length !== 2 * axes.length) fail(`${label}: ${given.length} pads for ${axes.length} axes`);
      pads = new Array<number>(2 * r).fill(0);
      axes.forEach((a, k) => {
        pads[a] = given[k]!;
        pads[a + r] = given[k + axes.length]!;
      });
    }
    if (pads.length !== 2 * r) fail(`${label}: ${pads.length} pads for an input of rank ${r}`);
    const out = X.map((d, i) => d + pads[i]! + pads[i + r]!);
    if (out.some((d) => d < 1)) fail(`${label}: the pads leave an empty tensor (shape ${shapeText(out)})`);
    if (mode === 'reflect' && X.some((d, i) => pads[i]! >= d || pads[i + r]! >= d)) {
      fail(`${label}: reflect pads must be smaller than the input (shape ${shapeText(X)})`);
    }
    const total = product(out);
    this.checkSize(total, total);
    const map = new AffineBuilder(product(X));
    const idx = new Array<number>(r).fill(0);
    for (let o = 0; o < total; o++) {
      for (let i = r - 1, q = o; i >= 0; i--) {
        idx[i] = q % out[i]!;
        q = Math.floor(q / out[i]!);
      }
      let src = 0;
      for (let i = 0; i < r && src >= 0; i++) {
        const n = X[i]!;
        let x = idx[i]! - pads[i]!;
        if (x < 0 || x >= n) {
          if (mode === 'constant') src = -1;
          else if (mode === 'edge') x = x < 0 ? 0 : n - 1;
          else x = x < 0 ? -x : 2 * (n - 1) - x;
        }
        if (src >= 0) src = src * n + x;
      }
      if (src >= 0) map.entry(src, 1);
      map.endRow(src >= 0 ? 0 : value);
    }
    this.apply(map.build());
    this.shape = out;
  }

  private flatten(node: NodeProto): void {
    const r = this.shape.length;
    let axis = attrInt(node, 'axis', 1, this.label);
    if (axis < 0) axis += r;
    if (axis < 0 || axis > r) fail(`${this.label}: axis ${axis} is out of range for a tensor of rank ${r}`);
    this.shape = [product(this.shape.slice(0, axis)), product(this.shape.slice(axis))];
    this.alias();
  }

  private reshape(node: NodeProto): void {
    this.requireFirst(node);
    const target = Array.from(this.constant(node.input[1], 'shape').data);
    this.shape = reshapeDims(this.shape, target, attrInt(node, 'allowzero', 0, this.label) === 1, this.label);
    this.alias();
  }

  private squeeze(node: NodeProto): void {
    this.requireFirst(node);
    const attr = attrInts(node, 'axes', this.label);
    const axes = attr ?? (node.input[1] ? Array.from(this.constant(node.input[1], 'axes').data) : undefined);
    this.shape = squeezeShape(node.opType, this.shape, axes, this.label);
    this.alias();
  }

  private dropout(node: NodeProto): void {
    this.requireFirst(node);
    if (node.input[2]) {
      const training = this.constant(node.input[2], 'training_mode');
      if (training.data[0]) fail(`${this.label}: training_mode is true; export the model in eval mode`);
    }
    if (this.opset < 7 && attrInt(node, 'is_test', 0, this.label) === 0) {
      fail(`${this.label}: is_test=0 (a training-mode Dropout); export the model in eval mode`);
    }
    this.alias();
  }
}
