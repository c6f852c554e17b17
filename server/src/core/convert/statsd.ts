/**
 * StatsD and DogStatsD datagrams → metric lines. A StatsD server aggregates what it receives over a flush interval
 * and writes one value per series; this converter does the same: `line` adds a datagram to the interval's
 * aggregates, `flush` writes them and starts a new interval, `end` flushes once (a file of captured datagrams is one
 * interval, the tenant stamps its lines). Types, tags and listener facts: INGEST-PATHS §2.1 (the OneAgent StatsD
 * listener, https://docs.dynatrace.com/managed/ingest-from/extend-dynatrace/extend-metrics/ingestion-methods/statsd);
 * the DogStatsD datagram: https://docs.datadoghq.com/developers/dogstatsd/datagram_shell/ ("Datadog docs" below).
 * The reference server's habits (relative gauges, sampled counters): statsd/statsd's stats.js ("etsy StatsD").
 */
import { summaryFault } from '../check.ts';
import { DECIMAL } from '../numbers.ts';
import { storedKey } from '../keys.ts';
import { LIMITS, literal } from '../rules.ts';
import type { ConversionNote, ConversionSink, LineConverter, NamingPreview, NoteKind } from './model.ts';
import { emptyTally } from './model.ts';
import { RecentMap } from './recent.ts';
import { dimensionPairs, metricKey, metricLine, noMetricKeyReason, numberText, summaryPayload } from './naming.ts';
import { shortText } from '../text.ts';

export interface StatsdConverter extends LineConverter {
  /**
   * Writes the aggregates of the interval so far, stamped with `timestamp` (ms) when given (a datagram's own `|T`
   * wins), with the interval's notes, and starts a new interval. Gauges' values carry over (relative gauges).
   */
  flush(timestamp: number | null): void;
}

/** What a StatsD type aggregates to. `ms` (timer), `h` (histogram) and `d` (distribution) are all summaries. */
type Kind = 'counter' | 'gauge' | 'summary' | 'set';
const KINDS: Readonly<Record<string, Kind>> = {
  c: 'counter',
  g: 'gauge',
  ms: 'summary',
  h: 'summary',
  d: 'summary',
  s: 'set',
};
const KIND_NAMES: Readonly<Record<Kind, string>> = {
  counter: 'a counter (`|c`)',
  gauge: 'a gauge (`|g`)',
  summary: 'a timer, histogram or distribution (`|ms`, `|h`, `|d`)',
  set: 'a set (`|s`)',
};

/** The OneAgent listener's naming is not documented; INGEST-PATHS §2.1 infers it, and the path's name says so. */
const LISTENER_PATH = 'OneAgent StatsD listener [Inferred]';

interface Datagram {
  name: string;
  kind: Kind;
  /** As written: numbers (a gauge's may carry a sign that makes it relative) or one set member. */
  values: string[];
  /** `|@rate`; null when not sampled. */
  rate: number | null;
  /** `|#tags` as [key, value]; value null for a tag without `:`. */
  tags: [string, string | null][];
  /** `|T<unix seconds>` in ms; null when absent. */
  timestamp: number | null;
  /** Fields left out: DogStatsD's origin fields and fields this converter does not know. */
  ignored: string[];
}

/** Why a datagram is not converted, and what the note about it is filed under. */
interface Refusal {
  /** The metric name when it could be read; null groups the note by reason alone. */
  name: string | null;
  reason: string;
}

type Aggregate =
  | { kind: 'counter'; delta: number }
  | { kind: 'gauge'; value: number }
  | { kind: 'summary'; min: number; max: number; sum: number; count: number }
  | { kind: 'set'; members: Set<string> };

/** One series of the interval: key, dimension tuple and the datagram's own timestamp. */
interface Series {
  source: string;
  kind: Kind;
  key: string;
  dimensions: [string, string][];
  timestamp: number | null;
  /** The input line of its first datagram in the interval. */
  from: number;
  /** Datagrams aggregated into it (skipped instead if its value is no finite number). */
  items: number;
  aggregate: Aggregate;
}

