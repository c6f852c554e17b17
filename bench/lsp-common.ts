/** What the language-server benchmarks (lsp-latency.ts, lsp-typing.ts) share: their document, statistics, formats. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { parseLine, type DataLine } from '#core/parse.ts';
import { ensureDataSet, NOW_MS } from './generate-metrics.ts';

export const SEED = 20260101;

export interface MetricLines {
  /** The document's lines, timestamps moved. */
  lines: string[];
  /** Its data lines, parsed before the move (the offsets are the same: the moved timestamps keep their digits). */
  data: Array<{ index: number; parsed: DataLine }>;
  /** What the lines are, for the report. */
  composition: string;
}

/**
 * About `targetBytes` of metric lines from the lint benchmark's generator (seed SEED), generated into a temporary
 * folder. Its timestamps lie in the hour before 2026-01-01; they are moved (same digits count) to end at `endMs`:
 * 5 minutes after now for a live file, where the timestamp window check passes and only the generated mistakes are
 * reported, or days ago for a file of stale points, each with a finding.
 */
export function metricLines(targetBytes: number, endMs: number): MetricLines {
  const dir = mkdtempSync(join(tmpdir(), 'dtmetrics-lsp-bench-'));
  let raw: string;
  let composition: string;
  try {
    const set = ensureDataSet(dir, SEED, targetBytes);
    raw = readFileSync(join(dir, set.full.file), 'utf8');
    const f = set.full;
    composition = `${fmtInt(f.dataLines)} data, ${fmtInt(f.metadataLines)} metadata, ${fmtInt(f.commentLines)} comment and ${fmtInt(f.blankLines)} blank lines, ${fmtInt(f.invalidLines)} with a deliberate mistake`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const shift = endMs - NOW_MS;
  const lines = raw.split('\n');
  const data: MetricLines['data'] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const parsed = parseLine(line);
    if (parsed.kind !== 'data') continue;
    if (parsed.timestamp && /^\d{13}$/.test(parsed.timestamp.text)) {
      lines[i] =
        line.slice(0, parsed.timestamp.start) +
        String(Number(parsed.timestamp.text) + shift) +
        line.slice(parsed.timestamp.end);
    }
    data.push({ index: i, parsed });
  }
  return { lines, data, composition };
}

export function withTimeout<T>(promise: Promise<T>, what: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export interface Stats {
  n: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles. */
export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (q: number) => s[Math.max(0, Math.ceil(q * s.length) - 1)] as number;
  return {
    n: s.length,
    p50: rank(0.5),
    p95: rank(0.95),
    min: s[0] as number,
    max: s[s.length - 1] as number,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fmtMs = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));
export const fmtMB = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;
export const verdict = (ok: boolean): string => (ok ? '**met**' : '**missed**');

/**
 * A language server started as `node …nodeArgs script --stdio` (the bench's own NODE_OPTIONS are not the
 * server's), with a connection that answers what every client answers (settings as defaults, log lines dropped).
 * The caller adds its handlers, then listens.
 */
export function startLanguageServer(
  script: string,
  nodeArgs: string[],
  cwd?: string,
): { child: ChildProcess; connection: ProtocolConnection } {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [...nodeArgs, script, '--stdio'], {
    ...(cwd ? { cwd } : {}),
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (!child.stdout || !child.stdin) throw new Error(`${script}: no stdio`);
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({})));
  connection.onNotification('window/logMessage', () => undefined);
  return { child, connection };
}
