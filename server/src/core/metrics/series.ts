/**
 * What the local tenant stores, as the query side reads it: metrics, their series (one per dimension tuple), and
 * each series' points summarised per time slot. The store (store.ts) implements MetricSource; the query engine
 * (query.ts) and the metric list and descriptors read through it only.
 */

/** The points of one series in one time slot, summarised: enough for every aggregation (avg = sum / count). */
export interface SlotStats {
  min: number;
  max: number;
  sum: number;
  count: number;
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
}

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
