// Bundles the extension-host test suite (test/vscode/*.ts) into .vscode-test/out/test/vscode/, one CommonJS file per
// entry: index.js (the `run()` that VS Code calls) and each *.test.js. `vscode` and `mocha` stay external: the
// extension host provides the first, the project's node_modules (found by walking up from .vscode-test/) the second.
// Usable as a module (run-tests.mjs) or alone: `node scripts/vscode/build-tests.mjs` prints the folder to pass as
// extensionTestsPath.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE_DIR = join(ROOT, 'test/vscode');
export const TESTS_OUT_DIR = join(ROOT, '.vscode-test/out/test/vscode');

export async function buildTests() {
  const entryPoints = readdirSync(SOURCE_DIR, { recursive: true })
    .map(String)
    .filter((name) => name === 'index.ts' || name.endsWith('.test.ts'))
    .map((name) => join(SOURCE_DIR, name));
  rmSync(TESTS_OUT_DIR, { recursive: true, force: true });
  await build({
    entryPoints,
    outdir: TESTS_OUT_DIR,
    outbase: SOURCE_DIR,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline', // for a debugger; the extension host's own stack traces stay in the bundle's lines
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return TESTS_OUT_DIR;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await buildTests());
}
