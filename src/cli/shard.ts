/**
 * `linear-regions shard plan | run | merge`: a count split into files that a batch engine runs
 * (Kubernetes Indexed Jobs, Slurm job arrays, `xargs -P`, by hand). See src/count/shard.ts for
 * what a shard is, and docs/batch.md for the recipes.
 *
 *   DIR/plan.json       the network, the domain, the number of shards, a fingerprint of the packed
 *                       input (a result is only merged with the plan it was counted for)
 *   DIR/shard-I.bin     shard I's work units (cells of layer 1), self-contained given plan.json
 *   DIR/result-I.json   shard I's counts and the faces still waiting for a partner, written
 *                       atomically (a shard that fails leaves nothing and is simply rerun)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { LinearRegionsError } from '../errors.js';
import type { Input } from '../count/api.js';
import { pack } from '../count/pack.js';
import { mergeShards, planShards, runShard, type ShardResult } from '../count/shard.js';
import { coreFingerprint, loadModuleSync } from '../count/wasm-node.js';
import { loadModelFile, readBinaryFile, readJsonFile } from '../network/io.js';
import type { Domain, Network } from '../network/types.js';
import { checkSupportedDimension, resolveDomain, validateDomain, validateNetwork, type ValidateOptions } from '../network/validate.js';
import { printCount } from './output.js';

const PLAN_FORMAT = 'linear-regions-shards';
const RESULT_FORMAT = 'linear-regions-shard-result';
/** Most shards a plan may have (each is a file; a batch engine runs one task per shard). */
export const MAX_SHARDS = 100_000;

interface Plan {
  format: typeof PLAN_FORMAT;
  version: 1;
  fingerprint: string;
  shards: number;
  units: number;
  linearRegions: boolean;
  file: string;
  network: Network;
  domain: Domain;
}

function argsError(message: string): never {
  throw new LinearRegionsError('E_ARGS', message);
}

function parseCount(name: string, text: string, min: number, max: number): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) argsError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

/** The validated input the core counts, as the API builds it. */
function inputOf(network: Network, domain: Domain): Input {
  checkSupportedDimension(domain, network.inputDim);
  return { network, domain, packed: pack(network, domain), warnings: [] };
}

/**
 * Identifies a plan's packed input, mode and core: results are only merged with the plan they
 * belong to, and a shard's unit records are only read by the core that wrote them (their layout
 * is the core's own).
 */
function fingerprint(input: Input, linear: boolean): string {
  const w = input.packed.words;
  return createHash('sha256')
    .update(new Uint8Array(w.buffer, w.byteOffset, w.byteLength))
    .update(linear ? 'linear' : 'activation')
    .update(coreFingerprint())
    .digest('hex');
}

/** Writes a file atomically: a reader sees the old file, or the whole new one. */
function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function readPlan(dir: string): { plan: Plan; input: Input } {
  const path = join(dir, 'plan.json');
  const json = readJsonFile(path) as Partial<Plan>;
  if (typeof json !== 'object' || json === null || json.format !== PLAN_FORMAT || json.version !== 1) {
    throw new LinearRegionsError('E_FORMAT', `${path} is not a shard plan of this version (write one with "linear-regions shard plan")`);
  }
  if (!Number.isSafeInteger(json.shards) || json.shards! < 1 || json.shards! > MAX_SHARDS) {
    throw new LinearRegionsError('E_FORMAT', `${path}: "shards" must be an integer from 1 to ${MAX_SHARDS}`);
  }
  const network = validateNetwork(json.network);
  const domain = validateDomain(json.domain, network.inputDim, `${path}: domain`);
  const input = inputOf(network, domain);
  const plan = { ...json, network, domain } as Plan;
  if (fingerprint(input, plan.linearRegions === true) !== plan.fingerprint) {
    throw new LinearRegionsError('E_FORMAT', `${path}: the fingerprint does not match its network, domain and core (the plan was edited, or written by another version of linear-regions: rerun "shard plan")`);
  }
  return { plan, input };
}

