/**
 * TensorFlow.js Layers models (src/tfjs/): fixtures saved by the real @tensorflow/tfjs
 * (test/fixtures/tfjs/make_fixtures.mjs), checked against TensorFlow.js's own forward pass at
 * sample inputs (float32), the exact 1-D graph reference on the model as written from its
 * layers and weights, and the exact BigInt reference counter on the imported network.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countRegions, LinearRegionsError, loadTfjs, readTfjs } from '../src/index.node.js';
import { countGraphOnLine } from './reference/graph-line.js';
import type { GraphOp } from './reference/graph-line.js';
import { referenceCount } from './reference/reference.js';
import { forward } from './helpers/forward.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'test', 'fixtures', 'tfjs');
const modelJson = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { modelTopology: unknown; weightsManifest: { weights: { name: string; shape: number[] }[] }[] };
const weightsOf = (name: string) => new Uint8Array(readFileSync(join(dir, `${name}.weights.bin`)));
const samplesOf = (name: string) => (JSON.parse(readFileSync(join(dir, `${name}.samples.json`), 'utf8')) as { samples: { input: number[]; output: number[] }[] }).samples;

/** The weights of the manifest by name, read here with a Float32Array (independently of src/tfjs). */
function weightTable(name: string): Map<string, { shape: number[]; data: number[] }> {
  const bytes = weightsOf(name);
  const f32 = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const out = new Map<string, { shape: number[]; data: number[] }>();
  let o = 0;
  for (const w of modelJson(name).weightsManifest[0]!.weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    out.set(w.name, { shape: w.shape, data: Array.from(f32.subarray(o, o + n)) });
    o += n;
  }
  return out;
}

function tfjsError(fn: () => unknown): LinearRegionsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LinearRegionsError);
    return err as LinearRegionsError;
  }
  throw new Error('expected an error');
}

