/**
 * Drawing a 2-D partition. While a count runs, each batch of regions is filled straight onto the
 * canvas. When it is done (and whenever the layer or colouring changes) the picture is redrawn
 * cleanly: every cell (regions with one key) is filled as a single path into an id buffer, and
 * the visible image is made pixel by pixel from it: the cell's colour inside, darkened where the
 * id changes (the cell boundaries). Cells as single paths leave no anti-aliasing seams between the
 * regions of one cell, so boundaries appear exactly where cells meet.
 */
import type { RegionStore } from './store.js';

/** The part of the domain (domain coordinates) the canvas shows; y points up. */
export interface ViewBox {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** How regions are grouped and coloured: group key per region, colour per key. */
export interface Colouring {
  key(i: number): number;
  color(key: number): number;
}

/**
 * Cell ids are written to the id buffer scattered over the 24-bit colours (a multiplication by an
 * odd constant, a bijection mod 2^24): an anti-aliased blend of two neighbouring ids then almost
 * never decodes to a real id, so it is recognised as a boundary pixel, not drawn in a third
 * cell's colour.
 */
const SCATTER = 0x9e3779b1 | 0;
const UNSCATTER = (() => {
  let inv = SCATTER; // Newton's iteration for the inverse mod 2^32 (each step doubles the bits)
  for (let k = 0; k < 5; k++) inv = Math.imul(inv, 2 - Math.imul(SCATTER, inv));
  return inv;
})();
const idCode = (id: number) => Math.imul(id, SCATTER) & 0xffffff;
const idOfCode = (code: number) => Math.imul(code, UNSCATTER) & 0xffffff;

/** Average on-screen cell area (device pixels) below which boundaries are not darkened. */
export const MIN_EDGE_CELL_PIXELS = 400;

export class PartitionRenderer {
  private groups = new Map<number, Path2D>();
  private readonly idCanvas = document.createElement('canvas');

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly overlay: HTMLCanvasElement,
  ) {}

  private toPixel(view: ViewBox): (x: number, y: number) => [number, number] {
    const sx = this.canvas.width / (view.x1 - view.x0);
    const sy = this.canvas.height / (view.y1 - view.y0);
    return (x, y) => [(x - view.x0) * sx, (view.y1 - y) * sy];
  }

  private addPolygon(path: Path2D, store: RegionStore, i: number, px: (x: number, y: number) => [number, number]): void {
    const s = store.vertexStart[i]!;
    const e = store.vertexStart[i + 1]!;
    for (let v = s; v < e; v++) {
      const [x, y] = px(store.coords[2 * v]!, store.coords[2 * v + 1]!);
      if (v === s) path.moveTo(x, y);
      else path.lineTo(x, y);
    }
    path.closePath();
  }

  clear(): void {
    const ctx = this.canvas.getContext('2d')!;
    ctx.fillStyle = '#f4f4f6';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.groups.clear();
    this.clearOverlay();
  }

  /** Fills regions from..to-1 directly (progressive drawing during a count). */
  drawRange(store: RegionStore, from: number, to: number, view: ViewBox, colouring: Colouring): void {
    const ctx = this.canvas.getContext('2d')!;
    const px = this.toPixel(view);
    for (let i = from; i < to; i++) {
      const path = new Path2D();
      this.addPolygon(path, store, i, px);
      const rgb = colouring.color(colouring.key(i));
      ctx.fillStyle = `rgb(${rgb >> 16},${(rgb >> 8) & 255},${rgb & 255})`;
      ctx.fill(path);
    }
  }

  /**
   * Whether the last drawAll darkened the cell boundaries: only when the cells on screen are
   * large enough (on average at least MIN_EDGE_CELL_PIXELS pixels each); otherwise edges would
   * cover most of the picture (with 100k regions it turns black), so the cells are drawn flat.
   */
  edgesDrawn = false;

