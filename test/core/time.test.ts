/**
 * The one time grammar (server/src/core/time.ts): every text → the instant it means, or the problem it has. The
 * expected instants are written as `Date.UTC` parts or numbers, never through `Date.parse`, so the table means the
 * same in any TZ (test/tenant/time-zones.slow.test.ts runs the built CLI under several).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { alignDown, HOUR, MINUTE, parseInstant, parseTime, subtractUnits } from '#core/time.ts';

/** Friday 2024-03-29 14:37:12.345 UTC: a month end after a leap February, mid-week, mid-hour. */
const NOW = Date.UTC(2024, 2, 29, 14, 37, 12, 345);
const utc = (...parts: [number, number, number, number?, number?, number?, number?]): number =>
  Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3] ?? 0, parts[4] ?? 0, parts[5] ?? 0, parts[6] ?? 0);

const READS: [text: string, ms: number][] = [
  // UTC milliseconds
  ['1611554221123', 1611554221123],
  ['0', 0],
  ['8640000000000000', 8.64e15], // the last instant a Date holds
  // ISO-8601: UTC unless a zone is written
  ['2021-01-25', utc(2021, 1, 25)], // date only: midnight UTC
  ['2021-01-25T05:57', utc(2021, 1, 25, 5, 57)],
  ['2021-01-25 05:57', utc(2021, 1, 25, 5, 57)], // a space for the T
  ['2021-01-25T05:57:01', utc(2021, 1, 25, 5, 57, 1)],
  ['2021-01-25T05:57:01.5', utc(2021, 1, 25, 5, 57, 1, 500)],
  ['2021-01-25T05:57:01.123', utc(2021, 1, 25, 5, 57, 1, 123)],
  ['2021-01-25T05:57:01.123456789', utc(2021, 1, 25, 5, 57, 1, 123)], // past milliseconds: cut
  ['2021-01-25T05:57:01.123Z', utc(2021, 1, 25, 5, 57, 1, 123)],
  ['2021-01-25T05:57:01.123+01:00', utc(2021, 1, 25, 4, 57, 1, 123)],
  ['2021-01-25T05:57-0530', utc(2021, 1, 25, 11, 27)],
  ['2021-01-25T05:57+14', utc(2021, 1, 24, 15, 57)], // hours-only offset (Kiritimati)
  ['2021-01-25T05:57-03:30', utc(2021, 1, 25, 9, 27)], // St. John's
  ['2024-02-29', utc(2024, 2, 29)],
  ['1970-01-01T00:00Z', 0],
  ['  2021-01-25T05:57  ', utc(2021, 1, 25, 5, 57)],
  // now, now-NU, now/A, now-NU/A; months and years on the UTC calendar
  ['now', NOW],
  ['  now  ', NOW],
  ['now-30s', NOW - 30_000],
  ['now-5m', NOW - 5 * MINUTE],
  ['now-2h', NOW - 2 * HOUR],
  ['now-1d', NOW - 24 * HOUR],
  ['now-1w', NOW - 7 * 24 * HOUR],
  ['now-1M', utc(2024, 2, 29, 14, 37, 12, 345)], // Mar 29 − 1 month; the calendar, not 30 days
  ['now-1y', utc(2023, 3, 29, 14, 37, 12, 345)],
  ['now/h', utc(2024, 3, 29, 14)],
  ['now/m', utc(2024, 3, 29, 14, 37)],
  ['now/s', utc(2024, 3, 29, 14, 37, 12)],
  ['now-1d/d', utc(2024, 3, 28)],
  ['now/w', utc(2024, 3, 25)], // Monday
  ['now-1y/w', utc(2023, 3, 27)], // the doc's own example
  ['now/M', utc(2024, 3, 1)],
  ['now-2M/y', utc(2024, 1, 1)],
];

