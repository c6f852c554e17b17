/**
 * The ingest contract of the local tenant (PROTOCOL §6), over HTTP against the built `dtmetrics serve`: every
 * status and body shape, 1-based line numbers, the suffix warnings, tokens and scopes, limits.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLog } from '#tenant/data-file.ts';
import { assertBuilt } from '../cli/helpers.ts';
import { call, ingest, READ_TOKEN, recent, startServe, TOKEN, type TenantProcess } from './helpers.ts';

let tenant: TenantProcess;
let dir: string;

before(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'dtmetrics-ingest-'));
  tenant = await startServe([
    '--token',
    TOKEN,
    '--token',
    `${READ_TOKEN}=metrics.read`,
    '--data',
    join(dir, 'tenant.data'),
  ]);
});

after(async () => {
  await tenant?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const records = () => readLog(join(dir, 'tenant.data'));

interface Case {
  name: string;
  body: () => string;
  status: number;
  /** The exact body, or a check of it. */
  expect: (body: Record<string, unknown>) => void;
}

const t = recent();
const CASES: Case[] = [
  {
    name: 'valid lines: 202, all counted, no error, no warnings',
    body: () => `cpu.temp,host=a gauge,17.5 ${t}\ncpu.temp,host=b gauge,min=1,max=3,sum=4,count=2 ${t}`,
    status: 202,
    expect: (b) => assert.deepEqual(b, { linesOk: 2, linesInvalid: 0, error: null, warnings: null }),
  },
  {
    name: 'one invalid line: 400, 1-based line, the tenant wording with the index, the valid line still counted',
    body: () => `cpu.temp,host=a gauge,1 ${t}\ncpu.temp,Host=a gauge,1 ${t}`,
    status: 400,
    expect: (b) => {
      assert.equal(b.linesOk, 1);
      assert.equal(b.linesInvalid, 1);
      const error = b.error as { code: number; message: string; invalidLines: { line: number; error: string }[] };
      assert.equal(error.code, 400);
      assert.equal(error.message, '1 invalid lines');
      assert.equal(error.invalidLines.length, 1);
      assert.equal(error.invalidLines[0]?.line, 2);
      assert.match(
        error.invalidLines[0]?.error ?? '',
        /^invalid dimension key in message 'cpu\.temp,Host=a gauge,1 \d+'; error at 'H' {2}\(index 9\): /,
      );
    },
  },
  {
    name: 'every line invalid: 400 with linesOk 0',
    body: () => `1bad gauge,1\nok.key gauge,abc`,
    status: 400,
    expect: (b) => {
      assert.equal(b.linesOk, 0);
      assert.equal(b.linesInvalid, 2);
      const lines = (b.error as { invalidLines: { line: number; error: string }[] }).invalidLines;
      assert.deepEqual(
        lines.map((l) => l.line),
        [1, 2],
      );
      assert.match(lines[0]?.error ?? '', /^invalid metric key/);
    },
  },
  {
    name: "a count without .count: stored as key.count, with the real tenant's warning (warningLines)",
    body: () => `jobs.done,queue=a count,delta=3 ${t}\nqueue.count gauge,5 ${t}`,
    status: 202,
    expect: (b) =>
      assert.deepEqual(b.warnings, {
        message: '2 warnings',
        warningLines: [
          { line: 1, warning: "metric key 'jobs.done' changed to 'jobs.done.count'" },
          { line: 2, warning: "metric key 'queue.count' changed to 'queue.count.gauge'" },
        ],
      }),
  },
  {
    name: 'a timestamp two hours old is refused (the window is 1 h back, 10 min ahead)',
    body: () => `cpu.temp gauge,1 ${Date.now() - 2 * 3_600_000}`,
    status: 400,
    expect: (b) =>
      assert.match(
        (b.error as { invalidLines: { error: string }[] }).invalidLines[0]?.error ?? '',
        /^invalid timestamp in message/,
      ),
  },
  {
    name: 'blank lines count in the numbering but are neither ok nor invalid; a `//` comment is invalid for a tenant',
    body: () => `cpu.temp gauge,1\n\n// note\ncpu.temp gauge,2\n`,
    status: 400,
    expect: (b) => {
      assert.equal(b.linesOk, 2);
      assert.equal(b.linesInvalid, 1);
      assert.equal((b.error as { invalidLines: { line: number }[] }).invalidLines[0]?.line, 3);
    },
  },
  {
    name: 'CRLF line ends',
    body: () => `cpu.temp gauge,1\r\ncpu.temp,host=x gauge,2\r\n`,
    status: 202,
    expect: (b) => assert.equal(b.linesOk, 2),
  },
  {
    name: 'more than 100 invalid lines: the first 100 listed, all counted',
    body: () => Array.from({ length: 150 }, (_, i) => `bad key ${i}`).join('\n'),
    status: 400,
    expect: (b) => {
      assert.equal(b.linesInvalid, 150);
      const error = b.error as { message: string; invalidLines: unknown[] };
      assert.equal(error.message, 'First 100 errors reported');
      assert.equal(error.invalidLines.length, 100);
    },
  },
  {
    name: 'a 50,001-character line is refused for its length first; one of 50,000 only for what is in it',
    body: () => {
      const line = (n: number) => {
        const head = 'long.line,v=';
        const tail = ' gauge,1';
        return head + 'x'.repeat(n - head.length - tail.length) + tail;
      };
      return `${line(50_000)}\n${line(50_001)}`;
    },
    status: 400,
    expect: (b) => {
      const [first, second] = (b.error as { invalidLines: { line: number; error: string }[] }).invalidLines;
      assert.match(first?.error ?? '', /^invalid dimension value/);
      assert.match(second?.error ?? '', /^invalid line .*50,000/);
    },
  },
];

