// Can two regions across a face of unit c ever have the same output map? (n-D linear regions.)
//
// Two regions that meet on a facet where only unit c (a sign unit of layer l) vanishes share every
// other unit's state, so their output maps differ by (s_on - s_off) * g_c * z_c, where z_c is c's
// pre-activation (non-constant: its row split a cell), s_on - s_off the jump of c's slope (1 for
// ReLU, 1 - alpha for leaky ReLU, 2 for abs) and g_c the gain from c's output to the network's
// outputs along the region's pattern:
//   g_c = column c of  G_l = W_{l+1}^T-chain:  G_L = I,  G_{m-1} = G_m S_m W_m,
// with S_m the diagonal of the slopes of layer m's units in this region. The maps are equal iff
// (s_on - s_off) g_c = 0. When g_c is certainly non-zero the face can never join the two regions,
// so it needs no facet proof (an LP) and is not filed: that is what a work unit's rows made before
// the split (depth -1, see units-nd.ts) needed before every face was filed.
//
// Certified in float64: every product of non-zeros is checked to be normal (no underflow: each
// operation then has a relative error at most u) and the sums finite; a chain of matrix products
// then has |fl(G) - G| <= gamma_N |W_L||S||W|...  (Higham, Accuracy and Stability, sec. 3.5), N the
// operations along the chain. The product of absolute values is bounded once per count by the same
// chain with every slope replaced by the largest |slope| of its layer (A below, computed in float
// without underflow, so exact <= A / (1 - gamma_N)). An entry of G above twice gamma_N A is
// non-zero; anything the filter cannot decide goes to the exact facet proof as before.
// Per region only the signed chain is computed, skipping the units whose slope is 0 (ReLU off).
import { alloc, allocRaw, memoryLimit, memoryTop } from './memory';
import { ACT_LEAKY, ACT_LINEAR, ACT_MAXOUT, ACT_RELU, act, alpha, cols, L, outUnits, rows, totalUnits, units, unitOffset, weights } from './network';
import { gamma, inflate, U } from './float';

let post: usize = 0; // per layer: outUnits x units(l), d output / d post-activation (float)
let bound: usize = 0; // per layer: A (see the header), the same shape
let offT: usize = 0; // i32 per layer: first f64 of layer l's block
let opsT: usize = 0; // i32 per layer: operations along the chain from L down to layer l
let minWT: usize = 0; // f64 per layer: the smallest non-zero |weight| (underflow check)
let relT: usize = 0; // f64 per layer: 2 gamma_{N+2}, N the operations along the chain down to it
let colMark: usize = 0; // f64 per unit: 1 + the region whose gain entries of that unit's column are in `post`
let pre: usize = 0; // outUnits x rows(m): the current layer's gain times its slopes
let certifiedFrom: i32 = 0; // A holds for layers >= certifiedFrom (a maxout layer or an underflow stops it)
let validFrom: i32 = 0; // layers >= validFrom hold the current region's gains
let region: f64 = -1; // the region they belong to
let chainFailed = false; // a step of this region's chain could not be certified

/** A product of non-zero floats below this may have underflowed (lost more than a relative u). */
const TINY: f64 = 9.332636185032189e-302; // 2^-1000

@inline function block(t: usize, l: i32): usize {
  return t + ((load<i32>(offT + ((l as usize) << 2)) as usize) << 3);
}

/** The largest |slope| of a sign (or linear) layer. */
function slopeBound(m: i32): f64 {
  return act(m) == ACT_LEAKY ? max(1.0, abs(alpha(m))) : 1.0;
}

/**
 * Reserves the buffers and computes the bound A (at set-up, n-D engine with linear regions).
 * False when memory ran out.
 */
export function gainReserve(): bool {
  offT = alloc(((L + 2) as usize) << 2);
  opsT = alloc(((L + 2) as usize) << 2);
  minWT = alloc(((L + 2) as usize) << 3);
  relT = alloc(((L + 2) as usize) << 3);
  colMark = alloc(((totalUnits + 1) as usize) << 3);
  if (colMark == 0) return false;
  let total = 0;
  let widest = 0;
  for (let l = 1; l <= L; l++) {
    store<i32>(offT + ((l as usize) << 2), total);
    total += outUnits * units(l);
    widest = max(widest, rows(l));
    let m = Infinity;
    const w = weights(l);
    for (let k = 0; k < rows(l) * cols(l); k++) {
      const v = abs(load<f64>(w + ((k as usize) << 3)));
      if (v != 0) m = min(m, v);
    }
    store<f64>(minWT + ((l as usize) << 3), m);
  }
  post = alloc((max(total, 1) as usize) << 3);
  chainLayer = 0;
  setsLayer = 0;
  bound = alloc((max(total, 1) as usize) << 3);
  pre = alloc((max(outUnits * widest, 1) as usize) << 3);
  region = -1;
  if (pre == 0) return false;
  // A_L = I; A_{m-1} = A_m smax_m |W_m| while every product is 0 or normal and every sum finite
  const top = block(bound, L);
  for (let o = 0; o < outUnits; o++) store<f64>(top + (((o * outUnits + o) as usize) << 3), 1.0);
  store<i32>(opsT + ((L as usize) << 2), 0);
  certifiedFrom = L;
  for (let m = L; m >= 2; m--) {
    if (act(m) == ACT_MAXOUT) break;
    const r = rows(m);
    const c = cols(m);
    const w = weights(m);
    const sm = slopeBound(m);
    const src = block(bound, m);
    const dst = block(bound, m - 1);
    let ok = true;
    for (let o = 0; o < outUnits && ok; o++) {
      for (let j = 0; j < c && ok; j++) {
        let sum: f64 = 0;
        for (let i = 0; i < r; i++) {
          const x = load<f64>(src + (((o * r + i) as usize) << 3));
          const xs = x * sm;
          const wij = abs(load<f64>(w + (((i * c + j) as usize) << 3)));
          const p = xs * wij;
          if (x != 0 && (xs < TINY || (wij != 0 && p < TINY))) ok = false;
          sum += p;
        }
        if (!(sum < Infinity)) ok = false;
        store<f64>(dst + (((o * c + j) as usize) << 3), sum);
      }
    }
    if (!ok) break;
    store<i32>(opsT + (((m - 1) as usize) << 2), load<i32>(opsT + ((m as usize) << 2)) + r + 1);
    certifiedFrom = m - 1;
  }
  // the relative bound per layer, 2 gamma_{N+2}, once per count
  for (let l = certifiedFrom; l <= L; l++) {
    store<f64>(relT + ((l as usize) << 3), 2.0 * gamma(load<i32>(opsT + ((l as usize) << 2)) + 2));
  }
  return true;
}

