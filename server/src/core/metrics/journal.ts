/**
 * The ingest journal: what the local tenant received, request by request, kept for the ingest inspector (issue 14):
 * when, at which endpoint, from whom, how much, what became of each item, and the metric lines it amounts to (for
 * OTLP and StatsD the converted ones). A ring: the newest `capacity` entries, each holding at most `linesPerEntry`
 * lines and problems, so a steady stream costs bounded memory whatever it sends. Pure: the caller gives every time.
 */

/** Where an entry came in. */
export type JournalEndpoint = 'lines' | 'oneagent' | 'otlp' | 'statsd';

export interface JournalProblem {
  /** The 1-based line of `lines` (or of the request) it is about; 0 for the request as a whole. */
  line: number;
  /** What became of it: refused by the rules, or dropped (an OTLP metric Dynatrace does not take, a limit). */
  kind: 'rejected' | 'dropped';
  reason: string;
}

export interface JournalEntry {
  /** Increasing from 1: a reader asks for the entries after the last it saw. */
  id: number;
  /** When it was received, ms since 1970. */
  at: number;
  endpoint: JournalEndpoint;
  /** The client's address and user agent, as the request gave them. */
  client: string;
  userAgent: string | null;
  /** The answer's status (StatsD, which has none: 0). */
  status: number;
  bytes: number;
  /** Items (lines, data points, datagrams) accepted, rejected by the rules, dropped before them. */
  accepted: number;
  rejected: number;
  dropped: number;
  /** The metric lines the request amounts to, the first `linesPerEntry` of them. */
  lines: string[];
  linesLeftOut: number;
  /** The first `linesPerEntry` problems. */
  problems: JournalProblem[];
  problemsLeftOut: number;
}

export type JournalInput = Omit<JournalEntry, 'id' | 'linesLeftOut' | 'problemsLeftOut'>;

export interface JournalOptions {
  capacity: number;
  linesPerEntry: number;
}

export const JOURNAL_DEFAULTS: JournalOptions = { capacity: 500, linesPerEntry: 1000 };

export class Journal {
  private readonly entries: JournalEntry[] = [];
  private next = 1;

  constructor(private readonly options: JournalOptions = JOURNAL_DEFAULTS) {}

  /** Records a request; the oldest entry goes when the ring is full. Returns the entry as kept. */
  add(input: JournalInput): JournalEntry {
    const max = this.options.linesPerEntry;
    const entry: JournalEntry = {
      ...input,
      id: this.next++,
      lines: input.lines.slice(0, max),
      linesLeftOut: Math.max(0, input.lines.length - max),
      problems: input.problems.slice(0, max),
      problemsLeftOut: Math.max(0, input.problems.length - max),
    };
    this.entries.push(entry);
    if (this.entries.length > this.options.capacity) this.entries.shift();
    return entry;
  }

  /** The entries after `id` (0: all kept), oldest first. */
  since(id: number): JournalEntry[] {
    const first = this.entries.findIndex((entry) => entry.id > id);
    return first < 0 ? [] : this.entries.slice(first);
  }
}

/**
 * One line per entry for `dtmetrics serve --tail`: time, endpoint, status, client, what became of the items; the
 * problems follow on lines of their own, indented.
 */
export function tailText(entry: JournalEntry): string {
  const time = new Date(entry.at).toISOString().slice(11, 23);
  const status = entry.status === 0 ? '' : ` ${entry.status}`;
  const items = [`${entry.accepted} accepted`];
  if (entry.rejected > 0) items.push(`${entry.rejected} rejected`);
  if (entry.dropped > 0) items.push(`${entry.dropped} dropped`);
  const agent = entry.userAgent === null ? '' : ` (${entry.userAgent})`;
  const head = `${time} ${entry.endpoint}${status} from ${entry.client}${agent}: ${entry.bytes} B, ${items.join(', ')}`;
  const problems = entry.problems.map((p) => `    ${p.line > 0 ? `line ${p.line}: ` : ''}${p.kind}: ${p.reason}`);
  if (entry.problemsLeftOut > 0) problems.push(`    … ${entry.problemsLeftOut} more`);
  return [head, ...problems].join('\n');
}
