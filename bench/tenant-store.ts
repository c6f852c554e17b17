/**
 * The local tenant's data file: disk and start-up after a simulated week, and ingest throughput with a data file,
 * against the JSON-lines store it replaced (built from git at BASELINE_REV), in the same run.
 *
 *   npm run build && node --import tsx bench/tenant-store.ts [--baseline <git rev>]
 *
 * 1. Ingest: 100,000 lines POSTed by a raw client (4 in flight) to `dtmetrics serve --data` of each build, runs
 *    alternating, median of 5 after one untimed pair; the data file's bytes per line after each run.
 * 2. A week of 10,000 series at one point a minute: the store is fed directly (a week cannot be ingested in real
 *    time), one summary point per series and hour for the older hours and one point a minute for the last 144
 *    minutes, which fills exactly the slots a minute-by-minute week fills. Its snapshot is written by the data file
 *    module; then the log is filled with batches up to the point where a compaction starts. `dtmetrics serve` is
 *    started on the snapshot alone and on the snapshot with that log (the most a start can meet; it compacts it
 *    once it listens), three times each.
 * 3. The JSON-lines store on the same week would hold 100.8 M records: its bytes and start-up per record are
 *    measured on 1 M records and scaled.
 */
import { execFileSync, execSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MetricStore, type StoredPoint } from '#core/metrics/store.ts';
import { DataFile } from '#tenant/data-file.ts';
import { reportHeader, runBenchmark, writeReport } from './report-header.ts';
import { generateSummaries, median, rawPush, startTenant } from './tenant-load.ts';

/** The last commit whose local tenant appended every point to a JSON-lines file. */
const BASELINE_REV = '8402ad2';
const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const WORK = join(ROOT, 'bench', '.data', 'tenant-store');
const RESULTS = join(ROOT, 'bench', 'TENANT-STORE.md');
const LINES = 100_000;
const PAIRS = 5;
const SERIES = 10_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const WEEK_POINTS = SERIES * 7 * 24 * 60;
const V1_RECORDS = 1_000_000;
const STARTS = 3;

const { values } = parseArgs({ options: { baseline: { type: 'string', default: BASELINE_REV } } });
const baselineRev = values.baseline as string;

/** The baseline's CLI, built from `git archive` of its commit with this checkout's node_modules. */
function buildBaseline(rev: string): string {
  const dir = join(WORK, `baseline-${rev}`);
  const cli = join(dir, 'dist', 'cli.js');
  if (existsSync(cli)) return cli;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execSync(`git -C "${ROOT}" archive ${rev} | tar -x -C "${dir}"`);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'inherit' });
  return cli;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const n = (x: number) => Math.round(x).toLocaleString('en-US');

async function ingestThroughput(baselineCli: string) {
  const runs = { baseline: [] as number[], current: [] as number[] };
  const bytesPerLine = { baseline: 0, current: 0 };
  for (let pair = 0; pair < PAIRS + 1; pair++) {
    for (const which of ['baseline', 'current'] as const) {
      const file = join(WORK, `ingest-${which}.data`);
      rmSync(file, { force: true });
      const tenant = await startTenant(which === 'baseline' ? baselineCli : CLI, [
        '--data',
        file,
        '--max-series',
        '200000',
      ]);
      const ms = await rawPush(tenant.url, generateSummaries(`${which}${pair}`, Date.now(), LINES), LINES);
      await tenant.stop();
      bytesPerLine[which] = statSync(file).size / LINES;
      // The first pair warms up the disk cache; it is not counted.
      if (pair > 0) runs[which].push(ms);
    }
  }
  return { runs, bytesPerLine };
}

