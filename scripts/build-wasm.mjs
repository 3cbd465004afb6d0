#!/usr/bin/env node
/**
 * Compiles assembly/ to build/linear_regions.wasm (`npm run build:wasm [-- --target debug]`).
 *
 * The release target asks binaryen to `converge` (repeat its passes while the module keeps
 * shrinking). When the last round gains nothing, binaryen prints "Last converge was suboptimal."
 * That line is not a warning about our code or the result (the module is the best of the rounds),
 * so it is dropped here; everything else the compiler prints is passed through unchanged.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import asc from 'assemblyscript/asc';
import binaryen from 'assemblyscript/binaryen';

const target = process.argv.includes('--target') ? process.argv[process.argv.indexOf('--target') + 1] : 'release';
const quiet = (stream) => ({
  write(chunk) {
    const text = String(chunk).replace(/^Last converge was suboptimal\.\r?\n?/gm, '');
    if (text) stream.write(text);
    return true;
  },
});
const { error } = await asc.main(['assembly/index.ts', '--target', target], {
  stdout: quiet(process.stdout),
  stderr: quiet(process.stderr),
});
if (error) {
  process.stderr.write(`build:wasm: ${error.message}\n`);
  process.exit(1);
}

// The instance's reset (after every optimization, on the module as it ships): `resetInstance()`
// sets every mutable global to its initial value and runs the start function again, which with
// the bytes of the static data (`staticEnd()` of them, from address 0) written back and the rest
// of memory zeroed is the state instantiation gives. The API then hands an instance from one
// count to the next (src/count/core-memory.ts) instead of building a new one, which cost 0.15-0.2
// ms a count (a wrapper for each exported function, and 641 globals).
const outFile = JSON.parse(readFileSync('asconfig.json', 'utf8')).targets[target].outFile;
binaryen.setDebugInfo(target === 'debug');
const mod = binaryen.readBinary(readFileSync(outFile));
mod.setFeatures(binaryen.Features.All);
const body = [];
for (let i = 0; i < mod.getNumGlobals(); i++) {
  const g = binaryen.getGlobalInfo(mod.getGlobalByIndex(i));
  if (g.mutable && !g.module) body.push(mod.global.set(g.name, mod.copyExpression(g.init)));
}
const start = mod.getStart();
if (start) body.push(mod.call(binaryen.getFunctionInfo(start).name, [], binaryen.none));
let staticEnd = 0;
for (let i = 0; i < mod.getNumDataSegments(); i++) {
  const s = mod.getDataSegmentInfo(mod.getDataSegmentByIndex(i));
  if (s.passive) throw new Error('build:wasm: a passive data segment: resetInstance does not restore it');
  staticEnd = Math.max(staticEnd, s.offset + s.data.byteLength);
}
mod.addFunction('resetInstance', binaryen.none, binaryen.none, [], mod.block(null, body, binaryen.none));
mod.addFunctionExport('resetInstance', 'resetInstance');
mod.addFunction('staticEnd', binaryen.none, binaryen.i32, [], mod.i32.const(staticEnd));
mod.addFunctionExport('staticEnd', 'staticEnd');
if (!mod.validate()) {
  process.stderr.write('build:wasm: the module with resetInstance does not validate\n');
  process.exit(1);
}
writeFileSync(outFile, mod.emitBinary());
mod.dispose();
