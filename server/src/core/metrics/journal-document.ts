/**
 * A journal entry (journal.ts) as the editor's ingest inspector shows and saves it: the entries read back from the
 * tenant's JSON, and an entry as a `.dtmetrics` document — a header of comments saying what the request was and
 * what the tenant made of it, then its lines, all of them or a filtered set (only the rejected, one metric), so
 * the language server lints them as any file. Pure.
 */
import { parseLine } from '../parse.ts';
import { plural } from '../text.ts';
import {
  oneLine,
  outcomeText,
  problemText,
  type JournalEndpoint,
  type JournalEntry,
  type JournalProblem,
} from './journal.ts';

/** How each endpoint is named to a person. */
export const ENDPOINT_TITLES: Record<JournalEndpoint, string> = {
  lines: 'POST /api/v2/metrics/ingest',
  oneagent: 'POST /metrics/ingest (OneAgent)',
  otlp: 'POST /api/v2/otlp/v1/metrics (OTLP)',
  statsd: 'StatsD flush (UDP)',
};

/** Which of an entry's lines a document holds. */
export type LineFilter = { kind: 'all' } | { kind: 'rejected' } | { kind: 'metric'; key: string };

export const ALL_LINES: LineFilter = { kind: 'all' };

/** The problems a header lists: a request of a thousand refused lines keeps a short header. */
const HEADER_PROBLEMS = 10;

export interface EntryDocument {
  text: string;
  /** The 0-based line of `text` that holds the entry's first line (unfiltered documents: problem N is at N − 1 + this). */
  firstLine: number;
  /** How many of the entry's lines it holds. */
  lineCount: number;
}

/**
 * A reason short enough for a row: the tenant's `invalid line in message '…'; error at 'x'  (index 36): why` repeats
 * the line the row is about, so only `index 36: why` is kept; any other reason whole.
 */
export function shortReason(reason: string): string {
  const tenant = /^invalid line in message '.*'; error at '.*?'\s+\(index (\d+)\): (.*)$/s.exec(reason);
  return tenant ? `index ${tenant[1]}: ${tenant[2]}` : reason;
}

/**
 * The entry as a `.dtmetrics` document. The header is comments only (a reason, a user agent or a key with a line
 * break in it is put on one line), and a carriage return inside a line, which the tenant keeps in the line and an
 * editor would break it at, is shown as `␍`: the document's lines are the tenant's lines, one for one, and it lints
 * with the findings of its lines alone. An entry the tenant took whole, whose lines carry timestamps, is marked
 * `timestamps=rebase`: linted or pushed later, its lines read as sent now (they were not late when they came).
 */
export function entryDocument(entry: JournalEntry, filter: LineFilter = ALL_LINES): EntryDocument {
  const agent = entry.userAgent === null ? 'no user agent' : oneLine(entry.userAgent);
  const answered = entry.status === 0 ? 'Stored' : `Answered ${entry.status}`;
  const all = shownLines(entry);
  const header: string[] = [];
  if (entry.rejected === 0 && all.some(hasTimestamp))
    header.push(
      '// dtmetrics: timestamps=rebase',
      '//   (taken as sent: its timestamps read as now when linted or pushed)',
    );
  header.push(
    `// ${ENDPOINT_TITLES[entry.endpoint]} at ${new Date(entry.at).toISOString()}`,
    `// from ${oneLine(entry.client)} (${agent}), ${entry.bytes} bytes`,
    `// ${answered}: ${outcomeText(entry)}`,
  );
  // A rejected line's reason is the linter's diagnostic on it (and the inspector's row): the header names only
  // what no line shows, the request's refusal and what was dropped.
  const unplaced = entry.problems.filter((problem) => problem.line === 0);
  const shown = unplaced.slice(0, HEADER_PROBLEMS);
  for (const problem of shown) header.push(`//   ${problemText(problem)}`);
  if (unplaced.length > shown.length) header.push(`//   … and ${unplaced.length - shown.length} more`);
  const lines = selectedLines(entry, all, filter);
  if (filter.kind === 'rejected') {
    const listed = entry.rejected > lines.length ? ` (of ${entry.rejected}: the answer lists the first)` : '';
    header.push(`// Only the ${plural(lines.length, 'rejected line')}${listed}`);
  }
  if (filter.kind === 'metric') header.push(`// Only the ${plural(lines.length, 'line')} of ${oneLine(filter.key)}`);
  if (entry.linesLeftOut > 0)
    header.push(`// ${plural(entry.linesLeftOut, 'more line')} not kept (the journal keeps the first of a request)`);
  if (all.some((line) => line.includes(CR_SHOWN)))
    header.push(`// ${CR_SHOWN} stands for a carriage return inside a line (the tenant ends lines at line feeds only)`);
  return { text: [...header, ...lines, ''].join('\n'), firstLine: header.length, lineCount: lines.length };
}

