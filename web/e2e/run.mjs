#!/usr/bin/env node
/**
 * `npm run test:e2e` (after `npm run web:build`): makes sure Debian's Chromium is there (apt-get
 * as root when it is missing), then runs the browser tests with Node's test runner.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './chromium.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
if (!existsSync(fileURLToPath(new URL('../dist/index.html', import.meta.url)))) {
  console.error('e2e: web/dist is missing: run `npm run web:build` first (npm run test:e2e does)');
  process.exit(1);
}
ensureChromium();
const { status } = spawnSync(process.execPath, ['--test', '--test-concurrency=1', `${here}visualizer.test.mjs`, `${here}training.test.mjs`, `${here}tropical.test.mjs`], { stdio: 'inherit' });
process.exit(status ?? 1);
