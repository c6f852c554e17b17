/**
 * Reading from a tenant: `GET /api/v2/metrics/query`, `GET /api/v2/metrics` (for selector completion),
 * `GET /api/v2/metrics/{metricKey}` (a metric's descriptor: the unit the results panel writes) and, for
 * older clusters, `POST /api/v1/timeseries/{id}`. Answers come back as data or as one readable message: an
 * ErrorEnvelope's constraint violations (with where in the selector they point, when the message says), a 404,
 * a timeout, or a body that is not the API's. A read asked to (`throttledRetries`) waits out a 429 and goes again.
 */
import type { MetricData, MetricDescriptor, MetricList, V1TimeseriesResult } from '#core/metrics/api.ts';
import { isMetricData, isV1Result } from '#core/metrics/result-model.ts';
import { rateLimitWaitMs } from '#core/push/answer.ts';
import type { Failure, Result } from '#core/result.ts';
import { createDispatcher, send, type Connection, type HttpAnswer } from './client.ts';
import { explainStatus } from './push.ts';
import { backoffMs, waitUnlessAborted } from './retry.ts';

export interface QueryRequest {
  metricSelector: string;
  from?: string;
  to?: string;
  resolution?: string;
}

/** What a read brought back: the API's answer, its body as sent, and how long it took. */
export interface Answered<T> {
  data: T;
  raw: string;
  ms: number;
}

/** Why a read brought nothing back, beyond its message. */
export interface Refusal {
  /** The parameter a constraint violation names (`metricSelector`, `from` …), and its message. */
  violations: { path: string; message: string }[];
  /** A character index into the selector, when the tenant's message gives one. */
  index: number | null;
  /** The HTTP status the tenant refused with; absent when no answer came (a timeout, DNS …). */
  status?: number;
}

export type QueryAnswer<T> = Result<Answered<T>, Refusal>;

export interface ReadOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * Times a read the tenant throttles (429) is sent again, after its X-RateLimit-Reset or else a backoff, as long as
   * the wait is at most THROTTLED_MAX_WAIT_MS (default 0: a 429 is the answer).
   */
  throttledRetries?: number;
}

/** The longest wait for a 429's reset before a read gives up (as the push: push.ts's maxWaitMs). */
const THROTTLED_MAX_WAIT_MS = 120_000;
/** The first backoff after a 429 without X-RateLimit-Reset, doubled each attempt (as the push). */
const THROTTLED_FIRST_BACKOFF_MS = 500;

export function queryMetrics(
  connection: Connection,
  request: QueryRequest,
  options: ReadOptions = {},
): Promise<QueryAnswer<MetricData>> {
  const params = new URLSearchParams({ metricSelector: request.metricSelector });
  for (const name of ['from', 'to', 'resolution'] as const)
    if (request[name]) params.set(name, request[name] as string);
  return read<MetricData>(
    connection,
    (base) => `${base}/query?${params}`,
    'GET',
    undefined,
    'metrics.read',
    options,
    isMetricData,
  );
}

export function listMetrics(
  connection: Connection,
  params: { text?: string; metricSelector?: string; writtenSince?: string; pageSize?: number; nextPageKey?: string },
  options: ReadOptions = {},
): Promise<QueryAnswer<MetricList>> {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, String(value));
  return read<MetricList>(
    connection,
    (base) => `${base}?${search}`,
    'GET',
    undefined,
    'metrics.read',
    options,
    (b) => Array.isArray((b as MetricList).metrics),
  );
}

/**
 * A metric's descriptor. `metricKey` may carry transformations (`key:splitBy("host"):max`): the tenant describes
 * the metric they make (DOC D8). Fields other than `metricId` are as the tenant gives them: read them with care.
 */
export function metricDescriptor(
  connection: Connection,
  metricKey: string,
  options: ReadOptions = {},
): Promise<QueryAnswer<Partial<MetricDescriptor>>> {
  return read<Partial<MetricDescriptor>>(
    connection,
    (base) => `${base}/${encodeURIComponent(metricKey)}`,
    'GET',
    undefined,
    'metrics.read',
    options,
    (b) => typeof (b as Partial<MetricDescriptor> | null)?.metricId === 'string',
  );
}

