/**
 * `dtmetrics stats --tenant` is gentle with a tenant: against the built local tenant (`serve --faults`), 25 metrics are
 * read in 3 queries (ten metrics a selector), a 429 is waited out (its X-RateLimit-Reset) and asked again with the
 * figures whole, a 429 that lasts leaves only its batch not read, and a batch the tenant refuses is asked again one
 * metric a query, so only the metric refused is not read. The query requests are counted from the tenant's request
 * log (an injected fault's answer is not logged there).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { environmentUrls } from '#core/environment.ts';
import { statsOfArrived } from '#http/arrived.ts';
import { assertBuilt, runCli } from '../cli/helpers.ts';
import { call, pushLines, setFaults, startServe, TOKEN, waitFor, type TenantProcess } from './helpers.ts';

const MINUTE = 60_000;
const QUERY_PATH = '/api/v2/metrics/query';
const base = Math.floor(Date.now() / MINUTE) * MINUTE;
/** batch.m01 … batch.m25: metric i has 1 + i % 3 series, each with a point in each of the last 3 minutes. */
const KEYS = Array.from({ length: 25 }, (_, i) => `batch.m${String(i + 1).padStart(2, '0')}`);
const seriesOf = (i: number) => 1 + (i % 3);
/** The first batch alone: `--metrics batch.m0*` lists batch.m01 … batch.m09. */
const FIRST_NINE = ['--metrics', 'batch.m0*'];

let tenant: TenantProcess;

before(async () => {
  assertBuilt();
  tenant = await startServe(['--token', TOKEN, '--faults']);
  const lines = KEYS.flatMap((key, i) =>
    Array.from({ length: seriesOf(i) }, (_, s) =>
      [1, 2, 3].map((k) => `${key},shard=s${s} gauge,${k} ${base - k * MINUTE + 5000}`),
    ).flat(),
  );
  await pushLines(tenant.url, lines);
});
after(async () => {
  await tenant?.stop();
});

interface Arrived {
  metrics: { key: string; series: number; points: number }[];
  notRead: { key: string; reason: string }[];
}

/** Each metric's [series, points] as read. */
const figures = (arrived: Arrived) => Object.fromEntries(arrived.metrics.map((m) => [m.key, [m.series, m.points]]));
const expected = (keys: readonly string[]) =>
  Object.fromEntries(keys.map((key) => [key, [seriesOf(KEYS.indexOf(key)), 3 * seriesOf(KEYS.indexOf(key))]]));

/**
 * Runs `stats --tenant` and returns its JSON, exit code, and the statuses of the query requests the tenant logged
 * meanwhile: a request logged after the run (a marker) says every line before it is there.
 */
async function statsRun(...args: string[]): Promise<{ arrived: Arrived; code: number | null; queries: number[] }> {
  const mark = tenant.output().length;
  const result = await runCli(
    [
      'stats',
      '--tenant',
      '--url',
      tenant.url,
      '--token-env',
      'DT_API_TOKEN',
      '--from',
      'now-40m',
      '--format',
      'json',
    ].concat(args),
    { env: { DT_API_TOKEN: TOKEN } },
  );
  assert.ok(result.stdout.startsWith('{'), result.stderr);
  const marker = await call(`${tenant.url}/api/v1/config/clusterversion`, { token: TOKEN });
  assert.equal(marker.status, 200, marker.text);
  const logged = await waitFor('the marker in the request log', 10_000, () => {
    const since = tenant.output().slice(mark);
    return since.includes('GET /api/v1/config/clusterversion') ? since : null;
  });
  const queries = [...logged.matchAll(/GET \/api\/v2\/metrics\/query (\d{3})/g)].map((m) => Number(m[1]));
  return { arrived: JSON.parse(result.stdout) as Arrived, code: result.code, queries };
}

/** No fault left queued for the query API: a query of the tenant's own is answered. */
async function assertFaultsTaken(): Promise<void> {
  const answer = await call(`${tenant.url}${QUERY_PATH}?metricSelector=batch.m01&from=now-40m`, { token: TOKEN });
  assert.equal(answer.status, 200, answer.text);
}

