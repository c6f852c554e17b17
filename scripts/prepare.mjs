// npm's `prepare`: builds dist/ wherever npm makes a package of this source: `npm ci`, `npm pack`, and an install
// from git (pre-commit's `language: node`). npm installs the devDependencies into its clone before `prepare`, but
// a global install from git (`npm install -g git+file://…`, as pre-commit 4.4+ runs it) passes npm_config_global on
// to that install, which then puts nothing there (npm/cli#8440; fixed by npm/pacote#494, not in every npm yet): the
// build would find no esbuild. Then they are installed here first, into this folder.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const root = dirname(import.meta.dirname);

function esbuildInstalled() {
  try {
    createRequire(import.meta.url).resolve('esbuild');
    return true;
  } catch {
    return false;
  }
}

if (process.env.npm_config_global === 'true' && !esbuildInstalled()) {
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const [command, ...pre] = npm;
  const install = spawnSync(
    command,
    [...pre, 'install', '--global=false', `--prefix=${root}`, '--include=dev', '--no-save', '--ignore-scripts'],
    { cwd: root, stdio: 'inherit' },
  );
  if (install.status !== 0) process.exit(install.status ?? 1);
}
await import('./build.mjs');
