/**
 * Preloaded into a benchmark child with `node --require bench/peak-rss.cjs …`. When the process exits it writes
 * its peak resident set size in kB (`process.resourceUsage().maxRSS`) to the file named by the environment
 * variable DTMETRICS_BENCH_PEAK_RSS_FILE, so the memory figure comes from the child itself, not from sampling.
 */
'use strict';
/* global require */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload: require is the way in.
const { writeFileSync } = require('node:fs');

const target = process.env.DTMETRICS_BENCH_PEAK_RSS_FILE;
if (target) {
  process.on('exit', () => {
    writeFileSync(target, `${process.resourceUsage().maxRSS}\n`);
  });
}
