// The LP alone: microseconds per certified feasibility check ("does {x : A x <= b} have a
// non-empty interior?") in the WebAssembly core, against javascript-lp-solver and glpk.js solving
// the same phase-1 LP (max t s.t. a_i.x + t <= b_i, t <= 1, x in the box) in float64, in the same
// run. `node bench/lp.js` (part of `npm run bench`); `--quick` for a short run.
//
// Instances: the box [-1, 1]^d (2 d rows) and m - 2 d random half-spaces a.x <= a.p + s with
// Gaussian a, a random point p of the box and slacks s ~ |N(0, 0.5)|; one in five has a flipped
// row that empties it. Seeded (mulberry32), 200 instances per size.
import { readFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import solver from 'javascript-lp-solver';
import GLPK from 'glpk.js/node';
import { gaussian, rng } from './nets.js';
import { coreImports } from '../dist/count/core-memory.js';

const quick = process.argv.includes('--quick');
const time = quick ? 300 : 1500;
const COUNT = 200;

function instances(d, m, seed) {
  const r = rng(seed);
  const out = [];
  for (let n = 0; n < COUNT; n++) {
    const A = [];
    const b = [];
    for (let k = 0; k < d; k++) {
      A.push(Array.from({ length: d }, (_, j) => (j === k ? 1 : 0)), Array.from({ length: d }, (_, j) => (j === k ? -1 : 0)));
      b.push(1, 1);
    }
    const p = Array.from({ length: d }, () => 2 * r() - 1);
    while (A.length < m) {
      const a = Array.from({ length: d }, () => gaussian(r));
      A.push(a);
      b.push(a.reduce((s, x, k) => s + x * p[k], 0) + Math.abs(gaussian(r)) * 0.5);
    }
    if (r() < 0.2) {
      // a row opposite to one of the random rows, beyond it: empty
      const i = 2 * d + Math.floor(r() * (m - 2 * d));
      A.push(A[i].map((x) => -x));
      b.push(-b[i] - 0.1);
      A.splice(2 * d, 1);
      b.splice(2 * d, 1);
    }
    out.push({ A, b });
  }
  return out;
}

// ---- the core ----------------------------------------------------------------------------------
const wasm = new WebAssembly.Module(readFileSync(new URL('../build/linear_regions.wasm', import.meta.url)));
const core = new WebAssembly.Instance(wasm, coreImports()).exports;
core.prepare(0);
function coreCheck({ A, b }) {
  const m = A.length;
  const d = A[0].length;
  const ptr = core.lpTestBuffer(m, d);
  const view = new Float64Array(core.memory.buffer, ptr, m * (d + 1) + 2 * d);
  let q = 0;
  for (let i = 0; i < m; i++) {
    const a = A[i];
    for (let k = 0; k < d; k++) view[q++] = a[k];
    view[q++] = b[i];
  }
  for (let k = 0; k < d; k++) view[q++] = -1;
  for (let k = 0; k < d; k++) view[q++] = 1;
  return core.lpTest(m, d); // 1 interior, 0 flat, -1 empty (certified)
}

// ---- javascript-lp-solver (variables are >= 0: x = x' - 1, t = t' - 10) ------------------------
function jsModel({ A, b }) {
  const d = A[0].length;
  const constraints = { tmax: { max: 11 } };
  const variables = { t: { obj: 1, tmax: 1 } };
  for (let k = 0; k < d; k++) variables[`x${k}`] = {};
  A.forEach((a, i) => {
    // a.(x' - 1) + (t' - 10) <= b  <=>  a.x' + t' <= b + sum a + 10
    constraints[`c${i}`] = { max: b[i] + a.reduce((s, x) => s + x, 0) + 10 };
    a.forEach((x, k) => (variables[`x${k}`][`c${i}`] = x));
    variables.t[`c${i}`] = 1;
  });
  return { optimize: 'obj', opType: 'max', constraints, variables };
}
function jsCheck(model) {
  const r = solver.Solve(model);
  return r.feasible && r.result - 10 > 0 ? 1 : -1;
}

// ---- glpk.js -----------------------------------------------------------------------------------
const glpk = await GLPK();
function glpkModel({ A, b }) {
  const d = A[0].length;
  const bounds = Array.from({ length: d }, (_, k) => ({ name: `x${k}`, type: glpk.GLP_DB, lb: -1, ub: 1 }));
  bounds.push({ name: 't', type: glpk.GLP_UP, lb: 0, ub: 1 });
  return {
    name: 'phase1',
    objective: { direction: glpk.GLP_MAX, name: 'obj', vars: [{ name: 't', coef: 1 }] },
    subjectTo: A.map((a, i) => ({
      name: `c${i}`,
      vars: [...a.map((x, k) => ({ name: `x${k}`, coef: x })), { name: 't', coef: 1 }],
      bnds: { type: glpk.GLP_UP, lb: 0, ub: b[i] },
    })),
    bounds,
  };
}
const glpkOptions = { msglev: glpk.GLP_MSG_OFF, presol: false };
function glpkCheck(model) {
  const r = glpk.solve(model, glpkOptions);
  return r.result.status === glpk.GLP_OPT && r.result.z > 0 ? 1 : -1;
}

const sizes = [];
for (const d of [3, 6, 10]) for (const m of quick ? [26, 100] : [26, 50, 100, 150]) if (m >= 2 * d + 4) sizes.push([d, m]);

const rows = [];
for (const [d, m] of sizes) {
  const list = instances(d, m, 1000 * d + m);
  const js = list.map(jsModel);
  const gl = list.map(glpkModel);
  // answers: the core's are certified; count where the float solvers disagree on "interior?"
  let disagreeJs = 0;
  let disagreeGlpk = 0;
  let exact = 0;
  for (let i = 0; i < list.length; i++) {
    const c = coreCheck(list[i]) > 0 ? 1 : -1;
    exact += core.lpTestExact();
    if (jsCheck(js[i]) !== c) disagreeJs++;
    if (glpkCheck(gl[i]) !== c) disagreeGlpk++;
  }
  const bench = new Bench({ time, warmupTime: quick ? 100 : 300, warmupIterations: 2, iterations: 3 });
  bench.add('core', () => { for (const x of list) coreCheck(x); });
  bench.add('javascript-lp-solver', () => { for (const x of js) jsCheck(x); });
  bench.add('glpk.js', () => { for (const x of gl) glpkCheck(x); });
  await bench.run();
  const us = (t) => (t.result.latency.p50 * 1000) / list.length;
  const [tc, tj, tg] = bench.tasks.map(us);
  rows.push({ d, m, core: tc, js: tj, glpk: tg, exact, disagreeJs, disagreeGlpk });
  console.error(`d=${d} m=${m}: core ${tc.toFixed(2)} us, javascript-lp-solver ${tj.toFixed(1)} us, glpk.js ${tg.toFixed(1)} us`);
}

let md = `The LP alone (median of tinybench samples, ${COUNT} instances per size, microseconds per check):\n\n`;
md += '| d | rows | linear-regions (certified) | javascript-lp-solver | glpk.js | speedup vs js-lp-solver | vs glpk.js | exact fallbacks | float answers that differ |\n';
md += '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
for (const r of rows) {
  md += `| ${r.d} | ${r.m} | ${r.core.toFixed(2)} | ${r.js.toFixed(1)} | ${r.glpk.toFixed(1)} | ${(r.js / r.core).toFixed(0)}x | ${(r.glpk / r.core).toFixed(0)}x | ${r.exact} / ${COUNT} | ${r.disagreeJs} / ${r.disagreeGlpk} |\n`;
}
console.log(md);
export { rows as lpRows };
