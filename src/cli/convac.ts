/**
 * The ConvAC commands of the `linear-regions` CLI (registered by main.ts; `construct convac` and
 * `experiment overlap` are dispatched here from theory.ts):
 *
 *   linear-regions convac rank SPEC.json --partition left-right|top-bottom|odd-even|0,2,5 [--json [--details]] [--seed S] [--max-primes N] [--certify-seconds S] [--timeout S]
 *   linear-regions construct convac --positions N|HxW --templates M --layers R:S:r,... [--weights int|gaussian] [--seed S]
 *   linear-regions experiment overlap [--positions N] [--templates M] [--channels r] [--seeds S] [--seed S] [--relu] [--json]
 *
 * Same conventions as the other commands: bad arguments throw LinearRegionsError E_ARGS (exit 2),
 * `--json` prints exactly one JSON object on one line.
 */
import { Argument, type Command } from 'commander';
import { LinearRegionsError } from '../errors.js';
import { readJsonFile } from '../network/io.js';
import { parseTimeout } from './long-run.js';
import { CONVAC_WEIGHTS, convacNetwork, parseGcLayers, type ConvacWeights } from '../theory/convac/construct.js';
import { formatOverlap, type OverlapOptions } from '../theory/convac/experiment.js';
import type { ConvacRankOptions, ConvacRankResult } from '../theory/convac/rank.js';
import { PARTITION_NAMES, type Partition } from '../theory/convac/structure.js';

function argsError(message: string): never {
  throw new LinearRegionsError('E_ARGS', message);
}

