/**
 * An open document held as its lines, as the editor numbers them. An edit replaces the lines it touches and nothing
 * else, so its cost does not grow with the document: a keystroke in a 50 MB document is as cheap as in a small one
 * (a text held as one string is copied whole at every edit). The document also keeps what its edits changed since a
 * lint last took them (`takeChange`): the lines edited in place, while no edit added or removed any, else the stretch
 * they all lie in; a lint copies and compares those lines only. Positions past the end of a line or of the document
 * are clamped to it, and a range given end first is turned round, as vscode-languageserver-textdocument does.
 */
import type { Position, Range } from 'vscode-languageserver/node';
import type { LineChange } from '#core/document-linter.ts';
import { linesWithBreaks } from '#core/text.ts';

/** Above this many new lines, an edit builds new arrays instead of splicing (a spread of its arguments would overflow). */
const SPLICE_MAX = 10_000;
/** Past this many lines edited in place since the last take, the stretch they lie in is taken instead. */
const EDITED_MAX = 4096;

export interface ContentChange {
  /** Absent: the whole text. */
  range?: Range;
  text: string;
}

/** Lines `[from, from + added)` of the document stand where `removed` lines stood when a lint last took them. */
interface ChangedStretch {
  from: number;
  removed: number;
  added: number;
}

export class LineDocument {
  private content: string[];
  /** The line break after each line: `''` after the last. */
  private breaks: string[];
  /** The stretch the edits since the lines were last taken lie in; null: nothing. */
  private changed: ChangedStretch | null;
  /** The lines those edits changed in place, while none added or removed lines (nor too many were edited); else null. */
  private edited: Set<number> | null = null;

  constructor(
    readonly uri: string,
    public version: number,
    text: string,
  ) {
    [this.content, this.breaks] = split(text);
    this.changed = { from: 0, removed: 0, added: this.content.length };
  }

  get lineCount(): number {
    return this.content.length;
  }

  /** The lines, without their breaks. Changed by the next edit: copy them to keep a version. */
  get lines(): readonly string[] {
    return this.content;
  }

  /** Line `line` without its break; empty past the end. */
  lineAt(line: number): string {
    return this.content[line] ?? '';
  }

  /**
   * The lines changed since the last call (copies: the document changes on), as the changes from the lines taken
   * then, in order and apart; it forgets them. With `all`, every line, as the change from none (for a linter that
   * starts afresh).
   */
  takeChange(all = false): LineChange[] {
    const stretch = all ? { from: 0, removed: 0, added: this.content.length } : this.changed;
    const edited = all ? null : this.edited;
    this.changed = null;
    this.edited = new Set();
    if (!stretch) return [];
    if (!edited) {
      const { from, removed, added } = stretch;
      return [{ from, removed, lines: this.content.slice(from, from + added) }];
    }
    // Runs of lines edited in place, each line standing for itself as it was.
    const lines = [...edited].sort((a, b) => a - b);
    const changes: LineChange[] = [];
    for (let i = 0; i < lines.length; ) {
      const from = lines[i] as number;
      let to = from + 1;
      while (lines[++i] === to) to++;
      changes.push({ from, removed: to - from, lines: this.content.slice(from, to) });
    }
    return changes;
  }

  /** Gives back changes taken but not used (their lint stopped first): the next `takeChange` includes them. */
  restoreChange(taken: readonly LineChange[]): void {
    const first = taken[0];
    const last = taken[taken.length - 1];
    if (!first || !last) return;
    const inPlace = taken.every((change) => change.removed === change.lines.length);
    const edited = this.edited;
    if (inPlace && edited)
      for (const { from, removed } of taken) for (let i = from; i < from + removed; i++) edited.add(i);
    if (!inPlace || (edited && edited.size > EDITED_MAX)) this.edited = null;
    const end = last.from + last.removed;
    const added = end - first.from + taken.reduce((sum, change) => sum + change.lines.length - change.removed, 0);
    const older = { from: first.from, removed: end - first.from, added };
    const newer = this.changed;
    this.changed = newer ? widen(older, newer.from, newer.removed, newer.added) : older;
  }

  apply(change: ContentChange): void {
    if (!change.range) {
      const removed = this.content.length;
      [this.content, this.breaks] = split(change.text);
      this.changed = widen(this.changed, 0, removed, this.content.length);
      this.edited = null;
      return;
    }
    let start = this.clamp(change.range.start);
    let end = this.clamp(change.range.end);
    if (start.line > end.line || (start.line === end.line && start.character > end.character))
      [start, end] = [end, start];
    let from = start.line;
    const to = end.line;
    let text =
      (this.content[from] as string).slice(0, start.character) +
      change.text +
      (this.content[to] as string).slice(end.character) +
      this.breaks[to];
    // A line feed just after a lone carriage return makes one line break with it.
    if (from > 0 && this.breaks[from - 1] === '\r' && text.startsWith('\n')) {
      from--;
      text = (this.content[from] as string) + '\r' + text;
    }
    const [content, breaks] = split(text);
    if (to < this.content.length - 1) {
      // The text ends with the break of line `to`: the empty line split after it is the next line, already there.
      content.pop();
      breaks.pop();
    }
    this.content = replace(this.content, from, to - from + 1, content);
    this.breaks = replace(this.breaks, from, to - from + 1, breaks);
    this.changed = widen(this.changed, from, to - from + 1, content.length);
    if (this.edited && content.length === to - from + 1 && this.edited.size + content.length <= EDITED_MAX)
      for (let i = from; i <= to; i++) this.edited.add(i);
    else this.edited = null;
  }

  private clamp(position: Position): Position {
    const last = this.content.length - 1;
    if (position.line > last) return { line: last, character: (this.content[last] as string).length };
    return {
      line: position.line,
      character: Math.min(position.character, (this.content[position.line] as string).length),
    };
  }
}

/**
 * The changed stretch after `count` lines from `from` (numbered as they are now) are replaced by `added` lines: the
 * stretch as it was, widened to cover them.
 */
function widen(stretch: ChangedStretch | null, from: number, count: number, added: number): ChangedStretch {
  if (!stretch) return { from, removed: count, added };
  const start = Math.min(stretch.from, from);
  // Now covered: from `start` to `end`, before this edit; the lines of it outside the stretch are as they were.
  const end = Math.max(stretch.from + stretch.added, from + count);
  return { from: start, removed: end - start - stretch.added + stretch.removed, added: end - start - count + added };
}

/** The lines of `text` as the editor splits them, and the break after each. */
function split(text: string): [string[], string[]] {
  const content: string[] = [];
  const breaks: string[] = [];
  for (const [line, lineBreak] of linesWithBreaks(text)) {
    content.push(line);
    breaks.push(lineBreak);
  }
  return [content, breaks];
}

/** `array` with `count` items from `from` replaced by `items`: the same array, or a new one for many items. */
export function replace<T>(array: T[], from: number, count: number, items: T[]): T[] {
  if (items.length <= SPLICE_MAX) {
    array.splice(from, count, ...items);
    return array;
  }
  return array.slice(0, from).concat(items, array.slice(from + count));
}
