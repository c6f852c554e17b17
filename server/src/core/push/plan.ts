/**
 * What a push sends, as pure data: the lines of a selection (comments and blank lines stripped, each remembering
 * its source line), timestamps sent as written, rebased or stripped, lines with errors held back, and batches within
 * a request's limits, each with its body. The HTTP client (server/src/http/push.ts) sends what this plans.
 */
import { FileLinter } from '../lint.ts';
import { parseLine } from '../parse.ts';
import { LIMITS, TENANT_SEVERITIES, type RuleCode } from '../rules.ts';
import { isBlank } from '../text.ts';

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
  readonly text: string;
}

/** A request's lines; `body` is their bytes joined by `\n`, when the planner built it along the way. */
export type PushBatch = PushLine[] & { body?: Uint8Array };

export interface HeldLine {
  source: number;
  code: RuleCode;
  message: string;
}

export interface PushPlan {
  /** Batches of at most `linesPerRequest` lines and `requestMaxBytes` bytes (lines joined by `\n`). */
  batches: PushBatch[];
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
  /** For `rebase` of a source planned as it is read: the shift over all of it (from millisecondTimestamp). */
  shiftMs?: number;
}

/** Plans a whole source at once (a selection, a file in an editor). */
export function planPush(source: readonly SourceLine[], options: PlanOptions): PushPlan {
  const shiftMs = options.timestamps === 'rebase' ? (options.shiftMs ?? rebaseShift(source, options.now)) : 0;
  const planner = new PushPlanner({ ...options, shiftMs });
  for (const line of source) planner.addText(line.line, line.text);
  const { batches, held, skipped } = planner.take(true);
  return { batches, held, skipped, shiftMs };
}

/**
 * Plans a source line by line as it is read (a file of any size): lines that are neither comments nor blank are
 * checked as they will be sent, against the tenant's clock, with one linter for the whole source (so file-level
 * checks see all of it, and repeated series take its fast path); what the tenant would refuse is held back; the
 * rest fills batches. `take` hands over what is ready.
 */
export class PushPlanner {
  private readonly linter: FileLinter;
  private readonly batcher: Batcher;
  private readonly retimed: boolean;
  private readonly shiftMs: number;
  private readonly encoder = new TextEncoder();
  private buffer = new Uint8Array(1 << 16);
  /** Lines checked so far (the linter's line numbers). */
  private index = 0;
  private batches: PushBatch[] = [];
  private held: HeldLine[] = [];
  private skipped = 0;

  constructor(private readonly options: PlanOptions) {
    this.linter = new FileLinter({ now: options.now, severities: TENANT_SEVERITIES });
    this.batcher = new Batcher(
      options.linesPerRequest ?? LIMITS.linesPerRequest,
      options.requestMaxBytes ?? LIMITS.requestMaxBytes,
    );
    this.shiftMs = options.timestamps === 'rebase' ? (options.shiftMs ?? 0) : 0;
    this.retimed = options.timestamps === 'strip' || this.shiftMs !== 0;
  }

  /**
   * A line as UTF-8 bytes `buf[start, end)`: taken as it is, never decoded, when the linter's fast path proves it
   * clean. False when the caller must give it as text (addText): anything else, and every line when timestamps
   * are rewritten.
   */
  addBytes(source: number, buf: Uint8Array, start: number, end: number): boolean {
    if (this.retimed) return false;
    const found = this.linter.lintCleanBytes(this.index, buf, start, end);
    if (found === null) return false;
    this.settle(source, null, buf, end - start, found, start);
    return true;
  }

  addText(source: number, text: string): void {
    if (isSkipped(text)) {
      this.skipped++;
      return;
    }
    const sent = this.retimed ? retime(text, this.options.timestamps, this.shiftMs) : text;
    if (sent.length * 3 > this.buffer.length) this.buffer = new Uint8Array(sent.length * 3);
    const size = this.encoder.encodeInto(sent, this.buffer).written;
    const found =
      this.linter.lintCleanBytes(this.index, this.buffer, 0, size) ??
      this.linter.lintLine(this.index, sent, sent.length, this.buffer.subarray(0, size));
    this.settle(source, sent, this.buffer, size, found);
  }

