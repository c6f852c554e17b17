/**
 * What the local tenant stores, as the query side reads it: metrics, their series (one per dimension tuple), and
 * each series' points summarised per time slot. The store (store.ts) implements MetricSource; the query engine
 * (evaluate.ts), the v1 query (v1.ts) and the metric list and descriptors (list.ts) read through it only.
 */

/** The points of one series in one time slot, summarised: enough for every aggregation (avg = sum / count). */
export interface SlotStats {
  min: number;
  max: number;
  sum: number;
  count: number;
}

/**
 * Consecutive slots summarised column by column, with no object per slot: what a query reads a series into.
 * `present[i]` is 0 where slot i holds no point (and its other columns mean nothing).
 */
export class SlotColumns {
  readonly present: Uint8Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly sum: Float64Array;
  readonly count: Float64Array;

  constructor(readonly length: number) {
    this.present = new Uint8Array(length);
    this.min = new Float64Array(length);
    this.max = new Float64Array(length);
    this.sum = new Float64Array(length);
    this.count = new Float64Array(length);
  }

  /** Slot i as a statistic, or null. */
  stats(i: number): SlotStats | null {
    return this.present[i]
      ? {
          min: this.min[i] as number,
          max: this.max[i] as number,
          sum: this.sum[i] as number,
          count: this.count[i] as number,
        }
      : null;
  }

  /** Slot i holds this statistic from now on. */
  set(i: number, min: number, max: number, sum: number, count: number): void {
    this.present[i] = 1;
    this.min[i] = min;
    this.max[i] = max;
    this.sum[i] = sum;
    this.count[i] = count;
  }

  /** Adds a statistic to slot i: the smaller min, the larger max, the sums and counts added. */
  merge(i: number, min: number, max: number, sum: number, count: number): void {
    if (!this.present[i]) return this.set(i, min, max, sum, count);
    this.min[i] = Math.min(this.min[i] as number, min);
    this.max[i] = Math.max(this.max[i] as number, max);
    this.sum[i] = (this.sum[i] as number) + sum;
    this.count[i] = (this.count[i] as number) + count;
  }
}

export type PayloadType = 'gauge' | 'count';

/** What the tenant knows of a metric: its stored key (with `.count`/`.gauge` suffix), type and metadata. */
export interface MetricFacts {
  /** The stored key, as it is queried: count metrics end in `.count` (PROTOCOL §7.1). */
  key: string;
  type: PayloadType;
  displayName: string | null;
  description: string | null;
  unit: string | null;
  /** Dimension keys seen on this metric's series, in the order first seen. */
  dimensionKeys: readonly string[];
  /** Epoch ms of the first and the last ingest that wrote a point. */
  created: number;
  lastWritten: number;
}

export interface SeriesReader {
  /** The series' dimensions as ingested (escapes resolved); dimensions with an empty value are not stored. */
  readonly dimensions: Readonly<Record<string, string>>;
  /**
   * The series' points in `count` consecutive slots of `step` ms starting at `from` (slot i covers
   * [from + i·step, from + (i + 1)·step)), summarised; null where the slot holds no point. `from` and `step` must
   * be multiples of the store's step for that time (finestStep).
   */
  read(from: number, step: number, count: number): (SlotStats | null)[];
  /**
   * The same slots into `into` (its first `count`), with no object per slot: the query engine's read. Returns
   * whether any of them holds a point.
   */
  readColumns(from: number, step: number, count: number, into: SlotColumns): boolean;
}

/** Whether a series' dimensions hold `key` (own keys only: a dimension may be named `constructor`). */
export const hasDimension = (dimensions: Readonly<Record<string, string>>, key: string): boolean =>
  Object.hasOwn(dimensions, key);
export const dimensionValue = (dimensions: Readonly<Record<string, string>>, key: string): string | undefined =>
  hasDimension(dimensions, key) ? dimensions[key] : undefined;

export interface MetricSource {
  metrics(): Iterable<MetricFacts>;
  metric(key: string): MetricFacts | undefined;
  series(key: string): Iterable<SeriesReader>;
  /**
   * The finest step the store keeps for data from `from` on: one minute for the recent window, one hour for
   * older data (resolution decreases with age, as in a real tenant). Every step a query reads with must be a
   * multiple of this.
   */
  finestStep(from: number): number;
}
