/**
 * What the local tenant answered 202 for survives anything, and nothing is stored twice: `kill -9` at random
 * moments under concurrent load and during compactions, and a disk that fills up (a small tmpfs where this machine
 * lets the test mount one). Every batch carries its own id, so the query API counts each batch's points: a batch
 * answered 202 must hold all its points once; a batch whose answer was lost holds all or none; a batch answered 500
 * holds none, neither at once nor after a restart.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt } from '../cli/helpers.ts';
import { countsBy, ingest, recent, startServe, waitFor, type TenantProcess } from './helpers.ts';

let dir: string;
before(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'dtmetrics-durable-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const LINES = 20;
const batchBody = (key: string, id: number) =>
  Array.from({ length: LINES }, (_, l) => `${key},id=${id},l=${l} gauge,${l} ${recent(1)}`).join('\n');

type Outcome = 'acknowledged' | 'refused' | 'unknown';

/** Checks every batch against what its answer promised; returns the number of batches found stored. */
function checkBatches(stored: Map<string, number>, outcomes: Map<number, Outcome>): number {
  for (const [id, points] of stored) {
    const outcome = outcomes.get(Number(id));
    assert.ok(outcome, `batch ${id} is stored but was never sent`);
    assert.equal(
      points,
      LINES,
      `batch ${id} (${outcome}) holds ${points} of its ${LINES} points: a batch is stored wholly, once, or not at all`,
    );
    assert.notEqual(outcome, 'refused', `batch ${id} was answered 500 but is stored`);
  }
  for (const [id, outcome] of outcomes) {
    if (outcome === 'acknowledged')
      assert.equal(stored.get(String(id)), LINES, `batch ${id} was answered 202 but is lost`);
  }
  return stored.size;
}

describe('durability', () => {
  it('kill -9 ten times under concurrent load and during compactions: nothing acknowledged lost, nothing doubled', async () => {
    const file = join(dir, 'killed.data');
    const outcomes = new Map<number, Outcome>();
    let nextId = 0;
    let compactionKills = 0;
    for (let cycle = 0; cycle < 10; cycle++) {
      const tenant = await startServe(['--data', file, '--compact-log-bytes', '16384', '--max-series', '1000000']);
      let running = true;
      let acknowledgedNow = 0;
      const client = async () => {
        while (running) {
          const id = nextId++;
          outcomes.set(id, 'unknown');
          try {
            const answer = await ingest(tenant.url, batchBody('durable.killed', id), null);
            // Any other answer says the batch was not stored (a 500: the write failed and was undone).
            outcomes.set(id, answer.status === 202 ? 'acknowledged' : 'refused');
            if (answer.status === 202) acknowledgedNow++;
          } catch {
            return; // the tenant is gone: this batch stays unknown
          }
        }
      };
      const clients = Array.from({ length: 4 }, client);
      // Even cycles kill as soon as a compaction starts; odd ones once a random number of batches were acknowledged
      // (counted, not timed, so a slow machine carries the same load).
      const target = 40 + Math.floor(Math.random() * 40);
      await waitFor(
        'a moment to kill',
        60_000,
        () => (cycle % 2 === 0 ? /compacting/.test(tenant.output()) : acknowledgedNow >= target) || null,
      );
      if (cycle % 2 === 0) compactionKills++;
      await tenant.stop('SIGKILL');
      running = false;
      await Promise.all(clients);
    }
    const tenant = await startServe(['--data', file, '--max-series', '1000000']);
    const stored = await countsBy(tenant.url, 'durable.killed', 'id');
    await tenant.stop();
    const acknowledged = [...outcomes.values()].filter((o) => o === 'acknowledged').length;
    assert.ok(acknowledged >= 200, `${acknowledged} batches acknowledged: the odd cycles alone wait for 200`);
    assert.equal(compactionKills, 5);
    const found = checkBatches(stored, outcomes);
    assert.ok(found >= acknowledged);
  });

  it('a full disk: the write that fails is answered 500 and leaves nothing; once space is back, all is well', async (t) => {
    const mount = join(dir, 'small-disk');
    mkdirSync(mount);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount], { stdio: 'pipe' });
    } catch (error) {
      t.skip(`cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]}): the full-disk test needs root`);
      return;
    }
    let tenant: TenantProcess | null = null;
    try {
      const file = join(mount, 'full.data');
      tenant = await startServe(['--data', file]);
      const filler = join(mount, 'filler');
      const { bavail, bsize } = statfsSync(mount);
      writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 24 * 1024)));
      const outcomes = new Map<number, Outcome>();
      let id = 0;
      let refused = 0;
      const send = async () => {
        const answer = await ingest(tenant?.url ?? '', batchBody('durable.full', id), null);
        assert.ok(answer.status === 202 || answer.status === 500, answer.text);
        if (answer.status === 500)
          assert.match(
            answer.text,
            /could not write its data file, so nothing of this request was stored: .*no space left on device/i,
          );
        outcomes.set(id++, answer.status === 202 ? 'acknowledged' : 'refused');
        return answer.status;
      };
      while (refused < 3 && id < 1_000) if ((await send()) === 500) refused++;
      assert.equal(refused, 3, 'the disk filled up');
      checkBatches(await countsBy(tenant.url, 'durable.full', 'id'), outcomes);
      rmSync(filler);
      for (let i = 0; i < 5; i++) assert.equal(await send(), 202, 'space is back');
      checkBatches(await countsBy(tenant.url, 'durable.full', 'id'), outcomes);
      await tenant.stop('SIGKILL');
      tenant = await startServe(['--data', file]);
      assert.doesNotMatch(tenant.output(), /skipped|cut off/, 'no fragment was left in the file');
      const found = checkBatches(await countsBy(tenant.url, 'durable.full', 'id'), outcomes);
      assert.equal(found, [...outcomes.values()].filter((o) => o === 'acknowledged').length);
    } finally {
      await tenant?.stop();
      execFileSync('umount', [mount]);
    }
  });
});
