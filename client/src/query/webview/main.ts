/**
 * The results panel's script (dist/query-webview.js, with uPlot; its CSS in dist/query-webview.css). It draws what
 * the extension sends (messages.ts) and asks it for the rest: the raw response, another ranking, exports. Every
 * string is set as text. After each view or chart it reports what it drew and how long that took, from the
 * message's arrival to the end of the chart's draw. It saves its view with `setState`, and draws that saved view
 * at once when it starts again (the panel shown again, a window reload).
 */
import 'uplot/dist/uPlot.min.css';
import './panel.css';
import {
  PANEL_STATE_VERSION,
  RANKINGS,
  STATE_ROWS,
  TOP_N_CHOICES,
  type Banner,
  type ChartData,
  type PanelState,
  type PanelView,
  type QuerySpec,
  type RankBy,
  type ToExtension,
  type ToWebview,
} from '../messages.ts';
import { Chart } from './chart.ts';
import { button, element, select } from './dom.ts';
import { seriesStyles, type SeriesStyle } from './series-style.ts';
import { DEFAULT_TABLE_SETTINGS, SeriesTable, type TableSettings } from './table.ts';

interface VsCodeApi {
  postMessage(message: ToExtension): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** The extension's part (PanelState, given back to it at a reload) and the table's settings. */
interface SavedState extends PanelState {
  table: TableSettings;
}

const RANK_LABELS: Record<RankBy, string> = { max: 'maximum', avg: 'average', last: 'last value', min: 'minimum' };

const vscode = acquireVsCodeApi();
const post = (message: ToExtension) => vscode.postMessage(message);
const state = vscode.getState() as Partial<SavedState> | undefined;
// A state saved by another version of the panel may lack what this one reads: the extension sends the view again.
const saved = state?.version === PANEL_STATE_VERSION ? (state as SavedState) : undefined;

let view: PanelView | null = null;
let spec: QuerySpec | null = null;
let tableSettings: TableSettings = saved?.table ?? DEFAULT_TABLE_SETTINGS;

const title = element('h1');
const facts = element('div', { className: 'facts' });
const rerun = button('Rerun', 'Run this query again', () => post({ type: 'rerun' }));
const edit = button('Edit Query…', 'Change the selector, time range or resolution', () => post({ type: 'edit' }));
const cancel = button('Cancel', 'Stop the query under way', () => post({ type: 'cancel' }));
const rawButton = button('Raw Response', "Show the tenant's response as it came", toggleRaw);
const csv = button('Export CSV', 'Save every point as CSV', () => post({ type: 'export', format: 'csv' }));
const json = button('Export JSON', "Save the result in the Metrics API v2 response's shape", () =>
  post({ type: 'export', format: 'json' }),
);
const banners = element('div', { className: 'banners' });
const topN = select(
  TOP_N_CHOICES,
  (n) => String(n),
  (n) => rank(n, currentRanking()),
);
const rankBy = select(
  RANKINGS,
  (r) => RANK_LABELS[r],
  (r) => rank(Number(topN.value), r),
);
const note = element('span', { className: 'note' });
const chart = new Chart();
const table = new SeriesTable(tableSettings, (settings) => {
  tableSettings = settings;
  save();
});
const raw = element('pre', { className: 'raw' });
raw.hidden = true;

document.body.append(
  element(
    'header',
    {},
    title,
    facts,
    element('div', { className: 'toolbar' }, rerun, edit, cancel, rawButton, csv, json),
  ),
  banners,
  element(
    'section',
    { className: 'chart-section' },
    element(
      'div',
      { className: 'chart-controls' },
      element('span', { text: 'Chart the top' }),
      topN,
      element('span', { text: 'series by' }),
      rankBy,
      note,
    ),
    chart.element,
  ),
  table.element,
  raw,
);

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const received = performance.now();
  const message = event.data;
  switch (message.type) {
    case 'view':
      spec = message.spec;
      show(message.view, received, false);
      return;
    case 'chart':
      if (!view) return;
      view = { ...view, renderId: message.renderId, chart: message.chart };
      table.restyle(chartStyles(message.chart));
      drawChart(view, received, false);
      save();
      return;
    case 'raw':
      raw.textContent =
        readable(message.text) +
        (message.omitted > 0
          ? `\n… ${message.omitted.toLocaleString('en-US')} more characters (Export JSON saves the whole result)`
          : '');
      return;
  }
});

// A theme change sets the body's class and the CSS variables on <html>: the chart and the glyphs take the new looks.
let rethemeQueued = false;
const retheme = new MutationObserver(() => {
  if (rethemeQueued) return;
  rethemeQueued = true;
  requestAnimationFrame(() => {
    rethemeQueued = false;
    chart.retheme();
    table.restyle(chartStyles(view?.chart ?? null));
  });
});
retheme.observe(document.body, { attributes: true, attributeFilter: ['class'] });
retheme.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });

