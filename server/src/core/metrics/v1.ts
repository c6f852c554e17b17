/**
 * The Timeseries API v1 query of the local tenant (`POST /api/v1/timeseries/{timeseriesIdentifier}`), which older
 * clusters answer instead of the Metrics API v2: one metric, one aggregation, series or total. It answers with a
 * plain response (response.ts) for the HTTP server to send. Pure: `now` is given, nothing throws.
 */
import { isEpochMillis, subtractUnits, type Parsed, type TimeUnit } from '../time.ts';
import type { V1TimeseriesResult } from './api.ts';
import { constraintViolated, invalidParameter, isRecord, metricNotFound, type ApiResponse } from './response.ts';
import { hasDimension, type MetricSource, type SlotColumns } from './series.ts';
import { ColumnPool, mergeInto, statistics, type Statistic } from './slots.ts';
import { DEFAULT_RESOLUTION, planGrid, type Timeframe } from './time.ts';

const V1_AGGREGATIONS: Readonly<Record<string, Statistic>> = {
  AVG: 'avg',
  COUNT: 'count',
  MAX: 'max',
  MIN: 'min',
  SUM: 'sum',
};

/** `relativeTime` values of the v1 API (DOC D20): back from now. */
const V1_RELATIVE_TIMES: Readonly<Record<string, readonly [number, TimeUnit]>> = {
  min: [1, 'm'],
  '5mins': [5, 'm'],
  '10mins': [10, 'm'],
  '15mins': [15, 'm'],
  '30mins': [30, 'm'],
  hour: [1, 'h'],
  '2hours': [2, 'h'],
  '6hours': [6, 'h'],
  day: [1, 'd'],
  '3days': [3, 'd'],
  week: [1, 'w'],
  month: [1, 'M'],
};

interface V1Request {
  frame: Timeframe;
  aggregationType: string;
  total: boolean;
  entities: string[] | null;
}

/**
 * The v1 answer for a stored metric, named in the path (`identifier`) or, posted to `/api/v1/timeseries`, by the
 * body's `timeseriesId`. One entry per series, keyed by its dimension values in the metric's dimension order
 * joined by ", " (v1 keys are entity IDs, several joined by commas); series whose values read the same under
 * different keys are merged. Series mode uses the resolution of a default v2 query (120 points).
 */
export function v1Timeseries(source: MetricSource, identifier: string | null, body: unknown, now: number): ApiResponse {
  const named = identifier ?? (isRecord(body) ? body.timeseriesId : undefined);
  if (typeof named !== 'string' || named === '') {
    return constraintViolated(
      'timeseriesId',
      'timeseriesId: name the metric in the body, or post to /api/v1/timeseries/{timeseriesId}',
      'PAYLOAD_BODY',
    ).response;
  }
  const facts = source.metric(named);
  if (!facts) return metricNotFound(source, named).response;
  const request = parseV1Body(body, now);
  if (!request.ok) return invalidParameter(request, 'PAYLOAD_BODY').response;
  const { frame, aggregationType, total, entities: wanted } = request.value;
  const grid = planGrid(frame, total ? { kind: 'inf' } : DEFAULT_RESOLUTION, (time) => source.finestStep(time));
  if (!grid.ok) return invalidParameter(grid, 'PAYLOAD_BODY').response;
  const { start, step, count } = grid.value;
  const merged = new Map<string, SlotColumns>();
  const entities: Record<string, string> = {};
  const pool = new ColumnPool();
  for (const reader of source.series(facts.key)) {
    const values = facts.dimensionKeys
      .filter((key) => hasDimension(reader.dimensions, key))
      .map((key) => reader.dimensions[key] as string);
    if (wanted && !values.some((value) => wanted.includes(value))) continue;
    const slots = pool.take(count);
    if (!reader.readColumns(start, step, count, slots)) {
      pool.give(slots);
      continue;
    }
    const id = values.join(', ');
    const earlier = merged.get(id);
    if (earlier) {
      mergeInto(earlier, slots);
      pool.give(slots);
    } else merged.set(id, slots);
    for (const value of values) entities[value] = value;
  }
  const which = V1_AGGREGATIONS[aggregationType] as Statistic;
  const dataPoints: Record<string, [number, number | null][]> = {};
  for (const [id, slots] of merged)
    dataPoints[id] = statistics(slots, which).map((value, i) => [start + i * step, value]);
  const answer: V1TimeseriesResult = {
    result: {
      timeseriesId: facts.key,
      unit: facts.unit ?? 'Unspecified',
      resolutionInMillisUTC: step,
      aggregationType,
      dataPoints,
      entities,
    },
  };
  return { status: 200, body: answer };
}

