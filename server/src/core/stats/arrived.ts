/**
 * What arrived at a tenant, read back through the public Metrics API v2 (issue 15 item 4; INGEST-PATHS §3, PROTOCOL §7):
 * a query answer (`GET /api/v2/metrics/query?metricSelector=<key>&resolution=1m`) fed to a StatsAnalyzer point by
 * point, so the figures are those of `dtmetrics stats` over the lines that made them. Pure; never throws: a
 * malformed answer is a problem returned as data.
 *
 * A non-null value in a one-minute slot is one billed data point of its tuple (the tenant's one-minute dedup:
 * INGEST-PATHS §3). The cadence is the analyzer's for timestamped lines: a metric's points over the minutes it has
 * been arriving in (first to last minute with a point, widened by one gap: n minutes from first to last cover
 * (last − first) · n/(n − 1)), not over the whole query window, so a metric that started ten minutes ago is not
 * diluted by the fifty before, and one sent every 5 minutes projects to a fifth of one sent every minute.
 */
import type { MetricData } from '../metrics/api.ts';
import { isRecord } from '../metrics/response.ts';
import { parseResolution } from '../metrics/time.ts';
import { TENANT } from '../rules.ts';
import { MINUTE } from '../time.ts';
import type { StatsAnalyzer } from './analysis.ts';

/** Keys the tenant keeps for itself: not billable (INGEST-PATHS §3: `dt.*` keys; built-in metrics). */
export const isBuiltinMetricKey = (key: string): boolean => key.startsWith('builtin:') || key.startsWith('dt.');

/**
 * A stored key as a metric selector: as it is when every section is a plain name, else quoted whole with `~`
 * escapes (PROTOCOL §7.1: `"ext:selfmonitoring.jmx.Agents: Type ~"APACHE~""`).
 */
export function selectorForKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/.test(key)
    ? key
    : `"${key.replaceAll('~', '~~').replaceAll('"', '~"')}"`;
}

/** What one answer added, beyond the analyzer's figures. */
export interface ArrivedReading {
  /** Per metric read, why its figures are lower bounds (empty: exact as the tenant answered). */
  atLeast: Map<string, string[]>;
  /** The tenant's warnings, as it wrote them. */
  warnings: string[];
  /** What in the answer was not the API's shape, a sentence each; those parts are left out. */
  problems: string[];
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((w): w is string => typeof w === 'string') : [];

/**
 * Feeds one query answer to `analyzer`: each series' dimensions and each non-null value's minute (a v2 timestamp is
 * the END of its slot, PROTOCOL §7.1: the point is put at its slot's start). `keys` are the stored keys the selector
 * named, in its order: a result is matched to its key by metricId (the key's selector), else by position.
 */
export function readArrived(analyzer: StatsAnalyzer, answer: unknown, keys: readonly string[]): ArrivedReading {
  const reading: ArrivedReading = { atLeast: new Map(), warnings: [], problems: [] };
  if (!isRecord(answer) || !Array.isArray(answer.result)) {
    reading.problems.push('the answer has no result list: not a Metrics API v2 query answer');
    return reading;
  }
  const data = answer as Partial<MetricData>;
  reading.warnings.push(...strings(data.warnings));
  const resolution = parseResolution(typeof data.resolution === 'string' ? data.resolution : '');
  const step = resolution.ok && resolution.value.fallback.kind === 'span' ? resolution.value.fallback.ms : null;
  const bySelector = new Map(keys.map((key) => [selectorForKey(key), key]));
  (answer.result as unknown[]).forEach((collection, index) => {
    const key = isRecord(collection) ? (bySelector.get(String(collection.metricId)) ?? keys[index]) : keys[index];
    if (!isRecord(collection) || key === undefined || !Array.isArray(collection.data)) {
      reading.problems.push(`result ${index + 1} is not a metric's series collection: left out`);
      return;
    }
    const reasons: string[] = [];
    reading.atLeast.set(key, reasons);
    reading.warnings.push(...strings(collection.warnings));
    if (step === null) {
      reading.problems.push(`the answer's resolution '${String(data.resolution)}' is not a span: left out`);
      return;
    }
    if (step > MINUTE)
      reasons.push(`the tenant answered in ${String(data.resolution)} slots: a slot with a value is one point or more`);
    // The tenant processes at most queryTuples series of a metric and ignores the rest (PROTOCOL §7.1).
    const ratio = collection.dimensionCountRatio;
    if ((typeof ratio === 'number' && ratio >= 1) || collection.data.length >= TENANT.queryTuples)
      reasons.push(`the tenant answers at most ${TENANT.queryTuples.toLocaleString('en-US')} series of a metric`);
    let malformed = 0;
    for (const series of collection.data as unknown[]) {
      const pairs = isRecord(series) && isRecord(series.dimensionMap) ? Object.entries(series.dimensionMap) : null;
      const timestamps = isRecord(series) ? series.timestamps : undefined;
      const values = isRecord(series) ? series.values : undefined;
      if (
        pairs === null ||
        !pairs.every((pair): pair is [string, string] => typeof pair[1] === 'string') ||
        !Array.isArray(timestamps) ||
        !Array.isArray(values) ||
        timestamps.length !== values.length
      ) {
        malformed++;
        continue;
      }
      timestamps.forEach((end, i) => {
        if (values[i] !== null && typeof end === 'number') analyzer.addPoint(key, pairs, end - step);
      });
    }
    // The metric is read, less these series: a lower bound, not a metric unread.
    if (malformed > 0)
      reasons.push(
        `${malformed} series without dimensions, timestamps and values of one length (or a remainder series) left out`,
      );
  });
  return reading;
}
