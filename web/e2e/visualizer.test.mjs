/**
 * End-to-end tests of the visualizer (web/dist) in Debian's Chromium, driven by playwright-core.
 * Expected counts come from the Node API (the package's `node` entry) on the same JSON files, so
 * the page is checked against the library as a Node user would call it.
 *
 * Run with `npm run test:e2e` (builds the site, installs Chromium if missing, runs this file).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as library from 'linear-regions';
import { useBrowser } from './session.mjs';

/** Counts as the page prints them (thousands separators). */
const fmt = (n) => n.toLocaleString('en-US');

const { countRegions } = library;
const here = new URL('.', import.meta.url);
const repo = new URL('../../', import.meta.url);
const readJson = (url) => JSON.parse(readFileSync(url, 'utf8'));
const example = (name) => readJson(new URL(`examples/${name}.json`, repo));
const fixture = (name) => readJson(new URL(`fixtures/${name}`, here));
const artifacts = new URL('artifacts/', here);

const { open, url } = useBrowser({ onStart: () => mkdirSync(artifacts, { recursive: true }) });

/** Waits until the status element reaches one of `states`; returns the state. */
async function settled(page, states = ['done', 'error', 'cancelled'], timeout = 30_000) {
  await page.waitForFunction((s) => s.includes(document.querySelector('[data-testid="status"]')?.dataset.state), states, { timeout });
  return page.getAttribute('[data-testid="status"]', 'data-state');
}

/** Waits for a fresh count to finish (after an action that starts one). */
async function recount(page, action) {
  await page.evaluate(() => (document.querySelector('[data-testid="status"]').dataset.state = 'stale'));
  await action();
  return settled(page);
}

async function shown(page) {
  const text = (id) => page.textContent(`[data-testid="${id}"]`);
  return {
    activation: await text('activation-regions'),
    linear: await text('linear-regions'),
    cells: await text('cells-shown'),
    message: (await text('message')).trim(),
  };
}

