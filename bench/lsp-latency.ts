/**
 * `node --import tsx bench/lsp-latency.ts` (after `npm run build`): how long an editor waits, over a real JSON-RPC
 * connection on stdio, from a one-character `didChange` to the diagnostics of the changed version, for a 1 MB
 * document, compared in the same run with `vscode-json-languageserver` (npm) on a 1 MB JSON document. Also the
 * extension's bundle sizes and how long its bundle takes to load. See bench/README.md. Writes bench/LSP-RESULTS.md.
 *
 * dtmetrics is measured in pull mode: `didChange`, then at once `textDocument/diagnostic`, timed from sending the
 * change to receiving the report (the server lints on demand, so no server-side delay hides in it). The JSON server
 * has no pull diagnostics; its closest equivalent is its own `json/validate` request, which validates the current
 * version at once and answers with the diagnostics. That pair is the main comparison. Push mode is measured too, for
 * both servers: `didChange` → `textDocument/publishDiagnostics`; there the JSON server waits a fixed 300 ms before it
 * validates, so that row shows what an editor sees rather than how fast the server works.
 *
 * The four servers run side by side; edits alternate between the dtmetrics and the JSON server, so both see the
 * same machine noise. Every wait is on a message, with a deadline; the whole run has one too, and every server
 * process is shut down (or killed) before the script ends.
 * Environment: BENCH_EDITS=n measured edits per measurement (default 60, at least 50); BENCH_CPU_PROF=DIR starts the
 * servers with `--cpu-prof --cpu-prof-dir=DIR`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, type } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { parseLine, type DataLine } from '../server/src/core/parse.ts';
import { VALIDATED_NOTIFICATION, type ValidatedParams } from '../server/src/protocol.ts';
import { ensureDataSet, NOW_MS } from './generate-metrics.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const DTMETRICS_SERVER = join(ROOT, 'dist', 'server.js');
const EXTENSION_BUNDLE = join(ROOT, 'dist', 'extension.js');
const JSON_PACKAGE = join(ROOT, 'node_modules', 'vscode-json-languageserver');
const JSON_SERVER = join(JSON_PACKAGE, 'out', 'node', 'jsonServerMain.js');
const RESULTS = join(BENCH_DIR, 'LSP-RESULTS.md');

const SEED = 20260101;
const TARGET_BYTES = 1_000_000;
const EDITS = Math.max(50, Number(process.env.BENCH_EDITS) || 60);
const WARMUP_EDITS = 10;
const LOAD_RUNS = 7;
const TARGET_P95_MS = 20;
const TARGET_RATIO = 5;
const TARGET_ACTIVATION_MS = 100;
const TARGET_BUNDLE_BYTES = 1_000_000;
/** One reply later than this fails the run; the whole run is bounded by RUN_DEADLINE_MS. */
const REPLY_TIMEOUT_MS = 15_000;
const RUN_DEADLINE_MS = 110_000;
/** vscode-json-languageserver 1.3.4 validates 300 ms after the last change (jsonServer.js, validationDelayMs). */
const JSON_VALIDATION_DELAY_MS = 300;

const started = performance.now();

// ------------------------------------------------------------------ documents

interface Position {
  line: number;
  character: number;
}

interface Doc {
  text: string;
  lines: number;
  bytes: number;
  /** Where the one-character edits go: inside a value, one place per line, spread over the document. */
  spots: Position[];
  describe: string;
}

/** Spots spread evenly over the candidate lines, `count` of them. */
function spread(candidates: Position[], count: number): Position[] {
  if (candidates.length === 0) throw new Error('no line to edit in the document');
  const out: Position[] = [];
  for (let i = 0; i < count; i++) out.push(candidates[Math.floor(((i + 0.5) * candidates.length) / count)] as Position);
  return out;
}

/**
 * ~1 MB of metric lines from the lint benchmark's generator (same seed), generated into a temporary folder. Its
 * timestamps lie in the hour before 2026-01-01; they are moved to end 5 minutes after now (same digits count), so
 * that the timestamp window check runs as in a live file and only the generated mistakes are reported.
 */