describe('dtmetrics stats --tenant: ten metrics a query, 429s waited out', () => {
  it('reads 25 metrics in 3 queries, with the figures one query a metric gives', async () => {
    const { arrived, code, queries } = await statsRun();
    assert.equal(code, 0);
    assert.deepEqual(queries, [200, 200, 200]);
    assert.deepEqual(figures(arrived), expected(KEYS));
    assert.deepEqual(arrived.notRead, []);
  });

  it("waits for a 429's X-RateLimit-Reset and asks again: the figures whole", async () => {
    const resetMicros = String((Date.now() + 200) * 1000);
    await setFaults(tenant.url, [{ path: QUERY_PATH, status: 429, headers: { 'X-RateLimit-Reset': resetMicros } }]);
    const { arrived, code, queries } = await statsRun();
    assert.equal(code, 0);
    assert.deepEqual(figures(arrived), expected(KEYS));
    assert.deepEqual(arrived.notRead, []);
    assert.deepEqual(queries, [200, 200, 200]);
    await assertFaultsTaken();
  });

  it('a 429 that lasts past the retries: only its batch not read, as throttled', async () => {
    // Five answers of 429 (reset passed: no wait) take every attempt of the one batch; a sixth would have read it.
    const passed = String((Date.now() - 1000) * 1000);
    await setFaults(tenant.url, [
      { path: QUERY_PATH, status: 429, times: 5, headers: { 'X-RateLimit-Reset': passed } },
    ]);
    const { arrived, code, queries } = await statsRun(...FIRST_NINE);
    assert.equal(code, 1);
    assert.deepEqual(queries, []);
    assert.deepEqual(
      arrived.notRead.map((n) => n.key),
      KEYS.slice(0, 9),
    );
    for (const { reason } of arrived.notRead) assert.match(reason, /^429 throttled by the tenant/);
    await assertFaultsTaken();
  });

  it('a batch the tenant refuses is asked again one metric a query: only the metric refused is not read', async () => {
    // The batch's query is refused, then the first metric's alone.
    await setFaults(tenant.url, [{ path: QUERY_PATH, status: 400, times: 2 }]);
    const { arrived, code, queries } = await statsRun(...FIRST_NINE);
    assert.equal(code, 1);
    assert.equal(arrived.notRead.length, 1, JSON.stringify(arrived.notRead));
    const [refused] = arrived.notRead as [{ key: string; reason: string }];
    assert.match(refused.reason, /^400: Injected fault 400/);
    const read = KEYS.slice(0, 9).filter((key) => key !== refused.key);
    assert.deepEqual(figures(arrived), expected(read));
    assert.deepEqual(
      queries,
      read.map(() => 200),
    );
    await assertFaultsTaken();
  });

  it("a 429's wait ends when the caller stops the read", async () => {
    // A reset a minute away: the read stops long before it, whether the abort finds it waiting or asking.
    const resetMicros = String((Date.now() + 60_000) * 1000);
    await setFaults(tenant.url, [{ path: QUERY_PATH, status: 429, headers: { 'X-RateLimit-Reset': resetMicros } }]);
    const urls = environmentUrls(tenant.url);
    assert.ok(urls.ok);
    const stop = new AbortController();
    const mark = tenant.output().length;
    const reading = statsOfArrived(
      { urls: urls.value, token: TOKEN },
      { from: base - 40 * MINUTE, to: base + MINUTE, patterns: ['batch.m01'] },
      { intervalMs: null, pricePerPoint: null },
      { signal: stop.signal },
    );
    await waitFor('the list of metrics written', 10_000, () =>
      tenant.output().slice(mark).includes('GET /api/v2/metrics 200') ? true : null,
    );
    stop.abort();
    assert.deepEqual(await reading, { ok: false, message: 'stopped before every metric was read' });
    await call(`${tenant.url}/_dtmetrics/faults`, { method: 'DELETE' });
  });
});
