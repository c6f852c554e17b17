/**
 * A journal entry (journal.ts) as the editor's ingest inspector shows and saves it: the entries read back from the
 * tenant's JSON, and an entry as a `.dtmetrics` document — a header of comments saying what the request was and
 * what the tenant made of it, then its lines, all of them or a filtered set (only the rejected, one metric), so
 * the language server lints them as any file. Pure.
 */
import { parseLine } from '../parse.ts';
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
 * The entry as a `.dtmetrics` document. The header is comments only (a reason or a user agent with a line break in
 * it is put on one line, so nothing in it can be read as a data line), so the document lints with the findings of
 * its lines alone.
 */
export function entryDocument(entry: JournalEntry, filter: LineFilter = ALL_LINES): EntryDocument {
  const agent = entry.userAgent === null ? 'no user agent' : oneLine(entry.userAgent);
  const answered = entry.status === 0 ? 'Stored' : `Answered ${entry.status}`;
  const header = [
    `// ${ENDPOINT_TITLES[entry.endpoint]} at ${new Date(entry.at).toISOString()}`,
    `// from ${oneLine(entry.client)} (${agent}), ${entry.bytes} bytes`,
    `// ${answered}: ${outcomeText(entry)}`,
  ];
  // A rejected line's reason is the linter's diagnostic on it (and the inspector's row): the header names only
  // what no line shows, the request's refusal and what was dropped.
  const unplaced = entry.problems.filter((problem) => problem.line === 0);
  const shown = unplaced.slice(0, HEADER_PROBLEMS);
  for (const problem of shown) header.push(`//   ${problemText(problem)}`);
  if (unplaced.length > shown.length) header.push(`//   … and ${unplaced.length - shown.length} more`);
  const lines = selectedLines(entry, filter);
  if (filter.kind === 'rejected') header.push(`// Only the ${lines.length} rejected lines`);
  if (filter.kind === 'metric') header.push(`// Only the ${lines.length} lines of ${filter.key}`);
  if (entry.linesLeftOut > 0)
    header.push(`// ${entry.linesLeftOut} more lines were not kept (the journal keeps the first of a request)`);
  return { text: [...header, ...lines, ''].join('\n'), firstLine: header.length, lineCount: lines.length };
}

/** The 1-based numbers of the entry's lines the tenant rejected. */
export function rejectedLineNumbers(entry: JournalEntry): Set<number> {
  return new Set(entry.problems.filter((p) => p.kind === 'rejected' && p.line > 0).map((p) => p.line));
}

/** The metric keys of the entry's data lines as written, each with how many lines have it, most lines first. */
export function metricKeyCounts(entry: JournalEntry): { key: string; lines: number }[] {
  const counts = new Map<string, number>();
  for (const line of entry.lines) {
    const key = metricKeyOf(line);
    if (key !== null) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, lines]) => ({ key, lines }))
    .sort((a, b) => b.lines - a.lines || (a.key < b.key ? -1 : 1));
}

function selectedLines(entry: JournalEntry, filter: LineFilter): string[] {
  if (filter.kind === 'all') return entry.lines;
  if (filter.kind === 'metric') return entry.lines.filter((line) => metricKeyOf(line) === filter.key);
  const rejected = rejectedLineNumbers(entry);
  return entry.lines.filter((_, i) => rejected.has(i + 1));
}

function metricKeyOf(line: string): string | null {
  const parsed = parseLine(line);
  return parsed.kind === 'data' && parsed.key.text !== '' ? parsed.key.text : null;
}

/**
 * The entries of a `GET /_dtmetrics/journal` answer; null when the JSON is not one (another program on the port,
 * another version): the inspector shows nothing it cannot read whole.
 */
export function readJournalEntries(json: unknown): JournalEntry[] | null {
  const entries = (json as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(entries)) return null;
  return entries.every(isJournalEntry) ? entries : null;
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
