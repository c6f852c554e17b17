/**
 * The one redaction every text from a server passes before anything prints, logs, shows or returns it (http/client.ts
 * applies it to each answer and failure; the local tenant to the paths it logs and echoes). It cuts out the secrets a
 * connection sent, in every form they travel or come back in: the token raw, URL-encoded and JSON-escaped (so also
 * inside `Api-Token …`), a proxy's password raw and decoded and the `Basic` credentials made of it; and anything
 * that looks like a secret whoever sent it: a Dynatrace token, the `user:password@` of a URL.
 */
const REDACTED = '***';

/**
 * Shorter secrets are not cut out of free text: a token `1` would mangle every number of a query's answer. Dynatrace
 * tokens are 96 characters; in a URL's credentials any length is cut (URL_CREDENTIALS).
 */
const MIN_SECRET_LENGTH = 8;

/** `dt0c01.{public id}.{secret}`, the shape of Dynatrace tokens (PROTOCOL §6.1). */
const DYNATRACE_TOKEN = /\bdt0[a-z][0-9]{2}\.[A-Za-z0-9]+\.[A-Za-z0-9_-]+/g;
/** `//user:password@` of any URL: the credentials, up to the `@` before the host. */
const URL_CREDENTIALS = /\/\/[^\s/?#@"'<>]+@/g;

export class Redactor {
  /** Every form of every secret, longest first (a form that contains another is cut whole). */
  private readonly forms: string[];

  constructor(secrets: readonly (string | null | undefined)[]) {
    const forms = new Set<string>();
    for (const secret of secrets) {
      if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
      const json = JSON.stringify(secret).slice(1, -1);
      for (const form of [secret, encodeURIComponent(secret), json, json.replaceAll('/', '\\/')]) forms.add(form);
    }
    this.forms = [...forms].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const form of this.forms) out = out.replaceAll(form, REDACTED);
    // The checks first: a query's answer may be megabytes, and most hold neither.
    if (out.includes('dt0')) out = out.replace(DYNATRACE_TOKEN, REDACTED);
    if (out.includes('@')) out = out.replace(URL_CREDENTIALS, `//${REDACTED}@`);
    return out;
  }
}

/** Where a URL as written keeps its credentials: after `scheme://` up to the last `@`; null without any. */
function credentialsSpan(url: string): { start: number; end: number } | null {
  const end = url.lastIndexOf('@');
  if (end < 0) return null;
  const scheme = url.indexOf('://');
  return { start: scheme >= 0 && scheme < end ? scheme + 3 : 0, end };
}

/**
 * The secrets of a proxy URL as written (HTTPS_PROXY, VS Code's http.proxy), read leniently: a URL that does not
 * parse may still hold a password. The credentials, the password raw and decoded, and `Basic` credentials as a
 * proxy may echo them.
 */
export function proxySecrets(proxy: string | null | undefined): string[] {
  const span = proxy ? credentialsSpan(proxy) : null;
  if (!proxy || !span) return [];
  const userinfo = proxy.slice(span.start, span.end);
  const colon = userinfo.indexOf(':');
  const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const password = colon < 0 ? '' : userinfo.slice(colon + 1);
  const decoded = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return [userinfo, password, decoded(password), base64(`${decoded(user)}:${decoded(password)}`)].filter(
    (s) => s !== '',
  );
}

/** The Base64 of a string's UTF-8 bytes, as `Basic` credentials carry it. */
const base64 = (text: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

/** A URL as written, safe to show: its credentials, whatever they are, as `***`. */
export function withoutCredentials(url: string): string {
  const span = credentialsSpan(url);
  return span ? `${url.slice(0, span.start)}${REDACTED}${url.slice(span.end)}` : url;
}
