/**
 * Data-driven rule tests: each file in test/fixtures/rules/ is linted, and its diagnostics must equal the
 * expectations written in it, no more and no fewer.
 *
 * Fixture format (comments are `.dtmetrics` comments, so fixtures are valid files in the editor too):
 *   //! now: <epoch-ms>            the instant for the timestamp window (default FIXTURE_NOW; `off` switches it off)
 *   //! options: {<LintOptions>}   JSON merged into the lint options (limits, severities)
 *   //= CODE start-end [severity]  a diagnostic expected on the nearest line above that is not `//=` or `//!`;
 *                                  start-end are 0-based UTF-16 offsets, end exclusive
 * Every other line is linted as written. A line with no `//=` after it must produce no diagnostic at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintText } from '#core/lint.ts';
import { FIXTURE_DIR as DIR, readFixture, type Expectation } from './fixture-format.ts';
import { RULE_CODES } from '#core/rules.ts';

const files = readdirSync(DIR).filter((f) => f.endsWith('.dtmetrics')).sort();

for (const file of files) {
  test(`rule fixture ${file}`, () => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const { options, expected } = readFixture(text);
    const actual = lintText(text, options).map((d) => ({ line: d.line, code: d.code, start: d.startChar, end: d.endChar, severity: d.severity }));
    const key = (e: Expectation) => `${e.line + 1}: ${e.code} ${e.start}-${e.end}`;
    const unmatched = [...actual];
    const missing: string[] = [];
    for (const e of expected) {
      const i = unmatched.findIndex((a) => key(a) === key(e) && (!e.severity || e.severity === a.severity));
      if (i < 0) missing.push(key(e) + (e.severity ? ` ${e.severity}` : ''));
      else unmatched.splice(i, 1);
    }
    assert.deepEqual(
      { missing, unexpected: unmatched.map((a) => `${key(a)} ${a.severity}`) },
      { missing: [], unexpected: [] },
      `${file}: diagnostics differ from the //= expectations`,
    );
  });
}

test('every rule code has a fixture that fails and a line that passes', () => {
  for (const code of RULE_CODES) {
    const file = `${code}.dtmetrics`;
    assert.ok(files.includes(file), `missing fixture ${file}`);
    const text = readFileSync(join(DIR, file), 'utf8');
    const { options, expected, linted } = readFixture(text);
    assert.ok(expected.some((e) => e.code === code), `${file} has no failing example of ${code}`);
    const flagged = new Set(lintText(text, options).map((d) => d.line));
    const passing = linted.filter((line) => !flagged.has(line) && !/^\s*(\/\/.*)?$/.test(text.split('\n')[line] as string));
    assert.ok(passing.length > 0, `${file} has no passing example line`);
  }
});
