/**
 * The local tenant's control API, which the tenant (tenant/control.ts) answers and the editor calls: who answers
 * on a port, and the requests that stop a tenant or keep it running. Wire names and shapes only.
 */

export const CONTROL_PATHS = {
  /** GET: the InstanceInfo of the tenant answering, to anyone. */
  instance: '/_dtmetrics/instance',
  /** POST with the control secret: stops the tenant (202 first). */
  stop: '/_dtmetrics/stop',
  /** POST with the control secret: the tenant's lease starts again (200, its InstanceInfo). */
  lease: '/_dtmetrics/lease',
  /** GET: the StatsD listener's port, flush interval and datagrams received so far (404 without a listener). */
  statsd: '/_dtmetrics/statsd',
  /** POST: flushes the StatsD listener now and answers once its lines are stored (a test need not wait 10 s). */
  statsdFlush: '/_dtmetrics/statsd/flush',
  /**
   * GET `?since=ID[&wait=S][&limit=N]`: the ingest journal's entries after ID (core/metrics/journal.ts), the newest N
   * of them (none or 0: all kept), as `{ instance, entries }`; with `wait`, answered when one arrives or after S seconds (at most 30): the
   * ingest inspector's live stream.
   */
  journal: '/_dtmetrics/journal',
} as const;

/** The header a stop or lease request carries the control secret in. */
export const SECRET_HEADER = 'X-Dtmetrics-Secret';

/** What `GET /_dtmetrics/instance` answers. */
export interface InstanceInfo {
  /** New at each start: a port answered by a tenant started since, or by another program, is told apart by it. */
  instance: string;
  pid: number;
  url: string;
  /** The data file; null: data in memory only. */
  dataFile: string | null;
  /** ISO-8601. */
  startedAt: string;
  /** Whether it takes a stop request (it was given a control secret). */
  stoppable: boolean;
  /** Seconds without a lease after which it stops by itself; null: never. */
  leaseSeconds: number | null;
}

/** An InstanceInfo read from JSON; null when it is not one (another program, another version). */
export function readInstanceInfo(json: unknown): InstanceInfo | null {
  if (typeof json !== 'object' || json === null) return null;
  const o = json as Record<string, unknown>;
  const ok =
    typeof o.instance === 'string' &&
    o.instance !== '' &&
    Number.isSafeInteger(o.pid) &&
    (o.pid as number) > 0 &&
    typeof o.url === 'string' &&
    (o.dataFile === null || typeof o.dataFile === 'string') &&
    typeof o.startedAt === 'string' &&
    typeof o.stoppable === 'boolean' &&
    (o.leaseSeconds === null || (typeof o.leaseSeconds === 'number' && o.leaseSeconds > 0));
  if (!ok) return null;
  return {
    instance: o.instance as string,
    pid: o.pid as number,
    url: o.url as string,
    dataFile: o.dataFile as string | null,
    startedAt: o.startedAt as string,
    stoppable: o.stoppable as boolean,
    leaseSeconds: o.leaseSeconds as number | null,
  };
}
