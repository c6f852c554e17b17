/**
 * The query side of the local tenant over HTTP, on data ingested over HTTP: MetricData, the metric list, a
 * descriptor from metadata lines, the v1 timeseries query, scopes, and ErrorEnvelopes for bad queries. The
 * transformations' arithmetic is covered in test/core/metric-query.test.ts; this checks the API around it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertBuilt } from '../cli/helpers.ts';
import { call, ingest, startServe, TOKEN, type TenantProcess } from './helpers.ts';

const INGEST_ONLY = 'dt0c01.LOCALTEST.ingest-only-secret';
let tenant: TenantProcess;
/** The start of the current minute, minus two: the data's two minutes are whole and in the past. */
const minute = Math.floor(Date.now() / 60_000) * 60_000 - 2 * 60_000;

before(async () => {
  assertBuilt();
  tenant = await startServe(['--token', TOKEN, '--token', `${INGEST_ONLY}=metrics.ingest`]);
  const body = [
    '#q.cpu gauge dt.meta.displayName="CPU usage",dt.meta.unit=Percent',
    `q.cpu,host=a,dc=east gauge,10 ${minute + 1000}`,
    `q.cpu,host=b,dc=east gauge,20 ${minute + 2000}`,
    `q.cpu,host=c,dc=west gauge,min=1,max=5,sum=6,count=2 ${minute + 3000}`,
    `q.cpu,host=a,dc=east gauge,30 ${minute + 61_000}`,
    `q.requests,host=a count,delta=4 ${minute + 1000}`,
  ].join('\n');
  const answer = await ingest(tenant.url, body);
  assert.equal(answer.status, 202, answer.text);
});
after(() => tenant?.stop());

const query = (params: Record<string, string>, token: string = TOKEN) =>
  call(`${tenant.url}/api/v2/metrics/query?${new URLSearchParams(params)}`, { token });
const window = { from: String(minute), to: String(minute + 2 * 60_000), resolution: '1m' };

interface Data {
  resolution: string;
  result: {
    metricId: string;
    data: { dimensionMap: Record<string, string>; timestamps: number[]; values: (number | null)[] }[];
  }[];
}

describe('GET /api/v2/metrics/query', () => {
  it('answers MetricData: slot-end timestamps at the resolution, null where a series has no point', async () => {
    const answer = await query({ metricSelector: 'q.cpu:filter(eq("dc","east")):splitBy("host"):avg', ...window });
    assert.equal(answer.status, 200, answer.text);
    const data = answer.json as Data;
    assert.equal(data.resolution, '1m');
    assert.equal(data.result[0]?.metricId, 'q.cpu:filter(eq("dc","east")):splitBy("host"):avg');
    const byHost = Object.fromEntries((data.result[0]?.data ?? []).map((d) => [d.dimensionMap.host, d]));
    assert.deepEqual(byHost.a?.timestamps, [minute + 60_000, minute + 120_000]);
    assert.deepEqual(byHost.a?.values, [10, 30]);
    assert.deepEqual(byHost.b?.values, [20, null]);
    assert.equal(byHost.c, undefined, 'filtered out');
  });

  it(':splitBy():fold(sum) and the count metric under its stored key', async () => {
    const folded = (await query({ metricSelector: 'q.cpu:splitBy():sum:fold', ...window })).json as Data;
    assert.deepEqual(folded.result[0]?.data[0]?.values, [10 + 20 + 6 + 30]);
    const counts = (await query({ metricSelector: 'q.requests.count:fold(sum)', ...window })).json as Data;
    assert.deepEqual(counts.result[0]?.data[0]?.values, [4]);
  });

  it('400 ErrorEnvelope with a constraint violation for a bad selector; 404 for an unknown metric', async () => {
    const bad = await query({ metricSelector: 'q.cpu:filter(eq("dc"' });
    assert.equal(bad.status, 400);
    const error = (
      bad.json as {
        error: { code: number; message: string; constraintViolations: { path: string; parameterLocation: string }[] };
      }
    ).error;
    assert.equal(error.code, 400);
    assert.equal(error.constraintViolations[0]?.path, 'metricSelector');
    assert.equal(error.constraintViolations[0]?.parameterLocation, 'QUERY');
    const missing = await query({ metricSelector: 'q.nothing' });
    assert.equal(missing.status, 404);
  });

  it('needs metrics.read: 403 for an ingest-only token, 401 without one', async () => {
    assert.equal((await query({ metricSelector: 'q.cpu' }, INGEST_ONLY)).status, 403);
    assert.equal((await call(`${tenant.url}/api/v2/metrics/query?metricSelector=q.cpu`)).status, 401);
  });
});

describe('GET /api/v2/metrics and /api/v2/metrics/{key}', () => {
  it('lists metrics with a wildcard selector and pages through them', async () => {
    const first = (await call(`${tenant.url}/api/v2/metrics?metricSelector=q.*&pageSize=1`, { token: TOKEN })).json as {
      totalCount: number;
      nextPageKey: string | null;
      metrics: { metricId: string }[];
    };
    assert.equal(first.totalCount, 2);
    assert.deepEqual(
      first.metrics.map((m) => m.metricId),
      ['q.cpu'],
    );
    assert.ok(first.nextPageKey);
    const second = (
      await call(`${tenant.url}/api/v2/metrics?nextPageKey=${encodeURIComponent(first.nextPageKey)}`, { token: TOKEN })
    ).json as { nextPageKey: string | null; metrics: { metricId: string }[] };
    assert.deepEqual(
      second.metrics.map((m) => m.metricId),
      ['q.requests.count'],
    );
    assert.equal(second.nextPageKey, null);
  });

  it('describes a metric from its metadata line and its dimensions', async () => {
    const d = (await call(`${tenant.url}/api/v2/metrics/q.cpu`, { token: TOKEN })).json as {
      displayName: string;
      unit: string;
      dimensionDefinitions: { key: string }[];
    };
    assert.equal(d.displayName, 'CPU usage');
    assert.equal(d.unit, 'Percent');
    assert.deepEqual(
      d.dimensionDefinitions.map((x) => x.key),
      ['host', 'dc'],
    );
  });
});

describe('POST /api/v1/timeseries/{id}', () => {
  it('answers the v1 shape in total mode, one value per dimension tuple', async () => {
    const answer = await call(`${tenant.url}/api/v1/timeseries/q.cpu`, {
      token: TOKEN,
      body: JSON.stringify({
        aggregationType: 'MAX',
        startTimestamp: minute,
        endTimestamp: minute + 2 * 60_000,
        queryMode: 'total',
      }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(answer.status, 200, answer.text);
    const points = (answer.json as { result: { dataPoints: Record<string, [number, number | null][]> } }).result
      .dataPoints;
    assert.deepEqual(Object.keys(points).sort(), ['a, east', 'b, east', 'c, west']);
    assert.equal(points['a, east']?.[0]?.[1], 30);
    assert.equal(points['c, west']?.[0]?.[1], 5);
  });
});