  /** The full batches and held lines so far; with `end`, also the last, unfilled batch. */
  take(end = false): { batches: PushBatch[]; held: HeldLine[]; skipped: number } {
    if (end) {
      const last = this.batcher.finish();
      if (last) this.batches.push(last);
    }
    const ready = { batches: this.batches, held: this.held, skipped: this.skipped };
    this.batches = [];
    this.held = [];
    this.skipped = 0;
    return ready;
  }

  /** A checked line (`text` null when it came as bytes): held back, or into a batch. */
  private settle(
    source: number,
    text: string | null,
    buf: Uint8Array,
    size: number,
    found: readonly { severity: string; code: RuleCode; message: string }[],
    start = 0,
  ): void {
    this.index++;
    const error = found.find((d) => d.severity === 'error');
    if (error && !this.options.sendErrors) {
      this.held.push({ source, code: error.code, message: error.message });
      return;
    }
    const full = this.batcher.add(source, text, buf, start, start + size);
    if (full) this.batches.push(full);
  }
}

/** A batch's body as it is written; it moves to a larger buffer as it grows, and its lines follow it. */
interface Body {
  bytes: Uint8Array;
}

const decoder = new TextDecoder();

/** A line sent as it was read, a span of its batch's body: decoded only if someone asks (an answer's column). */
class BodyLine implements PushLine {
  constructor(
    readonly source: number,
    private readonly body: Body,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get text(): string {
    return decoder.decode(this.body.bytes.subarray(this.start, this.end));
  }
}

/** What parseLine calls a comment or a blank line, without parsing: never sent. */
export function isSkipped(text: string): boolean {
  let i = 0;
  while (i < text.length && isBlank(text.charCodeAt(i))) i++;
  return i === text.length || text.startsWith('//', i);
}

/**
 * Fills requests of at most `maxLines` lines and `maxBytes` bytes (lines joined by `\n`, no trailing one), writing
 * each request's body as lines come, so sending needs no second pass over them.
 */
class Batcher {
  private lines: PushLine[] = [];
  private body: Body = { bytes: new Uint8Array(BODY_START) };
  private length = 0;

  constructor(
    private readonly maxLines: number,
    private readonly maxBytes: number,
  ) {}

  /**
   * Adds the line whose UTF-8 bytes are `buf[start, end)` (`text`: its text, when the caller has it); returns the
   * batch it completed, if the line did not fit in it.
   */
  add(source: number, text: string | null, buf: Uint8Array, start: number, end: number): PushBatch | null {
    const size = end - start;
    let full: PushBatch | null = null;
    if (this.lines.length > 0 && (this.lines.length >= this.maxLines || this.length + 1 + size > this.maxBytes))
      full = this.finish();
    const at = this.lines.length === 0 ? 0 : this.length + 1;
    const body = this.body;
    if (at + size > body.bytes.length) {
      const grown = new Uint8Array(Math.max(body.bytes.length * 2, at + size));
      grown.set(body.bytes.subarray(0, this.length));
      body.bytes = grown;
    }
    if (at > 0) body.bytes[this.length] = 0x0a;
    body.bytes.set(buf.subarray(start, end), at);
    this.length = at + size;
    this.lines.push(text === null ? new BodyLine(source, this.body, at, at + size) : { source, text });
    return full;
  }

  /** The batch being filled, if it has any line; the next line starts a new one. */
  finish(): PushBatch | null {
    if (this.lines.length === 0) return null;
    const batch: PushBatch = Object.assign(this.lines, { body: this.body.bytes.subarray(0, this.length) });
    this.lines = [];
    this.body = { bytes: new Uint8Array(BODY_START) };
    this.length = 0;
    return batch;
  }
}

/** A request body's first allocation; it doubles as lines come (a batch is at most 1 MB). */
const BODY_START = 1 << 16;

/** The body of a request for a batch: its lines' UTF-8 bytes joined by `\n` (built already, unless split). */
export function requestBody(lines: PushBatch): Uint8Array {
  if (lines.body) return lines.body;
  const encoder = new TextEncoder();
  const parts = lines.map((l) => encoder.encode(l.text));
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) + Math.max(0, parts.length - 1));
  let at = 0;
  parts.forEach((part, i) => {
    if (i > 0) body[at++] = 0x0a;
    body.set(part, at);
    at += part.length;
  });
  return body;
}

/** How far `rebase` moves timestamps: from the newest millisecond timestamp to `now`. */
function rebaseShift(lines: readonly SourceLine[], now: number): number {
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
