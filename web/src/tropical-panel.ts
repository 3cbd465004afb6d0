/**
 * The tropical panel (2-input networks on a box): output 1 as f = F - G. Beside the region picture
 * it draws the dual subdivisions of F and G (the upper hull of each lifted Newton polygon projected
 * to the exponent plane: an edge joins two monomials whose regions share an edge), and over the
 * picture the tropical hypersurfaces (where F or G changes piece). Hovering a point highlights the
 * monomials of F and G that win there.
 *
 * The polynomials themselves are exact (the library's tropicalize); the drawing is float64: each
 * monomial's region is its half-plane intersection, clipped to a large box.
 */
import { tropicalize, type TropicalPolynomialJson } from 'linear-regions';
import type { Network } from 'linear-regions';
import type { ViewBox } from './render2d.js';

/** Beyond this many monomials the panel gives up drawing (the quadratic clipping would be slow). */
const MAX_DRAWN = 3000;
/** Half-width of the box the regions are clipped to (dual edges exist somewhere in the plane). */
const FAR = 1e6;

interface Piece {
  a: number;
  b: number;
  c: number;
}

interface Drawn {
  pieces: Piece[];
  /** Region polygons, one per monomial. */
  polygons: [number, number][][];
  /** Pairs of monomials whose regions share an edge: the edges of the dual subdivision. */
  edges: [number, number][];
  labels: string[];
}

const value = (s: string): number => {
  const [n, d] = s.split('/');
  return Number(n) / Number(d ?? '1');
};

/** The region {x : piece i >= every other piece}, clipped to [-FAR, FAR]^2, with the neighbours that cut it. */
function region(pieces: Piece[], i: number): { poly: [number, number][]; cuts: Set<number> } {
  let poly: [number, number][] = [[-FAR, -FAR], [FAR, -FAR], [FAR, FAR], [-FAR, FAR]];
  let tags: number[] = [-1, -1, -1, -1]; // tag of the edge from vertex v to v + 1
  const p = pieces[i]!;
  for (let k = 0; k < pieces.length && poly.length > 0; k++) {
    if (k === i) continue;
    const q = pieces[k]!;
    const A = p.a - q.a;
    const B = p.b - q.b;
    const C = p.c - q.c; // keep A x + B y + C >= 0
    const side = poly.map(([x, y]) => A * x + B * y + C);
    if (side.every((s) => s >= 0)) continue;
    const out: [number, number][] = [];
    const outTags: number[] = [];
    for (let v = 0; v < poly.length; v++) {
      const w = (v + 1) % poly.length;
      const sv = side[v]!;
      const sw = side[w]!;
      if (sv >= 0) {
        out.push(poly[v]!);
        outTags.push(sw >= 0 ? tags[v]! : tags[v]!);
      }
      if ((sv >= 0) !== (sw >= 0)) {
        const t = sv / (sv - sw);
        out.push([poly[v]![0] + t * (poly[w]![0] - poly[v]![0]), poly[v]![1] + t * (poly[w]![1] - poly[v]![1])]);
        outTags.push(sv >= 0 ? k : tags[v]!); // leaving: the new edge lies on piece k's line
      }
    }
    poly = out;
    tags = outTags;
  }
  const cuts = new Set<number>();
  for (let v = 0; v < poly.length; v++) {
    const w = (v + 1) % poly.length;
    const len = Math.hypot(poly[w]![0] - poly[v]![0], poly[w]![1] - poly[v]![1]);
    if (tags[v]! >= 0 && len > 1e-9) cuts.add(tags[v]!);
  }
  return { poly, cuts };
}

function prepare(p: TropicalPolynomialJson): Drawn {
  const pieces = p.monomials.map((m) => ({ a: value(m.exponent[0]!), b: value(m.exponent[1]!), c: value(m.coefficient) }));
  const polygons: [number, number][][] = [];
  const edges: [number, number][] = [];
  pieces.forEach((_, i) => {
    const { poly, cuts } = region(pieces, i);
    polygons.push(poly);
    for (const k of cuts) if (k > i) edges.push([i, k]);
  });
  const labels = p.monomials.map((m) => `${m.exponent.join(', ')} ; ${m.coefficient}`);
  return { pieces, polygons, edges, labels };
}

