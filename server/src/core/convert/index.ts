/**
 * Converting: which converter reads a format, what format an input is in (sniffFormat), and the check every
 * written line passes (CheckedSink: "each converted line lints clean, or the converter says why not"). The edges
 * (`dtmetrics convert`, the editor's Convert command and quick fix) read and write; this decides.
 */
import { FileLinter, type LintOptions } from '../lint.ts';
import { splitLines } from '../text.ts';
import { createJsonConverter } from './json.ts';
import { createStatsdConverter } from './statsd.ts';
import { createPrometheusConverter, readPreviousScrape } from './prometheus.ts';
import { convertOtlpProtobuf, createOtlpJsonConverter } from './otlp.ts';
import { FORMAT_NAMES } from './model.ts';
import type {
  ConversionNote,
  ConversionSink,
  ConversionTally,
  LineConverter,
  NamingPreview,
  SourceFormat,
} from './model.ts';

/** What a converter is given besides its input. */
export interface ConvertOptions {
  /** Prometheus/OpenMetrics: the previous scrape's lines, so that counters become increases. */
  previous?: Iterable<string> | null;
  /** Prometheus/OpenMetrics: histogram buckets too (`_bucket` by `le`), as Extensions' `collectHistogramBuckets`. */
  histogramBuckets?: boolean;
  /** OTLP: the resource and scope attributes kept as dimensions (Classic's allow-list); all when not given (Grail). */
  resourceAttributes?: readonly string[];
}

/** The converter of a line-based format (OTLP protobuf is read whole: otlp.ts convertOtlpProtobuf). */
export function createConverter(
  format: SourceFormat,
  sink: ConversionSink,
  options: ConvertOptions = {},
): LineConverter {
  switch (format) {
    case 'prometheus':
    case 'openmetrics': {
      const openMetrics = format === 'openmetrics';
      const previous = options.previous ? readPreviousScrape(options.previous, openMetrics) : null;
      return createPrometheusConverter(sink, { openMetrics, previous, histogramBuckets: options.histogramBuckets });
    }
    case 'statsd':
      return createStatsdConverter(sink);
    case 'otlp':
      return createOtlpJsonConverter(sink, { resourceAttributes: options.resourceAttributes });
    case 'json':
      return createJsonConverter(sink);
  }
}

/** Binary input that is text packed otherwise, not an OTLP request: what it is, and what to do (the edges say it). */
export function packedText(head: Uint8Array): { what: string; todo: string } | null {
  if (head[0] === 0x1f && head[1] === 0x8b) return { what: 'gzip-compressed', todo: 'decompress it first' };
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
    return { what: 'UTF-16 (it starts with a byte order mark)', todo: 'save it as UTF-8' };
  return null;
}

/** How much of an input sniffFormat is given (the CLI's and the editor's --from auto). */
export const SNIFF_BYTES = 65_536;

/** The format an input's first bytes are in, and why it was chosen; null when they say nothing certain. */
export interface Sniffed {
  format: SourceFormat;
  /** How it was told, for "read as prometheus (a `# TYPE` line)". */
  reason: string;
}

