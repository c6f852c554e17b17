/**
 * The Cardinality view (Explorer): the metrics of the active `.dtmetrics` document, of the workspace's `.dtmetrics`
 * files read as one environment's lines, or of what arrived at the selected environment in the last hour, with their
 * series, data points a year and cost, sortable by each, and under each metric its dimension keys with what they do
 * to the count — the figures of the stats lens and hover, in the same words (core/stats/describe.ts). The language
 * server works out a file's and the workspace's (dtmetrics/cardinality: a document's are the lens's own analysis),
 * the query bundle reads a tenant's (query/arrived.ts); the view asks while it is visible: after a pause in typing,
 * a file written, and for a tenant each minute.
 */
import * as vscode from 'vscode';
import { count, decimal, dimensionNotes, hostBoundNote, metricSummary, volatileNote } from '#core/stats/describe.ts';
import type { DimensionStats, MetricStats, StatsOptions } from '#core/stats/analysis.ts';
import { plural } from '#core/text.ts';
import type { CardinalityParams, CardinalityResult } from '#protocol';
import { LOCAL_TENANT_NAME, selectedName } from './environments/settings.ts';
import { inert } from './notifier.ts';
import type { ArrivedFigures } from './query/arrived.ts';

export const CARDINALITY_VIEW = 'dtmetrics.cardinality';
/** The pause in typing after which the figures are asked for again: the active file's, the workspace's. */
const PAUSE_MS = { file: 400, workspace: 1000 };
/**
 * How often the local tenant's figures are read again while they are shown: what arrived meanwhile, at the app's
 * cadence. Another environment's are read when chosen and on Refresh only (a query per ten metrics: a real tenant's load).
 */
const LOCAL_TENANT_REFRESH_MS = 60_000;
/** After requests reached the local tenant, the wait before its figures are read again: a stream is read this often. */
const ARRIVAL_WAIT_MS = 2_000;

type SortKey = 'series' | 'points' | 'cost';
const SORTS: Record<SortKey, { label: string; value: (m: MetricStats) => number }> = {
  series: { label: 'Series', value: (m) => m.series },
  points: { label: 'Data points a year', value: (m) => m.pointsPerYear ?? -1 },
  cost: { label: 'Cost a year', value: (m) => m.costPerYear ?? m.dduPerYear ?? -1 },
};

export type CardinalityScope = 'file' | 'workspace' | 'tenant';
const SCOPES: Record<CardinalityScope, { label: string; detail: string }> = {
  file: { label: 'Active File', detail: 'the metrics of the .dtmetrics file in the editor, as typed' },
  workspace: {
    label: 'Workspace',
    detail: "every .dtmetrics file of the workspace as one environment's lines, as `dtmetrics stats .` reads them",
  },
  tenant: {
    label: 'What Arrived at the Selected Environment',
    detail: 'its metrics of the last hour at the cadence they arrived, as `dtmetrics stats --tenant` reads them',
  },
};

/** Where the figures come from: the language server (dtmetrics/cardinality), the query bundle (a tenant's). */
export interface CardinalitySources {
  request(params: CardinalityParams, token: vscode.CancellationToken): Promise<CardinalityResult | null>;
  /** `ask`: whether a token (or consent to send it over http://) may be asked for. */
  arrived(options: StatsOptions, signal: AbortSignal, ask: boolean): Promise<ArrivedFigures | null>;
  /** Requests reached the local tenant (the Ingest Inspector's feed): its figures are read again soon. */
  onDidReceive: vscode.Event<void>;
}

interface Shown {
  result: CardinalityResult;
  /** Whose figures: a file's path, the workspace, an environment's name. */
  title: string;
  /** A tenant's: per metric whose figures are lower bounds, why; what the message adds. */
  arrived?: Pick<ArrivedFigures, 'atLeast' | 'notes' | 'notRead'>;
}

type Node =
  | { kind: 'metric'; metric: MetricStats; place: { uri: string; line: number } | undefined }
  | { kind: 'dimension'; metric: MetricStats; dimension: DimensionStats };

