/**
 * End-to-end tests of the training view (web/dist/train.html) in Debian's Chromium. Expected values
 * come from the Node API: the same seeded `Trainer` runs in Node, its networks are counted with
 * `countRegions`, and the page must show the same exact counts and test MSE.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as library from 'linear-regions';
import { useBrowser } from './session.mjs';

const { Trainer, countRegions, kaimingNetwork, testMse } = library;

const { open } = useBrowser();

const state = (page, states, timeout = 120_000) =>
  page.waitForFunction((s) => s.includes(document.querySelector('[data-testid="status"]')?.dataset.state), states, { timeout });
const text = (page, id) => page.textContent(`[data-testid="${id}"]`);

/** The networks a run of `steps` steps ends with, trained in Node. */
function trainInNode(settings) {
  const out = {};
  for (const method of ['milkert', 'kaiming']) {
    const t = new Trainer(method, settings);
    while (t.phase !== 'done') t.takeStep();
    out[method] = { network: t.network(), phase1: t.phase1Network() };
  }
  return out;
}

test('the index page links to the training view', async () => {
  const { page, errors } = await open('/index.html');
  assert.equal(await page.getAttribute('[data-testid="train-link"]', 'href'), './train.html');
  await page.close();
  assert.deepEqual(errors, []);
});

test('training view: initial networks, a full run matching the Node API, stop and reset', async () => {
  const { page, errors } = await open('/train.html');
  await state(page, ['idle'], 30_000);
  // Default depth 6: the reparameterised network starts with exactly 2^6 linear regions.
  await page.waitForFunction(() => document.querySelector('[data-testid="milkert-regions"]')?.textContent === '64');
  const k0 = await countRegions(kaimingNetwork(6, 1), { bounds: [[0, 1]] });
  assert.equal(await text(page, 'kaiming-regions'), String(k0.linearRegions));

  const settings = { target: 'x3', depth: 4, steps: 600, seed: 3 };
  await page.fill('[data-testid="depth"]', '4');
  await page.fill('[data-testid="steps"]', '600');
  await page.fill('[data-testid="seed"]', '3');
  await page.click('[data-testid="start"]');
  await state(page, ['done', 'error']);
  assert.equal(await page.getAttribute('[data-testid="status"]', 'data-state'), 'done', await text(page, 'status'));

  const node = trainInNode(settings);
  for (const method of ['milkert', 'kaiming']) {
    const net = node[method].network;
    const counted = await countRegions(net, { bounds: [[0, 1]] });
    assert.equal(await text(page, `${method}-regions`), String(counted.linearRegions), `${method} regions`);
    // Chromium's Math.pow, log and cos differ from Node's in the last bit for some arguments (the
    // learning-rate schedule, Adam's bias corrections, the He init), so the runs agree to rounding,
    // not bit for bit: the shown MSE (3 digits) must be within 2% of Node's.
    const shown = Number(await text(page, `${method}-mse`));
    const expected = testMse(net, 'x3');
    assert.ok(Math.abs(shown - expected) <= 0.02 * expected, `${method} test MSE: page ${shown}, Node ${expected}`);
    assert.equal(await text(page, `${method}-step`), '600 / 600');
  }
  assert.equal(await text(page, 'milkert-phase1-regions'), '16');
  const p1 = await countRegions(node.milkert.phase1, { bounds: [[0, 1]] });
  assert.equal(p1.linearRegions, 16);

  // The fit canvas shows the network (non-background pixels in the method's colour).
  const blue = await page.evaluate(() => {
    const c = document.querySelector('[data-testid="milkert-fit"]');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let p = 0; p < data.length; p += 4) if (data[p] === 0x2c && data[p + 1] === 0x3e && data[p + 2] === 0x9e) n++;
    return n;
  });
  assert.ok(blue > 200, `fit pixels: ${blue}`);
  // The exact breakpoints drawn are the boundaries between linear regions: one fewer than the regions.
  for (const method of ['milkert', 'kaiming']) {
    const ticks = Number(await page.getAttribute(`[data-testid="${method}-fit"]`, 'data-breakpoints'));
    assert.equal(ticks, Number(await text(page, `${method}-regions`)) - 1, `${method} breakpoints`);
  }
  // The loss curves are drawn in each method's colour (anti-aliased: bluish for Milkert, reddish
  // for Kaiming; the axes and labels are grey).
  const lossPixels = await page.evaluate(() =>
    ['milkert', 'kaiming'].map((m) => {
      const c = document.querySelector(`.train-panel[data-method="${m}"] canvas.loss`);
      const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let p = 0; p < data.length; p += 4) {
        const [r, b] = [data[p], data[p + 2]];
        if (m === 'milkert' ? b - r > 40 : r - b > 40) n++;
      }
      return n;
    }),
  );
  assert.ok(lossPixels.every((n) => n > 100), `loss-curve pixels: ${lossPixels}`);

  // Reset: back to the initial networks.
  await page.click('[data-testid="reset"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="milkert-step"]')?.textContent === '0 / 600');
  await state(page, ['idle']);
  assert.equal(await text(page, 'milkert-regions'), '16');

  // Start, then stop: the run pauses.
  await page.fill('[data-testid="steps"]', '1000000');
  await page.click('[data-testid="start"]');
  await state(page, ['running']);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="milkert-step"]')?.textContent.split(' ')[0]) > 0);
  await page.click('[data-testid="stop"]');
  await state(page, ['stopped'], 30_000);
  // Phase 1 of a long run still has exactly 2^4 regions.
  assert.equal(await text(page, 'milkert-regions'), '16');
  await page.close();
  assert.deepEqual(errors, []);
});
