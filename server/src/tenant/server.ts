/**
 * The local tenant: an HTTP server on 127.0.0.1 that speaks the Metrics API (PROTOCOL §6, §7) with the core's
 * rules, so pushing and querying work and are tested with no Dynatrace account. A thin adapter: routes, tokens,
 * bodies and the data file here; validation, storage and queries in server/src/core/metrics/.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MIMEType } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { decodeOtlpProtobuf } from '#core/convert/otlp-decode.ts';
import {
  admitIngest,
  applyRecords,
  checkIngest,
  type CheckedIngest,
  type IngestAnswer,
  type IngestEndpoint,
} from '#core/metrics/ingest.ts';
import { jsonToLine } from '#core/json-line.ts';
import { KnownPrefixes } from '#core/metrics/known-prefixes.ts';
import { checkOtlpIngest, otlpAnswer } from '#core/metrics/otlp-ingest.ts';
import type { ConversionNote } from '#core/convert/model.ts';
import {
  Journal,
  JOURNAL_DEFAULTS,
  type JournalEntry,
  type JournalInput,
  type JournalProblem,
} from '#core/metrics/journal.ts';
import { evaluateQuery, metricDataCsv, metricDataJson, type QueryParams } from '#core/metrics/evaluate.ts';
import { describeMetric, listMetrics } from '#core/metrics/list.ts';
import { constraintViolated } from '#core/metrics/response.ts';
import { v1Timeseries } from '#core/metrics/v1.ts';
import { MetricStore } from '#core/metrics/store.ts';
import { LIMITS, TENANT } from '#core/rules.ts';
import type { Result } from '#core/result.ts';
import { Redactor } from '#core/redact.ts';
import { DAY } from '#core/time.ts';
import { CONTROL_PATHS, SECRET_HEADER } from '#core/tenant-control.ts';
import { apiTokenMetadata, MALFORMED_AUTHORIZATION, requestToken } from './api-tokens.ts';
import { InstanceControl, type ControlOptions } from './control.ts';
import { DataFile, type LoadReport } from './data-file.ts';
import { FaultQueue, readFault, type Fault } from './faults.ts';
import { describeStatsd, startStatsdListener, type StatsdListener } from './statsd.ts';

/** Token scopes the local tenant checks (DOC D10); v1 timeseries reads need `DataExport`. */
export const SCOPES = ['metrics.ingest', 'metrics.read', 'DataExport'] as const;
export type Scope = (typeof SCOPES)[number];

/** A request that suffers no fault (injection off, or the control path). */
const NO_FAULT: Result<Fault | null> = { ok: true, value: null };

export interface TenantOptions {
  /** 0: any free port. */
  port: number;
  /** The data file to replay and append to; null keeps data in memory only. */
  dataFile: string | null;
  /** Tokens and their scopes. Empty: no token is asked for (a local convenience). */
  tokens: ReadonlyMap<string, ReadonlySet<Scope>>;
  /** Accept fault injection (tests only). */
  faults: boolean;
  maxSeries?: number;
  /** The log's size past which the data file is compacted; by default an eighth of the snapshot, at least 16 MiB. */
  compactLogBytes?: number;
  /** Epoch ms; the clock by default. */
  clock?: () => number;
  /** One line per request and event; tokens never appear in it. */
  log?: (line: string) => void;
  /** Stop and lease requests (control.ts); null: the tenant answers who it is, and takes neither. */
  control?: ControlOptions | null;
  /** The StatsD listener (statsd.ts) on UDP `port` (0: any free one); null or absent: none. */
  statsd?: { port: number; flushMs: number } | null;
  /** Each request as the ingest journal records it (`dtmetrics serve --tail`). */
  onJournal?: (entry: JournalEntry) => void;
  /**
   * The host a OneAgent would add as `dt.entity.host` to what `/metrics/ingest` and StatsD take (core/metrics/
   * host-entity.ts); null or absent: none, as on the ingest API.
   */
  hostEntity?: string | null;
}

export interface Tenant {
  url: string;
  port: number;
  store: MetricStore;
  /** What the data file held at start; null without one. */
  loaded: LoadReport | null;
  /** Null when not asked for, or when its port could not be had (the log says why). */
  statsd: StatsdListener | null;
  close(): Promise<void>;
}

/**
 * `stream`: a body written as it is made (pieces of text; `undefined` between slices of work), JSON unless `headers`
 * say otherwise. `afterSent`: what to do once the answer is sent (a stop, after its 202 has gone out).
 */
type Answer = {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  stream?: Iterator<string | undefined>;
  afterSent?: () => void;
};

const JSON_TYPE = 'application/json; charset=utf-8';
/** Managed and ActiveGate URLs carry `/e/{environment-id}` before `/api` (PROTOCOL §6.1): served the same. */
const ENVIRONMENT_PREFIX = /^\/e\/[^/]+(?=\/)/;
/**
 * Platform clients (the official SDK `@dynatrace-sdk/client-classic-environment-v2`) reach the Environment API v2
 * under `/platform/classic/environment-api/v2/…`: served as `/api/v2/…`.
 */
const PLATFORM_CLASSIC_V2 = /^\/platform\/classic\/environment-api(?=\/v2\/)/;
/**
 * What `GET /api/v1/config/clusterversion` answers (`{"version": …}`, DOC D19), in a
 * cluster's MAJOR.MINOR.PATCH.DATE form (as Dynatrace's monaco parses it): a 2026 release, no older than any
 * client asks for (the Managed MCP server requires 1.328.0 and calls an environment below it invalid).
 */
