/**
 * The theory commands of the `linear-regions` CLI (registered by cli.ts):
 *
 *   linear-regions bounds --input N --widths A,B,C [--maxout K] [--json] [--cgrad C] [--cbias C] [--volume V]
 *   linear-regions construct sawtooth|montufar|milkert|random [options]      network JSON on stdout
 *   linear-regions experiment deep-vs-shallow [--input N] [--neurons N] [--params P] [--seeds S] [--json]
 *   linear-regions experiment milkert [--function x3|x2|exp|sin|all] [--depth d] [--trials t] [--steps s] [--seed s] [--json] [--save DIR]
 *                                      (run by src/cli/training.ts)
 *
 * Same conventions as cli.ts: bad arguments throw LinearRegionsError E_ARGS (exit 2), `--json`
 * prints exactly one JSON object on one line, every command has `--help`.
 */
import { Argument, type Command } from 'commander';
import { BOUND_INFO, BOUND_NAMES, ESTIMATE_NAMES, boundsToJson, computeBounds, type BoundsOptions } from '../theory/bounds.js';
import {
  CONSTRUCTION_NAMES,
  INITS,
  milkert,
  montufarFolding,
  randomNetwork,
  sawtooth,
  type Init,
  type MilkertOptions,
} from '../theory/constructions.js';
import { LinearRegionsError } from '../errors.js';
import { deepVsShallow, deepVsShallowToJson, formatDeepVsShallow, type DeepVsShallowOptions } from '../theory/experiments.js';
import { milkertExperimentCommand, rejectMilkertFlags } from './training.js';
import { constructConvacCommand, overlapCommand } from './convac.js';

function argsError(message: string): never {
  throw new LinearRegionsError('E_ARGS', message);
}

/** Parses an integer option >= `min`. */
export function parseIntFlag(flag: string, text: string, min: number): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) argsError(`${flag} must be an integer >= ${min}, got "${text}"`);
  return n;
}

/** Parses a positive finite number option. */
function parsePositive(flag: string, text: string): number {
  const n = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(n) || n <= 0) argsError(`${flag} must be a positive number, got "${text}"`);
  return n;
}

/** Parses `A,B,C` into positive integers. */
function parseIntList(flag: string, text: string): number[] {
  const nums = text.split(',').map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p) : NaN));
  if (!nums.every((n) => Number.isSafeInteger(n) && n >= 1)) {
    argsError(`${flag} must be a comma-separated list of positive integers (e.g. ${flag} 4,4,4), got "${text}"`);
  }
  return nums;
}

/** Parses `A,B,C` into finite numbers. */
function parseNumberList(flag: string, text: string): number[] {
  const nums = text.split(',').map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (!nums.every(Number.isFinite)) argsError(`${flag} must be a comma-separated list of numbers (e.g. ${flag} 0.3,0.5,0.7), got "${text}"`);
  return nums;
}

function parseInit(text: string): Init {
  if (!(INITS as readonly string[]).includes(text)) argsError(`--init must be one of ${INITS.join(', ')}, got "${text}"`);
  return text as Init;
}

