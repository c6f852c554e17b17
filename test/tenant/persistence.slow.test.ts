/**
 * The local tenant's data survives a restart and a crash; a torn last frame (a crash mid-write), a damaged frame,
 * a record of the wrong shape or from the future is skipped and reported, never fatal; a file not ours is left
 * untouched; the log is compacted and the file stays bounded; files of the first format are converted; fault injection is off unless asked for, and does what it says.
 */
import { after, before, describe, it } from 'node:test';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { readLog } from '#tenant/data-file.ts';
import { assertBuilt, CLI } from '../cli/helpers.ts';
import { call, countsBy, ingest, recent, setFaults, startServe, TOKEN, waitFor } from './helpers.ts';

let dir: string;
before(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'dtmetrics-persist-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The descriptor of a metric, which exists only if the tenant holds it. */
const describeMetric = (url: string, key: string) =>
  call(`${url}/api/v2/metrics/${encodeURIComponent(key)}`, { token: TOKEN });

/**
 * The file's frames as its layout (server/src/tenant/data-file.ts) says: after the 8-byte magic, each frame is
 * 'DMFR', kind, 3 zero bytes, length (u32 LE), CRC-32 of kind..length and the payload (u32 LE), payload, zero padding to 8.
 */
function frames(file: string): { kind: number; payload: Buffer; offset: number }[] {
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(0, 8).toString('latin1'), 'DTMDATA2');
  const out: { kind: number; payload: Buffer; offset: number }[] = [];
  for (let at = 8; at < bytes.length; ) {
    assert.equal(bytes.subarray(at, at + 4).toString('latin1'), 'DMFR', `a frame at ${at}`);
    const length = bytes.readUInt32LE(at + 8);
    out.push({ kind: bytes[at + 4] as number, payload: bytes.subarray(at + 16, at + 16 + length), offset: at });
    at += 16 + Math.ceil(length / 8) * 8;
  }
  return out;
}

function frameBytes(kind: number, payload: Buffer): Buffer {
  const frame = Buffer.alloc(16 + Math.ceil(payload.length / 8) * 8);
  frame.write('DMFR', 0, 'latin1');
  frame[4] = kind;
  frame.writeUInt32LE(payload.length, 8);
  payload.copy(frame, 16);
  frame.writeUInt32LE(crc32(payload, crc32(frame.subarray(4, 12))), 12);
  return frame;
}

const BATCH = 5;

/** Rewrites the file with each batch's JSON passed through `change`, checksums made good: damage only a reader can see. */
function rewriteBatches(
  file: string,
  change: (batch: { at: number; records: unknown[] }, index: number) => unknown,
): void {
  let index = 0;
  const parts = frames(file).map((f) =>
    f.kind === BATCH
      ? frameBytes(
          BATCH,
          Buffer.from(
            JSON.stringify(change(JSON.parse(f.payload.toString()) as { at: number; records: unknown[] }, index++)),
          ),
        )
      : frameBytes(f.kind, f.payload),
  );
  writeFileSync(file, Buffer.concat([Buffer.from('DTMDATA2', 'latin1'), ...parts]));
}

