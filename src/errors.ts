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

/**
 * Escapes every control character (C0, DEL, C1) of `text` as \xNN, and the Unicode line
 * separators and bidirectional overrides as \u{NNNN}, so that names and op types copied from an
 * input file into a message cannot drive a terminal (clear the screen, set the title, hide text
 * with NUL or an 8-bit CSI) or reorder what the reader sees.
 */
export function escapeControls(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/[\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

export class LinearRegionsError extends Error {
  readonly code: ErrorCode;
  /** `message` is stored with its control characters escaped ({@link escapeControls}). */
  constructor(code: ErrorCode, message: string) {
    super(escapeControls(message));
    this.name = 'LinearRegionsError';
    this.code = code;
  }
}
