/**
 * `dtmetrics push` end to end against the built local tenant: what is sent, what is held back, how the answer maps
 * back onto file lines; and under injected faults (429, 503, resets, slow answers, 413, garbage) every line is
 * stored exactly once or reported as not sent or unknown: none lost, none stored twice. Tokens never show.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredPoint } from '#core/metrics/store.ts';
import { readLog } from '#tenant/data-file.ts';
import { assertBuilt, runCli } from '../cli/helpers.ts';
import { call, recent, setFaults, startServe, TOKEN, type TenantProcess } from './helpers.ts';

let dir: string;
let tenant: TenantProcess;
let dataFile: string;

before(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'dtmetrics-push-'));
  dataFile = join(dir, 'tenant.data');
  tenant = await startServe(['--token', TOKEN, '--faults', '--data', dataFile]);
});
after(async () => {
  await tenant?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The points the tenant stored, as its data file's log holds them (no compaction at this size). */
const stored = async (): Promise<StoredPoint[]> =>
  (await readLog(dataFile)).flatMap((r) => ('point' in r ? [r.point] : []));

/** How many times each `id` of metric `key` was stored. */
async function storedIds(key: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const point of await stored()) {
    if (point.key !== key) continue;
    const id = point.dimensions.find(([k]) => k === 'id')?.[1] ?? '';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

let fileCount = 0;
function fixture(text: string): string {
  const file = join(dir, `f${++fileCount}.dtmetrics`);
  writeFileSync(file, text);
  return file;
}

const push = (args: string[], env: Record<string, string> = { DT_TEST_TOKEN: TOKEN }) =>
  runCli(['push', '--url', tenant.url, '--token-env', 'DT_TEST_TOKEN', ...args], { env });

/** `n` lines of metric `key`, each with its own id, with timestamps inside the window. */
const numbered = (key: string, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `${key},id=${from + i} count,delta=1 ${recent(1)}`).join('\n');

describe('dtmetrics push', () => {
  it('sends data and metadata lines, skips comments and blank lines, holds back an error line, and says so', async () => {
    const t = recent();
    const file = fixture(
      `// latency of the checkout service\n#push.basic gauge dt.meta.unit=MilliSecond\npush.basic,host=a gauge,1 ${t}\n\npush.basic,Host=b gauge,2 ${t}\npush.basic,host=c gauge,3 ${t}\n`,
    );
    const result = await push([file]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, new RegExp(`${file}:5  held back  DK001 `));
    assert.match(
      result.stdout,
      /3 of 4 lines accepted by http:\/\/127\.0\.0\.1:\d+\/api\/v2\/metrics\/ingest; 0 rejected, 1 held back, 0 unknown, 0 not sent \(1 request, 0 retries\)/,
    );
    const hosts = (await stored()).filter((r) => r.key === 'push.basic').map((r) => r.dimensions[0]?.[1]);
    assert.deepEqual(hosts, ['a', 'c']);
  });

  it("--send-errors sends it; the tenant's refusal lands on the file line and column", async () => {
    const file = fixture(`push.refused,host=a gauge,1 ${recent()}\npush.refused,hOst=b gauge,2 ${recent()}\n`);
    const result = await push([file, '--send-errors']);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      new RegExp(`${file}:2:15  rejected  invalid dimension key in message .*error at 'O'  \\(index 14\\)`),
    );
    assert.match(result.stdout, /1 of 2 lines accepted .*; 1 rejected, 0 held back/);
  });

  it("all accepted: exit 0; the tenant's suffix warnings are shown on their lines", async () => {
    const file = fixture(`push.jobs,queue=a count,delta=3 ${recent()}\n`);
    const result = await push([file]);
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, new RegExp(`${file}:1  warning  metric key 'push.jobs' changed to 'push.jobs.count'`));
  });

  it('--timestamps rebase moves a stale fixture to now, keeping the spacing; strip lets the tenant stamp them', async () => {
    const old = 1_732_300_000_000;
    const file = fixture(`push.rebase,id=0 gauge,1 ${old}\npush.rebase,id=1 gauge,1 ${old + 60_000}\n`);
    const asWritten = await push([file]);
    assert.equal(asWritten.code, 1);
    assert.match(asWritten.stdout, /held back {2}TS003/);
    const before = Date.now();
    const rebased = await push([file, '--timestamps', 'rebase']);
    assert.equal(rebased.code, 0, rebased.stdout);
    const points = (await stored()).filter((r) => r.key === 'push.rebase');
    const times = points.map((r) => r.timestamp);
    assert.equal(times.length, 2);
    assert.equal((times[1] ?? 0) - (times[0] ?? 0), 60_000, 'the spacing is kept');
    assert.ok((times[1] ?? 0) >= before && (times[1] ?? 0) <= Date.now(), 'the newest is now');
    const strip = fixture(`push.strip gauge,1 ${old}\n`);
    assert.equal((await push([strip, '--timestamps', 'strip'])).code, 0);
    const stamped = (await stored()).find((r) => r.key === 'push.strip')?.timestamp ?? 0;
    assert.ok(stamped >= before, 'stamped by the tenant at ingest');
  });

  it('splits into batches of at most 1,000 lines', async () => {
    const file = fixture(numbered('push.batches', 2500));
    const result = await push([file]);
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /2,500 of 2,500 lines accepted .*\(3 requests, 0 retries\)/);
    const ids = await storedIds('push.batches.count');
    assert.equal(ids.size, 2500);
    assert.ok([...ids.values()].every((n) => n === 1));
  });

  it('--format json reports totals and each line', async () => {
    const file = fixture(`push.json,id=1 gauge,1 ${recent()}\npush.json,ID=2 gauge,1 ${recent()}\n`);
    const result = await push([file, '--format', 'json']);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout) as {
      accepted: number;
      held: number;
      lines: { file: string; line: number; fate: string }[];
    };
    assert.equal(report.accepted, 1);
    assert.equal(report.held, 1);
    assert.deepEqual(
      report.lines.map((l) => [l.line, l.fate]),
      [[2, 'held back']],
    );
  });

  it('--dry-run sends nothing', async () => {
    const file = fixture(`push.dry gauge,1 ${recent()}\n`);
    const result = await push([file, '--dry-run']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /dry run: 1 of 1 line would be sent/);
    assert.equal((await stored()).filter((r) => r.key === 'push.dry').length, 0);
  });
});

