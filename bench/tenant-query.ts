/**
 * One big query against the local tenant, and the pushes around it: `big.test:splitBy("i")` over 20,000 series,
 * for the last 2 h (one-minute slots) and for 8 days at 1 h, with the query's time, response bytes, the tenant's
 * peak RSS and its RSS afterwards; then what concurrent pushes meet meanwhile: ingests on another connection (their
 * latency), and one on a kept-alive connection that was idle for 2.5 s when the query began (answered, or reset).
 *
 *   node --import tsx bench/tenant-query.ts [--baseline <dir> --baseline-name <commit>]
 *
 * The tenant runs in its own process (bench/tenant-query-server.ts) from the sources of this checkout, and first
 * from those in <dir> when given (`git archive <commit> server | tar -x -C <dir>`), so "before" and "after" are
 * measured in the same run, on the same machine load. Memory figures read /proc (Linux).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client } from 'undici';
import { reportHeader, runBenchmark, writeReport } from './report-header.ts';
import { median } from './tenant-load.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RESULTS = join(ROOT, 'bench', 'TENANT-QUERY.md');
const SERIES = 20_000;
const INGEST_LINES = 100;
/** A push of INGEST_LINES every 50 ms: 2,000 lines a second, a busy exporter's pace. */
const INGEST_EVERY_MS = 50;

const SCENARIOS = [
  { name: '2 h, 1 min slots', params: { from: 'now-2h' } },
  { name: '8 days, 1 h slots', params: { from: 'now-8d', resolution: '1h' } },
] as const;

interface Measured {
  status: number;
  error: string;
  ms: number;
  msWithIngest: number;
  bytes: number;
  slots: number;
  rssBefore: number;
  peakRss: number;
  rssIdle: number;
  rssAfterGc: number;
  ingests: number[];
  ingestFailures: number;
  keptAlive: string;
}

interface Server {
  url: string;
  child: ChildProcess;
  /** Resolves at the next line the server prints that starts with `prefix`. */
  line(prefix: string): Promise<string>;
}

async function startServer(sourceRoot: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(ROOT, 'bench', 'tenant-query-server.ts'), sourceRoot, String(SERIES)],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let buffered = '';
  const waiting: { prefix: string; resolve: (line: string) => void }[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let end: number;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      const at = waiting.findIndex((w) => text.startsWith(w.prefix));
      if (at >= 0) waiting.splice(at, 1)[0]?.resolve(text);
    }
  });
  const line = (prefix: string) => new Promise<string>((resolveLine) => waiting.push({ prefix, resolve: resolveLine }));
  const ready = await Promise.race([
    line('ready '),
    new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`the tenant exited (${code}) before it was ready`))),
    ),
  ]);
  return { url: ready.slice('ready '.length), child, line };
}

/** A figure of /proc/<pid>/status in MB (VmRSS: resident now; VmHWM: peak since the last reset). */
function procMB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const kB = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kB) / 1000;
}

async function settle(server: Server): Promise<void> {
  const settled = server.line('settled');
  server.child.kill('SIGUSR2');
  await settled;
}

function ingestBody(round: number): string {
  const now = Date.now();
  return Array.from({ length: INGEST_LINES }, (_, i) => `bench.ingest,i=${i} gauge,${round} ${now}`).join('\n');
}

