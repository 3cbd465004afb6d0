/** Browser loader: the .wasm fetched relative to this module (bundlers rewrite the URL). */
const wasmUrl = new URL('../../build/linear_regions.wasm', import.meta.url);

export async function loadModule(): Promise<WebAssembly.Module> {
  const response = await fetch(wasmUrl);
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('content-type') === 'application/wasm') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}
