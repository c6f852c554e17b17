/**
 * The query side of the local tenant (server/src/core/metrics/evaluate.ts, list.ts, v1.ts) over a real MetricStore, on data whose
 * answers are worked out by hand below.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricStore } from '#core/metrics/store.ts';
import type { ErrorEnvelope, MetricData, MetricDescriptor, MetricList, V1TimeseriesResult } from '#core/metrics/api.ts';
import { queryMetrics, type QueryParams } from '#core/metrics/evaluate.ts';
import { describeMetric, listMetrics, type ListParams } from '#core/metrics/list.ts';
import type { ApiResponse } from '#core/metrics/response.ts';
import { v1Timeseries } from '#core/metrics/v1.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Monday 2024-01-15 12:00 UTC: the data lies in the ten minutes after it. */
const T0 = Date.UTC(2024, 0, 15, 12, 0, 0);
const NOW = T0 + 10 * MINUTE;

/**
 * `cpu` (gauge, one point a minute, 1 s into the minute i = 0..9):
 *   host a, dc east: 10 + i
 *   host b, dc east: 20 + i, but no point at i = 5
 *   host c, dc west: 30 + i
 * `requests.count` (count): host a: deltas 3 and 4 in minute 0, 5 in minute 1; host b: 10 in minute 0.
 * `disk` (gauge): hosts h10, h1, h9 (in that order), 1 each in minute 0.
 */
function fixture(): MetricStore {
  const store = new MetricStore();
  const gauge = (key: string, dimensions: [string, string][], value: number, at: number) =>
    store.add(
      { key, type: 'gauge', dimensions, stats: { min: value, max: value, sum: value, count: 1 }, timestamp: at },
      NOW,
    );
  const delta = (host: string, value: number, at: number) =>
    store.add(
      {
        key: 'requests.count',
        type: 'count',
        dimensions: [['host', host]],
        stats: { min: value, max: value, sum: value, count: 1 },
        timestamp: at,
      },
      NOW,
    );
  for (let i = 0; i < 10; i++) {
    const at = T0 + i * MINUTE + 1000;
    gauge(
      'cpu',
      [
        ['host', 'a'],
        ['dc', 'east'],
      ],
      10 + i,
      at,
    );
    if (i !== 5)
      gauge(
        'cpu',
        [
          ['host', 'b'],
          ['dc', 'east'],
        ],
        20 + i,
        at,
      );
    gauge(
      'cpu',
      [
        ['host', 'c'],
        ['dc', 'west'],
      ],
      30 + i,
      at,
    );
  }
  store.setMetadata(
    'cpu',
    'gauge',
    { displayName: 'CPU usage', unit: 'Percent', description: 'Share of CPU time in use' },
    NOW,
  );
  delta('a', 3, T0 + 1000);
  delta('a', 4, T0 + 2000);
  delta('a', 5, T0 + MINUTE + 1000);
  delta('b', 10, T0 + 3000);
  for (const host of ['h10', 'h1', 'h9']) gauge('disk', [['host', host]], 1, T0 + 1000);
  return store;
}

const store = fixture();
const range = (n: number, f: (i: number) => number | null) => Array.from({ length: n }, (_, i) => f(i));
/** Slot ends of the ten one-minute slots after T0. */
const MINUTE_ENDS = range(10, (i) => T0 + (i + 1) * MINUTE);

function query(metricSelector: string, params: QueryParams = {}, source = store): MetricData {
  const response = queryMetrics(
    source,
    { metricSelector, from: String(T0), to: String(T0 + 10 * MINUTE), resolution: '1m', ...params },
    NOW,
  );
  assert.equal(response.status, 200, `${metricSelector}: ${JSON.stringify(response.body)}`);
  return response.body as MetricData;
}

/** The one result's series as [dimensionMap, values]. */
function series(metricSelector: string, params: QueryParams = {}): [Record<string, string>, (number | null)[]][] {
  const body = query(metricSelector, params);
  assert.equal(body.result.length, 1);
  return body.result[0]?.data.map((s) => [s.dimensionMap, s.values]) ?? [];
}

const hosts = (metricSelector: string, params: QueryParams = {}) =>
  series(metricSelector, params).map(([dimensions]) => dimensions.host);

test('no transformation: one series per tuple, default avg per slot, null where a slot has no point', () => {
  const body = query('cpu');
  assert.equal(body.resolution, '1m');
  assert.equal(body.nextPageKey, null);
  assert.equal(body.totalCount, 3);
  const result = body.result[0];
  assert.equal(result?.metricId, 'cpu');
  assert.equal(result?.dimensionCountRatio, 3 / 100_000);
  assert.equal(result?.dataPointCountRatio, 30 / 20_000_000);
  assert.deepEqual(result?.data, [
    {
      dimensions: ['a', 'east'],
      dimensionMap: { host: 'a', dc: 'east' },
      timestamps: MINUTE_ENDS,
      values: range(10, (i) => 10 + i),
    },
    {
      dimensions: ['b', 'east'],
      dimensionMap: { host: 'b', dc: 'east' },
      timestamps: MINUTE_ENDS,
      values: range(10, (i) => (i === 5 ? null : 20 + i)),
    },
    {
      dimensions: ['c', 'west'],
      dimensionMap: { host: 'c', dc: 'west' },
      timestamps: MINUTE_ENDS,
      values: range(10, (i) => 30 + i),
    },
  ]);
});