/** Why a datagram of another type than its key's is not converted. */
function twoTypes(name: string, key: string, known: Kind, kind: Kind): Refusal {
  return {
    name,
    reason: `\`${key}\` is ${KIND_NAMES[known]} earlier in the input and ${KIND_NAMES[kind]} here: a metric key has one type; use two names`,
  };
}

/**
 * `remembered`: how many keys (and gauge series) it remembers across intervals, the least recently used forgotten;
 * as many as a tenant keeps metric keys by default.
 */
export function createStatsdConverter(
  sink: ConversionSink,
  remembered: number = LIMITS.metricKeysPerEnvironment,
): StatsdConverter {
  const tally = emptyTally();
  // Per interval: the series and the notes so far (one per metric and reason, with a count).
  let series = new Map<string, Series>();
  let notes = new Map<string, ConversionNote>();
  // Across intervals: a key's kind (one type a key), keys named, notes written once, gauges' current values; each
  // bounded (a key forgotten is met as new: its first type wins again, its naming is said again).
  const kinds = new RecentMap<string, Kind>(remembered);
  const named = new RecentMap<string, true>(remembered);
  const written = new RecentMap<string, true>(remembered);
  const gauges = new RecentMap<string, number>(remembered);

  /** Files a note of the interval; `once` notes are written in the first interval they occur in only. */
  function note(
    kind: NoteKind,
    line: number,
    item: string,
    message: string,
    once: boolean,
    group = item,
    count = 1,
  ): void {
    const id = `${kind}\u0000${group}\u0000${message}`;
    if (once && written.get(id) && !notes.has(id)) return;
    const filed = notes.get(id);
    if (filed) filed.count += count;
    else notes.set(id, { kind, line, item, count, message });
    if (once) written.set(id, true);
  }

  function skip(line: number, refusal: Refusal, item: string): void {
    tally.skipped++;
    sink.unconverted?.(line);
    note('skipped', line, refusal.name ?? item, refusal.reason, false, refusal.name ?? '');
  }

  function add(datagram: Datagram, line: number): Refusal | null {
    const { name, kind } = datagram;
    const key = metricKey(name);
    if (key === null) return { name, reason: `no metric key: ${noMetricKeyReason(name)}` };
    const known = kinds.get(key);
    if (known !== undefined && known !== kind) return twoTypes(name, key, known, kind);
    if (datagram.timestamp !== null && !Number.isSafeInteger(datagram.timestamp))
      return { name, reason: 'the `|T` timestamp is out of range' };
    const tags: [string, string][] = [];
    const tagNotes: [NoteKind, string][] = [];
    for (const [tag, value] of datagram.tags) {
      // Value-less DogStatsD tags (`#env`) are not documented for the listener (INGEST-PATHS §2.1); the collector's
      // statsd receiver refuses them unless `enable_simple_tags`, and then sends an empty value, which the tenant
      // drops. So: left out, and said once per metric.
      if (value === null)
        tagNotes.push(['info', `tag \`${tag}\` has no value: left out (a dimension needs \`key:value\`)`]);
      else tags.push([tag, value]);
    }
    const dimensions = dimensionPairs(tags, (change) =>
      tagNotes.push(
        change.to === null
          ? ['info', `tag \`${change.key}\` left out: ${change.reason}`]
          : ['renamed', `tag key \`${change.key}\` → dimension \`${change.to}\``],
      ),
    );
    if (dimensions.length > LIMITS.dimensionsPerLine)
      return {
        name,
        reason: `${dimensions.length} tags, more than the ${LIMITS.dimensionsPerLine} dimensions a line takes: drop tags`,
      };
    for (const [noteKind, message] of tagNotes) note(noteKind, line, name, message, true);
    dimensions.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (key !== name) note('renamed', line, name, `\`${name}\` → metric key \`${key}\``, true);
    for (const field of datagram.ignored) note('info', line, name, ignoredFieldNote(field), true);
    if (datagram.rate !== null && datagram.rate < 1) note('info', line, name, rateNote(datagram.kind), true);

    const tuple = dimensions.map(([k, v]) => `${k}=${v}`).join(',');
    const id = `${key}\u0000${datagram.timestamp ?? ''}\u0000${tuple}`;
    let entry = series.get(id);
    // The interval's own series has its type even when the key's was forgotten (past `remembered` keys).
    if (entry !== undefined && entry.kind !== kind) return twoTypes(name, key, entry.kind, kind);
    if (entry === undefined) {
      entry = {
        source: name,
        kind,
        key,
        dimensions,
        timestamp: datagram.timestamp,
        from: line,
        items: 0,
        aggregate: start(kind),
      };
      series.set(id, entry);
    }
    kinds.set(key, kind);
    entry.items++;
    accumulate(entry.aggregate, datagram, `${key}\u0000${tuple}`, () =>
      // etsy StatsD starts a relative gauge it has no value for from 0; the listener's habit is not documented.
      note(
        'info',
        line,
        name,
        'a relative gauge (`+N`/`-N`) with no value before it started from 0, as StatsD does',
        true,
      ),
    );
    return null;
  }

  function accumulate(aggregate: Aggregate, datagram: Datagram, gaugeId: string, unbased: () => void): void {
    const rate = datagram.rate ?? 1;
    for (const text of datagram.values) {
      const value = Number(text);
      switch (aggregate.kind) {
        case 'counter':
          // A sampled counter stands for 1/rate as many increments (Datadog docs, etsy StatsD).
          aggregate.delta += value / rate;
          break;
        case 'gauge': {
          // etsy StatsD: a leading sign makes a gauge relative to the value it holds; that value carries over
          // intervals. (DogStatsD reads `-5` as an absolute -5; the OneAgent's reading is not documented.)
          const relative = text.startsWith('+') || text.startsWith('-');
          const current = gauges.get(gaugeId);
          if (relative && current === undefined) unbased();
          aggregate.value = relative ? (current ?? 0) + value : value;
          gauges.set(gaugeId, aggregate.value);
          break;
        }
        case 'summary':
          // The values received, unweighted: a summary's count is a whole number of observations (PL005), and
          // weighting each by 1/rate would make it fractional. (etsy StatsD counts 1/rate per timer value but sums
          // the values unweighted, so its count and sum disagree; here they agree.) The rate is said (rateNote).
          aggregate.min = Math.min(aggregate.min, value);
          aggregate.max = Math.max(aggregate.max, value);
          aggregate.sum += value;
          aggregate.count++;
          break;
        case 'set':
          aggregate.members.add(text);
          break;
      }
    }
  }

  function write(entry: Series, at: number | null): void {
    const payload = payloadOf(entry.aggregate);
    const type = entry.aggregate.kind === 'counter' ? 'count' : 'gauge';
    if (typeof payload !== 'string') {
      tally.converted -= entry.items;
      tally.skipped += entry.items;
      sink.unconverted?.(entry.from);
      note('skipped', entry.from, entry.source, payload.unwritable, false, entry.source, entry.items);
      return;
    }
    if (!named.get(entry.key)) {
      named.set(entry.key, true);
      sink.naming(namingOf(entry, type));
    }
    sink.line(metricLine(entry.key, entry.dimensions, payload, entry.timestamp ?? at), entry.from);
  }

  function flush(timestamp: number | null): void {
    for (const entry of series.values()) write(entry, timestamp);
    for (const filed of notes.values()) sink.note(filed);
    series = new Map();
    notes = new Map();
  }

  return {
    tally,
    line(text, lineNumber) {
      const datagram = text.trim();
      if (datagram === '') return;
      tally.items++;
      const parsed = parseDatagram(datagram);
      const refusal = 'reason' in parsed ? parsed : add(parsed, lineNumber);
      if (refusal === null) tally.converted++;
      else skip(lineNumber, refusal, shortText(datagram));
    },
    end: () => flush(null),
    flush,
  };
}

