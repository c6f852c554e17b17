/**
 * Sends planned batches (core/push/plan.ts) to a tenant, a bounded number at a time, and collects what became of every
 * line. Retries only where the lines were certainly not stored: 429 (after X-RateLimit-Reset, else a backoff
 * with jitter), 503, and connections refused. A 413 splits the batch. After a timeout or a reset the lines may
 * or may not be stored, and counts are deltas (a resend would count twice): they are reported as unknown, never
 * resent. 401, 403, 404, and failures that sent nothing (DNS, TLS, a proxy) stop the push with their cause. The
 * first request goes alone, so a push that cannot go through stops after one. Nothing is dropped silently: every
 * line ends accepted, rejected, unknown, or not sent with a reason.
 */
import type { Result } from '#core/result.ts';
import { mapIngestAnswer, rateLimitWaitMs } from '#core/push/answer.ts';
import { requestBody, type PushLine } from '#core/push/plan.ts';
import { createDispatcher, send, type Connection, type HttpAnswer, type TenantDispatcher } from './client.ts';
import { backoffMs, waitUnlessAborted } from './retry.ts';

export interface PushOptions {
  /** Requests in flight at once. */
  concurrency?: number;
  /** Time for each answer (headers, then body). */
  timeoutMs?: number;
  /** Attempts per batch for the retryable answers. */
  maxAttempts?: number;
  /** First backoff; doubled each attempt, with jitter. */
  backoffMs?: number;
  /** Longest wait for a 429's reset before giving up on that batch. */
  maxWaitMs?: number;
  signal?: AbortSignal;
  /** Lines settled so far, and in all (null when the batches come from a stream). */
  onProgress?: (doneLines: number, totalLines: number | null) => void;
  /** Called once when the push stops early (401, DNS …): a streaming producer can stop reading. */
  onStop?: (cause: string) => void;
  /** One line per request, token-free. */
  log?: (line: string) => void;
  clock?: () => number;
}

export interface LineFate {
  source: number;
  reason: string;
}

export interface PushResult {
  accepted: number;
  rejected: { source: number; error: string; column: number | null }[];
  warnings: { source: number; warning: string }[];
  /** Refused lines the tenant counted but did not list. */
  unlisted: number;
  /** Sent, but whether they were stored is not known (timeout, reset, an answer that is not one). */
  unknown: LineFate[];
  /** Certainly not stored: held after retries, refused as a request, cancelled, or after the push stopped. */
  notSent: LineFate[];
  /** Why the push stopped early (401, 403, 404, DNS, TLS, proxy), or null. */
  stopped: string | null;
  requests: number;
  retries: number;
}

/**
 * Sends `batches`, an array or a stream of them (a file planned as it is read: sending starts with the first
 * batch, and requests stay in flight while the rest is planned).
 */
export async function pushBatches(
  connection: Connection,
  batches: Iterable<PushLine[]> | AsyncIterable<PushLine[]>,
  options: PushOptions = {},
): Promise<PushResult> {
  const concurrency = options.concurrency ?? 4;
  const dispatcher = createDispatcher(connection, concurrency);
  try {
    return await new BatchPusher(connection, dispatcher, options).run(batches, concurrency);
  } finally {
    await dispatcher.close();
  }
}

/** A push that has sent nothing yet: what a BatchPusher starts from, and what a push that sends nothing reports. */
export function nothingSent(): PushResult {
  return {
    accepted: 0,
    rejected: [],
    warnings: [],
    unlisted: 0,
    unknown: [],
    notSent: [],
    stopped: null,
    requests: 0,
    retries: 0,
  };
}

class BatchPusher {
  private readonly result: PushResult = nothingSent();
  /** Halves of batches split after a 413, sent before the next new batch. */
  private readonly splits: PushLine[][] = [];
  private source: Iterator<PushLine[]> | AsyncIterator<PushLine[]> | null = null;
  private done = 0;
  private total: number | null = null;

  constructor(
    private readonly connection: Connection,
    private readonly dispatcher: TenantDispatcher,
    private readonly options: PushOptions,
  ) {}

