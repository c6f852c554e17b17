/**
 * The built language server (dist/server.js) over a real JSON-RPC connection on stdio: what an editor sees.
 * Every wait is on a condition with a deadline.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  FileChangeType,
  type CodeAction,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { WorkspaceKeysRequest } from '#protocol';
import {
  change,
  codes,
  completionLabels,
  open,
  present,
  pulled,
  pushed,
  start,
  stop,
  until,
  type Harness,
} from './harness.ts';
import { readCitations } from '#core/evidence.ts';

/** The edits a code action makes to `uri`. */
const editsOf = (action: CodeAction | undefined, uri: string): TextEdit[] =>
  present(present(action, 'a code action').edit?.changes?.[uri], 'edits');

/** Applies single-line edits from the end backwards, as an editor does. */
function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  for (const e of [...edits].sort(
    (a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character,
  )) {
    const line = lines[e.range.start.line] as string;
    lines[e.range.start.line] = line.slice(0, e.range.start.character) + e.newText + line.slice(e.range.end.character);
  }
  return lines.join('\n');
}

describe('language server, push diagnostics', () => {
  let h: Harness;
  before(async () => (h = await start(false)));
  after(async () => assert.equal(await stop(h), 0, 'the server exits cleanly after shutdown and exit'));

  test('diagnostics on open, at the exact characters, with code, source and documentation link', async () => {
    const uri = await open(h, 'cache.size,cache=myCache,cacheM 5\n');
    const ds = await pushed(h, uri, 1);
    assert.deepEqual(codes(ds), ['DK001@0:30-31', 'DK008@0:25-31']);
    const dk001 = ds.find((d) => d.code === 'DK001') as Diagnostic;
    assert.equal(dk001.source, 'dtmetrics');
    assert.equal(dk001.severity, 1);
    assert.match(dk001.codeDescription?.href ?? '', /^https:\/\//);
  });

  test('an edit updates the diagnostics of its version', async () => {
    const uri = await open(h, 'cache.size,cache=myCache,cacheM 5\n');
    await pushed(h, uri, 1);
    const version = await change(h, uri, 0, 25, 31, 'cachem=x');
    assert.deepEqual(await pushed(h, uri, version), []);
  });

  test('a burst of edits ends with the diagnostics of the final text', async () => {
    const uri = await open(h, 'my.metric 5\n');
    await pushed(h, uri, 1);
    let version = 1;
    for (let i = 0; i < 40; i++) version = await change(h, uri, 0, 0, 0, i % 2 === 0 ? 'X' : '');
    version = await change(h, uri, 0, 0, 0, ',');
    const final = await pushed(h, uri, version);
    assert.ok(
      final.some((d) => d.code === 'MK001'),
      `final text starts with a comma: ${codes(final).join(' ')}`,
    );
  });

  test('a stale timestamp appears without an edit as the clock moves', async () => {
    const almostStale = Date.now() - 3_600_000 + 1_500;
    const uri = await open(h, `my.metric 5 ${almostStale}\n`);
    assert.deepEqual(await pushed(h, uri, 1), []);
    const later = await until('TS003 from the clock', () => {
      const ds = h.published.get(uri)?.diagnostics ?? [];
      return ds.some((d) => d.code === 'TS003') ? ds : undefined;
    });
    assert.equal((later.find((d) => d.code === 'TS003') as Diagnostic).severity, 2, 'TS003 is a warning in the editor');
  });

  test('settings apply live: a severity off, and the timestamp window off', async () => {
    const uri = await open(h, 'cache.size,Cache=a 5 1000000000000\n');
    const before = await pushed(h, uri, 1);
    assert.ok(before.some((d) => d.code === 'DK001') && before.some((d) => d.code === 'TS003'));
    h.settings = { severities: { DK001: 'off' }, timestampWindow: 'off' };
    await h.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const after = await until('diagnostics under the new settings', () => {
      const ds = h.published.get(uri)?.diagnostics;
      return ds && !ds.some((d) => d.code === 'DK001') ? ds : undefined;
    });
    assert.ok(!after.some((d) => d.code === 'TS003'), codes(after).join(' '));
    h.settings = {};
    await h.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  });

  test('limits from settings are the ones the checks use and the messages quote', async () => {
    h.settings = { metricKeyMaxLength: 200, dimensionValueMaxLength: 260 };
    await h.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const uri = await open(
      h,
      `app.${'x'.repeat(197)} 5\nmy.metric,v=${'a'.repeat(258)} 5\nmy.metric,v=${'a'.repeat(261)} 5\n`,
    );
    const ds = await until('diagnostics under the new limits', () => {
      const published = h.published.get(uri)?.diagnostics;
      return published?.length === 3 ? published : undefined;
    });
    const at = (line: number) =>
      present(
        ds.find((d) => d.range.start.line === line),
        `a diagnostic on line ${line + 1}`,
      );
    assert.deepEqual(
      [0, 1, 2].map((line) => [at(line).code, at(line).severity]),
      [
        ['MK008', 1],
        ['DV005', 2],
        ['DV005', 1],
      ],
    );
    assert.match(at(0).message as string, /201 characters long; the limit is 200\./);
    assert.match(at(1).message as string, /258 characters long: within the limit of 260, but .* cut at 250\./);
    assert.match(at(2).message as string, /261 characters long; the limit is 260\./);
    h.settings = {};
    await h.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  });

  test('a per-document cap with a visible note', async () => {
    h.settings = { maxDiagnostics: 3 };
    await h.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const uri = await open(h, Array.from({ length: 10 }, () => '1bad 5').join('\n'));
    const ds = await pushed(h, uri, 1);
    assert.equal(ds.length, 4);
    const note = ds[3]?.message;
    assert.match(typeof note === 'string' ? note : (note?.value ?? ''), /more problems are not shown/);
    h.settings = {};
    await h.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  });

  test('a malformed message does not kill the server', async () => {
    const stdin = present(h.process.stdin);
    stdin.write('Content-Length: 9\r\n\r\nnot json!');
    stdin.write('Content-Length: 2\r\n\r\n{}');
    await assert.rejects(h.connection.sendRequest('dtmetrics/no-such-method', {}), /Unhandled method|not found/i);
    const hoverOnUnknown = await h.connection.sendRequest('textDocument/hover', {
      textDocument: { uri: 'file:///nowhere.dtmetrics' },
      position: { line: 0, character: 0 },
    });
    assert.equal(hoverOnUnknown, null);
    const uri = await open(h, '1bad 5\n');
    assert.deepEqual(codes(await pushed(h, uri, 1)), ['MK002@0:0-1']);
  });
});

describe('language server, pull diagnostics and features', () => {
  let h: Harness;
  before(async () => (h = await start(true)));
  after(async () => assert.equal(await stop(h), 0));

  test('textDocument/diagnostic answers for the current version, with nothing pushed', async () => {
    const uri = await open(h, 'jobs.done count,5\n');
    // A refused line stores nothing, so the note on where a count is stored (MK010) waits for the fix.
    assert.deepEqual(codes(await pulled(h, uri)), ['PL002@0:10-17']);
    await change(h, uri, 0, 16, 16, 'delta=');
    assert.deepEqual(codes(await pulled(h, uri)), ['MK010@0:0-9']);
    assert.equal(h.published.size, 0);
  });

  test('a quick fix applies and removes its diagnostic; fix-all fixes every one of its code', async () => {
    const text = 'a.metric,Host=x 5\na.metric,Region=y 5\n';
    const uri = await open(h, text);
    const ds = await pulled(h, uri);
    const first = ds.filter((d) => d.code === 'DK001' && d.range.start.line === 0);
    const range = present(first[0], 'a DK001 on line 1').range;
    const actions = (await h.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics: first },
    })) as CodeAction[];
    const fixed = apply(
      text,
      editsOf(
        actions.find((a) => a.title === 'Lower-case the key: `host`'),
        uri,
      ),
    );
    assert.equal(fixed.split('\n')[0], 'a.metric,host=x 5');
    const all = actions.find((a) => a.title.startsWith('Fix all DK001'));
    assert.equal(apply(text, editsOf(all, uri)), 'a.metric,host=x 5\na.metric,region=y 5\n');
    const version = await change(h, uri, 0, 9, 13, 'host');
    assert.equal(version, 2);
    assert.ok(!(await pulled(h, uri)).some((d) => d.code === 'DK001' && d.range.start.line === 0));
  });

  test('a JSON document pasted over lines: one preferred quick fix converts the run, and its diagnostics go', async () => {
    const json = ['{', '  "metricId": "payments.latency",', '  "value": 120,', '  "dimensions": {"region": "eu"}', '}'];
    const uri = await open(h, ['cpu.temp 41', ...json, 'cpu.temp 42', ''].join('\n'));
    const onLine = (await pulled(h, uri)).filter((d) => d.code === 'LN007' && d.range.start.line === 3);
    const actions = (await h.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: present(onLine[0], 'an LN007 on line 4').range,
      context: { diagnostics: onLine },
    })) as CodeAction[];
    const convert = present(
      actions.find((a) => a.title === 'Convert these 5 JSON lines to metric lines'),
      `the run's fix among ${actions.map((a) => a.title).join(' | ')}`,
    );
    assert.equal(convert.isPreferred, true);
    const [edit] = editsOf(convert, uri);
    assert.deepEqual(present(edit, 'one edit').range, {
      start: { line: 1, character: 0 },
      end: { line: 5, character: 1 },
    });
    // Applied as an editor applies it: one change of the range.
    await h.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: edit?.range, text: edit?.newText }],
    });
    h.versions.set(uri, 2);
    assert.deepEqual(codes(await pulled(h, uri)), []);
  });

  test("a document whose opening comments say '// dtmetrics: timestamps=rebase' gets no TS003 until the comment goes", async () => {
    const uri = await open(h, '// dtmetrics: timestamps=rebase\nmy.metric 5 1000000000000\n');
    assert.deepEqual(codes(await pulled(h, uri)), []);
    await change(h, uri, 0, 0, 31, '// a comment');
    assert.deepEqual(codes(await pulled(h, uri)), ['TS003@1:12-25']);
  });

  test('a stale timestamp offers "replace with now" and "remove"', async () => {
    const uri = await open(h, 'my.metric 5 1000000000000\n');
    const ds = (await pulled(h, uri)).filter((d) => d.code === 'TS003');
    const range = present(ds[0], 'a TS003').range;
    const actions = (await h.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics: ds },
    })) as CodeAction[];
    const replaced = Number(
      present(
        editsOf(
          actions.find((a) => a.title.startsWith('Replace the timestamp')),
          uri,
        )[0],
      ).newText,
    );
    assert.ok(Math.abs(replaced - Date.now()) < 60_000);
    assert.ok(actions.some((a) => a.title.startsWith('Remove the timestamp')));
  });

  test("hover: a timestamp's date and age, a key's series, a diagnostic's explanation", async () => {
    const ts = Date.now() - 42 * 60_000;
    const uri = await open(h, `http.requests,host=a 5 ${ts}\nhttp.requests,host=b 6 ${ts}\nbad.metric,Host=a 5\n`);
    await pulled(h, uri);
    const at = async (line: number, character: number) =>
      (
        (await h.connection.sendRequest('textDocument/hover', {
          textDocument: { uri },
          position: { line, character },
        })) as Hover | null
      )?.contents as { value: string } | undefined;
    assert.match((await at(0, 25))?.value ?? '', /UTC — 42 min ago; the tenant rejects points older than 1 h/);
    assert.match((await at(0, 3))?.value ?? '', /`http.requests`: gauge, 2 series/);
    const explanation = (await at(2, 11))?.value ?? '';
    assert.match(explanation, /DK001: Invalid dimension key/);
    // The editor shows the diagnostic's message above the hover: the explanation does not say it twice.
    assert.doesNotMatch(explanation, /Upper-case `H` in dimension key/);
    // The evidence's sources as links, not the ids the rule table cites them by.
    assert.match(
      explanation,
      /_Evidence:_ \[Dynatrace docs: Metric ingestion protocol\]\(https:\/\/docs\.dynatrace\.com\/docs\/shortlink\/metric-ingestion-protocol\): /,
    );
    assert.match(
      explanation,
      /\[micrometer#2295[^\]]*\]\(https:\/\/github\.com\/micrometer-metrics\/micrometer\/issues\/2295\)/,
    );
    assert.deepEqual(readCitations(explanation), { citations: [], dangling: [] }, 'no citation tag is shown');
  });

  test('a count stored as key.count is a hint once, on its metadata line; its hover links the evidence, never a tag; a timestamp in seconds is one error whose hover has its explanation', async () => {
    const seconds = Math.floor(Date.now() / 1000) - 60;
    const uri = await open(
      h,
      `#jobs.done count dt.meta.unit=Count\njobs.done,job=a count,delta=3\njobs.done,job=b count,delta=1 ${seconds}\n`,
    );
    const ds = await pulled(h, uri);
    assert.deepEqual(
      ds.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character, d.range.end.character]),
      [
        ['MK010', 4, 0, 1, 10],
        ['TS002', 1, 2, 30, 40],
      ],
      'a Hint on the metadata key and nothing on its data lines; TS002 an Error, no TS003 beside it',
    );
    const hoverAt = async (line: number, character: number) =>
      (
        (
          (await h.connection.sendRequest('textDocument/hover', {
            textDocument: { uri },
            position: { line, character },
          })) as Hover | null
        )?.contents as { value: string } | undefined
      )?.value ?? '';
    const note = await hoverAt(0, 3);
    assert.match(note, /\*\*MK010: Type suffix will be added to the key\*\*/);
    assert.match(note, /\[Dynatrace docs: Metrics API – FAQ\]\(https:\/\/www\.dynatrace\.com\/[^)]+\)/);
    assert.match(
      note,
      /\[micrometer#5037[^\]]*\]\(https:\/\/github\.com\/micrometer-metrics\/micrometer\/issues\/5037\)/,
    );
    assert.deepEqual(readCitations(note), { citations: [], dangling: [] }, 'no citation tag is shown');
    const unit = await hoverAt(2, 33);
    assert.match(unit, /\*\*TS002: Timestamp looks like seconds, microseconds or nanoseconds\*\*/);
    assert.doesNotMatch(unit, /\*\*TS003/, 'no second explanation');
    assert.deepEqual(readCitations(unit), { citations: [], dangling: [] }, 'no citation tag is shown');
  });

  test('hover names the configured cardinality budget once a key passes it', async () => {
    h.settings = { cardinalityBudget: 1 };
    await h.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const uri = await open(h, 'many.series,host=a 5\nmany.series,host=b 5\n');
    assert.ok((await pulled(h, uri)).some((d) => d.code === 'MK012'));
    const hovered = (await h.connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 0, character: 2 },
    })) as Hover | null;
    assert.match((hovered?.contents as { value: string } | undefined)?.value ?? '', /more than 1 series/);
    h.settings = {};
    await h.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  });

  test('completion: workspace keys, payload forms, metadata properties and units', async () => {
    const uri = await open(
      h,
      'http.server.request.duration,\nmy.metric \n#my.metric gauge \n#my.metric gauge dt.meta.unit=\n',
    );
    const labels = (line: number, character: number) => completionLabels(h, uri, line, character);
    await until('the workspace index', async () => ((await labels(0, 29)).includes('service') ? true : undefined));
    assert.ok((await labels(0, 3)).includes('http.server.request.duration'));
    assert.deepEqual(await labels(1, 10), ['gauge,', 'count,delta=', 'gauge,min=…,max=…,sum=…,count=…']);
    assert.ok((await labels(2, 17)).includes('dt.meta.displayName='));
    assert.ok((await labels(3, 30)).includes('MilliSecond'));
  });

  test('document symbols group lines by metric key; formatting only normalises spacing', async () => {
    const text = '#a.metric gauge dt.meta.unit=Byte\n  a.metric,k="x  y"   5\nb.metric 6  \n   \n';
    const uri = await open(h, text);
    const symbols = (await h.connection.sendRequest('textDocument/documentSymbol', {
      textDocument: { uri },
    })) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.children?.length]),
      [
        ['a.metric', 2],
        ['b.metric', 1],
      ],
    );
    const edits = (await h.connection.sendRequest('textDocument/formatting', {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    })) as TextEdit[];
    assert.equal(apply(text, edits), '#a.metric gauge dt.meta.unit=Byte\na.metric,k="x  y" 5\nb.metric 6\n\n');
  });
});

