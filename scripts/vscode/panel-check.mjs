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
//   - no Content-Security-Policy refusal is logged, and the webview bundle holds no HTML sink (innerHTML …);
//   - at the default editor width (side bar open, the panel beside the editor), the examples' http-latency metric
//     (three series, one with a single point, `dt.meta.unit=MilliSecond`): the unit over the axis and in the column
//     heads, one number of decimals a column, chips that never break inside, a one-line legend entry per series with
//     its last value, the single point's marker inked on the canvas, and in each theme series that differ in colour
//     (and in the high-contrast ones in dash too); then the example's count gauge, one instant per series: a marker
//     for each, legend values, no unit but `count`.
// Screenshots go to test-results/: query-panel.png, and query-panel-{dark,light,high-contrast,high-contrast-light}.png
// of the http-latency result in each theme; with --update-screenshot also to docs/screenshots/ (the README's).
// Prints `1 passed, 0 failed` or `0 passed, 1 failed`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './build-tests.mjs';
import {
  freePort,
  inEachTheme,
  runCommand,
  runWorkbenchCheck,
  saveScreenshot,
  setColorTheme,
  startLocalTenant,
  THEMES,
} from './code-server.mjs';

/* global fetch, getComputedStyle, window */

const XSS = '<img src=x onerror=alert(1)>';
/** The themes the http-latency result is judged in: the usual three, and the light high-contrast one. */
const PANEL_THEMES = [...THEMES, ['high-contrast-light', 'Light High Contrast', 'hc-light']];

const EXAMPLE = readFileSync(join(ROOT, 'examples', 'http-latency.dtmetrics'), 'utf8');
const LATENCY = 'http.server.request.duration';

/**
 * The example's lines as an exporter sends them for half an hour: each latency series' first summary once a minute
 * (values swaying around it), except the payments refund, sent once (a single point); the count gauge as it is
 * (no timestamp: one instant per series, now). The example's metadata lines come with them.
 */
function exampleLines() {
  const minute = 60_000;
  const now = Math.floor(Date.now() / minute) * minute;
  const out = [];
  let series = 0;
  const heads = new Set();
  for (const line of EXAMPLE.split('\n')) {
    if (line.startsWith('#')) out.push(line);
    if (line.startsWith('//') || line.startsWith('#') || line.trim() === '') continue;
    // Whatever timestamps the example carries, the lines are sent as of now.
    if (!line.startsWith(`${LATENCY},`)) {
      out.push(line.replace(/ \d{13}$/, ''));
      continue;
    }
    const summary = /^(.*) gauge,min=([\d.]+),max=([\d.]+),sum=([\d.]+),count=(\d+)(?: \d+)?$/.exec(line);
    if (!summary) throw new Error(`the example's line is not a summary: ${line}`);
    const [, head, min, max, sum, count] = summary;
    if (heads.has(head)) continue;
    heads.add(head);
    const once = head.includes('service=payments');
    const minutes = once ? [12] : Array.from({ length: 30 }, (_, i) => 30 - i);
    for (const m of minutes) {
      const sway = once ? 1 : 1 + 0.3 * Math.sin((m + series * 5) / 3);
      const scaled = (v) => (Number(v) * sway).toFixed(3);
      out.push(
        `${head} gauge,min=${scaled(min)},max=${scaled(max)},sum=${scaled(sum)},count=${count} ${now - m * minute}`,
      );
    }
    series++;
  }
  return out;
}

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
  for (const body of [lines(), exampleLines()]) {
    const ingest = await fetch(`http://127.0.0.1:${port}/api/v2/metrics/ingest`, {
      method: 'POST',
      body: body.join('\n'),
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
    if (ingest.status !== 202)
      throw new Error(`the local tenant refused the lines: ${ingest.status} ${await ingest.text()}`);
  }
  const files = {
    'http-latency.dtmetrics': EXAMPLE,
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
        'Panel check: chart drawn, three series in the table, the <img> value shown as text, the palette flow, a theme change, a window reload, and the http-latency example at the default width in four themes.',
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
        .locator('.explorer-folders-view .monaco-list-row[aria-label="latency.dtmetrics"]')
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
      const legend = await panel
        .locator('.chart ul.legend li')
        .evaluateAll((entries) => entries.map((entry) => `${entry.title} | ${entry.textContent}`));
      if (!legend.some((entry) => entry.startsWith(`host=${XSS} | `) && entry.includes(XSS, 10)))
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
      await saveScreenshot(page, 'query-panel');

      // Another colour theme: the chart's colours (read from the theme's CSS variables) follow it.
      const swatchColor = () =>
        panel
          .locator('section.table tbody tr .glyph')
          .first()
          .evaluate((glyph) => glyph.dataset.color);
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

      await exampleAtDefaultWidth(page, panel);
      if (refusals.length > 0) throw new Error(`Content-Security-Policy refusals: ${refusals.join(' | ')}`);
    },
  );
} finally {
  tenant.kill('SIGTERM');
}
process.exit(code);

