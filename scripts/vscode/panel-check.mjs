// The query results panel as a person sees it, checked with Playwright in the real workbench against the real local
// tenant (dist/cli.js serve, started here, the built-in `local tenant` environment pointed at it):
//   - the "Query" CodeLens opens the panel beside the editor; its chart canvas is drawn (pixels set), its table
//     lists the three series, and the dimension value `<img src=x onerror=alert(1)>` is shown as text: no `img`
//     element exists in the webview and no dialog fired;
//   - "Query Metric…" from the command palette completes keys from the tenant and the workspace, shows the tenant's
//     message for a selector with a mistake under the selector (and in the panel, with a caret), and once fixed
//     shows the result in the same panel (the screenshot is taken then);
//   - another colour theme recolours the chart;
//   - after a window reload the panel comes back (WebviewPanelSerializer and saved state);
//   - no Content-Security-Policy refusal is logged, and the webview bundle holds no HTML sink (innerHTML …).
// A screenshot of the panel goes to test-results/query-panel.png; with --update-screenshot also to
// docs/screenshots/query-panel.png (the README's). Prints `1 passed, 0 failed` or `0 passed, 1 failed`.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './build-tests.mjs';
import { freePort, runCommand, runWorkbenchCheck, setColorTheme, startLocalTenant } from './code-server.mjs';

/* global fetch, window */

const XSS = '<img src=x onerror=alert(1)>';
const SCREENSHOT = join(ROOT, 'test-results', 'query-panel.png');
const DOCS_SCREENSHOT = join(ROOT, 'docs', 'screenshots', 'query-panel.png');
const updateScreenshot = process.argv.includes('--update-screenshot');

/** An hour (all the tenant takes) of a latency gauge for three hosts (one named like an HTML element) and a count. */
function lines() {
  const minute = 60_000;
  const now = Math.floor(Date.now() / minute) * minute;
  const hosts = [
    ['alpha', 40],
    ['beta', 25],
    [XSS, 10],
  ];
  const out = [];
  for (let m = 59; m >= 1; m--) {
    for (const [i, [host, base]] of hosts.entries()) {
      const value = (base + 8 * Math.sin((m + i * 7) / 4) + (m % 5)).toFixed(1);
      out.push(`ui.latency,host="${host}" ${value} ${now - m * minute}`);
    }
    out.push(`ui.requests,host=alpha count,delta=${3 + (m % 4)} ${now - m * minute}`);
  }
  out.push('ui.tenant.only 1');
  return out;
}

