/**
 * Root causes: one mistake that makes the line rules report many findings. A line in another format (JSON,
 * InfluxDB, Prometheus, StatsD), a literal `\n` that joins two lines, a space escaped or quoted into a key. Looked
 * for only on a line the rules refuse, so a line the tenant takes never gets one; when one is found it is the
 * line's only finding (lint.ts), as a compiler names the cause and not its consequences. Recognisers read the raw
 * text (the line parser's reading of a foreign format is the cascade being replaced), in one pass each, and never
 * throw.
 */
import { checkDataLine, checkMetadataLine, otherTimeUnit } from './check.ts';
import { DECIMAL } from './numbers.ts';
import { isWholePoint, jsonToLine } from './json-line.ts';
import { parseLine } from './parse.ts';
import { hasError, problem, type Fix, type Problem } from './problems.ts';
import { literal, type Limits, type RuleCode } from './rules.ts';
import { BACKSLASH, isBlank, QUOTE } from './text.ts';

export interface RootCause {
  problem: Problem;
  /** A line of a JSON document spread over several lines, not JSON on its own: the document reports it once. */
  jsonPart: boolean;
}

/** The root cause of a refused line's findings, or null when they have none in common. */
export function findRootCause(text: string, limits: Limits): RootCause | null {
  let start = 0;
  while (start < text.length && isBlank(text.charCodeAt(start))) start++;
  let end = text.length;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  const line: Trimmed = { text, start, end, rest: text.slice(start, end) };
  const json = findJson(line);
  if (json) return json;
  const problem = literalNewline(line, limits) ?? statsd(line) ?? prometheus(line) ?? influx(line) ?? spaceInKey(line);
  return problem && { problem, jsonPart: false };
}

interface Trimmed {
  text: string;
  /** The first and after the last character that is not a space or tab. */
  start: number;
  end: number;
  rest: string;
}

/** How a value is written in a metric line: as it is, or quoted with `\"` and `\\` escaped. */
function dimensionValueText(value: string): string {
  return /^[^\s,="\\]+$/.test(value) ? value : '"' + value.replace(/[\\"]/g, '\\$&') + '"';
}

const rewrite = (line: Trimmed, lines: string[]): Fix => ({
  title:
    lines.length === 1
      ? `Rewrite as ${literal(lines[0] as string)}`
      : `Rewrite as ${lines.length} metric lines: ${literal(lines[0] as string)}, …`,
  edits: [{ start: 0, end: line.text.length, text: lines.join('\n') }],
});

// ---------------------------------------------------------------- JSON

const JSON_MEMBER = /^"(?:[^"\\]|\\.)*"\s*:/;

