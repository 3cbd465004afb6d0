/** Small builders for hand-written test networks. */
import type { Activation, Domain, Layer, Network } from '../../src/network/types.js';

export function layer(weights: number[][], bias: number[], activation: Activation, extra: Partial<Layer> = {}): Layer {
  return { weights, bias, activation, ...extra };
}

export function net(inputDim: number, layers: Layer[], domain?: Domain): Network {
  const n: Network = { inputDim, layers };
  if (domain) n.domain = domain;
  return n;
}
