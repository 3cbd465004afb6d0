/**
 * The training page (web/train.html): settings, start / stop / reset, and for each method the
 * target and the network's exact graph with its breakpoints, the loss curve and the counts. The
 * training runs in worker.ts.
 */
import { TARGETS } from 'linear-regions';
import type { FromWorker, Method, Snapshot, ToWorker, TrainSettings } from './protocol.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const byTestId = (id: string): HTMLElement => document.querySelector(`[data-testid="${id}"]`)!;

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (message: ToWorker): void => worker.postMessage(message);
const COLOURS: Record<Method, string> = { milkert: '#2c3e9e', kaiming: '#c0392b' };
const losses: Record<Method, number[]> = { milkert: [], kaiming: [] };
const last: Partial<Record<Method, Snapshot>> = {};

function settings(): TrainSettings {
  const int = (id: string, lo: number, hi: number, fallback: number): number => {
    const v = Math.round(Number(($(id) as HTMLInputElement).value));
    return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
  };
  return {
    target: ($('target') as HTMLSelectElement).value as TrainSettings['target'],
    depth: int('depth', 1, 10, 6),
    steps: int('steps', 2, 1_000_000, 12000),
    seed: int('seed', 0, 2 ** 32 - 1, 1),
  };
}

function setState(state: string, text: string): void {
  const status = byTestId('status');
  status.dataset.state = state;
  status.textContent = text;
  ($('start') as HTMLButtonElement).disabled = state === 'running';
  ($('stop') as HTMLButtonElement).disabled = state !== 'running';
}

function panel(method: Method): HTMLElement {
  return document.querySelector(`.train-panel[data-method="${method}"]`)!;
}

function drawFit(method: Method, s: Snapshot): void {
  const canvas = panel(method).querySelector<HTMLCanvasElement>('canvas.fit')!;
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const f = TARGETS[settings().target].f;
  const grid = Array.from({ length: 401 }, (_, i) => i / 400);
  const values = grid.map(f);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = 0.08 * (hi - lo || 1);
  const X = (x: number): number => 30 + x * (width - 40);
  const Y = (y: number): number => height - 24 - ((y - lo + pad) / (hi - lo + 2 * pad)) * (height - 34);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = '#ddd';
  ctx.strokeRect(X(0), Y(hi + pad), X(1) - X(0), Y(lo - pad) - Y(hi + pad));
  ctx.lineWidth = 4;
  ctx.strokeStyle = '#bbb';
  ctx.beginPath();
  grid.forEach((x, i) => (i ? ctx.lineTo(X(x), Y(values[i]!)) : ctx.moveTo(X(x), Y(values[i]!))));
  ctx.stroke();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = COLOURS[method];
  ctx.beginPath();
  s.xs.forEach((x, i) => (i ? ctx.lineTo(X(x), Y(s.ys[i]!)) : ctx.moveTo(X(x), Y(s.ys[i]!))));
  ctx.stroke();
  ctx.fillStyle = COLOURS[method];
  for (const b of s.breakpoints) ctx.fillRect(Math.round(X(b)), height - 20, 1, 10);
  canvas.dataset.breakpoints = String(s.breakpoints.length); // ticks can merge into one pixel; the e2e test reads the count
  ctx.fillStyle = '#666';
  ctx.font = '11px sans-serif';
  ctx.fillText('0', X(0) - 3, height - 2);
  ctx.fillText('1', X(1) - 3, height - 2);
}

function drawLoss(method: Method, s: Snapshot): void {
  const canvas = panel(method).querySelector<HTMLCanvasElement>('canvas.loss')!;
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  const all = losses[method];
  if (all.length === 0) return;
  const stride = Math.max(1, Math.floor(all.length / 1500));
  const points: [number, number][] = [];
  for (let i = 0; i < all.length; i += stride) if (all[i]! > 0) points.push([i, Math.log10(all[i]!)]);
  const ys = points.map((p) => p[1]);
  const lo = Math.floor(Math.min(-10, ...ys));
  const hi = Math.ceil(Math.max(0, ...ys));
  const X = (i: number): number => 40 + (i / Math.max(1, s.totalSteps)) * (width - 50);
  const Y = (v: number): number => 8 + ((hi - v) / (hi - lo)) * (height - 20);
  ctx.fillStyle = '#666';
  ctx.font = '11px sans-serif';
  ctx.strokeStyle = '#eee';
  for (let v = lo; v <= hi; v += 2) {
    ctx.beginPath();
    ctx.moveTo(40, Y(v));
    ctx.lineTo(width - 10, Y(v));
    ctx.stroke();
    ctx.fillText(`1e${v}`, 2, Y(v) + 4);
  }
  if (s.phase1Steps > 0) {
    // Where phase 2 (free weights) begins.
    ctx.setLineDash([4, 4]);
    ctx.strokeStyle = '#999';
    ctx.beginPath();
    ctx.moveTo(X(s.phase1Steps), 4);
    ctx.lineTo(X(s.phase1Steps), height - 8);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillText('phase 2', X(s.phase1Steps) + 4, height - 8);
  }
  ctx.strokeStyle = COLOURS[method];
  ctx.beginPath();
  points.forEach(([i, v], k) => (k ? ctx.lineTo(X(i), Y(v)) : ctx.moveTo(X(i), Y(v))));
  ctx.stroke();
}

function show(s: Snapshot): void {
  const m = s.method;
  last[m] = s;
  losses[m].push(...s.losses);
  const phaseText = s.phase === 'phase1' ? 'phase 1: peaks' : s.phase === 'phase2' ? 'phase 2: free weights' : s.phase === 'done' ? 'done' : '';
  byTestId(`${m}-phase`).textContent = phaseText ? `(${phaseText})` : '';
  byTestId(`${m}-step`).textContent = `${s.step} / ${s.totalSteps}`;
  byTestId(`${m}-loss`).textContent = Number.isFinite(s.loss) ? s.loss.toExponential(2) : '–';
  byTestId(`${m}-mse`).textContent = s.testMse.toExponential(2);
  byTestId(`${m}-regions`).textContent = String(s.linearRegions);
  const milestone = byTestId(m === 'milkert' ? 'milkert-phase1-regions' : 'kaiming-initial-regions');
  milestone.textContent = s.milestoneRegions === undefined ? '–' : String(s.milestoneRegions);
  drawFit(m, s);
  drawLoss(m, s);
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  if (message.type === 'snapshot') show(message);
  else if (message.type === 'error') setState('error', `Error: ${message.message}`);
  else if (message.state === 'running') setState('running', 'Training…');
  else if (message.state === 'stopped') setState('stopped', 'Stopped. Start resumes; Reset starts over.');
  else if (message.state === 'done') setState('done', 'Done: both networks trained for the full budget.');
  else setState('idle', 'Ready: the networks at initialisation. Press Start.');
};

function reset(): void {
  losses.milkert = [];
  losses.kaiming = [];
  send({ type: 'reset', settings: settings() });
}

$('start').addEventListener('click', () => {
  const s = settings();
  const changed = !last.milkert || JSON.stringify(s) !== JSON.stringify(currentSettings);
  if (changed) {
    losses.milkert = [];
    losses.kaiming = [];
  }
  currentSettings = s;
  send({ type: 'start', settings: s });
});
$('stop').addEventListener('click', () => send({ type: 'stop' }));
$('reset').addEventListener('click', () => {
  currentSettings = settings();
  reset();
});
let currentSettings = settings();
reset();