/** The slope of a sign unit (or a linear one) in state s. */
@inline function slope(a: i32, l: i32, s: i32): f64 {
  if (a == ACT_LINEAR || s == 1) return 1.0;
  if (a == ACT_RELU) return 0.0;
  if (a == ACT_LEAKY) return alpha(l);
  return -1.0;
}

/** G_{m-1} from G_m (see the header); false when a product may have underflowed. */
function stepDown(m: i32, pattern: usize): bool {
  const dst = block(post, m - 1);
  memory.fill(dst, 0, ((outUnits * cols(m)) as usize) << 3);
  const off = unitOffset(m);
  for (let i = 0; i < rows(m); i++) {
    if (!addRow(m, i, load<u8>(pattern + ((off + i) as usize)) as i32, dst)) return false;
  }
  return true;
}

/**
 * Row i of layer m's terms of G_{m-1} (unit i in state st) added to dst (outUnits x cols(m)): for
 * each output o, G_m[o, i] * slope * W_m[i, :]. Each entry of G_{m-1} is the sum of these terms
 * over i, added in any order (the bound of the header holds for every order). False when a product
 * may have underflowed.
 */
@inline function addRow(m: i32, i: i32, st: i32, dst: usize): bool {
  const r = rows(m);
  const c = cols(m);
  const s = slope(act(m), m, st);
  const src = block(post, m);
  const row = weights(m) + (((i * c) as usize) << 3);
  const minW = load<f64>(minWT + ((m as usize) << 3));
  for (let o = 0; o < outUnits; o++) {
    const g = load<f64>(src + (((o * r + i) as usize) << 3));
    const x = g * s;
    if (x == 0) {
      if (g != 0 && s != 0) return false; // underflowed
      continue;
    }
    // every product x * w with w != 0 is then normal
    if (abs(x) < TINY || abs(x) * minW < TINY) return false;
    const out = dst + (((o * c) as usize) << 3);
    for (let j = 0; j < c; j++) {
      const q = out + ((j as usize) << 3);
      store<f64>(q, load<f64>(q) + x * load<f64>(row + ((j as usize) << 3)));
    }
  }
  return true;
}

// ---- the leaf count's regions (vertex-nd.ts, vertexLeaves) -----------------------------------------
// The regions of one cell that starts the last sign layer l differ only in the states of that
// layer's units still undecided on the cell (the list). G_l is the same for all of them, and so is
// the part of G_{l-1} that the other units of layer l give: it is summed once per cell (the base),
// and each region adds its list units' terms to it.

/**
 * The eight bytes at p, each 0 or 1 (unit states, marks), as eight bits, byte k to bit k: one
 * product gathers them. The caller masks the bits past its units (lowBits).
 */
@inline function packed8(p: usize): u32 {
  return <u32>(((load<u64>(p) & 0x0101010101010101) * 0x0102040810204080) >> 56);
}

/** The n lowest of eight bits (all eight when n >= 8). */
@inline function lowBits(n: i32): u32 {
  return n >= 8 ? 0xff : ((1 as u32) << (n as u32)) - 1;
}

let leafBase: usize = 0; // outUnits x cols(l)
let leafMark: usize = 0; // u8 per unit of layer l: in the list
let leafBaseOk = false;
let leafCellOn: u64 = 0; // the units of layer l on at every point of the leaf count's cell (setsLayer == l)
let chainLayer = 0; // the layer l whose G_L .. G_l `post` holds for every cell (0: none yet)

// The base of a ReLU layer by groups of GROUP units: G_l is the same on every cell (the layers
// after l are linear), so a group's sum over a given set of its units that are on is the same
// vector wherever that set comes back. Each is summed the first time it is needed and kept; the
// base is then the sum of at most units(l) / GROUP kept vectors instead of one row per unit on.
// That is a summation tree over the same terms, and the header's bound holds for every order.
// (3-32-32-32-1: 35,100 cells, 4 groups of 8.) Kept only while it takes at most GROUPS_MAX bytes.
const GROUP = 8;
const GROUPS_MAX: usize = 1 << 20;
let groupSums: usize = 0; // per group and set of on units (2^GROUP of them): outUnits x cols(l) f64
let groupState: usize = 0; // u8 for each: 0 not summed yet, 1 summed, 2 a term may underflow
let groupLayer = 0; // the layer they are for (0: not set up)

function groupsReady(l: i32): bool {
  if (groupLayer == l) return groupState != 0;
  groupLayer = l;
  groupSums = 0;
  groupState = 0;
  const slots = ((((rows(l) + GROUP - 1) / GROUP) << GROUP) as usize);
  const bytes = slots * (((outUnits * cols(l)) as usize) << 3);
  // (optional: never the allocation that fails a count)
  if (bytes > GROUPS_MAX || memoryTop() + bytes + slots + (1 << 20) > memoryLimit) return false;
  groupSums = allocRaw(bytes);
  groupState = alloc(slots);
  return groupState != 0;
}

/**
 * The base for a cell whose layer-l states are in `pattern` (the m units of `list`, i32, left
 * out); false when memory ran out. Without a base (a product that may underflow, or no layer
 * below l), gainLeafRegion leaves each region to the chain of gainSeparates.
 */
