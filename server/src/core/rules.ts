/**
 * The one table of limits and rules. Every diagnostic the core can emit has its code, default severity, message,
 * and evidence here; nothing else in the project hard-codes a limit or a severity.
 *
 * Evidence cites its sources by the ids of docs/evidence.md (the table in evidence.ts): documentation pages
 * (`DOC D1`), real tenants' answers (`OBS #2295`), Dynatrace's own client libraries (`LIB Java`: normalisation,
 * not rejection) and inference (`INF`); hovers, docs/rules.md and SARIF show them as links. Severity follows the
 * evidence: what the docs or a real tenant reject is an error; what only the libraries or inference suggest is a
 * warning, info or hint. Where the sources conflict, `decision` says what we chose and why.
 */
import { EVIDENCE, renderCitations, type CitationFormat } from './evidence.ts';
import { shortText } from './text.ts';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeveritySetting = Severity | 'off';

/** What a rule's severity may be set to (`--rule CODE=…`, the editor's `dtmetrics.severities`), as messages list them. */
export const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['error', 'warning', 'info', 'hint', 'off'];

export const isSeveritySetting = (value: unknown): value is SeveritySetting =>
  SEVERITY_SETTINGS.includes(value as SeveritySetting);

/** The page a rule's documentation link opens: its URL is the evidence table's. */
const DOCS = {
  protocol: EVIDENCE['DOC D1'].url,
  ingestApi: EVIDENCE['DOC D2'].url,
  limits: EVIDENCE['DOC D3'].url,
  faq: EVIDENCE['DOC D4'].url,
  bestPractices: EVIDENCE['DOC D5'].url,
  selector: EVIDENCE['DOC D9'].url,
  metadata: EVIDENCE['DOC D13'].url,
  units: EVIDENCE['DOC D15'].url,
} as const;

/** Limits. Those the sources disagree on are settings (see `LintOptions.limits`); the defaults are our decision. */
export const LIMITS = {
  metricKeyMinLength: 3,
  /** DOC D1 (current) says 3–255; the D3 limits table and every library but Java 2.5 say 250. Error above 255. */
  metricKeyMaxLength: 255,
  /** Keys of 251–255 characters get MK008 as a warning: some tenants or tools may still cut at 250. */
  metricKeyConservativeLength: 250,
  dimensionKeyMaxLength: 100,
  /** The Managed limits table (since 2026), the OTLP ingest page and Java 2.5.0 (Apr 2026) say 255: error above it. */
  dimensionValueMaxLength: 255,
  /** Values of 251–255 characters get DV005 as a warning: the SaaS limits page and most libraries still say 250. */
  dimensionValueConservativeLength: 250,
  dimensionsPerLine: 50,
  lineMaxLength: 50_000,
  /** DOC D14 (local endpoint) and every library: 1,000 lines per request. */
  linesPerRequest: 1_000,
  /** DOC D2, D11: "1 MB". Read as 1,000,000 bytes, the smaller of the two readings, so a split is never too late. */
  requestMaxBytes: 1_000_000,
  /** DOC D1: timestamps from 1 h in the past to 10 min in the future. */
  timestampPastMs: 60 * 60 * 1000,
  timestampFutureMs: 10 * 60 * 1000,
  /** OBS #5037: "tolerance: 0.000001" in the server's summary check. */
  summaryTolerance: 1e-6,
  unitMaxLength: 63,
  displayNameMaxLength: 300,
  descriptionMaxLength: 65_535,
  /** DOC D3: metric keys per environment; also where file-level tracking of new keys stops (bounded memory). */
  metricKeysPerEnvironment: 100_000,
  /** Our default budget of distinct dimension tuples per metric in one file (configurable; not a tenant limit). */
  cardinalityBudget: 1_000,
} as const;

export type Limits = { -readonly [K in keyof typeof LIMITS]: number };

/** A figure the cost and cardinality analysis (`dtmetrics stats`, core/stats/) computes with, and its source. */
export interface CostFigure {
  readonly value: number;
  /** Citation tags (evidence.ts); `INF` where the figure is our choice. */
  readonly evidence: string;
  readonly about: string;
}

/**
 * The figures of `dtmetrics stats`: Dynatrace's billing and cardinality limits (INGEST-PATHS §3), and the bounds and
 * thresholds of our own heuristics. Not lint limits (`--limit` does not take them): a tenant's price and cadence are
 * options of the command.
 */
export const COST = {
  dduPerDataPoint: { value: 0.001, evidence: 'DOC D24', about: 'Classic DDU billed per metric data point.' },
  dedupWindowMinutes: {
    value: 1,
    evidence: 'DOC D3',
    about: 'The same tuple reported more than once within a minute is one data point.',
  },
  minutesPerYear: {
    value: 525_600,
    evidence: 'DOC D24',
    about: 'Points a year of one series at one point a minute (365 days): 525.6 DDU.',
  },
  includedMetricsPerHostUnit: {
    value: 1_000,
    evidence: 'DOC D24',
    about:
      'Classic: a Full-Stack host unit includes 1,000 custom metrics (at least 200 a host); host-bound metrics (a dt.entity.host dimension) use them before any DDU.',
  },
  includedMetricsPerInfrastructureHost: {
    value: 200,
    evidence: 'DOC D24',
    about: 'Classic: an Infrastructure-monitored host includes 200 custom metrics.',
  },
  tuplesPerMetric: {
    value: 1_000_000,
    evidence: 'DOC D3, DOC D5',
    about: 'Distinct tuples a metric key may have over 30 days; new ones past it are refused, possibly after a 202.',
  },
  tuplesPerEnvironment: {
    value: 50_000_000,
    evidence: 'DOC D5',
    about: 'Distinct tuples of all custom metrics of an environment over 30 days.',
  },
  exactTuplesPerMetric: {
    value: 100_000,
    evidence: 'INF',
    about: 'Series of a metric counted exactly; past it, a HyperLogLog estimate (about 2.3 % error) flagged as one.',
  },
  exactValuesPerDimension: {
    value: 10_000,
    evidence: 'INF',
    about:
      'Distinct values of a dimension, and series with a dimension left out (its multiplier), counted exactly; past it, estimated.',
  },
  exactEntries: {
    value: 1_000_000,
    evidence: 'INF',
    about:
      'Exact entries of the whole analysis (series, points, values, the values behind dependencies): when spent, the largest exact counts become estimates (a few MB each way), so memory stays bounded on any input.',
  },
  dimensionKeysPerMetric: {
    value: 200,
    evidence: 'INF',
    about: 'Dimension keys of a metric followed one by one: the 50 a line may have, and some room for variation.',
  },
  dependencyValuesPerPair: {
    value: 256,
    evidence: 'INF',
    about:
      'Values of a key kept to tell whether it determines another; past it (or when the exact entries are spent), unknown.',
  },
  dependencyDimensions: {
    value: 16,
    evidence: 'INF',
    about: 'Dimension keys of a metric up to which the analysis looks for dimensions determined by another one.',
  },
  volatileShareOfValues: {
    value: 0.5,
    evidence: 'DOC D5, INF',
    about:
      'A dimension is volatile when more than this share of its distinct values look like a timestamp, UUID, IP, id, number or free text, or when more than this share of its lines after the first minute bring a new value.',
  },
  weakShapeMinValues: {
    value: 20,
    evidence: 'INF',
    about:
      'IPs, numbers and free text make a dimension volatile only with at least this many distinct values (a few status codes or hosts are not).',
  },
  renewedLinesPerValue: {
    value: 1.5,
    evidence: 'INF',
    about:
      'Lines without a timestamp renew their series at every send when a key has timestamp or UUID values on at most this many lines per distinct value (about one each).',
  },
  newValuesMinLines: {
    value: 10,
    evidence: 'INF',
    about: 'Lines after the first minute a dimension needs before "new on most lines" can flag it.',
  },
} as const satisfies Record<string, CostFigure>;

