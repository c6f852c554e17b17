/**
 * The cost and cardinality of metric lines (issue 15; figures and sources: rules.ts COST, INGEST-PATHS §3). Fed line
 * by line, in bounded memory per metric key, never throwing: lines the tenant would refuse (an error of the line
 * rules) count as refused and nothing more. Several inputs fed to one analyzer are one environment's lines.
 *
 * What it counts, per metric under its stored key (keys.ts: `.count` suffixing):
 * - series: distinct dimension tuples, in any order, empty values dropped as the tenant drops them (DOC D4);
 * - per dimension key: distinct values; its multiplier, series ÷ series with that key left out of every tuple
 *   (1: it adds no series; 3: the metric has three times the series it would have without it); the keys that
 *   determine it (every tuple with it has the other key too, and each value of the other key comes with one value
 *   of it: it adds nothing the other does not); whether it is volatile (shapes.ts, or new values on most lines after
 *   the first minute);
 * - data points after the one-minute dedup: distinct (tuple, minute) pairs of timestamped lines, and distinct tuples
 *   of the lines without one (they all arrive at the send's minute);
 * - projections at the cadence: timestamped lines at their own (the span of their minutes), the others at the
 *   `intervalMs` the caller gives (each send of the input is one minute's points, sends within a minute dedup);
 * - Classic DDU and, with a price, the cost of a year's points; the days until the metric's 1 M tuples at the rate
 *   new tuples come.
 */
import { checkDataLine, isPlausibleMilliseconds, otherTimeUnit } from '../check.ts';
import { storedKeyOf } from '../keys.ts';
import { parseLine, type DataLine, type KeyValueNode, type ParsedLine } from '../parse.ts';
import { hasError } from '../problems.ts';
import { COST, LIMITS } from '../rules.ts';
import { DAY, MINUTE } from '../time.ts';
import { TupleHasher, hash53 } from '../tuple-hash.ts';
import { BoundedDistinct, DistinctBudget } from './distinct.ts';
import { NewSeriesTimeline } from './timeline.ts';
import { STRONG_SHAPES, valueShape, type ValueShape } from './shapes.ts';

export interface StatsOptions {
  /** How often the input is sent, for lines without a timestamp; null: not given (no projection for them). */
  intervalMs: number | null;
  /** A price per data point (DPS rate card); null: not given. */
  pricePerPoint: number | null;
}

export interface Volatility {
  /** A shape most distinct values have, or `new-values`: most lines after the first minute bring a new value. */
  reason: ValueShape | 'new-values';
  /** The share of distinct values of that shape, or of later lines with a new value. */
  share: number;
}

export interface DimensionStats {
  key: string;
  /** Distinct values (dropped empty values not among them). */
  values: number;
  /** Series ÷ series with this key left out: 1 adds no series. */
  multiplier: number;
  /** Keys that determine this one (see the module comment); null when not looked for (too many keys, values). */
  determinedBy: string[] | null;
  volatile: Volatility | null;
  /** Whether `values` or `multiplier` is an estimate. */
  estimated: boolean;
}

export type CadenceSource = 'timestamps' | 'interval' | 'timestamps and interval';

/** Series, and the data points they make, as read and a day and a year on. */
export interface Projection {
  series: number;
  /** Data points of the input as given, after the one-minute dedup (one send of the lines without a timestamp). */
  points: number;
  /** Points per day and year at the cadence; null when the cadence is unknown. */
  pointsPerDay: number | null;
  pointsPerYear: number | null;
  /** Classic DDU (points × 0.001), and points × the price per point when one is given. */
  dduPerYear: number | null;
  costPerYear: number | null;
  /** Whether a count is an estimate (past COST's exact bounds). */
  estimated: boolean;
  /** What a change adds: with a base only. */
  change?: SeriesChange;
}

/** What a change adds to a metric or to all (`report` with a base). */
export interface SeriesChange {
  /** Series not among the base's. */
  newSeries: number;
  /** Points a year after the change minus before; null when either has no cadence. */
  pointsPerYear: number | null;
  /** Whether `newSeries` is an estimate (either side past the exact bound: |after ∪ before| − |before| of sketches). */
  estimated: boolean;
  /** Whether `pointsPerYear` rests on an estimate (either side's points). */
  pointsEstimated: boolean;
}

