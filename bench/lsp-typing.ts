/**
 * `npm run build && node --import tsx bench/lsp-typing.ts`: whether fast typing can bury the language server. Over a
 * real JSON-RPC connection on stdio to the built server (push diagnostics, as an editor without pull uses it):
 *
 * 1. A burst: 2,000 one-character edits to a 1 MB document, written as fast as the pipe takes them, then the time
 *    from the last edit written to the diagnostics of the final version, how many lints and publishes the server
 *    made for the burst, and its peak resident memory: on a live document (few diagnostics) and on one of stale
 *    points (every publish at the cap), with a client that reads meanwhile and one that does not, and with a
 *    200 MB heap.
 * 2. Hover while typing: on a 50 MB document, edits written back to back for a few seconds while a hover is asked
 *    every 100 ms; each hover is timed from request to answer, then the final version's diagnostics are waited for.
 *
 * Every wait has a deadline; a server that misses one is reported as such and killed. Environment: BENCH_EDITS
 * (default 2000), BENCH_STREAM_MS (default 8000), BENCH_OUT (default bench/LSP-TYPING-RESULTS.md), BENCH_SERVER (another
 * build of the server, e.g. an older one for a before-and-after).
 * See bench/README.md.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type Diagnostic,
  type Hover,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { ValidatedNotification } from '#protocol';
import { lintText } from '#core/lint.ts';
import { DEFAULT_SETTINGS, lintOptions } from '#lsp/settings.ts';
import { fmtInt, fmtMB, fmtMs, metricLines, startLanguageServer, stats, verdict, withTimeout } from './lsp-common.ts';
import { reportHeader } from './report-header.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const SERVER = resolve(process.env.BENCH_SERVER ?? join(BENCH_DIR, '..', 'dist', 'server.js'));
const RESULTS = resolve(process.env.BENCH_OUT ?? join(BENCH_DIR, 'LSP-TYPING-RESULTS.md'));
const COMMAND = 'npm run build && node --import tsx bench/lsp-typing.ts';

const BURST_EDITS = Number(process.env.BENCH_EDITS) || 2000;
const STREAM_MS = Number(process.env.BENCH_STREAM_MS) || 8000;
const HOVER_EVERY_MS = 100;
const SMALL_BYTES = 1_000_000;
/** The 50 MB document is the 1 MB one fifty times over. */
const LARGE_COPIES = 50;
const SMALL_HEAP_MB = 200;

const TARGET_LAG_MS = 1000;
const TARGET_RSS_BYTES = 300 * 1024 * 1024;
const TARGET_HOVER_MS = 200;

const OPEN_DEADLINE_MS = 180_000;
const FINAL_DEADLINE_MS = 60_000;
const HOVER_DEADLINE_MS = 10_000;

const children = new Set<ChildProcess>();

/** One server process, pushing diagnostics; counts what it sends for the document. */
class TypingServer {
  readonly child: ChildProcess;
  readonly connection: ProtocolConnection;
  readonly uri = `file://${tmpdir()}/dtmetrics-typing-${process.pid}-${Math.random().toString(36).slice(2)}.dtmetrics`;
  version = 0;
  /** publishDiagnostics for versions after the first. */
  publishes = 0;
  /** dtmetrics/validated for versions after the first: lints the server finished. */
  lints = 0;
  /** Highest VmHWM (peak resident set) read from /proc while the process lived, in bytes. */
  peakRss = 0;
  exit: string | null = null;
  private readonly waiters = new Map<number, (p: PublishDiagnosticsParams) => void>();
  /** The newest publish, for a wait that starts after it came. */
  private latest: { version: number; diagnostics: Diagnostic[]; at: number } | null = null;
  private readonly sampler: NodeJS.Timeout;
  private stderr = '';

