/**
 * The Cardinality view's workspace figures (lsp/cardinality.ts workspaceCardinality, worked out again after every
 * change while the view shows) over the lint benchmark's 25 MB file: the file read by its bytes, as the server reads
 * a workspace's files (clean lines by the fast path), against the same file open as a document (its text read and
 * every line parsed: how the server read files before), in turns, median of BENCH_RUNS (default 5), the ratio in
 * the same run. In process, slices and pauses as the server runs them. `node --import tsx bench/lsp-cardinality.ts`;
 * see README.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workspaceCardinality } from '#lsp/cardinality.ts';
import { LineDocument } from '#lsp/documents.ts';
import { nextTurn } from '#lsp/slices.ts';
import { readStart } from '#lsp/workspace-index.ts';
import type { CardinalityResult } from '#protocol';
import { DATA_DIR, median, prepareDataSet, runCount } from './child-run.ts';
import { runBenchmark } from './report-header.ts';

const OPTIONS = { intervalMs: 60_000, pricePerPoint: null };

async function figures(path: string, asDocument: boolean): Promise<{ ms: number; result: CardinalityResult }> {
  const start = performance.now();
  const open = asDocument
    ? [new LineDocument(pathToFileURL(path).href, 1, (await readStart(path, Number.POSITIVE_INFINITY)) as string)]
    : [];
  const result = await workspaceCardinality([path], 1000, open, OPTIONS, nextTurn, () => false);
  assert.ok(result !== undefined);
  return { ms: performance.now() - start, result };
}

async function main(): Promise<void> {
  const runs = runCount(5);
  const data = prepareDataSet((text) => void process.stderr.write(text + '\n'));
  const path = join(DATA_DIR, data.quarter.file);
  const bytes: number[] = [];
  const text: number[] = [];
  for (let run = 0; run < runs; run++) {
    const byBytes = await figures(path, false);
    const byText = await figures(path, true);
    // The same figures both ways, first lines included (the document is opened under the file's URI).
    assert.deepEqual(byBytes.result, byText.result);
    bytes.push(byBytes.ms);
    text.push(byText.ms);
  }
  const mb = data.quarter.bytes / 1e6;
  const row = (name: string, ms: number[]) =>
    `${name}: ${median(ms).toFixed(0)} ms median (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)}), ` +
    `${(mb / (median(ms) / 1000)).toFixed(1)} MB/s`;
  console.log(
    `workspaceCardinality over ${mb.toFixed(1)} MB (${data.quarter.lines.toLocaleString('en-US')} lines), ${runs} runs:`,
  );
  console.log(row('file by its bytes (now)', bytes));
  console.log(row('file as text, every line parsed (before)', text));
  console.log(`before ÷ now: ${(median(text) / median(bytes)).toFixed(2)}×`);
}

runBenchmark(main);
