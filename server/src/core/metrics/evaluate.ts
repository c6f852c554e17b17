/**
 * The Metrics API v2 query of the local tenant (`GET /api/v2/metrics/query`, PROTOCOL §7.1) over a MetricSource:
 * the selector planned against the limits, its transformations evaluated, and the answer written as MetricData
 * (api.ts), whole (queryMetrics) or as JSON or CSV text in pieces (metricDataJson, metricDataCsv). The work runs
 * in slices (evaluateQuery), so a big query does not stall the server. Pure: `now` is given, nothing throws, a
 * refusal is a Refusal (response.ts): its message, and the answer that carries it.
 */
import { TENANT } from '../rules.ts';
import type { Result } from '../result.ts';
import type { MetricData, MetricSeries, MetricSeriesCollection } from './api.ts';
import { compareText, naturalCompare } from './order.ts';
import {
  constraintViolated,
  invalidParameter,
  metricNotFound,
  unsupportedParameter,
  type ApiResponse,
} from './response.ts';
import { csvField } from './result-model.ts';
import {
  parseMetricSelector,
  type Aggregation,
  type Condition,
  type MetricExpression,
  type SortKey,
  type Transformation,
} from './selector.ts';
import {
  dimensionValue,
  hasDimension,
  type MetricFacts,
  type MetricSource,
  type PayloadType,
  type SeriesReader,
  type SlotColumns,
} from './series.ts';
import { ColumnPool, defaultAggregation, mergeInto, statistic, statistics, type Statistic } from './slots.ts';
import {
  formatStep,
  gridEnd,
  parseResolution,
  parseTimeframe,
  planGrid,
  resolutionFor,
  type Param,
  type Resolution,
  type TimeGrid,
  type Timeframe,
} from './time.ts';

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