  constructor(heapMB?: number) {
    ({ child: this.child, connection: this.connection } = startLanguageServer(
      SERVER,
      heapMB ? [`--max-old-space-size=${heapMB}`] : [],
    ));
    children.add(this.child);
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-2000)));
    this.child.once('exit', (code, signal) => {
      children.delete(this.child);
      this.exit = signal ?? `exit code ${code}`;
      for (const waiter of this.waiters.values()) waiter({ uri: this.uri, diagnostics: [], version: -1 });
    });
    this.sampler = setInterval(() => this.sample(), 50);
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      if (p.uri !== this.uri) return;
      if ((p.version ?? 0) > 1) this.publishes++;
      this.latest = { version: p.version ?? -2, diagnostics: p.diagnostics, at: performance.now() };
      this.waiters.get(p.version ?? -2)?.(p);
    });
    this.connection.onNotification(ValidatedNotification, (p) => {
      if (p.uri === this.uri && p.version > 1) this.lints++;
    });
    this.connection.onError(() => undefined);
    this.connection.listen();
  }

  private sample(): void {
    try {
      const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      if (hwm) this.peakRss = Math.max(this.peakRss, Number(hwm[1]) * 1024);
    } catch {
      // Gone, or not Linux: the last sample stands.
    }
  }

  async initialize(): Promise<void> {
    await withTimeout(
      this.connection.sendRequest('initialize', {
        processId: process.pid,
        rootUri: null,
        workspaceFolders: null,
        capabilities: {
          workspace: { configuration: true },
          textDocument: { publishDiagnostics: { versionSupport: true } },
        },
      }),
      'initialize',
      10_000,
    );
    await this.connection.sendNotification('initialized', {});
  }

  /**
   * The diagnostics published for `version` (at once if they were the last published), or null when the deadline
   * passes or the server dies first.
   */
  diagnosticsOf(version: number, ms: number): Promise<{ diagnostics: Diagnostic[]; at: number } | null> {
    const latest = this.latest;
    if (latest?.version === version) return Promise.resolve(latest);
    return new Promise((resolveWait) => {
      const timer = setTimeout(() => done(null), ms);
      const done = (value: { diagnostics: Diagnostic[]; at: number } | null) => {
        clearTimeout(timer);
        this.waiters.delete(version);
        resolveWait(value);
      };
      this.waiters.set(version, (p) =>
        done(p.version === -1 ? null : { diagnostics: p.diagnostics, at: performance.now() }),
      );
    });
  }

  async open(text: string): Promise<Diagnostic[] | null> {
    this.version = 1;
    const published = this.diagnosticsOf(1, OPEN_DEADLINE_MS);
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: this.uri, languageId: 'dtmetrics', version: 1, text },
    });
    return (await published)?.diagnostics ?? null;
  }

  edit(line: number, character: number, remove: number, text: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: this.uri, version: ++this.version },
      contentChanges: [{ range: { start: { line, character }, end: { line, character: character + remove } }, text }],
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.sampler);
    this.sample();
    if (this.exit === null) {
      try {
        await withTimeout(this.connection.sendRequest('shutdown'), 'shutdown', 5000);
        await this.connection.sendNotification('exit');
        await withTimeout(new Promise((r) => this.child.once('exit', r)), 'exit', 5000);
      } catch {
        if (this.exit === null) this.child.kill('SIGKILL');
      }
    }
    this.connection.dispose();
  }

  get errors(): string {
    return this.stderr.trim().split('\n').slice(-3).join(' / ');
  }
}

/** Typing on `spots`: insert an `x` after the first character of the key, then delete it, on each spot in turn. */
function typing(server: TypingServer, spots: number[], i: number): Promise<void> {
  const line = spots[Math.floor(i / 2) % spots.length] as number;
  return i % 2 === 0 ? server.edit(line, 1, 0, 'x') : server.edit(line, 1, 1, '');
}

/** A document to type in: its lines, where to type, and what it is. */
interface BenchDoc {
  name: string;
  lines: string[];
  spots: number[];
}

interface Burst {
  doc: string;
  heap: string;
  reading: boolean;
  survived: boolean;
  death: string;
  lagMs: number | null;
  publishes: number;
  lints: number;
  peakRss: number;
  check: string;
}

/** A diagnostic as `code@line:character`; the cap's note has no code. */
const key = (d: { code?: unknown; line: number; character: number }) =>
  `${String(d.code ?? 'note')}@${d.line}:${d.character}`;

