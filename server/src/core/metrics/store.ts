/**
 * The local tenant's metric store: in memory, bounded, pure (no IO, no clock; every time is given).
 *
 * Each series keeps its points summarised per time slot in two rings: one-minute slots for the recent window
 * (144 slots, 2 h 24 min: the default query span of two hours, the ten minutes a timestamp may lie in the future,
 * and a margin) and one-hour slots for the last eight days. A point goes into both. A series thus costs a fixed
 * ~15 KB whatever it receives, and the whole store at most `maxSeries` of those: memory stays bounded under any
 * amount of data (a week at one point a minute for 10,000 series: 146.8 MB, bench/TENANT-MEMORY.md). Older data is only kept at the coarser step, as a
 * real tenant lowers resolution with age.
 */
import { LIMITS } from '../rules.ts';
import {
  SlotColumns,
  type MetricFacts,
  type MetricSource,
  type PayloadType,
  type SeriesReader,
  type SlotStats,
} from './series.ts';

export interface StoreOptions {
  /** At most this many series in all; a point of a new series past it is refused (`'series-limit'`). */
  maxSeries: number;
  /** At most this many metrics (a metadata line alone makes one); a new one past it is refused (`'metric-limit'`). */
  maxMetrics: number;
  fineStepMs: number;
  fineSlots: number;
  coarseStepMs: number;
  coarseSlots: number;
}

const DEFAULT_STORE_OPTIONS: StoreOptions = {
  maxSeries: 20_000,
  maxMetrics: LIMITS.metricKeysPerEnvironment,
  fineStepMs: 60_000,
  fineSlots: 144,
  coarseStepMs: 3_600_000,
  coarseSlots: 192,
};

/** One data point as ingested: the stored key (suffix rule applied), its dimensions and its summary. */
export interface StoredPoint {
  key: string;
  type: PayloadType;
  /** Dimension pairs in line order, escapes resolved; pairs with an empty value are dropped by the caller. */
  dimensions: readonly (readonly [string, string])[];
  stats: SlotStats;
  /** The point's time, epoch ms. */
  timestamp: number;
}

/** Why the store refuses a record: a new series or a new metric past its limit. */
export type Refusal = 'series-limit' | 'metric-limit';

/** What a record asks of the store: its metric and, for a point, its series. */
export interface StoreTarget {
  key: string;
  type: PayloadType;
  /** A point's dimensions; none for a metadata record, which asks for the metric only. */
  dimensions?: readonly (readonly [string, string])[];
}

/** A metric as the data file keeps it. */
export type MetricSnapshot = MetricFacts & { dimensionKeys: string[]; hasMetadata: boolean };

/** A series as the data file keeps it: its stored key, dimensions, and each ring's occupied slots (`SlotRing.occupied`). */
export interface SeriesSnapshot {
  key: string;
  type: PayloadType;
  dimensions: readonly (readonly [string, string])[];
  fine: Float64Array;
  coarse: Float64Array;
}

export interface MetricMetadata {
  displayName?: string;
  description?: string;
  unit?: string;
}

/** Slots of one step in a ring: slot n (time n·step) sits at n mod size, tagged n + 1 (0: empty). */
class SlotRing {
  private readonly tags: Int32Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly sum: Float64Array;
  private readonly count: Float64Array;

  constructor(
    readonly step: number,
    readonly size: number,
  ) {
    this.tags = new Int32Array(size);
    this.min = new Float64Array(size);
    this.max = new Float64Array(size);
    this.sum = new Float64Array(size);
    this.count = new Float64Array(size);
  }

  add(timestamp: number, s: SlotStats): void {
    this.merge(Math.floor(timestamp / this.step), s.min, s.max, s.sum, s.count);
  }

  private merge(slot: number, min: number, max: number, sum: number, count: number): void {
    if (!(slot >= 0 && slot < MAX_SLOT)) return; // before 1970 or past the year 4000 (minute slots): not a time a tenant takes
    const at = slot % this.size;
    const tag = slot + 1;
    const held = this.tags[at] as number;
    if (held > tag) return; // a newer slot lives here: this one is older than the ring keeps
    if (held < tag) {
      this.tags[at] = tag;
      this.min[at] = min;
      this.max[at] = max;
      this.sum[at] = sum;
      this.count[at] = count;
      return;
    }
    this.min[at] = Math.min(this.min[at] as number, min);
    this.max[at] = Math.max(this.max[at] as number, max);
    this.sum[at] = (this.sum[at] as number) + sum;
    this.count[at] = (this.count[at] as number) + count;
  }

