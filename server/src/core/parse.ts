/**
 * The line parser. Structural only: it finds the parts of a line and their offsets, and reports as problems only
 * what stops it from reading the structure (quotes, escapes, separators). Semantic rules live in check.ts.
 * It never throws, and its time is linear in the line's length: every loop moves forward over the line once.
 *
 * `.dtmetrics` extras the protocol lacks (never sent): blank lines, and comments starting with `//` (after
 * optional whitespace). `//` cannot collide with the protocol: a metric key cannot start with `/`, and every line
 * starting with `#` is a metadata line.
 */
import { problem, type Problem } from './problems.ts';
import { FINDINGS_PER_KIND, literal } from './rules.ts';
import { NAN_OR_INFINITY, startsLikeNumber } from './numbers.ts';
import { BACKSLASH, COMMA, isBlank, isDigit, QUOTE } from './text.ts';

export interface Span {
  start: number;
  end: number;
}

export interface Token extends Span {
  text: string;
}

/** A `key=value` pair: a dimension of a data line, or a `dt.meta.*` property of a metadata line. */
export interface KeyValueNode {
  key: Token;
  /** Offset of `=`, or -1 when the pair has none. */
  eq: number;
  /** The value as written, quotes and escapes included (empty at `eq + 1` when there is no value). */
  value: Span;
  quoted: boolean;
  /** The value with quotes removed and escapes resolved. */
  text: string;
}

export interface SummaryField {
  name: Token;
  /** Offset of `=`, or -1. */
  eq: number;
  value: Token;
}

export type Payload =
  | { kind: 'gauge'; span: Span; explicit: boolean; value: Token }
  | { kind: 'summary'; span: Span; fields: SummaryField[] }
  | { kind: 'count'; span: Span; delta: Token | null; legacy: Token | null }
  | { kind: 'unknown'; span: Span; text: string };

export interface DataLine {
  kind: 'data';
  text: string;
  key: Token;
  dimensions: KeyValueNode[];
  payload: Payload | null;
  timestamp: Token | null;
  problems: Problem[];
}

export interface MetadataLine {
  kind: 'metadata';
  text: string;
  /** The metric key after `#`. */
  key: Token;
  type: Token | null;
  properties: KeyValueNode[];
  problems: Problem[];
}

export interface CommentLine {
  kind: 'comment';
  text: string;
}

export interface BlankLine {
  kind: 'blank';
  text: string;
}

export type ParsedLine = DataLine | MetadataLine | CommentLine | BlankLine;

const SPACE = 0x20;
const EQUALS = 0x3d;
const HASH = 0x23;
const SLASH = 0x2f;

function token(s: string, start: number, end: number): Token {
  return { start, end, text: s.slice(start, end) };
}

export function parseLine(text: string): ParsedLine {
  const n = text.length;
  let i = 0;
  while (i < n && isBlank(text.charCodeAt(i))) i++;
  if (i === n) return { kind: 'blank', text };
  const first = text.charCodeAt(i);
  if (first === SLASH && text.charCodeAt(i + 1) === SLASH) return { kind: 'comment', text };
  const problems: Problem[] = [];
  if (i > 0) problems.push(whitespace(0, i, 'leading'));
  if (first === HASH) return parseMetadata(text, i, problems);
  return parseData(text, i, problems);
}

/**
 * LN004 with its fix: leading and trailing whitespace go, a separator becomes one space. The document formatter
 * applies exactly these fixes, so it can only ever touch whitespace outside keys, values and payloads.
 */
function whitespace(start: number, end: number, where: 'leading' | 'trailing' | 'separator'): Problem {
  const text = where === 'separator' ? ' ' : '';
  const title = where === 'separator' ? 'Use one space' : `Remove ${where} whitespace`;
  return problem('LN004', start, end, { where }, { fix: { title, edits: [{ start, end, text }] } });
}

/** Whitespace-separated tokens from `i` to the end of the line, with separator checks. */
function readTokens(s: string, i: number, problems: Problem[]): Token[] {
  const n = s.length;
  const tokens: Token[] = [];
  while (i < n) {
    const sepStart = i;
    while (i < n && isBlank(s.charCodeAt(i))) i++;
    if (i === n) {
      problems.push(whitespace(sepStart, n, 'trailing'));
      break;
    }
    if (i - sepStart !== 1 || s.charCodeAt(sepStart) !== SPACE) problems.push(whitespace(sepStart, i, 'separator'));
    const start = i;
    while (i < n && !isBlank(s.charCodeAt(i))) i++;
    tokens.push(token(s, start, i));
  }
  return tokens;
}

interface KeyValueList {
  nodes: KeyValueNode[];
  end: number;
  unterminated: boolean;
}

