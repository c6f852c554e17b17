/**
 * Every limit of the rule table set to a value other than its default, and for each limit the files that put it
 * to work: one just over the limit in force, whose last line must get the finding with a message quoting that
 * limit, and the same file just within it, which must not get the finding. Shared by the core's test
 * (limits-in-force.test.ts) and the CLI's (test/cli/limits-in-force.test.ts, through `--limit`).
 */
import assert from 'node:assert/strict';
import { LIMITS, type Limits, type RuleCode, type Severity } from '#core/rules.ts';

export const NOW = 1_732_300_000_000;

/** Every limit, none at its default: a message or a check that reads the default table shows here. */
export const IN_FORCE: Limits = {
  metricKeyMinLength: 5,
  metricKeyMaxLength: 200,
  metricKeyConservativeLength: 180,
  dimensionKeyMaxLength: 40,
  dimensionValueMaxLength: 260,
  dimensionValueConservativeLength: 240,
  dimensionsPerLine: 4,
  lineMaxLength: 3_000,
  linesPerRequest: 7,
  requestMaxBytes: 100,
  timestampPastMs: 90 * 60_000,
  timestampFutureMs: 90_000,
  summaryTolerance: 0.001,
  unitMaxLength: 10,
  displayNameMaxLength: 30,
  descriptionMaxLength: 500,
  metricKeysPerEnvironment: 3,
  cardinalityBudget: 2,
};

export interface LimitCase {
  limit: keyof Limits;
  code: RuleCode;
  severity: Severity;
  /** A file whose last line is just over the limit in force, and the same file just within it. */
  over: string[];
  under: string[];
  /** Where the message quotes the limit (one capture group). */
  quoted: RegExp;
  /** The quoted text as a number (default: digits with thousands separators). */
  read?: (text: string) => number;
}

/** A metric key of exactly `n` characters. */
const key = (n: number) => 'app.' + 'x'.repeat(n - 4);
/** A data line of exactly `n` characters. */
const line = (n: number) => 'my.metric,h=' + 'a'.repeat(n - 14) + ' 5';
const value = (text: string) => `my.metric,v=${text} 5`;
/** "2 h", "5 min", "1 h 30 min", "90 s", "1,500 ms" in milliseconds. */
const duration = (text: string) =>
  [...text.matchAll(/([\d,]+) (h|min|s|ms)\b/g)].reduce(
    (ms, [, n, unit]) =>
      ms +
      Number(n?.replaceAll(',', '')) * { h: 3_600_000, min: 60_000, s: 1_000, ms: 1 }[unit as 'h' | 'min' | 's' | 'ms'],
    0,
  );
const number = (text: string) => Number(text);
const LIMIT_IS = /the limit is ([\d,]+)/;

