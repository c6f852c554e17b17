/**
 * What the results panel's chart is given (client/src/query/model.ts): the time axis fitted to the data, where a
 * series' line runs and which points are markers, the legend's short labels and shared keys, and the table's
 * decimals per column.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chartData, fitTimeAxis, lineShape, tableDecimals } from '#client/query/model.ts';
import { resultModel } from '#core/metrics/result-model.ts';

const MINUTE = 60_000;
const T = 1_760_000_000_000;
/** `n` one-minute slot ends from T. */
const slots = (n: number) => Array.from({ length: n }, (_, i) => T + i * MINUTE);
/** `n` values, null except at `at` (index → value). */
const sparse = (n: number, at: Record<number, number>) => Array.from({ length: n }, (_, i) => at[i] ?? null);

describe('fitTimeAxis: the axis spans the data, with a little room', () => {
  // why, axis, series' values → first and last time of the fitted axis, and its length
  const CASES: {
    why: string;
    axis: number[];
    values: (number | null)[][];
    from: number;
    to: number;
    length: number;
  }[] = [
    {
      why: 'one value at the end of a 2-hour axis: a 10-minute window around it',
      axis: slots(120),
      values: [sparse(120, { 119: 5 })],
      from: T + 119 * MINUTE - 5 * MINUTE,
      to: T + 119 * MINUTE + 5 * MINUTE,
      length: 3,
    },
    {
      why: 'ten minutes of values in two hours: those minutes, half a slot either side',
      axis: slots(120),
      values: [sparse(120, { 100: 1, 105: 2 }), sparse(120, { 110: 3 })],
      from: T + 100 * MINUTE - MINUTE / 2,
      to: T + 110 * MINUTE + MINUTE / 2,
      length: 13,
    },
    {
      why: 'values over the whole axis: 4% of the span either side',
      axis: slots(101),
      values: [sparse(101, { 0: 1, 100: 2 })],
      from: T - 4 * MINUTE,
      to: T + 104 * MINUTE,
      length: 103,
    },
    {
      why: 'one slot only (resolution Inf): a 10-minute window, a minute taken for a slot',
      axis: [T],
      values: [[7]],
      from: T - 5 * MINUTE,
      to: T + 5 * MINUTE,
      length: 3,
    },
    {
      why: 'a 1-hour resolution: ten slots around a single value',
      axis: [T, T + 60 * MINUTE, T + 120 * MINUTE],
      values: [[null, 4, null]],
      from: T + 60 * MINUTE - 300 * MINUTE,
      to: T + 60 * MINUTE + 300 * MINUTE,
      length: 3,
    },
    {
      why: 'no value: the axis as it is',
      axis: slots(5),
      values: [sparse(5, {})],
      from: T,
      to: T + 4 * MINUTE,
      length: 5,
    },
  ];
  for (const c of CASES)
    it(c.why, () => {
      const fitted = fitTimeAxis(c.axis, c.values);
      assert.deepEqual(
        [fitted.timestamps[0], fitted.timestamps.at(-1), fitted.timestamps.length],
        [c.from, c.to, c.length],
      );
      for (const values of fitted.values) assert.equal(values.length, fitted.timestamps.length);
      // The values stay at their times.
      c.values.forEach((values, s) =>
        values.forEach((v, i) => {
          if (v === null) return;
          const at = fitted.timestamps.indexOf(c.axis[i] as number);
          assert.equal(fitted.values[s]?.[at], v);
        }),
      );
    });
});

describe('lineShape: a line bridges the usual step, points no line reaches are markers', () => {
  // why, values on one-minute slots → the longest bridged pause (minutes), marker indexes
  const CASES: { why: string; values: (number | null)[]; bridge: number; markers: number[] }[] = [
    { why: 'a value each minute: a line', values: [1, 2, 3, 4], bridge: 1.5, markers: [] },
    { why: 'a single point: a marker', values: [null, 5, null], bridge: 0, markers: [1] },
    {
      why: 'a value every 5 minutes, queried by the minute: still a line',
      values: sparse(16, { 0: 1, 5: 2, 10: 3, 15: 4 }),
      bridge: 7.5,
      markers: [],
    },
    {
      why: 'a minute series, a pause of 16 minutes, then one value: a gap and a marker after it',
      values: sparse(21, { 0: 1, 1: 2, 2: 3, 3: 4, 19: 5 }),
      bridge: 1.5,
      markers: [19],
    },
    {
      why: 'a lone value between two runs: a marker',
      values: sparse(12, { 0: 1, 1: 1, 2: 1, 6: 9, 10: 1, 11: 1 }),
      bridge: 1.5,
      markers: [6],
    },
    {
      why: 'two values an hour apart: one line between them',
      values: sparse(61, { 0: 1, 60: 2 }),
      bridge: 90,
      markers: [],
    },
    { why: 'no value', values: [null, null], bridge: 0, markers: [] },
  ];
  for (const c of CASES)
    it(c.why, () => {
      const shape = lineShape(slots(c.values.length), c.values);
      assert.deepEqual([shape.bridgeMs / MINUTE, shape.markers], [c.bridge, c.markers]);
    });
});

describe('chartData and tableDecimals over a result', () => {
  const result = resultModel({
    totalCount: 3,
    nextPageKey: null,
    resolution: '1m',
    result: [
      {
        metricId: 'http.server.request.duration',
        dataPointCountRatio: 0,
        dimensionCountRatio: 0,
        data: [
          {
            dimensions: ['checkout', '/api/v1/cart/{id}', 'GET'],
            dimensionMap: { service: 'checkout', endpoint: '/api/v1/cart/{id}', method: 'GET' },
            timestamps: slots(120),
            values: sparse(120, { 117: 42.7949, 118: 40.5, 119: 44.25 }),
          },
          {
            dimensions: ['payments', '/api/v1/refunds', 'POST'],
            dimensionMap: { service: 'payments', endpoint: '/api/v1/refunds', method: 'POST' },
            timestamps: slots(120),
            values: sparse(120, { 118: 640.2 }),
          },
          {
            dimensions: ['catalog', '/api/v1/products', 'GET'],
            dimensionMap: { service: 'catalog', endpoint: '/api/v1/products', method: 'GET' },
            timestamps: slots(120),
            values: sparse(120, {}),
          },
        ],
      },
    ],
  });

  it('ranks, labels and fits the charted series; the legend names the shared keys once', () => {
    const chart = chartData(result, 'max', 20);
    assert.deepEqual(
      chart.series.map((s) => [s.short, s.label, s.markers]),
      [
        ['payments · /api/v1/refunds · POST', 'service=payments, endpoint=/api/v1/refunds, method=POST', [2]],
        ['checkout · /api/v1/cart/{id} · GET', 'service=checkout, endpoint=/api/v1/cart/{id}, method=GET', []],
      ],
    );
    assert.deepEqual(chart.keys, ['service', 'endpoint', 'method']);
    // Slots 117–119 with half a slot either side, not the two hours asked for.
    assert.deepEqual(
      [chart.timestamps.length, chart.timestamps[0], chart.timestamps.at(-1)],
      [5, T + 116.5 * MINUTE, T + 119.5 * MINUTE],
    );
    assert.equal(chart.decimals, 1);
    assert.deepEqual([chart.total, chart.empty], [3, 1]);
  });

  it('one number of decimals a column of the table', () => {
    assert.deepEqual(tableDecimals(result), { last: 1, min: 1, max: 1, avg: 1 });
  });
});
