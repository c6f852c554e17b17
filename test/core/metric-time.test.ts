/** Times, resolutions and time grids of metric queries (server/src/core/metrics/time.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  alignDown,
  formatStep,
  parseResolution,
  parseTime,
  parseTimeframe,
  planGrid,
  subtractUnits,
  HOUR,
  MINUTE,
  type Resolution,
} from '../../server/src/core/metrics/time.ts';

/** Friday 2024-03-29 14:37:12.345 UTC: a month end after a leap February, mid-week, mid-hour. */
const NOW = Date.UTC(2024, 2, 29, 14, 37, 12, 345);
const utc = (iso: string): number => new Date(iso).getTime();

test('parseTime reads every documented form', () => {
  const cases: [string, number][] = [
    ['1611554221123', 1611554221123],
    ['0', 0],
    ['2021-01-25T05:57:01.123+01:00', utc('2021-01-25T04:57:01.123Z')],
    ['2021-01-25T05:57:01.123Z', utc('2021-01-25T05:57:01.123Z')],
    ['2021-01-25T05:57:01.123', utc('2021-01-25T05:57:01.123Z')], // no zone: UTC
    ['2021-01-25 05:57:01', utc('2021-01-25T05:57:01Z')], // a space for the T
    ['2021-01-25T05:57', utc('2021-01-25T05:57:00Z')], // seconds optional
    ['2021-01-25T05:57:01.5', utc('2021-01-25T05:57:01.500Z')],
    ['2021-01-25T05:57:01.123456789', utc('2021-01-25T05:57:01.123Z')], // past milliseconds: cut
    ['2021-01-25T05:57-0530', utc('2021-01-25T11:27:00Z')],
    ['2024-02-29T00:00', utc('2024-02-29T00:00:00Z')],
    ['now', NOW],
    ['  now  ', NOW],
    ['now-30s', NOW - 30_000],
    ['now-5m', NOW - 5 * MINUTE],
    ['now-2h', NOW - 2 * HOUR],
    ['now-1d', NOW - 24 * HOUR],
    ['now-1w', NOW - 7 * 24 * HOUR],
    ['now-1M', utc('2024-02-29T14:37:12.345Z')], // Mar 29 − 1 month; the calendar, not 30 days
    ['now-1y', utc('2023-03-29T14:37:12.345Z')],
    ['now/h', utc('2024-03-29T14:00:00Z')],
    ['now/m', utc('2024-03-29T14:37:00Z')],
    ['now/s', utc('2024-03-29T14:37:12Z')],
    ['now-1d/d', utc('2024-03-28T00:00:00Z')],
    ['now/w', utc('2024-03-25T00:00:00Z')], // Monday
    ['now-1y/w', utc('2023-03-27T00:00:00Z')], // the doc's own example
    ['now/M', utc('2024-03-01T00:00:00Z')],
    ['now-2M/y', utc('2024-01-01T00:00:00Z')],
  ];
  for (const [text, expected] of cases) {
    const parsed = parseTime(text, 'from', NOW);
    assert.deepEqual(parsed, { ok: true, value: expected }, text);
  }
});

test('parseTime: absent or blank is null, the caller applies the default', () => {
  for (const text of [undefined, null, '', '   ']) assert.deepEqual(parseTime(text, 'to', NOW), { ok: true, value: null });
});