test('filter: each condition and their combinations keep the right series', () => {
  const cases: [string, string[]][] = [
    ['eq("host","a")', ['a']],
    ['eq(host,a)', ['a']],
    ['ne("host","a")', ['b', 'c']],
    ['prefix("dc","ea")', ['a', 'b']],
    ['suffix("dc","est")', ['c']],
    ['contains("host","b")', ['b']],
    ['in("host","a","c")', ['a', 'c']],
    ['existsKey("dc")', ['a', 'b', 'c']],
    ['existsKey("zone")', []],
    ['ne("zone","x")', ['a', 'b', 'c']], // the reverse of eq: series without the key pass
    ['and(eq("dc","east"),ne("host","a"))', ['b']],
    ['or(eq("host","a"),eq("host","c"))', ['a', 'c']],
    ['not(eq("dc","east"))', ['c']],
    ['not(or(eq("host","a"),and(eq("dc","east"),prefix("host","b"))))', ['c']],
    ['eq("dc","east"),ne("host","b")', ['a']], // several conditions: all must hold
  ];
  for (const [conditions, expected] of cases)
    assert.deepEqual(hosts(`cpu:filter(${conditions})`), expected, conditions);
});

test('a filter on a key the metric lacks warns in the words of a real tenant', () => {
  const body = query('cpu:filter(eq("zone","x"))');
  const warning = 'The dimension key `zone` has been referenced, but the metric has no such key.';
  assert.deepEqual(body.result[0]?.data, []);
  assert.deepEqual(body.result[0]?.warnings, [warning]);
  assert.deepEqual(body.warnings, [warning]);
  assert.equal(query('cpu:filter(eq("host","a"))').warnings, undefined);
});

test('splitBy merges the slot statistics of the series it joins exactly', () => {
  assert.deepEqual(series('cpu:splitBy("dc")'), [
    // east: a and b; at i = 5 only a
    [{ dc: 'east' }, range(10, (i) => (i === 5 ? 15 : 15 + i))],
    [{ dc: 'west' }, range(10, (i) => 30 + i)],
  ]);
  assert.deepEqual(series('cpu:splitBy():sum'), [[{}, range(10, (i) => (i === 5 ? 15 + 35 : 60 + 3 * i))]]);
  assert.deepEqual(series('cpu:splitBy():count'), [[{}, range(10, (i) => (i === 5 ? 2 : 3))]]);
  assert.deepEqual(series('cpu:splitBy():min'), [[{}, range(10, (i) => 10 + i)]]);
  assert.deepEqual(series('cpu:splitBy():max'), [[{}, range(10, (i) => 30 + i)]]);
  assert.deepEqual(
    series('cpu:splitBy("dc","host"):fold').map(([d]) => d),
    [
      { dc: 'east', host: 'a' },
      { dc: 'east', host: 'b' },
      { dc: 'west', host: 'c' },
    ],
  );
  const split = query('cpu:splitBy("dc")').result[0]?.data[0];
  assert.deepEqual(split?.dimensions, ['east']);
  assert.deepEqual(series('cpu:splitBy("zone")'), []); // only series with every split key take part
});

test('merge drops the named dimensions and merges what then coincides', () => {
  assert.deepEqual(series('cpu:merge("dc"):fold(count)'), [
    [{ host: 'a' }, [10]],
    [{ host: 'b' }, [9]],
    [{ host: 'c' }, [10]],
  ]);
  assert.deepEqual(series('cpu:merge("host")'), series('cpu:splitBy("dc")'));
});

test('each aggregation over five-minute slots of host a (10..14, 15..19) and host b (20..24, 26..29)', () => {
  const cases: [string, number[], number[]][] = [
    ['avg', [12, 17], [22, 27.5]],
    ['min', [10, 15], [20, 26]],
    ['max', [14, 19], [24, 29]],
    ['sum', [60, 85], [110, 110]],
    ['count', [5, 5], [5, 4]],
    ['value', [12, 17], [22, 27.5]], // a gauge slot's single value: the average of its points
    ['auto', [12, 17], [22, 27.5]],
  ];
  for (const [aggregation, a, b] of cases) {
    assert.deepEqual(
      series(`cpu:filter(in("host","a","b")):${aggregation}`, { resolution: '5m' }),
      [
        [{ host: 'a', dc: 'east' }, a],
        [{ host: 'b', dc: 'east' }, b],
      ],
      aggregation,
    );
  }
  assert.deepEqual(query('cpu', { resolution: '5m' }).result[0]?.data[0]?.timestamps, [
    T0 + 5 * MINUTE,
    T0 + 10 * MINUTE,
  ]);
});

