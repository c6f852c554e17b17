/**
 * What pushing puts in the editor from activation on, cheaply: the commands (their code, dist/push.js with the
 * HTTP client, loads when one first runs), a status item naming the environment lines go to, and a "Send"
 * CodeLens over each block of lines.
 */
import * as vscode from 'vscode';
import { blocks } from '#core/push/blocks.ts';
import { registerLazyCommands } from '../lazy-commands.ts';
import type { Notifier } from '../notifier.ts';
import { SETTING_DEFAULTS } from '../setting-defaults.ts';
import type * as Push from './index.ts';
import { affectsEnvironment, selectedEnvironment, selectedName } from '../environments/settings.ts';

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

/** Registers the commands, the status item and the CodeLens; `deactivate` stops a local tenant started here. */
export function registerPush(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  notifier: Notifier,
): { deactivate(): Promise<void> } {
  const bundle = registerLazyCommands(
    context,
    log,
    notifier,
    'dist/push.js',
    (push: typeof Push) => push.activatePush(context, log, notifier),
    PUSH_COMMANDS,
  );

  const status = vscode.window.createStatusBarItem('dtmetrics.environment', vscode.StatusBarAlignment.Right, 99);
  status.name = 'dtmetrics environment';
  status.command = 'dtmetrics.selectEnvironment';
  const showStatus = () => {
    const environment = selectedEnvironment();
    status.text = `$(cloud-upload) ${environment?.name ?? `${selectedName()} (not defined)`}`;
    status.tooltip = environment
      ? `dtmetrics sends lines to ${environment.name} (${environment.url}). Click to choose another environment.`
      : `The selected environment '${selectedName()}' is not defined. Click to choose one.`;
    if (vscode.window.activeTextEditor?.document.languageId === 'dtmetrics') status.show();
    else status.hide();
  };
  showStatus();

  const lenses = new SendLenses();
  context.subscriptions.push(
    status,
    lenses,
    vscode.languages.registerCodeLensProvider({ language: 'dtmetrics' }, lenses),
    vscode.window.onDidChangeActiveTextEditor(showStatus),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsEnvironment(event)) showStatus();
      if (affectsEnvironment(event) || event.affectsConfiguration('dtmetrics.push.codeLens')) lenses.refresh();
    }),
  );
  return { deactivate: async () => bundle.loaded()?.stop() };
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
