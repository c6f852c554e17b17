/**
 * Prometheus text exposition (0.0.4) and OpenMetrics 1.0 → metric lines. Items are samples. The mapping is the
 * Extensions 2.0 Prometheus data source's (INGEST-PATHS §2.2, prometheus-schema-reference), the one of Dynatrace's
 * two documented Prometheus paths that lines can express: gauges and untyped as `gauge`, counters and the `_count`,
 * `_sum` (and, on request, `_bucket`) of histograms and summaries as `count,delta=`, summary quantiles as gauges.
 * A running total becomes a delta only against the previous scrape of the same series; without it, no total is ever
 * sent as a delta. Streaming: what is held is the current family's notes and names, and the previous scrape.
 */
import { storedKey } from '../keys.ts';
import { LIMITS } from '../rules.ts';
import type { ConversionNote, ConversionSink, ConversionTally, LineConverter, NamingPreview } from './model.ts';
import { emptyTally } from './model.ts';
import { dimensionPairs, metricKey, metricLine, numberText } from './naming.ts';

export interface PrometheusOptions {
  /** OpenMetrics: timestamps in seconds, `# EOF` ends the exposition. Otherwise the Prometheus text format (ms). */
  openMetrics: boolean;
  /** The scrape before this one (readPreviousScrape): counters become the increase since then. */
  previous: PreviousScrape | null;
  /**
   * Convert histogram buckets (`_bucket` by `le`) as count deltas. Off unless asked, as in the Extensions mapping
   * (`collectHistogramBuckets` defaults to false): each bucket is a series of its own, billed per data point.
   */
  histogramBuckets?: boolean;
}

/** The running totals of a scrape (counters and the `_count`/`_sum`/`_bucket` of histograms and summaries). */
export interface PreviousScrape {
  /** Series (sample name and label set, seriesId) → its value as written. */
  readonly totals: ReadonlyMap<string, string>;
}

/** The previous scrape's running totals, read from its lines in the same format. Pure; never throws. */
export function readPreviousScrape(lines: Iterable<string>, openMetrics: boolean): PreviousScrape {
  const totals = new Map<string, string>();
  const reader = new ExpositionReader(openMetrics, {
    sample: (family, role, sample) => {
      if (isRunningTotal(family.type, role) && Number.isFinite(sample.value))
        totals.set(seriesId(sample.name, sample.labels), sample.valueText);
    },
    malformed: () => undefined,
    familyEnd: () => undefined,
  });
  let lineNumber = 0;
  for (const line of lines) reader.line(line, ++lineNumber);
  return { totals };
}

