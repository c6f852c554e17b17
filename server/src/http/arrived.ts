/**
 * What arrived at a tenant (issue 15 item 4), through the public Metrics API v2 only, so the same code reads the
 * local tenant and a real Dynatrace environment: the metrics written since the window's start
 * (`GET /api/v2/metrics?writtenSince=&metricSelector=<patterns>`, page by page), built-in ones left out (not
 * billable), then one query per ten metrics (a selector `a,b,…`, the most a query takes: PROTOCOL §7.1) at
 * one-minute resolution over the window, each answer fed to the core's StatsAnalyzer (core/stats/arrived.ts): a
 * tenant with thousands of custom metrics is asked a tenth as often. A batch the tenant refuses (too many points, a
 * metric gone since the list) is asked again one metric a query, so a refusal costs only its own metric's figures.
 * A 429 is waited out (its X-RateLimit-Reset, else a backoff) a few times before its batch is not read.
 */
import type { MetricList } from '#core/metrics/api.ts';
import type { Result } from '#core/result.ts';
import { TENANT } from '#core/rules.ts';
import { StatsAnalyzer, type StatsOptions, type StatsReport } from '#core/stats/analysis.ts';
import { isBuiltinMetricKey, readArrived, selectorForKey } from '#core/stats/arrived.ts';
import { MINUTE } from '#core/time.ts';
import type { Connection } from './client.ts';
import { listMetrics, queryMetrics, type ReadOptions } from './query.ts';

export interface ArrivedRequest {
  /** The window, epoch ms: at one-minute resolution at most TENANT.queryPointsPerTuple minutes. */
  from: number;
  to: number;
  /** Metric key patterns (`checkout.*`); empty: every metric written since `from`. */
  patterns: readonly string[];
}

export interface ArrivedStats {
  report: StatsReport;
  /** Per metric whose figures are lower bounds, why (the tenant limited or coarsened its answer). */
  atLeast: Map<string, string[]>;
  /** The tenant's warnings, each once. */
  warnings: string[];
  /** Metrics listed but not read, with the tenant's reason (a refusal, a malformed answer). */
  notRead: { key: string; reason: string }[];
  /** Built-in metrics (`builtin:`, `dt.`) listed and left out: not billable. */
  builtinLeftOut: number;
}

export interface ArrivedProgress {
  /** Called after the list and after each batch of metrics read. */
  onProgress?: (done: number, total: number) => void;
}

/** Queries at once: a few answers in flight, not a burst against a real tenant. */
const PARALLEL_QUERIES = 4;
/** Metrics a query names: the most a selector takes (PROTOCOL §7.1). */
const METRICS_PER_QUERY = 10;
/** Times a throttled query (429) is sent again before its metrics are not read. */
const THROTTLED_RETRIES = 4;
/**
 * A refusal (4xx) that one of the metrics may cause (too many points, a metric gone since the list): not the token's
 * (401, 403) nor the tenant's rate (429), which asking one metric at a time would only repeat.
 */
const isAboutTheMetrics = (status: number | undefined): boolean =>
  status !== undefined && status >= 400 && status < 500 && ![401, 403, 429].includes(status);
/** The list's largest page (PROTOCOL §7.3). */
const PAGE_SIZE = 500;

/** The window's length at one minute a point, or the refusal a real tenant would give past 10,080 points a tuple. */
export function arrivedWindowProblem(from: number, to: number): string | null {
  const minutes = Math.ceil((to - from) / MINUTE);
  return minutes > TENANT.queryPointsPerTuple
    ? `the window is ${minutes.toLocaleString('en-US')} minutes; a query answers at most ${TENANT.queryPointsPerTuple.toLocaleString('en-US')} one-minute points a series (7 days): give a later --from`
    : null;
}

/**
 * Lists, queries and analyses; fails (one readable message) only when the window is too long, the list cannot be
 * read, or `read.signal` stopped it. A metric the tenant refuses is in `notRead`, the others' figures kept.
 */
