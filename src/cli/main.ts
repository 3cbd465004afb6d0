#!/usr/bin/env node
/**
 * The `linear-regions` command line.
 *
 *   linear-regions count NET.json [--domain DOMAIN.json | --box LO,HI] [--json] [--max-regions N] [--no-linear]
 *                        [--threads N] [--timeout S]
 *   linear-regions convert MODEL.onnx [--domain DOMAIN.json] > NET.json
 *   linear-regions examples
 *   linear-regions bounds --input N --widths A,B,C [--maxout K] [--json]        (src/cli/theory.ts)
 *   linear-regions construct sawtooth|montufar|milkert|random [options] > NET.json
 *   linear-regions experiment deep-vs-shallow [--input N] [--neurons N] [--json]
 *
 * Exit codes: 0 success; 1 bad input (a LinearRegionsError); 2 usage error (E_ARGS, or a
 * command-line error reported by commander); 70 internal error. Errors are printed as one line
 * `linear-regions: <message> [<code>]` on stderr, without a stack trace unless
 * LINEAR_REGIONS_DEBUG=1.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { addTheoryCommands } from './theory.js';
import type { CountOptions, CountResult } from '../count/api-types.js';
import { LinearRegionsError } from '../errors.js';
import { loadModelFile, loadNetworkFile, readJsonFile } from '../network/io.js';
import { parseThreads, parseTimeout, startLongRun } from './long-run.js';
import type { OnnxImport } from '../onnx/import.js';
import type { Domain, Layer, Network } from '../network/types.js';
import { isPolytope, isSlice, isWhole } from '../network/types.js';
import { checkSupportedDimension, outputUnits, resolveDomain, validateDomain } from '../network/validate.js';

const NAME = 'linear-regions';
const DEBUG = process.env.LINEAR_REGIONS_DEBUG === '1';

/** Exit codes. */
const EXIT_INPUT = 1;
const EXIT_USAGE = 2;
const EXIT_INTERNAL = 70;

type Api = typeof import('../index.node.js');

/** Loads the API lazily, so `--help` and argument errors work even if the WebAssembly core cannot load. */
async function api(): Promise<Api> {
  return import('../index.node.js');
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function argsError(message: string): never {
  throw new LinearRegionsError('E_ARGS', message);
}

/** Parses `--box LO,HI` into [lo, hi] with finite lo < hi. */
function parseBox(text: string): [number, number] {
  const parts = text.split(',');
  const nums = parts.map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (parts.length !== 2 || !nums.every(Number.isFinite)) {
    argsError(`--box must be LO,HI with two finite numbers (e.g. --box -1,1), got "${text}"`);
  }
  const [lo, hi] = nums as [number, number];
  if (!(lo < hi)) argsError(`--box LO,HI needs LO < HI, got "${text}"`);
  return [lo, hi];
}

/** Parses `--max-regions N` (a positive integer). */
function parseMaxRegions(text: string): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) argsError(`--max-regions must be a positive integer, got "${text}"`);
  return n;
}

/** "[0, 1]", "[-1, 1]^2", "[0, 1] x [-2, 2]", "plane slice [-1, 1]^2 of R^20". */
function describeDomain(domain: Domain, inputDim: number): string {
  if (isWhole(domain)) return `R^${inputDim} (the whole space)`;
  if (isPolytope(domain)) return `polytope {x : A x <= b} in R^${inputDim}, ${domain.A.length} constraint${domain.A.length === 1 ? '' : 's'}`;
  const b = domain.bounds;
  const same = b.every(([lo, hi]) => lo === b[0]![0] && hi === b[0]![1]);
  const box = same
    ? `[${b[0]![0]}, ${b[0]![1]}]${b.length > 1 ? `^${b.length}` : ''}`
    : b.map(([lo, hi]) => `[${lo}, ${hi}]`).join(' x ');
  if (!isSlice(domain)) return box;
  const k = domain.directions.length;
  return `${k === 1 ? 'line' : k === 2 ? 'plane' : `${k}-D`} slice ${box} of R^${inputDim}`;
}

/** Units per layer, "16-16-1"; maxout layers as units x pieces, "4x3". */
function describeWidths(network: Network): string {
  return network.layers
    .map((l) => (l.activation === 'maxout' ? `${outputUnits(l)}x${l.pieces}` : `${outputUnits(l)}`))
    .join('-');
}

function ms(x: number): string {
  return x < 10 ? `${x.toFixed(2)} ms` : x < 10_000 ? `${x.toFixed(1)} ms` : `${(x / 1000).toFixed(2)} s`;
}

