/**
 * The local tenant started from the editor belongs to the workspace, not to the extension host that started it: a
 * window reload starts a new host, which must find the tenant, show it and be able to stop it. The state file (in
 * the extension's workspace storage) records what that takes; the tenant itself says who it is over HTTP
 * (core/tenant-control.ts), so a file whose tenant is gone, or whose port another program took, is told apart and
 * removed. No `vscode` here: the in-editor code (watch.ts) and the tests use it alike.
 */
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as delay } from 'node:timers/promises';
import { CONTROL_PATHS, readInstanceInfo, SECRET_HEADER, type InstanceInfo } from '#core/tenant-control.ts';

/** What the state file records of a tenant this workspace started. */
export interface LocalTenantState {
  /** The tenant's instance id (`GET /_dtmetrics/instance`). */
  instance: string;
  pid: number;
  port: number;
  url: string;
  dataFile: string;
  /** Its standard output and error. */
  logFile: string;
  /**
   * Sent in X-Dtmetrics-Secret to stop the tenant or renew its lease, and only once the port answered with this
   * instance's id; never logged or shown. The file is readable by its owner only.
   */
  secret: string;
  startedAt: string;
}

const STATE_VERSION = 1;

/** The state a file's text records; null when it is not one (written by hand, cut short, another version). */
export function parseState(text: string): LocalTenantState | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const o = json as Record<string, unknown>;
  const strings = ['instance', 'url', 'dataFile', 'logFile', 'secret', 'startedAt'] as const;
  if (o.version !== STATE_VERSION || strings.some((k) => typeof o[k] !== 'string' || o[k] === '')) return null;
  if (!Number.isSafeInteger(o.pid) || (o.pid as number) <= 0) return null;
  if (!Number.isSafeInteger(o.port) || (o.port as number) <= 0 || (o.port as number) > 65_535) return null;
  const state = Object.fromEntries([...strings, 'pid', 'port'].map((k) => [k, o[k]]));
  return state as unknown as LocalTenantState;
}

/** The state recorded in `file`: null when there is none, 'invalid' when the file holds something else. */
export async function readState(file: string): Promise<LocalTenantState | 'invalid' | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return parseState(text) ?? 'invalid';
}

/** Writes the state whole (a new file renamed over the old), readable by its owner only: it holds the secret. */
export async function writeState(file: string, state: LocalTenantState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ version: STATE_VERSION, ...state }, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

/**
 * Removes the state file if it still records `instance` (an older host that sees its tenant end must not remove
 * the file of one started since), or whatever it holds when `instance` is null.
 */
export async function removeState(file: string, instance: string | null): Promise<void> {
  if (instance !== null) {
    const recorded = await readState(file);
    if (recorded === null || recorded === 'invalid' || recorded.instance !== instance) return;
  }
  await rm(file, { force: true });
}

/** How long a tenant on this machine may take to answer: it answers between slices of any work. */
const ANSWER_TIMEOUT_MS = 5_000;

/** The tenant answering at `url`; null when nothing answers, or something that is not a local tenant. */
export async function instanceAt(url: string): Promise<InstanceInfo | null> {
  const answer = await localRequest(url, 'GET', CONTROL_PATHS.instance, {});
  if (answer?.status !== 200) return null;
  try {
    return readInstanceInfo(JSON.parse(answer.body));
  } catch {
    return null;
  }
}

/**
 * What holds a state's tenant's place: 'ours' (the recorded instance answers at its URL), 'other' (another local
 * tenant answers there: ours has ended, or is ending), 'ended' (nothing answers, and its process has ended), or
 * 'silent' (nothing answers in time, and its process runs: busy, starting or ending, or its pid another program's).
 */
export type Presence =
  | { kind: 'ours'; info: InstanceInfo }
  | { kind: 'other'; info: InstanceInfo }
  | { kind: 'ended' }
  | { kind: 'silent' };

export async function presenceOf(state: LocalTenantState): Promise<Presence> {
  const info = await instanceAt(state.url);
  if (info) return { kind: info.instance === state.instance ? 'ours' : 'other', info };
  return processEnded(state.pid) ? { kind: 'ended' } : { kind: 'silent' };
}

/**
 * Sends a stop or lease request to the state's tenant, once the port has answered with its instance id (the secret
 * goes to that tenant only). 'gone': another or no tenant answers; 'refused': it refused the secret.
 */
export async function control(state: LocalTenantState, what: 'stop' | 'lease'): Promise<'done' | 'gone' | 'refused'> {
  if ((await presenceOf(state)).kind !== 'ours') return 'gone';
  const answer = await localRequest(state.url, 'POST', CONTROL_PATHS[what], { [SECRET_HEADER]: state.secret });
  if (!answer) return 'gone';
  return answer.status === (what === 'stop' ? 202 : 200) ? 'done' : 'refused';
}

/**
 * One request to a local tenant on a fresh connection; null when nothing answered within `timeoutMs` or `signal`
 * aborted it.
 */
export function localRequest(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  { timeoutMs = ANSWER_TIMEOUT_MS, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ status: number; body: string } | null> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(path, url);
    } catch {
      resolve(null);
      return;
    }
    const req = request(target, { method, headers, agent: false, timeout: timeoutMs, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

/**
 * Whether the process has ended: no such process, or a zombie its parent has not collected yet (on Linux, where a
 * tenant whose extension host is gone is collected by init, sometimes late).
 */
export function processEnded(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Waits until the process has ended, polling, for at most `timeoutMs`; whether it did. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!processEnded(pid)) {
    if (Date.now() >= deadline) return false;
    await delay(50);
  }
  return true;
}

/**
 * Reads the lines a file gains (the tenant's output), from `offset` on; `poll()` hands each whole line to `onLine`.
 * A file that shrank was started anew (a new tenant's log): it is read from its start.
 */
export class FileFollower {
  private partial = '';
  /** A character cut between two reads is decoded whole, with the second. */
  private decoder = new StringDecoder('utf8');

  constructor(
    readonly path: string,
    private onLine: (line: string) => void,
    private offset = 0,
  ) {}

  /** A follower of what the file gains from now on (lines go nowhere until redirected). */
  static async fromEnd(path: string): Promise<FileFollower> {
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    return new FileFollower(path, () => undefined, size);
  }

  /** Lines go to `onLine` from now on. */
  redirect(onLine: (line: string) => void): void {
    this.onLine = onLine;
  }

  /** Reads what was added since the last poll; whether anything was. */
  async poll(): Promise<boolean> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return false;
    }
    try {
      const { size } = await handle.stat();
      if (size < this.offset) {
        this.offset = 0;
        this.partial = '';
        this.decoder = new StringDecoder('utf8');
      }
      if (size === this.offset) return false;
      const buffer = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset += bytesRead;
      const lines = (this.partial + this.decoder.write(buffer.subarray(0, bytesRead))).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) this.onLine(line.replace(/\r$/, ''));
      return bytesRead > 0;
    } finally {
      await handle.close();
    }
  }
}
