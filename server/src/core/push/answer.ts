/**
 * What a tenant's answer to a push means, as pure data: a ValidationResponse mapped back onto the batch's source
 * lines, and how long a throttled request waits. The HTTP client (server/src/http/push.ts) acts on it; the editor
 * and the CLI show it.
 */
import type { RuleCode } from '../rules.ts';
import type { PushLine } from './plan.ts';

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
 * Tenant warnings that a lint rule foretells: where the linter reports the rule, the editor already says what the
 * tenant will say, and the warning would only repeat it.
 */
const FORETOLD: ReadonlyArray<readonly [RegExp, RuleCode]> = [[/^metric key '.*' changed to '.*'$/s, 'MK010']];

/** The rule whose finding foretells a tenant warning, or null. */
export function foretellingRule(warning: string): RuleCode | null {
  return FORETOLD.find(([pattern]) => pattern.test(warning))?.[1] ?? null;
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
  const sourceOf = (n: unknown): PushLine | undefined =>
    typeof n === 'number' && Number.isInteger(n) ? batchLines[n - 1] : undefined;
  const rejected: MappedAnswer['rejected'] = [];
  const error = b.error as { invalidLines?: unknown } | null | undefined;
  for (const item of Array.isArray(error?.invalidLines) ? error.invalidLines : []) {
    const entry = item as { line?: unknown; error?: unknown };
    const line = sourceOf(entry.line);
    if (!line) continue;
    const text = typeof entry.error === 'string' ? entry.error : 'refused by the tenant';
    const index = /error at '.*?'\s+\(index (\d+)\)/s.exec(text);
    const column = index ? Number(index[1]) : null;
    rejected.push({
      source: line.source,
      error: text,
      column: column !== null && column < line.text.length ? column : null,
    });
  }
  const warnings: MappedAnswer['warnings'] = [];
  const w = b.warnings as { warningLines?: unknown; changedMetricKeys?: unknown } | null | undefined;
  const warningItems = Array.isArray(w?.warningLines)
    ? w.warningLines
    : Array.isArray(w?.changedMetricKeys)
      ? w.changedMetricKeys
      : [];
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
