/**
 * Commands whose code loads on first use: activation registers them (cheap), and the first one to run requires
 * their bundle (dist/push.js, dist/query.js: the HTTP client and all that talks to a tenant), so that activation
 * stays light. A failure is shown to the user and resolves as `{ error }` for callers with an argument object.
 */
import { isUserError } from '#edge/errors.ts';
import * as vscode from 'vscode';
import type { Notifier } from './notifier.ts';

export interface LazyFeatures<C extends string> extends vscode.Disposable {
  run(command: C, arg: unknown): Promise<unknown>;
}

export interface LazyBundle<F> {
  /** The features, loading the bundle first if no command has yet. */
  load(): F;
  /** The features if the bundle is loaded. */
  loaded(): F | undefined;
}

export function registerLazyCommands<B, C extends string, F extends LazyFeatures<C>>(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  notifier: Notifier,
  bundlePath: string,
  activate: (bundle: B) => F,
  commands: readonly C[],
): LazyBundle<F> {
  let features: F | undefined;
  const load = (): F => {
    if (!features) {
      // Resolved at run time, so esbuild leaves the bundle out of the extension's.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      features = activate(require(context.asAbsolutePath(bundlePath)) as B);
      context.subscriptions.push(features);
    }
    return features;
  };
  const run = (command: C, arg: unknown): Promise<unknown> =>
    reportedRun(log, notifier, command, () => load().run(command, arg));
  for (const command of commands)
    context.subscriptions.push(vscode.commands.registerCommand(command, (arg: unknown) => run(command, arg)));
  return { load, loaded: () => features };
}

/**
 * Runs a command's work: a failure the user can act on (UserError) is shown in one line, anything else also goes to
 * the log with its stack; either resolves as `{ error }` for callers with an argument object (tests, keybindings),
 * which the palette ignores.
 */
export async function reportedRun(
  log: vscode.LogOutputChannel,
  notifier: Notifier,
  command: string,
  work: () => unknown,
): Promise<unknown> {
  try {
    return await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const expected = isUserError(error);
    if (expected) log.warn(message);
    else log.error(`${command} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
    void notifier.show('error', expected ? message : `${command} failed: ${message}`);
    return { error: message };
  }
}
