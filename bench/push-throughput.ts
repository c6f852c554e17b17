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
import { reportHeader, runBenchmark, writeReport } from './report-header.ts';
import { join, resolve } from 'node:path';
import { CONCURRENCY, generateSummaries, median, rawPush, startTenant } from './tenant-load.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const DATA_DIR = join(ROOT, 'bench', '.data');
const RESULTS = join(ROOT, 'bench', 'PUSH-RESULTS.md');
const LINES = 100_000;
const PAIRS = 5;
const TARGET_RATIO = 0.8;

/** The CLI, from process start to exit, as a user or CI runs it. */
function cliPush(url: string, file: string): Promise<number> {
  return new Promise((resolvePush, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [CLI, 'push', file, '--url', url, '--concurrency', String(CONCURRENCY), '--format', 'json'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('close', (code) => {
      const ms = performance.now() - started;
      const report = JSON.parse(out) as { accepted: number };
      if (code !== 0 || report.accepted !== LINES)
        reject(new Error(`dtmetrics push: exit ${code}, ${report.accepted} accepted`));
      else resolvePush(ms);
    });
  });
}

async function main(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  // 200,000 series: every run's series fit, so each point is stored, not refused at the series limit.
  const tenant = await startTenant(CLI, ['--max-series', '200000']);
  const raw: number[] = [];
  const cli: number[] = [];
  let bytes = 0;
  try {
    for (let pair = 0; pair < PAIRS + 1; pair++) {
      const rawText = generateSummaries(`raw${pair}`, Date.now(), LINES);
      const rawMs = await rawPush(tenant.url, rawText, LINES);
      const cliText = generateSummaries(`cli${pair}`, Date.now(), LINES);
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
  const row = (name: string, ms: number[]) =>
    `| ${name} | ${median(ms).toFixed(0)} | ${Math.round(LINES / (median(ms) / 1000)).toLocaleString('en-US')} | ${(mb / (median(ms) / 1000)).toFixed(1)} |`;
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
  writeReport(RESULTS, markdown);
}

runBenchmark(main);
