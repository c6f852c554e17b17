/**
 * The metric list and descriptors of the local tenant (PROTOCOL §7.3, §7.4): `GET /api/v2/metrics/{metricKey}`
 * (describeMetric) and `GET /api/v2/metrics` (listMetrics: free text, a selector of key patterns, written since,
 * fields, pages behind an opaque key). Each answers with a plain response (response.ts) for the HTTP server to
 * send. Pure: the caller passes `now` (writtenSince's `now-1h`).
 */
import { parseTime, type Parsed } from '../time.ts';
import type { MetricDescriptor, MetricList } from './api.ts';
import { compareText } from './order.ts';
import {
  constraintViolated,
  invalidParameter,
  isRecord,
  metricNotFound,
  unsupportedParameter,
  type ApiResponse,
} from './response.ts';
import { AGGREGATIONS, parseMetricSelector, type MetricExpression, type Transformation } from './selector.ts';
import type { MetricFacts, MetricSource } from './series.ts';
import { defaultAggregation } from './slots.ts';
import type { Param } from './time.ts';

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
    dimensionDefinitions: facts.dimensionKeys.map((key, index) => ({
      key,
      name: key,
      displayName: key,
      index,
      type: 'STRING',
    })),
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
  if (stored)
    return { status: 200, body: { ...descriptorOf(stored), dimensionCardinalities: cardinalities(source, key) } };
  const selector = parseMetricSelector(key);
  if (!selector.ok) return constraintViolated('metricKey', `metricKey: ${selector.message}`, 'PATH').response;
  const [expression, ...more] = selector.value;
  if (!expression || more.length > 0)
    return constraintViolated(
      'metricKey',
      `metricKey: a descriptor is of one metric; ${selector.value.length} are selected`,
      'PATH',
    ).response;
  const facts = source.metric(expression.key);
  return facts
    ? { status: 200, body: transformedDescriptor(facts, expression) }
    : metricNotFound(source, expression.key).response;
}

/**
 * `dimensionCardinalities` (PROTOCOL §7.4; DOC D8: "estimate: the cardinality estimate of the dimension",
 * "relative: the relative cardinality of the dimension expressed as percentage", its example 20 hosts → 0.2): here
 * `estimate` is the key's distinct values over the stored series, exact, and `relative` those values ÷ the metric's
 * series, a fraction from 0 to 1 as the example writes it (1: every series has its own value, the key alone makes
 * the series; the docs do not say what it is relative to). Largest first. A stored key's descriptor only: a
 * transformed one is of no stored series.
 */
function cardinalities(source: MetricSource, key: string): NonNullable<MetricDescriptor['dimensionCardinalities']> {
  const values = new Map<string, Set<string>>();
  let series = 0;
  for (const stored of source.series(key)) {
    series++;
    for (const [dimension, value] of Object.entries(stored.dimensions)) {
      let seen = values.get(dimension);
      if (seen === undefined) values.set(dimension, (seen = new Set()));
      seen.add(value);
    }
  }
  return [...values]
    .map(([dimension, seen]) => ({
      key: dimension,
      estimate: seen.size,
      relative: series === 0 ? 0 : seen.size / series,
    }))
    .sort((a, b) => b.estimate - a.estimate || compareText(a.key, b.key));
}

