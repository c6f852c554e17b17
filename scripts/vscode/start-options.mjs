// What `npm start` opens, and on which port (start.mjs does it): never the repository's own examples/, whose files
// a browser's VS Code saves as they are edited, but a scratch copy of them, or a folder the user names; a fixed port,
// so the URL is the same from run to run, unless it is taken.
import { cpSync, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** The port `npm start` takes unless PORT says otherwise or it is in use. */
export const DEFAULT_PORT = 8735;
/** Where the scratch copy of examples/ lives, below the repository's root (git-ignored). */
export const SCRATCH_FOLDER = join('.scratch', 'examples');

export const START_USAGE = `Usage: npm start [-- FOLDER]

Runs VS Code (code-server) with the dtmetrics extension on 127.0.0.1 until Ctrl+C, and prints the URL to open.
FOLDER (relative to where npm runs) is opened as it is; without one, a scratch copy of examples/ in
${SCRATCH_FOLDER}/ (files added to examples/ since are copied in, the ones there kept; delete it for a fresh copy).
PORT=N chooses the port; by default ${DEFAULT_PORT}, or a free one when it is in use.`;

/**
 * The folder to open from the command line's arguments: the one named, resolved against the folder npm was run
 * from (`INIT_CWD`: npm runs scripts in the package's root), else the scratch copy, with examples/ to copy into it.
 * 'help' for -h or --help. Throws an Error whose message is one line for anything else.
 */
export function startFolder(args, env, root) {
  if (args.some((arg) => arg === '-h' || arg === '--help')) return 'help';
  const option = args.find((arg) => arg.startsWith('-'));
  if (option)
    throw new Error(`unknown option '${option}': give a folder to open, or nothing (see npm start -- --help)`);
  if (args.length > 1) throw new Error(`one folder to open at most, not ${args.length}: ${args.join(' ')}`);
  if (args.length === 0) return { folder: join(root, SCRATCH_FOLDER), copyFrom: join(root, 'examples') };
  const folder = resolve(env.INIT_CWD ?? process.cwd(), args[0]);
  if (!existsSync(folder)) throw new Error(`no folder at ${folder}`);
  if (!statSync(folder).isDirectory()) throw new Error(`${folder} is a file: npm start opens a folder`);
  return { folder, copyFrom: null };
}

/**
 * Copies examples/ (its .vscode/settings.json too) into the scratch folder: what is missing there is added, what is
 * there is kept, edits included.
 */
export function copyExamples(from, to) {
  cpSync(from, to, { recursive: true, force: false, errorOnExist: false });
}

/** Whether 127.0.0.1:`port` can be listened on now. */
export function portIsFree(port) {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

/**
 * The port: PORT when set (it must be free: it was asked for), else `defaultPort`, else a free one (`freePort()`),
 * with a note saying so. Throws an Error whose message is one line when PORT is not a port or is in use.
 */
export async function choosePort(env, freePort, defaultPort = DEFAULT_PORT) {
  const asked = env.PORT;
  if (asked !== undefined && asked !== '') {
    const port = Number(asked);
    if (!/^\d+$/.test(asked) || port < 1 || port > 65_535)
      throw new Error(`PORT must be a port number from 1 to 65535, not '${asked}'`);
    if (!(await portIsFree(port)))
      throw new Error(`PORT ${port} is in use: choose another, or leave PORT unset for ${defaultPort} or a free one`);
    return { port, note: null };
  }
  if (await portIsFree(defaultPort)) return { port: defaultPort, note: null };
  const port = await freePort();
  return { port, note: `Port ${defaultPort} is in use (another npm start?), so this one runs on ${port}.` };
}
