/**
 * Deterministic generator of realistic Dynatrace metric lines for the lint benchmark.
 *
 * The file looks like a dump of an exporter's batches: a header of metadata lines, then scrape intervals in which
 * every series of every metric key reports one data point (a few skip an interval), cut into batches that start
 * with a `//` comment after a blank line. About 30 metric keys carry between a dozen and 3,000 dimension tuples
 * each (four keys pass the linter's default cardinality budget of 1,000, as a few do in real tenants); the keys and
 * their dimensions are a catalogue of their own (metric-catalogue.ts). About 1 % of the data lines carry one of five
 * common mistakes, each of which the linter reports as exactly one error.
 *
 * Everything comes from one seeded PRNG (rng.ts); the same seed, size and GENERATOR_VERSION give the same bytes.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LIMITS } from '#core/rules.ts';
import { makeHosts, METRICS, quote, REGIONS, type MetricDef, type PayloadKind } from './metric-catalogue.ts';
import { Rng } from './rng.ts';

/** Bump when the generated content changes, so a file from an older generator is not reused. */
export const GENERATOR_VERSION = 2;

/** The instant the linter checks timestamps against (`--now`): 2026-01-01T00:00:00Z. Every timestamp is in the hour before. */
export const NOW_MS = 1_767_225_600_000;

export type InvalidKind =
  | 'upperCaseDimensionKey'
  | 'unescapedSpace'
  | 'countWithoutDelta'
  | 'inconsistentSummary'
  | 'timestampInSeconds';

export const INVALID_KINDS: readonly InvalidKind[] = [
  'upperCaseDimensionKey',
  'unescapedSpace',
  'countWithoutDelta',
  'inconsistentSummary',
  'timestampInSeconds',
];

/** Share of data lines that get a mistake. */
const INVALID_RATE = 0.01;

export interface Composition {
  bytes: number;
  /** Line feeds: every line, the last one included, ends with `\n`. */
  lines: number;
  dataLines: number;
  metadataLines: number;
  commentLines: number;
  blankLines: number;
  invalid: Record<InvalidKind, number>;
  invalidLines: number;
}

export interface DataSet {
  /** File names are relative to the data directory, so a moved checkout still reuses them. */
  generatorVersion: number;
  seed: number;
  targetBytes: number;
  quarterTargetBytes: number;
  nowMs: number;
  metricKeys: number;
  series: number;
  /** Keys with more distinct tuples than the linter's default cardinality budget (MK012 once each). */
  keysOverBudget: string[];
  full: { file: string } & Composition;
  quarter: { file: string } & Composition;
  generatedInMs: number;
  reused: boolean;
}

// ------------------------------------------------------------------ value syntax

