/**
 * The metric selector (PROTOCOL §7.2, DOC D9) parsed into plain data: a list of metric expressions, each a key
 * and the transformations chained after it with `:`. Only the part of the language the local tenant evaluates
 * is accepted; a transformation it does not evaluate is reported as such, not silently ignored. Parsing never
 * throws: a problem comes back with the index (UTF-16 offset) where it was found. Each character is looked at a
 * bounded number of times, and conditions nest at most MAX_NESTING deep, so any input parses in linear time and
 * bounded stack.
 */
import { isMetricKeyChar } from '../keys.ts';
import type { Failure, Result } from '../result.ts';
import { isDigit, isLower, isUpper } from '../text.ts';

/** Aggregations the local tenant evaluates from the stored slot statistics (min, max, sum, count). */
export type Aggregation = 'auto' | 'avg' | 'count' | 'max' | 'min' | 'sum' | 'value';

export const AGGREGATIONS: readonly Aggregation[] = ['auto', 'avg', 'count', 'max', 'min', 'sum', 'value'];

/** Dimension conditions of `:filter`: a series passes when its dimensions satisfy them. */
export type Condition =
  | { kind: 'eq' | 'ne' | 'prefix' | 'suffix' | 'contains'; dimension: string; value: string }
  | { kind: 'in'; dimension: string; values: string[] }
  | { kind: 'existsKey'; dimension: string }
  | { kind: 'and' | 'or'; conditions: Condition[] }
  | { kind: 'not'; condition: Condition };

export type SortKey =
  | { kind: 'value'; aggregation: Aggregation; descending: boolean }
  | { kind: 'dimension'; dimension: string; descending: boolean; natural: boolean };

export type Transformation =
  | { kind: 'aggregation'; aggregation: Aggregation }
  /** Every condition must hold. */
  | { kind: 'filter'; conditions: Condition[] }
  | { kind: 'splitBy'; dimensions: string[] }
  | { kind: 'merge'; dimensions: string[] }
  | { kind: 'fold'; aggregation: Aggregation | null }
  | { kind: 'limit'; count: number }
  | { kind: 'sort'; keys: SortKey[] }
  | { kind: 'default'; value: number; always: boolean };

export interface MetricExpression {
  /** The metric key: quotes and escapes resolved; in list selectors it may hold `*` wildcards. */
  key: string;
  /** The expression as written (one member of a `a.(b,c)` group written out): its result's `metricId`. */
  text: string;
  /** Where the expression starts in the selector. */
  start: number;
  transformations: Transformation[];
}

/**
 * A problem in a selector: where it was found (`index`, a UTF-16 offset), and the whole message, index included:
 * `Unexpected ')' at index 17: expected a condition`.
 */
export type SelectorFailure = Failure<{ index: number }>;

/** A selector's metric expressions, or the first problem found in it. */
export type SelectorParse = Result<MetricExpression[], { index: number }>;

export interface SelectorOptions {
  /** Allow `*` in keys (the metric list, PROTOCOL §7.3). */
  wildcards?: boolean;
}

/** At most this many metrics in one selector (PROTOCOL §7.1). */
const MAX_EXPRESSIONS = 10;
/** Deepest nesting of and/or/not conditions: deeper is no real query, only a way to exhaust the stack. */
export const MAX_NESTING = 32;

/** Transformations of the real selector language the local tenant does not evaluate. */
const UNSUPPORTED_TRANSFORMATIONS = new Set([
  'delta',
  'evaluateModel',
  'histogram',
  'last',
  'lastReal',
  'median',
  'names',
  'parents',
  'partition',
  'percentile',
  'rate',
  'rollup',
  'setUnit',
  'smooth',
  'timeshift',
  'toUnit',
]);
const UNSUPPORTED_CONDITIONS = new Set(['remainder', 'series']);
const UNSUPPORTED_AGGREGATIONS = new Set(['median', 'percentile']);

const COMPARISONS = new Set(['eq', 'ne', 'prefix', 'suffix', 'contains']);

export function parseMetricSelector(text: string, options: SelectorOptions = {}): SelectorParse {
  const parser = new SelectorParser(text, options.wildcards === true);
  const expressions = parser.selector();
  return expressions && !parser.error
    ? { ok: true, value: expressions }
    : (parser.error ?? { ok: false, index: 0, message: 'Invalid selector' });
}

// The selector is read as characters; the classes are the line protocol's (core/text.ts, core/keys.ts).
const isAlpha = (c: string): boolean => isLower(c.charCodeAt(0)) || isUpper(c.charCodeAt(0));
const isKeyChar = (c: string): boolean => c === '.' || isMetricKeyChar(c.charCodeAt(0));
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
/** Ends an unquoted argument such as the `HOST-1` of `eq(dt.entity.host,HOST-1)`. */
const endsBareArgument = (c: string): boolean => c === ',' || c === '(' || c === ')' || c === '"' || isSpace(c);

