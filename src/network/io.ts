/**
 * Reading network and domain files (Node only). Turns every file-system and JSON failure into a
 * {@link LinearRegionsError} (E_FILE, E_JSON) whose message names the path and the reason.
 */
import { readFileSync } from 'node:fs';
import { LinearRegionsError } from '../errors.js';
import { looksLikeOnnx, readOnnx } from '../onnx/import.js';
import type { OnnxImport, OnnxOptions } from '../onnx/import.js';
import { looksLikeTfjs } from '../tfjs/load.js';
import type { TfjsImport } from '../tfjs/load.js';
import { importTfjsFile } from '../tfjs/file.js';
import type { Network } from './types.js';
import { validateNetwork } from './validate.js';

/** Human-readable reasons for the usual file-system error codes. */
const FILE_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a component of the path is not a directory',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many symbolic links',
};

/** 1-based line and column of a character offset in `text`. */
function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: pos - start + 1 };
}

/**
 * Reads and parses a JSON file.
 *
 * @throws LinearRegionsError E_FILE when the file is missing or unreadable ("cannot read PATH: no
 *   such file"), E_JSON when it is empty, not JSON, or truncated (with the position when known).
 */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_STRING_TOO_LONG') {
      throw new LinearRegionsError('E_TOO_LARGE', `cannot read ${path}: the file is too large to parse as JSON`);
    }
    const reason = (e.code && FILE_REASONS[e.code]) ?? e.message ?? String(err);
    throw new LinearRegionsError('E_FILE', `cannot read ${path}: ${reason}`);
  }
  return parseJsonText(text, path);
}

/**
 * Parses JSON read from `path` (named in messages).
 *
 * @throws LinearRegionsError E_JSON when it is empty, not JSON, or truncated.
 */
export function parseJsonText(text: string, path: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte-order mark
  if (text.trim() === '') throw new LinearRegionsError('E_JSON', `${path} is empty (expected JSON)`);
  try {
    return JSON.parse(text);
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    const m = /at position (\d+)/.exec(raw);
    const end = text.trimEnd().length;
    const truncated = /end of (JSON )?input/i.test(raw) || (m !== null && Number(m[1]) >= end);
    const pos = m ? Number(m[1]) : truncated ? end : undefined;
    let where = '';
    if (pos !== undefined) {
      const { line, column } = lineColumn(text, pos);
      where = ` at position ${pos} (line ${line}, column ${column})`;
    }
    // V8 sometimes quotes the whole input in its message; keep only the first clause.
    const reason = raw
      .replace(/, "[\s\S]*" is not valid JSON$/, '')
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/\s+/g, ' ')
      .slice(0, 200);
    if (truncated) {
      throw new LinearRegionsError('E_JSON', `${path} is not valid JSON: truncated, unexpected end of input${where}`);
    }
    throw new LinearRegionsError('E_JSON', `${path} is not valid JSON: ${reason}${where}`);
  }
}

/**
 * Reads a network file and validates it. Validation messages are prefixed with the path.
 *
 * @throws LinearRegionsError as {@link readJsonFile} and {@link validateNetwork}.
 */
export function loadNetworkFile(path: string): Network {
  return validateFromFile(readJsonFile(path), path);
}

/** validateNetwork with the path in front of its messages. */
function validateFromFile(json: unknown, path: string): Network {
  try {
    return validateNetwork(json);
  } catch (err) {
    if (err instanceof LinearRegionsError) throw new LinearRegionsError(err.code, `${path}: ${err.message}`);
    throw err;
  }
}

/**
 * Reads a file as bytes.
 *
 * @throws LinearRegionsError E_FILE when the file is missing or unreadable (as {@link readJsonFile}).
 */
export function readBinaryFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_FS_FILE_TOO_LARGE') throw new LinearRegionsError('E_TOO_LARGE', `cannot read ${path}: the file is too large`);
    const reason = (e.code && FILE_REASONS[e.code]) ?? e.message ?? String(err);
    throw new LinearRegionsError('E_FILE', `cannot read ${path}: ${reason}`);
  }
}

/**
 * Reads an .onnx file and imports it ({@link readOnnx}). Messages are prefixed with the path.
 *
 * @throws LinearRegionsError E_FILE, and as {@link readOnnx}.
 */
export function loadOnnxFile(path: string): OnnxImport {
  return importOnnx(readBinaryFile(path), path);
}

/** readOnnx with the path in front of its messages. */
function importOnnx(bytes: Uint8Array, path: string, options: OnnxOptions = {}): OnnxImport {
  try {
    return readOnnx(bytes, options);
  } catch (err) {
    if (err instanceof LinearRegionsError) throw new LinearRegionsError(err.code, `${path}: ${err.message}`);
    throw err;
  }
}

/**
 * Reads a network file: ONNX when the name ends in .onnx or the bytes look like ONNX
 * ({@link looksLikeOnnx}), else the JSON format. `onnx` is set for ONNX files.
 *
 * @throws LinearRegionsError as {@link loadNetworkFile} and {@link loadOnnxFile}.
 */
export function loadModelFile(path: string, onnxOptions: OnnxOptions = {}): { network: Network; onnx?: OnnxImport; tfjs?: TfjsImport } {
  if (/\.json$/i.test(path)) {
    const json = readJsonFile(path);
    if (looksLikeTfjs(json)) {
      const tfjs = importTfjsFile(json, path, onnxOptions);
      return { network: tfjs.network, tfjs };
    }
    return { network: validateFromFile(json, path) };
  }
  // read once: the path may be a pipe (/dev/stdin), which cannot be read a second time
  const bytes = readBinaryFile(path);
  if (/\.onnx$/i.test(path) || looksLikeOnnx(bytes)) {
    const onnx = importOnnx(bytes, path, onnxOptions);
    return { network: onnx.network, onnx };
  }
  const json = parseJsonText(new TextDecoder().decode(bytes), path);
  if (looksLikeTfjs(json)) {
    const tfjs = importTfjsFile(json, path, onnxOptions);
    return { network: tfjs.network, tfjs };
  }
  return { network: validateFromFile(json, path) };
}
