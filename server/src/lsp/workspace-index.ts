/**
 * Metric keys and dimension keys seen in the workspace's `.dtmetrics` files and the open documents, for
 * completion. Bounded: at most MAX_FILES files, the first MAX_BYTES of each, MAX_KEYS keys of each kind.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLine } from '#core/parse.ts';
import { splitLines } from '#core/text.ts';
import { METRIC_FILE_EXTENSION, SKIPPED_DIRS } from '#edge/files.ts';

const MAX_FILES = 2_000;
const MAX_BYTES = 1 << 20;
const MAX_KEYS = 5_000;

export class WorkspaceIndex {
  private readonly folders: string[] = [];
  private readonly metric = new Set<string>();
  private readonly dimension = new Set<string>();

  addFolder(uri: string): void {
    if (uri.startsWith('file:')) this.folders.push(fileURLToPath(uri));
  }

  metricKeys(): string[] {
    return [...this.metric].sort();
  }

  dimensionKeys(): string[] {
    return [...this.dimension].sort();
  }

  /** The keys of a file's text, as far as its first MAX_BYTES characters. */
  addText(text: string): void {
    this.addLines(splitLines(text));
  }

  /** The keys of a document's lines, as far as its first MAX_BYTES characters. */
  addLines(lines: Iterable<string>): void {
    let read = 0;
    for (const line of lines) {
      if (read >= MAX_BYTES) return;
      read += line.length + 1;
      const parsed = parseLine(line);
      if (parsed.kind !== 'data' && parsed.kind !== 'metadata') continue;
      if (parsed.key.text && this.metric.size < MAX_KEYS) this.metric.add(parsed.key.text);
      if (parsed.kind !== 'data') continue;
      for (const dim of parsed.dimensions) if (dim.eq >= 0 && dim.key.text && this.dimension.size < MAX_KEYS) this.dimension.add(dim.key.text);
    }
  }

  /** Reads every `.dtmetrics` file under the workspace folders (bounded, skipping the folders `dtmetrics lint` skips). */
  async scan(): Promise<void> {
    let files = 0;
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (files >= MAX_FILES) return;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!SKIPPED_DIRS.has(entry.name)) await walk(path);
        } else if (entry.name.endsWith(METRIC_FILE_EXTENSION)) {
          files++;
          const text = await readFile(path, 'utf8').catch(() => '');
          this.addText(text);
        }
      }
    };
    for (const folder of this.folders) await walk(folder);
  }
}
