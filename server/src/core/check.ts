/**
 * Semantic checks of one parsed line: keys, dimensions, values, payloads, numbers, timestamps, metadata.
 * File-level checks (types across lines, metadata repeats, cardinality, request limits) live in lint.ts.
 */
import { FINDINGS_PER_KIND, literal, type Limits, type RuleArgs } from './rules.ts';
import { problem, type Problem } from './problems.ts';
import { formatNumber, readNumber } from './numbers.ts';
import type { DataLine, KeyValueNode, MetadataLine, Payload, SummaryField, Token } from './parse.ts';
import { closest } from './typos.ts';
import { isBadDimensionSectionStart, isBadMetricKeyStart, isDimensionKeyChar, isMetricKeyChar } from './keys.ts';
import { isDigit, isUpper } from './text.ts';

const DOT = 0x2e;
const DASH = 0x2d;

/**
 * The line rules of a data line, all but the timestamp window (checkTimestampWindow): they depend only on the
 * line and the limits, so their findings can be kept for a line an edit did not touch.
 */
export function checkDataLine(line: DataLine, limits: Limits): Problem[] {
  const problems = line.problems;
  checkMetricKey(line.key, limits, problems);
  if (line.dimensions.length > 0) checkDimensions(line.text, line.dimensions, limits, problems);
  if (line.payload) checkPayload(line.payload, limits, problems);
  else if (!problems.some((p) => p.code === 'DV001')) {
    const end = line.text.length;
    problems.push(problem('PL001', Math.max(0, end - 1), end, { found: null, suggestion: null }));
  }
  if (line.timestamp) checkTimestamp(line.timestamp, problems);
  return problems;
}

function checkMetricKey(key: Token, limits: Limits, problems: Problem[]): void {
  const s = key.text;
  const n = s.length;
  const at = key.start;
  if (n === 0) {
    problems.push(problem('MK001', at, at + 1, {}));
    return;
  }
  const first = s.charCodeAt(0);
  if (isBadMetricKeyStart(first)) problems.push(problem('MK002', at, at + 1, { char: s[0] as string }));
  if (s.startsWith('dt.')) problems.push(problem('MK009', at, at + 3, {}));
  let sectionStart = true;
  // Invalid characters are one finding per key, from the first to the last (a pasted `{"a":1}` is one mistake).
  let firstBad = -1;
  let lastBad = -1;
  const bad = new Set<string>();
  let sections = 0;
  for (let j = 0; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c !== DOT && !isMetricKeyChar(c)) {
      // Whole code points, so that a character outside the BMP is named as itself.
      const character = String.fromCodePoint(s.codePointAt(j) as number);
      if (firstBad < 0) firstBad = j;
      lastBad = j + character.length;
      if (bad.size < 10) bad.add(character);
      j += character.length - 1;
      sectionStart = false;
      continue;
    }
    if (c === DOT) {
      if (sectionStart && sections++ < FINDINGS_PER_KIND)
        problems.push(problem('MK005', at + j, at + j + 1, { where: j === 0 ? 'leading' : 'empty' }));
      sectionStart = true;
      continue;
    }
    if (sectionStart && j > 0 && (c === DASH || isDigit(c)) && sections++ < FINDINGS_PER_KIND) {
      if (c === DASH) problems.push(problem('MK004', at + j, at + j + 1, {}));
      else {
        const dot = s.indexOf('.', j);
        problems.push(problem('MK006', at + j, at + j + 1, { section: s.slice(j, dot < 0 ? n : dot) }));
      }
    }
    sectionStart = false;
  }
  if (firstBad >= 0)
    problems.push(problem('MK003', at + firstBad, at + lastBad, { chars: [...bad].join(''), space: false }));
  if (n > 1 && s.charCodeAt(n - 1) === DOT && s.charCodeAt(n - 2) !== DOT) {
    problems.push(problem('MK005', at + n - 1, at + n, { where: 'trailing' }));
  }
  if (n < limits.metricKeyMinLength)
    problems.push(problem('MK007', at, at + n, { length: n, min: limits.metricKeyMinLength }));
  const limit = limits.metricKeyMaxLength;
  const conservative = limits.metricKeyConservativeLength;
  if (n > limit) problems.push(problem('MK008', at + limit, at + n, { length: n, limit, conservative }));
  else if (n > conservative)
    problems.push(problem('MK008', at + conservative, at + n, { length: n, limit, conservative }, undefined, 'lesser'));
}

