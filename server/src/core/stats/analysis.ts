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
import { CLEAN_PREFIX_BYTES, CLEAN_PREFIXES, CleanLineMatcher, CleanPrefixTable } from '../fast-path.ts';
import { storedKey, storedKeyOf } from '../keys.ts';
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
const decoder = new TextDecoder();
/** The pairs the fast path's prefixes keep at most (their hash halves: 16 B a pair), past which it learns no more. */
const PREFIX_PAIRS = 1 << 18;
/** Stands for "not on this tuple" where a value hash is kept. */
const ABSENT = -1;

/** One dimension key of one metric. */
class DimensionState {
  /** The analyzer's line number when a pair of the line being counted has this key, and that pair's index. */
  onLine = 0;
  pairIndex = 0;
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
  /** The minute minuteIsNew counted last. */
  private lastCountedMinute = Number.NaN;
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
  /**
   * Whether a dimension key was once neither followed nor marked untracked (both full): followed later, it may
   * not have counted the values of tuples seen before it, so a tuple seen before no longer proves its values seen.
   */
  lateDimensions = false;

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

  /**
   * Counts a timestamped line's minute: false when seen before, true when new or not known (an estimate). Lines
   * come minute by minute, so the last minute is remembered: no set lookup for it.
   */
  minuteIsNew(minute: number): boolean {
    if (minute === this.lastCountedMinute && !this.minutes.estimated) return false;
    this.lastCountedMinute = minute;
    return this.minutes.add(minute) !== false;
  }

  /** Stops looking for dependencies, giving their entries back. */
  dropDependencies(): void {
    this.dependencies = null;
    this.budget.charge(-this.dependencyEntries);
    this.dependencyEntries = 0;
  }
}

/**
 * The pairs of one line the tenant keeps: keys and values, empty values dropped (DOC D4), each key once. Pair i is
 * `keys[i]`, `values[at + i]`, and its own hash halves `halves[2(at + i)]`, `halves[2(at + i) + 1]`: a line read in
 * full fills the analyzer's scratch pairs (`at` 0); a fast-path line is a view into the array every learnt prefix
 * keeps its hashes in, no object per prefix or pair (a prefix stays for the whole run), and no values: those are
 * read again from the prefix's bytes when one is needed (StatsAnalyzer.valueOf).
 */
interface Pairs {
  keys: readonly string[];
  values: string[];
  halves: number[];
  at: number;
}

/** Pair i's own hash: its value's identity within its key (the halves hash the key too). */
const pairHash = (pairs: Pairs, i: number): number => {
  const at = 2 * (pairs.at + i);
  return hash53(pairs.halves[at] as number, pairs.halves[at + 1] as number);
};

/**
 * What the clean prefixes (fast-path.ts) of one metric key as written and one list of dimension keys share: the
 * stored key by payload type, the keys, and once the metric follows every key, the metric and the dimension of each
 * pair by payload type (no lookups by key for further lines).
 */
interface PrefixShape {
  gaugeKey: string;
  countKey: string;
  keys: readonly string[];
  gauge: PrefixUse | null;
  count: PrefixUse | null;
}

/** The metric of a prefix shape's lines of one payload type, and the dimension of each of its pairs. */
interface PrefixUse {
  metric: MetricState;
  dimensions: readonly DimensionState[];
}

/**
 * What one line says to the counts, read once: nothing (not a data line), refused (a line the tenant would refuse),
 * or the stored key, the pairs, the tuple's hash halves and the minute. An editor keeps it for the lines an edit
 * leaves alone (document.ts), so a new analysis parses and checks only the lines that changed.
 */
export type LineReading =
  | { kind: 'other' }
  | { kind: 'refused' }
  | { kind: 'counted'; key: string; pairs: Pairs; high: number; low: number; minute: number | null };

const OTHER: LineReading = { kind: 'other' };
const REFUSED: LineReading = { kind: 'refused' };

/** The stored key a line counts for: a data line's that the tenant would take; null for any other line. */
export function countedKeyOf(line: ParsedLine): string | null {
  if (line.kind !== 'data') return null;
  const key = storedKeyOf(line);
  return key === null || hasError(checkDataLine(line, LIMITS)) ? null : key;
}

