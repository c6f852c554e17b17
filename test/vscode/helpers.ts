// Shared by the extension-host tests: where the repository is, and waiting for the editor with a deadline.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const EXTENSION_ID = 'dtmetrics.dtmetrics';

/** The repository's root: the nearest folder above the bundled tests whose package.json is this project's. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'dtmetrics') {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no dtmetrics package.json above ${__dirname}`);
  }
}

/**
 * Resolves with `probe()`'s first truthy result (awaited when it is a promise); polls every `intervalMs` (the
 * editor offers no event for every state a test waits for) and rejects with `what` once `timeoutMs` have passed.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
