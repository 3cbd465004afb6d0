// Builds the vertex-cell prototype (vertex.ts) with asc and wraps its exports.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const asc = join(here, '../../../node_modules/.bin/asc');
let builds = 0;
const VERTEX_CAP = Number(process.env.VERTEX_CAP ?? 1024);
const FAILURES = { 1: 'more vertices than the cap', 2: 'a cell with 64 facets', 3: 'stack overflow' };
export const COUNTERS = ['splits', 'unitTests', 'vertexEvals', 'pairTests', 'newVertices', 'nearZero', 'rankOneUpdates', 'frameCopies', 'peakVertices', 'peakFrames', 'boxDecided', 'filterFails', 'lostVertices', 'maxRadius', 'peakArenaBytes', 'cellBoundFails', 'verifiedSolves'];

/**
 * Compiles vertex.ts (or `source`; release flags as asconfig.json's; `debug` adds debug info and
 * function names; `defines` are asc --use constants such as FILTER; `optimizeLevel` 1 keeps the
 * functions apart for a profile by function) and instantiates it.
 */
export async function buildPrototype({ debug = false, defines = [], source = join(here, 'vertex.ts'), optimizeLevel = 3 } = {}) {
  const out = join(tmpdir(), `vertex-nd-${process.pid}-${builds++}.wasm`);
  const flags = ['--runtime', 'stub', '-o', out, '--optimizeLevel', String(optimizeLevel), '--shrinkLevel', '0', '--noAssert', '--uncheckedBehavior', 'always'];
  if (optimizeLevel === 3) flags.push('--converge');
  if (debug) flags.push('--debug');
  for (const name of defines) flags.push('--use', `${name}=1`);
  execFileSync(asc, [source, ...flags], { stdio: 'inherit' });
  const { instance } = await WebAssembly.instantiate(readFileSync(out), { env: { abort: () => { throw new Error('abort'); } } });
  const core = instance.exports;
  return {
    /** Writes the net's hidden layers: [d, H, widths, (W row-major, b) per layer]. */
    load(net) {
      const hidden = net.layers.filter((l) => l.activation === 'relu');
      const words = [net.inputDim, hidden.length, ...hidden.map((l) => l.bias.length)];
      for (const l of hidden) {
        for (const row of l.weights) words.push(...row);
        words.push(...l.bias);
      }
      const p = core.reserve(words.length * 8);
      new Float64Array(core.memory.buffer, p, words.length).set(words);
      if (core.setup(p, VERTEX_CAP) !== 0) throw new Error('setup failed (d must be 1..8)');
    },
    /** Counts the activation regions of the loaded net on [-1, 1]^d. */
    count() {
      core.start();
      const status = core.run();
      if (status !== 0) throw new Error(`prototype failed: ${FAILURES[status]}`);
      return core.count();
    },
    counters() {
      return Object.fromEntries(COUNTERS.map((name, i) => [name, core.counter(i)]));
    },
  };
}

/** CPU milliseconds (user + system) of one call. */
export function cpuMs(fn) {
  const t = process.cpuUsage();
  fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
