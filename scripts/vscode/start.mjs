// `npm start [-- FOLDER]`: a real VS Code (code-server) on 127.0.0.1 with the extension loaded, on a scratch copy
// of examples/ (or FOLDER), until Ctrl+C. Prints the URL to open in a browser; PORT chooses the port (default 8735,
// or a free one when that is in use). What it opens and where: start-options.mjs.

/* global AbortController */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { ROOT } from './build-tests.mjs';
import { createProfile, freePort, spawnCodeServer, stopServer, waitForHealth, workbenchUrl } from './code-server.mjs';
import { stopLocalTenants } from './local-tenants.mjs';
import { choosePort, copyExamples, START_USAGE, startFolder } from './start-options.mjs';

let chosen;
try {
  const opened = startFolder(process.argv.slice(2), process.env, ROOT);
  if (opened === 'help') {
    console.log(START_USAGE);
    process.exit(0);
  }
  chosen = { ...opened, ...(await choosePort(process.env, freePort)) };
} catch (error) {
  console.error(`npm start: ${error.message}`);
  process.exit(2);
}
const { folder, copyFrom, port, note } = chosen;
if (copyFrom) copyExamples(copyFrom, folder);

const temp = mkdtempSync(join(tmpdir(), 'dtmetrics-start-'));
const profile = createProfile(temp);
const server = spawnCodeServer({ port, folder, profile });
server.stdout.resume();
server.stderr.resume();

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await stopServer(server);
  // A local tenant started from this editor outlives it: its data and state are in the profile removed here.
  await stopLocalTenants(profile.userData);
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
const what = copyFrom
  ? `a scratch copy of examples/ in ${relative(ROOT, folder)}/ (edits stay there, out of git; delete it for a fresh copy)`
  : folder;
console.log(
  [
    ...(note ? [note, ''] : []),
    `VS Code with dtmetrics, on ${what}. Open in a browser:`,
    '',
    `  ${workbenchUrl(port, folder, [ROOT])}`,
    '',
    'Ctrl+C stops it.',
  ].join('\n'),
);