function winner(pieces: Piece[], x: number, y: number): number {
  let best = 0;
  let bestValue = -Infinity;
  pieces.forEach((p, i) => {
    const v = p.a * x + p.b * y + p.c;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  });
  return best;
}

const COLORS = { F: '#c0392b', G: '#1f5fbf' };

export class TropicalPanel {
  private F: Drawn | null = null;
  private G: Drawn | null = null;
  private hoverF = -1;
  private hoverG = -1;
  private runId = 0;
  private readonly status: HTMLElement;
  private readonly canvasF: HTMLCanvasElement;
  private readonly canvasG: HTMLCanvasElement;
  private readonly counts: HTMLElement;
  private readonly hoverText: HTMLElement;
  private readonly show: HTMLInputElement;

  constructor(
    root: HTMLElement,
    private readonly overlay: HTMLCanvasElement,
    private readonly onToggle: () => void,
  ) {
    root.innerHTML = `
      <h2>Tropical geometry</h2>
      <p class="note">Output 1 as f = F − G, F and G maxima of affine functions (exact).</p>
      <p class="note" data-testid="tropical-status" data-state="idle">For networks with 2 inputs.</p>
      <p class="note" data-testid="tropical-counts"></p>
      <label class="row check"><input type="checkbox" data-testid="tropical-show" checked /> <span>Draw where F (red) and G (blue) change piece</span></label>
      <div style="display: flex; gap: 8px; flex-wrap: wrap">
        <figure style="margin: 0"><canvas style="border: 1px solid #ddd; border-radius: 4px" width="220" height="220" data-testid="tropical-dual-f"></canvas><figcaption>dual subdivision of F</figcaption></figure>
        <figure style="margin: 0"><canvas style="border: 1px solid #ddd; border-radius: 4px" width="220" height="220" data-testid="tropical-dual-g"></canvas><figcaption>dual subdivision of G</figcaption></figure>
      </div>
      <p class="note" data-testid="tropical-hover"></p>`;
    this.status = root.querySelector('[data-testid="tropical-status"]')!;
    this.counts = root.querySelector('[data-testid="tropical-counts"]')!;
    this.canvasF = root.querySelector('[data-testid="tropical-dual-f"]')!;
    this.canvasG = root.querySelector('[data-testid="tropical-dual-g"]')!;
    this.hoverText = root.querySelector('[data-testid="tropical-hover"]')!;
    this.show = root.querySelector('[data-testid="tropical-show"]')!;
    this.show.addEventListener('change', () => this.onToggle());
  }

  private setStatus(state: string, text: string): void {
    this.status.dataset.state = state;
    this.status.textContent = text;
  }

  /** Recomputes for a new network (2 inputs on a box: drawn; anything else: cleared). */
  async update(network: Network, drawable: boolean): Promise<void> {
    const id = ++this.runId;
    this.F = this.G = null;
    this.hoverF = this.hoverG = -1;
    this.counts.textContent = '';
    this.hoverText.textContent = '';
    this.drawDuals();
    if (network.inputDim !== 2 || !drawable) {
      this.setStatus('idle', 'For networks with 2 inputs, counted on a box.');
      return;
    }
    this.setStatus('running', 'Computing F and G…');
    try {
      const { outputs } = await tropicalize(network, { output: 0, maxMonomials: 200_000 });
      if (id !== this.runId) return;
      const o = outputs[0]!;
      this.counts.textContent = `N(F) = ${o.F.count}, N(G) = ${o.G.count}, N(F⊙G) = ${o.FG.count}; linear regions of f on ℝ² = ${o.linearRegions}`;
      this.counts.dataset.f = String(o.F.count);
      this.counts.dataset.g = String(o.G.count);
      this.counts.dataset.fg = String(o.FG.count);
      if (o.F.count > MAX_DRAWN || o.G.count > MAX_DRAWN) {
        this.setStatus('done', `Too many monomials to draw (over ${MAX_DRAWN}).`);
        return;
      }
      this.F = prepare(o.F);
      this.G = prepare(o.G);
      this.setStatus('done', 'Exact F and G (drawn in float64).');
      this.drawDuals();
      this.onToggle();
    } catch (err) {
      if (id !== this.runId) return;
      const e = err as { message?: string; code?: string };
      this.setStatus('error', `${e.message ?? String(err)}${e.code ? ` [${e.code}]` : ''}`);
    }
  }