export interface MetricStats extends Projection {
  key: string;

  /** Lines the tenant would take for this key. */
  lines: number;
  /** Where the cadence comes from; null: lines without timestamps and no interval, or one minute of timestamps. */
  cadence: CadenceSource | null;
  /** New tuples a day at the observed rate, and the days until 1 M; null: no growth seen (or no cadence). */
  newSeriesPerDay: number | null;
  daysToTupleLimit: number | null;
  dimensions: DimensionStats[];
  /** Dimension keys past the ones followed one by one (bounded memory). */
  untrackedDimensions: number;
  /** With a base: the metric is only in the base (a row of 0 series, its points a year removed). */
  removed?: true;
}

export interface StatsTotals extends Projection {
  /** Lines read, data lines taken, data lines the tenant would refuse. */
  lines: number;
  dataLines: number;
  refusedLines: number;
  /** Data lines without a timestamp: projected at the interval. */
  untimedLines: number;
  /** Data lines of metric keys not followed: past LIMITS.metricKeysPerEnvironment, or past the memory budget. */
  untrackedLines: number;
  metrics: number;
  /** Projections: sums over the metrics with a cadence; `partial` when some have none. */
  partial: boolean;
  /** Series as a share of the environment's 50 M tuples. */
  environmentShare: number;
}

export interface StatsReport {
  metrics: MetricStats[];
  totals: StatsTotals;
}

/**
 * The dedup window (COST.dedupWindowMinutes), in ms: the "minutes" below are windows of it, and a series makes at
 * most one point in each.
 */
const WINDOW = COST.dedupWindowMinutes.value * MINUTE;
/** Windows a day and a year. */
const WINDOWS_PER_DAY = DAY / WINDOW;
const WINDOWS_PER_YEAR = COST.minutesPerYear.value / COST.dedupWindowMinutes.value;

/** Shapes of values new at every send: a clock's reading, a UUID drawn per event. */
const RENEWED_SHAPES: ReadonlySet<Volatility['reason'] | undefined> = new Set(['timestamp', 'uuid']);
/** Keys of Dynatrace entities: their values name monitored entities, never volatile. */
const ENTITY_KEY_PREFIX = 'dt.entity.';
/** What a metric's, a dimension key's and a dependency's own structures weigh in the budget's entries (~32 B each). */
const METRIC_ENTRIES = 64;
const DIMENSION_ENTRIES = 16;
const DEPENDENCY_ENTRIES = 6;
/** Dependencies, a detail, take at most this share of the budget: the rest stays for series and values. */
const DEPENDENCY_SHARE = 0.25;
/** Stands for "not on this tuple" where a value hash is kept. */
const ABSENT = -1;

/** One dimension key of one metric. */
class DimensionState {
  /** Tuple events with this key: new tuples while they are counted exactly, then every line. */
  events = 0;
  /** Distinct tuples with this key (exact while the metric's series are). */
  tuples = 0;
  /** Lines with this key. */
  lines = 0;
  readonly values: BoundedDistinct;
  /** Distinct tuples with this key left out. */
  readonly without: BoundedDistinct;
  readonly shapes = new Map<ValueShape | null, number>();
  shaped = 0;
  /** Timestamped lines after the metric's first minute with this key, and those with a value not seen before. */
  laterLines = 0;
  laterNew = 0;

  constructor(
    readonly key: string,
    /** The metric's tuples so far, none of them with this key: each is its own tuple with the key left out. */
    tuples: BoundedDistinct,
    budget: DistinctBudget,
  ) {
    this.without = tuples.copy(COST.exactValuesPerDimension.value);
    this.values = new BoundedDistinct(COST.exactValuesPerDimension.value, budget);
  }
}

/** Whether each value of `by` comes with one value of the dimension: its value per value of `by`. */
class Dependency {
  /** Tuple events with both keys. */
  events = 0;
  /** Value of `by` → value of the dimension; null once broken or past the bound. */
  valueOf: Map<number, number> | null = new Map();
  overflow = false;
}

