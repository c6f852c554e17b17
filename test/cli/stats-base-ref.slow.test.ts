/**
 * `dtmetrics stats --base-ref`: the built binary against real git in a repository of the test's making. A change
 * that adds a volatile dimension fails the gate with its new series and points a year in a pull-request comment;
 * one that adds no series passes; files new or deleted in the change, a run from a subdirectory, the base's bytes
 * read as lint reads files; each mistake one line and exit 2.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { assertBuilt, assertGitHubReady, runCli, sarifValidator, type SarifLog } from './helpers.ts';

assertBuilt();

const TMP = mkdtempSync(join(tmpdir(), 'dtmetrics-base-ref-'));
after(() => rmSync(TMP, { recursive: true, force: true }));
/** git finds no repository above the test's directories (whatever holds the temporary directory). */
const env = { GIT_CEILING_DIRECTORIES: TMP };

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    env: { ...process.env, ...env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    encoding: 'utf8',
  });

let repos = 0;
/** A repository whose first commit holds `files` (path → text). */
function repository(files: Record<string, string | Uint8Array>): string {
  const root = join(TMP, `repo-${++repos}`);
  mkdirSync(root);
  git(root, 'init', '--quiet');
  write(root, files);
  git(root, 'add', '--all');
  git(root, 'commit', '--quiet', '--no-gpg-sign', '--message', 'metrics before the change');
  return root;
}

function write(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

const ROUTES = ['/cart', '/checkout', '/search'];
const requests = ROUTES.map((route) => `app.requests,route=${route} count,delta=1\n`).join('');
const uuid = (i: number) => `3f2504e0-4f89-11d3-9a0c-0305e82c33${String(i).padStart(2, '0')}`;
/** The change under review: each request line gains a request_id, a UUID a request. */
const withRequestIds = Array.from(
  { length: 12 },
  (_, i) => `app.requests,route=${ROUTES[i % 3]},request_id=${uuid(i)} count,delta=1\n`,
).join('');

/** Exit 2 and one line on standard error, nothing on standard output. */
function assertUsageError(run: { code: number | null; stdout: string; stderr: string }, message: RegExp): void {
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, '');
  assert.match(run.stderr.trimEnd(), message);
  assert.equal(run.stderr.split('\n').length, 2, run.stderr);
}