describe('data file', () => {
  it('keeps what was answered 202 across a restart and a crash (SIGKILL)', async () => {
    const file = join(dir, 'restart.data');
    let tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.match(tenant.output(), /new data file .*restart\.data/);
    assert.equal(
      (await ingest(tenant.url, `persist.a,host=x gauge,1 ${recent()}\n#persist.a gauge dt.meta.unit=Byte`)).status,
      202,
    );
    await tenant.stop();
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.match(tenant.output(), /1 series of 1 metric restored from/);
    const described = await describeMetric(tenant.url, 'persist.a');
    assert.equal(described.status, 200);
    assert.equal((described.json as { unit: string }).unit, 'Byte');
    assert.equal((await ingest(tenant.url, `persist.b gauge,2 ${recent()}`)).status, 202);
    await tenant.stop('SIGKILL');
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.match(tenant.output(), /2 series of 2 metrics restored/, 'a stale lock of the killed tenant is taken over');
    assert.equal((await describeMetric(tenant.url, 'persist.b')).status, 200);
    await tenant.stop();
  });

  it('cuts off a torn last frame (a crash mid-write), reports it, and appends cleanly after it', async () => {
    const file = join(dir, 'torn.data');
    let tenant = await startServe(['--data', file, '--token', TOKEN]);
    await ingest(tenant.url, `torn.before,id=1 gauge,1 ${recent()}`);
    await tenant.stop();
    const whole = readFileSync(file);
    const torn = frameBytes(
      BATCH,
      Buffer.from(JSON.stringify({ at: Date.now(), records: [['torn.lost', 'gauge', [], 1, 1, 1, 1, recent()]] })),
    );
    appendFileSync(file, torn.subarray(0, torn.length - 9));
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.match(
      tenant.output(),
      new RegExp(`${torn.length - 9} bytes at the end that are not a whole frame .* cut off`),
    );
    assert.deepEqual(readFileSync(file), whole, 'the torn bytes are cut off, the whole frames kept');
    assert.equal((await ingest(tenant.url, `torn.before,id=2 gauge,1 ${recent()}`)).status, 202);
    await tenant.stop();
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.doesNotMatch(tenant.output(), /skipped|cut off/);
    assert.deepEqual(
      await countsBy(tenant.url, 'torn.before', 'id'),
      new Map([
        ['1', 1],
        ['2', 1],
      ]),
    );
    await tenant.stop();
  });

  it('skips a frame whose checksum fails, one whose length is damaged, and garbage between frames, and reads on', async () => {
    const file = join(dir, 'damaged.data');
    let tenant = await startServe(['--data', file, '--token', TOKEN]);
    for (const id of [1, 2, 3, 4]) await ingest(tenant.url, `dmg.k,id=${id} gauge,1 ${recent()}`);
    await tenant.stop();
    const bytes = readFileSync(file);
    const [, second, third] = frames(file).filter((f) => f.kind === BATCH);
    assert.ok(second && third);
    bytes.writeUInt8((bytes[second.offset + 40] as number) ^ 0x01, second.offset + 40); // one flipped bit inside the second batch
    bytes.writeUInt32LE(0xffff_ff00, third.offset + 8); // the third's length field: far past the end of the file
    writeFileSync(file, Buffer.concat([bytes, Buffer.from('not a frame at all, some text appended by hand\n')]));
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.match(
      tenant.output(),
      /skipped 47 bytes at offset [\d,]+ to the end that are not whole frames/,
      'garbage at the end is damage, not a torn write',
    );
    assert.equal((await ingest(tenant.url, `dmg.k,id=5 gauge,1 ${recent()}`)).status, 202);
    await tenant.stop();
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    const skipped = [...tenant.output().matchAll(/skipped [\d,]+ bytes at offset [\d,]+ that are not whole frames/g)];
    assert.equal(
      skipped.length,
      2,
      `the two damaged batches (one stretch) and the garbage, now between frames:\n${tenant.output()}`,
    );
    assert.deepEqual(
      await countsBy(tenant.url, 'dmg.k', 'id'),
      new Map([
        ['1', 1],
        ['4', 1],
        ['5', 1],
      ]),
      'only the damaged batches are missing',
    );
    await tenant.stop();
  });

  it('a damaged snapshot header costs nothing: the series are read with the steps this version writes', async () => {
    const file = join(dir, 'header.data');
    let tenant = await startServe(['--data', file, '--token', TOKEN, '--compact-log-bytes', '64']);
    for (const id of [1, 2, 3]) await ingest(tenant.url, `header.k,id=${id} gauge,1 ${recent()}`);
    await waitFor('a compaction', 10_000, () => /compacted/.test(tenant.output()) || null);
    await tenant.stop();
    const bytes = readFileSync(file);
    const header = frames(file)[0];
    assert.equal(header?.kind, 1);
    bytes.writeUInt8((bytes[header.offset + 20] as number) ^ 0x01, header.offset + 20);
    writeFileSync(file, bytes);
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.match(tenant.output(), /skipped \d+ bytes at offset 8 that are not whole frames/);
    assert.deepEqual(
      await countsBy(tenant.url, 'header.k', 'id'),
      new Map([
        ['1', 1],
        ['2', 1],
        ['3', 1],
      ]),
    );
    await tenant.stop();
  });

  it('a record from the future (one flipped digit) is skipped and reported; the rest is kept', async () => {
    const file = join(dir, 'future.data');
    let tenant = await startServe(['--data', file, '--token', TOKEN]);
    for (let id = 0; id < 100; id++) await ingest(tenant.url, `future.k,id=${id} gauge,1 ${recent()}`);
    await tenant.stop();
    rewriteBatches(file, (batch, index) =>
      index === 37
        ? {
            ...batch,
            records: batch.records.map((r) =>
              (r as unknown[]).map((v, i) => (i === 7 ? Number('9' + String(v).slice(1)) : v)),
            ),
          }
        : batch,
    );
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.match(tenant.output(), /skipped a point from the future \(2\d\d\d-.*\) of future\.k/);
    assert.equal((await countsBy(tenant.url, 'future.k', 'id')).size, 99);
    await tenant.stop();
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.equal((await countsBy(tenant.url, 'future.k', 'id')).size, 99, 'nothing else is lost at the next start');
    await tenant.stop();
  });

  it('records of valid JSON but the wrong shape are skipped and reported, never fatal', async () => {
    const file = join(dir, 'shape.data');
    let tenant = await startServe(['--data', file, '--token', TOKEN]);
    for (const id of [1, 2, 3, 4, 5]) await ingest(tenant.url, `shape.k,id=${id} gauge,1 ${recent()}`);
    await tenant.stop();
    const wrong = [
      null,
      ['shape.k', 'gauge', [null, 'x'], 1, 1, 1, 1, recent()],
      ['shape.k', 'gauge', ['id', '3'], null, 1, 1, 1, recent()],
    ];
    rewriteBatches(file, (batch, index) =>
      index === 0 ? { at: 'yesterday', records: [] } : index <= 3 ? { ...batch, records: [wrong[index - 1]] } : batch,
    );
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.match(tenant.output(), /skipped a batch of the wrong shape/);
    assert.match(tenant.output(), /skipped a record of the wrong shape: null/);
    assert.match(tenant.output(), /skipped a record of the wrong shape: \["shape\.k","gauge",\[null,"x"\]/);
    assert.deepEqual(await countsBy(tenant.url, 'shape.k', 'id'), new Map([['5', 1]]));
    await tenant.stop();
  });

  it('refuses a file that is not a data file, without touching it', async () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'my notes\nnot metrics at all\n');
    const before = statSync(file);
    await assert.rejects(
      startServe(['--data', file]),
      /'.*notes\.txt' is not a dtmetrics data file; the local tenant leaves it untouched/,
    );
    assert.equal(readFileSync(file, 'utf8'), 'my notes\nnot metrics at all\n');
    assert.equal(statSync(file).mtimeMs, before.mtimeMs);
    assert.equal(existsSync(`${file}.lock`), false);
  });

  it('a compaction cut short by a crash leaves the file whole, and its half-written snapshot is removed', async () => {
    const file = join(dir, 'half.data');
    let tenant = await startServe(['--data', file, '--token', TOKEN]);
    await ingest(tenant.url, `half.k,id=1 gauge,1 ${recent()}`);
    await tenant.stop('SIGKILL');
    writeFileSync(
      `${file}.compacting`,
      Buffer.concat([Buffer.from('DTMDATA2', 'latin1'), Buffer.from('DMFR half a snapshot')]),
    );
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.deepEqual(await countsBy(tenant.url, 'half.k', 'id'), new Map([['1', 1]]));
    assert.equal(existsSync(`${file}.compacting`), false);
    await tenant.stop();
  });

  it('refuses a data file of another format version, untouched', async () => {
    const file = join(dir, 'future-format.data');
    writeFileSync(file, 'DTMDATA9 and whatever a later version writes');
    await assert.rejects(
      startServe(['--data', file]),
      /was written by another version of dtmetrics \(format 9\); this one reads format 2/,
    );
    assert.equal(readFileSync(file, 'utf8'), 'DTMDATA9 and whatever a later version writes');
  });

  it('refuses a file another tenant is using', async () => {
    const file = join(dir, 'busy.data');
    const first = await startServe(['--data', file]);
    await assert.rejects(
      startServe(['--data', file]),
      /'.*busy\.data' is locked by another local tenant \(process \d+\)/,
    );
    await first.stop();
  });

  it('forked as the editor forks it, it ends on SIGTERM by itself (exit 0, the lock released), not killed later', async () => {
    const file = join(dir, 'forked.data');
    const child = fork(CLI, ['serve', '--port', '0', '--data', file], { silent: true, execArgv: [] });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    await waitFor('the forked tenant to listen', 15_000, () => /listening on/.test(output) || null);
    child.kill('SIGTERM');
    // The deadline kills it, as the editor would: then it did not end by itself.
    const deadline = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = await exited;
    clearTimeout(deadline);
    assert.deepEqual([code, signal], [0, null], output);
    assert.equal(existsSync(`${file}.lock`), false);
  });

  it('a lock from an earlier boot of the machine is stale, even if its pid is alive now; one of this boot is not', async (t) => {
    let boot: string;
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      t.skip('no boot id on this system (Linux only)');
      return;
    }
    const file = join(dir, 'rebooted.data');
    // pid 1 always runs: only the boot tells its lock apart.
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 1, boot }));
    await assert.rejects(startServe(['--data', file]), /is locked by another local tenant \(process 1\)/);
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 1, boot: 'an-earlier-boot' }));
    const tenant = await startServe(['--data', file]);
    await tenant.stop();
    assert.equal(existsSync(`${file}.lock`), false);
  });

  it('stopped as a compaction starts, the tenant finishes it and leaves a whole file, unlocked', async () => {
    const file = join(dir, 'stopped.data');
    let tenant = await startServe(['--data', file, '--compact-log-bytes', '64']);
    const lines = Array.from({ length: 500 }, (_, i) => `stopped.k,id=${i} gauge,1 ${recent()}`).join('\n');
    assert.equal((await ingest(tenant.url, lines, null)).status, 202);
    await waitFor('a compaction', 10_000, () => /compacting/.test(tenant.output()) || null);
    const { code } = await tenant.stop();
    assert.equal(code, 0);
    assert.equal(existsSync(`${file}.lock`), false);
    assert.equal(existsSync(`${file}.compacting`), false);
    tenant = await startServe(['--data', file]);
    assert.doesNotMatch(tenant.output(), /skipped|cut off/);
    assert.equal((await countsBy(tenant.url, 'stopped.k', 'id')).size, 500);
    await tenant.stop();
  });

  it('values near the largest a double holds survive a compaction and a restart, an overflowed sum too', async () => {
    const file = join(dir, 'large.data');
    let tenant = await startServe(['--data', file, '--token', TOKEN, '--compact-log-bytes', '64']);
    const t = recent();
    assert.equal(
      (
        await ingest(
          tenant.url,
          `large.k,id=a gauge,1.5e308 ${t}\nlarge.k,id=b gauge,1e308 ${t}\nlarge.k,id=b gauge,1e308 ${t}`,
        )
      ).status,
      202,
    );
    await waitFor('a compaction', 10_000, () => /compacted/.test(tenant.output()) || null);
    await tenant.stop();
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.doesNotMatch(tenant.output(), /skipped/);
    assert.deepEqual(
      await countsBy(tenant.url, 'large.k', 'id'),
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    );
    await tenant.stop();
  });

  it('compacts the log into a snapshot once it grows: the file stays bounded and every point is kept', async () => {
    const file = join(dir, 'compact.data');
    let tenant = await startServe(['--data', file, '--compact-log-bytes', '4096']);
    const ids = Array.from({ length: 20 }, (_, i) => i);
    for (let round = 0; round < 30; round++) {
      assert.equal(
        (
          await ingest(
            tenant.url,
            ids.map((id) => `compact.k,id=${id} gauge,${round} ${recent(round % 10)}`).join('\n'),
            null,
          )
        ).status,
        202,
      );
    }
    const sizes = [...tenant.output().matchAll(/compacted to ([\d,]+) bytes/g)].map((m) =>
      Number((m[1] as string).replaceAll(',', '')),
    );
    assert.ok(sizes.length >= 3, `compactions: ${sizes.length}\n${tenant.output()}`);
    const snapshot = Math.max(...sizes);
    assert.ok(
      statSync(file).size <= snapshot + Math.max(4096, snapshot / 2) + 4096,
      `the file (${statSync(file).size} bytes) is a snapshot (${snapshot}) and a short log`,
    );
    await tenant.stop();
    tenant = await startServe(['--data', file]);
    assert.deepEqual(
      await countsBy(tenant.url, 'compact.k', 'id'),
      new Map(ids.map((id) => [String(id), 30])),
      'each of the 30 points of each series, once',
    );
    await tenant.stop();
  });

  it('converts a file of the first format (JSON lines), keeps the original, and checks every line', async () => {
    const file = join(dir, 'v1.jsonl');
    const now = Date.now();
    const point = (id: number, timestamp: number, at = timestamp) =>
      JSON.stringify({
        at,
        point: {
          key: 'v1.k',
          type: 'gauge',
          dimensions: [['id', String(id)]],
          stats: { min: 1, max: 1, sum: 1, count: 1 },
          timestamp,
        },
      });
    const lines = [
      JSON.stringify({ at: now - 10 * 86_400_000, metadata: { key: 'v1.k', type: 'gauge', unit: 'Byte' } }),
    ];
    for (let id = 0; id < 100; id++) lines.push(point(id, now - 60_000 - id));
    // A flipped first digit: from the year 2026 to 2278.
    lines[43] = (lines[43] as string).replace(/"timestamp":1/, '"timestamp":9');
    lines.push(
      point(100, now - 9 * 86_400_000),
      '{"at":1,"point":{"key":"v1.k","type":"gauge","dimensions":[],"stats":null,"timestamp":1}}',
      '{"at":1,"point":{"key":"v1.k","type":"gauge","dimensions":[null],"stats":{"min":1,"max":1,"sum":1,"count":1},"timestamp":1}}',
    );
    const original = lines.join('\n') + '\n' + point(101, now - 30_000); // the last line whole, without its line end
    writeFileSync(file, original);
    let tenant = await startServe(['--data', file]);
    const output = tenant.output();
    assert.match(
      output,
      /converted from the JSON-lines format of earlier versions; the original is kept as .*v1\.jsonl\.v1/,
    );
    assert.match(output, /skipped line 44: a point from the future/);
    assert.match(output, /skipped line 103: a record of the wrong shape/);
    assert.match(output, /skipped line 104: a record of the wrong shape/);
    assert.match(output, /dropped what is older than the 8 days the store keeps \(1 points or slots\)/);
    assert.equal(readFileSync(`${file}.v1`, 'utf8'), original);
    const counts = await countsBy(tenant.url, 'v1.k', 'id');
    assert.equal(counts.size, 100, '99 of the first 100, and the last line');
    assert.equal(counts.get('101'), 1);
    assert.equal(((await describeMetric(tenant.url, 'v1.k')).json as { unit: string }).unit, 'Byte');
    await tenant.stop();
    tenant = await startServe(['--data', file]);
    assert.doesNotMatch(tenant.output(), /skipped|converted/);
    assert.equal((await countsBy(tenant.url, 'v1.k', 'id')).size, 100);
    await tenant.stop();
  });

  it('an unwritable data file is a one-line error, exit 2', async () => {
    const file = join(dir, 'no-such-dir', 'x.data');
    const tenant = startServe(['--data', file]);
    await assert.rejects(tenant, /cannot open data file '.*x\.data': no such file or directory/);
  });
});

