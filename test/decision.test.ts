/**
 * Decision regions (count/decision.ts): connected regions where the argmax of the outputs is the
 * same. Expected values: hand counts, and the exact reference (test/reference/reference.ts), which
 * joins the regions of the network with an argmax unit appended across shared edges when that
 * unit's piece (the class) is the same, on seeded random and degenerate networks, from both
 * engines (a 2-D box on the polygon engine, the same box written as a polytope on the n-D engine)
 * and with worker threads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { countDecisionRegionsSync, LinearRegionsError } from '../src/index.node.js';
// worker threads start dist/count/worker.js: the built package
import { countDecisionRegions } from '../dist/index.node.js';
import type { Domain, Layer, Network } from '../src/network/types.js';
import { referenceDecisionCount } from './reference/reference.js';
import { randomCase } from './reference/random-nets.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const box2: Domain = { bounds: [[-1, 1], [-1, 1]] };

/** The network with an argmax unit, written here independently of withArgmax: the reference's input. */
function argmaxNetwork(network: Network): Network {
  const last = network.layers[network.layers.length - 1]!;
  const K = last.activation === 'maxout' ? last.weights.length / (last.pieces ?? 2) : last.weights.length;
  const rows = K === 1 ? [[0], [1]] : Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, j) => Number(i === j)));
  const argmax: Layer = { weights: rows, bias: rows.map(() => 0), activation: 'maxout', pieces: rows.length };
  return { ...network, layers: [...network.layers, argmax] };
}

describe('decision regions: hand counts', () => {
  it('argmax(x, y, 0) on [-1, 1]^2: three sectors', () => {
    const net: Network = { inputDim: 2, layers: [{ weights: [[1, 0], [0, 1], [0, 0]], bias: [0, 0, 0], activation: 'linear' }] };
    const r = countDecisionRegionsSync(net, box2);
    expect([r.decisionRegions, r.classes, r.partial]).toEqual([3, 3, false]);
  });

  it('|x| against 0.5 on [-1, 1]: class 1 twice, class 2 once (3 regions, 2 classes)', () => {
    const net: Network = {
      inputDim: 1,
      layers: [
        { weights: [[1], [-1]], bias: [0, 0], activation: 'relu' },
        { weights: [[1, 1], [0, 0]], bias: [0, 0.5], activation: 'linear' },
      ],
    };
    expect(countDecisionRegionsSync(net, { bounds: [[-1, 1]] }).decisionRegions).toBe(3);
    // the same classes with equal logits on [-0.5, 0.5]... no: tie only at the two points |x| = 0.5
    expect(countDecisionRegionsSync(net, { bounds: [[0.75, 1]] }).decisionRegions).toBe(1);
  });

  it('one output is a binary classifier (z > 0): the sawtooth of depth 4 minus 1/2 changes class 16 times', () => {
    const saw = JSON.parse(readFileSync(join(root, 'examples', 'sawtooth-4.json'), 'utf8')) as Network;
    const last = saw.layers[saw.layers.length - 1]!;
    const shifted: Network = { ...saw, layers: [...saw.layers.slice(0, -1), { ...last, bias: last.bias.map((b) => b - 0.5) }] };
    // 16 linear pieces, each going from 0 to 1 or back: each crosses 1/2 once
    const r = countDecisionRegionsSync(shifted);
    expect([r.decisionRegions, r.classes]).toEqual([17, 2]);
  });

  it('identical logits on a whole region go to the lowest index, so no boundary is counted between them', () => {
    // logits (x, x, -x): classes 0 (x > 0, tie with 1 always) and 2 (x < 0)
    const net: Network = { inputDim: 2, layers: [{ weights: [[1, 0], [1, 0], [-1, 0]], bias: [0, 0, 0], activation: 'linear' }] };
    expect(countDecisionRegionsSync(net, box2).decisionRegions).toBe(2);
    // a ReLU that is identically 0 on the box: logits (relu(-x - 2), 0): always tied, one region
    const dead: Network = { inputDim: 2, layers: [{ weights: [[-1, 0]], bias: [-2], activation: 'relu' }, { weights: [[1], [0]], bias: [0, 0], activation: 'linear' }] };
    expect(countDecisionRegionsSync(dead, box2).decisionRegions).toBe(1);
  });

  it('more than 15 classes, and bad options, are coded errors', () => {
    const wide: Network = { inputDim: 2, layers: [{ weights: Array.from({ length: 16 }, (_, i) => [i, 1]), bias: new Array(16).fill(0), activation: 'linear' }] };
    expect(() => countDecisionRegionsSync(wide, box2)).toThrow(LinearRegionsError);
    expect(() => countDecisionRegionsSync(wide, box2)).toThrow(/up to 15 classes; the network has 16 outputs/);
    expect(() => countDecisionRegionsSync(wide, box2, null as never)).toThrow(/options must be an object/);
  });
});

describe('decision regions against the exact reference', () => {
  it('seeded random and degenerate networks (1-D and 2-D boxes, slices; every activation)', () => {
    let checked = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const c = randomCase(seed);
      const label = `randomCase(${seed}): ${c.description}\n${JSON.stringify({ network: c.network, domain: c.domain ?? null })}`;
      const ref = referenceDecisionCount(argmaxNetwork(c.network), c.domain);
      const got = countDecisionRegionsSync(c.network, c.domain);
      expect([got.decisionRegions, got.cells], label).toEqual([ref.linearRegions, ref.activationRegions]);
      checked++;
    }
    expect(checked).toBe(300);
  });

  it('the n-D engine agrees (2-D boxes written as polytopes), and worker threads give the same counts', async () => {
    let checked = 0;
    for (let seed = 301; seed <= 360; seed++) {
      const c = randomCase(seed);
      const dom = (c.domain ?? c.network.domain) as { bounds?: [number, number][] } | undefined;
      if (c.network.inputDim !== 2 || dom?.bounds === undefined && c.domain !== undefined) continue;
      const b = dom?.bounds ?? [[-1, 1], [-1, 1]];
      if (b.length !== 2) continue;
      const polytope: Domain = { A: [[1, 0], [-1, 0], [0, 1], [0, -1]], b: [b[0]![1], -b[0]![0], b[1]![1], -b[1]![0]] };
      const ref = referenceDecisionCount(argmaxNetwork(c.network), { bounds: b });
      const label = `randomCase(${seed}) on ${JSON.stringify(b)}`;
      expect(countDecisionRegionsSync(c.network, polytope).decisionRegions, label).toBe(ref.linearRegions);
      const threaded = await countDecisionRegions(c.network, { bounds: b }, { threads: 2, workersAfterMs: 0 });
      expect(threaded.decisionRegions, label).toBe(ref.linearRegions);
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });
});

describe('CLI: count --decision', () => {
  it('prints the decision regions after the count, and in --json', () => {
    const cli = join(root, 'dist', 'cli', 'main.js');
    const net = join(root, 'examples', 'maxout-2d.json');
    const want = countDecisionRegionsSync(JSON.parse(readFileSync(net, 'utf8')) as Network).decisionRegions;
    const r = spawnSync(process.execPath, [cli, 'count', net, '--decision', '--threads', '1'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`decision regions\\s+${want}\\b`));
    const j = spawnSync(process.execPath, [cli, 'count', net, '--decision', '--json', '--threads', '1'], { encoding: 'utf8', timeout: 60_000 });
    expect(j.status, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ decisionRegions: want, activationRegions: 12, linearRegions: 5 });
  });
});