const KNOWN_DT_DIMENSIONS = new Set(['dt.metrics.source', 'dt.process.id', 'dt.process.pid']);
const ENTITY_ID = /^[A-Z][A-Z0-9_]*-[0-9A-F]{16}$/;

function checkDimensions(line: string, dims: KeyValueNode[], limits: Limits, problems: Problem[]): void {
  let pairs = 0;
  const seen = dims.length > SMALL_LINE_DIMENSIONS ? new Map<string, KeyValueNode>() : null;
  // Dimensions far past the limit get DK005 only: a line of 50,000 pairs is one mistake, not 50,000 findings.
  const checked = Math.min(dims.length, limits.dimensionsPerLine * 2);
  for (let d = 0; d < dims.length; d++) {
    const dim = dims[d] as KeyValueNode;
    if (d >= checked) {
      if (dim.eq >= 0) pairs++;
      continue;
    }
    if (dim.eq < 0) {
      // DK008 (from the parser) reports the missing value; the key's own faults still count (OBS #2295: 'cacheM').
      if (dim.key.text !== '') checkDimensionKey(dim, limits, problems);
      continue;
    }
    pairs++;
    checkDimensionKey(dim, limits, problems);
    const first = dim.key.text === '' ? undefined : seen ? seen.get(dim.key.text) : firstWithKey(dims, d);
    if (first) {
      const written = line.slice(dim.key.start, dim.value.end);
      const kept = line.slice(first.key.start, first.value.end);
      const fix = {
        title:
          written === kept
            ? `Remove the repeated ${literal(written)}`
            : `Remove ${literal(written)}, keep ${literal(kept)}`,
        edits: [{ start: dim.key.start - 1, end: dim.value.end, text: '' }],
      };
      problems.push(problem('DK004', dim.key.start, dim.key.end, { key: dim.key.text, first: kept }, { fix }));
    } else seen?.set(dim.key.text, dim);
    checkDimensionValue(line, dim, limits, problems);
  }
  if (pairs > limits.dimensionsPerLine) {
    const real = dims.filter((dim) => dim.eq >= 0);
    const first = real[limits.dimensionsPerLine] as KeyValueNode;
    const last = real[real.length - 1] as KeyValueNode;
    problems.push(problem('DK005', first.key.start, last.value.end, { count: pairs, limit: limits.dimensionsPerLine }));
  }
}

/** Up to this many dimensions a line compares keys pairwise (no allocation); longer lines use a set. */
const SMALL_LINE_DIMENSIONS = 8;

/** The first dimension before `d` with its key (and a value), if any. */
function firstWithKey(dims: KeyValueNode[], d: number): KeyValueNode | undefined {
  const key = (dims[d] as KeyValueNode).key.text;
  for (let e = 0; e < d; e++) {
    const other = dims[e] as KeyValueNode;
    if (other.eq >= 0 && other.key.text === key) return other;
  }
  return undefined;
}

