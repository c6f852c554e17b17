// `npm start`: a real VS Code (code-server) on 127.0.0.1 with the extension loaded on examples/, until Ctrl+C.
// Prints the URL to open in a browser. PORT chooses the port (default: a free one).

/* global AbortController */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { ROOT } from './build-tests.mjs';
import { createProfile, freePort, spawnCodeServer, stopServer, waitForHealth, workbenchUrl } from './code-server.mjs';

const folder = join(ROOT, 'examples');
const port = Number(process.env.PORT) || (await freePort());
const temp = mkdtempSync(join(tmpdir(), 'dtmetrics-start-'));
const server = spawnCodeServer({ port, folder, profile: createProfile(temp) });
server.stdout.resume();
server.stderr.resume();

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await stopServer(server);
  rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stop(0));
server.on('exit', (code) => {
  if (!stopping) {
    console.error(`code-server exited (${code})`);
    void stop(1);
  }
});

const startup = new AbortController();
const deadline = setTimeout(() => startup.abort(new Error('code-server did not answer within 60 s')), 60_000);
await waitForHealth(port, server, startup.signal).catch(async (error) => {
  console.error(error?.message ?? error);
  await stop(1);
});
clearTimeout(deadline);
console.log(
  `VS Code with dtmetrics on examples/ — open in a browser:\n\n  ${workbenchUrl(port, folder, [ROOT])}\n\nCtrl+C stops it.`,
);
