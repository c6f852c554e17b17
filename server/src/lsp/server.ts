/**
 * The language server: LSP glue over the protocol core, and nothing else. It keeps the open documents as lines
 * (documents.ts) and applies each edit as it arrives; it lints in the background, at the newest version only, in
 * slices that run when no message is waiting (slices.ts), and drops a lint whose version an edit has outdated; it
 * sends each document's diagnostics through a queue that keeps only the newest per document (outbox.ts). Every
 * message's params are read strictly first (params.ts). ARCHITECTURE.md, "How an editor's document is linted".
 */
import {
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type CancellationToken,
  type Diagnostic as LspDiagnostic,
  type InitializeResult,
  type MarkupContent,
  MarkupKind,
} from 'vscode-languageserver/node';
import type { RequestType } from 'vscode-languageserver-protocol';
import { DocumentLinter, type LintStep } from '#core/document-linter.ts';
import type { Diagnostic } from '#core/problems.ts';
import { CardinalityRequest, DIAGNOSTIC_SOURCE, ValidatedNotification, WorkspaceKeysRequest } from '#protocol';
import { documentCardinality, workspaceCardinality } from './cardinality.ts';
import { createServerConnection } from './connection.ts';
import { LineDocument } from './documents.ts';
import {
  codeActions,
  completions,
  documentSymbols,
  foldingRanges,
  formattingEdits,
  hover,
  lspDiagnostic,
  type LintedDocument,
} from './features.ts';
import { LatestOnly } from './outbox.ts';
import {
  ParamsError,
  readChange,
  readCodeAction,
  readDocument,
  readOpen,
  readPosition,
  readWatchedFiles,
  readCardinality,
  readWorkspaceKeys,
} from './params.ts';
import { fileDirectives } from '#core/directives.ts';
import { DEFAULT_SETTINGS, lintOptions, readSettings, windowNow, type ServerSettings } from './settings.ts';
import { inSlices, nextTurn, quietTurn } from './slices.ts';
import { MAX_FILES, WorkspaceIndex } from './workspace-index.ts';
import { dimensionHover, dropDimensionAction, statsLenses } from './stats.ts';
import { documentStats, volatileDimensionFindings, type DocumentStats } from '#core/stats/document.ts';

const { connection, messagesHandled } = createServerConnection();
const index = new WorkspaceIndex(() => quietTurn(messagesHandled));
const outbox = new LatestOnly();

/** How often documents with timestamps are linted again without an edit: the window moves with the clock. */
const CLOCK_REFRESH_MS = Number(process.env.DTMETRICS_CLOCK_REFRESH_MS) || 30_000;

let pullDiagnostics = false;
let refreshSupport = false;
let configurationRequests = false;
let watchedFilesRegistration = false;
let codeLensRefresh = false;
const settingsByUri = new Map<string, Promise<ServerSettings>>();

interface OpenDocument {
  doc: LineDocument;
  /** Counts what calls for a new lint: edits, settings changes, the clock. A lint is of one revision. */
  revision: number;
  /** The newest finished lint, of this revision or an earlier one. */
  linted?: LintedDocument;
  /** The incremental linter made for the document's settings (it keeps line facts between versions). */
  editor?: { settings: ServerSettings; linter: DocumentLinter };
  /** The document's lint loop, while it runs: one at a time. */
  linting?: Promise<void>;
  /** The newest finished cost and cardinality analysis (lens, hover, MK015), of this version or an earlier one. */
  stats?: AnalysedDocument;
  /** Its loop, while it runs. */
  analysing?: Promise<void>;
  /** The analysis waiting for the typing to pause (ANALYSIS_PAUSE_MS). */
  analysisTimer?: NodeJS.Timeout;
  /** Lenses were answered from an earlier version's analysis: the client is asked again once this one's is done. */
  lensesBehind?: boolean;
}

