/**
 * How the local tenant answers a query without stalling (server/src/core/metrics/evaluate.ts): evaluateQuery pauses
 * after each slice of work, metricDataJson writes the answer piece by piece, and both give what queryMetrics gives
 * at once; metricDataCsv writes the same data points as the tenant's CSV table. A refused query reads nothing. Over a real MetricStore, its reads counted by a wrapper that passes them on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricStore } from '#core/metrics/store.ts';
import type { MetricSource, SeriesReader } from '#core/metrics/series.ts';
import type { MetricData } from '#core/metrics/api.ts';
import {
  CHUNK_CHARS,
  evaluateQuery,
  metricDataCsv,
  metricDataJson,
  queryMetrics,
  SLICE_SLOTS,
  type EvaluatedQuery,
  type QueryParams,
} from '#core/metrics/evaluate.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 15, 12, 0, 0);
const NOW = T0 + 10 * MINUTE;
const WINDOW = { from: String(T0), to: String(NOW), resolution: '1m' };

/** Gauges and counts with gaps, dimension values that JSON must escape, keys that are Object.prototype's names. */
function smallStore(): MetricStore {
  const store = new MetricStore();
  const add = (key: string, type: 'gauge' | 'count', dimensions: [string, string][], value: number, minute: number) =>
    store.add(
      {
        key,
        type,
        dimensions,
        stats: { min: value, max: value, sum: value, count: 1 },
        timestamp: T0 + minute * MINUTE + 1000,
      },
      NOW,
    );
  const hosts = ['a', 'b"quoted"', 'c\\back', 'ünï\u2028', '__proto__', 'constructor'];
  for (let minute = 0; minute < 10; minute++) {
    for (const [h, host] of hosts.entries()) {
      if ((minute + h) % 4 === 0) continue;
      add(
        'cpu',
        'gauge',
        [
          ['host', host],
          ['dc', h % 2 === 0 ? 'east' : 'west'],
        ],
        h * 10 + minute / 3,
        minute,
      );
    }
    add(
      'requests.count',
      'count',
      [
        ['__proto__', 'x'],
        ['host', hosts[minute % 3] as string],
      ],
      minute + 0.1,
      minute,
    );
  }
  return store;
}

const SELECTORS = [
  'cpu',
  'cpu:splitBy("dc")',
  'cpu:splitBy():avg',
  'cpu:splitBy("host"):max:fold(avg)',
  'cpu:fold',
  'cpu:avg:fold',
  'cpu:filter(and(prefix("host","c"),ne("dc","west"))):splitBy("host")',
  'cpu:filter(eq("zone","x"))',
  'cpu:merge("dc"):sort(value(avg,descending)):limit(3)',
  'cpu:sort(dimension("host",ascending))',
  'cpu:splitBy():default(0,always)',
  'cpu:filter(eq("host","nobody")):splitBy():default(7,always)',
  'cpu:default(-1)',
  'requests.count:splitBy("__proto__"):fold(sum)',
  'requests.count,cpu:splitBy("host")',
];

test('the JSON written piece by piece is, character for character, the body queryMetrics gives', () => {
  const store = smallStore();
  for (const metricSelector of SELECTORS) {
    for (const params of [WINDOW, { ...WINDOW, resolution: 'Inf' }, { ...WINDOW, resolution: '3m' }] as QueryParams[]) {
      const whole = queryMetrics(store, { metricSelector, ...params }, NOW);
      assert.equal(whole.status, 200, `${metricSelector}: ${JSON.stringify(whole.body)}`);
      const evaluated = finished(store, { metricSelector, ...params });
      assert.equal(streamed(evaluated), JSON.stringify(whole.body), `${metricSelector} ${params.resolution}`);
    }
  }
});

/** The rows of RFC 4180 text (CRLF line ends; no line breaks inside fields). */
function csvRows(text: string): string[][] {
  assert.ok(text === '' || text.endsWith('\r\n'), 'the last row ends with CRLF');
  return text
    .split('\r\n')
    .slice(0, -1)
    .map((row) =>
      [...row.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,"]*))/g)].map((m) =>
        m[1] !== undefined ? m[1].replaceAll('""', '"') : (m[2] as string),
      ),
    );
}

