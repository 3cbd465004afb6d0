/** Small builders for hand-written test networks. */
import type { Activation, Domain, Layer, Network } from '../../src/network/types.js';
import { Rng } from '../reference/random-nets.js';

export function layer(weights: number[][], bias: number[], activation: Activation, extra: Partial<Layer> = {}): Layer {
  return { weights, bias, activation, ...extra };
}

export function net(inputDim: number, layers: Layer[], domain?: Domain): Network {
  const n: Network = { inputDim, layers };
  if (domain) n.domain = domain;
  return n;
}

/**
 * A seeded He-normal ReLU network (std sqrt(2 / fan-in), biases with std 0.3) with a linear last
 * layer: widths = [inputs, hidden..., outputs].
 */
export function gaussianNet(widths: number[], seed: number): Network {
  const rng = new Rng(seed);
  const layers = [];
  for (let i = 1; i < widths.length; i++) {
    const std = Math.sqrt(2 / widths[i - 1]!);
    const weights = Array.from({ length: widths[i]! }, () => Array.from({ length: widths[i - 1]! }, () => rng.gaussian() * std));
    const bias = Array.from({ length: widths[i]! }, () => rng.gaussian() * 0.3);
    layers.push(layer(weights, bias, i === widths.length - 1 ? 'linear' : 'relu'));
  }
  return net(widths[0]!, layers);
}
