/**
 * A run of foreign lines in a metric-line document: the adjacent lines that share one root cause of another
 * format (LN007 JSON, LN010 Prometheus, LN011 StatsD: root-causes.ts), converted as one input. A Prometheus family
 * is its `# HELP`/`# TYPE` lines and its samples together (a counter is a counter only by its `# TYPE`), a JSON
 * document spread over lines is one value, so the language server's quick fix converts the run, not a line.
 */
import { findRootCause } from '../root-causes.ts';
import { LIMITS } from '../rules.ts';
import { convertToText, sniffFormat, type ConvertedText } from './index.ts';
import { FORMAT_NAMES, type SourceFormat } from './model.ts';

/** The root causes a run is made of, and the formats each may be read as (the first when sniffing cannot tell). */
const RUN_FORMATS = {
  LN007: ['json', 'otlp'],
  LN010: ['prometheus', 'openmetrics'],
  LN011: ['statsd'],
} as const satisfies Record<string, readonly SourceFormat[]>;
export type RunCode = keyof typeof RUN_FORMATS;

export const isRunCode = (code: unknown): code is RunCode =>
  typeof code === 'string' && Object.hasOwn(RUN_FORMATS, code);

/**
 * The most lines a run may have: the quick fix is computed whenever the editor asks for code actions on such a
 * line (at each move of the cursor there), so a longer run gets no fix and Convert to Metric Lines does it instead.
 */
export const MAX_RUN_LINES = 5000;

/**
 * A Prometheus sample without labels (`up 1`, `process_open_fds 12 1700000000000`) is a metric line the rules
 * accept, so it has no root cause of its own; next to the family's other lines it belongs to the run.
 */
const BARE_PROMETHEUS_SAMPLE = /^[A-Za-z_][A-Za-z0-9_]*[ \t]+\S+(?:[ \t]+-?\d+)?$/;

export interface ForeignRun {
  /** The first and last line of the run, 0-based, inclusive. */
  start: number;
  end: number;
  format: SourceFormat;
  converted: ConvertedText;
  /** The quick fix's title: "Convert these 7 Prometheus lines to metric lines". */
  title: string;
}

/**
 * The run of lines around `line` (which has root cause `code`), converted; null when the run is longer than
 * MAX_RUN_LINES or holds no item to convert (`# HELP` lines alone). Never throws.
 */
export function foreignRun(
  lineAt: (line: number) => string,
  lineCount: number,
  line: number,
  code: RunCode,
): ForeignRun | null {
  const belongs = (text: string) =>
    findRootCause(text, LIMITS)?.problem.code === code ||
    (code === 'LN010' && BARE_PROMETHEUS_SAMPLE.test(text.trim()));
  if (line < 0 || line >= lineCount || !belongs(lineAt(line))) return null;
  let start = line;
  let end = line;
  while (start > 0 && belongs(lineAt(start - 1))) if (end - --start >= MAX_RUN_LINES) return null;
  while (end + 1 < lineCount && belongs(lineAt(end + 1))) if (++end - start >= MAX_RUN_LINES) return null;
  const lines: string[] = [];
  for (let i = start; i <= end; i++) lines.push(lineAt(i));
  const text = lines.join('\n');
  const formats: readonly SourceFormat[] = RUN_FORMATS[code];
  const sniffed = sniffFormat(text, false)?.format;
  const format = sniffed !== undefined && formats.includes(sniffed) ? sniffed : (formats[0] as SourceFormat);
  const converted = convertToText(text, format);
  if (converted.tally.items === 0) return null;
  const count = end - start + 1;
  const what = `${FORMAT_NAMES[format]} line${count === 1 ? '' : 's'}`;
  const title = `Convert ${count === 1 ? `this ${what}` : `these ${count} ${what}`} to metric lines`;
  return { start, end, format, converted, title };
}
