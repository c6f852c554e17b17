/**
 * Every source the project cites, by the short id code, comments and the rule table write (`DOC D1`, `OBS #2295`,
 * `LIB Java`, `INF`, `PROTOCOL §7.1`), and the one grammar those ids are read by: docs/evidence.md is generated
 * from this table (scripts/evidence-doc.ts), hovers, docs/rules.md and SARIF show rule evidence through
 * `renderCitations` (a link where a tag stood), and test/core/evidence.test.ts fails on a tag anywhere in the
 * repository that names no entry. Pure data and string work.
 */

export type EvidenceKind = 'documentation' | 'observed' | 'library' | 'notes' | 'inference';

export interface EvidenceEntry {
  readonly kind: EvidenceKind;
  /** What a link to it says: the page's title, the thread, the library. */
  readonly title: string;
  /** Where to read it; every kind but notes and inference has one. */
  readonly url?: string;
  /** What we take from it, in our words. */
  readonly about: string;
  /** Libraries: the files read, under `url` at `ref`. */
  readonly files?: readonly string[];
  /** Libraries: the commit read (GitHub takes an abbreviated one), or HEAD. */
  readonly ref?: string;
  /** Notes: the entries (ids) or pages (URLs) the summary rests on. */
  readonly basis?: readonly string[];
}

type Linked = EvidenceEntry & { readonly url: string };

const doc = (title: string, url: string, about: string): Linked => ({
  kind: 'documentation',
  title: `Dynatrace docs: ${title}`,
  url,
  about,
});
const micrometer = (issue: number, title: string, about: string): Linked => ({
  kind: 'observed',
  title: `micrometer#${issue}, ${title}`,
  url: `https://github.com/micrometer-metrics/micrometer/issues/${issue}`,
  about,
});
const library = (title: string, url: string, ref: string, files: readonly string[], about: string): Linked => ({
  kind: 'library',
  title,
  url,
  ref,
  files,
  about,
});
const notes = (title: string, basis: readonly string[], about: string): EvidenceEntry => ({
  kind: 'notes',
  title,
  basis,
  about,
});

