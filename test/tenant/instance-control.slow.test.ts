/**
 * Who a local tenant is and who may stop it, over real HTTP to the built `dtmetrics serve`: the instance endpoint,
 * stop and lease requests with and without the control secret, a lease that runs out; and the editor's side
 * (client/src/local-tenant/state.ts) against it: a state file's tenant told alive or gone, and the secret sent to
 * that instance only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { control, instanceAt, presenceOf, processEnded, type LocalTenantState } from '#client/local-tenant/state.ts';
import { readInstanceInfo } from '#core/tenant-control.ts';
import { spawnCli } from '../cli/helpers.ts';
import { call, ingest, startServe, TOKEN, waitFor } from './helpers.ts';

const SECRET = 'control-secret-0123456789abcdef';
const withSecret = { DTMETRICS_TEST_SECRET: SECRET };
const secretArgs = ['--control-secret-env', 'DTMETRICS_TEST_SECRET'];

/** A state file's record of `tenant`, as the editor writes it. */
const stateOf = (url: string, instance: string, pid: number, secret = SECRET): LocalTenantState => ({
  instance,
  pid,
  port: Number(new URL(url).port),
  url,
  dataFile: 'unused.data',
  logFile: 'unused.log',
  secret,
  startedAt: new Date().toISOString(),
});

test('GET /_dtmetrics/instance says which tenant answers, to anyone; without a control secret it takes no stop or lease', async () => {
  const tenant = await startServe(['--token', TOKEN]);
  const other = await startServe([]);
  try {
    const answer = await call(`${tenant.url}/_dtmetrics/instance`);
    assert.equal(answer.status, 200, answer.text);
    const info = readInstanceInfo(answer.json);
    assert.ok(info, answer.text);
    assert.match(info.instance, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { ...info, instance: '', startedAt: '' },
      {
        instance: '',
        pid: tenant.pid,
        url: tenant.url,
        dataFile: null,
        startedAt: '',
        stoppable: false,
        leaseSeconds: null,
      },
    );
    assert.notEqual((await instanceAt(other.url))?.instance, info.instance, 'each start has its own id');
    assert.equal((await call(`${tenant.url}/_dtmetrics/instance`, { method: 'POST', body: '' })).status, 405);
    for (const path of ['stop', 'lease']) {
      const refused = await call(`${tenant.url}/_dtmetrics/${path}`, {
        method: 'POST',
        headers: { 'X-Dtmetrics-Secret': 'anything' },
      });
      assert.equal(refused.status, 403);
      assert.match(refused.text, /started without --control-secret-env: it takes no stop or lease request/);
    }
    assert.equal((await ingest(tenant.url, 'still.serving 1')).status, 202);
  } finally {
    await Promise.all([tenant.stop(), other.stop()]);
  }
});

test('with --control-secret-env a stop needs the secret: then 202, the data file is closed whole and the tenant ends with 0; the secret is never printed or echoed', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'dtmetrics-control-'));
  const data = join(folder, 'tenant.data');
  try {
    const tenant = await startServe(['--data', data, ...secretArgs], withSecret);
    assert.equal((await ingest(tenant.url, 'control.kept 1', null)).status, 202);
    const stop = (headers: Record<string, string>) =>
      call(`${tenant.url}/_dtmetrics/stop`, { method: 'POST', headers });
    const wrong: Record<string, string>[] = [
      {},
      { 'X-Dtmetrics-Secret': 'wrong' },
      { 'X-Dtmetrics-Secret': `${SECRET}x` },
    ];
    for (const headers of wrong) {
      const refused = await stop(headers);
      assert.equal(refused.status, 403, JSON.stringify(headers));
      assert.match(refused.text, /does not hold this tenant's control secret/);
    }
    const probe = await call(`${tenant.url}/api/v2/metrics/${SECRET}`);
    assert.ok(!probe.text.includes(SECRET), 'a path holding the secret is echoed');
    assert.equal((await call(`${tenant.url}/_dtmetrics/stop`)).status, 405);

    const info = readInstanceInfo((await call(`${tenant.url}/_dtmetrics/instance`)).json);
    assert.deepEqual([info?.stoppable, info?.dataFile], [true, data]);
    const accepted = await stop({ 'X-Dtmetrics-Secret': SECRET });
    assert.equal(accepted.status, 202, accepted.text);
    assert.deepEqual(accepted.json, { ...info, stopping: true });
    const { code, output } = await tenant.ended;
    assert.equal(code, 0, output);
    assert.match(output, /stopping: asked by POST \/_dtmetrics\/stop\n.*dtmetrics local tenant stopped\n$/);
    assert.ok(!output.includes(SECRET), output);

    // Its data file was closed whole: a new tenant takes it over and has the line.
    const again = await startServe(['--data', data, '--token', TOKEN]);
    try {
      const descriptor = await call(`${again.url}/api/v2/metrics/control.kept`, { token: TOKEN });
      assert.equal(descriptor.status, 200, descriptor.text);
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('--lease: each renewal is taken while the tenant answers; once they end it stops by itself and says why', async () => {
  // A lease a loaded machine cannot miss between two renewals: what is checked is that each renewal is taken and
  // the tenant still answers after it, then that it stops once they end.
  const tenant = await startServe([...secretArgs, '--lease', '10'], withSecret);
  const { instance } = readInstanceInfo((await call(`${tenant.url}/_dtmetrics/instance`)).json) ?? {};
  assert.ok(instance);
  assert.match(tenant.output(), /stops by itself 10 s after its lease was last renewed/);
  const state = stateOf(tenant.url, instance, tenant.pid);
  for (let renewal = 0; renewal < 3; renewal++) {
    assert.equal(await control(state, 'lease'), 'done');
    assert.equal((await presenceOf(state)).kind, 'ours', 'renewed, it still runs');
  }
  // The lease runs out 10 s after the last renewal: waited for with a deadline well past it.
  const { code, output } = await Promise.race([
    tenant.ended,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`the tenant did not stop by itself:\n${tenant.output()}`)), 40_000).unref(),
    ),
  ]);
  assert.equal(code, 0, output);
  assert.match(output, /no lease renewed for 10 s \(the editor window that started this tenant is gone\): stopping/);
  await waitFor('the process to be gone', 5_000, () => processEnded(tenant.pid) || undefined);
  assert.deepEqual(await presenceOf(state), { kind: 'ended' });
});