const CLUSTER_VERSION = '1.330.0.20260105-120000';
/** The APIs a 404 lists. */
const SERVED = [
  '/api/v2/metrics/ingest',
  '/api/v2/otlp/v1/metrics',
  '/metrics/ingest',
  '/api/v2/metrics[/query|/{selector}]',
  '/api/v1/timeseries[/{id}]',
  '/api/v1/config/clusterversion',
  '/api/v2/apiTokens/lookup',
].join(', ');

function errorEnvelope(code: number, message: string): Answer {
  return { status: code, body: { error: { code, message } } };
}

export async function startTenant(options: TenantOptions): Promise<Tenant> {
  const clock = options.clock ?? Date.now;
  const log = options.log ?? (() => undefined);
  const hostEntity = options.hostEntity ?? null;
  const store = new MetricStore(options.maxSeries ? { maxSeries: options.maxSeries } : {});
  const journal = new Journal(JOURNAL_DEFAULTS, (text) => redactor.redact(text));
  /** The clean line prefixes of the OTLP endpoint's converted lines: each series' prefix is checked in full once. */
  const otlpPrefixes = new KnownPrefixes();
  /** The requests the journal has an entry for already (the others at an ingest endpoint get one for their answer). */
  const journaled = new WeakSet<IncomingMessage>();
  /** Long-poll readers of the journal, answered at the next entry. */
  let journalWaiters: (() => void)[] = [];
  const record = (input: JournalInput): void => {
    const entry = journal.add(input);
    options.onJournal?.(entry);
    const waiting = journalWaiters;
    journalWaiters = [];
    for (const wake of waiting) wake();
  };
  /** A request at an ingest endpoint answered before it was read (a token, a content type, a size): its entry. */
  const journalRefusal = (req: IncomingMessage, path: string, answer: Answer): void => {
    const error = (answer.body as { error?: { message?: unknown } } | undefined)?.error;
    record({
      ...heard(req, clock(), Number(req.headers['content-length']) || 0),
      endpoint: path === '/metrics/ingest' ? 'oneagent' : path === OTLP_PATH ? 'otlp' : 'lines',
      status: answer.status,
      accepted: 0,
      rejected: 0,
      dropped: 0,
      lines: [],
      problems: [{ line: 0, kind: 'rejected', reason: String(error?.message ?? `answered ${answer.status}`) }],
    });
  };
  /** What the journal says of a request that came over HTTP: when, from whom, how much; it has an entry now. */
  const heard = (req: IncomingMessage, at: number, bytes: number) => {
    journaled.add(req);
    return { at, client: req.socket.remoteAddress ?? '', userAgent: req.headers['user-agent'] ?? null, bytes };
  };
  const opened = options.dataFile
    ? await DataFile.open(options.dataFile, store, clock(), { compactLogBytes: options.compactLogBytes ?? null, log })
    : null;
  const dataFile = opened?.file ?? null;
  const loaded = opened?.report ?? null;
  if (options.dataFile && loaded) for (const line of describeLoad(options.dataFile, loaded, store)) log(line);
  /**
   * What changes the store runs one at a time: a batch is admitted against the store as it is, written to the data
   * file, and only then applied, so queries never see what is not durable and a failed write leaves nothing behind;
   * compactions run between batches.
   */
  let changes: Promise<unknown> = Promise.resolve();
  /** Set by close(): no compaction is started after it, and close() waits for every change already queued. */
  let closing = false;
  const serially = <T>(change: () => Promise<T>): Promise<T> => {
    const next = changes.then(change);
    changes = next.catch(() => undefined);
    return next;
  };
  const compactSoon = () => {
    if (!closing && dataFile?.wantsCompaction) void serially(() => compact(dataFile));
  };
  const storeBatch = async (checked: CheckedIngest, now: number): Promise<IngestAnswer> => {
    const answer = admitIngest(store, checked);
    await dataFile?.append(now, answer.records);
    applyRecords(store, answer.records);
    compactSoon();
    return answer;
  };
  const compact = async (file: DataFile): Promise<void> => {
    if (!file.wantsCompaction) return;
    log(`data file ${file.path}: compacting (${file.size.toLocaleString('en-US')} bytes)`);
    const started = performance.now();
    try {
      await file.compact(store, clock());
      log(
        `data file ${file.path}: compacted to ${file.size.toLocaleString('en-US')} bytes in ${(performance.now() - started).toFixed(0)} ms`,
      );
    } catch (error) {
      log(`data file ${file.path}: compaction failed, the log goes on: ${(error as Error).message}`);
    }
  };
  const faults = new FaultQueue();
  const startedAt = new Date(clock()).toISOString();
  let url = '';
  const control = new InstanceControl(
    options.control ?? null,
    () => ({ url, dataFile: options.dataFile, startedAt }),
    log,
  );
  // A token or the control secret put in a path (by mistake, or to probe) is neither logged nor echoed: the path as
  // shown passes this.
  const redactor = new Redactor([...options.tokens.keys(), ...(options.control ? [options.control.secret] : [])]);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let path: string;
    try {
      // Decoded once here: a metric key in the path may be escaped (`%3A`); a broken escape is the client's mistake.
      path = decodeURIComponent(url.pathname.replace(ENVIRONMENT_PREFIX, '').replace(PLATFORM_CLASSIC_V2, '/api'));
    } catch {
      const shown = redactor.redact(url.pathname);
      const answer = errorEnvelope(400, `The path ${shown} is not valid percent-encoding`);
      log(`${req.method} ${shown} 400`);
      return send(res, answer);
    }
    const shownPath = redactor.redact(path);
    const found = options.faults ? faultFor(req, path) : NO_FAULT;
    if (!found.ok) return send(res, errorEnvelope(400, found.message));
    const fault = found.value;
    if (fault?.reset === 'before-body') {
      log(`${req.method} ${shownPath}: connection reset before the body (fault)`);
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      await discardBody(req);
      const body = fault.body ?? { error: { code: fault.status, message: `Injected fault ${fault.status}` } };
      return send(res, {
        status: fault.status,
        body,
        headers: { ...(fault.contentType ? { 'Content-Type': fault.contentType } : {}), ...fault.headers },
      });
    }
    const routed = await route(req, url, path);
    if (INGEST_PATHS.has(path) && !journaled.has(req)) journalRefusal(req, path, routed);
    // An error may quote the path (a metric key, an unknown API): a token in it is not echoed.
    const answer =
      routed.status >= 400
        ? { ...routed, body: JSON.parse(redactor.redact(JSON.stringify(routed.body ?? null))) as unknown }
        : routed;
    if (fault?.slowMs) await delay(fault.slowMs);
    if (fault?.reset === 'after-body') {
      log(`${req.method} ${shownPath}: connection reset after the body was handled (fault)`);
      req.socket.destroy();
      return;
    }
    // On 'close', which follows the answer's end and also a client that hung up first (then no 'finish' comes).
    if (answer.afterSent) {
      if (res.closed) answer.afterSent();
      else res.once('close', answer.afterSent);
    }
    if (answer.stream)
      await sendStream(res, answer.status, answer.headers?.['Content-Type'] ?? JSON_TYPE, answer.stream);
    else send(res, answer);
    log(`${req.method} ${shownPath} ${answer.status} ${(performance.now() - started).toFixed(1)} ms`);
  };

  /** The fault this request suffers (from its header, else the queue), or what is wrong with its header. */
  const faultFor = (req: IncomingMessage, path: string): Result<Fault | null> => {
    const header = req.headers['x-dtmetrics-fault'];
    if (typeof header === 'string') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(header);
      } catch {
        return { ok: false, message: 'X-Dtmetrics-Fault is not JSON' };
      }
      const fault = readFault(parsed);
      return fault.ok ? fault : { ok: false, message: `X-Dtmetrics-Fault: ${fault.message}` };
    }
    return path.startsWith('/_dtmetrics/') ? NO_FAULT : { ok: true, value: faults.take(path) };
  };

  const route = async (req: IncomingMessage, url: URL, path: string): Promise<Answer> => {
    const method = req.method ?? 'GET';
    if (options.faults && path === '/_dtmetrics/faults') {
      if (method === 'DELETE') return (faults.clear(), { status: 204, body: null });
      if (method !== 'POST') return errorEnvelope(405, `Method ${method} not allowed`);
      const body = await readBody(req, LIMITS.requestMaxBytes);
      if (body === 'too-large') return errorEnvelope(413, 'Payload too large');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return errorEnvelope(400, 'The faults are not JSON');
      }
      const problem = faults.push(parsed);
      return problem ? errorEnvelope(400, problem) : { status: 204, body: null };
    }
    if (path === CONTROL_PATHS.instance) {
      if (method !== 'GET')
        return (await discardBody(req), errorEnvelope(405, `Method ${method} not allowed; use GET`));
      return { status: 200, body: control.describe() };
    }
    if (path === CONTROL_PATHS.stop || path === CONTROL_PATHS.lease) {
      await discardBody(req);
      if (method !== 'POST') return errorEnvelope(405, `Method ${method} not allowed; use POST`);
      const refused = control.refusal(req.headers[SECRET_HEADER.toLowerCase()]);
      if (refused) return errorEnvelope(403, refused);
      if (path === CONTROL_PATHS.lease) return (control.renew(), { status: 200, body: control.describe() });
      return {
        status: 202,
        body: { ...control.describe(), stopping: true },
        afterSent: () => control.stop('stopping: asked by POST /_dtmetrics/stop'),
      };
    }
    if (path === CONTROL_PATHS.journal) {
      await discardBody(req);
      if (method !== 'GET') return errorEnvelope(405, `Method ${method} not allowed; use GET`);
      // The lines sent are data: read with the scope a query needs, when the tenant asks for tokens at all.
      const denied = authorize(req, url, 'metrics.read');
      if (denied) return denied;
      const since = journalParameter(url, 'since', Number.MAX_SAFE_INTEGER);
      const wait = journalParameter(url, 'wait', JOURNAL_WAIT_MAX_SECONDS);
      const limit = journalParameter(url, 'limit', JOURNAL_DEFAULTS.capacity);
      if (since === null || wait === null || limit === null)
        return errorEnvelope(
          400,
          `since takes the id of the last entry seen (0: from the first), wait a number of seconds up to ${JOURNAL_WAIT_MAX_SECONDS}, limit the most entries to answer (the newest), up to ${JOURNAL_DEFAULTS.capacity}`,
        );
      if (journal.since(since).length === 0 && wait > 0)
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            journalWaiters = journalWaiters.filter((waiter) => waiter !== wake);
            req.socket.off('close', wake);
            resolve();
          };
          const timer = setTimeout(wake, wait * 1000);
          journalWaiters.push(wake);
          // Taken off again when woken: a kept-alive connection carries many polls.
          req.socket.once('close', wake);
        });
      // The instance tells a reader that another tenant answers now: its ids began again at 1.
      return {
        status: 200,
        body: {
          instance: control.describe().instance,
          entries: journal.since(since).slice(-(limit || JOURNAL_DEFAULTS.capacity)),
        },
      };
    }
    if (path === CONTROL_PATHS.statsd || path === CONTROL_PATHS.statsdFlush) {
      await discardBody(req);
      const want = path === CONTROL_PATHS.statsd ? 'GET' : 'POST';
      if (method !== want) return errorEnvelope(405, `Method ${method} not allowed; use ${want}`);
      if (!statsd)
        return errorEnvelope(404, 'This local tenant has no StatsD listener (--no-statsd, or its port was in use)');
      return { status: 200, body: want === 'GET' ? describeStatsd(statsd) : await statsd.flush() };
    }
    if (path === '/api/v2/metrics/ingest' || path === '/metrics/ingest') {
      if (method !== 'POST') return errorEnvelope(405, `Method ${method} not allowed; use POST`);
      const endpoint: IngestEndpoint = path === '/metrics/ingest' ? 'oneagent' : 'api';
      const denied = endpoint === 'api' ? authorize(req, url, 'metrics.ingest') : null;
      if (denied) return (await discardBody(req), denied);
      const unsupported = unsupportedIngestBody(req);
      if (unsupported) return refuseIngestBody(req, unsupported);
      const body = await readBody(req, LIMITS.requestMaxBytes);
      if (body === 'too-large')
        return errorEnvelope(
          413,
          `Payload too large: the limit is ${LIMITS.requestMaxBytes.toLocaleString('en-US')} bytes`,
        );
      const now = clock();
      const checked = checkIngest(body, now, endpoint, endpoint === 'oneagent' ? hostEntity : null);
      const stored = await storeLines(checked, now);
      if ('failed' in stored) return stored.failed;
      const { status, body: answer } = stored.answer;
      record({
        ...heard(req, now, Buffer.byteLength(body)),
        endpoint: endpoint === 'oneagent' ? 'oneagent' : 'lines',
        status,
        ...ingestOutcome(checked, stored.answer),
      });
      return { status, body: answer };
    }
    if (path === OTLP_PATH) {
      if (method !== 'POST') return errorEnvelope(405, `Method ${method} not allowed; use POST`);
      const denied = authorize(req, url, 'metrics.ingest');
      if (denied) return (await discardBody(req), denied);
      const unsupported = unsupportedOtlpBody(req);
      if (unsupported) return (await discardBody(req), unsupported);
      const read = await readOtlpBody(req);
      if (!('wireBytes' in read)) return read;
      const decoded = decodeOtlpProtobuf(read.body);
      if (!decoded.ok)
        return errorEnvelope(400, `The body is not an OTLP ExportMetricsServiceRequest: ${decoded.message}`);
      const now = clock();
      const checked = checkOtlpIngest(decoded.value, now, otlpPrefixes);
      if (!checked.ok) return errorEnvelope(checked.status, checked.message);
      const stored = await storeLines(checked.checked, now);
      if ('failed' in stored) return stored.failed;
      const answer = otlpAnswer(checked, stored.answer);
      record({
        ...heard(req, now, read.wireBytes),
        endpoint: 'otlp',
        status: answer.status,
        ...ingestOutcome(checked.checked, stored.answer, checked.skipped),
      });
      return answer.status === 200
        ? { status: 200, body: answer.body, headers: { 'Content-Type': PROTOBUF } }
        : errorEnvelope(400, answer.message);
    }
    if (path === '/api/v2/metrics/query' || path === '/api/v2/metrics' || path.startsWith('/api/v2/metrics/')) {
      if (method !== 'GET') return errorEnvelope(405, `Method ${method} not allowed; use GET`);
      const denied = authorize(req, url, 'metrics.read');
      if (denied) return denied;
      const params = Object.fromEntries([...url.searchParams].filter(([name]) => name !== 'api-token'));
      if (path === '/api/v2/metrics/query') {
        const media = queryMediaType(req.headers.accept);
        return media ? answerQuery(store, params, clock(), media) : errorEnvelope(406, NOT_ACCEPTABLE);
      }
      if (path === '/api/v2/metrics') return listMetrics(store, params, clock());
      return describeMetric(store, path.slice('/api/v2/metrics/'.length));
    }
    if (path === '/api/v1/timeseries' || path.startsWith('/api/v1/timeseries/')) {
      if (method !== 'POST')
        return errorEnvelope(
          405,
          `Method ${method} not allowed; the local tenant serves the v1 timeseries query as POST`,
        );
      const denied = authorize(req, url, 'DataExport');
      if (denied) return (await discardBody(req), denied);
      const body = await readJsonBody(req);
      if ('status' in body) return body;
      // Without an identifier in the path, the body's timeseriesId names the metric (the older form of the call).
      return v1Timeseries(
        store,
        path === '/api/v1/timeseries' ? null : path.slice('/api/v1/timeseries/'.length),
        body.json,
        clock(),
      );
    }
    if (path === '/api/v1/config/clusterversion') {
      if (method !== 'GET') return errorEnvelope(405, `Method ${method} not allowed; use GET`);
      return authorize(req, url, 'DataExport') ?? { status: 200, body: { version: CLUSTER_VERSION } };
    }
    if (path === '/api/v2/apiTokens/lookup') {
      if (method !== 'POST') return errorEnvelope(405, `Method ${method} not allowed; use POST`);
      const denied = authorize(req, url, 'any');
      if (denied) return (await discardBody(req), denied);
      const body = await readJsonBody(req);
      const caller = requestToken(req.headers.authorization, url.searchParams.get('api-token'));
      return 'status' in body ? body : lookUpToken(body.json, caller && 'token' in caller ? caller.token : null);
    }
    await discardBody(req);
    return errorEnvelope(
      404,
      `No API at ${path}: the local tenant serves ${SERVED}, also under /e/{environment-id}, and the v2 APIs under /platform/classic/environment-api/v2 too`,
    );
  };

  /** Stores checked lines (storeBatch), or the 500 answer when the data file could not be written. */
  const storeLines = async (
    checked: CheckedIngest,
    now: number,
  ): Promise<{ answer: IngestAnswer } | { failed: Answer }> => {
    try {
      return { answer: await serially(() => storeBatch(checked, now)) };
    } catch (error) {
      log(`data file write failed, nothing of the request stored: ${(error as Error).message}`);
      return {
        failed: errorEnvelope(
          500,
          `The local tenant could not write its data file, so nothing of this request was stored: ${(error as Error).message}`,
        ),
      };
    }
  };

  /** A JSON request body ({} when empty), or the 413 or 400 answer for it. */
  const readJsonBody = async (req: IncomingMessage): Promise<{ json: unknown } | Answer> => {
    const body = await readBody(req, LIMITS.requestMaxBytes);
    if (body === 'too-large') return errorEnvelope(413, 'Payload too large');
    if (body.trim() === '') return { json: {} };
    try {
      return { json: JSON.parse(body) as unknown };
    } catch {
      return errorEnvelope(400, 'The request body is not JSON');
    }
  };

  /** When the tokens were made, for the lookup's creationDate: when the tenant started. */
  const tokensCreated = clock();
  /**
   * `POST /api/v2/apiTokens/lookup`: the metadata of the token in the body (ApiTokenSecret). Only of the token the
   * request is made with: the tenant has no `apiTokens.read` scope, which a real tenant needs to look up others, and
   * an answer about another token would tell whether a guess is one of this tenant's.
   */
  const lookUpToken = (body: unknown, caller: string | null): Answer => {
    const token = typeof body === 'object' && body !== null && 'token' in body ? body.token : undefined;
    if (typeof token !== 'string' || token === '')
      return constraintViolated('token', 'token: the API token to look up is required', 'PAYLOAD_BODY').response;
    if (options.tokens.size === 0) return { status: 200, body: apiTokenMetadata(token, SCOPES, null, tokensCreated) };
    if (token !== caller)
      return errorEnvelope(
        403,
        'The local tenant looks up only the token the request is made with (a real tenant needs the apiTokens.read scope for others).',
      );
    // The caller passed authorize, so its token is one of this tenant's.
    const ordinal = [...options.tokens.keys()].indexOf(token) + 1;
    return { status: 200, body: apiTokenMetadata(token, options.tokens.get(token) ?? [], ordinal, tokensCreated) };
  };

  /**
   * 401 without or with an unknown token, or with an Authorization header not of the form `Api-Token <token>`
   * (saying so), 403 without the scope (DOC D10, D12); null when allowed. `any`: a token with any scope will do.
   */
  const authorize = (req: IncomingMessage, url: URL, scope: Scope | 'any'): Answer | null => {
    if (options.tokens.size === 0) return null;
    const found = requestToken(req.headers.authorization, url.searchParams.get('api-token'));
    if (!found) return errorEnvelope(401, 'Missing authorization parameter.');
    if ('malformed' in found) return errorEnvelope(401, MALFORMED_AUTHORIZATION);
    const scopes = options.tokens.get(found.token);
    if (!scopes) return errorEnvelope(401, 'Token Authentication failed');
    if (scope === 'any' ? scopes.size === 0 : !scopes.has(scope))
      return errorEnvelope(
        403,
        `Token is missing required scope. Use one of: ${scope === 'any' ? SCOPES.join(', ') : scope}`,
      );
    return null;
  };

  let statsd: StatsdListener | null = null;
  /**
   * The listener, or null with one line said: a port taken (a OneAgent, another local tenant) leaves the tenant
   * serving HTTP, so a second `dtmetrics serve` still starts.
   */
  const startStatsd = async (settings: { port: number; flushMs: number }): Promise<StatsdListener | null> => {
    const store = async (lines: string, now: number, skipped: readonly ConversionNote[]) => {
      const checked = checkIngest(lines, now, 'api', hostEntity);
      const answer = await serially(() => storeBatch(checked, now));
      record({
        at: now,
        client: 'StatsD over UDP',
        userAgent: null,
        bytes: Buffer.byteLength(lines),
        endpoint: 'statsd',
        status: 0,
        ...ingestOutcome(checked, answer, skipped),
        // A flush of datagrams none of which was converted has no lines (not one empty line).
        ...(lines === '' ? { lines: [] } : {}),
      });
      return answer;
    };
    try {
      return await startStatsdListener({ ...settings, clock, log, store });
    } catch (error) {
      const inUse = (error as { code?: string }).code === 'EADDRINUSE';
      log(
        `StatsD off: UDP port ${settings.port} on 127.0.0.1 ${inUse ? 'is in use' : `cannot be had (${(error as Error).message})`}; serving HTTP without StatsD (choose another port with --statsd-port, 0 for any free one)`,
      );
      return null;
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`internal error: ${(error as Error).message}`);
      if (!res.headersSent) send(res, errorEnvelope(500, 'Internal error of the local tenant'));
      else res.destroy();
    });
  });
  // Keep-alive sockets must not hold the process open once close() is called.
  server.keepAliveTimeout = 5_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await dataFile?.close();
    throw error;
  }
  // A log left long by a crash is compacted once the tenant listens, not before.
  compactSoon();
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  statsd = options.statsd ? await startStatsd(options.statsd) : null;
  control.renew();
  return {
    url,
    port,
    store,
    loaded,
    statsd,
    close: async () => {
      control.close();
      // What the listener holds is stored before the store closes (and before waiting readers are answered).
      await statsd?.close();
      for (const wake of journalWaiters) wake();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      closing = true;
      // A change may queue another (a batch its compaction): wait until none is left.
      for (let seen = null as Promise<unknown> | null; seen !== changes; ) await (seen = changes);
      await dataFile?.close();
    },
  };
}

