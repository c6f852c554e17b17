/**
 * Secrets never shown: a tenant that echoes the token (in a 401's message, a 400's `invalidLines`, a 404, an HTML
 * 502 page, a query's answer), raw, URL-encoded or inside `Api-Token …`, gets it cut out of everything `dtmetrics
 * push` and `dtmetrics query` print, in every format; a proxy setting that is not a URL is one line without its
 * password; and the local tenant neither logs nor echoes a token put in a path. Against the built CLI and tenant,
 * with canned answers injected through `--faults`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, assertUsageError, runCli, type RunResult } from '../cli/helpers.ts';
import { call, recent, setFaults, startServe, type TenantProcess } from './helpers.ts';

const alnum = (n: number) =>
  randomBytes(n)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, 'x')
    .slice(0, n)
    .toUpperCase();
/** Unique per run, so that finding one anywhere means it leaked. One has Dynatrace's shape, one has not. */
const TOKENS = {
  dynatrace: `dt0c01.${alnum(24)}.${alnum(64)}`,
  other: `local/secret+${randomBytes(12).toString('hex')}`,
};
/** Every form a token may come back in. */
const forms = (token: string) => [
  token,
  encodeURIComponent(token),
  JSON.stringify(token).slice(1, -1).replaceAll('/', '\\/'),
];

let dir: string;
let tenant: TenantProcess;

