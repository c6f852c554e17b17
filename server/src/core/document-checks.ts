/**
 * The file-level checks of an editor's document, kept up to date as its lines change, where FileLinter runs them over
 * every line of a file read once. Each check keeps what decides it, in lists that an edit changes in one stretch:
 *
 * - per metric key, its data lines by payload type and by dimension tuple, and the first line of each tuple, in line
 *   order: the first line of each type decides MK011 and MK010, the (budget + 1)-th tuple to appear MK012;
 * - per stored key, its metadata lines in line order: all but the first are MD005;
 * - the lines with a timestamp, by its value: those out of the window (TS003) are the two ends of the list, found by
 *   binary search whatever `now` is;
 * - the lines with a finding, their own or one the rest of the file gives them, in line order: the diagnostics are
 *   made from these and the stale lines only;
 * - LN002 and LN003 fall within the first request's worth of lines (1,000 lines, 1 MB): that prefix is read again
 *   only when an edit reaches into it.
 *
 * An edit replaces a run of lines by another (`replace`). Both runs are one stretch of every list kept in line order,
 * so each such list changes by one splice, and only the keys the two runs name are decided again: the work is the
 * changed lines and the lines whose findings they change, plus moving pointers (splices, and renumbering the lines
 * after an edit that adds or removes some). Past the caps on keys (MK013, at most 100,000) the findings depend on
 * which keys came first in the whole file, and the file is checked whole by a FileLinter instead.
 */
import { checkTimestampWindow } from './check.ts';
import {
  bytesInRequest,
  detach,
  FileLinter,
  metadataRepeatProblem,
  mixedTypeProblem,
  OTHER_LINE,
  overBudgetProblem,
  overRequestProblem,
  renamesKey,
  rootCauseProblems,
  severityOf,
  windowByUnit,
  withoutReplacedWarning,
  suffixProblem,
  toDiagnostics,
  type KeySummaries,
  type KeySummary,
  type KeyUse,
  type LineFacts,
  type LintOptions,
  type PayloadType,
} from './lint.ts';
import { storedKey } from './keys.ts';
import type { Token } from './parse.ts';
import type { Diagnostic, Problem } from './problems.ts';
import { LIMITS, type Limits, type RuleCode } from './rules.ts';

/** One line of the document as the checks see it. */
interface LineEntry {
  readonly facts: LineFacts;
  /** Its line number in the current version; -1 once an edit has removed it. */
  index: number;
  /** The findings the rest of the file gives it (SUFFIX, MIXED, OVER_BUDGET, REPEAT). */
  flags: number;
  /** Its timestamp's value (epoch ms), NaN when it has none. */
  readonly timestamp: number;
}

const SUFFIX = 1;
const MIXED = 2;
const OVER_BUDGET = 4;
const REPEAT = 8;

/** Comments and blank lines: in no list, never numbered. */
const OTHER: LineEntry = Object.freeze({
  facts: OTHER_LINE,
  index: -1,
  flags: 0,
  timestamp: NaN,
});

/** The data and metadata lines of one metric key. */
class KeyLines {
  /** Data and metadata lines that name the key: the key is in the file while there is one. */
  lines = 0;
  /** Data lines with a known payload type, by that type, in line order. */
  readonly byType: Record<PayloadType, LineEntry[]> = { gauge: [], count: [] };
  /** Data lines per dimension tuple (its hash), in line order: a line alone as itself (most tuples have one). */
  readonly tuples = new Map<number, LineEntry | LineEntry[]>();
  /** The first line of each tuple, in line order: the (budget + 1)-th is over the budget. */
  readonly firsts: LineEntry[] = [];
  /** The lines given MK010, MK011, MK012 now. */
  suffixAt: LineEntry | null = null;
  mixedAt: LineEntry | null = null;
  overBudgetAt: LineEntry | null = null;

  constructor(readonly key: string) {}

  /** The key's first data line with a known payload type, which sets its type. */
  firstUse(): LineEntry | undefined {
    return earlier(this.byType.gauge[0], this.byType.count[0]);
  }

