/**
 * Metric keys and dimension keys seen in the workspace's `.dtmetrics` files (as saved) and the open documents (as
 * typed: an open document stands for its file), for completion, and the keys the tenant stores those metrics under
 * (`x.count` for a count metric `x`) for the query prompt (dtmetrics/workspaceKeys). Each source's keys are replaced
 * when it changes (an edit, a file changed or deleted on disk, a document closed), so a key gone from every source is
 * offered no more. An edit only marks its document: the lines it changed are keyed when keys are next asked for.
 * A document opened is keyed in the background (a large one in slices); completion does not wait for that, only for
 * the edits of documents keyed since they were opened, so a first completion never waits for a whole large document.
 * Bounded: at most MAX_FILES files; of each file or document, its first MAX_BYTES (bytes of a file, characters of a
 * document) and MAX_KEYS keys of each kind.
 */
import { open, readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storedKeyOf } from '#core/keys.ts';
import { unchangedEnds } from '#core/document-linter.ts';
import { detach } from '#core/lint.ts';
import { parseLine } from '#core/parse.ts';
import { CARRIAGE_RETURN, LINE_FEED, splitLines } from '#core/text.ts';
import { METRIC_FILE_EXTENSION, SKIPPED_DIRS } from '#edge/files.ts';
import { replace, type LineDocument } from './documents.ts';
import { inSlices } from './slices.ts';

export const MAX_FILES = 2_000;
/** As much of a file or an open document as is read for keys: bounds the index's memory and a first answer's wait. */
const MAX_BYTES = 20 * 1024 * 1024;
const MAX_KEYS = 5_000;

/** Lines keyed in one step of a slice. */
const STEP_LINES = 500;
/** Records of a document's lines shared by lines with the same keys, at most. */
const SHARED_RECORDS = 10_000;

type Kind = 'metric' | 'dimension' | 'stored';
const KINDS: readonly Kind[] = ['metric', 'dimension', 'stored'];

/** The keys of one line: its metric key as written and as stored, and its dimension keys. */
interface LineKeys {
  metric: string | null;
  stored: string | null;
  dimensions: readonly string[];
}

/** A key being typed in an open document. */
export interface Typing {
  uri: string;
  key: string;
}

const NO_KEYS: LineKeys = { metric: null, stored: null, dimensions: [] };

function keysOfLine(text: string): LineKeys {
  const line = parseLine(text);
  if (line.kind !== 'data' && line.kind !== 'metadata') return NO_KEYS;
  const dimensions =
    line.kind === 'data' ? line.dimensions.flatMap((d) => (d.eq >= 0 && d.key.text ? [d.key.text] : [])) : [];
  return { metric: line.key.text || null, stored: storedKeyOf(line), dimensions };
}

/** Keys with how many times each is held; `add` and `remove` say when a key comes and goes. */
class Counts {
  private readonly held = new Map<string, number>();

  get size(): number {
    return this.held.size;
  }

  has(key: string): boolean {
    return this.held.has(key);
  }

  countOf(key: string): number {
    return this.held.get(key) ?? 0;
  }

  keys(): IterableIterator<string> {
    return this.held.keys();
  }

  /** True when the key is new. */
  add(key: string): boolean {
    const n = this.held.get(key) ?? 0;
    this.held.set(key, n + 1);
    return n === 0;
  }

  /** True when the key is gone. */
  remove(key: string): boolean {
    const n = this.held.get(key) ?? 0;
    if (n > 1) this.held.set(key, n - 1);
    else this.held.delete(key);
    return n === 1;
  }
}

/** Every key of the sources that count, with how many sources hold it, in order when asked. */
class IndexedKeys {
  private readonly sources = new Counts();
  private sorted: string[] | null = null;

  add(key: string): void {
    if (this.sources.add(key)) this.sorted = null;
  }

  remove(key: string): void {
    if (this.sources.remove(key)) this.sorted = null;
  }

  /** How many sources hold the key. */
  holders(key: string): number {
    return this.sources.countOf(key);
  }

  first(limit: number): string[] {
    this.sorted ??= [...this.sources.keys()].sort();
    return this.sorted.slice(0, limit);
  }
}

type Index = Record<Kind, IndexedKeys>;

/** The keys of one file or document, each with the number of its lines that hold it: at most MAX_KEYS of a kind. */
class SourceKeys {
  private readonly lines: Record<Kind, Counts> = {
    metric: new Counts(),
    dimension: new Counts(),
    stored: new Counts(),
  };
  /** The index this source counts in; none while an open document stands for its file. */
  private index: Index | null = null;

