/**
 * Reading network and domain files (Node only). Turns every file-system and JSON failure into a
 * {@link LinearRegionsError} (E_FILE, E_JSON) whose message names the path and the reason.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { LinearRegionsError } from '../errors.js';
import { looksLikeOnnx } from '../onnx/sniff.js';
import type { OnnxImport, OnnxOptions } from '../onnx/import.js';
import { looksLikeTfjs } from '../tfjs/load.js';
import type { TfjsImport } from '../tfjs/load.js';
import { importTfjsFile } from '../tfjs/file.js';
import type { Network } from './types.js';
import { validateNetwork, type ValidateOptions } from './validate.js';

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

/** Largest JSON file read (V8 cannot hold a longer string; a network that size would not fit anyway). */
export const MAX_JSON_BYTES = 512 * 1024 * 1024;
/** Largest binary model (ONNX, TensorFlow.js weights) read; protobuf itself stops at 2 GiB. */
export const MAX_MODEL_BYTES = 1024 * 1024 * 1024;

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 100 * 1024 * 1024 ? 2 : 0)} MiB`;
}

/**
 * Reads a whole file, refusing what cannot be a model: a directory or a device (/dev/zero would
 * never end) is E_FILE, and more than `cap` bytes is E_TOO_LARGE, decided from the file's size
 * before reading when it has one, and while reading for pipes (`/dev/stdin`).
 */
export function readCapped(path: string, cap: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw fileError(path, err);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new LinearRegionsError('E_FILE', `cannot read ${path}: is a directory, not a file`);
    if (stat.isCharacterDevice() || stat.isBlockDevice()) {
      throw new LinearRegionsError('E_FILE', `cannot read ${path}: it is a device, not a regular file or a pipe`);
    }
    if (stat.isFile() && stat.size > cap) {
      throw new LinearRegionsError('E_TOO_LARGE', `cannot read ${path}: ${mib(stat.size)}, over the limit of ${mib(cap)} for this kind of file`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(stat.isFile() ? Math.max(1, Math.min(stat.size - total + 1, 1 << 26)) : 1 << 20);
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw fileError(path, err);
      }
      if (n === 0) break;
      total += n;
      if (total > cap) throw new LinearRegionsError('E_TOO_LARGE', `cannot read ${path}: more than ${mib(cap)}, the limit for this kind of file`);
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

function fileError(path: string, err: unknown): LinearRegionsError {
  if (err instanceof LinearRegionsError) return err;
  const e = err as NodeJS.ErrnoException;
  const reason = (e.code && FILE_REASONS[e.code]) ?? e.message ?? String(err);
  return new LinearRegionsError('E_FILE', `cannot read ${path}: ${reason}`);
}

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
 * @throws LinearRegionsError E_FILE when the file is missing, unreadable or a device ("cannot read
 *   PATH: no such file"), E_TOO_LARGE over {@link MAX_JSON_BYTES}, E_JSON when it is empty, not
 *   JSON, or truncated (with the position when known).
 */
export function readJsonFile(path: string): unknown {
  return parseJsonText(readCapped(path, MAX_JSON_BYTES).toString('utf8'), path);
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
      .replace(/ at position \d+.*$/, '') // "... after JSON at position N": the position is added below
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
export function loadNetworkFile(path: string, options?: ValidateOptions): Network {
  return validateFromFile(readJsonFile(path), path, options);
}

/** validateNetwork with the path in front of its messages (and of its warnings). */
function validateFromFile(json: unknown, path: string, options?: ValidateOptions): Network {
  const warnings: string[] = [];
  try {
    const network = validateNetwork(json, { ...options, warnings });
    options?.warnings?.push(...warnings.map((w) => `${path}: ${w}`));
    return network;
  } catch (err) {
    if (err instanceof LinearRegionsError) throw new LinearRegionsError(err.code, `${path}: ${err.message}`);
    throw err;
  }
}

/**
 * Reads a file as bytes.
 *
 * @throws LinearRegionsError E_FILE when the file is missing, unreadable or a device, E_TOO_LARGE
 *   over `cap` bytes.
 */
export function readBinaryFile(path: string, cap = MAX_MODEL_BYTES): Uint8Array {
  return readCapped(path, cap);
}

/**
 * Reads an .onnx file and imports it ({@link readOnnx}). Messages are prefixed with the path.
 *
 * @throws LinearRegionsError E_FILE, and as {@link readOnnx}.
 */
export async function loadOnnxFile(path: string): Promise<OnnxImport> {
  return importOnnx(readBinaryFile(path), path);
}

/**
 * readOnnx with the path in front of its messages. The importer is loaded here, on first use: it
 * is a large module (the protobuf runtime and the ONNX schema), which a JSON network never needs.
 */
async function importOnnx(bytes: Uint8Array, path: string, options: OnnxOptions = {}): Promise<OnnxImport> {
  const { readOnnx } = await import('../onnx/import.js');
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
export async function loadModelFile(path: string, options: ValidateOptions & OnnxOptions = {}): Promise<{ network: Network; onnx?: OnnxImport; tfjs?: TfjsImport }> {
  // an imported model has no domain of its own: 'own' means its whole input, checked before lowering
  const imported = { until: options.until, strict: options.strict, fullInput: options.fullDimension === true || options.fullDimension === 'own' };
  if (/\.json$/i.test(path)) {
    const json = readJsonFile(path);
    if (looksLikeTfjs(json)) {
      const tfjs = importTfjsFile(json, path, imported);
      return { network: tfjs.network, tfjs };
    }
    return { network: validateFromFile(json, path, options) };
  }
  // read once: the path may be a pipe (/dev/stdin), which cannot be read a second time
  const bytes = readBinaryFile(path, Math.max(MAX_MODEL_BYTES, MAX_JSON_BYTES));
  if (/\.onnx$/i.test(path) || looksLikeOnnx(bytes)) {
    const onnx = await importOnnx(bytes, path, imported);
    return { network: onnx.network, onnx };
  }
  const json = parseJsonText(new TextDecoder().decode(bytes), path);
  if (looksLikeTfjs(json)) {
    const tfjs = importTfjsFile(json, path, imported);
    return { network: tfjs.network, tfjs };
  }
  return { network: validateFromFile(json, path, options) };
}