function checkDimensionKey(dim: KeyValueNode, limits: Limits, problems: Problem[]): void {
  const { text: s, start: at } = dim.key;
  const n = s.length;
  if (n === 0) {
    problems.push(problem('DK001', dim.eq, dim.eq + 1, { chars: '', lowercase: false, empty: 'key' }));
    return;
  }
  let sectionStart = true;
  let badRun = -1;
  let onlyUpper = true;
  let sections = 0;
  let runs: Array<[number, number, boolean]> | null = null;
  for (let j = 0; j <= n; j++) {
    const c = j < n ? s.charCodeAt(j) : -1;
    const valid = c === -1 || c === DOT || isDimensionKeyChar(c);
    if (badRun >= 0 && valid) {
      const upper = isUpperRun(s, badRun, j);
      onlyUpper &&= upper;
      runs ??= [];
      if (runs.length < FINDINGS_PER_KIND) runs.push([badRun, j, upper]);
      badRun = -1;
    } else if (badRun < 0 && !valid) badRun = j;
    if (c === -1) break;
    if (c === DOT) {
      if ((sectionStart || j === n - 1) && sections++ < FINDINGS_PER_KIND) {
        problems.push(problem('DK001', at + j, at + j + 1, { chars: '.', lowercase: false, empty: 'section' }));
      }
      sectionStart = true;
      continue;
    }
    if (sectionStart && isBadDimensionSectionStart(c) && sections++ < FINDINGS_PER_KIND) {
      problems.push(problem('DK002', at + j, at + j + 1, { char: s[j] as string }));
    }
    sectionStart = false;
  }
  if (runs) {
    // Lower-casing is the one right fix only when upper case is all that is wrong with the key.
    const fix = onlyUpper ? { fix: lowercaseFix(dim.key) } : undefined;
    for (const [from, to, upper] of runs)
      problems.push(
        problem('DK001', at + from, at + to, { chars: s.slice(from, to), lowercase: upper, empty: null }, fix),
      );
  }
  if (n > limits.dimensionKeyMaxLength)
    problems.push(
      problem('DK003', at + limits.dimensionKeyMaxLength, at + n, { length: n, limit: limits.dimensionKeyMaxLength }),
    );
  if (s.startsWith('dt.')) {
    if (s.startsWith('dt.entity.')) {
      if (dim.text !== '' && !ENTITY_ID.test(dim.text))
        problems.push(problem('DK006', dim.value.start, dim.value.end, { key: s, example: entityIdExample(s) }));
    } else if (!KNOWN_DT_DIMENSIONS.has(s)) problems.push(problem('DK007', at, at + n, { key: s }));
  }
}

/** An entity ID of the key's type (`dt.entity.service` → `SERVICE-06F288EE2A930951`); a host's if none is written. */
function entityIdExample(key: string): string {
  const type = key.slice('dt.entity.'.length).toUpperCase();
  return `${/^[A-Z][A-Z0-9_]*$/.test(type) ? type : 'HOST'}-06F288EE2A930951`;
}

function isUpperRun(s: string, from: number, to: number): boolean {
  for (let j = from; j < to; j++) if (!isUpper(s.charCodeAt(j))) return false;
  return true;
}

function lowercaseFix(key: Token) {
  const lower = key.text.toLowerCase();
  return { title: `Lower-case the key: ${literal(lower)}`, edits: [{ start: key.start, end: key.end, text: lower }] };
}

function checkDimensionValue(line: string, dim: KeyValueNode, limits: Limits, problems: Problem[]): void {
  const { value, text } = dim;
  if (text === '') {
    const empty = emptyValueRange(dim);
    problems.push(problem('DV004', empty.start, empty.end, { key: dim.key.text }));
    return;
  }
  // As for metric keys (MK008): an error past the limit, a warning past the conservative length below it, and a
  // hint when only the value as written (escapes counted, as Java and Go count) is past that length.
  const limit = limits.dimensionValueMaxLength;
  const conservative = Math.min(limits.dimensionValueConservativeLength, limit);
  const end = value.end - (dim.quoted ? 1 : 0);
  if (text.length > limit) {
    problems.push(
      problem('DV005', rawOffsetOfChar(line, dim, limit), end, {
        length: text.length,
        escaped: false,
        limit,
        conservative,
      }),
    );
  } else if (text.length > conservative) {
    problems.push(
      problem(
        'DV005',
        rawOffsetOfChar(line, dim, conservative),
        end,
        { length: text.length, escaped: false, limit, conservative },
        undefined,
        'lesser',
      ),
    );
  } else if (value.end - value.start > conservative) {
    problems.push(
      problem(
        'DV005',
        value.start,
        value.end,
        { length: value.end - value.start, escaped: true, limit, conservative },
        undefined,
        'least',
      ),
    );
  }
  checkControlCharacters(line, dim, null, problems);
}

