/**
 * What a tenant does with an ingest request's body: it checks every line with the same rules as the linter,
 * stores the valid lines' points and metadata, and answers with the tenant's body (PROTOCOL §6.3): counts,
 * the refused lines (1-based) with the tenant's wording, and the key-suffix warnings. Valid lines are stored
 * even when others are refused (a 400 "accepts the valid data points", DOC D2). Pure: the store is in memory and
 * `now` is given.
 */
import { storedKey } from '../keys.ts';
import { requestLines } from '../text.ts';
import { FileLinter } from '../lint.ts';
import { parseLine, type DataLine, type MetadataLine } from '../parse.ts';
import { withHostEntity } from './host-entity.ts';
import { single, storedDimensions, type KnownPrefixes } from './known-prefixes.ts';
import type { Diagnostic } from '../problems.ts';
import { TENANT, TENANT_SEVERITIES } from '../rules.ts';
import type { SlotStats } from './series.ts';
import type { MetricMetadata, MetricStore, Refusal, StoredPoint } from './store.ts';

/** `api`: `/api/v2/metrics/ingest`. `oneagent`: the local OneAgent endpoint `/metrics/ingest` (`linesValid`). */
export type IngestEndpoint = 'api' | 'oneagent';

export interface InvalidLine {
  line: number;
  error: string;
}

export interface WarningLine {
  line: number;
  warning: string;
}

/** The body of a `202`/`400` answer (PROTOCOL §6.3; `linesValid` instead of `linesOk` for the OneAgent endpoint). */
export interface IngestBody {
  linesOk?: number;
  linesValid?: number;
  linesInvalid: number;
  error: { code: 400; message: string; invalidLines: InvalidLine[] } | null;
  warnings?: { message: string; warningLines: WarningLine[] } | null;
}

/** A metric's metadata as a metadata line gives it. */
export type MetadataRecord = { key: string; type: 'gauge' | 'count' } & MetricMetadata;

/** What was stored, for the caller to persist and replay (applyRecords). `at`: when it was ingested. */
export type StoredRecord = { at: number; point: StoredPoint } | { at: number; metadata: MetadataRecord };

export interface IngestAnswer {
  status: 202 | 400;
  body: IngestBody;
  /** What to store, in line order: made durable by the caller, then applied (`applyRecords`). */
  records: StoredRecord[];
}

/** A request's lines checked, before anything is stored: counts, refused lines, and what each valid line stores. */
export interface CheckedIngest {
  endpoint: IngestEndpoint;
  /** The request's lines, as they were checked (what the ingest journal shows of it). */
  lines: string[];
  ok: number;
  invalidCount: number;
  /** The first `TENANT.listedLines` refused lines. */
  invalid: InvalidLine[];
  warningCount: number;
  /** The first `TENANT.listedLines` warnings. */
  warnings: WarningLine[];
  /** What the valid lines store, in line order, with their 1-based line numbers. */
  records: { line: number; record: StoredRecord }[];
}

/**
 * Checks and stores the lines of `body` (a request's text) received at `now`, all at once: for a store that
 * nothing needs to make durable first (tests, benchmarks). The local tenant runs the three steps itself.
 */
export function ingest(store: MetricStore, body: string, now: number, endpoint: IngestEndpoint): IngestAnswer {
  const answer = admitIngest(store, checkIngest(body, now, endpoint));
  applyRecords(store, answer.records);
  return answer;
}

/**
 * Checks every line of `body` with the linter's rules; stores nothing. `hostEntity`: the host whose OneAgent took the
 * lines (host-entity.ts), added to each data point as `dt.entity.host`; null: none.
 */
export function checkIngest(
  body: string,
  now: number,
  endpoint: IngestEndpoint,
  hostEntity: string | null = null,
): CheckedIngest {
  return checkLines(requestLines(body), now, endpoint, hostEntity);
}

/** Each line (`lines[i]`) as its prefix and what follows the prefix's space (ConversionSink.prefixed). */
export interface LineParts {
  prefixes: string[];
  rests: string[];
}

/**
 * checkIngest for a request's lines already apart (a converter's): no text to join and split again. `known`: clean
 * prefixes kept across requests (known-prefixes.ts), learned from these lines and used for them, to the same answers.
 */