test("the editor's state check: the same instance is alive; another tenant on the port, or none, is not; the secret goes to the recorded instance only", async () => {
  const tenant = await startServe(secretArgs, withSecret);
  const info = await instanceAt(tenant.url);
  assert.ok(info);
  const recorded = stateOf(tenant.url, info.instance, tenant.pid);
  assert.deepEqual(await presenceOf(recorded), { kind: 'ours', info });
  assert.equal(await control({ ...recorded, secret: 'wrong' }, 'lease'), 'refused');
  assert.equal(await control(recorded, 'lease'), 'done');
  const stale = { ...recorded, instance: 'an-earlier-start' };
  assert.deepEqual(await presenceOf(stale), { kind: 'other', info });
  assert.equal(await control(stale, 'stop'), 'gone', 'a stop for another instance is not sent');
  assert.ok(await instanceAt(tenant.url), 'the other instance still runs');
  assert.equal(await control(recorded, 'stop'), 'done');
  assert.equal((await tenant.ended).code, 0);
  await waitFor('the process to be gone', 5_000, () => processEnded(tenant.pid) || undefined);
  assert.deepEqual(await presenceOf(recorded), { kind: 'ended' });
  assert.equal(await control(recorded, 'lease'), 'gone');

  // Another program on the port, answering as a tenant would with another id: it is never sent the secret.
  const seen: IncomingHttpHeaders[] = [];
  const impostor = createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ ...info, instance: 'someone-else' }));
  });
  await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(impostor.address() as { port: number }).port}`;
    const elsewhere = { ...recorded, url };
    assert.equal(await control(elsewhere, 'stop'), 'gone');
    assert.equal(await control(elsewhere, 'lease'), 'gone');
    assert.ok(seen.length > 0);
    assert.ok(!JSON.stringify(seen).includes(SECRET), 'the secret went to another program');
  } finally {
    impostor.closeAllConnections();
    await new Promise((resolve) => impostor.close(resolve));
  }
});

test('a stop whose client hung up before the answer went out still stops the tenant', async () => {
  const tenant = await startServe(secretArgs, withSecret);
  try {
    const socket = connect(Number(new URL(tenant.url).port), '127.0.0.1');
    await once(socket, 'connect');
    // The body is cut short and the connection dropped once the tenant took the request (its "100 Continue").
    socket.write(
      `POST /_dtmetrics/stop HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Dtmetrics-Secret: ${SECRET}\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n`,
    );
    await once(socket, 'data');
    socket.destroy();
    const { code, output } = await Promise.race([
      tenant.ended,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`the tenant did not stop:\n${tenant.output()}`)), 15_000).unref(),
      ),
    ]);
    assert.equal(code, 0, output);
    assert.match(output, /stopping: asked by POST \/_dtmetrics\/stop\n/);
  } finally {
    await tenant.stop();
  }
});

test('presenceOf: a tenant that takes the connection but does not answer in time, or a free port, is silent while its process runs', async () => {
  const busy = createServer(() => undefined);
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(busy.address() as { port: number }).port}`;
  try {
    assert.deepEqual(await presenceOf(stateOf(url, 'ours', process.pid)), { kind: 'silent' });
  } finally {
    busy.closeAllConnections();
    await new Promise((resolve) => busy.close(resolve));
  }
  // Now nothing listens there.
  assert.deepEqual(await presenceOf(stateOf(url, 'ours', process.pid)), { kind: 'silent' });
  assert.deepEqual(await presenceOf(stateOf(url, 'ours', 2 ** 22 + 1)), { kind: 'ended' });
});

test('serve refuses a lease without a control secret, and a control secret variable that is not set, in one line', async () => {
  for (const [args, message] of [
    [['--lease', '5'], '--lease needs --control-secret-env: the lease is renewed with the control secret'],
    [
      ['--control-secret-env', 'DTMETRICS_TEST_UNSET'],
      '--control-secret-env DTMETRICS_TEST_UNSET: the environment variable is not set',
    ],
    [[...secretArgs, '--lease', '0'], '--lease takes a whole number from 1 to 86400'],
  ] as const) {
    const child = spawnCli(['serve', '--port', '0', ...args], { env: withSecret });
    child.stdin.end();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 2, stderr);
    assert.equal(stderr.split('\n').length, 2, stderr);
    assert.ok(stderr.startsWith(`dtmetrics: ${message}`), stderr);
  }
});
