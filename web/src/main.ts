/**
 * The visualizer page: picks a network and a domain, counts in a Web Worker with the library's
 * browser entry, draws the partition progressively, and explains what is under the cursor.
 */
import { createRng, resolveDomain, validateDomain, validateNetwork } from 'linear-regions';
import type { BoxDomain, CountResult, Domain, Network, SliceDomain } from 'linear-regions';

/** What the page draws: a box (1-D or 2-D) or a slice; polytopes and the whole space are counted by the API and CLI. */
type DrawDomain = BoxDomain | SliceDomain;
import { colorOfKey, colorOfLabel, cssColor } from './colors.js';
import { boundsFor, montufar, randomNetwork, sawtooth, type NetworkBounds } from './extras.js';
import { fillBounds, fmtBig } from './bounds-panel.js';
import { parsePoint, pointsOfSlice, threePointPlane, unitPoints, type Mark } from './three-points.js';
import { importOnnx } from './onnx.js';
import { plot1d } from './plot1d.js';
import { shapeOf, type FromWorker, type ToWorker } from './protocol.js';
import { PartitionRenderer, type Colouring, type ViewBox } from './render2d.js';
import { RegionGrid, RegionStore } from './store.js';
import { TropicalPanel } from './tropical-panel.js';

/** Regions kept for drawing; counts go on past this (the page says so). */
const MAX_STORED = 300_000;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  domainJson: $<HTMLPreElement>('domain-json'),
  source: $<HTMLSelectElement>('source'),
  sawDepth: $<HTMLInputElement>('saw-depth'),
  randWidths: $<HTMLInputElement>('rand-widths'),
  randSeed: $<HTMLInputElement>('rand-seed'),
  montufarNote: $<HTMLParagraphElement>('montufar-note'),
  fileName: $<HTMLParagraphElement>('file-name'),
  fileInput: $<HTMLInputElement>('file-input'),
  netSummary: $<HTMLParagraphElement>('net-summary'),
  domainSummary: $<HTMLParagraphElement>('domain-summary'),
  sliceControls: $<HTMLDivElement>('slice-controls'),
  useSlice: $<HTMLInputElement>('use-slice'),
  slicePoints: $<HTMLDivElement>('slice-points'),
  ptA: $<HTMLInputElement>('pt-a'),
  ptB: $<HTMLInputElement>('pt-b'),
  ptC: $<HTMLInputElement>('pt-c'),
  ptsUnit: $<HTMLButtonElement>('pts-unit'),
  ptsRandom: $<HTMLButtonElement>('pts-random'),
  ptsSeed: $<HTMLInputElement>('pts-seed'),
  apply: $<HTMLButtonElement>('apply'),
  resetView: $<HTMLButtonElement>('reset-view'),
  layer: $<HTMLInputElement>('layer'),
  layerLabel: $<HTMLElement>('layer-label'),
  edges: $<HTMLInputElement>('edges'),
  status: $<HTMLSpanElement>('status'),
  progress: $<HTMLProgressElement>('progress'),
  cancel: $<HTMLButtonElement>('cancel'),
  wrap: $<HTMLDivElement>('canvas-wrap'),
  plot: $<HTMLCanvasElement>('plot'),
  overlay: $<HTMLCanvasElement>('overlay'),
  viewSummary: $<HTMLParagraphElement>('view-summary'),
  message: $<HTMLParagraphElement>('message'),
  activation: $<HTMLSpanElement>('activation-regions'),
  activationPartial: $<HTMLSpanElement>('activation-partial'),
  linear: $<HTMLSpanElement>('linear-regions'),
  linearPartial: $<HTMLSpanElement>('linear-partial'),
  cellsShown: $<HTMLSpanElement>('cells-shown'),
  elapsed: $<HTMLSpanElement>('elapsed'),
  labelNote: $<HTMLParagraphElement>('label-note'),
  perLayer: $<HTMLTableSectionElement>('per-layer'),
  bounds: $<HTMLParagraphElement>('bounds'),
  hover: $<HTMLDivElement>('hover'),
  dropZone: $<HTMLElement>('drop-zone'),
};
const tropical = new TropicalPanel($('tropical-panel'), $<HTMLCanvasElement>('tropical-overlay'), () => redraw());

// ------------------------------------------------------------------------------------------
// Sources: bundled examples, constructions, files and URLs.

const exampleLoaders = import.meta.glob<{ default: unknown }>('../../examples/*.json');
const examples = new Map<string, () => Promise<{ default: unknown }>>();
for (const [path, load] of Object.entries(exampleLoaders)) examples.set(path.replace(/^.*\/|\.json$/g, ''), load);

