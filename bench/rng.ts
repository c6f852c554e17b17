/** The benchmarks' seeded PRNG (mulberry32): the same seed gives the same numbers on every machine. */

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: a uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  hex(digits: number, upper = false): string {
    let s = '';
    for (let i = 0; i < digits; i++) s += '0123456789abcdef'.charAt(this.int(16));
    return upper ? s.toUpperCase() : s;
  }

  alnum(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += 'bcdfghjklmnpqrstvwxz2456789'.charAt(this.int(27));
    return s;
  }
}
