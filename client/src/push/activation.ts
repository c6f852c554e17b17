/**
 * What pushing puts in the editor from activation on, cheaply: the commands (their code, dist/push.js with the
 * HTTP client, loads when one first runs), a status item naming the environment lines go to (for the local tenant,
 * whether it runs and where), one for a running local tenant when lines go elsewhere, and a "Send" CodeLens over
 * each block of lines.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { blocks } from '#core/push/blocks.ts';
import { CONTEXT_KEYS } from '../context-keys.ts';
import { registerLazyCommands } from '../lazy-commands.ts';
import { LocalTenantWatch, RENEW_MS, type LocalTenantStatus } from '../local-tenant/watch.ts';
import type { Notifier } from '../notifier.ts';
import { SETTING_DEFAULTS } from '../setting-defaults.ts';
import type * as Push from './index.ts';
import {
  affectsEnvironment,
  configuredEnvironments,
  LOCAL_TENANT_NAME,
  localTenantPort,
  selectedEnvironment,
  selectedName,
} from '../environments/settings.ts';

export const PUSH_COMMANDS = [
  'dtmetrics.addEnvironment',
  'dtmetrics.editEnvironment',
  'dtmetrics.removeEnvironment',
  'dtmetrics.selectEnvironment',
  'dtmetrics.testConnection',
  'dtmetrics.startLocalTenant',
  'dtmetrics.stopLocalTenant',
  'dtmetrics.sendSelection',
  'dtmetrics.sendFile',
] as const;
export type PushCommand = (typeof PUSH_COMMANDS)[number];

/**
 * Registers the commands, the status items and the CodeLens, and looks for the local tenant; returns the watch
 * of the local tenant (the ingest inspector follows the tenant it sees).
 */
export function registerPush(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  notifier: Notifier,
): LocalTenantWatch {
  // In the workspace's storage: the tenant belongs to the workspace (the global storage when no folder is open).
  const storage = (context.storageUri ?? context.globalStorageUri).fsPath;
  const watch = new LocalTenantWatch(join(storage, 'local-tenant.json'), log, localTenantPort);
  registerLazyCommands(
    context,
    log,
    notifier,
    'dist/push.js',
    (push: typeof Push) => push.activatePush(context, log, notifier, watch),
    PUSH_COMMANDS,
  );

  const environmentItem = vscode.window.createStatusBarItem(
    'dtmetrics.environment',
    vscode.StatusBarAlignment.Right,
    99,
  );
  environmentItem.name = 'dtmetrics environment';
  const tenantItem = vscode.window.createStatusBarItem('dtmetrics.localTenant', vscode.StatusBarAlignment.Right, 98);
  tenantItem.name = 'dtmetrics local tenant';
  tenantItem.command = LOCAL_TENANT_ACTIONS;
  const showStatus = () => {
    const status = watch.status;
    const inEditor = vscode.window.activeTextEditor?.document.languageId === 'dtmetrics';
    // A tenant this workspace runs shows whatever the editor: it is a process to stop some time.
    const owned = status.kind === 'started';
    const runs = owned || status.kind === 'elsewhere';
    const environment = selectedEnvironment();
    // Not answering: a warning, in the colours the theme gives status items that need a look.
    const silent = status.kind === 'started' && !status.answering;
    const label = `${silent ? '$(warning)' : '$(server)'} ${tenantLabel(status)}`;
    const background = silent ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    tenantItem.backgroundColor = background;
    if (environment?.name === LOCAL_TENANT_NAME) {
      environmentItem.text = label;
      environmentItem.backgroundColor = background;
      environmentItem.tooltip = `dtmetrics sends lines to the local tenant, which ${tenantDescription(status)}. Click to ${tenantActions(status)} or choose another environment.`;
      environmentItem.command = LOCAL_TENANT_ACTIONS;
      show(environmentItem, inEditor || owned);
      tenantItem.hide();
      return;
    }
    environmentItem.text = `$(cloud-upload) ${environment?.name ?? `${selectedName()} (not defined)`}`;
    environmentItem.backgroundColor = undefined;
    environmentItem.tooltip = environment
      ? `dtmetrics sends lines to ${environment.name} (${environment.url}). Click to choose another environment.`
      : `The selected environment '${selectedName()}' is not defined. Click to choose one.`;
    environmentItem.command = 'dtmetrics.selectEnvironment';
    show(environmentItem, inEditor);
    tenantItem.text = label;
    tenantItem.tooltip = `The local tenant ${tenantDescription(status)}; dtmetrics sends lines to ${selectedName()}. Click to ${tenantActions(status)} or send lines to it.`;
    show(tenantItem, runs && (inEditor || owned));
  };
  const showEnvironments = () =>
    void vscode.commands.executeCommand(
      'setContext',
      CONTEXT_KEYS.hasEnvironments,
      configuredEnvironments().length > 0,
    );
  showStatus();
  showEnvironments();
  void watch.refresh();

  const lenses = new SendLenses();
  context.subscriptions.push(
    watch,
    environmentItem,
    tenantItem,
    lenses,
    vscode.languages.registerCodeLensProvider({ language: 'dtmetrics' }, lenses),
    vscode.commands.registerCommand(LOCAL_TENANT_ACTIONS, () => localTenantActions(watch, log)),
    watch.onDidChange(showStatus),
    vscode.window.onDidChangeActiveTextEditor(showStatus),
    // A tenant started or stopped in a terminal meanwhile is seen when the window is back.
    vscode.window.onDidChangeWindowState((state) => state.focused && void watch.refresh()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('dtmetrics.localTenant.port')) void watch.refresh();
      if (event.affectsConfiguration('dtmetrics.environments')) showEnvironments();
      if (affectsEnvironment(event)) showStatus();
      if (affectsEnvironment(event) || event.affectsConfiguration('dtmetrics.push.codeLens')) lenses.refresh();
    }),
  );
  return watch;
}

