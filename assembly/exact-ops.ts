// Was this float64 operation exact? Error-free transformations (Knuth's TwoSum, Dekker's
// TwoProduct with Veltkamp's split; Dekker 1971, Ogita-Rump-Oishi 2005, sec. 2) give the rounding
// error of a + b and a * b as floats; the operation was exact iff that error is 0. TwoSum is exact
// for all finite inputs; Dekker's product only without overflow in the split and without underflow
// in the error terms, so outside a safe exponent range a product is reported inexact (a "no" is
// always safe: the caller then keeps the a-priori error bound).

const SPLITTER: f64 = 134217729.0; // 2^27 + 1
const SAFE_HI: f64 = 6.696928794914171e+299; // 2^996: the split of |x| < 2^996 cannot overflow
const SAFE_LO: f64 = 5.0104963247212918e-292; // 2^-966: products above it have normal error terms

/** True when fl(a + b) == s is the exact sum (s must be fl(a + b)). */
@inline export function sumIsExact(a: f64, b: f64, s: f64): bool {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb) == 0 && abs(s) < Infinity;
}

/** True when p == fl(a * b) is the exact product (false when that cannot be shown cheaply). */
export function productIsExact(a: f64, b: f64, p: f64): bool {
  if (a == 0 || b == 0) return true; // p is a zero
  const ap = abs(p);
  if (!(ap > SAFE_LO && ap < SAFE_HI && abs(a) < SAFE_HI && abs(b) < SAFE_HI)) return false;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl == 0;
}

/** True when acc + w * z rounded twice (product, then sum) gives exactly acc + w z. */
@inline export function mulAddIsExact(acc: f64, w: f64, z: f64): bool {
  const p = w * z;
  return productIsExact(w, z, p) && sumIsExact(acc, p, acc + p);
}
