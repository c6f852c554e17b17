/**
 * `dtmetrics.stats.show`, the command of the language server's cost and cardinality CodeLens: the document's whole
 * table, as `dtmetrics stats` prints it (the CLI itself, fed the document as it is in the editor, saved or not, at
 * the `dtmetrics.stats.*` settings), in an output channel.
 */
import { fork } from 'node:child_process';
import * as vscode from 'vscode';

export function registerStats(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('dtmetrics stats');
  const cli = context.asAbsolutePath('dist/cli.js');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('dtmetrics.stats.show', async (uri?: unknown) => {
      const document =
        typeof uri === 'string'
          ? await vscode.workspace.openTextDocument(vscode.Uri.parse(uri))
          : vscode.window.activeTextEditor?.document;
      if (document === undefined) return;
      const settings = vscode.workspace.getConfiguration('dtmetrics.stats', document.uri);
      const price = settings.get<number | null>('pricePerPoint', null);
      const args = ['stats', '--interval', settings.get<string>('interval', '1m')];
      if (typeof price === 'number') args.push('--price-per-point', String(price));
      const table = await runCli(cli, [...args, '-'], document.getText());
      output.clear();
      output.appendLine(`${vscode.workspace.asRelativePath(document.uri)} (as in the editor)\n`);
      output.append(table);
      output.show(true);
    }),
  );
}

/** The CLI's standard output and error for `input` on its standard input. */
function runCli(cli: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve) => {
    const child = fork(cli, args, { silent: true });
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', (error) => resolve(`dtmetrics stats did not run: ${error.message}\n`));
    child.on('close', () => resolve(text));
    child.stdin?.end(input);
  });
}
