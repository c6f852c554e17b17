// The Ingest Inspector in a real VS Code, following the real local tenant (dist/cli.js serve), with real clients sending
// from outside the editor, each unchanged but for the endpoint: curl, seed 002's Python script (python3-requests), an
// OpenTelemetry-instrumented Node app (test/fixtures/clients/otel-app.mjs) and a hot-shots StatsD app
// (statsd-app.mjs). A request appears within a second of its answer; it opens as its lines with the language server's
// diagnostics at their characters; Save Request as Fixture writes a file that lints with the same findings, whole,
// only the rejected lines, or one metric's.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { DtmetricsApi } from '#client/extension.ts';
import type { JournalEntry } from '#core/metrics/journal.ts';
import { DIAGNOSTIC_SOURCE } from '#protocol';
import { EXTENSION_ID, freePort, repoRoot, startTenant, stopProcess, waitFor } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dtmetrics-vscode-inspector-'));
const settings = () => vscode.workspace.getConfiguration('dtmetrics');

/** Runs a program to its end, as a person runs it in a terminal; its output. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ended with ${code}: ${output}`)),
    );
  });
}

/** The language server's findings on a document, as code, range and message. */
function findings(uri: vscode.Uri, lineShift = 0): string[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === DIAGNOSTIC_SOURCE)
    .map((d) => {
      const code = typeof d.code === 'object' ? d.code.value : d.code;
      const { start, end } = d.range;
      return `${code} ${start.line + lineShift}:${start.character}-${end.line + lineShift}:${end.character} ${d.message}`;
    });
}

const settled = (uri: vscode.Uri) =>
  waitFor(`the language server's findings on ${uri.toString()}`, () => {
    const found = findings(uri);
    return found.length > 0 ? found : undefined;
  });