/** Thousandths as a decimal without trailing zeros: 12500 → `12.5`. */
function milli(v: number): string {
  const whole = Math.trunc(v / 1000);
  const frac = v % 1000;
  if (frac === 0) return String(whole);
  return `${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
}

/** The linter's default budget: keys with more distinct tuples get MK012 once, and their tuple set is dropped. */
const CARDINALITY_BUDGET = LIMITS.cardinalityBudget;

interface PreparedMetric {
  def: MetricDef;
  tuples: string[];
}

function prepare(r: Rng): PreparedMetric[] {
  const hosts = makeHosts(r);
  return METRICS.map((def) => {
    const seen = new Set<string>();
    for (let attempts = 0; seen.size < def.series; attempts++) {
      if (attempts > def.series * 200) throw new Error(`${def.key}: cannot draw ${def.series} distinct tuples`);
      seen.add(def.tuple(r, hosts));
    }
    return { def, tuples: [...seen] };
  });
}

// ------------------------------------------------------------------ lines

function summaryPayload(r: Rng, scale: number, inconsistent: boolean): string {
  const count = r.chance(0.15) ? 1 : r.between(2, 400);
  if (count === 1) {
    const v = Math.round(scale * 1000);
    return `gauge,min=${milli(v)},max=${milli(v)},sum=${milli(inconsistent ? v + 1000 + r.int(5000) : v)},count=1`;
  }
  const min = Math.round(scale * 1000 * (0.05 + 0.6 * r.next()));
  const max = Math.max(min, Math.round(scale * 1000 * (1 + 3 * r.next())));
  // sum/count lies in [min, max] exactly, because all three are whole thousandths.
  const sum = inconsistent ? (max + 1000 + r.int(5000)) * count : min * count + r.int((max - min) * count + 1);
  return `gauge,min=${milli(min)},max=${milli(max)},sum=${milli(sum)},count=${count}`;
}

function gaugeValue(def: MetricDef, r: Rng): string {
  const v = def.value(r);
  return def.decimals === 0 ? String(Math.round(v)) : v.toFixed(def.decimals);
}

/** The invalid kinds that make sense for a payload kind (a legacy count on a gauge key would also mix types). */
function kindsFor(kind: PayloadKind): InvalidKind[] {
  const kinds: InvalidKind[] = ['upperCaseDimensionKey', 'unescapedSpace', 'timestampInSeconds'];
  if (kind === 'count') kinds.push('countWithoutDelta');
  if (kind === 'summary') kinds.push('inconsistentSummary');
  return kinds;
}

/** The tuple with its first dimension key capitalised: `,service=…` → `,Service=…` (DK001). */
const upperFirstKey = (tuple: string): string => ',' + tuple.charAt(1).toUpperCase() + tuple.slice(2);

/** The tuple with an unescaped space in an unquoted value (DV002): `id=G1\ Eden\ Space` → `id=G1 Eden\ Space`. */
function withUnescapedSpace(tuple: string): string {
  const escaped = tuple.lastIndexOf('\\ ');
  if (escaped >= 0 && tuple.indexOf('"') < 0) return tuple.slice(0, escaped) + tuple.slice(escaped + 1);
  return tuple + ',os.type=Windows Server';
}

function dataLine(p: PreparedMetric, tuple: string, r: Rng, ts: number, invalid: InvalidKind | null): string {
  const def = p.def;
  let dims = tuple;
  let payload: string;
  let timestamp: number | null = r.chance(0.05) ? null : ts;
  if (invalid === 'upperCaseDimensionKey') dims = upperFirstKey(tuple);
  else if (invalid === 'unescapedSpace') dims = withUnescapedSpace(tuple);
  else if (invalid === 'timestampInSeconds') timestamp = Math.floor(ts / 1000);
  switch (def.kind) {
    case 'summary':
      payload = summaryPayload(r, def.value(r), invalid === 'inconsistentSummary');
      break;
    case 'count':
      payload =
        invalid === 'countWithoutDelta'
          ? `count,${Math.round(def.value(r))}`
          : `count,delta=${Math.round(def.value(r))}`;
      break;
    default:
      payload = r.chance(0.5) ? `gauge,${gaugeValue(def, r)}` : gaugeValue(def, r);
  }
  return timestamp === null ? `${def.key}${dims} ${payload}` : `${def.key}${dims} ${payload} ${timestamp}`;
}

function metadataLine(def: MetricDef): string | null {
  if (!def.meta) return null;
  const type = def.kind === 'count' ? 'count' : 'gauge';
  return `#${def.key} ${type} dt.meta.unit=${def.meta.unit},dt.meta.displayName=${quote(def.meta.displayName)}`;
}

// ------------------------------------------------------------------ writing

function emptyComposition(): Composition {
  return {
    bytes: 0,
    lines: 0,
    dataLines: 0,
    metadataLines: 0,
    commentLines: 0,
    blankLines: 0,
    invalid: {
      upperCaseDimensionKey: 0,
      unescapedSpace: 0,
      countWithoutDelta: 0,
      inconsistentSummary: 0,
      timestampInSeconds: 0,
    },
    invalidLines: 0,
  };
}

/** Buffers lines and writes them in ~1 MiB chunks. */
class ChunkWriter {
  private parts: string[] = [];
  private chars = 0;
  constructor(private readonly fd: number) {}

