/**
 * What every reader of text agrees on: the characters of a line (as UTF-16 code units, `charCodeAt`: digits, ASCII
 * letters, the blanks between a line's parts) and where lines end (below: two rules, each in one place).
 */

export const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
export const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
export const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
/** A space or a tab: what the parser reads between a line's parts (the docs show one space; PROTOCOL §1.1). */
export const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;

// ------------------------------------------------------------------------------------------------ line breaks
//
// Where lines end. Two rules, on purpose, each in one place:
//
// - The editor's: `\r\n`, `\n` or a lone `\r`, as VS Code splits a document. Everything that numbers the lines of a
//   file or a document uses it, so a line number means one line everywhere: lintText and DocumentLinter, the
//   language server's documents (documents.ts) and workspace index, the editor's tenant diagnostics as edits move
//   them, and the CLI's reader (cli/read-lines.ts), which applies it to bytes as they stream (LineBreakFinder over
//   each chunk, a `\r\n` cut between two chunks joined) and leaves out the empty line after a final break, which
//   holds nothing to lint.
// - A request body's: lines end at `\n` only (PROTOCOL §1.1: "Lines are separated by `\n`"; every client library
//   joins them so), a `\r` before it (or at the body's end) is dropped, and any other `\r` stays in its line, where the rules flag it. The
//   local tenant reads bodies so (requestLines), and the first data file format, JSON lines, was written so
//   (splitAtLineFeeds).

export const LINE_FEED = 0x0a;
export const CARRIAGE_RETURN = 0x0d;
/** Characters more than one reader looks for: the line parser, root causes, the JSON value cutter. */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;

/** The bytes of a UTF-8 byte order mark at the start of `bytes` (3 or 0): dropped, as VS Code drops it. */
export const utf8BomLength = (bytes: Uint8Array): 0 | 3 =>
  bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;

/** What LineBreakFinder searches: a string (for `'\r'` and `'\n'`) or a Buffer (for their bytes). */
interface Haystack<Needle> {
  indexOf(needle: Needle, from?: number): number;
}

/**
 * Finds the next `\r` or `\n` at or after a position, remembering where the next of each is, so no character is
 * searched twice; indexOf runs as memchr, several times as fast as a loop over the characters. Over
 * a string here, over a chunk's bytes in the CLI's reader.
 */
export class LineBreakFinder<Needle> {
  private cr = -1;
  private lf = -1;

  constructor(
    private readonly crNeedle: Needle,
    private readonly lfNeedle: Needle,
    private text: Haystack<Needle>,
  ) {
    this.reset(text);
  }

  /** Starts over on `text`. */
  reset(text: Haystack<Needle>): void {
    this.text = text;
    this.cr = text.indexOf(this.crNeedle);
    this.lf = text.indexOf(this.lfNeedle);
  }

  /** The offset of the next `\r` or `\n` at or after `from`, or -1. */
  next(from: number): number {
    if (this.cr >= 0 && this.cr < from) this.cr = this.text.indexOf(this.crNeedle, from);
    if (this.lf >= 0 && this.lf < from) this.lf = this.text.indexOf(this.lfNeedle, from);
    if (this.cr < 0) return this.lf;
    return this.lf < 0 || this.cr < this.lf ? this.cr : this.lf;
  }
}

/** The length of the editor's line break at `i` in `text`: 2 for `\r\n`, 1 for `\n` or a lone `\r`, 0 where none is. */
export function lineBreakAt(text: string, i: number): 0 | 1 | 2 {
  const c = text.charCodeAt(i);
  if (c === LINE_FEED) return 1;
  if (c !== CARRIAGE_RETURN) return 0;
  return text.charCodeAt(i + 1) === LINE_FEED ? 2 : 1;
}

/** The lines of `text` by the editor's rule, each with the break that ends it (`''` after the last line). */
export function* linesWithBreaks(text: string): Generator<[line: string, lineBreak: string]> {
  const breaks = new LineBreakFinder('\r', '\n', text);
  let start = 0;
  for (let at = breaks.next(0); at >= 0; at = breaks.next(start)) {
    const end = at + lineBreakAt(text, at);
    yield [text.slice(start, at), text.slice(at, end)];
    start = end;
  }
  yield [text.slice(start), ''];
}

/** The lines of `text` by the editor's rule, without their breaks; a text ending in a break ends with an empty line. */
export function* splitLines(text: string): Generator<string> {
  for (const [line] of linesWithBreaks(text)) yield line;
}

/** How many line breaks `text` holds, by the editor's rule (`\r\n` is one). */
export function countLineBreaks(text: string): number {
  const finder = new LineBreakFinder('\r', '\n', text);
  let breaks = 0;
  for (let at = finder.next(0); at >= 0; at = finder.next(at + lineBreakAt(text, at))) breaks++;
  return breaks;
}

export const endsWithLineBreak = (text: string): boolean => text !== '' && lineBreakAt(text, text.length - 1) > 0;

/** The lines `\n` ends in `text`, and the rest after the last `\n` (a stream's unfinished line). */
export function splitAtLineFeeds(text: string): { lines: string[]; rest: string } {
  const lines = text.split('\n');
  return { lines, rest: lines.pop() as string };
}

/** The lines of a request body as a tenant reads them; a final `\n` ends the last line, it does not start another. */
export function requestLines(body: string): string[] {
  const { lines, rest } = splitAtLineFeeds(body);
  if (rest !== '' || lines.length === 0) lines.push(rest);
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** A count and its noun, agreeing: "1 line", "2 lines", "1 retry", "3 retries" (`many` when not one + 's'). */
export function plural(n: number, one: string, many = one + 's'): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Text cut to `max` characters with `…` after, for a report that names an input item (a line, a value, a datagram). */
export const shortText = (text: string, max = 60): string => (text.length > max ? text.slice(0, max) + '…' : text);
