/**
 * The language server's workspace index (keys for completion) walks the workspace folders on the real file system
 * and skips the same folders as `dtmetrics lint <dir>` (test/cli/lint-cli.test.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { WorkspaceIndex } from '#lsp/workspace-index.ts';
import { TempDir } from '../cli/helpers.ts';

const SKIPPED = ['node_modules', '.git', '.hg', '.svn', '.vscode-test', 'dist'];

let tmp: TempDir;
before(() => {
  tmp = new TempDir('dtmetrics-index-');
  tmp.write('kept.dtmetrics', 'kept.top,host=a 1\n');
  tmp.write('sub/kept.dtmetrics', 'kept.sub 1\n');
  // A key per skipped folder, named after it, so a miss says which folder was entered.
  for (const dir of SKIPPED)
    tmp.write(`sub/${dir}/inside.dtmetrics`, `skipped.${dir.replace(/\W/g, '')},in_${dir.replace(/\W/g, '')}=x 1\n`);
});
after(() => tmp?.remove());

test(`the workspace index reads every .dtmetrics file but those under ${SKIPPED.join(', ')}`, async () => {
  const index = new WorkspaceIndex(() => new Promise((resolve) => setImmediate(resolve)));
  index.addFolder(pathToFileURL(tmp.path).href);
  await index.scan();
  assert.deepEqual(index.metricKeys(), ['kept.sub', 'kept.top']);
  assert.deepEqual(index.dimensionKeys(), ['host']);
});
