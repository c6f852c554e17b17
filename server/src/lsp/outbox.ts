/**
 * Notifications of which only the newest counts (a document's diagnostics, its lint report), sent without letting a
 * slow client pile them up: per key, one is being written at a time and at most one waits, replaced by any newer
 * one. A write counts as done when the transport has handed it to the client's pipe or channel (connection.ts), so
 * while the client does not read, the server keeps at most two of them per document, whatever the edit rate.
 */
export class LatestOnly {
  private readonly writing = new Set<string>();
  private readonly waiting = new Map<string, () => Promise<void>>();

  send(key: string, write: () => Promise<void>): void {
    if (this.writing.has(key)) {
      this.waiting.set(key, write);
      return;
    }
    this.writing.add(key);
    // A failed write means the connection is gone: nothing to retry, and the process ends with it.
    void write()
      .catch(() => undefined)
      .finally(() => {
        this.writing.delete(key);
        const next = this.waiting.get(key);
        if (!next) return;
        this.waiting.delete(key);
        this.send(key, next);
      });
  }
}