/** LN007: a JSON value, or a line of one spread over several lines (`{`, `"key": …`, `}`). */
function findJson(line: Trimmed): RootCause | null {
  const c = line.rest.charAt(0);
  if (c !== '{' && c !== '[' && c !== '}' && c !== ']' && !JSON_MEMBER.test(line.rest)) return null;
  const value = c === '{' || c === '[' ? parseJson(line.rest) : NOT_JSON;
  const whole = value !== NOT_JSON;
  // The message shows the first data point as a line; the fix replaces the JSON only when that line holds all of it.
  const single = Array.isArray(value) ? (value.length === 1 ? value[0] : null) : value;
  const rewritten = whole ? jsonToLine(value) : null;
  const fix = rewritten && isWholePoint(single) ? { fix: rewrite(line, [rewritten]) } : undefined;
  return { problem: problem('LN007', line.start, line.end, { whole, line: rewritten }, fix), jsonPart: !whole };
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

// ---------------------------------------------------------------- a literal \n

/** LN008: a backslash and `n` (or `\r\n`) where a line should end, after a line the rules accept. */
function literalNewline(line: Trimmed, limits: Limits): Problem | null {
  const text = line.text;
  const found: { start: number; end: number }[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    if (c !== BACKSLASH) continue;
    const length = text.startsWith('\\n', i) ? 2 : text.startsWith('\\r\\n', i) ? 4 : 0;
    if (length > 0 && !quoted) found.push({ start: i, end: i + length });
    i += length > 0 ? length - 1 : 1;
  }
  const first = found[0];
  if (!first || !isAccepted(text.slice(0, first.start), limits)) return null;
  const fix = { title: `Split into ${found.length + 1} lines`, edits: found.map((f) => ({ ...f, text: '\n' })) };
  return problem(
    'LN008',
    first.start,
    first.end,
    { sequence: text.slice(first.start, first.end), count: found.length },
    { fix },
  );
}

/** Whether a text is a data or metadata line the rules accept. */
function isAccepted(text: string, limits: Limits): boolean {
  const parsed = parseLine(text);
  if (parsed.kind === 'blank' || parsed.kind === 'comment') return false;
  return !hasError(parsed.kind === 'data' ? checkDataLine(parsed, limits) : checkMetadataLine(parsed, limits));
}

// ---------------------------------------------------------------- StatsD

const STATSD = /^([^:|\s#]+):([^|\s]+)\|(c|g|ms|h|d|s)(\|@[0-9.]+)?(\|#[^|\s]*)?((?:\|[^|]*)*)$/;

/** LN011: `name:value|type[|@rate][|#tag:value,…]`, StatsD and DogStatsD. */
function statsd(line: Trimmed): Problem | null {
  const m = STATSD.exec(line.rest);
  if (!m) return null;
  const [, name, value, type, rate, tags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string | undefined,
    string | undefined,
    string,
  ];
  const pairs =
    tags === undefined
      ? []
      : tags
          .slice(2)
          .split(',')
          .map((tag) => tag.split(/:(.*)/s));
  // A tag without a value, or a field after the tags (DogStatsD's `|T` timestamp, `|c:` container) has no place
  // in a metric line: no rewrite rather than one that drops it.
  const complete = rest === '' && pairs.every(([key, v]) => key && v);
  const payload = complete ? statsdPayload(value, type, rate !== undefined) : null;
  const dims = pairs.map(([key, v]) => `,${key}=${dimensionValueText(v as string)}`).join('');
  const rewritten = payload === null ? null : `${name}${dims} ${payload}`;
  return problem(
    'LN011',
    line.start,
    line.end,
    { type, line: rewritten },
    rewritten ? { fix: rewrite(line, [rewritten]) } : undefined,
  );
}

/**
 * A StatsD value as a payload: counters are deltas, gauges and timings one value. A sampled counter, a relative
 * gauge (`+3`) and a set have no one right line.
 */
function statsdPayload(value: string, type: string, sampled: boolean): string | null {
  if (!DECIMAL.test(value) || type === 's') return null;
  if (type === 'c') return sampled ? null : `count,delta=${value}`;
  if (type === 'g' && (value.startsWith('+') || value.startsWith('-'))) return null;
  return `gauge,${value}`;
}

// ---------------------------------------------------------------- Prometheus

const PROMETHEUS_COMMENT = /^#\s*(HELP|TYPE|UNIT|EOF)\b/;
const PROMETHEUS_NAME = /^[A-Za-z_:][A-Za-z0-9_:]*/;
const PROMETHEUS_SAMPLE_END = /^[ \t]+(\S+)(?:[ \t]+(-?\d+))?$/;

/** LN010: a Prometheus exposition line: `name{label="value",…} value [timestamp]`, or `# HELP` / `# TYPE`. */
function prometheus(line: Trimmed): Problem | null {
  const rest = line.rest;
  const comment = PROMETHEUS_COMMENT.exec(rest);
  if (comment) {
    const fix = {
      title: `Make it a comment: ${literal('//' + rest.slice(1))}`,
      edits: [{ start: line.start, end: line.start + 1, text: '//' }],
    };
    return problem(
      'LN010',
      line.start,
      line.end,
      { comment: comment[1] as string, line: null, name: '', labels: false },
      { fix },
    );
  }
  const name = PROMETHEUS_NAME.exec(rest)?.[0];
  if (!name) return null;
  const braces = rest.charAt(name.length) === '{';
  const labels = braces ? readLabels(rest, name.length + 1) : { pairs: [], end: name.length };
  if (!labels || (labels.pairs.length === 0 && !name.includes(':'))) return null;
  const sample = PROMETHEUS_SAMPLE_END.exec(rest.slice(labels.end));
  if (!sample) return null;
  const [, value, timestamp] = sample as unknown as [string, string, string | undefined];
  const finite = DECIMAL.test(value) && !labels.pairs.some(([, v]) => v.includes('\n'));
  const dims = labels.pairs.map(([k, v]) => `,${k}=${dimensionValueText(v)}`).join('');
  const rewritten = finite ? `${name.replace(/:/g, '.')}${dims} ${value}${timestamp ? ' ' + timestamp : ''}` : null;
  return problem(
    'LN010',
    line.start,
    line.end,
    { comment: null, line: rewritten, name, labels: braces },
    rewritten ? { fix: rewrite(line, [rewritten]) } : undefined,
  );
}

/** The labels from `from` (after `{`) to the closing `}`, values unescaped; null when they are not labels. */
function readLabels(s: string, from: number): { pairs: [string, string][]; end: number } | null {
  const pairs: [string, string][] = [];
  let i = from;
  for (;;) {
    while (isBlank(s.charCodeAt(i))) i++;
    if (s.charAt(i) === '}') return { pairs, end: i + 1 };
    const key = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i, i + 200))?.[0];
    if (!key || s.charAt(i + key.length) !== '=' || s.charAt(i + key.length + 1) !== '"') return null;
    i += key.length + 2;
    let value = '';
    for (; i < s.length && s.charCodeAt(i) !== QUOTE; i++) {
      if (s.charCodeAt(i) === BACKSLASH) {
        i++;
        value += s.charAt(i) === 'n' ? '\n' : s.charAt(i);
      } else value += s.charAt(i);
    }
    if (i >= s.length) return null;
    pairs.push([key, value]);
    i++;
    if (s.charAt(i) === ',') i++;
    else if (s.charAt(i) !== '}') return null;
  }
}

// ---------------------------------------------------------------- InfluxDB

const SUMMARY_NAMES = new Set(['min', 'max', 'sum', 'count', 'delta', 'gauge']);
const INFLUX_BOOLEAN = /^(?:(t|true|True|TRUE)|f|false|False|FALSE)$/;

/**
 * LN009: InfluxDB line protocol, `measurement[,tag=value…] field=value[,…] [timestamp]`. Rewritten as Telegraf's
 * Dynatrace output writes it (PROTOCOL §8.6): one line per field keyed `measurement.field`, booleans as 1 and 0,
 * the timestamp in milliseconds; a string field has no line.
 */
function influx(line: Trimmed): Problem | null {
  const parts = splitUnquoted(line.rest, 0x20);
  if (parts.length < 2 || parts.length > 3) return null;
  const [prefix, fieldSet, timestamp] = parts as [string, string, string | undefined];
  if (timestamp !== undefined && !/^\d+$/.test(timestamp)) return null;
  const fields = splitUnquoted(fieldSet, 0x2c).map((field) => {
    const eq = field.indexOf('=');
    return { name: field.slice(0, eq), value: field.slice(eq + 1), eq };
  });
  const first = fields[0] as { name: string; value: string; eq: number };
  if (fields.some((f) => f.eq <= 0) || !/^[A-Za-z_]/.test(first.name) || SUMMARY_NAMES.has(first.name.toLowerCase()))
    return null;
  const values = fields.map((f) => influxValue(f.value));
  const time = timestamp === undefined ? '' : ' ' + (otherTimeUnit(timestamp)?.milliseconds ?? timestamp);
  const measurement = splitUnquoted(prefix, 0x2c)[0] as string;
  const tags = prefix.slice(measurement.length);
  const lines = values.every((v) => v !== null)
    ? fields.map((f, i) => `${measurement}.${f.name}${tags} ${values[i]}${time}`)
    : null;
  const fix = lines ? { fix: rewrite(line, lines) } : undefined;
  return problem('LN009', line.start, line.end, { field: `${first.name}=${first.value}`, lines }, fix);
}

/** An InfluxDB field value as a gauge's value (integers lose their `i`/`u`, booleans become 1 and 0); else null. */
function influxValue(value: string): string | null {
  const number = /[iu]$/.test(value) ? value.slice(0, -1) : value;
  if (DECIMAL.test(number)) return number;
  const boolean = INFLUX_BOOLEAN.exec(value);
  return boolean ? (boolean[1] ? '1' : '0') : null;
}

/** `s` split at `separator` where it is neither escaped with `\` nor inside double quotes. */
function splitUnquoted(s: string, separator: number): string[] {
  const parts: string[] = [];
  let quoted = false;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) quoted = !quoted;
    else if (c === separator && !quoted) {
      parts.push(s.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(s.slice(from));
  return parts;
}

// ---------------------------------------------------------------- a space in a key

/** MK014, DK009: a space escaped (`\ `) or quoted (`"a b"`) into the metric key or a dimension key. */
function spaceInKey(line: Trimmed): Problem | null {
  const prefix = splitUnquoted(line.rest, 0x20)[0] as string;
  const keys = splitUnquoted(prefix, 0x2c).map((part, index) => ({ part, index }));
  let offset = line.start;
  const spaced: { code: RuleCode; start: number; end: number; written: string; fixed: string }[] = [];
  for (const { part, index } of keys) {
    const key = index === 0 ? part : (splitUnquoted(part, 0x3d)[0] as string);
    const fixed = spacedKey(key);
    if (fixed !== null)
      spaced.push({
        code: index === 0 ? 'MK014' : 'DK009',
        start: offset,
        end: offset + key.length,
        written: key,
        fixed,
      });
    offset += part.length + 1;
  }
  const first = spaced[0];
  if (!first) return null;
  const fix = {
    title: spaced.length === 1 ? `Write \`${first.fixed}\`` : 'Write the keys with `_` for spaces',
    edits: spaced.map((k) => ({ start: k.start, end: k.end, text: k.fixed })),
  };
  return problem(
    first.code as 'MK014',
    first.start,
    first.end,
    { written: first.written, fixed: first.fixed },
    { fix },
  );
}

/** A key written with `\ ` or in quotes around a space, as it should be written (spaces as `_`); else null. */
function spacedKey(key: string): string | null {
  if (key.length > 2 && key.startsWith('"') && key.endsWith('"') && key.includes(' '))
    return key.slice(1, -1).replace(/ /g, '_');
  return key.includes('\\ ') ? key.replace(/\\ /g, '_') : null;
}
