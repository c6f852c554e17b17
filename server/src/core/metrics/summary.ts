/** What a table shows of one series: its last value, extremes, average and how many points it has. */
export interface SeriesSummary {
  /** The last non-null value, or null when there is none. */
  last: number | null;
  min: number | null;
  max: number | null;
  avg: number | null;
  /** Non-null values. */
  points: number;
}

export function summarizeSeries(values: readonly (number | null)[]): SeriesSummary {
  let last: number | null = null;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let points = 0;
  for (const v of values) {
    if (v === null) continue;
    last = v;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    points++;
  }
  return points === 0
    ? { last: null, min: null, max: null, avg: null, points: 0 }
    : { last, min, max, avg: sum / points, points };
}
