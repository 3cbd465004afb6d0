/**
 * The training worker: two `Trainer`s from linear-regions (Milkert's reparameterisation and the
 * Kaiming baseline) stepped in turns; about every 150 ms a snapshot of each network goes to the
 * page with its exact regions on [0, 1] (`regions()`), its breakpoints and test MSE.
 */
import { Trainer, regions, testMse, type Network } from 'linear-regions';
import type { FromWorker, Method, Snapshot, ToWorker, TrainSettings } from './protocol.js';

interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

interface Run {
  settings: TrainSettings;
  trainers: Record<Method, Trainer>;
  /** Losses already sent, per method. */
  sent: Record<Method, number>;
  milestone: Partial<Record<Method, number>>;
  stopped: boolean;
}

let run: Run | undefined;

function create(settings: TrainSettings): Run {
  const options = { target: settings.target, depth: settings.depth, steps: settings.steps, seed: settings.seed };
  return {
    settings,
    trainers: { milkert: new Trainer('milkert', options), kaiming: new Trainer('kaiming', options) },
    sent: { milkert: 0, kaiming: 0 },
    milestone: {},
    stopped: true,
  };
}

async function count(network: Network): Promise<{ xs: number[]; ys: number[]; breakpoints: number[]; linearRegions: number }> {
  const found: { lo: number; hi: number; w: number; b: number; index: number }[] = [];
  const gen = regions(network, { bounds: [[0, 1]] });
  let next = await gen.next();
  while (!next.done) {
    const r = next.value;
    found.push({ lo: r.interval![0], hi: r.interval![1], w: r.map.weights[0]![0]!, b: r.map.bias[0]!, index: r.index });
    next = await gen.next();
  }
  const result = next.value;
  const label = result.linearRegionOf;
  found.sort((p, q) => p.lo - q.lo);
  const xs: number[] = [];
  const ys: number[] = [];
  const breakpoints: number[] = [];
  found.forEach((r, i) => {
    xs.push(r.lo, r.hi);
    ys.push(r.w * r.lo + r.b, r.w * r.hi + r.b);
    const prev = found[i - 1];
    if (prev && label && label[prev.index] !== label[r.index]) breakpoints.push(r.lo);
  });
  return { xs, ys, breakpoints, linearRegions: result.linearRegions ?? 0 }; // a complete count with linear regions on: never null
}

async function snapshot(r: Run, method: Method): Promise<Snapshot> {
  const t = r.trainers[method];
  const network = t.network();
  const drawn = await count(network);
  if (method === 'kaiming' && r.milestone.kaiming === undefined) r.milestone.kaiming = drawn.linearRegions;
  if (method === 'milkert' && r.milestone.milkert === undefined && t.phase1Network()) {
    r.milestone.milkert = (await count(t.phase1Network()!)).linearRegions;
  }
  const o = t.options;
  const losses = t.loss.slice(r.sent[method]);
  r.sent[method] = t.loss.length;
  return {
    type: 'snapshot',
    method,
    phase: t.phase,
    step: t.loss.length,
    totalSteps: method === 'milkert' ? o.phase1Steps + o.phase2Steps : o.steps,
    phase1Steps: method === 'milkert' ? o.phase1Steps : 0,
    loss: t.lastLoss,
    losses,
    ...drawn,
    testMse: testMse(network, o.target.name as TrainSettings['target']),
    ...(r.milestone[method] !== undefined ? { milestoneRegions: r.milestone[method] } : {}),
  };
}

async function publish(r: Run): Promise<void> {
  scope.postMessage(await snapshot(r, 'milkert'));
  scope.postMessage(await snapshot(r, 'kaiming'));
}

async function loop(r: Run): Promise<void> {
  const { milkert, kaiming } = r.trainers;
  while (!r.stopped && (milkert.phase !== 'done' || kaiming.phase !== 'done')) {
    const t0 = performance.now();
    while (performance.now() - t0 < 150 && (milkert.phase !== 'done' || kaiming.phase !== 'done')) {
      milkert.takeStep();
      kaiming.takeStep();
    }
    await publish(r);
    await new Promise((resolve) => setTimeout(resolve, 0)); // lets 'stop' in
  }
  if (run !== r) return;
  scope.postMessage({ type: 'state', state: r.stopped ? 'stopped' : 'done' });
  r.stopped = true;
}

scope.onmessage = (event) => {
  const message = event.data;
  void (async () => {
    try {
      if (message.type === 'stop') {
        if (run) run.stopped = true;
        return;
      }
      if (message.type === 'reset' || !run || JSON.stringify(run.settings) !== JSON.stringify(message.settings)) {
        if (run) run.stopped = true;
        run = create(message.settings);
        run.sent = { milkert: 0, kaiming: 0 };
        await publish(run);
        if (message.type === 'reset') {
          scope.postMessage({ type: 'state', state: 'idle' });
          return;
        }
      }
      if (!run.stopped) return;
      run.stopped = false;
      scope.postMessage({ type: 'state', state: 'running' });
      await loop(run);
    } catch (e) {
      scope.postMessage({ type: 'error', message: (e as Error).message });
    }
  })();
};