function fillSources(): void {
  const add = (group: HTMLOptGroupElement | HTMLSelectElement, value: string, text: string, disabled = false) => {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    o.disabled = disabled;
    group.append(o);
  };
  const ex = document.createElement('optgroup');
  ex.label = 'Examples (package examples/)';
  for (const name of [...examples.keys()].sort()) add(ex, `example:${name}`, name);
  const cons = document.createElement('optgroup');
  cons.label = 'Constructions';
  add(cons, 'sawtooth', 'Sawtooth (Telgarsky), 1-D plot');
  add(cons, 'montufar', 'Montufar et al. folding', false);
  add(cons, 'random', 'Random He-normal, seeded');
  const other = document.createElement('optgroup');
  other.label = 'Your own';
  add(other, 'file', 'Dropped or chosen file');
  add(other, 'url', 'From the URL (?net=&domain=)');
  ui.source.append(ex, cons, other);
  ui.montufarNote.textContent =
    'Folds [0, 1]^n0 floor(n_i / n0) times per coordinate in each layer; the last layer is an arrangement in general position in every fold (Montufar, Pascanu, Cho, Bengio 2014).';
}

// ------------------------------------------------------------------------------------------
// State.

interface Loaded {
  name: string;
  network: Network;
  /** The domain the network came with (or the URL's domain). */
  ownDomain: DrawDomain;
}
let loaded: Loaded | undefined;
/** The domain before any pan or zoom (own domain, or the three-point plane). */
let baseDomain: DrawDomain | undefined;
/** The domain being shown and counted. */
let domain: DrawDomain | undefined;
let sliceMarks: Mark[] = [];

let worker: Worker;
let runId = 0;
let running = false;
let runStarted = 0;
let cancelTimer: ReturnType<typeof setTimeout> | undefined;
let store: RegionStore | undefined;
let result: CountResult | undefined;
let drawnUpTo = 0;
let grid: RegionGrid | undefined;
let gridCount = -1;
let gridBuilt = 0;
let layerShown = 1;
let colourMode: 'activation' | 'linear' = 'activation';
/** Closed-form bounds of the network as counted (undefined: the library has none). */
let bounds: NetworkBounds | undefined;
const renderer = new PartitionRenderer(ui.plot, ui.overlay);

function setStatus(state: 'idle' | 'running' | 'done' | 'cancelled' | 'error', text: string): void {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
  ui.progress.hidden = state !== 'running';
  ui.cancel.disabled = state !== 'running';
}

function showMessage(text: string, kind: 'info' | 'error' = 'info'): void {
  ui.message.textContent = text;
  ui.message.dataset.kind = kind;
  ui.message.hidden = text === '';
}

const fmt = (n: number) => n.toLocaleString('en-US');
/** "1 input", "2 inputs", "1,234 linear regions" (English plurals with thousands separators). */
const plural = (n: number, noun: string, nouns = `${noun}s`) => `${fmt(n)} ${n === 1 ? noun : nouns}`;
const num = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(3) : String(+v.toPrecision(5)));

// ------------------------------------------------------------------------------------------
// Loading networks.

async function selectSource(value: string): Promise<void> {
  for (const id of ['sawtooth', 'montufar', 'random', 'file']) $(`params-${id}`).hidden = value !== id;
  showMessage('');
  try {
    if (value.startsWith('example:')) {
      const name = value.slice('example:'.length);
      const json = (await examples.get(name)!()).default;
      setNetwork(name, json);
    } else if (value === 'sawtooth') {
      const depth = clampInt(ui.sawDepth.value, 1, 24, 4);
      setNetwork(`sawtooth depth ${depth}`, sawtooth(depth));
    } else if (value === 'random') {
      const widths = ui.randWidths.value.split(/[-x,\s]+/).filter(Boolean).map(Number);
      if (widths.length < 2 || widths.some((w) => !Number.isInteger(w) || w < 1 || w > 4096)) {
        throw new Error(`widths must look like 2-16-16-1 (positive integers), got "${ui.randWidths.value}"`);
      }
      const seed = clampInt(ui.randSeed.value, 0, 2 ** 32 - 1, 1);
      setNetwork(`random He-normal ${widths.join('-')} seed ${seed}`, randomNetwork(widths, seed));
    } else if (value === 'montufar') {
      const n0 = clampInt($<HTMLInputElement>('mont-inputs').value, 1, 2, 2);
      const hidden = $<HTMLInputElement>('mont-widths').value.split(/[-x,\s]+/).filter(Boolean).map(Number);
      setNetwork(`Montufar folding n0 = ${n0}, hidden ${hidden.join('-')}`, montufar(n0, hidden));
    } else if (value === 'file' || value === 'url') {
      if (!loaded) return;
    } else {
      return;
    }
    await count();
  } catch (err) {
    fail(err);
  }
}

function clampInt(text: string, lo: number, hi: number, fallback: number): number {
  const v = Math.round(Number(text));
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}