test('count metrics default to the sum of their deltas; every aggregation applies to them too', () => {
  const cases: [string, (number | null)[]][] = [
    ['', [7, 5]],
    [':auto', [7, 5]],
    [':value', [7, 5]],
    [':sum', [7, 5]],
    [':avg', [3.5, 5]],
    [':min', [3, 5]],
    [':max', [4, 5]],
    [':count', [2, 1]],
  ];
  for (const [aggregation, values] of cases) {
    const [a] = series(`requests.count${aggregation}`);
    assert.deepEqual(a?.[1].slice(0, 3), [...values, null], aggregation);
  }
  assert.deepEqual(series('requests.count:splitBy():fold'), [[{}, [22]]]);
});

test('fold: one value over the timeframe, at the end of the last slot', () => {
  const cases: [string, number][] = [
    ['cpu:filter(eq("host","a")):fold', 14.5],
    ['cpu:filter(eq("host","a")):fold(avg)', 14.5],
    ['cpu:filter(eq("host","a")):fold(max)', 19],
    ['cpu:filter(eq("host","a")):fold(min)', 10],
    ['cpu:filter(eq("host","a")):fold(sum)', 145],
    ['cpu:filter(eq("host","a")):fold(count)', 10],
    ['cpu:filter(eq("host","b")):fold(count)', 9],
    ['cpu:splitBy():fold', 710 / 29],
  ];
  for (const [selector, value] of cases) {
    const data = query(selector).result[0]?.data;
    assert.deepEqual(
      data?.map((s) => [s.timestamps, s.values]),
      [[[T0 + 10 * MINUTE], [value]]],
      selector,
    );
  }
  // After an aggregation the values lose their meaning and fold sums them; its argument is ignored (DOC D4, D9).
  assert.deepEqual(series('cpu:filter(eq("host","a")):max:fold', { resolution: '5m' }), [
    [{ host: 'a', dc: 'east' }, [14 + 19]],
  ]);
  assert.deepEqual(series('cpu:filter(eq("host","a")):max:fold(min)', { resolution: '5m' }), [
    [{ host: 'a', dc: 'east' }, [14 + 19]],
  ]);
});

test('limit and sort, both directions, ties kept in order, missing values last', () => {
  const cases: [string, string[]][] = [
    ['cpu:limit(2)', ['a', 'b']],
    ['cpu:limit(10)', ['a', 'b', 'c']],
    ['cpu:sort(value(avg,descending))', ['c', 'b', 'a']],
    ['cpu:sort(value(avg,ascending))', ['a', 'b', 'c']],
    ['cpu:sort(value(count,ascending))', ['b', 'a', 'c']],
    ['cpu:sort(value(count,descending))', ['a', 'c', 'b']],
    ['cpu:sort(value(max,descending)):limit(1)', ['c']],
    ['cpu:limit(1):sort(value(max,descending))', ['a']],
    ['cpu:sort(dimension("host",descending))', ['c', 'b', 'a']],
    ['cpu:sort(dimension("dc",descending),dimension("host",ascending))', ['c', 'a', 'b']],
    ['cpu:sort(dimension("zone",ascending),value(count,ascending))', ['b', 'a', 'c']], // no series has zone: the next key decides
    ['disk:sort(dimension("host",ascending))', ['h1', 'h10', 'h9']],
    ['disk:sort(dimension("host",ascending,lexical))', ['h1', 'h10', 'h9']],
    ['disk:sort(dimension("host",ascending,natural))', ['h1', 'h9', 'h10']],
    ['disk:sort(dimension("host",descending,natural))', ['h10', 'h9', 'h1']],
  ];
  for (const [selector, expected] of cases) assert.deepEqual(hosts(selector), expected, selector);
});

test('sort edge cases: a series with no average goes last both ways; natural order puts a prefix first', () => {
  // n1 holds only the valid empty summary `gauge,min=0,max=0,sum=0,count=0`: a point, but no average.
  const edge = new MetricStore();
  for (const [host, stats] of [
    ['n1b', { min: 5, max: 5, sum: 5, count: 1 }],
    ['n1', { min: 0, max: 0, sum: 0, count: 0 }],
    ['n02', { min: 1, max: 1, sum: 1, count: 1 }],
  ] as const) {
    edge.add({ key: 'z', type: 'gauge', dimensions: [['host', host]], stats, timestamp: T0 + 1000 }, NOW);
  }
  const cases: [string, string[]][] = [
    ['z:sort(value(avg,descending))', ['n1b', 'n02', 'n1']],
    ['z:sort(value(avg,ascending))', ['n02', 'n1b', 'n1']],
    ['z:sort(dimension("host",ascending,natural))', ['n1', 'n1b', 'n02']],
    ['z:sort(dimension("host",ascending))', ['n02', 'n1', 'n1b']],
  ];
  for (const [selector, expected] of cases) {
    assert.deepEqual(
      query(selector, {}, edge).result[0]?.data.map((s) => s.dimensionMap.host),
      expected,
      selector,
    );
  }
  assert.deepEqual(query('z:filter(eq("host","n1"))', {}, edge).result[0]?.data[0]?.values.slice(0, 2), [null, null]);
});

