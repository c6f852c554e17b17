/**
 * How the local tenant reads (or refuses to read) an ingest request's body, over real HTTP against the built
 * `dtmetrics serve`: the media type, the content coding, and bodies it will not read to the end (an endless
 * chunked upload after a 413, a 401, a 404, a fault), which must get their answer and a closed connection.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { assertBuilt } from '../cli/helpers.ts';
import { call, ingest, READ_TOKEN, startServe, TOKEN, type TenantProcess } from './helpers.ts';

let tenant: TenantProcess;

before(async () => {
  assertBuilt();
  tenant = await startServe(['--token', TOKEN, '--token', `${READ_TOKEN}=metrics.read`, '--faults']);
});

after(async () => {
  await tenant?.stop();
});

const LINES = 'body.check,host=a gauge,1\nbody.check,host=b gauge,2';
const INGEST = '/api/v2/metrics/ingest';

/** POSTs `body` to the ingest API with exactly these headers (fetch adds no Content-Type to bytes). */
async function post(headers: Record<string, string>, body: Uint8Array = Buffer.from(LINES)) {
  const response = await fetch(`${tenant.url}${INGEST}`, {
    method: 'POST',
    headers: { Authorization: `Api-Token ${TOKEN}`, ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** An error body must be one line of readable text: JSON, no replacement characters, no control characters. */
function assertReadable(text: string): void {
  const json = JSON.parse(text) as { error: { message: string } };
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(json.error.message, /[\u0000-\u001f\u007f\ufffd]/, 'the message echoes binary');
}

describe('the ingest media type', () => {
  const CASES: { contentType: string | null; status: number }[] = [
    { contentType: 'text/plain; charset=utf-8', status: 202 },
    { contentType: 'text/plain', status: 202 },
    { contentType: 'TEXT/Plain; Charset="UTF-8"', status: 202 },
    { contentType: 'text/plain;charset=UTF-8', status: 202 },
    { contentType: 'text/plain; charset=utf-8; format=flowed', status: 202 },
    { contentType: 'text/plain-evil', status: 415 },
    { contentType: 'text/plainx', status: 415 },
    { contentType: 'text/plain; charset=iso-8859-1', status: 415 },
    { contentType: 'text/plain; charset=utf-16', status: 415 },
    { contentType: 'application/x-www-form-urlencoded', status: 415 },
    { contentType: 'text/plain, text/html', status: 415 },
    { contentType: null, status: 415 },
  ];
  for (const c of CASES) {
    it(`${c.contentType ?? 'no Content-Type'}: ${c.status}`, async () => {
      const answer = await post(c.contentType === null ? {} : { 'Content-Type': c.contentType });
      assert.equal(answer.status, c.status, answer.text);
      if (c.status === 415) {
        assertReadable(answer.text);
        assert.match(answer.text, /text\/plain; charset=utf-8/, 'the message names what to send');
      }
    });
  }
});

describe('Content-Encoding (the metrics ingest API documents no compressed bodies)', () => {
  const CASES: { coding: string; body: Uint8Array }[] = [
    { coding: 'gzip', body: gzipSync(LINES) },
    { coding: 'deflate', body: deflateSync(LINES) },
    { coding: 'br', body: brotliCompressSync(LINES) },
    { coding: 'x-unheard-of', body: Buffer.from(LINES) },
    { coding: 'identity, gzip', body: gzipSync(LINES) },
    // 50 MB of zeros in about 50 kB: refused before a byte is inflated.
    { coding: 'gzip', body: gzipSync(Buffer.alloc(50_000_000)) },
  ];
  for (const c of CASES) {
    it(`${c.coding} (${c.body.length.toLocaleString('en-US')} bytes): 415 naming the coding, Accept-Encoding: identity, no binary echoed`, async () => {
      const answer = await post({ 'Content-Type': 'text/plain; charset=utf-8', 'Content-Encoding': c.coding }, c.body);
      assert.equal(answer.status, 415, answer.text);
      assertReadable(answer.text);
      assert.match(answer.text, new RegExp(`Content-Encoding ${c.coding.split(', ').pop()}`));
      assert.equal(answer.headers.get('accept-encoding'), 'identity');
    });
  }

  it('identity is the body as it is: 202', async () => {
    const answer = await post({ 'Content-Type': 'text/plain; charset=utf-8', 'Content-Encoding': 'identity' });
    assert.equal(answer.status, 202, answer.text);
  });
});

/** Endless line-protocol text, 64 kB at a time. */
const CHUNK = Buffer.from('endless.body,host=a gauge,1\n'.repeat(2340));

interface Answered {
  status: number;
  connection: string | undefined;
  text: string;
}

/**
 * POSTs an endless chunked body with node:http through a keep-alive agent (as real clients send), writing until
 * the answer arrives. node:http then closes its own side (the answer says `Connection: close`), so this shows
 * only that the answer arrives, whole, to a client still writing.
 */
function streamEndless(path: string, headers: Record<string, string>): Promise<Answered> {
  const agent = new http.Agent({ keepAlive: true });
  return new Promise<Answered>((resolve, reject) => {
    const req = http.request(`${tenant.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers },
      agent,
    });
    let answered = false;
    const pump = () => {
      while (!answered && req.write(CHUNK));
      if (!answered) req.once('drain', pump);
    };
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }));
    });
    // The server may stop reading once it has answered: only an error before the answer counts.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    pump();
  }).finally(() => agent.destroy());
}

/**
 * The same upload from a raw socket that, once the answer's head arrives, neither writes nor ends nor closes:
 * resolves with the head when the connection is closed, which only the server can do.
 */
function streamEndlessUntilClosed(path: string, headers: Record<string, string>): Promise<string> {
  const { port } = new URL(tenant.url);
  const framed = headers['Content-Length'] === undefined;
  const head = [`POST ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...(framed ? ['Transfer-Encoding: chunked'] : [])];
  for (const [name, value] of Object.entries({ 'Content-Type': 'text/plain; charset=utf-8', ...headers }))
    head.push(`${name}: ${value}`);
  const frame = framed
    ? Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from('\r\n')])
    : CHUNK;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    let answered = false;
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => {
      received += c;
      answered ||= received.includes('\r\n\r\n');
    });
    socket.on('error', (error) => {
      if (!answered) reject(error);
    });
    socket.once('close', () =>
      answered
        ? resolve(received.slice(0, received.indexOf('\r\n\r\n')))
        : reject(new Error(`closed before an answer: ${received}`)),
    );
    const pump = () => {
      while (!answered && socket.write(frame));
      if (!answered) socket.once('drain', pump);
    };
    socket.write(head.join('\r\n') + '\r\n\r\n');
    pump();
  });
}

describe('a body the tenant will not read to the end', () => {
  const fault = JSON.stringify({ status: 503 });
  const CASES: { name: string; path: string; headers: Record<string, string>; status: number }[] = [
    {
      name: 'ingest past 1,000,000 bytes',
      path: INGEST,
      headers: { Authorization: `Api-Token ${TOKEN}` },
      status: 413,
    },
    { name: 'ingest without a token', path: INGEST, headers: {}, status: 401 },
    {
      name: 'ingest with a token lacking metrics.ingest',
      path: INGEST,
      headers: { Authorization: `Api-Token ${READ_TOKEN}` },
      status: 403,
    },
    {
      name: 'ingest compressed',
      path: INGEST,
      headers: { Authorization: `Api-Token ${TOKEN}`, 'Content-Encoding': 'gzip' },
      status: 415,
    },
    { name: 'an unknown path', path: '/api/v2/nothing', headers: {}, status: 404 },
    {
      name: 'the faults route past 1,000,000 bytes',
      path: '/_dtmetrics/faults',
      headers: { 'Content-Type': 'application/json' },
      status: 413,
    },
    {
      name: 'an injected fault',
      path: INGEST,
      headers: { Authorization: `Api-Token ${TOKEN}`, 'X-Dtmetrics-Fault': fault },
      status: 503,
    },
    {
      name: 'a declared Content-Length far past the limit',
      path: INGEST,
      headers: { Authorization: `Api-Token ${TOKEN}`, 'Content-Length': String(10_000_000_000) },
      status: 413,
    },
  ];
  for (const c of CASES) {
    it(`${c.name}: ${c.status} with Connection: close reaches a client still writing, and the server closes the connection`, {
      timeout: 30_000,
    }, async () => {
      const answer = await streamEndless(c.path, c.headers);
      assert.equal(answer.status, c.status, answer.text);
      assert.equal(answer.connection, 'close');
      assert.equal(JSON.parse(answer.text).error.code, c.status);
      const head = await streamEndlessUntilClosed(c.path, c.headers);
      assert.match(head, new RegExp(`^HTTP/1\\.1 ${c.status} .*\\r\\nConnection: close\\r\\n`, 's'));
    });
  }

  it('the tenant still serves afterwards', async () => {
    assert.equal((await ingest(tenant.url, LINES)).status, 202);
    assert.equal((await call(`${tenant.url}/api/v2/metrics/body.check`, { token: TOKEN })).status, 200);
  });
});
