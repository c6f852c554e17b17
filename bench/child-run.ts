/**
 * What the throughput benchmarks share: a child `node` process timed from spawn to exit, with its own peak RSS
 * (reported by bench/peak-rss.cjs as it exits), the data set they read, and the medians and number formats of their
 * reports.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDataSet, type Composition, type DataSet } from './generate-metrics.ts';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(BENCH_DIR, '..');
export const DATA_DIR = join(BENCH_DIR, '.data');
export const CLI = join(ROOT, 'dist', 'cli.js');
const PEAK_RSS = join(BENCH_DIR, 'peak-rss.cjs');
/** A child that takes longer than this is killed and the bench fails: the run time stays bounded. */
export const CHILD_TIMEOUT_MS = 120_000;
const PEAK_RSS_ENV = 'DTMETRICS_BENCH_PEAK_RSS_FILE';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  wallMs: number;
  peakRssKb: number;
  stdout: string;
  stderr: string;
}

export interface Sample {
  wallMs: number;
  peakRssKb: number;
}

let childSeq = 0;

/** Runs `node --require peak-rss.cjs …args`; stdout is captured or sent to /dev/null. */
export function runChild(args: string[], stdout: 'capture' | 'discard'): Promise<ChildResult> {
  const rssFile = join(DATA_DIR, `peak-rss-${process.pid}-${childSeq++}.txt`);
  rmSync(rssFile, { force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, [PEAK_RSS_ENV]: rssFile };
  delete env.NODE_OPTIONS;
  const devNull = stdout === 'discard' ? openSync('/dev/null', 'w') : null;
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    let wallMs = NaN;
    const child = spawn(process.execPath, ['--require', PEAK_RSS, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', devNull ?? 'pipe', 'pipe'],
      timeout: CHILD_TIMEOUT_MS,
    });
    if (devNull !== null) closeSync(devNull);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('exit', () => {
      wallMs = performance.now() - started;
    });
    child.on('close', (code, signal) => {
      if (Number.isNaN(wallMs)) wallMs = performance.now() - started;
      let peakRssKb = NaN;
      if (existsSync(rssFile)) {
        peakRssKb = Number(readFileSync(rssFile, 'utf8').trim());
        rmSync(rssFile, { force: true });
      }
      resolveRun({
        code,
        signal,
        wallMs,
        peakRssKb,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

export function describeExit(r: ChildResult): string {
  const how = r.signal
    ? `was killed by ${r.signal}${r.signal === 'SIGTERM' ? ` (timeout ${CHILD_TIMEOUT_MS / 1000} s?)` : ''}`
    : `exited ${r.code}`;
  const stderr = r.stderr.trim();
  return stderr ? `${how}: ${stderr.split('\n').slice(0, 5).join(' | ')}` : how;
}

export function checkedRss(r: ChildResult, what: string): number {
  if (!Number.isFinite(r.peakRssKb) || r.peakRssKb <= 0)
    throw new Error(`${what}: no peak RSS was reported by bench/peak-rss.cjs`);
  return r.peakRssKb;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const at = (i: number): number => sorted[i] ?? NaN;
  return sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

export interface Summary {
  wallMs: number;
  mbPerS: number;
  linesPerS: number;
  peakRssKb: number;
}

/** The medians of one measurement's runs over a file of `composition`. */
export function summarize({ samples, composition }: { samples: Sample[]; composition: Composition }): Summary {
  const wallMs = median(samples.map((s) => s.wallMs));
  return {
    wallMs,
    mbPerS: composition.bytes / 1e6 / (wallMs / 1000),
    linesPerS: composition.lines / (wallMs / 1000),
    peakRssKb: median(samples.map((s) => s.peakRssKb)),
  };
}

export const fmt = (n: number, digits: number): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const mib = (kb: number): number => kb / 1024;

/** BENCH_RUNS, or `fallback`: how many times each measurement runs (at least 3, for a median). */
export function runCount(fallback: number): number {
  const env = process.env.BENCH_RUNS;
  if (env === undefined || env === '') return fallback;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 3) throw new Error(`BENCH_RUNS must be a whole number of 3 or more, not '${env}'`);
  return n;
}

/** The lint benchmark's data set, which the stats benchmark reads too: one seed and size for both. */
const DATA_SET_SEED = 20260101;
const DATA_SET_BYTES = 100_000_000;

/**
 * The benchmarks' data set (about 100 MB and its quarter), generated once into DATA_DIR and reused; the CLI they run
 * must be built. `other` > 0: another data set of the same size and generator from the seed that many after it
 * (other series and values), for inputs larger than one.
 */
export function prepareDataSet(log: (text: string) => void, other = 0): DataSet {
  if (!existsSync(CLI)) throw new Error(`${relative(ROOT, CLI)} is missing: run \`npm run build\` first`);
  mkdirSync(DATA_DIR, { recursive: true });
  const seed = DATA_SET_SEED + other;
  log(`Preparing ~${DATA_SET_BYTES / 1e6} MB of metric lines in ${relative(ROOT, DATA_DIR)}/ (seed ${seed})…`);
  return ensureDataSet(DATA_DIR, seed, DATA_SET_BYTES);
}
