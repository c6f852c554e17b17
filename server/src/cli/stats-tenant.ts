/**
 * `dtmetrics stats --tenant`: the figures of `dtmetrics stats` over what actually arrived at a tenant (issue 15
 * item 4), read through the public Metrics API v2 (http/arrived.ts), so the local tenant and a real environment
 * answer alike: series per metric, points, and the projection at the cadence the points arrived at.
 */
import { parseTimeframe } from '#core/metrics/time.ts';
import { plural } from '#core/text.ts';
import { parseDuration } from '#core/time.ts';
import { withoutCredentials } from '#core/redact.ts';
import { UserError } from '#edge/errors.ts';
import { arrivedWindowProblem, statsOfArrived, type ArrivedStats } from '#http/arrived.ts';
import { connectionOf, CONNECTION_OPTIONS, CONNECTION_USAGE, REFUSED_OPTIONS, timeoutMs } from './connection-args.ts';
import type { CommandContext } from './context.ts';
import { fractionOption, parseCommandLine, timeOption } from './options.ts';
import { statsTable } from './stats-table.ts';

const TENANT_USAGE = `Usage: dtmetrics stats --tenant [options]

The figures of 'dtmetrics stats' over what actually arrived at a tenant, read through its Metrics API v2:
the metrics written since --from (GET /api/v2/metrics?writtenSince=), each queried at one-minute
resolution over the window. A value in a one-minute slot is one data point of its series (the tenant's
one-minute dedup); the cadence is the points over the minutes each metric has been arriving in, so a
metric sent every 5 minutes projects to a fifth of one sent each minute. Built-in metrics (builtin:,
dt.*) are left out: they are not billed. Needs a token with the metrics.read scope.

Options:
${CONNECTION_USAGE}
  --from <time>                start: epoch ms, ISO-8601 or now-30m, now-1h, now-7d (default: now-1h;
                               at most 7 days back: a query answers 10,080 one-minute points a series)
  --to <time>                  end (default: now)
  --metrics <pattern>          metric keys to read, * for any characters (checkout.*); repeatable
                               (default: every metric written since --from)
  --format <table|markdown|json>  output format (default: table)
  --interval <duration>        the cadence of a metric seen in one minute only (it shows none)
  --price-per-point <n>        your rate card's price of one data point (e.g. 0.0000015)
  --timeout <seconds>          time for each answer (default: 30)
  -h, --help                   show this help

Exit codes: 0 figures written, 1 the tenant refused or did not answer (the list, or a metric: the
figures of the others are written), 2 usage.`;

const FORMATS = ['table', 'markdown', 'json'] as const;
type Format = (typeof FORMATS)[number];

export async function runTenantStats(
  argv: string[],
  { stdout: out, stderr, env, now: clock }: CommandContext,
): Promise<number> {
  const parsed = parseCommandLine(
    'stats',
    {
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        tenant: { type: 'boolean' },
        ...CONNECTION_OPTIONS,
        from: { type: 'string' },
        to: { type: 'string' },
        metrics: { type: 'string', multiple: true },
        format: { type: 'string' },
        interval: { type: 'string' },
        'price-per-point': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    REFUSED_OPTIONS,
  );
  const v = parsed.values;
  if (v.help) {
    out.write(TENANT_USAGE + '\n');
    return 0;
  }
  if (parsed.positionals.length > 0)
    throw new UserError(
      `--tenant reads what arrived at a tenant, not files ('${parsed.positionals[0]}'): leave out --tenant to read files`,
    );
  const format = (v.format ?? 'table') as Format;
  if (!FORMATS.includes(format))
    throw new UserError(`--format must be one of ${FORMATS.join(', ')}, not '${v.format}'`);
  const patterns = (v.metrics ?? []).map((p) => p.trim());
  // A selector's separators would make one pattern several, or a transformation.
  const badPattern = patterns.find((p) => p === '' || /[,:()]/.test(p));
  if (badPattern !== undefined)
    throw new UserError(
      `--metrics takes a metric key or a pattern with * ('checkout.*'), one per option, not '${badPattern}'`,
    );
  const options = {
    intervalMs: v.interval === undefined ? null : timeOption(parseDuration(v.interval, '--interval')),
    pricePerPoint:
      v['price-per-point'] === undefined ? null : fractionOption('--price-per-point', v['price-per-point']),
  };
  const connection = connectionOf(v, env, 'metrics.read');
  const frame = timeOption(parseTimeframe(v.from ?? 'now-1h', v.to, clock()));
  const tooLong = arrivedWindowProblem(frame.from, frame.to);
  if (tooLong !== null) throw new UserError(`--from: ${tooLong}`);
  const answer = await statsOfArrived(connection, { ...frame, patterns }, options, { timeoutMs: timeoutMs(v.timeout) });
  if (!answer.ok) {
    stderr.write(`dtmetrics: ${answer.message}\n`);
    return 1;
  }
  const arrived = answer.value;
  const tenant = withoutCredentials(
    connection.urls.metrics?.replace(/\/api\/v2\/metrics$/, '') ?? connection.urls.ingest,
  );
  const window = { tenant, from: new Date(frame.from).toISOString(), to: new Date(frame.to).toISOString() };
  if (format === 'json') {
    const atLeast = Object.fromEntries(arrived.atLeast);
    const { report, warnings, notRead, builtinLeftOut } = arrived;
    out.write(
      JSON.stringify(
        { ...window, ...options, patterns, builtinLeftOut, atLeast, notRead, warnings, ...report },
        null,
        2,
      ) + '\n',
    );
  } else {
    out.write(`What arrived at ${tenant} between ${window.from} and ${window.to}\n\n`);
    out.write(statsTable(arrived.report, options.pricePerPoint, format));
    out.write(tenantFooter(arrived, options.intervalMs, window.from, format));
  }
  for (const w of arrived.warnings) stderr.write(`warning: ${w}\n`);
  for (const { key, reason } of arrived.notRead) stderr.write(`dtmetrics: ${key}: ${reason}\n`);
  return arrived.notRead.length > 0 ? 1 : 0;
}

/** What the figures rest on: the metrics read and left out, the lower bounds, the cadence. */
function tenantFooter(arrived: ArrivedStats, intervalMs: number | null, from: string, format: Format): string {
  const { report, atLeast, notRead, builtinLeftOut } = arrived;
  const lines = [
    ...(report.totals.metrics === 0 && notRead.length === 0
      ? [
          `No metric${builtinLeftOut > 0 ? ' but built-in ones' : ''} was written since ${from} (--from), or matches --metrics.`,
        ]
      : []),
    `${plural(report.totals.metrics, 'metric')} read, ${plural(report.totals.dataLines, 'data point')}` +
      (builtinLeftOut > 0
        ? `; ${plural(builtinLeftOut, 'built-in metric')} (builtin:, dt.*) left out: not billed`
        : '') +
      (notRead.length > 0
        ? `; ${plural(notRead.length, 'metric')} not read: ${notRead.map((n) => n.key).join(', ')}`
        : '') +
      '.',
    ...[...atLeast].map(([key, reasons]) => `At least, for ${key}: ${reasons.join('; ')}.`),
    'A value in a one-minute slot is one data point; the cadence is the points over the minutes each metric has been arriving in' +
      (intervalMs === null ? '.' : `, or every ${intervalMs / 1000} s (--interval) for a metric seen in one minute.`),
  ];
  return '\n' + (format === 'markdown' ? lines.join('\\\n') : lines.join('\n')) + '\n';
}
