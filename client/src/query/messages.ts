/**
 * Every message between the extension and the query results panel (a webview), and the view they carry: the one
 * typed module both sides import (ARCHITECTURE.md, invariant 4). No `vscode`, no DOM: the extension bundle and the
 * webview bundle both compile it. It holds one function, formatValue, which says what a ValueFormat means.
 *
 * The extension owns the data (the whole result, the raw response) and answers the webview's requests; the
 * webview owns only what it shows, and keeps the last view in its saved state (`vscode.setState`) so that the
 * panel comes back after a window reload. Every string in a view may come from a tenant: the webview sets it as
 * text (`textContent`), never as HTML.
 */
import { NO_UNIT, type UnitText } from '#core/metrics/units.ts';
import type { V1Aggregation } from '#http/query.ts';

/** The results panel's view type: the extension creates its panel with it, VS Code restores the panel by it. */
export const RESULTS_VIEW_TYPE = 'dtmetrics.queryResults';

/** A query as it was asked, with what a rerun needs (never a token). */
export type { V1Aggregation };

export interface QuerySpec {
  /** The environment's name (the token stays in SecretStorage under it). */
  environment: string;
  /** Metrics API v2: a metric selector; Timeseries API v1 (older clusters): a timeseries id. */
  metricSelector: string;
  /** As written: a time of the one time grammar (server/src/core/time.ts), sent as ms; e.g. `now-2h`. */
  from: string;
  /** Absent: now. */
  to?: string;
  /** v2 only. Absent: the tenant's default (120 points); `1m`, `5m`, `1h`, `Inf`, or a point count. */
  resolution?: string;
  /** v1 only (default AVG). */
  aggregation?: V1Aggregation;
  /** v1 only (default series): `total` gives one value per series for the whole time range. */
  queryMode?: 'series' | 'total';
}

/** How a value is written: `decimals` fraction digits, thousands grouped, then `suffix` (` ms`, `%`, or none). */
export interface ValueFormat {
  decimals: number;
  suffix: string;
}

/** 1234.5 with 1 decimal and ` ms` → `1,234.5 ms`; no value → `—`. */
export function formatValue(value: number | null | undefined, format: ValueFormat): string {
  if (value === null || value === undefined) return '—';
  const digits = { minimumFractionDigits: format.decimals, maximumFractionDigits: format.decimals };
  return `${value.toLocaleString('en-US', digits)}${format.suffix}`;
}

/** The metric's unit as written after values (` ms`) and on the axis and column heads (`ms`). */
export { NO_UNIT, type UnitText };

/** The table's columns of values; each is written with its own number of decimals. */
export type ValueColumn = 'last' | 'min' | 'max' | 'avg';

/** The aggregate the chart picks its top N series by. */
export type RankBy = 'max' | 'avg' | 'last' | 'min';
export const RANKINGS: readonly RankBy[] = ['max', 'avg', 'last', 'min'];
export const TOP_N_CHOICES: readonly number[] = [5, 10, 20, 50, 100, 200];

/** One line of the table: a series' dimensions and summary. `series` is its index in the result. */
export interface SeriesRow {
  series: number;
  metricId: string;
  dimensions: [string, string][];
  last: number | null;
  min: number | null;
  max: number | null;
  avg: number | null;
  /** Non-null values. */
  points: number;
}

/** One charted series. */
export interface ChartSeries {
  /** Its index in the result (the table's row). */
  series: number;
  /** Every dimension as `key=value` (and the metric, when the result has several): the legend's tooltip. */
  label: string;
  /** What the legend shows: the dimension values (after the metric, when several), joined by ` · `. */
  short: string;
  values: (number | null)[];
  /** The line bridges missing values between two points at most this far apart (ms): the series' usual step. */
  bridgeMs: number;
  /** Indexes of the points no line reaches (one alone, or between pauses): drawn as markers. */
  markers: number[];
}

/**
 * What the chart draws: the top N series on one time axis (slot ends, epoch ms), null where a series has no value.
 * The axis spans the data, not the whole time range asked for: from the first value to the last, with a slot of
 * room (nulls) at either end; a single instant in the middle of a window around it.
 */
export interface ChartData {
  timestamps: number[];
  series: ChartSeries[];
  /** Decimals of the values the legend shows, over every charted value. */
  decimals: number;
  /** The dimension keys every charted series has, in the same order: the legend names them once. */
  keys: string[];
  rankBy: RankBy;
  topN: number;
  /** Series in the result (the table has them all). */
  total: number;
  /** Of them, series with no value at all (never charted). */
  empty: number;
}

