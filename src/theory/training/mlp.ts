/**
 * A small fully connected ReLU network with one input and one output, as one flat Float64Array of
 * parameters, with a float64 forward pass and a hand-written reverse-mode gradient of the mean
 * squared error over a batch.
 *
 * Why hand-written: the networks are tiny (width 4, depth <= 20) and the MSE the experiment reaches
 * (1e-8 and below) is under what float32 autodiff (TensorFlow.js) can resolve; no maintained
 * float64 autodiff package for JavaScript was worth a dependency for one fixed architecture.
 *
 * Parameter layout, layer l = 1..L (sizes n_0 = 1, n_1..n_{L-1} hidden, n_L = 1): the weights of
 * layer l row by row (n_l x n_{l-1}), then its n_l biases. Hidden layers are ReLU, the last is
 * linear. ReLU'(0) = 0 (relu(0) = 0 counts as off, as in the counting engine).
 */
import { LinearRegionsError } from '../../errors.js';
import type { Layer, Network } from '../../network/types.js';

/** Sizes and parameter offsets of a 1-input, 1-output MLP. */
export interface MlpLayout {
  /** n_0 = 1, the hidden widths, n_L = 1. */
  sizes: readonly number[];
  /** weightOffset[l - 1]: where the weights of layer l start; biasOffset likewise. */
  weightOffset: readonly number[];
  biasOffset: readonly number[];
  /** Total number of parameters. */
  parameters: number;
}

export function mlpLayout(hiddenWidths: readonly number[]): MlpLayout {
  if (hiddenWidths.length === 0) throw new LinearRegionsError('E_ARGS', 'the network needs at least one hidden layer');
  hiddenWidths.forEach((w, i) => {
    if (!Number.isSafeInteger(w) || w < 1 || w > 1024) throw new LinearRegionsError('E_ARGS', `hidden layer ${i + 1} width must be an integer in [1, 1024], got ${w}`);
  });
  const sizes = [1, ...hiddenWidths, 1];
  const weightOffset: number[] = [];
  const biasOffset: number[] = [];
  let p = 0;
  for (let l = 1; l < sizes.length; l++) {
    weightOffset.push(p);
    p += sizes[l]! * sizes[l - 1]!;
    biasOffset.push(p);
    p += sizes[l]!;
  }
  return { sizes, weightOffset, biasOffset, parameters: p };
}

/** Preallocated buffers for {@link lossAndGradient} (one per layout; reused every step). */
export interface MlpWorkspace {
  /** Post-activations per layer, layer l at actOffset[l] (layer 0 is the input). */
  act: Float64Array;
  /** Pre-activations, same offsets. */
  pre: Float64Array;
  /** Back-propagated errors dL/d(pre-activation), same offsets. */
  delta: Float64Array;
  actOffset: Int32Array;
}

export function mlpWorkspace(layout: MlpLayout): MlpWorkspace {
  const actOffset = new Int32Array(layout.sizes.length);
  let n = 0;
  layout.sizes.forEach((s, l) => {
    actOffset[l] = n;
    n += s;
  });
  return { act: new Float64Array(n), pre: new Float64Array(n), delta: new Float64Array(n), actOffset };
}

/** Forward pass for one input; leaves the activations in `work` and returns the output. */
function forwardInto(params: Float64Array, layout: MlpLayout, x: number, work: MlpWorkspace): number {
  const { sizes, weightOffset, biasOffset } = layout;
  const { act, pre, actOffset } = work;
  act[0] = x;
  pre[0] = x;
  const L = sizes.length - 1;
  for (let l = 1; l <= L; l++) {
    const nIn = sizes[l - 1]!;
    const nOut = sizes[l]!;
    const inAt = actOffset[l - 1]!;
    const outAt = actOffset[l]!;
    let w = weightOffset[l - 1]!;
    const b = biasOffset[l - 1]!;
    for (let r = 0; r < nOut; r++) {
      let z = params[b + r]!;
      for (let c = 0; c < nIn; c++) z += params[w++]! * act[inAt + c]!;
      pre[outAt + r] = z;
      act[outAt + r] = l === L ? z : z > 0 ? z : 0;
    }
  }
  return act[actOffset[L]!]!;
}

/**
 * The network's output at each x: sum_c w_rc a_c + b_r accumulated left to right, starting from
 * the bias (the order the saved-network recomputation in the docs uses).
 */
export function predict(params: Float64Array, layout: MlpLayout, xs: ArrayLike<number>, out: Float64Array, work = mlpWorkspace(layout)): Float64Array {
  for (let i = 0; i < xs.length; i++) out[i] = forwardInto(params, layout, xs[i]!, work);
  return out;
}

