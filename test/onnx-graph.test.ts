/**
 * The piecewise-linear ONNX graph (issue 15): Clip, PRelu, normalisation, residual Add and Concat,
 * ReduceMax, constant subgraphs, a dynamic batch, a softmax tail, --until, and the messages that
 * name the PyTorch layer. Models really exported by torch.onnx.export (make_fixtures_graph.py).
 *
 * Independent references: PyTorch's own forward pass at sample inputs; the exact 1-D reference
 * test/reference/graph-line.ts, which counts the regions of the graph as written from the
 * PyTorch modules (not as lowered) on a line; and the exact BigInt reference counter run on the
 * lowered network over a 2-D box.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countRegions, LinearRegionsError, loadOnnx, readOnnx } from '../src/index.node.js';
import type { Network } from '../src/network/types.js';
import { countGraphOnLine } from './reference/graph-line.js';
import type { GraphOp, Line } from './reference/graph-line.js';
import { referenceCount } from './reference/reference.js';
import { model, node, tensor } from './helpers/onnx-build.js';
import { TensorProto_DataType as DataType } from '../src/onnx/proto/onnx_pb.js';
import { forward } from './helpers/forward.js';

const fixtures = fileURLToPath(new URL('./fixtures/onnx/', import.meta.url));
const bytes = (name: string) => new Uint8Array(readFileSync(join(fixtures, name)));

interface Sample {
  input: number[];
  output: number[];
}
interface GraphFixture {
  inputShape: number[];
  graph?: GraphOp[];
  line?: Line;
  box?: [number, number][];
  samples: Sample[];
}
const fixture = (name: string) => JSON.parse(readFileSync(join(fixtures, `${name}.graph.json`), 'utf8')) as GraphFixture;

function expectSamples(net: Network, samples: Sample[]): void {
  expect(samples.length).toBeGreaterThan(0);
  for (const { input, output } of samples) {
    const got = forward(net, input);
    expect(got.length).toBe(output.length);
    got.forEach((v, i) => expect(Math.abs(v - output[i]!), `output ${i} at ${input.join(',')}`).toBeLessThan(1e-12 * (1 + Math.abs(output[i]!))));
  }
}

function onnxError(data: Uint8Array, options = {}): LinearRegionsError {
  try {
    readOnnx(data, options);
  } catch (err) {
    expect(err).toBeInstanceOf(LinearRegionsError);
    return err as LinearRegionsError;
  }
  throw new Error('expected readOnnx to throw');
}

const GRAPH_FIXTURES = ['clip-mlp', 'prelu-norm', 'residual-mlp', 'input-skip', 'maxout', 'resnet-cnn'];

describe('piecewise-linear graphs exported by PyTorch', () => {
  for (const name of [...GRAPH_FIXTURES, 'conv-softmax']) {
    it(`${name}.onnx computes what PyTorch computes at the sample inputs`, () => {
      const f = fixture(name);
      const r = readOnnx(bytes(`${name}.onnx`));
      expect(r.input.shape).toEqual(f.inputShape.map((d, i) => (i === 0 ? 1 : d)));
      expectSamples(r.network, f.samples);
    });
  }

  for (const name of GRAPH_FIXTURES) {
    it(`${name}: on a line, the counts of the graph as PyTorch writes it (exact 1-D reference)`, async () => {
      const f = fixture(name);
      // the 25-input CNN on a shorter piece of its line (the rational reference is slow in 25-D)
      const line = f.box!.length === 2 ? f.line! : { ...f.line!, bounds: [-0.75, 0.75] as [number, number] };
      const expected = countGraphOnLine(f.graph!, line);
      const got = await countRegions(loadOnnx(bytes(`${name}.onnx`)), { origin: line.origin, directions: [line.direction], bounds: [line.bounds] });
      expect(got.activationRegions).toBe(expected.activationRegions);
      expect(got.linearRegions).toBe(expected.linearRegions);
      expect(expected.activationRegions).toBeGreaterThan(3);
    });

    it(`${name}: on a box or plane, as the exact reference counts the lowered network`, async () => {
      const f = fixture(name);
      const net = loadOnnx(bytes(`${name}.onnx`));
      // 2 inputs: the box [-2, 2]^2; more: a plane through the line's origin
      const { origin, direction } = f.line!;
      const domain = f.box!.length === 2 ? { bounds: f.box! } : { origin, directions: [direction, direction.slice().reverse()], bounds: [[-0.5, 0.5], [-0.5, 0.5]] as [number, number][] };
      const expected = referenceCount(net, domain);
      const got = await countRegions(net, domain);
      expect(got.activationRegions).toBe(expected.activationRegions);
      expect(got.linearRegions).toBe(expected.linearRegions);
      expect(got.perLayer).toEqual(expected.perLayer);
      expect(got.activationRegions).toBeGreaterThan(3);
    });
  }

  it('Clip from opsets 9 (attributes), 13 and 17 (inputs) imports to the same network', () => {
    const net = loadOnnx(bytes('clip-mlp.onnx'));
    expect(loadOnnx(bytes('clip-mlp-op9.onnx'))).toEqual(net);
    expect(loadOnnx(bytes('clip-mlp-op17.onnx'))).toEqual(net);
    // Hardtanh and ReLU6: two ReLU units per value; clamp(max=...): one
    expect(net.layers.map((l) => [l.weights.length, l.activation])).toEqual([[12, 'relu'], [12, 'relu'], [3, 'relu'], [1, 'linear']]);
  });

  it('a skip from a ReLU output rides through relu layers; a skip from the raw input makes them maxout', () => {
    // residual.onnx: fc2(h) + h with h = relu(fc1(x)): a relu layer, then the sum as a linear layer
    const res = loadOnnx(bytes('residual.onnx'));
    expect(res.layers.map((l) => l.activation)).toEqual(['relu', 'linear']);
    // h + relu(W h) + relu(V h) (h a ReLU output): every layer stays relu, h carried as units
    const spec = {
      input: [1, 2],
      nodes: [
        node('Gemm', ['x', 'A'], ['a']), node('Relu', ['a'], ['h']),
        node('Gemm', ['h', 'B'], ['b']), node('Relu', ['b'], ['rb']),
        node('Add', ['h', 'rb'], ['y']),
      ],
      inits: [tensor('A', [2, 2], [1, 2, -1, 1]), tensor('B', [2, 2], [1, -1, 1, 1])],
    };
    const net = loadOnnx(model(spec));
    expect(net.layers.map((l) => [l.weights.length, l.activation])).toEqual([[2, 'relu'], [4, 'relu'], [2, 'linear']]);
    // resnet-cnn.onnx: relu(h + conv3(relu(conv2 h))) with h = relu(conv1 x): relu layers only
    expect(loadOnnx(bytes('resnet-cnn.onnx')).layers.map((l) => l.activation)).toEqual(['relu', 'relu', 'relu', 'maxout', 'linear']);
    // input-skip.onnx: x + relu(W x): x is carried as maxout units with identical pieces
    expect(loadOnnx(bytes('input-skip.onnx')).layers.map((l) => l.activation)).toEqual(['maxout', 'maxout', 'linear']);
  });

  it('PRelu: one slope is a leaky_relu layer (its float32 value); per-channel slopes a maxout layer', () => {
    const net = loadOnnx(bytes('prelu-norm.onnx'));
    expect(net.layers.map((l) => l.activation)).toEqual(['maxout', 'leaky_relu', 'linear']);
    expect(net.layers[1]!.alpha).toBe(0.25);
  });

  it('constant subgraphs fold, a dynamic batch is fixed to 1 with a note, and a Softmax tail is cut with a note', () => {
    const r = readOnnx(bytes('conv-softmax.onnx'));
    expect(r.omitted).toEqual(['Softmax /Softmax']);
    expect(r.notes).toEqual(['the graph input "input" has a dynamic batch dimension "batch" (axis 0): fixed to 1']);
    expect(r.input.shape).toEqual([1, 1, 5, 5]);
    expect(r.output.shape).toEqual([1, 3]);
    const err = onnxError(bytes('conv-softmax.onnx'), { strict: true });
    expect(err.message).toContain('the graph ends in Softmax "/Softmax", which is not piecewise linear (--strict)');
    const dyn = readOnnx(bytes('dynamic-batch.onnx'));
    expect(dyn.notes[0]).toContain('dynamic batch dimension "batch" (axis 0): fixed to 1');
  });

  it('--until NODE counts the graph up to that node (by node or tensor name)', () => {
    const f = fixture('clip-mlp');
    const full = readOnnx(bytes('clip-mlp.onnx'));
    const cut = readOnnx(bytes('clip-mlp.onnx'), { until: '/fc1/Gemm' });
    expect(cut.network.layers).toHaveLength(1);
    expect(cut.network.layers[0]!.activation).toBe('linear');
    expect(cut.omitted.length).toBeGreaterThan(3);
    // fc1's output at the samples: W x + b from the graph written from PyTorch
    const fc1 = f.graph![0] as { W: number[][]; b: number[] };
    for (const s of f.samples) {
      const want = fc1.W.map((row, i) => row.reduce((acc, w, j) => acc + w * s.input[j]!, fc1.b[i]!));
      expect(forward(cut.network, s.input)).toEqual(want);
    }
    const byTensor = readOnnx(bytes('clip-mlp.onnx'), { until: cut.output.name });
    expect(byTensor.network).toEqual(cut.network);
    expect(full.omitted).toEqual([]);
  });

  it('names the PyTorch layer of a node that is not piecewise linear, and says what to do', () => {
    const cases: [string, string][] = [
      ['gelu', 'node "/1/Div" (Div): GELU (nn.GELU, exported as Div, Erf, Add, Mul, Mul) is not piecewise linear'],
      ['silu', 'node "/1/Sigmoid" (Sigmoid): SiLU (nn.SiLU: x * sigmoid(x)) is not piecewise linear'],
      ['tanh', 'node "/1/Tanh" (Tanh): Tanh (nn.Tanh) is not piecewise linear'],
      ['softplus', 'node "/1/Softplus" (Softplus): Softplus (nn.Softplus) is not piecewise linear'],
      ['hardswish', 'node "/1/Mul" (Mul): Hardswish (nn.Hardswish: x * hardsigmoid(x) is quadratic between -3 and 3) is not piecewise linear'],
      ['sigmoid', 'Sigmoid (nn.Sigmoid, torch.sigmoid) is not piecewise linear'],
    ];
    for (const [name, message] of cases) {
      const err = onnxError(bytes(`${name}.onnx`));
      expect(err.code).toBe('E_ONNX');
      expect(err.message).toContain(message);
      expect(err.message).toContain('count a ReLU version of the model, or cut the graph before it with --until "/0/Gemm"');
    }
  });

  it('HardSigmoid (nn.Hardsigmoid) is a Clip of an affine map: PyTorch\'s values at sample points', () => {
    const net = loadOnnx(bytes('hardsigmoid.onnx'));
    // hardsigmoid(v) = min(max(v / 6 + 1/2, 0), 1) with ONNX's float32 alpha = fround(1/6)
    const W = [[1, -2], [0.5, 3], [-1, 1], [2, 2]];
    const probe = loadOnnx(model({ input: [1, 2], nodes: [node('Gemm', ['x', 'W'], ['a'], { transB: { i: 1 } }), node('HardSigmoid', ['a'], ['y'], { alpha: { f: 1 / 6 }, beta: { f: 0.5 } })], inits: [tensor('W', [4, 2], W.flat())] }));
    const a = Math.fround(1 / 6);
    for (const x of [[0.3, -0.7], [2, 1], [-3, 0.25], [10, -10]]) {
      const want = W.map((row) => Math.min(Math.max(a * (row[0]! * x[0]! + row[1]! * x[1]!) + 0.5, 0), 1));
      forward(probe, x).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 14));
    }
    expect(net.layers.length).toBeGreaterThan(1);
  });
});

describe('lowering rules', () => {
  it('neither pool order always has more activation regions (hand counts; docs/onnx.md corrects the old claim)', async () => {
    // z = (t - 5, -t - 5) on the line x = (t, t): Mul by (1, -1), Add -5, then ReLU and MaxPool over the pair
    const pooled = (order: 'relu-pool' | 'pool-relu') => {
      const pool = (i: string, o: string) => node('MaxPool', [i], [o], { kernel_shape: { ints: [2] } });
      const head = [node('Mul', ['x', 's'], ['m']), node('Add', ['m', 'c'], ['z'])];
      const tail = order === 'relu-pool' ? [node('Relu', ['z'], ['r']), pool('r', 'y')] : [pool('z', 'p'), node('Relu', ['p'], ['y'])];
      return loadOnnx(model({ input: [1, 1, 2], nodes: [...head, ...tail], inits: [tensor('s', [2], [1, -1]), tensor('c', [], [-5])] }));
    };
    const line = (h: number) => ({ origin: [0, 0], directions: [[1, 1]], bounds: [[-h, h]] as [number, number][] });
    const count = async (order: 'relu-pool' | 'pool-relu', h: number) => (await countRegions(pooled(order), line(h))).activationRegions;
    // |t| < 1: both units off; ReLU then MaxPool: one region; MaxPool then ReLU splits at t = 0 (argmax)
    expect([await count('relu-pool', 1), await count('pool-relu', 1)]).toEqual([1, 2]);
    // |t| < 10: relu-pool splits at t = -5, 5 (3 regions); pool-relu at -5, 0, 5 (4 regions)
    expect([await count('relu-pool', 10), await count('pool-relu', 10)]).toEqual([3, 4]);
  });

  it('Clip with lo >= hi is the constant hi; an unbounded Clip is the identity', () => {
    const c = (lo: number, hi: number) => loadOnnx(model({
      input: [1, 2],
      nodes: [node('Clip', ['x', 'lo', 'hi'], ['y'])],
      inits: [tensor('lo', [], [lo], DataType.FLOAT), tensor('hi', [], [hi], DataType.FLOAT)],
    }));
    expect(c(2, 1).layers).toEqual([{ weights: [[0, 0], [0, 0]], bias: [1, 1], activation: 'linear' }]);
    expect(c(1, 1).layers[0]!.bias).toEqual([1, 1]);
    const open = loadOnnx(model({ input: [1, 2], nodes: [node('Clip', ['x'], ['y'])] }));
    expect(open.layers).toEqual([{ weights: [[1, 0], [0, 1]], bias: [0, 0], activation: 'linear' }]);
  });

  it('an ArgMax or LogSoftmax tail is cut too; a Softmax inside the graph is refused naming the layer', () => {
    const inits = [tensor('W', [2, 3], [1, 2, 3, -1, 0.5, 2])];
    const tail = readOnnx(model({ input: [1, 2], nodes: [node('MatMul', ['x', 'W'], ['z']), node('LogSoftmax', ['z'], ['l']), node('ArgMax', ['l'], ['y'])], inits }));
    expect(tail.omitted).toEqual(['LogSoftmax /LogSoftmax_l', 'ArgMax /ArgMax_y']);
    expect(tail.output.name).toBe('z');
    expect(tail.network.layers).toEqual([{ weights: [[1, -1], [2, 0.5], [3, 2]], bias: [0, 0, 0], activation: 'linear' }]);
    const inside = onnxError(model({ input: [1, 2], nodes: [node('MatMul', ['x', 'W'], ['z']), node('Softmax', ['z'], ['s']), node('Relu', ['s'], ['y'])], inits }));
    expect(inside.message).toContain('node "/Softmax_s" (Softmax): Softmax (nn.Softmax) is not piecewise linear');
    expect(inside.message).toContain('--until "/MatMul_z"');
  });

  it('Div by a constant that is not a power of two rounds, and says so; by a power of two it is exact', () => {
    const d = (c: number) => readOnnx(model({ input: [1, 2], nodes: [node('Div', ['x', 'c'], ['y'])], inits: [tensor('c', [], [c])] }));
    expect(d(4).rounding).toEqual([]);
    expect(d(4).network.layers[0]!.weights).toEqual([[0.25, 0], [0, 0.25]]);
    expect(d(3).rounding[0]).toContain('division by a constant that is not a power of two');
    expect(onnxError(model({ input: [1, 2], nodes: [node('Div', ['c', 'x'], ['y'])], inits: [tensor('c', [], [3])] })).message).toContain('c / x) is not piecewise linear');
  });

  it('Slice, Gather and Transpose of a computed tensor select its values', () => {
    const net = loadOnnx(model({
      input: [1, 2, 3],
      nodes: [
        node('Transpose', ['x'], ['t'], { perm: { ints: [0, 2, 1] } }), // 1x3x2
        node('Slice', ['t', 's', 'e', 'ax'], ['u']), // rows 1..2 of axis 1: 1x2x2
        node('Gather', ['u', 'i'], ['y'], { axis: { i: 2 } }), // column 1: 1x2
      ],
      inits: [tensor('s', [1], [1], DataType.INT64), tensor('e', [1], [3], DataType.INT64), tensor('ax', [1], [1], DataType.INT64), tensor('i', [], [1], DataType.INT64)],
    }));
    // x[0, c, w] is input c * 3 + w; t[0, w, c] = x[0, c, w]; y = t[0, 1..2, 1] = x[0, 1, 1..2]
    expect(forward(net, [0, 1, 2, 3, 4, 5])).toEqual([4, 5]);
  });

  it('refuses, before allocating, an op that would exceed the weight limit, with the size asked for', () => {
    // Concat of 10 copies of a 1x8000 input, then a Gemm of 1 row: rows x inputs = 80000 x 8000
    const start = performance.now();
    const err = onnxError(model({ input: [1, 8000], nodes: [node('Concat', Array(10).fill('x'), ['y'], { axis: { i: 1 } })] }));
    expect(err.code).toBe('E_TOO_LARGE');
    expect(err.message).toContain('at least 640000000 weights');
    expect(performance.now() - start).toBeLessThan(5000);
  });
});