export function gainLeafBase(l: i32, pattern: usize, list: usize, m: i32): bool {
  region = -1;
  leafBaseOk = false;
  activeLayer = 0;
  if (l < 2 || act(l) == ACT_MAXOUT || l - 1 < certifiedFrom) return true;
  if (leafBase == 0) {
    let widest = 0;
    for (let k = 1; k <= L; k++) widest = max(widest, max(cols(k), rows(k)));
    leafBase = alloc(((outUnits * widest) as usize) << 3);
    leafMark = alloc((widest + 8) as usize); // (8 bytes of room: packed8 reads eight at a time)
    if (leafMark == 0) return false;
  }
  if (chainLayer != l) {
    // G_L down to G_l: the same on every cell (the layers after l are linear), so made once per
    // count; nothing writes other values there (gainSeparates and stepDown make the same sums)
    const top = block(post, L);
    for (let o = 0; o < outUnits; o++) {
      for (let j = 0; j < outUnits; j++) store<f64>(top + (((o * outUnits + j) as usize) << 3), o == j ? 1.0 : 0.0);
    }
    for (let k = L; k > l; k--) if (!stepDown(k, pattern)) return true;
    chainLayer = l;
    setsSetUp(l);
  }
  for (let j = 0; j < m; j++) store<u8>(leafMark + (load<i32>(list + ((j as usize) << 2)) as usize), 1);
  memory.fill(leafBase, 0, ((outUnits * cols(l)) as usize) << 3);
  const off = unitOffset(l);
  // (the units of layer l on at every point of the cell, for setsCertified's facets: not listed, on)
  leafCellOn = 0;
  if (setsLayer == l) {
    const n = rows(l);
    for (let g = 0; g < n; g += 8) {
      leafCellOn |= ((packed8(pattern + ((off + g) as usize)) & ~packed8(leafMark + (g as usize)) & lowBits(n - g)) as u64) << (g as u64);
    }
  }
  let ok = true;
  if (act(l) == ACT_RELU && groupsReady(l)) {
    // (ReLU: a unit adds a term only when on; the base is the sum of its groups' kept sums)
    const n = rows(l);
    const width = outUnits * cols(l);
    const stride = (width as usize) << 3;
    for (let g0 = 0; g0 < n && ok; g0 += GROUP) {
      // (the group's units on and not listed, eight bytes at a time)
      const key = <i32>(packed8(pattern + ((off + g0) as usize)) & ~packed8(leafMark + (g0 as usize)) & lowBits(n - g0));
      if (key == 0) continue;
      const slot = ((g0 / GROUP) << GROUP) + key;
      const vec = groupSums + (slot as usize) * stride;
      let st = load<u8>(groupState + (slot as usize));
      if (st == 0) {
        memory.fill(vec, 0, stride);
        st = 1;
        for (let b = 0; b < GROUP; b++) {
          if (((key >> b) & 1) != 0 && !addRow(l, g0 + b, 1, vec)) {
            st = 2;
            break;
          }
        }
        store<u8>(groupState + (slot as usize), st);
      }
      if (st == 2) {
        ok = false;
        break;
      }
      for (let q = 0; q < width; q++) {
        const at = leafBase + ((q as usize) << 3);
        store<f64>(at, load<f64>(at) + load<f64>(vec + ((q as usize) << 3)));
      }
    }
  } else {
    for (let i = 0; i < rows(l) && ok; i++) {
      if (load<u8>(leafMark + (i as usize)) != 0) continue;
      ok = addRow(l, i, load<u8>(pattern + ((off + i) as usize)) as i32, leafBase);
    }
  }
  for (let j = 0; j < m; j++) store<u8>(leafMark + (load<i32>(list + ((j as usize) << 2)) as usize), 0);
  leafBaseOk = ok;
  // the units of layer l - 1 with a non-zero slope on the cell, for the entries of G_{l-2}
  const below = l - 1;
  if (ok && act(below) != ACT_MAXOUT) {
    if (activeIdx == 0) {
      let widest = 0;
      for (let k = 1; k <= L; k++) widest = max(widest, rows(k));
      activeIdx = alloc((widest as usize) << 2);
      activeSlope = alloc((widest as usize) << 3);
      if (activeSlope == 0) return false;
    }
    const ab = act(below);
    const ob = unitOffset(below);
    const nb = rows(below);
    activeCount = 0;
    activeLeast = 1.0;
    if (ab == ACT_RELU) {
      // (the units on, eight states at a time: slope 1)
      for (let g = 0; g < nb; g += 8) {
        let on = packed8(pattern + ((ob + g) as usize)) & lowBits(nb - g);
        while (on != 0) {
          store<i32>(activeIdx + ((activeCount as usize) << 2), g + (ctz<u32>(on) as i32));
          store<f64>(activeSlope + ((activeCount as usize) << 3), 1.0);
          activeCount++;
          on &= on - 1;
        }
      }
    } else {
      for (let i = 0; i < nb; i++) {
        const sl = slope(ab, below, load<u8>(pattern + ((ob + i) as usize)) as i32);
        if (sl == 0) continue;
        store<i32>(activeIdx + ((activeCount as usize) << 2), i);
        store<f64>(activeSlope + ((activeCount as usize) << 3), sl);
        activeLeast = min(activeLeast, abs(sl));
        activeCount++;
      }
    }
    activeLayer = below;
  }
  return true;
}

// (during a leaf count: the layer whose units' slopes are fixed on the cell, listed where they are
// not 0; entryDown's sum over them is the same sum in the same order, the zero terms skipped as it
// skips them)
let activeLayer = 0;
let activeIdx: usize = 0; // i32 per listed unit
let activeSlope: usize = 0; // f64 per listed unit
let activeCount = 0;
let activeLeast: f64 = 1; // the least |slope| among them

/** The leaf count is over: entries of G go back to reading the pattern. */
export function gainLeafEnd(): void {
  activeLayer = 0;
}

/**
 * entryDown(m, pattern, o, j) over the listed units of layer m = activeLayer. (The underflow checks
 * of each term stay written out in entryDown and in addRow: one shared helper there measured 3%
 * slower on 3-D counts with linear regions.)
 */
function entryDownActive(m: i32, o: i32, j: i32): f64 {
  return activeSum(block(post, m) + (((o * rows(m)) as usize) << 3), weights(m), cols(m), j, load<f64>(minWT + ((m as usize) << 3)));
}

let activeAbs: f64 = 0; // the sum of the absolute values of activeSum's last terms

/**
 * sum over the listed units i (activeIdx, activeSlope) of x[i] s_i W[i, j], W with c columns (the
 * same sum, in the same order, as entryDown makes over the units whose slope is not 0); the sum of
 * the terms' absolute values into activeAbs. NaN when a product may have underflowed: each must be
 * an exact 0 (x[i] = 0) or, with every non-zero |W| at least minW, normal.
 */
@inline function activeSum(x: usize, w: usize, c: i32, j: i32, minW: f64): f64 {
  let sum: f64 = 0;
  let size: f64 = 0;
  for (let k = 0; k < activeCount; k++) {
    const i = load<i32>(activeIdx + ((k as usize) << 2));
    const g = load<f64>(x + ((i as usize) << 3));
    const xs = g * load<f64>(activeSlope + ((k as usize) << 3));
    if (xs == 0) {
      if (g != 0) return NaN;
      continue;
    }
    if (abs(xs) < TINY || abs(xs) * minW < TINY) return NaN;
    const t = xs * load<f64>(w + (((i * c + j) as usize) << 3));
    sum += t;
    size += abs(t);
  }
  activeAbs = size;
  return sum;
}

/**
 * activeSum where no product can underflow (productsNormal): the same terms added in the same
 * order, without a test per term (a zero x[i] adds a zero, which leaves the sum's value as it is).
 */
