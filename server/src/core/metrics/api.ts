/**
 * The Metrics API's wire types (PROTOCOL §6.2, §7): what a tenant answers to a query, a metric list, a descriptor,
 * a v1 timeseries query, and a refusal. Types only: the HTTP client, the CLI and the extension read answers through
 * them, and the local tenant (evaluate.ts, list.ts, v1.ts) writes them, so no reader pulls in the evaluator.
 */
import type { Aggregation } from './selector.ts';

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
  /** A statistic, or `value` once the descriptor's selector has aggregated (list.ts). */
  defaultAggregation: { type: Exclude<Aggregation, 'auto'> };
  dimensionDefinitions: { key: string; name: string; displayName: string; index: number; type: 'STRING' }[];
  /** A stored metric's descriptor only (list.ts: estimate and relative as the local tenant figures them). */
  dimensionCardinalities?: { key: string; estimate: number; relative: number }[];
  tags: string[];
  metricValueType: { type: 'unknown' };
  scalar: boolean;
  resolutionInfSupported: boolean;
  rootCauseRelevant: boolean;
  impactRelevant: boolean;
  latency: number;
}

/** PROTOCOL §7.3. */
export interface MetricList {
  totalCount: number;
  nextPageKey: string | null;
  metrics: Partial<MetricDescriptor>[];
}

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
