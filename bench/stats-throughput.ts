/**
 * `npm run bench`: how fast `dtmetrics stats` reads the lint benchmark's ~100 MB file of metric lines, as a share
 * of `dtmetrics lint`'s throughput on the same file (target: at least 50 %), and whether its memory stays flat
 * when the input grows: the same data set at a quarter of the size, and inputs of two and four such files (the
 * others from the next seeds: other series and values, one environment's lines). See bench/README.md. Writes
 * bench/STATS-RESULTS.md.
 *
 * Each run is a child `node --require bench/peak-rss.cjs` (bench/child-run.ts); runs alternate (stats, lint on the
 * full file, then on the quarter file, then stats on the larger inputs); medians are reported. BENCH_RUNS=n sets the
 * runs per measurement (default 3).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportHeader, runBenchmark, writeReport } from './report-header.ts';
import { NOW_MS, type Composition, type DataSet } from './generate-metrics.ts';
import {
  BENCH_DIR,
  prepareDataSet,
  checkedRss,
  CLI,
  DATA_DIR,
  describeExit,
  fmt,
  median,
  mib,
  runChild,
  runCount,
  type Sample,
  summarize,
} from './child-run.ts';

const RESULTS = join(BENCH_DIR, 'STATS-RESULTS.md');
const TARGET_RATIO = 0.5;
/** A hand-written section of the report (a profile and its reading) that a new run keeps below its figures. */
const KEPT_SECTION = '## Profile';

type Tool = 'stats' | 'lint';
type Size = 'full' | 'quarter';
/** Files of the larger inputs, each a data set of its own seed: 2 and 4 files of ~100 MB. */
const LARGER_INPUTS = [2, 4];

const ARGS: Record<Tool, (...files: string[]) => string[]> = {
  stats: (...files) => [CLI, 'stats', '--interval', '1m', ...files],
  // As bench/lint-throughput.ts runs it.
  lint: (...files) => [CLI, 'lint', '--format', 'json', '--now', String(NOW_MS), ...files],
};
/** lint exits 1 for the generated mistakes; stats writes its figures and exits 0. */
const EXPECTED_EXIT: Record<Tool, number[]> = { stats: [0], lint: [0, 1] };

interface Measurement {
  tool: Tool;
  size: Size;
  file: string;
  composition: Composition;
  samples: Sample[];
}

/** stats on several files of ~100 MB (LARGER_INPUTS): its peak RSS as the input grows past one data set. */
interface LargerInput {
  files: string[];
  composition: Composition;
  samples: Sample[];
}

async function measure(tool: Tool, ...files: string[]): Promise<Sample> {
  const r = await runChild(ARGS[tool](...files), 'discard');
  if (!EXPECTED_EXIT[tool].includes(r.code ?? -1))
    throw new Error(`dtmetrics ${tool} ${describeExit(r)} on ${files.join(' ')}`);
  return { wallMs: r.wallMs, peakRssKb: checkedRss(r, `dtmetrics ${tool}`) };
}

/** The composition of several files read as one input: their counts summed. */
function combined(compositions: Composition[]): Composition {
  const sum = (pick: (c: Composition) => number): number => compositions.reduce((n, c) => n + pick(c), 0);
  const invalid = { ...(compositions[0] as Composition).invalid };
  for (const kind of Object.keys(invalid) as (keyof Composition['invalid'])[])
    invalid[kind] = sum((c) => c.invalid[kind]);
  return {
    bytes: sum((c) => c.bytes),
    lines: sum((c) => c.lines),
    dataLines: sum((c) => c.dataLines),
    metadataLines: sum((c) => c.metadataLines),
    commentLines: sum((c) => c.commentLines),
    blankLines: sum((c) => c.blankLines),
    invalid,
    invalidLines: sum((c) => c.invalidLines),
  };
}

interface StatsTotals {
  lines: number;
  dataLines: number;
  refusedLines: number;
  series: number;
  points: number;
}

/**
 * One untimed `stats --format json` of the small file: it must read every line and count every data line, the
 * refused ones apart. This proves the timed runs read the content they are meant to.
 */
