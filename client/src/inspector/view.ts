/**
 * The Ingest Inspector: the requests the local tenant receives from any client (curl, a script, an app's OTLP
 * exporter, a StatsD client), newest first, live (feed.ts). A request opens as a read-only `.dtmetrics` document of
 * its lines under a header saying what the tenant made of it, which the language server lints as any file: the
 * diagnostics land at their characters. Its problems are its children; Save Request as Fixture writes its lines, or
 * only the rejected ones, or one metric's, to a file. In the activation bundle: node:http and the core's line parser.
 */
import * as vscode from 'vscode';
import { UserError } from '#edge/errors.ts';
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
import { plural } from '#core/text.ts';
import { CONTEXT_KEYS } from '../context-keys.ts';
import { reportedRun } from '../lazy-commands.ts';
import type { LocalTenantStatus, LocalTenantWatch } from '../local-tenant/watch.ts';
import { inert, type Notifier } from '../notifier.ts';
import { JournalFeed, KEPT_REQUESTS, type FeedState, type FeedTarget } from './feed.ts';

export const INSPECTOR_VIEW = 'dtmetrics.ingestInspector';
/** The scheme of a request's document: `dtmetrics-request:/<instance>/<id>/<title>.dtmetrics`. */
export const REQUEST_SCHEME = 'dtmetrics-request';
/** The view is redrawn at most this often, however fast requests come. */
const REDRAW_MS = 250;
/** The command a tree item runs when chosen: opens the request's document, at a line for a problem. */
const OPEN_REQUEST = 'dtmetrics.openIngestRequest';

type Node =
  | { kind: 'request'; entry: JournalEntry }
  | { kind: 'problem'; entry: JournalEntry; problem: JournalProblem; index: number };

/** What Save Request as Fixture takes from a test or a keybinding; each part asked for when absent. */
interface SaveArgument {
  id?: number;
  filter?: LineFilter;
  file?: string;
}

