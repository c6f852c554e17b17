/**
 * A bounded queue between a producer that pushes (a file read chunk by chunk) and consumers that pull (the
 * pusher's workers): `put` waits while the queue is full, so a fast reader never piles batches up in memory;
 * several consumers may wait on `next` at once.
 */
export class Channel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private readonly takers: ((item: IteratorResult<T>) => void)[] = [];
  private readonly putters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly capacity: number) {}

  async put(item: T): Promise<void> {
    const taker = this.takers.shift();
    if (taker) return taker({ done: false, value: item });
    while (this.items.length >= this.capacity) await new Promise<void>((resolve) => this.putters.push(resolve));
    this.items.push(item);
  }

  /** No more items: waiting consumers are told so once the queue is empty. */
  close(): void {
    this.closed = true;
    for (const taker of this.takers.splice(0)) taker({ done: true, value: undefined });
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.putters.shift()?.();
      return Promise.resolve({ done: false, value: item });
    }
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => this.takers.push(resolve));
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return { next: () => this.next() };
  }
}
