/**
 * The questions of "Query Metric…": the selector in a quick pick that completes metric keys (the tenant's list
 * and the language server's keys of the workspace's `.dtmetrics` files) and offers recent queries; the time range; the resolution (v2) or the
 * aggregation and mode (v1); and, when the tenant refuses a selector, the selector again with the tenant's
 * message under it and the cursor at the mistake.
 */
import * as vscode from 'vscode';
import { CONTEXT_KEYS, RECENT_QUERIES_KEY } from '../context-keys.ts';
import { inert } from '../notifier.ts';
import type { EnvironmentConfig } from '../environments/settings.ts';
import { TENANT } from '#core/rules.ts';
import { V1_AGGREGATIONS } from '#http/query.ts';
import type { WorkspaceKeysParams, WorkspaceKeysResult } from '#protocol';
import type { QuerySpec, V1Aggregation } from './messages.ts';
import { DEFAULT_FROM, RANGE_PRESETS, rangeLabel, RESOLUTIONS, timeError } from './time-range.ts';

/** Keys offered as completions, at most. */
const MAX_KEYS = 5000;
const MAX_RECENT = 20;

/**
 * The keys the workspace's files and open documents store metrics under, from the language server's workspace
 * index (dtmetrics/workspaceKeys), as the extension asks it.
 */
export type WorkspaceKeys = (params: WorkspaceKeysParams) => Promise<WorkspaceKeysResult>;

/** How a query was asked besides its selector and environment: time range, resolution, v1 options. */
export const specFacts = (spec: QuerySpec): string[] =>
  [
    rangeLabel(spec),
    spec.resolution && `resolution ${spec.resolution}`,
    spec.aggregation,
    spec.queryMode === 'total' && 'total',
  ].filter((fact): fact is string => typeof fact === 'string');

/** Recent queries, newest first, per workspace. */
export class RecentQueries {
  constructor(private readonly state: vscode.Memento) {}

  list(): QuerySpec[] {
    return this.state.get<QuerySpec[]>(RECENT_QUERIES_KEY) ?? [];
  }

  async add(spec: QuerySpec): Promise<void> {
    const same = JSON.stringify(spec);
    await this.state.update(
      RECENT_QUERIES_KEY,
      [spec, ...this.list().filter((s) => JSON.stringify(s) !== same)].slice(0, MAX_RECENT),
    );
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.queryRun, true);
  }
}

type SelectorItem = vscode.QuickPickItem & { run?: string; recent?: QuerySpec; key?: string };

/**
 * The selector: a typed one, a recent query (returned whole), or a key picked to go on typing after. `tenantKeys`
 * resolves with the tenant's keys (or none) while the pick is open; the workspace's are asked for meanwhile.
 */
