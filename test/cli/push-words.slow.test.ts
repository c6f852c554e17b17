/**
 * The CLI's own words in push's report (issue 12, item 10): counts agree with their nouns, a fate is said once, and
 * `--timestamps rebase` is named when lines are held back for stale timestamps. Through main.ts in this process,
 * against the real local tenant over HTTP (a real server: the slow lane).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTenant, type Tenant } from '#tenant/server.ts';
import { TempDir } from './helpers.ts';
import { dtmetrics } from './in-process.ts';

describe('push: counts agree with their nouns, a fate is said once, stale timestamps point to --timestamps rebase', () => {
  let tenant: Tenant;
  let tmp: TempDir;
  const STALE = 'cpu.stale 5 1000000000000';
  const HINT =
    'hint: --timestamps rebase shifts the timestamps of a file so that the newest is now (spacing kept), for lines held back by TS003\n';

  before(async () => {
    tenant = await startTenant({ port: 0, dataFile: null, tokens: new Map(), faults: true });
    tmp = new TempDir();
  });
  after(async () => {
    await tenant?.close();
    tmp?.remove();
  });

  const push = (name: string, lines: string[], ...options: string[]) => {
    tmp.write(name, lines.join('\n') + '\n');
    return dtmetrics(['push', '--url', tenant.url, ...options, name], { cwd: tmp.path });
  };

  test('one line accepted: "1 of 1 line", "1 request, 0 retries"', async () => {
    const { code, stdout } = await push('one.dtmetrics', ['cpu.load 5']);
    assert.equal(code, 0);
    assert.equal(
      stdout,
      `1 of 1 line accepted by ${tenant.url}/api/v2/metrics/ingest; 0 rejected, 0 held back, 0 unknown, 0 not sent (1 request, 0 retries)\n`,
    );
  });

  test('a line not sent: its reason follows the fate once', async () => {
    const answer = await fetch(`${tenant.url}/_dtmetrics/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ faults: [{ status: 413 }] }),
    });
    assert.equal(answer.status, 204);
    const { code, stdout } = await push('big.dtmetrics', ['cpu.load 5']);
    assert.equal(code, 1);
    assert.ok(
      stdout.startsWith('big.dtmetrics:1  not sent  413, the line alone is larger than the tenant takes\n'),
      stdout,
    );
  });

  test("a file whose opening comments say '// dtmetrics: timestamps=rebase' is rebased with no option", async () => {
    const { code, stdout } = await push('replayed.dtmetrics', ['// dtmetrics: timestamps=rebase', STALE]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^1 of 1 line accepted by /);
    const explicit = await push(
      'replayed.dtmetrics',
      ['// dtmetrics: timestamps=rebase', STALE],
      '--timestamps',
      'as-written',
    );
    assert.match(explicit.stdout, /1 held back/, 'the option wins over the file');
  });

  test('a rebased recording longer than the window: its oldest lines held back, and a hint that says why', async () => {
    const twoHours = 2 * 3_600_000;
    const lines = [
      '// dtmetrics: timestamps=rebase',
      'cpu.rec 1 1000000000000',
      `cpu.rec 2 ${1000000000000 + twoHours}`,
    ];
    const { stdout } = await push('long.dtmetrics', lines);
    assert.match(stdout, /long\.dtmetrics:2 +held back +TS003/);
    assert.ok(stdout.includes('hint: rebased, the lines still held back by TS003'), stdout);
    assert.ok(!stdout.includes(HINT), 'no advice to rebase what was rebased');
  });

  const HELD: [string, string[], string[], boolean][] = [
    ['only stale lines', [STALE], [], true],
    ['stale lines among others', ['cpu.load 5', STALE, '1bad 5'], [], true],
    ['stale lines, dry run', [STALE, 'cpu.load 5'], ['--dry-run'], true],
    ['lines held back for other errors only', ['cpu.load 5', '1bad 5'], [], false],
    ['stale lines with --timestamps strip', [STALE], ['--timestamps', 'strip'], false],
  ];
  for (const [name, lines, options, hinted] of HELD)
    test(`${name}: ${hinted ? 'one hint line' : 'no hint'}`, async () => {
      const { stdout } = await push('held.dtmetrics', lines, ...options);
      assert.equal(stdout.split(HINT).length - 1, hinted ? 1 : 0, stdout);
    });
});
