/**
 * The stats fast path (StatsAnalyzer.addCleanBytes: a clean prefix learnt once, then its key, pairs and tuple
 * reused) and the counting shortcuts are optimisations only: an analyzer offered each line's bytes first must report
 * exactly what an analyzer that parses every line reports, for lines with escapes, quotes, repeated keys, empty
 * values, `.count` keys, timestamps in other units and lines the tenant refuses. Likewise an editor's analysis that
 * keeps an earlier version's line readings (document.ts) and a fresh one, and several sources read by their bytes
 * (SourcesStats.readBytes, a workspace's files) and by their decoded text (SourcesStats.read, open documents).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { StatsAnalyzer, type StatsOptions } from '#core/stats/analysis.ts';
import { DistinctBudget, HashSet53 } from '#core/stats/distinct.ts';
import { documentStats, SourcesStats, type DocumentStats } from '#core/stats/document.ts';
import { COST } from '#core/rules.ts';
import { splitLines } from '#core/text.ts';

const encoder = new TextEncoder();
const OPTIONS: StatsOptions = { intervalMs: 60_000, pricePerPoint: 0.0000015 };
const NOW = 1_767_225_600_000;

/** Reads `lines` both ways, each analyzer in a budget of `entries`; returns how many lines the fast path took. */
function assertSameReports(lines: readonly string[], entries: number): number {
  const withBytes = new StatsAnalyzer(new DistinctBudget(entries));
  const textOnly = new StatsAnalyzer(new DistinctBudget(entries));
  let fast = 0;
  for (const line of lines) {
    const bytes = encoder.encode(line);
    if (withBytes.addCleanBytes(bytes, 0, bytes.length) !== false) fast++;
    else withBytes.addLine(line, bytes);
    textOnly.addLine(line);
  }
  assert.deepEqual(withBytes.report(OPTIONS), textOnly.report(OPTIONS), lines.join('\n'));
  return fast;
}

const number = fc.oneof(
  { arbitrary: fc.integer({ min: -1000, max: 1000 }).map(String), weight: 4 },
  fc.constantFrom('0', '-0', '1.5', '007', '1e5', 'NaN', '1234567890123456'),
);
const payload = fc.oneof(
  number,
  number.map((n) => `gauge,${n}`),
  number.map((n) => `count,delta=${n}`),
  number.map((n) => `count,${n}`),
  fc.constantFrom(
    'gauge,min=1,max=3,sum=4,count=2',
    'gauge,min=3,max=1,sum=4,count=2',
    'gauge,min=1,max=2,sum=3,count=2.0',
  ),
);
/** Minutes apart, within a minute, seconds (TS002), a 12-digit 1973 (not ms to the rules), malformed, none. */
const timestamp = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 30 }).map((m) => String(NOW + m * 60_000 + (m % 7) * 1000)), weight: 6 },
  { arbitrary: fc.constant(''), weight: 4 },
  fc.constantFrom(String(NOW / 1000), '100000000000', '099999999999', '1767225600000000', '17672256x0000'),
);
const value = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'a',
      'b',
      'GET',
      '',
      '""',
      '"a b"',
      '"x,y=z"',
      '"q\\"uote"',
      'sp\\ ace',
      'c\\,omma',
      'ö',
    ),
    weight: 8,
  },
  fc.constantFrom('a"b', 'a=b', '\\x', '"\u0001"', '"unclosed', '😀'),
  fc.string({ unit: 'grapheme', minLength: 0, maxLength: 4 }),
);
const dimensionKey = fc.oneof(
  { arbitrary: fc.constantFrom('host', 'service', 'method', 'status'), weight: 8 },
  fc.constantFrom('dt.entity.host', 'Host', '1x', 'a..b'),
);
// Up to six pairs from few keys: repeated keys are common.
const dimensions = fc
  .array(fc.tuple(dimensionKey, value), { maxLength: 6 })
  .map((pairs) => pairs.map(([k, v]) => `,${k}=${v}`).join(''));
const metricKey = fc.oneof(
  { arbitrary: fc.constantFrom('http.requests', 'jobs.count', 'jobs_count', 'cpu.temp', 'my-metric'), weight: 8 },
  fc.constantFrom('dt.x', 'a.1b', 'x', 'Á.b', ''),
);
const prefix = fc.tuple(metricKey, dimensions).map(([k, d]) => k + d);
const ending = fc.tuple(payload, timestamp).map(([p, t]) => ` ${p}${t ? ' ' + t : ''}`);

