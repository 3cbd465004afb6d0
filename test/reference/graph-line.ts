/**
 * An exact reference for graphs (residual Add, Concat, Clip, PReLU, maxout groups, per-value
 * scaling) on a line through input space, for tests only: it evaluates the graph as written from
 * the PyTorch modules (test/fixtures/onnx/make_fixtures_graph.py), not as the importer lowers it.
 *
 * On an interval of the line parameter t, every tensor value is an exact affine function p t + q
 * (p and q dyadic: sums of products of float64s; t rational). The interval is split at every point inside it where some unit's breakpoint lies
 * (a ReLU or PReLU root, a Clip bound reached, two maxout pieces equal), until every unit keeps
 * one state on each piece. Activation regions are the maximal runs of adjacent pieces with the
 * same states (a Clip unit has three: below, between, above its bounds); linear regions are the
 * maximal runs with the same output function.
 */
import { Dyadic, Rational, toDyadic, toRational } from './rational.js';

export type GraphOp =
  | { op: 'linear'; W: number[][]; b: number[]; in: [string]; out: string }
  | { op: 'scale'; a: number[]; c: number[]; in: [string]; out: string }
  | { op: 'relu'; in: [string]; out: string }
  | { op: 'clip'; lo: number | null; hi: number | null; in: [string]; out: string }
  | { op: 'prelu'; slopes: number[]; in: [string]; out: string }
  | { op: 'add'; in: [string, string]; out: string }
  | { op: 'concat'; in: string[]; out: string }
  | { op: 'maxgroups'; k: number; in: [string]; out: string };

export interface Line {
  origin: number[];
  direction: number[];
  bounds: [number, number];
}

interface Fn {
  p: Dyadic;
  q: Dyadic;
}

const at = (f: Fn, t: Rational): Rational => f.p.toRational().mul(t).add(f.q.toRational());
const sub = (f: Fn, g: Fn): Fn => ({ p: f.p.sub(g.p), q: f.q.sub(g.q) });
const scale = (f: Fn, s: Dyadic): Fn => ({ p: f.p.mul(s), q: f.q.mul(s) });
const shift = (f: Fn, c: Dyadic): Fn => ({ p: f.p, q: f.q.add(c) });
const ZERO_FN: Fn = { p: Dyadic.ZERO, q: Dyadic.ZERO };

/** The root of f strictly inside (a, b), if f is not constant and has one there. */
function rootInside(f: Fn, a: Rational, b: Rational): Rational | undefined {
  if (f.p.isZero()) return undefined;
  const r = f.q.toRational().neg().div(f.p.toRational());
  return a.lt(r) && r.lt(b) ? r : undefined;
}

type Eval = { split: Rational } | { states: string; output: string };

function evaluate(graph: readonly GraphOp[], line: Line, a: Rational, b: Rational): Eval {
  const mid = a.add(b).div(Rational.of(2));
  const values = new Map<string, Fn[]>();
  values.set('x', line.origin.map((o, j) => ({ p: toDyadic(line.direction[j]!), q: toDyadic(o) })));
  const states: string[] = [];
  let last: Fn[] = [];
  for (const op of graph) {
    const x = values.get(op.in[0])!;
    let y: Fn[];
    switch (op.op) {
      case 'linear':
        y = op.W.map((row, i) => {
          let f: Fn = { p: Dyadic.ZERO, q: toDyadic(op.b[i]!) };
          row.forEach((w, j) => {
            if (w === 0) return;
            const s = toDyadic(w);
            f = { p: f.p.add(x[j]!.p.mul(s)), q: f.q.add(x[j]!.q.mul(s)) };
          });
          return f;
        });
        break;
      case 'scale':
        y = x.map((f, i) => shift(scale(f, toDyadic(op.a[i]!)), toDyadic(op.c[i]!)));
        break;
      case 'add':
        y = x.map((f, i) => ({ p: f.p.add(values.get(op.in[1])![i]!.p), q: f.q.add(values.get(op.in[1])![i]!.q) }));
        break;
      case 'concat':
        y = op.in.flatMap((name) => values.get(name)!);
        break;
      case 'relu':
      case 'prelu':
        y = [];
        for (let i = 0; i < x.length; i++) {
          const r = rootInside(x[i]!, a, b);
          if (r) return { split: r };
          const on = at(x[i]!, mid).sign() > 0;
          states.push(on ? '1' : '0');
          y.push(on ? x[i]! : op.op === 'relu' ? ZERO_FN : scale(x[i]!, toDyadic(op.slopes[i]!)));
        }
        break;
      case 'clip':
        y = [];
        for (const f of x) {
          const lo = op.lo === null ? undefined : toDyadic(op.lo);
          const hi = op.hi === null ? undefined : toDyadic(op.hi);
          for (const bound of [lo, hi]) {
            const r = bound && rootInside(shift(f, bound.neg()), a, b);
            if (r) return { split: r };
          }
          const v = at(f, mid);
          if (lo && v.cmp(lo.toRational()) <= 0) {
            states.push('lo');
            y.push({ p: Dyadic.ZERO, q: lo });
          } else if (hi && v.cmp(hi.toRational()) > 0) {
            states.push('hi');
            y.push({ p: Dyadic.ZERO, q: hi });
          } else {
            states.push('mid');
            y.push(f);
          }
        }
        break;
      case 'maxgroups':
        y = [];
        for (let u = 0; u < x.length / op.k; u++) {
          const pieces = x.slice(u * op.k, u * op.k + op.k);
          for (let i = 0; i < op.k; i++) {
            for (let j = i + 1; j < op.k; j++) {
              const r = rootInside(sub(pieces[i]!, pieces[j]!), a, b);
              if (r) return { split: r };
            }
          }
          let best = 0;
          for (let i = 1; i < op.k; i++) if (at(pieces[i]!, mid).cmp(at(pieces[best]!, mid)) > 0) best = i;
          states.push(String(best));
          y.push(pieces[best]!);
        }
        break;
    }
    values.set(op.out, y);
    last = y;
  }
  return { states: states.join(','), output: last.map((f) => `${f.p.key()}:${f.q.key()}`).join(';') };
}

/** Exact activation and linear region counts of the graph on the line. */
export function countGraphOnLine(graph: readonly GraphOp[], line: Line): { activationRegions: number; linearRegions: number } {
  const leaves: { states: string; output: string }[] = [];
  const visit = (a: Rational, b: Rational): void => {
    const e = evaluate(graph, line, a, b);
    if ('split' in e) {
      visit(a, e.split);
      visit(e.split, b);
    } else leaves.push(e);
  };
  visit(toRational(line.bounds[0]), toRational(line.bounds[1]));
  const runs = (key: (l: { states: string; output: string }) => string): number =>
    leaves.filter((l, i) => i === 0 || key(l) !== key(leaves[i - 1]!)).length;
  return { activationRegions: runs((l) => l.states), linearRegions: runs((l) => l.output) };
}
