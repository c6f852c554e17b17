/**
 * `dtmetrics lint`: arguments, the stylish and JSON formats, the options, exit codes and usage errors, run in this
 * process through main.ts (in-process.ts); binary.slow.test.ts runs the built binary on a real terminal and pipes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, dirname, join } from 'node:path';
import { NOW, STYLISH_LINE, TempDir, assertUsageError, parseJsonReport, positions, type JsonFile } from './helpers.ts';
import { dtmetrics } from './in-process.ts';

/** Two errors, MK002 (2:1) and DK001 (3:11); line 1 is valid at NOW. */
const ERRORS = 'cpu.load 5 1732300000000\n1metric 5\nmy.metric,Host=a 5\n';
/** Two warnings (MK006 at 1:13, LN004 at 2:11) and one info (MK010 at 3:1); no errors. */
const WARNINGS = 'system.load.1m 5\ncpu.load 5 \njobs_count 1\n';
/** Errors and warnings together: MK002 error, MK006 warning, MK010 info. */
const MIXED = '1metric 5\nsystem.load.1m 5\njobs_count 1\n';
const CLEAN = '// a valid file\ncpu.load,host=a 5\n#cpu.load gauge dt.meta.unit=Percent\n';
/** Three distinct dimension tuples of one metric: over a cardinality budget of 2 on line 3. */
const TUPLES = 'http.requests,host=a 1\nhttp.requests,host=b 1\nhttp.requests,host=c 1\n';

const ESC = '\u001b[';
/** The folders a directory walk skips, as the language server's workspace index does (test/lsp/workspace-index.test.ts). */
const SKIPPED = ['node_modules', '.git', '.hg', '.svn', '.vscode-test', 'dist'];

let tmp: TempDir;
const lint = (args: string[], stdin?: string | Uint8Array) =>
  dtmetrics(['lint', ...args], { cwd: tmp.path, ...(stdin !== undefined ? { stdin } : {}) });
const lintJson = async (args: string[], stdin?: string | Uint8Array) => {
  const result = await lint(['--format', 'json', '--now', String(NOW), ...args], stdin);
  assert.equal(result.stderr, '', 'nothing on stderr');
  return { ...result, report: parseJsonReport(result.stdout) };
};
const only = (report: JsonFile[]) => {
  assert.equal(report.length, 1, 'one file in the report');
  return report[0] as JsonFile;
};

before(() => {
  tmp = new TempDir();
  tmp.write('errors.dtmetrics', ERRORS);
  tmp.write('warnings.dtmetrics', WARNINGS);
  tmp.write('mixed.dtmetrics', MIXED);
  tmp.write('clean.dtmetrics', CLEAN);
  tmp.write('tuples.dtmetrics', TUPLES);
  tmp.write('ts.dtmetrics', 'cpu.load 5 1732300000000\n');
  // Two lines of data: the first is clean and takes the fast path (bytes), the second a directive that comes too late.
  tmp.write('replayed.dtmetrics', '// A recording.\n// dtmetrics: timestamps=rebase\ncpu.load 5 1732300000000\n');
  tmp.write(
    'late-directive.dtmetrics',
    'cpu.load 5\n// dtmetrics: timestamps=rebase\ncpu.load 5 1732300000000\ncpu.load 6 1732300000000\n',
  );
  tmp.write('utf16.dtmetrics', 'my.metric,a=😀ä,Bad=1 5\n');
  // A tree for directory walks and globs: created out of order, with folders that must be skipped.
  tmp.write('tree/z.dtmetrics', '1zxyz 5\n');
  tmp.write('tree/m/x.dtmetrics', CLEAN);
  tmp.write('tree/m/sub/y.dtmetrics', '1yxyz 5\n');
  tmp.write('tree/a.dtmetrics', CLEAN);
  tmp.write('tree/notes.txt', '1notesxyz 5\n');
  tmp.write('tree/a.dtmetrics.bak', '1bakxyz 5\n');
  tmp.write('tree/node_modules/dep/n.dtmetrics', '1nxyz 5\n');
  tmp.write('tree/m/node_modules/n.dtmetrics', '1nxyz 5\n');
  for (const dir of SKIPPED) {
    tmp.write(`tree/${dir}/bad.dtmetrics`, '1skipped 5\n');
    tmp.write(`only-skipped/${dir}/n.dtmetrics`, 'cpu.load 5\n');
  }
  tmp.write('empty-dir/readme.txt', 'no metrics here\n');
  tmp.write('binary.dtmetrics', Buffer.from([0x63, 0x70, 0x75, 0x00, 0x01, 0x02, 0xff, 0x00, 0x0a]));
});

