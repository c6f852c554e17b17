/**
 * Bounded memory: 1 GiB of realistic metric lines streamed through stdin into a CLI with a 64 MB heap. The test
 * process generates the stream and writes it with back-pressure; one line in about 10,000 is a planted mistake
 * whose diagnostic (code and line number) must come back, and nothing else may (except the two file-level
 * request-size infos, LN002 and LN003, once each). And one line of 200 MB, of which only a prefix is kept.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { NOW, assertBuilt, collect, feed, parseJsonReport, positions, spawnCli } from './helpers.ts';

/**
 * 1 GiB (at the CLI's ~30 MB/s on a 2-core machine, about 35-40 s). DTMETRICS_TEST_STDIN_BYTES sets a smaller
 * size for a quick local run.
 */
const TOTAL_BYTES = Number(process.env.DTMETRICS_TEST_STDIN_BYTES) || 2 ** 30;
/** Distinct blocks of lines, repeated in turn until the total is reached. */
const BLOCKS = 16;
const LINES_PER_BLOCK = 10_000;

/** mulberry32: a deterministic stream of floats in [0, 1). */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SERVICES = [
  'checkout',
  'cart',
  'payment',
  'catalog',
  'search',
  'recommendation',
  'shipping',
  'auth',
  'user-profile',
  'inventory',
  'notification',
  'frontend',
];
const ENDPOINTS = ['/api/v1/items', '/api/v1/items/{id}', '/api/v2/orders/{id}/confirm', '/health', '/'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = ['200', '201', '404', '429', '503'];
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'ap-southeast-2'];
const POOLS = ['G1 Eden Space', 'G1 Old Gen', 'G1 Survivor Space', 'Metaspace', "CodeHeap 'profiled nmethods'"];
const TOPICS = ['orders', 'payments', 'shipments', 'inventory-events', 'user-events', 'search-index'];
const SHOPS = ['Café Müller', 'Łódź Outlet', 'Tokyo 渋谷 Store', 'Bäckerei \\"Zum Glück\\"', 'Main St. Books, Inc.'];

const HEADER = [
  '// metrics export, one scrape per minute',
  '#http.server.duration gauge dt.meta.unit=MilliSecond,dt.meta.displayName="HTTP server duration"',
  '#jvm.memory.used gauge dt.meta.unit=Byte',
  '#kafka.consumer.lag gauge dt.meta.displayName="Consumer lag"',
  '',
];

type Planted = 'DK001' | 'MK002' | 'TS003';

interface Block {
  bytes: Buffer;
  lines: number;
  /** 0-based line index in the block of the planted mistake, and the code it must produce. */
  planted: { index: number; code: Planted };
}

function makeBlock(seed: number): Block {
  const r = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const ts = () => NOW - int(0, 3_500_000);
  const lines: string[] = [];
  const plantedIndex = int(100, LINES_PER_BLOCK - 100);
  const code = (['DK001', 'MK002', 'TS003'] as const)[seed % 3] as Planted;
  for (let i = 0; lines.length < LINES_PER_BLOCK; i++) {
    if (lines.length === plantedIndex) {
      if (code === 'DK001')
        lines.push(
          `http.server.request_count,Service=${pick(SERVICES)},method=GET,status=200 count,delta=${int(1, 50)} ${ts()}`,
        );
      else if (code === 'MK002')
        lines.push(`5xx.errors,service=${pick(SERVICES)},region=${pick(REGIONS)} ${int(0, 9)} ${ts()}`);
      else
        lines.push(
          `jvm.memory.used,host=ip-10-0-${int(1, 8)}-1,pool="${pick(POOLS)}" ${int(1e6, 9e8)} ${NOW - 2 * 3_600_000}`,
        );
      continue;
    }
    if (i % 500 === 499) {
      lines.push('', `// batch ${seed}-${i}`);
      continue;
    }
    const kind = r();
    if (kind < 0.35) {
      lines.push(
        `http.server.request_count,service=${pick(SERVICES)},method=${pick(METHODS)},status=${pick(STATUSES)},region=${pick(REGIONS)} count,delta=${int(0, 900)} ${ts()}`,
      );
    } else if (kind < 0.6) {
      const count = int(1, 400);
      const min = int(1, 50);
      const max = count === 1 ? min : min + int(0, 900); // one observation: min = max = sum
      const avg = int(min, max);
      lines.push(
        `http.server.duration,service=${pick(SERVICES)},endpoint="${pick(ENDPOINTS)}",method=${pick(METHODS)} gauge,min=${min},max=${max},sum=${avg * count},count=${count} ${ts()}`,
      );
    } else if (kind < 0.8) {
      lines.push(
        `jvm.memory.used,host=ip-10-0-${int(1, 8)}-${int(1, 6)},pool="${pick(POOLS)}" ${int(1e6, 9e8)} ${ts()}`,
      );
    } else if (kind < 0.95) {
      lines.push(
        `kafka.consumer.lag,topic=${pick(TOPICS)},partition=${int(0, 11)},consumer.group=${pick(['billing', 'search', 'mailer'])} ${int(0, 5000)}.${int(0, 99)} ${ts()}`,
      );
    } else {
      lines.push(
        `shop.orders_count,shop="${pick(SHOPS)}",country=${pick(['DE', 'AT', 'PL', 'JP', 'US'])} count,delta=${int(1, 20)}`,
      );
    }
  }
  return { bytes: Buffer.from(lines.join('\n') + '\n'), lines: lines.length, planted: { index: plantedIndex, code } };
}

