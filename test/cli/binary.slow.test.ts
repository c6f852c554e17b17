/**
 * The built binary (dist/cli.js) as a process, for what only a process shows: its exit status, standard input
 * through a real pipe, a real terminal's colour, a reader that closes the pipe, Ctrl+C, another user's permissions,
 * the version the build writes in. What a command does with its arguments is tested in this process (lint-cli.test.ts
 * and the others). Run `npm run build` first.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLI,
  NOW,
  ROOT,
  TempDir,
  assertBuilt,
  assertUsageError,
  cleanEnv,
  collect,
  parseJsonReport,
  positions,
  runCli,
  spawnCli,
} from './helpers.ts';

/** Two errors, MK002 (2:1) and DK001 (3:11); line 1 is valid at NOW. */
const ERRORS = 'cpu.load 5 1732300000000\n1metric 5\nmy.metric,Host=a 5\n';
/** An error (MK002), a warning (MK006) and an info (MK010). */
const MIXED = '1metric 5\nsystem.load.1m 5\njobs_count 1\n';
const CLEAN = 'cpu.load,host=a 5\n';

const ESC = '\u001b[';

let tmp: TempDir;

before(() => {
  assertBuilt();
  tmp = new TempDir();
  tmp.write('errors.dtmetrics', ERRORS);
  tmp.write('mixed.dtmetrics', MIXED);
  tmp.write('clean.dtmetrics', CLEAN);
  // Over 2 MB of stylish output: far more than a pipe holds.
  tmp.write('many-errors.dtmetrics', '1metric 5\n'.repeat(20_000));
});

after(() => tmp?.remove());

