/**
 * Prometheus text exposition (0.0.4) and OpenMetrics 1.0 → metric lines. Items are samples. The mapping is the
 * Extensions 2.0 Prometheus data source's (INGEST-PATHS §2.2, prometheus-schema-reference), the one of Dynatrace's
 * two documented Prometheus paths that lines can express: gauges and untyped as `gauge`, counters and the `_count`,
 * `_sum` (and, on request, `_bucket`) of histograms and summaries as `count,delta=`, summary quantiles as gauges.
 * A running total becomes a delta only against the previous scrape of the same series; without it, no total is ever
 * sent as a delta. Streaming: what is held is the current family's notes and names, the previous scrape, and a
 * `_sum` that went down until its `_count` (the next sample, as client libraries write them) tells whether the series
 * restarted.
 */
import { storedKey } from '../keys.ts';
import { LIMITS } from '../rules.ts';
import { isBlank, isDigit, isLower, isUpper, shortText } from '../text.ts';
import type { ConversionNote, ConversionSink, ConversionTally, LineConverter, NamingPreview } from './model.ts';
import { emptyTally } from './model.ts';
import { dimensionPairs, dimensionValue, metricKey, metricLine, noMetricKeyReason, numberText } from './naming.ts';
import type { DimensionChange } from './naming.ts';

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
  /**
   * Series → its value. Each series is there as written (name and label set) and, where that differs, in its
   * canonical form (canonicalSeries): the same producer writes a series alike from scrape to scrape, so the first
   * is found at once; the second finds it written otherwise.
   */
  readonly totals: ReadonlyMap<string, number>;
}

