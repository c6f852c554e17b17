/**
 * The CLI's own words (issue 12, item 10): help ends where it should, an unknown option or command is one line with
 * a "did you mean" when one name is clearly closest, a token on the command line is refused with what to do instead
 * (and never echoed), counts agree with their nouns, push's report says a fate once and names
 * `--timestamps rebase` when lines are held back for stale timestamps. Through main.ts in this process; push runs
 * against the real local tenant, started in this process.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTenant, type Tenant } from '#tenant/server.ts';
import { TempDir } from './helpers.ts';
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

describe('push: counts agree with their nouns, a fate is said once, stale timestamps point to --timestamps rebase', () => {
  let tenant: Tenant;
  let tmp: TempDir;
  const STALE = 'cpu.stale 5 1000000000000';
  const HINT =
    'hint: --timestamps rebase shifts the timestamps of a file so that the newest is now (spacing kept), for lines held back by TS003\n';

  before(async () => {
    tenant = await startTenant({ port: 0, dataFile: null, tokens: new Map(), faults: true });
    tmp = new TempDir();
  });
  after(async () => {
    await tenant?.close();
    tmp?.remove();
  });

  const push = (name: string, lines: string[], ...options: string[]) => {
    tmp.write(name, lines.join('\n') + '\n');
    return dtmetrics(['push', '--url', tenant.url, ...options, name], { cwd: tmp.path });
  };

  test('one line accepted: "1 of 1 line", "1 request, 0 retries"', async () => {
    const { code, stdout } = await push('one.dtmetrics', ['cpu.load 5']);
    assert.equal(code, 0);
    assert.equal(
      stdout,
      `1 of 1 line accepted by ${tenant.url}/api/v2/metrics/ingest; 0 rejected, 0 held back, 0 unknown, 0 not sent (1 request, 0 retries)\n`,
    );
  });

  test('a line not sent: its reason follows the fate once', async () => {
    const answer = await fetch(`${tenant.url}/_dtmetrics/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ faults: [{ status: 413 }] }),
    });
    assert.equal(answer.status, 204);
    const { code, stdout } = await push('big.dtmetrics', ['cpu.load 5']);
    assert.equal(code, 1);
    assert.ok(
      stdout.startsWith('big.dtmetrics:1  not sent  413, the line alone is larger than the tenant takes\n'),
      stdout,
    );
  });

  const HELD: [string, string[], string[], boolean][] = [
    ['only stale lines', [STALE], [], true],
    ['stale lines among others', ['cpu.load 5', STALE, '1bad 5'], [], true],
    ['stale lines, dry run', [STALE, 'cpu.load 5'], ['--dry-run'], true],
    ['lines held back for other errors only', ['cpu.load 5', '1bad 5'], [], false],
    ['stale lines with --timestamps strip', [STALE], ['--timestamps', 'strip'], false],
  ];
  for (const [name, lines, options, hinted] of HELD)
    test(`${name}: ${hinted ? 'one hint line' : 'no hint'}`, async () => {
      const { stdout } = await push('held.dtmetrics', lines, ...options);
      assert.equal(stdout.split(HINT).length - 1, hinted ? 1 : 0, stdout);
    });
});
