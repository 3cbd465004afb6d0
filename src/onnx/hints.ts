/**
 * Messages for nodes that are not piecewise linear: which PyTorch layer most likely exported
 * them (recognised by op type and by the shape of the decomposition around the node), and what
 * to do about it.
 */
import type { GraphProto, NodeProto } from './proto/onnx_pb.js';

/** Ops a classifier's head ends in: cut by default (docs/onnx.md, "A softmax tail"). */
export const TAIL_OPS: ReadonlySet<string> = new Set(['Softmax', 'LogSoftmax', 'Sigmoid', 'ArgMax', 'Hardmax']);

const LAYERS: Record<string, string> = {
  Sigmoid: 'Sigmoid (nn.Sigmoid, torch.sigmoid)',
  Tanh: 'Tanh (nn.Tanh)',
  Softplus: 'Softplus (nn.Softplus)',
  Softsign: 'Softsign (nn.Softsign)',
  Elu: 'ELU (nn.ELU)',
  Selu: 'SELU (nn.SELU)',
  Celu: 'CELU (nn.CELU)',
  Gelu: 'GELU (nn.GELU)',
  Erf: 'GELU (nn.GELU, exported as Div, Erf, Add, Mul, Mul)',
  HardSwish: 'Hardswish (nn.Hardswish: x * hardsigmoid(x) is quadratic between -3 and 3)',
  Mish: 'Mish (nn.Mish)',
  Softmax: 'Softmax (nn.Softmax)',
  LogSoftmax: 'LogSoftmax (nn.LogSoftmax)',
  Exp: 'Exp (torch.exp)',
  Log: 'Log (torch.log)',
  Sqrt: 'Sqrt (torch.sqrt)',
  Pow: 'Pow (torch.pow or **)',
  Reciprocal: 'Reciprocal (1 / x)',
  Sin: 'Sin', Cos: 'Cos',
  ThresholdedRelu: 'ThresholdedReLU (discontinuous at the threshold)',
  Sign: 'Sign (discontinuous at 0)',
  Floor: 'Floor (discontinuous)', Ceil: 'Ceil (discontinuous)', Round: 'Round (discontinuous)',
  LRN: 'LocalResponseNorm (nn.LocalResponseNorm)',
  LayerNormalization: 'LayerNorm (nn.LayerNorm: divides by a computed standard deviation)',
  InstanceNormalization: 'InstanceNorm (nn.InstanceNorm: divides by a computed standard deviation)',
};

/**
 * The PyTorch layer a non-piecewise-linear node came from ("GELU (nn.GELU, ...)"), or undefined
 * when the op is not known to be non-piecewise-linear.
 */
export function nonLinearLayer(graph: GraphProto, node: NodeProto): string | undefined {
  const readers = (name: string) => graph.node.filter((n) => n.input.includes(name));
  if (node.opType === 'Sigmoid') {
    // SiLU: x * sigmoid(x), a Mul reading the Sigmoid and its input
    const x = node.input[0];
    if (readers(node.output[0] ?? '').some((n) => n.opType === 'Mul' && n.input.includes(x ?? ''))) return 'SiLU (nn.SiLU: x * sigmoid(x))';
  }
  if (node.opType === 'Softplus') {
    if (readers(node.output[0] ?? '').some((n) => n.opType === 'Tanh')) return 'Mish (nn.Mish: x * tanh(softplus(x)))';
  }
  if (node.opType === 'Tanh' || node.opType === 'Pow') {
    // GELU(approximate='tanh'): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    if (graph.node.some((n) => n.opType === 'Pow') && graph.node.some((n) => n.opType === 'Tanh')) return "GELU (nn.GELU(approximate='tanh'))";
  }
  if (node.opType === 'Mul') {
    // x * hardsigmoid(x) (Hardswish) or x * sigmoid(x) (SiLU), recognised at the Mul
    for (const name of node.input) {
      const by = graph.node.find((n) => n.output[0] === name);
      if (by && node.input.includes(by.input[0] ?? '')) {
        if (by.opType === 'HardSigmoid') return LAYERS.HardSwish;
        if (by.opType === 'Sigmoid') return 'SiLU (nn.SiLU: x * sigmoid(x))';
      }
    }
  }
  if (node.opType === 'Div' || node.opType === 'Mul') {
    // the first node of an exported GELU (x / sqrt(2)) when it reads into an Erf
    if (readers(node.output[0] ?? '').some((n) => n.opType === 'Erf')) return LAYERS.Erf;
  }
  return LAYERS[node.opType];
}

/** "... is not piecewise linear: count a ReLU version, or cut the graph with --until NODE". */
export function nonLinearAdvice(layer: string, before: string | undefined): string {
  const cut = before ? `cut the graph before it with --until "${before}" (API: readOnnx(bytes, { until }))` : 'cut the graph before it with --until NODE';
  return `${layer} is not piecewise linear, so it has no linear regions: count a ReLU version of the model, or ${cut}`;
}
