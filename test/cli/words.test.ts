/**
 * The CLI's own words (issue 12, item 10): help ends where it should, an unknown option or command is one line with
 * a "did you mean" when one name is clearly closest, a token on the command line is refused with what to do instead
 * (and never echoed), counts agree with their nouns, push's report says a fate once and names
 * `--timestamps rebase` when lines are held back for stale timestamps (push's words: push-words.slow.test.ts, as
 * they need a real tenant). Through main.ts in this process.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dtmetrics } from './in-process.ts';

const HELP_END = "Run 'dtmetrics <command> --help' for a command's options.\n";

describe('dtmetrics --help and a bare dtmetrics', () => {
  const CASES: [string[], number][] = [
    [['--help'], 0],
    [['-h'], 0],
    [['help'], 0],
    [[], 2],
  ];
  for (const [args, code] of CASES)
    test(`dtmetrics ${args.join(' ')}: ends with the pointer to a command's help, exit ${code}`, async () => {
      const result = await dtmetrics(args);
      assert.equal(result.code, code);
      assert.ok(result.stdout.endsWith(HELP_END), result.stdout);
      assert.doesNotMatch(result.stdout, /Usage: dtmetrics lint/);
    });
});

describe('an unknown option or command: one line, with a suggestion when one name is clearly closest', () => {
  const CASES: [string[], string][] = [
    [
      ['lint', '--formt', 'json', 'x.dtmetrics'],
      "dtmetrics lint: unknown option '--formt' (did you mean --format?) (see 'dtmetrics lint --help')",
    ],
    [
      ['lint', '--formt=json', 'x.dtmetrics'],
      "dtmetrics lint: unknown option '--formt' (did you mean --format?) (see 'dtmetrics lint --help')",
    ],
    [
      ['lint', '--max-warning', '1', '-'],
      "dtmetrics lint: unknown option '--max-warning' (did you mean --max-warnings?) (see 'dtmetrics lint --help')",
    ],
    [['lint', '--bogus', 'x.dtmetrics'], "dtmetrics lint: unknown option '--bogus' (see 'dtmetrics lint --help')"],
    [['lint', '-x', 'x.dtmetrics'], "dtmetrics lint: unknown option '-x' (see 'dtmetrics lint --help')"],
    [
      ['push', '--dryrun', '-'],
      "dtmetrics push: unknown option '--dryrun' (did you mean --dry-run?) (see 'dtmetrics push --help')",
    ],
    [
      ['push', '--tokenenv', 'X', '-'],
      "dtmetrics push: unknown option '--tokenenv' (did you mean --token-env?) (see 'dtmetrics push --help')",
    ],
    [
      ['serve', '--prot', '1'],
      "dtmetrics serve: unknown option '--prot' (did you mean --port?) (see 'dtmetrics serve --help')",
    ],
    // `to` and `v1` are both one edit away: no guess.
    [['query', '--t1', 'x'], "dtmetrics query: unknown option '--t1' (see 'dtmetrics query --help')"],
    [['lnt', 'x.dtmetrics'], "dtmetrics: unknown command 'lnt' (did you mean lint?) (try 'dtmetrics --help')"],
    [['qeury', 'x'], "dtmetrics: unknown command 'qeury' (did you mean query?) (try 'dtmetrics --help')"],
    [['frobnicate'], "dtmetrics: unknown command 'frobnicate' (try 'dtmetrics --help')"],
  ];
  for (const [args, line] of CASES)
    test(`dtmetrics ${args.join(' ')}`, async () => {
      const result = await dtmetrics(args);
      assert.deepEqual(result, { code: 2, signal: null, stdout: '', stderr: `${line}\n` });
    });
});

describe('a token on the command line: refused with what to do instead, never echoed', () => {
  const SECRET = 'dt0c01.CLIWORDS.secret-value';
  const CASES: [string, string[]][] = [
    ['push', ['push', '--url', 'http://127.0.0.1:9', '--token', SECRET, '-']],
    ['push', ['push', `--token=${SECRET}`, '-']],
    ['query', ['query', '--url', 'http://127.0.0.1:9', '--token', SECRET, 'cpu.load']],
  ];
  for (const [command, args] of CASES)
    test(args.join(' ').replace(SECRET, '<token>'), async () => {
      const result = await dtmetrics(args);
      assert.deepEqual(result, {
        code: 2,
        signal: null,
        stdout: '',
        stderr: `dtmetrics ${command}: tokens are never taken on the command line (other users and the shell history would see them): put it in an environment variable and pass --token-env NAME (see 'dtmetrics ${command} --help')\n`,
      });
    });
});
