/**
 * Lints a file line by line. The caller feeds lines in order (so a file of any size streams through in bounded
 * memory) and gets each line's diagnostics back at once; every file-level finding is placed on the line where it
 * becomes true (the second payload type, the second metadata line, the tuple over budget, the request limit).
 */
import { parseLine, type DataLine, type KeyValueNode, type ParsedLine, type Token } from './parse.ts';
import { checkDataLine, checkMetadataLine, checkTimestampWindow, isOutsideWindow } from './check.ts';
import { storedKey } from './keys.ts';
import { TupleHasher } from './tuple-hash.ts';
import { splitLines } from './text.ts';
import { CLEAN_PREFIX_BYTES, CLEAN_PREFIXES, CleanLineMatcher, CleanPrefixTable } from './fast-path.ts';
import { findRootCause } from './root-causes.ts';
import { hasError, problem, ruleSeverity, type Diagnostic, type Problem } from './problems.ts';
import {
  FINDINGS_PER_KIND,
  LIMITS,
  moreOfKind,
  RULES,
  type Limits,
  type RuleCode,
  type SeveritySetting,
} from './rules.ts';

export interface LintOptions {
  /** Epoch milliseconds to check timestamps against; null switches the timestamp window (TS003) off. */
  now: number | null;
  /** Severity per code, or 'off'. */
  severities?: Partial<Record<RuleCode, SeveritySetting>>;
  /** Limits the sources disagree on, and the cardinality budget. */
  limits?: Partial<Limits>;
}

export type PayloadType = 'gauge' | 'count';

interface KeyState {
  key: string;
  type: PayloadType | null;
  typeLine: number;
  suffixReported: boolean;
  mixedReported: boolean;
  /** Distinct dimension-tuple hashes, until the budget is passed; then null (the finding is made, memory freed). */
  series: Set<number> | null;
}

/** A line prefix (key and dimensions as written) that passed every line rule, for the fast path. */
interface CleanPrefix {
  state: KeyState;
  keyEnd: number;
  /** The prefix's length in UTF-16 code units, for the offsets of findings on fast-path lines. */
  length: number;
  tuple: number;
}

/**
 * What one line says on its own: the findings of the line rules (all but the timestamp window, which moves with
 * the clock) and what the file-level checks need. It depends only on the line's text and the limits, so an
 * editor keeps it for every line an edit did not touch (DocumentLinter).
 */
export interface LineFacts {
  /** Comments and blank lines take no part in the file-level checks. */
  kind: 'data' | 'metadata' | 'other';
  problems: readonly Problem[];
  key: string;
  keyStart: number;
  keyEnd: number;
  /** The line's UTF-8 length, for the request size (LN003). */
  bytes: number;
  /** A metadata line's payload type, when it is one (MD005, MK010). */
  metadataType: PayloadType | null;
  use: KeyUse | null;
  /** A well-formed timestamp, for the window (TS003). */
  timestamp: Token | null;
  /** The line's root cause (its one finding in `problems`), or null. */
  rootCause: LineRootCause | null;
}

interface LineRootCause {
  /** A line of a JSON document spread over several lines (LN007 on a line that is not JSON on its own). */
  jsonPart: boolean;
  /** The findings the root cause replaced, shown should its code be switched off. */
  replaced: readonly Problem[];
}

/** What the file-level checks need to know of a parsed data line (offsets in the line). */
export interface KeyUse {
  keyEnd: number;
  type: PayloadType;
  payloadStart: number;
  payloadEnd: number;
  /** The end of the last dimension value (dimensions start after the key's comma); -1 without dimensions. */
  dimensionsEnd: number;
  tuple: number;
}

/**
 * What the file-level checks need of a clean line's prefix (key and dimensions, up to the space before the payload),
 * which is the same on every line that starts with it (offsets in the line): for lintCleanPrefix.
 */
export interface CleanPrefixFacts {
  key: string;
  keyStart: number;
  keyEnd: number;
  /** The end of the last dimension value; -1 without dimensions. */
  dimensionsEnd: number;
  /** Where the payload starts: the prefix's length and its space. */
  payloadStart: number;
  tuple: number;
}

/** The problems of every line without any: nothing to keep per line. */
const NONE: readonly Problem[] = Object.freeze([]);
/** Shared by clean lines with no file-level finding: nothing to allocate. */
const NO_PROBLEMS: Problem[] = [];
const NO_DIAGNOSTICS: readonly Diagnostic[] = Object.freeze([]);

