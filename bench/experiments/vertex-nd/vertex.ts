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
// time; a frame holds its layer, the next unit to decide, its cell's bounding box, the map of the
// next layer's pre-activations it accumulates (a rank-1 update per unit decided on) and where its
// vertices are. All frames of layer l on the stack share the layer's map Z_l (zMap, written when a
// cell enters layer l) and the list of its units the entry cell's bounding box could not decide.
// Vertices live in one arena used as a stack: the top frame's vertices are last, so it can grow.
//
// A unit's hyperplane z(x) = a.x + c splits the cell iff some vertex has z > 0 and some z < 0; the
// new vertices are the crossings of the edges (p, n) with z(p) > 0 > z(n). Near-zero vertex values
// (|z| <= NEAR) are counted: each is a place where an exact engine could not have trusted float.
//
// Build flags (asc --use NAME=1), for the measurements in README.md:
//  FILTER        carries what a rigorous float filter needs (an error radius per vertex, an error
//                bound per map row) and counts the vertex signs it could not certify. A new vertex's
//                radius comes from the interpolation while that stays below RADIUS_REFRESH, else
//                from its d facet hyperplanes (a verified solve, Rump's residual bound): radii from
//                the interpolation alone compound along a path (README.md). Facets: the path's
//                hyperplanes on a stack, and per frame the plane of each facet bit.
//  GENERIC_INVERSE_ALWAYS  (with FILTER) Gauss-Jordan for every d, not the closed forms for 3 and 4.
//  SPLIT_BOX     also recomputes the bounding box of both cells after every split and tests it first.
//  NO_ENTRY_BOX  no bounding-box pre-test when a cell enters a layer.
//  PROFILE_*     repeat one phase's work (results kept live) for profile.js.

const NEAR: f64 = 1e-9;
const RADIUS_REFRESH: f64 = 1e-10; // FILTER: an interpolated radius above this is recomputed
const U: f64 = 1.1102230246251565e-16; // unit roundoff 2^-53

// @ts-ignore: defined by asc --use
const WITH_FILTER: bool = isDefined(FILTER);
// @ts-ignore: defined by asc --use
const BOX_AFTER_SPLIT: bool = isDefined(SPLIT_BOX);
// @ts-ignore: defined by asc --use
const BOX_AT_ENTRY: bool = !isDefined(NO_ENTRY_BOX);
// @ts-ignore: defined by asc --use (FILTER: Gauss-Jordan for every d, not the closed forms for 3 and 4)
const GENERIC_INVERSE: bool = isDefined(GENERIC_INVERSE_ALWAYS);
// @ts-ignore: defined by asc --use
const TWICE_EVAL: bool = isDefined(PROFILE_EVAL);
// @ts-ignore: defined by asc --use
const TWICE_PAIRS: bool = isDefined(PROFILE_PAIRS);
// @ts-ignore: defined by asc --use
const TWICE_COPY: bool = isDefined(PROFILE_COPY);
// @ts-ignore: defined by asc --use
const TWICE_COMPOSE: bool = isDefined(PROFILE_COMPOSE);
// @ts-ignore: defined by asc --use
const TWICE_RADIUS: bool = isDefined(PROFILE_RADIUS);
let sink: f64 = 0;
let sinkAccum: usize = 0;

// ---- network (written by JS at the pointer `reserve` returns, then `setup` reads it) ----------
// f64 words: d, H (hidden layers), widths n_1..n_H, then per hidden layer l: W_l (n_l x n_{l-1},
// row-major), b_l (n_l).
let d: i32 = 0;
let H: i32 = 0;
let widthT: usize = 0; // i32 per layer, 0..H (width 0 = d)
let weightT: usize = 0; // per layer l >= 2: W_l column-major (n_{l-1} columns of n_l rows)
let biasT: usize = 0; // per layer: pointer to its biases
let zMapT: usize = 0; // per layer: pointer to its map Z_l (n_l rows of d+1: a_0..a_{d-1}, c)
let zEpsT: usize = 0; // FILTER: per layer, per unit: eps_u >= |z_u(x) - exact z_u(x)| on [-1, 1]^d
let zNormT: usize = 0; // FILTER: per layer, per unit: sum_k |a_k| (f64), then |c| (f64)
let orderT: usize = 0; // per layer: the units the entry cell's box left undecided (i32 list)
let orderN: usize = 0; // per layer: their number (i32)

// ---- stack of frames, arena of vertices -------------------------------------------------------
const F_LAYER: usize = 0;
const F_NEXT: usize = 4; // index into the layer's order list
const F_NV: usize = 8;
const F_VERTS: usize = 12; // address of the first vertex in the arena
const F_BOX: usize = 16; // bounding box: centre (8 f64), half-widths (8 f64), max vertex radius
const F_PLANETOP: usize = 16 + 136; // FILTER: the first free entry of the plane stack
const F_HEAD: usize = 16 + 144;
let frames: usize = 0;
let frameBytes: usize = 0;
let accumBytes: usize = 0; // max n_{l+1} * (d+1) * 8
let maxFrames: i32 = 0;
let maxV: i32 = 0;
let stride: usize = 0; // bytes per vertex: d coordinates, the facet mask, (FILTER) the radius
let planes: usize = 0; // FILTER: stack of hyperplanes: a_0..a_{d-1}, c, eps
let planeStride: usize = 0;
let planeCap: i32 = 0;
let solveA: usize = 0; // FILTER: d x d scratch
let solveC: usize = 0; // FILTER: d x d scratch (the approximate inverse)
let solveW: usize = 0; // FILTER: d x d scratch (A being eliminated)
let arena: usize = 0;
let arenaEnd: usize = 0;
let sp: i32 = 0;
// the unit being decided: vertices on each side, the cell's filter bound, the new vertices' largest radius
let curPos: i32 = 0;
let curNeg: i32 = 0;
let curBound: f64 = 0;
let curNewRadius: f64 = 0;

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
let boxDecided: f64 = 0;
let filterFails: f64 = 0;
let cellBoundFails: f64 = 0;
let verifiedSolves: f64 = 0;
let lostVertices: f64 = 0;
let maxRadius: f64 = 0;
let peakVertices: i32 = 0;
let peakFrames: i32 = 0;
let peakArena: usize = 0;
let failure: i32 = 0; // 1 too many vertices, 2 too many facets (64), 3 too many frames

