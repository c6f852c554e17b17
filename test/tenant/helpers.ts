/**
 * The local tenant as the tests meet it: the BUILT `dtmetrics serve` (dist/cli.js) as a child process on a free
 * port, spoken to over real HTTP. Every wait is on a condition with a deadline.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { spawnCli, type RunOptions } from '../cli/helpers.ts';

export const TOKEN = 'dt0c01.LOCALTEST.all-scopes-secret';
export const READ_TOKEN = 'dt0c01.LOCALTEST.read-only-secret';

export interface TenantProcess {
  url: string;
  pid: number;
  /** Everything the server printed so far. */
  output(): string;
  /** Resolves when it has ended (by itself, or stopped), with its exit code and output. */
  ended: Promise<{ code: number | null; output: string }>;
  /** Stops it with SIGTERM (or SIGKILL: a crash) and resolves with its exit code and output. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; output: string }>;
}

/**
 * Starts `dtmetrics serve --port 0 …args` (dist/cli.js, or `run.command`) and waits for the line that says where it
 * listens.
 */
export async function startServe(
  args: string[],
  env: Record<string, string> = {},
  run: Pick<RunOptions, 'command' | 'cwd'> = {},
): Promise<TenantProcess> {
  const child = spawnCli(['serve', '--port', '0', ...args], { ...run, env });
  child.stdin.end();
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = once(child, 'close') as Promise<[number | null]>;
  const ended = exited.then(([code]) => ({ code, output }));
  const url = await waitFor(
    'the tenant to listen',
    15_000,
    () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1],
    exited,
    () => output,
  );
  return {
    url,
    pid: child.pid ?? 0,
    output: () => output,
    ended,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return ended;
    },
  };
}

