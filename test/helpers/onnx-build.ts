/** Small ONNX models built with the protobuf schema, for the ONNX tests. */
import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AttrType,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  TensorProto_DataType as DataType,
  TensorProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  TensorShapeProtoSchema,
  ValueInfoProtoSchema,
} from '../../src/onnx/proto/onnx_pb.js';
import type { AttributeProto, NodeProto, TensorProto } from '../../src/onnx/proto/onnx_pb.js';

export type AttrValue = { i: number } | { f: number } | { ints: number[] } | { s: string };

export function attr(name: string, v: AttrValue): AttributeProto {
  if ('i' in v) return create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(v.i) });
  if ('f' in v) return create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: v.f });
  if ('ints' in v) return create(AttributeProtoSchema, { name, type: AttrType.INTS, ints: v.ints.map(BigInt) });
  return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: new TextEncoder().encode(v.s) });
}

export function node(opType: string, input: string[], output: string[], attrs: Record<string, AttrValue> = {}, extra: { domain?: string } = {}): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    input,
    output,
    name: `/${opType}_${output[0]}`,
    attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)),
    ...extra,
  });
}

/** A DOUBLE initializer (exact values), or INT64 for shapes. */
export function tensor(name: string, dims: number[], values: number[], type: DataType = DataType.DOUBLE): TensorProto {
  const t = create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: type });
  if (type === DataType.DOUBLE) t.doubleData = values;
  else if (type === DataType.FLOAT) t.floatData = values;
  else if (type === DataType.INT64) t.int64Data = values.map(BigInt);
  return t;
}

/** A float tensor value; without `shape`, of unknown shape (as graph outputs often are). */
export function valueInfo(name: string, shape?: (number | string)[]) {
  const dims = shape?.map((d) => ({ value: typeof d === 'number' ? { case: 'dimValue' as const, value: BigInt(d) } : { case: 'dimParam' as const, value: d } }));
  const tensorType = create(TypeProto_TensorSchema, { elemType: DataType.FLOAT });
  if (dims !== undefined) tensorType.shape = create(TensorShapeProtoSchema, { dim: dims });
  return create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }) });
}

export interface Spec {
  input: (number | string)[];
  nodes: NodeProto[];
  inits?: TensorProto[];
  inputs?: string[];
  outputs?: string[];
  opset?: number | null;
  until?: string;
}

/** An ONNX model: input "x" of the given shape, output the last node's first output. */
export function model(spec: Spec): Uint8Array {
  const last = spec.nodes.at(-1)?.output[0] ?? 'x';
  const graph = create(GraphProtoSchema, {
    name: 'test',
    node: spec.nodes,
    initializer: spec.inits ?? [],
    input: (spec.inputs ?? ['x']).map((n) => valueInfo(n, spec.input)),
    output: (spec.outputs ?? [last]).map((n) => valueInfo(n)),
  });
  const opset = spec.opset === undefined ? 13 : spec.opset;
  return toBinary(
    ModelProtoSchema,
    create(ModelProtoSchema, {
      irVersion: 7n,
      producerName: 'test',
      graph,
      opsetImport: opset === null ? [] : [{ domain: '', version: BigInt(opset) }],
    }),
  );
}