describe('Ingest Inspector', function () {
  this.timeout(120_000);
  let api: DtmetricsApi;
  let tenant: Awaited<ReturnType<typeof startTenant>>;
  let statsdPort: number;
  const node = process.execPath;
  const nodeEnv = { ELECTRON_RUN_AS_NODE: '1' };

  /** The newest request the inspector shows that `match` accepts, waited for up to `timeoutMs`. */
  const shown = (what: string, match: (entry: JournalEntry) => boolean, timeoutMs = 15_000) =>
    waitFor(what, () => api.ingestInspector.requests.find(match), timeoutMs);

  async function open(entry: JournalEntry): Promise<vscode.TextDocument> {
    await vscode.commands.executeCommand('dtmetrics.openIngestRequest', entry);
    const uri = api.ingestInspector.uriOf(entry).toString();
    return waitFor('the request to open', () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri));
  }

  async function save(entry: JournalEntry, filter: object): Promise<vscode.Uri> {
    const file = join(scratch, `fixture-${entry.id}-${Object.values(filter).join('-')}.dtmetrics`);
    const saved = await vscode.commands.executeCommand<{ file: string }>('dtmetrics.saveRequestAsFixture', {
      id: entry.id,
      filter,
      file,
    });
    assert.equal(saved.file, file);
    return vscode.Uri.file(file);
  }

  before(async () => {
    const extension = vscode.extensions.getExtension<DtmetricsApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    const port = await freePort();
    tenant = await startTenant(port, null, join(scratch, 'tenant.data'), ['--statsd-port', '0']);
    statsdPort = ((await (await fetch(`${tenant.url}/_dtmetrics/statsd`)).json()) as { port: number }).port;
    await settings().update('localTenant.port', port, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('dtmetrics.showIngestInspector');
    // The view follows the tenant once the editor has seen it: a first request shows that it does.
    await run('curl', [
      '-sS',
      '--data-binary',
      'warm.up 1',
      '-H',
      'Content-Type: text/plain',
      `${tenant.url}/api/v2/metrics/ingest`,
    ]);
    await shown('the first request', (entry) => entry.lines[0] === 'warm.up 1', 30_000);
  });

  after(async () => {
    await settings().update('localTenant.port', undefined, vscode.ConfigurationTarget.Global);
    await stopProcess(tenant.child);
  });

  it("seed 002's script: its request shows within a second, opens with the root-cause diagnostic, and saves as a fixture that lints the same", async () => {
    const answer = await run('python3', [join(repoRoot(), 'test/fixtures/clients/002_4e199a1693d61b5d.py')], {
      DT_ENVIRONMENT_URL: tenant.url,
      DT_API_TOKEN: 'unused',
    });
    assert.match(answer, /^400\n/);
    // Within a second of the script's end, which is after it read the answer.
    const entry = await shown('the script request', (e) => e.userAgent?.startsWith('python-requests/') === true, 1_000);
    assert.deepEqual([entry.endpoint, entry.status, entry.accepted, entry.rejected], ['lines', 400, 0, 1]);

    const document = await open(entry);
    assert.equal(document.languageId, 'dtmetrics');
    const lines = document.getText().split('\n');
    const first = lines.indexOf(entry.lines[0] ?? '');
    assert.ok(first > 0, 'the line as sent, under a header of comments');
    assert.ok(lines.slice(0, first).every((line) => line.startsWith('//')));
    const found = await settled(document.uri);
    assert.deepEqual(found, [
      `LN008 ${first}:36-${first}:38 A literal \`\\n\` here (2 characters: a backslash and \`n\`), not a line break, joins two lines into one, which the tenant refuses. Split the line there; in code, escape a newline once: \`"\\n"\`, not \`"\\\\n"\`.`,
    ]);

    const fixture = await save(entry, { kind: 'all' });
    assert.equal(readFileSync(fixture.fsPath, 'utf8'), document.getText());
    assert.deepEqual(await settled(fixture), found);
  });

  it("an OpenTelemetry app's cumulative counters: the partial success in the inspector and in the app's own log", async () => {
    const log = await run(node, [join(repoRoot(), 'test/fixtures/clients/otel-app.mjs')], {
      ...nodeEnv,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${tenant.url}/api/v2/otlp/v1/metrics`,
    });
    assert.match(
      log,
      /Partial Success.*Unsupported metric: 'checkout.requests' - Reason: UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM/s,
    );
    const entry = await shown('the OTLP request', (e) => e.endpoint === 'otlp');
    assert.deepEqual([entry.status, entry.accepted, entry.dropped], [200, 1, 4]);
    assert.deepEqual(
      entry.problems.map((p) => `${p.kind}: ${p.reason}`),
      [
        "dropped: 'checkout.requests': UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM",
        "dropped: 'checkout.duration': UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM",
      ],
    );
    const document = await open(entry);
    const text = document.getText();
    assert.match(text, /^\/\/ {3}dropped: 'checkout\.requests': UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM$/m);
    assert.match(text, /^checkout\.carts\.open,/m);

    // Told to export deltas, as the README says, the same app is stored whole.
    await run(node, [join(repoRoot(), 'test/fixtures/clients/otel-app.mjs')], {
      ...nodeEnv,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${tenant.url}/api/v2/otlp/v1/metrics`,
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta',
    });
    const delta = await shown('the delta request', (e) => e.endpoint === 'otlp' && e.id > entry.id);
    assert.deepEqual([delta.status, delta.accepted, delta.dropped], [200, 5, 0]);
  });

  it("a StatsD app's datagrams as the lines they became; one metric's, or only the rejected lines, saved as a fixture", async () => {
    await run(node, [join(repoRoot(), 'test/fixtures/clients/statsd-app.mjs')], {
      ...nodeEnv,
      STATSD_PORT: String(statsdPort),
    });
    await waitFor('the datagrams to arrive', async () => {
      const { received } = (await (await fetch(`${tenant.url}/_dtmetrics/statsd`)).json()) as { received: number };
      return received >= 3 || undefined;
    });
    await fetch(`${tenant.url}/_dtmetrics/statsd/flush`, { method: 'POST' });
    const flush = await shown('the StatsD flush', (e) => e.endpoint === 'statsd');
    assert.deepEqual(
      flush.lines.map((line) => line.replace(/ \d+$/, '')),
      [
        'checkout.orders,region=eu count,delta=1',
        'checkout.queue,region=eu gauge,4',
        'checkout.latency,route=/cart gauge,min=42,max=42,sum=42,count=1',
      ],
    );
    const queue = readFileSync((await save(flush, { kind: 'metric', key: 'checkout.queue' })).fsPath, 'utf8');
    assert.deepEqual(
      queue.split('\n').filter((line) => line !== '' && !line.startsWith('//')),
      [flush.lines[1]],
    );

    const body = 'shop.orders,region=eu count,delta=2\nshop.orders,region=eu count,2\nshop.carts gauge,3';
    await run('curl', [
      '-sS',
      '--data-binary',
      body,
      '-H',
      'Content-Type: text/plain',
      `${tenant.url}/api/v2/metrics/ingest`,
    ]);
    const mixed = await shown('the request with a refused line', (e) => e.lines.length === 3 && e.rejected === 1);
    const opened = await open(mixed);
    const whole = { lines: opened.getText().split('\n'), found: await settled(opened.uri) };
    const rejected = await save(mixed, { kind: 'rejected' });
    const text = readFileSync(rejected.fsPath, 'utf8').split('\n');
    assert.deepEqual(
      text.filter((line) => line !== '' && !line.startsWith('//')),
      ['shop.orders,region=eu count,2'],
    );
    // The rejected line's findings, at the same characters as in the request (where a valid line of the same key
    // drew a file-level note too).
    await settled(rejected);
    const line = whole.lines.indexOf('shop.orders,region=eu count,2');
    const shift = line - text.indexOf('shop.orders,region=eu count,2');
    const onLine = whole.found.filter((finding) => finding.split(' ')[1]?.startsWith(`${line}:`));
    assert.deepEqual(findings(rejected, shift), onLine);
    assert.equal(onLine.length, 1);
  });

  it('the Cardinality view of what arrived at the local tenant reads again as the inspector sees requests come', async () => {
    await vscode.commands.executeCommand('dtmetrics.cardinality.focus');
    await vscode.commands.executeCommand('dtmetrics.cardinalityScope', 'tenant');
    try {
      await waitFor('the warm-up metric in the view', () => api.cardinality.metrics.find((m) => m.key === 'warm.up'));
      await run('curl', [
        '-sS',
        '--data-binary',
        'cardinality.follow,host=a 1\ncardinality.follow,host=b 1',
        '-H',
        'Content-Type: text/plain',
        `${tenant.url}/api/v2/metrics/ingest`,
      ]);
      // Well before the view's own minute: read again on the inspector's word.
      const followed = await waitFor(
        'the new metric',
        () => api.cardinality.metrics.find((m) => m.key === 'cardinality.follow'),
        20_000,
      );
      assert.equal(followed.series, 2);
    } finally {
      await vscode.commands.executeCommand('dtmetrics.cardinalityScope', 'file');
      await vscode.commands.executeCommand('dtmetrics.showIngestInspector');
    }
  });

  it('a request refused before its lines were read has none to save; a tenant started anew on the port replaces the requests shown', async () => {
    await run('curl', [
      '-sS',
      '--data-binary',
      '{"a": 1}',
      '-H',
      'Content-Type: application/json',
      `${tenant.url}/api/v2/metrics/ingest`,
    ]);
    const refused = await shown('the refused request', (e) => e.status === 415);
    const saved = await vscode.commands.executeCommand<{ error?: string }>('dtmetrics.saveRequestAsFixture', {
      id: refused.id,
    });
    assert.equal(
      saved.error,
      `Request ${refused.id} has no lines to save: the tenant refused it before reading them (415)`,
    );

    const port = new URL(tenant.url).port;
    await stopProcess(tenant.child);
    tenant = await startTenant(Number(port), null, join(scratch, 'tenant-2.data'), ['--no-statsd']);
    await run('curl', [
      '-sS',
      '--data-binary',
      'second.tenant 1',
      '-H',
      'Content-Type: text/plain',
      `${tenant.url}/api/v2/metrics/ingest`,
    ]);
    await waitFor(
      "only the new tenant's requests",
      () => {
        const { requests } = api.ingestInspector;
        return requests.length === 1 && requests[0]?.lines[0] === 'second.tenant 1';
      },
      30_000,
    );
  });
});
