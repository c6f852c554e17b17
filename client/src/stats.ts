/**
 * `dtmetrics.stats.show`, the command of the language server's cost and cardinality CodeLens: the document's whole
 * table, as `dtmetrics stats` prints it (the CLI itself, fed the document as it is in the editor, saved or not, at
 * the `dtmetrics.stats.*` settings), as Markdown (its `--format markdown`, for pull requests) in a read-only document
 * shown as a preview: a wide table wraps its cells there, where a text editor would cut it off.
 */
import { fork } from 'node:child_process';
import * as vscode from 'vscode';

const SCHEME = 'dtmetrics-stats';

export function registerStats(context: vscode.ExtensionContext): void {
  const cli = context.asAbsolutePath('dist/cli.js');
  const tables = new Map<string, string>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  context.subscriptions.push(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, {
      onDidChange: changed.event,
      provideTextDocumentContent: (uri) => tables.get(uri.toString()) ?? '',
    }),
    vscode.commands.registerCommand('dtmetrics.stats.show', async (uri?: unknown) => {
      const document =
        typeof uri === 'string'
          ? await vscode.workspace.openTextDocument(vscode.Uri.parse(uri))
          : vscode.window.activeTextEditor?.document;
      if (document === undefined) return;
      const settings = vscode.workspace.getConfiguration('dtmetrics.stats', document.uri);
      const price = settings.get<number | null>('pricePerPoint', null);
      const args = ['stats', '--format', 'markdown', '--interval', settings.get<string>('interval', '1m')];
      if (typeof price === 'number') args.push('--price-per-point', String(price));
      const name = vscode.workspace.asRelativePath(document.uri);
      const table = await runCli(cli, [...args, '-'], document.getText());
      const shown = vscode.Uri.from({ scheme: SCHEME, path: `/${name} (stats).md` });
      tables.set(shown.toString(), `\`dtmetrics ${args.join(' ')}\` on ${name} as in the editor\n\n${table}`);
      changed.fire(shown);
      await vscode.commands.executeCommand('markdown.showPreview', shown);
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
