/**
 * One time grammar whatever the machine's time zone: the built CLI (`lint --now`, `query --from/--to`) and the
 * built local tenant (`from`/`to` over HTTP), each run under TZ=UTC, Pacific/Kiritimati (UTC+14) and
 * America/St_Johns (UTC−3:30), give the same verdicts and read the same instants. A zone-less ISO-8601 time is
 * UTC; read in the machine's zone (as `Date.parse` reads it) it would land 14 h or 3.5 h away and flip a verdict.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { assertBuilt, assertUsageError, NOW, runCli, TempDir, type RunResult } from '../cli/helpers.ts';
import { call, ingest, startServe, TOKEN, type TenantProcess } from './helpers.ts';

/** Each zone with its offset from UTC in November, in minutes as getTimezoneOffset() gives it. */
const ZONES: Record<string, number> = { UTC: 0, 'Pacific/Kiritimati': -840, 'America/St_Johns': 210 };

/** `2024-11-22T18:26` as written: UTC, to the minute (no zone, no seconds). */
const isoMinute = (ms: number): string => new Date(ms).toISOString().slice(0, 16);

let tmp: TempDir;
const fresh = Date.now();

before(() => {
  assertBuilt();
  tmp = new TempDir();
  tmp.write('fixed.dtmetrics', `cpu.load 5 ${NOW}\n`); // 2024-11-22T18:26:40Z
  tmp.write('fresh.dtmetrics', `cpu.load 5 ${fresh}\n`);
});
after(() => tmp?.remove());

it('the zones are in force in a child process (else this file would prove nothing)', () => {
  for (const [zone, offset] of Object.entries(ZONES)) {
    const child = spawnSync(process.execPath, ['-p', 'new Date(Date.UTC(2024, 10, 22, 12)).getTimezoneOffset()'], {
      env: { ...process.env, TZ: zone },
      encoding: 'utf8',
    });
    assert.equal(Number(child.stdout), offset, zone);
  }
});

/** The same command under every zone: the results must agree, and are returned once. */
async function inEveryZone(run: (env: { TZ: string }) => Promise<RunResult>): Promise<RunResult> {
  const results = await Promise.all(Object.keys(ZONES).map(async (zone) => [zone, await run({ TZ: zone })] as const));
  const [[firstZone, first]] = results as [readonly [string, RunResult]];
  for (const [zone, result] of results) {
    assert.deepEqual(
      { code: result.code, stdout: result.stdout, stderr: result.stderr },
      { code: first.code, stdout: first.stdout, stderr: first.stderr },
      `TZ=${zone} against TZ=${firstZone}`,
    );
  }
  return first;
}

describe('lint --now', () => {
  const TS003 = ['TS003'];
  // The fixed timestamp is 2024-11-22T18:26:40Z; the window runs from 1 h before now to 10 min after.
  const cases: [now: string, file: string, codes: string[]][] = [
    ['2024-11-22T18:30', 'fixed.dtmetrics', []], // 3 min after, read as UTC (in Kiritimati's zone 14 h before: TS003)
    ['2024-11-22 18:26:40.000', 'fixed.dtmetrics', []],
    ['2024-11-22T18:26:40Z', 'fixed.dtmetrics', []],
    ['2024-11-22T20:00+01:00', 'fixed.dtmetrics', []], // 19:00Z
    ['2024-11-22T15:00-03:30', 'fixed.dtmetrics', []], // 18:30Z
    ['2024-11-22T19:20', 'fixed.dtmetrics', []], // 53 min after
    ['2024-11-22T19:30', 'fixed.dtmetrics', TS003], // 63 min after: stale
    ['2024-11-22', 'fixed.dtmetrics', TS003], // midnight UTC: the timestamp lies 18 h ahead
    ['2024-11-23', 'fixed.dtmetrics', TS003],
    [String(NOW), 'fixed.dtmetrics', []],
    ['now', 'fixed.dtmetrics', TS003],
    ['now', 'fresh.dtmetrics', []],
    ['now-5m', 'fresh.dtmetrics', []], // the timestamp 5 min ahead of that instant
    ['now-30m', 'fresh.dtmetrics', TS003], // 30 min ahead
  ];
  for (const [now, file, codes] of cases) {
    it(`--now ${now} on ${file}: ${codes.join(', ') || 'clean'} in every zone`, async () => {
      const result = await inEveryZone((env) =>
        runCli(['lint', '--format', 'json', '--now', now, file], { cwd: tmp.path, env }),
      );
      assert.equal(result.stderr, '');
      const found = (JSON.parse(result.stdout) as { diagnostics: { code: string }[] }[])[0]?.diagnostics.map(
        (d) => d.code,
      );
      assert.deepEqual(found, codes);
      assert.equal(result.code, codes.length > 0 ? 1 : 0);
    });
  }

  for (const bad of ['2024-11-22T25:00', 'yesterday', 'now+30m', '', 'Fri, 22 Nov 2024 18:30:00 GMT']) {
    it(`--now ${JSON.stringify(bad)}: one line naming the forms, exit 2, in every zone`, async () => {
      const result = await inEveryZone((env) =>
        runCli(['lint', '--format', 'json', '--now', bad, 'fixed.dtmetrics'], { cwd: tmp.path, env }),
      );
      assertUsageError(result, /^dtmetrics: --now: .*(not a time of day|not a time: use UTC milliseconds|empty)/);
      assert.equal(result.stdout, '');
    });
  }
});

