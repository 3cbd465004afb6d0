/** Node loader: the .wasm next to the package, read from disk (sync or async). */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const wasmUrl = new URL('../../build/linear_regions.wasm', import.meta.url);

export function loadModuleSync(): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(wasmUrl));
}

export async function loadModule(): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await readFile(wasmUrl));
}
