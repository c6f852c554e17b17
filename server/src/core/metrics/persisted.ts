/**
 * What the local tenant's data file holds, as values (the tenant's data-file.ts turns them into bytes and back):
 * batches of records as ingested, and the store's metrics and series as a snapshot. Everything read back is
 * checked here before it reaches the store, against the clock the caller passes: a record of the wrong shape, or
 * from the future (a flipped digit, a clock that was ahead), is damaged and skipped, never fatal and never a
 * reason to drop the rest; data older than the store keeps is dropped as aged. Pure: no IO, no clock.
 */
import { LIMITS } from '../rules.ts';
import { DAY } from '../time.ts';
import type { StoredRecord } from './ingest.ts';
import type { PayloadType, SlotStats } from './series.ts';
import { SLOT_FIELDS, type MetricSnapshot, type MetricStore, type SeriesSnapshot, type StoredPoint } from './store.ts';

/** The times a read record is judged by: data must end after `since` and begin before `until`. */
export interface ReadWindow {
  now: number;
  /**
   * Data older than this is aged: the store no longer keeps it (now − retention, down to a whole slot of the
   * coarse ring, so a point and the slot it went into age alike).
   */
  since: number;
  /** Data later than this is damaged: no clock error explains it (a flipped digit lands further ahead). */
  until: number;
}

/**
 * How far ahead of the clock a record may lie and still be kept: a day. A point may be 10 minutes ahead when
 * stored, and a clock stepped back since (NTP, a resumed VM) must not cost acknowledged data; a flipped digit, or
 * a clock that was years ahead, lands further.
 */
const CLOCK_TOLERANCE_MS = DAY;

export function readWindow(now: number, store: MetricStore): ReadWindow {
  const step = store.limits.coarseStepMs;
  return { now, since: Math.floor((now - store.retentionMs) / step) * step, until: now + CLOCK_TOLERANCE_MS };
}

/** A batch as the data file keeps it: one request's stored records, written at `at`. */
export interface BatchValue {
  at: number;
  /** Points as `[key, type, [k1, v1, k2, v2, …], min, max, sum, count, timestamp]`; metadata as objects. */
  records: unknown[];
}

export function batchValue(at: number, records: readonly StoredRecord[]): BatchValue {
  return {
    at,
    records: records.map((r) => {
      if (!('point' in r)) return r.metadata;
      const { key, type, dimensions, stats, timestamp } = r.point;
      // Not `dimensions.flat()`: a loop costs a fraction of it, on the path of every stored point.
      const pairs: string[] = [];
      for (const [k, v] of dimensions) pairs.push(k, v);
      return [key, type, pairs, stats.min, stats.max, stats.sum, stats.count, timestamp];
    }),
  };
}

/** What was read of a batch, a v1 line or a series: the good part, and why the rest was not kept. */
export interface ReadResult<T> {
  value: T;
  /** Reasons records were skipped as damaged. */
  damaged: string[];
  /** Records or slots dropped as older than the store keeps. */
  aged: number;
}

/** The records of a batch read back, each checked; the batch itself damaged: no records. */
export function readBatch(value: unknown, window: ReadWindow): ReadResult<StoredRecord[]> {
  const result: ReadResult<StoredRecord[]> = { value: [], damaged: [], aged: 0 };
  const batch = value as Partial<BatchValue> | null;
  if (!isObject(batch) || !isTime(batch.at) || !Array.isArray(batch.records)) {
    result.damaged.push('a batch of the wrong shape');
    return result;
  }
  if (batch.at > window.until) {
    result.damaged.push(`a batch written in the future (${iso(batch.at)})`);
    return result;
  }
  for (const r of batch.records) {
    const record = Array.isArray(r) ? pointFromValues(r) : metadataOf(r);
    keep(result, record === null ? `a record of the wrong shape: ${preview(r)}` : record, batch.at, window);
  }
  return result;
}