/** The previous scrape's running totals, read from its lines in the same format. Pure; never throws. */
export function readPreviousScrape(lines: Iterable<string>, openMetrics: boolean): PreviousScrape {
  const totals = new Map<string, number>();
  const reader = new ExpositionReader(openMetrics, {
    sample: (family, role, sample) => {
      if (isRunningTotal(family.type, role) && Number.isFinite(sample.value)) {
        // A key joined from two parts is copied once hashed; a slice of the line would keep the whole input alive.
        const written = sample.name + sample.series.slice(sample.name.length);
        totals.set(written, sample.value);
        const canonical = canonicalSeries(sample.name, sample.labels);
        if (canonical !== written) totals.set(canonical, sample.value);
      }
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

/** The suffixes a family's samples may carry, per type (OpenMetrics 1.0, "Metric types"; Prometheus text format). */
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
  /** The name and label set as written: the series' identity in the common case (PreviousScrape). */
  series: string;
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
 * A series as a producer that orders labels by name and escapes only what it must would write it: the sample name
 * and its labels in name order. Empty label values are left out, as Prometheus treats them as absent.
 */
function canonicalSeries(name: string, labels: readonly (readonly [string, string])[]): string {
  if (labels.length === 0) return name;
  let ordered = labels;
  for (let i = 1; i < labels.length; i++)
    if ((labels[i - 1] as [string, string])[0] >= (labels[i] as [string, string])[0]) {
      ordered = sortedByName(labels);
      break;
    }
  let id = name;
  let opened = false;
  for (const [k, v] of ordered)
    if (v !== '') {
      id += `${opened ? ',' : '{'}${k}="${v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`;
      opened = true;
    }
  return opened ? id + '}' : id;
}

/** A copy of a few labels in name order (an insertion sort: label sets are small). */
function sortedByName(labels: readonly (readonly [string, string])[]): (readonly [string, string])[] {
  const out = [...labels];
  for (let i = 1; i < out.length; i++) {
    const label = out[i] as [string, string];
    let j = i - 1;
    for (; j >= 0 && (out[j] as [string, string])[0] > label[0]; j--) out[j + 1] = out[j] as [string, string];
    out[j + 1] = label;
  }
  return out;
}

/** The special values as Prometheus and the client libraries write them. */
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

/**
 * A decimal number as Go's ParseFloat reads it, or null: what `Number` reads, less what it reads and Go does not
 * (hexadecimal, binary and octal integers, `Infinity`). Faster than a regular expression on every sample.
 */
function numberOf(text: string): number | null {
  const c = text.charCodeAt(0);
  if (!((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45)) return null;
  const value = Number(text);
  if (Number.isNaN(value) || (c === 48 && text.length > 1 && /[xXbBoO]/.test(text.charAt(1)))) return null;
  return Number.isFinite(value) || !/[iI]/.test(text) ? value : null;
}

/** A metric name's first character, and its others (`[a-zA-Z_:][a-zA-Z0-9_:]*`). */
const isNameStart = (c: number) => isLower(c) || isUpper(c) || c === 95 || c === 58;
const isNameChar = (c: number) => isNameStart(c) || isDigit(c);

class ExpositionReader {
  private family: Family | null = null;
  private ended = false;
  /** The last sample's name and its role in the current family. */
  private lastName: string | null = null;
  private lastRole: Role = '';

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
    // Samples of one name come in runs: the role of the last name is known.
    let role = family === null ? null : sample.name === this.lastName ? this.lastRole : roleOf(family, sample.name);
    if (family === null || role === null) {
      // A sample of no declared family is an untyped family of its own (Prometheus text format: "untyped").
      this.endFamily();
      family = this.family = { name: sample.name, type: 'untyped', line: lineNumber };
      role = '';
    }
    this.lastName = sample.name;
    this.lastRole = role;
    this.events.sample(family, role, sample, lineNumber);
  }

  end(): void {
    this.endFamily();
  }

  private endFamily(): void {
    if (this.family !== null) this.events.familyEnd(this.family);
    this.family = null;
    this.lastName = null;
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
    // `# HELP`, `# UNIT` and other comments carry no value (HELP and UNIT are not written: README, Prometheus).
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
    const series = text.slice(start, i);
    if (i < text.length && !isBlank(text.charCodeAt(i)))
      return `unexpected \`${text.charAt(i)}\` after the metric name`;
    // The value, a timestamp, and an OpenMetrics exemplar (` # {labels} value [timestamp]`), which is left out.
    let valueText: string | undefined;
    let timestampText: string | undefined;
    let exemplar = false;
    for (let field = 0; ; field++) {
      while (isBlank(text.charCodeAt(i))) i++;
      if (i >= text.length) break;
      if (text.charCodeAt(i) === 35 /* # */) {
        exemplar = true;
        break;
      }
      const from = i;
      while (i < text.length && !isBlank(text.charCodeAt(i))) i++;
      if (field === 0) valueText = text.slice(from, i);
      else if (field === 1) timestampText = text.slice(from, i);
      else return `more than a value and a timestamp: \`${text.slice(from, i)}\``;
    }
    if (valueText === undefined) return 'no value after the metric name';
    // Numbers first: a property looked up by a string read from the input costs more than reading the number.
    const value = numberOf(valueText) ?? SPECIAL[valueText] ?? null;
    if (value === null) return `\`${valueText}\` is not a number`;
    let timestamp: number | null = null;
    let badTimestamp: string | null = null;
    if (timestampText !== undefined) {
      // Prometheus text: integer milliseconds; OpenMetrics: seconds, possibly fractional.
      const ms = this.openMetrics
        ? Math.round((numberOf(timestampText) ?? NaN) * 1000)
        : INTEGER.test(timestampText)
          ? Number(timestampText)
          : NaN;
      if (Number.isSafeInteger(ms) && ms >= 0) timestamp = ms;
      else badTimestamp = timestampText;
    }
    return { name, series, labels, valueText, value, timestamp, badTimestamp, exemplar };
  }
}

const isMetricName = (name: string): boolean => {
  if (!isNameStart(name.charCodeAt(0))) return false;
  for (let i = 1; i < name.length; i++) if (!isNameChar(name.charCodeAt(i))) return false;
  return true;
};

/** Reads `name="value",…}` from `i` into `labels`; the index after `}`, or why it is no label set. */
function parseLabels(text: string, i: number, labels: [string, string][]): number | string {
  for (;;) {
    while (isBlank(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === 125 /* } */) return i + 1;
    const start = i;
    const c = text.charCodeAt(i);
    if (!isNameStart(c) || c === 58) return 'a label name is `[a-zA-Z_][a-zA-Z0-9_]*`';
    while (i < text.length && isNameChar(text.charCodeAt(i)) && text.charCodeAt(i) !== 58) i++;
    const name = text.slice(start, i);
    while (isBlank(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 61 /* = */) return `\`=\` expected after label \`${name}\``;
    i++;
    while (isBlank(text.charCodeAt(i))) i++;
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
    while (isBlank(text.charCodeAt(i))) i++;
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

/**
 * A note's message from the family's name and, for notes about one name or value, that detail (the notes of a
 * family are told apart by it) and what more the message quotes.
 */
type Message = (family: string, detail: string, more: string) => string;

/** What a sample becomes, decided by its family's type and its role there (constant objects: one per decision). */
type Action =
  | { kind: 'gauge' | 'delta' }
  | { kind: 'skip'; message: Message }
  | { kind: 'noted-gauge'; message: Message };

/** How many label values a family's dimension values are remembered for: memory stays bounded in any family. */
const VALUES_REMEMBERED = 4096;

const GAUGE: Action = { kind: 'gauge' };
const DELTA: Action = { kind: 'delta' };
// OpenMetrics `_created` is when the series started, not a value; a restart shows as the total going down.
const CREATED: Action = {
  kind: 'skip',
  message: (f) => `\`${f}_created\` is the time the series was created, not a value`,
};
const BUCKETS_NOT_ASKED: Action = {
  kind: 'skip',
  message: (f) =>
    `\`${f}_bucket\` not converted: the Extensions mapping collects buckets only with collectHistogramBuckets; ask for histogram buckets to send them by \`le\``,
};
// Each state is a 0/1 sample: honest as a gauge split by the state label (K8s scraping does not take statesets).
const STATESET: Action = {
  kind: 'noted-gauge',
  message: (f) => `\`${f}\` is a stateset: each state is written as a gauge of 1 or 0, split by the \`${f}\` dimension`,
};
// An info metric's value is always 1 and its labels are the data: no measurement to send (K8s: unsupported).
const INFO: Action = {
  kind: 'skip',
  message: (f) =>
    `\`${f}\` is an info metric: its labels are the data, its value always 1; Dynatrace's Kubernetes scraping does not take info metrics either`,
};
const GAUGE_HISTOGRAM: Action = {
  kind: 'skip',
  message: (f) =>
    `\`${f}\` is a gaugehistogram, which neither of Dynatrace's Prometheus mappings takes (Kubernetes scraping: unsupported)`,
};

function actionOf(type: FamilyType, role: Role, buckets: boolean): Action {
  if (role === '_created') return CREATED;
  switch (type) {
    case 'gauge':
    case 'untyped':
    case 'unknown':
      return GAUGE;
    case 'counter':
      return DELTA;
    case 'summary':
      return role === '' ? GAUGE : DELTA;
    case 'histogram':
      return role !== '_bucket' || buckets ? DELTA : BUCKETS_NOT_ASKED;
    case 'stateset':
      return STATESET;
    case 'info':
      return INFO;
    case 'gaugehistogram':
      return GAUGE_HISTOGRAM;
  }
}

const NOT_FINITE: Message = (f) => `NaN and ±Inf values of \`${f}\`: a line takes finite numbers`;
const NO_KEY: Message = (f, name) => `no metric key: ${noMetricKeyReason(name)}`;
const KEY_RENAMED: Message = (f, name) => `metric \`${name}\` written as \`${metricKey(name) ?? ''}\``;
const TOO_MANY_LABELS: Message = (f) =>
  `samples of \`${f}\` with more than ${LIMITS.dimensionsPerLine} labels: a line takes at most ${LIMITS.dimensionsPerLine} dimensions`;
// Lines carry no exemplars; the sample itself is converted (K8s scraping does not take exemplars either).
const EXEMPLAR: Message = (f) => `exemplars of \`${f}\` are left out: lines carry none`;
// Never a total as a delta: a `count,delta=` of the running total would add it up again at every scrape. Read in the
// CLI's output and in the editor's documents alike: the flag is named with its command.
const NO_PREVIOUS: Message = (f) =>
  `\`${f}\` is a running total: its increase needs the scrape before this one (\`dtmetrics convert --previous FILE\`)`;
// As Dynatrace's Kubernetes scraping does: "The first data point serves as a starting point for this calculation
// and is not ingested itself" (monitor-prometheus-metrics, INGEST-PATHS §2.2).
const NEW_SERIES: Message = (f) =>
  `series of \`${f}\` not in the previous scrape: their first value is a starting point, not an increase`;
// A total going down is a restart from 0 (Prometheus's `increase()` reads it so): all of it is new. Not so a `_sum`:
// it also goes down when negative values are observed. It is read as restarted only when its `_count` went down too.
const RESTARTED: Message = (f) =>
  `series of \`${f}\` went down since the previous scrape (a restart): their current value is sent as the increase`;
const SUM_WENT_DOWN: Message = (f) =>
  `series of \`${f}_sum\` went down since the previous scrape (negative observations, or a restart their \`_count\` does not show): no increase can be told`;

/**
 * A `_sum` sample, with what its line needs, until its `_count` says whether the series restarted: a sum can fall
 * (negative observations) and rise across a restart, so only the count tells its increase.
 */
interface PendingSum {
  family: Family;
  role: Role;
  sample: Sample;
  key: string;
  dimensions: [string, string][];
  lineNumber: number;
  /** Its value in the previous scrape. */
  before: number;
}

class PrometheusConverter implements LineConverter {
  readonly tally: ConversionTally = emptyTally();
  private readonly reader: ExpositionReader;
  /** The current family's notes, one per message and detail, counting the samples each covers. */
  private notes = new Map<Message, Map<string, ConversionNote>>();
  /** Sample name → its metric key (null: none can be made), for the current family. */
  private keys = new Map<string, string | null>();
  /** Label value → dimension value, for the current family (up to VALUES_REMEMBERED). */
  private values = new Map<string, string | null>();
  /** The keys of the current family whose naming preview was written. */
  private announced = new Set<string>();
  private mappingNamed = false;
  /** The family and input line of the sample being converted, for the label changes dimensionPairs reports. */
  private family: Family | null = null;
  private lineNumber = 0;
  /** The last `_count` of the current family found in the previous scrape, and whether it went down (a restart). */
  private lastCount: { sample: Sample; restarted: boolean } | null = null;
  /** A `_sum` waiting for the next sample: its `_count`, when the producer writes the count after it. */
  private pendingSum: PendingSum | null = null;
  /** The label names of the last sample, the dimension key and label position of each pair, and the changes. */
  private labelNames: string[] = [];
  private labelPlaces: [string, number][] = [];
  private labelChanges: DimensionChange[] = [];
  private readonly dimensionChanged = (change: DimensionChange): void => {
    const family = this.family as Family;
    if (change.to !== null) this.noteOnce('renamed', family, this.lineNumber, LABEL_RENAMED, change.key, change.to);
    else this.noteOnce('info', family, this.lineNumber, LABEL_LEFT_OUT, change.key, change.reason ?? '');
  };

  constructor(
    private readonly sink: ConversionSink,
    private readonly options: PrometheusOptions,
  ) {
    this.reader = new ExpositionReader(options.openMetrics, {
      sample: (family, role, sample, lineNumber) => this.sample(family, role, sample, lineNumber),
      malformed: (text, reason, lineNumber, item) => {
        if (item) {
          this.tally.items++;
          this.sink.unconverted?.(lineNumber);
        }
        this.emit({
          kind: item ? 'skipped' : 'info',
          line: lineNumber,
          item: shortText(text.trim()),
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

  /** Counts one sample into the family's note of this message and detail (written when the family ends). */
  private noteOnce(
    kind: ConversionNote['kind'],
    family: Family,
    lineNumber: number,
    message: Message,
    detail = '',
    more = '',
  ): void {
    if (kind === 'skipped') this.sink.unconverted?.(lineNumber);
    let notes = this.notes.get(message);
    if (notes === undefined) this.notes.set(message, (notes = new Map()));
    const note = notes.get(detail);
    if (note !== undefined) note.count++;
    else
      notes.set(detail, {
        kind,
        line: lineNumber,
        item: family.name,
        count: 1,
        message: message(family.name, detail, more),
      });
  }

  private familyEnd(): void {
    if (this.pendingSum !== null) this.settlePendingSum(null);
    this.lastCount = null;
    for (const notes of this.notes.values()) for (const note of notes.values()) this.emit(note);
    this.notes = new Map();
    this.keys = new Map();
    this.values = new Map();
    this.announced = new Set();
  }

  private sample(family: Family, role: Role, sample: Sample, lineNumber: number): void {
    if (this.pendingSum !== null) this.settlePendingSum(role === '_count' ? sample : null);
    this.tally.items++;
    const action = actionOf(family.type, role, this.options.histogramBuckets === true);
    if (action.kind === 'skip') return this.noteOnce('skipped', family, lineNumber, action.message);
    if (sample.exemplar) this.noteOnce('info', family, lineNumber, EXEMPLAR);
    if (!Number.isFinite(sample.value)) return this.noteOnce('skipped', family, lineNumber, NOT_FINITE);
    if (sample.badTimestamp !== null)
      return this.noteOnce(
        'skipped',
        family,
        lineNumber,
        this.options.openMetrics ? BAD_SECONDS : BAD_MILLISECONDS,
        sample.badTimestamp,
      );
    const key = this.keyOf(family, sample.name, lineNumber);
    if (key === null) return this.noteOnce('skipped', family, lineNumber, NO_KEY, sample.name);
    this.family = family;
    this.lineNumber = lineNumber;
    const dimensions = this.dimensionsOf(withoutEmptyValues(sample.labels));
    if (dimensions.length > LIMITS.dimensionsPerLine)
      return this.noteOnce('skipped', family, lineNumber, TOO_MANY_LABELS);
    if (action.kind === 'delta') {
      const delta = this.increase(family, role, sample, lineNumber);
      if (delta === null) return;
      if (typeof delta === 'object')
        return this.sumFound({ family, role, sample, key, dimensions, lineNumber, before: delta.sumBefore });
      this.write(family, role, sample, key, dimensions, 'count', `count,delta=${numberText(delta)}`, lineNumber);
    } else {
      if (action.kind === 'noted-gauge') this.noteOnce('info', family, lineNumber, action.message);
      const value = isPlainDecimal(sample.valueText) ? sample.valueText : numberText(sample.value);
      this.write(family, role, sample, key, dimensions, 'gauge', `gauge,${value}`, lineNumber);
    }
  }

  /** A sample's metric line, after its key's naming preview. */
  private write(
    family: Family,
    role: Role,
    sample: Sample,
    key: string,
    dimensions: [string, string][],
    type: 'gauge' | 'count',
    payload: string,
    lineNumber: number,
  ): void {
    this.announce(family, role, sample.name, key, type, lineNumber);
    this.sink.line(metricLine(key, dimensions, payload, sample.timestamp), lineNumber);
    this.tally.converted++;
  }

  /** A `_sum`: settled now when its `_count` came just before, else held for the next sample. */
  private sumFound(sum: PendingSum): void {
    const count = this.lastCount;
    if (count !== null && sameLabelText(count.sample, sum.sample)) this.settleSum(sum, count.restarted);
    else this.pendingSum = sum;
  }

  /** Settles the held `_sum` before the next sample (`next`, when it is a `_count`) or the family's end (null). */
  private settlePendingSum(next: Sample | null): void {
    const sum = this.pendingSum as PendingSum;
    this.pendingSum = null;
    this.settleSum(sum, next !== null && sameLabelText(next, sum.sample) && this.wentDown(next));
  }

  /**
   * A `_sum`'s increase: its current value when its `_count` went down (a restart), else its rise; a sum that fell
   * without a restart its count shows has no increase to tell (skipped, noted).
   */
  private settleSum(sum: PendingSum, restarted: boolean): void {
    const { family, role, sample, key, dimensions, lineNumber, before } = sum;
    let delta: number;
    if (restarted) {
      this.noteOnce('info', family, lineNumber, RESTARTED);
      delta = sample.value;
    } else if (sample.value >= before) delta = roundedDifference(sample.value, sample.valueText, before);
    else return this.noteOnce('skipped', family, lineNumber, SUM_WENT_DOWN);
    this.write(family, role, sample, key, dimensions, 'count', `count,delta=${numberText(delta)}`, lineNumber);
  }

  /** Whether a `_count` went down since the previous scrape. */
  private wentDown(count: Sample): boolean {
    const before = this.previousTotal(count);
    return Number.isFinite(count.value) && before !== undefined && count.value < before;
  }

  /**
   * The sample's labels as dimensions (dimensionPairs). Which label becomes which key, or is left out, depends on
   * the names alone (the values are not empty), so it is asked once for a run of samples with the same names: the
   * positions are passed as values, and each sample's values put in their place.
   */
  private dimensionsOf(labels: [string, string][]): [string, string][] {
    if (!sameNames(this.labelNames, labels)) {
      const changes: DimensionChange[] = [];
      this.labelNames = labels.map(([name]) => name);
      this.labelPlaces = dimensionPairs(
        labels.map(([name], i) => [name, i]),
        (change) => changes.push(change),
      ).map(([key, place]) => [key, Number(place)]);
      this.labelChanges = changes;
    }
    for (const change of this.labelChanges) this.dimensionChanged(change);
    const pairs: [string, string][] = [];
    for (const [key, place] of this.labelPlaces) {
      const value = this.dimensionValueOf((labels[place] as [string, string])[1]);
      if (value !== null) pairs.push([key, value]);
    }
    return pairs;
  }

  /** dimensionValue, remembered for the family's first values (a family repeats its `le`, `mode`, `device`…). */
  private dimensionValueOf(raw: string): string | null {
    let value = this.values.get(raw);
    if (value === undefined) {
      value = dimensionValue(raw);
      if (this.values.size < VALUES_REMEMBERED) this.values.set(raw, value);
    }
    return value;
  }

  /** The sample's metric key (a rename reported once per family), cached for the family. */
  private keyOf(family: Family, name: string, lineNumber: number): string | null {
    let key = this.keys.get(name);
    if (key !== undefined) return key;
    key = metricKey(name);
    this.keys.set(name, key);
    if (key !== null && key !== name) this.noteOnce('renamed', family, lineNumber, KEY_RENAMED, name);
    return key;
  }

  /**
   * The increase of a running total since the previous scrape; null when there is none to send (noted); for a
   * `_sum`, its previous value, as only its `_count` can tell its increase (settleSum).
   */
  private increase(
    family: Family,
    role: Role,
    sample: Sample,
    lineNumber: number,
  ): number | null | { sumBefore: number } {
    if (this.options.previous === null) {
      this.noteOnce('skipped', family, lineNumber, NO_PREVIOUS);
      return null;
    }
    const before = this.previousTotal(sample);
    if (role === '_count') this.lastCount = before === undefined ? null : { sample, restarted: sample.value < before };
    if (before === undefined) {
      this.noteOnce('skipped', family, lineNumber, NEW_SERIES);
      return null;
    }
    if (role === '_sum') return { sumBefore: before };
    if (sample.value >= before) return roundedDifference(sample.value, sample.valueText, before);
    this.noteOnce('info', family, lineNumber, RESTARTED);
    return sample.value;
  }

  /** The series' value in the previous scrape, found as written or in its canonical form. */
  private previousTotal(sample: Sample): number | undefined {
    const totals = (this.options.previous as PreviousScrape).totals;
    const before = totals.get(sample.series);
    if (before !== undefined) return before;
    const canonical = canonicalSeries(sample.name, sample.labels);
    return canonical === sample.series ? undefined : totals.get(canonical);
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

const LABEL_RENAMED: Message = (f, label, to) => `label \`${label}\` of \`${f}\` written as dimension \`${to}\``;
const LABEL_LEFT_OUT: Message = (f, label, reason) => `label \`${label}\` of \`${f}\` left out: ${reason}`;
const BAD_TIMESTAMP =
  (unit: string): Message =>
  (f, written) =>
    `a timestamp of \`${f}\` is not a time a line can carry (${unit} since 1970, not negative): \`${written}\``;
const BAD_SECONDS = BAD_TIMESTAMP('seconds');
const BAD_MILLISECONDS = BAD_TIMESTAMP('milliseconds');

/** Whether two samples of a family carry the same labels, as written: a `_sum` and the `_count` of one series. */
const sameLabelText = (a: Sample, b: Sample): boolean =>
  a.series.slice(a.name.length) === b.series.slice(b.name.length);

function sameNames(names: readonly string[], labels: readonly [string, string][]): boolean {
  if (names.length !== labels.length) return false;
  for (let i = 0; i < names.length; i++) if (names[i] !== (labels[i] as [string, string])[0]) return false;
  return true;
}

/**
 * Whether a number as written is one a line takes as it is (`-12.5`, `0`, `1027`): sign, digits and a fraction,
 * no exponent. Writing it as read saves formatting the double again; anything else goes through numberText.
 */
function isPlainDecimal(text: string): boolean {
  let i = text.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  const digitsFrom = i;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (i === digitsFrom || (text.charCodeAt(digitsFrom) === 48 && i - digitsFrom > 1)) return false;
  if (i === text.length) return true;
  if (text.charCodeAt(i) !== 46 /* . */) return false;
  const fractionFrom = ++i;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  return i === text.length && i > fractionFrom;
}

/** Labels with an empty value are left out: Prometheus treats an empty label as one not there (no note). */
function withoutEmptyValues(labels: [string, string][]): [string, string][] {
  for (const [, value] of labels) if (value === '') return labels.filter(([, v]) => v !== '');
  return labels;
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
function roundedDifference(now: number, nowText: string, before: number): number {
  const difference = now - before;
  const a = decimalsOf(nowText);
  if (a < 0 || (a === 0 && Number.isInteger(before))) return difference;
  // The previous value's shortest text (String) has the decimals it was written with, or fewer of the same value.
  const b = decimalsOf(String(before));
  const decimals = Math.max(a, b);
  if (b < 0 || decimals === 0 || decimals > 22) return difference;
  // An integer over a power of ten up to 1e22 is the double nearest the decimal: exact where it can be.
  const scale = 10 ** decimals;
  const scaled = Math.round(difference * scale);
  return Number.isSafeInteger(scaled) ? scaled / scale : difference;
}

/** Digits after the decimal point; -1 in exponent form (`1.801856e+06`), where the difference is left as is. */
function decimalsOf(text: string): number {
  if (text.indexOf('e') >= 0 || text.indexOf('E') >= 0) return -1;
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}
