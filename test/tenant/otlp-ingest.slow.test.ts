/**
 * The local tenant's OTLP metrics endpoint (`POST /api/v2/otlp/v1/metrics`) against the real producer: the
 * OpenTelemetry JS SDK (sdk-metrics 2.12) and its own exporters (exporter-metrics-otlp-proto and -http 0.223) export
 * to the built `dtmetrics serve`. Delta: 200, and the values queried back under Dynatrace's keys (also gzipped, also
 * under `/e/{id}`). Cumulative: the partial success reaches the exporter, which logs it through the OpenTelemetry
 * `diag` logger, and nothing is stored for the refused metrics. OTLP/JSON: 415 with the reason.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { assertBuilt } from '../cli/helpers.ts';
import { call, queryValues, startServe, TOKEN, type TenantProcess } from './helpers.ts';

let tenant: TenantProcess;
/** What the OpenTelemetry API's diag logger was told (warnings and errors). */
let diagnostics: string[] = [];

before(async () => {
  assertBuilt();
  tenant = await startServe(['--token', TOKEN]);
  const capture =
    (level: string) =>
    (message: string, ...args: unknown[]) =>
      diagnostics.push(
        `${level} ${message} ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`,
      );
  const logger: DiagLogger = {
    error: capture('error'),
    warn: capture('warn'),
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
});
afterEach(() => {
  diagnostics = [];
});
after(async () => {
  diag.disable();
  await tenant?.stop();
});

const HOUR = { from: 'now-1h' };
const headers = { Authorization: `Api-Token ${TOKEN}` };

/**
 * Records counters, a gauge and a histogram under `prefix`, collects them once and exports them with `exporter`
 * (the SDK's own export call); resolves with the exporter's result.
 */
async function exportOnce(prefix: string, exporter: PushMetricExporter): Promise<ExportResult> {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'otlp-ingest-test' }),
    readers: [reader],
  });
  const meter = provider.getMeter('dtmetrics-test', '1.0.0');
  const requests = meter.createCounter(`${prefix}.requests`);
  requests.add(5, { route: '/a' });
  requests.add(3, { route: '/a' });
  requests.add(2, { route: '/b' });
  meter.createGauge(`${prefix}.temperature`).record(21.5, { room: 'kitchen' });
  const latency = meter.createHistogram(`${prefix}.latency`, { unit: 'ms' });
  for (const ms of [3, 7, 11]) latency.record(ms, { route: '/a' });
  const { resourceMetrics, errors } = await reader.collect();
  assert.deepEqual(errors, []);
  const result = await new Promise<ExportResult>((resolve) => exporter.export(resourceMetrics, resolve));
  await exporter.shutdown();
  return result;
}

const protobuf = (temporality: AggregationTemporalityPreference, options: object = {}, path = '') =>
  new ProtobufExporter({
    url: `${tenant.url}${path}/api/v2/otlp/v1/metrics`,
    headers,
    temporalityPreference: temporality,
    ...options,
  });

describe('OTLP metrics ingest (the SDK’s exporters → dtmetrics serve)', () => {
  it('delta: 200, and every value queried back under the key Dynatrace gives it', async () => {
    const result = await exportOnce('delta', protobuf(AggregationTemporalityPreference.DELTA));
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    assert.deepEqual(diagnostics, []);
    const expected = {
      'delta.requests.count:filter(eq("route","/a")):splitBy():sum': 8,
      'delta.requests.count:filter(eq("service.name","otlp-ingest-test")):splitBy():sum': 10,
      'delta.temperature:filter(eq("room","kitchen")):splitBy():max': 21.5,
      'delta.latency.histogram:splitBy():min': 3,
      'delta.latency.histogram:splitBy():max': 11,
      'delta.latency.histogram:splitBy():sum': 21,
      'delta.latency.histogram:splitBy():count': 3,
    };
    assert.deepEqual(await queryValues(tenant.url, Object.keys(expected), HOUR), expected);
  });

  it('gzip (the exporter’s compression) under /e/{id}: stored', async () => {
    const exporter = protobuf(AggregationTemporalityPreference.DELTA, { compression: 'gzip' }, '/e/abc12345');
    const result = await exportOnce('gzipped', exporter);
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    const expected = { 'gzipped.requests.count:splitBy():sum': 10, 'gzipped.temperature:splitBy():max': 21.5 };
    assert.deepEqual(await queryValues(tenant.url, Object.keys(expected), HOUR), expected);
  });

  it('cumulative: the partial success in the exporter’s diagnostics; nothing stored for the refused metrics', async () => {
    const result = await exportOnce('cumulative', protobuf(AggregationTemporalityPreference.CUMULATIVE));
    // A partial success is a success to the exporter: it only logs it.
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    const partial = diagnostics.find((line) => line.includes('Partial Success'));
    assert.ok(partial, diagnostics.join('\n'));
    const logged = JSON.parse(partial.slice(partial.indexOf('{'))) as {
      rejectedDataPoints: number | string;
      errorMessage: string;
    };
    assert.equal(Number(logged.rejectedDataPoints), 3);
    assert.equal(
      logged.errorMessage,
      "The following issues were encountered while ingesting OTLP metrics:\nErrors:\nUnsupported metric: 'cumulative.requests' - Reason: UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM\nUnsupported metric: 'cumulative.latency' - Reason: UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM\n",
    );
    for (const key of ['cumulative.requests.count', 'cumulative.latency.histogram', 'cumulative.latency']) {
      const answer = await call(`${tenant.url}/api/v2/metrics/${key}`, { token: TOKEN });
      assert.equal(answer.status, 404, `${key}: ${answer.text}`);
    }
    assert.deepEqual(await queryValues(tenant.url, ['cumulative.temperature:splitBy():max'], HOUR), {
      'cumulative.temperature:splitBy():max': 21.5,
    });
  });

  it('OTLP/JSON (the -otlp-http exporter): 415, JSON is not supported', async () => {
    const exporter = new JsonExporter({
      url: `${tenant.url}/api/v2/otlp/v1/metrics`,
      headers,
      temporalityPreference: AggregationTemporalityPreference.DELTA,
    });
    const result = await exportOnce('json', exporter);
    assert.equal(result.code, ExportResultCode.FAILED);
    const error = result.error as Error & { code?: number; data?: string };
    assert.equal(error.code, 415);
    assert.match(String(error.data), /JSON is not supported for Protocol Buffers: binary protobuf must be used/);
  });

  it('answers 400 with the decoder’s message for a body that is not a request, 413 past 4 MB, 401 without a token', async () => {
    const url = `${tenant.url}/api/v2/otlp/v1/metrics`;
    const type = { 'Content-Type': 'application/x-protobuf' };
    const broken = await call(url, { body: new Uint8Array([0x0a, 0x05, 0x01]), token: TOKEN, headers: type });
    assert.equal(broken.status, 400);
    assert.match(broken.text, /not an OTLP ExportMetricsServiceRequest: not an OTLP metrics request in protobuf/);
    const big = await call(url, { body: new Uint8Array(4_000_001), token: TOKEN, headers: type });
    assert.equal(big.status, 413);
    assert.match(big.text, /at most 4,000,000 bytes uncompressed/);
    assert.equal((await call(url, { body: new Uint8Array(0), headers: type })).status, 401);
  });
});