/** A store fed for `hours` up to `end`: every slot a minute-by-minute feed fills, filled. */
function fedStore(end: number, hours: number): MetricStore {
  const store = new MetricStore({ maxSeries: SERIES });
  const dimensions = Array.from(
    { length: SERIES },
    (_, s) =>
      [
        ['service', `svc-${s % 100}`],
        ['instance', `i-${s}`],
      ] as [string, string][],
  );
  const add = (s: number, timestamp: number, min: number, max: number, sum: number, count: number) =>
    store.add(
      {
        key: 'bench.week',
        type: 'gauge',
        dimensions: dimensions[s] as [string, string][],
        stats: { min, max, sum, count },
        timestamp,
      },
      timestamp,
    );
  for (let h = hours; h >= 3; h--) for (let s = 0; s < SERIES; s++) add(s, end - h * HOUR, 0, 99, 60 * 49.5, 60);
  for (let m = 143; m >= 0; m--)
    for (let s = 0; s < SERIES; s++) add(s, end - m * MINUTE, s % 100, s % 100, s % 100, 1);
  return store;
}

async function week() {
  const now = Date.now();
  const store = fedStore(now, 7 * 24);
  const snapshotFile = join(WORK, 'week-snapshot.data');
  const loggedFile = join(WORK, 'week-logged.data');
  const agedFile = join(WORK, 'aged-snapshot.data');
  for (const f of [snapshotFile, loggedFile, agedFile]) rmSync(f, { force: true });
  // Eight days up to 30 hours ago, written then: restarted now, 30 of each series' hour slots have aged.
  const aged = await DataFile.open(agedFile, fedStore(now - 30 * HOUR, 8 * 24), now - 30 * HOUR);
  await aged.file.close();
  const snapshot = await DataFile.open(snapshotFile, store, now);
  const snapshotBytes = snapshot.file.size;
  await snapshot.file.close();
  const logged = await DataFile.open(loggedFile, store, now);
  const points: { at: number; point: StoredPoint }[] = Array.from({ length: 1_000 }, (_, i) => ({
    at: now,
    point: {
      key: 'bench.week',
      type: 'gauge',
      dimensions: [
        ['service', `svc-${i % 100}`],
        ['instance', `i-${i}`],
      ],
      stats: { min: 1, max: 1, sum: 1, count: 1 },
      timestamp: now,
    },
  }));
  while (!logged.file.wantsCompaction) await logged.file.append(now, points);
  const loggedBytes = logged.file.size;
  await logged.file.close();
  const starts = async (file: string) => {
    const ms: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const tenant = await startTenant(CLI, ['--data', file]);
      ms.push(tenant.startMs);
      await tenant.stop();
    }
    return ms;
  };
  // Starting compacts the logged file once it listens: each start gets a fresh copy.
  const loggedStarts: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    copyFileSync(loggedFile, `${loggedFile}.copy`);
    const tenant = await startTenant(CLI, ['--data', `${loggedFile}.copy`]);
    loggedStarts.push(tenant.startMs);
    await tenant.stop();
  }
  return {
    snapshotBytes,
    loggedBytes,
    snapshotStarts: await starts(snapshotFile),
    loggedStarts,
    agedBytes: statSync(agedFile).size,
    agedStarts: await starts(agedFile),
  };
}