@inline function activeSumNormal(x: usize, w: usize, c: i32, j: i32): f64 {
  let sum: f64 = 0;
  for (let k = 0; k < activeCount; k++) {
    const i = load<i32>(activeIdx + ((k as usize) << 2));
    sum += load<f64>(x + ((i as usize) << 3)) * load<f64>(activeSlope + ((k as usize) << 3)) * load<f64>(w + (((i * c + j) as usize) << 3));
  }
  return sum;
}

/**
 * Whether every non-zero product x s W of activeSum is normal when every non-zero |x| is at least
 * minX and every non-zero |W| at least minW: rounding is monotone, so each product of non-zero
 * factors is at least the float product of the least ones, checked here to be at least 2^-999.
 */
@inline function productsNormal(minX: f64, minW: f64): bool {
  return productsNormalFor(minX, activeLeast, minW);
}

/** productsNormal with the least |slope| given (also the test hook testProductsNormal). */
export function productsNormalFor(minX: f64, least: f64, minW: f64): bool {
  const xs = minX * least;
  return xs >= 2 * TINY && xs * minW >= 2 * TINY;
}

// The leaf count goes depth-first, deciding the list's units in order, so each of its levels keeps
// the base plus the terms of the units decided so far on its path (a split copies it to the level
// it pushes): a region's G_{l-1} is then the same sum, in the same order, as the base plus its list
// units' terms added one by one, without adding them again for every region.
let leafStack: usize = 0; // per level: outUnits x cols(l) f64
let leafFailed: usize = 0; // u8 per level: a term of its path may have underflowed
let leafLevels = 0;
let leafStride: usize = 0;

/** Level 0 of the leaf count's sums: the base (after gainLeafBase); false when memory ran out. */
export function gainLeafStart(l: i32, levels: i32): bool {
  if (!leafBaseOk) return true;
  leafStride = ((outUnits * cols(l)) as usize) << 3;
  if (leafLevels < levels || leafStride * (levels as usize) > leafStackBytes) {
    leafStackBytes = leafStride * (levels as usize);
    leafStack = alloc(leafStackBytes);
    leafFailed = alloc(levels as usize);
    leafLevels = levels;
    if (leafFailed == 0) return false;
  }
  memory.copy(leafStack, leafBase, leafStride);
  store<u8>(leafFailed, 0);
  return true;
}
let leafStackBytes: usize = 0;

/** Level t's path decides unit u of layer l in state st: its term is added. */
export function gainLeafDecide(t: i32, l: i32, u: i32, st: i32): void {
  if (!leafBaseOk) return;
  const f = leafFailed + (t as usize);
  if (load<u8>(f) == 0 && !addRow(l, u, st, leafStack + (t as usize) * leafStride)) store<u8>(f, 1);
}

/** Level t's cell splits on unit u: level t + 1 gets the positive side's sums, level t the negative's. */
export function gainLeafSplit(t: i32, l: i32, u: i32): void {
  if (!leafBaseOk) return;
  const at = leafStack + (t as usize) * leafStride;
  memory.copy(at + leafStride, at, leafStride);
  store<u8>(leafFailed + ((t + 1) as usize), load<u8>(leafFailed + (t as usize)));
  gainLeafDecide(t + 1, l, u, 1);
  gainLeafDecide(t, l, u, 0);
}

/**
 * The gains of region `id`, the leaf at level t (its layer-l states in `pattern`): G_l as it
 * stands, G_{l-1} from the level's sums. gainSeparates then goes on from there.
 */
export function gainLeafRegion(id: f64, t: i32, l: i32): void {
  if (!leafBaseOk) {
    region = -1;
    return;
  }
  region = id;
  validFrom = l;
  // (a failed term: G_l still holds, and the layer-(l - 1) entries come from it one by one)
  chainFailed = load<u8>(leafFailed + (t as usize)) != 0;
  if (chainFailed) return;
  memory.copy(block(post, l - 1), leafStack + (t as usize) * leafStride, leafStride);
  validFrom = l - 1;
}

/**
 * True when the output maps of the two regions across a face where only unit u of layer l (a sign
 * unit) vanishes are certainly different; `id` names the region (its pattern, all layers, at
 * `pattern`), so the gains are computed once per region. False: not decided here.
 */
export function gainSeparates(id: f64, l: i32, u: i32, pattern: usize): bool {
  const a = act(l);
  if (a == ACT_MAXOUT || a == ACT_LINEAR || l < certifiedFrom) return false;
  if (a == ACT_LEAKY && alpha(l) == 1.0) return false; // no jump in slope: the maps are equal
  if (region != id) {
    region = id;
    // G_L = I
    const top = block(post, L);
    for (let o = 0; o < outUnits; o++) {
      for (let j = 0; j < outUnits; j++) store<f64>(top + (((o * outUnits + j) as usize) << 3), o == j ? 1.0 : 0.0);
    }
    validFrom = L;
    chainFailed = false;
  }
  // the full chain down to layer l + 1; layer l's entry for unit u alone (a region's faces are on
  // a few units of each layer: one dot product each instead of a matrix product)
  while (validFrom > l + 1 && !chainFailed) {
    // (not certified: this region's faces on lower layers go the exact way)
    if (stepDown(validFrom, pattern)) validFrom--;
    else chainFailed = true;
  }
  if (validFrom > l + 1) return false;
  const n = units(l);
  const g = block(post, l);
  const A = block(bound, l);
  const e = load<f64>(relT + ((l as usize) << 3));
  const mark = colMark + (((unitOffset(l) + u) as usize) << 3);
  if (validFrom > l && load<f64>(mark) != id + 1) {
    // (kept in G_l's block, marked with the region: a face is asked about more than once)
    for (let o = 0; o < outUnits; o++) {
      const v = activeLayer == l + 1 ? entryDownActive(l + 1, o, u) : entryDown(l + 1, pattern, o, u);
      if (v != v) return false; // (a product may have underflowed)
      store<f64>(g + (((o * n + u) as usize) << 3), v);
    }
    store<f64>(mark, id + 1);
  }
  for (let o = 0; o < outUnits; o++) {
    const q = ((o * n + u) as usize) << 3;
    if (abs(load<f64>(g + q)) > inflate(e * load<f64>(A + q), 4)) return true;
  }
  return false;
}

/**
 * Entry (o, j) of G_{m-1} from G_m: the same sum, in the same order, as stepDown computes it (so
 * the same bound holds); NaN when a product may have underflowed.
 */
