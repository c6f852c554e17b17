// The cost and cardinality figures in a real VS Code: the language server's CodeLens over a metric's first line, beside
// the client's own lenses, and the hover of a dimension key.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { waitFor } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dtmetrics-vscode-stats-'));

const SEED_004_WEB_1 = [
  'service.request.count,host=web-1,service=checkout,status=200 count,delta=1',
  'service.request.count,host=web-1,service=checkout,status=500 count,delta=1',
  'service.request.count,host=web-1,service=cart,status=200 count,delta=1',
  'service.request.count,host=web-2,service=cart,status=200 count,delta=1',
  '',
].join('\n');

describe('dtmetrics stats in VS Code', () => {
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("shows the series, dims and points a year over a metric's first line, and a dimension's figures in its hover", async () => {
    const file = join(scratch, 'seed.dtmetrics');
    writeFileSync(file, SEED_004_WEB_1);
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(document);
    const lens = await waitFor('the stats lens', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        document.uri,
      );
      return lenses.find((l) => l.command?.command === 'dtmetrics.stats.show');
    });
    assert.equal(lens.command?.title, '4 series · 3 dims · ~2.1 M points/yr');
    assert.equal(lens.range.start.line, 0);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      new vscode.Position(0, 24),
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /`host` of `service\.request\.count` — 2 distinct values in this file: `web-1`, `web-2`\./);
  });
});
