/**
 * The official TypeScript SDK, `@dynatrace-sdk/client-classic-environment-v2` 5.2.3, run unchanged against the
 * built `dtmetrics serve`: its own MetricsClient, given the SDK's own HttpClient with the tenant as base URL and
 * the API token as a default header (the way a Node program outside a Dynatrace app configures it). It calls
 * `/platform/classic/environment-api/v2/…`, the path a tenant serves the classic API under for platform clients.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsClient } from '@dynatrace-sdk/client-classic-environment-v2';
import { PlatformHttpClient } from '@dynatrace-sdk/http-client';
import { assertBuilt } from '../cli/helpers.ts';
import { recent, startServe, TOKEN, type TenantProcess } from './helpers.ts';

const JSON_ACCEPT = 'application/json; charset=utf-8';

let tenant: TenantProcess;
let metrics: MetricsClient;

before(async () => {
  assertBuilt();
  tenant = await startServe(['--token', TOKEN]);
  metrics = new MetricsClient(
    new PlatformHttpClient({ baseUrl: tenant.url, defaultHeaders: { Authorization: `Api-Token ${TOKEN}` } }),
  );
});
after(() => tenant?.stop());

/** What the SDK threw, as one line for an assertion message (its errors carry the response, not the token). */
const failure = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

describe('@dynatrace-sdk/client-classic-environment-v2 against the local tenant', () => {
  it('ingests lines (MetricsClient.ingest)', async () => {
    const at = recent();
    const answer = await metrics
      .ingest({
        body: [
          '#sdk.temperature gauge dt.meta.displayName="SDK temperature",dt.meta.unit=DegreeCelsius',
          `sdk.temperature,room=a 21.5 ${at}`,
          `sdk.temperature,room=b 19 ${at}`,
        ].join('\n'),
      })
      .catch((error: unknown) => assert.fail(failure(error)));
    assert.equal(answer.linesOk, 3);
    assert.equal(answer.linesInvalid, 0);
  });

  it('lists metrics (MetricsClient.allMetrics)', async () => {
    const list = await metrics
      .allMetrics({ acceptType: JSON_ACCEPT, metricSelector: 'sdk.*', fields: '+unit' })
      .catch((error: unknown) => assert.fail(failure(error)));
    assert.deepEqual(
      list.metrics.map((m) => [m.metricId, m.displayName, m.unit]),
      [['sdk.temperature', 'SDK temperature', 'DegreeCelsius']],
    );
  });

  it('describes a metric (MetricsClient.metric), and a metric with transformations', async () => {
    const plain = await metrics
      .metric({ acceptType: JSON_ACCEPT, metricKey: 'sdk.temperature' })
      .catch((error: unknown) => assert.fail(failure(error)));
    assert.equal(plain.metricId, 'sdk.temperature');
    assert.deepEqual(
      plain.dimensionDefinitions?.map((d) => d.key),
      ['room'],
    );
    const merged = await metrics
      .metric({ acceptType: JSON_ACCEPT, metricKey: 'sdk.temperature:splitBy()' })
      .catch((error: unknown) => assert.fail(failure(error)));
    assert.equal(merged.metricId, 'sdk.temperature:splitBy()');
    assert.deepEqual(merged.dimensionDefinitions, []);
    const aggregated = await metrics
      .metric({ acceptType: JSON_ACCEPT, metricKey: 'sdk.temperature:splitBy("room"):max' })
      .catch((error: unknown) => assert.fail(failure(error)));
    assert.equal(aggregated.metricId, 'sdk.temperature:splitBy("room"):max');
    assert.deepEqual(
      aggregated.dimensionDefinitions?.map((d) => d.key),
      ['room'],
    );
    assert.deepEqual(aggregated.aggregationTypes, ['auto', 'value']);
    assert.equal(aggregated.defaultAggregation?.type, 'value');
  });

  it('queries data points (MetricsClient.query)', async () => {
    const data = await metrics
      .query({
        acceptType: JSON_ACCEPT,
        metricSelector: 'sdk.temperature:splitBy("room"):max',
        from: 'now-30m',
        resolution: 'Inf',
      })
      .catch((error: unknown) => assert.fail(failure(error)));
    const byRoom = Object.fromEntries((data.result[0]?.data ?? []).map((d) => [d.dimensionMap?.room, d.values]));
    assert.deepEqual(byRoom, { a: [21.5], b: [19] });
  });

  it('gets the tenant refusal as the SDK error a tenant would cause (404 for an unknown metric)', async () => {
    const refused = await metrics.metric({ acceptType: JSON_ACCEPT, metricKey: 'sdk.unknown' }).then(
      () => assert.fail('an unknown metric was described'),
      (error: unknown) => error,
    );
    assert.match(failure(refused), /not found/);
    assert.ok(!tenant.output().includes(TOKEN), 'the tenant logged the token');
  });
});
