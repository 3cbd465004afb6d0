// Training with guaranteed regions (src/theory/training/): gradients against central finite
// differences, Adam against a hand computation, the reparameterised network against the paper's
// formula y = c0 + c1 x + c2 sum_i s_i W_i evaluated directly, exactly 2^d regions at every phase-1
// checkpoint (exact counts), the experiment's JSON and saved networks recounted and re-evaluated
// with an independent forward pass, seeded reproducibility, and coded errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { countRegionsSync } from '../src/index.node.js';
import { LinearRegionsError } from '../src/errors.js';
import type { Network } from '../src/network/types.js';
import { createRng } from '../src/theory/constructions.js';
import { Adam } from '../src/theory/training/adam.js';
import { lossAndGradient, mlpLayout, mlpWorkspace, networkToParams, paramsToNetwork } from '../src/theory/training/mlp.js';
import { fitOutputCoefficients, milkertLayout, milkertNetworkFromPeaks, peakGradient, setWeightsFromPeaks } from '../src/theory/training/reparam.js';
import { TARGETS, interpolantMse, optimalKnots, testGrid } from '../src/theory/training/targets.js';
import { PEAK_MIN, Trainer, kaimingNetwork, peakBound, trainKaiming, trainMilkert } from '../src/theory/training/train.js';
import { milkertExperiment } from '../src/theory/training/experiment.js';

/** An independent forward pass over the network JSON (number[][] rows, left-to-right sums from the bias). */
function forward(net: Network, x: number): number {
  let a = [x];
  net.layers.forEach((layer) => {
    a = layer.weights.map((row, r) => {
      let z = layer.bias[r]!;
      row.forEach((w, c) => (z += w * a[c]!));
      return layer.activation === 'relu' ? Math.max(0, z) : z;
    });
  });
  return a[0]!;
}

function mseOf(net: Network, f: (x: number) => number): number {
  let s = 0;
  for (let j = 0; j <= 10000; j++) {
    const x = j / 10000;
    s += (forward(net, x) - f(x)) ** 2;
  }
  return s / 10001;
}

/** Triangle T_a(u) = u / a on [0, a], (1 - u) / (1 - a) on [a, 1] (the paper's building block). */
const tri = (a: number, u: number): number => (u <= a ? u / a : (1 - u) / (1 - a));

describe('gradients against central finite differences', () => {
  test('free weights: dMSE/dparam of a Kaiming-initialised width-4 depth-4 network', () => {
    const seed = 7;
    const { layout, params } = networkToParams(kaimingNetwork(4, seed));
    const rng = createRng(seed);
    const xs = Float64Array.from({ length: 40 }, () => rng.uniform());
    const ys = xs.map((x) => Math.sin(3 * x));
    const grad = new Float64Array(layout.parameters);
    const scratch = new Float64Array(layout.parameters);
    const work = mlpWorkspace(layout);
    lossAndGradient(params, layout, xs, ys, grad, work);
    const h = 1e-6;
    for (let i = 0; i < layout.parameters; i++) {
      const keep = params[i]!;
      params[i] = keep + h;
      const up = lossAndGradient(params, layout, xs, ys, scratch, work);
      params[i] = keep - h;
      const down = lossAndGradient(params, layout, xs, ys, scratch, work);
      params[i] = keep;
      const fd = (up - down) / (2 * h);
      expect(Math.abs(grad[i]! - fd), `parameter ${i}, seed ${seed}`).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
    }
  });

  test('reparameterised: dMSE/d(a_1..a_d, c0, c1, c2) through the weight-setting map', () => {
    for (const seed of [1, 2, 3]) {
      const depth = 5;
      const rng = createRng(seed);
      const theta = Float64Array.from([...Array.from({ length: depth }, () => 0.2 + 0.6 * rng.uniform()), rng.normal(), rng.normal(), rng.normal()]);
      const layout = milkertLayout(depth);
      const xs = Float64Array.from({ length: 97 }, () => rng.uniform());
      const ys = xs.map((x) => x ** 3);
      const params = new Float64Array(layout.parameters);
      const gradW = new Float64Array(layout.parameters);
      const work = mlpWorkspace(layout);
      const loss = (t: Float64Array): number => {
        setWeightsFromPeaks(t, depth, layout, params);
        return lossAndGradient(params, layout, xs, ys, gradW, work);
      };
      loss(theta);
      const g = new Float64Array(depth + 3);
      peakGradient(theta, depth, layout, gradW, g);
      const h = 1e-6;
      for (let i = 0; i < depth + 3; i++) {
        const up = theta.slice();
        const down = theta.slice();
        up[i] += h;
        down[i] -= h;
        const fd = (loss(up) - loss(down)) / (2 * h);
        expect(Math.abs(g[i]! - fd), `theta ${i}, seed ${seed}`).toBeLessThan(1e-6 * Math.max(1e-2, Math.abs(fd)));
      }
    }
  });
});

