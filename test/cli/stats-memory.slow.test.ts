/**
 * `dtmetrics stats` (the built binary) in a small heap on a large input: about 80 MB of many metrics, each line 16
 * dimensions of values never seen before. Its memory is one budget for the whole analysis (COST.exactEntries), so it
 * ends with figures and exit 0 (the metrics past the budget left out and counted), where it once ran out of heap
 * with a native stack trace. Run `npm run
 * build` first.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import { assertBuilt, runCli, TempDir } from './helpers.ts';

let tmp: TempDir;
before(() => {
  assertBuilt();
  tmp = new TempDir();
});
after(() => tmp?.remove());

const METRICS = 5_000;
const DIMENSIONS = 16;
const TARGET_BYTES = 80_000_000;
const START = 1_767_222_000_000;

/** Lines of `METRICS` metrics, each dimension value new, a minute of timestamps per 20,000 lines. */
function writeInput(path: string): number {
  const fd = openSync(path, 'w');
  let bytes = 0;
  let lines = 0;
  try {
    while (bytes < TARGET_BYTES) {
      const batch: string[] = [];
      for (let n = 0; n < 1_000; n++, lines++) {
        let line = `load.metric${lines % METRICS}`;
        for (let d = 0; d < DIMENSIONS; d++) line += `,dim${d}=v${lines}x${d}`;
        batch.push(`${line} gauge,${lines % 97} ${START + Math.floor(lines / 20_000) * 60_000}`);
      }
      const text = batch.join('\n') + '\n';
      bytes += writeSync(fd, text);
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

test('about 80 MB of 5,000 metrics of distinct values in a 96 MB heap: figures, exit 0', async () => {
  const path = tmp.join('many-values.dtmetrics');
  assert.ok(writeInput(path) >= TARGET_BYTES);
  const run = await runCli(['stats', '--format', 'json', '--interval', '1m', path], {
    nodeArgs: ['--max-old-space-size=96'],
  });
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);
  const { totals } = JSON.parse(run.stdout) as {
    totals: { lines: number; dataLines: number; metrics: number; untrackedLines: number };
  };
  assert.equal(totals.dataLines, totals.lines);
  // The budget follows some thousands of the metrics; the lines of the others are counted as left out.
  assert.ok(totals.metrics > 1_000 && totals.metrics <= METRICS, `${totals.metrics} metrics`);
  assert.equal(totals.untrackedLines > 0, totals.metrics < METRICS);
});