function transformedDescriptor(facts: MetricFacts, expression: MetricExpression): MetricDescriptor {
  let dimensionKeys = facts.dimensionKeys;
  // As evaluate() applies them: an aggregation, a fold with one, or a default (which aggregates first) leave values.
  let aggregated = false;
  for (const transformation of expression.transformations) {
    if (transformation.kind === 'splitBy') dimensionKeys = transformation.dimensions;
    else if (transformation.kind === 'merge')
      dimensionKeys = dimensionKeys.filter((key) => !transformation.dimensions.includes(key));
    else if (
      transformation.kind === 'aggregation' ||
      transformation.kind === 'default' ||
      (transformation.kind === 'fold' && transformation.aggregation)
    )
      aggregated = true;
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

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;
const DEFAULT_FIELDS: readonly string[] = ['displayName', 'description', 'unit'];
/** The fields of `fields` (PROTOCOL §7.3), in the order a metric lists them. */
const LIST_FIELDS: readonly string[] = [
  'displayName',
  'description',
  'unit',
  'tags',
  'dduBillable',
  'billable',
  'created',
  'lastWritten',
  'aggregationTypes',
  'defaultAggregation',
  'dimensionDefinitions',
  'transformations',
  'entityType',
  'minimumValue',
  'maximumValue',
  'rootCauseRelevant',
  'impactRelevant',
  'metricValueType',
  'latency',
  'metricSelector',
  'scalar',
  'resolutionInfSupported',
];
/** "Only aggregation, merge, parents and splitBy transformations are allowed" in a list selector (PROTOCOL §7.3). */
const LIST_TRANSFORMATIONS = new Set<Transformation['kind']>(['aggregation', 'merge', 'splitBy']);

/** The parameters a listing is made from; a page key carries them, with the offset of its page. */
interface ListQuery {
  text?: string;
  metricSelector?: string;
  pageSize?: string;
  fields?: string;
  /** Epoch ms, resolved from the parameter when the listing began. */
  writtenSince?: string;
  writtenSinceMode?: string;
}

interface ListRequest {
  query: ListQuery;
  text: string | null;
  patterns: string[] | null;
  pageSize: number;
  fields: string[];
  /** writtenSince (DOC D7): the metrics last written at or after `since` (INCLUDE, the default), or before (EXCLUDE). */
  written: { since: number; include: boolean } | null;
}

export function listMetrics(source: MetricSource, params: ListParams, now: number): ApiResponse {
  const pageKey = params.nextPageKey?.trim();
  let query: ListQuery;
  let offset = 0;
  if (pageKey) {
    const others = Object.keys(params).filter((name) => name !== 'nextPageKey' && params[name]?.trim());
    if (others.length > 0)
      return constraintViolated(
        'nextPageKey',
        `nextPageKey: with a page key every other parameter must be omitted (found ${others.join(', ')}); the key carries them`,
      ).response;
    const page = decodePageKey(pageKey);
    if (!page.ok) return invalidParameter(page).response;
    ({ query, offset } = page.value);
  } else {
    const unsupported = unsupportedParameter(params, ['metadataSelector'], '');
    if (unsupported) return unsupported.response;
    query = {};
    for (const name of ['text', 'metricSelector', 'pageSize', 'fields', 'writtenSinceMode'] as const) {
      const value = params[name];
      if (typeof value === 'string' && value.trim() !== '') query[name] = value;
    }
    // Resolved now, so that the pages of one listing agree on it (`now-1h` moves).
    const since = parseTime(params.writtenSince, 'writtenSince', now);
    if (!since.ok) return invalidParameter(since).response;
    if (since.value !== null) query.writtenSince = String(since.value);
  }
  const request = parseListQuery(query);
  if (!request.ok) return invalidParameter(request).response;
  const { text, patterns, pageSize, fields, written } = request.value;
  const metrics = [...source.metrics()]
    .filter(
      (facts) =>
        (!patterns || patterns.some((pattern) => globMatches(pattern, facts.key))) &&
        (text === null || mentions(facts, text)) &&
        (written === null || facts.lastWritten >= written.since === written.include),
    )
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
    if (!selector.ok) return { ok: false, parameter: 'metricSelector', message: `metricSelector: ${selector.message}` };
    const disallowed = selector.value.flatMap((e) => e.transformations).find((t) => !LIST_TRANSFORMATIONS.has(t.kind));
    if (disallowed)
      return {
        ok: false,
        parameter: 'metricSelector',
        message: `metricSelector: the metric list allows only aggregation, merge and splitBy transformations, not :${disallowed.kind}`,
      };
    patterns = selector.value.map((e) => e.key);
  }
  let pageSize = DEFAULT_PAGE_SIZE;
  if (query.pageSize !== undefined) {
    pageSize = /^\s*\d{1,4}\s*$/.test(query.pageSize) ? Number(query.pageSize) : 0;
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE)
      return {
        ok: false,
        parameter: 'pageSize',
        message: `pageSize: '${query.pageSize}' is not a whole number from 1 to ${MAX_PAGE_SIZE}`,
      };
  }
  const fields = parseFields(query.fields);
  if (!fields.ok) return fields;
  const text = query.text === undefined ? null : query.text.trim().toLowerCase();
  const mode = (query.writtenSinceMode ?? 'INCLUDE').trim().toUpperCase();
  if (mode !== 'INCLUDE' && mode !== 'EXCLUDE')
    return {
      ok: false,
      parameter: 'writtenSinceMode',
      message: `writtenSinceMode: '${query.writtenSinceMode}' is neither INCLUDE nor EXCLUDE`,
    };
  const written =
    query.writtenSince === undefined ? null : { since: Number(query.writtenSince), include: mode === 'INCLUDE' };
  return { ok: true, value: { query, text, patterns, pageSize, fields: fields.value, written } };
}

