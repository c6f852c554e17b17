/**
 * Times and resolutions of a metric query (PROTOCOL §7.1): the `from`/`to` and `resolution` strings to epoch ms,
 * and the grid of time slots a query reads. Pure: the caller passes `now`; a bad value comes back as data naming
 * its parameter, never as an exception.
 */
import { TENANT } from '../rules.ts';

/** A parameter as it arrives from a query string: absent, or text. */
export type Param = string | null | undefined;

export interface Invalid {
  ok: false;
  /** The request parameter at fault, e.g. `from`. */
  parameter: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | Invalid;

const SECOND = 1_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** Units of relative times (`now-2h`, alignment `/d`): months and years follow the UTC calendar. */
export type TimeUnit = 's' | 'm' | 'h' | 'd' | 'w' | 'M' | 'y';

const FIXED_UNITS: Readonly<Record<Exclude<TimeUnit, 'M' | 'y'>, number>> = { s: SECOND, m: MINUTE, h: HOUR, d: DAY, w: WEEK };

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
  return Date.UTC(year, month, day, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds());
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

/** The latest time Date can hold; past it a time has no meaning. */
const MAX_TIME = 8.64e15;

const EPOCH_MS = /^\d{1,16}$/;
const RELATIVE = /^now(?:-(\d{1,9})([a-zA-Z]))?(?:\/([a-zA-Z]))?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

const TIME_FORMS =
  'use UTC milliseconds (1611554221123), ISO-8601 (2021-01-25T05:57:01.123+01:00; UTC without a zone) or now-NU[/A] with units s m h d w M y (now-2h, now-1d/d)';

/** One `from` or `to` value. Absent or blank: null (the caller applies the default). */
export function parseTime(text: Param, parameter: string, now: number): Parsed<number | null> {
  const value = text?.trim() ?? '';
  if (value === '') return { ok: true, value: null };
  const invalid = (why: string): Invalid => ({ ok: false, parameter, message: `${parameter}: ${why}` });
  if (EPOCH_MS.test(value)) {
    const ms = Number(value);
    return ms <= MAX_TIME ? { ok: true, value: ms } : invalid(`${value} is past the latest time a timestamp can hold`);
  }
  const relative = RELATIVE.exec(value);
  if (relative) return relativeTime(relative, now, invalid);
  const iso = ISO.exec(value);
  if (iso) return isoTime(iso, invalid);
  return invalid(`'${value}' is not a time: ${TIME_FORMS}`);
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
  const hour = Number(h);
  const minute = Number(mi);
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
    const zoneMinutes = Number(digits.slice(3, 5));
    if (zoneHours > 18 || zoneMinutes > 59) return invalid(`'${text}' has no time zone ${zone}`);
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  }
  const time = Date.UTC(year, month, day, hour, minute, second, ms) - offsetMinutes * MINUTE;
  return time >= 0 ? { ok: true, value: time } : invalid(`'${text}' lies before 1970`);
}

export interface Timeframe {
  from: number;
  to: number;
}

/** The default timeframe (PROTOCOL §7.1): from two hours back to now. */
const DEFAULT_TIMEFRAME_MS = 2 * HOUR;

/** `from` and `to` of a query, defaults applied; `from` must lie before `to`. */
export function parseTimeframe(from: Param, to: Param, now: number): Parsed<Timeframe> {
  const start = parseTime(from, 'from', now);
  if (!start.ok) return start;
  const end = parseTime(to, 'to', now);
  if (!end.ok) return end;
  const frame = { from: start.value ?? now - DEFAULT_TIMEFRAME_MS, to: end.value ?? now };
  if (frame.from >= frame.to) {
    const at = (ms: number) => `${new Date(ms).toISOString()} (${ms})`;
    return { ok: false, parameter: 'from', message: `from ${at(frame.from)} must lie before to ${at(frame.to)}` };
  }
  return { ok: true, value: frame };
}

/** A requested resolution: a number of points over the timeframe, a span per point, or one point in all. */
export type Resolution = { kind: 'points'; points: number } | { kind: 'span'; ms: number; text: string } | { kind: 'inf' };

export const DEFAULT_RESOLUTION: Resolution = { kind: 'points', points: 120 };

/** Resolutions per expression of the selector (`0:Inf,1:10`), and the one for the rest. */
export interface ResolutionRequest {
  fallback: Resolution;
  byExpression: ReadonlyMap<number, Resolution>;
}

/**
 * Span units of `resolution`. Months, quarters and years are fixed lengths here (30, 90, 365 days), so that
 * every slot has one length and slots align on the epoch like the shorter ones.
 */
const SPAN_UNITS: Readonly<Record<string, number>> = { m: MINUTE, h: HOUR, d: DAY, w: WEEK, M: 30 * DAY, q: 90 * DAY, y: 365 * DAY };

const RESOLUTION_FORMS = 'use a number of points (120), a span N<unit> with units m h d w M q y (5m, 1h) or Inf';

