/**
 * What converting puts in the editor from activation on: its two commands, whose code (dist/convert.js: the
 * converters and the linter they check with) loads when one first runs.
 */
import type * as vscode from 'vscode';
import { registerLazyCommands } from '../lazy-commands.ts';
import type { Notifier } from '../notifier.ts';
import type * as Convert from './index.ts';

export const CONVERT_COMMANDS = ['dtmetrics.convertToMetricLines', 'dtmetrics.pasteAsMetricLines'] as const;
export type ConvertCommand = (typeof CONVERT_COMMANDS)[number];

export function registerConvert(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  notifier: Notifier,
): void {
  registerLazyCommands(
    context,
    log,
    notifier,
    'dist/convert.js',
    (convert: typeof Convert) => convert.activateConvert(notifier),
    CONVERT_COMMANDS,
  );
}