/**
 * How much of a body the tenant reads and drops when it will not serve the request (401, 403, 404, 413, 415, an
 * injected fault), so a client that sent a whole batch gets the answer on a connection it can reuse: one
 * request's worth. Past it the tenant stops reading, and send() closes the connection after the answer: an
 * endless chunked body is not read forever.
 */
const DRAIN_MAX_BYTES = LIMITS.requestMaxBytes;

/** What the ingest API is sent (DOC D2, the OpenAPI spec's one request content type; every client, PROTOCOL §6.1). */
const SEND_TEXT_PLAIN = 'send text/plain; charset=utf-8';

/** A refused ingest body: the 415, and whether its media type was the reason (the body may then be JSON). */
interface IngestRefusal {
  answer: Answer;
  mediaType: boolean;
}

/**
 * 415 for an ingest body the tenant would have to guess at, or null:
 * - the media type is parsed (WHATWG MIME: case, parameters, quotes), so `text/plain-evil` is not `text/plain`;
 * - no Content-Type: every client sends one (PROTOCOL §6.1) and what a real tenant does without it is unobserved,
 *   so the local tenant takes the strict reading and names the header to send;
 * - a charset other than UTF-8: the lines are read as UTF-8, and a Latin-1 `é` read so would be stored wrongly;
 * - a Content-Encoding other than identity (RFC 9110 §8.4: 415, and Accept-Encoding says what is taken): the
 *   ingest API documents no compressed bodies (DOC D2 and its OpenAPI spec: `text/plain; charset=utf-8` only),
 *   and no client of the line protocol compresses (Telegraf, Micrometer, the OpenTelemetry Collector's exporter),
 *   while Dynatrace documents gzip for its OTLP endpoints alone. Nothing is inflated: a gzip bomb costs nothing.
 */
