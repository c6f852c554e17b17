/**
 * The OTLP converter against the real producer: the OpenTelemetry JS SDK (sdk-metrics 2.12) records counters,
 * up-down counters, gauges (synchronous and observable), histograms and exponential histograms with attributes,
 * and its own OTLP exporters (exporter-metrics-otlp-proto and -http 0.223) POST the requests to a node:http server on
 * loopback, in delta and in cumulative temporality. Both encodings convert alike; delta lines lint clean, are pushed
 * to the built local tenant and queried back with the values recorded; cumulative sums and histograms are reported
 * with Dynatrace's reasons and nothing is written for them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPMetricExporter as ProtobufExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { convertOtlpProtobuf, createOtlpJsonConverter } from '#core/convert/otlp.ts';
import { lintText } from '#core/lint.ts';
import { assertBuilt } from '../cli/helpers.ts';
import { assertAccounted, collect, convertText, type Conversion } from '../core/convert-fixtures.ts';
import { pushLines, queryValue, queryValues, startServe, TOKEN, waitFor, type TenantProcess } from './helpers.ts';

interface Captured {
  protobuf: Uint8Array[];
  json: string[];
}

/** Every request body the exporters POST, by content type. */
let server: Server;
let captured: Captured = { protobuf: [], json: [] };
let tenant: TenantProcess;