  firstOf(tuple: number): LineEntry | undefined {
    const lines = this.tuples.get(tuple);
    return Array.isArray(lines) ? lines[0] : lines;
  }

  /**
   * The tuple's lines numbered from `from` to before `to` (one at least) leave it. Returns its first line left when
   * that is another than before: the caller puts it in `firsts` (and takes the removed first out).
   */
  removeFromTuple(tuple: number, from: number, to: number): LineEntry | null {
    const lines = this.tuples.get(tuple);
    if (!Array.isArray(lines)) {
      this.tuples.delete(tuple);
      return null;
    }
    const first = lines[0];
    removeStretch(lines, from, to);
    if (lines.length === 0) this.tuples.delete(tuple);
    else if (lines.length === 1) this.tuples.set(tuple, lines[0] as LineEntry);
    return lines[0] !== first ? (lines[0] ?? null) : null;
  }

  /**
   * New lines of the tuple (`run`, in order, numbered where it has none) join it. Returns whether the first of them
   * is its first line now; if so, the first it had has left `firsts`, and the caller puts the new one in.
   */
  addToTuple(tuple: number, run: LineEntry[]): boolean {
    const lines = this.tuples.get(tuple);
    const first = Array.isArray(lines) ? lines[0] : lines;
    if (lines === undefined) this.tuples.set(tuple, run.length === 1 ? (run[0] as LineEntry) : run);
    else {
      const list = Array.isArray(lines) ? lines : [lines];
      spliceIn(list, lowerBound(list, (run[0] as LineEntry).index), 0, run);
      this.tuples.set(tuple, list);
    }
    if (this.firstOf(tuple) === first) return false;
    if (first) removeLine(this.firsts, first);
    return true;
  }
}

/** The metadata lines of one stored key, in line order; all but the first are repeats (MD005). */
interface MetadataLines {
  readonly stored: string;
  readonly entries: LineEntry[];
  first: LineEntry | null;
}

/** What an edit leaves to decide again: the keys and stored keys it named; tuples whose first line it removed. */
interface Decide {
  keys: Set<KeyLines>;
  metadata: Set<MetadataLines>;
  /** A tuple's line that became its first when the edit removed the first, to put in `firsts`. */
  nextFirsts: Array<{ lines: KeyLines; first: LineEntry }>;
}

type Holder = 'suffixAt' | 'mixedAt' | 'overBudgetAt';
/** Each finding a key's lines decide, and its flag. */
const HOLDERS: ReadonlyArray<readonly [Holder, number]> = [
  ['suffixAt', SUFFIX],
  ['mixedAt', MIXED],
  ['overBudgetAt', OVER_BUDGET],
];

/** The lines that decide LN002 and LN003, and the last line read to find them (Infinity: all of them). */
interface RequestLimits {
  linesOver: LineEntry | null;
  bytesOver: LineEntry | null;
  readTo: number;
}

/** A version's diagnostics (perhaps only the first of them), how many there are, what the file says of each key. */
export interface Linted {
  diagnostics: Diagnostic[];
  count: number;
  keys: KeySummaries;
}

/** Entries handled between two yields of `replace` and `lint`. */
const STEP_LINES = 500;
/** Up to this many timestamps an edit adds or removes are put in place one by one; more are merged. */
const FEW_TIMESTAMPS = 64;

export class DocumentChecks implements KeySummaries {
  /** Every line of the current version, in order. */
  private readonly entries: LineEntry[] = [];
  private readonly keys = new Map<string, KeyLines>();
  /** Per stored key (MD005 counts `#jobs count` and `#jobs gauge` apart). */
  private readonly metadata = new Map<string, MetadataLines>();
  /** The lines with a timestamp, by its value, then in line order. */
  private readonly timestamps: LineEntry[] = [];
  /** The lines with a finding of their own or flags, in line order. */
  private readonly flagged: LineEntry[] = [];
  /** null: to be found again. */
  private request: RequestLimits | null = null;
  /** The update `replace` began, while it is not done. */
  private unfinished: Generator<void> | null = null;
  private readonly limits: Limits;
  /** Whether the window check names a timestamp's unit (windowByUnit). */
  private readonly windowByUnit: boolean;