export const CASES: LimitCase[] = [
  {
    limit: 'metricKeyMinLength',
    code: 'MK007',
    severity: 'error',
    over: ['abcd 5'],
    under: ['abcde 5'],
    quoted: /at least ([\d,]+) characters/,
  },
  {
    limit: 'metricKeyMaxLength',
    code: 'MK008',
    severity: 'error',
    over: [`${key(201)} 5`],
    under: [`${key(200)} 5`],
    quoted: LIMIT_IS,
  },
  {
    limit: 'metricKeyMaxLength',
    code: 'MK008',
    severity: 'warning',
    over: [`${key(181)} 5`],
    under: [`${key(180)} 5`],
    quoted: /within the limit of ([\d,]+)/,
  },
  {
    limit: 'metricKeyConservativeLength',
    code: 'MK008',
    severity: 'warning',
    over: [`${key(181)} 5`],
    under: [`${key(180)} 5`],
    quoted: /cut at ([\d,]+)/,
  },
  {
    limit: 'dimensionKeyMaxLength',
    code: 'DK003',
    severity: 'error',
    over: [`my.metric,${'k'.repeat(41)}=v 5`],
    under: [`my.metric,${'k'.repeat(40)}=v 5`],
    quoted: LIMIT_IS,
  },
  {
    limit: 'dimensionValueMaxLength',
    code: 'DV005',
    severity: 'error',
    over: [value('a'.repeat(261))],
    under: [value('a'.repeat(260))],
    quoted: LIMIT_IS,
  },
  {
    limit: 'dimensionValueMaxLength',
    code: 'DV005',
    severity: 'warning',
    over: [value('a'.repeat(241))],
    under: [value('a'.repeat(240))],
    quoted: /within the limit of ([\d,]+)/,
  },
  {
    limit: 'dimensionValueConservativeLength',
    code: 'DV005',
    severity: 'warning',
    over: [value('a'.repeat(241))],
    under: [value('a'.repeat(240))],
    quoted: /cut at ([\d,]+)/,
  },
  // Only the form as written (an escape counts two) is over.
  {
    limit: 'dimensionValueConservativeLength',
    code: 'DV005',
    severity: 'hint',
    over: [value('a'.repeat(239) + '\\,')],
    under: [value('a'.repeat(238) + '\\,')],
    quoted: /characters: over ([\d,]+)/,
  },
  {
    limit: 'dimensionsPerLine',
    code: 'DK005',
    severity: 'error',
    over: ['my.metric,a=1,b=2,c=3,d=4,e=5 5'],
    under: ['my.metric,a=1,b=2,c=3,d=4 5'],
    quoted: LIMIT_IS,
  },
  {
    limit: 'lineMaxLength',
    code: 'LN001',
    severity: 'error',
    over: [line(3_001)],
    under: [line(3_000)],
    quoted: LIMIT_IS,
  },
  {
    limit: 'linesPerRequest',
    code: 'LN002',
    severity: 'info',
    over: Array(8).fill('my.metric 5'),
    under: Array(7).fill('my.metric 5'),
    quoted: /requests of ([\d,]+) lines/,
  },
  // Two lines and the `\n` between them: 101 bytes, then 100.
  {
    limit: 'requestMaxBytes',
    code: 'LN003',
    severity: 'info',
    over: [line(50), line(50)],
    under: [line(50), line(49)],
    quoted: /pass ([\d,]+) bytes/,
  },
  {
    limit: 'timestampPastMs',
    code: 'TS003',
    severity: 'error',
    over: [`my.metric 5 ${NOW - 5_400_001}`],
    under: [`my.metric 5 ${NOW - 5_400_000}`],
    quoted: /older than ([^.;:]+)/,
    read: duration,
  },
  {
    limit: 'timestampFutureMs',
    code: 'TS003',
    severity: 'error',
    over: [`my.metric 5 ${NOW + 90_001}`],
    under: [`my.metric 5 ${NOW + 90_000}`],
    quoted: /more than ([^.;:]+) ahead/,
    read: duration,
  },
  // A clean line first, so that the summary takes the CLI's fast path, which checks it too.
  {
    limit: 'summaryTolerance',
    code: 'PL008',
    severity: 'error',
    over: ['sum.check 5', 'sum.check gauge,min=1,max=1,sum=1.002,count=1'],
    under: ['sum.check 5', 'sum.check gauge,min=1,max=1,sum=1.0009,count=1'],
    quoted: /within ([\d.e+-]+)\)/,
    read: number,
  },
  {
    limit: 'summaryTolerance',
    code: 'PL008',
    severity: 'error',
    over: ['sum.check 5', 'sum.check gauge,min=1,max=2,sum=4.003,count=2'],
    under: ['sum.check 5', 'sum.check gauge,min=1,max=2,sum=4.001,count=2'],
    quoted: /tolerance ([\d.e+-]+)\)/,
    read: number,
  },
  {
    limit: 'unitMaxLength',
    code: 'MD003',
    severity: 'warning',
    over: [`#my.metric gauge dt.meta.unit=${'U'.repeat(11)}`],
    under: [`#my.metric gauge dt.meta.unit=${'U'.repeat(10)}`],
    quoted: /units longer than ([\d,]+)\./,
  },
  {
    limit: 'displayNameMaxLength',
    code: 'MD004',
    severity: 'warning',
    over: [`#my.metric gauge dt.meta.displayName=${'d'.repeat(31)}`],
    under: [`#my.metric gauge dt.meta.displayName=${'d'.repeat(30)}`],
    quoted: /cut it at ([\d,]+)/,
  },
  {
    limit: 'descriptionMaxLength',
    code: 'MD004',
    severity: 'warning',
    over: [`#my.metric gauge dt.meta.description=${'d'.repeat(501)}`],
    under: [`#my.metric gauge dt.meta.description=${'d'.repeat(500)}`],
    quoted: /cut it at ([\d,]+)/,
  },
  {
    limit: 'metricKeysPerEnvironment',
    code: 'MK013',
    severity: 'warning',
    over: ['key.one 5', 'key.two 5', 'key.three 5', 'key.four 5'],
    under: ['key.one 5', 'key.two 5', 'key.three 5'],
    quoted: /more than ([\d,]+) distinct metric keys/,
  },
  {
    limit: 'cardinalityBudget',
    code: 'MK012',
    severity: 'warning',
    over: ['my.metric,h=a 1', 'my.metric,h=b 1', 'my.metric,h=c 1'],
    under: ['my.metric,h=a 1', 'my.metric,h=b 1'],
    quoted: /more than ([\d,]+) distinct dimension tuples/,
  },
];

/** What both tests read of a finding, wherever it came from: the core (0-based lines) or the CLI's JSON. */
export interface Finding {
  line: number;
  code: string;
  severity: string;
  message: string;
}

/** The case's finding on the last line of `over` quotes the limit in force; `under` has no such finding. */
export function assertCase(c: LimitCase, over: Finding[], under: Finding[]): void {
  const label = `${c.limit} (${c.code} ${c.severity})`;
  const found = over.filter((f) => f.code === c.code && f.severity === c.severity);
  assert.deepEqual(
    found.map((f) => f.line),
    [c.over.length - 1],
    `${label}: one finding, on the last line just over the limit`,
  );
  const quoted = c.quoted.exec((found[0] as Finding).message);
  assert.ok(quoted, `${label}: the message quotes the limit: ${(found[0] as Finding).message}`);
  assert.equal(
    (c.read ?? ((t: string) => Number(t.replaceAll(',', ''))))(quoted[1] as string),
    IN_FORCE[c.limit],
    `${label}: the quoted limit is the one in force`,
  );
  const within = under.filter((f) => f.code === c.code && f.severity === c.severity);
  assert.deepEqual(within, [], `${label}: nothing just within the limit`);
}

/** The table covers every limit, none at its default. */
export function assertEveryLimit(): void {
  for (const name of Object.keys(LIMITS) as (keyof Limits)[]) {
    assert.notEqual(IN_FORCE[name], LIMITS[name], `${name} is set to a value other than its default`);
    assert.ok(
      CASES.some((c) => c.limit === name),
      `${name} has a case`,
    );
  }
}
