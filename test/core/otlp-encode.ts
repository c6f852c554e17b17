/**
 * An OtlpRequest (core/convert/otlp-model.ts) written back as protobuf with @bufbuild/protobuf's BinaryWriter (field
 * numbers of opentelemetry-proto's metrics.proto, common.proto, resource.proto, metrics_service.proto) and as OTLP/JSON,
 * so the tests can hold both decoders to the same request. Defaults are left out, as protobuf encoders do.
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type {
  OtlpAnyValue,
  OtlpBuckets,
  OtlpKeyValue,
  OtlpMetric,
  OtlpNumberDataPoint,
  OtlpPointBase,
  OtlpRequest,
} from '#core/convert/otlp-model.ts';

type Write = (w: BinaryWriter) => void;

const sub = (w: BinaryWriter, field: number, write: Write) => {
  w.tag(field, WireType.LengthDelimited).fork();
  write(w);
  w.join();
};
const str = (w: BinaryWriter, field: number, value: string) => {
  if (value !== '') w.tag(field, WireType.LengthDelimited).string(value);
};
const varint = (w: BinaryWriter, field: number, value: number) => {
  if (value !== 0) w.tag(field, WireType.Varint).uint32(value);
};
const fixed64 = (w: BinaryWriter, field: number, value: bigint) => {
  if (value !== 0n) w.tag(field, WireType.Bit64).fixed64(value);
};
const double = (w: BinaryWriter, field: number, value: number | null) => {
  if (value !== null) w.tag(field, WireType.Bit64).double(value);
};

function anyValue(w: BinaryWriter, v: OtlpAnyValue | null): void {
  if (v === null) return;
  if (v.type === 'string') w.tag(1, WireType.LengthDelimited).string(v.value);
  else if (v.type === 'bool') w.tag(2, WireType.Varint).bool(v.value);
  else if (v.type === 'int') w.tag(3, WireType.Varint).int64(v.value);
  else if (v.type === 'double') w.tag(4, WireType.Bit64).double(v.value);
  else if (v.type === 'array') sub(w, 5, (w) => v.values.forEach((x) => sub(w, 1, (w) => anyValue(w, x))));
  else if (v.type === 'kvlist') sub(w, 6, (w) => v.values.forEach((kv) => sub(w, 1, (w) => keyValue(w, kv))));
  else w.tag(7, WireType.LengthDelimited).bytes(v.value);
}

function keyValue(w: BinaryWriter, kv: OtlpKeyValue): void {
  str(w, 1, kv.key);
  if (kv.value !== null) sub(w, 2, (w) => anyValue(w, kv.value));
}

const attributes = (w: BinaryWriter, field: number, list: readonly OtlpKeyValue[]) =>
  list.forEach((kv) => sub(w, field, (w) => keyValue(w, kv)));

function pointBase(w: BinaryWriter, p: OtlpPointBase, at: { attributes: number; flags: number }): void {
  attributes(w, at.attributes, p.attributes);
  fixed64(w, 2, p.startTimeUnixNano);
  fixed64(w, 3, p.timeUnixNano);
  varint(w, at.flags, p.flags);
}

function buckets(w: BinaryWriter, b: OtlpBuckets): void {
  if (b.offset !== 0) w.tag(1, WireType.Varint).sint32(b.offset);
  if (b.bucketCounts.length > 0) {
    w.tag(2, WireType.LengthDelimited).fork();
    for (const c of b.bucketCounts) w.uint64(c);
    w.join();
  }
}

function metric(w: BinaryWriter, m: OtlpMetric): void {
  str(w, 1, m.name);
  str(w, 2, m.description);
  str(w, 3, m.unit);
  const d = m.data;
  if (d?.type === 'gauge' || d?.type === 'sum')
    sub(w, d.type === 'gauge' ? 5 : 7, (w) => {
      for (const p of d.dataPoints)
        sub(w, 1, (w) => {
          pointBase(w, p, { attributes: 7, flags: 8 });
          if (typeof p.value === 'number') w.tag(4, WireType.Bit64).double(p.value);
          else if (typeof p.value === 'bigint') w.tag(6, WireType.Bit64).sfixed64(p.value);
        });
      if (d.type === 'sum') {
        varint(w, 2, d.aggregationTemporality);
        if (d.isMonotonic) w.tag(3, WireType.Varint).bool(true);
      }
    });
  else if (d?.type === 'histogram')
    sub(w, 9, (w) => {
      for (const p of d.dataPoints)
        sub(w, 1, (w) => {
          pointBase(w, p, { attributes: 9, flags: 10 });
          fixed64(w, 4, p.count);
          double(w, 5, p.sum);
          // Bucket counts packed, bounds not: a parser takes both forms.
          if (p.bucketCounts.length > 0) {
            w.tag(6, WireType.LengthDelimited).fork();
            for (const c of p.bucketCounts) w.fixed64(c);
            w.join();
          }
          for (const b of p.explicitBounds) w.tag(7, WireType.Bit64).double(b);
          double(w, 11, p.min);
          double(w, 12, p.max);
        });
      varint(w, 2, d.aggregationTemporality);
    });
  else if (d?.type === 'exponentialHistogram')
    sub(w, 10, (w) => {
      for (const p of d.dataPoints)
        sub(w, 1, (w) => {
          pointBase(w, p, { attributes: 1, flags: 10 });
          fixed64(w, 4, p.count);
          double(w, 5, p.sum);
          if (p.scale !== 0) w.tag(6, WireType.Varint).sint32(p.scale);
          fixed64(w, 7, p.zeroCount);
          if (p.positive) sub(w, 8, (w) => buckets(w, p.positive as OtlpBuckets));
          if (p.negative) sub(w, 9, (w) => buckets(w, p.negative as OtlpBuckets));
          double(w, 12, p.min);
          double(w, 13, p.max);
          if (p.zeroThreshold !== 0) double(w, 14, p.zeroThreshold);
        });
      varint(w, 2, d.aggregationTemporality);
    });
  else if (d?.type === 'summary')
    sub(w, 11, (w) => {
      for (const p of d.dataPoints)
        sub(w, 1, (w) => {
          pointBase(w, p, { attributes: 7, flags: 8 });
          fixed64(w, 4, p.count);
          if (p.sum !== 0) double(w, 5, p.sum);
          for (const q of p.quantileValues)
            sub(w, 6, (w) => {
              if (q.quantile !== 0) double(w, 1, q.quantile);
              if (q.value !== 0) double(w, 2, q.value);
            });
        });
    });
  attributes(w, 12, m.metadata);
}

export function otlpToProtobuf(request: OtlpRequest): Uint8Array {
  const w = new BinaryWriter();
  for (const rm of request.resourceMetrics)
    sub(w, 1, (w) => {
      if (rm.resource.attributes.length > 0 || rm.resource.droppedAttributesCount !== 0)
        sub(w, 1, (w) => {
          attributes(w, 1, rm.resource.attributes);
          varint(w, 2, rm.resource.droppedAttributesCount);
        });
      for (const sm of rm.scopeMetrics)
        sub(w, 2, (w) => {
          sub(w, 1, (w) => {
            str(w, 1, sm.scope.name);
            str(w, 2, sm.scope.version);
            attributes(w, 3, sm.scope.attributes);
            varint(w, 4, sm.scope.droppedAttributesCount);
          });
          for (const m of sm.metrics) sub(w, 2, (w) => metric(w, m));
          str(w, 3, sm.schemaUrl);
        });
      str(w, 3, rm.schemaUrl);
    });
  return w.finish();
}

/** The request in OTLP/JSON: 64-bit integers as strings, non-finite doubles as their names, bytes as base64. */
export function otlpToJson(request: OtlpRequest): unknown {
  return JSON.parse(
    JSON.stringify(request, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      if ('data' in value && 'metadata' in value) {
        // A Metric: its `data` oneof is one of the keys gauge, sum, histogram, exponentialHistogram, summary.
        const { data, ...rest } = value as OtlpMetric;
        if (data === null) return rest;
        const { type, ...fields } = data;
        return { ...rest, [type]: fields };
      }
      if ('flags' in value && 'value' in value) {
        // A NumberDataPoint: its `value` oneof is asInt or asDouble.
        const { value: number, ...rest } = value as OtlpNumberDataPoint;
        return number === null ? rest : { ...rest, [typeof number === 'bigint' ? 'asInt' : 'asDouble']: number };
      }
      if ('type' in value) return jsonTyped(value as OtlpAnyValue);
      return value;
    }),
  );
}

/** An AnyValue as OTLP/JSON's oneof keys. */
const jsonTyped = (value: OtlpAnyValue): unknown =>
  value.type === 'array' || value.type === 'kvlist'
    ? { [`${value.type}Value`]: { values: value.values } }
    : { [`${value.type}Value`]: value.value };