/** What a file says of a metric key: its payload type, the line that set it, its distinct dimension tuples. */
export interface KeySummary {
  type: PayloadType | null;
  firstLine: number;
  /** null once past the cardinality `budget`. */
  series: number | null;
  budget: number;
}

/** What a lint found of each key (hovers). */
export interface KeySummaries {
  keySummary(key: string): KeySummary | undefined;
}

export class FileLinter implements KeySummaries {
  private now: number | null;
  private readonly limits: Limits;
  private readonly severities: Partial<Record<RuleCode, SeveritySetting>>;
  /** Whether the window check names a timestamp's unit (windowByUnit). */
  private readonly windowByUnit: boolean;
  private readonly keys = new Map<string, KeyState>();
  /** First metadata line per stored metric key. */
  private readonly metadataLines = new Map<string, number>();
  /** The fast path's memory (~2.7 MB), made when a caller first offers bytes: editors, which never do, skip it. */
  private fastPath: { prefixes: CleanPrefixTable<CleanPrefix>; matcher: CleanLineMatcher<CleanPrefix> } | null = null;
  private keysCapped = false;
  private sentLines = 0;
  private sentBytes = 0;
  private bytesReported = false;
  /** The line being linted, for findings that point back to it later. */
  private lineIndex = 0;
  /** The first line of the JSON document the last data or metadata line was part of (LN007), or -1. */
  private jsonStart = -1;
  /** The facts of the last line lintParsed checked, for cleanPrefixOfLast. */
  private lastFacts: LineFacts | null = null;

  constructor(options: LintOptions) {
    this.now = options.now;
    this.limits = { ...LIMITS, ...options.limits };
    this.severities = options.severities ?? {};
    this.windowByUnit = windowByUnit(this.severities);
  }

  /** Switches the timestamp window (TS003) off from here on: the file's directives say a push replays its timestamps. */
  windowOff(): void {
    this.now = null;
  }

  /**
   * Lints the line at 0-based `index`; lines must come in order. Diagnostics are sorted by column.
   * `length` is the line's true length when the caller could keep only a prefix of a huge line. `bytes`, the
   * line's UTF-8 bytes, lets a clean line teach the fast path (lintCleanBytes) its prefix.
   */
  lintLine(index: number, text: string, length = text.length, bytes?: Uint8Array): readonly Diagnostic[] {
    return this.lintParsed(index, parseLine(text), length, bytes);
  }

  /** lintLine for a line the caller has parsed already (the tenant reads the parse for the points it stores). */
  lintParsed(
    index: number,
    parsed: ParsedLine,
    length = parsed.text.length,
    bytes?: Uint8Array,
  ): readonly Diagnostic[] {
    this.lineIndex = index;
    return toDiagnostics(index, this.check(parsed, length, bytes), this.severities);
  }

  /**
   * The fast path (fast-path.ts): lints the line at `index` given as UTF-8 bytes `buf[start, end)` (no line
   * break) when it is made of parts proven clean, running only the file-level checks. Returns null, before
   * touching any state, when the caller must decode the line and call lintLine.
   */
  lintCleanBytes(index: number, buf: Uint8Array, start: number, end: number): readonly Diagnostic[] | null {
    if (end - start > this.limits.lineMaxLength) return null;
    const m = this.fastPathTables().matcher;
    if (!m.match(buf, start, end)) return null;
    const now = this.now;
    if (m.timestamp >= 0 && now !== null && isOutsideWindow(m.timestamp, now, this.limits)) return null;
    this.lineIndex = index;
    this.jsonStart = -1;
    const hit = m.prefix as CleanPrefix;
    const problems = this.checkRequestLimits(0, hit.keyEnd, end - start, NO_PROBLEMS);
    const payloadStart = hit.length + 1;
    const dimensionsEnd = hit.keyEnd < hit.length ? hit.length : -1;
    const type = m.count ? 'count' : 'gauge';
    const found = this.recordUse(
      hit.state,
      type,
      hit.keyEnd,
      payloadStart,
      payloadStart + m.payloadLength,
      dimensionsEnd,
      hit.tuple,
      problems,
    );
    return toDiagnostics(index, found, this.severities);
  }

