/**
 * What every converter (Prometheus/OpenMetrics, StatsD, OTLP, JSON → metric lines) takes and gives. A converter is
 * pure: it is handed input as it is read and hands back, through a sink, the lines it made, the items it could not
 * convert with the reason, and how each metric will be named once stored. It never throws, and it accounts for every
 * input item: `items === converted + skipped` at the end (the property tests hold every converter to it).
 */

/** The formats a converter reads. `otlp` is an ExportMetricsServiceRequest in protobuf or in OTLP's JSON mapping. */
export const SOURCE_FORMATS = ['prometheus', 'openmetrics', 'statsd', 'otlp', 'json'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** A converter of a line-based text format (all but OTLP protobuf): fed one input line at a time, in order. */
export interface LineConverter {
  /** One input line without its line break; `lineNumber` counts from 1. */
  line(text: string, lineNumber: number): void;
  /** The input ended: what was held for later (StatsD aggregates, a JSON value still open) is written or reported. */
  end(): void;
  /**
   * Input line `lineNumber` could not be read whole (an edge reads lines up to a bound) and is not handed on: a value
   * it is part of is not converted, and reported. True when such a value took the line in; false (or no method, for
   * formats whose items are lines) when the caller reports the line as one item itself.
   */
  interrupt?(lineNumber: number): boolean;
  /** How many input items were seen, converted and not converted so far. */
  readonly tally: ConversionTally;
}

/**
 * Input items, as each format counts them: a Prometheus sample, a StatsD datagram, an OTLP data point, a JSON data
 * point (a v1 `dataPoints` pair is one). Comments, `# HELP`/`# TYPE` and blank lines are no items.
 */
export interface ConversionTally {
  items: number;
  /** Items that became (part of) a metric line. */
  converted: number;
  /** Items reported in a `skipped` note instead (a note's `count` of them). */
  skipped: number;
}

export const emptyTally = (): ConversionTally => ({ items: 0, converted: 0, skipped: 0 });

export interface ConversionSink {
  /** A metric line for the output, made from the item(s) at input line `from`. */
  line(text: string, from: number): void;
  /**
   * A metric line as its prefix (`key,dimensions`) and what follows the prefix's space, for a sink that looks
   * prefixes up (known-prefixes.ts): given it, a converter that keeps a series' prefix (the OTLP converter with a
   * memo) hands over the same string for the series' every line, and calls this instead of line().
   */
  prefixed?(prefix: string, rest: string, from: number): void;
  /** Something the user should know: items not converted, a key or value changed to be valid, a decision taken. */
  note(note: ConversionNote): void;
  /** How a metric will be named, written once per metric before its first line. */
  naming(naming: NamingPreview): void;
  /**
   * Input line `line` holds an item that was not converted (said for each such item; a line may be said twice). For
   * a sink that keeps the input (the editor), so that what was not converted stays in the document as written.
   */
  unconverted?(line: number): void;
}

export type NoteKind =
  /** `count` items were not converted (the reason is the message). */
  | 'skipped'
  /** A name or value was changed to one the line protocol takes (the message says from what to what). */
  | 'renamed'
  /** Converted, with something to know (a counter reset, an aggregation). */
  | 'info'
  /** A line was written and the linter finds this in it (convert/index.ts checks every line written). */
  | 'finding';

export interface ConversionNote {
  kind: NoteKind;
  /** The input line of the (first) item, 1-based; 0 when it is about the whole input. */
  line: number;
  /** What it is about, as the input names it: a metric or family name, a datagram. */
  item: string;
  /** How many input items it stands for (skipped: counted as not converted; otherwise informative). */
  count: number;
  /** One line, no trailing period. */
  message: string;
  /** The reason code the target names for it, where it names one (Dynatrace's OTLP rejection reasons). */
  code?: string;
}

/** The key a metric is written under in the lines, and what Dynatrace stores, per ingest path where they differ. */
export interface NamingPreview {
  /** The name in the input (`http_requests_total`, an OTLP metric's name, a StatsD bucket). */
  source: string;
  /** The key in the converted lines. */
  key: string;
  /** The metric lines' payload type: it decides the stored key (`.count`). */
  type: 'gauge' | 'count';
  /** The key these lines are stored under (storedKey): what to query. */
  stored: string;
  /** Where the format's own Dynatrace ingest path would name it otherwise: path name → stored key. */
  paths: Readonly<Record<string, string>>;
}

/** Each format as a person names it: "Convert these 3 Prometheus lines", "read as StatsD". */
export const FORMAT_NAMES: Readonly<Record<SourceFormat, string>> = {
  prometheus: 'Prometheus',
  openmetrics: 'OpenMetrics',
  statsd: 'StatsD',
  otlp: 'OTLP',
  json: 'JSON',
};

/** What each format counts as one input item (ConversionTally), for summaries. */
export const ITEM_NOUNS: Readonly<Record<SourceFormat, string>> = {
  prometheus: 'sample',
  openmetrics: 'sample',
  statsd: 'datagram',
  otlp: 'data point',
  json: 'data point',
};