/**
 * The domain as the page can draw it: a box or a slice as given; for a polytope or the whole space
 * (which the library counts, but a picture cannot show whole), the default view, with a note.
 */
function drawable(d: Domain, network: Network): DrawDomain {
  if ('bounds' in d) return d;
  showMessage('The page draws boxes and slices; this polytope or whole-space domain is shown on the default view (count it with the API or the CLI).');
  if (network.inputDim <= 2) return { bounds: Array.from({ length: network.inputDim }, (): [number, number] => [-1, 1]) };
  return threePointPlane(unitPoints(network.inputDim)).domain;
}

/** Validates and installs a network; `domainJson` (optional) overrides the network's own domain. */
function setNetwork(name: string, json: unknown, domainJson?: unknown): void {
  const network = validateNetwork(json);
  let own: DrawDomain;
  if (domainJson !== undefined) own = drawable(resolveDomain(network, domainJson), network);
  else if (network.domain) own = drawable(network.domain, network);
  else if (network.inputDim <= 2) own = drawable(resolveDomain(network), network);
  else own = threePointPlane(unitPoints(network.inputDim)).domain;
  loaded = { name, network, ownDomain: own };
  const widths = network.layers.map((l) => (l.activation === 'maxout' ? `${l.weights.length / (l.pieces ?? 1)}x${l.pieces}` : `${l.weights.length}`));
  const acts = [...new Set(network.layers.map((l) => l.activation))].join(', ');
  ui.netSummary.textContent = `${name}: ${plural(network.inputDim, 'input')}, widths ${widths.join('-')} (${acts}).`;

  // Three-point planes: needed for more than 2 inputs, offered for any such network.
  ui.sliceControls.hidden = network.inputDim <= 2;
  if (network.inputDim > 2) {
    // Its own (or the URL's) slice if it has one; otherwise the plane through 0, e1, e2 (a box
    // in more than 2 dimensions cannot be drawn, nor counted yet).
    const givenSlice = (domainJson !== undefined || network.domain !== undefined) && 'directions' in own;
    const pts = givenSlice ? pointsOfSlice(own as SliceDomain) : unitPoints(network.inputDim);
    [ui.ptA.value, ui.ptB.value, ui.ptC.value] = pts.map((p) => (p ? p.map(String).join(', ') : ''));
    ui.useSlice.checked = !givenSlice;
    ui.slicePoints.hidden = !ui.useSlice.checked;
  }
  ui.layer.max = String(network.layers.length);
  ui.layer.value = String(network.layers.length);
  layerShown = network.layers.length;
  ui.layerLabel.textContent = ui.layer.value;
  applyDomainChoice();
}

/** Sets baseDomain from the network's own domain or the three points. */
function applyDomainChoice(): void {
  if (!loaded) return;
  const { network, ownDomain } = loaded;
  sliceMarks = [];
  if (network.inputDim > 2 && ui.useSlice.checked) {
    const n = network.inputDim;
    const pts = [parsePoint(ui.ptA.value, n, 'A'), parsePoint(ui.ptB.value, n, 'B'), ui.ptC.value.trim() ? parsePoint(ui.ptC.value, n, 'C') : undefined];
    const plane = threePointPlane(pts);
    baseDomain = validateDomain(plane.domain, n) as SliceDomain;
    sliceMarks = plane.marks;
  } else {
    baseDomain = ownDomain;
  }
  domain = structuredClone(baseDomain);
  describeDomain();
}

function describeDomain(): void {
  if (!domain || !loaded) return;
  const b = domain.bounds.map(([lo, hi]) => `[${num(lo)}, ${num(hi)}]`).join(' × ');
  if ('directions' in domain) {
    const kind = domain.directions.length === 2 ? 'plane' : 'line';
    ui.domainSummary.textContent = `A ${kind} slice of R^${loaded.network.inputDim}: (${domain.directions.length === 2 ? 's, t' : 's'}) in ${b}.`;
  } else {
    ui.domainSummary.textContent = domain.bounds.length === 1 ? `The interval ${b}.` : `The box ${b}.`;
  }
  ui.domainJson.textContent = JSON.stringify(domain);
  ui.viewSummary.textContent = `Showing ${b}${'directions' in domain ? ' (slice coordinates)' : ''}.`;
}

// ------------------------------------------------------------------------------------------
// Counting in the worker.

function createWorker(): Worker {
  const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (e: MessageEvent<FromWorker>) => onWorkerMessage(e.data);
  w.onerror = (e) => {
    if (running) fail(new Error(`the counting worker failed: ${e.message || 'unknown error'}`));
  };
  return w;
}

