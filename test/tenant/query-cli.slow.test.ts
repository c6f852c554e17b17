/**
 * `dtmetrics query` (the query client) against the built local tenant, on data pushed over HTTP: each
 * transformation, the time and resolution forms, the three output formats, v1, and every failure turned into a
 * readable message (a selector mistake pointed at, a missing metric, a missing scope, a tenant that times out).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertBuilt, runCli } from '../cli/helpers.ts';
import { ingest, setFaults, startServe, TOKEN, type TenantProcess } from './helpers.ts';

const INGEST_ONLY = 'dt0c01.LOCALTEST.ingest-only-secret';
let tenant: TenantProcess;
/** Two whole minutes in the past: slot ends are minute + 1 min and minute + 2 min. */
const minute = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 60_000;
const frame = ['--from', String(minute), '--to', String(minute + 2 * 60_000), '--resolution', '1m'];

before(async () => {
  assertBuilt();
  tenant = await startServe(['--token', TOKEN, '--token', `${INGEST_ONLY}=metrics.ingest`, '--faults']);
  const lines = [
    `qc.latency,service=cart,region=eu gauge,10 ${minute + 1_000}`,
    `qc.latency,service=cart,region=eu gauge,30 ${minute + 61_000}`,
    `qc.latency,service=shop,region=eu gauge,20 ${minute + 2_000}`,
    `qc.latency,service=search,region=us gauge,min=1,max=9,sum=15,count=3 ${minute + 3_000}`,
    `qc.orders,service=cart count,delta=5 ${minute + 4_000}`,
    `qc.orders,service=cart count,delta=7 ${minute + 64_000}`,
  ];
  assert.equal((await ingest(tenant.url, lines.join('\n'))).status, 202);
});
after(() => tenant?.stop());

const query = (args: string[], token = TOKEN) =>
  runCli(['query', '--url', tenant.url, '--token-env', 'QC_TOKEN', ...args], { env: { QC_TOKEN: token } });

interface Data {
  resolution: string;
  result: { data: { dimensionMap: Record<string, string>; timestamps: number[]; values: (number | null)[] }[] }[];
}