  /** Draws the tropical hypersurfaces of F and G over the region picture. */
  drawOverlay(view: ViewBox, like: HTMLCanvasElement): void {
    const c = this.overlay;
    if (c.width !== like.width || c.height !== like.height) {
      c.width = like.width;
      c.height = like.height;
    }
    c.style.width = like.style.width;
    c.style.height = like.style.height;
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, c.width, c.height);
    if (!this.show.checked) return;
    const sx = c.width / (view.x1 - view.x0);
    const sy = c.height / (view.y1 - view.y0);
    const dpr = c.width / (c.clientWidth || c.width);
    for (const [name, d, hi] of [['F', this.F, this.hoverF], ['G', this.G, this.hoverG]] as const) {
      if (!d) continue;
      ctx.strokeStyle = COLORS[name];
      d.polygons.forEach((poly, i) => {
        if (poly.length === 0) return;
        ctx.lineWidth = (i === hi ? 3 : 1.25) * dpr;
        ctx.setLineDash(name === 'G' ? [5 * dpr, 3 * dpr] : []);
        ctx.beginPath();
        poly.forEach(([x, y], v) => {
          const px = (x - view.x0) * sx;
          const py = (view.y1 - y) * sy;
          if (v === 0) ctx.moveTo(px, py);
          else ctx.lineTo(px, py);
        });
        ctx.closePath();
        ctx.stroke();
      });
    }
    ctx.setLineDash([]);
  }

  private drawDual(canvas: HTMLCanvasElement, d: Drawn | null, hi: number, color: string): void {
    const ctx = canvas.getContext('2d')!;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!d) return;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const p of d.pieces) {
      x0 = Math.min(x0, p.a);
      x1 = Math.max(x1, p.a);
      y0 = Math.min(y0, p.b);
      y1 = Math.max(y1, p.b);
    }
    const pad = 14;
    const span = Math.max(x1 - x0, y1 - y0) || 1;
    const s = (canvas.width - 2 * pad) / span;
    const px = (p: Piece): [number, number] => [pad + (p.a - x0) * s, canvas.height - pad - (p.b - y0) * s];
    ctx.strokeStyle = '#888';
    ctx.lineWidth = 1;
    for (const [i, k] of d.edges) {
      const [ax, ay] = px(d.pieces[i]!);
      const [bx, by] = px(d.pieces[k]!);
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
      ctx.stroke();
    }
    d.pieces.forEach((p, i) => {
      const [x, y] = px(p);
      ctx.fillStyle = i === hi ? color : '#333';
      ctx.beginPath();
      ctx.arc(x, y, i === hi ? 5 : 2, 0, 2 * Math.PI);
      ctx.fill();
    });
  }

  private drawDuals(): void {
    this.drawDual(this.canvasF, this.F, this.hoverF, COLORS.F);
    this.drawDual(this.canvasG, this.G, this.hoverG, COLORS.G);
  }

  /** Highlights the monomials of F and G that win at the domain point (x, y). */
  hover(x: number, y: number): void {
    if (!this.F || !this.G) return;
    this.hoverF = winner(this.F.pieces, x, y);
    this.hoverG = winner(this.G.pieces, x, y);
    this.hoverText.dataset.x = String(x);
    this.hoverText.dataset.y = String(y);
    this.hoverText.dataset.f = String(this.hoverF);
    this.hoverText.dataset.g = String(this.hoverG);
    this.hoverText.textContent = `winning monomials (exponent ; coefficient): F #${this.hoverF + 1} (${this.F.labels[this.hoverF]}), G #${this.hoverG + 1} (${this.G.labels[this.hoverG]})`;
    this.drawDuals();
  }
}