  add(line: string): void {
    this.parts.push(line, '\n');
    this.chars += line.length + 1;
    if (this.chars >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.chars = 0;
  }
}

function paths(dir: string, seed: number, targetBytes: number): { full: string; quarter: string; manifest: string } {
  const base = join(dir, `metrics-v${GENERATOR_VERSION}-seed${seed}-${targetBytes}`);
  return { full: `${base}.dtmetrics`, quarter: `${base}-quarter.dtmetrics`, manifest: `${base}.json` };
}

/** Returns the data set for (seed, size), generating it unless an identical one is already in `dir`. */
export function ensureDataSet(dir: string, seed: number, targetBytes: number): DataSet {
  const p = paths(dir, seed, targetBytes);
  if (existsSync(p.manifest) && existsSync(p.full) && existsSync(p.quarter)) {
    try {
      const manifest = JSON.parse(readFileSync(p.manifest, 'utf8')) as DataSet;
      if (
        manifest.generatorVersion === GENERATOR_VERSION &&
        manifest.seed === seed &&
        manifest.targetBytes === targetBytes &&
        manifest.nowMs === NOW_MS &&
        statSync(p.full).size === manifest.full.bytes &&
        statSync(p.quarter).size === manifest.quarter.bytes
      ) {
        return { ...manifest, reused: true };
      }
    } catch {
      // An unreadable manifest: generate again.
    }
  }
  const data = generate(p, seed, targetBytes);
  writeFileSync(p.manifest, JSON.stringify(data, null, 2) + '\n');
  return data;
}

function generate(p: { full: string; quarter: string }, seed: number, targetBytes: number): DataSet {
  const started = performance.now();
  const r = new Rng(seed);
  const metrics = prepare(r);
  const quarterTarget = Math.round(targetBytes / 4);
  const fullFd = openSync(p.full + '.tmp', 'w');
  const quarterFd = openSync(p.quarter + '.tmp', 'w');
  const full = new ChunkWriter(fullFd);
  const quarter = new ChunkWriter(quarterFd);
  const total = emptyComposition();
  let quarterStats: Composition | null = null;

  const write = (
    line: string,
    category: 'data' | 'metadata' | 'comment' | 'blank',
    invalid: InvalidKind | null = null,
  ): void => {
    full.add(line);
    if (quarterStats === null) quarter.add(line);
    total.bytes += Buffer.byteLength(line) + 1;
    total.lines++;
    if (category === 'data') total.dataLines++;
    else if (category === 'metadata') total.metadataLines++;
    else if (category === 'comment') total.commentLines++;
    else total.blankLines++;
    if (invalid) {
      total.invalid[invalid]++;
      total.invalidLines++;
    }
    if (quarterStats === null && total.bytes >= quarterTarget)
      quarterStats = { ...total, invalid: { ...total.invalid } };
  };

  write(
    '// Metric lines exported by otel-collector (dynatrace exporter), shop production, one file per hour.',
    'comment',
  );
  write('// Generated for the dtmetrics lint benchmark: see bench/README.md.', 'comment');
  for (const m of metrics) {
    const meta = metadataLine(m.def);
    if (meta) write(meta, 'metadata');
  }

  // One pass over every series is one export interval; intervals advance through the hour as the file grows.
  const windowStart = NOW_MS - 3_595_000;
  const windowSpan = 3_590_000;
  let batch = 0;
  let batchLeft = 0;
  outer: for (;;) {
    const intervalTs = windowStart + Math.floor((Math.min(total.bytes, targetBytes) / targetBytes) * windowSpan);
    for (const m of metrics) {
      const kinds = kindsFor(m.def.kind);
      for (const tuple of m.tuples) {
        if (total.bytes >= targetBytes) break outer;
        if (r.chance(0.08)) continue; // a series that reported nothing this interval
        if (batchLeft === 0) {
          batch++;
          batchLeft = r.between(200, 1000);
          write('', 'blank');
          write(
            `// batch ${String(batch).padStart(6, '0')}: ${batchLeft} points from otel-collector-${r.int(4)} (${r.pick(REGIONS)})`,
            'comment',
          );
        }
        batchLeft--;
        const ts = intervalTs + r.int(1000);
        const invalid = r.chance(INVALID_RATE) ? r.pick(kinds) : null;
        write(dataLine(m, tuple, r, ts, invalid), 'data', invalid);
      }
    }
  }
  full.flush();
  quarter.flush();
  closeSync(fullFd);
  closeSync(quarterFd);
  renameSync(p.full + '.tmp', p.full);
  renameSync(p.quarter + '.tmp', p.quarter);
  const q = quarterStats ?? total;
  return {
    generatorVersion: GENERATOR_VERSION,
    seed,
    targetBytes,
    quarterTargetBytes: quarterTarget,
    nowMs: NOW_MS,
    metricKeys: metrics.length,
    series: metrics.reduce((n, m) => n + m.tuples.length, 0),
    keysOverBudget: metrics.filter((m) => m.tuples.length > CARDINALITY_BUDGET).map((m) => m.def.key),
    full: { file: basename(p.full), ...total },
    quarter: { file: basename(p.quarter), ...q },
    generatedInMs: Math.round(performance.now() - started),
    reused: false,
  };
}