export function reserve(bytes: i32): usize {
  heap.reset();
  return heap.alloc(bytes as usize);
}

@inline function width(l: i32): i32 { return load<i32>(widthT + ((l as usize) << 2)); }
@inline function frameAt(i: i32): usize { return frames + (i as usize) * frameBytes; }
@inline function accumOf(f: usize): usize { return f + F_HEAD; }
@inline function accumEpsOf(f: usize): usize { return f + F_HEAD + accumBytes; }
@inline function tableOf(f: usize): usize { return f + frameBytes - 256; } // FILTER: u32 per facet bit
@inline function vertsOf(f: usize): usize { return load<u32>(f + F_VERTS) as usize; }
@inline function zMap(l: i32): usize { return load<usize>(zMapT + ((l as usize) << 2)); }
@inline function zEps(l: i32): usize { return load<usize>(zEpsT + ((l as usize) << 2)); }
@inline function zNorm(l: i32): usize { return load<usize>(zNormT + ((l as usize) << 2)); }
@inline function maskAt(v: usize): u64 { return load<u64>(v + ((d as usize) << 3)); }
@inline function radiusAt(v: usize): f64 { return load<f64>(v + (((d + 1) as usize) << 3)); }
@inline function orderAt(l: i32): usize { return load<usize>(orderT + ((l as usize) << 2)); }

/**
 * Copies 8-byte words forward (dst <= src or no overlap). Vertices are a few words: a loop here
 * beats memory.copy, which V8 runs as a call out of the WebAssembly code.
 */
@inline function copyWords(dst: usize, src: usize, bytes: usize): void {
  for (let o: usize = 0; o < bytes; o += 8) store<u64>(dst + o, load<u64>(src + o));
}

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
  zEpsT = heap.alloc(((H + 1) as usize) << 2);
  zNormT = heap.alloc(((H + 1) as usize) << 2);
  orderT = heap.alloc(((H + 1) as usize) << 2);
  orderN = heap.alloc(((H + 1) as usize) << 2);
  const D1 = d + 1;
  for (let l = 1; l <= H; l++) {
    const n = width(l);
    const m = width(l - 1);
    const z = heap.alloc(((n * D1) as usize) << 3);
    store<usize>(zMapT + ((l as usize) << 2), z);
    const ze = heap.alloc((n as usize) << 3);
    memory.fill(ze, 0, (n as usize) << 3); // layer 1's map is the weights themselves: exact
    store<usize>(zEpsT + ((l as usize) << 2), ze);
    store<usize>(zNormT + ((l as usize) << 2), heap.alloc((n as usize) << 4));
    store<usize>(orderT + ((l as usize) << 2), heap.alloc((n as usize) << 2));
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
  stride = ((D1 + (WITH_FILTER ? 1 : 0)) as usize) << 3;
  accumBytes = ((maxW * D1) as usize) << 3;
  frameBytes = F_HEAD + accumBytes + (WITH_FILTER ? ((maxW as usize) << 3) + 256 : 0);
  if (WITH_FILTER) {
    planeStride = ((d + 2) as usize) << 3;
    planeCap = 2 * d + total + 2;
    planes = heap.alloc((planeCap as usize) * planeStride);
    solveA = heap.alloc(((d * d) as usize) << 3);
    solveC = heap.alloc(((d * d) as usize) << 3);
    solveW = heap.alloc(((d * d) as usize) << 3);
  }
  maxFrames = total + 2;
  frames = heap.alloc((maxFrames as usize) * frameBytes);
  // each frame holds at most maxV vertices and leaves at most maxV unused below the next frame's
  const arenaBytes = (2 as usize) * (maxFrames as usize) * (maxV as usize) * stride;
  arena = heap.alloc(arenaBytes);
  arenaEnd = arena + arenaBytes;
  vals = heap.alloc((maxV as usize) << 3);
  posIdx = heap.alloc((maxV as usize) << 2);
  negIdx = heap.alloc((maxV as usize) << 2);
  fresh = heap.alloc((maxV as usize) * stride);
  sinkAccum = heap.alloc(accumBytes * 2);
  return 0;
}

/** Starts the accumulated map of a frame entering layer l: the biases of layer l+1 (exact). */
function initAccum(f: usize, l: i32): void {
  if (l >= H) return;
  const n = width(l + 1);
  const D1 = d + 1;
  const acc = accumOf(f);
  memory.fill(acc, 0, ((n * D1) as usize) << 3);
  const b = load<usize>(biasT + (((l + 1) as usize) << 2));
  for (let i = 0; i < n; i++) store<f64>(acc + (((i * D1 + d) as usize) << 3), load<f64>(b + ((i as usize) << 3)));
  if (WITH_FILTER) {
    // the bias is one of the terms whose sum rounds (see rankOne)
    const m = (width(l) + 2) as f64;
    const gamma = (m * U) / (1 - m * U);
    for (let i = 0; i < n; i++) store<f64>(accumEpsOf(f) + ((i as usize) << 3), gamma * abs(load<f64>(b + ((i as usize) << 3))));
  }
}

