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
import { DocumentLinter } from '#core/document-linter.ts';
import { lintText, type LintOptions } from '#core/lint.ts';
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

test('in steps: the same result; stopped while parsing nothing is kept, stopped in the file pass the facts are', () => {
  const lines = Array.from(
    { length: 3000 },
    (_, i) => `svc.latency,svc=s${i % 17},route=/r${i} gauge,${i} 1732300000000`,
  );
  const linter = new DocumentLinter({});
  const steps = linter.steps(lines, NOW);
  const kinds: string[] = [];
  let step = steps.next();
  for (; !step.done; step = steps.next()) kinds.push(step.value);
  assert.deepEqual(step.value.diagnostics, lintText(lines.join('\n'), { now: NOW }));
  assert.deepEqual(
    kinds,
    [...Array<string>(6).fill('facts'), ...Array<string>(6).fill('file')],
    'steps of 500 lines, parsing first',
  );
  const edited = lines.map((line, i) => (i % 3 === 0 ? line.replace('gauge', 'Gauge') : line));
  const stoppedParsing = linter.steps(edited, NOW);
  assert.equal(stoppedParsing.next().value, 'facts');
  stoppedParsing.return(undefined as never);
  assert.equal(
    linter.lint(lines.join('\n'), NOW).parsedLines,
    0,
    "stopped while parsing: the last version's facts stand",
  );
  const stoppedChecking = linter.steps(edited, NOW);
  for (let kind = stoppedChecking.next().value; kind !== 'file'; kind = stoppedChecking.next().value);
  stoppedChecking.return(undefined as never);
  const after = linter.lint(edited.join('\n'), NOW);
  assert.equal(after.parsedLines, 0, 'the facts of the run stopped in the file pass were kept');
  assert.deepEqual(after.diagnostics, lintText(edited.join('\n'), { now: NOW }));
});