export function createPrometheusConverter(sink: ConversionSink, options: PrometheusOptions): LineConverter {
  return new PrometheusConverter(sink, options);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the exposition

/** The types either format declares (`untyped` is Prometheus's, `unknown` and the last three OpenMetrics'). */
type FamilyType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'summary'
  | 'untyped'
  | 'unknown'
  | 'gaugehistogram'
  | 'stateset'
  | 'info';

const FAMILY_TYPES: ReadonlySet<string> = new Set<FamilyType>([
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'unknown',
  'gaugehistogram',
  'stateset',
  'info',
]);

/** What a sample is within its family: the suffix after the family's name (`''` for the name itself). */
type Role = '' | '_total' | '_created' | '_count' | '_sum' | '_bucket' | '_gcount' | '_gsum' | '_info';

/** The suffixes a family's samples may carry, per type (OpenMetrics 1.0 §"Metric types"; Prometheus text format). */
const ROLES: Record<FamilyType, readonly Role[]> = {
  counter: ['', '_total', '_created'],
  gauge: [''],
  untyped: [''],
  unknown: [''],
  stateset: [''],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  summary: ['', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  info: ['_info'],
};

interface Family {
  name: string;
  type: FamilyType;
  /** The input line that started it. */
  line: number;
}

interface Sample {
  name: string;
  /** Label names and values as meant (escapes undone), in the order written. */
  labels: [string, string][];
  valueText: string;
  value: number;
  /** Milliseconds since 1970, or null when none was written. */
  timestamp: number | null;
  /** The timestamp as written, when it is not one a line can carry (the sample is then not converted). */
  badTimestamp: string | null;
  exemplar: boolean;
}

interface ReaderEvents {
  sample(family: Family, role: Role, sample: Sample, lineNumber: number): void;
  /** A line that is no sample, comment or directive; `item` when it looks like a sample (counted as one). */
  malformed(text: string, reason: string, lineNumber: number, item: boolean): void;
  /** The family ended (a new one starts, or the input ends): its notes can be written. */
  familyEnd(family: Family): void;
}

const isRunningTotal = (type: FamilyType, role: Role): boolean =>
  (type === 'counter' && (role === '' || role === '_total')) ||
  ((type === 'histogram' || type === 'summary') && (role === '_count' || role === '_sum')) ||
  (type === 'histogram' && role === '_bucket');

/**
 * A series' identity across scrapes: the sample name and its labels, in name order (a producer may order them
 * differently from one scrape to the next). Empty label values are left out, as Prometheus treats them as absent.
 */
function seriesId(name: string, labels: readonly (readonly [string, string])[]): string {
  if (labels.length === 0) return name;
  const ordered = labels.every((l, i) => i === 0 || (labels[i - 1] as [string, string])[0] < l[0])
    ? labels
    : [...labels].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  let id = name;
  for (const [k, v] of ordered) if (v !== '') id += `\u0001${k}\u0002${v}`;
  return id;
}

/** A Go ParseFloat-style number (what Prometheus and the client libraries write), or the special values. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: Readonly<Record<string, number>> = {
  NaN: NaN,
  nan: NaN,
  '+Inf': Infinity,
  Inf: Infinity,
  '+inf': Infinity,
  inf: Infinity,
  '-Inf': -Infinity,
  '-inf': -Infinity,
};
const INTEGER = /^-?\d+$/;

const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57);
const isBlank = (c: number) => c === 32 || c === 9;

class ExpositionReader {
  private family: Family | null = null;
  private ended = false;

  constructor(
    private readonly openMetrics: boolean,
    private readonly events: ReaderEvents,
  ) {}

  line(text: string, lineNumber: number): void {
    let start = 0;
    while (start < text.length && isBlank(text.charCodeAt(start))) start++;
    if (start === text.length) return;
    if (text.charCodeAt(start) === 35 /* # */) {
      this.comment(text, lineNumber);
      return;
    }
    if (this.ended) {
      this.events.malformed(text, 'it comes after `# EOF`, which ends an OpenMetrics exposition', lineNumber, true);
      return;
    }
    const sample = this.parseSample(text, start);
    if (typeof sample === 'string') {
      this.events.malformed(text, sample, lineNumber, true);
      return;
    }
    let family = this.family;
    let role = family === null ? null : roleOf(family, sample.name);
    if (family === null || role === null) {
      // A sample of no declared family is an untyped family of its own (Prometheus text format: "untyped").
      this.endFamily();
      family = this.family = { name: sample.name, type: 'untyped', line: lineNumber };
      role = '';
    }
    this.events.sample(family, role, sample, lineNumber);
  }

  end(): void {
    this.endFamily();
  }

  private endFamily(): void {
    if (this.family !== null) this.events.familyEnd(this.family);
    this.family = null;
  }

  private comment(text: string, lineNumber: number): void {
    const words = text.trim().split(/[ \t]+/);
    if (words[0] !== '#') return;
    const directive = words[1];
    if (directive === 'EOF' && this.openMetrics && words.length === 2) {
      this.endFamily();
      this.ended = true;
    } else if (directive === 'TYPE') {
      const [, , name, type, ...rest] = words;
      this.endFamily();
      if (name === undefined || type === undefined || rest.length > 0 || !isMetricName(name)) {
        this.events.malformed(text, 'a `# TYPE` line is `# TYPE name type`', lineNumber, false);
        return;
      }
      const known = FAMILY_TYPES.has(type);
      if (!known)
        this.events.malformed(
          text,
          `\`${type}\` is no metric type; its samples are read as untyped`,
          lineNumber,
          false,
        );
      this.family = { name, type: known ? (type as FamilyType) : 'untyped', line: lineNumber };
    }
    // `# HELP`, `# UNIT` and other comments carry no value (HELP and UNIT are not written: see docs/convert).
  }

  /** The sample on a line, or why it is none. */
  private parseSample(text: string, start: number): Sample | string {
    let i = start;
    if (!isNameStart(text.charCodeAt(i))) return 'a sample starts with a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`)';
    while (i < text.length && isNameChar(text.charCodeAt(i))) i++;
    const name = text.slice(start, i);
    const labels: [string, string][] = [];
    if (text.charCodeAt(i) === 123 /* { */) {
      const end = parseLabels(text, i + 1, labels);
      if (typeof end === 'string') return end;
      i = end;
    }
    const rest = text.slice(i);
    if (rest !== '' && !isBlank(rest.charCodeAt(0))) return `unexpected \`${rest.charAt(0)}\` after the metric name`;
    let exemplar = false;
    let fields = rest;
    const hash = rest.indexOf('#');
    if (hash >= 0) {
      // An OpenMetrics exemplar: ` # {labels} value [timestamp]` after the sample.
      exemplar = true;
      fields = rest.slice(0, hash);
    }
    const [valueText, timestampText, extra] = fields.trim().split(/[ \t]+/);
    if (valueText === undefined || valueText === '') return 'no value after the metric name';
    if (extra !== undefined) return `more than a value and a timestamp: \`${extra}\``;
    const special = SPECIAL[valueText];
    if (special === undefined && !NUMBER.test(valueText)) return `\`${valueText}\` is not a number`;
    const value = special ?? Number(valueText);
    let timestamp: number | null = null;
    let badTimestamp: string | null = null;
    if (timestampText !== undefined) {
      // Prometheus text: integer milliseconds; OpenMetrics: seconds, possibly fractional.
      const ms = this.openMetrics
        ? NUMBER.test(timestampText)
          ? Math.round(Number(timestampText) * 1000)
          : NaN
        : INTEGER.test(timestampText)
          ? Number(timestampText)
          : NaN;
      if (Number.isSafeInteger(ms) && ms >= 0) timestamp = ms;
      else badTimestamp = timestampText;
    }
    return { name, labels, valueText, value, timestamp, badTimestamp, exemplar };
  }
}

