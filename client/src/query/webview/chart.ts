/**
 * The time-series chart (uPlot, bundled into the webview script) and its legend. The chart draws the charted
 * series on the time axis the extension fitted to the data: lines that bridge a series' usual step, and markers
 * for the points no line reaches (a single point is one). The unit stands over the value axis. The legend is a
 * compact grid: each series' glyph, its dimension values (the whole `key=value` text in its tooltip) and its last
 * value, or its value under the cursor; a click hides or shows a series. Colours, dashes and markers come from
 * series-style.ts, drawn again when the theme changes.
 */
import uPlot from 'uplot';
import { formatValue, NO_UNIT, type ChartData, type UnitText, type ValueFormat } from '../messages.ts';
import { element } from './dom.ts';
import { addMarker, glyph, seriesStyles, type SeriesStyle } from './series-style.ts';

const HEIGHT = 300;
/** A marker's diameter in CSS pixels: a point alone must be seen at a glance. */
const MARKER_SIZE = 9;

const cssVariable = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function axisStyle(): uPlot.Axis {
  const text = cssVariable('--vscode-foreground') || '#888';
  const lines =
    cssVariable('--vscode-charts-lines') || cssVariable('--vscode-editorWidget-border') || 'rgba(128,128,128,0.35)';
  const font = `${cssVariable('--vscode-font-size') || '12px'} ${cssVariable('--vscode-font-family') || 'sans-serif'}`;
  return { stroke: text, font, grid: { stroke: lines, width: 1 }, ticks: { stroke: lines, width: 1 } };
}

/** The decimals a tick step needs (0.25 → 2, 5 → 0): every tick of the axis gets the same. */
function stepDecimals(step: number): number {
  const text = step.toFixed(12).replace(/\.?0+$/, '');
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}

/** Keeps the gaps (canvas pixel ranges between two points) that are longer than the series' usual step. */
function bridged(bridgeMs: number): uPlot.Series.GapsRefiner {
  return (plot, _series, _first, _last, gaps) =>
    gaps.filter(([from, to]) => plot.posToVal(to, 'x', true) - plot.posToVal(from, 'x', true) > bridgeMs);
}

/**
 * Markers in the series' shape, filled, at the points asked for; their canvas positions are noted on the chart
 * (`data-markers`) for the checks that look at the canvas.
 */
function markerPaths(style: SeriesStyle, drawn: string[]): uPlot.Series.Points.PathBuilder {
  return (plot, seriesIndex, _first, _last, only) => {
    const xs = plot.data[0];
    const ys = plot.data[seriesIndex] as (number | null | undefined)[];
    const radius = (MARKER_SIZE / 2) * devicePixelRatio;
    const path = new Path2D();
    const mark = (i: number) => {
      const y = ys[i];
      if (y === null || y === undefined) return;
      const px = plot.valToPos(xs[i] as number, 'x', true);
      const py = plot.valToPos(y, 'y', true);
      addMarker(path, style.marker, px, py, radius);
      drawn.push(`${Math.round(px)},${Math.round(py)},${style.color}`);
    };
    only?.forEach(mark);
    return { fill: path, stroke: path };
  };
}

export class Chart {
  readonly element = element('section', { className: 'chart' });
  private readonly unitLabel = element('div', { className: 'axis-unit' });
  private readonly plotBox = element('div', { className: 'plot' });
  private readonly caption = element('div', { className: 'legend-caption' });
  private readonly entries = element('ul', { className: 'legend' });
  private plot: uPlot | undefined;
  private data: ChartData | null = null;
  private unit: UnitText = NO_UNIT;
  private styles: SeriesStyle[] = [];

  constructor() {
    this.element.append(this.unitLabel, this.plotBox, this.caption, this.entries);
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(this.plotBox);
  }