  /** The clean picture: cells filled without seams, boundaries darkened. Returns the number of cells. */
  drawAll(store: RegionStore, view: ViewBox, colouring: Colouring, edges: boolean): number {
    const { width, height } = this.canvas;
    const px = this.toPixel(view);
    const groups = new Map<number, Path2D>();
    for (let i = 0; i < store.count; i++) {
      const k = colouring.key(i);
      let path = groups.get(k);
      if (!path) groups.set(k, (path = new Path2D()));
      this.addPolygon(path, store, i, px);
    }
    this.groups = groups;

    this.idCanvas.width = width;
    this.idCanvas.height = height;
    const idc = this.idCanvas.getContext('2d', { willReadFrequently: true })!;
    idc.fillStyle = '#000';
    idc.fillRect(0, 0, width, height);
    const palette: number[] = [0xf4f4f6]; // id 0: outside every region
    let id = 1;
    for (const [k, path] of groups) {
      const code = idCode(id);
      idc.fillStyle = `rgb(${code >> 16},${(code >> 8) & 255},${code & 255})`;
      idc.fill(path);
      palette.push(colouring.color(k));
      id++;
    }
    const raw = new Uint32Array(idc.getImageData(0, 0, width, height).data.buffer);
    const count = palette.length;
    // Resolve every pixel to a cell id. Pixels that decode to no id are anti-aliased blends:
    // between two cells they are boundary pixels; inside one cell (a float seam between two of
    // its regions, a fraction of a pixel wide) they take that cell's id.
    const ids = new Int32Array(width * height);
    for (let p = 0; p < ids.length; p++) {
      const v = raw[p]!; // little-endian RGBA: 0xAABBGGRR
      const id = idOfCode(((v & 255) << 16) | (v & 0xff00) | ((v >> 16) & 255));
      ids[p] = id < count ? id : -1;
    }
    // cells actually on screen (a zoomed view shows only some of them)
    const seen = new Uint8Array(count);
    let onScreen = 0;
    for (let p = 0; p < ids.length; p++) {
      const id = ids[p]!;
      if (id > 0 && seen[id] === 0) {
        seen[id] = 1;
        onScreen++;
      }
    }
    edges = edges && width * height >= MIN_EDGE_CELL_PIXELS * Math.max(1, onScreen);
    this.edgesDrawn = edges;
    const marked = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const p = y * width + x;
        if (ids[p] !== -1) continue;
        let found = -1;
        let mixed = false;
        for (const q of [x > 0 ? p - 1 : -1, x + 1 < width ? p + 1 : -1, y > 0 ? p - width : -1, y + 1 < height ? p + width : -1]) {
          if (q < 0) continue;
          const id = ids[q]!;
          if (id < 0) continue;
          if (found < 0) found = id;
          else if (id !== found) mixed = true;
        }
        ids[p] = found < 0 ? 0 : found;
        if (mixed || found < 0) marked[p] = 1;
      }
    }
    const image = new ImageData(width, height);
    const out = new Uint32Array(image.data.buffer);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const p = y * width + x;
        const a = ids[p]!;
        const boundary = edges && (marked[p] === 1 || (x + 1 < width && ids[p + 1] !== a) || (y + 1 < height && ids[p + width] !== a));
        const rgb = palette[a]!;
        let r = rgb >> 16, g = (rgb >> 8) & 255, b = rgb & 255;
        if (boundary) {
          r = (r * 0.35) | 0;
          g = (g * 0.35) | 0;
          b = (b * 0.35) | 0;
        }
        out[p] = 0xff000000 | (b << 16) | (g << 8) | r;
      }
    }
    this.canvas.getContext('2d')!.putImageData(image, 0, 0);
    return groups.size;
  }

  clearOverlay(): void {
    const ctx = this.overlay.getContext('2d')!;
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
  }

  /** Highlights the cell with key `key` (after drawAll) and marks labelled points. */
  drawOverlay(key: number | undefined, view: ViewBox, marks: { label: string; x: number; y: number }[]): void {
    this.clearOverlay();
    const ctx = this.overlay.getContext('2d')!;
    if (key !== undefined) {
      const path = this.groups.get(key);
      if (path) {
        ctx.fillStyle = 'rgba(255,255,255,0.5)';
        ctx.fill(path);
      }
    }
    const px = this.toPixel(view);
    const dpr = this.overlay.width / this.overlay.clientWidth || 1;
    ctx.font = `${Math.round(13 * dpr)}px system-ui, sans-serif`;
    for (const m of marks) {
      const [x, y] = px(m.x, m.y);
      ctx.beginPath();
      ctx.arc(x, y, 4 * dpr, 0, 2 * Math.PI);
      ctx.fillStyle = '#fff';
      ctx.fill();
      ctx.lineWidth = 2 * dpr;
      ctx.strokeStyle = '#111';
      ctx.stroke();
      ctx.fillStyle = '#111';
      ctx.fillText(m.label, x + 7 * dpr, y - 7 * dpr);
    }
  }
}