test('the CSV written piece by piece holds a row per data point of the JSON answer, with and without its header row', () => {
  const store = smallStore();
  const time = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');
  for (const metricSelector of SELECTORS) {
    for (const params of [WINDOW, { ...WINDOW, resolution: 'Inf' }] as QueryParams[]) {
      const data = queryMetrics(store, { metricSelector, ...params }, NOW).body as MetricData;
      const evaluated = finished(store, { metricSelector, ...params });
      const [header, ...rows] = csvRows([...metricDataCsv(evaluated, true)].join(''));
      assert.ok(header, metricSelector);
      assert.deepEqual([header[0], ...header.slice(-2)], ['metricId', 'time', 'value']);
      const keys = header.slice(1, -2);
      for (const key of new Set(data.result.flatMap((r) => r.data.flatMap((d) => Object.keys(d.dimensionMap)))))
        assert.ok(keys.includes(key), `${metricSelector}: no column ${key}`);
      const expected = data.result.flatMap((r) =>
        r.data.flatMap((d) =>
          d.timestamps.map((t, i) => [
            r.metricId,
            ...keys.map((k) => (Object.hasOwn(d.dimensionMap, k) ? d.dimensionMap[k] : '')),
            time(t),
            String(d.values[i] ?? ''),
          ]),
        ),
      );
      assert.deepEqual(rows, expected, `${metricSelector} ${params.resolution}`);
      assert.deepEqual(
        csvRows([...metricDataCsv(evaluated, false)].join('')),
        expected,
        `${metricSelector} without the header row`,
      );
    }
  }
});

test('a refusal is the same answer from evaluateQuery as from queryMetrics', () => {
  const store = smallStore();
  for (const params of [
    { metricSelector: 'cpu:filter(' },
    { metricSelector: 'nope' },
    { metricSelector: 'cpu:default(1,always)' },
    { metricSelector: 'cpu', resolution: '2:Inf' },
  ]) {
    const evaluated = drive(evaluateQuery(store, params, NOW)).result;
    assert.ok(!evaluated.ok, params.metricSelector);
    assert.deepEqual(evaluated.response, queryMetrics(store, params, NOW));
  }
});

/** A store of `series` gauges with a point in each of the last `minutes` minutes before NOW. */
function bigStore(series: number, minutes: number): MetricStore {
  const store = new MetricStore({ maxSeries: series });
  for (let s = 0; s < series; s++) {
    for (let m = 1; m <= minutes; m++) {
      store.add(
        {
          key: 'big',
          type: 'gauge',
          dimensions: [
            ['i', String(s)],
            ['group', String(s % 7)],
          ],
          stats: { min: s, max: s, sum: s, count: 1 },
          timestamp: NOW - m * MINUTE,
        },
        NOW,
      );
    }
  }
  return store;
}

/** The store, its series' reads counted in stored slots read (a read of `count` slots of `step` covers step / 1 min × count). */
function counted(store: MetricStore): { source: MetricSource; slotsRead: () => number } {
  let slots = 0;
  const count = (from: number, step: number, n: number) => (slots += (step / store.finestStep(from)) * n);
  const source: MetricSource = {
    metrics: () => store.metrics(),
    metric: (key) => store.metric(key),
    finestStep: (from) => store.finestStep(from),
    series: (key) =>
      [...store.series(key)].map(
        (reader): SeriesReader => ({
          dimensions: reader.dimensions,
          read: (from, step, n) => (count(from, step, n), reader.read(from, step, n)),
          readColumns: (from, step, n, into) => (count(from, step, n), reader.readColumns(from, step, n, into)),
        }),
      ),
  };
  return { source, slotsRead: () => slots };
}

/** Runs sliced work to its end; the most stored slots read between two pauses, and how many pauses. */
function drive<T>(
  work: Generator<unknown, T>,
  slotsRead = () => 0,
): { result: T; pauses: number; mostPerSlice: number } {
  let pauses = 0;
  let mostPerSlice = 0;
  let before = slotsRead();
  for (;;) {
    const step = work.next();
    mostPerSlice = Math.max(mostPerSlice, slotsRead() - before);
    before = slotsRead();
    if (step.done) return { result: step.value, pauses, mostPerSlice };
    pauses++;
  }
}

function finished(source: MetricSource, params: QueryParams): EvaluatedQuery {
  const evaluated = drive(evaluateQuery(source, params, NOW)).result;
  assert.ok(evaluated.ok, JSON.stringify(evaluated));
  return evaluated.value;
}

