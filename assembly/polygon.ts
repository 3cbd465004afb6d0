// Convex polygons in domain coordinates, and their exact cutting by a line.
//
// A polygon is n vertices, counter-clockwise; vertex i stores the float point (x, y), a radius r
// such that the exact vertex lies in [x-r, x+r] x [y-r, y+r], and its OUTGOING edge (to vertex
// i+1): the line entry it lies on and the head of that edge's "vanish list" (units identically 0
// on the edge, for linear-region faces). Vertex i is the meeting point of edge i-1's line and edge
// i's line, which is how the exact fallback re-derives it.
import { ETA, gamma, inflate, underflow, U } from './float';
import { exactVertexSign } from './exact';

export const VERT_BYTES: usize = 32;
// vertex fields
@inline export function vx(v: usize): f64 { return load<f64>(v); }
@inline export function vy(v: usize): f64 { return load<f64>(v, 8); }
@inline export function vr(v: usize): f64 { return load<f64>(v, 16); }
@inline export function vline(v: usize): usize { return load<u32>(v, 24) as usize; }
@inline export function vvanish(v: usize): i32 { return load<i32>(v, 28); }
@inline export function setVanish(v: usize, head: i32): void { store<i32>(v, head, 28); }
@inline export function vertexAt(poly: usize, i: i32): usize { return poly + (i as usize) * VERT_BYTES; }

export function setVertex(v: usize, x: f64, y: f64, r: f64, line: usize, vanish: i32): void {
  store<f64>(v, x);
  store<f64>(v, y, 8);
  store<f64>(v, r, 16);
  store<u32>(v, line as u32, 24);
  store<i32>(v, vanish, 28);
}

// line entry fields (see exact.ts for the layout)
@inline function la(l: usize): f64 { return load<f64>(l); }
@inline function lb(l: usize): f64 { return load<f64>(l, 8); }
@inline function lc(l: usize): f64 { return load<f64>(l, 16); }
@inline function lea(l: usize): f64 { return load<f64>(l, 24); }
@inline function leb(l: usize): f64 { return load<f64>(l, 32); }
@inline function lec(l: usize): f64 { return load<f64>(l, 40); }

/** Counts of filter decisions and exact fallbacks, for the benchmark and the tests. */
export let filterHits: f64 = 0;
export let exactCalls: f64 = 0;

/** True when line q has exact coefficients (error bounds 0) equal to those of p, or to their negation. */
@inline function sameExactLine(p: usize, q: usize): bool {
  if (lea(q) != 0 || leb(q) != 0 || lec(q) != 0) return false;
  return (la(p) == la(q) && lb(p) == lb(q) && lc(p) == lc(q)) || (la(p) == -la(q) && lb(p) == -lb(q) && lc(p) == -lc(q));
}

/**
 * Exact sign of `line` at the vertex v (defined by lines `inA` and `outB`). The float filter
 * accepts a sign only when |z| exceeds a rigorous bound on |z - z_exact|:
 *   |z_exact - z| <= (|a|+ea) r + (|b|+eb) r + ea |x| + eb |y| + ec + gamma_3 (|ax| + |by| + |c|)
 *                    + underflow(2)
 * (coefficient errors from network.ts, vertex error r, and the rounding of the evaluation, whose
 * two products can each lose 2^-1075 to underflow).
 */
export function vertexSign(v: usize, inA: usize, outB: usize, line: usize, pattern: usize): i32 {
  const x = vx(v);
  const y = vy(v);
  const r = vr(v);
  const a = la(line);
  const b = lb(line);
  const c = lc(line);
  if (lea(line) == 0 && leb(line) == 0 && lec(line) == 0) {
    // exact coefficients (error bounds 0: rows no rounding touched, see traverse.ts rowExact)
    if (a == 0 && b == 0) {
      // a constant line (e.g. z_i - z_m of two exactly equal rows): its sign is c's anywhere, even
      // at a vertex whose float position is unknown (r infinite)
      filterHits += 1;
      return c > 0 ? 1 : c < 0 ? -1 : 0;
    }
    if (sameExactLine(line, inA) || sameExactLine(line, outB)) {
      // the line through v is this very line (two units with exactly equal rows): 0 at v
      filterHits += 1;
      return 0;
    }
  }
  const ax = a * x;
  const by = b * y;
  const z = ax + by + c;
  const bound = inflate(
    (abs(a) + lea(line)) * r + (abs(b) + leb(line)) * r + lea(line) * abs(x) + leb(line) * abs(y) + lec(line) +
      gamma(3) * (abs(ax) + abs(by) + abs(c)) + underflow(2),
    12,
  );
  if (abs(z) > bound) {
    filterHits += 1;
    return z > 0 ? 1 : -1;
  }
  exactCalls += 1;
  return exactVertexSign(inA, outB, line, pattern);
}

/**
 * Signs of `line` at every vertex of the polygon, into `signs` (one i8 per vertex).
 * Returns bit 0 set if some sign is > 0, bit 1 set if some sign is < 0.
 */
export function polygonSigns(poly: usize, n: i32, line: usize, signs: usize, pattern: usize): i32 {
  let seen = 0;
  let prevLine = vline(vertexAt(poly, n - 1));
  for (let i = 0; i < n; i++) {
    const v = vertexAt(poly, i);
    const s = vertexSign(v, prevLine, vline(v), line, pattern);
    store<i8>(signs + (i as usize), s as i8);
    if (s > 0) seen |= 1;
    else if (s < 0) seen |= 2;
    prevLine = vline(v);
  }
  return seen;
}