  /**
   * lintParsed for a data line made of a prefix (key and dimensions, up to the space before the payload) that the
   * line rules found clean on an earlier line under these limits (`prefix`: what that check knew of it), then a
   * payload in one of the fast path's clean forms (fast-path.ts) of `type` and `payloadLength` characters, then
   * `timestamp`: only the file-level checks run, with what lintParsed would find. `length` is the line's length,
   * `bytes` its UTF-8 length. Returns null, before touching any state, when the full check must run (a line too long,
   * a timestamp outside the window).
   */
  lintCleanPrefix(
    index: number,
    prefix: CleanPrefixFacts,
    type: PayloadType,
    payloadLength: number,
    timestamp: number,
    length: number,
    bytes: number,
  ): readonly Diagnostic[] | null {
    // Never true of a clean prefix and a clean payload today (both are short); kept so a longer limit form stays safe.
    if (length > this.limits.lineMaxLength) return null;
    const now = this.now;
    if (now !== null && isOutsideWindow(timestamp, now, this.limits)) return null;
    this.lineIndex = index;
    this.jsonStart = -1;
    const { key, keyStart, keyEnd } = prefix;
    let problems = this.checkRequestLimits(keyStart, keyEnd, bytes, NO_PROBLEMS);
    let state = this.keys.get(key);
    if (!state) {
      // stateOf may add MK013: never to the shared empty array.
      if (problems === NO_PROBLEMS) problems = [];
      state = this.stateOf(key, keyStart, keyEnd, problems);
      if (!state) return toDiagnostics(index, problems, this.severities);
    }
    const payloadStart = prefix.payloadStart;
    const found = this.recordUse(
      state,
      type,
      keyEnd,
      payloadStart,
      payloadStart + payloadLength,
      prefix.dimensionsEnd,
      prefix.tuple,
      problems,
    );
    return toDiagnostics(index, found, this.severities);
  }

  /**
   * What the last line lintParsed checked (its `text`) taught of its prefix when the line rules found nothing in it (a
   * data line with a known payload type, its prefix followed by a space), for lintCleanPrefix; null otherwise.
   */
  cleanPrefixOfLast(text: string): CleanPrefixFacts | null {
    const facts = this.lastFacts;
    const use = facts?.use;
    if (!facts || !use || facts.problems.length > 0 || text.charCodeAt(use.payloadStart - 1) !== 0x20) return null;
    const { key, keyStart } = facts;
    return {
      key,
      keyStart,
      keyEnd: use.keyEnd,
      dimensionsEnd: use.dimensionsEnd,
      payloadStart: use.payloadStart,
      tuple: use.tuple,
    };
  }

  private fastPathTables(): { prefixes: CleanPrefixTable<CleanPrefix>; matcher: CleanLineMatcher<CleanPrefix> } {
    if (!this.fastPath) {
      const prefixes = new CleanPrefixTable<CleanPrefix>(CLEAN_PREFIXES, CLEAN_PREFIX_BYTES);
      this.fastPath = { prefixes, matcher: new CleanLineMatcher(prefixes, this.limits.summaryTolerance) };
    }
    return this.fastPath;
  }

  /** Lints the line at `index` from its facts (lineFacts), which may have been kept from an earlier version. */
  lintFacts(index: number, facts: LineFacts): readonly Diagnostic[] {
    this.lineIndex = index;
    return toDiagnostics(index, this.checkFile(facts), this.severities);
  }

  /**
   * What this file says of a metric key so far: its payload type, the line that set it, and its distinct
   * dimension tuples (null once past the cardinality `budget`, when they are no longer counted).
   */
  keySummary(key: string): KeySummary | undefined {
    const state = this.keys.get(key);
    const budget = this.limits.cardinalityBudget;
    return (
      state && { type: state.type, firstLine: state.typeLine, series: state.series ? state.series.size : null, budget }
    );
  }

  private check(parsed: ParsedLine, length: number, bytes: Uint8Array | undefined): Problem[] {
    const facts = lineFacts(parsed, length, bytes ? bytes.length : utf8Length(parsed.text), this.limits);
    const problems = this.checkFile(facts);
    const use = facts.use;
    this.lastFacts = facts;
    if (use && bytes && facts.problems.length === 0) {
      // What follows the prefix in a clean line (payload, timestamp) is ASCII: as many bytes as code units.
      const prefixLength = use.payloadStart - 1;
      const prefixBytes = bytes.length - (parsed.text.length - prefixLength);
      const state = this.keys.get(facts.key);
      if (state && bytes[prefixBytes] === 0x20)
        this.fastPathTables().prefixes.add(bytes, 0, prefixBytes, {
          state,
          keyEnd: facts.keyEnd,
          length: prefixLength,
          tuple: use.tuple,
        });
    }
    return problems;
  }