/** The limits that take fractions; every other limit is a whole number. */
export const FRACTIONAL_LIMITS: ReadonlySet<keyof Limits> = new Set(['summaryTolerance']);

/**
 * At most this many findings of one kind (one code) on one line, however often the line repeats a part or a part
 * repeats a mistake: 200,000 properties with the same mistake are one mistake, and output and time stay bounded
 * on any input. Not a tenant limit, so not a setting. Where a whole line's findings of a kind are cut, the last
 * one shown says how many more there were (moreOfKind).
 */
export const FINDINGS_PER_KIND = 5;

/** What the last finding of a kind shown on a line adds to its message when `more` of that kind were left out. */
export const moreOfKind = (more: number): string =>
  `(… and ${more.toLocaleString('en-US')} more like it on this line: a line shows ${FINDINGS_PER_KIND} findings of a kind.)`;

interface RuleSpec<A> {
  title: string;
  severity: Severity;
  /** A second, milder severity some findings of the same rule get (e.g. MK008 for 251–255 characters). */
  lesserSeverity?: Severity;
  /** A third, mildest one (DV005 when only the value as written, escapes counted, is over). */
  leastSeverity?: Severity;
  evidence: string;
  decision?: string;
  docs?: string;
  message: (args: A) => string;
}

type NoArgs = Record<string, never>;

function rule<A>(spec: RuleSpec<A>): RuleSpec<A> {
  return spec;
}

const q = (s: string): string => '`' + s + '`';

/**
 * Text of a line as a message or a fix's title quotes it: in backticks, cut to 60 characters (a value may hold 255,
 * a line 50,000). Messages and titles are plain text wherever they show (the Problems panel, the hover's first line,
 * the quick-fix menu, a terminal, SARIF): backticks mark what is or would be written in the line, as rustc's
 * messages do, and nothing else in them is Markdown.
 */
export const literal = (text: string): string => q(shortText(text));