/**
 * Reads `k=v[,k=v…]` from `i` (just after a comma, or at the first property of a metadata line) up to the first
 * whitespace outside quotes. `metadata` values follow the metadata rules: inside quotes a backslash not before
 * `"` or `\` is literal (Java Normalizer keeps `"a\b"`).
 */
function readKeyValues(s: string, i: number, metadata: boolean, problems: Problem[]): KeyValueList {
  const n = s.length;
  const nodes: KeyValueNode[] = [];
  // Pairs without `=` are reported a few times per line at most: 50,000 commas are one mistake.
  let missingValues = 0;
  for (;;) {
    const keyStart = i;
    let c = 0;
    while (i < n) {
      c = s.charCodeAt(i);
      if (c === EQUALS || c === COMMA || isBlank(c)) break;
      i++;
    }
    const key = token(s, keyStart, i);
    let node: KeyValueNode;
    if (i < n && c === EQUALS) {
      const eq = i;
      const value = readValue(s, i + 1, key.text, metadata, problems);
      node = { key, eq, value: value.span, quoted: value.quoted, text: value.text };
      i = value.span.end;
      if (value.unterminated) {
        nodes.push(node);
        return { nodes, end: n, unterminated: true };
      }
    } else {
      // An empty pair (`,,`, a trailing `,`) is marked on the comma before it.
      const start = key.text === '' ? Math.max(0, keyStart - 1) : keyStart;
      const end = key.text === '' ? start + 1 : i;
      if (missingValues++ < FINDINGS_PER_KIND) {
        if (metadata)
          problems.push(problem('MD001', start, end, { problem: key.text === '' ? 'empty-property' : 'property' }));
        else problems.push(problem('DK008', start, end, { key: key.text, previous: unquotedKeyBefore(nodes) }));
      }
      node = { key, eq: -1, value: { start: i, end: i }, quoted: false, text: '' };
    }
    // An empty pair (`,,`) holds nothing but its position, which its finding has: no node for it.
    if (node.eq >= 0 || node.key.text !== '') nodes.push(node);
    if (i < n && s.charCodeAt(i) === COMMA) {
      i++;
      continue;
    }
    return { nodes, end: i, unterminated: false };
  }
}

/** The key of the last dimension read when its value is unquoted: a comma after such a value may belong to it. */
function unquotedKeyBefore(nodes: KeyValueNode[]): string | null {
  const last = nodes[nodes.length - 1];
  return last && last.eq >= 0 && !last.quoted && last.text !== '' ? last.key.text : null;
}

interface ValueRead {
  span: Span;
  quoted: boolean;
  text: string;
  unterminated: boolean;
}

function readValue(s: string, i: number, key: string, metadata: boolean, problems: Problem[]): ValueRead {
  return s.charCodeAt(i) === QUOTE ? readQuoted(s, i, metadata, problems) : readUnquoted(s, i, key, problems);
}

function readQuoted(s: string, open: number, metadata: boolean, problems: Problem[]): ValueRead {
  const n = s.length;
  let i = open + 1;
  let text = '';
  let segment = i;
  // One DV003 per value: a value of 10,000 stray backslashes is one mistake, and must not cost 10,000 findings.
  let badEscape = metadata;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH) {
      const next = s.charCodeAt(i + 1);
      if (next === QUOTE || next === BACKSLASH) {
        text += s.slice(segment, i);
        segment = i + 1;
        i += 2;
        continue;
      }
      if (!badEscape)
        problems.push(problem('DV003', i, Math.min(i + 2, n), { sequence: s.slice(i, i + 2), quoted: true }));
      badEscape = true;
      i++;
      continue;
    }
    if (c === QUOTE) break;
    i++;
  }
  if (i >= n) {
    problems.push(problem('DV001', open, open + 1, { kind: 'unterminated' }));
    return { span: { start: open, end: n }, quoted: true, text: text + s.slice(segment, n), unterminated: true };
  }
  text += s.slice(segment, i);
  let end = i + 1;
  const after = s.charCodeAt(end);
  if (end < n && after !== COMMA && !isBlank(after)) {
    // `"say "hi""`: the quote at i closed the value early. Report it, and read on to the next separator.
    problems.push(problem('DV001', i, i + 1, { kind: 'stray-quote' }));
    while (end < n && s.charCodeAt(end) !== COMMA && !isBlank(s.charCodeAt(end))) end++;
    text += s.slice(i, end);
  }
  return { span: { start: open, end }, quoted: true, text, unterminated: false };
}

