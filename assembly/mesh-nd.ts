// The shared-vertex mesh: activation and linear regions of a box in 5 or 6 dimensions, counted
// on the whole cell complex at once instead of cell by cell (docs/mesh-engine.md). Below 5-D the
// cell engine's vertex cells are faster, above 6-D its H-cells (measured: bench/experiments/mesh-nd).
//
// The complex is kept as its vertices and edges. Each vertex carries
//  - its sign vector over every "surface" inserted so far (the box's 2 D sides, then every unit):
//    a zero mask (the surfaces it lies on) and a positive mask (box sides: strictly inside);
//  - its float coordinates x~ and a radius r with |x~ - x*|_inf <= r, x* the exact vertex;
//  - the current layer's pre-activations z~ there and one bound eps with |z~_i - z_i(x*)| <= eps
//    for every unit i of the layer.
// A unit's pre-activation is affine along every edge of the complex (an edge lies in one cell of
// the layers below), so a crossing's coordinates and values are interpolated from its edge's ends;
// the next layer's values come from this layer's by the weights.
//
// A unit k is inserted by:
//  1. its certified sign at every vertex (|z~_k| > eps);
//  2. a new vertex on every edge whose ends have opposite signs;
//  3. a new edge in every 2-face cut: the 2-faces through an edge are the faces whose sign
//     vector is the edge's with one zero entry made + or - (a box side: + only), so the two
//     crossings of a 2-face meet in a hash table keyed by that sign vector;
//  4. one more region per cell cut. A cut cell's section is a polytope whose vertices are the new
//     vertices in the cell and whose edges are the new edges in its 2-faces; each section has
//     exactly one vertex lower than all its neighbours along a fixed generic direction phi (a
//     linear function on a polytope, non-constant on every edge, has one minimum, and a local
//     minimum is the minimum). A new vertex is that minimum for the cells around it whose
//     section edges at the vertex (one per zero entry of its edge, on the cell's side of it) all
//     go up: a product over the zero entries, with no table of cells.
// All of this is exact as long as the unit's hyperplane misses every vertex of every cell: then a
// cell's cut is the polytope whose vertices are the crossings of the cell's edges and whose edges
// are the cuts of the cell's 2-faces (Ziegler, Lectures on Polytopes, 2.4), and by induction every
// i-face lies on exactly D - i surfaces. The certified signs are exactly that condition.
//
// Error bounds. A crossing w on the edge (a, c), t~ = z~_k(a) / (z~_k(a) - z~_k(c)):
//   y(w*) - y~(w) = (1 - t*)(y(a*) - y~(a)) + t*(y(c*) - y~(c)) + (t* - t~)(y~(c) - y~(a)) - rounding
// for each coordinate and value y, and |t* - t~| <= (eps_a + eps_c) / (|z~_k(a)| + |z~_k(c)| - eps_a
// - eps_c) + the rounding of t~ (t = A / (A + B) moves by at most 1 / (A + B) per unit of A or B).
// These bounds grow by a factor of two or more per generation of crossings, so a vertex whose bound
// passes TAU, or whose sign a bound leaves open, is sharpened: its D surfaces' rows in one cell
// around it (composed along that cell's pattern, with their rounding bounds), one Newton step, the
// radius by Rump's residual bound (|x~ - x*| <= || |C| rho || / (1 - ||I - C A*||), C an
// approximate inverse), and its values recomputed from x~ along the same pattern. A vertex that
// cannot be sharpened (a near-singular system, a product that may have underflowed) or a sign still
// open stops the mesh, and the count runs on the cell engine (traverse-nd.ts) instead.
import { alloc, allocRaw, memoryFailed, memoryTop } from './memory';
import { gamma, inflate, maxNonNeg, U, underflow } from './float';
import {
  ACT_ABS, ACT_LEAKY, ACT_LINEAR, ACT_MAXOUT, L, act, alpha, bias, cols, decisionLabels, rows, totalUnits, unitOffset,
  units, weights,
} from './network';
import { D } from './rows-nd';
import { identityGap, isBoxDomain } from './vertex-nd';

export const MESH_DONE = 0;
export const MESH_MORE = 1;
export const MESH_FAIL = 2;

/** The mesh counts this run (set by meshSetup; cleared when it gives the count to the cell engine). */
export let meshOn = false;
export let meshRegions: f64 = 0;
/**
 * Why the last mesh stopped: 0 it did not, 1 a sign, 2 a face without its pair (or an edge slot
 * taken twice), 3 memory, 4 a comparison along phi, 5 a gain (linear regions) not decided.
 */
export let meshFailure = 0;
/** Vertices and edges of the complex, vertices sharpened (statistics). */
export let meshVertices = 0;
export let meshEdges = 0;
export let meshSharpened: f64 = 0;
/**
 * The largest domain dimension the mesh counts: in 7-D and 8-D it measured 0.19-0.77x the cell
 * engine (a cell there has many vertices per region: 7-8-8-1, 8-8-8-1, 7-10-10-1).
 */
export let meshMaxDim = 6;
export function setMeshMaxDim(d: i32): void { meshMaxDim = d; }
/** The smallest domain dimension the mesh counts (measured: the cell engine's vertex cells win below). */
export let meshMinDim = 5;
export function setMeshMinDim(d: i32): void { meshMinDim = d; }
/** Signs by the float value alone: the prototype's measurement switch (not exact; not exported by the engine). */
export let floatOnly = false;
export function meshFloatOnly(on: i32): void { floatOnly = on != 0; }

/**
 * A bound past this sends the vertex to be sharpened (measured on 5-12-12-1 and 6-8-8-8-1 between
 * 1e-9 and 1e-1: 1e-3 sharpens 5 to 20 times fewer vertices than 1e-9 and was fastest).
 */
let TAU: f64 = 1e-3;
export function setMeshTau(t: f64): void { TAU = t; }
/** A product of non-zero floats below this may have underflowed. */
const TINY: f64 = 9.332636185032189e-302; // 2^-1000
/**
 * The mesh's memory, at most (its vertices, edges and tables: about 150 bytes per vertex and 30
 * per edge in 6-D, plus what growing by doubling leaves behind): past it the count goes to the
 * cell engine, whose memory stays flat.
 */
const MESH_MEMORY: usize = 512 << 20;
let meshBase: usize = 0; // memoryTop() when the mesh started

/** Whether `bytes` more keep the mesh within MESH_MEMORY. */
@inline function roomFor(bytes: usize): bool {
  return memoryTop() + bytes - meshBase <= MESH_MEMORY;
}

let W = 0; // u64 words per mask
let NMAX = 0; // widest layer
let vCount = 0;
let vCap = 0;
let eCount = 0;
let eCap = 0;
let posW: usize = 0; // W columns of vCap u64
let zeroW: usize = 0;
let hashP: usize = 0; // u64 per vertex: hash of the positive mask
let hashZ: usize = 0; // u64 per vertex: hash of the zero mask
let epsT: usize = 0; // f64 per vertex
let radT: usize = 0; // f64 per vertex
let zCol: usize = 0; // NMAX columns of vCap f64
let xCol: usize = 0; // D columns of vCap f64
let sgn: usize = 0; // u8 per vertex: 1 positive for the unit being inserted
let edgeA: usize = 0; // i32 per edge
let edgeB: usize = 0;
let randP: usize = 0; // u64 per surface bit
let randZ: usize = 0;
let perLayerT: usize = 0;
let unitLayerT: usize = 0; // i32 per unit: its layer
let lipT: usize = 0; // f64 per layer: max_i |grad z_i|_1 over every pattern (domain coordinates)
let phiT: usize = 0; // f64 per coordinate: the direction of the minima
let phiNorm: f64 = 0;
let block: usize = 0; // layer start: the activations of a block of vertices, NMAX x BLOCK
let blockMax: usize = 0; // |a~|_inf per vertex of the block
const BLOCK = 64;
// sharpening scratch
let solA: usize = 0; // D x D rows
let solE: usize = 0; // D x D their error bounds
let solC: usize = 0; // D constants
let solCE: usize = 0; // D their error bounds
let solInv: usize = 0; // D x D approximate inverse
let solWork: usize = 0; // D x 2D (Gauss-Jordan)
let solX: usize = 0; // D point
let solR: usize = 0; // D residual bounds
let vecH: usize = 0; // NMAX: the chain (or forward) vector
let vecHA: usize = 0; // NMAX: its absolute chain
let vecT: usize = 0; // NMAX scratch
let vecTA: usize = 0;
// per inserted unit: the new vertices' neighbours along the section (2 (D - 1) slots each), phi
let nbr: usize = 0;
let nbrCap = 0;
let phiV: usize = 0; // f64 per new vertex: phi~
let phiE: usize = 0; // f64 per new vertex: its bound
// hash table of 2-faces (one generation per inserted unit)
const ENTRY: usize = 16; // high hash word u32, vertex i32, aux i32, generation i32
let tab: usize = 0;
let tabCap = 0;
let gen = 0;
let curL = 1;
let curJ = 0;
let surfaces = 0; // 2 D + totalUnits
let boxLoP: usize = 0;
let boxHiP: usize = 0;

