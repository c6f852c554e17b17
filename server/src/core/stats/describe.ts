/**
 * The words and number forms of the cost and cardinality figures, shared by `dtmetrics stats` and the editor (its
 * CodeLens, hover and MK015), so that both say the same thing the same way (README, "dtmetrics stats").
 */
import { COST } from '../rules.ts';
import { SHAPE_NAMES } from './shapes.ts';
import type { DimensionStats, MetricStats, Volatility } from './analysis.ts';

/** A whole count with thousands separators, `~` before an estimate. */
export const count = (n: number, estimated = false): string =>
  (estimated ? '~' : '') + Math.round(n).toLocaleString('en-US');

/** A change: `+` before a gain, `~` before an estimate. */
export const signed = (n: number, estimated = false): string => (estimated ? '~' : '') + (n > 0 ? '+' : '') + count(n);

export const decimal = (n: number, digits: number): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A large figure in a few characters: 6,832,800 as `6.8 M`. */
export function compact(n: number): string {
  const units: Array<[number, string]> = [
    [1e9, ' bn'],
    [1e6, ' M'],
    [1e3, ' k'],
  ];
  for (const [size, unit] of units) if (n >= size) return decimal(n / size, n / size < 100 ? 1 : 0) + unit;
  return count(n);
}

/** What makes a dimension volatile, as the table's notes say it. */
export function volatileNote(volatile: Volatility): string {
  const share = `${Math.round(volatile.share * 100)} %`;
  return volatile.reason === 'new-values'
    ? `a new value on ${share} of lines after the first minute`
    : `${share} of values are ${SHAPE_NAMES[volatile.reason]}`;
}

/** The notes of a dimension's row: volatile, determined by, adds no series. */
export function dimensionNotes(d: DimensionStats, dimensions: readonly DimensionStats[]): string {
  const notes: string[] = [];
  if (d.volatile !== null) notes.push(`volatile: ${volatileNote(d.volatile)}`);
  if (d.determinedBy !== null && d.determinedBy.length > 0) {
    const mutual = d.determinedBy.filter((key) => dimensions.find((o) => o.key === key)?.determinedBy?.includes(d.key));
    notes.push(
      `determined by ${d.determinedBy.join(', ')}` +
        (mutual.length > 0 ? ` (one value each way with ${mutual.join(', ')}: ${whichToKeep(d.key, mutual)})` : ''),
    );
  } else if (d.values === 1 && !d.estimated) notes.push('one value: adds no series');
  else if (d.multiplier === 1 && d.volatile === null && !d.estimated) notes.push('adds no series');
  return notes.join('; ');
}

/** Of two keys that name the same thing, which to keep: an entity (`dt.entity.*`) binds the series to it. */
function whichToKeep(key: string, mutual: readonly string[]): string {
  if (key.startsWith('dt.entity.')) return 'keep this one, the entity';
  return mutual.some((other) => other.startsWith('dt.entity.')) ? 'drop this one, the entity stays' : 'keep one';
}

/** A metric's figures in one line, over its first line in an editor: `13 series · 3 dims · ~6.8 M points/yr`. */
export function metricSummary(m: MetricStats): string {
  const parts = [
    `${count(m.series, m.estimated)} series`,
    `${m.dimensions.length} ${m.dimensions.length === 1 ? 'dim' : 'dims'}`,
    // A projection is an estimate whatever the counts: `~`.
    m.pointsPerYear === null ? 'points/yr: no cadence' : `~${compact(m.pointsPerYear)} points/yr`,
  ];
  if (m.costPerYear !== null)
    parts.push(`~$${m.costPerYear < 100 ? decimal(m.costPerYear, 2) : compact(m.costPerYear)}/yr`);
  return parts.join(' · ');
}

/**
 * What a metric's cost depends on besides its points: bound to hosts (a `dt.entity.host` dimension), Classic counts
 * it first against the hosts' included metrics (COST, DOC D24); null for a metric of no host.
 */
export function hostBoundNote(m: MetricStats): string | null {
  if (!m.dimensions.some((d) => d.key === 'dt.entity.host')) return null;
  const fullStack = count(COST.includedMetricsPerHostUnit.value);
  const infrastructure = count(COST.includedMetricsPerInfrastructureHost.value);
  return `host-bound: Classic takes it first from its hosts' included metrics (${fullStack} a Full-Stack host unit, ${infrastructure} an Infrastructure host) before DDU`;
}