/** Where an empty value is marked (DV004, MD007): its quotes, or the `=` when nothing is written. */
const emptyValueRange = (node: KeyValueNode): { start: number; end: number } =>
  node.value.end > node.value.start ? node.value : { start: node.eq, end: node.eq + 1 };

/** DV006 on each run of control characters in a value: a dimension's, or a metadata `property`'s. */
function checkControlCharacters(line: string, node: KeyValueNode, property: string | null, problems: Problem[]): void {
  const text = node.text;
  if (!CONTROL.test(text)) return;
  CONTROL_RUN.lastIndex = 0;
  let runs = 0;
  for (let m = CONTROL_RUN.exec(text); m && runs < FINDINGS_PER_KIND; m = CONTROL_RUN.exec(text), runs++) {
    const cp = text.codePointAt(m.index) as number;
    const codePoint = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
    problems.push(
      problem('DV006', rawOffsetOfChar(line, node, m.index), rawOffsetOfChar(line, node, m.index + m[0].length), {
        codePoint,
        property,
      }),
    );
  }
}

/**
 * What the libraries replace with `_` because it cannot be sent (LIB, Java StringValueValidator): control (Cc),
 * format (Cf), private-use (Co) and lone surrogate (Cs) characters, and the line and paragraph separators.
 */
const CONTROL = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u2028\u2029]/u;
const CONTROL_RUN = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u2028\u2029]+/gu;

/** The offset in the line of the `index`-th character of a value's unescaped text (an escape is 2 characters). */
function rawOffsetOfChar(line: string, dim: KeyValueNode, index: number): number {
  let raw = dim.value.start + (dim.quoted ? 1 : 0);
  if (dim.value.end - raw - (dim.quoted ? 1 : 0) === dim.text.length) return raw + index;
  for (let seen = 0; seen < index && raw < dim.value.end; seen++) {
    raw += line.charCodeAt(raw) === 0x5c && isEscapable(line.charCodeAt(raw + 1), dim.quoted) ? 2 : 1;
  }
  return raw;
}

const isEscapable = (c: number, quoted: boolean): boolean =>
  c === 0x22 || c === 0x5c || (!quoted && (c === 0x2c || c === 0x3d || c === 0x20));

function checkPayload(payload: Payload, limits: Limits, problems: Problem[]): void {
  switch (payload.kind) {
    case 'gauge':
      readNumber(payload.value, problems, payload.explicit ? 'gauge,' : '');
      return;
    case 'count':
      if (payload.delta) readNumber(payload.delta, problems, 'delta=');
      else if (payload.legacy) {
        const legacy = payload.legacy;
        const fix = {
          title: `Write ${literal(`count,delta=${legacy.text}`)}`,
          edits: [{ start: legacy.start, end: legacy.start, text: 'delta=' }],
        };
        const numeric = /^[+-]?[0-9.]/.test(legacy.text);
        problems.push(
          problem(
            'PL002',
            payload.span.start,
            legacy.end,
            { suggestion: `count,delta=${numeric ? legacy.text : '…'}` },
            numeric ? { fix } : undefined,
          ),
        );
        if (numeric) readNumber(legacy, problems, 'count,');
      }
      return;
    case 'summary':
      checkSummary(payload.span, payload.fields, limits.summaryTolerance, problems);
      return;
    case 'unknown': {
      const text = payload.text;
      const lower = text.toLowerCase();
      let suggestion: string | null = null;
      if (lower !== text && (lower.startsWith('gauge') || lower.startsWith('count')))
        suggestion = lower.slice(0, 5) + text.slice(5);
      else if (text.startsWith('delta=')) suggestion = 'count,' + text;
      else if (text === 'gauge' || text === 'count')
        suggestion = text === 'gauge' ? 'gauge,<value>' : 'count,delta=<value>';
      problems.push(problem('PL001', payload.span.start, payload.span.end, { found: text, suggestion }));
    }
  }
}

const SUMMARY_ORDER = ['min', 'max', 'sum', 'count'] as const;
type SummaryName = (typeof SUMMARY_ORDER)[number];

