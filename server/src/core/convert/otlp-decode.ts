/**
 * An ExportMetricsServiceRequest read from binary protobuf (what Dynatrace's OTLP endpoint takes, INGEST-PATHS §1.1)
 * or from the OTLP/JSON mapping (what the OTel Collector's file exporter writes), into otlp-model.ts. Field numbers
 * and types are opentelemetry-proto's (metrics/v1/metrics.proto, common/v1/common.proto, resource/v1/resource.proto,
 * collector/metrics/v1/metrics_service.proto); no generated code. Unknown fields are skipped in both encodings, as
 * the OTLP specification requires. Never throws: malformed input is a failed Result saying what and where.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import type { Result } from '../result.ts';
import { jsonExcerpt } from './json-values.ts';
import type {
  OtlpAnyValue,
  OtlpAttributes,
  OtlpBuckets,
  OtlpExponentialHistogramDataPoint,
  OtlpHistogramDataPoint,
  OtlpKeyValue,
  OtlpMetric,
  OtlpMetricData,
  OtlpNumberDataPoint,
  OtlpPointBase,
  OtlpRequest,
  OtlpResourceMetrics,
  OtlpScope,
  OtlpScopeMetrics,
  OtlpSummaryDataPoint,
} from './otlp-model.ts';

/** Thrown inside the decoders only, caught at their entry points: the message is the failure's. */
class Malformed extends Error {}

// ─── Protobuf ────────────────────────────────────────────────────────────────────────────────────────────────

/** One message being read: the reader, where the message ends, its name for messages. */
interface Frame {
  r: BinaryReader;
  end: number;
  name: string;
  /** How many messages enclose it: AnyValue arrays and lists nest without bound, the stack does not. */
  depth: number;
}

/** Deeper than any OTLP request nests but for attribute values (protobuf-es and Go's default limit is 100). */
const MAX_DEPTH = 64;

export function decodeOtlpProtobuf(bytes: Uint8Array): Result<OtlpRequest> {
  const r = new BinaryReader(bytes);
  const request: OtlpRequest = { resourceMetrics: [] };
  try {
    fields({ r, end: bytes.length, name: 'ExportMetricsServiceRequest', depth: 0 }, (f, field, wt) => {
      if (field !== 1) return false;
      request.resourceMetrics.push(message(f, field, wt, readResourceMetrics));
      return true;
    });
  } catch (error) {
    // The reader may have stepped past the end before it found it was there (a varint cut short).
    const at = Math.min(r.pos, bytes.length);
    const detail = error instanceof Malformed ? error.message : `at byte ${at}: ${(error as Error).message}`;
    return { ok: false, message: `not an OTLP metrics request in protobuf: ${detail}` };
  }
  return { ok: true, value: request };
}

/** Fails at the reader's position, or at `at` where the reader has moved on past what failed. */
function fail(f: Frame, field: number, what: string, at = f.r.pos): never {
  throw new Malformed(`field ${field} of ${/^[AEIOU]/.test(f.name) ? 'an' : 'a'} ${f.name} at byte ${at}: ${what}`);
}

/**
 * Reads the fields of the message up to `f.end`, handing each to `read` (which reads its value and says true) or
 * skipping it (false): unknown fields and fields of wire types a reader does not expect are skipped by their wire
 * type, as protobuf parsers do.
 */
function fields(f: Frame, read: (f: Frame, field: number, wireType: WireType) => boolean): void {
  const { r } = f;
  while (r.pos < f.end) {
    const tag = r.uint32();
    if (r.pos > f.end) fail(f, 0, 'a field tag beyond the message');
    const field = tag >>> 3;
    const wireType = (tag & 7) as WireType;
    if (field === 0 || wireType > WireType.Bit32) fail(f, field, `an invalid tag (wire type ${wireType})`);
    // A value read past the end leaves the reader wherever the lengths it read took it: failures name where it starts.
    const valueAt = r.pos;
    if (!read(f, field, wireType)) {
      if (wireType === WireType.LengthDelimited) length(f, field);
      try {
        r.skip(wireType, field);
      } catch {
        const what = wireType === WireType.StartGroup ? 'a group that does not end' : 'a value beyond the message';
        fail(f, field, what, valueAt);
      }
    }
    if (r.pos > f.end) fail(f, field, 'a value beyond the message', valueAt);
  }
}