describe('language server, the workspace index', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dtmetrics-index-'));
  const onDisk = join(folder, 'on-disk.dtmetrics');
  const stored = join(folder, 'keys', 'stored.dtmetrics');
  const storedText =
    'stored.gauge 1\nstored.requests count,delta=2\nstored_count 3\n#stored.meta count dt.meta.unit=Byte\n{"metric": "json", "value": 1}\n// stored.comment 1\n';
  let h: Harness;
  let blank: string;
  /** Metric keys offered at the start of an empty line; dimension keys after `m,`. */
  const metricKeys = () => completionLabels(h, blank, 0, 0);
  const dimensionKeys = () => completionLabels(h, blank, 1, 2);
  const workspaceKeys = async (limit = 100) => (await h.connection.sendRequest(WorkspaceKeysRequest, { limit })).keys;
  before(async () => {
    writeFileSync(onDisk, 'disk.before,disk_dim=a 1\n');
    mkdirSync(join(folder, 'keys'));
    writeFileSync(stored, storedText);
    mkdirSync(join(folder, 'node_modules'));
    writeFileSync(join(folder, 'node_modules', 'skipped.dtmetrics'), 'skipped.key 1\n');
    h = await start(true, pathToFileURL(folder).href);
    blank = await open(h, '\nm,\n');
  });

  test('dtmetrics/workspaceKeys: the keys files on disk and open documents store metrics under, sorted, at most `limit`', async () => {
    const uri = await open(h, 'open.stored count,delta=1\n');
    // Asked at once: the answer waits for the folder to be read.
    const all = [
      'disk.before',
      'm',
      'open.stored.count',
      'stored.gauge',
      'stored.meta.count',
      'stored.requests.count',
      'stored_count.gauge',
    ];
    assert.deepEqual(await workspaceKeys(), all);
    assert.deepEqual(await workspaceKeys(2), all.slice(0, 2));
    await change(h, uri, 0, 0, 'open.stored'.length, 'open.edited');
    assert.deepEqual(
      await workspaceKeys(),
      [
        'disk.before',
        'm',
        'open.edited.count',
        'stored.gauge',
        'stored.meta.count',
        'stored.requests.count',
        'stored_count.gauge',
      ],
      'as typed',
    );
    await h.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  });

  test('an open document stands for its file until it is closed', async () => {
    const uri = pathToFileURL(stored).href;
    await h.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'dtmetrics', version: 1, text: 'stored.gauge 1\nunsaved.key 2\n' },
    });
    const typed = await workspaceKeys();
    assert.ok(typed.includes('unsaved.key') && !typed.includes('stored.requests.count'), typed.join(' '));
    await h.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    const saved = await until('the file read again', async () => {
      const keys = await workspaceKeys();
      return keys.includes('stored.requests.count') ? keys : undefined;
    });
    assert.ok(!saved.includes('unsaved.key'), saved.join(' '));
  });

  test('of a file, the first 20 MiB are read (the query prompt read files up to 20 MiB): a key past them is not offered', async () => {
    const big = join(folder, 'big.dtmetrics');
    const padding = (lines: number) => `// ${'x'.repeat(1020)}\n`.repeat(lines);
    // big.within ends 1,000 bytes before 20 MiB; the next line crosses it.
    writeFileSync(big, `big.first 1\n${padding(20 * 1024 - 1)}big.within 1\n${padding(1)}big.last 1\n`);
    const uri = pathToFileURL(big).href;
    await h.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri, type: FileChangeType.Created }],
    });
    const keys = await until(
      'the big file read',
      async () => {
        const found = await workspaceKeys();
        return found.includes('big.first') ? found : undefined;
      },
      30_000,
    );
    assert.ok(keys.includes('big.within') && !keys.includes('big.last'), keys.join(' '));
    unlinkSync(big);
    await h.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri, type: FileChangeType.Deleted }],
    });
    assert.ok(!(await workspaceKeys()).includes('big.first'));
  });
  after(async () => {
    assert.equal(await stop(h), 0);
    rmSync(folder, { recursive: true, force: true });
  });

  test('an open document counts as typed: a key edited away is no longer offered, a key typed is', async () => {
    const uri = await open(h, 'open.typed,typed_dim=a 1\n');
    assert.ok((await metricKeys()).includes('open.typed'));
    assert.ok((await dimensionKeys()).includes('typed_dim'));
    await change(h, uri, 0, 0, 'open.typed,typed_dim'.length, 'open.retyped,retyped_dim');
    const metrics = await metricKeys();
    assert.ok(metrics.includes('open.retyped') && !metrics.includes('open.typed'), metrics.join(' '));
    const dimensions = await dimensionKeys();
    assert.ok(dimensions.includes('retyped_dim') && !dimensions.includes('typed_dim'), dimensions.join(' '));
    await h.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    assert.ok(!(await metricKeys()).includes('open.retyped'), 'a closed document outside the workspace offers nothing');
  });

  test('a key stays offered while any line of a document holds it', async () => {
    const uri = await open(h, 'twice.held,twice_dim=a 1\ntwice.held,twice_dim=b 2\n');
    assert.ok((await metricKeys()).includes('twice.held'));
    await change(h, uri, 0, 0, 'twice.held'.length, 'other.key');
    assert.ok((await metricKeys()).includes('twice.held'), 'line 2 still holds it');
    assert.ok((await dimensionKeys()).includes('twice_dim'));
    await change(h, uri, 1, 0, 'twice.held,twice_dim'.length, 'other.key,other_dim');
    assert.ok(!(await metricKeys()).includes('twice.held'));
    const dimensions = await dimensionKeys();
    assert.ok(
      dimensions.includes('twice_dim') && dimensions.includes('other_dim'),
      `line 1 holds twice_dim, line 2 other_dim: ${dimensions.join(' ')}`,
    );
    await h.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  });

  test('the server watches .dtmetrics files; a file changed on disk offers its new keys only, a deleted one none', async () => {
    await until('the file watcher registered', () =>
      h.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles') ? true : undefined,
    );
    const watchers = h.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles')?.registerOptions as {
      watchers: { globPattern: string }[];
    };
    assert.deepEqual(
      watchers.watchers.map((w) => w.globPattern),
      ['**/*.dtmetrics'],
    );
    await until('the folder scanned', async () => ((await metricKeys()).includes('disk.before') ? true : undefined));
    const uri = pathToFileURL(onDisk).href;
    writeFileSync(onDisk, 'disk.after 1\n');
    await h.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri, type: FileChangeType.Changed }],
    });
    const metrics = await until('the changed file read', async () => {
      const keys = await metricKeys();
      return keys.includes('disk.after') ? keys : undefined;
    });
    assert.ok(!metrics.includes('disk.before'), metrics.join(' '));
    assert.ok(!(await dimensionKeys()).includes('disk_dim'));
    unlinkSync(onDisk);
    await h.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri, type: FileChangeType.Deleted }],
    });
    await until('the deleted file forgotten', async () =>
      (await metricKeys()).includes('disk.after') ? undefined : true,
    );
  });
});

