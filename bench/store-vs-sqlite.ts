/**
 * Why the data file is a snapshot plus a log and not an embedded database: the cost of making one ingest request
 * durable, the data file's way (its batch frame appended) against SQLite's (each point upserted into the slots of both
 * rings, one transaction per request, WAL), on the same 200 requests of 1,000 points of 10,000 series. better-sqlite3
 * is not a dependency (a native addon, built for each platform and for VS Code's Electron): install it for this run.
 *
 *   npm install --no-save better-sqlite3@12 && node --import tsx bench/store-vs-sqlite.ts
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StoredRecord } from '#core/metrics/ingest.ts';
import { MetricStore } from '#core/metrics/store.ts';
import { DataFile } from '#tenant/data-file.ts';
import { reportHeader, runBenchmark, writeReport } from './report-header.ts';
import { median } from './tenant-load.ts';

const WORK = join(resolve(import.meta.dirname, '..'), 'bench', '.data', 'store-vs-sqlite');
const RESULTS = join(resolve(import.meta.dirname, '..'), 'bench', 'STORE-VS-SQLITE.md');
const REQUESTS = 200;
const POINTS = 1_000;
const SERIES = 10_000;
const RUNS = 5;

interface Statement {
  run(...values: unknown[]): unknown;
}
interface Database {
  pragma(text: string): unknown;
  exec(sql: string): unknown;
  prepare(sql: string): Statement;
  transaction(body: (records: StoredRecord[]) => void): (records: StoredRecord[]) => void;
  close(): void;
}

function requests(now: number): StoredRecord[][] {
  return Array.from({ length: REQUESTS }, (_, r) =>
    Array.from({ length: POINTS }, (_, p) => {
      const s = (r * POINTS + p) % SERIES;
      const v = (r + p) % 100;
      return {
        at: now,
        point: {
          key: 'bench.sqlite',
          type: 'gauge' as const,
          dimensions: [
            ['service', `svc-${s % 100}`],
            ['instance', `i-${s}`],
          ] as [string, string][],
          stats: { min: v, max: v, sum: v, count: 1 },
          timestamp: now - (r % 60) * 1000,
        },
      };
    }),
  );
}

async function dataFile(batches: StoredRecord[][], now: number): Promise<number> {
  const path = join(WORK, 'store.data');
  rmSync(path, { force: true });
  const { file } = await DataFile.open(path, new MetricStore(), now, { compactLogBytes: Number.MAX_SAFE_INTEGER });
  const started = performance.now();
  for (const batch of batches) await file.append(now, batch);
  const ms = performance.now() - started;
  await file.close();
  return ms;
}

function sqlite(open: (path: string) => Database, batches: StoredRecord[][]): number {
  const path = join(WORK, 'store.sqlite');
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const db = open(path);
  // As durable as the data file: written before the answer, synced at checkpoints (WAL with synchronous=NORMAL).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'CREATE TABLE series (id INTEGER PRIMARY KEY, key TEXT NOT NULL, dimensions TEXT NOT NULL, UNIQUE (key, dimensions))',
  );
  db.exec(
    'CREATE TABLE slots (series INTEGER NOT NULL, ring INTEGER NOT NULL, slot INTEGER NOT NULL, min REAL, max REAL, sum REAL, count REAL, PRIMARY KEY (series, ring, slot)) WITHOUT ROWID',
  );
  const addSeries = db.prepare('INSERT INTO series (key, dimensions) VALUES (?, ?) ON CONFLICT DO NOTHING');
  const seriesId = db.prepare('SELECT id FROM series WHERE key = ? AND dimensions = ?') as Statement & {
    get(...v: unknown[]): { id: number };
  };
  const upsert = db.prepare(
    'INSERT INTO slots VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET min = min(min, excluded.min), max = max(max, excluded.max), sum = sum + excluded.sum, count = count + excluded.count',
  );
  const store = db.transaction((records) => {
    for (const record of records) {
      if (!('point' in record)) continue;
      const { key, dimensions, stats, timestamp } = record.point;
      const dims = JSON.stringify(dimensions);
      addSeries.run(key, dims);
      const { id } = seriesId.get(key, dims);
      upsert.run(id, 0, Math.floor(timestamp / 60_000), stats.min, stats.max, stats.sum, stats.count);
      upsert.run(id, 1, Math.floor(timestamp / 3_600_000), stats.min, stats.max, stats.sum, stats.count);
    }
  });
  const started = performance.now();
  for (const batch of batches) store(batch);
  const ms = performance.now() - started;
  db.close();
  return ms;
}

async function main(): Promise<void> {
  const moduleName = 'better-sqlite3';
  let open: (path: string) => Database;
  try {
    const module = (await import(moduleName)) as { default: new (path: string) => Database };
    open = (path) => new module.default(path);
  } catch {
    throw new Error('better-sqlite3 is not installed: npm install --no-save better-sqlite3@12');
  }
  mkdirSync(WORK, { recursive: true });
  const now = Date.now();
  const batches = requests(now);
  const runs = { file: [] as number[], sqlite: [] as number[] };
  for (let run = 0; run < RUNS + 1; run++) {
    const fileMs = await dataFile(batches, now);
    const sqliteMs = sqlite(open, batches);
    // The first run warms up both; it is not counted.
    if (run === 0) continue;
    runs.file.push(fileMs);
    runs.sqlite.push(sqliteMs);
  }
  const points = REQUESTS * POINTS;
  const rate = (ms: number[]) => Math.round(points / (median(ms) / 1000)).toLocaleString('en-US');
  writeReport(
    RESULTS,
    [
      ...reportHeader(
        'Data file against SQLite',
        'npm install --no-save better-sqlite3@12 && node --import tsx bench/store-vs-sqlite.ts',
      ),
      `Making ${REQUESTS} ingest requests of ${POINTS.toLocaleString('en-US')} points (${SERIES.toLocaleString('en-US')} series) durable, one after another; median of ${RUNS} alternating runs after one untimed.`,
      '',
      '| Store | Time (ms) | Points/s |',
      '|---|--:|--:|',
      `| data file: one frame appended per request | ${median(runs.file).toFixed(0)} | ${rate(runs.file)} |`,
      `| SQLite (better-sqlite3, WAL, synchronous=NORMAL): each point upserted into its two ring slots, one transaction per request | ${median(runs.sqlite).toFixed(0)} | ${rate(runs.sqlite)} |`,
      '',
      `SQLite takes ${(median(runs.sqlite) / median(runs.file)).toFixed(1)}× the data file's time. Runs (ms): data file ${runs.file.map((x) => x.toFixed(0)).join(', ')}; SQLite ${runs.sqlite.map((x) => x.toFixed(0)).join(', ')}.`,
      '',
    ].join('\n'),
  );
}

runBenchmark(main);
