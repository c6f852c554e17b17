/**
 * Streams a byte source into lines with bounded memory: chunks are decoded as UTF-8 (a BOM is dropped and bytes
 * that are not UTF-8 become U+FFFD, as VS Code shows them) and split where VS Code splits lines: `\r\n`, `\n`, `\r`.
 * A line longer than `LINE_BUFFER_LIMIT` keeps only that prefix, with its true length.
 */
import { CliError } from './errors.ts';

/** Far above the 50,000-character line limit (LN001), so every finding below the cut is still found. */
export const LINE_BUFFER_LIMIT = 1_000_000;

export type LineSink = (text: string, length: number) => void;

export async function readLines(source: AsyncIterable<Uint8Array>, name: string, sink: LineSink, afterChunk: () => Promise<void>): Promise<void> {
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  /** While > 0: inside an overlong line whose prefix is `carry`; the count of its characters so far. */
  let overlong = 0;
  let first = true;
  for await (const chunk of source) {
    if (first) {
      if (chunk.subarray(0, 65_536).includes(0)) throw new CliError(`'${name}' looks like a binary file (it contains NUL bytes), not metric lines`);
      first = false;
    }
    const text = decoder.decode(chunk, { stream: true });
    if (overlong > 0) {
      const nl = firstBreak(text);
      if (nl < 0) {
        overlong += text.length;
        await afterChunk();
        continue;
      }
      sink(carry, overlong + nl);
      carry = '';
      overlong = 0;
      splitInto(text.slice(skipBreak(text, nl)), sink);
    }
    carry = splitInto(carry + text, sink);
    if (carry.length > LINE_BUFFER_LIMIT) {
      overlong = carry.length;
      carry = carry.slice(0, LINE_BUFFER_LIMIT);
    }
    await afterChunk();
  }
  const rest = carry + decoder.decode();
  if (overlong > 0) sink(carry, overlong + rest.length - carry.length);
  // After a final line break there is no further line to lint (an editor shows an empty one; it holds nothing).
  else if (rest !== '' || first) emit(rest, sink);
}

/** Emits every complete line of `text`; returns the unfinished tail. */
function splitInto(text: string, sink: LineSink): string {
  let start = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
    const end = nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
    emit(text.slice(start, end), sink);
    start = nl + 1;
  }
  // A trailing `\r` may be the first half of `\r\n`: keep it for the next chunk.
  return text.slice(start);
}

/** Emits one line, split further at lone `\r` (old Mac line ends, which VS Code also breaks on). */
function emit(line: string, sink: LineSink): void {
  if (line.indexOf('\r') < 0) {
    sink(line, line.length);
    return;
  }
  for (const part of line.split('\r')) sink(part, part.length);
}

function firstBreak(text: string): number {
  const nl = text.indexOf('\n');
  const cr = text.indexOf('\r');
  return cr >= 0 && (nl < 0 || cr < nl) ? cr : nl;
}

function skipBreak(text: string, at: number): number {
  return text.charCodeAt(at) === 0x0d && text.charCodeAt(at + 1) === 0x0a ? at + 2 : at + 1;
}
