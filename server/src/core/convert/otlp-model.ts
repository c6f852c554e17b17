/**
 * An OTLP ExportMetricsServiceRequest as plain data: what otlp-decode.ts reads from protobuf or OTLP/JSON and
 * otlp.ts converts. Field names are the JSON mapping's (lowerCamelCase) of opentelemetry-proto
 * (collector/metrics/v1/metrics_service.proto, metrics/v1/metrics.proto, common/v1/common.proto,
 * resource/v1/resource.proto). 64-bit integers are bigint: nanosecond times exceed 2^53. Absent proto3 scalars are
 * their defaults (0, '', false); `optional` fields and unset oneofs are null. Exemplars, entity refs and the
 * profiles-only `*_strindex` fields are not kept: nothing Dynatrace stores from a metric comes from them.
 */

export interface OtlpRequest {
  resourceMetrics: OtlpResourceMetrics[];
}

export interface OtlpResourceMetrics {
  resource: OtlpAttributes;
  scopeMetrics: OtlpScopeMetrics[];
  schemaUrl: string;
}

export interface OtlpScopeMetrics {
  scope: OtlpScope;
  metrics: OtlpMetric[];
  schemaUrl: string;
}

/** A Resource, or anything else that only carries attributes here. */
export interface OtlpAttributes {
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
}

export interface OtlpScope extends OtlpAttributes {
  name: string;
  version: string;
}

export interface OtlpMetric {
  name: string;
  description: string;
  unit: string;
  /** The `data` oneof; null when none is set. */
  data: OtlpMetricData | null;
  metadata: OtlpKeyValue[];
}

/** AggregationTemporality: 0 unspecified, 1 delta, 2 cumulative (other numbers are kept as sent). */
export const TEMPORALITY = { unspecified: 0, delta: 1, cumulative: 2 } as const;

/** DataPointFlags: the point carries no value (a stale marker). */
export const FLAG_NO_RECORDED_VALUE = 1;

export type OtlpMetricData =
  | { type: 'gauge'; dataPoints: OtlpNumberDataPoint[] }
  | { type: 'sum'; dataPoints: OtlpNumberDataPoint[]; aggregationTemporality: number; isMonotonic: boolean }
  | { type: 'histogram'; dataPoints: OtlpHistogramDataPoint[]; aggregationTemporality: number }
  | {
      type: 'exponentialHistogram';
      dataPoints: OtlpExponentialHistogramDataPoint[];
      aggregationTemporality: number;
    }
  | { type: 'summary'; dataPoints: OtlpSummaryDataPoint[] };

export type OtlpMetricType = OtlpMetricData['type'];

/** What every kind of data point has. */
export interface OtlpPointBase {
  attributes: OtlpKeyValue[];
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  flags: number;
}

export interface OtlpNumberDataPoint extends OtlpPointBase {
  /** `asDouble` as a number, `asInt` as a bigint; null when the oneof is unset. */
  value: number | bigint | null;
}

export interface OtlpHistogramDataPoint extends OtlpPointBase {
  count: bigint;
  sum: number | null;
  bucketCounts: bigint[];
  explicitBounds: number[];
  min: number | null;
  max: number | null;
}

export interface OtlpBuckets {
  offset: number;
  bucketCounts: bigint[];
}

export interface OtlpExponentialHistogramDataPoint extends OtlpPointBase {
  count: bigint;
  sum: number | null;
  scale: number;
  zeroCount: bigint;
  positive: OtlpBuckets | null;
  negative: OtlpBuckets | null;
  min: number | null;
  max: number | null;
  zeroThreshold: number;
}

export interface OtlpSummaryDataPoint extends OtlpPointBase {
  count: bigint;
  sum: number;
  quantileValues: { quantile: number; value: number }[];
}

export interface OtlpKeyValue {
  key: string;
  /** Null when the KeyValue has no value, or an AnyValue with none of its oneof set. */
  value: OtlpAnyValue | null;
}

export type OtlpAnyValue =
  | { type: 'string'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'int'; value: bigint }
  | { type: 'double'; value: number }
  | { type: 'array'; values: (OtlpAnyValue | null)[] }
  | { type: 'kvlist'; values: OtlpKeyValue[] }
  | { type: 'bytes'; value: Uint8Array };