  /** `options`: everything but the clock, fixed for the checks' life. */
  constructor(private readonly options: Omit<LintOptions, 'now'>) {
    this.limits = { ...LIMITS, ...options.limits };
    this.windowByUnit = windowByUnit(options.severities ?? {});
  }

  /**
   * Replaces, for each of `stretches` (apart from each other, numbered as the lines are now), the `count` lines from
   * line `from` by lines of `facts`. The update is done by `update`, in steps, or at once by whatever is asked next.
   */
  replace(stretches: ReadonlyArray<{ from: number; count: number; facts: readonly LineFacts[] }>): void {
    this.finish();
    this.unfinished = this.updatingAll(stretches);
  }

  /**
   * Does the update `replace` began, yielding every STEP_LINES lines. A caller that stops iterating leaves the rest
   * to the next call (of this or any other method).
   */
  *update(): Generator<void> {
    const updating = this.unfinished;
    if (!updating) return;
    // Not `yield*`: stopping this generator must not end the update.
    while (!updating.next().done) yield;
    this.unfinished = null;
  }

  private finish(): void {
    const updating = this.unfinished;
    if (!updating) return;
    while (!updating.next().done);
    this.unfinished = null;
  }

  private *updatingAll(
    stretches: ReadonlyArray<{ from: number; count: number; facts: readonly LineFacts[] }>,
  ): Generator<void> {
    /** Lines removed and added so far, for a yield every STEP_LINES of them however many stretches. */
    const done = { lines: 0 };
    // The last first: a stretch leaves the numbers of the lines before it as they are.
    for (const { from, count, facts } of [...stretches].sort((a, b) => b.from - a.from))
      yield* this.updating(from, count, facts, done);
  }

  private *updating(
    from: number,
    count: number,
    facts: readonly LineFacts[],
    done: { lines: number },
  ): Generator<void> {
    const decide: Decide = { keys: new Set(), metadata: new Set(), nextFirsts: [] };
    yield* this.removeLines(from, from + count, decide, done);
    const added = this.placeLines(from, count, facts);
    yield* this.addLines(from, added, decide, done);
    this.decideAgain(decide, from, added);
    if (this.request && from <= this.request.readTo) this.request = null;
  }

  /** The lines numbered from `from` to before `to` leave every list they are in: one stretch of each. */
  private *removeLines(from: number, to: number, decide: Decide, done: { lines: number }): Generator<void> {
    const entries = this.entries;
    const shortened = new Set<LineEntry[]>();
    const tuplesShortened = new Map<KeyLines, Set<number>>();
    const timestampsGone: LineEntry[] = [];
    for (let i = from; i < to; i++) {
      const entry = entries[i] as LineEntry;
      if (++done.lines % STEP_LINES === 0) yield;
      if (entry === OTHER) continue;
      if (!Number.isNaN(entry.timestamp)) timestampsGone.push(entry);
      const facts = entry.facts;
      if (facts.key !== '') {
        const lines = this.keys.get(facts.key) as KeyLines;
        lines.lines--;
        decide.keys.add(lines);
        const use = facts.use;
        if (use) {
          shortened.add(lines.byType[use.type]);
          const tuples = tuplesShortened.get(lines);
          if (tuples) tuples.add(use.tuple);
          else tuplesShortened.set(lines, new Set([use.tuple]));
        }
        const stored = storedKeyOfFacts(facts);
        if (stored !== null) {
          const repeats = this.metadata.get(stored) as MetadataLines;
          shortened.add(repeats.entries);
          decide.metadata.add(repeats);
        }
      }
    }
    for (const list of shortened) removeStretch(list, from, to);
    for (const lines of decide.keys) removeStretch(lines.firsts, from, to);
    removeStretch(this.flagged, from, to);
    if (timestampsGone.length <= FEW_TIMESTAMPS) for (const entry of timestampsGone) this.removeTimestamp(entry);
    for (const [lines, tuples] of tuplesShortened) {
      for (const tuple of tuples) {
        const next = lines.removeFromTuple(tuple, from, to);
        if (next) decide.nextFirsts.push({ lines, first: next });
      }
    }
    for (let i = from; i < to; i++) {
      const entry = entries[i] as LineEntry;
      if (entry !== OTHER) entry.index = -1;
    }
    if (timestampsGone.length > FEW_TIMESTAMPS) keepInPlace(this.timestamps, (e) => e.index >= 0);
  }