  /** The checks that need the rest of the file, or the clock, on one line's facts. */
  private checkFile(facts: LineFacts): Problem[] {
    if (facts.kind === 'other') return NO_PROBLEMS;
    let problems = this.rootCauseOf(facts) ?? facts.problems.slice();
    const t = facts.timestamp;
    if (t && this.now !== null) {
      const stale = checkTimestampWindow(t.start, t.end, t.text, this.now, this.limits, this.windowByUnit);
      if (stale) problems = [...withoutReplacedWarning(problems, stale), stale];
    }
    this.checkRequestLimits(facts.keyStart, facts.keyEnd, facts.bytes, problems);
    if (facts.key === '') return problems;
    const state = this.stateOf(facts.key, facts.keyStart, facts.keyEnd, problems);
    if (!state) return problems;
    if (facts.kind === 'metadata') {
      const type = facts.metadataType;
      if (type === null) return problems;
      this.checkMetadataRepeat(storedKey(facts.key, type), facts.keyStart, facts.keyEnd, problems);
      const suffix = this.suffixNote(state, type, facts.keyStart, facts.keyEnd);
      if (suffix) problems.push(suffix);
      return problems;
    }
    const use = facts.use;
    if (!use) return problems;
    return this.recordUse(
      state,
      use.type,
      use.keyEnd,
      use.payloadStart,
      use.payloadEnd,
      use.dimensionsEnd,
      use.tuple,
      problems,
    );
  }

  /** A line's root cause (rootCauseProblems), following the JSON document the lines so far are part of. */
  private rootCauseOf(facts: LineFacts): Problem[] | null {
    const cause = facts.rootCause;
    const inJson = this.jsonStart;
    this.jsonStart = cause?.jsonPart ? (inJson < 0 ? this.lineIndex : inJson) : -1;
    return rootCauseProblems(facts, inJson, this.severities);
  }

  /** MD005: metadata counts once per stored metric, so `#jobs count` and `#jobs gauge` are two metrics. */
  private checkMetadataRepeat(stored: string, keyStart: number, keyEnd: number, problems: Problem[]): void {
    const first = this.metadataLines.get(stored);
    if (first !== undefined) {
      problems.push(metadataRepeatProblem(stored, keyStart, keyEnd, first));
    } else if (this.metadataLines.size < this.limits.metricKeysPerEnvironment) {
      this.metadataLines.set(detach(stored), this.lineIndex);
    }
  }

  private stateOf(key: string, start: number, end: number, problems: Problem[]): KeyState | undefined {
    let state = this.keys.get(key);
    if (state) return state;
    const limit = this.limits.metricKeysPerEnvironment;
    if (this.keys.size >= limit) {
      if (!this.keysCapped) problems.push(problem('MK013', start, end, { limit }));
      this.keysCapped = true;
      return undefined;
    }
    const stored = detach(key);
    state = { key: stored, type: null, typeLine: -1, suffixReported: false, mixedReported: false, series: new Set() };
    this.keys.set(stored, state);
    return state;
  }

  /**
   * LN002, LN003: where the lines to send pass one request's limits. `byteLength` is the line's UTF-8 length
   * (only read until LN003 is found). Returns `problems`, or a new array.
   */
  private checkRequestLimits(keyStart: number, keyEnd: number, byteLength: number, problems: Problem[]): Problem[] {
    const limits = this.limits;
    const lines = ++this.sentLines;
    if (this.bytesReported && lines !== limits.linesPerRequest + 1) return problems;
    const found: Problem[] = [];
    if (lines === limits.linesPerRequest + 1) found.push(overRequestProblem('LN002', keyStart, keyEnd, limits));
    if (!this.bytesReported) {
      this.sentBytes += bytesInRequest(byteLength, lines);
      if (this.sentBytes > limits.requestMaxBytes) {
        this.bytesReported = true;
        found.push(overRequestProblem('LN003', keyStart, keyEnd, limits));
      }
    }
    if (found.length === 0) return problems;
    if (problems === NO_PROBLEMS) return found;
    problems.push(...found);
    return problems;
  }