function metricsDocument(): { doc: Doc; parsed: DataLine[] } {
  const dir = mkdtempSync(join(tmpdir(), 'dtmetrics-lsp-bench-'));
  let raw: string;
  let composition: string;
  try {
    const data = ensureDataSet(dir, SEED, TARGET_BYTES);
    raw = readFileSync(join(dir, data.full.file), 'utf8');
    const f = data.full;
    composition = `${fmtInt(f.dataLines)} data, ${fmtInt(f.metadataLines)} metadata, ${fmtInt(f.commentLines)} comment and ${fmtInt(f.blankLines)} blank lines, ${fmtInt(f.invalidLines)} with a deliberate mistake`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const shift = Date.now() - NOW_MS + 300_000;
  const parsed: DataLine[] = [];
  const candidates: Position[] = [];
  const lines = raw.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string;
    const p = parseLine(line);
    if (p.kind !== 'data') continue;
    if (p.timestamp && /^\d{13}$/.test(p.timestamp.text)) {
      line = line.slice(0, p.timestamp.start) + String(Number(p.timestamp.text) + shift) + line.slice(p.timestamp.end);
      lines[i] = line;
    }
    parsed.push(p);
    if (p.problems.length > 0) continue;
    // The unquoted dimension value nearest the middle of the line, edited in its middle between two letters or digits.
    const mid = line.length / 2;
    let best: Position | null = null;
    for (const d of p.dimensions) {
      if (d.quoted || d.value.end - d.value.start < 4) continue;
      const at = d.value.start + Math.floor((d.value.end - d.value.start) / 2);
      if (!/^[a-z0-9]{2}$/i.test(line.slice(at - 1, at + 1))) continue;
      if (!best || Math.abs(at - mid) < Math.abs(best.character - mid)) best = { line: i, character: at };
    }
    if (best) candidates.push(best);
  }
  const text = lines.join('\n');
  return {
    doc: { text, lines: lines.length, bytes: Buffer.byteLength(text), spots: spread(candidates, 64), describe: composition },
    parsed,
  };
}

/**
 * ~1 MB of JSON with the same content: an array of objects, one per data line (metric, dimensions, value or summary,
 * timestamp), as JSON.stringify(…, null, 2) writes it; edits go inside string values.
 */
function jsonDocument(parsed: DataLine[]): Doc {
  const records: unknown[] = [];
  let bytes = 4;
  for (let i = 0; bytes < TARGET_BYTES; i++) {
    const p = parsed[i % parsed.length] as DataLine;
    const record: Record<string, unknown> = { metric: p.key.text, dimensions: Object.fromEntries(p.dimensions.map((d) => [d.key.text, d.text])) };
    const payload = p.payload;
    if (payload?.kind === 'gauge') record.gauge = Number(payload.value.text);
    else if (payload?.kind === 'count') record.count = { delta: Number(payload.delta?.text ?? payload.legacy?.text) };
    else if (payload?.kind === 'summary') record.summary = Object.fromEntries(payload.fields.map((f) => [f.name.text, Number(f.value.text)]));
    if (p.timestamp) record.timestamp = Number(p.timestamp.text);
    records.push(record);
    bytes += Buffer.byteLength(JSON.stringify(record, null, 2)) + 8;
  }
  const text = JSON.stringify(records, null, 2) + '\n';
  const lines = text.split('\n');
  const candidates: Position[] = [];
  lines.forEach((line, i) => {
    const m = /^(\s*"[^"\\]+": ")([a-z0-9][a-z0-9._-]{3,})",?$/i.exec(line);
    if (m) candidates.push({ line: i, character: (m[1] as string).length + Math.floor((m[2] as string).length / 2) });
  });
  return { text, lines: lines.length, bytes: Buffer.byteLength(text), spots: spread(candidates, 64), describe: `${fmtInt(records.length)} objects, 2-space indentation` };
}