/** A length-delimited field's length, checked against the message's end (the reader stays before the length). */
function length(f: Frame, field: number): number {
  const start = f.r.pos;
  const n = f.r.uint32();
  if (f.r.pos + n > f.end) fail(f, field, 'a length beyond the message');
  const afterLength = f.r.pos;
  f.r.pos = start;
  return afterLength + n;
}

/** The sub-message in a length-delimited field, read by `read` within its bounds. */
function message<T>(f: Frame, field: number, wireType: WireType, read: (f: Frame) => T): T {
  expect(f, field, wireType, WireType.LengthDelimited);
  if (f.depth >= MAX_DEPTH) fail(f, field, `messages nested deeper than ${MAX_DEPTH}`);
  const end = length(f, field);
  f.r.uint32();
  const value = read({ r: f.r, end, name: f.name, depth: f.depth + 1 });
  if (f.r.pos !== end) fail(f, field, 'a message that ends inside its last field');
  return value;
}

function expect(f: Frame, field: number, wireType: WireType, expected: WireType): void {
  if (wireType !== expected) fail(f, field, `wire type ${wireType} where ${expected} is expected`);
}

function string(f: Frame, field: number, wireType: WireType): string {
  expect(f, field, wireType, WireType.LengthDelimited);
  length(f, field);
  return f.r.string();
}

function bytes(f: Frame, field: number, wireType: WireType): Uint8Array {
  expect(f, field, wireType, WireType.LengthDelimited);
  length(f, field);
  return f.r.bytes();
}

function fixed(f: Frame, field: number, size: 4 | 8): void {
  if (f.r.pos + size > f.end) fail(f, field, `${size} bytes beyond the message`);
}

function varint(f: Frame, field: number, wireType: WireType): number {
  expect(f, field, wireType, WireType.Varint);
  return f.r.uint32();
}

function double(f: Frame, field: number, wireType: WireType): number {
  expect(f, field, wireType, WireType.Bit64);
  fixed(f, field, 8);
  return f.r.double();
}

function fixed64(f: Frame, field: number, wireType: WireType): bigint {
  expect(f, field, wireType, WireType.Bit64);
  fixed(f, field, 8);
  return BigInt(f.r.fixed64());
}

/** A repeated scalar, packed (one length-delimited run) or not (one value per field), as parsers must accept both. */
function repeated<T>(
  f: Frame,
  field: number,
  wireType: WireType,
  one: (f: Frame, field: number, wireType: WireType) => T,
  elementType: WireType,
  into: T[],
): void {
  if (wireType !== WireType.LengthDelimited) {
    into.push(one(f, field, wireType));
    return;
  }
  const end = length(f, field);
  f.r.uint32();
  const packed: Frame = { ...f, end };
  while (f.r.pos < end) into.push(one(packed, field, elementType));
  if (f.r.pos !== end) fail(f, field, 'packed values beyond their length');
}

function readResourceMetrics(f: Frame): OtlpResourceMetrics {
  const out: OtlpResourceMetrics = { resource: noAttributes(), scopeMetrics: [], schemaUrl: '' };
  fields({ ...f, name: 'ResourceMetrics' }, (f, field, wt) => {
    if (field === 1) out.resource = message(f, field, wt, readResource);
    else if (field === 2) out.scopeMetrics.push(message(f, field, wt, readScopeMetrics));
    else if (field === 3) out.schemaUrl = string(f, field, wt);
    else return false;
    return true;
  });
  return out;
}

const noAttributes = (): OtlpAttributes => ({ attributes: [], droppedAttributesCount: 0 });

function readResource(f: Frame): OtlpAttributes {
  const out = noAttributes();
  fields({ ...f, name: 'Resource' }, (f, field, wt) => {
    if (field === 1) out.attributes.push(message(f, field, wt, readKeyValue));
    else if (field === 2) out.droppedAttributesCount = varint(f, field, wt);
    else return false;
    return true;
  });
  return out;
}

