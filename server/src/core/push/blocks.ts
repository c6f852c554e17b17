/**
 * The blocks of a document a push can send one at a time: runs of lines that are neither blank nor comments. The
 * editor offers a "Send" lens over each and sends the one around the cursor.
 */
import { isSkipped } from './plan.ts';

/** The block around `line`: the run of lines that are neither blank nor comments (empty when `line` is one). */
export function blockAround(lines: readonly string[], line: number): { start: number; end: number } | null {
  if (!isSendable(lines[line])) return null;
  let start = line;
  let end = line;
  while (start > 0 && isSendable(lines[start - 1])) start--;
  while (end < lines.length - 1 && isSendable(lines[end + 1])) end++;
  return { start, end };
}

/** Every block of a document, in order (for a "Send" lens over each). */
export function blocks(lines: readonly string[]): { start: number; end: number }[] {
  const found: { start: number; end: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!isSendable(lines[i])) continue;
    const start = i;
    while (i + 1 < lines.length && isSendable(lines[i + 1])) i++;
    found.push({ start, end: i });
  }
  return found;
}

function isSendable(text: string | undefined): boolean {
  return text !== undefined && !isSkipped(text);
}
