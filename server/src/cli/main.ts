/** The `dtmetrics` command line: dispatches to a command; every failure is one line on stderr, never a stack. */
import { isUserError, UserError } from '#edge/errors.ts';
import { LINT_USAGE, runLint } from './lint-command.ts';
import { Output, wantsColor } from './output.ts';

declare const DTMETRICS_VERSION: string;
const VERSION = typeof DTMETRICS_VERSION === 'string' ? DTMETRICS_VERSION : '0.0.0-dev';

const USAGE = `Usage: dtmetrics <command> [options]

Commands:
  lint    check .dtmetrics files against the Dynatrace metric ingestion protocol
  push    send metric lines to a tenant and report what became of each line
  query   query a tenant's metrics (a metric selector) as a table, JSON or CSV
  serve   run a local tenant that speaks the Metrics API, for pushing and querying offline

Run 'dtmetrics <command> --help' for a command's options.

${LINT_USAGE.split('\n').slice(0, 1).join('\n')}`;

async function main(argv: string[]): Promise<number> {
  const out = new Output(process.stdout, wantsColor(process.stdout, process.env));
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // A closed pipe (`dtmetrics lint … | head`) is the reader's choice, not a failure.
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const [command, ...rest] = argv;
  try {
    let code: number;
    switch (command) {
      case 'lint':
        code = await runLint(rest, out, () => Date.now(), VERSION);
        break;
      // push, query and serve load undici and the tenant (about 40 ms of start-up): only when they run, not for lint.
      case 'push':
        code = await (await import('./push-command.ts')).runPush(rest, out, () => Date.now(), process.env);
        break;
      case 'query':
        code = await (await import('./query-command.ts')).runQuery(rest, out, () => Date.now(), process.env);
        break;
      case 'serve':
        code = await (await import('./serve-command.ts')).runServe(rest, out, process.env);
        break;
      case '--version':
      case '-v':
        out.write(VERSION + '\n');
        code = 0;
        break;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        out.write(USAGE + '\n');
        code = command === undefined ? 2 : 0;
        break;
      default:
        throw new UserError(`unknown command '${command}' (try 'dtmetrics --help')`);
    }
    await out.drain(true);
    return code;
  } catch (error) {
    await out.drain(true);
    if (isUserError(error)) {
      process.stderr.write(`dtmetrics: ${error.message}\n`);
      return 2;
    }
    const detail = error instanceof Error ? error.message : String(error);
    process.stderr.write(`dtmetrics: internal error: ${detail} (please report it; set DTMETRICS_DEBUG=1 for details)\n`);
    if (process.env.DTMETRICS_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
