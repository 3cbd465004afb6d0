/**
 * Constant subgraphs folded at import: what `torch.onnx.export(..., do_constant_folding=False)`
 * leaves in a graph, such as `x.view(x.size(0), -1)` written as Shape, Gather, Unsqueeze, Concat
 * and Reshape on constants. Each op here computes its output from constant inputs exactly as
 * ONNX defines it; float arithmetic that rounds is reported through `rounded`.
 */
import { LinearRegionsError } from '../errors.js';
import { productIsExact, sumIsExact } from './affine.js';

/** A constant tensor: its shape and values (floats exactly as float64, integers as numbers). */
export interface Tensor {
  dims: number[];
  data: Float64Array;
  /** An integer tensor (shapes, indices): Div truncates. */
  integer?: boolean;
}

/** The ops {@link foldConstant} evaluates. */
export const FOLDABLE_OPS: readonly string[] = [
  'Identity', 'Cast', 'Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Reshape', 'Flatten',
  'Add', 'Sub', 'Mul', 'Div', 'Neg', 'Slice', 'ConstantOfShape', 'Transpose', 'Range',
];

function fail(message: string): never {
  throw new LinearRegionsError('E_ONNX', message);
}

export function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** numpy broadcasting of two shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[], label: string): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) fail(`${label}: shapes ${a.join('x') || 'scalar'} and ${b.join('x') || 'scalar'} do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** For each flat index of `shape` (C order), the flat index of a tensor of shape `dims` broadcast to it. */
export function broadcastIndex(dims: readonly number[], shape: readonly number[]): (i: number) => number {
  const r = shape.length;
  const full = [...new Array<number>(r - dims.length).fill(1), ...dims];
  const strides = new Array<number>(r);
  for (let k = r - 1, s = 1; k >= 0; k--) {
    strides[k] = full[k] === 1 ? 0 : s;
    s *= full[k]!;
  }
  return (i: number) => {
    let j = 0;
    for (let k = r - 1; k >= 0; k--) {
      j += (i % shape[k]!) * strides[k]!;
      i = Math.floor(i / shape[k]!);
    }
    return j;
  };
}

export interface FoldContext {
  label: string;
  opset: number;
  ints(name: string): number[] | undefined;
  int(name: string, fallback: number): number;
  /** Called once per node whose float arithmetic rounded. */
  rounded(what: string): void;
}

const axisOf = (a: number, r: number, label: string): number => {
  const x = a < 0 ? a + r : a;
  if (x < 0 || x >= r) fail(`${label}: axis ${a} is out of range for rank ${r}`);
  return x;
};

/** The output of a foldable op on constant inputs (`inputs[k]` undefined for an absent optional input). */
export function foldConstant(op: string, inputs: (Tensor | undefined)[], ctx: FoldContext): Tensor {
  const { label } = ctx;
  const x = inputs[0];
  const need = (t: Tensor | undefined, role: string): Tensor => t ?? fail(`${label}: the ${role} input is missing`);
  switch (op) {
    case 'Identity':
      return need(x, 'first');
    case 'Cast': {
      const t = need(x, 'first');
      const to = ctx.int('to', 1);
      const integer = to !== 1 && to !== 10 && to !== 11 && to !== 16; // FLOAT, FLOAT16, DOUBLE, BFLOAT16
      const data = integer ? t.data.map(Math.trunc) : to === 1 ? t.data.map(Math.fround) : t.data;
      return { dims: t.dims, data, integer };
    }
    case 'Shape': {
      const t = need(x, 'first');
      return shapeOf(t.dims, ctx);
    }
    case 'Gather': {
      const t = need(x, 'data');
      const idx = need(inputs[1], 'indices');
      const axis = axisOf(ctx.int('axis', 0), t.dims.length, label);
      const outer = product(t.dims.slice(0, axis));
      const n = t.dims[axis]!;
      const inner = product(t.dims.slice(axis + 1));
      const dims = [...t.dims.slice(0, axis), ...idx.dims, ...t.dims.slice(axis + 1)];
      const data = new Float64Array(product(dims));
      let o = 0;
      for (let a = 0; a < outer; a++) {
        for (const raw of idx.data) {
          const j = raw < 0 ? raw + n : raw;
          if (j < 0 || j >= n) fail(`${label}: index ${raw} is out of range for an axis of ${n}`);
          for (let c = 0; c < inner; c++) data[o++] = t.data[(a * n + j) * inner + c]!;
        }
      }
      return { dims, data, integer: t.integer };
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      const t = need(x, 'first');
      const axes = ctx.ints('axes') ?? (inputs[1] ? Array.from(inputs[1].data) : undefined);
      return { dims: squeezeShape(op, t.dims, axes, label), data: t.data, integer: t.integer };
    }
    case 'Flatten': {
      const t = need(x, 'first');
      const axis = ctx.int('axis', 1);
      const a = axis < 0 ? axis + t.dims.length : axis;
      return { dims: [product(t.dims.slice(0, a)), product(t.dims.slice(a))], data: t.data, integer: t.integer };
    }
    case 'Reshape': {
      const t = need(x, 'data');
      const target = Array.from(need(inputs[1], 'shape').data);
      return { dims: reshapeDims(t.dims, target, ctx.int('allowzero', 0) === 1, label), data: t.data, integer: t.integer };
    }
    case 'Concat': {
      const parts = inputs.filter((t): t is Tensor => t !== undefined);
      if (parts.length === 0) fail(`${label}: no inputs`);
      const r = parts[0]!.dims.length;
      const axis = axisOf(ctx.int('axis', 0), r, label);
      return concatTensors(parts, axis, label);
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
      return elementwise(op, need(x, 'first'), need(inputs[1], 'second'), ctx);
    case 'Neg': {
      const t = need(x, 'first');
      return { dims: t.dims, data: t.data.map((v) => -v), integer: t.integer };
    }
    case 'Slice':
      return slice(need(x, 'data'), inputs, ctx);
    case 'ConstantOfShape': {
      const dims = Array.from(need(x, 'shape').data);
      const value = inputs[1]?.data[0] ?? 0;
      if (product(dims) > 1e7) fail(`${label}: a constant of shape ${dims.join('x')} is too large`);
      return { dims, data: new Float64Array(product(dims)).fill(value) };
    }
    case 'Transpose': {
      const t = need(x, 'first');
      const r = t.dims.length;
      const perm = ctx.ints('perm') ?? [...t.dims.keys()].reverse();
      return transposeTensor(t, perm, label, r);
    }
    case 'Range': {
      const [start, limit, delta] = [0, 1, 2].map((k) => need(inputs[k], 'range').data[0]!) as [number, number, number];
      if (delta === 0) fail(`${label}: delta is 0`);
      const n = Math.max(Math.ceil((limit - start) / delta), 0);
      if (n > 1e7) fail(`${label}: a range of ${n} values is too large`);
      return { dims: [n], data: Float64Array.from({ length: n }, (_, i) => start + i * delta), integer: x!.integer };
    }
  }
  return fail(`${label}: op "${op}" on constants cannot be folded`);
}

/** Shape's output for a tensor of shape `dims` (start and end attributes from opset 15). */
export function shapeOf(dims: readonly number[], ctx: FoldContext): Tensor {
  const r = dims.length;
  let start = ctx.int('start', 0);
  let end = ctx.int('end', r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  const out = dims.slice(Math.max(0, start), Math.min(r, end));
  return { dims: [out.length], data: Float64Array.from(out), integer: true };
}

export function squeezeShape(op: string, shape: readonly number[], axes: number[] | undefined, label: string): number[] {
  if (op === 'Squeeze') {
    const r = shape.length;
    const drop = new Set((axes ?? shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => (a < 0 ? a + r : a)));
    for (const a of drop) if (shape[a] !== 1) fail(`${label}: cannot squeeze axis ${a} of shape ${shape.join('x')}`);
    return shape.filter((_, i) => !drop.has(i));
  }
  if (axes === undefined) fail(`${label}: Unsqueeze needs axes`);
  const r = shape.length + axes.length;
  const add = new Set(axes.map((a) => (a < 0 ? a + r : a)));
  const out: number[] = [];
  for (let i = 0, j = 0; i < r; i++) out.push(add.has(i) ? 1 : shape[j++]!);
  if (out.some((d) => d === undefined) || add.size !== axes.length) fail(`${label}: axes ${axes.join(',')} are out of range`);
  return out;
}

export function reshapeDims(shape: readonly number[], target: readonly number[], allowZero: boolean, label: string): number[] {
  const n = product(shape);
  const dims = target.map((d, i) => (d === 0 && !allowZero ? shape[i] ?? NaN : d));
  const unknown = dims.filter((d) => d === -1).length;
  if (unknown > 1 || dims.some((d) => !(d >= 0 || d === -1))) fail(`${label}: shape ${target.join(',')} is not valid for an input of shape ${shape.join('x')}`);
  if (unknown === 1) {
    const known = product(dims.filter((d) => d !== -1));
    dims[dims.indexOf(-1)] = known === 0 ? NaN : n / known;
  }
  if (!dims.every(Number.isInteger) || product(dims) !== n) fail(`${label}: cannot reshape a tensor of shape ${shape.join('x')} to ${target.join(',')}`);
  return dims;
}

/**
 * For Concat along `axis` of tensors with these shapes: the output shape and, for each output
 * flat index, which part and which flat index in it.
 */
export function concatLayout(shapes: readonly (readonly number[])[], axis: number, label: string): { dims: number[]; part: Int32Array; index: Int32Array } {
  const first = shapes[0]!;
  for (const s of shapes) {
    if (s.length !== first.length || s.some((d, i) => i !== axis && d !== first[i])) {
      fail(`${label}: shapes ${shapes.map((t) => t.join('x')).join(', ')} cannot be concatenated on axis ${axis}`);
    }
  }
  const dims = first.slice();
  dims[axis] = shapes.reduce((a, s) => a + s[axis]!, 0);
  const outer = product(first.slice(0, axis));
  const inner = product(first.slice(axis + 1));
  const total = product(dims);
  const part = new Int32Array(total);
  const index = new Int32Array(total);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    shapes.forEach((s, k) => {
      const n = s[axis]! * inner;
      for (let j = 0; j < n; j++) {
        part[o] = k;
        index[o++] = a * n + j;
      }
    });
  }
  return { dims, part, index };
}

function concatTensors(parts: Tensor[], axis: number, label: string): Tensor {
  const { dims, part, index } = concatLayout(parts.map((t) => t.dims), axis, label);
  const data = new Float64Array(part.length);
  for (let o = 0; o < part.length; o++) data[o] = parts[part[o]!]!.data[index[o]!]!;
  return { dims, data, integer: parts.every((t) => t.integer) };
}

function transposeTensor(t: Tensor, perm: number[], label: string, r: number): Tensor {
  if (perm.length !== r || new Set(perm).size !== r || perm.some((p) => p < 0 || p >= r)) fail(`${label}: perm ${perm.join(',')} is not a permutation of ${r} axes`);
  const dims = perm.map((p) => t.dims[p]!);
  const data = new Float64Array(t.data.length);
  const inStrides = new Array<number>(r);
  for (let k = r - 1, s = 1; k >= 0; k--) {
    inStrides[k] = s;
    s *= t.dims[k]!;
  }
  for (let o = 0; o < data.length; o++) {
    let q = o;
    let src = 0;
    for (let k = r - 1; k >= 0; k--) {
      src += (q % dims[k]!) * inStrides[perm[k]!]!;
      q = Math.floor(q / dims[k]!);
    }
    data[o] = t.data[src]!;
  }
  return { dims, data, integer: t.integer };
}

function elementwise(op: string, a: Tensor, b: Tensor, ctx: FoldContext): Tensor {
  const dims = broadcastShapes(a.dims, b.dims, ctx.label);
  const ia = broadcastIndex(a.dims, dims);
  const ib = broadcastIndex(b.dims, dims);
  const integer = a.integer === true && b.integer === true;
  const data = new Float64Array(product(dims));
  let exact = true;
  for (let i = 0; i < data.length; i++) {
    const x = a.data[ia(i)]!;
    const y = b.data[ib(i)]!;
    let v: number;
    if (op === 'Add') {
      v = x + y;
      exact &&= sumIsExact(x, y);
    } else if (op === 'Sub') {
      v = x - y;
      exact &&= sumIsExact(x, -y);
    } else if (op === 'Mul') {
      v = x * y;
      exact &&= productIsExact(x, y);
    } else {
      if (integer) {
        if (y === 0) fail(`${ctx.label}: integer division by zero`);
        v = Math.trunc(x / y);
      } else {
        v = x / y;
        exact &&= productIsExact(v, y) && v * y === x;
      }
    }
    data[i] = v;
  }
  if (!exact && !integer) ctx.rounded(`${op} of constants rounded in float64`);
  return { dims, data, integer };
}

function slice(t: Tensor, inputs: (Tensor | undefined)[], ctx: FoldContext): Tensor {
  const r = t.dims.length;
  let starts: number[], ends: number[], axes: number[], steps: number[];
  if (ctx.opset < 10) {
    starts = ctx.ints('starts') ?? fail(`${ctx.label}: starts missing`);
    ends = ctx.ints('ends') ?? fail(`${ctx.label}: ends missing`);
    axes = ctx.ints('axes') ?? starts.map((_, i) => i);
    steps = starts.map(() => 1);
  } else {
    starts = Array.from(inputs[1]?.data ?? fail(`${ctx.label}: starts missing`));
    ends = Array.from(inputs[2]?.data ?? fail(`${ctx.label}: ends missing`));
    axes = inputs[3] ? Array.from(inputs[3].data) : starts.map((_, i) => i);
    steps = inputs[4] ? Array.from(inputs[4].data) : starts.map(() => 1);
  }
  const ranges = t.dims.map((d) => ({ start: 0, step: 1, count: d }));
  axes.forEach((a0, k) => {
    const a = axisOf(a0, r, ctx.label);
    const d = t.dims[a]!;
    const step = steps[k]!;
    if (step === 0) fail(`${ctx.label}: step 0`);
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    let s = starts[k]!;
    let e = ends[k]!;
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (step > 0) {
      s = clamp(s, 0, d);
      e = clamp(e, 0, d);
    } else {
      s = clamp(s, -1, d - 1);
      e = clamp(e, -1, d - 1);
    }
    const count = Math.max(0, Math.ceil((e - s) / step));
    ranges[a] = { start: s, step, count };
  });
  const dims = ranges.map((q) => q.count);
  const data = new Float64Array(product(dims));
  for (let o = 0; o < data.length; o++) {
    let q = o;
    let src = 0;
    let stride = 1;
    const idx = new Array<number>(r);
    for (let k = r - 1; k >= 0; k--) {
      idx[k] = q % dims[k]!;
      q = Math.floor(q / dims[k]!);
    }
    for (let k = r - 1; k >= 0; k--) {
      src += (ranges[k]!.start + idx[k]! * ranges[k]!.step) * stride;
      stride *= t.dims[k]!;
    }
    data[o] = t.data[src]!;
  }
  return { dims, data, integer: t.integer };
}
