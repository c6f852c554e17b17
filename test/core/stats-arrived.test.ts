/**
 * What arrived at a tenant (core/stats/arrived.ts): Metrics API v2 query answers in
 * (test/fixtures/stats/arrived-shop.answers.json: one answer per metric, as the HTTP edge asks), figures out
 * (`arrived-shop.expected.json`, `UPDATE_FIXTURES=1` writes it from the code); the cadence and the lower bounds are
 * asserted by hand as well.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StatsAnalyzer, type MetricStats, type StatsOptions, type StatsReport } from '#core/stats/analysis.ts';
import { isBuiltinMetricKey, readArrived, selectorForKey, type ArrivedReading } from '#core/stats/arrived.ts';
import { parseMetricSelector } from '#core/metrics/selector.ts';
import { expectFixture } from './fixture-format.ts';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'stats');
const ANSWERS = join(DIR, 'arrived-shop.answers.json');
const OPTIONS: StatsOptions = { intervalMs: null, pricePerPoint: null };

interface Fixture {
  answers: { keys: string[]; answer: unknown }[];
}

function readAll(): { report: StatsReport; readings: ArrivedReading[] } {
  const fixture = JSON.parse(readFileSync(ANSWERS, 'utf8')) as Fixture;
  const analyzer = new StatsAnalyzer();
  const readings = fixture.answers.map(({ answer, keys }) => readArrived(analyzer, answer, keys));
  return { report: analyzer.report(OPTIONS), readings };
}

const metric = (report: StatsReport, key: string): MetricStats => {
  const found = report.metrics.find((m) => m.key === key);
  assert.ok(found, `no metric ${key}`);
  return found;
};

describe('what arrived at a tenant: query answers in, figures out', () => {
  it('arrived-shop', () => {
    expectFixture(join(DIR, 'arrived-shop.expected.json'), () => {
      const { report, readings } = readAll();
      const shown = readings.map((r) => ({ ...r, atLeast: Object.fromEntries(r.atLeast) }));
      return JSON.stringify({ options: OPTIONS, readings: shown, report }, null, 2) + '\n';
    });
  });

  it('a non-null value in a minute is one point; the cadence is over the minutes the metric arrives in', () => {
    const { report } = readAll();
    // Two regions, each minute for the last 20 of the 30 minutes: 2 points a minute, not 40 over 30 minutes.
    const orders = metric(report, 'shop.orders.count');
    assert.deepEqual([orders.series, orders.points, orders.cadence], [2, 40, 'timestamps']);
    assert.equal(orders.pointsPerYear, 2 * 525_600);
    // One series every 5 minutes: a fifth of one sent each minute.
    const stock = metric(report, 'shop.stock');
    assert.deepEqual([stock.series, stock.points], [1, 6]);
    assert.equal(stock.pointsPerYear, 525_600 / 5);
    assert.equal(stock.dduPerYear, 105.12);
  });

  it('a dimension of a new UUID each minute is volatile, and grows the series', () => {
    const latency = metric(readAll().report, 'shop.checkout.latency');
    assert.equal(latency.series, 30);
    const session = latency.dimensions.find((d) => d.key === 'session');
    assert.equal(session?.volatile?.reason, 'uuid');
    assert.ok((latency.newSeriesPerDay ?? 0) > 1000, `new series a day ${latency.newSeriesPerDay}`);
  });

  it('a limited, coarser or partly malformed answer makes its figures lower bounds; one not of the API is a problem, never a throw', () => {
    const { readings, report } = readAll();
    const archive = readings[3]?.atLeast.get('shop.archive') ?? [];
    assert.equal(archive.length, 2, archive.join('; '));
    assert.match(archive[0] ?? '', /1h slots/);
    assert.match(archive[1] ?? '', /at most 100,000 series/);
    assert.deepEqual(readings[3]?.warnings, ['The tenant read the first 100,000 tuples only.']);
    // Read less its malformed series: a lower bound, the reason without the key (the caller names it).
    assert.deepEqual(readings[4]?.problems, []);
    assert.match(readings[4]?.atLeast.get('shop.broken')?.[0] ?? '', /^2 series without dimensions/);
    assert.match(readings[5]?.problems[0] ?? '', /no result list/);
    assert.equal(
      report.metrics.find((m) => m.key === 'shop.nothing'),
      undefined,
    );
    for (const odd of [null, 7, 'x', { result: [null, { data: 3 }] }, { result: [{ data: [{ dimensionMap: [] }] }] }])
      assert.doesNotThrow(() => readArrived(new StatsAnalyzer(), odd, ['k']));
  });

  it('a stored key as a selector the tenant reads back to the key; built-in keys are known', () => {
    for (const key of ['shop.orders.count', 'custom.5xx_errors', 'a:b c', 'we"ird~key'])
      assert.equal((parseMetricSelector(selectorForKey(key)) as { value: { key: string }[] }).value[0]?.key, key);
    assert.deepEqual(
      ['builtin:host.cpu.usage', 'dt.service.request.count', 'shop.orders.count'].map(isBuiltinMetricKey),
      [true, true, false],
    );
  });
});
