/**
 * The metric a `.dtmetrics` line sends, under the key the tenant stores it by: a count metric `x` is stored as
 * `x.count` (storedKey, the core's suffix rule), so that is the key to query. Light (the core's parser only):
 * the CodeLens and the under-cursor command use it from activation on.
 */
import { storedKeyOf } from '#core/keys.ts';
import { parseLine } from '#core/parse.ts';

/** The stored key of a data or metadata line; null for comments, blank lines and lines without a metric key. */
export const storedKeyOfLine = (text: string): string | null => storedKeyOf(parseLine(text));

/**
 * Each metric's first line, in order, up to `limit` metrics; `cancelled` is asked now and then, so that a long
 * document gives way to the next edit.
 */
export function firstLines(
  lineCount: number,
  lineAt: (line: number) => string,
  limit: number,
  cancelled: () => boolean,
): { line: number; key: string }[] {
  const seen = new Set<string>();
  const found: { line: number; key: string }[] = [];
  for (let line = 0; line < lineCount && found.length < limit; line++) {
    if (line % 1000 === 999 && cancelled()) return found;
    const key = storedKeyOfLine(lineAt(line));
    if (key === null || seen.has(key)) continue;
    seen.add(key);
    found.push({ line, key });
  }
  return found;
}
