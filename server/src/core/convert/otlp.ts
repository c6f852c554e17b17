/**
 * OTLP metrics (an ExportMetricsServiceRequest, otlp-model.ts) → metric lines, with the semantics of Dynatrace's
 * OTLP endpoint (INGEST-PATHS §1.2, §1.3, https://www.dynatrace.com/docs/ingest-from/opentelemetry/otlp-api/ingest-otlp-metrics/about-metrics-ingest):
 * what it turns into a count or a gauge becomes that line; what it rejects is reported with its reason and not
 * converted. Items are data points (a histogram point is one). Notes are gathered per metric and reason and handed
 * to the sink when the input ends, so a metric exported in every request of a file is reported once with its count.
 */
import { summaryFault } from '../check.ts';
import { storedKey } from '../keys.ts';
import type { Result } from '../result.ts';
import { LIMITS } from '../rules.ts';
import { JsonValues } from './json-values.ts';
import {
  emptyTally,
  type ConversionNote,
  type ConversionSink,
  type ConversionTally,
  type LineConverter,
  type NoteKind,
} from './model.ts';
import {
  dimensionText,
  metricKey,
  lineOf,
  linePrefix,
  lineRest,
  noMetricKeyReason,
  numberText,
  pairsOf,
  summaryPayload,
  type DimensionText,
} from './naming.ts';
import { decodeOtlpJson, decodeOtlpProtobuf } from './otlp-decode.ts';
import {
  FLAG_NO_RECORDED_VALUE,
  TEMPORALITY,
  type OtlpAnyValue,
  type OtlpExponentialHistogramDataPoint,
  type OtlpHistogramDataPoint,
  type OtlpKeyValue,
  type OtlpMetric,
  type OtlpNumberDataPoint,
  type OtlpPointBase,
  type OtlpRequest,
} from './otlp-model.ts';

export interface OtlpConvertOptions {
  /**
   * Which resource and scope attributes become dimensions: `'all'` (the default) as Dynatrace on Grail keeps them,
   * or a list of attribute keys, as Dynatrace Classic's allow-list (settings `builtin:opentelemetry-metrics`) keeps
   * only those (INGEST-PATHS §1.3). Data point attributes are always kept.
   */
  resourceAttributes?: 'all' | readonly string[];
  /**
   * Write an explicit-bucket histogram under `<key>.histogram`, the key Dynatrace's OTLP endpoint stores it under
   * (INGEST-PATHS §1.2, 1.300+), as the local tenant's OTLP endpoint does; by default (the converter's lines) under its
   * key as sent, what the line protocol's gauge summary is stored under.
   */
  histogramSuffix?: boolean;
  /**
   * What points' attributes made (OtlpSeriesMemo), kept by a caller that converts the same series request after
   * request (the local tenant's OTLP endpoint): a point seen before gets its dimensions, notes and line prefix again.
   */
  seen?: OtlpSeriesMemo;
}

/** What a point's attributes make: its dimensions (null: the point is dropped), the notes made, the line prefix. */
interface WorkedOut {
  pairs: [string, string][] | null;
  notes: [NoteKind, string][];
  /** Whether an outer attribute was in force (the note on resource attributes counts the point). */
  withOuter: boolean;
  prefix: string;
}

/**
 * Points' attributes worked out (WorkedOut), by metric key, the scope's attributes in force and the point's own
 * attributes, across requests: an SDK exports the same series at every interval. A point found here costs a short
 * key and a lookup instead of normalising ten-odd attributes and joining its prefix, and its prefix is the same
 * string every time, whose hash the caller's lookups of it (known-prefixes.ts) compute once. Bounded: past
 * `capacity` entries, or `charLimit` characters of keys and prefixes, it starts again empty.
 */
export class OtlpSeriesMemo {
  private readonly points = new Map<string, WorkedOut>();
  /** Scopes' attributes in force by their code: each a number never given again, so no key outlives its scope's. */
  private readonly scopes = new Map<string, number>();
  private nextScope = 0;
  private chars = 0;

  constructor(
    readonly capacity = 65_536,
    readonly charLimit = 16 << 20,
  ) {}

  get size(): number {
    return this.points.size;
  }

  /** The code of a scope's attributes in force (what a point's code starts with). */
  scopeCode(outer: readonly InForce[]): string {
    let code = '';
    for (const { dimension, value } of outer) code += attributeCode(dimension.raw, value);
    let id = this.scopes.get(code);
    if (id === undefined) {
      id = this.nextScope++;
      this.scopes.set(code, id);
      this.chars += code.length;
    }
    return `${id};`;
  }