export const RULES = {
  // ---------------------------------------------------------------- metric keys
  MK001: rule<NoArgs>({
    title: 'Metric key missing',
    severity: 'error',
    evidence: 'DOC D1: every line starts with the metric key.',
    docs: DOCS.protocol,
    message: () => 'The line has no metric key: start it with a key such as `my.metric`.',
  }),
  MK002: rule<{ char: string }>({
    title: 'Metric key starts with a digit or `-`',
    severity: 'error',
    evidence: 'DOC D1: "The key cannot start with a digit or `-`".',
    docs: DOCS.protocol,
    message: (a) => `A metric key cannot start with ${q(a.char)}: start it with a letter or \`_\`.`,
  }),
  MK003: rule<{ chars: string; space: boolean }>({
    title: 'Invalid character in metric key',
    severity: 'error',
    evidence: 'DOC D1: only letters A–Z and a–z, digits, `-`, `_` and `.` between sections; no non-Latin letters.',
    docs: DOCS.protocol,
    message: (a) =>
      a.space
        ? 'A space ends the metric key here and the rest is read as the payload: remove it, or use `_` or `.`.'
        : `Invalid character${[...a.chars].length > 1 ? 's' : ''} ${[...a.chars].map(q).join(' ')} in metric key: use only A–Z, a–z, 0–9, \`_\`, \`-\` and \`.\` between sections.`,
  }),
  MK004: rule<NoArgs>({
    title: 'Metric key section starts with `-`',
    severity: 'error',
    evidence: 'DOC D1: "A section cannot start with `-`".',
    docs: DOCS.protocol,
    message: () => 'A metric key section cannot start with `-`: start it with a letter, digit or `_`.',
  }),
  MK005: rule<{ where: 'leading' | 'trailing' | 'empty' }>({
    title: 'Empty metric key section',
    severity: 'error',
    evidence: 'LIB: every library drops empty sections (`a..b` → `a.b`); INF: the server rejects them.',
    decision: 'An error: the docs define a key as dot-separated sections, and no library will emit an empty one.',
    docs: DOCS.protocol,
    message: (a) =>
      a.where === 'leading'
        ? 'A metric key cannot start with `.`: remove it.'
        : a.where === 'trailing'
          ? 'A metric key cannot end with `.`: remove it.'
          : 'Empty section (`..`) in metric key: remove the extra `.`.',
  }),
  MK006: rule<{ section: string }>({
    title: 'Metric key section starts with a digit',
    severity: 'warning',
    evidence:
      'DOC D1 forbids a digit only at the start of the key, and DOC D9 shows `custom.5xx_errors`; every library keeps `a.0` (LIB). ' +
      'But real tenants rejected `system.load.average.1m` in 2020 ("error at \'1\'", OBS #2295) and 2023 ("invalid metric key", OBS #4058).',
    decision: 'A warning, not an error: it may be rejected, and it must be quoted in metric selectors.',
    docs: DOCS.selector,
    message: (a) =>
      `Section ${q(a.section)} starts with a digit: some tenants reject this, and selectors must quote it (\`"${a.section}"\`). Prefer a letter or \`_\` first.`,
  }),
  MK007: rule<{ length: number; min: number }>({
    title: 'Metric key too short',
    severity: 'error',
    evidence: 'DOC D1: 3 to 255 characters. No library checks the minimum.',
    docs: DOCS.protocol,
    message: (a) => `A metric key needs at least ${a.min} characters; this one has ${a.length}.`,
  }),
  MK008: rule<{ length: number; limit: number; conservative: number }>({
    title: 'Metric key too long',
    severity: 'error',
    lesserSeverity: 'warning',
    evidence:
      'DOC D1 (current): up to 255 characters. The limits table (DOC D3) and DOC D1-old: 250. LIB Java moved to 255 in version 2.5.0 (2026); LIB Go, LIB Python, LIB .NET and LIB JS still cut at 250.',
    decision:
      'Error above 255 (no source allows more); warning from 251 to 255 (the limits table and most libraries say 250).',
    docs: DOCS.limits,
    message: (a) =>
      a.length > a.limit
        ? `Metric key is ${a.length} characters long; the limit is ${a.limit}. Shorten it.`
        : `Metric key is ${a.length} characters long: within the limit of ${a.limit}, but the limits table and most Dynatrace libraries cut at ${a.conservative}.`,
  }),
  MK009: rule<NoArgs>({
    title: 'Reserved `dt.` metric key prefix',
    severity: 'error',
    evidence: 'DOC D2: "You can\'t ingest metrics with key prefix of `dt.`".',
    docs: DOCS.ingestApi,
    message: () =>
      'Metric keys starting with `dt.` are reserved for Dynatrace and are rejected: choose another prefix.',
  }),
  MK010: rule<{ key: string; storedAs: string; payload: 'count' | 'gauge' }>({
    title: 'Type suffix will be added to the key',
    severity: 'info',
    lesserSeverity: 'hint',
    evidence:
      "DOC D1, D4: Classic metrics get `.count` on count payloads and `.gauge` on gauges whose key ends in `.count`/`_count`; with `count`, a metadata line's properties apply to `metric-key.count`. OBS #5037: \"metric key 'executor.completed' changed to 'executor.completed.count'\".",
    decision:
      'Once per key and file, on the first line that names it (a metadata line or a data line). ' +
      "A count's `.count` is a hint: every count is stored so, nothing in the file is wrong, and a query needs to know it (the editor's Query lens and the local tenant's \"did you mean\" use the stored key). " +
      'A hint shows in the editor (dots under the key, the message on hover; not in the Problems panel) and not in `dtmetrics lint` unless `--hints` is given. ' +
      'A gauge whose key ends in `count` getting `.gauge` is an info: it surprises, and renaming the metric avoids it.',
    docs: DOCS.faq,
    message: (a) =>
      a.payload === 'count'
        ? `Count metrics are stored as ${q(a.storedAs)}: query that key, not ${q(a.key)}.`
        : `A gauge whose key ends in \`count\` is stored as ${q(a.storedAs)}: query that key, or rename the metric.`,
  }),
  MK011: rule<{ key: string; first: 'gauge' | 'count'; firstLine: number }>({
    title: 'Metric key used with both gauge and count',
    severity: 'warning',
    evidence: 'DOC D1: a metric has only one payload type.',
    docs: DOCS.protocol,
    message: (a) =>
      `${q(a.key)} was sent as a ${a.first} on line ${a.firstLine + 1} and as a ${a.first === 'gauge' ? 'count' : 'gauge'} here: a metric has one payload type. Use two keys.`,
  }),
  MK012: rule<{ key: string; budget: number }>({
    title: 'Series cardinality over budget',
    severity: 'warning',
    evidence:
      "DOC D3, D5: a metric holds at most 1,000,000 dimension tuples over 30 days, and new tuples are rejected beyond it. Counting distinct tuples per metric is the same idea as Datadog's custom-metric count.",
    decision:
      'Not a tenant rule: a budget of distinct dimension tuples (order of dimensions ignored, empty values dropped as the tenant drops them) per metric per file, 1,000 unless configured.',
    docs: DOCS.bestPractices,
    message: (a) =>
      `${q(a.key)} has more than ${a.budget.toLocaleString('en-US')} distinct dimension tuples in this file (each is a separate series): look for a dimension with unbounded values such as IDs or timestamps.`,
  }),
  MK013: rule<{ limit: number }>({
    title: 'More metric keys than an environment allows',
    severity: 'warning',
    evidence: 'DOC D3: at most 100,000 metric keys per environment.',
    docs: DOCS.limits,
    message: (a) =>
      `This file has more than ${a.limit.toLocaleString('en-US')} distinct metric keys, the limit for a whole environment; per-key checks (type, metadata, cardinality) stop for keys after this one.`,
  }),

  MK015: rule<{
    key: string;
    dimension: string;
    reason: string;
    values: number;
    multiplier: number;
    daysToLimit: number | null;
  }>({
    title: 'Volatile dimension',
    severity: 'info',
    evidence:
      'DOC D3, D5: a metric holds at most 1,000,000 dimension tuples over 30 days, new ones past it are refused; the best practices warn against timestamps, UUIDs, IPs and free text as dimension values.',
    decision:
      "Not a tenant rule: a heuristic of the cost and cardinality analysis (COST: volatileShareOfValues, weakShapeMinValues, newValuesMinLines), once per metric and dimension at its first use, in the editor and `dtmetrics stats` only (it needs the whole file's values; `dtmetrics lint` keeps its throughput). Information, not a warning: a projection, not a refusal (MK012 warns once the budget is passed).",
    docs: DOCS.bestPractices,
    message: (a) =>
      `${q(a.dimension)} of ${q(a.key)} is volatile: ${a.reason} (${a.values.toLocaleString('en-US')} distinct, ×${a.multiplier.toFixed(2)} the series)` +
      (a.daysToLimit === null ? '' : `; 1 M series in ${a.daysToLimit.toFixed(1)} days at this cadence`) +
      '. Drop it, or bucket its values into a few (a class, a range, a route template).',
  }),
  MK016: rule<{
    key: string;
    newSeries: string;
    pointsPerYear: string | null;
    against: string;
    gate: { limit: number; over: boolean } | null;
  }>({
    title: 'New series against the base',
    severity: 'error',
    lesserSeverity: 'warning',
    evidence:
      'DOC D3, D5: each dimension tuple is a series the tenant holds, at most 1,000,000 a metric over 30 days; DOC D24: each series sends its own data points, which Classic bills as DDU.',
    decision:
      "Not a tenant rule: `dtmetrics stats --format sarif` with `--base` or `--base-ref` only (it compares two sets of lines), once per metric that gains series the base has not, at the metric's first line. An error over `--max-new-series` (the run exits 1), a warning otherwise: a cost to review, not a refusal.",
    docs: DOCS.bestPractices,
    message: (a) =>
      `${q(a.key)} gains ${a.newSeries} new series` +
      (a.pointsPerYear === null ? '' : ` (${a.pointsPerYear} points/year)`) +
      ` against ${a.against}` +
      (a.gate === null ? '' : `: ${a.gate.over ? 'more than' : 'within'} --max-new-series ${a.gate.limit}`) +
      '.',
  }),
  MK014: rule<{ written: string; fixed: string }>({
    title: 'Space in the metric key',
    severity: 'error',
    evidence:
      "DOC D1: a metric key is letters, digits, `_`, `-` and `.`; escapes and quotes belong to dimension values. LIB Telegraf's Dynatrace output writes `B B` as `b_b`.",
    decision:
      "A root cause (root-causes.ts): an escaped or quoted space is an InfluxDB habit, and the tenant ends the key at the space. One finding replaces the line's others.",
    docs: DOCS.protocol,
    message: (a) =>
      `The metric key ${q(a.written)} holds a space, and a key cannot, escaped or quoted: the tenant ends the key there and reads the rest as the payload. Write ${q(a.fixed)}.`,
  }),

  // ---------------------------------------------------------------- dimension keys
  DK001: rule<{ chars: string; lowercase: boolean; empty: 'key' | 'section' | null }>({
    title: 'Invalid dimension key',
    severity: 'error',
    evidence:
      'DOC D1: lower-case letters, digits, `-`, `.`, `:`, `_` only. OBS #2295: upper case is rejected, not normalised ("invalid dimension key … error at \'M\'"). Empty sections: the libraries normalise them away (LIB); that the tenant rejects them is INF.',
    docs: DOCS.protocol,
    message: (a) =>
      a.empty === 'key'
        ? 'Empty dimension key: write `key=value`.'
        : a.empty === 'section'
          ? 'Empty section in dimension key: `.` only goes between sections.'
          : a.lowercase
            ? `Upper-case ${q(a.chars)} in dimension key: the tenant rejects upper case; write it in lower case.`
            : `Invalid character ${q(a.chars)} in dimension key: use only a–z, 0–9, \`_\`, \`-\`, \`:\` and \`.\`.`,
  }),
  DK002: rule<{ char: string }>({
    title: 'Dimension key section starts with a digit, `-` or `:`',
    severity: 'warning',
    evidence:
      'LIB Java only: its DimensionKeyValidator marks `-value`, `:value` and `4` invalid; the docs say nothing.',
    docs: DOCS.protocol,
    message: (a) =>
      `Dimension key section starts with ${q(a.char)}: Dynatrace libraries rewrite this; start it with a letter or \`_\`.`,
  }),
  DK003: rule<{ length: number; limit: number }>({
    title: 'Dimension key too long',
    severity: 'error',
    evidence: 'DOC D3: 100 characters. LIB gcp-monitor: "MINT API rejects … dimension names longer than 100 chars".',
    docs: DOCS.limits,
    message: (a) => `Dimension key is ${a.length} characters long; the limit is ${a.limit}. Shorten it.`,
  }),
  DK004: rule<{ key: string; first: string }>({
    title: 'Duplicate dimension key',
    severity: 'warning',
    evidence: 'DOC D1: "the payload is valid, but only one value is accepted"; which one is not documented.',
    decision: 'Reported on each repetition after the first; the fix removes that repetition and keeps the first.',
    docs: DOCS.protocol,
    message: (a) =>
      `Dimension ${q(a.key)} is already set on this line (${literal(a.first)}): the tenant keeps only one value. Remove one of them.`,
  }),
  DK005: rule<{ count: number; limit: number }>({
    title: 'Too many dimensions',
    severity: 'error',
    evidence: 'DOC D1, D3: up to 50 dimensions per line.',
    docs: DOCS.limits,
    message: (a) => `The line has ${a.count} dimensions; the limit is ${a.limit}. Remove ${a.count - a.limit}.`,
  }),
  DK006: rule<{ key: string; example: string }>({
    title: '`dt.entity.*` value is not an entity ID',
    severity: 'warning',
    evidence:
      'DOC D1: `dt.entity.<type>` links the point to an entity; its value is an ID such as `HOST-06F288EE2A930951`. INF: other values do not link.',
    docs: DOCS.protocol,
    message: (a) =>
      `${q(a.key)} takes an entity ID such as ${q(a.example)} (the entity type in capitals, \`-\`, 16 hex digits); this value will not link to an entity.`,
  }),
  DK007: rule<{ key: string }>({
    title: 'Unknown `dt.*` dimension key',
    severity: 'info',
    evidence:
      'DOC D1 reserves `dt.entity.*`; the libraries set `dt.metrics.source` (LIB); DOC D2/D14 `dt.process.id`/`pid`. Others: not documented [INF].',
    docs: DOCS.protocol,
    message: (a) =>
      `${q(a.key)} is in the reserved \`dt.\` namespace but is not a known Dynatrace dimension: it may be ignored or rejected.`,
  }),
  DK008: rule<{ key: string; previous: string | null }>({
    title: 'Dimension without a value',
    severity: 'error',
    evidence: 'DOC D1: dimensions are `key=value`. OBS #2295: `…,cacheM` without `=` was rejected.',
    decision:
      "The comma may belong to the value before it only when that value is unquoted: then the message says how to keep it there. The first dimension's comma follows the key.",
    docs: DOCS.protocol,
    message: (a) =>
      a.key === ''
        ? 'Empty dimension (`,,` or a trailing `,`): remove the extra comma.'
        : a.previous === null
          ? `Dimension ${q(a.key)} has no value: write ${q(a.key + '=…')}.`
          : `Dimension ${q(a.key)} has no value. If ${q(',' + a.key)} is part of the value of ${q(a.previous)}, escape the comma (\`\\,\`) or quote that value; otherwise write ${q(a.key + '=…')}.`,
  }),

  DK009: rule<{ written: string; fixed: string }>({
    title: 'Space in a dimension key',
    severity: 'error',
    evidence:
      "DOC D1: a dimension key is letters, digits, `_`, `-`, `:` and `.`; escapes and quotes belong to values. OBS #2295: the tenant refuses the line. LIB Telegraf's Dynatrace output writes `B B` as `b_b`.",
    decision:
      "A root cause (root-causes.ts): an escaped or quoted space is an InfluxDB habit, and it breaks the line into a key without a value and a payload that is not one. One finding replaces the line's others.",
    docs: DOCS.protocol,
    message: (a) =>
      `The dimension key ${q(a.written)} holds a space, and a key cannot, escaped or quoted (escapes and quotes are for values): the tenant ends the key there. Write ${q(a.fixed)}.`,
  }),

  // ---------------------------------------------------------------- dimension values
  DV001: rule<{ kind: 'unterminated' | 'stray-quote' }>({
    title: 'Unterminated quote or unescaped `"` in a quoted value',
    severity: 'error',
    evidence: 'DOC D1: quoted values escape `"` and `\\` with a backslash.',
    docs: DOCS.protocol,
    message: (a) =>
      a.kind === 'unterminated'
        ? 'This quote is never closed: the rest of the line is read as the value. Close it with `"` (escape quotes inside as `\\"`).'
        : 'This `"` ends the quoted value but text follows it: escape quotes inside a quoted value as `\\"`.',
  }),
  DV002: rule<{ char: ' ' | ',' | '=' | '"'; key: string }>({
    title: 'Unescaped space, `,`, `=` or `"` in an unquoted value',
    severity: 'error',
    evidence:
      'OBS #2295: an unescaped space broke `id=Compressed Class Space …` ("invalid metric type"). LIB: all libraries escape `,` `=` space `\\` `"` in unquoted values.',
    docs: DOCS.protocol,
    message: (a) =>
      a.char === ' '
        ? `Unescaped space in the value of ${q(a.key)}: the rest is read as the payload. Quote the value or escape the space as \`\\ \`.`
        : `Unescaped ${q(a.char)} in the value of ${q(a.key)}: quote the value or escape it as \`\\${a.char}\`.`,
  }),
  DV003: rule<{ sequence: string; quoted: boolean }>({
    title: 'Invalid escape sequence',
    severity: 'warning',
    evidence:
      'DOC D1 defines only `\\"` and `\\\\` (the libraries also escape `\\,` `\\=` `\\ ` outside quotes, LIB); what the server does with others is not documented [INF].',
    decision:
      'A warning (DV001 keeps the error for quotes that end the value): the backslash is probably meant literally and should be doubled.',
    docs: DOCS.protocol,
    message: (a) =>
      `${q(a.sequence)} is not an escape sequence${a.quoted ? ' inside quotes (only `\\"` and `\\\\`)' : ' (only `\\,` `\\=` `\\ ` `\\"` `\\\\`)'}: write a backslash as \`\\\\\`.`,
  }),
  DV004: rule<{ key: string }>({
    title: 'Empty dimension value',
    severity: 'warning',
    evidence:
      'DOC D4: "the dimension … is removed" when its value is empty. LIB gcp-monitor: "MINT rejects line with empty dimension value".',
    decision:
      'A warning: the docs say the dimension is dropped, one Dynatrace project says the line is rejected; either way it is not what was meant.',
    docs: DOCS.faq,
    message: (a) =>
      `Empty value for ${q(a.key)}: the tenant drops this dimension (or the line). Give it a value or remove it.`,
  }),
  DV005: rule<{ length: number; escaped: boolean; limit: number; conservative: number }>({
    title: 'Dimension value too long',
    severity: 'error',
    lesserSeverity: 'warning',
    leastSeverity: 'hint',
    evidence:
      'The Managed limits table (DOC D16) moved to 255 characters between March and June 2026, and the OTLP metrics ingest page (DOC D17) and the extension limits page say 255; only the SaaS limits page (DOC D3) still says 250. ' +
      'LIB Java 2.5.0 (commit dde2492, Apr 2026, "Increase metric key and dimension value length limits to 255 … Aligns with the metric ingestion protocol spec"); LIB Go, LIB Python, LIB .NET, LIB JS and LIB gcp-monitor ("MINT API rejects dimension values longer than 250 chars") still cut at 250. ' +
      'Whether quotes and escapes count is not documented; Java and Go count the value as written.',
    decision:
      'As for metric keys (MK008): an error when the unescaped value is over 255 (no source allows more); a warning from 251 to 255 (one documentation page and most libraries say 250); ' +
      'a hint when only the value as written, quotes and escapes included, is over 250.',
    docs: DOCS.limits,
    message: (a) =>
      a.escaped
        ? `As written (quotes and escapes included) this value is ${a.length} characters: over ${a.conservative}, where Dynatrace libraries that count them cut it (and the tenant may count them too).`
        : a.length > a.limit
          ? `Dimension value is ${a.length} characters long; the limit is ${a.limit}. Shorten it.`
          : `Dimension value is ${a.length} characters long: within the limit of ${a.limit}, but the SaaS limits page and most Dynatrace libraries cut at ${a.conservative}.`,
  }),
  DV006: rule<{ codePoint: string; property: string | null }>({
    title: 'Control character in a value',
    severity: 'error',
    evidence:
      'LIB: every library replaces control, format and line-separator characters with `_`; they cannot be sent as such. ' +
      'LIB Java: MetadataLineFactory runs a `dt.meta.description` through the same string-value normaliser as a dimension value.',
    decision:
      'One rule for dimension values and metadata values (`dt.meta.*`) alike: the libraries apply one rule to both, and one code turns it off everywhere.',
    docs: DOCS.protocol,
    message: (a) =>
      `Control character ${a.codePoint} in ${a.property === null ? 'dimension value' : `the value of ${q(a.property)}`}: remove it.`,
  }),

  // ---------------------------------------------------------------- payloads
  PL001: rule<{ found: string | null; suggestion: string | null }>({
    title: 'Missing or unknown payload',
    severity: 'error',
    evidence: 'DOC D1: the payload is a number, `gauge,…` or `count,delta=…`.',
    docs: DOCS.protocol,
    message: (a) =>
      (a.found === null
        ? 'Missing payload: add a value, such as `5`, `gauge,5` or `count,delta=1`.'
        : `Unknown payload ${q(a.found)}: write a number, \`gauge,…\` or \`count,delta=…\`.`) +
      (a.suggestion ? ` Did you mean ${q(a.suggestion)}?` : ''),
  }),
  PL002: rule<{ suggestion: string }>({
    title: 'Count without `delta=`',
    severity: 'error',
    evidence:
      'DOC D1: "To specify the count value, you must provide the delta field." LIB: `count,<n>` (total counter) was deprecated in 2021.',
    docs: DOCS.protocol,
    message: (a) => `A count needs \`delta=\`: write ${q(a.suggestion)} (counts are sent as deltas).`,
  }),
  PL003: rule<{ problem: 'missing' | 'unknown' | 'duplicate' | 'malformed' | 'empty'; fields: string; meant?: string }>(
    {
      title: 'Incomplete or malformed gauge summary',
      severity: 'error',
      evidence: 'DOC D1: `gauge,min=…,max=…,sum=…,count=…`; "You must specify all the summaries."',
      decision:
        'One unknown field where one field is missing is one misspelt field: reported once, with the name to write.',
      docs: DOCS.protocol,
      message: (a) =>
        a.problem === 'missing'
          ? `Summary is missing ${a.fields}: a summary needs min, max, sum and count.`
          : a.problem === 'unknown'
            ? `Unknown summary field ${q(a.fields)}: ${a.meant ? `write ${q(a.meant)}, which the summary lacks` : 'the fields are min, max, sum and count'}.`
            : a.problem === 'duplicate'
              ? `Summary field ${q(a.fields)} appears twice: keep one.`
              : a.problem === 'empty'
                ? 'Empty summary field (`,,` or a trailing `,`): remove the extra comma.'
                : `Malformed summary field ${q(a.fields)}: write \`name=value\`.`,
    },
  ),
  PL004: rule<NoArgs>({
    title: 'Summary fields out of the usual order',
    severity: 'info',
    evidence:
      'DOC D1 and every library (LIB) write min,max,sum,count; LIB gcp-monitor writes min,max,count,sum, so order is probably free [INF].',
    docs: DOCS.protocol,
    message: () => 'Summary fields are usually written as `min=…,max=…,sum=…,count=…`.',
  }),
  PL005: rule<{ value: string; whole: string | null }>({
    title: 'Summary count negative or not an integer',
    severity: 'error',
    evidence:
      'LIB Java: NumberValueValidator rejects `count < 0`, mirroring the server (OBS #4565); every library writes count as an integer.',
    docs: DOCS.protocol,
    decision:
      'A count that is a whole number written otherwise (`2.0`, `2e0`, `+2`) gets one finding, this one, and the fix writes its digits; NU002/NU003 would suggest forms that are still not whole numbers.',
    message: (a) =>
      a.whole === null
        ? `Summary count ${q(a.value)} must be a whole number of observations, 0 or more.`
        : `Summary count ${q(a.value)} must be written as a whole number of observations: ${q(a.whole)}.`,
  }),
  PL006: rule<NoArgs>({
    title: 'Summary with count=0 but non-zero values',
    severity: 'error',
    evidence: 'LIB Java: NumberValueValidator, "count == 0 => min, max, sum != 0" (mirrors the server, OBS #4565).',
    docs: DOCS.protocol,
    message: () => '`count=0` means no observations: min, max and sum must then be 0.',
  }),
  PL007: rule<{ min: string; max: string; swapFits: boolean }>({
    title: 'Summary max below min',
    severity: 'error',
    evidence: 'LIB Java: NumberValueValidator, "max < min" (mirrors the server\'s checks, OBS #4565).',
    docs: DOCS.protocol,
    decision:
      'The fix swaps the two values when the swapped summary passes every check; otherwise a swap is not the one right answer, and the message says so.',
    message: (a) =>
      `${q('max=' + a.max)} is less than ${q('min=' + a.min)}: ` +
      (a.swapFits ? 'swap them.' : 'swapped, the summary would still be inconsistent; check min, max, sum and count.'),
  }),
  PL008: rule<{ min: string; max: string; avg: string; single: boolean; tolerance: number }>({
    title: 'Inconsistent summary: min ≤ sum/count ≤ max fails',
    severity: 'error',
    evidence:
      'OBS #5037: "inconsistent gauge fields: min <= avg <= max doesn\'t hold … tolerance: 0.000001". OBS #3985: with count=1, sum must equal min and max.',
    docs: DOCS.protocol,
    message: (a) =>
      a.single
        ? `With \`count=1\`, min, max and sum must be equal (within ${a.tolerance}); here min=${a.min}, max=${a.max}, sum=${a.avg}.`
        : `The average sum/count = ${a.avg} is outside [min, max] = [${a.min}, ${a.max}] (by more than the tolerance ${a.tolerance}): the tenant rejects inconsistent summaries.`,
  }),

  // ---------------------------------------------------------------- numbers
  NU001: rule<{ text: string; kind: 'missing' | 'nan' | 'text' | 'overflow'; after: string }>({
    title: 'NaN, infinity or not a number',
    severity: 'error',
    evidence:
      'LIB: every library refuses NaN and infinite values; LIB Micrometer: "NaN\'s are currently dropped on the Dynatrace side".',
    decision: 'A value that overflows a double (`1.0e400`) is infinite once parsed: also an error.',
    docs: DOCS.protocol,
    message: (a) =>
      a.kind === 'missing'
        ? `No number after ${q(a.after)}: write one, such as ${q(a.after + (a.after === 'delta=' ? '1' : '42.5'))}.`
        : a.kind === 'overflow'
          ? `${q(a.text)} is beyond the largest double-precision number (about \`1.8e308\`), so it is read as infinity, which the tenant rejects: send the value in a larger unit.`
          : a.kind === 'nan'
            ? `${q(a.text)} is not a number the tenant takes: NaN is dropped and infinity rejected. Leave this data point out.`
            : `${q(a.text)} is not a number: write the value in decimal digits, such as ${q(a.after + '42.5')}.`,
  }),
  NU002: rule<{ text: string; suggestion: string }>({
    title: 'Exponent without a decimal point',
    severity: 'warning',
    evidence:
      'LIB Go: "1e+10 … is not valid as per the API spec which requires a decimal point for scientific notation"; LIB Python does the same.',
    docs: DOCS.protocol,
    message: (a) =>
      `${q(a.text)} may be rejected: scientific notation needs a decimal point, as in ${q(a.suggestion)}.`,
  }),
  NU003: rule<{ text: string; suggestion: string }>({
    title: 'Leading `+`, or a leading or trailing `.`',
    severity: 'warning',
    evidence: 'INF: no library emits these forms; no source says whether the tenant accepts them.',
    message: (a) => `${q(a.text)} is an unusual number form: write ${q(a.suggestion)}.`,
  }),
  NU004: rule<{ text: string }>({
    title: 'Not a decimal number',
    severity: 'error',
    evidence:
      'INF: no source shows hex, `_` separators or other forms being accepted; libraries emit only decimal floats.',
    message: (a) =>
      `${q(a.text)} is not a decimal number: write digits with an optional \`.\` and exponent, like \`12.5\` or \`1.0e6\`.`,
  }),

  // ---------------------------------------------------------------- timestamps
  TS001: rule<{ text: string }>({
    title: 'Timestamp is not an integer',
    severity: 'error',
    evidence: 'DOC D1: the timestamp is UTC milliseconds since the epoch.',
    docs: DOCS.protocol,
    message: (a) =>
      `Timestamp ${q(a.text)} must be a whole number of milliseconds since 1970 (UTC), such as \`1732300000000\`.`,
  }),
  TS002: rule<{
    unit: 'seconds' | 'microseconds' | 'nanoseconds';
    suggestion: string;
    /** Read as milliseconds, where the timestamp falls outside the window (TS003's arguments); null when inside or unchecked. */
    outside: { iso: string; distance: string; future: boolean; window: string } | null;
  }>({
    title: 'Timestamp looks like seconds, microseconds or nanoseconds',
    severity: 'error',
    lesserSeverity: 'warning',
    evidence:
      'DOC D1: milliseconds, from 1 hour in the past to 10 minutes in the future, and points outside are rejected. LIB Java, LIB Go and LIB .NET treat timestamps outside the years 2000–3000 as a wrong unit ("Order of magnitude of the timestamp seems off").',
    decision:
      'One mistake, one finding: read as milliseconds, a timestamp in seconds is in 1970 and one in microseconds or nanoseconds tens of thousands of years ahead, so it is outside the window (TS003) because of its unit. ' +
      'Then TS002 is the one finding, an error (the tenant rejects the point), and says how old it reads; with the window unchecked (`--timestamp-window off`, or TS003 off) it is a warning. With TS002 off, TS003 is reported instead.',
    docs: DOCS.protocol,
    message: (a) =>
      `This timestamp looks like ${a.unit}; the protocol wants milliseconds: ${q(a.suggestion)}.` +
      (a.outside === null
        ? ''
        : ` Read as milliseconds it is ${a.outside.iso}, ${a.outside.distance} ${a.outside.future ? 'in the future' : 'old'}, and the tenant rejects it.`),
  }),
  TS003: rule<{ iso: string; distance: string; future: boolean; window: string }>({
    title: 'Timestamp outside the accepted window',
    severity: 'error',
    evidence:
      'DOC D1: "The allowed range is between 1 hour into the past and 10 minutes into the future from now. Data points with timestamps outside of this range are rejected."',
    decision:
      'An error against the `now` the caller passes (the CLI: --now or the clock); editors may lower it to a warning, and fixture folders switch the window off.',
    docs: DOCS.protocol,
    message: (a) =>
      a.future
        ? `Timestamp ${a.iso} is ${a.distance} in the future; the tenant rejects points more than ${a.window} ahead.`
        : `Timestamp ${a.iso} is ${a.distance} old; the tenant rejects points older than ${a.window}. Update it, or send without a timestamp.`,
  }),

  // ---------------------------------------------------------------- lines and requests
  LN001: rule<{ length: number; limit: number }>({
    title: 'Line too long',
    severity: 'error',
    evidence: 'DOC D3: "Length of line, characters 50,000" (2,000 until mid-2022).',
    docs: DOCS.limits,
    message: (a) =>
      `Line is ${a.length.toLocaleString('en-US')} characters long; the limit is ${a.limit.toLocaleString('en-US')}.`,
  }),
  LN002: rule<{ lines: number }>({
    title: 'More lines than one request takes',
    severity: 'info',
    evidence: 'DOC D14: the local endpoint takes 1,000 lines; every library caps a request at 1,000 lines.',
    docs: DOCS.ingestApi,
    message: (a) =>
      `The file has more than ${a.lines.toLocaleString('en-US')} lines to send from here on: a push splits it into requests of ${a.lines.toLocaleString('en-US')} lines.`,
  }),
  LN003: rule<{ bytes: number }>({
    title: 'More bytes than one request takes',
    severity: 'info',
    evidence: 'DOC D2, D11: "The payload size is limited to 1 MB" (HTTP 413 beyond).',
    docs: DOCS.ingestApi,
    message: (a) =>
      `The lines to send pass ${a.bytes.toLocaleString('en-US')} bytes here, what one request takes: a push splits them into several requests.`,
  }),
  LN004: rule<{ where: 'leading' | 'trailing' | 'separator' }>({
    title: 'Whitespace other than one space between parts',
    severity: 'warning',
    evidence:
      'DOC D1 always uses exactly one space; whether tabs, several spaces or trailing spaces are accepted is not documented [INF].',
    docs: DOCS.protocol,
    message: (a) =>
      a.where === 'leading'
        ? 'Leading whitespace: the metric key must start the line.'
        : a.where === 'trailing'
          ? 'Trailing whitespace: remove it.'
          : 'Separate the parts of a line with exactly one space.',
  }),
  LN005: rule<{ text: string; after: 'timestamp' | 'properties' }>({
    title: 'Unexpected text at the end of a line',
    severity: 'error',
    evidence: 'DOC D1: a line ends with the payload and an optional timestamp.',
    docs: DOCS.protocol,
    message: (a) =>
      `Unexpected ${q(a.text.length > 40 ? a.text.slice(0, 40) + '…' : a.text)} ` +
      (a.after === 'timestamp'
        ? 'after the timestamp: a line is `key[,dims] payload [timestamp]`.'
        : 'after the properties: a metadata line is `#key type dt.meta.name=value[,…]` (quote values with spaces).'),
  }),
  LN006: rule<NoArgs>({
    title: 'Replacement character (invalid UTF-8)',
    severity: 'warning',
    evidence: "DOC D2: the body is UTF-8. U+FFFD is what a decoder puts where the file's bytes were not valid UTF-8.",
    message: () =>
      'U+FFFD here: the file is probably not valid UTF-8 at this point, and what would be sent differs from what was written. Re-save it as UTF-8.',
  }),

  LN007: rule<{ whole: boolean; line: string | null; firstLine?: number }>({
    title: 'JSON where a line should be',
    severity: 'error',
    evidence:
      'DOC D1, D2: the ingest API takes the line protocol as `text/plain`; a JSON body is refused with 415, and JSON sent as text is read as lines and refused.',
    decision:
      'A root cause (root-causes.ts): a line starting with `{`, `[`, `}`, `]` or `"name":` is JSON, and the parser\'s findings on it say nothing useful. One finding replaces them; the lines of a JSON document spread over lines after its first say which line it starts on (each line is refused).',
    docs: DOCS.protocol,
    message: (a) =>
      a.firstLine !== undefined
        ? `This continues the JSON that starts on line ${a.firstLine + 1}.`
        : `This ${a.whole ? 'line is' : 'is part of'} JSON, and the ingest API takes the metric line protocol, not JSON: one line per data point, \`key[,dim=value…] payload [timestamp]\`` +
          (a.line ? `. As a metric line: ${q(a.line)}.` : ', such as `cpu.temp,host=a 42.5`.'),
  }),
  LN008: rule<{ sequence: string; count: number }>({
    title: 'A literal `\\n` joins two lines',
    severity: 'error',
    evidence:
      'DOC D1: lines are separated by line breaks; a backslash and `n` are two characters, not a line break, so the tenant reads one line and refuses it.',
    decision:
      'A root cause (root-causes.ts), found where the text before the sequence is a line the rules accept: usually a newline escaped twice in code (`"\\\\n"`, or an f-string inside a JSON string). One finding replaces the line\'s others; the fix splits the line.',
    docs: DOCS.protocol,
    message: (a) =>
      `A literal ${q(a.sequence)} here (${a.sequence.length} characters: ${a.sequence.length === 2 ? 'a backslash and `n`' : 'backslashes and letters'}), not a line break, joins ${a.count === 1 ? 'two lines' : `${a.count + 1} lines`} into one, which the tenant refuses. Split ${a.count === 1 ? 'the line there' : 'the line at each'}; in code, escape a newline once: \`"\\n"\`, not \`"\\\\n"\`.`,
  }),
  LN009: rule<{ field: string; lines: string[] | null }>({
    title: 'InfluxDB line protocol',
    severity: 'error',
    evidence:
      "DOC D1: the payload is a number, `gauge,…` or `count,delta=…`; InfluxDB's `field=value` is none of them. LIB Telegraf's Dynatrace output writes each field as its own line, `measurement.field`, booleans as 1 and 0.",
    decision:
      "A root cause (root-causes.ts): a `name=value` where the payload should be. One finding replaces the line's others; the fix writes Telegraf's lines, the timestamp in milliseconds (InfluxDB's default is nanoseconds).",
    docs: DOCS.protocol,
    message: (a) =>
      `This is InfluxDB line protocol (${q(a.field)}): a Dynatrace line carries one value, with no field name, and a timestamp in milliseconds.` +
      (a.lines === null
        ? ' A string field has no metric line.'
        : a.lines.length === 1
          ? ` As a metric line: ${q(a.lines[0] as string)}.`
          : ` As ${a.lines.length} metric lines, one per field: ${q(a.lines[0] as string)}, …`),
  }),
  LN010: rule<{ comment: string | null; line: string | null; name: string; labels: boolean }>({
    title: 'Prometheus exposition format',
    severity: 'error',
    evidence:
      'DOC D1: dimensions are `,key=value` after the key, not `{key="value"}`, and a `#` line is metadata. DOC D22: Prometheus metrics reach Dynatrace by scraping (or an extension), not through the ingest API.',
    decision:
      "A root cause (root-causes.ts): a sample with `{labels}` or a `:` in its name, or a `# HELP`/`# TYPE` line. One finding replaces the line's others; the fix writes labels as dimensions and `:` as `.`, and makes `# HELP`/`# TYPE` a comment.",
    docs: DOCS.protocol,
    message: (a) =>
      a.comment
        ? `This is a Prometheus \`# ${a.comment}\` line; here a \`#\` line is metric metadata (\`#key gauge dt.meta.description=…\`), and comments start with \`//\`.`
        : (a.labels
            ? 'This is Prometheus exposition format: dimensions follow the key as `,key=value`, not in braces `{…}`' +
              (a.name.includes(':') ? ', and a metric key takes `.` where Prometheus writes `:`.' : '.')
            : `This is a Prometheus recording-rule name (${literal(a.name)}): a metric key cannot hold \`:\`; write \`.\` between its sections.`) +
          (a.line ? ` As a metric line: ${q(a.line)}.` : ' A value that is not a finite number has no metric line.'),
  }),
  LN011: rule<{ type: string; line: string | null }>({
    title: 'StatsD line',
    severity: 'error',
    evidence:
      "DOC D1: a line is `key[,dims] payload [timestamp]`. DOC D21: StatsD goes to the OneAgent's UDP port 18125 (or an ActiveGate's 18126), not to the ingest API.",
    decision:
      "A root cause (root-causes.ts): `name:value|type`. One finding replaces the line's others; the fix writes a counter as `count,delta=`, a gauge or timing as a gauge, DogStatsD tags as dimensions. A sampled counter, a relative gauge and a set have no one right line.",
    docs: DOCS.protocol,
    message: (a) =>
      `This is a StatsD line (\`|${a.type}\`): the ingest API takes metric lines, and StatsD goes to the OneAgent's UDP port 18125.` +
      (a.line ? ` As a metric line: ${q(a.line)}.` : ''),
  }),

  // ---------------------------------------------------------------- metadata lines
  MD001: rule<{
    problem: 'key' | 'type' | 'properties' | 'comment' | 'property' | 'empty-property';
    /** `type`: what stands where the type should (null: nothing), and whether properties follow it. */
    found?: string | null;
    properties?: boolean;
  }>({
    title: 'Malformed metadata line',
    severity: 'error',
    evidence:
      'DOC D1: `#metric.key <gauge|count> dt.meta.<property>=<value>[,…]`. No comment syntax exists: every `#` line is metadata.',
    decision: 'One finding a line: a word that is not a type, with nothing after it, is one mistake, not two.',
    docs: DOCS.protocol,
    message: (a) =>
      a.problem === 'comment'
        ? 'Lines starting with `#` are metadata lines, not comments: write comments with `//`.'
        : a.problem === 'key'
          ? 'Metadata line without a metric key: write `#my.metric gauge dt.meta.unit=…`.'
          : a.problem === 'type'
            ? !a.found
              ? 'Metadata needs the payload type after the key: `gauge` or `count`.'
              : a.properties
                ? `${literal(a.found)} is not a payload type: write \`gauge\` or \`count\`.`
                : `${literal(a.found)} is not a payload type, and properties must follow the type: write \`gauge\` or \`count\`, then \`dt.meta.unit=…\` or another property.`
            : a.problem === 'property'
              ? 'Metadata property without a value: write `dt.meta.<name>=<value>`.'
              : a.problem === 'empty-property'
                ? 'Empty metadata property (`,,` or a trailing `,`): remove the extra comma.'
                : 'Metadata line without properties: add `dt.meta.displayName=…`, `dt.meta.description=…` or `dt.meta.unit=…`.',
  }),
  MD002: rule<{ property: string }>({
    title: 'Unknown metadata property',
    severity: 'error',
    evidence:
      "DOC D1: the properties are dt.meta.displayName, dt.meta.description and dt.meta.unit (the docs' own example writes `displayname`, so case is taken as free [INF]).",
    docs: DOCS.metadata,
    message: (a) =>
      `Unknown metadata property ${q(a.property)}: use \`dt.meta.displayName\`, \`dt.meta.description\` or \`dt.meta.unit\`.`,
  }),
  MD003: rule<{ unit: string; tooLong: boolean; limit: number; chars: string }>({
    title: 'Unusual unit',
    severity: 'warning',
    evidence:
      'LIB Java: UnitValidator allows only `A–Z a–z 0–9 % [ ] { } / _`, at most 63 characters (LIB gcp-monitor agrees). Whether the server rejects unknown units is not known.',
    docs: DOCS.units,
    message: (a) =>
      a.tooLong
        ? `Unit is ${a.unit.length.toLocaleString('en-US')} characters long; Dynatrace libraries drop units longer than ${a.limit}. Use a unit id such as \`MilliSecond\`.`
        : `Unit ${literal(a.unit)} ` +
          ([...a.unit].every((c) => a.chars.includes(c))
            ? 'is not a unit name'
            : `holds ${[...a.chars].map((c) => (c === ' ' ? 'a space' : q(c))).join(', ')}, which a unit cannot`) +
          ': a unit takes only letters, digits and `%` `[` `]` `{` `}` `/` `_`, and Dynatrace libraries drop other units.',
  }),
  MD004: rule<{ property: string; length: number; limit: number }>({
    title: 'Metadata value too long',
    severity: 'warning',
    evidence:
      'LIB Java (MetadataLineConstants) and LIB gcp-monitor: displayName ≤ 300, description ≤ 65,535 characters.',
    docs: DOCS.metadata,
    message: (a) =>
      `${q(a.property)} is ${a.length.toLocaleString('en-US')} characters long; Dynatrace libraries cut it at ${a.limit.toLocaleString('en-US')}.`,
  }),
  MD005: rule<{ key: string; firstLine: number }>({
    title: 'Second metadata line for a key',
    severity: 'warning',
    evidence:
      'DOC D1, D4: "only the first occurrence is used"; metadata can only be created through the protocol, not updated.',
    docs: DOCS.faq,
    message: (a) =>
      `${q(a.key)} already has metadata on line ${a.firstLine + 1}: only the first is used. Merge them; existing metadata cannot be changed by ingest (use the Settings API).`,
  }),
  MD007: rule<{ property: string }>({
    title: 'Empty metadata value',
    severity: 'warning',
    evidence:
      'LIB Java: MetadataLineFactory leaves an empty description out, MetadataLineBuilder (2.5) a blank or `""` description or unit, and UnitValidator refuses an empty unit. What a tenant does with an empty value is not documented [INF].',
    decision: 'A warning, as for an empty dimension value (DV004): no library sends one, and it is not what was meant.',
    docs: DOCS.metadata,
    message: (a) =>
      `Empty value for ${q(a.property)}: Dynatrace libraries leave such a property out. Give it a value or remove it.`,
  }),
} as const;

