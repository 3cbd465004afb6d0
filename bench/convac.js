// ConvAC ranks: the grid tensor and the rank of its left-right matricization modulo a prime in the
// WebAssembly core (assembly/convac.ts), the certification time on its own, and the same modular
// Gaussian elimination in plain TypeScript (src/theory/convac/modular.ts rankModPTs, float64 with
// 16-bit halves) on the same matrix and prime, in the same run (skipped for 1024 x 1024 unless --ts-all). `node bench/convac.js` (part of
// `npm run bench`); `--quick` skips the N = 20 case.
//
// Networks: overlapping R = 2, S = 1 layers with 2 channels down to one position, integer weights
// in [-1000, 1000] from `construct convac` (seed 1). Warm-up run first, then the median of 5 runs
// (1 run for N = 20). Last, the longest event-loop stall of the async convacRank (the core runs in
// chunks and yields between them, like the counting engine).
import { buildConvacGridTensor, convacNetwork, convacRank, convacRankSync, rankModPTs } from '../dist/index.node.js';

const quick = process.argv.includes('--quick');
const tsAll = process.argv.includes('--ts-all'); // also the TypeScript elimination of 1024 x 1024 (about a minute)
const PRIME = 1_000_000_007; // < 2^30, as the core needs

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => (x < 10 ? x.toFixed(2) : x < 1000 ? x.toFixed(1) : x.toFixed(0));

/** The left-right matricization (rows: the first floor(N/2) positions) of a grid tensor. */
function matricize(values, M, N) {
  const rows = M ** Math.floor(N / 2);
  return { matrix: Uint32Array.from(values), rows, cols: values.length / rows };
}

async function one(M, N, runs, r = 2, partition = 'left-right') {
  const spec = convacNetwork({ positions: N, templates: M, layers: Array.from({ length: N - 1 }, () => ({ R: 2, S: 1, r })), seed: 1 });
  const options = { seed: 1, maxPrimes: 1, probabilisticPrimes: 1 };
  convacRankSync(spec, partition, options); // warm-up
  const total = [];
  let result;
  const grid = [];
  for (let i = 0; i < runs; i++) {
    result = convacRankSync(spec, partition, options);
    total.push(result.elapsedMs);
    grid.push(result.gridMs);
  }
  const tensor = await buildConvacGridTensor(spec, { prime: PRIME });
  const { matrix, rows, cols } = matricize(tensor.values, M, N);
  let tsRank = Number.NaN;
  let tsMs = Number.NaN;
  if (rows <= 729 || tsAll) {
    const t = performance.now();
    tsRank = rankModPTs(matrix, rows, cols, PRIME);
    tsMs = performance.now() - t;
  }
  // the certificate on its own (default options: the bound, or primes within 10 s)
  const certified = convacRankSync(spec, partition, { seed: 1 });
  return { M, N, r, rows, cols, rank: result.rank, tsRank, total: median(total), grid: median(grid), tsMs, memory: result.memoryBytes, certified };
}

const cases = [
  [2, 16, 5],
  [3, 12, 5],
  [2, 12, 5],
  [3, 8, 5],
];
if (!quick) cases.push([2, 20, 1]);
console.log(`ConvAC rank, left-right matricization, R=2,S=1 layers with 2 channels (node ${process.version})`);
console.log('M  N  matrix       rank  core: grid+rank  (of which grid)  TS elimination  vs core elimination  core memory  certificate');
for (const [M, N, runs] of cases) {
  const x = await one(M, N, runs);
  if (!Number.isNaN(x.tsRank) && x.tsRank !== x.rank) throw new Error(`TypeScript rank ${x.tsRank} differs from the core's ${x.rank} (M=${M}, N=${N})`);
  const c = x.certified;
  const cert = c.exact
    ? `${c.certificate === 'upper-bound' ? 'reaches the bound' : `${c.primes.length} primes`}, ${ms(c.certifyMs)} ms`
    : `not affordable (P(err) <= ${c.errorProbability.toExponential(1)}, ${c.primes.length} primes, ${ms(c.certifyMs)} ms)`;
  console.log(
    `${M}  ${String(N).padStart(2)} ${`${x.rows}x${x.cols}`.padStart(9)}  ${String(x.rank).padStart(5)}  ${`${ms(x.total)} ms`.padStart(15)}  ${`${ms(x.grid)} ms`.padStart(15)}  ${(Number.isNaN(x.tsMs) ? 'not run' : `${ms(x.tsMs)} ms`).padStart(14)}  ${(Number.isNaN(x.tsMs) ? '' : `${(x.tsMs / (x.total - x.grid)).toFixed(0)}x`).padStart(19)}  ${`${(x.memory / 2 ** 20).toFixed(1)} MiB`.padStart(11)}  ${cert}`,
  );
}

// the async API: how long the event loop waits at most while a rank runs
for (const [M, N] of quick ? [[2, 16]] : [[2, 16], [2, 20]]) {
  const spec = convacNetwork({ positions: N, templates: M, layers: Array.from({ length: N - 1 }, () => ({ R: 2, S: 1, r: 2 })), seed: 1 });
  let last = performance.now();
  let longest = 0;
  let running = true;
  const tick = () => {
    const t = performance.now();
    longest = Math.max(longest, t - last);
    last = t;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const t0 = performance.now();
  await convacRank(spec, 'left-right', { seed: 1 });
  running = false;
  console.log(`async convacRank M=${M} N=${N}: ${ms(performance.now() - t0)} ms, longest event-loop stall ${ms(longest)} ms`);
}
