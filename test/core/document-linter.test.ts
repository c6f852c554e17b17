/**
 * The editor's incremental linter (server/src/core/document-linter.ts) is an optimisation only: after any edit,
 * what it reports for the new text must be exactly what linting the text from scratch reports; and it must
 * really reuse, parsing only the lines an edit touched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DocumentLinter, type LineChange } from '#core/document-linter.ts';
import { FileLinter, lintText, type LintOptions } from '#core/lint.ts';
import type { RuleCode } from '#core/rules.ts';
import { splitLines } from '#core/text.ts';
import { Rng } from '../../bench/rng.ts';
import { FIXTURE_DIR, FIXTURE_NOW, readFixture, withoutExpectations } from './fixture-format.ts';

const NOW = FIXTURE_NOW;
/** Small limits, so that request splits, cardinality and key caps happen in short texts and move with edits. */
const SMALL: LintOptions['limits'] = {
  cardinalityBudget: 3,
  linesPerRequest: 6,
  requestMaxBytes: 400,
  metricKeysPerEnvironment: 4,
};

const line = fc.oneof(
  fc.constantFrom(
    'cpu.temp,host=a gauge,17 1732300000000',
    'cpu.temp,host=b gauge,min=1,max=2,sum=3,count=2 1732300000000',
    'cpu.temp,host=c count,delta=4',
    'jobs.done,queue=x count,5',
    'jobs.done.count,queue=y count,delta=1 1732299000',
    'Bad.Key,Host=a gauge,1 1',
    '#cpu.temp gauge dt.meta.unit=Celsius',
    '#cpu.temp gauge dt.meta.displayName="CPU"',
    '// a comment',
    '',
    'x,a="unterminated gauge,1',
    'late,host=a gauge,1 1700000000000',
  ),
  fc.string({ maxLength: 30 }),
);

/** One edit of a text: replace [from, from + length) with `insert`, positions taken modulo the text's length. */
const edit = fc.record({
  from: fc.nat(),
  length: fc.nat({ max: 40 }),
  insert: fc.oneof(
    fc.constantFrom('', '\n', '\r\n', '\r', 'x', ' ', ',', '=', '"', 'gauge,1', '\n// c\n', 'k,d=v count,delta=1\n'),
    line,
  ),
  now: fc.constantFrom(NOW, NOW + 3_600_000, NOW - 86_400_000, null),
});

function applyEdit(text: string, e: { from: number; length: number; insert: string }): string {
  const from = text.length === 0 ? 0 : e.from % (text.length + 1);
  return text.slice(0, from) + e.insert + text.slice(Math.min(text.length, from + e.length));
}

test('after any sequence of edits, the incremental lint equals a lint from scratch', () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), fc.array(edit, { minLength: 1, maxLength: 25 }), (lines, edits) => {
      let text = lines.join('\n');
      const options = { limits: SMALL };
      const linter = new DocumentLinter(options);
      assert.deepEqual(linter.lint(text, NOW).diagnostics, lintText(text, { ...options, now: NOW }));
      for (const e of edits) {
        text = applyEdit(text, e);
        const got = linter.lint(text, e.now);
        assert.deepEqual(got.diagnostics, lintText(text, { ...options, now: e.now }), JSON.stringify(text));
        // Against a clock far before every timestamp, each well-formed one is out of the window (TS002 says so for
        // one in another unit).
        const timestamped = lintText(text, { ...options, now: -1e16 }).some(
          (d) => d.code === 'TS003' || (d.code === 'TS002' && d.severity === 'error'),
        );
        assert.equal(got.hasTimestamps, e.now !== null && timestamped);
      }
    }),
    { numRuns: 250 },
  );
});

/**
 * Documents and edits made to keep every file-level rule busy: few keys and tuples (cardinality), both payload types
 * on a key and `.count` keys (types, suffixes), repeated metadata, long lines and many of them (request limits),
 * timestamps around the window, JSON spread over lines between comments (LN007), refused lines.
 */
const KEYS = ['cpu.temp', 'jobs.done', 'jobs.done.count', 'queue.len_count', 'disk.used', 'net.rx'];
const DIMENSIONS = ['host=a', 'host=b', 'host=c', 'region=x', 'region=y', 'pod=p1', 'pod=p2'];

