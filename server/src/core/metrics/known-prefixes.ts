/**
 * Line prefixes (metric key and dimensions, up to the space before the payload, exactly as written) that the line
 * rules found clean once, kept across requests by whoever checks them: the local tenant's OTLP endpoint, whose
 * converter writes the same prefix for a series at every export. A later line made of a known prefix, a payload of
 * the fast path's clean forms (core/fast-path.ts) of the same kind as the one the prefix was checked with, and a
 * timestamp is checked without parsing: what depends on the payload and timestamp (the summary's consistency, the
 * window) and the request's file-level checks run (FileLinter.lintCleanPrefix), and its point is built from what the
 * prefix's parse gave. A prefix that parsed clean when followed by a space parses the same way again, so the answers
 * are the full check's (test/core/known-prefixes.test.ts holds both ways to the same answers). What a prefix proved
 * holds under the limits it was checked with: the default ones (LIMITS), as checkLines checks. Pure; bounded: past
 * `capacity` prefixes, or `charLimit` characters of the lines they were learned from, it starts again empty.
 */
import { summaryFault } from '../check.ts';
import { OtlpSeriesMemo } from '../convert/otlp.ts';
import { storedKey } from '../keys.ts';
import { utf8Length, type CleanPrefixFacts, type PayloadType } from '../lint.ts';
import type { DataLine } from '../parse.ts';
import { LIMITS } from '../rules.ts';
import type { SlotStats } from './series.ts';

/** A payload's kind, as the parser names it: a prefix is reused only with the kind it was checked with. */
type PayloadKind = 'gauge' | 'count' | 'summary';

export interface KnownPrefix {
  prefix: string;
  /** The prefix learned next: an exporter writes its series in the same order every time. */
  next: KnownPrefix | null;
  facts: CleanPrefixFacts;
  kind: PayloadKind;
  /** The prefix's UTF-8 length. */
  bytes: number;
  /** The stored point's dimensions: those with a value, as the parse read them. */
  dimensions: readonly (readonly [string, string])[];
  /** The key the points are stored under (with the suffix its payload type adds). */
  storedKey: string;
}

const NUMBER = String.raw`-?\d{1,15}(?:\.\d{1,17})?`;
/**
 * A clean payload and a timestamp after the prefix's space, as fast-path.ts reads them: canonical numbers (no NU or PL
 * finding), summary fields in order with a whole count, 12–14 digits not starting with 0 (never TS001 or TS002).
 * Groups: gauge value; min, max, sum, count; count delta; timestamp.
 */
const CLEAN_TAIL = new RegExp(
  `(?:gauge,(?:(${NUMBER})|min=(${NUMBER}),max=(${NUMBER}),sum=(${NUMBER}),count=(\\d{1,15}))|count,delta=(${NUMBER})) ([1-9]\\d{11,13})$`,
  'y',
);

export class KnownPrefixes {
  private readonly entries = new Map<string, KnownPrefix>();
  private chars = 0;
  /** The prefix found last, and the one learned last. */
  private last: KnownPrefix | null = null;
  private learned: KnownPrefix | null = null;
  /** After a match: the payload's type, its length, its values and the timestamp. */
  type: PayloadType = 'gauge';
  payloadLength = 0;
  stats: SlotStats = { min: 0, max: 0, sum: 0, count: 0 };
  timestamp = 0;
  /** How many lines matched a known prefix so far: the tests show the shortcut ran. */
  matched = 0;
  /**
   * The OTLP converter's memo of the series it converted (OtlpSeriesMemo), kept with the prefixes it makes: its
   * prefixes are the same strings request after request, which matchParts then finds without hashing them again.
   */
  readonly series: OtlpSeriesMemo;