describe('TensorFlow.js models saved by @tensorflow/tfjs', () => {
  for (const name of ['mlp', 'cnn', 'functional', 'merge']) {
    it(`${name}.json computes what TensorFlow.js computes at the sample inputs (float32)`, () => {
      const net = loadTfjs(modelJson(name), weightsOf(name));
      for (const { input, output } of samplesOf(name)) {
        const got = forward(net, input);
        expect(got.length).toBe(output.length);
        // TensorFlow.js computes in float32: agreement to float32 precision
        got.forEach((v, i) => expect(Math.abs(v - output[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(output[i]!))));
      }
    });
  }

  it('mlp.json: a final softmax is cut and reported; strict refuses it', () => {
    const r = readTfjs(JSON.stringify(modelJson('mlp')), [weightsOf('mlp').buffer as ArrayBuffer]);
    expect(r.omitted).toEqual(['softmax of Dense dense_Dense6']);
    expect(r.inputShape).toEqual([2]);
    const err = tfjsError(() => loadTfjs(modelJson('mlp'), weightsOf('mlp'), { strict: true }));
    expect(err.code).toBe('E_TFJS');
    expect(err.message).toContain('the model ends in a softmax');
  });

  it('mlp.json: on a line, the counts of the model written from its layers (exact 1-D reference)', async () => {
    const w = weightTable('mlp');
    const dense = (layer: string, input: string, out: string): GraphOp => {
      const k = w.get(`${layer}/kernel`)!;
      const [K, U] = k.shape as [number, number];
      return { op: 'linear', W: Array.from({ length: U }, (_, u) => Array.from({ length: K }, (_, i) => k.data[i * U + u]!)), b: w.get(`${layer}/bias`)!.data, in: [input], out };
    };
    const graph: GraphOp[] = [
      dense('dense_Dense1', 'x', 'a'), { op: 'relu', in: ['a'], out: 'b' },
      dense('dense_Dense2', 'b', 'c'), { op: 'prelu', slopes: new Array(6).fill(Math.fround(0.2)), in: ['c'], out: 'd' },
      dense('dense_Dense3', 'd', 'e'), { op: 'clip', lo: 0, hi: 6, in: ['e'], out: 'f' },
      dense('dense_Dense4', 'f', 'g'), { op: 'clip', lo: 0, hi: 6, in: ['g'], out: 'h' },
      dense('dense_Dense5', 'h', 'i'), { op: 'prelu', slopes: w.get('p_re_lu_PReLU1/alpha')!.data, in: ['i'], out: 'j' },
      dense('dense_Dense6', 'j', 'y'),
    ];
    const line = { origin: [0.3, -0.2], direction: [1, 0.7], bounds: [-12, 12] as [number, number] };
    const expected = countGraphOnLine(graph, line);
    const got = await countRegions(loadTfjs(modelJson('mlp'), weightsOf('mlp')), { origin: line.origin, directions: [line.direction], bounds: [line.bounds] });
    expect(got.activationRegions).toBe(expected.activationRegions);
    expect(got.linearRegions).toBe(expected.linearRegions);
    expect(expected.activationRegions).toBeGreaterThan(3);
  });

  it('mlp.json and cnn.json: counts as the exact reference counts the imported network', async () => {
    const mlp = loadTfjs(modelJson('mlp'), weightsOf('mlp'));
    const box = { bounds: [[-2, 2], [-2, 2]] as [number, number][] };
    const want = referenceCount(mlp, box);
    const got = await countRegions(mlp, box);
    expect([got.activationRegions, got.linearRegions]).toEqual([want.activationRegions, want.linearRegions]);
    const cnn = loadTfjs(modelJson('cnn'), weightsOf('cnn'));
    expect(cnn.inputDim).toBe(36);
    const slice = { origin: Array.from({ length: 36 }, (_, i) => Math.sin(i) / 2), directions: [Array.from({ length: 36 }, (_, i) => Math.cos(3 * i)), Array.from({ length: 36 }, (_, i) => Math.sin(5 * i + 1))], bounds: [[-1, 1], [-1, 1]] as [number, number][] };
    const wantCnn = referenceCount(cnn, slice);
    const gotCnn = await countRegions(cnn, slice);
    expect([gotCnn.activationRegions, gotCnn.linearRegions]).toEqual([wantCnn.activationRegions, wantCnn.linearRegions]);
    expect(gotCnn.activationRegions).toBeGreaterThan(3);
  });

  it('in memory, from the artifacts of model.save(tf.io.withSaveHandler(...)), as docs/onnx.md shows', async () => {
    const tf = await import('@tensorflow/tfjs');
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 5, activation: 'relu', inputShape: [3] }));
    m.add(tf.layers.dense({ units: 2 }));
    let artifacts: { modelTopology?: unknown; weightSpecs?: unknown; weightData?: unknown } = {};
    await m.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }));
    const network = loadTfjs({ modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: [], weights: artifacts.weightSpecs }] }, artifacts.weightData as ArrayBuffer);
    const x = [0.5, -1.25, 2];
    const want = Array.from(await (m.predict(tf.tensor([x])) as { data(): Promise<Float32Array> }).data());
    forward(network, x).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(want[i]!))));
  });

  it('refuses what it cannot read, naming the layer', () => {
    const tanh = tfjsError(() => loadTfjs(modelJson('tanh'), weightsOf('tanh')));
    expect(tanh.code).toBe('E_TFJS');
    expect(tanh.message).toContain('layer "dense_Dense14" (Dense): activation "tanh" is not piecewise linear');
    expect(tfjsError(() => loadTfjs(modelJson('mlp'), weightsOf('mlp').subarray(0, 100))).message).toContain('a missing or truncated .bin file?');
    expect(tfjsError(() => loadTfjs({ modelTopology: { class_name: 'Model', config: {} } }, new Uint8Array(0))).message).toContain('the functional model has no layers');
    expect(tfjsError(() => loadTfjs({ modelTopology: { class_name: 'GraphModel', config: {} } }, new Uint8Array(0))).message).toContain('only Layers models are supported');
    expect(tfjsError(() => loadTfjs({ layers: [] }, new Uint8Array(0))).message).toContain('not a TensorFlow.js model');
    expect(tfjsError(() => loadTfjs(modelJson('mlp'), 'weights' as unknown as Uint8Array)).message).toContain('ArrayBuffers or Uint8Arrays');
  });

  // The functional fixtures written from their layers (make_fixtures.mjs) for the exact 1-D
  // reference: Maximum(a, b) as maxout groups of the interleaved concatenation, Minimum(p, q) as
  // -max(-p, -q), Average(p, q) as (p + q) / 2.
  const negate = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? -1 : 0)));
  const interleave = (n: number) => Array.from({ length: 2 * n }, (_, r) => Array.from({ length: 2 * n }, (_, c) => (c === (r % 2) * n + (r >> 1) ? 1 : 0)));
  const identity = (n: number, a = 1) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? a : 0)));
  function denseOp(w: Map<string, { shape: number[]; data: number[] }>, layer: string, input: string, out: string): GraphOp {
    const k = w.get(`${layer}/kernel`)!;
    const [K, U] = k.shape as [number, number];
    return { op: 'linear', W: Array.from({ length: U }, (_, u) => Array.from({ length: K }, (_, i) => k.data[i * U + u]!)), b: w.get(`${layer}/bias`)!.data, in: [input], out };
  }
  const lin = (W: number[][], input: string, out: string): GraphOp => ({ op: 'linear', W, b: new Array(W.length).fill(0), in: [input], out });
  const graphs: Record<string, () => GraphOp[]> = {
    functional: () => {
      const w = weightTable('functional');
      return [
        denseOp(w, 'h1', 'x', 'h1p'), { op: 'relu', in: ['h1p'], out: 'h1' },
        denseOp(w, 'h2', 'h1', 'h2'), { op: 'relu', in: ['h2'], out: 'r2' },
        { op: 'add', in: ['h1', 'r2'], out: 's' },
        denseOp(w, 'a', 's', 'ap'), { op: 'relu', in: ['ap'], out: 'a' },
        denseOp(w, 'b', 'x', 'b'),
        { op: 'concat', in: ['a', 'b'], out: 'ab' }, lin(interleave(4), 'ab', 'abi'), { op: 'maxgroups', k: 2, in: ['abi'], out: 'm' },
        { op: 'concat', in: ['m', 's'], out: 'c' },
        denseOp(w, 'head', 'c', 'y'),
      ];
    },
    merge: () => {
      const w = weightTable('merge');
      return [
        denseOp(w, 'p', 'x', 'pp'), { op: 'relu', in: ['pp'], out: 'p' },
        denseOp(w, 'q', 'x', 'q'),
        lin(negate(3), 'p', 'np'), lin(negate(3), 'q', 'nq'),
        { op: 'concat', in: ['np', 'nq'], out: 'npq' }, lin(interleave(3), 'npq', 'npqi'), { op: 'maxgroups', k: 2, in: ['npqi'], out: 'nmin' },
        lin(negate(3), 'nmin', 'mn'),
        { op: 'add', in: ['p', 'q'], out: 'pq' }, lin(identity(3, 0.5), 'pq', 'av'),
        { op: 'concat', in: ['mn', 'av', 'p'], out: 'c' },
        denseOp(w, 'out', 'c', 'y'),
      ];
    },
  };
  for (const name of ['functional', 'merge']) {
    it(`${name}.json (tf.model): on lines, the counts of the model written from its layers (exact 1-D reference)`, async () => {
      const net = loadTfjs(modelJson(name), weightsOf(name));
      for (const line of [
        { origin: [0.3, -0.2], direction: [1, 0.7], bounds: [-6, 6] as [number, number] },
        { origin: [-0.5, 0.25], direction: [-0.375, 1], bounds: [-8, 8] as [number, number] },
      ]) {
        const expected = countGraphOnLine(graphs[name]!(), line);
        const got = await countRegions(net, { origin: line.origin, directions: [line.direction], bounds: [line.bounds] });
        expect([got.activationRegions, got.linearRegions]).toEqual([expected.activationRegions, expected.linearRegions]);
        expect(expected.activationRegions).toBeGreaterThan(3);
      }
      const box = { bounds: [[-3, 3], [-3, 3]] as [number, number][] };
      const want = referenceCount(net, box);
      const got = await countRegions(net, box);
      expect([got.activationRegions, got.linearRegions]).toEqual([want.activationRegions, want.linearRegions]);
    });
  }

  it('functional.json: --until a merge layer counts the model up to it; layers after it are listed', () => {
    const r = readTfjs(modelJson('functional'), weightsOf('functional'), { until: 'residual' });
    expect(r.omitted).toEqual(['Dense a', 'Dense b', 'Maximum max', 'Concatenate cat', 'Dense head']);
    expect(r.network.layers.at(-1)!.weights.length).toBe(6);
    const w = weightTable('functional');
    const line = { origin: [0.3, -0.2], direction: [1, 0.7], bounds: [-6, 6] as [number, number] };
    const expected = countGraphOnLine(graphs.functional!().slice(0, 5), line);
    const got = referenceCount(r.network, { origin: line.origin, directions: [line.direction], bounds: [line.bounds] });
    expect([got.activationRegions, got.linearRegions]).toEqual([expected.activationRegions, expected.linearRegions]);
    expect(w.size).toBeGreaterThan(0);
  });

  it('functional models it cannot read are refused, naming the layer', () => {
    const base = modelJson('functional') as unknown as { modelTopology: { config: { layers: { name: string; inbound_nodes: unknown[] }[]; input_layers: unknown[] } } };
    const shared = structuredClone(base);
    const h2 = shared.modelTopology.config.layers.find((l) => l.name === 'h2')!;
    h2.inbound_nodes.push([['h1', 0, 0, {}]]);
    expect(tfjsError(() => loadTfjs(shared, weightsOf('functional'))).message).toContain('layer "h2" is called 2 times (a shared layer)');
    const twoInputs = structuredClone(base);
    twoInputs.modelTopology.config.input_layers.push(['input2', 0, 0]);
    expect(tfjsError(() => loadTfjs(twoInputs, weightsOf('functional'))).message).toContain('the functional model has 2 inputs');
    const unordered = structuredClone(base);
    unordered.modelTopology.config.layers.reverse();
    expect(tfjsError(() => loadTfjs(unordered, weightsOf('functional'))).message).toMatch(/reads "\w+", which is not computed before it/);
  });

  it('CLI: count model.json reads the weight files next to it and notes the cut softmax', () => {
    const cli = join(root, 'dist', 'cli', 'main.js');
    const r = spawnSync(process.execPath, [cli, 'count', join(dir, 'mlp.json'), '--box', '-2,2', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('note: left out (not piecewise linear): softmax of Dense dense_Dense6');
    const mlp = loadTfjs(modelJson('mlp'), weightsOf('mlp'));
    const want = referenceCount(mlp, { bounds: [[-2, 2], [-2, 2]] });
    expect(JSON.parse(r.stdout).activationRegions).toBe(want.activationRegions);
  });
});
