/**
 * The Cardinality view's figures (dtmetrics/cardinality, protocol.ts): of one open document, from the analysis the
 * CodeLens shows, or of the workspace's `.dtmetrics` files read as one environment's lines — open documents as typed,
 * the others as saved, in path order — as `dtmetrics stats` reads several files. The view shows them and works out
 * nothing itself, so a document's figures are worked out once for the lens and the view.
 */
import { stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { StatsOptions } from '#core/stats/analysis.ts';
import { SourcesStats, type DocumentStats } from '#core/stats/document.ts';
import type { CardinalityResult } from '#protocol';
import type { LineDocument } from './documents.ts';
import { inSlices } from './slices.ts';
import { pathOf, readStartBytes } from './workspace-index.ts';

/**
 * The most bytes of files (not open documents) read for one answer: a workspace's figures are worked out again after
 * each change, so the files past it are left out, and named (`dtmetrics stats .` reads them all).
 */
const MAX_WORKSPACE_BYTES = 64 * 1024 * 1024;

export function documentCardinality(uri: string, stats: DocumentStats): CardinalityResult {
  const firstLines: CardinalityResult['firstLines'] = {};
  for (const [key, line] of stats.firstLines) firstLines[key] = { uri, line };
  const { metrics, totals } = stats.report;
  return { metrics, totals, firstLines, files: 1, skipped: [] };
}

/**
 * The figures of the files at `paths` (at most `maxFiles` were looked for), read one at a time and analysed in slices
 * with `pause()` between them; undefined once `stopped()` says so. An open document is read instead of its file.
 */
export async function workspaceCardinality(
  paths: readonly string[],
  maxFiles: number,
  openDocuments: Iterable<LineDocument>,
  options: StatsOptions,
  pause: () => Promise<void>,
  stopped: () => boolean,
): Promise<CardinalityResult | undefined> {
  // By path: a client may spell a document's URI otherwise than node does (`%20`, `c%3A`).
  const byPath = new Map<string, LineDocument>();
  for (const doc of openDocuments) {
    const path = pathOf(doc.uri);
    if (path !== null) byPath.set(path, doc);
  }
  const analysis = new SourcesStats();
  const uris: string[] = [];
  const skipped: string[] = [];
  let bytesRead = 0;
  for (const path of paths) {
    const doc = byPath.get(path);
    let steps: Generator<void, void>;
    if (doc !== undefined) {
      // A last line break ends the last line, as `dtmetrics stats` reads files: the editor's empty line after it is none.
      const lineCount = doc.lineCount > 0 && doc.lineAt(doc.lineCount - 1) === '' ? doc.lineCount - 1 : doc.lineCount;
      steps = analysis.read((i) => doc.lineAt(i), lineCount);
    } else {
      const size = (await stat(path).catch(() => null))?.size;
      if (size !== undefined && bytesRead + size > MAX_WORKSPACE_BYTES) {
        skipped.push(
          `${path}: past the first ${MAX_WORKSPACE_BYTES / 1024 / 1024} MB of files (dtmetrics stats reads it)`,
        );
        continue;
      }
      const bytes = size === undefined ? null : await readStartBytes(path, MAX_WORKSPACE_BYTES);
      if (bytes === null) {
        skipped.push(`${path}: cannot be read`);
        continue;
      }
      bytesRead += bytes.length;
      // By its bytes, as `dtmetrics stats` reads it: clean lines need no decoding nor parsing.
      steps = analysis.readBytes(bytes);
    }
    if (stopped()) return undefined;
    uris.push(doc?.uri ?? pathToFileURL(path).href);
    if ((await inSlices(steps, pause, stopped)) === undefined) return undefined;
  }
  if (paths.length >= maxFiles) skipped.push(`files past the first ${maxFiles.toLocaleString('en-US')} found`);
  const { metrics, totals } = analysis.report(options);
  const firstLines: CardinalityResult['firstLines'] = {};
  for (const [key, { source, line }] of analysis.firstPlaces) firstLines[key] = { uri: uris[source] as string, line };
  return { metrics, totals, firstLines, files: uris.length, skipped };
}
