/**
 * Reading a command's options, the same way in every command: the command line strictly, numbers in one form
 * (decimal digits; no sign, exponent, hex or spaces, so `1e1` or `0x0` means the same to no option), times by the
 * core's grammar. A mistake is one line naming the option (exit 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Parsed } from '#core/time.ts';
import { closest } from '#core/typos.ts';
import { UserError } from '#edge/errors.ts';

/**
 * A command's options parsed strictly; a mistake is one line that points to the command's help. An unknown option
 * gets its likely meaning, or the reason from `refused` (options that are not taken on purpose: `--token`).
 */
export function parseCommandLine<C extends ParseArgsConfig>(
  command: string,
  config: C,
  refused: Readonly<Record<string, string>> = {},
): ReturnType<typeof parseArgs<C>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const help = `(see 'dtmetrics ${command} --help')`;
    const { code, message } = error as { code?: string; message: string };
    // Node's own text goes on about '--' and leaves a quote open; only the option's name is of use.
    const unknown =
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /^Unknown option '([^']*)'/.exec(message)?.[1] : undefined;
    if (unknown === undefined) throw new UserError(`${message.split('\n')[0]} ${help}`, command);
    const reason = Object.hasOwn(refused, unknown) ? refused[unknown] : undefined;
    if (reason !== undefined) throw new UserError(`${reason} ${help}`, command);
    const names = Object.keys(config.options ?? {});
    const meant = unknown.startsWith('--') ? closest(unknown.slice(2), names) : undefined;
    throw new UserError(`unknown option '${unknown}'${meant ? ` (did you mean --${meant}?)` : ''} ${help}`, command);
  }
}

/** The whole numbers an option takes, both ends included; without `max`, any a double holds exactly. */
export interface IntegerRange {
  min: number;
  max?: number;
}

/** An integer option: decimal digits only, within its range. `option` names it in the message (`--port`). */
export function integerOption(option: string, text: string, range: IntegerRange): number {
  const value = Number(text);
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (/^\d+$/.test(text) && value >= range.min && value <= max) return value;
  const bounds = range.max === undefined ? `of ${range.min} or more` : `from ${range.min} to ${range.max}`;
  throw new UserError(`${option} takes a whole number ${bounds}, written in decimal digits, not '${text}'`);
}

/** A decimal number of 0 or more, with an optional exponent: `0.001`, `1e-6`, `2.5E-3` (the one fractional limit). */
export function fractionOption(option: string, text: string): number {
  const value = Number(text);
  if (!/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) || !Number.isFinite(value))
    throw new UserError(`${option} takes a number of 0 or more, such as 0.001 or 1e-6, not '${text}'`);
  return value;
}

/** A time option read by the core's time grammar, or its problem as a usage error. */
export function timeOption<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new UserError(parsed.message);
  return parsed.value;
}
