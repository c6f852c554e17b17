/**
 * The StatsD converter on what a real producer sends: hot-shots (DogStatsD mode, global and per-call tags, a
 * container ID) emits increments with and without a sample rate, gauges absolute and relative, timings,
 * histograms, distributions, sets and a timestamped count over UDP; the datagrams captured from the socket are
 * converted as one interval (core/convert/statsd.ts), the lines lint clean, are pushed to the built local tenant
 * and queried back with the values hot-shots was given.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createStatsdConverter } from '#core/convert/statsd.ts';
import { lintText } from '#core/lint.ts';
import { assertBuilt } from '../cli/helpers.ts';
import { captureHotShots } from '../core/hot-shots-capture.ts';
import { assertAccounted, convertText } from '../core/convert-fixtures.ts';
import { pushLines, queryValue, queryValues, startServe, TOKEN, type TenantProcess } from './helpers.ts';

let tenant: TenantProcess;
before(async () => {
  assertBuilt();
  tenant = await startServe(['--token', TOKEN]);
});
after(() => tenant?.stop());

describe('StatsD → metric lines → local tenant, from hot-shots', () => {
  it('the counter total, the last gauge, a timer summary and a set count come back as sent', async () => {
    const stampedAt = Date.now() - 20 * 60_000;
    const producer = { globalTags: { env: 'prod' }, datadog: true, containerID: 'c0ffee' };
    const datagrams = await captureHotShots(producer, (client) => {
      for (let i = 0; i < 3; i++) client.increment('conv.hits', 1, ['region:eu']);
      client.increment('conv.hits', 2, { region: 'eu' });
      for (let i = 0; i < 40; i++) client.increment('conv.hits', 1, 0.5, ['region:eu']);
      client.decrement('conv.hits', 1, ['region:eu']);
      client.gauge('conv.queue', 12);
      client.gauge('conv.queue', 7);
      client.gaugeDelta('conv.queue', 5);
      client.gaugeDelta('conv.queue', -2);
      for (const ms of [320, 180, 250]) client.timing('conv.latency', ms, ['Route:/pay', 'canary']);
      for (const bytes of [1024, 2048]) client.histogram('conv.payload', bytes);
      for (const ms of [17, 4.5]) client.distribution('conv.render', ms);
      for (const user of ['u-1', 'u-2', 'u-1', 'u-3']) client.set('conv.users', user);
      client.increment('conv.stamped', 4, { timestamp: new Date(stampedAt) });
    });
    const sampled = datagrams.filter((d) => d.startsWith('conv.hits:1|c|@0.5')).length;
    assert.ok(sampled > 0 && sampled < 40, `hot-shots sampled ${sampled} of 40 increments at 0.5`);

    const conversion = convertText(createStatsdConverter, datagrams.join('\n'));
    assertAccounted(conversion, datagrams.join('\n'));
    const lines = conversion.lines.map((l) => l.text);
    const { notes } = conversion;
    assert.deepEqual(conversion.tally, { items: datagrams.length, converted: datagrams.length, skipped: 0 });
    assert.deepEqual(
      lintText(lines.join('\n'), { now: Date.now() }).filter((d) => d.severity === 'error' || d.severity === 'warning'),
      [],
      lines.join('\n'),
    );
    // Said once per metric: the container ID left out, the value-less tag, the renamed tag key, the sampling.
    assert.ok(notes.some((n) => n.item === 'conv.hits' && n.message.startsWith('`|c:` (DogStatsD')));
    assert.ok(notes.some((n) => n.item === 'conv.latency' && n.message.startsWith('tag `canary`')));
    assert.ok(notes.some((n) => n.kind === 'renamed' && n.message.includes('`Route` → dimension `route`')));
    assert.ok(notes.some((n) => n.item === 'conv.hits' && n.message.startsWith('sampled')));

    await pushLines(tenant.url, lines);

    const expected = {
      // 3·1 + 2 + each sampled 1 counted twice − 1.
      'conv.hits.count:splitBy():sum': 3 + 2 + 2 * sampled - 1,
      'conv.hits.count:splitBy("region","env"):sum': 4 + 2 * sampled,
      'conv.queue:splitBy():max': 7 + 5 - 2,
      'conv.latency:splitBy("route"):min': 180,
      'conv.latency:splitBy("route"):max': 320,
      'conv.latency:splitBy("route"):sum': 750,
      'conv.latency:splitBy("route"):count': 3,
      'conv.payload:splitBy():avg': 1536,
      'conv.render:splitBy():sum': 21.5,
      'conv.users:splitBy():max': 3,
    };
    assert.deepEqual(await queryValues(tenant.url, Object.keys(expected)), expected);
    // `|T` in seconds became the line's milliseconds: the count is at that minute, not now.
    const minute = Math.floor(stampedAt / 60_000) * 60_000;
    const stamped = 'conv.stamped.count:splitBy():sum';
    assert.equal(await queryValue(tenant.url, stamped, { from: minute, to: minute + 60_000 }), 4);
  });
});