test('resolution Inf: one value per series over the whole timeframe', () => {
  const body = query('cpu:filter(eq("host","b"))', { resolution: 'Inf' });
  assert.equal(body.resolution, 'Inf');
  assert.deepEqual(
    body.result[0]?.data.map((s) => [s.timestamps, s.values]),
    [[[T0 + 10 * MINUTE], [220 / 9]]],
  );
  const unaligned = query('cpu:filter(eq("host","a")):max', {
    resolution: 'Inf',
    from: String(T0 + 30_000),
    to: String(T0 + 90_000),
  });
  assert.deepEqual(
    unaligned.result[0]?.data.map((s) => [s.timestamps, s.values]),
    [[[T0 + 2 * MINUTE], [11]]],
  );
});

test('the default resolution is 120 points; a timeframe off the slot grid gets every slot it touches', () => {
  const body = query('cpu:filter(eq("host","a"))', {
    from: String(T0 + 30_000),
    to: String(T0 + 2 * MINUTE + 30_000),
    resolution: undefined,
  });
  assert.equal(body.resolution, '1m');
  assert.deepEqual(body.result[0]?.data[0]?.timestamps, [T0 + MINUTE, T0 + 2 * MINUTE, T0 + 3 * MINUTE]);
  assert.deepEqual(body.result[0]?.data[0]?.values, [10, 11, 12]);
  assert.equal(
    query('cpu', { from: 'now-2h', to: 'now', resolution: undefined }).result[0]?.data[0]?.timestamps.length,
    120,
  );
});

test('default replaces nulls; with always it makes the series an empty splitBy would', () => {
  assert.deepEqual(
    series('cpu:filter(eq("host","b")):default(0)')[0]?.[1],
    range(10, (i) => (i === 5 ? 0 : 20 + i)),
  );
  assert.deepEqual(series('cpu:filter(eq("host","zzz")):splitBy():default(0)'), []);
  assert.deepEqual(series('cpu:filter(eq("host","zzz")):splitBy():default(-1,always)'), [[{}, range(10, () => -1)]]);
  const misplaced = queryMetrics(store, { metricSelector: 'cpu:default(0,always)' }, NOW);
  assert.equal(misplaced.status, 400);
  assert.match(violation(misplaced).message, /only valid right after an empty :splitBy\(\)/);
});

test('several expressions: one result each, the expression as written as metricId, resolution per expression', () => {
  const body = query('cpu:filter(eq("host","a")):fold , requests.count:splitBy():fold', { resolution: undefined });
  assert.deepEqual(
    body.result.map((r) => [r.metricId, r.data.map((s) => s.values)]),
    [
      ['cpu:filter(eq("host","a")):fold', [[14.5]]],
      ['requests.count:splitBy():fold', [[22]]],
    ],
  );
  assert.equal(body.totalCount, 2);
  const mixed = query('cpu:filter(eq("host","a")),disk:filter(eq("host","h1"))', { resolution: '0:Inf' });
  assert.deepEqual(
    mixed.result.map((r) => r.data[0]?.values.length),
    [1, 10],
  );
  assert.equal(mixed.resolution, '1m'); // with several resolutions, the smallest (DOC D6)
  const grouped = query('"cp~~u",(cpu,disk):limit(1)', { resolution: 'Inf' }, storeWith(['cp~u', 'cpu', 'disk']));
  assert.deepEqual(
    grouped.result.map((r) => r.metricId),
    ['"cp~~u"', 'cpu:limit(1)', 'disk:limit(1)'],
  );
});

/** A store with one gauge point at T0 for each key. */
function storeWith(keys: string[]): MetricStore {
  const s = new MetricStore();
  for (const key of keys)
    s.add(
      { key, type: 'gauge', dimensions: [], stats: { min: 1, max: 1, sum: 1, count: 1 }, timestamp: T0 + 1000 },
      NOW,
    );
  return s;
}

test("old data is read at the store's hourly step, and a finer request says so", () => {
  // Points 5 h and 4.5 h before T0 (the fine window has moved on) and one in the last minute before T0.
  const aged = new MetricStore();
  const add = (value: number, at: number) =>
    aged.add(
      {
        key: 'temp',
        type: 'gauge',
        dimensions: [],
        stats: { min: value, max: value, sum: value, count: 1 },
        timestamp: at,
      },
      at,
    );
  add(1, T0 - 5 * HOUR + 1000);
  add(3, T0 - 4.5 * HOUR);
  add(100, T0 - MINUTE + 1000);
  const params = { from: String(T0 - 6 * HOUR), to: String(T0) };
  const hourly = query('temp', { ...params, resolution: undefined }, aged);
  assert.equal(hourly.resolution, '1h');
  assert.deepEqual(
    hourly.result[0]?.data[0]?.timestamps,
    range(6, (i) => T0 - 5 * HOUR + i * HOUR),
  );
  assert.deepEqual(hourly.result[0]?.data[0]?.values, [null, 2, null, null, null, 100]);
  const finer = query('temp', { ...params, resolution: '1m' }, aged);
  assert.equal(finer.resolution, '1h');
  assert.deepEqual(finer.warnings, [
    `The resolution 1m is finer than the data kept from ${new Date(T0 - 6 * HOUR).toISOString()} on; 1h is used.`,
  ]);
  assert.deepEqual(query('temp', { ...params, resolution: 'Inf' }, aged).result[0]?.data[0]?.values, [104 / 3]);
  // The recent window is read by the minute.
  const recent = query('temp', { from: String(T0 - 30 * MINUTE), to: String(T0), resolution: undefined }, aged);
  assert.equal(recent.resolution, '1m');
  assert.deepEqual(recent.result[0]?.data[0]?.values.at(-1), 100);
});

