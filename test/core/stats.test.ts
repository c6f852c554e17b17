/**
 * The cost and cardinality analysis (core/stats/): fixtures in (test/fixtures/stats), figures out. Each case's whole
 * report is the `.expected.json` beside its fixtures (`UPDATE_FIXTURES=1` writes it from the code); the figures a
 * source or the issue states are asserted by hand as well: seed 004's 13 and 6 series, the docs' 11 days for a
 * timestamp as a dimension, 525.6 DDU a year for one series at one point a minute.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDataSet } from '../../bench/generate-metrics.ts';
import { StatsAnalyzer, type MetricStats, type StatsOptions, type StatsReport } from '#core/stats/analysis.ts';
import { dimensionNotes } from '#core/stats/describe.ts';
import { DistinctBudget } from '#core/stats/distinct.ts';
import { valueShape } from '#core/stats/shapes.ts';
import { splitLines } from '#core/text.ts';
import { BLESS, expectFixture } from './fixture-format.ts';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'stats');
const MINUTE = 60_000;

function read(files: readonly string[]): StatsAnalyzer {
  const analyzer = new StatsAnalyzer();
  for (const file of files)
    for (const line of splitLines(readFileSync(join(DIR, file), 'utf8'))) analyzer.addLine(line);
  return analyzer;
}

function analyseFile(path: string): StatsAnalyzer {
  const analyzer = new StatsAnalyzer();
  for (const line of splitLines(readFileSync(path, 'utf8'))) analyzer.addLine(line);
  return analyzer;
}

const analyse = (files: readonly string[], options: StatsOptions): StatsReport => read(files).report(options);

const SEED_004 = ['seed-004-web-1.dtmetrics', 'seed-004-web-2.dtmetrics', 'seed-004-web-3.dtmetrics'];
const EACH_MINUTE: StatsOptions = { intervalMs: MINUTE, pricePerPoint: null };

const CASES: { name: string; files: readonly string[]; options: StatsOptions }[] = [
  { name: 'seed-004', files: SEED_004, options: EACH_MINUTE },
  { name: 'seed-004-web-1', files: [SEED_004[0] as string], options: { intervalMs: null, pricePerPoint: null } },
  { name: 'epoch-dimension', files: ['epoch-dimension.dtmetrics'], options: { intervalMs: null, pricePerPoint: 1e-6 } },
  {
    name: 'dependent-dimensions',
    files: ['dependent-dimensions.dtmetrics'],
    options: { intervalMs: 5 * MINUTE, pricePerPoint: null },
  },
  {
    name: 'volatile-values',
    files: ['volatile-values.dtmetrics'],
    options: { intervalMs: 30_000, pricePerPoint: null },
  },
];

const only = (report: StatsReport): MetricStats => {
  assert.equal(report.metrics.length, 1);
  return report.metrics[0] as MetricStats;
};
const dimension = (metric: MetricStats, key: string) => {
  const found = metric.dimensions.find((d) => d.key === key);
  assert.ok(found, `no dimension ${key}`);
  return found;
};

describe('stats: fixtures in, figures out', () => {
  for (const { name, files, options } of CASES) {
    it(name, () => {
      const expected = join(DIR, `${name}.expected.json`);
      if (!existsSync(expected)) {
        assert.ok(BLESS, `${expected} is missing: run with UPDATE_FIXTURES=1 to write it`);
        writeFileSync(expected, '');
      }
      expectFixture(
        expected,
        () => JSON.stringify({ files, options, report: analyse(files, options) }, null, 2) + '\n',
      );
    });
  }
});

describe('stats: the figures the sources state', () => {
  it('seed 004: three hosts make 13 series, the first alone 6, whatever the order of dimensions or an empty one', () => {
    const all = only(analyse(SEED_004, EACH_MINUTE));
    assert.equal(all.key, 'service.request.count');
    assert.equal(all.series, 13);
    assert.equal(all.lines, 17);
    assert.deepEqual(
      all.dimensions.map((d) => [d.key, d.values]),
      [
        ['host', 3],
        ['service', 2],
        ['status', 3],
      ],
    );
    // 13 series at one point a minute: 13 × 525,600 points, 0.001 DDU each (DOC D24).
    assert.equal(all.pointsPerYear, 13 * 525_600);
    assert.equal(all.dduPerYear, 13 * 525.6);
    assert.equal(only(analyse([SEED_004[0] as string], EACH_MINUTE)).series, 6);
  });

  it('a count keeps a key that ends in .count; a gauge of that name is stored with .gauge', () => {
    const analyzer = new StatsAnalyzer();
    analyzer.addLine('jobs.count,q=a count,delta=1');
    analyzer.addLine('jobs.count,q=a gauge,1');
    analyzer.addLine('jobs,q=a count,delta=1');
    assert.deepEqual(
      analyzer
        .report(EACH_MINUTE)
        .metrics.map((m) => m.key)
        .sort(),
      ['jobs.count', 'jobs.count.gauge'],
    );
  });

  it("the docs' timestamp as a dimension, a new value each second, reaches 1 M tuples in about 11 days (DOC D5)", () => {
    const metric = only(analyse(['epoch-dimension.dtmetrics'], { intervalMs: null, pricePerPoint: 1e-6 }));
    assert.equal(metric.series, 180);
    assert.equal(metric.newSeriesPerDay, 86_400);
    assert.equal(Math.floor(metric.daysToTupleLimit ?? 0), 11);
    assert.deepEqual(dimension(metric, 'measured_at').volatile, { reason: 'timestamp', share: 1 });
    assert.equal(dimension(metric, 'measured_at').multiplier, 180);
    // 180 lines over 3 minutes, each its own series: 60 points a minute, at the cadence of the timestamps.
    assert.equal(metric.cadence, 'timestamps');
    assert.equal(metric.pointsPerDay, 86_400);
    assert.ok(Math.abs((metric.costPerYear ?? 0) - 60 * 525_600 * 1e-6) < 1e-9);
  });

  it('names the dimensions others determine, one way only where the data says so', () => {
    const metric = only(analyse(['dependent-dimensions.dtmetrics'], EACH_MINUTE));
    assert.deepEqual(dimension(metric, 'region').determinedBy, ['host']);
    assert.deepEqual(dimension(metric, 'service.name').determinedBy, ['service.id']);
    assert.deepEqual(dimension(metric, 'host').determinedBy, []);
    assert.equal(dimension(metric, 'region').multiplier, 1);
  });

  it('of a host name and its entity, one value each way, the entity is the one to keep', () => {
    const analyzer = new StatsAnalyzer();
    for (const [host, entity] of [
      ['a', 'HOST-0000000000000001'],
      ['b', 'HOST-0000000000000002'],
    ])
      for (const cpu of ['1', '2']) analyzer.addLine(`cpu.t,host=${host},dt.entity.host=${entity},cpu=${cpu} 1`);
    const metric = only(analyzer.report(EACH_MINUTE));
    const notes = (key: string) => dimensionNotes(dimension(metric, key), metric.dimensions);
    assert.equal(
      notes('host'),
      'determined by dt.entity.host (one value each way with dt.entity.host: drop this one, the entity stays)',
    );
    assert.equal(
      notes('dt.entity.host'),
      'determined by host (one value each way with host: keep this one, the entity)',
    );
  });

  it('flags UUIDs and IPs as volatile; a few status codes are not', () => {
    const metric = only(analyse(['volatile-values.dtmetrics'], EACH_MINUTE));
    assert.equal(dimension(metric, 'request_id').volatile?.reason, 'uuid');
    assert.equal(dimension(metric, 'client').volatile?.reason, 'ip');
    assert.equal(dimension(metric, 'tier').volatile, null);
    assert.equal(only(analyse(SEED_004, EACH_MINUTE)).dimensions.filter((d) => d.volatile !== null).length, 0);
  });

  it('Dynatrace entity ids and dt.entity.* keys are names: never volatile, no series renewed at each send', () => {
    const analyzer = new StatsAnalyzer();
    for (const host of ['1234567890ABCDEF', '0234567890ABCDEF', 'A234567890ABCDEF'])
      analyzer.addLine(
        `a.b,dt.entity.host=HOST-${host},dt.entity.process_group_instance=PROCESS_GROUP_INSTANCE-${host} gauge,1`,
      );
    const metric = only(analyzer.report(EACH_MINUTE));
    assert.deepEqual(
      metric.dimensions.map((d) => d.volatile),
      [null, null],
    );
    assert.equal(metric.newSeriesPerDay, null);
    assert.equal(valueShape('HOST-1234567890ABCDEF'), null);
  });

  it('ids (pods) sent every interval are not renewed; UUIDs on one line each are', () => {
    const pods = new StatsAnalyzer();
    for (let i = 0; i < 30; i++) pods.addLine(`a.b,pod=checkout-7d9f8b6c5d-x2k${String(i).padStart(2, '0')}p gauge,1`);
    assert.equal(only(pods.report(EACH_MINUTE)).newSeriesPerDay, null);
    const requests = new StatsAnalyzer();
    for (let i = 0; i < 30; i++)
      requests.addLine(`a.b,request=3f2504e0-4f89-11d3-9a0c-0305e82c33${String(i).padStart(2, '0')} gauge,1`);
    assert.equal(only(requests.report(EACH_MINUTE)).newSeriesPerDay, 30 * 1_440);
    // The same few UUIDs on many lines: a fixed set, not renewed.
    const fixed = new StatsAnalyzer();
    for (let i = 0; i < 30; i++)
      fixed.addLine(`a.b,request=3f2504e0-4f89-11d3-9a0c-0305e82c330${i % 3},n=${i} gauge,1`);
    assert.equal(only(fixed.report(EACH_MINUTE)).newSeriesPerDay, null);
  });

  it('growth: only new series that keep coming, at their rate in the second half, exact or past the bound', () => {
    const t = 1_767_222_000_000;
    // 20,000 new series a minute for 10 minutes: 28.8 M a day, though 200,000 series are past the exact bound.
    const growing = new StatsAnalyzer();
    for (let m = 0; m < 10; m++)
      for (let i = 0; i < 20_000; i++) growing.addLine(`a.b,id=m${m}v${i} gauge,1 ${t + m * MINUTE}`);
    const rate = only(growing.report(EACH_MINUTE)).newSeriesPerDay ?? 0;
    assert.ok(Math.abs(rate - 28_800_000) / 28_800_000 < 0.05, `growth ${rate}`);
    // Fixed series, two joining in the first half (a late start): no growth.
    const fixed = new StatsAnalyzer();
    for (let m = 0; m < 10; m++)
      for (const host of ['h1', 'h2', ...(m >= 1 ? ['h3'] : []), ...(m >= 3 ? ['h4'] : [])])
        fixed.addLine(`a.b,host=${host} gauge,1 ${t + m * MINUTE}`);
    assert.equal(only(fixed.report(EACH_MINUTE)).newSeriesPerDay, null);
  });

  it("the benchmark generator's stable pods and hosts: no growth", () => {
    const dir = mkdtempSync(join(tmpdir(), 'dtmetrics-stats-bench-'));
    try {
      const { full } = ensureDataSet(dir, 4, 3_000_000);
      const growing = analyseFile(join(dir, full.file))
        .report(EACH_MINUTE)
        .metrics.filter((m) => m.newSeriesPerDay !== null)
        .map((m) => m.key);
      assert.deepEqual(growing, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a tuple on timestamped lines and on lines without one makes at most one point a minute', () => {
    const analyzer = new StatsAnalyzer();
    const t = 1_767_222_000_000;
    analyzer.addLine(`a.b,x=1 gauge,1 ${t}`);
    analyzer.addLine(`a.b,x=1 gauge,1 ${t + MINUTE}`);
    analyzer.addLine('a.b,x=1 gauge,1');
    const metric = only(analyzer.report(EACH_MINUTE));
    assert.equal(metric.cadence, 'timestamps and interval');
    assert.equal(metric.pointsPerDay, 1_440);
  });

  it('a key repeated on a line keeps its first value, as the tenant does', () => {
    const analyzer = new StatsAnalyzer();
    for (const line of ['a.b,x=1,x=2,y=1 gauge,1', 'a.b,x=1,y=1 gauge,1', 'a.b,x=3,y=2,x=4 gauge,1'])
      analyzer.addLine(line);
    const metric = only(analyzer.report(EACH_MINUTE));
    assert.equal(metric.series, 2);
    assert.deepEqual(
      metric.dimensions.map((d) => [d.key, d.values, d.determinedBy]),
      [
        ['x', 2, ['y']],
        ['y', 2, ['x']],
      ],
    );
  });

  it('dedups the same tuple within a minute, not across minutes; sends within a minute are one point', () => {
    const analyzer = new StatsAnalyzer();
    const t = 1_732_300_020_000;
    for (const at of [t, t + 10_000, t + 50_000, t + MINUTE, t + 2 * MINUTE]) analyzer.addLine(`a.b,x=1 gauge,1 ${at}`);
    const metric = only(analyzer.report(EACH_MINUTE));
    assert.equal(metric.points, 3);
    assert.equal(metric.pointsPerDay, 1_440);
    const untimed = new StatsAnalyzer();
    untimed.addLine('a.b,x=1 gauge,1');
    untimed.addLine('a.b,x=2 gauge,1');
    assert.equal(only(untimed.report({ intervalMs: 10_000, pricePerPoint: null })).pointsPerDay, 2 * 1_440);
    assert.equal(only(untimed.report({ intervalMs: 5 * MINUTE, pricePerPoint: null })).pointsPerDay, (2 * 1_440) / 5);
    assert.equal(only(untimed.report({ intervalMs: null, pricePerPoint: null })).pointsPerDay, null);
  });

  it('past 100,000 series a metric is estimated within a few per cent, and says so', () => {
    const analyzer = new StatsAnalyzer();
    const n = 150_000;
    for (let i = 0; i < n; i++) analyzer.addLine(`big.metric,id=v${i},zone=z${i % 3} gauge,1`);
    const metric = only(analyzer.report(EACH_MINUTE));
    assert.equal(metric.estimated, true);
    assert.ok(Math.abs(metric.series - n) / n < 0.05, `estimate ${metric.series} of ${n}`);
    assert.equal(analyzer.report(EACH_MINUTE).totals.estimated, true);
  });

  it('one budget of exact entries for the whole analysis: past it the largest counts are estimated, and say so', () => {
    const analyzer = new StatsAnalyzer(new DistinctBudget(5_000));
    for (let i = 0; i < 4_000; i++) analyzer.addLine(`big.metric,id=v${i} gauge,1`);
    for (let i = 0; i < 10; i++) analyzer.addLine(`small.metric,id=v${i % 3} gauge,1`);
    const [big, small] = analyzer.report(EACH_MINUTE).metrics as [MetricStats, MetricStats];
    assert.equal(big.estimated, true);
    assert.ok(Math.abs(big.series - 4_000) / 4_000 < 0.05, `estimate ${big.series}`);
    assert.deepEqual([small.key, small.series, small.estimated], ['small.metric', 3, false]);
    // Metric keys past the budget are not followed: their lines are counted as left out.
    const many = new StatsAnalyzer(new DistinctBudget(5_000));
    for (let i = 0; i < 1_000; i++) many.addLine(`load.m${i},a=${i},b=${i} gauge,1`);
    const { totals } = many.report(EACH_MINUTE);
    assert.ok(totals.metrics < 1_000 && totals.untrackedLines === 1_000 - totals.metrics, JSON.stringify(totals));
  });

  it('against a base: the series it has not, and the change in points a year', () => {
    const report = read(SEED_004).report(EACH_MINUTE, read([SEED_004[0] as string]));
    const change = { newSeries: 7, pointsPerYear: 7 * 525_600, estimated: false, pointsEstimated: false };
    assert.deepEqual(only(report).change, change);
    assert.deepEqual(report.totals.change, change);
  });

  it('against a base past the exact bound: new series from the union of sketches, not the difference of counts', () => {
    const lines = (prefix: string, n: number, analyzer = new StatsAnalyzer()) => {
      for (let i = 0; i < n; i++) analyzer.addLine(`big.metric,id=${prefix}${i} gauge,1`);
      return analyzer;
    };
    const base = lines('v', 120_000);
    // As many series as the base, none of them the base's: all new, though the counts are the same.
    const replaced = only(lines('w', 120_000).report(EACH_MINUTE, base)).change;
    assert.equal(replaced?.estimated, true);
    assert.ok(Math.abs((replaced?.newSeries ?? 0) - 120_000) / 120_000 < 0.06, `new ${replaced?.newSeries}`);
    // The base's series again, and 2,000 of an exact side: a few thousand new, none for the same lines.
    assert.equal(only(lines('v', 120_000).report(EACH_MINUTE, base)).change?.newSeries, 0);
    const added = only(lines('x', 2_000).report(EACH_MINUTE, base)).change?.newSeries ?? 0;
    assert.ok(Math.abs(added - 2_000) < 1_000, `new ${added}`);
  });

  it('points a tenant answers with (addPoint) give the figures of the lines that made them', () => {
    const fromLines = new StatsAnalyzer();
    const fromPoints = new StatsAnalyzer();
    const start = 1_764_000_000_000;
    for (let minute = 0; minute < 30; minute++)
      for (const host of ['a', 'b', 'c'])
        for (const status of ['200', '500']) {
          const timestamp = start + minute * MINUTE;
          fromLines.addLine(`req.count,status=${status},host=${host},zone= count,delta=1 ${timestamp + 7}`);
          fromPoints.addPoint(
            'req.count',
            [
              ['status', status],
              ['host', host],
            ],
            timestamp,
          );
        }
    assert.deepEqual(fromPoints.report(EACH_MINUTE), fromLines.report(EACH_MINUTE));
    assert.equal(only(fromPoints.report(EACH_MINUTE)).series, 6);
  });

  it('never throws, and counts refused and other lines apart', () => {
    const analyzer = new StatsAnalyzer();
    for (const line of [
      '',
      '// c',
      '#a.b gauge dt.meta.unit=Byte',
      'a.b,Up=1 gauge,1',
      '{"json":1}',
      'a.b gauge,',
      'x',
    ])
      analyzer.addLine(line);
    const { totals, metrics } = analyzer.report(EACH_MINUTE);
    assert.equal(totals.lines, 7);
    assert.equal(totals.dataLines, 0);
    assert.equal(metrics.length, 0);
    assert.ok(totals.refusedLines >= 3);
  });

  it('value shapes', () => {
    const cases: [string, ReturnType<typeof valueShape>][] = [
      ['1732300000', 'timestamp'],
      ['1732300000000', 'timestamp'],
      ['2024-11-22T18:26:40Z', 'timestamp'],
      ['3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'uuid'],
      ['10.0.0.12', 'ip'],
      ['fe80::1', 'ip'],
      ['k8s:pod:name', null],
      ['9f86d081884c7d659a2feaa0c55ad015', 'id'],
      ['req_8f3kq9zz01ab77', 'id'],
      ['checkout-service-v2', null],
      ['200', 'number'],
      ['payment failed at step', 'text'],
      ['eu-west-1', null],
    ];
    for (const [value, shape] of cases) assert.equal(valueShape(value), shape, value);
  });
});
