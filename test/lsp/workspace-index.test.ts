/**
 * The language server's workspace index (keys for completion and the query prompt), in this process on real files:
 * it walks the workspace folders and skips the same folders as `dtmetrics lint <dir>` (test/cli/lint-cli.test.ts);
 * each source's keys are replaced when it changes, so a key gone from every source is offered no more.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { unlinkSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { LineDocument } from '#lsp/documents.ts';
import { completions } from '#lsp/features.ts';
import { nextTurn } from '#lsp/slices.ts';
import { WorkspaceIndex } from '#lsp/workspace-index.ts';
import { TempDir } from '../cli/helpers.ts';
import { until } from './harness.ts';

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
  const index = new WorkspaceIndex(nextTurn);
  index.addFolder(pathToFileURL(tmp.path).href);
  await index.scan();
  assert.deepEqual(index.metricKeys(), ['kept.sub', 'kept.top']);
  assert.deepEqual(index.dimensionKeys(), ['host']);
});

/** One thing that happens to the workspace: a file written or deleted on disk (and the watcher told), a document opened, typed over or closed. */
type Step =
  | { write: string; text: string }
  | { delete: string }
  | { open: string; text: string }
  | { type: string; text: string }
  | { close: string };

interface IndexCase {
  name: string;
  files: Record<string, string>;
  steps: Step[];
  /** Metric keys offered after the steps (waited for: a file is read in the background). */
  metrics: string[];
}

const INDEX_CASES: IndexCase[] = [
  {
    name: 'a key edited away in an open document is no longer offered; the key typed is',
    files: {},
    steps: [
      { open: 'doc.dtmetrics', text: 'typed.before 1\nkept 2\n' },
      { type: 'doc.dtmetrics', text: 'typed.after 1\nkept 2\n' },
    ],
    metrics: ['kept', 'typed.after'],
  },
  {
    name: 'a file changed on disk offers its new keys and not its old ones',
    files: { 'a.dtmetrics': 'disk.old 1\n' },
    steps: [{ write: 'a.dtmetrics', text: 'disk.new 1\n' }],
    metrics: ['disk.new'],
  },
  {
    name: 'a file created on disk offers its keys',
    files: { 'a.dtmetrics': 'disk.a 1\n' },
    steps: [{ write: 'b/new.dtmetrics', text: 'disk.created 1\n' }],
    metrics: ['disk.a', 'disk.created'],
  },
  {
    name: 'a file deleted offers none',
    files: { 'a.dtmetrics': 'disk.a 1\n', 'b.dtmetrics': 'disk.b 1\n' },
    steps: [{ delete: 'a.dtmetrics' }],
    metrics: ['disk.b'],
  },
  {
    name: 'an open document stands for its file: its file as saved offers nothing meanwhile',
    files: { 'a.dtmetrics': 'disk.saved 1\n' },
    steps: [{ open: 'a.dtmetrics', text: 'disk.unsaved 1\n' }],
    metrics: ['disk.unsaved'],
  },
  {
    name: 'a change on disk to a file open as a document counts once it is closed',
    files: { 'a.dtmetrics': 'disk.saved 1\n' },
    steps: [
      { open: 'a.dtmetrics', text: 'disk.unsaved 1\n' },
      { write: 'a.dtmetrics', text: 'disk.written 1\n' },
      { close: 'a.dtmetrics' },
    ],
    metrics: ['disk.written'],
  },
  {
    name: 'a document closed unsaved: its file as on disk counts again',
    files: { 'a.dtmetrics': 'disk.saved 1\n' },
    steps: [
      { open: 'a.dtmetrics', text: 'disk.unsaved 1\n' },
      { type: 'a.dtmetrics', text: 'disk.retyped 1\n' },
      { close: 'a.dtmetrics' },
    ],
    metrics: ['disk.saved'],
  },
];

/** A workspace index of a fresh folder holding `files`, read. */
async function indexOf(files: Record<string, string>): Promise<{ index: WorkspaceIndex; dir: TempDir }> {
  const dir = new TempDir('dtmetrics-index-');
  for (const [path, text] of Object.entries(files)) dir.write(path, text);
  const index = new WorkspaceIndex(nextTurn);
  index.addFolder(pathToFileURL(dir.path).href);
  await index.scan();
  return { index, dir };
}