@inline function colP(k: i32): usize { return posW + (((k * vCap) as usize) << 3); }
@inline function colZero(k: i32): usize { return zeroW + (((k * vCap) as usize) << 3); }
@inline function zAt(i: i32): usize { return zCol + (((i * vCap) as usize) << 3); }
@inline function xAt(k: i32): usize { return xCol + (((k * vCap) as usize) << 3); }
@inline function posWord(k: i32, v: i32): u64 { return load<u64>(posW + (((k * vCap + v) as usize) << 3)); }
@inline function zeroWord(k: i32, v: i32): u64 { return load<u64>(zeroW + (((k * vCap + v) as usize) << 3)); }
@inline function f64At(t: usize, i: i32): f64 { return load<f64>(t + ((i as usize) << 3)); }
@inline function setF64(t: usize, i: i32, x: f64): void { store<f64>(t + ((i as usize) << 3), x); }

function splitmix(x: u64): u64 {
  let z = x + 0x9e3779b97f4a7c15;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** The slope of unit i of layer q in state on/off. */
@inline function slopeOf(a: i32, q: i32, on: bool): f64 {
  if (on || a == ACT_LINEAR) return 1.0;
  if (a == ACT_LEAKY) return alpha(q);
  if (a == ACT_ABS) return -1.0;
  return 0.0;
}

/** The largest |slope| of layer q's units. */
@inline function slopeMax(q: i32): f64 {
  return act(q) == ACT_LEAKY ? max<f64>(1.0, abs(alpha(q))) : 1.0;
}

/**
 * Whether the mesh can count this run: a box domain (rows exactly the box's sides), meshMinDim to
 * meshMaxDim domain coordinates, no maxout layer and no decision regions. The caller also rules out
 * emitted regions, work splitting and a region cap.
 */
export function meshApplies(rowCount: i32, rowsData: usize, boxLo: usize, boxHi: usize): bool {
  if (D < meshMinDim || D < 3 || D > meshMaxDim || D > 12 || decisionLabels) return false;
  for (let l = 1; l <= L; l++) if (act(l) == ACT_MAXOUT) return false;
  return isBoxDomain(rowCount, rowsData, boxLo, boxHi);
}

/** Builds the box's complex (2^D corners, D 2^(D-1) edges) and the first layer's values there. */
export function meshSetup(boxLo: usize, boxHi: usize, capHint: i32, linear: bool): bool {
  meshOn = false;
  meshFailure = 0;
  meshSharpened = 0;
  meshLinear = linear;
  meshRan = false;
  phase = PH_SIGNS;
  cursor = 0;
  nlCursor = -1;
  linPhase = 0;
  cutCap = 0;
  meshBase = memoryTop();
  meshMerges = 0;
  meshFacets = 0;
  boxLoP = boxLo;
  boxHiP = boxHi;
  surfaces = 2 * D + totalUnits;
  W = (surfaces + 63) >> 6;
  NMAX = 1;
  for (let l = 0; l <= L; l++) NMAX = max(NMAX, rows(l));
  randP = alloc(((W << 6) as usize) << 3);
  randZ = alloc(((W << 6) as usize) << 3);
  perLayerT = alloc(((L + 1) as usize) << 3);
  unitLayerT = alloc((max(totalUnits, 1) as usize) << 2);
  lipT = alloc(((L + 1) as usize) << 3);
  phiT = alloc((D as usize) << 3);
  block = alloc(((NMAX * BLOCK) as usize) << 3);
  blockMax = alloc((BLOCK as usize) << 3);
  solA = alloc(((D * D) as usize) << 3);
  solE = alloc(((D * D) as usize) << 3);
  solC = alloc((D as usize) << 3);
  solCE = alloc((D as usize) << 3);
  solInv = alloc(((D * D) as usize) << 3);
  solWork = alloc(((2 * D * D) as usize) << 3);
  solX = alloc((D as usize) << 3);
  solR = alloc((D as usize) << 3);
  vecH = alloc((NMAX as usize) << 3);
  vecHA = alloc((NMAX as usize) << 3);
  vecT = alloc((NMAX as usize) << 3);
  vecTA = alloc((NMAX as usize) << 3);
  walkEntries = alloc((ENTRIES_MAX as usize) << 2);
  sharpEntries = alloc((ENTRIES_MAX as usize) << 2);
  if (sharpEntries == 0) return false;
  for (let b = 0; b < W << 6; b++) {
    store<u64>(randP + ((b as usize) << 3), splitmix(((b as u64) << 1) | 1));
    store<u64>(randZ + ((b as usize) << 3), splitmix(((b as u64) << 1) + 0x5851f42d4c957f2d));
  }
  for (let l = 1; l <= L; l++) for (let u = 0; u < units(l); u++) store<i32>(unitLayerT + (((unitOffset(l) + u) as usize) << 2), l);
  // phi: a fixed direction with no simple relation to the axes
  phiNorm = 0;
  for (let k = 0; k < D; k++) {
    const p = 1.0 + (((splitmix(0x243f6a8885a308d3 + (k as u64)) >> 11) as f64) / 9007199254740992.0);
    setF64(phiT, k, p);
    phiNorm += p;
  }
  phiNorm = inflate(phiNorm, D);
  if (!lipschitz()) return false;
  vCount = 0;
  eCount = 0;
  vCap = 0;
  eCap = 0;
  nbrCap = 0;
  growT = alloc((TABLES as usize) * GROW_REC);
  if (growT == 0 || !beginGrowth(max(capHint, max(1024, 4 << D)), max(capHint * (D + 1), max(2048, D << D)))) return false;
  workLimit = Infinity;
  continueGrowth();
  tabCap = 0;
  tab = 0;
  gen = 0;

  // corners: bit k of m set = at hi_k (on side 2k + 1, strictly inside side 2k); exact (radius 0)
  const nc = 1 << D;
  for (let m = 0; m < nc; m++) {
    const v = vCount++;
    let hp: u64 = 0;
    let hz: u64 = 0;
    for (let k = 0; k < D; k++) {
      const up = ((m >> k) & 1) != 0;
      const on = 2 * k + (up ? 1 : 0);
      const off = 2 * k + (up ? 0 : 1);
      setBit(zeroW, v, on);
      setBit(posW, v, off);
      hz ^= load<u64>(randZ + ((on as usize) << 3));
      hp ^= load<u64>(randP + ((off as usize) << 3));
      setF64(xAt(k), v, up ? f64At(boxHi, k) : f64At(boxLo, k));
    }
    store<u64>(hashP + ((v as usize) << 3), hp);
    store<u64>(hashZ + ((v as usize) << 3), hz);
    setF64(radT, v, 0);
    if (!valuesAt(v, 1)) return false;
  }
  for (let m = 0; m < nc; m++) {
    for (let k = 0; k < D; k++) {
      if (((m >> k) & 1) == 0) {
        store<i32>(edgeA + ((eCount as usize) << 2), m);
        store<i32>(edgeB + ((eCount as usize) << 2), m | (1 << k));
        eCount++;
      }
    }
  }
  meshRegions = 1;
  store<f64>(perLayerT, 1);
  curL = 1;
  curJ = 0;
  meshOn = !memoryFailed();
  return true;
}

/**
 * lipT[l] >= max_i sum_k |(W_l S W_(l-1) ... S W_1 P)_ik| for every pattern S (each slope at most
 * its layer's largest in size): the chain of absolute values, rounded up.
 */
function lipschitz(): bool {
  // M (rows(l) x D), from |P|, kept in two buffers of NMAX x D
  const a = alloc(((NMAX * D) as usize) << 3);
  const b = alloc(((NMAX * D) as usize) << 3);
  if (b == 0) return false;
  const P = weights(0);
  for (let i = 0; i < rows(0); i++) for (let k = 0; k < D; k++) setF64(a, i * D + k, abs(f64At(P, i * D + k)));
  let src = a;
  let dst = b;
  for (let l = 1; l <= L; l++) {
    const n = cols(l);
    const w = weights(l);
    const s: f64 = l > 1 ? slopeMax(l - 1) : 1.0;
    let best: f64 = 0;
    for (let i = 0; i < rows(l); i++) {
      let sum: f64 = 0;
      for (let k = 0; k < D; k++) {
        let t: f64 = 0;
        for (let j = 0; j < n; j++) t += abs(f64At(w, i * n + j)) * s * f64At(src, j * D + k);
        t = inflate(t, 2 * n);
        setF64(dst, i * D + k, t);
        sum += t;
      }
      best = max(best, sum);
    }
    if (!(best < Infinity)) return false;
    setF64(lipT, l, inflate(best, D));
    const x = src;
    src = dst;
    dst = x;
  }
  return true;
}

@inline function setBit(base: usize, v: i32, bit: i32): void {
  const a = base + ((((bit >> 6) * vCap + v) as usize) << 3);
  store<u64>(a, load<u64>(a) | ((1 as u64) << ((bit & 63) as u64)));
}

// Growing the tables: new ones of twice the capacity (or more), into which the old ones are copied
// column by column, a few per call (a 6-D count copies 100 MiB and more at once otherwise), before
// the pointers move over. Tables, in order: posW zeroW hashP hashZ epsT radT zCol xCol sgn (vertex
// capacity), edgeA edgeB (edge capacity).
const TABLES = 11;
const GROW_REC: usize = 24; // new, old (u32), columns, from, count, bytes (i32)
let growT: usize = 0;
let growAt = -1; // the table being copied, -1 when no growth is under way
let growColumn = 0;
let growVCap = 0;
let growECap = 0;

/**
 * Starts a growth to at least `vWant` vertices and `eWant` edges (nothing to do: done at once).
 * False when memory would run out.
 */
function beginGrowth(vWant: i32, eWant: i32): bool {
  let vc = vCap;
  if (vWant > vCap) {
    vc = max(vCap, 1024);
    while (vc < vWant) vc <<= 1;
    if (vc > 1 << 24) return false; // (a face's table entry holds a vertex in 24 bits)
  }
  let ec = eCap;
  if (eWant > eCap) {
    ec = max(eCap, 2048);
    while (ec < eWant) ec <<= 1;
  }
  const vBytes: usize = vc > vCap ? (vc as usize) * (((2 * W + 4 + NMAX + D) as usize) << 3) + (vc as usize) : 0;
  const eBytes: usize = ec > eCap ? (ec as usize) << 3 : 0;
  if (!roomFor(vBytes + eBytes)) return false;
  growVCap = vc;
  growECap = ec;
  growRecord(0, posW, W, 8, true);
  growRecord(1, zeroW, W, 8, true);
  growRecord(2, hashP, 1, 8, true);
  growRecord(3, hashZ, 1, 8, true);
  growRecord(4, epsT, 1, 8, true);
  growRecord(5, radT, 1, 8, true);
  growRecord(6, zCol, NMAX, 8, true);
  growRecord(7, xCol, D, 8, true);
  growRecord(8, sgn, 1, 1, true);
  growRecord(9, edgeA, 1, 4, false);
  growRecord(10, edgeB, 1, 4, false);
  if (memoryFailed()) return false;
  growAt = 0;
  growColumn = 0;
  return true;
}

function growRecord(t: i32, old: usize, columns: i32, bytes: i32, vertexTable: bool): void {
  const r = growT + (t as usize) * GROW_REC;
  const from = vertexTable ? vCap : eCap;
  const to = vertexTable ? growVCap : growECap;
  const grows = to > from;
  store<u32>(r, grows ? allocRaw(((columns * to) as usize) * (bytes as usize)) as u32 : old as u32);
  store<u32>(r, old as u32, 4);
  store<i32>(r, grows ? columns : 0, 8);
  store<i32>(r, from, 12);
  store<i32>(r, vertexTable ? vCount : eCount, 16);
  store<i32>(r, bytes, 20);
}

/**
 * Copies the growth's columns until this call's work is spent: true when every table is copied
 * and the mesh uses the new ones (new entries are written before they are read: not zeroed).
 */
function continueGrowth(): bool {
  while (growAt < TABLES) {
    const r = growT + (growAt as usize) * GROW_REC;
    const columns = load<i32>(r, 8);
    if (growColumn >= columns) {
      growAt++;
      growColumn = 0;
      continue;
    }
    const to = growAt < 9 ? growVCap : growECap;
    const bytes = load<i32>(r, 20) as usize;
    const k = growColumn++;
    memory.copy(
      (load<u32>(r) as usize) + ((k * to) as usize) * bytes,
      (load<u32>(r, 4) as usize) + ((k * load<i32>(r, 12)) as usize) * bytes,
      (load<i32>(r, 16) as usize) * bytes,
    );
    // (a copy into fresh pages costs about a visit per 4 bytes)
    if (spent(((load<i32>(r, 16) as usize) * bytes >> 2) as i32)) return false;
  }
  posW = load<u32>(growT) as usize;
  zeroW = load<u32>(growT + GROW_REC) as usize;
  hashP = load<u32>(growT + 2 * GROW_REC) as usize;
  hashZ = load<u32>(growT + 3 * GROW_REC) as usize;
  epsT = load<u32>(growT + 4 * GROW_REC) as usize;
  radT = load<u32>(growT + 5 * GROW_REC) as usize;
  zCol = load<u32>(growT + 6 * GROW_REC) as usize;
  xCol = load<u32>(growT + 7 * GROW_REC) as usize;
  sgn = load<u32>(growT + 8 * GROW_REC) as usize;
  edgeA = load<u32>(growT + 9 * GROW_REC) as usize;
  edgeB = load<u32>(growT + 10 * GROW_REC) as usize;
  vCap = growVCap;
  eCap = growECap;
  growAt = -1;
  return true;
}

/** Room for the neighbour slots and phi of `n` new vertices. */
function growNew(n: i32): bool {
  if (n <= nbrCap) return true;
  let cap = max(nbrCap, 1024);
  while (cap < n) cap <<= 1;
  if (!roomFor((cap as usize) * ((8 * (D - 1) + 16) as usize))) return false;
  nbr = alloc(((cap * 2 * (D - 1)) as usize) << 2);
  phiV = alloc((cap as usize) << 3);
  phiE = alloc((cap as usize) << 3);
  if (phiE == 0) return false;
  nbrCap = cap;
  return true;
}

/** A table of at least 2 * entries slots (fresh generation). */
function tableFor(entries: i32): bool {
  gen++;
  if (2 * entries <= tabCap) return true;
  let cap = max(tabCap, 1024);
  while (cap < 2 * entries) cap <<= 1;
  if (!roomFor((cap as usize) * ENTRY)) return false;
  tab = alloc((cap as usize) * ENTRY);
  if (tab == 0) return false;
  tabCap = cap;
  gen = 1;
  return true;
}

function fail(why: i32): i32 {
  meshFailure = why;
  meshOn = false;
  return MESH_FAIL;
}

/**
 * Regions of layers 1..l. Before the mesh is done, the layers not yet finished show the regions of
 * the units inserted so far: a lower bound of each (partial results).
 */
export function meshPerLayer(l: i32): f64 {
  if (!meshRan) return 0;
  return l >= curL ? meshRegions : load<f64>(perLayerT + ((l as usize) << 3));
}

/** Regions counted: 0 before the first run (as the cell engine: an instance set up to resume units counts only those). */
export function meshCount(): f64 { return meshRan ? meshRegions : 0; }
let meshRan = false;

/** The count goes to the cell engine without a failure (an instance that resumes work units). */
export function meshStop(): void {
  meshOn = false;
}

/**
 * Inserts units until about `budget` steps of work are done (each phase of a unit's insertion, a
 * layer's start and the linear pass stop in the middle and resume).
 */
export function runMesh(budget: i32): i32 {
  meshRan = true;
  work = 0;
  workLimit = (budget as f64) * WORK_PER_STEP;
  while (curL <= L) {
    const a = act(curL);
    if (a == ACT_LINEAR || curJ >= units(curL)) {
      // the layer is done (a linear last layer adds nothing: its values are never needed)
      store<f64>(perLayerT + ((curL as usize) << 3), meshRegions);
      if (curL == L || (curL + 1 == L && act(L) == ACT_LINEAR)) {
        store<f64>(perLayerT + ((L as usize) << 3), meshRegions);
        curL = L + 1;
        break;
      }
      if (!nextLayer(curL)) return MESH_MORE;
      curL++;
      curJ = 0;
      phase = PH_SIGNS;
      cursor = 0;
    } else {
      const r = insertUnit(curL, curJ);
      if (r != MESH_DONE) return r;
      curJ++;
      phase = PH_SIGNS;
      cursor = 0;
    }
    if (work >= workLimit) return MESH_MORE;
  }
  meshVertices = vCount;
  meshEdges = eCount;
  if (meshLinear) {
    const r = linearPass();
    if (r != MESH_DONE) return r;
  }
  return MESH_DONE;
}

let nlCursor = -1; // next vertex of a layer's start, -1 before it
let nlRMax: f64 = 0; // max_j sum_i |W_ji| of the next layer (rounded up)
let nlBMax: f64 = 0; // max_j |b_j|

/**
 * Values of layer l + 1 at every vertex, from layer l's, a block of vertices at a time: true when
 * done, false when this call's work is spent (the next resumes).
 */
function nextLayer(l: i32): bool {
  const n = rows(l);
  const m = rows(l + 1);
  const w = weights(l + 1);
  const b = bias(l + 1);
  const a = act(l);
  const al = a == ACT_LEAKY ? alpha(l) : a == ACT_ABS ? -1.0 : 0.0;
  const lip: f64 = slopeMax(l);
  if (nlCursor < 0) {
    let rMax: f64 = 0;
    let bMax: f64 = 0;
    for (let j = 0; j < m; j++) {
      let s: f64 = 0;
      for (let i = 0; i < n; i++) s += abs(f64At(w, j * n + i));
      rMax = max(rMax, s);
      bMax = max(bMax, abs(f64At(b, j)));
    }
    nlRMax = inflate(rMax, n);
    nlBMax = bMax;
    nlCursor = 0;
  }
  const rMax = nlRMax;
  const bMax = nlBMax;
  const g = gamma(n + 2); // (n + 1 terms, and a leaky slope's product)
  const off = 2 * D + unitOffset(l);
  while (nlCursor < vCount) {
    const v0 = nlCursor;
    const nb = min(BLOCK, vCount - v0);
    nlCursor += nb;
    for (let q = 0; q < nb; q++) setF64(blockMax, q, 0);
    // phi by the exact sign: positive keeps z~; zero is exactly 0; negative is 0 or al z~
    for (let i = 0; i < n; i++) {
      const zc = zAt(i) + ((v0 as usize) << 3);
      const dst = block + (((i * BLOCK) as usize) << 3);
      const bit = off + i;
      const pc = colP(bit >> 6) + ((v0 as usize) << 3);
      const sh = (bit & 63) as u64;
      for (let q = 0; q < nb; q++) {
        const z = f64At(zc, q);
        // (a vertex on unit i's surface has z~ = 0 exactly: its crossing set it so, interpolating
        // between two zeros gives 0, and sharpening sets it so)
        const pos = a == ACT_LINEAR || ((load<u64>(pc + ((q as usize) << 3)) >> sh) & 1) != 0;
        const y = pos ? z : al * z;
        setF64(dst, q, y);
        setF64(blockMax, q, maxNonNeg(f64At(blockMax, q), abs(y))); // (maxNonNeg: f64.max branches)
      }
    }
    for (let j = 0; j < m; j++) {
      const row = w + (((j * n) as usize) << 3);
      const zc = zAt(j) + ((v0 as usize) << 3);
      const bj = f64At(b, j);
      for (let q = 0; q < nb; q++) setF64(zc, q, 0);
      for (let i = 0; i < n; i++) {
        const wi = f64At(row, i);
        const src = block + (((i * BLOCK) as usize) << 3);
        for (let q = 0; q < nb; q++) setF64(zc, q, f64At(zc, q) + wi * f64At(src, q));
      }
      for (let q = 0; q < nb; q++) setF64(zc, q, f64At(zc, q) + bj);
    }
    for (let q = 0; q < nb; q++) {
      const v = v0 + q;
      setF64(epsT, v, inflate(rMax * lip * f64At(epsT, v) + g * (rMax * f64At(blockMax, q) + bMax) + underflow(n + 1), 8));
    }
    if (spent(nb * (m * n / 8 + 1)) && nlCursor < vCount) return false;
  }
  nlCursor = -1;
  return true;
}

/** The sign of unit j (values column zj) at v: 1, 0, or -1 when not certified even sharpened. */
function signAt(v: i32, l: i32, zj: usize): i32 {
  for (let pass = 0; pass < 2; pass++) {
    const z = f64At(zj, v);
    const e = f64At(epsT, v);
    if (z > e) return 1;
    if (z < -e) return 0;
    if (floatOnly) return z > 0 ? 1 : 0;
    if (pass == 0 && !sharpen(v, l)) return -1;
  }
  return -1;
}

// A unit's insertion runs in phases, each over a range of vertices or edges that a call can stop
// in and the next resume (the core returns to JavaScript after each budget of work):
const PH_SIGNS = 0; // its sign at every vertex
const PH_COUNT = 1; // the edges it cuts, counted (room is made for their crossings)
const PH_GROW = 2; // the tables grown for them (beginGrowth)
const PH_CROSS = 3; // a crossing on each (interpolated; sharpened past TAU)
const PH_FACES = 4; // the cut 2-faces' new edges, pairing the crossings
const PH_PHI = 5; // phi at the crossings
const PH_MINIMA = 6; // one region per cut cell, at its section's lowest vertex
let phase = PH_SIGNS;
let cursor = 0; // next vertex or edge of the phase
let e0 = 0; // edges before the unit
let cuts = 0; // edges it cuts
let v0 = 0; // first crossing
let v1 = 0; // past the last crossing
let openFaces = 0; // 2-faces with one crossing filed
let cutList: usize = 0; // i32 per cut edge, in edge order
let cutCap = 0;
// Work is counted in units of about 3 ns (measured per phase on 5-16-16-1 and 6-12-12-1: a vertex's
// sign 4, an edge counted 1, a crossing 8 per value it carries, a face lookup 32, phi 8), and a
// step of the caller's budget is WORK_PER_STEP of them: about 12 microseconds, near the cell
// engine's step, so the pacer's budget suits both when a count goes from one to the other.
const WORK_PER_STEP: f64 = 4096;
let work: f64 = 0; // units this call
let workLimit: f64 = 0;

@inline function spent(n: i32): bool {
  work += n as f64;
  return work >= workLimit;
}

/**
 * Inserts unit j of layer l, or goes on inserting it: MESH_DONE when the unit is in, MESH_MORE
 * when this call's work is spent (the next resumes), MESH_FAIL.
 */
function insertUnit(l: i32, j: i32): i32 {
  const bit = 2 * D + unitOffset(l) + j;
  const bw = bit >> 6;
  const bm: u64 = (1 as u64) << ((bit & 63) as u64);
  const rp = load<u64>(randP + ((bit as usize) << 3));
  const rz = load<u64>(randZ + ((bit as usize) << 3));
  const zj = zAt(j);
  const slots = 2 * (D - 1);
  if (phase == PH_SIGNS) {
    const pcol = colP(bw);
    while (cursor < vCount) {
      const v = cursor++;
      // (the common case inline; signAt sharpens the vertex when the bound leaves the sign open)
      const z = f64At(zj, v);
      const e = f64At(epsT, v);
      let s = z > e ? 1 : z < -e ? 0 : signAt(v, l, zj);
      if (s < 0) return fail(1);
      store<u8>(sgn + (v as usize), s as u8);
      const on: u64 = 0 - (s as u64); // (all ones when positive: no branch on the sign)
      const p = pcol + ((v as usize) << 3);
      store<u64>(p, load<u64>(p) | (bm & on));
      const h = hashP + ((v as usize) << 3);
      store<u64>(h, load<u64>(h) ^ (rp & on));
      if ((cursor & 255) == 0 && spent(256 * 4)) return MESH_MORE;
    }
    phase = PH_COUNT;
    cursor = 0;
    e0 = eCount;
    cuts = 0;
    if (e0 > cutCap) {
      // the cut edges' indices, so the crossings need not scan every edge again
      const cap = max(e0, cutCap * 2);
      if (!roomFor((cap as usize) << 2)) return fail(3);
      cutList = allocRaw((cap as usize) << 2);
      if (cutList == 0) return fail(3);
      cutCap = cap;
    }
  }
  if (phase == PH_COUNT) {
    while (cursor < e0) {
      const i = cursor++;
      store<i32>(cutList + ((cuts as usize) << 2), i);
      cuts += <i32>(load<u8>(sgn + (load<i32>(edgeA + ((i as usize) << 2)) as usize)) != load<u8>(sgn + (load<i32>(edgeB + ((i as usize) << 2)) as usize)));
      if ((cursor & 255) == 0 && spent(256)) return MESH_MORE;
    }
    if (cuts == 0) return MESH_DONE;
    // new edges: the split halves, and one per cut 2-face (each joins two crossings)
    if (!beginGrowth(vCount + cuts, eCount + cuts + cuts * (D - 1)) || !growNew(cuts)) return fail(3);
    phase = PH_GROW;
  }
  if (phase == PH_GROW) {
    if (!continueGrowth()) return MESH_MORE;
    phase = PH_CROSS;
    cursor = 0;
    v0 = vCount;
  }
  if (phase == PH_CROSS) {
    const n = rows(l);
    const zk = zAt(j); // (growing moved the columns)
    while (cursor < cuts) {
      const i = load<i32>(cutList + ((cursor++ as usize) << 2));
      const ea = edgeA + ((i as usize) << 2);
      const eb = edgeB + ((i as usize) << 2);
      const a = load<i32>(ea);
      const c = load<i32>(eb);
      const w = vCount++;
      // masks: the edge's sign vector (zero where both ends are, else the end's non-zero sign), then k
      let hp = load<u64>(hashP + ((a as usize) << 3));
      let hz = load<u64>(hashZ + ((a as usize) << 3));
      if (load<u8>(sgn + (a as usize)) != 0) hp ^= rp;
      for (let k = 0; k < W; k++) {
        const za = zeroWord(k, a);
        const zc = zeroWord(k, c);
        const pa = posWord(k, a);
        const pc = posWord(k, c);
        // hashes: surfaces where a is zero and c is not leave the zero mask; c's sign there joins
        let only = za & ~zc;
        while (only != 0) {
          const t = ctz(only);
          only &= only - 1;
          const s = (k << 6) + (t as i32);
          hz ^= load<u64>(randZ + ((s as usize) << 3));
          if (((pc >> t) & 1) != 0) hp ^= load<u64>(randP + ((s as usize) << 3));
        }
        let zw = za & zc;
        let pw = pa | pc;
        if (k == bw) {
          zw |= bm;
          pw &= ~bm;
        }
        store<u64>(colZero(k) + ((w as usize) << 3), zw);
        store<u64>(colP(k) + ((w as usize) << 3), pw);
      }
      store<u64>(hashP + ((w as usize) << 3), hp);
      store<u64>(hashZ + ((w as usize) << 3), hz ^ rz);
      store<u8>(sgn + (w as usize), 2);
      // coordinates and values: interpolated
      const ka = f64At(zk, a);
      const kc = f64At(zk, c);
      const epa = f64At(epsT, a);
      const epc = f64At(epsT, c);
      const t = ka / (ka - kc);
      // (|ka| - epa and |kc| - epc are positive, each rounded relative to itself)
      const gap = ((abs(ka) - epa) + (abs(kc) - epc)) * (1 - 3 * U);
      const dt: f64 = gap > 0 ? min<f64>(1.0, inflate((epa + epc) / gap, 4) + 4 * U) : 1.0;
      lerp(zCol, n, a, c, w, t);
      setF64(zk, w, 0);
      const ew = lerpBound(epa, epc, dt);
      setF64(epsT, w, ew);
      lerp(xCol, D, a, c, w, t);
      const rw = lerpBound(f64At(radT, a), f64At(radT, c), dt);
      setF64(radT, w, rw);
      if (!floatOnly && (ew > TAU || rw > TAU)) sharpen(w, l); // (when it cannot, the bounds stay valid)
      // the edge (a, c) becomes (a, w) and (w, c)
      store<i32>(eb, w);
      store<i32>(edgeA + ((eCount as usize) << 2), w);
      store<i32>(edgeB + ((eCount as usize) << 2), c);
      eCount++;
      if (spent(8 * (n + 4 * D))) return MESH_MORE;
    }
    v1 = vCount;
    if (!tableFor((cuts * slots + 1) >> 1)) return fail(3); // (each face is filed once: by its first crossing)
    phase = PH_FACES;
    cursor = v0;
    openFaces = 0;
  }
  if (phase == PH_FACES) {
    // each crossing's 2-faces (one per zero entry of its edge and side), filed by sign vector
    while (cursor < v1) {
      const w = cursor++;
      const hz0 = load<u64>(hashZ + ((w as usize) << 3)) ^ rz;
      const hp0 = load<u64>(hashP + ((w as usize) << 3));
      let q = 0;
      for (let k = 0; k < W; k++) {
        let zw = zeroWord(k, w);
        if (k == bw) zw &= ~bm;
        while (zw != 0) {
          const t = ctz(zw);
          zw &= zw - 1;
          const s = (k << 6) + (t as i32);
          const zs = hz0 ^ load<u64>(randZ + ((s as usize) << 3));
          for (let side = s < 2 * D ? 1 : 0; side < 2; side++) {
            const h = splitmix(zs * 0x2545f4914f6cdd1d ^ (side != 0 ? hp0 ^ load<u64>(randP + ((s as usize) << 3)) : hp0));
            const slot = 2 * q + side;
            const r = pairFace(h, w, s, side, slot, bw, bm);
            if (r < 0) return fail(2);
            if (r == 0) {
              openFaces++;
            } else {
              openFaces--;
              const w2 = (r - 1) & 0xffffff;
              const slot2 = (r - 1) >>> 24;
              store<i32>(nbr + ((((w - v0) * slots + slot) as usize) << 2), w2);
              store<i32>(nbr + ((((w2 - v0) * slots + slot2) as usize) << 2), w);
              store<i32>(edgeA + ((eCount as usize) << 2), w2);
              store<i32>(edgeB + ((eCount as usize) << 2), w);
              eCount++;
            }
          }
          q++;
        }
      }
      if (spent(32 * slots)) return MESH_MORE;
    }
    if (openFaces != 0) return fail(2);
    phase = PH_PHI;
    cursor = v0;
  }
  if (phase == PH_PHI) {
    while (cursor < v1) {
      setPhi(cursor++, v0);
      if ((cursor & 255) == 0 && spent(256 * 8)) return MESH_MORE;
    }
    phase = PH_MINIMA;
    cursor = v0;
  }
  // the cells cut: the minima of phi on their sections
  while (cursor < v1) {
    const w = cursor++;
    let count: f64 = 1;
    let q = 0;
    for (let k = 0; k < W && count > 0; k++) {
      let zw = zeroWord(k, w);
      if (k == bw) zw &= ~bm;
      while (zw != 0) {
        const t = ctz(zw);
        zw &= zw - 1;
        const s = (k << 6) + (t as i32);
        let up = 0;
        for (let side = s < 2 * D ? 1 : 0; side < 2; side++) {
          const w2 = load<i32>(nbr + ((((w - v0) * slots + 2 * q + side) as usize) << 2));
          const c = higher(w2, w, v0, l);
          if (c < 0) return fail(4);
          up += c;
        }
        count *= up as f64;
        q++;
      }
    }
    meshRegions += count;
    if (spent(16 * slots)) return MESH_MORE;
  }
  return MESH_DONE;
}

let lerpSize: f64 = 0; // max |y~a| + |y~c| over the columns of the last lerp
let lerpSpread: f64 = 0; // max |y~c - y~a|

/** Columns 0 .. n - 1 of `table` (vCap entries each) at w: y~a + t (y~c - y~a). */
function lerp(table: usize, n: i32, a: i32, c: i32, w: i32, t: f64): void {
  let size: f64 = 0;
  let spread: f64 = 0;
  for (let q = 0; q < n; q++) {
    const col = table + (((q * vCap) as usize) << 3);
    const ya = f64At(col, a);
    const yc = f64At(col, c);
    const d = yc - ya;
    setF64(col, w, ya + t * d);
    // (maxNonNeg: f64.max takes branches in the engine)
    size = maxNonNeg(size, abs(ya) + abs(yc));
    spread = maxNonNeg(spread, abs(d));
  }
  lerpSize = size;
  lerpSpread = spread;
}

/**
 * The bound of the last lerp's columns at the crossing, from the ends' bounds and |t* - t~| <= dt
 * (see the header; |d~ - d| <= u |d|: the (t* - t~)(y~c - y~a) term uses the exact difference).
 */
function lerpBound(ea: f64, ec: f64, dt: f64): f64 {
  return inflate(maxNonNeg(ea, ec) + dt * lerpSpread * (1 + U) + 3 * gamma(3) * lerpSize + underflow(2), 8);
}

/** phi~ at new vertex w and its bound. */
function setPhi(w: i32, v0: i32): void {
  let s: f64 = 0;
  let size: f64 = 0;
  for (let k = 0; k < D; k++) {
    const t = f64At(phiT, k) * f64At(xAt(k), w);
    s += t;
    size += abs(t);
  }
  setF64(phiV, w - v0, s);
  setF64(phiE, w - v0, inflate(phiNorm * f64At(radT, w) + gamma(D) * size + underflow(D), 2 * D + 4));
}

/** 1 when phi(w2) > phi(w) (new vertices, exact), 0 when below, -1 when not certified even sharpened. */
function higher(w2: i32, w: i32, v0: i32, l: i32): i32 {
  for (let pass = 0; pass < 2; pass++) {
    const d = f64At(phiV, w2 - v0) - f64At(phiV, w - v0);
    const e = inflate(f64At(phiE, w2 - v0) + f64At(phiE, w - v0) + U * abs(d), 2);
    if (d > e) return 1;
    if (d < -e) return 0;
    if (floatOnly) return d > 0 ? 1 : 0;
    if (pass == 0) {
      if (!sharpen(w, l) || !sharpen(w2, l)) return -1;
      setPhi(w, v0);
      setPhi(w2, v0);
    }
  }
  return -1;
}

/**
 * The sign vector of the 2-face through w's edge with surface s's entry made `side`, compared for
 * w and w2 (both crossings of the unit `bw`/`bm`): equal zero masks without s (and the unit), and
 * equal positive masks with s's bit set per side.
 */
function sameFace(w: i32, s: i32, side: i32, w2: i32, s2: i32, side2: i32, bw: i32, bm: u64): bool {
  for (let k = 0; k < W; k++) {
    let z1 = zeroWord(k, w);
    let z2 = zeroWord(k, w2);
    let p1 = posWord(k, w);
    let p2 = posWord(k, w2);
    if ((s >> 6) == k) {
      const m: u64 = (1 as u64) << ((s & 63) as u64);
      z1 &= ~m;
      if (side != 0) p1 |= m;
    }
    if ((s2 >> 6) == k) {
      const m: u64 = (1 as u64) << ((s2 & 63) as u64);
      z2 &= ~m;
      if (side2 != 0) p2 |= m;
    }
    if (k == bw) {
      z1 &= ~bm;
      z2 &= ~bm;
    }
    if (z1 != z2 || p1 != p2) return false;
  }
  return true;
}

/**
 * Files w's 2-face (s, side; its neighbour slot `slot`): 0 when it is the face's first crossing,
 * 1 + (the other crossing | its slot << 24) for the second, -1 for a third.
 */
function pairFace(h: u64, w: i32, s: i32, side: i32, slot: i32, bw: i32, bm: u64): i32 {
  const mask = tabCap - 1;
  const check = (h >> 32) as u32;
  let i = (h as i32) & mask;
  while (true) {
    const e = tab + (i as usize) * ENTRY;
    if (load<i32>(e, 12) != gen) {
      store<u32>(e, check);
      store<i32>(e, w, 4);
      store<i32>(e, s | (slot << 24), 8);
      store<i32>(e, gen, 12);
      return 0;
    }
    if (load<u32>(e) == check) {
      const w2 = load<i32>(e, 4);
      const aux = load<i32>(e, 8);
      const slot2 = aux >>> 24;
      if (sameFace(w, s, side, w2 & 0x7fffffff, aux & 0xffffff, slot2 & 1, bw, bm)) {
        if (w2 < 0) return -1; // already paired
        store<i32>(e, w2 | 0x80000000, 4);
        return 1 + (w2 | (slot2 << 24));
      }
    }
    i = (i + 1) & mask;
  }
}

// ---- sharpening -------------------------------------------------------------------------------

/** The slope of unit i of layer q in the cell around v whose open entries are all + (on). */
@inline function cellSlope(v: i32, q: i32, i: i32): f64 {
  const bit = 2 * D + unitOffset(q) + i;
  const k = bit >> 6;
  const m: u64 = (1 as u64) << ((bit & 63) as u64);
  return slopeOf(act(q), q, ((posWord(k, v) | zeroWord(k, v)) & m) != 0);
}

/**
 * Row `at` of the system: unit u of layer m's pre-activation as an affine map of the domain
 * coordinates in v's cell (coefficients, constant), and bounds on their rounding. False when a
 * product may have underflowed.
 */
function composeRow(v: i32, m: i32, u: i32, at: i32): bool {
  let n = cols(m);
  const wm = weights(m);
  for (let i = 0; i < n; i++) {
    const x = f64At(wm, u * n + i);
    setF64(vecH, i, x);
    setF64(vecHA, i, abs(x));
  }
  let c = f64At(bias(m), u);
  let ca = abs(c);
  let ops = n + 4;
  for (let q = m - 1; q >= 1; q--) {
    // h = dz/da_q (n = rows(q)); g = h * slopes; c += g . b_q; h = g W_q
    const wq = weights(q);
    const bq = bias(q);
    const nc = cols(q);
    for (let j = 0; j < nc; j++) {
      setF64(vecT, j, 0);
      setF64(vecTA, j, 0);
    }
    for (let i = 0; i < n; i++) {
      const sl = cellSlope(v, q, i);
      if (sl == 0) continue; // (an exact zero: the term is 0 in the exact chain too)
      const h = f64At(vecH, i);
      const g = h * sl;
      const ga = f64At(vecHA, i) * abs(sl);
      if (h != 0 && abs(g) < TINY) return false;
      const b = f64At(bq, i);
      const p = g * b;
      if (b != 0 && g != 0 && abs(p) < TINY) return false;
      c += p;
      ca += ga * abs(b);
      for (let j = 0; j < nc; j++) {
        const wv = f64At(wq, i * nc + j);
        const t = g * wv;
        if (wv != 0 && g != 0 && abs(t) < TINY) return false;
        setF64(vecT, j, f64At(vecT, j) + t);
        setF64(vecTA, j, f64At(vecTA, j) + ga * abs(wv));
      }
    }
    ops += n + 3;
    n = nc;
    for (let j = 0; j < n; j++) {
      setF64(vecH, j, f64At(vecT, j));
      setF64(vecHA, j, f64At(vecTA, j));
    }
  }
  // layer 0: x = P p + o (n = rows(0) = n0)
  const P = weights(0);
  const o = bias(0);
  for (let k = 0; k < D; k++) {
    let s: f64 = 0;
    let sa: f64 = 0;
    for (let i = 0; i < n; i++) {
      const pk = f64At(P, i * D + k);
      const t = f64At(vecH, i) * pk;
      if (pk != 0 && f64At(vecH, i) != 0 && abs(t) < TINY) return false;
      s += t;
      sa += f64At(vecHA, i) * abs(pk);
    }
    setF64(solA, at * D + k, s);
    setF64(solE, at * D + k, sa);
  }
  for (let i = 0; i < n; i++) {
    const t = f64At(vecH, i) * f64At(o, i);
    if (f64At(o, i) != 0 && f64At(vecH, i) != 0 && abs(t) < TINY) return false;
    c += t;
    ca += f64At(vecHA, i) * abs(f64At(o, i));
  }
  ops += n + 2;
  // the computed chain is off by at most gamma_ops times the chain of absolute values (whose own
  // float value is at most (1 + gamma) of it: inflated; twice the operations, for room)
  const g = gamma(2 * ops) * (1 + gamma(2 * ops));
  for (let k = 0; k < D; k++) setF64(solE, at * D + k, inflate(g * f64At(solE, at * D + k), 4));
  setF64(solC, at, c);
  setF64(solCE, at, inflate(g * ca, 4));
  return isFinite(c) && isFinite(ca);
}

/** solInv = an approximate inverse of solA (Gauss-Jordan with partial pivoting); false if singular. */
function invert(): bool {
  const n2 = 2 * D;
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < D; j++) {
      setF64(solWork, i * n2 + j, f64At(solA, i * D + j));
      setF64(solWork, i * n2 + D + j, i == j ? 1.0 : 0.0);
    }
  }
  for (let c = 0; c < D; c++) {
    let p = c;
    for (let i = c + 1; i < D; i++) if (abs(f64At(solWork, i * n2 + c)) > abs(f64At(solWork, p * n2 + c))) p = i;
    const piv = f64At(solWork, p * n2 + c);
    if (piv == 0 || !isFinite(piv)) return false;
    if (p != c) {
      for (let j = 0; j < n2; j++) {
        const t = f64At(solWork, c * n2 + j);
        setF64(solWork, c * n2 + j, f64At(solWork, p * n2 + j));
        setF64(solWork, p * n2 + j, t);
      }
    }
    const inv = 1.0 / piv;
    for (let j = 0; j < n2; j++) setF64(solWork, c * n2 + j, f64At(solWork, c * n2 + j) * inv);
    for (let i = 0; i < D; i++) {
      if (i == c) continue;
      const f = f64At(solWork, i * n2 + c);
      if (f == 0) continue;
      for (let j = 0; j < n2; j++) setF64(solWork, i * n2 + j, f64At(solWork, i * n2 + j) - f * f64At(solWork, c * n2 + j));
    }
  }
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < D; j++) {
      const x = f64At(solWork, i * n2 + D + j);
      if (!isFinite(x)) return false;
      setF64(solInv, i * D + j, x);
    }
  }
  return true;
}