function violation(response: ApiResponse): { path: string; message: string } {
  const envelope = response.body as ErrorEnvelope;
  assert.equal(envelope.error.code, 400);
  assert.equal(envelope.error.message, 'Constraints violated.');
  const [first] = envelope.error.constraintViolations ?? [];
  assert.ok(first);
  return first;
}

test('bad parameters answer 400 with the ErrorEnvelope of a real tenant, naming the parameter', () => {
  const bad = queryMetrics(store, { metricSelector: 'cpu:filter(eq("host","a")))' }, NOW);
  assert.deepEqual(bad, {
    status: 400,
    body: {
      error: {
        code: 400,
        message: 'Constraints violated.',
        constraintViolations: [
          {
            path: 'metricSelector',
            message:
              "metricSelector: Unexpected ')' at index 26: expected ',' between metrics or ':' before a transformation",
            parameterLocation: 'QUERY',
            location: null,
          },
        ],
      },
    },
  });
  const cases: [QueryParams, string, RegExp][] = [
    [{}, 'metricSelector', /must not be empty/],
    [{ metricSelector: '  ' }, 'metricSelector', /must not be empty/],
    [{ metricSelector: 'cpu:rate(1m)' }, 'metricSelector', /not supported by the local tenant/],
    [{ metricSelector: 'cpu', from: 'yesterday' }, 'from', /^from: 'yesterday' is not a time/],
    [{ metricSelector: 'cpu', to: '2024-13-01T00:00' }, 'to', /no month 13/],
    [{ metricSelector: 'cpu', from: 'now', to: 'now-1h' }, 'from', /must lie before to/],
    [{ metricSelector: 'cpu', resolution: '5s' }, 'resolution', /^resolution: '5s' is not a resolution/],
    [{ metricSelector: 'cpu', resolution: '2:Inf' }, 'resolution', /no expression 2/],
    [
      { metricSelector: 'cpu', from: 'now-2y', resolution: '1h' },
      'resolution',
      /17521 points per series .*at most 10080/,
    ],
    [{ metricSelector: 'cpu', entitySelector: 'type(HOST)' }, 'entitySelector', /not supported by the local tenant/],
  ];
  for (const [params, path, message] of cases) {
    const response = queryMetrics(store, params, NOW);
    assert.equal(response.status, 400, JSON.stringify(params));
    const found = violation(response);
    assert.equal(found.path, path, JSON.stringify(params));
    assert.match(found.message, message, JSON.stringify(params));
  }
});

test('a query that would read more than 20,000,000 stored points is refused', () => {
  const wide = new MetricStore();
  for (let i = 0; i < 50; i++)
    wide.add(
      {
        key: 'wide',
        type: 'gauge',
        dimensions: [['i', String(i)]],
        stats: { min: 1, max: 1, sum: 1, count: 1 },
        timestamp: T0,
      },
      NOW,
    );
  const response = queryMetrics(wide, { metricSelector: 'wide', from: '0', to: String(T0) }, NOW);
  assert.equal(response.status, 400);
  assert.match(violation(response).message, /would read 23,\d{3},\d{3} stored data points/);
  assert.equal(
    queryMetrics(wide, { metricSelector: 'wide', from: String(T0 - 365 * 24 * HOUR), to: String(T0) }, NOW).status,
    200,
  );
});

test('a metric that does not exist answers 404, naming the suffixed key where that exists', () => {
  assert.deepEqual(queryMetrics(store, { metricSelector: 'cpu,nope' }, NOW), {
    status: 404,
    body: { error: { code: 404, message: "Metric 'nope' not found." } },
  });
  const unsuffixed = queryMetrics(store, { metricSelector: 'requests' }, NOW).body as ErrorEnvelope;
  assert.equal(
    unsuffixed.error.message,
    "Metric 'requests' not found. Did you mean 'requests.count'? The ingest API stores count metrics with the suffix .count.",
  );
});

