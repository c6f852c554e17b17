/**
 * Sending lines from the editor (the selection, the block under the cursor, a CodeLens's block, the whole file) to
 * an environment. Refused in an untrusted workspace. Lines with errors are held back unless the user, or the
 * command's argument, says to send them; never silently: the summary names them. A progress notification can
 * cancel. The summary counts every fate, the log lists them, and the tenant's answer lands on the source lines.
 */
import * as vscode from 'vscode';
import { blockAround, blocks, type Block } from '#core/push/blocks.ts';
import { planPush, type HeldLine, type PushPlan, type SourceLine, type TimestampMode } from '#core/push/plan.ts';
import type { Connection } from '#http/client.ts';
import { nothingSent, pushBatches, type PushResult } from '#http/push.ts';
import { fileDirectives } from '#core/directives.ts';
import { parseLine } from '#core/parse.ts';
import { foretellingRule } from '#core/push/answer.ts';
import { DIAGNOSTIC_SOURCE } from '#protocol';
import { plural } from '#core/text.ts';
import type { Notifier } from '../notifier.ts';
import type { Environments } from '../environments/environments.ts';
import { UserError } from '#edge/errors.ts';
import { LocalTenant } from './local-tenant.ts';
import { LOCAL_TENANT_NAME, localTenantPort, type EnvironmentConfig } from '../environments/settings.ts';
import { SETTING_DEFAULTS } from '../setting-defaults.ts';
import { LineTracker, tenantDiagnostic, type TenantDiagnostics } from './tenant-diagnostics.ts';

/** The argument of `dtmetrics.sendSelection` and `dtmetrics.sendFile` (all optional; the CodeLens passes one). */
export interface SendArgument {
  /** The document; the active editor's by default. */
  uri?: vscode.Uri;
  /** 0-based first and last line to send, instead of the selection (or the whole file). */
  start?: number;
  end?: number;
  /** Answers the question about lines with errors beforehand: `hold` sends the others, `send` sends them too. */
  linesWithErrors?: 'hold' | 'send';
  /** Instead of the document's `// dtmetrics: timestamps=<mode>` directive, or else the setting dtmetrics.push.timestamps. */
  timestamps?: TimestampMode;
  /** An environment's name, instead of the selected one. */
  environment?: string;
}

/** What a send command returns: the counts the summary message shows, and the message. */
export interface SendSummary {
  environment: string;
  /** Data and metadata lines considered: sent or held back (comments and blank lines never are). */
  lines: number;
  accepted: number;
  /** Listed by the tenant, and counted but not listed. */
  rejected: number;
  /** Lines with a tenant warning the linter did not already report (the log lists them all). */
  warnings: number;
  unknown: number;
  notSent: number;
  held: number;
  stopped: string | null;
  message: string;
}

/** Lines named in a message, and per fate in the log. */
const MESSAGE_LIST_LIMIT = 5;
const LOG_LIST_LIMIT = 100;

const fmt = (n: number) => n.toLocaleString('en-US');
const sentCount = (plan: PushPlan) => plan.batches.reduce((n, b) => n + b.length, 0);

export class Sender {
  constructor(
    private readonly environments: Environments,
    private readonly localTenant: LocalTenant,
    private readonly diagnostics: TenantDiagnostics,
    private readonly log: vscode.LogOutputChannel,
    private readonly notifier: Notifier,
  ) {}

  /** The selected lines; with no selection, the block under the cursor. */
  async sendSelection(arg: SendArgument): Promise<SendSummary | undefined> {
    const document = await documentOf(arg);
    if (arg.start !== undefined || arg.end !== undefined) return this.send(document, lineRange(document, arg), arg);
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
    if (!editor)
      throw new UserError(
        `${vscode.workspace.asRelativePath(document.uri)} is not open in an editor: give the lines to send`,
      );
    return this.send(document, selectedLines(editor), arg);
  }

  async sendFile(arg: SendArgument): Promise<SendSummary | undefined> {
    const document = await documentOf(arg);
    return this.send(document, lineRange(document, arg), arg);
  }