interface AnalysedDocument {
  version: number;
  settings: ServerSettings;
  result: DocumentStats;
  /** MK015, as LSP diagnostics, shown with the lint's. */
  findings: LspDiagnostic[];
}

const opened = new Map<string, OpenDocument>();
const isOpen = (state: OpenDocument) => opened.get(state.doc.uri) === state;

connection.onInitialize((params): InitializeResult => {
  const capabilities = params.capabilities;
  pullDiagnostics = capabilities.textDocument?.diagnostic !== undefined;
  refreshSupport = capabilities.workspace?.diagnostics?.refreshSupport === true;
  configurationRequests = capabilities.workspace?.configuration === true;
  watchedFilesRegistration = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
  codeLensRefresh = capabilities.workspace?.codeLens?.refreshSupport === true;
  for (const folder of params.workspaceFolders ?? []) index.addFolder(folder.uri);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false },
      codeActionProvider: { codeActionKinds: ['quickfix', 'source.fixAll.dtmetrics'] },
      hoverProvider: true,
      completionProvider: { triggerCharacters: [',', '=', ' ', '#', '.'] },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      documentFormattingProvider: true,
      codeLensProvider: { resolveProvider: false },
    },
    serverInfo: { name: 'dtmetrics' },
  };
});

connection.onInitialized(() => {
  // The workspace index follows the files on disk through the client's watcher (VS Code's): asked for, not polled.
  if (watchedFilesRegistration) {
    connection.client
      .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.dtmetrics' }] })
      .catch((error: unknown) => connection.console.warn(`file watcher refused: ${String(error)}`));
  }
  index.scan().catch((error: unknown) => connection.console.warn(`workspace index: ${String(error)}`));
  setInterval(refreshForClock, CLOCK_REFRESH_MS).unref();
});

connection.onDidChangeConfiguration(() => {
  settingsByUri.clear();
  // Each document's next lint finds new settings (settingsFor asks again) and so a new linter.
  for (const state of opened.values()) relint(state);
  if (pullDiagnostics) refreshDiagnostics();
  // The lenses' figures depend on the settings too (interval, price, on or off).
  refreshCodeLenses();
});

/** Asks the client for the lenses again, if it said it can be asked (as refreshDiagnostics). */
function refreshCodeLenses(): void {
  if (!codeLensRefresh) return;
  connection
    .sendRequest('workspace/codeLens/refresh')
    .catch((error: unknown) => connection.console.warn(`code lens refresh refused: ${String(error)}`));
}

function settingsFor(uri: string): Promise<ServerSettings> {
  let settings = settingsByUri.get(uri);
  if (!settings) {
    settings = configurationRequests
      ? connection.workspace
          // '': the workspace's own settings (no resource's).
          .getConfiguration(uri === '' ? { section: 'dtmetrics' } : { scopeUri: uri, section: 'dtmetrics' })
          .then(readSettings, () => DEFAULT_SETTINGS)
      : Promise.resolve(DEFAULT_SETTINGS);
    settingsByUri.set(uri, settings);
  }
  return settings;
}

// ------------------------------------------------------------------ linting

/** Something calls for a new lint of the document: in push mode it starts now, in pull mode when asked for. */
function relint(state: OpenDocument): void {
  state.revision++;
  if (!pullDiagnostics) void lintInBackground(state);
}

/** Runs the document's lint loop unless it runs already; resolves when its newest lint is current, or it is closed. */
function lintInBackground(state: OpenDocument): Promise<void> {
  state.linting ??= lintUntilCurrent(state).finally(() => (state.linting = undefined));
  return state.linting;
}

async function lintUntilCurrent(state: OpenDocument): Promise<void> {
  while (isOpen(state) && state.linted?.revision !== state.revision) await lintOnce(state);
}

/**
 * One lint of the document at its newest revision, started when no message is waiting and continued in slices at
 * such moments. It takes the lines the edits changed since the last lint (a copy made at the start); an edit
 * meanwhile outdates the lint, which stops at its next file-level step (the line facts it parsed are kept: the next
 * lint takes the lines changed since).
 */
