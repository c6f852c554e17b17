/**
 * `npm run bench`: how fast `dtmetrics lint` streams a ~100 MB file of realistic metric lines, compared with the
 * least work any linter must do on it (a bare stream-decode-and-scan in Node), and whether its memory stays flat
 * when the file grows. See bench/README.md. Writes the table to bench/RESULTS.md.
 *
 * Every measurement runs in a child process started with `node --require bench/peak-rss.cjs`, which reports the
 * child's own peak RSS on exit. Runs alternate (bare, lint, bare, lint, …) over both file sizes; medians are reported.
 * Environment: BENCH_RUNS=n changes the number of runs per measurement (default 5, at least 3).
 */
import { writeFileSync } from 'node:fs';
import { reportHeader } from './report-header.ts';
import { join, relative } from 'node:path';
import { LIMITS } from '#core/rules.ts';
import { INVALID_KINDS, NOW_MS, type Composition, type DataSet, type InvalidKind } from './generate-metrics.ts';
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
  ROOT,
  runChild,
  runCount,
  type Sample,
  summarize,
} from './child-run.ts';

const BARE_SCAN = join(BENCH_DIR, 'bare-scan.mjs');
const RESULTS = join(BENCH_DIR, 'RESULTS.md');

const TARGET_RATIO = 0.5;
/** The one error each kind of generated mistake must produce (plus TS002, a warning, for seconds). */
const EXPECTED_ERROR: Record<InvalidKind, string> = {
  upperCaseDimensionKey: 'DK001',
  unescapedSpace: 'DV002',
  countWithoutDelta: 'PL002',
  inconsistentSummary: 'PL008',
  timestampInSeconds: 'TS003',
};

type Tool = 'bare' | 'lint';

interface Measurement {
  tool: Tool;
  size: 'full' | 'quarter';
  file: string;
  composition: Composition;
  samples: Sample[];
}

async function bareScan(file: string, expectedLines: number): Promise<Sample> {
  const r = await runChild([BARE_SCAN, file], 'capture');
  if (r.code !== 0) throw new Error(`bare scan of ${file} ${describeExit(r)}`);
  const counted = JSON.parse(r.stdout) as { lines: number; chars: number };
  if (counted.lines !== expectedLines)
    throw new Error(`bare scan counted ${counted.lines} line feeds in ${file}, expected ${expectedLines}`);
  return { wallMs: r.wallMs, peakRssKb: checkedRss(r, 'bare scan') };
}

const lintArgs = (file: string): string[] => [CLI, 'lint', '--format', 'json', '--now', String(NOW_MS), file];

async function lint(file: string): Promise<Sample> {
  const r = await runChild(lintArgs(file), 'discard');
  if (r.code !== 0 && r.code !== 1) throw new Error(`dtmetrics lint ${describeExit(r)} (expected 0 or 1) on ${file}`);
  return { wallMs: r.wallMs, peakRssKb: checkedRss(r, 'dtmetrics lint') };
}

// ------------------------------------------------------------------ sanity check

interface JsonReport {
  file: string;
  diagnostics: Array<{ line: number; severity: string; code: string }>;
}

interface Sanity {
  exitCode: number | null;
  byCode: Map<string, number>;
  errorLines: number;
  mismatches: string[];
}

/**
 * One untimed lint of the small file with its JSON read back: every generated mistake must give its one error,
 * and the valid lines none. This proves the timed runs lint the content they are meant to.
 */
async function sanityCheck(file: string, expected: Composition): Promise<Sanity> {
  const r = await runChild(lintArgs(file), 'capture');
  if (r.code !== 0 && r.code !== 1) throw new Error(`dtmetrics lint ${describeExit(r)} (expected 0 or 1) on ${file}`);
  const reports = JSON.parse(r.stdout) as JsonReport[];
  const byCode = new Map<string, number>();
  const errorLines = new Set<number>();
  for (const report of reports) {
    for (const d of report.diagnostics) {
      const key = `${d.code} (${d.severity})`;
      byCode.set(key, (byCode.get(key) ?? 0) + 1);
      if (d.severity === 'error') errorLines.add(d.line);
    }
  }
  const mismatches: string[] = [];
  let expectedErrors = 0;
  for (const kind of INVALID_KINDS) {
    const code = EXPECTED_ERROR[kind];
    const got = byCode.get(`${code} (error)`) ?? 0;
    expectedErrors += expected.invalid[kind];
    if (got !== expected.invalid[kind])
      mismatches.push(`${kind}: ${expected.invalid[kind]} generated, ${got} ${code} errors reported`);
  }
  let totalErrors = 0;
  for (const [key, n] of byCode) if (key.endsWith('(error)')) totalErrors += n;
  if (totalErrors !== expectedErrors)
    mismatches.push(`${totalErrors} errors reported for ${expectedErrors} generated mistakes`);
  if (errorLines.size !== expected.invalidLines)
    mismatches.push(`${errorLines.size} lines with errors, ${expected.invalidLines} lines generated invalid`);
  if (r.code !== (expectedErrors > 0 ? 1 : 0)) mismatches.push(`exit code ${r.code}`);
  return { exitCode: r.code, byCode, errorLines: errorLines.size, mismatches };
}

