/** Turns the command line's paths (files, directories, glob patterns, `-`) into the list of inputs to lint. */
import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { globSync } from 'tinyglobby';
import { describeSystemError, isUserError, UserError } from '#edge/errors.ts';
import { METRIC_FILE_EXTENSION, SKIPPED_DIRS } from '#edge/files.ts';

export type Input = { kind: 'stdin'; name: '-' } | { kind: 'file'; name: string };

/** An argument with these that names no path is a glob pattern. */
export const GLOB_CHARS = /[*?[\]{}]/;

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
        if (matches.length === 0) throw new UserError(`no files match '${arg}'`);
        matches.forEach(add);
        continue;
      }
      throw new UserError(`cannot read '${arg}': ${describeSystemError(error)}`);
    }
    if (stat.isDirectory()) {
      const found = walk(arg);
      if (found.length === 0) throw new UserError(`no ${METRIC_FILE_EXTENSION} files in '${arg}'`);
      found.forEach(add);
    } else {
      add(arg);
    }
  }
  for (const input of inputs) if (input.kind === 'file') checkReadableText(input.name);
  return inputs;
}

/**
 * The first BINARY_PROBE bytes of every input are read up front (stdin's too: read-lines.ts, readyInputs), so an
 * unreadable or binary input stops the run before any output.
 */
export const BINARY_PROBE = 65_536;

function checkReadableText(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = new Uint8Array(BINARY_PROBE);
    const read = readSync(fd, head, 0, BINARY_PROBE, 0);
    const probe = head.subarray(0, read);
    if (looksBinary(probe)) throw new UserError(binaryMessage(path, probe));
  } catch (error) {
    if (isUserError(error)) throw error;
    throw new UserError(`cannot read '${path}': ${describeSystemError(error)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Perl's -B share: past it, the start of an input is not text. */
const BINARY_SHARE = 0.3;

/**
 * Whether an input's first bytes look like binary data (an executable, an image, compressed data, UTF-16) rather
 * than metric lines: more than 30 % of their characters are NUL or other control characters (tab, CR and LF
 * aside) or bytes that are not UTF-8. Decided on the share, not on one NUL (as git and grep do), so a text file
 * with a stray NUL or a few Latin-1 bytes is linted wherever they stand, and each gets its finding on its line
 * (DV006, MK003, LN006, …), the same within the first 64 KiB as after them.
 */
export function looksBinary(head: Uint8Array): boolean {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  // Metric lines in a few native scans (memchr, simdutf; ~30 µs for 64 KiB): valid UTF-8 without a control byte.
  if (isUtf8(bytes) && CONTROL_BYTES.every((b) => !bytes.includes(b))) return false;
  // stream: a character cut at the probe's end is not a bad byte.
  const text = new TextDecoder('utf-8').decode(bytes, { stream: true });
  return (text.match(NOT_TEXT)?.length ?? 0) > text.length * BINARY_SHARE;
}

/** Bytes that are control characters in UTF-8: C0 but tab, LF and CR, and DEL. */
const CONTROL_BYTES = [...Array(0x20).keys(), 0x7f].filter((b) => b !== 0x09 && b !== 0x0a && b !== 0x0d);

/** Characters that are not text: control characters but tab, LF and CR, and U+FFFD for bytes that are not UTF-8. */
const NOT_TEXT = /[^\t\n\r\P{Cc}]|\ufffd/gu;

export function binaryMessage(name: string, head: Uint8Array): string {
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  const why = utf16
    ? 'it starts with a UTF-16 byte order mark: save it as UTF-8'
    : 'over 30 % of its first 64 KiB are NUL bytes, control characters or bytes that are not UTF-8';
  return `'${name}' looks like a binary file, not metric lines (${why})`;
}

function walk(dir: string): string[] {
  const found: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new UserError(`cannot read '${dir}': ${describeSystemError(error)}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) found.push(...walk(path));
    } else if (entry.name.endsWith(METRIC_FILE_EXTENSION) && (entry.isFile() || entry.isSymbolicLink())) {
      found.push(path);
    }
  }
  return found;
}
