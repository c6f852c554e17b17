/**
 * Counting distinct 53-bit hashes in bounded memory: exactly (HashSet53) up to a bound, then a HyperLogLog sketch
 * (Flajolet et al. 2007, with linear counting for small counts) that says its count is an estimate. 2,048 one-byte
 * registers: a standard error of about 2.3 %. Counters may share a budget of exact entries (DistinctBudget): when it
 * is spent, the largest exact sets become sketches, so the whole analysis stays within one bound.
 */

const INDEX_BITS = 11;
const REGISTERS = 1 << INDEX_BITS;
/** The bits of a 53-bit hash left for the rank once the register index is taken. */
const RANK_BITS = 53 - INDEX_BITS;
const ALPHA = 0.7213 / (1 + 1.079 / REGISTERS);

/** What a sketch's registers weigh in exact entries (an exact entry counts as some 32 bytes). */
const SKETCH_ENTRIES = REGISTERS / 32;

/**
 * Exact entries shared by counters (and other bounded maps: `take`): past `entries`, the largest exact sets become
 * sketches until a quarter of the budget is free again, so a scan of the sets comes once per so many entries.
 */
export class DistinctBudget {
  private used = 0;
  /** `used` after the last scan for sets to sketch. */
  private reclaimedAt = Number.NEGATIVE_INFINITY;
  private sets: BoundedDistinct[] = [];

  constructor(readonly entries: number) {}

  /** Counts a counter in the budget. */
  register(set: BoundedDistinct): void {
    this.sets.push(set);
  }

  /**
   * `entries` more of `requester` (or of another structure, with none): false when the budget has no room left,
   * once the largest sets have become sketches.
   */
  take(requester?: BoundedDistinct, entries = 1, share = 1): boolean {
    const limit = this.entries * share;
    if (this.used + entries > limit) this.reclaim();
    if (this.used + entries > limit || requester?.estimated === true) return false;
    this.used += entries;
    return true;
  }

  /** Entries used (a sketch's weight) or, negative, given back (a set that became a sketch, a map dropped). */
  charge(entries: number): void {
    this.used += entries;
  }

  private reclaim(): void {
    // A scan that freed too little (small sets only) is not repeated until as many entries again are used.
    if (this.used < this.reclaimedAt + this.entries / 8) return;
    this.reclaimedAt = this.used;
    this.sets = this.sets.filter((set) => !set.estimated);
    const largest = this.sets.toSorted((a, b) => b.count - a.count);
    const target = this.entries * 0.75;
    for (const set of largest) {
      if (this.used <= target || set.count <= 2 * SKETCH_ENTRIES) break;
      set.toSketch();
    }
  }
}

/** Marks a free slot of a HashSet53: no hash is negative. */
const FREE = -1;

/**
 * A set of hashes (integers from 0 to 2^53 − 1) in one Float64Array, by open addressing, at most half full: 16 to
 * 32 B a hash and no object per hash (a `Set` of such numbers boxes each one, and its tables are what the garbage
 * collector must trace and leaves behind as the sets grow).
 */
export class HashSet53 {
  private slots = new Float64Array(16).fill(FREE);
  private mask = 15;
  size = 0;

  has(hash: number): boolean {
    const slots = this.slots;
    for (let i = slotOf(hash, this.mask); ; i = (i + 1) & this.mask) {
      const at = slots[i] as number;
      if (at === hash) return true;
      if (at === FREE) return false;
    }
  }

  /** Adds `hash` (known not to be in the set). */
  add(hash: number): void {
    if (2 * (this.size + 1) > this.slots.length) this.grow();
    this.place(hash);
    this.size++;
  }

  *[Symbol.iterator](): Generator<number> {
    for (const at of this.slots) if (at !== FREE) yield at;
  }

  private place(hash: number): void {
    const slots = this.slots;
    let i = slotOf(hash, this.mask);
    while (slots[i] !== FREE) i = (i + 1) & this.mask;
    slots[i] = hash;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2).fill(FREE);
    this.mask = this.slots.length - 1;
    for (const at of old) if (at !== FREE) this.place(at);
  }
}

/** A hash's first slot: its two 32-bit halves mixed (Fibonacci hashing), so sequential hashes (minutes) spread too. */
const slotOf = (hash: number, mask: number): number =>
  Math.imul((hash >>> 0) ^ Math.imul((hash / 4294967296) | 0, 0x85ebca6b), 0x9e3779b1) & mask;