test('stats: the fast path and the full parser give the same report on random inputs with repeated series', () => {
  let fast = 0;
  fc.assert(
    fc.property(
      fc.array(prefix, { minLength: 1, maxLength: 8 }),
      fc.array(fc.tuple(fc.nat(), ending), { minLength: 20, maxLength: 80, size: 'max' }),
      fc.constantFrom(COST.exactEntries.value, 400),
      (prefixes, picks, entries) => {
        // Few prefixes, many endings: the fast path learns a prefix, then meets it again with other payloads.
        const lines = picks.map(([i, end]) => (prefixes[i % prefixes.length] as string) + end);
        fast += assertSameReports(lines, entries);
      },
    ),
    { numRuns: 800 },
  );
  assert.ok(fast > 3000, `the fast path took only ${fast} lines: the test would not see it disagree`);
});

test('stats: the fast path and the full parser agree past the exact bounds (estimated counts)', () => {
  const lines: string[] = [];
  for (let i = 0; i < 30_000; i++) {
    const minute = NOW + (i % 40) * 60_000;
    lines.push(`big.metric,id=v${i % 12_000},zone=z${i % 3} gauge,1 ${minute}`);
    lines.push(`big.count,id=v${i % 700},status=${i % 5} count,delta=1`);
  }
  const fast = assertSameReports(lines, 20_000);
  assert.ok(fast > 30_000, `the fast path took only ${fast} lines`);
});

interface Drawn {
  metric: string;
  /** Pairs as written: keys may repeat, values may be empty. */
  pairs: Array<[string, string]>;
  minute: number | null;
}

/** The figures by definition (module comment of analysis.ts), from sets of canonical tuples: no hashes, no shortcuts. */
function expectedFigures(lines: readonly Drawn[]) {
  const byMetric = new Map<string, { tuples: Set<string>; points: Set<string>; kept: Array<Map<string, string>> }>();
  for (const { metric, pairs, minute } of lines) {
    const kept = new Map<string, string>();
    for (const [k, v] of pairs) if (v !== '' && !kept.has(k)) kept.set(k, v);
    const tuple = JSON.stringify([...kept].sort());
    let m = byMetric.get(metric);
    if (m === undefined) byMetric.set(metric, (m = { tuples: new Set(), points: new Set(), kept: [] }));
    m.tuples.add(tuple);
    m.points.add(`${tuple}@${minute ?? 'untimed'}`);
    m.kept.push(kept);
  }
  return [...byMetric].map(([key, m]) => {
    const keys = new Set(m.kept.flatMap((kept) => [...kept.keys()]));
    const dimensions = [...keys].sort().map((k) => {
      const without = new Set(m.kept.map((kept) => JSON.stringify([...kept].filter(([key]) => key !== k).sort())));
      const values = new Set(m.kept.flatMap((kept) => (kept.has(k) ? [kept.get(k)] : [])));
      return { key: k, values: values.size, multiplier: Math.max(1, m.tuples.size / without.size) };
    });
    return { key, series: m.tuples.size, points: m.points.size, dimensions };
  });
}

test('stats: series, points, values and multipliers are the figures by definition (counting shortcuts)', () => {
  const drawn = fc.record({
    metric: fc.constantFrom('a.b', 'c.d'),
    pairs: fc.array(fc.tuple(fc.constantFrom('host', 'pod', 'zone', 'status'), fc.constantFrom('', '1', '2', 'x')), {
      maxLength: 5,
    }),
    minute: fc.option(fc.integer({ min: 0, max: 4 })),
  });
  fc.assert(
    fc.property(fc.array(drawn, { minLength: 1, maxLength: 60 }), (lines) => {
      const analyzer = new StatsAnalyzer();
      for (const { metric, pairs, minute } of lines) {
        const text = metric + pairs.map(([k, v]) => `,${k}=${v}`).join('') + ' 1';
        const line = minute === null ? text : `${text} ${NOW + minute * 60_000}`;
        const bytes = encoder.encode(line);
        if (analyzer.addCleanBytes(bytes, 0, bytes.length) === false) analyzer.addLine(line, bytes);
      }
      const got = analyzer.report(OPTIONS).metrics.map((m) => ({
        key: m.key,
        series: m.series,
        points: m.points,
        dimensions: m.dimensions
          .map((d) => ({ key: d.key, values: d.values, multiplier: d.multiplier }))
          .sort((x, y) => (x.key < y.key ? -1 : 1)),
      }));
      assert.deepEqual(
        got.sort((x, y) => (x.key < y.key ? -1 : 1)),
        expectedFigures(lines).sort((x, y) => (x.key < y.key ? -1 : 1)),
      );
    }),
    { numRuns: 500 },
  );
});

test('stats: past its exact bound a key counts a later line of a series seen before as a new value', () => {
  // More values than COST keeps exactly in the opening minute, then the same series again: each later line's value
  // cannot be told seen, so most later lines bring "new" values (volatile: new-values), as without the shortcut.
  const analyzer = new StatsAnalyzer();
  const values = COST.exactValuesPerDimension.value + 10;
  for (const minute of [0, 1, 2])
    for (let i = 0; i < values; i++) analyzer.addLine(`a.b,word=w${i} 1 ${NOW + minute * 60_000}`);
  const word = analyzer.report(OPTIONS).metrics[0]?.dimensions[0];
  assert.equal(word?.key, 'word');
  assert.equal(word.volatile?.reason, 'new-values');
});