export class CardinalityView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private shown: Shown | null = null;
  private sort: SortKey = 'series';
  private scope: CardinalityScope = 'file';
  private timer: NodeJS.Timeout | undefined;
  /** The request under way: a newer one cancels it. */
  private asking: vscode.CancellationTokenSource | undefined;
  private tenantTimer: NodeJS.Timeout | undefined;
  /** Requests reached the local tenant while its figures were being read: read once more after. */
  private readAgain = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly sources: CardinalitySources) {
    this.view = vscode.window.createTreeView(CARDINALITY_VIEW, { treeDataProvider: this });
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.dtmetrics');
    const fileChanged = () => this.scope === 'workspace' && this.schedule(PAUSE_MS.workspace);
    this.disposables.push(
      this.view,
      this.changed,
      watcher,
      watcher.onDidChange(fileChanged),
      watcher.onDidCreate(fileChanged),
      watcher.onDidDelete(fileChanged),
      // What the editor itself creates, deletes, renames or saves, whether or not a disk watcher reports it.
      vscode.workspace.onDidCreateFiles(fileChanged),
      vscode.workspace.onDidDeleteFiles(fileChanged),
      vscode.workspace.onDidRenameFiles(fileChanged),
      vscode.workspace.onDidSaveTextDocument((d) => d.languageId === 'dtmetrics' && fileChanged()),
      this.view.onDidChangeVisibility(() => this.schedule(0)),
      vscode.window.onDidChangeActiveTextEditor(() => this.scope === 'file' && this.schedule(0)),
      sources.onDidReceive(() => {
        if (this.scope !== 'tenant' || selectedName() !== LOCAL_TENANT_NAME) return;
        // Neither postponed nor cancelled by the next request: an app sending each second still sees its figures.
        if (this.asking !== undefined) this.readAgain = true;
        else if (this.timer === undefined) this.schedule(ARRIVAL_WAIT_MS);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.scope === 'workspace' && e.document.languageId === 'dtmetrics') this.schedule(PAUSE_MS.workspace);
        else if (this.scope === 'file' && e.document === this.activeDocument()) this.schedule(PAUSE_MS.file);
      }),
      // A tenant's figures also follow the environment selected (dtmetrics.environment, dtmetrics.environments).
      vscode.workspace.onDidChangeConfiguration(
        (e) => e.affectsConfiguration(this.scope === 'tenant' ? 'dtmetrics' : 'dtmetrics.stats') && this.schedule(0),
      ),
      vscode.commands.registerCommand('dtmetrics.sortCardinality', (arg?: unknown) => this.chooseSort(arg)),
      vscode.commands.registerCommand('dtmetrics.cardinalityScope', (arg?: unknown) => this.chooseScope(arg)),
      vscode.commands.registerCommand('dtmetrics.refreshCardinality', () => this.refresh(true)),
      vscode.commands.registerCommand(REVEAL, (uri: string, line: number) =>
        vscode.window.showTextDocument(vscode.Uri.parse(uri), { selection: new vscode.Range(line, 0, line, 0) }),
      ),
    );
    this.schedule(0);
  }

  /** The metrics shown, in the view's order: what the in-editor tests read. */
  get metrics(): readonly MetricStats[] {
    return this.getChildren().flatMap((node) => (node.kind === 'metric' ? [node.metric] : []));
  }

  getChildren(node?: Node): Node[] {
    if (!this.shown) return [];
    if (!node) {
      const { value } = SORTS[this.sort];
      const { result } = this.shown;
      return [...result.metrics]
        .sort((a, b) => value(b) - value(a) || (a.key < b.key ? -1 : 1))
        .map((metric) => ({ kind: 'metric', metric, place: result.firstLines[metric.key] }));
    }
    if (node.kind === 'dimension') return [];
    return [...node.metric.dimensions]
      .sort((a, b) => b.multiplier - a.multiplier || (a.key < b.key ? -1 : 1))
      .map((dimension) => ({ kind: 'dimension', metric: node.metric, dimension }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'metric') {
      const { metric, place } = node;
      const item = new vscode.TreeItem(
        metric.key,
        metric.dimensions.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
      );
      item.description = metricSummary(metric);
      const volatile = metric.dimensions.some((d) => d.volatile !== null);
      item.iconPath = new vscode.ThemeIcon(
        volatile ? 'warning' : 'symbol-variable',
        volatile ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
      );
      item.tooltip = inert(
        [
          `${metric.key}: ${metricSummary(metric)}`,
          metric.dduPerYear === null ? '' : `${decimal(metric.dduPerYear, 1)} DDU a year (Classic: 0.001 a data point)`,
          hostBoundNote(metric) ?? '',
          metric.daysToTupleLimit === null
            ? ''
            : `+${count(metric.newSeriesPerDay ?? 0)} series a day: 1 M in ${decimal(metric.daysToTupleLimit, 1)} days`,
          place === undefined || this.scope === 'file'
            ? ''
            : `First in ${vscode.workspace.asRelativePath(vscode.Uri.parse(place.uri))}, line ${place.line + 1}`,
          ...(this.shown?.arrived?.atLeast[metric.key] ?? []).map((why) => `At least: ${why}`),
          this.scope === 'tenant' && metric.pointsPerYear === null
            ? 'Arrived in one minute of the hour so far: its cadence shows once it arrives again.'
            : '',
        ]
          .filter((line) => line !== '')
          .join('\n'),
      );
      if (place !== undefined)
        item.command = { command: REVEAL, title: 'Go to Metric', arguments: [place.uri, place.line] };
      else if (this.scope === 'tenant')
        // A tenant's metric has no line: its series of the window in the results panel.
        item.command = {
          command: 'dtmetrics.queryMetric',
          title: 'Query Metric',
          arguments: [{ metricSelector: metric.key, from: 'now-1h', environment: this.shown?.title }],
        };
      item.id = `metric/${metric.key}`;
      return item;
    }
    const { dimension, metric } = node;
    const item = new vscode.TreeItem(dimension.key);
    const notes = dimensionNotes(dimension, metric.dimensions);
    item.description = inert(
      `×${decimal(dimension.multiplier, 2)} · ${count(dimension.values, dimension.estimated)} values${notes === '' ? '' : ` · ${notes}`}`,
    );
    item.iconPath = new vscode.ThemeIcon(
      dimension.volatile ? 'warning' : 'symbol-field',
      dimension.volatile ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
    );
    if (dimension.volatile) item.tooltip = volatileNote(dimension.volatile);
    item.id = `metric/${metric.key}/${dimension.key}`;
    return item;
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.tenantTimer);
    this.asking?.cancel();
    for (const disposable of this.disposables) disposable.dispose();
  }

  private activeDocument(): vscode.TextDocument | undefined {
    const document = vscode.window.activeTextEditor?.document;
    return document?.languageId === 'dtmetrics' ? document : undefined;
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delay);
  }

  /**
   * Asks for the scope's figures, if the view is visible; a newer request cancels this one. `ask`: a tenant's token
   * may be asked for (the user chose the scope, or Refresh), never on a timer or a change.
   */
  private async refresh(ask = false): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    clearTimeout(this.tenantTimer);
    this.asking?.cancel();
    this.readAgain = false;
    if (!this.view.visible) return;
    const asking = (this.asking = new vscode.CancellationTokenSource());
    const document = this.activeDocument();
    if (this.scope === 'file' && document === undefined) return this.clear(NO_FILE);
    if (this.shown === null) this.view.message = `Working out the figures of ${this.whose(document)}…`;
    let shown: Shown | null;
    try {
      shown = await this.figures(document, asking.token, ask);
    } catch (error) {
      if (asking.token.isCancellationRequested) return;
      // The server restarting, a tenant refusing: said where the figures would be, and asked again on the next change.
      const why = error instanceof Error ? error.message : String(error);
      this.clear(inert(`The figures of ${this.whose(document)} could not be worked out: ${why}`));
      return this.readTenantLater();
    } finally {
      if (this.asking === asking) this.asking = undefined;
    }
    if (asking.token.isCancellationRequested) return;
    this.shown = shown;
    this.describe();
    // No token given: asked again only when the user refreshes, not each minute.
    if (shown !== null) this.readTenantLater();
  }

  private whose(document: vscode.TextDocument | undefined): string {
    if (this.scope === 'tenant') return 'the selected environment';
    return this.scope === 'file' && document !== undefined
      ? vscode.workspace.asRelativePath(document.uri)
      : 'the workspace';
  }

  private async figures(
    document: vscode.TextDocument | undefined,
    token: vscode.CancellationToken,
    ask: boolean,
  ): Promise<Shown | null> {
    if (this.scope !== 'tenant') {
      const result = await this.sources.request(
        document !== undefined && this.scope === 'file'
          ? { scope: 'document', uri: document.uri.toString() }
          : { scope: 'workspace' },
        token,
      );
      return result && { result, title: this.scope === 'file' ? this.whose(document) : 'The workspace' };
    }
    const stopped = new AbortController();
    const listening = token.onCancellationRequested(() => stopped.abort());
    try {
      const figures = await this.sources.arrived(tenantOptions(), stopped.signal, ask);
      return figures && { result: figures.result, title: figures.environment, arrived: figures };
    } finally {
      listening.dispose();
    }
  }

  /** The local tenant's figures are read again each minute while shown (a running app keeps sending), or sooner. */
  private readTenantLater(): void {
    if (this.scope !== 'tenant') return;
    if (this.readAgain) this.schedule(ARRIVAL_WAIT_MS);
    else if (selectedName() === LOCAL_TENANT_NAME)
      this.tenantTimer = setTimeout(() => void this.refresh(), LOCAL_TENANT_REFRESH_MS);
  }

  private clear(message: string): void {
    this.shown = null;
    this.view.message = message;
    this.changed.fire();
  }

  /** The message over the metrics: whose figures, how many, in what order, what was left out. */
  private describe(): void {
    if (this.shown === null)
      return this.clear(
        this.scope === 'tenant'
          ? 'The selected environment needs a token (or your consent to send it over http://): Refresh Cardinality asks for it.'
          : NO_FILE,
      );
    const { result, title, arrived } = this.shown;
    const { totals } = result;
    const figures = `${count(totals.series)} series in ${plural(totals.metrics, 'metric')}, sorted by ${SORTS[this.sort].label.toLowerCase()}.`;
    const left = (notes: readonly string[], lead: string) => (notes.length === 0 ? '' : ` ${lead}${notes.join('; ')}.`);
    let message: string;
    if (this.scope === 'tenant') {
      const notes = left(arrived?.notes ?? [], '');
      const where = title === LOCAL_TENANT_NAME ? 'the local tenant' : title;
      message =
        totals.metrics > 0
          ? `What arrived at ${where} in the last hour: ${figures}${notes}`
          : (arrived?.notRead ?? 0) > 0
            ? `What arrived at ${where} in the last hour could not be read.${notes}`
            : `Nothing arrived at ${where} in the last hour (built-in metrics aside): point an app at it.${notes}`;
    } else if (this.scope === 'workspace')
      message =
        result.files === 0
          ? 'The workspace has no .dtmetrics files.'
          : `${title} (${plural(result.files, 'file')}): ${figures}${left(result.skipped, 'Left out: ')}`;
    else message = `${title}: ${figures}`;
    this.view.message = inert(message);
    this.changed.fire();
  }

  private async chooseSort(arg: unknown): Promise<void> {
    const given = typeof arg === 'string' && arg in SORTS ? (arg as SortKey) : undefined;
    const picked =
      given ??
      (
        await vscode.window.showQuickPick(
          (Object.keys(SORTS) as SortKey[]).map((key) => ({ label: SORTS[key].label, key, picked: key === this.sort })),
          { title: 'Sort the metrics by' },
        )
      )?.key;
    if (picked === undefined) return;
    this.sort = picked;
    this.describe();
  }

  private async chooseScope(arg: unknown): Promise<void> {
    const given = typeof arg === 'string' && arg in SCOPES ? (arg as CardinalityScope) : undefined;
    const picked =
      given ??
      (
        await vscode.window.showQuickPick(
          (Object.keys(SCOPES) as CardinalityScope[]).map((key) => ({
            ...SCOPES[key],
            key,
            description: key === this.scope ? 'shown' : undefined,
          })),
          { title: 'Show the cardinality of' },
        )
      )?.key;
    if (picked === undefined || picked === this.scope) return;
    this.scope = picked;
    this.clear(`Working out the figures of ${this.whose(this.activeDocument())}…`);
    await this.refresh(true);
  }
}

const NO_FILE = 'Open a .dtmetrics file: its metrics, series, data points and cost show here.';

/**
 * A tenant's figures as `dtmetrics stats --tenant` reads them by default: the cadence the points arrived at (a metric
 * seen in one minute has none), the price of dtmetrics.stats.pricePerPoint.
 */
function tenantOptions(): StatsOptions {
  const price = vscode.workspace.getConfiguration('dtmetrics.stats').get<number | null>('pricePerPoint', null);
  return { intervalMs: null, pricePerPoint: typeof price === 'number' ? price : null };
}

/** A metric row's command: its first line. */
const REVEAL = 'dtmetrics.revealMetric';