  get(code: string): WorkedOut | undefined {
    return this.points.get(code);
  }

  set(code: string, worked: WorkedOut): void {
    if (this.points.size >= this.capacity || this.chars + code.length + worked.prefix.length > this.charLimit) {
      this.points.clear();
      this.scopes.clear();
      this.chars = 0;
    }
    this.chars += code.length + worked.prefix.length;
    this.points.set(code, worked);
  }
}

/**
 * An attribute as a code that tells apart whatever the converter tells apart of it (key; value type; a kept value),
 * each part with its length or an end that cannot occur in it, so that a sequence of codes reads back one way only.
 */
function attributeCode(key: string, value: OtlpAnyValue | null): string {
  const head = `${key.length}:${key}`;
  if (value === null) return head + 'n';
  switch (value.type) {
    case 'string':
      return `${head}s${value.value.length}:${value.value}`;
    case 'bool':
      return head + (value.value ? 'b1' : 'b0');
    case 'int':
      return `${head}i${value.value};`;
    default:
      return `${head}t${value.type};`;
  }
}

/** Dynatrace's reason for a monotonic cumulative sum it rejects (INGEST-PATHS §1.2, §1.5). */
const MONOTONIC_CUMULATIVE_SUM = 'UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM';

/** One request converted; `from`: the input line it starts on. Its notes are given before it returns. */
export function convertOtlpRequest(
  request: OtlpRequest,
  sink: ConversionSink,
  from: number,
  options: OtlpConvertOptions = {},
): ConversionTally {
  const conversion = new OtlpConversion(sink, options);
  conversion.request(request, from);
  conversion.end();
  return conversion.tally;
}

/**
 * A whole protobuf request (a file, a request body) converted. A request that does not decode counts as one item
 * not converted (its data points cannot be counted), so that a run that converted nothing never looks like a success.
 */
export function convertOtlpProtobuf(
  bytes: Uint8Array,
  sink: ConversionSink,
  options: OtlpConvertOptions = {},
): ConversionTally {
  const decoded = decodeOtlpProtobuf(bytes);
  if (decoded.ok) return convertOtlpRequest(decoded.value, sink, 1, options);
  sink.note({ kind: 'skipped', line: 0, item: 'request', count: 1, message: decoded.message });
  return { items: 1, converted: 0, skipped: 1 };
}

/**
 * OTLP/JSON text, line by line: one request per line (the OTel Collector's file exporter) or a pretty-printed request
 * document, or several. A value that is not a request is one item not converted (its data points cannot be counted).
 */
export function createOtlpJsonConverter(sink: ConversionSink, options: OtlpConvertOptions = {}): LineConverter {
  const values = new JsonValues(false);
  const conversion = new OtlpConversion(sink, options);
  const notConverted = (line: number, message: string) => {
    conversion.tally.items++;
    conversion.tally.skipped++;
    sink.note({ kind: 'skipped', line, item: 'request', count: 1, message });
  };
  const convert = (value: { text: string; line: number }) => {
    const request = parseRequest(value.text);
    if (request.ok) conversion.request(request.value, value.line);
    else notConverted(value.line, request.message);
  };
  return {
    line(text, lineNumber) {
      for (const value of values.line(text, lineNumber)) convert(value);
    },
    end() {
      const open = values.end();
      if (open !== null) convert(open);
      conversion.end();
    },
    interrupt(lineNumber) {
      const open = values.interrupt();
      if (open !== null) notConverted(open.line, `its line ${lineNumber} is longer than can be read`);
      return open !== null;
    },
    tally: conversion.tally,
  };
}

