/**
 * A stream of JSON text cut into its values, line by line, so that a file of any size converts in memory bounded by
 * its largest value: one value per line (NDJSON, the OTel Collector's file exporter), values spread over lines (a
 * pretty-printed document), and, when asked, the elements of a top-level array one at a time (a JSON list of data
 * points). It only finds where values end (brackets outside strings); JSON.parse judges each value.
 */

import { BACKSLASH, COMMA, QUOTE, shortText } from '../text.ts';

export interface JsonValueText {
  /** The value's text, its lines joined with `\n`. */
  text: string;
  /** The input line it starts on. */
  line: number;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isJsonSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0xfeff;
/** What ends a bare scalar (a number, `true`, or text that is no JSON): a bracket or comma; spaces do not, so a line
 * of prose is one value for JSON.parse to refuse, not one per word. */
const isDelimiter = (c: number): boolean =>
  c === COMMA || c === OPEN_BRACE || c === CLOSE_BRACE || c === OPEN_BRACKET || c === CLOSE_BRACKET;

export class JsonValues {
  /** Bracket depth counted from the level values are cut at (inside a top-level array being unwrapped: its elements). */
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Inside a top-level array whose elements are the values. */
  private inArray = false;
  /** The lines of the value being read, before the current one; and its first line (0: none open). */
  private parts: string[] = [];
  private start = 0;
  /** Whether the open value is a bare scalar (a number, `true`), which ends at a delimiter, not a bracket. */
  private scalar = false;
  /** After a value was cut off (interrupt): its remaining lines are passed over until one starts a value. */
  private resyncing = false;

  /** `elementsOfArrays`: a top-level array is cut into its elements (a list of data points, streamed). */
  constructor(private readonly elementsOfArrays: boolean) {}

  /** The values that end on this line (`lineNumber` from 1). */
  line(text: string, lineNumber: number): JsonValueText[] {
    if (this.resyncing) {
      const first = /\S/.exec(text)?.[0];
      if (first !== '{' && first !== '[') return [];
      this.resyncing = false;
    }
    const values: JsonValueText[] = [];
    let from = this.start > 0 ? 0 : -1;
    const close = (end: number) => {
      this.parts.push(text.slice(from, end));
      values.push({ text: this.parts.join('\n'), line: this.start });
      this.parts = [];
      this.start = 0;
      this.scalar = false;
      from = -1;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.depth === 0) close(i + 1);
        }
        continue;
      }
      if (this.start === 0) {
        // Between values: separators, the brackets of an unwrapped array, or a value's first character.
        if (isJsonSpace(c)) continue;
        if (this.inArray && c === COMMA) continue;
        if (this.inArray && c === CLOSE_BRACKET) {
          this.inArray = false;
          continue;
        }
        if (this.elementsOfArrays && !this.inArray && c === OPEN_BRACKET) {
          this.inArray = true;
          continue;
        }
        this.start = lineNumber;
        from = i;
        this.scalar = c !== OPEN_BRACE && c !== OPEN_BRACKET && c !== QUOTE;
      }
      if (this.scalar) {
        // A stray `}`, `]` or `,` is a value of its own (JSON.parse refuses it); a scalar ends before a delimiter,
        // which is read again between values.
        if (i === from && isDelimiter(c)) close(i + 1);
        else if (isDelimiter(c)) {
          close(i);
          i--;
        }
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth <= 0) {
          this.depth = 0;
          close(i + 1);
        }
      }
    }
    if (this.start > 0) {
      if (this.scalar) close(text.trimEnd().length);
      else this.parts.push(from <= 0 ? text : text.slice(from));
    }
    return values;
  }

  /**
   * A line could not be read (too long): the value open, cut off, or null. The lines after it that still belong to
   * that value (its depth is lost with the line) are passed over until one starts a value (`{` or `[` first).
   */
  interrupt(): JsonValueText | null {
    const open = this.end();
    this.resyncing = open !== null;
    return open;
  }

  /** The input ended: the value still open (cut off: JSON.parse will say so), or null. */
  end(): JsonValueText | null {
    if (this.start === 0) return null;
    const open = { text: this.parts.join('\n'), line: this.start };
    this.parts = [];
    this.start = 0;
    this.depth = 0;
    this.inString = false;
    return open;
  }
}

/**
 * A parsed JSON value, for a report: its JSON on one line, cut at `max`; or, nested deeper than JSON.stringify's
 * recursion goes (JSON.parse reads deeper: a RangeError, nothing else), its outline.
 */
export function jsonExcerpt(value: unknown, max = 60): string {
  try {
    return shortText((JSON.stringify(value) ?? String(value)).replace(/\s+/g, ' ').trim(), max);
  } catch {
    if (Array.isArray(value)) return `[… ${value.length} elements]`;
    return shortText(
      `{${Object.keys(value as object)
        .map((key) => `"${key}": …`)
        .join(', ')}}`,
      max,
    );
  }
}
