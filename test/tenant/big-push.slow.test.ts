/**
 * Bounded memory while pushing: 100 MB of lines streamed through stdin into `dtmetrics push -` running with a 64 MB
 * heap, to the real local tenant. Every line must be accepted exactly as counted, and the planted mistakes held
 * back on their lines: the push streams (read, check, batch, send) instead of holding the input.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { assertBuilt, collect, feed, spawnCli } from '../cli/helpers.ts';
import { startServe, type TenantProcess } from './helpers.ts';

/** DTMETRICS_TEST_PUSH_BYTES sets a smaller size for a quick local run. */
const TOTAL_BYTES = Number(process.env.DTMETRICS_TEST_PUSH_BYTES) || 100_000_000;
const BLOCK_LINES = 10_000;

let tenant: TenantProcess;
before(async () => {
  assertBuilt();
  tenant = await startServe([]);
});
after(() => tenant?.stop());

test('100 MB through stdin in a 64 MB heap: every line accounted for, the planted mistakes held back on their lines', async () => {
  const timestamp = Date.now() - 20 * 60_000;
  // One block of distinct series, its last line a mistake (an upper-case dimension key), repeated.
  const lines: string[] = [];
  for (let i = 0; i < BLOCK_LINES - 1; i++)
    lines.push(
      `big.push.requests,service=svc-${i % 100},endpoint=/api/v1/items/${Math.floor(i / 100)},status=200 count,delta=${1 + (i % 7)} ${timestamp}`,
    );
  lines.push(`big.push.requests,Service=planted,status=500 count,delta=1 ${timestamp}`);
  const block = Buffer.from(lines.join('\n') + '\n');
  const blocks = Math.ceil(TOTAL_BYTES / block.length);
  const child = spawnCli(['push', '-', '--url', tenant.url, '--format', 'json'], {
    nodeArgs: ['--max-old-space-size=64'],
  });
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const exited = once(child, 'close') as Promise<[number | null]>;
  await feed(
    child.stdin,
    (function* () {
      for (let b = 0; b < blocks; b++) yield block;
    })(),
    exited,
  );
  const [code] = await exited;
  const err = await stderr;
  assert.equal(err, '', err);
  const parsed = JSON.parse(await stdout) as {
    accepted: number;
    held: number;
    unknown: number;
    notSent: number;
    lines: { line: number; fate: string }[];
  };
  assert.equal(code, 1, 'the held-back lines make the push incomplete');
  assert.equal(parsed.held, blocks);
  assert.equal(parsed.accepted, blocks * (BLOCK_LINES - 1));
  assert.equal(parsed.unknown + parsed.notSent, 0);
  assert.deepEqual(
    parsed.lines.slice(0, 3).map((l) => [l.line, l.fate]),
    [
      [BLOCK_LINES, 'held back'],
      [2 * BLOCK_LINES, 'held back'],
      [3 * BLOCK_LINES, 'held back'],
    ],
  );
});
