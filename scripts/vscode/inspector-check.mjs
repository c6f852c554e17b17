// The Ingest Inspector as a person meets it, in the real workbench (code-server + chromium, Playwright):
//   - Show Ingest Inspector opens it in the panel; with a local tenant running and nothing sent yet, it says how to
//     point an app at it;
//   - real clients send from outside the editor, unchanged but for the endpoint: curl, seed 002's Python script,
//     an OpenTelemetry app exporting cumulative counters (test/fixtures/clients/otel-app.mjs) and a hot-shots
//     StatsD app (statsd-app.mjs): each request is a row, newest first, with what became of it, live;
//   - choosing seed 002's request opens its line with the root-cause diagnostic's squiggle; its child says the
//     tenant's reason; the row's Save button writes it as a fixture into the workspace.
// Screenshots of the waiting view and of a chosen request in a dark, a light and a high-contrast theme go to
// test-results/ (and docs/screenshots/ with --update-screenshot): inspector-waiting-*.png, inspector-request-*.png.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  dismissThemeOffer,
  freePort,
  inEachTheme,
  runCommand,
  runWorkbenchCheck,
  saveScreenshot,
  startLocalTenant,
} from './code-server.mjs';
import { ROOT } from './build-tests.mjs';

/* global fetch, URL */

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const files = { 'checkout.dtmetrics': '// checkout metrics\ncheckout.orders,region=eu count,delta=3\n' };
const settings = { 'dtmetrics.localTenant.port': port };

/** Runs a client to its end, as a person runs it in a terminal. */
function run(command, args, env = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command}: ${code} ${output}`))));
  });
}

const client = (name) => join(ROOT, 'test/fixtures/clients', name);
let tenant;
let workspaceFolder;
let code = 1;
try {
  tenant = await startLocalTenant(port, ['--statsd-port', '0']);
  const { port: statsdPort } = await (await fetch(`${url}/_dtmetrics/statsd`)).json();
  code = await runWorkbenchCheck(
    {
      name: 'inspector-check',
      files,
      settings,
      timeoutMs: 240_000,
      passedMessage:
        'Inspector check: requests from curl, a Python script, an OpenTelemetry app and a StatsD app appear live; a chosen one opens linted and saves as a fixture, in three themes.',
    },
    async (page) => {
      await page.setViewportSize({ width: 1280, height: 860 });
      await page
        .locator('.explorer-folders-view .monaco-list-row', { hasText: 'checkout.dtmetrics' })
        .click({ timeout: 60_000 });
      workspaceFolder = new URL(page.url()).searchParams.get('folder');
      await dismissThemeOffer(page);
      await runCommand(page, 'dtmetrics: Show Ingest Inspector', 'Show Ingest Inspector');
      const panel = page.locator('.part.panel');
      await panel
        .locator('.message', { hasText: `Waiting for requests to the local tenant at 127.0.0.1:${port}` })
        .waitFor({ timeout: 60_000 });
      await inEachTheme(page, async (theme) => {
        await page.mouse.move(600, 200);
        await saveScreenshot(page, `inspector-waiting-${theme}`, await panel.boundingBox());
      });

      const ingest = `${url}/api/v2/metrics/ingest`;
      const lines =
        'checkout.orders,region=eu count,delta=3\ncheckout.basket.size,region=eu gauge,min=1,max=7,sum=12,count=4';
      await run('curl', ['-sS', '--data-binary', lines, '-H', 'Content-Type: text/plain', ingest]);
      await run('node', [client('statsd-app.mjs')], { STATSD_PORT: String(statsdPort) });
      await fetch(`${url}/_dtmetrics/statsd/flush`, { method: 'POST' });
      await run('node', [client('otel-app.mjs')], {
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${url}/api/v2/otlp/v1/metrics`,
      });
      await run('python3', [client('002_4e199a1693d61b5d.py')], { DT_ENVIRONMENT_URL: url, DT_API_TOKEN: 'unused' });

      const rows = panel.locator('.monaco-list-row');
      const seed = rows.filter({ hasText: 'python-requests' });
      await seed.waitFor({ timeout: 30_000 });
      const texts = await rows.allInnerTexts();
      const order = ['python-requests', 'OTLP 200', 'StatsD', 'curl'].map((text) =>
        texts.findIndex((row) => row.includes(text)),
      );
      if (order.some((i, k) => i < 0 || (k > 0 && i < order[k - 1])))
        throw new Error(`the rows are not the four requests newest first: ${JSON.stringify(texts)}`);
      await panel.locator('.message', { hasText: `Requests to the local tenant at 127.0.0.1:${port}` }).waitFor();

      await seed.click();
      const editor = page.locator('.editor-group-container .monaco-editor').first();
      await page.locator('.tab', { hasText: 'request' }).first().waitFor();
      await editor.locator('.view-line', { hasText: /^shop\.orders,region=eu-west/ }).waitFor();
      await editor.locator('.squiggly-error').first().waitFor({ timeout: 30_000 });
      await seed.locator('.monaco-tl-twistie').click();
      await rows.filter({ hasText: 'line 1' }).waitFor();
      const otlp = rows.filter({ hasText: 'OTLP 200' });
      await otlp.locator('.monaco-tl-twistie').click();
      await rows.filter({ hasText: 'UNSUPPORTED_METRIC_TYPE_MONOTONIC_CUMULATIVE_SUM' }).first().waitFor();
      await inEachTheme(page, async (theme) => {
        await page.mouse.move(1200, 120);
        await saveScreenshot(page, `inspector-request-${theme}`);
      });

      // The row's own Save button: one choice of lines (all), the save dialog's proposed name accepted.
      await seed.hover();
      await seed.locator('.action-label[aria-label^="Save Request as Fixture"]').click();
      const dialog = page.locator('.quick-input-widget', { hasText: /Save request \d+ as a fixture/ });
      await dialog.waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tab', { hasText: /^request-.*-lines\.dtmetrics/ }).waitFor({ timeout: 30_000 });
      const saved = readdirSync(workspaceFolder).filter((name) => /^request-\d{8}-\d{6}-lines\.dtmetrics$/.test(name));
      if (saved.length !== 1 || !existsSync(join(workspaceFolder, saved[0])))
        throw new Error(`the fixture was not written into the workspace: ${readdirSync(workspaceFolder)}`);
    },
  );
} finally {
  tenant?.kill();
}
process.exit(code);
