/**
 * A data point written as JSON, as the metric line the ingest API takes instead: people post
 * `{"metric": …, "value": …, "dimensions": {…}}` to `/api/v2/metrics/ingest` (INGEST-PATHS §2.3), and the answer
 * should show them what to send. Keys and values are normalised and escaped as Dynatrace's own libraries do
 * (PROTOCOL §8.1 vectors), so the line is one the linter finds no error in; what cannot become such a line is
 * null, never a guess. Pure: nothing thrown, no clock.
 */
import { isPlausibleMilliseconds, summaryFault } from './check.ts';
import { DECIMAL } from './numbers.ts';
import { dimensionPairs, metricKey, numberText } from './convert/naming.ts';
import { LIMITS } from './rules.ts';

type JsonObject = Readonly<Record<string, unknown>>;

/** Fields that name the metric, in the order they are looked for. */
const KEY_FIELDS = ['metric', 'metricId', 'metricKey', 'key', 'name', 'timeseriesId'];
/** Fields that hold dimensions: the line protocol's, and the habits of tags (StatsD), labels (Prometheus), attributes (OpenTelemetry). */
const DIMENSION_FIELDS = ['dimensions', 'tags', 'labels', 'attributes'];
const TIME_FIELDS = ['timestamp', 'time', 'ts'];
/** Lists a single object is often wrapped in: Timeseries API v1 `series` (custom devices), and `metrics`, `data`. */
const WRAPPER_FIELDS = ['series', 'metrics', 'data'];
const COUNTER_TYPES = new Set(['count', 'counter', 'delta']);

/**
 * The line for the first data point of a parsed JSON value (an object, or the first element of an array or of a
 * wrapper list), or null when it has no metric key, no numeric value, or nothing a tenant would take.
 */
export function jsonToLine(json: unknown): string | null {
  const point = firstDataPoint(json);
  if (!point) return null;
  const key = metricKey(firstString(point, KEY_FIELDS));
  const payload = payloadOf(point);
  if (key === null || payload === null) return null;
  const dimensions = dimensionsOf(DIMENSION_FIELDS.map((field) => point[field]).find(isObject));
  const time = timestampOf(
    TIME_FIELDS.map((field) => point[field]).find((value) => value !== undefined) ?? firstDataPointTime(point),
  );
  return `${key}${dimensions.map(([k, v]) => `,${k}=${v}`).join('')} ${payload}${time === null ? '' : ` ${time}`}`;
}

/** Every field jsonToLine reads from a data point: anything else would be left out of its line. */
const READ_FIELDS = new Set([
  ...KEY_FIELDS,
  ...DIMENSION_FIELDS,
  ...TIME_FIELDS,
  'value',
  'min',
  'max',
  'sum',
  'count',
  'type',
  'metricType',
  'kind',
]);

/**
 * Whether jsonToLine's line for `json` holds all of it, so that a fix may put the line in its place: one data
 * point (not a list or a wrapper), no field the line leaves out, at most one dimension object of at most the line's
 * limit of non-empty scalars within the value limit, and a time, if given, that the line keeps.
 */
export function isWholePoint(json: unknown): boolean {
  if (!isObject(json) || !Object.keys(json).every((field) => READ_FIELDS.has(field))) return false;
  const dimensions = DIMENSION_FIELDS.filter((field) => field in json).map((field) => json[field]);
  if (dimensions.length > 1 || (dimensions.length === 1 && !isObject(dimensions[0]))) return false;
  const values = Object.values((dimensions[0] as JsonObject | undefined) ?? {});
  const scalar = (v: unknown) =>
    (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') &&
    String(v) !== '' &&
    String(v).length <= LIMITS.dimensionValueMaxLength;
  if (values.length > LIMITS.dimensionsPerLine || !values.every(scalar)) return false;
  const time = TIME_FIELDS.find((field) => field in json);
  return time === undefined || timestampOf(json[time]) !== null;
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function firstDataPoint(json: unknown): JsonObject | null {
  const first = Array.isArray(json) ? json[0] : json;
  if (!isObject(first)) return null;
  if (KEY_FIELDS.some((field) => field in first)) return first;
  const wrapped = WRAPPER_FIELDS.map((field) => first[field]).find(Array.isArray);
  return wrapped && isObject(wrapped[0]) ? wrapped[0] : null;
}

function firstString(point: JsonObject, fields: readonly string[]): string | null {
  for (const field of fields) if (typeof point[field] === 'string') return point[field];
  return null;
}

/** v1's `dataPoints: [[timestamp, value], …]`: its first pair. */
function firstDataPair(point: JsonObject): readonly unknown[] | null {
  const pairs = point.dataPoints;
  return Array.isArray(pairs) && Array.isArray(pairs[0]) ? (pairs[0] as unknown[]) : null;
}
const firstDataPointTime = (point: JsonObject): unknown => firstDataPair(point)?.[0];

/** A finite number, or a string that is a plain decimal number; null otherwise. */
function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || !DECIMAL.test(value.trim())) return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/** `gauge,N`, `count,delta=N` for a counter, or a gauge summary when min, max, sum and count are all given. */
function payloadOf(point: JsonObject): string | null {
  const [min, max, sum, count] = [numberOf(point.min), numberOf(point.max), numberOf(point.sum), numberOf(point.count)];
  if (min !== null && max !== null && sum !== null && count !== null) {
    // An inconsistent summary is refused by a tenant (PL005–PL008): no line rather than one that fails.
    if (summaryFault(min, max, sum, count, Number.isInteger(count), LIMITS.summaryTolerance) !== null) return null;
    return `gauge,min=${numberText(min)},max=${numberText(max)},sum=${numberText(sum)},count=${count}`;
  }
  const value = numberOf(point.value ?? firstDataPair(point)?.[1]);
  if (value === null) return null;
  const type = firstString(point, ['type', 'metricType', 'kind'])?.toLowerCase();
  return type && COUNTER_TYPES.has(type) ? `count,delta=${numberText(value)}` : `gauge,${numberText(value)}`;
}

/** Seconds, milliseconds, microseconds, nanoseconds: the factor to milliseconds of each, by magnitude. */
const TO_MILLISECONDS = [1e3, 1, 1e-3, 1e-6];

/** A numeric time in whichever unit puts it between the years 2000 and 3000, in milliseconds; else null (left out). */
function timestampOf(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  for (const factor of TO_MILLISECONDS) {
    const ms = Math.floor(value * factor + (factor > 1 ? 0.5 : 0));
    if (isPlausibleMilliseconds(ms)) return ms;
  }
  return null;
}

/** The object's dimensions as line pairs: at most the line's limit (what cannot be sent is left out). */
const dimensionsOf = (object: JsonObject | undefined): [string, string][] =>
  dimensionPairs(Object.entries(object ?? {}), () => {}).slice(0, LIMITS.dimensionsPerLine);
