/**
 * The cost and cardinality figures in the editor, over real JSON-RPC with the built server (dist/server.js): the
 * CodeLens over each metric's first line, the hover of a dimension key, MK015 on a volatile dimension and its fix.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CodeLens, Hover, MarkupContent, TextEdit } from 'vscode-languageserver-protocol/node';
import { CardinalityRequest, type CardinalityParams, type CardinalityResult } from '#protocol';
import { change, open, present, pulled, start, stop, until, type Harness } from './harness.ts';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

const STATS = join(import.meta.dirname, '..', 'fixtures', 'stats');
/** Seed 004's three hosts in one document: 13 series of `service.request.count`. */
const SEED_004 = [1, 2, 3].map((n) => readFileSync(join(STATS, `seed-004-web-${n}.dtmetrics`), 'utf8')).join('\n');

const VOLATILE = [
  'api.latency,route=/cart,request.id=3f2a9c1e-7b4d-4e1a-9c2b-1d2e3f4a5b6c 12',
  'api.latency,route=/cart,request.id=8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d 15',
  'other.metric,request.id=8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d 1',
  'api.latency,request.id=0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e,route=/pay 9',
].join('\n');

let h: Harness;
before(async () => {
  h = await start(true);
});
after(async () => {
  await stop(h);
});

const lenses = async (uri: string) =>
  ((await h.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[]).map(
    (l) => `${l.range.start.line}: ${l.command?.title} [${l.command?.command}]`,
  );

const firstDataLine = (text: string) => text.split('\n').findIndex((l) => /^[a-z]/.test(l));

test("a lens over each metric's first line: seed 004's 13 series at one send a minute", async () => {
  h.settings = {};
  const uri = await open(h, SEED_004);
  assert.deepEqual(await lenses(uri), [
    `${firstDataLine(SEED_004)}: 13 series · 3 dims · ~6.8 M points/yr [dtmetrics.stats.show]`,
  ]);
});

test('a price per point adds the cost of a year; an interval changes the points; the lens can be switched off', async () => {
  h.settings = { stats: { pricePerPoint: 0.0000015 } };
  const priced = await open(h, SEED_004);
  assert.deepEqual(await lenses(priced), [
    `${firstDataLine(SEED_004)}: 13 series · 3 dims · ~6.8 M points/yr · ~$10.25/yr [dtmetrics.stats.show]`,
  ]);
  h.settings = { stats: { interval: '5m' } };
  const slower = await open(h, SEED_004);
  assert.deepEqual(await lenses(slower), [
    `${firstDataLine(SEED_004)}: 13 series · 3 dims · ~1.4 M points/yr [dtmetrics.stats.show]`,
  ]);
  h.settings = { stats: { codeLens: false } };
  assert.deepEqual(await lenses(await open(h, SEED_004)), []);
});

test('the hover of a dimension key: its values, its share of the series, what determines it', async () => {
  h.settings = {};
  const uri = await open(h, SEED_004);
  await lenses(uri); // the analysis of this version is done
  const line = firstDataLine(SEED_004);
  const character = SEED_004.split('\n')[line]?.indexOf('status=') as number;
  const hover = (await h.connection.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: { line, character: character + 2 },
  })) as Hover;
  assert.equal(
    (hover.contents as MarkupContent).value,
    [
      '`status` of `service.request.count` — 3 distinct values in this file: `200`, `500`, `404`.',
      '×2.17 series: `service.request.count` has 13 series, 6 without `status`.',
    ].join('\n\n'),
  );
});

