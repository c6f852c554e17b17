/**
 * Clients of the built language server (dist/server.js) over real JSON-RPC on stdio, for the tests in test/lsp/.
 * `start` gives a vscode-jsonrpc connection, as an editor has; `RawClient` writes framed messages itself, many in
 * one write when asked, and records everything the server sends in the order it arrives, for tests of bursts,
 * ordering and malformed input. Every wait is on a condition with a deadline.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type CompletionItem,
  type Diagnostic,
  type Message,
  type NotificationMessage,
  type NotificationType,
  type Position,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Registration,
  type RegistrationParams,
  type RequestMessage,
  type ResponseMessage,
} from 'vscode-languageserver-protocol/node';
import { lintText } from '#core/lint.ts';
import { DEFAULT_SETTINGS, lintOptions } from '#lsp/settings.ts';

const ROOT = join(import.meta.dirname, '..', '..');
export const SERVER = join(ROOT, 'dist', 'server.js');
export const EXAMPLES = pathToFileURL(join(ROOT, 'examples')).href;

function spawnServer(): ChildProcess {
  return spawn(process.execPath, [SERVER, '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, DTMETRICS_CLOCK_REFRESH_MS: '150' },
  });
}

/** As VS Code initializes: configuration asked for, file watchers registered by the server. */
const initializeParams = (pull: boolean, folder = EXAMPLES, codeLensRefresh = false) => ({
  processId: process.pid,
  rootUri: folder,
  workspaceFolders: [{ uri: folder, name: 'workspace' }],
  capabilities: {
    workspace: {
      configuration: true,
      didChangeWatchedFiles: { dynamicRegistration: true },
      ...(codeLensRefresh ? { codeLens: { refreshSupport: true } } : {}),
    },
    textDocument: pull ? { diagnostic: { dynamicRegistration: false } } : {},
  },
});

export interface Harness {
  connection: ProtocolConnection;
  process: ChildProcess;
  settings: Record<string, unknown>;
  published: Map<string, PublishDiagnosticsParams>;
  versions: Map<string, number>;
  /** What the server registered with `client/registerCapability`, in order. */
  registrations: Registration[];
  /** How many times the server asked for the lenses again (`workspace/codeLens/refresh`). */
  codeLensRefreshes: number;
}

/**
 * A server for a workspace of one folder (`folder`, a file URI; the examples by default); `codeLensRefresh`: the
 * client says it can be asked to refresh its lenses, as VS Code does.
 */
export async function start(pull: boolean, folder = EXAMPLES, codeLensRefresh = false): Promise<Harness> {
  const child = spawnServer();
  const connection = createProtocolConnection(
    new StreamMessageReader(present(child.stdout)),
    new StreamMessageWriter(present(child.stdin)),
  );
  const h: Harness = {
    connection,
    process: child,
    settings: {},
    published: new Map(),
    versions: new Map(),
    registrations: [],
    codeLensRefreshes: 0,
  };
  connection.onRequest('workspace/codeLens/refresh', () => {
    h.codeLensRefreshes++;
    return null;
  });
  connection.onRequest('workspace/configuration', () => [h.settings]);
  connection.onRequest('client/registerCapability', (params: RegistrationParams) => {
    h.registrations.push(...params.registrations);
  });
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    h.published.set(p.uri, p);
  });
  connection.listen();
  await connection.sendRequest('initialize', initializeParams(pull, folder, codeLensRefresh));
  await connection.sendNotification('initialized', {});
  return h;
}

export async function stop(h: Harness): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => h.process.once('exit', resolve));
  await h.connection.sendRequest('shutdown');
  await h.connection.sendNotification('exit');
  const code = await exited;
  h.connection.dispose();
  return code;
}

export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 5000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

let docs = 0;
/** A fresh document URI, never opened before in this test process. */
export const freshUri = (): string => `file:///tmp/test-${process.pid}-${docs++}.dtmetrics`;

export async function open(h: Harness, text: string): Promise<string> {
  const uri = freshUri();
  h.versions.set(uri, 1);
  await h.connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'dtmetrics', version: 1, text },
  });
  return uri;
}

export async function change(
  h: Harness,
  uri: string,
  line: number,
  start: number,
  end: number,
  text: string,
): Promise<number> {
  const version = (h.versions.get(uri) ?? 1) + 1;
  h.versions.set(uri, version);
  await h.connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version },
    contentChanges: [{ range: { start: { line, character: start }, end: { line, character: end } }, text }],
  });
  return version;
}

/** Push mode: the diagnostics published for exactly this version. */
export const pushed = (h: Harness, uri: string, version: number) =>
  until(`diagnostics of version ${version}`, () => {
    const p = h.published.get(uri);
    return p && p.version === version ? p.diagnostics : undefined;
  });

/** The labels of the completions offered at a position. */
export const completionLabels = async (h: Harness, uri: string, line: number, character: number): Promise<string[]> =>
  (
    (await h.connection.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: { line, character },
    })) as CompletionItem[]
  ).map((c) => c.label);

export const pulled = async (h: Harness, uri: string): Promise<Diagnostic[]> =>
  ((await h.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Diagnostic[] })
    .items;