function randomLine(r: Rng): string {
  const kind = r.int(100);
  if (kind < 8) return r.pick(['', '// a comment', '   ', '# not metadata?']);
  if (kind < 18) {
    const key = r.pick(KEYS);
    return `#${key} ${r.pick(['gauge', 'count', 'gauge', 'count', 'bogus'])} dt.meta.unit=${r.pick(['Byte', 'Count'])}`;
  }
  if (kind < 26) return r.pick(['{', '"metric": "cpu.temp",', '"value": 1', '}', '[{"metric": "a", "value": 1}]']);
  if (kind < 31)
    return r.pick(['Bad Key gauge,1', 'cpu_load{host="a"} 1', 'cpu,host=a value=1 1732300000000000000', 'x:1|c']);
  const key = r.pick(KEYS);
  const dims = Array.from({ length: r.int(3) }, () => r.pick(DIMENSIONS));
  const payload = r.pick(['gauge,1', 'gauge,min=1,max=2,sum=3,count=2', 'count,delta=4', 'count,5', '7', 'gauge,x']);
  const timestamp = r.pick([
    '',
    '',
    ` ${FIXTURE_NOW - r.int(50) * 60_000}`,
    ` ${FIXTURE_NOW - 2 * 3_600_000 - r.int(3) * 60_000}`,
    ` ${FIXTURE_NOW + 3_600_000}`,
    ` ${Math.floor(FIXTURE_NOW / 1000)}`,
    ' 17323x',
  ]);
  const padding = r.chance(0.1) ? `,note=${'n'.repeat(r.between(40, 120))}` : '';
  return [key, ...dims].join(',') + padding + ` ${payload}${timestamp}`;
}

const randomLines = (r: Rng, count: number): string[] => Array.from({ length: count }, () => randomLine(r));

/** An edit of `text`: mostly small, now and then whole blocks of lines or the whole text. */
function randomEdit(r: Rng, text: string): string {
  const kind = r.int(100);
  if (kind < 3) return randomLines(r, r.between(0, 300)).join('\n');
  const lines = text.split('\n');
  if (kind < 15) {
    // A block of lines removed, replaced or pasted.
    const from = r.int(lines.length + 1);
    const count = r.chance(0.3) ? r.int(lines.length - from + 1) : r.int(Math.min(8, lines.length - from) + 1);
    lines.splice(from, count, ...randomLines(r, r.chance(0.5) ? r.int(4) : r.int(120)));
    return lines.join(r.chance(0.1) ? '\r\n' : '\n');
  }
  if (kind < 22) {
    // Lines here and there changed in place, none added or removed (typing on several lines between two lints).
    for (let n = r.between(2, 6); n > 0 && lines.length > 0; n--) lines[r.int(lines.length)] = randomLine(r);
    return lines.join('\n');
  }
  const from = r.int(text.length + 1);
  const length = r.chance(0.6) ? 0 : r.int(30);
  const insert = r.pick(['', 'x', ' ', ',', '=', '.count', '\n', '\r\n', '\n// c\n', '{', `\n${randomLine(r)}`]);
  return text.slice(0, from) + insert + text.slice(from + length);
}

/** What a linter from scratch says of each key. */
function keySummaries(text: string, options: LintOptions): unknown[] {
  const linter = new FileLinter(options);
  let index = 0;
  for (const line of splitLines(text)) linter.lintLine(index++, line);
  return KEYS.map((key) => linter.keySummary(key));
}

/** The file-level codes, each of which the sequences below must move. */
const FILE_LEVEL: RuleCode[] = ['LN002', 'LN003', 'LN007', 'TS003', 'MD005', 'MK010', 'MK011', 'MK012', 'MK013'];

