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
  /**
   * For a source planned in parts: the batcher that carries a part's last, unfilled batch into the next part's
   * (`batches` then holds the full ones; the caller takes the last with `finish`).
   */
  batcher?: Batcher;
}

/** Findings that concern the request, not the line: batching takes care of them. */
const SEVERITIES = Object.fromEntries(TENANT.notPerLine.map((code) => [code, 'off'])) as Partial<Record<RuleCode, SeveritySetting>>;

export function planPush(source: readonly SourceLine[], options: PlanOptions): PushPlan {
  const candidates: PushLine[] = [];
  let skipped = 0;
  for (const line of source) {
    if (isSkipped(line.text)) skipped++;
    else candidates.push({ source: line.line, text: line.text });
  }
  const shiftMs = options.timestamps === 'rebase' ? (options.shiftMs ?? rebaseShift(candidates, options.now)) : 0;
  const retimed = options.timestamps === 'strip' || shiftMs !== 0;
  // Checked as sent (after rebasing), against the tenant's clock: what it would refuse is held back. Lines go to
  // the linter as UTF-8 first, so repeated series take its fast path; the byte count sizes the batches.
  const linter = new FileLinter({ now: options.now, severities: SEVERITIES });
  const encoder = new TextEncoder();
  let buffer = new Uint8Array(1 << 16);
  const held: HeldLine[] = [];
  const batcher = options.batcher ?? new Batcher(options.linesPerRequest ?? LIMITS.linesPerRequest, options.requestMaxBytes ?? LIMITS.requestMaxBytes);
  const batches: PushLine[][] = [];
  candidates.forEach((candidate, index) => {
    const line = retimed ? { source: candidate.source, text: retime(candidate.text, options.timestamps, shiftMs) } : candidate;
    if (line.text.length * 3 > buffer.length) buffer = new Uint8Array(line.text.length * 3);
    const size = encoder.encodeInto(line.text, buffer).written;
    const found = linter.lintCleanBytes(index, buffer, 0, size) ?? linter.lintLine(index, line.text, line.text.length, buffer.subarray(0, size));
    const error = found.find((d) => d.severity === 'error');
    if (error && !options.sendErrors) held.push({ source: line.source, code: error.code, message: error.message });
    else {
      const full = batcher.add(line, size);
      if (full) batches.push(full);
    }
  });
  if (!options.batcher) {
    const last = batcher.finish();
    if (last) batches.push(last);
  }
  return { batches, held, skipped, shiftMs };
}

/** What parseLine calls a comment or a blank line, without parsing: never sent. */
export function isSkipped(text: string): boolean {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
  return i === text.length || text.startsWith('//', i);
}

/** Fills requests of at most `maxLines` lines and `maxBytes` bytes (lines joined by `\n`, no trailing one). */
export class Batcher {
  private current: PushLine[] = [];
  private bytes = 0;

  constructor(
    private readonly maxLines: number,
    private readonly maxBytes: number,
  ) {}

  /** Adds a line of `size` UTF-8 bytes; returns the batch it completed, if it did not fit in it. */
  add(line: PushLine, size: number): PushLine[] | null {
    let full: PushLine[] | null = null;
    if (this.current.length > 0 && (this.current.length >= this.maxLines || this.bytes + 1 + size > this.maxBytes)) full = this.finish();
    this.bytes = this.current.length === 0 ? size : this.bytes + 1 + size;
    this.current.push(line);
    return full;
  }

  /** The batch being filled, if it has any line; the next line starts a new one. */
  finish(): PushLine[] | null {
    const batch = this.current;
    this.current = [];
    this.bytes = 0;
    return batch.length > 0 ? batch : null;
  }
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
  return text !== undefined && !isSkipped(text);
}
