/**
 * Vite config of the visualizer. The page imports the library by its package name,
 * `linear-regions`, exactly as an app that installed it would: the alias points at the package
 * root, so Vite reads the root package.json `exports` and picks the browser entry
 * (dist/index.browser.js), which fetches build/linear_regions.wasm through
 * `new URL('../build/linear_regions.wasm', import.meta.url)`. Vite copies that file into the
 * build (assets/linear_regions-<hash>.wasm) and serves it in dev.
 *
 * Run `npm run build` at the package root first (dist/ and build/ must exist).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

// LINEAR_REGIONS_ROOT: build the page against another copy of the package (e.g. an unpacked
// `npm pack` tarball) instead of this repository's root.
const packageRoot = process.env.LINEAR_REGIONS_ROOT ?? fileURLToPath(new URL('..', import.meta.url));

/**
 * The package's example networks as plain files at examples/NAME.json, in dev and in the static
 * site, so that links like ?net=examples/he-2-16-16-1.json work everywhere.
 */
function serveExamples(): Plugin {
  const dir = join(packageRoot, 'examples');
  const names = () => readdirSync(dir).filter((f) => f.endsWith('.json'));
  return {
    name: 'linear-regions-examples',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /\/examples\/([\w.-]+\.json)(\?.*)?$/.exec(req.url ?? '');
        if (!m || !names().includes(m[1]!)) return next();
        res.setHeader('content-type', 'application/json');
        res.end(readFileSync(join(dir, m[1]!)));
      });
    },
    generateBundle() {
      for (const name of names()) this.emitFile({ type: 'asset', fileName: `examples/${name}`, source: readFileSync(join(dir, name)) });
    },
  };
}

export default defineConfig({
  plugins: [serveExamples()],
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative URLs: the static site works from any folder (a file server, GitHub Pages, ...).
  base: './',
  resolve: {
    alias: [{ find: /^linear-regions$/, replacement: packageRoot }],
  },
  // An app that installs linear-regions from npm and uses Vite <= 7 needs this line in dev, or
  // the dependency pre-bundler moves dist/ into node_modules/.vite/deps and the .wasm URL breaks
  // (see web/README-section.md). Here the package is aliased, not pre-bundled; the line is kept so
  // the config is the one we document.
  optimizeDeps: { exclude: ['linear-regions'] },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
    // Two pages: the counting visualizer and the training view (issue 14).
    rollupOptions: { input: { main: fileURLToPath(new URL('index.html', import.meta.url)), train: fileURLToPath(new URL('train.html', import.meta.url)) } },
  },
  server: { fs: { allow: [packageRoot] } },
});
