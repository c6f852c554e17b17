/**
 * What `npm start` opens and on which port (scripts/vscode/start-options.mjs): never the repository's examples/,
 * but a scratch copy that keeps its edits and gains new examples, or the folder named; a fixed port unless PORT says
 * otherwise, another free one when it is taken, and one line for a PORT that cannot be used.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../cli/helpers.ts';
import {
  choosePort,
  copyExamples,
  DEFAULT_PORT,
  portIsFree,
  SCRATCH_FOLDER,
  startFolder,
} from '../../scripts/vscode/start-options.mjs';

function scratch(t: { after: (fn: () => void) => void }): string {
  const folder = mkdtempSync(join(tmpdir(), 'dtmetrics-start-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

async function listen(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

const close = (server: Server) => new Promise((resolve) => server.close(resolve));

test('without a folder, a scratch copy of examples/ below the root, git-ignored, never examples/ itself', () => {
  const opened = startFolder([], {}, ROOT);
  assert.notEqual(opened, 'help');
  if (opened === 'help') return;
  assert.equal(opened.folder, join(ROOT, '.scratch', 'examples'));
  assert.equal(opened.copyFrom, join(ROOT, 'examples'));
  assert.notEqual(opened.folder, opened.copyFrom);
  assert.equal(SCRATCH_FOLDER, join('.scratch', 'examples'));
  const ignored = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n');
  assert.ok(ignored.includes('.scratch/'), '.scratch/ is not git-ignored');
});

test('a folder named is opened as it is, relative to where npm was run; anything else is one line', (t) => {
  const cwd = scratch(t);
  mkdirSync(join(cwd, 'mine'));
  writeFileSync(join(cwd, 'a-file'), '');
  assert.deepEqual(startFolder(['mine'], { INIT_CWD: cwd }, ROOT), { folder: join(cwd, 'mine'), copyFrom: null });
  assert.deepEqual(startFolder([join(cwd, 'mine')], {}, ROOT), { folder: join(cwd, 'mine'), copyFrom: null });
  assert.equal(startFolder(['--help'], {}, ROOT), 'help');
  for (const [args, message] of [
    [['nowhere'], `no folder at ${join(cwd, 'nowhere')}`],
    [['a-file'], `${join(cwd, 'a-file')} is a file: npm start opens a folder`],
    [['mine', 'other'], 'one folder to open at most, not 2: mine other'],
    [['--port', '1'], "unknown option '--port': give a folder to open, or nothing (see npm start -- --help)"],
  ] as const)
    assert.throws(() => startFolder([...args], { INIT_CWD: cwd }, ROOT), { message });
});

test('the scratch copy gets every example and .vscode/settings.json, keeps its edits, and gains examples added since', (t) => {
  const root = scratch(t);
  const examples = join(root, 'examples');
  mkdirSync(join(examples, '.vscode'), { recursive: true });
  writeFileSync(join(examples, 'a.dtmetrics'), 'a.metric 1\n');
  writeFileSync(join(examples, '.vscode', 'settings.json'), '{ "files.autoSave": "afterDelay" }\n');
  const copy = join(root, SCRATCH_FOLDER);
  copyExamples(examples, copy);
  assert.equal(readFileSync(join(copy, 'a.dtmetrics'), 'utf8'), 'a.metric 1\n');
  assert.equal(readFileSync(join(copy, '.vscode', 'settings.json'), 'utf8'), '{ "files.autoSave": "afterDelay" }\n');
  writeFileSync(join(copy, 'a.dtmetrics'), 'a.metric 2 // tried\n');
  writeFileSync(join(examples, 'b.dtmetrics'), 'b.metric 1\n');
  copyExamples(examples, copy);
  assert.equal(readFileSync(join(copy, 'a.dtmetrics'), 'utf8'), 'a.metric 2 // tried\n', 'an edit is kept');
  assert.equal(readFileSync(join(copy, 'b.dtmetrics'), 'utf8'), 'b.metric 1\n', 'a new example comes');
  assert.equal(readFileSync(join(examples, 'a.dtmetrics'), 'utf8'), 'a.metric 1\n', 'examples/ is untouched');
});

test('the port: the default when free, another free one with a note when it is taken', async () => {
  assert.equal(DEFAULT_PORT, 8735);
  const taken = await listen();
  const spare = await listen();
  await close(spare.server);
  try {
    assert.deepEqual(await choosePort({}, async () => spare.port, spare.port), { port: spare.port, note: null });
    assert.deepEqual(await choosePort({ PORT: '' }, async () => spare.port, taken.port), {
      port: spare.port,
      note: `Port ${taken.port} is in use (another npm start?), so this one runs on ${spare.port}.`,
    });
  } finally {
    await close(taken.server);
  }
});

test('PORT is honoured; one that is taken or not a port is one line', async () => {
  const taken = await listen();
  const spare = await listen();
  await close(spare.server);
  const never = async (): Promise<number> => assert.fail('no free port is to be looked for when PORT is set');
  try {
    assert.deepEqual(await choosePort({ PORT: String(spare.port) }, never, taken.port), {
      port: spare.port,
      note: null,
    });
    await assert.rejects(choosePort({ PORT: String(taken.port) }, never), {
      message: `PORT ${taken.port} is in use: choose another, or leave PORT unset for 8735 or a free one`,
    });
    for (const bad of ['abc', '0', '65536', '80.5', ' 80', '1e3'])
      await assert.rejects(choosePort({ PORT: bad }, never), {
        message: `PORT must be a port number from 1 to 65535, not '${bad}'`,
      });
    assert.equal(await portIsFree(taken.port), false);
    assert.equal(await portIsFree(spare.port), true);
  } finally {
    await close(taken.server);
  }
});
