/**
 * The .vsix carries every bundle the build makes: .vscodeignore is an allowlist, so a new entry point
 * (scripts/build.mjs) that is not named there would be left out of the package and fail only once installed.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../cli/helpers.ts';

it('.vscodeignore lets every bundle of scripts/build.mjs into the .vsix', () => {
  const build = readFileSync(join(ROOT, 'scripts', 'build.mjs'), 'utf8');
  const bundles = [...build.matchAll(/\bout: '([\w-]+)'/g)].map((m) => `dist/${m[1]}.js`);
  assert.ok(bundles.length >= 6, `bundles found in build.mjs: ${bundles.join(', ')}`);
  const allowed = new Set(
    readFileSync(join(ROOT, '.vscodeignore'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1)),
  );
  assert.deepEqual(
    bundles.filter((bundle) => !allowed.has(bundle)),
    [],
  );
});