test('descriptors: metadata where given, the key and Unspecified where not', () => {
  // The fields of PROTOCOL §7.4, alphabetically.
  const expected: MetricDescriptor = {
    aggregationTypes: ['auto', 'avg', 'count', 'max', 'min', 'sum', 'value'],
    billable: false,
    created: NOW,
    dduBillable: false,
    defaultAggregation: { type: 'avg' },
    description: 'Share of CPU time in use',
    dimensionDefinitions: [
      { key: 'host', name: 'host', displayName: 'host', index: 0, type: 'STRING' },
      { key: 'dc', name: 'dc', displayName: 'dc', index: 1, type: 'STRING' },
    ],
    displayName: 'CPU usage',
    entityType: [],
    impactRelevant: false,
    lastWritten: NOW,
    latency: 1,
    metricId: 'cpu',
    metricValueType: { type: 'unknown' },
    resolutionInfSupported: true,
    rootCauseRelevant: false,
    scalar: false,
    tags: [],
    transformations: ['default', 'filter', 'fold', 'limit', 'merge', 'sort', 'splitBy'],
    unit: 'Percent',
    // Distinct values over the stored series, and their share of the series (3 hosts, 2 data centres).
    dimensionCardinalities: [
      { key: 'host', estimate: 3, relative: 1 },
      { key: 'dc', estimate: 2, relative: 2 / 3 },
    ],
  };
  assert.deepEqual(describeMetric(store, 'cpu'), { status: 200, body: expected });
  const counted = describeMetric(store, 'requests.count').body as MetricDescriptor;
  assert.deepEqual(
    [counted.displayName, counted.description, counted.unit, counted.defaultAggregation],
    ['requests.count', '', 'Unspecified', { type: 'sum' }],
  );
  assert.deepEqual(describeMetric(store, 'nope'), {
    status: 404,
    body: { error: { code: 404, message: "Metric 'nope' not found." } },
  });
});

const catalog = storeWith(['b.three', 'a.two', 'requests.count', 'a.one']);
catalog.setMetadata(
  'cpu',
  'gauge',
  { displayName: 'CPU usage', description: 'Share of CPU TIME in use', unit: 'Percent' },
  NOW,
);

function list(params: ListParams, source = catalog): MetricList {
  const response = listMetrics(source, params, NOW);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body as MetricList;
}
const keys = (params: ListParams) => list(params).metrics.map((m) => m.metricId);

test('the metric list: sorted by key, default fields, selector wildcards, free text', () => {
  const all = list({});
  assert.equal(all.totalCount, 5);
  assert.equal(all.nextPageKey, null);
  assert.deepEqual(all.metrics[1], { metricId: 'a.two', displayName: 'a.two', description: '', unit: 'Unspecified' });
  assert.deepEqual(all.metrics[3], {
    metricId: 'cpu',
    displayName: 'CPU usage',
    description: 'Share of CPU TIME in use',
    unit: 'Percent',
  });
  const cases: [ListParams, string[]][] = [
    [{}, ['a.one', 'a.two', 'b.three', 'cpu', 'requests.count']],
    [{ metricSelector: 'a.*' }, ['a.one', 'a.two']],
    [{ metricSelector: '*' }, ['a.one', 'a.two', 'b.three', 'cpu', 'requests.count']],
    [{ metricSelector: '*.t*' }, ['a.two', 'b.three']],
    [{ metricSelector: 'a.*,cpu' }, ['a.one', 'a.two', 'cpu']],
    [{ metricSelector: 'a.(one,two)' }, ['a.one', 'a.two']],
    [{ metricSelector: 'cpu:splitBy():avg' }, ['cpu']],
    [{ metricSelector: 'a' }, []],
    [{ text: 'cpu time' }, ['cpu']], // description, ignoring case
    [{ text: 'USAGE' }, ['cpu']], // display name
    [{ text: '.t' }, ['a.two', 'b.three']], // key
    [{ text: 't', metricSelector: 'b.*' }, ['b.three']],
  ];
  for (const [params, expected] of cases) assert.deepEqual(keys(params), expected, JSON.stringify(params));
});

test('the metric list pages with an opaque key that carries the query', () => {
  const first = list({ pageSize: '2', text: 'e' });
  assert.deepEqual([first.totalCount, first.metrics.map((m) => m.metricId)], [4, ['a.one', 'b.three']]);
  assert.equal(typeof first.nextPageKey, 'string');
  const second = list({ nextPageKey: first.nextPageKey });
  assert.deepEqual([second.totalCount, second.metrics.map((m) => m.metricId)], [4, ['cpu', 'requests.count']]);
  assert.equal(second.nextPageKey, null);
  const fields = list({ pageSize: '1', fields: 'unit' });
  assert.deepEqual(list({ nextPageKey: fields.nextPageKey }).metrics, [{ metricId: 'a.two', unit: 'Unspecified' }]);
  assert.equal(list({ pageSize: '500' }).metrics.length, 5);
});