export type RuleCode = keyof typeof RULES;
export type RuleArgs<C extends RuleCode> = Parameters<(typeof RULES)[C]['message']>[0];
export const RULE_CODES = Object.keys(RULES) as RuleCode[];

/**
 * Rules that are gone, and what says their finding now: a `--rule` or a `dtmetrics.rules` setting written for one
 * still works (it changes nothing), with a note, rather than failing a CI run that names it.
 */
export const REMOVED_RULES: Readonly<Record<string, string>> = {
  MD006: 'MK010 says it now, once per metric',
};

export function isRuleCode(code: string): code is RuleCode {
  return Object.prototype.hasOwnProperty.call(RULES, code);
}

/**
 * A rule's evidence and decision as a user reads them (hover, docs/rules.md, SARIF): the sentences as written, each
 * citation a link to its source instead of its id.
 */
export function ruleEvidence(code: RuleCode, format: CitationFormat): { evidence: string; decision: string | null } {
  const rule = RULES[code] as { evidence: string; decision?: string };
  return {
    evidence: renderCitations(rule.evidence, format),
    decision: rule.decision ? renderCitations(rule.decision, format) : null,
  };
}

/**
 * The local tenant (`dtmetrics serve`): which findings make it refuse a line, how it words them, and its own
 * limits. Wording follows the real tenant where one was observed (PROTOCOL §6.3, §6.4).
 */