export class StatsAnalyzer {
  /** `budget`: the exact entries of this analysis (COST.exactEntries); analyses compared may share one. */
  constructor(private readonly budget = new DistinctBudget(COST.exactEntries.value)) {}

  private readonly metrics = new Map<string, MetricState>();
  private readonly hasher = new TupleHasher();
  /** The pairs of a line read in full, and their keys, for the repeated-key check. */
  private readonly linePairs: Pairs & { keys: string[] } = { keys: [], values: [], halves: [], at: 0 };
  private readonly lineKeys = new Set<string>();
  /**
   * The learnt prefixes, by the number the fast path's table holds for each: where its pairs start in the shared
   * value and hash arrays, its shape, its tuple's hash halves (2 a prefix).
   */
  private readonly prefixAt: number[] = [];
  private readonly prefixShapes: PrefixShape[] = [];
  private readonly prefixTuples: number[] = [];
  private readonly prefixPairs: Pairs = { keys: [], values: [], halves: [], at: 0 };
  /** The prefix of the fast-path line being counted. */
  private prefixId = -1;
  /** Shapes by metric key and dimension keys; one copy of each key and value the prefixes hold. */
  private readonly shapes = new Map<string, PrefixShape>();
  private readonly interned = new Map<string, string>();
  /** The hash halves of the last minute's pair (the minute as a pair of the tuple): lines come minute by minute. */
  private readonly minuteHasher = new TupleHasher();
  private hashedMinute = Number.NaN;
  /** Lines counted for a metric (numbers DimensionState.onLine), and the dimensions of the one being counted. */
  private counted = 0;
  private readonly lineDimensions: Array<DimensionState | undefined> = [];
  /** The fast path (fast-path.ts), made when a caller first offers bytes: editors, which never do, skip it. */
  private fastPath: CleanLineMatcher<number> | null = null;
  private prefixes: CleanPrefixTable<number> | null = null;
  private lines = 0;
  private dataLines = 0;
  private refusedLines = 0;
  private untrackedLines = 0;
  private untimedLines = 0;

  /**
   * Reads one line of an input (any kind: comments, metadata and blank lines are counted and skipped). `bytes`, the
   * line's UTF-8 bytes, lets a clean line teach the fast path (addCleanBytes) its prefix. Returns the metric's
   * stored key as addParsed does.
   */
  addLine(text: string, bytes?: Uint8Array): string | null {
    return this.addData(parseLine(text), bytes);
  }

  /** Reads one parsed line; returns the metric's stored key when the line counts for one (an editor places it). */
  addParsed(line: ParsedLine): string | null {
    return this.addData(line, undefined);
  }

  /** What `line` says to the counts, to keep (addReading); nothing is counted. */
  read(line: ParsedLine): LineReading {
    if (line.kind !== 'data') return OTHER;
    const key = countedKeyOf(line);
    if (key === null) return REFUSED;
    const scratch = this.pairsOf(line);
    const pairs = { keys: scratch.keys.slice(), values: scratch.values.slice(), halves: scratch.halves.slice(), at: 0 };
    return { kind: 'counted', key, pairs, high: this.hasher.high, low: this.hasher.low, minute: minuteOf(line) };
  }

  /** Counts a line from its reading (read, of this analyzer or another); returns its stored key as addParsed does. */
  addReading(reading: LineReading): string | null {
    this.lines++;
    if (reading.kind === 'other') return null;
    if (reading.kind === 'refused') {
      this.refusedLines++;
      return null;
    }
    const metric = this.metricFor(reading.key);
    if (metric === undefined) return null;
    this.addToMetric(metric, reading.pairs, reading.high, reading.low, reading.minute, null);
    return reading.key;
  }

