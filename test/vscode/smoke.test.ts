// Smoke tests in a real VS Code: the language is registered, the extension activates, and (once the language server
// is built) diagnostics arrive for a .dtmetrics file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { EXTENSION_ID, repoRoot, waitFor } from './helpers.ts';

function extension(): vscode.Extension<unknown> {
  const found = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(found, `extension ${EXTENSION_ID} is not installed in the editor under test`);
  return found;
}

function codeOf(diagnostic: vscode.Diagnostic): string | number | undefined {
  const { code } = diagnostic;
  return typeof code === 'object' ? code.value : code;
}

describe('dtmetrics in VS Code', () => {
  it('opens a .dtmetrics file as language dtmetrics and activates the extension', async () => {
    const file = join(repoRoot(), 'examples', 'http-latency.dtmetrics');
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'dtmetrics');
    const ext = extension();
    await waitFor(`${EXTENSION_ID} to become active`, () => ext.isActive);
    // Run against an installed .vsix (run-tests.mjs --vsix), the extension must come from the package.
    if (process.env.DTMETRICS_VSCODE_EXPECT_INSTALLED === '1')
      assert.notEqual(ext.extensionPath, repoRoot(), 'the extension was loaded from the repository, not the .vsix');
  });

  describe('language server', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'dtmetrics-vscode-test-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));

    it('reports DK001 for an upper-case letter in a dimension key', async () => {
      const file = join(scratch, 'upper-case-key.dtmetrics');
      writeFileSync(file, 'cache.size,cache=myCache,cacheM 5\n');
      const uri = vscode.Uri.file(file);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));

      const found = await waitFor('a DK001 diagnostic', () =>
        vscode.languages.getDiagnostics(uri).find((diagnostic) => codeOf(diagnostic) === 'DK001'),
      );
      const { start, end } = found.range;
      assert.equal(
        `${start.line}:${start.character}-${end.line}:${end.character}`,
        '0:30-0:31',
        'DK001 range (line:char)',
      );
    });
  });
});
