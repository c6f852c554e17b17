/**
 * `dtmetrics stats` in this process: seed 004's figures through the command, each format, standard input, a price,
 * and each usage or input mistake as one line with exit 2. The analysis itself is tested on its fixtures
 * (test/core/stats.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dtmetrics } from './in-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'dtmetrics-stats-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const SEED = [
  'test/fixtures/stats/seed-004-web-1.dtmetrics',
  'test/fixtures/stats/seed-004-web-2.dtmetrics',
  'test/fixtures/stats/seed-004-web-3.dtmetrics',
];

describe('dtmetrics stats', () => {
  it("writes seed 004's 13 series as a table, per dimension under its metric, with a total and what it rests on", async () => {
    const run = await dtmetrics(['stats', '--interval', '1m', ...SEED]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.equal(
      run.stdout,
      [
        'metric / dimension     series  dims  values  ×series  points/day  points/year  DDU/year  notes',
        'service.request.count      13     3                       18,720    6,832,800   6,832.8',
        '  host                                    3    ×2.17',
        '  service                                 2    ×1.63',
        '  status                                  3    ×2.17',
        'total (1 metric)           13                             18,720    6,832,800   6,832.8',
        '',
        '24 lines read: 17 data lines counted.',
        '17 lines without a timestamp: sent every 60 s (--interval); sends within a minute are one point per series.',
        "Points after the 1-minute dedup; a year is 525,600 minutes; 0.001 DDU a point (Classic); series are < 0.01 % of the environment's 50,000,000 tuples.",
        '',
      ].join('\n'),
    );
  });

  it('the first host alone: 6 series; without --interval there is no projection, and it says why', async () => {
    const run = await dtmetrics(['stats', SEED[0] as string]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^service\.request\.count +6 +3 +— +— +— +no cadence: give --interval$/m);
    assert.match(run.stdout, /^9 lines without a timestamp: no cadence given \(--interval\)/m);
  });

  it('Markdown, for a pull request: keys in code, dimensions marked, a cost column with a price', async () => {
    const run = await dtmetrics([
      'stats',
      '--format',
      'markdown',
      '--interval',
      '60s',
      '--price-per-point',
      '0.000002',
      ...SEED,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n');
    assert.equal(
      lines[0],
      '| metric / dimension | series | dims | values | ×series | points/day | points/year | DDU/year | cost/year | notes |',
    );
    assert.equal(lines[1], '|---|--:|--:|--:|--:|--:|--:|--:|--:|---|');
    assert.equal(lines[2], '| `service.request.count` | 13 | 3 |  |  | 18,720 | 6,832,800 | 6,832.8 | 13.67 |  |');
    assert.equal(lines[3], '|  ↳ `host` |  |  | 3 | ×2.17 |  |  |  |  |  |'.replace('|  ↳', '| ↳'));
    assert.match(run.stdout, /^\| total \(1 metric\) \| 13 \|/m);
  });

  it('JSON: the options and the whole report, read from standard input', async () => {
    const stdin = SEED.map((file) => readFileSync(file, 'utf8')).join('');
    const run = await dtmetrics(['stats', '--format', 'json', '--interval', '5m', '-'], { stdin });
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as {
      intervalMs: number;
      metrics: { key: string; series: number; pointsPerDay: number }[];
      totals: { series: number };
    };
    assert.equal(json.intervalMs, 300_000);
    assert.equal(json.metrics[0]?.key, 'service.request.count');
    assert.equal(json.metrics[0]?.series, 13);
    assert.equal(json.metrics[0]?.pointsPerDay, (13 * 1_440) / 5);
    assert.equal(json.totals.series, 13);
  });

  for (const [args, message] of [
    [['--format', 'xml', SEED[0]], /^dtmetrics: --format must be one of table, markdown, json, sarif, not 'xml'\n$/],
    [
      ['--interval', '5', SEED[0]],
      /^dtmetrics: --interval: '5' is not a duration: use a whole number and ms, s, m, h or d/,
    ],
    [['--interval', '0s', SEED[0]], /^dtmetrics: --interval: '0s' is not a duration/],
    [['--price-per-point=-1', SEED[0]], /^dtmetrics: --price-per-point takes a number of 0 or more/],
    [['--bsae', 'x', SEED[0]], /^dtmetrics stats: unknown option '--bsae' \(did you mean --base\?\)/],
    [['--max-new-series', '3', SEED[0]], /^dtmetrics: --max-new-series needs --base/],
    [['--base', '-', SEED[0]], /^dtmetrics: --base takes files, directories or glob patterns, not '-'/],
    [['--base', SEED[0], '--max-new-series', 'many', SEED[0]], /^dtmetrics: --max-new-series takes a whole number/],
    [[], /^dtmetrics: no files given/],
    [['test/fixtures/stats/no-such-file.dtmetrics'], /^dtmetrics: .*no-such-file\.dtmetrics/],
  ] as const) {
    it(`one line and exit 2: ${args.join(' ') || '(no files)'}`, async () => {
      const run = await dtmetrics(['stats', ...(args as readonly string[])]);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, message);
      assert.equal(run.stderr.split('\n').length, 2, run.stderr);
    });
  }

  it('--base: what a change adds per metric, and --max-new-series fails the one that adds a volatile dimension', async () => {
    const routes = ['/cart', '/checkout', '/search'];
    const before = file('before.dtmetrics', routes.map((r) => `app.requests,route=${r} count,delta=1\n`).join(''));
    const uuid = (i: number) => `3f2504e0-4f89-11d3-9a0c-0305e82c33${String(i).padStart(2, '0')}`;
    const after = file(
      'after.dtmetrics',
      Array.from(
        { length: 12 },
        (_, i) => `app.requests,route=${routes[i % 3]},request_id=${uuid(i)} count,delta=1\n`,
      ).join('') + 'app.errors,route=/cart count,delta=1\n',
    );
    const gate = ['stats', '--interval', '1m', '--base', before, '--max-new-series', '5', after];
    const run = await dtmetrics(gate);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stdout,
      /^app\.requests\.count +12 +2 +17,280 +6,307,200 +6,307\.2 +12 +\+4,730,400 +\+17,280 series\/day: 1 M in 57\.9 days$/m,
    );
    assert.match(run.stdout, /^ {2}request_id +12 +×4\.00 +volatile: 100 % of values are UUIDs$/m);
    assert.match(run.stdout, /^app\.errors\.count +1 +1 +1,440 +525,600 +525\.6 +1 +\+525,600$/m);
    assert.match(run.stdout, /Over --max-new-series 5: app\.requests\.count\.$/m);
    const json = JSON.parse((await dtmetrics([...gate, '--format', 'json'])).stdout) as {
      base: string[];
      totals: { change: { newSeries: number; pointsPerYear: number } };
    };
    assert.deepEqual(json.base, [before]);
    assert.deepEqual(json.totals.change, {
      newSeries: 13,
      pointsPerYear: 12 * 525_600 + 525_600 - 3 * 525_600,
      estimated: false,
      pointsEstimated: false,
    });
    assert.equal((await dtmetrics(['stats', '--base', after, '--max-new-series', '0', after])).code, 0);
  });

  it('--max-new-series past the exact bound: series replaced by as many new ones fail it, counted with ~', async () => {
    const lines = (prefix: string) =>
      Array.from({ length: 120_000 }, (_, i) => `big.metric,id=${prefix}${i} gauge,1\n`).join('');
    const before = file('big-before.dtmetrics', lines('v'));
    const after = file('big-after.dtmetrics', lines('w'));
    const run = await dtmetrics(['stats', '--interval', '1m', '--base', before, '--max-new-series', '1000', after]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^big\.metric +~1[12]\d,\d{3} .* ~1[12]\d,\d{3} +~[+-]?[\d,]+ +estimated$/m);
    assert.match(run.stdout, /~: estimated/);
    assert.match(run.stdout, /Over --max-new-series 1000: big\.metric\.$/m);
  });

  it('--base: a metric only in the base is a row of its own, removed, its points a year subtracted', async () => {
    const before = file('two.dtmetrics', 'kept.metric,x=1 gauge,1\ngone.metric,x=1 gauge,1\ngone.metric,x=2 gauge,1\n');
    const after = file('one.dtmetrics', 'kept.metric,x=1 gauge,1\n');
    const run = await dtmetrics(['stats', '--interval', '1m', '--base', before, after]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^gone\.metric +0 +0 +0 +0 +0\.0 +0 +-1,051,200 +only in --base: removed$/m);
    assert.match(run.stdout, /^total \(1 metric\) +1 +1,440 +525,600 +525\.6 +0 +-1,051,200$/m);
    // No cadence for the lines after (no --interval): totals compare nothing rather than all before with none after.
    const json = JSON.parse((await dtmetrics(['stats', '--format', 'json', '--base', before, after])).stdout) as {
      totals: { change: { pointsPerYear: number | null } };
    };
    assert.equal(json.totals.change.pointsPerYear, null);
  });

  it("a host-bound metric says Classic takes it first from its hosts' included metrics", async () => {
    const run = await dtmetrics(['stats', '--interval', '1m', '-'], {
      stdin: 'disk.free,dt.entity.host=HOST-0123456789ABCDEF,mount=/ 12\nqueue.depth,queue=a 3\n',
    });
    assert.equal(run.code, 0, run.stderr);
    const rows = run.stdout.split('\n');
    assert.match(
      rows.find((row) => row.startsWith('disk.free')) ?? '',
      /host-bound: Classic takes it first from its hosts' included metrics \(1,000 a Full-Stack host unit, 200 an Infrastructure host\) before DDU$/,
    );
    assert.doesNotMatch(rows.find((row) => row.startsWith('queue.depth')) ?? '', /host-bound/);
  });

  it('an empty input is no line read', async () => {
    const run = await dtmetrics(['stats', file('empty.dtmetrics', '')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^0 lines read: 0 data lines counted\.$/m);
  });

  it('--help', async () => {
    const run = await dtmetrics(['stats', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: dtmetrics stats /);
  });
});
