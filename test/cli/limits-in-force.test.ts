/**
 * The CLI (in this process) with every limit set through `--limit` (test/core/limit-cases.ts): each message quotes the limit
 * in force, and the checks use it. Fractional limits take decimals and exponents; nonsense is one line, exit 2.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertUsageError, parseJsonReport, TempDir } from './helpers.ts';
import { dtmetrics } from './in-process.ts';
import { assertCase, CASES, IN_FORCE, NOW, type Finding } from '../core/limit-cases.ts';

let tmp: TempDir;
before(() => {
  tmp = new TempDir();
});
after(() => tmp?.remove());

/** `summaryTolerance` written with an exponent, as a user would write 0.001. */
const LIMIT_ARGS = Object.entries(IN_FORCE).flatMap(([name, value]) => [
  '--limit',
  `${name}=${name === 'summaryTolerance' ? '1e-3' : String(value)}`,
]);

test('every message that quotes a limit quotes the one given with --limit, and the checks use it', async () => {
  const files = CASES.flatMap((c, i) => [
    tmp.write(`${i}-over.dtmetrics`, c.over.join('\n') + '\n'),
    tmp.write(`${i}-under.dtmetrics`, c.under.join('\n') + '\n'),
  ]);
  // --hints: DV005's mildest case is a hint, which the CLI reports only when asked.
  const result = await dtmetrics(
    ['lint', '--format', 'json', '--hints', '--now', String(NOW), ...LIMIT_ARGS, ...files],
    {
      cwd: tmp.path,
    },
  );
  assert.equal(result.stderr, '');
  const report = parseJsonReport(result.stdout);
  const findings = (file: string): Finding[] =>
    (report.find((f) => f.file === file)?.diagnostics ?? []).map((d) => ({
      line: d.line - 1,
      code: d.code,
      severity: d.severity,
      message: d.message,
    }));
  CASES.forEach((c, i) => assertCase(c, findings(`${i}-over.dtmetrics`), findings(`${i}-under.dtmetrics`)));
});

test('a fractional limit takes decimals and exponents', async () => {
  tmp.write('summary.dtmetrics', 'sum.check gauge,min=1,max=1,sum=1.0005,count=1\n');
  for (const [tolerance, flagged] of [
    ['0.001', false],
    ['1e-3', false],
    ['6E-4', false],
    ['.0001', true],
    ['1e-6', true],
    ['0', true],
  ] as const) {
    const result = await dtmetrics(
      ['lint', '--format', 'json', '--limit', `summaryTolerance=${tolerance}`, 'summary.dtmetrics'],
      { cwd: tmp.path },
    );
    const codes = parseJsonReport(result.stdout).flatMap((f) => f.diagnostics.map((d) => d.code));
    assert.deepEqual(codes, flagged ? ['PL008'] : [], `summaryTolerance=${tolerance}`);
    assert.equal(result.code, flagged ? 1 : 0);
  }
});

for (const spec of [
  'summaryTolerance=-1',
  'summaryTolerance=1e999',
  'summaryTolerance=NaN',
  'summaryTolerance=0x10',
  'summaryTolerance=1e',
  'summaryTolerance=',
  'cardinalityBudget=1.5',
  'cardinalityBudget=1e3',
  'cardinalityBudget=99999999999999999999',
  'cardinalityBudget=5=6',
]) {
  test(`--limit ${spec} is a usage error`, async () => {
    tmp.write('one.dtmetrics', 'my.metric 5\n');
    const result = await dtmetrics(['lint', '--limit', spec, 'one.dtmetrics'], { cwd: tmp.path });
    assertUsageError(result, `--limit ${spec.slice(0, spec.indexOf('='))}`);
    assert.equal(result.stdout, '');
  });
}
