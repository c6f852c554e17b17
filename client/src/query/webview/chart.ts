/**
 * The time-series chart (uPlot, bundled into the webview script): the charted series with a live legend labelled
 * by their dimensions, values at the cursor, and colours read from VS Code's theme (its CSS variables), drawn
 * again when the theme changes.
 */
import uPlot from 'uplot';
import type { ChartData } from '../messages.ts';
import { formatNumber } from './dom.ts';

const HEIGHT = 320;
/** VS Code's chart colours (the theme defines them), in the order series take them. */
const THEME_CHART_COLORS = ['blue', 'orange', 'green', 'red', 'purple', 'yellow'].map(
  (name) => `--vscode-charts-${name}`,
);

const cssVariable = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** `count` colours: the theme's chart colours, then hues spread by the golden angle, light on dark themes. */
export function palette(count: number): string[] {
  const theme = THEME_CHART_COLORS.map(cssVariable).filter((c) => c !== '');
  const light = document.body.classList.contains('vscode-light');
  return Array.from(
    { length: count },
    (_, i) => theme[i] ?? `hsl(${Math.round((i * 137.508) % 360)}, 65%, ${light ? 40 : 65}%)`,
  );
}

function axisStyle(): uPlot.Axis {
  const text = cssVariable('--vscode-foreground') || '#888';
  const lines =
    cssVariable('--vscode-charts-lines') || cssVariable('--vscode-editorWidget-border') || 'rgba(128,128,128,0.35)';
  const font = `${cssVariable('--vscode-font-size') || '12px'} ${cssVariable('--vscode-font-family') || 'sans-serif'}`;
  return { stroke: text, font, grid: { stroke: lines, width: 1 }, ticks: { stroke: lines, width: 1 } };
}

/** Points drawn where a value stands alone between gaps, which a line alone would not show. */
function isolatedPoints(values: readonly (number | null)[]): uPlot.Series.Points.Filter {
  const alone = values.flatMap((v, i) =>
    v !== null && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null ? [i] : [],
  );
  return (_plot, _series, show) => (show || alone.length === 0 ? null : alone);
}

export class Chart {
  private plot: uPlot | undefined;
  private data: ChartData | null = null;

  constructor(private readonly container: HTMLElement) {
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(container);
  }

  /** Draws `chart` (nothing for null or no series); `drawn` runs once the first draw has ended. */
  render(chart: ChartData | null, drawn: () => void): void {
    this.plot?.destroy();
    this.plot = undefined;
    this.data = chart;
    if (!chart || chart.series.length === 0) {
      drawn();
      return;
    }
    const colors = palette(chart.series.length);
    let first = true;
    const options: uPlot.Options = {
      ...this.size(),
      ms: 1,
      scales: { x: { time: true } },
      series: [
        { label: 'time', value: (_plot, v: number | null) => (v === null ? '—' : new Date(v).toLocaleString()) },
        ...chart.series.map((s, i) => ({
          label: s.label,
          stroke: colors[i],
          width: 1.5,
          value: (_plot: uPlot, v: number | null) => formatNumber(v),
          points: { filter: isolatedPoints(s.values) },
        })),
      ],
      axes: [axisStyle(), { ...axisStyle(), size: 80, values: (_plot, splits) => splits.map((v) => formatNumber(v)) }],
      legend: { live: true },
      cursor: { focus: { prox: 16 } },
      focus: { alpha: 0.3 },
      hooks: {
        draw: [
          () => {
            if (!first) return;
            first = false;
            drawn();
          },
        ],
      },
    };
    this.plot = new uPlot(options, [chart.timestamps, ...chart.series.map((s) => s.values)], this.container);
  }

  /** The same data in the theme's new colours. */
  retheme(): void {
    if (this.data) this.render(this.data, () => undefined);
  }

  canvasSize(): { width: number; height: number } {
    const canvas = this.container.querySelector('canvas');
    return { width: canvas?.width ?? 0, height: canvas?.height ?? 0 };
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.container.clientWidth), height: HEIGHT };
  }
}