  /**
   * File-level checks of a data line's key: one payload type (MK011), the suffix (MK010), cardinality (MK012).
   * Returns the problems, in a new array if it had to add to the shared empty one. Positional arguments rather
   * than a KeyUse: this runs for every clean line, and must not allocate.
   */
  private recordUse(
    state: KeyState,
    type: PayloadType,
    keyEnd: number,
    payloadStart: number,
    payloadEnd: number,
    dimensionsEnd: number,
    tuple: number,
    problems: Problem[],
  ): Problem[] {
    const key = state.key;
    let found: Problem[] | null = null;
    if (state.type === null) {
      state.type = type;
      state.typeLine = this.lineIndex;
    } else if (state.type !== type && !state.mixedReported) {
      state.mixedReported = true;
      (found ??= []).push(mixedTypeProblem(key, payloadStart, payloadEnd, state.type, state.typeLine));
    }
    const suffix = this.suffixNote(state, type, 0, keyEnd);
    if (suffix) (found ??= []).push(suffix);
    const series = state.series;
    if (series !== null) {
      series.add(tuple);
      const budget = this.limits.cardinalityBudget;
      if (series.size > budget) {
        state.series = null;
        (found ??= []).push(overBudgetProblem(key, keyEnd, dimensionsEnd, budget));
      }
    }
    if (found === null) return problems;
    return problems === NO_PROBLEMS ? found : problems.concat(found);
  }

  /**
   * MK010, once per key and file, on the first line that names the key with a type it is stored under another key
   * for (a metadata line or a data line): for a given key only one of the two types adds a suffix.
   */
  private suffixNote(state: KeyState, type: PayloadType, start: number, end: number): Problem | null {
    if (state.suffixReported || !renamesKey(state.key, type)) return null;
    state.suffixReported = true;
    return suffixProblem(state.key, type, start, end);
  }
}

/**
 * The findings of a file-level check, made alike by FileLinter (a file read once, in order) and DocumentChecks (an
 * editor's document, kept up to date as it changes).
 */

/** Whether the window check may name a timestamp's unit (TS002 as an error): only with both rules on. */
export const windowByUnit = (severities: Partial<Record<RuleCode, SeveritySetting>>): boolean =>
  severities.TS002 !== 'off' && severities.TS003 !== 'off';

/**
 * A line's own findings once the window check found `window`: a TS002 error (a timestamp in another unit, out of the
 * window) takes the place of the line's TS002 warning, which the same function found.
 */
export const withoutReplacedWarning = (own: readonly Problem[], window: Problem): readonly Problem[] =>
  window.code === 'TS002' ? own.filter((p) => p.code !== 'TS002') : own;

/** LN002, LN003: the line where the lines to send pass one request's limit of lines or bytes. */
export function overRequestProblem(code: 'LN002' | 'LN003', keyStart: number, keyEnd: number, limits: Limits): Problem {
  const end = Math.max(keyEnd, keyStart + 1);
  return code === 'LN002'
    ? problem('LN002', keyStart, end, { lines: limits.linesPerRequest })
    : problem('LN003', keyStart, end, { bytes: limits.requestMaxBytes });
}

/** What a line adds to a request's size: its UTF-8 length and, after the first, the `\n` that joins it (none trails). */
export const bytesInRequest = (byteLength: number, nth: number): number => byteLength + (nth > 1 ? 1 : 0);

/** MK011: a data line whose payload type is not the one the key's first data line set. */
export function mixedTypeProblem(
  key: string,
  payloadStart: number,
  payloadEnd: number,
  first: PayloadType,
  firstLine: number,
): Problem {
  return problem('MK011', payloadStart, payloadEnd, { key, first, firstLine }, { relatedLine: firstLine });
}

/** Whether a payload type stores the key under another name (`.count`, `.gauge`): MK010. */
export const renamesKey = (key: string, type: PayloadType): boolean => storedKey(key, type) !== key;

/**
 * MK010: the first line (metadata or data) that names the key with a payload type storing it under another name. A
 * count's suffix is every count's, nothing to act on: a hint. A gauge's `.gauge` surprises: an info.
 */
export function suffixProblem(key: string, type: PayloadType, start: number, end: number): Problem {
  const grade = type === 'count' ? 'lesser' : 'full';
  return problem('MK010', start, end, { key, storedAs: storedKey(key, type), payload: type }, undefined, grade);
}

