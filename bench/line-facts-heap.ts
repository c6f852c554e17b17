/**
 * `node --expose-gc --import tsx bench/line-facts-heap.ts`: the heap an editor's DocumentLinter keeps per line between
 * versions (each line's facts and the file-level checks' lists), for clean lines and for lines with a finding,
 * measured after garbage collection as the heap with the linter held minus the heap without it (the lines
 * themselves, held by the editor's document, are in both). Prints one JSON object; bench/lsp-latency.ts runs it and
 * puts the figures in LSP-RESULTS.md.
 */
import { DocumentLinter } from '#core/document-linter.ts';
import { lintText } from '#core/lint.ts';
import { parseLine } from '#core/parse.ts';
import { DEFAULT_SETTINGS, lintOptions } from '#lsp/settings.ts';
import { metricLines } from './lsp-common.ts';
import { median } from './tenant-load.ts';

/** Lines per measurement. */
const HEAP_LINES = 20_000;
/** Measurements per kind of line; the median is reported. */
const HEAP_RUNS = 5;

export interface LineFactsHeap {
  lines: number;
  runs: number;
  /** Bytes per line, each run, then the median. */
  clean: number[];
  withFinding: number[];
  cleanMedian: number;
  withFindingMedian: number;
  /** What the lines with a finding have wrong. */
  finding: string;
}

const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  (gc as () => void)();
  (gc as () => void)();
  return process.memoryUsage().heapUsed;
}

/** Bytes per line that a linter of `lines` keeps, the lines aside. */
function keptPerLine(lines: readonly string[], now: number): number {
  const before = heapAfterGc();
  const linter = new DocumentLinter(lintOptions(DEFAULT_SETTINGS));
  const steps = linter.steps([{ from: 0, removed: 0, lines }], now);
  while (!steps.next().done);
  const after = heapAfterGc();
  // Held until here, so that the collection above cannot free it.
  if (!linter) throw new Error('unreachable');
  return (after - before) / lines.length;
}

function main(): void {
  if (!gc) throw new Error('run with node --expose-gc');
  const now = Date.now();
  const { lines, data } = metricLines(6_000_000, now + 300_000);
  const clean: string[] = [];
  const withFinding: string[] = [];
  for (const { index, parsed } of data) {
    const line = lines[index] as string;
    if (clean.length >= HEAP_LINES) break;
    if (lintText(line, { now }).length > 0) continue;
    // A space typed in the first dimension value: DV002, with its fix.
    const value = parsed.dimensions[0]?.value;
    if (!value || value.end - value.start < 2) continue;
    const broken = line.slice(0, value.start + 1) + ' ' + line.slice(value.start + 1);
    if (parseLine(broken).kind !== 'data' || lintText(broken, { now }).length !== 1) continue;
    clean.push(line);
    withFinding.push(broken);
  }
  if (clean.length < HEAP_LINES) throw new Error(`only ${clean.length} clean lines in the document`);
  const result: LineFactsHeap = {
    lines: HEAP_LINES,
    runs: HEAP_RUNS,
    clean: [],
    withFinding: [],
    cleanMedian: 0,
    withFindingMedian: 0,
    finding: `${lintText(withFinding[0] as string, { now })[0]?.code}: a space typed in a dimension value`,
  };
  for (let run = 0; run < HEAP_RUNS; run++) {
    result.clean.push(keptPerLine(clean, now));
    result.withFinding.push(keptPerLine(withFinding, now));
  }
  result.cleanMedian = median(result.clean);
  result.withFindingMedian = median(result.withFinding);
  process.stdout.write(JSON.stringify(result) + '\n');
}

main();