  /**
   * The new lines take the place of the `count` removed from `from`; the lines after them are numbered again if the
   * count changed. Returns the new lines.
   */
  private placeLines(from: number, count: number, facts: readonly LineFacts[]): LineEntry[] {
    const entries = this.entries;
    const added = facts.map((f, i) =>
      f.kind === 'other' ? OTHER : { facts: f, index: from + i, flags: 0, timestamp: timestampOf(f) },
    );
    spliceIn(entries, from, count, added);
    if (added.length !== count) {
      for (let i = from + added.length; i < entries.length; i++) {
        const entry = entries[i] as LineEntry;
        if (entry !== OTHER) entry.index = i;
      }
    }
    return added;
  }

  /** The new lines (numbered from `from`) join the lists, as one stretch each, where the removed ones were. */
  private *addLines(
    from: number,
    added: readonly LineEntry[],
    decide: Decide,
    done: { lines: number },
  ): Generator<void> {
    const grown = new Map<LineEntry[], LineEntry[]>();
    const grow = (list: LineEntry[], entry: LineEntry) => {
      const run = grown.get(list);
      if (run) run.push(entry);
      else grown.set(list, [entry]);
    };
    const tuplesGrown = new Map<KeyLines, Map<number, LineEntry[]>>();
    const timestampsCome: LineEntry[] = [];
    for (let i = 0; i < added.length; i++) {
      const entry = added[i] as LineEntry;
      if (++done.lines % STEP_LINES === 0) yield;
      if (entry === OTHER) continue;
      const facts = entry.facts;
      // The facts take the checks' copies of the key and timestamp: they then hold no part of the line's text,
      // which a clean line no longer needs.
      if (facts.timestamp) {
        timestampsCome.push(entry);
        facts.timestamp = { ...facts.timestamp, text: detach(facts.timestamp.text) };
      }
      if (facts.key !== '') {
        const lines = this.keyLines(facts.key);
        facts.key = lines.key;
        lines.lines++;
        decide.keys.add(lines);
        const use = facts.use;
        if (use) {
          grow(lines.byType[use.type], entry);
          let runs = tuplesGrown.get(lines);
          if (!runs) tuplesGrown.set(lines, (runs = new Map()));
          const run = runs.get(use.tuple);
          if (run) run.push(entry);
          else runs.set(use.tuple, [entry]);
        }
        const stored = storedKeyOfFacts(facts);
        if (stored !== null) {
          const repeats = this.metadataLines(stored);
          grow(repeats.entries, entry);
          decide.metadata.add(repeats);
          // A repeat unless it is the first (decideAgain).
          entry.flags |= REPEAT;
        }
      }
    }
    for (const [list, run] of grown) spliceIn(list, lowerBound(list, from), 0, run);
    for (const [lines, runs] of tuplesGrown) {
      const newFirsts: LineEntry[] = [];
      for (const [tuple, run] of runs) if (lines.addToTuple(tuple, run)) newFirsts.push(run[0] as LineEntry);
      newFirsts.sort(byIndex);
      spliceIn(lines.firsts, lowerBound(lines.firsts, from), 0, newFirsts);
    }
    for (const { lines, first } of decide.nextFirsts) {
      if (lines.firstOf(tupleOf(first)) === first) insertLine(lines.firsts, first);
    }
    if (timestampsCome.length <= FEW_TIMESTAMPS) for (const entry of timestampsCome) this.insertTimestamp(entry);
    else mergeTimestamps(this.timestamps, timestampsCome);
  }

