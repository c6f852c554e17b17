/** `dtmetrics query`: a metric selector against a tenant, printed as a table of series, JSON or CSV. */
import { parseTimeframe } from '#core/metrics/time.ts';
import { dimensionsText, resultModel, selectorKey, toCsv, type ResultSeries } from '#core/metrics/result-model.ts';
import type { MetricData, V1TimeseriesResult } from '#core/metrics/api.ts';
import { endsWithCountSuffix } from '#core/keys.ts';
import { queryMetrics, V1_AGGREGATIONS, v1Timeseries, type QueryAnswer, type V1Request } from '#http/query.ts';
import { connectionOf, CONNECTION_OPTIONS, REFUSED_OPTIONS, CONNECTION_USAGE, timeoutMs } from './connection-args.ts';
import { UserError } from '#edge/errors.ts';
import type { CommandContext } from './context.ts';
import { parseCommandLine, timeOption } from './options.ts';
import type { Output } from './output.ts';

const QUERY_USAGE = `Usage: dtmetrics query <metric selector> [options]

Queries a tenant's Metrics API v2 (GET /api/v2/metrics/query), for example:
  dtmetrics query 'checkout.latency:filter(eq("region","eu")):splitBy("service"):avg' --from now-30m

Options:
${CONNECTION_USAGE}
  --from <time>                start: epoch ms, ISO-8601 (UTC unless a zone is written) or now-30m,
                               now-2h, now-7d, now-1d/d (default: now-2h)
  --to <time>                  end (default: now)
  --resolution <r>             1m, 5m, 1h, Inf, or a number of points (default: the tenant's, 120 points)
  --format <table|json|csv>    table: one row per series (default); json: the tenant's answer as it came;
                               csv: one row per point (metric, a column per dimension, time, timestamp, value)
  --v1                         older clusters: POST /api/v1/timeseries/{selector}, with --aggregation
                               (AVG, SUM, MIN, MAX, COUNT; default AVG) and --query-mode (series or total)
  --timeout <seconds>          time for the answer (default: 30)
  -h, --help                   show this help

Exit codes: 0 answered (an empty result says so on stderr), 1 the tenant refused or did not answer, 2 usage.`;

export async function runQuery(
  argv: string[],
  { stdout: out, stderr, env, now: clock }: CommandContext,
): Promise<number> {
  const parsed = parseCommandLine(
    'query',
    {
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...CONNECTION_OPTIONS,
        from: { type: 'string' },
        to: { type: 'string' },
        resolution: { type: 'string' },
        format: { type: 'string' },
        v1: { type: 'boolean' },
        aggregation: { type: 'string' },
        'query-mode': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    REFUSED_OPTIONS,
  );
  const v = parsed.values;
  if (v.help) {
    out.write(QUERY_USAGE + '\n');
    return 0;
  }
  if (parsed.positionals.length !== 1) throw new UserError("give one metric selector (see 'dtmetrics query --help')");
  const selector = parsed.positionals[0] as string;
  const format = v.format ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'csv')
    throw new UserError(`--format must be table, json or csv, not '${format}'`);
  const options = { timeoutMs: timeoutMs(v.timeout) };
  const connection = connectionOf(v, env, 'metrics.read');
  const frame = timeOption(parseTimeframe(v.from, v.to, clock()));
  let answer: QueryAnswer<MetricData | V1TimeseriesResult>;
  if (v.v1) {
    const aggregationType = (v.aggregation ?? 'AVG').toUpperCase();
    if (!(V1_AGGREGATIONS as readonly string[]).includes(aggregationType))
      throw new UserError(`--aggregation must be one of ${V1_AGGREGATIONS.join(', ')}, not '${v.aggregation}'`);
    const queryMode = v['query-mode'] ?? 'series';
    if (queryMode !== 'series' && queryMode !== 'total')
      throw new UserError(`--query-mode must be series or total, not '${queryMode}'`);
    const request: V1Request = {
      aggregationType: aggregationType as V1Request['aggregationType'],
      queryMode,
      startTimestamp: frame.from,
      endTimestamp: frame.to,
    };
    answer = await v1Timeseries(connection, selector, request, options);
  } else {
    if (v.aggregation || v['query-mode']) throw new UserError('--aggregation and --query-mode go with --v1');
    answer = await queryMetrics(
      connection,
      { metricSelector: selector, from: String(frame.from), to: String(frame.to), resolution: v.resolution },
      options,
    );
  }
  if (!answer.ok) {
    // A selector mistake points at its character, as a compiler would.
    const caret =
      answer.index !== null && answer.index <= selector.length ? `\n  ${selector}\n  ${' '.repeat(answer.index)}^` : '';
    stderr.write(`dtmetrics: ${answer.message}${caret}\n`);
    return 1;
  }
  const { data, raw } = answer.value;
  const model = resultModel(data);
  const series = model.series;
  if (format === 'json') out.write(raw.endsWith('\n') ? raw : raw + '\n');
  else if (format === 'csv') out.write(toCsv(model));
  else writeTable(out, series);
  for (const w of model.warnings) stderr.write(`warning: ${w}\n`);
  if (series.length === 0)
    stderr.write(
      `no data for ${selector} between ${new Date(frame.from).toISOString()} and ${new Date(frame.to).toISOString()}${endsWithCountSuffix(selectorKey(selector)) ? '' : ' (a count metric is stored as <key>.count)'}\n`,
    );
  return 0;
}

/** Six significant digits, without trailing zeros (250000.3 → 250000, 1.5e-7 → 1.5e-7). */
const number = (v: number | null) =>
  v === null ? '–' : Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));

function writeTable(out: Output, series: readonly ResultSeries[]): void {
  const rows = series.map((s) => [
    s.metricId,
    dimensionsText(s.dimensionMap),
    String(s.summary.points),
    number(s.summary.last),
    number(s.summary.min),
    number(s.summary.max),
    number(s.summary.avg),
  ]);
  const header = ['metric', 'dimensions', 'points', 'last', 'min', 'max', 'avg'];
  // A loop, not Math.max(...rows): a result may have 100,000 series.
  const widths = header.map((h) => h.length);
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] as number, cell.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  out.write(line(header) + '\n');
  for (const r of rows) out.write(line(r) + '\n');
}
