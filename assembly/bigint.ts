// Signed big integers for the exact fallback, in caller-owned memory (GMP's mpz layout in miniature):
//   [i32 size][u32 limb 0][u32 limb 1]...   little-endian limbs, |size| = limbs in use,
//   sign(size) = sign of the number, size 0 = zero, the top limb in use is non-zero.
// Capacities are the caller's business: every slot is sized from an a-priori bit bound computed
// once per network (see exact.ts), so nothing here allocates or checks capacity.

@inline function limb(p: usize, i: i32): u64 {
  return load<u32>(p + 4 + ((i as usize) << 2)) as u64;
}
@inline function setLimb(p: usize, i: i32, v: u64): void {
  store<u32>(p + 4 + ((i as usize) << 2), v as u32);
}
@inline export function bigSize(p: usize): i32 {
  return load<i32>(p);
}
@inline function absSize(p: usize): i32 {
  const s = load<i32>(p);
  return s < 0 ? -s : s;
}

/** Bytes a slot needs for a number of at most `bits` bits. */
export function bigSlotBytes(bits: i32): usize {
  return (4 + (((bits + 31) >> 5) + 1) * 4) as usize;
}

export function bigSign(p: usize): i32 {
  const s = load<i32>(p);
  return s > 0 ? 1 : s < 0 ? -1 : 0;
}

export function bigZero(p: usize): void {
  store<i32>(p, 0);
}

export function bigCopy(dst: usize, src: usize): void {
  const n = absSize(src);
  memory.copy(dst, src, (4 + n * 4) as usize);
}

export function bigNegate(p: usize): void {
  store<i32>(p, -load<i32>(p));
}

/** p = v (a signed 64-bit integer). */
export function bigSetI64(p: usize, v: i64): void {
  const neg = v < 0;
  const m: u64 = neg ? (0 - (v as u64)) : (v as u64);
  let n = 0;
  if (m != 0) {
    setLimb(p, 0, m & 0xffffffff);
    n = 1;
    if ((m >> 32) != 0) {
      setLimb(p, 1, m >> 32);
      n = 2;
    }
  }
  store<i32>(p, neg ? -n : n);
}

/** p = p * 2^k (k >= 0), in place. */
export function bigShiftLeft(p: usize, k: i32): void {
  const s = load<i32>(p);
  if (s == 0 || k == 0) return;
  const n = s < 0 ? -s : s;
  const words = k >> 5;
  const bits = k & 31;
  let out = n + words;
  if (bits == 0) {
    for (let i = n - 1; i >= 0; i--) setLimb(p, i + words, limb(p, i));
  } else {
    setLimb(p, n + words, 0);
    for (let i = n - 1; i >= 0; i--) {
      const v = limb(p, i);
      setLimb(p, i + words + 1, limb(p, i + words + 1) | (v >> (32 - bits)));
      setLimb(p, i + words, (v << bits) & 0xffffffff);
    }
    out = n + words + 1;
  }
  for (let i = 0; i < words; i++) setLimb(p, i, 0);
  while (out > 0 && limb(p, out - 1) == 0) out--;
  store<i32>(p, s < 0 ? -out : out);
}