/** Residual bounds rho_i >= |A*_i x + c*_i| at x = solX (rows with their error bounds), into solR. */
function residuals(): void {
  for (let i = 0; i < D; i++) {
    let r = f64At(solC, i);
    let size = abs(r);
    let err = f64At(solCE, i);
    for (let k = 0; k < D; k++) {
      const x = f64At(solX, k);
      const t = f64At(solA, i * D + k) * x;
      r += t;
      size += abs(t);
      err += f64At(solE, i * D + k) * abs(x);
    }
    setF64(solR, i, inflate(abs(r) + err + gamma(D + 1) * size + underflow(D), 3 * D + 8));
  }
}

/**
 * Recomputes vertex v from its D surfaces (in the cell around it whose open entries are +): its
 * coordinates (one Newton step), radius (Rump) and layer l's values. False (v unchanged) when the
 * system is near-singular or a product may have underflowed.
 */
function sharpen(v: i32, l: i32): bool {
  if (entriesOf(v, sharpEntries) != D) return false;
  for (let at = 0; at < D; at++) {
    const s = load<i32>(sharpEntries + ((at as usize) << 2));
    if (s < 2 * D) {
      // side 2 kk: x_kk - lo >= 0; side 2 kk + 1: hi - x_kk >= 0 (exact rows)
      const kk = s >> 1;
      for (let j = 0; j < D; j++) {
        setF64(solA, at * D + j, j == kk ? ((s & 1) == 0 ? 1.0 : -1.0) : 0.0);
        setF64(solE, at * D + j, 0);
      }
      setF64(solC, at, (s & 1) == 0 ? -f64At(boxLoP, kk) : f64At(boxHiP, kk));
      setF64(solCE, at, 0);
    } else {
      const g = s - 2 * D;
      const m = load<i32>(unitLayerT + ((g as usize) << 2));
      if (!composeRow(v, m, g - unitOffset(m), at)) return false;
    }
  }
  if (!invert()) return false;
  // one Newton step from the interpolated point
  for (let k = 0; k < D; k++) setF64(solX, k, f64At(xAt(k), v));
  for (let i = 0; i < D; i++) {
    let r = f64At(solC, i);
    for (let k = 0; k < D; k++) r += f64At(solA, i * D + k) * f64At(solX, k);
    setF64(solR, i, r);
  }
  for (let k = 0; k < D; k++) {
    let dx: f64 = 0;
    for (let i = 0; i < D; i++) dx += f64At(solInv, k * D + i) * f64At(solR, i);
    setF64(solX, k, f64At(solX, k) - dx);
  }
  residuals();
  // beta >= ||I - C A*||_inf: the computed I - C A, its rounding, and ||C|| ||A* - A||
  let beta = identityGap(solInv, solA, D);
  let normE: f64 = 0;
  for (let i = 0; i < D; i++) {
    let rowE: f64 = 0;
    for (let j = 0; j < D; j++) rowE += f64At(solE, i * D + j);
    normE = max(normE, rowE);
  }
  let normC: f64 = 0;
  let rad: f64 = 0;
  for (let i = 0; i < D; i++) {
    let rowC: f64 = 0;
    let cr: f64 = 0;
    for (let j = 0; j < D; j++) {
      const c = abs(f64At(solInv, i * D + j));
      rowC += c;
      cr += c * f64At(solR, j);
    }
    normC = max(normC, rowC);
    rad = max(rad, cr);
  }
  beta = inflate(beta + inflate(normC * normE, 2 * D), 2 * D + 4);
  if (!(beta < 0.5)) return false;
  rad = inflate(inflate(rad, 2 * D) / (1 - beta), 4);
  if (!(rad < Infinity)) return false;
  for (let k = 0; k < D; k++) setF64(xAt(k), v, f64At(solX, k));
  setF64(radT, v, rad);
  if (!valuesAt(v, l)) return false;
  meshSharpened += 1;
  work += 64 * D; // (the rows' chains and the solve: about that many visits' time)
  return true;
}

