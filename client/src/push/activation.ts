/**
 * What pushing puts in the editor from activation on, cheaply: the commands (their code, dist/push.js with the
 * HTTP client, loads when one first runs), a status item naming the environment lines go to, and a "Send"
 * CodeLens over each block of lines.
 */
import * as vscode from 'vscode';
import { blocks } from '../../../server/src/core/push.ts';
import type * as Push from './index.ts';
import { affectsEnvironment, selectedEnvironment, selectedName } from './settings.ts';

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
export function registerPush(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): { deactivate(): Promise<void> } {
  let features: Push.PushFeatures | undefined;
  const load = (): Push.PushFeatures => {
    if (!features) {
      // Resolved at run time, so esbuild leaves the push bundle out of this one.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const push = require(context.asAbsolutePath('dist/push.js')) as typeof Push;
      features = push.activatePush(context, log);
      context.subscriptions.push(features);
    }
    return features;
  };
  const run = async (command: PushCommand, arg: unknown): Promise<unknown> => {
    try {
      return await load().run(command, arg);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // By name: dist/push.js has its own copy of the class, so instanceof would not see it.
      const expected = error instanceof Error && error.name === 'UserFacingError';
      if (expected) log.warn(message);
      else log.error(`${command} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
      void vscode.window.showErrorMessage(expected ? message : `${command} failed: ${message}`);
      // Callers with an argument object (tests, keybindings) get the reason; the palette ignores it.
      return { error: message };
    }
  };
  for (const command of PUSH_COMMANDS) context.subscriptions.push(vscode.commands.registerCommand(command, (arg: unknown) => run(command, arg)));

  const status = vscode.window.createStatusBarItem('dtmetrics.environment', vscode.StatusBarAlignment.Right, 99);
  status.name = 'dtmetrics environment';
  status.command = 'dtmetrics.selectEnvironment';
  const showStatus = () => {
    const environment = selectedEnvironment();
    status.text = `$(cloud-upload) ${environment?.name ?? `${selectedName()} (not defined)`}`;
    status.tooltip = environment ? `dtmetrics sends lines to ${environment.name} (${environment.url}). Click to choose another environment.` : `The selected environment '${selectedName()}' is not defined. Click to choose one.`;
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
  return { deactivate: async () => features?.stop() };
}

/** "Send to {environment}" over the first line of each block (lines between blank lines and comments). */
class SendLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('dtmetrics', document.uri).get<boolean>('push.codeLens')) return [];
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