/** One metric key. */
class MetricState {
  lines = 0;
  readonly series: BoundedDistinct;
  /** Distinct (tuple, minute) pairs of timestamped lines. */
  readonly timedPoints: BoundedDistinct;
  /** Distinct tuples of the lines without a timestamp: one send's points. */
  readonly untimedTuples: BoundedDistinct;
  readonly minutes: BoundedDistinct;
  firstMinute = Number.POSITIVE_INFINITY;
  lastMinute = Number.NEGATIVE_INFINITY;
  /** The minute of the first timestamped line: later lines may bring a dimension new values. */
  openingMinute: number | null = null;
  readonly timeline = new NewSeriesTimeline();
  readonly dimensions = new Map<string, DimensionState>();
  untracked = new Set<string>();
  /** By dimension key, then the key that may determine it; null once the metric has too many keys (or no memory). */
  dependencies: Map<string, Map<string, Dependency>> | null = new Map();
  /** What `dependencies` holds in the budget's entries. */
  dependencyEntries = 0;

  constructor(
    readonly key: string,
    readonly budget: DistinctBudget,
  ) {
    const bound = COST.exactTuplesPerMetric.value;
    this.series = new BoundedDistinct(bound, budget);
    this.timedPoints = new BoundedDistinct(bound, budget);
    this.untimedTuples = new BoundedDistinct(bound, budget);
    this.minutes = new BoundedDistinct(bound, budget);
  }

  /** Stops looking for dependencies, giving their entries back. */
  dropDependencies(): void {
    this.dependencies = null;
    this.budget.charge(-this.dependencyEntries);
    this.dependencyEntries = 0;
  }
}

/** The pairs of one line the tenant keeps: keys and values, empty values dropped (DOC D4), each key once. */
interface Pair {
  key: string;
  value: string;
  high: number;
  low: number;
  valueHash: number;
}

export class StatsAnalyzer {
  /** `budget`: the exact entries of this analysis (COST.exactEntries); analyses compared may share one. */
  constructor(private readonly budget = new DistinctBudget(COST.exactEntries.value)) {}

  private readonly metrics = new Map<string, MetricState>();
  private readonly hasher = new TupleHasher();
  private lines = 0;
  private dataLines = 0;
  private refusedLines = 0;
  private untrackedLines = 0;
  private untimedLines = 0;

  /** Reads one line of an input (any kind: comments, metadata and blank lines are counted and skipped). */
  addLine(text: string): void {
    this.addParsed(parseLine(text));
  }

  /** Reads one parsed line; returns the metric's stored key when the line counts for one (an editor places it). */
  addParsed(line: ParsedLine): string | null {
    this.lines++;
    if (line.kind !== 'data') return null;
    const key = storedKeyOf(line);
    if (key === null || hasError(checkDataLine(line, LIMITS))) {
      this.refusedLines++;
      return null;
    }
    const metric = this.metricFor(key);
    if (metric === undefined) return null;
    this.hasher.reset();
    const pairs: Pair[] = [];
    for (const dim of line.dimensions as KeyValueNode[]) if (dim.eq >= 0) this.addPair(pairs, dim.key.text, dim.text);
    this.addToMetric(metric, pairs, minuteOf(line));
    return key;
  }

  /**
   * Reads one stored data point as a tenant answers it (a query's series: the stored key, its dimensions, the
   * start of its minute or null), counted as a line that arrived: what arrived at a tenant is analysed as the
   * lines that made it.
   */
  addPoint(key: string, dimensions: Iterable<readonly [string, string]>, timestamp: number | null): void {
    this.lines++;
    const metric = this.metricFor(key);
    if (metric === undefined) return;
    this.hasher.reset();
    const pairs: Pair[] = [];
    for (const [dimension, value] of dimensions) this.addPair(pairs, dimension, value);
    this.addToMetric(metric, pairs, timestamp === null ? null : Math.floor(timestamp / WINDOW));
  }

