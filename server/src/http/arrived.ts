/**
 * What arrived at a tenant (issue 15 item 4), through the public Metrics API v2 only, so the same code reads the
 * local tenant and a real Dynatrace environment: the metrics written since the window's start
 * (`GET /api/v2/metrics?writtenSince=&metricSelector=<patterns>`, page by page), built-in ones left out (not
 * billable), then one query per metric at one-minute resolution over the window, each answer fed to the core's
 * StatsAnalyzer (core/stats/arrived.ts). One query per metric (not ten in a selector, the most a query takes:
 * PROTOCOL §7.1) so that a metric the tenant refuses (too many points) costs only its own figures.
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
  /** Called after the list and after each metric's query. */
  onProgress?: (done: number, total: number) => void;
}

/** Metrics read at once: a few answers in flight, not a burst against a real tenant. */
const PARALLEL_QUERIES = 4;
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
  let next = 0;
  let done = 0;
  read.onProgress?.(0, keys.length);
  const worker = async () => {
    while (next < keys.length && read.signal?.aborted !== true) {
      const key = keys[next++] as string;
      const answer = await queryMetrics(
        connection,
        { metricSelector: selectorForKey(key), from: String(request.from), to: String(request.to), resolution: '1m' },
        read,
      );
      if (!answer.ok) notRead.push({ key, reason: answer.message });
      else {
        const reading = readArrived(analyzer, answer.value.data, [key]);
        for (const w of reading.warnings) warnings.add(w);
        for (const [metric, reasons] of reading.atLeast) if (reasons.length > 0) atLeast.set(metric, reasons);
        for (const problem of reading.problems) notRead.push({ key, reason: problem });
      }
      read.onProgress?.(++done, keys.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_QUERIES, keys.length) }, worker));
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