/** A line of the first data file format (JSON lines of `{at, point}` or `{at, metadata}`), for migration. */
export function readV1Line(value: unknown, window: ReadWindow): ReadResult<StoredRecord[]> {
  const result: ReadResult<StoredRecord[]> = { value: [], damaged: [], aged: 0 };
  const line = value as { at?: unknown; point?: unknown; metadata?: unknown } | null;
  if (!isObject(line) || !isTime(line.at)) {
    result.damaged.push('not a record');
    return result;
  }
  if (line.at > window.until) {
    result.damaged.push(`a record written in the future (${iso(line.at)})`);
    return result;
  }
  let record: StoredPoint | MetadataValue | null = null;
  if ('point' in line) {
    const p = line.point as {
      key?: unknown;
      type?: unknown;
      dimensions?: unknown;
      stats?: unknown;
      timestamp?: unknown;
    } | null;
    const stats = (isObject(p) ? p.stats : null) as Partial<SlotStats> | null;
    const pairs =
      isObject(p) && Array.isArray(p.dimensions) && p.dimensions.every((d) => Array.isArray(d) && d.length === 2)
        ? (p.dimensions as unknown[][]).flat()
        : null;
    record =
      isObject(p) && isObject(stats)
        ? pointFromValues([p.key, p.type, pairs, stats.min, stats.max, stats.sum, stats.count, p.timestamp])
        : null;
  } else if ('metadata' in line) record = metadataOf(line.metadata);
  keep(result, record === null ? `a record of the wrong shape: ${preview(value)}` : record, line.at, window);
  return result;
}

function keep(
  result: ReadResult<StoredRecord[]>,
  record: StoredPoint | MetadataValue | string,
  at: number,
  window: ReadWindow,
): void {
  if (typeof record === 'string') result.damaged.push(record);
  else if (!('timestamp' in record)) result.value.push({ at, metadata: record });
  else if (record.timestamp > window.until)
    result.damaged.push(`a point from the future (${iso(record.timestamp)}) of ${record.key}`);
  else if (record.timestamp < window.since) result.aged++;
  else result.value.push({ at, point: record });
}

type MetadataValue = Extract<StoredRecord, { metadata: unknown }>['metadata'];

/** A point from its values as a batch keeps them (BatchValue). */
function pointFromValues(r: unknown[]): StoredPoint | null {
  const [key, type, pairs, min, max, sum, count, timestamp] = r;
  if (r.length !== 8 || !isKey(key) || !isType(type) || !isTime(timestamp)) return null;
  if (!Array.isArray(pairs) || pairs.length % 2 !== 0 || !pairs.every((s) => typeof s === 'string')) return null;
  const stats = { min, max, sum, count };
  if (!isStats(stats)) return null;
  const dimensions: [string, string][] = [];
  for (let i = 0; i < pairs.length; i += 2) dimensions.push([pairs[i] as string, pairs[i + 1] as string]);
  return { key, type, dimensions, stats, timestamp };
}

function metadataOf(value: unknown): MetadataValue | null {
  const m = value as Partial<Record<keyof MetadataValue, unknown>> | null;
  if (!isObject(m) || !isKey(m.key) || !isType(m.type)) return null;
  const metadata: MetadataValue = { key: m.key, type: m.type };
  for (const name of ['displayName', 'description', 'unit'] as const) {
    const text = m[name];
    if (text === undefined) continue;
    if (typeof text !== 'string') return null;
    metadata[name] = text;
  }
  return metadata;
}

/** A metric of a snapshot read back. */
export function readMetricSnapshot(value: unknown, window: ReadWindow): MetricSnapshot | null {
  const m = value as Partial<Record<keyof MetricSnapshot, unknown>> | null;
  if (!isObject(m) || !isKey(m.key) || !isType(m.type) || typeof m.hasMetadata !== 'boolean') return null;
  if (!isTime(m.created) || !isTime(m.lastWritten) || m.created > window.until || m.lastWritten > window.until)
    return null;
  if (!Array.isArray(m.dimensionKeys) || !m.dimensionKeys.every((k) => typeof k === 'string')) return null;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    key: m.key,
    type: m.type,
    displayName: text(m.displayName),
    description: text(m.description),
    unit: text(m.unit),
    dimensionKeys: m.dimensionKeys as string[],
    created: m.created,
    lastWritten: m.lastWritten,
    hasMetadata: m.hasMetadata,
  };
}

