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
 * The servers are measured in pairs (dtmetrics pull with JSON validate, then dtmetrics push with JSON push); the two
 * servers of a pair take turns by blocks of edits, so both see the same machine noise. The extension's activation is
 * timed in a real VS Code through the project's code-server harness when it is installed, and its bundle's load
 * time in plain `node` in any case. Every wait is on a message, with a deadline; the whole run has one too, and
 * every process started here is shut down (or killed) before the script ends.
 * Environment: BENCH_EDITS=n measured edits per measurement (default 60, at least 50); BENCH_CPU_PROF=DIR starts the
 * servers with `--cpu-prof --cpu-prof-dir=DIR`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { reportHeader } from './report-header.ts';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import type { DataLine } from '#core/parse.ts';
import { ValidatedNotification } from '#protocol';
import { fmtInt, fmtMB, fmtMs, metricLines, SEED, startLanguageServer, stats, verdict, withTimeout as within, type Stats } from './lsp-common.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const DTMETRICS_SERVER = join(ROOT, 'dist', 'server.js');
const EXTENSION_BUNDLE = join(ROOT, 'dist', 'extension.js');
const JSON_PACKAGE = join(ROOT, 'node_modules', 'vscode-json-languageserver');
const JSON_SERVER = join(JSON_PACKAGE, 'out', 'node', 'jsonServerMain.js');
const RESULTS = join(BENCH_DIR, 'LSP-RESULTS.md');
const RUN_TESTS = join(ROOT, 'scripts', 'vscode', 'run-tests.mjs');

const TARGET_BYTES = 1_000_000;
const EDITS = Math.max(50, Number(process.env.BENCH_EDITS) || 60);
const WARMUP_EDITS = 10;
const LOAD_RUNS = 7;
/** Fresh code-server runs for the activation figure (about 8 s each). */
const ACTIVATION_RUNS = 5;
const TARGET_P95_MS = 20;
const TARGET_RATIO = 5;
const TARGET_ACTIVATION_MS = 100;
const TARGET_BUNDLE_BYTES = 1_000_000;
/** One reply later than this fails the run; the whole run is bounded by RUN_DEADLINE_MS. */
const REPLY_TIMEOUT_MS = 15_000;
const RUN_DEADLINE_MS = 240_000;
/** vscode-json-languageserver 1.3.4 validates 300 ms after the last change (jsonServer.js, validationDelayMs). */
const JSON_VALIDATION_DELAY_MS = 300;

const benchStart = performance.now();

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
 * ~1 MB of metric lines (lsp-common.ts), timestamps ending 5 minutes from now; edits go inside a value, one place
 * per line, spread over the document.
 */