const streamed = (evaluated: EvaluatedQuery): string =>
  [...metricDataJson(evaluated)].filter((piece) => piece !== undefined).join('');

test('a big query pauses after each slice of work, evaluating and writing, and no slice reads much more than one', () => {
  const store = bigStore(2_000, 60);
  const { source, slotsRead } = counted(store);
  const params = {
    metricSelector: 'big:splitBy("i","group"):sort(value(max,descending))',
    from: String(NOW - 2 * 60 * MINUTE),
    to: String(NOW),
  };
  const evaluation = drive(evaluateQuery(source, params, NOW), slotsRead);
  const evaluated = evaluation.result;
  assert.ok(evaluated.ok);
  // Two reads of every series' 120 slots: whether it has a point, and its maximum for the sort.
  assert.equal(slotsRead(), 2 * 2_000 * 120);
  assert.ok(evaluation.pauses >= Math.floor(slotsRead() / SLICE_SLOTS), `${evaluation.pauses} pauses`);
  assert.ok(evaluation.mostPerSlice <= SLICE_SLOTS + 120, `${evaluation.mostPerSlice} slots read in one slice`);

  const before = slotsRead();
  const pieces: (string | undefined)[] = [];
  const writing = drive(
    (function* () {
      for (const piece of metricDataJson(evaluated.value)) {
        pieces.push(piece);
        yield;
      }
    })(),
    slotsRead,
  );
  assert.equal(slotsRead() - before, 2_000 * 120, 'each series read once more, as it is written');
  assert.ok(writing.mostPerSlice <= SLICE_SLOTS + 120);
  const texts = pieces.filter((piece): piece is string => piece !== undefined);
  assert.ok(texts.length > 10, `${texts.length} pieces`);
  const longestSeries = 20_000;
  assert.ok(Math.max(...texts.map((text) => text.length)) < CHUNK_CHARS + longestSeries);
  const data = JSON.parse(texts.join('')) as {
    totalCount: number;
    result: { data: { dimensionMap: { i: string }; values: (number | null)[] }[] }[];
  };
  assert.equal(data.totalCount, 2_000);
  // Sorted by their maximum, descending: series i holds the value i.
  assert.deepEqual(
    data.result[0]?.data.slice(0, 3).map((s) => s.dimensionMap.i),
    ['1999', '1998', '1997'],
  );
  assert.equal(data.result[0]?.data[0]?.values.filter((value) => value === 1999).length, 60);
});

test('past the limit of points read, a query is refused before anything is read', () => {
  const store = bigStore(2_300, 1);
  const { source, slotsRead } = counted(store);
  // A year at one-hour steps: 2,300 series × about 8,760 slots, more than 20,000,000.
  const params = {
    metricSelector: 'big:splitBy():sum,big:splitBy("i")',
    from: String(NOW - 365 * 24 * 60 * MINUTE),
    to: String(NOW),
    resolution: '1h',
  };
  const refused = drive(evaluateQuery(source, params, NOW));
  assert.ok(!refused.result.ok);
  assert.equal(refused.result.response.status, 400);
  assert.equal(refused.pauses, 0);
  assert.equal(slotsRead(), 0, 'neither metric of the selector was read');
  assert.match(
    JSON.stringify(refused.result.response.body),
    /big:splitBy\(\):sum would read 20,1\d\d,\d{3} stored data points \(2,300 series × 8,7\d\d slots of 1h\)/,
  );
});

test('filters the chain starts with run before reading: what they drop is neither read nor counted against the limit', () => {
  const store = bigStore(2_300, 1);
  const { source, slotsRead } = counted(store);
  const params = {
    metricSelector: 'big:filter(eq("group","3")):splitBy("i")',
    from: String(NOW - 365 * 24 * 60 * MINUTE),
    to: String(NOW),
    resolution: '1h',
  };
  const evaluated = finished(source, params);
  const groupSize = Math.ceil((2_300 - 3) / 7);
  assert.equal(evaluated.totalCount, groupSize);
  const perSeries = slotsRead() / groupSize;
  assert.ok(Number.isInteger(perSeries) && perSeries > 8_700 && perSeries < 8_800, `${perSeries} slots per series`);
  assert.ok(
    Math.abs((evaluated.collections[0]?.head.dataPointCountRatio ?? 0) - (groupSize * perSeries) / 20_000_000) < 1e-12,
  );
});
