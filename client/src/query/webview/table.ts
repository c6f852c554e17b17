/**
 * The table of every series: dimensions, last, min, max, average and points; sorted by a click on a column's
 * head, filtered by text, a page of rows at a time (a result may hold 100,000 series). Each column of values has
 * one number of decimals and names the unit in its head. Charted series carry their chart glyph. Dimensions are
 * chips that wrap between dimensions, never inside one; a chip too long for the column ends in an ellipsis, its
 * whole text in its tooltip.
 */
import { formatValue, NO_UNIT, type SeriesRow, type UnitText, type ValueColumn } from '../messages.ts';
import { button, element } from './dom.ts';
import { glyph, type SeriesStyle } from './series-style.ts';

const PAGE_SIZE = 100;

type Column = 'metricId' | 'dimensions' | ValueColumn | 'points';
const VALUE_COLUMNS: readonly Column[] = ['last', 'min', 'max', 'avg'];
const NUMBER_COLUMNS: readonly Column[] = [...VALUE_COLUMNS, 'points'];
const HEADINGS: Record<Column, string> = {
  metricId: 'Metric',
  dimensions: 'Dimensions',
  last: 'Last',
  min: 'Min',
  max: 'Max',
  avg: 'Average',
  points: 'Points',
};

/** What the table remembers across reloads (saved with the panel's state). */
export interface TableSettings {
  sort: Column | null;
  descending: boolean;
  filter: string;
  page: number;
}

export const DEFAULT_TABLE_SETTINGS: TableSettings = { sort: null, descending: true, filter: '', page: 0 };

const dimensionsText = (row: SeriesRow) => row.dimensions.map(([k, v]) => `${k}=${v}`).join(', ');

export class SeriesTable {
  readonly element = element('section', { className: 'table' });
  private readonly filter = element('input', {
    className: 'filter',
    title: 'Show the series whose metric or dimensions contain this text',
  });
  private readonly table = element('table');
  private readonly pager = element('div', { className: 'pager' });
  private rows: SeriesRow[] = [];
  /** Per series index: its dimensions as text (for sorting), and lower-case text for the filter; made once per result. */
  private dimensionTexts: string[] = [];
  private searchText: string[] = [];
  private matching: SeriesRow[] = [];
  private decimals: Record<ValueColumn, number> = { last: 0, min: 0, max: 0, avg: 0 };
  private unit: UnitText = NO_UNIT;
  /** Series index → its look in the chart. */
  private styles = new Map<number, SeriesStyle>();

  constructor(
    private settings: TableSettings,
    private readonly changed: (settings: TableSettings) => void,
  ) {
    this.filter.type = 'search';
    this.filter.placeholder = 'Filter series…';
    this.filter.value = settings.filter;
    this.filter.addEventListener('input', () => this.update({ filter: this.filter.value, page: 0 }));
    this.element.append(this.filter, this.table, this.pager);
  }

  /** Rows matching the filter (all pages). */
  get matchingRows(): number {
    return this.matching.length;
  }

  show(
    rows: SeriesRow[],
    decimals: Record<ValueColumn, number>,
    unit: UnitText,
    styles: Map<number, SeriesStyle>,
  ): void {
    this.rows = rows;
    this.decimals = decimals;
    this.unit = unit;
    this.styles = styles;
    this.dimensionTexts = [];
    this.searchText = [];
    for (const row of rows) {
      const text = dimensionsText(row);
      this.dimensionTexts[row.series] = text;
      this.searchText[row.series] = `${row.metricId} ${text}`.toLowerCase();
    }
    this.draw();
  }

  restyle(styles: Map<number, SeriesStyle>): void {
    this.styles = styles;
    this.draw();
  }

  private update(change: Partial<TableSettings>): void {
    this.settings = { ...this.settings, ...change };
    this.changed(this.settings);
    this.draw();
  }