  /** Counts a line's keys but those a full kind has no room for; returns what was counted (`line` when all were). */
  add(line: LineKeys): LineKeys {
    if (line === NO_KEYS) return line;
    const metric = line.metric !== null && this.count('metric', line.metric) ? line.metric : null;
    const stored = line.stored !== null && this.count('stored', line.stored) ? line.stored : null;
    const dimensions = line.dimensions.filter((key) => this.count('dimension', key));
    return metric === line.metric && stored === line.stored && dimensions.length === line.dimensions.length
      ? line
      : { metric, stored, dimensions };
  }

  /** How many of the source's lines hold the key. */
  linesHolding(kind: Kind, key: string): number {
    return this.lines[kind].countOf(key);
  }

  /** Uncounts what `add` counted of a line. */
  remove(counted: LineKeys): void {
    if (counted.metric !== null) this.uncount('metric', counted.metric);
    if (counted.stored !== null) this.uncount('stored', counted.stored);
    for (const key of counted.dimensions) this.uncount('dimension', key);
  }

  /** Starts counting in `index`, or stops (null). */
  countIn(index: Index | null): void {
    for (const kind of KINDS) {
      for (const key of this.lines[kind].keys()) {
        this.index?.[kind].remove(key);
        index?.[kind].add(key);
      }
    }
    this.index = index;
  }

  private count(kind: Kind, key: string): boolean {
    const counts = this.lines[kind];
    let kept = key;
    if (!counts.has(key)) {
      if (counts.size >= MAX_KEYS) return false;
      // A copy: a key cut from its line would pin the line (for a file, its whole text) while the index holds it.
      kept = detach(key);
      this.index?.[kind].add(kept);
    }
    counts.add(kept);
    return true;
  }

  private uncount(kind: Kind, key: string): void {
    if (this.lines[kind].remove(key)) this.index?.[kind].remove(key);
  }
}

/** An open document's keys, kept per line so that keying an edit parses the lines it changed and no others. */
class DocumentKeys {
  readonly source = new SourceKeys();
  /** Edited since last keyed. */
  edited = true;
  /** Keyed once since opened: from then on, completion waits for its edits. */
  keyed = false;
  /** The lines last keyed (a copy), and what each counted. */
  private lines: readonly string[] = [];
  private counted: LineKeys[] = [];
  /**
   * One record for the lines with the same keys, as most lines of a document have their neighbours' keys: a line
   * then costs the index a reference, not a record of its own. Forgotten when full (lines keep what they have).
   */
  private readonly shared = new Map<string, LineKeys>();

  constructor(private readonly doc: LineDocument) {}

  /** Keys the document as it is now (its first MAX_BYTES characters), in steps; the counts change at the end. */
  *update(): Generator<void, void> {
    this.edited = false;
    const lines = firstLines(this.doc.lines);
    const old = this.lines;
    const { head, tail } = unchangedEnds(old, lines);
    const fresh: LineKeys[] = [];
    for (let i = head; i < lines.length - tail; i++) {
      fresh.push(this.keysOf(lines[i] as string));
      if (fresh.length % STEP_LINES === 0) yield;
    }
    const changed = old.length - tail - head;
    for (let i = head; i < head + changed; i++) this.source.remove(this.counted[i] as LineKeys);
    this.counted = replace(
      this.counted,
      head,
      changed,
      fresh.map((line) => this.source.add(line)),
    );
    this.lines = lines;
    this.keyed = true;
  }

  private keysOf(text: string): LineKeys {
    const keys = keysOfLine(text);
    if (keys === NO_KEYS) return keys;
    const signature = `${keys.metric ?? ''}\n${keys.stored ?? ''}\n${keys.dimensions.join('\n')}`;
    const known = this.shared.get(signature);
    if (known) return known;
    if (this.shared.size >= SHARED_RECORDS) this.shared.clear();
    this.shared.set(signature, keys);
    return keys;
  }
}

/** Keys documents one at a time, each in slices, while `next` picks one; a call during a run joins it. */
class KeyingLane {
  private running: Promise<void> | undefined;

