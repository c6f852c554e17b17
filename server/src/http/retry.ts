/**
 * Waiting before a request goes again, shared by the push (push.ts) and the reads (query.ts): an exponential backoff
 * with full jitter when the tenant gives no X-RateLimit-Reset, and a wait the caller's signal cuts short.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Attempt n's backoff from `firstMs`, doubled each attempt, at most 30 s; jittered so clients throttled together do not come back together. */
export function backoffMs(attempt: number, firstMs: number): number {
  const base = firstMs * 2 ** (attempt - 1);
  return Math.min(30_000, base / 2 + Math.random() * (base / 2));
}

/** Waits `ms`, unless `signal` aborts first (false). */
export async function waitUnlessAborted(ms: number, signal?: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