before(() => assertBuilt());

test('1 GiB through stdin into a 64 MB heap: every planted mistake found, nothing else, no out-of-memory', {
  timeout: 15 * 60_000,
}, async () => {
  const blocks = Array.from({ length: BLOCKS }, (_, i) => makeBlock(1000 + i));
  const header = Buffer.from(HEADER.join('\n') + '\n');
  // The expected diagnostics, `line code`, in order, as the stream is laid out.
  const expected: string[] = [];
  function* stream(): Generator<Buffer> {
    let bytes = header.length;
    let line = HEADER.length;
    yield header;
    for (let n = 0; bytes < TOTAL_BYTES; n++) {
      const block = blocks[n % BLOCKS] as Block;
      expected.push(`${line + block.planted.index + 1} ${block.planted.code}`);
      yield block.bytes;
      bytes += block.bytes.length;
      line += block.lines;
    }
  }

  const child = spawnCli(['lint', '--format', 'json', '--now', String(NOW), '-'], {
    nodeArgs: ['--max-old-space-size=64'],
  });
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  await feed(child.stdin, stream(), exited);
  const [code, signal] = await exited;
  const err = await stderr;
  assert.doesNotMatch(err, /heap out of memory|Allocation failed/, 'no out-of-memory');
  assert.equal(err, '', 'nothing on stderr');
  assert.deepEqual({ code, signal }, { code: 1, signal: null }, 'exit 1: the planted errors');

  const report = parseJsonReport(await stdout);
  assert.equal(report.length, 1);
  const diagnostics = report[0]?.diagnostics ?? [];
  const infos = diagnostics.filter((d) => d.code === 'LN002' || d.code === 'LN003');
  assert.deepEqual(
    infos.map((d) => `${d.code} ${d.severity}`).sort(),
    ['LN002 info', 'LN003 info'],
    'the request-size infos, once each',
  );
  const found = diagnostics.filter((d) => d.code !== 'LN002' && d.code !== 'LN003');
  assert.ok(expected.length >= TOTAL_BYTES / 2_000_000, `one planted mistake per ~1 MB (${expected.length})`);
  const byCode = (list: string[]) =>
    list.reduce<Record<string, number>>((acc, x) => ((acc[x] = (acc[x] ?? 0) + 1), acc), {});
  const plantedLines = new Set(expected.map((e) => Number(e.split(' ')[0])));
  const strays = found.filter((d) => !plantedLines.has(d.line));
  assert.deepEqual(
    strays.slice(0, 5),
    [],
    `no diagnostics on lines without a planted mistake (${strays.length}: ${JSON.stringify(byCode(strays.map((d) => d.code)))})`,
  );
  assert.equal(found.length, expected.length, 'one diagnostic per planted mistake');
  assert.deepEqual(
    found.map((d) => `${d.line} ${d.code}`),
    expected,
  );
  assert.ok(found.every((d) => d.severity === 'error'));
});

/** A file is read, and stdin fed, in 1 MiB pieces. */
const CHUNK = 1 << 20;

// Over 1 MB, the line is also past the request size (LN003, info); this test is about LN001 and the line kept.
test('a 200 MB line through stdin is linted in 64 MB of heap (only a prefix is kept)', async () => {
  const length = 200 * CHUNK;
  const child = spawnCli(['lint', '--format', 'json', '--now', String(NOW), '--rule', 'LN003=off', '-'], {
    nodeArgs: ['--max-old-space-size=64'],
  });
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  const zeros = Buffer.alloc(CHUNK, '0');
  function* chunks() {
    yield 'big.metric 1.';
    for (let i = 0; i < 199; i++) yield zeros;
    yield zeros.subarray(0, CHUNK - 'big.metric 1.'.length);
  }
  await feed(child.stdin, chunks(), exited);
  const [code, signal] = await exited;
  const err = await stderr;
  assert.equal(err, '', 'nothing on stderr (no out-of-memory crash)');
  assert.deepEqual([code, signal], [1, null]);
  const report = parseJsonReport(await stdout);
  assert.deepEqual(positions(report[0]), [`1:50001-1:${length + 1} error LN001`]);
});
