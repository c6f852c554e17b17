/**
 * How the charted series look apart, in each kind of VS Code theme (the webview's body names it): categorical
 * colours chosen to stay distinct (Okabe–Ito's hues, made lighter on dark backgrounds and darker for high contrast
 * on light ones), and in the high-contrast themes a dash pattern and a marker shape per series too, so that series
 * stay apart without colour. The legend and the table show each series' glyph: its line and its marker.
 */
import { element } from './dom.ts';

export type ThemeKind = 'vscode-light' | 'vscode-dark' | 'vscode-high-contrast' | 'vscode-high-contrast-light';
const THEME_KINDS: readonly ThemeKind[] = [
  'vscode-light',
  'vscode-dark',
  'vscode-high-contrast',
  'vscode-high-contrast-light',
];

type Marker = 'circle' | 'square' | 'triangle' | 'diamond' | 'triangle-down' | 'plus';

export interface SeriesStyle {
  color: string;
  /** Canvas line dash in CSS pixels; empty: solid. */
  dash: number[];
  marker: Marker;
  /** Line width in CSS pixels. */
  width: number;
}

/** In the order series take them: the first three are as far apart as the palette goes (blue, orange, green). */
const PALETTES: Record<ThemeKind, readonly string[]> = {
  'vscode-dark': ['#56b4e9', '#e69f00', '#2fbf8f', '#e07ab8', '#f0e442', '#f26b3a', '#a08cff', '#c8c8c8'],
  'vscode-light': ['#0072b2', '#d55e00', '#009e73', '#b4468a', '#8a7400', '#56a0d3', '#6a4fc4', '#404040'],
  'vscode-high-contrast': ['#6fc3ff', '#ffa031', '#3ee6a8', '#ff8ccf', '#fff25a', '#ff6b4a', '#c2b3ff', '#ffffff'],
  'vscode-high-contrast-light': [
    '#0a4fa0',
    '#b33c00',
    '#006b4e',
    '#8c2a6b',
    '#6b5a00',
    '#5a3fc0',
    '#9b1c1c',
    '#000000',
  ],
};
/** Past the palette: hues a golden angle apart, at a lightness that reads on the theme's background. */
const LIGHTNESS: Record<ThemeKind, number> = {
  'vscode-dark': 65,
  'vscode-light': 38,
  'vscode-high-contrast': 72,
  'vscode-high-contrast-light': 28,
};
const DASHES: readonly number[][] = [[], [9, 4], [2, 3], [10, 3, 2, 3], [5, 5], [1, 3, 6, 3]];
const MARKERS: readonly Marker[] = ['circle', 'square', 'triangle', 'diamond', 'triangle-down', 'plus'];

/** Each marker as an SVG path of radius 1 around the origin: the chart's canvas and the glyphs' SVG draw the same. */
const MARKER_PATHS: Record<Marker, string> = {
  circle: 'M1 0A1 1 0 1 1-1 0A1 1 0 1 1 1 0Z',
  square: 'M-.85-.85H.85V.85H-.85Z',
  triangle: 'M0-1.15L1.05.8H-1.05Z',
  diamond: 'M0-1.2L1.2 0L0 1.2L-1.2 0Z',
  'triangle-down': 'M0 1.15L1.05-.8H-1.05Z',
  plus: 'M-.38-1.1H.38V-.38H1.1V.38H.38V1.1H-.38V.38H-1.1V-.38H-.38Z',
};

/** The theme kind VS Code gives the webview's body (`data-vscode-theme-kind`); dark when it names none. */
function themeKind(): ThemeKind {
  const kind = document.body.dataset.vscodeThemeKind;
  return THEME_KINDS.find((k) => k === kind) ?? 'vscode-dark';
}

/** The looks of `count` series in the current theme. */
export function seriesStyles(count: number, kind: ThemeKind = themeKind()): SeriesStyle[] {
  const palette = PALETTES[kind];
  const highContrast = kind === 'vscode-high-contrast' || kind === 'vscode-high-contrast-light';
  return Array.from({ length: count }, (_, i) => ({
    color: palette[i] ?? `hsl(${Math.round((i * 137.508) % 360)}, 70%, ${LIGHTNESS[kind]}%)`,
    dash: highContrast ? (DASHES[i % DASHES.length] as number[]) : [],
    marker: highContrast ? (MARKERS[i % MARKERS.length] as Marker) : 'circle',
    width: highContrast ? 2 : 1.5,
  }));
}

const markerPaths = new Map<Marker, Path2D>();

/** Adds `marker` of radius `radius` at (x, y) to `path` (canvas pixels). */
export function addMarker(path: Path2D, marker: Marker, x: number, y: number, radius: number): void {
  let shape = markerPaths.get(marker);
  if (!shape) markerPaths.set(marker, (shape = new Path2D(MARKER_PATHS[marker])));
  path.addPath(shape, new DOMMatrix([radius, 0, 0, radius, x, y]));
}

const SVG = 'http://www.w3.org/2000/svg';
const svg = <K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string>) => {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
};

/** A series' glyph for the legend and the table: a stretch of its line with its marker on it. */
export function glyph(style: SeriesStyle): HTMLElement {
  const picture = svg('svg', { width: '28', height: '12', viewBox: '0 0 28 12', 'aria-hidden': 'true' });
  picture.append(
    svg('line', {
      x1: '1',
      y1: '6',
      x2: '27',
      y2: '6',
      stroke: style.color,
      'stroke-width': String(style.width),
      'stroke-dasharray': style.dash.join(' ') || 'none',
    }),
    svg('path', { d: MARKER_PATHS[style.marker], fill: style.color, transform: 'translate(14 6) scale(3.5)' }),
  );
  const box = element('span', { className: 'glyph' });
  box.dataset.color = style.color;
  box.append(picture);
  return box;
}