describe('POST /api/v2/metrics/ingest', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const answer = await ingest(tenant.url, c.body());
      assert.equal(answer.status, c.status, answer.text);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
      c.expect(answer.json as Record<string, unknown>);
    });
  }

  it('stores the valid lines of a 400, and only those', async () => {
    const before = (await records()).length;
    await ingest(tenant.url, `stored.check,id=kept gauge,42 ${t}\nstored.check,ID=refused gauge,1 ${t}`);
    const added = (await records()).slice(before);
    assert.equal(added.length, 1);
    assert.ok(added[0] && 'point' in added[0]);
    assert.deepEqual(added[0].point.dimensions, [['id', 'kept']]);
    assert.equal(added[0].point.stats.sum, 42);
  });

  it('401 without a token and with a wrong one; 403 for a token without metrics.ingest', async () => {
    const none = await ingest(tenant.url, 'a.b gauge,1', null);
    assert.equal(none.status, 401);
    assert.deepEqual(none.json, { error: { code: 401, message: 'Missing authorization parameter.' } });
    const wrong = await ingest(tenant.url, 'a.b gauge,1', 'dt0c01.WRONG.token');
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.json, { error: { code: 401, message: 'Token Authentication failed' } });
    const readOnly = await ingest(tenant.url, 'a.b gauge,1', READ_TOKEN);
    assert.equal(readOnly.status, 403);
    assert.match(
      (readOnly.json as { error: { message: string } }).error.message,
      /missing required scope.*metrics\.ingest/,
    );
  });

  it('413 above 1,000,000 bytes; exactly 1,000,000 is taken', async () => {
    /** Valid lines joined by `\n`, exactly `bytes` long: the last line is padded to land on the size. */
    const fill = (bytes: number) => {
      const lines: string[] = [];
      let size = 0;
      for (let i = 0; ; i++) {
        const line = `big.body,i=${i} gauge,1`;
        if (size + 1 + line.length > bytes - 60) break;
        size += (lines.length > 0 ? 1 : 0) + line.length;
        lines.push(line);
      }
      const head = 'big.body,pad=';
      const tail = ' gauge,1';
      lines.push(head + 'p'.repeat(bytes - size - 1 - head.length - tail.length) + tail);
      return lines.join('\n');
    };
    const exact = fill(1_000_000);
    assert.equal(Buffer.byteLength(exact), 1_000_000);
    assert.equal((await ingest(tenant.url, exact)).status, 202);
    const over = await ingest(tenant.url, exact + 'x');
    assert.equal(over.status, 413);
    assert.equal((over.json as { error: { code: number } }).error.code, 413);
  });

  it('the token may come as ?api-token= too; Managed paths (/e/{id}/…) are served', async () => {
    const viaQuery = await call(
      `${tenant.url}/e/abc12345/api/v2/metrics/ingest?api-token=${encodeURIComponent(TOKEN)}`,
      { body: 'a.b gauge,1' },
    );
    assert.equal(viaQuery.status, 202);
  });

  it('415 for a body that is not text/plain, 405 for GET, 404 ErrorEnvelope for an unknown path', async () => {
    const json = await call(`${tenant.url}/api/v2/metrics/ingest`, {
      body: '{}',
      token: TOKEN,
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(json.status, 415);
    const get = await call(`${tenant.url}/api/v2/metrics/ingest`, { token: TOKEN });
    assert.equal(get.status, 405);
    const unknown = await call(`${tenant.url}/api/v2/nothing`, { token: TOKEN });
    assert.equal(unknown.status, 404);
    assert.equal((unknown.json as { error: { code: number } }).error.code, 404);
  });

  it('never logs a token', () => {
    assert.ok(!tenant.output().includes(TOKEN), 'the all-scopes token appears in the server output');
    assert.ok(!tenant.output().includes(READ_TOKEN));
  });
});

describe('POST /metrics/ingest (the OneAgent endpoint)', () => {
  it('takes no token and answers with linesValid', async () => {
    const answer = await call(`${tenant.url}/metrics/ingest`, {
      body: `oa.metric gauge,1 ${t}\noa.metric,Bad=1 gauge,1`,
    });
    assert.equal(answer.status, 400);
    const body = answer.json as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['error', 'linesInvalid', 'linesValid']);
    assert.equal(body.linesValid, 1);
    assert.equal(body.linesInvalid, 1);
  });

  it('refuses lines past the 1,000th', async () => {
    const body = Array.from({ length: 1001 }, (_, i) => `oa.many,i=${i} gauge,1`).join('\n');
    const answer = await call(`${tenant.url}/metrics/ingest`, { body });
    assert.equal(answer.status, 400);
    const json = answer.json as { linesValid: number; error: { invalidLines: { line: number; error: string }[] } };
    assert.equal(json.linesValid, 1000);
    assert.equal(json.error.invalidLines[0]?.line, 1001);
  });
});
