/**
 * The cost and cardinality analysis of one document, for an editor: the analysis (analysis.ts) and where each
 * metric and each of its dimension keys first appear, so that figures stand over a metric's first line (CodeLens),
 * on a dimension key (hover) and a volatile dimension is reported once, at its first use (MK015). Walked in steps,
 * so that a language server can answer other messages meanwhile.
 */
import { storedKeyOf } from '../keys.ts';
import { parseLine, type DataLine } from '../parse.ts';
import type { Diagnostic } from '../problems.ts';
import { ruleSeverity } from '../problems.ts';
import type { RuleCode, SeveritySetting } from '../rules.ts';
import { CARRIAGE_RETURN, LINE_FEED, LineBreakFinder, splitLines, utf8BomLength } from '../text.ts';
import { StatsAnalyzer, type LineReading, type MetricStats, type StatsOptions, type StatsReport } from './analysis.ts';
import { volatileProblem } from './findings.ts';

/** Where a dimension key of a metric is first written, and on how many of the metric's lines. */
export interface DimensionPlace {
  line: number;
  start: number;
  end: number;
  lines: number;
  /** Its first distinct values, at most SAMPLE_VALUES, as the tenant reads them (quotes and escapes resolved). */
  sample: string[];
}

const SAMPLE_VALUES = 5;

export interface DocumentStats {
  report: StatsReport;
  /** Stored key → its metric's figures. */
  metrics: Map<string, MetricStats>;
  /** Stored key → the first line that counts for it. */
  firstLines: Map<string, number>;
  /** Stored key → dimension key → its first place and its lines. */
  dimensions: Map<string, Map<string, DimensionPlace>>;
  /** Each line's text → what it says, for the next analysis of the document (lines an edit leaves alone). */
  readings: Map<string, DocumentLine>;
}

/** What a line says to the analysis and where its dimension keys are. */
interface DocumentLine {
  reading: LineReading;
  /** The line's dimensions as written (a counted line's): key, its offsets, the value as the tenant reads it. */
  dimensions: Array<{ key: string; start: number; end: number; value: string }>;
}

/** Lines between two steps: a step of a few milliseconds. */
const STEP_LINES = 1000;

/**
 * The analysis of the document's lines, `lineAt(0)` to `lineAt(lineCount - 1)`, a step every STEP_LINES lines.
 * `previous`: an analysis of an earlier version, whose lines' readings are kept (only new lines are parsed).
 */
export function* documentStats(
  lineAt: (line: number) => string,
  lineCount: number,
  options: StatsOptions,
  previous?: DocumentStats,
): Generator<void, DocumentStats> {
  const analyzer = new StatsAnalyzer();
  const firstLines = new Map<string, number>();
  const dimensions = new Map<string, Map<string, DimensionPlace>>();
  const readings = new Map<string, DocumentLine>();
  for (let line = 0; line < lineCount; line++) {
    if (line % STEP_LINES === STEP_LINES - 1) yield;
    const text = lineAt(line);
    let read = readings.get(text) ?? previous?.readings.get(text);
    if (read === undefined) read = readLine(analyzer, text);
    readings.set(text, read);
    const key = analyzer.addReading(read.reading);
    if (key === null) continue;
    if (!firstLines.has(key)) firstLines.set(key, line);
    let places = dimensions.get(key);
    if (places === undefined) dimensions.set(key, (places = new Map()));
    for (const dim of read.dimensions) {
      let place = places.get(dim.key);
      if (place === undefined) {
        place = { line, start: dim.start, end: dim.end, lines: 0, sample: [] };
        places.set(dim.key, place);
      }
      place.lines++;
      if (place.sample.length < SAMPLE_VALUES && dim.value !== '' && !place.sample.includes(dim.value))
        place.sample.push(dim.value);
    }
  }
  const report = analyzer.report(options);
  return { report, metrics: new Map(report.metrics.map((m) => [m.key, m])), firstLines, dimensions, readings };
}

/** What the line `text` says to the analysis, and where its dimension keys are. */
function readLine(analyzer: StatsAnalyzer, text: string): DocumentLine {
  const parsed = parseLine(text);
  const reading = analyzer.read(parsed);
  const dimensions =
    reading.kind === 'counted'
      ? (parsed as DataLine).dimensions.map((d) => ({
          key: d.key.text,
          start: d.key.start,
          end: d.key.end,
          value: d.text,
        }))
      : [];
  return { reading, dimensions };
}

/**
 * The analysis of several sources read in turn as one environment's lines, as `dtmetrics stats` reads several files
 * (a metric in two files is one metric, its series their union): each source read in steps, as the caller reaches
 * it, and where each metric is first counted (the source's number in reading order, the line).
 */
