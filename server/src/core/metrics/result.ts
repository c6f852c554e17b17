/**
 * A query's result as series, whichever API answered: Metrics API v2 data and Timeseries API v1 results become
 * one list (timestamps are slot ends, as v2 gives them), each series with its summary. The CLI's table and CSV and
 * the editor's results panel read the same model.
 */
import type { MetricData, V1TimeseriesResult } from './query.ts';
import { summarizeSeries, type SeriesSummary } from './summary.ts';

export interface ResultSeries {
  metricId: string;
  dimensionMap: Record<string, string>;
  timestamps: number[];
  values: (number | null)[];
  summary: SeriesSummary;
}

export interface ResultModel {
  /** As the tenant names it (`1m`, `Inf`); v1: its slot length. */
  resolution: string;
  warnings: string[];
  series: ResultSeries[];
}

const seriesOf = (metricId: string, dimensionMap: Record<string, string>, timestamps: number[], values: (number | null)[]): ResultSeries => ({
  metricId,
  dimensionMap,
  timestamps,
  values,
  summary: summarizeSeries(values),
});

export function fromMetricData(data: MetricData): ResultModel {
  const warnings = [...(data.warnings ?? []), ...data.result.flatMap((r) => (r.warnings ?? []).map((w) => `${r.metricId}: ${w}`))];
  const series = data.result.flatMap((r) => r.data.map((d) => seriesOf(r.metricId, d.dimensionMap ?? {}, d.timestamps ?? [], d.values ?? [])));
  return { resolution: data.resolution, warnings, series };
}

/**
 * A v1 result: one series per dataPoints key (the dimension values, or entity ids, joined by ", "), named
 * `series` as `dtmetrics query --v1` names it, with the entities' display names when the tenant gives others.
 * v1 timestamps are slot starts; they move to slot ends, as v2 gives them.
 */
export function fromV1(data: V1TimeseriesResult): ResultModel {
  const { timeseriesId, resolutionInMillisUTC: step, dataPoints, entities } = data.result;
  const series = Object.entries(dataPoints).map(([key, points]) => {
    const dimensionMap: Record<string, string> = key === '' ? {} : { series: key };
    const names = key.split(', ').map((id) => entities?.[id] ?? id);
    if (key !== '' && names.join(', ') !== key) dimensionMap.name = names.join(', ');
    return seriesOf(timeseriesId, dimensionMap, points.map((p) => p[0] + step), points.map((p) => p[1]));
  });
  return { resolution: formatMs(step), warnings: [], series };
}

/** 60000 → `1m`, 3600000 → `1h`; other lengths in ms. */
function formatMs(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

export const dimensionsText = (map: Readonly<Record<string, string>>): string =>
  Object.entries(map)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ') || '(no dimensions)';