/** Left-aligns text columns and right-aligns the columns listed in `right`. */
function table(rows: string[][], right: ReadonlySet<number>): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((row) => row.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

interface BoundsFlags {
  input: string;
  widths: string;
  maxout?: string;
  json?: boolean;
  cgrad?: string;
  cbias?: string;
  volume?: string;
}

function boundsCommand(flags: BoundsFlags): void {
  const inputDim = parseIntFlag('--input', flags.input, 1);
  const widths = parseIntList('--widths', flags.widths);
  const options: BoundsOptions = {};
  if (flags.maxout !== undefined) options.maxout = parseIntFlag('--maxout', flags.maxout, 2);
  if (flags.cgrad !== undefined) options.cGrad = parsePositive('--cgrad', flags.cgrad);
  if (flags.cbias !== undefined) options.cBias = parsePositive('--cbias', flags.cbias);
  if (flags.volume !== undefined) options.volume = parsePositive('--volume', flags.volume);
  const report = computeBounds(inputDim, widths, options);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(boundsToJson(report))}\n`);
    return;
  }
  const neurons = widths.reduce((a, b) => a + b, 0);
  const act = report.maxout === undefined ? 'ReLU' : `rank-${report.maxout} maxout`;
  const rows: string[][] = [['bound', 'kind', 'value', 'source']];
  for (const name of BOUND_NAMES) {
    const v = report.bounds[name];
    if (v !== undefined) rows.push([name, BOUND_INFO[name].kind, v.toString(), BOUND_INFO[name].source]);
  }
  for (const name of ESTIMATE_NAMES) {
    const v = report.estimates[name];
    if (v !== undefined) rows.push([name, BOUND_INFO[name].kind, String(v), BOUND_INFO[name].source]);
  }
  let text = `${inputDim} input${inputDim === 1 ? '' : 's'}, hidden widths ${widths.join('-')} (${act}, ${neurons} neurons)\n`;
  text += table(rows, new Set([2]));
  const omitted = Object.entries(report.omitted);
  if (omitted.length > 0) text += `\nomitted:\n${omitted.map(([n, why]) => `  ${n}: ${why}`).join('\n')}`;
  process.stdout.write(`${text}\n`);
}

/** A constructed network as JSON: description first, one weight row per line, full float64 precision. */
function networkJson(net: { description?: string; inputDim: number; layers: { weights: number[][]; bias: number[]; activation: string }[]; domain?: unknown }): string {
  const j = JSON.stringify;
  const layers = net.layers.map(
    (l) => `    {\n      "weights": [\n${l.weights.map((w) => `        ${j(w)}`).join(',\n')}\n      ],\n      "bias": ${j(l.bias)},\n      "activation": ${j(l.activation)}\n    }`,
  );
  const fields: string[] = [];
  if (net.description !== undefined) fields.push(`  "description": ${j(net.description)}`);
  fields.push(`  "inputDim": ${net.inputDim}`, `  "layers": [\n${layers.join(',\n')}\n  ]`);
  if (net.domain !== undefined) fields.push(`  "domain": ${j(net.domain)}`);
  return `{\n${fields.join(',\n')}\n}\n`;
}

interface ConstructFlags {
  depth?: string;
  seed?: string;
  peaks?: string;
  input?: string;
  widths?: string;
  init?: string;
}

const CONSTRUCT_FLAGS: Record<string, (keyof ConstructFlags)[]> = {
  sawtooth: ['depth'],
  montufar: ['input', 'widths'],
  milkert: ['depth', 'seed', 'peaks'],
  random: ['input', 'widths', 'init', 'seed'],
};

function constructCommand(name: string, flags: ConstructFlags): void {
  if (name === 'convac') return constructConvacCommand(flags as Record<string, string | undefined>); // src/cli/convac.ts
  const allowed = CONSTRUCT_FLAGS[name] ?? [];
  for (const key of Object.keys(flags) as (keyof ConstructFlags)[]) {
    if (flags[key] !== undefined && !allowed.includes(key)) {
      argsError(`construct ${name} does not take --${key} (it takes ${allowed.map((k) => `--${k}`).join(', ')})`);
    }
  }
  const need = (key: keyof ConstructFlags): string => flags[key] ?? argsError(`construct ${name} needs --${key}`);
  let net: Parameters<typeof networkJson>[0];
  if (name === 'sawtooth') {
    net = sawtooth(parseIntFlag('--depth', need('depth'), 1));
  } else if (name === 'montufar') {
    net = montufarFolding(parseIntFlag('--input', need('input'), 1), parseIntList('--widths', need('widths')));
  } else if (name === 'milkert') {
    if (flags.seed !== undefined && flags.peaks !== undefined) argsError('construct milkert takes --seed or --peaks, not both');
    const options: MilkertOptions = {};
    if (flags.peaks !== undefined) options.peaks = parseNumberList('--peaks', flags.peaks);
    if (flags.seed !== undefined) options.seed = parseIntFlag('--seed', flags.seed, 0);
    const depth = flags.depth !== undefined ? parseIntFlag('--depth', flags.depth, 1) : options.peaks?.length ?? parseIntFlag('--depth', need('depth'), 1);
    net = milkert(depth, options);
  } else {
    net = randomNetwork(parseIntFlag('--input', need('input'), 1), parseIntList('--widths', need('widths')), {
      init: parseInit(flags.init ?? 'he'),
      seed: flags.seed === undefined ? 1 : parseIntFlag('--seed', flags.seed, 0),
    });
  }
  process.stdout.write(networkJson(net));
}

interface ExperimentFlags {
  input?: string;
  neurons?: string;
  params?: string;
  seeds?: string;
  seed?: string;
  init?: string;
  box?: string;
  json?: boolean;
  [milkertFlag: string]: unknown; // function, depth, trials, steps, save: src/cli/training.ts
}

async function experimentCommand(name: string, flags: ExperimentFlags): Promise<void> {
  if (name === 'milkert') return milkertExperimentCommand(flags, networkJson);
  rejectMilkertFlags(name, flags);
  if (name === 'overlap') return overlapCommand(flags as Record<string, unknown>); // src/cli/convac.ts
  const options: DeepVsShallowOptions = {};
  if (flags.input !== undefined) {
    options.inputDim = parseIntFlag('--input', flags.input, 1);
    if (options.inputDim > 2) argsError(`--input ${options.inputDim}: the experiment counts regions exactly, which needs 1 or 2 inputs until the n-D engine lands`);
  }
  if (flags.neurons !== undefined) options.neurons = parseIntFlag('--neurons', flags.neurons, 1);
  if (flags.params !== undefined) options.parameters = parseIntFlag('--params', flags.params, 1);
  if (flags.seeds !== undefined) options.seeds = parseIntFlag('--seeds', flags.seeds, 1);
  if (flags.seed !== undefined) options.seed = parseIntFlag('--seed', flags.seed, 0);
  if (flags.box !== undefined) options.box = parsePositive('--box', flags.box);
  if (flags.init !== undefined) options.init = parseInit(flags.init);
  const { countRegions } = await import('../index.node.js'); // lazily: --help works without the WebAssembly core
  const result = await deepVsShallow(countRegions, options);
  process.stdout.write(flags.json ? `${JSON.stringify(deepVsShallowToJson(result))}\n` : `${formatDeepVsShallow(result)}\n`);
}

/** Adds the bounds, construct and experiment commands to the program. */
export function addTheoryCommands(cmd: Command): void {
  cmd
    .command('bounds')
    .description('closed-form bounds on the number of regions of an architecture, as exact integers (docs/theory.md)')
    .requiredOption('--input <n0>', 'input dimension n0')
    .requiredOption('--widths <a,b,c>', 'hidden layer widths, e.g. 4,4,4')
    .option('--maxout <k>', 'rank-k maxout units (k pieces each) instead of ReLU')
    .option('--json', 'print one JSON object {name: "decimal value"} of the bounds that apply')
    .option('--cgrad <c>', 'C_grad of the Hanin-Rolnick estimate (default 1)')
    .option('--cbias <c>', 'C_bias of the Hanin-Rolnick estimate (default 1)')
    .option('--volume <v>', 'volume of the region for the Hanin-Rolnick estimate (default 1)')
    .action(boundsCommand);
  cmd
    .command('construct')
    .description("print one of the papers' constructions as a network JSON (with its natural domain)")
    .addArgument(new Argument('<name>', 'construction').choices([...CONSTRUCTION_NAMES, 'convac']))
    .option('--depth <d>', 'sawtooth, milkert: number of hidden layers (2^d regions)')
    .option('--seed <s>', 'milkert: seed of the random peaks; random: seed of the initialisation (default 1)')
    .option('--peaks <a1,a2,...>', 'milkert: the triangle peaks, each in (0, 1), one per layer')
    .option('--input <n0>', 'montufar, random: input dimension')
    .option('--widths <a,b,c>', 'montufar, random: hidden layer widths')
    .option('--init <he|glorot|uniform>', 'random: initialisation (default he)')
    .option('--positions <N|HxW>', 'convac: N positions in 1-D or an H x W grid')
    .option('--templates <M>', 'convac: templates per position')
    .option('--layers <R:S:r,...>', 'convac: receptive field, stride and channels of each layer')
    .option('--weights <int|gaussian>', 'convac: non-zero integers in [-1000, 1000] (default) or N(0, 1)')
    .addHelpText(
      'after',
      [
        '',
        'Constructions:',
        "  sawtooth --depth L                               Telgarsky's composed hat: 2^L linear regions on [0, 1]",
        '  montufar --input n0 --widths a,b,c               Montufar et al. 2014 folding: their lower bound on [0, 1]^n0',
        '  milkert --depth d [--seed s | --peaks a1,...]    Milkert, Hyde, Laine: 2^d linear regions on [0, 1]',
        '  random --input n0 --widths a,b [--init he|glorot|uniform] [--seed s]   seeded network on [-1, 1]^n0',
        '  convac --positions N|HxW --templates M --layers R:S:r,... [--weights int|gaussian] [--seed s]   ConvAC spec',
      ].join('\n'),
    )
    .action(constructCommand);
  cmd
    .command('experiment')
    .description(
      'run an experiment; deep-vs-shallow: bounds, best construction and random networks side by side, counted exactly; ' +
        'milkert: reparameterised training vs Kaiming init, exact regions; overlap: ConvAC matricization ranks, overlapping vs not (docs/theory.md)',
    )
    .addArgument(new Argument('<name>', 'experiment').choices(['deep-vs-shallow', 'milkert', 'overlap']))
    .option('--input <n0>', 'input dimension, 1 or 2 (default 2)')
    .option('--neurons <n>', 'neuron budget of the first table (default 24)')
    .option('--params <p>', 'parameter budget of the second table (default: that of the shallow network)')
    .option('--seeds <s>', 'random initialisations per architecture (default 10)')
    .option('--seed <s>', 'first seed (default 1)')
    .option('--init <he|glorot|uniform>', 'initialisation of the random networks (default he)')
    .option('--box <r>', 'count the random networks on [-r, r]^n0 (default 1)')
    .option('--function <x3|x2|exp|sin|all>', 'milkert: target on [0, 1], or a comma-separated list (default x3)')
    .option('--depth <d>', 'milkert: hidden layers of width 4 (default 6)')
    .option('--trials <t>', 'milkert: seeded trials per method (default 5)')
    .option('--steps <s>', 'milkert: Adam steps per method, Milkert split 1/6 phase 1, 5/6 phase 2 (default 12000)')
    .option('--save <dir>', 'milkert: write every trained network as DIR/<function>-<method>-<trial>.json')
    .option('--positions <N>', 'overlap: positions (default 8)')
    .option('--templates <M>', 'overlap: templates (default 2)')
    .option('--channels <r>', 'overlap: channels of the first table (default 2)')
    .option('--relu', 'overlap: also count the ReLU counterparts on 2-D slices')
    .option('--json', 'print one JSON object instead of tables')
    .action(experimentCommand);
}
