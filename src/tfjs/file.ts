/** Reading a TensorFlow.js model.json and its weight files from disk (Node only). */
import { dirname, join } from 'node:path';
import { LinearRegionsError } from '../errors.js';
import { readBinaryFile } from '../network/io.js';
import { readTfjs } from './load.js';
import type { TfjsImport, TfjsOptions } from './load.js';

/**
 * Imports a parsed model.json read from `path`: its weight files are the manifest's paths,
 * relative to the model.json's folder. Messages start with the path.
 */
export function importTfjsFile(json: unknown, path: string, options: TfjsOptions = {}): TfjsImport {
  try {
    const manifest = (json as { weightsManifest?: { paths?: unknown[] }[] }).weightsManifest;
    const paths = Array.isArray(manifest) ? manifest.flatMap((g) => (Array.isArray(g?.paths) ? g.paths.map(String) : [])) : [];
    const buffers = paths.map((p) => {
      if (/^[a-z]+:\/\//i.test(p) || p.includes('\0')) throw new LinearRegionsError('E_TFJS', `weight path "${p}" is not a relative file path`);
      return readBinaryFile(join(dirname(path), p));
    });
    return readTfjs(json, buffers, options);
  } catch (err) {
    if (err instanceof LinearRegionsError) throw new LinearRegionsError(err.code, `${path}: ${err.message}`);
    throw err;
  }
}