  /** The keys and stored keys an edit named are decided again; their lines' flags, and `flagged`, follow. */
  private decideAgain(decide: Decide, from: number, added: readonly LineEntry[]): void {
    const addedEnd = from + added.length;
    const flag = (entry: LineEntry | null, bit: number, on: boolean) => {
      if (!entry || entry.index < 0) return;
      const was = isFlagged(entry);
      entry.flags = on ? entry.flags | bit : entry.flags & ~bit;
      // New lines join `flagged` below, as one stretch.
      if ((entry.index >= from && entry.index < addedEnd) || was === isFlagged(entry)) return;
      if (was) removeLine(this.flagged, entry);
      else insertLine(this.flagged, entry);
    };
    for (const lines of decide.keys) {
      if (lines.lines === 0) {
        this.keys.delete(lines.key);
        continue;
      }
      const decided = this.decide(lines);
      for (const [holder, bit] of HOLDERS) {
        if (decided[holder] === lines[holder]) continue;
        flag(lines[holder], bit, false);
        flag((lines[holder] = decided[holder]), bit, true);
      }
    }
    for (const repeats of decide.metadata) {
      const first = repeats.entries[0] ?? null;
      if (first === null) this.metadata.delete(repeats.stored);
      if (first === repeats.first) continue;
      flag(repeats.first, REPEAT, true);
      flag((repeats.first = first), REPEAT, false);
    }
    const flaggedRun = added.filter((entry) => entry !== OTHER && isFlagged(entry));
    spliceIn(this.flagged, lowerBound(this.flagged, from), 0, flaggedRun);
  }

  /**
   * The diagnostics of the current version against `now` (epoch ms; null: no timestamp window), in line order, the
   * first `shown` of them at least (those past it are counted, not made: a capped list costs what it shows), how
   * many there are, and what the file says of each key; yields every STEP_LINES lines with findings. Valid until the
   * next `replace`.
   */
  *lint(now: number | null, shown = Infinity): Generator<void, Linted> {
    this.finish();
    if (
      this.keys.size > this.limits.metricKeysPerEnvironment ||
      this.metadata.size > this.limits.metricKeysPerEnvironment
    )
      return yield* this.lintWhole(now, shown);
    const diagnostics: Diagnostic[] = [];
    let count = 0;
    const request = (this.request ??= this.findRequestLimits());
    const severities = this.options.severities ?? {};
    const limits = this.limits;
    const lines = this.linesWithFindings(now, request);
    /** The timestamp window (as isOutsideWindow has it). */
    const windowStart = now === null ? 0 : now - limits.timestampPastMs;
    const windowEnd = now === null ? 0 : now + limits.timestampFutureMs;
    /** The last line of a JSON document spread over lines (LN007) met so far, and that document's first line. */
    let json: LineEntry | null = null;
    let jsonStart = -1;
    for (let n = 0; n < lines.length; n++) {
      if (n % STEP_LINES === STEP_LINES - 1) yield;
      const entry = lines[n] as LineEntry;
      const facts = entry.facts;
      let inJson = -1;
      if (facts.rootCause?.jsonPart) {
        if (json !== null && this.countedBefore(entry) === json) inJson = jsonStart;
        json = entry;
        jsonStart = inJson < 0 ? entry.index : inJson;
      }
      const own = rootCauseProblems(facts, inJson, severities) ?? facts.problems;
      const stale = now !== null && (entry.timestamp < windowStart || entry.timestamp > windowEnd);
      const added = this.addedCodes(entry, stale, request);
      const window = stale ? this.windowProblem(entry, now as number) : null;
      // A timestamp in another unit that falls outside the window: TS002, an error, in place of the line's warning.
      const mine = window ? withoutReplacedWarning(own, window) : own;
      if (diagnostics.length >= shown) {
        for (const p of mine) if (severityOf(p, severities) !== 'off') count++;
        for (const code of added)
          if (severityOf(code === 'TS003' ? (window as Problem) : code, severities) !== 'off') count++;
        continue;
      }
      const problemOf = (code: RuleCode) => (code === 'TS003' ? (window as Problem) : this.addedProblem(code, entry));
      const found = toDiagnostics(entry.index, added.length > 0 ? mine.concat(added.map(problemOf)) : mine, severities);
      for (const d of found) diagnostics.push(d);
      count += found.length;
    }
    return { diagnostics, count, keys: this };
  }