  /** Draws `chart` (nothing for null or no series); `drawn` runs once the first draw has ended. */
  render(chart: ChartData | null, unit: UnitText, drawn: () => void): void {
    this.plot?.destroy();
    this.plot = undefined;
    this.data = chart;
    this.unit = unit;
    const shown = chart !== null && chart.series.length > 0;
    this.element.hidden = !shown;
    this.entries.replaceChildren();
    if (!shown) {
      drawn();
      return;
    }
    this.styles = seriesStyles(chart.series.length);
    this.unitLabel.textContent = unit.label;
    this.unitLabel.hidden = unit.label === '';
    const markers: string[] = [];
    let first = true;
    const options: uPlot.Options = {
      ...this.size(),
      ms: 1,
      scales: { x: { time: true } },
      legend: { show: false },
      series: [
        {},
        ...chart.series.map((s, i): uPlot.Series => {
          const style = this.styles[i] as SeriesStyle;
          return {
            label: s.short,
            stroke: style.color,
            width: style.width,
            dash: style.dash.map((d) => d * devicePixelRatio),
            gaps: bridged(s.bridgeMs),
            points: {
              // Only the points no line reaches: a marker on every point of a line would hide the line.
              show: false,
              size: MARKER_SIZE,
              width: 1,
              fill: style.color,
              stroke: style.color,
              dash: [],
              paths: markerPaths(style, markers),
              filter: s.markers,
            },
          };
        }),
      ],
      axes: [
        axisStyle(),
        {
          ...axisStyle(),
          size: 64,
          values: (_plot, splits, _axis, _space, step) =>
            splits.map((v) => formatValue(v, { decimals: stepDecimals(step), suffix: '' })),
        },
      ],
      cursor: { focus: { prox: 16 } },
      focus: { alpha: 0.3 },
      hooks: {
        drawClear: [() => void (markers.length = 0)],
        draw: [
          () => {
            this.plotBox.dataset.markers = markers.join(' ');
            if (!first) return;
            first = false;
            drawn();
          },
        ],
        setCursor: [(plot) => this.showValues(plot.cursor.idx ?? null)],
      },
    };
    this.drawLegend(chart);
    this.plot = new uPlot(options, [chart.timestamps, ...chart.series.map((s) => s.values)], this.plotBox);
  }

  /** The same data in the theme's new colours. */
  retheme(): void {
    if (this.data) this.render(this.data, this.unit, () => undefined);
  }

  canvasSize(): { width: number; height: number } {
    const canvas = this.plotBox.querySelector('canvas');
    return { width: canvas?.width ?? 0, height: canvas?.height ?? 0 };
  }

  private drawLegend(chart: ChartData): void {
    this.entries.replaceChildren(
      ...chart.series.map((s, i) => {
        const entry = element(
          'li',
          { title: s.label },
          glyph(this.styles[i] as SeriesStyle),
          element('span', { className: 'name', text: s.short }),
          element('span', { className: 'value' }),
        );
        entry.tabIndex = 0;
        entry.setAttribute('role', 'button');
        const toggle = () => {
          const hidden = entry.classList.toggle('off');
          entry.setAttribute('aria-pressed', String(!hidden));
          this.plot?.setSeries(i + 1, { show: !hidden });
        };
        entry.addEventListener('click', toggle);
        entry.addEventListener('keydown', (event) => {
          if (event.key !== 'Enter' && event.key !== ' ') return;
          event.preventDefault();
          toggle();
        });
        entry.addEventListener('mouseenter', () => this.plot?.setSeries(i + 1, { focus: true }));
        entry.addEventListener('mouseleave', () => this.plot?.setSeries(null, { focus: false }));
        return entry;
      }),
    );
    this.showValues(null);
  }

  /** Each series' value at slot `index` (the cursor's), or its last value when the cursor is off the chart. */
  private showValues(index: number | null): void {
    const chart = this.data;
    if (!chart) return;
    const format: ValueFormat = { decimals: chart.decimals, suffix: this.unit.suffix };
    const at = index === null ? undefined : chart.timestamps[index];
    const keys = chart.keys.length > 0 ? `${chart.keys.join(' · ')} — ` : '';
    this.caption.textContent = `${keys}${at === undefined ? 'last value' : `at ${new Date(at).toLocaleString()}`}`;
    chart.series.forEach((s, i) => {
      const value = at === undefined ? s.values.findLast((v) => v !== null) : s.values[index as number];
      const cell = this.entries.children[i]?.querySelector('.value');
      if (cell) cell.textContent = formatValue(value, format);
    });
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.plotBox.clientWidth), height: HEIGHT };
  }
}
