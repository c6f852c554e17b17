/**
 * What a file says of itself in its leading comments, before its first line of data: `// dtmetrics: timestamps=rebase`
 * marks its timestamps as a recording to replay (a fixture's nature travels with it, to the editor, `lint` in CI and
 * `push`, with no flag or setting). Read from the leading comments only, so that finding it costs a few lines.
 */
import { isSkipped, type TimestampMode } from './push/plan.ts';

export interface FileDirectives {
  /** How a push treats the file's timestamps; null when the file does not say. */
  timestamps: TimestampMode | null;
}

const TIMESTAMPS = /^\s*\/\/\s*dtmetrics:\s*timestamps=(as-written|rebase|strip)\s*$/;

/** Reads a file's directives line by line, as a stream gives them, until its first line of data. */
export class DirectiveReader {
  readonly directives: FileDirectives = { timestamps: null };
  private open = true;

  /** Reads the next line; false once past the leading comments and blank lines (the line is not read then). */
  read(text: string): boolean {
    if (!this.open) return false;
    this.open = isSkipped(text);
    const found = this.open ? TIMESTAMPS.exec(text) : null;
    if (found) this.directives.timestamps = found[1] as TimestampMode;
    return this.open;
  }

  /** Ends the reading: the caller met a line of data without decoding it. */
  end(): void {
    this.open = false;
  }
}

/** The directives in the comments and blank lines that open `lines`. */
export function fileDirectives(lines: Iterable<string>): FileDirectives {
  const reader = new DirectiveReader();
  for (const text of lines) if (!reader.read(text)) break;
  return reader.directives;
}

/**
 * Whether the timestamp window (TS003) speaks of the file's timestamps as written: not when a push replays them
 * relative to now or leaves them out.
 */
export const windowApplies = (directives: FileDirectives): boolean =>
  directives.timestamps === null || directives.timestamps === 'as-written';
