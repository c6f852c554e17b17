/**
 * `stats --base-ref`: the command line's inputs as they are at a git commit, read from the repository with the `git`
 * executable (execFile and spawn, no shell): the files each input names at the ref (a file, a directory's
 * `.dtmetrics` files as lint walks them, a glob's matches), their bytes streamed from one `git cat-file --batch`.
 * A path is the working directory's, as the inputs' are; git is asked in root-relative `:(top)` pathspecs.
 */
import { execFile, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from '#edge/errors.ts';
import { METRIC_FILE_EXTENSION, SKIPPED_DIRS } from '#edge/files.ts';
import { BINARY_PROBE, binaryMessage, GLOB_CHARS, looksBinary } from './inputs.ts';
import { readAhead } from './read-lines.ts';

/** One file at the ref: its name (`<ref>:<path from the repository's root>`) and its bytes, read once. */
export interface RefFile {
  name: string;
  chunks: AsyncIterable<Uint8Array>;
}

interface GitOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Why a git command failed, in git's own words (its first `fatal:` or `error:` line). */
class GitFailure extends Error {}

const NO_GIT = "--base-ref needs git, and there is no 'git' on PATH: install it (Debian: apt-get install git)";

/** Runs `git args…` and resolves with its standard output; a failure is NO_GIT or a GitFailure. */
function git(args: string[], { cwd, env }: GitOptions): Promise<string> {
  return new Promise((done, fail) => {
    const child = execFile('git', args, { cwd, env, maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
      if (error === null) done(stdout);
      else if ((error as { code?: unknown }).code === 'ENOENT') fail(new UserError(NO_GIT));
      else fail(new GitFailure(firstLine(stderr) || error.message));
    });
    child.stdin?.end(); // git reads nothing from us here (hash-object --stdin: the empty input)
  });
}

const firstLine = (text: string): string => text.split('\n').find((line) => line.trim() !== '') ?? '';

/** The files the inputs `args` name at `ref`, in the order given, each once. */
export async function* filesAtRef(
  ref: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): AsyncGenerator<RefFile> {
  const cwd = process.cwd();
  const root = await repositoryRoot({ cwd, env });
  const options = { cwd: root, env };
  const commit = await resolveCommit(ref, options);
  const emptyTree = (await git(['hash-object', '-t', 'tree', '--stdin'], options)).trim();
  const blobs = new Map<string, string>(); // path from the root → blob id
  for (const arg of args) {
    for (const [path, blob] of await listAt(commit, emptyTree, arg, root, options)) blobs.set(path, blob);
  }
  if (blobs.size === 0) return;
  yield* readBlobs(ref, blobs, options);
}

async function repositoryRoot(options: GitOptions): Promise<string> {
  try {
    return (await git(['rev-parse', '--show-toplevel'], options)).trim();
  } catch (error) {
    if (!(error instanceof GitFailure)) throw error;
    if (/not a git repository/i.test(error.message))
      throw new UserError(`--base-ref needs a git repository, and '${options.cwd}' is not in one`);
    throw new UserError(`--base-ref: git cannot read the repository here: ${error.message}`);
  }
}

async function resolveCommit(ref: string, options: GitOptions): Promise<string> {
  if (ref === '' || ref.startsWith('-'))
    throw new UserError(`--base-ref takes a git ref (origin/main, HEAD~1, a commit), not '${ref}'`);
  try {
    return (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], options)).trim();
  } catch (error) {
    if (!(error instanceof GitFailure)) throw error;
    throw new UserError(
      `--base-ref: no commit '${ref}' in this repository (a shallow checkout may lack it: fetch it first, e.g. 'git fetch origin main')`,
    );
  }
}

/** The regular files `arg` (a path or glob, from the working directory) names at `commit`, as path → blob id. */
async function listAt(
  commit: string,
  emptyTree: string,
  arg: string,
  root: string,
  options: GitOptions,
): Promise<Map<string, string>> {
  const path = relative(root, resolve(arg)).split(sep).join('/');
  if (path === '..' || path.startsWith('../') || isAbsolute(path))
    throw new UserError(`--base-ref: '${arg}' is outside the git repository '${root}'`);
  // As expandInputs reads an argument: a glob only where no such path is there now.
  const glob = GLOB_CHARS.test(arg) && !existsNow(arg);
  const pathspec =
    path === '' ? [] : glob ? expandBraces(path).map((one) => `:(top,glob)${one}`) : [`:(top,literal)${path}`];
  // The commit against the empty tree: every file in it, with the glob pathspecs ls-tree does not take.
  const raw = await git(
    ['diff-tree', '-r', '-z', '--raw', '--no-renames', emptyTree, commit, '--', ...pathspec],
    options,
  );
  const found = new Map<string, string>();
  const fields = raw.split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    // `:000000 <mode> <zeros> <blob> A`, then the path; regular files only (no links, no submodules).
    const [, mode, , blob] = (fields[i] as string).split(' ');
    const file = fields[i + 1] as string;
    if (
      (mode === '100644' || mode === '100755') &&
      blob !== undefined &&
      (glob ? globbed(path, file) : file === path || walked(path, file))
    )
      found.set(file, blob);
  }
  return found;
}

