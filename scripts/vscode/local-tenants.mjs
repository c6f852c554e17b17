// The local tenants the extension started in a scratch profile (npm start's): they outlive the editor until their
// lease runs out, and keep their data, output and state in the profile, so they are stopped before it is removed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/* global AbortSignal, fetch */

/**
 * Stops each local tenant a state file in the profile records (local-tenant.json, in the workspace or global
 * storage), sending its control secret (never printed) to the instance it records only. Resolves once they have
 * ended, or after 10 s.
 */
export async function stopLocalTenants(userData) {
  const storage = join(userData, 'User');
  const files = existsSync(storage)
    ? readdirSync(storage, { recursive: true }).filter((path) => path.endsWith('local-tenant.json'))
    : [];
  const asked = [];
  for (const file of files) {
    try {
      const state = JSON.parse(readFileSync(join(storage, file), 'utf8'));
      const answer = await fetch(`${state.url}/_dtmetrics/instance`, { signal: AbortSignal.timeout(5_000) });
      if ((await answer.json()).instance !== state.instance) continue;
      await fetch(`${state.url}/_dtmetrics/stop`, {
        method: 'POST',
        headers: { 'X-Dtmetrics-Secret': state.secret },
        signal: AbortSignal.timeout(5_000),
      });
      asked.push(state.pid);
    } catch {
      // Not a state, or its tenant no longer answers: nothing to stop.
    }
  }
  for (let waited = 0; waited < 10_000 && asked.some(runs); waited += 50) await delay(50);
}

/** Whether the process runs: a zombie (a detached tenant is collected by init, sometimes late) does not. */
function runs(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
