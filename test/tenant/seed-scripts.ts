/**
 * The seed scripts (reconstructed in test/fixtures/clients/, unchanged but for the URL and token they read
 * from DT_ENVIRONMENT_URL and DT_API_TOKEN) run by Debian's Python with Debian's python3-requests
 * (`npm run setup:clients` installs both); a test fails, never skips, when they are missing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv, ROOT } from '../cli/helpers.ts';
import { TOKEN, type TenantProcess } from './helpers.ts';

/** Debian's interpreter, the one python3-requests installs into (a python3 earlier on PATH may be another). */
const PYTHON = '/usr/bin/python3';
const CLIENTS = join(ROOT, 'test', 'fixtures', 'clients');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` with a clean environment plus `env`; resolves with its exit code and output, whatever they are. */
export function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(command, args, { env: cleanEnv(env), encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A seed script's answer from `tenant` (with the test token): it prints the status, then the body. */
export async function seed(
  script: string,
  tenant: TenantProcess,
): Promise<{
  status: number;
  body: { error?: { code: number; message: string } } & Record<string, unknown>;
  stdout: string;
}> {
  const ran = await run(PYTHON, [join(CLIENTS, script)], { DT_ENVIRONMENT_URL: tenant.url, DT_API_TOKEN: TOKEN });
  assert.equal(
    ran.code,
    0,
    `${script} failed (Debian's python3 with python3-requests is needed; npm run setup:clients installs it):\n${ran.stderr.replaceAll(TOKEN, '***')}`,
  );
  const [status, ...body] = ran.stdout.trimEnd().split('\n');
  assert.ok(!ran.stdout.includes(TOKEN), `${script}: the answer echoes the token`);
  return { status: Number(status), body: JSON.parse(body.join('\n')) as never, stdout: ran.stdout };
}