  private draw(): void {
    const { sort, descending, page } = this.settings;
    const needle = this.settings.filter.trim().toLowerCase();
    this.matching = needle ? this.rows.filter((row) => this.searchText[row.series]?.includes(needle)) : [...this.rows];
    if (sort) this.matching.sort(compareBy(sort, descending, (row) => this.dimensionTexts[row.series] ?? ''));
    const pages = Math.max(1, Math.ceil(this.matching.length / PAGE_SIZE));
    const current = Math.min(page, pages - 1);
    const columns: Column[] = [
      ...(new Set(this.rows.map((r) => r.metricId)).size > 1 ? ['metricId' as const] : []),
      'dimensions',
      ...NUMBER_COLUMNS,
    ];

    const unit = this.unit.suffix.trim();
    const head = element('tr', {}, element('th', { className: 'glyph-column' }));
    for (const column of columns) {
      const marker = sort === column ? (descending ? ' ▼' : ' ▲') : '';
      const heading = HEADINGS[column] + (unit && VALUE_COLUMNS.includes(column) ? ` (${unit})` : '');
      const th = element('th', { text: heading + marker, title: `Sort by ${HEADINGS[column].toLowerCase()}` });
      th.className = NUMBER_COLUMNS.includes(column) ? 'number' : 'text';
      th.addEventListener('click', () =>
        this.update({
          sort: column,
          descending: sort === column ? !descending : NUMBER_COLUMNS.includes(column),
          page: 0,
        }),
      );
      head.append(th);
    }
    const body = element('tbody');
    for (const row of this.matching.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE)) {
      const style = this.styles.get(row.series);
      const swatch = style ? glyph(style) : element('span', { className: 'glyph none', title: 'Not in the chart' });
      const tr = element('tr', {}, element('td', {}, swatch));
      for (const column of columns) {
        if (column === 'dimensions') tr.append(element('td', { className: 'text dimensions' }, ...dimensionChips(row)));
        else if (column === 'metricId') tr.append(element('td', { className: 'text', text: row.metricId }));
        else {
          const decimals = column === 'points' ? 0 : this.decimals[column];
          tr.append(element('td', { className: 'number', text: formatValue(row[column], { decimals, suffix: '' }) }));
        }
      }
      body.append(tr);
    }
    this.table.replaceChildren(element('thead', {}, head), body);

    const first = this.matching.length === 0 ? 0 : current * PAGE_SIZE + 1;
    const last = Math.min(this.matching.length, (current + 1) * PAGE_SIZE);
    const count = this.matching.length.toLocaleString('en-US');
    const of = needle ? ` (filtered from ${this.rows.length.toLocaleString('en-US')})` : '';
    const summary =
      this.matching.length === 0
        ? this.rows.length === 0
          ? 'No series'
          : 'No series match the filter'
        : `Series ${first.toLocaleString('en-US')}–${last.toLocaleString('en-US')} of ${count}${of}`;
    const previous = button('Previous', 'The previous page of series', () => this.update({ page: current - 1 }));
    const next = button('Next', 'The next page of series', () => this.update({ page: current + 1 }));
    previous.disabled = current === 0;
    next.disabled = current >= pages - 1;
    this.pager.replaceChildren(element('span', { text: summary }), ...(pages > 1 ? [previous, next] : []));
  }
}

function dimensionChips(row: SeriesRow): Node[] {
  if (row.dimensions.length === 0) return [element('span', { className: 'none', text: '(no dimensions)' })];
  return row.dimensions.map(([key, value]) =>
    element(
      'span',
      { className: 'chip', title: `${key}=${value}` },
      element('span', { className: 'key', text: `${key}=` }),
      document.createTextNode(value),
    ),
  );
}

/** Rows by a column; missing values (null) last either way. */
function compareBy(
  column: Column,
  descending: boolean,
  dimensions: (row: SeriesRow) => string,
): (a: SeriesRow, b: SeriesRow) => number {
  const sign = descending ? -1 : 1;
  if (column === 'metricId' || column === 'dimensions') {
    const text = (row: SeriesRow) => (column === 'metricId' ? row.metricId : dimensions(row));
    return (a, b) => sign * text(a).localeCompare(text(b)) || a.series - b.series;
  }
  return (a, b) => {
    const x = a[column];
    const y = b[column];
    if (x === null || y === null) return x === y ? a.series - b.series : x === null ? 1 : -1;
    return sign * (x - y) || a.series - b.series;
  };
}
