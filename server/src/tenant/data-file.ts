/**
 * The local tenant's data file: a snapshot of the store followed by a log of the batches stored since, so its
 * size is bounded by series × slots (plus a log that a compaction folds back into a new snapshot) and a start
 * reads one snapshot and a short log, however long the tenant has run.
 *
 * Layout: the 8 bytes `DTMDATA2`, then frames, each 8-byte aligned:
 *   mark (u32 'DMFR') · kind (u8) · 3 zero bytes · payload length (u32) · CRC-32 of kind..payload (u32) · payload · zero padding
 * kinds: a header (JSON: the ring steps), the snapshot's metrics (JSON), its series (a JSON head, then each ring's
 * slots as float64s), the snapshot's end (JSON: counts), then batches (JSON: one ingest request's records each).
 *
 * Guarantees (tested in test/tenant/durability.slow.test.ts and persistence.slow.test.ts):
 * - A batch is written as one frame at the known end of the file before the store applies it, so a point is
 *   visible only once it is written (it survives the process being killed), and a request's points are stored
 *   wholly or not at all: a failed write (a full disk) is cut off again before the 500 goes out, and no later write
 *   starts until it is.
 * - A crash mid-write leaves at most one torn frame at the end: it was never answered 202; it is cut off at start.
 * - A compaction writes the new snapshot beside the file, syncs it, and renames it over the file: a crash at any
 *   moment leaves either the old file or the new one, each whole.
 * - A frame whose checksum fails, or whose content has the wrong shape or lies in the future, is skipped and
 *   reported; reading goes on at the next good frame. Never fatal.
 * - A file that is not ours is refused untouched; a file of the first format (JSON lines) is converted, the old
 *   file kept beside it; a lock file keeps two tenants from writing one file.
 */