  /**
   * The occupied slots that end after `since`, five numbers each (slot number, min, max, sum, count): what the data
   * file keeps of this ring.
   */
  occupied(since: number): Float64Array {
    const first = Math.floor(since / this.step);
    let n = 0;
    for (let at = 0; at < this.size; at++) if ((this.tags[at] as number) > first) n++;
    const out = new Float64Array(n * SLOT_FIELDS);
    let o = 0;
    for (let at = 0; at < this.size; at++) {
      const tag = this.tags[at] as number;
      if (tag <= first) continue;
      out[o++] = tag - 1;
      out[o++] = this.min[at] as number;
      out[o++] = this.max[at] as number;
      out[o++] = this.sum[at] as number;
      out[o++] = this.count[at] as number;
    }
    return out;
  }

  /** Whether a slot that ends after `since` holds a point. */
  holdsAfter(since: number): boolean {
    const first = Math.floor(since / this.step);
    return this.tags.some((tag) => tag > first);
  }

  /** Puts back slots as `occupied` gave them (merged with what the slots already hold); returns the last slot. */
  restore(slots: Float64Array): number {
    let last = -1;
    for (let i = 0; i < slots.length; i += SLOT_FIELDS) {
      const slot = slots[i] as number;
      this.merge(slot, slots[i + 1] as number, slots[i + 2] as number, slots[i + 3] as number, slots[i + 4] as number);
      if (slot > last) last = slot;
    }
    return last;
  }

  /**
   * The slots of [from, from + step·count) in steps of `step` (a multiple of this ring's), merged, into `into`;
   * whether any holds a point.
   */
  readColumns(from: number, step: number, count: number, into: SlotColumns): boolean {
    const per = step / this.step;
    const first = from / this.step;
    let any = false;
    for (let i = 0; i < count; i++) {
      into.present[i] = 0;
      for (let j = 0; j < per; j++) {
        const slot = first + i * per + j;
        if (!(slot >= 0 && slot < MAX_SLOT)) continue;
        const at = slot % this.size;
        if (this.tags[at] !== slot + 1) continue;
        into.merge(i, this.min[at] as number, this.max[at] as number, this.sum[at] as number, this.count[at] as number);
        any = true;
      }
    }
    return any;
  }
}

/** Slot numbers are tagged in 32-bit integers. */
const MAX_SLOT = 0x7fff_fffe;

/** Numbers per slot in `SlotRing.occupied`: slot number, min, max, sum, count. */
export const SLOT_FIELDS = 5;

class StoredSeries implements SeriesReader {
  readonly fine: SlotRing;
  readonly coarse: SlotRing;

  constructor(
    readonly dimensions: Readonly<Record<string, string>>,
    options: StoreOptions,
  ) {
    this.fine = new SlotRing(options.fineStepMs, options.fineSlots);
    this.coarse = new SlotRing(options.coarseStepMs, options.coarseSlots);
  }

  read(from: number, step: number, count: number): (SlotStats | null)[] {
    const columns = new SlotColumns(count);
    this.readColumns(from, step, count, columns);
    return Array.from({ length: count }, (_, i) => columns.stats(i));
  }

  readColumns(from: number, step: number, count: number, into: SlotColumns): boolean {
    const ring =
      step % this.coarse.step === 0 && from % this.coarse.step === 0 && step >= this.coarse.step
        ? this.coarse
        : this.fine;
    return ring.readColumns(from, step, count, into);
  }
}

interface MetricState {
  facts: MetricFacts & { dimensionKeys: string[] };
  series: Map<string, StoredSeries>;
  /** Metadata is created once, by the first metadata line (DOC D1, D4: "only the first occurrence is used"). */
  hasMetadata: boolean;
}

export class MetricStore implements MetricSource {
  readonly limits: StoreOptions;
  private readonly byKey = new Map<string, MetricState>();
  private seriesCount = 0;
  /** The newest point's time: the fine window ends here. */
  private latest = -Infinity;

  constructor(options: Partial<StoreOptions> = {}) {
    this.limits = { ...DEFAULT_STORE_OPTIONS, ...options };
  }

