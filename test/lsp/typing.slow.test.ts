/**
 * Fast typing cannot bury the built language server: a burst of edits is linted at its newest version, not once
 * per edit, and a huge document being edited does not hold up other requests. Counts and orderings, never times.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import {
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
  type Hover,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { codes, didChange, didOpen, expectedCodes, freshUri, present, RawClient, SERVER, until } from './harness.ts';
import { ValidatedNotification } from '#protocol';

const EDITS = 2000;

describe('language server under fast typing (push diagnostics)', () => {
  let c: RawClient;
  before(async () => (c = await RawClient.start(false)));
  after(async () => assert.equal(await c.stop(), 0, 'the server exits cleanly after shutdown and exit'));

  test(`${EDITS} edits written in one go: the final version's diagnostics, and a few publishes at most`, async () => {
    const uri = freshUri();
    const text = 'my.metric 5\ncache.size,cache=myCache,cacheM 5\n';
    c.write(didOpen(uri, text));
    await c.published(uri, 1);
    const edits = [];
    // Type an X at the start of the first line and delete it, over and over; last, replace the X with a comma.
    for (let version = 2; version < EDITS + 1; version++)
      edits.push(didChange(uri, version, 0, 0, version % 2 === 0 ? 0 : 1, version % 2 === 0 ? 'X' : ''));
    edits.push(didChange(uri, EDITS + 1, 0, 0, 1, ','));
    c.write(...edits);
    const final = await c.published(uri, EDITS + 1);
    assert.deepEqual(codes(final), expectedCodes(`,${text}`));
    assert.ok(codes(final).includes('MK001@0:0-1'), 'the comma at the start');
    // A round trip: everything the server did for the burst has been sent by the time this answer arrives.
    await c.answer(c.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } }));
    const versions = c
      .publishes(uri)
      .map((p) => p.params.version as number)
      .slice(1);
    assert.ok(
      versions.length <= 20,
      `${versions.length} publishes for ${EDITS} edits, versions ${versions.slice(0, 10).join(' ')} …`,
    );
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => a - b),
      'never an older version after a newer one',
    );
    assert.equal(versions.at(-1), EDITS + 1, 'nothing published after the final version');
    const lints = c.notifications(ValidatedNotification).filter((n) => n.params.uri === uri && n.params.version > 1);
    assert.ok(lints.length <= 20, `${lints.length} lints for ${EDITS} edits`);
  });

  test('a 50 MB document being edited: hover is answered before any lint of the edits finishes', async () => {
    const line =
      'http.server.request.duration,service=checkout,endpoint="/api/v1/cart/{id}",method=GET gauge,min=1,max=2,sum=3,count=2';
    const lines: string[] = [];
    for (let bytes = 0; bytes < 50_000_000; bytes += line.length + 1)
      lines.push(lines.length % 100 === 0 ? 'http.server.request.duration,Service=checkout gauge,5' : line);
    const uri = freshUri();
    c.write(didOpen(uri, lines.join('\n')));
    await c.published(uri, 1, 120_000);
    // Typing on lines spread over the document: an x into a dimension value, deleted again.
    const edit = (version: number) => {
      const at = 1 + ((Math.floor(version / 2) * 7919) % (lines.length - 1));
      return didChange(uri, version, at, 40, version % 2 === 0 ? 40 : 41, version % 2 === 0 ? 'x' : '');
    };
    const before = Array.from({ length: 300 }, (_, i) => edit(i + 2));
    const hover = c.requestMessage('textDocument/hover', {
      textDocument: { uri },
      position: { line: 1, character: 3 },
    });
    const hoverId = c.lastId;
    const afterwards = Array.from({ length: 300 }, (_, i) => edit(i + 302));
    c.write(...before, hover, ...afterwards);
    const answer = await c.answer(hoverId);
    assert.match(
      (present(answer.result as Hover | null, 'a hover over a metric key').contents as { value: string }).value,
      /`http.server.request.duration`: gauge/,
    );
    const answeredAt = c.received.indexOf(answer);
    const lintedBefore = c.publishes(uri).filter((p) => p.at < answeredAt && (p.params.version as number) > 1);
    assert.deepEqual(
      lintedBefore.map((p) => p.params.version),
      [],
      'the hover waited for no lint of an edited version',
    );
    const final = await c.published(uri, 601, 120_000);
    assert.equal(final.length, 1001, 'the default cap of 1,000 and its note');
  });
});

describe('language server over Node IPC, as the VS Code extension starts it', () => {
  test("each edit awaited gets its diagnostics; a burst ends with the final version's, published a few times at most", async () => {
    const child = fork(SERVER, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const published: PublishDiagnosticsParams[] = [];
    connection.onNotification(
      'textDocument/publishDiagnostics',
      (p: PublishDiagnosticsParams) => void published.push(p),
    );
    connection.listen();
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await connection.sendNotification('initialized', {});
    const uri = freshUri();
    const text = 'my.metric 5\n';
    const diagnosticsOf = (version: number) =>
      until(`diagnostics of version ${version}`, () => published.find((p) => p.version === version)?.diagnostics);
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'dtmetrics', version: 1, text },
    });
    await diagnosticsOf(1);
    // A comma typed at the start and deleted again: version v has it when v is even.
    const typing = (version: number) =>
      didChange(uri, version, 0, 0, version % 2 === 0 ? 0 : 1, version % 2 === 0 ? ',' : '');
    const textOf = (version: number) => (version % 2 === 0 ? `,${text}` : text);
    // One at a time: each publish is written only once the one before has been handed to the channel.
    for (let version = 2; version <= 6; version++) {
      await connection.sendNotification('textDocument/didChange', typing(version).params);
      assert.deepEqual(codes(await diagnosticsOf(version)), expectedCodes(textOf(version)));
    }
    const before = published.length;
    const last = 6 + EDITS;
    await Promise.all(
      Array.from({ length: EDITS }, (_, i) =>
        connection.sendNotification('textDocument/didChange', typing(i + 7).params),
      ),
    );
    assert.deepEqual(codes(await diagnosticsOf(last)), expectedCodes(textOf(last)));
    assert.ok(published.length - before <= 20, `${published.length - before} publishes for ${EDITS} edits`);
    await connection.sendRequest('shutdown');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await connection.sendNotification('exit');
    assert.equal(await exited, 0);
    connection.dispose();
  });
});