import { randomUUID } from 'node:crypto';
import { constants, readFileSync } from 'node:fs';
import { link, open, readFile, realpath, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { applyRecords, type StoredRecord } from '#core/metrics/ingest.ts';
import {
  batchValue,
  readBatch,
  readMetricSnapshot,
  readSeriesSnapshot,
  readV1Line,
  readWindow,
  seriesHead,
  type ReadResult,
  type ReadWindow,
} from '#core/metrics/persisted.ts';
import { SLOT_FIELDS, type MetricStore } from '#core/metrics/store.ts';
import { LINE_FEED, splitAtLineFeeds } from '#core/text.ts';

/** A data file the tenant must not use: one line for the user, nothing touched. */
export class DataFileError extends Error {}

export interface LoadReport {
  /** `new`: created empty; `current`: read; `converted`: read from the first format and rewritten. */
  origin: 'new' | 'current' | 'converted';
  /** Points and slots dropped as older than the store keeps. */
  aged: number;
  /** Why records were skipped, the first `LISTED_DAMAGE` of them; `damagedCount` counts all. */
  damaged: string[];
  damagedCount: number;
  /** Metrics, series and points not restored: past the store's limits (`--max-series` lowered). */
  overLimit: number;
  /** Bytes of a torn last frame (a crash mid-write) cut off; 0 if none. */
  tornBytes: number;
  /** Where a converted file's original is kept. */
  kept: string | null;
}

const MAGIC = Buffer.from('DTMDATA2');
const MARK = Buffer.from('DMFR');
const HEAD = 16;
const ALIGN = 8;
const enum Kind {
  Header = 1,
  Metric = 2,
  Series = 3,
  SnapshotEnd = 4,
  Batch = 5,
}
/** No frame is larger: a batch of a 1 MB request is a few MB; a series some KB. Past it, a length is damage. */
const MAX_PAYLOAD = 64 << 20;
const READ_CHUNK = 32 << 20;
const WRITE_BUFFER = 4 << 20;
const LISTED_DAMAGE = 20;
/**
 * A batch is written before it is answered, so it survives the process dying; a power cut may lose what the OS had
 * not yet put on the disk. The OS is asked to, at most this long after a write.
 */
const SYNC_AFTER_MS = 1_000;
const CONVERSION_PROGRESS = 256e6;
/**
 * By default a compaction starts when the log outgrows an eighth of the snapshot, and at least 16 MiB: a byte of
 * log costs a start about fifteen times what a byte of snapshot does (JSON and a store lookup per point against
 * float64s copied per series), so this keeps the log's share of a start below the snapshot's, while a compaction
 * writes at most about eight times what the log took in.
 */
const MIN_LOG_BYTES = 16 << 20;

/** zlib's CRC-32 where the runtime has it (Node 20.15+); a table otherwise (older VS Code builds run the tenant). */
const crc32: (data: Uint8Array, value?: number) => number = typeof zlibCrc32 === 'function' ? zlibCrc32 : tableCrc32;

export class DataFile {
  /** Bytes of the snapshot at the start of the file; the log follows it up to `end`. */
  private snapshotBytes: number;
  /** Set while a failed write may have left bytes past `end`: they are cut off before the next write. */
  private tailDirty = false;
  /** Where the log ended when a compaction last failed: the next try waits until it has grown as much again. */
  private failedCompactionAt: number | null = null;
  private syncTimer: NodeJS.Timeout | null = null;

  private constructor(
    private handle: FileHandle,
    /** The file itself, through any symbolic link: what is locked, compacted and renamed over. */
    readonly path: string,
    private end: number,
    snapshotBytes: number,
    /** Compact once the log passes this many bytes; null: the default rule. */
    private readonly compactLogBytes: number | null,
  ) {
    this.snapshotBytes = snapshotBytes;
  }

  /**
   * Opens (or creates) the file at `path`, restores what it holds into `store` (read against `now`), and is ready
   * to append. Throws DataFileError for a file that is not ours or is locked; system errors as they come. `log`
   * hears of long work (converting a file of the first format).
   */
  static async open(
    givenPath: string,
    store: MetricStore,
    now: number,
    options: { compactLogBytes?: number | null; log?: (line: string) => void } = {},
  ): Promise<{ file: DataFile; report: LoadReport }> {
    const path = await realPath(givenPath);
    await takeLock(path);
    try {
      await removeStaleTemporary(path);
      const kind = await sniff(path);
      const window = readWindow(now, store);
      const report: LoadReport = {
        origin: 'current',
        aged: 0,
        damaged: [],
        damagedCount: 0,
        overLimit: 0,
        tornBytes: 0,
        kept: null,
      };
      const fromSnapshot = (snapshot: WrittenSnapshot) =>
        new DataFile(snapshot.handle, path, snapshot.size, snapshot.size, options.compactLogBytes ?? null);
      if (kind === 'absent' || kind === 'empty') {
        report.origin = 'new';
        return { file: fromSnapshot(await writeSnapshot(path, store, window)), report };
      }
      if (kind === 'v1') {
        await convertV1(path, store, window, report, options.log ?? (() => undefined));
        report.origin = 'converted';
        report.kept = await keepOriginal(path);
        return { file: fromSnapshot(await writeSnapshot(path, store, window)), report };
      }
      const handle = await open(path, 'r+');
      try {
        const { end, snapshotBytes } = await restore(handle, store, window, report);
        return { file: new DataFile(handle, path, end, snapshotBytes, options.compactLogBytes ?? null), report };
      } catch (error) {
        await handle.close();
        throw error;
      }
    } catch (error) {
      await releaseLock(path);
      throw error;
    }
  }

  /**
   * Writes one batch at the end of the file; resolves once it is written (the process may die, the batch stays;
   * the OS is told to put it on the disk within SYNC_AFTER_MS). On failure nothing of it stays in the file (it is
   * cut off again, or no write starts until it is), and the caller must not apply it. Callers run one append or
   * compaction at a time.
   */
  async append(at: number, records: readonly StoredRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.tailDirty) {
      await this.handle.truncate(this.end);
      this.tailDirty = false;
    }
    const frame = encodeFrame(Kind.Batch, JSON.stringify(batchValue(at, records)));
    try {
      await writeAll(this.handle, frame, this.end);
    } catch (error) {
      this.tailDirty = true;
      await this.handle.truncate(this.end).then(
        () => (this.tailDirty = false),
        () => undefined,
      );
      throw error;
    }
    this.end += frame.length;
    this.syncSoon();
  }

  /** Whether the log has outgrown the snapshot enough for a compaction to pay (or, after one failed, grown again). */
  get wantsCompaction(): boolean {
    const threshold = this.compactLogBytes ?? Math.max(MIN_LOG_BYTES, this.snapshotBytes / 8);
    return this.end - (this.failedCompactionAt ?? this.snapshotBytes) > threshold;
  }

  /** Size of the file: the snapshot and the log. */
  get size(): number {
    return this.end;
  }

  /**
   * Forgets what has aged in the store, writes it as a new snapshot with an empty log in place of the file
   * (atomically), and appends to that from then on. A failure leaves the file and this object as they were.
   */
  async compact(store: MetricStore, now: number): Promise<void> {
    const window = readWindow(now, store);
    store.prune(window.since);
    let snapshot: WrittenSnapshot;
    try {
      snapshot = await writeSnapshot(this.path, store, window);
    } catch (error) {
      this.failedCompactionAt = this.end;
      throw error;
    }
    // The new file is in place: from here on nothing may fail before this object appends to it.
    const old = this.handle;
    this.handle = snapshot.handle;
    this.end = this.snapshotBytes = snapshot.size;
    this.tailDirty = false;
    this.failedCompactionAt = null;
    await old.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    await this.handle.datasync().catch(() => undefined);
    await this.handle.close();
    await releaseLock(this.path);
  }

  /** Asks the OS to put what was written on the disk, once per SYNC_AFTER_MS, without holding up the next write. */
  private syncSoon(): void {
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      // A compaction may have closed this handle meanwhile: it synced the new file itself.
      this.handle.datasync().catch(() => undefined);
    }, SYNC_AFTER_MS);
    this.syncTimer.unref();
  }
}

