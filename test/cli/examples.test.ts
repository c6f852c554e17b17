/**
 * The examples are a newcomer's first sight: they lint with no finding at all, in `dtmetrics lint` (infos included)
 * and under the editor's settings (hints included), today and long after their timestamps were recorded.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileDirectives } from '#core/directives.ts';
import { lintText } from '#core/lint.ts';
import { splitLines } from '#core/text.ts';
import { DEFAULT_SETTINGS, lintOptions, windowNow } from '#lsp/settings.ts';
import { ROOT, parseJsonReport } from './helpers.ts';
import { dtmetrics } from './in-process.ts';

const EXAMPLES = join(ROOT, 'examples');
const NAMES = readdirSync(EXAMPLES).filter((name) => name.endsWith('.dtmetrics'));
const A_YEAR_ON = Date.now() + 365 * 24 * 3_600_000;

test('dtmetrics lint examples: no problems', async () => {
  const { code, stdout } = await dtmetrics(['lint', '--format', 'json', '--now', String(A_YEAR_ON), 'examples']);
  assert.equal(code, 0, stdout);
  const report = parseJsonReport(stdout);
  assert.equal(report.length, NAMES.length);
  assert.deepEqual(
    report.flatMap((file) => file.diagnostics.map((d) => `${file.file}: ${d.code}`)),
    [],
  );
});

for (const name of NAMES) {
  test(`examples/${name}: no finding under the editor's settings, hints included`, () => {
    const text = readFileSync(join(EXAMPLES, name), 'utf8');
    const now = windowNow(DEFAULT_SETTINGS, fileDirectives(splitLines(text)), A_YEAR_ON);
    const found = lintText(text, { ...lintOptions(DEFAULT_SETTINGS), now });
    assert.deepEqual(
      found.map((d) => `${d.line + 1}:${d.startChar + 1} ${d.severity} ${d.code} ${d.message}`),
      [],
    );
  });
}

test('some examples carry timestamps, replayed relative to now', () => {
  const replayed = NAMES.filter(
    (name) => fileDirectives(splitLines(readFileSync(join(EXAMPLES, name), 'utf8'))).timestamps === 'rebase',
  );
  assert.ok(replayed.length > 0);
});