/** MK012: the line whose dimension tuple is the first past the key's cardinality budget. */
export function overBudgetProblem(key: string, keyEnd: number, dimensionsEnd: number, budget: number): Problem {
  const start = dimensionsEnd < 0 ? 0 : keyEnd + 1;
  return problem('MK012', start, dimensionsEnd < 0 ? keyEnd : dimensionsEnd, { key, budget });
}

/** MD005: a metadata line of a stored metric key that an earlier metadata line already described. */
export function metadataRepeatProblem(stored: string, keyStart: number, keyEnd: number, firstLine: number): Problem {
  return problem('MD005', keyStart, keyEnd, { key: stored, firstLine }, { relatedLine: firstLine });
}

/**
 * A line's root cause as its file and the settings see it (null when it has none): switched off, the findings it
 * replaced; a line of a JSON document after its first (`inJson`, that first line, or -1), a finding that points to
 * that first line (every line is refused, and each says why, once).
 */
export function rootCauseProblems(
  facts: LineFacts,
  inJson: number,
  severities: Partial<Record<RuleCode, SeveritySetting>>,
): Problem[] | null {
  const cause = facts.rootCause;
  if (!cause) return null;
  const found = facts.problems[0] as Problem;
  if (severities[found.code] === 'off') return cause.replaced.slice();
  if (!cause.jsonPart || inJson < 0) return null;
  return [
    problem('LN007', found.start, found.end, { whole: false, line: null, firstLine: inJson }, { relatedLine: inJson }),
  ];
}

/** A problem's severity under the settings (`code` alone: a file-level finding, of its rule's own severity). */
export function severityOf(
  p: Problem | RuleCode,
  severities: Partial<Record<RuleCode, SeveritySetting>>,
): SeveritySetting {
  return typeof p === 'string' ? (severities[p] ?? RULES[p].severity) : (severities[p.code] ?? ruleSeverity(p));
}

/** A line's problems as diagnostics under the settings' severities (those switched off left out), sorted by column. */
export function toDiagnostics(
  index: number,
  problems: readonly Problem[],
  severities: Partial<Record<RuleCode, SeveritySetting>>,
): readonly Diagnostic[] {
  if (problems.length === 0) return NO_DIAGNOSTICS;
  const diagnostics: Diagnostic[] = [];
  for (const p of problems) {
    const severity = severityOf(p, severities);
    if (severity === 'off') continue;
    const d: Diagnostic = {
      line: index,
      startChar: p.start,
      endChar: p.end,
      severity,
      code: p.code,
      message: p.message,
    };
    if (p.data) d.data = p.data;
    diagnostics.push(d);
  }
  if (diagnostics.length > 1)
    diagnostics.sort((a, b) => a.startChar - b.startChar || a.endChar - b.endChar || (a.code < b.code ? -1 : 1));
  return diagnostics;
}

/** A parsed line's facts: the line rules' findings and what the file-level checks need. `bytes`: its UTF-8 length. */
export function lineFacts(parsed: ParsedLine, length: number, bytes: number, limits: Limits): LineFacts {
  if (parsed.kind === 'comment' || parsed.kind === 'blank') return OTHER_LINE;
  const text = parsed.text;
  const problems = parsed.kind === 'data' ? checkDataLine(parsed, limits) : checkMetadataLine(parsed, limits);
  if (length > limits.lineMaxLength)
    problems.push(problem('LN001', limits.lineMaxLength, length, { length, limit: limits.lineMaxLength }));
  const replacement = text.indexOf('\uFFFD');
  if (replacement >= 0) problems.push(problem('LN006', replacement, replacement + 1, {}));
  const key = parsed.key;
  const refused = hasError(problems);
  // A line too long is refused for that, whatever it holds (and no recogniser reads past the limit).
  const cause = refused && length <= limits.lineMaxLength ? findRootCause(text, limits) : null;
  // A line the tenant refuses stores nothing: it takes no part in what the file says of its key (types, suffix
  // notes, series, metadata repeats, the number of keys), which would be follow-on findings of its own mistake.
  // A root cause is then the line's one finding.
  const facts: LineFacts = {
    kind: parsed.kind,
    problems: cause ? [cause.problem] : problems.length === 0 ? NONE : capPerKind(problems),
    key: refused ? '' : key.text,
    keyStart: key.start,
    keyEnd: key.end,
    bytes,
    metadataType: null,
    use: null,
    timestamp: null,
    rootCause: cause ? { jsonPart: cause.jsonPart, replaced: capPerKind(problems) } : null,
  };
  if (cause) return facts;
  if (parsed.kind === 'metadata') {
    const type = parsed.type?.text;
    if (!refused && (type === 'gauge' || type === 'count')) facts.metadataType = type;
  } else {
    if (!refused) facts.use = keyUseOf(parsed);
    if (parsed.timestamp && !problems.some((p) => p.code === 'TS001')) facts.timestamp = parsed.timestamp;
  }
  return facts;
}