/** The file a path names, through symbolic links; for a file yet to be made, its directory's real path. */
async function realPath(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
    return join(await realpath(dirname(path)), basename(path));
  }
}

// ------------------------------------------------------------------------------------------------ reading

type Sniffed = 'absent' | 'empty' | 'current' | 'v1';

/** What the file at `path` is, from its first bytes, read without changing anything. */
async function sniff(path: string): Promise<Sniffed> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return 'absent';
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new DataFileError(`'${path}' is not a regular file`);
    if (info.size === 0) return 'empty';
    const head = Buffer.alloc(Math.min(info.size, 64 << 10));
    await handle.read(head, 0, head.length, 0);
    if (head.subarray(0, MAGIC.length).equals(MAGIC)) return 'current';
    if (head.subarray(0, MAGIC.length - 1).equals(MAGIC.subarray(0, -1))) {
      throw new DataFileError(
        `'${path}' was written by another version of dtmetrics (format ${head.toString('latin1', MAGIC.length - 1, MAGIC.length)}); this one reads format 2`,
      );
    }
    const newline = head.indexOf(LINE_FEED);
    const first = head.subarray(0, newline === -1 ? head.length : newline).toString('utf8');
    if (isV1Line(first)) return 'v1';
    throw new DataFileError(
      `'${path}' is not a dtmetrics data file; the local tenant leaves it untouched (choose another --data file)`,
    );
  } finally {
    await handle.close();
  }
}

function isV1Line(text: string): boolean {
  try {
    const value = JSON.parse(text) as { at?: unknown; point?: unknown; metadata?: unknown } | null;
    return typeof value?.at === 'number' && (typeof value.point === 'object' || typeof value.metadata === 'object');
  } catch {
    return false;
  }
}

