/**
 * A journal entry as the ingest inspector's document (core/metrics/journal-document.ts): entry in, text out — the
 * header of comments, the lines whole or filtered; the entries read back from the tenant's JSON, strictly.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  entryDocument,
  metricKeyCounts,
  readJournalAnswer,
  rejectedLineNumbers,
  shortReason,
} from '#core/metrics/journal-document.ts';
import type { JournalEntry } from '#core/metrics/journal.ts';
import { lintText } from '#core/lint.ts';
import { fileDirectives, windowApplies } from '#core/directives.ts';

const entry = (overrides: Partial<JournalEntry> = {}): JournalEntry => ({
  id: 7,
  at: Date.parse('2026-12-04T20:30:01.250Z'),
  endpoint: 'lines',
  client: '127.0.0.1',
  userAgent: 'curl/8.5.0',
  status: 400,
  bytes: 96,
  accepted: 2,
  rejected: 1,
  dropped: 0,
  lines: ['shop.orders,region=eu count,delta=2', 'shop.orders,region=eu count,2', 'shop.carts gauge,3'],
  linesLeftOut: 0,
  problems: [{ line: 2, kind: 'rejected', reason: 'invalid line: count needs delta=' }],
  problemsLeftOut: 0,
  ...overrides,
});

const HEADER = [
  '// POST /api/v2/metrics/ingest at 2026-12-04T20:30:01.250Z',
  '// from 127.0.0.1 (curl/8.5.0), 96 bytes',
  '// Answered 400: 2 accepted, 1 rejected',
];

describe('ingest inspector documents', () => {
  const cases: { name: string; entry: JournalEntry; filter?: Parameters<typeof entryDocument>[1]; text: string[] }[] = [
    { name: 'all lines under the header', entry: entry(), text: [...HEADER, ...entry().lines, ''] },
    {
      name: 'only the rejected lines',
      entry: entry(),
      filter: { kind: 'rejected' },
      text: [...HEADER, '// Only the 1 rejected line', 'shop.orders,region=eu count,2', ''],
    },
    {
      name: 'only the rejected lines the answer lists, of more',
      entry: entry({ rejected: 150 }),
      filter: { kind: 'rejected' },
      text: [
        HEADER[0] as string,
        HEADER[1] as string,
        '// Answered 400: 2 accepted, 150 rejected',
        '// Only the 1 rejected line (of 150: the answer lists the first)',
        'shop.orders,region=eu count,2',
        '',
      ],
    },
    {
      name: "one metric's lines",
      entry: entry(),
      filter: { kind: 'metric', key: 'shop.carts' },
      text: [...HEADER, '// Only the 1 line of shop.carts', 'shop.carts gauge,3', ''],
    },
    {
      name: "a carriage return inside a line (the tenant's line, an editor's two) shown as ␍; a key holding one stays on its comment line",
      entry: entry({ rejected: 0, problems: [], lines: ['a.b\rinjected.metric 1', 'c.d 2'] }),
      filter: { kind: 'metric', key: 'a.b\u240dinjected.metric' },
      text: [
        HEADER[0] as string,
        HEADER[1] as string,
        '// Answered 400: 2 accepted',
        '// Only the 1 line of a.b\u240dinjected.metric',
        '// \u240d stands for a carriage return inside a line (the tenant ends lines at line feeds only)',
        'a.b\u240dinjected.metric 1',
        '',
      ],
    },
    {
      name: 'a StatsD flush: no status, no user agent, line breaks in what a client wrote kept in the comment; taken whole with timestamps: replayed at now',
      entry: entry({
        endpoint: 'statsd',
        status: 0,
        client: 'StatsD over UDP',
        userAgent: null,
        accepted: 1,
        rejected: 0,
        dropped: 1,
        lines: ['jobs.done count,delta=1 1796420664059'],
        problems: [{ line: 0, kind: 'dropped', reason: "'bad\nline': not a datagram" }],
      }),
      text: [
        '// dtmetrics: timestamps=rebase',
        '//   (taken as sent: its timestamps read as now when linted or pushed)',
        '// StatsD flush (UDP) at 2026-12-04T20:30:01.250Z',
        '// from StatsD over UDP (no user agent), 96 bytes',
        '// Stored: 1 accepted, 1 dropped',
        "//   dropped: 'bad line': not a datagram",
        'jobs.done count,delta=1 1796420664059',
        '',
      ],
    },
    {
      name: "problems of no line past ten and lines the journal did not keep, counted; a line's problem is its diagnostic",
      entry: entry({
        lines: ['a.b 1'],
        linesLeftOut: 1500,
        problems: [
          { line: 1, kind: 'rejected', reason: 'not in the header' },
          ...Array.from({ length: 11 }, (_, i) => ({ line: 0, kind: 'dropped' as const, reason: `'m${i}': r` })),
        ],
      }),
      text: [
        ...HEADER,
        ...Array.from({ length: 10 }, (_, i) => `//   dropped: 'm${i}': r`),
        '//   … and 1 more',
        '// 1,500 more lines not kept (the journal keeps the first of a request)',
        'a.b 1',
        '',
      ],
    },
  ];
  for (const { name, entry: given, filter, text } of cases)
    it(name, () => {
      const document = entryDocument(given, filter);
      assert.equal(document.text, text.join('\n'));
      assert.equal(text[document.firstLine - 1]?.startsWith('//'), true);
      if (document.lineCount > 0) assert.notEqual(text[document.firstLine]?.startsWith('//'), true);
    });

  it('lints an entry taken whole with the findings of its lines alone, however late it is read', () => {
    const flush = entry({ rejected: 0, problems: [], lines: ['queue.size gauge,4 1796420664059'] });
    const { text } = entryDocument(flush);
    // As the editor and `lint` read a file: its directives say whether the timestamp window applies.
    const now = windowApplies(fileDirectives(text.split('\n'))) ? 1796420664059 + 86_400_000 : null;
    assert.deepEqual(lintText(text, { now }), []);
  });

  it('the header lints clean: a document has the findings of its lines alone', () => {
    const document = entryDocument(entry({ userAgent: 'x\n{"json": 1}', lines: ['a.b 1'] }));
    assert.deepEqual(lintText(document.text, { now: Date.parse('2026-12-04T20:31:00Z') }), []);
  });

  it("a row's reason: the tenant's words without the line they are about", () => {
    const tenant =
      "invalid line in message 'a.b count,2'; error at '2'  (index 10): A count needs `delta=`: write `count,delta=2`.";
    assert.equal(shortReason(tenant), 'index 10: A count needs `delta=`: write `count,delta=2`.');
    assert.equal(
      shortReason("'jvm.gc': UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM"),
      "'jvm.gc': UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM",
    );
  });

  it('the rejected line numbers and the metric keys, most lines first', () => {
    assert.deepEqual([...rejectedLineNumbers(entry())], [2]);
    assert.deepEqual(metricKeyCounts(entry()), [
      { key: 'shop.orders', lines: 2 },
      { key: 'shop.carts', lines: 1 },
    ]);
  });

  it('reads a journal answer, and nothing of an answer that is not one', () => {
    const good = JSON.parse(JSON.stringify({ instance: 'i1', entries: [entry()] })) as unknown;
    assert.deepEqual(readJournalAnswer(good), { instance: 'i1', entries: [entry()] });
    assert.equal(readJournalAnswer({ instance: 'i1', entries: [{ ...entry(), endpoint: 'ftp' }] }), null);
    assert.equal(readJournalAnswer({ instance: 'i1', entries: [{ ...entry(), problems: [{ line: -1 }] }] }), null);
    assert.equal(readJournalAnswer({ entries: [] }), null, 'an answer names its instance');
    assert.equal(readJournalAnswer(null), null);
  });
});
