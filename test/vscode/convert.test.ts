// Converting in a real VS Code: Convert to Metric Lines on a JSON file, on the clipboard and on a selection of a
// .dtmetrics document, Paste as Metric Lines at the cursor, and the language server's quick fix that converts a run
// of foreign lines, applied through vscode.executeCodeActionProvider. Each converted document is linted by the real
// server; "no error" is waited for as one error put there on purpose being the only one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { ConversionOutcome } from '../../client/src/convert/index.ts';
import type { DtmetricsApi } from '../../client/src/extension.ts';
import type { ShownMessage } from '../../client/src/notifier.ts';
import { EXTENSION_ID, waitFor } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dtmetrics-vscode-convert-'));
let files = 0;

async function openFile(extension: string, text: string): Promise<vscode.TextEditor> {
  const file = join(scratch, `doc-${files++}.${extension}`);
  writeFileSync(file, text);
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
}

const SEED_000 = JSON.stringify({
  metricId: 'payments.latency',
  value: 120,
  dimensions: { region: 'eu', payment_method: 'card' },
});
const NDJSON = [
  '{"metric": "queue.depth", "value": 7, "dimensions": {"queue": "orders"}}',
  '{"metric": "queue.depth", "value": "n/a", "dimensions": {"queue": "refunds"}}',
].join('\n');
/** What convertToText keeps of the point it could not convert: its line, as written, as a comment. */
const AS_WRITTEN = ['// Not converted, as written:', `// ${NDJSON.split('\n')[1]}`];

const SEED_000_LINE = 'payments.latency,region=eu,payment_method=card gauge,120';
/** A document's lines: `converted` between the two metric lines the tests write around it. */
const betweenMetricLines = (...converted: string[]) => ['cpu.temp 41', ...converted, 'cpu.temp 42', ''];

const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);

/**
 * Asserts that the server finds no error in `document`: a line with an error appended, and that error awaited as
 * the document's only one (so the lint of this version has come), then taken out again.
 */
async function assertNoErrors(document: vscode.TextDocument): Promise<void> {
  const end = document.lineAt(document.lineCount - 1).range.end;
  const probe = new vscode.WorkspaceEdit();
  probe.insert(document.uri, end, '\nprobe key 1');
  assert.ok(await vscode.workspace.applyEdit(probe));
  const probeLine = document.lineCount - 1;
  const errors = await waitFor('the probe line linted', () => {
    const found = vscode.languages
      .getDiagnostics(document.uri)
      .filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    return found.some((d) => d.range.start.line === probeLine) ? found : undefined;
  });
  assert.deepEqual(
    errors.filter((d) => d.range.start.line !== probeLine).map((d) => `${codeOf(d)}@${d.range.start.line}`),
    [],
    document.getText(),
  );
  const undo = new vscode.WorkspaceEdit();
  undo.delete(document.uri, new vscode.Range(end, document.lineAt(probeLine).range.end));
  assert.ok(await vscode.workspace.applyEdit(undo));
}

