/**
 * `dtmetrics stats`: a thin adapter from files or standard input to the core's cost and cardinality analysis
 * (core/stats/): every input is one environment's lines, read as lint reads them, and the figures come out as a
 * table, Markdown (for a pull request) or JSON.
 */
import { StatsAnalyzer, type MetricStats, type StatsReport } from '#core/stats/analysis.ts';
import { count, decimal, signed } from '#core/stats/describe.ts';
import { DistinctBudget } from '#core/stats/distinct.ts';
import { COST, LIMITS } from '#core/rules.ts';
import { plural } from '#core/text.ts';
import { parseDuration } from '#core/time.ts';
import { describeSystemError, isUserError, UserError } from '#edge/errors.ts';
import { existsSync } from 'node:fs';
import type { CommandContext } from './context.ts';
import { filesAtRef } from './git-base.ts';
import { expandInputs, GLOB_CHARS, type Input } from './inputs.ts';
import { fractionOption, integerOption, parseCommandLine, timeOption } from './options.ts';
import { chunksOf, readLines, readyInputs, type LineSink } from './read-lines.ts';
import { statsTable } from './stats-table.ts';
import { writeStatsSarif } from './stats-sarif.ts';
import { runTenantStats } from './stats-tenant.ts';
import { VERSION } from './version.ts';

const STATS_USAGE = `Usage: dtmetrics stats [options] <file|directory|glob|->...

Counts the series (distinct dimension tuples) and data points metric lines make, per metric, and
projects them to a day and a year: Classic DDU and, with a price, the cost. Names the dimensions
that multiply the series, the ones other dimensions determine, and the volatile ones (timestamps,
UUIDs, ids, ...) with the days until the metric's 1,000,000 tuples. All inputs are read as one
environment's lines; '-' reads standard input.

Options:
  --format <table|markdown|json|sarif>
                                  output format (default: table); sarif: the findings for
                                  GitHub code scanning, each at its line: MK015 on a volatile
                                  dimension, and with a base MK016 on a metric that gains new
                                  series (an error over --max-new-series, else a warning)
  --interval <duration>           how often the lines are sent, for lines without a timestamp
                                  (60s, 1m, 5m): each send is one minute's points
  --price-per-point <n>           your rate card's price of one data point (e.g. 0.0000015)
  --base <file|directory|glob>    the lines before a change: adds each metric's new series and
                                  the change in points a year (repeatable)
  --base-ref <git ref>            the lines before a change are the same inputs as they are at a
                                  git ref (origin/main, HEAD~1, a commit): a file new since has no
                                  base, a file deleted since counts in it; needs git
  --max-new-series <n>            with --base or --base-ref: exit 1 when a metric gains more than
                                  n new series (a CI gate)
  -h, --help                      show this help

What arrived at a tenant, the same figures: dtmetrics stats --tenant --url <url> (see --tenant --help).

Exit codes: 0 figures written, 1 a metric over --max-new-series, 2 usage or I/O error.`;

