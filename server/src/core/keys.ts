/**
 * The rules of metric and dimension keys that more than one part applies (DOC D1): the characters a
 * key is made of (check.ts flags the others, json-line.ts replaces them), the characters a key or a section cannot
 * start with, and the key a metric is stored under (the linter, the local tenant, and the CLI's and the editor's
 * hints when a query finds nothing).
 */
import type { ParsedLine } from './parse.ts';
import { isDigit, isLower, isUpper } from './text.ts';

const DOT = 0x2e;
const DASH = 0x2d;
const UNDERSCORE = 0x5f;
const COLON = 0x3a;

/** A metric key's characters between its dots: letters of either case, digits, `_` and `-` (DOC D1). */
export const isMetricKeyChar = (c: number): boolean =>
  isLower(c) || isUpper(c) || isDigit(c) || c === UNDERSCORE || c === DASH;

/** A dimension key's characters between its dots: lower-case letters, digits, `_`, `-` and `:` (DOC D1). */
export const isDimensionKeyChar = (c: number): boolean =>
  isLower(c) || isDigit(c) || c === UNDERSCORE || c === DASH || c === COLON;

/** What a metric key cannot start with: a digit or `-` (DOC D1; MK002). */
export const isBadMetricKeyStart = (c: number): boolean => isDigit(c) || c === DASH;

/** What a section of a dimension key cannot start with: a digit, `-` or `:` (LIB; DK002). */
export const isBadDimensionSectionStart = (c: number): boolean => isDigit(c) || c === DASH || c === COLON;

/** Whether `key` is written as a metric key: its characters (MK003) and its first one (MK002), whatever its sections. */
export function isMetricKeyForm(key: string): boolean {
  const first = key.charCodeAt(0);
  if (key === '' || first === DOT || isBadMetricKeyStart(first)) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c !== DOT && !isMetricKeyChar(c)) return false;
  }
  return true;
}

/** Whether a key ends in `.count` or `_count`: a count metric keeps it as it is, a gauge gets `.gauge` (DOC D1, D4). */
export const endsWithCountSuffix = (key: string): boolean => key.endsWith('.count') || key.endsWith('_count');

/** The key a metric is stored under (DOC D1, D4): counts get `.count`, gauges ending in `.count`/`_count` get `.gauge`. */
export function storedKey(key: string, type: 'gauge' | 'count'): string {
  if (type === 'count') return endsWithCountSuffix(key) ? key : key + '.count';
  return endsWithCountSuffix(key) ? key + '.gauge' : key;
}

/** The key a data or metadata line's metric is stored and queried under; null for other lines and for keys not
 * written as metric keys (JSON, StatsD, `{labels}` are no metric to query). */
export function storedKeyOf(line: ParsedLine): string | null {
  if (line.kind !== 'data' && line.kind !== 'metadata') return null;
  if (!isMetricKeyForm(line.key.text)) return null;
  const count = line.kind === 'data' ? line.payload?.kind === 'count' : line.type?.text === 'count';
  return storedKey(line.key.text, count ? 'count' : 'gauge');
}