async function lintOnce(state: OpenDocument): Promise<void> {
  const settings = await settingsFor(state.doc.uri);
  await quietTurn(messagesHandled);
  if (!isOpen(state)) return;
  let editor = state.editor;
  const fresh = editor?.settings !== settings;
  if (!editor || fresh) editor = state.editor = { settings, linter: new DocumentLinter(lintOptions(settings)) };
  const linter = editor.linter;
  const revision = state.revision;
  const { uri, version, lineCount } = state.doc;
  // A new linter knows no line yet: it takes them all.
  const changes = state.doc.takeChange(fresh);
  let taken = false;
  // The leading comments only: a directive says whether the window applies (`// dtmetrics: timestamps=rebase`).
  const now = windowNow(settings, fileDirectives(state.doc.lines), Date.now());
  const steps = linter.steps(changes, now, settings.maxDiagnostics);
  const outdated = (step: LintStep) => {
    // Past its parsing, the linter has taken the change in.
    if (step !== 'facts') taken = true;
    return !isOpen(state) || (step === 'file' && state.revision !== revision);
  };
  const done = await inSlices(steps, () => quietTurn(messagesHandled), outdated);
  if (!done) {
    if (!taken) state.doc.restoreChange(changes);
    return;
  }
  const { diagnostics: found, count, keys, hasTimestamps } = done.result;
  state.linted = {
    revision,
    diagnostics: cap(found, count, settings.maxDiagnostics, lineCount),
    keys,
    hasTimestamps,
  };
  outbox.send(`validated ${uri}`, () =>
    connection.sendNotification(ValidatedNotification, {
      uri,
      version,
      durationMs: done.busyMs,
      problems: count,
    }),
  );
  if (!pullDiagnostics && state.revision === revision) publish(uri, version, shownDiagnostics(state));
  clearTimeout(state.analysisTimer);
  state.analysisTimer = setTimeout(() => {
    state.analysisTimer = undefined;
    void analyseInBackground(state);
  }, ANALYSIS_PAUSE_MS);
}

/**
 * The lint's diagnostics and MK015's from the newest analysis: until the analysis of this version is done, the last
 * one's stand (a finding moves a line at worst), so that they do not blink at every edit.
 */
function shownDiagnostics(state: OpenDocument): LspDiagnostic[] {
  const linted = state.linted?.diagnostics ?? [];
  const findings = state.stats?.findings ?? [];
  return findings.length === 0 ? linted : [...linted, ...findings];
}

// ------------------------------------------------------------------ cost and cardinality

/**
 * The background analysis (MK015) starts once the lints stop for this long: it reads the whole document, and a
 * pass per keystroke on a large one halved the edits taken while typing (bench/lsp-typing.ts). A CodeLens request
 * starts it at once.
 */
const ANALYSIS_PAUSE_MS = 300;

/** Runs the document's analysis loop unless it runs already; resolves when its analysis is of the current version. */
function analyseInBackground(state: OpenDocument): Promise<void> {
  state.analysing ??= analyseUntilCurrent(state).finally(() => (state.analysing = undefined));
  return state.analysing;
}

async function analyseUntilCurrent(state: OpenDocument): Promise<void> {
  for (;;) {
    const settings = await settingsFor(state.doc.uri);
    if (!isOpen(state) || (state.stats?.version === state.doc.version && state.stats.settings === settings)) return;
    await analyseOnce(state, settings);
  }
}

/**
 * One analysis of the document's newest version, in slices at quiet turns as the lint is (it reads every line: an
 * edit does not wait for it, and outdates it); then MK015 is shown with the lint's diagnostics if it changed.
 */