export async function statsOfArrived(
  connection: Connection,
  request: ArrivedRequest,
  options: StatsOptions,
  read: ReadOptions & ArrivedProgress = {},
): Promise<Result<ArrivedStats>> {
  const windowProblem = arrivedWindowProblem(request.from, request.to);
  if (windowProblem !== null) return { ok: false, message: windowProblem };
  const listed = await listWritten(connection, request, read);
  if (!listed.ok) return listed;
  const keys = listed.value.filter((key) => !isBuiltinMetricKey(key));
  const analyzer = new StatsAnalyzer();
  const atLeast = new Map<string, string[]>();
  const notRead: ArrivedStats['notRead'] = [];
  const warnings = new Set<string>();
  const batches: string[][] = [];
  for (let at = 0; at < keys.length; at += METRICS_PER_QUERY) batches.push(keys.slice(at, at + METRICS_PER_QUERY));
  const throttled = { ...read, throttledRetries: THROTTLED_RETRIES };
  const query = (batch: readonly string[]) =>
    queryMetrics(
      connection,
      {
        metricSelector: batch.map(selectorForKey).join(','),
        from: String(request.from),
        to: String(request.to),
        resolution: '1m',
      },
      throttled,
    );
  /** Feeds one answer to the analyzer; a key no result was read for is not read, with the answer's problems. */
  const take = (batch: readonly string[], data: unknown) => {
    const reading = readArrived(analyzer, data, batch);
    for (const w of reading.warnings) warnings.add(w);
    for (const [metric, reasons] of reading.atLeast) if (reasons.length > 0) atLeast.set(metric, reasons);
    if (reading.problems.length === 0) return;
    const missed = batch.filter((key) => !reading.atLeast.has(key));
    // Every result matched yet problems: the answer's resolution, which no result could be read in.
    for (const key of missed.length > 0 ? missed : batch) notRead.push({ key, reason: reading.problems.join('; ') });
  };
  /** A batch the tenant refused for something in it, asked again one metric a query: only what it refuses is lost. */
  const readOneByOne = async (batch: readonly string[]) => {
    for (const key of batch) {
      if (read.signal?.aborted === true) return;
      const alone = await query([key]);
      if (alone.ok) take([key], alone.value.data);
      else notRead.push({ key, reason: alone.message });
    }
  };
  let next = 0;
  let done = 0;
  read.onProgress?.(0, keys.length);
  const worker = async () => {
    while (next < batches.length && read.signal?.aborted !== true) {
      const batch = batches[next++] as string[];
      const answer = await query(batch);
      if (answer.ok) take(batch, answer.value.data);
      else if (batch.length > 1 && isAboutTheMetrics(answer.status)) await readOneByOne(batch);
      else for (const key of batch) notRead.push({ key, reason: answer.message });
      read.onProgress?.((done += batch.length), keys.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_QUERIES, batches.length) }, worker));
  if (read.signal?.aborted === true) return { ok: false, message: 'stopped before every metric was read' };
  notRead.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const report = analyzer.report(options);
  const builtinLeftOut = listed.value.length - keys.length;
  return { ok: true, value: { report, atLeast, warnings: [...warnings], notRead, builtinLeftOut } };
}

/** The keys of every page of the metrics written since the window's start that match the patterns. */
async function listWritten(
  connection: Connection,
  request: ArrivedRequest,
  read: ReadOptions,
): Promise<Result<string[]>> {
  const keys: string[] = [];
  let pageKey: string | null = null;
  do {
    // With a page key every other parameter must be omitted (PROTOCOL §7.3).
    const answer: Awaited<ReturnType<typeof listMetrics>> = await listMetrics(
      connection,
      pageKey !== null
        ? { nextPageKey: pageKey }
        : {
            writtenSince: String(request.from),
            pageSize: PAGE_SIZE,
            ...(request.patterns.length > 0 ? { metricSelector: request.patterns.join(',') } : {}),
          },
      read,
    );
    if (!answer.ok) return { ok: false, message: `listing the metrics: ${answer.message}` };
    const page: MetricList = answer.value.data;
    for (const metric of page.metrics) if (typeof metric.metricId === 'string') keys.push(metric.metricId);
    pageKey = typeof page.nextPageKey === 'string' && page.nextPageKey !== '' ? page.nextPageKey : null;
  } while (pageKey !== null && read.signal?.aborted !== true);
  return { ok: true, value: keys };
}
