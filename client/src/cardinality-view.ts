/**
 * The Cardinality view (Explorer): the metrics of the active `.dtmetrics` document, or of the workspace's
 * `.dtmetrics` files read as one environment's lines, with their series, data points a year and cost, sortable by
 * each, and under each metric its dimension keys with what they do to the count — the figures of the stats lens and
 * hover, in the same words (core/stats/describe.ts). The language server works them out (dtmetrics/cardinality:
 * a document's are the lens's own analysis); the view asks while it is visible, after a pause in typing.
 */
import * as vscode from 'vscode';
import { count, decimal, dimensionNotes, metricSummary, volatileNote } from '#core/stats/describe.ts';
import type { DimensionStats, MetricStats } from '#core/stats/analysis.ts';
import { plural } from '#core/text.ts';
import type { CardinalityParams, CardinalityResult } from '#protocol';
import { inert } from './notifier.ts';

export const CARDINALITY_VIEW = 'dtmetrics.cardinality';
/** The pause in typing after which the figures are asked for again: the active file's, the workspace's. */
const PAUSE_MS = { file: 400, workspace: 1000 };

type SortKey = 'series' | 'points' | 'cost';
const SORTS: Record<SortKey, { label: string; value: (m: MetricStats) => number }> = {
  series: { label: 'Series', value: (m) => m.series },
  points: { label: 'Data points a year', value: (m) => m.pointsPerYear ?? -1 },
  cost: { label: 'Cost a year', value: (m) => m.costPerYear ?? m.dduPerYear ?? -1 },
};

export type CardinalityScope = 'file' | 'workspace';
const SCOPES: Record<CardinalityScope, { label: string; detail: string }> = {
  file: { label: 'Active File', detail: 'the metrics of the .dtmetrics file in the editor, as typed' },
  workspace: {
    label: 'Workspace',
    detail: "every .dtmetrics file of the workspace as one environment's lines, as `dtmetrics stats .` reads them",
  },
};

/** Asks the language server for the figures (dtmetrics/cardinality). */
export type CardinalityRequester = (
  params: CardinalityParams,
  token: vscode.CancellationToken,
) => Promise<CardinalityResult | null>;

type Node =
  | { kind: 'metric'; metric: MetricStats; place: { uri: string; line: number } | undefined }
  | { kind: 'dimension'; metric: MetricStats; dimension: DimensionStats };

export class CardinalityView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private shown: { result: CardinalityResult; title: string } | null = null;
  private sort: SortKey = 'series';
  private scope: CardinalityScope = 'file';
  private timer: NodeJS.Timeout | undefined;
  /** The request under way: a newer one cancels it. */
  private asking: vscode.CancellationTokenSource | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly request: CardinalityRequester) {
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
      this.view.onDidChangeVisibility(() => this.schedule(0)),
      vscode.window.onDidChangeActiveTextEditor(() => this.scope === 'file' && this.schedule(0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.scope === 'workspace' ? e.document.languageId === 'dtmetrics' : e.document === this.activeDocument())
          this.schedule(PAUSE_MS[this.scope]);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('dtmetrics.stats') && this.schedule(0)),
      vscode.commands.registerCommand('dtmetrics.sortCardinality', (arg?: unknown) => this.chooseSort(arg)),
      vscode.commands.registerCommand('dtmetrics.cardinalityScope', (arg?: unknown) => this.chooseScope(arg)),
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
          metric.daysToTupleLimit === null
            ? ''
            : `+${count(metric.newSeriesPerDay ?? 0)} series a day: 1 M in ${decimal(metric.daysToTupleLimit, 1)} days`,
          place === undefined || this.scope === 'file'
            ? ''
            : `First in ${vscode.workspace.asRelativePath(vscode.Uri.parse(place.uri))}, line ${place.line + 1}`,
        ]
          .filter((line) => line !== '')
          .join('\n'),
      );
      if (place !== undefined)
        item.command = { command: REVEAL, title: 'Go to Metric', arguments: [place.uri, place.line] };
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
    this.asking?.cancel();
    for (const disposable of this.disposables) disposable.dispose();
  }

  private activeDocument(): vscode.TextDocument | undefined {
    const document = vscode.window.activeTextEditor?.document;
    return document?.languageId === 'dtmetrics' ? document : undefined;
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  /** Asks for the scope's figures, if the view is visible; a newer request cancels this one. */
  private async refresh(): Promise<void> {
    this.asking?.cancel();
    if (!this.view.visible) return;
    const asking = (this.asking = new vscode.CancellationTokenSource());
    const document = this.activeDocument();
    if (this.scope === 'file' && document === undefined) {
      this.clear(NO_FILE);
      return;
    }
    const title =
      this.scope === 'file' && document !== undefined ? vscode.workspace.asRelativePath(document.uri) : 'The workspace';
    if (this.shown === null) this.view.message = `Working out the figures of ${title}…`;
    let result: CardinalityResult | null;
    try {
      result = await this.request(
        this.scope === 'file' && document !== undefined
          ? { scope: 'document', uri: document.uri.toString() }
          : { scope: 'workspace' },
        asking.token,
      );
    } catch (error) {
      if (asking.token.isCancellationRequested) return;
      // The server restarting or refusing: said where the figures would be, and asked again on the next change.
      this.clear(
        inert(`The figures could not be worked out: ${error instanceof Error ? error.message : String(error)}`),
      );
      return;
    }
    if (asking.token.isCancellationRequested) return;
    this.shown = result && { result, title };
    this.describe();
  }

  private clear(message: string): void {
    this.shown = null;
    this.view.message = message;
    this.changed.fire();
  }

  /** The message over the metrics: whose figures, how many, in what order, what was left out. */
  private describe(): void {
    if (this.shown === null) return this.clear(NO_FILE);
    const { result, title } = this.shown;
    const { totals } = result;
    const whose = this.scope === 'workspace' ? `${title} (${plural(result.files, 'file')})` : title;
    const left = result.skipped.length === 0 ? '' : ` Left out: ${result.skipped.join('; ')}.`;
    this.view.message = inert(
      result.files === 0 && this.scope === 'workspace'
        ? 'The workspace has no .dtmetrics files.'
        : `${whose}: ${count(totals.series)} series in ${plural(totals.metrics, 'metric')}, sorted by ${SORTS[this.sort].label.toLowerCase()}.${left}`,
    );
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
    this.shown = null;
    await this.refresh();
  }
}

const NO_FILE = 'Open a .dtmetrics file: its metrics, series, data points and cost show here.';
/** A metric row's command: its first line. */
const REVEAL = 'dtmetrics.revealMetric';