/**
 * `fields`: names replace the default set, `+name` adds to it, `-name` removes from it (DOC D7). metricId is
 * always there.
 */
function parseFields(text: string | undefined): Parsed<string[]> {
  if (text === undefined) return { ok: true, value: [...DEFAULT_FIELDS] };
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const replaces = entries.some((entry) => !entry.startsWith('+') && !entry.startsWith('-'));
  const fields = new Set(replaces ? [] : DEFAULT_FIELDS);
  for (const entry of entries) {
    const name = entry.replace(/^[+-]/, '');
    if (name === 'metricId') continue;
    if (!LIST_FIELDS.includes(name))
      return {
        ok: false,
        parameter: 'fields',
        message: `fields: unknown field '${name}'; available: ${LIST_FIELDS.join(', ')}`,
      };
    if (entry.startsWith('-')) fields.delete(name);
    else fields.add(name);
  }
  return { ok: true, value: LIST_FIELDS.filter((field) => fields.has(field)) };
}

function pick(descriptor: MetricDescriptor, fields: readonly string[]): Partial<MetricDescriptor> {
  const all = new Map<string, unknown>(Object.entries(descriptor));
  return Object.fromEntries([
    ['metricId', descriptor.metricId],
    ...fields.filter((field) => all.has(field)).map((field) => [field, all.get(field)]),
  ]);
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

function decodePageKey(key: string): Parsed<{ query: ListQuery; offset: number }> {
  const notOurs: Parsed<never> = {
    ok: false,
    parameter: 'nextPageKey',
    message: 'nextPageKey: not a page key of this tenant; start again without it',
  };
  if (!/^[A-Za-z0-9_-]+$/.test(key)) return notOurs;
  let decoded: unknown;
  try {
    const binary = atob(key.replace(/-/g, '+').replace(/_/g, '/'));
    decoded = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))),
    );
  } catch {
    return notOurs; // not base64, not UTF-8 or not JSON
  }
  if (
    !isRecord(decoded) ||
    !isRecord(decoded.query) ||
    !Number.isSafeInteger(decoded.offset) ||
    (decoded.offset as number) < 0
  )
    return notOurs;
  const query: ListQuery = {};
  for (const name of ['text', 'metricSelector', 'pageSize', 'fields', 'writtenSince', 'writtenSinceMode'] as const) {
    const value = decoded.query[name];
    if (typeof value === 'string') query[name] = value;
    else if (value !== undefined) return notOurs;
  }
  return { ok: true, value: { query, offset: decoded.offset as number } };
}