describe('query --from/--to and the tenant’s from/to', () => {
  const tenants = new Map<string, TenantProcess>();
  /** Two whole minutes in the past: points at minute + 1 s and minute + 61 s. */
  const minute = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 60_000;

  before(async () => {
    for (const zone of Object.keys(ZONES)) {
      const tenant = await startServe(['--token', TOKEN], { TZ: zone });
      tenants.set(zone, tenant);
      const body = [
        `tz.latency,service=cart gauge,10 ${minute + 1_000}`,
        `tz.latency,service=cart gauge,30 ${minute + 61_000}`,
      ].join('\n');
      assert.equal((await ingest(tenant.url, body)).status, 202);
    }
  });
  after(async () => {
    for (const tenant of tenants.values()) await tenant.stop();
  });

  const query = (zone: string, args: string[]) =>
    runCli(
      ['query', 'tz.latency', '--url', (tenants.get(zone) as TenantProcess).url, '--token-env', 'TZ_TOKEN', ...args],
      { env: { TZ: zone, TZ_TOKEN: TOKEN } },
    );

  const cases: [name: string, args: string[]][] = [
    ['zone-less ISO-8601 minutes', ['--from', isoMinute(minute), '--to', isoMinute(minute + 120_000)]],
    [
      'ISO-8601 with a zone',
      ['--from', `${isoMinute(minute)}Z`, '--to', `${new Date(minute + 120_000).toISOString().slice(0, 19)}+00:00`],
    ],
    ['epoch ms', ['--from', String(minute), '--to', String(minute + 120_000)]],
  ];
  for (const [name, args] of cases) {
    it(`${name}: the two minutes' points, the same in every zone`, async () => {
      const result = await inEveryZone(({ TZ }) => query(TZ, [...args, '--resolution', '1m', '--format', 'json']));
      assert.equal(result.code, 0, result.stderr);
      const data = (JSON.parse(result.stdout) as { result: { data: { timestamps: number[]; values: number[] }[] }[] })
        .result[0]?.data[0];
      assert.deepEqual(data && { timestamps: data.timestamps, values: data.values }, {
        timestamps: [minute + 60_000, minute + 120_000],
        values: [10, 30],
      });
    });
  }

  it('the instants read are the ones reported: an empty frame names them in UTC, the same in every zone', async () => {
    const from = minute - 60 * 60_000;
    const to = minute - 30 * 60_000;
    const result = await inEveryZone(({ TZ }) => query(TZ, ['--from', isoMinute(from), '--to', isoMinute(to)]));
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`no data for tz\\.latency between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`),
    );
  });

  it('now-… forms, the same in every zone', async () => {
    const result = await inEveryZone(({ TZ }) =>
      query(TZ, ['--from', 'now-10m', '--to', 'now', '--resolution', 'Inf', '--format', 'json']),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      (JSON.parse(result.stdout) as { result: { data: { values: number[] }[] }[] }).result[0]?.data[0]?.values,
      [20],
    );
  });

  it('a bad --from is one line naming the forms, exit 2, in every zone', async () => {
    const result = await inEveryZone(({ TZ }) => query(TZ, ['--from', '2024-11-22T18:30:61']));
    assertUsageError(result, /^dtmetrics: from: '2024-11-22T18:30:61' is not a time of day/);
  });

  it('the tenant reads a zone-less from/to over HTTP as UTC, whatever its own zone', async () => {
    const answers = [];
    for (const [zone, tenant] of tenants) {
      const params = new URLSearchParams({
        metricSelector: 'tz.latency',
        from: isoMinute(minute),
        to: isoMinute(minute + 120_000),
        resolution: '1m',
      });
      const answer = await call(`${tenant.url}/api/v2/metrics/query?${params}`, { token: TOKEN });
      assert.equal(answer.status, 200, `${zone}: ${answer.text}`);
      const data = (answer.json as { result: { data: { timestamps: number[]; values: number[] }[] }[] }).result[0]
        ?.data[0];
      answers.push({ zone, timestamps: data?.timestamps, values: data?.values });
    }
    for (const answer of answers)
      assert.deepEqual(answer, {
        zone: answer.zone,
        timestamps: [minute + 60_000, minute + 120_000],
        values: [10, 30],
      });
  });
});