const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;

/** A key as read: its resolved text and, for `a.(b,c)`, the group's members. */
interface KeyParts {
  key: string;
  group: { open: number; close: number; members: { key: string; text: string }[] } | null;
}

class SelectorParser {
  error: SelectorFailure | null = null;
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly wildcards: boolean,
  ) {}

  selector(): MetricExpression[] | null {
    const expressions: MetricExpression[] = [];
    this.skipSpace();
    for (;;) {
      const start = this.pos;
      const found = this.expression();
      if (!found) return null;
      if (expressions.length + found.length > MAX_EXPRESSIONS) {
        return this.fail(start, 'Too many metrics', `a selector holds at most ${MAX_EXPRESSIONS} metric expressions`);
      }
      expressions.push(...found);
      this.skipSpace();
      if (!this.eat(',')) break;
      this.skipSpace();
    }
    if (this.pos < this.text.length)
      return this.unexpected("expected ',' between metrics or ':' before a transformation");
    return expressions;
  }

  private expression(): MetricExpression[] | null {
    const start = this.pos;
    const key = this.key();
    if (!key) return null;
    const transformations: Transformation[] = [];
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      if (!this.eat(':')) {
        this.pos = before;
        break;
      }
      this.skipSpace();
      const transformation = this.transformation();
      if (!transformation) return null;
      transformations.push(transformation);
    }
    const end = this.pos;
    if (!key.group) return [{ key: key.key, text: this.text.slice(start, end), start, transformations }];
    const { open, close, members } = key.group;
    const head = this.text.slice(start, open);
    const tail = this.text.slice(close + 1, end);
    return members.map((member) => ({
      key: key.key + member.key,
      text: head + member.text + tail,
      start,
      transformations,
    }));
  }

  /** A metric key: unquoted runs and quoted sections, ending at a transformation's `:` or a `(b,c)` group. */
  private key(): KeyParts | null {
    let key = '';
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] as string;
      if (c === '"') {
        const quoted = this.quoted();
        if (quoted === null) return null;
        key += quoted;
      } else if (this.isKeyCharHere(c) || (c === ':' && this.colonContinuesKey(this.pos + 1))) {
        key += c;
        this.pos++;
      } else if (c === '(') {
        const open = this.pos;
        this.pos++;
        const members = this.list(() => this.groupMember(), 1);
        if (!members || !this.expect(')', "expected ',' or ')' to end the group")) return null;
        return { key, group: { open, close: this.pos - 1, members } };
      } else break;
    }
    if (this.pos === start) return this.unexpected('expected a metric key');
    if (key === '') return this.fail(start, 'Empty metric key', 'a key has at least one character');
    return { key, group: null };
  }

  private groupMember(): { key: string; text: string } | null {
    const start = this.pos;
    if (this.text[this.pos] === '"') {
      const quoted = this.quoted();
      if (quoted === '') return this.fail(start, 'Empty metric key', 'a key has at least one character');
      return quoted === null ? null : { key: quoted, text: this.text.slice(start, this.pos) };
    }
    while (this.pos < this.text.length && this.isKeyCharHere(this.text[this.pos] as string)) this.pos++;
    if (this.pos === start) return this.unexpected('expected the last part of a metric key');
    const member = this.text.slice(start, this.pos);
    return { key: member, text: member };
  }

  private isKeyCharHere(c: string): boolean {
    return isKeyChar(c) || (this.wildcards && c === '*');
  }

  /**
   * Whether the `:` before `at` belongs to the key rather than starting a transformation: keys such as
   * `builtin:host.cpu.usage` hold colons, but a transformation name is letters only and not followed by more key.
   */
  private colonContinuesKey(at: number): boolean {
    const next = this.text[at];
    if (next === undefined || !(this.isKeyCharHere(next) || next === '"')) return false;
    let end = at;
    while (end < this.text.length && isAlpha(this.text[end] as string)) end++;
    return (
      end === at || (end < this.text.length && (this.isKeyCharHere(this.text[end] as string) || this.text[end] === '"'))
    );
  }

  private transformation(): Transformation | null {
    const start = this.pos;
    const name = this.identifier();
    if (name === '') return this.unexpected('expected a transformation such as avg, filter(...), splitBy(...) or fold');
    const aggregation = this.aggregationNamed(name, start);
    if (aggregation) return { kind: 'aggregation', aggregation };
    if (this.error) return null;
    switch (name) {
      case 'filter': {
        const conditions = this.arguments(() => this.condition(0), 1);
        return conditions && { kind: 'filter', conditions };
      }
      case 'splitBy':
      case 'merge': {
        const dimensions = this.arguments(() => this.string(), name === 'merge' ? 1 : 0);
        return dimensions && { kind: name, dimensions };
      }
      case 'fold':
        return this.fold();
      case 'limit': {
        const count = this.arguments(() => this.positiveInteger(), 1, 1);
        return count && { kind: 'limit', count: count[0] as number };
      }
      case 'sort': {
        const keys = this.arguments(() => this.sortKey(), 1);
        return keys && { kind: 'sort', keys };
      }
      case 'default':
        return this.defaultTransformation();
    }
    if (UNSUPPORTED_TRANSFORMATIONS.has(name))
      return this.fail(start, `The transformation ':${name}'`, 'it is not supported by the local tenant');
    return this.fail(
      start,
      `Unknown transformation ':${name}'`,
      'use avg, min, max, sum, count, value, auto, filter, splitBy, merge, fold, limit, sort or default',
    );
  }

  /** An aggregation name; null (and no error) when `name` is no aggregation at all. */
  private aggregationNamed(name: string, at: number): Aggregation | null {
    if ((AGGREGATIONS as readonly string[]).includes(name)) return name as Aggregation;
    if (UNSUPPORTED_AGGREGATIONS.has(name))
      this.fail(
        at,
        `The aggregation '${name}'`,
        'it is not supported by the local tenant (it keeps min, max, sum and count per slot)',
      );
    return null;
  }

  private aggregation(): Aggregation | null {
    const start = this.pos;
    const name = this.identifier();
    const aggregation = this.aggregationNamed(name, start);
    if (aggregation || this.error) return aggregation;
    this.pos = start;
    return this.unexpected('expected an aggregation: avg, min, max, sum, count, value or auto');
  }

  private fold(): Transformation | null {
    const before = this.pos;
    this.skipSpace();
    if (this.text[this.pos] !== '(') {
      this.pos = before;
      return { kind: 'fold', aggregation: null };
    }
    const aggregation = this.arguments(() => this.aggregation(), 0, 1);
    return aggregation && { kind: 'fold', aggregation: aggregation[0] ?? null };
  }

  private defaultTransformation(): Transformation | null {
    if (!this.open()) return null;
    const value = this.number();
    if (value === null) return null;
    const always = this.optionalWord(['always'], 'expected always');
    return always !== null && this.close() ? { kind: 'default', value, always: always === 'always' } : null;
  }

  private condition(depth: number): Condition | null {
    const start = this.pos;
    if (depth >= MAX_NESTING)
      return this.fail(start, 'Conditions nest too deeply', `at most ${MAX_NESTING} levels of and/or/not`);
    const name = this.identifier();
    if (COMPARISONS.has(name)) {
      const args = this.arguments(() => this.string(), 2, 2);
      return args && { kind: name as 'eq', dimension: args[0] as string, value: args[1] as string };
    }
    switch (name) {
      case 'in':
        return this.inCondition();
      case 'existsKey': {
        const args = this.arguments(() => this.string(), 1, 1);
        return args && { kind: 'existsKey', dimension: args[0] as string };
      }
      case 'and':
      case 'or': {
        const conditions = this.arguments(() => this.condition(depth + 1), 1);
        return conditions && { kind: name, conditions };
      }
      case 'not': {
        const inner = this.arguments(() => this.condition(depth + 1), 1, 1);
        return inner && { kind: 'not', condition: inner[0] as Condition };
      }
      case '':
        return this.unexpected('expected a condition such as eq("dimension","value")');
    }
    if (UNSUPPORTED_CONDITIONS.has(name))
      return this.fail(start, `The condition '${name}'`, 'it is not supported by the local tenant');
    return this.fail(
      start,
      `Unknown condition '${name}'`,
      'use eq, ne, prefix, suffix, contains, in, existsKey, and, or or not',
    );
  }

  private inCondition(): Condition | null {
    const args = this.arguments(() => {
      if (this.text.startsWith('entitySelector', this.pos)) {
        return this.fail(
          this.pos,
          'entitySelector(...)',
          'it is not supported by the local tenant, which has no entities: list the values, in("dimension","value1","value2")',
        );
      }
      return this.string();
    }, 2);
    return args && { kind: 'in', dimension: args[0] as string, values: args.slice(1) };
  }

  private sortKey(): SortKey | null {
    const name = this.word(
      ['value', 'dimension'],
      'expected value(<aggregation>,<direction>) or dimension("<dimension>",<direction>)',
    );
    if (name === null || !this.open()) return null;
    if (name === 'value') {
      const aggregation = this.aggregation();
      if (aggregation === null || !this.comma()) return null;
      const direction = this.direction();
      return direction !== null && this.close()
        ? { kind: 'value', aggregation, descending: direction === 'descending' }
        : null;
    }
    const dimension = this.string();
    if (dimension === null || !this.comma()) return null;
    const direction = this.direction();
    if (direction === null) return null;
    const order = this.optionalWord(['lexical', 'natural'], 'expected lexical or natural');
    return order !== null && this.close()
      ? { kind: 'dimension', dimension, descending: direction === 'descending', natural: order === 'natural' }
      : null;
  }

  private direction(): string | null {
    return this.word(['ascending', 'descending'], 'expected ascending or descending');
  }

  /** One of `words`; else an error at the word's start. */
  private word(words: readonly string[], expected: string): string | null {
    const start = this.pos;
    const word = this.identifier();
    if (words.includes(word)) return word;
    this.pos = start;
    return this.unexpected(expected);
  }

  /** An optional last argument `,word`: the word, '' when there is none, null after an error. */
  private optionalWord(words: readonly string[], expected: string): string | null {
    this.skipSpace();
    if (!this.eat(',')) return '';
    this.skipSpace();
    return this.word(words, expected);
  }

  private open(): boolean {
    this.skipSpace();
    if (!this.expect('(', "expected '('")) return false;
    this.skipSpace();
    return true;
  }

  private comma(): boolean {
    this.skipSpace();
    if (!this.expect(',', "expected ','")) return false;
    this.skipSpace();
    return true;
  }

  private close(): boolean {
    this.skipSpace();
    return this.expect(')', "expected ')'");
  }

  /**
   * A parenthesised, comma-separated list of `min` to `max` arguments. An argument function returns null only
   * after recording an error.
   */
  private arguments<T>(argument: () => T | null, min: number, max = Infinity): T[] | null {
    if (!this.open()) return null;
    const items = this.list(argument, min, max);
    return items && this.expect(')', items.length < max ? "expected ',' or ')'" : "expected ')'") ? items : null;
  }

  private list<T>(item: () => T | null, min: number, max = Infinity): T[] | null {
    const items: T[] = [];
    this.skipSpace();
    if (this.text[this.pos] !== ')') {
      for (;;) {
        const value = item();
        if (value === null) return null;
        items.push(value);
        this.skipSpace();
        if (items.length >= max || !this.eat(',')) break;
        this.skipSpace();
      }
    }
    this.skipSpace();
    if (items.length < min) return this.unexpected(`expected ${min === 1 ? 'an argument' : `${min} arguments`}`);
    return items;
  }

  /** A quoted string (`~"` and `~~` escapes) or a bare word such as `HOST-1`. */
  private string(): string | null {
    if (this.text[this.pos] === '"') return this.quoted();
    const start = this.pos;
    while (this.pos < this.text.length && !endsBareArgument(this.text[this.pos] as string)) this.pos++;
    if (this.pos === start) return this.unexpected('expected a quoted string such as "host"');
    return this.text.slice(start, this.pos);
  }

  private quoted(): string | null {
    const open = this.pos;
    let value = '';
    let runStart = ++this.pos;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === '"') {
        value += this.text.slice(runStart, this.pos);
        this.pos++;
        return value;
      }
      if (c === '~') {
        const next = this.text[this.pos + 1];
        if (next !== '"' && next !== '~')
          return this.fail(
            this.pos,
            "Invalid escape '~'",
            'inside quotes only ~" and ~~ are escapes; write a tilde as ~~',
          );
        value += this.text.slice(runStart, this.pos) + next;
        this.pos += 2;
        runStart = this.pos;
      } else this.pos++;
    }
    return this.fail(open, 'Unterminated quoted string', 'a closing " is missing');
  }

  private identifier(): string {
    const start = this.pos;
    while (this.pos < this.text.length && isAlpha(this.text[this.pos] as string)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private positiveInteger(): number | null {
    const start = this.pos;
    while (this.pos < this.text.length && isDigit(this.text.charCodeAt(this.pos))) this.pos++;
    const digits = this.text.slice(start, this.pos);
    if (digits === '') return this.unexpected('expected a whole number');
    const value = Number(digits);
    if (value < 1 || !Number.isSafeInteger(value))
      return this.fail(start, `Invalid number ${digits}`, 'expected a whole number of at least 1');
    return value;
  }

  private number(): number | null {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.unexpected('expected a number');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && isSpace(this.text[this.pos] as string)) this.pos++;
  }

  private eat(c: string): boolean {
    if (this.text[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  private expect(c: string, expected: string): boolean {
    if (this.eat(c)) return true;
    this.unexpected(expected);
    return false;
  }

  /** Records "Unexpected <char> at index <pos>: <expected>" (the first error wins) and returns null. */
  private unexpected(expected: string): null {
    const c = this.text[this.pos];
    return this.fail(this.pos, c === undefined ? 'Unexpected end of the selector' : `Unexpected '${c}'`, expected);
  }

  private fail(index: number, what: string, detail: string): null {
    this.error ??= { ok: false, index, message: `${what} at index ${index}: ${detail}` };
    return null;
  }
}