function parseRequest(text: string): Result<OtlpRequest> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not JSON: ${(error as Error).message}` };
  }
  return decodeOtlpJson(value);
}

/** What a data point becomes: a payload, or why it is not converted. */
type Payload = { ok: true; payload: string } | { ok: false; reason: string };

const skip = (reason: string): Payload => ({ ok: false, reason });

const TO_DELTA =
  'export delta temporality (the SDK’s temporality preference DELTA, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta) or put the OTel Collector’s cumulativetodelta processor before the export';

class OtlpConversion {
  readonly tally = emptyTally();
  /** Notes by kind, item and message, counted until the end. */
  private readonly notes = new Map<string, ConversionNote>();
  private readonly named = new Set<string>();
  /** Data points that carried a resource or scope attribute into their line (for the note on Classic and Grail). */
  private withResourceAttributes = 0;
  private firstLineWithResourceAttributes = 0;
  private readonly keepOuter: (key: string) => boolean;
  /** The last point's metric key, attributes and scope, and what dimensions() made of them. */
  private lastPoint: {
    key: string;
    attributes: readonly OtlpKeyValue[];
    outer: readonly InForce[];
    worked: WorkedOut;
  } | null = null;

  constructor(
    private readonly sink: ConversionSink,
    private readonly options: OtlpConvertOptions,
  ) {
    const allowed = options.resourceAttributes;
    const set = allowed === undefined || allowed === 'all' ? null : new Set(allowed);
    this.keepOuter = set === null ? () => true : (key) => set.has(key);
  }

  request(request: OtlpRequest, from: number): void {
    for (const resourceMetrics of request.resourceMetrics) {
      for (const scopeMetrics of resourceMetrics.scopeMetrics) {
        // Precedence on clashing keys: data point > scope > resource (INGEST-PATHS §1.3, about-metrics-ingest).
        // Worked out once here for every point of the scope, as dimensions() works out a point's own.
        const outer: InForce[] = [];
        for (const { key, value } of [...scopeMetrics.scope.attributes, ...resourceMetrics.resource.attributes])
          if (this.keepOuter(key)) outer.push(inForce(key, value));
        const scope = this.options.seen?.scopeCode(outer) ?? null;
        for (const metric of scopeMetrics.metrics) this.metric(metric, outer, scope, from);
      }
    }
  }

  end(): void {
    if (this.withResourceAttributes > 0) {
      const message =
        this.options.resourceAttributes === undefined || this.options.resourceAttributes === 'all'
          ? 'resource and scope attributes written as dimensions, as Dynatrace on Grail keeps them; Dynatrace Classic keeps only those on its allow-list (settings `builtin:opentelemetry-metrics`)'
          : 'resource and scope attributes written as dimensions only where on the allow-list, as Dynatrace Classic does';
      this.sink.note({
        kind: 'info',
        line: this.firstLineWithResourceAttributes,
        item: 'resource attributes',
        count: this.withResourceAttributes,
        message,
      });
    }
    for (const note of this.notes.values()) this.sink.note(note);
    this.notes.clear();
    this.withResourceAttributes = 0;
  }

  private note(kind: NoteKind, line: number, item: string, message: string, count = 1, code?: string): void {
    const id = `${kind}\u0000${item}\u0000${message}`;
    const known = this.notes.get(id);
    if (known) known.count += count;
    else this.notes.set(id, { kind, line, item, count, message, ...(code === undefined ? {} : { code }) });
    if (kind === 'skipped') this.tally.skipped += count;
  }

  private metric(metric: OtlpMetric, outer: readonly InForce[], scope: string | null, from: number): void {
    const data = metric.data;
    if (data === null) return; // no data points: no items
    const points: readonly OtlpPointBase[] = data.dataPoints;
    if (points.length === 0) return;
    this.tally.items += points.length;
    const name = metric.name;
    const skipAll = (reason: string, code?: string) => this.note('skipped', from, name, reason, points.length, code);

    let payloadOf: (point: OtlpPointBase) => Payload;
    let type: 'gauge' | 'count';
    let paths: Record<string, string> = {};
    switch (data.type) {
      case 'gauge':
        // Gauge → gauge (INGEST-PATHS §1.2).
        type = 'gauge';
        payloadOf = (point) => numberPayload('gauge,', point as OtlpNumberDataPoint);
        break;
      case 'sum':
        if (data.aggregationTemporality === TEMPORALITY.delta) {
          // Counter and UpDownCounter, delta → counter (INGEST-PATHS §1.2): the delta as sent, negative ones too (an
          // UpDownCounter's; the libraries write negative deltas, PROTOCOL §2.3).
          type = 'count';
          payloadOf = (point) => numberPayload('count,delta=', point as OtlpNumberDataPoint);
        } else if (data.aggregationTemporality === TEMPORALITY.cumulative && !data.isMonotonic) {
          // UpDownCounter, cumulative → gauge (INGEST-PATHS §1.2): the running value is what a gauge shows.
          type = 'gauge';
          payloadOf = (point) => numberPayload('gauge,', point as OtlpNumberDataPoint);
        } else if (data.aggregationTemporality === TEMPORALITY.cumulative) {
          // Counter, cumulative → rejected by Dynatrace with this reason (INGEST-PATHS §1.2, §1.5: the #1 complaint). A total is
          // never sent as a delta.
          skipAll(
            `monotonic cumulative sum: Dynatrace rejects it (${MONOTONIC_CUMULATIVE_SUM}); ${TO_DELTA}`,
            MONOTONIC_CUMULATIVE_SUM,
          );
          return;
        } else {
          skipAll(unspecifiedTemporality(data.aggregationTemporality));
          return;
        }
        break;
      case 'histogram':
      case 'exponentialHistogram': {
        const kind = data.type === 'histogram' ? 'histogram' : 'exponential histogram';
        if (data.aggregationTemporality === TEMPORALITY.cumulative) {
          // INGEST-PATHS §1.2: "Delta (cumulative rejected)" for explicit-bucket histograms; the exponential row names delta only,
          // and Dynatrace's rejection reasons list "cumulative temporality" for histograms [Inferred: both]. The reason
          // code is the cumulative sum's: issue 14 names it for both, and no other code is documented.
          skipAll(
            `cumulative ${kind}: Dynatrace rejects it (${MONOTONIC_CUMULATIVE_SUM}); ${TO_DELTA}`,
            MONOTONIC_CUMULATIVE_SUM,
          );
          return;
        }
        if (data.aggregationTemporality !== TEMPORALITY.delta) {
          skipAll(unspecifiedTemporality(data.aggregationTemporality));
          return;
        }
        // A delta histogram → gauge summary min/max/sum/count: what Dynatrace Classic keeps by default of an
        // explicit-bucket histogram and all it keeps of an exponential one (buckets dropped) (INGEST-PATHS §1.2). The OTLP
        // endpoint stores explicit buckets too, under `<key>.histogram` (1.300+): shown as the naming's path.
        type = 'gauge';
        payloadOf = (point) => histogramPayload(point as OtlpHistogramDataPoint | OtlpExponentialHistogramDataPoint);
        break;
      }
      case 'summary':
        // INGEST-PATHS §1.2: "Not supported" ("only exist in OTLP for compatibility").
        skipAll(
          'summary: not supported by Dynatrace (summaries only exist in OTLP for compatibility); record a histogram instead',
        );
        return;
    }

    const sentKey = metricKey(name);
    if (sentKey === null) {
      // INGEST-PATHS §1.2 key naming: a key with no valid character is dropped; dtmetrics also refuses what no normalising fixes.
      skipAll(`no metric key: ${noMetricKeyReason(name)}`);
      return;
    }
    const histogram = data.type === 'histogram';
    const key = histogram && this.options.histogramSuffix ? `${sentKey}.histogram` : sentKey;
    if (histogram && !this.options.histogramSuffix)
      paths = { 'OTLP endpoint (histogram, 1.300+)': `${sentKey}.histogram` };
    // INGEST-PATHS §1.2 key naming: invalid characters become `_`, as the OTLP endpoint and the libraries do.
    if (sentKey !== name) this.note('renamed', from, name, `metric \`${name}\` written as \`${key}\``, points.length);

    let converted = 0;
    const keyCode = scope === null ? null : `${scope}${key.length}:${key}`;
    for (const point of points) {
      // DataPointFlags: a point with no recorded value (a staleness marker) has nothing to write.
      if ((point.flags & FLAG_NO_RECORDED_VALUE) !== 0) {
        this.note('skipped', from, name, 'no recorded value (the data point’s flag says so)');
        continue;
      }
      const payload = payloadOf(point);
      if (!payload.ok) {
        this.note('skipped', from, name, payload.reason);
        continue;
      }
      const worked = this.dimensions(key, name, point.attributes, outer, keyCode, from);
      if (worked.pairs === null) continue;
      if (!this.named.has(key)) {
        this.named.add(key);
        this.sink.naming({ source: name, key, type, stored: storedKey(key, type), paths });
      }
      // Timestamps: timeUnixNano → ms; 0 (unset) → none, the tenant stamps the line.
      const ms = point.timeUnixNano === 0n ? null : Number(point.timeUnixNano / 1_000_000n);
      if (this.sink.prefixed) this.sink.prefixed(worked.prefix, lineRest(payload.payload, ms), from);
      else this.sink.line(lineOf(worked.prefix, payload.payload, ms), from);
      converted++;
    }
    this.tally.converted += converted;
    if (converted > 0 && (data.type === 'histogram' || data.type === 'exponentialHistogram')) {
      const message =
        data.type === 'histogram'
          ? `histogram written as a gauge summary (min, max, sum, count), what Dynatrace Classic keeps by default; its buckets are left out (Dynatrace’s OTLP endpoint stores them too, as \`${sentKey}.histogram\`)`
          : 'exponential histogram written as a gauge summary (min, max, sum, count); its buckets are left out, as Dynatrace does';
      this.note('info', from, name, message, converted);
    }
  }

  /**
   * What a point's attributes make (workOutDimensions), kept for the next point — a batch of several export intervals
   * holds a series' points one after another, whose attributes are alike — and, with a memo (`keyCode`: the scope's
   * and metric key's code), for the requests after. For a point found so, the same notes are made again.
   */
  private dimensions(
    key: string,
    name: string,
    attributes: readonly OtlpKeyValue[],
    outer: readonly InForce[],
    keyCode: string | null,
    from: number,
  ): WorkedOut {
    const last = this.lastPoint;
    let worked: WorkedOut | undefined;
    if (last && last.key === key && last.outer === outer && sameAttributes(last.attributes, attributes))
      worked = last.worked;
    else {
      let code: string | null = null;
      if (keyCode !== null) {
        code = keyCode;
        for (const { key, value } of attributes) code += attributeCode(key, value);
        worked = this.options.seen?.get(code);
      }
      if (worked === undefined) {
        const notes: [NoteKind, string][] = [];
        const withResourceAttributes = this.withResourceAttributes;
        const pairs = this.workOutDimensions(name, attributes, outer, from, notes);
        const withOuter = this.withResourceAttributes > withResourceAttributes;
        worked = { pairs, notes, withOuter, prefix: pairs === null ? '' : linePrefix(key, pairs) };
        if (code !== null) this.options.seen?.set(code, worked);
        this.lastPoint = { key, attributes, outer, worked };
        return worked;
      }
      this.lastPoint = { key, attributes, outer, worked };
    }
    if (worked.withOuter && this.withResourceAttributes++ === 0) this.firstLineWithResourceAttributes = from;
    for (const [kind, message] of worked.notes) this.note(kind, from, name, message);
    return worked;
  }

  /**
   * A point's dimensions (INGEST-PATHS §1.3): keys normalised (lower case, `_` for invalid characters, dropped when nothing is
   * valid; first of keys normalising alike wins), only string, bool and int values (others drop the dimension),
   * values cut at 255. Null when there are more than 50: Dynatrace drops the whole data point (reported).
   */
  private workOutDimensions(
    name: string,
    attributes: readonly OtlpKeyValue[],
    outer: readonly InForce[],
    from: number,
    notes: [NoteKind, string][],
  ): [string, string][] | null {
    const note = (kind: NoteKind, message: string) => {
      notes.push([kind, message]);
      this.note(kind, from, name, message);
    };
    const seen = new Set<string>();
    const attributesInForce: InForce[] = [];
    for (const { key, value } of attributes)
      if (!seen.has(key)) {
        seen.add(key);
        attributesInForce.push(inForce(key, value));
      }
    const pointKeys = attributesInForce.length;
    for (const attribute of outer)
      if (!seen.has(attribute.dimension.raw)) {
        seen.add(attribute.dimension.raw);
        attributesInForce.push(attribute);
      }
    if (attributesInForce.length > pointKeys) {
      if (this.withResourceAttributes++ === 0) this.firstLineWithResourceAttributes = from;
    }
    const scalars: DimensionText[] = [];
    for (const { dimension, value, scalar } of attributesInForce) {
      const key = dimension.raw;
      if (scalar === null) {
        note(
          'info',
          `attribute \`${key}\` left out: ${value === null ? 'it has no value' : `${/^[aeiou]/.test(value.type) ? 'an' : 'a'} ${value.type} value`}, and Dynatrace keeps only string, bool and int values`,
        );
        continue;
      }
      if (typeof scalar === 'string' && scalar.length > LIMITS.dimensionValueMaxLength)
        note(
          'renamed',
          `the value of attribute \`${key}\` cut to ${LIMITS.dimensionValueMaxLength} characters, as Dynatrace does`,
        );
      scalars.push(dimension);
    }
    const pairs = pairsOf(scalars, (change) => {
      if (change.to !== null) note('renamed', `attribute \`${change.key}\` written as dimension \`${change.to}\``);
      else note('info', `attribute \`${change.key}\` left out: ${change.reason ?? ''}`);
    });
    if (pairs.length > LIMITS.dimensionsPerLine) {
      note(
        'skipped',
        `more than ${LIMITS.dimensionsPerLine} dimensions: Dynatrace drops the whole data point; send fewer attributes (resource attributes count too)`,
      );
      return null;
    }
    return pairs;
  }
}

