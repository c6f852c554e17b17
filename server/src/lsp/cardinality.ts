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
import { splitLines } from '#core/text.ts';
import type { CardinalityResult } from '#protocol';
import type { LineDocument } from './documents.ts';
import { inSlices } from './slices.ts';
import { readStart } from './workspace-index.ts';

/** A file larger than this is left out of the workspace's figures (and named): `dtmetrics stats` reads it in a stream. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export function documentCardinality(uri: string, stats: DocumentStats): CardinalityResult {
  const firstLines: CardinalityResult['firstLines'] = {};
  for (const [key, line] of stats.firstLines) firstLines[key] = { uri, line };
  const { metrics, totals } = stats.report;
  return { metrics, totals, firstLines, files: 1, skipped: [] };
}

/**
 * The figures of the files at `paths`, read one at a time and analysed in slices with `pause()` between them;
 * undefined once `stopped()` says so. `openDocument`: the open document of a path, read instead of its file.
 */
export async function workspaceCardinality(
  paths: readonly string[],
  openDocument: (uri: string) => LineDocument | undefined,
  options: StatsOptions,
  pause: () => Promise<void>,
  stopped: () => boolean,
): Promise<CardinalityResult | undefined> {
  const analysis = new SourcesStats();
  const uris: string[] = [];
  const skipped: string[] = [];
  for (const path of paths) {
    const uri = pathToFileURL(path).href;
    const doc = openDocument(uri);
    let lines: { lineAt: (line: number) => string; lineCount: number };
    if (doc !== undefined) lines = { lineAt: (i) => doc.lineAt(i), lineCount: doc.lineCount };
    else {
      const size = (await stat(path).catch(() => null))?.size ?? 0;
      if (size > MAX_FILE_BYTES) {
        skipped.push(`${path}: over ${MAX_FILE_BYTES / 1024 / 1024} MB (dtmetrics stats reads it)`);
        continue;
      }
      const text = await readStart(path, MAX_FILE_BYTES);
      if (text === null) continue;
      const all = [...splitLines(text)];
      // A file's last line break ends its last line, as `dtmetrics stats` reads files: no empty line after it.
      if (all.length > 0 && all[all.length - 1] === '') all.pop();
      lines = { lineAt: (i) => all[i] as string, lineCount: all.length };
    }
    if (stopped()) return undefined;
    uris.push(uri);
    if ((await inSlices(analysis.read(lines.lineAt, lines.lineCount), pause, stopped)) === undefined) return undefined;
  }
  const { metrics, totals } = analysis.report(options);
  const firstLines: CardinalityResult['firstLines'] = {};
  for (const [key, { source, line }] of analysis.firstPlaces) firstLines[key] = { uri: uris[source] as string, line };
  return { metrics, totals, firstLines, files: uris.length, skipped };
}
