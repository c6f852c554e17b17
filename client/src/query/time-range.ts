/**
 * Time ranges and resolutions as the quick picks offer them, as the panel names them, and as each API takes them.
 * A range is read with the core's one time grammar (ms, ISO-8601 in UTC unless a zone is written, `now-2h`) when
 * the query is sent, and goes out as ms: a tenant then never has to read a form it may not know (a date alone,
 * `now-30s`, a `+14` zone), and the prompt, the CLI and the local tenant agree on every instant. v1 takes a
 * relativeTime for the presets it knows.
 */
import { parseTimeframe } from '#core/metrics/time.ts';
import type { Result } from '#core/result.ts';
import type { V1Request } from '#http/query.ts';
import type { QuerySpec } from './messages.ts';

export interface RangePreset {
  label: string;
  from: string;
  /** The v1 API's relativeTime for the same range. */
  v1: string;
}

export const RANGE_PRESETS: readonly RangePreset[] = [
  { label: 'Last 30 minutes', from: 'now-30m', v1: '30mins' },
  { label: 'Last 2 hours', from: 'now-2h', v1: '2hours' },
  { label: 'Last 24 hours', from: 'now-24h', v1: 'day' },
  { label: 'Last 7 days', from: 'now-7d', v1: 'week' },
];

export const DEFAULT_FROM = 'now-2h';

export const RESOLUTIONS: readonly { label: string; value: string | undefined; detail: string }[] = [
  { label: 'Auto', value: undefined, detail: "the tenant's default: 120 points over the time range" },
  { label: '1m', value: '1m', detail: 'one point a minute' },
  { label: '5m', value: '5m', detail: 'one point every 5 minutes' },
  { label: '1h', value: '1h', detail: 'one point an hour' },
];

/** `Last 2 hours`, or `from … to …` as written. */
export function rangeLabel(spec: Pick<QuerySpec, 'from' | 'to'>): string {
  const preset = !spec.to ? RANGE_PRESETS.find((p) => p.from === spec.from) : undefined;
  return preset ? preset.label : `${spec.from} to ${spec.to || 'now'}`;
}

/** Why a from or to value is not a time (undefined: it is). */
export function timeError(from: string, to: string | undefined, now: number): string | undefined {
  const frame = parseTimeframe(from, to, now);
  return frame.ok ? undefined : frame.message;
}

/** The v2 request's from and to: ms at `now`. */
export function v2Time(spec: QuerySpec, now: number): Result<{ from: string; to: string }> {
  const frame = parseTimeframe(spec.from, spec.to, now);
  return frame.ok ? { ok: true, value: { from: String(frame.value.from), to: String(frame.value.to) } } : frame;
}

/** The v1 request's time fields for a spec: a relativeTime for a preset, else start and end in ms at `now`. */
export function v1Time(
  spec: QuerySpec,
  now: number,
): Result<Pick<V1Request, 'relativeTime' | 'startTimestamp' | 'endTimestamp'>> {
  const preset = !spec.to ? RANGE_PRESETS.find((p) => p.from === spec.from) : undefined;
  if (preset) return { ok: true, value: { relativeTime: preset.v1 } };
  const frame = parseTimeframe(spec.from, spec.to, now);
  return frame.ok ? { ok: true, value: { startTimestamp: frame.value.from, endTimestamp: frame.value.to } } : frame;
}