/** An attribute in force at a point: its value, the scalar a dimension takes of it, and that dimension. */
interface InForce {
  value: OtlpAnyValue | null;
  scalar: string | boolean | null;
  dimension: DimensionText;
}

/** Whether two points' attributes are the same keys and values, in the same order (other value types: not compared). */
function sameAttributes(a: readonly OtlpKeyValue[], b: readonly OtlpKeyValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as OtlpKeyValue;
    const y = b[i] as OtlpKeyValue;
    if (x.key !== y.key) return false;
    const u = x.value;
    const v = y.value;
    if (u === v) continue;
    if (u === null || v === null || u.type !== v.type) return false;
    if (u.type !== 'string' && u.type !== 'bool' && u.type !== 'int') return false;
    if (u.value !== (v as typeof u).value) return false;
  }
  return true;
}

function inForce(key: string, value: OtlpAnyValue | null): InForce {
  const scalar = scalarOf(value);
  return { value, scalar, dimension: dimensionText(key, scalar) };
}

/** An attribute value Dynatrace keeps, as a dimension value takes it: string, bool, and int (as its digits). */
function scalarOf(value: OtlpAnyValue | null): string | boolean | null {
  if (value === null) return null;
  if (value.type === 'string' || value.type === 'bool') return value.value;
  if (value.type === 'int') return value.value.toString();
  return null;
}