test('writtenSince: the metrics last written at or after it (INCLUDE) or before (EXCLUDE), fixed for all pages', () => {
  const older = storeWith(['old.one']);
  older.add(
    { key: 'new.one', type: 'gauge', dimensions: [], stats: { min: 1, max: 1, sum: 1, count: 1 }, timestamp: NOW },
    NOW + 5 * MINUTE,
  );
  const keysOf = (params: ListParams) => list(params, older).metrics.map((m) => m.metricId);
  assert.deepEqual(keysOf({ writtenSince: String(NOW + 6 * MINUTE) }), []);
  assert.deepEqual(keysOf({ writtenSince: String(NOW + MINUTE) }), ['new.one']);
  assert.deepEqual(keysOf({ writtenSince: String(NOW + MINUTE), writtenSinceMode: 'EXCLUDE' }), ['old.one']);
  assert.deepEqual(keysOf({ writtenSince: 'now-10m' }), ['new.one', 'old.one']);
  const first = list({ writtenSince: String(NOW - MINUTE), pageSize: '1' }, older);
  assert.deepEqual(
    list({ nextPageKey: first.nextPageKey }, older).metrics.map((m) => m.metricId),
    ['old.one'],
  );
});

test('fields: names replace the defaults, + adds, - removes, metricId always', () => {
  const cases: [string, string[]][] = [
    ['+created,-description', ['metricId', 'displayName', 'unit', 'created']],
    ['unit', ['metricId', 'unit']],
    ['metricId', ['metricId']],
    ['-displayName,-description,-unit,+dimensionDefinitions,+minimumValue', ['metricId', 'dimensionDefinitions']],
    [
      ' +lastWritten , +aggregationTypes ',
      ['metricId', 'displayName', 'description', 'unit', 'lastWritten', 'aggregationTypes'],
    ],
  ];
  for (const [fields, expected] of cases)
    assert.deepEqual(Object.keys(list({ fields }).metrics[3] ?? {}), expected, fields);
});

test('bad list parameters answer 400 naming the parameter', () => {
  const key = list({ pageSize: '1' }).nextPageKey ?? '';
  const cases: [ListParams, string, RegExp][] = [
    [{ nextPageKey: key, pageSize: '1' }, 'nextPageKey', /every other parameter must be omitted \(found pageSize\)/],
    [{ nextPageKey: 'not-a-key' }, 'nextPageKey', /not a page key/],
    [{ nextPageKey: 'e30' }, 'nextPageKey', /not a page key/], // {}: JSON, but no key of ours
    [{ pageSize: '0' }, 'pageSize', /from 1 to 500/],
    [{ pageSize: '501' }, 'pageSize', /from 1 to 500/],
    [{ pageSize: 'ten' }, 'pageSize', /from 1 to 500/],
    [{ fields: '+bogus' }, 'fields', /unknown field 'bogus'/],
    [
      { metricSelector: 'cpu:fold' },
      'metricSelector',
      /only aggregation, merge and splitBy transformations, not :fold/,
    ],
    [
      { metricSelector: 'cpu:filter(' },
      'metricSelector',
      /^metricSelector: Unexpected end of the selector at index 11/,
    ],
    [{ metadataSelector: 'custom("true")' }, 'metadataSelector', /not supported by the local tenant/],
    [{ writtenSince: 'yesterday' }, 'writtenSince', /writtenSince/],
    [{ writtenSince: 'now-1h', writtenSinceMode: 'SOMETIMES' }, 'writtenSinceMode', /neither INCLUDE nor EXCLUDE/],
  ];
  for (const [params, path, message] of cases) {
    const response = listMetrics(catalog, params, NOW);
    assert.equal(response.status, 400, JSON.stringify(params));
    const found = violation(response);
    assert.equal(found.path, path, JSON.stringify(params));
    assert.match(found.message, message, JSON.stringify(params));
  }
  assert.equal(listMetrics(catalog, { nextPageKey: key, pageSize: '' }, NOW).status, 200); // an empty parameter is an absent one
});

function v1(body: unknown, identifier = 'cpu'): V1TimeseriesResult['result'] {
  const response = v1Timeseries(store, identifier, body, NOW);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return (response.body as V1TimeseriesResult).result;
}

test('v1 series: data points per dimension tuple, keyed by its values, at slot starts', () => {
  const result = v1({ aggregationType: 'AVG', startTimestamp: T0, endTimestamp: T0 + 10 * MINUTE });
  const starts = range(10, (i) => T0 + i * MINUTE);
  assert.deepEqual(result, {
    timeseriesId: 'cpu',
    unit: 'Percent',
    resolutionInMillisUTC: MINUTE,
    aggregationType: 'AVG',
    dataPoints: {
      'a, east': starts.map((t, i) => [t, 10 + i]),
      'b, east': starts.map((t, i) => [t, i === 5 ? null : 20 + i]),
      'c, west': starts.map((t, i) => [t, 30 + i]),
    },
    entities: { a: 'a', east: 'east', b: 'b', c: 'c', west: 'west' },
  });
  const hourBack = v1({ aggregationType: 'max', relativeTime: 'hour', entities: ['c'] });
  assert.deepEqual(Object.keys(hourBack.dataPoints), ['c, west']);
  assert.deepEqual(hourBack.dataPoints['c, west']?.slice(49, 52), [
    [T0 - MINUTE, null],
    [T0, 30],
    [T0 + MINUTE, 31],
  ]);
});

