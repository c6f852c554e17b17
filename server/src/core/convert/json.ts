/**
 * JSON data points → metric lines. The ingest API takes only `text/plain` lines (INGEST-PATHS §2.3), yet people post
 * `{"metricId", "value", "timestamp", "dimensions"}` (seed 000, tracing SDKs, community MCP servers) and the
 * Timeseries v1 custom-device shape (`series: [{timeseriesId, dataPoints: [[ts, v], …], dimensions}]`, deprecated).
 * Input: one value, an array of them (streamed element by element), or one per line. An item is a data point; a v1
 * `dataPoints` pair is one. What cannot become a line the linter takes is reported with the reason, never guessed.
 */
import { isPlausibleMilliseconds, summaryFault } from '../check.ts';
import { storedKey } from '../keys.ts';
import { DECIMAL } from '../numbers.ts';
import { LIMITS, literal } from '../rules.ts';
import { shortText } from '../text.ts';
import { jsonExcerpt, JsonValues } from './json-values.ts';
import { emptyTally, type ConversionSink, type LineConverter } from './model.ts';
import {
  dimensionPairs,
  metricKey,
  metricLine,
  noMetricKeyReason,
  numberText,
  summaryPayload,
  type DimensionChange,
} from './naming.ts';

export type JsonObject = Readonly<Record<string, unknown>>;

/** Fields that name the metric, in the order they are looked for. */
const KEY_FIELDS = ['metric', 'metricId', 'metricKey', 'key', 'name', 'timeseriesId'];
/** Fields that hold dimensions: the line protocol's, and the habits of tags (StatsD), labels (Prometheus), attributes (OpenTelemetry). */
export const DIMENSION_FIELDS = ['dimensions', 'tags', 'labels', 'attributes'];
export const TIME_FIELDS = ['timestamp', 'time', 'ts'];
/** Lists data points are wrapped in: Timeseries API v1 `series` (custom devices), and `metrics`, `data`. */
const WRAPPER_FIELDS = ['series', 'metrics', 'data'];
const TYPE_FIELDS = ['type', 'metricType', 'kind'];
const COUNTER_TYPES = new Set(['count', 'counter', 'delta']);
/** Every field a data point's line is made of: anything else is left out of it (and said). */
export const READ_FIELDS = new Set([
  ...KEY_FIELDS,
  ...DIMENSION_FIELDS,
  ...TIME_FIELDS,
  ...TYPE_FIELDS,
  'value',
  'min',
  'max',
  'sum',
  'count',
  'dataPoints',
]);

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One data point's line, or why there is none; with what changed on the way. */
export type PointLine =
  | {
      ok: true;
      line: string;
      key: string;
      source: string;
      type: 'gauge' | 'count';
      changes: DimensionChange[];
      /** The time as written, when the line's timestamp is not it (another unit, or left out: null). */
      time: { written: unknown; ms: number | null } | null;
    }
  | { ok: false; reason: string };

/**
 * The line of the data point `point` — its `value`, or v1's `pair` `[timestamp, value]` when given — or the reason
 * there is none. Keys and values normalised as the libraries do (naming.ts).
 */
export function pointLine(point: JsonObject, pair: readonly unknown[] | null = null): PointLine {
  const source = firstString(point, KEY_FIELDS);
  if (source === null)
    return { ok: false, reason: `no metric key (a string in ${KEY_FIELDS.map(literal).join(', ')})` };
  const key = metricKey(source);
  if (key === null) return { ok: false, reason: `no metric key: ${noMetricKeyReason(source)}` };
  const payload = payloadOf(point, pair);
  if (!payload.ok) return payload;
  const changes: DimensionChange[] = [];
  const dimensions = dimensionPairs(Object.entries(dimensionObject(point) ?? {}), (c) => changes.push(c));
  if (dimensions.length > LIMITS.dimensionsPerLine)
    return { ok: false, reason: `${dimensions.length} dimensions, more than a line's ${LIMITS.dimensionsPerLine}` };
  const written = pair ? pair[0] : TIME_FIELDS.map((field) => point[field]).find((value) => value !== undefined);
  const ms = timestampOf(written);
  const line = metricLine(key, dimensions, payload.text, ms);
  const time = written === undefined || written === null || written === ms ? null : { written, ms };
  return { ok: true, line, key, source, type: payload.type, changes, time };
}

