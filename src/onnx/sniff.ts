// Whether bytes look like an ONNX model, on its own: the file reader (network/io.ts) asks before it
// loads the importer, a large module (the protobuf runtime and the ONNX schema).

/**
 * True when the bytes start like an ONNX model: a protobuf ModelProto begins with field 1
 * (ir_version, a varint), the byte 0x08. JSON never starts with it.
 */
export function looksLikeOnnx(bytes: Uint8Array): boolean {
  return bytes.length > 1 && bytes[0] === 0x08;
}