  /** The findings the rest of the file and the clock give a line, in FileLinter's order. */
  private addedCodes(entry: LineEntry, stale: boolean, request: RequestLimits): RuleCode[] {
    const codes: RuleCode[] = [];
    if (stale) codes.push('TS003');
    if (entry === request.linesOver) codes.push('LN002');
    if (entry === request.bytesOver) codes.push('LN003');
    if (entry.flags & REPEAT) codes.push('MD005');
    if (entry.flags & MIXED) codes.push('MK011');
    if (entry.flags & SUFFIX) codes.push('MK010');
    if (entry.flags & OVER_BUDGET) codes.push('MK012');
    return codes;
  }

  /** A stale line's finding: TS003, or TS002 for a timestamp in another unit (both rules on, as FileLinter has it). */
  private windowProblem(entry: LineEntry, now: number): Problem {
    const t = entry.facts.timestamp as Token;
    return checkTimestampWindow(t.start, t.end, t.text, now, this.limits, this.windowByUnit) as Problem;
  }

  /** The finding of `code` (one of addedCodes but TS003: windowProblem) on a line. */
  private addedProblem(code: RuleCode, entry: LineEntry): Problem {
    const facts = entry.facts;
    const limits = this.limits;
    const use = facts.use as KeyUse;
    const lines = this.keys.get(facts.key) as KeyLines;
    switch (code) {
      case 'LN002':
      case 'LN003':
        return overRequestProblem(code, facts.keyStart, facts.keyEnd, limits);
      case 'MD005': {
        const stored = storedKeyOfFacts(facts) as string;
        const first = (this.metadata.get(stored) as MetadataLines).first as LineEntry;
        return metadataRepeatProblem(stored, facts.keyStart, facts.keyEnd, first.index);
      }
      case 'MK011': {
        const first = lines.firstUse() as LineEntry;
        return mixedTypeProblem(lines.key, use.payloadStart, use.payloadEnd, typeOf(first), first.index);
      }
      case 'MK010':
        return facts.metadataType !== null
          ? suffixProblem(lines.key, facts.metadataType, facts.keyStart, facts.keyEnd)
          : suffixProblem(lines.key, use.type, 0, use.keyEnd);
      default:
        return overBudgetProblem(lines.key, use.keyEnd, use.dimensionsEnd, limits.cardinalityBudget);
    }
  }

  /** Whether a line has a well-formed timestamp: the window moves with the clock. */
  get hasTimestamps(): boolean {
    this.finish();
    return this.timestamps.length > 0;
  }

  /** Undefined while an update is under way (a hover leaves the key's summary out rather than wait for it). */
  keySummary(key: string): KeySummary | undefined {
    if (this.unfinished) return undefined;
    const lines = this.keys.get(key);
    if (!lines) return undefined;
    const first = lines.firstUse();
    const budget = this.limits.cardinalityBudget;
    const series = lines.firsts.length;
    return {
      type: first ? typeOf(first) : null,
      firstLine: first ? first.index : -1,
      series: series > budget ? null : series,
      budget,
    };
  }