function unsupportedIngestBody(req: IncomingMessage): IngestRefusal | null {
  const type = req.headers['content-type'];
  if (type === undefined)
    return { answer: errorEnvelope(415, `${wrongMediaType(type)}; ${SEND_TEXT_PLAIN}`), mediaType: true };
  let media: MIMEType | null = null;
  try {
    media = new MIMEType(type);
  } catch {
    // Not a media type at all: refused below like any other.
  }
  if (media?.essence !== 'text/plain')
    return { answer: errorEnvelope(415, `${wrongMediaType(type)}; ${SEND_TEXT_PLAIN}`), mediaType: true };
  const charset = media.params.get('charset');
  if (charset !== null && charset.toLowerCase() !== 'utf-8')
    return {
      answer: errorEnvelope(415, `Unsupported charset ${charset}: the lines are read as UTF-8; ${SEND_TEXT_PLAIN}`),
      mediaType: false,
    };
  const codings = contentCodings(req);
  if (codings.length === 0) return null;
  const refused = errorEnvelope(
    415,
    `Content-Encoding ${codings.join(', ')} is not supported: the metrics ingest API takes the lines uncompressed; ${SEND_TEXT_PLAIN}`,
  );
  return { answer: { ...refused, headers: { 'Accept-Encoding': 'identity' } }, mediaType: false };
}