  async run(batches: Iterable<PushLine[]> | AsyncIterable<PushLine[]>, concurrency: number): Promise<PushResult> {
    if (Array.isArray(batches)) this.total = (batches as PushLine[][]).reduce((n, b) => n + b.length, 0);
    this.source = Symbol.asyncIterator in batches ? batches[Symbol.asyncIterator]() : batches[Symbol.iterator]();
    // The first request alone: a connection that fails (TLS, a proxy, a token refused) stops the push after one
    // request, not after one per worker.
    await this.work(1);
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, () => this.work()));
    // Stopped or cancelled: whatever was not sent yet is reported, never dropped.
    const reason = this.result.stopped ? `not sent: the push stopped (${this.result.stopped})` : 'not sent: cancelled';
    for (let batch = await this.next(); batch; batch = await this.next()) this.settle(batch, 'notSent', reason);
    return this.result;
  }

  private async next(): Promise<PushLine[] | undefined> {
    const split = this.splits.shift();
    if (split) return split;
    const item = await (this.source as AsyncIterator<PushLine[]>).next();
    return item.done ? undefined : item.value;
  }

  /** Sends batches one after another until none is left, the push stops, or `limit` were sent. */
  private async work(limit = Infinity): Promise<void> {
    for (let sent = 0; sent < limit && !this.result.stopped && !this.options.signal?.aborted; sent++) {
      const batch = await this.next();
      if (!batch) return;
      if (this.result.stopped || this.options.signal?.aborted) {
        this.splits.unshift(batch);
        return;
      }
      await this.sendBatch(batch);
    }
  }

  private async sendBatch(batch: PushLine[]): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const url = this.connection.urls.ingest;
    const body = requestBody(batch);
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      this.result.requests++;
      const sent = await send(this.connection, this.dispatcher, url, {
        method: 'POST',
        body,
        signal: this.options.signal,
        timeoutMs: this.options.timeoutMs,
      });
      const took = `${(performance.now() - started).toFixed(0)} ms`;
      if (!sent.ok) {
        this.log(`POST ${url}: ${sent.message} (${batch.length} lines, ${took})`);
        if (sent.cause === 'cancelled')
          return this.settle(batch, 'unknown', 'cancelled while in flight: the tenant may have stored these lines');
        if (sent.phase === 'unknown')
          return this.settle(
            batch,
            'unknown',
            `${sent.message}: the tenant may have stored these lines; not resent, since a resend would count them twice`,
          );
        if (sent.cause === 'refused' && attempt < maxAttempts) {
          this.result.retries++;
          if (!(await this.wait(this.backoff(attempt)))) return this.settle(batch, 'notSent', 'not sent: cancelled');
          continue;
        }
        this.stop(sent.message);
        return this.settle(batch, 'notSent', `not sent: ${sent.message}`);
      }
      const answer = sent.value;
      this.log(
        `POST ${url} → ${answer.status} (${batch.length} lines, ${body.length.toLocaleString('en-US')} bytes, ${took})`,
      );
      const mapped = answer.status < 500 ? mapIngestAnswer(batch, answer.json) : null;
      if ((answer.status >= 200 && answer.status < 300) || (answer.status === 400 && mapped)) {
        if (!mapped)
          return this.settle(
            batch,
            'unknown',
            `the tenant answered ${answer.status} with ${describeBody(answer)}, not a validation response`,
          );
        this.result.accepted += mapped.accepted ?? (answer.status === 202 ? batch.length : 0);
        this.result.rejected.push(...mapped.rejected);
        this.result.warnings.push(...mapped.warnings);
        this.result.unlisted += mapped.unlisted;
        return this.progress(batch);
      }
      if (answer.status === 413) {
        if (batch.length === 1)
          return this.settle(batch, 'notSent', 'not sent: 413, the line alone is larger than the tenant takes');
        const half = Math.ceil(batch.length / 2);
        this.splits.unshift(batch.slice(0, half), batch.slice(half));
        return;
      }
      if ((answer.status === 429 || answer.status === 503) && attempt < maxAttempts) {
        const reset =
          answer.status === 429
            ? rateLimitWaitMs(answer.headers['x-ratelimit-reset'], (this.options.clock ?? Date.now)())
            : null;
        const waitMs = reset ?? this.backoff(attempt);
        if (waitMs <= (this.options.maxWaitMs ?? 120_000)) {
          this.result.retries++;
          if (!(await this.wait(waitMs))) return this.settle(batch, 'notSent', 'not sent: cancelled');
          continue;
        }
      }
      const cause = explainStatus(answer, url);
      if ([401, 403, 404, 405, 407, 415].includes(answer.status)) {
        this.stop(cause);
        return this.settle(batch, 'notSent', `not sent: ${cause}`);
      }
      if (answer.status === 429 || answer.status === 503 || answer.status < 500)
        return this.settle(batch, 'notSent', `not sent: ${cause}`);
      return this.settle(batch, 'unknown', `${cause}: the tenant may have stored these lines; not resent`);
    }
  }

  private settle(batch: PushLine[], fate: 'unknown' | 'notSent', reason: string): void {
    for (const line of batch) this.result[fate].push({ source: line.source, reason });
    this.progress(batch);
  }

  private progress(batch: PushLine[]): void {
    this.done += batch.length;
    this.options.onProgress?.(this.done, this.total);
  }

  private stop(cause: string): void {
    if (this.result.stopped) return;
    this.result.stopped = cause;
    this.options.onStop?.(cause);
  }

  private backoff(attempt: number): number {
    return backoffMs(attempt, this.options.backoffMs ?? 500);
  }

  /** Waits, unless cancelled first (false). */
  private wait(ms: number): Promise<boolean> {
    return waitUnlessAborted(ms, this.options.signal);
  }

  private log(line: string): void {
    this.options.log?.(this.dispatcher.redactor.redact(line));
  }
}

