/**
 * A big query must not stall the local tenant: past the real tenant's limits it is refused with a 400 that says
 * why, before any work; within them it is evaluated in slices and its answer streamed, so an ingest sent while it
 * runs, on another (kept-alive) connection, is answered first. Against the built tenant over real HTTP; orderings,
 * never timings, are asserted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { assertBuilt } from '../cli/helpers.ts';
import { ingest, recent, startServe, TOKEN, type TenantProcess } from './helpers.ts';

const SERIES = 20_000;
let tenant: TenantProcess;

before(async () => {
  assertBuilt();
  // Room for the series of big.q and those the ingests during the queries write.
  tenant = await startServe(['--token', TOKEN, '--max-series', String(SERIES + 100)]);
  // One request: the SaaS API has no line limit, and 20,000 short lines stay under 1,000,000 bytes.
  const at = recent(10);
  const body = Array.from({ length: SERIES }, (_, i) => `big.q,i=${i} gauge,${i % 97} ${at}`).join('\n');
  const answer = await ingest(tenant.url, body);
  assert.equal(answer.status, 202, answer.text.slice(0, 500));
});
after(() => tenant?.stop());

const queryPath = (params: Record<string, string>) => `/api/v2/metrics/query?${new URLSearchParams(params)}`;

/** Sends a request; resolves with the response at its headers, and with the whole body as text when read. */
function send(path: string, options: { method?: string; body?: string; agent?: Agent } = {}) {
  const req = request(`${tenant.url}${path}`, {
    method: options.method ?? 'GET',
    agent: options.agent,
    headers: {
      Authorization: `Api-Token ${TOKEN}`,
      ...(options.body === undefined ? {} : { 'Content-Type': 'text/plain; charset=utf-8' }),
    },
  });
  const flushed = once(req, 'finish');
  const response = once(req, 'response').then(([res]) => res as IncomingMessage);
  req.end(options.body);
  const text = response.then(async (res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  });
  return { flushed, response, text };
}

describe('a query within the limits, big', () => {
  it('is evaluated in slices: an ingest sent on a kept-alive connection while it runs is answered (202) before the query', async () => {
    const keptAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const ingestLine = () => `big.ingest,run=during gauge,1 ${recent(1)}`;
    try {
      const warm = send('/api/v2/metrics/ingest', { method: 'POST', body: ingestLine(), agent: keptAlive });
      assert.equal((await warm.response).statusCode, 202);
      await warm.text;

      const order: string[] = [];
      // Reads every one-minute slot of 20,000 series (2.6 million), returns 11 points per series.
      const query = send(queryPath({ metricSelector: 'big.q:splitBy("i")', from: 'now-2h', resolution: '10' }));
      void query.response.then(() => order.push('query'));
      await query.flushed;
      const pushed = send('/api/v2/metrics/ingest', { method: 'POST', body: ingestLine(), agent: keptAlive });
      const pushedResponse = await pushed.response;
      order.push(`ingest ${pushedResponse.statusCode}`);
      await pushed.text;

      const answered = await query.response;
      assert.equal(answered.statusCode, 200);
      const data = JSON.parse(await query.text) as { totalCount: number; result: { data: unknown[] }[] };
      assert.equal(data.totalCount, SERIES);
      assert.equal(data.result[0]?.data.length, SERIES);
      assert.deepEqual(order, ['ingest 202', 'query']);
    } finally {
      keptAlive.destroy();
    }
  });

  it('answers JSON that parses into every series, one-minute slots with the one point each has', async () => {
    const query = send(queryPath({ metricSelector: 'big.q:splitBy("i")', from: 'now-30m' }));
    const response = await query.response;
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const data = JSON.parse(await query.text) as {
      totalCount: number;
      resolution: string;
      result: { data: { dimensionMap: { i: string }; timestamps: number[]; values: (number | null)[] }[] }[];
    };
    assert.equal(data.resolution, '1m');
    const series = data.result[0]?.data ?? [];
    assert.equal(series.length, SERIES);
    const one = series.find((s) => s.dimensionMap.i === '1234');
    assert.equal(one?.values.filter((v) => v !== null).length, 1);
    assert.deepEqual(
      one?.values.filter((v) => v !== null),
      [1234 % 97],
    );
    assert.equal(one?.timestamps.length, one?.values.length);
  });
});

describe('a query past the limits', () => {
  it('answers 400 with the reason before doing the work: more than 20,000,000 data points read', async () => {
    const query = send(queryPath({ metricSelector: 'big.q:splitBy("i")', from: 'now-1y', resolution: '1h' }));
    const response = await query.response;
    assert.equal(response.statusCode, 400);
    const body = JSON.parse(await query.text) as {
      error: {
        code: number;
        message: string;
        constraintViolations: { path: string; message: string; parameterLocation: string }[];
      };
    };
    assert.equal(body.error.code, 400);
    assert.equal(body.error.message, 'Constraints violated.');
    const [violation] = body.error.constraintViolations;
    assert.equal(violation?.path, 'from');
    assert.equal(violation?.parameterLocation, 'QUERY');
    assert.match(
      violation?.message ?? '',
      /^from: big\.q:splitBy\("i"\) would read 175,\d{3},\d{3} stored data points \(20,000 series × 8,7\d\d slots of 1h\); a query may read at most 20,000,000: /,
    );
  });

  it('refuses a selector when any of its metrics is past the limit, and names that one', async () => {
    const query = send(
      queryPath({ metricSelector: 'big.ingest:splitBy(),big.q:splitBy("i")', from: 'now-1y', resolution: '1h' }),
    );
    assert.equal((await query.response).statusCode, 400);
    const body = JSON.parse(await query.text) as { error: { constraintViolations: { message: string }[] } };
    assert.match(body.error.constraintViolations[0]?.message ?? '', /^from: big\.q:splitBy\("i"\) would read/);
  });
});