  constructor(
    private readonly next: () => DocumentKeys | undefined,
    private readonly pause: () => Promise<void>,
  ) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  run(): Promise<void> {
    this.running ??= this.keyAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async keyAll(): Promise<void> {
    for (let keys = this.next(); keys; keys = this.next()) await inSlices(keys.update(), this.pause, () => false);
  }
}

/** The lines that start within the first MAX_BYTES characters. */
function firstLines(lines: readonly string[]): string[] {
  let read = 0;
  let n = 0;
  while (n < lines.length && read < MAX_BYTES) read += (lines[n++] as string).length + 1;
  return lines.slice(0, n);
}

/** The keys of a file's text, in steps. */
function* keysOfText(text: string): Generator<void, SourceKeys> {
  const source = new SourceKeys();
  let n = 0;
  for (const line of splitLines(text)) {
    source.add(keysOfLine(line));
    if (++n % STEP_LINES === 0) yield;
  }
  return source;
}

/** A file's first `maxBytes` as text (a line cut short there left out), or null when it cannot be read. */
export async function readStart(path: string, maxBytes = MAX_BYTES): Promise<string | null> {
  const bytes = await readStartBytes(path, maxBytes);
  // As an editor decodes it: invalid UTF-8 as U+FFFD, a byte order mark dropped.
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

/** A file's first `maxBytes` (a line cut short there left out), or null when it cannot be read. */
export async function readStartBytes(path: string, maxBytes = MAX_BYTES): Promise<Buffer | null> {
  const file = await open(path, 'r').catch(() => null);
  if (!file) return null;
  try {
    const size = (await file.stat()).size;
    const { buffer, bytesRead } = await file.read(
      Buffer.alloc(Math.min(size, maxBytes)),
      0,
      Math.min(size, maxBytes),
      0,
    );
    const bytes = buffer.subarray(0, bytesRead);
    return size <= maxBytes
      ? bytes
      : bytes.subarray(0, Math.max(bytes.lastIndexOf(LINE_FEED), bytes.lastIndexOf(CARRIAGE_RETURN)) + 1);
  } catch {
    return null;
  } finally {
    // Read only: a failed close loses nothing, and must not end the server as an unhandled rejection.
    await file.close().catch(() => {});
  }
}

/** The path of a local file URI; null for any other. */
export function pathOf(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

/** The `.dtmetrics` files under `folders`, at most `max`, skipping the folders `dtmetrics lint` skips; in walk order. */
async function metricFilesUnder(folders: readonly string[], max: number): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (found.length >= max) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(path);
      } else if (entry.name.endsWith(METRIC_FILE_EXTENSION)) found.push(path);
    }
  };
  for (const folder of folders) await walk(folder);
  return found;
}

export class WorkspaceIndex {
  private readonly folders: string[] = [];
  private readonly index: Index = {
    metric: new IndexedKeys(),
    dimension: new IndexedKeys(),
    stored: new IndexedKeys(),
  };
  /** The workspace's files as last read, by path; a file whose document is open does not count meanwhile. */
  private readonly files = new Map<string, SourceKeys>();
  /** The open documents, by path (by URI when they are no local file). */
  private readonly documents = new Map<string, DocumentKeys>();
  /** The newest read of each file being read: an older one that ends later is dropped. */
  private readonly reads = new Map<string, number>();
  private readCount = 0;
  private scanning: Promise<void> = Promise.resolve();
  /** Two lanes, so that an edit is keyed while a large document opened meanwhile is still being keyed. */
  private readonly opening: KeyingLane;
  private readonly editing: KeyingLane;

  /** `pause`: what long work waits for between its slices. */
  constructor(private readonly pause: () => Promise<void>) {
    this.opening = new KeyingLane(() => this.nextToKey(false), pause);
    this.editing = new KeyingLane(() => this.nextToKey(true), pause);
  }

  addFolder(uri: string): void {
    const path = pathOf(uri);
    if (path !== null) this.folders.push(path);
  }

  /**
   * Metric keys as written, in order; up to date with the edits once `editsKeyed()` has resolved. `typing`: the key
   * being typed in an open document, left out when no other line holds it (it is a word being typed, not a key).
   */
  metricKeys(typing?: Typing): string[] {
    return this.keysBut('metric', typing);
  }

  dimensionKeys(typing?: Typing): string[] {
    return this.keysBut('dimension', typing);
  }

  private keysBut(kind: Kind, typing: Typing | undefined): string[] {
    const keys = this.index[kind].first(MAX_KEYS);
    if (typing === undefined || !this.onlyOn(kind, typing)) return keys;
    return keys.filter((key) => key !== typing.key);
  }

  /** Whether the typed key is held by its own line and no other line of any source. */
  private onlyOn(kind: Kind, { uri, key }: Typing): boolean {
    const document = this.documents.get(pathOf(uri) ?? uri);
    return this.index[kind].holders(key) === 1 && document?.source.linesHolding(kind, key) === 1;
  }