/** The task index: --index, else JOB_COMPLETION_INDEX (Kubernetes), else SLURM_ARRAY_TASK_ID (Slurm). */
function taskIndex(flag: string | undefined, shards: number): number {
  const sources: [string, string | undefined][] = [
    ['--index', flag],
    ['JOB_COMPLETION_INDEX', process.env.JOB_COMPLETION_INDEX],
    ['SLURM_ARRAY_TASK_ID', process.env.SLURM_ARRAY_TASK_ID],
  ];
  const found = sources.find(([, v]) => v !== undefined && v !== '');
  if (!found) argsError('shard run needs the shard index: --index I, or JOB_COMPLETION_INDEX (Kubernetes) or SLURM_ARRAY_TASK_ID (Slurm) in the environment');
  return parseCount(found[0], found[1]!, 0, shards - 1);
}

interface PlanFlags {
  domain?: string;
  box?: string;
  units: string;
  out: string;
  linear: boolean;
  strict?: boolean;
}

async function planCommand(file: string, flags: PlanFlags): Promise<void> {
  const shards = parseCount('--units', flags.units, 1, MAX_SHARDS);
  if (flags.domain !== undefined && flags.box !== undefined) argsError('use either --domain or --box, not both');
  const checks: ValidateOptions = { strict: flags.strict === true, warnings: [] };
  const { network } = await loadModelFile(file, checks);
  let domain: Domain;
  if (flags.domain !== undefined) domain = validateDomain(readJsonFile(flags.domain), network.inputDim, flags.domain, checks);
  else if (flags.box !== undefined) {
    const [lo, hi] = flags.box.split(',').map(Number) as [number, number];
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) argsError(`--box must be LO,HI with finite LO < HI, got "${flags.box}"`);
    domain = { bounds: Array.from({ length: network.inputDim }, (): [number, number] => [lo, hi]) };
  } else domain = resolveDomain(network);
  for (const w of checks.warnings!) process.stderr.write(`linear-regions: warning: ${w}\n`);
  const input = inputOf(network, domain);
  const { groups, units } = await planShards(loadModuleSync(), input, flags.linear, shards);
  mkdirSync(flags.out, { recursive: true });
  groups.forEach((g, i) => writeAtomic(join(flags.out, `shard-${i}.bin`), g));
  const plan: Plan = {
    format: PLAN_FORMAT,
    version: 1,
    fingerprint: fingerprint(input, flags.linear),
    shards,
    units,
    linearRegions: flags.linear,
    file,
    network,
    domain,
  };
  writeAtomic(join(flags.out, 'plan.json'), `${JSON.stringify(plan)}\n`);
  process.stderr.write(`linear-regions: wrote ${shards} shard${shards === 1 ? '' : 's'} (${units} work units) to ${flags.out}\n`);
}

async function runCommand(dir: string, flags: { index?: string }): Promise<void> {
  const { plan, input } = readPlan(dir);
  const index = taskIndex(flags.index, plan.shards);
  const records = readBinaryFile(join(dir, `shard-${index}.bin`));
  const r = runShard(loadModuleSync(), input, plan.linearRegions, records);
  const out = {
    format: RESULT_FORMAT,
    version: 1,
    index,
    fingerprint: plan.fingerprint,
    regions: r.regions,
    merges: r.merges,
    perLayer: r.perLayer,
    faceCount: r.faceCount,
    recordBytes: r.recordBytes,
    elapsedMs: r.elapsedMs,
    stats: r.stats,
    faces: Buffer.from(r.faces.buffer, r.faces.byteOffset, r.faces.byteLength).toString('base64'),
  };
  writeAtomic(join(dir, `result-${index}.json`), `${JSON.stringify(out)}\n`);
}