  /** Stores a point written at `now`. Returns whether it was stored, or refused as a new metric or series past its limit. */
  add(point: StoredPoint, now: number): 'stored' | Refusal {
    const series = this.seriesFor(point.key, point.type, point.dimensions, now);
    if (typeof series === 'string') return series;
    series.fine.add(point.timestamp, point.stats);
    series.coarse.add(point.timestamp, point.stats);
    const facts = (this.byKey.get(point.key) as MetricState).facts;
    facts.lastWritten = Math.max(facts.lastWritten, now);
    if (point.timestamp > this.latest) this.latest = point.timestamp;
    return 'stored';
  }

  /**
   * What `add` (a point: with dimensions) or `setMetadata` (without) would refuse of `targets`, in order, without
   * storing anything: null where it would store. A new metric or series counts against its limit once, at its
   * first record. Lets the caller make a batch durable before it becomes visible.
   */
  admits(targets: readonly StoreTarget[]): (Refusal | null)[] {
    const { maxSeries, maxMetrics } = this.limits;
    // Room for every record as a new metric and series: nothing to look up (the common case, far below the limits).
    if (this.seriesCount + targets.length <= maxSeries && this.byKey.size + targets.length <= maxMetrics)
      return targets.map(() => null);
    const newMetrics = new Set<string>();
    const newSeries = new Set<string>();
    return targets.map((target) => {
      const metric = this.byKey.get(target.key);
      if (!metric && !newMetrics.has(target.key) && this.byKey.size + newMetrics.size >= maxMetrics)
        return 'metric-limit';
      if (target.dimensions) {
        const seriesKey = seriesKeyOf(firstOfEachKey(target.dimensions));
        const id = target.key + '\u0002' + seriesKey;
        if (!metric?.series.has(seriesKey) && !newSeries.has(id)) {
          if (this.seriesCount + newSeries.size >= maxSeries) return 'series-limit';
          newSeries.add(id);
        }
      }
      if (!metric) newMetrics.add(target.key);
      return null;
    });
  }

  /**
   * Forgets what has aged: series without a slot that ends after `since`, and metrics left with neither a series
   * nor metadata. Their places under the limits become free, as a restart from the data file would free them.
   */
  prune(since: number): void {
    for (const [key, metric] of this.byKey) {
      for (const [seriesKey, series] of metric.series) {
        if (!series.fine.holdsAfter(since) && !series.coarse.holdsAfter(since)) {
          metric.series.delete(seriesKey);
          this.seriesCount--;
        }
      }
      if (metric.series.size === 0 && !metric.hasMetadata) this.byKey.delete(key);
    }
  }

  /** The series of a dimension tuple, created if new; the refusal for a new one past a limit. */
  private seriesFor(
    key: string,
    type: PayloadType,
    dimensionPairs: readonly (readonly [string, string])[],
    now: number,
  ): StoredSeries | Refusal {
    const pairs = firstOfEachKey(dimensionPairs);
    const seriesKey = seriesKeyOf(pairs);
    const existing = this.byKey.get(key)?.series.get(seriesKey);
    if (existing) return existing;
    if (this.seriesCount >= this.limits.maxSeries) return 'series-limit';
    const metric = this.metricState(key, type, now);
    if (!metric) return 'metric-limit';
    // No prototype: `constructor` and `__proto__` are dimension keys like any other.
    const dimensions = Object.create(null) as Record<string, string>;
    for (const [k, v] of pairs) {
      dimensions[k] = v;
      if (!metric.facts.dimensionKeys.includes(k)) metric.facts.dimensionKeys.push(k);
    }
    const series = new StoredSeries(dimensions, this.limits);
    metric.series.set(seriesKey, series);
    this.seriesCount++;
    return series;
  }

  /** Every metric as the data file keeps it (metrics without series included). */
  metricSnapshots(): MetricSnapshot[] {
    return [...this.byKey.values()].map(({ facts, hasMetadata }) => ({
      ...facts,
      dimensionKeys: [...facts.dimensionKeys],
      hasMetadata,
    }));
  }

  /** Every series as the data file keeps it: slots that end after `since` only; a series with none is left out. */
  *seriesSnapshots(since: number): Generator<SeriesSnapshot> {
    for (const [key, metric] of this.byKey) {
      for (const series of metric.series.values()) {
        const fine = series.fine.occupied(since);
        const coarse = series.coarse.occupied(since);
        if (fine.length + coarse.length > 0)
          yield { key, type: metric.facts.type, dimensions: Object.entries(series.dimensions), fine, coarse };
      }
    }
  }

