/**
 * The ingest journal of one local tenant, followed live: a long poll of `GET /_dtmetrics/journal?since=ID&wait=S`
 * that the tenant answers as soon as a request arrives. Under a steady stream the polls are spaced by at least
 * `POLL_GAP_MS`, so a client sending hundreds of requests a second costs the editor a few polls a second, each
 * carrying the requests that came meanwhile. No `vscode` here: the view (view.ts) shows what it hands over.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { readJournalAnswer, type JournalAnswer } from '#core/metrics/journal-document.ts';
import type { JournalEntry } from '#core/metrics/journal.ts';
import { CONTROL_PATHS } from '#core/tenant-control.ts';
import { localRequest } from '../local-tenant/state.ts';

/** How long the tenant holds a poll open when nothing arrives (it allows 30 s). */
const WAIT_SECONDS = 25;
/** The least time between two polls: the view shows a request within this of its answer, and polls ≤ 5 a second. */
const POLL_GAP_MS = 200;
/** The most requests the view holds (and a poll asks for): ≤ 200 × 64 K characters, however large the requests. */
export const KEPT_REQUESTS = 200;
/** How long a poll that found no tenant, or one that refused it, waits before the next. */
const RETRY_MS = 2_000;

/** What the feed can say of the tenant it follows. */
export type FeedState =
  | { kind: 'live' }
  /** No answer (the tenant stopped, or is busy): asked again every few seconds. */
  | { kind: 'unreachable' }
  /** Another tenant answers on the port now: the feed stops until it is given that one to follow. */
  | { kind: 'replaced' }
  /** The tenant answered, but not with a journal: a reason a person can act on. */
  | { kind: 'refused'; message: string };

export interface FeedTarget {
  url: string;
  /** The tenant's instance id: a new one starts its journal's ids at 1 again. */
  instance: string;
}

export class JournalFeed {
  private target: FeedTarget | null = null;
  private since = 0;
  private running: AbortController | null = null;

  constructor(
    private readonly onEntries: (entries: JournalEntry[], target: FeedTarget) => void,
    private readonly onState: (state: FeedState, target: FeedTarget) => void,
  ) {}

  /**
   * Follows `target` (null: none) while `active`; a new instance is read from its first kept entry, the same one from
   * the last entry handed over (what came while the view was hidden, as far as the journal keeps it).
   */
  follow(target: FeedTarget | null, active: boolean): void {
    const same = target !== null && this.target?.instance === target.instance && this.target.url === target.url;
    if (!same) this.since = 0;
    if (same && active === (this.running !== null)) return;
    this.stop();
    this.target = target;
    if (target && active) void this.poll(target, (this.running = new AbortController()).signal);
  }

  stop(): void {
    this.running?.abort();
    this.running = null;
  }

  private async poll(target: FeedTarget, signal: AbortSignal): Promise<void> {
    // The first poll is answered at once, so the view says it follows the tenant before anything arrives.
    for (let wait = 0; !signal.aborted; wait = WAIT_SECONDS) {
      const path = `${CONTROL_PATHS.journal}?since=${this.since}&wait=${wait}&limit=${KEPT_REQUESTS}`;
      const answer = await localRequest(target.url, 'GET', path, {}, { timeoutMs: (WAIT_SECONDS + 10) * 1000, signal });
      if (signal.aborted) return;
      const journal = answer?.status === 200 ? parsed(answer.body) : null;
      if (journal && journal.instance !== target.instance) {
        // Its ids are another journal's: none is handed over as the followed tenant's.
        this.onState({ kind: 'replaced' }, target);
        this.stop();
        return;
      }
      if (journal) {
        this.onState({ kind: 'live' }, target);
        const newest = journal.entries.at(-1);
        if (newest) {
          this.since = newest.id;
          this.onEntries(journal.entries, target);
        }
      } else this.onState(answer ? { kind: 'refused', message: refusal(answer) } : { kind: 'unreachable' }, target);
      await delay(journal ? POLL_GAP_MS : RETRY_MS, undefined, { signal }).catch(() => undefined);
    }
  }
}

function parsed(body: string): JournalAnswer | null {
  try {
    return readJournalAnswer(JSON.parse(body));
  } catch {
    return null;
  }
}

/** Why the tenant gave no journal, in words a person can act on. */
function refusal(answer: { status: number; body: string }): string {
  if (answer.status === 401 || answer.status === 403)
    return `the local tenant asks for a token to show what it received (it answered ${answer.status}): the inspector follows tenants started without tokens, as the editor starts its own`;
  if (answer.status === 404 || answer.status === 200)
    return 'what answers on the port keeps no ingest journal: an older dtmetrics serve, or another program';
  return `the local tenant answered ${answer.status} for its journal`;
}