export function checkLines(
  lines: string[],
  now: number,
  endpoint: IngestEndpoint,
  hostEntity: string | null = null,
  known?: KnownPrefixes,
  parts?: LineParts,
): CheckedIngest {
  const linter = new FileLinter({ now, severities: TENANT_SEVERITIES });
  const checked: CheckedIngest = {
    endpoint,
    lines,
    ok: 0,
    invalidCount: 0,
    invalid: [],
    warningCount: 0,
    warnings: [],
    records: [],
  };
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index] as string;
    const number = index + 1;
    const refuse = (error: string) => {
      checked.invalidCount++;
      if (checked.invalid.length < TENANT.listedLines) checked.invalid.push({ line: number, error });
    };
    if (endpoint === 'oneagent' && index >= TENANT.oneAgentLinesPerRequest) {
      refuse(`too many lines: the endpoint takes at most ${TENANT.oneAgentLinesPerRequest} lines per request`);
      continue;
    }
    const prefix = parts
      ? known?.matchParts(parts.prefixes[index] as string, parts.rests[index] as string)
      : known?.match(text);
    if (prefix && known) {
      const bytes = prefix.bytes + text.length - prefix.facts.payloadStart + 1;
      const { type, payloadLength, timestamp } = known;
      const findings = linter.lintCleanPrefix(index, prefix.facts, type, payloadLength, timestamp, text.length, bytes);
      if (findings) {
        const error = findings.find((d) => d.severity === 'error');
        if (error) refuse(tenantError(error, text));
        else {
          checked.ok++;
          const { dimensions } = prefix;
          const point: StoredPoint = {
            key: prefix.storedKey,
            type,
            dimensions: hostEntity === null ? dimensions : withHostEntity(dimensions, hostEntity),
            stats: known.stats,
            timestamp,
          };
          accept(checked, number, prefix.facts.key, point, now);
        }
        continue;
      }
    }
    const parsed = parseLine(text);
    if (parsed.kind === 'blank') continue;
    if (parsed.kind === 'comment') {
      // `//` comments are a .dtmetrics convenience; a tenant reads `/` as a metric key character.
      refuse(
        errorText(
          'MK',
          text,
          text.indexOf('/'),
          'A metric key cannot contain `/`: `//` comments are not part of the protocol.',
        ),
      );
      continue;
    }
    const findings = linter.lintParsed(index, parsed);
    // A tenant measures a line before it reads it: too long is the reason, whatever else is wrong.
    const error = findings.find((d) => d.code === 'LN001') ?? findings.find((d) => d.severity === 'error');
    if (error) {
      refuse(tenantError(error, text));
      continue;
    }
    checked.ok++;
    if (parsed.kind === 'metadata') {
      const record = metadataRecord(parsed, now);
      if (record) checked.records.push({ line: number, record });
      continue;
    }
    if (known) {
      const clean = linter.cleanPrefixOfLast(text);
      if (clean) known.learn(parsed, clean);
    }
    const point = pointOf(parsed, now, hostEntity);
    if (point) accept(checked, number, parsed.key.text, point, now);
  }
  return checked;
}

/** A valid line's point (line `number`, its key as written), with the warning when the tenant renames the key. */
function accept(checked: CheckedIngest, number: number, written: string, point: StoredPoint, now: number): void {
  if (point.key !== written) {
    checked.warningCount++;
    if (checked.warnings.length < TENANT.listedLines)
      checked.warnings.push({ line: number, warning: `metric key '${written}' changed to '${point.key}'` });
  }
  checked.records.push({ line: number, record: { at: now, point } });
}

/**
 * The answer to checked lines given what `store` holds now: a point of a new series past the series limit is
 * not stored and gets a warning. Stores nothing: the caller makes `records` durable, then applies them.
 */
