// Shared by the extension-host tests: where the repository is, waiting for the editor with a deadline, and the
// real local tenant (dist/cli.js serve) started and stopped from the extension host.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'dtmetrics.dtmetrics';

/** The repository's root: the nearest folder above the bundled tests whose package.json is this project's. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'dtmetrics'
    ) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no dtmetrics package.json above ${__dirname}`);
  }
}

/**
 * Resolves with `probe()`'s first truthy result (awaited when it is a promise); polls every `intervalMs` (the
 * editor offers no event for every state a test waits for) and rejects with `what` once `timeoutMs` have passed.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * `dtmetrics serve` on `port` (0: any free one), with `token` passed in the environment (out of the process list)
 * or with none, and `extraArgs` (`--faults`, `--max-series n`); its URL once it says it listens.
 */
export async function startTenant(
  port: number,
  token: string | null,
  data: string,
  extraArgs: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const tokenArgs = token === null ? [] : ['--token-env', 'DTMETRICS_TEST_TOKEN'];
  const child = spawn(
    process.execPath,
    [join(repoRoot(), 'dist', 'cli.js'), 'serve', '--port', String(port), '--data', data, ...tokenArgs, ...extraArgs],
    {
      // The extension host runs on Node in code-server; in a desktop VS Code, process.execPath is Electron.
      env: { ...process.env, DTMETRICS_TEST_TOKEN: token ?? '', ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await waitFor('the local tenant to listen', () => {
    if (child.exitCode !== null) throw new Error(`the local tenant ended: ${output}`);
    return /listening on (http:\/\/\S+)/.exec(output)?.[1];
  });
  return { child, url };
}

/** A port free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await waitFor('the local tenant to end', () => child.exitCode !== null || child.signalCode !== null);
}

/** The diagnostics the tenant's answer put on a document (source "tenant"). */
export const tenantDiagnostics = (uri: vscode.Uri) =>
  vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'tenant');