/** Unit u of layer l is on in frame f: adds W_{l+1}[:, u] x Z_l[u, :] to the frame's map. */
function contributeOn(f: usize, l: i32, u: i32): void {
  if (l >= H) return;
  if (TWICE_COMPOSE) rankOne(sinkAccum, sinkAccum + accumBytes, l, u);
  rankOne(accumOf(f), accumEpsOf(f), l, u);
  rankOneUpdates++;
}

function rankOne(acc: usize, accEps: usize, l: i32, u: i32): void {
  const n = width(l + 1);
  const D1 = d + 1;
  const z = zMap(l) + (((u * D1) as usize) << 3);
  const col = load<usize>(weightT + (((l + 1) as usize) << 2)) + (((u * n) as usize) << 3);
  let o = acc;
  for (let i = 0; i < n; i++) {
    const w = load<f64>(col + ((i as usize) << 3));
    for (let k = 0; k < D1; k++) {
      const q = o + ((k as usize) << 3);
      store<f64>(q, load<f64>(q) + w * load<f64>(z + ((k as usize) << 3)));
    }
    o += (D1 as usize) << 3;
  }
  if (WITH_FILTER) {
    // row i of the next map is b_i + sum over the units on of w_iu z_u, summed in some order of at
    // most n_l + 1 terms: on [-1, 1]^d its error is at most sum_u |w_iu| (eps_u + gamma ||z_u||_1),
    // gamma = gamma_{n_l + 1} >= the rounding of any such sum (Higham, Accuracy and Stability, 3.1)
    const m = (width(l) + 2) as f64;
    const gamma = (m * U) / (1 - m * U);
    const zn = zNorm(l) + ((u as usize) << 4);
    const term = load<f64>(zEps(l) + ((u as usize) << 3)) + gamma * (load<f64>(zn) + load<f64>(zn, 8));
    for (let i = 0; i < n; i++) {
      const q = accEps + ((i as usize) << 3);
      store<f64>(q, load<f64>(q) + abs(load<f64>(col + ((i as usize) << 3))) * term * (1 + 4 * U));
    }
  }
}