function entryDown(m: i32, pattern: usize, o: i32, j: i32): f64 {
  const a = act(m);
  const r = rows(m);
  const c = cols(m);
  const w = weights(m);
  const src = block(post, m);
  const off = unitOffset(m);
  const minW = load<f64>(minWT + ((m as usize) << 3));
  let sum: f64 = 0;
  for (let i = 0; i < r; i++) {
    const s = slope(a, m, load<u8>(pattern + ((off + i) as usize)) as i32);
    const g = load<f64>(src + (((o * r + i) as usize) << 3));
    const x = g * s;
    if (x == 0) {
      if (g != 0 && s != 0) return NaN;
      continue;
    }
    if (abs(x) < TINY || abs(x) * minW < TINY) return NaN;
    sum += x * load<f64>(w + (((i * c + j) as usize) << 3));
  }
  return sum;
}

// ---- the leaf count by sections (vertex-nd.ts, sectionCount): no region is visited -------------

// Facets of layer l - 1 certified once per count, for all their cells (ReLU layer l, one output).
// G_{l-1}[0, v] on a region is the sum over the units u of layer l that are on there of
// t_u = G_l[0, u] W_l[u, v], and G_l is the same on every cell (the layers after l are linear). So
// when every non-empty set S of the units with t_u != 0 has a sum certified non-zero, a facet on v
// joins nothing as soon as one of them is on at all its points, whatever the others' states. The
// least |sum| over the 2^k sets comes from two halves (meet in the middle): each half's sums
// sorted (each unit's sums merged into the list: adding a number keeps the order), then one sweep
// of the two lists. Made for a unit v the first time a facet on it is asked (for k up to
// SETS_MAX: 2^(SETS_MAX / 2) sums per half).
const SETS_MAX = 24;
let setsNz: usize = 0; // u64 per unit v of layer l - 1: the units u with t_u != 0
let setsOk: usize = 0; // u8 per v: 0 not made yet, 1 every non-empty set of them has a certified non-zero sum, 2 not
let setsAsked: usize = 0; // i32 per v: facets on v asked for so far
let setsA: usize = 0; // the first half's sums, sorted
let setsB: usize = 0; // the second half's
let setsTmp: usize = 0; // (merging)
let setsTerms: usize = 0; // the terms of one unit v (64 f64)
let setsCap = 0; // sums each buffer holds
let setsLayer = 0; // the layer l they are for (0: none)
export let setsHits: f64 = 0; // facets they certified (statistics)
let setsEager = false; // (tests: made at the first facet asked)
export function setSetsEager(on: bool): void { setsEager = on; }

/** setsNz for the facets of layer l - 1, once per count (after G_L .. G_l are made). */
function setsSetUp(l: i32): void {
  setsLayer = 0;
  if (outUnits != 1 || act(l) != ACT_RELU || l < 2 || l - 1 < certifiedFrom || units(l) > 64) return;
  const ab = act(l - 1);
  if (ab == ACT_MAXOUT || ab == ACT_LINEAR || (ab == ACT_LEAKY && alpha(l - 1) == 1.0)) return;
  const n = units(l);
  const c = cols(l);
  setsNz = alloc((c as usize) << 3);
  setsAsked = alloc((c as usize) << 2);
  setsOk = alloc(c as usize);
  if (setsOk == 0) return;
  const G = block(post, l);
  const w = weights(l);
  const minW = load<f64>(minWT + ((l as usize) << 3));
  for (let v = 0; v < c; v++) {
    // the non-zero terms (each as addRow makes it, with its underflow checks: a product that may
    // have underflowed leaves v to the search)
    let nz: u64 = 0;
    for (let u = 0; u < n; u++) {
      const g = load<f64>(G + ((u as usize) << 3));
      if (g == 0) continue;
      if (abs(g) < TINY || abs(g) * minW < TINY) {
        store<u8>(setsOk + (v as usize), 2);
        break;
      }
      if (g * load<f64>(w + (((u * c + v) as usize) << 3)) != 0) nz |= (1 as u64) << (u as u64);
    }
    store<u64>(setsNz + ((v as usize) << 3), nz);
  }
  setsLayer = l;
}

/** The sorted sums of the sets of the k terms at `terms` into `dst`: 2^k of them. */
function setSums(terms: usize, k: i32, dst: usize): i32 {
  let n = 1;
  store<f64>(dst, 0);
  for (let i = 0; i < k; i++) {
    const t = load<f64>(terms + ((i as usize) << 3));
    // the list with t added to each sum is sorted too: the two merged
    let p = 0;
    let r = 0;
    let o = 0;
    while (o < 2 * n) {
      const x = p < n ? load<f64>(dst + ((p as usize) << 3)) : Infinity;
      const y = r < n ? load<f64>(dst + ((r as usize) << 3)) + t : Infinity;
      const takeX = r >= n || (p < n && x <= y);
      store<f64>(setsTmp + ((o++ as usize) << 3), takeX ? x : y);
      p += <i32>takeX;
      r += <i32>!takeX;
    }
    n <<= 1;
    memory.copy(dst, setsTmp, (n as usize) << 3);
  }
  return n;
}

/**
 * The least |fl(â + b̂)| over the non-empty sets of the k finite terms at `terms` (at most
 * SETS_MAX), â and b̂ the float sums of the set's part among the first (k + 1) / 2 terms and among
 * the others (each summed in the terms' order); -1 when memory ran out.
 */
function leastSetSum(terms: usize, k: i32): f64 {
  const h1 = (k + 1) >> 1;
  const need = 1 << h1;
  if (setsCap < need) {
    setsA = allocRaw((need as usize) << 3);
    setsB = allocRaw((need as usize) << 3);
    setsTmp = allocRaw((need as usize) << 3);
    if (setsTmp == 0) return -1;
    setsCap = need;
  }
  const nb = setSums(terms + ((h1 as usize) << 3), k - h1, setsB);
  // the sets with an empty first half: the second half's sums but one 0 (the empty set's)
  let least: f64 = Infinity;
  let zeros = 0;
  for (let q = 0; q < nb; q++) {
    const x = load<f64>(setsB + ((q as usize) << 3));
    zeros += <i32>(x == 0);
    least = x == 0 ? least : min(least, abs(x));
  }
  if (zeros > 1) least = 0;
  // the others: the first half's non-empty sums (one 0 dropped: the empty set's) against all of the
  // second's, in one sweep (fl(a + b) grows with a and with b, so for each a the least |fl(a + b)|
  // is next to where the sums change sign)
  let na = setSums(terms, h1, setsA);
  let z = 0;
  while (load<f64>(setsA + ((z as usize) << 3)) != 0) z++;
  memory.copy(setsA + ((z as usize) << 3), setsA + (((z + 1) as usize) << 3), ((na - z - 1) as usize) << 3);
  na--;
  let i = 0;
  let j = nb - 1;
  while (i < na && j >= 0) {
    const x = load<f64>(setsA + ((i as usize) << 3)) + load<f64>(setsB + ((j as usize) << 3));
    least = min(least, abs(x));
    if (x > 0) j--;
    else i++;
  }
  return least;
}

