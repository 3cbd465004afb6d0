#!/usr/bin/env node
/**
 * Compiles assembly/ to build/linear_regions.wasm (`npm run build:wasm [-- --target debug]`).
 *
 * The release target asks binaryen to `converge` (repeat its passes while the module keeps
 * shrinking). When the last round gains nothing, binaryen prints "Last converge was suboptimal."
 * That line is not a warning about our code or the result (the module is the best of the rounds),
 * so it is dropped here; everything else the compiler prints is passed through unchanged.
 */
import asc from 'assemblyscript/asc';

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