/** The frame's bounding box (and, with FILTER, its vertices' largest radius). */
function setBox(f: usize): void {
  const nv = load<i32>(f + F_NV);
  const v = vertsOf(f);
  for (let k = 0; k < d; k++) {
    let lo = load<f64>(v + ((k as usize) << 3));
    let hi = lo;
    for (let i = 1; i < nv; i++) {
      const x = load<f64>(v + (i as usize) * stride + ((k as usize) << 3));
      // (comparisons, not f64.min/max: V8 lowers those, with their NaN rules, to several instructions)
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    store<f64>(f + F_BOX + ((k as usize) << 3), 0.5 * (lo + hi));
    store<f64>(f + F_BOX + 64 + ((k as usize) << 3), 0.5 * (hi - lo));
  }
  if (WITH_FILTER) {
    let r = 0.0;
    for (let i = 0; i < nv; i++) r = max(r, radiusAt(v + (i as usize) * stride));
    store<f64>(f + F_BOX + 128, r);
  }
}

/**
 * FILTER: a bound on |z_u(x) - exact z_u(exact x)| for every float vertex x of a cell whose vertices
 * have radii <= R (exact vertices in [-1, 1]^d, so |x_k| <= 1 + R): the row's error eps_u (1 + R),
 * the move from x to the exact vertex ||a||_1 R, and the rounding of a.x + c.
 */
@inline function cellBound(l: i32, u: i32, R: f64): f64 {
  const zn = zNorm(l) + ((u as usize) << 4);
  const a1 = load<f64>(zn);
  return (load<f64>(zEps(l) + ((u as usize) << 3)) * (1 + R) + a1 * R + ((d + 2) as f64) * U * (load<f64>(zn, 8) + a1 * (1 + R) + 1e-300)) * (1 + 8 * U);
}

/** The sign unit u of layer l keeps on frame f's bounding box: 1, -1, or 0 (the box says nothing). */
function boxSign(f: usize, l: i32, u: i32): i32 {
  const D1 = d + 1;
  const z = zMap(l) + (((u * D1) as usize) << 3);
  const c = load<f64>(z + ((d as usize) << 3));
  let m = c;
  let r = 0.0;
  let size = abs(c);
  for (let k = 0; k < d; k++) {
    const a = load<f64>(z + ((k as usize) << 3));
    const mid = load<f64>(f + F_BOX + ((k as usize) << 3));
    const half = load<f64>(f + F_BOX + 64 + ((k as usize) << 3));
    m += a * mid;
    r += abs(a) * half;
    if (WITH_FILTER) size += abs(a) * (abs(mid) + half);
  }
  if (WITH_FILTER) r += cellBound(l, u, load<f64>(f + F_BOX + 128)) + 2 * ((d + 2) as f64) * U * (size + r);
  if (m - r > 0) return 1;
  if (m + r < 0) return -1;
  return 0;
}

/** Frame f enters layer l: its map, its box, and the units of l the box decides. */
function enterLayer(f: usize, l: i32): void {
  store<i32>(f + F_LAYER, l);
  store<i32>(f + F_NEXT, 0);
  initAccum(f, l);
  const n = width(l);
  const list = orderAt(l);
  let count = 0;
  if (WITH_FILTER) {
    const D1 = d + 1;
    for (let u = 0; u < n; u++) {
      const z = zMap(l) + (((u * D1) as usize) << 3);
      let a1 = 0.0;
      for (let k = 0; k < d; k++) a1 += abs(load<f64>(z + ((k as usize) << 3)));
      store<f64>(zNorm(l) + ((u as usize) << 4), a1 * (1 + ((d + 1) as f64) * U));
      store<f64>(zNorm(l) + ((u as usize) << 4), abs(load<f64>(z + ((d as usize) << 3))), 8);
    }
  }
  if (BOX_AT_ENTRY) setBox(f);
  for (let u = 0; u < n; u++) {
    const q = BOX_AT_ENTRY ? boxSign(f, l, u) : 0;
    if (q == 0) {
      store<i32>(list + ((count++ as usize) << 2), u);
    } else {
      boxDecided++;
      if (q > 0) contributeOn(f, l, u);
    }
  }
  store<i32>(orderN + ((l as usize) << 2), count);
}

/** The root cell: the box [-1, 1]^d, vertex i at x_k = bit k of i ? 1 : -1, on facet 2k + bit. */
export function start(): void {
  regions = 0; splits = 0; unitTests = 0; vertexEvals = 0; pairTests = 0; newVertices = 0;
  nearZero = 0; rankOneUpdates = 0; boxDecided = 0; frameCopies = 0; peakVertices = 0; peakFrames = 1;
  filterFails = 0; cellBoundFails = 0; verifiedSolves = 0; lostVertices = 0; maxRadius = 0; failure = 0;
  const f = frameAt(0);
  const nv = 1 << d;
  store<u32>(f + F_VERTS, arena as u32);
  const v = arena;
  for (let i = 0; i < nv; i++) {
    const p = v + (i as usize) * stride;
    let mask: u64 = 0;
    for (let k = 0; k < d; k++) {
      const bit = (i >> k) & 1;
      store<f64>(p + ((k as usize) << 3), bit ? 1.0 : -1.0);
      mask |= (1 as u64) << ((2 * k + bit) as u64);
    }
    store<u64>(p + ((d as usize) << 3), mask);
    if (WITH_FILTER) store<f64>(p + (((d + 1) as usize) << 3), 0);
  }
  store<i32>(f + F_NV, nv);
  store<f64>(f + F_BOX + 128, 0); // the box's corners are exact
  if (WITH_FILTER) {
    // facet 2k + bit: x_k = (bit ? 1 : -1), i.e. x_k - 1 = 0 or x_k + 1 = 0, exact
    memory.fill(planes, 0, ((2 * d) as usize) * planeStride);
    for (let k = 0; k < d; k++) {
      for (let bit = 0; bit < 2; bit++) {
        const q = planes + ((2 * k + bit) as usize) * planeStride;
        store<f64>(q + ((k as usize) << 3), 1);
        store<f64>(q + ((d as usize) << 3), bit ? -1.0 : 1.0);
        store<u32>(tableOf(f) + (((2 * k + bit) as usize) << 2), (2 * k + bit) as u32);
      }
    }
    store<i32>(f + F_PLANETOP, 2 * d);
  }
  peakArena = (nv as usize) * stride;
  sp = 1;
  enterLayer(f, 1);
}

/** FILTER: solveC = A^-1 by Gauss-Jordan with partial pivoting on a copy of A (solveA is kept). */
function gaussJordanInverse(n: i32): bool {
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) store<f64>(solveC + (((i * n + j) as usize) << 3), i == j ? 1.0 : 0.0);
  const W = solveW;
  memory.copy(W, solveA, ((n * n) as usize) << 3);
  for (let col = 0; col < n; col++) {
    let piv = col;
    let best = abs(load<f64>(W + (((col * n + col) as usize) << 3)));
    for (let i = col + 1; i < n; i++) {
      const x = abs(load<f64>(W + (((i * n + col) as usize) << 3)));
      if (x > best) { best = x; piv = i; }
    }
    if (best == 0) return false;
    if (piv != col) {
      for (let j = 0; j < n; j++) {
        const w1 = W + (((col * n + j) as usize) << 3);
        const w2 = W + (((piv * n + j) as usize) << 3);
        const t = load<f64>(w1); store<f64>(w1, load<f64>(w2)); store<f64>(w2, t);
        const c1 = solveC + (((col * n + j) as usize) << 3);
        const c2 = solveC + (((piv * n + j) as usize) << 3);
        const s2 = load<f64>(c1); store<f64>(c1, load<f64>(c2)); store<f64>(c2, s2);
      }
    }
    const inv = 1 / load<f64>(W + (((col * n + col) as usize) << 3));
    for (let j = 0; j < n; j++) {
      store<f64>(W + (((col * n + j) as usize) << 3), load<f64>(W + (((col * n + j) as usize) << 3)) * inv);
      store<f64>(solveC + (((col * n + j) as usize) << 3), load<f64>(solveC + (((col * n + j) as usize) << 3)) * inv);
    }
    for (let i = 0; i < n; i++) {
      if (i == col) continue;
      const m = load<f64>(W + (((i * n + col) as usize) << 3));
      if (m == 0) continue;
      for (let j = 0; j < n; j++) {
        const w = W + (((i * n + j) as usize) << 3);
        store<f64>(w, load<f64>(w) - m * load<f64>(W + (((col * n + j) as usize) << 3)));
        const c = solveC + (((i * n + j) as usize) << 3);
        store<f64>(c, load<f64>(c) - m * load<f64>(solveC + (((col * n + j) as usize) << 3)));
      }
    }
  }
  return true;
}

