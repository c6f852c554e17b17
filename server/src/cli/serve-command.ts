/** `dtmetrics serve`: runs the local tenant (server/src/tenant/) until interrupted. */
import { once } from 'node:events';
import { LOCAL_TENANT_PORT } from '#core/environment.ts';
import { DataFileError } from '#tenant/data-file.ts';
import { SCOPES, startTenant, type Scope, type Tenant } from '#tenant/server.ts';
import { tailText } from '#core/metrics/journal.ts';
import { HOST_ENTITY_KEY, readHostEntity } from '#core/metrics/host-entity.ts';
import { STATSD_FLUSH_SECONDS, STATSD_PORT } from '#tenant/statsd.ts';
import { describeSystemError, UserError } from '#edge/errors.ts';
import type { CommandContext } from './context.ts';
import { integerOption, parseCommandLine, type IntegerRange } from './options.ts';
import { plural } from '#core/text.ts';

const SERVE_USAGE = `Usage: dtmetrics serve [options]

Runs a local tenant on 127.0.0.1 that speaks the Dynatrace Metrics API (ingest, query as JSON or CSV, list,
descriptors, v1 timeseries; the cluster version and token lookup clients check first), also under Managed's
/e/{id} and, for the v2 APIs, the SDK's /platform/classic/environment-api/v2, with the same rules as
'dtmetrics lint': push and query offline, with no Dynatrace account.

Options:
  --port <n>                  port to listen on (default: ${LOCAL_TENANT_PORT}; 0 picks a free one)
  --data <file>               keep the data in this file (created if missing; read at start). Default: memory only
  --token <token[=scopes]>    accept this API token; repeatable. Scopes, comma-separated: ${SCOPES.join(', ')}
                              (default: all). Without any token, requests need none.
  --token-env <VAR>           read tokens (space-separated, same form) from this environment variable, so they
                              stay out of the process list; repeatable
  --max-series <n>            keep at most n series (default: 20,000); memory stays bounded
  --compact-log-bytes <n>     compact the data file once its log passes n bytes (default: an eighth
                              of the snapshot, at least 16,777,216)
  --control-secret-env <VAR>  take POST /_dtmetrics/stop and /_dtmetrics/lease from whoever sends this variable's
                              value in X-Dtmetrics-Secret (how the editor stops the tenant it started)
  --lease <s>                 stop by itself when no lease was renewed for s seconds (needs --control-secret-env)
  --statsd-port <n>           UDP port of the StatsD listener on 127.0.0.1 (default: ${STATSD_PORT}, as the OneAgent's;
                              0 picks a free one). In use: the tenant serves HTTP without StatsD and says so
  --statsd-flush-seconds <s>  aggregate StatsD datagrams over s seconds before storing them (default: ${STATSD_FLUSH_SECONDS});
                              POST /_dtmetrics/statsd/flush stores what is held now
  --no-statsd                 no StatsD listener
  --host-entity <HOST-id>     add dt.entity.host=<HOST-id> to each data point taken at /metrics/ingest and by the
                              StatsD listener, as a OneAgent adds its host's (HOST- and 16 upper-case hex digits)
  --tail                      print each request as it arrives (endpoint, client, what became of its items, the
                              reasons for what was rejected or dropped); GET /_dtmetrics/journal serves the same
  --faults                    accept fault injection (POST /_dtmetrics/faults), for tests of clients
  -h, --help                  show this help

Stops on Ctrl+C. GET /_dtmetrics/instance says which tenant answers (an id new at each start, its pid and data
file). Each request is logged on standard output (tokens and the control secret never are).`;

