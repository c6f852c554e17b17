/**
 * The query bundle's entry (dist/query.js), loaded by activation.ts when a query command first runs or VS Code
 * brings the results panel back: runs a query against an environment (Metrics API v2, or Timeseries API v1 for an
 * older cluster) and shows it in the results panel; reruns, recent queries, exports, and results saved to files.
 *
 * Each query command resolves with a QueryOutcome, which names what the panel drew (the webview's own report):
 * callers with an argument object (tests, keybindings, scripts) learn the outcome without reading the screen.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Connection } from '#http/client.ts';
import {
  listMetrics,
  metricDescriptor,
  queryMetrics,
  V1_AGGREGATIONS,
  v1Timeseries,
  type QueryAnswer,
  type Refusal,
} from '#http/query.ts';
import {
  argumentObject,
  flag,
  lineNumber,
  oneOf,
  optional,
  positiveInteger,
  required,
  uri,
  type ArgumentObject,
} from '../arguments.ts';
import type { Notifier } from '../notifier.ts';
import { Environments } from '../environments/environments.ts';
import { UserError } from '#edge/errors.ts';
import { SETTING_DEFAULTS } from '../setting-defaults.ts';
import { selectedName, type EnvironmentConfig } from '../environments/settings.ts';
import type { QueryCommand } from './activation.ts';
import type { Banner, ExportFormat, PanelState, QuerySpec, RenderReport } from './messages.ts';
import { keysOfLines, storedKeyOfLine } from './metric-keys.ts';
import { isV1Result, readResult, resultModel, toCsv, type ResultModel } from '#core/metrics/result-model.ts';
import type { MetricData, V1TimeseriesResult } from '#core/metrics/api.ts';
import type { Result } from '#core/result.ts';
import { resultBanners, toMetricData } from './model.ts';
import { ResultsPanel } from './panel.ts';
import {
  askResolution,
  askSelector,
  askTimeRange,
  askV1Options,
  fixSelector,
  RecentQueries,
  specFacts,
  type WorkspaceKeys,
} from './prompts.ts';
import { DEFAULT_FROM, rangeLabel, v1Time, v2Time } from './time-range.ts';
import { arrivedFigures, type ArrivedFigures } from './arrived.ts';
import type { StatsOptions } from '#core/stats/analysis.ts';

/** What a query command resolves with. */
export interface QueryOutcome {
  ok: boolean;
  /** Why it failed (as the panel's banner says it), or that it was cancelled. */
  message?: string;
  /** The query as run (after a fix of its selector, the fixed one). */
  spec: QuerySpec | null;
  /** Series in the result. */
  series: number;
  /** What the panel drew, as the webview reported it; null when it did not report in time (or nothing was shown). */
  rendered: RenderReport | null;
}

export interface QueryFeatures extends vscode.Disposable {
  run(command: QueryCommand, arg: unknown): Promise<unknown>;
  restore(panel: vscode.WebviewPanel, state: PanelState | undefined): void;
  /** The Cardinality view's tenant scope: what arrived at the selected environment (arrived.ts). */
  arrived(options: StatsOptions, signal: AbortSignal, ask: boolean): Promise<ArrivedFigures | null>;
}

/** Keys the selector pick asks the tenant for, at most (pages of 500). */
const TENANT_KEY_PAGES = 4;

const config = () => vscode.workspace.getConfiguration('dtmetrics');