async function json(selector: string, extra: string[] = frame): Promise<Data> {
  const result = await query([selector, '--format', 'json', ...extra]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Data;
}

/** Each series as `dimension values → values`, for compact expectations. */
const bySeries = (data: Data) =>
  Object.fromEntries((data.result[0]?.data ?? []).map((d) => [Object.values(d.dimensionMap).join('/'), d.values]));

describe('dtmetrics query: transformations on known data', () => {
  const cases: [string, string, Record<string, (number | null)[]>][] = [
    [
      'a metric as stored: one series per tuple, null where no point',
      'qc.latency',
      { 'cart/eu': [10, 30], 'shop/eu': [20, null], 'search/us': [5, null] },
    ],
    ['filter eq', 'qc.latency:filter(eq("region","eu"))', { 'cart/eu': [10, 30], 'shop/eu': [20, null] }],
    ['filter ne', 'qc.latency:filter(ne("region","eu"))', { 'search/us': [5, null] }],
    ['filter prefix', 'qc.latency:filter(prefix("service","s"))', { 'shop/eu': [20, null], 'search/us': [5, null] }],
    [
      'filter in, or/not',
      'qc.latency:filter(or(in("service","cart","shop"),not(eq("region","eu"))))',
      { 'cart/eu': [10, 30], 'shop/eu': [20, null], 'search/us': [5, null] },
    ],
    ['splitBy a dimension, avg', 'qc.latency:splitBy("region"):avg', { eu: [15, 30], us: [5, null] }],
    ['splitBy() max', 'qc.latency:splitBy():max', { '': [20, 30] }],
    ['min and count', 'qc.latency:filter(eq("service","search")):min', { 'search/us': [1, null] }],
    ['count', 'qc.latency:splitBy():count', { '': [5, 1] }],
    [
      'fold(max): one value per series over the range',
      'qc.latency:splitBy("service"):fold(max)',
      { cart: [30], shop: [20], search: [9] },
    ],
    ['sum of a count metric under its stored key', 'qc.orders.count:splitBy():sum', { '': [5, 7] }],
    [
      'sort by value, limit',
      'qc.latency:splitBy("service"):fold(max):sort(value(max,descending)):limit(2)',
      { cart: [30], shop: [20] },
    ],
  ];
  for (const [name, selector, expected] of cases) {
    it(name, async () => {
      assert.deepEqual(bySeries(await json(selector)), expected);
    });
  }

  it("the order of :sort is the answer's order", async () => {
    const data = await json('qc.latency:splitBy("service"):fold(max):sort(value(max,ascending))');
    assert.deepEqual(
      (data.result[0]?.data ?? []).map((d) => d.dimensionMap.service),
      ['search', 'shop', 'cart'],
    );
  });
});

describe('dtmetrics query: times, resolutions, formats', () => {
  it('from/to as ISO-8601 give the same answer as milliseconds', async () => {
    const iso = await json('qc.latency:splitBy():sum', [
      '--from',
      new Date(minute).toISOString(),
      '--to',
      new Date(minute + 120_000).toISOString(),
      '--resolution',
      '1m',
    ]);
    assert.deepEqual(bySeries(iso), { '': [10 + 20 + 15, 30] });
  });

  it('now-… and resolution Inf: one value over the whole range', async () => {
    const data = await json('qc.latency:splitBy():max', ['--from', 'now-30m', '--resolution', 'Inf']);
    assert.equal(data.resolution, 'Inf');
    assert.deepEqual(bySeries(data), { '': [30] });
  });

  it('table: one row per series with points, last, min, max, avg', async () => {
    const result = await query(['qc.latency:filter(eq("service","cart"))', ...frame]);
    assert.equal(result.code, 0);
    const [header, row] = result.stdout.trim().split('\n');
    assert.match(header ?? '', /^metric\s+dimensions\s+points\s+last\s+min\s+max\s+avg$/);
    assert.match(row ?? '', /service=cart, region=eu\s+2\s+30\s+10\s+30\s+20$/);
  });

  it('csv: one row per point, a column per dimension, RFC 4180 quoting, empty for null', async () => {
    const result = await query(['qc.latency:filter(eq("service","shop"))', '--format', 'csv', ...frame]);
    assert.equal(result.code, 0);
    const selector = '"qc.latency:filter(eq(""service"",""shop""))"';
    assert.deepEqual(result.stdout.trim().split('\r\n'), [
      'metric,service,region,time,timestamp,value',
      `${selector},shop,eu,${new Date(minute + 60_000).toISOString()},${minute + 60_000},20`,
      `${selector},shop,eu,${new Date(minute + 120_000).toISOString()},${minute + 120_000},`,
    ]);
  });

  it('an empty result says so on stderr, with the count-suffix hint', async () => {
    const result = await query(['qc.orders.count', '--from', 'now-7d', '--to', 'now-6d']);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /^no data for qc\.orders\.count between /);
  });

  it("v1: the older clusters' timeseries query, series and total", async () => {
    const result = await query([
      'qc.latency',
      '--v1',
      '--aggregation',
      'MAX',
      '--query-mode',
      'total',
      '--format',
      'json',
      ...frame.slice(0, 4),
    ]);
    assert.equal(result.code, 0, result.stderr);
    const points = (JSON.parse(result.stdout) as { result: { dataPoints: Record<string, [number, number][]> } }).result
      .dataPoints;
    assert.equal(points['cart, eu']?.[0]?.[1], 30);
  });
});

describe('dtmetrics query: failures as readable messages', () => {
  it("a selector mistake: the tenant's constraint violation, pointed at its character; exit 1", async () => {
    const result = await query(['qc.latency:filter(eq("region"']);
    assert.equal(result.code, 1);
    const [message, echo, caret] = result.stderr.split('\n');
    assert.match(message ?? '', /^dtmetrics: metricSelector: .*index 29/);
    assert.equal(echo, '  qc.latency:filter(eq("region"');
    assert.equal(caret, '  ' + ' '.repeat(29) + '^');
  });

  it("a metric that does not exist: 404 with the tenant's message", async () => {
    const result = await query(['qc.missing']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^dtmetrics: 404 .*qc\.missing/);
  });

  it('a token without metrics.read: 403 naming the scope; the token never shows', async () => {
    const result = await query(['qc.latency'], INGEST_ONLY);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /403 the token lacks the metrics\.read scope/);
    assert.ok(!result.stderr.includes(INGEST_ONLY));
  });

  it('a tenant that does not answer in time', async () => {
    await setFaults(tenant.url, [{ path: '/api/v2/metrics/query', slowMs: 3000 }]);
    const result = await query(['qc.latency', '--timeout', '1']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^dtmetrics: 127\.0\.0\.1:\d+ did not answer in time/);
  });

  it('bad options: one line, exit 2', async () => {
    for (const [args, message] of [
      [['qc.latency', '--from', 'yesterday'], /^dtmetrics: from: /],
      [['qc.latency', '--format', 'xml'], /--format must be table, json or csv/],
      [[], /give one metric selector/],
    ] as [string[], RegExp][]) {
      const result = await query(args);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1);
    }
  });
});
