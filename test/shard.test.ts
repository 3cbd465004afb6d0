/**
 * Sharded counts (issue 11, item 3): plan, run every shard, merge. The merged counts must equal
 * the exact reference (test/reference/, BigInt rationals) on seeded random 2-D and n-D networks,
 * and `count` on the command line, for any number of shards; missing or foreign results are
 * refused with the shards named.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Input } from '../src/count/api.js';
import { pack } from '../src/count/pack.js';
import { mergeShards, planShards, runShard } from '../src/count/shard.js';
import { loadModuleSync } from '../src/count/wasm-node.js';
import { resolveDomain, validateNetwork } from '../src/network/validate.js';
import type { Domain, Network } from '../src/network/types.js';
import { randomCase } from './reference/random-nets.js';
import { randomCaseNd } from './reference/random-nets-nd.js';
import { referenceCount } from './reference/reference.js';
import { referenceCountNd } from './reference/reference-nd.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'lr-shard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sharded(network: Network, domain: Domain | undefined, shards: number) {
  const net = validateNetwork(network);
  const dom = resolveDomain(net, domain);
  const input: Input = { network: net, domain: dom, packed: pack(net, dom), warnings: [] };
  const module = loadModuleSync();
  const { groups } = await planShards(module, input, true, shards);
  expect(groups.length).toBe(shards);
  return mergeShards(module, input, true, groups.map((g) => runShard(module, input, true, g)));
}

describe('merged shards equal the exact reference', () => {
  it('2-D: 150 seeded random cases (boxes, slices, every activation, degenerate rows), 1 to 7 shards', async () => {
    for (let seed = 1; seed <= 150; seed++) {
      const c = randomCase(seed);
      const ref = referenceCount(c.network, c.domain);
      const r = await sharded(c.network, c.domain, 1 + (seed % 7));
      const got = { a: r.activationRegions, l: r.linearRegions, p: r.perLayer };
      expect(got, `seed ${seed}: ${c.description}`).toEqual({ a: ref.activationRegions, l: ref.linearRegions, p: ref.perLayer });
    }
  });
  it('n-D: 80 seeded random cases (3-6-D boxes, polytopes, the whole space), 1 to 5 shards', async () => {
    for (let seed = 1; seed <= 80; seed++) {
      const c = randomCaseNd(seed);
      const ref = referenceCountNd(c.network, c.domain);
      const r = await sharded(c.network, c.domain as Domain | undefined, 1 + (seed % 5));
      const got = { a: r.activationRegions, l: r.linearRegions, p: r.perLayer };
      expect(got, `seed ${seed}: ${c.description}`).toEqual({ a: ref.activationRegions, l: ref.linearRegions, p: ref.perLayer });
    }
  });
});

function cliRun(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, LINEAR_REGIONS_DEBUG: '', ...env }, timeout: 120_000 });
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return r;
}

describe('the command line: plan, every shard through xargs -P, merge', () => {
  // an integer-weight 2-D net whose units cancel (linear < activation) and a 3-D net
  const nets: [string, Network, string[]][] = [
    ['maxout-2d', JSON.parse(readFileSync(join(root, 'examples', 'maxout-2d.json'), 'utf8')), []],
    ['random-2d', randomCase(7).network, ['--box', '-2,2']],
    ['planes-3d', JSON.parse(readFileSync(join(root, 'examples', 'planes-3d.json'), 'utf8')), []],
    ['nd-4', randomCaseNd(11).network, ['--box', '-1,1']],
  ];
  it.each(nets)('%s: merge --json prints what count --json prints', (name, network, domainArgs) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(network));
    const out = join(dir, `${name}-shards`);
    const plan = cliRun(['shard', 'plan', file, '--units', '4', '--out', out, ...domainArgs]);
    expect(plan.status, plan.stderr).toBe(0);
    const xargs = spawnSync('sh', ['-c', `seq 0 3 | xargs -P 2 -I{} "${process.execPath}" "${cli}" shard run "${out}" --index {}`], { encoding: 'utf8' });
    expect(xargs.status, xargs.stderr).toBe(0);
    const merged = cliRun(['shard', 'merge', out, '--json']);
    expect(merged.status, merged.stderr).toBe(0);
    const count = cliRun(['count', file, '--json', '--threads', '1', ...domainArgs]);
    const strip = (s: string) => {
      const { elapsedMs, ...rest } = JSON.parse(s);
      expect(elapsedMs).toBeGreaterThan(0);
      return rest;
    };
    expect(strip(merged.stdout)).toEqual(strip(count.stdout));
  });

  it('the task index comes from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID; missing shards are named', () => {
    const out = join(dir, 'maxout-2d-shards');
    rmSync(join(out, 'result-1.json'));
    rmSync(join(out, 'result-3.json'));
    const missing = cliRun(['shard', 'merge', out]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/missing the results of shards 1, 3 of 4.*\[E_FILE\]\n$/);
    expect(cliRun(['shard', 'run', out], { JOB_COMPLETION_INDEX: '1' }).status).toBe(0);
    expect(cliRun(['shard', 'run', out], { SLURM_ARRAY_TASK_ID: '3' }).status).toBe(0);
    const merged = cliRun(['shard', 'merge', out, '--json']);
    expect(JSON.parse(merged.stdout)).toMatchObject({ activationRegions: 12, linearRegions: 5 });
    const bad = cliRun(['shard', 'run', out, '--index', '4']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--index must be an integer from 0 to 3');
    expect(cliRun(['shard', 'run', out]).stderr).toContain('needs the shard index');
  });

  it('a result from another plan is refused', () => {
    const a = join(dir, 'maxout-2d-shards');
    const b = join(dir, 'random-2d-shards');
    writeFileSync(join(a, 'result-0.json'), readFileSync(join(b, 'result-0.json')));
    const r = cliRun(['shard', 'merge', a]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/result-0\.json was counted for another plan.*\[E_FORMAT\]/);
  });
});