const dimensionObject = (point: JsonObject): JsonObject | undefined =>
  DIMENSION_FIELDS.map((field) => point[field]).find(isObject);

function firstString(point: JsonObject, fields: readonly string[]): string | null {
  for (const field of fields) if (typeof point[field] === 'string') return point[field];
  return null;
}

/** A finite number, or a string that is a plain decimal number; null otherwise. */
function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || !DECIMAL.test(value.trim())) return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

type Payload = { ok: true; text: string; type: 'gauge' | 'count' } | { ok: false; reason: string };

/** `gauge,N`, `count,delta=N` for a counter, or a gauge summary when min, max, sum and count are all given. */
function payloadOf(point: JsonObject, pair: readonly unknown[] | null): Payload {
  const [min, max, sum, count] = [numberOf(point.min), numberOf(point.max), numberOf(point.sum), numberOf(point.count)];
  if (pair === null && min !== null && max !== null && sum !== null && count !== null) {
    // An inconsistent summary is refused by a tenant (PL005–PL008): no line rather than one that fails.
    const fault = summaryFault(min, max, sum, count, Number.isInteger(count), LIMITS.summaryTolerance);
    if (fault !== null)
      return { ok: false, reason: `min, max, sum and count disagree (${fault}): a tenant refuses it` };
    const text = summaryPayload(min, max, sum, count);
    return { ok: true, text, type: 'gauge' };
  }
  const raw = pair ? pair[1] : point.value;
  const value = numberOf(raw);
  if (value === null)
    return {
      ok: false,
      reason: raw === undefined ? 'no `value`' : `the value ${literal(jsonExcerpt(raw))} is no finite number`,
    };
  const type = firstString(point, TYPE_FIELDS)?.toLowerCase();
  return type && COUNTER_TYPES.has(type)
    ? { ok: true, text: `count,delta=${numberText(value)}`, type: 'count' }
    : { ok: true, text: `gauge,${numberText(value)}`, type: 'gauge' };
}

/** Seconds, milliseconds, microseconds, nanoseconds: the factor to milliseconds of each, by magnitude. */
const TO_MILLISECONDS = [1e3, 1, 1e-3, 1e-6];

/** A numeric time in whichever unit puts it between the years 2000 and 3000, in milliseconds; else null (left out). */
export function timestampOf(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  for (const factor of TO_MILLISECONDS) {
    const ms = Math.floor(value * factor + (factor > 1 ? 0.5 : 0));
    if (isPlausibleMilliseconds(ms)) return ms;
  }
  return null;
}

/** The data points of a parsed value: itself, the elements of a wrapper list, or (given `pair`) v1's pairs; `wrapped`: inside a wrapper's list already. */
export function* dataPoints(
  value: JsonObject,
  wrapped = false,
): Generator<{ point: JsonObject; pair: readonly unknown[] | null } | { notPoint: unknown }> {
  if (!KEY_FIELDS.some((field) => field in value)) {
    // One wrapper level (v1's `series`), no more: a list in a list is no shape anyone sends, and recursing
    // into whatever nesting an input holds would end in a stack overflow, not a report.
    const list = wrapped
      ? undefined
      : (WRAPPER_FIELDS.map((field) => value[field]).find(Array.isArray) as unknown[] | undefined);
    if (list === undefined) yield { notPoint: value };
    for (const element of list ?? []) {
      if (isObject(element)) yield* dataPoints(element, true);
      else yield { notPoint: element };
    }
    return;
  }
  const pairs = value.dataPoints;
  if (!Array.isArray(pairs)) {
    yield { point: value, pair: null };
    return;
  }
  for (const pair of pairs) yield { point: value, pair: Array.isArray(pair) ? pair : [undefined, pair] };
}