/** The query answered at once: MetricData, or the ErrorEnvelope of a refusal. */
export function queryMetrics(source: MetricSource, params: QueryParams, now: number): ApiResponse {
  const evaluated = finish(evaluateQuery(source, params, now));
  return evaluated.ok ? { status: 200, body: finish(metricData(evaluated.value)) } : evaluated.response;
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
export function* evaluateQuery(
  source: MetricSource,
  params: QueryParams,
  now: number,
): Sliced<Result<EvaluatedQuery, { response: ApiResponse }>> {
  const selectorText = params.metricSelector ?? '';
  if (selectorText.trim() === '')
    return constraintViolated(
      'metricSelector',
      'metricSelector: must not be empty; name at least one metric, e.g. my.metric:splitBy()',
    );
  const unsupported = unsupportedParameter(
    params,
    ['entitySelector', 'mzSelector'],
    ', which has no entities: filter by dimension, e.g. :filter(eq("dt.entity.host","HOST-1"))',
  );
  if (unsupported) return unsupported;
  const selector = parseMetricSelector(selectorText);
  if (!selector.ok) return constraintViolated('metricSelector', `metricSelector: ${selector.message}`);
  const frame = parseTimeframe(params.from, params.to, now);
  if (!frame.ok) return invalidParameter(frame);
  const resolution = parseResolution(params.resolution);
  if (!resolution.ok) return invalidParameter(resolution);
  const expressions = selector.value;
  for (const index of resolution.value.byExpression.keys()) {
    if (index >= expressions.length)
      return constraintViolated(
        'resolution',
        `resolution: there is no expression ${index}; the selector has ${expressions.length}`,
      );
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
    const plan = yield* planExpression(
      source,
      expression,
      metrics[index] as MetricFacts,
      frame.value,
      resolutionFor(resolution.value, index),
      slices,
    );
    if (!plan.ok) return plan;
    plans.push(plan.value);
  }
  const collections: EvaluatedCollection[] = [];
  const warnings = new Set<string>();
  for (const plan of plans) {
    const collection = yield* evaluate(plan);
    if (!collection.ok) return collection;
    for (const warning of collection.value.head.warnings ?? []) warnings.add(warning);
    collections.push(collection.value);
  }
  const finest = plans
    .map((plan) => plan.reading.grid)
    .reduce((a, b) => (resolutionRank(b) < resolutionRank(a) ? b : a));
  return {
    ok: true,
    value: {
      // A real tenant counts "primary entities" (DOC D6); the local tenant has none, so it counts the series.
      totalCount: collections.reduce((total, collection) => total + collection.series.length, 0),
      // With several resolutions the response names the smallest (DOC D6).
      resolution: finest.inf ? 'Inf' : formatStep(finest.step),
      warnings: [...warnings],
      collections,
    },
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
function* planExpression(
  source: MetricSource,
  expression: MetricExpression,
  facts: MetricFacts,
  frame: Timeframe,
  requested: Resolution,
  slices: Slices,
): Sliced<Result<Plan, { response: ApiResponse }>> {
  const grid = planGrid(frame, requested, (time) => source.finestStep(time));
  if (!grid.ok) return invalidParameter(grid);
  const { start, step, count } = grid.value;
  const evaluation: Evaluation = {
    type: facts.type,
    series: [...source.series(facts.key)].map((stored) => ({
      dimensions: stored.dimensions,
      source: { stored },
      steps: [],
    })),
    dimensionKeys: facts.dimensionKeys,
    aggregated: false,
    folded: false,
    mergedAll: false,
    slotCount: count,
    warnings: new Set(),
  };
  if (requested.kind === 'span' && step > requested.ms) {
    evaluation.warnings.add(
      `The resolution ${requested.text} is finer than the data kept from ${new Date(start).toISOString()} on; ${formatStep(step)} is used.`,
    );
  }
  const leading = expression.transformations.findIndex((transformation) => transformation.kind !== 'filter');
  const filters = leading < 0 ? expression.transformations.length : leading;
  for (const filter of expression.transformations.slice(0, filters))
    if (filter.kind === 'filter') yield* filterSeries(evaluation, filter.conditions, slices);
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
  return {
    ok: true,
    value: {
      expression,
      evaluation,
      reading: { grid: grid.value, readCost, slices, pool: new ColumnPool() },
      rest: expression.transformations.slice(filters),
      readPoints,
    },
  };
}

function* evaluate(plan: Plan): Sliced<Result<EvaluatedCollection, { response: ApiResponse }>> {
  const { evaluation, reading, expression } = plan;
  // Only series with a point in the timeframe are part of the result, as in a real tenant.
  const { start, step, count } = reading.grid;
  const scratch = reading.pool.take(count);
  const present: WorkSeries[] = [];
  for (const series of evaluation.series) {
    if ('stored' in series.source && series.source.stored.readColumns(start, step, count, scratch))
      present.push(series);
    if (reading.slices.spend(reading.readCost)) yield;
  }
  reading.pool.give(scratch);
  evaluation.series = present;
  const tuples = present.length;
  for (const transformation of plan.rest) {
    const transformed = yield* transform(evaluation, transformation, reading);
    if (!transformed.ok) return constraintViolated('metricSelector', `metricSelector: ${transformed.message}`);
  }
  const { grid } = reading;
  return {
    ok: true,
    value: {
      head: {
        metricId: expression.text.trim(),
        dataPointCountRatio: plan.readPoints / TENANT.queryDataPoints,
        dimensionCountRatio: tuples / TENANT.queryTuples,
        ...(evaluation.warnings.size > 0 ? { warnings: [...evaluation.warnings] } : {}),
      },
      timestamps: evaluation.folded
        ? [gridEnd(grid)]
        : Array.from({ length: grid.count }, (_, i) => grid.start + (i + 1) * grid.step),
      dimensionKeys: evaluation.dimensionKeys,
      output: resolveAggregation('auto', evaluation),
      series: evaluation.series,
      reading,
    },
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
      const head = [collection.head.metricId, ...keys.map((key) => dimensionValue(dimensionMap, key) ?? '')]
        .map(csvField)
        .join(',');
      times.forEach((time, i) => (text += `${head},${time},${values[i] ?? ''}\r\n`));
      if (text.length >= CHUNK_CHARS) {
        yield text;
        text = '';
      }
    }
  }
  yield text;
}

/** A transformation applied. */
const DONE: Result<void> = { ok: true, value: undefined };

/** Applies one transformation; a failure when the chain cannot be evaluated. */
function* transform(evaluation: Evaluation, transformation: Transformation, reading: Reading): Sliced<Result<void>> {
  switch (transformation.kind) {
    case 'aggregation':
      aggregate(evaluation, resolveAggregation(transformation.aggregation, evaluation));
      return DONE;
    case 'filter':
      yield* filterSeries(evaluation, transformation.conditions, reading.slices);
      return DONE;
    case 'splitBy': {
      const keys = transformation.dimensions;
      warnUnknownKeys(evaluation, keys);
      // "Only metric series that have each of the specified dimensions are considered" (DOC D9).
      yield* regroup(
        evaluation,
        (dimensions) => (keys.every((key) => hasDimension(dimensions, key)) ? keys : null),
        reading.slices,
      );
      evaluation.dimensionKeys = keys;
      evaluation.mergedAll = keys.length === 0;
      return DONE;
    }
    case 'merge': {
      warnUnknownKeys(evaluation, transformation.dimensions);
      const kept = evaluation.dimensionKeys.filter((key) => !transformation.dimensions.includes(key));
      yield* regroup(evaluation, (dimensions) => kept.filter((key) => hasDimension(dimensions, key)), reading.slices);
      evaluation.dimensionKeys = kept;
      evaluation.mergedAll = false;
      return DONE;
    }
    case 'fold': {
      // "If an aggregation has been applied in the transformation chain before, the argument is ignored" (DOC D9).
      const then =
        transformation.aggregation && !evaluation.aggregated
          ? resolveAggregation(transformation.aggregation, evaluation)
          : null;
      for (const series of evaluation.series) series.steps.push({ kind: 'fold' });
      evaluation.folded = true;
      evaluation.slotCount = 1;
      if (then) aggregate(evaluation, then);
      return DONE;
    }
    case 'limit':
      evaluation.series = evaluation.series.slice(0, transformation.count);
      return DONE;
    case 'sort':
      for (const key of transformation.keys) if (key.kind === 'dimension') warnUnknownKeys(evaluation, [key.dimension]);
      yield* sortSeries(evaluation, transformation.keys, reading);
      return DONE;
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
function fillDefault(evaluation: Evaluation, value: number, always: boolean): Result<void> {
  if (always && !evaluation.mergedAll)
    return { ok: false, message: ':default(x,always) is only valid right after an empty :splitBy()' };
  if (!evaluation.aggregated) aggregate(evaluation, resolveAggregation('auto', evaluation));
  for (const series of evaluation.series) series.steps.push({ kind: 'default', value });
  if (always && evaluation.series.length === 0) {
    evaluation.series.push({
      dimensions: {},
      source: { width: evaluation.slotCount },
      steps: [{ kind: 'default', value }],
    });
  }
  return DONE;
}

/** Merges the series whose kept dimensions (keysOf; null: the series drops out) have the same values, exactly. */
function* regroup(
  evaluation: Evaluation,
  keysOf: (dimensions: Readonly<Record<string, string>>) => readonly string[] | null,
  slices: Slices,
): Sliced<void> {
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
  evaluation.series = [...groups.values()].map(({ dimensions, members }) => ({
    dimensions,
    source: { merged: members },
    steps: [],
  }));
}

function warnUnknownKeys(evaluation: Evaluation, keys: readonly string[]): void {
  for (const key of keys) {
    // The wording of a real tenant (DOC D6 response example).
    if (!evaluation.dimensionKeys.includes(key))
      evaluation.warnings.add(`The dimension key \`${key}\` has been referenced, but the metric has no such key.`);
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
  const sortStatistics = keys.map((key) =>
    key.kind === 'value' ? resolveAggregation(key.aggregation, evaluation) : null,
  );
  // Each series' sort keys, found once: its folded value per value key, its dimension's value per dimension key.
  const scored: { series: WorkSeries; scores: (number | string | null | undefined)[] }[] = [];
  for (const series of evaluation.series) {
    const folded = byValue ? applyStep(yield* slotsOf(series, reading), { kind: 'fold' }, reading.pool) : null;
    scored.push({
      series,
      scores: keys.map((key, i) =>
        key.kind === 'dimension'
          ? dimensionValue(series.dimensions, key.dimension)
          : folded && statistic(folded, 0, sortStatistics[i] as Statistic),
      ),
    });
    if (folded) reading.pool.give(folded);
    if (reading.slices.spend(SERIES_WORK)) yield;
  }
  scored.sort((a, b) => {
    for (const [i, key] of keys.entries()) {
      const [x, y] = [a.scores[i], b.scores[i]];
      const order =
        key.kind === 'value'
          ? compareValues(x as number | null, y as number | null, key.descending)
          : compareDimensions(x as string | undefined, y as string | undefined, key);
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

function compareDimensions(
  x: string | undefined,
  y: string | undefined,
  key: Extract<SortKey, { kind: 'dimension' }>,
): number {
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
  const order = key.natural ? naturalCompare(x, y) : compareText(x, y);
  return key.descending ? -order : order;
}
