/**
 * Lints successive versions of one document held in memory: an editor's. Each line's facts (lineFacts: the line
 * rules' findings) are kept, and reused for the lines an edit did not touch, the unchanged runs before and after
 * the edited range. A one-character edit then parses one line and runs only the file-level checks, which need
 * the whole file but only a few lookups per line: cheap enough for every keystroke in a large document. `steps` does
 * the same work in steps of a few hundred lines, for a caller that must stay responsive (the language server).
 */
import { detach, FileLinter, lineFacts, utf8Length, type LineFacts, type LintOptions } from './lint.ts';
import { splitLines } from './text.ts';
import { parseLine } from './parse.ts';
import type { Diagnostic } from './problems.ts';
import { LIMITS, type Limits } from './rules.ts';

export interface DocumentLint {
  diagnostics: Diagnostic[];
  /** The linter that saw this version, for what the file says of each key (hovers). */
  linter: FileLinter;
  /** How many lines were parsed for this version; the others' facts were kept from the last one. */
  parsedLines: number;
  /** The window is checked and some line has a well-formed timestamp: it moves with the clock, so lint again later. */
  hasTimestamps: boolean;
}

/**
 * What a step of `steps` did: parse lines an edit touched (`facts`), or check the file as a whole (`file`). A step
 * covers at most STEP_LINES lines.
 */
export type LintStep = 'facts' | 'file';

const STEP_LINES = 500;

export class DocumentLinter {
  private lines: readonly string[] = [];
  private facts: LineFacts[] = [];
  private readonly limits: Limits;

  /** `options`: everything but the clock, fixed for this linter's life (facts depend on the limits). */
  constructor(private readonly options: Omit<LintOptions, 'now'>) {
    this.limits = { ...LIMITS, ...options.limits };
  }

  /** Lints `text`, the document's newest version, against `now` (epoch ms; null: no timestamp window), at once. */
  lint(text: string, now: number | null): DocumentLint {
    const steps = this.steps([...splitLines(text)], now);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * Lints `lines` (the newest version's, which the caller must not change afterwards: they are kept to compare the
   * next version with) one step at a time, so that a caller can do other work between steps, or stop. The `facts`
   * steps come first; the facts are kept once the last of them is done (stopped before, the work is lost and the
   * previous version's facts stay). The `file` steps make this version's diagnostics, useless once it is outdated.
   */
  *steps(lines: readonly string[], now: number | null): Generator<LintStep, DocumentLint> {
    const parsedLines = yield* this.reuse(lines);
    const linter = new FileLinter({ ...this.options, now });
    const diagnostics: Diagnostic[] = [];
    let hasTimestamps = false;
    const facts = this.facts;
    for (let i = 0; i < facts.length; i++) {
      const lineFacts = facts[i] as LineFacts;
      if (lineFacts.timestamp && now !== null) hasTimestamps = true;
      for (const d of linter.lintFacts(i, lineFacts)) diagnostics.push(d);
      if (i % STEP_LINES === STEP_LINES - 1) yield 'file';
    }
    return { diagnostics, linter, parsedLines, hasTimestamps };
  }

  /**
   * The facts of every line of `lines`: kept from the last version where a line is unchanged, else made now; the
   * number of lines parsed.
   */
  private *reuse(lines: readonly string[]): Generator<LintStep, number> {
    const old = this.lines;
    const oldFacts = this.facts;
    const { head, tail } = unchangedEnds(old, lines);
    const facts = new Array<LineFacts>(lines.length);
    for (let i = 0; i < head; i++) facts[i] = oldFacts[i] as LineFacts;
    for (let i = head; i < lines.length - tail; i++) {
      // A copy, so facts kept for later versions hold on to this line only, not to this whole version's text.
      const line = detach(lines[i] as string);
      facts[i] = lineFacts(parseLine(line), line.length, utf8Length(line), this.limits);
      if ((i - head) % STEP_LINES === STEP_LINES - 1) yield 'facts';
    }
    for (let j = 1; j <= tail; j++) facts[lines.length - j] = oldFacts[old.length - j] as LineFacts;
    this.lines = lines;
    this.facts = facts;
    return lines.length - tail - head;
  }
}

/** How many lines at the start (`head`) and at the end (`tail`) of a new version are the old version's, unchanged. */
export function unchangedEnds(old: readonly string[], lines: readonly string[]): { head: number; tail: number } {
  const common = Math.min(lines.length, old.length);
  let head = 0;
  while (head < common && lines[head] === old[head]) head++;
  let tail = 0;
  while (tail < common - head && lines[lines.length - 1 - tail] === old[old.length - 1 - tail]) tail++;
  return { head, tail };
}