describe('gradients against central finite differences: mini-batches', () => {
  test('the gradient over index[from..to) is the derivative of the MSE over those points only', () => {
    const seed = 13;
    const { layout, params } = networkToParams(kaimingNetwork(3, seed));
    const rng = createRng(seed);
    const xs = Float64Array.from({ length: 64 }, () => rng.uniform());
    const ys = xs.map((x) => Math.exp(x));
    const index = Int32Array.from({ length: 64 }, (_, i) => (i * 37) % 64); // a permutation of 0..63
    const [from, to] = [16, 40];
    const grad = new Float64Array(layout.parameters);
    const scratch = new Float64Array(layout.parameters);
    const work = mlpWorkspace(layout);
    const loss = lossAndGradient(params, layout, xs, ys, grad, work, index, from, to);
    // The batch loss from an independent forward pass over the batch's points only.
    const batchLoss = (): number => {
      const net = paramsToNetwork(params, layout);
      let sum = 0;
      for (let k = from; k < to; k++) sum += (forward(net, xs[index[k]!]!) - ys[index[k]!]!) ** 2;
      return sum / (to - from);
    };
    expect(loss).toBeCloseTo(batchLoss(), 14);
    const h = 1e-6;
    for (let i = 0; i < layout.parameters; i++) {
      const keep = params[i]!;
      params[i] = keep + h;
      const up = lossAndGradient(params, layout, xs, ys, scratch, work, index, from, to);
      params[i] = keep - h;
      const down = lossAndGradient(params, layout, xs, ys, scratch, work, index, from, to);
      params[i] = keep;
      const fd = (up - down) / (2 * h);
      expect(Math.abs(grad[i]! - fd), `parameter ${i}, seed ${seed}`).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
    }
  });
});

test('Adam: two steps against a hand computation (beta1 0.9, beta2 0.999, eps 1e-8, lr 0.1)', () => {
  const adam = new Adam(2);
  const p = Float64Array.from([1, -2]);
  adam.step(p, Float64Array.from([0.5, -0.1]), 0.1);
  // Step 1: bias-corrected m = g, v = g^2, so the step is lr g / (|g| + eps).
  expect(p[0]).toBeCloseTo(1 - (0.1 * 0.5) / (0.5 + 1e-8), 15);
  expect(p[1]).toBeCloseTo(-2 + (0.1 * 0.1) / (0.1 + 1e-8), 15);
  adam.step(p, Float64Array.from([0.25, 0.3]), 0.1);
  // Step 2, by hand: m = 0.9 * 0.05 + 0.1 * 0.25 = 0.07, v = 0.999 * 0.00025 + 0.001 * 0.0625 = 3.1225e-4;
  // p0 = 0.900000002 - 0.1 (0.07 / 0.19) / (sqrt(3.1225e-4 / 0.001999) + 1e-8) = 0.8067820404774624.
  expect(p[0]).toBeCloseTo(0.8067820404774624, 14);
  expect(p[1]).toBeCloseTo(-1.9494189911200654, 14);
});

