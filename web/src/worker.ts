/**
 * The counting worker: runs `regions()` from linear-regions off the main thread, streams packed
 * batches of regions to the page (for progressive drawing), reports progress, stops on 'cancel'
 * (through the API's AbortSignal), and finally sends the library's exact linear-region labels.
 */
import { regions } from 'linear-regions';
import type { Region } from 'linear-regions';
import { shapeOf, type FromWorker, type RegionBatch, type Shape, type ToWorker } from './protocol.js';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

/** Growable packed arrays of the regions not yet sent to the page. */
class Packer {
  count = 0;
  vertices = 0;
  vertexStart = new Int32Array(1024);
  coords = new Float64Array(8192);
  patterns: Uint8Array;
  maps: Float64Array;
  constructor(readonly shape: Shape) {
    this.patterns = new Uint8Array(1024 * Math.max(1, shape.patternWidth));
    this.maps = new Float64Array(1024 * shape.mapWidth);
  }
  add(region: Region): void {
    const { shape } = this;
    const i = this.count;
    if (i + 2 > this.vertexStart.length) {
      this.vertexStart = grow(this.vertexStart, 2 * (i + 2));
      this.patterns = grow(this.patterns, 2 * (i + 2) * Math.max(1, shape.patternWidth));
      this.maps = grow(this.maps, 2 * (i + 2) * shape.mapWidth);
    }
    // 2-D: the polygon's vertices; 1-D: one slot (lo, hi) per region, so slot index = region index.
    const points: readonly (readonly number[])[] = region.polygon ?? [region.interval!];
    const need = 2 * (this.vertices + points.length);
    if (need > this.coords.length) this.coords = grow(this.coords, 2 * need);
    let v = this.vertices;
    for (const p of points) {
      this.coords[2 * v] = p[0]!;
      this.coords[2 * v + 1] = p[1]!;
      v++;
    }
    this.vertexStart[i] = this.vertices;
    this.vertices = v;
    this.vertexStart[i + 1] = v;
    let q = i * shape.patternWidth;
    for (const layer of region.pattern) for (const state of layer) this.patterns[q++] = state;
    let m = i * shape.mapWidth;
    for (let u = 0; u < shape.outUnits; u++) {
      for (const w of region.map.weights[u]!) this.maps[m++] = w;
      this.maps[m++] = region.map.bias[u]!;
    }
    this.count++;
  }
  /** The buffered regions as a batch (copies), emptying the packer for the next ones. */
  take(): RegionBatch {
    const { shape } = this;
    const batch = {
      count: this.count,
      vertexStart: this.vertexStart.slice(0, this.count + 1),
      coords: this.coords.slice(0, 2 * this.vertices),
      patterns: this.patterns.slice(0, this.count * shape.patternWidth),
      maps: this.maps.slice(0, this.count * shape.mapWidth),
    };
    this.count = 0;
    this.vertices = 0;
    return batch;
  }
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

let current: { id: number; controller: AbortController } | undefined;

async function run(msg: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const { id, network, domain, maxStored } = msg;
  const controller = new AbortController();
  current = { id, controller };
  const post = (m: FromWorker, transfer?: Transferable[]) => scope.postMessage(m, transfer);
  try {
    const shape = shapeOf(network, domain);
    const packer = new Packer(shape);
    let stored = 0; // regions sent to the page (it keeps at most maxStored)
    let lastFlush = performance.now();
    const flush = () => {
      if (packer.count === 0) return;
      const batch = packer.take();
      stored += batch.count;
      lastFlush = performance.now();
      post({ type: 'batch', id, batch }, [batch.vertexStart.buffer, batch.coords.buffer, batch.patterns.buffer, batch.maps.buffer]);
    };
    const it = regions(network, domain, {
      signal: controller.signal,
      onProgress: (p) => post({ type: 'progress', id, activationRegions: p.activationRegions, elapsedMs: p.elapsedMs }),
    });
    let next = await it.next();
    while (!next.done) {
      if (stored + packer.count < maxStored) packer.add(next.value);
      // Batches every ~60 ms: small counts arrive in one piece, large ones draw progressively.
      if (packer.count >= 256 && performance.now() - lastFlush > 60) flush();
      next = await it.next();
    }
    flush();
    const result = next.value;
    // CountResult carries `stats` from the core too; keep the message to the documented fields.
    const { activationRegions, linearRegions, perLayer, partial, stopReason, elapsedMs, dimension, warnings } = result;
    post({
      type: 'done',
      id,
      result: { activationRegions, linearRegions, perLayer, partial, stopReason, elapsedMs, dimension, domain: result.domain, warnings },
      stored,
    });
    // exact linear-region labels from the library (the core's face pairing), for colouring
    const labels = result.linearRegionOf;
    if (labels && stored === result.activationRegions && current?.id === id && !controller.signal.aborted) {
      let components = 0;
      labels.forEach((label, i) => {
        if (label === i) components++;
      });
      post({ type: 'labels', id, labels, components, elapsedMs: 0 }, [labels.buffer]);
    }
  } catch (err) {
    const e = err as { message?: string; code?: string };
    post({ type: 'error', id, message: e.message ?? String(err), code: e.code });
  } finally {
    if (current?.id === id) current = undefined;
  }
}

scope.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === 'cancel') {
    if (current && current.id === msg.id) current.controller.abort();
    return;
  }
  if (msg.type === 'run') {
    current?.controller.abort();
    void run(msg);
  }
};