  /**
   * The fast path: reads the line given as UTF-8 bytes `buf[start, end)` (no line break) when it is a prefix a clean
   * line taught (addLine with bytes) and a clean payload and timestamp (fast-path.ts), with the figures addLine
   * gives, and returns what it counted for as addLine does: the metric's stored key, or null (a metric past the
   * bounds). Returns false, before counting anything, when the caller must decode the line and call addLine.
   */
  addCleanBytes(buf: Uint8Array, start: number, end: number): string | null | false {
    const matcher = this.fastPath;
    if (matcher === null || !matcher.match(buf, start, end)) return false;
    const timestamp = matcher.timestamp;
    // A timestamp in another unit (TS002) takes the full path, which reads it as that unit.
    if (timestamp >= 0 && !isPlausibleMilliseconds(timestamp)) return false;
    const id = matcher.prefix as number;
    this.prefixId = id;
    const shape = this.prefixShapes[id] as PrefixShape;
    const pairs = this.prefixPairs;
    pairs.keys = shape.keys;
    pairs.at = this.prefixAt[id] as number;
    const high = this.prefixTuples[2 * id] as number;
    const low = this.prefixTuples[2 * id + 1] as number;
    this.lines++;
    const minute = timestamp < 0 ? null : Math.floor(timestamp / WINDOW);
    const use = matcher.count ? shape.count : shape.gauge;
    if (use !== null) {
      this.dataLines++;
      this.addToMetric(use.metric, pairs, high, low, minute, use.dimensions);
      return use.metric.key;
    }
    const metric = this.metricFor(matcher.count ? shape.countKey : shape.gaugeKey);
    if (metric === undefined) return null;
    this.addToMetric(metric, pairs, high, low, minute, null);
    // Dimensions once followed stay followed: a shape whose keys all are can skip looking them up.
    const dimensions = this.lineDimensions.slice(0, shape.keys.length);
    if (dimensions.every((dim) => dim !== undefined)) {
      if (matcher.count) shape.count = { metric, dimensions };
      else shape.gauge = { metric, dimensions };
    }
    return metric.key;
  }

  private addData(line: ParsedLine, bytes: Uint8Array | undefined): string | null {
    this.lines++;
    if (line.kind !== 'data') return null;
    const key = countedKeyOf(line);
    if (key === null) {
      this.refusedLines++;
      return null;
    }
    const pairs = this.pairsOf(line);
    const { high, low } = this.hasher;
    if (bytes !== undefined && line.problems.length === 0) this.learnPrefix(line, bytes, pairs, high, low);
    const metric = this.metricFor(key);
    if (metric === undefined) return null;
    this.addToMetric(metric, pairs, high, low, minuteOf(line), null);
    return key;
  }

