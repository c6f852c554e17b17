/**
 * Lints successive versions of one document held in memory: an editor's. Each line's facts (lineFacts: the line
 * rules' findings) are kept, and reused for the lines an edit did not touch, the unchanged runs before and after
 * the edited range. The file-level checks are kept up to date the same way (DocumentChecks): a one-character edit
 * parses one line and decides again only what that line takes part in, so its cost hardly grows with the document.
 * `steps` does the work in steps of a few hundred lines, for a caller that must stay responsive (the language server).
 */
import { DocumentChecks } from './document-checks.ts';
import { detach, lineFacts, utf8Length, type KeySummaries, type LineFacts, type LintOptions } from './lint.ts';
import { splitLines } from './text.ts';
import { parseLine } from './parse.ts';
import type { Diagnostic } from './problems.ts';
import { LIMITS, type Limits } from './rules.ts';

/** A new version of a document as its difference from the last: `lines` stand where `removed` lines from `from` stood. */
export interface LineChange {
  from: number;
  removed: number;
  lines: readonly string[];
}

export interface DocumentLint {
  diagnostics: Diagnostic[];
  /** What the file says of each key (hovers), as of the newest version linted. */
  keys: KeySummaries;
  /** How many lines were parsed for this version; the others' facts were kept from the last one. */
  parsedLines: number;
  /** The window is checked and some line has a well-formed timestamp: it moves with the clock, so lint again later. */
  hasTimestamps: boolean;
}

/**
 * What a step of `steps` did: parse lines an edit touched (`facts`), bring the file-level checks up to date with
 * them (`checks`), or make the version's diagnostics (`file`). A step covers at most STEP_LINES lines.
 */
export type LintStep = 'facts' | 'checks' | 'file';

const STEP_LINES = 500;

export class DocumentLinter {
  /** The lines `lint` last linted, to compare its next text with; null after `steps` was given a change. */
  private lintedLines: readonly string[] | null = [];
  private readonly checks: DocumentChecks;
  private readonly limits: Limits;

  /** `options`: everything but the clock, fixed for this linter's life (facts depend on the limits). */
  constructor(options: Omit<LintOptions, 'now'>) {
    this.limits = { ...LIMITS, ...options.limits };
    this.checks = new DocumentChecks(options);
  }

  /**
   * Lints `text`, the document's newest version, against `now` (epoch ms; null: no timestamp window), at once: the
   * lines that differ from the text it last linted are parsed.
   */
  lint(text: string, now: number | null): DocumentLint {
    const lines = [...splitLines(text)];
    const change = this.lintedLines
      ? lineChange(this.lintedLines, lines)
      : { from: 0, removed: this.checks.lineCount, lines };
    const steps = this.steps(change, now);
    for (;;) {
      const step = steps.next();
      if (step.done) {
        this.lintedLines = lines;
        return step.value;
      }
    }
  }

  /**
   * Lints the version `change` makes of the last one linted, one step at a time, so that a caller can do other work
   * between steps, or stop. The `facts` steps come first: stopped there, the work is lost and the previous version
   * stands (the caller gives the change again with the next). Then the `checks` steps take the new facts in: stopped
   * there, the rest is done when the linter is next used. The `file` steps make this version's diagnostics, useless
   * once it is outdated.
   */
  *steps(change: LineChange, now: number | null): Generator<LintStep, DocumentLint> {
    this.lintedLines = null;
    // The last lint may have been stopped before the checks took its version in.
    yield* this.updateChecks();
    const facts: LineFacts[] = [];
    for (const text of change.lines) {
      // A copy, so facts kept for later versions hold on to this line only, not to this whole version's text.
      const line = detach(text);
      facts.push(lineFacts(parseLine(line), line.length, utf8Length(line), this.limits));
      if (facts.length % STEP_LINES === 0) yield 'facts';
    }
    this.checks.replace(change.from, change.removed, facts);
    yield* this.updateChecks();
    const lint = this.checks.lint(now);
    for (;;) {
      const step = lint.next();
      if (step.done)
        return {
          ...step.value,
          parsedLines: facts.length,
          hasTimestamps: now !== null && this.checks.hasTimestamps,
        };
      yield 'file';
    }
  }

  private *updateChecks(): Generator<LintStep> {
    const update = this.checks.update();
    while (!update.next().done) yield 'checks';
  }
}

/** The change from `old` to `lines`: the lines between those unchanged at both ends. */
export function lineChange(old: readonly string[], lines: readonly string[]): LineChange {
  const { head, tail } = unchangedEnds(old, lines);
  return { from: head, removed: old.length - tail - head, lines: lines.slice(head, lines.length - tail) };
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
