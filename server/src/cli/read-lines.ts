/**
 * Streams a byte source into lines with bounded memory. Lines end where VS Code ends them: `\n`, `\r\n` or a lone
 * `\r` (the editor's rule, core/text.ts). Each line is offered as UTF-8 bytes first, so the linter's fast path can take clean lines without decoding
 * them; any other line is decoded (bytes that are not UTF-8 become U+FFFD, as VS Code shows them). A UTF-8 BOM at
 * the start of the file (whole in its first chunk that is not empty) is dropped, as VS Code drops it. A line longer than `LINE_BUFFER_LIMIT` bytes keeps only
 * that prefix, with its true length.
 */
import { open } from 'node:fs/promises';
import { describeSystemError, UserError } from '#edge/errors.ts';
import { CARRIAGE_RETURN as CR, LINE_FEED as LF, LineBreakFinder, utf8BomLength } from '#core/text.ts';
import { BINARY_PROBE, binaryMessage, looksBinary, type Input } from './inputs.ts';

/** Far above the 50,000-character line limit (LN001), so every finding below the cut is still found. */
export const LINE_BUFFER_LIMIT = 4_000_000;

export interface LineSink {
  /** A line as UTF-8 bytes `buf[start, end)`; returns false when it must be decoded and given to `text`. */
  bytes(buf: Uint8Array, start: number, end: number): boolean;
  /** A decoded line, its true length in UTF-16 code units, and its bytes when they are exactly this line's. */
  text(line: string, length: number, bytes: Uint8Array | undefined): void;
}

/**
 * Finds line breaks in one chunk at a time. Searches a Buffer (Node's Buffer.indexOf is memchr, several times
 * faster than TypedArray.prototype.indexOf).
 */
class Breaks extends LineBreakFinder<number> {
  /** The chunk ended with `\r`: a `\n` starting the next chunk belongs to it. */
  pendingCR = false;
  private chunk: Buffer = Buffer.alloc(0);

  constructor() {
    super(CR, LF, Buffer.alloc(0));
  }

  override reset(chunk: Buffer): void {
    this.chunk = chunk;
    super.reset(chunk);
  }

  /** Where the line after the break at `at` starts. */
  after(at: number): number {
    if (this.chunk[at] !== CR) return at + 1;
    if (at + 1 === this.chunk.length) this.pendingCR = true;
    return this.chunk[at + 1] === LF ? at + 2 : at + 1;
  }
}