/**
 * Layer l's values at v from its coordinates, along the pattern of the cell around v whose open
 * entries are + (the cell's affine maps equal the network's pre-activations at the exact vertex,
 * which lies in that cell's closure): eps = the forward pass's rounding + lip_l * radius. Units of
 * layer l that v lies on get exactly 0. False when a product may have underflowed.
 */
function valuesAt(v: i32, l: i32): bool {
  const n0 = rows(0);
  const P = weights(0);
  const o = bias(0);
  const rad = f64At(radT, v);
  let ops = D + 2;
  for (let i = 0; i < n0; i++) {
    let s = f64At(o, i);
    let sa = abs(s);
    for (let k = 0; k < D; k++) {
      const pk = f64At(P, i * D + k);
      const x = f64At(xAt(k), v);
      const t = pk * x;
      if (pk != 0 && x != 0 && abs(t) < TINY) return false;
      s += t;
      sa += abs(t);
    }
    setF64(vecH, i, s);
    setF64(vecHA, i, sa);
  }
  for (let q = 1; q <= l; q++) {
    const n = cols(q);
    const w = weights(q);
    const b = bias(q);
    const m = rows(q);
    const sm: f64 = q > 1 ? slopeMax(q - 1) : 1.0;
    for (let j = 0; j < m; j++) {
      let s = f64At(b, j);
      let sa = abs(s);
      for (let i = 0; i < n; i++) {
        const wv = f64At(w, j * n + i);
        const a = f64At(vecH, i);
        const t = wv * a;
        if (wv != 0 && a != 0 && abs(t) < TINY) return false;
        s += t;
        sa += abs(wv) * sm * f64At(vecHA, i);
      }
      setF64(vecT, j, s);
      setF64(vecTA, j, sa);
    }
    ops += n + 3;
    if (q == l) break;
    for (let j = 0; j < m; j++) {
      const sl = cellSlope(v, q, j);
      const y = sl * f64At(vecT, j);
      if (y != 0 && abs(y) < TINY) return false;
      setF64(vecH, j, y);
      setF64(vecHA, j, f64At(vecTA, j));
    }
  }
  const g = gamma(2 * ops) * (1 + gamma(2 * ops));
  const off = 2 * D + unitOffset(l);
  let eps: f64 = 0;
  for (let j = 0; j < rows(l); j++) {
    const bit = off + j;
    const on = ((zeroWord(bit >> 6, v) >> ((bit & 63) as u64)) & 1) != 0;
    setF64(zAt(j), v, on ? 0.0 : f64At(vecT, j));
    eps = max(eps, g * f64At(vecTA, j));
  }
  eps = inflate(eps + f64At(lipT, l) * rad, 4);
  if (!(eps < Infinity)) return false;
  setF64(epsT, v, eps);
  return true;
}


