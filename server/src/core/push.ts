/**
 * What a push sends and what the answer means, as pure data: the lines of a selection (comments and blank lines
 * stripped, each remembering its source line), timestamps sent as written, rebased or stripped, lines with errors
 * held back, batches within a request's limits, and a tenant's answer mapped back onto source lines. The HTTP
 * client (server/src/http/) sends what this plans; the editor and the CLI show what this maps.
 */
import { FileLinter } from './lint.ts';
import { parseLine } from './parse.ts';
import { LIMITS, TENANT, type RuleCode, type SeveritySetting } from './rules.ts';

/** `as-written`; `rebase`: shift every timestamp so the newest is `now`, spacing kept; `strip`: the tenant stamps them. */
export type TimestampMode = 'as-written' | 'rebase' | 'strip';

export interface SourceLine {
  /** 0-based line number in the source (file or document). */
  line: number;
  text: string;
}

export interface PushLine {
  source: number;
  /** The line as sent (its timestamp possibly rebased or stripped). */
  text: string;
}

export interface HeldLine {
  source: number;
  code: RuleCode;
  message: string;
}

export interface PushPlan {
  /** Batches of at most `linesPerRequest` lines and `requestMaxBytes` bytes (lines joined by `\n`). */
  batches: PushLine[][];
  /** Lines with an error the tenant would refuse them for: not sent unless the caller asked to send them. */
  held: HeldLine[];
  /** Comment and blank lines, which are never sent. */
  skipped: number;
  /** The shift applied by `rebase`, in ms (0 otherwise or with no timestamps). */
  shiftMs: number;
}

export interface PlanOptions {
  now: number;
  timestamps: TimestampMode;
  /** Send lines with errors as well (the user confirmed); `held` then stays empty. */
  sendErrors: boolean;
  linesPerRequest?: number;
  requestMaxBytes?: number;
  /** For `rebase` over a source planned in parts: the shift computed over all of it (from millisecondTimestamp). */
  shiftMs?: number;
}

/** Findings that concern the request, not the line: batching takes care of them. */
const SEVERITIES = Object.fromEntries(TENANT.notPerLine.map((code) => [code, 'off'])) as Partial<Record<RuleCode, SeveritySetting>>;

export function planPush(source: readonly SourceLine[], options: PlanOptions): PushPlan {
  const candidates: PushLine[] = [];
  let skipped = 0;
  for (const { line, text } of source) {
    const kind = parseLine(text).kind;
    if (kind === 'comment' || kind === 'blank') skipped++;
    else candidates.push({ source: line, text });
  }
  const shiftMs = options.timestamps === 'rebase' ? (options.shiftMs ?? rebaseShift(candidates, options.now)) : 0;
  const sent = options.timestamps === 'as-written' || (options.timestamps === 'rebase' && shiftMs === 0) ? candidates : candidates.map((l) => ({ source: l.source, text: retime(l.text, options.timestamps, shiftMs) }));
  // Checked as sent (after rebasing), against the tenant's clock: what it would refuse is held back.
  const linter = new FileLinter({ now: options.now, severities: SEVERITIES });
  const held: HeldLine[] = [];
  const toSend: PushLine[] = [];
  sent.forEach((l, index) => {
    const error = linter.lintLine(index, l.text).find((d) => d.severity === 'error');
    if (error && !options.sendErrors) held.push({ source: l.source, code: error.code, message: error.message });
    else toSend.push(l);
  });
  return { batches: batch(toSend, options.linesPerRequest ?? LIMITS.linesPerRequest, options.requestMaxBytes ?? LIMITS.requestMaxBytes), held, skipped, shiftMs };
}