async function count(): Promise<void> {
  if (!loaded || !domain) return;
  const id = ++runId;
  running = true;
  runStarted = performance.now();
  clearTimeout(cancelTimer);
  result = undefined;
  grid = undefined;
  gridCount = -1;
  drawnUpTo = 0;
  store = new RegionStore(shapeOf(loaded.network, domain));
  try {
    bounds = boundsFor(loaded.network, store.shape.dimension, domain.bounds.reduce((v, [lo, hi]) => v * (hi - lo), 1));
  } catch (err) {
    bounds = { perLayer: [], lines: [], reason: (err as Error).message };
  }
  for (const el of [ui.activation, ui.linear, ui.activationPartial, ui.linearPartial, ui.cellsShown, ui.elapsed, ui.labelNote]) el.textContent = '';
  ui.hover.innerHTML = '<p class="note">Move the pointer over the picture.</p>';
  fillPerLayer();
  layoutCanvas();
  renderer.clear();
  describeDomain();
  setStatus('running', 'Counting…');
  const msg: ToWorker = { type: 'run', id, network: loaded.network, domain, maxStored: MAX_STORED };
  worker.postMessage(msg);
}

let lastPlot1d = 0;
function onWorkerMessage(msg: FromWorker): void {
  if (msg.id !== runId || !store) return;
  switch (msg.type) {
    case 'batch': {
      store.append(msg.batch);
      if (store.shape.dimension === 2) {
        renderer.drawRange(store, drawnUpTo, store.count, viewBox(), colouring());
        drawnUpTo = store.count;
      } else if (performance.now() - lastPlot1d > 200) {
        lastPlot1d = performance.now();
        redraw();
      }
      progressText(store.count);
      break;
    }
    case 'progress':
      progressText(msg.activationRegions);
      break;
    case 'done':
      finish(msg.result, msg.stored);
      break;
    case 'labels':
      store.labels = msg.labels;
      store.labelComponents = msg.components;
      if (result && msg.components !== result.linearRegions) {
        ui.labelNote.textContent =
          `The colouring joins regions into ${plural(msg.components, 'group')}, the exact count is ${fmt(result.linearRegions ?? 0)}: ` +
          'the page decides shared edges and equal maps in floating point for colouring only.';
      }
      if (colourMode === 'linear') redraw();
      break;
    case 'error':
      fail(Object.assign(new Error(msg.message), { code: msg.code }));
      break;
  }
}

function progressText(n: number): void {
  if (!running) return;
  const s = (performance.now() - runStarted) / 1000;
  setStatus('running', `Counting… ${plural(n, 'activation region')} so far (${s.toFixed(1)} s)`);
}

function finish(r: CountResult, stored: number): void {
  running = false;
  clearTimeout(cancelTimer);
  result = r;
  ui.elapsed.textContent = `${r.elapsedMs < 1000 ? r.elapsedMs.toFixed(1) + ' ms' : (r.elapsedMs / 1000).toFixed(2) + ' s'}`;
  if (r.partial) {
    ui.activationPartial.textContent = `≥ ${fmt(r.activationRegions)}`;
    ui.linearPartial.textContent = '—';
    setStatus('cancelled', `Stopped after ${plural(r.activationRegions, 'activation region')} (${r.stopReason}): the counts are incomplete.`);
  } else {
    ui.activation.textContent = fmt(r.activationRegions);
    ui.linear.textContent = r.linearRegions === null ? '—' : fmt(r.linearRegions);
    setStatus(
      'done',
      `Done: ${plural(r.activationRegions, 'activation region')}` +
        (r.linearRegions === null ? '.' : `, ${plural(r.linearRegions, 'linear region')}.`),
    );
  }
  if (stored < r.activationRegions) {
    showMessage(`Drawing the first ${fmt(stored)} regions only (the page keeps at most ${fmt(MAX_STORED)}); the counts are for all of them.`);
  }
  fillPerLayer();
  redraw();
  if (!r.partial && loaded && domain) void tropical.update(loaded.network, !('directions' in domain));
}

function fail(err: unknown, status = 'Error.'): void {
  running = false;
  clearTimeout(cancelTimer);
  const e = err as { message?: string; code?: string };
  const text = e.message ?? String(err);
  setStatus('error', status);
  showMessage(e.code ? `${text} [${e.code}]` : text, 'error');
}

function cancel(): void {
  if (!running) return;
  worker.postMessage({ type: 'cancel', id: runId } satisfies ToWorker);
  // The API checks its AbortSignal between chunks of ~20 ms; if the worker does not answer
  // (a very long chunk), end it and start a fresh one.
  clearTimeout(cancelTimer);
  cancelTimer = setTimeout(() => {
    if (!running) return;
    worker.terminate();
    worker = createWorker();
    running = false;
    setStatus('cancelled', 'Cancelled.');
  }, 1500);
}