after(() => tmp?.remove());

describe('arguments: files, directories, globs and stdin', () => {
  test('a file', async () => {
    const { code, report } = await lintJson(['errors.dtmetrics']);
    assert.equal(code, 1);
    assert.deepEqual(positions(only(report)), ['2:1-2:2 error MK002', '3:11-3:12 error DK001']);
  });

  test('several files, in the order given', async () => {
    const { report } = await lintJson(['warnings.dtmetrics', 'errors.dtmetrics', 'clean.dtmetrics']);
    assert.deepEqual(
      report.map((f) => f.file),
      ['warnings.dtmetrics', 'errors.dtmetrics', 'clean.dtmetrics'],
    );
  });

  test(`a directory is walked recursively for *.dtmetrics, sorted, skipping ${SKIPPED.join(', ')}`, async () => {
    const { code, report } = await lintJson(['tree']);
    assert.equal(code, 1);
    assert.deepEqual(
      report.map((f) => f.file),
      ['tree/a.dtmetrics', 'tree/m/sub/y.dtmetrics', 'tree/m/x.dtmetrics', 'tree/z.dtmetrics'],
    );
    assert.deepEqual(positions(report[1]), ['1:1-1:2 error MK002']);
    assert.deepEqual(positions(report[3]), ['1:1-1:2 error MK002']);
  });

  test('a skipped folder named on the command line is linted: only the folders inside it are skipped by name', async () => {
    const { report } = await lintJson(['tree/dist']);
    assert.deepEqual(
      report.map((f) => [f.file, positions(f)]),
      [['tree/dist/bad.dtmetrics', ['1:1-1:2 error MK002']]],
    );
  });

  test('a glob pattern, quoted so the CLI expands it', async () => {
    const { report } = await lintJson(['tree/m/**/*.dtmetrics']);
    const files = report.map((f) => f.file);
    assert.deepEqual(
      files.filter((f) => !f.includes('node_modules')),
      ['tree/m/sub/y.dtmetrics', 'tree/m/x.dtmetrics'],
    );
    const top = await lintJson(['tree/*.dtmetrics']);
    assert.deepEqual(
      top.report.map((f) => f.file),
      ['tree/a.dtmetrics', 'tree/z.dtmetrics'],
    );
  });

  test('`-` reads standard input; its "file" is `-`', async () => {
    const { code, report } = await lintJson(['-'], ERRORS);
    assert.equal(code, 1);
    assert.equal(only(report).file, '-');
    assert.deepEqual(positions(only(report)), ['2:1-2:2 error MK002', '3:11-3:12 error DK001']);
  });

  test('files, directories and stdin mixed', async () => {
    const { report } = await lintJson(['clean.dtmetrics', '-', 'tree/m'], WARNINGS);
    assert.deepEqual(
      report.map((f) => f.file),
      ['clean.dtmetrics', '-', 'tree/m/sub/y.dtmetrics', 'tree/m/x.dtmetrics'],
    );
    assert.deepEqual(positions(report[1]), [
      '1:13-1:14 warning MK006',
      '2:11-2:12 warning LN004',
      '3:1-3:11 info MK010',
    ]);
  });
});

