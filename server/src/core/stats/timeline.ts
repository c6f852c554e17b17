/**
 * When a metric's new series came, in bounded memory: per span of minutes, the distinct minutes seen, the series
 * counted new there, and the metric's series count when a line first reached it. Growth is the rate of new series in
 * the second half of the minutes read: series that joined once (a late start, one skipped interval) make none, series
 * that keep coming do. Past the exact bound of the series no line can be told new, so the second half's new series
 * are then the count at the end minus the count when the second half began (lines read in time order).
 */

/** Spans of minutes kept; past it, two neighbours become one span. */
const MAX_SPANS = 64;

interface Span {
  /** Distinct minutes seen in this span. */
  minutes: number;
  /** Series first seen on a line of this span (while counted exactly). */
  added: number;
  /** The metric's series count when a line of this span came first (in reading order). */
  countBefore: number;
}

export class NewSeriesTimeline {
  /** Minutes per span: doubles as the spans would pass MAX_SPANS. */
  private width = 1;
  private readonly spans = new Map<number, Span>();

  /** A line of `minute`, before its series is counted (`seriesCount`: the count so far); `newMinute`: first line of it. */
  enter(minute: number, newMinute: boolean, seriesCount: () => number): void {
    const at = Math.floor(minute / this.width);
    let span = this.spans.get(at);
    if (span === undefined) {
      span = { minutes: 0, added: 0, countBefore: seriesCount() };
      this.spans.set(at, span);
    }
    if (newMinute) span.minutes++;
    if (this.spans.size > MAX_SPANS) this.widen();
  }

  /** The line of `minute` brought a new series. */
  added(minute: number): void {
    const span = this.spans.get(Math.floor(minute / this.width));
    if (span !== undefined) span.added++;
  }

  /**
   * New series a minute in the second half of the minutes from `first` to `last` (`covered` minutes of `minutes`
   * distinct ones), or 0: fewer than three minutes (two are a before and an after, not a trend) or none new there.
   * `seriesCount`/`estimated`: the count now, and whether lines could no longer be told new.
   */
  secondHalfRate(first: number, covered: number, minutes: number, seriesCount: number, estimated: boolean): number {
    if (minutes < 3) return 0;
    const half = Math.ceil((first + covered / 2) / this.width);
    let added = 0;
    let halfMinutes = 0;
    let countBefore = Number.POSITIVE_INFINITY;
    for (const [at, span] of this.spans) {
      if (at < half) continue;
      added += span.added;
      halfMinutes += span.minutes;
      countBefore = Math.min(countBefore, span.countBefore);
    }
    if (estimated) added = Math.max(added, seriesCount - countBefore);
    // The second half's distinct minutes, at the cadence of all of them.
    const length = (covered * halfMinutes) / minutes;
    return halfMinutes === 0 || length === 0 ? 0 : added / length;
  }

  private widen(): void {
    this.width *= 2;
    const spans = [...this.spans];
    this.spans.clear();
    for (const [at, span] of spans) {
      const into = Math.floor(at / 2);
      const other = this.spans.get(into);
      if (other === undefined) this.spans.set(into, { ...span });
      else {
        other.minutes += span.minutes;
        other.added += span.added;
        other.countBefore = Math.min(other.countBefore, span.countBefore);
      }
    }
  }
}
