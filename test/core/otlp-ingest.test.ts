/**
 * The local tenant's OTLP metrics ingest (core/metrics/otlp-ingest.ts): a decoded request → the points stored under
 * Dynatrace's keys, and the ExportMetricsServiceResponse (decoded here with @bufbuild/protobuf's BinaryReader):
 * empty on full success, a partial success in Dynatrace's words naming each refused metric, 400 when nothing is
 * stored, 413 past 15,000 data points.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import type { OtlpMetric, OtlpMetricData, OtlpNumberDataPoint, OtlpRequest } from '#core/convert/otlp-model.ts';
import { admitIngest, applyRecords, type StoredRecord } from '#core/metrics/ingest.ts';
import { KnownPrefixes } from '#core/metrics/known-prefixes.ts';
import { checkOtlpIngest, otlpAnswer, type OtlpAnswer } from '#core/metrics/otlp-ingest.ts';
import { MetricStore } from '#core/metrics/store.ts';

const NOW = Date.UTC(2026, 2, 1, 12);
const KNOWN = new KnownPrefixes();
const DELTA = 1;
const CUMULATIVE = 2;

const point = (value: number, ageMs = 0, route = '/a'): OtlpNumberDataPoint => ({
  attributes: [{ key: 'Route', value: { type: 'string', value: route } }],
  startTimeUnixNano: 0n,
  timeUnixNano: BigInt(NOW - ageMs) * 1_000_000n,
  flags: 0,
  value,
});

const metric = (name: string, data: OtlpMetricData): OtlpMetric => ({
  name,
  description: '',
  unit: '',
  data,
  metadata: [],
});
const sum = (name: string, temporality: number, points: OtlpNumberDataPoint[]) =>
  metric(name, { type: 'sum', aggregationTemporality: temporality, isMonotonic: true, dataPoints: points });
const gauge = (name: string, points: OtlpNumberDataPoint[]) => metric(name, { type: 'gauge', dataPoints: points });
const histogram = (name: string, temporality = DELTA) =>
  metric(name, {
    type: 'histogram',
    aggregationTemporality: temporality,
    dataPoints: [
      {
        ...point(0),
        count: 3n,
        sum: 21,
        bucketCounts: [1n, 2n],
        explicitBounds: [5],
        min: 3,
        max: 11,
      },
    ],
  });

const request = (metrics: OtlpMetric[]): OtlpRequest => ({
  resourceMetrics: [
    {
      resource: { attributes: [], droppedAttributesCount: 0 },
      scopeMetrics: [
        { scope: { name: 'test', version: '', attributes: [], droppedAttributesCount: 0 }, metrics, schemaUrl: '' },
      ],
      schemaUrl: '',
    },
  ],
});

/** Ingests a request into `store` as the local tenant does; the answer and what was stored. */
function ingest(metrics: OtlpMetric[], store = new MetricStore()): { answer: OtlpAnswer; stored: StoredRecord[] } {
  const checked = checkOtlpIngest(request(metrics), NOW);
  // The tenant checks with the clean prefixes it keeps across requests: learned, then used, to the same answers.
  for (let i = 0; i < 2; i++) assert.deepStrictEqual(checkOtlpIngest(request(metrics), NOW, KNOWN), checked);
  assert.ok(checked.ok);
  const admitted = admitIngest(store, checked.checked);
  applyRecords(store, admitted.records);
  return { answer: otlpAnswer(checked, admitted), stored: admitted.records };
}

/** ExportMetricsServiceResponse → its partial_success, or null when the message has none. */
function partialSuccess(body: Uint8Array): { rejected: bigint; message: string } | null {
  const reader = new BinaryReader(body);
  let found: { rejected: bigint; message: string } | null = null;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    assert.equal(field, 1);
    assert.equal(wireType, WireType.LengthDelimited);
    const inner = new BinaryReader(reader.bytes());
    found = { rejected: 0n, message: '' };
    while (inner.pos < inner.len) {
      const [innerField] = inner.tag();
      if (innerField === 1) found.rejected = BigInt(inner.int64());
      else found.message = inner.string();
    }
  }
  return found;
}

