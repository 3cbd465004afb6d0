// Two builds of the library compared in one process: the way every per-step figure in
// docs/performance.md was measured (the host's speed drifts by up to 1.7x between minutes, so
// separate runs cannot show a few percent; alternating rounds in one process can).
//
//   node bench/ab.js A B [--nets 4-16-16-1,3-16-16-16-1] [--rounds 15] [--linear 0|1] [--whole]
//
// A and B are package directories, each with its own dist/ and build/ (for example a
// `git worktree` of the older commit, after `npm install`, and this checkout). Each round counts
// every net once with A, then once with B, on seeded He-normal nets over [-1, 1]^n (or the whole
// space); the figure is CPU time. It prints each build's median and fastest round and their
// ratios (A / B: above 1 means B is faster), and stops with an error if the builds' counts differ.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { heNormal } from './nets.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const valued = new Set(['--nets', '--rounds', '--linear']);
const dirs = args.filter((a, i) => !a.startsWith('--') && !valued.has(args[i - 1]));
if (dirs.length !== 2) {
  console.error('usage: node bench/ab.js A B [--nets 4-16-16-1,3-16-16-16-1] [--rounds 15] [--linear 0|1] [--whole]');
  process.exit(2);
}
const nets = option('--nets', '4-16-16-1,3-16-16-16-1').split(',');
const rounds = Number(option('--rounds', '15'));
const linearRegions = option('--linear', '1') !== '0';
const whole = args.includes('--whole');

const apis = await Promise.all(dirs.map((d) => import(pathToFileURL(resolve(d, 'dist/index.node.js')).href)));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

for (const name of nets) {
  const widths = name.split('-').map(Number);
  const network = heNormal(widths, 42);
  const domain = whole ? { whole: true } : { bounds: Array.from({ length: widths[0] }, () => [-1, 1]) };
  const times = [[], []];
  const counts = ['', ''];
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < 2; i++) {
      const before = process.cpuUsage();
      const result = apis[i].countRegionsSync(network, domain, { linearRegions });
      const used = process.cpuUsage(before);
      times[i].push((used.user + used.system) / 1000);
      counts[i] = `${result.activationRegions} / ${result.linearRegions} / ${result.perLayer.join(':')}`;
    }
  }
  if (counts[0] !== counts[1]) {
    console.error(`${name}: the builds' counts differ: ${counts[0]} against ${counts[1]}`);
    process.exit(1);
  }
  const [ma, mb] = times.map(median);
  const [fa, fb] = times.map((t) => Math.min(...t));
  console.log(
    `${name} ${whole ? 'whole space' : 'box'} linear=${linearRegions}: A ${ma.toFixed(1)} ms (fastest ${fa.toFixed(1)}), ` +
      `B ${mb.toFixed(1)} ms (fastest ${fb.toFixed(1)}); A / B ${(ma / mb).toFixed(2)}x median, ${(fa / fb).toFixed(2)}x fastest; counts ${counts[0]}`,
  );
}
