/**
 * HTTP to a tenant, with undici 7 (8 needs Node 22): one dispatcher per connection that honours a proxy (an
 * explicit one, as VS Code's `http.proxy`, or HTTPS_PROXY/HTTP_PROXY/NO_PROXY), a CA file and strict TLS; and
 * failures named by their cause, so a user reads "TLS certificate not trusted", not "fetch failed". A failure while
 * connecting (DNS, TCP, TLS handshake, a proxy's tunnel) is known to have sent nothing. Tokens go in the
 * Authorization header only; every answer and failure passes the connection's redaction (redact.ts) before anyone
 * reads it.
 */
import { subscribe } from 'node:diagnostics_channel';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import { isLoopback, type EnvironmentUrls } from '#core/environment.ts';
import { proxySecrets, Redactor, withoutCredentials } from '#core/redact.ts';
import type { Failure, Result } from '#core/result.ts';

export interface Connection {
  urls: EnvironmentUrls;
  /** The API token; null for endpoints that take none. */
  token: string | null;
  /** PEM certificates to trust (a per-environment CA file's contents). */
  ca?: string | null;
  /** An explicit proxy URL (VS Code's `http.proxy`); otherwise the process environment's. */
  proxy?: string | null;
  /** false: accept any TLS certificate (VS Code's `http.proxyStrictSSL: false`). */
  strictSSL?: boolean;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  contentType: string;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/**
 * Why a request got no answer. `connect`: it failed while connecting, so no byte of it reached the tenant and nothing
 * was stored; `unknown`: it may have reached the tenant.
 */
interface HttpFailureDetails {
  phase: 'connect' | 'unknown';
  cause: 'dns' | 'refused' | 'tls' | 'proxy' | 'timeout' | 'reset' | 'cancelled' | 'other';
}

export type HttpFailure = Failure<HttpFailureDetails>;

/** The proxy requests go through, and the setting that named it (for messages). */
interface ProxyChoice {
  url: URL;
  setting: string;
}

/** A connection's dispatcher, with what naming its failures and redacting its answers needs. */
export type TenantDispatcher = Dispatcher & { readonly proxy: ProxyChoice | null; readonly redactor: Redactor };

/** A proxy setting that is not a usable URL: one line, its credentials left out. */
class ProxySettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProxySettingError';
  }
}

/**
 * Errors undici met while connecting, from its `connectError` channel: the socket, the TLS handshake or a proxy's
 * tunnel failed before any byte of the request was written.
 */
const connectErrors = new WeakSet<object>();
subscribe('undici:client:connectError', (message) => {
  const error = (message as { error?: unknown }).error;
  if (typeof error === 'object' && error !== null) connectErrors.add(error);
});

/** Proxy URL schemes undici speaks. */
const PROXY_PROTOCOLS = ['http:', 'https:', 'socks:', 'socks5:'];
/** The environment variables naming a proxy, in the order they win; an http:// tenant reads the last two only. */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'];

/**
 * The proxy for the connection's tenant, as curl and undici choose it: the explicit one, else for https://
 * https_proxy, HTTPS_PROXY, http_proxy, HTTP_PROXY and for http:// the last two (the first set wins); none for this
 * machine or a host NO_PROXY names (`host`, `.domain`, `*.domain`, `host:port`, `*`). Throws ProxySettingError when
 * the proxy is not a usable URL.
 */
function proxyFor(connection: Connection, env: NodeJS.ProcessEnv = process.env): ProxyChoice | null {
  const target = new URL(connection.urls.ingest);
  if (isLoopback(target.hostname) || bypassed(target, env.no_proxy ?? env.NO_PROXY ?? '')) return null;
  const names = target.protocol === 'https:' ? PROXY_VARIABLES : PROXY_VARIABLES.slice(2);
  const setting = connection.proxy ? 'http.proxy' : names.find((name) => env[name]);
  const value = connection.proxy || (setting && env[setting]);
  if (!setting || !value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProxySettingError(
      `${setting} is not a URL ('${withoutCredentials(value)}'): write it as http://host:port, with credentials http://user:password@host:port`,
    );
  }
  if (!PROXY_PROTOCOLS.includes(url.protocol))
    throw new ProxySettingError(`${setting} must be an http:// or https:// URL, not '${withoutCredentials(value)}'`);
  return { url, setting };
}