/** Mean squared error of the network against `ys` at `xs` (in input order). */
export function meanSquaredError(params: Float64Array, layout: MlpLayout, xs: ArrayLike<number>, ys: ArrayLike<number>, work = mlpWorkspace(layout)): number {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    const e = forwardInto(params, layout, xs[i]!, work) - ys[i]!;
    sum += e * e;
  }
  return sum / xs.length;
}

/**
 * MSE over the points `index[from..to)` of (xs, ys) (all points when `index` is null), and its
 * gradient with respect to every parameter, written into `grad` (overwritten). Allocates nothing.
 */
export function lossAndGradient(
  params: Float64Array,
  layout: MlpLayout,
  xs: Float64Array,
  ys: Float64Array,
  grad: Float64Array,
  work: MlpWorkspace,
  index: Int32Array | null = null,
  from = 0,
  to = xs.length,
): number {
  const { sizes, weightOffset, biasOffset } = layout;
  const { act, pre, delta, actOffset } = work;
  const L = sizes.length - 1;
  grad.fill(0);
  const n = to - from;
  let sum = 0;
  for (let k = from; k < to; k++) {
    const i = index === null ? k : index[k]!;
    const e = forwardInto(params, layout, xs[i]!, work) - ys[i]!;
    sum += e * e;
    delta[actOffset[L]!] = (2 * e) / n;
    for (let l = L; l >= 1; l--) {
      const nIn = sizes[l - 1]!;
      const nOut = sizes[l]!;
      const inAt = actOffset[l - 1]!;
      const outAt = actOffset[l]!;
      const w = weightOffset[l - 1]!;
      const b = biasOffset[l - 1]!;
      for (let r = 0; r < nOut; r++) {
        const d = delta[outAt + r]!;
        grad[b + r] += d;
        const row = w + r * nIn;
        for (let c = 0; c < nIn; c++) grad[row + c] += d * act[inAt + c]!;
      }
      if (l > 1) {
        for (let c = 0; c < nIn; c++) {
          if (pre[inAt + c]! > 0) {
            let s = 0;
            for (let r = 0; r < nOut; r++) s += params[w + r * nIn + c]! * delta[outAt + r]!;
            delta[inAt + c] = s;
          } else {
            delta[inAt + c] = 0;
          }
        }
      }
    }
  }
  return sum / n;
}

/** The parameters of a 1-input, 1-output network whose hidden layers are ReLU and last layer linear. */
export function networkToParams(network: Network): { layout: MlpLayout; params: Float64Array } {
  const layers = network.layers;
  if (network.inputDim !== 1 || layers.length < 2) throw new LinearRegionsError('E_ARGS', 'training needs a network with 1 input, at least one hidden layer and 1 output');
  layers.forEach((layer, i) => {
    const want = i === layers.length - 1 ? 'linear' : 'relu';
    if (layer.activation !== want) throw new LinearRegionsError('E_ARGS', `training: layer ${i + 1} must be ${want}, got ${layer.activation}`);
  });
  const layout = mlpLayout(layers.slice(0, -1).map((l) => l.weights.length));
  if (layers[layers.length - 1]!.weights.length !== 1) throw new LinearRegionsError('E_ARGS', 'training: the network must have exactly 1 output');
  const params = new Float64Array(layout.parameters);
  layers.forEach((layer, l) => {
    const nIn = layout.sizes[l]!;
    layer.weights.forEach((row, r) => {
      if (row.length !== nIn) throw new LinearRegionsError('E_SHAPE', `training: layer ${l + 1} row ${r + 1} has ${row.length} weights, expected ${nIn}`);
      row.forEach((v, c) => (params[layout.weightOffset[l]! + r * nIn + c] = v));
    });
    layer.bias.forEach((v, r) => (params[layout.biasOffset[l]! + r] = v));
  });
  return { layout, params };
}

/** The network with these parameters (ReLU hidden layers, linear output), on the domain [0, 1]. */
export function paramsToNetwork(params: Float64Array, layout: MlpLayout): Network {
  const layers: Layer[] = [];
  const L = layout.sizes.length - 1;
  for (let l = 1; l <= L; l++) {
    const nIn = layout.sizes[l - 1]!;
    const nOut = layout.sizes[l]!;
    const w = layout.weightOffset[l - 1]!;
    const b = layout.biasOffset[l - 1]!;
    layers.push({
      weights: Array.from({ length: nOut }, (_, r) => Array.from(params.subarray(w + r * nIn, w + (r + 1) * nIn))),
      bias: Array.from(params.subarray(b, b + nOut)),
      activation: l === L ? 'linear' : 'relu',
    });
  }
  return { inputDim: 1, layers, domain: { bounds: [[0, 1]] } };
}
