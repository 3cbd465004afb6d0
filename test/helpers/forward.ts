import type { Network } from '../../src/network/types.js';

/**
 * Float64 forward pass of a network in our format (maxout: the max over each unit's pieces), to
 * compare an imported network with the exporting framework's own outputs at sample points.
 */
export function forward(net: Network, input: number[]): number[] {
  let h = input;
  for (const l of net.layers) {
    const z = l.weights.map((row, i) => row.reduce((s, w, j) => s + w * h[j]!, l.bias[i]!));
    if (l.activation === 'relu') h = z.map((v) => Math.max(0, v));
    else if (l.activation === 'leaky_relu') h = z.map((v) => (v > 0 ? v : l.alpha! * v));
    else if (l.activation === 'abs') h = z.map(Math.abs);
    else if (l.activation === 'maxout') {
      const k = l.pieces!;
      h = Array.from({ length: z.length / k }, (_, u) => Math.max(...z.slice(u * k, u * k + k)));
    } else h = z;
  }
  return h;
}
