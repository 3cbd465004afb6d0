/**
 * What ships (issue 10, items 4 and 8): the files in the tarball, the package fields, and
 * TypeScript types that resolve for a consumer under every module resolution (node10, node16,
 * nodenext, bundler), checked with the real compiler on the packed package and with
 * @arethetypeswrong/cli. The expected lists are written out by hand from the README's promises.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'lr-pack-'));
let files: string[] = [];
let tarball = '';
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(() => {
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
  const [info] = JSON.parse(out) as [{ filename: string; files: { path: string }[] }];
  files = info.files.map((f) => f.path).sort();
  tarball = join(work, info.filename);
  // a consumer project with the package unpacked in node_modules (dependencies linked from ours)
  const pkgDir = join(work, 'consumer', 'node_modules', 'linear-regions');
  mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
  for (const dep of ['@bufbuild', '@types', 'commander', 'cli-progress']) {
    const target = join(root, 'node_modules', dep);
    if (existsSync(target)) symlinkSync(target, join(work, 'consumer', 'node_modules', dep), 'dir');
  }
}, 120_000);

describe('the tarball', () => {
  it('holds the code, its types, the core, the docs the README links to, the examples and the licence', () => {
    for (const f of [
      'LICENSE', 'README.md', 'package.json', 'build/linear_regions.wasm',
      'dist/index.node.js', 'dist/index.node.d.ts', 'dist/index.browser.js', 'dist/index.browser.d.ts',
      'dist/cli/main.js', 'dist/count/worker.js', 'docs/theory.md', 'docs/onnx.md', 'examples/README.md', 'examples/lines-5.json',
    ]) expect(files, f).toContain(f);
  });
  it('leaves out the generator script, the CLI declarations, sources and tests', () => {
    expect(files).not.toContain('examples/generate.mjs');
    expect(files.filter((f) => /^dist\/cli\/.*\.d\.ts$/.test(f))).toEqual([]);
    expect(files.filter((f) => /^(assembly|src|test|bench|web|scripts)\//.test(f))).toEqual([]);
  });
  it('every relative docs/ link in the README points at a shipped file', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(files, link).toContain(link);
  });
  it('package.json: MIT, where the code lives, ESM, and no build on the consumer install', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(pkg.repository.url).toMatch(/^git\+https:\/\//);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs.url).toMatch(/^https:\/\//);
    expect(pkg.type).toBe('module');
    for (const hook of ['preinstall', 'install', 'postinstall']) expect(pkg.scripts[hook], hook).toBeUndefined();
  });
});

describe('TypeScript types resolve for a consumer', () => {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const nodeUse = `
import { countRegions, countRegionsSync, type CountResult, type PolytopeDomain, type WholeDomain, type StopReason } from 'linear-regions';
const whole: WholeDomain = { whole: true };
const poly: PolytopeDomain = { A: [[1]], b: [1] };
const stop: StopReason[] = ['complete', 'maxRegions', 'aborted', 'timeout', 'interrupted', 'memory'];
const r: CountResult = countRegionsSync({ inputDim: 1, layers: [{ weights: [[1]], bias: [0], activation: 'relu' }] }, poly);
const linear: number | null = r.linearRegions;
// @ts-expect-error linearRegions may be null
const notNull: number = r.linearRegions;
// @ts-expect-error layers must be an array of layers
void countRegions({ inputDim: 1, layers: 'oops' }, whole);
export { stop, linear, notNull };
`;
  const browserUse = `
import { countRegions, type Network } from 'linear-regions';
import { countRegionsSync } from 'linear-regions/node';
const net: Network = { inputDim: 1, layers: [{ weights: [[1]], bias: [0], activation: 'relu' }] };
void countRegions(net);
void countRegionsSync(net);
// @ts-expect-error the browser entry has no synchronous API
import { countRegionsSync as missing } from 'linear-regions';
// @ts-expect-error layers must be an array of layers
void countRegions({ inputDim: 1, layers: 'oops' });
export { missing };
`;
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['node10', { module: 'commonjs', moduleResolution: 'node10' }, 'use.ts', nodeUse],
    ['node16', { module: 'node16', moduleResolution: 'node16' }, 'use.mts', nodeUse],
    ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }, 'use.mts', nodeUse],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }, 'use.ts', browserUse],
  ];
  it.each(cases)('moduleResolution %s', (name, options, fileName, source) => {
    const dir = join(work, 'consumer', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, fileName), source);
    const config = { compilerOptions: { ...options, target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['es2022', 'dom'] }, files: [fileName] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
    const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    expect(r.stdout + r.stderr, `${name}: ${r.stdout}`).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('@arethetypeswrong/cli finds no problem (ESM-only is intended)', () => {
    const attw = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    const r = spawnSync(process.execPath, [attw, tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii'], { encoding: 'utf8' });
    expect(r.stdout, r.stdout + r.stderr).toContain('No problems found');
    expect(r.status).toBe(0);
  }, 60_000);
});
