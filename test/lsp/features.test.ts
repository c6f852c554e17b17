/**
 * The language server's editor features (server/src/lsp/features.ts) in this process, on documents and their lint as
 * the server makes it (DocumentLinter, lspDiagnostic): completion where the cursor is, hover on a finding, a
 * timestamp or a key, and code actions. The same features over JSON-RPC: test/lsp/server.slow.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentLinter } from '#core/document-linter.ts';
import { LineDocument } from '#lsp/documents.ts';
import { codeActions, completions, hover, lspDiagnostic, type LintedDocument } from '#lsp/features.ts';
import { nextTurn } from '#lsp/slices.ts';
import { WorkspaceIndex } from '#lsp/workspace-index.ts';
import { NOW } from '../cli/helpers.ts';

const URI = 'untitled:features';

function lintedDocument(text: string): { doc: LineDocument; linted: LintedDocument } {
  const { diagnostics, keys, hasTimestamps } = new DocumentLinter({}).lint(text, NOW);
  return {
    doc: new LineDocument(URI, 1, text),
    linted: { revision: 0, diagnostics: diagnostics.map(lspDiagnostic), keys, hasTimestamps },
  };
}

const COMPLETION_TEXT = [
  'cpu.load,host=a 1',
  'cpu.load,',
  'cpu.load 1',
  'cpu.load 1 ',
  '#cpu.load gauge dt.meta.unit=',
  '#cpu.load gauge ',
  '// cpu',
  '#cpu.load ',
  '#c',
  'cpu.load,k="a b" 1',
].join('\n');

const PAYLOADS = ['gauge,', 'count,delta=', 'gauge,min=…,max=…,sum=…,count=…'];

/** [what is offered, line, character, the labels offered (all of them, or `some` of them)] */
const COMPLETIONS: Array<[string, number, number, { all: string[] } | { some: string[] }]> = [
  // The document counts as typed: `c` from the half-typed `#c` as well, offered on any line but its own.
  ['metric keys at the start of a line', 1, 0, { all: ['c', 'cpu.load'] }],
  ['dimension keys after a comma', 1, 9, { all: ['host', 'k'] }],
  ['payload forms after the key', 2, 9, { all: PAYLOADS }],
  ['payload forms after a dimension value with a space in quotes', 9, 17, { all: PAYLOADS }],
  ['now after the payload', 3, 11, { all: [String(NOW)] }],
  ['units after dt.meta.unit=', 4, 29, { some: ['Byte', 'MilliSecond', 'Count'] }],
  [
    'metadata properties after the type',
    5,
    16,
    { all: ['dt.meta.displayName=', 'dt.meta.description=', 'dt.meta.unit='] },
  ],
  ['nothing in a comment', 6, 5, { all: [] }],
  ['the types after a metadata key', 7, 10, { all: ['gauge', 'count'] }],
  ['metric keys in a metadata key', 8, 2, { all: ['cpu.load'] }],
];

for (const [what, line, character, expected] of COMPLETIONS) {
  test(`completion: ${what}`, async () => {
    const index = new WorkspaceIndex(nextTurn);
    const doc = new LineDocument(URI, 1, COMPLETION_TEXT);
    index.opened(doc);
    await index.current();
    const items = completions(doc, { line, character }, index, NOW);
    const labels = items.map((item) => item.label);
    if ('all' in expected) assert.deepEqual(labels, expected.all);
    else for (const label of expected.some) assert.ok(labels.includes(label), `${label} in ${labels.join(' ')}`);
    if (what.startsWith('dimension')) assert.deepEqual(items[0]?.insertText, 'host=');
  });
}

const HOVER_TEXT = 'my.metric  1\nmy.metric,a=b 2\nother gauge,3 1000\n';

/** [what the hover shows, line, character, linted first, what its text matches (null: no hover)] */
const HOVERS: Array<[string, number, number, boolean, RegExp[] | null]> = [
  ["a finding's rule, its evidence and documentation", 0, 10, true, [/^\*\*LN004: /, /_Evidence:_/]],
  [
    "a key's type and series in the file",
    1,
    3,
    true,
    [/^`my\.metric`: gauge, 2 series \(distinct dimension tuples\) in this file$/],
  ],
  [
    "a stale timestamp's finding, date and age",
    2,
    15,
    true,
    [/\*\*TS003: /, /1970-01-01 00:00:01 UTC — .* ago; the tenant rejects points older than 1 h\./],
  ],
  ['before the first lint, what the line alone says', 2, 15, false, [/^1970-01-01 00:00:01 UTC — .* ago/]],
  ['nothing on a payload', 1, 15, true, null],
];

