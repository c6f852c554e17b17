/**
 * The fast path for lines that are certainly clean, so that linting keeps pace with reading (issue: ≥ 50 % of a
 * bare scan). It works on a line's UTF-8 bytes, so a clean line is never decoded, and it decides nothing about
 * keys or dimensions on its own; it recognises lines made of parts already proven clean:
 *
 * - the prefix (metric key and dimensions, up to the space before the payload) must be byte for byte one that the
 *   full parser and rules found clean on an earlier line. A prefix that parsed clean when followed by a space
 *   parses the same way again, so a hit needs no second look;
 * - the payload and timestamp must match the strict forms below, which the full rules accept without a finding
 *   (canonical numbers, summary fields in order, a 12–14 digit timestamp not starting with 0);
 * - what depends on values (summary consistency, the timestamp window) is checked by the rules' own functions.
 *
 * Anything else is decoded and takes the full parser. test/core/fast-path.test.ts holds both paths to the same
 * diagnostics.
 */
import { summaryFault } from './check.ts';

/** How many clean line prefixes (key and dimensions) a fast path remembers, in how many bytes: its memory. */
export const CLEAN_PREFIXES = 65_536;
export const CLEAN_PREFIX_BYTES = 16 << 20;

const SPACE = 0x20;
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const GAUGE = ascii('gauge,');
const COUNT_DELTA = ascii('count,delta=');
const MIN = ascii('min=');
const MAX = ascii(',max=');
const SUM = ascii(',sum=');
const COUNT = ascii(',count=');

/**
 * Clean prefixes as UTF-8 bytes, in an open-addressing table keyed by a hash of the bytes. Laid out for few
 * cache misses, since a lookup per line is most of the fast path's work: each slot holds its entry's hash, and
 * all prefix bytes live in one arena, compared four bytes at a time. Exporters write their series in the same
 * order every interval, so a lookup first tries the entry stored after the last one found: a sequential compare,
 * no hashing. Bounded: `capacity` entries and `arenaLimit` bytes, after which nothing more is added (those lines
 * take the full parser, as any other line).
 */
export class CleanPrefixTable<T> {
  /** Four int32 per slot, one cache line per probe: hash, entry + 1 (0: empty), arena offset, byte length. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly values: T[] = [];
  /** Arena offset and byte length per entry, in insertion order, for the sequential guess. */
  private readonly entryOffset: Int32Array;
  private readonly entryLength: Int32Array;
  /** The entry found last, or -1. */
  private last = -1;
  private arena = new Uint8Array(1 << 16);
  private arenaView = new DataView(this.arena.buffer);
  private used = 0;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private viewOf: Uint8Array | null = null;