  constructor(
    readonly capacity = 65_536,
    readonly charLimit = 16 << 20,
  ) {
    this.series = new OtlpSeriesMemo(capacity, charLimit);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The known prefix `text` starts with when a clean payload of its kind and a timestamp follow it, else undefined. */
  match(text: string): KnownPrefix | undefined {
    const last = text.lastIndexOf(' ');
    const before = last > 0 ? text.lastIndexOf(' ', last - 1) : -1;
    if (before <= 0) return undefined;
    CLEAN_TAIL.lastIndex = before + 1;
    const m = CLEAN_TAIL.exec(text);
    if (!m) return undefined;
    return this.found(m, this.guess(text, before) ?? this.entries.get(text.slice(0, before)), last - before - 1);
  }

  /**
   * match() of the line `prefix` + space + `rest` (ConversionSink.prefixed): the same answer, found without reading
   * the line as one string — a prefix the converter kept is looked up by a hash computed once.
   */
  matchParts(prefix: string, rest: string): KnownPrefix | undefined {
    CLEAN_TAIL.lastIndex = 0;
    const m = CLEAN_TAIL.exec(rest);
    if (!m) return undefined;
    const last = this.last;
    const next = last?.next;
    const guessed = last?.prefix === prefix ? last : next?.prefix === prefix ? next : undefined;
    return this.found(m, guessed ?? this.entries.get(prefix), rest.length - (m[7] as string).length - 1);
  }

  /** A clean payload and timestamp (CLEAN_TAIL's match `m`) after a known prefix, if it is one, of its kind. */
  private found(m: RegExpExecArray, known: KnownPrefix | undefined, payloadLength: number): KnownPrefix | undefined {
    if (!known) return undefined;
    this.last = known;
    let kind: PayloadKind;
    if (m[1] !== undefined) {
      kind = 'gauge';
      this.stats = single(Number(m[1]));
    } else if (m[6] !== undefined) {
      kind = 'count';
      this.stats = single(Number(m[6]));
    } else {
      kind = 'summary';
      const [min, max, sum, count] = [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
      if (summaryFault(min, max, sum, count, true, LIMITS.summaryTolerance) !== null) return undefined;
      this.stats = { min, max, sum, count };
    }
    if (kind !== known.kind) return undefined;
    this.type = kind === 'count' ? 'count' : 'gauge';
    this.payloadLength = payloadLength;
    this.timestamp = Number(m[7]);
    this.matched++;
    return known;
  }

  /**
   * The prefix `text` starts with (`length` characters) when it is the last one found or the one learned after it:
   * consecutive lines are often one series' points, or the next series, and a comparison costs less than hashing.
   */
  private guess(text: string, length: number): KnownPrefix | undefined {
    const last = this.last;
    if (!last) return undefined;
    if (last.prefix.length === length && text.startsWith(last.prefix)) return last;
    const next = last.next;
    if (next && next.prefix.length === length && text.startsWith(next.prefix)) return next;
    return undefined;
  }

  /** Remembers the prefix of `line` (its `text`), which the line rules found clean (`facts`: cleanPrefixOfLast). */
  learn(line: DataLine, facts: CleanPrefixFacts): void {
    const payload = line.payload;
    if (!payload || payload.kind === 'unknown' || !line.timestamp) return;
    const prefix = line.text.slice(0, facts.payloadStart - 1);
    if (this.entries.has(prefix)) return;
    if (this.entries.size >= this.capacity || this.chars + line.text.length > this.charLimit) {
      this.entries.clear();
      this.chars = 0;
      this.last = this.learned = null;
    }
    // The entry's strings are cut from the line: the line is what it keeps alive.
    this.chars += line.text.length;
    const type = payload.kind === 'count' ? 'count' : 'gauge';
    const known: KnownPrefix = {
      prefix,
      next: null,
      facts,
      kind: payload.kind,
      bytes: utf8Length(prefix),
      dimensions: storedDimensions(line),
      storedKey: storedKey(line.key.text, type),
    };
    this.entries.set(prefix, known);
    if (this.learned) this.learned.next = known;
    this.learned = known;
  }
}

/** A point of one value (a gauge's, a count's). */
export const single = (v: number): SlotStats => ({ min: v, max: v, sum: v, count: 1 });

/** A data line's dimensions as its point stores them: those with a value (a tenant drops the empty ones, DOC D4). */
export const storedDimensions = (line: DataLine): (readonly [string, string])[] =>
  line.dimensions.filter((d) => d.eq >= 0 && d.text !== '').map((d) => [d.key.text, d.text] as const);
