/**
 * What the local tenant's OTLP metrics endpoint (`POST /api/v2/otlp/v1/metrics`, INGEST-PATHS §1.1, §1.2, §1.3) does with a decoded
 * ExportMetricsServiceRequest: the request limits first (15,000 data points: the whole request refused), then the
 * OTLP converter with Dynatrace's semantics turns its data points into metric lines, which are checked by the line
 * rules as the line API checks them (checkLines) and stored the same way, so queries see them under the keys
 * Dynatrace gives (`.count` for counters; `<name>.histogram` for an explicit-bucket histogram's gauge summary). The
 * answer is an ExportMetricsServiceResponse: empty on full success, a partial success with the rejected data points
 * and Dynatrace's wording otherwise, or a 400 when nothing in the request could be stored. Pure: `now` is given.
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { ConversionNote, ConversionTally } from '../convert/model.ts';
import type { OtlpRequest } from '../convert/otlp-model.ts';
import { convertOtlpRequest } from '../convert/otlp.ts';
import { TENANT } from '../rules.ts';
import type { ConversionSink } from '../convert/model.ts';
import { checkLines, type CheckedIngest, type IngestAnswer, type LineParts } from './ingest.ts';
import type { KnownPrefixes } from './known-prefixes.ts';

/** A request checked, before anything is stored: its lines' check, and what the converter did not convert. */
export interface CheckedOtlp {
  ok: true;
  checked: CheckedIngest;
  tally: ConversionTally;
  /** The converter's notes of data points not converted. */
  skipped: ConversionNote[];
  /** Each written key's OTLP metric (the converter names each key once, before its first line). */
  sources: ReadonlyMap<string, string>;
}

/** A request refused whole, before any of it is converted. */
export interface RefusedOtlp {
  ok: false;
  status: 413;
  message: string;
}

/** The endpoint's answer once the checked lines were admitted: the protobuf response, or a 400 with its reason. */
export type OtlpAnswer = { status: 200; body: Uint8Array } | { status: 400; message: string };

/** The first line of Dynatrace's partial-success message (INGEST-PATHS §1.5, contrib#33673), then its errors. */
const MESSAGE_HEAD = 'The following issues were encountered while ingesting OTLP metrics:\nErrors:\n';

/**
 * Converts and checks a decoded request received at `now`; stores nothing. `known`: the clean line prefixes its
 * caller keeps across requests (the same series' lines come in every export): learned and used, to the same answers.
 */
export function checkOtlpIngest(request: OtlpRequest, now: number, known?: KnownPrefixes): CheckedOtlp | RefusedOtlp {
  const points = dataPointCount(request);
  if (points > TENANT.otlpDataPointsPerRequest)
    return {
      ok: false,
      status: 413,
      message: `The request has ${points.toLocaleString('en-US')} data points, more than the ${TENANT.otlpDataPointsPerRequest.toLocaleString('en-US')} an OTLP metrics request may carry: the entire request is dropped, as Dynatrace drops it; export in smaller batches (the SDK's export interval, the Collector's batch processor send_batch_max_size)`,
    };
  const lines: string[] = [];
  const skipped: ConversionNote[] = [];
  /** Written key → the OTLP metric name it came from (the converter names each key before its first line). */
  const sourceOf = new Map<string, string>();
  const sink: ConversionSink = {
    line(text) {
      lines.push(text);
    },
    note(note) {
      if (note.kind === 'skipped') skipped.push(note);
    },
    naming(naming) {
      sourceOf.set(naming.key, naming.source);
    },
  };
  // With known prefixes, the converter's memo makes each series' prefix once, handed over apart from the rest.
  const parts: LineParts | undefined = known ? { prefixes: [], rests: [] } : undefined;
  if (parts)
    sink.prefixed = (prefix, rest) => {
      lines.push(`${prefix} ${rest}`);
      parts.prefixes.push(prefix);
      parts.rests.push(rest);
    };
  const tally = convertOtlpRequest(request, sink, 1, {
    histogramSuffix: true,
    ...(known ? { seen: known.series } : {}),
  });
  return { ok: true, checked: checkLines(lines, now, 'api', null, known, parts), tally, skipped, sources: sourceOf };
}

/**
 * The answer to a checked request, given what the store admitted of its lines (admitIngest): every data point not
 * stored is counted as rejected and named with its reason — the converter's (Dynatrace's reason code where it has
 * one), the line rules' (a point too old), the store's limits.
 */
export function otlpAnswer(request: CheckedOtlp, admitted: IngestAnswer): OtlpAnswer {
  const { checked, tally, skipped, sources } = request;
  const issues: string[] = [];
  for (const note of skipped) issues.push(`Unsupported metric: '${note.item}' - Reason: ${note.code ?? note.message}`);
  // Only the lines listed need their metric: looked up by the line's key, not kept per line.
  const metricOf = (line: number) => {
    const key = /^[^, ]*/.exec(checked.lines[line - 1] ?? '')?.[0] ?? '';
    return sources.get(key) ?? key;
  };
  for (const { line, error } of checked.invalid)
    issues.push(`Invalid data point: '${metricOf(line)}' - Reason: ${error}`);
  const unlistedInvalid = checked.invalidCount - checked.invalid.length;
  const stored = new Set(admitted.records);
  let overLimit = 0;
  for (const { line, record } of checked.records) {
    if (stored.has(record)) continue;
    overLimit++;
    issues.push(
      `Invalid data point: '${metricOf(line)}' - Reason: the local tenant's series or metric key limit is reached`,
    );
  }
  const rejected = tally.skipped + checked.invalidCount + overLimit;
  if (rejected === 0) return { status: 200, body: new Uint8Array(0) };
  const listed = issues.slice(0, TENANT.listedLines);
  const unlisted = issues.length - listed.length + unlistedInvalid;
  const message =
    MESSAGE_HEAD +
    listed.map((issue) => issue + '\n').join('') +
    (unlisted > 0 ? `and ${unlisted.toLocaleString('en-US')} more issues\n` : '');
  // A 400 only when nothing in the request is valid (INGEST-PATHS §1.1): points past the store's limits are valid and
  // refused after the answer, as the line API answers 202 for them.
  if (checked.records.length === 0) return { status: 400, message };
  return { status: 200, body: partialSuccess(rejected, message) };
}

function dataPointCount(request: OtlpRequest): number {
  let count = 0;
  for (const resourceMetrics of request.resourceMetrics)
    for (const scopeMetrics of resourceMetrics.scopeMetrics)
      for (const metric of scopeMetrics.metrics) count += metric.data?.dataPoints.length ?? 0;
  return count;
}

/**
 * An ExportMetricsServiceResponse with its partial_success (opentelemetry-proto metrics_service.proto: field 1;
 * ExportMetricsPartialSuccess: rejected_data_points int64 = 1, error_message string = 2).
 */
function partialSuccess(rejectedDataPoints: number, errorMessage: string): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.LengthDelimited).fork();
  writer.tag(1, WireType.Varint).int64(rejectedDataPoints);
  writer.tag(2, WireType.LengthDelimited).string(errorMessage);
  writer.join();
  return writer.finish();
}
