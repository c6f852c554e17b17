/**
 * `dtmetrics serve --host-entity` as a OneAgent-style client meets it: curl posts lines to the tenant's
 * `/metrics/ingest` (no token), a StatsD datagram goes to its listener, and the query API split by `dt.entity.host`
 * shows the host on what those two took, a line's own host kept, and nothing added to what the ingest API took.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { assertBuilt, cleanEnv } from '../cli/helpers.ts';
import { call, countsBy, ingest, recent, sendAndFlush, startServe, TOKEN, type TenantProcess } from './helpers.ts';

const HOST = 'HOST-06F288EE2A930951';
const OTHER_HOST = 'HOST-0990886B7D39FE29';

let tenant: TenantProcess;

before(async () => {
  assertBuilt();
  tenant = await startServe(['--token', TOKEN, '--statsd-port', '0', '--host-entity', HOST]);
});
after(() => tenant?.stop());

/** curl's POST of `body` to the OneAgent's endpoint, as the OneAgent metric API's example sends it (DOC D14). */
function curlOneAgent(body: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      [
        '--silent',
        '--show-error',
        '--write-out',
        '\n%{http_code}',
        '--data-binary',
        body,
        '-H',
        'Content-Type: text/plain; charset=utf-8',
        `${tenant.url}/metrics/ingest`,
      ],
      { env: cleanEnv({}), encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`curl failed: ${stderr}`));
        const end = stdout.lastIndexOf('\n');
        resolve({ status: Number(stdout.slice(end + 1)), json: JSON.parse(stdout.slice(0, end)) });
      },
    );
  });
}

describe('serve --host-entity', () => {
  it('says the host it adds when it starts', () => {
    assert.match(tenant.output(), new RegExp(`; dt\\.entity\\.host=${HOST} added at /metrics/ingest and StatsD\\n`));
  });

  it("/metrics/ingest: each data point gets the host, a line's own host is kept", async () => {
    const body = [
      `cpu.temperature,cpu=1 55 ${recent(3)}`,
      `cpu.temperature,cpu=2 57 ${recent(2)}`,
      `cpu.temperature,cpu=3,dt.entity.host=${OTHER_HOST} 61 ${recent(1)}`,
    ].join('\n');
    const answer = await curlOneAgent(body);
    assert.equal(answer.status, 202);
    assert.deepEqual(answer.json, { linesValid: 3, linesInvalid: 0, error: null });
    assert.deepEqual(
      await countsBy(tenant.url, 'cpu.temperature', 'dt.entity.host'),
      new Map([
        [HOST, 2],
        [OTHER_HOST, 1],
      ]),
    );
  });

  it('StatsD: the flushed lines get the host too', async () => {
    await sendAndFlush(tenant, 'queue.depth:7|g|#queue:orders');
    assert.deepEqual(await countsBy(tenant.url, 'queue.depth', 'dt.entity.host'), new Map([[HOST, 1]]));
  });

  it('the ingest API adds nothing, as the real one', async () => {
    assert.equal((await ingest(tenant.url, `api.only,cpu=1 1 ${recent(1)}`)).status, 202);
    const series = await call(`${tenant.url}/api/v2/metrics/query?metricSelector=api.only&resolution=Inf&from=now-3h`, {
      token: TOKEN,
    });
    assert.equal(series.status, 200, series.text);
    const data = (series.json as { result: { data: { dimensionMap: Record<string, string> }[] }[] }).result[0]?.data;
    assert.deepEqual(
      data?.map((d) => d.dimensionMap),
      [{ cpu: '1' }],
    );
  });
});
