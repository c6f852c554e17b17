import { problem, type Problem } from './problems.ts';
import { literal } from './rules.ts';
import type { Token } from './parse.ts';
import { isDigit } from './text.ts';

/** NaN and infinity as a payload may spell them (`NaN`, `+inf`, `-Infinity`): meant as a number, never a valid one (NU001). */
export const NAN_OR_INFINITY = /^[+-]?(nan|inf(inity)?)$/i;

/** What a number's text may start with: a digit, a sign or a decimal point. */
export const startsLikeNumber = (c: number): boolean => isDigit(c) || c === 0x2d || c === 0x2b || c === 0x2e;

/**
 * Reads a payload number and reports what is wrong with its form (NU001–NU004). Returns its value, or NaN when
 * there is none to use. The canonical form is `-?digits[.digits][(e|E)[+-]digits]`, as the libraries write it.
 * `after`: what the line writes just before the number (`gauge,`, `delta=`, `min=`; empty for a bare value).
 */
export function readNumber(t: Token, problems: Problem[], after: string): number {
  const s = t.text;
  const n = s.length;
  let i = 0;
  const first = s.charCodeAt(0);
  const plus = first === 0x2b;
  if (plus || first === 0x2d) i++;
  const intStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  const intDigits = i - intStart;
  let point = false;
  let fracDigits = 0;
  if (s.charCodeAt(i) === 0x2e) {
    point = true;
    const fracStart = ++i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    fracDigits = i - fracStart;
  }
  let exponentStart = -1;
  let expDigits = 0;
  if ((s.charCodeAt(i) | 0x20) === 0x65) {
    exponentStart = i++;
    if (s.charCodeAt(i) === 0x2b || s.charCodeAt(i) === 0x2d) i++;
    const expStart = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    expDigits = i - expStart;
  }
  if (i !== n || intDigits + fracDigits === 0 || (exponentStart >= 0 && expDigits === 0)) {
    if (n === 0 || NAN_OR_INFINITY.test(s) || !/[0-9]/.test(s)) {
      // An empty number (`gauge,` at the end of a line) is marked on the `,` or `=` before it.
      const start = n === 0 ? Math.max(0, t.start - 1) : t.start;
      const kind = n === 0 ? 'missing' : NAN_OR_INFINITY.test(s) ? 'nan' : 'text';
      problems.push(problem('NU001', start, n === 0 ? start + 1 : t.end, { text: s, kind, after }));
    } else {
      problems.push(problem('NU004', t.start, t.end, { text: s }));
    }
    return NaN;
  }
  const value = Number(plus ? s.slice(1) : s);
  if (!Number.isFinite(value)) {
    problems.push(problem('NU001', t.start, t.end, { text: s, kind: 'overflow', after }));
    return NaN;
  }
  const unusual = plus || intDigits === 0 || (point && fracDigits === 0);
  const bareExponent = exponentStart >= 0 && !point;
  if (unusual || bareExponent) {
    // Both findings of a number suggest the one form neither flags (`+1e5` → `1.0e5`), so their fixes agree.
    const suggestion = canonical(s, plus);
    const fix = { title: `Write ${literal(suggestion)}`, edits: [{ start: t.start, end: t.end, text: suggestion }] };
    if (unusual) problems.push(problem('NU003', t.start, t.end, { text: s, suggestion }, { fix }));
    if (bareExponent) problems.push(problem('NU002', t.start, t.end, { text: s, suggestion }, { fix }));
  }
  return value;
}

/** The libraries' form of a number: `+5` → `5`, `.5` → `0.5`, `5.` → `5`, `1e5` → `1.0e5`, sign and exponent kept. */
function canonical(s: string, plus: boolean): string {
  let body = plus ? s.slice(1) : s;
  const negative = body.startsWith('-');
  if (negative) body = body.slice(1);
  const e = body.search(/[eE]/);
  let mantissa = e < 0 ? body : body.slice(0, e);
  const exponent = e < 0 ? '' : body.slice(e);
  if (mantissa.startsWith('.')) mantissa = '0' + mantissa;
  if (mantissa.endsWith('.')) mantissa = exponent ? mantissa + '0' : mantissa.slice(0, -1);
  if (exponent && !mantissa.includes('.')) mantissa += '.0';
  return (negative ? '-' : '') + mantissa + exponent;
}

/** Formats a number for a message without float noise. */
export function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}

/**
 * A decimal number as other formats write it (StatsD, InfluxDB, Prometheus, JSON strings): sign, digits with an
 * optional fraction, exponent. Written so that no input makes it backtrack: linear on a line of any length.
 */
export const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