export function admitIngest(store: MetricStore, checked: CheckedIngest): IngestAnswer {
  const refusals = store.admits(
    checked.records.map(({ record }) =>
      'point' in record ? record.point : { key: record.metadata.key, type: record.metadata.type },
    ),
  );
  const limitWarnings: WarningLine[] = [];
  let refused = 0;
  refusals.forEach((refusal, i) => {
    if (refusal === null) return;
    refused++;
    if (limitWarnings.length < TENANT.listedLines)
      limitWarnings.push({
        line: (checked.records[i] as { line: number }).line,
        warning: limitWarning(store, refusal),
      });
  });
  // Listed in line order, the first ones only, as the tenant lists them.
  const warnings = [...checked.warnings, ...limitWarnings].sort((a, b) => a.line - b.line).slice(0, TENANT.listedLines);
  const warningCount = checked.warningCount + refused;
  const { ok, invalidCount, invalid, endpoint } = checked;
  const countKey = endpoint === 'oneagent' ? 'linesValid' : 'linesOk';
  const body: IngestBody = {
    [countKey]: ok,
    linesInvalid: invalidCount,
    error:
      invalidCount === 0
        ? null
        : {
            code: 400,
            message:
              invalidCount > invalid.length
                ? `First ${invalid.length} errors reported`
                : `${invalidCount} invalid lines`,
            invalidLines: invalid,
          },
  };
  if (endpoint === 'api') {
    body.warnings =
      warningCount === 0
        ? null
        : {
            message:
              warningCount > warnings.length
                ? `First ${warnings.length} warnings reported`
                : `${warningCount} warnings`,
            warningLines: warnings,
          };
  }
  const records =
    refused === 0
      ? checked.records.map((r) => r.record)
      : checked.records.filter((_, i) => refusals[i] === null).map((r) => r.record);
  return { status: invalidCount === 0 ? 202 : 400, body, records };
}

function limitWarning(store: MetricStore, refusal: Refusal): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return refusal === 'series-limit'
    ? `series limit reached: the local tenant keeps at most ${n(store.limits.maxSeries)} series; this new dimension tuple was not stored`
    : `metric key limit reached: the local tenant keeps at most ${n(store.limits.maxMetrics)} metric keys, as a tenant does; this new metric was not stored`;
}

/**
 * Stores records: those an answer admitted (once durable), or those read back from the data file. Returns how many
 * were refused as new metrics or series past the limits (none of admitted records).
 */
export function applyRecords(store: MetricStore, records: readonly StoredRecord[]): number {
  let refused = 0;
  for (const record of records) {
    const stored =
      'point' in record
        ? store.add(record.point, record.at)
        : store.setMetadata(record.metadata.key, record.metadata.type, record.metadata, record.at);
    if (stored !== 'stored') refused++;
  }
  return refused;
}

/**
 * The tenant's wording: its family text, the line (cut), the character and its index, then our explanation.
 * `error at 'M'  (index 63)` keeps the real tenant's two spaces (OBS #2295), so clients parse both alike.
 */
function tenantError(d: Diagnostic, line: string): string {
  const family = d.code.slice(0, 2);
  return errorText(d.code in TENANT.errorTexts ? d.code : family, line, d.startChar, d.message);
}

const EXCERPT = 100;

function errorText(family: string, line: string, index: number, explanation: string): string {
  const head = TENANT.errorTexts[family] ?? 'invalid line';
  const excerpt = line.length > EXCERPT ? line.slice(0, EXCERPT) + '…' : line;
  const at = Math.max(0, Math.min(index, line.length - 1));
  return `${head} in message '${excerpt}'; error at '${line.charAt(at)}'  (index ${at}): ${explanation}`;
}

function metadataRecord(line: MetadataLine, now: number): { at: number; metadata: MetadataRecord } | null {
  const type = line.type?.text;
  if (type !== 'gauge' && type !== 'count') return null;
  const metadata: MetadataRecord = { key: storedKey(line.key.text, type), type };
  for (const p of line.properties) {
    const name = p.key.text.toLowerCase();
    if (name === 'dt.meta.displayname') metadata.displayName = p.text;
    else if (name === 'dt.meta.description') metadata.description = p.text;
    else if (name === 'dt.meta.unit') metadata.unit = p.text;
  }
  return { at: now, metadata };
}

/**
 * The point of a line the rules found valid: stored key, dimensions without empty values (and the host, if any),
 * summary, time.
 */
function pointOf(line: DataLine, now: number, hostEntity: string | null): StoredPoint | null {
  const payload = line.payload;
  if (!payload || payload.kind === 'unknown') return null;
  let stats: SlotStats;
  if (payload.kind === 'gauge') stats = single(Number(payload.value.text));
  else if (payload.kind === 'count') stats = single(Number((payload.delta ?? payload.legacy)?.text));
  else {
    const field = (name: string) => Number(payload.fields.find((f) => f.name.text === name)?.value.text);
    stats = { min: field('min'), max: field('max'), sum: field('sum'), count: field('count') };
  }
  const type = payload.kind === 'count' ? 'count' : 'gauge';
  const dimensions = storedDimensions(line);
  return {
    key: storedKey(line.key.text, type),
    type,
    dimensions: hostEntity === null ? dimensions : withHostEntity(dimensions, hostEntity),
    stats,
    timestamp: line.timestamp ? Number(line.timestamp.text) : now,
  };
}