/**
 * The 415 for a refused ingest body, read (up to the request limit) when its media type was the reason: a JSON
 * body, the most common mistake (INGEST-PATHS §2.3; `requests.post(url, json=…)`, `curl -d '{…}'`), is told
 * that the API takes the line protocol and shown its first data point as a line (core/json-line.ts).
 */
async function refuseIngestBody(req: IncomingMessage, refusal: IngestRefusal): Promise<Answer> {
  if (!refusal.mediaType) return (await discardBody(req), refusal.answer);
  const body = await readBody(req, LIMITS.requestMaxBytes);
  let json: unknown = null;
  try {
    json = body === 'too-large' ? null : JSON.parse(body);
  } catch {
    // Not JSON: the plain 415.
  }
  if (typeof json !== 'object' || json === null) return refusal.answer;
  const line = jsonToLine(json);
  const shown =
    line === null
      ? 'Its first object has no metric key and numeric value to make a line of.'
      : `Its first data point as a line: ${line}`;
  const message = `${wrongMediaType(req.headers['content-type'])}: the metrics ingest API takes the line protocol, not JSON; ${SEND_TEXT_PLAIN}, one data point per line. ${shown}`;
  return errorEnvelope(415, message);
}

/** The request's Content-Encoding codings, lower case, `identity` left out. */
const contentCodings = (req: IncomingMessage): string[] =>
  (req.headers['content-encoding'] ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');

const PROTOBUF = 'application/x-protobuf';

/**
 * 415 for an OTLP metrics body Dynatrace would not take, or null (INGEST-PATHS §1.1): binary protobuf only ("JSON is
 * not supported for Protocol Buffers. Binary format must be used"; gRPC is not supported either), and gzip, which
 * Dynatrace recommends, or no compression.
 */
function unsupportedOtlpBody(req: IncomingMessage): Answer | null {
  const type = req.headers['content-type'];
  let media: MIMEType | null = null;
  try {
    media = new MIMEType(type ?? '');
  } catch {
    // Not a media type at all: refused below like any other.
  }
  if (media?.essence !== PROTOBUF) {
    const json = media !== null && (media.essence === 'application/json' || media.subtype.endsWith('+json'));
    const why = json
      ? 'JSON is not supported for Protocol Buffers: binary protobuf must be used'
      : 'the OTLP metrics endpoint takes binary protobuf only (gRPC is not supported)';
    return errorEnvelope(
      415,
      `${wrongMediaType(type)}: ${why}; send ${PROTOBUF} (the OTLP/HTTP protobuf exporter, OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/protobuf)`,
    );
  }
  const codings = contentCodings(req);
  if (codings.length === 0 || (codings.length === 1 && codings[0] === 'gzip')) return null;
  const refused = errorEnvelope(
    415,
    `Content-Encoding ${codings.join(', ')} is not supported: the OTLP metrics endpoint takes gzip or no compression`,
  );
  return { ...refused, headers: { 'Accept-Encoding': 'gzip, identity' } };
}

const gunzipAsync = promisify(gunzip);

/**
 * An OTLP request's body, inflated when gzipped, and its size as it arrived (the journal's bytes); or the 413 past
 * TENANT.otlpRequestMaxBytes uncompressed (inflating stops there: a gzip bomb costs no more), or the 400 for a body
 * that is not gzip.
 */
async function readOtlpBody(req: IncomingMessage): Promise<{ body: Uint8Array; wireBytes: number } | Answer> {
  const limit = TENANT.otlpRequestMaxBytes;
  const tooLarge = errorEnvelope(
    413,
    `Payload too large: an OTLP metrics request may be at most ${limit.toLocaleString('en-US')} bytes uncompressed, as Dynatrace's is; the entire request is dropped`,
  );
  const raw = await readBytes(req, limit);
  if (raw === 'too-large') return tooLarge;
  if (contentCodings(req).length === 0) return { body: raw, wireBytes: raw.length };
  try {
    return { body: await gunzipAsync(raw, { maxOutputLength: limit }), wireBytes: raw.length };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge;
    return errorEnvelope(400, `The body is not gzip, as its Content-Encoding says: ${(error as Error).message}`);
  }
}

const wrongMediaType = (type: string | undefined): string =>
  type === undefined ? 'The request has no Content-Type' : `Unsupported content type ${type}`;

/**
 * The request's body as UTF-8 text (invalid bytes become U+FFFD), or 'too-large' past `limit` bytes: then the
 * rest is read and dropped up to DRAIN_MAX_BYTES more (discardBody), and a body declared longer than that is not
 * read at all.
 */
async function readBody(req: IncomingMessage, limit: number): Promise<string | 'too-large'> {
  const bytes = await readBytes(req, limit);
  return bytes === 'too-large' ? bytes : new TextDecoder().decode(bytes);
}

/** The request's body as bytes, or 'too-large' past `limit` bytes, read and dropped as readBody says. */
function readBytes(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      if (declared - limit > DRAIN_MAX_BYTES) resolve('too-large');
      else void discardBody(req).then(() => resolve('too-large'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        chunks.length = 0;
        req.off('data', onData);
        req.off('end', onEnd);
        void discardBody(req).then(() => resolve('too-large'));
      }
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

/**
 * Reads and drops a body the request will not be served for, so the connection stays usable; past
 * DRAIN_MAX_BYTES it stops reading and resolves, and the answer then closes the connection (send).
 */
function discardBody(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    let dropped = 0;
    const onData = (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped <= DRAIN_MAX_BYTES) return;
      req.off('data', onData);
      req.pause();
      resolve();
    };
    req.on('data', onData);
    req.once('end', resolve);
    req.once('close', resolve);
  });
}

