/**
 * What the editor knows of the local tenant, from activation on (in the activation bundle: node:http, no undici):
 * the tenant this workspace started, found again after a window reload through its state file (state.ts), kept
 * running by renewing its lease while a window is open, its output followed into the log channel, and stopped on
 * request; or a tenant another window or a terminal started on the port; or none. The status bar and the
 * `dtmetrics.localTenant` context key show which.
 */
import * as vscode from 'vscode';
import type { InstanceInfo } from '#core/tenant-control.ts';
import { CONTEXT_KEYS } from '../context-keys.ts';
import {
  control,
  FileFollower,
  instanceAt,
  presenceOf,
  readState,
  removeState,
  waitForExit,
  writeState,
  type LocalTenantState,
} from './state.ts';

/**
 * How long a tenant the editor starts runs without a lease: a reload takes seconds; a window closed for good leaves
 * its tenant running this long, so a window opened again soon finds it.
 */
export const LEASE_SECONDS = 120;
/** How often a window renews the lease, and looks whether a tenant it shows still runs. */
export const RENEW_MS = 20_000;
/** How often the tenant's output is read into the log channel while this workspace's tenant runs. */
const FOLLOW_MS = 1_000;
/** How long a stopped tenant may take to close its data file and end before it is killed. */
const STOP_TIMEOUT_MS = 10_000;

export type LocalTenantStatus =
  /** Not looked at yet. */
  | { kind: 'unknown' }
  | { kind: 'stopped' }
  /**
   * Started from this workspace: stoppable here. Not answering: its process runs but it did not answer in time (busy,
   * or starting or ending); its record is kept until its process ends or another tenant answers in its place.
   */
  | { kind: 'started'; state: LocalTenantState; answering: boolean }
  /** A local tenant another window, a terminal or a script started on the port. */
  | { kind: 'elsewhere'; info: InstanceInfo };

export type StopOutcome = { stopped: true; url: string } | { stopped: false; reason: string };

export class LocalTenantWatch implements vscode.Disposable {
  private current: LocalTenantStatus = { kind: 'unknown' };
  private readonly changed = new vscode.EventEmitter<LocalTenantStatus>();
  readonly onDidChange = this.changed.event;
  /** Looks, records and stops run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private renewal: NodeJS.Timeout | undefined;
  private following: { follower: FileFollower; timer: NodeJS.Timeout } | undefined;
  /** Set by dispose(): a look or renewal still under way then starts no timer and fires no event. */
  private disposed = false;

  constructor(
    /** The state file: in the workspace's storage, else the extension's global storage. */
    readonly stateFile: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly port: () => number,
  ) {}

  get status(): LocalTenantStatus {
    return this.current;
  }

  /** Looks again: the tenant the state file records, else whatever local tenant answers on the port. */
  refresh(): Promise<LocalTenantStatus> {
    return this.serially(() => this.look());
  }

  /** A tenant this window has just started: recorded, its lease renewed, its output (read up to now) followed. */
  record(state: LocalTenantState, output: FileFollower): Promise<void> {
    return this.serially(async () => {
      await writeState(this.stateFile, state);
      this.follow(output);
      this.set({ kind: 'started', state, answering: true });
    });
  }

  /**
   * Stops the tenant this workspace started: asked over HTTP, awaited (killed past a deadline), its file removed. Its
   * pid is signalled only while no other tenant answers in its place (else it may be another program's by now).
   */
  stop(): Promise<StopOutcome> {
    return this.serially(async () => {
      const status = await this.look();
      if (status.kind === 'elsewhere')
        return {
          stopped: false,
          reason: `The local tenant at ${status.info.url} was not started from this workspace (pid ${status.info.pid}; another window or a terminal): stop it there`,
        };
      if (status.kind !== 'started') return { stopped: false, reason: `No local tenant runs on port ${this.port()}` };
      const { state } = status;
      if (!status.answering) {
        // Nothing confirms that its pid is still the tenant's: it is not signalled, only no longer kept running.
        await this.forget(state);
        await this.look();
        return {
          stopped: false,
          reason: `The local tenant started from this workspace (pid ${state.pid}) does not answer at ${state.url}, so it was not signalled (its pid may be another program's by now); its lease is no longer renewed: if it still runs, it stops by itself within ${LEASE_SECONDS} s`,
        };
      }
      const asked = await control(state, 'stop');
      // Refused (a state file edited by hand), or no answer to the request: ended by a signal, as Ctrl+C ends it.
      if (asked !== 'done' && (await stillThere(state))) signal(state.pid, 'SIGTERM');
      if (!(await waitForExit(state.pid, STOP_TIMEOUT_MS)) && (await stillThere(state))) {
        this.log.warn(`The local tenant (pid ${state.pid}) did not end within ${STOP_TIMEOUT_MS / 1000} s: killing it`);
        signal(state.pid, 'SIGKILL');
        if (!(await waitForExit(state.pid, 2_000)))
          return { stopped: false, reason: `The local tenant (pid ${state.pid}) did not end` };
      }
      await this.forget(state);
      await this.look();
      return { stopped: true, url: state.url };
    });
  }