function readUnquoted(s: string, start: number, key: string, problems: Problem[]): ValueRead {
  const n = s.length;
  let i = start;
  let text = '';
  let segment = i;
  // One finding of each kind per value (see readQuoted).
  let badEscape = false;
  let unescaped = false;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === COMMA || isBlank(c)) break;
    if (c === BACKSLASH) {
      const next = s.charCodeAt(i + 1);
      if (next === COMMA || next === EQUALS || next === SPACE || next === BACKSLASH || next === QUOTE) {
        text += s.slice(segment, i);
        segment = i + 1;
        i += 2;
        continue;
      }
      if (!badEscape)
        problems.push(problem('DV003', i, Math.min(i + 2, n), { sequence: s.slice(i, i + 2), quoted: false }));
      badEscape = true;
    } else if ((c === EQUALS || c === QUOTE) && !unescaped) {
      unescaped = true;
      problems.push(
        problem('DV002', i, i + 1, { char: c === EQUALS ? '=' : '"', key }, { fix: quoteFix(s, start, i, key) }),
      );
    }
    i++;
  }
  return { span: { start, end: i }, quoted: false, text: text + s.slice(segment, i), unterminated: false };
}

/** The fix for an unquoted value that needs quoting: the value from `start` to the end of its run. */
function quoteFix(s: string, start: number, from: number, key: string) {
  let end = from;
  while (end < s.length && s.charCodeAt(end) !== COMMA && !isBlank(s.charCodeAt(end))) end++;
  return quoteEdit(s, start, end, key);
}

function quoteEdit(s: string, start: number, end: number, key: string) {
  const raw = s.slice(start, end);
  const quoted = '"' + raw.replace(/\\([,= \\"])/g, '$1').replace(/[\\"]/g, '\\$&') + '"';
  return { title: `Quote the value: ${literal(`${key}=${quoted}`)}`, edits: [{ start, end, text: quoted }] };
}

const PAYLOAD_WORD = /^(gauge|count|delta=|[+-]?(nan|inf))/i;

/** Whether a token could be meant as a payload: a number, a payload type word in any case, or NaN/infinity. */
function looksLikePayload(t: Token): boolean {
  return startsLikeNumber(t.text.charCodeAt(0)) || PAYLOAD_WORD.test(t.text);
}

function isAllDigits(t: Token): boolean {
  for (let i = 0; i < t.text.length; i++) if (!isDigit(t.text.charCodeAt(i))) return false;
  return t.text.length > 0;
}

function parseData(s: string, keyStart: number, problems: Problem[]): DataLine {
  const n = s.length;
  let i = keyStart;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === COMMA || isBlank(c)) break;
    i++;
  }
  const key = token(s, keyStart, i);
  let dimensions: KeyValueNode[] = [];
  if (i < n && s.charCodeAt(i) === COMMA) {
    const list = readKeyValues(s, i + 1, false, problems);
    dimensions = list.nodes;
    if (list.unterminated) return { kind: 'data', text: s, key, dimensions, payload: null, timestamp: null, problems };
    i = list.end;
  }
  const tokens = readTokens(s, i, problems);
  if (tokens.length === 0) {
    return { kind: 'data', text: s, key, dimensions, payload: null, timestamp: null, problems };
  }
  const payloadIndex = findPayloadAfterStrayWords(s, tokens, dimensions, problems);
  const payloadToken = tokens[payloadIndex] as Token;
  const timestamp = tokens[payloadIndex + 1] ?? null;
  const extra = tokens[payloadIndex + 2];
  if (extra) {
    const last = tokens[tokens.length - 1] as Token;
    problems.push(
      problem('LN005', extra.start, last.end, { text: s.slice(extra.start, last.end), after: 'timestamp' }),
    );
  }
  return { kind: 'data', text: s, key, dimensions, payload: parsePayload(payloadToken), timestamp, problems };
}

/**
 * An unescaped space inside an unquoted value (or a key) splits it, and the words after it stand where the payload
 * should (OBS #2295: `id=Compressed Class Space 1073…` → "invalid metric type"). When the first word cannot be a
 * payload but a later one can, with at most a timestamp after it, report the space and read the payload there.
 */
function findPayloadAfterStrayWords(s: string, tokens: Token[], dims: KeyValueNode[], problems: Problem[]): number {
  const k = tokens.length;
  const firstWord = tokens[0] as Token;
  if (k < 2 || looksLikePayload(firstWord)) return 0;
  const lastDim = dims[dims.length - 1];
  if (lastDim && (lastDim.quoted || lastDim.eq < 0)) return 0;
  let index = -1;
  if (k >= 3 && looksLikePayload(tokens[k - 2] as Token) && isAllDigits(tokens[k - 1] as Token)) index = k - 2;
  else if (looksLikePayload(tokens[k - 1] as Token)) index = k - 1;
  if (index < 1) return 0;
  const space = firstWord.start - 1;
  const strayEnd = (tokens[index - 1] as Token).end;
  if (lastDim) {
    problems.push(
      problem(
        'DV002',
        space,
        space + 1,
        { char: ' ', key: lastDim.key.text },
        { fix: quoteEdit(s, lastDim.value.start, strayEnd, lastDim.key.text) },
      ),
    );
  } else {
    problems.push(problem('MK003', space, space + 1, { chars: ' ', space: true }));
  }
  return index;
}