// ---- linear regions ---------------------------------------------------------------------------
//
// Once every unit is in, two regions across a facet of unit k (a sign unit of layer l) have
// output maps that differ by (s_on - s_off) g_k z_k, g_k the gain from k's output to the outputs
// along their common pattern (gain-nd.ts): equal iff (s_on - s_off) g_k = 0. Each facet is visited
// once, at its lowest vertex along phi (as the sections above): a vertex w on k is the lowest of
// the facets through it whose edges at w (one per other zero entry of w, on the facet's side of it)
// all go up. A facet whose maps are certainly different is done; one whose maps are equal (an exact
// zero) joins its two regions, named by their own lowest vertices (found by walking down phi inside
// the region); one the filter cannot decide stops the mesh.

/** Count linear regions too (the caller's setup). */
export let meshLinear = false;
/** Facets whose two regions have the same output map and are not yet one linear region. */
export let meshMerges: f64 = 0;
/** Facets visited (statistics). */
export let meshFacets: f64 = 0;
let linPhase = 0; // 0 before the pass, 1 filling the slots, 2 phi, 3 the facets
let linCursor = 0;
let slotT: usize = 0; // i32 per vertex and (zero entry q, side): the neighbour along that edge, or -1
let phiAll: usize = 0; // f64 per vertex: phi~
let phiAllE: usize = 0; // f64 per vertex: its bound
let regionMask: usize = 0; // W u64: a region's positive mask (scratch)
// zero entries of a vertex (entriesOf), one buffer per caller that may run inside another's loop:
// facetsAt keeps its in blockMax, and calls fillRegion and regionNode (walkEntries), which call
// sharpen (sharpEntries)
const ENTRIES_MAX = 32; // (a vertex lies on D <= 12 surfaces; more is a broken complex)
let walkEntries: usize = 0;
let sharpEntries: usize = 0;
let ufKeys: usize = 0; // open-addressing map (vertex, side bits) -> union-find node
let ufCap = 0;
let ufParent: usize = 0;
let ufCount = 0;
let ufNodeCap = 0;