/** What the server must publish for `lines`: the core's findings under the editor's default settings, capped. */
function expectedKeys(lines: string[]): string[] {
  const found = lintText(lines.join('\n'), { ...lintOptions(DEFAULT_SETTINGS), now: Date.now() });
  const shown = found
    .slice(0, DEFAULT_SETTINGS.maxDiagnostics)
    .map((d) => key({ code: d.code, line: d.line, character: d.startChar }));
  if (found.length > DEFAULT_SETTINGS.maxDiagnostics) shown.push(key({ line: lines.length - 1, character: 0 }));
  return shown;
}

/**
 * A burst of BURST_EDITS edits written without waiting, pairs that leave the text as it was, and a last one that
 * turns the `x` typed just before into a space: the final diagnostics must be those of that text.
 */
async function burst(doc: BenchDoc, reading: boolean, heapMB?: number): Promise<Burst> {
  const server = new TypingServer(heapMB);
  const heap = heapMB ? `${heapMB} MB heap` : 'default heap';
  const row = { doc: doc.name, heap, reading };
  try {
    await server.initialize();
    if (!(await server.open(doc.lines.join('\n'))))
      throw new Error(`no diagnostics on open (${server.exit ?? 'alive'})`);
    // A client busy typing may not read meanwhile: what the server writes then waits in the pipe and in the server.
    if (!reading) server.child.stdout?.pause();
    const sent: Array<Promise<void>> = [];
    const last = BURST_EDITS - (BURST_EDITS % 2 === 0 ? 1 : 2);
    for (let i = 0; i < last; i++) sent.push(typing(server, doc.spots, i));
    // The last edit replaces the `x` typed just before with a space.
    const broken = doc.spots[Math.floor(last / 2) % doc.spots.length] as number;
    sent.push(server.edit(broken, 1, 1, ' '));
    const final = server.diagnosticsOf(server.version, FINAL_DEADLINE_MS);
    await Promise.all(sent).catch(() => undefined);
    const lastEdit = performance.now();
    server.child.stdout?.resume();
    const got = await final;
    let check = '';
    if (got) {
      const finalLines = doc.lines.map((line, i) => (i === broken ? `${line.slice(0, 1)} ${line.slice(1)}` : line));
      const actual = got.diagnostics.map((d) => key({ code: d.code, ...d.range.start }));
      check =
        JSON.stringify(actual) === JSON.stringify(expectedKeys(finalLines))
          ? `right (${fmtInt(actual.length)})`
          : '**wrong**';
    }
    await server.stop();
    return {
      ...row,
      survived: server.exit === null || /code 0/.test(server.exit),
      death: server.exit ?? '',
      lagMs: got ? got.at - lastEdit : null,
      publishes: server.publishes,
      lints: server.lints,
      peakRss: server.peakRss,
      check,
    };
  } catch (error) {
    await server.stop();
    return {
      ...row,
      survived: false,
      death: `${server.exit ?? 'alive'}: ${error instanceof Error ? error.message : String(error)}; ${server.errors}`,
      lagMs: null,
      publishes: server.publishes,
      lints: server.lints,
      peakRss: server.peakRss,
      check: '',
    };
  }
}

interface Streaming {
  openMs: number;
  edits: number;
  hovers: number[];
  unanswered: number;
  lagMs: number | null;
  publishes: number;
  peakRss: number;
  note: string;
}

