/**
 * JSON from a real producer, converted and sent: seed 000's script (Debian's python3-requests) posts its data point
 * as JSON — here to a node:http server that keeps the body, as a tenant would have received it. The built
 * `dtmetrics convert -` turns that body into a line, `dtmetrics push` sends it to the local tenant, and the query
 * API gives back the value the script recorded under the dimensions it named.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBuilt, cleanEnv, ROOT, runCli } from '../cli/helpers.ts';
import { queryOneSeries, startServe, TOKEN, type TenantProcess } from './helpers.ts';

const PYTHON = '/usr/bin/python3';
const SEED_000 = join(ROOT, 'test', 'fixtures', 'clients', '000_dd64bae63ed3d7da.py');

let tenant: TenantProcess;
let receiver: Server;
const received: { contentType: string; body: string }[] = [];

before(async () => {
  assertBuilt();
  tenant = await startServe(['--token', TOKEN]);
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      received.push({ contentType: request.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString() });
      response.writeHead(202, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
});
after(async () => {
  receiver?.close();
  await tenant?.stop();
});

describe('JSON from seed 000 → dtmetrics convert → the local tenant', () => {
  it('the JSON object python3-requests posts becomes a line that is stored and queried back', async () => {
    const address = receiver.address() as { port: number };
    const ran = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        PYTHON,
        [SEED_000],
        { env: cleanEnv({ DT_ENVIRONMENT_URL: `http://127.0.0.1:${address.port}`, DT_API_TOKEN: TOKEN }) },
        (error, _stdout, stderr) => resolve({ code: error ? 1 : 0, stderr }),
      ),
    );
    assert.equal(ran.code, 0, `seed 000 failed (Debian's python3-requests: npm run setup:clients):\n${ran.stderr}`);
    assert.equal(received.length, 1);
    const [posted] = received as [{ contentType: string; body: string }];
    assert.equal(posted.contentType, 'application/json');

    const converted = await runCli(['convert', '-'], { stdin: posted.body });
    assert.equal(converted.code, 0, converted.stderr);
    assert.match(converted.stderr, /dimension key `payment method` written as `payment_method`/);
    const lines = converted.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('//'));
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] as string,
      /^shop\.checkout\.duration,region=eu-west,payment_method=card gauge,42\.5 \d{13}$/,
    );

    const file = join(mkdtempSync(join(tmpdir(), 'dtmetrics-json-')), 'seed-000.dtmetrics');
    writeFileSync(file, converted.stdout);
    const pushed = await runCli(['push', '--url', tenant.url, '--token-env', 'DT_TOKEN', file], {
      env: { DT_TOKEN: TOKEN },
    });
    assert.equal(pushed.code, 0, pushed.stderr + pushed.stdout);

    const series = await queryOneSeries(tenant.url, 'shop.checkout.duration:splitBy("region","payment_method"):max');
    assert.deepEqual(series, { dimensionMap: { region: 'eu-west', payment_method: 'card' }, value: 42.5 });
  });
});