/** Test hook: leastSetSum of the k terms at setsTerms. */
export function setsTest(k: i32): f64 {
  return leastSetSum(setsTerms, k);
}
/** Test hook: where setsTest reads its terms (64 f64). */
export function setsTestTerms(): usize {
  if (setsTerms == 0) setsTerms = allocRaw(64 << 3);
  return setsTerms;
}

/**
 * A facet of the leaf cell on unit v of layer l - 1 (`on`: the list units on at all its points)
 * certified by the set sums: one of v's units with a non-zero term is on at all the facet's points
 * (not listed and on in the cell, or listed in `on`), and every set of those units has a certified
 * non-zero sum, so G_{l-1}[0, v] is non-zero for every state of the units that cross the facet.
 */
export function setsFacet(l: i32, v: i32, list: usize, on: u64): bool {
  if (setsLayer != l || !setsCertified(l, v)) return false;
  let at = leafCellOn;
  let listed = on;
  while (listed != 0) {
    at |= (1 as u64) << (load<i32>(list + ((ctz<u64>(listed) as usize) << 2)) as u64);
    listed &= listed - 1;
  }
  if ((at & load<u64>(setsNz + ((v as usize) << 3))) == 0) return false;
  setsHits += 1;
  return true;
}

/**
 * Whether every non-empty set of v's units with non-zero terms has a certified non-zero sum (made
 * the first time). With a and b the exact sums of a set's two halves' float terms and â, b̂ their
 * float sums (at most h additions each, h the larger half), |a - â| + |b - b̂| <= gamma_h sum |t_u|;
 * the exact entry is within e A of a + b (the header's bound, any states); |fl(â + b̂)| <=
 * (1 + u) |â + b̂|. So with m the least |fl(â + b̂)| over the non-empty sets (leastSetSum),
 * |G*| >= m / (1 + u) - gamma_h sum |t_u| - e A, certified above 0 when m passes the slack below.
 */
function setsCertified(l: i32, v: i32): bool {
  const state = load<u8>(setsOk + (v as usize));
  if (state != 0) return state == 1;
  const nz = load<u64>(setsNz + ((v as usize) << 3));
  const k = popcnt<u64>(nz) as i32;
  const h1 = (k + 1) >> 1;
  // (made once v's facets have asked for about its cost: 2^h1 / 8 of them searched first, so a
  // count with few cells never pays for it)
  const asked = load<i32>(setsAsked + ((v as usize) << 2)) + 1;
  store<i32>(setsAsked + ((v as usize) << 2), asked);
  if (asked < (1 << h1) >> 3 && !setsEager) return false;
  store<u8>(setsOk + (v as usize), 2);
  if (k == 0 || k > SETS_MAX) return false;
  if (setsTerms == 0) setsTerms = allocRaw(64 << 3);
  if (setsTerms == 0) return false;
  // the terms, each as addRow makes it (the units' products were checked normal by setsSetUp)
  const G = block(post, l);
  const w = weights(l);
  const c = cols(l);
  let sumAbs: f64 = 0;
  let all = nz;
  for (let i = 0; i < k; i++) {
    const u = ctz<u64>(all) as i32;
    all &= all - 1;
    const t = load<f64>(G + ((u as usize) << 3)) * load<f64>(w + (((u * c + v) as usize) << 3));
    store<f64>(setsTerms + ((i as usize) << 3), t);
    sumAbs += abs(t);
  }
  // (finite sums: no set's sum overflows, and the merges compare numbers)
  if (!(sumAbs < 1e300)) return false;
  const least = leastSetSum(setsTerms, k);
  const eA = load<f64>(relT + (((l - 1) as usize) << 3)) * load<f64>(block(bound, l - 1) + ((v as usize) << 3));
  const slack = inflate(gamma(h1 + 1) * sumAbs, k + 4) + inflate(eA, 4);
  if (!(least > slack * (1 + 4 * U))) return false;
  store<u8>(setsOk + (v as usize), 1);
  return true;
}

// (the cut units' states are searched branch and bound, at most CUT_MAX units and BB_NODES nodes
// per facet: past either the split count checks each region)
const CUT_MAX = 24;
const BB_NODES = 4096;
let bbT: usize = 0; // per output and cut unit: the two terms (state 0, state 1)
let bbP: usize = 0; // per level and output: the entry with the first `level` cut units' terms
let bbLo: usize = 0; // per level and output: the least sum of the terms of the cut units from it on
let bbHi: usize = 0; // the greatest
let bbSlack: usize = 0; // per output: the bound an entry must pass
let bbOrder: usize = 0; // i32 per level: the cut unit it sets (largest spread first)
let bbNodes = 0;

/**
 * Whether no facet of any region of the leaf count's cell can join two regions, whatever the
 * states of the list units that cross the cell (`cut`; the m units of layer l are listed at
 * `list`, i32): after gainLeafBase for the cell. False when that cannot be certified (the split
 * count then checks each region).
 * - A facet on a cut unit u (layer l): its gain is column u of G_l, the same on every region (the
 *   layers after l are linear), certified as gainSeparates does.
 * - A facet of the cell on unit v of layer l - 1 (`below`: nb of them, i32 indices in the layer;
 *   for each, u64 at `frees`: the list units free on the regions next to it, and at `ons`: the
 *   others' states there, 1 for on): G_{l-1}[o, v] is the base plus one term per list unit, each
 *   free unit's term one of two values (its two states), each computed as addRow computes it.
 *   (A region with a facet on v's facet F has the state each other unit keeps at F's vertices:
 *   F is their hull.) For any states, the exact entry is within e A of the sum of those float
 *   terms without the final additions' rounding (the header's bound, which holds whatever
 *   operations are exact). The free units' states are searched branch and bound, the largest
 *   spread first: a set of states is settled when an output's entry, with the terms set so far and
 *   the least (greatest) terms of the others, less (plus) the rounding of those float sums, is
 *   above e A (below -e A) for all of them; every state must be settled. (States no region next to
 *   F has are searched too: a refusal there only costs the split count.)
 */