  /** The metric's state for one more data line; undefined past the bounds (the line is counted untracked). */
  private metricFor(key: string): MetricState | undefined {
    this.dataLines++;
    let metric = this.metrics.get(key);
    if (metric === undefined) {
      if (this.metrics.size >= LIMITS.metricKeysPerEnvironment || !this.budget.take(undefined, METRIC_ENTRIES)) {
        this.untrackedLines++;
        return undefined;
      }
      metric = new MetricState(key, this.budget);
      this.metrics.set(key, metric);
    }
    return metric;
  }

  /** One dimension pair into the tuple as the tenant stores it: empty values dropped, a repeated key's first kept. */
  private addPair(pairs: Pair[], key: string, value: string): void {
    // A key repeated on the line: the tenant keeps its first value (DOC D1 leaves which open; the store's firstOfEachKey).
    if (value === '' || pairs.some((p) => p.key === key)) return;
    const hasher = this.hasher;
    hasher.add(key, value);
    const { pairHigh: high, pairLow: low } = hasher;
    pairs.push({ key, value, high, low, valueHash: hash53(high, low) });
  }

  private addToMetric(metric: MetricState, pairs: readonly Pair[], minute: number | null): void {
    metric.lines++;
    const { high, low } = this.hasher;
    const tuple = hash53(high, low);
    for (const pair of pairs) this.dimensionOf(metric, pair.key);
    if (minute !== null) metric.timeline.enter(minute, metric.minutes.add(minute) !== false, () => metric.series.count);
    const isNew = metric.series.add(tuple);
    if (minute === null) {
      this.untimedLines++;
      metric.untimedTuples.add(tuple);
    } else {
      metric.firstMinute = Math.min(metric.firstMinute, minute);
      metric.lastMinute = Math.max(metric.lastMinute, minute);
      metric.openingMinute ??= minute;
      // The minute as one more pair of the tuple: the same tuple in another minute is another point.
      this.hasher.add('\u0000minute', String(minute));
      metric.timedPoints.add(this.hasher.value);
      if (isNew === true) metric.timeline.added(minute);
    }
    const later = minute !== null && minute !== metric.openingMinute;
    for (const pair of pairs) {
      const dim = metric.dimensions.get(pair.key);
      if (dim === undefined) continue;
      dim.lines++;
      const newValue = dim.values.add(pair.valueHash);
      if (newValue === true) {
        const shape = valueShape(pair.value);
        dim.shapes.set(shape, (dim.shapes.get(shape) ?? 0) + 1);
        dim.shaped++;
      }
      if (later) {
        dim.laterLines++;
        // Past the exact bound a value cannot be told new or not: a key with so many values counts it as new.
        if (newValue !== false) dim.laterNew++;
      }
    }
    // A tuple seen before changes no set below; once the series are estimated, every line is an event.
    if (isNew === false) return;
    for (const dim of metric.dimensions.values()) {
      const pair = pairs.find((p) => p.key === dim.key);
      if (pair === undefined) {
        dim.without.add(tuple);
        continue;
      }
      dim.events++;
      if (isNew) dim.tuples++;
      dim.without.add(hash53(high - pair.high, low - pair.low));
    }
    this.addDependencies(metric, pairs);
  }

  private dimensionOf(metric: MetricState, key: string): DimensionState | undefined {
    const known = metric.dimensions.get(key);
    if (known !== undefined || metric.untracked.has(key)) return known;
    if (
      metric.dimensions.size >= COST.dimensionKeysPerMetric.value ||
      !metric.budget.take(undefined, DIMENSION_ENTRIES)
    ) {
      if (metric.untracked.size < COST.dimensionKeysPerMetric.value) metric.untracked.add(key);
      return undefined;
    }
    const dim = new DimensionState(key, metric.series, metric.budget);
    metric.dimensions.set(key, dim);
    if (metric.dimensions.size > COST.dependencyDimensions.value) metric.dropDependencies();
    return dim;
  }