  dispose(): void {
    // The tenant outlives the extension host: a reload's new host takes it over; without one its lease runs out.
    this.disposed = true;
    clearInterval(this.renewal);
    this.unfollow();
    this.changed.dispose();
  }

  private async look(): Promise<LocalTenantStatus> {
    const recorded = await readState(this.stateFile);
    if (recorded === 'invalid') {
      this.log.warn(`Removed ${this.stateFile}: it holds no local tenant's state`);
      await removeState(this.stateFile, null);
    } else if (recorded) {
      const presence = await presenceOf(recorded);
      if (presence.kind === 'ours' || presence.kind === 'silent') {
        const answering = presence.kind === 'ours';
        const before = this.current;
        if (before.kind !== 'started' || before.state.instance !== recorded.instance) {
          this.log.info(`The local tenant started from this workspace runs at ${recorded.url} (pid ${recorded.pid})`);
          // Its output from now on: what it wrote before is in its log file.
          this.follow(await FileFollower.fromEnd(recorded.logFile));
        }
        if (!answering && (before.kind !== 'started' || before.answering))
          this.log.warn(
            `The local tenant started from this workspace (pid ${recorded.pid}) does not answer at ${recorded.url}: asked again in ${RENEW_MS / 1000} s`,
          );
        return this.set({ kind: 'started', state: recorded, answering });
      }
      const why =
        presence.kind === 'other'
          ? `another local tenant (pid ${presence.info.pid}) answers at ${recorded.url}`
          : 'its process has ended';
      this.log.info(`The local tenant started from this workspace (pid ${recorded.pid}) no longer runs: ${why}`);
      await this.forget(recorded);
    }
    const info = await instanceAt(`http://127.0.0.1:${this.port()}`);
    return this.set(info ? { kind: 'elsewhere', info } : { kind: 'stopped' });
  }

  /** Its state file removed, and its output read to the end. */
  private async forget(state: LocalTenantState): Promise<void> {
    await removeState(this.stateFile, state.instance);
    await this.following?.follower.poll();
    this.unfollow();
  }

  private set(status: LocalTenantStatus): LocalTenantStatus {
    if (this.disposed) return status;
    const before = this.current;
    this.current = status;
    clearInterval(this.renewal);
    this.renewal = undefined;
    if (status.kind === 'started') {
      // Renewed at once: a reload may have taken a while, and a new tenant's lease started when it listened. One
      // that does not answer is asked at the next renewal: a renewal that finds it gone looks again, and sets this.
      if (status.answering) void this.renew(status.state);
      this.renewal = setInterval(() => void this.renew(status.state), RENEW_MS);
    } else if (status.kind === 'elsewhere') {
      this.renewal = setInterval(() => void this.refresh(), RENEW_MS);
    }
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.localTenant, status.kind);
    if (JSON.stringify(before) !== JSON.stringify(status)) this.changed.fire(status);
    return status;
  }

  private async renew(state: LocalTenantState): Promise<void> {
    if (this.disposed) return;
    const renewed = await control(state, 'lease');
    // Refused (a state file edited by hand): looking again would find it alive and ask again, so it is left to end
    // with its lease, and the next renewal finds it gone.
    if (renewed === 'refused') this.log.warn(`The local tenant at ${state.url} refused its lease: see its output`);
    else if (this.disposed) return;
    // Gone: look what is there now. Renewed while shown as not answering: it answers again, and says so.
    else if (renewed === 'gone' || (this.current.kind === 'started' && !this.current.answering)) await this.refresh();
  }

  private follow(follower: FileFollower): void {
    this.unfollow();
    if (this.disposed) return;
    follower.redirect((line) => this.log.info(`local tenant: ${line}`));
    const timer = setInterval(() => void follower.poll(), FOLLOW_MS);
    this.following = { follower, timer };
  }

  private unfollow(): void {
    if (this.following) clearInterval(this.following.timer);
    this.following = undefined;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Whether the state's process may be signalled: it runs, and no other tenant answers in its place. */
async function stillThere(state: LocalTenantState): Promise<boolean> {
  const { kind } = await presenceOf(state);
  return kind === 'ours' || kind === 'silent';
}

/** Sends a signal to a process that may have ended meanwhile. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