/** Lets the event loop run what waits (other requests, their bodies, timers) before the next slice of work. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What a metrics query answers in (DOC D6): JSON, or CSV with or without its header row. */
type QueryMedia = { type: 'json' } | { type: 'csv'; header: boolean };

const NOT_ACCEPTABLE =
  'Not acceptable: the metrics query answers application/json, text/csv; header=present or text/csv; header=absent, and the Accept header allows none of them';

/**
 * The media type a query answers in for an Accept header (RFC 9110 §12.5.1), or null (406): for JSON and for CSV,
 * the quality of the most specific range that matches it; the higher wins, JSON on a tie of quality and
 * specificity (it is the default, DOC D6). No header, or one that cannot be read, is JSON.
 */
function queryMediaType(accept: string | undefined): QueryMedia | null {
  if (accept === undefined || accept.trim() === '') return { type: 'json' };
  const offers = { json: { q: 0, specificity: -1 }, csv: { q: 0, specificity: -1, header: true } };
  let understood = false;
  for (const range of accept.split(',')) {
    let media: MIMEType;
    try {
      media = new MIMEType(range.trim());
    } catch {
      continue;
    }
    understood = true;
    const q = media.params.has('q') ? Number(media.params.get('q')) : 1;
    if (!(q >= 0 && q <= 1)) continue;
    const specificity = media.type === '*' ? 0 : media.subtype === '*' ? 1 : 2;
    const matches = (type: string, subtype: string) =>
      specificity === 0 || (media.type === type && (specificity === 1 || media.subtype === subtype));
    if (matches('application', 'json') && specificity > offers.json.specificity) offers.json = { q, specificity };
    if (matches('text', 'csv') && specificity > offers.csv.specificity)
      offers.csv = { q, specificity, header: media.params.get('header')?.toLowerCase() !== 'absent' };
  }
  if (!understood) return { type: 'json' };
  const { json, csv } = offers;
  if (json.q === 0 && csv.q === 0) return null;
  const csvWins = csv.q > json.q || (csv.q === json.q && csv.specificity > json.specificity);
  return csvWins ? { type: 'csv', header: csv.header } : { type: 'json' };
}

