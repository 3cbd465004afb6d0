/** Node loader: the .wasm next to the package, read from disk (sync or async). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const wasmUrl = new URL('../../build/linear_regions.wasm', import.meta.url);

export function loadModuleSync(): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(wasmUrl));
}

export async function loadModule(): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(wasmUrl));
}

let coreHash: string | undefined;
/** SHA-256 of the core's .wasm: files that hold the core's own records (shard plans) name the core that wrote them. */
export function coreFingerprint(): string {
  coreHash ??= createHash('sha256').update(readFileSync(wasmUrl)).digest('hex');
  return coreHash;
}