function readResult(path: string, plan: Plan, index: number): ShardResult {
  const json = readJsonFile(path) as Record<string, unknown>;
  if (json.format !== RESULT_FORMAT || json.version !== 1 || json.index !== index) {
    throw new LinearRegionsError('E_FORMAT', `${path} is not the result of shard ${index}`);
  }
  if (json.fingerprint !== plan.fingerprint) {
    throw new LinearRegionsError('E_FORMAT', `${path} was counted for another plan (rerun "linear-regions shard run ${index}")`);
  }
  const faces = new Uint8Array(Buffer.from(String(json.faces), 'base64'));
  const faceCount = Number(json.faceCount);
  const recordBytes = Number(json.recordBytes);
  const perLayer = json.perLayer as number[];
  if (faces.byteLength !== faceCount * recordBytes || !Array.isArray(perLayer) || perLayer.length !== plan.network.layers.length) {
    throw new LinearRegionsError('E_FORMAT', `${path} is damaged (rerun shard ${index})`);
  }
  return {
    regions: Number(json.regions),
    merges: Number(json.merges),
    perLayer,
    faces,
    faceCount,
    recordBytes,
    elapsedMs: Number(json.elapsedMs),
    stats: { filterHits: 0, exactCalls: 0, exactMapChecks: 0, memoryBytes: 0, ...(json.stats as object) },
  };
}

async function mergeCommand(dir: string, flags: { json?: boolean }): Promise<void> {
  const { plan, input } = readPlan(dir);
  const missing: number[] = [];
  for (let i = 0; i < plan.shards; i++) if (!existsSync(join(dir, `result-${i}.json`))) missing.push(i);
  if (missing.length > 0) {
    const shown = missing.length > 20 ? `${missing.slice(0, 20).join(', ')}, ... (${missing.length} in all)` : missing.join(', ');
    throw new LinearRegionsError(
      'E_FILE',
      `${dir}: missing the result${missing.length === 1 ? '' : 's'} of shard${missing.length === 1 ? '' : 's'} ${shown} of ${plan.shards}; ` +
        `run "linear-regions shard run ${dir} --index I" for each`,
    );
  }
  const results = Array.from({ length: plan.shards }, (_, i) => readResult(join(dir, `result-${i}.json`), plan, i));
  const result = mergeShards(loadModuleSync(), input, plan.linearRegions, results);
  printCount({
    result,
    network: plan.network,
    domain: plan.domain,
    file: plan.file,
    stopReason: 'complete',
    warnings: [],
    json: flags.json === true,
  });
}

export function addShardCommands(cmd: Command): void {
  const shard = cmd
    .command('shard')
    .description('split a count into shard files for a batch engine (plan), count one shard (run), and merge the results (merge)');
  shard
    .command('plan')
    .description('split the count of NETWORK into N shards of work units written to DIR')
    .argument('<network>', 'network file: JSON or ONNX')
    .requiredOption('--units <n>', 'number of shards (one batch task each)')
    .requiredOption('--out <dir>', 'directory for plan.json and shard-I.bin')
    .option('--domain <file>', 'domain JSON file (as for count)')
    .option('--box <lo,hi>', 'count on the box [LO, HI]^inputDim')
    .option('--no-linear', 'count activation regions only')
    .option('--strict', 'refuse unknown keys in the network or domain JSON')
    .action(planCommand);
  shard
    .command('run')
    .description('count one shard of DIR and write DIR/result-I.json')
    .argument('<dir>', 'the directory written by shard plan')
    .option('--index <i>', 'the shard (0-based); default: $JOB_COMPLETION_INDEX (Kubernetes Indexed Job), else $SLURM_ARRAY_TASK_ID (Slurm array)')
    .action(runCommand);
  shard
    .command('merge')
    .description('pair the faces across shards and print the same result as count (exit 1 naming missing shards)')
    .argument('<dir>', 'the directory written by shard plan')
    .option('--json', 'print one JSON object (the same as count --json)')
    .action(mergeCommand);
}
