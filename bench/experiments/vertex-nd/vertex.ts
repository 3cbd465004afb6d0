// PROTOTYPE (float64 only, general position assumed): counts the activation regions of a ReLU
// network on the box [-1, 1]^d with cells carried as their vertices, to measure what a vertex
// representation would cost in the n-D engine. Not exact, not a product: see README.md here.
//
// A cell is a simple d-polytope given by its vertices; each vertex carries its coordinates and a
// bitmask of the facets it lies on (exactly d bits). Two vertices span an edge iff they share d-1
// facets (in a simple polytope the d-1 facet hyperplanes meet in a line whose intersection with
// the polytope is that edge). Facet bits are local to a path: a split takes the lowest bit no vertex
// of the cell uses, so a cell needs fewer than 64 facets, not a path fewer than 64 splits.
//
// Traversal as the real engines (assembly/traverse.ts): depth-first stack of frames, one unit at a
// time; a frame holds its cell, its layer, the next unit to decide and the map of the next layer's
// pre-activations it accumulates (a rank-1 update per unit decided on). All frames of layer l on
// the stack share the layer's map Z_l (zMap), written when a cell enters layer l.
//
// A unit's hyperplane z(x) = a.x + c splits the cell iff some vertex has z > 0 and some z < 0; the
// new vertices are the crossings of the edges (p, n) with z(p) > 0 > z(n). Near-zero vertex values
// (|z| <= NEAR) are counted: each is a place where an exact engine could not have trusted float.

const NEAR: f64 = 1e-9;

// ---- network (written by JS at the pointer `reserve` returns, then `setup` reads it) ----------
// f64 words: d, H (hidden layers), widths n_1..n_H, then per hidden layer l: W_l (n_l x n_{l-1},
// row-major), b_l (n_l).
let d: i32 = 0;
let H: i32 = 0;
let widthT: usize = 0; // i32 per layer, 0..H (width 0 = d)
let weightT: usize = 0; // per layer l >= 2: W_l column-major (n_{l-1} columns of n_l rows)
let biasT: usize = 0; // per layer: pointer to its biases
let zMapT: usize = 0; // per layer: pointer to its map Z_l (n_l rows of d+1: a_0..a_{d-1}, c)

// ---- stack of frames --------------------------------------------------------------------------
const F_LAYER: usize = 0;
const F_NEXT: usize = 4;
const F_NV: usize = 8;
const F_HEAD: usize = 16;
let frames: usize = 0;
let frameBytes: usize = 0;
let accumBytes: usize = 0; // max n_{l+1} * (d+1) * 8
let maxFrames: i32 = 0;
let maxV: i32 = 0;
let stride: usize = 0; // bytes per vertex: d coordinates + the facet mask
let sp: i32 = 0;

// ---- scratch ----------------------------------------------------------------------------------
let vals: usize = 0; // f64 per vertex
let posIdx: usize = 0; // i32
let negIdx: usize = 0; // i32
let fresh: usize = 0; // new vertices of a split

// ---- counters (f64 so JS reads them as numbers) -------------------------------------------------
let regions: f64 = 0;
let splits: f64 = 0;
let unitTests: f64 = 0;
let vertexEvals: f64 = 0;
let pairTests: f64 = 0;
let newVertices: f64 = 0;
let nearZero: f64 = 0;
let rankOneUpdates: f64 = 0;
let frameCopies: f64 = 0;
let peakVertices: i32 = 0;
let peakFrames: i32 = 0;
let failure: i32 = 0; // 1 too many vertices, 2 too many facets (64), 3 too many frames

export function reserve(bytes: i32): usize {
  heap.reset();
  return heap.alloc(bytes as usize);
}

@inline function width(l: i32): i32 { return load<i32>(widthT + ((l as usize) << 2)); }
@inline function frameAt(i: i32): usize { return frames + (i as usize) * frameBytes; }
@inline function accumOf(f: usize): usize { return f + F_HEAD; }
@inline function vertsOf(f: usize): usize { return f + F_HEAD + accumBytes; }
@inline function zMap(l: i32): usize { return load<usize>(zMapT + ((l as usize) << 2)); }
@inline function maskAt(v: usize): u64 { return load<u64>(v + ((d as usize) << 3)); }

