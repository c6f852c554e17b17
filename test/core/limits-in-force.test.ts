/**
 * Messages quote the limit in force, and the checks use it: every limit set to a value other than its default
 * (limit-cases.ts), each case linted as text and again through the fast path (a linter offered the lines' bytes
 * first, as the CLI does).
 */
import { test } from 'node:test';
import { FileLinter, lintText, type LintOptions } from '#core/lint.ts';
import type { Diagnostic } from '#core/problems.ts';
import { assertCase, assertEveryLimit, CASES, IN_FORCE, NOW, type Finding } from './limit-cases.ts';

const OPTIONS: LintOptions = { now: NOW, limits: IN_FORCE };
const encoder = new TextEncoder();
const findings = (ds: readonly Diagnostic[]): Finding[] =>
  ds.map((d) => ({ line: d.line, code: d.code, severity: d.severity, message: d.message }));

function lintAsBytes(lines: string[]): Diagnostic[] {
  const linter = new FileLinter(OPTIONS);
  return lines.flatMap((text, index) => {
    const bytes = encoder.encode(text);
    return [
      ...(linter.lintCleanBytes(index, bytes, 0, bytes.length) ?? linter.lintLine(index, text, text.length, bytes)),
    ];
  });
}

test('every limit is set, none at its default, and has a case', assertEveryLimit);

for (const c of CASES) {
  test(`${c.limit}: ${c.code} (${c.severity}) quotes ${IN_FORCE[c.limit]} and flags just over it, not at it`, () => {
    assertCase(c, findings(lintText(c.over.join('\n'), OPTIONS)), findings(lintText(c.under.join('\n'), OPTIONS)));
    assertCase(c, findings(lintAsBytes(c.over)), findings(lintAsBytes(c.under)));
  });
}