  private addDependencies(metric: MetricState, pairs: readonly Pair[]): void {
    const dependencies = metric.dependencies;
    if (dependencies === null) return;
    for (const pair of pairs) {
      let byKey = dependencies.get(pair.key);
      if (byKey === undefined) dependencies.set(pair.key, (byKey = new Map()));
      for (const by of pairs) {
        if (by.key === pair.key) continue;
        let dependency = byKey.get(by.key);
        if (dependency === undefined) {
          if (!metric.budget.take(undefined, DEPENDENCY_ENTRIES, DEPENDENCY_SHARE)) {
            metric.dropDependencies();
            return;
          }
          metric.dependencyEntries += DEPENDENCY_ENTRIES;
          byKey.set(by.key, (dependency = new Dependency()));
        }
        dependency.events++;
        const valueOf = dependency.valueOf;
        if (valueOf === null) continue;
        const seen = valueOf.get(by.valueHash) ?? ABSENT;
        if (seen === ABSENT) {
          if (valueOf.size < COST.dependencyValuesPerPair.value && metric.budget.take(undefined, 1, DEPENDENCY_SHARE)) {
            valueOf.set(by.valueHash, pair.valueHash);
            metric.dependencyEntries++;
            continue;
          }
          dependency.overflow = true;
        } else if (seen === pair.valueHash) continue;
        // Broken or past the bound: the values kept go back to the budget.
        dependency.valueOf = null;
        metric.dependencyEntries -= valueOf.size;
        metric.budget.charge(-valueOf.size);
      }
    }
  }

  /**
   * The figures so far (the analyzer may go on reading). With `base` (the same analysis of the lines before a
   * change), each metric and the totals also say what the change adds: series not in the base, and points a year.
   */
  report(options: StatsOptions, base?: StatsAnalyzer): StatsReport {
    const baseReport = base?.report(options);
    const before = new Map(baseReport?.metrics.map((m) => [m.key, m]));
    const metrics = [...this.metrics.values()].map((m) => {
      const stats = metricStats(m, options);
      if (base === undefined) return stats;
      const was = before.get(m.key);
      const added = m.series.countNotIn(base.metrics.get(m.key)?.series);
      const change: SeriesChange = {
        newSeries: added.count,
        pointsPerYear: difference(stats.pointsPerYear, was === undefined ? 0 : was.pointsPerYear),
        estimated: added.estimated,
        pointsEstimated: stats.estimated || was?.estimated === true,
      };
      return { ...stats, change };
    });
    // Metrics only in the base: the change removes them, their points a year with them.
    for (const was of before.values()) if (!this.metrics.has(was.key)) metrics.push(removedMetric(was));
    metrics.sort((a, b) => b.series - a.series || (a.key < b.key ? -1 : 1));
    const sum = (pick: (m: MetricStats) => number | null): number | null => {
      const known = metrics.map(pick).filter((v) => v !== null);
      return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
    };
    const series = metrics.reduce((a, m) => a + m.series, 0);
    const pointsPerYear = sum((m) => m.pointsPerYear);
    return {
      metrics,
      totals: {
        lines: this.lines,
        dataLines: this.dataLines,
        refusedLines: this.refusedLines,
        untimedLines: this.untimedLines,
        untrackedLines: this.untrackedLines,
        metrics: this.metrics.size,
        series,
        points: metrics.reduce((a, m) => a + m.points, 0),
        pointsPerDay: sum((m) => m.pointsPerDay),
        pointsPerYear,
        dduPerYear: sum((m) => m.dduPerYear),
        costPerYear: sum((m) => m.costPerYear),
        partial: metrics.some((m) => m.cadence === null && m.removed !== true),
        environmentShare: series / COST.tuplesPerEnvironment.value,
        estimated: metrics.some((m) => m.estimated),
        ...(baseReport === undefined
          ? {}
          : {
              change: {
                newSeries: metrics.reduce((a, m) => a + (m.change?.newSeries ?? 0), 0),
                // Over the metrics with a cadence on both sides (or on one, the other side without the metric).
                pointsPerYear: sum((m) => m.change?.pointsPerYear ?? null),
                estimated: metrics.some((m) => m.change?.estimated === true),
                pointsEstimated: metrics.some((m) => m.change?.pointsEstimated === true),
              },
            }),
      },
    };
  }
}

