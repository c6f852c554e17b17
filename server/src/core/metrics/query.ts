/**
 * The query side of the local tenant, over a MetricSource: the Metrics API v2 query, metric list and descriptor
 * (PROTOCOL §7) and the Timeseries API v1 older clusters use. Each function answers with a plain response
 * (`status`, `body`) for the HTTP server to send; the metrics query also as sliced work and streamed JSON
 * (evaluateQuery, metricDataJson), so a big one does not stall the server. Pure: `now` is given, nothing throws,
 * bad input is a 400 body.
 */
import { TENANT } from '../rules.ts';
import { csvField } from './result.ts';
import { SlotColumns, type MetricFacts, type MetricSource, type PayloadType, type SeriesReader } from './series.ts';
import { AGGREGATIONS, parseMetricSelector, type Aggregation, type Condition, type MetricExpression, type SortKey, type Transformation } from './selector.ts';
import { DEFAULT_RESOLUTION, formatStep, gridEnd, parseResolution, parseTimeframe, planGrid, resolutionFor, type Param, type Resolution, type TimeGrid, type Timeframe } from './time.ts';
import { isEpochMillis, subtractUnits, type Parsed, type TimeUnit } from '../time.ts';

export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface ConstraintViolation {
  path: string;
  message: string;
  parameterLocation: 'QUERY' | 'PAYLOAD_BODY' | 'PATH';
  location: null;
}

/** PROTOCOL §6.2. */
export interface ErrorEnvelope {
  error: { code: number; message: string; constraintViolations?: ConstraintViolation[] };
}

export function constraintViolated(path: string, message: string, parameterLocation: ConstraintViolation['parameterLocation'] = 'QUERY'): ApiResponse {
  const body: ErrorEnvelope = { error: { code: 400, message: 'Constraints violated.', constraintViolations: [{ path, message, parameterLocation, location: null }] } };
  return { status: 400, body };
}

const invalidParameter = (invalid: { parameter: string; message: string }, location?: ConstraintViolation['parameterLocation']): ApiResponse =>
  constraintViolated(invalid.parameter, invalid.message, location);

