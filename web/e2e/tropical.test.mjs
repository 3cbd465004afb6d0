/**
 * End-to-end tests of the tropical panel (web/src/tropical-panel.ts) in Chromium: its counts must
 * equal the Node API's tropicalize on the same network, the dual subdivisions and the tropical
 * hypersurfaces must be drawn, and hovering must pick the monomials of F and G that win there
 * (checked against an exact evaluation in Node at the same point).
 *
 * Run with `npm run test:e2e` (registered in run.mjs).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { tropicalizeSync } from 'linear-regions';
import { useBrowser } from './session.mjs';

const repo = new URL('../../', import.meta.url);
const example = (name) => JSON.parse(readFileSync(new URL(`examples/${name}.json`, repo), 'utf8'));

const { open } = useBrowser({ onStart: () => mkdirSync(new URL('artifacts/', import.meta.url), { recursive: true }) });

async function tropicalDone(page) {
  await page.waitForFunction(
    () => ['done', 'error'].includes(document.querySelector('[data-testid="tropical-status"]')?.dataset.state),
    null,
    { timeout: 60_000 },
  );
  return page.getAttribute('[data-testid="tropical-status"]', 'data-state');
}

/** Non-blank pixels of a canvas. */
const inked = (page, testid) =>
  page.$eval(`[data-testid="${testid}"], #${testid}`, (c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let p = 3; p < data.length; p += 4) if (data[p] > 0) n++;
    return n;
  });

/** A finite double as an exact fraction n / d (d a power of two). */
function exact(v) {
  let d = 1n;
  let m = v;
  while (!Number.isInteger(m)) {
    m *= 2;
    d *= 2n;
  }
  return { n: BigInt(m), d };
}

/** Indices of the monomials attaining max (alpha . (x, y) + c), exactly. */
function winnersAt(monomials, x, y) {
  const q = (s) => {
    const [n, d] = s.split('/');
    return { n: BigInt(n), d: BigInt(d ?? '1') };
  };
  const X = exact(x);
  const Y = exact(y);
  const values = monomials.map((mo) => {
    const a = q(mo.exponent[0]);
    const b = q(mo.exponent[1]);
    const c = q(mo.coefficient);
    const D = a.d * b.d * c.d * X.d * Y.d;
    return { v: a.n * X.n * (D / (a.d * X.d)) + b.n * Y.n * (D / (b.d * Y.d)) + c.n * (D / c.d), D };
  });
  const cmp = (p, r) => (p.v * r.D > r.v * p.D ? 1 : p.v * r.D < r.v * p.D ? -1 : 0);
  let best = values[0];
  for (const v of values) if (cmp(v, best) > 0) best = v;
  return values.map((v, i) => (cmp(v, best) === 0 ? i : -1)).filter((i) => i >= 0);
}

test('the tropical panel shows the Node API\'s counts for the default 2-16-16-1 network and draws F, G', async () => {
  const { page, errors } = await open('/');
  assert.equal(await tropicalDone(page), 'done');
  const [o] = tropicalizeSync(example('he-2-16-16-1'), { output: 0 }).outputs;
  const counts = await page.$eval('[data-testid="tropical-counts"]', (el) => ({ f: el.dataset.f, g: el.dataset.g, fg: el.dataset.fg }));
  assert.deepEqual(counts, { f: String(o.F.count), g: String(o.G.count), fg: String(o.FG.count) });
  assert.ok((await inked(page, 'tropical-dual-f')) > 200, 'dual subdivision of F drawn');
  assert.ok((await inked(page, 'tropical-dual-g')) > 200, 'dual subdivision of G drawn');
  assert.ok((await inked(page, 'tropical-overlay')) > 500, 'tropical hypersurfaces drawn over the regions');
  assert.deepEqual(errors, []);
  await page.screenshot({ path: new URL('artifacts/tropical.png', import.meta.url).pathname, fullPage: true });
  await page.close();
});

test('hovering highlights the monomials of F and G that win at the pointer', async () => {
  const { page, errors } = await open('/');
  assert.equal(await tropicalDone(page), 'done');
  const [o] = tropicalizeSync(example('he-2-16-16-1'), { output: 0 }).outputs;
  const box = await (await page.$('[data-testid="canvas"]')).boundingBox();
  for (const [fx, fy] of [[0.3, 0.3], [0.71, 0.58], [0.52, 0.9]]) {
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
    await page.waitForFunction(() => document.querySelector('[data-testid="tropical-hover"]').dataset.f !== undefined);
    const h = await page.$eval('[data-testid="tropical-hover"]', (el) => ({ ...el.dataset, text: el.textContent }));
    assert.match(h.text, /F #\d+ .* G #\d+/);
    // at the exact domain point under the pointer, the highlighted monomials are the exact winners
    const x = Number(h.x);
    const y = Number(h.y);
    assert.ok(winnersAt(o.F.monomials, x, y).includes(Number(h.f)), `F at (${x}, ${y})`);
    assert.ok(winnersAt(o.G.monomials, x, y).includes(Number(h.g)), `G at (${x}, ${y})`);
    await page.mouse.move(box.x + 2, box.y + 2); // leave, so the next move is a fresh hover
  }
  assert.deepEqual(errors, []);
  await page.close();
});