@inline function aAt(i: i32, j: i32): f64 { return load<f64>(solveA + (((i * d + j) as usize) << 3)); }
@inline function setC(i: i32, j: i32, x: f64): void { store<f64>(solveC + (((i * d + j) as usize) << 3), x); }

/** FILTER, d = 3: solveC = adj(A) / det(A): the columns are the rows' cross products. */
function adjugateInverse3(): bool {
  const a00 = aAt(0, 0), a01 = aAt(0, 1), a02 = aAt(0, 2);
  const a10 = aAt(1, 0), a11 = aAt(1, 1), a12 = aAt(1, 2);
  const a20 = aAt(2, 0), a21 = aAt(2, 1), a22 = aAt(2, 2);
  const c00 = a11 * a22 - a12 * a21, c10 = a12 * a20 - a10 * a22, c20 = a10 * a21 - a11 * a20; // a1 x a2
  const det = a00 * c00 + a01 * c10 + a02 * c20;
  if (det == 0) return false;
  const k = 1 / det;
  setC(0, 0, c00 * k); setC(1, 0, c10 * k); setC(2, 0, c20 * k);
  setC(0, 1, (a21 * a02 - a22 * a01) * k); setC(1, 1, (a22 * a00 - a20 * a02) * k); setC(2, 1, (a20 * a01 - a21 * a00) * k); // a2 x a0
  setC(0, 2, (a01 * a12 - a02 * a11) * k); setC(1, 2, (a02 * a10 - a00 * a12) * k); setC(2, 2, (a00 * a11 - a01 * a10) * k); // a0 x a1
  return true;
}

/** FILTER, d = 4: solveC = adj(A) / det(A) by the 2 x 2 minors of rows 0-1 and rows 2-3 (Laplace). */
function adjugateInverse4(): bool {
  const a00 = aAt(0, 0), a01 = aAt(0, 1), a02 = aAt(0, 2), a03 = aAt(0, 3);
  const a10 = aAt(1, 0), a11 = aAt(1, 1), a12 = aAt(1, 2), a13 = aAt(1, 3);
  const a20 = aAt(2, 0), a21 = aAt(2, 1), a22 = aAt(2, 2), a23 = aAt(2, 3);
  const a30 = aAt(3, 0), a31 = aAt(3, 1), a32 = aAt(3, 2), a33 = aAt(3, 3);
  const s0 = a00 * a11 - a10 * a01, s1 = a00 * a12 - a10 * a02, s2 = a00 * a13 - a10 * a03;
  const s3 = a01 * a12 - a11 * a02, s4 = a01 * a13 - a11 * a03, s5 = a02 * a13 - a12 * a03;
  const c5 = a22 * a33 - a32 * a23, c4 = a21 * a33 - a31 * a23, c3 = a21 * a32 - a31 * a22;
  const c2 = a20 * a33 - a30 * a23, c1 = a20 * a32 - a30 * a22, c0 = a20 * a31 - a30 * a21;
  const det = s0 * c5 - s1 * c4 + s2 * c3 + s3 * c2 - s4 * c1 + s5 * c0;
  if (det == 0) return false;
  const k = 1 / det;
  setC(0, 0, (a11 * c5 - a12 * c4 + a13 * c3) * k);
  setC(0, 1, (-a01 * c5 + a02 * c4 - a03 * c3) * k);
  setC(0, 2, (a31 * s5 - a32 * s4 + a33 * s3) * k);
  setC(0, 3, (-a21 * s5 + a22 * s4 - a23 * s3) * k);
  setC(1, 0, (-a10 * c5 + a12 * c2 - a13 * c1) * k);
  setC(1, 1, (a00 * c5 - a02 * c2 + a03 * c1) * k);
  setC(1, 2, (-a30 * s5 + a32 * s2 - a33 * s1) * k);
  setC(1, 3, (a20 * s5 - a22 * s2 + a23 * s1) * k);
  setC(2, 0, (a10 * c4 - a11 * c2 + a13 * c0) * k);
  setC(2, 1, (-a00 * c4 + a01 * c2 - a03 * c0) * k);
  setC(2, 2, (a30 * s4 - a31 * s2 + a33 * s0) * k);
  setC(2, 3, (-a20 * s4 + a21 * s2 - a23 * s0) * k);
  setC(3, 0, (-a10 * c3 + a11 * c1 - a12 * c0) * k);
  setC(3, 1, (a00 * c3 - a01 * c1 + a02 * c0) * k);
  setC(3, 2, (-a30 * s3 + a31 * s1 - a32 * s0) * k);
  setC(3, 3, (a20 * s3 - a21 * s1 + a22 * s0) * k);
  return true;
}

/**
 * FILTER: a rigorous bound on |x - x_exact|_inf for the float vertex x at q, whose exact vertex
 * solves A* x = -c* over its d facet hyperplanes (Rump's residual bound): with C ~ A^-1,
 *   |x_exact - x| <= ||C|| rho / (1 - ||I - C A|| - ||C|| max_i eps_i),
 * rho >= max_i |exact z_i(x)| (the float residual, the rows' errors, the residual's rounding).
 * Infinity when the bound fails (an exact engine would compute the vertex exactly).
 */
