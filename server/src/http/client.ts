/**
 * HTTP to a tenant, with undici 7 (8 needs Node 22): one dispatcher per connection that honours a proxy (an
 * explicit one, as VS Code's `http.proxy`, or HTTPS_PROXY/HTTP_PROXY/NO_PROXY), a CA file and strict TLS; and
 * failures named by their cause, so a user reads "TLS certificate not trusted", not "fetch failed". Tokens go
 * in the Authorization header only and are cut out of every message this module makes.
 */
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import type { EnvironmentUrls } from '../core/environment.ts';

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
  kind: 'answer';
  status: number;
  headers: Record<string, string>;
  contentType: string;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** Why a request got no answer. `connect`: it never reached the tenant, so nothing was stored. */
export interface HttpFailure {
  kind: 'failure';
  phase: 'connect' | 'unknown';
  cause: 'dns' | 'refused' | 'tls' | 'proxy' | 'timeout' | 'reset' | 'cancelled' | 'other';
  message: string;
}

/** Loopback never goes through a proxy: the local tenant is on this machine. */
const LOOPBACK = 'localhost,127.0.0.1,::1';

export function createDispatcher(connection: Connection, connections: number, env: NodeJS.ProcessEnv = process.env): Dispatcher {
  const tls = { ...(connection.ca ? { ca: connection.ca } : {}), rejectUnauthorized: connection.strictSSL !== false };
  const noProxy = [env.NO_PROXY ?? env.no_proxy, LOOPBACK].filter(Boolean).join(',');
  return new EnvHttpProxyAgent({
    connections,
    connect: tls,
    requestTls: tls,
    noProxy,
    ...(connection.proxy ? { httpProxy: connection.proxy, httpsProxy: connection.proxy } : {}),
  });
}

export interface SendOptions {
  method: 'GET' | 'POST';
  body?: string | Uint8Array;
  contentType?: string;
  signal?: AbortSignal;
  /** Time allowed for the answer's headers and body, each. */
  timeoutMs: number;
}

export async function send(connection: Connection, dispatcher: Dispatcher, url: string, options: SendOptions): Promise<HttpAnswer | HttpFailure> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (connection.token) headers.Authorization = `Api-Token ${connection.token}`;
  if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'text/plain; charset=utf-8';
  try {
    const answer = await request(url, {
      method: options.method,
      headers,
      body: options.body,
      dispatcher,
      signal: options.signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const text = await answer.body.text();
    const flat: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { kind: 'answer', status: answer.statusCode, headers: flat, contentType: flat['content-type'] ?? '', text, json };
  } catch (error) {
    return describeFailure(error, url, connection.token);
  }
}

/** An undici or system error as a cause a user can act on. */
function describeFailure(error: unknown, url: string, token: string | null): HttpFailure {
  const e = error as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code ?? '';
  const raw = redact(`${e.message ?? String(error)}${e.cause?.message ? ` (${e.cause.message})` : ''}`, token);
  const host = safeHost(url);
  if (e.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') return { kind: 'failure', phase: 'unknown', cause: 'cancelled', message: 'cancelled' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'failure', phase: 'connect', cause: 'dns', message: `DNS: the host ${host} was not found` };
  if (code === 'ECONNREFUSED') return { kind: 'failure', phase: 'connect', cause: 'refused', message: `connection refused by ${host}: nothing listens there` };
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|EPROTO/.test(code)) {
    return { kind: 'failure', phase: 'connect', cause: 'tls', message: `TLS certificate of ${host} not trusted (${code}): add the environment's CA file, or check the URL` };
  }
  if (/proxy/i.test(raw)) return { kind: 'failure', phase: 'connect', cause: 'proxy', message: `proxy: ${raw}` };
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { kind: 'failure', phase: 'connect', cause: 'timeout', message: `connecting to ${host} timed out` };
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return { kind: 'failure', phase: 'unknown', cause: 'timeout', message: `${host} did not answer in time` };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return { kind: 'failure', phase: 'unknown', cause: 'reset', message: `the connection to ${host} was closed before an answer` };
  return { kind: 'failure', phase: 'unknown', cause: 'other', message: raw };
}

/** A message with the token cut out, whatever put it there. */
export function redact(text: string, token: string | null): string {
  return token ? text.split(token).join('***') : text;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
