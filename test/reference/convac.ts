/**
 * The slow, obviously-correct ConvAC reference: the grid tensor evaluated entry by entry from the
 * definition (one-hot templates, y_j^g = prod_k <w^{g,k}, x_{jS+k}>, h = <a, y>) in exact BigInt
 * rationals, and its matricization's rank by Gaussian elimination over the rationals. Shares no
 * code with src/theory/convac/ or assembly/convac.ts.
 */
import { Rational, toRational } from './rational.js';

interface RefLayer {
  receptiveField: number;
  stride: number;
  channels: number;
  weights: unknown;
}

export interface RefSpec {
  M: number;
  positions: number | [number, number];
  layers: RefLayer[];
  output: number[];
}

/** h(e_{d_0}, ..., e_{d_{N-1}}) for the templates d (row-major positions), exactly. */
export function evaluate(spec: RefSpec, d: readonly number[]): Rational {
  const [H, W] = Array.isArray(spec.positions) ? spec.positions : [1, spec.positions];
  const twoD = Array.isArray(spec.positions);
  // x[y][x][channel]
  let x: Rational[][][] = [];
  for (let y = 0; y < H; y++) {
    const row: Rational[][] = [];
    for (let c = 0; c < W; c++) row.push(Array.from({ length: spec.M }, (_, m) => (d[y * W + c] === m ? Rational.ONE : Rational.ZERO)));
    x.push(row);
  }
  let h = H;
  let w = W;
  for (const layer of spec.layers) {
    const R = layer.receptiveField;
    const S = layer.stride;
    const Ry = twoD ? R : 1;
    const nh = twoD ? Math.floor((h - R) / S) + 1 : 1;
    const nw = Math.floor((w - R) / S) + 1;
    const next: Rational[][][] = [];
    for (let jy = 0; jy < nh; jy++) {
      const row: Rational[][] = [];
      for (let jx = 0; jx < nw; jx++) {
        const out: Rational[] = [];
        for (let g = 0; g < layer.channels; g++) {
          let prod = Rational.ONE;
          for (let ky = 0; ky < Ry; ky++) {
            for (let kx = 0; kx < R; kx++) {
              const wv = (twoD ? (layer.weights as number[][][][])[g]![ky]![kx]! : (layer.weights as number[][][])[g]![kx]!) as number[];
              const input = x[twoD ? jy * S + ky : 0]![jx * S + kx]!;
              let dot = Rational.ZERO;
              for (let c = 0; c < wv.length; c++) dot = dot.add(toRational(wv[c]!).mul(input[c]!));
              prod = prod.mul(dot);
            }
          }
          out.push(prod);
        }
        row.push(out);
      }
      next.push(row);
    }
    x = next;
    h = nh;
    w = nw;
  }
  let out = Rational.ZERO;
  spec.output.forEach((a, g) => (out = out.add(toRational(a).mul(x[0]![0]![g]!))));
  return out;
}

/** The grid tensor, M^N entries, position 0 the most significant index. */
export function gridTensor(spec: RefSpec): Rational[] {
  const N = Array.isArray(spec.positions) ? spec.positions[0] * spec.positions[1] : spec.positions;
  const total = spec.M ** N;
  const out: Rational[] = [];
  const d = new Array<number>(N).fill(0);
  for (let e = 0; e < total; e++) {
    let rest = e;
    for (let q = N - 1; q >= 0; q--) {
      d[q] = rest % spec.M;
      rest = Math.floor(rest / spec.M);
    }
    out.push(evaluate(spec, d));
  }
  return out;
}

/** Rank over the rationals of [A]_{I,J}: rows indexed by the templates at I, columns at J. */
export function matricizationRank(spec: RefSpec, I: readonly number[], A: Rational[] = gridTensor(spec)): number {
  const N = Array.isArray(spec.positions) ? spec.positions[0] * spec.positions[1] : spec.positions;
  const inI = new Set(I);
  const J = Array.from({ length: N }, (_, q) => q).filter((q) => !inI.has(q));
  const rows = spec.M ** I.length;
  const cols = spec.M ** J.length;
  const mat: Rational[][] = Array.from({ length: rows }, () => new Array<Rational>(cols).fill(Rational.ZERO));
  const M = spec.M;
  A.forEach((v, e) => {
    const d: number[] = [];
    let rest = e;
    for (let q = N - 1; q >= 0; q--) {
      d[q] = rest % M;
      rest = Math.floor(rest / M);
    }
    let r = 0;
    for (const q of I) r = r * M + d[q]!;
    let c = 0;
    for (const q of J) c = c * M + d[q]!;
    mat[r]![c] = v;
  });
  return rationalRank(mat);
}

/** Rank of a matrix of rationals by Gaussian elimination. */
export function rationalRank(mat: Rational[][]): number {
  const m = mat.map((row) => row.slice());
  const rows = m.length;
  const cols = rows === 0 ? 0 : m[0]!.length;
  let rank = 0;
  for (let c = 0; c < cols && rank < rows; c++) {
    let piv = -1;
    for (let i = rank; i < rows; i++) if (!m[i]![c]!.isZero()) { piv = i; break; }
    if (piv < 0) continue;
    [m[rank], m[piv]] = [m[piv]!, m[rank]!];
    const p = m[rank]!;
    for (let i = rank + 1; i < rows; i++) {
      const row = m[i]!;
      if (row[c]!.isZero()) continue;
      const f = row[c]!.div(p[c]!);
      for (let j = c; j < cols; j++) row[j] = row[j]!.sub(f.mul(p[j]!));
    }
    rank++;
  }
  return rank;
}
