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
// Certified in float64: every product is checked to be 0 or normal (no underflow: each operation
// then has a relative error at most u) and the result finite; a chain of matrix products then has
// |fl(G) - G| <= gamma_N |W_L||S||W|...  (Higham, Accuracy and Stability, sec. 3.5), N the
// operations along the chain, and the same product of absolute values, computed alongside,
// bounds it (times 1 / (1 - gamma_N)). An entry above twice that bound is non-zero; anything the
// filter cannot decide goes to the exact facet proof as before.
import { alloc } from './memory';
import { ACT_ABS, ACT_LEAKY, ACT_LINEAR, ACT_MAXOUT, ACT_RELU, act, alpha, cols, L, outUnits, rows, units, unitOffset, weights } from './network';
import { gamma, inflate } from './float';

let post: usize = 0; // per layer: outUnits x units(l), d output / d post-activation (float)
let postAbs: usize = 0; // the same chain in absolute values
let offT: usize = 0; // i32 per layer: first f64 of layer l's block
let opsT: usize = 0; // i32 per layer: operations along the chain from L down to layer l
let pre: usize = 0; // outUnits x rows(m): the current layer's gain times its slopes
let preAbs: usize = 0;
let validFrom: i32 = 0; // layers >= validFrom hold the current region's gains
let region: f64 = -1; // the region they belong to
let chainFailed = false; // a step of this region's chain could not be certified

/** A product of non-zero floats below this may have underflowed (lost more than a relative u). */
const TINY: f64 = 9.332636185032189e-302; // 2^-1000

/** Reserves the buffers (at set-up, n-D engine with linear regions). False when memory ran out. */
export function gainReserve(): bool {
  offT = alloc(((L + 2) as usize) << 2);
  opsT = alloc(((L + 2) as usize) << 2);
  if (opsT == 0) return false;
  let total = 0;
  let widest = 0;
  for (let l = 1; l <= L; l++) {
    store<i32>(offT + ((l as usize) << 2), total);
    total += outUnits * units(l);
    widest = max(widest, rows(l));
  }
  post = alloc((max(total, 1) as usize) << 3);
  postAbs = alloc((max(total, 1) as usize) << 3);
  pre = alloc((max(outUnits * widest, 1) as usize) << 3);
  preAbs = alloc((max(outUnits * widest, 1) as usize) << 3);
  region = -1;
  return preAbs != 0;
}

/** The slope of a sign unit (or a linear one) in state s. */
@inline function slope(a: i32, l: i32, s: i32): f64 {
  if (a == ACT_LINEAR || s == 1) return 1.0;
  if (a == ACT_RELU) return 0.0;
  if (a == ACT_LEAKY) return alpha(l);
  return -1.0;
}

/** G_{m-1} from G_m (see the header); false when a product underflowed or a sum overflowed. */
function stepDown(m: i32, pattern: usize): bool {
  const a = act(m);
  if (a == ACT_MAXOUT) return false;
  const r = rows(m);
  const c = cols(m);
  const w = weights(m);
  const src = post + ((load<i32>(offT + ((m as usize) << 2)) as usize) << 3);
  const srcAbs = postAbs + ((load<i32>(offT + ((m as usize) << 2)) as usize) << 3);
  const off = unitOffset(m);
  for (let o = 0; o < outUnits; o++) {
    for (let i = 0; i < r; i++) {
      const q = ((o * r + i) as usize) << 3;
      const s = slope(a, m, load<u8>(pattern + ((off + i) as usize)) as i32);
      const x = load<f64>(src + q);
      const xa = load<f64>(srcAbs + q);
      const g = x * s;
      const ga = xa * abs(s);
      if (s != 0 && ((x != 0 && abs(g) < TINY) || (xa != 0 && ga < TINY))) return false;
      store<f64>(pre + q, g);
      store<f64>(preAbs + q, ga);
    }
  }
  const dst = post + ((load<i32>(offT + (((m - 1) as usize) << 2)) as usize) << 3);
  const dstAbs = postAbs + ((load<i32>(offT + (((m - 1) as usize) << 2)) as usize) << 3);
  for (let o = 0; o < outUnits; o++) {
    for (let j = 0; j < c; j++) {
      let sum: f64 = 0;
      let sumAbs: f64 = 0;
      for (let i = 0; i < r; i++) {
        const wij = load<f64>(w + (((i * c + j) as usize) << 3));
        const q = ((o * r + i) as usize) << 3;
        const x = load<f64>(pre + q);
        const xa = load<f64>(preAbs + q);
        const p = x * wij;
        const pa = xa * abs(wij);
        // a product of non-zeros that is 0 or subnormal may have lost more than a relative u
        if (wij != 0 && ((x != 0 && abs(p) < TINY) || (xa != 0 && pa < TINY))) return false;
        sum += p;
        sumAbs += pa;
      }
      if (!(sumAbs < Infinity)) return false;
      store<f64>(dst + (((o * c + j) as usize) << 3), sum);
      store<f64>(dstAbs + (((o * c + j) as usize) << 3), sumAbs);
    }
  }
  store<i32>(opsT + (((m - 1) as usize) << 2), load<i32>(opsT + ((m as usize) << 2)) + r + 1);
  return true;
}

/**
 * True when the output maps of the two regions across a face where only unit u of layer l (a sign
 * unit) vanishes are certainly different; `id` names the region (its pattern, all layers, at
 * `pattern`), so the gains are computed once per region. False: not decided here.
 */
export function gainSeparates(id: f64, l: i32, u: i32, pattern: usize): bool {
  const a = act(l);
  if (a == ACT_MAXOUT || a == ACT_LINEAR) return false;
  if (a == ACT_LEAKY && alpha(l) == 1.0) return false; // no jump in slope: the maps are equal
  if (region != id) {
    region = id;
    // G_L = I
    const top = post + ((load<i32>(offT + ((L as usize) << 2)) as usize) << 3);
    const topAbs = postAbs + ((load<i32>(offT + ((L as usize) << 2)) as usize) << 3);
    for (let o = 0; o < outUnits; o++) {
      for (let j = 0; j < outUnits; j++) {
        store<f64>(top + (((o * outUnits + j) as usize) << 3), o == j ? 1.0 : 0.0);
        store<f64>(topAbs + (((o * outUnits + j) as usize) << 3), o == j ? 1.0 : 0.0);
      }
    }
    store<i32>(opsT + ((L as usize) << 2), 0);
    validFrom = L;
    chainFailed = false;
  }
  while (validFrom > l && !chainFailed) {
    // (not certified: this region's faces on lower layers go the exact way)
    if (stepDown(validFrom, pattern)) validFrom--;
    else chainFailed = true;
  }
  if (validFrom > l) return false;
  const n = units(l);
  const base = (load<i32>(offT + ((l as usize) << 2)) as usize) << 3;
  const bound = 2.0 * gamma(load<i32>(opsT + ((l as usize) << 2)) + 2);
  for (let o = 0; o < outUnits; o++) {
    const q = base + (((o * n + u) as usize) << 3);
    const g = abs(load<f64>(post + q));
    if (g > inflate(bound * load<f64>(postAbs + q), 4)) return true;
  }
  return false;
}