test('random edit sequences (seeded) that move every file-level finding: the incremental lint equals a lint from scratch', () => {
  const r = new Rng(20261204);
  const moved = new Map<RuleCode, number>(FILE_LEVEL.map((code) => [code, 0]));
  const linesOf = (diagnostics: { line: number; code: RuleCode }[], code: RuleCode) =>
    diagnostics
      .filter((d) => d.code === code)
      .map((d) => d.line)
      .join();
  for (let sequence = 0; sequence < 30; sequence++) {
    // Below the key cap most of the time (the incremental checks); past it now and then (the whole-file pass).
    const limits = {
      cardinalityBudget: r.between(1, 4),
      linesPerRequest: r.between(3, 40),
      requestMaxBytes: r.between(200, 3000),
      metricKeysPerEnvironment: r.chance(0.3) ? r.between(2, 5) : 50,
    };
    const severities: LintOptions['severities'] = r.chance(0.2) ? { LN007: 'off', MK010: 'off' } : {};
    const linter = new DocumentLinter({ limits, severities });
    let text = randomLines(r, sequence % 20 === 7 ? r.between(1001, 1200) : r.between(0, 80)).join('\n');
    let before: { line: number; code: RuleCode }[] = [];
    for (let edit = 0; edit < 20; edit++) {
      if (edit > 0) text = randomEdit(r, text);
      const now = r.pick([
        FIXTURE_NOW,
        FIXTURE_NOW + 1_800_000,
        FIXTURE_NOW - 3_600_000,
        FIXTURE_NOW + 5 * 3_600_000,
        null,
      ]);
      const options: LintOptions = { limits, severities, now };
      const got = linter.lint(text, now);
      const expected = lintText(text, options);
      assert.deepEqual(got.diagnostics, expected, `sequence ${sequence}, edit ${edit}: ${JSON.stringify(text)}`);
      assert.deepEqual(
        KEYS.map((key) => got.keys.keySummary(key)),
        keySummaries(text, options),
        `key summaries, sequence ${sequence}, edit ${edit}`,
      );
      // Against a clock far off, every well-formed timestamp is out of the window: TS003, or TS002 in another unit.
      const timestamped = lintText(text, { ...options, now: -1e16 }).some(
        (d) => d.code === 'TS003' || d.code === 'TS002',
      );
      assert.equal(got.hasTimestamps, now !== null && timestamped);
      assert.equal(got.count, expected.length);
      // Capped, as the editor asks: the first `shown`, and the count of all.
      const shown = r.int(expected.length + 2);
      const steps = linter.steps([], now, shown);
      let capped = steps.next();
      while (!capped.done) capped = steps.next();
      assert.deepEqual(capped.value.diagnostics.slice(0, shown), expected.slice(0, shown), `the first ${shown}`);
      assert.ok(capped.value.diagnostics.length < shown + 20, 'not many more made than shown');
      assert.equal(capped.value.count, expected.length);
      for (const code of FILE_LEVEL)
        if (linesOf(expected, code) !== linesOf(before, code)) moved.set(code, (moved.get(code) as number) + 1);
      before = expected;
    }
  }
  for (const [code, count] of moved) assert.ok(count >= 10, `${code} moved after only ${count} edits`);
});

test('every rule fixture: the same findings incrementally, line by line removed and put back', () => {
  for (const file of readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.dtmetrics'))) {
    const text = withoutExpectations(readFileSync(join(FIXTURE_DIR, file), 'utf8'));
    const { options } = readFixture(text);
    const { now, ...rest } = options;
    const linter = new DocumentLinter(rest);
    assert.deepEqual(linter.lint(text, now).diagnostics, lintText(text, options), file);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const without = [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n');
      assert.deepEqual(
        linter.lint(without, now).diagnostics,
        lintText(without, options),
        `${file} without line ${i + 1}`,
      );
      assert.deepEqual(linter.lint(text, now).diagnostics, lintText(text, options), `${file}, line ${i + 1} back`);
    }
  }
});

test('an edit parses only the lines it touched', () => {
  const lines = Array.from(
    { length: 1000 },
    (_, i) => `svc.latency,svc=s${i % 17},route=/r${i} gauge,${i} 1732300000000`,
  );
  const linter = new DocumentLinter({});
  assert.equal(linter.lint(lines.join('\n'), NOW).parsedLines, 1000);
  assert.equal(linter.lint(lines.join('\n'), NOW).parsedLines, 0, 'the same text again');
  lines[500] = String(lines[500]).replace('gauge,500', 'gauge,5x00');
  const edited = linter.lint(lines.join('\n'), NOW);
  assert.equal(edited.parsedLines, 1, 'a one-character edit');
  assert.deepEqual(
    edited.diagnostics.map((d) => [d.line, d.code]),
    [[500, 'NU004']],
  );
  lines.splice(200, 0, 'new.metric gauge,1');
  assert.equal(linter.lint(lines.join('\n'), NOW).parsedLines, 1, 'an inserted line');
  assert.equal(linter.lint(lines.join('\r\n'), NOW).parsedLines, 0, 'CRLF line ends instead of LF: the same lines');
  assert.equal(linter.lint(lines.join('\n'), NOW).parsedLines, 0);
  lines.splice(200, 1);
  assert.equal(linter.lint(lines.join('\n'), NOW).parsedLines, 0, 'a removed line');
});