/** The row of a metric only in the base: no series, no points, its points a year gone. */
function removedMetric(was: MetricStats): MetricStats {
  return {
    key: was.key,
    lines: 0,
    series: 0,
    points: 0,
    pointsPerDay: 0,
    pointsPerYear: 0,
    dduPerYear: 0,
    costPerYear: was.costPerYear === null ? null : 0,
    cadence: null,
    removed: true,
    newSeriesPerDay: null,
    daysToTupleLimit: null,
    dimensions: [],
    untrackedDimensions: 0,
    estimated: false,
    change: {
      newSeries: 0,
      pointsPerYear: was.pointsPerYear === null ? null : -was.pointsPerYear,
      estimated: false,
      pointsEstimated: was.estimated,
    },
  };
}

/** A projection's change; unknown when either side is (a metric new in the change starts from 0). */
const difference = (after: number | null, before: number | null): number | null =>
  after === null || before === null ? null : after - before;

/** A line's minute (its timestamp in ms, or in another unit the linter recognises: TS002), or null. */
function minuteOf(line: DataLine): number | null {
  const text = line.timestamp?.text;
  if (text === undefined) return null;
  const ms = Number(text);
  if (isPlausibleMilliseconds(ms)) return Math.floor(ms / WINDOW);
  const other = otherTimeUnit(text);
  return other ? Math.floor(Number(other.milliseconds) / WINDOW) : null;
}

function metricStats(metric: MetricState, options: StatsOptions): MetricStats {
  const series = metric.series.count;
  const timed = metric.timedPoints.count;
  const untimed = metric.untimedTuples.count;
  const minutes = metric.minutes.count;
  const covered = coveredMinutes(metric);
  const span =
    covered !== null
      ? covered
      : minutes === 1 && options.intervalMs !== null
        ? Math.max(1, options.intervalMs / WINDOW)
        : null;
  const sendsPerMinute = options.intervalMs === null ? null : Math.min(1, WINDOW / options.intervalMs);
  const timedKnown = timed === 0 || span !== null;
  const untimedKnown = untimed === 0 || sendsPerMinute !== null;
  // A tuple on timestamped lines and on lines without one is still one series: at most one point a minute.
  const perMinute =
    timedKnown && untimedKnown
      ? Math.min(
          series,
          (timed === 0 ? 0 : timed / (span as number)) + (untimed === 0 ? 0 : untimed * (sendsPerMinute as number)),
        )
      : null;
  const cadence: CadenceSource | null =
    perMinute === null
      ? null
      : timed > 0 && untimed > 0
        ? 'timestamps and interval'
        : timed > 0
          ? 'timestamps'
          : 'interval';
  const volatile = new Map([...metric.dimensions.values()].map((dim) => [dim.key, volatility(dim)]));
  const dimensions = [...metric.dimensions.values()].map((dim) => dimensionStats(metric, dim, series, volatile));
  const newSeriesPerDay = growthPerDay(metric, dimensions, options);
  const pointsPerYear = perMinute === null ? null : perMinute * WINDOWS_PER_YEAR;
  const limit = COST.tuplesPerMetric.value;
  return {
    key: metric.key,
    lines: metric.lines,
    series,
    points: timed + untimed,
    pointsPerDay: perMinute === null ? null : perMinute * WINDOWS_PER_DAY,
    pointsPerYear,
    dduPerYear: pointsPerYear === null ? null : pointsPerYear * COST.dduPerDataPoint.value,
    costPerYear:
      pointsPerYear === null || options.pricePerPoint === null ? null : pointsPerYear * options.pricePerPoint,
    cadence,
    newSeriesPerDay,
    daysToTupleLimit:
      series >= limit
        ? 0
        : newSeriesPerDay === null || newSeriesPerDay === 0
          ? null
          : (limit - series) / newSeriesPerDay,
    dimensions,
    untrackedDimensions: metric.untracked.size,
    estimated:
      metric.series.estimated ||
      metric.timedPoints.estimated ||
      metric.untimedTuples.estimated ||
      dimensions.some((d) => d.estimated),
  };
}