export function gainCellSeparates(l: i32, list: usize, m: i32, cut: u64, below: usize, frees: usize, ons: usize, nb: i32): bool {
  if (!leafBaseOk) return false;
  const a = act(l);
  if (a == ACT_MAXOUT || a == ACT_LINEAR || (a == ACT_LEAKY && alpha(l) == 1.0)) return false;
  const n = units(l);
  const G = block(post, l);
  const Al = block(bound, l);
  const el = load<f64>(relT + ((l as usize) << 3));
  let units = cut;
  while (units != 0) {
    const j = ctz<u64>(units) as i32;
    units &= units - 1;
    const u = load<i32>(list + ((j as usize) << 2));
    let ok = false;
    for (let o = 0; o < outUnits && !ok; o++) {
      const q = ((o * n + u) as usize) << 3;
      ok = abs(load<f64>(G + q)) > inflate(el * load<f64>(Al + q), 4);
    }
    if (!ok) return false;
  }
  if (nb == 0) return true;
  const b = l - 1;
  const ab = act(b);
  if (ab == ACT_MAXOUT || ab == ACT_LINEAR || (ab == ACT_LEAKY && alpha(b) == 1.0)) return false;
  if (bbT == 0) {
    // (one block, so that no part of it is used when memory ran out: the count then stops for memory)
    const terms = ((outUnits * CUT_MAX * 2) as usize) << 3;
    const levels = ((outUnits * (CUT_MAX + 1)) as usize) << 3;
    const block = allocRaw(terms + 3 * levels + ((outUnits as usize) << 3) + ((CUT_MAX as usize) << 2));
    if (block == 0) return false;
    bbP = block + terms;
    bbLo = bbP + levels;
    bbHi = bbLo + levels;
    bbSlack = bbHi + levels;
    bbOrder = bbSlack + ((outUnits as usize) << 3);
    bbT = block;
  }
  const c = cols(l);
  const w = weights(l);
  const minW = load<f64>(minWT + ((l as usize) << 3));
  const Ab = block(bound, b);
  const eb = load<f64>(relT + ((b as usize) << 3));
  const s0 = slope(a, l, 0);
  const s1 = slope(a, l, 1);
  const ow = (outUnits as usize) << 3;
  // (facets of layer l - 2, given as -(v + 1): their entries need the A bound of that layer and
  // the slopes of layer l - 1 on the cell, listed by gainLeafBase)
  const b2 = l - 2;
  const ab2 = b2 >= 1 ? act(b2) : ACT_LINEAR;
  const twoDown = b2 >= certifiedFrom && activeLayer == b && ab2 != ACT_MAXOUT && ab2 != ACT_LINEAR && !(ab2 == ACT_LEAKY && alpha(b2) == 1.0);
  for (let f = 0; f < nb; f++) {
    const v = load<i32>(below + ((f as usize) << 2));
    const free = load<u64>(frees + ((f as usize) << 3));
    const on = load<u64>(ons + ((f as usize) << 3));
    if (v >= 0 && setsFacet(l, v, list, on)) continue;
    const k = popcnt<u64>(free) as i32;
    if (k > CUT_MAX) return false;
    if (v < 0) {
      if (!twoDown || !termsTwoDown(l, list, m, -v - 1, free, on, s0, s1, k)) return false;
    } else for (let o = 0; o < outUnits; o++) {
      termsStart(load<f64>(leafBase + (((o * c + v) as usize) << 3)));
      for (let j = 0; j < m; j++) {
        // (with a slope of 0 when off, a unit neither free nor on adds 0)
        if (s0 == 0 && (((free | on) >> (j as u64)) & 1) == 0) continue;
        const u = load<i32>(list + ((j as usize) << 2));
        const g = load<f64>(G + (((o * n + u) as usize) << 3));
        const wv = load<f64>(w + (((u * c + v) as usize) << 3));
        // (each state's term as addRow makes it, with its underflow checks)
        const x0 = g * s0;
        const x1 = g * s1;
        if ((x0 == 0 && g != 0 && s0 != 0) || (x1 == 0 && g != 0 && s1 != 0)) return false;
        if ((x0 != 0 && (abs(x0) < TINY || abs(x0) * minW < TINY)) || (x1 != 0 && (abs(x1) < TINY || abs(x1) * minW < TINY))) return false;
        placeTerms(o, j, free, on, x0 * wv, x1 * wv);
      }
      termsDone(o, m + 2 * k + 4, eb * load<f64>(Ab + (((o * c + v) as usize) << 3)));
    }
    // the order: the largest spread |t1 - t0| of output 0 first (insertion sort of at most CUT_MAX)
    for (let i = 0; i < k; i++) {
      const at = bbT + ((i as usize) << 4);
      const spread = abs(load<f64>(at, 8) - load<f64>(at));
      let p = i;
      while (p > 0) {
        const prev = load<i32>(bbOrder + (((p - 1) as usize) << 2));
        const pt = bbT + ((prev as usize) << 4);
        if (abs(load<f64>(pt, 8) - load<f64>(pt)) >= spread) break;
        store<i32>(bbOrder + ((p as usize) << 2), prev);
        p--;
      }
      store<i32>(bbOrder + ((p as usize) << 2), i);
    }
    for (let o = 0; o < outUnits; o++) {
      let lo: f64 = 0;
      let hi: f64 = 0;
      store<f64>(bbLo + (((k * outUnits + o) as usize) << 3), 0);
      store<f64>(bbHi + (((k * outUnits + o) as usize) << 3), 0);
      for (let i = k - 1; i >= 0; i--) {
        const at = bbT + (((o * CUT_MAX + load<i32>(bbOrder + ((i as usize) << 2))) as usize) << 4);
        const t0 = load<f64>(at);
        const t1 = load<f64>(at, 8);
        lo += min(t0, t1);
        hi += max(t0, t1);
        store<f64>(bbLo + (((i * outUnits + o) as usize) << 3), lo);
        store<f64>(bbHi + (((i * outUnits + o) as usize) << 3), hi);
      }
    }
    bbNodes = 0;
    if (!settled(0, k, ow)) return false;
  }
  return true;
}