for (const { name, files, steps, metrics } of INDEX_CASES) {
  test(`the workspace index: ${name}`, async () => {
    const { index, dir } = await indexOf(files);
    try {
      const documents = new Map<string, LineDocument>();
      for (const step of steps) {
        if ('write' in step) {
          dir.write(step.write, step.text);
          index.fileChanged(pathToFileURL(dir.join(step.write)).href);
        } else if ('delete' in step) {
          unlinkSync(dir.join(step.delete));
          index.fileDeleted(pathToFileURL(dir.join(step.delete)).href);
        } else if ('open' in step) {
          const doc = new LineDocument(pathToFileURL(dir.join(step.open)).href, 1, step.text);
          documents.set(step.open, doc);
          index.opened(doc);
        } else if ('type' in step) {
          const doc = documents.get(step.type) as LineDocument;
          doc.apply({ text: step.text });
          index.edited(doc.uri);
        } else {
          index.closed(pathToFileURL(dir.join(step.close)).href);
        }
      }
      await until(`metric keys ${metrics.join(' ')}`, async () => {
        await index.current();
        return isDeepStrictEqual(index.metricKeys(), metrics) ? true : undefined;
      }).catch(() => assert.deepEqual(index.metricKeys(), metrics));
    } finally {
      dir.remove();
    }
  });
}

test('storedKeys(limit): the first `limit` keys the tenant stores the metrics under, in order, once the folder is read', async () => {
  const { index, dir } = await indexOf({
    'a.dtmetrics': 'z.gauge 1\nrequests count,delta=2\n#meta.key count dt.meta.unit=Byte\n// comment.key 1\n',
  });
  try {
    index.opened(new LineDocument('untitled:one', 1, 'typed count,delta=1\n'));
    const all = ['meta.key.count', 'requests.count', 'typed.count', 'z.gauge'];
    assert.deepEqual(await index.storedKeys(100), all);
    assert.deepEqual(await index.storedKeys(2), all.slice(0, 2));
    assert.deepEqual(await index.storedKeys(0), []);
  } finally {
    dir.remove();
  }
});

test('completion waits for the lines just edited, not for a large document opened and still being keyed', async () => {
  // Slices of long work wait here until the test opens the way: the large document's keying stops after its first.
  const held: Array<() => void> = [];
  let opened = false;
  const index = new WorkspaceIndex(() => (opened ? nextTurn() : new Promise<void>((resolve) => held.push(resolve))));
  const typed = new LineDocument('untitled:typed', 1, 'typed.before 1\n\n');
  index.opened(typed);
  index.opened(new LineDocument('untitled:large', 1, 'large.key,large_dim=a 1\n'.repeat(20_000)));
  await until('the large document keyed in part, waiting for its next slice', () =>
    held.length > 0 ? true : undefined,
  );
  typed.apply({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 12 } }, text: 'typed.after' });
  index.edited(typed.uri);
  const keyed = index.editsKeyed().then(() => 'keyed');
  assert.equal(await Promise.race([keyed, nextTurn().then(() => 'still waiting')]), 'keyed');
  const offered = completions(typed, { line: 1, character: 0 }, index, 0).map((item) => item.label);
  assert.deepEqual(offered, ['typed.after'], 'the edited line is keyed; the large document is not yet');
  opened = true;
  for (const resume of held) resume();
  await index.current();
  assert.deepEqual(index.metricKeys(), ['large.key', 'typed.after']);
});

test('completion leaves out the key being typed unless another line holds it', async () => {
  const index = new WorkspaceIndex(nextTurn);
  const doc = new LineDocument('untitled:typing', 1, 'cache.hits 1\ncache.hits 2\nca\nm,host=a,ho=b 1\n');
  const other = new LineDocument('untitled:other', 1, 'ca 1\n');
  index.opened(doc);
  await index.current();
  const offered = (line: number, character: number) =>
    completions(doc, { line, character }, index, 0).map((item) => item.label);
  assert.deepEqual(offered(2, 2), ['cache.hits', 'm'], 'a half-typed key is no key');
  assert.deepEqual(offered(0, 5), ['ca', 'cache.hits', 'm'], 'a key other lines hold stays');
  assert.deepEqual(offered(3, 11), ['host'], 'the same for a dimension key');
  index.opened(other);
  await index.current();
  assert.deepEqual(offered(2, 2), ['ca', 'cache.hits', 'm'], 'another document holds it');
});