function checkSummary(
  span: { start: number; end: number },
  fields: SummaryField[],
  tolerance: number,
  problems: Problem[],
): void {
  const values = new Map<SummaryName, { field: SummaryField; value: number }>();
  let ordered = true;
  let wellFormed = true;
  const malformed = new Set<string>();
  const unknown: Token[] = [];
  // Bounded like every per-part finding: a payload of 10,000 `min=` fields is one mistake.
  let reported = 0;
  const report = (start: number, end: number, args: RuleArgs<'PL003'>) => {
    if (reported++ < FINDINGS_PER_KIND) problems.push(problem('PL003', start, end, args));
  };
  for (let f = 0; f < fields.length; f++) {
    const field = fields[f] as SummaryField;
    const name = field.name.text;
    if (field.eq >= 0 && name === '') {
      report(field.eq, field.eq + 1, { problem: 'malformed', fields: '=' + field.value.text });
      wellFormed = false;
      continue;
    }
    if (field.eq < 0) {
      // An empty field (`,,`, a trailing `,`) is marked on the extra comma: the one after it, else the one before.
      const at =
        name !== ''
          ? field.name
          : f < fields.length - 1
            ? { start: field.name.end, end: field.name.end + 1 }
            : { start: field.name.start - 1, end: field.name.start };
      report(at.start, at.end, { problem: name === '' ? 'empty' : 'malformed', fields: name });
      malformed.add(name);
      wellFormed = false;
      continue;
    }
    if (!(SUMMARY_ORDER as readonly string[]).includes(name)) {
      unknown.push(field.name);
      wellFormed = false;
      continue;
    }
    const known = name as SummaryName;
    if (values.has(known)) {
      report(field.name.start, field.name.end, { problem: 'duplicate', fields: name });
      wellFormed = false;
      continue;
    }
    if (SUMMARY_ORDER[values.size] !== known) ordered = false;
    values.set(known, { field, value: readNumber(field.value, problems, `${name}=`) });
  }
  let missing = SUMMARY_ORDER.filter((name) => !values.has(name) && !malformed.has(name));
  // One unknown field where one is missing, and spelt close to it (`mni`, `m"in`): a typo, not another statistic
  // (`avg` where `count` is missing is a different mistake, and no fix should turn it into a count).
  const candidate = unknown.length === 1 && missing.length === 1 ? (unknown[0] as Token) : null;
  const misspelt = candidate && closest(candidate.text, [missing[0] as string]) ? candidate : null;
  if (misspelt) {
    const meant = missing[0] as SummaryName;
    const fix = {
      fix: {
        title: `Correct ${literal(misspelt.text)} to ${literal(meant)}`,
        edits: [{ start: misspelt.start, end: misspelt.end, text: meant }],
      },
    };
    problems.push(
      problem('PL003', misspelt.start, misspelt.end, { problem: 'unknown', fields: misspelt.text, meant }, fix),
    );
    missing = [];
  }
  for (const name of misspelt ? [] : unknown) report(name.start, name.end, { problem: 'unknown', fields: name.text });
  if (missing.length > 0) {
    problems.push(
      problem(
        'PL003',
        span.start,
        span.end,
        { problem: 'missing', fields: missing.join(', ') },
        missingFieldsFix(span, values, missing),
      ),
    );
  }
  if (!wellFormed || missing.length > 0) return;
  if (!ordered) problems.push(problem('PL004', span.start, span.end, {}));
  const get = (name: SummaryName) => values.get(name) as { field: SummaryField; value: number };
  const min = get('min').value;
  const max = get('max').value;
  const sum = get('sum').value;
  const count = get('count');
  if ([min, max, sum, count.value].some(Number.isNaN)) return;
  const fault = summaryFault(min, max, sum, count.value, /^\d+$/.test(count.field.value.text), tolerance);
  if (fault === null) return;
  if (fault === 'count') {
    problems.push(countProblem(count.field.value, count.value, problems));
  } else if (fault === 'zero') {
    problems.push(problem('PL006', span.start, span.end, {}));
  } else if (fault === 'order') {
    const minValue = get('min').field.value;
    const maxValue = get('max').field.value;
    const swapFits = summaryFault(max, min, sum, count.value, true, tolerance) === null;
    const fix = swapFits
      ? {
          fix: {
            title: `Swap them: ${literal(`min=${maxValue.text}`)}, ${literal(`max=${minValue.text}`)}`,
            edits: [
              { start: minValue.start, end: minValue.end, text: maxValue.text },
              { start: maxValue.start, end: maxValue.end, text: minValue.text },
            ],
          },
        }
      : undefined;
    problems.push(
      problem('PL007', maxValue.start, maxValue.end, { min: minValue.text, max: maxValue.text, swapFits }, fix),
    );
  } else {
    const single = fault === 'single';
    problems.push(
      problem('PL008', span.start, span.end, {
        min: formatNumber(min),
        max: formatNumber(max),
        avg: formatNumber(single ? sum : sum / count.value),
        single,
        tolerance,
      }),
    );
  }
}

