/**
 * The local tenant's StatsD listener (tenant/statsd.ts) as an app meets it: the built `dtmetrics serve`, the real
 * hot-shots client sending over UDP, a flush asked for (POST /_dtmetrics/statsd/flush) once the listener has
 * received every datagram hot-shots says it sent, and the values queried back through the metrics API. Also: no
 * socket with --no-statsd, one line for a port in use, and a stop that stores what the listener held.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import StatsDClient, { type ClientOptions, type StatsD } from 'hot-shots';
import { assertBuilt } from '../cli/helpers.ts';
import {
  call,
  flushAfter,
  queryValue,
  queryValues,
  startServe,
  TOKEN,
  waitFor,
  waitReceived,
  type TenantProcess,
} from './helpers.ts';

/**
 * A hot-shots call's callback. Over UDP hot-shots calls back with `null` once the datagram is sent and with no
 * argument when the sample rate left the call out (lib/statsd.js sendStat, 17.x).
 */
type Sent = (error?: Error | null) => void;

/**
 * Makes hot-shots calls against the listener on `port`, each given `sent()` (a new callback) as its last argument,
 * and resolves with how many datagrams went out once every call has called back.
 */
async function sendWithHotShots(
  port: number,
  options: ClientOptions,
  send: (client: StatsD, sent: () => Sent) => void,
): Promise<number> {
  let calls = 0;
  let answered = 0;
  let datagrams = 0;
  // Without hot-shots' own telemetry datagrams, which it sends when it likes.
  const client = new StatsDClient({
    ...options,
    host: '127.0.0.1',
    port,
    includeDatadogTelemetry: false,
    errorHandler: (e) => assert.fail(e),
  });
  send(client, () => {
    calls++;
    return (error) => {
      assert.ifError(error);
      answered++;
      if (error === null) datagrams++;
    };
  });
  await waitFor('hot-shots to send', 10_000, () => (answered === calls ? true : null));
  await new Promise<void>((resolve) => client.close(() => resolve()));
  return datagrams;
}

/** The UDP ports the process `pid` has sockets bound to (Linux: its socket inodes in /proc/net/udp). */
function udpPortsOf(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const target = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
    if (target) inodes.add(target);
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/udp', '/proc/net/udp6'])
    for (const row of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = row.trim().split(/\s+/);
      if (fields.length > 9 && inodes.has(fields[9] as string))
        ports.push(parseInt((fields[1] as string).split(':')[1] as string, 16));
    }
  return ports;
}

/** The StatsD port the start-up line names. */
const statsdPort = (tenant: TenantProcess): number =>
  Number(/StatsD on udp:\/\/127\.0\.0\.1:(\d+)/.exec(tenant.output())?.[1] ?? NaN);

let tenant: TenantProcess;
before(async () => {
  assertBuilt();
  tenant = await startServe(['--token', TOKEN, '--statsd-port', '0']);
});
after(() => tenant?.stop());

