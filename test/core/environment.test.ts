/**
 * Environment URLs as users give them (core/environment.ts): each case a text and the URLs it names, or the
 * message of the Result that refuses it (the CLI's --url, the editor's environment prompts and settings).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { environmentUrls, managedUrl, saasUrl } from '#core/environment.ts';
import type { Result } from '#core/result.ts';

const api = (base: string) => ({
  ingest: `${base}/api/v2/metrics/ingest`,
  metrics: `${base}/api/v2/metrics`,
  needsToken: true,
});

/** A case: the input, and what it reads as (a value) or the refusal's message (a RegExp). */
type Case<T> = [input: string, expected: T | RegExp];

function check<T>(result: Result<T>, expected: T | RegExp): void {
  if (expected instanceof RegExp) {
    assert.ok(!result.ok, `refused, not ${JSON.stringify(result)}`);
    assert.match(result.message, expected);
  } else {
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.deepEqual(result.value, expected);
  }
}

describe('environmentUrls', () => {
  const cases: Case<ReturnType<typeof api> | { ingest: string; metrics: null; needsToken: false }>[] = [
    ['https://abc12345.live.dynatrace.com', api('https://abc12345.live.dynatrace.com')],
    ['  https://abc12345.live.dynatrace.com/  ', api('https://abc12345.live.dynatrace.com')],
    ['https://abc12345.live.dynatrace.com/api/v2/metrics/ingest', api('https://abc12345.live.dynatrace.com')],
    ['https://host:9999/e/env-1', api('https://host:9999/e/env-1')],
    ['https://host/e/env-1/api/v2/metrics/ingest', api('https://host/e/env-1')],
    ['http://127.0.0.1:14500', api('http://127.0.0.1:14500')],
    [
      'http://localhost:14499/metrics/ingest',
      { ingest: 'http://localhost:14499/metrics/ingest', metrics: null, needsToken: false },
    ],
    ['', /^the tenant URL is empty$/],
    ['abc12345.live.dynatrace.com', /^the tenant URL needs a scheme: https:\/\/abc12345\.live\.dynatrace\.com$/],
    ['ftp://host', /must be http:\/\/ or https:\/\/, not ftp:\/\//],
    ['https://user:secret@host', /must not carry credentials/],
    ['https://host/?a=1', /must not have a query or fragment/],
    ['https://host/other/path', /^unexpected path '\/other\/path'/],
    ['https://[bad', /is not a URL$/],
  ];
  for (const [input, expected] of cases) it(JSON.stringify(input), () => check(environmentUrls(input), expected));
});

describe('saasUrl and managedUrl', () => {
  const saas: Case<string>[] = [
    ['abc12345', 'https://abc12345.live.dynatrace.com'],
    [' abc12345 ', 'https://abc12345.live.dynatrace.com'],
    ['abc.12345', /^'abc\.12345' is not an environment id \(letters, digits and '-', as in abc12345\)$/],
    ['', /is not an environment id/],
  ];
  for (const [id, expected] of saas) it(`saas ${JSON.stringify(id)}`, () => check(saasUrl(id), expected));
  const managed: Case<string>[] = [
    ['dynatrace.example.com:9999|env-1', 'https://dynatrace.example.com:9999/e/env-1'],
    ['https://dynatrace.example.com/|env-1', 'https://dynatrace.example.com/e/env-1'],
    ['dynatrace example|env-1', /^'dynatrace example' is not a host name/],
    ['host|e/1', /^'e\/1' is not an environment id$/],
  ];
  for (const [input, expected] of managed) {
    const [host = '', id = ''] = input.split('|');
    it(`managed ${JSON.stringify(host)} ${JSON.stringify(id)}`, () => check(managedUrl(host, id), expected));
  }
});
