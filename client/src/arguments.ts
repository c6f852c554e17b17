/**
 * Commands' arguments (none from the palette, a Uri from a menu, an object from a CodeLens, a keybinding or a
 * test) read into typed values at the edge, each mistake named for whoever wrote the argument.
 */
import * as vscode from 'vscode';
import { UserError } from '#edge/errors.ts';

export type ArgumentObject = Record<string, unknown>;

/** Undefined without an argument (the palette); a menu's Uri becomes `{ uri }`. */
export function argumentObject(arg: unknown): ArgumentObject | undefined {
  if (arg instanceof vscode.Uri) return { uri: arg };
  if (arg === undefined || arg === null) return undefined;
  if (typeof arg !== 'object' || Array.isArray(arg))
    throw new UserError(`The command's argument must be an object, not ${JSON.stringify(arg)}`);
  return arg as ArgumentObject;
}

export function optional(arg: ArgumentObject, key: string): string | undefined {
  const value = arg[key];
  if (value !== undefined && typeof value !== 'string') throw new UserError(`The argument's '${key}' must be a string`);
  return value;
}

export function required(arg: ArgumentObject, key: string): string {
  const value = optional(arg, key);
  if (value === undefined) throw new UserError(`The argument needs '${key}'`);
  return value;
}

export function oneOf<T extends string>(arg: ArgumentObject, key: string, values: readonly T[]): T | undefined {
  const value = optional(arg, key);
  if (value !== undefined && !(values as readonly string[]).includes(value))
    throw new UserError(`The argument's '${key}' must be one of ${values.join(', ')}`);
  return value as T | undefined;
}

export function lineNumber(arg: ArgumentObject, key: string): number | undefined {
  const value = arg[key];
  if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= 0))
    throw new UserError(`The argument's '${key}' must be a 0-based line number`);
  return value as number | undefined;
}

export function positiveInteger(arg: ArgumentObject, key: string): number | undefined {
  const value = arg[key];
  if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value > 0))
    throw new UserError(`The argument's '${key}' must be a positive integer`);
  return value as number | undefined;
}

export function flag(arg: ArgumentObject, key: string): boolean | undefined {
  const value = arg[key];
  if (value !== undefined && typeof value !== 'boolean')
    throw new UserError(`The argument's '${key}' must be true or false`);
  return value;
}

/** A Uri, or a string parsed as one. */
export function uri(arg: ArgumentObject, key: string): vscode.Uri | undefined {
  const value = arg[key];
  if (value !== undefined && typeof value !== 'string' && !(value instanceof vscode.Uri))
    throw new UserError(`The argument's '${key}' must be a Uri or a string`);
  return typeof value === 'string' ? vscode.Uri.parse(value) : value;
}
