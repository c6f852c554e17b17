/**
 * A query's arithmetic on stored slots (min, max, sum, count per slot): the statistic a slot gives, slots merged,
 * and slot columns pooled for reuse. The v2 query (evaluate.ts), the v1 query (v1.ts) and the descriptors (list.ts)
 * compute with it.
 */
import { SlotColumns, type PayloadType } from './series.ts';

export type Statistic = 'avg' | 'count' | 'max' | 'min' | 'sum';

/**
 * The aggregation a metric gets when none is asked for (`:auto`, and the descriptor's defaultAggregation).
 * Gauges: avg, as Dynatrace's own gauges (builtin:host.cpu.usage defaults to avg, DOC D9). Count metrics: sum.
 * A count point is a delta (DOC D1, `count,delta=5`), so a slot's value is the total of its deltas, whatever the
 * batching of the client; an avg of deltas would change with it. DOC D4 says the same of counts: coarser slots
 * give "greater values for aggregations such as sum or count".
 */
export const defaultAggregation = (type: PayloadType): Statistic => (type === 'count' ? 'sum' : 'avg');

/** Slot i's statistic; null where the slot holds no point. */
export function statistic(slots: SlotColumns, i: number, which: Statistic): number | null {
  if (!slots.present[i]) return null;
  const value = which === 'avg' ? (slots.sum[i] as number) / (slots.count[i] as number) : (slots[which][i] as number);
  // JSON has no NaN or Infinity: the average of the valid empty summary (count=0, PROTOCOL §2.2) and a sum that
  // overflowed are no value.
  return Number.isFinite(value) ? value : null;
}

export function statistics(slots: SlotColumns, which: Statistic): (number | null)[] {
  const values = new Array<number | null>(slots.length);
  for (let i = 0; i < slots.length; i++) values[i] = statistic(slots, i, which);
  return values;
}

/** Adds the points of `more` to `into`: slot by slot, or (`fold`) all of them to slot 0. */
export function mergeInto(into: SlotColumns, more: SlotColumns, fold = false): void {
  for (let i = 0; i < more.length; i++) {
    if (more.present[i])
      into.merge(
        fold ? 0 : i,
        more.min[i] as number,
        more.max[i] as number,
        more.sum[i] as number,
        more.count[i] as number,
      );
  }
}

/**
 * Slot columns kept for reuse, by length, all of them empty when taken: a query reads thousands of series one or a
 * few at a time, and columns made afresh for each would cost more than reading them (typed arrays are slow to make).
 * Whoever takes columns gives them back once done with them, and uses them no more.
 */
export class ColumnPool {
  private readonly free = new Map<number, SlotColumns[]>();

  take(length: number): SlotColumns {
    const columns = this.free.get(length)?.pop() ?? new SlotColumns(length);
    columns.present.fill(0);
    return columns;
  }

  give(columns: SlotColumns): void {
    const free = this.free.get(columns.length);
    if (free) free.push(columns);
    else this.free.set(columns.length, [columns]);
  }
}