/** How a carriage return inside a line is shown: U+240D SYMBOL FOR CARRIAGE RETURN. */
const CR_SHOWN = '\u240d';

/** The entry's lines as a document shows them. */
const shownLines = (entry: JournalEntry): string[] => entry.lines.map((line) => line.replaceAll('\r', CR_SHOWN));

function hasTimestamp(line: string): boolean {
  const parsed = parseLine(line);
  return parsed.kind === 'data' && parsed.timestamp !== null;
}

/** The 1-based numbers of the entry's lines the tenant rejected. */
export function rejectedLineNumbers(entry: JournalEntry): Set<number> {
  return new Set(entry.problems.filter((p) => p.kind === 'rejected' && p.line > 0).map((p) => p.line));
}

/** The metric keys of the entry's data lines as written, each with how many lines have it, most lines first. */
export function metricKeyCounts(entry: JournalEntry): { key: string; lines: number }[] {
  const counts = new Map<string, number>();
  for (const line of shownLines(entry)) {
    const key = metricKeyOf(line);
    if (key !== null) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, lines]) => ({ key, lines }))
    .sort((a, b) => b.lines - a.lines || (a.key < b.key ? -1 : 1));
}

function selectedLines(entry: JournalEntry, lines: string[], filter: LineFilter): string[] {
  if (filter.kind === 'all') return lines;
  if (filter.kind === 'metric') return lines.filter((line) => metricKeyOf(line) === filter.key);
  const rejected = rejectedLineNumbers(entry);
  return lines.filter((_, i) => rejected.has(i + 1));
}

function metricKeyOf(line: string): string | null {
  const parsed = parseLine(line);
  return parsed.kind === 'data' && parsed.key.text !== '' ? parsed.key.text : null;
}

/** A `GET /_dtmetrics/journal` answer: the tenant instance that keeps the journal, and its entries. */
export interface JournalAnswer {
  instance: string;
  entries: JournalEntry[];
}

/**
 * A `GET /_dtmetrics/journal` answer read back; null when the JSON is not one (another program on the port, another
 * version): the inspector shows nothing it cannot read whole.
 */
export function readJournalAnswer(json: unknown): JournalAnswer | null {
  if (typeof json !== 'object' || json === null) return null;
  const { instance, entries } = json as { instance?: unknown; entries?: unknown };
  if (typeof instance !== 'string' || !Array.isArray(entries) || !entries.every(isJournalEntry)) return null;
  return { instance, entries };
}

const ENDPOINTS = new Set<unknown>(Object.keys(ENDPOINT_TITLES));
const isCount = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;

function isJournalEntry(value: unknown): value is JournalEntry {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  const counts = ['id', 'at', 'status', 'bytes', 'accepted', 'rejected', 'dropped', 'linesLeftOut', 'problemsLeftOut'];
  return (
    counts.every((key) => isCount(o[key])) &&
    ENDPOINTS.has(o.endpoint) &&
    typeof o.client === 'string' &&
    (o.userAgent === null || typeof o.userAgent === 'string') &&
    Array.isArray(o.lines) &&
    o.lines.every((line) => typeof line === 'string') &&
    Array.isArray(o.problems) &&
    o.problems.every(isJournalProblem)
  );
}

function isJournalProblem(value: unknown): value is JournalProblem {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  return isCount(o.line) && (o.kind === 'rejected' || o.kind === 'dropped') && typeof o.reason === 'string';
}