/** 404 for a key the store does not hold, naming the suffixed key when that is what exists (PROTOCOL §9.5). */
function metricNotFound(source: MetricSource, key: string): ApiResponse {
  const suffixed = ['.count', '.gauge'].map((suffix) => key + suffix).find((candidate) => source.metric(candidate));
  const hint = suffixed ? ` Did you mean '${suffixed}'? The ingest API stores count metrics with the suffix .count.` : '';
  const body: ErrorEnvelope = { error: { code: 404, message: `Metric '${key}' not found.${hint}` } };
  return { status: 404, body };
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics of a slot

type Statistic = 'avg' | 'count' | 'max' | 'min' | 'sum';

/**
 * The aggregation a metric gets when none is asked for (`:auto`, and the descriptor's defaultAggregation).
 * Gauges: avg, as Dynatrace's own gauges (builtin:host.cpu.usage defaults to avg, DOC D9). Count metrics: sum.
 * A count point is a delta (DOC D1, `count,delta=5`), so a slot's value is the total of its deltas, whatever the
 * batching of the client; an avg of deltas would change with it. DOC D4 says the same of counts: coarser slots
 * give "greater values for aggregations such as sum or count".
 */
export const defaultAggregation = (type: PayloadType): Statistic => (type === 'count' ? 'sum' : 'avg');

/** Slot i's statistic; null where the slot holds no point. */
function statistic(slots: SlotColumns, i: number, which: Statistic): number | null {
  if (!slots.present[i]) return null;
  const value = which === 'avg' ? (slots.sum[i] as number) / (slots.count[i] as number) : (slots[which][i] as number);
  // JSON has no NaN or Infinity: the average of the valid empty summary (count=0, PROTOCOL §2.2) and a sum that
  // overflowed are no value.
  return Number.isFinite(value) ? value : null;
}

function statistics(slots: SlotColumns, which: Statistic): (number | null)[] {
  const values = new Array<number | null>(slots.length);
  for (let i = 0; i < slots.length; i++) values[i] = statistic(slots, i, which);
  return values;
}

/** Adds the points of `more` to `into`: slot by slot, or (`fold`) all of them to slot 0. */
function mergeInto(into: SlotColumns, more: SlotColumns, fold = false): void {
  for (let i = 0; i < more.length; i++) {
    if (more.present[i]) into.merge(fold ? 0 : i, more.min[i] as number, more.max[i] as number, more.sum[i] as number, more.count[i] as number);
  }
}

/**
 * Slot columns kept for reuse, by length, all of them empty when taken: a query reads thousands of series one or a
 * few at a time, and columns made afresh for each would cost more than reading them (typed arrays are slow to make).
 * Whoever takes columns gives them back once done with them, and uses them no more.
 */
class ColumnPool {
  private readonly free = new Map<number, SlotColumns[]>();

  take(length: number): SlotColumns {
    const columns = this.free.get(length)?.pop() ?? new SlotColumns(length);
    columns.present.fill(0);
    return columns;
  }

  give(columns: SlotColumns): void {
    const free = this.free.get(columns.length);
    if (free) free.push(columns);
    else this.free.set(columns.length, [columns]);
  }
}

const hasDimension = (dimensions: Readonly<Record<string, string>>, key: string): boolean => Object.hasOwn(dimensions, key);
const dimensionValue = (dimensions: Readonly<Record<string, string>>, key: string): string | undefined =>
  hasDimension(dimensions, key) ? dimensions[key] : undefined;

// ---------------------------------------------------------------------------------------------------------------
// GET /api/v2/metrics/query

export interface MetricSeries {
  dimensions: string[];
  dimensionMap: Record<string, string>;
  timestamps: number[];
  values: (number | null)[];
}

export interface MetricSeriesCollection {
  metricId: string;
  dataPointCountRatio: number;
  dimensionCountRatio: number;
  warnings?: string[];
  data: MetricSeries[];
}

/** PROTOCOL §7.1. */
export interface MetricData {
  totalCount: number;
  nextPageKey: null;
  resolution: string;
  warnings?: string[];
  result: MetricSeriesCollection[];
}

export interface QueryParams {
  metricSelector?: Param;
  from?: Param;
  to?: Param;
  resolution?: Param;
  readonly [other: string]: Param;
}

/**
 * Work a query does between two pauses: stored slots read, or slots combined. A few milliseconds' worth, so a
 * server that runs a query's generators one step per turn of its event loop goes on serving other requests.
 */
export const SLICE_SLOTS = 50_000;
/** Work counted for handling one series without reading it (a filter, a regroup, a sort key), in slots. */
const SERIES_WORK = 50;
/** The size of the pieces metricDataJson hands out, in characters. */
export const CHUNK_CHARS = 64 * 1024;

/** A query's work, counted: says when a slice is done and the query should pause. */
class Slices {
  private done = 0;

  spend(slots: number): boolean {
    this.done += slots;
    if (this.done < SLICE_SLOTS) return false;
    this.done = 0;
    return true;
  }
}

/** Work that pauses (yields) after each slice and ends with a T. */
type Sliced<T> = Generator<undefined, T>;

/** Runs sliced work to its end at once, for callers that do not need the pauses. */
function finish<T>(work: Generator<unknown, T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/**
 * A 400 for the first of `names` that is set: parameters of the real API the local tenant cannot honour, refused
 * rather than ignored, since ignoring them would answer a different question.
 */
function unsupportedParameter(params: Readonly<Record<string, Param>>, names: readonly string[], hint: string): ApiResponse | null {
  const name = names.find((candidate) => params[candidate]?.trim());
  return name ? constraintViolated(name, `${name}: not supported by the local tenant${hint}`) : null;
}

/** The query answered at once: MetricData, or the ErrorEnvelope of a refusal. */
export function queryMetrics(source: MetricSource, params: QueryParams, now: number): ApiResponse {
  const evaluated = finish(evaluateQuery(source, params, now));
  return 'status' in evaluated ? evaluated : { status: 200, body: finish(metricData(evaluated)) };
}

/** A query evaluated up to its series, whose values are still in the store: metricData and metricDataJson read them. */
export interface EvaluatedQuery {
  totalCount: number;
  resolution: string;
  warnings: string[];
  collections: EvaluatedCollection[];
}

interface EvaluatedCollection {
  /** The collection's fields before `data`, in the order MetricSeriesCollection has them. */
  head: Omit<MetricSeriesCollection, 'data'>;
  timestamps: number[];
  dimensionKeys: readonly string[];
  /** What a slot's value is: the chain's `auto` at its end. */
  output: Statistic;
  series: WorkSeries[];
  reading: Reading;
}

/** How a metric's stored series are read: the grid, the stored slots one read covers, the query's work count. */
interface Reading {
  grid: TimeGrid;
  readCost: number;
  slices: Slices;
  pool: ColumnPool;
}

/**
 * Plans and evaluates a query, pausing after each slice of work: a refusal (400, 404) or the evaluated query.
 * Every metric of the selector is checked against the limits before anything is read, so a refused query costs
 * nothing; series are then only tested for a point in the timeframe and arranged by the transformations, their
 * values read when the answer is written (one series at a time: memory holds series, not points).
 */
export function* evaluateQuery(source: MetricSource, params: QueryParams, now: number): Sliced<ApiResponse | EvaluatedQuery> {
  const selectorText = params.metricSelector ?? '';
  if (selectorText.trim() === '') return constraintViolated('metricSelector', 'metricSelector: must not be empty; name at least one metric, e.g. my.metric:splitBy()');
  const unsupported = unsupportedParameter(params, ['entitySelector', 'mzSelector'], ', which has no entities: filter by dimension, e.g. :filter(eq("dt.entity.host","HOST-1"))');
  if (unsupported) return unsupported;
  const selector = parseMetricSelector(selectorText);
  if (!selector.ok) return constraintViolated('metricSelector', `metricSelector: ${selector.error.message}`);
  const frame = parseTimeframe(params.from, params.to, now);
  if (!frame.ok) return invalidParameter(frame);
  const resolution = parseResolution(params.resolution);
  if (!resolution.ok) return invalidParameter(resolution);
  const expressions = selector.expressions;
  for (const index of resolution.value.byExpression.keys()) {
    if (index >= expressions.length) return constraintViolated('resolution', `resolution: there is no expression ${index}; the selector has ${expressions.length}`);
  }
  const metrics: MetricFacts[] = [];
  for (const expression of expressions) {
    const facts = source.metric(expression.key);
    if (!facts) return metricNotFound(source, expression.key);
    metrics.push(facts);
  }
  const slices = new Slices();
  const plans: Plan[] = [];
  for (const [index, expression] of expressions.entries()) {
    const plan = yield* planExpression(source, expression, metrics[index] as MetricFacts, frame.value, resolutionFor(resolution.value, index), slices);
    if ('status' in plan) return plan;
    plans.push(plan);
  }
  const collections: EvaluatedCollection[] = [];
  const warnings = new Set<string>();
  for (const plan of plans) {
    const collection = yield* evaluate(plan);
    if ('status' in collection) return collection;
    for (const warning of collection.head.warnings ?? []) warnings.add(warning);
    collections.push(collection);
  }
  const finest = plans.map((plan) => plan.reading.grid).reduce((a, b) => (resolutionRank(b) < resolutionRank(a) ? b : a));
  return {
    // A real tenant counts "primary entities" (DOC D6); the local tenant has none, so it counts the series.
    totalCount: collections.reduce((total, collection) => total + collection.series.length, 0),
    // With several resolutions the response names the smallest (DOC D6).
    resolution: finest.inf ? 'Inf' : formatStep(finest.step),
    warnings: [...warnings],
    collections,
  };
}

const resolutionRank = (grid: TimeGrid): number => (grid.inf ? Infinity : grid.step);

/**
 * A series while transformations run. Its slots are not held: they are read when needed from its source (a
 * stored series, the series merged into it, or none: `width` empty slots), then changed by its steps in order.
 */
interface WorkSeries {
  dimensions: Readonly<Record<string, string>>;
  source: { stored: SeriesReader } | { merged: WorkSeries[] } | { width: number };
  steps: SlotStep[];
}

/** What a transformation does to one series' slots: each slot to one value, all slots to one, nulls to a value. */
type SlotStep = { kind: 'aggregate'; statistic: Statistic } | { kind: 'fold' } | { kind: 'default'; value: number };

/** A series' slots: read (or merged) from its source, with its steps applied. Taken from the pool: give them back. */
function* slotsOf(series: WorkSeries, reading: Reading): Sliced<SlotColumns> {
  const { source } = series;
  const { pool } = reading;
  let slots: SlotColumns;
  if ('stored' in source) {
    const { start, step, count } = reading.grid;
    slots = pool.take(count);
    source.stored.readColumns(start, step, count, slots);
    if (reading.slices.spend(reading.readCost)) yield;
  } else if ('merged' in source) {
    let merged: SlotColumns | null = null;
    for (const member of source.merged) {
      const more = yield* slotsOf(member, reading);
      if (merged) {
        mergeInto(merged, more);
        pool.give(more);
      } else merged = more;
      if (reading.slices.spend(more.length)) yield;
    }
    slots = merged ?? pool.take(0);
  } else slots = pool.take(source.width);
  for (const step of series.steps) slots = applyStep(slots, step, pool);
  return slots;
}

/** Changes the slots by one step: in place, or (a fold) into other columns of the pool, giving these back. */
function applyStep(slots: SlotColumns, step: SlotStep, pool: ColumnPool): SlotColumns {
  switch (step.kind) {
    case 'fold': {
      const folded = pool.take(1);
      mergeInto(folded, slots, true);
      pool.give(slots);
      return folded;
    }
    case 'aggregate':
      for (let i = 0; i < slots.length; i++) {
        // An aggregated slot holds its one value as a one-point statistic.
        const value = statistic(slots, i, step.statistic);
        if (value === null) slots.present[i] = 0;
        else slots.set(i, value, value, value, 1);
      }
      return slots;
    case 'default':
      for (let i = 0; i < slots.length; i++) if (!slots.present[i]) slots.set(i, step.value, step.value, step.value, 1);
      return slots;
  }
}

interface Evaluation {
  type: PayloadType;
  series: WorkSeries[];
  /** The dimension keys series may carry, in order: the metric's, then what splitBy or merge kept. */
  dimensionKeys: readonly string[];
  /**
   * An aggregation was applied: each slot holds one plain value (as a one-point statistic). What the values
   * mean is then lost, and combining them sums them (DOC D4: ":avg" before ":fold" makes a percentage exceed 100).
   */
  aggregated: boolean;
  folded: boolean;
  /** The last space aggregation was `splitBy()`, the one `default(x,always)` may follow (DOC D9). */
  mergedAll: boolean;
  slotCount: number;
  warnings: Set<string>;
}

/**
 * What an aggregation name means at this point of a chain. `auto` is the metric's default before any
 * aggregation, sum after one (see Evaluation.aggregated). `value` "takes a single value as is" (DOC D9); the store
 * keeps no order within a slot, so there is no last point to take, and a slot's single natural value is what auto
 * gives: the average of a gauge's points (the point itself when there is one), the total of a count's deltas.
 */
function resolveAggregation(aggregation: Aggregation, evaluation: Evaluation): Statistic {
  if (aggregation !== 'auto' && aggregation !== 'value') return aggregation;
  return evaluation.aggregated ? 'sum' : defaultAggregation(evaluation.type);
}

/** One metric of the selector, planned: its grid, the series it reads, the transformations still to run. */
interface Plan {
  expression: MetricExpression;
  evaluation: Evaluation;
  reading: Reading;
  /** The transformations after the filters the chain starts with, which were applied before reading. */
  rest: readonly Transformation[];
  /** Stored slots the plan reads: its series × reading.readCost. */
  readPoints: number;
}

/**
 * The grid, and the series a metric's chain reads: the filters it starts with look at dimensions only, so they
 * run before anything is read and what they drop costs nothing (as a real tenant filters in its database). Of
 * the rest, the first queryTuples are processed (DOC D6). Past the limit of points read: the 400, before reading.
 */
function* planExpression(source: MetricSource, expression: MetricExpression, facts: MetricFacts, frame: Timeframe, requested: Resolution, slices: Slices): Sliced<Plan | ApiResponse> {
  const grid = planGrid(frame, requested, (time) => source.finestStep(time));
  if (!grid.ok) return invalidParameter(grid);
  const { start, step, count } = grid.value;
  const evaluation: Evaluation = {
    type: facts.type,
    series: [...source.series(facts.key)].map((stored) => ({ dimensions: stored.dimensions, source: { stored }, steps: [] })),
    dimensionKeys: facts.dimensionKeys,
    aggregated: false,
    folded: false,
    mergedAll: false,
    slotCount: count,
    warnings: new Set(),
  };
  if (requested.kind === 'span' && step > requested.ms) {
    evaluation.warnings.add(`The resolution ${requested.text} is finer than the data kept from ${new Date(start).toISOString()} on; ${formatStep(step)} is used.`);
  }
  const leading = expression.transformations.findIndex((transformation) => transformation.kind !== 'filter');
  const filters = leading < 0 ? expression.transformations.length : leading;
  for (const filter of expression.transformations.slice(0, filters)) if (filter.kind === 'filter') yield* filterSeries(evaluation, filter.conditions, slices);
  evaluation.series = evaluation.series.slice(0, TENANT.queryTuples);
  const stored = source.finestStep(start);
  const readCost = (count * step) / stored;
  const readPoints = evaluation.series.length * readCost;
  const limit = TENANT.queryDataPoints;
  if (readPoints > limit) {
    const what = `${evaluation.series.length.toLocaleString('en-US')} series × ${readCost.toLocaleString('en-US')} slots of ${formatStep(stored)}`;
    const error = `from: ${expression.text.trim()} would read ${readPoints.toLocaleString('en-US')} stored data points (${what}); a query may read at most ${limit.toLocaleString('en-US')}: shorten the timeframe, or filter the series first (:filter right after the metric key)`;
    return constraintViolated('from', error);
  }
  return { expression, evaluation, reading: { grid: grid.value, readCost, slices, pool: new ColumnPool() }, rest: expression.transformations.slice(filters), readPoints };
}

function* evaluate(plan: Plan): Sliced<EvaluatedCollection | ApiResponse> {
  const { evaluation, reading, expression } = plan;
  // Only series with a point in the timeframe are part of the result, as in a real tenant.
  const { start, step, count } = reading.grid;
  const scratch = reading.pool.take(count);
  const present: WorkSeries[] = [];
  for (const series of evaluation.series) {
    if ('stored' in series.source && series.source.stored.readColumns(start, step, count, scratch)) present.push(series);
    if (reading.slices.spend(reading.readCost)) yield;
  }
  reading.pool.give(scratch);
  evaluation.series = present;
  const tuples = present.length;
  for (const transformation of plan.rest) {
    const error = yield* transform(evaluation, transformation, reading);
    if (error) return constraintViolated('metricSelector', `metricSelector: ${error}`);
  }
  const { grid } = reading;
  return {
    head: {
      metricId: expression.text.trim(),
      dataPointCountRatio: plan.readPoints / TENANT.queryDataPoints,
      dimensionCountRatio: tuples / TENANT.queryTuples,
      ...(evaluation.warnings.size > 0 ? { warnings: [...evaluation.warnings] } : {}),
    },
    timestamps: evaluation.folded ? [gridEnd(grid)] : Array.from({ length: grid.count }, (_, i) => grid.start + (i + 1) * grid.step),
    dimensionKeys: evaluation.dimensionKeys,
    output: resolveAggregation('auto', evaluation),
    series: evaluation.series,
    reading,
  };
}

/** A series as the answer lists it: its dimensions, and its values, read from the store now. */
function* seriesParts(collection: EvaluatedCollection, series: WorkSeries): Sliced<Omit<MetricSeries, 'timestamps'>> {
  const keys = collection.dimensionKeys.filter((key) => hasDimension(series.dimensions, key));
  const dimensions = keys.map((key) => series.dimensions[key] as string);
  const slots = yield* slotsOf(series, collection.reading);
  const values = statistics(slots, collection.output);
  collection.reading.pool.give(slots);
  return { dimensions, dimensionMap: Object.fromEntries(keys.map((key, i) => [key, dimensions[i] as string])), values };
}

/** MetricData's fields before `result`. */
const dataHead = (query: EvaluatedQuery): Omit<MetricData, 'result'> => ({
  totalCount: query.totalCount,
  nextPageKey: null,
  resolution: query.resolution,
  ...(query.warnings.length > 0 ? { warnings: query.warnings } : {}),
});

/** The whole MetricData body. */
function* metricData(query: EvaluatedQuery): Sliced<MetricData> {
  const result: MetricSeriesCollection[] = [];
  for (const collection of query.collections) {
    const data: MetricSeries[] = [];
    for (const series of collection.series) {
      const { dimensions, dimensionMap, values } = yield* seriesParts(collection, series);
      data.push({ dimensions, dimensionMap, timestamps: [...collection.timestamps], values });
    }
    result.push({ ...collection.head, data });
  }
  return { ...dataHead(query), result };
}

/**
 * The MetricData body as JSON text, character for character what JSON.stringify makes of metricData's, in pieces
 * of about CHUNK_CHARS; `undefined` where a slice of work ended before a piece was full. Series are read one at a
 * time as they are written, so memory holds a piece, never the answer (a string cannot pass ~512 MB).
 */
export function* metricDataJson(query: EvaluatedQuery): Generator<string | undefined, void> {
  let text = `${JSON.stringify(dataHead(query)).slice(0, -1)},"result":[`;
  for (const [c, collection] of query.collections.entries()) {
    text += `${c > 0 ? ',' : ''}${JSON.stringify(collection.head).slice(0, -1)},"data":[`;
    // The same for every series of the collection: written out once.
    const timestamps = JSON.stringify(collection.timestamps);
    for (const [s, series] of collection.series.entries()) {
      const { dimensions, dimensionMap, values } = yield* seriesParts(collection, series);
      text += `${s > 0 ? ',' : ''}{"dimensions":${JSON.stringify(dimensions)},"dimensionMap":${JSON.stringify(dimensionMap)},"timestamps":${timestamps},"values":${JSON.stringify(values)}}`;
      if (text.length >= CHUNK_CHARS) {
        yield text;
        text = '';
      }
    }
    text += ']}';
  }
  yield `${text}]}`;
}

/**
 * The MetricData as the `text/csv` answer of a tenant (DOC D6's examples): a row per data point, the columns
 * `metricId`, the dimension keys (of every metric, in order of appearance; empty where a series lacks one), `time`
 * (the slot's end, `yyyy-MM-dd HH:mm:ss` in UTC) and `value` (empty for null); the header row only with
 * `header`. In pieces of about CHUNK_CHARS, series read one at a time, as metricDataJson.
 */
export function* metricDataCsv(query: EvaluatedQuery, header: boolean): Generator<string | undefined, void> {
  const keys = [...new Set(query.collections.flatMap((collection) => collection.dimensionKeys))];
  let text = header ? `${['metricId', ...keys, 'time', 'value'].map(csvField).join(',')}\r\n` : '';
  for (const collection of query.collections) {
    const times = collection.timestamps.map((t) => new Date(t).toISOString().slice(0, 19).replace('T', ' '));
    for (const series of collection.series) {
      const { dimensionMap, values } = yield* seriesParts(collection, series);
      const head = [collection.head.metricId, ...keys.map((key) => dimensionValue(dimensionMap, key) ?? '')].map(csvField).join(',');
      times.forEach((time, i) => (text += `${head},${time},${values[i] ?? ''}\r\n`));
      if (text.length >= CHUNK_CHARS) {
        yield text;
        text = '';
      }
    }
  }
  yield text;
}

/** Applies one transformation; returns an error message when the chain cannot be evaluated. */
function* transform(evaluation: Evaluation, transformation: Transformation, reading: Reading): Sliced<string | null> {
  switch (transformation.kind) {
    case 'aggregation':
      aggregate(evaluation, resolveAggregation(transformation.aggregation, evaluation));
      return null;
    case 'filter':
      yield* filterSeries(evaluation, transformation.conditions, reading.slices);
      return null;
    case 'splitBy': {
      const keys = transformation.dimensions;
      warnUnknownKeys(evaluation, keys);
      // "Only metric series that have each of the specified dimensions are considered" (DOC D9).
      yield* regroup(evaluation, (dimensions) => (keys.every((key) => hasDimension(dimensions, key)) ? keys : null), reading.slices);
      evaluation.dimensionKeys = keys;
      evaluation.mergedAll = keys.length === 0;
      return null;
    }
    case 'merge': {
      warnUnknownKeys(evaluation, transformation.dimensions);
      const kept = evaluation.dimensionKeys.filter((key) => !transformation.dimensions.includes(key));
      yield* regroup(evaluation, (dimensions) => kept.filter((key) => hasDimension(dimensions, key)), reading.slices);
      evaluation.dimensionKeys = kept;
      evaluation.mergedAll = false;
      return null;
    }
    case 'fold': {
      // "If an aggregation has been applied in the transformation chain before, the argument is ignored" (DOC D9).
      const then = transformation.aggregation && !evaluation.aggregated ? resolveAggregation(transformation.aggregation, evaluation) : null;
      for (const series of evaluation.series) series.steps.push({ kind: 'fold' });
      evaluation.folded = true;
      evaluation.slotCount = 1;
      if (then) aggregate(evaluation, then);
      return null;
    }
    case 'limit':
      evaluation.series = evaluation.series.slice(0, transformation.count);
      return null;
    case 'sort':
      for (const key of transformation.keys) if (key.kind === 'dimension') warnUnknownKeys(evaluation, [key.dimension]);
      yield* sortSeries(evaluation, transformation.keys, reading);
      return null;
    case 'default':
      return fillDefault(evaluation, transformation.value, transformation.always);
  }
}

function* filterSeries(evaluation: Evaluation, conditions: readonly Condition[], slices: Slices): Sliced<void> {
  const referenced: string[] = [];
  for (const condition of conditions) collectDimensions(condition, referenced);
  warnUnknownKeys(evaluation, referenced);
  const kept: WorkSeries[] = [];
  for (const series of evaluation.series) {
    if (conditions.every((condition) => matches(condition, series.dimensions))) kept.push(series);
    if (slices.spend(SERIES_WORK)) yield;
  }
  evaluation.series = kept;
}

function aggregate(evaluation: Evaluation, which: Statistic): void {
  for (const series of evaluation.series) series.steps.push({ kind: 'aggregate', statistic: which });
  evaluation.aggregated = true;
}

/**
 * `:default(x)` replaces nulls, in series that have a point (DOC D9). It works on values, so the chain is
 * aggregated first if it was not. With `always` and no series at all, it makes the one series `splitBy()` would
 * have made.
 */
function fillDefault(evaluation: Evaluation, value: number, always: boolean): string | null {
  if (always && !evaluation.mergedAll) return ':default(x,always) is only valid right after an empty :splitBy()';
  if (!evaluation.aggregated) aggregate(evaluation, resolveAggregation('auto', evaluation));
  for (const series of evaluation.series) series.steps.push({ kind: 'default', value });
  if (always && evaluation.series.length === 0) {
    evaluation.series.push({ dimensions: {}, source: { width: evaluation.slotCount }, steps: [{ kind: 'default', value }] });
  }
  return null;
}

/** Merges the series whose kept dimensions (keysOf; null: the series drops out) have the same values, exactly. */
function* regroup(evaluation: Evaluation, keysOf: (dimensions: Readonly<Record<string, string>>) => readonly string[] | null, slices: Slices): Sliced<void> {
  const groups = new Map<string, { dimensions: Record<string, string>; members: WorkSeries[] }>();
  for (const series of evaluation.series) {
    if (slices.spend(SERIES_WORK)) yield;
    const keys = keysOf(series.dimensions);
    if (!keys) continue;
    const pairs = keys.map((key) => [key, series.dimensions[key] as string] as const);
    const id = JSON.stringify(pairs);
    const group = groups.get(id);
    if (group) group.members.push(series);
    else groups.set(id, { dimensions: Object.fromEntries(pairs), members: [series] });
  }
  evaluation.series = [...groups.values()].map(({ dimensions, members }) => ({ dimensions, source: { merged: members }, steps: [] }));
}

function warnUnknownKeys(evaluation: Evaluation, keys: readonly string[]): void {
  for (const key of keys) {
    // The wording of a real tenant (DOC D6 response example).
    if (!evaluation.dimensionKeys.includes(key)) evaluation.warnings.add(`The dimension key \`${key}\` has been referenced, but the metric has no such key.`);
  }
}

function collectDimensions(condition: Condition, into: string[]): void {
  if ('conditions' in condition) for (const inner of condition.conditions) collectDimensions(inner, into);
  else if ('condition' in condition) collectDimensions(condition.condition, into);
  else into.push(condition.dimension);
}

function matches(condition: Condition, dimensions: Readonly<Record<string, string>>): boolean {
  if ('conditions' in condition) {
    const match = (inner: Condition) => matches(inner, dimensions);
    return condition.kind === 'and' ? condition.conditions.every(match) : condition.conditions.some(match);
  }
  if ('condition' in condition) return !matches(condition.condition, dimensions);
  const value = dimensionValue(dimensions, condition.dimension);
  switch (condition.kind) {
    case 'eq':
      return value === condition.value;
    case 'ne':
      return value !== condition.value; // "the reverse of the eq condition" (DOC D9): a series without the key passes
    case 'prefix':
      return value?.startsWith(condition.value) ?? false;
    case 'suffix':
      return value?.endsWith(condition.value) ?? false;
    case 'contains':
      return value?.includes(condition.value) ?? false;
    case 'in':
      return value !== undefined && condition.values.includes(value);
    case 'existsKey':
      return value !== undefined;
  }
}

/** Stable: ties keep their order. Series without a value or without the dimension go last, either direction. */
function* sortSeries(evaluation: Evaluation, keys: readonly SortKey[], reading: Reading): Sliced<void> {
  const byValue = keys.some((key) => key.kind === 'value');
  // The statistic each value key sorts by: the same for every series.
  const sortStatistics = keys.map((key) => (key.kind === 'value' ? resolveAggregation(key.aggregation, evaluation) : null));
  // Each series' sort keys, found once: its folded value per value key, its dimension's value per dimension key.
  const scored: { series: WorkSeries; scores: (number | string | null | undefined)[] }[] = [];
  for (const series of evaluation.series) {
    const folded = byValue ? applyStep(yield* slotsOf(series, reading), { kind: 'fold' }, reading.pool) : null;
    scored.push({
      series,
      scores: keys.map((key, i) => (key.kind === 'dimension' ? dimensionValue(series.dimensions, key.dimension) : folded && statistic(folded, 0, sortStatistics[i] as Statistic))),
    });
    if (folded) reading.pool.give(folded);
    if (reading.slices.spend(SERIES_WORK)) yield;
  }
  scored.sort((a, b) => {
    for (const [i, key] of keys.entries()) {
      const [x, y] = [a.scores[i], b.scores[i]];
      const order = key.kind === 'value' ? compareValues(x as number | null, y as number | null, key.descending) : compareDimensions(x as string | undefined, y as string | undefined, key);
      if (order !== 0) return order;
    }
    return 0;
  });
  evaluation.series = scored.map((entry) => entry.series);
}

function compareValues(a: number | null, b: number | null, descending: boolean): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return descending ? b - a : a - b;
}

function compareDimensions(x: string | undefined, y: string | undefined, key: Extract<SortKey, { kind: 'dimension' }>): number {
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
  const order = key.natural ? naturalCompare(x, y) : compareText(x, y);
  return key.descending ? -order : order;
}

/** Lexical order by UTF-16 code unit ("0..9a..z", DOC D9), independent of any locale. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Natural order (DOC D9: `1,2,3,11,21`): runs of digits compare as numbers, everything else lexically. */
function naturalCompare(a: string, b: string): number {
  const x = a.match(/\d+|\D+/g) ?? [];
  const y = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    const numeric = /^\d/.test(p) && /^\d/.test(q);
    const order = numeric ? compareDigits(p, q) : compareText(p, q);
    if (order !== 0) return order;
  }
  return x.length - y.length;
}

