/**
 * The tenant side of bench/tenant-query.ts, run as its own process so its memory is measured alone:
 *
 *   node --expose-gc --import tsx bench/tenant-query-server.ts <source root> <series>
 *
 * Starts the local tenant of the checkout at <source root> (its server/src/tenant/server.ts, so the code before a
 * change can be measured against the code after it), fills its store directly with <series> series of
 * `big.test` (one point a minute for the last 2 h 24 min, one an hour for 8 days before: every slot the store
 * keeps), and prints `ready <url>`. A week cannot be ingested over HTTP, where timestamps must lie within the last
 * hour. On SIGUSR2 it collects garbage, resets its peak RSS (Linux: /proc/self/clear_refs) and prints `settled`.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [rootArg, seriesArg] = process.argv.slice(2);
const root = resolve(rootArg ?? '.');
const series = Number(seriesArg ?? 20_000);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Store {
  add(
    point: {
      key: string;
      type: 'gauge';
      dimensions: [string, string][];
      stats: { min: number; max: number; sum: number; count: number };
      timestamp: number;
    },
    now: number,
  ): string;
}
async function main(): Promise<void> {
  const { startTenant } = (await import(pathToFileURL(join(root, 'server/src/tenant/server.ts')).href)) as {
    startTenant(options: {
      port: number;
      dataFile: null;
      tokens: Map<string, Set<string>>;
      faults: boolean;
      maxSeries: number;
    }): Promise<{ url: string; store: Store }>;
  };
  // Room for the series the concurrent ingest of the benchmark writes.
  const tenant = await startTenant({
    port: 0,
    dataFile: null,
    tokens: new Map(),
    faults: false,
    maxSeries: series + 1_000,
  });

  const now = Date.now();
  const thisMinute = Math.floor(now / MINUTE) * MINUTE;
  const thisHour = Math.floor(now / HOUR) * HOUR;
  for (let s = 0; s < series; s++) {
    const dimensions: [string, string][] = [['i', String(s)]];
    const add = (timestamp: number, n: number) => {
      // Values with two decimals, as gauges often have; they differ from series to series and slot to slot.
      const value = ((s * 7_919 + n * 104_729) % 100_000) / 100;
      tenant.store.add(
        {
          key: 'big.test',
          type: 'gauge',
          dimensions,
          stats: { min: value, max: value, sum: value, count: 1 },
          timestamp,
        },
        now,
      );
    };
    for (let h = 8 * 24; h >= 3; h--) add(thisHour - h * HOUR + 1_000, h);
    for (let m = 144; m >= 0; m--) add(thisMinute - m * MINUTE + 1_000, 1_000 + m);
  }

  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  process.on('SIGUSR2', () => {
    gc();
    gc();
    // "5" resets the peak resident set size (VmHWM) to the current one (proc(5), Linux 4.0+).
    writeFileSync('/proc/self/clear_refs', '5');
    process.stdout.write('settled\n');
  });
  process.stdout.write(`ready ${tenant.url}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