/** Edits written back to back for STREAM_MS on the large document, a hover every HOVER_EVERY_MS meanwhile. */
async function hoverWhileTyping(text: string, spots: number[], hoverLine: number): Promise<Streaming> {
  const server = new TypingServer();
  const result: Streaming = {
    openMs: NaN,
    edits: 0,
    hovers: [],
    unanswered: 0,
    lagMs: null,
    publishes: 0,
    peakRss: 0,
    note: '',
  };
  try {
    await server.initialize();
    const t0 = performance.now();
    if (!(await server.open(text))) throw new Error(`no diagnostics on open (${server.exit ?? 'alive'})`);
    result.openMs = performance.now() - t0;
    const end = performance.now() + STREAM_MS;
    let lastEdit = NaN;
    const editing = (async () => {
      while (performance.now() < end && server.exit === null) {
        await typing(server, spots, result.edits++);
        lastEdit = performance.now();
      }
    })();
    const hovering = (async () => {
      while (performance.now() < end && server.exit === null) {
        const asked = performance.now();
        try {
          const answer = await withTimeout(
            server.connection.sendRequest('textDocument/hover', {
              textDocument: { uri: server.uri },
              position: { line: hoverLine, character: 2 },
            }) as Promise<Hover | null>,
            'hover',
            HOVER_DEADLINE_MS,
          );
          if (!answer) throw new Error('an empty hover over a metric key');
          result.hovers.push(performance.now() - asked);
        } catch {
          result.unanswered++;
        }
        await delay(HOVER_EVERY_MS);
      }
    })();
    await Promise.all([editing, hovering]);
    // Its diagnostics may have come while the last hover was answered: diagnosticsOf has them then.
    const final = await server.diagnosticsOf(server.version, FINAL_DEADLINE_MS);
    result.lagMs = final ? final.at - lastEdit : null;
  } catch (error) {
    result.note = `${error instanceof Error ? error.message : String(error)}; ${server.errors}`;
  }
  await server.stop();
  result.publishes = server.publishes;
  result.peakRss = server.peakRss;
  if (server.exit && !/code 0/.test(server.exit)) result.note += ` server ended: ${server.exit}`;
  return result;
}

