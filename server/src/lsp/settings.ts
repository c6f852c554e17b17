/** The `dtmetrics.*` settings the language server reads through `workspace/configuration`, and their defaults. */
import { type FileDirectives, windowApplies } from '#core/directives.ts';
import type { LintOptions } from '#core/lint.ts';
import { parseDuration, MINUTE } from '#core/time.ts';
import { isRuleCode, isSeveritySetting, LIMITS, type RuleCode, type SeveritySetting } from '#core/rules.ts';

export interface ServerSettings {
  /** `check` against the clock; `off` for fixture folders (settable per folder). */
  timestampWindow: 'check' | 'off';
  /** Severity per rule code, or `off`. */
  severities: Partial<Record<RuleCode, SeveritySetting>>;
  cardinalityBudget: number;
  /** The limits the sources disagree on (rules.ts, MK008 and DV005). */
  metricKeyMaxLength: number;
  dimensionValueMaxLength: number;
  /** At most this many diagnostics per document; a note says how many more there are. */
  maxDiagnostics: number;
  /** `dtmetrics.stats.*`: the cost and cardinality figures (CodeLens, hover, MK015). */
  stats: StatsSettings;
}

export interface StatsSettings {
  /** How often lines without a timestamp are sent (`dtmetrics.stats.interval`, a duration). */
  intervalMs: number;
  /** A price per data point; null: not set (no cost shown). */
  pricePerPoint: number | null;
  /** Whether the CodeLens over each metric's first line shows. */
  codeLens: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  timestampWindow: 'check',
  severities: {},
  cardinalityBudget: LIMITS.cardinalityBudget,
  metricKeyMaxLength: LIMITS.metricKeyMaxLength,
  dimensionValueMaxLength: LIMITS.dimensionValueMaxLength,
  maxDiagnostics: 1000,
  stats: { intervalMs: MINUTE, pricePerPoint: null, codeLens: true },
};

/**
 * The `dtmetrics.stats.*` settings as package.json declares them, DEFAULT_SETTINGS.stats as read. One send a minute:
 * the dedup window (one point per series a minute, COST), and the cadence of most exporters.
 */
export const STATS_SETTING_DEFAULTS = {
  'stats.interval': '1m',
  'stats.pricePerPoint': null,
  'stats.codeLens': true,
} as const;

/**
 * In the editor, a timestamp out of the window is a warning, not an error (PROTOCOL §10, TS003: "error at send,
 * warning in the editor"): the line is right, only the clock moved. A user setting overrides this.
 */
const EDITOR_SEVERITIES: Partial<Record<RuleCode, SeveritySetting>> = { TS003: 'warning' };

/** Settings as the client sent them (any shape), made whole and valid; unknown values fall back to defaults. */
export function readSettings(raw: unknown): ServerSettings {
  const value = (raw ?? {}) as Partial<Record<keyof ServerSettings, unknown>>;
  const count = (v: unknown, fallback: number) =>
    typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
  const severities: ServerSettings['severities'] = {};
  if (value.severities && typeof value.severities === 'object') {
    for (const [code, severity] of Object.entries(value.severities as Record<string, unknown>)) {
      const upper = code.toUpperCase();
      if (isRuleCode(upper) && isSeveritySetting(severity)) severities[upper] = severity;
    }
  }
  return {
    timestampWindow: value.timestampWindow === 'off' ? 'off' : 'check',
    severities,
    cardinalityBudget: count(value.cardinalityBudget, DEFAULT_SETTINGS.cardinalityBudget),
    metricKeyMaxLength: count(value.metricKeyMaxLength, DEFAULT_SETTINGS.metricKeyMaxLength),
    dimensionValueMaxLength: count(value.dimensionValueMaxLength, DEFAULT_SETTINGS.dimensionValueMaxLength),
    maxDiagnostics: count(value.maxDiagnostics, DEFAULT_SETTINGS.maxDiagnostics),
    stats: readStatsSettings(value.stats),
  };
}

function readStatsSettings(raw: unknown): StatsSettings {
  const value = (raw ?? {}) as Partial<Record<'interval' | 'pricePerPoint' | 'codeLens', unknown>>;
  const defaults = DEFAULT_SETTINGS.stats;
  const interval = typeof value.interval === 'string' ? parseDuration(value.interval, 'interval') : null;
  const price = value.pricePerPoint;
  return {
    intervalMs: interval?.ok === true ? interval.value : defaults.intervalMs,
    pricePerPoint: typeof price === 'number' && Number.isFinite(price) && price > 0 ? price : null,
    codeLens: value.codeLens !== false,
  };
}

/** The lint options of these settings, all but the clock (windowNow): they hold for every version of a document. */
export function lintOptions(settings: ServerSettings): Omit<LintOptions, 'now'> {
  return {
    severities: { ...EDITOR_SEVERITIES, ...settings.severities },
    limits: {
      cardinalityBudget: settings.cardinalityBudget,
      metricKeyMaxLength: settings.metricKeyMaxLength,
      dimensionValueMaxLength: settings.dimensionValueMaxLength,
    },
  };
}

/**
 * The time to check a document's timestamps against under these settings: `now`, or null where the window is off
 * (by the setting, or by the document's own directive: `// dtmetrics: timestamps=rebase`).
 */
export function windowNow(settings: ServerSettings, directives: FileDirectives, now: number): number | null {
  return settings.timestampWindow === 'off' || !windowApplies(directives) ? null : now;
}