/** A status the push cannot go on with, as a cause a user can act on. */
export function explainStatus(answer: HttpAnswer, url: string, scope = 'metrics.ingest'): string {
  const message = (answer.json as { error?: { message?: unknown } } | undefined)?.error?.message;
  const said = typeof message === 'string' ? `: ${message}` : '';
  switch (answer.status) {
    case 401:
      return `401 token invalid, expired or missing${said}`;
    case 403:
      return `403 the token lacks the ${scope} scope${said}`;
    case 404:
    case 405:
      return `${answer.status} no such API at ${url}: check the environment URL${said}`;
    case 407:
      return `407 a proxy on the way asks for credentials: give them in the proxy URL, http://user:password@host:port${said}`;
    case 413:
      return `413 payload too large${said}`;
    case 415:
      return `415 the tenant refused the content type${said}`;
    case 429:
      return `429 throttled by the tenant; gave up waiting${said}`;
    case 503:
      return `503 the tenant is unavailable; gave up after retrying${said}`;
    default:
      return `${answer.status}${said || ` with ${describeBody(answer)}`}`;
  }
}

function describeBody(answer: HttpAnswer): string {
  if (answer.text.trim() === '') return 'an empty body';
  const type = answer.contentType.split(';')[0] || 'no content type';
  return `${type} (${answer.text.slice(0, 60).replace(/\s+/g, ' ').trim()}${answer.text.length > 60 ? '…' : ''})`;
}

/**
 * "Test connection": posts an empty body to the ingest endpoint, which a tenant checks for the token and scope
 * before it reads any line, and names the cause of a failure (DNS, refused, TLS, proxy, 401, 403, 404). The value
 * says what the tenant accepts.
 */
export async function testConnection(connection: Connection, timeoutMs = 10_000): Promise<Result<string>> {
  const dispatcher = createDispatcher(connection, 1);
  try {
    const url = connection.urls.ingest;
    const sent = await send(connection, dispatcher, url, { method: 'POST', body: '', timeoutMs });
    if (!sent.ok) return { ok: false, message: sent.message };
    const answer = sent.value;
    // Past the token and scope checks, a tenant answers an empty body with a validation response or an
    // ErrorEnvelope about the body: either way, JSON.
    if ((answer.status === 202 || answer.status === 400 || answer.status === 200) && answer.json !== undefined) {
      return { ok: true, value: `${new URL(url).host} accepts metric lines with this token (${answer.status})` };
    }
    return { ok: false, message: explainStatus(answer, url) };
  } finally {
    await dispatcher.close();
  }
}
