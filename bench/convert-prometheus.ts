/**
 * Prometheus text → metric lines: the converter (core/convert/prometheus.ts) against `parse-prometheus-text-format`
 * merely parsing the same text, in the same run, on about 100 MB of node-exporter-like exposition (counters,
 * gauges, untyped, histograms, summaries, with labels), given in family-aligned pieces of about 1 MB to both. The
 * converter is given the previous scrape, so that its counters become deltas. Then its memory, each size in a child
 * process of its own: the heap while 10 MB and 100 MB are streamed through it, with the same previous scrape.
 *
 *   node --expose-gc --import tsx bench/convert-prometheus.ts
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { ConversionSink } from '#core/convert/model.ts';
import { createPrometheusConverter, readPreviousScrape, type PreviousScrape } from '#core/convert/prometheus.ts';
import { reportHeader, runBenchmark, writeReport } from './report-header.ts';
import { Rng } from './rng.ts';

const MB = 1e6;
const TOTAL_MB = 100;
const SMALL_MB = 10;
const PIECE = 1 << 20;
const RUNS = 3;
const RESULTS = join(resolve(import.meta.dirname, '..'), 'bench', 'CONVERT-RESULTS.md');
const COMMAND = 'node --expose-gc --import tsx bench/convert-prometheus.ts';

const parsePrometheusTextFormat = createRequire(import.meta.url)('parse-prometheus-text-format') as (
  text: string,
) => unknown[];

// ---------------------------------------------------------------------------------------------------------------
// The exposition: families after node-exporter's (and a service's histograms), repeated under numbered names

interface Template {
  name: string;
  type: 'counter' | 'gauge' | 'untyped' | 'histogram' | 'summary';
  labels: string[];
}

const TEMPLATES: Template[] = [
  { name: 'node_cpu_seconds_total', type: 'counter', labels: ['cpu', 'mode'] },
  { name: 'node_memory_MemAvailable_bytes', type: 'gauge', labels: [] },
  { name: 'node_filesystem_avail_bytes', type: 'gauge', labels: ['device', 'fstype', 'mountpoint'] },
  { name: 'node_network_receive_bytes_total', type: 'counter', labels: ['device'] },
  { name: 'node_disk_io_time_seconds_total', type: 'counter', labels: ['device'] },
  { name: 'node_hwmon_temp_celsius', type: 'gauge', labels: ['chip', 'sensor'] },
  { name: 'node_textfile_mtime_seconds', type: 'untyped', labels: ['file'] },
  { name: 'node_uname_info', type: 'gauge', labels: ['domainname', 'machine', 'nodename', 'release', 'sysname'] },
  { name: 'http_request_duration_seconds', type: 'histogram', labels: ['handler', 'method', 'code'] },
  { name: 'go_gc_duration_seconds', type: 'summary', labels: [] },
];
const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
const QUANTILES = ['0', '0.25', '0.5', '0.75', '1'];
const WORDS = ['sda', 'nvme0n1', 'eth0', 'lo', '/', '/var/lib/data', 'ext4', 'xfs', 'idle', 'user', 'system', 'iowait'];

/** One series' sample lines in the previous and the current scrape (counters grown, ~1 % restarted). */
function* seriesSamples(rng: Rng, t: Template, labels: string): Generator<[string, string]> {
  // A running total, restarted one time in a hundred; a `_sum` restarts only with its `_count` (the converter
  // would rightly skip a `_sum` that fell while its `_count` rose), so theirs do not.
  const total = (restarts = true) => {
    const before = rng.int(10_000_000) / 100;
    const now = restarts && rng.chance(0.01) ? rng.int(1000) / 100 : before + rng.int(100_000) / 100;
    return [String(before), String(now)] as const;
  };
  const withLabels = (extra: string) =>
    labels === '' && extra === '' ? '' : `{${labels}${labels && extra ? ',' : ''}${extra}}`;
  if (t.type === 'counter') {
    const [before, now] = total();
    yield [`${t.name}${withLabels('')} ${before}`, `${t.name}${withLabels('')} ${now}`];
  } else if (t.type === 'histogram') {
    let before = 0;
    let now = 0;
    for (const le of BUCKETS) {
      before += rng.int(50);
      now = Math.max(now, before) + rng.int(20);
      yield [
        `${t.name}_bucket${withLabels(`le="${le}"`)} ${before}`,
        `${t.name}_bucket${withLabels(`le="${le}"`)} ${now}`,
      ];
    }
    const [sumBefore, sumNow] = total(false);
    yield [`${t.name}_sum${withLabels('')} ${sumBefore}`, `${t.name}_sum${withLabels('')} ${sumNow}`];
    yield [`${t.name}_count${withLabels('')} ${before}`, `${t.name}_count${withLabels('')} ${now}`];
  } else if (t.type === 'summary') {
    for (const q of QUANTILES) {
      const line = `${t.name}${withLabels(`quantile="${q}"`)} ${(rng.next() / 100).toExponential(6)}`;
      yield [line, line];
    }
    const [sumBefore, sumNow] = total(false);
    yield [`${t.name}_sum${withLabels('')} ${sumBefore}`, `${t.name}_sum${withLabels('')} ${sumNow}`];
    yield [
      `${t.name}_count${withLabels('')} ${rng.int(1000)}`,
      `${t.name}_count${withLabels('')} ${rng.int(1000) + 1000}`,
    ];
  } else {
    const line = `${t.name}${withLabels('')} ${(rng.next() * 1e10).toExponential(9)}`;
    yield [line, line];
  }
}