/** What a snapshot keeps of a series besides its slots. */
export interface SeriesHead {
  key: string;
  type: PayloadType;
  dimensions: [string, string][];
}

export function seriesHead(series: SeriesSnapshot): SeriesHead {
  return { key: series.key, type: series.type, dimensions: series.dimensions.map(([k, v]) => [k, v]) };
}

/**
 * A series of a snapshot read back: its head checked, and of its slots (SLOT_FIELDS numbers each, one array per
 * ring of `steps`) those neither damaged nor aged.
 */
export function readSeriesSnapshot(
  head: unknown,
  fine: Float64Array,
  coarse: Float64Array,
  steps: { fine: number; coarse: number },
  window: ReadWindow,
): ReadResult<SeriesSnapshot> | null {
  const h = head as Partial<Record<keyof SeriesHead, unknown>> | null;
  if (!isObject(h) || !isKey(h.key) || !isType(h.type) || !Array.isArray(h.dimensions)) return null;
  if (
    !h.dimensions.every(
      (d) => Array.isArray(d) && d.length === 2 && typeof d[0] === 'string' && typeof d[1] === 'string',
    )
  )
    return null;
  const result: ReadResult<SeriesSnapshot> = {
    value: { key: h.key, type: h.type, dimensions: h.dimensions as [string, string][], fine, coarse },
    damaged: [],
    aged: 0,
  };
  result.value.fine = goodSlots(fine, steps.fine, window, result);
  result.value.coarse = goodSlots(coarse, steps.coarse, window, result);
  return result;
}

function goodSlots(
  slots: Float64Array,
  step: number,
  window: ReadWindow,
  result: ReadResult<SeriesSnapshot>,
): Float64Array {
  /** null: the slot is kept. */
  const verdict = (i: number): string | 'aged' | null => {
    const slot = slots[i] as number;
    const min = slots[i + 1] as number;
    const max = slots[i + 2] as number;
    const sum = slots[i + 3] as number;
    const count = slots[i + 4] as number;
    // Each point was finite, so min, max and count are; a sum of large values may have overflowed to ±Infinity.
    if (
      !(
        Number.isSafeInteger(slot) &&
        slot >= 0 &&
        Number.isFinite(min) &&
        Number.isFinite(max) &&
        min <= max &&
        Number.isFinite(count) &&
        count >= 0 &&
        !Number.isNaN(sum)
      )
    ) {
      return `a slot of the wrong shape in a series of ${result.value.key}`;
    }
    if (slot * step > window.until)
      return `a slot from the future (${iso(slot * step)}) in a series of ${result.value.key}`;
    return (slot + 1) * step <= window.since ? 'aged' : null;
  };
  let i = 0;
  while (i + SLOT_FIELDS <= slots.length && verdict(i) === null) i += SLOT_FIELDS;
  // Most series keep every slot: copied only when one is left out.
  if (i === slots.length) return slots;
  const kept = new Float64Array(slots.length);
  kept.set(slots.subarray(0, i));
  let n = i;
  for (; i + SLOT_FIELDS <= slots.length; i += SLOT_FIELDS) {
    const v = verdict(i);
    if (v === null) {
      for (let f = 0; f < SLOT_FIELDS; f++) kept[n++] = slots[i + f] as number;
    } else if (v === 'aged') result.aged++;
    else result.damaged.push(v);
  }
  return kept.subarray(0, n);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A stored key: at most the longest metric key and its `.gauge`/`.count` suffix. */
const isKey = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= LIMITS.metricKeyMaxLength + '.gauge'.length;
const isType = (v: unknown): v is PayloadType => v === 'gauge' || v === 'count';
/** Epoch ms from 1970 to the year 2286: any time a tenant takes, with room. */
const isTime = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < 1e13;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isStats(s: Record<keyof SlotStats, unknown>): s is SlotStats {
  return isNumber(s.min) && isNumber(s.max) && isNumber(s.sum) && isNumber(s.count) && s.count >= 0 && s.min <= s.max;
}

const iso = (ms: number): string => (ms < 8.64e15 ? new Date(ms).toISOString() : String(ms));

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? text.slice(0, 80) + '…' : text;
}
