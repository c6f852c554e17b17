/**
 * The Ingest Inspector: the requests the local tenant receives from any client (curl, a script, an app's OTLP
 * exporter, a StatsD client), newest first, live (feed.ts). A request opens as a read-only `.dtmetrics` document of
 * its lines under a header saying what the tenant made of it, which the language server lints as any file: the
 * diagnostics land at their characters. Its problems are its children; Save Request as Fixture writes its lines, or
 * only the rejected ones, or one metric's, to a file. In the activation bundle: node:http and the core's line parser.
 */
import * as vscode from 'vscode';
import {
  ALL_LINES,
  ENDPOINT_TITLES,
  entryDocument,
  metricKeyCounts,
  rejectedLineNumbers,
  shortReason,
  type LineFilter,
} from '#core/metrics/journal-document.ts';
import { oneLine, outcomeText, problemText, type JournalEntry, type JournalProblem } from '#core/metrics/journal.ts';
import { CONTEXT_KEYS } from '../context-keys.ts';
import type { LocalTenantStatus, LocalTenantWatch } from '../local-tenant/watch.ts';
import { inert, type Notifier } from '../notifier.ts';
import { JournalFeed, type FeedState, type FeedTarget } from './feed.ts';

export const INSPECTOR_VIEW = 'dtmetrics.ingestInspector';
/** The scheme of a request's document: `dtmetrics-request:/<instance>/<id>/<title>.dtmetrics`. */
export const REQUEST_SCHEME = 'dtmetrics-request';
/** As many requests as the tenant's journal keeps: the view never holds more than the tenant does. */
const KEPT_REQUESTS = 500;
/** The view is redrawn at most this often, however fast requests come. */
const REDRAW_MS = 250;

type Node =
  | { kind: 'request'; entry: JournalEntry }
  | { kind: 'problem'; entry: JournalEntry; problem: JournalProblem };

/** What Save Request as Fixture takes from a test or a keybinding; each part asked for when absent. */
interface SaveArgument {
  id?: number;
  filter?: LineFilter;
  file?: string;
}