/** Reads the file's frames into `store`; cuts off a torn last frame. Returns where the log ends and the snapshot. */
async function restore(
  handle: FileHandle,
  store: MetricStore,
  window: ReadWindow,
  report: LoadReport,
): Promise<{ end: number; snapshotBytes: number }> {
  const reader = new FrameReader(handle, (await handle.stat()).size);
  // The store's steps unless the header says otherwise: a damaged header must not cost the snapshot.
  let steps: { fine: number; coarse: number } | null = {
    fine: store.limits.fineStepMs,
    coarse: store.limits.coarseStepMs,
  };
  let snapshotBytes = MAGIC.length;
  let seriesRead = 0;
  let metricsRead = 0;
  let position = MAGIC.length;
  const where = (offset: number) => `at offset ${offset.toLocaleString('en-US')}`;
  for (;;) {
    const found = await reader.next(position);
    if (found === 'end') break;
    if ('torn' in found) {
      report.tornBytes = found.torn;
      await handle.truncate(position);
      return { end: position, snapshotBytes };
    }
    if ('damagedTail' in found) {
      damage(
        report,
        `${found.damagedTail.toLocaleString('en-US')} bytes ${where(position)} to the end that are not whole frames`,
      );
      // Appends go after it, where a frame may start (8-byte aligned), so that a later read finds them.
      return { end: align(reader.size), snapshotBytes };
    }
    if (found.skipped)
      damage(report, `${found.skipped.toLocaleString('en-US')} bytes ${where(position)} that are not whole frames`);
    const { kind, payload, at } = found.frame;
    position = found.next;
    if (kind === Kind.Series) {
      seriesRead++;
      const series = steps && decodeSeries(payload, steps, window);
      if (!series) {
        damage(report, `a series ${where(at)} of the wrong shape`);
        continue;
      }
      noteLeftOut(report, series);
      if (store.restoreSeries(series.value, window.now) !== 'stored') report.overLimit++;
    } else if (kind === Kind.Batch) {
      const batch = readBatch(parseJson(payload), window);
      noteLeftOut(report, batch);
      report.overLimit += applyRecords(store, batch.value);
    } else if (kind === Kind.Header) {
      steps = readSteps(parseJson(payload), store);
      if (!steps)
        damage(report, "a header with ring steps other than this version keeps: the snapshot's series cannot be read");
    } else if (kind === Kind.Metric) {
      metricsRead++;
      const metric = readMetricSnapshot(parseJson(payload), window);
      if (!metric) damage(report, `a metric ${where(at)} of the wrong shape`);
      else if (!store.restoreMetric(metric)) report.overLimit++;
    } else if (kind === Kind.SnapshotEnd) {
      snapshotBytes = position;
      const counts = parseJson(payload) as { metrics?: unknown; series?: unknown } | undefined;
      if (counts?.metrics !== metricsRead || counts.series !== seriesRead) {
        damage(
          report,
          `a snapshot of ${String(counts?.metrics)} metrics and ${String(counts?.series)} series, of which ${metricsRead} and ${seriesRead} were whole frames`,
        );
      }
    } else damage(report, `a frame of an unknown kind (${kind}) ${where(at)}`);
  }
  return { end: reader.size, snapshotBytes };
}

/** The ring steps a file was written with, when they are the store's (the only ones written so far); else null. */
function readSteps(value: unknown, store: MetricStore): { fine: number; coarse: number } | null {
  const v = value as { fineStepMs?: unknown; coarseStepMs?: unknown } | null;
  return v?.fineStepMs === store.limits.fineStepMs && v.coarseStepMs === store.limits.coarseStepMs
    ? { fine: v.fineStepMs, coarse: v.coarseStepMs }
    : null;
}

/** Counts what a read left out. */
function noteLeftOut(report: LoadReport, result: ReadResult<unknown>): void {
  report.aged += result.aged;
  for (const reason of result.damaged) damage(report, reason);
}

function damage(report: LoadReport, reason: string): void {
  report.damagedCount++;
  if (report.damaged.length < LISTED_DAMAGE) report.damaged.push(reason);
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A series frame: u32 head length, the head (JSON), zero padding to 8, the fine ring's slots, the coarse ring's. */
function encodeSeries(head: object, fine: Float64Array, coarse: Float64Array): Buffer {
  const json = Buffer.from(JSON.stringify({ ...head, fine: fine.length, coarse: coarse.length }));
  const start = align(4 + json.length);
  const payload = Buffer.alloc(start + (fine.length + coarse.length) * 8);
  payload.writeUInt32LE(json.length, 0);
  json.copy(payload, 4);
  Buffer.from(fine.buffer, fine.byteOffset, fine.byteLength).copy(payload, start);
  Buffer.from(coarse.buffer, coarse.byteOffset, coarse.byteLength).copy(payload, start + fine.byteLength);
  return payload;
}

function decodeSeries(
  payload: Buffer,
  steps: { fine: number; coarse: number },
  window: ReadWindow,
): ReturnType<typeof readSeriesSnapshot> {
  if (payload.length < 4) return null;
  const length = payload.readUInt32LE(0);
  if (4 + length > payload.length) return null;
  const head = parseJson(payload.subarray(4, 4 + length)) as { fine?: unknown; coarse?: unknown } | undefined;
  const start = align(4 + length);
  const fine = head?.fine;
  const coarse = head?.coarse;
  const whole = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) % SLOT_FIELDS === 0;
  if (!whole(fine) || !whole(coarse) || start + (fine + coarse) * 8 !== payload.length) return null;
  // Frames start 8-byte aligned in the file and in the reader's buffer, so the slots are read in place (a copy
  // only if not). The store copies them into its rings before the reader moves on.
  const at = payload.byteOffset + start;
  const numbers =
    at % 8 === 0
      ? new Float64Array(payload.buffer, at, (payload.length - start) / 8)
      : new Float64Array(payload.buffer.slice(at, payload.byteOffset + payload.length));
  return readSeriesSnapshot(head, numbers.subarray(0, fine), numbers.subarray(fine), steps, window);
}