test('parseTime refuses what is no time, naming the parameter', () => {
  const cases: [string, RegExp][] = [
    ['yesterday', /not a time/],
    ['now-2x', /unknown unit 'x'/],
    ['now/q', /unknown alignment '\/q'/],
    ['now+2h', /not a time/],
    ['now-2', /not a time/],
    ['2021-01-25', /not a time/], // a time of day is required
    ['2021-13-01T00:00', /no month 13/],
    ['2021-02-29T00:00', /no day 29/],
    ['2021-04-31T00:00', /no day 31/],
    ['2021-01-25T24:00', /not a time of day/],
    ['2021-01-25T05:60', /not a time of day/],
    ['2021-01-25T05:57+19:00', /no time zone/],
    ['1969-12-31T23:59', /before 1970/],
    ['now-100y', /before 1970/],
    ['99999999999999999', /not a time/],
    ['9999999999999999', /past the latest time/],
    ['-5', /not a time/],
  ];
  for (const [text, message] of cases) {
    const parsed = parseTime(text, 'to', NOW);
    assert.equal(parsed.ok, false, text);
    if (parsed.ok) continue;
    assert.equal(parsed.parameter, 'to', text);
    assert.match(parsed.message, /^to: /, text);
    assert.match(parsed.message, message, text);
  }
});

test('subtractUnits keeps the day where the month has it; alignDown starts weeks on Monday', () => {
  assert.equal(subtractUnits(utc('2024-03-31T10:00:00Z'), 1, 'M'), utc('2024-02-29T10:00:00Z'));
  assert.equal(subtractUnits(utc('2023-03-31T10:00:00Z'), 1, 'M'), utc('2023-02-28T10:00:00Z'));
  assert.equal(subtractUnits(utc('2024-01-15T00:00:00Z'), 13, 'M'), utc('2022-12-15T00:00:00Z'));
  assert.equal(subtractUnits(utc('2024-02-29T00:00:00Z'), 1, 'y'), utc('2023-02-28T00:00:00Z'));
  assert.equal(alignDown(utc('2024-03-31T10:00:00Z'), 'w'), utc('2024-03-25T00:00:00Z')); // a Sunday goes back six days
  assert.equal(alignDown(utc('2024-03-25T00:00:00Z'), 'w'), utc('2024-03-25T00:00:00Z'));
  assert.equal(alignDown(utc('2024-03-29T14:37:00Z'), 'y'), utc('2024-01-01T00:00:00Z'));
});

test('parseTimeframe: defaults from now-2h to now; from must lie before to', () => {
  assert.deepEqual(parseTimeframe(undefined, undefined, NOW), { ok: true, value: { from: NOW - 2 * HOUR, to: NOW } });
  assert.deepEqual(parseTimeframe('now-1h', undefined, NOW), { ok: true, value: { from: NOW - HOUR, to: NOW } });
  assert.deepEqual(parseTimeframe(undefined, 'now-1h', NOW), { ok: true, value: { from: NOW - 2 * HOUR, to: NOW - HOUR } });
  const reversed = parseTimeframe('now', 'now-1h', NOW);
  assert.equal(reversed.ok, false);
  if (!reversed.ok) {
    assert.equal(reversed.parameter, 'from');
    assert.match(reversed.message, /must lie before to/);
  }
  const equal = parseTimeframe('1000', '1000', NOW);
  assert.equal(equal.ok, false);
  const badTo = parseTimeframe('now-1h', 'later', NOW);
  assert.equal(!badTo.ok && badTo.parameter, 'to');
});