test("stats: a document analysis that keeps an earlier version's line readings equals a fresh one", () => {
  const analyse = (lines: readonly string[], previous?: DocumentStats): DocumentStats => {
    const steps = documentStats((i) => lines[i] as string, lines.length, OPTIONS, previous);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  };
  const comparable = (stats: DocumentStats) => ({ ...stats, readings: undefined });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(prefix, ending), { minLength: 1, maxLength: 40 }),
      fc.array(fc.tuple(fc.nat(), prefix, ending), { maxLength: 5 }),
      (drawn, edits) => {
        const before = drawn.map(([p, e]) => p + e);
        const after = [...before];
        for (const [at, p, e] of edits) after[at % after.length] = p + e;
        assert.deepEqual(comparable(analyse(after, analyse(before))), comparable(analyse(after)));
      },
    ),
    { numRuns: 300 },
  );
});

test('stats: HashSet53 holds what a Set of the same hashes holds (0, 2^53 − 1, sequential minutes, random)', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.constantFrom(0, 1, 2 ** 32, 2 ** 53 - 1),
          fc.integer({ min: 29_000_000, max: 29_000_400 }),
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        ),
        { maxLength: 300 },
      ),
      (hashes) => {
        const set = new HashSet53();
        const reference = new Set<number>();
        for (const hash of hashes) {
          assert.equal(set.has(hash), reference.has(hash));
          if (!reference.has(hash)) set.add(hash);
          reference.add(hash);
        }
        assert.equal(set.size, reference.size);
        assert.deepEqual(
          [...set].sort((a, b) => a - b),
          [...reference].sort((a, b) => a - b),
        );
      },
    ),
  );
});

/** Runs a source's steps to the end. */
function drain(steps: Generator<void, void>): void {
  while (!steps.next().done);
}

/** Files' bytes read both ways (SourcesStats.readBytes; decoded as an editor decodes them and read as lines). */
function assertSameSources(files: readonly Uint8Array[]): void {
  const byBytes = new SourcesStats();
  const byText = new SourcesStats();
  for (const bytes of files) {
    drain(byBytes.readBytes(bytes));
    // As the language server reads an open document's text: a final line break ends the last line.
    const lines = [...splitLines(new TextDecoder().decode(bytes))];
    if (lines.at(-1) === '') lines.pop();
    drain(byText.read((i) => lines[i] as string, lines.length));
  }
  const shown = files.map((bytes) => JSON.stringify(new TextDecoder().decode(bytes))).join('\n');
  assert.deepEqual(byBytes.report(OPTIONS), byText.report(OPTIONS), shown);
  assert.deepEqual(byBytes.firstPlaces, byText.firstPlaces, shown);
}

/** Bytes that are not UTF-8 (a lone continuation, a cut sequence, 0xFF) and a U+FEFF inside a line. */
const oddBytes = fc.constantFrom([0x80], [0xc3], [0xe2, 0x82], [0xff], [0xef, 0xbb, 0xbf]);
const lineBreak = fc.constantFrom('\n', '\n', '\n', '\r\n', '\r');

test('stats: sources read by their bytes give the report and first places of their decoded lines', () => {
  const file = fc
    .record({
      bom: fc.boolean(),
      lines: fc.array(fc.tuple(fc.nat(), ending, lineBreak, fc.option(fc.tuple(oddBytes, fc.nat()), { freq: 8 })), {
        maxLength: 40,
      }),
      prefixes: fc.array(prefix, { minLength: 1, maxLength: 6 }),
      lastBreak: fc.boolean(),
    })
    .map(({ bom, lines, prefixes, lastBreak }) => {
      const parts: number[] = bom ? [0xef, 0xbb, 0xbf] : [];
      lines.forEach(([pick, end, br, odd], i) => {
        const line = [...encoder.encode((prefixes[pick % prefixes.length] as string) + end)];
        if (odd !== null) line.splice(odd[1] % (line.length + 1), 0, ...odd[0]);
        parts.push(...line, ...(i < lines.length - 1 || lastBreak ? encoder.encode(br) : []));
      });
      return Uint8Array.from(parts);
    });
  fc.assert(
    fc.property(fc.array(file, { minLength: 1, maxLength: 3 }), (files) => assertSameSources(files)),
    { numRuns: 500 },
  );
});

test('stats: the rule fixtures read by their bytes give the report and first places of their decoded lines', () => {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'rules');
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.dtmetrics'))
    .sort()
    .map((name) => readFileSync(join(dir, name)));
  assert.ok(files.length > 20, `only ${files.length} rule fixtures`);
  assertSameSources(files);
  // Each alone as well: first places are then each file's own.
  for (const bytes of files) assertSameSources([bytes]);
});