/** The id a tag names → the source. Keys are the tags as written. */
export const EVIDENCE = {
  // ---------------------------------------------------------------- Dynatrace documentation
  'DOC D1': doc(
    'Metric ingestion protocol',
    'https://docs.dynatrace.com/docs/shortlink/metric-ingestion-protocol',
    'The line syntax: key, dimensions, payload forms (gauge, summary, `count,delta=`), timestamp window (1 h back, 10 min ahead), metadata lines, key and dimension character sets, 3–255 characters for a key, 50 dimensions, automatic `.count`/`.gauge` suffixes. Page updated Jul 2025.',
  ),
  'DOC D1-old': doc(
    'Metric ingestion protocol (older versions)',
    'https://www.dynatrace.com/support/help/extend-dynatrace/extend-metrics/reference/metric-ingestion-protocol',
    'Earlier versions of D1: a key of "3 to 250 characters", and no `:` in dimension keys.',
  ),
  'DOC D2': doc(
    'Metrics API v2 – POST ingest data points',
    'https://docs.dynatrace.com/docs/shortlink/api-metrics-v2-post-datapoints',
    'The ingest endpoint: a `text/plain` body in UTF-8, scope `metrics.ingest`, 202/400 with a ValidationResponse (a 400 still accepts the valid lines), the `dt.` key prefix reserved, no limit on lines per request for the API; at the local OneAgent endpoint the reserved `dt.entity.host=<host-ID>` dimension is added to each metric.',
  ),
  'DOC D3': doc(
    'Extend metric observability (limits table)',
    'https://www.dynatrace.com/docs/ingest-from/extend-dynatrace/extend-metrics',
    'The SaaS limits table: key 250 characters, dimension key 100, dimension value 250, 50 dimensions, a line 50,000 characters, 100,000 metric keys per environment, 1,000,000 tuples per metric over 30 days; over a limit, a 400.',
  ),
  'DOC D4': doc(
    'Metrics API – FAQ',
    'https://www.dynatrace.com/docs/dynatrace-api/environment-api/metric-v2/metric-faq',
    'An empty dimension value drops the dimension; metadata is created by the first line only and never updated by ingest; count and gauge suffixes; slot timestamps and the delay before data is queryable; averaging before `:fold` distorts percentages.',
  ),
  'DOC D5': doc(
    'Metrics API – best practices',
    'https://www.dynatrace.com/docs/dynatrace-api/environment-api/metric-v2/best-practices',
    'Cardinality: new tuples are refused once a metric or the environment reaches its limit (a 30-day window), possibly after a 202; avoid unbounded dimension values.',
  ),
  'DOC D6': doc(
    'Metrics API v2 – GET metric data points',
    'https://docs.dynatrace.com/managed/dynatrace-api/environment-api/metric-v2/get-data-points',
    'The query: metricSelector, resolution, from/to forms, JSON or CSV by Accept, MetricData, and the limits per metric of a query (20,000,000 points read, 100,000 tuples processed, 10,080 points per tuple).',
  ),
  'DOC D7': doc(
    'Metrics API v2 – GET metrics',
    'https://docs.dynatrace.com/managed/dynatrace-api/environment-api/metric-v2/get-all-metrics',
    'The metric list: `text`, `metricSelector` with `*`, `pageSize`, `nextPageKey`, `fields` (`+`/`-` to add or remove).',
  ),
  'DOC D8': doc(
    'Metrics API v2 – GET metric descriptor',
    'https://docs.dynatrace.com/managed/dynatrace-api/environment-api/metric-v2/get-descriptor',
    'The MetricDescriptor fields, and the descriptor of a key with transformations (the metric they make).',
  ),
  'DOC D9': doc(
    'Metric selector',
    'https://www.dynatrace.com/docs/dynatrace-api/environment-api/metric-v2/metric-selector',
    'Transformations (aggregations, `splitBy`, `merge`, `filter` and its conditions, `fold`, `sort`, `limit`, `default`, …), quoting of keys with sections that start with a digit (`custom."5xx_errors"`).',
  ),
  'DOC D10': doc(
    'Dynatrace API – Tokens and authentication',
    'https://docs.dynatrace.com/managed/dynatrace-api/basics/dynatrace-api-authentication',
    'The token shape (prefix, public part, secret), `Authorization: Api-Token …` or `?api-token=`, and the scopes (`metrics.ingest`, `metrics.read`, `DataExport`).',
  ),
  'DOC D11': doc(
    'Dynatrace API – Access limit',
    'https://docs.dynatrace.com/managed/dynatrace-api/basics/access-limit',
    'A payload of at most 1 MB; 429 when the request queue is full, with `X-RateLimit-Reset` documented in microseconds.',
  ),
  'DOC D12': doc(
    'Dynatrace API – Response codes',
    'https://docs.dynatrace.com/managed/dynatrace-api/basics/dynatrace-api-response-codes',
    'What 401, 403, 404 and 429 mean for every API.',
  ),
  'DOC D13': doc(
    'Custom metric metadata',
    'https://www.dynatrace.com/docs/ingest-from/extend-dynatrace/extend-metrics/reference/custom-metric-metadata',
    'Metadata (display name, description, unit) and how to change it after ingest (Settings API).',
  ),
  'DOC D14': doc(
    'OneAgent metric API',
    'https://www.dynatrace.com/docs/ingest-from/extend-dynatrace/extend-metrics/ingestion-methods/oneagent-metric-api',
    'The local endpoint `http://localhost:14499/metrics/ingest`: no token, at most 1,000 lines, `linesValid` in its answer, `dt.process.pid`; the host ID and host name are added to each metric as dimensions (D2 names the first `dt.entity.host`).',
  ),
  'DOC D15': doc(
    'Units API – GET all units',
    'https://docs.dynatrace.com/managed/dynatrace-api/environment-api/metrics-units/get-all-units',
    'The unit ids a tenant knows (`BytePerSecond`, …).',
  ),
  'DOC D16': doc(
    'Extend metric observability, Managed (limits table)',
    'https://docs.dynatrace.com/managed/ingest-from/extend-dynatrace/extend-metrics',
    'The Managed copy of D3, whose dimension value limit moved from 250 to 255 characters between March and June 2026.',
  ),
  'DOC D17': doc(
    'About OTLP metrics ingest (Classic)',
    'https://docs.dynatrace.com/docs/ingest-from/opentelemetry-classic/otlp-api/ingest-otlp-metrics/about-metrics-ingest-classic',
    'OTLP ingest limits: metric key 2–255 characters, dimension key 100, dimension value 255.',
  ),
  'DOC D18': doc(
    'Access tokens API – POST token lookup',
    'https://docs.dynatrace.com/docs/dynatrace-api/environment-api/tokens-v2/api-tokens/post-token-lookup',
    'Looks a token up by its secret and answers its metadata (ApiToken: ID, name, scopes), never the secret; any scope may call it.',
  ),
  'DOC D19': doc(
    'Cluster information API',
    'https://docs.dynatrace.com/managed/dynatrace-api/environment-api/cluster-information',
    '`GET /api/v1/config/clusterversion` answers `{"version": …}`, scope `DataExport`.',
  ),
  'DOC D20': doc(
    'Timeseries API v1 – POST data points',
    'https://docs.dynatrace.com/managed/dynatrace-api/environment-api/metric-v1/read-data-points/post-data-points',
    'The deprecated v1 query of older clusters: `startTimestamp`/`endTimestamp` or `relativeTime`, at most 6 months, scope `DataExport`.',
  ),
  'DOC D21': doc(
    'StatsD',
    'https://docs.dynatrace.com/managed/ingest-from/extend-dynatrace/extend-metrics/ingestion-methods/statsd',
    'StatsD goes to the OneAgent on UDP port 18125 (localhost) or an ActiveGate on 18126, with DogStatsD-style tags; not to the line ingest API. The OneAgent listener adds the host ID and host name as dimensions; the remote listener adds nothing.',
  ),
  'DOC D22': doc(
    'Monitor Prometheus metrics (Kubernetes)',
    'https://docs.dynatrace.com/managed/observe/infrastructure-observability/container-platform-monitoring/kubernetes-monitoring/monitor-prometheus-metrics',
    'Prometheus metrics reach Dynatrace by an ActiveGate scraping annotated pods, and how each metric type is mapped; not through the line ingest API.',
  ),
  'DOC D23': doc(
    'OpenPipeline – API ingestion reference',
    'https://www.dynatrace.com/docs/platform/openpipeline/reference/api-ingestion-reference',
    'The ingest sources and their payloads: metrics ingest takes `text/plain`; JSON goes to the events, business events and logs endpoints.',
  ),
  'DOC D24': doc(
    'DDU metric cost calculation',
    'https://docs.dynatrace.com/managed/license/monitoring-consumption-classic/davis-data-units/metric-cost-calculation',
    'Classic licensing bills 0.001 DDU per metric data point: one series at one point a minute is 525,600 points, 525.6 DDU a year; descriptive dimensions determined by others add no cost; host-bound metrics first use included metrics.',
  ),
  'RFC 4180': {
    kind: 'documentation',
    title: 'RFC 4180, the CSV format',
    url: 'https://www.rfc-editor.org/rfc/rfc4180',
    about:
      'CSV as a tenant writes it: CRLF line ends, a field with a comma, quote or line break quoted, quotes doubled.',
  },
  'RFC 9110': {
    kind: 'documentation',
    title: 'RFC 9110, HTTP Semantics',
    url: 'https://www.rfc-editor.org/rfc/rfc9110',
    about:
      'Content negotiation (`Accept`: quality, then specificity) and `415` for a content coding the server does not take.',
  },

  // ---------------------------------------------------------------- real tenants' answers and maintainers' statements
  'OBS #2295': micrometer(
    2295,
    "a tenant's answers (Dec 2020)",
    "`failed to parse metric key … error at '1'  (index 20)` for `system.load.average.1m`; `invalid dimension key … error at 'M'  (index 63)` for an upper-case key; `invalid metric type` for an unescaped space in a value; `First 10 errors reported` with 29 invalid lines.",
  ),
  'OBS #4058': micrometer(
    4058,
    "a tenant's answer (Sep 2023)",
    'A SaaS tenant refused `system.load.average.1m` with `invalid metric key` on line 1 (1-based) of a 400 whose lines were all invalid.',
  ),
  'OBS #5037': micrometer(
    5037,
    "a tenant's answer (May 2024)",
    "`inconsistent gauge fields: min <= avg <= max doesn't hold … tolerance: 0.000001`; warnings in `warnings.warningLines` (not the documented `changedMetricKeys`), e.g. `metric key 'executor.completed' changed to 'executor.completed.count'`.",
  ),
  'OBS #3985': micrometer(
    3985,
    'summaries a tenant refused',
    'Summaries with count=1 whose sum and max differed were rejected by the API; the fix and its reasoning are kept in the comments of `DynatraceExporterV2Test.java`.',
  ),
  'OBS #4565': {
    kind: 'observed',
    title: 'micrometer#4565, a Dynatrace engineer on the API',
    url: 'https://github.com/micrometer-metrics/micrometer/pull/4565',
    about:
      'The API rejects summaries that break its consistency rules; the pull request moves the same checks (dynatrace-metric-utils-java) to the client side.',
  },

  // ---------------------------------------------------------------- client libraries
  LIB: {
    kind: 'library',
    title: "Dynatrace's client libraries",
    url: 'https://github.com/dynatrace-oss',
    about:
      'Dynatrace-authored metric-utils for Java, Go, Python, .NET and JS (the entries below), taken together. They normalise (rewrite or drop) rather than reject, so their "needs no normalisation" predicates are the evidence for what a tenant accepts.',
  },
  'LIB Java': library(
    'dynatrace-metric-utils-java',
    'https://github.com/dynatrace-oss/dynatrace-metric-utils-java',
    'dde24922f3fd05ca7a8946bde887452faaed4a8f',
    [
      'lib/src/main/java/com/dynatrace/metric/util/MetricKeyValidator.java',
      'lib/src/main/java/com/dynatrace/metric/util/DimensionKeyValidator.java',
      'lib/src/main/java/com/dynatrace/metric/util/StringValueValidator.java',
      'lib/src/main/java/com/dynatrace/metric/util/NumberValueValidator.java',
      'lib/src/main/java/com/dynatrace/metric/util/UnitValidator.java',
      'lib/src/main/java/com/dynatrace/metric/util/MetadataLineConstants.java',
      'lib/src/main/java/com/dynatrace/metric/util/MetricLineConstants.java',
      'lib/src/main/java/com/dynatrace/metric/util/Normalizer.java',
      'lib/src/test/java/com/dynatrace/metric/util/NormalizerTest.java',
      'lib/src/test/java/com/dynatrace/metric/util/NumberValueValidatorTest.java',
    ],
    "Version 2.5.0 (Apr 2026, limits raised to 255): the validators (key sections, dimension key sections start with `[a-z_]`, invalid code points, summary rules in the server's order and wording, units of `A–Z a–z 0–9 % [ ] { } / _` up to 63 characters), metadata limits (display name 300, description 65,535), the timestamp year window 2000–3000, 1,000 lines per request, and the test vectors. MetadataLineFactory and MetadataLineBuilder, which leave empty metadata values out, are in the repository's 2023 history (the factory was then renamed Metadata).",
  ),
  'LIB Go': library(
    'dynatrace-metric-utils-go',
    'https://github.com/dynatrace-oss/dynatrace-metric-utils-go',
    '81600d98703c4c4715c6a1e9bc2076961dc13f8a',
    [
      'normalize/metrickey.go',
      'normalize/dimensionkey.go',
      'normalize/dimensionvalue.go',
      'serialize/serialize.go',
      'metric/metric.go',
    ],
    'Limits 250/100/250; an exponent is written with a decimal point (`1.0e+10`, the commit comment: the API requires one); NaN, infinity, negative counts and min > max refused; timestamps outside the years 2000–3000 dropped; later key sections may start with a digit.',
  ),
  'LIB Python': library(
    'dynatrace-metric-utils-python',
    'https://github.com/dynatrace-oss/dynatrace-metric-utils-python',
    'HEAD',
    ['src/dynatrace/metric/utils/_normalize.py', 'src/dynatrace/metric/utils/_metric_values.py'],
    'The same rules as Go; numbers formatted as `x.0e…`; dimension keys start with a lower-case letter or `_`.',
  ),
  'LIB .NET': library(
    'dynatrace-metric-utils-dotnet',
    'https://github.com/dynatrace-oss/dynatrace-metric-utils-dotnet',
    'HEAD',
    ['src/Dynatrace.MetricUtils/Normalize.cs'],
    'The same rules as Go; the first key section cannot start with a digit, later ones can; the timestamp year window.',
  ),
  'LIB JS': library(
    'dynatrace-metric-utils-js',
    'https://github.com/dynatrace-oss/dynatrace-metric-utils-js',
    'HEAD',
    ['src/normalize.ts'],
    'The same rules as Go, limits 250; control characters are only `[\\x00-\\x1f]`.',
  ),
  'LIB Micrometer': library(
    "Micrometer's Dynatrace registry",
    'https://github.com/micrometer-metrics/micrometer',
    '22207bf',
    [
      'implementations/micrometer-registry-dynatrace/src/main/java/io/micrometer/dynatrace/v2/DynatraceExporterV2.java',
      'implementations/micrometer-registry-dynatrace/src/test/java/io/micrometer/dynatrace/v2/DynatraceExporterV2Test.java',
    ],
    'Drops NaN ("currently dropped on the Dynatrace side"), forces min = max = sum when count is 1, batches of at most 1,000 lines, `Content-Type: text/plain; charset=utf-8`, no compression; metadata lines with quoted values.',
  ),
  'LIB Telegraf': library(
    'Telegraf',
    'https://github.com/influxdata/telegraf',
    'HEAD',
    ['plugins/outputs/dynatrace/dynatrace.go', 'plugins/outputs/dynatrace/dynatrace_test.go'],
    'Its Dynatrace output writes each field of an InfluxDB line as its own metric line `measurement.field`, booleans as 1 and 0, tag keys lower-cased and spaces made `_` (`B B` → `b_b`); an old test expected the legacy `count,3.14`.',
  ),
  'LIB gcp-monitor': library(
    'dynatrace-gcp-monitor',
    'https://github.com/dynatrace-oss/dynatrace-gcp-monitor',
    'd65f211f6f585d0aecb90bb57ad85d349c7f0bdf',
    ['src/lib/metric_ingest.py', 'src/lib/metrics.py', 'src/lib/configuration/config.py'],
    'A Dynatrace project: "MINT API rejects" dimension names over 100 and values over 250 characters (pull request #76), "MINT rejects line with empty dimension value", summaries written `min,max,count,sum`, metadata as `dt.meta.displayname`, limits 300/65,535/63, `invalidLines[].line` read as 1-based.',
  ),
  'LIB config-as-code': library(
    'dynatrace-configuration-as-code-core',
    'https://github.com/Dynatrace/dynatrace-configuration-as-code-core',
    'HEAD',
    ['api/rest/rate.go'],
    'Reads `X-RateLimit-Reset` as Unix seconds, where the documentation (D11) says microseconds.',
  ),

  // ---------------------------------------------------------------- our notes and inference
  INF: {
    kind: 'inference',
    title: 'unverified inference',
    about:
      "A conclusion of ours that no source states and no real tenant has confirmed. Where it sets a severity, the rule's decision says what we chose and why. Each can be settled with one request to a real tenant.",
  },
  'PROTOCOL §1.1': notes(
    'Line grammar',
    ['DOC D1', 'DOC D2', 'LIB', 'INF'],
    'A data line is a key, optional `,key=value` dimensions, one space, a payload and an optional space and timestamp; a metadata line starts with `#`. Lines are separated by `\\n` in a `text/plain` body. Whether CRLF, tabs, several spaces or blank lines are accepted is not documented.',
  ),
  'PROTOCOL §1.2': notes(
    'Metric keys',
    ['DOC D1', 'DOC D1-old', 'DOC D2', 'DOC D3', 'DOC D4', 'DOC D9', 'OBS #2295', 'OBS #4058', 'OBS #5037', 'LIB Java'],
    'The character set and section rules of a key, 3–255 characters (250 in the limits table and most libraries), the reserved `dt.` prefix, the automatic `.count`/`.gauge` suffixes, and the conflict over later sections that start with a digit (allowed by docs and libraries, refused by tenants in 2020 and 2023).',
  ),
  'PROTOCOL §2.1': notes(
    'Gauges',
    ['DOC D1'],
    'A bare number is a single-value gauge, as is `gauge,N`; a summary `gauge,min=…,max=…,sum=…,count=…` must give all four fields.',
  ),
  'PROTOCOL §2.2': notes(
    'Summary consistency',
    ['OBS #5037', 'OBS #3985', 'OBS #4565', 'LIB Java', 'LIB gcp-monitor'],
    'The tenant checks min ≤ sum/count ≤ max with an absolute tolerance of 1e-6, so with count=1 the three values must agree. The Java validator mirrors the server: count < 0, count = 0 with a non-zero value, NaN or infinity, max < min are invalid; its test vectors. Field order is probably free; a fractional count is unknown.',
  ),
  'PROTOCOL §2.3': notes(
    'Counts',
    ['DOC D1', 'LIB Java', 'LIB Go', 'LIB Telegraf'],
    'A count is `count,delta=N`; `count,N` was the total counter the libraries deprecated in 2021; negative deltas are emitted by the libraries.',
  ),
  'PROTOCOL §2.4': notes(
    'Number forms',
    ['LIB Go', 'LIB Python', 'LIB Java', 'LIB Micrometer', 'INF'],
    'Not documented. Libraries write decimals and exponents with a decimal point (Go: the API requires one) and refuse NaN and infinity; there is no evidence either way for a leading `+`, `.5`, `5.`, hexadecimal or `_` separators.',
  ),
  'PROTOCOL §3': notes(
    'Timestamps',
    ['DOC D1', 'DOC D5', 'LIB Java', 'LIB Go', 'LIB .NET'],
    "UTC milliseconds, accepted from 1 hour before to 10 minutes after the server's now; without one the server's time is used. Libraries take a timestamp outside the years 2000–3000 for a wrong unit and leave it out. The best-practices page shows seconds, a documentation slip. No public source quotes the tenant's error text.",
  ),
  'PROTOCOL §4.1': notes(
    'Metadata lines',
    ['DOC D1', 'DOC D4', 'DOC D13', 'DOC D15', 'LIB Java', 'LIB gcp-monitor', 'LIB Micrometer'],
    "`#key gauge|count dt.meta.name=value,…` with displayName, description and unit (the docs' own example writes `displayname`); `count` metadata applies to `key.count`; only the first occurrence creates metadata and ingest never updates it; library limits 300/65,535/63 and the unit character set; unit ids come from the Units API.",
  ),
  'PROTOCOL §4.2': notes(
    'No comments',
    ['DOC D1', 'INF'],
    'The protocol has no comment syntax: every `#` line is metadata. `.dtmetrics` files use `//` comments, which are never sent.',
  ),
  'PROTOCOL §5': notes(
    'Limits',
    ['DOC D1', 'DOC D2', 'DOC D3', 'DOC D5', 'DOC D11', 'DOC D14', 'LIB Java', 'LIB config-as-code'],
    "A request of at most 1 MB (413 beyond), a line of 50,000 characters (2,000 until 2022), 1,000 lines per request at the OneAgent endpoint and in every library, 50 dimensions, key, dimension key and value lengths, 100,000 keys and 1,000,000 tuples per metric, 429 throttling whose `X-RateLimit-Reset` the docs give in microseconds and Dynatrace's Go client reads as seconds.",
  ),
  'PROTOCOL §6': notes(
    'Ingest API',
    ['DOC D2', 'DOC D10', 'DOC D12', 'DOC D14'],
    "The contract of `POST /api/v2/metrics/ingest`: the request (PROTOCOL §6.1), its status codes (PROTOCOL §6.2), its answer (PROTOCOL §6.3) and the tenant's error texts (PROTOCOL §6.4).",
  ),
  'PROTOCOL §6.1': notes(
    'The ingest request',
    ['DOC D2', 'DOC D10', 'DOC D14', 'LIB Java', 'LIB Micrometer'],
    "Endpoints: SaaS `https://{id}.live.dynatrace.com/api/v2/metrics/ingest`, Managed or ActiveGate `https://{host}/e/{id}/api/v2/metrics/ingest`, the OneAgent's `http://localhost:14499/metrics/ingest` without a token. `Authorization: Api-Token dt0c01.{public}.{secret}` (or `?api-token=`), scope `metrics.ingest`; every client sends `Content-Type: text/plain; charset=utf-8`.",
  ),
  'PROTOCOL §6.2': notes(
    'Status codes',
    ['DOC D2', 'DOC D11', 'DOC D12', 'OBS #4058', 'LIB Micrometer'],
    '202 accepted; 400 some or all lines invalid (the valid ones are stored); 401 bad token; 403 missing scope; 404/405 wrong path or module off; 413 too large; 429 throttled; errors as an ErrorEnvelope with `constraintViolations`.',
  ),
  'PROTOCOL §6.3': notes(
    'The ingest answer',
    ['DOC D2', 'DOC D14', 'OBS #2295', 'OBS #4058', 'OBS #5037', 'LIB gcp-monitor'],
    'A ValidationResponse: `linesOk`, `linesInvalid`, `error.invalidLines[{line, error}]` with 1-based lines, and warnings, which real tenants send as `warnings.warningLines` where the docs say `changedMetricKeys`; only the first N refused lines are listed (10 in 2020); the OneAgent endpoint answers `linesValid`.',
  ),
  'PROTOCOL §6.4': notes(
    "The tenant's error texts",
    ['OBS #2295', 'OBS #4058', 'OBS #5037', 'LIB Java'],
    "The `invalidLines[].error` texts seen from real tenants (`invalid metric key`, `invalid dimension key in message …; error at 'M'  (index 63)` with two spaces, `invalid metric type …`, `inconsistent gauge fields: …`) and the suffix warning; the Java library's copies of the summary texts. None seen for timestamps, lengths or metadata.",
  ),
  'PROTOCOL §7': notes(
    'Query and discovery',
    ['DOC D6', 'DOC D7', 'DOC D8', 'DOC D9'],
    'The Metrics API v2 reads: the query (PROTOCOL §7.1), the selector (PROTOCOL §7.2), the list (PROTOCOL §7.3) and the descriptor (PROTOCOL §7.4).',
  ),
  'PROTOCOL §7.1': notes(
    'The metric query',
    ['DOC D4', 'DOC D6', 'DOC D9'],
    '`GET /api/v2/metrics/query`: up to 10 metrics in a selector; `resolution` as points, a span or `Inf`; `from`/`to` as ms, ISO-8601 (UTC without a zone) or `now-NU[/A]`, by default the last two hours; JSON or CSV by Accept; limits of 20,000,000 points read, 100,000 tuples processed and 10,080 points per tuple; MetricData with slot-end timestamps; count metrics are queried under their `.count` key.',
  ),
  'PROTOCOL §7.2': notes(
    'The metric selector',
    ['DOC D9'],
    'Aggregations, `splitBy`, `merge`, `filter` with `eq ne prefix suffix contains in existsKey` and `and/or/not`, `fold`, `sort`, `limit`, `default`, and `~` escapes inside quoted arguments; evaluated left to right.',
  ),
  'PROTOCOL §7.3': notes(
    'The metric list',
    ['DOC D7'],
    '`GET /api/v2/metrics`: `nextPageKey` alone, `pageSize` 100 by default and at most 500, `*` in the selector with only aggregation, merge, parents and splitBy allowed, free `text`, `fields` to choose what a descriptor shows.',
  ),
  'PROTOCOL §7.4': notes(
    'The metric descriptor',
    ['DOC D8'],
    'The fields of a MetricDescriptor (`metricId`, `displayName`, `unit`, `aggregationTypes`, `dimensionDefinitions`, …).',
  ),
  'PROTOCOL §8.1': notes(
    "The Java library's vectors",
    ['LIB Java'],
    'The input → normalised output tables of dynatrace-metric-utils-java for keys, dimension keys and values (quoted and unquoted) and metadata, used as test oracles: an output equal to its input needs no normalisation.',
  ),
  'PROTOCOL §8.6': notes(
    "Telegraf's Dynatrace output",
    ['LIB Telegraf'],
    'How Telegraf turns an InfluxDB line into metric lines: one per field, keyed `measurement.field`, booleans as 1 and 0, tag keys lower-cased.',
  ),
  'PROTOCOL §9.5': notes(
    'Suffixes surprise users',
    ['DOC D1', 'DOC D4', 'OBS #5037'],
    'Count data is stored under `key.count` and a gauge named `….count` under `….count.gauge`, so a query of the key as sent finds nothing; the tenant says so only in warnings.',
  ),
  'PROTOCOL §10': notes(
    'Severities per check',
    ['DOC D1', 'LIB', 'INF'],
    "The proposed catalogue of checks and severities this project's rules started from, e.g. the timestamp window as an error when sending and a warning in the editor, and the seconds/µs/ns timestamp heuristic.",
  ),
  'INGEST-PATHS §1.1': notes(
    'The OTLP metrics endpoint',
    ['https://docs.dynatrace.com/managed/dynatrace-api/environment-api/opentelemetry/post-metrics'],
    'Dynatrace takes OTLP metrics at `/api/v2/otlp/v1/metrics` as binary protobuf over HTTP only (415 for JSON, no gRPC), with a `metrics.ingest` token; a 200 may carry a partial success.',
  ),
  'INGEST-PATHS §1.2': notes(
    'OTLP temporality and instruments',
    ['https://www.dynatrace.com/docs/ingest-from/opentelemetry/otlp-api/ingest-otlp-metrics/about-metrics-ingest'],
    'Delta sums become counters, cumulative monotonic sums are rejected (`UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM`), cumulative up-down sums become gauges; delta histograms are kept (`.histogram`, 1.300+; Classic keeps min/max/sum/count), cumulative ones and ones without a sum or with bad bounds rejected; exponential histograms keep min/max/sum/count; summaries are not supported.',
  ),
  'INGEST-PATHS §1.3': notes(
    'OTLP attributes as dimensions',
    [
      'https://www.dynatrace.com/docs/ingest-from/opentelemetry/otlp-api/ingest-otlp-metrics/about-metrics-ingest',
      'https://docs.dynatrace.com/managed/dynatrace-api/environment-api/settings/schemas/builtin-opentelemetry-metrics',
    ],
    'Data point attributes win over scope and resource ones; keys lower-cased with `_` for invalid characters; only string, bool and int values; values cut at 255; more than 50 dimensions drop the data point; Classic keeps only allow-listed resource attributes, Grail all.',
  ),
  'INGEST-PATHS §1.5': notes(
    'OTLP complaints',
    ['https://github.com/jenkinsci/opentelemetry-plugin/issues/1076'],
    'Cumulative counters silently missing is the most common OTLP complaint: the partial success names `UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM`, and the fix is delta temporality.',
  ),
  'INGEST-PATHS §2.1': notes(
    'StatsD into Dynatrace',
    ['DOC D21'],
    'StatsD lines go to a OneAgent (UDP 18125) or ActiveGate (18126) listener with DogStatsD tags; sample rates, value-less tags and the resulting keys are not documented.',
  ),
  'INGEST-PATHS §2.2': notes(
    'Prometheus into Dynatrace',
    [
      'DOC D22',
      'https://docs.dynatrace.com/managed/ingest-from/extensions/develop-your-extensions/data-sources/prometheus-extensions/prometheus-schema-reference',
    ],
    'Prometheus metrics reach Dynatrace by ActiveGate scraping, an Extensions 2.0 data source or the OpenTelemetry Collector, never as exposition text to the ingest API; the two official paths name the derived keys differently.',
  ),
  'INGEST-PATHS §2.3': notes(
    'JSON metrics',
    [
      'DOC D23',
      'DOC D2',
      'https://www.dynatrace.com/docs/dynatrace-api/environment-api/topology-and-smartscape/custom-device-api/report-custom-device-metric-via-rest-api',
    ],
    'The line ingest API takes only `text/plain`; the one JSON metric endpoint is the deprecated custom-device API v1; public code nevertheless POSTs `{metricId, value, dimensions}` JSON to `/api/v2/metrics/ingest`.',
  ),
  'INGEST-PATHS §3': notes(
    'Cost and cardinality',
    [
      'DOC D24',
      'DOC D3',
      'DOC D5',
      'https://docs.dynatrace.com/managed/license/capabilities/platform-extensions/custom-metrics-classic',
    ],
    "Billing per data point (Classic 0.001 DDU; DPS at the rate card, no public price), the same tuple within a minute is one point, 1,000,000 tuples per metric and 50,000,000 per environment over 30 days with new tuples refused silently after a 202, the docs' epoch-as-dimension example reaching 1 M in 11 days, and what a cost view should show.",
  ),
  'VSCODE-TESTING': notes(
    'VS Code tests without a desktop VS Code',
    ['https://www.npmjs.com/package/code-server', 'https://www.npmjs.com/package/playwright-core'],
    "Machines that reach only the npm registry and Debian cannot download a desktop VS Code, so the in-editor tests run in code-server 4.96.4 (VS Code 1.96.4, Node 20) driven by Debian's headless Chromium through playwright-core; code-server's native and downloaded parts are installed from Debian and the registry instead (scripts/vscode/install.sh).",
  ),
} as const satisfies Record<string, EvidenceEntry>;