/** v's zero entries (the surfaces it lies on), in bit order, into dst (i32 each); their number. */
function entriesOf(v: i32, dst: usize): i32 {
  let n = 0;
  for (let k = 0; k < W; k++) {
    let zw = zeroWord(k, v);
    while (zw != 0 && n < ENTRIES_MAX) {
      store<i32>(dst + ((n++ as usize) << 2), (k << 6) + (ctz(zw) as i32));
      zw &= zw - 1;
    }
  }
  return n;
}

/** 1 when the region in regionMask is on the + side of surface s. */
@inline function regionSide(s: i32): i32 {
  return ((load<u64>(regionMask + (((s >> 6) as usize) << 3)) >> ((s & 63) as u64)) & 1) as i32;
}

/** Rank of surface s among v's zero entries (bit order). */
function rankIn(v: i32, s: i32): i32 {
  let r = 0;
  const k = s >> 6;
  for (let j = 0; j < k; j++) r += <i32>popcnt(zeroWord(j, v));
  const below: u64 = ((1 as u64) << ((s & 63) as u64)) - 1;
  return r + <i32>popcnt(zeroWord(k, v) & below);
}

/**
 * The linear pass: every vertex's neighbour slots (from the edges), phi at every vertex, then the
 * facets at their lowest vertices; resumable like a unit's insertion.
 */
