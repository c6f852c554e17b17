/**
 * The local tenant's data file: every stored record (a point or a metric's metadata) as one JSON line, appended
 * after each ingest and replayed at start. A crash can leave the last line torn: replay skips it, reports it,
 * and cuts it off so the next append starts on a line of its own. At start, points older than the store keeps
 * (its retention before the newest point) are dropped from the file, written anew beside it and renamed over it,
 * so the file, and the time to replay it, stop growing with age.
 */
import { open, rename, type FileHandle } from 'node:fs/promises';
import type { StoredRecord } from '../core/metrics/ingest.ts';

export interface ReplayReport {
  records: number;
  /** Points dropped from the file as older than the retention. */
  compacted: number;
  /** Lines that were not a whole record: a torn last line, or damage elsewhere. Skipped, never fatal. */
  skipped: { line: number; reason: string }[];
}

const CHUNK = 1 << 20;

export class DataFile {
  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /**
   * Opens (or creates) the file, gives every whole record to `apply` in order, drops points more than
   * `retentionMs` older than the newest, and is ready to append.
   */
  static async open(path: string, apply: (record: StoredRecord) => void, retentionMs: number): Promise<{ file: DataFile; report: ReplayReport }> {
    let handle = await open(path, 'a+');
    try {
      let oldest = Infinity;
      let newest = -Infinity;
      const report = await forEachRecord(handle, (record) => {
        apply(record);
        if ('point' in record) {
          oldest = Math.min(oldest, record.point.timestamp);
          newest = Math.max(newest, record.point.timestamp);
        }
      });
      const cutoff = newest - retentionMs;
      if (oldest < cutoff) {
        const kept = await open(`${path}.compacting`, 'w');
        try {
          let lines: string[] = [];
          const flush = async () => {
            await kept.appendFile(lines.join(''), 'utf8');
            lines = [];
          };
          await forEachRecord(handle, async (record) => {
            if ('point' in record && record.point.timestamp < cutoff) report.compacted++;
            else lines.push(JSON.stringify(record) + '\n');
            if (lines.length >= 10_000) await flush();
          });
          await flush();
          await kept.sync();
        } finally {
          await kept.close();
        }
        await rename(`${path}.compacting`, path);
        await handle.close();
        handle = await open(path, 'a+');
      }
      return { file: new DataFile(handle, path), report };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private queue: Promise<void> = Promise.resolve();

  /** Appends records; resolves once they are written (appends never interleave). */
  append(records: readonly StoredRecord[]): Promise<void> {
    if (records.length === 0) return this.queue;
    const text = records.map((r) => JSON.stringify(r) + '\n').join('');
    const write = this.queue.then(async () => {
      await this.handle.appendFile(text, 'utf8');
    });
    // A failed write fails its own request; later ones still run.
    this.queue = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle.close();
  }
}

/** Reads the file's whole records in order (awaiting `each`); skips what is not one, and cuts off a torn last line. */
async function forEachRecord(handle: FileHandle, each: (record: StoredRecord) => void | Promise<void>): Promise<ReplayReport> {
  const report: ReplayReport = { records: 0, compacted: 0, skipped: [] };
  const decoder = new TextDecoder();
  const buffer = Buffer.allocUnsafe(CHUNK);
  let position = 0;
  /** Offset of the end of the last whole line (after its `\n`). */
  let wholeEnd = 0;
  let carry = '';
  let lineNumber = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
    if (bytesRead === 0) break;
    let start = 0;
    for (let nl = buffer.indexOf(0x0a, 0); nl !== -1 && nl < bytesRead; nl = buffer.indexOf(0x0a, start)) {
      const line = carry + decoder.decode(buffer.subarray(start, nl));
      carry = '';
      lineNumber++;
      wholeEnd = position + nl + 1;
      start = nl + 1;
      const record = parseRecord(line);
      if (record) {
        await each(record);
        report.records++;
      } else if (line !== '') report.skipped.push({ line: lineNumber, reason: 'not a whole record' });
    }
    carry += decoder.decode(buffer.subarray(start, bytesRead), { stream: true });
    position += bytesRead;
  }
  if (position > wholeEnd) {
    report.skipped.push({ line: lineNumber + 1, reason: `torn last line (${position - wholeEnd} bytes, no line end): cut off` });
    await handle.truncate(wholeEnd);
  }
  return report;
}

function parseRecord(line: string): StoredRecord | null {
  try {
    const value = JSON.parse(line) as Partial<{ at: unknown; point: unknown; metadata: unknown }> | null;
    if (!value || typeof value.at !== 'number') return null;
    if (isPoint(value.point) || isMetadata(value.metadata)) return value as StoredRecord;
    return null;
  } catch {
    return null;
  }
}

function isPoint(p: unknown): boolean {
  const v = p as { key?: unknown; type?: unknown; dimensions?: unknown; stats?: unknown; timestamp?: unknown } | null;
  return !!v && typeof v.key === 'string' && (v.type === 'gauge' || v.type === 'count') && Array.isArray(v.dimensions) && typeof v.stats === 'object' && typeof v.timestamp === 'number';
}

function isMetadata(m: unknown): boolean {
  const v = m as { key?: unknown; type?: unknown } | null;
  return !!v && typeof v.key === 'string' && (v.type === 'gauge' || v.type === 'count');
}
