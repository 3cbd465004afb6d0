// The CLI's own figures (`node bench/cli.js`): each CLI count is the first count of a fresh
// process, which runs partly on V8's baseline code while the optimized code is compiled.
//  1. A fresh process's first count against its next ones (the library, no CLI), per net.
//  2. The CLI (`linear-regions count --json`, its `elapsedMs`) with `--threads 1` and with the
//     default (every core), alternating, median of N runs each.
// Seeded He-normal networks over [-1, 1]^n0, linear regions on (the CLI's default).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { heNormal } from './nets.js';

const quick = process.argv.includes('--quick');
const runs = quick ? 3 : 7;
const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'dist', 'cli', 'main.js');
const lib = path.join(here, '..', 'dist', 'index.node.js');
const nets = ['3-16-16-16-1', '4-16-16-1', '3-32-32-32-1'];
const dir = mkdtempSync(path.join(os.tmpdir(), 'lr-cli-bench-'));
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];

// one fresh process: its first count, then three more of the same net (ms, the library's elapsedMs)
const coldScript = `
const { countRegions } = await import(${JSON.stringify(lib)});
const net = JSON.parse((await import('node:fs')).readFileSync(process.argv[1], 'utf8'));
const box = { bounds: Array.from({ length: net.inputDim }, () => [-1, 1]) };
const out = [];
for (let i = 0; i < 4; i++) out.push((await countRegions(net, box, { threads: 1 })).elapsedMs);
console.log(JSON.stringify(out));
`;

const rows = [];
try {
  for (const name of nets) {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(heNormal(name.split('-').map(Number), 42)));
    const first = [];
    const next = [];
    for (let i = 0; i < runs; i++) {
      const t = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', coldScript, file], { encoding: 'utf8' }));
      first.push(t[0]);
      next.push(median(t.slice(1)));
    }
    const one = [];
    const all = [];
    for (let i = 0; i < runs; i++) {
      for (const threads of ['1', undefined]) {
        const args = [cli, 'count', file, '--box=-1,1', '--json', ...(threads ? ['--threads', threads] : [])];
        const r = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }));
        (threads ? one : all).push(r.elapsedMs);
      }
    }
    rows.push({ name, first: median(first), next: median(next), one: median(one), all: median(all) });
    console.error(`${name}: first count ${median(first).toFixed(1)} ms, next ${median(next).toFixed(1)} ms; CLI 1 thread ${median(one).toFixed(1)} ms, default ${median(all).toFixed(1)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

let md = `CLI and cold start (Node ${process.version}, ${os.cpus()[0]?.model.trim()}, ${os.cpus().length} cores; medians of ${runs} runs):\n\n`;
md += '| network | first count of a process (ms) | later counts (ms) | CLI, --threads 1 (ms) | CLI, default threads (ms) | default / 1 thread |\n';
md += '|---|---:|---:|---:|---:|---:|\n';
for (const r of rows) {
  md += `| ${r.name} | ${r.first.toFixed(1)} | ${r.next.toFixed(1)} | ${r.one.toFixed(1)} | ${r.all.toFixed(1)} | ${(r.one / r.all).toFixed(2)}x |\n`;
}
console.log(md);
