/**
 * The one results panel: a webview opened beside the editor without taking focus, reused and updated in place for
 * each query. Its HTML is a shell under a strict Content-Security-Policy (no inline code, scripts only with a
 * fresh nonce, nothing from outside dist/); the data goes in by postMessage (messages.ts), never into the HTML.
 * The extension keeps the whole result (for the chart's ranking, the raw response and the exports); the webview
 * keeps its last view in its saved state, which brings the panel back after a window reload.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { CONTEXT_KEYS } from '../context-keys.ts';
import {
  PANEL_STATE_VERSION,
  RANKINGS,
  RAW_LIMIT,
  RESULTS_VIEW_TYPE,
  TOP_N_CHOICES,
  type Banner,
  type ExportFormat,
  type PanelState,
  type PanelView,
  type QuerySpec,
  type RankBy,
  type RenderReport,
  type ToExtension,
  type ToWebview,
} from './messages.ts';
import type { ResultModel } from '#core/metrics/result-model.ts';
import { NO_UNIT, unitText } from '#core/metrics/units.ts';
import { chartData, tableDecimals, tableRows } from './model.ts';

/** A result the panel shows, and what it was asked as. */
export interface ShownResult {
  /** Null for a result opened from a file (nothing to rerun). */
  spec: QuerySpec | null;
  title: string;
  facts: string[];
  model: ResultModel;
  /** The metric's unit id (`MilliSecond`), as its descriptor gives it; null when unknown. */
  unit: string | null;
  banners: Banner[];
  /** The tenant's response as it came. */
  raw: string;
}

/** What the panel's buttons ask of the rest of the extension. */
export interface PanelActions {
  rerun(spec: QuerySpec): void;
  edit(spec: QuerySpec): void;
  cancel(): void;
  export(format: ExportFormat): void;
}

function restoredBanner(state: PanelState): Banner {
  const kept = state.view.rows.length;
  const cut =
    state.omittedRows > 0
      ? ` The table kept ${kept.toLocaleString('en-US')} of ${(kept + state.omittedRows).toLocaleString('en-US')} series.`
      : '';
  return {
    level: 'info',
    text: `Restored after a window reload: the result is as it was then. Rerun it for fresh data, the raw response and exports.${cut}`,
  };
}

/** What a view without a result shows in place of one. */
const NO_DATA: Pick<PanelView, 'rows' | 'decimals' | 'unit' | 'chart'> = {
  rows: [],
  decimals: { last: 0, min: 0, max: 0, avg: 0 },
  unit: NO_UNIT,
  chart: null,
};

/** How long a render report may take to come back before the command resolves without it. */
const REPORT_TIMEOUT_MS = 30_000;