/**
 * A line's findings with at most FINDINGS_PER_KIND of each code, the first in column order; the last one shown of
 * a code that had more says how many (moreOfKind). The parts of a line cap their own findings (a key, a value, a
 * payload); this bounds what the repeated parts add up to: properties, dimensions, separators.
 */
function capPerKind(problems: Problem[]): Problem[] {
  if (problems.length <= FINDINGS_PER_KIND) return problems;
  const counts = new Map<RuleCode, number>();
  let over = false;
  for (const p of problems) {
    const count = (counts.get(p.code) ?? 0) + 1;
    counts.set(p.code, count);
    over ||= count > FINDINGS_PER_KIND;
  }
  if (!over) return problems;
  const shown = new Map<RuleCode, number>();
  const kept: Problem[] = [];
  for (const p of [...problems].sort((a, b) => a.start - b.start)) {
    const n = (shown.get(p.code) ?? 0) + 1;
    shown.set(p.code, n);
    if (n > FINDINGS_PER_KIND) continue;
    const more = (counts.get(p.code) as number) - n;
    kept.push(n === FINDINGS_PER_KIND && more > 0 ? { ...p, message: `${p.message} ${moreOfKind(more)}` } : p);
  }
  return kept;
}

/** The facts of every comment and blank line. */
export const OTHER_LINE: LineFacts = Object.freeze({
  kind: 'other',
  problems: [],
  key: '',
  keyStart: 0,
  keyEnd: 0,
  bytes: 0,
  metadataType: null,
  use: null,
  timestamp: null,
  rootCause: null,
});

/** The file-level facts of a parsed data line; null when its payload type is unknown. */
function keyUseOf(line: DataLine): KeyUse | null {
  const payload = line.payload;
  if (!payload || payload.kind === 'unknown') return null;
  const last = line.dimensions[line.dimensions.length - 1];
  return {
    keyEnd: line.key.end,
    type: payload.kind === 'count' ? 'count' : 'gauge',
    payloadStart: payload.span.start,
    payloadEnd: payload.span.end,
    dimensionsEnd: last ? last.value.end : -1,
    tuple: tupleHash(line.dimensions),
  };
}

/**
 * A line's dimension tuple as an order-independent 53-bit hash (tuple-hash.ts): `a=1,b=2` and `b=2,a=1` are one
 * series. Empty values are left out, as the tenant drops those dimensions (DOC D4).
 */
function tupleHash(dims: KeyValueNode[]): number {
  const hasher = TUPLE_HASHER;
  hasher.reset();
  for (let d = 0; d < dims.length; d++) {
    const dim = dims[d] as KeyValueNode;
    if (dim.text !== '' && dim.eq >= 0) hasher.add(dim.key.text, dim.text);
  }
  return hasher.value;
}

const TUPLE_HASHER = new TupleHasher();

/**
 * A copy of `s` that does not keep its parent alive. V8 shares the characters of substrings of 13 or more
 * characters with the string they were cut from, so a key cut from a line would pin that line (and the chunk it
 * was decoded from) for as long as a file-level table holds the key. Used when an entry is first stored, and for
 * the lines an editor's DocumentLinter keeps between versions.
 */
export function detach(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

export function utf8Length(s: string): number {
  let bytes = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/** Lints a whole text held in memory, its lines split by the editor's rule (text.ts). */
export function lintText(text: string, options: LintOptions): Diagnostic[] {
  const linter = new FileLinter(options);
  const out: Diagnostic[] = [];
  let index = 0;
  for (const line of splitLines(text)) for (const d of linter.lintLine(index++, line)) out.push(d);
  return out;
}