describe('--format stylish (the default)', () => {
  test('one ESLint-like line per diagnostic, `path:line:col  severity  message  code`, matching the JSON report', async () => {
    const stylish = await lint(['--now', String(NOW), 'errors.dtmetrics', 'mixed.dtmetrics']);
    const json = await lintJson(['errors.dtmetrics', 'mixed.dtmetrics']);
    assert.equal(stylish.code, 1);
    assert.equal(stylish.stderr, '');
    const expected = json.report.flatMap((f) =>
      f.diagnostics.map((d) => `${f.file}:${d.line}:${d.column}  ${d.severity}  ${d.message}  ${d.code}`),
    );
    assert.equal(expected.length, 5);
    const lines = stylish.stdout.split('\n').filter((l) => STYLISH_LINE.test(l));
    assert.deepEqual(lines, expected);
    assert.match(stylish.stdout, /3 errors, 1 warning, 1 info/, 'a summary of the counts');
  });

  test('a clean file says so', async () => {
    const { code, stdout, stderr } = await lint(['--now', String(NOW), 'clean.dtmetrics']);
    assert.equal(code, 0);
    assert.equal(stderr, '');
    assert.match(stdout, /no problems/);
    assert.ok(!stdout.split('\n').some((l) => STYLISH_LINE.test(l)));
  });

  test('hints (a count stored as key.count, MK010) are not reported unless --hints: a clean count metric is no problem', async () => {
    const counts =
      '#jobs.done count dt.meta.unit=Count\njobs.done,job=a count,delta=3\njobs.done,job=b count,delta=0\n';
    const plain = await lint(['--now', String(NOW), '-'], counts);
    assert.equal(plain.code, 0);
    assert.equal(plain.stdout, '✔ 1 file, 3 lines: no problems\n');
    const json = await lintJson(['-'], counts);
    assert.deepEqual(only(json.report).diagnostics, [], 'the JSON report leaves hints out too');
    const shown = await lint(['--now', String(NOW), '--hints', '-'], counts);
    assert.equal(shown.code, 0);
    assert.match(
      shown.stdout,
      /^<stdin>:1:2 {2}hint {2}Count metrics are stored as `jobs\.done\.count`: query that key, not `jobs\.done`\. {2}MK010$/m,
    );
    assert.match(shown.stdout, /1 problem \(0 errors, 0 warnings, 0 infos, 1 hint\)/);
  });

  test('no ANSI escapes when stdout is a pipe', async () => {
    const { stdout } = await lint(['--now', String(NOW), 'mixed.dtmetrics']);
    assert.match(stdout, /MK002/);
    assert.ok(!stdout.includes(ESC), `no escape sequences in ${JSON.stringify(stdout)}`);
  });

  test('colour when stdout is a terminal, none there with NO_COLOR=1', async () => {
    const tty = await dtmetrics(['lint', '--now', String(NOW), 'mixed.dtmetrics'], { cwd: tmp.path, isTTY: true });
    assert.equal(tty.code, 1, tty.stderr);
    assert.match(tty.stdout, /MK002/);
    assert.ok(tty.stdout.includes(ESC), `escape sequences on a terminal: ${JSON.stringify(tty.stdout)}`);
    const noColor = await dtmetrics(['lint', '--now', String(NOW), 'mixed.dtmetrics'], {
      cwd: tmp.path,
      isTTY: true,
      env: { NO_COLOR: '1' },
    });
    assert.match(noColor.stdout, /MK002/);
    assert.ok(!noColor.stdout.includes(ESC), `no escape sequences with NO_COLOR: ${JSON.stringify(noColor.stdout)}`);
  });

  test('ANSI colour with FORCE_COLOR=1, even on a pipe', async () => {
    const { stdout } = await dtmetrics(['lint', '--now', String(NOW), 'mixed.dtmetrics'], {
      cwd: tmp.path,
      env: { FORCE_COLOR: '1' },
    });
    assert.ok(stdout.includes(ESC), `escape sequences in ${JSON.stringify(stdout)}`);
    const plain = stdout.replaceAll(/\u001b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex
    assert.ok(
      plain.split('\n').some((l) => STYLISH_LINE.test(l) && l.startsWith('mixed.dtmetrics:1:1  error  ')),
      'the same lines under the colour',
    );
  });

  test('no colour with NO_COLOR=1, even with FORCE_COLOR=1', async () => {
    const { stdout } = await dtmetrics(['lint', '--now', String(NOW), 'mixed.dtmetrics'], {
      cwd: tmp.path,
      env: { FORCE_COLOR: '1', NO_COLOR: '1' },
    });
    assert.match(stdout, /MK002/);
    assert.ok(!stdout.includes(ESC), `no escape sequences in ${JSON.stringify(stdout)}`);
  });

  test('JSON and SARIF never carry colour, even with FORCE_COLOR=1', async () => {
    for (const format of ['json', 'sarif']) {
      const { stdout } = await dtmetrics(['lint', '--format', format, 'mixed.dtmetrics'], {
        cwd: tmp.path,
        env: { FORCE_COLOR: '1' },
      });
      assert.ok(!stdout.includes(ESC), `${format}: no escape sequences`);
      assert.doesNotThrow(() => JSON.parse(stdout));
    }
  });
});

describe('--format json', () => {
  test('exactly the documented shape, on stdout only, with nothing on stderr', async () => {
    const { code, stdout, stderr, report } = await lintJson([
      'errors.dtmetrics',
      'warnings.dtmetrics',
      'clean.dtmetrics',
    ]);
    assert.equal(code, 1);
    assert.equal(stderr, '');
    assert.equal(stdout.trim()[0], '[');
    assert.deepEqual(report, [
      {
        file: 'errors.dtmetrics',
        diagnostics: [
          {
            line: 2,
            column: 1,
            endLine: 2,
            endColumn: 2,
            severity: 'error',
            code: 'MK002',
            message: 'A metric key cannot start with `1`: start it with a letter or `_`.',
          },
          {
            line: 3,
            column: 11,
            endLine: 3,
            endColumn: 12,
            severity: 'error',
            code: 'DK001',
            message: report[0]?.diagnostics[1]?.message,
          },
        ],
      },
      {
        file: 'warnings.dtmetrics',
        diagnostics: [
          {
            line: 1,
            column: 13,
            endLine: 1,
            endColumn: 14,
            severity: 'warning',
            code: 'MK006',
            message: report[1]?.diagnostics[0]?.message,
          },
          {
            line: 2,
            column: 11,
            endLine: 2,
            endColumn: 12,
            severity: 'warning',
            code: 'LN004',
            message: report[1]?.diagnostics[1]?.message,
          },
          {
            line: 3,
            column: 1,
            endLine: 3,
            endColumn: 11,
            severity: 'info',
            code: 'MK010',
            message: report[1]?.diagnostics[2]?.message,
          },
        ],
      },
      { file: 'clean.dtmetrics', diagnostics: [] },
    ]);
  });

  test('a file with no problems appears with "diagnostics": []', async () => {
    const { code, report } = await lintJson(['clean.dtmetrics']);
    assert.equal(code, 0);
    assert.deepEqual(report, [{ file: 'clean.dtmetrics', diagnostics: [] }]);
  });

  test('"file" is the path exactly as given on the command line', async () => {
    const absolute = tmp.join('errors.dtmetrics');
    const given = ['./errors.dtmetrics', 'tree/../clean.dtmetrics', 'tree//a.dtmetrics', absolute];
    const { report } = await lintJson(given);
    assert.deepEqual(
      report.map((f) => f.file),
      given,
    );
    // relative paths stay relative when the CLI runs somewhere else too
    const relative = join(basename(tmp.path), 'clean.dtmetrics');
    const fromParent = await dtmetrics(['lint', '--format', 'json', '--now', String(NOW), relative], {
      cwd: dirname(tmp.path),
    });
    assert.deepEqual(
      parseJsonReport(fromParent.stdout).map((f) => f.file),
      [relative],
    );
  });

  test('columns count UTF-16 code units: an emoji is 2, `ä` is 1', async () => {
    // `my.metric,a=` is 12 units, 😀 2, ä 1, `,` 1: the upper-case `B` is the 17th unit.
    const { report } = await lintJson(['utf16.dtmetrics']);
    assert.deepEqual(positions(only(report)), ['1:17-1:18 error DK001']);
    const stdin = await lintJson(['-'], '😀ä 5\n');
    const d = only(stdin.report).diagnostics;
    assert.deepEqual(
      d.map((x) => [x.code, x.column, x.endColumn]),
      [['MK003', 1, 4]],
      'the key `😀ä` spans 3 UTF-16 units',
    );
  });

  test('stdout is only the JSON even with several files, warnings and a failing --max-warnings', async () => {
    const { code, stdout, report } = await lintJson(['--max-warnings', '0', 'warnings.dtmetrics', 'clean.dtmetrics']);
    assert.equal(code, 1);
    assert.equal(report.length, 2);
    assert.ok(!/Too many warnings/.test(stdout));
  });
});

describe('--now and --timestamp-window', () => {
  test('epoch milliseconds: a timestamp at that instant is fine', async () => {
    const { code, report } = await lintJson(['--now', '1732300000000', 'ts.dtmetrics']);
    assert.equal(code, 0);
    assert.deepEqual(only(report).diagnostics, []);
  });

  test('ISO-8601: the same instant is fine', async () => {
    const { code, report } = await lintJson(['--now', '2024-11-22T18:26:40Z', 'ts.dtmetrics']);
    assert.equal(code, 0);
    assert.deepEqual(only(report).diagnostics, []);
  });

  test('ISO-8601 five hours later: TS003 on the timestamp', async () => {
    const { code, report } = await lintJson(['--now', '2024-11-23T00:00:00Z', 'ts.dtmetrics']);
    assert.equal(code, 1);
    assert.deepEqual(positions(only(report)), ['1:12-1:25 error TS003']);
  });

  test('an instant 11 minutes before the timestamp: TS003 (too far in the future)', async () => {
    const { code, report } = await lintJson(['--now', String(NOW - 11 * 60_000), 'ts.dtmetrics']);
    assert.equal(code, 1);
    assert.deepEqual(positions(only(report)), ['1:12-1:25 error TS003']);
  });

  test('without --now the clock is used (the 2024 timestamp is long past)', async () => {
    const { code, stdout } = await lint(['--format', 'json', 'ts.dtmetrics']);
    assert.equal(code, 1);
    assert.deepEqual(positions(only(parseJsonReport(stdout))), ['1:12-1:25 error TS003']);
  });

  test('--timestamp-window off switches the window off', async () => {
    const { code, stdout } = await lint(['--format', 'json', '--timestamp-window', 'off', 'ts.dtmetrics']);
    assert.equal(code, 0);
    assert.deepEqual(only(parseJsonReport(stdout)).diagnostics, []);
    const later = await lintJson(['--now', '2024-11-23T00:00:00Z', '--timestamp-window', 'off', 'ts.dtmetrics']);
    assert.equal(later.code, 0);
    assert.deepEqual(only(later.report).diagnostics, []);
  });

  test("a file whose opening comments say '// dtmetrics: timestamps=rebase' is not checked against the window", async () => {
    const { code, report } = await lintJson(['--now', '2026-01-01T00:00:00Z', 'replayed.dtmetrics']);
    assert.equal(code, 0);
    assert.deepEqual(only(report).diagnostics, []);
  });

  test('a directive after a line of data is a comment like any other', async () => {
    const { report } = await lintJson(['--now', '2026-01-01T00:00:00Z', 'late-directive.dtmetrics']);
    assert.deepEqual(positions(only(report)), ['3:12-3:25 error TS003', '4:12-4:25 error TS003']);
  });

  for (const bad of ['yesterday', '2024-13-45T00:00:00Z', '1.7e12', '', '2024-11-22T18:26:40+25:00', '-5']) {
    test(`a bad --now (${JSON.stringify(bad)}) is a usage error`, async () => {
      const result = await lint(['--now', bad, 'ts.dtmetrics']);
      assertUsageError(result);
      assert.equal(result.stdout, '');
    });
  }

  test('a bad --now is a usage error even with --timestamp-window off', async () => {
    const result = await lint(['--now', 'yesterday', '--timestamp-window', 'off', 'ts.dtmetrics']);
    assertUsageError(result, '--now');
  });

  test('a bad --timestamp-window is a usage error', async () => {
    assertUsageError(await lint(['--timestamp-window', 'maybe', 'ts.dtmetrics']), '--timestamp-window');
  });
});

describe('--max-warnings and --quiet', () => {
  test('warnings alone exit 0', async () => {
    const { code, report } = await lintJson(['warnings.dtmetrics']);
    assert.equal(code, 0);
    assert.equal(only(report).diagnostics.filter((d) => d.severity === 'warning').length, 2);
  });

  test('exit 1 when warnings > N, 0 when warnings = N', async () => {
    for (const [n, expected] of [
      ['0', 1],
      ['1', 1],
      ['2', 0],
      ['3', 0],
    ] as const) {
      const stylish = await lint(['--now', String(NOW), '--max-warnings', n, 'warnings.dtmetrics']);
      assert.equal(stylish.code, expected, `--max-warnings ${n} with 2 warnings (stylish)`);
      assert.equal(stylish.stderr, '');
      const json = await lintJson(['--max-warnings', n, 'warnings.dtmetrics']);
      assert.equal(json.code, expected, `--max-warnings ${n} with 2 warnings (json)`);
    }
  });

  test('infos do not count as warnings', async () => {
    const { code } = await lintJson(['--max-warnings', '0', '-'], 'jobs_count 1\n');
    assert.equal(code, 0);
  });

  test('a bad --max-warnings is a usage error', async () => {
    assertUsageError(await lint(['--max-warnings', 'many', 'warnings.dtmetrics']), '--max-warnings');
    assertUsageError(await lint(['--max-warnings', '1.5', 'warnings.dtmetrics']), '--max-warnings');
    assertUsageError(await lint(['--max-warnings', '-1', 'warnings.dtmetrics']));
  });

  test('--quiet reports errors only (stylish)', async () => {
    const { code, stdout } = await lint(['--now', String(NOW), '--quiet', 'mixed.dtmetrics']);
    assert.equal(code, 1);
    const lines = stdout.split('\n').filter((l) => STYLISH_LINE.test(l));
    assert.equal(lines.length, 1);
    assert.match(lines[0] as string, /^mixed\.dtmetrics:1:1 {2}error {2}.* {2}MK002$/);
    assert.ok(!/MK006|MK010|\bwarning {2}/.test(stdout), 'no warning or info printed');
    assert.match(stdout, /1 error, 0 warnings/, 'warnings not counted in the summary');
  });

  test('--quiet reports errors only (json)', async () => {
    const { code, report } = await lintJson(['--quiet', 'mixed.dtmetrics', 'warnings.dtmetrics']);
    assert.equal(code, 1);
    assert.deepEqual(positions(report[0]), ['1:1-1:2 error MK002']);
    assert.deepEqual(report[1], { file: 'warnings.dtmetrics', diagnostics: [] });
  });

  test('--quiet: warnings are not counted against --max-warnings', async () => {
    const { code, report } = await lintJson(['--quiet', '--max-warnings', '0', 'warnings.dtmetrics']);
    assert.equal(code, 0);
    assert.deepEqual(only(report).diagnostics, []);
    const stylish = await lint(['--now', String(NOW), '--quiet', '--max-warnings', '0', 'warnings.dtmetrics']);
    assert.equal(stylish.code, 0);
    assert.ok(!/Too many warnings|LN004|MK006/.test(stylish.stdout));
  });

  test('stylish says when there are too many warnings', async () => {
    const { code, stdout } = await lint(['--now', String(NOW), '--max-warnings', '1', 'warnings.dtmetrics']);
    assert.equal(code, 1);
    assert.match(stdout, /Too many warnings/);
  });
});

describe('--rule CODE=severity', () => {
  test('demoting an error to a warning changes the output and the exit code', async () => {
    const { code, report } = await lintJson(['--rule', 'MK002=warning', '-'], '1metric 5\n');
    assert.equal(code, 0);
    assert.deepEqual(positions(only(report)), ['1:1-1:2 warning MK002']);
  });

  test('info and hint (a hint shows with --hints)', async () => {
    for (const severity of ['info', 'hint']) {
      const { code, report } = await lintJson(['--rule', `MK002=${severity}`, '--hints', '-'], '1metric 5\n');
      assert.equal(code, 0);
      assert.deepEqual(positions(only(report)), [`1:1-1:2 ${severity} MK002`]);
    }
  });

  test('off removes the diagnostic', async () => {
    const { code, report } = await lintJson(['--rule', 'MK002=off', 'errors.dtmetrics']);
    assert.equal(code, 1, 'DK001 is still an error');
    assert.deepEqual(positions(only(report)), ['3:11-3:12 error DK001']);
    const both = await lintJson(['--rule', 'MK002=off', '--rule', 'DK001=off', 'errors.dtmetrics']);
    assert.equal(both.code, 0);
    assert.deepEqual(only(both.report).diagnostics, []);
  });

  test('promoting a warning to an error makes the run fail', async () => {
    const { code, report } = await lintJson(['--rule', 'MK006=error', 'warnings.dtmetrics']);
    assert.equal(code, 1);
    assert.deepEqual(positions(only(report)), [
      '1:13-1:14 error MK006',
      '2:11-2:12 warning LN004',
      '3:1-3:11 info MK010',
    ]);
  });

  test('a rule that was removed: a note on stderr, and the run goes on as without it', async () => {
    const { code, stdout, stderr } = await lint(['--format', 'json', '--rule', 'md006=off', 'clean.dtmetrics']);
    assert.equal(code, 0, stdout);
    assert.equal(
      stderr,
      'note: --rule md006: MD006 was removed (MK010 says it now, once per metric); the option changes nothing\n',
    );
    assert.deepEqual(only(parseJsonReport(stdout)).diagnostics, []);
  });

  test('the stylish output shows the configured severity', async () => {
    const { code, stdout } = await lint(['--now', String(NOW), '--rule', 'MK002=warning', 'mixed.dtmetrics']);
    assert.equal(code, 0);
    assert.match(stdout, /^mixed\.dtmetrics:1:1 {2}warning {2}.* {2}MK002$/m);
  });

  for (const [spec, mentions] of [
    ['XX999=error', 'XX999'],
    ['MK999=error', 'MK999'],
    ['MK002=fatal', 'MK002'],
    ['MK002', 'MK002'],
    ['=error', '--rule'],
  ] as const) {
    test(`--rule ${spec} is a usage error`, async () => {
      const result = await lint(['--rule', spec, 'errors.dtmetrics']);
      assertUsageError(result, mentions);
      assert.equal(result.stdout, '');
    });
  }
});

describe('--limit name=N', () => {
  test('cardinalityBudget=2 makes MK012 appear on the third tuple', async () => {
    const before = await lintJson(['tuples.dtmetrics']);
    assert.deepEqual(only(before.report).diagnostics, []);
    const { code, report } = await lintJson(['--limit', 'cardinalityBudget=2', 'tuples.dtmetrics']);
    assert.equal(code, 0, 'MK012 is a warning');
    assert.deepEqual(positions(only(report)), ['3:15-3:21 warning MK012']);
  });

  test('a limit combines with --rule and --max-warnings', async () => {
    const { code } = await lintJson(['--limit', 'cardinalityBudget=2', '--max-warnings', '0', 'tuples.dtmetrics']);
    assert.equal(code, 1);
    const error = await lintJson(['--limit', 'cardinalityBudget=2', '--rule', 'MK012=error', 'tuples.dtmetrics']);
    assert.equal(error.code, 1);
    assert.deepEqual(positions(only(error.report)), ['3:15-3:21 error MK012']);
  });

  for (const spec of ['noSuchLimit=3', 'cardinalityBudget=many', 'cardinalityBudget=', 'cardinalityBudget']) {
    test(`--limit ${spec} is a usage error`, async () => {
      assertUsageError(await lint(['--limit', spec, 'tuples.dtmetrics']), '--limit');
    });
  }
});

describe('exit codes', () => {
  test('0 with no problems, 0 with only warnings and infos, 1 with errors', async () => {
    assert.equal((await lint(['--now', String(NOW), 'clean.dtmetrics'])).code, 0);
    assert.equal((await lint(['--now', String(NOW), 'warnings.dtmetrics'])).code, 0);
    assert.equal((await lint(['--now', String(NOW), 'errors.dtmetrics'])).code, 1);
    assert.equal(
      (await lint(['--now', String(NOW), 'clean.dtmetrics', 'errors.dtmetrics', 'warnings.dtmetrics'])).code,
      1,
    );
  });

  test('--help prints the usage and exits 0', async () => {
    const { code, stdout, stderr } = await lint(['--help']);
    assert.equal(code, 0);
    assert.equal(stderr, '');
    assert.match(stdout, /Usage: dtmetrics lint/);
    for (const flag of ['--format', '--now', '--timestamp-window', '--max-warnings', '--quiet', '--rule', '--limit'])
      assert.ok(stdout.includes(flag), flag);
  });
});

describe('usage and I/O errors: exit 2, one line on stderr, no stack trace', () => {
  test('a missing file', async () => {
    const result = await lint(['--now', String(NOW), 'clean.dtmetrics', 'missing.dtmetrics']);
    assertUsageError(result, 'missing.dtmetrics');
    assert.equal(result.stdout, '', 'nothing is linted when an argument is wrong');
  });

  test('a missing file with --format json prints no JSON', async () => {
    const result = await lint(['--format', 'json', 'missing.dtmetrics']);
    assertUsageError(result, 'missing.dtmetrics');
    assert.equal(result.stdout, '');
  });

  test('a directory with no .dtmetrics files', async () => {
    assertUsageError(await lint(['empty-dir']), 'empty-dir');
  });

  test('a directory whose only .dtmetrics files are in node_modules or .git', async () => {
    assertUsageError(await lint(['only-skipped']), 'only-skipped');
    assertUsageError(await lint(['clean.dtmetrics', 'empty-dir']), 'empty-dir');
  });

  test('a glob that matches nothing', async () => {
    const result = await lint(['nowhere/**/*.dtmetrics']);
    assertUsageError(result, 'nowhere/**/*.dtmetrics');
    assertUsageError(await lint(['tree/*.nomatch']), 'tree/*.nomatch');
  });

  test('an unknown option', async () => {
    const result = await lint(['--bogus', 'clean.dtmetrics']);
    assertUsageError(result, '--bogus');
    assert.equal(result.stdout, '');
  });

  test('an unknown format', async () => {
    assertUsageError(await lint(['--format', 'xml', 'clean.dtmetrics']), 'xml');
  });

  test('a missing option value', async () => {
    assertUsageError(await lint(['clean.dtmetrics', '--format']));
  });

  test('no files given', async () => {
    const result = await lint([]);
    assertUsageError(result);
    assert.equal(result.stdout, '');
    assertUsageError(await lint(['--format', 'json', '--now', String(NOW)]));
  });

  test('an unknown command', async () => {
    const result = await dtmetrics(['frobnicate', 'clean.dtmetrics'], { cwd: tmp.path });
    assertUsageError(result, 'frobnicate');
    assert.equal(result.stdout, '');
  });

  test('a binary file (mostly NUL and control characters; nul-bytes.test.ts has the rest)', async () => {
    assertUsageError(await lint(['binary.dtmetrics']), 'binary.dtmetrics');
    assertUsageError(await lint(['--format', 'json', '-'], Buffer.from('cpu.load 5\n\0\0\0\0\0\0\0\0\n')));
  });
});