function report(
  small: { bytes: number; lines: number; composition: string },
  large: { bytes: number; lines: number },
  bursts: Burst[],
  streaming: Streaming,
  wallS: number,
): string {
  const lag = (b: { lagMs: number | null }) =>
    b.lagMs === null ? `none within ${FINAL_DEADLINE_MS / 1000} s` : `${fmtMs(b.lagMs)} ms`;
  const mem = (bytes: number) => (bytes > 0 ? `${fmtInt(bytes / 1024 / 1024)} MiB` : 'not measured');
  const hover = streaming.hovers.length > 0 ? stats(streaming.hovers) : null;
  const hoverMet = hover !== null && streaming.unanswered === 0 && hover.max <= TARGET_HOVER_MS;
  return [
    ...reportHeader('dtmetrics language server under fast typing', COMMAND),
    `## A burst of ${fmtInt(BURST_EDITS)} edits on a ${fmtMB(small.bytes)} document (${fmtInt(small.lines)} lines)`,
    '',
    "| Document | Server | Client reads during the burst | Survived | Last edit written → final version's diagnostics | Lints | Publishes | Peak RSS | Final diagnostics |",
    '|---|---|---|---|--:|--:|--:|--:|---|',
    ...bursts.map(
      (b) =>
        `| ${b.doc} | ${b.heap} | ${b.reading ? 'yes' : 'no, until every edit is written'} | ${b.survived ? 'yes' : `**no** (${b.death.replace(/\|/g, '\\|')})`} | ${lag(b)} | ${fmtInt(b.lints)} | ${fmtInt(b.publishes)} | ${mem(b.peakRss)} | ${b.check} |`,
    ),
    '',
    `Targets: final diagnostics within ${TARGET_LAG_MS / 1000} s of the last edit: ${verdict(bursts.every((b) => b.lagMs !== null && b.lagMs <= TARGET_LAG_MS))}; peak RSS ≤ ${mem(TARGET_RSS_BYTES)}: ${verdict(bursts.every((b) => b.survived && b.peakRss > 0 && b.peakRss <= TARGET_RSS_BYTES))}; alive with a ${SMALL_HEAP_MB} MB heap: ${verdict(bursts.filter((b) => b.heap !== 'default heap').every((b) => b.survived))}.`,
    '',
    `## Hover while typing on a ${fmtMB(large.bytes)} document (${fmtInt(large.lines)} lines)`,
    '',
    '| Edits written | Hovers answered | Hover p50 | Hover p95 | Hover max | Unanswered (10 s) | Last edit → final diagnostics | Publishes | Peak RSS |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    `| ${fmtInt(streaming.edits)} in ${STREAM_MS / 1000} s | ${streaming.hovers.length} | ${hover ? fmtMs(hover.p50) + ' ms' : '–'} | ${hover ? fmtMs(hover.p95) + ' ms' : '–'} | ${hover ? fmtMs(hover.max) + ' ms' : '–'} | ${streaming.unanswered} | ${lag(streaming)} | ${fmtInt(streaming.publishes)} | ${mem(streaming.peakRss)} |`,
    '',
    `Target: every hover answered within ${TARGET_HOVER_MS} ms while edits stream: ${verdict(hoverMet)}.${streaming.note ? ` Note: ${streaming.note}` : ''}`,
    '',
    '## Method',
    '',
    `- The built server (\`node dist/server.js --stdio\`), push diagnostics with versions, default settings. The ${fmtMB(small.bytes)} document is the lint benchmark's generator (bench/generate-metrics.ts): ${small.composition}. *Live*, its timestamps are moved to end 5 minutes from now; *stale*, to end two days ago, so that each timestamp is a finding (TS003) and every publish carries the cap of ${fmtInt(DEFAULT_SETTINGS.maxDiagnostics)} diagnostics and its note, as for a folder of old fixtures. The ${fmtMB(large.bytes)} document is the live one ${LARGE_COPIES} times over; it took ${fmtMs(streaming.openMs)} ms from \`didOpen\` to its first diagnostics.`,
    `- Burst: ${fmtInt(BURST_EDITS)} \`didChange\` notifications handed to the JSON-RPC writer at once, so they go out as fast as the pipe takes them: an \`x\` typed after the first character of a metric key and deleted again, on lines spread over the document, and last the \`x\` typed before replaced by a space. The lag is from the last edit's write completing to the \`publishDiagnostics\` of the final version; the final diagnostics must be, in order, the core's findings for the final text (\`lintText\` under the editor's default settings, capped as the server caps them). Lints are the server's \`dtmetrics/validated\` notifications, publishes its \`publishDiagnostics\`, both for versions after the first. Peak RSS is the server process's VmHWM from /proc, read every 50 ms. Where the client does not read during the burst, it reads nothing what the server sends until it has written every edit, as a client busy typing may not: whatever the server writes meanwhile waits in the pipe and then in the server's memory.`,
    `- Hover while typing: for ${STREAM_MS / 1000} s, one edit written after another (each as soon as the previous is written) while a hover over a metric key is asked every ${HOVER_EVERY_MS} ms (the next one ${HOVER_EVERY_MS} ms after the last answer) and timed to its answer; a hover not answered within ${HOVER_DEADLINE_MS / 1000} s counts as unanswered. Then the final version's diagnostics are waited for.`,
    `- Whole bench: ${wallS.toFixed(1)} s.`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  statSync(SERVER); // fails early: run `npm run build`
  const started = performance.now();
  const live = metricLines(SMALL_BYTES, Date.now() + 300_000);
  const stale = metricLines(SMALL_BYTES, Date.now() - 2 * 86_400_000);
  const clean = live.data.filter((d) => d.parsed.problems.length === 0).map((d) => d.index);
  const spots = Array.from({ length: 64 }, (_, i) => clean[Math.floor(((i + 0.5) * clean.length) / 64)] as number);
  const lines = live.lines;
  const largeLines = Array.from({ length: LARGE_COPIES }, () => lines).flat();
  const largeText = largeLines.join('\n');
  const largeSpots = Array.from(
    { length: 64 },
    (_, i) => (spots[i] as number) + lines.length * Math.floor((i * LARGE_COPIES) / 64),
  );
  const liveDoc = { name: 'live', lines, spots };
  const staleDoc = { name: 'stale', lines: stale.lines, spots };
  const bursts = [
    await burst(liveDoc, true),
    await burst(staleDoc, true),
    await burst(staleDoc, false),
    await burst(staleDoc, false, SMALL_HEAP_MB),
  ];
  const streaming = await hoverWhileTyping(largeText, largeSpots, clean[0] as number);
  const markdown = report(
    { bytes: Buffer.byteLength(lines.join('\n')), lines: lines.length, composition: live.composition },
    { bytes: Buffer.byteLength(largeText), lines: largeLines.length },
    bursts,
    streaming,
    (performance.now() - started) / 1000,
  );
  writeFileSync(RESULTS, markdown);
  process.stdout.write(`${markdown}\nWritten to ${RESULTS}\n`);
}

main().then(
  () => undefined,
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    for (const child of children) child.kill('SIGKILL');
    process.exitCode = 1;
  },
);