/** Digit runs by value, without converting to a number (which would round runs past 2^53). */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  return x.length !== y.length ? x.length - y.length : compareText(x, y);
}

// ---------------------------------------------------------------------------------------------------------------
// GET /api/v2/metrics/{metricKey} and GET /api/v2/metrics

/** PROTOCOL §7.4, as far as a local tenant knows it. */
export interface MetricDescriptor {
  metricId: string;
  displayName: string;
  description: string;
  unit: string;
  dduBillable: boolean;
  billable: boolean;
  created: number;
  lastWritten: number;
  entityType: string[];
  aggregationTypes: Aggregation[];
  transformations: string[];
  defaultAggregation: { type: Statistic | 'value' };
  dimensionDefinitions: { key: string; name: string; displayName: string; index: number; type: 'STRING' }[];
  tags: string[];
  metricValueType: { type: 'unknown' };
  scalar: boolean;
  resolutionInfSupported: boolean;
  rootCauseRelevant: boolean;
  impactRelevant: boolean;
  latency: number;
}

/** The transformations queryMetrics evaluates (selector.ts). */
const TRANSFORMATIONS = ['default', 'filter', 'fold', 'limit', 'merge', 'sort', 'splitBy'];

function descriptorOf(facts: MetricFacts): MetricDescriptor {
  return {
    metricId: facts.key,
    displayName: facts.displayName ?? facts.key,
    description: facts.description ?? '',
    unit: facts.unit ?? 'Unspecified',
    dduBillable: false,
    billable: false,
    created: facts.created,
    lastWritten: facts.lastWritten,
    entityType: [],
    // Every aggregation can be computed from the stored min, max, sum and count of a slot, for either type.
    aggregationTypes: [...AGGREGATIONS],
    transformations: TRANSFORMATIONS,
    defaultAggregation: { type: defaultAggregation(facts.type) },
    // Ingested dimensions are strings; the local tenant has no entities to type them with.
    dimensionDefinitions: facts.dimensionKeys.map((key, index) => ({ key, name: key, displayName: key, index, type: 'STRING' })),
    tags: [],
    metricValueType: { type: 'unknown' },
    scalar: false,
    resolutionInfSupported: true,
    rootCauseRelevant: false,
    impactRelevant: false,
    // A point is queryable as soon as it is stored (a real tenant takes up to a few minutes, DOC D4).
    latency: 1,
  };
}

