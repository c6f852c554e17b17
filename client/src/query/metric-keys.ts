/**
 * The metric a `.dtmetrics` line sends, under the key the tenant stores it by: a count metric `x` is stored as
 * `x.count` (storedKey, the core's suffix rule), so that is the key to query. Light (the core's parser only):
 * the CodeLens and the under-cursor command use it from activation on.
 */
import { storedKeyOf } from '#core/keys.ts';
import { parseLine } from '#core/parse.ts';
import { blocks } from '#core/push/blocks.ts';

/** The stored key of a data or metadata line; null for comments, blank lines and lines without a metric key. */
export const storedKeyOfLine = (text: string): string | null => storedKeyOf(parseLine(text));

/** Lines read between two questions whether the work is still wanted. */
const CANCEL_CHECK_LINES = 1000;

/**
 * The distinct stored keys of lines `start` to `end` (inclusive), in the order they first appear; null once
 * `cancelled` says so (asked every CANCEL_CHECK_LINES lines: one block may be a whole large file).
 */
export function keysOfLines(start: number, end: number, lineAt: (line: number) => string): string[];
export function keysOfLines(
  start: number,
  end: number,
  lineAt: (line: number) => string,
  cancelled: () => boolean,
): string[] | null;
export function keysOfLines(
  start: number,
  end: number,
  lineAt: (line: number) => string,
  cancelled: () => boolean = () => false,
): string[] | null {
  const keys = new Set<string>();
  for (let line = start; line <= end; line++) {
    if ((line - start) % CANCEL_CHECK_LINES === CANCEL_CHECK_LINES - 1 && cancelled()) return null;
    const key = storedKeyOfLine(lineAt(line));
    if (key !== null) keys.add(key);
  }
  return [...keys];
}

/**
 * The blocks of the first `lineCount` lines (the runs of lines a Send lens sends: neither blank nor comments) that
 * hold a metric, each with its distinct stored keys, up to `limit` blocks; `cancelled` is asked at each block and
 * every CANCEL_CHECK_LINES lines within one, so that a long document gives way to the next edit. One Query lens a block, beside its Send lens: a file of one
 * metric a line gets one row of lenses per block, not one per line.
 */
export function blockMetrics(
  lineCount: number,
  lineAt: (line: number) => string,
  limit: number,
  cancelled: () => boolean,
): { start: number; end: number; keys: string[] }[] {
  const lines = Array.from({ length: lineCount }, (_, line) => lineAt(line));
  const found: { start: number; end: number; keys: string[] }[] = [];
  for (const { start, end } of blocks(lines)) {
    if (found.length === limit || cancelled()) break;
    const keys = keysOfLines(start, end, (line) => lines[line] as string, cancelled);
    if (keys === null) break;
    if (keys.length > 0) found.push({ start, end, keys });
  }
  return found;
}