const STATSD_DATAGRAM = /^[^\s:|#][^\s:|]*:[^|\s]+\|(?:c|g|ms|h|s|d)(?:\||$)/;
const PROMETHEUS_SAMPLE = /^[A-Za-z_:][A-Za-z0-9_:]*(?:\{.*\})?[ \t]+\S+([ \t]+\S+)?$/;
const OPENMETRICS_ONLY = /^# (?:UNIT|EOF)\b|^# TYPE \S+ (?:info|stateset|gaugehistogram)\b/;

/**
 * The format of an input from its first characters (up to SNIFF_BYTES of decoded text; `binary` when its bytes are
 * not text). Protobuf is the one binary format converted; JSON with `resourceMetrics` is OTLP's JSON mapping.
 */
export function sniffFormat(head: string, binary: boolean): Sniffed | null {
  if (binary) return { format: 'otlp', reason: 'binary: an OTLP protobuf request' };
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('{') || text.startsWith('[')) {
    return /"resource_?[mM]etrics"\s*:/.test(text)
      ? { format: 'otlp', reason: 'JSON with `resourceMetrics`: an OTLP request' }
      : { format: 'json', reason: `it starts with \`${text.charAt(0)}\`` };
  }
  const lines = text.split(/\r?\n/).slice(0, 200);
  if (lines.some((l) => OPENMETRICS_ONLY.test(l)))
    return { format: 'openmetrics', reason: 'a `# UNIT`, `# EOF` or OpenMetrics-only type' };
  if (lines.some((l) => /^# (?:TYPE|HELP) /.test(l)))
    return { format: 'prometheus', reason: 'a `# TYPE` or `# HELP` line' };
  if (lines.some((l) => STATSD_DATAGRAM.test(l) || l.startsWith('_e{') || l.startsWith('_sc|')))
    return { format: 'statsd', reason: 'a `name:value|type` datagram' };
  if (lines.some((l) => l.includes('{') && PROMETHEUS_SAMPLE.test(l)))
    return { format: 'prometheus', reason: 'a `name{label="value"} value` sample' };
  return null;
}

/**
 * A sink that lints every line before handing it on: a finding of severity error or warning becomes a `finding`
 * note on the input line the converted line came from. The linter is one for the whole output, so file-level
 * checks (a key used with two types) see what a push of the output would; but it counts no tuples (MK012 off, a
 * budget of 0 keeps no tuple set per key), so its memory grows with the keys, never with the input's series.
 */
export class CheckedSink implements ConversionSink {
  private readonly linter: FileLinter;
  private index = 0;
  /** How many written lines have an error a tenant refuses them for. */
  refusedLines = 0;

  constructor(
    private readonly sink: ConversionSink,
    options: LintOptions,
  ) {
    this.linter = new FileLinter({
      ...options,
      limits: { ...options.limits, cardinalityBudget: 0 },
      severities: { ...options.severities, MK012: 'off' },
    });
  }

  line(text: string, from: number): void {
    const diagnostics = this.linter.lintLine(this.index++, text);
    let refused = false;
    for (const d of diagnostics) {
      if (d.severity !== 'error' && d.severity !== 'warning') continue;
      refused ||= d.severity === 'error';
      this.sink.note({
        kind: 'finding',
        line: from,
        item: text,
        count: 1,
        message: `${d.severity} ${d.code}: ${d.message}`,
      });
    }
    if (refused) this.refusedLines++;
    this.sink.line(text, from);
  }

  note(note: ConversionNote): void {
    this.sink.note(note);
  }

  naming(naming: NamingPreview): void {
    this.sink.naming(naming);
  }
}

/**
 * The comment a converted text starts with: from what, read as what (and why, when sniffed), when, by which version:
 * `// Converted by dtmetrics 0.1.0 from now.prom, read as Prometheus (a \`# TYPE\` line), at 2026-…`.
 */
export function conversionHeader(
  source: string,
  format: SourceFormat,
  sniffed: string | null,
  at: string,
  version: string | null,
): string {
  const by = version === null ? 'dtmetrics' : `dtmetrics ${version}`;
  const why = sniffed === null ? '' : ` (${sniffed})`;
  return `// Converted by ${by} from ${source}, read as ${FORMAT_NAMES[format]}${why}, at ${at}`;
}

/** The naming preview as a comment above a metric's first line; null when every path stores the input's name as it is. */
export function namingComment(naming: NamingPreview): string | null {
  // Paths that store it under the same key say nothing a reader needs here (the JSON report keeps them).
  const paths = Object.entries(naming.paths).filter(([, key]) => key !== naming.stored);
  if (naming.source === naming.key && naming.stored === naming.key && paths.length === 0) return null;
  const from = naming.source === naming.key ? '' : ` from \`${naming.source}\``;
  const stored = naming.stored === naming.key ? '' : `, stored as \`${naming.stored}\``;
  const elsewhere = paths.map(([path, key]) => `; ${path}: \`${key}\``).join('');
  return `// ${naming.key} (${naming.type})${from}${stored}${elsewhere}`;
}

/** A note as a comment where the lines are written (a document, a quick fix): what was not converted stays in sight. */
function noteComment(note: ConversionNote): string {
  const item = note.item.replace(/[\r\n]+/g, ' ');
  const what = note.kind === 'skipped' ? 'not converted' : 'note';
  const count = note.count > 1 ? ` (${note.count})` : '';
  return `// ${what}${count}: \`${item}\`: ${note.message}`;
}

/** A text converted in memory: the document it makes, and its figures. */
export interface ConvertedText {
  /** The lines, each metric headed by its naming comment where it has one, and every note as a comment. */
  text: string;
  tally: ConversionTally;
  lines: number;
}

/**
 * A whole text (or an OTLP protobuf request) converted in memory, for the editor's Convert command and quick fix:
 * notes go in as comments where they arise, and the input lines whose items were not converted follow, as written,
 * as comments, so that nothing the input held disappears from sight (its values neither); the editor lints the
 * result itself, so no finding notes.
 */
export function convertToText(
  input: string | Uint8Array,
  format: SourceFormat,
  options: ConvertOptions = {},
): ConvertedText {
  const out: string[] = [];
  const unconverted = new Set<number>();
  let lines = 0;
  const sink: ConversionSink = {
    unconverted: (line) => unconverted.add(line),
    line: (text) => {
      out.push(text);
      lines++;
    },
    note: (note) => out.push(noteComment(note)),
    naming: (naming) => {
      const comment = namingComment(naming);
      if (comment !== null) out.push(comment);
    },
  };
  if (typeof input !== 'string') return { tally: convertOtlpProtobuf(input, sink), text: out.join('\n'), lines };
  const converter = createConverter(format, sink, options);
  const inputLines = [...splitLines(input)];
  inputLines.forEach((line, i) => converter.line(line, i + 1));
  converter.end();
  if (unconverted.size > 0) {
    out.push('// Not converted, as written:');
    for (const n of [...unconverted].sort((a, b) => a - b)) out.push(`// ${inputLines[n - 1] ?? ''}`);
  }
  return { tally: { ...converter.tally }, text: out.join('\n'), lines };
}