const keysOf = (stored: StoredRecord[]) => stored.map((r) => ('point' in r ? r.point.key : ''));

describe('OTLP ingest', () => {
  it('stores delta counters, gauges and histograms under the keys Dynatrace gives them; full success is empty', () => {
    const { answer, stored } = ingest([
      sum('http.requests', DELTA, [point(5), point(2, 0, '/b')]),
      gauge('room.temperature', [point(21.5)]),
      histogram('http.latency'),
    ]);
    assert.deepEqual(answer, { status: 200, body: new Uint8Array(0) });
    assert.deepEqual(keysOf(stored), [
      'http.requests.count',
      'http.requests.count',
      'room.temperature',
      'http.latency.histogram',
    ]);
    const first = stored[0];
    assert.ok(first && 'point' in first);
    assert.deepEqual(first.point.dimensions, [['route', '/a']]);
    assert.equal(first.point.timestamp, NOW);
    const latency = stored[3];
    assert.ok(latency && 'point' in latency);
    assert.deepEqual(latency.point.stats, { min: 3, max: 11, sum: 21, count: 3 });
  });

  it('answers a partial success in Dynatrace’s words for a cumulative counter, and stores the rest', () => {
    const { answer, stored } = ingest([
      sum('jvm.class.unloaded', CUMULATIVE, [point(7), point(9, 0, '/b')]),
      gauge('room.temperature', [point(21.5)]),
    ]);
    assert.equal(answer.status, 200);
    assert.ok(answer.status === 200);
    assert.deepEqual(partialSuccess(answer.body), {
      rejected: 2n,
      message:
        "The following issues were encountered while ingesting OTLP metrics:\nErrors:\nUnsupported metric: 'jvm.class.unloaded' - Reason: UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM\n",
    });
    assert.deepEqual(keysOf(stored), ['room.temperature']);
  });

  it('counts a point the line rules refuse (too old) as rejected, with the tenant’s reason', () => {
    const { answer, stored } = ingest([gauge('room.temperature', [point(21.5), point(20, 2 * 3_600_000)])]);
    assert.ok(answer.status === 200);
    const partial = partialSuccess(answer.body);
    assert.equal(partial?.rejected, 1n);
    assert.match(partial?.message ?? '', /\nInvalid data point: 'room\.temperature' - Reason: invalid timestamp in/);
    assert.equal(stored.length, 1);
  });

  it('answers 400 when nothing in the request can be stored', () => {
    const { answer, stored } = ingest([sum('a.total', CUMULATIVE, [point(1)]), histogram('c.latency', CUMULATIVE)]);
    assert.equal(answer.status, 400);
    assert.ok(answer.status === 400);
    assert.equal(
      answer.message,
      "The following issues were encountered while ingesting OTLP metrics:\nErrors:\nUnsupported metric: 'a.total' - Reason: UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM\nUnsupported metric: 'c.latency' - Reason: UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM\n",
    );
    assert.deepEqual(stored, []);
  });

  it('names the points past the store’s series limit as rejected', () => {
    const { answer } = ingest(
      [gauge('room.temperature', [point(1, 0, '/a'), point(2, 0, '/b')])],
      new MetricStore({ maxSeries: 1 }),
    );
    assert.ok(answer.status === 200);
    assert.equal(partialSuccess(answer.body)?.rejected, 1n);
  });

  it('refuses a request of more than 15,000 data points whole, with 413', () => {
    const points = Array.from({ length: 15_001 }, (_, i) => point(i));
    const refused = checkOtlpIngest(request([gauge('many.points', points)]), NOW);
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok);
    assert.equal(refused.status, 413);
    assert.match(refused.message, /15,001 data points, more than the 15,000/);
    assert.ok(checkOtlpIngest(request([gauge('many.points', points.slice(1))]), NOW).ok);
  });

  it('answers an empty request with full success', () => {
    assert.deepEqual(ingest([]).answer, { status: 200, body: new Uint8Array(0) });
  });
});