if (saved) {
  spec = saved.spec;
  show(saved.view, performance.now(), true);
}
// A state with rows left out is not the whole view: the extension sends the view again if it still has it.
post({ type: 'ready', shownRenderId: saved && saved.omittedRows === 0 ? saved.view.renderId : null });

function show(next: PanelView, started: number, fromState: boolean): void {
  view = next;
  raw.hidden = true;
  rawButton.textContent = 'Raw Response';
  title.textContent = next.title;
  facts.textContent = next.facts.join(' · ');
  rerun.disabled = edit.disabled = !next.canRerun || next.loading || spec === null;
  cancel.hidden = !next.loading;
  for (const control of [rawButton, csv, json, topN, rankBy]) control.disabled = !next.hasData;
  banners.replaceChildren(...next.banners.map(bannerElement));
  table.show(next.rows, next.decimals, next.unit, chartStyles(next.chart));
  drawChart(next, started, fromState);
  save();
}

function drawChart(shown: PanelView, started: number, fromState: boolean): void {
  const data = shown.chart;
  if (data) {
    topN.value = String(data.topN);
    rankBy.value = data.rankBy;
  }
  note.textContent = chartNote(data);
  chart.render(data, shown.unit, () => report(shown, started, fromState));
}

function report(shown: PanelView, started: number, fromState: boolean): void {
  const ms = performance.now() - started;
  const texts = (selector: string) => [...chart.element.querySelectorAll(selector)].map((e) => e.textContent ?? '');
  const unit = chart.element.querySelector<HTMLElement>('.axis-unit');
  const markers = chart.element.querySelector<HTMLElement>('.plot')?.dataset.markers ?? '';
  post({
    type: 'rendered',
    report: {
      renderId: shown.renderId,
      ms,
      chartSeries: [...chart.element.querySelectorAll<HTMLElement>('.legend li')].map((entry) => entry.title),
      legendValues: texts('.legend li .value'),
      axisUnit: unit && !unit.hidden ? (unit.textContent ?? '') : '',
      chartPoints: (shown.chart?.series ?? []).reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0),
      markers: markers === '' ? 0 : markers.split(' ').length,
      canvas: chart.canvasSize(),
      tableRows: table.matchingRows,
      banners: [...banners.querySelectorAll('.banner > p')].map((p) => p.textContent ?? ''),
      fromState,
    },
  });
}

/** Saves the view with its charted rows and the first STATE_ROWS others: a result of 100,000 series stays cheap to save. */
function save(): void {
  if (!view) return;
  const charted = new Set(view.chart?.series.map((s) => s.series));
  const rows =
    view.rows.length > STATE_ROWS ? view.rows.filter((row, i) => i < STATE_ROWS || charted.has(row.series)) : view.rows;
  vscode.setState({
    version: PANEL_STATE_VERSION,
    view: { ...view, rows },
    omittedRows: view.rows.length - rows.length,
    spec,
    table: tableSettings,
  } satisfies SavedState);
}

function currentRanking(): RankBy {
  return RANKINGS.find((r) => r === rankBy.value) ?? 'max';
}

function rank(n: number, by: RankBy): void {
  post({ type: 'rank', topN: n, rankBy: by });
}

/** Series index → its look in the chart (the chart takes the same, in the same theme). */
function chartStyles(data: ChartData | null): Map<number, SeriesStyle> {
  const styles = seriesStyles(data?.series.length ?? 0);
  return new Map(data?.series.map((s, i) => [s.series, styles[i] as SeriesStyle]));
}

function chartNote(data: ChartData | null): string {
  if (!data) return '';
  const charted = data.series.length;
  const withValues = data.total - data.empty;
  const empty = data.empty > 0 ? ` ${data.empty.toLocaleString('en-US')} without any value.` : '';
  if (charted === 0) return data.total === 0 ? '' : `Nothing to chart.${empty}`;
  if (charted === withValues) return `All ${charted.toLocaleString('en-US')} series with values.${empty}`;
  return `${charted} of ${data.total.toLocaleString('en-US')} series; ${(withValues - charted).toLocaleString('en-US')} hidden (the table lists them all).${empty}`;
}

function bannerElement(banner: Banner): HTMLElement {
  const node = element('div', { className: `banner ${banner.level}` }, element('p', { text: banner.text }));
  if (banner.at)
    node.append(
      element('pre', {
        className: 'caret',
        text: `${banner.at.text}\n${' '.repeat(Math.min(banner.at.index, banner.at.text.length))}^`,
      }),
    );
  if (banner.details?.length) node.append(element('ul', {}, ...banner.details.map((d) => element('li', { text: d }))));
  return node;
}

function toggleRaw(): void {
  if (!raw.hidden) {
    raw.hidden = true;
    rawButton.textContent = 'Raw Response';
    return;
  }
  raw.hidden = false;
  raw.textContent = 'Loading the raw response…';
  rawButton.textContent = 'Hide Raw Response';
  post({ type: 'showRaw' });
}

/** JSON indented for reading when it parses; the text as it came otherwise. */
function readable(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