/**
 * The http-latency example queried from its file with the side bar open (the default editor width): what a newcomer
 * sees, checked in the DOM and on the canvas, and a screenshot in each theme; then the example's count gauge.
 */
async function exampleAtDefaultWidth(page, panel) {
  // The file opens in the editor's group, the panel stays beside it; a window as tall as a laptop's screen.
  await page.setViewportSize({ width: 1280, height: 960 });
  await page.keyboard.press('Control+B');
  await page.keyboard.press('Control+1');
  await page
    .locator('.explorer-folders-view .monaco-list-row[aria-label="http-latency.dtmetrics"]')
    .click({ timeout: 30_000 });
  // The cursor to the example's line that holds `text` (Go to Line), then Query Metric Under Cursor.
  const queryLine = async (text) => {
    const line = EXAMPLE.split('\n').findIndex((l) => l.includes(text)) + 1;
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget .quick-input-box input').waitFor();
    await page.keyboard.type(String(line));
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await runCommand(page, 'dtmetrics: Query Metric Under Cursor', 'Query Metric Under Cursor');
  };
  await queryLine('service=checkout,endpoint="/api/v1/cart/{id}",method=GET');
  await panel.locator('h1', { hasText: LATENCY }).waitFor({ timeout: 30_000 });
  await panel.locator('section.table tbody tr').nth(2).waitFor({ timeout: 30_000 });
  await checkLegibleResult(panel, { series: 3, unit: 'ms', markers: 1 });

  await inEachTheme(
    page,
    async (name) => {
      await checkDistinctSeries(panel, name.startsWith('high-contrast'));
      await saveScreenshot(page, `query-panel-${name}`);
    },
    PANEL_THEMES,
  );

  // The example's count gauge has no timestamps: one instant a series, each a marker, centred on its window.
  await queryLine('http.server.active_requests,service=checkout');
  await panel.locator('h1', { hasText: 'http.server.active_requests' }).waitFor({ timeout: 30_000 });
  await panel.locator('section.table tbody tr').nth(2).waitFor({ timeout: 30_000 });
  await checkLegibleResult(panel, { series: 3, unit: 'count', markers: 3 });
  await saveScreenshot(page, 'query-panel-single-instants');
}