describe('dtmetrics push under faults: each line stored exactly once, or reported', () => {
  it('429 with X-RateLimit-Reset (µs) and 503: retried, stored once', async () => {
    await setFaults(tenant.url, [
      { status: 429, headers: { 'X-RateLimit-Reset': String((Date.now() + 300) * 1000) } },
      { status: 503 },
    ]);
    const file = fixture(numbered('push.retry', 10));
    const result = await push([file]);
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /10 of 10 lines accepted .*\(3 requests, 2 retries\)/);
    assert.deepEqual([...(await storedIds('push.retry.count')).values()], Array(10).fill(1));
  });

  it('a reset after the body, and an answer slower than --timeout: unknown, not resent, stored once', async () => {
    await setFaults(tenant.url, [{ reset: 'after-body' }]);
    const reset = await push([fixture(numbered('push.reset', 5))]);
    assert.equal(reset.code, 1);
    assert.match(
      reset.stdout,
      /1 {2}unknown {2}the connection to .* was closed before an answer: the tenant may have stored these lines; not resent.*\(5 lines, to line 5\)/,
    );
    assert.match(reset.stdout, /0 of 5 lines accepted .*5 unknown/);
    assert.deepEqual(
      [...(await storedIds('push.reset.count')).values()],
      Array(5).fill(1),
      'stored once by the tenant, never twice',
    );

    await setFaults(tenant.url, [{ slowMs: 2500 }]);
    const slow = await push([fixture(numbered('push.slow', 3)), '--timeout', '1']);
    assert.equal(slow.code, 1);
    assert.match(slow.stdout, /unknown {2}.* did not answer in time/);
    await waitForIds('push.slow.count', 3);
    assert.deepEqual([...(await storedIds('push.slow.count')).values()], Array(3).fill(1));
  });

  it('a reset before the body: unknown to the client (it cannot tell), and stored at most once', async () => {
    await setFaults(tenant.url, [{ reset: 'before-body' }]);
    const result = await push([fixture(numbered('push.early', 4))]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /4 unknown/);
    assert.ok([...(await storedIds('push.early.count')).values()].every((n) => n <= 1));
  });

  it('413 splits the batch; every line stored once', async () => {
    await setFaults(tenant.url, [{ status: 413 }]);
    const result = await push([fixture(numbered('push.split', 8))]);
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /8 of 8 lines accepted .*\(3 requests/);
    assert.deepEqual([...(await storedIds('push.split.count')).values()], Array(8).fill(1));
  });

  it('an HTML answer is unknown, with what came back', async () => {
    await setFaults(tenant.url, [{ status: 200, body: '<html><body>Login</body></html>', contentType: 'text/html' }]);
    const result = await push([fixture(numbered('push.html', 2))]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /unknown {2}the tenant answered 200 with text\/html \(<html><body>Login<\/body><\/html>\), not a validation response/,
    );
  });

  it('401 stops the push with its cause; the lines are not sent; the token never appears', async () => {
    const file = fixture(numbered('push.denied', 3));
    const result = await push([file], { DT_TEST_TOKEN: 'dt0c01.WRONG.secret-that-must-not-show' });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /stopped: 401 token invalid, expired or missing: Token Authentication failed/);
    assert.match(result.stdout, /0 of 3 lines accepted .*3 not sent/);
    assert.ok(!`${result.stdout}${result.stderr}`.includes('secret-that-must-not-show'));
    assert.ok(!tenant.output().includes('secret-that-must-not-show'));
    assert.ok(!tenant.output().includes(TOKEN));
  });
});