const OTLP_PATH = '/api/v2/otlp/v1/metrics';
/** The endpoints whose every request the ingest journal records, refused ones too. */
const INGEST_PATHS = new Set(['/api/v2/metrics/ingest', '/metrics/ingest', OTLP_PATH]);

/**
 * What became of an ingested request's lines, for the journal: accepted are the lines the store took; lines the
 * rules refused are rejected, each with its reason; items a converter did not convert (`skipped`: an OTLP metric
 * Dynatrace does not take, a bad datagram) and valid lines past the store's limits (series, metric keys) are
 * dropped, as a tenant drops new tuples past its limits after answering.
 */
function ingestOutcome(
  checked: CheckedIngest,
  answer: IngestAnswer,
  skipped: readonly ConversionNote[] = [],
): Pick<JournalInput, 'accepted' | 'rejected' | 'dropped' | 'problems' | 'lines'> {
  const valid = answer.body.linesOk ?? answer.body.linesValid ?? 0;
  const accepted = answer.records.length;
  const problems: JournalProblem[] = skipped.map((note) => ({
    line: 0,
    kind: 'dropped',
    reason: `'${note.item}': ${note.code ?? note.message}`,
  }));
  for (const { line, error } of answer.body.error?.invalidLines ?? [])
    problems.push({ line, kind: 'rejected', reason: error });
  if (valid > accepted)
    problems.push({
      line: 0,
      kind: 'dropped',
      reason: `${valid - accepted} valid lines not stored: past the store's series or metric limit (--max-series)`,
    });
  const notConverted = skipped.reduce((sum, note) => sum + note.count, 0);
  return {
    accepted,
    rejected: answer.body.linesInvalid,
    dropped: valid - accepted + notConverted,
    problems,
    lines: checked.lines,
  };
}