before(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'dtmetrics-secrets-'));
  tenant = await startServe(['--token-env', 'SECRETS_TOKENS', '--faults'], {
    SECRETS_TOKENS: Object.values(TOKENS).join(' '),
  });
});
after(async () => {
  await tenant?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Not the token, nor any 12 characters of it in a row (an answer cut short must not show a part either). */
function assertNoToken(where: string, text: string, token: string): void {
  for (const form of forms(token)) {
    for (let i = 0; i + PART <= form.length; i++) {
      const part = form.slice(i, i + PART);
      assert.ok(
        !text.includes(part),
        `${where} shows part of the token (${JSON.stringify(part)}):\n${text.slice(0, 3000)}`,
      );
    }
  }
}
const PART = 12;

const cannedAnswer = (path: string, fault: { status: number; body: string; contentType: string }) =>
  setFaults(tenant.url, [{ path, ...fault }]);

/** Answers that quote the token as a hostile or careless server would: raw, URL-encoded, in its header. */
const echoes = (token: string) => ({
  '401 message': {
    status: 401,
    contentType: 'application/json',
    body: JSON.stringify({
      error: { code: 401, message: `Token ${token} is not valid (Authorization: Api-Token ${token})` },
    }),
  },
  '400 invalidLines': {
    status: 400,
    contentType: 'application/json',
    body: JSON.stringify({
      linesOk: 0,
      linesInvalid: 1,
      error: {
        code: 400,
        message: '1 invalid line',
        invalidLines: [{ line: 1, error: `refused for api-token=${encodeURIComponent(token)}` }],
      },
    }),
  },
  '404 message': {
    status: 404,
    contentType: 'application/json',
    body: JSON.stringify({
      error: { code: 404, message: `No API at /api/v2/metrics/ingest?api-token=${encodeURIComponent(token)}` },
    }),
  },
  'HTML 502': {
    status: 502,
    contentType: 'text/html',
    body: `<html><body>Bad gateway: Api-Token ${token}</body></html>`,
  },
});

let files = 0;
function fixture(text: string): string {
  const file = join(dir, `s${++files}.dtmetrics`);
  writeFileSync(file, text);
  return file;
}

const run = (command: string, args: string[], token: string): Promise<RunResult> =>
  runCli([command, '--url', tenant.url, '--token-env', 'SECRETS_TOKEN', ...args], { env: { SECRETS_TOKEN: token } });

describe('a token the tenant echoes is never printed', () => {
  for (const [tokenKind, token] of Object.entries(TOKENS)) {
    for (const [answer, fault] of Object.entries(echoes(token))) {
      for (const format of ['text', 'json']) {
        it(`push --format ${format}, ${answer}, ${tokenKind} token`, async () => {
          await cannedAnswer('/api/v2/metrics/ingest', fault);
          const result = await run(
            'push',
            ['--format', format, fixture(`secrets.push,id=1 gauge,1 ${recent()}\n`)],
            token,
          );
          assert.equal(result.code, 1, result.stdout + result.stderr);
          assertNoToken('push', result.stdout + result.stderr, token);
          assert.match(result.stdout, /\*\*\*/, 'what the tenant said is still shown, the token cut out');
          if (format === 'json') assert.doesNotThrow(() => JSON.parse(result.stdout), 'the report is still JSON');
        });
      }
      if (answer === '400 invalidLines') continue;
      for (const format of ['table', 'json']) {
        it(`query --format ${format}, ${answer}, ${tokenKind} token`, async () => {
          await cannedAnswer('/api/v2/metrics/query', fault);
          const result = await run('query', ['secrets.query', '--format', format], token);
          assert.equal(result.code, 1, result.stdout + result.stderr);
          assertNoToken('query', result.stdout + result.stderr, token);
          assert.match(result.stderr, /^dtmetrics: .*\*\*\*/, 'what the tenant said is still shown, the token cut out');
        });
      }
    }
    it(`query --format json of an answer that quotes the ${tokenKind} token: still the tenant's JSON, without it`, async () => {
      const data = {
        totalCount: 0,
        nextPageKey: null,
        resolution: '1m',
        warnings: [`token ${token} and ${encodeURIComponent(token)}`],
        result: [],
      };
      await cannedAnswer('/api/v2/metrics/query', {
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify(data),
      });
      const result = await run('query', ['secrets.query', '--format', 'json'], token);
      assert.equal(result.code, 0, result.stderr);
      assertNoToken('query --format json', result.stdout + result.stderr, token);
      assert.deepEqual((JSON.parse(result.stdout) as typeof data).warnings, ['token *** and ***']);
    });
  }

  it('the tenant never logged a token', () => {
    for (const token of Object.values(TOKENS)) assertNoToken("the tenant's log", tenant.output(), token);
  });
});

describe('a proxy setting that is not a URL: one line, exit 2, never its password', () => {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const cases: [string, Record<string, string>, string][] = [
    [
      'HTTPS_PROXY with a space in the host',
      { HTTPS_PROXY: `http://user:${password}@bad host:3128` },
      'https://abc12345.live.dynatrace.com',
    ],
    [
      'https_proxy without a port number',
      { https_proxy: `http://user:${password}@proxy:port` },
      'https://abc12345.live.dynatrace.com',
    ],
    ['HTTP_PROXY for an http:// tenant', { HTTP_PROXY: `http://user:${password}@[bad` }, 'http://tenant.example'],
    [
      'a scheme undici cannot speak',
      { HTTPS_PROXY: `ftp://user:${password}@proxy:21` },
      'https://abc12345.live.dynatrace.com',
    ],
  ];
  for (const [name, env, url] of cases) {
    for (const command of ['push', 'query']) {
      it(`${command}: ${name}`, async () => {
        const target = command === 'push' ? [fixture('secrets.proxy gauge,1\n')] : ['secrets.proxy'];
        const result = await runCli(
          [command, '--url', url, '--token-env', 'SECRETS_TOKEN', '--allow-http', ...target],
          { env: { ...env, SECRETS_TOKEN: TOKENS.dynatrace } },
        );
        assertUsageError(result, /PROXY|proxy/);
        assert.ok(!(result.stdout + result.stderr).includes(password), result.stderr);
      });
    }
  }
});

describe('the local tenant neither logs nor echoes a token in a path', () => {
  const unknown = `dt0c01.${alnum(24)}.${alnum(64)}`;
  const paths: [string, string, string][] = [
    ['a configured token as a metric key', `/api/v2/metrics/${TOKENS.dynatrace}`, TOKENS.dynatrace],
    [
      'a configured token after the ingest path',
      `/api/v2/metrics/ingest/${encodeURIComponent(TOKENS.other)}`,
      TOKENS.other,
    ],
    ['an unknown Dynatrace token in an unknown path', `/nothing/${unknown}`, unknown],
    ['a token beside a broken %-escape', `/nothing/%ZZ/${unknown}`, unknown],
    ['a token in a Managed path', `/e/abc/api/v2/metrics/${TOKENS.dynatrace}/x`, TOKENS.dynatrace],
  ];
  for (const [name, path, token] of paths) {
    it(name, async () => {
      const before = tenant.output().length;
      const answer = await call(`${tenant.url}${path}`, { token: TOKENS.dynatrace });
      assert.ok(answer.status >= 400, `${answer.status} ${answer.text}`);
      assertNoToken('the answer', answer.text, token);
      const logged = await waitForLog(before);
      assertNoToken("the tenant's log", logged, token);
    });
  }
});

/** The tenant's log after `from`, once the request's line is there (the answer comes before the log line). */
async function waitForLog(from: number): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const logged = tenant.output().slice(from);
    if (/(GET|POST) \S+/.test(logged) || Date.now() > deadline) return logged;
    await new Promise((r) => setTimeout(r, 20));
  }
}
