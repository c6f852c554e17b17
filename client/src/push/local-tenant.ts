/**
 * Starting the local tenant from the editor: `dist/cli.js serve` as a process of its own (detached, its output in
 * a log file), so that it belongs to the workspace rather than to this extension host: a window reload's new host
 * finds it through the state file the watch keeps (../local-tenant/), and stops it. It is given a control secret,
 * which only this workspace's state file holds, and a lease, renewed while a window is open, so a window closed for
 * good does not leave it running. When its port is taken by a local tenant started elsewhere (a terminal, another
 * window), that one is used as it is.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type * as vscode from 'vscode';
import { environmentUrls } from '#core/environment.ts';
import { createDispatcher, send } from '#http/client.ts';
import { testConnection } from '#http/push.ts';
import { UserError } from '#edge/errors.ts';
import { FileFollower, instanceAt } from '../local-tenant/state.ts';
import { LEASE_SECONDS, type LocalTenantStatus, type LocalTenantWatch } from '../local-tenant/watch.ts';

/** How long `serve` may stay silent before it says it listens: it replays its data file first, saying how far. */
const START_TIMEOUT_MS = 30_000;
/** How long a program on this machine may take to answer a probe. */
const PROBE_TIMEOUT_MS = 5_000;
const LISTENING = /listening on (http:\/\/\S+)/;
/** The variable the control secret reaches the tenant in: the process list shows arguments, not the environment. */
const SECRET_VARIABLE = 'DTMETRICS_CONTROL_SECRET';

export interface StartedTenant {
  url: string;
  /** false: a local tenant started elsewhere already listened on the port, and is used as it is. */
  startedHere: boolean;
}

export class LocalTenant {
  /** While a start is under way: a second click waits for it instead of starting another tenant. */
  private starting: Promise<StartedTenant> | null = null;

  constructor(
    private readonly cliPath: string,
    readonly dataFile: string,
    /** The tenant's standard output and error, started anew at each start. */
    readonly logFile: string,
    private readonly log: vscode.LogOutputChannel,
    /** Where earlier versions kept the data (JSON lines): moved to `dataFile` once, and converted there by serve. */
    private readonly formerDataFile: string,
    private readonly watch: LocalTenantWatch,
  ) {}

  /** Starts the tenant on `port` (or finds it running); resolves with its URL once it listens. */
  start(port: number): Promise<StartedTenant> {
    this.starting ??= this.launch(port).finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  /**
   * What runs on the port now, refused when this workspace's tenant runs on another port (the setting was changed
   * since it started: lines sent to the port would find nothing) or does not answer.
   */
  async onPort(port: number): Promise<LocalTenantStatus> {
    const status = await this.watch.refresh();
    if (status.kind !== 'started') return status;
    const { state } = status;
    if (state.port !== port)
      throw new UserError(`The local tenant runs on port ${state.port}; stop it to start it on ${port}`);
    if (!status.answering)
      throw new UserError(
        `The local tenant started from this workspace (pid ${state.pid}) does not answer at ${state.url}: it may be busy; try again, or stop it`,
      );
    return status;
  }

  private async launch(port: number): Promise<StartedTenant> {
    const status = await this.onPort(port);
    if (status.kind === 'started') return { url: status.state.url, startedHere: true };
    if (status.kind === 'elsewhere' && new URL(status.info.url).port === String(port)) return this.adopt(port);
    await mkdir(dirname(this.dataFile), { recursive: true });
    if (!existsSync(this.dataFile) && existsSync(this.formerDataFile)) {
      await rename(this.formerDataFile, this.dataFile);
      this.log.info(`Moved the local tenant's data from ${this.formerDataFile} to ${this.dataFile}, to be converted`);
    }
    this.log.info(
      `Starting the local tenant on port ${port}: data in ${this.dataFile}, its output in ${this.logFile} (and here)`,
    );
    const secret = randomBytes(32).toString('hex');
    await mkdir(dirname(this.logFile), { recursive: true });
    const output = await open(this.logFile, 'w');
    let child;
    try {
      child = spawn(
        process.execPath,
        [
          this.cliPath,
          'serve',
          '--port',
          String(port),
          '--data',
          this.dataFile,
          '--control-secret-env',
          SECRET_VARIABLE,
          '--lease',
          String(LEASE_SECONDS),
        ],
        {
          // Its own process group and session: it is not ended with the extension host's.
          detached: true,
          stdio: ['ignore', output.fd, output.fd],
          windowsHide: true,
          // In a desktop VS Code, process.execPath is Electron: this makes it run the script as Node does.
          env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', [SECRET_VARIABLE]: secret },
        },
      );
    } finally {
      await output.close();
    }
    child.unref();
    const pid = child.pid;
    let ended: string | undefined;
    child.once('error', (error) => (ended = error.message));
    child.once('exit', (code, signal) => {
      ended = signal ?? `exit code ${code}`;
      this.log.info(`The local tenant ended (${ended})`);
      void this.watch.refresh();
    });
    const said: string[] = [];
    let url: string | undefined;
    const follower = new FileFollower(this.logFile, (line) => {
      said.push(line);
      this.log.info(`local tenant: ${line}`);
      url ??= LISTENING.exec(line)?.[1];
    });
    let deadline = Date.now() + START_TIMEOUT_MS;
    while (url === undefined && ended === undefined) {
      // Converting a large data file of an earlier version takes a while, and says how far it got.
      if (await follower.poll()) deadline = Date.now() + START_TIMEOUT_MS;
      else if (Date.now() > deadline) {
        child.kill();
        throw new UserError(
          `The local tenant said nothing for ${START_TIMEOUT_MS / 1000} s and did not say it listens: see the dtmetrics output`,
        );
      } else await delay(50);
    }
    await follower.poll();
    if (url === undefined || pid === undefined) {
      const problem = said.join(' ').replace(/^dtmetrics: /, '');
      if (/\bport \d+ is in use\b/.test(problem)) return this.adopt(port);
      throw new UserError(`The local tenant did not start: ${problem || ended || 'it ended at once'}`);
    }
    const info = await instanceAt(url);
    if (info?.pid !== pid) {
      child.kill();
      throw new UserError(`The local tenant said it listens on ${url}, but another program answers there`);
    }
    await this.watch.record(
      {
        instance: info.instance,
        pid,
        port: Number(new URL(url).port),
        url,
        dataFile: this.dataFile,
        logFile: this.logFile,
        secret,
        startedAt: info.startedAt,
      },
      follower,
    );
    return { url, startedHere: true };
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
  private async adopt(port: number): Promise<StartedTenant> {
    const url = `http://127.0.0.1:${port}`;
    const read = environmentUrls(url);
    const probe = read.ok ? await testConnection({ urls: read.value, token: null }, PROBE_TIMEOUT_MS) : read;
    if (!probe.ok)
      throw new UserError(
        `Port ${port} is in use, and what listens there is not a local tenant that takes lines without a token (${probe.message}): stop it, or choose another port in the setting dtmetrics.localTenant.port`,
      );
    this.log.info(`A local tenant already listens on ${url}: using it`);
    await this.watch.refresh();
    return { url, startedHere: false };
  }
}