/** What is wrong with the proxy the connection would use, in one line; null when it is usable (or none is used). */
export function proxyProblem(connection: Connection, env: NodeJS.ProcessEnv = process.env): string | null {
  try {
    proxyFor(connection, env);
    return null;
  } catch (error) {
    if (error instanceof ProxySettingError) return error.message;
    throw error;
  }
}

function bypassed(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  return noProxy.split(/[,\s]+/).some((entry) => {
    if (entry === '*') return true;
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (withPort && Number(withPort[2]) !== port) return false;
    const name = (withPort?.[1] ?? entry)
      .replace(/^\[|\]$/g, '')
      .replace(/^\*?\./, '')
      .toLowerCase();
    return name !== '' && (host === name || host.endsWith(`.${name}`));
  });
}

/** Everything the connection may send that is secret: its token, and the credentials of any proxy it may use. */
function redactorOf(connection: Connection, env: NodeJS.ProcessEnv): Redactor {
  const proxies = [connection.proxy, ...PROXY_VARIABLES.map((name) => env[name])];
  return new Redactor([connection.token, ...proxies.flatMap(proxySecrets)]);
}

/** Throws ProxySettingError when the proxy the connection would use is not a usable URL. */
export function createDispatcher(
  connection: Connection,
  connections: number,
  env: NodeJS.ProcessEnv = process.env,
): TenantDispatcher {
  const tls = { ...(connection.ca ? { ca: connection.ca } : {}), rejectUnauthorized: connection.strictSSL !== false };
  const proxy = proxyFor(connection, env);
  const dispatcher = proxy
    ? new ProxyAgent({ uri: proxy.url.href, connections, requestTls: tls })
    : new Agent({ connections, connect: tls });
  return Object.assign(dispatcher, { proxy, redactor: redactorOf(connection, env) });
}

export interface SendOptions {
  method: 'GET' | 'POST';
  body?: string | Uint8Array;
  contentType?: string;
  signal?: AbortSignal;
  /** Time allowed for the answer's headers and body, each (REQUEST_TIMEOUT_MS when not given). */
  timeoutMs?: number;
}

/** How long a push or a query waits for the answer's headers and body, each, unless told otherwise. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** Sends one request; the answer (body, headers, whatever its status) or the failure to get one comes back redacted. */
export async function send(
  connection: Connection,
  dispatcher: TenantDispatcher,
  url: string,
  options: SendOptions,
): Promise<Result<HttpAnswer, HttpFailureDetails>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (connection.token) headers.Authorization = `Api-Token ${connection.token}`;
  if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'text/plain; charset=utf-8';
  const { redactor } = dispatcher;
  try {
    const answer = await request(url, {
      method: options.method,
      headers,
      body: options.body,
      dispatcher,
      signal: options.signal,
      headersTimeout: options.timeoutMs ?? REQUEST_TIMEOUT_MS,
      bodyTimeout: options.timeoutMs ?? REQUEST_TIMEOUT_MS,
    });
    const text = redactor.redact(await answer.body.text());
    const flat: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.headers))
      if (value !== undefined)
        flat[name.toLowerCase()] = redactor.redact(Array.isArray(value) ? value.join(', ') : value);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return {
      ok: true,
      value: { status: answer.statusCode, headers: flat, contentType: flat['content-type'] ?? '', text, json },
    };
  } catch (error) {
    const failure = describeFailure(error, url, dispatcher.proxy);
    return { ...failure, message: redactor.redact(failure.message) };
  }
}

