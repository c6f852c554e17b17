/**
 * The local tenant's state file (client/src/local-tenant/state.ts) on a real file system: written whole and for
 * its owner only, read back, refused when it holds anything else, removed only while it records the instance that
 * asks; and the follower that reads the tenant's output into the editor's log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FileFollower,
  parseState,
  processEnded,
  readState,
  removeState,
  writeState,
  type LocalTenantState,
} from '#client/local-tenant/state.ts';

const STATE: LocalTenantState = {
  instance: '6f1c1b0e-0000-4000-8000-000000000001',
  pid: 4242,
  port: 14500,
  url: 'http://127.0.0.1:14500',
  dataFile: '/storage/local-tenant.data',
  logFile: '/workspace-storage/local-tenant.log',
  secret: 'a'.repeat(64),
  startedAt: '2026-12-04T12:00:00.000Z',
};

function scratch(t: { after: (fn: () => void) => void }): string {
  const folder = mkdtempSync(join(tmpdir(), 'dtmetrics-state-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

test('a state is written whole, readable by its owner only, and read back', async (t) => {
  const file = join(scratch(t), 'storage', 'local-tenant.json');
  assert.equal(await readState(file), null, 'no file: no state');
  await writeState(file, STATE);
  assert.deepEqual(await readState(file), STATE);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  await writeState(file, { ...STATE, pid: 4343 });
  assert.deepEqual(await readState(file), { ...STATE, pid: 4343 });
  assert.deepEqual(readdirSync(join(file, '..')), ['local-tenant.json'], 'no temporary file is left');
});

test('a file that holds anything but a state is invalid', () => {
  const valid = JSON.stringify({ version: 1, ...STATE });
  assert.deepEqual(parseState(valid), STATE);
  for (const text of [
    '',
    '{',
    'null',
    '[]',
    JSON.stringify(STATE), // no version
    JSON.stringify({ version: 2, ...STATE }),
    JSON.stringify({ version: 1, ...STATE, pid: 0 }),
    JSON.stringify({ version: 1, ...STATE, pid: '4242' }),
    JSON.stringify({ version: 1, ...STATE, port: 70000 }),
    JSON.stringify({ version: 1, ...STATE, secret: '' }),
    JSON.stringify({ version: 1, ...STATE, instance: 7 }),
  ])
    assert.equal(parseState(text), null, text);
  assert.equal(Object.hasOwn(parseState(JSON.stringify({ version: 1, ...STATE, extra: 1 })) ?? {}, 'extra'), false);
});

test('readState says when a file is not a state; removeState removes only the instance that asks, or any when told', async (t) => {
  const folder = scratch(t);
  const file = join(folder, 'local-tenant.json');
  writeFileSync(file, 'not json');
  assert.equal(await readState(file), 'invalid');
  await removeState(file, STATE.instance);
  assert.equal(await readState(file), 'invalid', 'an invalid file is removed only when any is to go');
  await removeState(file, null);
  assert.equal(await readState(file), null);

  await writeState(file, STATE);
  await removeState(file, 'a-tenant-started-since');
  assert.deepEqual(await readState(file), STATE, "another instance's end leaves the file");
  await removeState(file, STATE.instance);
  assert.equal(await readState(file), null);
  await removeState(file, STATE.instance);
});

test('processEnded: this process runs; a pid no process has has ended', () => {
  assert.equal(processEnded(process.pid), false);
  assert.equal(processEnded(2 ** 22 + 1), true);
});

test('the follower hands over whole lines as the file grows, a character split between reads whole, and a file begun anew from its start', async (t) => {
  const file = join(scratch(t), 'tenant.log');
  const lines: string[] = [];
  const follower = new FileFollower(file, (line) => lines.push(line));
  assert.equal(await follower.poll(), false, 'no file yet');
  writeFileSync(file, 'first line\nsecond ');
  assert.equal(await follower.poll(), true);
  assert.deepEqual(lines, ['first line']);
  const euro = Buffer.from('€');
  appendFileSync(file, Buffer.concat([Buffer.from('half\r\nprice '), euro.subarray(0, 1)]));
  await follower.poll();
  appendFileSync(file, Buffer.concat([euro.subarray(1), Buffer.from('5\n')]));
  await follower.poll();
  assert.deepEqual(lines, ['first line', 'second half', 'price €5']);
  assert.equal(await follower.poll(), false, 'nothing new');

  writeFileSync(file, 'a new tenant\n');
  await follower.poll();
  assert.deepEqual(lines.at(-1), 'a new tenant');

  const fromEnd = await FileFollower.fromEnd(file);
  const later: string[] = [];
  fromEnd.redirect((line) => later.push(line));
  appendFileSync(file, 'after\n');
  await fromEnd.poll();
  assert.deepEqual(later, ['after'], 'what was there before is not read again');
});
