/**
 * Failures called by their true name: where nothing can have reached the tenant (a TLS handshake that failed, https://
 * to a plain-http port, a proxy that asks for credentials, refuses the connection or is not found), `dtmetrics push`
 * stops after one request, names the cause in one plain sentence and reports the lines "not sent", never "unknown";
 * `dtmetrics query` names the same cause. The proxy here is a real one (node:http answering CONNECT), which can also
 * tunnel to the built local tenant, so the working path through a proxy is tested too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, runCli, type RunResult } from '../cli/helpers.ts';
import { recent, startServe, TOKEN, type TenantProcess } from './helpers.ts';

let dir: string;
let tenant: TenantProcess;
let tenantPort: number;

before(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'dtmetrics-failures-'));
  tenant = await startServe(['--token', TOKEN]);
  tenantPort = Number(new URL(tenant.url).port);
});
after(async () => {
  await tenant?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
/** `n` lines, each its own series, with timestamps inside the window. */
function lines(n: number): string {
  const file = join(dir, `f${++files}.dtmetrics`);
  writeFileSync(file, Array.from({ length: n }, (_, i) => `failures.line,id=${i} gauge,1 ${recent(1)}`).join('\n'));
  return file;
}

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli([...args, '--token-env', 'FAILURES_TOKEN'], { env: { FAILURES_TOKEN: TOKEN, ...env } });

/** What a push that never reached the tenant must say: stopped, with the cause; all lines not sent; one request. */
function assertStoppedBeforeTheTenant(result: RunResult, lineCount: number, cause: RegExp): void {
  const context = `${result.stdout}\n${result.stderr}`;
  assert.equal(result.code, 1, context);
  assert.match(result.stdout, new RegExp(`^stopped: ${cause.source}$`, 'm'), context);
  const total = lineCount.toLocaleString('en-US');
  assert.match(
    result.stdout,
    new RegExp(
      `0 of ${total} lines accepted .*; 0 rejected, 0 held back, 0 unknown, ${total} not sent \\(1 request, 0 retries\\)`,
    ),
    context,
  );
  assert.doesNotMatch(context, /unknown {2}|may have stored|SSL routines|ssl3_|:error:|\n\s+at /, context);
}

describe('https:// to a plain-http port', () => {
  it('push: stopped after one request, the lines not sent, TLS named in one sentence', async () => {
    const result = await cli(['push', '--url', `https://127.0.0.1:${tenantPort}`, lines(3500)]);
    assertStoppedBeforeTheTenant(
      result,
      3500,
      /TLS: 127\.0\.0\.1:\d+ does not speak TLS: is it a plain http:\/\/ address\?/,
    );
  });

  it('query: the same cause, one line, exit 1', async () => {
    const result = await cli(['query', 'failures.line', '--url', `https://127.0.0.1:${tenantPort}`]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^dtmetrics: TLS: 127\.0\.0\.1:\d+ does not speak TLS: is it a plain http:\/\/ address\?\n$/,
    );
  });
});

