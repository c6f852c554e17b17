/** Times, resolutions and time grids of metric queries (server/src/core/metrics/time.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatStep, parseResolution, parseTimeframe, planGrid, type Resolution } from '#core/metrics/time.ts';
import { HOUR, MINUTE } from '#core/time.ts';

/** Friday 2024-03-29 14:37:12.345 UTC: a month end after a leap February, mid-week, mid-hour. */
const NOW = Date.UTC(2024, 2, 29, 14, 37, 12, 345);

test('parseTimeframe: defaults from now-2h to now; from must lie before to', () => {
  assert.deepEqual(parseTimeframe(undefined, undefined, NOW), { ok: true, value: { from: NOW - 2 * HOUR, to: NOW } });
  assert.deepEqual(parseTimeframe('now-1h', undefined, NOW), { ok: true, value: { from: NOW - HOUR, to: NOW } });
  assert.deepEqual(parseTimeframe(undefined, 'now-1h', NOW), {
    ok: true,
    value: { from: NOW - 2 * HOUR, to: NOW - HOUR },
  });
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
  assert.deepEqual(
    [...perExpression.value.byExpression],
    [
      [0, { kind: 'inf' }],
      [1, { kind: 'points', points: 10 }],
      [3, { kind: 'span', ms: 5 * MINUTE, text: '5m' }],
    ],
  );
  for (const text of ['0:Inf,0:10', 'a:Inf', '0:Inf,1:', '0:Inf,10'])
    assert.equal(parseResolution(text).ok, false, text);
});

/** A store that keeps one-minute slots from `fineFrom` on and one-hour slots before. */
const finest = (fineFrom: number) => (from: number) => (from >= fineFrom ? MINUTE : HOUR);
const T = Date.UTC(2024, 0, 15, 12, 0, 0);

test('planGrid: the smallest multiple of the store step for the points, slots aligned, every touched slot included', () => {
  const cases: [
    string,
    { from: number; to: number },
    Resolution,
    number,
    { start: number; step: number; count: number; inf: boolean },
  ][] = [
    [
      '2h at 120 points',
      { from: T - 2 * HOUR, to: T },
      { kind: 'points', points: 120 },
      0,
      { start: T - 2 * HOUR, step: MINUTE, count: 120, inf: false },
    ],
    [
      'unaligned 2h: 121 slots',
      { from: T - 2 * HOUR + 30_000, to: T + 30_000 },
      { kind: 'points', points: 120 },
      0,
      { start: T - 2 * HOUR, step: MINUTE, count: 121, inf: false },
    ],
    [
      '6h at 120 points: 3m',
      { from: T - 6 * HOUR, to: T },
      { kind: 'points', points: 120 },
      0,
      { start: T - 6 * HOUR, step: 3 * MINUTE, count: 120, inf: false },
    ],
    [
      '10m at 120 points: never finer than the store',
      { from: T - 10 * MINUTE, to: T },
      { kind: 'points', points: 120 },
      0,
      { start: T - 10 * MINUTE, step: MINUTE, count: 10, inf: false },
    ],
    [
      '7 points over 10m: 2m',
      { from: T - 10 * MINUTE, to: T },
      { kind: 'points', points: 7 },
      0,
      { start: T - 10 * MINUTE, step: 2 * MINUTE, count: 5, inf: false },
    ],
    [
      '5m span',
      { from: T - HOUR + 60_000, to: T - 60_000 },
      { kind: 'span', ms: 5 * MINUTE, text: '5m' },
      0,
      { start: T - HOUR, step: 5 * MINUTE, count: 12, inf: false },
    ],
    [
      'Inf: one slot over the timeframe',
      { from: T - 90 * MINUTE - 1, to: T + 1 },
      { kind: 'inf' },
      0,
      { start: T - 91 * MINUTE, step: 92 * MINUTE, count: 1, inf: true },
    ],
    [
      'old data: hourly',
      { from: T - 6 * HOUR, to: T },
      { kind: 'points', points: 120 },
      T - 2 * HOUR,
      { start: T - 6 * HOUR, step: HOUR, count: 6, inf: false },
    ],
    [
      'old data, 1m asked: hourly',
      { from: T - 6 * HOUR, to: T },
      { kind: 'span', ms: MINUTE, text: '1m' },
      T - 2 * HOUR,
      { start: T - 6 * HOUR, step: HOUR, count: 6, inf: false },
    ],
    [
      'old Inf: widened to hours',
      { from: T - 5 * HOUR - 1, to: T - 1 },
      { kind: 'inf' },
      T - 2 * HOUR,
      { start: T - 6 * HOUR, step: 6 * HOUR, count: 1, inf: true },
    ],
    // from is inside the fine window, but its 5-minute slot starts before it: that slot is read at the hour.
    [
      'first slot reaches back past the fine window',
      { from: T - 2 * HOUR + MINUTE, to: T },
      { kind: 'span', ms: 5 * MINUTE, text: '5m' },
      T - 2 * HOUR + MINUTE,
      { start: T - 2 * HOUR, step: HOUR, count: 2, inf: false },
    ],
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
  assert.equal(
    planGrid({ from: T - 7 * 24 * HOUR, to: T }, { kind: 'span', ms: MINUTE, text: '1m' }, finest(0)).ok,
    true,
  );
});

test('every grid covers its timeframe with whole slots of a multiple of the store step', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4e12 }),
      fc.integer({ min: 1, max: 30 * 24 * 3_600_000 }),
      fc.oneof(
        fc.integer({ min: 1, max: 2000 }).map((points): Resolution => ({ kind: 'points', points })),
        fc
          .integer({ min: 1, max: 500 })
          .map((minutes): Resolution => ({ kind: 'span', ms: minutes * MINUTE, text: `${minutes}m` })),
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
    fc.property(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.stringMatching(/^(now|[0-9:T .+-]|[smhdwMyq/]|Inf)*$/)),
      (text) => {
        parseResolution(text);
        parseTimeframe(text, text, NOW);
      },
    ),
    { numRuns: 3000 },
  );
});
