/**
 * Linear time on adversarial lines: the core's work on a line grows with its length, never with its square. Measured
 * on this machine's clock (a ratio of two sizes in one run), so it runs in the slow lane.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileLinter } from '#core/lint.ts';

const NOW = 1_732_300_000_000;

/** Lints a line and returns the fastest of a few runs, in ms: the least noisy estimate on a busy machine. */
function fastestLint(line: string): number {
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    new FileLinter({ now: NOW }).lintLine(0, line);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const ADVERSARIAL: Record<string, (n: number) => string> = {
  backslashes: (n) => '\\'.repeat(n),
  quotes: (n) => '"'.repeat(n),
  commas: (n) => 'm.k' + ','.repeat(n) + ' 5',
  equals: (n) => 'm.k,k=' + '='.repeat(n) + ' 5',
  'escaped quotes in a quoted value': (n) => 'm.k,k="' + '\\"'.repeat(n / 2) + ' 5',
  'backslashes in an unquoted value': (n) => 'm.k,k=' + '\\'.repeat(n) + ' 5',
  dimensions: (n) => 'm.k' + ',a=b'.repeat(n / 4) + ' 5',
  'duplicate dimensions': (n) => 'm.k' + ',a=b'.repeat(n / 4) + ' 5',
  'upper-case dimension key': (n) => 'm.k,' + 'Aa'.repeat(n / 2) + '=v 5',
  spaces: (n) => 'm.k,k=v' + ' x'.repeat(n / 2) + ' 5',
  dots: (n) => '.'.repeat(n) + ' 5',
  'summary fields': (n) => 'm.k gauge,' + 'min=1,'.repeat(n / 6) + 'count=1',
  'control characters': (n) => 'm.k,k="' + '\u0001'.repeat(n) + '" 5',
};

for (const [name, make] of Object.entries(ADVERSARIAL)) {
  test(`time stays linear on an adversarial line: ${name}`, () => {
    // 25,000 characters and 8× that: linear work grows about 8×, quadratic work 64×. The margin on both sides
    // of the bound keeps the test steady on a busy machine (and the lines hold 50,000+ characters, as asked).
    fastestLint(make(25_000)); // warm up the JIT on this shape
    const small = fastestLint(make(25_000));
    const large = fastestLint(make(200_000));
    const ratio = large / Math.max(small, 0.05);
    assert.ok(
      ratio < 20,
      `8× the input took ${ratio.toFixed(1)}× the time (${small.toFixed(2)} ms → ${large.toFixed(2)} ms)`,
    );
  });
}
