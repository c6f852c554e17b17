/**
 * Data-driven rule tests: each file in test/fixtures/rules/ is linted, and its diagnostics (code, range, severity,
 * message, the fix offered and the line after it) must equal the expectations written in it, no more and no fewer.
 * The format is described in fixture-format.ts; `UPDATE_FIXTURES=1` writes the expectations from the code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintText, type LintOptions } from '#core/lint.ts';
import { volatileDimensionsOfText } from '#core/stats/document.ts';
import { newSeriesOfText } from '#core/stats/findings.ts';
import {
  applyEdits,
  applyFix,
  blessFixture,
  expectFixture,
  FIXTURE_DIR as DIR,
  readFixture,
} from './fixture-format.ts';
import type { Diagnostic, TextEdit } from '#core/problems.ts';
import { RULE_CODES } from '#core/rules.ts';

/**
 * The linter's findings, MK015's, which the editor and `dtmetrics stats` make from the whole file's values, and
 * with base lines (`//! base:`) MK016's, which `dtmetrics stats --format sarif` makes against a base.
 */
function findings(text: string, options: LintOptions, base: readonly string[]): Diagnostic[] {
  const all = [
    ...lintText(text, options),
    ...volatileDimensionsOfText(text, options.severities),
    ...(base.length > 0 ? newSeriesOfText(text, base) : []),
  ];
  return all.sort((a, b) => a.line - b.line || a.startChar - b.startChar);
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.dtmetrics'))
  .sort();

for (const file of files) {
  test(`rule fixture ${file}`, () => {
    expectFixture(join(DIR, file), (text) => {
      const { options, base } = readFixture(text);
      return blessFixture(text, findings(text, options, base));
    });
  });
}

test('every rule code has a fixture that fails and a line that passes', () => {
  for (const code of RULE_CODES) {
    const file = `${code}.dtmetrics`;
    assert.ok(files.includes(file), `missing fixture ${file}`);
    const text = readFileSync(join(DIR, file), 'utf8');
    const { options, expected, linted, base } = readFixture(text);
    assert.ok(
      expected.some((e) => e.code === code),
      `${file} has no failing example of ${code}`,
    );
    const flagged = new Set(findings(text, options, base).map((d) => d.line));
    const passing = linted.filter(
      (line) => !flagged.has(line) && !/^\s*(\/\/.*)?$/.test(text.split('\n')[line] as string),
    );
    assert.ok(passing.length > 0, `${file} has no passing example line`);
  }
});

test('a fix is applied as an editor applies its edits: by the offsets before any edit, insertions in order', () => {
  const cases: { edits: TextEdit[]; after: string }[] = [
    {
      edits: [
        { start: 4, end: 4, text: 'b' },
        { start: 0, end: 1, text: 'X' },
      ],
      after: 'Xbc.bd 5',
    },
    {
      edits: [
        { start: 3, end: 3, text: '1' },
        { start: 3, end: 3, text: '2' },
      ],
      after: 'abc12.d 5',
    },
    { edits: [{ start: 0, end: 7, text: 'a.b 1\na.c 2' }], after: 'a.b 1\na.c 2' },
  ];
  for (const { edits, after } of cases) assert.equal(applyEdits('abc.d 5', edits), after, JSON.stringify(edits));
  assert.throws(
    () =>
      applyEdits('abc.d 5', [
        { start: 0, end: 3, text: '' },
        { start: 2, end: 4, text: '' },
      ]),
    /overlap/,
  );
  assert.throws(
    () => applyFix('a 1\nb 2', 0, { title: 'reaches into the next line', edits: [{ start: 2, end: 5, text: '' }] }),
    /reach past line 1/,
  );
});

/**
 * Messages and fix titles are plain text wherever they show (the Problems panel, the quick-fix menu, a terminal,
 * SARIF): backticks quote what is or would be written in a line, in pairs, and nothing else is Markdown.
 */
test('messages and fix titles are plain text: literals in pairs of backticks, no Markdown', () => {
  for (const file of files) {
    const text = readFileSync(join(DIR, file), 'utf8');
    for (const d of lintText(text, readFixture(text).options)) {
      for (const shown of [d.message, d.data?.fix?.title ?? '']) {
        const where = `${file}:${d.line + 1} ${d.code}: ${shown}`;
        // A literal may hold a backtick only where the line does; none of the fixtures' lines do.
        assert.equal((shown.match(/`/g) ?? []).length % 2, 0, `unpaired backtick in ${where}`);
        assert.doesNotMatch(shown.replace(/`[^`]*`/g, ''), /\*\*|\]\(|^#|<\/?[a-z]+>/, `Markdown in ${where}`);
      }
    }
  }
});
