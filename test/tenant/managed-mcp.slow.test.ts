/**
 * The official Dynatrace Managed MCP server (`@dynatrace-oss/dynatrace-managed-mcp-server` 1.1.1) run unchanged,
 * as a child process, against the built `dtmetrics serve`, and spoken to as an AI assistant does: through
 * `@modelcontextprotocol/sdk`'s client. In stdio mode it validates the environment once at start-up
 * (`GET /api/v1/config/clusterversion` under `/e/{id}`, at least version 1.328.0); in HTTP mode it checks every
 * caller's token with `POST /api/v2/apiTokens/lookup`. Telemetry is switched off and its log goes to stderr.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { assertBuilt } from '../cli/helpers.ts';
import { ingest, READ_TOKEN, recent, startServe, TOKEN, waitFor, type TenantProcess } from './helpers.ts';

/** The MCP server's own entry point, from its package's `bin`. */
const MCP_SERVER = (() => {
  const manifest = createRequire(import.meta.url).resolve('@dynatrace-oss/dynatrace-managed-mcp-server/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(manifest), Object.values(bin)[0] as string);
})();
const ALIAS = 'local';

let tenant: TenantProcess;
let dir: string;

before(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'dtmetrics-mcp-'));
  tenant = await startServe(['--token', TOKEN, '--token', `${READ_TOKEN}=metrics.read`]);
  const answer = await ingest(
    tenant.url,
    `mcp.temperature,room=a gauge,21 ${recent()}\nmcp.temperature,room=b gauge,19 ${recent()}`,
  );
  assert.equal(answer.status, 202, answer.text);
});
after(async () => {
  await tenant?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Only what the MCP server needs: no proxy, no telemetry, its log on stderr, its files in a folder of its own. */
const mcpEnv = (environment: Record<string, string>): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  HOME: dir,
  DT_MCP_DISABLE_TELEMETRY: 'true',
  LOG_OUTPUT: 'stderr-all',
  DT_ENVIRONMENT_CONFIGS: JSON.stringify([
    { apiEndpointUrl: tenant.url, environmentId: 'env1', alias: ALIAS, ...environment },
  ]),
});

/** A tool's text answer. */
async function toolText(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text: string }[];
  return content.map((part) => part.text).join('\n');
}

/** A text with the token cut out, safe to show in a failed assertion. */
const shown = (text: string): string => text.replaceAll(TOKEN, '***');

describe('the Managed MCP server in stdio mode', () => {
  let client: Client;
  let stderr = '';

  before(async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MCP_SERVER],
      cwd: dir,
      env: mcpEnv({ apiToken: TOKEN }),
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    client = new Client({ name: 'dtmetrics-test', version: '1' });
    await client.connect(transport);
  });
  after(() => client?.close());

  it('finds the environment valid at start-up: cluster version answered and new enough', async () => {
    const info = await toolText(client, 'dynatrace_managed_get_environments_info');
    assert.match(info, /Valid Environment: Yes/, shown(info + stderr));
    assert.match(info, /Version: 1\.\d{3}\.\d+\.\d{8}-\d{6}\n- Minimum Version Check: PASSED/, shown(info));
    assert.match(tenant.output(), /GET \/api\/v1\/config\/clusterversion 200/);
  });

  it('answers its metric tools from the tenant (the environment is among the valid ones)', async () => {
    const details = await toolText(client, 'dynatrace_managed_get_metric_details', {
      metricId: 'mcp.temperature:splitBy()',
      environment_alias: ALIAS,
    });
    assert.match(details, /"metricId":"mcp\.temperature:splitBy\(\)"/, shown(details));
    const data = await toolText(client, 'dynatrace_managed_query_metrics_data', {
      metricSelector: 'mcp.temperature:splitBy("room"):max',
      from: 'now-30m',
      to: 'now',
      resolution: 'Inf',
      environment_alias: ALIAS,
    });
    assert.match(data, /Listing data series from environment local, each with timestamped datapoints/, shown(data));
    assert.ok(!stderr.includes(TOKEN), 'the MCP server logged the token');
  });
});

/** A port nothing listens on now (the MCP server takes --port and says nothing of the port it got for 0). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describe('the Managed MCP server in HTTP mode', () => {
  let url: URL;
  let stop: () => Promise<void>;
  let stderr = '';

  before(async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [MCP_SERVER, '--http', '--host', '127.0.0.1', '--port', String(port)], {
      cwd: dir,
      env: mcpEnv({}),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'close');
    stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    };
    await waitFor(
      'the MCP server to listen',
      30_000,
      () => (/running on HTTP at/.test(stderr) ? true : null),
      exited,
      () => shown(stderr),
    );
    url = new URL(`http://127.0.0.1:${port}/`);
  });
  after(() => stop?.());

  const connect = async (token: string): Promise<Client> => {
    const client = new Client({ name: 'dtmetrics-test', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(url, {
        requestInit: { headers: { 'X-Dynatrace-Tokens': `${ALIAS}=${token}` } },
      }),
    );
    return client;
  };

  it("takes a caller whose token the tenant's token lookup knows, and reports the environment valid", async () => {
    const client = await connect(READ_TOKEN);
    try {
      const info = await toolText(client, 'dynatrace_managed_get_environments_info');
      assert.match(info, /Valid Environment: Yes/, shown(info + stderr));
      assert.match(tenant.output(), /POST \/api\/v2\/apiTokens\/lookup 200/);
    } finally {
      await client.close();
    }
  });

  it('refuses a caller whose token the tenant does not know (its lookup, made with that token, is a 401)', async () => {
    await assert.rejects(connect('dt0c01.UNKNOWN.not-a-token-of-this-tenant'), /401|Unauthorized/);
    // The tenant logs a request once its answer is sent: the line may follow the refusal by a moment.
    await waitFor(
      'the lookup answered 401 in the log',
      10_000,
      () => /POST \/api\/v2\/apiTokens\/lookup 401/.test(tenant.output()) || null,
      undefined,
      () => tenant.output(),
    );
    assert.ok(!stderr.includes(READ_TOKEN), 'the MCP server logged the token');
  });
});
