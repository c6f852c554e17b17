/**
 * `dtmetrics stats` in this process: seed 004's figures through the command, each format, standard input, a price,
 * and each usage or input mistake as one line with exit 2. The analysis itself is tested on its fixtures
 * (test/core/stats.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dtmetrics } from './in-process.ts';

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
    const { readFileSync } = await import('node:fs');
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
    [['--format', 'xml', SEED[0]], /^dtmetrics: --format must be one of table, markdown, json, not 'xml'\n$/],
    [
      ['--interval', '5', SEED[0]],
      /^dtmetrics: --interval: '5' is not a duration: use a whole number and ms, s, m, h or d/,
    ],
    [['--interval', '0s', SEED[0]], /^dtmetrics: --interval: '0s' is not a duration/],
    [['--price-per-point=-1', SEED[0]], /^dtmetrics: --price-per-point takes a number of 0 or more/],
    [['--base', 'x', SEED[0]], /^dtmetrics stats: unknown option '--base'/],
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

  it('--help', async () => {
    const run = await dtmetrics(['stats', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: dtmetrics stats /);
  });
});
