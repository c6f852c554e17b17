/**
 * What the local tenant's data file holds, read back (server/src/core/metrics/persisted.ts) and put back
 * (store.ts): every record of the wrong shape or from beyond any clock error is damage, what has aged is dropped,
 * and the rest is kept exactly; the store's limits hold for records admitted, applied and restored alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchValue, readBatch, readMetricSnapshot, readSeriesSnapshot, readWindow } from '#core/metrics/persisted.ts';
import { MetricStore, type StoredPoint } from '#core/metrics/store.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** 2026-11-23T00:30:00Z: half past a whole hour. */
const NOW = 1_795_392_000_000 + 30 * MINUTE;
const store = new MetricStore();
const window = readWindow(NOW, store);

const point = (timestamp: number, dimensions: [string, string][] = [['host', 'a']]): StoredPoint => ({
  key: 'p.k',
  type: 'gauge',
  dimensions,
  stats: { min: 1, max: 2, sum: 3, count: 2 },
  timestamp,
});

test('the window: aged before a whole hour eight days back, damaged a day ahead (a clock stepped back loses nothing)', () => {
  assert.equal(window.since, NOW - 30 * MINUTE - 8 * 24 * HOUR);
  assert.equal(window.until, NOW + 24 * HOUR);
});

test('a batch written and read back is the same records', () => {
  const records = [
    { at: NOW, point: point(NOW - MINUTE) },
    { at: NOW, metadata: { key: 'p.k', type: 'gauge' as const, unit: 'Byte' } },
  ];
  const read = readBatch(JSON.parse(JSON.stringify(batchValue(NOW, records))), window);
  assert.deepEqual(read, { value: records, damaged: [], aged: 0 });
});