export const TENANT = {
  /**
   * Findings a tenant does not make on a line: request splitting (the body's size is checked whole: 413, and the
   * SaaS API has no line limit, DOC D2), our per-file budgets (MK012, MK013), and the `.count` suffix notes, which
   * it reports as warnings instead. Every other finding of severity `error` refuses the line.
   */
  notPerLine: ['LN002', 'LN003', 'MK010', 'MK012', 'MK013'] as RuleCode[],
  /**
   * The start of a refused line's `error`, by code family, as the real tenant words it (OBS #2295, #4058, #5037:
   * "invalid metric key", "invalid dimension key in message '…'; error at 'M'  (index 63)", "invalid metric type",
   * "inconsistent gauge fields: …"). Families with no observed wording [INF] follow the same pattern.
   */
  errorTexts: {
    MK: 'invalid metric key',
    DK: 'invalid dimension key',
    DV: 'invalid dimension value',
    PL: 'invalid metric type',
    PL003: 'invalid gauge fields',
    PL007: 'inconsistent gauge fields',
    PL008: 'inconsistent gauge fields',
    NU: 'invalid value',
    TS: 'invalid timestamp',
    LN: 'invalid line',
    MD: 'invalid metadata',
  } as Record<string, string>,
  /**
   * How many refused lines and warnings one answer lists. The real tenant listed the first 10 in 2020 ("First 10
   * errors reported", OBS #2295) and 22 warnings in 2024 (OBS #5037); the cap today is not known [INF]. We list
   * 100 of each, more than one of our batches needs, and say "First 100 … reported" when there were more.
   */
  listedLines: 100,
  /** DOC D14: the local OneAgent endpoint takes at most 1,000 lines per request. */
  oneAgentLinesPerRequest: 1_000,
  /**
   * The OTLP metrics endpoint's request limits (INGEST-PATHS §1.3, Managed about-metrics-ingest: "4 MB" uncompressed
   * and 15,000 data points; over either "the entire request is dropped"). 4 MB read as 4,000,000 bytes, as the line
   * API's "1 MB" is.
   */
  otlpRequestMaxBytes: 4_000_000,
  otlpDataPointsPerRequest: 15_000,
  /**
   * What one metric of a query may read (DOC D6, PROTOCOL §7.1: "The number of data points is limited to
   * 20,000,000", "The number of tuples is limited to 100,000. If exceeded, only the first 100,000 tuples … are
   * processed and the rest are ignored", "The number of data points per tuple is limited to 10,080"; "These limits
   * apply to the datapoints that the query reads in the database"). Per metric of the selector, as
   * dataPointCountRatio is measured (DOC D6: "per metric … in a single query"). Past the points or the points per
   * tuple a real tenant answers 400, "Syntax or validation error. From and to parameters, entitySelector or
   * resolution are incorrect individually or in their combined meaning" (DOC D6); its message is not public [INF],
   * so ours names the limit and the numbers. Checked before anything is read: series × the stored slots the
   * timeframe spans.
   */
  queryDataPoints: 20_000_000,
  queryTuples: 100_000,
  queryPointsPerTuple: 10_080,
} as const;

/** The tenant's view of findings, as lint options: the codes it does not report per line are off. */
export const TENANT_SEVERITIES = Object.fromEntries(TENANT.notPerLine.map((code) => [code, 'off'])) as Partial<
  Record<RuleCode, SeveritySetting>
>;