// The webview's bundle (uPlot included) never parses a string as HTML.
const bundle = readFileSync(join(ROOT, 'dist', 'query-webview.js'), 'utf8');
const htmlSinks = ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'createContextualFragment'].filter(
  (sink) => bundle.includes(sink),
);
if (htmlSinks.length > 0) {
  console.error(`[panel-check] dist/query-webview.js uses ${htmlSinks.join(', ')}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const port = await freePort();
const tenant = await startLocalTenant(port);
let code = 1;
try {
  const ingest = await fetch(`http://127.0.0.1:${port}/api/v2/metrics/ingest`, {
    method: 'POST',
    body: lines().join('\n'),
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  });
  if (ingest.status !== 202)
    throw new Error(`the local tenant refused the lines: ${ingest.status} ${await ingest.text()}`);
  const files = {
    'latency.dtmetrics': `// sent to the local tenant by the check\nui.latency,host=alpha 41.5\nui.latency,host="${XSS}" 9.5\n\nui.requests,host=alpha count,delta=4\n`,
    'more/other.dtmetrics': 'ui.workspace.only 1\n',
  };
  const settings = { 'dtmetrics.localTenant.port': port };
  code = await runWorkbenchCheck(
    {
      name: 'panel-check',
      files,
      settings,
      timeoutMs: 180_000,
      passedMessage:
        'Panel check: chart drawn, three series in the table, the <img> value shown as text, the palette flow, a theme change and a window reload.',
    },
    async (page) => {
      const dialogs = [];
      page.on('dialog', (dialog) => {
        // The workbench asks the browser to confirm a reload the keyboard started: that one is ours to accept.
        if (dialog.type() === 'beforeunload') return void dialog.accept();
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      // The panel's Content-Security-Policy refuses nothing it needs: a refusal in the console means a broken panel.
      const refusals = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) refusals.push(message.text());
      });
      await page
        .locator('.explorer-folders-view .monaco-list-row', { hasText: 'latency.dtmetrics' })
        .click({ timeout: 60_000 });
      // The side bar closed: room for the editor and the panel beside it.
      await page.keyboard.press('Control+B');
      await page.locator('.codelens-decoration a', { hasText: 'Query' }).first().click({ timeout: 60_000 });

      // The webview is an iframe in an iframe.
      const panel = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await panel.locator('h1', { hasText: 'ui.latency' }).waitFor({ timeout: 60_000 });
      await panel.locator('section.table tbody tr').nth(2).waitFor({ timeout: 30_000 });
      const rows = await panel.locator('section.table tbody tr').count();
      if (rows !== 3) throw new Error(`the table lists ${rows} series, not 3`);
      await panel.locator('.chip', { hasText: XSS }).waitFor({ timeout: 10_000 });
      const legend = await panel.locator('.u-legend .u-label').allTextContents();
      if (!legend.includes(`host=${XSS}`))
        throw new Error(`the legend lacks the <img> value as text: ${JSON.stringify(legend)}`);
      const inked = await panel.locator('.chart canvas').evaluate((canvas) => {
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let set = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) set++;
        return set;
      });
      if (inked < 1000) throw new Error(`the chart canvas is (nearly) blank: ${inked} pixels drawn`);

      // The raw response holds the value too, as text.
      await panel.locator('button', { hasText: 'Raw Response' }).click();
      await panel.locator('pre.raw', { hasText: '"dimensionMap"' }).waitFor({ timeout: 10_000 });
      const images = await panel.locator('img').count();
      if (images !== 0) throw new Error(`${images} img element(s) in the panel: a tenant's string was parsed as HTML`);
      if (dialogs.length > 0) throw new Error(`a dialog fired: ${dialogs.join(', ')}`);

      // Query Metric… from the palette: keys completed from the tenant and the workspace; a selector with a mistake, a
      // time range, a resolution; the tenant's message under the selector, which is fixed there; the same panel.
      const row = (text) => page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await runCommand(page, 'dtmetrics: Query Metric…', 'Query Metric…');
      await page
        .locator('.quick-input-widget .quick-input-title', { hasText: 'Query local tenant' })
        .waitFor({ timeout: 30_000 });
      await input.fill('ui.');
      await row('ui.tenant.only').waitFor({ timeout: 30_000 });
      await row('ui.workspace.only').waitFor();
      const selector = 'ui.latency:splitBy("host"):max';
      await input.fill('ui.latency:splitBy("host")):max');
      await row('run this query').click();
      await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Time range' }).waitFor();
      await row('Last 30 minutes').click();
      await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Resolution' }).waitFor();
      await row('1m').click();
      await page
        .locator('.quick-input-widget .quick-input-title', { hasText: 'The tenant refused the selector' })
        .waitFor({ timeout: 30_000 });
      await page
        .locator('.quick-input-widget .quick-input-message', { hasText: "Unexpected ')' at index 26" })
        .waitFor();
      await panel.locator('.banner.error pre.caret').waitFor();
      await input.fill(selector);
      await page.keyboard.press('Enter');
      await panel.locator('h1', { hasText: selector }).waitFor({ timeout: 30_000 });
      await panel.locator('.facts', { hasText: 'Last 30 minutes · resolution 1m' }).waitFor({ timeout: 10_000 });
      await panel.locator('section.table tbody tr').nth(2).waitFor();
      const tabs = await page.locator('.tab', { hasText: 'Query:' }).count();
      if (tabs !== 1) throw new Error(`${tabs} results panels are open, not one`);
      // No notification over the panel in the picture.
      await runCommand(page, 'Notifications: Clear All Notifications', 'Clear All Notifications');
      await page.locator('.notification-toast').waitFor({ state: 'detached' });
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      if (updateScreenshot) copyFileSync(SCREENSHOT, DOCS_SCREENSHOT);

      // Another colour theme: the chart's colours (read from the theme's CSS variables) follow it.
      const swatchColor = () =>
        panel
          .locator('section.table tbody tr .swatch')
          .first()
          .evaluate((swatch) => swatch.style.background);
      const before = await swatchColor();
      await setColorTheme(page, 'Dark High Contrast');
      for (const deadline = Date.now() + 15_000; (await swatchColor()) === before; ) {
        if (Date.now() > deadline) throw new Error(`the chart colours did not follow the theme (still ${before})`);
        await page.waitForTimeout(100);
      }

      // A window reload (the command, which lets the workbench save its state first) brings the panel back.
      await page.evaluate(() => {
        window.dtmetricsBeforeReload = true;
      });
      await runCommand(page, 'Developer: Reload Window', 'Reload Window');
      await page.waitForFunction(() => !window.dtmetricsBeforeReload, undefined, { timeout: 60_000 });
      await panel.locator('.banner', { hasText: 'Restored after a window reload' }).waitFor({ timeout: 60_000 });
      await panel.locator('h1', { hasText: selector }).waitFor();
      const restoredRows = await panel.locator('section.table tbody tr').count();
      if (restoredRows !== 3) throw new Error(`the restored table lists ${restoredRows} series, not 3`);
      if ((await panel.locator('img').count()) !== 0 || dialogs.length > 0)
        throw new Error('the restored panel parsed a string as HTML');
      if (refusals.length > 0) throw new Error(`Content-Security-Policy refusals: ${refusals.join(' | ')}`);
    },
  );
} finally {
  tenant.kill('SIGTERM');
}
process.exit(code);
