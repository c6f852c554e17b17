/**
 * Names and values made valid the way Dynatrace's own libraries make them (PROTOCOL §8.1 vectors): every converter
 * (convert/*.ts) and the JSON line of LN007's fix (json-line.ts) write keys, dimension values and numbers with
 * these, so that what they make is a line the linter finds no error in. Pure; null where nothing valid is left.
 */
import { isBadDimensionSectionStart, isBadMetricKeyStart, isDimensionKeyChar, isMetricKeyChar } from '../keys.ts';
import { LIMITS } from '../rules.ts';

const DOT = 0x2e;

/** A number as the protocol writes it: an exponent only after a decimal point (PROTOCOL §2.4, NU002). */
export function numberText(value: number): string {
  const text = String(value);
  const e = text.indexOf('e');
  return e < 0 || text.slice(0, e).includes('.') ? text : `${text.slice(0, e)}.0${text.slice(e)}`;
}

/**
 * A metric key as the libraries normalise it: sections of `[A-Za-z0-9_-]`, other runs of characters one `_`,
 * empty sections dropped, the key starting with a letter or `_` and no section with `-`; cut to the length no
 * tool refuses. Null when nothing is left, or for what no normalising makes valid (too short, the reserved `dt.`):
 * noMetricKeyReason says which.
 */
export function metricKey(raw: string | null): string | null {
  if (raw === null) return null;
  const key = normalMetricKey(raw);
  return key.length < LIMITS.metricKeyMinLength || key.startsWith('dt.') ? null : key;
}

/** Why metricKey finds no key in `raw`, for a report that names `raw` already. */
export function noMetricKeyReason(raw: string): string {
  const key = normalMetricKey(raw);
  if (key === '') return 'no character a metric key may hold';
  const becomes = key === raw ? '' : `it becomes \`${key}\`, `;
  return key.startsWith('dt.')
    ? `${becomes}keys starting \`dt.\` are Dynatrace's own`
    : `${becomes}shorter than ${LIMITS.metricKeyMinLength} characters, the shortest key a tenant takes`;
}

function normalMetricKey(raw: string): string {
  const sections = raw
    .split('.')
    .map((section) => replaceForeignRuns(section, isMetricKeyChar))
    .filter((section) => section !== '')
    .map((section, i) => (i === 0 ? replaceBadStart(section, isBadMetricKeyStart) : section.replace(/^-/, '_')));
  return sections.join('.').slice(0, LIMITS.metricKeyConservativeLength).replace(/\.+$/, '');
}

/** A dimension key lower-cased, sections of `[a-z0-9_:-]` each starting with a letter or `_`; null when empty. */
export function dimensionKey(raw: string): string | null {
  if (isPlainDimensionKey(raw)) return raw;
  const key = raw
    .toLowerCase()
    .split('.')
    .map((section) => replaceForeignRuns(section, isDimensionKeyChar))
    .filter((section) => section !== '')
    .map((section) => replaceBadStart(section, isBadDimensionSectionStart))
    .join('.')
    .slice(0, LIMITS.dimensionKeyMaxLength)
    .replace(/\.+$/, '');
  return key === '' ? null : key;
}

/**
 * Whether a dimension key is written as dimensionKey would write it, so that it stays as it is: one scan, where
 * the rest takes seven passes and their strings, for the keys most inputs send (OTLP's semantic conventions).
 */
function isPlainDimensionKey(raw: string): boolean {
  if (raw === '' || raw.length > LIMITS.dimensionKeyMaxLength) return false;
  let sectionStart = true;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === DOT) {
      if (sectionStart) return false;
      sectionStart = true;
    } else if (!isDimensionKeyChar(c) || (sectionStart && isBadDimensionSectionStart(c))) return false;
    else sectionStart = false;
  }
  return !sectionStart;
}

/** `text` with each run of characters a key may not hold (keys.ts) as one `_`. */
function replaceForeignRuns(text: string, isKeyChar: (c: number) => boolean): string {
  let out = '';
  let inRun = false;
  for (let i = 0; i < text.length; i++) {
    const kept = isKeyChar(text.charCodeAt(i));
    if (kept || !inRun) out += kept ? text.charAt(i) : '_';
    inRun = !kept;
  }
  return out;
}

/** `section` with `_` for a first character it may not start with (keys.ts). */
const replaceBadStart = (section: string, isBadStart: (c: number) => boolean): string =>
  isBadStart(section.charCodeAt(0)) ? '_' + section.slice(1) : section;

/** What cannot be sent in a value (the class DV006 flags): each run becomes one `_`, as the libraries do. */
const UNSENDABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u2028\u2029]+/gu;

