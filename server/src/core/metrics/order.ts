/** The orders of text the metric APIs sort by (DOC D9): a query's `:sort` (evaluate.ts), the metric list (list.ts). */

/** Lexical order by UTF-16 code unit ("0..9a..z", DOC D9), independent of any locale. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Natural order (DOC D9: `1,2,3,11,21`): runs of digits compare as numbers, everything else lexically. */
export function naturalCompare(a: string, b: string): number {
  const x = a.match(/\d+|\D+/g) ?? [];
  const y = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] as string;
    const q = y[i] as string;
    const numeric = /^\d/.test(p) && /^\d/.test(q);
    const order = numeric ? compareDigits(p, q) : compareText(p, q);
    if (order !== 0) return order;
  }
  return x.length - y.length;
}

/** Digit runs by value, without converting to a number (which would round runs past 2^53). */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  return x.length !== y.length ? x.length - y.length : compareText(x, y);
}
