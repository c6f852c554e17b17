/**
 * The requests of the seed documents, made by real clients against the built `dtmetrics serve`: the seed
 * scripts (reconstructed in test/fixtures/clients/, unchanged but for the URL and token they read from the
 * environment) run by Debian's Python with Debian's python3-requests, and curl for the query's CSV and for an
 * Authorization header without its scheme. One tenant asks for a token; one asks for none, as `dtmetrics serve`
 * without tokens does, so the seed that sends its token without the scheme shows its query's own answer too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertBuilt } from '../cli/helpers.ts';
import { ingest, recent, startServe, TOKEN, type TenantProcess } from './helpers.ts';
import { run, seed, type Ran } from './seed-scripts.ts';

/** A token of Dynatrace's form (prefix, public part, secret), read-only. */
const SHAPED_TOKEN = `dt0c01.PUBLICPART0123456789ABCD.${'S3CR3T'.repeat(10)}ABCD`;

let withToken: TenantProcess;
let open: TenantProcess;

before(async () => {
  assertBuilt();
  [withToken, open] = await Promise.all([
    startServe(['--token', TOKEN, '--token', `${SHAPED_TOKEN}=metrics.read`]),
    startServe([]),
  ]);
  const lines = `shop.checkout.duration,region=eu-west gauge,40 ${recent(3)}\nshop.checkout.duration,region=eu-west gauge,44 ${recent(2)}`;
  for (const tenant of [withToken, open])
    assert.equal((await ingest(tenant.url, lines, tenant === open ? null : TOKEN)).status, 202);
});
after(() => Promise.all([withToken?.stop(), open?.stop()]));

describe('the seed scripts with python3-requests', () => {
  it('000 posts a JSON object: 415 saying the ingest API takes the line protocol, with its object as a line', async () => {
    const { status, body } = await seed('000_dd64bae63ed3d7da.py', withToken);
    assert.equal(status, 415);
    const message = body.error?.message ?? '';
    assert.match(message, /the metrics ingest API takes the line protocol, not JSON/);
    assert.match(message, /text\/plain; charset=utf-8/);
    assert.match(message, /shop\.checkout\.duration,region=eu-west,payment_method=card gauge,42\.5 \d{13}(?!\d)/);
  });

  it('002 sends a literal backslash-n between two lines: 400 naming it, nothing stored', async () => {
    const { status, body } = await seed('002_4e199a1693d61b5d.py', withToken);
    assert.equal(status, 400);
    assert.equal(body.linesOk, 0);
    assert.equal(body.linesInvalid, 1);
    const invalid = (body.error as unknown as { invalidLines: { line: number; error: string }[] }).invalidLines;
    assert.equal(invalid.length, 1);
    assert.match(
      invalid[0]?.error ?? '',
      /error at '\\' {2}\(index 36\): A literal `\\n` here \(2 characters: a backslash and `n`\), not a line break, joins two lines into one/,
    );
  });

  it('003 sends its token without the Api-Token scheme: 401 naming the scheme, the token not echoed', async () => {
    const { status, body } = await seed('003_6b91c42a784f676a.py', withToken);
    assert.equal(status, 401);
    assert.match(body.error?.message ?? '', /Authorization: Api-Token <token>/);
  });

  it('003 queries POST /api/v1/timeseries with timeseriesId in the body: its v1 answer', async () => {
    const { status, body } = await seed('003_6b91c42a784f676a.py', open);
    assert.equal(status, 200, JSON.stringify(body));
    const result = body.result as {
      timeseriesId: string;
      aggregationType: string;
      dataPoints: Record<string, [number, number | null][]>;
    };
    assert.equal(result.timeseriesId, 'shop.checkout.duration');
    assert.equal(result.aggregationType, 'AVG');
    assert.deepEqual(
      Object.values(result.dataPoints).map((points) => points.map((p) => p[1])),
      [[42]],
    );
  });
});