/** Splits lines into requests of at most `maxLines` lines and `maxBytes` bytes (joined by `\n`, no trailing one). */
export function batch(lines: readonly PushLine[], maxLines: number, maxBytes: number): PushLine[][] {
  const batches: PushLine[][] = [];
  let current: PushLine[] = [];
  let bytes = 0;
  const encoder = new TextEncoder();
  for (const line of lines) {
    const size = encoder.encode(line.text).length;
    const added = current.length === 0 ? size : bytes + 1 + size;
    if (current.length > 0 && (current.length >= maxLines || added > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    bytes = current.length === 0 ? size : bytes + 1 + size;
    current.push(line);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The body of a request for a batch. */
export const requestBody = (lines: readonly PushLine[]): string => lines.map((l) => l.text).join('\n');

/** How far `rebase` moves timestamps: from the newest millisecond timestamp to `now`. */
function rebaseShift(lines: readonly PushLine[], now: number): number {
  let newest = -Infinity;
  for (const l of lines) {
    const t = millisecondTimestamp(l.text);
    if (t !== null && t > newest) newest = t;
  }
  return newest === -Infinity ? 0 : now - newest;
}

/** A data line's timestamp when it is a plain millisecond one (13 digits), else null (left as written). */
export function millisecondTimestamp(text: string): number | null {
  const parsed = parseLine(text);
  if (parsed.kind !== 'data' || !parsed.timestamp || !/^[0-9]{13}$/.test(parsed.timestamp.text)) return null;
  return Number(parsed.timestamp.text);
}

function retime(text: string, mode: TimestampMode, shiftMs: number): string {
  const parsed = parseLine(text);
  if (parsed.kind !== 'data' || !parsed.timestamp || !parsed.payload) return text;
  const t = parsed.timestamp;
  if (mode === 'strip') return text.slice(0, parsed.payload.span.end) + text.slice(t.end);
  if (!/^[0-9]{13}$/.test(t.text)) return text;
  return text.slice(0, t.start) + String(Number(t.text) + shiftMs) + text.slice(t.end);
}

// ------------------------------------------------------------------ answers

export interface MappedAnswer {
  /** `linesOk` (API) or `linesValid` (OneAgent endpoint); null when the answer did not say. */
  accepted: number | null;
  /** Refused lines the answer listed, on their source lines; `column` from the tenant's `(index N)` when given. */
  rejected: { source: number; error: string; column: number | null }[];
  warnings: { source: number; warning: string }[];
  /** Refused lines the answer counted but did not list ("First 10 errors reported"). */
  unlisted: number;
}

/**
 * A ValidationResponse (PROTOCOL §6.3) mapped onto the batch's source lines. Tolerant: both `warningLines` and
 * `changedMetricKeys`, both `linesOk` and `linesValid`; null when the body is not a ValidationResponse at all.
 */
export function mapIngestAnswer(batchLines: readonly PushLine[], body: unknown): MappedAnswer | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const ok = typeof b.linesOk === 'number' ? b.linesOk : typeof b.linesValid === 'number' ? b.linesValid : null;
  if (ok === null && typeof b.linesInvalid !== 'number') return null;
  const invalidCount = typeof b.linesInvalid === 'number' ? b.linesInvalid : 0;
  const sourceOf = (n: unknown): PushLine | undefined => (typeof n === 'number' && Number.isInteger(n) ? batchLines[n - 1] : undefined);
  const rejected: MappedAnswer['rejected'] = [];
  const error = b.error as { invalidLines?: unknown } | null | undefined;
  for (const item of Array.isArray(error?.invalidLines) ? error.invalidLines : []) {
    const entry = item as { line?: unknown; error?: unknown };
    const line = sourceOf(entry.line);
    if (!line) continue;
    const text = typeof entry.error === 'string' ? entry.error : 'refused by the tenant';
    const index = /error at '.*?'\s+\(index (\d+)\)/s.exec(text);
    const column = index ? Number(index[1]) : null;
    rejected.push({ source: line.source, error: text, column: column !== null && column < line.text.length ? column : null });
  }
  const warnings: MappedAnswer['warnings'] = [];
  const w = b.warnings as { warningLines?: unknown; changedMetricKeys?: unknown } | null | undefined;
  const warningItems = Array.isArray(w?.warningLines) ? w.warningLines : Array.isArray(w?.changedMetricKeys) ? w.changedMetricKeys : [];
  for (const item of warningItems) {
    const entry = item as { line?: unknown; warning?: unknown };
    const line = sourceOf(entry.line);
    if (line && typeof entry.warning === 'string') warnings.push({ source: line.source, warning: entry.warning });
  }
  return { accepted: ok, rejected, warnings, unlisted: Math.max(0, invalidCount - rejected.length) };
}

/**
 * How long to wait before a throttled request may be sent again, from `X-RateLimit-Reset`. The docs say
 * microseconds since the epoch; Dynatrace's own Go client reads Unix seconds (PROTOCOL §5), so the value is read
 * by its magnitude: µs, ms or s. Null when there is no usable value (the caller backs off instead).
 */
export function rateLimitWaitMs(header: string | null | undefined, now: number): number | null {
  if (!header || !/^\s*[0-9]+(\.[0-9]+)?\s*$/.test(header)) return null;
  const value = Number(header);
  const resetMs = value >= 1e14 ? value / 1000 : value >= 1e11 ? value : value >= 1e8 ? value * 1000 : null;
  return resetMs === null ? null : Math.max(0, resetMs - now);
}

// ------------------------------------------------------------------ blocks

/** The block around `line`: the run of lines that are neither blank nor comments (empty when `line` is one). */
export function blockAround(lines: readonly string[], line: number): { start: number; end: number } | null {
  if (!isSendable(lines[line])) return null;
  let start = line;
  let end = line;
  while (start > 0 && isSendable(lines[start - 1])) start--;
  while (end < lines.length - 1 && isSendable(lines[end + 1])) end++;
  return { start, end };
}

/** Every block of a document, in order (for a "Send" lens over each). */
export function blocks(lines: readonly string[]): { start: number; end: number }[] {
  const found: { start: number; end: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!isSendable(lines[i])) continue;
    const start = i;
    while (i + 1 < lines.length && isSendable(lines[i + 1])) i++;
    found.push({ start, end: i });
  }
  return found;
}

function isSendable(text: string | undefined): boolean {
  if (text === undefined) return false;
  const kind = parseLine(text).kind;
  return kind === 'data' || kind === 'metadata';
}