type Found =
  | 'end'
  | { torn: number }
  | { damagedTail: number }
  | { frame: { kind: number; payload: Buffer; at: number }; next: number; skipped?: number };

/** Reads frames through a window of the file; past damage it looks for the next frame whose checksum holds. */
class FrameReader {
  private buffer = Buffer.alloc(0);
  private bufferAt = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  async next(position: number): Promise<Found> {
    if (position >= this.size) return 'end';
    const frame = await this.frameAt(position);
    if (frame) return frame;
    // Not a whole frame here: a torn write if it is the last thing in the file, else damage to skip.
    for (let at = position + ALIGN; at + HEAD <= this.size; at += ALIGN) {
      await this.load(at, HEAD);
      const mark = this.buffer.indexOf(MARK, at - this.bufferAt);
      if (mark === -1) {
        at = this.bufferAt + this.buffer.length - HEAD;
        at -= at % ALIGN;
        continue;
      }
      at = this.bufferAt + mark;
      if (at % ALIGN !== 0) {
        at -= at % ALIGN;
        continue;
      }
      const found = await this.frameAt(at);
      if (found) return { ...found, skipped: at - position };
    }
    // No whole frame follows. A write cut short (never answered) is a frame begun whose end lies past the file's;
    // anything else at the end is damage, reported and left in place (later frames are appended after it).
    return (await this.beginsFrame(position)) ? { torn: this.size - position } : { damagedTail: this.size - position };
  }

  /** Whether a frame starts at `at` that the file ends before: its mark (as much as is there) and a length past the end. */
  private async beginsFrame(at: number): Promise<boolean> {
    const have = Math.min(HEAD, this.size - at);
    await this.load(at, have);
    const o = at - this.bufferAt;
    if (!this.buffer.subarray(o, o + Math.min(4, have)).equals(MARK.subarray(0, Math.min(4, have)))) return false;
    if (have < HEAD) return true;
    const length = this.buffer.readUInt32LE(o + 8);
    return length <= MAX_PAYLOAD && at + HEAD + length > this.size;
  }

  private async frameAt(
    at: number,
  ): Promise<{ frame: { kind: number; payload: Buffer; at: number }; next: number } | null> {
    if (at + HEAD > this.size) return null;
    await this.load(at, HEAD);
    const o = at - this.bufferAt;
    if (!this.buffer.subarray(o, o + 4).equals(MARK)) return null;
    const kind = this.buffer[o + 4] as number;
    const length = this.buffer.readUInt32LE(o + 8);
    const checksum = this.buffer.readUInt32LE(o + 12);
    const next = at + HEAD + align(length);
    if (length > MAX_PAYLOAD || next > this.size) return null;
    await this.load(at, HEAD + length);
    const p = at - this.bufferAt;
    const signed = this.buffer.subarray(p + 4, p + HEAD + length);
    // The checksum covers kind and length too, with its own field read as zero.
    const sum = crc32(signed.subarray(HEAD - 4), crc32(signed.subarray(0, 8)));
    if (sum !== checksum) return null;
    return { frame: { kind, payload: this.buffer.subarray(p + HEAD, p + HEAD + length), at }, next };
  }

  /** Makes [at, at + length) of the file readable in `buffer`. */
  private async load(at: number, length: number): Promise<void> {
    if (at >= this.bufferAt && at + length <= this.bufferAt + this.buffer.length) return;
    const size = Math.min(Math.max(length, READ_CHUNK), this.size - at);
    if (this.buffer.length < size || this.buffer.length > 2 * Math.max(size, READ_CHUNK))
      this.buffer = Buffer.allocUnsafe(size);
    const { bytesRead } = await this.handle.read(this.buffer, 0, size, at);
    this.buffer = this.buffer.subarray(0, bytesRead);
    this.bufferAt = at;
  }
}