/**
 * The previous and the current scrape, in family-aligned pieces of about 1 MiB, until the current one holds `mb`
 * megabytes. The same seed gives the same start: the 10 MB exposition is the 100 MB one's first tenth.
 */
function* expositions(mb: number): Generator<{ previous: string; current: string }> {
  const rng = new Rng(13);
  let previous = '';
  let current = '';
  let written = 0;
  for (let family = 0; written + current.length < mb * MB; family++) {
    const template = TEMPLATES[family % TEMPLATES.length] as Template;
    const t = { ...template, name: family < TEMPLATES.length ? template.name : `${template.name}_${family}` };
    const head = `# HELP ${t.name} A ${t.type} after node-exporter's ${template.name}.\n# TYPE ${t.name} ${t.type}\n`;
    previous += head;
    current += head;
    // Histograms are rare in node-exporter's own output; a service beside it has a few, of a dozen samples each.
    const series = t.labels.length === 0 ? 1 : t.type === 'histogram' ? rng.between(2, 20) : rng.between(20, 200);
    for (let s = 0; s < series; s++) {
      const labels = t.labels.map((l, i) => `${l}="${WORDS[(s + i * 7) % WORDS.length]}-${s}"`).join(',');
      for (const [before, now] of seriesSamples(rng, t, labels)) {
        previous += before + '\n';
        current += now + '\n';
      }
    }
    if (current.length >= PIECE) {
      written += current.length;
      yield { previous, current };
      previous = current = '';
    }
  }
  if (current !== '') yield { previous, current };
}

/** The lines of pieces of text, as a file streamed in chunks is split. */
function* linesOf(pieces: Iterable<string>): Generator<string> {
  for (const piece of pieces) {
    let at = 0;
    for (let nl = piece.indexOf('\n'); nl >= 0; nl = piece.indexOf('\n', at)) {
      yield piece.slice(at, nl);
      at = nl + 1;
    }
    if (at < piece.length) yield piece.slice(at);
  }
}

/** Converts pieces with a sink that only counts (as the CLI's writer would be handed them). */
function convertPieces(pieces: Iterable<string>, previous: PreviousScrape, afterPiece?: () => void) {
  let bytesOut = 0;
  let notes = 0;
  const sink: ConversionSink = {
    line: (text) => void (bytesOut += text.length + 1),
    note: () => void notes++,
    naming: () => undefined,
  };
  const converter = createPrometheusConverter(sink, { openMetrics: false, previous, histogramBuckets: true });
  let lineNumber = 0;
  for (const piece of pieces) {
    let at = 0;
    for (let nl = piece.indexOf('\n'); nl >= 0; nl = piece.indexOf('\n', at)) {
      converter.line(piece.slice(at, nl), ++lineNumber);
      at = nl + 1;
    }
    if (at < piece.length) converter.line(piece.slice(at), ++lineNumber);
    afterPiece?.();
  }
  converter.end();
  return { bytesOut, notes, tally: converter.tally };
}

// ---------------------------------------------------------------------------------------------------------------
// Memory: one size per child process

const gc = (globalThis as { gc?: () => void }).gc;
const heapMB = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / MB;
};

/** The heap while `mb` MB stream through the converter, with the previous scrape of the first 10 MB. */
function measureMemory(mb: number): void {
  if (!gc) throw new Error(`run with node --expose-gc: ${COMMAND}`);
  const previousPieces: string[] = [];
  for (const { previous } of expositions(SMALL_MB)) previousPieces.push(previous);
  const previous = readPreviousScrape(linesOf(previousPieces), false);
  previousPieces.length = 0;
  const base = heapMB();
  let peak = 0;
  let streamed = 0;
  let nextCheck = 0;
  const pieces = (function* () {
    for (const { current } of expositions(mb)) {
      streamed += current.length;
      yield current;
    }
  })();
  convertPieces(pieces, previous, () => {
    if (streamed < nextCheck) return;
    nextCheck += 5 * MB;
    peak = Math.max(peak, heapMB() - base);
  });
  const after = heapMB() - base;
  process.stdout.write(JSON.stringify({ mb: streamed / MB, base, peak, after, previous: previous.totals.size }));
}