export function activateQuery(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  notifier: Notifier,
  workspaceKeys: WorkspaceKeys,
): QueryFeatures {
  const environments = new Environments(context.secrets, notifier);
  const recent = new RecentQueries(context.workspaceState);
  let running: AbortController | undefined;

  const panel = new ResultsPanel(
    vscode.Uri.joinPath(context.extensionUri, 'dist'),
    {
      rerun: (spec) => void vscode.commands.executeCommand('dtmetrics.queryMetric', spec),
      edit: (spec) => void vscode.commands.executeCommand('dtmetrics.queryMetric', { ...spec, ask: true }),
      cancel: () => running?.abort(),
      export: (format) => void vscode.commands.executeCommand('dtmetrics.exportQueryResults', { format }),
    },
    config().get('query.chartSeries', SETTING_DEFAULTS['query.chartSeries']),
  );

  /**
   * The questions of Query Metric…, starting from `seed`; a recent query picked is returned whole. The connection
   * made for completion goes with the answer, so its questions (a token, plain http) are asked once.
   */
  async function ask(
    seed: Partial<QuerySpec>,
  ): Promise<{ spec: QuerySpec; connection: Connection | undefined } | undefined> {
    const environment = environments.resolve(seed.environment);
    const connection = environment.v1 ? undefined : await environments.connection(environment);
    const tenantKeys = connection ? keysOf(connection) : Promise.resolve([]);
    const spec = await askSpec(seed, environment, tenantKeys);
    // A recent query picked may be for another environment: it makes its own connection.
    return spec && { spec, connection: spec.environment === environment.name ? connection : undefined };
  }

  async function askSpec(
    seed: Partial<QuerySpec>,
    environment: EnvironmentConfig,
    tenantKeys: Promise<string[]>,
  ): Promise<QuerySpec | undefined> {
    const chosen = await askSelector(
      environment,
      seed.metricSelector || keyUnderCursor() || '',
      recent.list(),
      tenantKeys,
      workspaceKeys,
    );
    if (!chosen) return undefined;
    if ('recent' in chosen) return chosen.recent;
    const range = await askTimeRange({ from: seed.from ?? DEFAULT_FROM, to: seed.to });
    if (!range) return undefined;
    const base: QuerySpec = { environment: environment.name, metricSelector: chosen.selector, ...range };
    if (environment.v1) {
      const options = await askV1Options(seed);
      return options && { ...base, ...options };
    }
    const resolution = await askResolution(seed.resolution);
    return resolution && { ...base, ...(resolution.resolution ? { resolution: resolution.resolution } : {}) };
  }

  /** The tenant's metric keys for completion; none when it cannot list them (the workspace's still help). */
  async function keysOf(connection: Connection): Promise<string[]> {
    const keys: string[] = [];
    let nextPageKey: string | undefined;
    for (let page = 0; page < TENANT_KEY_PAGES; page++) {
      const answer = await listMetrics(connection, nextPageKey ? { nextPageKey } : { pageSize: 500 }, {
        timeoutMs: 10_000,
      });
      if (!answer.ok) {
        log.warn(`Listing the tenant's metrics for completion failed: ${answer.message}`);
        break;
      }
      const { metrics, nextPageKey: next } = answer.value.data;
      keys.push(...metrics.flatMap((m) => (typeof m.metricId === 'string' ? [m.metricId] : [])));
      if (!next) break;
      nextPageKey = next;
    }
    return keys;
  }

  /** Runs `spec` and shows it; `interactive`: a refused selector is asked again. */
  async function execute(
    spec: QuerySpec,
    interactive: boolean,
    timeoutMs?: number,
    asked?: Connection,
  ): Promise<QueryOutcome> {
    const environment = environments.resolve(spec.environment);
    const connection = asked ?? (await environments.connection(environment));
    if (!connection) return { ok: false, message: 'cancelled', spec, series: 0, rendered: null };
    running?.abort();
    const controller = new AbortController();
    running = controller;
    await recent.add(spec);
    const title = spec.metricSelector;
    const where = `${environment.name}${environment.v1 ? ' (Timeseries API v1)' : ''}`;
    const facts = [where, ...specFacts(spec)];
    panel.showLoading(spec, title, facts);
    const options = {
      signal: controller.signal,
      timeoutMs: timeoutMs ?? config().get('query.timeoutSeconds', SETTING_DEFAULTS['query.timeoutSeconds']) * 1000,
    };
    const answer = await request(environment, connection, spec, options);
    if (running !== controller)
      return { ok: false, message: 'superseded by a newer query', spec, series: 0, rendered: null };
    running = undefined;
    if (!answer.ok) {
      log.warn(`Query ${spec.metricSelector} on ${environment.name}: ${answer.message}`);
      const rendered = await panel.showFailure(spec, title, facts, failureBanner(spec, answer));
      const selectorRefused = answer.violations.some((v: { path: string }) => v.path === 'metricSelector');
      if (interactive && selectorRefused) {
        const fixed = await fixSelector(spec.metricSelector, answer.message, answer.index);
        if (fixed !== undefined) return execute({ ...spec, metricSelector: fixed }, true, timeoutMs);
      }
      return { ok: false, message: answer.message, spec, series: 0, rendered };
    }
    const { model, raw, ms, unit } = answer.value;
    log.info(
      `Query ${spec.metricSelector} on ${environment.name}: ${model.series.length} series in ${ms.toFixed(0)} ms`,
    );
    // The resolution the tenant used, rather than the one asked for.
    const shownFacts = [
      where,
      ...specFacts({ ...spec, resolution: undefined }),
      `resolution ${model.resolution}`,
      `${model.series.length.toLocaleString('en-US')} series`,
      `${ms.toFixed(0)} ms`,
    ];
    const rendered = await panel.showResult({
      spec,
      title,
      facts: shownFacts,
      model,
      unit,
      banners: resultBanners(model, spec, rangeLabel(spec)),
      raw,
    });
    return { ok: true, spec, series: model.series.length, rendered };
  }

  async function exportResults(arg: ArgumentObject | undefined): Promise<{ uri: string; series: number } | undefined> {
    const shown = panel.current;
    if (!shown)
      throw new UserError(
        'No query result to export: run a query first (after a window reload, rerun the query shown)',
      );
    const format = (arg && oneOf<ExportFormat>(arg, 'format', ['csv', 'json'])) ?? (await askFormat());
    if (!format) return undefined;
    const stem = (shown.spec?.metricSelector ?? shown.title).replace(/[^\w.-]+/g, '_').slice(0, 80) || 'query';
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target =
      (arg && uri(arg, 'uri')) ??
      (await vscode.window.showSaveDialog({
        title: `Export ${shown.model.series.length} series as ${format.toUpperCase()}`,
        defaultUri: folder && vscode.Uri.joinPath(folder, `${stem}.${format}`),
        filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
      }));
    if (!target) return undefined;
    const text = format === 'csv' ? toCsv(shown.model) : `${JSON.stringify(toMetricData(shown.model), null, 2)}\n`;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    void notifier.show(
      'information',
      `Saved ${shown.model.series.length.toLocaleString('en-US')} series to ${vscode.workspace.asRelativePath(target)}`,
    );
    return { uri: target.toString(), series: shown.model.series.length };
  }

  async function openResult(arg: ArgumentObject | undefined): Promise<QueryOutcome | undefined> {
    const file =
      (arg && uri(arg, 'uri')) ??
      (
        await vscode.window.showOpenDialog({
          title: 'Open a saved query result',
          canSelectMany: false,
          filters: { JSON: ['json'] },
        })
      )?.[0];
    if (!file) return undefined;
    const raw = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    const read = readResult(raw);
    if (!read.ok)
      throw new UserError(`${vscode.workspace.asRelativePath(file)} is not a query result: ${read.message}`);
    const model = read.value;
    const name = basename(file.fsPath);
    const facts = [
      vscode.workspace.asRelativePath(file),
      `resolution ${model.resolution}`,
      `${model.series.length.toLocaleString('en-US')} series`,
    ];
    const rendered = await panel.showResult({
      spec: null,
      title: name,
      facts,
      model,
      unit: null,
      banners: resultBanners(model, null, 'the saved range'),
      raw,
    });
    return { ok: true, spec: null, series: model.series.length, rendered };
  }

  const handlers: Record<QueryCommand, (arg: ArgumentObject | undefined) => Promise<unknown>> = {
    // QuerySpec fields ({ metricSelector, from?, to?, resolution?, aggregation?, queryMode?, environment? }) and
    // timeoutMs?: runs at once. Without an argument, or with ask: true (the panel's Edit): the questions, the
    // argument's fields as their first answers.
    'dtmetrics.queryMetric': async (a) => {
      if (a && !flag(a, 'ask')) return execute(specArgument(a), false, positiveInteger(a, 'timeoutMs'));
      const asked = await ask(a ? specArgument({ metricSelector: '', ...a }) : {});
      return asked && execute(asked.spec, true, undefined, asked.connection);
    },
    // { uri?, line?, end?, environment? }: the metric of that line (the active editor's cursor line by default), or
    // of lines `line` to `end` (a Query lens's block: a pick when they hold several), the last 2 hours, auto
    // resolution. Resolves with undefined when the pick is dismissed.
    'dtmetrics.queryMetricUnderCursor': async (a) => {
      const key = a?.uri !== undefined || a?.line !== undefined ? await keyOfLines(a) : keyUnderCursor();
      if (key === null) return undefined;
      if (!key) throw new UserError('No metric on this line: put the cursor on a metric line of a .dtmetrics file');
      return execute(
        {
          environment: environments.resolve(a && optional(a, 'environment')).name,
          metricSelector: key,
          from: DEFAULT_FROM,
        },
        true,
      );
    },
    'dtmetrics.rerunLastQuery': async () => {
      const last = recent.list()[0];
      if (!last) throw new UserError('No query was run in this workspace yet: use dtmetrics: Query Metric…');
      return execute(last, true);
    },
    // { format?: 'csv'|'json', uri? }: without a uri, a save dialog. Resolves with { uri, series }.
    'dtmetrics.exportQueryResults': exportResults,
    // { uri? }: a Metrics API v2 response or v1 result saved as JSON (an export, `dtmetrics query --format json`).
    'dtmetrics.openQueryResult': openResult,
  };

  return {
    run: (command, arg) => handlers[command](argumentObject(arg)),
    restore: (webviewPanel, state) => panel.restore(webviewPanel, state),
    arrived: (options, signal, ask) => arrivedFigures(environments, options, Date.now(), signal, ask),
    dispose: () => {
      running?.abort();
      panel.dispose();
    },
  };
}

