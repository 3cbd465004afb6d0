// Float64 facts used by the filters and by the exact conversion.
//
// The error model (Higham, Accuracy and Stability, 2nd ed., sec. 2.1, with gradual underflow):
//   fl(a * b) = a b (1 + d) + h,   fl(a / b) = (a / b)(1 + d) + h,   |d| <= u, |h| <= 2^-1075, d h = 0
//   fl(a + b) = (a + b)(1 + d)     (a sum is exact when it underflows: no h)
// So a product or quotient can lose up to 2^-1075 (half the smallest subnormal) whatever its own
// size: an error that is not relative. A sum of n products in any order is then off by at most
//   gamma_n sum |a_i b_i| + n 2^-1075 (1 + gamma_n) <= gamma_n sum |a_i b_i| + underflow(n),
// and every filter here adds underflow(m) for the m products (and quotients) of the value whose
// sign it takes. The slack grows with the number of terms; a fixed slack per sum does not hold:
// 2,000 products of 2^-1075 (1 + 2^-52) each round up by almost 2^-1075.

/** Unit roundoff of binary64 (round to nearest). */
export const U: f64 = 1.1102230246251565e-16; // 2^-53
/**
 * The smallest subnormal 2^-1074: twice the most a product or quotient can lose to underflow, so
 * that the (1 + d) factors of the later additions are covered too.
 */
export const ETA: f64 = 4.9406564584124654e-324; // 2^-1074

/** gamma_n = n u / (1 - n u): the classic bound on the relative error of n roundings. */
@inline export function gamma(n: i32): f64 {
  const nu = (n as f64) * U;
  return nu / (1.0 - nu);
}

/**
 * Absolute error bound for underflow in n products or quotients: n 2^-1074, built from its bits
 * (the subnormal with mantissa n, 0 <= n < 2^31): the same value as n * ETA without a floating
 * multiplication whose result is subnormal, which is slow (on the AMD EPYC of the benchmarks the
 * n-D engine took 25% longer when every filter computed it that way).
 */
@inline export function underflow(n: i32): f64 {
  return reinterpret<f64>(n as u64);
}

// The engine (V8) compiles f64.min and f64.max to a compare-and-branch sequence (for NaN and
// signed zeros); in a loop over vertices whose outcomes the data decides, those branches cost
// more than the arithmetic (counts of 4-16-16-1 with them in the crossings took 1.17x longer;
// docs/performance.md). Integer maxima compile without a branch, and the bit patterns of doubles
// order as their values once the negative ones are flipped:

/**
 * The larger of two non-negative doubles (or NaN, which wins as f64.max makes it win), from their
 * bit patterns: for a sign bit of 0 they order as the values.
 */
@inline export function maxNonNeg(a: f64, b: f64): f64 {
  return reinterpret<f64>(max<i64>(reinterpret<i64>(a), reinterpret<i64>(b)));
}

/** A key of a double (not NaN) that orders as the double does, as a signed integer (orderedDouble inverts it). */
@inline export function orderKey(x: f64): i64 {
  const b = reinterpret<i64>(x);
  return b ^ ((b >> 63) & 0x7fffffffffffffff);
}

/** The double of an orderKey. */
@inline export function orderedDouble(k: i64): f64 {
  return reinterpret<f64>(k ^ ((k >> 63) & 0x7fffffffffffffff));
}

/**
 * Inflates a computed bound so that the rounding of its own computation is covered: `bound` was
 * computed from non-negative floats by at most n operations (sums, products, quotients); each can
 * lose a relative u, and each product or quotient up to 2^-1075 more to underflow. The relative
 * slack 4 (n + 4) u covers (1 - u)^-(n+2); the absolute 4 (n + 4) 2^-1074 covers n underflows with
 * room to spare, provided what an operation lost is afterwards only summed or scaled by factors of
 * at most about 1. A bound that is then multiplied by a large factor or divided by a small one
 * must be inflated first (the factor scales its underflow slack with it): see polygon.ts intersect
 * and lp.ts dualBound.
 */
@inline export function inflate(bound: f64, n: i32): f64 {
  const k = 4 * (n + 4);
  return bound * (1.0 + (k as f64) * U) + underflow(k);
}

/** Exponent e of the lowest set bit: x = m * 2^e with m an odd integer (x != 0, finite). */
export function lowExponent(x: f64): i32 {
  const bits = reinterpret<u64>(x);
  const ef = ((bits >> 52) & 0x7ff) as i32;
  let m = bits & 0xfffffffffffff;
  let e: i32;
  if (ef == 0) e = -1074;
  else {
    m |= 0x10000000000000;
    e = ef - 1075;
  }
  return e + (ctz<u64>(m) as i32);
}

/** Odd integer mantissa m of x = m * 2^lowExponent(x), with sign (x != 0, finite). */
export function oddMantissa(x: f64): i64 {
  const bits = reinterpret<u64>(x);
  const ef = ((bits >> 52) & 0x7ff) as i32;
  let m = bits & 0xfffffffffffff;
  if (ef != 0) m |= 0x10000000000000;
  m = m >> ctz<u64>(m);
  return (bits >> 63) != 0 ? -(m as i64) : (m as i64);
}

/** Highest exponent: x = m * 2^e with odd m; returns e + bits(m) - 1 = floor(log2 |x|). */
export function highExponent(x: f64): i32 {
  const m = oddMantissa(x);
  const am: u64 = m < 0 ? (-m as u64) : (m as u64);
  return lowExponent(x) + (63 - (clz<u64>(am) as i32));
}
