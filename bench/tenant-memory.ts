/**
 * The local tenant's memory under a week of data at one point a minute for 10,000 series: the store
 * (server/src/core/metrics/store.ts) fed directly, since a week cannot be ingested in real time (timestamps must be
 * within the last hour). Heap after each day, to show it levels off, and bytes per series.
 *
 *   node --expose-gc --import tsx bench/tenant-memory.ts
 */
import { writeFileSync } from 'node:fs';
import { reportHeader } from './report-header.ts';
import { join, resolve } from 'node:path';
import { MetricStore } from '#core/metrics/store.ts';

const SERIES = 10_000;
const DAYS = 7;
const MINUTE = 60_000;
const T0 = 1_795_392_000_000;
const RESULTS = join(resolve(import.meta.dirname, '..'), 'bench', 'TENANT-MEMORY.md');

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const heapMB = () => {
  gc();
  gc();
  // The rings are typed arrays, whose bytes live outside the JS heap: count both.
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return (heapUsed + arrayBuffers) / 1e6;
};

const base = heapMB();
const started = performance.now();
const store = new MetricStore({ maxSeries: SERIES });
const dimensions = Array.from(
  { length: SERIES },
  (_, s) =>
    [
      ['service', `svc-${s % 100}`],
      ['instance', `i-${s}`],
    ] as [string, string][],
);
const perDay: number[] = [];
for (let day = 0; day < DAYS; day++) {
  for (let m = day * 1440; m < (day + 1) * 1440; m++) {
    const t = T0 + m * MINUTE;
    for (let s = 0; s < SERIES; s++) {
      const v = (s + m) % 100;
      store.add(
        {
          key: 'bench.memory',
          type: 'gauge',
          dimensions: dimensions[s] as [string, string][],
          stats: { min: v, max: v, sum: v, count: 1 },
          timestamp: t,
        },
        t,
      );
    }
  }
  perDay.push(heapMB() - base);
  process.stdout.write(`day ${day + 1}: ${(perDay[day] as number).toFixed(1)} MB\n`);
}
const seconds = (performance.now() - started) / 1000;
const points = SERIES * DAYS * 1440;
const last = perDay[DAYS - 1] as number;
const markdown = [
  ...reportHeader('Local tenant memory', 'node --expose-gc --import tsx bench/tenant-memory.ts'),
  `${SERIES.toLocaleString('en-US')} series, one point a minute each for ${DAYS} days (${points.toLocaleString('en-US')} points) into the store the local tenant uses, in ${seconds.toFixed(0)} s. Memory in use after each day (JS heap + array buffers, after GC, above what was in use before the store):`,
  '',
  '| Day | Memory (MB) |',
  '|--:|--:|',
  ...perDay.map((mb, d) => `| ${d + 1} | ${mb.toFixed(1)} |`),
  '',
  `After a week: **${last.toFixed(1)} MB**, ${Math.round((last * 1e6) / SERIES).toLocaleString('en-US')} bytes per series; after the first day: ${(perDay[0] as number).toFixed(1)} MB (${(((last - (perDay[0] as number)) / (perDay[0] as number)) * 100).toFixed(1)} % more in six more days). Each series has fixed rings (144 one-minute slots, 192 one-hour slots), so memory does not grow with the data; nor does the data file, a snapshot of those slots plus a log (bench/TENANT-STORE.md).`,
  '',
].join('\n');
writeFileSync(RESULTS, markdown);
process.stdout.write(markdown + `\nWritten to ${RESULTS}\n`);