/** Left-aligns text columns and right-aligns the columns listed in `right`. */
function table(rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((row) =>
      row
        .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : i === row.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

interface CountFlags {
  domain?: string;
  box?: string;
  json?: boolean;
  maxRegions?: string;
  linear: boolean;
  threads?: string;
  timeout?: string;
}

async function countCommand(file: string, flags: CountFlags): Promise<void> {
  if (flags.domain !== undefined && flags.box !== undefined) argsError('use either --domain or --box, not both');
  const box = flags.box === undefined ? undefined : parseBox(flags.box);
  const maxRegions = flags.maxRegions === undefined ? undefined : parseMaxRegions(flags.maxRegions);
  const threads = parseThreads(flags.threads);
  const timeout = parseTimeout(flags.timeout);

  const { network, onnx } = loadModelFile(file);
  let domain: Domain;
  if (flags.domain !== undefined) domain = readDomainFile(flags.domain, network.inputDim, onnx);
  else if (box !== undefined) domain = { bounds: Array.from({ length: network.inputDim }, (): [number, number] => [box[0], box[1]]) };
  else domain = resolveDomain(network);
  checkSupportedDimension(domain, network.inputDim);

  const countApi = await api();
  const run = startLongRun(threads, timeout);
  const options: CountOptions = { linearRegions: flags.linear, ...run.options };
  if (maxRegions !== undefined) options.maxRegions = maxRegions;
  let result;
  try {
    result = await countApi.countRegions(network, domain, options);
  } finally {
    run.finish();
  }
  const stopReason = run.stopReason(result.stopReason);
  if (stopReason === 'interrupted') process.exitCode = 130;
  // null when not computed or partial (see CountResult.linearRegions)
  const linear = result.linearRegions;

  if (flags.json) {
    const out = {
      activationRegions: result.activationRegions,
      linearRegions: linear,
      perLayer: result.perLayer,
      elapsedMs: result.elapsedMs,
      partial: result.partial,
      stopReason,
      dimension: result.dimension,
      network: file,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const rows: string[][] = [
    ['network', `${file} (${onnx ? `ONNX input ${onnx.input.shape.join('x')}, ` : ''}${network.inputDim} input${network.inputDim === 1 ? '' : 's'}, widths ${describeWidths(network)})`],
    ['domain', `${describeDomain(domain, network.inputDim)} (${result.dimension}-D)`],
    ['activation regions', String(result.activationRegions)],
    ['linear regions', linear !== null ? String(linear) : result.partial ? 'not known (partial count)' : 'not computed (--no-linear)'],
  ];
  network.layers.forEach((l, i) => {
    const what = l.activation === 'maxout' ? `maxout x${l.pieces}` : l.activation;
    rows.push([`  layer ${i + 1} (${outputUnits(l)} ${what})`, String(result.perLayer[i])]);
  });
  rows.push(['elapsed', ms(result.elapsedMs)]);
  let text = table(rows);
  if (result.partial) {
    const why = {
      interrupted: 'interrupted (Ctrl-C)',
      aborted: 'aborted',
      timeout: `timed out after ${timeout} s`,
      maxRegions: 'reached --max-regions',
      memory: 'reached the memory limit of the core',
      complete: '',
    }[stopReason];
    text += `\npartial: ${why}; counts so far (lower bounds): ${result.activationRegions} activation regions`;
  }
  process.stdout.write(`${text}\n`);
}

/**
 * Reads a domain file for a network with `inputDim` inputs; for an ONNX model, domain errors also
 * name the input tensor's shape (domains and slices live in the flattened input).
 */
function readDomainFile(path: string, inputDim: number, onnx?: OnnxImport): Domain {
  const json = readJsonFile(path);
  try {
    return validateDomain(json, inputDim, path);
  } catch (err) {
    if (onnx === undefined || !(err instanceof LinearRegionsError) || err.code !== 'E_DOMAIN') throw err;
    const { name, shape } = onnx.input;
    throw new LinearRegionsError(
      'E_DOMAIN',
      `${err.message} (the ONNX input "${name}" has shape ${shape.join('x')}: ${inputDim} values, flattened in C order)`,
    );
  }
}

/** The network in the JSON format: one weight row per line, numbers in shortest round-trip form. */
function networkJson(network: Network): string {
  const layer = (l: Layer): string => {
    const head = JSON.stringify({ activation: l.activation, alpha: l.alpha, pieces: l.pieces }).slice(1, -1);
    const rows = l.weights.map((row) => `    ${JSON.stringify(row)}`).join(',\n');
    return `  {${head}, "bias": ${JSON.stringify(l.bias)},\n   "weights": [\n${rows}\n   ]}`;
  };
  const domain = network.domain === undefined ? '' : `,\n "domain": ${JSON.stringify(network.domain)}`;
  return `{\n "inputDim": ${network.inputDim},\n "layers": [\n${network.layers.map(layer).join(',\n')}\n ]${domain}\n}\n`;
}

async function convertCommand(file: string, flags: { domain?: string }): Promise<void> {
  const { network, onnx } = loadModelFile(file);
  const out: Network = { inputDim: network.inputDim, layers: network.layers };
  if (flags.domain !== undefined) out.domain = readDomainFile(flags.domain, network.inputDim, onnx);
  else if (network.domain !== undefined) out.domain = network.domain;
  process.stdout.write(networkJson(out));
}

/** Directory of the bundled example networks (next to dist/ in the package). */
function examplesDir(): string {
  return fileURLToPath(new URL('../../examples/', import.meta.url));
}

async function examplesCommand(): Promise<void> {
  const dir = examplesDir();
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    throw new LinearRegionsError('E_FILE', `cannot read the examples directory ${dir}`);
  }
  const { countRegions } = await api();
  const rows: string[][] = [['name', 'inputs', 'widths', 'domain', 'activation regions', 'linear regions', 'time']];
  let failed = 0;
  for (const f of files) {
    const name = basename(f, '.json');
    try {
      const network = loadNetworkFile(join(dir, f));
      const domain = resolveDomain(network);
      checkSupportedDimension(domain, network.inputDim);
      const r = await countRegions(network, domain);
      rows.push([
        name,
        String(network.inputDim),
        describeWidths(network),
        describeDomain(domain, network.inputDim),
        String(r.activationRegions),
        String(r.linearRegions),
        ms(r.elapsedMs),
      ]);
    } catch (err) {
      if (!(err instanceof LinearRegionsError)) throw err;
      failed++;
      rows.push([name, '', '', '', `error: ${err.message} [${err.code}]`]);
    }
  }
  process.stdout.write(`${table(rows, new Set([1, 4, 5, 6]))}\n`);
  if (failed > 0) throw new LinearRegionsError('E_FORMAT', `${failed} example${failed === 1 ? '' : 's'} failed`);
}

function program(): Command {
  const cmd = new Command(NAME)
    .description('Count, exactly, the activation and linear regions of piecewise-linear neural networks.')
    .version(version(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ outputError: () => {} }) // errors are printed by main()
    .showSuggestionAfterError(true);
  cmd
    .command('count')
    .description('count the activation and linear regions of a network on its domain (default: the box [-1, 1]^inputDim)')
    .argument('<network>', 'network file: JSON, or an ONNX model (.onnx; its input is flattened in C order)')
    .option('--domain <file>', 'domain JSON file: {bounds} or {origin, directions, bounds}')
    .option('--box <lo,hi>', 'count on the box [LO, HI]^inputDim')
    .option('--json', 'print one JSON object instead of a table')
    .option('--max-regions <n>', 'stop after N activation regions (the result is then partial)')
    .option('--no-linear', 'skip the linear-region count (faster)')
    .option('--threads <n>', 'worker threads (default: every core); counts are the same for any number')
    .option('--timeout <seconds>', 'stop after this many seconds, at most 2147483 (the result is then partial)')
    .addHelpText('after', '\nCtrl-C stops the count cleanly and prints the counts so far, marked partial (exit code 130).\nA progress line is shown on stderr when it is a terminal.')
    .action(countCommand);
  cmd
    .command('convert')
    .description('write a network (an ONNX model, or JSON) in the JSON network format to stdout')
    .argument('<model>', 'an ONNX model (.onnx) or a network JSON file')
    .option('--domain <file>', 'also write this domain (JSON, in the flattened input space) into the network')
    .action(convertCommand);
  cmd
    .command('examples')
    .description('count every bundled example network and print a table')
    .action(examplesCommand);
  addTheoryCommands(cmd); // bounds, construct, experiment (src/cli/theory.ts)
  return cmd;
}

function report(message: string, code: number): void {
  process.stderr.write(`${NAME}: ${message}\n`);
  process.exitCode = code;
}

function internal(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  report(`internal error: ${message}`, EXIT_INTERNAL);
  if (DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
}

/** Runs the CLI on `argv` (without node and script) and sets process.exitCode. */
async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof LinearRegionsError) {
      report(`${err.message} [${err.code}]`, err.code === 'E_ARGS' ? EXIT_USAGE : EXIT_INPUT);
      if (DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
    } else if (err instanceof CommanderError) {
      if (err.exitCode === 0) return; // --help, --version
      if (err.code !== 'commander.help' && err.code !== 'commander.helpDisplayed') {
        report(`${err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} [E_ARGS]`, EXIT_USAGE);
      } else {
        // No command given: commander printed the usage to stderr.
        report('expected a command: count, convert, examples, bounds, construct or experiment (see --help) [E_ARGS]', EXIT_USAGE);
      }
    } else {
      internal(err);
    }
  }
}

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0); // output piped into `head`
});
process.on('uncaughtException', (err) => {
  internal(err);
  process.exit(EXIT_INTERNAL);
});
process.on('unhandledRejection', (err) => {
  internal(err);
  process.exit(EXIT_INTERNAL);
});

await main(process.argv.slice(2));