export function askSelector(
  environment: EnvironmentConfig,
  initial: string,
  recent: readonly QuerySpec[],
  tenantKeys: Promise<string[]>,
  workspaceKeys: WorkspaceKeys,
): Promise<{ selector: string } | { recent: QuerySpec } | undefined> {
  const pick = vscode.window.createQuickPick<SelectorItem>();
  pick.title = `Query ${environment.name}${environment.v1 ? ' (Timeseries API v1)' : ''}`;
  pick.placeholder = environment.v1
    ? 'A timeseries id, e.g. my.metric'
    : 'A metric selector, e.g. my.metric:splitBy("host"):max';
  pick.value = initial;
  pick.ignoreFocusOut = true;
  let keys: string[] = [];
  const update = () => {
    const value = pick.value.trim();
    const typedKey = value.split(/[:,(\s]/)[0] ?? '';
    const matching = keys.filter((k) => k !== value && k.includes(typedKey)).slice(0, 200);
    const recents = recent.filter((s) => s.environment === environment.name && s.metricSelector.includes(typedKey));
    // alwaysShow: the pick must not filter a selector's transformations away; these lists are filtered here.
    pick.items = [
      ...(value ? [{ label: `$(play) ${value}`, description: 'run this query', run: value, alwaysShow: true }] : []),
      ...(recents.length > 0 ? [{ label: 'recent', kind: vscode.QuickPickItemKind.Separator }] : []),
      ...recents.map((s) => ({
        label: `$(history) ${s.metricSelector}`,
        description: specFacts(s).join(' · '),
        recent: s,
        alwaysShow: true,
      })),
      ...(matching.length > 0 ? [{ label: 'metric keys', kind: vscode.QuickPickItemKind.Separator }] : []),
      ...matching.map((k) => ({ label: `$(symbol-key) ${k}`, description: 'complete', key: k, alwaysShow: true })),
    ];
  };
  pick.busy = true;
  // Completion is a convenience: keys from a source that fails are left out.
  void Promise.allSettled([tenantKeys, workspaceKeys({ limit: MAX_KEYS }).then((answer) => answer.keys)]).then(
    (sources) => {
      keys = [...new Set(sources.flatMap((source) => (source.status === 'fulfilled' ? source.value : [])))]
        .sort()
        .slice(0, MAX_KEYS);
      pick.busy = false;
      update();
    },
  );
  update();
  return new Promise((resolve) => {
    pick.onDidChangeValue(update);
    pick.onDidAccept(() => {
      const item = pick.activeItems[0];
      if (item?.key !== undefined) {
        pick.value = item.key;
        update();
        return;
      }
      const selector = item?.run ?? pick.value.trim();
      if (item?.recent) resolve({ recent: item.recent });
      else if (selector) resolve({ selector });
      else return;
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

/** The selector once more, after the tenant refused it: its message under the box, the cursor at the mistake. */
export async function fixSelector(
  selector: string,
  tenantMessage: string,
  index: number | null,
): Promise<string | undefined> {
  // An input box's message renders [text](command:…) as a link: the tenant's words are made inert.
  const message = inert(tenantMessage);
  const at = index === null ? undefined : Math.min(index, selector.length);
  const box = vscode.window.createInputBox();
  box.title = 'The tenant refused the selector';
  box.value = selector;
  box.validationMessage = { message, severity: vscode.InputBoxValidationSeverity.Error };
  if (at !== undefined) box.valueSelection = [at, Math.min(at + 1, selector.length)];
  box.ignoreFocusOut = true;
  box.prompt = 'Correct it and press Enter to query again, or Escape to leave it';
  return new Promise((resolve) => {
    box.onDidChangeValue((value) => {
      // The tenant's message stays until the text changes: only the tenant can say whether the change fixed it.
      box.validationMessage =
        value === selector ? { message, severity: vscode.InputBoxValidationSeverity.Error } : undefined;
    });
    box.onDidAccept(() => {
      if (box.value.trim() === '' || box.value === selector) return;
      resolve(box.value.trim());
      box.hide();
    });
    box.onDidHide(() => {
      resolve(undefined);
      box.dispose();
    });
    box.show();
  });
}

/** The time range: a preset or a custom from/to; undefined when cancelled. */
export async function askTimeRange(
  current: Pick<QuerySpec, 'from' | 'to'>,
): Promise<Pick<QuerySpec, 'from' | 'to'> | undefined> {
  const items = [
    ...RANGE_PRESETS.map((p) => ({
      label: p.label,
      description: p.from,
      range: { from: p.from } as Pick<QuerySpec, 'from' | 'to'> | undefined,
      picked: !current.to && p.from === current.from,
    })),
    {
      label: 'Custom…',
      description: 'from and to in ms, ISO-8601 (UTC unless a zone is written) or now-…',
      range: undefined,
      picked: false,
    },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Time range',
    placeHolder: `Now: ${rangeLabel(current)}`,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.range) return picked.range;
  const now = () => Date.now();
  const from = await vscode.window.showInputBox({
    title: 'From',
    prompt:
      'Epoch ms (1732300000000), ISO-8601 in UTC unless a zone is written (2024-11-22, 2024-11-22T18:00, 2024-11-22T19:00+01:00) or now-NU (now-90m, now-3d)',
    value: current.from || DEFAULT_FROM,
    ignoreFocusOut: true,
    validateInput: (v) => timeError(v, undefined, now()),
  });
  if (from === undefined) return undefined;
  const to = await vscode.window.showInputBox({
    title: 'To',
    prompt: 'Empty: now',
    value: current.to ?? '',
    ignoreFocusOut: true,
    validateInput: (v) => timeError(from, v, now()),
  });
  if (to === undefined) return undefined;
  return { from: from.trim(), ...(to.trim() ? { to: to.trim() } : {}) };
}

/** The resolution (v2): auto, a step, or a point count; `{ resolution: undefined }` is auto. */
export async function askResolution(
  current: string | undefined,
): Promise<{ resolution: string | undefined } | undefined> {
  const items = [
    ...RESOLUTIONS.map((r) => ({ label: r.label, description: r.detail, resolution: r.value, points: false })),
    { label: 'Points…', description: 'a number of points over the time range', resolution: undefined, points: true },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Resolution',
    placeHolder: `Now: ${current ?? 'auto'}`,
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (!picked.points) return { resolution: picked.resolution };
  const points = await vscode.window.showInputBox({
    title: 'Points over the time range',
    value: current && /^\d+$/.test(current) ? current : '60',
    ignoreFocusOut: true,
    validateInput: (v) =>
      /^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= TENANT.queryPointsPerTuple
        ? undefined
        : `A whole number from 1 to ${TENANT.queryPointsPerTuple}`,
  });
  return points === undefined ? undefined : { resolution: points.trim() };
}

/** The aggregation and mode of a v1 query. */
export async function askV1Options(
  current: Pick<QuerySpec, 'aggregation' | 'queryMode'>,
): Promise<Pick<QuerySpec, 'aggregation' | 'queryMode'> | undefined> {
  const aggregation = await vscode.window.showQuickPick(
    V1_AGGREGATIONS.map((a) => ({
      label: a,
      description: a === (current.aggregation ?? 'AVG') ? 'current' : undefined,
    })),
    { title: 'Aggregation (Timeseries API v1)', ignoreFocusOut: true },
  );
  if (!aggregation) return undefined;
  const mode = await vscode.window.showQuickPick(
    [
      { label: 'Series', description: 'a value per time slot', queryMode: 'series' as const },
      { label: 'Total', description: 'one value per series for the whole range', queryMode: 'total' as const },
    ],
    { title: 'Query mode (Timeseries API v1)', ignoreFocusOut: true },
  );
  if (!mode) return undefined;
  return { aggregation: aggregation.label as V1Aggregation, queryMode: mode.queryMode };
}