/** Region colours on the canvas: exact RGB values covering at least `minPixels` pixels. */
function regionColours(page, minPixels = 12) {
  return page.evaluate((min) => {
    const canvas = document.querySelector('[data-testid="canvas"]');
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const tally = new Map();
    for (let p = 0; p < data.length; p += 4) {
      const [r, g, b] = [data[p], data[p + 1], data[p + 2]];
      // Boundary pixels are drawn at 35% brightness; region colours have a channel above 120.
      if (Math.max(r, g, b) < 120) continue;
      const key = (r << 16) | (g << 8) | b;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    return { colours: [...tally.values()].filter((n) => n >= min).length, pixels: data.length / 4 };
  }, minPixels);
}

async function setLayer(page, layer) {
  await page.$eval('[data-testid="layer-slider"]', (el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, layer);
}

test('the page loads, counts its default network, and logs no console errors', async () => {
  const { page, errors } = await open('/');
  assert.equal(await settled(page), 'done');
  const expected = await countRegions(example('he-2-16-16-1'));
  const s = await shown(page);
  assert.equal(s.activation, fmt(expected.activationRegions));
  assert.equal(s.linear, fmt(expected.linearRegions));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the closed-form bounds are shown next to the counts (when the package exports them)', async () => {
  const { page, errors } = await open('/');
  assert.equal(await settled(page), 'done');
  if (typeof library.computeBounds !== 'function') {
    assert.equal(await page.textContent('[data-testid="bounds"]'), 'bounds: not available');
  } else {
    // he-2-16-16-1 is counted in 2 dimensions with hidden widths 16, 16.
    const report = library.computeBounds(2, [16, 16]);
    for (const name of ['serra2018', 'naive']) {
      const value = await page.getAttribute(`[data-testid="bound-${name}"] td:last-child`, 'data-value');
      assert.equal(value, report.bounds[name].toString(), name);
    }
  }
  if (typeof library.montufarFolding === 'function') {
    // Montufar et al.'s construction attains their lower bound exactly: the page shows both.
    assert.equal(await recount(page, () => page.selectOption('[data-testid="source"]', 'montufar')), 'done');
    const expected = await countRegions(library.montufarFolding(2, [4, 4, 4]));
    assert.equal(await page.textContent('[data-testid="activation-regions"]'), fmt(expected.activationRegions));
    if (typeof library.computeBounds === 'function') {
      const lower = library.computeBounds(2, [4, 4, 4]).bounds.montufar2014.toString();
      assert.equal(await page.getAttribute('[data-testid="bound-montufar2014"] td:last-child', 'data-value'), lower);
      assert.equal(String(expected.activationRegions), lower);
    }
  }
  assert.deepEqual(errors, []);
  await page.close();
});

const cases = [
  { net: 'he-2-16-16-1', domain: 'he-box.json' },
  { net: 'maxout-2d', domain: 'maxout-box.json' },
  { net: 'mnist-like-slice', domain: 'mnist-plane.json' },
  { net: 'sawtooth-4', domain: 'sawtooth-interval.json' },
  { net: 'lines-5', domain: null },
  { net: 'relu-cancel', domain: null },
];

for (const c of cases) {
  test(`?net=&domain= counts equal the Node API's: ${c.net} on ${c.domain ?? 'its own domain'}`, async () => {
    const query = `?net=${encodeURIComponent(`/examples/${c.net}.json`)}` + (c.domain ? `&domain=${encodeURIComponent(`/fixtures/${c.domain}`)}` : '');
    const { page, errors } = await open(`/${query}`);
    assert.equal(await settled(page), 'done');
    const expected = await countRegions(example(c.net), c.domain ? fixture(c.domain) : undefined);
    const s = await shown(page);
    assert.equal(s.activation, fmt(expected.activationRegions), 'activation regions');
    assert.equal(s.linear, fmt(expected.linearRegions), 'linear regions');
    // The picture: one cell per activation region at the last layer, and the layer slider shows
    // exactly the cells of the network cut after each layer (the library's per-layer counts).
    assert.equal(s.cells, fmt(expected.activationRegions), 'cells drawn at the last layer');
    for (let l = 1; l <= expected.perLayer.length; l++) {
      await setLayer(page, l);
      assert.equal(await page.textContent('[data-testid="cells-shown"]'), fmt(expected.perLayer[l - 1]), `cells after layer ${l}`);
    }
    // Coloured by linear region: as many colour groups as the exact linear count.
    await page.check('[data-testid="colour-linear"]');
    await page.waitForFunction((n) => document.querySelector('[data-testid="cells-shown"]').textContent === n, fmt(expected.linearRegions), { timeout: 5000 });
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('a plane through three input points (Hanin and Rolnick\'s picture) is counted as the Node API counts it', async () => {
  const net = example('mnist-like-slice');
  const n = net.inputDim;
  // Three fixed "inputs" in [0, 1]^20 (a Weyl sequence: deterministic, well spread).
  const points = [0, 1, 2].map((k) => Array.from({ length: n }, (_, i) => Math.round(((k * n + i + 1) * 0.6180339887 % 1) * 1000) / 1000));
  const { page, errors } = await open(`/?net=${encodeURIComponent('/examples/mnist-like-slice.json')}`);
  assert.equal(await settled(page), 'done');
  await page.check('#use-slice');
  for (const [i, id] of ['#pt-a', '#pt-b', '#pt-c'].entries()) await page.fill(id, points[i].join(', '));
  assert.equal(await recount(page, () => page.click('[data-testid="count"]')), 'done');
  const domain = JSON.parse(await page.textContent('[data-testid="domain-json"]'));
  // The plane passes through A, B and C: A is the origin, u and v are orthonormal, and B - A, C - A
  // are combinations of u and v.
  const [a, b, c] = points;
  const [u, v] = domain.directions;
  const dot = (p, q) => p.reduce((sum, x, i) => sum + x * q[i], 0);
  const sub = (p, q) => p.map((x, i) => x - q[i]);
  assert.deepEqual(domain.origin, a);
  assert.ok(Math.abs(dot(u, u) - 1) < 1e-12 && Math.abs(dot(v, v) - 1) < 1e-12 && Math.abs(dot(u, v)) < 1e-12);
  for (const p of [b, c]) {
    const d = sub(p, a);
    const rest = sub(d, u.map((x, i) => dot(d, u) * x + dot(d, v) * v[i]));
    assert.ok(Math.sqrt(dot(rest, rest)) < 1e-9, 'the point lies on the plane');
    const [s, t] = [dot(d, u), dot(d, v)];
    assert.ok(s > domain.bounds[0][0] && s < domain.bounds[0][1] && t > domain.bounds[1][0] && t < domain.bounds[1][1], 'the point is inside the box shown');
  }
  const expected = await countRegions(net, domain);
  assert.equal(await page.textContent('[data-testid="activation-regions"]'), fmt(expected.activationRegions));
  assert.equal(await page.textContent('[data-testid="linear-regions"]'), fmt(expected.linearRegions));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the canvas is not blank and shows one colour per region of a small net', async () => {
  const { page, errors } = await open(`/?net=${encodeURIComponent('/examples/lines-5.json')}`);
  assert.equal(await settled(page), 'done');
  // lines-5: five lines in general position in [-1, 1]^2 make 16 regions (examples/README.md).
  assert.equal((await regionColours(page)).colours, 16);

  // maxout-2d: 12 activation regions that join into 5 linear regions.
  await recount(page, () => page.goto(`${url('/?net=')}${encodeURIComponent('/examples/maxout-2d.json')}`));
  assert.equal((await regionColours(page)).colours, 12);
  await page.check('[data-testid="colour-linear"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="cells-shown"]').textContent === '5');
  assert.equal((await regionColours(page)).colours, 5);
  // Layer 1 of maxout-2d: |x| and |y| cut the square into its 4 quadrants.
  await page.check('[data-testid="colour-activation"]');
  await setLayer(page, 1);
  assert.equal((await regionColours(page)).colours, 4);
  assert.deepEqual(errors, []);
  await page.close();
});

test('hovering shows the pattern and the output map of the region', async () => {
  const { page, errors } = await open(`/?net=${encodeURIComponent('/examples/lines-5.json')}`);
  assert.equal(await settled(page), 'done');
  const box = await page.locator('[data-testid="canvas"]').boundingBox();
  // The point (0.9, 0.9) of [-1, 1]^2: every line's unit is active there except... computed below.
  await page.mouse.move(box.x + box.width * 0.95, box.y + box.height * 0.05);
  await page.waitForSelector('[data-testid="hover-pattern"]');
  const pattern = (await page.textContent('[data-testid="hover-pattern"]')).trim();
  const net = example('lines-5');
  const x = -1 + 2 * 0.95;
  const y = 1 - 2 * 0.05;
  const states = net.layers[0].weights.map((w, i) => (w[0] * x + w[1] * y + net.layers[0].bias[i] > 0 ? 1 : 0)).join('');
  assert.ok(pattern.startsWith(`L1: ${states}`), `pattern "${pattern}" should start with L1: ${states}`);
  const map = await page.textContent('[data-testid="hover-map"]');
  assert.match(map, /f\(x₁, x₂\) = /);
  assert.deepEqual(errors, []);
  await page.close();
});

test('zooming and panning count again for the new domain', async () => {
  const net = example('he-2-16-16-1');
  const { page, errors } = await open(`/?net=${encodeURIComponent('/examples/he-2-16-16-1.json')}`);
  assert.equal(await settled(page), 'done');
  const box = await page.locator('[data-testid="canvas"]').boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6);
  assert.equal(await recount(page, () => page.mouse.wheel(0, -400)), 'done');
  let domain = JSON.parse(await page.textContent('[data-testid="domain-json"]'));
  assert.ok(domain.bounds[0][1] - domain.bounds[0][0] < 1.5, `zoomed in: ${JSON.stringify(domain.bounds)}`);
  let expected = await countRegions(net, domain);
  assert.equal(await page.textContent('[data-testid="activation-regions"]'), fmt(expected.activationRegions));

  const state = await recount(page, async () => {
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.4, { steps: 5 });
    await page.mouse.up();
  });
  assert.equal(state, 'done');
  const panned = JSON.parse(await page.textContent('[data-testid="domain-json"]'));
  assert.ok(panned.bounds[0][0] < domain.bounds[0][0] && panned.bounds[1][0] < domain.bounds[1][0], 'dragging right and up moves the view left and down');
  domain = panned;
  expected = await countRegions(net, domain);
  assert.equal(await page.textContent('[data-testid="activation-regions"]'), fmt(expected.activationRegions));
  assert.equal(await page.textContent('[data-testid="linear-regions"]'), fmt(expected.linearRegions));
  assert.deepEqual(errors, []);
  await page.close();
});

/** Drops a file on the page the way a user's drag and drop does (a DragEvent with a DataTransfer). */
async function dropFile(page, name, bytes) {
  const transfer = await page.evaluateHandle(
    ({ name, base64 }) => {
      const data = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([data], name));
      return dt;
    },
    { name, base64: Buffer.from(bytes).toString('base64') },
  );
  await page.dispatchEvent('[data-testid="drop-zone"]', 'drop', { dataTransfer: transfer });
}

test('dropping a JSON network counts it', async () => {
  const { page, errors } = await open('/');
  assert.equal(await settled(page), 'done');
  const state = await recount(page, () => dropFile(page, 'lines-5.json', readFileSync(new URL('examples/lines-5.json', repo))));
  assert.equal(state, 'done');
  assert.equal(await page.textContent('[data-testid="activation-regions"]'), '16');
  assert.deepEqual(errors, []);
  await page.close();
});

test('dropping an ONNX file imports it (or says the importer is missing)', async () => {
  const bytes = readFileSync(new URL('fixtures/mlp.onnx', here));
  const { page, errors } = await open('/');
  assert.equal(await settled(page), 'done');
  const state = await recount(page, () => dropFile(page, 'mlp.onnx', bytes));
  if (typeof library.loadOnnx === 'function') {
    assert.equal(state, 'done', await page.textContent('[data-testid="message"]'));
    const domain = JSON.parse(await page.textContent('[data-testid="domain-json"]'));
    const expected = await countRegions(library.loadOnnx(bytes), domain);
    assert.equal(await page.textContent('[data-testid="activation-regions"]'), fmt(expected.activationRegions));
    assert.equal(await page.textContent('[data-testid="linear-regions"]'), fmt(expected.linearRegions));
    assert.match(await page.textContent('[data-testid="net-summary"]'), /^mlp\.onnx: 2 inputs/);
  } else {
    assert.equal(state, 'error');
    assert.match(await page.textContent('[data-testid="message"]'), /ONNX import is not available yet/);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a long count draws progressively, keeps the page responsive, and Cancel stops it', async () => {
  const { page, errors } = await open('/');
  assert.equal(await settled(page), 'done');
  assert.equal(await recount(page, () => page.selectOption('[data-testid="source"]', 'random')), 'done');
  await page.fill('#rand-widths', '2-500-500-500-500-1');
  await page.dispatchEvent('#rand-widths', 'change');
  await page.waitForFunction(() => /so far/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 20_000 });
  await page.waitForFunction(() => Number(/([\d,]+) activation regions so far/.exec(document.querySelector('[data-testid="status"]').textContent)?.[1].replace(/,/g, '')) > 200, null, { timeout: 20_000 });
  // The main thread answers at once while the worker counts.
  const t0 = Date.now();
  const lag = await page.evaluate(() => new Promise((resolve) => { const t = performance.now(); setTimeout(() => resolve(performance.now() - t), 0); }));
  assert.ok(lag < 250 && Date.now() - t0 < 2000, `main thread lag ${lag} ms`);
  // Regions drawn so far are on the canvas before the count ends. (The worker sends regions in
  // batches of 256 or more, at most every 60 ms, and counts in progress messages between them: the
  // status can pass 200 before the first batch is drawn, so the canvas is polled.)
  let colours = 0;
  for (const until = Date.now() + 10_000; Date.now() < until; await page.waitForTimeout(100)) {
    colours = (await regionColours(page, 1)).colours;
    if (colours > 20) break;
  }
  assert.ok(colours > 20, `progressive drawing (${colours} region colours on the canvas)`);
  assert.equal(await page.getAttribute('[data-testid="status"]', 'data-state'), 'running');
  const clicked = Date.now();
  await page.click('[data-testid="cancel"]');
  assert.equal(await settled(page, ['cancelled', 'done', 'error'], 5_000), 'cancelled');
  assert.ok(Date.now() - clicked < 3000, 'cancelled within 3 s');
  assert.equal(await page.textContent('[data-testid="activation-regions"]'), '', 'no complete count is claimed');
  assert.match(await page.textContent('#activation-partial'), /^≥ \d/);
  // The worker is still usable.
  assert.equal(await recount(page, () => page.selectOption('[data-testid="source"]', 'example:lines-5')), 'done');
  assert.equal(await page.textContent('[data-testid="activation-regions"]'), '16');
  assert.deepEqual(errors, []);
  await page.close();
});

test('texts: singular nouns, intervals, thousands separators; a failed ?net= says so; small cells drop their edges', async () => {
  // sawtooth-4: 1 input on the interval [0, 1]
  let { page, errors } = await open('/?net=examples/sawtooth-4.json');
  assert.equal(await settled(page), 'done');
  assert.match(await page.textContent('[data-testid="net-summary"]'), /: 1 input, widths/);
  assert.equal(await page.textContent('[data-testid="domain-summary"]'), 'The interval [0, 1].');
  assert.deepEqual(errors, []);
  await page.close();
  // a missing file: the selector and the summary no longer name the previous network
  ({ page } = await open('/?net=examples/no-such-net.json'));
  assert.equal(await settled(page), 'error');
  assert.equal(await page.$eval('[data-testid="source"]', (el) => el.value), 'url');
  assert.match(await page.textContent('[data-testid="net-summary"]'), /^No network loaded/);
  assert.match(await page.textContent('[data-testid="message"]'), /HTTP 404/);
  await page.close();
  // thousands of regions: counts with separators, and no edges (the picture would turn dark)
  ({ page, errors } = await open('/'));
  assert.equal(await settled(page), 'done');
  assert.equal(await recount(page, () => page.selectOption('[data-testid="source"]', 'random')), 'done');
  assert.equal(await recount(page, async () => {
    await page.fill('#rand-widths', '2-64-64-1');
    await page.dispatchEvent('#rand-widths', 'change');
  }), 'done');
  const activation = await page.textContent('[data-testid="activation-regions"]');
  assert.match(activation, /^\d{1,3}(,\d{3})+$/, 'thousands separators');
  const dark = await page.evaluate(() => {
    const canvas = document.querySelector('[data-testid="canvas"]');
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let p = 0; p < data.length; p += 4) if (Math.max(data[p], data[p + 1], data[p + 2]) < 120) n++;
    return n / (data.length / 4);
  });
  assert.ok(dark < 0.05, `dark (edge) pixels: ${(dark * 100).toFixed(1)}%`);
  assert.match(await page.getAttribute('#edges', 'title'), /too small on screen/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the package works in a page without a bundler (<script type="module"> and an import map)', async () => {
  const { page, errors } = await open('/fixtures/plain.html');
  await page.waitForFunction(() => /^\d+ \d+$/.test(document.getElementById('out').textContent), null, { timeout: 20_000 });
  const expected = await countRegions(example('lines-5'));
  assert.equal(await page.textContent('#out'), `${expected.activationRegions} ${expected.linearRegions}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a screenshot is saved for review (web/e2e/artifacts/visualizer.png)', async () => {
  const { page, errors } = await open(`/?net=${encodeURIComponent('/examples/he-2-16-16-1.json')}&layer=2`);
  assert.equal(await settled(page), 'done');
  const box = await page.locator('[data-testid="canvas"]').boundingBox();
  await page.mouse.move(box.x + box.width * 0.42, box.y + box.height * 0.55);
  await page.waitForSelector('[data-testid="hover-pattern"]');
  const file = fileURLToPath(new URL('visualizer.png', artifacts));
  await page.screenshot({ path: file });
  const png = readFileSync(file);
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  if (process.env.UPDATE_SCREENSHOT) {
    // The README's screenshot: UPDATE_SCREENSHOT=1 npm run test:e2e
    mkdirSync(new URL('docs/', repo), { recursive: true });
    copyFileSync(file, fileURLToPath(new URL('docs/visualizer.png', repo)));
  }
  writeFileSync(new URL('artifacts/README.txt', here), 'Screenshots written by web/e2e/visualizer.test.mjs (not committed).\n');
  assert.deepEqual(errors, []);
  await page.close();
});
