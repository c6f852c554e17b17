/**
 * What querying puts in the editor from activation on, cheaply: the commands (their code, dist/query.js with the
 * HTTP client and the panel, loads when one first runs), a "Query" CodeLens on each block of lines, and the
 * serializer that brings the results panel back after a window reload.
 */
import * as vscode from 'vscode';
import { CONTEXT_KEYS, RECENT_QUERIES_KEY } from '../context-keys.ts';
import { registerLazyCommands, type LazyBundle } from '../lazy-commands.ts';
import type { Notifier } from '../notifier.ts';
import { SETTING_DEFAULTS } from '../setting-defaults.ts';
import type * as Query from './index.ts';
import { RESULTS_VIEW_TYPE, type PanelState } from './messages.ts';
import { blockMetrics } from './metric-keys.ts';
import type { WorkspaceKeys } from './prompts.ts';

export const QUERY_COMMANDS = [
  'dtmetrics.queryMetric',
  'dtmetrics.queryMetricUnderCursor',
  'dtmetrics.rerunLastQuery',
  'dtmetrics.exportQueryResults',
  'dtmetrics.openQueryResult',
] as const;
export type QueryCommand = (typeof QUERY_COMMANDS)[number];

/** CodeLenses in one document at most (one per block), and the lines read for them: a lens costs a parse per line. */
const MAX_LENSES = 1000;
const MAX_LENS_LINES = 100_000;

export function registerQuery(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  notifier: Notifier,
  workspaceKeys: WorkspaceKeys,
): LazyBundle<Query.QueryFeatures> {
  const bundle = registerLazyCommands(
    context,
    log,
    notifier,
    'dist/query.js',
    (query: typeof Query) => query.activateQuery(context, log, notifier, workspaceKeys),
    QUERY_COMMANDS,
  );
  // Rerun Last Query and Open Saved Query Result show in the palette once a query has run here.
  void vscode.commands.executeCommand(
    'setContext',
    CONTEXT_KEYS.queryRun,
    (context.workspaceState.get<unknown[]>(RECENT_QUERIES_KEY)?.length ?? 0) > 0,
  );
  const lenses = new QueryLenses();
  context.subscriptions.push(
    lenses,
    vscode.languages.registerCodeLensProvider({ language: 'dtmetrics' }, lenses),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('dtmetrics.query.codeLens')) lenses.refresh();
    }),
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) =>
        bundle.load().restore(panel, state as PanelState | undefined),
    }),
  );
  return bundle;
}

/**
 * "Query" on the first line of each block (the Send lens's blocks: lines between blank lines and comments), for the
 * keys the tenant stores its metrics under: the one at once, or a pick of several. A file of one metric a line gets
 * one row of lenses per block, and any key is one click and a pick away.
 */
class QueryLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] {
    if (
      !vscode.workspace
        .getConfiguration('dtmetrics', document.uri)
        .get('query.codeLens', SETTING_DEFAULTS['query.codeLens'])
    )
      return [];
    const found = blockMetrics(
      Math.min(document.lineCount, MAX_LENS_LINES),
      (line) => document.lineAt(line).text,
      MAX_LENSES,
      () => token.isCancellationRequested,
    );
    return found.map(({ start, end, keys }) => {
      const [only] = keys;
      return new vscode.CodeLens(new vscode.Range(start, 0, start, 0), {
        title: keys.length === 1 ? '$(graph) Query' : `$(graph) Query (${keys.length} metrics)…`,
        tooltip:
          keys.length === 1
            ? `Query ${only} for the last 2 hours and show it in the results panel`
            : `Pick one of ${keys.length} metrics of lines ${start + 1}–${end + 1} (${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''}) and query it for the last 2 hours`,
        command: 'dtmetrics.queryMetricUnderCursor',
        arguments: [{ uri: document.uri, line: start, end }],
      });
    });
  }

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