export class IngestInspector implements vscode.TreeDataProvider<Node>, vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Oldest first, as they arrived. */
  private entries: JournalEntry[] = [];
  private instance: string | null = null;
  private readonly view: vscode.TreeView<Node>;
  private readonly feed: JournalFeed;
  private redraw: { timer: NodeJS.Timeout | undefined; last: number } = { timer: undefined, last: 0 };
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly watch: LocalTenantWatch,
    private readonly notifier: Notifier,
  ) {
    this.feed = new JournalFeed(
      (entries, target) => this.received(entries, target),
      (state, target) => this.showState(state, target),
    );
    this.view = vscode.window.createTreeView(INSPECTOR_VIEW, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(REQUEST_SCHEME, this),
      this.view.onDidChangeVisibility(() => this.follow()),
      watch.onDidChange(() => this.follow()),
      vscode.commands.registerCommand('dtmetrics.showIngestInspector', () =>
        vscode.commands.executeCommand(`${INSPECTOR_VIEW}.focus`),
      ),
      vscode.commands.registerCommand('dtmetrics.saveRequestAsFixture', (arg: unknown) => this.saveAsFixture(arg)),
      vscode.commands.registerCommand('dtmetrics.clearIngestInspector', () => this.clear()),
      vscode.commands.registerCommand(OPEN_REQUEST, (entry: JournalEntry, line?: number) => this.open(entry, line)),
    );
    this.follow();
  }

  /** The requests shown, newest first: what the in-editor tests read. */
  get requests(): readonly JournalEntry[] {
    return [...this.entries].reverse();
  }

  /** The document a request opens as. */
  uriOf(entry: JournalEntry): vscode.Uri {
    const title = `request ${entry.id} (${entry.endpoint}${entry.status === 0 ? '' : ` ${entry.status}`}).dtmetrics`;
    return vscode.Uri.from({ scheme: REQUEST_SCHEME, path: `/${this.instance ?? 'none'}/${entry.id}/${title}` });
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.requests.map((entry) => ({ kind: 'request', entry }));
    if (node.kind === 'problem') return [];
    return node.entry.problems.map((problem) => ({ kind: 'problem', entry: node.entry, problem }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const item = node.kind === 'request' ? requestItem(node.entry) : problemItem(node.entry, node.problem);
    // Ids keep a request's expanded state as newer ones are put above it.
    const index = node.kind === 'problem' ? `/${node.entry.problems.indexOf(node.problem)}` : '';
    item.id = `${this.instance}/${node.entry.id}${index}`;
    return item;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, instance, id] = uri.path.split('/');
    const entry = instance === this.instance ? this.entries.find((e) => String(e.id) === id) : undefined;
    return entry
      ? entryDocument(entry).text
      : `// This request is no longer in the ingest inspector (it keeps the newest ${KEPT_REQUESTS} of the tenant it follows).\n`;
  }

  dispose(): void {
    this.feed.stop();
    clearTimeout(this.redraw.timer);
    for (const disposable of this.disposables) disposable.dispose();
  }

  /** Follows the tenant the watch sees, while the view is visible (what came meanwhile is read when it shows). */
  private follow(): void {
    const target = targetOf(this.watch.status);
    if (target?.instance !== this.instance) {
      // Another tenant (or none): its requests are another journal's, with ids from 1 again.
      this.instance = target?.instance ?? null;
      this.entries = [];
      this.scheduleRedraw();
    }
    this.feed.follow(target, this.view.visible);
    if (!target) this.describe(null);
  }

  private received(entries: JournalEntry[], target: FeedTarget): void {
    if (target.instance !== this.instance) return;
    this.entries.push(...entries);
    if (this.entries.length > KEPT_REQUESTS) this.entries.splice(0, this.entries.length - KEPT_REQUESTS);
    this.scheduleRedraw();
  }

  /** A redraw now if none came within REDRAW_MS, else one when that has passed: at most one per REDRAW_MS. */
  private scheduleRedraw(): void {
    if (this.redraw.timer) return;
    const wait = Math.max(0, this.redraw.last + REDRAW_MS - Date.now());
    this.redraw.timer = setTimeout(() => {
      this.redraw = { timer: undefined, last: Date.now() };
      this.changed.fire(undefined);
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.inspectorHasRequests, this.entries.length > 0);
    }, wait);
  }

  private showState(state: FeedState, target: FeedTarget): void {
    if (target.instance !== this.instance) return;
    this.describe(state, target);
  }

  /**
   * The view's message says whose requests it shows, or what is wrong (a panel view with the container to itself
   * shows no description, so the message carries it).
   */
  private describe(state: FeedState | null, target?: FeedTarget): void {
    const host = target ? new URL(target.url).host : '';
    const messages = {
      live: `Requests to the local tenant at ${host}, newest first, as they arrive.`,
      unreachable: `The local tenant at ${host} does not answer: asked again every few seconds.`,
      refused: `Cannot show the requests: ${state?.kind === 'refused' ? state.message : ''}.`,
    };
    this.view.message = state ? inert(messages[state.kind]) : undefined;
  }

  private async open(entry: JournalEntry, line?: number): Promise<void> {
    const uri = this.uriOf(entry);
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== 'dtmetrics') await vscode.languages.setTextDocumentLanguage(document, 'dtmetrics');
    const at = line === undefined ? undefined : new vscode.Range(line, 0, line, 0);
    await vscode.window.showTextDocument(document, { preview: true, preserveFocus: true, selection: at });
  }

  private clear(): void {
    this.entries = [];
    this.scheduleRedraw();
  }

  /** Writes a request's lines (all, the rejected, or one metric's) to a `.dtmetrics` file and opens it. */
  private async saveAsFixture(arg: unknown): Promise<{ file: string; lines: number } | undefined> {
    const given = savedArgument(arg);
    const entry =
      given.id !== undefined
        ? this.entries.find((e) => e.id === given.id)
        : (this.view.selection[0]?.entry ?? this.entries[this.entries.length - 1]);
    if (!entry) {
      void this.notifier.show(
        'information',
        given.id === undefined
          ? 'The ingest inspector has no request to save yet: send one to the local tenant first.'
          : `The ingest inspector no longer holds request ${given.id}.`,
      );
      return undefined;
    }
    const filter = given.filter ?? (await askFilter(entry));
    if (!filter) return undefined;
    const document = entryDocument(entry, filter);
    const target = given.file ? vscode.Uri.file(given.file) : await askFile(entry);
    if (!target) return undefined;
    await vscode.workspace.fs.writeFile(target, Buffer.from(document.text, 'utf8'));
    await vscode.window.showTextDocument(target, { preview: false });
    return { file: target.fsPath, lines: document.lineCount };
  }
}

/** The command a tree item runs when chosen: opens the request's document, at a line for a problem. */
const OPEN_REQUEST = 'dtmetrics.openIngestRequest';