async function sanityCheck(file: string, expected: Composition): Promise<StatsTotals> {
  const r = await runChild([...ARGS.stats(file).slice(0, -1), '--format', 'json', file], 'capture');
  if (r.code !== 0) throw new Error(`dtmetrics stats ${describeExit(r)} on ${file}`);
  const totals = (JSON.parse(r.stdout) as { totals: StatsTotals }).totals;
  if (totals.lines !== expected.lines || totals.dataLines + totals.refusedLines !== expected.dataLines)
    throw new Error(
      `stats read ${totals.lines} lines (${totals.dataLines} data + ${totals.refusedLines} refused) of ${file}; ` +
        `it has ${expected.lines} lines, ${expected.dataLines} of them data lines`,
    );
  return totals;
}

function renderResults(
  data: DataSet,
  measurements: Measurement[],
  larger: LargerInput[],
  totals: StatsTotals,
  runs: number,
  benchMs: number,
) {
  const find = (tool: Tool, size: Size): Measurement => {
    const m = measurements.find((x) => x.tool === tool && x.size === size);
    if (!m) throw new Error(`missing measurement ${tool}/${size}`);
    return m;
  };
  const rows = measurements.map((m) => {
    const s = summarize(m);
    const lint = summarize(find('lint', m.size));
    return (
      `| \`dtmetrics ${m.tool}\` | ${fmt(m.composition.bytes / 1e6, 1)} MB | ${fmt(s.wallMs / 1000, 2)} | ` +
      `${m.samples.map((x) => fmt(x.wallMs / 1000, 2)).join(', ')} | ${fmt(s.mbPerS, 1)} | ${fmt(mib(s.peakRssKb), 1)} | ` +
      `${m.tool === 'lint' ? '100 %' : `**${fmt((s.mbPerS / lint.mbPerS) * 100, 1)} %**`} |`
    );
  });
  // Each stats run against the lint run just after it: both ran in the same phase of a noisy machine.
  const lintRuns = find('lint', 'full').samples;
  const pairs = find('stats', 'full').samples.map((stats, i) => (lintRuns[i]?.wallMs ?? NaN) / stats.wallMs);
  const ratio = median(pairs);
  const statsFull = summarize(find('stats', 'full'));
  const statsQuarter = summarize(find('stats', 'quarter'));
  const lintFull = summarize(find('lint', 'full'));
  const verdict =
    ratio >= TARGET_RATIO
      ? 'meets the target'
      : `**below the target** (it would need ${fmt(lintFull.mbPerS * TARGET_RATIO, 1)} MB/s)`;
  const sizeMb = (c: Composition): string => `${fmt(c.bytes / 1e6, 0)} MB`;
  const memoryRows = [
    { input: `the ${sizeMb(data.quarter)} file`, ...summarize(find('stats', 'quarter')), composition: data.quarter },
    { input: `the ${sizeMb(data.full)} file`, ...summarize(find('stats', 'full')), composition: data.full },
    ...larger.map((l) => ({
      input: `${l.files.length} files of ~${sizeMb(data.full)} (seeds ${data.seed} to ${data.seed + l.files.length - 1})`,
      ...summarize(l),
      composition: l.composition,
    })),
  ].map(
    (r) =>
      `| ${r.input} | ${fmt(r.composition.bytes / 1e6, 1)} MB | ${fmt(r.wallMs / 1000, 2)} | ${fmt(r.mbPerS, 1)} | ${fmt(mib(r.peakRssKb), 1)} |`,
  );
  const largest = larger.at(-1);
  return [
    ...reportHeader('dtmetrics stats throughput', 'npm run build && node --import tsx bench/stats-throughput.ts'),
    '| Command | File | Wall time, median (s) | Runs (s) | MB/s | Peak RSS, median (MiB) | Speed vs lint |',
    '|---|--:|--:|--:|--:|--:|--:|',
    ...rows,
    '',
    `- **Stats speed: ${fmt(ratio * 100, 1)} % of lint's** on the ${sizeMb(data.full)} file (target: at least ${TARGET_RATIO * 100} %): ${verdict}. ` +
      `The median of the per-run ratios (${pairs.map((r) => fmt(r * 100, 1) + ' %').join(', ')}), each stats run against the lint run just after it; ` +
      `${fmt(statsFull.mbPerS, 1)} MB/s against ${fmt(lintFull.mbPerS, 1)} MB/s.`,
    `- **Peak RSS of stats: ${fmt(mib(statsQuarter.peakRssKb), 1)} MiB on the ${sizeMb(data.quarter)} file, ${fmt(mib(statsFull.peakRssKb), 1)} MiB on the ${sizeMb(data.full)} file` +
      (largest === undefined
        ? '**'
        : `, ${fmt(mib(summarize(largest).peakRssKb), 1)} MiB on ${sizeMb(largest.composition)}** (×${fmt(summarize(largest).peakRssKb / statsQuarter.peakRssKb, 2)} for ×${fmt(largest.composition.bytes / data.quarter.bytes, 1)} the input)`) +
      '; by input (medians):',
    '',
    '  | Input of `stats` | Size | Wall time (s) | MB/s | Peak RSS (MiB) |',
    '  |---|--:|--:|--:|--:|',
    ...memoryRows.map((row) => '  ' + row),
    '',
    `- Method: ${runs} runs of each, interleaved (stats, lint on the ${sizeMb(data.full)} file, then on the ${sizeMb(data.quarter)} file, then stats on the larger inputs), each in its own \`node\` child with stdout to /dev/null; ` +
      "wall time from spawn to exit as seen by the parent (Node start-up included); peak RSS is the child's own `process.resourceUsage().maxRSS`. " +
      `Commands: \`node dist/cli.js ${ARGS.stats('FILE').slice(1).join(' ')}\` and \`node dist/cli.js ${ARGS.lint('FILE').slice(1).join(' ')}\` (as bench/lint-throughput.ts). MB = 10^6 bytes.`,
    `- Data: the lint benchmark's (bench/README.md; seed ${data.seed}, generator v${data.generatorVersion}); the ${sizeMb(data.quarter)} file is a prefix of the ${sizeMb(data.full)} one. ` +
      `The larger inputs are that file and the ${sizeMb(data.full)} files of the next seeds, given to one \`stats\` run (one environment's lines): other series and dimension values in each.`,
    `- Sanity check (one untimed \`stats --format json\` of the ${sizeMb(data.quarter)} file): ${totals.lines.toLocaleString('en-US')} lines read, ` +
      `${totals.dataLines.toLocaleString('en-US')} data lines counted and ${totals.refusedLines.toLocaleString('en-US')} refused (the generator's line counts), ` +
      `${totals.series.toLocaleString('en-US')} series, ${totals.points.toLocaleString('en-US')} points.`,
    `- Whole bench: ${fmt(benchMs / 1000, 1)} s.`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const runs = runCount(3);
  const log = (text: string): void => void process.stderr.write(text + '\n');
  const data = prepareDataSet(log);
  const files: Record<Size, [string, Composition]> = {
    full: [join(DATA_DIR, data.full.file), data.full],
    quarter: [join(DATA_DIR, data.quarter.file), data.quarter],
  };
  const others = Array.from({ length: Math.max(...LARGER_INPUTS) - 1 }, (_, i) => prepareDataSet(log, i + 1).full);
  const larger: LargerInput[] = LARGER_INPUTS.map((count) => {
    const parts = [data.full, ...others.slice(0, count - 1)];
    return { files: parts.map((c) => join(DATA_DIR, c.file)), composition: combined(parts), samples: [] };
  });
  const totals = await sanityCheck(...files.quarter);
  // Untimed: warms the page cache for the full file.
  await measure('stats', files.full[0]);

  const measurements: Measurement[] = (['full', 'quarter'] as const).flatMap((size) =>
    (['stats', 'lint'] as const).map((tool) => ({
      tool,
      size,
      file: files[size][0],
      composition: files[size][1],
      samples: [],
    })),
  );
  for (let run = 1; run <= runs; run++) {
    const times: string[] = [];
    for (const m of measurements) {
      const sample = await measure(m.tool, m.file);
      m.samples.push(sample);
      times.push(`${m.tool} ${m.size} ${fmt(sample.wallMs / 1000, 2)} s`);
    }
    for (const l of larger) {
      const sample = await measure('stats', ...l.files);
      l.samples.push(sample);
      times.push(`stats ${l.files.length} files ${fmt(sample.wallMs / 1000, 2)} s`);
    }
    log(`Run ${run}/${runs}: ${times.join(', ')}`);
  }
  const previous = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const kept = previous.includes(`\n${KEPT_SECTION}`) ? previous.slice(previous.indexOf(`\n${KEPT_SECTION}`) + 1) : '';
  writeReport(RESULTS, renderResults(data, measurements, larger, totals, runs, performance.now() - started) + kept);
}

runBenchmark(main);