  /** `capacity` entries at most; the table keeps its load at or below one half. */
  constructor(
    readonly capacity: number,
    readonly arenaLimit: number,
  ) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.slots = new Int32Array(slots * 4);
    this.mask = slots - 1;
    this.entryOffset = new Int32Array(capacity);
    this.entryLength = new Int32Array(capacity);
  }

  get size(): number {
    return this.values.length;
  }

  /** Remembers a copy of `buf[start, end)`; ignored when known, or once the table or its arena is full. */
  add(buf: Uint8Array, start: number, end: number, value: T): void {
    const length = end - start;
    if (
      this.values.length >= this.capacity ||
      this.used + length > this.arenaLimit ||
      this.find(buf, start, end) !== undefined
    )
      return;
    if (this.used + length > this.arena.length) {
      let size = this.arena.length * 2;
      while (size < this.used + length) size *= 2;
      const grown = new Uint8Array(Math.min(size, this.arenaLimit));
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
      this.arenaView = new DataView(grown.buffer);
    }
    this.arena.set(buf.subarray(start, end), this.used); // a copy: a view would pin the whole chunk
    this.entryOffset[this.values.length] = this.used;
    this.entryLength[this.values.length] = length;
    this.values.push(value);
    const hash = hashBytes(this.viewFor(buf), start, end);
    const slots = this.slots;
    let slot = hash & this.mask;
    while ((slots[slot * 4 + 1] as number) !== 0) slot = (slot + 1) & this.mask;
    slots[slot * 4] = hash;
    slots[slot * 4 + 1] = this.values.length;
    slots[slot * 4 + 2] = this.used;
    slots[slot * 4 + 3] = length;
    this.used += length;
  }

  /** The bytes of the entry added `entry`-th (0 first): a view of the table's memory, valid until the next add. */
  bytesOf(entry: number): Uint8Array {
    const offset = this.entryOffset[entry] as number;
    return this.arena.subarray(offset, offset + (this.entryLength[entry] as number));
  }

  find(buf: Uint8Array, start: number, end: number): T | undefined {
    const view = this.viewFor(buf);
    const guess = this.last + 1;
    if (
      guess < this.values.length &&
      this.entryLength[guess] === end - start &&
      equalBytes(this.arenaView, this.entryOffset[guess] as number, view, start, end)
    ) {
      this.last = guess;
      return this.values[guess];
    }
    const hash = hashBytes(view, start, end);
    const slots = this.slots;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * 4;
      const entry = slots[at + 1] as number;
      if (entry === 0) return undefined;
      if (
        slots[at] === hash &&
        slots[at + 3] === end - start &&
        equalBytes(this.arenaView, slots[at + 2] as number, view, start, end)
      ) {
        this.last = entry - 1;
        return this.values[entry - 1];
      }
    }
  }

  private viewFor(buf: Uint8Array): DataView<ArrayBufferLike> {
    if (this.viewOf !== buf) {
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.viewOf = buf;
    }
    return this.view;
  }
}