function linearPass(): i32 {
  const slots = 2 * D;
  if (linPhase == 0) {
    if (!roomFor(((vCount * slots) as usize) * 4 + ((vCount as usize) << 4))) return fail(3);
    slotT = allocRaw(((vCount * slots) as usize) << 2);
    phiAll = allocRaw((vCount as usize) << 3);
    phiAllE = allocRaw((vCount as usize) << 3);
    regionMask = alloc((W as usize) << 3);
    if (regionMask == 0) return fail(3);
    memory.fill(slotT, 0xff, ((vCount * slots) as usize) << 2);
    work += (vCount * slots) as f64;
    ufCap = 0;
    ufCount = 0;
    ufNodeCap = 0;
    linPhase = 1;
    linCursor = 0;
  }
  if (linPhase == 1) {
    while (linCursor < eCount) {
      const i = linCursor++;
      const a = load<i32>(edgeA + ((i as usize) << 2));
      const b = load<i32>(edgeB + ((i as usize) << 2));
      for (let end = 0; end < 2; end++) {
        const v = end == 0 ? a : b;
        const o = end == 0 ? b : a;
        // the entry the edge leaves at v: on v, not on o; the side: o's sign there
        let s = -1;
        for (let k = 0; k < W; k++) {
          const left = zeroWord(k, v) & ~zeroWord(k, o);
          if (left != 0) s = (k << 6) + (ctz(left) as i32);
        }
        if (s < 0) return fail(2);
        const side = ((posWord(s >> 6, o) >> ((s & 63) as u64)) & 1) as i32;
        store<i32>(slotT + (((v * slots + 2 * rankIn(v, s) + side) as usize) << 2), o);
      }
      if ((linCursor & 255) == 0 && spent(256 * (8 + 2 * W))) return MESH_MORE;
    }
    linPhase = 2;
    linCursor = 0;
  }
  if (linPhase == 2) {
    while (linCursor < vCount) {
      phiOf(linCursor++);
      if ((linCursor & 255) == 0 && spent(256 * 12)) return MESH_MORE;
    }
    linPhase = 3;
    linCursor = 0;
  }
  while (linCursor < vCount) {
    const r = facetsAt(linCursor++);
    if (r != 0) return fail(r);
    if (spent(32 * D)) return MESH_MORE;
  }
  return MESH_DONE;
}

function phiOf(v: i32): void {
  let s: f64 = 0;
  let size: f64 = 0;
  for (let k = 0; k < D; k++) {
    const t = f64At(phiT, k) * f64At(xAt(k), v);
    s += t;
    size += abs(t);
  }
  setF64(phiAll, v, s);
  setF64(phiAllE, v, inflate(phiNorm * f64At(radT, v) + gamma(D) * size + underflow(D), 2 * D + 4));
}

/** 1 when phi(o) > phi(v), 0 when below, -1 when not certified even sharpened. */
function above(o: i32, v: i32): i32 {
  for (let pass = 0; pass < 2; pass++) {
    const d = f64At(phiAll, o) - f64At(phiAll, v);
    const e = inflate(f64At(phiAllE, o) + f64At(phiAllE, v) + U * abs(d), 2);
    if (d > e) return 1;
    if (d < -e) return 0;
    if (floatOnly) return d > 0 ? 1 : 0;
    if (pass == 0) {
      if (!sharpen(v, L) || !sharpen(o, L)) return -1;
      phiOf(v);
      phiOf(o);
    }
  }
  return -1;
}

/**
 * The facets whose lowest vertex is w: for each unit entry k of w, every choice of sides for the
 * other entries whose edges go up. Returns 0, or a failure code.
 */
