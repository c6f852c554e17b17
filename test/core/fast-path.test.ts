/**
 * The fast path (server/src/core/fast-path.ts) is an optimisation only: for every line, a linter that is offered
 * the line's bytes first must report exactly what a linter that only ever sees decoded text reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { FileLinter, type LintOptions } from '#core/lint.ts';
import { splitLines } from '#core/text.ts';
import type { Diagnostic } from '#core/problems.ts';
import { FIXTURE_DIR, FIXTURE_NOW, readFixture } from './fixture-format.ts';

const encoder = new TextEncoder();

/** Lints `lines` both ways; returns how many lines the fast path took. */
function assertSamePaths(lines: string[], options: LintOptions): number {
  const withBytes = new FileLinter(options);
  const textOnly = new FileLinter(options);
  let fast = 0;
  lines.forEach((line, index) => {
    const bytes = encoder.encode(line);
    let got: readonly Diagnostic[] | null = withBytes.lintCleanBytes(index, bytes, 0, bytes.length);
    if (got === null) got = withBytes.lintLine(index, line, line.length, bytes);
    else fast++;
    const expected = textOnly.lintLine(index, line);
    assert.deepEqual(got, expected, `line ${index + 1}: ${JSON.stringify(line)}`);
  });
  return fast;
}

const NOW = FIXTURE_NOW;

/** Numbers around the clean forms' edges: canonical, and the forms the rules flag. */
const number = fc.oneof(
  { arbitrary: fc.integer({ min: -1e6, max: 1e6 }).map(String), weight: 4 },
  {
    arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => String(Math.round(v * 1e3) / 1e3)),
    weight: 4,
  },
  fc.constantFrom(
    '0',
    '-0',
    '007',
    '5.',
    '.5',
    '+5',
    '1e5',
    '1.0e5',
    '1.5E-3',
    'NaN',
    '0x10',
    '1_000',
    '123456789012345',
    '1234567890123456',
    '0.12345678901234567',
    '0.123456789012345678',
  ),
);
const summary = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
      )
      .map(([a, b, n]) => {
        const min = Math.round(Math.min(a, b) * 1e3) / 1e3;
        const max = Math.round(Math.max(a, b) * 1e3) / 1e3;
        const sum = Math.round(((min + max) / 2) * n * 1e3) / 1e3;
        return `gauge,min=${min},max=${max},sum=${sum},count=${n}`;
      }),
  },
  fc.constantFrom(
    'gauge,min=5,max=5,sum=5.000001,count=1',
    'gauge,min=5,max=5,sum=5.0000011,count=1',
    'gauge,min=2.0000001,max=3,sum=4,count=2',
    'gauge,min=2.000002,max=3,sum=4,count=2',
    'gauge,min=0,max=0,sum=0,count=0',
    'gauge,min=0,max=1,sum=0,count=0',
    'gauge,min=1,max=2,sum=3,count=2.0',
    'gauge,min=1,max=2,sum=3,count=-2',
    'gauge,max=2,min=1,sum=3,count=2',
    'gauge,min=3,max=1,sum=4,count=2',
  ),
);
const payload = fc.oneof(
  number,
  number.map((n) => `gauge,${n}`),
  number.map((n) => `count,delta=${n}`),
  number.map((n) => `count,${n}`),
  { arbitrary: summary, weight: 2 },
);
const timestamp = fc.oneof(
  { arbitrary: fc.integer({ min: -3_600_000, max: 600_000 }).map((d) => String(NOW + d)), weight: 6 },
  fc.integer({ min: -7_200_000, max: 1_200_000 }).map((d) => String(NOW + d)),
  fc.constantFrom('', '', '1732300000', '01732300000000', '1732300000000000', '17323000000001', '173230000000'),
);
const value = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'a',
      'b',
      'GET',
      'eu-west-1',
      '"a b"',
      '"x,y=z"',
      '"q\\"uote"',
      'sp\\ ace',
      'c\\,omma',
      '"ä"',
      'ö',
      '😀',
    ),
    weight: 8,
  },
  fc.constantFrom('""', 'a"b', 'a=b', '\\x', '"\u0001"'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
);
const dimensionKey = fc.oneof(
  { arbitrary: fc.constantFrom('host', 'service', 'method', 'status', 'dt.metrics.source', 'a.b'), weight: 8 },
  fc.constantFrom('dt.entity.host', 'dt.foo', 'Host', '1x', 'a..b'),
);
const dimensions = fc
  .array(fc.tuple(dimensionKey, value), { maxLength: 4 })
  .map((pairs) => pairs.map(([k, v]) => `,${k}=${v}`).join(''));
const metricKey = fc.oneof(
  { arbitrary: fc.constantFrom('http.requests', 'jobs_count', 'cpu.temp', 'my-metric'), weight: 8 },
  fc.constantFrom('dt.x', 'a.1b', 'x', 'ab', 'Á.b'),
);
const prefix = fc.tuple(metricKey, dimensions).map(([k, d]) => k + d);
const ending = fc.tuple(payload, timestamp).map(([p, t]) => ` ${p}${t ? ' ' + t : ''}`);

test('fast path and full parser agree on random files with repeated series', () => {
  let fast = 0;
  fc.assert(
    fc.property(
      fc.array(prefix, { minLength: 1, maxLength: 8 }),
      fc.array(fc.tuple(fc.nat(), ending), { minLength: 20, maxLength: 60, size: 'max' }),
      (prefixes, picks) => {
        // Few prefixes, many endings: the fast path learns a prefix, then meets it again with other payloads.
        const lines = picks.map(([i, end]) => (prefixes[i % prefixes.length] as string) + end);
        fast += assertSamePaths(lines, {
          now: NOW,
          limits: { cardinalityBudget: 3, linesPerRequest: 20, requestMaxBytes: 2000 },
        });
      },
    ),
    { numRuns: 500 },
  );
  assert.ok(fast > 1000, `the fast path took only ${fast} lines: the test would not see it disagree`);
});

test('fast path and full parser agree on every rule fixture, with the window on and off', () => {
  for (const file of readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.dtmetrics'))) {
    const text = readFileSync(join(FIXTURE_DIR, file), 'utf8');
    const { options } = readFixture(text);
    const lines = [...splitLines(text)];
    // Twice over, so the second pass meets every clean prefix again.
    assertSamePaths([...lines, ...lines], options);
    assertSamePaths([...lines, ...lines], { ...options, now: null });
  }
});

test('fast path and full parser agree under summary tolerances other than the default', () => {
  const sums = ['5', '5.0000000005', '5.000001', '5.0009', '5.0011'];
  const lines = ['sum.check 1', ...sums.map((sum) => `sum.check gauge,min=5,max=5,sum=${sum},count=1`)];
  for (const summaryTolerance of [0, 1e-9, 1e-3]) {
    const fast = assertSamePaths([...lines, ...lines], { now: null, limits: { summaryTolerance } });
    assert.ok(fast > 0, `tolerance ${summaryTolerance}: the fast path took no line`);
  }
});