const start = (kind: Kind): Aggregate => {
  switch (kind) {
    case 'counter':
      return { kind, delta: 0 };
    case 'gauge':
      return { kind, value: 0 };
    case 'summary':
      return { kind, min: Infinity, max: -Infinity, sum: 0, count: 0 };
    case 'set':
      return { kind, members: new Set() };
  }
};

const BEYOND_NUMBERS = { unwritable: 'the value of the interval is beyond the largest number a line can carry' };

/** The line's payload, or why the interval's aggregate cannot be written. */
function payloadOf(aggregate: Aggregate): string | { unwritable: string } {
  switch (aggregate.kind) {
    case 'counter':
      return Number.isFinite(aggregate.delta) ? `count,delta=${numberText(aggregate.delta)}` : BEYOND_NUMBERS;
    case 'gauge':
      return Number.isFinite(aggregate.value) ? `gauge,${numberText(aggregate.value)}` : BEYOND_NUMBERS;
    case 'set':
      // Distinct members per interval: a gauge, since members seen in two intervals are not two (a count's sum
      // over a longer timeframe would count them twice). etsy StatsD and Datadog report sets as gauges too.
      return `gauge,${aggregate.members.size}`;
    case 'summary': {
      const { min, max, count } = aggregate;
      if (!Number.isFinite(aggregate.sum)) return BEYOND_NUMBERS;
      const sum = fittedSum(min, max, aggregate.sum, count);
      if (sum === null)
        return {
          unwritable: `no sum of these values has an average within ${LIMITS.summaryTolerance} of min and max, as the tenant requires (PL008): values this large cannot be written as a summary`,
        };
      return summaryPayload(min, max, sum, count);
    }
  }
}