test('parseResolution reads points, spans, Inf and per-expression lists', () => {
  const single = (text: string | undefined): Resolution | string => {
    const parsed = parseResolution(text);
    return parsed.ok ? parsed.value.fallback : parsed.message;
  };
  const cases: [string | undefined, Resolution][] = [
    [undefined, { kind: 'points', points: 120 }],
    ['', { kind: 'points', points: 120 }],
    ['60', { kind: 'points', points: 60 }],
    ['1', { kind: 'points', points: 1 }],
    ['1m', { kind: 'span', ms: MINUTE, text: '1m' }],
    ['5m', { kind: 'span', ms: 5 * MINUTE, text: '5m' }],
    ['1h', { kind: 'span', ms: HOUR, text: '1h' }],
    ['2d', { kind: 'span', ms: 48 * HOUR, text: '2d' }],
    ['3w', { kind: 'span', ms: 21 * 24 * HOUR, text: '3w' }],
    ['1M', { kind: 'span', ms: 30 * 24 * HOUR, text: '1M' }],
    ['1q', { kind: 'span', ms: 90 * 24 * HOUR, text: '1q' }],
    ['1y', { kind: 'span', ms: 365 * 24 * HOUR, text: '1y' }],
    ['Inf', { kind: 'inf' }],
    ['inf', { kind: 'inf' }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(single(text), expected, String(text));
  for (const [text, message] of [
    ['0', /at least 1/],
    ['5s', /not a resolution/],
    ['0m', /empty span/],
    ['1.5h', /not a resolution/],
    ['fast', /not a resolution/],
  ] as const) {
    const result = single(text);
    assert.equal(typeof result, 'string', text);
    assert.match(result as string, /^resolution: /);
    assert.match(result as string, message, text);
  }
  const perExpression = parseResolution('0:Inf,1:10, 3:5m');
  assert.ok(perExpression.ok);
  assert.deepEqual(perExpression.value.fallback, { kind: 'points', points: 120 });
  assert.deepEqual([...perExpression.value.byExpression], [
    [0, { kind: 'inf' }],
    [1, { kind: 'points', points: 10 }],
    [3, { kind: 'span', ms: 5 * MINUTE, text: '5m' }],
  ]);
  for (const text of ['0:Inf,0:10', 'a:Inf', '0:Inf,1:', '0:Inf,10']) assert.equal(parseResolution(text).ok, false, text);
});

/** A store that keeps one-minute slots from `fineFrom` on and one-hour slots before. */
const finest = (fineFrom: number) => (from: number) => (from >= fineFrom ? MINUTE : HOUR);
const T = Date.UTC(2024, 0, 15, 12, 0, 0);

test('planGrid: the smallest multiple of the store step for the points, slots aligned, every touched slot included', () => {
  const cases: [string, { from: number; to: number }, Resolution, number, { start: number; step: number; count: number; inf: boolean }][] = [
    ['2h at 120 points', { from: T - 2 * HOUR, to: T }, { kind: 'points', points: 120 }, 0, { start: T - 2 * HOUR, step: MINUTE, count: 120, inf: false }],
    ['unaligned 2h: 121 slots', { from: T - 2 * HOUR + 30_000, to: T + 30_000 }, { kind: 'points', points: 120 }, 0, { start: T - 2 * HOUR, step: MINUTE, count: 121, inf: false }],
    ['6h at 120 points: 3m', { from: T - 6 * HOUR, to: T }, { kind: 'points', points: 120 }, 0, { start: T - 6 * HOUR, step: 3 * MINUTE, count: 120, inf: false }],
    ['10m at 120 points: never finer than the store', { from: T - 10 * MINUTE, to: T }, { kind: 'points', points: 120 }, 0, { start: T - 10 * MINUTE, step: MINUTE, count: 10, inf: false }],
    ['7 points over 10m: 2m', { from: T - 10 * MINUTE, to: T }, { kind: 'points', points: 7 }, 0, { start: T - 10 * MINUTE, step: 2 * MINUTE, count: 5, inf: false }],
    ['5m span', { from: T - HOUR + 60_000, to: T - 60_000 }, { kind: 'span', ms: 5 * MINUTE, text: '5m' }, 0, { start: T - HOUR, step: 5 * MINUTE, count: 12, inf: false }],
    ['Inf: one slot over the timeframe', { from: T - 90 * MINUTE - 1, to: T + 1 }, { kind: 'inf' }, 0, { start: T - 91 * MINUTE, step: 92 * MINUTE, count: 1, inf: true }],
    ['old data: hourly', { from: T - 6 * HOUR, to: T }, { kind: 'points', points: 120 }, T - 2 * HOUR, { start: T - 6 * HOUR, step: HOUR, count: 6, inf: false }],
    ['old data, 1m asked: hourly', { from: T - 6 * HOUR, to: T }, { kind: 'span', ms: MINUTE, text: '1m' }, T - 2 * HOUR, { start: T - 6 * HOUR, step: HOUR, count: 6, inf: false }],
    ['old Inf: widened to hours', { from: T - 5 * HOUR - 1, to: T - 1 }, { kind: 'inf' }, T - 2 * HOUR, { start: T - 6 * HOUR, step: 6 * HOUR, count: 1, inf: true }],
    // from is inside the fine window, but its 5-minute slot starts before it: that slot is read at the hour.
    ['first slot reaches back past the fine window', { from: T - 2 * HOUR + MINUTE, to: T }, { kind: 'span', ms: 5 * MINUTE, text: '5m' }, T - 2 * HOUR + MINUTE, { start: T - 2 * HOUR, step: HOUR, count: 2, inf: false }],
  ];
  for (const [name, frame, resolution, fineFrom, expected] of cases) {
    assert.deepEqual(planGrid(frame, resolution, finest(fineFrom)), { ok: true, value: expected }, name);
  }
});

test('planGrid refuses more than 10,080 points per series', () => {
  const tooMany = planGrid({ from: T - 8 * 24 * HOUR, to: T }, { kind: 'span', ms: MINUTE, text: '1m' }, finest(0));
  assert.equal(tooMany.ok, false);
  if (!tooMany.ok) {
    assert.equal(tooMany.parameter, 'resolution');
    assert.match(tooMany.message, /11520 points per series/);
  }
  assert.equal(planGrid({ from: T - 7 * 24 * HOUR, to: T }, { kind: 'span', ms: MINUTE, text: '1m' }, finest(0)).ok, true);
});

test('every grid covers its timeframe with whole slots of a multiple of the store step', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4e12 }),
      fc.integer({ min: 1, max: 30 * 24 * 3_600_000 }),
      fc.oneof(
        fc.integer({ min: 1, max: 2000 }).map((points): Resolution => ({ kind: 'points', points })),
        fc.integer({ min: 1, max: 500 }).map((minutes): Resolution => ({ kind: 'span', ms: minutes * MINUTE, text: `${minutes}m` })),
        fc.constant<Resolution>({ kind: 'inf' }),
      ),
      fc.integer({ min: 0, max: 4e12 }),
      (from, span, resolution, fineFrom) => {
        const grid = planGrid({ from, to: from + span }, resolution, finest(fineFrom));
        if (!grid.ok) return;
        const { start, step, count } = grid.value;
        assert.ok(start <= from && start + count * step >= from + span);
        assert.ok(start + step > from, 'no slot before the first that touches the timeframe');
        assert.equal(step % finest(fineFrom)(start), 0);
        assert.equal(start % finest(fineFrom)(start), 0);
        if (resolution.kind === 'points') assert.ok(count <= resolution.points + 1 || step === finest(fineFrom)(start));
      },
    ),
    { numRuns: 2000 },
  );
});

test('formatStep writes the largest unit that divides the step', () => {
  const cases: [number, string][] = [
    [MINUTE, '1m'],
    [5 * MINUTE, '5m'],
    [90 * MINUTE, '90m'],
    [HOUR, '1h'],
    [6 * HOUR, '6h'],
    [24 * HOUR, '1d'],
    [30 * 24 * HOUR, '30d'],
    [14 * 24 * HOUR, '2w'],
    [30_000, '30s'],
    [1500, '1500ms'],
  ];
  for (const [ms, text] of cases) assert.equal(formatStep(ms), text);
});

test('the time parsers never throw', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.stringMatching(/^(now|[0-9:T .+-]|[smhdwMyq/]|Inf)*$/)), (text) => {
      parseTime(text, 'from', NOW);
      parseResolution(text);
      parseTimeframe(text, text, NOW);
    }),
    { numRuns: 3000 },
  );
});