test("a value with backticks stays one code span in the hover: the rest of the file's text cannot render as Markdown", async () => {
  h.settings = {};
  const text = 'tick.count,mode="a`b``c [x](command:y)" count,delta=1\n';
  const uri = await open(h, text);
  await lenses(uri);
  const hover = (await h.connection.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: { line: 0, character: 12 },
  })) as Hover;
  assert.match((hover.contents as MarkupContent).value, /: ```a`b``c \[x\]\(command:y\)```\./);
});

test('MK015 once per metric and volatile dimension, at its first use; its fix drops it from the metric’s lines', async () => {
  h.settings = {};
  const uri = await open(h, VOLATILE);
  // A pull answers once the lint is done; MK015 joins when the analysis is (the server asks for a new pull).
  const found = await until('MK015 pulled', async () => {
    const mk015 = (await pulled(h, uri)).filter((d) => d.code === 'MK015');
    return mk015.length > 0 ? mk015 : undefined;
  });
  assert.deepEqual(
    found.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.character} ${d.severity}`),
    ['0:24-34 3'],
  );
  assert.equal(
    found[0]?.message,
    '`request.id` of `api.latency` is volatile: 100 % of values are UUIDs (3 distinct, ×1.50 the series); 1 M series in 231.5 days at this cadence. Drop it, or bucket its values into a few (a class, a range, a route template).',
  );
  const actions = (await h.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: found[0]?.range,
    context: { diagnostics: found },
  })) as CodeAction[];
  const drop = actions.find((a) => a.title.startsWith('Drop'));
  assert.equal(drop?.title, 'Drop `request.id` from the 3 lines of `api.latency` (merges their series)');
  const edits = drop?.edit?.changes?.[uri] as TextEdit[];
  const lines = VOLATILE.split('\n');
  for (const e of [...edits].reverse()) {
    const text = lines[e.range.start.line] as string;
    lines[e.range.start.line] = text.slice(0, e.range.start.character) + e.newText + text.slice(e.range.end.character);
  }
  assert.equal(
    lines.join('\n'),
    [
      'api.latency,route=/cart 12',
      'api.latency,route=/cart 15',
      'other.metric,request.id=8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d 1',
      'api.latency,route=/pay 9',
    ].join('\n'),
  );
});

