/**
 * A query's result as the panel, the exports and the tests see it, whichever API answered: Metrics API v2 data
 * and Timeseries API v1 results become one list of series (timestamps are slot ends, as v2 gives them). From it:
 * the table's rows and their decimals, the chart's top N on one time axis fitted to the data, the banners an empty or null-only result needs, CSV and
 * JSON. Pure: no `vscode`, no IO.
 */
import type { MetricData } from '#core/metrics/api.ts';
import { dimensionsText, selectorKey, type ResultModel, type ResultSeries } from '#core/metrics/result-model.ts';
import { endsWithCountSuffix } from '#core/keys.ts';
import { columnDecimals } from '#core/metrics/units.ts';
import type { Banner, ChartData, QuerySpec, RankBy, SeriesRow, ValueColumn } from './messages.ts';

export function tableRows(model: ResultModel): SeriesRow[] {
  return model.series.map((s, index) => ({
    series: index,
    metricId: s.metricId,
    dimensions: Object.entries(s.dimensionMap),
    ...s.summary,
  }));
}

/** Decimals of each column of the table: one number of decimals a column, over every series. */
export function tableDecimals(model: ResultModel): Record<ValueColumn, number> {
  const column = (name: ValueColumn) => columnDecimals(model.series.map((s) => s.summary[name]));
  return { last: column('last'), min: column('min'), max: column('max'), avg: column('avg') };
}

/**
 * The chart: the `topN` series with the highest `rankBy` value (series without a value are never charted), on
 * the union of their timestamps, fitted to where they have values. Several metrics in one result name theirs in
 * the labels.
 */
export function chartData(model: ResultModel, rankBy: RankBy, topN: number): ChartData {
  const { series } = model;
  const withValues = series.flatMap((s, index) => (s.summary.points > 0 ? [index] : []));
  const rank = (index: number) => (series[index] as ResultSeries).summary[rankBy] as number;
  const charted = withValues.sort((a, b) => rank(b) - rank(a) || a - b).slice(0, topN);
  const manyMetrics = new Set(series.map((s) => s.metricId)).size > 1;
  const picked = charted.map((index) => series[index] as ResultSeries);
  const axis = commonAxis(picked.map((s) => s.timestamps));
  const fitted = fitTimeAxis(
    axis,
    picked.map((s) => alignTo(axis, s)),
  );
  return {
    timestamps: fitted.timestamps,
    series: picked.map((s, i) => {
      const values = fitted.values[i] as (number | null)[];
      const dimensions = Object.values(s.dimensionMap);
      return {
        series: charted[i] as number,
        label: manyMetrics ? `${s.metricId} ${dimensionsText(s.dimensionMap)}` : dimensionsText(s.dimensionMap),
        short: [...(manyMetrics ? [s.metricId] : []), ...dimensions].join(' · ') || '(no dimensions)',
        values,
        ...lineShape(fitted.timestamps, values),
      };
    }),
    decimals: columnDecimals(picked.flatMap((s) => s.values)),
    keys: sharedKeys(picked),
    rankBy,
    topN,
    total: series.length,
    empty: series.length - withValues.length,
  };
}

/** A single instant is shown in a window of this many slots around it (at least SINGLE_WINDOW_MS). */
const SINGLE_WINDOW_SLOTS = 10;
const SINGLE_WINDOW_MS = 10 * 60_000;
/** The slot length assumed when the axis has one slot only (a minute: the finest a tenant stores). */
const DEFAULT_STEP_MS = 60_000;
/** Room either side of the data, as a share of its span (at least half a slot). */
const PADDING_SHARE = 0.04;

/**
 * The time axis fitted to the data: the slots from the first with a value (in any series) to the last, with room
 * either side (a slot's nulls at each end), so that values in a small part of the time range asked for fill the
 * chart; a single instant stands in the middle of a window of SINGLE_WINDOW_SLOTS slots. No value: as it is.
 */
export function fitTimeAxis(
  axis: readonly number[],
  values: readonly (readonly (number | null)[])[],
): { timestamps: number[]; values: (number | null)[][] } {
  let first = -1;
  let last = -1;
  for (let i = 0; i < axis.length; i++) {
    if (!values.some((v) => v[i] !== null && v[i] !== undefined)) continue;
    if (first < 0) first = i;
    last = i;
  }
  if (first < 0) return { timestamps: [...axis], values: values.map((v) => [...v]) };
  const start = axis[first] as number;
  const end = axis[last] as number;
  const step = smallestStep(axis) ?? DEFAULT_STEP_MS;
  const room =
    start === end
      ? Math.max(SINGLE_WINDOW_SLOTS * step, SINGLE_WINDOW_MS) / 2
      : Math.max(step / 2, (end - start) * PADDING_SHARE);
  return {
    timestamps: [start - room, ...axis.slice(first, last + 1), end + room],
    values: values.map((v) => [null, ...v.slice(first, last + 1), null]),
  };
}

function smallestStep(axis: readonly number[]): number | undefined {
  let step: number | undefined;
  for (let i = 1; i < axis.length; i++) {
    const gap = (axis[i] as number) - (axis[i - 1] as number);
    if (gap > 0 && (step === undefined || gap < step)) step = gap;
  }
  return step;
}

/** Pauses up to this many times a series' usual step (its median between points) are bridged by its line. */
const BRIDGE_FACTOR = 1.5;

/**
 * How a series' line runs: it bridges missing values between points no further apart than its usual step allows
 * (a series sent every 5 minutes and queried by the minute is still a line; a pause longer than usual is a gap),
 * and the points no line reaches are markers.
 */
export function lineShape(
  timestamps: readonly number[],
  values: readonly (number | null)[],
): { bridgeMs: number; markers: number[] } {
  const points: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] !== null) points.push(i);
  const gaps = new Float64Array(Math.max(0, points.length - 1));
  for (let k = 1; k < points.length; k++)
    gaps[k - 1] = (timestamps[points[k] as number] as number) - (timestamps[points[k - 1] as number] as number);
  const bridgeMs = gaps.length === 0 ? 0 : median(gaps) * BRIDGE_FACTOR;
  const markers: number[] = [];
  for (let k = 0; k < points.length; k++) {
    const joinedBefore = k > 0 && (gaps[k - 1] as number) <= bridgeMs;
    const joinedAfter = k < gaps.length && (gaps[k] as number) <= bridgeMs;
    if (!joinedBefore && !joinedAfter) markers.push(points[k] as number);
  }
  return { bridgeMs, markers };
}

function median(numbers: Float64Array): number {
  const sorted = numbers.slice().sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The dimension keys every series has, in the same order (none when they differ). */
function sharedKeys(series: readonly ResultSeries[]): string[] {
  const first = Object.keys(series[0]?.dimensionMap ?? {});
  const same = series.every((s) => {
    const keys = Object.keys(s.dimensionMap);
    return keys.length === first.length && keys.every((k, i) => k === first[i]);
  });
  return same ? first : [];
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
