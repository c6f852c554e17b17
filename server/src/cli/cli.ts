/**
 * dist/cli.js: the command context made of the process (main.ts runs the command), and what only a process has:
 * the exit code, a closed pipe, the signals that ask a command to stop.
 */
import { commandContext } from './context.ts';
import { main } from './main.ts';

/**
 * What asks a command to stop instead of ending the process: a push reports the lines it has not sent as
 * cancelled on Ctrl+C; a tenant closes its data file on Ctrl+C or SIGTERM, and ends with a parent that forked it
 * (an IPC channel's disconnect). Listened to from the start, so a signal sent as soon as serve says it listens
 * finds its listener.
 */
const STOPPED_BY = new Map<string | undefined, readonly ('SIGINT' | 'SIGTERM' | 'disconnect')[]>([
  ['push', ['SIGINT']],
  ['serve', ['SIGINT', 'SIGTERM', 'disconnect']],
]);

const argv = process.argv.slice(2);
const stop = new AbortController();
const onStop = () => stop.abort();
const stoppedBy = (STOPPED_BY.get(argv[0]) ?? []).filter((event) => event !== 'disconnect' || process.send);
for (const event of stoppedBy) process.once(event, onStop);

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // A closed pipe (`dtmetrics lint … | head`) is the reader's choice, not a failure.
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const context = commandContext({
  stdout: process.stdout,
  stderr: process.stderr,
  // process.stdin is made only when a command reads it (`-`).
  stdin: { [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() },
  env: process.env,
  now: () => Date.now(),
  signal: stop.signal,
});

main(argv, context).then((code) => {
  for (const event of stoppedBy) process.off(event, onStop);
  // An open IPC channel (forked by the editor) would keep the process alive after its command ended.
  if (process.connected) process.disconnect();
  process.exitCode = code;
});