function fillPerLayer(): void {
  ui.perLayer.textContent = '';
  if (!loaded) return;
  loaded.network.layers.forEach((layer, i) => {
    const tr = document.createElement('tr');
    if (i + 1 === layerShown) tr.className = 'current';
    const units = layer.activation === 'linear' ? `${layer.weights.length} lin` : layer.activation === 'maxout' ? `${layer.weights.length / (layer.pieces ?? 1)}×${layer.pieces}` : String(layer.weights.length);
    const regions = result ? (result.partial ? `≥ ${fmt(result.perLayer[i]!)}` : fmt(result.perLayer[i]!)) : '';
    const bound = bounds?.perLayer[i];
    for (const text of [String(i + 1), units, regions, bound === undefined ? '—' : `≤ ${fmtBig(bound)}`]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    ui.perLayer.append(tr);
  });
  fillBounds(ui.bounds, bounds);
}

// ------------------------------------------------------------------------------------------
// Drawing.

function viewBox(): ViewBox {
  const b = domain!.bounds;
  return b.length === 2 ? { x0: b[0]![0], x1: b[0]![1], y0: b[1]![0], y1: b[1]![1] } : { x0: b[0]![0], x1: b[0]![1], y0: 0, y1: 1 };
}

function colouring(): Colouring {
  const s = store!;
  if (colourMode === 'linear' && s.labels) {
    const labels = s.labels;
    return { key: (i) => labels[i]!, color: colorOfLabel };
  }
  const layer = colourMode === 'linear' ? s.layers : layerShown;
  return { key: (i) => s.key(i, layer), color: colorOfKey };
}

/** Sizes the canvases to the stage, keeping the domain's aspect ratio (within 1:3 .. 3:1). */
function layoutCanvas(): void {
  const stage = ui.wrap.parentElement!;
  const maxW = Math.max(240, stage.clientWidth - 2);
  const maxH = Math.max(240, window.innerHeight - ui.wrap.getBoundingClientRect().top - 70);
  let aspect = 1.6;
  if (domain && domain.bounds.length === 2) {
    const v = viewBox();
    aspect = Math.min(3, Math.max(1 / 3, (v.x1 - v.x0) / (v.y1 - v.y0)));
  }
  let w = maxW;
  let h = w / aspect;
  if (h > maxH) {
    h = maxH;
    w = h * aspect;
  }
  w = Math.floor(w);
  h = Math.floor(h);
  const dpr = window.devicePixelRatio || 1;
  ui.wrap.style.width = `${w}px`;
  ui.wrap.style.height = `${h}px`;
  for (const c of [ui.plot, ui.overlay]) {
    c.style.width = `${w}px`;
    c.style.height = `${h}px`;
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    c.style.transform = '';
  }
}

function redraw(): void {
  if (!store || !loaded || !domain) return;
  if (store.shape.dimension === 1) {
    const cells = plot1d(ui.plot, store, viewBox(), colouring(), colourMode === 'linear' ? store.layers : layerShown, loaded.network, domain);
    if (!running) ui.cellsShown.textContent = fmt(cells);
  } else {
    const cells = renderer.drawAll(store, viewBox(), colouring(), ui.edges.checked);
    drawnUpTo = store.count;
    if (!running) ui.cellsShown.textContent = fmt(cells);
    ui.edges.title = ui.edges.checked && !renderer.edgesDrawn ? 'the cells are too small on screen for edges: zoom in to see them' : '';
    ui.edges.parentElement?.classList.toggle('muted', ui.edges.checked && !renderer.edgesDrawn);
    renderer.drawOverlay(undefined, viewBox(), sliceMarks);
  }
  tropical.drawOverlay(viewBox(), ui.plot);
  ui.layer.disabled = colourMode === 'linear';
  ui.layer.title = colourMode === 'linear' ? 'linear regions are shown for the whole network' : '';
}

// ------------------------------------------------------------------------------------------
// Hover.

function domainPoint(ev: PointerEvent): [number, number] {
  const r = ui.plot.getBoundingClientRect();
  const v = viewBox();
  return [v.x0 + ((ev.clientX - r.left) / r.width) * (v.x1 - v.x0), v.y1 - ((ev.clientY - r.top) / r.height) * (v.y1 - v.y0)];
}

function onHover(ev: PointerEvent): void {
  if (!store || store.count === 0 || drag) return;
  const [x, y] = domainPoint(ev);
  // The hover index is rebuilt when regions were added, at most twice a second during a count.
  if (!grid || (gridCount !== store.count && (!running || performance.now() - gridBuilt > 500))) {
    gridBuilt = performance.now();
    const v = viewBox();
    grid = new RegionGrid(store, v.x0, v.y0, v.x1, v.y1, store.count > 20000 ? 256 : 64);
    gridCount = store.count;
  }
  const i = grid.find(x, y);
  if (i < 0) return;
  const c = colouring();
  const key = c.key(i);
  if (store.shape.dimension === 2) renderer.drawOverlay(key, viewBox(), sliceMarks);
  tropical.hover(x, y);
  tropical.drawOverlay(viewBox(), ui.plot);
  describeRegion(i, c.color(key), x, y);
}

function describeRegion(i: number, rgb: number, x: number, y: number): void {
  const s = store!;
  const dim = s.shape.dimension;
  const slice = domain && 'directions' in domain;
  const vars = dim === 1 ? [slice ? 's' : 'x'] : slice ? ['s', 't'] : ['x₁', 'x₂'];
  const shownLayers = colourMode === 'linear' ? s.layers : layerShown;
  const pattern = s.pattern(i);
  const layerHtml = pattern
    .map((states, l) => {
      if (states.length === 0) return '';
      const sep = states.some((v) => v > 9) ? ',' : '';
      const text = states.join(sep);
      return `<div class="${l + 1 > shownLayers ? 'later' : ''}">L${l + 1}: ${text}</div>`;
    })
    .join('');
  const map = s.map(i);
  const mapHtml = map.weights
    .map((w, u) => {
      const terms = w.map((a, k) => `${a < 0 ? '− ' : '+ '}${num(Math.abs(a))}·${vars[k]}`).join(' ');
      const head = terms.startsWith('+ ') ? terms.slice(2) : terms;
      const b = map.bias[u]!;
      return `<div>f${map.weights.length > 1 ? `<sub>${u + 1}</sub>` : ''}(${vars.join(', ')}) = ${head} ${b < 0 ? '−' : '+'} ${num(Math.abs(b))}</div>`;
    })
    .join('');
  const where = dim === 1 ? `${vars[0]} = ${num(x)}` : `(${vars.join(', ')}) = (${num(x)}, ${num(y)})`;
  const splitsLater = s.shape.unitsPerLayer.slice(layerShown).some((k) => k > 0);
  const what = colourMode === 'linear' ? 'linear region' : splitsLater ? `cell after layer ${layerShown}` : 'activation region';
  ui.hover.innerHTML =
    `<p><span class="swatch" style="background:${cssColor(rgb)}"></span>region #${i} (${what}) at ${where}</p>` +
    `<div class="pattern" data-testid="hover-pattern">${layerHtml}</div>` +
    `<div class="map" data-testid="hover-map">${mapHtml}</div>` +
    '<p class="note">Pattern: 1 = active, 0 = inactive (maxout: the winning piece). Layers past the slider are grey.</p>';
}

// ------------------------------------------------------------------------------------------
// Pan and zoom: the canvas is moved with a CSS transform at once, the count redone when the
// gesture settles.

let pending: ViewBox | undefined;
let commitTimer: ReturnType<typeof setTimeout> | undefined;
let drag: { x: number; y: number; view: ViewBox; moved: boolean } | undefined;

function previewView(next: ViewBox): void {
  const cur = viewBox();
  const W = ui.plot.clientWidth;
  const H = ui.plot.clientHeight;
  const sx = (cur.x1 - cur.x0) / (next.x1 - next.x0);
  const sy = (cur.y1 - cur.y0) / (next.y1 - next.y0);
  const tx = ((cur.x0 - next.x0) / (next.x1 - next.x0)) * W;
  const ty = ((next.y1 - cur.y1) / (next.y1 - next.y0)) * H;
  const t = `translate(${tx}px, ${ty}px) scale(${sx}, ${sy})`;
  ui.plot.style.transform = t;
  ui.overlay.style.transform = t;
  pending = next;
}

function commitView(): void {
  if (!pending || !domain) return;
  const v = pending;
  pending = undefined;
  domain.bounds = domain.bounds.length === 2 ? [[v.x0, v.x1], [v.y0, v.y1]] : [[v.x0, v.x1]];
  void count();
}

function onWheel(ev: WheelEvent): void {
  if (!domain) return;
  ev.preventDefault();
  const base = pending ?? viewBox();
  const r = ui.plot.getBoundingClientRect();
  // The rectangle moves with the preview transform: measure against the committed view.
  const cur = viewBox();
  const fx = (ev.clientX - r.left) / r.width;
  const fy = (ev.clientY - r.top) / r.height;
  const px = cur.x0 + fx * (cur.x1 - cur.x0);
  const py = cur.y1 - fy * (cur.y1 - cur.y0);
  const f = Math.exp(Math.max(-1, Math.min(1, ev.deltaY * 0.0015)));
  const next: ViewBox = { x0: px + (base.x0 - px) * f, x1: px + (base.x1 - px) * f, y0: base.y0, y1: base.y1 };
  if (domain.bounds.length === 2) {
    next.y0 = py + (base.y0 - py) * f;
    next.y1 = py + (base.y1 - py) * f;
  }
  previewView(next);
  clearTimeout(commitTimer);
  commitTimer = setTimeout(commitView, 350);
}

function onPointerDown(ev: PointerEvent): void {
  if (!domain || ev.button !== 0) return;
  drag = { x: ev.clientX, y: ev.clientY, view: pending ?? viewBox(), moved: false };
  ui.wrap.setPointerCapture(ev.pointerId);
  ui.wrap.classList.add('panning');
}

function onPointerMove(ev: PointerEvent): void {
  if (!drag) {
    onHover(ev);
    return;
  }
  const dx = ev.clientX - drag.x;
  const dy = ev.clientY - drag.y;
  if (!drag.moved && Math.hypot(dx, dy) < 3) return;
  drag.moved = true;
  const v = drag.view;
  const W = ui.plot.clientWidth;
  const H = ui.plot.clientHeight;
  const ddx = (-dx / W) * (v.x1 - v.x0);
  const ddy = domain!.bounds.length === 2 ? (dy / H) * (v.y1 - v.y0) : 0;
  previewView({ x0: v.x0 + ddx, x1: v.x1 + ddx, y0: v.y0 + ddy, y1: v.y1 + ddy });
}

function onPointerUp(ev: PointerEvent): void {
  if (!drag) return;
  const moved = drag.moved;
  drag = undefined;
  ui.wrap.releasePointerCapture(ev.pointerId);
  ui.wrap.classList.remove('panning');
  if (moved) {
    clearTimeout(commitTimer);
    commitView();
  }
}

// ------------------------------------------------------------------------------------------
// Files, drops and URL parameters.

async function loadFile(file: File): Promise<void> {
  showMessage('');
  try {
    if (/\.onnx$/i.test(file.name)) {
      const { network, note } = await importOnnx(await file.arrayBuffer(), file.name);
      useLoaded(file.name, network);
      showMessage(note);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(await file.text());
    } catch (err) {
      throw new Error(`${file.name} is not valid JSON: ${(err as Error).message}`);
    }
    const obj = json as Record<string, unknown>;
    if (obj && typeof obj === 'object' && !('layers' in obj) && ('bounds' in obj || 'origin' in obj)) {
      // A domain file: count the current network on it.
      if (!loaded) throw new Error(`${file.name} is a domain; load a network first`);
      loaded.ownDomain = drawable(resolveDomain(loaded.network, json), loaded.network);
      ui.useSlice.checked = false;
      ui.slicePoints.hidden = true;
      applyDomainChoice();
      showMessage(`Domain from ${file.name}.`);
      await count();
      return;
    }
    useLoaded(file.name, json);
  } catch (err) {
    fail(err, `Could not load ${file.name}${loaded ? ` (still showing ${loaded.name})` : ''}.`);
  }
}

function useLoaded(name: string, json: unknown, domainJson?: unknown, source: 'file' | 'url' = 'file'): void {
  setNetwork(name, json, domainJson);
  ui.source.value = source;
  for (const id of ['sawtooth', 'montufar', 'random', 'file']) $(`params-${id}`).hidden = id !== 'file';
  ui.fileName.textContent = `Loaded ${name}.`;
  void count();
}

async function fetchJson(url: string, what: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`cannot fetch the ${what} from ${url}: ${(err as Error).message}`);
  }
  if (!response.ok) throw new Error(`cannot fetch the ${what} from ${url}: HTTP ${response.status}`);
  if (/text\/html/.test(response.headers.get('content-type') ?? '')) {
    throw new Error(`the ${what} URL ${url} answered with an HTML page, not JSON (is the path right?)`);
  }
  try {
    return await response.json();
  } catch {
    throw new Error(`the ${what} at ${url} is not valid JSON`);
  }
}