const isMetricName = (name: string): boolean => {
  if (!isNameStart(name.charCodeAt(0))) return false;
  for (let i = 1; i < name.length; i++) if (!isNameChar(name.charCodeAt(i))) return false;
  return true;
};

/** Reads `name="value",…}` from `i` into `labels`; the index after `}`, or why it is no label set. */
function parseLabels(text: string, i: number, labels: [string, string][]): number | string {
  const skipBlanks = () => {
    while (isBlank(text.charCodeAt(i))) i++;
  };
  for (;;) {
    skipBlanks();
    if (text.charCodeAt(i) === 125 /* } */) return i + 1;
    const start = i;
    const c = text.charCodeAt(i);
    if (!isNameStart(c) || c === 58) return 'a label name is `[a-zA-Z_][a-zA-Z0-9_]*`';
    while (i < text.length && isNameChar(text.charCodeAt(i)) && text.charCodeAt(i) !== 58) i++;
    const name = text.slice(start, i);
    skipBlanks();
    if (text.charCodeAt(i) !== 61 /* = */) return `\`=\` expected after label \`${name}\``;
    i++;
    skipBlanks();
    if (text.charCodeAt(i) !== 34 /* " */) return `the value of label \`${name}\` is not in double quotes`;
    i++;
    let value = '';
    let from = i;
    for (;;) {
      if (i >= text.length) return `the value of label \`${name}\` has no closing \`"\``;
      const d = text.charCodeAt(i);
      if (d === 34) break;
      if (d === 92 /* \ */) {
        const next = text.charAt(i + 1);
        // The format's three escapes (`\\`, `\"`, `\n`); any other is an error in Prometheus's own parser.
        const meant = next === '\\' ? '\\' : next === '"' ? '"' : next === 'n' ? '\n' : null;
        if (meant === null)
          return `\`\\${next}\` in the value of label \`${name}\` is no escape (\`\\\\\`, \`\\"\`, \`\\n\`)`;
        value += text.slice(from, i) + meant;
        i += 2;
        from = i;
      } else i++;
    }
    value += text.slice(from, i);
    i++;
    labels.push([name, value]);
    skipBlanks();
    const sep = text.charCodeAt(i);
    if (sep === 44 /* , */) i++;
    else if (sep !== 125) return `\`,\` or \`}\` expected after the value of label \`${name}\``;
  }
}