function vertexRadius(f: usize, q: usize): f64 {
  let mask = load<u64>(q + ((d as usize) << 3));
  const table = tableOf(f);
  let xmax = 0.0;
  for (let k = 0; k < d; k++) xmax = max(xmax, abs(load<f64>(q + ((k as usize) << 3))));
  let rho = 0.0;
  let epsMax = 0.0;
  for (let i = 0; i < d; i++) {
    const b = ctz<u64>(mask);
    mask &= mask - 1;
    const pl = planes + (load<u32>(table + ((b as usize) << 2)) as usize) * planeStride;
    let res = load<f64>(pl + ((d as usize) << 3));
    let size = abs(res);
    for (let k = 0; k < d; k++) {
      const a = load<f64>(pl + ((k as usize) << 3));
      store<f64>(solveA + (((i * d + k) as usize) << 3), a);
      const t = a * load<f64>(q + ((k as usize) << 3));
      res += t;
      size += abs(t);
    }
    const eps = load<f64>(pl + (((d + 1) as usize) << 3));
    epsMax = max(epsMax, eps);
    rho = max(rho, abs(res) + eps * (1 + xmax) + ((d + 2) as f64) * U * size);
  }
  // C ~ A^-1 (any approximation will do: the bound below checks it)
  const n = d;
  const ok = GENERIC_INVERSE || n > 4 || n < 3 ? gaussJordanInverse(n) : n == 3 ? adjugateInverse3() : adjugateInverse4();
  if (!ok) return Infinity;
  // ||C||_inf and ||I - C A||_inf (with the rounding of C A: gamma_{d+1} |C| |A|)
  let normC = 0.0;
  let normG = 0.0;
  const g = ((n + 1) as f64) * U / (1 - ((n + 1) as f64) * U);
  for (let i = 0; i < n; i++) {
    let rowC = 0.0;
    let rowG = 0.0;
    for (let j = 0; j < n; j++) {
      rowC += abs(load<f64>(solveC + (((i * n + j) as usize) << 3)));
      let s = i == j ? 1.0 : 0.0;
      let size = 0.0;
      for (let k = 0; k < n; k++) {
        const t = load<f64>(solveC + (((i * n + k) as usize) << 3)) * load<f64>(solveA + (((k * n + j) as usize) << 3));
        s -= t;
        size += abs(t);
      }
      rowG += abs(s) + g * (size + 1);
    }
    normC = max(normC, rowC);
    normG = max(normG, rowG);
  }
  normC *= 1 + ((n + 1) as f64) * U;
  const den = 1 - normG - normC * epsMax;
  if (!(den > 0)) return Infinity;
  return (normC * rho / den) * (1 + 16 * U);
}

/**
 * The values of unit u's hyperplane at the vertices of frame f (in `vals`), the vertices on each
 * side (posIdx, negIdx; their numbers in curPos, curNeg) and, with FILTER, the checks of their signs.
 */
function evaluate(f: usize, l: i32, u: i32): void {
  const D1 = d + 1;
  const z = zMap(l) + (((u * D1) as usize) << 3);
  const c = load<f64>(z + ((d as usize) << 3));
  const R = WITH_FILTER ? load<f64>(f + F_BOX + 128) : 0;
  const E = WITH_FILTER ? cellBound(l, u, R) : 0;
  const nv = load<i32>(f + F_NV);
  const v = vertsOf(f);
  let np = 0;
  let nn = 0;
  // the coefficients in locals, and the dot product unrolled for d = 3 and 4
  const a0 = load<f64>(z);
  const a1 = d > 1 ? load<f64>(z, 8) : 0;
  const a2 = d > 2 ? load<f64>(z, 16) : 0;
  const a3 = d > 3 ? load<f64>(z, 24) : 0;
  for (let i = 0; i < nv; i++) {
    const p = v + (i as usize) * stride;
    let s: f64;
    if (d == 3) s = c + a0 * load<f64>(p) + a1 * load<f64>(p, 8) + a2 * load<f64>(p, 16);
    else if (d == 4) s = c + a0 * load<f64>(p) + a1 * load<f64>(p, 8) + a2 * load<f64>(p, 16) + a3 * load<f64>(p, 24);
    else {
      s = c;
      for (let k = 0; k < d; k++) s += load<f64>(z + ((k as usize) << 3)) * load<f64>(p + ((k as usize) << 3));
    }
    store<f64>(vals + ((i as usize) << 3), s);
    if (abs(s) <= NEAR) nearZero++;
    if (WITH_FILTER && !(abs(s) > E)) {
      // the cell's bound is too coarse here: the vertex's own radius, then (would be) the exact sign
      cellBoundFails++;
      if (!(abs(s) > cellBound(l, u, radiusAt(p)))) filterFails++;
    }
    // branch-free: the signs of a cell's vertices are what a branch predictor cannot guess
    store<i32>(posIdx + ((np as usize) << 2), i);
    store<i32>(negIdx + ((nn as usize) << 2), i);
    const pos = <i32>(s > 0);
    np += pos;
    nn += 1 - pos;
  }
  if (TWICE_EVAL) {
    let q = 0;
    for (let i = 0; i < nv; i++) {
      const p = v + (i as usize) * stride;
      let s = c;
      for (let k = 0; k < d; k++) s += load<f64>(z + ((k as usize) << 3)) * load<f64>(p + ((k as usize) << 3));
      store<f64>(vals + ((i as usize) << 3), s);
      if (s > 0) q++;
    }
    sink += q;
  }
  unitTests++;
  vertexEvals += nv;
  curPos = np;
  curNeg = nn;
  curBound = E;
}

