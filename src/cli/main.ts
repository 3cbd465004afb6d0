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
 *   linear-regions experiment overlap [--positions N] [--templates M] [--relu] [--json]; convac rank SPEC.json --partition P   (src/cli/convac.ts)
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
import { addShardCommands } from './shard.js';
import { addConvacCommands } from './convac.js';
import { addTropicalCommand } from './tropical.js';
import type { CountOptions } from '../count/api-types.js';
import { LinearRegionsError, escapeControls } from '../errors.js';
import { serra2018 } from '../theory/bounds.js';
import { loadModelFile, loadNetworkFile, readJsonFile } from '../network/io.js';
import { parseThreads, parseTimeout, startLongRun } from './long-run.js';
import { describeDomain, describeWidths, ms, printCount, table } from './output.js';
import type { OnnxImport } from '../onnx/import.js';
import type { Domain, Layer, Network } from '../network/types.js';
import { isSlice } from '../network/types.js';
import { checkSupportedDimension, looksLikeSlice, outputUnits, resolveDomain, validateDomain, type ValidateOptions } from '../network/validate.js';

const NAME = 'linear-regions';
const DEBUG = process.env.LINEAR_REGIONS_DEBUG === '1';

/** Exit codes. */
const EXIT_INPUT = 1;
const EXIT_USAGE = 2;
const EXIT_INTERNAL = 70;

/**
 * Loads the counting API lazily (count/node-api.ts, not the whole library), so `--help` and
 * argument errors work even if the WebAssembly core cannot load, and a count loads only what it uses.
 */
async function api(): Promise<{ countRegions: typeof import('../count/node-api.js').nodeApi.countRegions; countDecisionRegions: typeof import('../count/node-api.js').countDecisionRegions }> {
  const { nodeApi, countDecisionRegions } = await import('../count/node-api.js');
  return { countRegions: nodeApi.countRegions, countDecisionRegions };
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

interface CountFlags {
  domain?: string;
  box?: string;
  json?: boolean;
  maxRegions?: string;
  linear: boolean;
  threads?: string;
  timeout?: string;
  until?: string;
  strict?: boolean;
  decision?: boolean;
}

/** An option that takes a file must not swallow the next flag (`--domain --json`). */
function fileFlag(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && /^--?[a-zA-Z]/.test(value)) argsError(`${name} needs a file name, got the flag "${value}" (write ./${value} for a file of that name)`);
  return value;
}

/** Prints validation warnings (unknown keys) on stderr, one line each. */
function warn(lines: readonly string[]): void {
  for (const line of lines) process.stderr.write(`${NAME}: warning: ${escapeControls(line)}\n`);
}

/** Above this many regions (an upper bound for the architecture) a count is announced as possibly endless. */
const HUGE_COUNT = 10n ** 9n;

/**
 * The rule for the note on stderr before a count that may never finish: the domain is the whole
 * space, a polytope or a box of 3 or more dimensions (slices are what the note recommends), and
 * Serra et al.'s (2018) upper bound for the architecture (its layers up to the last non-linear
 * one), with the counted dimension as its input dimension, exceeds 10^9 regions.
 */
function hugeCountNote(network: Network, domain: Domain, dimension: number, defaulted: boolean): string | undefined {
  if (dimension < 3 || isSlice(domain)) return undefined;
  // trailing linear layers (the usual output layer) cut nothing
  let last = network.layers.length;
  while (last > 0 && network.layers[last - 1]!.activation === 'linear') last--;
  if (last === 0) return undefined;
  let bound: bigint;
  try {
    bound = serra2018(dimension, network.layers.slice(0, last).map((l) => outputUnits(l)));
  } catch {
    return undefined;
  }
  if (bound <= HUGE_COUNT) return undefined;
  const digits = bound.toString();
  const size = `${digits[0]}.${digits.slice(1, 3)}e+${digits.length - 1}`;
  const what = `${describeDomain(domain, network.inputDim)}${defaulted ? ', the default above 2 inputs' : ''}`;
  return (
    `note: counting on ${what}: this architecture can have up to ${size} regions there (Serra et al. 2018), ` +
    'so the count may not finish. Count a slice instead (--domain slice.json with {origin, directions, bounds}), ' +
    'a smaller box (--box LO,HI), or bound the time with --timeout S or --max-regions N; Ctrl-C prints the counts so far.'
  );
}

