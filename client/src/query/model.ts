/**
 * A query's result as the panel, the exports and the tests see it, whichever API answered: Metrics API v2 data
 * and Timeseries API v1 results become one list of series (timestamps are slot ends, as v2 gives them). From it:
 * the table's rows, the chart's top N on one time axis, the banners an empty or null-only result needs, CSV and
 * JSON. Pure: no `vscode`, no IO.
 */
import type { MetricData } from '#core/metrics/api.ts';
import { dimensionsText, selectorKey, type ResultModel, type ResultSeries } from '#core/metrics/result-model.ts';
import { endsWithCountSuffix } from '#core/keys.ts';
import type { Banner, ChartData, QuerySpec, RankBy, SeriesRow } from './messages.ts';

export function tableRows(model: ResultModel): SeriesRow[] {
  return model.series.map((s, index) => ({
    series: index,
    metricId: s.metricId,
    dimensions: Object.entries(s.dimensionMap),
    ...s.summary,
  }));
}

/**
 * The chart: the `topN` series with the highest `rankBy` value (series without a value are never charted), on
 * the union of their timestamps. Several metrics in one result name theirs in the labels.
 */
export function chartData(model: ResultModel, rankBy: RankBy, topN: number): ChartData {
  const { series } = model;
  const withValues = series.flatMap((s, index) => (s.summary.points > 0 ? [index] : []));
  const rank = (index: number) => (series[index] as ResultSeries).summary[rankBy] as number;
  const charted = withValues.sort((a, b) => rank(b) - rank(a) || a - b).slice(0, topN);
  const manyMetrics = new Set(series.map((s) => s.metricId)).size > 1;
  const picked = charted.map((index) => series[index] as ResultSeries);
  const timestamps = commonAxis(picked.map((s) => s.timestamps));
  return {
    timestamps,
    series: picked.map((s, i) => ({
      series: charted[i] as number,
      label: manyMetrics ? `${s.metricId} ${dimensionsText(s.dimensionMap)}` : dimensionsText(s.dimensionMap),
      values: alignTo(timestamps, s),
    })),
    rankBy,
    topN,
    total: series.length,
    empty: series.length - withValues.length,
  };
}

/** One sorted axis for every series; the first series' own when all share it (the usual case: one grid). */
function commonAxis(axes: readonly number[][]): number[] {
  const first = axes[0];
  if (!first) return [];
  if (axes.every((axis) => sameNumbers(axis, first))) return first;
  return [...new Set(axes.flat())].sort((a, b) => a - b);
}

function alignTo(axis: readonly number[], s: ResultSeries): (number | null)[] {
  if (sameNumbers(axis, s.timestamps)) return s.values;
  const at = new Map(s.timestamps.map((t, i) => [t, s.values[i] ?? null]));
  return axis.map((t) => at.get(t) ?? null);
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}

/** The first metric key of a selector: what it names before any transformation or the next metric. */
/**
 * What the panel says about a result besides its data: the tenant's warnings, and for an empty or null-only
 * result its likely reasons (no data yet, a count metric stored as `key.count`, the time range).
 */
export function resultBanners(model: ResultModel, spec: QuerySpec | null, range: string): Banner[] {
  const banners: Banner[] = model.warnings.map((text) => ({ level: 'warning', text: `The tenant warns: ${text}` }));
  const withValues = model.series.filter((s) => s.summary.points > 0).length;
  if (withValues > 0) return banners;
  const key = selectorKey(spec?.metricSelector ?? '');
  const reasons = [
    `No data yet: lines sent with this key appear once the tenant has stored them (a real tenant may take a minute; the local tenant answers at once).`,
    ...(key && !endsWithCountSuffix(key)
      ? [`A count metric is stored under its key with .count: if ${key} is sent as count,delta=…, query ${key}.count.`]
      : []),
    `The time range (${range}) may miss the data: choose a longer one with Edit Query.`,
  ];
  if (model.series.length === 0) banners.push({ level: 'info', text: 'No series in this result.', details: reasons });
  else
    banners.push({
      level: 'warning',
      text: `Every value is null: ${model.series.length.toLocaleString('en-US')} series exist, none has a value in this time range.`,
      details: reasons,
    });
  return banners;
}

// ---------------------------------------------------------------------------------------------------------------
// Exports

/**
 * The result in the Metrics API v2 response's shape (a v1 result too), which `dtmetrics.openQueryResult` opens
 * again and other tools read as the API's.
 */
export function toMetricData(model: ResultModel): MetricData {
  const byMetric = new Map<string, ResultSeries[]>();
  for (const s of model.series) {
    const list = byMetric.get(s.metricId);
    if (list) list.push(s);
    else byMetric.set(s.metricId, [s]);
  }
  return {
    totalCount: model.series.length,
    nextPageKey: null,
    resolution: model.resolution,
    ...(model.warnings.length > 0 ? { warnings: model.warnings } : {}),
    result: [...byMetric].map(([metricId, series]) => ({
      metricId,
      dataPointCountRatio: 0,
      dimensionCountRatio: 0,
      data: series.map((s) => ({
        dimensions: Object.values(s.dimensionMap),
        dimensionMap: s.dimensionMap,
        timestamps: s.timestamps,
        values: s.values,
      })),
    })),
  };
}
