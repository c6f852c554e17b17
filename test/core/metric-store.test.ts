/**
 * The local tenant's store (server/src/core/metrics/store.ts): slots merge exactly, recent data reads at one
 * minute, older data at one hour, data past the retention is gone, series are one per tuple whatever the order of
 * its pairs, and the series limit holds. That memory does not grow with the amount of data:
 * store-memory.slow.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricStore, type StoredPoint } from '#core/metrics/store.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** 2026-11-23T00:00:00Z, a whole hour. */
const T0 = 1_795_392_000_000;

const point = (timestamp: number, value: number, dimensions: [string, string][] = [['host', 'a']]): StoredPoint => ({
  key: 'store.test',
  type: 'gauge',
  dimensions,
  stats: { min: value, max: value, sum: value, count: 1 },
  timestamp,
});

test('points in one slot merge exactly; a read at a coarser step merges slots', () => {
  const store = new MetricStore();
  store.add(point(T0 + 1_000, 4), T0);
  store.add(point(T0 + 59_000, 10), T0);
  store.add(point(T0 + MINUTE + 5_000, 1), T0);
  const [series] = [...store.series('store.test')];
  assert.ok(series);
  assert.deepEqual(series.read(T0, MINUTE, 3), [
    { min: 4, max: 10, sum: 14, count: 2 },
    { min: 1, max: 1, sum: 1, count: 1 },
    null,
  ]);
  assert.deepEqual(series.read(T0, 5 * MINUTE, 1), [{ min: 1, max: 10, sum: 15, count: 3 }]);
  assert.deepEqual(
    series.read(T0, HOUR, 1),
    [{ min: 1, max: 10, sum: 15, count: 3 }],
    'the hour ring holds the same points',
  );
});

test('the recent window reads at one minute, older data at one hour, and past eight days nothing is kept', () => {
  const store = new MetricStore();
  for (let m = 0; m < 9 * 24 * 60; m += 10) store.add(point(T0 + m * MINUTE, m), T0 + m * MINUTE);
  const end = T0 + 9 * 24 * HOUR;
  assert.equal(store.finestStep(end - HOUR), MINUTE);
  assert.equal(store.finestStep(end - 3 * HOUR), HOUR, 'older than the 144-minute window: hours');
  const [series] = [...store.series('store.test')];
  assert.ok(series);
  assert.deepEqual(series.read(T0, HOUR, 1), [null], 'nine days back is past the eight-day retention');
  const day8 = T0 + 8 * 24 * HOUR;
  assert.deepEqual(series.read(day8, HOUR, 1), [{ min: 11_520, max: 11_570, sum: 6 * 11_545, count: 6 }]);
  assert.deepEqual(series.read(end - 20 * MINUTE, MINUTE, 1), [{ min: 12_940, max: 12_940, sum: 12_940, count: 1 }]);
});

test('one series per tuple whatever the order of its pairs; metadata is taken once', () => {
  const store = new MetricStore();
  store.add(
    point(T0, 1, [
      ['a', '1'],
      ['b', '2'],
    ]),
    T0,
  );
  store.add(
    point(T0, 2, [
      ['b', '2'],
      ['a', '1'],
    ]),
    T0,
  );
  store.add(point(T0, 3, [['a', '1']]), T0);
  assert.equal(store.size.series, 2);
  store.setMetadata('store.test', 'gauge', { unit: 'Byte' }, T0);
  store.setMetadata('store.test', 'gauge', { unit: 'Second', displayName: 'later' }, T0);
  assert.equal(store.metric('store.test')?.unit, 'Byte');
  assert.equal(store.metric('store.test')?.displayName, null);
  assert.deepEqual(store.metric('store.test')?.dimensionKeys, ['a', 'b']);
});

test('past the series limit a new tuple is refused (and no metric made for it), known ones still stored', () => {
  const store = new MetricStore({ maxSeries: 2 });
  assert.equal(store.add(point(T0, 1, [['h', '1']]), T0), 'stored');
  assert.equal(store.add(point(T0, 1, [['h', '2']]), T0), 'stored');
  assert.equal(store.add(point(T0, 1, [['h', '3']]), T0), 'series-limit');
  assert.equal(store.add({ ...point(T0, 1), key: 'store.other' }, T0), 'series-limit');
  assert.equal(store.metric('store.other'), undefined);
  assert.equal(store.add(point(T0 + MINUTE, 1, [['h', '1']]), T0), 'stored');
  assert.equal(store.size.series, 2);
});

test('dimension keys named like object members are kept; a repeated key keeps its first value, one series', () => {
  const store = new MetricStore();
  store.add(
    point(T0, 1, [
      ['constructor', 'x'],
      ['__proto__', 'y'],
      ['host', 'a'],
    ]),
    T0,
  );
  const [series] = [...store.series('store.test')];
  assert.deepEqual(Object.entries(series?.dimensions ?? {}), [
    ['constructor', 'x'],
    ['__proto__', 'y'],
    ['host', 'a'],
  ]);
  store.add(
    point(T0, 1, [
      ['a', '1'],
      ['a', '2'],
    ]),
    T0,
  );
  store.add(
    point(T0, 1, [
      ['a', '1'],
      ['a', '3'],
    ]),
    T0,
  );
  assert.equal(store.size.series, 2);
  store.add(point(T0, 1, [['v', '"q"']]), T0);
  store.add(point(T0, 1, [['v', 'q']]), T0);
  assert.equal(store.size.series, 4, 'a value in quotes is not the value without');
});