/** What a test can see of a legible result: unit, columns, chips, legend, markers inked on the canvas. */
async function checkLegibleResult(panel, { series, unit, markers }) {
  const axisUnit = await panel.locator('.chart .axis-unit').textContent();
  if (axisUnit !== unit) throw new Error(`the value axis is labelled '${axisUnit}', not '${unit}'`);
  const heads = await panel.locator('section.table th').allTextContents();
  const suffix = unit === 'count' ? '' : ` (${unit})`;
  for (const head of ['Last', 'Min', 'Max', 'Average'])
    if (!heads.some((h) => h.startsWith(head + suffix)))
      throw new Error(`no column head '${head}${suffix}' in ${JSON.stringify(heads)}`);

  // One number of decimals a column.
  const columns = await panel.locator('section.table tbody tr').evaluateAll((rows) =>
    rows.reduce((cols, row) => {
      [...row.querySelectorAll('td.number')].forEach((cell, i) => (cols[i] ??= []).push(cell.textContent));
      return cols;
    }, []),
  );
  for (const cells of columns) {
    const decimals = new Set(cells.filter((c) => c !== '—').map((c) => c.split('.')[1]?.length ?? 0));
    if (decimals.size > 1) throw new Error(`a column mixes decimals: ${cells.join(' / ')}`);
  }

  // Chips never break inside: each is one line tall, however narrow the column, within its cell, its whole text
  // in its tooltip (a chip too long for the cell ends in an ellipsis).
  const chips = await panel.locator('section.table .chip').evaluateAll((nodes) =>
    nodes.map((chip) => ({
      text: chip.textContent,
      title: chip.title,
      lines: chip.getBoundingClientRect().height / parseFloat(getComputedStyle(chip).lineHeight || '16'),
      inside: chip.getBoundingClientRect().right <= chip.parentElement.getBoundingClientRect().right + 0.5,
    })),
  );
  const broken = chips.filter((chip) => chip.lines > 1.5 || !chip.inside || chip.title !== chip.text);
  if (broken.length > 0) throw new Error(`chips broken or cut: ${JSON.stringify(broken)}`);

  // The legend: one single-line entry a series, no background, a value (with the unit) for each.
  const entries = await panel.locator('.chart ul.legend li').evaluateAll((nodes) =>
    nodes.map((li) => ({
      title: li.title,
      value: li.querySelector('.value')?.textContent ?? '',
      height: li.getBoundingClientRect().height,
      line: parseFloat(getComputedStyle(li).lineHeight || '16'),
      background: getComputedStyle(li).backgroundColor,
    })),
  );
  if (entries.length !== series) throw new Error(`${entries.length} legend entries, not ${series}`);
  for (const entry of entries) {
    if (entry.height > entry.line * 1.6) throw new Error(`the legend entry '${entry.title}' wraps`);
    if (!/rgba\(0, 0, 0, 0\)|transparent/.test(entry.background))
      throw new Error(`the legend entry '${entry.title}' has a background (${entry.background})`);
    if (entry.value === '—' || (unit !== 'count' && !entry.value.endsWith(` ${unit}`)))
      throw new Error(`the legend entry '${entry.title}' reads '${entry.value}'`);
  }

  // The markers the chart noted are inked on its canvas, in their series' colour.
  const inked = await panel.locator('.chart .plot').evaluate((plot) => {
    const canvas = plot.querySelector('canvas');
    const context = canvas.getContext('2d');
    return (plot.dataset.markers ?? '')
      .split(' ')
      .filter(Boolean)
      .map((marker) => {
        const [x, y, color] = marker.split(',');
        const [r, g, b, a] = context.getImageData(Number(x), Number(y), 1, 1).data;
        const want = color.match(/[0-9a-f]{2}/gi).map((hex) => parseInt(hex, 16));
        return a > 200 && Math.max(...[r, g, b].map((c, i) => Math.abs(c - want[i]))) < 40;
      });
  });
  if (inked.length !== markers || inked.includes(false))
    throw new Error(`markers: ${inked.length} noted (not ${markers}), inked: ${JSON.stringify(inked)}`);
}

/** The first three series differ in hue (30° or more apart), and in high contrast in dash pattern too. */
async function checkDistinctSeries(panel, highContrast) {
  await panel.locator('.chart ul.legend li .glyph').first().waitFor();
  const glyphs = await panel.locator('.chart ul.legend li .glyph').evaluateAll((nodes) =>
    nodes.slice(0, 3).map((glyph) => ({
      color: glyph.dataset.color,
      dash: glyph.querySelector('line')?.getAttribute('stroke-dasharray'),
    })),
  );
  const hue = (hex) => {
    const [r, g, b] = hex.match(/[0-9a-f]{2}/gi).map((h) => parseInt(h, 16) / 255);
    const max = Math.max(r, g, b);
    const d = max - Math.min(r, g, b);
    if (d === 0) return 0;
    const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    return (h * 60 + 360) % 360;
  };
  for (let i = 0; i < glyphs.length; i++)
    for (let j = i + 1; j < glyphs.length; j++) {
      const apart = Math.abs(hue(glyphs[i].color) - hue(glyphs[j].color));
      if (Math.min(apart, 360 - apart) < 30)
        throw new Error(`series ${i + 1} and ${j + 1} look alike: ${glyphs[i].color} and ${glyphs[j].color}`);
    }
  if (highContrast && new Set(glyphs.map((g) => g.dash)).size !== glyphs.length)
    throw new Error(`in high contrast the series share a dash pattern: ${JSON.stringify(glyphs)}`);
}