export async function readLines(
  source: AsyncIterable<Uint8Array>,
  sink: LineSink,
  afterChunk: () => Promise<void>,
): Promise<void> {
  // ignoreBOM keeps a U+FEFF inside the file as the character it is; the file's own BOM is dropped below.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const line = (buf: Uint8Array, start: number, end: number, extra = 0) => {
    if (extra === 0 && sink.bytes(buf, start, end)) return;
    const bytes = buf.subarray(start, end);
    const text = decoder.decode(bytes);
    sink.text(text, text.length + extra, extra === 0 ? bytes : undefined);
  };
  const breaks = new Breaks();
  /** The unfinished line from earlier chunks (its kept prefix, for an overlong line). */
  let carry: Uint8Array | null = null;
  /** UTF-16 code units of an overlong line beyond its kept prefix, or -1. */
  let overlong = -1;
  let first = true;
  let lines = 0;
  for await (const input of source) {
    // An empty chunk (a stream may deliver one) ends no line and starts no file: it must not clear pendingCR or first.
    if (input.byteLength === 0) continue;
    let buffer = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (first) {
      buffer = buffer.subarray(utf8BomLength(buffer));
      first = false;
    }
    // The same bytes as a plain Uint8Array for the linter: its byte loops then see one array type only.
    const chunk = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    let start = breaks.pendingCR && chunk[0] === LF ? 1 : 0;
    breaks.pendingCR = false;
    breaks.reset(buffer);
    let at = breaks.next(start);
    if (carry !== null) {
      if (at < 0) {
        if (overlong >= 0) overlong += utf16Length(chunk, start, chunk.length);
        else carry = concat(carry, chunk.subarray(start));
        if (overlong < 0 && carry.length > LINE_BUFFER_LIMIT) [carry, overlong] = keepPrefix(carry);
        await afterChunk();
        continue;
      }
      if (overlong >= 0) line(carry, 0, carry.length, overlong + utf16Length(chunk, start, at));
      else {
        const joined = concat(carry, chunk.subarray(start, at));
        line(joined, 0, joined.length);
      }
      lines++;
      carry = null;
      overlong = -1;
      start = breaks.after(at);
      at = breaks.next(start);
    }
    for (; at >= 0; at = breaks.next(start)) {
      line(chunk, start, at);
      lines++;
      start = breaks.after(at);
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

/** Chunk size for reading files: large enough that per-read overhead vanishes, small enough to stay in cache. */
const CHUNK_BYTES = 1 << 20;

/**
 * A file's bytes, chunk by chunk, in two buffers used in turn: the next chunk is read into one while readLines
 * lints the other, and readLines is done with a chunk (it copies what it keeps) before it asks for the next, so
 * no chunk is allocated per read and the disk and the CPU work at the same time.
 */
export async function* readChunks(path: string): AsyncGenerator<Uint8Array> {
  const file = await open(path, 'r');
  let reading = Buffer.allocUnsafe(CHUNK_BYTES);
  let spare = Buffer.allocUnsafe(CHUNK_BYTES);
  let pending = file.read(reading, 0, CHUNK_BYTES, null);
  try {
    for (;;) {
      const { bytesRead, buffer } = await pending;
      if (bytesRead === 0) return;
      [reading, spare] = [spare, reading];
      pending = file.read(reading, 0, CHUNK_BYTES, null);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await pending.catch(() => undefined); // a read still in flight must finish before the file closes
    await file.close();
  }
}

/** An input ready to be read: standard input with its first bytes already taken (readyInputs). */
export type ReadyInput =
  | Extract<Input, { kind: 'file' }>
  | { kind: 'stdin'; name: '-'; chunks: AsyncIterable<Uint8Array> };

/**
 * The inputs, with standard input's first BINARY_PROBE bytes read ahead (or all of it, if shorter) and judged as a
 * file's are (inputs.ts): before any output, and on the same bytes however the pipe delivered them. They are
 * read again from the start by chunksOf.
 */
export async function readyInputs(inputs: readonly Input[], stdin: AsyncIterable<Uint8Array>): Promise<ReadyInput[]> {
  if (!inputs.some((input) => input.kind === 'stdin')) return inputs as ReadyInput[];
  const { head, chunks } = await readAhead(stdin, BINARY_PROBE, '-');
  if (looksBinary(head)) throw new UserError(binaryMessage('-', head));
  return inputs.map((input) => (input.kind === 'stdin' ? { kind: 'stdin', name: '-', chunks } : input));
}

/**
 * A source's first `size` bytes (or all of it, if shorter), read ahead and copied, and the whole source again from
 * its start: the head comes as one first chunk, so a BOM the pipe delivered in pieces is whole in it (readLines
 * looks for it there).
 */
export async function readAhead(
  source: AsyncIterable<Uint8Array>,
  size: number,
  name: string,
): Promise<{ head: Uint8Array; chunks: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let read = 0;
  let ended = false;
  try {
    while (read < size && !ended) {
      const next = await iterator.next();
      if (next.done) ended = true;
      else {
        parts.push(Buffer.from(next.value)); // a file's chunks are buffers used again (readChunks)
        read += next.value.length;
      }
    }
  } catch (error) {
    throw new UserError(`cannot read '${name}': ${describeSystemError(error)}`);
  }
  const first = Buffer.concat(parts);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield first;
    if (ended) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head: first.subarray(0, size), chunks: chunks() };
}

export function chunksOf(input: ReadyInput): AsyncIterable<Uint8Array> {
  return input.kind === 'stdin' ? input.chunks : readChunks(input.name);
}