/** Splits a payload token into its form. Numbers stay text here; check.ts classifies them. */
function parsePayload(t: Token): Payload {
  const s = t.text;
  const span = { start: t.start, end: t.end };
  const comma = s.indexOf(',');
  const word = comma < 0 ? s : s.slice(0, comma);
  const restStart = t.start + comma + 1;
  if (word === 'gauge' && comma >= 0) {
    const rest = s.slice(comma + 1);
    if (rest.indexOf('=') < 0)
      return { kind: 'gauge', span, explicit: true, value: { start: restStart, end: t.end, text: rest } };
    return { kind: 'summary', span, fields: parseSummaryFields(rest, restStart) };
  }
  if (word === 'count' && comma >= 0) {
    const rest = s.slice(comma + 1);
    if (rest.startsWith('delta=')) {
      return { kind: 'count', span, delta: { start: restStart + 6, end: t.end, text: rest.slice(6) }, legacy: null };
    }
    return { kind: 'count', span, delta: null, legacy: { start: restStart, end: t.end, text: rest } };
  }
  if (word === 'gauge' || word === 'count' || comma >= 0) return { kind: 'unknown', span, text: s };
  if (startsLikeNumber(s.charCodeAt(0)) || NAN_OR_INFINITY.test(s)) {
    return { kind: 'gauge', span, explicit: false, value: { start: t.start, end: t.end, text: s } };
  }
  return { kind: 'unknown', span, text: s };
}

function parseSummaryFields(rest: string, offset: number): SummaryField[] {
  const fields: SummaryField[] = [];
  let start = 0;
  for (;;) {
    let end = rest.indexOf(',', start);
    if (end < 0) end = rest.length;
    const piece = rest.slice(start, end);
    const eq = piece.indexOf('=');
    const nameEnd = eq < 0 ? piece.length : eq;
    fields.push({
      name: { start: offset + start, end: offset + start + nameEnd, text: piece.slice(0, nameEnd) },
      eq: eq < 0 ? -1 : offset + start + eq,
      value:
        eq < 0
          ? { start: offset + end, end: offset + end, text: '' }
          : { start: offset + start + eq + 1, end: offset + end, text: piece.slice(eq + 1) },
    });
    if (end >= rest.length) return fields;
    start = end + 1;
  }
}

function parseMetadata(s: string, hash: number, problems: Problem[]): MetadataLine {
  const n = s.length;
  let i = hash + 1;
  while (i < n && !isBlank(s.charCodeAt(i))) i++;
  const key = token(s, hash + 1, i);
  const line: MetadataLine = { kind: 'metadata', text: s, key, type: null, properties: [], problems };
  if (key.text === '') {
    problems.push(problem('MD001', hash, hash + 1, { problem: i < n ? 'comment' : 'key' }));
    return line;
  }
  const sepStart = i;
  while (i < n && isBlank(s.charCodeAt(i))) i++;
  if (i === n) {
    if (i > sepStart) problems.push(whitespace(sepStart, n, 'trailing'));
    problems.push(problem('MD001', key.start, key.end, { problem: 'type' }));
    return line;
  }
  if (i - sepStart !== 1 || s.charCodeAt(sepStart) !== SPACE) problems.push(whitespace(sepStart, i, 'separator'));
  const typeStart = i;
  while (i < n && !isBlank(s.charCodeAt(i))) i++;
  line.type = token(s, typeStart, i);
  const propsSep = i;
  while (i < n && isBlank(s.charCodeAt(i))) i++;
  if (i === n) {
    if (i > propsSep) problems.push(whitespace(propsSep, n, 'trailing'));
    problems.push(problem('MD001', line.type.start, line.type.end, { problem: 'properties' }));
    return line;
  }
  if (i - propsSep !== 1 || s.charCodeAt(propsSep) !== SPACE) problems.push(whitespace(propsSep, i, 'separator'));
  const list = readKeyValues(s, i, true, problems);
  line.properties = list.nodes;
  if (!list.unterminated) {
    const extra = readTokens(s, list.end, problems);
    const first = extra[0];
    if (first) {
      const last = extra[extra.length - 1] as Token;
      problems.push(
        problem('LN005', first.start, last.end, { text: s.slice(first.start, last.end), after: 'properties' }),
      );
    }
  }
  return line;
}