/**
 * New series a day: timestamped lines, at the rate new series came in the second half of their minutes (timeline.ts);
 * lines without a timestamp, sent every interval, renew each tuple with a dimension of timestamps or UUIDs, each
 * value on about one line, at every send (the most such tuples of one dimension: a lower bound). Ids are not
 * renewed: pods and hosts are named by ids and stay.
 */
/**
 * Minutes covered by timestamps: for n distinct minutes from first to last, (last − first) · n/(n − 1), so points
 * every 5 minutes over 10 minutes cover 10 minutes, not 6; null for one minute alone (it says nothing of the cadence).
 */
function coveredMinutes(metric: MetricState): number | null {
  const minutes = metric.minutes.count;
  return minutes >= 2 ? ((metric.lastMinute - metric.firstMinute) * minutes) / (minutes - 1) : null;
}

function growthPerDay(
  metric: MetricState,
  dimensions: readonly DimensionStats[],
  options: StatsOptions,
): number | null {
  const covered = coveredMinutes(metric);
  const rate =
    covered === null
      ? 0
      : metric.timeline.secondHalfRate(
          metric.firstMinute,
          covered,
          metric.minutes.count,
          metric.series.count,
          metric.series.estimated,
        );
  const timed = rate * WINDOWS_PER_DAY;
  let renewed = 0;
  if (options.intervalMs !== null && metric.untimedTuples.count > 0) {
    for (const dim of dimensions) {
      const state = metric.dimensions.get(dim.key);
      if (state === undefined || !RENEWED_SHAPES.has(dim.volatile?.reason)) continue;
      if (state.lines > dim.values * COST.renewedLinesPerValue.value) continue;
      renewed = Math.max(renewed, state.tuples);
    }
  }
  // Each send brings new values, even sends within one minute (which dedup only the same tuples).
  const untimed = options.intervalMs === null ? 0 : (renewed * DAY) / options.intervalMs;
  return timed + untimed > 0 ? timed + untimed : null;
}

function dimensionStats(
  metric: MetricState,
  dim: DimensionState,
  series: number,
  volatile: ReadonlyMap<string, Volatility | null>,
): DimensionStats {
  const without = dim.without.count;
  const own = volatile.get(dim.key) ?? null;
  return {
    key: dim.key,
    values: dim.values.count,
    multiplier: without === 0 ? 1 : Math.max(1, series / without),
    // A volatile key neither is described by nor describes another: a new value on every tuple "determines" all.
    determinedBy: own === null ? determiners(metric, dim, (key) => (volatile.get(key) ?? null) === null) : [],
    volatile: own,
    estimated: dim.values.estimated || dim.without.estimated || metric.series.estimated,
  };
}

/** The keys (of those `eligible`) that determine `dim`: on every tuple event with it, one value of it for each of theirs. */
function determiners(metric: MetricState, dim: DimensionState, eligible: (key: string) => boolean): string[] | null {
  const byKey = metric.dependencies?.get(dim.key);
  if (metric.dependencies === null) return null;
  if (byKey === undefined || dim.values.count < 2) return [];
  const keys: string[] = [];
  let overflow = false;
  for (const [key, dependency] of byKey) {
    if (dependency.overflow) overflow = true;
    else if (dependency.valueOf !== null && dependency.events === dim.events && eligible(key)) keys.push(key);
  }
  return keys.length === 0 && overflow ? null : keys.sort();
}

function volatility(dim: DimensionState): Volatility | null {
  if (dim.key.startsWith(ENTITY_KEY_PREFIX)) return null;
  const threshold = COST.volatileShareOfValues.value;
  let best: Volatility | null = null;
  for (const [shape, count] of dim.shapes) {
    if (shape === null) continue;
    const share = count / dim.shaped;
    const enough = STRONG_SHAPES.has(shape) ? count >= 2 : count >= COST.weakShapeMinValues.value;
    if (share > threshold && enough && (best === null || share > best.share)) best = { reason: shape, share };
  }
  if (best !== null) return best;
  if (dim.laterLines >= COST.newValuesMinLines.value && dim.laterNew / dim.laterLines > threshold)
    return { reason: 'new-values', share: dim.laterNew / dim.laterLines };
  return null;
}