function readScopeMetrics(f: Frame): OtlpScopeMetrics {
  const out: OtlpScopeMetrics = { scope: { name: '', version: '', ...noAttributes() }, metrics: [], schemaUrl: '' };
  fields({ ...f, name: 'ScopeMetrics' }, (f, field, wt) => {
    if (field === 1) out.scope = message(f, field, wt, readScope);
    else if (field === 2) out.metrics.push(message(f, field, wt, readMetric));
    else if (field === 3) out.schemaUrl = string(f, field, wt);
    else return false;
    return true;
  });
  return out;
}

function readScope(f: Frame): OtlpScope {
  const out: OtlpScope = { name: '', version: '', ...noAttributes() };
  fields({ ...f, name: 'InstrumentationScope' }, (f, field, wt) => {
    if (field === 1) out.name = string(f, field, wt);
    else if (field === 2) out.version = string(f, field, wt);
    else if (field === 3) out.attributes.push(message(f, field, wt, readKeyValue));
    else if (field === 4) out.droppedAttributesCount = varint(f, field, wt);
    else return false;
    return true;
  });
  return out;
}

function readMetric(f: Frame): OtlpMetric {
  const out: OtlpMetric = { name: '', description: '', unit: '', data: null, metadata: [] };
  fields({ ...f, name: 'Metric' }, (f, field, wt) => {
    if (field === 1) out.name = string(f, field, wt);
    else if (field === 2) out.description = string(f, field, wt);
    else if (field === 3) out.unit = string(f, field, wt);
    // The `data` oneof: the last one set wins, as protobuf parsers do.
    else if (field === 5) out.data = message(f, field, wt, readGauge);
    else if (field === 7) out.data = message(f, field, wt, readSum);
    else if (field === 9) out.data = message(f, field, wt, readHistogram);
    else if (field === 10) out.data = message(f, field, wt, readExponentialHistogram);
    else if (field === 11) out.data = message(f, field, wt, readSummary);
    else if (field === 12) out.metadata.push(message(f, field, wt, readKeyValue));
    else return false;
    return true;
  });
  return out;
}

function readGauge(f: Frame): OtlpMetricData {
  const out: OtlpMetricData = { type: 'gauge', dataPoints: [] };
  fields({ ...f, name: 'Gauge' }, (f, field, wt) => {
    if (field !== 1) return false;
    out.dataPoints.push(message(f, field, wt, readNumberDataPoint));
    return true;
  });
  return out;
}

function readSum(f: Frame): OtlpMetricData {
  const out: OtlpMetricData = { type: 'sum', dataPoints: [], aggregationTemporality: 0, isMonotonic: false };
  fields({ ...f, name: 'Sum' }, (f, field, wt) => {
    if (field === 1) out.dataPoints.push(message(f, field, wt, readNumberDataPoint));
    else if (field === 2) out.aggregationTemporality = varint(f, field, wt);
    else if (field === 3) out.isMonotonic = varint(f, field, wt) !== 0;
    else return false;
    return true;
  });
  return out;
}

const readHistogram = (f: Frame): OtlpMetricData => ({
  type: 'histogram',
  ...histogramFields({ ...f, name: 'Histogram' }, readHistogramDataPoint),
});

const readExponentialHistogram = (f: Frame): OtlpMetricData => ({
  type: 'exponentialHistogram',
  ...histogramFields({ ...f, name: 'ExponentialHistogram' }, readExponentialHistogramDataPoint),
});

/** The fields a Histogram and an ExponentialHistogram share: their points (of their own kind) and temporality. */
function histogramFields<Point>(
  f: Frame,
  readPoint: (f: Frame) => Point,
): { dataPoints: Point[]; aggregationTemporality: number } {
  const out = { dataPoints: [] as Point[], aggregationTemporality: 0 };
  fields(f, (f, field, wt) => {
    if (field === 1) out.dataPoints.push(message(f, field, wt, readPoint));
    else if (field === 2) out.aggregationTemporality = varint(f, field, wt);
    else return false;
    return true;
  });
  return out;
}