function parseIntFlag(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) argsError(`${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

/** `left-right`, `top-bottom`, `odd-even`, or a comma-separated list of positions (possibly empty: `--partition ""`). */
function parsePartition(text: string): Partition {
  if ((PARTITION_NAMES as readonly string[]).includes(text)) return text as Partition;
  if (text.trim() === '') return [];
  const parts = text.split(',');
  if (!parts.every((p) => /^\s*\d+\s*$/.test(p))) {
    argsError(`--partition must be ${PARTITION_NAMES.join(', ')} or a comma-separated list of 0-based positions (e.g. 0,2,5), got "${text}"`);
  }
  return parts.map(Number);
}

interface RankFlags {
  partition: string;
  json?: boolean;
  details?: boolean;
  seed?: string;
  maxPrimes?: string;
  certifySeconds?: string;
  timeout?: string;
}

async function rankCommand(file: string, flags: RankFlags): Promise<void> {
  const partition = parsePartition(flags.partition);
  if (flags.details && !flags.json) argsError('--details goes with --json (the text output already shows the certificate and the timings)');
  const options: ConvacRankOptions = {};
  if (flags.seed !== undefined) options.seed = parseIntFlag('--seed', flags.seed, 0, 2 ** 32 - 1);
  if (flags.maxPrimes !== undefined) options.maxPrimes = parseIntFlag('--max-primes', flags.maxPrimes, 1, 10_000);
  if (flags.certifySeconds !== undefined) {
    const s = Number(flags.certifySeconds);
    if (flags.certifySeconds.trim() === '' || !Number.isFinite(s) || s < 0) argsError(`--certify-seconds must be a number >= 0, got "${flags.certifySeconds}"`);
    options.certifyBudgetMs = s * 1000;
  }
  const timeout = parseTimeout(flags.timeout);
  const spec = readJsonFile(file);
  const { convacRank } = await import('../index.node.js'); // lazily: --help works without the WebAssembly core
  const controller = new AbortController();
  options.signal = controller.signal;
  // as for counts: Ctrl-C stops cleanly (a second one does not wait), --timeout aborts with a
  // TimeoutError, which the API reports as stopReason 'timeout'
  let interrupts = 0;
  const onSigint = (): void => {
    if (++interrupts > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const timer = timeout === undefined ? undefined : setTimeout(() => controller.abort(new DOMException('the rank timed out', 'TimeoutError')), timeout * 1000);
  const tty = process.stderr.isTTY === true && process.env.CI === undefined;
  if (tty) {
    options.onProgress = (p) => {
      process.stderr.write(`\r${p.phase === 'build' ? 'building the grid tensor' : `eliminating: rank ${p.rank} after ${p.column} columns`} (prime ${p.primesDone + 1}, ${(p.elapsedMs / 1000).toFixed(1)} s)\x1b[K`);
    };
  }
  let r: ConvacRankResult;
  try {
    r = await convacRank(spec, partition, options);
  } finally {
    if (tty) process.stderr.write('\r\x1b[K');
    process.off('SIGINT', onSigint);
    if (timer) clearTimeout(timer);
  }
  if (r.stopReason === 'aborted') process.exitCode = 130;
  if (flags.json) {
    // exactly the issue's six keys; the probability bound when the rank is not certified, the stop
    // reason when it stopped early, and everything else only with --details
    const out: Record<string, unknown> = { rank: r.rank, rows: r.rows, cols: r.cols, partition: r.partition, upperBound: r.upperBound, exact: r.exact };
    if (!r.exact) out.errorProbability = r.errorProbability;
    if (r.stopReason !== 'complete') out.stopReason = r.stopReason;
    if (flags.details) {
      Object.assign(out, {
        certificate: r.certificate,
        primes: r.primes,
        errorProbability: r.errorProbability,
        entryBits: r.entryBits,
        elapsedMs: r.elapsedMs,
        gridMs: r.gridMs,
        certifyMs: r.certifyMs,
        memoryBytes: r.memoryBytes,
        stopReason: r.stopReason,
      });
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const why =
    r.stopReason !== 'complete'
      ? `stopped early (${r.stopReason === 'timeout' ? '--timeout' : 'interrupted'}): the rank is a lower bound`
      : r.certificate === 'upper-bound'
        ? 'exact: it reaches the upper bound'
        : r.certificate === 'primes'
          ? `exact: ${r.primes.length} primes, product above the Hadamard bound of the (rank+1)-minors`
          : `NOT certified: rank modulo ${r.primes.length} random primes; P(a larger rank was missed) <= ${r.errorProbability.toExponential(2)}`;
  const lines = [
    `rank        ${r.rank} (${why})`,
    `matrix      ${r.rows} x ${r.cols}, I = {${r.partition.join(', ')}}`,
    `upper bound ${r.upperBound}`,
    `time        ${r.elapsedMs.toFixed(1)} ms (grid tensor and rank modulo one prime)${r.certifyMs > 0 ? ` + ${r.certifyMs.toFixed(1)} ms certification` : ''}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export interface ConvacConstructFlags {
  positions?: string;
  templates?: string;
  layers?: string;
  weights?: string;
  seed?: string;
}

/** `construct convac`: prints a spec (called from theory.ts). */
export function constructConvacCommand(flags: ConvacConstructFlags & Record<string, unknown>): void {
  const allowed = ['positions', 'templates', 'layers', 'weights', 'seed'];
  for (const [key, value] of Object.entries(flags)) {
    if (value !== undefined && !allowed.includes(key)) argsError(`construct convac does not take --${key} (it takes ${allowed.map((k) => `--${k}`).join(', ')})`);
  }
  const need = (key: keyof ConvacConstructFlags): string => flags[key] ?? argsError(`construct convac needs --${key}`);
  const posText = need('positions');
  let positions: number | [number, number];
  const grid = /^\s*(\d+)\s*[x,]\s*(\d+)\s*$/.exec(posText);
  if (grid) positions = [parseIntFlag('--positions H', grid[1]!, 1, 1 << 20), parseIntFlag('--positions W', grid[2]!, 1, 1 << 20)];
  else positions = parseIntFlag('--positions', posText, 1, 1 << 20);
  const templates = parseIntFlag('--templates', need('templates'), 1, 1 << 16);
  const layers = parseGcLayers(need('layers'));
  const weights = flags.weights ?? 'int';
  if (!(CONVAC_WEIGHTS as readonly string[]).includes(weights)) argsError(`--weights must be one of ${CONVAC_WEIGHTS.join(', ')}, got "${weights}"`);
  const seed = flags.seed === undefined ? 1 : parseIntFlag('--seed', flags.seed, 0, 2 ** 32 - 1);
  const spec = convacNetwork({ positions, templates, layers, weights: weights as ConvacWeights, seed });
  const j = JSON.stringify;
  const layerText = spec.layers
    .map((l) => `    {"receptiveField": ${l.receptiveField}, "stride": ${l.stride}, "channels": ${l.channels},\n     "weights": ${j(l.weights)}}`)
    .join(',\n');
  process.stdout.write(
    `{\n  "kind": "convac",\n  "description": ${j(spec.description)},\n  "M": ${spec.M},\n  "positions": ${j(spec.positions)},\n  "layers": [\n${layerText}\n  ],\n  "output": ${j(spec.output)}\n}\n`,
  );
}

export interface OverlapFlags {
  positions?: string;
  templates?: string;
  channels?: string;
  seeds?: string;
  seed?: string;
  relu?: boolean;
  json?: boolean;
}

/** `experiment overlap` (called from theory.ts). */
export async function overlapCommand(flags: OverlapFlags & Record<string, unknown>): Promise<void> {
  const allowed = ['positions', 'templates', 'channels', 'seeds', 'seed', 'relu', 'json'];
  for (const [key, value] of Object.entries(flags)) {
    if (value !== undefined && !allowed.includes(key)) argsError(`experiment overlap does not take --${key} (it takes ${allowed.map((k) => `--${k}`).join(', ')})`);
  }
  const options: OverlapOptions = {};
  if (flags.positions !== undefined) options.positions = parseIntFlag('--positions', flags.positions, 2, 64);
  if (flags.templates !== undefined) options.templates = parseIntFlag('--templates', flags.templates, 1, 64);
  if (flags.channels !== undefined) options.channels = parseIntFlag('--channels', flags.channels, 1, 64);
  if (flags.seeds !== undefined) options.seeds = parseIntFlag('--seeds', flags.seeds, 1, 1000);
  if (flags.seed !== undefined) options.seed = parseIntFlag('--seed', flags.seed, 0, 2 ** 32 - 1001);
  if (flags.relu) options.relu = true;
  const { overlapExperiment } = await import('../index.node.js');
  const result = await overlapExperiment(options);
  process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : formatOverlap(result));
}

/** Adds `convac rank` to the program. */
export function addConvacCommands(cmd: Command): void {
  const convac = cmd.command('convac').description('ConvAC grid tensors (Sharir and Shashua 2018): exact matricization ranks (docs/theory.md)');
  convac
    .command('rank')
    .description('exact rank of the matricization [A]_{I,J} of a ConvAC spec\'s grid tensor')
    .addArgument(new Argument('<spec>', 'ConvAC spec JSON ({"kind": "convac", ...}; see `construct convac`)'))
    .requiredOption('--partition <p>', `${PARTITION_NAMES.join(', ')}, or the positions of I (0-based, row-major), e.g. 0,2,5`)
    .option('--json', 'print one JSON object {rank, rows, cols, partition, upperBound, exact} (plus errorProbability when exact is false, stopReason when stopped early)')
    .option('--details', 'with --json: also the certificate, the primes, the error probability, timings and memory')
    .option('--seed <s>', 'seed of the random primes (default: random)')
    .option('--max-primes <n>', 'most primes to spend on a certificate (default 1000)')
    .option('--certify-seconds <s>', 'time budget of the certificate, estimated from the fastest prime so far (default 10)')
    .option('--timeout <seconds>', 'stop after this many seconds (the rank is then a lower bound, exact false, stopReason "timeout"); Ctrl-C stops too (exit code 130)')
    .addHelpText(
      'after',
      [
        '',
        'The rank modulo a random prime is a lower bound on the rank over the rationals. It is certified',
        'exact when it reaches the upper bound, or when enough primes agree that their product exceeds',
        'the Hadamard bound of the (rank+1)-minors; otherwise `exact` is false and the JSON gives the',
        'probability bound of the random-prime argument (errorProbability).',
      ].join('\n'),
    )
    .action(rankCommand);
}
