/**
 * The Cardinality view (Explorer): the metrics of the active `.dtmetrics` document with their series, data points a
 * year and cost, sortable by each, and under each metric its dimension keys with what they do to the count — the
 * figures of the stats lens and hover (core/stats/, the same analysis and words), all in one place. Worked out while
 * the view is visible, after a pause in typing, a step at a time (the extension host keeps answering meanwhile).
 */
import * as vscode from 'vscode';
import { count, decimal, dimensionNotes, metricSummary, volatileNote } from '#core/stats/describe.ts';
import { documentStats, type DocumentStats } from '#core/stats/document.ts';
import type { DimensionStats, MetricStats } from '#core/stats/analysis.ts';
import { parseDuration } from '#core/time.ts';
import { inert } from './notifier.ts';

export const CARDINALITY_VIEW = 'dtmetrics.cardinality';
/** The pause in typing after which the figures are worked out again. */
const PAUSE_MS = 400;

type SortKey = 'series' | 'points' | 'cost';
const SORTS: Record<SortKey, { label: string; value: (m: MetricStats) => number }> = {
  series: { label: 'Series', value: (m) => m.series },
  points: { label: 'Data points a year', value: (m) => m.pointsPerYear ?? -1 },
  cost: { label: 'Cost a year', value: (m) => m.costPerYear ?? m.dduPerYear ?? -1 },
};

type Node =
  | { kind: 'metric'; metric: MetricStats; line: number | undefined }
  | { kind: 'dimension'; metric: MetricStats; dimension: DimensionStats };

export class CardinalityView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private stats: { uri: vscode.Uri; result: DocumentStats } | null = null;
  private sort: SortKey = 'series';
  private timer: NodeJS.Timeout | undefined;
  /** Each new working-out stops the one before it. */
  private generation = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.view = vscode.window.createTreeView(CARDINALITY_VIEW, { treeDataProvider: this });
    this.disposables.push(
      this.view,
      this.changed,
      this.view.onDidChangeVisibility(() => this.schedule(0)),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.schedule(PAUSE_MS);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('dtmetrics.stats') && this.schedule(0)),
      vscode.commands.registerCommand('dtmetrics.sortCardinality', (arg?: unknown) => this.chooseSort(arg)),
      vscode.commands.registerCommand(REVEAL, (uri: vscode.Uri, line: number) =>
        vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0) }),
      ),
    );
    this.schedule(0);
  }

  /** The metrics shown, in the view's order: what the in-editor tests read. */
  get metrics(): readonly MetricStats[] {
    return this.getChildren().flatMap((node) => (node.kind === 'metric' ? [node.metric] : []));
  }

  getChildren(node?: Node): Node[] {
    if (!this.stats) return [];
    if (!node) {
      const { value } = SORTS[this.sort];
      const { result } = this.stats;
      return [...result.metrics.values()]
        .sort((a, b) => value(b) - value(a) || (a.key < b.key ? -1 : 1))
        .map((metric) => ({ kind: 'metric', metric, line: result.firstLines.get(metric.key) }));
    }
    if (node.kind === 'dimension') return [];
    return [...node.metric.dimensions]
      .sort((a, b) => b.multiplier - a.multiplier || (a.key < b.key ? -1 : 1))
      .map((dimension) => ({ kind: 'dimension', metric: node.metric, dimension }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'metric') {
      const { metric } = node;
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
      item.tooltip = [
        `${metric.key}: ${metricSummary(metric)}`,
        metric.dduPerYear === null ? '' : `${decimal(metric.dduPerYear, 1)} DDU a year (Classic: 0.001 a data point)`,
        metric.daysToTupleLimit === null
          ? ''
          : `+${count(metric.newSeriesPerDay ?? 0)} series a day: 1 M in ${decimal(metric.daysToTupleLimit, 1)} days`,
      ]
        .filter((line) => line !== '')
        .join('\n');
      if (this.stats && node.line !== undefined)
        item.command = { command: REVEAL, title: 'Go to Metric', arguments: [this.stats.uri, node.line] };
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
    this.generation++;
    for (const disposable of this.disposables) disposable.dispose();
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.workOut(), delay);
  }

  /** The active `.dtmetrics` document's figures, a step at a time; a newer working-out stops this one. */
  private async workOut(): Promise<void> {
    const generation = ++this.generation;
    const document = vscode.window.activeTextEditor?.document;
    if (!this.view.visible) return;
    if (document?.languageId !== 'dtmetrics') {
      this.stats = null;
      this.view.message = 'Open a .dtmetrics file: its metrics, series, data points and cost show here.';
      this.changed.fire();
      return;
    }
    const settings = vscode.workspace.getConfiguration('dtmetrics.stats', document.uri);
    const interval = parseDuration(settings.get<string>('interval', '1m'), 'dtmetrics.stats.interval');
    const price = settings.get<number | null>('pricePerPoint', null);
    const steps = documentStats((line) => document.lineAt(line).text, document.lineCount, {
      intervalMs: interval.ok ? interval.value : null,
      pricePerPoint: typeof price === 'number' ? price : null,
    });
    let step = steps.next();
    while (!step.done) {
      await new Promise((resume) => setImmediate(resume));
      if (generation !== this.generation) return;
      step = steps.next();
    }
    this.stats = { uri: document.uri, result: step.value };
    const name = vscode.workspace.asRelativePath(document.uri);
    const { totals } = step.value.report;
    this.view.message = inert(
      `${name}: ${count(totals.series)} series in ${totals.metrics} metrics, sorted by ${SORTS[this.sort].label.toLowerCase()}.`,
    );
    this.changed.fire();
  }

  private async chooseSort(arg: unknown): Promise<void> {
    const given = typeof arg === 'string' && arg in SORTS ? (arg as SortKey) : undefined;
    const picked =
      given ??
      (
        await vscode.window.showQuickPick(
          (Object.keys(SORTS) as SortKey[]).map((key) => ({
            label: SORTS[key].label,
            key,
            picked: key === this.sort,
          })),
          { title: 'Sort the metrics by' },
        )
      )?.key;
    if (picked === undefined) return;
    this.sort = picked;
    await this.workOut();
  }
}

/** A metric row's command: its first line in the document. */
const REVEAL = 'dtmetrics.revealMetric';
