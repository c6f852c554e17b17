/**
 * The one time grammar of dtmetrics. Every time a user writes is read here (`lint --now`, `query --from/--to`,
 * the editor's custom time range, the local tenant's `from`/`to`), so a text means the same instant everywhere
 * and on any machine: UTC milliseconds, ISO-8601 in UTC unless a zone is written (the Metrics API's reading,
 * PROTOCOL §7.1; never the machine's zone, as `Date.parse` would take `2024-11-22T10:00`), or `now`, `now-NU`,
 * `now/A`. Also the calendar steps the grammar and the queries share. Pure: the caller passes `now`; a bad time
 * comes back as data naming its parameter, never as an exception.
 */

import type { Failure, Result } from './result.ts';

/** A text that is not a time: names the parameter or option at fault, e.g. `from` or `--now`. */
export type Invalid = Failure<{ parameter: string }>;

export type Parsed<T> = Result<T, { parameter: string }>;

export const SECOND = 1_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const WEEK = 7 * DAY;

/** Units of relative times (`now-2h`, alignment `/d`): months and years follow the UTC calendar. */
export type TimeUnit = 's' | 'm' | 'h' | 'd' | 'w' | 'M' | 'y';

const FIXED_UNITS: Readonly<Record<Exclude<TimeUnit, 'M' | 'y'>, number>> = {
  s: SECOND,
  m: MINUTE,
  h: HOUR,
  d: DAY,
  w: WEEK,
};

const isTimeUnit = (u: string): u is TimeUnit => u.length === 1 && 'smhdwMy'.includes(u);

/**
 * `time` minus `n` units. Months and years move by the UTC calendar and keep the day where the month has it
 * (Mar 31 − 1M = Feb 28 or 29), as "one month back" means to a reader; the other units are fixed lengths.
 */
export function subtractUnits(time: number, n: number, unit: TimeUnit): number {
  if (unit !== 'M' && unit !== 'y') return time - n * FIXED_UNITS[unit];
  const date = new Date(time);
  const months = date.getUTCFullYear() * 12 + date.getUTCMonth() - (unit === 'y' ? 12 * n : n);
  const year = Math.floor(months / 12);
  const month = months - year * 12;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
  return Date.UTC(
    year,
    month,
    day,
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    date.getUTCMilliseconds(),
  );
}

/** `time` rounded down to the start of its unit in UTC ("rounds all the smaller values to zero"); weeks start on Monday (ISO 8601). */
export function alignDown(time: number, unit: TimeUnit): number {
  if (unit === 'w') {
    const day = alignDown(time, 'd');
    const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
    return day - sinceMonday * DAY;
  }
  if (unit !== 'M' && unit !== 'y') return Math.floor(time / FIXED_UNITS[unit]) * FIXED_UNITS[unit];
  const date = new Date(time);
  return Date.UTC(date.getUTCFullYear(), unit === 'y' ? 0 : date.getUTCMonth(), 1);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** The latest time a Date can hold; past it a time has no meaning. */
const MAX_TIME = 8.64e15;

/** A number that is an instant in UTC milliseconds: whole, from 1970 to the latest time a Date holds. */
export const isEpochMillis = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_TIME;

const EPOCH_MS = /^\d{1,16}$/;
const RELATIVE = /^now(?:-(\d{1,9})([a-zA-Z]))?(?:\/([a-zA-Z]))?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** The forms, as every message about a bad time and every help text names them. */
export const TIME_FORMS =
  'UTC milliseconds (1732300000000), ISO-8601 (2024-11-22, 2024-11-22T18:26, 2024-11-22T18:26:40.5+01:00; UTC unless a zone is written) or now, now-NU, now-NU/A with units s m h d w M y (now-2h, now-1d/d)';

/** One time, e.g. `--now`; blank text is a problem. */
export function parseInstant(text: string, parameter: string, now: number): Parsed<number> {
  const value = text.trim();
  const invalid = (why: string): Invalid => ({ ok: false, parameter, message: `${parameter}: ${why}` });
  if (value === '') return invalid(`the time is empty: use ${TIME_FORMS}`);
  if (EPOCH_MS.test(value)) {
    const ms = Number(value);
    return isEpochMillis(ms)
      ? { ok: true, value: ms }
      : invalid(`${value} is past the latest time a timestamp can hold`);
  }
  const relative = RELATIVE.exec(value);
  if (relative) return relativeTime(relative, now, invalid);
  const iso = ISO.exec(value);
  if (iso) return isoTime(iso, invalid);
  return invalid(`'${value}' is not a time: use ${TIME_FORMS}`);
}

/** An optional time, e.g. a query's `from`: absent or blank is null (the caller applies its default). */
export function parseTime(text: string | null | undefined, parameter: string, now: number): Parsed<number | null> {
  return text === undefined || text === null || text.trim() === ''
    ? { ok: true, value: null }
    : parseInstant(text, parameter, now);
}

function relativeTime(match: RegExpExecArray, now: number, invalid: (why: string) => Invalid): Parsed<number> {
  const [, amount, unit, alignment] = match;
  let time = now;
  if (amount !== undefined && unit !== undefined) {
    if (!isTimeUnit(unit)) return invalid(`unknown unit '${unit}' in '${match[0]}': use s m h d w M y`);
    time = subtractUnits(time, Number(amount), unit);
  }
  if (alignment !== undefined) {
    if (!isTimeUnit(alignment)) return invalid(`unknown alignment '/${alignment}' in '${match[0]}': use s m h d w M y`);
    time = alignDown(time, alignment);
  }
  return time >= 0 ? { ok: true, value: time } : invalid(`'${match[0]}' lies before 1970`);
}

function isoTime(match: RegExpExecArray, invalid: (why: string) => Invalid): Parsed<number> {
  const [text, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  // A date alone is its midnight; a time of day without seconds, its minute.
  const hour = Number(h ?? '0');
  const minute = Number(mi ?? '0');
  const second = Number(s ?? '0');
  if (year < 1970) return invalid(`'${text}' lies before 1970`);
  if (month < 0 || month > 11) return invalid(`'${text}' has no month ${mo}`);
  if (day < 1 || day > daysInMonth(year, month)) return invalid(`'${text}' has no day ${d} in that month`);
  if (hour > 23 || minute > 59 || second > 59) return invalid(`'${text}' is not a time of day`);
  // Fractions past milliseconds are cut: the API's times are whole milliseconds.
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.replace(':', '');
    const zoneHours = Number(digits.slice(1, 3));
    const zoneMinutes = Number(digits.slice(3, 5) || '0');
    if (zoneHours > 18 || zoneMinutes > 59) return invalid(`'${text}' has no time zone ${zone}`);
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  }
  const time = Date.UTC(year, month, day, hour, minute, second, ms) - offsetMinutes * MINUTE;
  return time >= 0 ? { ok: true, value: time } : invalid(`'${text}' lies before 1970`);
}

const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;
const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY };

/** A length of time written as a whole number and a unit: `500ms`, `60s`, `1m`, `5m`, `1h`, `1d`; more than 0. */
export function parseDuration(text: string, parameter: string): Parsed<number> {
  const match = DURATION.exec(text.trim());
  const ms = match ? Number(match[1]) * (DURATION_UNITS[match[2] as string] as number) : 0;
  return ms > 0
    ? { ok: true, value: ms }
    : {
        ok: false,
        parameter,
        message: `${parameter}: '${text}' is not a duration: use a whole number and ms, s, m, h or d (60s, 1m, 5m)`,
      };
}