/** `resolution`: one for all expressions, or `index:resolution` pairs. Absent or blank: 120 points. */
export function parseResolution(text: Param): Parsed<ResolutionRequest> {
  const value = text?.trim() ?? '';
  if (!value.includes(':')) {
    const single = value === '' ? { ok: true as const, value: DEFAULT_RESOLUTION } : parseOneResolution(value);
    return single.ok ? { ok: true, value: { fallback: single.value, byExpression: new Map() } } : single;
  }
  const byExpression = new Map<number, Resolution>();
  for (const pair of value.split(',')) {
    const match = /^\s*(\d{1,2}):(.*)$/.exec(pair);
    if (!match) return { ok: false, parameter: 'resolution', message: `resolution: '${pair.trim()}' is not index:resolution (0:Inf,1:10)` };
    const index = Number(match[1]);
    if (byExpression.has(index)) return { ok: false, parameter: 'resolution', message: `resolution: expression ${index} is given twice` };
    const one = parseOneResolution((match[2] as string).trim());
    if (!one.ok) return one;
    byExpression.set(index, one.value);
  }
  return { ok: true, value: { fallback: DEFAULT_RESOLUTION, byExpression } };
}

function parseOneResolution(value: string): Parsed<Resolution> {
  const invalid = (why: string): Invalid => ({ ok: false, parameter: 'resolution', message: `resolution: ${why}` });
  if (value.toLowerCase() === 'inf') return { ok: true, value: { kind: 'inf' } };
  if (/^\d{1,9}$/.test(value)) {
    const points = Number(value);
    return points >= 1 ? { ok: true, value: { kind: 'points', points } } : invalid('the number of points must be at least 1');
  }
  const span = /^(\d{1,6})([a-zA-Z])$/.exec(value);
  const unit = span ? SPAN_UNITS[span[2] as string] : undefined;
  if (!span || unit === undefined) return invalid(`'${value}' is not a resolution: ${RESOLUTION_FORMS}`);
  const ms = Number(span[1]) * unit;
  return ms > 0 ? { ok: true, value: { kind: 'span', ms, text: value } } : invalid(`'${value}' is an empty span`);
}

/** The resolution for expression `index` of a selector. */
export function resolutionFor(request: ResolutionRequest, index: number): Resolution {
  return request.byExpression.get(index) ?? request.fallback;
}

/** Consecutive time slots: slot i covers [start + i·step, start + (i + 1)·step). */
export interface TimeGrid {
  start: number;
  step: number;
  count: number;
  /** One slot over the whole timeframe (`Inf`). */
  inf: boolean;
}

/**
 * The slots a query reads. The step is the smallest multiple of the store's finest step for that time that
 * gives at most the requested points (or that covers the requested span); slots align on multiples of the step,
 * and every slot the timeframe touches is included, so the first may start before `from` and the last end after
 * `to` (DOC D6 "Timeframe note"). `Inf` is one slot from `from` to `to`, widened to the store's step.
 * A first slot that reaches back past the fine window is read at the coarser step (finestStep of the slot).
 */
export function planGrid(frame: Timeframe, resolution: Resolution, finestStep: (from: number) => number): Parsed<TimeGrid> {
  let base = finestStep(frame.from);
  let grid = gridWith(frame, resolution, base);
  const older = finestStep(grid.start);
  if (older > base) {
    base = older;
    grid = gridWith(frame, resolution, base);
  }
  if (grid.count > TENANT.queryPointsPerTuple) {
    const message = `resolution: ${grid.count} points per series (a step of ${formatStep(grid.step)} over the timeframe); at most ${TENANT.queryPointsPerTuple} are allowed: use a coarser resolution or a shorter timeframe`;
    return { ok: false, parameter: 'resolution', message };
  }
  return { ok: true, value: grid };
}

function gridWith(frame: Timeframe, resolution: Resolution, base: number): TimeGrid {
  const roundUp = (ms: number) => Math.max(base, Math.ceil(ms / base) * base);
  let step: number;
  if (resolution.kind === 'inf') {
    const start = Math.floor(frame.from / base) * base;
    return { start, step: Math.ceil(frame.to / base) * base - start, count: 1, inf: true };
  }
  if (resolution.kind === 'span') step = roundUp(resolution.ms);
  else step = roundUp((frame.to - frame.from) / resolution.points);
  const start = Math.floor(frame.from / step) * step;
  const end = Math.ceil(frame.to / step) * step;
  return { start, step, count: (end - start) / step, inf: false };
}

/** A grid's end: the end of its last slot. */
export const gridEnd = (grid: TimeGrid): number => grid.start + grid.count * grid.step;

const STEP_UNITS: readonly (readonly [number, string])[] = [
  [WEEK, 'w'],
  [DAY, 'd'],
  [HOUR, 'h'],
  [MINUTE, 'm'],
  [SECOND, 's'],
];

/** A step as the API writes resolutions: in the largest unit that divides it (`1m`, `5m`, `2h`, `30d`). */
export function formatStep(ms: number): string {
  for (const [unit, suffix] of STEP_UNITS) if (ms % unit === 0) return `${ms / unit}${suffix}`;
  return `${ms}ms`;
}
