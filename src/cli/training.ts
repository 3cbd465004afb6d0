/**
 * `linear-regions experiment milkert [--function x3|x2|exp|sin|all] [--depth d] [--trials t]
 * [--steps s] [--seed s] [--json] [--save DIR]` (the `experiment` command itself is declared in
 * theory.ts, which hands `milkert` to this file).
 *
 * Same conventions as the other commands: bad arguments throw LinearRegionsError E_ARGS (exit 2),
 * `--json` prints exactly one JSON object on one line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LinearRegionsError } from '../errors.js';
import type { Network } from '../network/types.js';
import { formatMilkertExperiment, milkertExperiment, milkertExperimentToJson, type MilkertExperimentOptions } from '../theory/training/experiment.js';
import { TARGET_NAMES, type TargetName } from '../theory/training/targets.js';

/** Flags of `experiment` that only `milkert` takes. */
export const MILKERT_ONLY_FLAGS = ['function', 'depth', 'trials', 'steps', 'save'] as const;
/** Flags of `experiment` that `milkert` does not take. */
const OTHER_FLAGS = ['input', 'neurons', 'params', 'seeds', 'init', 'box', 'positions', 'templates', 'channels', 'relu'] as const;

export interface MilkertFlags {
  function?: string;
  depth?: string;
  trials?: string;
  steps?: string;
  seed?: string;
  save?: string;
  json?: boolean;
  [other: string]: unknown;
}

function argsError(message: string): never {
  throw new LinearRegionsError('E_ARGS', message);
}

function parseIntFlag(flag: string, text: string, min: number, max: number): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) argsError(`${flag} must be an integer in [${min}, ${max}], got "${text}"`);
  return n;
}

/** `x3`, `x3,exp` or `all`. */
export function parseFunctions(text: string): TargetName[] {
  if (text.trim() === 'all') return [...TARGET_NAMES];
  const names = text.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(TARGET_NAMES as readonly string[]).includes(n)) argsError(`--function must be one of ${TARGET_NAMES.join(', ')} or all (or a comma-separated list), got "${text}"`);
  }
  return names as TargetName[];
}

/** Throws E_ARGS when a `deep-vs-shallow` run is given a milkert-only flag. */
export function rejectMilkertFlags(name: string, flags: Record<string, unknown>): void {
  for (const key of MILKERT_ONLY_FLAGS) if (flags[key] !== undefined) argsError(`experiment ${name} does not take --${key} (that is for experiment milkert)`);
}

/** Runs the experiment; `networkJson` is the CLI's network writer (theory.ts), used by --save. */
export async function milkertExperimentCommand(flags: MilkertFlags, networkJson: (net: Network & { description?: string }) => string): Promise<void> {
  for (const key of OTHER_FLAGS) if (flags[key] !== undefined) argsError(`experiment milkert does not take --${key}`);
  const options: MilkertExperimentOptions = {};
  options.functions = parseFunctions(flags.function ?? 'x3');
  if (flags.depth !== undefined) options.depth = parseIntFlag('--depth', flags.depth, 1, 20);
  if (flags.trials !== undefined) options.trials = parseIntFlag('--trials', flags.trials, 1, 1000);
  if (flags.steps !== undefined) options.steps = parseIntFlag('--steps', flags.steps, 2, 10_000_000);
  if (flags.seed !== undefined) options.seed = parseIntFlag('--seed', flags.seed, 0, 2 ** 32 - 1);
  if (flags.save !== undefined) {
    const dir = flags.save;
    if (dir.trim() === '') argsError('--save needs a directory');
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new LinearRegionsError('E_FILE', `--save: cannot create directory ${dir}: ${(e as Error).message}`);
    }
    options.onNetwork = (fn, method, trial, network) => writeFileSync(join(dir, `${fn}-${method}-${trial}.json`), networkJson(network));
  }
  if (process.stderr.isTTY && !flags.json) options.onProgress = (message) => process.stderr.write(`\r\x1b[K${message}`);
  const { countRegionsSync } = await import('../index.node.js'); // lazily: --help works without the WebAssembly core
  const result = await milkertExperiment(countRegionsSync, options);
  if (options.onProgress) process.stderr.write('\r\x1b[K');
  process.stdout.write(flags.json ? `${JSON.stringify(milkertExperimentToJson(result))}\n` : `${formatMilkertExperiment(result)}\n`);
}
