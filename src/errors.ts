/**
 * The one error class of linear-regions. `code` is stable across releases and safe to branch on;
 * `message` names the layer, row or field at fault.
 */
export type ErrorCode =
  | 'E_FILE' // a file could not be read (missing, unreadable)
  | 'E_JSON' // not JSON, or truncated JSON
  | 'E_FORMAT' // JSON of the wrong shape: missing field, wrong type, unknown field value
  | 'E_NONFINITE' // a weight, bias, bound or direction is NaN or +-Infinity (1e400 parses as Infinity)
  | 'E_SHAPE' // ragged rows, layers that do not chain, wrong bias length, maxout rows not divisible by pieces
  | 'E_ACTIVATION' // unknown activation, or an activation parameter (alpha, pieces) out of range
  | 'E_INPUT_DIM' // inputDim not a positive integer
  | 'E_DOMAIN' // bounds with lo > hi, wrong number of bounds, slice directions of wrong length or dependent, a polytope with an empty interior
  | 'E_DIMENSION' // more dimensions than the n-D engine counts (64)
  | 'E_TOO_LARGE' // the network or its exact arithmetic would exceed the memory limit
  | 'E_ONNX' // an .onnx file that cannot be imported: corrupt or truncated, unsupported op, branch, dynamic shape
  | 'E_TFJS' // a TensorFlow.js model that cannot be imported: bad model.json, missing weights, unsupported layer
  | 'E_ARGS'; // bad command-line arguments or API options

export class LinearRegionsError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'LinearRegionsError';
    this.code = code;
  }
}