/**
 * Float intersection of two lines with a radius that bounds the distance (per coordinate) to the
 * exact intersection of the exact lines, written into vertex v (line and vanish left to the caller).
 * With D = a1 b2 - a2 b1, Nx = b1 c2 - b2 c1, Ny = c1 a2 - c2 a1 and error bounds eD, eN on them:
 *   |N/D - N'/D'| <= (eN |D'| + |N'| eD) / ((|D'| - eD) |D'|)   when |D'| > eD.
 * Each of D, Nx, Ny is two products, which can lose 2^-1075 each to underflow; the numerator of
 * the radius is inflated (its own underflow covered) BEFORE it is divided by the possibly tiny
 * |D'| - eD and |D'|, one division at a time (a product of the two could underflow, and then it
 * would have no relative error bound). Then x = Nx / D itself: relative u plus 2^-1075.
 * When D cannot be certified non-zero the radius is infinite: every filter then defers to the
 * exact predicate, and the point itself (only used for drawing) is the midpoint fallback.
 */
export function intersect(v: usize, l1: usize, l2: usize, fx: f64, fy: f64): void {
  const a1 = la(l1), b1 = lb(l1), c1 = lc(l1), ea1 = lea(l1), eb1 = leb(l1), ec1 = lec(l1);
  const a2 = la(l2), b2 = lb(l2), c2 = lc(l2), ea2 = lea(l2), eb2 = leb(l2), ec2 = lec(l2);
  const g2 = gamma(2);
  const D = a1 * b2 - a2 * b1;
  const eD = inflate(abs(a1) * eb2 + ea1 * abs(b2) + ea1 * eb2 + abs(a2) * eb1 + ea2 * abs(b1) + ea2 * eb1 +
    g2 * (abs(a1 * b2) + abs(a2 * b1)) + underflow(2), 12);
  const Nx = b1 * c2 - b2 * c1;
  const eNx = inflate(abs(b1) * ec2 + eb1 * abs(c2) + eb1 * ec2 + abs(b2) * ec1 + eb2 * abs(c1) + eb2 * ec1 +
    g2 * (abs(b1 * c2) + abs(b2 * c1)) + underflow(2), 12);
  const Ny = c1 * a2 - c2 * a1;
  const eNy = inflate(abs(c1) * ea2 + ec1 * abs(a2) + ec1 * ea2 + abs(c2) * ea1 + ec2 * abs(a1) + ec2 * ea1 +
    g2 * (abs(c1 * a2) + abs(c2 * a1)) + underflow(2), 12);
  const aD = abs(D);
  if (!(aD > eD)) {
    store<f64>(v, fx);
    store<f64>(v, fy, 8);
    store<f64>(v, Infinity, 16);
    return;
  }
  const x = Nx / D;
  const y = Ny / D;
  // (num / (|D'| - eD) + ETA) / |D'|: what the first quotient loses to underflow is covered before
  // the second divides it by |D'|, which may be tiny (|D'| - eD is a difference: relative error only)
  const gap = aD - eD;
  const rx = (inflate(eNx * aD + abs(Nx) * eD, 4) / gap + ETA) / aD + U * abs(x) + ETA;
  const ry = (inflate(eNy * aD + abs(Ny) * eD, 4) / gap + ETA) / aD + U * abs(y) + ETA;
  let r = inflate(max(rx, ry), 16);
  if (!(r < Infinity) || !(abs(x) < Infinity) || !(abs(y) < Infinity)) {
    store<f64>(v, fx);
    store<f64>(v, fy, 8);
    store<f64>(v, Infinity, 16);
    return;
  }
  store<f64>(v, x);
  store<f64>(v, y, 8);
  store<f64>(v, r, 16);
}

/**
 * Writes into dst the part of the polygon where keep * sign >= 0 (the signs of `line` at its
 * vertices must be strictly positive somewhere and strictly negative somewhere), and returns its
 * vertex count. The new edge along `line` starts with an empty vanish list (-1).
 */
export function cutPolygon(src: usize, n: i32, signs: usize, line: usize, keep: i32, dst: usize): i32 {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const j = i + 1 == n ? 0 : i + 1;
    const v = vertexAt(src, i);
    const si = (load<i8>(signs + (i as usize)) as i32) * keep;
    const sj = (load<i8>(signs + (j as usize)) as i32) * keep;
    if (si >= 0) {
      const o = vertexAt(dst, m++);
      memory.copy(o, v, VERT_BYTES);
      if (sj < 0) {
        if (si == 0) {
          // v is where the polygon leaves the half-plane: its outgoing edge becomes the cut
          store<u32>(o, line as u32, 24);
          store<i32>(o, -1, 28);
        } else {
          const w = vertexAt(dst, m++);
          const u = vertexAt(src, j);
          intersect(w, vline(v), line, 0.5 * (vx(v) + vx(u)), 0.5 * (vy(v) + vy(u)));
          store<u32>(w, line as u32, 24);
          store<i32>(w, -1, 28);
        }
      }
    } else if (sj > 0) {
      // entering the half-plane through the interior of edge i
      const w = vertexAt(dst, m++);
      const u = vertexAt(src, j);
      intersect(w, vline(v), line, 0.5 * (vx(v) + vx(u)), 0.5 * (vy(v) + vy(u)));
      store<u32>(w, vline(v) as u32, 24);
      store<i32>(w, vvanish(v), 28);
    }
  }
  return m;
}