test('changes apart from each other, some adding or removing lines, all at once', () => {
  const lines = Array.from({ length: 40 }, (_, i) => `svc.latency,svc=s${i % 3} gauge,${i}`);
  const linter = new DocumentLinter({ limits: { cardinalityBudget: 2 } });
  const run = (changes: LineChange[]) => {
    const steps = linter.steps(changes, NOW);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  };
  run([{ from: 0, removed: 0, lines }]);
  const changes: LineChange[] = [
    { from: 2, removed: 1, lines: ['svc.latency,svc=s1 count,delta=1'] },
    { from: 10, removed: 3, lines: [] },
    { from: 20, removed: 0, lines: ['#svc.latency gauge dt.meta.unit=Count', '#svc.latency gauge dt.meta.unit=Byte'] },
    { from: 39, removed: 1, lines: ['svc.latency,svc=s9 gauge,1', 'Bad Key gauge,1'] },
  ];
  const expected = [...lines];
  for (const { from, removed, lines: added } of [...changes].reverse()) expected.splice(from, removed, ...added);
  const got = run(changes);
  assert.equal(got.parsedLines, 5);
  assert.deepEqual(got.diagnostics, lintText(expected.join('\n'), { limits: { cardinalityBudget: 2 }, now: NOW }));
});

test('in steps: the same result; stopped while parsing nothing is kept, stopped later the facts are', () => {
  const lines = Array.from(
    { length: 3000 },
    (_, i) => `svc.latency,svc=s${i % 17},route=/r${i} gauge,${i} 1732300000000`,
  );
  const linter = new DocumentLinter({});
  /** A version given whole, as the change from the one before: the linter finds the lines that differ. */
  const lineChange = (old: readonly string[], lines: readonly string[]): LineChange[] => [
    { from: 0, removed: old.length, lines },
  ];
  const whole = (changes: LineChange[]) => {
    const steps = linter.steps(changes, NOW);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  };
  const steps = linter.steps([{ from: 0, removed: 0, lines }], NOW);
  const kinds: string[] = [];
  let step = steps.next();
  for (; !step.done; step = steps.next()) kinds.push(step.value);
  assert.deepEqual(step.value.diagnostics, lintText(lines.join('\n'), { now: NOW }));
  assert.deepEqual(
    kinds,
    [...Array<string>(6).fill('facts'), ...Array<string>(6).fill('checks')],
    'steps of 500 lines, parsing first; no finding, no step to make them',
  );
  const edited = lines.map((line, i) => (i % 3 === 0 ? line.replace('gauge', 'Gauge') : line));
  const stoppedParsing = linter.steps(lineChange(lines, edited), NOW);
  assert.equal(stoppedParsing.next().value, 'facts');
  stoppedParsing.return(undefined as never);
  const unchanged = whole(lineChange(lines, lines));
  assert.equal(unchanged.parsedLines, 0);
  assert.deepEqual(
    unchanged.diagnostics,
    lintText(lines.join('\n'), { now: NOW }),
    "stopped while parsing: the last version's facts stand",
  );
  const everyFifth = lines.map((line, i) => (i % 5 === 0 ? line.replace('gauge', 'Gauge') : line));
  let current = lines;
  for (const [stopAt, version] of [
    ['checks', edited],
    ['file', everyFifth],
  ] as const) {
    const stopped = linter.steps(lineChange(current, version), NOW);
    for (let step = stopped.next(); step.value !== stopAt; step = stopped.next())
      assert.ok(!step.done, `a '${stopAt}' step`);
    stopped.return(undefined as never);
    if (stopAt === 'checks')
      assert.equal(unchanged.keys.keySummary('svc.latency'), undefined, 'no key summary while the checks update');
    current = version;
    const after = whole(lineChange(current, current));
    assert.equal(after.parsedLines, 0);
    assert.equal(after.keys.keySummary('svc.latency')?.type, 'gauge');
    assert.deepEqual(
      after.diagnostics,
      lintText(version.join('\n'), { now: NOW }),
      `the facts of the lint stopped at a '${stopAt}' step were kept`,
    );
  }
  const withFindings = linter.steps(lineChange(current, edited), NOW);
  const fileSteps = [
    ...(function* () {
      for (let s = withFindings.next(); !s.done; s = withFindings.next()) yield s.value;
    })(),
  ].filter((kind) => kind === 'file').length;
  assert.equal(fileSteps, 2, '1,000 lines with findings: the diagnostics are made in steps of 500 lines');
});