test('v1 total: one value per tuple over the timeframe, each aggregation', () => {
  const cases: [string, Record<string, number>][] = [
    ['AVG', { 'a, east': 14.5, 'b, east': 220 / 9, 'c, west': 34.5 }],
    ['SUM', { 'a, east': 145, 'b, east': 220, 'c, west': 345 }],
    ['MIN', { 'a, east': 10, 'b, east': 20, 'c, west': 30 }],
    ['MAX', { 'a, east': 19, 'b, east': 29, 'c, west': 39 }],
    ['count', { 'a, east': 10, 'b, east': 9, 'c, west': 10 }],
  ];
  for (const [aggregationType, totals] of cases) {
    // An end past now is now (DOC D20): the timeframe is T0 to NOW.
    const result = v1({ aggregationType, startTimestamp: T0, endTimestamp: NOW + 24 * HOUR, queryMode: 'TOTAL' });
    assert.equal(result.resolutionInMillisUTC, 10 * MINUTE, aggregationType);
    assert.deepEqual(
      result.dataPoints,
      Object.fromEntries(Object.entries(totals).map(([id, value]) => [id, [[T0, value]]])),
      aggregationType,
    );
  }
  assert.deepEqual(
    v1({ aggregationType: 'SUM', relativeTime: '30mins', queryMode: 'total' }, 'requests.count').dataPoints,
    {
      a: [[NOW - 30 * MINUTE, 12]],
      b: [[NOW - 30 * MINUTE, 10]],
    },
  );
});

test('v1 bad bodies answer 400 naming the field; unknown metrics 404', () => {
  const cases: [unknown, string, RegExp][] = [
    ['AVG', 'body', /must be a JSON object/],
    [[], 'body', /must be a JSON object/],
    [{ relativeTime: 'hour' }, 'aggregationType', /required/],
    [{ aggregationType: 'MEDIAN', relativeTime: 'hour' }, 'aggregationType', /not supported by the local tenant/],
    [{ aggregationType: 'MEAN', relativeTime: 'hour' }, 'aggregationType', /unknown/],
    [{ aggregationType: 'AVG' }, 'startTimestamp', /give startTimestamp and endTimestamp/],
    [{ aggregationType: 'AVG', startTimestamp: T0 }, 'endTimestamp', /give startTimestamp and endTimestamp/],
    [{ aggregationType: 'AVG', startTimestamp: T0, relativeTime: 'hour' }, 'relativeTime', /not both/],
    [{ aggregationType: 'AVG', relativeTime: 'fortnight' }, 'relativeTime', /not one of min, 5mins/],
    [
      { aggregationType: 'AVG', startTimestamp: 'T0', endTimestamp: NOW },
      'startTimestamp',
      /not a time in UTC milliseconds/,
    ],
    // The v1 body's times are JSON numbers (TimeseriesQueryMessage: int64), as a tenant takes them: no text forms.
    [
      { aggregationType: 'AVG', startTimestamp: '2024-11-22T18:00', endTimestamp: NOW },
      'startTimestamp',
      /not a time in UTC milliseconds/,
    ],
    [
      { aggregationType: 'AVG', startTimestamp: 9e15, endTimestamp: NOW },
      'startTimestamp',
      /not a time in UTC milliseconds/,
    ], // past the last time a Date holds
    [
      { aggregationType: 'AVG', startTimestamp: NOW, endTimestamp: T0 },
      'startTimestamp',
      /must lie before endTimestamp/,
    ],
    [
      { aggregationType: 'AVG', startTimestamp: NOW - 200 * 24 * HOUR, endTimestamp: NOW },
      'startTimestamp',
      /must not exceed 6 months/,
    ],
    [{ aggregationType: 'AVG', relativeTime: 'hour', queryMode: 'all' }, 'queryMode', /not SERIES or TOTAL/],
    [{ aggregationType: 'AVG', relativeTime: 'hour', entities: 'a' }, 'entities', /list of strings/],
    [{ aggregationType: 'AVG', relativeTime: 'hour', tags: ['office'] }, 'tags', /not supported/],
    [{ aggregationType: 'AVG', relativeTime: 'hour', predict: true }, 'predict', /not supported/],
  ];
  for (const [body, path, message] of cases) {
    const response = v1Timeseries(store, 'cpu', body, NOW);
    assert.equal(response.status, 400, JSON.stringify(body));
    const envelope = response.body as ErrorEnvelope;
    const found = envelope.error.constraintViolations?.[0];
    assert.equal(found?.path, path, JSON.stringify(body));
    assert.equal(found?.parameterLocation, 'PAYLOAD_BODY');
    assert.match(found?.message ?? '', message, JSON.stringify(body));
  }
  assert.equal(v1Timeseries(store, 'nope', { aggregationType: 'AVG', relativeTime: 'hour' }, NOW).status, 404);
});