/**
 * PL005 on a summary's count. A whole number of 0 or more written in another form (`2.0`, `2e0`, `+2`) has one
 * right answer, its digits: the fix writes them, and this finding replaces the number-form findings (NU002, NU003)
 * on the count, whose suggestions would still not be whole numbers.
 */
function countProblem(written: Token, value: number, problems: Problem[]): Problem {
  const whole = Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  if (whole === null) return problem('PL005', written.start, written.end, { value: written.text, whole });
  for (let i = problems.length - 1; i >= 0; i--) {
    const p = problems[i] as Problem;
    if ((p.code === 'NU002' || p.code === 'NU003') && p.start === written.start) problems.splice(i, 1);
  }
  const fix = {
    title: `Write ${literal(`count=${whole}`)}`,
    edits: [{ start: written.start, end: written.end, text: whole }],
  };
  return problem('PL005', written.start, written.end, { value: written.text, whole }, { fix });
}

export type SummaryFault = 'count' | 'zero' | 'order' | 'single' | 'average';

/**
 * The summary checks (`countIsWhole`: the count is written as plain digits), in the order the Java validator applies them (LIB, mirroring the server): count a
 * non-negative integer (PL005), count=0 only with zeros (PL006), max ≥ min (PL007), then min ≤ sum/count ≤ max
 * and, with count=1, min = max = sum (PL008), compared in the server's form `x <= y + tolerance` (OBS #5037).
 */
export function summaryFault(
  min: number,
  max: number,
  sum: number,
  count: number,
  countIsWhole: boolean,
  tolerance: number,
): SummaryFault | null {
  if (count < 0 || !Number.isInteger(count) || !countIsWhole) return 'count';
  if (count === 0) return min !== 0 || max !== 0 || sum !== 0 ? 'zero' : null;
  if (max < min) return 'order';
  const equal = (x: number, y: number) => x <= y + tolerance && y <= x + tolerance;
  if (count === 1 && !(equal(min, max) && equal(sum, min))) return 'single';
  const avg = sum / count;
  return min <= avg + tolerance && avg <= max + tolerance ? null : 'average';
}

/** With count=1 every missing field equals the one given: the only case with one right answer. */
function missingFieldsFix(
  span: { end: number },
  values: Map<SummaryName, { field: SummaryField; value: number }>,
  missing: SummaryName[],
) {
  const count = values.get('count');
  const known = values.get('min') ?? values.get('max') ?? values.get('sum');
  if (!count || count.value !== 1 || !known || Number.isNaN(known.value)) return undefined;
  const text = missing.map((name) => `,${name}=${known.field.value.text}`).join('');
  return { fix: { title: `Add ${literal(text.slice(1))}`, edits: [{ start: span.end, end: span.end, text }] } };
}

/** Bounds for a plausible millisecond timestamp (the libraries' year window 2000–3000). */
const YEAR_2000_MS = 946_684_800_000;
const YEAR_3000_MS = 32_503_680_000_000;

function checkTimestamp(t: Token, problems: Problem[]): void {
  const s = t.text;
  for (let j = 0; j < s.length; j++) {
    if (!isDigit(s.charCodeAt(j))) {
      problems.push(problem('TS001', t.start, t.end, { text: s }));
      return;
    }
  }
  const other = otherTimeUnit(s);
  if (other) problems.push(otherUnitProblem(t.start, t.end, other, null));
}