export const codes = (ds: Diagnostic[]) =>
  ds.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}-${d.range.end.character}`).sort();

/** What the server must report for `text` under default settings, as `codes` writes it: the core's findings. */
export const expectedCodes = (text: string) =>
  lintText(text, { ...lintOptions(DEFAULT_SETTINGS), now: Date.now() })
    .map((d) => `${d.code}@${d.line}:${d.startChar}-${d.endChar}`)
    .sort();

export function present<T>(value: T | null | undefined, what = 'a value'): T {
  assert.ok(value !== null && value !== undefined, `expected ${what}`);
  return value;
}

/** A JSON-RPC frame: the header and the body, as the base protocol writes it. */
export function frame(message: object | string): string {
  const body = typeof message === 'string' ? message : JSON.stringify({ jsonrpc: '2.0', ...message });
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export const didOpen = (uri: string, text: string, version = 1) => ({
  method: 'textDocument/didOpen',
  params: { textDocument: { uri, languageId: 'dtmetrics', version, text } },
});

export const didChange = (uri: string, version: number, line: number, start: number, end: number, text: string) => ({
  method: 'textDocument/didChange',
  params: {
    textDocument: { uri, version },
    contentChanges: [{ range: { start: { line, character: start }, end: { line, character: end } }, text }],
  },
});

/** A client that frames messages itself; everything the server sends is kept in `received`, in arrival order. */
export class RawClient {
  readonly process: ChildProcess;
  readonly received: Message[] = [];
  /** What the client answers to `workspace/configuration` (one value per item asked for, unless replaced); a throw answers with an error. */
  configuration: (items: unknown[]) => unknown = (items) => items.map(() => ({}));
  private nextId = 1;
  exitCode: number | null | undefined = undefined;

  private constructor() {
    this.process = spawnServer();
    this.process.once('exit', (code) => (this.exitCode = code));
    new StreamMessageReader(present(this.process.stdout)).listen((message) => {
      this.received.push(message);
      const request = message as RequestMessage;
      if (request.id === undefined || request.method === undefined) return;
      try {
        const result =
          request.method === 'workspace/configuration'
            ? this.configuration((request.params as { items: unknown[] }).items)
            : null;
        this.write({ id: request.id, result });
      } catch (error) {
        this.write({ id: request.id, error: { code: -32603, message: String(error) } });
      }
    });
  }

  static async start(pull: boolean): Promise<RawClient> {
    const client = new RawClient();
    await client.answer(client.request('initialize', initializeParams(pull)));
    client.write({ method: 'initialized', params: {} });
    return client;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** Writes the messages in one write: the server finds them all waiting, back to back. */
  write(...messages: Array<object | string>): void {
    present(this.process.stdin).write(messages.map(frame).join(''));
  }

  /** A request message with a fresh id, to write; its id is `lastId`. */
  requestMessage(method: string, params: unknown): object {
    return { id: this.nextId++, method, params };
  }

  get lastId(): number {
    return this.nextId - 1;
  }

  request(method: string, params: unknown): number {
    this.write(this.requestMessage(method, params));
    return this.lastId;
  }

  /** The response to request `id`, waited for; rejected if the server exits first. */
  answer(id: number, ms = 30_000): Promise<ResponseMessage> {
    return until(
      `the answer to request ${id}`,
      () => {
        const response = this.received.find(
          (m): m is ResponseMessage => (m as ResponseMessage).id === id && !('method' in m),
        );
        if (!response && !this.alive)
          throw new Error(`the server exited (${this.exitCode}) before answering request ${id}`);
        return response;
      },
      ms,
    );
  }

  /** Every notification of `type` (a method, or one of ours typed in #protocol) so far, with its position in `received`. */
  notifications<P>(type: string | NotificationType<P>): Array<{ at: number; params: P }> {
    const method = typeof type === 'string' ? type : type.method;
    const out: Array<{ at: number; params: P }> = [];
    this.received.forEach((m, at) => {
      if ((m as NotificationMessage).method === method && !('id' in m))
        out.push({ at, params: (m as NotificationMessage).params as P });
    });
    return out;
  }

  publishes(uri: string): Array<{ at: number; params: PublishDiagnosticsParams }> {
    return this.notifications<PublishDiagnosticsParams>('textDocument/publishDiagnostics').filter(
      (p) => p.params.uri === uri,
    );
  }

  /** The diagnostics published for `version` of `uri`, waited for. */
  published(uri: string, version: number, ms = 30_000): Promise<Diagnostic[]> {
    return until(
      `diagnostics of version ${version}`,
      () => {
        if (!this.alive) throw new Error(`the server exited (${this.exitCode})`);
        return this.publishes(uri).find((p) => p.params.version === version)?.params.diagnostics;
      },
      ms,
    );
  }

  async stop(): Promise<number | null> {
    await this.answer(this.request('shutdown', null));
    this.write({ method: 'exit' });
    return until('the server to exit', () => (this.alive ? undefined : this.exitCode));
  }
}

/**
 * The reference for what an edit does to a text, as an editor's text model does it: a position past the end of its
 * line is the line's end (before the break), one past the last line the end of the text; a range given end first is
 * turned round. (vscode-languageserver-textdocument keeps wrong line offsets after a range past the last line.)
 */
export function applyChange(
  text: string,
  change: { range?: { start: Position; end: Position }; text: string },
): string {
  if (!change.range) return change.text;
  const starts = [0];
  const ends: number[] = [];
  for (const m of text.matchAll(/\r\n|\r|\n/g)) {
    ends.push(m.index);
    starts.push(m.index + m[0].length);
  }
  ends.push(text.length);
  const offset = (p: Position) =>
    p.line >= starts.length ? text.length : Math.min((starts[p.line] as number) + p.character, ends[p.line] as number);
  const [from, to] = [offset(change.range.start), offset(change.range.end)].sort((a, b) => a - b) as [number, number];
  return text.slice(0, from) + change.text + text.slice(to);
}