async function fromUrlParameters(params: URLSearchParams): Promise<boolean> {
  const net = params.get('net');
  const dom = params.get('domain');
  const example = params.get('example');
  if (params.get('color') === 'linear') {
    colourMode = 'linear';
    (document.querySelector('input[name="colour"][value="linear"]') as HTMLInputElement).checked = true;
  }
  if (!net && !example) return false;
  try {
    if (net) {
      const [netJson, domJson] = await Promise.all([fetchJson(net, 'network'), dom ? fetchJson(dom, 'domain') : undefined]);
      const name = decodeURIComponent(net.replace(/^.*\//, '')) || 'network';
      setNetwork(name, netJson, domJson);
      ui.source.value = 'url';
    } else {
      ui.source.value = `example:${example}`;
      if (ui.source.value !== `example:${example}`) throw new Error(`no example named "${example}"`);
      setNetwork(example!, (await examples.get(example!)!()).default, dom ? await fetchJson(dom, 'domain') : undefined);
    }
    const layer = Number(params.get('layer'));
    if (Number.isInteger(layer) && layer >= 1 && layer <= Number(ui.layer.max)) {
      ui.layer.value = String(layer);
      layerShown = layer;
      ui.layerLabel.textContent = String(layer);
    }
    await count();
  } catch (err) {
    // Nothing from the URL could be shown: say so in the selector and the summary instead of
    // leaving the previous network's name over an empty canvas.
    loaded = undefined;
    store = undefined;
    result = undefined;
    ui.source.value = 'url';
    ui.netSummary.textContent = `No network loaded: ${net ? `?net=${net}` : `?example=${example}`} could not be read.`;
    ui.domainSummary.textContent = '';
    for (const c of [ui.plot, ui.overlay]) c.getContext('2d')?.clearRect(0, 0, c.width, c.height);
    fail(err);
  }
  return true;
}

// ------------------------------------------------------------------------------------------
// Wiring.

function wire(): void {
  ui.source.addEventListener('change', () => void selectSource(ui.source.value));
  for (const el of [ui.sawDepth, ui.randWidths, ui.randSeed, $('mont-inputs'), $('mont-widths')]) el.addEventListener('change', () => void selectSource(ui.source.value));
  ui.fileInput.addEventListener('change', () => {
    const f = ui.fileInput.files?.[0];
    if (f) void loadFile(f);
    ui.fileInput.value = '';
  });
  ui.apply.addEventListener('click', () => {
    try {
      showMessage('');
      applyDomainChoice();
      void count();
    } catch (err) {
      fail(err);
    }
  });
  ui.resetView.addEventListener('click', () => {
    if (!baseDomain) return;
    domain = structuredClone(baseDomain);
    void count();
  });
  ui.useSlice.addEventListener('change', () => {
    ui.slicePoints.hidden = !ui.useSlice.checked;
    if (!ui.useSlice.checked && loaded && loaded.network.inputDim > 2 && !('directions' in loaded.ownDomain)) {
      ui.useSlice.checked = true; // more than 2 inputs need a slice
      ui.slicePoints.hidden = false;
      showMessage(`This network has ${loaded.network.inputDim} inputs: it needs a 1-D or 2-D slice.`);
    }
  });
  ui.ptsUnit.addEventListener('click', () => {
    if (!loaded) return;
    [ui.ptA.value, ui.ptB.value, ui.ptC.value] = unitPoints(loaded.network.inputDim).map((p) => p.join(', '));
  });
  ui.ptsRandom.addEventListener('click', () => {
    if (!loaded) return;
    const r = createRng(clampInt(ui.ptsSeed.value, 0, 2 ** 32 - 1, 1));
    [ui.ptA.value, ui.ptB.value, ui.ptC.value] = [0, 1, 2].map(() =>
      Array.from({ length: loaded!.network.inputDim }, () => num(+r.uniform().toFixed(3))).join(', '),
    );
  });
  ui.layer.addEventListener('input', () => {
    layerShown = Number(ui.layer.value);
    ui.layerLabel.textContent = ui.layer.value;
    fillPerLayer();
    if (!running) redraw();
  });
  ui.edges.addEventListener('change', () => !running && redraw());
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="colour"]')) {
    radio.addEventListener('change', () => {
      colourMode = radio.value === 'linear' ? 'linear' : 'activation';
      if (!running) redraw();
    });
  }
  ui.cancel.addEventListener('click', cancel);
  ui.wrap.addEventListener('wheel', onWheel, { passive: false });
  ui.wrap.addEventListener('pointerdown', onPointerDown);
  ui.wrap.addEventListener('pointermove', onPointerMove);
  ui.wrap.addEventListener('pointerup', onPointerUp);
  ui.wrap.addEventListener('pointerleave', () => {
    if (!drag && store?.shape.dimension === 2 && !running) renderer.drawOverlay(undefined, viewBox(), sliceMarks);
  });
  // Drops anywhere on the page.
  document.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    ui.dropZone.classList.add('dragging');
  });
  document.addEventListener('dragleave', (ev) => {
    if (ev.relatedTarget === null) ui.dropZone.classList.remove('dragging');
  });
  document.addEventListener('drop', (ev) => {
    ev.preventDefault();
    ui.dropZone.classList.remove('dragging');
    const f = ev.dataTransfer?.files?.[0];
    if (f) void loadFile(f);
  });
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (running) return;
      layoutCanvas();
      redraw();
    }, 150);
  });
}

async function main(): Promise<void> {
  fillSources();
  wire();
  worker = createWorker();
  const params = new URLSearchParams(location.search);
  if (await fromUrlParameters(params)) return;
  ui.source.value = 'example:he-2-16-16-1';
  await selectSource(ui.source.value);
}

void main();