/** One ingest request on `client`; its latency in ms, or the error's code. */
async function ingestOnce(client: Client, round: number): Promise<number | string> {
  const started = performance.now();
  try {
    const answer = await client.request({
      path: '/api/v2/metrics/ingest',
      method: 'POST',
      body: ingestBody(round),
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
    await answer.body.dump();
    return answer.statusCode === 202 ? performance.now() - started : `HTTP ${answer.statusCode}`;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

interface QueryRun {
  status: number;
  bytes: number;
  head: string;
  ms: number;
}

/** The query, its answer read and counted as it arrives (not kept). */
async function runQuery(url: string, params: Record<string, string>): Promise<QueryRun> {
  const client = new Client(url, { bodyTimeout: 0, headersTimeout: 0 });
  const query = new URLSearchParams({ metricSelector: 'big.test:splitBy("i")', ...params });
  const started = performance.now();
  try {
    const answer = await client.request({ path: `/api/v2/metrics/query?${query}`, method: 'GET' });
    let bytes = 0;
    let head = '';
    for await (const chunk of answer.body) {
      bytes += (chunk as Buffer).length;
      if (head.length < 2_000) head += (chunk as Buffer).toString();
    }
    return { status: answer.statusCode, bytes, head, ms: performance.now() - started };
  } finally {
    await client.close();
  }
}

/**
 * The query twice: alone (its time, answer and the tenant's memory), then with ingests: one every INGEST_EVERY_MS
 * on a second connection, and one 0.3 s in on a kept-alive connection that was idle for 2.5 s.
 */
async function measure(server: Server, params: Record<string, string>): Promise<Measured> {
  const pid = server.child.pid as number;
  await settle(server);
  const rssBefore = procMB(pid, 'VmRSS');
  const alone = await runQuery(server.url, params);
  const peakRss = procMB(pid, 'VmHWM');
  await sleep(5_000);
  const rssIdle = procMB(pid, 'VmRSS');
  await settle(server);
  const rssAfterGc = procMB(pid, 'VmRSS');

  const probe = new Client(server.url);
  const ingestClient = new Client(server.url);
  if (typeof (await ingestOnce(probe, 0)) !== 'number') throw new Error('the probe connection could not ingest');
  // Idle for less than undici's keep-alive expiry (the server's 5 s hint less 2 s), so the socket is reused.
  await sleep(2_500);
  let done = false;
  const loaded = runQuery(server.url, params).finally(() => (done = true));
  const ingests: number[] = [];
  let ingestFailures = 0;
  const ingesting = (async () => {
    for (let round = 1; !done; round++) {
      const next = sleep(INGEST_EVERY_MS);
      const result = await ingestOnce(ingestClient, round);
      if (typeof result === 'number') ingests.push(result);
      else ingestFailures++;
      await next;
    }
  })();
  await sleep(300);
  const keptAlive = await ingestOnce(probe, -1);
  const withIngest = await loaded;
  await ingesting;
  await Promise.all([probe.close(), ingestClient.close()]);

  let slots = 0;
  let error = '';
  if (alone.status === 200) {
    const first = /"timestamps":\[([^\]]*)\]/.exec(alone.head)?.[1] ?? '';
    slots = SERIES * (first === '' ? 0 : first.split(',').length);
  } else error = alone.head.slice(0, 200);
  return {
    status: alone.status,
    error,
    ms: alone.ms,
    msWithIngest: withIngest.ms,
    bytes: alone.bytes,
    slots,
    rssBefore,
    peakRss,
    rssIdle,
    rssAfterGc,
    ingests,
    ingestFailures,
    keptAlive: typeof keptAlive === 'number' ? `202 in ${keptAlive.toFixed(0)} ms` : `**${keptAlive}**`,
  };
}

function row(code: string, scenario: string, m: Measured): string {
  const answer = m.status === 200 ? '200' : `**${m.status}** ${m.error.replace(/\|/g, '\\|')}`;
  const perSlot = m.slots > 0 ? (m.bytes / m.slots).toFixed(1) : '–';
  const ingest =
    m.ingests.length > 0
      ? `${m.ingests.length} answered: p50 ${median(m.ingests).toFixed(0)} ms, max ${Math.max(...m.ingests).toFixed(0)} ms`
      : 'none answered';
  const failed = m.ingestFailures > 0 ? `, **${m.ingestFailures} failed**` : '';
  return `| ${code} | ${scenario} | ${answer} | ${(m.ms / 1000).toFixed(2)} | ${(m.msWithIngest / 1000).toFixed(2)} | ${(m.bytes / 1e6).toFixed(1)} | ${perSlot} | ${m.rssBefore.toFixed(0)} | ${m.peakRss.toFixed(0)} | ${m.rssIdle.toFixed(0)} | ${m.rssAfterGc.toFixed(0)} | ${ingest}${failed} | ${m.keptAlive} |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { baseline: { type: 'string' }, 'baseline-name': { type: 'string' } } });
  const before = `before (${values['baseline-name'] ?? 'baseline'})`;
  const roots: [string, string][] = [
    ...(values.baseline ? [[before, resolve(values.baseline)] as [string, string]] : []),
    ['after', ROOT],
  ];
  // Other work on the machine slows both codes alike: the ratios below hold better than the times.
  const loadAtStart = loadavg()[0]?.toFixed(1);
  const rows: string[] = [];
  const measured = new Map<string, Measured>();
  for (const [code, sourceRoot] of roots) {
    process.stdout.write(`${code}: filling ${SERIES.toLocaleString('en-US')} series from ${sourceRoot}\n`);
    const server = await startServer(sourceRoot);
    try {
      for (const scenario of SCENARIOS) {
        const result = await measure(server, scenario.params);
        measured.set(`${code} ${scenario.name}`, result);
        rows.push(row(code, scenario.name, result));
        process.stdout.write(rows[rows.length - 1] + '\n');
      }
    } finally {
      server.child.kill('SIGTERM');
    }
  }
  const markdown = [
    ...reportHeader(
      'Local tenant: one big query',
      `node --import tsx bench/tenant-query.ts${values.baseline ? ` --baseline <dir> --baseline-name ${values['baseline-name'] ?? 'baseline'}` : ''}`,
    ),
    `\`big.test:splitBy("i")\` over ${SERIES.toLocaleString('en-US')} series whose every slot holds a point (one a minute for the last 2 h 24 min, one an hour for 8 days), on the local tenant in its own process, the answer read and counted as it arrives. Each query runs twice. Alone: its time, its answer, and the tenant's RSS in MB before it (after a GC), at its peak (VmHWM, reset before the query), 5 s after it (no GC forced) and after a forced GC. Then with pushes: ${INGEST_LINES} lines every ${INGEST_EVERY_MS} ms on a second connection (their latency), and one push 0.3 s in on a kept-alive connection that was idle for 2.5 s before the query (answered, or reset). The machine's load average when the run began: ${loadAtStart}.`,
    '',
    '| code | query | answer | time alone (s) | time with ingests (s) | response (MB) | bytes/slot | RSS before | peak RSS | RSS 5 s after | RSS after GC | ingests during the query | kept-alive ingest |',
    '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|',
    ...rows,
    '',
    ...SCENARIOS.flatMap((scenario) => {
      const [old, now] = [measured.get(`${before} ${scenario.name}`), measured.get(`after ${scenario.name}`)];
      if (!old || !now) return [];
      const growth = (m: Measured) => m.peakRss - m.rssBefore;
      const worst = (m: Measured) => Math.max(...m.ingests);
      return [
        `${scenario.name}, after ÷ before: time alone ${(now.ms / old.ms).toFixed(2)}, memory the query took (peak − before) ${(growth(now) / growth(old)).toFixed(3)}, slowest concurrent push ${(worst(now) / worst(old)).toFixed(3)}.`,
        '',
      ];
    }),
  ].join('\n');
  writeReport(RESULTS, markdown);
}

runBenchmark(main);
