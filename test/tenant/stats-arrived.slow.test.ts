/**
 * `dtmetrics stats --tenant` against the built local tenant, fed by real third-party clients as they are: curl posting
 * a metric each minute over the last 30 minutes, Python's requests posting another every 5 minutes (with a new UUID
 * as a dimension each time), a hot-shots StatsD app and an OpenTelemetry app. The figures are those of what arrived:
 * series per metric, points, the cadence-driven points a year (every 5 minutes: a fifth), DDU, the volatile dimension
 * flagged.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MetricStats, StatsReport } from '#core/stats/analysis.ts';
import { assertBuilt, runCli, ROOT } from '../cli/helpers.ts';
import { call, startServe, TOKEN, type TenantProcess } from './helpers.ts';

const MINUTE = 60_000;
/** The start of the current minute: the points lie in the 30 whole minutes before it. */
const base = Math.floor(Date.now() / MINUTE) * MINUTE;
const env = { DT_API_TOKEN: TOKEN };

let tenant: TenantProcess;
let scratch: string;

/** Runs a program to its end, as a person runs it in a terminal; its output (a failure when it exits non-zero). */
async function run(command: string, args: string[], extra: Record<string, string> = {}): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(command, args, { env: { ...process.env, ...extra } });
  return stdout + stderr;
}

/** Python's requests posting one line every 5 minutes of the last 30, each with a new request id. */
const PYTHON_EVERY_5_MINUTES = `
import os, uuid, requests
url = os.environ["DT_ENVIRONMENT_URL"] + "/api/v2/metrics/ingest"
base = int(os.environ["BASE_MS"])
lines = [f"shop.stock,warehouse=w1,request_id={uuid.uuid4()} gauge,{12 - k} {base - k * 60000 + 5000}" for k in range(30, 0, -5)]
response = requests.post(url, data="\\n".join(lines), headers={"Authorization": "Api-Token " + os.environ["DT_API_TOKEN"], "Content-Type": "text/plain; charset=utf-8"})
print(response.status_code, response.text)
`;

const stats = async (...args: string[]) =>
  runCli(['stats', '--tenant', '--url', tenant.url, '--token-env', 'DT_API_TOKEN', ...args], { env });

async function report(...args: string[]): Promise<StatsReport & { atLeast: object; notRead: unknown[] }> {
  const result = await stats('--from', 'now-40m', '--format', 'json', ...args);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as StatsReport & { atLeast: object; notRead: unknown[] };
}

const metric = (r: StatsReport, key: string): MetricStats => {
  const found = r.metrics.find((m) => m.key === key);
  assert.ok(found, `no ${key} among ${r.metrics.map((m) => m.key).join(', ')}`);
  return found;
};