export class IngestInspector implements vscode.TreeDataProvider<Node>, vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly arrived = new vscode.EventEmitter<void>();
  /** New requests reached the local tenant (seen while the inspector is visible): the Cardinality view reads again. */
  readonly onDidReceive = this.arrived.event;
  /** Oldest first, as they arrived. */
  private entries: JournalEntry[] = [];
  private instance: string | null = null;
  private readonly view: vscode.TreeView<Node>;
  private readonly feed: JournalFeed;
  private redraw: { timer: NodeJS.Timeout | undefined; last: number } = { timer: undefined, last: 0 };
  /** The line of its document where an entry's lines begin (a row per problem asks; the document is built once). */
  private readonly firstLines = new WeakMap<JournalEntry, number>();
  /** What the feed last said of the tenant followed; none while none is. */
  private state: { state: FeedState; target: FeedTarget } | null = null;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly watch: LocalTenantWatch,
    private readonly notifier: Notifier,
    log: vscode.LogOutputChannel,
  ) {
    this.feed = new JournalFeed(
      (entries, target) => this.received(entries, target),
      (state, target) => this.showState(state, target),
    );
    this.view = vscode.window.createTreeView(INSPECTOR_VIEW, { treeDataProvider: this, showCollapseAll: true });
    const command = <A extends unknown[]>(name: string, run: (...args: A) => unknown) =>
      vscode.commands.registerCommand(name, (...args: A) => reportedRun(log, notifier, name, () => run(...args)));
    this.disposables.push(
      this.view,
      this.changed,
      this.arrived,
      vscode.workspace.registerTextDocumentContentProvider(REQUEST_SCHEME, this),
      this.view.onDidChangeVisibility(() => this.follow()),
      watch.onDidChange(() => this.follow()),
      command('dtmetrics.showIngestInspector', () => vscode.commands.executeCommand(`${INSPECTOR_VIEW}.focus`)),
      command('dtmetrics.saveRequestAsFixture', (arg: unknown) => this.saveAsFixture(arg)),
      command('dtmetrics.clearIngestInspector', () => this.clear()),
      command(OPEN_REQUEST, (entry: JournalEntry, line?: number) => this.open(entry, line)),
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
    return node.entry.problems.map((problem, index) => ({ kind: 'problem', entry: node.entry, problem, index }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const item = node.kind === 'request' ? requestItem(node.entry) : this.problemItem(node.entry, node.problem);
    // Ids keep a request's expanded state as newer ones are put above it.
    item.id = `${this.instance}/${node.entry.id}${node.kind === 'problem' ? `/${node.index}` : ''}`;
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
    if (!target) {
      this.state = null;
      this.describe();
    }
  }

  private received(entries: JournalEntry[], target: FeedTarget): void {
    if (target.instance !== this.instance) return;
    const newest = this.entries.at(-1)?.id ?? 0;
    const fresh = entries.filter((entry) => entry.id > newest);
    if (fresh.length === 0) return;
    this.entries.push(...fresh);
    this.arrived.fire();
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
      this.describe();
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.inspectorHasRequests, this.entries.length > 0);
    }, wait);
  }

  private showState(state: FeedState, target: FeedTarget): void {
    if (target.instance !== this.instance) return;
    // Another tenant took the port: the watch looks again, and the view follows what it finds.
    if (state.kind === 'replaced') void this.watch.refresh();
    this.state = { state, target };
    this.describe();
  }

  /**
   * The view's message says whose requests it shows, how to send some while there are none, or what is wrong. (A
   * message hides the view's welcome content, which is left for when no tenant runs; and a panel view with the
   * container to itself shows no description.)
   */
  private describe(): void {
    const { state, target } = this.state ?? {};
    const host = target ? new URL(target.url).host : '';
    const messages = {
      live:
        this.entries.length > 0
          ? `Requests to the local tenant at ${host}, newest first, as they arrive.`
          : `Waiting for requests to the local tenant at ${host}. Point an app at it unchanged but for the endpoint: metric lines to http://${host}/api/v2/metrics/ingest, OTLP (http/protobuf) to http://${host}/api/v2/otlp/v1/metrics, StatsD to UDP port 18125 (the default). Each request shows here as it arrives; choose one to see its lines, linted, and save them as a fixture.`,
      unreachable: `The local tenant at ${host} does not answer: asked again every few seconds.`,
      replaced: `Another local tenant answers at ${host} now: looking at it.`,
      refused: `Cannot show the requests: ${state?.kind === 'refused' ? state.message : ''}.`,
    };
    const message = state ? inert(messages[state.kind]) : undefined;
    // Set on a change only: the feed reports at every poll.
    if (this.view.message !== message) this.view.message = message;
  }

  private problemItem(entry: JournalEntry, problem: JournalProblem): vscode.TreeItem {
    // The icon says rejected or dropped; a problem of no line is named by what became of it.
    const item = new vscode.TreeItem(problem.line > 0 ? `line ${problem.line}` : problem.kind);
    item.description = inert(oneLine(shortReason(problem.reason)));
    item.tooltip = inert(problemText(problem));
    item.iconPath =
      problem.kind === 'rejected'
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
        : new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    const line = problem.line > 0 && problem.line <= entry.lines.length ? problem.line - 1 : undefined;
    const at = line === undefined ? undefined : this.firstLineOf(entry) + line;
    item.command = { command: OPEN_REQUEST, title: 'Open Request', arguments: [entry, at] };
    return item;
  }

  private firstLineOf(entry: JournalEntry): number {
    let first = this.firstLines.get(entry);
    if (first === undefined) this.firstLines.set(entry, (first = entryDocument(entry).firstLine));
    return first;
  }

  private async open(entry: JournalEntry, line?: number): Promise<void> {
    const at = line === undefined ? undefined : new vscode.Range(line, 0, line, 0);
    await vscode.window.showTextDocument(this.uriOf(entry), { preview: true, preserveFocus: true, selection: at });
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
        : (this.view.selection[0]?.entry ?? (await this.askRequest()));
    if (!entry) {
      if (given.id !== undefined) throw new UserError(`The ingest inspector no longer holds request ${given.id}`);
      if (this.entries.length === 0)
        void this.notifier.show(
          'information',
          'The ingest inspector has no request yet: send one to the local tenant.',
        );
      return undefined;
    }
    if (entry.lines.length === 0)
      throw new UserError(
        `Request ${entry.id} has no lines to save: the tenant refused it before reading them (${entry.status})`,
      );
    const filter = given.filter ?? (await askFilter(entry));
    if (!filter) return undefined;
    const document = entryDocument(entry, filter);
    const target = given.file ? vscode.Uri.file(given.file) : await askFile(entry);
    if (!target) return undefined;
    await vscode.workspace.fs.writeFile(target, Buffer.from(document.text, 'utf8'));
    await vscode.window.showTextDocument(target, { preview: false });
    return { file: target.fsPath, lines: document.lineCount };
  }

  /** Which request to save, when none is chosen in the view: the newest are offered, as the view lists them. */
  private async askRequest(): Promise<JournalEntry | undefined> {
    if (this.entries.length === 0) return undefined;
    const picked = await vscode.window.showQuickPick(
      this.requests.map((entry) => {
        const { label, description } = requestItem(entry);
        return { label: String(label), description: String(description), entry };
      }),
      { title: 'Save which request as a fixture?' },
    );
    return picked?.entry;
  }
}

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
  item.description = inert(oneLine(`${outcomeText(entry)} · ${entry.userAgent ?? entry.client}`));
  const refused = entry.rejected + entry.dropped > 0 || entry.status >= 400;
  item.iconPath = !refused
    ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
    : entry.accepted === 0
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
      : new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  const agent = entry.userAgent === null ? '' : ` (${oneLine(entry.userAgent)})`;
  item.tooltip = inert(
    [
      `${ENDPOINT_TITLES[entry.endpoint]}${status}`,
      `${new Date(entry.at).toISOString()} from ${oneLine(entry.client)}${agent}`,
      `${entry.bytes} bytes: ${outcomeText(entry)}`,
      entry.lines.length === 0
        ? 'No metric lines: the tenant refused the request before reading them'
        : `${plural(entry.lines.length + entry.linesLeftOut, 'metric line')}: choose to open them, linted`,
    ].join('\n'),
  );
  // Only a request with lines has any to save.
  item.contextValue = entry.lines.length > 0 ? 'request' : 'request.empty';
  item.command = { command: OPEN_REQUEST, title: 'Open Request', arguments: [entry] };
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
  const choices: Choice[] = [{ label: `All ${plural(entry.lines.length, 'line')}`, filter: ALL_LINES }];
  if (rejected > 0 && rejected < entry.lines.length) {
    const listed = entry.rejected > rejected ? `of ${entry.rejected}: the tenant's answer lists the first` : undefined;
    choices.push({
      label: `Only the ${plural(rejected, 'rejected line')}`,
      description: listed,
      filter: { kind: 'rejected' },
    });
  }
  if (metrics.length > 1) choices.push({ label: 'One metric…', description: `of ${metrics.length}`, metrics: true });
  const picked =
    choices.length === 1 ? choices[0] : await vscode.window.showQuickPick(choices, { title: 'Save which lines?' });
  if (!picked?.metrics) return picked?.filter;
  const metric = await vscode.window.showQuickPick(
    metrics.map(({ key, lines }) => ({ label: inert(key), description: plural(lines, 'line'), key })),
    { title: 'Save the lines of which metric?' },
  );
  return metric && { kind: 'metric', key: metric.key };
}

async function askFile(entry: JournalEntry): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const stamp = new Date(entry.at).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const name = `request-${stamp}-${entry.endpoint}.dtmetrics`;
  return vscode.window.showSaveDialog({
    title: `Save request ${entry.id} as a fixture`,
    saveLabel: 'Save Fixture',
    filters: { 'Metric lines': ['dtmetrics'] },
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
  });
}