/** TS002: a warning on the line alone; the window check makes it the error it is (checkTimestampWindow). */
function otherUnitProblem(
  start: number,
  end: number,
  other: { unit: 'seconds' | 'microseconds' | 'nanoseconds'; milliseconds: string },
  outside: RuleArgs<'TS002'>['outside'],
): Problem {
  const suggestion = other.milliseconds;
  const fix = { title: `Convert to milliseconds: ${literal(suggestion)}`, edits: [{ start, end, text: suggestion }] };
  return problem(
    'TS002',
    start,
    end,
    { unit: other.unit, suggestion, outside },
    { timestamp: { start, end }, fix },
    outside === null ? 'lesser' : 'full',
  );
}

/**
 * A timestamp of digits written in seconds, microseconds or nanoseconds (InfluxDB's default) rather than
 * milliseconds: the unit, and the value in milliseconds, when that falls in the years 2000–3000.
 */
export function otherTimeUnit(
  s: string,
): { unit: 'seconds' | 'microseconds' | 'nanoseconds'; milliseconds: string } | null {
  let zeros = 0;
  while (zeros < s.length - 1 && s.charCodeAt(zeros) === 0x30) zeros++;
  const digits = s.length - zeros;
  if (digits > 11 && digits < 15) return null;
  const unit = digits <= 11 ? 'seconds' : digits <= 17 ? 'microseconds' : 'nanoseconds';
  const milliseconds = unit === 'seconds' ? s + '000' : s.slice(0, unit === 'microseconds' ? -3 : -6);
  return isPlausibleMilliseconds(Number(milliseconds)) ? { unit, milliseconds } : null;
}

/** Whether milliseconds since 1970 fall in the libraries' window for a plausible timestamp, the years 2000–3000. */
export const isPlausibleMilliseconds = (ms: number): boolean => ms >= YEAR_2000_MS && ms <= YEAR_3000_MS;

/**
 * A timestamp the line rules found well-formed (`digits`: its value) outside the window of `now`: TS003, or, when
 * it looks like another unit and `byUnit` (TS002 reported), TS002 as the error it then is, which replaces the
 * line's TS002 warning: the unit is why the point is outside the window, one mistake.
 */
export function checkTimestampWindow(
  start: number,
  end: number,
  digits: string,
  now: number,
  limits: Limits,
  byUnit: boolean,
): Problem | null {
  const value = Number(digits);
  if (!isOutsideWindow(value, now, limits)) return null;
  const iso = value <= 8.64e15 ? new Date(value).toISOString().replace('.000Z', 'Z') : literal(digits);
  const future = value > now;
  const limit = future ? limits.timestampFutureMs : limits.timestampPastMs;
  const window = formatWindow(limit);
  const outside = { iso, distance: formatDuration(Math.abs(value - now), limit), future, window };
  const other = byUnit ? otherTimeUnit(digits) : null;
  if (other) return otherUnitProblem(start, end, other, outside);
  return problem('TS003', start, end, outside, { timestamp: { start, end } });
}

/** DOC D1: a timestamp is accepted from 1 h before `now` to 10 min after it. */
export function isOutsideWindow(value: number, now: number, limits: Limits): boolean {
  return value < now - limits.timestampPastMs || value > now + limits.timestampFutureMs;
}