describe('fault injection', () => {
  it('is off unless --faults is given', async () => {
    const tenant = await startServe([]);
    const answer = await call(`${tenant.url}/_dtmetrics/faults`, {
      body: '{"faults":[{"status":503}]}',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(answer.status, 404);
    await tenant.stop();
  });

  it('429 with X-RateLimit-Reset, 503, a reset before and after the body, a slow answer: each as asked, in order', async () => {
    const file = join(dir, 'faults.data');
    const tenant = await startServe(['--faults', '--data', file]);
    const faults = [
      { status: 429, headers: { 'X-RateLimit-Reset': '1732300000000000' } },
      { status: 503 },
      { reset: 'before-body' },
      { reset: 'after-body' },
      { slowMs: 300 },
    ];
    await setFaults(tenant.url, faults);
    const post = (i: number) =>
      call(`${tenant.url}/api/v2/metrics/ingest`, { body: `fault.line,i=${i} gauge,1 ${recent()}` });
    const throttled = await post(1);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('x-ratelimit-reset'), '1732300000000000');
    assert.equal((await post(2)).status, 503);
    await assert.rejects(post(3), 'a reset before the body');
    await assert.rejects(post(4), 'a reset after the body');
    const started = Date.now();
    assert.equal((await post(5)).status, 202);
    assert.ok(Date.now() - started >= 300, 'the slow answer took its time');
    assert.equal((await post(6)).status, 202, 'the queue is empty again');
    const stored = (await readLog(file)).map((r) => ('point' in r ? r.point.dimensions[0]?.[1] : null));
    assert.deepEqual(
      stored,
      ['4', '5', '6'],
      'stored: after-body reset, slow, normal; not: 429, 503, before-body reset',
    );
    await tenant.stop();
  });

  it('refuses a fault that makes no sense', async () => {
    const tenant = await startServe(['--faults']);
    const answer = await call(`${tenant.url}/_dtmetrics/faults`, {
      body: '{"faults":[{"reset":"sometimes"}]}',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(answer.status, 400);
    assert.match(
      (answer.json as { error: { message: string } }).error.message,
      /"reset" must be "before-body" or "after-body"/,
    );
    await tenant.stop();
  });
});