const CASES: { name: string; batch: unknown; kept: number; damaged: RegExp[]; aged?: number }[] = [
  { name: 'not an object', batch: null, kept: 0, damaged: [/a batch of the wrong shape/] },
  {
    name: 'written in the future',
    batch: { at: NOW + 2 * 24 * HOUR, records: [] },
    kept: 0,
    damaged: [/a batch written in the future/],
  },
  {
    name: 'a point two hours ahead (a clock stepped back): kept',
    batch: batchValue(NOW, [{ at: NOW, point: point(NOW + 2 * HOUR) }]),
    kept: 1,
    damaged: [],
  },
  {
    name: 'a point with a flipped first digit',
    batch: batchValue(NOW, [{ at: NOW, point: point(9_795_392_000_000) }]),
    kept: 0,
    damaged: [/a point from the future \(2280-/],
  },
  {
    name: 'a point older than the store keeps',
    batch: batchValue(NOW, [{ at: NOW, point: point(NOW - 9 * 24 * HOUR) }]),
    kept: 0,
    damaged: [],
    aged: 1,
  },
  {
    name: 'null dimensions, a null number, too few values, a bad type',
    batch: {
      at: NOW,
      records: [
        ['p.k', 'gauge', [null, 'x'], 1, 1, 1, 1, NOW],
        ['p.k', 'gauge', [], null, 1, 1, 1, NOW],
        ['p.k', 'gauge', []],
        ['p.k', 'sum', [], 1, 1, 1, 1, NOW],
      ],
    },
    kept: 0,
    damaged: [/wrong shape/, /wrong shape/, /wrong shape/, /wrong shape/],
  },
  {
    name: 'min above max, a negative count',
    batch: {
      at: NOW,
      records: [
        ['p.k', 'gauge', [], 2, 1, 3, 2, NOW],
        ['p.k', 'gauge', [], 1, 1, 1, -1, NOW],
      ],
    },
    kept: 0,
    damaged: [/wrong shape/, /wrong shape/],
  },
  {
    name: 'metadata with a number for a unit',
    batch: { at: NOW, records: [{ key: 'p.k', type: 'gauge', unit: 5 }] },
    kept: 0,
    damaged: [/wrong shape/],
  },
];

for (const c of CASES) {
  test(`a batch: ${c.name}`, () => {
    const read = readBatch(c.batch, window);
    assert.equal(read.value.length, c.kept);
    assert.equal(read.damaged.length, c.damaged.length, read.damaged.join('; '));
    c.damaged.forEach((pattern, i) => assert.match(read.damaged[i] as string, pattern));
    assert.equal(read.aged, c.aged ?? 0);
  });
}

test('a metric whose times lie beyond the window is damaged', () => {
  const metric = {
    key: 'p.k',
    type: 'gauge',
    displayName: null,
    description: null,
    unit: null,
    dimensionKeys: [],
    created: NOW,
    lastWritten: NOW,
    hasMetadata: false,
  };
  assert.ok(readMetricSnapshot(metric, window));
  assert.equal(readMetricSnapshot({ ...metric, lastWritten: NOW + 2 * 24 * HOUR }, window), null);
});

test('slots: aged dropped, damaged reported, an overflowed sum kept, good ones kept in place', () => {
  const head = { key: 'p.k', type: 'gauge', dimensions: [['host', 'a']] };
  const slot = (n: number, sum = 3) => [n, 1, 2, sum, 2];
  const hour = Math.floor(NOW / HOUR);
  const coarse = new Float64Array([
    ...slot(hour - 9 * 24),
    ...slot(hour, Infinity),
    ...slot(hour - 1, NaN),
    ...slot(hour + 48),
    ...slot(hour - 2),
  ]);
  const fine = new Float64Array(slot(Math.floor(NOW / MINUTE)));
  const read = readSeriesSnapshot(head, fine, coarse, { fine: MINUTE, coarse: HOUR }, window);
  assert.ok(read);
  assert.equal(read.value.fine, fine, 'nothing left out: the same array');
  assert.deepEqual([...read.value.coarse], [...slot(hour, Infinity), ...slot(hour - 2)]);
  assert.equal(read.aged, 1);
  assert.equal(read.damaged.length, 2);
  assert.match(read.damaged[0] as string, /a slot of the wrong shape/);
  assert.match(read.damaged[1] as string, /a slot from the future/);
});

test('a snapshot restored holds what the store held', () => {
  const original = new MetricStore();
  for (let m = 0; m < 200; m++) original.add(point(NOW - m * MINUTE, [['host', `h${m % 3}`]]), NOW);
  const copy = new MetricStore();
  for (const metric of original.metricSnapshots()) copy.restoreMetric(metric);
  for (const series of original.seriesSnapshots(window.since)) copy.restoreSeries(series, NOW);
  assert.deepEqual([...copy.seriesSnapshots(window.since)], [...original.seriesSnapshots(window.since)]);
  assert.deepEqual(copy.metricSnapshots(), original.metricSnapshots());
  assert.equal(copy.finestStep(NOW - HOUR), MINUTE, 'the fine window ends where the newest point is');
});

test('admission: new metrics and series count once against their limits, in order; add and setMetadata refuse alike', () => {
  const small = new MetricStore({ maxSeries: 3, maxMetrics: 2 });
  small.add({ ...point(NOW), key: 'a.k' }, NOW);
  const targets = [
    { key: 'a.k', type: 'gauge' as const, dimensions: [['host', 'b']] as [string, string][] },
    { key: 'a.k', type: 'gauge' as const, dimensions: [['host', 'b']] as [string, string][] },
    { key: 'b.k', type: 'gauge' as const },
    { key: 'c.k', type: 'gauge' as const },
    { key: 'b.k', type: 'gauge' as const, dimensions: [['host', 'c']] as [string, string][] },
    { key: 'a.k', type: 'gauge' as const, dimensions: [['host', 'd']] as [string, string][] },
  ];
  assert.deepEqual(small.admits(targets), [null, null, null, 'metric-limit', null, 'series-limit']);
  assert.equal(small.add({ ...point(NOW), key: 'a.k', dimensions: [['host', 'b']] }, NOW), 'stored');
  assert.equal(small.setMetadata('b.k', 'gauge', {}, NOW), 'stored');
  assert.equal(small.setMetadata('c.k', 'gauge', {}, NOW), 'metric-limit');
  assert.equal(small.add({ ...point(NOW), key: 'b.k', dimensions: [['host', 'c']] }, NOW), 'stored');
  assert.equal(small.add({ ...point(NOW), key: 'a.k', dimensions: [['host', 'd']] }, NOW), 'series-limit');
});

test('prune forgets series that have aged entirely, and metrics left with neither series nor metadata', () => {
  const aging = new MetricStore({ maxSeries: 2 });
  aging.add({ ...point(NOW - 9 * 24 * HOUR), key: 'old.k' }, NOW);
  aging.add({ ...point(NOW), key: 'new.k' }, NOW);
  aging.setMetadata('described.k', 'gauge', { unit: 'Byte' }, NOW);
  aging.prune(window.since);
  assert.deepEqual(aging.size, { metrics: 2, series: 1 });
  assert.equal(aging.metric('old.k'), undefined);
  assert.equal(
    aging.add({ ...point(NOW), key: 'other.k' }, NOW),
    'stored',
    'the freed place under --max-series is taken',
  );
});
