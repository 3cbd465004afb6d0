// The shared-vertex mesh against the cell engine, from 3-D up: CPU times of the cell engine, of
// the mesh with float signs (not exact: the algorithm's own cost) and of the mesh as built
// (certified signs, sharpened vertices). `node bench/experiments/mesh-nd/run.js [--quick]
// [--only 5-12-12-1,...] [--runs 5]`. See README.md here.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pack } from '../../../dist/count/pack.js';
import { heNormal } from '../../nets.js';
import { coreImports } from '../../../dist/count/core-memory.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const out = join(tmpdir(), 'linear-regions-mesh.wasm');
execFileSync('npx', ['asc', 'bench/experiments/mesh-nd/entry.ts', '--target', 'release', '-o', out], { cwd: root, stdio: 'inherit' });
const mod = new WebAssembly.Module(readFileSync(out));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const quick = process.argv.includes('--quick');
const runs = Number(arg('--runs', quick ? 3 : 5));
const all = ['3-16-16-16-1', '3-32-32-32-1', '4-16-16-1', '4-24-24-1', '5-12-12-1', '5-16-16-1', '6-12-12-1', '6-8-8-8-1'];
const nets = arg('--only', quick ? '3-16-16-16-1,4-16-16-1,5-12-12-1,6-8-8-8-1' : all.join(',')).split(',');
const box = (d) => ({ bounds: Array.from({ length: d }, () => [-1, 1]) });

/**
 * mode 'cell': the mesh off; 'float': the mesh with float signs; 'mesh': the mesh as built (from
 * 3-D); `linear` counts linear regions too.
 */
function count(net, d, mode, linear = false) {
  const c = new WebAssembly.Instance(mod, coreImports()).exports;
  const { words } = pack(net, box(d));
  const ptr = c.prepare(words.byteLength);
  new Float64Array(c.memory.buffer, ptr, words.length).set(words);
  c.meshConfigure(mode === 'cell' ? 0 : 1, 3, 0, 12); // (from 3-D to 12-D: the engine's range is 5 to 6)
  c.meshFloatOnly(mode === 'float' ? 1 : 0);
  const t0 = process.cpuUsage();
  if (c.setup(0, linear ? 1 : 0, 0) !== 0) throw new Error('setup');
  while (c.run(1 << 20) === 1);
  const t = process.cpuUsage(t0);
  return {
    regions: c.activationRegions(), linearRegions: linear ? c.activationRegions() - c.mergedFaces() : null, ms: (t.user + t.system) / 1000, mib: c.memoryBytes() / 2 ** 20,
    mesh: c.statMesh(), failure: c.statMeshFailure(), V: c.statMeshVertices(), E: c.statMeshEdges(), sharpened: c.statMeshSharpened(),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const rows = [];
for (const name of nets) {
  const widths = name.split('-').map(Number);
  const net = heNormal(widths, 42);
  const t = { cell: [], float: [], mesh: [], cellLinear: [], meshLinear: [] };
  let last;
  // (the three alternate within each round, so a drifting host moves them together)
  for (let k = 0; k < runs; k++) {
    const a = count(net, widths[0], 'cell');
    const b = count(net, widths[0], 'float');
    const m = count(net, widths[0], 'mesh');
    t.cell.push(a.ms);
    t.float.push(b.ms);
    t.mesh.push(m.ms);
    const al = count(net, widths[0], 'cell', true);
    const ml = count(net, widths[0], 'mesh', true);
    t.cellLinear.push(al.ms);
    t.meshLinear.push(ml.ms);
    last = { a, b, m, al, ml };
  }
  const { a, b, m, al, ml } = last;
  if (ml.linearRegions !== al.linearRegions) throw new Error(`${name}: linear regions differ: ${al.linearRegions} ${ml.linearRegions}`);
  if (b.regions !== a.regions || m.regions !== a.regions) throw new Error(`${name}: counts differ: ${a.regions} ${b.regions} ${m.regions}`);
  if (m.mesh !== 1) throw new Error(`${name}: the mesh handed the count over (failure ${m.failure})`);
  const row = {
    name, regions: a.regions, linearRegions: al.linearRegions, cell: median(t.cell), float: median(t.float), mesh: median(t.mesh),
    cellLinear: median(t.cellLinear), meshLinear: median(t.meshLinear),
    V: m.V, E: m.E, sharpened: m.sharpened, mib: m.mib, cellMib: a.mib,
  };
  rows.push(row);
  console.error(JSON.stringify(row));
}
const fmt = (x) => x.toLocaleString('en-US');
let md = `Node ${process.version}, CPU time, median of ${runs} rounds (cell engine, mesh with float signs, mesh as built, then both with linear regions, alternating); He-normal seed 42, [-1, 1]^d.\n\n`;
md += '| net | regions (activation / linear) | cell engine (ms) | mesh, float signs (ms) | mesh, exact (ms) | cell / mesh | with linear regions: cell / mesh (ms) | cell / mesh | vertices | edges | sharpened | memory, mesh / cells (MiB) |\n';
md += '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
for (const r of rows) {
  md += `| ${r.name} | ${fmt(r.regions)} / ${fmt(r.linearRegions)} | ${r.cell.toFixed(1)} | ${r.float.toFixed(1)} | ${r.mesh.toFixed(1)} | ${(r.cell / r.mesh).toFixed(2)}x | ${r.cellLinear.toFixed(1)} / ${r.meshLinear.toFixed(1)} | ${(r.cellLinear / r.meshLinear).toFixed(2)}x | ${fmt(r.V)} | ${fmt(r.E)} | ${fmt(r.sharpened)} | ${r.mib.toFixed(0)} / ${r.cellMib.toFixed(1)} |\n`;
}
console.log(md);
