/**
 * The ingest journal of the built `dtmetrics serve` (issue 14's inspector, its first part): every request — lines,
 * an OTLP request, a StatsD flush — is recorded with what became of its items and why, printed live with `--tail`,
 * and served at GET /_dtmetrics/journal, which also waits for the next entry (`wait`), as a live view reads it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decodeOtlpJson } from '#core/convert/otlp-decode.ts';
import type { JournalEntry } from '#core/metrics/journal.ts';
import { assertBuilt } from '../cli/helpers.ts';
import { otlpToProtobuf } from '../core/otlp-encode.ts';
import { call, ingest, recent, sendAndFlush, startServe, TOKEN, waitFor, type TenantProcess } from './helpers.ts';

let tenant: TenantProcess;

before(async () => {
  assertBuilt();
  tenant = await startServe(['--tail', '--token', TOKEN, '--statsd-port', '0']);
});
after(() => tenant?.stop());

const journal = async (query = 'since=0'): Promise<JournalEntry[]> => {
  const answer = await call(`${tenant.url}/_dtmetrics/journal?${query}`, { token: TOKEN });
  assert.equal(answer.status, 200, answer.text);
  return (answer.json as { entries: JournalEntry[] }).entries;
};
const last = async (): Promise<number> => (await journal()).at(-1)?.id ?? 0;

describe('the ingest journal', () => {
  it('lines: the request recorded with its lines and the reason for each one refused, and tailed', async () => {
    const since = await last();
    const body = `shop.orders,region=eu count,delta=3 ${recent(1)}\nShop Orders 4`;
    assert.equal((await ingest(tenant.url, body)).status, 400);
    const [entry] = await journal(`since=${since}`);
    assert.equal(entry?.endpoint, 'lines');
    assert.equal(entry?.status, 400);
    assert.deepEqual([entry?.accepted, entry?.rejected, entry?.dropped], [1, 1, 0]);
    assert.deepEqual(entry?.lines, body.split('\n'));
    assert.equal(entry?.problems[0]?.line, 2);
    assert.equal(entry?.problems[0]?.kind, 'rejected');
    const tail = await waitFor('the request in --tail', 10_000, () =>
      /^\d\d:\d\d:\d\d\.\d{3} lines 400 from 127\.0\.0\.1 \(node\): \d+ B, 1 accepted, 1 rejected\n {4}line 2: rejected: .+$/m.exec(
        tenant.output(),
      ),
    );
    assert.ok(tail);
  });

  it('OTLP: the converted lines, the metric Dynatrace drops with its reason, the bytes as they arrived', async () => {
    const since = await last();
    const now = BigInt(Date.now()) * 1_000_000n;
    const request = decodeOtlpJson({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'jobs.done',
                  sum: {
                    aggregationTemporality: 1,
                    isMonotonic: true,
                    dataPoints: [{ timeUnixNano: String(now), asInt: '2' }],
                  },
                },
                {
                  name: 'jvm.class.unloaded',
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [{ timeUnixNano: String(now), asInt: '7' }],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    assert.ok(request.ok);
    // Gzipped, as the Collector sends it: the journal's bytes are what arrived, not the body inflated.
    const body = gzipSync(otlpToProtobuf(request.value));
    const answer = await call(`${tenant.url}/api/v2/otlp/v1/metrics`, {
      body,
      token: TOKEN,
      headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' },
    });
    assert.equal(answer.status, 200);
    const [entry] = await journal(`since=${since}`);
    assert.equal(entry?.endpoint, 'otlp');
    assert.equal(entry?.bytes, body.length);
    assert.deepEqual([entry?.accepted, entry?.dropped], [1, 1]);
    assert.match(entry?.lines[0] ?? '', /^jobs\.done count,delta=2 \d{13}$/);
    assert.deepEqual(entry?.problems, [
      { line: 0, kind: 'dropped', reason: "'jvm.class.unloaded': UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM" },
    ]);
  });

  it('a reader that waits gets the next entry when it arrives; StatsD flushes are entries too', async () => {
    const since = await last();
    const waiting = journal(`since=${since}&wait=20`);
    await sendAndFlush(tenant, 'page.views:2|c|#env:dev');
    const [entry] = await waiting;
    assert.equal(entry?.endpoint, 'statsd');
    assert.equal(entry?.lines.length, 1);
    assert.match(entry?.lines[0] ?? '', /^page\.views,env=dev count,delta=2 \d{13}$/);
  });

  it('a StatsD flush of more bad datagrams than notes are kept still counts every one as dropped', async () => {
    const since = await last();
    const bad = Array.from({ length: 1005 }, (_, i) => `bad${i}:x|c`).join('\n');
    await sendAndFlush(tenant, bad, 1005);
    const [entry] = await journal(`since=${since}`);
    assert.equal(entry?.endpoint, 'statsd');
    assert.equal(entry?.dropped, 1005);
    assert.deepEqual(entry?.lines, []);
  });

  it('a request refused before it is read has its entry; a token in what was sent is never shown', async () => {
    const since = await last();
    assert.equal((await ingest(tenant.url, 'cpu.temp 1', null)).status, 401);
    assert.equal((await ingest(tenant.url, `leaked.token,t=${TOKEN} 1`)).status, 202);
    const [refused, leaked] = await journal(`since=${since}`);
    assert.deepEqual([refused?.status, refused?.problems[0]?.reason], [401, 'Missing authorization parameter.']);
    assert.equal(leaked?.lines[0]?.includes(TOKEN), false);
    assert.ok(!tenant.output().includes(TOKEN), 'the token in --tail');
    assert.equal((await call(`${tenant.url}/_dtmetrics/journal`)).status, 401, 'the journal without a token');
  });

  it('an answer names the tenant instance that keeps the journal, and limit keeps the newest entries', async () => {
    for (let i = 0; i < 3; i++) await ingest(tenant.url, `limit.check ${i}`);
    const answer = await call(`${tenant.url}/_dtmetrics/journal?since=0&limit=2`, { token: TOKEN });
    const { instance, entries } = answer.json as { instance: string; entries: JournalEntry[] };
    const info = await call(`${tenant.url}/_dtmetrics/instance`, {});
    assert.equal(instance, (info.json as { instance: string }).instance);
    assert.deepEqual(
      entries.map((entry) => entry.lines[0]),
      ['limit.check 1', 'limit.check 2'],
    );
  });

  it('since, wait and limit are read strictly', async () => {
    for (const query of ['since=-1', 'since=x', 'wait=31', 'wait=1.5', 'limit=501', 'limit=-1']) {
      const answer = await call(`${tenant.url}/_dtmetrics/journal?${query}`, { token: TOKEN });
      assert.equal(answer.status, 400, query);
    }
  });
});