/** The entry a tag names, if any. */
export function evidenceEntry(id: string): EvidenceEntry | undefined {
  return Object.prototype.hasOwnProperty.call(EVIDENCE, id)
    ? (EVIDENCE as Record<string, EvidenceEntry>)[id]
    : undefined;
}

/** A tag in a text: the entry it names and where it stands. */
export interface Citation {
  readonly id: string;
  readonly start: number;
  readonly end: number;
  /** The section of an RFC cited with it, kept when rendered. */
  readonly section?: string;
}

/** Text that looks like a citation but can name no entry here: a file outside the repository, a tag without an id. */
export interface DanglingCitation {
  readonly text: string;
  readonly start: number;
  readonly reason: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const LIBRARY_NAMES = Object.keys(EVIDENCE)
  .filter((id) => id.startsWith('LIB '))
  .map((id) => id.slice(4))
  .sort((a, b) => b.length - a.length);

/**
 * The citation grammar, one alternative per form, tried in order at each position. A list (`DOC D1, D4`,
 * `OBS #2295, #4058`, `PROTOCOL §6, §7`) is read item by item: a bare `D4` is a page wherever it stands, a bare
 * `#4058` continues a list of observations, a bare section continues a PROTOCOL or INGEST-PATHS list within its clause.
 */
const CITATION = new RegExp(
  [
    String.raw`(?<outside>\.\./shared/[\w./-]*|(?<![\w/.-])shared\/[\w./-]*|\b(?:PROTOCOL|INGEST-PATHS|VSCODE-TESTING)\.md\b)`,
    String.raw`(?<doc>(?:\bDOC )?\bD\d{1,2}(?:-old)?\b)`,
    String.raw`(?<bareDoc>\bDOC\b)`,
    String.raw`(?<obs>\bOBS #\d+)`,
    String.raw`(?<bareObs>\bOBS\b)`,
    String.raw`(?<notes>\b(?:PROTOCOL|INGEST-PATHS) \u00A7\d+(?:\.\d+)?)`,
    String.raw`(?<rfc>\bRFC \d+)(?<rfcSection> \u00A7\d+(?:\.\d+)*)?`,
    String.raw`(?<vscode>\bVSCODE-TESTING\b)`,
    String.raw`(?<lib>\bLIB(?: (?:${LIBRARY_NAMES.map(escapeRegExp).join('|')})(?![\w-]))?)(?![\w-])`,
    String.raw`(?<inf>\[INF\]|\bINF\b)`,
    String.raw`(?<listedObs>(?<=\bOBS #\d+(?:,\s*#\d+)*,\s*)#\d+)`,
    String.raw`(?<listedNotes>(?<=\b(?<listOf>PROTOCOL|INGEST-PATHS) \u00A7[^;()\n]*?,\s*)\u00A7\d+(?:\.\d+)?)`,
    String.raw`(?<section>\u00A7)`,
  ].join('|'),
  'g',
);

/** The citations of a text and the dangling ones, in order. Never throws. */
export function readCitations(text: string): { citations: Citation[]; dangling: DanglingCitation[] } {
  const citations: Citation[] = [];
  const dangling: DanglingCitation[] = [];
  for (const m of text.matchAll(CITATION)) {
    const g = m.groups ?? {};
    const start = m.index;
    const found = m[0];
    const cite = (id: string, section?: string) =>
      citations.push({ id, start, end: start + found.length, ...(section ? { section } : {}) });
    if (g.outside)
      dangling.push({
        text: found,
        start,
        reason: 'names a file outside the repository: cite an entry of docs/evidence.md instead',
      });
    else if (g.doc) cite(`DOC ${found.replace(/^DOC /, '')}`);
    else if (g.bareDoc)
      dangling.push({ text: found, start, reason: 'a documentation tag without its page (write `DOC D1`)' });
    else if (g.obs) cite(found);
    else if (g.bareObs)
      dangling.push({ text: found, start, reason: 'an observation tag without its issue (write `OBS #2295`)' });
    else if (g.notes) cite(found);
    else if (g.rfc) cite(g.rfc, g.rfcSection);
    else if (g.vscode) cite(found);
    else if (g.lib) cite(found);
    else if (g.inf) cite('INF');
    else if (g.listedObs) cite(`OBS ${found}`);
    else if (g.listedNotes) cite(`${g.listOf} ${found}`);
    else
      dangling.push({ text: found, start, reason: 'a section sign that follows no PROTOCOL, INGEST-PATHS or RFC tag' });
  }
  return { citations, dangling };
}

export type CitationFormat = 'markdown' | 'text';

/** How a citation reads where its tag stood: a Markdown link, or the title with its URL in brackets. */
function renderCitation(citation: Citation, written: string, format: CitationFormat): string {
  const entry = evidenceEntry(citation.id);
  if (!entry) return written;
  const bracketed = written === '[INF]';
  const label = entry.title + (citation.section ?? '');
  if (!entry.url || entry.kind === 'notes') return bracketed ? `(${label})` : label;
  return format === 'markdown' ? `[${label}](${entry.url})` : `${label} (${entry.url})`;
}

/**
 * A text with each citation tag replaced by its source, as a user reads it (hovers, docs/rules.md, SARIF): the
 * sentence stays, `DOC D1` becomes a link to the page. A tag that names no entry is left as written.
 */
export function renderCitations(text: string, format: CitationFormat): string {
  let out = '';
  let at = 0;
  for (const c of readCitations(text).citations) {
    const rendered = renderCitation(c, text.slice(c.start, c.end), format);
    const sentenceStart = /(^|[.!?]\s+)$/.test(text.slice(0, c.start));
    out += text.slice(at, c.start) + (sentenceStart ? rendered.charAt(0).toUpperCase() + rendered.slice(1) : rendered);
    at = c.end;
  }
  return out + text.slice(at);
}
