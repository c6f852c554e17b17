/**
 * The language server: LSP glue over the protocol core, and nothing else. It keeps the open documents, lints them
 * with the core's FileLinter when they change (bursts of edits coalesce: a document is linted once per turn of
 * the event loop, at its newest version, with no fixed delay), and answers diagnostics, code actions, hover,
 * completion, symbols, folding and formatting from the core's results.
 */
import {
  createConnection,
  DiagnosticSeverity,
  DocumentDiagnosticReportKind,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic as LspDiagnostic,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentLinter } from '../core/document-linter.ts';
import type { Diagnostic } from '../core/problems.ts';
import { RULES } from '../core/rules.ts';
import { VALIDATED_NOTIFICATION, type ValidatedParams } from '../protocol.ts';
import { codeActions, completions, documentSymbols, foldingRanges, formattingEdits, hover, type LintedDocument } from './features.ts';
import { DEFAULT_SETTINGS, lintOptions, readSettings, windowNow, type ServerSettings } from './settings.ts';
import { WorkspaceIndex } from './workspace-index.ts';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const index = new WorkspaceIndex();

/** How often documents with timestamps are linted again without an edit: the window moves with the clock. */
const CLOCK_REFRESH_MS = Number(process.env.DTMETRICS_CLOCK_REFRESH_MS) || 30_000;

let pullDiagnostics = false;
let refreshSupport = false;
let configurationRequests = false;
const settingsByUri = new Map<string, Promise<ServerSettings>>();
const linted = new Map<string, LintedDocument>();
/** Per open document, the incremental linter made for its settings (it keeps line facts between versions). */
const documentLinters = new Map<string, { settings: ServerSettings; linter: DocumentLinter }>();
const pending = new Set<string>();

connection.onInitialize((params): InitializeResult => {
  const capabilities = params.capabilities;
  pullDiagnostics = capabilities.textDocument?.diagnostic !== undefined;
  refreshSupport = capabilities.workspace?.diagnostics?.refreshSupport === true;
  configurationRequests = capabilities.workspace?.configuration === true;
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
    },
    serverInfo: { name: 'dtmetrics' },
  };
});

connection.onInitialized(() => {
  index.scan().catch((error: unknown) => connection.console.warn(`workspace index: ${String(error)}`));
  setInterval(refreshForClock, CLOCK_REFRESH_MS).unref();
});

connection.onDidChangeConfiguration(() => {
  settingsByUri.clear();
  linted.clear();
  documentLinters.clear();
  if (pullDiagnostics) refreshDiagnostics();
  else for (const doc of documents.all()) schedule(doc.uri);
});

function settingsFor(uri: string): Promise<ServerSettings> {
  let settings = settingsByUri.get(uri);
  if (!settings) {
    settings = configurationRequests
      ? connection.workspace.getConfiguration({ scopeUri: uri, section: 'dtmetrics' }).then(readSettings, () => DEFAULT_SETTINGS)
      : Promise.resolve(DEFAULT_SETTINGS);
    settingsByUri.set(uri, settings);
  }
  return settings;
}

/** Lints a document at its current version, or returns the result already computed for that version. */
async function lint(doc: TextDocument): Promise<LintedDocument> {
  const cached = linted.get(doc.uri);
  if (cached && cached.version === doc.version && !cached.stale) return cached;
  const settings = await settingsFor(doc.uri);
  // Closed (or replaced) while its settings were fetched: lint it, but keep nothing for it.
  const open = documents.get(doc.uri) === doc;
  const start = performance.now();
  let editor = documentLinters.get(doc.uri);
  if (editor?.settings !== settings) {
    editor = { settings, linter: new DocumentLinter(lintOptions(settings)) };
    if (open) documentLinters.set(doc.uri, editor);
  }
  const { diagnostics: found, linter, hasTimestamps } = editor.linter.lint(doc.getText(), windowNow(settings, Date.now()));
  const result: LintedDocument = {
    version: doc.version,
    stale: false,
    diagnostics: cap(found.map(toLsp), settings.maxDiagnostics, doc.lineCount),
    linter,
    hasTimestamps,
  };
  if (open) linted.set(doc.uri, result);
  const params: ValidatedParams = { uri: doc.uri, version: doc.version, durationMs: performance.now() - start, problems: found.length };
  void connection.sendNotification(VALIDATED_NOTIFICATION, params);
  return result;
}

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

