/**
 * Where an environment's APIs live (PROTOCOL §6.1): SaaS `https://{id}.live.dynatrace.com`, Managed or
 * ActiveGate `https://{host}/e/{id}`, the local OneAgent endpoint `http://localhost:14499/metrics/ingest` (no
 * token), and the local tenant. Users paste all sorts of URLs; this reads them strictly and says what is wrong.
 */
import type { Failure, Result } from './result.ts';

export type EnvironmentKind = 'saas' | 'managed' | 'oneagent' | 'local' | 'url';

export interface EnvironmentUrls {
  /** Where lines are posted. */
  ingest: string;
  /** The Metrics API v2 base (`…/api/v2/metrics`); null for the OneAgent endpoint, which has none. */
  metrics: string | null;
  /** Whether requests carry an API token (the OneAgent endpoint takes none). */
  needsToken: boolean;
}

export const ONEAGENT_INGEST_URL = 'http://localhost:14499/metrics/ingest';
/** The port `dtmetrics serve` listens on unless told otherwise. */
export const LOCAL_TENANT_PORT = 14_500;

const INGEST_PATH = '/api/v2/metrics/ingest';
const ONEAGENT_PATH = '/metrics/ingest';
/** An environment id as Dynatrace writes them: letters, digits and `-` (e.g. `abc12345`, `a1b2c3d4-…`). */
const ENVIRONMENT_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

const refused = (message: string): Failure => ({ ok: false, message });

/** The URLs of a SaaS environment from its id. */
export function saasUrl(id: string): Result<string> {
  const trimmed = id.trim();
  if (!ENVIRONMENT_ID.test(trimmed))
    return refused(`'${id}' is not an environment id (letters, digits and '-', as in abc12345)`);
  return { ok: true, value: `https://${trimmed}.live.dynatrace.com` };
}

/** The base URL of a Managed or ActiveGate environment from its host (with optional port) and id. */
export function managedUrl(host: string, id: string): Result<string> {
  const h = host
    .trim()
    .replace(/^https:\/\//i, '')
    .replace(/\/+$/, '');
  if (!/^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/.test(h))
    return refused(`'${host}' is not a host name (with an optional :port)`);
  if (!ENVIRONMENT_ID.test(id.trim())) return refused(`'${id}' is not an environment id`);
  return { ok: true, value: `https://${h}/e/${id.trim()}` };
}

/**
 * Reads a tenant URL as a user gives it: the environment's base (`https://abc.live.dynatrace.com`,
 * `https://host/e/ID`, `http://127.0.0.1:14500`) or an ingest endpoint itself. A URL without a scheme, with
 * credentials, a query, or any other path gets a one-line reason instead.
 */
export function environmentUrls(raw: string): Result<EnvironmentUrls> {
  const text = raw.trim();
  if (text === '') return refused('the tenant URL is empty');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    return refused(`the tenant URL needs a scheme: https://${text.replace(/^\/+/, '')}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refused(`'${text}' is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return refused(`the tenant URL must be http:// or https://, not ${url.protocol}//`);
  if (url.username || url.password)
    return refused('the tenant URL must not carry credentials: give the token separately');
  if (url.search || url.hash)
    return refused(`the tenant URL must not have a query or fragment: ${url.origin}${url.pathname}`);
  const path = url.pathname.replace(/\/+$/, '');
  const origin = url.origin;
  if (path === ONEAGENT_PATH)
    return { ok: true, value: { ingest: origin + ONEAGENT_PATH, metrics: null, needsToken: false } };
  const base = path.endsWith(INGEST_PATH) ? path.slice(0, -INGEST_PATH.length) : path;
  if (base !== '' && !/^\/e\/[A-Za-z0-9-]+$/.test(base)) {
    return refused(
      `unexpected path '${url.pathname}' in the tenant URL: give the environment's base URL, like https://abc12345.live.dynatrace.com or https://host/e/abc12345`,
    );
  }
  return {
    ok: true,
    value: { ingest: origin + base + INGEST_PATH, metrics: origin + base + '/api/v2/metrics', needsToken: true },
  };
}

/** Whether `host` is this machine, where a token over plain http:// does not cross a network. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(h);
}