function readSummary(f: Frame): OtlpMetricData {
  const out: OtlpMetricData = { type: 'summary', dataPoints: [] };
  fields({ ...f, name: 'Summary' }, (f, field, wt) => {
    if (field !== 1) return false;
    out.dataPoints.push(message(f, field, wt, readSummaryDataPoint));
    return true;
  });
  return out;
}

const pointBase = (): OtlpPointBase => ({ attributes: [], startTimeUnixNano: 0n, timeUnixNano: 0n, flags: 0 });

/** The fields every data point has, at the numbers `at` gives (they differ between the point types). */
function readPointBase(
  f: Frame,
  field: number,
  wt: WireType,
  out: OtlpPointBase,
  at: { attributes: number; flags: number },
): boolean {
  if (field === at.attributes) out.attributes.push(message(f, field, wt, readKeyValue));
  else if (field === 2) out.startTimeUnixNano = fixed64(f, field, wt);
  else if (field === 3) out.timeUnixNano = fixed64(f, field, wt);
  else if (field === at.flags) out.flags = varint(f, field, wt);
  else return false;
  return true;
}

function readNumberDataPoint(f: Frame): OtlpNumberDataPoint {
  const out: OtlpNumberDataPoint = { ...pointBase(), value: null };
  fields({ ...f, name: 'NumberDataPoint' }, (f, field, wt) => {
    if (field === 4) out.value = double(f, field, wt);
    else if (field === 6) {
      expect(f, field, wt, WireType.Bit64);
      fixed(f, field, 8);
      out.value = BigInt(f.r.sfixed64());
    } else return readPointBase(f, field, wt, out, { attributes: 7, flags: 8 });
    return true;
  });
  return out;
}

function readHistogramDataPoint(f: Frame): OtlpHistogramDataPoint {
  const out: OtlpHistogramDataPoint = {
    ...pointBase(),
    count: 0n,
    sum: null,
    bucketCounts: [],
    explicitBounds: [],
    min: null,
    max: null,
  };
  fields({ ...f, name: 'HistogramDataPoint' }, (f, field, wt) => {
    if (field === 4) out.count = fixed64(f, field, wt);
    else if (field === 5) out.sum = double(f, field, wt);
    else if (field === 6) repeated(f, field, wt, fixed64, WireType.Bit64, out.bucketCounts);
    else if (field === 7) repeated(f, field, wt, double, WireType.Bit64, out.explicitBounds);
    else if (field === 11) out.min = double(f, field, wt);
    else if (field === 12) out.max = double(f, field, wt);
    else return readPointBase(f, field, wt, out, { attributes: 9, flags: 10 });
    return true;
  });
  return out;
}

function readExponentialHistogramDataPoint(f: Frame): OtlpExponentialHistogramDataPoint {
  const out: OtlpExponentialHistogramDataPoint = {
    ...pointBase(),
    count: 0n,
    sum: null,
    scale: 0,
    zeroCount: 0n,
    positive: null,
    negative: null,
    min: null,
    max: null,
    zeroThreshold: 0,
  };
  fields({ ...f, name: 'ExponentialHistogramDataPoint' }, (f, field, wt) => {
    if (field === 4) out.count = fixed64(f, field, wt);
    else if (field === 5) out.sum = double(f, field, wt);
    else if (field === 6) {
      expect(f, field, wt, WireType.Varint);
      out.scale = f.r.sint32();
    } else if (field === 7) out.zeroCount = fixed64(f, field, wt);
    else if (field === 8) out.positive = message(f, field, wt, readBuckets);
    else if (field === 9) out.negative = message(f, field, wt, readBuckets);
    else if (field === 12) out.min = double(f, field, wt);
    else if (field === 13) out.max = double(f, field, wt);
    else if (field === 14) out.zeroThreshold = double(f, field, wt);
    else return readPointBase(f, field, wt, out, { attributes: 1, flags: 10 });
    return true;
  });
  return out;
}