  private async send(
    document: vscode.TextDocument,
    lines: readonly number[],
    arg: SendArgument,
  ): Promise<SendSummary | undefined> {
    if (!vscode.workspace.isTrusted)
      throw new UserError(
        'dtmetrics sends no lines from an untrusted workspace: trust it first (Workspaces: Manage Workspace Trust)',
      );
    const environment = this.environments.resolve(arg.environment);
    // From here on, edits move or void the lines being sent; the answer is put where they are when it comes.
    const tracker = new LineTracker(document.uri);
    try {
      const source: SourceLine[] = lines.map((line) => ({ line, text: document.lineAt(line).text }));
      // What the linter says of the lines as they are sent: the answer's diagnostics do not say it again.
      const linted = new LintedFindings(document);
      const mode =
        arg.timestamps ??
        fileDirectives(linesOf(document)).timestamps ??
        vscode.workspace
          .getConfiguration('dtmetrics', document.uri)
          .get<TimestampMode>('push.timestamps', SETTING_DEFAULTS['push.timestamps']);
      const planned = await confirmPlan(this.notifier, source, mode, arg.linesWithErrors);
      if (!planned) return undefined;
      const { plan } = planned;
      if (sentCount(plan) + plan.held.length === 0)
        throw new UserError('Nothing to send: the lines are comments or blank');
      const path = vscode.workspace.asRelativePath(document.uri);
      let result = nothingSent();
      if (plan.batches.length > 0) {
        const connection = await this.environments.connection(environment);
        if (!connection || !(await this.localTenantListens(environment))) return undefined;
        const shift = plan.shiftMs === 0 ? '' : ` (shifted by ${fmt(Math.round(plan.shiftMs / 1000))} s)`;
        this.log.info(
          `Sending ${fmt(sentCount(plan))} lines of ${path} to ${environment.name} at ${connection.urls.ingest}, timestamps ${planned.mode}${shift}`,
        );
        result = await this.push(environment, connection, plan);
      }
      // A warning a rule foretells that the linter reported for the line's metric (MK010's `.count`) is no news.
      const news = result.warnings.filter(({ source: line, warning }) => {
        const rule = foretellingRule(warning);
        return rule === null || !linted.forKeyOf(document.lineAt(line).text, rule);
      });
      const answer = { ...result, warnings: news };
      const summary = summarize(environment.name, plan, answer);
      this.diagnostics.replace(
        document.uri,
        new Set(
          mapLines(
            tracker,
            source.map((s) => s.line),
          ),
        ),
        answerDiagnostics(
          document,
          tracker,
          environment.name,
          answer,
          plan.held.filter((h) => !linted.onLine(h.source, h.code)),
        ),
      );
      this.logFates(path, plan, result);
      this.log.info(summary.message);
      const allAccepted = summary.accepted === summary.lines;
      void this.notifier
        .show(result.stopped ? 'error' : allAccepted ? 'information' : 'warning', summary.message, 'Show Log')
        .then((choice) => choice && this.log.show(true));
      return summary;
    } finally {
      tracker.dispose();
    }
  }

  private push(environment: EnvironmentConfig, connection: Connection, plan: PushPlan): Thenable<PushResult> {
    const total = sentCount(plan);
    const title = `Sending ${fmt(total)} lines to ${environment.name}`;
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, cancellation) => {
        const controller = new AbortController();
        const subscription = cancellation.onCancellationRequested(() => controller.abort());
        let reported = 0;
        try {
          return await pushBatches(connection, plan.batches, {
            signal: controller.signal,
            onProgress: (done) => {
              progress.report({
                increment: ((done - reported) / total) * 100,
                message: `${fmt(done)} of ${fmt(total)} lines`,
              });
              reported = done;
            },
            log: (line) => this.log.info(line),
          });
        } finally {
          subscription.dispose();
        }
      },
    );
  }

  /** For the built-in local tenant: whether it listens, or was started now that the user agreed. */
  private async localTenantListens(environment: EnvironmentConfig): Promise<boolean> {
    if (environment.name !== LOCAL_TENANT_NAME) return true;
    await this.localTenant.onPort(localTenantPort());
    if (await LocalTenant.answers(environment.url)) return true;
    const start = 'Start Local Tenant';
    const answer = await this.notifier.ask(
      `Nothing listens at ${environment.url}. Start the local tenant?`,
      `It runs 'dtmetrics serve' on this machine and keeps its data in ${this.localTenant.dataFile}.`,
      start,
    );
    if (answer !== start) return false;
    await this.localTenant.start(localTenantPort());
    return true;
  }

  private logFates(path: string, plan: PushPlan, result: PushResult): void {
    const list = (fate: string, items: readonly { source: number; text: string }[]) => {
      for (const item of items.slice(0, LOG_LIST_LIMIT))
        this.log.warn(`${path}:${item.source + 1}: ${fate}: ${item.text}`);
      if (items.length > LOG_LIST_LIMIT)
        this.log.warn(`${path}: ${fmt(items.length - LOG_LIST_LIMIT)} more lines ${fate}`);
    };
    list(
      'held back',
      plan.held.map((h) => ({ source: h.source, text: `${h.code} ${h.message}` })),
    );
    list(
      'rejected',
      result.rejected.map((r) => ({ source: r.source, text: r.error })),
    );
    list(
      'warning',
      result.warnings.map((w) => ({ source: w.source, text: w.warning })),
    );
    list(
      'unknown',
      result.unknown.map((u) => ({ source: u.source, text: u.reason })),
    );
    list(
      'not sent',
      result.notSent.map((n) => ({ source: n.source, text: n.reason })),
    );
  }
}

