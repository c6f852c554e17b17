/**
 * The local tenant's store (server/src/core/metrics/store.ts) keeps memory fixed per series: a week of data costs what
 * a day does. Measured on this process's heap after a forced collection, so it runs in the slow lane.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MetricStore, type StoredPoint } from '#core/metrics/store.ts';

const MINUTE = 60_000;
/** 2026-11-23T00:00:00Z, a whole hour. */
const T0 = 1_795_392_000_000;

const point = (timestamp: number, value: number, dimensions: [string, string][]): StoredPoint => ({
  key: 'store.test',
  type: 'gauge',
  dimensions,
  stats: { min: value, max: value, sum: value, count: 1 },
  timestamp,
});

test('memory does not grow with data: a week at one point a minute costs what one day does', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heap = () => {
    gc();
    gc();
    // The rings are typed arrays, whose bytes live outside the JS heap: count both.
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  const SERIES = 300;
  const base = heap();
  const store = new MetricStore();
  const fill = (fromMinute: number, toMinute: number) => {
    for (let m = fromMinute; m < toMinute; m++) {
      const t = T0 + m * MINUTE;
      for (let s = 0; s < SERIES; s++) store.add(point(t, m, [['series', String(s)]]), t);
    }
  };
  fill(0, 24 * 60);
  const oneDay = heap() - base;
  fill(24 * 60, 7 * 24 * 60);
  const oneWeek = heap() - base;
  assert.ok(oneWeek < oneDay * 1.05 + 512 * 1024, `a week took ${oneWeek} bytes, a day ${oneDay}`);
  assert.ok(oneWeek / SERIES < 16 * 1024, `${Math.round(oneWeek / SERIES)} bytes per series`);
});