describe('curl', () => {
  const curl = (path: string, headers: string[]) =>
    run('curl', [
      '--silent',
      '--show-error',
      '--write-out',
      '\n%{http_code} %{content_type}',
      ...headers.flatMap((h) => ['-H', h]),
      `${withToken.url}${path}`,
    ]);
  /** The body, the status and the content type curl reports. */
  const answer = (ran: Ran) => {
    assert.equal(ran.code, 0, ran.stderr);
    const end = ran.stdout.lastIndexOf('\n');
    const [status, ...type] = ran.stdout.slice(end + 1).split(' ');
    return { body: ran.stdout.slice(0, end), status: Number(status), type: type.join(' ') };
  };
  const QUERY = `/api/v2/metrics/query?${new URLSearchParams({ metricSelector: 'shop.checkout.duration:splitBy("region"):max', from: 'now-30m', resolution: 'Inf' })}`;
  const AUTH = `Authorization: Api-Token ${TOKEN}`;

  it('Accept: text/csv gets the CSV table of the query (header row by default and with header=present)', async () => {
    for (const accept of ['text/csv', 'text/csv; header=present', 'text/csv; header=present; charset=utf-8']) {
      const { body, status, type } = answer(await curl(QUERY, [AUTH, `Accept: ${accept}`]));
      assert.equal(status, 200, body);
      assert.match(type, /^text\/csv; charset=utf-8; header=present$/);
      const [header, ...rows] = body.trimEnd().split('\r\n');
      assert.equal(header, 'metricId,region,time,value');
      assert.equal(rows.length, 1);
      // The metricId holds quotes, so it is quoted and they are doubled (RFC 4180).
      assert.match(
        rows[0] ?? '',
        /^"shop\.checkout\.duration:splitBy\(""region""\):max",eu-west,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,44$/,
      );
    }
  });

  it('Accept: text/csv; header=absent leaves the header row out', async () => {
    const { body, status } = answer(await curl(QUERY, [AUTH, 'Accept: text/csv; header=absent']));
    assert.equal(status, 200, body);
    assert.match(body, /^"shop\.checkout\.duration:splitBy\(""region""\):max",eu-west,[^\r\n]+,44\r\n$/);
  });

  it('an Accept that allows JSON gets JSON; one it cannot produce gets 406', async () => {
    for (const accept of [
      '*/*',
      'application/json',
      'application/json; charset=utf-8, text/csv;q=0.5',
      'text/html;q=0.9, */*;q=0.1',
    ]) {
      const { body, status, type } = answer(await curl(QUERY, [AUTH, `Accept: ${accept}`]));
      assert.equal(status, 200, `${accept}: ${body}`);
      assert.match(type, /^application\/json/, accept);
    }
    for (const accept of ['application/xml', 'text/html', 'text/csv;q=0']) {
      const { body, status } = answer(await curl(QUERY, [AUTH, `Accept: ${accept}`]));
      assert.equal(status, 406, `${accept}: ${body}`);
      assert.match((JSON.parse(body) as { error: { message: string } }).error.message, /application\/json.*text\/csv/);
    }
  });

  it("POST /api/v2/apiTokens/lookup: the caller's own token's ID and scopes, never its secret; 403 for another token", async () => {
    const lookup = (token: string, caller: string) =>
      run('curl', [
        '--silent',
        '--show-error',
        '--write-out',
        '\n%{http_code} %{content_type}',
        '-H',
        `Authorization: Api-Token ${caller}`,
        '-H',
        'Content-Type: application/json',
        '--data',
        JSON.stringify({ token }),
        `${withToken.url}/e/env1/api/v2/apiTokens/lookup`,
      ]);
    const shaped = answer(await lookup(SHAPED_TOKEN, SHAPED_TOKEN));
    assert.equal(shaped.status, 200, shaped.body);
    const metadata = JSON.parse(shaped.body) as Record<string, unknown>;
    assert.deepEqual(
      { id: metadata.id, enabled: metadata.enabled, scopes: metadata.scopes },
      { id: 'dt0c01.PUBLICPART0123456789ABCD', enabled: true, scopes: ['metrics.read'] },
    );
    assert.ok(!shaped.body.includes('S3CR3T'), 'the lookup shows the secret');
    const own = answer(await lookup(TOKEN, TOKEN));
    assert.equal(own.status, 200, own.body);
    assert.deepEqual((JSON.parse(own.body) as { scopes: string[] }).scopes, [
      'metrics.ingest',
      'metrics.read',
      'DataExport',
    ]);
    assert.ok(!own.body.includes(TOKEN) && !own.body.includes('secret'), 'the lookup shows the token');
    // Another token, known or not, is not looked up: the answer would tell whether a guess is a token of this tenant.
    for (const other of [SHAPED_TOKEN, 'dt0c01.UNKNOWN.not-a-token-of-this-tenant']) {
      const answered = answer(await lookup(other, TOKEN));
      assert.equal(answered.status, 403, answered.body);
      assert.ok(
        !answered.body.includes('S3CR3T') && !answered.body.includes('not-a-token'),
        'the 403 echoes the token looked up',
      );
    }
  });

  it('Authorization without the Api-Token scheme: 401 naming the scheme expected, the token not echoed', async () => {
    for (const header of [`Authorization: ${TOKEN}`, `Authorization: Bearer ${TOKEN}`]) {
      const { body, status } = answer(await curl(QUERY, [header]));
      assert.equal(status, 401, body);
      assert.match(
        (JSON.parse(body) as { error: { message: string } }).error.message,
        /Authorization: Api-Token <token>/,
      );
      assert.ok(!body.includes(TOKEN), 'the 401 echoes the token');
    }
    assert.ok(!withToken.output().includes(TOKEN), 'the tenant logged the token');
  });
});
