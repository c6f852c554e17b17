/** Turns the command line's paths (files, directories, glob patterns, `-`) into the list of inputs to lint. */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { globSync } from 'tinyglobby';
import { CliError, describeSystemError } from './errors.ts';

export type Input = { kind: 'stdin'; name: '-' } | { kind: 'file'; name: string };

const EXTENSION = '.dtmetrics';
const GLOB_CHARS = /[*?[\]{}]/;
/** Folders a directory walk never enters: tool caches and VCS data hold no fixtures of the user's. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

export function expandInputs(args: string[]): Input[] {
  const inputs: Input[] = [];
  const seen = new Set<string>();
  const add = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    inputs.push({ kind: 'file', name });
  };
  for (const arg of args) {
    if (arg === '-') {
      if (!seen.has('-')) inputs.push({ kind: 'stdin', name: '-' });
      seen.add('-');
      continue;
    }
    let stat;
    try {
      stat = statSync(arg);
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT' && GLOB_CHARS.test(arg)) {
        const matches = globSync(arg, { onlyFiles: true, expandDirectories: false }).sort();
        if (matches.length === 0) throw new CliError(`no files match '${arg}'`);
        matches.forEach(add);
        continue;
      }
      throw new CliError(`cannot read '${arg}': ${describeSystemError(error)}`);
    }
    if (stat.isDirectory()) {
      const found = walk(arg);
      if (found.length === 0) throw new CliError(`no ${EXTENSION} files in '${arg}'`);
      found.forEach(add);
    } else {
      add(arg);
    }
  }
  for (const input of inputs) if (input.kind === 'file') checkReadableText(input.name);
  return inputs;
}

/** BINARY_PROBE bytes are read up front, so an unreadable or binary file stops the run before any output. */
export const BINARY_PROBE = 65_536;

function checkReadableText(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = new Uint8Array(BINARY_PROBE);
    const read = readSync(fd, head, 0, BINARY_PROBE, 0);
    if (head.subarray(0, read).includes(0)) throw new CliError(binaryMessage(path));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read '${path}': ${describeSystemError(error)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export const binaryMessage = (name: string): string => `'${name}' looks like a binary file (it contains NUL bytes), not metric lines`;

function walk(dir: string): string[] {
  const found: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new CliError(`cannot read '${dir}': ${describeSystemError(error)}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) found.push(...walk(path));
    } else if (entry.name.endsWith(EXTENSION) && (entry.isFile() || entry.isSymbolicLink())) {
      found.push(path);
    }
  }
  return found;
}