/** A limit of the timestamp window as it is, unrounded: "1 h", "10 min", "1 h 30 min", "90 s", "1,500 ms". */
export function formatWindow(ms: number): string {
  if (ms % 60_000 !== 0)
    return ms % 1000 === 0 ? `${(ms / 1000).toLocaleString('en-US')} s` : `${ms.toLocaleString('en-US')} ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = (ms / 60_000) % 60;
  if (hours === 0) return `${minutes} min`;
  return `${hours.toLocaleString('en-US')} h` + (minutes === 0 ? '' : ` ${minutes} min`);
}

/**
 * How far a timestamp is from now, for messages and hovers: "45 s", "42 min", "2 h 5 min", "373 days",
 * "3,170,979,143 years". Given the window's limit the distance passes (`beyond`), precise enough to show that it
 * does: "1 h" would read as within a 1 h window, so 1 h and 30 s is "1 h 30 s", and 1 h and 1 ms "1 h 0.001 s".
 */
export function formatDuration(ms: number, beyond?: number): string {
  const minutes = Math.floor(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  if (hours >= 48) {
    const days = Math.floor(hours / 24);
    if (days < 730) return `${days.toLocaleString('en-US')} days`;
    return `${Math.floor(days / 365).toLocaleString('en-US')} years`;
  }
  const wholeSeconds = Math.floor(ms / 1000);
  const inMinutes = [hours > 0 ? `${hours} h` : '', minutes % 60 > 0 ? `${minutes % 60} min` : ''].filter(Boolean);
  const coarse = minutes === 0 ? wholeSeconds * 1000 : minutes * 60_000;
  if (beyond === undefined || coarse > beyond) return minutes === 0 ? `${wholeSeconds} s` : inMinutes.join(' ');
  const seconds = wholeSeconds * 1000 > beyond ? wholeSeconds % 60 : (ms % 60_000) / 1000;
  return [...inMinutes, ...(seconds > 0 || inMinutes.length === 0 ? [`${seconds} s`] : [])].join(' ');
}

/** The metadata properties (DOC D1), by their lower-case key: their spelling and the limit of their length. */
const META_PROPERTIES: Record<string, { name: string; maxLength: keyof Limits } | undefined> = {
  'dt.meta.displayname': { name: 'dt.meta.displayName', maxLength: 'displayNameMaxLength' },
  'dt.meta.description': { name: 'dt.meta.description', maxLength: 'descriptionMaxLength' },
  'dt.meta.unit': { name: 'dt.meta.unit', maxLength: 'unitMaxLength' },
};
/** The characters of a unit (LIB Java UnitValidator). */
const UNIT_CHARS = /[A-Za-z0-9%[\]{}/_]/g;

export function checkMetadataLine(line: MetadataLine, limits: Limits): Problem[] {
  const problems = line.problems;
  if (line.key.text === '') return problems;
  checkMetricKey(line.key, limits, problems);
  const type = line.type;
  if (!type) return problems;
  if (type.text !== 'gauge' && type.text !== 'count') {
    // With nothing after it, the parser marked the word for its missing properties: one mistake, one finding.
    const noProperties = problems.findIndex((p) => p.code === 'MD001' && p.start === type.start && p.end === type.end);
    if (noProperties >= 0) problems.splice(noProperties, 1);
    problems.push(
      problem('MD001', type.start, type.end, { problem: 'type', found: type.text, properties: noProperties < 0 }),
    );
  }
  for (const prop of line.properties) {
    if (prop.eq < 0) continue;
    const meta = META_PROPERTIES[prop.key.text.toLowerCase()];
    if (!meta) {
      problems.push(
        problem('MD002', prop.key.start, Math.max(prop.key.end, prop.key.start + 1), { property: prop.key.text }),
      );
      continue;
    }
    const limit = limits[meta.maxLength];
    if (prop.text === '') {
      const empty = emptyValueRange(prop);
      problems.push(problem('MD007', empty.start, empty.end, { property: meta.name }));
    } else if (meta.name === 'dt.meta.unit') {
      const tooLong = prop.text.length > limit;
      // A control character is DV006's finding, at the character; MD003 is for the others.
      const outside = [...new Set(prop.text.replace(CONTROL_RUN, '').replace(UNIT_CHARS, ''))].slice(0, 5).join('');
      if (tooLong || outside !== '')
        problems.push(
          problem('MD003', prop.value.start, prop.value.end, { unit: prop.text, tooLong, limit, chars: outside }),
        );
    } else if (prop.text.length > limit) {
      problems.push(
        problem('MD004', prop.value.start, prop.value.end, { property: meta.name, length: prop.text.length, limit }),
      );
    }
    checkControlCharacters(line.text, prop, meta.name, problems);
  }
  return problems;
}
