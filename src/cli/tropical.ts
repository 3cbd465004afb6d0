/**
 * `linear-regions tropical NET [--output j] [--json] [--max-monomials N]` (registered by main.ts):
 * each output of the network as a tropical rational map F - G (Zhang, Naitzat and Lim 2018), with
 * the reduced monomials of F and G, N(F), N(G), N(F (*) G) and the exact linear regions of the
 * output on R^n0. `--json` prints exactly one object {"outputs": [...]} on one line.
 */
import type { Command } from 'commander';
import { LinearRegionsError } from '../errors.js';
import { loadModelFile } from '../network/io.js';
import { outputUnits } from '../network/validate.js';
import { parseIntFlag } from './theory.js';
import { DEFAULT_MAX_MONOMIALS } from '../theory/tropical/polynomial.js';
import type { TropicalOutput, TropicalPolynomialJson, TropicalResult } from '../theory/tropical/tropicalize.js';

function argsError(message: string): never {
  throw new LinearRegionsError('E_ARGS', message);
}

interface TropicalFlags {
  output?: string;
  json?: boolean;
  maxMonomials?: string;
}

/** "3/4 x1 + 2 x2 - 1" style rendering of one monomial (as the affine function it stands for). */
function affine(m: { exponent: string[]; coefficient: string }): string {
  const terms: string[] = [];
  m.exponent.forEach((e, i) => {
    if (e === '0') return;
    const name = m.exponent.length === 1 ? 'x' : `x${i + 1}`;
    terms.push(`${e === '1' ? '' : e === '-1' ? '-' : `${e} `}${name}`);
  });
  if (m.coefficient !== '0' || terms.length === 0) terms.push(m.coefficient);
  return terms.join(' + ').replace(/\+ -/g, '- ');
}

const SHOWN = 8;

function polynomial(name: string, p: TropicalPolynomialJson): string {
  const lines = [`  ${name} = max of ${p.count} affine piece${p.count === 1 ? '' : 's'} (${p.count} linear region${p.count === 1 ? '' : 's'} on R^n):`];
  for (const m of p.monomials.slice(0, SHOWN)) lines.push(`      ${affine(m)}`);
  if (p.count > SHOWN) lines.push(`      ... ${p.count - SHOWN} more (--json lists them all)`);
  return lines.join('\n');
}

function summary(o: TropicalOutput): string {
  const lines = [`output ${o.output + 1}: f = F - G`, polynomial('F', o.F), polynomial('G', o.G)];
  lines.push(`  N(F (*) G) = ${o.FG.count}   upper-hull vertices of P(F) + P(G): an upper bound on the linear regions of f`);
  lines.push(`  linear regions of f on R^n (exact, this output alone) = ${o.linearRegions}`);
  if (o.zonotope) {
    lines.push(`  one hidden layer: P(F) and P(G) are zonotopes with ${o.zonotope.F.length} and ${o.zonotope.G.length} generators`);
  }
  return lines.join('\n');
}

/** Monomials per JSON.stringify call when writing --json (no single string of the whole result). */
const CHUNK = 4096;

function writePolynomial(p: TropicalPolynomialJson, write: (text: string) => void, size: number): void {
  write('{"monomials":[');
  for (let i = 0; i < p.monomials.length; i += size) {
    const chunk = JSON.stringify(p.monomials.slice(i, i + size));
    write(i === 0 ? chunk.slice(1, -1) : `,${chunk.slice(1, -1)}`);
  }
  write(`],"count":${p.count}}`);
}

/**
 * Writes `JSON.stringify(result)` and a newline, byte for byte, in pieces: with millions of
 * monomials the whole string would pass V8's string length limit (about 2^29 characters).
 */
export function writeJson(result: TropicalResult, write: (text: string) => void, size = CHUNK): void {
  write('{"outputs":[');
  result.outputs.forEach((o, i) => {
    const { F, G, ...rest } = o;
    write(i === 0 ? '{"F":' : ',{"F":');
    writePolynomial(F, write, size);
    write(',"G":');
    writePolynomial(G, write, size);
    write(`,${JSON.stringify(rest).slice(1)}`);
  });
  write(']}\n');
}

async function tropicalCommand(file: string, flags: TropicalFlags): Promise<void> {
  const output = flags.output === undefined ? undefined : parseIntFlag('--output', flags.output, 1) - 1;
  const maxMonomials = flags.maxMonomials === undefined ? undefined : parseIntFlag('--max-monomials', flags.maxMonomials, 1);
  const { network } = await loadModelFile(file);
  const units = outputUnits(network.layers[network.layers.length - 1]!);
  if (output !== undefined && output >= units) argsError(`--output must be from 1 to ${units} (the network has ${units} output${units === 1 ? '' : 's'}), got ${output + 1}`);
  const { tropicalizeSync } = await import('../index.node.js');
  const options: { output?: number; maxMonomials?: number } = {};
  if (output !== undefined) options.output = output;
  if (maxMonomials !== undefined) options.maxMonomials = maxMonomials;
  const result = tropicalizeSync(network, options);
  if (flags.json) {
    writeJson(result, (text) => process.stdout.write(text));
    return;
  }
  process.stdout.write(`${result.outputs.map(summary).join('\n\n')}\n`);
}

/** Registers the `tropical` command. */
export function addTropicalCommand(cmd: Command): void {
  cmd
    .command('tropical')
    .description('write each output as a tropical rational map F - G: reduced monomials, N(F), N(G), N(F*G) and the exact linear regions on R^n')
    .argument('<network>', 'network file: JSON, or an ONNX model')
    .option('--output <j>', 'only output j (1-based)')
    .option('--json', 'print one JSON object {"outputs": [...]} with every monomial as exact rational strings')
    .option('--max-monomials <n>', `stop with E_TOO_LARGE when F, G or F*G of an output exceeds N monomials (default ${DEFAULT_MAX_MONOMIALS})`)
    .action(tropicalCommand);
}