/**
 * The sum as a summary can carry it (PL008: min ≤ sum/count ≤ max within the tenant's tolerance). Added up in
 * floating point, the sum of large values strays past count·max by more than that tolerance (seven values of
 * 7.7e20 average 131072 above them): such a sum is moved to the nearest double that passes, at most a few steps
 * away. Null when none does: no double divided by the count lands within the tolerance of min = max.
 */
function fittedSum(min: number, max: number, sum: number, count: number): number | null {
  const fault = (s: number) => summaryFault(min, max, s, count, true, LIMITS.summaryTolerance);
  let fitted = Math.min(Math.max(sum, min * count), max * count);
  for (let step = 0; step < 64 && Number.isFinite(fitted) && fault(fitted) !== null; step++)
    fitted = nextDouble(fitted, fitted / count > max ? -1 : 1);
  return Number.isFinite(fitted) && fault(fitted) === null ? fitted : null;
}

/** The double next to `x` towards +∞ (direction 1) or −∞ (−1). */
function nextDouble(x: number, direction: 1 | -1): number {
  if (x === 0) return direction * Number.MIN_VALUE;
  const bits = new BigInt64Array(new Float64Array([x]).buffer);
  bits[0] = (bits[0] as bigint) + (x > 0 === direction > 0 ? 1n : -1n);
  return new Float64Array(bits.buffer)[0] as number;
}

function namingOf(entry: Series, type: 'gauge' | 'count'): NamingPreview {
  const stored = storedKey(entry.key, type);
  // INGEST-PATHS §2.1 [Inferred]: counters become counts (`.count`), timers, histograms and distributions gauge
  // summaries, gauges gauges; nothing is inferred for sets, so no path is shown for them.
  return {
    source: entry.source,
    key: entry.key,
    type,
    stored,
    paths: entry.aggregate.kind === 'set' ? {} : { [LISTENER_PATH]: stored },
  };
}

function rateNote(kind: Kind): string {
  const at = 'sampled (`|@rate`)';
  switch (kind) {
    case 'counter':
      return `${at}: each value counted as value/rate, as StatsD servers do`;
    case 'summary':
      return `${at}: min, max, sum and count are of the values received (a count is whole); multiply count and sum by 1/rate to estimate all`;
    default:
      return `${at}: the rate does not apply to ${kind === 'gauge' ? 'a gauge' : 'a set'} and is ignored`;
  }
}