/**
 * Unit u's hyperplane splits frame f (evaluate ran): it becomes a facet, and the crossings of the
 * cell's edges with it are written to `fresh`. Returns their number, -1 on failure.
 */
function crossings(f: usize, l: i32, u: i32): i32 {
  const D1 = d + 1;
  const z = zMap(l) + (((u * D1) as usize) << 3);
  const R = WITH_FILTER ? load<f64>(f + F_BOX + 128) : 0;
  const E = curBound;
  const nv = load<i32>(f + F_NV);
  const v = vertsOf(f);
  const np = curPos;
  const nn = curNeg;
  // the new facet's bit: the lowest one no vertex of the cell lies on
  let used: u64 = 0;
  for (let i = 0; i < nv; i++) used |= maskAt(v + (i as usize) * stride);
  if (used == <u64>-1) { failure = 2; return -1; }
  const bit: u64 = (1 as u64) << ctz<u64>(~used);
  if (WITH_FILTER) {
    // the unit's hyperplane becomes facet `bit` of both sides
    const top = load<i32>(f + F_PLANETOP);
    if (top >= planeCap) { failure = 3; return -1; }
    const q = planes + (top as usize) * planeStride;
    memory.copy(q, z, ((d + 1) as usize) << 3);
    store<f64>(q + (((d + 1) as usize) << 3), load<f64>(zEps(l) + ((u as usize) << 3)));
    store<u32>(tableOf(f) + ((ctz<u64>(bit) as usize) << 2), top as u32);
    store<i32>(f + F_PLANETOP, top + 1);
  }

  // new vertices: crossings of the edges (p, n), i.e. pairs sharing d-1 facets
  let nf = 0;
  let newR = R;
  const need = (d - 1) as u64;
  if (TWICE_PAIRS) {
    let q = 0;
    for (let a = 0; a < np; a++) {
      const ma = maskAt(v + (load<i32>(posIdx + ((a as usize) << 2)) as usize) * stride);
      for (let b = 0; b < nn; b++) {
        if (popcnt<u64>(ma & maskAt(v + (load<i32>(negIdx + ((b as usize) << 2)) as usize) * stride)) == need) q++;
      }
    }
    sink += q;
  }
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
      if (nf >= maxV) { failure = 1; return -1; }
      const vb = load<f64>(vals + ((ib as usize) << 3));
      const t = va / (va - vb);
      const q = fresh + (nf++ as usize) * stride;
      let spread = 0.0;
      let size = 0.0;
      for (let k = 0; k < d; k++) {
        const xa = load<f64>(pa + ((k as usize) << 3));
        const xb = load<f64>(pb + ((k as usize) << 3));
        store<f64>(q + ((k as usize) << 3), xa + t * (xb - xa));
        if (WITH_FILTER) {
          spread = max(spread, abs(xb - xa));
          size = max(size, abs(xa) + abs(xb));
        }
      }
      store<u64>(q + ((d as usize) << 3), common | bit);
      if (WITH_FILTER) {
        // first the radius the interpolation inherits: t = va / (va - vb) grows with va and with
        // vb, so the exact t lies between its values at the corners of [va +- Ea] x [vb +- Eb], and
        // the exact vertex is within max(ra, rb) + |dt| (|xb - xa| + ra + rb) (+ rounding) of x.
        // Such radii compound along a path (each generation at least doubles them), so past
        // RADIUS_REFRESH the vertex's radius is recomputed from its facets (vertexRadius).
        const ra = radiusAt(pa);
        const rb = radiusAt(pb);
        const ea = cellBound(l, u, ra);
        const eb = cellBound(l, u, rb);
        let r: f64 = Infinity;
        if (va - ea > 0 && vb + eb < 0) {
          const tLo = (va - ea) / ((va - ea) - (vb - eb));
          const tHi = (va + ea) / ((va + ea) - (vb + eb));
          const dt = max(tHi - t, t - tLo) + 4 * U;
          r = (max(ra, rb) + dt * (spread + ra + rb) + 4 * U * size) * (1 + 16 * U);
        }
        if (!(r <= RADIUS_REFRESH)) {
          r = vertexRadius(f, q);
          if (TWICE_RADIUS) sink += vertexRadius(f, q);
          verifiedSolves++;
        }
        if (r == Infinity) {
          lostVertices++; // (an exact engine computes this vertex exactly)
        } else if (r > maxRadius) maxRadius = r;
        if (r > newR) newR = r;
        store<f64>(q + (((d + 1) as usize) << 3), r);
      }
    }
  }
  pairTests += (np * nn) as f64;
  newVertices += nf;
  curNewRadius = newR;
  return nf;
}