/** `{a,b}` alternatives, which tinyglobby takes and git's glob pathspecs do not, as one pattern each. */
function expandBraces(pattern: string): string[] {
  const group = /\{([^{}]*,[^{}]*)\}/.exec(pattern); // the innermost with a comma: nested ones expand outwards
  if (group === null) return [pattern];
  const [before, after] = [pattern.slice(0, group.index), pattern.slice(group.index + group[0].length)];
  return [...new Set((group[1] as string).split(',').flatMap((one) => expandBraces(before + one + after)))];
}

/**
 * Whether tinyglobby would take this file git's glob matched: its wildcards match no name starting with '.' (git's
 * do), so a file under such a name is the pattern's only where the pattern spells a name with a leading dot.
 */
function globbed(pattern: string, file: string): boolean {
  const dotted = pattern.split('/').filter((name) => name.startsWith('.'));
  return file
    .split('/')
    .filter((name) => name.startsWith('.'))
    .every((name) => dotted.some((spelled) => spelled === name || GLOB_CHARS.test(spelled)));
}

function existsNow(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether walking the directory `dir` (inputs.ts) would take `file`: a metric file outside the skipped directories. */
function walked(dir: string, file: string): boolean {
  if (!file.endsWith(METRIC_FILE_EXTENSION)) return false;
  const below = dir === '' ? file : file.slice(dir.length + 1);
  return below
    .split('/')
    .slice(0, -1)
    .every((name) => !SKIPPED_DIRS.has(name));
}

/**
 * The blobs' bytes from one `git cat-file --batch`: each as `<id> blob <size>\n<bytes>\n`, streamed to the reader
 * one file after another; each judged on its first bytes as a file on disk is (inputs.ts).
 */
async function* readBlobs(ref: string, blobs: Map<string, string>, options: GitOptions): AsyncGenerator<RefFile> {
  const child = spawn('git', ['cat-file', '--batch'], { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  child.on('error', () => {}); // no git to start: its output ends at once, and the reader says so
  child.stdin.on('error', () => {}); // git gone early: its stderr says why
  child.stdin.end([...blobs.values()].join('\n') + '\n');
  const reader = new ByteReader(child.stdout[Symbol.asyncIterator](), () => {
    throw new UserError(`--base-ref: git cat-file stopped early${stderr ? `: ${firstLine(stderr)}` : ''}`);
  });
  try {
    for (const path of blobs.keys()) {
      const name = `${ref}:${path}`;
      const header = await reader.line();
      const size = Number(/^\S+ blob (\d+)$/.exec(header)?.[1] ?? Number.NaN);
      if (Number.isNaN(size)) throw new UserError(`--base-ref: git cannot read '${name}': ${header}`);
      let left = size;
      async function* bytes(): AsyncGenerator<Uint8Array> {
        while (left > 0) {
          const part = await reader.take(left);
          left -= part.length;
          yield part;
        }
      }
      const { head, chunks } = await readAhead(bytes(), BINARY_PROBE, name);
      if (looksBinary(head)) throw new UserError(binaryMessage(name, head));
      yield { name, chunks };
      while (left > 0) left -= (await reader.take(left)).length; // what the reader left unread
      await reader.take(1); // the line feed after the bytes
    }
  } finally {
    child.kill();
  }
}

/** Lines and byte runs from a stream of chunks; `ended` is called (and throws) when it ends before they do. */
class ByteReader {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly ended: () => never,
  ) {}

  private async fill(): Promise<void> {
    const next = await this.source.next();
    if (next.done === true) this.ended();
    this.buffered = this.buffered.length === 0 ? next.value : Buffer.concat([this.buffered, next.value]);
  }

  async line(): Promise<string> {
    let at = this.buffered.indexOf(0x0a);
    while (at < 0) {
      await this.fill();
      at = this.buffered.indexOf(0x0a);
    }
    const text = this.buffered.subarray(0, at).toString('utf8');
    this.buffered = this.buffered.subarray(at + 1);
    return text;
  }

  /** Up to `most` bytes, at least one. */
  async take(most: number): Promise<Uint8Array> {
    if (this.buffered.length === 0) await this.fill();
    const part = this.buffered.subarray(0, most);
    this.buffered = this.buffered.subarray(part.length);
    return part;
  }
}