function readBuckets(f: Frame): OtlpBuckets {
  const out: OtlpBuckets = { offset: 0, bucketCounts: [] };
  const uint64 = (f: Frame, field: number, wt: WireType): bigint => {
    expect(f, field, wt, WireType.Varint);
    return BigInt(f.r.uint64());
  };
  fields({ ...f, name: 'Buckets' }, (f, field, wt) => {
    if (field === 1) {
      expect(f, field, wt, WireType.Varint);
      out.offset = f.r.sint32();
    } else if (field === 2) repeated(f, field, wt, uint64, WireType.Varint, out.bucketCounts);
    else return false;
    return true;
  });
  return out;
}

function readSummaryDataPoint(f: Frame): OtlpSummaryDataPoint {
  const out: OtlpSummaryDataPoint = { ...pointBase(), count: 0n, sum: 0, quantileValues: [] };
  fields({ ...f, name: 'SummaryDataPoint' }, (f, field, wt) => {
    if (field === 4) out.count = fixed64(f, field, wt);
    else if (field === 5) out.sum = double(f, field, wt);
    else if (field === 6) out.quantileValues.push(message(f, field, wt, readValueAtQuantile));
    else return readPointBase(f, field, wt, out, { attributes: 7, flags: 8 });
    return true;
  });
  return out;
}

function readValueAtQuantile(f: Frame): { quantile: number; value: number } {
  const out = { quantile: 0, value: 0 };
  fields({ ...f, name: 'ValueAtQuantile' }, (f, field, wt) => {
    if (field === 1) out.quantile = double(f, field, wt);
    else if (field === 2) out.value = double(f, field, wt);
    else return false;
    return true;
  });
  return out;
}

function readKeyValue(f: Frame): OtlpKeyValue {
  const out: OtlpKeyValue = { key: '', value: null };
  fields({ ...f, name: 'KeyValue' }, (f, field, wt) => {
    if (field === 1) out.key = string(f, field, wt);
    else if (field === 2) out.value = message(f, field, wt, readAnyValue);
    else return false;
    return true;
  });
  return out;
}

function readAnyValue(f: Frame): OtlpAnyValue | null {
  let out: OtlpAnyValue | null = null;
  fields({ ...f, name: 'AnyValue' }, (f, field, wt) => {
    if (field === 1) out = { type: 'string', value: string(f, field, wt) };
    else if (field === 2) out = { type: 'bool', value: varint(f, field, wt) !== 0 };
    else if (field === 3) {
      expect(f, field, wt, WireType.Varint);
      out = { type: 'int', value: BigInt(f.r.int64()) };
    } else if (field === 4) out = { type: 'double', value: double(f, field, wt) };
    else if (field === 5) out = { type: 'array', values: message(f, field, wt, readArrayValue) };
    else if (field === 6) out = { type: 'kvlist', values: message(f, field, wt, readKeyValueList) };
    else if (field === 7) out = { type: 'bytes', value: bytes(f, field, wt) };
    else return false;
    return true;
  });
  return out;
}

function readArrayValue(f: Frame): (OtlpAnyValue | null)[] {
  const out: (OtlpAnyValue | null)[] = [];
  fields({ ...f, name: 'ArrayValue' }, (f, field, wt) => {
    if (field !== 1) return false;
    out.push(message(f, field, wt, readAnyValue));
    return true;
  });
  return out;
}

function readKeyValueList(f: Frame): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  fields({ ...f, name: 'KeyValueList' }, (f, field, wt) => {
    if (field !== 1) return false;
    out.push(message(f, field, wt, readKeyValue));
    return true;
  });
  return out;
}

// ─── OTLP/JSON ───────────────────────────────────────────────────────────────────────────────────────────────
// The proto3 JSON mapping with OTLP's deviations (opentelemetry-proto docs/specification.md, "JSON Protobuf
// Encoding"): lowerCamelCase keys only (others are unknown fields, ignored), enums as integers (the names are read
// too: generic proto3 encoders write them), 64-bit integers as decimal strings or numbers, doubles as numbers or
// "NaN"/"Infinity"/"-Infinity", bytes as base64; null is the field's default.