// ---------------------------------------------------------------------------------------------------------------

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const size = process.argv.indexOf('--memory');
  if (size >= 0) return measureMemory(Number(process.argv[size + 1]));

  const current: string[] = [];
  const previousPieces: string[] = [];
  for (const piece of expositions(TOTAL_MB)) {
    current.push(piece.current);
    previousPieces.push(piece.previous);
  }
  const bytes = current.reduce((sum, p) => sum + Buffer.byteLength(p), 0);
  const samples = current.reduce(
    (sum, p) => sum + p.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
    0,
  );
  let started = performance.now();
  const previous = readPreviousScrape(linesOf(previousPieces), false);
  const previousMs = performance.now() - started;

  const parseMs: number[] = [];
  const convertMs: number[] = [];
  let result: ReturnType<typeof convertPieces> | null = null;
  for (let run = 0; run <= RUNS; run++) {
    started = performance.now();
    let families = 0;
    for (const piece of current) families += parsePrometheusTextFormat(piece).length;
    const parsed = performance.now() - started;
    started = performance.now();
    result = convertPieces(current, previous);
    const converted = performance.now() - started;
    // The first pair warms both up and is not counted.
    if (run > 0) {
      parseMs.push(parsed);
      convertMs.push(converted);
    }
    process.stdout.write(
      `run ${run}: parse ${parsed.toFixed(0)} ms (${families} families), convert ${converted.toFixed(0)} ms\n`,
    );
  }
  if (result === null) throw new Error('no run');
  const { tally } = result;
  if (tally.items !== samples || tally.items !== tally.converted + tally.skipped)
    throw new Error(`items not accounted for: ${JSON.stringify(tally)}, ${samples} samples written`);

  const memory = [SMALL_MB, TOTAL_MB].map((mb) => {
    const out = execFileSync(process.execPath, [...process.execArgv, import.meta.filename, '--memory', String(mb)], {
      encoding: 'utf8',
    });
    return JSON.parse(out) as { mb: number; base: number; peak: number; after: number; previous: number };
  });

  const parseRate = bytes / MB / (median(parseMs) / 1000);
  const convertRate = bytes / MB / (median(convertMs) / 1000);
  const ratios = parseMs.map((p, i) => `${((p / (convertMs[i] as number)) * 100).toFixed(0)} %`);
  const markdown = [
    ...reportHeader('Prometheus text → metric lines', COMMAND),
    `${fmt(bytes / MB)} MB of node-exporter-like exposition (${samples.toLocaleString('en-US')} samples in ${TEMPLATES.length} kinds of family — counters, gauges, untyped, histograms with 12 buckets, summaries — each under many numbered names, 20–200 series per family (histograms 2–20), labels after node-exporter's), given to both in family-aligned pieces of about 1 MiB already in memory. The converter is given the previous scrape (${previous.totals.size.toLocaleString('en-US')} running totals, read in ${previousMs.toFixed(0)} ms), so that counters and the \`_count\`/\`_sum\` of histograms and summaries become deltas, and histogram buckets are asked for (\`histogramBuckets\`), so that every sample is converted. Median of ${RUNS} alternating pairs after one untimed pair.`,
    '',
    '| | Time (ms) | MB/s |',
    '|---|--:|--:|',
    `| \`parse-prometheus-text-format\` 1.1.1, parsing only | ${median(parseMs).toFixed(0)} | ${fmt(parseRate)} |`,
    `| \`createPrometheusConverter\`: parse, map, name, write lines | ${median(convertMs).toFixed(0)} | ${fmt(convertRate)} |`,
    '',
    `**Converter ÷ parser: ${((convertRate / parseRate) * 100).toFixed(0)} %** of the parser's throughput (target > 100 %: **${convertRate > parseRate ? 'met' : 'not met'}**); per pair: ${ratios.join(', ')}. Out: ${fmt(result.bytesOut / MB)} MB of lines, ${tally.converted.toLocaleString('en-US')} samples converted, ${tally.skipped.toLocaleString('en-US')} skipped in ${result.notes.toLocaleString('en-US')} notes.`,
    '',
    `Parse runs (ms): ${parseMs.map((m) => m.toFixed(0)).join(', ')}. Convert runs (ms): ${convertMs.map((m) => m.toFixed(0)).join(', ')}.`,
    '',
    `Memory (\`--expose-gc\`, a child process per size): the exposition generated and streamed through the converter piece by piece, with the previous scrape of the first ${SMALL_MB} MB (${(memory[0]?.previous ?? 0).toLocaleString('en-US')} running totals, ${fmt(memory[0]?.base ?? 0)} MB of heap with it) in both runs. Heap above that, after GC, every 5 MB and at the end:`,
    '',
    '| Streamed | Peak heap while converting (MB) | Heap after (MB) |',
    '|--:|--:|--:|',
    ...memory.map((m) => `| ${fmt(m.mb)} MB | ${fmt(m.peak)} | ${fmt(m.after)} |`),
    '',
    `What the converter holds is the current family's notes and names and the previous scrape, so ten times the input leaves the heap where it was. (Of the 100 MB run, the families after the first ${SMALL_MB} MB have no previous totals: their running totals are skipped, one note per family.)`,
    '',
  ].join('\n');
  writeReport(RESULTS, markdown);
}

runBenchmark(main);