describe('converting to metric lines in VS Code', () => {
  const shown: ShownMessage[] = [];
  let subscription: vscode.Disposable | undefined;

  before(async () => {
    const extension = vscode.extensions.getExtension<DtmetricsApi>(EXTENSION_ID);
    assert.ok(extension);
    subscription = (await extension.activate()).onDidShowMessage((message) => shown.push(message));
  });

  after(async () => {
    subscription?.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(scratch, { recursive: true, force: true });
  });

  const convert = (arg?: unknown) =>
    vscode.commands.executeCommand<ConversionOutcome | undefined>('dtmetrics.convertToMetricLines', arg);

  it('Convert to Metric Lines on a JSON file: a new dtmetrics document beside it, the summary shown', async () => {
    const source = await openFile('json', `[${SEED_000},\n${SEED_000.replace('"eu"', '"us"')}]\n`);
    const outcome = await convert({ source: 'file' });
    assert.ok(outcome, 'converted');
    assert.equal(outcome.format, 'json');
    assert.deepEqual(outcome.tally, { items: 2, converted: 2, skipped: 0 });
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.toString(), outcome.uri);
    assert.equal(editor.document.languageId, 'dtmetrics');
    assert.notEqual(
      editor.viewColumn,
      vscode.window.visibleTextEditors.find((e) => e.document === source.document)?.viewColumn,
    );
    const lines = editor.document.getText().split('\n');
    const name = source.document.uri.path.split('/').pop() as string;
    assert.equal(editor.document.uri.scheme, 'untitled');
    assert.equal(editor.document.uri.path, name.replace('.json', '.dtmetrics'), 'named after its source');
    assert.match(
      lines[0] ?? '',
      /^\/\/ Converted by dtmetrics from \S+, read as JSON \(it starts with `\[`\), at \d{4}-\d\d-\d\dT/,
    );
    assert.ok(lines[0]?.includes(` from ${name}, `), lines[0]);
    assert.deepEqual(lines.slice(1), [SEED_000_LINE, 'payments.latency,region=us,payment_method=card gauge,120', '']);
    assert.equal(outcome.summary, 'Converted 2 of 2 data points into 2 lines. Read as JSON (it starts with "[").');
    assert.ok(shown.some((m) => m.message === outcome.summary && m.severity === 'information'));
    await assertNoErrors(editor.document);
  });

  it('with no editor open, the clipboard in one step; what was not converted is a comment and the summary says so', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.env.clipboard.writeText(NDJSON);
    // No argument: the palette's way. A pick shown here would never be answered and the test would time out.
    const outcome = await convert();
    assert.ok(outcome);
    assert.deepEqual(outcome.tally, { items: 2, converted: 1, skipped: 1 });
    const document = vscode.window.activeTextEditor?.document as vscode.TextDocument;
    assert.equal(document.uri.toString(), outcome.uri);
    assert.deepEqual(document.getText().split('\n').slice(1), [
      'queue.depth,queue=orders gauge,7',
      '// not converted: `queue.depth`: the value `"n/a"` is no finite number',
      ...AS_WRITTEN,
      '',
    ]);
    assert.equal(
      outcome.summary,
      'Converted 1 of 2 data points into 1 line; 1 not converted (the comments say why). Read as JSON (it starts with "{").',
    );
    assert.ok(shown.some((m) => m.message === outcome.summary && m.severity === 'warning'));
    await assertNoErrors(document);
  });

  it('a selection of a .dtmetrics document is converted in place, the lines around it kept', async () => {
    const editor = await openFile('dtmetrics', `cpu.temp 41\n${NDJSON}\ncpu.temp 42\n`);
    editor.selection = new vscode.Selection(1, 0, 3, 0);
    const outcome = await convert();
    assert.equal(outcome?.uri, editor.document.uri.toString());
    assert.deepEqual(
      editor.document.getText().split('\n'),
      betweenMetricLines(
        'queue.depth,queue=orders gauge,7',
        '// not converted: `queue.depth`: the value `"n/a"` is no finite number',
        ...AS_WRITTEN,
      ),
    );
    await assertNoErrors(editor.document);
  });

  it('Paste as Metric Lines converts the clipboard at the cursor, on lines of its own', async () => {
    const editor = await openFile('dtmetrics', 'cpu.temp 41\ncpu.temp 42\n');
    editor.selection = new vscode.Selection(0, 11, 0, 11);
    await vscode.env.clipboard.writeText(SEED_000);
    const outcome = await vscode.commands.executeCommand<ConversionOutcome | undefined>('dtmetrics.pasteAsMetricLines');
    assert.deepEqual(outcome?.tally, { items: 1, converted: 1, skipped: 0 });
    assert.deepEqual(editor.document.getText().split('\n'), betweenMetricLines(SEED_000_LINE));
    await assertNoErrors(editor.document);
  });

  it('the quick fix converts a JSON document pasted over several lines, and is the preferred one', async () => {
    const json = JSON.stringify(JSON.parse(SEED_000), null, 2);
    const editor = await openFile('dtmetrics', `cpu.temp 41\n${json}\ncpu.temp 42\n`);
    const document = editor.document;
    const runLines = json.split('\n').length;
    const diagnostic = await waitFor('LN007 on the JSON', () =>
      vscode.languages.getDiagnostics(document.uri).find((d) => codeOf(d) === 'LN007' && d.range.start.line === 2),
    );
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      diagnostic.range,
    );
    const convertRun = actions.find((a) => a.title === `Convert these ${runLines} JSON lines to metric lines`);
    assert.ok(convertRun?.edit, `actions: ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(convertRun.isPreferred, true);
    assert.ok(await vscode.workspace.applyEdit(convertRun.edit));
    assert.deepEqual(document.getText().split('\n'), betweenMetricLines(SEED_000_LINE));
    await assertNoErrors(document);
  });
});