export function decodeOtlpJson(value: unknown): Result<OtlpRequest> {
  try {
    const o = object(value, 'the request');
    return { ok: true, value: { resourceMetrics: list(o.resourceMetrics, 'resourceMetrics', jsonResourceMetrics) } };
  } catch (error) {
    // Anything but Malformed is the stack running out on attribute values nested without end.
    const detail = error instanceof Malformed ? error.message : 'attribute values nested too deeply';
    return { ok: false, message: `not an OTLP metrics request in JSON: ${detail}` };
  }
}

type JsonObject = Record<string, unknown>;

function wrong(path: string, value: unknown, expected: string): never {
  throw new Malformed(`${path}: ${jsonExcerpt(value, 40)} where ${expected} is expected`);
}

const absent = (value: unknown): value is null | undefined => value === null || value === undefined;

function object(value: unknown, path: string): JsonObject {
  if (absent(value)) return {};
  if (typeof value !== 'object' || Array.isArray(value)) wrong(path, value, 'an object');
  return value as JsonObject;
}

function list<T>(value: unknown, path: string, read: (value: unknown, path: string) => T): T[] {
  if (absent(value)) return [];
  if (!Array.isArray(value)) wrong(path, value, 'an array');
  return value.map((item, i) => read(item, `${path}[${i}]`));
}

function jsonString(value: unknown, path: string): string {
  if (absent(value)) return '';
  if (typeof value !== 'string') wrong(path, value, 'a string');
  return value;
}

function jsonBool(value: unknown, path: string): boolean {
  if (absent(value)) return false;
  if (typeof value !== 'boolean') wrong(path, value, 'true or false');
  return value;
}

const INTEGER = /^-?\d+$/;

/** A 64-bit integer: a decimal string or a number (`unsigned`: fixed64/uint64, no sign). */
function jsonInt64(value: unknown, path: string, unsigned: boolean): bigint {
  if (absent(value)) return 0n;
  const n =
    typeof value === 'number' && Number.isInteger(value)
      ? BigInt(value)
      : typeof value === 'string' && INTEGER.test(value)
        ? BigInt(value)
        : null;
  const [lowest, highest] = unsigned ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
  if (n === null || n < lowest || n > highest)
    wrong(path, value, unsigned ? 'an unsigned 64-bit integer' : 'a 64-bit integer');
  return n;
}

function jsonInt32(value: unknown, path: string, unsigned: boolean): number {
  const n = Number(jsonInt64(value, path, unsigned));
  if (n > (unsigned ? 0xffffffff : 0x7fffffff) || n < -0x80000000)
    wrong(path, value, unsigned ? 'an unsigned 32-bit integer' : 'a 32-bit integer');
  return n;
}

const SPECIAL_DOUBLES: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function jsonDouble(value: unknown, path: string): number {
  if (absent(value)) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const special = SPECIAL_DOUBLES[value];
    if (special !== undefined) return special;
    if (/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) return Number(value);
  }
  return wrong(path, value, 'a number');
}

const optionalDouble = (value: unknown, path: string): number | null =>
  absent(value) ? null : jsonDouble(value, path);

const TEMPORALITY_NAMES: Readonly<Record<string, number>> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

function jsonTemporality(value: unknown, path: string): number {
  const named = typeof value === 'string' ? TEMPORALITY_NAMES[value] : undefined;
  return named ?? jsonInt32(value, path, false);
}

function jsonBytes(value: unknown, path: string): Uint8Array {
  const text = jsonString(value, path);
  // Standard or URL-safe base64, padding optional, as proto3 JSON parsers accept.
  const digits = text
    .replace(/={0,2}$/, '')
    .replace(/-/g, '+')
    .replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*$/.test(digits) || digits.length % 4 === 1) wrong(path, value, 'base64');
  const binary = atob(digits.padEnd(Math.ceil(digits.length / 4) * 4, '='));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function jsonResourceMetrics(value: unknown, path: string): OtlpResourceMetrics {
  const o = object(value, path);
  return {
    resource: jsonAttributes(o.resource, `${path}.resource`),
    scopeMetrics: list(o.scopeMetrics, `${path}.scopeMetrics`, jsonScopeMetrics),
    schemaUrl: jsonString(o.schemaUrl, `${path}.schemaUrl`),
  };
}

