// ONNX import and counting on LeNet-size models (issue 15): `node bench/onnx.js [--quick]`.
// The models are built here as ONNX protobufs with seeded He-normal float32 weights (no Python
// needed): LeNet-5 (28x28, Conv 6@5x5 pad 2, pool, Conv 16@5x5, pool, 120, 84, 10) in both pool
// orders with the same weights, and a 784-256-256-10 MLP. Domains are planes through three
// MNIST-like images (seeded strokes on a 28x28 canvas): x = a + s (b - a) + t (c - a).
// Prints, per model: import time, lowered weights, heap after import, the set-up of a count (validate,
// pack, the core's tables) with its first region; then regions per second of a count of the whole
// plane capped at --max-regions, and a complete count of a small square at the plane's centre
// (s, t in [0.49, 0.51]), with the core's exact-path calls per region and its memory.
// Warm-up, then the median of 3 runs (1 with --quick).
import { create, toBinary } from '@bufbuild/protobuf';
import { countRegionsSync, readOnnx } from '../dist/index.node.js';
import {
  GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, AttributeProtoSchema, AttributeProto_AttributeType as AttrType,
  TensorProtoSchema, TensorProto_DataType as DataType, TypeProtoSchema, TypeProto_TensorSchema, TensorShapeProtoSchema, ValueInfoProtoSchema,
} from '../dist/onnx/proto/onnx_pb.js';
import { gaussian, rng } from './nets.js';

const quick = process.argv.includes('--quick');

function tensor(name, dims, values) {
  const t = create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: DataType.FLOAT });
  t.floatData = values;
  return t;
}
function node(opType, input, output, attrs = {}) {
  const attribute = Object.entries(attrs).map(([k, v]) => create(AttributeProtoSchema, { name: k, type: AttrType.INTS, ints: v.map(BigInt) }));
  return create(NodeProtoSchema, { opType, input, output, name: `/${output[0]}`, attribute });
}
function valueInfo(name, shape) {
  const tensorType = create(TypeProto_TensorSchema, { elemType: DataType.FLOAT });
  if (shape) tensorType.shape = create(TensorShapeProtoSchema, { dim: shape.map((d) => ({ value: { case: 'dimValue', value: BigInt(d) } })) });
  return create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }) });
}
function onnxModel(nodes, inits, inputShape) {
  const graph = create(GraphProtoSchema, { name: 'bench', node: nodes, initializer: inits, input: [valueInfo('x', inputShape)], output: [valueInfo(nodes.at(-1).output[0])] });
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 7n, producerName: 'bench/onnx.js', graph, opsetImport: [{ domain: '', version: 13n }] }));
}
/** He-normal float32 weights. */
function he(r, n, fanIn) {
  const sd = Math.sqrt(2 / fanIn);
  return Array.from({ length: n }, () => Math.fround(gaussian(r) * sd));
}
const small = (r, n) => Array.from({ length: n }, () => Math.fround(gaussian(r) * 0.05));

function lenet(order, seed) {
  const r = rng(seed);
  const inits = [
    tensor('c1w', [6, 1, 5, 5], he(r, 150, 25)), tensor('c1b', [6], small(r, 6)),
    tensor('c2w', [16, 6, 5, 5], he(r, 2400, 150)), tensor('c2b', [16], small(r, 16)),
    tensor('f1w', [120, 400], he(r, 48000, 400)), tensor('f1b', [120], small(r, 120)),
    tensor('f2w', [84, 120], he(r, 10080, 120)), tensor('f2b', [84], small(r, 84)),
    tensor('f3w', [10, 84], he(r, 840, 84)), tensor('f3b', [10], small(r, 10)),
  ];
  const block = (x, w, b, pads, k) => {
    const conv = node('Conv', [x, w, b], [`${k}conv`], { kernel_shape: [5, 5], pads });
    const pool = (i, o) => node('MaxPool', [i], [o], { kernel_shape: [2, 2], strides: [2, 2] });
    return order === 'relu-pool'
      ? [conv, node('Relu', [`${k}conv`], [`${k}relu`]), pool(`${k}relu`, `${k}out`)]
      : [conv, pool(`${k}conv`, `${k}pool`), node('Relu', [`${k}pool`], [`${k}out`])];
  };
  const nodes = [
    ...block('x', 'c1w', 'c1b', [2, 2, 2, 2], 'a'),
    ...block('aout', 'c2w', 'c2b', [0, 0, 0, 0], 'b'),
    node('Flatten', ['bout'], ['flat']),
    create(NodeProtoSchema, { opType: 'Gemm', input: ['flat', 'f1w', 'f1b'], output: ['f1'], name: '/f1', attribute: [create(AttributeProtoSchema, { name: 'transB', type: AttrType.INT, i: 1n })] }),
    node('Relu', ['f1'], ['r1']),
    create(NodeProtoSchema, { opType: 'Gemm', input: ['r1', 'f2w', 'f2b'], output: ['f2'], name: '/f2', attribute: [create(AttributeProtoSchema, { name: 'transB', type: AttrType.INT, i: 1n })] }),
    node('Relu', ['f2'], ['r2']),
    create(NodeProtoSchema, { opType: 'Gemm', input: ['r2', 'f3w', 'f3b'], output: ['y'], name: '/f3', attribute: [create(AttributeProtoSchema, { name: 'transB', type: AttrType.INT, i: 1n })] }),
  ];
  return onnxModel(nodes, inits, [1, 1, 28, 28]);
}

