/**
 * What a converter remembers across intervals (a key's type, the keys it named, a gauge's value), bounded: the StatsD
 * listener converts for the tenant's whole life, and a client inventing a key per datagram must not grow it without
 * end. The least recently used entries go first (a Map iterates in insertion order; a use moves an entry last).
 */
export class RecentMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  get size(): number {
    return this.entries.size;
  }
}
