// Bundles each entry point into dist/ with esbuild; type checking is `tsc --noEmit` (npm run typecheck).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const entryPoints = [
  { in: 'server/src/cli/cli.ts', out: 'cli' },
  { in: 'server/src/lsp/server.ts', out: 'server' },
  { in: 'client/src/extension.ts', out: 'extension' },
  // Pushing from the editor (undici included): loaded by the extension when a push or environment command first runs.
  { in: 'client/src/push/index.ts', out: 'push' },
  // Querying from the editor and the results panel's extension side: loaded when a query command first runs.
  { in: 'client/src/query/index.ts', out: 'query' },
  // Converting in the editor (the converters and the linter they check with): loaded when a convert command first runs.
  { in: 'client/src/convert/index.ts', out: 'convert' },
];

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Minified: activation loads half the code (the client bundle is 0.96 MB plain, 0.44 MB minified); source maps
  // keep stack traces readable.
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  // The editor provides `vscode` to the extension host; it is never bundled.
  external: ['vscode'],
  // Bundled ESM dependencies (tinyglobby) read import.meta.url, which a CommonJS bundle must provide itself.
  banner: { js: "#!/usr/bin/env node\nconst __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  define: { DTMETRICS_VERSION: JSON.stringify(version), 'import.meta.url': '__import_meta_url' },
});

// The results panel's script, with uPlot and the CSS both import (dist/query-webview.js and .css): it runs in the
// webview, a browser page whose Content-Security-Policy allows scripts and styles only from dist/.
await build({
  entryPoints: [{ in: 'client/src/query/webview/main.ts', out: 'query-webview' }],
  outdir: 'dist',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'chrome120',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