/** The longest a reader of the journal may wait for an entry: under the common 60 s of proxies and clients. */
const JOURNAL_WAIT_MAX_SECONDS = 30;

/** A whole number from 0 to `max` in `name` of the query (0 when absent), or null. */
function journalParameter(url: URL, name: string, max: number): number | null {
  const text = url.searchParams.get(name) ?? '0';
  const value = Number(text);
  return /^\d+$/.test(text) && value <= max ? value : null;
}

/**
 * A metrics query, run a slice of work at a time with other requests served in between: a refusal is answered
 * whole; a result is streamed (sendStream) as JSON or CSV, so neither its evaluation nor its text holds the event
 * loop or the memory.
 */
async function answerQuery(store: MetricStore, params: QueryParams, now: number, media: QueryMedia): Promise<Answer> {
  const evaluation = evaluateQuery(store, params, now);
  let step = evaluation.next();
  while (!step.done) {
    await breathe();
    step = evaluation.next();
  }
  const evaluated = step.value;
  if (!evaluated.ok) return evaluated.response;
  if (media.type === 'json') return { status: 200, body: null, stream: metricDataJson(evaluated.value) };
  const contentType = `text/csv; charset=utf-8; header=${media.header ? 'present' : 'absent'}`;
  return {
    status: 200,
    body: null,
    headers: { 'Content-Type': contentType },
    stream: metricDataCsv(evaluated.value, media.header),
  };
}

function send(res: ServerResponse, answer: Answer): void {
  const headers: Record<string, string> = { ...answer.headers };
  let payload: string | Uint8Array = '';
  if (answer.body !== null && answer.status !== 204) {
    payload =
      typeof answer.body === 'string' || answer.body instanceof Uint8Array ? answer.body : JSON.stringify(answer.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['Content-Type'] = typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : JSON_TYPE;
  }
  if (res.req.complete) {
    res.writeHead(answer.status, headers);
    res.end(payload);
    return;
  }
  // A body left unread (past the drain bound, or never read) would be read to its end after the answer, which for
  // an endless chunked upload is never: the answer closes the connection instead (Node ends and destroys it once
  // the response ends), after a lingering wait, so a client still writing reads the answer rather than a reset.
  headers.Connection = 'close';
  // The answer is written now and ended later: its length must be stated (a 204 states none).
  if (answer.status !== 204) headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(answer.status, headers);
  res.write(payload);
  endAfterLinger(res);
}

/**
 * How long an answer that closes its connection lingers, reading and dropping what the client still sends: a
 * client writing as fast as loopback allows has sent megabytes before it reads the answer, so time is the bound.
 */
const LINGER_MS = 1_000;

/** Ends a response whose body is already written once the client has stopped sending, or after LINGER_MS. */
function endAfterLinger(res: ServerResponse): void {
  const req = res.req;
  const end = () => {
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const timer = setTimeout(end, LINGER_MS);
  req.once('end', end);
  req.once('close', end);
  req.resume();
}

/** The data file's start-up findings, one line each, for the log. */
function describeLoad(path: string, report: LoadReport, store: MetricStore): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines: string[] = [];
  if (report.kept)
    lines.push(
      `data file ${path}: converted from the JSON-lines format of earlier versions; the original is kept as ${report.kept}`,
    );
  if (report.tornBytes > 0)
    lines.push(
      `data file ${path}: ${n(report.tornBytes)} bytes at the end that are not a whole frame (a write cut short by a crash, never answered 202) cut off`,
    );
  for (const reason of report.damaged) lines.push(`data file ${path}: skipped ${reason}`);
  if (report.damagedCount > report.damaged.length)
    lines.push(`data file ${path}: skipped ${n(report.damagedCount - report.damaged.length)} more damaged records`);
  if (report.aged > 0)
    lines.push(
      `data file ${path}: dropped what is older than the ${n(store.retentionMs / DAY)} days the store keeps (${n(report.aged)} points or slots)`,
    );
  if (report.overLimit > 0)
    lines.push(
      `data file ${path}: ${n(report.overLimit)} metrics, series and points past the limits (${n(store.limits.maxSeries)} series, ${n(store.limits.maxMetrics)} metrics) not restored`,
    );
  return lines;
}

/** Text a streamed answer may have waiting for the client before the next piece is made. */
const STREAM_BUFFER_BYTES = 1 << 20;

/**
 * Writes a body piece by piece as the client takes it (the next piece is made while earlier ones are sent, up to
 * STREAM_BUFFER_BYTES waiting); stops making it when the client goes away.
 */
async function sendStream(
  res: ServerResponse,
  status: number,
  contentType: string,
  pieces: Iterator<string | undefined>,
): Promise<void> {
  res.writeHead(status, { 'Content-Type': contentType });
  for (let piece = pieces.next(); !piece.done; piece = pieces.next()) {
    if (res.destroyed) return;
    if (piece.value && !res.write(piece.value) && res.writableLength > STREAM_BUFFER_BYTES) await drained(res);
    await breathe();
  }
  res.end();
}

/** Resolves when the response can take more, or is closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