  /** Past a cap on keys, which keys count depends on the order of the whole file: it is linted whole. */
  private *lintWhole(now: number | null, shown: number): Generator<void, Linted> {
    const linter = new FileLinter({ ...this.options, now });
    const diagnostics: Diagnostic[] = [];
    let count = 0;
    const entries = this.entries;
    for (let i = 0; i < entries.length; i++) {
      const found = linter.lintFacts(i, (entries[i] as LineEntry).facts);
      count += found.length;
      if (diagnostics.length < shown) for (const d of found) diagnostics.push(d);
      if (i % STEP_LINES === STEP_LINES - 1) yield;
    }
    return { diagnostics, count, keys: linter };
  }

  /** The lines that have a finding under `now`, in line order: flagged, stale, over a request's limit. */
  private linesWithFindings(now: number | null, request: RequestLimits): LineEntry[] {
    const timestamps = this.timestamps;
    let found = this.flagged;
    if (now !== null && timestamps.length > 0) {
      const fresh = timestampBound(timestamps, now - this.limits.timestampPastMs, -Infinity);
      const future = timestampBound(timestamps, now + this.limits.timestampFutureMs, Infinity);
      if (fresh > 0 || future < timestamps.length)
        found = found.concat(timestamps.slice(0, fresh), timestamps.slice(future));
    }
    if (request.linesOver) found = found.concat(request.linesOver);
    if (request.bytesOver) found = found.concat(request.bytesOver);
    if (found === this.flagged) return found;
    // Runs in line order, concatenated: the sort merges them.
    found.sort(byIndex);
    return found.filter((entry, i) => i === 0 || found[i - 1] !== entry);
  }

  /** LN002, LN003: the (limit + 1)-th line to send, and the one that takes a request past its bytes. */
  private findRequestLimits(): RequestLimits {
    const { linesPerRequest, requestMaxBytes } = this.limits;
    const entries = this.entries;
    let lines = 0;
    let bytes = 0;
    let linesOver: LineEntry | null = null;
    let bytesOver: LineEntry | null = null;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as LineEntry;
      if (entry === OTHER) continue;
      lines++;
      if (lines === linesPerRequest + 1) linesOver = entry;
      if (bytesOver === null) {
        bytes += bytesInRequest(entry.facts.bytes, lines);
        if (bytes > requestMaxBytes) bytesOver = entry;
      }
      if (linesOver && bytesOver) return { linesOver, bytesOver, readTo: i };
    }
    return { linesOver, bytesOver, readTo: Infinity };
  }

  /** The data or metadata line before `entry`, past comments and blank lines, or null. */
  private countedBefore(entry: LineEntry): LineEntry | null {
    for (let i = entry.index - 1; i >= 0; i--) {
      const before = this.entries[i] as LineEntry;
      if (before !== OTHER) return before;
    }
    return null;
  }

  /** Which of a key's lines MK010, MK011 and MK012 fall on. */
  private decide(lines: KeyLines): Pick<KeyLines, Holder> {
    const { gauge, count } = lines.byType;
    const key = lines.key;
    const first = lines.firstUse();
    const other = first && typeOf(first) === 'gauge' ? count : gauge;
    // A key's lines of the type that renames it, metadata or data: the first of them gets MK010.
    const renaming: PayloadType = renamesKey(key, 'count') ? 'count' : 'gauge';
    return {
      suffixAt: renamesKey(key, renaming)
        ? (earlier(lines.byType[renaming][0], this.firstMetadataOf(key, renaming)) ?? null)
        : null,
      mixedAt: (first && other[0]) ?? null,
      overBudgetAt: lines.firsts[this.limits.cardinalityBudget] ?? null,
    };
  }

  /** The key's first metadata line of `type`. */
  private firstMetadataOf(key: string, type: PayloadType): LineEntry | undefined {
    return this.metadata.get(storedKey(key, type))?.entries.find((entry) => entry.facts.key === key);
  }

  private keyLines(key: string): KeyLines {
    let lines = this.keys.get(key);
    if (!lines) {
      lines = new KeyLines(detach(key));
      this.keys.set(lines.key, lines);
    }
    return lines;
  }

  private metadataLines(stored: string): MetadataLines {
    let repeats = this.metadata.get(stored);
    if (!repeats) {
      repeats = { stored: detach(stored), entries: [], first: null };
      this.metadata.set(repeats.stored, repeats);
    }
    return repeats;
  }

  private removeTimestamp(entry: LineEntry): void {
    const at = timestampBound(this.timestamps, entry.timestamp, entry.index);
    if (this.timestamps[at] === entry) this.timestamps.splice(at, 1);
  }

  private insertTimestamp(entry: LineEntry): void {
    this.timestamps.splice(timestampBound(this.timestamps, entry.timestamp, entry.index), 0, entry);
  }
}