function* linesOf(document: vscode.TextDocument): Generator<string> {
  for (let line = 0; line < document.lineCount; line++) yield document.lineAt(line).text;
}

async function documentOf(arg: SendArgument): Promise<vscode.TextDocument> {
  if (arg.uri) return vscode.workspace.openTextDocument(arg.uri);
  const document = vscode.window.activeTextEditor?.document;
  if (!document) throw new UserError('Open a .dtmetrics file to send its lines');
  return document;
}

/** `start`–`end` of the argument (each defaulting to the document's edge), checked against the document. */
function lineRange(document: vscode.TextDocument, arg: SendArgument): number[] {
  const start = arg.start ?? 0;
  const end = arg.end ?? document.lineCount - 1;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end >= document.lineCount || start > end) {
    throw new UserError(
      `Lines ${start}–${end} are not in ${vscode.workspace.asRelativePath(document.uri)} (0-based, ${document.lineCount} lines)`,
    );
  }
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

/** The lines of every selection (one that ends at a line's start leaves that line out); a cursor's block. */
function selectedLines(editor: vscode.TextEditor): number[] {
  const lines = new Set<number>();
  let texts: string[] | undefined;
  let all: Block[] | undefined;
  for (const selection of editor.selections) {
    if (selection.isEmpty) {
      texts ??= Array.from({ length: editor.document.lineCount }, (_, i) => editor.document.lineAt(i).text);
      // The document's blocks once, however many cursors.
      all ??= blocks(texts);
      const block = blockAround(texts, selection.active.line, all);
      if (block) for (let line = block.start; line <= block.end; line++) lines.add(line);
      continue;
    }
    const last =
      selection.end.character === 0 && selection.end.line > selection.start.line
        ? selection.end.line - 1
        : selection.end.line;
    for (let line = selection.start.line; line <= last; line++) lines.add(line);
  }
  if (lines.size === 0)
    throw new UserError(
      'The cursor is on a comment or a blank line: select the lines to send, or put the cursor in a block of lines',
    );
  return [...lines].sort((a, b) => a - b);
}

/**
 * The plan, once the user said what to do with lines that have errors (or the argument did): send the others,
 * send all, or (when only stale timestamps hold lines back) rebase the timestamps. Undefined when cancelled.
 */
async function confirmPlan(
  notifier: Notifier,
  source: readonly SourceLine[],
  mode: TimestampMode,
  answer: SendArgument['linesWithErrors'],
): Promise<{ plan: PushPlan; mode: TimestampMode } | undefined> {
  const now = Date.now();
  const plan = planPush(source, { now, timestamps: mode, sendErrors: false });
  const withErrors = () => ({ plan: planPush(source, { now, timestamps: mode, sendErrors: true }), mode });
  if (plan.held.length === 0 || answer === 'hold') return { plan, mode };
  if (answer === 'send') return withErrors();
  const others = sentCount(plan);
  const rebase = 'Rebase Timestamps';
  const sendOthers = `Send the Other ${fmt(others)}`;
  const sendAll = 'Send All';
  const onlyStale = mode !== 'rebase' && plan.held.every((h) => h.code === 'TS003');
  const buttons = [...(onlyStale ? [rebase] : []), ...(others > 0 ? [sendOthers] : []), sendAll];
  const detail = heldList(plan.held);
  const choice = await notifier.ask(
    `${fmt(plan.held.length)} of ${fmt(others + plan.held.length)} lines have errors the tenant would refuse`,
    detail,
    ...buttons,
  );
  if (choice === rebase) return confirmPlan(notifier, source, 'rebase', answer);
  if (choice === sendOthers) return { plan, mode };
  if (choice === sendAll) return withErrors();
  return undefined;
}

function heldList(held: readonly HeldLine[]): string {
  const listed = held.slice(0, MESSAGE_LIST_LIMIT).map((h) => `line ${h.source + 1}: ${h.code} ${h.message}`);
  if (held.length > MESSAGE_LIST_LIMIT) listed.push(`and ${fmt(held.length - MESSAGE_LIST_LIMIT)} more`);
  return listed.join('\n');
}