describe('dtmetrics stats --base-ref', () => {
  it('a change that adds a volatile dimension fails --max-new-series, its new series and points a year in the comment', async () => {
    const root = repository({
      'metrics/app.dtmetrics': requests,
      'metrics/legacy/old.dtmetrics': 'legacy.queue,queue=q1 gauge,3\nlegacy.queue,queue=q2 gauge,4\n',
      'README.txt': 'not metric lines\n',
    });
    write(root, {
      'metrics/app.dtmetrics': withRequestIds,
      'metrics/new.dtmetrics': 'app.errors,route=/cart count,delta=1\n',
    });
    git(root, 'rm', '--quiet', 'metrics/legacy/old.dtmetrics');

    const args = ['stats', '--interval', '1m', '--base-ref', 'HEAD', '--max-new-series', '5', 'metrics'];
    const run = await runCli([...args, '--format', 'markdown'], { cwd: root, env });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, '');
    const lines = run.stdout.split('\n');
    assert.equal(lines[0], '### dtmetrics stats: series and data points against `HEAD`');
    assert.equal(lines[2], '**13 new series** in 2 metrics; **+4,204,800 points/year**.');
    assert.equal(lines[4], '❌ **Over `--max-new-series 5`**: `app.requests.count` (+12).');
    // The metric that gains most comes first, its volatile key named; the deleted file's metric counts as removed.
    assert.equal(
      lines[8],
      '| `app.requests.count` | 12 | 2 |  |  | 17,280 | 6,307,200 | 6,307.2 | 12 | +4,730,400 | +17,280 series/day: 1 M in 57.9 days |',
    );
    assert.match(run.stdout, /^\| ↳ `request_id` \|.* volatile: 100 % of values are UUIDs \|$/m);
    assert.match(run.stdout, /^\| `app\.errors\.count` \| 1 \|.* \| 1 \| \+525,600 \| {2}\|$/m);
    assert.match(run.stdout, /^\| `legacy\.queue` \| 0 \|.* \| 0 \| -1,051,200 \| only in --base: removed \|$/m);
    assert.match(run.stdout, /^Against --base-ref HEAD \(2 files\): new series are tuples the base has not/m);

    const json = JSON.parse((await runCli([...args, '--format', 'json'], { cwd: root, env })).stdout) as {
      baseRef: string;
      base: string[];
      maxNewSeries: number;
      totals: { change: { newSeries: number; pointsPerYear: number } };
    };
    // The file new in the change has no base; the one deleted in it is part of it.
    assert.deepEqual(json.base, ['HEAD:metrics/app.dtmetrics', 'HEAD:metrics/legacy/old.dtmetrics']);
    assert.equal(json.baseRef, 'HEAD');
    assert.equal(json.maxNewSeries, 5);
    assert.deepEqual(json.totals.change, {
      newSeries: 13,
      pointsPerYear: (12 + 1 - 3 - 2) * 525_600,
      estimated: false,
      pointsEstimated: false,
    });

    // The table says the same, the gate's verdict at its end.
    const table = await runCli(args, { cwd: root, env });
    assert.equal(table.code, 1);
    assert.match(table.stdout, /^app\.requests\.count +12 .* 12 +\+4,730,400 +\+17,280 series\/day/m);
    assert.match(table.stdout, /Over --max-new-series 5: app\.requests\.count\.$/m);

    // For code scanning: each metric that gains series at its first line, the one over the gate an error, exit 1.
    const sarif = await runCli([...args, '--format', 'sarif'], { cwd: root, env });
    assert.equal(sarif.code, 1, sarif.stderr);
    const log = JSON.parse(sarif.stdout) as SarifLog;
    assert.ok(sarifValidator()(log), 'valid SARIF 2.1.0');
    assertGitHubReady(log);
    const results = log.runs[0]?.results ?? [];
    assert.deepEqual(
      results.map((r) => {
        const { artifactLocation, region } = r.locations[0]?.physicalLocation ?? assert.fail('a location');
        return `${artifactLocation.uri} ${region?.startLine}:${region?.startColumn} ${r.level} ${r.ruleId}`;
      }),
      [
        'metrics/app.dtmetrics 1:1 error MK016',
        'metrics/app.dtmetrics 1:26 note MK015',
        'metrics/new.dtmetrics 1:1 warning MK016',
      ],
    );
    assert.equal(
      results[0]?.message.text,
      '`app.requests.count` gains 12 new series (+4,730,400 points/year) against HEAD: more than --max-new-series 5.',
    );

    // --base files give the same comment, headed by the option.
    const before = join(TMP, 'before.dtmetrics');
    writeFileSync(before, requests);
    const files = await runCli(
      [
        'stats',
        '--interval',
        '1m',
        '--base',
        before,
        '--max-new-series',
        '5',
        '--format',
        'markdown',
        'metrics/app.dtmetrics',
      ],
      { cwd: root, env },
    );
    assert.equal(files.code, 1);
    assert.deepEqual(files.stdout.split('\n').slice(0, 5), [
      '### dtmetrics stats: series and data points against --base',
      '',
      '**12 new series** in 1 metric; **+4,730,400 points/year**.',
      '',
      '❌ **Over `--max-new-series 5`**: `app.requests.count` (+12).',
    ]);
  });

  it('a file named on the command line that the change deleted counts in the base only', async () => {
    const root = repository({ 'm/keep.dtmetrics': requests, 'm/old.dtmetrics': 'old.metric,host=a 1\n' });
    git(root, 'rm', '--quiet', 'm/old.dtmetrics');
    const run = await runCli(
      ['stats', '--interval', '1m', '--base-ref', 'HEAD', '--format', 'json', 'm/keep.dtmetrics', 'm/old.dtmetrics'],
      { cwd: root, env },
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { metrics: { key: string; series: number; removed?: boolean }[] };
    assert.deepEqual(
      report.metrics.map((m) => [m.key, m.series, m.removed === true]),
      [
        ['app.requests.count', 3, false],
        ['old.metric', 0, true],
      ],
    );
  });

  it('a change that adds no series passes, the base read as lint reads files (BOM, CRLF, many chunks)', async () => {
    const hosts = Array.from({ length: 5_000 }, (_, i) => `host.cpu,host=h${i} gauge,${i}\n`).join('');
    const root = repository({
      'metrics/app.dtmetrics': `\ufeff${requests.replaceAll('\n', '\r\n')}`,
      'metrics/hosts.dtmetrics': hosts,
    });
    // New values, the same tuples; the file's BOM and line ends as an editor might leave them.
    write(root, {
      'metrics/app.dtmetrics': requests.replaceAll('delta=1', 'delta=7'),
      'metrics/hosts.dtmetrics': hosts.replaceAll('gauge,', 'gauge,1'),
    });
    const run = await runCli(
      ['stats', '--interval', '1m', '--base-ref', 'HEAD', '--max-new-series', '0', '--format', 'markdown', '.'],
      { cwd: root, env },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\*\*No new series\*\*; \*\*0 points\/year\*\*\.$/m);
    assert.match(run.stdout, /^✅ No metric gains more than 0 new series \(`--max-new-series 0`\)\.$/m);
    assert.match(run.stdout, /^\| `host\.cpu` \| 5,000 \|.* \| 0 \| 0 \| {2}\|$/m);
  });

  it('from a subdirectory: paths and globs are the working directory’s, at an older commit too', async () => {
    const root = repository({
      'metrics/app.dtmetrics': requests,
      'metrics/more/b.dtmetrics': 'b.metric gauge,1\n',
      'metrics/.hidden/c.dtmetrics': 'c.metric gauge,1\n',
    });
    write(root, { 'metrics/app.dtmetrics': withRequestIds });
    git(root, 'commit', '--quiet', '--no-gpg-sign', '--all', '--message', 'request ids');
    const cwd = join(root, 'metrics');
    const base = async (ref: string, ...inputs: string[]) => {
      const run = await runCli(['stats', '--format', 'json', '--base-ref', ref, ...inputs], { cwd, env });
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(run.stdout) as { base: string[]; totals: { change: { newSeries: number } } };
      return [json.base, json.totals.change.newSeries];
    };
    assert.deepEqual(await base('HEAD~1', '.'), [
      ['HEAD~1:metrics/.hidden/c.dtmetrics', 'HEAD~1:metrics/app.dtmetrics', 'HEAD~1:metrics/more/b.dtmetrics'],
      12,
    ]);
    // A glob's * stays in its directory, as tinyglobby's does on disk.
    assert.deepEqual(await base('HEAD~1', '*.dtmetrics'), [['HEAD~1:metrics/app.dtmetrics'], 12]);
    assert.deepEqual(await base('HEAD~1', 'more/b.dtmetrics'), [['HEAD~1:metrics/more/b.dtmetrics'], 0]);
    // {a,b} as tinyglobby reads it (git's pathspecs have no braces); ** crosses directories.
    assert.deepEqual(await base('HEAD~1', '{app,more/b}.dtmetrics'), [
      ['HEAD~1:metrics/app.dtmetrics', 'HEAD~1:metrics/more/b.dtmetrics'],
      12,
    ]);
    assert.deepEqual(await base('HEAD~1', '**/b.dtmetrics'), [['HEAD~1:metrics/more/b.dtmetrics'], 0]);
    // Its wildcards pass over names with a leading dot, unless the pattern spells one.
    assert.deepEqual((await base('HEAD~1', '**/*.dtmetrics'))[0], [
      'HEAD~1:metrics/app.dtmetrics',
      'HEAD~1:metrics/more/b.dtmetrics',
    ]);
    assert.deepEqual(await base('HEAD~1', '.hidden/*.dtmetrics'), [['HEAD~1:metrics/.hidden/c.dtmetrics'], 0]);
    assert.deepEqual(await base('HEAD', join(cwd, 'app.dtmetrics')), [['HEAD:metrics/app.dtmetrics'], 0]);
  });

  it('a binary file at the ref stops the run, named as git names it', async () => {
    const root = repository({ 'a.dtmetrics': new Uint8Array(1024) });
    write(root, { 'a.dtmetrics': requests });
    assertUsageError(
      await runCli(['stats', '--base-ref', 'HEAD', 'a.dtmetrics'], { cwd: root, env }),
      /^dtmetrics: 'HEAD:a\.dtmetrics' looks like a binary file, not metric lines/,
    );
  });

  const root = repository({ 'a.dtmetrics': requests });
  const outside = join(TMP, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'a.dtmetrics'), requests);
  const noGit = join(TMP, 'no-git-on-path');
  mkdirSync(noGit);
  const a = 'a.dtmetrics';
  for (const [name, args, options, message] of [
    [
      'not a git repository',
      ['--base-ref', 'HEAD', a],
      { cwd: outside },
      /^dtmetrics: --base-ref needs a git repository, and '.*outside' is not in one$/,
    ],
    [
      'an unknown ref',
      ['--base-ref', 'no-such-branch', a],
      {},
      /^dtmetrics: --base-ref: no commit 'no-such-branch' in this repository \(a shallow checkout/,
    ],
    [
      'git not installed',
      ['--base-ref', 'HEAD', a],
      { env: { PATH: noGit } },
      /^dtmetrics: --base-ref needs git, and there is no 'git' on PATH/,
    ],
    [
      'standard input',
      ['--base-ref', 'HEAD', '-'],
      {},
      /^dtmetrics: --base-ref reads the inputs as they are at a git ref, and standard input \('-'\) is not there/,
    ],
    [
      'with --base',
      ['--base-ref', 'HEAD', '--base', a, a],
      {},
      /^dtmetrics: --base and --base-ref both give the lines before a change: use one$/,
    ],
    [
      'an input outside the repository',
      ['--base-ref', 'HEAD', join(outside, a)],
      {},
      /^dtmetrics: --base-ref: '.*outside\/a\.dtmetrics' is outside the git repository/,
    ],
    [
      'a ref like an option',
      ['--base-ref=--all', a],
      {},
      /^dtmetrics: --base-ref takes a git ref \(origin\/main, HEAD~1, a commit\), not '--all'$/,
    ],
  ] as const) {
    it(`one line and exit 2: ${name}`, async () => {
      const run = await runCli(['stats', ...args], {
        cwd: 'cwd' in options ? options.cwd : root,
        env: { ...env, ...('env' in options ? options.env : {}) },
      });
      assertUsageError(run, message);
    });
  }
});
