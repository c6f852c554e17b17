/**
 * One place tells a Metrics API v2 answer from a v1 timeseries result (core/metrics/result-model.ts): the CLI and the
 * editor after a query (resultModel), the HTTP client before it accepts a 200 (isMetricData, isV1Result), the
 * editor reading a saved result back (readResult). Each case: a body, which API it is from (or why it is none), and
 * the series the model makes of it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMetricData, isV1Result, readResult, resultModel } from '#core/metrics/result-model.ts';

const V2 = {
  totalCount: 1,
  nextPageKey: null,
  resolution: '1m',
  result: [
    {
      metricId: 'cpu.load',
      data: [{ dimensions: ['a'], dimensionMap: { host: 'a' }, timestamps: [60_000, 120_000], values: [1, null] }],
    },
  ],
};
const V1 = {
  result: {
    timeseriesId: 'cpu.load',
    unit: 'Percent',
    resolutionInMillisUTC: 60_000,
    aggregationType: 'AVG',
    dataPoints: {
      a: [
        [0, 1],
        [60_000, null],
      ],
    },
    entities: { a: 'a' },
  },
};
/** What either body becomes: v1's slot starts moved to slot ends, its key the `series` dimension. */
const series = (dimensionMap: Record<string, string>) => [
  { metricId: 'cpu.load', dimensionMap, timestamps: [60_000, 120_000], values: [1, null] },
];

const CASES: { why: string; body: unknown; api: 'v2' | 'v1' | null; series?: unknown; message?: RegExp }[] = [
  { why: 'a Metrics API v2 answer', body: V2, api: 'v2', series: series({ host: 'a' }) },
  { why: 'a v1 timeseries result', body: V1, api: 'v1', series: series({ series: 'a' }) },
  { why: 'v2 with no series', body: { resolution: 'Inf', result: [] }, api: 'v2', series: [] },
  {
    why: 'v2 without data points in a result',
    body: { resolution: '1m', result: [{ metricId: 'x' }] },
    api: null,
    message: /^neither a Metrics API v2 response/,
  },
  { why: 'v2 without a resolution', body: { result: [] }, api: null, message: /^neither/ },
  { why: 'v1 without its resolution', body: { result: { dataPoints: {} } }, api: null, message: /^neither/ },
  {
    why: 'v1 with dataPoints null',
    body: { result: { dataPoints: null, resolutionInMillisUTC: 60_000 } },
    api: null,
    message: /^neither/,
  },
  {
    why: 'an ErrorEnvelope',
    body: { error: { code: 400, message: 'Constraints violated.' } },
    api: null,
    message: /^neither/,
  },
  { why: 'null', body: null, api: null, message: /^neither/ },
];

describe('which API a result is from', () => {
  for (const c of CASES) {
    it(c.why, () => {
      assert.equal(isMetricData(c.body), c.api === 'v2');
      assert.equal(isV1Result(c.body), c.api === 'v1');
      const read = readResult(JSON.stringify(c.body));
      if (c.api === null) {
        assert.ok(!read.ok);
        assert.match(read.message, c.message as RegExp);
        return;
      }
      assert.ok(read.ok, read.ok ? '' : read.message);
      const model = resultModel(c.body as Parameters<typeof resultModel>[0]);
      assert.deepEqual(read.value, model, 'read back as the answer was read');
      assert.deepEqual(
        model.series.map(({ summary: _, ...s }) => s),
        c.series,
      );
    });
  }

  it('a text that is not JSON says so', () => {
    const read = readResult('{"resolution":');
    assert.ok(!read.ok);
    assert.match(read.message, /^not JSON: /);
  });
});
