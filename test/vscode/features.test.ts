// The language features in a real VS Code, through the VS Code API: diagnostics follow edits, a quick fix applies
// and removes its diagnostic, hover and completion answer.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { waitFor } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dtmetrics-vscode-features-'));
let files = 0;

async function openFile(text: string): Promise<vscode.TextDocument> {
  const file = join(scratch, `doc-${files++}.dtmetrics`);
  writeFileSync(file, text);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(document);
  return document;
}

const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);
const diagnosticsOf = (document: vscode.TextDocument, code: string) =>
  vscode.languages.getDiagnostics(document.uri).filter((d) => codeOf(d) === code);

describe('dtmetrics language features in VS Code', () => {
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('an edit updates the diagnostics', async () => {
    const document = await openFile('cache.size,cache=myCache,cacheM 5\n');
    await waitFor('DK001', () => diagnosticsOf(document, 'DK001')[0]);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(0, 25, 0, 31), 'cachem=x');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor('no diagnostics after the edit', () =>
      vscode.languages.getDiagnostics(document.uri).length === 0 ? true : undefined,
    );
  });

  it('a quick fix applies and removes its diagnostic', async () => {
    const document = await openFile('a.metric,Host=x 5\n');
    const diagnostic = await waitFor('DK001', () => diagnosticsOf(document, 'DK001')[0]);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      diagnostic.range,
    );
    const fix = actions.find((a) => a.title === 'Lower-case the key: `host`');
    assert.ok(fix?.edit, `actions: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(document.lineAt(0).text, 'a.metric,host=x 5');
    await waitFor('DK001 gone', () => (diagnosticsOf(document, 'DK001').length === 0 ? true : undefined));
  });

  it('completion offers the metric keys just typed in the open document, before it is saved', async () => {
    const document = await openFile('cpu.temperature 1\n');
    const editor = vscode.window.activeTextEditor as vscode.TextEditor;
    for (const [i, text] of ['cache.hits 1\n', 'cache.hits 2\n', 'cache.hits 3\n', 'ca'].entries()) {
      assert.ok(await editor.edit((edit) => edit.insert(new vscode.Position(1 + i, 0), text)));
    }
    const labels = async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        document.uri,
        new vscode.Position(4, 2),
      );
      return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    };
    // The first answer already has them: completion waits for the edits to be keyed, not for a later request.
    const offered = await labels();
    assert.ok(offered.includes('cache.hits') && offered.includes('cpu.temperature'), offered.join(' '));
    assert.ok(!offered.includes('ca'), 'the key being typed is no key yet');
  });

  it("hover tells a timestamp's age, and completion offers payload forms", async () => {
    const ts = Date.now() - 5 * 60_000;
    const document = await openFile(`http.requests,host=a 5 ${ts}\nhttp.requests,host=b \n`);
    await waitFor('the server to lint the file', () =>
      vscode.languages.getDiagnostics(document.uri) ? true : undefined,
    );
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      new vscode.Position(0, 25),
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /5 min ago/);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      document.uri,
      new vscode.Position(1, 21),
    );
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('gauge,') && labels.includes('count,delta='), labels.join(' '));
  });
});
