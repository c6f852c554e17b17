/**
 * The local tenant's API tokens as a request carries them and as the Access tokens API shows them: the
 * `Authorization: Api-Token <token>` header or `?api-token=` (DOC D10), and `POST /api/v2/apiTokens/lookup`'s
 * ApiToken (DOC D18), which names a token by its ID and never shows its secret.
 */
import type { Scope } from './server.ts';

/** The token a request carries; `malformed` when it has an Authorization header that is not `Api-Token <token>`. */
export type RequestToken = { token: string } | { malformed: true } | null;

export function requestToken(authorization: string | undefined, queryToken: string | null): RequestToken {
  const token = authorization?.match(/^Api-Token\s+(\S+)$/i)?.[1] ?? queryToken;
  if (token) return { token };
  return authorization?.trim() ? { malformed: true } : null;
}

/** What a 401 says when the header is there but not `Api-Token <token>`: nothing of the header, which may be the token. */
export const MALFORMED_AUTHORIZATION =
  'Missing authorization parameter: the Authorization header is not of the form Api-Token <token>; send the token as Authorization: Api-Token <token>.';

/** ApiToken (DOC D18), as far as a local tenant knows it: no owner's activity, no expiry. */
export interface ApiTokenMetadata {
  id: string;
  name: string;
  enabled: boolean;
  owner: string;
  personalAccessToken: boolean;
  creationDate: string;
  scopes: Scope[];
}

/** A Dynatrace token, `dt0c01.<public part>.<secret>`: its ID is the prefix and the public part (DOC D10). */
const DYNATRACE_TOKEN = /^(dt0[a-z]\d\d\.[A-Za-z0-9]+)\.[A-Za-z0-9]+$/;

/**
 * A token's metadata: `ordinal` is its place among the tokens `dtmetrics serve` was given (from 1), or null when
 * it asks for none and takes any token. A token not of Dynatrace's form has no public part, so its ID is made up.
 */
export function apiTokenMetadata(
  token: string,
  scopes: Iterable<Scope>,
  ordinal: number | null,
  created: number,
): ApiTokenMetadata {
  const name = ordinal === null ? 'any token (the local tenant asks for none)' : `local tenant token ${ordinal}`;
  return {
    id: DYNATRACE_TOKEN.exec(token)?.[1] ?? `dtmetrics.${ordinal === null ? 'any' : `token${ordinal}`}`,
    name,
    enabled: true,
    owner: 'dtmetrics',
    personalAccessToken: false,
    creationDate: new Date(created).toISOString(),
    scopes: [...scopes],
  };
}