/** The role of sample `name` in `family`, or null when it does not belong to it. */
function roleOf(family: Family, name: string): Role | null {
  if (!name.startsWith(family.name)) return null;
  const suffix = name.slice(family.name.length);
  return (ROLES[family.type] as readonly string[]).includes(suffix) ? (suffix as Role) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Converting

const EXTENSIONS = 'Extensions 2.0 Prometheus data source';
const KUBERNETES = 'Kubernetes ActiveGate scraping';

/** What a sample becomes, decided by its family's type and its role there. */
type Action =
  | { kind: 'gauge' }
  | { kind: 'delta' }
  | { kind: 'skip'; reason: (family: string) => string }
  | { kind: 'note-and-gauge'; note: (family: string) => string };

const SKIP_CREATED: Action = {
  // OpenMetrics `_created` is when the series started, not a value; a reset shows as the total going down.
  kind: 'skip',
  reason: (f) => `\`${f}_created\` is the time the series was created, not a value`,
};

function actionOf(type: FamilyType, role: Role, buckets: boolean): Action {
  if (role === '_created') return SKIP_CREATED;
  switch (type) {
    case 'gauge':
    case 'untyped':
    case 'unknown':
      return { kind: 'gauge' };
    case 'counter':
      return { kind: 'delta' };
    case 'summary':
      return role === '' ? { kind: 'gauge' } : { kind: 'delta' };
    case 'histogram':
      return role !== '_bucket' || buckets
        ? { kind: 'delta' }
        : {
            kind: 'skip',
            reason: (f) =>
              `\`${f}_bucket\` not converted: the Extensions mapping collects buckets only with collectHistogramBuckets; ask for histogram buckets to send them by \`le\``,
          };
    case 'stateset':
      // Each state is a 0/1 sample: honest as a gauge split by the state label (K8s scraping does not take them).
      return {
        kind: 'note-and-gauge',
        note: (f) =>
          `\`${f}\` is a stateset: each state is written as a gauge of 1 or 0, split by the \`${f}\` dimension`,
      };
    case 'info':
      return {
        kind: 'skip',
        reason: (f) =>
          `\`${f}\` is an info metric: its labels are the data, its value always 1; Dynatrace's Kubernetes scraping does not take info metrics either`,
      };
    case 'gaugehistogram':
      return {
        kind: 'skip',
        reason: (f) =>
          `\`${f}\` is a gaugehistogram, which neither of Dynatrace's Prometheus mappings takes (Kubernetes scraping: unsupported)`,
      };
  }
}

/** The pending notes of a family, one per kind and message, counting the samples each covers. */
type FamilyNotes = Map<string, ConversionNote>;

class PrometheusConverter implements LineConverter {
  readonly tally: ConversionTally = emptyTally();
  private readonly reader: ExpositionReader;
  private notes: FamilyNotes = new Map();
  /** Sample name → its metric key (null: none can be made), for the current family. */
  private keys = new Map<string, string | null>();
  /** The keys of the current family whose naming preview was written. */
  private announced = new Set<string>();
  private mappingNamed = false;

  constructor(
    private readonly sink: ConversionSink,
    private readonly options: PrometheusOptions,
  ) {
    this.reader = new ExpositionReader(options.openMetrics, {
      sample: (family, role, sample, lineNumber) => this.sample(family, role, sample, lineNumber),
      malformed: (text, reason, lineNumber, item) => {
        if (item) this.tally.items++;
        const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
        this.emit({
          kind: item ? 'skipped' : 'info',
          line: lineNumber,
          item: shown.trim(),
          count: item ? 1 : 0,
          message: item ? `not a sample: ${reason}` : reason,
        });
      },
      familyEnd: () => this.familyEnd(),
    });
  }

  line(text: string, lineNumber: number): void {
    this.reader.line(text, lineNumber);
  }

  end(): void {
    this.reader.end();
  }

  private emit(note: ConversionNote): void {
    if (note.kind === 'skipped') this.tally.skipped += note.count;
    this.sink.note(note);
  }

  /** Adds one sample to the family's note with this kind and message (written when the family ends). */
  private noteOnce(kind: ConversionNote['kind'], item: string, lineNumber: number, message: string): void {
    const id = kind + message;
    const note = this.notes.get(id);
    if (note) note.count++;
    else this.notes.set(id, { kind, line: lineNumber, item, count: 1, message });
  }

  private skip(family: Family, lineNumber: number, message: string): void {
    this.noteOnce('skipped', family.name, lineNumber, message);
  }

  private familyEnd(): void {
    for (const note of this.notes.values()) this.emit(note);
    this.notes = new Map();
    this.keys = new Map();
    this.announced = new Set();
  }

  private sample(family: Family, role: Role, sample: Sample, lineNumber: number): void {
    this.tally.items++;
    const action = actionOf(family.type, role, this.options.histogramBuckets === true);
    if (action.kind === 'skip') return this.skip(family, lineNumber, action.reason(family.name));
    if (sample.exemplar)
      // Lines carry no exemplars; the sample itself is converted (K8s scraping does not take them either).
      this.noteOnce('info', family.name, lineNumber, `exemplars of \`${family.name}\` are left out: lines carry none`);
    if (!Number.isFinite(sample.value))
      return this.skip(family, lineNumber, `NaN and ±Inf values of \`${family.name}\`: a line takes finite numbers`);
    if (sample.badTimestamp !== null)
      return this.skip(
        family,
        lineNumber,
        `a timestamp of \`${family.name}\` is not a time a line can carry (${this.options.openMetrics ? 'seconds' : 'milliseconds'} since 1970, not negative): \`${sample.badTimestamp}\``,
      );
    const key = this.keyOf(family, sample.name, lineNumber);
    if (key === null)
      return this.skip(
        family,
        lineNumber,
        `no metric key can be made of \`${sample.name}\`: a key has ${LIMITS.metricKeyMinLength} to ${LIMITS.metricKeyConservativeLength} characters and does not start with \`dt.\``,
      );
    const dimensions = dimensionPairs(
      sample.labels.filter(([, value]) => value !== ''),
      (change) => {
        if (change.to !== null)
          this.noteOnce(
            'renamed',
            family.name,
            lineNumber,
            `label \`${change.key}\` of \`${family.name}\` written as dimension \`${change.to}\``,
          );
        else
          this.noteOnce(
            'info',
            family.name,
            lineNumber,
            `label \`${change.key}\` of \`${family.name}\` left out: ${change.reason ?? ''}`,
          );
      },
    );
    if (dimensions.length > LIMITS.dimensionsPerLine)
      return this.skip(
        family,
        lineNumber,
        `samples of \`${family.name}\` with more than ${LIMITS.dimensionsPerLine} labels: a line takes at most ${LIMITS.dimensionsPerLine} dimensions`,
      );
    let payload: string;
    if (action.kind === 'delta') {
      const delta = this.increase(family, sample, lineNumber);
      if (delta === null) return;
      payload = `count,delta=${numberText(delta)}`;
    } else {
      if (action.kind === 'note-and-gauge') this.noteOnce('info', family.name, lineNumber, action.note(family.name));
      payload = `gauge,${numberText(sample.value)}`;
    }
    this.announce(family, role, sample.name, key, action.kind === 'delta' ? 'count' : 'gauge', lineNumber);
    this.sink.line(metricLine(key, dimensions, payload, sample.timestamp), lineNumber);
    this.tally.converted++;
  }

  /** The sample's metric key (a rename reported once per family), cached for the family. */
  private keyOf(family: Family, name: string, lineNumber: number): string | null {
    let key = this.keys.get(name);
    if (key !== undefined) return key;
    key = metricKey(name);
    this.keys.set(name, key);
    if (key !== null && key !== name)
      this.noteOnce('renamed', family.name, lineNumber, `metric \`${name}\` written as \`${key}\``);
    return key;
  }

  /** The increase of a running total since the previous scrape; null when there is none to send (noted). */
  private increase(family: Family, sample: Sample, lineNumber: number): number | null {
    const previous = this.options.previous;
    if (previous === null) {
      // Never a total as a delta: a `count,delta=` of the running total would add it up again at every scrape.
      this.skip(
        family,
        lineNumber,
        `\`${family.name}\` is a running total; give the previous scrape (--previous FILE) to send its increase`,
      );
      return null;
    }
    const before = previous.totals.get(seriesId(sample.name, sample.labels));
    if (before === undefined) {
      // As Dynatrace's Kubernetes scraping does: "The first data point serves as a starting point for this
      // calculation and is not ingested itself" (monitor-prometheus-metrics, INGEST-PATHS §2.2).
      this.skip(
        family,
        lineNumber,
        `series of \`${family.name}\` not in the previous scrape: their first value is a starting point, not an increase`,
      );
      return null;
    }
    const was = Number(before);
    if (sample.value < was) {
      // A total going down is a restart from 0 (Prometheus `increase()` reads it so): all of it is new.
      this.noteOnce(
        'info',
        family.name,
        lineNumber,
        `series of \`${family.name}\` went down since the previous scrape (a restart): their current value is sent as the increase`,
      );
      return sample.value;
    }
    return roundedDifference(sample.value, sample.valueText, was, before);
  }

  /** The naming preview of a key, before its first line in the family; the mapping named once per input. */
  private announce(
    family: Family,
    role: Role,
    source: string,
    key: string,
    type: 'gauge' | 'count',
    lineNumber: number,
  ): void {
    if (this.announced.has(key)) return;
    this.announced.add(key);
    const stored = storedKey(key, type);
    const isPart = family.type === 'histogram' || family.type === 'summary';
    if (isPart && !this.mappingNamed) {
      this.mappingNamed = true;
      this.sink.note({
        kind: 'info',
        line: lineNumber,
        item: family.name,
        count: 0,
        message: `histograms and summaries follow the ${EXTENSIONS} mapping: \`_count\` and \`_sum\` as count deltas, summary quantiles as gauges by \`quantile\`, histogram buckets ${this.options.histogramBuckets === true ? 'as count deltas by `le`' : 'only when asked for'}`,
      });
    }
    const naming: NamingPreview = {
      source,
      key,
      type,
      stored,
      paths: isPart ? { [EXTENSIONS]: stored, [KUBERNETES]: kubernetesKey(family, role, key, stored) } : {},
    };
    this.sink.naming(naming);
  }
}

/**
 * Where Dynatrace's Kubernetes scraping stores a histogram's or summary's part (INGEST-PATHS §2.2, as the docs
 * write it): histogram buckets as one `<base>_bucket.histogram`, its sum and count as `<base>_bucket_sum` and
 * `<base>_bucket_count` counts; a summary's parts as the Extensions mapping names them.
 */
function kubernetesKey(family: Family, role: Role, key: string, stored: string): string {
  if (family.type !== 'histogram') return stored;
  const base = key.slice(0, key.length - role.length);
  if (role === '_bucket') return `${base}_bucket.histogram`;
  return role === '_sum' ? storedKey(`${base}_bucket_sum`, 'count') : storedKey(`${base}_bucket_count`, 'count');
}

/**
 * `now - before` rounded to the decimals they were written with: `12.3 - 12.1` is `0.2`, not `0.2000000000000011`.
 * In exponent form (`1.801856e+06`) the difference is left as computed.
 */
function roundedDifference(now: number, nowText: string, before: number, beforeText: string): number {
  const difference = now - before;
  const a = decimalsOf(nowText);
  const b = decimalsOf(beforeText);
  return a < 0 || b < 0 || a > 20 || b > 20 ? difference : Number(difference.toFixed(Math.max(a, b)));
}

function decimalsOf(text: string): number {
  if (/[eE]/.test(text)) return -1;
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}
