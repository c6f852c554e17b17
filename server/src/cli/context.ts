/**
 * What a command runs with: its standard streams, environment, clock and stop signal. cli.ts builds one from the
 * process; tests build one in-process (test/cli/in-process.ts), so a command's behaviour is tested without a
 * process and the process's own part (exit code, signals, pipes) apart from it.
 */
import { Output, wantsColor } from './output.ts';

export interface CommandContext {
  /** Standard output, buffered with back-pressure; coloured when `wantsColor` says so. */
  stdout: Output;
  /** Standard error: one-line messages, written as they come. */
  stderr: NodeJS.WritableStream;
  /** Standard input's bytes, read only by a command given `-`. */
  stdin: AsyncIterable<Uint8Array>;
  env: NodeJS.ProcessEnv;
  now: () => number;
  /** Aborted when the command is asked to stop (a push on Ctrl+C; serve also on SIGTERM or its editor gone). */
  signal: AbortSignal;
}

export type Command = (argv: string[], context: CommandContext) => Promise<number>;

/** The streams a context is made of; standard output is wrapped once, its colour decided by the environment. */
export interface Streams extends Omit<CommandContext, 'stdout'> {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
}

export function commandContext(streams: Streams): CommandContext {
  return { ...streams, stdout: new Output(streams.stdout, wantsColor(streams.stdout, streams.env)) };
}