/**
 * A field after the type that is left out. DogStatsD's origin fields (Datadog docs: container ID `c:`, external
 * data `e:`, cardinality `card:`) are named by their prefix alone, so that one note covers every container.
 */
function ignoredFieldNote(field: string): string {
  for (const [prefix, what] of ORIGIN_FIELDS)
    if (field.startsWith(prefix)) return `\`|${prefix}\` (DogStatsD's ${what}) is no dimension: left out`;
  return `\`|${shortText(field, 16)}\` is no field this converter knows: left out`;
}

const ORIGIN_FIELDS = [
  ['c:', 'container ID'],
  ['e:', 'external data'],
  ['card:', 'tag cardinality'],
] as const;

/**
 * `name:value[:value…]|type[|@rate][|#tag[:value],…][|T<seconds>][|c:…]…` (Datadog docs; fields after the type in
 * any order, as the Agent reads them), or why it is none.
 */
function parseDatagram(text: string): Datagram | Refusal {
  if (text.startsWith('_e{'))
    return { name: null, reason: 'a DogStatsD event (`_e{…}`) is no metric: send events to the events API' };
  if (text.startsWith('_sc|')) return { name: null, reason: 'a DogStatsD service check (`_sc|…`) is no metric' };
  const fields = text.split('|');
  const head = fields[0] as string;
  const colon = head.indexOf(':');
  if (colon < 0) return { name: null, reason: 'no `name:value|type` datagram: no `:` before the first `|`' };
  if (colon === 0) return { name: null, reason: 'no metric name before the `:`' };
  const name = head.slice(0, colon);
  const type = fields[1];
  if (type === undefined) return { name, reason: 'no `|type` after the value' };
  const kind = KINDS[type];
  if (kind === undefined)
    return { name, reason: `unknown type \`|${shortText(type)}\`: StatsD types are c, g, ms, h, s and d` };
  // DogStatsD 1.1 packs several values with `:` for every type but sets (Datadog docs); a set member is all of it.
  const written = head.slice(colon + 1);
  const values = kind === 'set' ? [written] : written.split(':');
  if (kind === 'set' ? written === '' : !values.every(isFiniteDecimal))
    return { name, reason: `the value ${literal(written)} is no ${kind === 'set' ? 'set member' : 'number'}` };
  const datagram: Datagram = { name, kind, values, rate: null, tags: [], timestamp: null, ignored: [] };
  let tagged = false;
  for (const field of fields.slice(2)) {
    if (field.startsWith('@')) {
      const rate = DECIMAL.test(field.slice(1)) ? Number(field.slice(1)) : NaN;
      if (!(rate > 0 && rate <= 1))
        return { name, reason: `the sample rate \`|${shortText(field)}\` is not in (0, 1]` };
      if (datagram.rate !== null) return { name, reason: 'two sample rates (`|@`)' };
      datagram.rate = rate;
    } else if (field.startsWith('#')) {
      if (tagged) return { name, reason: 'two tag fields (`|#`)' };
      tagged = true;
      datagram.tags = field
        .slice(1)
        .split(',')
        .filter((tag) => tag !== '')
        .map((tag) => {
          const at = tag.indexOf(':');
          return at < 0 ? [tag, null] : [tag.slice(0, at), tag.slice(at + 1)];
        });
    } else if (field.startsWith('T')) {
      if (!/^T\d{1,15}$/.test(field))
        return { name, reason: `the timestamp \`|${shortText(field)}\` is not in Unix seconds` };
      if (datagram.timestamp !== null) return { name, reason: 'two timestamps (`|T`)' };
      // DogStatsD's `|T` is in seconds; the line protocol's timestamp in milliseconds (PROTOCOL §3).
      datagram.timestamp = Number(field.slice(1)) * 1000;
    } else datagram.ignored.push(field);
  }
  return datagram;
}

const isFiniteDecimal = (text: string): boolean => DECIMAL.test(text) && Number.isFinite(Number(text));
