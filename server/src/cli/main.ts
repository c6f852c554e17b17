/** The `dtmetrics` command line: dispatches to a command; every failure is one line on stderr, never a stack. */
import { isUserError, UserError } from '#edge/errors.ts';
import type { Command, CommandContext } from './context.ts';
import { runLint } from './lint-command.ts';
import { closest } from '#core/typos.ts';
import { VERSION } from './version.ts';

const USAGE = `Usage: dtmetrics <command> [options]

Commands:
  lint    check .dtmetrics files against the Dynatrace metric ingestion protocol
  push    send metric lines to a tenant and report what became of each line
  query   query a tenant's metrics (a metric selector) as a table, JSON or CSV
  serve   run a local tenant that speaks the Metrics API, for pushing and querying offline
  convert turn Prometheus, StatsD, OTLP or JSON metrics into metric lines
  stats   count the series and data points lines make, and what they cost a year

Run 'dtmetrics <command> --help' for a command's options.`;

/** push, query and serve load undici and the tenant (about 40 ms of start-up): only when they run, not for lint. */
const COMMANDS = new Map<string | undefined, () => Promise<Command>>([
  ['lint', async () => runLint],
  ['push', async () => (await import('./push-command.ts')).runPush],
  ['query', async () => (await import('./query-command.ts')).runQuery],
  ['serve', async () => (await import('./serve-command.ts')).runServe],
  ['convert', async () => (await import('./convert-command.ts')).runConvert],
  ['stats', async () => (await import('./stats-command.ts')).runStats],
]);

/** Runs `dtmetrics …argv` and resolves with its exit code. */
export async function main(argv: string[], context: CommandContext): Promise<number> {
  const { stdout, stderr } = context;
  const [command, ...rest] = argv;
  try {
    let code: number;
    const load = COMMANDS.get(command);
    if (load) code = await (await load())(rest, context);
    else if (command === '--version' || command === '-v') {
      stdout.write(VERSION + '\n');
      code = 0;
    } else if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      stdout.write(USAGE + '\n');
      code = command === undefined ? 2 : 0;
    } else {
      const meant = closest(
        command,
        [...COMMANDS.keys()].filter((name) => name !== undefined),
      );
      throw new UserError(
        `unknown command '${command}'${meant ? ` (did you mean ${meant}?)` : ''} (try 'dtmetrics --help')`,
      );
    }
    await stdout.drain(true);
    return code;
  } catch (error) {
    await stdout.drain(true);
    if (isUserError(error)) {
      stderr.write(`dtmetrics${error.command ? ` ${error.command}` : ''}: ${error.message}\n`);
      return 2;
    }
    const detail = error instanceof Error ? error.message : String(error);
    stderr.write(`dtmetrics: internal error: ${detail} (please report it; set DTMETRICS_DEBUG=1 for details)\n`);
    if (context.env.DTMETRICS_DEBUG) stderr.write(`${(error as Error).stack ?? ''}\n`);
    return 2;
  }
}
