/**
 * A data point written as JSON, as the metric line the ingest API takes instead: people post
 * `{"metric": …, "value": …, "dimensions": {…}}` to `/api/v2/metrics/ingest` (INGEST-PATHS §2.3), and the answer
 * should show them what to send. Keys and values are normalised and escaped as Dynatrace's own libraries do
 * (PROTOCOL §8.1 vectors), so the line is one the linter finds no error in; what cannot become such a line is
 * null, never a guess. Pure: nothing thrown, no clock.
 */
import {
  DIMENSION_FIELDS,
  READ_FIELDS,
  TIME_FIELDS,
  dataPoints,
  isObject,
  pointLine,
  timestampOf,
  type JsonObject,
} from './convert/json.ts';
import { LIMITS } from './rules.ts';

/**
 * The line for the first data point of a parsed JSON value (an object, or the first element of an array or of a
 * wrapper list), or null when it has no metric key, no numeric value, or nothing a tenant would take.
 */
export function jsonToLine(json: unknown): string | null {
  const first = Array.isArray(json) ? json[0] : json;
  if (!isObject(first)) return null;
  const found = dataPoints(first).next().value;
  if (!found || 'notPoint' in found) return null;
  const result = pointLine(found.point, found.pair);
  return result.ok ? result.line : null;
}

/**
 * Whether jsonToLine's line for `json` holds all of it, so that a fix may put the line in its place: one data
 * point (not a list or a wrapper), no field the line leaves out, at most one dimension object of at most the line's
 * limit of non-empty scalars within the value limit, and a time, if given, that the line keeps.
 */
export function isWholePoint(json: unknown): boolean {
  if (!isObject(json) || 'dataPoints' in json || !Object.keys(json).every((field) => READ_FIELDS.has(field)))
    return false;
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
