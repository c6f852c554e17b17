/**
 * The local tenant's data survives a restart and a crash; a torn last line (a crash mid-write) or a damaged line
 * is skipped and reported, never fatal; fault injection is off unless asked for, and does what it says.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt } from '../cli/helpers.ts';
import { call, ingest, recent, startServe, TOKEN } from './helpers.ts';

let dir: string;
before(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'dtmetrics-persist-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

/** The descriptor of a metric, which exists only if the tenant holds it. */
const describeMetric = (url: string, key: string) => call(`${url}/api/v2/metrics/${encodeURIComponent(key)}`, { token: TOKEN });

describe('data file', () => {
  it('replays after a restart and after a crash (SIGKILL): what was answered 202 is kept', async () => {
    const file = join(dir, 'restart.jsonl');
    let tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.equal((await ingest(tenant.url, `persist.a,host=x gauge,1 ${recent()}\n#persist.a gauge dt.meta.unit=Byte`)).status, 202);
    await tenant.stop();
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.match(tenant.output(), /2 records replayed/);
    const described = await describeMetric(tenant.url, 'persist.a');
    assert.equal(described.status, 200);
    assert.equal((described.json as { unit: string }).unit, 'Byte');
    assert.equal((await ingest(tenant.url, `persist.b gauge,2 ${recent()}`)).status, 202);
    await tenant.stop('SIGKILL');
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.match(tenant.output(), /3 records replayed/);
    assert.equal((await describeMetric(tenant.url, 'persist.b')).status, 200);
    await tenant.stop();
  });

  it('skips and reports a torn last line, cuts it off, and appends cleanly after it', async () => {
    const file = join(dir, 'torn.jsonl');
    let tenant = await startServe(['--data', file, '--token', TOKEN]);
    await ingest(tenant.url, `torn.before gauge,1 ${recent()}`);
    await tenant.stop();
    const whole = readFileSync(file, 'utf8');
    appendFileSync(file, '{"at":1732300000000,"point":{"key":"torn.aft');
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.match(tenant.output(), /line 2 skipped: torn last line \(\d+ bytes, no line end\): cut off/);
    assert.match(tenant.output(), /1 records replayed/);
    assert.equal(readFileSync(file, 'utf8'), whole, 'the torn bytes are cut off, the whole records kept');
    assert.equal((await ingest(tenant.url, `torn.after gauge,1 ${recent()}`)).status, 202);
    await tenant.stop();
    assert.equal(lines(file).length, 2);
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.match(tenant.output(), /2 records replayed/);
    assert.doesNotMatch(tenant.output(), /skipped/);
    await tenant.stop();
  });

  it('skips a damaged line in the middle and replays the rest', async () => {
    const file = join(dir, 'damaged.jsonl');
    let tenant = await startServe(['--data', file, '--token', TOKEN]);
    await ingest(tenant.url, `dmg.one gauge,1 ${recent()}`);
    await tenant.stop();
    appendFileSync(file, 'not json at all\n{"at":1}\n');
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    await ingest(tenant.url, `dmg.two gauge,1 ${recent()}`);
    await tenant.stop();
    tenant = await startServe(['--data', file, '--token', TOKEN]);
    assert.match(tenant.output(), /line 2 skipped: not a whole record/);
    assert.match(tenant.output(), /line 3 skipped: not a whole record/);
    assert.match(tenant.output(), /2 records replayed/);
    await tenant.stop();
  });

  it('drops points older than the store keeps (8 days before the newest) from the file at start; metadata stays', async () => {
    const file = join(dir, 'compact.jsonl');
    const now = Date.now();
    const point = (key: string, timestamp: number) => JSON.stringify({ at: timestamp, point: { key, type: 'gauge', dimensions: [], stats: { min: 1, max: 1, sum: 1, count: 1 }, timestamp } });
    const metadata = JSON.stringify({ at: now - 10 * 86_400_000, metadata: { key: 'compact.old', type: 'gauge', unit: 'Byte' } });
    writeFileSync(file, [metadata, point('compact.old', now - 9 * 86_400_000), point('compact.new', now - 60_000)].join('\n') + '\n');
    let tenant = await startServe(['--data', file]);
    assert.match(tenant.output(), /3 records replayed/);
    assert.match(tenant.output(), /1 points older than the store keeps dropped from it/);
    await tenant.stop();
    assert.deepEqual(lines(file), [metadata, point('compact.new', now - 60_000)]);
    tenant = await startServe(['--data', file]);
    assert.match(tenant.output(), /2 records replayed/);
    assert.doesNotMatch(tenant.output(), /dropped/);
    assert.equal((await ingest(tenant.url, `compact.after gauge,1 ${recent()}`, null)).status, 202, 'appends after the rewrite');
    await tenant.stop();
    assert.equal(lines(file).length, 3);
  });

  it('an unwritable data file is a one-line error, exit 2', async () => {
    const file = join(dir, 'no-such-dir', 'x.jsonl');
    const tenant = startServe(['--data', file]);
    await assert.rejects(tenant, /cannot open data file '.*x\.jsonl': no such file or directory/);
  });
});

describe('fault injection', () => {
  it('is off unless --faults is given', async () => {
    const tenant = await startServe([]);
    const answer = await call(`${tenant.url}/_dtmetrics/faults`, { body: '{"faults":[{"status":503}]}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(answer.status, 404);
    await tenant.stop();
  });

  it('429 with X-RateLimit-Reset, 503, a reset before and after the body, a slow answer: each as asked, in order', async () => {
    const file = join(dir, 'faults.jsonl');
    writeFileSync(file, '');
    const tenant = await startServe(['--faults', '--data', file]);
    const faults = [{ status: 429, headers: { 'X-RateLimit-Reset': '1732300000000000' } }, { status: 503 }, { reset: 'before-body' }, { reset: 'after-body' }, { slowMs: 300 }];
    assert.equal((await call(`${tenant.url}/_dtmetrics/faults`, { body: JSON.stringify({ faults }), headers: { 'Content-Type': 'application/json' } })).status, 204);
    const post = (i: number) => call(`${tenant.url}/api/v2/metrics/ingest`, { body: `fault.line,i=${i} gauge,1 ${recent()}` });
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
    const stored = lines(file).map((l) => (JSON.parse(l) as { point: { dimensions: [string, string][] } }).point.dimensions[0]?.[1]);
    assert.deepEqual(stored, ['4', '5', '6'], 'stored: after-body reset, slow, normal; not: 429, 503, before-body reset');
    await tenant.stop();
  });

  it('refuses a fault that makes no sense', async () => {
    const tenant = await startServe(['--faults']);
    const answer = await call(`${tenant.url}/_dtmetrics/faults`, { body: '{"faults":[{"reset":"sometimes"}]}', headers: { 'Content-Type': 'application/json' } });
    assert.equal(answer.status, 400);
    assert.match((answer.json as { error: { message: string } }).error.message, /"reset" must be "before-body" or "after-body"/);
    await tenant.stop();
  });
});