  /** The first `limit` stored keys in order, once the folders are read and every open document is keyed as it is. */
  async storedKeys(limit: number): Promise<string[]> {
    await this.scanning;
    await this.current();
    return this.index.stored.first(limit);
  }

  /**
   * The workspace's `.dtmetrics` files as they are on disk now (at most MAX_FILES), sorted: walked again, so a file
   * the editor's watcher did not report (one written into a folder just made) is there too.
   */
  async filePaths(): Promise<string[]> {
    return (await metricFilesUnder(this.folders, MAX_FILES)).sort();
  }

  /** Reads every `.dtmetrics` file under the workspace folders (bounded, skipping the folders `dtmetrics lint` skips), one at a time. */
  scan(): Promise<void> {
    this.scanning = (async () => {
      for (const path of await metricFilesUnder(this.folders, MAX_FILES)) await this.read(path);
    })();
    return this.scanning;
  }

  /** A file of the workspace was created or changed on disk: its keys are read again. */
  fileChanged(uri: string): void {
    const path = pathOf(uri);
    if (path !== null && this.inWorkspace(path)) void this.read(path);
  }

  /** A file was deleted: its keys go (a read of it under way is dropped). */
  fileDeleted(uri: string): void {
    const path = pathOf(uri);
    if (path === null) return;
    this.reads.delete(path);
    this.setFile(path, undefined);
  }

  opened(doc: LineDocument): void {
    const id = pathOf(doc.uri) ?? doc.uri;
    const keys = new DocumentKeys(doc);
    this.documents.get(id)?.source.countIn(null);
    this.documents.set(id, keys);
    this.files.get(id)?.countIn(null);
    keys.source.countIn(this.index);
    // Keyed in the background (a small document in this call's first slice), not waited for by completion.
    void this.opening.run();
  }

  edited(uri: string): void {
    const keys = this.documents.get(pathOf(uri) ?? uri);
    if (keys) keys.edited = true;
  }

  /** A document closed: its file (as it is on disk now, saved or not) counts again. */
  closed(uri: string): void {
    const path = pathOf(uri);
    const id = path ?? uri;
    this.documents.get(id)?.source.countIn(null);
    this.documents.delete(id);
    this.files.get(id)?.countIn(this.index);
    if (path !== null && this.inWorkspace(path)) void this.read(path);
  }

  /**
   * Keys the edits since keys were last asked for of the documents keyed since they were opened (the lines edited: a
   * line or a few, as one types); a document opened and still being keyed counts meanwhile with the keys found so far
   * (none), and is not waited for. What completion waits for.
   */
  editsKeyed(): Promise<void> {
    return this.editing.run();
  }

  /** Resolves once every open document is keyed as it is. */
  async current(): Promise<void> {
    while (this.opening.busy || this.editing.busy || this.nextToKey(false) || this.nextToKey(true))
      await Promise.all([this.opening.run(), this.editing.run()]);
  }

  /** A document edited since last keyed (a document just opened counts as edited): keyed before once, or not. */
  private nextToKey(keyedBefore: boolean): DocumentKeys | undefined {
    for (const keys of this.documents.values()) if (keys.edited && keys.keyed === keyedBefore) return keys;
    return undefined;
  }

  /** Reads a file's keys and puts them in place of those it had, unless a newer read or a deletion came meanwhile. */
  private async read(path: string): Promise<void> {
    if (!this.files.has(path) && this.files.size >= MAX_FILES) return;
    const read = ++this.readCount;
    this.reads.set(path, read);
    const outdated = () => this.reads.get(path) !== read;
    const text = await readStart(path);
    if (outdated()) return;
    const done = text === null ? undefined : await inSlices(keysOfText(text), this.pause, outdated);
    if (outdated()) return;
    this.reads.delete(path);
    this.setFile(path, done?.result);
  }

  private setFile(path: string, keys: SourceKeys | undefined): void {
    const counts = !this.documents.has(path);
    if (counts) this.files.get(path)?.countIn(null);
    if (keys) this.files.set(path, keys);
    else this.files.delete(path);
    if (counts) keys?.countIn(this.index);
  }

  private inWorkspace(path: string): boolean {
    if (!path.endsWith(METRIC_FILE_EXTENSION)) return false;
    return this.folders.some((folder) => {
      const inner = relative(folder, path);
      return (
        inner !== '' &&
        !inner.startsWith('..') &&
        !isAbsolute(inner) &&
        !inner.split(sep).some((part) => SKIPPED_DIRS.has(part))
      );
    });
  }
}