const PROBLEMS: [text: string, problem: RegExp][] = [
  ['', /is empty/],
  ['   ', /is empty/],
  ['yesterday', /'yesterday' is not a time: use UTC milliseconds .* ISO-8601 .* UTC unless a zone is written.* now-/],
  ['now-2x', /unknown unit 'x'/],
  ['now/q', /unknown alignment '\/q'/],
  ['now+2h', /not a time/],
  ['now-2', /not a time/],
  ['2021-01', /not a time/],
  ['2021-01-25T05', /not a time/], // an hour needs its minutes
  ['2021-01-25Z', /not a time/], // a zone needs a time of day
  ['2021-01-25T05:57:01.', /not a time/],
  ['2021-13-01', /no month 13/],
  ['2021-02-29', /no day 29/],
  ['2021-04-31T00:00', /no day 31/],
  ['2021-01-25T24:00', /not a time of day/],
  ['2021-01-25T05:60', /not a time of day/],
  ['2021-01-25T05:57:60', /not a time of day/],
  ['2021-01-25T05:57+19:00', /no time zone/],
  ['2021-01-25T05:57+05:60', /no time zone/],
  ['1969-12-31T23:59', /before 1970/],
  ['1970-01-01T00:30+01:00', /before 1970/],
  ['now-100y', /before 1970/],
  ['1.7e12', /not a time/],
  ['-5', /not a time/],
  ['99999999999999999', /not a time/],
  ['8640000000000001', /past the latest time/],
  ['Fri, 22 Nov 2024 10:00:00 GMT', /not a time/], // what Date.parse also takes: not ISO-8601
];

test('parseInstant: every form reads as its instant, the same in any time zone', () => {
  for (const [text, ms] of READS)
    assert.deepEqual(parseInstant(text, '--now', NOW), { ok: true, value: ms }, JSON.stringify(text));
});

test('parseInstant: every problem is data naming the parameter, never an exception', () => {
  for (const [text, problem] of PROBLEMS) {
    const parsed = parseInstant(text, '--now', NOW);
    assert.equal(parsed.ok, false, JSON.stringify(text));
    if (parsed.ok) continue;
    assert.equal(parsed.parameter, '--now', text);
    assert.match(parsed.message, /^--now: /, text);
    assert.match(parsed.message, problem, text);
  }
});

test('parseTime: absent or blank is null (the caller applies its default), anything else as parseInstant', () => {
  for (const text of [undefined, null, '', '   '])
    assert.deepEqual(parseTime(text, 'to', NOW), { ok: true, value: null });
  for (const [text, ms] of READS.filter(([text]) => text.trim() !== ''))
    assert.deepEqual(parseTime(text, 'from', NOW), { ok: true, value: ms }, text);
  for (const [text] of PROBLEMS.filter(([text]) => text.trim() !== ''))
    assert.equal(parseTime(text, 'from', NOW).ok, false, text);
});

test('subtractUnits keeps the day where the month has it; alignDown starts weeks on Monday', () => {
  assert.equal(subtractUnits(utc(2024, 3, 31, 10), 1, 'M'), utc(2024, 2, 29, 10));
  assert.equal(subtractUnits(utc(2023, 3, 31, 10), 1, 'M'), utc(2023, 2, 28, 10));
  assert.equal(subtractUnits(utc(2024, 1, 15), 13, 'M'), utc(2022, 12, 15));
  assert.equal(subtractUnits(utc(2024, 2, 29), 1, 'y'), utc(2023, 2, 28));
  assert.equal(alignDown(utc(2024, 3, 31, 10), 'w'), utc(2024, 3, 25)); // a Sunday goes back six days
  assert.equal(alignDown(utc(2024, 3, 25), 'w'), utc(2024, 3, 25));
  assert.equal(alignDown(utc(2024, 3, 29, 14, 37), 'y'), utc(2024, 1, 1));
});

test('parseInstant never throws, and what it reads is a time a Date holds', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.stringMatching(/^(now|[0-9:TZ .+-]|[smhdwMy/])*$/)),
      (text) => {
        const parsed = parseInstant(text, 'at', NOW);
        if (parsed.ok)
          assert.ok(
            Number.isSafeInteger(parsed.value) && parsed.value >= 0 && parsed.value <= 8.64e15,
            `${text} → ${parsed.value}`,
          );
      },
    ),
    { numRuns: 3000 },
  );
});
