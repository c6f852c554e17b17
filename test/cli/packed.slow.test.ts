/**
 * The CLI as a user installs it: `npm pack` of this checkout (its `prepare` script builds), the tarball installed
 * into an empty prefix with `--offline`, an empty npm cache and a registry nothing listens on, so that nothing can
 * come from a registry or a cache: the one bundle must be the whole program. Then the installed `dtmetrics` runs as
 * a command (its shebang and executable bit): lint, and serve → push → query; and as the pre-commit hook runs it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, readFileSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { ROOT, TempDir, cleanEnv, collect, runCli, type RunResult } from './helpers.ts';
import { startServe, type TenantProcess } from '../tenant/helpers.ts';

/** What the package may hold: the bundle, and what npm always adds. No tests, sources, maps or screenshots. */
const PACKED_FILES = ['LICENSE', 'README.md', 'dist/cli.js', 'package.json'];
/** How long one npm command may take (a build, on a loaded machine) before the test fails. */
const NPM_DEADLINE_MS = 180_000;

let tmp: TempDir;
let bin: string;
let tenant: TenantProcess | undefined;

/** Runs npm with none of the npm_* variables of an npm that may have started these tests, nor the user's .npmrc. */
async function npm(args: string[], cwd: string): Promise<RunResult> {
  const env = Object.fromEntries(Object.entries(cleanEnv()).filter(([name]) => !/^npm_/i.test(name)));
  const child = spawn('npm', args, {
    cwd,
    env: { ...env, npm_config_userconfig: tmp.join('empty-npmrc'), npm_config_update_notifier: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: NPM_DEADLINE_MS,
  });
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  const result = { code, signal, stdout: await stdout, stderr: await stderr };
  assert.equal(code, 0, `npm ${args.join(' ')} failed (${signal ?? code}):\n${result.stderr.slice(-3000)}`);
  return result;
}

/** This node first on PATH, for the installed command's `#!/usr/bin/env node`. */
const THIS_NODE = { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };

const dtmetrics = (args: string[]) => runCli(args, { command: bin, cwd: tmp.path, env: THIS_NODE });

before(async () => {
  tmp = new TempDir('dtmetrics-packed-');
  tmp.write('empty-npmrc', '');
  tmp.write('good.dtmetrics', 'cpu.load,host=a 5\n');
  tmp.write('bad.dtmetrics', 'my.metric,Host=a 5\n');
  const packed = await npm(['pack', '--json', '--pack-destination', tmp.path], ROOT);
  const [report] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  assert.ok(report);
  assert.deepEqual(report.files.map((f) => f.path).sort(), PACKED_FILES);
  const prefix = tmp.join('prefix');
  await npm(
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--offline',
      '--cache',
      tmp.join('empty-cache'),
      '--registry',
      'http://127.0.0.1:9/',
      '--no-audit',
      '--no-fund',
      tmp.join(report.filename),
    ],
    tmp.path,
  );
  assert.deepEqual(readdirSync(join(prefix, 'lib', 'node_modules')), ['dtmetrics'], 'nothing installed beside it');
  assert.ok(
    !readdirSync(join(prefix, 'lib', 'node_modules', 'dtmetrics')).includes('node_modules'),
    'no dependencies installed with it',
  );
  bin = join(prefix, 'bin', 'dtmetrics');
});

after(async () => {
  await tenant?.stop();
  tmp?.remove();
});

describe('the packed CLI, installed offline into an empty prefix', () => {
  test('is a command on the prefix: a shebang and the executable bit', () => {
    accessSync(bin, constants.X_OK);
    assert.match(readFileSync(bin, 'utf8').slice(0, 100), /^#!\/usr\/bin\/env node\n/);
  });

  test("--version prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await dtmetrics(['--version']);
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, `${version}\n`, '']);
  });

  test('lint: exit 0 on a good file, 1 with the diagnostic line on a bad one', async () => {
    const good = await dtmetrics(['lint', 'good.dtmetrics']);
    assert.deepEqual([good.code, good.stderr], [0, '']);
    assert.match(good.stdout, /no problems/);
    const bad = await dtmetrics(['lint', 'bad.dtmetrics']);
    assert.deepEqual([bad.code, bad.stderr], [1, '']);
    assert.match(bad.stdout, /^bad\.dtmetrics:1:11 {2}error {2}Upper-case `H` in dimension key.* {2}DK001$/m);
  });

  test('the pre-commit hook (.pre-commit-hooks.yaml): its entry with the matching files appended, as pre-commit runs it', async () => {
    const hooks = readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8');
    const field = (name: string) => new RegExp(`^[ -] ${name}: (.+)$`, 'm').exec(hooks)?.[1];
    assert.deepEqual([field('id'), field('language')], ['dtmetrics-lint', 'node']);
    const files = new RegExp(field('files') ?? '(?!)');
    const staged = ['bad.dtmetrics', 'good.dtmetrics', 'notes.txt', 'x.dtmetrics.bak'].filter((f) => files.test(f));
    assert.deepEqual(staged, ['bad.dtmetrics', 'good.dtmetrics']);
    const [command, ...args] = (field('entry') ?? '').split(' ');
    assert.equal(command, 'dtmetrics', 'the entry runs the installed command');
    const bad = await dtmetrics([...args, ...staged]);
    assert.deepEqual([bad.code, bad.stderr], [1, '']);
    assert.match(bad.stdout, /^bad\.dtmetrics:1:11 .* {2}DK001$/m);
    const good = await dtmetrics([...args, 'good.dtmetrics']);
    assert.deepEqual([good.code, good.stderr], [0, '']);
  });

  test('serve, then push to it and query it back', async () => {
    tenant = await startServe([], THIS_NODE, { command: bin, cwd: tmp.path });
    const pushed = await dtmetrics(['push', '--url', tenant.url, 'good.dtmetrics']);
    assert.deepEqual([pushed.code, pushed.stderr], [0, '']);
    assert.match(pushed.stdout, /^1 of 1 line accepted by /m);
    const queried = await dtmetrics(['query', 'cpu.load', '--url', tenant.url]);
    assert.deepEqual([queried.code, queried.stderr], [0, '']);
    assert.match(queried.stdout, /^cpu\.load +host=a +1 +5 +5 +5 +5$/m, queried.stdout);
    const { code } = await tenant.stop();
    tenant = undefined;
    assert.equal(code, 0, 'serve stops cleanly on SIGTERM');
  });
});