/** 1 M records of the JSON-lines format, as the baseline appended them: 10,000 series, 100 points each. */
async function v1File(file: string): Promise<number> {
  const now = Date.now();
  const out = createWriteStream(file);
  for (let r = 0; r < V1_RECORDS; r++) {
    const s = r % SERIES;
    const timestamp = now - 100 * MINUTE + Math.floor(r / SERIES) * MINUTE;
    const v = (s + r) % 100;
    const line =
      JSON.stringify({
        at: timestamp,
        point: {
          key: 'bench.week',
          type: 'gauge',
          dimensions: [
            ['service', `svc-${s % 100}`],
            ['instance', `i-${s}`],
          ],
          stats: { min: v, max: v, sum: v, count: 1 },
          timestamp,
        },
      }) + '\n';
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return statSync(file).size;
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const baselineCli = buildBaseline(baselineRev);
  process.stdout.write('ingest throughput…\n');
  const ingest = await ingestThroughput(baselineCli);
  process.stdout.write('a simulated week…\n');
  const w = await week();
  process.stdout.write('the JSON-lines store on 1 M records…\n');
  const v1 = join(WORK, 'v1-1m.jsonl');
  const v1Bytes = await v1File(v1);
  const v1Starts: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const tenant = await startTenant(baselineCli, ['--data', v1]);
    v1Starts.push(tenant.startMs);
    await tenant.stop();
  }
  const v1PerRecord = median(v1Starts) / V1_RECORDS;

  const ratio = median(ingest.runs.baseline) / median(ingest.runs.current);
  const perPair = ingest.runs.baseline.map(
    (b, i) => `${((b / (ingest.runs.current[i] as number)) * 100).toFixed(0)} %`,
  );
  const lps = (ms: number[]) => n(LINES / (median(ms) / 1000));
  const markdown = [
    ...reportHeader('Local tenant data file', 'npm run build && node --import tsx bench/tenant-store.ts'),
    `Baseline: the JSON-lines store of commit \`${baselineRev}\` (every point appended as a JSON line, the whole file replayed at start), built from git in the same run.`,
    '',
    '## Ingest with a data file',
    '',
    `${n(LINES)} lines (summaries with four dimensions) POSTed by a raw undici client, 4 requests in flight, batches of 1,000 lines, to \`dtmetrics serve --data\`; median of ${PAIRS} alternating pairs after one untimed pair.`,
    '',
    '| Store | Time (ms) | Lines/s | Data file bytes per line |',
    '|---|--:|--:|--:|',
    `| JSON lines (\`${baselineRev}\`) | ${n(median(ingest.runs.baseline))} | ${lps(ingest.runs.baseline)} | ${ingest.bytesPerLine.baseline.toFixed(0)} |`,
    `| snapshot + log (this commit) | ${n(median(ingest.runs.current))} | ${lps(ingest.runs.current)} | ${ingest.bytesPerLine.current.toFixed(0)} |`,
    '',
    `**Throughput: ${(ratio * 100).toFixed(1)} %** of the baseline's (target: no worse, ≥ 100 % within noise); per pair: ${perPair.join(', ')}.`,
    `Runs (ms): baseline ${ingest.runs.baseline.map(n).join(', ')}; this commit ${ingest.runs.current.map(n).join(', ')}.`,
    '',
    '## A week of 10,000 series at one point a minute',
    '',
    `${n(WEEK_POINTS)} points' worth of slots (every slot of both rings of every series occupied).`,
    '',
    '| Data file | Size (MB) | `dtmetrics serve` start to listening (ms) |',
    '|---|--:|--:|',
    `| snapshot + log (this commit), right after a compaction | ${mb(w.snapshotBytes)} | ${n(median(w.snapshotStarts))} (median of ${STARTS}: ${w.snapshotStarts.map(n).join(', ')}) |`,
    `| snapshot + log (this commit), the log full up to the point a compaction starts (the largest it gets; compacted after the start) | ${mb(w.loggedBytes)} | ${n(median(w.loggedStarts))} (median of ${STARTS}: ${w.loggedStarts.map(n).join(', ')}) |`,
    `| snapshot (this commit) of a tenant fed for 8 days, restarted 30 h after its last point (30 hour slots a series aged, dropped as read) | ${mb(w.agedBytes)} | ${n(median(w.agedStarts))} (median of ${STARTS}: ${w.agedStarts.map(n).join(', ')}) |`,
    `| JSON lines (\`${baselineRev}\`), scaled from ${n(V1_RECORDS)} records (${mb(v1Bytes)} MB, start ${n(median(v1Starts))} ms) to ${n(WEEK_POINTS)} | ${n(((v1Bytes / V1_RECORDS) * WEEK_POINTS) / 1e6)} | ${n(v1PerRecord * WEEK_POINTS)} |`,
    '',
    `Target: a start after such a week in ≤ 2,000 ms: ${Math.max(median(w.snapshotStarts), median(w.loggedStarts), median(w.agedStarts)) <= 2_000 ? '**met**' : '**missed**'}. The file's size is bounded by series × slots: it does not grow with time.`,
    '',
  ].join('\n');
  writeReport(RESULTS, markdown);
}

runBenchmark(main);