function toLsp(d: Diagnostic): LspDiagnostic {
  const rule = RULES[d.code] as { docs?: string };
  return {
    range: { start: { line: d.line, character: d.startChar }, end: { line: d.line, character: d.endChar } },
    severity: SEVERITY[d.severity],
    code: d.code,
    ...(rule.docs ? { codeDescription: { href: rule.docs } } : {}),
    source: 'dtmetrics',
    message: d.message,
    ...(d.data ? { data: d.data } : {}),
  };
}

/** The per-document cap, with a visible note on the last line saying how many more there are. */
function cap(diagnostics: LspDiagnostic[], max: number, lines: number): LspDiagnostic[] {
  if (diagnostics.length <= max) return diagnostics;
  const shown = diagnostics.slice(0, max);
  const last = Math.max(0, lines - 1);
  shown.push({
    range: { start: { line: last, character: 0 }, end: { line: last, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: 'dtmetrics',
    message: `${(diagnostics.length - max).toLocaleString('en-US')} more problems are not shown (dtmetrics.maxDiagnostics is ${max}); run \`dtmetrics lint\` for all of them.`,
  });
  return shown;
}

/** Push mode: lint once per turn of the event loop, whatever number of edits arrived meanwhile. */
function schedule(uri: string): void {
  if (pullDiagnostics || pending.has(uri)) return;
  pending.add(uri);
  setImmediate(() => {
    pending.delete(uri);
    const doc = documents.get(uri);
    if (!doc) return;
    void lint(doc).then((result) => {
      // A newer version may have arrived while settings were fetched; its own turn publishes it.
      if (documents.get(uri)?.version === result.version) void connection.sendDiagnostics({ uri, version: result.version, diagnostics: result.diagnostics });
    });
  });
}

/** Timestamps age: lint documents that hold them again, so a line becomes stale after an hour without an edit. */
function refreshForClock(): void {
  let any = false;
  for (const [uri, result] of linted) {
    if (!result.hasTimestamps) continue;
    result.stale = true;
    any = true;
    schedule(uri);
  }
  if (any && pullDiagnostics) refreshDiagnostics();
}

/**
 * Pull mode: asks the client to pull again, if it said it can be asked. A client that refuses must not bring the
 * server down (an unhandled rejection would end the process): it pulls again on its own at the next edit.
 */
function refreshDiagnostics(): void {
  if (!refreshSupport) return;
  connection.languages.diagnostics.refresh().catch((error: unknown) => connection.console.warn(`diagnostic refresh refused: ${String(error)}`));
}

documents.onDidOpen((e) => {
  index.addDocument(e.document.uri, e.document.getText());
  schedule(e.document.uri);
});
documents.onDidChangeContent((e) => schedule(e.document.uri));
documents.onDidSave((e) => index.addDocument(e.document.uri, e.document.getText()));
documents.onDidClose((e) => {
  linted.delete(e.document.uri);
  documentLinters.delete(e.document.uri);
  settingsByUri.delete(e.document.uri);
  if (!pullDiagnostics) void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

connection.languages.diagnostics.on(async (params) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
  return { kind: DocumentDiagnosticReportKind.Full, items: (await lint(doc)).diagnostics };
});

connection.onCodeAction(async (params) => {
  const doc = documents.get(params.textDocument.uri);
  return doc ? codeActions(doc, params, await lint(doc), Date.now()) : [];
});
connection.onHover(async (params) => {
  const doc = documents.get(params.textDocument.uri);
  return doc ? hover(doc, params.position, await lint(doc), Date.now()) : null;
});
connection.onCompletion((params) => {
  const doc = documents.get(params.textDocument.uri);
  return doc ? completions(doc, params.position, index, Date.now()) : [];
});
connection.onDocumentSymbol((params) => {
  const doc = documents.get(params.textDocument.uri);
  return doc ? documentSymbols(doc) : [];
});
connection.onFoldingRanges((params) => {
  const doc = documents.get(params.textDocument.uri);
  return doc ? foldingRanges(doc) : [];
});
connection.onDocumentFormatting((params) => {
  const doc = documents.get(params.textDocument.uri);
  return doc ? formattingEdits(doc) : [];
});

documents.listen(connection);
connection.listen();
