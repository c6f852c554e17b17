/**
 * Lints successive versions of one document held in memory: an editor's. Each line's facts (lineFacts: the line
 * rules' findings) are kept, and reused for the lines an edit did not touch, the unchanged runs before and after
 * the edited range. The file-level checks are kept up to date the same way (DocumentChecks): a one-character edit
 * parses one line and decides again only what that line takes part in, so its cost hardly grows with the document.
 * `steps` does the work in steps of a few hundred lines, for a caller that must stay responsive (the language server).
 */
import { DocumentChecks, spliceIn } from './document-checks.ts';
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
  /** In line order: all of them, or at least the first `shown` that `steps` was asked for. */
  diagnostics: Diagnostic[];
  /** How many diagnostics the version has. */
  count: number;
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
  /**
   * Each line's text in the last version linted, as given (the editor's own strings: 8 bytes a line here), to find
   * the lines of a change that came back to what they were.
   */
  private readonly lines: string[] = [];
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
    const steps = this.steps([{ from: 0, removed: this.lines.length, lines: [...splitLines(text)] }], now);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * Lints the version `changes` make of the last one linted (in order and apart, numbered as its lines), one step at
   * a time, so that a caller can do other work between steps, or stop. The lines of a change that are as they were
   * (typed and undone, say) keep their facts: those at either end, and any where as many lines came as went. The
   * `facts` steps come first: stopped there, the work is lost and the previous version stands (the caller gives the
   * changes again with the next). Then the `checks` steps take the new facts in: stopped there, the rest is done when
   * the linter is next used. The `file` steps make this version's diagnostics, useless once it is outdated; past the
   * first `shown`, the others are only counted.
   */
  *steps(changes: readonly LineChange[], now: number | null, shown = Infinity): Generator<LintStep, DocumentLint> {
    // The last lint may have been stopped before the checks took its version in: done now, so that every step after
    // the `facts` ones is of this lint's changes.
    const unfinished = this.checks.update();
    while (!unfinished.next().done);
    const stretches = changes.flatMap((change) => this.changedStretches(change));
    let parsedLines = 0;
    const parsed = [];
    for (const { from, count, lines } of stretches) {
      const facts: LineFacts[] = [];
      for (const text of lines) {
        // A copy, so facts kept for later versions hold on to this line only, not to this whole version's text.
        const line = detach(text);
        facts.push(lineFacts(parseLine(line), line.length, utf8Length(line), this.limits));
        if (++parsedLines % STEP_LINES === 0) yield 'facts';
      }
      parsed.push({ from, count, facts });
    }
    // The last first: a stretch leaves the numbers of the lines before it as they are.
    for (let i = stretches.length - 1; i >= 0; i--) {
      const { from, count, lines } = stretches[i] as (typeof stretches)[number];
      spliceIn(this.lines, from, count, lines);
    }
    this.checks.replace(parsed);
    yield* this.updateChecks();
    const lint = this.checks.lint(now, shown);
    for (;;) {
      const step = lint.next();
      if (step.done)
        return {
          ...step.value,
          parsedLines,
          hasTimestamps: now !== null && this.checks.hasTimestamps,
        };
      yield 'file';
    }
  }

  /**
   * The stretches of lines `change` really changes, in order: its lines less those at either end that are as they
   * were; where as many lines come as go, each line stands for the one it replaces, and only the runs that differ.
   */
  private changedStretches(change: LineChange): Array<{ from: number; count: number; lines: readonly string[] }> {
    const old = this.lines;
    const { from, removed, lines } = change;
    const { head, tail } = unchangedEnds(old, lines, from, removed);
    if (removed !== lines.length)
      return [{ from: from + head, count: removed - head - tail, lines: lines.slice(head, lines.length - tail) }];
    const stretches = [];
    for (let i = head; i < lines.length - tail; ) {
      if (lines[i] === old[from + i]) {
        i++;
        continue;
      }
      const start = i;
      while (i < lines.length - tail && lines[i] !== old[from + i]) i++;
      stretches.push({ from: from + start, count: i - start, lines: lines.slice(start, i) });
    }
    return stretches;
  }

  private *updateChecks(): Generator<LintStep> {
    const update = this.checks.update();
    while (!update.next().done) yield 'checks';
  }
}

/**
 * How many lines at the start (`head`) and at the end (`tail`) of a new version are the old version's, unchanged;
 * of `lines` standing for the `removed` lines of `old` from `from`, when given.
 */
export function unchangedEnds(
  old: readonly string[],
  lines: readonly string[],
  from = 0,
  removed = old.length - from,
): { head: number; tail: number } {
  const common = Math.min(lines.length, removed);
  let head = 0;
  while (head < common && lines[head] === old[from + head]) head++;
  let tail = 0;
  while (tail < common - head && lines[lines.length - 1 - tail] === old[from + removed - 1 - tail]) tail++;
  return { head, tail };
}