/** The JSON converter: values (or the elements of a top-level array) one by one, each data point a line. */
export function createJsonConverter(sink: ConversionSink): LineConverter {
  const values = new JsonValues(true);
  const tally = emptyTally();
  /** Metric keys named so far, and what was said of each (renames, fields left out): said once per metric. */
  const named = new Set<string>();
  const said = new Set<string>();
  const skip = (line: number, item: string, message: string) => {
    tally.items++;
    tally.skipped++;
    sink.note({ kind: 'skipped', line, item, count: 1, message });
  };
  const once = (line: number, item: string, what: string, message: string, kind: 'renamed' | 'info') => {
    if (said.has(`${item}\n${what}`)) return;
    said.add(`${item}\n${what}`);
    sink.note({ kind, line, item, count: 1, message });
  };
  /** A value none of whose points became a line stays in sight as written: its lines are said to be unconverted. */
  const unconverted = (text: string, line: number) => {
    const last = line + (text.match(/\n/g)?.length ?? 0);
    for (let n = line; n <= last; n++) sink.unconverted?.(n);
  };
  const convertValue = (text: string, line: number) => {
    const [converted, skipped] = [tally.converted, tally.skipped];
    convertPoints(text, line);
    if (tally.converted === converted && tally.skipped > skipped) unconverted(text, line);
  };
  const convertPoints = (text: string, line: number) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      skip(line, excerpt(text), `not JSON: ${(error as Error).message}`);
      return;
    }
    if (!isObject(value)) {
      skip(line, excerpt(text), 'not a data point (an object with a metric key and a value)');
      return;
    }
    const wrapper = WRAPPER_FIELDS.find((field) => Array.isArray(value[field]));
    if (wrapper !== undefined && !KEY_FIELDS.some((field) => field in value))
      for (const field of Object.keys(value))
        if (field !== wrapper)
          once(
            line,
            wrapper,
            `field ${field}`,
            `field ${literal(field)} beside the list is no metric data: left out`,
            'info',
          );
    for (const found of dataPoints(value)) {
      if ('notPoint' in found) {
        skip(line, jsonExcerpt(found.notPoint), 'not a data point (an object with a metric key and a value)');
        continue;
      }
      const result = pointLine(found.point, found.pair);
      const item = firstString(found.point, KEY_FIELDS) ?? excerpt(text);
      if (!result.ok) {
        skip(line, item, result.reason);
        continue;
      }
      tally.items++;
      tally.converted++;
      if (!named.has(result.key)) {
        named.add(result.key);
        sink.naming({
          source: result.source,
          key: result.key,
          type: result.type,
          stored: storedKey(result.key, result.type),
          paths: {},
        });
        if (result.key !== result.source)
          once(line, item, 'key', `metric key ${literal(result.source)} written as ${literal(result.key)}`, 'renamed');
      }
      for (const change of result.changes)
        once(line, item, `dimension ${change.key}`, dimensionChangeText(change), change.to ? 'renamed' : 'info');
      if (result.time) once(line, item, 'time', timeChangeText(result.time), 'info');
      // `delta` says what the value is; `count` and `counter` may name a running total: said once per metric.
      if (result.type === 'count' && firstString(found.point, TYPE_FIELDS)?.toLowerCase() !== 'delta')
        once(
          line,
          item,
          'counter',
          'its value is sent as the increase since the last report (`count,delta=`): if the source reports a running total, send differences of it instead',
          'info',
        );
      for (const field of Object.keys(found.point))
        if (!READ_FIELDS.has(field))
          once(line, item, `field ${field}`, `field ${literal(field)} is not part of a metric line: left out`, 'info');
      sink.line(result.line, line);
    }
  };
  return {
    tally,
    line(text, lineNumber) {
      for (const value of values.line(text, lineNumber)) convertValue(value.text, value.line);
    },
    end() {
      const open = values.end();
      if (open === null) return;
      skip(open.line, excerpt(open.text), 'the JSON ends before this value does');
      unconverted(open.text, open.line);
    },
    interrupt(lineNumber) {
      const open = values.interrupt();
      if (open === null) return false;
      skip(open.line, excerpt(open.text), `its line ${lineNumber} is longer than can be read`);
      unconverted(open.text, open.line);
      return true;
    },
  };
}

const dimensionChangeText = (change: DimensionChange): string =>
  change.to === null
    ? `dimension ${literal(change.key)} left out: ${change.reason}`
    : `dimension key ${literal(change.key)} written as ${literal(change.to)}`;

const timeChangeText = ({ written, ms }: { written: unknown; ms: number | null }): string =>
  ms === null
    ? `timestamp ${literal(jsonExcerpt(written))} is no time between the years 2000 and 3000 in s, ms, µs or ns: left out, so the tenant stamps the line`
    : `timestamp ${literal(jsonExcerpt(written))} written in milliseconds: ${ms}`;

/** The start of a value's text, for a report. */
const excerpt = (text: string): string => shortText(text.replace(/\s+/g, ' ').trim());
