/**
 * The ingest journal (core/metrics/journal.ts): a ring of the newest entries, each bounded, read from an id on; and
 * the `--tail` text of an entry.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Journal, tailText, type JournalInput } from '#core/metrics/journal.ts';

const request = (overrides: Partial<JournalInput> = {}): JournalInput => ({
  at: Date.parse('2026-12-04T20:30:01.250Z'),
  endpoint: 'lines',
  client: '127.0.0.1',
  userAgent: 'curl/8.5.0',
  status: 202,
  bytes: 42,
  accepted: 1,
  rejected: 0,
  dropped: 0,
  lines: ['cpu.temp 1'],
  problems: [],
  ...overrides,
});

describe('ingest journal', () => {
  it('keeps the newest entries, ids increasing; a reader gets what came after the last it saw', () => {
    const journal = new Journal({ capacity: 3, linesPerEntry: 10, charactersPerEntry: 1000 });
    for (let i = 0; i < 5; i++) journal.add(request({ bytes: i }));
    assert.deepEqual(
      journal.since(0).map((e) => [e.id, e.bytes]),
      [
        [3, 2],
        [4, 3],
        [5, 4],
      ],
    );
    assert.deepEqual(
      journal.since(4).map((e) => e.id),
      [5],
    );
    assert.deepEqual(journal.since(5), []);
  });

  it('bounds the lines and problems an entry keeps, and says how many were left out', () => {
    const journal = new Journal({ capacity: 3, linesPerEntry: 2, charactersPerEntry: 1000 });
    const entry = journal.add(
      request({
        lines: ['a.b 1', 'a.b 2', 'a.b 3'],
        problems: [1, 2, 3, 4].map((line) => ({ line, kind: 'rejected' as const, reason: 'x' })),
      }),
    );
    assert.deepEqual(entry.lines, ['a.b 1', 'a.b 2']);
    assert.equal(entry.linesLeftOut, 1);
    assert.equal(entry.problems.length, 2);
    assert.equal(entry.problemsLeftOut, 2);
  });

  it('bounds the characters an entry keeps: a stream of large requests costs the same as of small ones', () => {
    const journal = new Journal({ capacity: 3, linesPerEntry: 100, charactersPerEntry: 25 });
    const entry = journal.add(
      request({
        lines: ['a'.repeat(10), 'b'.repeat(10), 'c'.repeat(10)],
        problems: [{ line: 1, kind: 'rejected', reason: 'r'.repeat(10) }],
      }),
    );
    assert.deepEqual(
      [entry.lines.length, entry.linesLeftOut, entry.problems.length, entry.problemsLeftOut],
      [2, 1, 0, 1],
    );
  });

  it('an id past the newest (a reader of an earlier start of the tenant) reads everything kept', () => {
    const journal = new Journal();
    journal.add(request());
    assert.deepEqual(
      journal.since(99).map((e) => e.id),
      [1],
    );
  });

  it('--tail: one line per request, its problems indented below', () => {
    const journal = new Journal();
    const entry = journal.add(
      request({
        endpoint: 'otlp',
        status: 200,
        accepted: 3,
        dropped: 2,
        problems: [
          {
            line: 0,
            kind: 'dropped',
            reason: "'jvm.class.unloaded': UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM",
          },
        ],
      }),
    );
    assert.equal(
      tailText(entry),
      "20:30:01.250 otlp 200 from 127.0.0.1 (curl/8.5.0): 42 B, 3 accepted, 2 dropped\n    dropped: 'jvm.class.unloaded': UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM",
    );
    const statsd = journal.add(
      request({
        endpoint: 'statsd',
        status: 0,
        userAgent: null,
        rejected: 1,
        problems: [{ line: 2, kind: 'rejected', reason: 'no value' }],
      }),
    );
    assert.equal(
      tailText(statsd),
      '20:30:01.250 statsd from 127.0.0.1: 42 B, 1 accepted, 1 rejected\n    line 2: rejected: no value',
    );
  });
});