function targetOf(status: LocalTenantStatus): FeedTarget | null {
  // One that does not answer for now keeps its requests shown: the feed says it does not answer, and asks again.
  if (status.kind === 'started') return { url: status.state.url, instance: status.state.instance };
  if (status.kind === 'elsewhere') return { url: status.info.url, instance: status.info.instance };
  return null;
}

/** `21:40:03.120`, in the editor's time zone. */
function clockTime(at: number): string {
  const time = new Date(at);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`;
}

const SHORT_ENDPOINTS: Record<JournalEntry['endpoint'], string> = {
  lines: 'ingest',
  oneagent: 'OneAgent ingest',
  otlp: 'OTLP',
  statsd: 'StatsD',
};

function requestItem(entry: JournalEntry): vscode.TreeItem {
  const status = entry.status === 0 ? '' : ` ${entry.status}`;
  const item = new vscode.TreeItem(
    `${clockTime(entry.at)}  ${SHORT_ENDPOINTS[entry.endpoint]}${status}`,
    entry.problems.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  const who = entry.userAgent ?? entry.client;
  item.description = inert(`${outcomeText(entry)} · ${who}`);
  const refused = entry.rejected + entry.dropped > 0 || entry.status >= 400;
  item.iconPath = !refused
    ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
    : entry.accepted === 0
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
      : new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  item.tooltip = inert(
    [
      `${ENDPOINT_TITLES[entry.endpoint]}${status}`,
      `${new Date(entry.at).toISOString()} from ${entry.client}${entry.userAgent === null ? '' : ` (${entry.userAgent})`}`,
      `${entry.bytes} bytes: ${outcomeText(entry)}`,
      `${entry.lines.length + entry.linesLeftOut} metric lines; choose to open them, linted`,
    ].join('\n'),
  );
  item.contextValue = 'request';
  item.command = { command: OPEN_REQUEST, title: 'Open Request', arguments: [entry] };
  return item;
}

function problemItem(entry: JournalEntry, problem: JournalProblem): vscode.TreeItem {
  // The icon says rejected or dropped; a problem of no line is named by what became of it.
  const item = new vscode.TreeItem(problem.line > 0 ? `line ${problem.line}` : problem.kind);
  item.description = inert(oneLine(shortReason(problem.reason)));
  item.tooltip = inert(problemText(problem));
  item.iconPath =
    problem.kind === 'rejected'
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
      : new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  const line = problem.line > 0 && problem.line <= entry.lines.length ? problem.line - 1 : undefined;
  const at = line === undefined ? undefined : entryDocument(entry).firstLine + line;
  item.command = { command: OPEN_REQUEST, title: 'Open Request', arguments: [entry, at] };
  return item;
}

/** What a test or keybinding passed: a tree node (the item's inline action) or `{ id, filter, file }`. */
function savedArgument(arg: unknown): SaveArgument {
  if (typeof arg !== 'object' || arg === null) return {};
  const o = arg as { kind?: unknown; entry?: JournalEntry } & SaveArgument;
  if (o.kind === 'request' && o.entry) return { id: o.entry.id };
  return { id: o.id, filter: o.filter, file: o.file };
}

async function askFilter(entry: JournalEntry): Promise<LineFilter | undefined> {
  type Choice = vscode.QuickPickItem & { filter?: LineFilter; metrics?: true };
  const rejected = rejectedLineNumbers(entry).size;
  const metrics = metricKeyCounts(entry);
  const choices: Choice[] = [{ label: `All ${entry.lines.length} lines`, filter: ALL_LINES }];
  if (rejected > 0 && rejected < entry.lines.length)
    choices.push({ label: `Only the ${rejected} rejected lines`, filter: { kind: 'rejected' } });
  if (metrics.length > 1) choices.push({ label: 'One metric…', description: `of ${metrics.length}`, metrics: true });
  const picked =
    choices.length === 1 ? choices[0] : await vscode.window.showQuickPick(choices, { title: 'Save which lines?' });
  if (!picked?.metrics) return picked?.filter;
  const metric = await vscode.window.showQuickPick(
    metrics.map(({ key, lines }) => ({ label: key, description: `${lines} lines` })),
    { title: 'Save the lines of which metric?' },
  );
  return metric && { kind: 'metric', key: metric.label };
}

async function askFile(entry: JournalEntry): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const stamp = new Date(entry.at).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const name = `request-${stamp}-${entry.endpoint}.dtmetrics`;
  return vscode.window.showSaveDialog({
    title: 'Save the request as a fixture',
    saveLabel: 'Save Fixture',
    filters: { 'Metric lines': ['dtmetrics'] },
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
  });
}