/**
 * The records of the log as written (not checked against a clock, nothing restored): what the batches since the
 * last compaction hold. For looking into a file, e.g. by tests that count what was stored.
 */
export async function readLog(path: string): Promise<StoredRecord[]> {
  const handle = await open(path, 'r');
  try {
    const reader = new FrameReader(handle, (await handle.stat()).size);
    const records: StoredRecord[] = [];
    const always: ReadWindow = { now: 0, since: -Infinity, until: Infinity };
    for (
      let found = await reader.next(MAGIC.length);
      found !== 'end' && 'frame' in found;
      found = await reader.next(found.next)
    ) {
      if (found.frame.kind === Kind.Batch) records.push(...readBatch(parseJson(found.frame.payload), always).value);
    }
    return records;
  } finally {
    await handle.close();
  }
}

// ------------------------------------------------------------------------------------------------ writing

/** A frame around `payload`; text is encoded straight into the frame (a batch's JSON is most of what is written). */
function encodeFrame(kind: Kind, payload: Buffer | string): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const frame = Buffer.alloc(HEAD + align(length));
  MARK.copy(frame, 0);
  frame[4] = kind;
  frame.writeUInt32LE(length, 8);
  if (typeof payload === 'string') frame.write(payload, HEAD, 'utf8');
  else payload.copy(frame, HEAD);
  frame.writeUInt32LE(crc32(frame.subarray(HEAD, HEAD + length), crc32(frame.subarray(4, 12))), 12);
  return frame;
}

interface WrittenSnapshot {
  /** Open for reading and writing, on the file now at `path`. */
  handle: FileHandle;
  size: number;
}

/**
 * Writes the store as a snapshot file beside `path`, syncs it and renames it over `path`, keeping it open: nothing
 * that can fail comes after the rename. On failure `path` is untouched and the temporary file removed.
 */