/** A scalar as an unquoted dimension value: unsendable runs `_`, cut to the limit, `, = space \ "` escaped; null when empty. */
export function dimensionValue(raw: unknown): string | null {
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return null;
  const text = String(raw);
  if (isPlainValue(text)) return text;
  let value = text.replace(UNSENDABLE, '_');
  if (value.length > LIMITS.dimensionValueMaxLength) {
    value = value.slice(0, LIMITS.dimensionValueMaxLength);
    // A pair of surrogates is not cut in two: the half left would be unsendable.
    if (/[\uD800-\uDBFF]$/.test(value)) value = value.slice(0, -1);
  }
  return value === '' ? null : value.replace(/[,= \\"]/g, '\\$&');
}

/**
 * Whether a value goes into a line as it is: printable ASCII but `, = space \\ "`, within the length limit. Most
 * values are (hosts, codes, paths), and one scan is far cheaper than the two regular expressions of the rest.
 */
function isPlainValue(text: string): boolean {
  if (text === '' || text.length > LIMITS.dimensionValueMaxLength) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x2c || c === 0x3d || c === 0x5c || c === 0x22) return false;
  }
  return true;
}

/** A dimension as the input wrote it that did not reach the line as it was. */
export interface DimensionChange {
  /** The key as written. */
  key: string;
  /** The key in the line; null when the dimension was left out. */
  to: string | null;
  /** Why it was left out (null when it was only renamed). */
  reason: string | null;
}

/**
 * An input's dimensions as line pairs, in their order: keys normalised (dimensionKey), values escaped
 * (dimensionValue); of keys that normalise alike, the first wins (as OTLP ingest's "the first value wins"), empty
 * values and values that are not scalars are left out (the tenant drops empty ones). Every rename and omission is
 * handed to `changed`. The caller decides what more than the line's limit of pairs means (LIMITS.dimensionsPerLine).
 */
export function dimensionPairs(
  entries: Iterable<readonly [string, unknown]>,
  changed: (change: DimensionChange) => void,
): [string, string][] {
  const written: DimensionText[] = [];
  for (const [rawKey, rawValue] of entries) written.push(dimensionText(rawKey, rawValue));
  return pairsOf(written, changed);
}

/** A dimension as written (`raw`) and as it goes into a line: key normalised, value escaped (null: left out). */
export interface DimensionText {
  raw: string;
  key: string | null;
  value: string | null;
}

export const dimensionText = (raw: string, rawValue: unknown): DimensionText => ({
  raw,
  key: dimensionKey(raw),
  value: dimensionValue(rawValue),
});

/** dimensionPairs of dimensions already normalised (dimensionText): a converter may keep those it writes often. */
export function pairsOf(
  dimensions: readonly DimensionText[],
  changed: (change: DimensionChange) => void,
): [string, string][] {
  const pairs = new Map<string, string>();
  for (const { raw, key, value } of dimensions) {
    if (key === null) changed({ key: raw, to: null, reason: 'no character a dimension key may hold' });
    else if (value === null)
      changed({ key: raw, to: null, reason: 'its value is empty or not a string, number or boolean' });
    else if (pairs.has(key)) changed({ key: raw, to: null, reason: `\`${key}\` came first` });
    else {
      pairs.set(key, value);
      if (key !== raw) changed({ key: raw, to: key, reason: null });
    }
  }
  return [...pairs];
}

/** A gauge summary's payload: `gauge,min=…,max=…,sum=…,count=…`. */
export const summaryPayload = (min: number, max: number, sum: number, count: number): string =>
  `gauge,min=${numberText(min)},max=${numberText(max)},sum=${numberText(sum)},count=${count}`;

/** A metric line from valid parts: `key,k=v,… payload [timestamp]`. */
export function metricLine(
  key: string,
  dimensions: readonly (readonly [string, string])[],
  payload: string,
  timestamp: number | null,
): string {
  return lineOf(linePrefix(key, dimensions), payload, timestamp);
}

/** A metric line's prefix from valid parts: `key,k=v,…`, before the payload's space. */
export function linePrefix(key: string, dimensions: readonly (readonly [string, string])[]): string {
  let line = key;
  for (const [k, v] of dimensions) line += `,${k}=${v}`;
  return line;
}

/** A metric line of a prefix (linePrefix), a payload and a timestamp (null: none, the tenant stamps the line). */
export const lineOf = (prefix: string, payload: string, timestamp: number | null): string =>
  `${prefix} ${lineRest(payload, timestamp)}`;

/** What follows a line's prefix and its space: the payload and the timestamp (null: none). */
export const lineRest = (payload: string, timestamp: number | null): string =>
  timestamp === null ? payload : `${payload} ${timestamp}`;
