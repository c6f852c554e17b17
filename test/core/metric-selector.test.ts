/** The metric selector parser (server/src/core/metrics/selector.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MAX_NESTING,
  parseMetricSelector,
  type MetricExpression,
  type Transformation,
} from '#core/metrics/selector.ts';

function parse(text: string, wildcards = false): MetricExpression[] {
  const parsed = parseMetricSelector(text, { wildcards });
  assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.message}`);
  return parsed.value;
}

const only = (text: string): Transformation[] => {
  const expressions = parse(text);
  assert.equal(expressions.length, 1);
  return (expressions[0] as MetricExpression).transformations;
};

test('keys: plain, with colons, quoted with ~ escapes, quoted sections, grouped', () => {
  const cases: [string, string[]][] = [
    ['my.metric', ['my.metric']],
    ['builtin:host.cpu.usage', ['builtin:host.cpu.usage']],
    ['  my.metric  ', ['my.metric']],
    ['"ext:selfmonitoring.jmx.Agents: Type ~"APACHE~""', ['ext:selfmonitoring.jmx.Agents: Type "APACHE"']],
    ['"a~~b"', ['a~b']],
    ['custom."5xx_errors"', ['custom.5xx_errors']],
    ['builtin:host.cpu.(idle,user)', ['builtin:host.cpu.idle', 'builtin:host.cpu.user']],
    ['a.(b, "c d")', ['a.b', 'a.c d']],
    ['one, two,three', ['one', 'two', 'three']],
    ['my-metric_1.x', ['my-metric_1.x']],
  ];
  for (const [text, keys] of cases)
    assert.deepEqual(
      parse(text).map((e) => e.key),
      keys,
      text,
    );
});

test('each expression keeps its text as written, the metricId of its result', () => {
  assert.deepEqual(
    parse('cpu:filter(eq("host","a")):avg , mem:max').map((e) => [e.text, e.start]),
    [
      ['cpu:filter(eq("host","a")):avg', 0],
      ['mem:max', 33],
    ],
  );
  assert.deepEqual(
    parse('host.cpu.(idle,"us~"er"):fold').map((e) => e.text),
    ['host.cpu.idle:fold', 'host.cpu."us~"er":fold'],
  );
});

test('transformations parse into their data, chained left to right', () => {
  const cases: [string, Transformation[]][] = [
    [
      'm:avg:min:max:sum:count:value:auto',
      ['avg', 'min', 'max', 'sum', 'count', 'value', 'auto'].map(
        (a) => ({ kind: 'aggregation', aggregation: a }) as Transformation,
      ),
    ],
    ['m:splitBy("dt.entity.host","dc")', [{ kind: 'splitBy', dimensions: ['dt.entity.host', 'dc'] }]],
    ['m:splitBy()', [{ kind: 'splitBy', dimensions: [] }]],
    ['m:splitBy( host , "d~"c" )', [{ kind: 'splitBy', dimensions: ['host', 'd"c'] }]],
    ['m:merge("host")', [{ kind: 'merge', dimensions: ['host'] }]],
    ['m:fold', [{ kind: 'fold', aggregation: null }]],
    ['m:fold(max)', [{ kind: 'fold', aggregation: 'max' }]],
    [
      'm:fold:avg',
      [
        { kind: 'fold', aggregation: null },
        { kind: 'aggregation', aggregation: 'avg' },
      ],
    ],
    ['m:limit(5)', [{ kind: 'limit', count: 5 }]],
    [
      'm:sort(value(avg,descending))',
      [{ kind: 'sort', keys: [{ kind: 'value', aggregation: 'avg', descending: true }] }],
    ],
    [
      'm:sort(value(max, ascending))',
      [{ kind: 'sort', keys: [{ kind: 'value', aggregation: 'max', descending: false }] }],
    ],
    [
      'm:sort(dimension("host",descending))',
      [{ kind: 'sort', keys: [{ kind: 'dimension', dimension: 'host', descending: true, natural: false }] }],
    ],
    [
      'm:sort(dimension("host",ascending,natural),value(sum,descending))',
      [
        {
          kind: 'sort',
          keys: [
            { kind: 'dimension', dimension: 'host', descending: false, natural: true },
            { kind: 'value', aggregation: 'sum', descending: true },
          ],
        },
      ],
    ],
    ['m:default(0)', [{ kind: 'default', value: 0, always: false }]],
    ['m:default(-1.5e3)', [{ kind: 'default', value: -1500, always: false }]],
    [
      'm:splitBy():default(0,always)',
      [
        { kind: 'splitBy', dimensions: [] },
        { kind: 'default', value: 0, always: true },
      ],
    ],
    [
      'm\n  :splitBy("a")\n  :max',
      [
        { kind: 'splitBy', dimensions: ['a'] },
        { kind: 'aggregation', aggregation: 'max' },
      ],
    ],
  ];
  for (const [text, expected] of cases) assert.deepEqual(only(text), expected, text);
});

test('filter conditions: comparisons, in, existsKey, and/or/not, bare words', () => {
  const cases: [string, Transformation][] = [
    ['m:filter(eq("host","a"))', { kind: 'filter', conditions: [{ kind: 'eq', dimension: 'host', value: 'a' }] }],
    [
      'm:filter(eq(dt.entity.host,HOST-001))',
      { kind: 'filter', conditions: [{ kind: 'eq', dimension: 'dt.entity.host', value: 'HOST-001' }] },
    ],
    [
      'm:filter(eq("k8s.cluster.name","Server ~"North~""))',
      { kind: 'filter', conditions: [{ kind: 'eq', dimension: 'k8s.cluster.name', value: 'Server "North"' }] },
    ],
    [
      'm:filter(ne("a","1"),prefix("b","x"),suffix("c","y"),contains("d","z"))',
      {
        kind: 'filter',
        conditions: [
          { kind: 'ne', dimension: 'a', value: '1' },
          { kind: 'prefix', dimension: 'b', value: 'x' },
          { kind: 'suffix', dimension: 'c', value: 'y' },
          { kind: 'contains', dimension: 'd', value: 'z' },
        ],
      },
    ],
    [
      'm:filter(in("host","a","b","c"))',
      { kind: 'filter', conditions: [{ kind: 'in', dimension: 'host', values: ['a', 'b', 'c'] }] },
    ],
    ['m:filter(existsKey("dc"))', { kind: 'filter', conditions: [{ kind: 'existsKey', dimension: 'dc' }] }],
    [
      'm:filter(and(prefix("App Version","2."),not(or(eq("os","x"),eq("os","y")))))',
      {
        kind: 'filter',
        conditions: [
          {
            kind: 'and',
            conditions: [
              { kind: 'prefix', dimension: 'App Version', value: '2.' },
              {
                kind: 'not',
                condition: {
                  kind: 'or',
                  conditions: [
                    { kind: 'eq', dimension: 'os', value: 'x' },
                    { kind: 'eq', dimension: 'os', value: 'y' },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  ];
  for (const [text, expected] of cases) assert.deepEqual(only(text), [expected], text);
});

test('wildcards only where asked for (the metric list)', () => {
  assert.deepEqual(
    parse('cpu.*, *', true).map((e) => e.key),
    ['cpu.*', '*'],
  );
  assert.deepEqual(
    parse('builtin:host.*:splitBy()', true).map((e) => e.key),
    ['builtin:host.*'],
  );
  assert.equal(parseMetricSelector('cpu.*').ok, false);
});

test('errors carry the index of the problem and say what was expected', () => {
  const cases: [string, number, RegExp][] = [
    ['', 0, /Unexpected end of the selector at index 0: expected a metric key/],
    ['   ', 3, /Unexpected end of the selector at index 3: expected a metric key/],
    ['m:filter(eq("a","b")))', 21, /^Unexpected '\)' at index 21: expected ','/],
    ['m:filter(and(eq("a","b"),))', 25, /^Unexpected '\)' at index 25: expected a condition/],
    ['m:filter()', 9, /^Unexpected '\)' at index 9: expected an argument/],
    ['m:filter(eq("a"))', 15, /^Unexpected '\)' at index 15: expected 2 arguments/],
    ['m:filter(eq("a","b","c"))', 19, /^Unexpected ',' at index 19: expected '\)'/],
    ['m:filter(eq("a","b")', 20, /^Unexpected end of the selector at index 20/],
    ['m:filter(equals("a","b"))', 9, /^Unknown condition 'equals' at index 9/],
    ['m:frobnicate', 2, /^Unknown transformation ':frobnicate' at index 2/],
    ['m:rate(1m)', 2, /^The transformation ':rate' at index 2: it is not supported by the local tenant/],
    ['m:percentile(99)', 2, /^The aggregation 'percentile' at index 2: it is not supported/],
    ['m:fold(median)', 7, /^The aggregation 'median' at index 7/],
    ['m:filter(series(avg,gt(10)))', 9, /^The condition 'series' at index 9: it is not supported/],
    [
      'm:filter(in("dt.entity.host",entitySelector("type(HOST)")))',
      29,
      /^entitySelector\(\.\.\.\) at index 29: it is not supported by the local tenant/,
    ],
    ['"unterminated', 0, /^Unterminated quoted string at index 0/],
    ['"a~b"', 2, /^Invalid escape '~' at index 2/],
    ['""', 0, /^Empty metric key at index 0/],
    ['a, "":avg', 3, /^Empty metric key at index 3/],
    ['a.(b,"")', 5, /^Empty metric key at index 5/],
    ['m:', 2, /^Unexpected end of the selector at index 2: expected a transformation/],
    ['m:avg(', 5, /^Unexpected '\(' at index 5: expected ','/],
    ['m:limit(0)', 8, /^Invalid number 0 at index 8/],
    ['m:limit(x)', 8, /^Unexpected 'x' at index 8: expected a whole number/],
    ['m:sort(value(avg,up))', 17, /^Unexpected 'u' at index 17: expected ascending or descending/],
    ['m:sort(dimension("a",ascending,random))', 31, /^Unexpected 'r' at index 31: expected lexical or natural/],
    ['m:sort(name)', 7, /^Unexpected 'n' at index 7: expected value/],
    ['m:default(x)', 10, /^Unexpected 'x' at index 10: expected a number/],
    ['m:default(0,sometimes)', 12, /^Unexpected 's' at index 12: expected always/],
    ['m:merge()', 8, /^Unexpected '\)' at index 8: expected an argument/],
    ['a + b', 2, /^Unexpected '\+' at index 2: expected ','/],
    ['a,', 2, /^Unexpected end of the selector at index 2: expected a metric key/],
    ['a.(b,)', 5, /^Unexpected '\)' at index 5: expected the last part of a metric key/],
    ['a,b,c,d,e,f,g,h,i,j,k', 20, /^Too many metrics at index 20: a selector holds at most 10/],
    ['a.(b,c,d,e,f,g,h,i,j,k,l)', 0, /^Too many metrics at index 0/],
  ];
  for (const [text, index, message] of cases) {
    const parsed = parseMetricSelector(text);
    assert.equal(parsed.ok, false, text);
    if (parsed.ok) continue;
    assert.equal(parsed.index, index, `${text}: ${parsed.message}`);
    assert.match(parsed.message, message, text);
  }
});

test(`conditions nest at most ${MAX_NESTING} deep, and deeper input is refused without exhausting the stack`, () => {
  const nested = (depth: number) => `m:filter(${'not('.repeat(depth)}eq("a","b")${')'.repeat(depth)})`;
  assert.equal(parseMetricSelector(nested(MAX_NESTING - 1)).ok, true);
  const deep = parseMetricSelector(nested(MAX_NESTING));
  assert.equal(deep.ok, false);
  if (!deep.ok) assert.match(deep.message, /^Conditions nest too deeply at index/);
  const hostile = parseMetricSelector(`m:filter(${'and('.repeat(200_000)}`);
  assert.equal(hostile.ok, false);
});

/** Strings built from the selector's own punctuation and words, so generated input reaches deep parser states. */
const selectorish = fc
  .array(
    fc.oneof(
      fc.constantFrom(':', ',', '(', ')', '"', '~', ' ', '.', '*', '-', '\n', 'x', '1'),
      fc.constantFrom(
        'filter(',
        'eq(',
        'ne(',
        'in(',
        'and(',
        'or(',
        'not(',
        'existsKey(',
        'splitBy(',
        'merge(',
        'sort(',
        'value(',
        'dimension(',
      ),
      fc.constantFrom(
        'fold',
        'limit(',
        'default(',
        'avg',
        'max',
        'ascending',
        'descending',
        'always',
        'entitySelector(',
        'my.metric',
        'builtin:host',
      ),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

test('the parser never throws, and an error always lies inside the text', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), selectorish),
      fc.boolean(),
      (text, wildcards) => {
        const parsed = parseMetricSelector(text, { wildcards });
        if (parsed.ok) {
          assert.ok(parsed.value.length >= 1 && parsed.value.length <= 10);
          for (const expression of parsed.value) assert.ok(expression.key.length > 0);
        } else {
          assert.ok(parsed.index >= 0 && parsed.index <= text.length, `${parsed.index} outside ${text.length}`);
          assert.match(parsed.message, new RegExp(` at index ${parsed.index}\\b`));
        }
      },
    ),
    { numRuns: 5000 },
  );
});
