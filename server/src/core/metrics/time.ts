/**
 * Timeframes and resolutions of a metric query (PROTOCOL §7.1): `from`/`to` (read by the one time grammar,
 * ../time.ts) and `resolution`, and the grid of time slots a query reads. Pure: the caller passes `now`; a bad
 * value comes back as data naming its parameter, never as an exception.
 */
import { TENANT } from '../rules.ts';
import { DAY, HOUR, MINUTE, parseTime, SECOND, WEEK, type Invalid, type Parsed } from '../time.ts';

/** A parameter as it arrives from a query string: absent, or text. */
export type Param = string | null | undefined;

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
export type Resolution =
  | { kind: 'points'; points: number }
  | { kind: 'span'; ms: number; text: string }
  | { kind: 'inf' };

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
const SPAN_UNITS: Readonly<Record<string, number>> = {
  m: MINUTE,
  h: HOUR,
  d: DAY,
  w: WEEK,
  M: 30 * DAY,
  q: 90 * DAY,
  y: 365 * DAY,
};

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
    if (!match)
      return {
        ok: false,
        parameter: 'resolution',
        message: `resolution: '${pair.trim()}' is not index:resolution (0:Inf,1:10)`,
      };
    const index = Number(match[1]);
    if (byExpression.has(index))
      return { ok: false, parameter: 'resolution', message: `resolution: expression ${index} is given twice` };
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
    return points >= 1
      ? { ok: true, value: { kind: 'points', points } }
      : invalid('the number of points must be at least 1');
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
export function planGrid(
  frame: Timeframe,
  resolution: Resolution,
  finestStep: (from: number) => number,
): Parsed<TimeGrid> {
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
