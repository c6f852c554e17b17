/**
 * The blocks of a document a push can send one at a time: runs of lines that are neither blank nor comments. The
 * editor offers a "Send" and a "Query" lens over each and sends the one around the cursor. A run of metadata lines
 * only belongs to the run below it when only blank lines part them: metadata describes the lines it heads, so it
 * is sent (and queried) with them, under one row of lenses.
 */
import { isSkipped } from './plan.ts';

export interface Block {
  start: number;
  end: number;
}

/** The block around `line` (null on a blank line or a comment); `all`: the document's blocks, when known. */
export function blockAround(lines: readonly string[], line: number, all = blocks(lines)): Block | null {
  if (!isSendable(lines[line])) return null;
  return all.find((block) => block.start <= line && line <= block.end) ?? null;
}

/** Every block of a document, in order. */
export function blocks(lines: readonly string[]): Block[] {
  const found: Block[] = [];
  let heading: number | null = null;
  for (let i = 0; i < lines.length; i++) {
    if (!isSendable(lines[i])) {
      // A comment between a metadata run and the lines below parts them.
      if (!isBlank(lines[i])) heading = null;
      continue;
    }
    const start = i;
    let metadataOnly = isMetadata(lines[i]);
    while (i + 1 < lines.length && isSendable(lines[i + 1])) {
      i++;
      metadataOnly = metadataOnly && isMetadata(lines[i]);
    }
    const block: Block = { start: heading ?? start, end: i };
    if (heading !== null) found.pop();
    found.push(block);
    heading = metadataOnly ? block.start : null;
  }
  return found;
}

function isSendable(text: string | undefined): boolean {
  return text !== undefined && !isSkipped(text);
}

const isBlank = (text: string | undefined): boolean => text !== undefined && text.trim() === '';
const isMetadata = (text: string | undefined): boolean => text !== undefined && text.trimStart().startsWith('#');