/** Polls `check` until it returns a value; fails at the deadline, or when `gone` settles first. */
export async function waitFor<T>(
  what: string,
  ms: number,
  check: () => T | undefined | null,
  gone?: Promise<unknown>,
  context?: () => string,
): Promise<T> {
  const deadline = Date.now() + ms;
  let ended = false;
  void gone?.then(() => (ended = true));
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null) return value;
    if (ended) assert.fail(`the process ended while waiting for ${what}:\n${context?.() ?? ''}`);
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}:\n${context?.() ?? ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** One HTTP request to the tenant; `token` goes in the Authorization header. */
export async function call(
  url: string,
  init: { method?: string; body?: string | Uint8Array; token?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.Authorization = `Api-Token ${init.token}`;
  if (init.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['Content-Type'] = 'text/plain; charset=utf-8';
  const response = await fetch(url, {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Posts lines to the tenant's ingest API with the all-scopes token. */
export const ingest = (base: string, body: string, token: string | null = TOKEN) =>
  call(`${base}/api/v2/metrics/ingest`, { body, token });

/** A millisecond timestamp `minutesAgo` before now, inside the tenant's window. */
export const recent = (minutesAgo = 5): number => Date.now() - minutesAgo * 60_000;

/** Points stored per value of `dimension` of `key` in the last 3 hours, read through the query API. */
export async function countsBy(url: string, key: string, dimension: string): Promise<Map<string, number>> {
  const selector = encodeURIComponent(`${key}:splitBy("${dimension}"):count`);
  const answer = await call(`${url}/api/v2/metrics/query?metricSelector=${selector}&resolution=Inf&from=now-3h`, {
    token: TOKEN,
  });
  if (answer.status === 404) return new Map();
  assert.equal(answer.status, 200, answer.text);
  const data =
    (answer.json as { result: { data: { dimensionMap: Record<string, string>; values: (number | null)[] }[] }[] })
      .result[0]?.data ?? [];
  return new Map(data.map((d) => [d.dimensionMap[dimension] as string, d.values[0] ?? 0]));
}

/** Queues faults on a tenant started with --faults (POST /_dtmetrics/faults); they must be taken (204). */
export async function setFaults(url: string, faults: object[]): Promise<void> {
  const answer = await call(`${url}/_dtmetrics/faults`, {
    body: JSON.stringify({ faults }),
    headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(answer.status, 204, answer.text);
}

/**
 * Pushes lines to the tenant's ingest API in batches of 1000 (the all-scopes token) and holds it to taking every
 * line; resolves with its answers, whose warnings a test may read.
 */
export async function pushLines(url: string, lines: readonly string[]): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let at = 0; at < lines.length; at += 1000) {
    const batch = lines.slice(at, at + 1000);
    const answer = await ingest(url, batch.join('\n'));
    assert.equal(answer.status, 202, answer.text);
    const { linesOk, linesInvalid } = answer.json as { linesOk: number; linesInvalid: number };
    assert.deepEqual({ linesOk, linesInvalid }, { linesOk: batch.length, linesInvalid: 0 }, answer.text);
    answers.push(answer);
  }
  return answers;
}

/** A query's time frame: epoch milliseconds or the API's relative times (`now-3h`). */
export interface Timeframe {
  from: number | string;
  to?: number | string;
}

/** The one series `selector` answers over `timeframe` (resolution Inf), read through the query API. */
export async function queryOneSeries(
  url: string,
  selector: string,
  timeframe: Timeframe = { from: 'now-3h' },
): Promise<{ dimensionMap: Record<string, string>; value: number | null }> {
  const params = new URLSearchParams({ metricSelector: selector, resolution: 'Inf', from: String(timeframe.from) });
  if (timeframe.to !== undefined) params.set('to', String(timeframe.to));
  const answer = await call(`${url}/api/v2/metrics/query?${params}`, { token: TOKEN });
  assert.equal(answer.status, 200, answer.text);
  const data =
    (answer.json as { result: { data: { dimensionMap: Record<string, string>; values: (number | null)[] }[] }[] })
      .result[0]?.data ?? [];
  assert.equal(data.length, 1, `${selector}: one series, got ${answer.text}`);
  const [series] = data as [{ dimensionMap: Record<string, string>; values: (number | null)[] }];
  return { dimensionMap: series.dimensionMap, value: series.values[0] ?? null };
}

/** The value of the one series `selector` answers over `timeframe` (resolution Inf). */
export const queryValue = async (url: string, selector: string, timeframe?: Timeframe): Promise<number | null> =>
  (await queryOneSeries(url, selector, timeframe)).value;

/** The value of each selector's one series over `timeframe`, by selector: to compare with what was sent in one go. */
export async function queryValues(
  url: string,
  selectors: readonly string[],
  timeframe?: Timeframe,
): Promise<Record<string, number | null>> {
  const values: Record<string, number | null> = {};
  for (const selector of selectors) values[selector] = await queryValue(url, selector, timeframe);
  return values;
}

/** Waits until the listener has received `datagrams` in all (GET /_dtmetrics/statsd), with a deadline. */
export async function waitReceived(tenant: TenantProcess, datagrams: number): Promise<void> {
  for (const deadline = Date.now() + 10_000; ; ) {
    const held = await call(`${tenant.url}/_dtmetrics/statsd`);
    assert.equal(held.status, 200, held.text);
    if ((held.json as { received: number }).received >= datagrams) break;
    assert.ok(Date.now() < deadline, `the listener received ${held.text}, hot-shots sent ${datagrams}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Asks the listener to flush once it has received `datagrams` in all; resolves with the flush's report. */
export async function flushAfter(tenant: TenantProcess, datagrams: number): Promise<unknown> {
  await waitReceived(tenant, datagrams);
  const flushed = await call(`${tenant.url}/_dtmetrics/statsd/flush`, { method: 'POST' });
  assert.equal(flushed.status, 200, flushed.text);
  return flushed.json;
}

/**
 * Sends `packet` (datagrams, one a line) to the tenant's StatsD listener in one UDP packet, then flushes once the
 * listener has received all `datagrams` of it; resolves with the flush's report.
 */
export async function sendAndFlush(tenant: TenantProcess, packet: string, datagrams = 1): Promise<unknown> {
  const { port, received } = (await call(`${tenant.url}/_dtmetrics/statsd`)).json as { port: number; received: number };
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) =>
    socket.send(packet, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
  );
  socket.close();
  return flushAfter(tenant, received + datagrams);
}
