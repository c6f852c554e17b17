/**
 * `dtmetrics …` run in this process: main.ts with a command context of the test's making (server/src/cli/context.ts),
 * for the tests of what a command does with its arguments, input and options (output text, formats, exit codes).
 * What it writes is collected, standard input comes in pipe-sized chunks, the environment is a clean one, as for the
 * built binary (helpers.ts, runCli), whose tests keep what only a process shows: its exit status, real pipes and
 * terminals, signals, memory (*.slow.test.ts).
 */
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { commandContext } from '#cli/context.ts';
import { main } from '#cli/main.ts';
import { cleanEnv, ROOT, type RunResult } from './helpers.ts';

export interface InProcessOptions {
  /** The working directory relative paths are read from (default: the repository). */
  cwd?: string;
  /** Standard input: bytes (given in 64 KiB chunks, as a pipe hands them over) or chunks as they come. */
  stdin?: string | Uint8Array | AsyncIterable<Uint8Array>;
  /** Added to a clean environment, as runCli adds it. */
  env?: Record<string, string>;
  /** Asks the command to stop, as Ctrl+C does in a process. */
  signal?: AbortSignal;
  /** Whether standard output is a terminal (colour). */
  isTTY?: boolean;
}

const PIPE_CHUNK = 65_536;

/** A stream that keeps what is written to it. */
class Collected extends Writable {
  private readonly chunks: Buffer[] = [];
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function* pipeChunks(bytes: Uint8Array): Generator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += PIPE_CHUNK) yield bytes.subarray(start, start + PIPE_CHUNK);
}

function stdinOf(stdin: InProcessOptions['stdin']): AsyncIterable<Uint8Array> {
  if (stdin === undefined) return Readable.from([]);
  if (typeof stdin === 'string') return Readable.from(pipeChunks(Buffer.from(stdin)));
  if (stdin instanceof Uint8Array) return Readable.from(pipeChunks(stdin));
  return stdin;
}

let running = 0;

/** Runs `dtmetrics …args` through main.ts; resolves with its exit code and everything it wrote. */
export async function dtmetrics(args: string[], options: InProcessOptions = {}): Promise<RunResult> {
  // The working directory is the process's: runs of one test file take turns (node:test runs its tests in turn).
  assert.equal(running, 0, 'one in-process run at a time');
  running++;
  const cwd = process.cwd();
  process.chdir(options.cwd ?? ROOT);
  try {
    const stdout = new Collected(options.isTTY ?? false);
    const stderr = new Collected(false);
    const context = commandContext({
      stdout,
      stderr,
      stdin: stdinOf(options.stdin),
      env: cleanEnv(options.env),
      now: () => Date.now(),
      signal: options.signal ?? new AbortController().signal,
    });
    const code = await main(args, context);
    return { code, signal: null, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    process.chdir(cwd);
    running--;
  }
}