/** The status items' command (not in the palette): the local tenant's actions that make sense now. */
const LOCAL_TENANT_ACTIONS = 'dtmetrics.localTenantActions';

const show = (item: vscode.StatusBarItem, visible: boolean) => (visible ? item.show() : item.hide());

/**
 * Whether the local tenant runs, and where: `local tenant: 127.0.0.1:14500`, `local tenant: stopped`,
 * `local tenant: 127.0.0.1:14500 not answering`.
 */
function tenantLabel(status: LocalTenantStatus): string {
  if (status.kind === 'started')
    return `local tenant: ${new URL(status.state.url).host}${status.answering ? '' : ' not answering'}`;
  if (status.kind === 'elsewhere') return `local tenant: ${new URL(status.info.url).host}`;
  if (status.kind === 'stopped') return 'local tenant: stopped';
  return LOCAL_TENANT_NAME;
}

/** What follows "the local tenant": `runs at http://127.0.0.1:14500 (started from this workspace)`. */
function tenantDescription(status: LocalTenantStatus): string {
  if (status.kind === 'started' && !status.answering)
    return `was started from this workspace at ${status.state.url} and its process runs (pid ${status.state.pid}), but it does not answer: it may be busy; it is asked again every ${RENEW_MS / 1000} s`;
  if (status.kind === 'started') return `runs at ${status.state.url} (started from this workspace)`;
  if (status.kind === 'elsewhere')
    return `runs at ${status.info.url} (started elsewhere: another window or a terminal; pid ${status.info.pid})`;
  if (status.kind === 'stopped') return `is stopped (port ${localTenantPort()}): Send asks to start it`;
  return 'is being looked for';
}

/** What a click on a status item offers to do with the tenant. */
function tenantActions(status: LocalTenantStatus): string {
  if (status.kind === 'started') return 'stop it, copy its URL,';
  if (status.kind === 'elsewhere') return 'copy its URL';
  return 'start it';
}

async function localTenantActions(watch: LocalTenantWatch, log: vscode.LogOutputChannel): Promise<void> {
  const status = await watch.refresh();
  const url = status.kind === 'started' ? status.state.url : status.kind === 'elsewhere' ? status.info.url : undefined;
  type Action = vscode.QuickPickItem & { run: () => unknown };
  const command = (name: string) => () => vscode.commands.executeCommand(name);
  const actions: Action[] = [
    ...(status.kind === 'started'
      ? [{ label: '$(debug-stop) Stop Local Tenant', run: command('dtmetrics.stopLocalTenant') }]
      : status.kind === 'elsewhere'
        ? []
        : [{ label: '$(play) Start Local Tenant', run: command('dtmetrics.startLocalTenant') }]),
    ...(url ? [{ label: '$(copy) Copy URL', description: url, run: () => vscode.env.clipboard.writeText(url) }] : []),
    ...(status.kind === 'started'
      ? [{ label: '$(output) Show Output', description: 'the dtmetrics log', run: () => log.show(true) }]
      : []),
    ...(selectedName() === LOCAL_TENANT_NAME
      ? []
      : [
          {
            label: '$(cloud-upload) Send Lines Here',
            description: `instead of to ${selectedName()}`,
            run: () => vscode.commands.executeCommand('dtmetrics.selectEnvironment', { name: LOCAL_TENANT_NAME }),
          },
        ]),
    { label: '$(list-selection) Select Environment…', run: command('dtmetrics.selectEnvironment') },
  ];
  const picked = await vscode.window.showQuickPick(actions, { title: `The local tenant ${tenantDescription(status)}` });
  await picked?.run();
}

/** "Send to {environment}" over the first line of each block (lines between blank lines and comments). */
class SendLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (
      !vscode.workspace
        .getConfiguration('dtmetrics', document.uri)
        .get('push.codeLens', SETTING_DEFAULTS['push.codeLens'])
    )
      return [];
    const target = selectedName();
    const lines = Array.from({ length: document.lineCount }, (_, i) => document.lineAt(i).text);
    return blocks(lines).map(({ start, end }) => {
      const count = end - start + 1;
      return new vscode.CodeLens(new vscode.Range(start, 0, start, 0), {
        title: `$(cloud-upload) Send to ${target}`,
        tooltip: `Send ${count === 1 ? 'this line' : `these ${count} lines`} (${start + 1}–${end + 1}) to ${target}`,
        command: 'dtmetrics.sendSelection',
        arguments: [{ uri: document.uri, start, end }],
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