/** "line 3", "lines 3, 7 and 9", "lines 3, 7, 9, 12, 15 and 40 more" (1-based). */
function lineList(lines: readonly number[]): string {
  const named = lines.slice(0, MESSAGE_LIST_LIMIT).map((l) => String(l + 1));
  if (lines.length > MESSAGE_LIST_LIMIT)
    return `lines ${named.join(', ')} and ${fmt(lines.length - MESSAGE_LIST_LIMIT)} more`;
  if (named.length === 1) return `line ${named[0]}`;
  return `lines ${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
}

function summarize(environment: string, plan: PushPlan, result: PushResult): SendSummary {
  const held = plan.held.length;
  const lines = sentCount(plan) + held;
  const rejected = result.rejected.length + result.unlisted;
  const parts: string[] = [];
  if (rejected > 0) parts.push(`${fmt(rejected)} rejected`);
  if (result.warnings.length > 0) parts.push(`${fmt(result.warnings.length)} with warnings`);
  if (result.unknown.length > 0) parts.push(`${fmt(result.unknown.length)} unknown (may or may not be stored)`);
  if (result.notSent.length > 0) parts.push(`${fmt(result.notSent.length)} not sent`);
  if (held > 0) parts.push(`${fmt(held)} held back for errors (${lineList(plan.held.map((h) => h.source))})`);
  const stopped = result.stopped ? `. Stopped: ${result.stopped}` : '';
  const fates = parts.length > 0 ? `; ${parts.join(', ')}` : '';
  const message =
    held === lines
      ? `Nothing sent to ${environment}: ${plural(held, 'line')} held back for errors (${lineList(plan.held.map((h) => h.source))})`
      : `${fmt(result.accepted)} of ${plural(lines, 'line')} accepted by ${environment}${fates}${stopped}`;
  return {
    environment,
    lines,
    accepted: result.accepted,
    rejected,
    warnings: result.warnings.length,
    unknown: result.unknown.length,
    notSent: result.notSent.length,
    held,
    stopped: result.stopped,
    message,
  };
}

function mapLines(tracker: LineTracker, lines: readonly number[]): number[] {
  return lines.flatMap((line) => {
    const now = tracker.map(line);
    return now === null ? [] : [now];
  });
}

/** The language server's findings on a document: their codes by line, and by the metric key of their line. */
class LintedFindings {
  private readonly byLine = new Map<number, Set<string>>();
  private readonly byKey = new Map<string, Set<string>>();

  constructor(document: vscode.TextDocument) {
    for (const d of vscode.languages.getDiagnostics(document.uri)) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      const code = String(typeof d.code === 'object' ? d.code.value : d.code);
      const line = d.range.start.line;
      add(this.byLine, line, code);
      const key = line < document.lineCount ? metricKeyOf(document.lineAt(line).text) : null;
      if (key !== null) add(this.byKey, key, code);
    }
  }

  onLine(line: number, code: string): boolean {
    return this.byLine.get(line)?.has(code) === true;
  }

  /** Whether the linter reported `code` on a line of the same metric as the line `text`. */
  forKeyOf(text: string, code: string): boolean {
    const key = metricKeyOf(text);
    return key !== null && this.byKey.get(key)?.has(code) === true;
  }
}

function add<K>(map: Map<K, Set<string>>, key: K, code: string): void {
  const codes = map.get(key) ?? new Set<string>();
  codes.add(code);
  map.set(key, codes);
}

function metricKeyOf(text: string): string | null {
  const parsed = parseLine(text);
  return parsed.kind === 'data' || parsed.kind === 'metadata' ? parsed.key.text : null;
}

/**
 * What the tenant said of each sent line, as a diagnostic where the line is now (lines edited meanwhile get none).
 * A line held back keeps the linter's diagnostic that held it; `unlinted`, held for what the linter does not show
 * there (a rebased recording's oldest lines), get one that says so.
 */
function answerDiagnostics(
  document: vscode.TextDocument,
  tracker: LineTracker,
  environment: string,
  result: PushResult,
  unlinted: readonly HeldLine[],
): vscode.Diagnostic[] {
  const found: vscode.Diagnostic[] = [];
  const add = (source: number, message: string, severity: vscode.DiagnosticSeverity, column: number | null = null) => {
    const line = tracker.map(source);
    if (line === null || line >= document.lineCount) return;
    const { text, firstNonWhitespaceCharacterIndex } = document.lineAt(line);
    const range =
      column !== null && column < text.length
        ? new vscode.Range(line, column, line, column + 1)
        : new vscode.Range(line, firstNonWhitespaceCharacterIndex, line, text.length);
    found.push(tenantDiagnostic(range, message, severity));
  };
  const { Error, Warning, Information } = vscode.DiagnosticSeverity;
  for (const r of result.rejected) add(r.source, `${environment} refused this line: ${r.error}`, Error, r.column);
  for (const w of result.warnings) add(w.source, `${environment}: ${w.warning}`, Warning);
  for (const u of result.unknown)
    add(u.source, `Unknown whether ${environment} stored this line: ${u.reason}`, Warning);
  for (const n of result.notSent)
    add(n.source, `Not sent to ${environment}: ${n.reason.replace(/^not sent: /, '')}`, Information);
  for (const h of unlinted)
    add(h.source, `Not sent to ${environment}: held back for ${h.code}, ${h.message}`, Information);
  return found;
}
