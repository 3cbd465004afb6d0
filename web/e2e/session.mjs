/**
 * One browser session per e2e test file: the static server and Chromium start before the file's
 * tests and close after them. `open(path)` gives a new page that records console errors and
 * uncaught exceptions; `url(path)` is the server's address for a path.
 */
import { after, before } from 'node:test';
import { launch } from './chromium.mjs';
import { startServer } from './server.mjs';

export function useBrowser({ onStart } = {}) {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launch();
    await onStart?.();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  const url = (path) => server.url + path;
  async function open(path) {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(url(path));
    return { page, errors };
  }
  return { open, url };
}
