/**
 * The findings of the cost and cardinality analysis, where a reader sees them: MK015 on a volatile dimension and
 * MK016 on a metric that gains new series against a base. The analysis streams and keeps no positions, so where a
 * finding stands is found after it (FirstPlaces): each wanted metric's first line and the first use of each wanted
 * dimension key, in a second reading of the same lines.
 */
import { parseLine } from '../parse.ts';
import { problem, ruleSeverity, type Diagnostic, type Problem } from '../problems.ts';
import { splitLines } from '../text.ts';
import { countedKeyOf, StatsAnalyzer, type DimensionStats, type MetricStats } from './analysis.ts';
import { count, signed, volatileNote } from './describe.ts';

/** MK015 on dimension `d` of metric `m`, its key written at `start`–`end`. */
export const volatileProblem = (m: MetricStats, d: DimensionStats, start: number, end: number): Problem | null =>
  d.volatile === null
    ? null
    : problem('MK015', start, end, {
        key: m.key,
        dimension: d.key,
        reason: volatileNote(d.volatile),
        values: d.values,
        multiplier: d.multiplier,
        daysToLimit: m.daysToTupleLimit,
      });

/**
 * MK016 on metric `m` of a report against a base, its key written at `start`–`end`; null when it gains no series.
 * `against`: the base as a reader knows it (`--base`, a git ref); `maxNewSeries`: the gate, -1 for none.
 */
export function newSeriesProblem(
  m: MetricStats,
  against: string,
  maxNewSeries: number,
  start: number,
  end: number,
): Problem | null {
  const change = m.change;
  if (change === undefined || change.newSeries === 0) return null;
  const over = maxNewSeries >= 0 && change.newSeries > maxNewSeries;
  const args = {
    key: m.key,
    newSeries: count(change.newSeries, change.estimated),
    pointsPerYear: change.pointsPerYear === null ? null : signed(change.pointsPerYear, change.pointsEstimated),
    against,
    gate: maxNewSeries < 0 ? null : { limit: maxNewSeries, over },
  };
  return problem('MK016', start, end, args, undefined, over ? 'full' : 'lesser');
}

/** Where a metric's key or a dimension key is first written: the source's name, the line, the key's columns. */
export interface Place {
  source: string;
  line: number;
  start: number;
  end: number;
}

/**
 * The first places of wanted metrics (stored keys) and of wanted dimension keys of each, read line by line in the
 * order the analysis read them. Only lines written with a wanted key are parsed, and only lines the analysis
 * counts (countedKeyOf) place anything; `done` once every wanted place is found.
 */
const COMMA = 0x2c;
/** The ASCII blanks `\s` matches (tab, line feed, vertical tab, form feed, carriage return, space). */
const isBlank = (byte: number): boolean => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);

export class FirstPlaces {
  /** What a wanted metric's line starts with: its stored key, or that key before the `.count`/`.gauge` the type adds. */
  private readonly written = new Set<string>();
  private readonly metrics = new Map<string, Place>();
  private readonly dimensions = new Map<string, Map<string, Place>>();
  private missing = 0;

  constructor(private readonly wanted: ReadonlyMap<string, ReadonlySet<string>>) {
    for (const [key, dimensions] of wanted) {
      this.written.add(key).add(key.replace(/\.(count|gauge)$/, ''));
      this.missing += 1 + dimensions.size;
    }
  }

  get done(): boolean {
    return this.missing === 0;
  }

  /**
   * Whether line `buf[start, end)` (UTF-8) can be passed over without decoding it: its key as written (after any
   * leading blanks, up to a comma or a blank) is no wanted metric's. False when it may be one, or is not plain ASCII
   * (then `read` decides on its text).
   */
  passesOver(buf: Uint8Array, start: number, end: number): boolean {
    if (this.missing === 0) return true;
    let at = start;
    while (at < end && isBlank(buf[at] as number)) at++;
    let key = '';
    for (; at < end; at++) {
      const byte = buf[at] as number;
      if (byte === COMMA || isBlank(byte)) break;
      if (byte >= 0x80) return false;
      key += String.fromCharCode(byte);
    }
    return !this.written.has(key);
  }

  /** Reads line `line` (0-based) of source `source`. */
  read(source: string, line: number, text: string): void {
    // The key as written: up to the first comma or blank (after any leading blanks, which the tenant takes).
    if (this.missing === 0 || !this.written.has(/^\s*([^,\s]*)/.exec(text)?.[1] as string)) return;
    const parsed = parseLine(text);
    const key = countedKeyOf(parsed);
    const wanted = key === null ? undefined : this.wanted.get(key);
    if (key === null || wanted === undefined || parsed.kind !== 'data') return;
    if (!this.metrics.has(key)) {
      this.metrics.set(key, { source, line, start: parsed.key.start, end: parsed.key.end });
      this.missing--;
    }
    let found = this.dimensions.get(key);
    if (found === undefined) this.dimensions.set(key, (found = new Map()));
    for (const d of parsed.dimensions) {
      if (!wanted.has(d.key.text) || found.has(d.key.text)) continue;
      found.set(d.key.text, { source, line, start: d.key.start, end: d.key.end });
      this.missing--;
    }
  }

  metric(key: string): Place | undefined {
    return this.metrics.get(key);
  }

  dimension(key: string, dimension: string): Place | undefined {
    return this.dimensions.get(key)?.get(dimension);
  }
}

/**
 * MK016 over a whole text in memory against base lines (the rule fixtures), at one send a minute for lines without
 * a timestamp, with no gate.
 */
export function newSeriesOfText(text: string, base: readonly string[]): Diagnostic[] {
  const analyse = (lines: Iterable<string>) => {
    const analyzer = new StatsAnalyzer();
    for (const line of lines) analyzer.addLine(line);
    return analyzer;
  };
  const lines = [...splitLines(text)];
  const report = analyse(lines).report({ intervalMs: 60_000, pricePerPoint: null }, analyse(base));
  const gaining = report.metrics.filter((m) => (m.change?.newSeries ?? 0) > 0);
  const places = new FirstPlaces(new Map(gaining.map((m) => [m.key, new Set<string>()])));
  lines.forEach((line, i) => places.read('', i, line));
  return gaining.flatMap((m) => {
    const place = places.metric(m.key);
    const p = place && newSeriesProblem(m, '--base', -1, place.start, place.end);
    if (!place || !p) return [];
    return [
      {
        line: place.line,
        startChar: p.start,
        endChar: p.end,
        severity: ruleSeverity(p),
        code: p.code,
        message: p.message,
      },
    ];
  });
}
