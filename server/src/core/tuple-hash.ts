/**
 * Order-independent hashes of dimension tuples (a series is its metric key and its set of dimension pairs, whatever
 * their order: DOC D4, INGEST-PATHS §3): each `key=value` pair gets two 32-bit hashes, and a tuple is the sum of
 * its pairs' hashes, so `a=1,b=2` and `b=2,a=1` hash alike, and a tuple with one pair left out is the sum minus
 * that pair's hashes. The linter's cardinality budget (MK012) and the cost and cardinality analysis (stats/) count
 * series by it.
 */

/** Sums pair hashes into a 53-bit tuple hash; `pairHigh`/`pairLow` hold the last pair's own halves. */
export class TupleHasher {
  high = 0;
  low = 0;
  pairHigh = 0;
  pairLow = 0;

  reset(): void {
    this.high = 0;
    this.low = 0;
  }

  /** Adds one pair. Callers leave out what the tenant drops (an empty value: DOC D4). */
  add(key: string, value: string): void {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    h1 = Math.imul(h1 ^ 0x3d, 0x01000193);
    h2 = Math.imul(h2 ^ 0x3d, 0x5bd1e995);
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    this.pairHigh = mix(h1);
    this.pairLow = mix(h2);
    this.high = (this.high + this.pairHigh) >>> 0;
    this.low = (this.low + this.pairLow) >>> 0;
  }

  /** The tuple's hash so far. */
  get value(): number {
    return hash53(this.high, this.low);
  }
}

/** Two 32-bit halves as one number a double holds exactly: 21 bits of `high`, all of `low`. */
export const hash53 = (high: number, low: number): number => (high & 0x1fffff) * 0x100000000 + (low >>> 0);

/** murmur3's finaliser: spreads every input bit over the output before the pair hashes are summed. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
