/**
 * Text from outside the extension (a tenant's answer, a proxy's, a line of a file) made inert before VS Code shows
 * it. Notifications, modal dialogs, progress and input-box messages render `[text](command:…)` as a link that runs
 * the command on one click (and `[text](https://…)`, `[text](file:…)` as links too); labels and status text render
 * `$(name)` as an icon. inert() breaks both forms with a space, so the text reads the same and does nothing.
 *
 * Every notification and modal goes through a Notifier (ESLint forbids vscode.window.show…Message elsewhere), which
 * also announces each message as it was shown, for the in-editor tests. The Notifier is made once at activation and
 * handed to the lazily loaded bundles, so that all of them announce through the one instance.
 */
import * as vscode from 'vscode';

/** `[label](target)` and `$(icon)`: the forms VS Code turns into links and icons in plain-text surfaces. */
const MARKUP = /\]\(|\$\(/g;

export function inert(text: string): string {
  return text.replace(MARKUP, (found) => `${found[0]} (`);
}

export type Severity = 'error' | 'warning' | 'information';

/** A message as VS Code was given it. */
export interface ShownMessage {
  severity: Severity;
  message: string;
  detail?: string;
  modal: boolean;
}

export class Notifier implements vscode.Disposable {
  private readonly shown = new vscode.EventEmitter<ShownMessage>();
  readonly onDidShow = this.shown.event;

  /** A notification; resolves with the item chosen. */
  show(severity: Severity, message: string, ...items: string[]): Thenable<string | undefined> {
    return this.present({ severity, message: inert(message), modal: false }, items);
  }

  /** A modal warning that asks; resolves with the item chosen (undefined: cancelled). */
  ask(message: string, detail: string | undefined, ...items: string[]): Thenable<string | undefined> {
    return this.present(
      {
        severity: 'warning',
        message: inert(message),
        ...(detail === undefined ? {} : { detail: inert(detail) }),
        modal: true,
      },
      items,
    );
  }

  private present(shown: ShownMessage, items: string[]): Thenable<string | undefined> {
    this.shown.fire(shown);
    const options: vscode.MessageOptions = shown.modal
      ? { modal: true, ...(shown.detail === undefined ? {} : { detail: shown.detail }) }
      : {};
    // Looked up when shown, not when this module loads: loading it must not need the editor's API.
    const show = {
      error: vscode.window.showErrorMessage,
      warning: vscode.window.showWarningMessage,
      information: vscode.window.showInformationMessage,
    }[shown.severity];
    return show(shown.message, options, ...items);
  }

  dispose(): void {
    this.shown.dispose();
  }
}
