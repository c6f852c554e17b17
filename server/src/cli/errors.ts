import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Parsed } from '../core/time.ts';

/** A failure the user can act on: printed as one line, exit code 2 (usage or I/O), never a stack trace. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** A Node system error as a short phrase: "no such file", "permission denied". */
export function describeSystemError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'EMFILE':
      return 'too many open files';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** A command's options parsed strictly; a mistake is one line that points to the command's help. */
export function parseCommandLine<C extends ParseArgsConfig>(command: string, config: C): ReturnType<typeof parseArgs<C>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new CliError(`${(error as Error).message.split('\n')[0]} (see 'dtmetrics ${command} --help')`);
  }
}

/** A time option read by the core's time grammar, or its problem as a usage error. */
export function timeOption<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new CliError(parsed.message);
  return parsed.value;
}
