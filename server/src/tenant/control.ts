/**
 * Who a local tenant is, who may stop it, and when it stops by itself. The editor starts a tenant that outlives
 * the extension host (a window reload starts a new one), so the tenant answers for itself over HTTP:
 *
 * - `GET /_dtmetrics/instance`: its instance id (new at each start), pid, URL and data file, to anyone; a port
 *   answered by another program, or by a tenant started since, is told apart by the id.
 * - `POST /_dtmetrics/stop` and `POST /_dtmetrics/lease` with the control secret in `X-Dtmetrics-Secret` (given
 *   through an environment variable, `--control-secret-env`, so it stays out of the process list): the first stops
 *   it (its data file closed whole), the second keeps it running. With `--lease S` it stops by itself once no lease
 *   came for S seconds: the window that started it is gone (closed, not reloaded).
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { InstanceInfo } from '#core/tenant-control.ts';

export interface ControlOptions {
  secret: string;
  /** Stop by itself when no lease request came for this long; null: never. */
  leaseMs: number | null;
  /** Asked to stop (by a request or the lease running out), once. */
  onStop: (reason: string) => void;
}

export class InstanceControl {
  readonly id = randomUUID();
  private readonly secretDigest: Buffer | null;
  private lease: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly options: ControlOptions | null,
    private readonly describeFields: () => Pick<InstanceInfo, 'url' | 'dataFile' | 'startedAt'>,
    private readonly log: (line: string) => void,
  ) {
    this.secretDigest = options ? digest(options.secret) : null;
  }

  describe(): InstanceInfo {
    const leaseMs = this.options?.leaseMs ?? null;
    return {
      instance: this.id,
      pid: process.pid,
      ...this.describeFields(),
      stoppable: this.options !== null,
      leaseSeconds: leaseMs === null ? null : leaseMs / 1000,
    };
  }

  /** Why a stop or lease request with this X-Dtmetrics-Secret header is refused; null when it holds the secret. */
  refusal(header: string | string[] | undefined): string | null {
    if (!this.secretDigest)
      return 'This local tenant was started without --control-secret-env: it takes no stop or lease request; stop it where it runs (Ctrl+C)';
    // Compared as digests of equal length, in constant time: the answer tells nothing of how much was right.
    if (typeof header !== 'string' || !timingSafeEqual(digest(header), this.secretDigest))
      return "The X-Dtmetrics-Secret header does not hold this tenant's control secret";
    return null;
  }

  /** Starts the lease's clock (once the tenant listens), or sets it back to its full length. */
  renew(): void {
    const leaseMs = this.options?.leaseMs;
    if (!leaseMs || this.stopped) return;
    if (this.lease) this.lease.refresh();
    else
      this.lease = setTimeout(
        () =>
          this.stop(
            `no lease renewed for ${leaseMs / 1000} s (the editor window that started this tenant is gone): stopping`,
          ),
        leaseMs,
      );
  }

  stop(reason: string): void {
    if (this.stopped || !this.options) return;
    this.stopped = true;
    this.close();
    this.log(reason);
    this.options.onStop(reason);
  }

  close(): void {
    if (this.lease) clearTimeout(this.lease);
    this.lease = null;
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();