/**
 * `GET /api/v2/metrics/{metricKey}`: a stored key's descriptor, or, for a key with transformations
 * (`key:splitBy()`, `key:avg`), the descriptor of the metric they make (DOC D8: "If a transformation has been used
 * it is reflected in the metric key"): its metricId the selector, its dimensions those splitBy and merge leave,
 * and once aggregated only `auto` and `value` left to aggregate by, `value` the default (DOC D8's example).
 */
export function describeMetric(source: MetricSource, key: string): ApiResponse {
  const stored = source.metric(key);
  if (stored) return { status: 200, body: descriptorOf(stored) };
  const selector = parseMetricSelector(key);
  if (!selector.ok) return constraintViolated('metricKey', `metricKey: ${selector.error.message}`, 'PATH');
  const [expression, ...more] = selector.expressions;
  if (!expression || more.length > 0) return constraintViolated('metricKey', `metricKey: a descriptor is of one metric; ${selector.expressions.length} are selected`, 'PATH');
  const facts = source.metric(expression.key);
  return facts ? { status: 200, body: transformedDescriptor(facts, expression) } : metricNotFound(source, expression.key);
}

function transformedDescriptor(facts: MetricFacts, expression: MetricExpression): MetricDescriptor {
  let dimensionKeys = facts.dimensionKeys;
  // As evaluate() applies them: an aggregation, a fold with one, or a default (which aggregates first) leave values.
  let aggregated = false;
  for (const transformation of expression.transformations) {
    if (transformation.kind === 'splitBy') dimensionKeys = transformation.dimensions;
    else if (transformation.kind === 'merge') dimensionKeys = dimensionKeys.filter((key) => !transformation.dimensions.includes(key));
    else if (transformation.kind === 'aggregation' || transformation.kind === 'default' || (transformation.kind === 'fold' && transformation.aggregation)) aggregated = true;
  }
  const descriptor = descriptorOf({ ...facts, dimensionKeys });
  return {
    ...descriptor,
    metricId: expression.text.trim(),
    ...(aggregated ? { aggregationTypes: ['auto', 'value'], defaultAggregation: { type: 'value' } } : {}),
  };
}