describe('the reparameterised network', () => {
  test('computes c0 + c1 x + c2 sum_i s_i W_i with the recurrence s_i = s_{i-1} (1 - a_i) a_{i+1}', () => {
    const depth = 4;
    const a = [0.3, 0.65, 0.5, 0.45];
    const theta = [...a, 0.2, 1.5, -0.7];
    const net = milkertNetworkFromPeaks(theta, depth);
    const layout = milkertLayout(depth);
    const smooth = new Float64Array(layout.parameters);
    setWeightsFromPeaks(theta, depth, layout, smooth);
    const { params } = networkToParams(net);
    for (let i = 0; i < params.length; i++) expect(Math.abs(params[i]! - smooth[i]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(smooth[i]!)));
    const s = [1];
    for (let i = 1; i <= depth; i++) s.push(s[i - 1]! * (1 - a[i - 1]!) * (i < depth ? a[i]! : 0.5));
    for (let j = 0; j <= 200; j++) {
      const x = j / 200;
      let w = x;
      let g = 0;
      for (let i = 1; i <= depth; i++) {
        w = tri(a[i - 1]!, w);
        g += s[i]! * w;
      }
      expect(forward(net, x)).toBeCloseTo(0.2 + 1.5 * x - 0.7 * g, 12);
    }
  });

  test('the projection bounds keep the construction valid at the extremes, depth 1 to 20', () => {
    for (let depth = 1; depth <= 20; depth++) {
      const p = peakBound(depth);
      for (const pick of [(): number => p, (): number => 1 - p, (i: number) => (i % 2 ? 1 - p : p), (i: number) => (i % 2 ? p : 1 - p)]) {
        const peaks = Array.from({ length: depth }, (_, i) => pick(i));
        const net = milkertNetworkFromPeaks([...peaks, 0.1, 1, -1], depth);
        if (depth <= 12) expect(countRegionsSync(net).linearRegions, `depth ${depth}, peaks ${peaks.join(',')}`).toBe(2 ** depth);
      }
    }
  });

  test('the initial least-squares output coefficients recover c from y = c0 + c1 x + c2 G exactly', () => {
    const depth = 5;
    const a = [0.35, 0.6, 0.45, 0.52, 0.4];
    const s = [1];
    for (let i = 1; i <= depth; i++) s.push(s[i - 1]! * (1 - a[i - 1]!) * (i < depth ? a[i]! : 0.5));
    const xs = Float64Array.from({ length: 300 }, (_, k) => (k + 0.5) / 300);
    const ys = xs.map((x) => {
      let w = x;
      let g = 0;
      for (let i = 1; i <= depth; i++) {
        w = tri(a[i - 1]!, w);
        g += s[i]! * w;
      }
      return 0.3 + 2 * x - 0.5 * g;
    });
    const theta = Float64Array.from([...a, 0, 1, -1]);
    fitOutputCoefficients(theta, depth, xs, ys);
    expect(theta[depth]).toBeCloseTo(0.3, 10);
    expect(theta[depth + 1]).toBeCloseTo(2, 10);
    expect(theta[depth + 2]).toBeCloseTo(-0.5, 10);
  });

  test('exactly 2^d activation and linear regions for seeded peaks in [PEAK_MIN, 1 - PEAK_MIN] and random c', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 12; trial++) {
      const depth = 1 + (trial % 8);
      const peaks = Array.from({ length: depth }, (_, i) => (trial === 0 ? (i % 2 ? 1 - PEAK_MIN : PEAK_MIN) : 0.05 + 0.9 * rng.uniform()));
      const theta = [...peaks, 3 * rng.normal(), 3 * rng.normal(), 3 * rng.normal()];
      const r = countRegionsSync(milkertNetworkFromPeaks(theta, depth));
      expect(r.activationRegions, `trial ${trial}, seed 11`).toBe(2 ** depth);
      expect(r.linearRegions, `trial ${trial}, seed 11`).toBe(2 ** depth);
    }
  });
});