/** Reads the network at p; vertexCap vertices per cell. Returns 0, or 1 when d is not 1..8. */
export function setup(p: usize, vertexCap: i32): i32 {
  d = load<f64>(p) as i32;
  H = load<f64>(p, 8) as i32;
  if (d < 1 || d > 8) return 1;
  p += 16;
  widthT = heap.alloc(((H + 1) as usize) << 2);
  store<i32>(widthT, d);
  let maxW = 0;
  let total = 0;
  for (let l = 1; l <= H; l++) {
    const n = load<f64>(p) as i32;
    store<i32>(widthT + ((l as usize) << 2), n);
    maxW = max(maxW, n);
    total += n;
    p += 8;
  }
  weightT = heap.alloc(((H + 1) as usize) << 2);
  biasT = heap.alloc(((H + 1) as usize) << 2);
  zMapT = heap.alloc(((H + 1) as usize) << 2);
  const D1 = d + 1;
  for (let l = 1; l <= H; l++) {
    const n = width(l);
    const m = width(l - 1);
    const z = heap.alloc(((n * D1) as usize) << 3);
    store<usize>(zMapT + ((l as usize) << 2), z);
    const w = heap.alloc(((n * m) as usize) << 3);
    store<usize>(weightT + ((l as usize) << 2), w);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const x = load<f64>(p + (((i * m + j) as usize) << 3));
        store<f64>(w + (((j * n + i) as usize) << 3), x); // column-major
        if (l == 1) store<f64>(z + (((i * D1 + j) as usize) << 3), x);
      }
    }
    p += ((n * m) as usize) << 3;
    const b = heap.alloc((n as usize) << 3);
    store<usize>(biasT + ((l as usize) << 2), b);
    memory.copy(b, p, (n as usize) << 3);
    if (l == 1) for (let i = 0; i < n; i++) store<f64>(z + (((i * D1 + d) as usize) << 3), load<f64>(b + ((i as usize) << 3)));
    p += (n as usize) << 3;
  }
  maxV = vertexCap;
  stride = (D1 as usize) << 3;
  accumBytes = ((maxW * D1) as usize) << 3;
  frameBytes = F_HEAD + accumBytes + (maxV as usize) * stride;
  maxFrames = total + 2;
  frames = heap.alloc((maxFrames as usize) * frameBytes);
  vals = heap.alloc((maxV as usize) << 3);
  posIdx = heap.alloc((maxV as usize) << 2);
  negIdx = heap.alloc((maxV as usize) << 2);
  fresh = heap.alloc((maxV as usize) * stride);
  return 0;
}

/** Starts the accumulated map of a frame entering layer l: the biases of layer l+1. */
function initAccum(f: usize, l: i32): void {
  if (l >= H) return;
  const n = width(l + 1);
  const D1 = d + 1;
  const acc = accumOf(f);
  memory.fill(acc, 0, ((n * D1) as usize) << 3);
  const b = load<usize>(biasT + (((l + 1) as usize) << 2));
  for (let i = 0; i < n; i++) store<f64>(acc + (((i * D1 + d) as usize) << 3), load<f64>(b + ((i as usize) << 3)));
}

/** Unit u of layer l is on in frame f: adds W_{l+1}[:, u] x Z_l[u, :] to the frame's map. */
function contributeOn(f: usize, l: i32, u: i32): void {
  if (l >= H) return;
  const n = width(l + 1);
  const D1 = d + 1;
  const z = zMap(l) + (((u * D1) as usize) << 3);
  const col = load<usize>(weightT + (((l + 1) as usize) << 2)) + (((u * n) as usize) << 3);
  let o = accumOf(f);
  for (let i = 0; i < n; i++) {
    const w = load<f64>(col + ((i as usize) << 3));
    for (let k = 0; k < D1; k++) {
      const q = o + ((k as usize) << 3);
      store<f64>(q, load<f64>(q) + w * load<f64>(z + ((k as usize) << 3)));
    }
    o += (D1 as usize) << 3;
  }
  rankOneUpdates++;
}

/** The root cell: the box [-1, 1]^d, vertex i at x_k = bit k of i ? 1 : -1, on facet 2k + bit. */
export function start(): void {
  regions = 0; splits = 0; unitTests = 0; vertexEvals = 0; pairTests = 0; newVertices = 0;
  nearZero = 0; rankOneUpdates = 0; frameCopies = 0; peakVertices = 0; peakFrames = 1; failure = 0;
  const f = frameAt(0);
  const nv = 1 << d;
  const v = vertsOf(f);
  for (let i = 0; i < nv; i++) {
    const p = v + (i as usize) * stride;
    let mask: u64 = 0;
    for (let k = 0; k < d; k++) {
      const bit = (i >> k) & 1;
      store<f64>(p + ((k as usize) << 3), bit ? 1.0 : -1.0);
      mask |= (1 as u64) << ((2 * k + bit) as u64);
    }
    store<u64>(p + ((d as usize) << 3), mask);
  }
  store<i32>(f + F_LAYER, 1);
  store<i32>(f + F_NEXT, 0);
  store<i32>(f + F_NV, nv);
  initAccum(f, 1);
  sp = 1;
}

/**
 * Decides unit u of layer l on the top frame f. Returns true when it split the cell: the pushed
 * frame is the side where the unit is on, f keeps the side where it is off.
 */