async function countCommand(file: string, flags: CountFlags): Promise<void> {
  fileFlag('--domain', flags.domain);
  if (flags.domain !== undefined && flags.box !== undefined) argsError('use either --domain or --box, not both');
  const box = flags.box === undefined ? undefined : parseBox(flags.box);
  const maxRegions = flags.maxRegions === undefined ? undefined : parseMaxRegions(flags.maxRegions);
  const threads = parseThreads(flags.threads);
  const timeout = parseTimeout(flags.timeout);

  // the domain file first: whether it is a slice decides if a network of many inputs can be counted
  const domainJson = flags.domain === undefined ? undefined : readJsonFile(flags.domain);
  const fullDimension = domainJson !== undefined ? !looksLikeSlice(domainJson) : box !== undefined ? true : 'own';
  const checks: ValidateOptions = { strict: flags.strict === true, warnings: [], fullDimension };
  const { network, onnx, tfjs } = await loadModelFile(file, { ...checks, until: flags.until });
  if (onnx !== undefined) printOnnxNotes(onnx, flags.until !== undefined);
  if (tfjs !== undefined && tfjs.omitted.length > 0) process.stderr.write(`${NAME}: note: left out (${flags.until !== undefined ? 'after --until' : 'not piecewise linear'}): ${tfjs.omitted.join(', ')}\n`);
  let domain: Domain;
  if (flags.domain !== undefined) domain = checkDomain(domainJson, flags.domain, network.inputDim, onnx, checks);
  else if (box !== undefined) domain = { bounds: Array.from({ length: network.inputDim }, (): [number, number] => [box[0], box[1]]) };
  else domain = resolveDomain(network);
  const dimension = checkSupportedDimension(domain, network.inputDim);
  warn(checks.warnings!);
  const defaulted = flags.domain === undefined && box === undefined && network.domain === undefined;
  const note = hugeCountNote(network, domain, dimension, defaulted);
  if (note !== undefined) process.stderr.write(`${NAME}: ${note}\n`);

  const countApi = await api();
  const run = startLongRun(threads, timeout);
  const options: CountOptions = { linearRegions: flags.linear, ...run.options };
  if (maxRegions !== undefined) options.maxRegions = maxRegions;
  let result;
  let decision;
  try {
    result = await countApi.countRegions(network, domain, options);
    // decision regions: a second count, of the network with its argmax unit (count/decision.ts)
    if (flags.decision === true && !result.partial) decision = await countApi.countDecisionRegions(network, domain, options);
  } finally {
    run.finish();
  }
  const stopReason = run.stopReason(decision?.partial ? decision.stopReason : result.stopReason);
  if (stopReason === 'interrupted') process.exitCode = 130;
  printCount({ result, decision, network, domain, file, onnx, stopReason, warnings: checks.warnings!, json: flags.json === true, timeout });
}

/**
 * Reads a domain file for a network with `inputDim` inputs; for an ONNX model, domain errors also
 * name the input tensor's shape (domains and slices live in the flattened input).
 */
/** One stderr line for what the ONNX importer cut or decided (a softmax tail, a batch fixed to 1). */
function printOnnxNotes(onnx: OnnxImport, until: boolean): void {
  if (onnx.omitted.length > 0) {
    const what = until ? 'after --until' : 'not piecewise linear';
    process.stderr.write(`${NAME}: note: counting up to "${onnx.output.name}"; left out (${what}): ${onnx.omitted.join(', ')}${until ? '' : ' (--strict refuses)'}\n`);
  }
  for (const note of onnx.notes) process.stderr.write(`${NAME}: note: ${note}\n`);
}

function readDomainFile(path: string, inputDim: number, onnx?: OnnxImport, checks?: ValidateOptions): Domain {
  return checkDomain(readJsonFile(path), path, inputDim, onnx, checks);
}