async function analyseOnce(state: OpenDocument, settings: ServerSettings): Promise<void> {
  await quietTurn(messagesHandled);
  const { doc } = state;
  const version = doc.version;
  const options = { intervalMs: settings.stats.intervalMs, pricePerPoint: settings.stats.pricePerPoint };
  // The previous analysis's lines are read already: only the edited ones are parsed again.
  const steps = documentStats((i) => doc.lineAt(i), doc.lineCount, options, state.stats?.result);
  const outdated = () => !isOpen(state) || doc.version !== version;
  const done = await inSlices(steps, () => quietTurn(messagesHandled), outdated);
  if (!done || outdated()) return;
  const before = state.stats?.findings ?? [];
  const findings = volatileDimensionFindings(done.result, lintOptions(settings).severities ?? {}).map(lspDiagnostic);
  state.stats = { version, settings, result: done.result, findings };
  if (state.lensesBehind) {
    state.lensesBehind = false;
    refreshCodeLenses();
  }
  const changed = JSON.stringify(findings) !== JSON.stringify(before);
  if (!changed || !state.linted) return;
  // Pull mode: the client is asked to pull again (a pull never waits for the analysis, only for the lint).
  if (pullDiagnostics) refreshDiagnostics();
  else publish(doc.uri, version, shownDiagnostics(state));
}

/** The analysis of the document's current version, waited for; undefined once it is closed. */
async function currentStats(state: OpenDocument, token: CancellationToken): Promise<DocumentStats | undefined> {
  for (;;) {
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const settings = await settingsFor(state.doc.uri);
    if (!isOpen(state)) return undefined;
    if (state.stats?.version === state.doc.version && state.stats.settings === settings) return state.stats.result;
    await analyseInBackground(state);
  }
}

function publish(uri: string, version: number | undefined, diagnostics: LspDiagnostic[]): void {
  outbox.send(`diagnostics ${uri}`, () => connection.sendDiagnostics({ uri, version, diagnostics }));
}

/** The lint of the document's current revision, waited for; undefined once it is closed. */
async function currentLint(state: OpenDocument, token: CancellationToken): Promise<LintedDocument | undefined> {
  while (isOpen(state) && state.linted?.revision !== state.revision) {
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    let dispose = () => {};
    const cancelled = new Promise<void>(
      (resolve) => (dispose = token.onCancellationRequested(() => resolve()).dispose),
    );
    await Promise.race([lintInBackground(state), cancelled]);
    dispose();
  }
  return isOpen(state) ? state.linted : undefined;
}

/**
 * The first of a version's `count` diagnostics as LSP ones, at most `max`, with a visible note on the last line saying
 * how many more there are.
 */
