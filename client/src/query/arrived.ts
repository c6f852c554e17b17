/**
 * The Cardinality view's tenant scope (in the query bundle: it holds the HTTP client): the figures of what arrived
 * at the selected environment in the last hour, as `dtmetrics stats --tenant` reads them (http/arrived.ts), in the
 * shape the language server answers a document's or the workspace's (dtmetrics/cardinality), so the view shows them
 * alike.
 */
import type { StatsOptions } from '#core/stats/analysis.ts';
import { plural } from '#core/text.ts';
import { statsOfArrived } from '#http/arrived.ts';
import type { CardinalityResult } from '#protocol';
import type { Environments } from '../environments/environments.ts';

/** The window the view reads: long enough for an app's cadence to show, short enough for one-minute points (60 a series). */
export const ARRIVED_WINDOW_MS = 60 * 60_000;

export interface ArrivedFigures {
  result: CardinalityResult;
  /** The environment read, by name. */
  environment: string;
  /** Per metric whose figures are lower bounds, why. */
  atLeast: Record<string, string[]>;
  /** What the view's message adds: metrics not read, built-in ones left out, the tenant's warnings. */
  notes: string[];
  /** Metrics listed that could not be read. */
  notRead: number;
}

/** Metrics not read named in the view's message, at most: the rest counted. */
const NAMED_NOT_READ = 3;

/**
 * Reads the selected environment; null when it needs a token (or consent to send one over http://) that was not
 * given, or, unless `ask`, that would have to be asked for. Throws a one-line failure.
 */
export async function arrivedFigures(
  environments: Environments,
  options: StatsOptions,
  now: number,
  signal: AbortSignal,
  ask: boolean,
): Promise<ArrivedFigures | null> {
  const environment = environments.resolve();
  const connection = await environments.connection(environment, ask);
  if (connection === undefined) return null;
  const answer = await statsOfArrived(connection, { from: now - ARRIVED_WINDOW_MS, to: now, patterns: [] }, options, {
    signal,
  });
  if (!answer.ok) throw new Error(answer.message);
  const { report, atLeast, notRead, builtinLeftOut, warnings } = answer.value;
  const named = notRead.slice(0, NAMED_NOT_READ).map((m) => `${m.key} (${m.reason})`);
  const more = notRead.length - named.length;
  const notes = [
    ...(notRead.length === 0
      ? []
      : [
          `${plural(notRead.length, 'metric')} not read: ${named.join(', ')}${more > 0 ? ` and ${more.toLocaleString('en-US')} more` : ''}`,
        ]),
    ...(builtinLeftOut === 0 ? [] : [`${plural(builtinLeftOut, 'built-in metric')} left out (not billed)`]),
    ...warnings,
  ];
  return {
    result: { metrics: report.metrics, totals: report.totals, firstLines: {}, files: 0, skipped: [] },
    environment: environment.name,
    atLeast: Object.fromEntries(atLeast),
    notes,
    notRead: notRead.length,
  };
}
