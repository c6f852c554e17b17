/**
 * Fault injection for tests of clients (`dtmetrics serve --faults`; never on by default): a queue of faults the
 * next matching requests suffer, set through `POST /_dtmetrics/faults`, or one fault for one request in the
 * `X-Dtmetrics-Fault` header (JSON). Each fault is what a real tenant or network can do to a push.
 */
import type { Failure, Result } from '#core/result.ts';

export interface Fault {
  /** Requests whose path starts with this suffer the fault (default: both ingest endpoints). */
  path?: string;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** Answer with this status (429, 503, 500, 200 …) without storing anything. */
  status?: number;
  /** The answer's body for `status` (default: an ErrorEnvelope), and its content type. */
  body?: string;
  contentType?: string;
  /** Extra headers of the answer, e.g. `{"X-RateLimit-Reset": "1732300000000000"}`. */
  headers?: Record<string, string>;
  /** Handle the request normally (store its lines), then wait this long before answering. */
  slowMs?: number;
  /**
   * Close the connection without an answer: `before-body` as the request arrives (nothing stored), `after-body`
   * once its lines are stored (the client cannot know they were).
   */
  reset?: 'before-body' | 'after-body';
}

const INGEST_PATHS = ['/api/v2/metrics/ingest', '/metrics/ingest'];

export class FaultQueue {
  private readonly queue: Fault[] = [];

  /** Adds faults from a control request's JSON body; returns an error message for a body that is not valid. */
  push(raw: unknown): string | null {
    const list = (raw as { faults?: unknown } | null)?.faults;
    if (!Array.isArray(list)) return 'expected {"faults": [ … ]}';
    const faults: Fault[] = [];
    for (const item of list) {
      const fault = readFault(item);
      if (!fault.ok) return fault.message;
      faults.push(fault.value);
    }
    this.queue.push(...faults);
    return null;
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** The fault the request to `path` suffers, if any; consumes one of its `times`. */
  take(path: string): Fault | null {
    const at = this.queue.findIndex((f) => (f.path ? path.startsWith(f.path) : INGEST_PATHS.includes(path)));
    if (at < 0) return null;
    const fault = this.queue[at] as Fault;
    const left = (fault.times ?? 1) - 1;
    if (left <= 0) this.queue.splice(at, 1);
    else this.queue[at] = { ...fault, times: left };
    return fault;
  }
}

const invalid = (message: string): Failure => ({ ok: false, message });

/** A fault from untrusted JSON, or what is wrong with it. */
export function readFault(raw: unknown): Result<Fault> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid('a fault is a JSON object');
  const f = raw as Record<string, unknown>;
  const fault: Fault = {};
  if (f.path !== undefined) {
    if (typeof f.path !== 'string') return invalid('"path" must be a string');
    fault.path = f.path;
  }
  if (f.times !== undefined) {
    if (!Number.isInteger(f.times) || (f.times as number) < 1) return invalid('"times" must be a positive integer');
    fault.times = f.times as number;
  }
  if (f.status !== undefined) {
    if (!Number.isInteger(f.status) || (f.status as number) < 100 || (f.status as number) > 599)
      return invalid('"status" must be an HTTP status');
    fault.status = f.status as number;
  }
  if (f.body !== undefined) {
    if (typeof f.body !== 'string') return invalid('"body" must be a string');
    fault.body = f.body;
  }
  if (f.contentType !== undefined) {
    if (typeof f.contentType !== 'string') return invalid('"contentType" must be a string');
    fault.contentType = f.contentType;
  }
  if (f.headers !== undefined) {
    const headers = f.headers as Record<string, unknown>;
    if (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string'))
      return invalid('"headers" must map names to strings');
    fault.headers = headers as Record<string, string>;
  }
  if (f.slowMs !== undefined) {
    if (typeof f.slowMs !== 'number' || !(f.slowMs >= 0 && f.slowMs <= 600_000))
      return invalid('"slowMs" must be 0–600000');
    fault.slowMs = f.slowMs;
  }
  if (f.reset !== undefined) {
    if (f.reset !== 'before-body' && f.reset !== 'after-body')
      return invalid('"reset" must be "before-body" or "after-body"');
    fault.reset = f.reset;
  }
  return { ok: true, value: fault };
}