function jsonAttributes(value: unknown, path: string): OtlpAttributes {
  const o = object(value, path);
  return {
    attributes: list(o.attributes, `${path}.attributes`, jsonKeyValue),
    droppedAttributesCount: jsonInt32(o.droppedAttributesCount, `${path}.droppedAttributesCount`, true),
  };
}

function jsonScopeMetrics(value: unknown, path: string): OtlpScopeMetrics {
  const o = object(value, path);
  const scope = object(o.scope, `${path}.scope`);
  return {
    scope: {
      name: jsonString(scope.name, `${path}.scope.name`),
      version: jsonString(scope.version, `${path}.scope.version`),
      ...jsonAttributes(scope, `${path}.scope`),
    },
    metrics: list(o.metrics, `${path}.metrics`, jsonMetric),
    schemaUrl: jsonString(o.schemaUrl, `${path}.schemaUrl`),
  };
}

const DATA_KEYS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

function jsonMetric(value: unknown, path: string): OtlpMetric {
  const o = object(value, path);
  const set = DATA_KEYS.filter((key) => !absent(o[key]));
  if (set.length > 1) throw new Malformed(`${path}: more than one of ${set.join(', ')} (a oneof)`);
  return {
    name: jsonString(o.name, `${path}.name`),
    description: jsonString(o.description, `${path}.description`),
    unit: jsonString(o.unit, `${path}.unit`),
    data:
      set[0] === undefined ? null : jsonMetricData(set[0], object(o[set[0]], `${path}.${set[0]}`), `${path}.${set[0]}`),
    metadata: list(o.metadata, `${path}.metadata`, jsonKeyValue),
  };
}

function jsonMetricData(type: (typeof DATA_KEYS)[number], o: JsonObject, path: string): OtlpMetricData {
  const points = `${path}.dataPoints`;
  const temporality = () => jsonTemporality(o.aggregationTemporality, `${path}.aggregationTemporality`);
  switch (type) {
    case 'gauge':
      return { type, dataPoints: list(o.dataPoints, points, jsonNumberDataPoint) };
    case 'sum':
      return {
        type,
        dataPoints: list(o.dataPoints, points, jsonNumberDataPoint),
        aggregationTemporality: temporality(),
        isMonotonic: jsonBool(o.isMonotonic, `${path}.isMonotonic`),
      };
    case 'histogram':
      return {
        type,
        dataPoints: list(o.dataPoints, points, jsonHistogramDataPoint),
        aggregationTemporality: temporality(),
      };
    case 'exponentialHistogram':
      return {
        type,
        dataPoints: list(o.dataPoints, points, jsonExponentialHistogramDataPoint),
        aggregationTemporality: temporality(),
      };
    case 'summary':
      return { type, dataPoints: list(o.dataPoints, points, jsonSummaryDataPoint) };
  }
}

function jsonPointBase(o: JsonObject, path: string): OtlpPointBase {
  return {
    attributes: list(o.attributes, `${path}.attributes`, jsonKeyValue),
    startTimeUnixNano: jsonInt64(o.startTimeUnixNano, `${path}.startTimeUnixNano`, true),
    timeUnixNano: jsonInt64(o.timeUnixNano, `${path}.timeUnixNano`, true),
    flags: jsonInt32(o.flags, `${path}.flags`, true),
  };
}

function jsonNumberDataPoint(value: unknown, path: string): OtlpNumberDataPoint {
  const o = object(value, path);
  if (!absent(o.asDouble) && !absent(o.asInt)) throw new Malformed(`${path}: both asDouble and asInt (a oneof)`);
  return {
    ...jsonPointBase(o, path),
    value: !absent(o.asInt)
      ? jsonInt64(o.asInt, `${path}.asInt`, false)
      : optionalDouble(o.asDouble, `${path}.asDouble`),
  };
}