describe('exit status and streams of a process', () => {
  test('0 with no errors, 1 with errors, 2 for a usage error in one line on stderr', async () => {
    const clean = await runCli(['lint', '--now', String(NOW), 'clean.dtmetrics'], { cwd: tmp.path });
    assert.deepEqual([clean.code, clean.signal, clean.stderr], [0, null, '']);
    const errors = await runCli(['lint', '--now', String(NOW), 'errors.dtmetrics'], { cwd: tmp.path });
    assert.deepEqual([errors.code, errors.signal, errors.stderr], [1, null, '']);
    assert.match(errors.stdout, /MK002/);
    const usage = await runCli(['lint', '--max-warnings', '1e1', 'errors.dtmetrics'], { cwd: tmp.path });
    assertUsageError(usage, "--max-warnings takes a whole number of 0 or more, written in decimal digits, not '1e1'");
    assert.equal(usage.stdout, '');
  });

  test('standard input through a real pipe', async () => {
    const { code, stdout, stderr } = await runCli(['lint', '--format', 'json', '--now', String(NOW), '-'], {
      stdin: ERRORS,
    });
    assert.equal(stderr, '');
    assert.equal(code, 1);
    assert.deepEqual(positions(parseJsonReport(stdout)[0]), ['2:1-2:2 error MK002', '3:11-3:12 error DK001']);
  });

  test('a reader that closes the pipe early (`| head`) ends the run quietly', async () => {
    const child = spawnCli(['lint', '--now', String(NOW), 'many-errors.dtmetrics'], { cwd: tmp.path });
    child.stdin.end();
    const stderr = collect(child.stderr);
    const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    await once(child.stdout, 'data');
    child.stdout.destroy();
    const [code, signal] = await exited;
    assert.equal(await stderr, '', 'no EPIPE error or stack trace');
    assert.deepEqual([code, signal], [0, null]);
  });

  test("--version prints package.json's version, which the build writes in", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { code, stdout } = await runCli(['--version']);
    assert.deepEqual([code, stdout], [0, `${version}\n`]);
  });

  test('colour on a real terminal (a pseudo-terminal from script(1)), none there with NO_COLOR=1', (t) => {
    const script = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p));
    if (!script) {
      t.skip('script(1) is not installed: no pseudo-terminal to run the CLI on');
      return;
    }
    const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
    const command = [process.execPath, CLI, 'lint', '--now', String(NOW), 'mixed.dtmetrics'].map(quote).join(' ');
    const onTty = (env: Record<string, string>) =>
      spawnSync(script, ['-qec', command, '/dev/null'], {
        cwd: tmp.path,
        env: cleanEnv(env),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const tty = onTty({});
    assert.equal(tty.status, 1, tty.stderr);
    assert.match(tty.stdout, /MK002/);
    assert.ok(tty.stdout.includes(ESC), `escape sequences on a terminal: ${JSON.stringify(tty.stdout)}`);
    const noColor = onTty({ NO_COLOR: '1' });
    assert.match(noColor.stdout, /MK002/);
    assert.ok(!noColor.stdout.includes(ESC), `no escape sequences with NO_COLOR: ${JSON.stringify(noColor.stdout)}`);
  });

  test('an unreadable file', async (t) => {
    const dir = new TempDir('dtmetrics-cli-perm-');
    try {
      dir.write('secret.dtmetrics', 'cpu.load 5\n');
      chmodSync(dir.join('secret.dtmetrics'), 0o000);
      let result;
      if (process.getuid?.() === 0) {
        // root reads a chmod-000 file anyway: run the CLI as user nobody, from a copy it can read.
        const setpriv = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv', '/sbin/setpriv'].find((p) =>
          existsSync(p),
        );
        if (!setpriv) {
          t.skip('running as root and setpriv is missing: cannot make a file unreadable for the CLI');
          return;
        }
        chmodSync(dir.path, 0o755);
        copyFileSync(CLI, dir.join('cli.js'));
        chmodSync(dir.join('cli.js'), 0o644);
        result = await runCli(['lint', 'secret.dtmetrics'], {
          cwd: dir.path,
          prefix: [setpriv, '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath],
          script: dir.join('cli.js'),
        });
        // the set-up itself must work: nobody can run the copy (a usage error proves it ran)
        const sanity = await runCli(['lint', '--rule', 'XX999=off', 'secret.dtmetrics'], {
          cwd: dir.path,
          prefix: [setpriv, '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath],
          script: dir.join('cli.js'),
        });
        assert.match(sanity.stderr, /XX999/, `nobody can run the CLI copy: ${sanity.stderr}`);
      } else {
        result = await runCli(['lint', 'secret.dtmetrics'], { cwd: dir.path });
      }
      assertUsageError(result, 'secret.dtmetrics');
      assert.match(result.stderr, /permission denied/);
    } finally {
      dir.remove();
    }
  });
});

describe('signals', () => {
  test('Ctrl+C (SIGINT) during a push: the request in flight is reported unknown, the summary written, exit 1', async () => {
    // A server that takes the request and never answers: the push waits until it is interrupted.
    const server = createServer();
    const received = once(server, 'request') as Promise<[IncomingMessage]>;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const lines = [1, 2, 3].map((id) => `signal.test,id=${id} count,delta=1`).join('\n') + '\n';
      tmp.write('three.dtmetrics', lines);
      const child = spawnCli(['push', '--url', url, 'three.dtmetrics'], { cwd: tmp.path });
      child.stdin.end();
      const stdout = collect(child.stdout);
      const stderr = collect(child.stderr);
      const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
      await Promise.race([received, exited]);
      child.kill('SIGINT');
      const [code, signal] = await exited;
      assert.deepEqual([code, signal, await stderr], [1, null, '']);
      assert.equal(
        await stdout,
        `three.dtmetrics:1  unknown  cancelled while in flight: the tenant may have stored these lines (3 lines, to line 3)\n` +
          `0 of 3 lines accepted by ${url}/api/v2/metrics/ingest; 0 rejected, 0 held back, 3 unknown, 0 not sent (1 request, 0 retries)\n`,
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