describe('the StatsD listener of the local tenant, from hot-shots', () => {
  it('stores counters with a sample rate, gauges, timers and sets with their DogStatsD tags, queried back', async () => {
    const port = statsdPort(tenant);
    assert.ok(port > 0 && port !== 18_125, tenant.output());
    assert.ok(udpPortsOf(tenant.pid).includes(port), 'the tenant holds the UDP port it names');
    const producer = { globalTags: { env: 'prod' }, datadog: true };
    let sampled = 0;
    const datagrams = await sendWithHotShots(port, producer, (client, sent) => {
      for (let i = 0; i < 3; i++) client.increment('udp.hits', 1, 1, ['region:eu'], sent());
      for (let i = 0; i < 40; i++) {
        const counted = sent();
        client.increment('udp.hits', 1, 0.5, ['region:eu'], (error) => {
          if (error === null) sampled++;
          counted(error);
        });
      }
      client.gauge('udp.queue', 12, 1, [], sent());
      client.gauge('udp.queue', 7, 1, [], sent());
      for (const ms of [320, 180, 250]) client.timing('udp.latency', ms, 1, ['Route:/pay', 'canary'], sent());
      for (const user of ['u-1', 'u-2', 'u-1', 'u-3']) client.set('udp.users', user, 1, [], sent());
      client.increment('udp.bad name!', 1, 1, [], sent());
      client.gauge('udp.typed', 1, 1, [], sent());
      client.increment('udp.typed', 1, 1, [], sent());
    });
    assert.ok(sampled > 0 && sampled < 40, `hot-shots sampled ${sampled} of 40 increments at 0.5`);

    const report = await flushAfter(tenant, datagrams);
    assert.deepEqual(report, { datagrams, lines: 6, linesOk: 6, linesInvalid: 0 });

    const expected = {
      'udp.hits.count:splitBy("region","env"):sum': 3 + 2 * sampled,
      'udp.queue:splitBy("env"):max': 7,
      'udp.latency:splitBy("route"):min': 180,
      'udp.latency:splitBy("route"):max': 320,
      'udp.latency:splitBy("route"):sum': 750,
      'udp.latency:splitBy("route"):count': 3,
      'udp.users:splitBy():max': 3,
      'udp.bad_name_.count:splitBy():sum': 1,
    };
    assert.deepEqual(await queryValues(tenant.url, Object.keys(expected)), expected);

    // What the converter said is in the log, a line each: the sampling, the value-less tag, the renamed tag
    // key, the datagram of a second type skipped; and the flush.
    const log = tenant.output();
    assert.match(log, /StatsD: info: udp\.hits: sampled \(`\|@rate`\)/);
    assert.match(log, /StatsD: info: udp\.latency: tag `canary` has no value/);
    assert.match(log, /StatsD: renamed: udp\.latency: tag key `Route` → dimension `route`/);
    assert.match(log, /StatsD: 1 datagram skipped: udp\.typed: `udp\.typed` is a gauge/);
    assert.match(log, new RegExp(`StatsD flush: ${datagrams} datagrams → 6 lines, 6 stored`));
    // The tenant's `.count` warning once, not at every flush.
    const again = await sendWithHotShots(port, producer, (client, sent) =>
      client.increment('udp.hits', 1, 1, [], sent()),
    );
    await flushAfter(tenant, datagrams + again);
    const renamed = tenant.output().match(/changed to 'udp\.hits\.count'/g) ?? [];
    assert.equal(renamed.length, 1, tenant.output());
  });

  it('a flush with nothing held stores nothing and says so in its report', async () => {
    const report = await flushAfter(tenant, 0);
    assert.deepEqual(report, { datagrams: 0, lines: 0, linesOk: 0, linesInvalid: 0 });
  });
});

describe('the StatsD listener: off, port in use, stop', () => {
  it('--no-statsd opens no UDP port and the tenant says it has no listener', async () => {
    const off = await startServe(['--no-statsd']);
    try {
      assert.doesNotMatch(off.output(), /StatsD/);
      assert.deepEqual(udpPortsOf(off.pid), []);
      const answer = await call(`${off.url}/_dtmetrics/statsd/flush`, { method: 'POST' });
      assert.equal(answer.status, 404, answer.text);
    } finally {
      await off.stop();
    }
  });

  it('a StatsD port in use: one line, and the tenant serves HTTP without StatsD', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    const port = taken.address().port;
    const second = await startServe(['--statsd-port', String(port)]);
    try {
      const said = second
        .output()
        .split('\n')
        .filter((line) => line.includes('StatsD'));
      assert.equal(said.length, 2, second.output());
      assert.match(
        said[0] as string,
        new RegExp(`StatsD off: UDP port ${port} on 127\\.0\\.0\\.1 is in use; serving HTTP without StatsD`),
      );
      assert.match(said[1] as string, /listening on .*; StatsD off/);
      assert.equal((await call(`${second.url}/_dtmetrics/instance`)).status, 200);
    } finally {
      await second.stop();
      taken.close();
    }
  });

  it('stopping the tenant stores what the listener held', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'dtmetrics-statsd-'));
    const dataFile = join(scratch, 'tenant.data');
    try {
      const first = await startServe(['--data', dataFile, '--statsd-port', '0', '--statsd-flush-seconds', '3600']);
      const datagrams = await sendWithHotShots(statsdPort(first), {}, (client, sent) => {
        client.gauge('udp.held', 42, 1, [], sent());
      });
      await waitReceived(first, datagrams);
      const { code, output } = await first.stop();
      assert.equal(code, 0, output);
      assert.match(output, /StatsD flush: 1 datagram → 1 line, 1 stored/);
      const second = await startServe(['--data', dataFile, '--no-statsd']);
      try {
        assert.equal(await queryValue(second.url, 'udp.held:splitBy():max'), 42);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
