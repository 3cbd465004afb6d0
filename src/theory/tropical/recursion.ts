/**
 * The tropical recursion of Zhang, Naitzat and Lim (ICML 2018), done literally: tropical
 * polynomials, (+) = max (union of monomials), (*) = + (Minkowski sum), scaling by a >= 0, and a
 * reduction to the upper-hull vertices after every operation.
 *
 * With A = A+ - A- (entrywise parts), F0 = x, G0 = 0, each layer forms
 *   H = A+ F (*) A- G (*) b,   K = A+ G (*) A- F      (pre-activation z = H - K)
 * and the activation gives the new (F, G) by the table of the project's issue 12:
 *   relu                 F = H (+) K                       G = K
 *   linear               F = H                             G = K
 *   leaky, 0 <= a <= 1   F = H (+) (aH (*) (1-a)K)         G = K
 *   leaky, a < 0         F = (1-a)(H (+) K)                G = K (*) (-a)H
 *   leaky, a > 1         F = aH                            G = K (*) (a-1)(H (+) K)
 *   abs                  F = 2(H (+) K)                    G = K (*) H
 *   maxout, pieces r     F = (+)_r (H_r (*) (*)_{s!=r} K_s)    G = (*)_s K_s
 * Each unit then equals F - G. This is the slow, plain path (the fast one is regions.ts); the tests
 * check that both give the same reduced polynomials, and bench/tropical.js times both.
 */
import type { Network } from '../../network/types.js';
import { fromDouble, type Scaled } from './dyadic.js';
import { DEFAULT_MAX_MONOMIALS, TropicalPolynomial } from './polynomial.js';

export interface TropicalPair {
  F: TropicalPolynomial;
  G: TropicalPolynomial;
}

/** 1 - a, a - 1 and -a for a float64 a, exactly. */
function affineOf(a: number, times: bigint, plus: bigint): Scaled {
  const { int, scale } = fromDouble(a);
  return { int: times * int + (plus << BigInt(scale)), scale };
}

/**
 * (F, G) of every output unit of a validated network, by the recursion above.
 * `maxMonomials` bounds every polynomial and product (LinearRegionsError E_TOO_LARGE beyond it).
 */
export function tropicalRecursion(network: Network, maxMonomials = DEFAULT_MAX_MONOMIALS): TropicalPair[] {
  const n = network.inputDim;
  let units: TropicalPair[] = Array.from({ length: n }, (_, i) => ({
    F: TropicalPolynomial.variable(n, i),
    G: TropicalPolynomial.constant(n, 0),
  }));
  const mul = (p: TropicalPolynomial, q: TropicalPolynomial): TropicalPolynomial => p.mul(q, maxMonomials);
  const max = (p: TropicalPolynomial, q: TropicalPolynomial): TropicalPolynomial => p.add(q, maxMonomials);
  for (const layer of network.layers) {
    const H: TropicalPolynomial[] = [];
    const K: TropicalPolynomial[] = [];
    layer.weights.forEach((row, r) => {
      let h = TropicalPolynomial.constant(n, layer.bias[r]!);
      let k = TropicalPolynomial.constant(n, 0);
      row.forEach((w, j) => {
        if (w > 0) {
          h = mul(h, units[j]!.F.scaleBy(w));
          k = mul(k, units[j]!.G.scaleBy(w));
        } else if (w < 0) {
          h = mul(h, units[j]!.G.scaleBy(-w));
          k = mul(k, units[j]!.F.scaleBy(-w));
        }
      });
      H.push(h);
      K.push(k);
    });
    const next: TropicalPair[] = [];
    if (layer.activation === 'maxout') {
      const k = layer.pieces as number;
      for (let u = 0; u < H.length / k; u++) {
        let G = K[u * k]!;
        for (let s = 1; s < k; s++) G = mul(G, K[u * k + s]!);
        let F: TropicalPolynomial | null = null;
        for (let r = 0; r < k; r++) {
          let term = H[u * k + r]!;
          for (let s = 0; s < k; s++) if (s !== r) term = mul(term, K[u * k + s]!);
          F = F === null ? term : max(F, term);
        }
        next.push({ F: F!, G });
      }
    } else {
      const a = layer.alpha ?? 0;
      for (let r = 0; r < H.length; r++) {
        const h = H[r]!;
        const k = K[r]!;
        switch (layer.activation) {
          case 'relu':
            next.push({ F: max(h, k), G: k });
            break;
          case 'linear':
            next.push({ F: h, G: k });
            break;
          case 'abs':
            next.push({ F: max(h, k).scaleBy(2), G: mul(k, h) });
            break;
          case 'leaky_relu':
            if (a >= 0 && a <= 1) next.push({ F: max(h, mul(h.scaleBy(a), k.scaleBy(affineOf(a, -1n, 1n)))), G: k });
            else if (a < 0) next.push({ F: max(h, k).scaleBy(affineOf(a, -1n, 1n)), G: mul(k, h.scaleBy(-a)) });
            else next.push({ F: h.scaleBy(a), G: mul(k, max(h, k).scaleBy(affineOf(a, 1n, -1n))) });
            break;
        }
      }
    }
    units = next;
  }
  return units;
}