  /** Teaches the fast path the prefix of a line without findings (its `bytes`): what every line made of it counts. */
  private learnPrefix(line: DataLine, bytes: Uint8Array, pairs: Pairs, high: number, low: number): void {
    const payload = line.payload as NonNullable<DataLine['payload']>;
    // What follows the prefix in a clean line (payload, timestamp) is ASCII: as many bytes as code units.
    const tail = line.text.length - (payload.span.start - 1);
    const prefixBytes = bytes.length - tail;
    if (prefixBytes < 0 || bytes[prefixBytes] !== 0x20) return;
    for (let i = prefixBytes; i < bytes.length; i++) if ((bytes[i] as number) >= 0x80) return;
    if (this.prefixes === null) {
      this.prefixes = new CleanPrefixTable<number>(CLEAN_PREFIXES, CLEAN_PREFIX_BYTES);
      this.fastPath = new CleanLineMatcher(this.prefixes, LIMITS.summaryTolerance);
    }
    const shared = this.prefixPairs;
    if (shared.halves.length / 2 + pairs.keys.length > PREFIX_PAIRS) return;
    const id = this.prefixes.size;
    this.prefixes.add(bytes, 0, prefixBytes, id);
    // Known already, or the table full.
    if (this.prefixes.size === id) return;
    const written = line.key.text;
    const shapeKey = [written, ...pairs.keys].join('\n');
    let shape = this.shapes.get(shapeKey);
    if (shape === undefined) {
      const keys = pairs.keys.map((key) => this.intern(key));
      const gaugeKey = this.intern(storedKey(written, 'gauge'));
      shape = { gaugeKey, countKey: this.intern(storedKey(written, 'count')), keys, gauge: null, count: null };
      this.shapes.set(detached(shapeKey), shape);
    }
    this.prefixAt.push(shared.halves.length / 2);
    this.prefixShapes.push(shape);
    this.prefixTuples.push(high, low);
    for (const half of pairs.halves) shared.halves.push(half);
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
    const pairs = this.startPairs();
    for (const [dimension, value] of dimensions) this.addPair(dimension, value);
    const minute = timestamp === null ? null : Math.floor(timestamp / WINDOW);
    this.addToMetric(metric, pairs, this.hasher.high, this.hasher.low, minute, null);
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

  /**
   * Pair i's value; a fast-path line's from its prefix's bytes, parsed again as the line that taught it was (rarely:
   * only a value new to its dimension is read, and a prefix's values were counted when it was learnt).
   */
  private valueOf(pairs: Pairs, i: number): string {
    if (pairs !== this.prefixPairs) return pairs.values[pairs.at + i] as string;
    const prefix = (this.prefixes as CleanPrefixTable<number>).bytesOf(this.prefixId);
    const line = parseLine(decoder.decode(prefix) + ' 0') as DataLine;
    return this.pairsOf(line).values[i] as string;
  }

  /** A data line's pairs in the analyzer's scratch pairs, their tuple's hash halves in its hasher. */
  private pairsOf(line: DataLine): Pairs {
    const pairs = this.startPairs();
    for (const dim of line.dimensions as KeyValueNode[]) if (dim.eq >= 0) this.addPair(dim.key.text, dim.text);
    return pairs;
  }

  /** The analyzer's scratch pairs and tuple hash, emptied for a line. */
  private startPairs(): Pairs {
    this.hasher.reset();
    this.lineKeys.clear();
    const pairs = this.linePairs;
    pairs.keys.length = pairs.values.length = pairs.halves.length = 0;
    return pairs;
  }

  /** The one copy of `text` fast-path entries share; a copy that keeps no line alive (see detached). */
  private intern(text: string): string {
    let kept = this.interned.get(text);
    if (kept === undefined) this.interned.set((kept = detached(text)), kept);
    return kept;
  }

  /** One dimension pair into the tuple as the tenant stores it: empty values dropped, a repeated key's first kept. */
  private addPair(key: string, value: string): void {
    // A key repeated on the line: the tenant keeps its first value (DOC D1 leaves which open; the store's firstOfEachKey).
    if (value === '' || this.lineKeys.has(key)) return;
    this.lineKeys.add(key);
    const hasher = this.hasher;
    hasher.add(key, value);
    const pairs = this.linePairs;
    pairs.keys.push(key);
    pairs.values.push(value);
    pairs.halves.push(hasher.pairHigh, hasher.pairLow);
  }

  /**
   * One line of `metric`: its pairs, its tuple's hash halves (`high`, `low`: the sums of the pairs') and minute;
   * `known`: the dimension of each pair when all are followed already (else null: looked up).
   */
  private addToMetric(
    metric: MetricState,
    pairs: Pairs,
    high: number,
    low: number,
    minute: number | null,
    known: readonly DimensionState[] | null,
  ): void {
    metric.lines++;
    const tuple = hash53(high, low);
    const line = ++this.counted;
    const dims = known ?? this.lineDimensions;
    const { keys, halves } = pairs;
    for (let i = 0; i < keys.length; i++) {
      const dim = known === null ? this.dimensionOf(metric, keys[i] as string) : known[i];
      if (known === null) this.lineDimensions[i] = dim;
      if (dim === undefined) continue;
      dim.onLine = line;
      dim.pairIndex = i;
    }
    if (minute !== null) metric.timeline.enter(minute, metric.minuteIsNew(minute), () => metric.series.count);
    const isNew = metric.series.add(tuple);
    if (minute === null) {
      this.untimedLines++;
      metric.untimedTuples.add(tuple);
    } else {
      metric.firstMinute = Math.min(metric.firstMinute, minute);
      metric.lastMinute = Math.max(metric.lastMinute, minute);
      metric.openingMinute ??= minute;
      metric.timedPoints.add(this.timedPointOf(high, low, minute));
      if (isNew === true) metric.timeline.added(minute);
    }
    const later = minute !== null && minute !== metric.openingMinute;
    // A tuple seen before brought these values before: each is known (or its key's count an estimate) unless a key
    // was followed only after the tuple was seen.
    const seenValues = isNew === false && !metric.lateDimensions;
    for (let i = 0; i < keys.length; i++) {
      const dim = dims[i];
      if (dim === undefined) continue;
      dim.lines++;
      const newValue = seenValues ? (dim.values.estimated ? null : false) : dim.values.add(pairHash(pairs, i));
      if (newValue === true) {
        const shape = valueShape(this.valueOf(pairs, i));
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
      if (dim.onLine !== line) {
        dim.without.add(tuple);
        continue;
      }
      const at = 2 * (pairs.at + dim.pairIndex);
      dim.events++;
      if (isNew) dim.tuples++;
      dim.without.add(hash53(high - (halves[at] as number), low - (halves[at + 1] as number)));
    }
    this.addDependencies(metric, pairs);
  }

  /** The hash of a (tuple, minute) point: the minute as one more pair of the tuple, another point in another minute. */
  private timedPointOf(high: number, low: number, minute: number): number {
    const minuteHasher = this.minuteHasher;
    if (minute !== this.hashedMinute) {
      minuteHasher.reset();
      minuteHasher.add('\u0000minute', String(minute));
      this.hashedMinute = minute;
    }
    return hash53(high + minuteHasher.high, low + minuteHasher.low);
  }

  private dimensionOf(metric: MetricState, key: string): DimensionState | undefined {
    const known = metric.dimensions.get(key);
    if (known !== undefined || metric.untracked.has(key)) return known;
    if (
      metric.dimensions.size >= COST.dimensionKeysPerMetric.value ||
      !metric.budget.take(undefined, DIMENSION_ENTRIES)
    ) {
      if (metric.untracked.size < COST.dimensionKeysPerMetric.value) metric.untracked.add(key);
      else metric.lateDimensions = true;
      return undefined;
    }
    const dim = new DimensionState(key, metric.series, metric.budget);
    metric.dimensions.set(key, dim);
    if (metric.dimensions.size > COST.dependencyDimensions.value) metric.dropDependencies();
    return dim;
  }

  private addDependencies(metric: MetricState, pairs: Pairs): void {
    const dependencies = metric.dependencies;
    if (dependencies === null) return;
    const keys = pairs.keys;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const valueHash = pairHash(pairs, i);
      let byKey = dependencies.get(key);
      if (byKey === undefined) dependencies.set(key, (byKey = new Map()));
      for (let j = 0; j < keys.length; j++) {
        if (j === i) continue;
        const by = keys[j] as string;
        let dependency = byKey.get(by);
        if (dependency === undefined) {
          if (!metric.budget.take(undefined, DEPENDENCY_ENTRIES, DEPENDENCY_SHARE)) {
            metric.dropDependencies();
            return;
          }
          metric.dependencyEntries += DEPENDENCY_ENTRIES;
          byKey.set(by, (dependency = new Dependency()));
        }
        dependency.events++;
        const valueOf = dependency.valueOf;
        if (valueOf === null) continue;
        const byHash = pairHash(pairs, j);
        const seen = valueOf.get(byHash) ?? ABSENT;
        if (seen === ABSENT) {
          if (valueOf.size < COST.dependencyValuesPerPair.value && metric.budget.take(undefined, 1, DEPENDENCY_SHARE)) {
            valueOf.set(byHash, valueHash);
            metric.dependencyEntries++;
            continue;
          }
          dependency.overflow = true;
        } else if (seen === valueHash) continue;
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

/**
 * A copy of `text` that keeps nothing else alive: a string cut from a line may be a view of the whole line (V8's
 * sliced strings), which a fast-path entry would otherwise keep for the whole run.
 */
const detached = (text: string): string => (' ' + text).slice(1);

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