describe('training', { timeout: 120_000 }, () => {
  test('phase 1 keeps exactly 2^d linear regions at every checkpoint (exact counts)', async () => {
    for (const [depth, target] of [[4, 'x3'], [5, 'sin'], [6, 'exp']] as const) {
      const r = await trainMilkert(countRegionsSync, { depth, target, phase1Steps: 300, phase2Steps: 30, countEvery: 15, seed: depth });
      const phase1 = r.checkpoints.filter((c) => c.phase === 'phase1');
      expect(phase1.length).toBeGreaterThanOrEqual(21);
      for (const c of phase1) {
        expect(c.linearRegions, `depth ${depth}, step ${c.step}`).toBe(2 ** depth);
        expect(c.activationRegions, `depth ${depth}, step ${c.step}`).toBe(2 ** depth);
      }
      expect(countRegionsSync(r.phase1Network!).linearRegions).toBe(2 ** depth);
      expect(r.loss).toHaveLength(330);
      // The phase-1 loss goes down.
      expect(r.loss[299]!).toBeLessThan(r.loss[0]!);
      expect(r.phase1TestMse).toBeCloseTo(mseOf(r.phase1Network!, TARGETS[target].f), 15);
      expect(r.testMse).toBeCloseTo(mseOf(r.network, TARGETS[target].f), 15);
    }
  });

  test('phase 1 trains only a_1..a_d, c0, c1, c2 (weights set from them); phase 2 starts from the phase-1 network and trains all 20d - 7 parameters', () => {
    const depth = 4;
    const t = new Trainer('milkert', { depth, target: 'x2', phase1Steps: 40, phase2Steps: 20, seed: 4 });
    const layout = milkertLayout(depth);
    const fromPeaks = new Float64Array(layout.parameters);
    expect(t['adam'].m.length).toBe(depth + 3);
    for (let i = 0; i < 39; i++) {
      // Each step sets the weights from the current peaks, then updates the peaks only.
      setWeightsFromPeaks(t.theta, depth, layout, fromPeaks);
      t.takeStep();
      expect(Array.from(t.params), `phase-1 step ${i + 1}: the weights are the map of the peaks`).toEqual(Array.from(fromPeaks));
    }
    t.takeStep();
    expect(t.phase).toBe('phase2');
    const p1 = t.phase1Network()!;
    expect(Array.from(t.params)).toEqual(Array.from(networkToParams(p1).params));
    expect(t['adam'].m.length).toBe(20 * depth - 7);
    const theta = Array.from(t.theta);
    // The first phase-2 loss is the training MSE of the phase-1 network (256 points (k + 1/2) / 256).
    const first = t.takeStep();
    let sum = 0;
    for (let k = 0; k < 256; k++) sum += (forward(p1, (k + 0.5) / 256) - ((k + 0.5) / 256) ** 2) ** 2;
    expect(first).toBeCloseTo(sum / 256, 15);
    while (t.phase !== 'done') t.takeStep();
    expect(Array.from(t.theta)).toEqual(theta); // the peaks no longer move
    const changed = Array.from(t.params).filter((v, i) => v !== networkToParams(p1).params[i]).length;
    expect(changed).toBeGreaterThan(depth + 3); // weights move freely, not through the map
    expect(t.loss).toHaveLength(60);
  });

  test('Kaiming init: He normal, weights N(0, 2 / fan_in), biases N(0, 0.25^2) (sample variances over 400 seeds)', () => {
    const first: number[] = [];
    const hidden: number[] = [];
    const biases: number[] = [];
    for (let seed = 1; seed <= 400; seed++) {
      const net = kaimingNetwork(6, seed);
      expect(net.layers.map((l) => l.weights.length)).toEqual([4, 4, 4, 4, 4, 4, 1]);
      net.layers.forEach((l, i) => {
        for (const row of l.weights) (i === 0 ? first : hidden).push(...row);
        biases.push(...l.bias);
      });
    }
    const variance = (v: number[]): number => v.reduce((s, x) => s + x * x, 0) / v.length;
    expect(Math.abs(variance(first) / 2 - 1)).toBeLessThan(0.12); // fan_in 1: 1,600 samples
    expect(Math.abs(variance(hidden) / 0.5 - 1)).toBeLessThan(0.05); // fan_in 4: 33,600 samples
    expect(Math.abs(variance(biases) / 0.0625 - 1)).toBeLessThan(0.05);
  });

  test('the experiment trains Kaiming for exactly phase1Steps + phase2Steps steps, from the same seed', async () => {
    const saved: Record<string, Network> = {};
    await milkertExperiment(countRegionsSync, {
      functions: ['x3'],
      depth: 3,
      trials: 1,
      seed: 8,
      phase1Steps: 20,
      phase2Steps: 45,
      onNetwork: (_fn, method, _trial, network) => {
        saved[method] = network;
      },
    });
    const weights = (n: Network) => Array.from(networkToParams(n).params);
    const kaiming = (steps: number) => trainKaiming(countRegionsSync, { depth: 3, seed: 8, steps }).then((r) => weights(r.network));
    expect(weights(saved.kaiming!)).toEqual(await kaiming(65));
    expect(weights(saved.kaiming!)).not.toEqual(await kaiming(64));
    const m = await trainMilkert(countRegionsSync, { depth: 3, seed: 8, phase1Steps: 20, phase2Steps: 45 });
    expect(weights(saved.phase2!)).toEqual(weights(m.network));
    expect(weights(saved.phase1!)).toEqual(weights(m.phase1Network!));
  });

  test('Kaiming: same architecture, regions counted at the start and the end', async () => {
    const r = await trainKaiming(countRegionsSync, { depth: 3, steps: 50, seed: 2 });
    expect(r.network.layers.map((l) => l.weights.length)).toEqual([4, 4, 4, 1]);
    expect(r.checkpoints[0]!.step).toBe(0);
    expect(r.checkpoints.at(-1)!.step).toBe(50);
    expect(r.checkpoints.at(-1)!.linearRegions).toBe(countRegionsSync(r.network).linearRegions);
    expect(r.loss).toHaveLength(50);
  });

  test('an abort signal stops training with a partial result; progress is reported', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const r = await trainMilkert(countRegionsSync, {
      depth: 4,
      steps: 10_000_000,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.phase);
        if (seen.length >= 2) controller.abort();
      },
    });
    expect(r.partial).toBe(true);
    expect(seen[0]).toBe('phase1');
    expect(r.loss.length).toBeLessThan(10_000_000);
  });

  // The full-budget gap (about 100x and more) is the README's measured table; this small budget
  // (depth 5, 2400 steps, 128 points, seeds 1-2) shows the same ordering in a few seconds.
  test('the x^3 gap on a small budget: phase 1 + 2 beats Kaiming by more than 3x in min test MSE', async () => {
    const res = await milkertExperiment(countRegionsSync, { functions: ['x3'], depth: 5, trials: 2, steps: 2400, trainPoints: 128 });
    const m = res.targets[0]!.methods;
    expect(Math.min(...m.kaiming.testMse) / Math.min(...m.phase2.testMse)).toBeGreaterThan(3);
    expect(Math.max(...m.phase2.testMse)).toBeLessThan(Math.min(...m.phase1.testMse));
    expect(m.phase1.linearRegions).toEqual([32, 32]);
  });

  test('bad options throw coded errors and the next call still works', async () => {
    const bad: [object, RegExp][] = [
      [{ depth: 0 }, /depth/],
      [{ depth: 2.5 }, /depth/],
      [{ target: 'x4' }, /target function "x4"/],
      [{ lrPhase1: -1 }, /lrPhase1/],
      [{ lrDecay: 2 }, /lrDecay/],
      [{ warmup: 1.5 }, /warmup/],
      [{ steps: -3 }, /steps/],
      [{ batchSize: 1000 }, /batchSize/],
      [{ countEvery: 0 }, /countEvery/],
    ];
    for (const [options, message] of bad) {
      const e = await trainMilkert(countRegionsSync, options).catch((x: unknown) => x);
      expect(e, JSON.stringify(options)).toBeInstanceOf(LinearRegionsError);
      expect((e as LinearRegionsError).code).toBe('E_ARGS');
      expect((e as Error).message).toMatch(message);
    }
    for (const [options, message] of [
      [{ signal: 'stop' }, /options.signal must be an AbortSignal/],
      [{ onProgress: 3 }, /options.onProgress must be a function/],
    ] as const) {
      await expect(trainKaiming(countRegionsSync, options as never)).rejects.toMatchObject({ code: 'E_ARGS', message: expect.stringMatching(message) });
    }
    await expect(milkertExperiment(countRegionsSync, null as never)).rejects.toMatchObject({ code: 'E_ARGS' });
    await expect(milkertExperiment(countRegionsSync, { onNetwork: 'x' } as never)).rejects.toMatchObject({ code: 'E_ARGS', message: expect.stringMatching(/onNetwork/) });
    await expect(trainKaiming(null as never)).rejects.toThrow(/counting function/);
    expect(() => new Trainer('adam' as never)).toThrow(/training method/);
    expect(() => milkertNetworkFromPeaks([0.5, 1, 0, 1, 1], 2)).toThrow(/peak 2/);
    const ok = await trainKaiming(countRegionsSync, { depth: 2, steps: 5 });
    expect(ok.loss).toHaveLength(5);
  });

  test('mini-batches: every epoch visits each training point once (seeded)', () => {
    const t = new Trainer('kaiming', { depth: 2, steps: 8, trainPoints: 16, batchSize: 4, seed: 9 });
    const epochs: number[][] = [[], []];
    for (let i = 0; i < 8; i++) {
      t.takeStep();
      const index = t['batchIndex']!;
      epochs[Math.floor(i / 4)]!.push(...index.subarray(t['batchFrom'], t['batchTo']));
    }
    for (const epoch of epochs) expect([...epoch].sort((a, b) => a - b), 'seed 9').toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(epochs[0]).not.toEqual(epochs[1]); // reshuffled
    expect(t.phase).toBe('done');
    expect(t.loss).toHaveLength(8);
    expect(mlpLayout([4, 4]).parameters).toBe(4 + 4 + 16 + 4 + 4 + 1);
  });
});

