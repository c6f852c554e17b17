/**
 * The ingest journal: what the local tenant received, request by request, kept for the ingest inspector (issue 14):
 * when, at which endpoint, from whom, how much, what became of each item, and the metric lines it amounts to (for
 * OTLP and StatsD the converted ones). A ring: the newest `capacity` entries, each holding at most `linesPerEntry`
 * lines and problems and at most `charactersPerEntry` characters of them, so a steady stream costs bounded memory
 * whatever it sends (the rest is counted, not kept). Pure: the caller gives every time.
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
  charactersPerEntry: number;
}

/** At most 500 × 64 K characters (~64 MB) held, however large the requests. */
export const JOURNAL_DEFAULTS: JournalOptions = { capacity: 500, linesPerEntry: 1000, charactersPerEntry: 65_536 };

export class Journal {
  private readonly entries: JournalEntry[] = [];
  private next = 1;

  /** `redact`: what a kept line or reason must not show (the tenant's tokens), applied to what is kept only. */
  constructor(
    private readonly options: JournalOptions = JOURNAL_DEFAULTS,
    private readonly redact: (text: string) => string = (text) => text,
  ) {}

  /** Records a request; the oldest entry goes when the ring is full. Returns the entry as kept. */
  add(input: JournalInput): JournalEntry {
    const budget = { characters: this.options.charactersPerEntry };
    const lines = this.kept(input.lines, (line) => line.length, budget);
    const problems = this.kept(input.problems, (problem) => problem.reason.length, budget);
    const entry: JournalEntry = {
      ...input,
      userAgent: input.userAgent === null ? null : this.redact(input.userAgent),
      id: this.next++,
      lines: lines.map(this.redact),
      linesLeftOut: input.lines.length - lines.length,
      problems: problems.map((problem) => ({ ...problem, reason: this.redact(problem.reason) })),
      problemsLeftOut: input.problems.length - problems.length,
    };
    this.entries.push(entry);
    if (this.entries.length > this.options.capacity) this.entries.shift();
    return entry;
  }

  /** The first items that fit the entry's limits; a line longer than the whole budget keeps none after it. */
  private kept<T>(items: readonly T[], size: (item: T) => number, budget: { characters: number }): T[] {
    const kept: T[] = [];
    for (const item of items) {
      if (kept.length === this.options.linesPerEntry || size(item) > budget.characters) break;
      budget.characters -= size(item);
      kept.push(item);
    }
    return kept;
  }

  /**
   * The entries after `id` (0: all kept), oldest first. An id past the newest was a reader's of an earlier start of
   * the tenant (ids begin at 1 again): it gets all that is kept.
   */
  since(id: number): JournalEntry[] {
    const newest = this.next - 1;
    const first = this.entries.findIndex((entry) => entry.id > (id > newest ? 0 : id));
    return first < 0 ? [] : this.entries.slice(first);
  }
}

/** The reasons `--tail` prints under a request: a request of a thousand refused lines stays a few lines. */
const TAIL_PROBLEMS = 5;

/** What a request amounted to, as a person reads it: `0 accepted, 1 rejected`. */
export function outcomeText(entry: JournalEntry): string {
  const items = [`${entry.accepted} accepted`];
  if (entry.rejected > 0) items.push(`${entry.rejected} rejected`);
  if (entry.dropped > 0) items.push(`${entry.dropped} dropped`);
  return items.join(', ');
}

/** A problem on one line of text (a line break in a reason made a space): `line 3: rejected: …`, `dropped: …`. */
export function problemText(problem: JournalProblem): string {
  return `${problem.line > 0 ? `line ${problem.line}: ` : ''}${problem.kind}: ${oneLine(problem.reason)}`;
}

/** Text on one line: what a client or a reason put line breaks in cannot start lines of its own. */
export const oneLine = (text: string): string => text.replace(/[\r\n\u2028\u2029]+/g, ' ');

/**
 * One line per entry for `dtmetrics serve --tail`: time, endpoint, status, client, what became of the items; the
 * problems follow on lines of their own, indented.
 */
export function tailText(entry: JournalEntry): string {
  const time = new Date(entry.at).toISOString().slice(11, 23);
  const status = entry.status === 0 ? '' : ` ${entry.status}`;
  const agent = entry.userAgent === null ? '' : ` (${oneLine(entry.userAgent)})`;
  const head = `${time} ${entry.endpoint}${status} from ${entry.client}${agent}: ${entry.bytes} B, ${outcomeText(entry)}`;
  const shown = entry.problems.slice(0, TAIL_PROBLEMS);
  const problems = shown.map((problem) => `    ${problemText(problem)}`);
  const more = entry.problems.length - shown.length + entry.problemsLeftOut;
  if (more > 0) problems.push(`    … ${more} more (GET /_dtmetrics/journal lists them)`);
  return [head, ...problems].join('\n');
}