for (const [what, line, character, lintedFirst, expected] of HOVERS) {
  test(`hover: ${what}`, () => {
    const { doc, linted } = lintedDocument(HOVER_TEXT);
    const shown = hover(doc, { line, character }, lintedFirst ? linted : undefined, NOW);
    if (expected === null) return assert.equal(shown, null);
    const value = (shown?.contents as { value: string } | undefined)?.value ?? '';
    for (const pattern of expected) assert.match(value, pattern);
  });
}

test('code actions: a fix, fix all of its code, the timestamp actions, and source.fixAll', () => {
  const { doc, linted } = lintedDocument('my.metric  1\nmy.metric,a=b   2\nother gauge,3 1000\nbad key 1\n');
  const onLine = (line: number) => linted.diagnostics.filter((d) => d.range.start.line === line);
  const titles = (line: number, only: string[] = []) =>
    codeActions(doc, { diagnostics: onLine(line), only }, linted, NOW).map((a) => a.title);
  assert.deepEqual(titles(0), ['Use one space', 'Fix all LN004 problems in this file (2)']);
  assert.deepEqual(titles(2), [
    `Replace the timestamp with now: \`${NOW}\``,
    'Remove the timestamp: the tenant stamps the point when it arrives',
  ]);
  assert.deepEqual(titles(3), [], 'MK003 has no one right fix');
  const [fixAll] = codeActions(doc, { diagnostics: [], only: ['source.fixAll'] }, linted, NOW);
  assert.equal(fixAll?.kind, 'source.fixAll.dtmetrics');
  assert.deepEqual(fixAll?.edit?.changes?.[URI], [
    { range: { start: { line: 0, character: 9 }, end: { line: 0, character: 11 } }, newText: ' ' },
    { range: { start: { line: 1, character: 13 }, end: { line: 1, character: 16 } }, newText: ' ' },
  ]);
  const replaced = codeActions(doc, { diagnostics: onLine(2), only: [] }, linted, NOW)[0];
  assert.deepEqual(replaced?.edit?.changes?.[URI], [
    { range: { start: { line: 2, character: 14 }, end: { line: 2, character: 18 } }, newText: String(NOW) },
  ]);
});

test('a timestamp in seconds: one finding (TS002) whose fix converts it; converted but stale, TS003 offers now', () => {
  const seconds = String(Math.floor((NOW - 2 * 86_400_000) / 1000));
  const { doc, linted: before } = lintedDocument(`cpu.load 5 ${seconds}\n`);
  assert.deepEqual(
    before.diagnostics.map((d) => [d.code, d.severity]),
    [['TS002', 1]],
    'one error, no TS003 beside it',
  );
  const convert = codeActions(doc, { diagnostics: before.diagnostics, only: [] }, before, NOW);
  assert.deepEqual(
    convert.map((a) => a.title),
    [`Convert to milliseconds: \`${seconds}000\``],
  );
  const { doc: fixedDoc, linted: after } = lintedDocument(`cpu.load 5 ${seconds}000\n`);
  assert.deepEqual(
    after.diagnostics.map((d) => [d.code, d.message]),
    [
      [
        'TS003',
        `Timestamp ${new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z')} is 2 days old; the tenant rejects points older than 1 h. Update it, or send without a timestamp.`,
      ],
    ],
  );
  const [now, removed] = codeActions(fixedDoc, { diagnostics: after.diagnostics, only: [] }, after, NOW);
  assert.deepEqual(now?.edit?.changes?.[URI], [
    { range: { start: { line: 0, character: 11 }, end: { line: 0, character: 24 } }, newText: String(NOW) },
  ]);
  assert.deepEqual(removed?.edit?.changes?.[URI], [
    { range: { start: { line: 0, character: 10 }, end: { line: 0, character: 24 } }, newText: '' },
  ]);
});