describe('reference: 2^d-piece interpolants', () => {
  test('optimal knots for x^3 are (k/n)^(5/7); for x^2 uniform', () => {
    const k = optimalKnots(TARGETS.x3, 64);
    for (let i = 0; i <= 64; i++) expect(k[i]).toBeCloseTo((i / 64) ** (5 / 7), 5);
    const u = optimalKnots(TARGETS.x2, 16);
    for (let i = 0; i <= 16; i++) expect(u[i]).toBeCloseTo(i / 16, 5);
  });
  test('x^2 with n uniform pieces: the L2 error integrates to h^4 / 30 (error (x - x0)(x1 - x) on each piece)', () => {
    const n = 32;
    const knots = Float64Array.from({ length: n + 1 }, (_, i) => i / n);
    const mse = interpolantMse(TARGETS.x2, knots, testGrid());
    expect(Math.abs(mse / (n ** -4 / 30) - 1)).toBeLessThan(0.01);
  });
});

describe('CLI: linear-regions experiment milkert', { timeout: 120_000 }, () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const cli = join(root, 'dist', 'cli', 'main.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  const dir = mkdtempSync(join(tmpdir(), 'lr-training-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  interface MethodJson {
    testMse: number[];
    linearRegions: number[];
    initialLinearRegions: number[];
    seconds: number;
  }
  interface ExperimentJson {
    experiment: string;
    depth: number;
    targets: { function: string; methods: Record<'phase1' | 'phase2' | 'kaiming', MethodJson> }[];
  }
  const args = ['experiment', 'milkert', '--function', 'x3,sin', '--depth', '4', '--trials', '2', '--steps', '120', '--seed', '5', '--json'];

  test('--json prints one object of the documented shape; --save writes networks that recount to it', () => {
    const r = run(...args, '--save', dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout) as ExperimentJson;
    expect(out.experiment).toBe('milkert');
    expect(out.depth).toBe(4);
    expect(out.targets.map((t) => t.function)).toEqual(['x3', 'sin']);
    for (const t of out.targets) {
      expect(Object.keys(t.methods)).toEqual(['phase1', 'phase2', 'kaiming']);
      for (const [method, m] of Object.entries(t.methods)) {
        expect(m.testMse).toHaveLength(2);
        expect(m.linearRegions).toHaveLength(2);
        expect(typeof m.seconds).toBe('number');
        for (let trial = 1; trial <= 2; trial++) {
          const file = join(dir, `${t.function}-${method}-${trial}.json`);
          const net = JSON.parse(readFileSync(file, 'utf8')) as Network;
          expect(net.domain).toEqual({ bounds: [[0, 1]] });
          expect(countRegionsSync(net).linearRegions, file).toBe(m.linearRegions[trial - 1]);
          const f = TARGETS[t.function as 'x3' | 'sin'].f;
          expect(Math.abs(mseOf(net, f) - m.testMse[trial - 1]!)).toBeLessThanOrEqual(1e-12 * m.testMse[trial - 1]!);
        }
      }
      expect(t.methods.phase1.linearRegions).toEqual([16, 16]);
      // Exact counts at initialisation, after phase 1 and after phase 2, for every trial and both methods.
      expect(t.methods.phase1.initialLinearRegions).toEqual([16, 16]);
      expect(t.methods.phase2.initialLinearRegions).toEqual(t.methods.phase1.linearRegions);
      expect(t.methods.kaiming.initialLinearRegions).toEqual([5, 6].map((seed) => countRegionsSync(kaimingNetwork(4, seed)).linearRegions));
    }
    expect(readdirSync(dir)).toHaveLength(12);
    // `linear-regions count` on a saved file agrees.
    const c = run('count', join(dir, 'x3-phase2-1.json'), '--json');
    expect(JSON.parse(c.stdout).linearRegions).toBe(out.targets[0]!.methods.phase2.linearRegions[0]);
  });

  test('seeded: the same command gives the same numbers, another seed different ones', () => {
    const strip = (text: string) => (JSON.parse(text) as ExperimentJson).targets.map((t) => Object.values(t.methods).map((m) => [m.testMse, m.linearRegions]));
    const a = run(...args);
    const b = run(...args);
    expect(strip(a.stdout)).toEqual(strip(b.stdout));
    const c = run(...args.slice(0, -3), '--seed', '6', '--json');
    expect(strip(c.stdout)).not.toEqual(strip(a.stdout));
  });

  test('the table names every method and the interpolant reference', () => {
    const r = run('experiment', 'milkert', '--depth', '3', '--trials', '1', '--steps', '30');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/phase 1 \+ 2/);
    expect(r.stdout).toMatch(/Kaiming/);
    expect(r.stdout).toMatch(/2\^3-piece interpolant/);
  });

  test('bad arguments: one line on stderr, exit 2 (E_ARGS) or 1 (E_FILE)', () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const cases: [string[], number, RegExp][] = [
      [['--function', 'x4'], 2, /--function/],
      [['--depth', '0'], 2, /--depth/],
      [['--depth', '21'], 2, /--depth/],
      [['--trials', 'abc'], 2, /--trials/],
      [['--steps', '1'], 2, /--steps/],
      [['--box', '2'], 2, /does not take --box/],
      [['--positions', '8'], 2, /does not take --positions/],
      [['--relu'], 2, /does not take --relu/],
      [['--save', join(file, 'sub')], 1, /--save/],
    ];
    for (const [extra, status, message] of cases) {
      const r = run('experiment', 'milkert', ...extra);
      expect(r.status, extra.join(' ')).toBe(status);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/at .*\.js/);
    }
    const d = run('experiment', 'deep-vs-shallow', '--trials', '2');
    expect(d.status).toBe(2);
    expect(d.stderr).toMatch(/does not take --trials/);
  });
});