  /** Puts back a metric from the data file (before its series); false past the metric limit. */
  restoreMetric(snapshot: MetricSnapshot): boolean {
    const metric = this.metricState(snapshot.key, snapshot.type, snapshot.created);
    if (!metric) return false;
    const { hasMetadata, ...facts } = snapshot;
    Object.assign(metric.facts, facts);
    metric.hasMetadata = hasMetadata;
    return true;
  }

  /** Puts back a series from the data file; its slots must be valid (the caller checks them). */
  restoreSeries(snapshot: SeriesSnapshot, now: number): 'stored' | Refusal {
    const series = this.seriesFor(snapshot.key, snapshot.type, snapshot.dimensions, now);
    if (typeof series === 'string') return series;
    const lastFine = series.fine.restore(snapshot.fine);
    series.coarse.restore(snapshot.coarse);
    if (lastFine >= 0) this.latest = Math.max(this.latest, lastFine * series.fine.step);
    return 'stored';
  }

  /** Metadata of a metric (from a `#key type dt.meta.*` line): creates the metric if it has no data yet. */
  setMetadata(key: string, type: PayloadType, metadata: MetricMetadata, now: number): 'stored' | 'metric-limit' {
    const metric = this.metricState(key, type, now);
    if (!metric) return 'metric-limit';
    if (metric.hasMetadata) return 'stored';
    metric.hasMetadata = true;
    const facts = metric.facts;
    if (metadata.displayName !== undefined) facts.displayName = metadata.displayName;
    if (metadata.description !== undefined) facts.description = metadata.description;
    if (metadata.unit !== undefined) facts.unit = metadata.unit;
    return 'stored';
  }

  /** How far back data is kept at all (the one-hour ring's span); the data file measures it from the clock. */
  get retentionMs(): number {
    return this.limits.coarseStepMs * this.limits.coarseSlots;
  }

  get size(): { metrics: number; series: number } {
    return { metrics: this.byKey.size, series: this.seriesCount };
  }

  metrics(): Iterable<MetricFacts> {
    return [...this.byKey.values()].map((m) => m.facts);
  }

  metric(key: string): MetricFacts | undefined {
    return this.byKey.get(key)?.facts;
  }

  series(key: string): Iterable<SeriesReader> {
    return this.byKey.get(key)?.series.values() ?? [];
  }

  finestStep(from: number): number {
    const { fineStepMs, fineSlots, coarseStepMs } = this.limits;
    const fineStart = (Math.floor(this.latest / fineStepMs) - fineSlots + 1) * fineStepMs;
    return from >= fineStart ? fineStepMs : coarseStepMs;
  }

  /** A metric's state, created if new; null for a new one past the metric limit. */
  private metricState(key: string, type: PayloadType, now: number): MetricState | null {
    let metric = this.byKey.get(key);
    if (!metric) {
      if (this.byKey.size >= this.limits.maxMetrics) return null;
      const facts = {
        key,
        type,
        displayName: null,
        description: null,
        unit: null,
        dimensionKeys: [],
        created: now,
        lastWritten: now,
      };
      metric = { facts, series: new Map(), hasMetadata: false };
      this.byKey.set(key, metric);
    }
    return metric;
  }
}

/**
 * A line's pairs with a repeated key kept once, the first (DK004 is a warning, so such lines are stored; which
 * value a tenant keeps is not documented [INF]).
 */
function firstOfEachKey(dimensions: readonly (readonly [string, string])[]): readonly (readonly [string, string])[] {
  if (dimensions.length < 2) return dimensions;
  const seen = new Set<string>();
  const pairs = dimensions.filter(([k]) => !seen.has(k) && (seen.add(k), true));
  return pairs.length === dimensions.length ? dimensions : pairs;
}

/**
 * One series per dimension tuple, whatever the order its pairs were written in (`a=1,b=2` = `b=2,a=1`). Keys are
 * unique here and cannot hold control characters, so `\u0000` and `\u0001` separate unambiguously once a value
 * holding them (or starting with `"`, so no plain value looks quoted) is written as JSON.
 */
function seriesKeyOf(pairs: readonly (readonly [string, string])[]): string {
  const part = ([k, v]: readonly [string, string]) =>
    k + '\u0000' + (v.startsWith('"') || v.includes('\u0000') || v.includes('\u0001') ? JSON.stringify(v) : v);
  if (pairs.length === 0) return '';
  if (pairs.length === 1) return part(pairs[0] as readonly [string, string]);
  return [...pairs]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(part)
    .join('\u0001');
}
