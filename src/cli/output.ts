/**
 * What the CLI prints: the count table or the one JSON object, shared by `count` and
 * `shard merge` (which must print exactly what `count` prints).
 */
import type { CountResult, StopReason } from '../count/api-types.js';
import type { DecisionResult } from '../count/decision.js';
import type { OnnxImport } from '../onnx/import.js';
import type { Domain, Network } from '../network/types.js';
import { isPolytope, isSlice, isWhole } from '../network/types.js';
import { outputUnits } from '../network/validate.js';

/** "[0, 1]", "[-1, 1]^2", "[0, 1] x [-2, 2]", "plane slice [-1, 1]^2 of R^20". */
export function describeDomain(domain: Domain, inputDim: number): string {
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
export function describeWidths(network: Network): string {
  return network.layers
    .map((l) => (l.activation === 'maxout' ? `${outputUnits(l)}x${l.pieces}` : `${outputUnits(l)}`))
    .join('-');
}

export function ms(x: number): string {
  return x < 10 ? `${x.toFixed(2)} ms` : x < 10_000 ? `${x.toFixed(1)} ms` : `${(x / 1000).toFixed(2)} s`;
}

/** Left-aligns text columns and right-aligns the columns listed in `right`. */
export function table(rows: string[][], right: ReadonlySet<number> = new Set()): string {
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

export interface PrintCount {
  result: CountResult;
  /** With --decision: the decision regions (a second count, or undefined when the first one stopped). */
  decision?: DecisionResult;
  network: Network;
  domain: Domain;
  /** The network file, as named on the command line. */
  file: string;
  onnx?: OnnxImport;
  stopReason: StopReason;
  warnings: readonly string[];
  json: boolean;
  /** --timeout, for the partial-count line. */
  timeout?: number;
}

/** Prints a count's result on stdout: a readable table, or exactly one JSON object. */
export function printCount({ result, decision, network, domain, file, onnx, stopReason, warnings, json, timeout }: PrintCount): void {
  // null when not computed or partial (see CountResult.linearRegions)
  const linear = result.linearRegions;

  if (json) {
    const out = {
      activationRegions: result.activationRegions,
      linearRegions: linear,
      ...(decision !== undefined ? { decisionRegions: decision.decisionRegions, classes: decision.classes } : {}),
      perLayer: result.perLayer,
      elapsedMs: result.elapsedMs,
      partial: result.partial,
      stopReason,
      dimension: result.dimension,
      network: file,
      warnings,
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
  if (decision !== undefined) {
    const n = decision.decisionRegions;
    rows.push(['decision regions', `${n !== null ? String(n) : 'not known (partial count)'} (argmax of ${decision.classes === 2 && outputUnits(network.layers[network.layers.length - 1]!) === 1 ? 'the output: z > 0' : `${decision.classes} outputs`})`]);
  }
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