// ------------------------------------------------------------------ reporting

function renderResults(
  data: DataSet,
  measurements: Measurement[],
  sanity: Sanity,
  runs: number,
  benchMs: number,
): string {
  const find = (tool: Tool, size: 'full' | 'quarter'): Measurement => {
    const m = measurements.find((x) => x.tool === tool && x.size === size);
    if (!m) throw new Error(`missing measurement ${tool}/${size}`);
    return m;
  };
  const rows: string[] = [];
  for (const size of ['full', 'quarter'] as const) {
    const bare = summarize(find('bare', size));
    for (const tool of ['bare', 'lint'] as const) {
      const m = find(tool, size);
      const s = summarize(m);
      const name = tool === 'bare' ? 'bare Node scan (baseline)' : '`dtmetrics lint --format json`';
      rows.push(
        `| ${name} | ${fmt(m.composition.bytes / 1e6, 1)} MB | ${m.composition.lines.toLocaleString('en-US')} | ${fmt(s.wallMs / 1000, 2)} | ` +
          `${m.samples.map((x) => fmt(x.wallMs / 1000, 2)).join(', ')} | ${fmt(s.mbPerS, 1)} | ${fmt(s.linesPerS, 0)} | ${fmt(mib(s.peakRssKb), 1)} | ` +
          `${tool === 'bare' ? '100 %' : `**${fmt((s.mbPerS / bare.mbPerS) * 100, 1)} %**`} |`,
      );
    }
  }
  const lintFull = summarize(find('lint', 'full'));
  const lintQuarter = summarize(find('lint', 'quarter'));
  const bareFull = summarize(find('bare', 'full'));
  const ratioOfMedians = lintFull.mbPerS / bareFull.mbPerS;
  // Each lint run against the bare run just before it: both ran in the same phase of a noisy machine.
  const bareRuns = find('bare', 'full').samples;
  const pairs = find('lint', 'full').samples.map((lint, i) => (bareRuns[i]?.wallMs ?? NaN) / lint.wallMs);
  const ratio = median(pairs);
  const verdict =
    ratio >= TARGET_RATIO
      ? 'meets the target'
      : `**below the target** (it would need ${fmt(bareFull.mbPerS * TARGET_RATIO, 1)} MB/s)`;
  const growth = lintFull.peakRssKb / lintQuarter.peakRssKb;
  const full = data.full;
  const codes = [...sanity.byCode.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`);
  const invalid = INVALID_KINDS.map((k) => `${k} ${full.invalid[k].toLocaleString('en-US')}`).join(', ');
  const sanityLine =
    sanity.mismatches.length === 0
      ? `passed: every generated mistake gave its one error and no valid line gave one (${sanity.errorLines.toLocaleString('en-US')} error lines; exit code ${sanity.exitCode}).`
      : `**FAILED**: ${sanity.mismatches.join('; ')}.`;
  return [
    ...reportHeader('dtmetrics lint throughput', 'npm run bench'),
    '| Measurement | File | Lines | Wall time, median (s) | Runs (s) | MB/s | Lines/s | Peak RSS, median (MiB) | Speed vs bare scan |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows,
    '',
    `- **Lint speed: ${fmt(ratio * 100, 1)} % of the bare scan** on the ${fmt(full.bytes / 1e6, 0)} MB file (target: at least ${TARGET_RATIO * 100} %): ${verdict}. ` +
      `This is the median of the per-run ratios (${pairs.map((r) => fmt(r * 100, 1) + ' %').join(', ')}), each lint run against the bare run just before it; ` +
      `the ratio of the medians in the table is ${fmt(ratioOfMedians * 100, 1)} %.`,
    `- **Peak RSS of lint: ${fmt(mib(lintQuarter.peakRssKb), 1)} MiB on the ${fmt(data.quarter.bytes / 1e6, 0)} MB file, ${fmt(mib(lintFull.peakRssKb), 1)} MiB on the ${fmt(full.bytes / 1e6, 0)} MB file** (×${fmt(growth, 2)} for ×${fmt(full.bytes / data.quarter.bytes, 1)} the input).`,
    `- Method: ${runs} runs of each measurement, interleaved (bare, lint; ${fmt(full.bytes / 1e6, 0)} MB then ${fmt(data.quarter.bytes / 1e6, 0)} MB), each in its own \`node\` child; ` +
      "wall time from spawn to exit as seen by the parent (Node start-up included); peak RSS is the child's own `process.resourceUsage().maxRSS`. " +
      `Lint runs: \`node dist/cli.js lint --format json --now ${NOW_MS} FILE\` with stdout to /dev/null. MB = 10^6 bytes.`,
    `- Data (seed ${data.seed}, generator v${data.generatorVersion}, ${data.reused ? 'reused' : `generated in ${fmt(data.generatedInMs / 1000, 1)} s`}): ` +
      `${full.lines.toLocaleString('en-US')} lines = ${full.dataLines.toLocaleString('en-US')} data, ${full.metadataLines} metadata, ` +
      `${full.commentLines.toLocaleString('en-US')} comments, ${full.blankLines.toLocaleString('en-US')} blank; ${data.metricKeys} metric keys, ` +
      `${data.series.toLocaleString('en-US')} dimension tuples (${data.keysOverBudget.length} keys over the linter's cardinality budget of ${LIMITS.cardinalityBudget.toLocaleString('en-US')}); ` +
      `${full.invalidLines.toLocaleString('en-US')} invalid lines (${fmt((full.invalidLines / full.dataLines) * 100, 2)} %): ${invalid}. ` +
      `The ${fmt(data.quarter.bytes / 1e6, 0)} MB file is a prefix of the ${fmt(full.bytes / 1e6, 0)} MB one.`,
    `- Sanity check (one untimed lint of the ${fmt(data.quarter.bytes / 1e6, 0)} MB file, JSON read back) ${sanityLine} Findings: ${codes.join(', ')}.`,
    `- Whole bench: ${fmt(benchMs / 1000, 1)} s.`,
    '',
  ].join('\n');
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const started = performance.now();
  const runs = runCount(5);
  const log = (text: string): void => void process.stderr.write(text + '\n');
  const data = prepareDataSet(log);
  const fullFile = join(DATA_DIR, data.full.file);
  const quarterFile = join(DATA_DIR, data.quarter.file);
  log(
    data.reused
      ? `  reused ${data.full.file} and ${data.quarter.file}`
      : `  generated in ${fmt(data.generatedInMs / 1000, 1)} s`,
  );

  // Untimed: warms the page cache and checks the line counts, then checks what the linter finds.
  await bareScan(fullFile, data.full.lines);
  log('Sanity check: linting the small file once and reading its JSON…');
  const sanity = await sanityCheck(quarterFile, data.quarter);
  if (sanity.mismatches.length > 0) log(`  WARNING: ${sanity.mismatches.join('; ')}`);

  const measurements: Measurement[] = [
    { tool: 'bare', size: 'full', file: fullFile, composition: data.full, samples: [] },
    { tool: 'lint', size: 'full', file: fullFile, composition: data.full, samples: [] },
    { tool: 'bare', size: 'quarter', file: quarterFile, composition: data.quarter, samples: [] },
    { tool: 'lint', size: 'quarter', file: quarterFile, composition: data.quarter, samples: [] },
  ];
  for (let run = 1; run <= runs; run++) {
    const times: string[] = [];
    for (const m of measurements) {
      const sample = m.tool === 'bare' ? await bareScan(m.file, m.composition.lines) : await lint(m.file);
      m.samples.push(sample);
      times.push(`${m.tool} ${m.size} ${fmt(sample.wallMs / 1000, 2)} s`);
    }
    log(`Run ${run}/${runs}: ${times.join(', ')}`);
  }

  const results = renderResults(data, measurements, sanity, runs, performance.now() - started);
  writeFileSync(RESULTS, results);
  process.stdout.write('\n' + results);
  log(`Wrote ${relative(ROOT, RESULTS)}.`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