const unspecifiedTemporality = (temporality: number): string =>
  `aggregation temporality ${temporality === 0 ? 'unspecified' : temporality} (neither delta nor cumulative): Dynatrace has no mapping for it`;

function numberPayload(prefix: string, point: OtlpNumberDataPoint): Payload {
  const value = point.value;
  if (value === null) return skip('no value (neither asDouble nor asInt is set)');
  if (typeof value === 'bigint') return { ok: true, payload: prefix + numberText(Number(value)) };
  if (!Number.isFinite(value)) return skip(`${value} is no number a metric line takes`);
  return { ok: true, payload: prefix + numberText(value) };
}

function histogramPayload(point: OtlpHistogramDataPoint | OtlpExponentialHistogramDataPoint): Payload {
  // INGEST-PATHS §1.2, when histograms are rejected: no sum ("This happens when negative values are recorded"), NaN or Inf
  // bounds, unsorted buckets.
  if (point.sum === null)
    return skip(
      'no sum: Dynatrace rejects a histogram without one (the SDK leaves it out when negative values were recorded)',
    );
  if ('explicitBounds' in point) {
    const bounds = point.explicitBounds;
    if (bounds.some((b) => !Number.isFinite(b)))
      return skip('a NaN or infinite bucket bound: Dynatrace rejects the histogram');
    if (bounds.some((b, i) => i > 0 && b <= (bounds[i - 1] as number)))
      return skip('bucket bounds not in increasing order: Dynatrace rejects the histogram');
  }
  const count = Number(point.count);
  const sum = point.sum;
  let { min, max } = point;
  if (min === null || max === null) {
    // No min/max recorded: only the cases with one right answer are written (no observations; one observation, which
    // is its own min, max and sum). dtmetrics does not estimate them from the buckets.
    if (count === 0 && sum === 0) min = max = 0;
    else if (count === 1) min = max = sum;
    else
      return skip(
        'no min and max: a gauge summary needs both, and they are not estimated from the buckets; record them (the SDK’s histogram aggregation option recordMinMax)',
      );
  }
  if (![min, max, sum].every(Number.isFinite)) return skip('a NaN or infinite min, max or sum');
  const fault = summaryFault(min, max, sum, count, true, LIMITS.summaryTolerance);
  if (fault !== null)
    return skip(`min ${min}, max ${max}, sum ${sum} and count ${count} disagree (the tenant refuses such a summary)`);
  return {
    ok: true,
    payload: summaryPayload(min, max, sum, count),
  };
}