/** An undici or system error as a cause a user can act on, in one sentence. */
function describeFailure(error: unknown, url: string, proxy: ProxyChoice | null): HttpFailure {
  const e = error as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code ?? '';
  const host = safeHost(url);
  const fail = (phase: HttpFailure['phase'], cause: HttpFailure['cause'], message: string): HttpFailure => ({
    ok: false,
    phase,
    cause,
    message,
  });
  if (typeof error === 'object' && error !== null && connectErrors.has(error)) {
    if (proxy) {
      const named = proxyFailure(e, code, host, proxy);
      if (named) return fail('connect', 'proxy', named);
    }
    const network = NETWORK_ERRORS[code];
    if (network === 'dns') return fail('connect', 'dns', `DNS: the host ${host} was not found`);
    if (network === 'refused')
      return fail('connect', 'refused', `connection refused by ${host}: nothing listens there`);
    if (network === 'timeout') return fail('connect', 'timeout', `connecting to ${host} timed out`);
    const tls = tlsProblem(code, host);
    if (tls) return fail('connect', 'tls', tls);
    if (network === 'reset') return fail('connect', 'reset', `${host} closed the connection while it was being set up`);
    return fail('connect', 'other', `could not connect to ${host} (${code || e.name || 'error'})`);
  }
  if (e.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR')
    return fail('unknown', 'cancelled', 'cancelled');
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return fail('unknown', 'timeout', `${host} did not answer in time`);
  if (NETWORK_ERRORS[code] === 'reset')
    return fail('unknown', 'reset', `the connection to ${host} was closed before an answer`);
  const tls = tlsProblem(code, host);
  if (tls) return fail('unknown', 'tls', tls);
  return fail('unknown', 'other', `${e.message ?? String(error)}${e.cause?.message ? ` (${e.cause.message})` : ''}`);
}

/** The network errors named by kind, as Node and undici code them. */
const NETWORK_ERRORS: Readonly<Record<string, 'dns' | 'refused' | 'timeout' | 'reset'>> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ECONNREFUSED: 'refused',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  ECONNRESET: 'reset',
  UND_ERR_SOCKET: 'reset',
  EPIPE: 'reset',
};

/** A failure to connect through the proxy, named as the proxy's; null when it is the tenant's (its TLS certificate). */
function proxyFailure(
  e: { code?: string; message?: string },
  code: string,
  host: string,
  proxy: ProxyChoice,
): string | null {
  const named = `the proxy ${proxy.url.host} (${proxy.setting})`;
  // undici's words when the proxy answers CONNECT with anything but 200.
  const status = /^Proxy response \((\d+)\)/.exec(e.message ?? '')?.[1];
  if (status === '407')
    return `${named} asks for credentials (407 Proxy Authentication Required): give them in ${proxy.setting} as http://user:password@host:port`;
  if (status) return `${named} did not connect to ${host}: it answered ${status}`;
  const network = NETWORK_ERRORS[code];
  if (network === 'refused') return `${named} refused the connection: nothing listens there`;
  if (network === 'dns') return `DNS: the host of ${named} was not found`;
  if (network === 'timeout') return `connecting to ${host} through ${named} timed out`;
  if (e.code === 'UND_ERR_PRX_TLS') return `TLS with ${named} failed (${code}): check its address and certificate`;
  if (network === 'reset') return `${named} closed the connection before the tunnel to ${host} was open`;
  return null;
}

/** A TLS failure in one plain sentence (OpenSSL's own text names library internals, not the fix). */
function tlsProblem(code: string, host: string): string | null {
  if (/^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL)$/.test(code)) {
    return `TLS: ${host} does not speak TLS: is it a plain http:// address?`;
  }
  if (code === 'CERT_HAS_EXPIRED') return `TLS certificate of ${host} has expired`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `TLS certificate of ${host} is for another host name: check the URL`;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code))
    return `TLS certificate of ${host} not trusted (${code}): add the environment's CA file, or check the URL`;
  if (/^(ERR_SSL_|ERR_TLS_|EPROTO$)/.test(code)) return `TLS handshake with ${host} failed (${code})`;
  return null;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