function timestampOf(facts: LineFacts): number {
  return facts.timestamp ? Number(facts.timestamp.text) : NaN;
}

const typeOf = (entry: LineEntry): PayloadType => (entry.facts.use as { type: PayloadType }).type;
const tupleOf = (entry: LineEntry): number => (entry.facts.use as { tuple: number }).tuple;
const isFlagged = (entry: LineEntry): boolean => entry.flags !== 0 || entry.facts.problems.length > 0;
const byIndex = (a: LineEntry, b: LineEntry): number => a.index - b.index;

/** The one of two lines that comes first; undefined when neither is given. */
function earlier(a: LineEntry | undefined, b: LineEntry | undefined): LineEntry | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.index < b.index ? a : b;
}

/** The key a metadata line's metric is stored under (MD005); null for other lines. */
const storedKeyOfFacts = (facts: LineFacts): string | null =>
  facts.metadataType === null ? null : storedKey(facts.key, facts.metadataType);

/** The first position in `list` (in line order) of a line numbered `index` or after. */
function lowerBound(list: readonly LineEntry[], index: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as LineEntry).index < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Removes the lines numbered from `from` to before `to` from a list in line order. */
function removeStretch(list: LineEntry[], from: number, to: number): void {
  const start = lowerBound(list, from);
  const end = lowerBound(list, to);
  if (end > start) list.splice(start, end - start);
}

function insertLine(list: LineEntry[], entry: LineEntry): void {
  list.splice(lowerBound(list, entry.index), 0, entry);
}

function removeLine(list: LineEntry[], entry: LineEntry): void {
  const at = lowerBound(list, entry.index);
  if (list[at] === entry) list.splice(at, 1);
}

/** The first position in the timestamp list of a line not before (`value`, `index`). */
function timestampBound(list: readonly LineEntry[], value: number, index: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const entry = list[mid] as LineEntry;
    if (entry.timestamp < value || (entry.timestamp === value && entry.index < index)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Puts many new lines into the timestamp list: sorted, then merged, in one pass over the list. */
function mergeTimestamps(list: LineEntry[], come: LineEntry[]): void {
  const before = (a: LineEntry, b: LineEntry) =>
    a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.index < b.index);
  come.sort((a, b) => (before(a, b) ? -1 : 1));
  const old = list.splice(0);
  let i = 0;
  let j = 0;
  while (i < old.length || j < come.length) {
    const next = j >= come.length || (i < old.length && before(old[i] as LineEntry, come[j] as LineEntry));
    list.push(next ? (old[i++] as LineEntry) : (come[j++] as LineEntry));
  }
}

/** Keeps the items of `list` that pass `keep`, in order, in the same array. */
function keepInPlace<T>(list: T[], keep: (item: T) => boolean): void {
  let kept = 0;
  for (const item of list) if (keep(item)) list[kept++] = item;
  list.length = kept;
}

/** `list` with `deleteCount` items from `at` replaced by `items`, in place (a spread of many arguments overflows). */
export function spliceIn<T>(list: T[], at: number, deleteCount: number, items: readonly T[]): void {
  if (items.length <= 1000) {
    list.splice(at, deleteCount, ...items);
    return;
  }
  const tail = list.splice(at);
  for (const item of items) list.push(item);
  for (let i = deleteCount; i < tail.length; i++) list.push(tail[i] as T);
}
