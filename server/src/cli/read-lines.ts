/**
 * Streams a byte source into lines with bounded memory. Lines are split on `\n` (a `\r` before it is dropped) and
 * offered as UTF-8 bytes first, so the linter's fast path can take clean lines without decoding them. Any other
 * line is decoded (bytes that are not UTF-8 become U+FFFD, as VS Code shows them) and split again at lone `\r`,
 * which VS Code also breaks lines on. A UTF-8 BOM at the start of the file is dropped, as VS Code drops it.
 * A line longer than `LINE_BUFFER_LIMIT` bytes keeps only that prefix, with its true length.
 */
import { CliError } from './errors.ts';

/** Far above the 50,000-character line limit (LN001), so every finding below the cut is still found. */
export const LINE_BUFFER_LIMIT = 4_000_000;

export interface LineSink {
  /** A line as UTF-8 bytes `buf[start, end)`; returns false when it must be decoded and given to `text`. */
  bytes(buf: Uint8Array, start: number, end: number): boolean;
  /** A decoded line, its true length in UTF-16 code units, and its bytes when they are exactly this line's. */
  text(line: string, length: number, bytes: Uint8Array | undefined): void;
}

const LF = 0x0a;
const CR = 0x0d;

export async function readLines(source: AsyncIterable<Uint8Array>, name: string, sink: LineSink, afterChunk: () => Promise<void>): Promise<void> {
  // ignoreBOM keeps a U+FEFF inside the file as the character it is; the file's own BOM is dropped below.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const line = (buf: Uint8Array, start: number, end: number, extra = 0) => {
    if (end > start && buf[end - 1] === CR) end--;
    if (extra === 0 && sink.bytes(buf, start, end)) return;
    const bytes = buf.subarray(start, end);
    const text = decoder.decode(bytes);
    if (text.indexOf('\r') < 0) sink.text(text, text.length + extra, extra === 0 ? bytes : undefined);
    else for (const part of text.split('\r')) sink.text(part, part.length, undefined);
  };
  /** The unfinished line from earlier chunks (its kept prefix, for an overlong line). */
  let carry: Uint8Array | null = null;
  /** UTF-16 code units of an overlong line beyond its kept prefix, or -1. */
  let overlong = -1;
  let first = true;
  let lines = 0;
  for await (const input of source) {
    // A plain Uint8Array view of Node's Buffer: the linter's byte loops then see one array type only.
    let chunk = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (first) {
      if (chunk.subarray(0, 65_536).includes(0)) throw new CliError(`'${name}' looks like a binary file (it contains NUL bytes), not metric lines`);
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      first = false;
    }
    let start = 0;
    const nl = chunk.indexOf(LF);
    if (carry !== null) {
      if (nl < 0) {
        if (overlong >= 0) overlong += utf16Length(chunk, 0, chunk.length);
        else carry = concat(carry, chunk);
        if (overlong < 0 && carry.length > LINE_BUFFER_LIMIT) [carry, overlong] = keepPrefix(carry);
        await afterChunk();
        continue;
      }
      if (overlong >= 0) line(carry, 0, carry.length, overlong + utf16Length(chunk, 0, nl));
      else {
        const joined = concat(carry, chunk.subarray(0, nl));
        line(joined, 0, joined.length);
      }
      lines++;
      carry = null;
      overlong = -1;
      start = nl + 1;
    }
    for (let at = chunk.indexOf(LF, start); at >= 0; at = chunk.indexOf(LF, start)) {
      line(chunk, start, at);
      lines++;
      start = at + 1;
    }
    if (start < chunk.length) {
      carry = chunk.slice(start);
      if (carry.length > LINE_BUFFER_LIMIT) [carry, overlong] = keepPrefix(carry);
    }
    await afterChunk();
  }
  // After a final line break there is no further line to lint (an editor shows an empty one; it holds nothing).
  if (carry !== null) line(carry, 0, carry.length, Math.max(overlong, 0));
  else if (lines === 0) line(new Uint8Array(0), 0, 0);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Cuts an overlong line to LINE_BUFFER_LIMIT bytes at a character boundary; returns it and the cut-off length. */
function keepPrefix(bytes: Uint8Array): [Uint8Array, number] {
  let cut = LINE_BUFFER_LIMIT;
  while (cut > 0 && ((bytes[cut] as number) & 0xc0) === 0x80) cut--;
  return [bytes.slice(0, cut), utf16Length(bytes, cut, bytes.length)];
}

/** How many UTF-16 code units these UTF-8 bytes decode to (a 4-byte sequence is a surrogate pair). */
function utf16Length(bytes: Uint8Array, start: number, end: number): number {
  let units = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1;
  }
  return units;
}