function parseV1Body(body: unknown, now: number): Parsed<V1Request> {
  const invalid = (parameter: string, message: string): Parsed<V1Request> => ({
    ok: false,
    parameter,
    message: `${parameter}: ${message}`,
  });
  const fields = body === undefined || body === null ? {} : body;
  if (!isRecord(fields)) return invalid('body', 'must be a JSON object (TimeseriesQueryMessage)');
  const { aggregationType, startTimestamp, endTimestamp, relativeTime, queryMode, entities } = fields;
  if (typeof aggregationType !== 'string') return invalid('aggregationType', 'required: AVG, SUM, MIN, MAX or COUNT');
  const aggregation = aggregationType.toUpperCase();
  if (!(aggregation in V1_AGGREGATIONS)) {
    const why =
      aggregation === 'MEDIAN' || aggregation === 'PERCENTILE' ? 'not supported by the local tenant' : 'unknown';
    return invalid('aggregationType', `${aggregationType} is ${why}: use AVG, SUM, MIN, MAX or COUNT`);
  }
  for (const name of ['tags', 'filters'] as const) {
    const value = fields[name];
    if (value !== undefined && value !== null && Object.keys(value).length > 0)
      return invalid(name, 'not supported by the local tenant, which has no entities');
  }
  if (fields.predict === true) return invalid('predict', 'not supported by the local tenant');
  let total = false;
  if (queryMode !== undefined && queryMode !== null) {
    const mode = typeof queryMode === 'string' ? queryMode.toLowerCase() : '';
    if (mode !== 'series' && mode !== 'total')
      return invalid('queryMode', `${JSON.stringify(queryMode)} is not SERIES or TOTAL`);
    total = mode === 'total';
  }
  let wanted: string[] | null = null;
  if (entities !== undefined && entities !== null) {
    if (!Array.isArray(entities) || !entities.every((entity) => typeof entity === 'string'))
      return invalid('entities', 'must be a list of strings');
    wanted = entities as string[];
  }
  const frame = v1Timeframe(startTimestamp, endTimestamp, relativeTime, now);
  if (!frame.ok) return frame;
  return { ok: true, value: { frame: frame.value, aggregationType: aggregation, total, entities: wanted } };
}

/** startTimestamp and endTimestamp, or relativeTime; an end past now is now; at most 6 months (DOC D20). */
function v1Timeframe(
  startTimestamp: unknown,
  endTimestamp: unknown,
  relativeTime: unknown,
  now: number,
): Parsed<Timeframe> {
  const invalid = (parameter: string, message: string): Parsed<Timeframe> => ({
    ok: false,
    parameter,
    message: `${parameter}: ${message}`,
  });
  const given = (value: unknown) => value !== undefined && value !== null;
  let frame: Timeframe;
  if (given(relativeTime)) {
    if (given(startTimestamp) || given(endTimestamp))
      return invalid('relativeTime', 'give either relativeTime or startTimestamp and endTimestamp, not both');
    const relative = typeof relativeTime === 'string' ? V1_RELATIVE_TIMES[relativeTime.toLowerCase()] : undefined;
    if (!relative)
      return invalid(
        'relativeTime',
        `${JSON.stringify(relativeTime)} is not one of ${Object.keys(V1_RELATIVE_TIMES).join(', ')}`,
      );
    frame = { from: subtractUnits(now, relative[0], relative[1]), to: now };
  } else {
    if (!given(startTimestamp) || !given(endTimestamp))
      return invalid(
        given(startTimestamp) ? 'endTimestamp' : 'startTimestamp',
        'give startTimestamp and endTimestamp (UTC ms), or relativeTime',
      );
    for (const [name, value] of [
      ['startTimestamp', startTimestamp],
      ['endTimestamp', endTimestamp],
    ] as const) {
      if (!isEpochMillis(value)) return invalid(name, `${JSON.stringify(value)} is not a time in UTC milliseconds`);
    }
    frame = { from: startTimestamp as number, to: Math.min(endTimestamp as number, now) };
    if (frame.from >= frame.to)
      return invalid(
        'startTimestamp',
        `must lie before endTimestamp (or now, when endTimestamp is later): ${frame.from} ≥ ${frame.to}`,
      );
  }
  if (frame.from < subtractUnits(frame.to, 6, 'M'))
    return invalid('startTimestamp', 'the timeframe must not exceed 6 months');
  return { ok: true, value: frame };
}