function decide(f: usize, l: i32, u: i32): bool {
  const D1 = d + 1;
  const z = zMap(l) + (((u * D1) as usize) << 3);
  const c = load<f64>(z + ((d as usize) << 3));
  const nv = load<i32>(f + F_NV);
  const v = vertsOf(f);
  let np = 0;
  let nn = 0;
  for (let i = 0; i < nv; i++) {
    const p = v + (i as usize) * stride;
    let s = c;
    for (let k = 0; k < d; k++) s += load<f64>(z + ((k as usize) << 3)) * load<f64>(p + ((k as usize) << 3));
    store<f64>(vals + ((i as usize) << 3), s);
    if (abs(s) <= NEAR) nearZero++;
    if (s > 0) store<i32>(posIdx + ((np++ as usize) << 2), i);
    else store<i32>(negIdx + ((nn++ as usize) << 2), i);
  }
  unitTests++;
  vertexEvals += nv;
  if (nn == 0) {
    contributeOn(f, l, u);
    return false;
  }
  if (np == 0) return false;

  // the new facet's bit: the lowest one no vertex of the cell lies on
  let used: u64 = 0;
  for (let i = 0; i < nv; i++) used |= maskAt(v + (i as usize) * stride);
  if (used == <u64>-1) { failure = 2; return false; }
  const bit: u64 = (1 as u64) << ctz<u64>(~used);

  // new vertices: crossings of the edges (p, n), i.e. pairs sharing d-1 facets
  let nf = 0;
  const need = (d - 1) as u64;
  for (let a = 0; a < np; a++) {
    const ia = load<i32>(posIdx + ((a as usize) << 2));
    const pa = v + (ia as usize) * stride;
    const ma = maskAt(pa);
    const va = load<f64>(vals + ((ia as usize) << 3));
    for (let b = 0; b < nn; b++) {
      const ib = load<i32>(negIdx + ((b as usize) << 2));
      const pb = v + (ib as usize) * stride;
      const common = ma & maskAt(pb);
      if (popcnt<u64>(common) != need) continue;
      if (nf >= maxV) { failure = 1; return false; }
      const t = va / (va - load<f64>(vals + ((ib as usize) << 3)));
      const q = fresh + (nf++ as usize) * stride;
      for (let k = 0; k < d; k++) {
        const xa = load<f64>(pa + ((k as usize) << 3));
        store<f64>(q + ((k as usize) << 3), xa + t * (load<f64>(pb + ((k as usize) << 3)) - xa));
      }
      store<u64>(q + ((d as usize) << 3), common | bit);
    }
  }
  pairTests += (np * nn) as f64;
  newVertices += nf;
  if (np + nf > maxV || nn + nf > maxV) { failure = 1; return false; }
  if (sp >= maxFrames) { failure = 3; return false; }
  splits++;

  // the on side: a new frame with the positive vertices and the new ones
  const g = frameAt(sp++);
  if (sp > peakFrames) peakFrames = sp;
  memory.copy(g, f, 8);
  if (l < H) memory.copy(accumOf(g), accumOf(f), ((width(l + 1) * D1) as usize) << 3);
  frameCopies++;
  const gv = vertsOf(g);
  for (let a = 0; a < np; a++) {
    memory.copy(gv + (a as usize) * stride, v + (load<i32>(posIdx + ((a as usize) << 2)) as usize) * stride, stride);
  }
  memory.copy(gv + (np as usize) * stride, fresh, (nf as usize) * stride);
  store<i32>(g + F_NV, np + nf);
  contributeOn(g, l, u);

  // the off side, in place: the negative vertices (in order, so the copy never overtakes) and the new ones
  for (let b = 0; b < nn; b++) {
    const ib = load<i32>(negIdx + ((b as usize) << 2));
    if (ib != b) memory.copy(v + (b as usize) * stride, v + (ib as usize) * stride, stride);
  }
  memory.copy(v + (nn as usize) * stride, fresh, (nf as usize) * stride);
  store<i32>(f + F_NV, nn + nf);
  const top = max(np, nn) + nf;
  if (top > peakVertices) peakVertices = top;
  return true;
}

/** Runs the traversal to the end. Returns 0, or the failure code (see `failure`). */
export function run(): i32 {
  const D1 = d + 1;
  while (sp > 0) {
    const f = frameAt(sp - 1);
    let l = load<i32>(f + F_LAYER);
    while (true) {
      const u = load<i32>(f + F_NEXT);
      if (u == width(l)) {
        if (l == H) {
          regions++;
          sp--;
          break;
        }
        memory.copy(zMap(l + 1), accumOf(f), ((width(l + 1) * D1) as usize) << 3);
        l++;
        store<i32>(f + F_LAYER, l);
        store<i32>(f + F_NEXT, 0);
        initAccum(f, l);
        continue;
      }
      store<i32>(f + F_NEXT, u + 1);
      const split = decide(f, l, u);
      if (failure != 0) return failure;
      if (split) {
        const g = frameAt(sp - 1);
        store<i32>(g + F_NEXT, u + 1);
        break; // the pushed frame (the on side) goes first
      }
    }
  }
  return 0;
}

export function count(): f64 { return regions; }
/** Counter i: 0 splits, 1 unit tests, 2 vertex evaluations, 3 pair tests, 4 new vertices,
 * 5 near-zero values, 6 rank-1 updates, 7 frame copies, 8 peak vertices, 9 peak frames. */
export function counter(i: i32): f64 {
  switch (i) {
    case 0: return splits;
    case 1: return unitTests;
    case 2: return vertexEvals;
    case 3: return pairTests;
    case 4: return newVertices;
    case 5: return nearZero;
    case 6: return rankOneUpdates;
    case 7: return frameCopies;
    case 8: return peakVertices as f64;
    case 9: return peakFrames as f64;
  }
  return -1;
}