/** Compares magnitudes: -1, 0 or 1. */
function cmpMag(a: usize, na: i32, b: usize, nb: i32): i32 {
  if (na != nb) return na < nb ? -1 : 1;
  for (let i = na - 1; i >= 0; i--) {
    const x = limb(a, i);
    const y = limb(b, i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** dst limbs = |a| + |b| (dst may alias a); returns the limb count. */
function addMag(dst: usize, a: usize, na: i32, b: usize, nb: i32): i32 {
  if (na < nb) {
    // keep a the longer one; dst aliases a only when called with na >= nb (see bigAddTo)
    const t = a; a = b; b = t;
    const tn = na; na = nb; nb = tn;
  }
  let carry: u64 = 0;
  for (let i = 0; i < na; i++) {
    const s = limb(a, i) + (i < nb ? limb(b, i) : 0) + carry;
    setLimb(dst, i, s & 0xffffffff);
    carry = s >> 32;
  }
  if (carry != 0) {
    setLimb(dst, na, carry);
    return na + 1;
  }
  return na;
}

/** dst limbs = |a| - |b| with |a| >= |b| (dst may alias a or b); returns the limb count. */
function subMag(dst: usize, a: usize, na: i32, b: usize, nb: i32): i32 {
  let borrow: i64 = 0;
  for (let i = 0; i < na; i++) {
    let d = (limb(a, i) as i64) - (i < nb ? (limb(b, i) as i64) : 0) - borrow;
    if (d < 0) {
      d += 0x100000000;
      borrow = 1;
    } else borrow = 0;
    setLimb(dst, i, d as u64);
  }
  let n = na;
  while (n > 0 && limb(dst, n - 1) == 0) n--;
  return n;
}

/** acc += sign * b, in place (sign is +1 or -1). acc and b must not alias. */
export function bigAddTo(acc: usize, b: usize, sign: i32): void {
  const sb0 = load<i32>(b);
  if (sb0 == 0) return;
  const sb = sign < 0 ? -sb0 : sb0;
  const sa = load<i32>(acc);
  if (sa == 0) {
    bigCopy(acc, b);
    store<i32>(acc, sb);
    return;
  }
  const na = sa < 0 ? -sa : sa;
  const nb = sb < 0 ? -sb : sb;
  const negA = sa < 0;
  const negB = sb < 0;
  if (negA == negB) {
    let n: i32;
    if (na >= nb) n = addMag(acc, acc, na, b, nb);
    else {
      // |b| longer: add from b's point of view, writing into acc limb by limb (reads precede writes)
      let carry: u64 = 0;
      for (let i = 0; i < nb; i++) {
        const s = limb(b, i) + (i < na ? limb(acc, i) : 0) + carry;
        setLimb(acc, i, s & 0xffffffff);
        carry = s >> 32;
      }
      n = nb;
      if (carry != 0) {
        setLimb(acc, nb, carry);
        n = nb + 1;
      }
    }
    store<i32>(acc, negA ? -n : n);
    return;
  }
  const c = cmpMag(acc, na, b, nb);
  if (c == 0) {
    store<i32>(acc, 0);
  } else if (c > 0) {
    const n = subMag(acc, acc, na, b, nb);
    store<i32>(acc, negA ? -n : n);
  } else {
    // |b| > |acc|: acc = b - acc, limb by limb (each acc limb is read before it is written)
    let borrow: i64 = 0;
    for (let i = 0; i < nb; i++) {
      let d = (limb(b, i) as i64) - (i < na ? (limb(acc, i) as i64) : 0) - borrow;
      if (d < 0) {
        d += 0x100000000;
        borrow = 1;
      } else borrow = 0;
      setLimb(acc, i, d as u64);
    }
    let n = nb;
    while (n > 0 && limb(acc, n - 1) == 0) n--;
    store<i32>(acc, negB ? -n : n);
  }
}

/** dst = a * b. dst must alias neither a nor b. */
export function bigMul(dst: usize, a: usize, b: usize): void {
  const sa = load<i32>(a);
  const sb = load<i32>(b);
  if (sa == 0 || sb == 0) {
    store<i32>(dst, 0);
    return;
  }
  const na = sa < 0 ? -sa : sa;
  const nb = sb < 0 ? -sb : sb;
  const n = na + nb;
  memory.fill(dst + 4, 0, (n * 4) as usize);
  for (let i = 0; i < na; i++) {
    const x = limb(a, i);
    if (x == 0) continue;
    let carry: u64 = 0;
    for (let j = 0; j < nb; j++) {
      const t = x * limb(b, j) + limb(dst, i + j) + carry;
      setLimb(dst, i + j, t & 0xffffffff);
      carry = t >> 32;
    }
    setLimb(dst, i + nb, carry);
  }
  let m = n;
  while (m > 0 && limb(dst, m - 1) == 0) m--;
  store<i32>(dst, (sa < 0) != (sb < 0) ? -m : m);
}

/** True when a == b. */
export function bigEqual(a: usize, b: usize): bool {
  const sa = load<i32>(a);
  if (sa != load<i32>(b)) return false;
  const n = sa < 0 ? -sa : sa;
  return memory.compare(a + 4, b + 4, (n * 4) as usize) == 0;
}

/** Number of bits of |p| (0 for zero). */
export function bigBits(p: usize): i32 {
  const n = absSize(p);
  if (n == 0) return 0;
  return (n - 1) * 32 + (32 - (clz<u32>(load<u32>(p + 4 + (((n - 1) as usize) << 2)))));
}

/** dst = src >> k (magnitude shifted, sign kept; k >= 0). dst may alias src. Only used on exact multiples of 2^k. */
export function bigShiftRightTo(dst: usize, src: usize, k: i32): void {
  const s = load<i32>(src);
  const n = s < 0 ? -s : s;
  const words = k >> 5;
  const bits = k & 31;
  if (n <= words) {
    store<i32>(dst, 0);
    return;
  }
  const out = n - words;
  for (let i = 0; i < out; i++) {
    let v = limb(src, i + words) >> bits;
    if (bits != 0 && i + words + 1 < n) v |= (limb(src, i + words + 1) << (32 - bits)) & 0xffffffff;
    setLimb(dst, i, v);
  }
  let m = out;
  while (m > 0 && limb(dst, m - 1) == 0) m--;
  store<i32>(dst, s < 0 ? -m : m);
}

/** Number of trailing zero bits of |p| (p != 0). */
export function bigTrailingZeros(p: usize): i32 {
  let i = 0;
  while (limb(p, i) == 0) i++;
  return i * 32 + (ctz<u32>(limb(p, i) as u32) as i32);
}

/**
 * dst = a / b where b divides a exactly (b != 0), by 2-adic (Hensel) division: strip the common
 * power of two, then each quotient limb is the low limb of the running remainder times the inverse
 * of b's low limb mod 2^32 (Jebelean 1993). Working mod 2^(32 nq) is enough because the quotient
 * has at most nq = |a| - |b| + 1 limbs. dst may alias a; tmpB is scratch for b without its
 * trailing zeros (capacity |b| limbs), and must alias nothing else.
 */
export function bigDivExact(dst: usize, a: usize, b: usize, tmpB: usize): void {
  const sa = load<i32>(a);
  const sb = load<i32>(b);
  if (sa == 0) {
    store<i32>(dst, 0);
    return;
  }
  const tz = bigTrailingZeros(b);
  bigShiftRightTo(dst, a, tz);
  let bb = b;
  if (tz != 0) {
    bigShiftRightTo(tmpB, b, tz);
    bb = tmpB;
  }
  const na = absSize(dst);
  const nb = absSize(bb);
  if (na < nb) {
    store<i32>(dst, 0); // cannot happen for an exact division of a non-zero a
    return;
  }
  const nq = na - nb + 1;
  const b0 = limb(bb, 0);
  let inv: u64 = b0; // correct to 3 bits for odd b0; each Newton step doubles the bits
  for (let t = 0; t < 4; t++) inv = (inv * (2 - ((b0 * inv) & 0xffffffff))) & 0xffffffff;
  for (let i = 0; i < nq; i++) {
    const q = (limb(dst, i) * inv) & 0xffffffff;
    // remainder -= q * b * 2^(32 i), limbs i .. nq-1 only (mod 2^(32 nq)); limb i becomes 0
    let borrow: u64 = 0;
    let carry: u64 = 0;
    for (let j = 0; i + j < nq; j++) {
      const prod = q * (j < nb ? limb(bb, j) : 0) + carry;
      carry = prod >> 32;
      const sub = (prod & 0xffffffff) + borrow;
      const cur = limb(dst, i + j);
      if (cur >= sub) {
        setLimb(dst, i + j, cur - sub);
        borrow = 0;
      } else {
        setLimb(dst, i + j, cur + 0x100000000 - sub);
        borrow = 1;
      }
    }
    setLimb(dst, i, q); // the remainder's limb i is 0 now; later steps only read limbs > i
  }
  let m = nq;
  while (m > 0 && limb(dst, m - 1) == 0) m--;
  store<i32>(dst, (sa < 0) != (sb < 0) ? -m : m);
}

/** Sign of a - b. */
export function bigCompare(a: usize, b: usize): i32 {
  const sa = load<i32>(a);
  const sb = load<i32>(b);
  if (sa != sb) {
    // different sizes or signs: the signed size orders them unless both are non-negative/negative of equal length
    if ((sa >= 0) != (sb >= 0)) return sa > sb ? 1 : -1;
    if (sa >= 0) return sa > sb ? 1 : -1;
    return sa > sb ? 1 : -1;
  }
  const n = sa < 0 ? -sa : sa;
  const c = cmpMag(a, n, b, n);
  return sa < 0 ? -c : c;
}

/**
 * An approximation of p as f64 times 2^bigApproxExp (set by this call): the top 64 bits of |p|
 * with p's sign. Used only to place float witness points near exact ones (never to decide).
 */
export let bigApproxExp: i32 = 0;
export function bigApprox(p: usize): f64 {
  const s = load<i32>(p);
  if (s == 0) {
    bigApproxExp = 0;
    return 0;
  }
  const n = s < 0 ? -s : s;
  let v: f64 = limb(p, n - 1) as f64;
  if (n >= 2) v = v * 4294967296.0 + (limb(p, n - 2) as f64);
  bigApproxExp = n >= 2 ? (n - 2) * 32 : 0;
  return s < 0 ? -v : v;
}