export class BoundedDistinct {
  private exact: HashSet53 | null = new HashSet53();
  private registers: Uint8Array | null = null;
  /** Hashes counted exactly when the set became a sketch: the estimate is never below it. */
  private floor = 0;

  /** `bound`: the distinct hashes kept exactly; past it, or once `budget` is spent, the count is estimated. */
  constructor(
    private readonly bound: number,
    private readonly budget?: DistinctBudget,
  ) {
    budget?.register(this);
  }

  /** Adds a hash: true when it is new, false when seen before, null once the count is an estimate (unknown). */
  add(hash: number): boolean | null {
    const exact = this.exact;
    if (exact !== null) {
      if (exact.has(hash)) return false;
      if (exact.size < this.bound && (this.budget === undefined || this.budget.take(this))) {
        exact.add(hash);
        return true;
      }
      this.toSketch();
    }
    this.sketch(hash);
    return null;
  }

  /** Turns the exact set into a sketch (no-op when it is one), giving its entries back to the budget. */
  toSketch(): void {
    const exact = this.exact;
    if (exact === null) return;
    this.registers = new Uint8Array(REGISTERS);
    for (const seen of exact) this.sketch(seen);
    this.floor = exact.size;
    this.exact = null;
    this.budget?.charge(SKETCH_ENTRIES - this.floor);
  }

  /** A counter with another bound (and this one's budget) that has seen what this one has. */
  copy(bound: number): BoundedDistinct {
    const copy = new BoundedDistinct(bound, this.budget);
    if (this.exact !== null) for (const hash of this.exact) copy.add(hash);
    else {
      copy.exact = null;
      copy.floor = Math.min(bound, this.floor);
      copy.registers = (this.registers as Uint8Array).slice();
      this.budget?.charge(SKETCH_ENTRIES);
    }
    return copy;
  }

  /**
   * How many of these hashes `other` has not seen: exact when both count exactly; else |this ∪ other| − |other| from
   * their sketches (a register-wise max; an exact side sketched for it), an estimate.
   */
  countNotIn(other: BoundedDistinct | undefined): { count: number; estimated: boolean } {
    if (other === undefined) return { count: this.count, estimated: this.estimated };
    if (this.exact !== null && other.exact !== null) {
      let count = 0;
      for (const hash of this.exact) if (!other.exact.has(hash)) count++;
      return { count, estimated: false };
    }
    const theirs = other.sketchRegisters();
    const union = this.sketchRegisters();
    for (let i = 0; i < REGISTERS; i++) union[i] = Math.max(union[i] as number, theirs[i] as number);
    return { count: Math.max(0, estimate(union) - estimate(theirs)), estimated: true };
  }

  /** A copy of the sketch's registers, or those of a sketch of the exact set. */
  private sketchRegisters(): Uint8Array {
    if (this.registers !== null) return this.registers.slice();
    const registers = new Uint8Array(REGISTERS);
    for (const hash of this.exact as HashSet53) sketchInto(registers, hash);
    return registers;
  }

  /** Whether `count` is an estimate. */
  get estimated(): boolean {
    return this.exact === null;
  }

  get count(): number {
    if (this.exact !== null) return this.exact.size;
    // Never below what was counted exactly before the switch.
    return Math.max(estimate(this.registers as Uint8Array), this.floor);
  }

  private sketch(hash: number): void {
    sketchInto(this.registers as Uint8Array, hash);
  }
}

/** The HyperLogLog estimate of registers, with linear counting for small counts. */
function estimate(registers: Uint8Array): number {
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < REGISTERS; i++) {
    const r = registers[i] as number;
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  const raw = (ALPHA * REGISTERS * REGISTERS) / sum;
  return Math.round(raw <= 2.5 * REGISTERS && zeros > 0 ? REGISTERS * Math.log(REGISTERS / zeros) : raw);
}

function sketchInto(registers: Uint8Array, hash: number): void {
  const index = hash % REGISTERS;
  let rest = Math.floor(hash / REGISTERS);
  let rank = 1;
  while (rank <= RANK_BITS && rest % 2 === 0) {
    rank++;
    rest = Math.floor(rest / 2);
  }
  if (rank > (registers[index] as number)) registers[index] = rank;
}