export class SourcesStats {
  private readonly analyzer = new StatsAnalyzer();
  readonly firstPlaces = new Map<string, { source: number; line: number }>();
  private sources = 0;

  /** Reads the next source, a step every STEP_LINES lines. */
  *read(lineAt: (line: number) => string, lineCount: number): Generator<void, void> {
    const source = this.sources++;
    for (let line = 0; line < lineCount; line++) {
      if (line % STEP_LINES === STEP_LINES - 1) yield;
      const key = this.analyzer.addParsed(parseLine(lineAt(line)));
      if (key !== null && !this.firstPlaces.has(key)) this.firstPlaces.set(key, { source, line });
    }
  }

  /**
   * Reads the next source from its bytes, as `dtmetrics stats` reads a file (cli/read-lines.ts): a UTF-8 byte order
   * mark dropped, lines ended by the editor's rule (text.ts), none after a final line break; clean lines counted by
   * their bytes (the fast path), the others decoded as an editor decodes them (bytes that are not UTF-8 as U+FFFD)
   * and parsed. The same figures and first places as `read` of the decoded text's lines; a step every STEP_LINES lines.
   */
  *readBytes(bytes: Uint8Array): Generator<void, void> {
    const source = this.sources++;
    const analyzer = this.analyzer;
    // A U+FEFF past the start is a character of its line: only the file's own mark is dropped (below).
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    // Breaks are searched in `bytes` (a Buffer's indexOf is memchr); the fast path's byte loops see one array type.
    const breaks = new LineBreakFinder(CARRIAGE_RETURN, LINE_FEED, bytes);
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let start: number = utf8BomLength(view);
    for (let line = 0; start < view.length; line++) {
      if (line % STEP_LINES === STEP_LINES - 1) yield;
      const at = breaks.next(start);
      const end = at < 0 ? view.length : at;
      let key = analyzer.addCleanBytes(view, start, end);
      if (key === false) {
        const lineBytes = view.subarray(start, end);
        key = analyzer.addLine(decoder.decode(lineBytes), lineBytes);
      }
      if (key !== null && !this.firstPlaces.has(key)) this.firstPlaces.set(key, { source, line });
      start = at < 0 ? end : at + (view[at] === CARRIAGE_RETURN && view[at + 1] === LINE_FEED ? 2 : 1);
    }
  }

  report(options: StatsOptions): StatsReport {
    return this.analyzer.report(options);
  }
}

/** MK015 once per metric and volatile dimension, at the dimension's first use, in line order; none when off. */
export function volatileDimensionFindings(
  stats: DocumentStats,
  severities: Partial<Record<RuleCode, SeveritySetting>>,
): Diagnostic[] {
  const setting = severities.MK015;
  if (setting === 'off') return [];
  const found: Diagnostic[] = [];
  for (const m of stats.report.metrics) {
    for (const d of m.dimensions) {
      const place = stats.dimensions.get(m.key)?.get(d.key);
      const p = place && volatileProblem(m, d, place.start, place.end);
      if (!place || !p) continue;
      found.push({
        line: place.line,
        startChar: p.start,
        endChar: p.end,
        severity: setting ?? ruleSeverity(p),
        code: p.code,
        message: p.message,
      });
    }
  }
  return found.sort((a, b) => a.line - b.line || a.startChar - b.startChar);
}

/** MK015 over a whole text in memory (the rule fixtures), at one send a minute for lines without a timestamp. */
export function volatileDimensionsOfText(
  text: string,
  severities: Partial<Record<RuleCode, SeveritySetting>> = {},
): Diagnostic[] {
  const lines = [...splitLines(text)];
  const steps = documentStats((i) => lines[i] as string, lines.length, { intervalMs: 60_000, pricePerPoint: null });
  for (;;) {
    const step = steps.next();
    if (step.done) return volatileDimensionFindings(step.value, severities);
  }
}

/**
 * The edits that drop dimension `dimension` from every line of metric `key` (stored key): each `,dim=value` cut out.
 * Always well-formed (a line keeps its key and its other dimensions); the metric's series merge.
 */
export function dropDimensionEdits(
  lineAt: (line: number) => string,
  lineCount: number,
  key: string,
  dimension: string,
): Array<{ line: number; start: number; end: number }> {
  const edits: Array<{ line: number; start: number; end: number }> = [];
  for (let line = 0; line < lineCount; line++) {
    const parsed = parseLine(lineAt(line));
    if (parsed.kind !== 'data' || storedKeyOf(parsed) !== key) continue;
    for (const dim of parsed.dimensions) {
      // From the comma before the pair to the end of its value.
      if (dim.key.text === dimension) edits.push({ line, start: dim.key.start - 1, end: dim.value.end });
    }
  }
  return edits;
}
