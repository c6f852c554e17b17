// Bundles each entry point into dist/ with esbuild; type checking is `tsc --noEmit` (npm run typecheck).
import { build } from 'esbuild';

const entryPoints = [{ in: 'server/src/cli/main.ts', out: 'cli' }];

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  banner: { js: '#!/usr/bin/env node' },
});