export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** The last view sent: sent again when the webview's script starts anew (shown again, reloaded). */
  private view: PanelView | undefined;
  /** The query shown, for Rerun and Edit (a restored panel has it from its saved state). */
  private spec: QuerySpec | null = null;
  private result: ShownResult | undefined;
  private rankBy: RankBy = 'max';
  private topN: number;
  /** Render ids are unique across window reloads: a restored state's id never matches a new view's. */
  private readonly session = randomBytes(4).toString('hex');
  private sequence = 0;
  private readonly waiting = new Map<string, (report: RenderReport | null) => void>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly dist: vscode.Uri,
    private readonly actions: PanelActions,
    topN: number,
  ) {
    this.topN = topN;
  }

  /** The result shown, while the extension holds it (not after a reload, nor while a query runs). */
  get current(): ShownResult | undefined {
    return this.result;
  }

  /**
   * A panel VS Code brings back after a window reload. Its webview draws its saved state at once; the view sent
   * when it is ready says that the data is from before the reload (the extension no longer holds it).
   */
  restore(panel: vscode.WebviewPanel, saved: PanelState | undefined): void {
    this.panel?.dispose();
    const state = saved?.version === PANEL_STATE_VERSION ? saved : undefined;
    this.spec = state?.spec ?? null;
    this.view = state && {
      ...state.view,
      renderId: this.nextId(),
      loading: false,
      hasData: false,
      banners: [restoredBanner(state), ...(state.view.loading ? [] : state.view.banners)],
    };
    this.attach(panel);
  }

  showLoading(spec: QuerySpec, title: string, facts: string[]): void {
    this.hold(undefined);
    this.spec = spec;
    void this.send({
      title,
      facts,
      banners: [{ level: 'info', text: `Querying ${spec.metricSelector} on ${spec.environment}…` }],
      ...NO_DATA,
      loading: true,
      canRerun: false,
      hasData: false,
    });
  }

  showFailure(spec: QuerySpec, title: string, facts: string[], banner: Banner): Promise<RenderReport | null> {
    this.hold(undefined);
    this.spec = spec;
    return this.send({
      title,
      facts,
      banners: [banner],
      ...NO_DATA,
      loading: false,
      canRerun: true,
      hasData: false,
    });
  }

  showResult(result: ShownResult): Promise<RenderReport | null> {
    this.hold(result);
    this.spec = result.spec;
    const { model } = result;
    return this.send({
      title: result.title,
      facts: result.facts,
      banners: result.banners,
      rows: tableRows(model),
      decimals: tableDecimals(model),
      unit: unitText(result.unit),
      chart: chartData(model, this.rankBy, this.topN),
      loading: false,
      canRerun: result.spec !== null,
      hasData: true,
    });
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }

  /** The result Export takes, which the palette offers Export for while there is one. */
  private hold(result: ShownResult | undefined): void {
    this.result = result;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.queryResult, result !== undefined);
  }

  private nextId(): string {
    return `${this.session}-${++this.sequence}`;
  }

  private send(fields: Omit<PanelView, 'renderId'>): Promise<RenderReport | null> {
    const view: PanelView = { renderId: this.nextId(), ...fields };
    this.view = view;
    const panel = this.reveal();
    panel.title = `Query: ${view.title}`;
    const report = this.reportOf(view.renderId);
    this.post({ type: 'view', view, spec: this.spec });
    return report;
  }

  /** The panel, created beside the editor, or brought to the front where it is; the editor keeps the focus. */
  private reveal(): vscode.WebviewPanel {
    if (this.panel) {
      if (!this.panel.visible) this.panel.reveal(undefined, true);
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      RESULTS_VIEW_TYPE,
      'Query Results',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [this.dist] },
    );
    this.attach(panel);
    return panel;
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.dist] };
    panel.webview.html = this.html(panel.webview);
    panel.webview.onDidReceiveMessage((message: ToExtension) => this.receive(message), undefined, this.disposables);
    panel.onDidDispose(
      () => {
        if (this.panel !== panel) return;
        this.panel = undefined;
        this.view = undefined;
        for (const resolve of this.waiting.values()) resolve(null);
        this.waiting.clear();
      },
      undefined,
      this.disposables,
    );
  }

  /** The shell: a fresh nonce each time it is set; scripts and styles only from dist/. */
  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.dist, 'query-webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.dist, 'query-webview.css'));
    const csp = [
      `default-src 'none'`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Query Results</title>
</head>
<body>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  private post(message: ToWebview): void {
    void this.panel?.webview.postMessage(message);
  }

  private reportOf(renderId: string): Promise<RenderReport | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(null), REPORT_TIMEOUT_MS);
      const settle = (report: RenderReport | null) => {
        clearTimeout(timer);
        this.waiting.delete(renderId);
        resolve(report);
      };
      this.waiting.set(renderId, settle);
    });
  }

  private receive(message: ToExtension): void {
    switch (message.type) {
      case 'ready':
        if (this.view && message.shownRenderId !== this.view.renderId)
          this.post({ type: 'view', view: this.view, spec: this.spec });
        return;
      case 'rendered':
        this.waiting.get(message.report.renderId)?.(message.report);
        return;
      case 'rank':
        // Checked like any input: the webview shows a tenant's strings, so it is not trusted to be well-formed.
        if (RANKINGS.includes(message.rankBy) && TOP_N_CHOICES.includes(message.topN))
          this.rank(message.rankBy, message.topN);
        return;
      case 'rerun':
        if (this.spec) this.actions.rerun(this.spec);
        return;
      case 'edit':
        if (this.spec) this.actions.edit(this.spec);
        return;
      case 'cancel':
        return this.actions.cancel();
      case 'showRaw': {
        const raw = this.result?.raw ?? '';
        this.post({ type: 'raw', text: raw.slice(0, RAW_LIMIT), omitted: Math.max(0, raw.length - RAW_LIMIT) });
        return;
      }
      case 'export':
        if (message.format === 'csv' || message.format === 'json') this.actions.export(message.format);
        return;
    }
  }

  private rank(rankBy: RankBy, topN: number): void {
    this.rankBy = rankBy;
    this.topN = topN;
    if (!this.result || !this.view) return;
    const chart = chartData(this.result.model, rankBy, topN);
    const renderId = this.nextId();
    this.view = { ...this.view, renderId, chart };
    this.post({ type: 'chart', renderId, chart });
  }
}