describe('a TLS certificate not trusted', () => {
  let certFile: string;
  let terminator: ReturnType<typeof createTlsServer>;
  let port: number;

  // A TLS terminator with a self-signed certificate (openssl) in front of the local tenant: a real TLS peer.
  before(async () => {
    certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    terminator = createTlsServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (socket) => {
      const upstream = connect(tenantPort, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
    port = (terminator.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => terminator?.close(() => resolve())));

  it('push: stopped after one request, the lines not sent, the certificate named', async () => {
    const result = await cli(['push', '--url', `https://127.0.0.1:${port}`, lines(2500)]);
    assertStoppedBeforeTheTenant(
      result,
      2500,
      /TLS certificate of 127\.0\.0\.1:\d+ not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\): add the environment's CA file, or check the URL/,
    );
  });

  it('with --ca-file the same lines go through', async () => {
    const result = await cli(['push', '--url', `https://127.0.0.1:${port}`, '--ca-file', certFile, lines(2500)]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /2,500 of 2,500 lines accepted .*\(3 requests, 0 retries\)/);
  });
});

/**
 * A real HTTP proxy: answers CONNECT with 407 unless it carries `credentials` (Basic), else opens a tunnel to the
 * local tenant whatever host was asked for (so a made-up tenant name reaches it). Counts the CONNECTs.
 */
async function startProxy(
  credentials: string | null,
): Promise<{ url: string; connects: () => number; close: () => Promise<void> }> {
  let connects = 0;
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, socket) => {
    connects++;
    if (
      credentials !== null &&
      req.headers['proxy-authorization'] !== `Basic ${Buffer.from(credentials).toString('base64')}`
    ) {
      socket.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const upstream = connect(tenantPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connects: () => connects,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on this machine where nothing listens (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('through a proxy', () => {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  before(async () => (proxy = await startProxy(`user:${password}`)));
  after(() => proxy?.close());

  it('407: push stopped after one request, the lines not sent, the proxy named', async () => {
    const before = proxy.connects();
    const result = await cli(['push', '--url', 'https://tenant.example', lines(3500)], { HTTPS_PROXY: proxy.url });
    assertStoppedBeforeTheTenant(
      result,
      3500,
      /the proxy 127\.0\.0\.1:\d+ \(HTTPS_PROXY\) asks for credentials \(407 Proxy Authentication Required\): .*/,
    );
    assert.equal(proxy.connects() - before, 1, 'one CONNECT');
  });

  it('407: query names the proxy', async () => {
    const result = await cli(['query', 'failures.line', '--url', 'https://tenant.example'], { HTTPS_PROXY: proxy.url });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^dtmetrics: the proxy 127\.0\.0\.1:\d+ \(HTTPS_PROXY\) asks for credentials/);
  });

  it('with the credentials it asks for: the lines reach the tenant through the tunnel; the password never shows', async () => {
    const withCredentials = proxy.url.replace('http://', `http://user:${encodeURIComponent(password)}@`);
    const result = await cli(['push', '--url', 'http://tenant.example', '--allow-http', lines(3)], {
      HTTP_PROXY: withCredentials,
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /3 of 3 lines accepted by http:\/\/tenant\.example\/api\/v2\/metrics\/ingest/);
    assert.ok(!(result.stdout + result.stderr).includes(password));
  });

  it('a proxy that refuses the connection: the proxy named, not the tenant; not retried', async () => {
    const port = await closedPort();
    const push = await cli(['push', '--url', 'https://tenant.example', lines(5)], {
      HTTPS_PROXY: `http://127.0.0.1:${port}`,
    });
    assertStoppedBeforeTheTenant(
      push,
      5,
      /the proxy 127\.0\.0\.1:\d+ \(HTTPS_PROXY\) refused the connection: nothing listens there/,
    );
    const query = await cli(['query', 'failures.line', '--url', 'https://tenant.example'], {
      HTTPS_PROXY: `http://127.0.0.1:${port}`,
    });
    assert.match(query.stderr, /^dtmetrics: the proxy 127\.0\.0\.1:\d+ \(HTTPS_PROXY\) refused the connection/);
  });

  it('a proxy whose host is not found: DNS of the proxy, not of the tenant', async () => {
    const result = await cli(['push', '--url', 'https://tenant.example', lines(5)], {
      https_proxy: 'http://no-such-proxy.invalid:3128',
    });
    assertStoppedBeforeTheTenant(
      result,
      5,
      /DNS: the host of the proxy no-such-proxy\.invalid:3128 \(https_proxy\) was not found/,
    );
  });

  it('NO_PROXY naming the tenant: no proxy is used', async () => {
    const before = proxy.connects();
    const result = await cli(['push', '--url', 'https://no-such-tenant.invalid', lines(2)], {
      HTTPS_PROXY: proxy.url,
      NO_PROXY: 'example.com,.invalid',
    });
    assertStoppedBeforeTheTenant(result, 2, /DNS: the host no-such-tenant\.invalid was not found/);
    assert.equal(proxy.connects(), before);
  });
});