function facetsAt(w: i32): i32 {
  const slots = 2 * D;
  // w's zero entries, in order (in blockMax), and which sides go up (after them)
  if (entriesOf(w, blockMax) != D) return 2;
  for (let n = 0; n < D; n++) {
    const s = load<i32>(blockMax + ((n as usize) << 2));
    let ups = 0;
    for (let side = s < 2 * D ? 1 : 0; side < 2; side++) {
      const o = load<i32>(slotT + (((w * slots + 2 * n + side) as usize) << 2));
      if (o < 0) return 2;
      const c = above(o, w);
      if (c < 0) return 4;
      ups |= c << side;
    }
    store<i32>(blockMax + (((D + n) as usize) << 2), ups);
  }
  for (let q = 0; q < D; q++) {
    const k = load<i32>(blockMax + ((q as usize) << 2));
    if (k < 2 * D) continue;
    // sides of the other entries: enumerate the up ones (a box side's only side is +)
    let total = 1;
    for (let r = 0; r < D; r++) {
      if (r == q) continue;
      const ups = load<i32>(blockMax + (((D + r) as usize) << 2));
      total *= <i32>popcnt(ups);
    }
    for (let c = 0; c < total; c++) {
      // decode combination c into a side per other entry
      let rest = c;
      let fill = 0; // bit r: entry r on its + side
      for (let r = 0; r < D; r++) {
        if (r == q) continue;
        const ups = load<i32>(blockMax + (((D + r) as usize) << 2));
        const cnt = <i32>popcnt(ups);
        const pick = rest % cnt;
        rest /= cnt;
        // the pick-th set bit of ups
        const side = pick == 0 ? (ctz(ups) as i32) : (31 - (clz(ups) as i32));
        if (side == 1) fill |= 1 << r;
      }
      meshFacets += 1;
      work += 64;
      const g = gainAt(w, q, fill);
      if (g < 0) return 5;
      if (g == 0 && !join(w, q, fill)) return 3;
    }
  }
  return 0;
}

/** Sets regionMask to the positive mask of the region at w with entries filled by `fill` (q's side: `kSide`). */
function fillRegion(w: i32, q: i32, fill: i32, kSide: i32): void {
  for (let k = 0; k < W; k++) store<u64>(regionMask + ((k as usize) << 3), posWord(k, w));
  const n = entriesOf(w, walkEntries);
  for (let r = 0; r < n; r++) {
    const s = load<i32>(walkEntries + ((r as usize) << 2));
    if (s < 2 * D || (r == q ? kSide != 0 : ((fill >> r) & 1) != 0)) {
      const at = regionMask + (((s >> 6) as usize) << 3);
      store<u64>(at, load<u64>(at) | ((1 as u64) << ((s & 63) as u64)));
    }
  }
}

/**
 * Whether the two regions across the facet (w, entry q, the others' sides `fill`) have different
 * output maps: 1 certainly different, 0 certainly equal, -1 not decided.
 */
function gainAt(w: i32, q: i32, fill: i32): i32 {
  const k = load<i32>(blockMax + ((q as usize) << 2));
  const g = k - 2 * D;
  const l = load<i32>(unitLayerT + ((g as usize) << 2));
  const u = g - unitOffset(l);
  const a = act(l);
  const jump: f64 = a == ACT_LEAKY ? 1.0 - alpha(l) : a == ACT_ABS ? 2.0 : 1.0;
  if (jump == 0) return 0;
  if (l == L) return 1; // (the output itself: g = e_u)
  fillRegion(w, q, fill, 1);
  // the column of unit u carried up: v = S_(l+1) W_(l+1)[:, u], then S_m W_m v up to layer L
  const nu = rows(l + 1);
  const w1 = weights(l + 1);
  const c1 = cols(l + 1);
  for (let i = 0; i < nu; i++) {
    const x = f64At(w1, i * c1 + u);
    setF64(vecH, i, x);
    setF64(vecHA, i, abs(x));
  }
  let n = nu;
  let ops = 2;
  for (let m = l + 1; m <= L; m++) {
    // slopes of layer m (L's too: an activation on the outputs), then W_(m+1)
    const am = act(m);
    for (let i = 0; i < n; i++) {
      const bit = 2 * D + unitOffset(m) + i;
      const on = am == ACT_LINEAR || ((load<u64>(regionMask + (((bit >> 6) as usize) << 3)) >> ((bit & 63) as u64)) & 1) != 0;
      const sl = slopeOf(am, m, on);
      const x = f64At(vecH, i) * sl;
      if (x != 0 && abs(x) < TINY) return -1;
      setF64(vecH, i, x);
      setF64(vecHA, i, f64At(vecHA, i) * abs(sl));
    }
    ops += 1;
    if (m == L) break;
    const wn = weights(m + 1);
    const r = rows(m + 1);
    for (let j = 0; j < r; j++) {
      let s: f64 = 0;
      let sa: f64 = 0;
      for (let i = 0; i < n; i++) {
        const wv = f64At(wn, j * n + i);
        const t = wv * f64At(vecH, i);
        if (t != 0 && abs(t) < TINY) return -1;
        s += t;
        sa += abs(wv) * f64At(vecHA, i);
      }
      setF64(vecT, j, s);
      setF64(vecTA, j, sa);
    }
    for (let j = 0; j < r; j++) {
      setF64(vecH, j, f64At(vecT, j));
      setF64(vecHA, j, f64At(vecTA, j));
    }
    ops += n + 1;
    n = r;
  }
  const e = gamma(2 * ops) * (1 + gamma(2 * ops));
  let open = false;
  for (let o = 0; o < n; o++) {
    const x = abs(f64At(vecH, o));
    const b = inflate(e * f64At(vecHA, o), 4);
    if (x > b) return 1;
    if (f64At(vecHA, o) != 0) open = true;
  }
  // every entry within its bound: exactly 0 when every term was an exact 0
  return open ? -1 : 0;
}

/** The union-find node of the region with positive mask regionMask, named by its lowest vertex from w. */
function regionNode(w: i32): i32 {
  const slots = 2 * D;
  let v = w;
  // walk down phi along the region's edges (its sides at v's zero entries) until none goes down
  let moved = true;
  let n = 0;
  while (moved) {
    moved = false;
    n = entriesOf(v, walkEntries);
    for (let r = 0; r < n; r++) {
      const side = regionSide(load<i32>(walkEntries + ((r as usize) << 2)));
      const o = load<i32>(slotT + (((v * slots + 2 * r + side) as usize) << 2));
      if (o < 0) return -1;
      const c = above(o, v);
      if (c < 0) return -1;
      if (c == 0) {
        v = o;
        moved = true;
        break;
      }
    }
  }
  // the name: the vertex and the region's sides at its zero entries (walkEntries holds them)
  let bits = 0;
  for (let r = 0; r < n; r++) bits |= regionSide(load<i32>(walkEntries + ((r as usize) << 2))) << r;
  const key: u64 = ((v as u64) << 16) | (bits as u64);
  return ufNode(key);
}

/** The node for `key` (vertex << 16 | sides), made on first use; -1 when memory ran out. */
function ufNode(key: u64): i32 {
  if (2 * (ufCount + 1) > ufCap) {
    // (re)hash into a table twice as large
    const cap = max(1024, ufCap * 2);
    const keys = alloc((cap as usize) << 4); // key u64 + 1, node i32, pad
    if (keys == 0) return -1;
    for (let i = 0; i < ufCap; i++) {
      const e = ufKeys + ((i as usize) << 4);
      const k1 = load<u64>(e);
      if (k1 == 0) continue;
      let j = (splitmix(k1) as i32) & (cap - 1);
      while (load<u64>(keys + ((j as usize) << 4)) != 0) j = (j + 1) & (cap - 1);
      store<u64>(keys + ((j as usize) << 4), k1);
      store<i32>(keys + ((j as usize) << 4), load<i32>(e, 8), 8);
    }
    ufKeys = keys;
    ufCap = cap;
  }
  if (ufCount + 1 > ufNodeCap) {
    const cap = max(1024, ufNodeCap * 2);
    const parent = alloc((cap as usize) << 2);
    if (parent == 0) return -1;
    if (ufCount > 0) memory.copy(parent, ufParent, (ufCount as usize) << 2);
    ufParent = parent;
    ufNodeCap = cap;
  }
  const k1 = key + 1;
  let j = (splitmix(k1) as i32) & (ufCap - 1);
  while (true) {
    const e = ufKeys + ((j as usize) << 4);
    const have = load<u64>(e);
    if (have == k1) return load<i32>(e, 8);
    if (have == 0) {
      store<u64>(e, k1);
      store<i32>(e, ufCount, 8);
      store<i32>(ufParent + ((ufCount as usize) << 2), ufCount);
      return ufCount++;
    }
    j = (j + 1) & (ufCap - 1);
  }
}

function ufFind(x: i32): i32 {
  let r = x;
  while (load<i32>(ufParent + ((r as usize) << 2)) != r) r = load<i32>(ufParent + ((r as usize) << 2));
  while (x != r) {
    const p = load<i32>(ufParent + ((x as usize) << 2));
    store<i32>(ufParent + ((x as usize) << 2), r);
    x = p;
  }
  return r;
}

/** Joins the two regions across the facet (w, q, fill); false when memory ran out or a walk failed. */
function join(w: i32, q: i32, fill: i32): bool {
  fillRegion(w, q, fill, 1);
  const a = regionNode(w);
  fillRegion(w, q, fill, 0);
  const b = regionNode(w);
  if (a < 0 || b < 0) return false;
  const ra = ufFind(a);
  const rb = ufFind(b);
  if (ra != rb) {
    store<i32>(ufParent + ((ra as usize) << 2), rb);
    meshMerges += 1;
  }
  return true;
}