interface ServeSettings {
  port: number;
  dataFile: string | null;
  tokens: Map<string, Set<Scope>>;
  maxSeries: number | undefined;
  /** Print each request as the ingest journal records it. */
  tail: boolean;
  compactLogBytes: number | undefined;
  faults: boolean;
  /** The StatsD listener's port and flush interval in ms; null: --no-statsd. */
  statsd: { port: number; flushMs: number } | null;
  /** The control secret and the lease in ms (null: none); null without --control-secret-env. */
  control: { secret: string; leaseMs: number | null } | null;
  /** Added as `dt.entity.host` at the OneAgent's endpoints; null: none. */
  hostEntity: string | null;
}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv): ServeSettings | 'help' {
  const parsed = parseCommandLine('serve', {
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      data: { type: 'string' },
      token: { type: 'string', multiple: true },
      'token-env': { type: 'string', multiple: true },
      'max-series': { type: 'string' },
      'compact-log-bytes': { type: 'string' },
      'control-secret-env': { type: 'string' },
      lease: { type: 'string' },
      faults: { type: 'boolean' },
      'statsd-port': { type: 'string' },
      'statsd-flush-seconds': { type: 'string' },
      'no-statsd': { type: 'boolean' },
      'host-entity': { type: 'string' },
      tail: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const v = parsed.values;
  if (v.help) return 'help';
  const port = v.port === undefined ? LOCAL_TENANT_PORT : integerOption('--port', v.port, { min: 0, max: 65_535 });
  const maxSeries = optionalInteger('--max-series', v['max-series'], { min: 1 });
  const compactLogBytes = optionalInteger('--compact-log-bytes', v['compact-log-bytes'], { min: 1 });
  const tokens = new Map<string, Set<Scope>>();
  const specs = [...(v.token ?? [])];
  for (const name of v['token-env'] ?? []) {
    const value = env[name];
    if (!value) throw new UserError(`--token-env ${name}: the environment variable is not set`);
    specs.push(...value.split(/\s+/).filter(Boolean));
  }
  for (const spec of specs) {
    const [token = '', scopeList] = spec.split('=', 2);
    if (token === '') throw new UserError('--token needs a token');
    const scopes = scopeList === undefined ? [...SCOPES] : scopeList.split(',').map((s) => s.trim());
    for (const scope of scopes) {
      if (!(SCOPES as readonly string[]).includes(scope))
        throw new UserError(`unknown token scope '${scope}' (scopes: ${SCOPES.join(', ')})`);
    }
    tokens.set(token, new Set(scopes as Scope[]));
  }
  const lease = optionalInteger('--lease', v.lease, { min: 1, max: 86_400 });
  const secretVariable = v['control-secret-env'];
  if (lease !== undefined && secretVariable === undefined)
    throw new UserError('--lease needs --control-secret-env: the lease is renewed with the control secret');
  const secret = secretVariable === undefined ? undefined : env[secretVariable];
  if (secretVariable !== undefined && !secret)
    throw new UserError(`--control-secret-env ${secretVariable}: the environment variable is not set`);
  const statsdPort = optionalInteger('--statsd-port', v['statsd-port'], { min: 0, max: 65_535 });
  const flushSeconds = optionalInteger('--statsd-flush-seconds', v['statsd-flush-seconds'], { min: 1, max: 3_600 });
  if (v['no-statsd'] && (statsdPort !== undefined || flushSeconds !== undefined))
    throw new UserError(
      '--no-statsd turns the StatsD listener off: leave out --statsd-port and --statsd-flush-seconds',
    );
  const hostEntity = v['host-entity'] === undefined ? null : readHostEntity(v['host-entity']);
  if (hostEntity && !hostEntity.ok) throw new UserError(`--host-entity: ${hostEntity.message}`);
  return {
    port,
    dataFile: v.data ?? null,
    tokens,
    maxSeries,
    compactLogBytes,
    faults: v.faults === true,
    tail: v.tail === true,
    statsd: v['no-statsd']
      ? null
      : { port: statsdPort ?? STATSD_PORT, flushMs: (flushSeconds ?? STATSD_FLUSH_SECONDS) * 1000 },
    control: secret ? { secret, leaseMs: lease === undefined ? null : lease * 1000 } : null,
    hostEntity: hostEntity?.value ?? null,
  };
}

/** An option the tenant has its own default for. */
function optionalInteger(option: string, text: string | undefined, range: IntegerRange): number | undefined {
  return text === undefined ? undefined : integerOption(option, text, range);
}

/** Runs until the context's signal stops it; resolves with the exit code. */
export async function runServe(argv: string[], { stdout: out, env, now, signal }: CommandContext): Promise<number> {
  const settings = parseServeArgs(argv, env);
  if (settings === 'help') {
    out.write(SERVE_USAGE + '\n');
    return 0;
  }
  // A server's log goes out line by line, as it happens.
  const say = (text: string) => {
    out.write(text);
    void out.drain(true);
  };
  // A stop or a lease run out (control.ts) ends the tenant as Ctrl+C does.
  const stopAsked = new AbortController();
  const control = settings.control && { ...settings.control, onStop: () => stopAsked.abort() };
  let tenant: Tenant;
  try {
    tenant = await startTenant({
      ...settings,
      control,
      log: (line) => say(`${new Date(now()).toISOString()} ${line}\n`),
      onJournal: settings.tail ? (entry) => say(tailText(entry) + '\n') : undefined,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (error instanceof DataFileError) throw new UserError(error.message);
    if (code === 'EADDRINUSE')
      throw new UserError(`port ${settings.port} is in use (choose another with --port, or 0 for any free port)`);
    if (settings.dataFile && code !== undefined)
      throw new UserError(`cannot open data file '${settings.dataFile}': ${describeSystemError(error)}`);
    throw error;
  }
  // A stop asked for while the data file was read is honoured once it is read: the file is closed whole, never in
  // the middle of a conversion, and the tenant never says it listens.
  if (!signal.aborted) {
    say(listeningLine(tenant, settings));
    // One listener, on whichever ends it first: Ctrl+C (the context's signal), or a stop asked or a lease run out.
    const ending = AbortSignal.any([signal, stopAsked.signal]);
    if (!ending.aborted) await once(ending, 'abort');
  }
  await tenant.close();
  say('dtmetrics local tenant stopped\n');
  return 0;
}

/** What serve prints once it listens: where, with which tokens, and what data it holds. */
function listeningLine(tenant: Tenant, settings: ServeSettings): string {
  const loaded = tenant.loaded;
  const n = (x: number) => x.toLocaleString('en-US');
  const data = !loaded
    ? ', data in memory only'
    : loaded.origin === 'new'
      ? `, new data file ${settings.dataFile}`
      : `, ${n(tenant.store.size.series)} series of ${plural(tenant.store.size.metrics, 'metric')} restored from ${settings.dataFile}`;
  const auth = settings.tokens.size > 0 ? `${plural(settings.tokens.size, 'token')} accepted` : 'no token required';
  const leaseMs = settings.control?.leaseMs;
  const lease = leaseMs ? `, stops by itself ${leaseMs / 1000} s after its lease was last renewed` : '';
  const statsd = tenant.statsd
    ? `; StatsD on udp://127.0.0.1:${tenant.statsd.port}, flushed every ${tenant.statsd.flushMs / 1000} s`
    : settings.statsd
      ? '; StatsD off (its port could not be had, see above)'
      : '';
  const host = settings.hostEntity
    ? `; ${HOST_ENTITY_KEY}=${settings.hostEntity} added at /metrics/ingest${tenant.statsd ? ' and StatsD' : ''}`
    : '';
  return `dtmetrics local tenant listening on ${tenant.url} (${auth}${data}${lease}${settings.faults ? ', fault injection on' : ''})${statsd}${host}\n`;
}