/** A query's result, with its metric's unit (null when the tenant did not say). */
type Answer = Result<{ model: ResultModel; raw: string; ms: number; unit: string | null }, Refusal>;

/** How long the descriptor (the unit) may take, at most: a slow one holds the result up by no more than this. */
const DESCRIPTOR_TIMEOUT_MS = 5_000;

async function request(
  environment: EnvironmentConfig,
  connection: Connection,
  spec: QuerySpec,
  options: { signal: AbortSignal; timeoutMs: number },
): Promise<Answer> {
  // A time the core's grammar refuses (a command's argument) is the banner's message, as a tenant's 400 would be.
  const refused = (error: string): Answer => ({ ok: false, message: error, violations: [], index: null });
  let answer: QueryAnswer<MetricData | V1TimeseriesResult>;
  let unit: Promise<string | null>;
  if (environment.v1) {
    const time = v1Time(spec, Date.now());
    if (!time.ok) return refused(time.message);
    answer = await v1Timeseries(
      connection,
      spec.metricSelector,
      { aggregationType: spec.aggregation ?? 'AVG', queryMode: spec.queryMode ?? 'series', ...time.value },
      options,
    );
    unit = Promise.resolve(answer.ok && isV1Result(answer.value.data) ? answer.value.data.result.unit : null);
  } else {
    const time = v2Time(spec, Date.now());
    if (!time.ok) return refused(time.message);
    // The unit is in the metric's descriptor, asked for beside the query; without it the panel shows no unit.
    unit = metricDescriptor(connection, spec.metricSelector, {
      signal: options.signal,
      timeoutMs: Math.min(options.timeoutMs, DESCRIPTOR_TIMEOUT_MS),
    }).then((described) =>
      described.ok && typeof described.value.data.unit === 'string' ? described.value.data.unit : null,
    );
    answer = await queryMetrics(
      connection,
      { metricSelector: spec.metricSelector, ...time.value, resolution: spec.resolution },
      options,
    );
  }
  if (!answer.ok) return answer;
  const { data, raw, ms } = answer.value;
  return { ok: true, value: { model: resultModel(data), raw, ms, unit: await unit } };
}

