/** The options every command that talks to a tenant shares (push, query): where, with which token, trusting what. */
import { readFileSync } from 'node:fs';
import { environmentUrls, isLoopback } from '#core/environment.ts';
import { proxyProblem, REQUEST_TIMEOUT_MS, type Connection } from '#http/client.ts';
import { describeSystemError, UserError } from '#edge/errors.ts';
import { integerOption } from './options.ts';

export const CONNECTION_OPTIONS = {
  url: { type: 'string' },
  'token-env': { type: 'string' },
  'ca-file': { type: 'string' },
  'allow-http': { type: 'boolean' },
} as const;

/** Options refused on purpose, with what to do instead (parseCommandLine's `refused`); the value is never echoed. */
export const REFUSED_OPTIONS = {
  '--token':
    'tokens are never taken on the command line (other users and the shell history would see them): put it in an environment variable and pass --token-env NAME',
};

export const CONNECTION_USAGE = `  --url <url>                  the environment: https://abc12345.live.dynatrace.com, https://host/e/abc12345,
                               an ingest endpoint, or the local tenant http://127.0.0.1:14500 (dtmetrics serve).
                               Default: $DTMETRICS_URL
  --token-env <VAR>            read the API token from this environment variable (default: DT_API_TOKEN if set)
  --ca-file <file>             also trust these PEM certificates
  --allow-http                 allow sending a token over plain http:// to another machine`;

interface ConnectionValues {
  url?: string;
  'token-env'?: string;
  'ca-file'?: string;
  'allow-http'?: boolean;
}

/** The connection the options describe; `scope` names what the token needs, for messages. */
export function connectionOf(v: ConnectionValues, env: NodeJS.ProcessEnv, scope: string): Connection {
  const rawUrl = v.url ?? env.DTMETRICS_URL;
  if (!rawUrl)
    throw new UserError(
      'no tenant: pass --url (or set DTMETRICS_URL); the local tenant is http://127.0.0.1:14500 (dtmetrics serve)',
    );
  const read = environmentUrls(rawUrl);
  if (!read.ok) throw new UserError(`--url: ${read.message}`);
  const urls = read.value;
  const tokenVar = v['token-env'] ?? (env.DT_API_TOKEN ? 'DT_API_TOKEN' : undefined);
  let token: string | null = null;
  if (tokenVar !== undefined && urls.needsToken) {
    token = env[tokenVar]?.trim() || null;
    if (!token)
      throw new UserError(
        `--token-env ${tokenVar}: the environment variable is not set or empty (the token needs the ${scope} scope)`,
      );
  }
  const target = new URL(urls.ingest);
  if (token && target.protocol === 'http:' && !isLoopback(target.hostname) && !v['allow-http']) {
    throw new UserError(
      `refusing to send the token over plain http:// to ${target.host}: use https://, or pass --allow-http`,
    );
  }
  let ca: string | null = null;
  if (v['ca-file']) {
    try {
      ca = readFileSync(v['ca-file'], 'utf8');
    } catch (error) {
      throw new UserError(`cannot read --ca-file '${v['ca-file']}': ${describeSystemError(error)}`);
    }
  }
  const connection = { urls, token, ca };
  const proxy = proxyProblem(connection, env);
  if (proxy) throw new UserError(proxy);
  return connection;
}

/** `--timeout <seconds>` (push, query): how long an answer may take, in ms; the HTTP client's default unless given. */
export function timeoutMs(text: string | undefined): number {
  return text === undefined ? REQUEST_TIMEOUT_MS : integerOption('--timeout', text, { min: 1, max: 3600 }) * 1000;
}
