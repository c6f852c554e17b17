/**
 * `dtmetrics serve --tail` latency: how long after a client has its answer the request's line appears on the
 * tenant's standard output. The built tenant runs as a child process with its stdout on a pipe, as a terminal or an
 * editor's output channel reads it; a client sends 100 small line requests a second over loopback HTTP, each at its
 * time on a clock schedule (request i at start + i × 10 ms, whatever the previous ones took), and each carries its
 * number in its User-Agent, which the tail line prints. For each request: the time from its answer's end at the
 * client to the moment the pipe delivered its tail line to this process (negative: the line came first), and, for
 * scale, the time from sending it to its answer and to its line. Alongside, the editor's Ingest Inspector feed
 * (client/src/inspector/feed.ts, as the view runs it) follows the same tenant's journal: when each request reached
 * it, and how many polls carried them (it spaces its polls, so a steady stream costs a few a second).
 *
 *   npm run build && node --import tsx bench/ingest-tail.ts
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { JournalFeed } from '#client/inspector/feed.ts';
import { reportHeader, runBenchmark, writeReportSection } from './report-header.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const RESULTS = join(ROOT, 'bench', 'INGEST-RESULTS.md');
const COMMAND = 'npm run build && node --import tsx bench/ingest-tail.ts';
const PER_SECOND = 100;
const SECONDS = 25;
const INTERVAL_MS = 1000 / PER_SECOND;
const TARGET_P95_MS = 100;
const USER_AGENT = 'tail-bench/';
/** The tail line's head: time, endpoint, status, client, user agent (tailText in core/metrics/journal.ts). */
const TAIL_LINE = new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} lines 202 from \\S+ \\(${USER_AGENT}(\\d+)\\): `);

interface Timing {
  due: number;
  sent: number;
  answered: number;
  tailed: number;
  inspected: number;
}

/** The inspector's feed on the tenant: when each request reached it, and how many answers brought requests. */
async function followAsTheInspector(url: string) {
  const { instance } = (await (await fetch(`${url}/_dtmetrics/instance`)).json()) as { instance: string };
  const inspectedAt = new Map<number, number>();
  let deliveries = 0;
  const feed = new JournalFeed(
    (entries) => {
      const at = performance.now();
      deliveries++;
      for (const entry of entries) {
        const seq = entry.userAgent?.startsWith(USER_AGENT) ? Number(entry.userAgent.slice(USER_AGENT.length)) : NaN;
        if (Number.isInteger(seq)) inspectedAt.set(seq, at);
      }
    },
    () => undefined,
  );
  feed.follow({ url, instance }, true);
  return { inspectedAt, deliveries: () => deliveries, stop: () => feed.stop() };
}

/** The tenant with --tail; `tailed(n)` is when request n's line arrived, once it has. */
async function startTailingTenant() {
  const child = spawn(process.execPath, [CLI, 'serve', '--tail', '--port', '0', '--no-statsd'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const tailedAt = new Map<number, number>();
  let pending = '';
  let onListening: (url: string) => void = () => undefined;
  const listening = new Promise<string>((resolveUrl) => (onListening = resolveUrl));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    // The moment the pipe handed the chunk over: every line in it arrived then.
    const at = performance.now();
    pending += chunk;
    let end: number;
    while ((end = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      const seq = TAIL_LINE.exec(line)?.[1];
      if (seq !== undefined) tailedAt.set(Number(seq), at);
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      if (url) onListening(url);
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const url = await Promise.race([
    listening,
    new Promise<never>((_, reject) =>
      child.once('close', () => reject(new Error('the tenant ended before it listened'))),
    ),
  ]);
  clearTimeout(timer);
  return {
    url,
    tailedAt,
    stop: () => new Promise<void>((done) => (child.once('close', () => done()), child.kill('SIGTERM'))),
  };
}

/** Sends PER_SECOND × SECONDS requests on a clock schedule; resolves with each one's times once all have answered. */
async function sendOnSchedule(url: string): Promise<Timing[]> {
  const agent = new Agent({ connections: 16 });
  const count = PER_SECOND * SECONDS;
  const timings: Timing[] = [];
  const answers: Promise<void>[] = [];
  const start = performance.now() + 100;
  const send = async (seq: number, due: number) => {
    const sent = performance.now();
    const answer = await request(`${url}/api/v2/metrics/ingest`, {
      method: 'POST',
      body: `bench.tail.requests,client=tail-bench count,delta=1`,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'User-Agent': `${USER_AGENT}${seq}` },
      dispatcher: agent,
    });
    await answer.body.text();
    const answered = performance.now();
    if (answer.statusCode !== 202) throw new Error(`request ${seq}: ${answer.statusCode}`);
    timings[seq] = { due, sent, answered, tailed: Number.NaN, inspected: Number.NaN };
  };
  await new Promise<void>((done) => {
    let seq = 0;
    // Each timer is set for the next request's own time on the schedule, so late timers do not add up.
    const next = () => {
      const now = performance.now();
      while (seq < count && start + seq * INTERVAL_MS <= now) {
        answers.push(send(seq, start + seq * INTERVAL_MS));
        seq++;
      }
      if (seq < count) setTimeout(next, start + seq * INTERVAL_MS - performance.now());
      else done();
    };
    setTimeout(next, start - performance.now());
  });
  await Promise.all(answers);
  await agent.close();
  return timings;
}

const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] as number,
  };
};

async function main(): Promise<void> {
  const tenant = await startTailingTenant();
  const inspector = await followAsTheInspector(tenant.url);
  let timings: Timing[];
  let streamSeconds: number;
  try {
    timings = await sendOnSchedule(tenant.url);
    streamSeconds = ((timings.at(-1) as Timing).answered - (timings[0] as Timing).sent) / 1000;
    // Every line must come, to the terminal and to the inspector: wait for the last ones, with a deadline.
    const deadline = performance.now() + 10_000;
    while (
      (tenant.tailedAt.size < timings.length || inspector.inspectedAt.size < timings.length) &&
      performance.now() < deadline
    )
      await new Promise((wake) => setTimeout(wake, 20));
  } finally {
    inspector.stop();
    await tenant.stop();
  }
  const missing = timings.filter((_, seq) => !tenant.tailedAt.has(seq)).length;
  if (missing > 0) throw new Error(`${missing} of ${timings.length} requests never appeared in --tail`);
  const unseen = timings.filter((_, seq) => !inspector.inspectedAt.has(seq)).length;
  if (unseen > 0) throw new Error(`${unseen} of ${timings.length} requests never reached the inspector's feed`);
  for (const [seq, t] of timings.entries()) {
    t.tailed = tenant.tailedAt.get(seq) as number;
    t.inspected = inspector.inspectedAt.get(seq) as number;
  }
  const toInspector = stats(timings.map((t) => t.inspected - t.answered));
  const pollsPerSecond = inspector.deliveries() / streamSeconds;

  const afterAnswer = stats(timings.map((t) => t.tailed - t.answered));
  const sendToAnswer = stats(timings.map((t) => t.answered - t.sent));
  const sendToTail = stats(timings.map((t) => t.tailed - t.sent));
  const lateSends = stats(timings.map((t) => t.sent - t.due));
  const first = timings[0] as Timing;
  const last = timings[timings.length - 1] as Timing;
  const rate = (timings.length - 1) / ((last.sent - first.sent) / 1000);
  const before = timings.filter((t) => t.tailed < t.answered).length;
  const ms = (x: number) => x.toFixed(1);
  const row = (name: string, s: ReturnType<typeof stats>) =>
    `| ${name} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} |`;
  const met = afterAnswer.p95 <= TARGET_P95_MS;
  const markdown = [
    ...reportHeader('`dtmetrics serve --tail` latency', COMMAND),
    `The built tenant (\`dtmetrics serve --tail --port 0 --no-statsd\`, in memory) as a child process, its standard output on a pipe. A client (undici, over loopback) sends ${PER_SECOND} requests a second for ${SECONDS} s (${timings.length.toLocaleString('en-US')} requests, each one line, \`POST /api/v2/metrics/ingest\`), each at its own time on a clock schedule (start + i × ${INTERVAL_MS} ms, not waiting for the previous ones); each carries its number in its User-Agent, which the tail line prints. Achieved: ${rate.toFixed(1)} requests/s; sends were late on their schedule by ${ms(lateSends.p50)} ms at the median, ${ms(lateSends.p95)} ms at p95. Times are this process's clock: an answer when its body had been read, a tail line when the pipe delivered the chunk holding it.`,
    '',
    '| Time (ms) | p50 | p95 | p99 | max |',
    '|---|--:|--:|--:|--:|',
    row("**answer → the request's tail line** (negative: the line came first)", afterAnswer),
    row('send → answer', sendToAnswer),
    row('send → tail line', sendToTail),
    row("answer → the request in the Ingest Inspector's feed", toInspector),
    '',
    `**p95 from answer to tail line: ${ms(afterAnswer.p95)} ms** (target ≤ ${TARGET_P95_MS} ms at ${PER_SECOND} requests/s: ${met ? '**met**' : '**missed**'}). ${before.toLocaleString('en-US')} of ${timings.length.toLocaleString('en-US')} lines came before their answer: the tenant writes the line when it records the request, before it sends the answer.`,
    '',
    `The Ingest Inspector's feed (the editor's, run here as the view runs it) had every request within ${ms(toInspector.p95)} ms of its answer at p95 (${ms(toInspector.max)} ms at most), brought by ${pollsPerSecond.toFixed(1)} answers a second for ${PER_SECOND} requests a second: its polls are spaced at least 200 ms apart, so the view (which redraws at most every 250 ms) costs the same whatever the rate.`,
    '',
  ].join('\n');
  writeReportSection(RESULTS, 'Ingest benchmarks', markdown);
}

runBenchmark(main);