function mlp(seed) {
  const r = rng(seed);
  const widths = [784, 256, 256, 10];
  const nodes = [];
  const inits = [];
  let x = 'x';
  for (let i = 1; i < widths.length; i++) {
    inits.push(tensor(`w${i}`, [widths[i], widths[i - 1]], he(r, widths[i] * widths[i - 1], widths[i - 1])), tensor(`b${i}`, [widths[i]], small(r, widths[i])));
    nodes.push(create(NodeProtoSchema, { opType: 'Gemm', input: [x, `w${i}`, `b${i}`], output: [`g${i}`], name: `/g${i}`, attribute: [create(AttributeProtoSchema, { name: 'transB', type: AttrType.INT, i: 1n })] }));
    x = `g${i}`;
    if (i < widths.length - 1) {
      nodes.push(node('Relu', [x], [`r${i}`]));
      x = `r${i}`;
    }
  }
  return onnxModel(nodes, inits, [1, 784]);
}

/** A 28x28 "digit": a few thick seeded strokes, values in [0, 1]. */
function digit(seed) {
  const r = rng(seed);
  const img = new Array(784).fill(0);
  for (let s = 0; s < 3; s++) {
    let [y, x] = [6 + 16 * r(), 6 + 16 * r()];
    const [dy, dx] = [gaussian(r), gaussian(r)];
    for (let t = 0; t < 12; t++, y += dy, x += dx) {
      for (let i = 0; i < 28; i++) for (let j = 0; j < 28; j++) {
        const d2 = (i - y) ** 2 + (j - x) ** 2;
        img[i * 28 + j] = Math.max(img[i * 28 + j], Math.exp(-d2 / 2));
      }
    }
  }
  return img;
}
function planeThrough(a, b, c) {
  return { origin: a, directions: [b.map((v, i) => v - a[i]), c.map((v, i) => v - a[i])], bounds: [[0, 1], [0, 1]] };
}

function median(xs) {
  const s = [...xs].sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)];
}

const plane = planeThrough(digit(1), digit(2), digit(3));
const centre = { ...plane, bounds: [[0.49, 0.51], [0.49, 0.51]] };
const runs = quick ? 1 : 3;
const lenetCap = quick ? 200 : 2000;
const models = [
  ['LeNet-5, ReLU then MaxPool', lenet('relu-pool', 5), lenetCap],
  ['LeNet-5, MaxPool then ReLU', lenet('pool-relu', 5), lenetCap],
  ['784-256-256-10 MLP', mlp(7), 10 * lenetCap],
];
/** Median time of `runs` calls of f (after one warm-up call), and the last result. */
function timed(f) {
  f();
  const times = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = f();
    times.push(performance.now() - t);
  }
  return { ms: median(times), result };
}
const mb = (bytes) => (bytes / 2 ** 20).toFixed(0);
const count = (network, domain, maxRegions) => countRegionsSync(network, domain, { maxRegions, linearRegions: false });

const setupRows = [];
const countRows = [];
for (const [name, bytes, maxRegions] of models) {
  const imported = timed(() => readOnnx(bytes));
  const network = imported.result.network;
  const weights = network.layers.reduce((s, l) => s + l.weights.length * l.weights[0].length, 0);
  const heap = process.memoryUsage().heapUsed;
  const first = timed(() => count(network, plane, 1));
  setupRows.push(`| ${name} | ${imported.ms.toFixed(0)} | ${weights.toLocaleString('en-US')} | ${mb(heap)} | ${first.ms.toFixed(0)} |`);
  const capped = timed(() => count(network, plane, maxRegions));
  const small = timed(() => count(network, centre, 50_000));
  const c = capped.result;
  const w = small.result;
  countRows.push(
    `| ${name} | ${c.activationRegions}${c.partial ? ' (cap)' : ''} | ${capped.ms.toFixed(0)} | ${(c.activationRegions / (capped.ms / 1000)).toFixed(0)} | ` +
      `${(c.stats.exactCalls / c.activationRegions).toFixed(1)} | ${w.activationRegions}${w.partial ? ' (cap)' : ''} | ${small.ms.toFixed(0)} | ` +
      `${(w.stats.exactCalls / w.activationRegions).toFixed(1)} | ${mb(Math.max(c.stats.memoryBytes, w.stats.memoryBytes))} |`,
  );
}
console.log(`node ${process.version}; planes through three MNIST-like images; warm-up, median of ${runs}\n`);
console.log('| model | import (ms) | lowered weights | heap after import (MB) | set-up + first region (ms) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const row of setupRows) console.log(row);
console.log('\n| model | plane: regions | time (ms) | regions/s | exact calls / region | centre square: regions (complete) | time (ms) | exact calls / region | core memory (MB) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of countRows) console.log(row);