before(async () => {
  assertBuilt();
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (String(request.headers['content-type']).includes('json')) captured.json.push(body.toString('utf8'));
      else captured.protobuf.push(new Uint8Array(body));
      // An empty ExportMetricsServiceResponse: full success.
      response.writeHead(200, { 'Content-Type': String(request.headers['content-type']) });
      response.end(String(request.headers['content-type']).includes('json') ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tenant = await startServe(['--token', TOKEN]);
});
after(async () => {
  server?.close();
  await tenant?.stop();
});

/**
 * The SDK records the same instruments under `prefix` and exports them once through both exporters, in the given
 * temporality preference; resolves with the request bodies they sent.
 */
async function produce(prefix: string, temporality: AggregationTemporalityPreference): Promise<Captured> {
  captured = { protobuf: [], json: [] };
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;
  const readers = [
    new ProtobufExporter({ url, temporalityPreference: temporality }),
    new JsonExporter({ url, temporalityPreference: temporality }),
  ].map((exporter) => new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 }));
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'otlp-test', 'Deployment Stage': 'ci' }),
    readers,
    views: [{ instrumentName: `${prefix}.payload`, aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('dtmetrics-test', '1.0.0');
  const requests = meter.createCounter(`${prefix}.requests`);
  requests.add(5, { route: '/a', 'HTTP Status': 200 });
  requests.add(3, { route: '/a', 'HTTP Status': 200 });
  requests.add(2, { route: '/b', 'HTTP Status': 500 });
  const queue = meter.createUpDownCounter(`${prefix}.queue`);
  queue.add(4, { queue: 'mail' });
  queue.add(-1, { queue: 'mail' });
  meter.createGauge(`${prefix}.temperature`).record(21.5, { room: 'kitchen' });
  meter.createObservableGauge(`${prefix}.memory`).addCallback((result) => result.observe(1024, { pool: 'heap' }));
  const latency = meter.createHistogram(`${prefix}.latency`, { unit: 'ms' });
  for (const ms of [3, 7, 11]) latency.record(ms, { route: '/a' });
  const payload = meter.createHistogram(`${prefix}.payload`);
  for (const bytes of [1, 4, 10]) payload.record(bytes);
  await provider.forceFlush();
  const sent = await waitFor('both exporters to send', 10_000, () =>
    captured.protobuf.length > 0 && captured.json.length > 0
      ? { protobuf: [...captured.protobuf], json: [...captured.json] }
      : null,
  );
  // Its shutdown exports once more (what has changed since: the up-down counter and the observable gauge).
  await provider.shutdown();
  return sent;
}

/**
 * What the two encodings are compared on: the two readers collect a few milliseconds apart, so the lines' times
 * differ, and a protobuf body has no input lines.
 */
const comparable = ({ lines, notes, naming, tally }: Conversion) => ({
  lines: lines.map((line) => line.text.replace(/ \d+$/, ' <time>')),
  notes: notes.map(({ line: _, ...note }) => note),
  naming,
  tally,
});

const fromProtobuf = (bodies: Uint8Array[]): Conversion =>
  collect((sink) =>
    bodies
      .map((body) => convertOtlpProtobuf(body, sink))
      .reduce((sum, tally) => ({
        items: sum.items + tally.items,
        converted: sum.converted + tally.converted,
        skipped: sum.skipped + tally.skipped,
      })),
  );

/** The JSON bodies fed line by line, pretty-printed (a document over many lines) as well as one request a line. */
const fromJson = (bodies: string[], pretty: boolean): Conversion =>
  convertText(
    createOtlpJsonConverter,
    bodies.map((body) => (pretty ? JSON.stringify(JSON.parse(body), null, 2) : body)).join('\n'),
  );

/** The time frame of the queries: the last hour. */
const HOUR = { from: 'now-1h' };

describe('OTLP from the OpenTelemetry JS SDK', () => {
  it('delta: both encodings convert alike, lint clean, and query back as recorded', async () => {
    const sent = await produce('delta', AggregationTemporalityPreference.DELTA);
    const viaProtobuf = fromProtobuf(sent.protobuf);
    const viaJson = fromJson(sent.json, false);
    assert.deepEqual(comparable(viaJson), comparable(viaProtobuf));
    assert.deepEqual(comparable(fromJson(sent.json, true)), comparable(viaJson));
    assertAccounted(viaProtobuf, 'delta');
    const lines = viaProtobuf.lines.map((l) => l.text);
    const { tally } = viaProtobuf;
    // 2 counter points (the two attribute sets), 1 up-down, 1 gauge, 1 observable gauge, 1 histogram, 1 exponential.
    assert.deepEqual(tally, { items: 7, converted: 7, skipped: 0 });
    for (const line of lines) {
      const findings = lintText(line, { now: Date.now() }).filter(
        (d) => d.severity === 'error' || d.severity === 'warning',
      );
      assert.deepEqual(findings, [], line);
    }
    const [answer] = await pushLines(tenant.url, lines);
    // Its only warnings are the `.count` suffix the naming preview announced (stored key delta.requests.count).
    assert.doesNotMatch(
      (answer?.text ?? '').replaceAll("'delta.requests' changed to 'delta.requests.count'", ''),
      /changed/,
    );

    const summary = (key: string, min: number, max: number, sum: number, count: number) => ({
      [`${key}:min`]: min,
      [`${key}:max`]: max,
      [`${key}:sum`]: sum,
      [`${key}:count`]: count,
    });
    const expected = {
      'delta.requests.count:filter(eq("route","/a")):splitBy():sum': 8,
      'delta.requests.count:filter(eq("http_status","500")):splitBy():sum': 2,
      'delta.requests.count:filter(eq("service.name","otlp-test")):splitBy():sum': 10,
      // The SDK keeps an up-down counter cumulative even when delta is preferred (its DELTA selector): a gauge.
      'delta.queue:filter(eq("queue","mail")):splitBy():max': 3,
      'delta.temperature:filter(eq("room","kitchen")):splitBy():max': 21.5,
      'delta.memory:filter(eq("pool","heap")):splitBy():max': 1024,
      ...summary('delta.latency:filter(eq("deployment_stage","ci")):splitBy()', 3, 11, 21, 3),
      ...summary('delta.payload:splitBy()', 1, 10, 15, 3),
    };
    assert.deepEqual(await queryValues(tenant.url, Object.keys(expected), HOUR), expected);
  });

  it('cumulative: monotonic sums and histograms reported with Dynatrace’s reasons, nothing sent for them', async () => {
    const sent = await produce('cumulative', AggregationTemporalityPreference.CUMULATIVE);
    const viaProtobuf = fromProtobuf(sent.protobuf);
    assert.deepEqual(comparable(fromJson(sent.json, false)), comparable(viaProtobuf));
    assertAccounted(viaProtobuf, 'cumulative');
    const lines = viaProtobuf.lines.map((l) => l.text);
    const { notes, tally } = viaProtobuf;
    assert.deepEqual(tally, { items: 7, converted: 3, skipped: 4 });
    const skipped = notes
      .filter((note) => note.kind === 'skipped')
      .map((note) => `${note.item} ${note.count}× ${note.message.split(':')[0]}`)
      .sort();
    assert.deepEqual(skipped, [
      'cumulative.latency 1× cumulative histogram',
      'cumulative.payload 1× cumulative exponential histogram',
      'cumulative.requests 2× monotonic cumulative sum',
    ]);
    assert.match(
      notes.find((note) => note.item === 'cumulative.requests')?.message ?? '',
      /UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM.*cumulativetodelta/,
    );
    assert.ok(
      lines.every((line) => /^cumulative\.(queue|temperature|memory),/.test(line)),
      lines.join('\n'),
    );
    const queue = lines.find((line) => line.startsWith('cumulative.queue,'));
    assert.match(queue ?? '', / gauge,3 \d+$/);
    await pushLines(tenant.url, lines);
    assert.equal(await queryValue(tenant.url, 'cumulative.queue:splitBy():max', HOUR), 3);
  });
});