const FORMATS = ['table', 'markdown', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

interface StatsSettings {
  format: Format;
  intervalMs: number | null;
  pricePerPoint: number | null;
  inputs: Input[];
  /** The lines before a change (--base); empty: no comparison (unless baseRef). */
  base: Input[];
  /** The lines before a change are the inputs' files at a git ref (--base-ref, git-base.ts). */
  baseRef: { ref: string; args: string[] } | null;
  /** -1: no gate. */
  maxNewSeries: number;
}

function parseStatsArgs(argv: string[]): StatsSettings | 'help' {
  const parsed = parseCommandLine('stats', {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string' },
      interval: { type: 'string' },
      'price-per-point': { type: 'string' },
      base: { type: 'string', multiple: true },
      'base-ref': { type: 'string' },
      'max-new-series': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const v = parsed.values;
  if (v.help) return 'help';
  const format = (v.format ?? 'table') as Format;
  if (!FORMATS.includes(format))
    throw new UserError(`--format must be one of ${FORMATS.join(', ')}, not '${v.format}'`);
  if (parsed.positionals.length === 0)
    throw new UserError("no files given: name files, directories, glob patterns or '-' (try 'dtmetrics stats .')");
  const ref = v['base-ref'];
  if (ref !== undefined && v.base !== undefined)
    throw new UserError('--base and --base-ref both give the lines before a change: use one');
  const base = expandInputs(v.base ?? []);
  if (base.some((input) => input.kind === 'stdin'))
    throw new UserError("--base takes files, directories or glob patterns, not '-' (standard input)");
  const maxNewSeries = v['max-new-series'];
  if (maxNewSeries !== undefined && base.length === 0 && ref === undefined)
    throw new UserError('--max-new-series needs --base or --base-ref: the lines to count new series against');
  // With --base-ref, a file named that the change deleted is read at the ref only (it has no lines after it).
  const after =
    ref === undefined
      ? parsed.positionals
      : parsed.positionals.filter((arg) => arg === '-' || existsSync(arg) || GLOB_CHARS.test(arg));
  const inputs = expandInputs(after);
  if (ref !== undefined && inputs.some((input) => input.kind === 'stdin'))
    throw new UserError(
      "--base-ref reads the inputs as they are at a git ref, and standard input ('-') is not there: give files, or --base",
    );
  return {
    format,
    base,
    baseRef: ref === undefined ? null : { ref, args: parsed.positionals },
    maxNewSeries: maxNewSeries === undefined ? -1 : integerOption('--max-new-series', maxNewSeries, { min: 0 }),
    intervalMs: v.interval === undefined ? null : timeOption(parseDuration(v.interval, '--interval')),
    pricePerPoint:
      v['price-per-point'] === undefined ? null : fractionOption('--price-per-point', v['price-per-point']),
    inputs,
  };
}

/** What the lines after a change are compared with, as the output names it. */
interface Against {
  /** The git ref of --base-ref; null: --base. */
  ref: string | null;
  /** The base's inputs: paths, or `<ref>:<path>` for the files at a ref. */
  names: string[];
}

export async function runStats(argv: string[], context: CommandContext): Promise<number> {
  // What arrived at a tenant: its own options and reading (stats-tenant.ts), the same table.
  if (argv.includes('--tenant')) return runTenantStats(argv, context);
  const { stdout: out, stdin, env } = context;
  const settings = parseStatsArgs(argv);
  if (settings === 'help') {
    out.write(STATS_USAGE + '\n');
    return 0;
  }
  // Both sides of a comparison in one memory budget.
  const budget = new DistinctBudget(COST.exactEntries.value);
  const analyzer = await analyse(settings.inputs, stdin, budget);
  const base =
    settings.baseRef !== null
      ? await analyseAtRef(settings.baseRef.ref, settings.baseRef.args, env, budget)
      : settings.base.length === 0
        ? undefined
        : {
            analyzer: await analyse(settings.base, stdin, budget),
            against: { ref: null, names: settings.base.map((input) => input.name) },
          };
  const report = analyzer.report(settings, base?.analyzer);
  if (settings.format === 'json')
    out.write(JSON.stringify({ ...reportOptions(settings, base?.against), ...report }, null, 2) + '\n');
  else if (settings.format === 'sarif') {
    const against = base?.against;
    const sarifBase =
      against === undefined ? null : { against: against.ref ?? '--base', maxNewSeries: settings.maxNewSeries };
    await writeStatsSarif(report, settings.inputs, sarifBase, (text) => out.write(text), VERSION);
  } else out.write(renderText(report, settings, settings.format, base?.against));
  return overTheGate(report, settings).length > 0 ? 1 : 0;
}

/** Every input read into one analysis, as lint reads them. */
async function analyse(
  inputs: readonly Input[],
  stdin: AsyncIterable<Uint8Array>,
  budget: DistinctBudget,
): Promise<StatsAnalyzer> {
  const analyzer = new StatsAnalyzer(budget);
  for (const input of await readyInputs(inputs, stdin)) await addLines(analyzer, input.name, chunksOf(input));
  return analyzer;
}

/** The base at a git ref: the inputs' files as they are there (git-base.ts), read as lint reads files. */
async function analyseAtRef(
  ref: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  budget: DistinctBudget,
): Promise<{ analyzer: StatsAnalyzer; against: Against }> {
  const analyzer = new StatsAnalyzer(budget);
  const names: string[] = [];
  for await (const file of filesAtRef(ref, args, env)) {
    names.push(file.name);
    await addLines(analyzer, file.name, file.chunks);
  }
  return { analyzer, against: { ref, names } };
}

async function addLines(analyzer: StatsAnalyzer, name: string, source: AsyncIterable<Uint8Array>): Promise<void> {
  try {
    // An empty input is no line (readLines offers it as one empty line, as an editor shows it).
    let bytes = 0;
    const chunks = async function* () {
      for await (const chunk of source) {
        bytes += chunk.byteLength;
        yield chunk;
      }
    };
    // Clean lines by their bytes (the fast path lint takes), the others parsed and checked.
    const sink: LineSink = {
      bytes: (buf, start, end) => analyzer.addCleanBytes(buf, start, end) !== false,
      text: (line, _length, lineBytes) => bytes > 0 && analyzer.addLine(line, lineBytes),
    };
    await readLines(chunks(), sink, async () => {});
  } catch (error) {
    if (isUserError(error)) throw error;
    throw new UserError(`cannot read '${name}': ${describeSystemError(error)}`);
  }
}

const reportOptions = (settings: StatsSettings, against: Against | undefined) => ({
  intervalMs: settings.intervalMs,
  pricePerPoint: settings.pricePerPoint,
  ...(against === undefined
    ? {}
    : {
        ...(against.ref === null ? {} : { baseRef: against.ref }),
        base: against.names,
        maxNewSeries: settings.maxNewSeries < 0 ? null : settings.maxNewSeries,
      }),
});

/** A share as a percentage; the smallest as `< 0.01 %` rather than a row of zeros. */
const share = (fraction: number): string =>
  fraction > 0 && fraction < 0.0001 ? '< 0.01 %' : `${decimal(fraction * 100, 2)} %`;
function renderText(
  report: StatsReport,
  settings: StatsSettings,
  format: 'table' | 'markdown',
  against: Against | undefined,
): string {
  const table = statsTable(report, settings.pricePerPoint, format);
  const preamble = format === 'table' || against === undefined ? '' : pullRequestPreamble(report, settings, against);
  return preamble + table + footer(report, settings, format, against);
}

/** The metrics over --max-new-series (none without it). */
const overTheGate = (report: StatsReport, settings: StatsSettings): MetricStats[] =>
  settings.maxNewSeries < 0 ? [] : report.metrics.filter((m) => (m.change?.newSeries ?? 0) > settings.maxNewSeries);

/** For a pull-request comment: a heading, what the change adds in all, and the gate's verdict. */
function pullRequestPreamble(report: StatsReport, settings: StatsSettings, against: Against): string {
  const change = report.totals.change;
  const points = change?.pointsPerYear ?? null;
  const gaining = report.metrics.filter((m) => (m.change?.newSeries ?? 0) > 0).length;
  const lines = [
    `### dtmetrics stats: series and data points against ${against.ref === null ? '--base' : `\`${against.ref}\``}`,
    '',
    (gaining === 0
      ? '**No new series**; '
      : `**${count(change?.newSeries ?? 0, change?.estimated)} new series** in ${plural(gaining, 'metric')}; `) +
      (points === null
        ? 'no change in points a year without a cadence on both sides (--interval).'
        : `**${signed(points, change?.pointsEstimated)} points/year**.`),
  ];
  if (settings.maxNewSeries >= 0) {
    const over = overTheGate(report, settings);
    lines.push(
      '',
      over.length === 0
        ? `✅ No metric gains more than ${settings.maxNewSeries} new series (\`--max-new-series ${settings.maxNewSeries}\`).`
        : `❌ **Over \`--max-new-series ${settings.maxNewSeries}\`**: ` +
            over.map((m) => `\`${m.key}\` (${signed(m.change?.newSeries ?? 0, m.change?.estimated)})`).join(', ') +
            '.',
    );
  }
  return lines.join('\n') + '\n\n';
}

/** What --base or --base-ref compared, and (in a table: Markdown says it first) what --max-new-series found. */
function comparison(
  report: StatsReport,
  settings: StatsSettings,
  format: 'table' | 'markdown',
  against: Against,
): string {
  const estimated = report.totals.change?.estimated === true || report.totals.change?.pointsEstimated === true;
  const inputs = against.ref === null ? plural(against.names.length, 'input') : plural(against.names.length, 'file');
  const option = against.ref === null ? '--base' : `--base-ref ${against.ref}`;
  const text =
    `Against ${option} (${inputs}): new series are tuples the base has not; Δ points/year is after minus before.` +
    (estimated
      ? ' ~: estimated (past the exact counts, new series from HyperLogLog sketches: |after ∪ before| − |before|).'
      : '');
  if (settings.maxNewSeries < 0 || format === 'markdown') return text;
  const over = overTheGate(report, settings).map((m) => m.key);
  return (
    text +
    (over.length === 0
      ? ` No metric gains more than ${settings.maxNewSeries} new series (--max-new-series).`
      : ` Over --max-new-series ${settings.maxNewSeries}: ${over.join(', ')}.`)
  );
}

/** What the figures rest on: the lines read and left out, the cadence, the limits. */
function footer(
  report: StatsReport,
  settings: StatsSettings,
  format: 'table' | 'markdown',
  against: Against | undefined,
): string {
  const t = report.totals;
  const lines = [
    `${plural(t.lines, 'line')} read: ${plural(t.dataLines, 'data line')} counted` +
      (t.refusedLines > 0
        ? `, ${t.refusedLines.toLocaleString('en-US')} the tenant would refuse left out (see dtmetrics lint)`
        : '') +
      (t.untrackedLines > 0
        ? `, ${t.untrackedLines.toLocaleString('en-US')} of metric keys not followed (past ${count(LIMITS.metricKeysPerEnvironment)}, or past the memory budget) left out`
        : '') +
      '.',
    ...(t.untimedLines === 0
      ? []
      : [
          settings.intervalMs === null
            ? `${plural(t.untimedLines, 'line')} without a timestamp: no cadence given (--interval), so no projection for them.`
            : `${plural(t.untimedLines, 'line')} without a timestamp: sent every ${settings.intervalMs / 1000} s (--interval); sends within a minute are one point per series.`,
        ]),
    ...(t.dataLines > t.untimedLines ? ["Timestamped lines: at the cadence of their timestamps' minutes."] : []),
    ...(against === undefined ? [] : [comparison(report, settings, format, against)]),
    `Points after the ${COST.dedupWindowMinutes.value}-minute dedup; a year is ${count(COST.minutesPerYear.value)} minutes; ${COST.dduPerDataPoint.value} DDU a point (Classic); ` +
      `series are ${share(t.environmentShare)} of the environment's ${count(COST.tuplesPerEnvironment.value)} tuples.`,
  ];
  return '\n' + (format === 'markdown' ? lines.join('\\\n') : lines.join('\n')) + '\n';
}