async function writeSnapshot(path: string, store: MetricStore, window: ReadWindow): Promise<WrittenSnapshot> {
  const temporary = `${path}.compacting`;
  const handle = await open(temporary, 'w+');
  let size = 0;
  try {
    let chunks: Buffer[] = [MAGIC];
    let pending = MAGIC.length;
    const put = async (kind: Kind, payload: Buffer | string) => {
      const frame = encodeFrame(kind, payload);
      chunks.push(frame);
      pending += frame.length;
      if (pending >= WRITE_BUFFER) await flush();
    };
    const flush = async () => {
      const data = Buffer.concat(chunks);
      await writeAll(handle, data, size);
      size += data.length;
      chunks = [];
      pending = 0;
    };
    const { fineStepMs, coarseStepMs } = store.limits;
    await put(Kind.Header, JSON.stringify({ format: 'dtmetrics local tenant data', fineStepMs, coarseStepMs }));
    let metrics = 0;
    let series = 0;
    for (const metric of store.metricSnapshots()) {
      await put(Kind.Metric, JSON.stringify(metric));
      metrics++;
    }
    for (const s of store.seriesSnapshots(window.since)) {
      await put(Kind.Series, encodeSeries(seriesHead(s), s.fine, s.coarse));
      series++;
    }
    await put(Kind.SnapshotEnd, JSON.stringify({ metrics, series }));
    await flush();
    await handle.datasync();
    await rename(temporary, path);
  } catch (error) {
    // A full disk, say: the half-written snapshot must not hold on to the space the log needs.
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(path);
  return { handle, size };
}

/** Keeps a file of the first format beside itself before it is converted (linked: a crash before the rename loses nothing). */
async function keepOriginal(path: string): Promise<string> {
  let kept = `${path}.v1`;
  for (let n = 2; await exists(kept); n++) kept = `${path}.v1.${n}`;
  await link(path, kept).catch(async () => writeFile(kept, await readFile(path)));
  return kept;
}

async function writeAll(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  for (let done = 0; done < data.length; ) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    if (bytesWritten === 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}

/** Makes a rename durable: the directory entry is synced (where the platform allows opening a directory). */
async function syncDirectory(path: string): Promise<void> {
  const directory = await open(dirname(path), 'r').catch(() => null);
  if (!directory) return;
  await directory.sync().catch(() => undefined);
  await directory.close();
}

/** A compaction's file left by a crash: ours only if it starts as ours. */
async function removeStaleTemporary(path: string): Promise<void> {
  const temporary = `${path}.compacting`;
  if ((await sniff(temporary).catch(() => 'absent')) !== 'absent') await rm(temporary, { force: true });
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

// ------------------------------------------------------------------------------------------------ conversion

/**
 * Reads a file of the first format (JSON lines of records) into `store`; a last line without `\n` is whole too.
 * Such files grew with every point: `log` hears how far it got every CONVERSION_PROGRESS bytes.
 */
async function convertV1(
  path: string,
  store: MetricStore,
  window: ReadWindow,
  report: LoadReport,
  log: (line: string) => void,
): Promise<void> {
  const handle = await open(path, 'r');
  const mb = (bytes: number) => `${(bytes / 1e6).toLocaleString('en-US', { maximumFractionDigits: 0 })} MB`;
  try {
    const { size } = await handle.stat();
    log(`data file ${path}: converting ${mb(size)} from the JSON-lines format of earlier versions`);
    let reported = 0;
    const decoder = new TextDecoder();
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    let carry = '';
    let lineNumber = 0;
    const take = (line: string) => {
      lineNumber++;
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        damage(report, `line ${lineNumber} is not a whole record`);
        return;
      }
      const read = readV1Line(value, window);
      report.aged += read.aged;
      for (const reason of read.damaged) damage(report, `line ${lineNumber}: ${reason}`);
      report.overLimit += applyRecords(store, read.value);
    };
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      if (position - reported >= CONVERSION_PROGRESS) {
        reported = position;
        log(`data file ${path}: converted ${mb(position)} of ${mb(size)}`);
      }
      const { lines, rest } = splitAtLineFeeds(carry + decoder.decode(buffer.subarray(0, bytesRead), { stream: true }));
      carry = rest;
      lines.forEach(take);
    }
    take(carry + decoder.decode());
  } finally {
    await handle.close();
  }
}

// ------------------------------------------------------------------------------------------------ lock

/**
 * `path.lock` names the tenant using the file: its pid and this boot of the machine (Linux). A lock whose process is
 * gone, or from an earlier boot (a pid may have been reused since), is stale and taken over; a lock of this process
 * is not (a second tenant in one process).
 */
async function takeLock(path: string): Promise<void> {
  const lock = `${path}.lock`;
  const mine = JSON.stringify({ pid: process.pid, boot: BOOT_ID });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(lock, mine, { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
    const held = await readFile(lock, 'utf8').catch(() => '');
    const holder = lockHolder(held);
    if (holder !== null)
      throw new DataFileError(
        `'${path}' is locked by another local tenant (process ${holder}); stop it or choose another --data file`,
      );
    // Stale: moved aside under a name of its own, so that of two tenants taking it over one finds what it judged.
    const aside = `${lock}.${randomUUID()}`;
    if (
      await rename(lock, aside).then(
        () => true,
        () => false,
      )
    ) {
      const moved = await readFile(aside, 'utf8').catch(() => '');
      // Not the stale lock but one just taken by another tenant: put back (unless a third took the place).
      if (moved !== held) await link(aside, lock).catch(() => undefined);
      await rm(aside, { force: true });
    }
  }
  throw new DataFileError(`cannot take the lock ${lock}: other tenants keep taking it`);
}

/** The pid holding a lock's text, or null if the lock is stale. */
function lockHolder(text: string): number | null {
  let holder: { pid?: unknown; boot?: unknown };
  try {
    holder = JSON.parse(text) as typeof holder;
  } catch {
    return null;
  }
  const pid = holder.pid;
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return null;
  if (pid === process.pid) return pid;
  if (BOOT_ID !== null && typeof holder.boot === 'string' && holder.boot !== BOOT_ID) return null;
  try {
    process.kill(pid as number, 0);
    return pid as number;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM' ? (pid as number) : null;
  }
}

/** This boot of the machine, where the OS says (Linux); null elsewhere. */
const BOOT_ID: string | null = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
})();

async function releaseLock(path: string): Promise<void> {
  await rm(`${path}.lock`, { force: true });
}

// ------------------------------------------------------------------------------------------------ bytes

const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

let crcTable: Uint32Array | null = null;

function tableCrc32(data: Uint8Array, value = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = ~value >>> 0;
  for (let i = 0; i < data.length; i++) crc = (crcTable[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return ~crc >>> 0;
}