before(async () => {
  assertBuilt();
  scratch = mkdtempSync(join(tmpdir(), 'dtmetrics-arrived-'));
  tenant = await startServe(['--token', TOKEN, '--statsd-port', '0']);
  // curl: two regions, a point each minute of the last 30.
  const lines: string[] = [];
  for (let k = 30; k >= 1; k--)
    for (const region of ['eu', 'us'])
      lines.push(`shop.orders,region=${region} count,delta=1 ${base - k * MINUTE + 5000}`);
  const body = join(scratch, 'orders.txt');
  writeFileSync(body, lines.join('\n'));
  const curl = await run('curl', [
    '-sS',
    '-H',
    `Authorization: Api-Token ${TOKEN}`,
    '-H',
    'Content-Type: text/plain; charset=utf-8',
    '--data-binary',
    `@${body}`,
    `${tenant.url}/api/v2/metrics/ingest`,
  ]);
  assert.match(curl, /"linesOk":60,"linesInvalid":0/);
  const python = await run('python3', ['-c', PYTHON_EVERY_5_MINUTES], {
    DT_ENVIRONMENT_URL: tenant.url,
    DT_API_TOKEN: TOKEN,
    BASE_MS: String(base),
  });
  assert.match(python, /^202 .*"linesOk":6,/);
  // hot-shots, as the app's docs show it, to the tenant's StatsD port; stored at the flush.
  const port = /StatsD on udp:\/\/127\.0\.0\.1:(\d+)/.exec(tenant.output())?.[1];
  assert.ok(port, tenant.output());
  await run(process.execPath, [join(ROOT, 'test/fixtures/clients/statsd-app.mjs')], { STATSD_PORT: port });
  await waitForDatagrams(3);
  assert.equal((await call(`${tenant.url}/_dtmetrics/statsd/flush`, { method: 'POST' })).status, 200);
  // An OpenTelemetry app, told to export deltas as the README says.
  await run(process.execPath, [join(ROOT, 'test/fixtures/clients/otel-app.mjs')], {
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${tenant.url}/api/v2/otlp/v1/metrics`,
    OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta',
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Api-Token ${TOKEN}`,
  });
});
after(async () => {
  await tenant?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function waitForDatagrams(count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { received } = (await call(`${tenant.url}/_dtmetrics/statsd`)).json as { received: number };
    if (received >= count) return;
    assert.ok(Date.now() < deadline, `the tenant received ${received} of ${count} datagrams`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('dtmetrics stats --tenant: what arrived', () => {
  it('series, points and the projection at the cadence the points arrived at', async () => {
    const r = await report();
    const orders = metric(r, 'shop.orders.count');
    assert.deepEqual([orders.series, orders.points, orders.cadence], [2, 60, 'timestamps']);
    assert.equal(orders.pointsPerYear, 2 * 525_600);
    assert.equal(orders.dduPerYear, 1051.2);
    // Every 5 minutes: a fifth of a point a minute, whatever the request ids make of the series.
    const stock = metric(r, 'shop.stock');
    assert.deepEqual([stock.series, stock.points], [6, 6]);
    assert.equal(stock.pointsPerYear, 525_600 / 5);
    assert.equal(stock.dduPerYear, 105.12);
    const requestId = stock.dimensions.find((d) => d.key === 'request_id');
    assert.equal(requestId?.volatile?.reason, 'uuid');
    assert.equal(stock.dimensions.find((d) => d.key === 'warehouse')?.volatile, null);
    // The StatsD app's metrics arrived in one minute: their series, and no cadence to project from.
    const statsdOrders = metric(r, 'checkout.orders.count');
    assert.deepEqual([statsdOrders.series, statsdOrders.points, statsdOrders.cadence], [1, 1, null]);
    assert.deepEqual(
      statsdOrders.dimensions.map((d) => [d.key, d.values]),
      [['region', 1]],
    );
    // The OpenTelemetry app's requests: one series a route, its service name adding none.
    const requests = metric(r, 'checkout.requests.count');
    assert.deepEqual(
      requests.dimensions.map((d) => [d.key, d.values, d.multiplier]),
      [
        ['http.route', 2, 2],
        ['service.name', 1, 1],
      ],
    );
    assert.deepEqual([r.notRead, r.atLeast], [[], {}]);
  });

  it('the table: what arrived where and when, --metrics patterns, --interval for a metric seen once', async () => {
    const result = await stats('--from', 'now-40m', '--metrics', 'shop.*', '--price-per-point', '0.000001');
    assert.equal(result.code, 0, result.stderr);
    const [header, , columns] = result.stdout.split('\n');
    assert.match(header ?? '', /^What arrived at http:\/\/127\.0\.0\.1:\d+ between \d{4}-\S+Z and \d{4}-\S+Z$/);
    assert.match(
      columns ?? '',
      /^metric \/ dimension +series +dims +values +×series +points\/day +points\/year +DDU\/year +cost\/year +notes$/,
    );
    assert.match(result.stdout, /^shop\.orders\.count +2 +1 +2,880 +1,051,200 +1,051\.2 +1\.05$/m);
    assert.match(result.stdout, /^ {2}request_id +6 +×6\.00 +volatile: 100 % of values are UUIDs/m);
    assert.doesNotMatch(result.stdout, /checkout\./);
    assert.match(result.stdout, /^2 metrics read, 66 data points\.$/m);
    const once = await report('--metrics', 'checkout.orders*', '--interval', '1m');
    assert.equal(metric(once, 'checkout.orders.count').pointsPerYear, 525_600);
  });

  it('bad input is one line and exit 2; a tenant that refuses is one line and exit 1', async () => {
    for (const [args, message] of [
      [['a.dtmetrics'], /--tenant reads what arrived at a tenant, not files/],
      [['--format', 'csv'], /--format must be one of table, markdown, json/],
      [['--metrics', 'a:splitBy()'], /--metrics takes a metric key or a pattern/],
      [['--from', 'now-8d'], /at most 10,080 one-minute points/],
      [['--base', 'x'], /--base/],
    ] as const) {
      const result = await stats(...args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
    const refused = await runCli(['stats', '--tenant', '--url', tenant.url, '--token-env', 'NO_SUCH'], {
      env: { NO_SUCH: 'dt0c01.LOCALTEST.wrong-secret' },
    });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /^dtmetrics: listing the metrics: .*401/);
  });
});