/** The panel's banner for a failure: the selector with a caret under its mistake when the tenant says where. */
function failureBanner(
  spec: QuerySpec,
  failure: { message: string; index: number | null; violations: { path: string }[] },
): Banner {
  if (failure.message === 'cancelled') return { level: 'info', text: 'Cancelled.' };
  const onSelector = failure.violations.some((v) => v.path === 'metricSelector');
  return {
    level: 'error',
    text: onSelector ? `The tenant refused the selector: ${failure.message}` : failure.message,
    ...(onSelector && failure.index !== null ? { at: { text: spec.metricSelector, index: failure.index } } : {}),
  };
}

function keyUnderCursor(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId !== 'dtmetrics') return undefined;
  return storedKeyOfLine(editor.document.lineAt(editor.selection.active.line).text) ?? undefined;
}

/** The metric of lines `line` to `end` of a document: the one, the one picked of several (null: none picked). */
async function keyOfLines(arg: ArgumentObject): Promise<string | null | undefined> {
  const target = uri(arg, 'uri') ?? vscode.window.activeTextEditor?.document.uri;
  if (!target) throw new UserError('No document: give its uri');
  const document = await vscode.workspace.openTextDocument(target);
  const line = lineNumber(arg, 'line') ?? 0;
  const end = lineNumber(arg, 'end') ?? line;
  const last = Math.max(line, end);
  if (last >= document.lineCount)
    throw new UserError(`${vscode.workspace.asRelativePath(target)} has no line ${last + 1}`);
  const keys = keysOfLines(line, end, (at) => document.lineAt(at).text);
  if (keys.length <= 1) return keys[0];
  const picked = await vscode.window.showQuickPick(
    keys.map((key) => ({ label: key })),
    {
      title: `Query a metric of lines ${line + 1}–${end + 1}`,
      placeHolder: 'The metric to query for the last 2 hours',
    },
  );
  return picked ? picked.label : null;
}

async function askFormat(): Promise<ExportFormat | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'CSV', description: 'one row per point: metric, dimensions, time, value', format: 'csv' as const },
      { label: 'JSON', description: "the Metrics API v2 response's shape", format: 'json' as const },
    ],
    { title: 'Export the query result' },
  );
  return picked?.format;
}

function specArgument(arg: ArgumentObject): QuerySpec {
  const to = optional(arg, 'to');
  const resolution = optional(arg, 'resolution');
  const aggregation = oneOf(arg, 'aggregation', V1_AGGREGATIONS);
  const queryMode = oneOf(arg, 'queryMode', ['series', 'total'] as const);
  return {
    environment: optional(arg, 'environment') ?? selectedName(),
    metricSelector: required(arg, 'metricSelector'),
    from: optional(arg, 'from') ?? DEFAULT_FROM,
    ...(to ? { to } : {}),
    ...(resolution ? { resolution } : {}),
    ...(aggregation ? { aggregation } : {}),
    ...(queryMode ? { queryMode } : {}),
  };
}
