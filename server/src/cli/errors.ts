import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Parsed } from '#core/time.ts';
import { UserError } from '#edge/errors.ts';

/** A command's options parsed strictly; a mistake is one line that points to the command's help. */
export function parseCommandLine<C extends ParseArgsConfig>(command: string, config: C): ReturnType<typeof parseArgs<C>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UserError(`${(error as Error).message.split('\n')[0]} (see 'dtmetrics ${command} --help')`);
  }
}

/** A time option read by the core's time grammar, or its problem as a usage error. */
export function timeOption<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new UserError(parsed.message);
  return parsed.value;
}
