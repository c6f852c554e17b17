/**
 * `npm start` as a person runs it (scripts/vscode/start.mjs, code-server as installed by scripts/vscode/install.sh):
 * with its default port taken, it runs on another and says so; the URL it prints opens the folder named, and
 * code-server answers there; Ctrl+C stops it, code-server included, and the local tenants started in its profile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../cli/helpers.ts';
import { startServe, waitFor, type TenantProcess } from '../tenant/helpers.ts';
import { instanceAt, writeState } from '#client/local-tenant/state.ts';
import { DEFAULT_PORT, portIsFree } from '../../scripts/vscode/start-options.mjs';
import { stopLocalTenants } from '../../scripts/vscode/local-tenants.mjs';

const CODE_SERVER = join(ROOT, '.vscode-test', 'code-server-4.96.4', '.installed');

test('npm start: its default port taken, it runs on another and says so; the URL opens the folder named; Ctrl+C stops it', {
  skip: existsSync(CODE_SERVER) ? false : 'code-server is not installed (scripts/vscode/install.sh)',
}, async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'dtmetrics-start-folder-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  // Taken here when it is free; when something else has it already, it is taken all the same.
  let holder: Server | undefined;
  if (await portIsFree(DEFAULT_PORT)) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(DEFAULT_PORT, '127.0.0.1', resolve));
    holder = server;
  }
  t.after(() => holder?.close());

  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'vscode', 'start.mjs'), folder], {
    cwd: ROOT,
    env: { ...process.env, PORT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.after(() => child.kill('SIGKILL'));

  const url = await waitFor(
    'the URL',
    90_000,
    () => /^ {2}(http:\/\/\S+)$/m.exec(output)?.[1],
    exited,
    () => output,
  );
  const port = Number(new URL(url).port);
  assert.notEqual(port, DEFAULT_PORT);
  assert.match(
    output,
    new RegExp(`^Port ${DEFAULT_PORT} is in use \\(another npm start\\?\\), so this one runs on ${port}\\.$`, 'm'),
  );
  assert.equal(new URL(url).searchParams.get('folder'), folder);
  assert.match(output, /^Ctrl\+C stops it\.$/m);
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(health.status, 200);

  child.kill('SIGINT');
  const code = await Promise.race([
    exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running:\n${output}`)), 30_000)),
  ]);
  assert.equal(code, 0, output);
  assert.equal(await portIsFree(port), true, 'code-server still listens after Ctrl+C');
});

test("npm start's end: the local tenants the editor started in its profile are stopped with their secret; a record of another instance stops nothing", {
  timeout: 60_000,
}, async (t) => {
  const temp = mkdtempSync(join(tmpdir(), 'dtmetrics-start-profile-'));
  t.after(() => rmSync(temp, { recursive: true, force: true }));
  const secret = 'start-profile-secret-0123456789';
  const env = { DTMETRICS_TEST_SECRET: secret };
  const args = ['--control-secret-env', 'DTMETRICS_TEST_SECRET'];
  const recorded = await startServe(args, env);
  const other = await startServe(args, env);
  t.after(() => Promise.all([recorded.stop(), other.stop()]));
  const record = async (file: string, tenant: TenantProcess, instance?: string) => {
    const info = await instanceAt(tenant.url);
    assert.ok(info);
    await writeState(join(temp, 'user-data', 'User', file), {
      instance: instance ?? info.instance,
      pid: tenant.pid,
      port: Number(new URL(tenant.url).port),
      url: tenant.url,
      dataFile: 'in memory',
      logFile: join(temp, 'tenant.log'),
      secret,
      startedAt: info.startedAt,
    });
  };
  await record('workspaceStorage/0123abcd/dynatrace.dtmetrics/local-tenant.json', recorded);
  await record('globalStorage/dynatrace.dtmetrics/local-tenant.json', other, 'an-earlier-start');

  await stopLocalTenants(join(temp, 'user-data'));
  const { code, output } = await recorded.ended;
  assert.equal(code, 0, output);
  assert.match(output, /stopping: asked by POST \/_dtmetrics\/stop/);
  assert.ok(await instanceAt(other.url), 'a tenant its record does not name is left running');
});
