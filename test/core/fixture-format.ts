/** The `.dtmetrics` rule-fixture format (see rule-fixtures.test.ts), shared by the tests that read fixtures. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { lintText, type LintOptions } from '#core/lint.ts';

export const FIXTURE_NOW = Date.parse('2024-11-22T18:26:40Z'); // 1732300000000
export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'rules');

export interface Expectation {
  line: number;
  code: string;
  start: number;
  end: number;
  severity?: string;
}

export function readFixture(text: string): { options: LintOptions; expected: Expectation[]; linted: number[] } {
  const options: LintOptions = { now: FIXTURE_NOW };
  const expected: Expectation[] = [];
  const linted: number[] = [];
  let target = -1;
  text.split('\n').forEach((line, index) => {
    const directive = /^\/\/! (now|options): (.*)$/.exec(line);
    if (directive) {
      if (directive[1] === 'now') options.now = directive[2] === 'off' ? null : Number(directive[2]);
      else Object.assign(options, JSON.parse(directive[2] as string));
      return;
    }
    const expectation = /^\/\/= ([A-Z]{2}\d{3}) (\d+)-(\d+)(?: (error|warning|info|hint))?\s*$/.exec(line);
    if (expectation) {
      assert.ok(target >= 0, `line ${index + 1}: an expectation needs a line above it`);
      const [, code, start, end, severity] = expectation;
      expected.push({ line: target, code: code as string, start: Number(start), end: Number(end), ...(severity ? { severity } : {}) });
      return;
    }
    assert.ok(!line.startsWith('//=') && !line.startsWith('//!'), `line ${index + 1}: malformed directive '${line}'`);
    target = index;
    linted.push(index);
  });
  return { options, expected, linted };
}

/** The errors the linter finds in a text (no timestamp window), as `CODE message`. */
export const lintErrors = (text: string): string[] =>
  lintText(text, { now: null })
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.code} ${d.message}`);
