/**
 * The figures' table of `dtmetrics stats`, as text or Markdown: what the command writes for files and for what
 * arrived at a tenant (stats-tenant.ts) alike.
 */
import type { MetricStats, Projection, StatsReport } from '#core/stats/analysis.ts';
import { count, decimal, dimensionNotes, hostBoundNote, signed } from '#core/stats/describe.ts';
import { plural } from '#core/text.ts';

const optional = (n: number | null, show: (n: number) => string): string => (n === null ? '—' : show(n));

/** What a metric row says besides its figures. */
function metricNotes(m: MetricStats): string {
  const notes: string[] = [];
  if (m.removed === true) notes.push('only in --base: removed');
  else if (m.cadence === null) notes.push('no cadence: give --interval');
  if (m.daysToTupleLimit !== null)
    notes.push(`+${count(m.newSeriesPerDay ?? 0)} series/day: 1 M in ${decimal(m.daysToTupleLimit, 1)} days`);
  if (m.untrackedDimensions > 0) notes.push(`${plural(m.untrackedDimensions, 'more dimension key')} not shown`);
  const hostBound = hostBoundNote(m);
  if (hostBound !== null) notes.push(hostBound);
  if (m.estimated) notes.push('estimated');
  return notes.join('; ');
}

/**
 * The figures' table, a row per metric and per dimension key, and the total (stats-tenant.ts writes it too); with a
 * base, the metrics that gain series first.
 */
export function statsTable(report: StatsReport, pricePerPoint: number | null, format: 'table' | 'markdown'): string {
  const priced = pricePerPoint !== null;
  const compared = report.totals.change !== undefined;
  const header = [
    'metric / dimension',
    'series',
    'dims',
    'values',
    '×series',
    'points/day',
    'points/year',
    'DDU/year',
    ...(priced ? ['cost/year'] : []),
    ...(compared ? ['new series', 'Δ points/year'] : []),
    'notes',
  ];
  /** A metric's or the total's row: name, series, dims, the projection, notes. */
  const projectionRow = (name: string, p: Projection, dims: string, notes: string): string[] => [
    name,
    count(p.series, p.estimated),
    dims,
    '',
    '',
    optional(p.pointsPerDay, (v) => count(v)),
    optional(p.pointsPerYear, (v) => count(v)),
    optional(p.dduPerYear, (v) => decimal(v, 1)),
    ...(priced ? [optional(p.costPerYear, (v) => decimal(v, 2))] : []),
    ...(p.change === undefined
      ? []
      : [
          count(p.change.newSeries, p.change.estimated),
          optional(p.change.pointsPerYear, (v) => signed(v, p.change?.pointsEstimated)),
        ]),
    notes,
  ];
  const rows: string[][] = [];
  for (const m of compared ? gainersFirst(report.metrics) : report.metrics) {
    rows.push(projectionRow(m.key, m, String(m.dimensions.length), metricNotes(m)));
    for (const d of m.dimensions) {
      const row = header.map(() => '');
      row.splice(0, 1, `  ${d.key}`);
      row.splice(3, 2, count(d.values, d.estimated), `×${decimal(d.multiplier, 2)}`);
      row.splice(-1, 1, dimensionNotes(d, m.dimensions));
      rows.push(row);
    }
  }
  const t = report.totals;
  const partial = t.partial && t.pointsPerYear !== null ? 'sums of the metrics with a cadence' : '';
  rows.push(projectionRow(`total (${plural(t.metrics, 'metric')})`, t, '', partial));
  return format === 'table' ? alignedTable(header, rows) : markdownTable(header, rows);
}

/** With a base, the metrics that gain series come first, the most first: what a reviewer looks at. */
const gainersFirst = (metrics: readonly MetricStats[]): MetricStats[] =>
  [...metrics].sort((a, b) => (b.change?.newSeries ?? 0) - (a.change?.newSeries ?? 0));

/** Right-aligned figures, left-aligned names and notes; no trailing blanks. */
function alignedTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const last = header.length - 1;
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 || i === last ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function markdownTable(header: string[], rows: string[][]): string {
  // Keys in code spans (a dimension row marked ↳), the total row as it is.
  const cell = (text: string, i: number, row: number) => {
    const escaped = text.replaceAll('|', '\\|');
    if (i !== 0 || row === rows.length - 1) return escaped;
    return text.startsWith('  ') ? `↳ \`${escaped.trim()}\`` : `\`${escaped}\``;
  };
  const align = header.map((_, i) => (i === 0 || i === header.length - 1 ? '---' : '--:'));
  const line = (cells: string[], row: number) => `| ${cells.map((text, i) => cell(text, i, row)).join(' | ')} |`;
  return [`| ${header.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map(line)].join('\n') + '\n';
}