/** The v1 aggregation types the local tenant answers (median and percentile are refused). */
export const V1_AGGREGATIONS = ['AVG', 'SUM', 'MIN', 'MAX', 'COUNT'] as const;
export type V1Aggregation = (typeof V1_AGGREGATIONS)[number];

export interface V1Request {
  aggregationType: V1Aggregation;
  queryMode: 'series' | 'total';
  startTimestamp?: number;
  endTimestamp?: number;
  relativeTime?: string;
}

export function v1Timeseries(
  connection: Connection,
  timeseriesId: string,
  request: V1Request,
  options: ReadOptions = {},
): Promise<QueryAnswer<V1TimeseriesResult>> {
  // The v1 API lives beside v2: …/api/v1/timeseries/{id} for …/api/v2/metrics.
  const url = (base: string) =>
    `${base.replace(/\/v2\/metrics$/, '/v1/timeseries/')}${encodeURIComponent(timeseriesId)}`;
  return read<V1TimeseriesResult>(connection, url, 'POST', JSON.stringify(request), 'DataExport', options, isV1Result);
}

async function read<T>(
  connection: Connection,
  urlOf: (metricsBase: string) => string,
  method: 'GET' | 'POST',
  body: string | undefined,
  scope: string,
  options: ReadOptions,
  isShape: (body: unknown) => boolean,
): Promise<QueryAnswer<T>> {
  const base = connection.urls.metrics;
  if (!base)
    return failure(
      `${connection.urls.ingest} takes metric lines only: it has no query API (choose a SaaS, Managed or local tenant environment)`,
    );
  const url = urlOf(base);
  const dispatcher = createDispatcher(connection, 1);
  const started = performance.now();
  try {
    for (let attempt = 1; ; attempt++) {
      const sent = await send(connection, dispatcher, url, {
        method,
        body,
        contentType: 'application/json',
        signal: options.signal,
        timeoutMs: options.timeoutMs,
      });
      if (!sent.ok) return failure(sent.message);
      const answer = sent.value;
      if (answer.status === 200 && isShape(answer.json))
        return { ok: true, value: { data: answer.json as T, raw: answer.text, ms: performance.now() - started } };
      if (answer.status === 429 && attempt <= (options.throttledRetries ?? 0)) {
        const waitMs =
          rateLimitWaitMs(answer.headers['x-ratelimit-reset'], Date.now()) ??
          backoffMs(attempt, THROTTLED_FIRST_BACKOFF_MS);
        if (waitMs <= THROTTLED_MAX_WAIT_MS) {
          if (!(await waitUnlessAborted(waitMs, options.signal))) return failure('cancelled');
          continue;
        }
      }
      return { ...explainFailure(answer, url, scope), status: answer.status };
    }
  } finally {
    await dispatcher.close();
  }
}

function explainFailure(answer: HttpAnswer, url: string, scope: string): Failure<Refusal> {
  const error = (answer.json as { error?: { message?: unknown; constraintViolations?: unknown } } | undefined)?.error;
  const violations = Array.isArray(error?.constraintViolations)
    ? (error.constraintViolations as { path?: unknown; message?: unknown }[]).map((v) => ({
        path: String(v.path ?? ''),
        message: String(v.message ?? ''),
      }))
    : [];
  if (answer.status === 400 && violations.length > 0) {
    const first = violations[0] as { path: string; message: string };
    const index = /\bindex (\d+)\b/i.exec(first.message)?.[1];
    const message = violations
      .map((v) => (v.message.startsWith(`${v.path}:`) ? v.message : `${v.path}: ${v.message}`))
      .join('; ');
    return { ok: false, message, violations, index: index === undefined ? null : Number(index) };
  }
  if (answer.status === 404 && typeof error?.message === 'string') return failure(`404 ${error.message}`);
  if (answer.status === 200)
    return failure(
      `the tenant answered 200 with something that is not the API's answer (${answer.contentType || 'no content type'})`,
    );
  return failure(explainStatus(answer, url, scope));
}

function failure(message: string): Failure<Refusal> {
  return { ok: false, message, violations: [], index: null };
}
