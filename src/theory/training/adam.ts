/**
 * Adam (Kingma and Ba, "Adam: a method for stochastic optimization", ICLR 2015, Algorithm 1), in
 * float64, with the paper's defaults beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8:
 *
 *   m <- beta1 m + (1 - beta1) g,   v <- beta2 v + (1 - beta2) g^2,
 *   theta <- theta - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon).
 */
export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class Adam {
  readonly m: Float64Array;
  readonly v: Float64Array;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Steps taken so far (t in the paper). */
  t = 0;

  constructor(parameters: number, options: AdamOptions = {}) {
    this.m = new Float64Array(parameters);
    this.v = new Float64Array(parameters);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  /** One update of `params` in place from `grad`, with learning rate `lr`. */
  step(params: Float64Array, grad: Float64Array, lr: number): void {
    this.t++;
    const { m, v, beta1, beta2, epsilon } = this;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      params[i] -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + epsilon);
    }
  }
}