function metricsDocument(): { doc: Doc; parsed: DataLine[] } {
  const { lines, data, composition } = metricLines(TARGET_BYTES, Date.now() + 300_000);
  const candidates: Position[] = [];
  for (const { index, parsed: p } of data) {
    if (p.problems.length > 0) continue;
    const line = lines[index] as string;
    // The unquoted dimension value nearest the middle of the line, edited in its middle between two letters or digits.
    const mid = line.length / 2;
    let best: Position | null = null;
    for (const d of p.dimensions) {
      if (d.quoted || d.value.end - d.value.start < 4) continue;
      const at = d.value.start + Math.floor((d.value.end - d.value.start) / 2);
      if (!/^[a-z0-9]{2}$/i.test(line.slice(at - 1, at + 1))) continue;
      if (!best || Math.abs(at - mid) < Math.abs(best.character - mid)) best = { line: index, character: at };
    }
    if (best) candidates.push(best);
  }
  const text = lines.join('\n');
  return {
    doc: { text, lines: lines.length, bytes: Buffer.byteLength(text), spots: spread(candidates, 64), describe: composition },
    parsed: data.map((d) => d.parsed),
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
    // Inside the array every line of the record is indented two more spaces; `,\n` between records.
    const own = JSON.stringify(record, null, 2);
    bytes += Buffer.byteLength(own) + 2 * own.split('\n').length + 2;
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

// ------------------------------------------------------------------ servers

/**
 * pull: `textDocument/diagnostic` right after the change. validate: the JSON server's `json/validate` request right
 * after the change. push: the next `textDocument/publishDiagnostics` (dtmetrics: of the changed version).
 */
type Mode = 'pull' | 'validate' | 'push';

interface Reply {
  ms: number;
  version: number;
  diagnostics: Diagnostic[];
}

const children = new Set<ChildProcess>();

const withTimeout = <T>(promise: Promise<T>, what: string, ms = REPLY_TIMEOUT_MS): Promise<T> => within(promise, what, ms);

class Server {
  readonly child: ChildProcess;
  readonly connection: ProtocolConnection;
  readonly exited: Promise<number | null>;
  /** From spawning the process to the answer to `initialize`. */
  startMs = NaN;
  private readonly spawnedAt: number;
  version = 0;
  /** Every publishDiagnostics for the document, whether awaited or not. */
  publishes = 0;
  /** Delayed validations that settle() waited for, after a block of edits. */
  settled = 0;
  /** Delayed validations that published while a `json/validate` edit was in flight: they delayed its answer. */
  strays = 0;
  private publishesAtAnswer = 0;
  private stopped = false;
  /** dtmetrics only: how long the server itself linted each version (its `dtmetrics/validated` notification). */
  readonly lintMs = new Map<number, number>();
  private stderr = '';
  private waiter: ((p: PublishDiagnosticsParams) => void) | null = null;

  constructor(
    readonly name: string,
    script: string,
    readonly mode: Mode,
    readonly uri: string,
    readonly languageId: string,
  ) {
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF)}`, `--cpu-prof-name=${name.replace(/\W+/g, '-')}-${mode}.cpuprofile`] : [];
    this.spawnedAt = performance.now();
    ({ child: this.child, connection: this.connection } = startLanguageServer(script, profile, ROOT));
    children.add(this.child);
    this.exited = new Promise((resolveExit) =>
      this.child.once('exit', (code) => {
        children.delete(this.child);
        resolveExit(code);
      }),
    );
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.connection.onRequest('workspace/diagnostic/refresh', () => null);
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      if (p.uri !== this.uri) return;
      this.publishes++;
      this.waiter?.(p);
    });
    this.connection.onNotification(ValidatedNotification, (p) => {
      if (p.uri === this.uri) this.lintMs.set(p.version, p.durationMs);
    });
    this.connection.onClose(() => this.waiter?.({ uri: this.uri, diagnostics: [], version: -1 }));
    this.connection.listen();
  }

  get label(): string {
    return `${this.name} (${this.mode})`;
  }

  async initialize(): Promise<void> {
    const json = this.languageId === 'json';
    await withTimeout(
      this.connection.sendRequest('initialize', {
        processId: process.pid,
        rootUri: null,
        workspaceFolders: null,
        capabilities: {
          workspace: { configuration: !json },
          textDocument: {
            synchronization: { dynamicRegistration: false },
            publishDiagnostics: { versionSupport: true },
            ...(this.mode === 'pull' ? { diagnostic: { dynamicRegistration: false } } : {}),
          },
        },
        // As VS Code's JSON extension starts it: no schema download, no formatter.
        initializationOptions: json ? { handledSchemaProtocols: ['file'], provideFormatter: false } : undefined,
      }),
      `${this.label}: initialize`,
    );
    this.startMs = performance.now() - this.spawnedAt;
    await this.connection.sendNotification('initialized', {});
    if (json) {
      // The settings VS Code sends on start; `json.validate.enable` is VS Code's client-side switch (on by default).
      await this.connection.sendNotification('workspace/didChangeConfiguration', {
        settings: { json: { schemas: [], resultLimit: 5000, validate: { enable: true } }, http: { proxyStrictSSL: true } },
      });
    }
  }

  /** Opens the document and waits for its first diagnostics. */
  async open(text: string): Promise<Reply> {
    this.version = 1;
    const t0 = performance.now();
    const published = this.mode === 'push' ? this.nextPublish(1) : null;
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: this.uri, languageId: this.languageId, version: 1, text } });
    const diagnostics = await withTimeout(published ?? this.request(), `${this.label}: diagnostics of the opened document`, 60_000);
    return { ms: performance.now() - t0, version: 1, diagnostics };
  }

  /** A one-character edit at `at` (insert `char`, or delete the character there), timed until its diagnostics. */
  async edit(at: Position, char: string | null): Promise<Reply> {
    const version = ++this.version;
    const range = { start: at, end: char === null ? { line: at.line, character: at.character + 1 } : at };
    const published = this.mode === 'push' ? this.nextPublish(version) : null;
    const publishesBefore = this.publishes;
    const t0 = performance.now();
    const sent = this.connection.sendNotification('textDocument/didChange', { textDocument: { uri: this.uri, version }, contentChanges: [{ range, text: char ?? '' }] });
    const diagnostics = await withTimeout(published ?? this.request(), `${this.label}: diagnostics of version ${version}`);
    const ms = performance.now() - t0;
    if (this.mode === 'validate') {
      // Its own answer publishes once, just before it: anything more is a delayed validation that got in first.
      this.strays += Math.max(0, this.publishes - publishesBefore - 1);
      this.publishesAtAnswer = this.publishes;
    }
    await sent;
    return { ms, version, diagnostics };
  }

  private async request(): Promise<Diagnostic[]> {
    if (this.mode === 'pull') {
      const report = (await this.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: this.uri } })) as { kind: string; items?: Diagnostic[] };
      if (report.kind !== 'full' || !report.items) throw new Error(`${this.label}: expected a full report, got ${report.kind}`);
      return report.items;
    }
    // ForceValidateRequest: validates the current version at once; VS Code's JSON client sends the URI alone.
    return (await this.connection.sendRequest('json/validate', this.uri)) as Diagnostic[];
  }

  /**
   * The next publishDiagnostics for the document: for dtmetrics the one of `version` (it publishes versions), for the
   * JSON server the next one at all (it publishes no version, but only for the document's current version, and only
   * one edit is ever outstanding).
   */
  private nextPublish(version: number): Promise<Diagnostic[]> {
    return new Promise((resolvePublish, reject) => {
      this.waiter = (p) => {
        if (p.version === -1) reject(new Error(`${this.label}: the connection closed`));
        else if (p.version !== undefined && p.version !== null && p.version !== version) return;
        this.waiter = null;
        resolvePublish(p.diagnostics);
      };
    });
  }

  /**
   * The JSON server validates again by itself 300 ms after the last message about the document (`json/validate`
   * restarts that timer too) and publishes the result. After a block of `json/validate` edits, wait for that
   * publish, so that validation never runs while the other server of the pair is being timed. It always comes after
   * the last answer: the timer starts when the request arrives, and the answer is sent first.
   */
  async settle(): Promise<void> {
    if (this.mode !== 'validate') return;
    if (this.publishes === this.publishesAtAnswer) {
      await withTimeout(
        new Promise<void>((resolveSettle) => {
          this.waiter = () => {
            this.waiter = null;
            resolveSettle();
          };
        }),
        `${this.label}: its delayed validation`,
        5000,
      );
    }
    this.settled++;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      await withTimeout(this.connection.sendRequest('shutdown'), `${this.label}: shutdown`, 5000);
      await this.connection.sendNotification('exit');
      await withTimeout(this.exited, `${this.label}: exit`, 5000);
    } catch {
      if (this.child.exitCode === null && this.child.pid !== undefined) this.child.kill('SIGKILL');
    } finally {
      this.connection.dispose();
    }
  }

  get errors(): string {
    return this.stderr.trim();
  }
}

// ------------------------------------------------------------------ measurements

/** Edits `i` of a series: pairs on one spot, insert then delete, so the text comes back after every pair. */
function editOf(doc: Doc, i: number): [Position, string | null] {
  return [doc.spots[Math.floor(i / 2) % doc.spots.length] as Position, i % 2 === 0 ? 'x' : null];
}

const onLine = (ds: Diagnostic[], line: number): Diagnostic[] => ds.filter((d) => d.range.start.line === line);

/**
 * Before timing: an edit that breaks a line must come back with a diagnostic on that line, and its undo with none
 * there and as many as before: the answers are of the changed version, not an older one.
 */
async function sanityCheck(server: Server, doc: Doc, initial: Diagnostic[], breaker: string): Promise<string> {
  const spot = doc.spots.find((s) => onLine(initial, s.line).length === 0);
  if (!spot) throw new Error(`${server.label}: every edited line already has a diagnostic`);
  const broken = await server.edit(spot, breaker);
  const fixed = await server.edit(spot, null);
  const found = onLine(broken.diagnostics, spot.line);
  if (found.length === 0) throw new Error(`${server.label}: inserting ${JSON.stringify(breaker)} at ${spot.line}:${spot.character} gave no diagnostic on that line`);
  if (onLine(fixed.diagnostics, spot.line).length > 0 || fixed.diagnostics.length !== initial.length) {
    throw new Error(`${server.label}: after undoing the edit, ${fixed.diagnostics.length} diagnostics (${initial.length} before)`);
  }
  return `${JSON.stringify(breaker)} → ${String(found[0]?.code ?? JSON.stringify(found[0]?.message).slice(0, 60))}`;
}

interface Series {
  server: Server;
  doc: Doc;
  initial: Diagnostic[];
  openMs: number;
  check: string;
  samples: number[];
  /** dtmetrics: the server's own lint time for each measured version. */
  lintMs: number[];
  /** JSON validate: delayed validations that got in before a timed edit's answer. */
  strays: number;
  final: number;
}

async function prepare(server: Server, doc: Doc, breaker: string): Promise<Series> {
  await server.initialize();
  const opened = await server.open(doc.text);
  const check = await sanityCheck(server, doc, opened.diagnostics, breaker);
  return { server, doc, initial: opened.diagnostics, openMs: opened.ms, check, samples: [], lintMs: [], strays: 0, final: -1 };
}

/** Edits per turn: the series of a pair take turns by blocks of this many edits. */
const BLOCK = 10;

/**
 * Runs the series by turns, a block of edits each, so they share the machine's noise. Between blocks the JSON
 * server's own delayed validation is waited for, so it never overlaps a timed edit of the other server.
 */
async function interleave(series: Series[]): Promise<void> {
  for (const s of series) await s.server.settle();
  const total = WARMUP_EDITS + EDITS;
  for (let block = 0; block < total; block += BLOCK) {
    for (const s of series) {
      for (let i = block; i < Math.min(total, block + BLOCK); i++) {
        const [at, char] = editOf(s.doc, i);
        const straysBefore = s.server.strays;
        const reply = await s.server.edit(at, char);
        if (i < WARMUP_EDITS) continue;
        s.strays += s.server.strays - straysBefore;
        s.samples.push(reply.ms);
        const lint = s.server.lintMs.get(reply.version);
        if (lint !== undefined) s.lintMs.push(lint);
      }
      await s.server.settle();
    }
  }
  for (const s of series) {
    if (s.server.mode === 'push') continue;
    s.final = (await s.server.edit(...editOf(s.doc, 0))).diagnostics.length;
    await s.server.edit(...editOf(s.doc, 1));
  }
}

// ------------------------------------------------------------------ the extension bundle

/**
 * Loads dist/extension.js in a fresh `node` with `vscode` stubbed (only the extension host provides it) and reports
 * how long `require` took: module evaluation of the bundle and everything it pulls in, not `activate()`.
 */
const LOAD_SCRIPT = `
const Module = require('node:module');
const stub = new Proxy(function () {}, {
  get: (_t, p) => (typeof p === 'symbol' || p === 'then' ? undefined : stub),
  apply: () => stub,
  construct: () => stub,
});
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? stub : load.call(this, request, ...rest); };
const t0 = performance.now();
const extension = require(process.argv[1]);
const ms = performance.now() - t0;
if (typeof extension.activate !== 'function') throw new Error('the bundle exports no activate()');
process.stdout.write(JSON.stringify({ ms }));
`;

function loadOnce(): Promise<number> {
  return new Promise((resolveLoad, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, ['-e', LOAD_SCRIPT, EXTENSION_BUNDLE], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      if (code !== 0) reject(new Error(`loading dist/extension.js failed (exit ${code}): ${err.trim()}`));
      else resolveLoad((JSON.parse(out) as { ms: number }).ms);
    });
  });
}

/**
 * The extension's activation in a real VS Code, when code-server is installed (scripts/vscode/install.sh): the
 * project's harness (scripts/vscode/run-tests.mjs) runs a one-function suite, written to a temporary folder, that
 * opens a `.dtmetrics` document (activation event `onLanguage:dtmetrics`, as for a user), waits for the extension to
 * be active, then reads VS Code's own figures from its "Startup Performance" view (`perfview.show`, table
 * "Extension Activation Stats"): the time to load the code and to call `activate()`. Their sum is what VS Code
 * shows as the extension's activation time (Developer: Show Running Extensions). An extension activates once per
 * window, so each sample is a fresh code-server.
 */
const ACTIVATION_SUITE = `
exports.run = async function () {
  const vscode = require('vscode');
  const extension = vscode.extensions.getExtension('dtmetrics.dtmetrics');
  if (!extension) throw new Error('dtmetrics.dtmetrics is not installed in the editor under test');
  if (extension.isActive) throw new Error('the extension was already active when the suite started');
  const until = async (what, ok) => {
    const deadline = Date.now() + 30000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await vscode.workspace.openTextDocument({ language: 'dtmetrics', content: 'cpu.temperature,host=a gauge,17.1\\n' });
  await until('activation', () => extension.isActive);
  await vscode.commands.executeCommand('perfview.show');
  const perf = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'perf', path: 'Startup Performance' }));
  const row = () => perf.getText().split('\\n').find((l) => l.startsWith('| dtmetrics.dtmetrics '));
  await until('the Startup Performance view', () => row() !== undefined);
  const [loadCode, callActivate, finishActivate, event] = row().split('|').slice(3, 7).map((c) => c.trim());
  console.log('DTMETRICS_ACTIVATION ' + JSON.stringify({ loadCode: +loadCode, callActivate: +callActivate, finishActivate: +finishActivate, event }));
};
`;

/** VS Code's activation figures for the extension, in ms, from one fresh editor. */
interface ActivationSample {
  loadCode: number;
  callActivate: number;
  finishActivate: number;
  event: string;
}
type Activation = { samples: ActivationSample[]; wallS: number } | { error: string };

async function vscodeActivation(): Promise<Activation> {
  const dir = mkdtempSync(join(tmpdir(), 'dtmetrics-activation-'));
  const suite = join(dir, 'index.js');
  writeFileSync(suite, ACTIVATION_SUITE);
  const t0 = performance.now();
  const samples: ActivationSample[] = [];
  try {
    for (let i = 0; i < ACTIVATION_RUNS; i++) {
      const sample = await activationOnce(suite);
      if ('error' in sample) return sample;
      samples.push(sample);
    }
    return { samples, wallS: (performance.now() - t0) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function activationOnce(suite: string): Promise<ActivationSample | { error: string }> {
  return new Promise((resolveActivation) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    // run-tests.mjs ends code-server, the browser and the language server itself, on its own timeout or on SIGTERM.
    const child = spawn(process.execPath, [RUN_TESTS, `--extensionTestsPath=${suite}`, '--timeout=60'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 75_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      const line = /^DTMETRICS_ACTIVATION (.*)$/m.exec(out);
      const last = out.trim().split('\n').slice(-1)[0] ?? '';
      if (code !== 0 || !line) resolveActivation({ error: `code-server run failed (exit ${code}): ${last}` });
      else resolveActivation(JSON.parse(line[1] as string) as ActivationSample);
    });
  });
}

// ------------------------------------------------------------------ report

function report(rows: { pull: Series; validate: Series; dtmPush: Series; jsonPush: Series }, load: number[], activation: Activation, wallS: number): string {
  const { pull, validate, dtmPush, jsonPush } = rows;
  const sP = stats(pull.samples);
  const sV = stats(validate.samples);
  const sDp = stats(dtmPush.samples);
  const sJp = stats(jsonPush.samples);
  const lint = stats(pull.lintMs);
  const extBytes = statSync(EXTENSION_BUNDLE).size;
  const srvBytes = statSync(DTMETRICS_SERVER).size;
  const loadStats = stats(load);
  const activationStats = stats('error' in activation ? [0] : activation.samples.map((a) => a.loadCode + a.callActivate));
  const jsonVersion = (JSON.parse(readFileSync(join(JSON_PACKAGE, 'package.json'), 'utf8')) as { version: string }).version;
  const jsonName = `vscode-json-languageserver ${jsonVersion}`;
  const docM = pull.doc;
  const docJ = validate.doc;
  const ratio50 = sV.p50 / sP.p50;
  const ratio95 = sV.p95 / sP.p95;
  const row = (what: string, doc: string, s: Stats, target: string) => `| ${what} | ${doc} | ${s.n} | ${fmtMs(s.p50)} | ${fmtMs(s.p95)} | ${fmtMs(s.max)} | ${target} |`;
  const dDoc = `${fmtMB(docM.bytes)}, ${fmtInt(docM.lines)} lines`;
  const jDoc = `${fmtMB(docJ.bytes)} JSON, ${fmtInt(docJ.lines)} lines`;
  const strays = validate.strays;
  return [
    ...reportHeader('dtmetrics language server latency', 'npm run build && node --import tsx bench/lsp-latency.ts'),
    '## One-character edit → diagnostics of the changed version',
    '',
    '| Measurement | Document | Edits | p50 (ms) | p95 (ms) | max (ms) | Target |',
    '|---|---|--:|--:|--:|--:|---|',
    row('dtmetrics: `didChange` → `textDocument/diagnostic` (pull)', dDoc, sP, `p95 ≤ ${TARGET_P95_MS} ms: ${verdict(sP.p95 <= TARGET_P95_MS)}`),
    row(`${jsonName}: \`didChange\` → \`json/validate\` (no pull diagnostics; its on-demand validation)`, jDoc, sV, ''),
    `| **JSON ÷ dtmetrics, same work** (\`json/validate\` ÷ pull) | | | **×${ratio50.toFixed(1)}** | **×${ratio95.toFixed(1)}** | | ≥ ×${TARGET_RATIO} (p95): ${verdict(ratio95 >= TARGET_RATIO)} |`,
    `| JSON ÷ dtmetrics, JSON in push mode (JSON push, its ${JSON_VALIDATION_DELAY_MS} ms delay included, ÷ dtmetrics pull) | | | ×${(sJp.p50 / sP.p50).toFixed(1)} | ×${(sJp.p95 / sP.p95).toFixed(1)} | | ≥ ×${TARGET_RATIO} (p95): ${verdict(sJp.p95 / sP.p95 >= TARGET_RATIO)}, by the delay |`,
    row('dtmetrics: `didChange` → `publishDiagnostics` of that version (push)', dDoc, sDp, ''),
    row(`${jsonName}: \`didChange\` → next \`publishDiagnostics\` (push, after its fixed ${JSON_VALIDATION_DELAY_MS} ms delay)`, jDoc, sJp, ''),
    `| JSON ÷ dtmetrics (push, what an editor sees) | | | ×${(sJp.p50 / sDp.p50).toFixed(1)} | ×${(sJp.p95 / sDp.p95).toFixed(1)} | | |`,
    '',
    '## Extension',
    '',
    '| Measurement | Value | Target |',
    '|---|--:|---|',
    `| Bundle \`dist/extension.js\` | ${fmtInt(extBytes)} bytes (${fmtMB(extBytes)}) | ≤ 1 MB: ${verdict(extBytes <= TARGET_BUNDLE_BYTES)} |`,
    `| Bundle \`dist/server.js\` | ${fmtInt(srvBytes)} bytes (${fmtMB(srvBytes)}) | ≤ 1 MB: ${verdict(srvBytes <= TARGET_BUNDLE_BYTES)} |`,
    'error' in activation
      ? `| Activation in VS Code (code-server) | not measured: ${activation.error.replace(/\|/g, '\\|')} | ≤ ${TARGET_ACTIVATION_MS} ms |`
      : `| Activation in VS Code (code-server; VS Code's own figure: load code + call \`activate()\`), median of ${activation.samples.length} fresh editors | ${fmtMs(activationStats.p50)} ms (min ${fmtMs(activationStats.min)}, max ${fmtMs(activationStats.max)}) | ≤ ${TARGET_ACTIVATION_MS} ms: ${verdict(activationStats.p50 <= TARGET_ACTIVATION_MS)} |`,
    `| Load time of \`dist/extension.js\` alone (\`require\` + module evaluation, fresh \`node\`, \`vscode\` stubbed), median of ${load.length} | ${fmtMs(loadStats.p50)} ms (max ${fmtMs(loadStats.max)}) | ≤ ${TARGET_ACTIVATION_MS} ms: ${verdict(loadStats.p50 <= TARGET_ACTIVATION_MS)} (load only) |`,
    `| dtmetrics language server start (spawn → \`initialize\` answered, stdio), median of 2 | ${fmtMs(stats([pull.server.startMs, dtmPush.server.startMs]).p50)} ms | (part of activation) |`,
    '',
    '## Notes',
    '',
    `- **Latency, dtmetrics (pull): p95 ${fmtMs(sP.p95)} ms** (target ≤ ${TARGET_P95_MS} ms): ${sP.p95 <= TARGET_P95_MS ? 'meets' : 'misses'} the target. Of that, the server's own lint of the whole document (its \`dtmetrics/validated\` notification, per measured version) took p50 ${fmtMs(lint.p50)} ms, p95 ${fmtMs(lint.p95)} ms; the rest is JSON-RPC on stdio both ways, applying the edit, and turning the findings into LSP diagnostics.`,
    `- **JSON server ÷ dtmetrics, same work: ×${ratio95.toFixed(1)} at p95, ×${ratio50.toFixed(1)} at p50** (target ≥ ×${TARGET_RATIO}): ${ratio95 >= TARGET_RATIO ? 'meets' : 'misses'} the target. Against the JSON server's push latency instead (didChange → publishDiagnostics, the measure to fall back on for a server without pull diagnostics) the ratio is ×${(sJp.p95 / sP.p95).toFixed(1)} at p95, but ${JSON_VALIDATION_DELAY_MS} ms of that is the JSON server's fixed delay before it validates, not work: the kind of server-side delay the pull measurement is meant to keep out.`,
    `- Method: ${EDITS} timed edits per row after ${WARMUP_EDITS} untimed ones, each timed from sending \`didChange\` to receiving the diagnostics, with the request for them sent right after the change (pull and \`json/validate\`). Edits alternate between inserting an \`x\` in the middle of a value and deleting it again, on ${docM.spots.length} lines spread over each document (dtmetrics: an unquoted dimension value near the middle of a data line; JSON: a string value), so the text stays realistic and returns to the original after every pair. The two servers of each pair run at the same time and take turns by blocks of ${BLOCK} edits, so machine noise falls on both; the pull pair runs first, then the push pair (each server its own process with one open document, ended before the next pair starts).`,
    `- ${jsonName} does not offer pull diagnostics (no \`diagnosticProvider\`), and it publishes diagnostics ${JSON_VALIDATION_DELAY_MS} ms after the last change, without a version. The main comparison therefore uses its \`json/validate\` request (what VS Code's JSON extension sends to validate on demand): it validates the current version at once (the parse of the new version included) and answers with its diagnostics, which is the same work as a dtmetrics pull. It was started as VS Code starts it (\`handledSchemaProtocols: ["file"]\`, settings with no schema): syntax validation only. It also validates by itself ${JSON_VALIDATION_DELAY_MS} ms after the last message: the script waits for that validation after each block of its edits, so it does not overlap the other server's; it still got in before a timed edit's answer ${strays} time(s). The push rows show what an editor waits for with each server in push mode; the JSON server's includes its fixed delay.`,
    `- Sanity check before timing, on each server: an edit that breaks one line (dtmetrics: a space in a dimension value; JSON: a \`"\` in a string) returned a diagnostic on that line (dtmetrics pull ${pull.check}; push ${dtmPush.check}; JSON validate ${validate.check}; push ${jsonPush.check}), and its undo returned none there and as many as before. After the series, the document, back to its original text, had ${pull.final} dtmetrics diagnostics (${pull.initial.length} on open) and ${validate.final} JSON ones (${validate.initial.length} on open).`,
    `- dtmetrics document: the lint benchmark's generator (bench/generate-metrics.ts, seed ${SEED}) at ${fmtInt(TARGET_BYTES)} bytes: ${docM.describe}. Its lines average ${Math.round(docM.bytes / docM.lines)} bytes, so 1 MB is ${fmtInt(docM.lines)} lines rather than about 10,000. Its timestamps are moved to end 5 minutes after the run starts (same digits), so the timestamp window is checked as in a live file. ${fmtInt(pull.initial.length)} diagnostics on open; the first diagnostics took ${fmtMs(pull.openMs)} ms after \`didOpen\` (pull).`,
    `- JSON document: the same data lines as an array of ${docJ.describe}; ${fmtInt(validate.initial.length)} diagnostics on open; the first diagnostics took ${fmtMs(validate.openMs)} ms after \`didOpen\` (\`json/validate\`).`,
    'error' in activation
      ? `- Activation: VS Code could not be run here (${activation.error}); the load-time row is \`require('dist/extension.js')\` in a fresh \`node\` with a stub for the \`vscode\` module (${load.map(fmtMs).join(', ')} ms): it covers evaluating the bundle (vscode-languageclient included) but not \`activate()\`, which creates the output channel and status item and starts the language server (spawn and \`initialize\`), nor VS Code's own work around it.`
      : `- Activation: measured in a real VS Code (code-server 4.96.4 / VS Code 1.96.4 with headless chromium, through scripts/vscode/run-tests.mjs), ${activation.samples.length} fresh editors (${activation.wallS.toFixed(1)} s in all). Each opens a \`.dtmetrics\` document (activation event ${[...new Set(activation.samples.map((a) => a.event))].join(', ')}), and reads VS Code's own figures from its Startup Performance view: load code + call \`activate()\` = ${activation.samples.map((a) => `${a.loadCode} + ${a.callActivate}`).join(', ')} ms; the activation promise settled ${activation.samples.map((a) => a.finishActivate).join(', ')} ms after that. The sum is the activation time VS Code shows (Developer: Show Running Extensions). \`activate()\` returns once the language client is created; the client then starts the server in the background (spawned over IPC and initialized), shown by the status item. The workbench is still starting when the suite runs, so the figures vary from run to run. For the parts: loading the bundle alone in \`node\` takes ${fmtMs(loadStats.p50)} ms (runs: ${load.map(fmtMs).join(', ')} ms), and starting the language server to its \`initialize\` answer takes about ${fmtMs(stats([pull.server.startMs, dtmPush.server.startMs]).p50)} ms in this script (stdio; the extension uses IPC).`,
    `- Bundles: esbuild, minified (scripts/build.mjs); the extension bundle includes vscode-languageclient. Source maps are not counted (${fmtInt(statSync(EXTENSION_BUNDLE + '.map').size)} and ${fmtInt(statSync(DTMETRICS_SERVER + '.map').size)} bytes).`,
    `- Whole bench: ${wallS.toFixed(1)} s.`,
    '',
  ].join('\n');
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  for (const file of [DTMETRICS_SERVER, EXTENSION_BUNDLE, JSON_SERVER]) statSync(file); // fails early: run `npm run build`
  const { doc: metrics, parsed } = metricsDocument();
  const json = jsonDocument(parsed);
  const base = `file://${tmpdir()}/dtmetrics-lsp-bench-${process.pid}`;
  const servers: Server[] = [];
  const started = (server: Server) => (servers.push(server), server);
  try {
    const [pull, validate] = await Promise.all([
      prepare(started(new Server('dtmetrics', DTMETRICS_SERVER, 'pull', `${base}.dtmetrics`, 'dtmetrics')), metrics, ' '),
      prepare(started(new Server('vscode-json-languageserver', JSON_SERVER, 'validate', `${base}.json`, 'json')), json, '"'),
    ]);
    await interleave([pull, validate]);
    await Promise.all([pull.server.stop(), validate.server.stop()]);
    const [dtmPush, jsonPush] = await Promise.all([
      prepare(started(new Server('dtmetrics', DTMETRICS_SERVER, 'push', `${base}-push.dtmetrics`, 'dtmetrics')), metrics, ' '),
      prepare(started(new Server('vscode-json-languageserver', JSON_SERVER, 'push', `${base}-push.json`, 'json')), json, '"'),
    ]);
    await interleave([dtmPush, jsonPush]);
    await Promise.all([dtmPush.server.stop(), jsonPush.server.stop()]);
    const load: number[] = [];
    for (let i = 0; i < LOAD_RUNS; i++) load.push(await loadOnce());
    const activation = await vscodeActivation();
    const markdown = report({ pull, validate, dtmPush, jsonPush }, load, activation, (performance.now() - benchStart) / 1000);
    writeFileSync(RESULTS, markdown);
    process.stdout.write(markdown);
    process.stdout.write(`\nWritten to ${RESULTS}\n`);
  } catch (error) {
    for (const s of servers) if (s.errors) console.error(`${s.label} stderr:\n${s.errors}`);
    throw error;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

const deadline = setTimeout(() => {
  console.error(`lsp-latency: still running after ${RUN_DEADLINE_MS / 1000} s; stopping`);
  // SIGTERM: run-tests.mjs then ends code-server and the browser itself.
  for (const child of children) child.kill('SIGTERM');
  process.exit(2);
}, RUN_DEADLINE_MS);
deadline.unref();

main().then(
  () => {
    clearTimeout(deadline);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    for (const child of children) child.kill('SIGTERM');
    process.exitCode = 1;
  },
);
