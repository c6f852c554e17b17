/**
 * The local tenant run from the editor: `dist/cli.js serve` forked as vscode-languageclient forks the language
 * server, its output in the log channel, stopped with the extension or by command. When its port is taken by a
 * local tenant started elsewhere (a terminal, another window), that one is used as it is.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type * as vscode from 'vscode';
import { environmentUrls } from '#core/environment.ts';
import { createDispatcher, send } from '#http/client.ts';
import { testConnection } from '#http/push.ts';
import { UserError } from '#edge/errors.ts';

/** How long `serve` may take to say it listens: it replays its data file first. */
const START_TIMEOUT_MS = 30_000;
/** How long it may take to close its data file after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 5_000;
/** How long a program on this machine may take to answer a probe. */
const PROBE_TIMEOUT_MS = 5_000;
const LISTENING = /listening on (http:\/\/\S+)/;

export class LocalTenant {
  private child: ChildProcess | null = null;
  private url: string | null = null;
  /** While a start is under way: a second click waits for it instead of forking another tenant. */
  private starting: Promise<{ url: string; startedHere: boolean }> | null = null;

  constructor(
    private readonly cliPath: string,
    readonly dataFile: string,
    private readonly log: vscode.LogOutputChannel,
    /** Where earlier versions kept the data (JSON lines): moved to `dataFile` once, and converted there by serve. */
    private readonly formerDataFile: string,
  ) {}

  /** Starts the tenant on `port` (or finds one already there); resolves with its URL once it listens. */
  start(port: number): Promise<{ url: string; startedHere: boolean }> {
    if (this.child && this.url) return Promise.resolve({ url: this.url, startedHere: true });
    this.starting ??= this.launch(port).finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async launch(port: number): Promise<{ url: string; startedHere: boolean }> {
    await mkdir(dirname(this.dataFile), { recursive: true });
    if (!existsSync(this.dataFile) && existsSync(this.formerDataFile)) {
      await rename(this.formerDataFile, this.dataFile);
      this.log.info(`Moved the local tenant's data from ${this.formerDataFile} to ${this.dataFile}, to be converted`);
    }
    this.log.info(`Starting the local tenant on port ${port}, data in ${this.dataFile}`);
    const child = fork(this.cliPath, ['serve', '--port', String(port), '--data', this.dataFile], {
      silent: true,
      execArgv: [],
      // In a desktop VS Code, process.execPath is Electron: this makes it run the script as Node does.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    if (!child.stdout || !child.stderr) throw new Error('a child forked with silent: true has pipes');
    const stderr: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr.push(line);
      this.log.warn(`local tenant: ${line}`);
    });
    const stdout = createInterface({ input: child.stdout });
    stdout.on('line', (line) => this.log.info(`local tenant: ${line}`));
    child.on('exit', (code, signal) => {
      this.log.info(`The local tenant ended (${signal ?? `exit code ${code}`})`);
      if (this.child === child) {
        this.child = null;
        this.url = null;
      }
    });
    let url: string;
    try {
      url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new UserError(
                `The local tenant said nothing for ${START_TIMEOUT_MS / 1000} s and did not say it listens: see the dtmetrics output`,
              ),
            ),
          START_TIMEOUT_MS,
        );
        stdout.on('line', (line) => {
          // Converting a large data file of an earlier version takes a while, and says how far it got.
          timer.refresh();
          const listening = LISTENING.exec(line)?.[1];
          if (listening) {
            clearTimeout(timer);
            resolve(listening);
          }
        });
        child.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        child.once('exit', () => {
          clearTimeout(timer);
          reject(
            new UserError(
              `The local tenant did not start: ${stderr.join(' ').replace(/^dtmetrics: /, '') || 'it ended at once'}`,
            ),
          );
        });
      });
    } catch (error) {
      child.kill();
      if (stderr.some((line) => /\bport \d+ is in use\b/.test(line))) return this.adopt(port);
      throw error;
    }
    this.child = child;
    this.url = url;
    return { url, startedHere: true };
  }

  /** Stops the tenant this window started; false when there is none. */
  async stop(): Promise<boolean> {
    const child = this.child;
    if (!child) return false;
    this.child = null;
    this.url = null;
    const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
    child.kill('SIGTERM');
    // SIGTERM lets it finish its last append to the data file; one that does not end in time is killed.
    const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_TIMEOUT_MS).unref());
    if (!(await Promise.race([exited, timedOut]))) child.kill('SIGKILL');
    return true;
  }

  /** Whether anything answers HTTP at `url` (a refused connection: nothing listens there). */
  static async answers(url: string): Promise<boolean> {
    const read = environmentUrls(url);
    if (!read.ok) return false;
    const connection = { urls: read.value, token: null };
    const dispatcher = createDispatcher(connection, 1);
    try {
      const sent = await send(connection, dispatcher, connection.urls.ingest, {
        method: 'GET',
        timeoutMs: PROBE_TIMEOUT_MS,
      });
      return sent.ok || sent.cause !== 'refused';
    } finally {
      await dispatcher.close();
    }
  }

  /** The port is taken: a local tenant that takes lines without a token is used; anything else is reported. */
  private async adopt(port: number): Promise<{ url: string; startedHere: boolean }> {
    const url = `http://127.0.0.1:${port}`;
    const read = environmentUrls(url);
    const probe = read.ok ? await testConnection({ urls: read.value, token: null }, PROBE_TIMEOUT_MS) : read;
    if (!probe.ok)
      throw new UserError(
        `Port ${port} is in use, and what listens there is not a local tenant that takes lines without a token (${probe.message}): stop it, or choose another port in the setting dtmetrics.localTenant.port`,
      );
    this.log.info(`A local tenant already listens on ${url}: using it`);
    return { url, startedHere: false };
  }
}
