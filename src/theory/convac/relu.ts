/**
 * The ReLU counterpart of a ConvAC architecture (Sharir and Shashua 2018, section 5): the same
 * windows and strides, with the product of linear forms replaced by a sum and a ReLU,
 * y_j^g = relu(sum_k <w^{g,k}, x_{jS+k}>), then a linear output h = <a, y>. Built as a dense
 * network in the library's format (most weights zero), on inputs x in R^(N M): position j holds
 * x[j M .. j M + M - 1]. No biases, as in the paper's definition; the slices are taken through a
 * random point, so the arrangement they cut is not centred on the origin.
 */
import { createRng } from '../constructions.js';
import type { Layer, Network, SliceDomain } from '../../network/types.js';
import { outputPositions } from './spec.js';
import type { GcShape } from './construct.js';

/** The ReLU ConvNet for 1-D positions, with N(0, 1) weights from `seed`. */
export function reluConvNet(N: number, M: number, shapes: readonly GcShape[], seed: number): Network {
  const rng = createRng(seed);
  const layers: Layer[] = [];
  let P = N;
  let D = M;
  for (const { R, S, r } of shapes) {
    const Pn = outputPositions(P, R, S);
    const w = Array.from({ length: r }, () => Array.from({ length: R }, () => Array.from({ length: D }, () => rng.normal())));
    const weights: number[][] = [];
    for (let j = 0; j < Pn; j++) {
      for (let g = 0; g < r; g++) {
        const row = new Array<number>(P * D).fill(0);
        for (let k = 0; k < R; k++) for (let d = 0; d < D; d++) row[(j * S + k) * D + d] = w[g]![k]![d]!;
        weights.push(row);
      }
    }
    layers.push({ weights, bias: new Array<number>(Pn * r).fill(0), activation: 'relu' });
    P = Pn;
    D = r;
  }
  layers.push({ weights: [Array.from({ length: P * D }, () => rng.normal())], bias: [0], activation: 'linear' });
  return { inputDim: N * M, layers };
}

/** A plane slice through a random point: origin and directions N(0, I), parameters in [-2, 2]^2. */
export function randomSlice(inputDim: number, seed: number): SliceDomain {
  const rng = createRng(seed ^ 0x5bd1e995);
  const vec = (): number[] => Array.from({ length: inputDim }, () => rng.normal());
  return { origin: vec(), directions: [vec(), vec()], bounds: [[-2, 2], [-2, 2]] };
}