/** murmur3's 32-bit block mixing over little-endian words, then the tail bytes and the finaliser. */
function hashBytes(view: DataView, start: number, end: number): number {
  let h = end - start;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    let k = Math.imul(view.getUint32(i, true), 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  for (; i < end; i++) h = Math.imul(h ^ view.getUint8(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Whether the arena holds the bytes `view[start, end)` at `offset` (lengths already equal). */
function equalBytes(arena: DataView, offset: number, view: DataView, start: number, end: number): boolean {
  const n = end - start;
  let i = 0;
  for (; i + 4 <= n; i += 4) if (arena.getUint32(offset + i) !== view.getUint32(start + i)) return false;
  for (; i < n; i++) if (arena.getUint8(offset + i) !== view.getUint8(start + i)) return false;
  return true;
}

/**
 * Splits a line's bytes into a known clean prefix, a clean payload and an optional clean timestamp, trying
 * `prefix payload timestamp` before `prefix payload`. One matcher is reused for every line: no allocation.
 *
 * Clean payloads: `N`, `gauge,N`, `count,delta=N`, `gauge,min=N,max=N,sum=N,count=D` with N = -?\d{1,15}(\.\d{1,17})?
 * and D = \d{1,15}: canonical numbers, fields in the usual order, so no NU or PL finding but summary consistency.
 */
export class CleanLineMatcher<T> {
  /** After a match: what the table knows of the prefix, the payload's kind and length, the timestamp (-1: none). */
  prefix: T | undefined;
  count = false;
  payloadLength = 0;
  timestamp = -1;
  /** min, max, sum, count of a summary payload being read. */
  private readonly values = new Float64Array(4);

  /** `tolerance`: the summary tolerance in force (the limits' summaryTolerance). */
  constructor(
    private readonly table: CleanPrefixTable<T>,
    private readonly tolerance: number,
  ) {}

  match(buf: Uint8Array, start: number, end: number): boolean {
    const last = lastSpace(buf, start, end);
    if (last < 0) return false;
    const before = lastSpace(buf, start, last);
    if (before >= 0 && this.readTimestamp(buf, last + 1, end) && this.readPayload(buf, before + 1, last)) {
      this.prefix = this.table.find(buf, start, before);
      if (this.prefix !== undefined) return true;
    }
    this.timestamp = -1;
    if (!this.readPayload(buf, last + 1, end)) return false;
    this.prefix = this.table.find(buf, start, last);
    return this.prefix !== undefined;
  }

  /** A clean payload form whose values are consistent (`summaryFault` finds nothing in a summary). */
  private readPayload(buf: Uint8Array, start: number, end: number): boolean {
    this.payloadLength = end - start;
    this.count = false;
    let i = expect(buf, start, end, GAUGE);
    if (i < 0) {
      i = expect(buf, start, end, COUNT_DELTA);
      this.count = i >= 0;
      return this.readNumber(buf, i < 0 ? start : i, end, 0) === end;
    }
    const summary = expect(buf, i, end, MIN);
    if (summary < 0) return this.readNumber(buf, i, end, 0) === end;
    i = expect(buf, this.readNumber(buf, summary, end, 0), end, MAX);
    i = expect(buf, this.readNumber(buf, i, end, 1), end, SUM);
    i = expect(buf, this.readNumber(buf, i, end, 2), end, COUNT);
    // The count is plain digits (`2.0` is PL005 to the rules, though it reads as 2).
    if (i < 0 || buf[i] === 0x2d || this.readNumber(buf, i, end, 3) !== end || buf.subarray(i, end).includes(0x2e))
      return false;
    const v = this.values;
    return summaryFault(v[0] as number, v[1] as number, v[2] as number, v[3] as number, true, this.tolerance) === null;
  }

  /**
   * Reads -?\d{1,15}(\.\d{1,17})? at `start` into values[slot]; returns where it ends, or -1. With at most 15
   * significant digits, mantissa / 10^k is the correctly rounded value, the same double as Number() gives.
   */
  private readNumber(buf: Uint8Array, start: number, end: number, slot: number): number {
    if (start < 0) return -1;
    let i = start;
    const negative = buf[i] === 0x2d;
    if (negative) i++;
    let mantissa = 0;
    let digits = 0;
    let c = 0;
    for (; i < end && (c = (buf[i] as number) - 0x30) >= 0 && c <= 9; i++, digits++) mantissa = mantissa * 10 + c;
    if (digits === 0 || digits > 15) return -1;
    let fraction = 0;
    if (buf[i] === 0x2e) {
      const point = ++i;
      for (; i < end && (c = (buf[i] as number) - 0x30) >= 0 && c <= 9; i++) mantissa = mantissa * 10 + c;
      fraction = i - point;
      if (fraction === 0 || fraction > 17) return -1;
    }
    const value =
      digits + fraction <= 15 ? mantissa / 10 ** fraction : Number(String.fromCharCode(...buf.subarray(start, i)));
    this.values[slot] = negative && value !== 0 ? -value : value;
    return i;
  }

  /** 12–14 digits, no leading zero: epoch milliseconds between 2001 and 5138, so never TS001 or TS002. */
  private readTimestamp(buf: Uint8Array, start: number, end: number): boolean {
    const digits = end - start;
    if (digits < 12 || digits > 14 || buf[start] === 0x30) return false;
    let value = 0;
    for (let i = start; i < end; i++) {
      const d = (buf[i] as number) - 0x30;
      if (d < 0 || d > 9) return false;
      value = value * 10 + d; // exact: 14 digits stay below 2^53
    }
    this.timestamp = value;
    return true;
  }
}

/** The offset after `word` if the bytes at `i` spell it, else -1. */
function expect(buf: Uint8Array, i: number, end: number, word: Uint8Array): number {
  if (i < 0 || end - i < word.length) return -1;
  for (let j = 0; j < word.length; j++) if (buf[i + j] !== word[j]) return -1;
  return i + word.length;
}

function lastSpace(buf: Uint8Array, start: number, end: number): number {
  for (let i = end - 1; i >= start; i--) if (buf[i] === SPACE) return i;
  return -1;
}
