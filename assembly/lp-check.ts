// The LP on its own, for tests and benchmarks: does {x : A x <= b} have a non-empty interior?
// The same path as the engine's phase 1 (queries-nd.ts, interiorQuery): the float simplex on
// max tau s.t. a_i.x + tau <= b_i, tau <= 1 from a strictly feasible start, with a certified
// interior point or a certified dual bound, and the exact fraction-free simplex when neither holds.
// The caller gives a box [lo, hi] that holds the polytope (its rows are expected among A's rows:
// the dual bound needs it to absorb rounding residuals).
import { alloc } from './memory';
import { exactFloats } from './exact';
import {
  lpAlpha, lpBeta, lpEAlpha, lpEBeta, lpE, lpEE, lpEG, lpG, lpHi, lpLo, lpMaxSign, lpPoint, lpReserve, lpStart,
  lpUse,
} from './lp';
import { lpExactInteriorSign, lpExactReserve, lpExactSlot, lpExactSlotBytes, lpExactUse } from './lp-exact';

let input: usize = 0;
let cap: usize = 0;
let scratch: usize = 0;
let scratchD: i32 = -1;
export let checkExact: i32 = 0; // 1 when the last check needed the exact LP

/** Forgets the buffers (memory was reset). */
export function lpCheckForget(): void {
  cap = 0;
  scratchD = -1;
}

/** A buffer for m rows of d + 1 float64 (a_i, b_i), then lo (d), hi (d). */
export function lpCheckBuffer(m: i32, d: i32): usize {
  const need = (((m * (d + 1) + 2 * d + 4) as usize) << 3);
  if (need > cap) {
    input = alloc(need);
    cap = need;
  }
  if (d > scratchD) {
    scratch = alloc(((d + 2) as usize) * 32);
    scratchD = d;
  }
  if (!lpReserve(d + 1, m + 2) || !lpExactReserve(d + 1, m + 2, 2300)) return 0;
  return input;
}

/**
 * 1 when {x : A x <= b} (the buffer's rows) has a non-empty interior, 0 when it is non-empty with
 * an empty interior, -1 when it is empty; -2 when memory ran out.
 */
export function lpCheck(m: i32, d: i32): i32 {
  checkExact = 0;
  if (!lpReserve(d + 1, m + 2) || !lpExactReserve(d + 1, m + 2, 2300)) return -2;
  const rows = input;
  const lo = input + (((m * (d + 1)) as usize) << 3);
  const hi = lo + ((d as usize) << 3);
  // start: the box's center; tau0 below every row's slack there (with a margin for rounding)
  const x0 = scratch;
  for (let k = 0; k < d; k++) store<f64>(x0 + ((k as usize) << 3), 0.5 * load<f64>(lo + ((k as usize) << 3)) + 0.5 * load<f64>(hi + ((k as usize) << 3)));
  let tmin: f64 = 0.5;
  for (let i = 0; i < m; i++) {
    const r = rows + (((i * (d + 1)) as usize) << 3);
    let s = load<f64>(r + ((d as usize) << 3));
    let mag = abs(s);
    for (let k = 0; k < d; k++) {
      const t = load<f64>(r + ((k as usize) << 3)) * load<f64>(x0 + ((k as usize) << 3));
      s -= t;
      mag += abs(t);
    }
    tmin = min(tmin, s - 4e-15 * mag - 1e-300);
  }
  const t0 = tmin - 1.0;
  const nv = d + 1;
  // rows in the LP's form: b_i - a_i.x - tau >= 0; then 1 - tau >= 0 and tau - (t0 - 1) >= 0
  for (let i = 0; i < m; i++) {
    const r = rows + (((i * (d + 1)) as usize) << 3);
    const a = lpAlpha + (((i * nv) as usize) << 3);
    for (let k = 0; k < d; k++) store<f64>(a + ((k as usize) << 3), -load<f64>(r + ((k as usize) << 3)));
    store<f64>(a + ((d as usize) << 3), -1.0);
    memory.fill(lpEAlpha + (((i * nv) as usize) << 3), 0, (nv as usize) << 3);
    store<f64>(lpBeta + ((i as usize) << 3), load<f64>(r + ((d as usize) << 3)));
    store<f64>(lpEBeta + ((i as usize) << 3), 0);
  }
  for (let t = 0; t < 2; t++) {
    const i = m + t;
    const a = lpAlpha + (((i * nv) as usize) << 3);
    memory.fill(a, 0, (nv as usize) << 3);
    memory.fill(lpEAlpha + (((i * nv) as usize) << 3), 0, (nv as usize) << 3);
    store<f64>(a + ((d as usize) << 3), t == 0 ? -1.0 : 1.0);
    store<f64>(lpBeta + ((i as usize) << 3), t == 0 ? 1.0 : -(t0 - 1.0));
    store<f64>(lpEBeta + ((i as usize) << 3), 0);
  }
  lpUse(nv, m + 2);
  for (let k = 0; k < nv; k++) {
    store<f64>(lpG + ((k as usize) << 3), k == d ? 1.0 : 0.0);
    store<f64>(lpEG + ((k as usize) << 3), 0);
    store<f64>(lpLo + ((k as usize) << 3), k == d ? t0 - 1.0 : load<f64>(lo + ((k as usize) << 3)));
    store<f64>(lpHi + ((k as usize) << 3), k == d ? 1.0 : load<f64>(hi + ((k as usize) << 3)));
    store<f64>(lpStart + ((k as usize) << 3), k == d ? t0 : load<f64>(x0 + ((k as usize) << 3)));
  }
  lpE = 0;
  lpEE = 0;
  const s = lpMaxSign();
  if (s != 0) return s;
  // exact: rows as integers (b_i - a_i.x >= 0), phase 1 inside lp-exact
  checkExact = 1;
  lpExactUse(d);
  const stride = lpExactSlotBytes();
  const tmp = scratch + (((d + 2) as usize) << 3);
  for (let i = 0; i < m; i++) {
    const r = rows + (((i * (d + 1)) as usize) << 3);
    for (let k = 0; k < d; k++) store<f64>(tmp + ((k as usize) << 3), -load<f64>(r + ((k as usize) << 3)));
    store<f64>(tmp + ((d as usize) << 3), load<f64>(r + ((d as usize) << 3)));
    exactFloats(lpExactSlot(i, 0), stride, tmp, d + 1);
  }
  return lpExactInteriorSign(m, x0);
}

/** The certified interior point of the last check that returned 1 from the float LP. */
export function lpCheckPoint(): usize {
  return lpPoint;
}