describe('fault injection refuses a fault it cannot read, saying what is wrong', () => {
  const INGEST = '/api/v2/metrics/ingest';
  const cases: [string, { path: string; body: string; headers: Record<string, string> }, string][] = [
    [
      'a header that is not JSON',
      { path: INGEST, body: '', headers: { 'X-Dtmetrics-Fault': '{' } },
      'X-Dtmetrics-Fault is not JSON',
    ],
    [
      'a header that is not an object',
      { path: INGEST, body: '', headers: { 'X-Dtmetrics-Fault': '[]' } },
      'X-Dtmetrics-Fault: a fault is a JSON object',
    ],
    [
      'a header with times 0',
      { path: INGEST, body: '', headers: { 'X-Dtmetrics-Fault': '{"times":0}' } },
      'X-Dtmetrics-Fault: "times" must be a positive integer',
    ],
    [
      'a queued fault with an unknown reset',
      { path: '/_dtmetrics/faults', body: '{"faults":[{"reset":"never"}]}', headers: {} },
      '"reset" must be "before-body" or "after-body"',
    ],
    [
      'a queued body without faults',
      { path: '/_dtmetrics/faults', body: '{}', headers: {} },
      'expected {"faults": [ … ]}',
    ],
  ];
  for (const [name, request, message] of cases) {
    it(`${name}: 400, ${message}`, async () => {
      const answer = await call(`${tenant.url}${request.path}`, {
        body: request.body,
        token: TOKEN,
        headers: { 'Content-Type': 'application/json', ...request.headers },
      });
      assert.equal(answer.status, 400, answer.text);
      assert.deepEqual(answer.json, { error: { code: 400, message } });
    });
  }
});

describe('dtmetrics push: bad input', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'a URL without a scheme',
      ['--url', 'abc12345.live.dynatrace.com'],
      /--url: the tenant URL needs a scheme: https:\/\/abc12345\.live\.dynatrace\.com/,
    ],
    [
      'a URL with a path',
      ['--url', 'https://abc12345.live.dynatrace.com/ui/dashboards'],
      /unexpected path '\/ui\/dashboards'/,
    ],
    [
      'a token over http:// to another host',
      ['--url', 'http://example.com'],
      /refusing to send the token over plain http:\/\/ to example\.com/,
    ],
    ['an unknown timestamp mode', ['--timestamps', 'later'], /--timestamps must be as-written, rebase or strip/],
  ];
  for (const [name, args, message] of cases) {
    it(`${name}: one line, exit 2`, async () => {
      const file = fixture(`bad.input gauge,1\n`);
      const result = await runCli(['push', '--url', tenant.url, '--token-env', 'DT_TEST_TOKEN', file, ...args], {
        env: { DT_TEST_TOKEN: TOKEN },
      });
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1);
    });
  }

  it('an unknown host: stopped with the DNS cause, nothing lost', async () => {
    const file = fixture(numbered('push.dns', 2));
    const result = await runCli(['push', '--url', 'https://no-such-tenant.invalid', file]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /stopped: DNS: the host no-such-tenant\.invalid was not found/);
    assert.match(result.stdout, /2 not sent/);
  });

  it('a file that is only comments sends nothing and says so', async () => {
    const result = await push([fixture('// nothing here\n\n// still nothing\n')]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /0 of 0 lines accepted/);
  });
});

/** The slow answer's lines are stored after the client gave up: wait for the tenant to finish. */
async function waitForIds(key: string, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await storedIds(key)).size < n) {
    if (Date.now() > deadline) assert.fail(`the tenant did not store ${n} lines of ${key}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