describe('language server, bad input', () => {
  let h: Harness;
  before(async () => (h = await start(true)));
  after(async () => assert.equal(await stop(h), 0, 'the server survived every bad input and exits cleanly'));

  test('a 50 MB document: capped diagnostics, and the server still answers', async () => {
    const line =
      'http.server.request.duration,service=checkout,endpoint="/api/v1/cart/{id}",method=GET gauge,min=1,max=2,sum=3,count=2';
    const bad = 'http.server.request.duration,Service=checkout gauge,5';
    const lines: string[] = [];
    for (let bytes = 0; bytes < 50_000_000; bytes += line.length + 1) lines.push(lines.length % 100 === 0 ? bad : line);
    const uri = await open(h, lines.join('\n'));
    const ds = await pulled(h, uri);
    assert.equal(ds.length, 1001, 'the default cap of 1,000 and its note');
    assert.ok(
      ds
        .slice(0, 1000)
        .every((d) => d.code === 'DK001' || d.code === 'MK012' || d.code === 'LN002' || d.code === 'LN003'),
      codes(ds.slice(0, 5)).join(' '),
    );
    const symbols = (await h.connection.sendRequest('textDocument/documentSymbol', {
      textDocument: { uri },
    })) as DocumentSymbol[];
    assert.equal(symbols[0]?.name, 'http.server.request.duration');
  });

  test('a binary file renamed .dtmetrics: findings, no crash', async () => {
    const binary = Array.from({ length: 4096 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join('');
    const uri = await open(h, binary);
    const ds = await pulled(h, uri);
    assert.ok(ds.length > 0 && ds.every((d) => d.range.start.character <= d.range.end.character));
  });

  test('CRLF and mixed line ends: each finding on its own line, at its column', async () => {
    const uri = await open(h, 'ok.metric 5\r\n1bad 5\r\nok.metric 6\rcache.size,cacheM=1 5\nok.metric 7\r\n');
    assert.deepEqual(codes(await pulled(h, uri)), ['DK001@3:16-17', 'MK002@1:0-1']);
  });
});