export interface ListParams {
  text?: Param;
  metricSelector?: Param;
  pageSize?: Param;
  nextPageKey?: Param;
  fields?: Param;
  readonly [other: string]: Param;
}

/** PROTOCOL §7.3. */
export interface MetricList {
  totalCount: number;
  nextPageKey: string | null;
  metrics: Partial<MetricDescriptor>[];
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;
const DEFAULT_FIELDS: readonly string[] = ['displayName', 'description', 'unit'];
/** The fields of `fields` (PROTOCOL §7.3), in the order a metric lists them. */
const LIST_FIELDS: readonly string[] = [
  'displayName', 'description', 'unit', 'tags', 'dduBillable', 'billable', 'created', 'lastWritten', 'aggregationTypes', 'defaultAggregation',
  'dimensionDefinitions', 'transformations', 'entityType', 'minimumValue', 'maximumValue', 'rootCauseRelevant', 'impactRelevant', 'metricValueType',
  'latency', 'metricSelector', 'scalar', 'resolutionInfSupported',
];
/** "Only aggregation, merge, parents and splitBy transformations are allowed" in a list selector (PROTOCOL §7.3). */
const LIST_TRANSFORMATIONS = new Set<Transformation['kind']>(['aggregation', 'merge', 'splitBy']);

/** The parameters a listing is made from; a page key carries them, with the offset of its page. */
interface ListQuery {
  text?: string;
  metricSelector?: string;
  pageSize?: string;
  fields?: string;
}

interface ListRequest {
  query: ListQuery;
  text: string | null;
  patterns: string[] | null;
  pageSize: number;
  fields: string[];
}

export function listMetrics(source: MetricSource, params: ListParams): ApiResponse {
  const pageKey = params.nextPageKey?.trim();
  let query: ListQuery;
  let offset = 0;
  if (pageKey) {
    const others = Object.keys(params).filter((name) => name !== 'nextPageKey' && params[name]?.trim());
    if (others.length > 0) return constraintViolated('nextPageKey', `nextPageKey: with a page key every other parameter must be omitted (found ${others.join(', ')}); the key carries them`);
    const page = decodePageKey(pageKey);
    if (!page) return constraintViolated('nextPageKey', 'nextPageKey: not a page key of this tenant; start again without it');
    ({ query, offset } = page);
  } else {
    const unsupported = unsupportedParameter(params, ['writtenSince', 'metadataSelector'], '');
    if (unsupported) return unsupported;
    query = {};
    for (const name of ['text', 'metricSelector', 'pageSize', 'fields'] as const) {
      const value = params[name];
      if (typeof value === 'string' && value.trim() !== '') query[name] = value;
    }
  }
  const request = parseListQuery(query);
  if (!request.ok) return invalidParameter(request);
  const { text, patterns, pageSize, fields } = request.value;
  const metrics = [...source.metrics()]
    .filter((facts) => (!patterns || patterns.some((pattern) => globMatches(pattern, facts.key))) && (text === null || mentions(facts, text)))
    .sort((a, b) => compareText(a.key, b.key));
  const end = offset + pageSize;
  const body: MetricList = {
    totalCount: metrics.length,
    nextPageKey: end < metrics.length ? encodePageKey(query, end) : null,
    metrics: metrics.slice(offset, end).map((facts) => pick(descriptorOf(facts), fields)),
  };
  return { status: 200, body };
}

function parseListQuery(query: ListQuery): Parsed<ListRequest> {
  let patterns: string[] | null = null;
  if (query.metricSelector !== undefined) {
    const selector = parseMetricSelector(query.metricSelector, { wildcards: true });
    if (!selector.ok) return { ok: false, parameter: 'metricSelector', message: `metricSelector: ${selector.error.message}` };
    const disallowed = selector.expressions.flatMap((e) => e.transformations).find((t) => !LIST_TRANSFORMATIONS.has(t.kind));
    if (disallowed) return { ok: false, parameter: 'metricSelector', message: `metricSelector: the metric list allows only aggregation, merge and splitBy transformations, not :${disallowed.kind}` };
    patterns = selector.expressions.map((e) => e.key);
  }
  let pageSize = DEFAULT_PAGE_SIZE;
  if (query.pageSize !== undefined) {
    pageSize = /^\s*\d{1,4}\s*$/.test(query.pageSize) ? Number(query.pageSize) : 0;
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) return { ok: false, parameter: 'pageSize', message: `pageSize: '${query.pageSize}' is not a whole number from 1 to ${MAX_PAGE_SIZE}` };
  }
  const fields = parseFields(query.fields);
  if (!fields.ok) return fields;
  const text = query.text === undefined ? null : query.text.trim().toLowerCase();
  return { ok: true, value: { query, text, patterns, pageSize, fields: fields.value } };
}