/** Validates a domain read from `path` (see {@link readDomainFile}). */
function checkDomain(json: unknown, path: string, inputDim: number, onnx?: OnnxImport, checks?: ValidateOptions): Domain {
  try {
    return validateDomain(json, inputDim, path, checks);
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

async function convertCommand(file: string, flags: { domain?: string; strict?: boolean }): Promise<void> {
  fileFlag('--domain', flags.domain);
  const checks: ValidateOptions = { strict: flags.strict === true, warnings: [] };
  const { network, onnx } = await loadModelFile(file, checks);
  const out: Network = { inputDim: network.inputDim, layers: network.layers };
  if (flags.domain !== undefined) out.domain = readDomainFile(flags.domain, network.inputDim, onnx, checks);
  else if (network.domain !== undefined) out.domain = network.domain;
  warn(checks.warnings!);
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
    .description(
      "count the activation and linear regions of a network on a domain: --domain or --box, else the network file's own \"domain\", " +
        'else the box [-1, 1]^inputDim for 1 or 2 inputs and the whole space R^inputDim above',
    )
    .argument('<network>', 'network file: JSON, an ONNX model (.onnx), or a TensorFlow.js model.json (inputs flattened in C order)')
    .option(
      '--domain <file>',
      'domain JSON file, one of: a box {"bounds": [[lo, hi], ...]} (one pair per input); a slice {"origin", "directions", "bounds"} ' +
        '(1 direction: a line, 2: a plane, more: an n-D slice; one [lo, hi] per direction); a polytope {"A", "b"} (the set A x <= b); ' +
        'the whole space {"whole": true}',
    )
    .option('--box <lo,hi>', 'count on the box [LO, HI]^inputDim')
    .option('--json', 'print one JSON object instead of a table')
    .option('--max-regions <n>', 'stop after N activation regions (the result is then partial)')
    .option('--no-linear', 'skip the linear-region count (faster)')
    .option('--threads <n>', 'worker threads (default: every core); counts are the same for any number')
    .option('--timeout <seconds>', 'stop after this many seconds, at most 2147483 (the result is then partial)')
    .option('--until <node>', 'ONNX, TensorFlow.js: count the graph up to this node (its name or output tensor)')
    .option('--decision', "also count the decision regions: where the argmax of the outputs (a classifier's class) is constant; 1 output: z > 0")
    .option(
      '--strict',
      'refuse unknown keys in the network or domain JSON (default: warn and ignore them) and a Softmax/LogSoftmax/Sigmoid/ArgMax tail (default: cut it with a note)',
    )
    .addHelpText(
      'after',
      '\nWhen the domain is the whole space, a polytope or a box of 3 or more dimensions and the architecture\n' +
        "can have more than 10^9 regions there (Serra et al. 2018's bound), a note on stderr says so before\n" +
        'counting and names the flags that bound the work.' +
        '\nCtrl-C stops the count cleanly and prints the counts so far, marked partial (exit code 130).\nA progress line is shown on stderr when it is a terminal.',
    )
    .action(countCommand);
  cmd
    .command('convert')
    .description('write a network (an ONNX model, or JSON) in the JSON network format to stdout')
    .argument('<model>', 'an ONNX model (.onnx) or a network JSON file')
    .option('--domain <file>', 'also write this domain (JSON, in the flattened input space) into the network')
    .option('--strict', 'refuse unknown keys in the network or domain JSON (default: warn on stderr and ignore them)')
    .action(convertCommand);
  cmd
    .command('examples')
    .description('count every bundled example network and print a table')
    .action(examplesCommand);
  addTheoryCommands(cmd); // bounds, construct, experiment (src/cli/theory.ts)
  addShardCommands(cmd); // shard plan | run | merge (src/cli/shard.ts)
  addConvacCommands(cmd); // convac rank (src/cli/convac.ts)
  addTropicalCommand(cmd); // tropical (src/cli/tropical.ts)
  return cmd;
}

function report(message: string, code: number): void {
  process.stderr.write(`${NAME}: ${escapeControls(message)}\n`);
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
        report('expected a command: count, convert, examples, bounds, construct, experiment, tropical, convac or shard (see --help) [E_ARGS]', EXIT_USAGE);
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