let colTwo: usize = 0; // f64 per list unit: its entry of W_l S_{l-1} W_{l-1} for one facet
/**
 * The fixed part, the free units' two terms and the slack of G_{l-2}[o, v] for a facet of the cell
 * on unit v of layer l - 2 (into bbP, bbT and bbSlack, as gainCellSeparates fills them for a facet
 * of layer l - 1); false when a product may have underflowed or memory ran out.
 *
 * G_{l-2}[o, v] = sum_w G_{l-1}[o, w] s_w W_{l-1}[w, v] over the units w of layer l - 1 (their
 * slopes s_w fixed on the cell, the non-zero ones listed by gainLeafBase), and G_{l-1} is the
 * cell's base plus one term per list unit u, G_l[o, u] s_u W_l[u, :]. So the entry is the base's
 * part, sum_w base[o, w] s_w W_{l-1}[w, v], plus per list unit G_l[o, u] s_u C_u with
 * C_u = sum_w W_l[u, w] s_w W_{l-1}[w, v]. Every float term is a product of the same five factors
 * G_l, s_u, W_l, s_w, W_{l-1} (or sums of them) as in the chain, each multiplication checked normal
 * or exact, with at most rows(l) + rows(l - 1) additions inside the terms: within the filter's
 * bound e A for layer l - 2 (the header; its N counts rows(l) + rows(l - 1) + 2 more operations
 * than layer l's). The additions made here and in the search, at most m + 2 k + 3 plus the base
 * part's, are covered by the slack, as for layer l - 1.
 */
function termsTwoDown(l: i32, list: usize, m: i32, v: i32, free: u64, on: u64, s0: f64, s1: f64, k: i32): bool {
  if (colTwo == 0) {
    let widest = 0;
    for (let q = 1; q <= L; q++) widest = max(widest, rows(q));
    colTwo = alloc((widest as usize) << 3);
    if (colTwo == 0) return false;
  }
  const n = units(l);
  const G = block(post, l);
  const b = l - 1;
  const c = cols(l); // = rows(l - 1)
  const w = weights(l);
  const c2 = cols(b);
  const w2 = weights(b);
  const minW2 = load<f64>(minWT + ((b as usize) << 3));
  // the list units with a term: with a slope of 0 when off (ReLU), those free or on at the facet
  const some: u64 = s0 == 0 ? free | on : <u64>-1;
  // C_u for each of them (with no test per term when no product can underflow)
  const normal = productsNormal(load<f64>(minWT + ((l as usize) << 3)), minW2);
  for (let j = 0; j < m; j++) {
    if (((some >> (j as u64)) & 1) == 0) continue;
    const row = w + (((load<i32>(list + ((j as usize) << 2)) * c) as usize) << 3);
    const sum = normal ? activeSumNormal(row, w2, c2, v) : activeSum(row, w2, c2, v, minW2);
    if (sum != sum) return false;
    store<f64>(colTwo + ((j as usize) << 3), sum);
  }
  const A2 = block(bound, l - 2);
  const e2 = load<f64>(relT + (((l - 2) as usize) << 3));
  for (let o = 0; o < outUnits; o++) {
    // the base's part
    const base = activeSum(leafBase + (((o * c) as usize) << 3), w2, c2, v, minW2);
    if (base != base) return false;
    termsStart(base);
    termSize = activeAbs;
    // the list units' terms
    for (let j = 0; j < m; j++) {
      if (((some >> (j as u64)) & 1) == 0) continue; // (0 in every region next to the facet)
      const u = load<i32>(list + ((j as usize) << 2));
      const g = load<f64>(G + (((o * n + u) as usize) << 3));
      const col = load<f64>(colTwo + ((j as usize) << 3));
      const x0 = g * s0;
      const x1 = g * s1;
      const t0 = x0 * col;
      const t1 = x1 * col;
      // (each product 0 only with a zero factor, else normal)
      if ((x0 == 0 && g != 0 && s0 != 0) || (x1 == 0 && g != 0 && s1 != 0)) return false;
      if ((x0 != 0 && abs(x0) < TINY) || (x1 != 0 && abs(x1) < TINY)) return false;
      if ((t0 != 0 && abs(t0) < TINY) || (t1 != 0 && abs(t1) < TINY)) return false;
      if ((t0 == 0 && x0 != 0 && col != 0) || (t1 == 0 && x1 != 0 && col != 0)) return false;
      placeTerms(o, j, free, on, t0, t1);
    }
    termsDone(o, m + 2 * k + 4 + activeCount, e2 * load<f64>(A2 + (((o * c2 + v) as usize) << 3)));
  }
  return true;
}

// One facet's entry for output o, as the search takes it: the fixed part (bbP) and its magnitude,
// each free list unit's two terms (bbT) in order, and the slack (bbSlack).
let termFixed: f64 = 0;
let termSize: f64 = 0;
let termCi = 0;

@inline function termsStart(fixed: f64): void {
  termFixed = fixed;
  termSize = abs(fixed);
  termCi = 0;
}

/** List unit j's terms t0, t1 (its two states): kept for the search if it is free, else the one of its state added. */
@inline function placeTerms(o: i32, j: i32, free: u64, on: u64, t0: f64, t1: f64): void {
  if (((free >> (j as u64)) & 1) != 0) {
    const at = bbT + (((o * CUT_MAX + termCi) as usize) << 4);
    store<f64>(at, t0);
    store<f64>(at, t1, 8);
    termSize += max(abs(t0), abs(t1));
    termCi++;
  } else {
    const t = ((on >> (j as u64)) & 1) != 0 ? t1 : t0;
    termFixed += t;
    termSize += abs(t);
  }
}

/**
 * The entry's fixed part and slack: any path's float sums are at most `adds` - 1 additions, each
 * within u of a partial sum of magnitude below the terms' size; then the filter's bound `eA`.
 */
@inline function termsDone(o: i32, adds: i32, eA: f64): void {
  store<f64>(bbP + ((o as usize) << 3), termFixed);
  store<f64>(bbSlack + ((o as usize) << 3), inflate(gamma(adds) * termSize, 4) + inflate(eA, 4));
}

/** Every state of the cut units from level i on is settled (see gainCellSeparates). */
function settled(i: i32, k: i32, ow: usize): bool {
  if (++bbNodes > BB_NODES) return false;
  const cur = bbP + (i as usize) * ow;
  const lo = bbLo + (i as usize) * ow;
  const hi = bbHi + (i as usize) * ow;
  for (let o = 0; o < outUnits; o++) {
    const q = (o as usize) << 3;
    const p = load<f64>(cur + q);
    const sl = load<f64>(bbSlack + q);
    if (p + load<f64>(lo + q) > sl || p + load<f64>(hi + q) < -sl) return true;
  }
  if (i == k) return false;
  const unit = load<i32>(bbOrder + ((i as usize) << 2));
  const next = cur + ow;
  for (let st = 0; st < 2; st++) {
    for (let o = 0; o < outUnits; o++) {
      const q = (o as usize) << 3;
      store<f64>(next + q, load<f64>(cur + q) + load<f64>(bbT + (((o * CUT_MAX + unit) as usize) << 4) + ((st as usize) << 3)));
    }
    if (!settled(i + 1, k, ow)) return false;
  }
  return true;
}