/**
 * `fields`: names replace the default set, `+name` adds to it, `-name` removes from it (DOC D7). metricId is
 * always there.
 */
function parseFields(text: string | undefined): Parsed<string[]> {
  if (text === undefined) return { ok: true, value: [...DEFAULT_FIELDS] };
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const replaces = entries.some((entry) => !entry.startsWith('+') && !entry.startsWith('-'));
  const fields = new Set(replaces ? [] : DEFAULT_FIELDS);
  for (const entry of entries) {
    const name = entry.replace(/^[+-]/, '');
    if (name === 'metricId') continue;
    if (!LIST_FIELDS.includes(name)) return { ok: false, parameter: 'fields', message: `fields: unknown field '${name}'; available: ${LIST_FIELDS.join(', ')}` };
    if (entry.startsWith('-')) fields.delete(name);
    else fields.add(name);
  }
  return { ok: true, value: LIST_FIELDS.filter((field) => fields.has(field)) };
}

function pick(descriptor: MetricDescriptor, fields: readonly string[]): Partial<MetricDescriptor> {
  const all = new Map<string, unknown>(Object.entries(descriptor));
  return Object.fromEntries([['metricId', descriptor.metricId], ...fields.filter((field) => all.has(field)).map((field) => [field, all.get(field)])]);
}

