/**
 * A query's result as series, whichever API answered: Metrics API v2 data and Timeseries API v1 results become
 * one list (timestamps are slot ends, as v2 gives them), each series with its summary. The CLI's table and CSV and
 * the editor's results panel read the same model; which API a body is from is told here only (resultModel).
 */
import type { Result } from '../result.ts';
import type { MetricData, V1TimeseriesResult } from './api.ts';
import { formatStep } from './time.ts';
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

const seriesOf = (
  metricId: string,
  dimensionMap: Record<string, string>,
  timestamps: number[],
  values: (number | null)[],
): ResultSeries => ({
  metricId,
  dimensionMap,
  timestamps,
  values,
  summary: summarizeSeries(values),
});

/** A Metrics API v2 answer as far as the model reads it: a resolution and each result's data points. */
export function isMetricData(body: unknown): body is MetricData {
  const v2 = body as Partial<MetricData> | null;
  return (
    typeof v2?.resolution === 'string' && Array.isArray(v2.result) && v2.result.every((r) => Array.isArray(r?.data))
  );
}

/** A Timeseries API v1 result as far as the model reads it: its data points and their resolution. */
export function isV1Result(body: unknown): body is V1TimeseriesResult {
  const v1 = body as Partial<V1TimeseriesResult> | null;
  return (
    typeof v1?.result?.dataPoints === 'object' &&
    v1.result.dataPoints !== null &&
    typeof v1.result.resolutionInMillisUTC === 'number'
  );
}

/** The model of a body from either API (the CLI, the editor, a file read back). */
export function resultModel(body: MetricData | V1TimeseriesResult): ResultModel {
  return isV1Result(body) ? fromV1(body) : fromMetricData(body);
}

/** A result saved as JSON (an export, `dtmetrics query --format json`) read back: its model, or why it is none. */
export function readResult(text: string): Result<ResultModel> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (isMetricData(body) || isV1Result(body)) return { ok: true, value: resultModel(body) };
  return {
    ok: false,
    message:
      'neither a Metrics API v2 response (resolution, result[].data) nor a v1 timeseries result (result.dataPoints)',
  };
}

function fromMetricData(data: MetricData): ResultModel {
  const warnings = [
    ...(data.warnings ?? []),
    ...data.result.flatMap((r) => (r.warnings ?? []).map((w) => `${r.metricId}: ${w}`)),
  ];
  const series = data.result.flatMap((r) =>
    r.data.map((d) => seriesOf(r.metricId, d.dimensionMap ?? {}, d.timestamps ?? [], d.values ?? [])),
  );
  return { resolution: data.resolution, warnings, series };
}

/**
 * A v1 result: one series per dataPoints key (the dimension values, or entity ids, joined by ", "), named
 * `series` as `dtmetrics query --v1` names it, with the entities' display names when the tenant gives others.
 * v1 timestamps are slot starts; they move to slot ends, as v2 gives them.
 */
function fromV1(data: V1TimeseriesResult): ResultModel {
  const { timeseriesId, resolutionInMillisUTC: step, dataPoints, entities } = data.result;
  const series = Object.entries(dataPoints).map(([key, points]) => {
    const dimensionMap: Record<string, string> = key === '' ? {} : { series: key };
    const names = key.split(', ').map((id) => entities?.[id] ?? id);
    if (key !== '' && names.join(', ') !== key) dimensionMap.name = names.join(', ');
    return seriesOf(
      timeseriesId,
      dimensionMap,
      points.map((p) => p[0] + step),
      points.map((p) => p[1]),
    );
  });
  return { resolution: formatStep(step), warnings: [], series };
}

/** The metric key a selector starts with (its first expression's key), for hints about it. */
export const selectorKey = (selector: string): string => selector.trim().split(/[:,()\s]/)[0] ?? '';

export const dimensionsText = (map: Readonly<Record<string, string>>): string =>
  Object.entries(map)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ') || '(no dimensions)';

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
export const csvField = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
/** A tenant's text that a spreadsheet would run as a formula (=, +, -, @, tab, CR) starts with ' instead. */
const csvText = (text: string): string => csvField(/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** One row per point: metric, one column per dimension key (in order of appearance), timestamp (ISO and ms), value. */
export function toCsv(model: ResultModel): string {
  const keys = [...new Set(model.series.flatMap((s) => Object.keys(s.dimensionMap)))];
  const lines = [['metric', ...keys, 'time', 'timestamp', 'value'].map(csvText).join(',')];
  for (const s of model.series) {
    const fixed = [s.metricId, ...keys.map((k) => s.dimensionMap[k] ?? '')].map(csvText).join(',');
    s.timestamps.forEach((t, i) => lines.push(`${fixed},${new Date(t).toISOString()},${t},${s.values[i] ?? ''}`));
  }
  return lines.join('\r\n') + '\r\n';
}