function jsonHistogramDataPoint(value: unknown, path: string): OtlpHistogramDataPoint {
  const o = object(value, path);
  return {
    ...jsonPointBase(o, path),
    count: jsonInt64(o.count, `${path}.count`, true),
    sum: optionalDouble(o.sum, `${path}.sum`),
    bucketCounts: list(o.bucketCounts, `${path}.bucketCounts`, (v, p) => jsonInt64(v, p, true)),
    explicitBounds: list(o.explicitBounds, `${path}.explicitBounds`, jsonDouble),
    min: optionalDouble(o.min, `${path}.min`),
    max: optionalDouble(o.max, `${path}.max`),
  };
}

function jsonExponentialHistogramDataPoint(value: unknown, path: string): OtlpExponentialHistogramDataPoint {
  const o = object(value, path);
  return {
    ...jsonPointBase(o, path),
    count: jsonInt64(o.count, `${path}.count`, true),
    sum: optionalDouble(o.sum, `${path}.sum`),
    scale: jsonInt32(o.scale, `${path}.scale`, false),
    zeroCount: jsonInt64(o.zeroCount, `${path}.zeroCount`, true),
    positive: absent(o.positive) ? null : jsonBuckets(o.positive, `${path}.positive`),
    negative: absent(o.negative) ? null : jsonBuckets(o.negative, `${path}.negative`),
    min: optionalDouble(o.min, `${path}.min`),
    max: optionalDouble(o.max, `${path}.max`),
    zeroThreshold: jsonDouble(o.zeroThreshold, `${path}.zeroThreshold`),
  };
}

function jsonBuckets(value: unknown, path: string): OtlpBuckets {
  const o = object(value, path);
  return {
    offset: jsonInt32(o.offset, `${path}.offset`, false),
    bucketCounts: list(o.bucketCounts, `${path}.bucketCounts`, (v, p) => jsonInt64(v, p, true)),
  };
}

function jsonSummaryDataPoint(value: unknown, path: string): OtlpSummaryDataPoint {
  const o = object(value, path);
  return {
    ...jsonPointBase(o, path),
    count: jsonInt64(o.count, `${path}.count`, true),
    sum: jsonDouble(o.sum, `${path}.sum`),
    quantileValues: list(o.quantileValues, `${path}.quantileValues`, (v, p) => {
      const q = object(v, p);
      return { quantile: jsonDouble(q.quantile, `${p}.quantile`), value: jsonDouble(q.value, `${p}.value`) };
    }),
  };
}

function jsonKeyValue(value: unknown, path: string): OtlpKeyValue {
  const o = object(value, path);
  return { key: jsonString(o.key, `${path}.key`), value: jsonAnyValue(o.value, `${path}.value`) };
}

function jsonAnyValue(value: unknown, path: string): OtlpAnyValue | null {
  const o = object(value, path);
  if (!absent(o.stringValue)) return { type: 'string', value: jsonString(o.stringValue, `${path}.stringValue`) };
  if (!absent(o.boolValue)) return { type: 'bool', value: jsonBool(o.boolValue, `${path}.boolValue`) };
  if (!absent(o.intValue)) return { type: 'int', value: jsonInt64(o.intValue, `${path}.intValue`, false) };
  if (!absent(o.doubleValue)) return { type: 'double', value: jsonDouble(o.doubleValue, `${path}.doubleValue`) };
  if (!absent(o.arrayValue)) {
    const values = object(o.arrayValue, `${path}.arrayValue`).values;
    return { type: 'array', values: list(values, `${path}.arrayValue.values`, jsonAnyValue) };
  }
  if (!absent(o.kvlistValue)) {
    const values = object(o.kvlistValue, `${path}.kvlistValue`).values;
    return { type: 'kvlist', values: list(values, `${path}.kvlistValue.values`, jsonKeyValue) };
  }
  if (!absent(o.bytesValue)) return { type: 'bytes', value: jsonBytes(o.bytesValue, `${path}.bytesValue`) };
  return null;
}