test('push mode: MK015 comes with the lint’s diagnostics, and goes once an edit removes the volatile values', async () => {
  const push = await start(false);
  try {
    const uri = await open(push, VOLATILE);
    const mk015 = () => push.published.get(uri)?.diagnostics.filter((d) => d.code === 'MK015') ?? [];
    await until('MK015 published', () => (mk015().length === 1 ? true : undefined));
    // The first line's id made like the second's: two distinct values, no longer volatile by shape (2 of 3 lines).
    await change(push, uri, 0, 35, 71, '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
    await change(push, uri, 3, 23, 59, '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
    await until('MK015 gone', () =>
      push.published.get(uri)?.version === 3 && mk015().length === 0 ? true : undefined,
    );
  } finally {
    await stop(push);
  }
});

test('the hover of a volatile key says why, and when the metric reaches 1 M series', async () => {
  h.settings = {};
  const uri = await open(h, VOLATILE);
  await lenses(uri);
  const hover = (await h.connection.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: { line: 1, character: 26 },
  })) as Hover;
  const text = (hover.contents as MarkupContent).value;
  assert.match(text, /^`request\.id` of `api\.latency` — 3 distinct values in this file: `3f2a9c1e-/);
  assert.match(text, /Volatile: 100 % of values are UUIDs\./);
  assert.match(text, /\+4,320 series\/day: 1 M in 231\.5 days\./);
});

test('a client that can refresh its lenses gets them at once after an edit, then is asked again when they are current', async () => {
  const vscodeLike = await start(true, undefined, true);
  try {
    const uri = await open(vscodeLike, SEED_004);
    const titles = async () =>
      ((await vscodeLike.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[]).map(
        (l) => l.command?.title,
      );
    assert.deepEqual(await titles(), ['13 series · 3 dims · ~6.8 M points/yr']);
    const end = SEED_004.split('\n').length - 1;
    await change(
      vscodeLike,
      uri,
      end,
      0,
      0,
      'service.request.count,host=web-4,service=cart,status=200 count,delta=1\n',
    );
    // Answered from the analysis before the edit, not waiting for this version's.
    assert.deepEqual(await titles(), ['13 series · 3 dims · ~6.8 M points/yr']);
    await until('a lens refresh', () => (vscodeLike.codeLensRefreshes > 0 ? true : undefined));
    assert.deepEqual(await titles(), ['14 series · 3 dims · ~7.4 M points/yr']);
  } finally {
    await stop(vscodeLike);
  }
});

const cardinality = (client: Harness, params: CardinalityParams) =>
  client.connection.sendRequest(CardinalityRequest, params) as Promise<CardinalityResult | null>;

test("the Cardinality view's figures of a document: the lens's analysis, each metric's first line", async () => {
  h.settings = {};
  const uri = await open(h, SEED_004);
  const result = present(await cardinality(h, { scope: 'document', uri }));
  assert.deepEqual(
    result.metrics.map((m) => [m.key, m.series, m.pointsPerYear]),
    [['service.request.count', 13, 13 * 525_600]],
  );
  assert.deepEqual(result.firstLines, { 'service.request.count': { uri, line: firstDataLine(SEED_004) } });
  assert.equal(await cardinality(h, { scope: 'document', uri: 'file:///not/open.dtmetrics' }), null);
  await assert.rejects(cardinality(h, { scope: 'folder' } as unknown as CardinalityParams), /scope must be/);
});

test("the workspace's figures are `dtmetrics stats` of its files (open documents as typed, skipped folders skipped)", async () => {
  const folder = mkdtempSync(join(tmpdir(), 'dtmetrics-cardinality-'));
  // Read by their bytes (the fast path): a byte order mark, `\r\n` and a lone `\r`, a metric whose first line is
  // not clean (two blanks before the payload), a byte that is not UTF-8, a timestamp in seconds, no final break.
  const queues = Buffer.concat([
    Buffer.from('\uFEFFqueue.depth,queue=q1 3\r\ndisk.free,mount=/data  10\rdisk.free,mount=/data 11\r\n'),
    Buffer.from([...Buffer.from('disk.free,mount=/x'), 0xff, ...Buffer.from(' 5\r\n')]),
    Buffer.from('disk.free,mount=/home 12 1767225600\r\nqueue.depth,queue=q2 4'),
  ]);
  for (const [path, text] of <[string, string | Buffer][]>[
    ['a/web 1 (copy)+x.dtmetrics', readFileSync(join(STATS, 'seed-004-web-1.dtmetrics'), 'utf8')],
    ['b/queues.dtmetrics', queues],
    ['b/web-2.dtmetrics', readFileSync(join(STATS, 'seed-004-web-2.dtmetrics'), 'utf8')],
    ['node_modules/dep/x.dtmetrics', 'skipped.metric,host=x 1\n'],
  ]) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
  const client = await start(true, pathToFileURL(folder).href);
  try {
    const asCli = JSON.parse(
      execFileSync(process.execPath, [CLI, 'stats', '--format', 'json', '--interval', '1m', folder], {
        encoding: 'utf8',
      }),
    ) as CardinalityResult;
    const saved = present(await cardinality(client, { scope: 'workspace' }));
    assert.deepEqual(saved.metrics, asCli.metrics);
    assert.deepEqual(saved.totals, asCli.totals);
    assert.equal(saved.files, 3);
    assert.deepEqual(saved.skipped, []);
    const web1Path = join(folder, 'a', 'web 1 (copy)+x.dtmetrics');
    assert.deepEqual(saved.firstLines['service.request.count']?.uri, pathToFileURL(web1Path).href);
    const queuesUri = pathToFileURL(join(folder, 'b', 'queues.dtmetrics')).href;
    assert.deepEqual(saved.firstLines['queue.depth'], { uri: queuesUri, line: 0 });
    assert.deepEqual(saved.firstLines['disk.free'], { uri: queuesUri, line: 1 });
    assert.deepEqual(
      saved.metrics.filter((m) => m.key !== 'service.request.count').map((m) => [m.key, m.lines, m.series]),
      [
        ['disk.free', 4, 3],
        ['queue.depth', 2, 2],
      ],
    );
    // Opened as VS Code spells a URI (`%20`, `%28`, `%2B`), not as node does: still the same file.
    const web1 = `file://${web1Path
      .split('/')
      .map((part) => part.replace(/[^A-Za-z0-9\-._~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
      .join('/')}`;
    assert.notEqual(web1, pathToFileURL(web1Path).href);
    // web-1 opened and a host added, not saved: the workspace's figures are of the document as typed.
    await client.connection.sendNotification('textDocument/didOpen', {
      textDocument: {
        uri: web1,
        languageId: 'dtmetrics',
        version: 1,
        text: readFileSync(web1Path, 'utf8'),
      },
    });
    client.versions.set(web1, 1);
    await change(client, web1, 0, 0, 0, 'service.request.count,host=web-9,service=cart,status=200 count,delta=1\n');
    const typed = present(await cardinality(client, { scope: 'workspace' }));
    assert.equal(typed.metrics[0]?.series, (saved.metrics[0]?.series ?? 0) + 1);
    assert.deepEqual(typed.firstLines['service.request.count'], { uri: web1, line: 0 });
    // A file written into a new folder, which no watcher reported: the workspace is walked again for each answer.
    mkdirSync(join(folder, 'c'));
    writeFileSync(
      join(folder, 'c', 'web-3.dtmetrics'),
      'service.request.count,host=web-3,service=cart,status=200 count,delta=1\n',
    );
    const walked = present(await cardinality(client, { scope: 'workspace' }));
    assert.equal(walked.files, 4);
    assert.equal(walked.metrics[0]?.series, (typed.metrics[0]?.series ?? 0) + 1);
  } finally {
    await stop(client);
    rmSync(folder, { recursive: true, force: true });
  }
});