/** `text`: free text over key, display name and description, ignoring case (DOC D7). */
function mentions(facts: MetricFacts, lowerText: string): boolean {
  return [facts.key, facts.displayName, facts.description].some((field) => field?.toLowerCase().includes(lowerText));
}

/**
 * Whether `key` matches `pattern`, where `*` stands for any run of characters. Two pointers that go back only to
 * the last `*`: at most key × pattern steps, where a regular expression of many `*` could backtrack for ever.
 */
function globMatches(pattern: string, key: string): boolean {
  let p = 0;
  let k = 0;
  let star = -1;
  let resume = 0;
  while (k < key.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = k;
    } else if (p < pattern.length && pattern[p] === key[k]) {
      p++;
      k++;
    } else if (star >= 0) {
      p = star + 1;
      k = ++resume;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Opaque to clients: the listing's parameters and the next offset, as base64url JSON. */
function encodePageKey(query: ListQuery, offset: number): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(JSON.stringify({ query, offset }))) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodePageKey(key: string): { query: ListQuery; offset: number } | null {
  if (!/^[A-Za-z0-9_-]+$/.test(key)) return null;
  let decoded: unknown;
  try {
    const binary = atob(key.replace(/-/g, '+').replace(/_/g, '/'));
    decoded = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch {
    return null; // not base64, not UTF-8 or not JSON: no key of ours
  }
  if (!isRecord(decoded) || !isRecord(decoded.query) || !Number.isSafeInteger(decoded.offset) || (decoded.offset as number) < 0) return null;
  const query: ListQuery = {};
  for (const name of ['text', 'metricSelector', 'pageSize', 'fields'] as const) {
    const value = decoded.query[name];
    if (typeof value === 'string') query[name] = value;
    else if (value !== undefined) return null;
  }
  return { query, offset: decoded.offset as number };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------------------------
// POST /api/v1/timeseries/{timeseriesIdentifier}

/** The answer of the v1 POST (DOC D20): TimeseriesQueryResultWrapper. */
export interface V1TimeseriesResult {
  result: {
    timeseriesId: string;
    unit: string;
    /** The slot length used; with queryMode total, the whole timeframe. */
    resolutionInMillisUTC: number;
    aggregationType: string;
    /** Per series: [slot start, value] pairs. v1 timestamps are slot starts, v2 ones slot ends. */
    dataPoints: Record<string, [number, number | null][]>;
    /** What each part of a dataPoints key stands for; the local tenant has no entity names, so each names itself. */
    entities: Record<string, string>;
  };
}

const V1_AGGREGATIONS: Readonly<Record<string, Statistic>> = { AVG: 'avg', COUNT: 'count', MAX: 'max', MIN: 'min', SUM: 'sum' };

/** `relativeTime` values of the v1 API (DOC D20): back from now. */
const V1_RELATIVE_TIMES: Readonly<Record<string, readonly [number, TimeUnit]>> = {
  min: [1, 'm'], '5mins': [5, 'm'], '10mins': [10, 'm'], '15mins': [15, 'm'], '30mins': [30, 'm'], hour: [1, 'h'], '2hours': [2, 'h'],
  '6hours': [6, 'h'], day: [1, 'd'], '3days': [3, 'd'], week: [1, 'w'], month: [1, 'M'],
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
    return constraintViolated('timeseriesId', 'timeseriesId: name the metric in the body, or post to /api/v1/timeseries/{timeseriesId}', 'PAYLOAD_BODY');
  }
  const facts = source.metric(named);
  if (!facts) return metricNotFound(source, named);
  const request = parseV1Body(body, now);
  if (!request.ok) return invalidParameter(request, 'PAYLOAD_BODY');
  const { frame, aggregationType, total, entities: wanted } = request.value;
  const grid = planGrid(frame, total ? { kind: 'inf' } : DEFAULT_RESOLUTION, (time) => source.finestStep(time));
  if (!grid.ok) return invalidParameter(grid, 'PAYLOAD_BODY');
  const { start, step, count } = grid.value;
  const merged = new Map<string, SlotColumns>();
  const entities: Record<string, string> = {};
  const pool = new ColumnPool();
  for (const reader of source.series(facts.key)) {
    const values = facts.dimensionKeys.filter((key) => hasDimension(reader.dimensions, key)).map((key) => reader.dimensions[key] as string);
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
  for (const [id, slots] of merged) dataPoints[id] = statistics(slots, which).map((value, i) => [start + i * step, value]);
  const answer: V1TimeseriesResult = {
    result: { timeseriesId: facts.key, unit: facts.unit ?? 'Unspecified', resolutionInMillisUTC: step, aggregationType, dataPoints, entities },
  };
  return { status: 200, body: answer };
}

function parseV1Body(body: unknown, now: number): Parsed<V1Request> {
  const invalid = (parameter: string, message: string): Parsed<V1Request> => ({ ok: false, parameter, message: `${parameter}: ${message}` });
  const fields = body === undefined || body === null ? {} : body;
  if (!isRecord(fields)) return invalid('body', 'must be a JSON object (TimeseriesQueryMessage)');
  const { aggregationType, startTimestamp, endTimestamp, relativeTime, queryMode, entities } = fields;
  if (typeof aggregationType !== 'string') return invalid('aggregationType', 'required: AVG, SUM, MIN, MAX or COUNT');
  const aggregation = aggregationType.toUpperCase();
  if (!(aggregation in V1_AGGREGATIONS)) {
    const why = aggregation === 'MEDIAN' || aggregation === 'PERCENTILE' ? 'not supported by the local tenant' : 'unknown';
    return invalid('aggregationType', `${aggregationType} is ${why}: use AVG, SUM, MIN, MAX or COUNT`);
  }
  for (const name of ['tags', 'filters'] as const) {
    const value = fields[name];
    if (value !== undefined && value !== null && Object.keys(value).length > 0) return invalid(name, 'not supported by the local tenant, which has no entities');
  }
  if (fields.predict === true) return invalid('predict', 'not supported by the local tenant');
  let total = false;
  if (queryMode !== undefined && queryMode !== null) {
    const mode = typeof queryMode === 'string' ? queryMode.toLowerCase() : '';
    if (mode !== 'series' && mode !== 'total') return invalid('queryMode', `${JSON.stringify(queryMode)} is not SERIES or TOTAL`);
    total = mode === 'total';
  }
  let wanted: string[] | null = null;
  if (entities !== undefined && entities !== null) {
    if (!Array.isArray(entities) || !entities.every((entity) => typeof entity === 'string')) return invalid('entities', 'must be a list of strings');
    wanted = entities as string[];
  }
  const frame = v1Timeframe(startTimestamp, endTimestamp, relativeTime, now);
  if (!frame.ok) return frame;
  return { ok: true, value: { frame: frame.value, aggregationType: aggregation, total, entities: wanted } };
}

/** startTimestamp and endTimestamp, or relativeTime; an end past now is now; at most 6 months (DOC D20). */
function v1Timeframe(startTimestamp: unknown, endTimestamp: unknown, relativeTime: unknown, now: number): Parsed<Timeframe> {
  const invalid = (parameter: string, message: string): Parsed<Timeframe> => ({ ok: false, parameter, message: `${parameter}: ${message}` });
  const given = (value: unknown) => value !== undefined && value !== null;
  let frame: Timeframe;
  if (given(relativeTime)) {
    if (given(startTimestamp) || given(endTimestamp)) return invalid('relativeTime', 'give either relativeTime or startTimestamp and endTimestamp, not both');
    const relative = typeof relativeTime === 'string' ? V1_RELATIVE_TIMES[relativeTime.toLowerCase()] : undefined;
    if (!relative) return invalid('relativeTime', `${JSON.stringify(relativeTime)} is not one of ${Object.keys(V1_RELATIVE_TIMES).join(', ')}`);
    frame = { from: subtractUnits(now, relative[0], relative[1]), to: now };
  } else {
    if (!given(startTimestamp) || !given(endTimestamp)) return invalid(given(startTimestamp) ? 'endTimestamp' : 'startTimestamp', 'give startTimestamp and endTimestamp (UTC ms), or relativeTime');
    for (const [name, value] of [['startTimestamp', startTimestamp], ['endTimestamp', endTimestamp]] as const) {
      if (!isEpochMillis(value)) return invalid(name, `${JSON.stringify(value)} is not a time in UTC milliseconds`);
    }
    frame = { from: startTimestamp as number, to: Math.min(endTimestamp as number, now) };
    if (frame.from >= frame.to) return invalid('startTimestamp', `must lie before endTimestamp (or now, when endTimestamp is later): ${frame.from} ≥ ${frame.to}`);
  }
  if (frame.from < subtractUnits(frame.to, 6, 'M')) return invalid('startTimestamp', 'the timeframe must not exceed 6 months');
  return { ok: true, value: frame };
}
