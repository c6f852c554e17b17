/**
 * Push throughput: `dtmetrics push` of 100,000 lines (about 10 MB) to the local tenant, against a raw undici
 * POST of the same batches (pre-split by the same planner) to the same server, in the same run, as a ratio.
 * The raw client is the floor of what any pusher costs on top of the server: no file reading, no checking, no
 * reporting, no process start. Runs alternate (raw, CLI, raw, CLI …) so machine noise falls on both; each run
 * sends a fresh copy of the lines with its own `run` dimension, so no run's points land in another's series.
 *
 *   npm run build && node --import tsx bench/push-throughput.ts
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { reportHeader } from './report-header.ts';
import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { planPush, requestBody } from '../server/src/core/push.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const DATA_DIR = join(ROOT, 'bench', '.data');
const RESULTS = join(ROOT, 'bench', 'PUSH-RESULTS.md');
const LINES = 100_000;
const PAIRS = 5;
const CONCURRENCY = 4;
const TARGET_RATIO = 0.8;

/** Request-latency summaries of 50 services × 200 endpoints (about 100 bytes a line), timestamps in the last minutes. */
function generate(run: string, now: number): string {
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const min = 10 + (i % 37);
    const count = 1 + (i % 13);
    // One point is its own min, max and sum; more spread between min and max.
    const max = count === 1 ? min : min + (i % 91);
    const sum = ((min + max) / 2) * count;
    lines.push(`bench.push.latency,run=${run},service=svc-${i % 50},endpoint=/items/${i % 200},method=GET gauge,min=${min},max=${max},sum=${sum},count=${count} ${now - 120_000 + (i % 60) * 1000}`);
  }
  return lines.join('\n') + '\n';
}

interface Tenant {
  url: string;
  stop(): Promise<void>;
}

function startTenant(): Promise<Tenant> {
  return new Promise((resolveTenant, reject) => {
    // 200,000 series: every run's series fit, so each point is stored, not refused at the series limit.
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--max-series', '200000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the tenant did not start: ${out}`)), 15_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url && timer) {
        clearTimeout(timer);
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolveTenant({ url, stop: () => new Promise<void>((done) => (child.once('close', () => done()), child.kill('SIGTERM'))) });
      }
    });
    child.once('error', reject);
  });
}

/** Raw undici: the planner's batches POSTed by CONCURRENCY workers on one pool, every answer checked. */
async function rawPush(url: string, text: string): Promise<number> {
  const source = text.split('\n').slice(0, -1).map((t, line) => ({ line, text: t }));
  const bodies = planPush(source, { now: Date.now(), timestamps: 'as-written', sendErrors: true }).batches.map(requestBody);
  const agent = new Agent({ connections: CONCURRENCY });
  const started = performance.now();
  let next = 0;
  let accepted = 0;
  const worker = async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      const answer = await request(`${url}/api/v2/metrics/ingest`, { method: 'POST', body: bodies[i], headers: { 'Content-Type': 'text/plain; charset=utf-8' }, dispatcher: agent });
      const body = (await answer.body.json()) as { linesOk: number };
      if (answer.statusCode !== 202) throw new Error(`raw push: ${answer.statusCode} ${JSON.stringify(body).slice(0, 500)}`);
      accepted += body.linesOk;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - started;
  await agent.close();
  if (accepted !== LINES) throw new Error(`raw push: ${accepted} of ${LINES} accepted`);
  return ms;
}

/** The CLI, from process start to exit, as a user or CI runs it. */
function cliPush(url: string, file: string): Promise<number> {
  return new Promise((resolvePush, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, 'push', file, '--url', url, '--concurrency', String(CONCURRENCY), '--format', 'json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('close', (code) => {
      const ms = performance.now() - started;
      const report = JSON.parse(out) as { accepted: number };
      if (code !== 0 || report.accepted !== LINES) reject(new Error(`dtmetrics push: exit ${code}, ${report.accepted} accepted`));
      else resolvePush(ms);
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  const tenant = await startTenant();
  const raw: number[] = [];
  const cli: number[] = [];
  let bytes = 0;
  try {
    for (let pair = 0; pair < PAIRS + 1; pair++) {
      const rawText = generate(`raw${pair}`, Date.now());
      const rawMs = await rawPush(tenant.url, rawText);
      const cliText = generate(`cli${pair}`, Date.now());
      const file = join(DATA_DIR, 'push-100k.dtmetrics');
      writeFileSync(file, cliText);
      bytes = Buffer.byteLength(cliText);
      const cliMs = await cliPush(tenant.url, file);
      // The first pair warms up the server (JIT, series creation); it is not counted.
      if (pair === 0) continue;
      raw.push(rawMs);
      cli.push(cliMs);
    }
  } finally {
    await tenant.stop();
  }
  const ratios = raw.map((r, i) => r / (cli[i] as number));
  const ratio = median(ratios);
  const mb = bytes / 1e6;
  const row = (name: string, ms: number[]) => `| ${name} | ${median(ms).toFixed(0)} | ${Math.round(LINES / (median(ms) / 1000)).toLocaleString('en-US')} | ${(mb / (median(ms) / 1000)).toFixed(1)} |`;
  const markdown = [
    ...reportHeader('Push throughput', 'npm run build && node --import tsx bench/push-throughput.ts'),
    `${LINES.toLocaleString('en-US')} lines (${mb.toFixed(2)} MB, summaries with four dimensions) to the local tenant (\`dtmetrics serve\`, in memory), ${CONCURRENCY} requests in flight, batches of at most 1,000 lines. Median of ${PAIRS} alternating pairs after one untimed pair.`,
    '',
    '| Client | Time (ms) | Lines/s | MB/s |',
    '|---|--:|--:|--:|',
    row('raw undici POST of the pre-split batches (no file, no checks, no process start)', raw),
    row('`dtmetrics push FILE` (process start to exit: read, check, plan, send, report)', cli),
    '',
    `**dtmetrics push ÷ raw: ${(ratio * 100).toFixed(1)} %** of the raw client's throughput (target ≥ ${TARGET_RATIO * 100} %: ${ratio >= TARGET_RATIO ? '**met**' : '**missed**'}); per pair: ${ratios.map((r) => `${(r * 100).toFixed(0)} %`).join(', ')}.`,
    '',
    `Raw runs (ms): ${raw.map((x) => x.toFixed(0)).join(', ')}. CLI runs (ms): ${cli.map((x) => x.toFixed(0)).join(', ')}.`,
    '',
  ].join('\n');
  writeFileSync(RESULTS, markdown);
  process.stdout.write(markdown + `\nWritten to ${RESULTS}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