export interface Banner {
  level: 'error' | 'warning' | 'info';
  text: string;
  /** Reasons or hints, one a line. */
  details?: string[];
  /** A selector with a mistake, and where it is (a caret goes under that character). */
  at?: { text: string; index: number };
}

/** One whole state of the panel. */
export interface PanelView {
  /** Names this view; the webview's `rendered` report repeats it. Unique across window reloads. */
  renderId: string;
  title: string;
  /** Where and how: environment, time range, resolution, timing. */
  facts: string[];
  banners: Banner[];
  rows: SeriesRow[];
  /** Decimals of each column of values, over all rows. */
  decimals: Record<ValueColumn, number>;
  /** The metric's unit (its descriptor's; none when the tenant did not say). */
  unit: UnitText;
  chart: ChartData | null;
  /** A query is under way: the webview offers Cancel and dims the previous result. */
  loading: boolean;
  /** Rerun and Edit apply (a query, not a file that was opened). */
  canRerun: boolean;
  /** The extension holds the data: Raw, CSV, JSON and the chart's ranking apply. */
  hasData: boolean;
}

/** What the webview saves with `vscode.setState`, and the extension receives again in `deserializeWebviewPanel`. */
export interface PanelState {
  /** A state saved by another version of the panel is not drawn (its view may lack fields this one reads). */
  version: typeof PANEL_STATE_VERSION;
  /** The view shown, its rows cut to the charted ones and the first STATE_ROWS (the state is copied at each save). */
  view: PanelView;
  /** Rows left out of `view`. */
  omittedRows: number;
  /** The query shown, so that a restored panel can rerun it. */
  spec: QuerySpec | null;
}

export const PANEL_STATE_VERSION = 2;

/** Table rows the saved state keeps besides the charted ones. */
export const STATE_ROWS = 2000;

// ---------------------------------------------------------------------------------------------------------------
// Extension → webview

export type ToWebview =
  /** Sent for each new state: a result, a failure, a query under way, or the view again after `ready`. */
  | { type: 'view'; view: PanelView; spec: QuerySpec | null }
  /** The answer to `rank`: another top N, the table unchanged. */
  | { type: 'chart'; renderId: string; chart: ChartData }
  /** The answer to `showRaw`: the tenant's response as it came, cut at `RAW_LIMIT` characters. */
  | { type: 'raw'; text: string; omitted: number };

/** The most raw response text the panel shows; the rest is counted (export JSON for all of it). */
export const RAW_LIMIT = 1_000_000;

// ---------------------------------------------------------------------------------------------------------------
// Webview → extension

/** What the webview drew, measured in the webview: the tests' and the benchmark's view of the panel. */
export interface RenderReport {
  renderId: string;
  /** From the message's arrival to the end of the chart's draw (or of the table, without a chart), in ms. */
  ms: number;
  /** Series labels in the chart's legend (each entry's full text, its tooltip; read from the DOM), in order. */
  chartSeries: string[];
  /** The values the legend shows beside them (the last value of each, with the unit), read from the DOM. */
  legendValues: string[];
  /** The unit over the chart's value axis, read from the DOM (empty: none). */
  axisUnit: string;
  /** Values drawn: the charted series' values that are not null. */
  chartPoints: number;
  /** Of them, points drawn as markers (no line reaches them). */
  markers: number;
  /** The chart canvas's size in pixels (0 × 0: nothing drawn). */
  canvas: { width: number; height: number };
  /** Table rows matching the filter (all pages). */
  tableRows: number;
  /** Texts of the banners shown. */
  banners: string[];
  /** Drawn from the webview's saved state (a window reload, the panel shown again), not from a message. */
  fromState: boolean;
}

export type ToExtension =
  /** The script runs (a new panel, a reload, or the panel shown again): send the current view unless it shows it. */
  | { type: 'ready'; shownRenderId: string | null }
  /** After each view or chart is drawn. */
  | { type: 'rendered'; report: RenderReport }
  /** The user chose another top N or aggregate for the chart. */
  | { type: 'rank'; rankBy: RankBy; topN: number }
  /** Buttons: run the shown query again, change it (the quick picks), stop the one under way. */
  | { type: 'rerun' }
  | { type: 'edit' }
  | { type: 'cancel' }
  /** Show the raw response. */
  | { type: 'showRaw' }
  /** Save the result; the extension asks where (a save dialog). */
  | { type: 'export'; format: ExportFormat };

export type ExportFormat = 'csv' | 'json';