function cap(diagnostics: Diagnostic[], count: number, max: number, lines: number): LspDiagnostic[] {
  if (count <= max) return diagnostics.map(lspDiagnostic);
  const shown = diagnostics.slice(0, max).map(lspDiagnostic);
  const last = Math.max(0, lines - 1);
  shown.push({
    range: { start: { line: last, character: 0 }, end: { line: last, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    message: `${(count - max).toLocaleString('en-US')} more problems are not shown (dtmetrics.maxDiagnostics is ${max}); run \`dtmetrics lint\` for all of them.`,
  });
  return shown;
}

/** Timestamps age: lint documents that hold them again, so a line becomes stale after an hour without an edit. */
function refreshForClock(): void {
  let any = false;
  for (const state of opened.values()) {
    if (!state.linted?.hasTimestamps) continue;
    any = true;
    relint(state);
  }
  if (any && pullDiagnostics) refreshDiagnostics();
}

/**
 * Pull mode: asks the client to pull again, if it said it can be asked. A client that refuses must not bring the
 * server down (an unhandled rejection would end the process): it pulls again on its own at the next edit.
 */
function refreshDiagnostics(): void {
  if (!refreshSupport) return;
  connection.languages.diagnostics
    .refresh()
    .catch((error: unknown) => connection.console.warn(`diagnostic refresh refused: ${String(error)}`));
}

// ------------------------------------------------------------------ messages

/**
 * Handles notification `method`, its params read first: malformed ones are ignored with a one-line warning.
 * Registered by method name: the library's typed registrations read params (a work-done token) before the handler.
 */
function onNotification<P>(method: string, read: (params: unknown) => P, handle: (params: P) => void): void {
  connection.onNotification(method, (params: unknown) => {
    let valid: P;
    try {
      valid = read(params);
    } catch (error) {
      if (!(error instanceof ParamsError)) throw error;
      connection.console.warn(`${method} ignored: ${error.message}`);
      return;
    }
    handle(valid);
  });
}

/**
 * Handles request `type` (a method, or one of ours from #protocol, whose params and result types the reader and the
 * handler must match), its params read first: malformed ones are refused with InvalidParams and one line.
 */
function onRequest<P, R>(
  type: string | RequestType<P, R, void>,
  read: (params: unknown) => P,
  handle: (params: P, token: CancellationToken) => R | Promise<R>,
): void {
  const method = typeof type === 'string' ? type : type.method;
  connection.onRequest<unknown, unknown>(method, (params: unknown, token: CancellationToken) => {
    let valid: P;
    try {
      valid = read(params);
    } catch (error) {
      if (error instanceof ParamsError)
        throw new ResponseError(ErrorCodes.InvalidParams, `${method}: ${error.message}`);
      throw error;
    }
    return handle(valid, token);
  });
}

/** The open document a notification names; a warning when it names none. */
function openNamed(method: string, uri: string): OpenDocument | undefined {
  const state = opened.get(uri);
  if (!state) connection.console.warn(`${method} ignored: ${uri} is not open`);
  return state;
}

onNotification('textDocument/didOpen', readOpen, ({ uri, version, text }) => {
  const state: OpenDocument = { doc: new LineDocument(uri, version, text), revision: 0 };
  opened.set(uri, state);
  index.opened(state.doc);
  relint(state);
});

onNotification('textDocument/didChange', readChange, ({ uri, version, changes }) => {
  const state = openNamed('textDocument/didChange', uri);
  if (!state) return;
  // Applied all the same: the changes are relative to the text as the client has it, which must stay in step.
  if (version <= state.doc.version)
    connection.console.warn(
      `textDocument/didChange: version ${version} of ${uri} after version ${state.doc.version}; applied`,
    );
  for (const change of changes) state.doc.apply(change);
  state.doc.version = version;
  index.edited(uri);
  relint(state);
});

onNotification('textDocument/didClose', readDocument, ({ uri }) => {
  if (!openNamed('textDocument/didClose', uri)) return;
  opened.delete(uri);
  index.closed(uri);
  settingsByUri.delete(uri);
  if (!pullDiagnostics) publish(uri, undefined, []);
});

onRequest('textDocument/diagnostic', readDocument, async ({ uri }, token) => {
  const state = opened.get(uri);
  const linted = state && (await currentLint(state, token));
  return { kind: DocumentDiagnosticReportKind.Full, items: state && linted ? shownDiagnostics(state) : [] };
});

onRequest('textDocument/codeAction', readCodeAction, async (params, token) => {
  const state = opened.get(params.uri);
  const linted = state && (await currentLint(state, token));
  if (!linted || !state) return [];
  const drops = params.diagnostics
    .filter((d) => d.source === DIAGNOSTIC_SOURCE && d.code === 'MK015')
    .map((d) => dropDimensionAction(state.doc, d as LspDiagnostic))
    .filter((action) => action !== null);
  return [...codeActions(state.doc, params, linted, Date.now()), ...drops];
});

/**
 * A client that can be asked to refresh its lenses gets them at once, from the newest analysis of the document's
 * settings (of an earlier version while typing: the analysis waits for a pause), and is asked again when the current
 * one is done; any other waits for the analysis of the current version. The first lenses of a document always wait.
 */
onRequest('textDocument/codeLens', readDocument, async ({ uri }, token) => {
  const state = opened.get(uri);
  const settings = await settingsFor(uri);
  if (!state || !settings.stats.codeLens) return [];
  const newest = state.stats;
  if (codeLensRefresh && newest?.settings === settings) {
    if (newest.version !== state.doc.version) {
      state.lensesBehind = true;
      if (state.analysisTimer === undefined) void analyseInBackground(state);
    }
    return statsLenses(uri, newest.result);
  }
  const stats = await currentStats(state, token);
  return stats ? statsLenses(uri, stats) : [];
});

// Answered at once from the newest finished lint and analysis: a hover never waits for them.
onRequest('textDocument/hover', readPosition, ({ uri, position }) => {
  const state = opened.get(uri);
  if (!state) return null;
  const found = hover(state.doc, position, state.linted, Date.now());
  const stats = state.stats && dimensionHover(state.doc, position.line, position.character, state.stats.result);
  if (!stats) return found;
  const before = found ? (found.contents as MarkupContent).value + '\n\n---\n\n' : '';
  return { contents: { kind: MarkupKind.Markdown, value: before + stats } };
});

// Waits only for the keys of the lines edited since keys were last asked for (a line or a few, as one types), not for
// a document just opened and still being keyed.
onRequest('textDocument/completion', readPosition, async ({ uri, position }) => {
  await index.editsKeyed();
  const state = opened.get(uri);
  return state ? completions(state.doc, position, index, Date.now()) : [];
});

onNotification('workspace/didChangeWatchedFiles', readWatchedFiles, ({ changes }) => {
  for (const { uri, deleted } of changes) {
    if (deleted) index.fileDeleted(uri);
    else index.fileChanged(uri);
  }
});

onRequest(WorkspaceKeysRequest, readWorkspaceKeys, async ({ limit }) => ({ keys: await index.storedKeys(limit) }));

onRequest(CardinalityRequest, readCardinality, async (params, token) => {
  if (params.scope === 'document') {
    const state = opened.get(params.uri);
    const stats = state && (await currentStats(state, token));
    return stats ? documentCardinality(params.uri, stats) : null;
  }
  // The workspace's settings, no one file's: the cadence and price of its files.
  const { stats } = await settingsFor('');
  const result = await workspaceCardinality(
    await index.filePaths(),
    MAX_FILES,
    [...opened.values()].map((state) => state.doc),
    { intervalMs: stats.intervalMs, pricePerPoint: stats.pricePerPoint },
    () => quietTurn(messagesHandled),
    () => token.isCancellationRequested,
  );
  if (result === undefined) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
  return result;
});

/**
 * A walk over the whole document (symbols, folding, formatting), in slices so that a huge document does not hold up
 * other requests; refused as ContentModified if an edit comes first, as its answer would be of an older text, or as
 * RequestCancelled once the client cancels.
 */
async function walk<T>(
  uri: string,
  token: CancellationToken,
  steps: (doc: LineDocument) => Generator<void, T[]>,
): Promise<T[]> {
  const state = opened.get(uri);
  if (!state) return [];
  const revision = state.revision;
  const outdated = () => !isOpen(state) || state.revision !== revision || token.isCancellationRequested;
  const done = await inSlices(steps(state.doc), nextTurn, outdated);
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
  if (!done || outdated())
    throw new ResponseError(LSPErrorCodes.ContentModified, `${uri} changed before the answer was ready`);
  return done.result;
}

onRequest('textDocument/documentSymbol', readDocument, ({ uri }, token) => walk(uri, token, documentSymbols));
onRequest('textDocument/foldingRange', readDocument, ({ uri }, token) => walk(uri, token, foldingRanges));
onRequest('textDocument/formatting', readDocument, ({ uri }, token) => walk(uri, token, formattingEdits));

connection.listen();
