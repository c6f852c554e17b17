/**
 * The language servers under measurement, each a process spoken to over JSON-RPC on stdio: dtmetrics (dist/server.js)
 * and vscode-json-languageserver (npm), started, initialized, edited and stopped as an editor would, every wait on a
 * message with a deadline. Every process the bench starts is in `children`, so that a run past its deadline can end
 * them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic, ProtocolConnection, PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { ValidatedNotification } from '#protocol';
import { startLanguageServer, withTimeout as within } from '../lsp-common.ts';
import type { LineFactsHeap } from '../line-facts-heap.ts';
import type { Position } from './documents.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DTMETRICS_SERVER = join(ROOT, 'dist', 'server.js');
export const JSON_PACKAGE = join(ROOT, 'node_modules', 'vscode-json-languageserver');
export const JSON_SERVER = join(JSON_PACKAGE, 'out', 'node', 'jsonServerMain.js');

/** One reply later than this fails the run. */
const REPLY_TIMEOUT_MS = 15_000;
/** vscode-json-languageserver 1.3.4 validates 300 ms after the last change (jsonServer.js, validationDelayMs). */
export const JSON_VALIDATION_DELAY_MS = 300;

/**
 * pull: `textDocument/diagnostic` right after the change. validate: the JSON server's `json/validate` request right
 * after the change. push: the next `textDocument/publishDiagnostics` (dtmetrics: of the changed version).
 */
export type Mode = 'pull' | 'validate' | 'push';

export interface Reply {
  ms: number;
  version: number;
  diagnostics: Diagnostic[];
}

export const children = new Set<ChildProcess>();

const withTimeout = <T>(promise: Promise<T>, what: string, ms = REPLY_TIMEOUT_MS): Promise<T> =>
  within(promise, what, ms);

export class Server {
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
    const profile = process.env.BENCH_CPU_PROF
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF)}`,
          `--cpu-prof-name=${`${name}-${mode}-${uri.slice(uri.lastIndexOf('-') + 1)}`.replace(/\W+/g, '-')}.cpuprofile`,
        ]
      : [];
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
        settings: {
          json: { schemas: [], resultLimit: 5000, validate: { enable: true } },
          http: { proxyStrictSSL: true },
        },
      });
    }
  }

  /** Opens the document and waits for its first diagnostics. */
  async open(text: string): Promise<Reply> {
    this.version = 1;
    const t0 = performance.now();
    const published = this.mode === 'push' ? this.nextPublish(1) : null;
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: this.uri, languageId: this.languageId, version: 1, text },
    });
    const diagnostics = await withTimeout(
      published ?? this.request(),
      `${this.label}: diagnostics of the opened document`,
      60_000,
    );
    return { ms: performance.now() - t0, version: 1, diagnostics };
  }

  /** A one-character edit at `at` (insert `char`, or delete the character there), timed until its diagnostics. */
  async edit(at: Position, char: string | null): Promise<Reply> {
    const version = ++this.version;
    const range = { start: at, end: char === null ? { line: at.line, character: at.character + 1 } : at };
    const published = this.mode === 'push' ? this.nextPublish(version) : null;
    const publishesBefore = this.publishes;
    const t0 = performance.now();
    const sent = this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: this.uri, version },
      contentChanges: [{ range, text: char ?? '' }],
    });
    const diagnostics = await withTimeout(
      published ?? this.request(),
      `${this.label}: diagnostics of version ${version}`,
    );
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
      const report = (await this.connection.sendRequest('textDocument/diagnostic', {
        textDocument: { uri: this.uri },
      })) as { kind: string; items?: Diagnostic[] };
      if (report.kind !== 'full' || !report.items)
        throw new Error(`${this.label}: expected a full report, got ${report.kind}`);
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

/**
 * Runs `node ARGS` in the checkout (without the bench's NODE_OPTIONS), killed after `timeoutMs`; resolves to its
 * standard output, or rejects with its standard error if it fails.
 */
export function runNode(args: string[], what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      if (code !== 0) reject(new Error(`${what} failed (exit ${code}): ${err.trim()}`));
      else resolveRun(out);
    });
  });
}

const HEAP_SCRIPT = join(ROOT, 'bench', 'line-facts-heap.ts');

/** The heap the linter keeps per line, measured in a `node --expose-gc` of its own (bench/line-facts-heap.ts). */
export async function lineFactsHeap(): Promise<LineFactsHeap> {
  const out = await runNode(['--expose-gc', '--import', 'tsx', HEAP_SCRIPT], 'bench/line-facts-heap.ts', 180_000);
  return JSON.parse(out) as LineFactsHeap;
}