/** Frame f splits into f (the off side, in place) and a new frame (the on side) on top of it. */
function divide(f: usize, l: i32, u: i32, nf: i32): bool {
  const D1 = d + 1;
  const z = zMap(l) + (((u * D1) as usize) << 3);
  const R = WITH_FILTER ? load<f64>(f + F_BOX + 128) : 0;
  const E = curBound;
  const nv = load<i32>(f + F_NV);
  const v = vertsOf(f);
  const np = curPos;
  const nn = curNeg;
  const newR = curNewRadius;
  if (np + nf > maxV || nn + nf > maxV) { failure = 1; return false; }
  if (sp >= maxFrames) { failure = 3; return false; }
  splits++;

  // the on side: a new frame above f's vertices (f may grow to nn + nf), with the positive
  // vertices and the new ones
  const gv = v + (max(nv, nn + nf) as usize) * stride;
  if (gv + ((np + nf) as usize) * stride > arenaEnd) { failure = 1; return false; }
  const g = frameAt(sp++);
  if (sp > peakFrames) peakFrames = sp;
  store<u32>(g + F_LAYER, load<u32>(f + F_LAYER));
  store<u32>(g + F_VERTS, gv as u32);
  if (WITH_FILTER) {
    store<f64>(g + F_BOX + 128, newR);
    store<f64>(f + F_BOX + 128, newR);
    store<i32>(g + F_PLANETOP, load<i32>(f + F_PLANETOP));
    memory.copy(tableOf(g), tableOf(f), 256);
  }
  if (l < H) {
    memory.copy(accumOf(g), accumOf(f), ((width(l + 1) * D1) as usize) << 3);
    if (WITH_FILTER) memory.copy(accumEpsOf(g), accumEpsOf(f), (width(l + 1) as usize) << 3);
  }
  frameCopies++;
  if (TWICE_COPY) {
    for (let a = 0; a < np; a++) {
      copyWords(gv + (a as usize) * stride, v + (load<i32>(posIdx + ((a as usize) << 2)) as usize) * stride, stride);
    }
    if (l < H) memory.copy(accumOf(g), accumOf(f), ((width(l + 1) * D1) as usize) << 3);
  }
  for (let a = 0; a < np; a++) {
    copyWords(gv + (a as usize) * stride, v + (load<i32>(posIdx + ((a as usize) << 2)) as usize) * stride, stride);
  }
  copyWords(gv + (np as usize) * stride, fresh, (nf as usize) * stride);
  store<i32>(g + F_NV, np + nf);
  contributeOn(g, l, u);

  // the off side, in place: the negative vertices (in order, so the copy never overtakes) and the new ones
  for (let b = 0; b < nn; b++) {
    const ib = load<i32>(negIdx + ((b as usize) << 2));
    if (ib != b) copyWords(v + (b as usize) * stride, v + (ib as usize) * stride, stride);
  }
  copyWords(v + (nn as usize) * stride, fresh, (nf as usize) * stride);
  store<i32>(f + F_NV, nn + nf);
  if (BOX_AFTER_SPLIT) {
    setBox(f);
    setBox(g);
  }
  const top = max(np, nn) + nf;
  if (top > peakVertices) peakVertices = top;
  const used2 = gv + ((np + nf) as usize) * stride - arena;
  if (used2 > peakArena) peakArena = used2;
  return true;
}

/**
 * Decides unit u of layer l on the top frame f. Returns true when it split the cell: the pushed
 * frame is the side where the unit is on, f keeps the side where it is off. (Three functions, so a
 * build without inlining can be profiled by function: profile.js --functions.)
 */
function decide(f: usize, l: i32, u: i32): bool {
  if (BOX_AFTER_SPLIT) {
    const q = boxSign(f, l, u);
    if (q != 0) {
      boxDecided++;
      if (q > 0) contributeOn(f, l, u);
      return false;
    }
  }
  evaluate(f, l, u);
  if (curNeg == 0) {
    contributeOn(f, l, u);
    return false;
  }
  if (curPos == 0) return false;
  const nf = crossings(f, l, u);
  if (nf < 0) return false;
  return divide(f, l, u, nf);
}

/** Runs the traversal to the end. Returns 0, or the failure code (see `failure`). */
export function run(): i32 {
  const D1 = d + 1;
  while (sp > 0) {
    const f = frameAt(sp - 1);
    let l = load<i32>(f + F_LAYER);
    while (true) {
      const idx = load<i32>(f + F_NEXT);
      if (idx == load<i32>(orderN + ((l as usize) << 2))) {
        if (l == H) {
          regions++;
          sp--;
          break;
        }
        memory.copy(zMap(l + 1), accumOf(f), ((width(l + 1) * D1) as usize) << 3);
        if (WITH_FILTER) memory.copy(zEps(l + 1), accumEpsOf(f), (width(l + 1) as usize) << 3);
        enterLayer(f, l + 1);
        l++;
        continue;
      }
      store<i32>(f + F_NEXT, idx + 1);
      const split = decide(f, l, load<i32>(orderAt(l) + ((idx as usize) << 2)));
      if (failure != 0) return failure;
      if (split) {
        store<i32>(frameAt(sp - 1) + F_NEXT, idx + 1);
        break; // the pushed frame (the on side) goes first
      }
    }
  }
  return 0;
}

export function count(): f64 { return regions; }
/** Counter i: 0 splits, 1 units tested on the vertices, 2 vertex evaluations, 3 pair tests,
 * 4 new vertices, 5 near-zero values, 6 rank-1 updates, 7 frame copies, 8 peak vertices,
 * 9 peak frames, 10 units decided by a bounding box, 11 vertex signs the filter could not
 * certify, 12 new vertices without a finite radius, 13 largest finite radius, 14 peak arena bytes,
 * 15 vertex signs the cell's bound could not certify (then tried with the vertex's radius),
 * 16 vertex radii recomputed from the facets. */
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
    case 10: return boxDecided;
    case 11: return filterFails;
    case 12: return lostVertices;
    case 13: return maxRadius;
    case 14: return peakArena as f64;
    case 15: return cellBoundFails;
    case 16: return verifiedSolves;
    case 17: return sink;
  }
  return -1;
}
