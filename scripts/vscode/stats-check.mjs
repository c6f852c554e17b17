// The cost and cardinality figures as a newcomer sees them, checked with Playwright in the real workbench:
//   - the language server's lens over each metric's first line (`13 series · 3 dims · ~6.8 M points/yr` for seed
//     004's three hosts in one file), beside the client's Send and Query lenses;
//   - the hover of a dimension key (`status`): its values, its ×series, what the table says of it;
//   - MK015 on a volatile dimension (a request id), and its quick fix that drops it from the metric's lines;
//   - the lens's command: the document's table, as `dtmetrics stats` prints it, as a Markdown preview.
// Screenshots in a dark, a light and a high-contrast theme go to test-results/ (and docs/screenshots/ with
// --update-screenshot): stats-lens-hover-*.png, stats-volatile-fix-*.png, stats-table-*.png, and the Cardinality view
// in the Explorer (the file's metrics, one expanded into its dimension keys): stats-cardinality-*.png, and the view of
// the workspace's two files (chosen through Show Cardinality Of…): stats-cardinality-workspace-*.png, and of what
// arrived at the local tenant once the seed's file is sent there: stats-cardinality-tenant-*.png.
// Prints `1 passed, 0 failed` or `0 passed, 1 failed`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './build-tests.mjs';
import {
  dismissThemeOffer,
  freePort,
  hoverFadedIn,
  inEachTheme,
  runCommand,
  runWorkbenchCheck,
  saveScreenshot,
} from './code-server.mjs';

const seed = [1, 2, 3]
  .map((n) => readFileSync(join(ROOT, 'test/fixtures/stats', `seed-004-web-${n}.dtmetrics`), 'utf8').trimEnd())
  .join('\n');
const volatile = [
  '',
  '// the latency of each request, a request id as a dimension',
  'api.latency,route=/cart,request.id=3f2a9c1e-7b4d-4e1a-9c2b-1d2e3f4a5b6c 12',
  'api.latency,route=/cart,request.id=8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d 15',
  'api.latency,route=/pay,request.id=0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e 9',
  '',
].join('\n');
// A second file for the Cardinality view of the workspace: one more host of seed 004's metric, and a queue.
const fleet = [
  'service.request.count,host=web-4,service=checkout,status=200 count,delta=1',
  'queue.depth,queue=mail gauge,3',
  'queue.depth,queue=sms gauge,1',
  '',
].join('\n');
const files = { 'seed-004.dtmetrics': seed + '\n' + volatile, 'fleet/web-4.dtmetrics': fleet };
// A port of its own for the local tenant Send starts (one a run before may still hold its lease on another).
const settings = {
  'files.autoSave': 'off',
  'dtmetrics.stats.pricePerPoint': 0.0000015,
  'dtmetrics.localTenant.port': await freePort(),
};
const LENS = '13 series · 3 dims · ~6.8 M points/yr · ~$10.25/yr';
const passedMessage =
  "Stats check: the lens over each metric's first line, a dimension key's hover and MK015's fix, in three themes.";

/** Puts the cursor on a `status` key of the second host (its hover leaves the lens in sight) and shows its hover (Ctrl+K Ctrl+I). */
async function showStatusHover(page) {
  const line = page.locator('.monaco-editor .view-line', { hasText: 'host=web-2,service=checkout,status=200' }).first();
  await line.click();
  await page.keyboard.press('Home');
  const column = 'service.request.count,host=web-2,service=checkout,st'.length;
  for (let i = 0; i < column; i++) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  await page
    .locator('.monaco-editor .monaco-hover:not(.hidden)', { hasText: '×2.17 series' })
    .waitFor({ timeout: 30_000 });
  await hoverFadedIn(page);
}

/** Ctrl+. on the volatile key: the fix that drops it, saying it merges series; leaves the menu open. */
async function showDropFix(page) {
  await page.locator('.monaco-editor .view-line', { hasText: 'request.id=3f2a9c1e' }).click();
  await page.keyboard.press('Home');
  for (let i = 0; i < 'api.latency,route=/cart,re'.length; i++) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Control+.');
  await page
    .locator('.action-widget .monaco-list-row', { hasText: 'Drop `request.id` from the 3 lines of `api.latency`' })
    .waitFor({ timeout: 30_000 });
}

/** Clicks the seed's lens: the table opens as a Markdown preview, with the metric's row. */
async function showTable(page) {
  await page.locator('.monaco-editor .codelens-decoration a', { hasText: LENS }).click();
  const preview = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await preview.locator('tr', { hasText: 'service.request.count' }).locator('td', { hasText: '6,832,800' }).waitFor({
    timeout: 30_000,
  });
}

/** Show Cardinality Of… and the scope whose row says `label`. */
async function chooseScope(page, label) {
  await runCommand(page, 'dtmetrics: Show Cardinality Of…');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).click();
}

/** The view as it is, in each theme: `${name}-${theme}.png`. */
async function shootView(page, name) {
  await inEachTheme(page, async (theme) => {
    await page.mouse.move(1200, 700);
    await saveScreenshot(page, `${name}-${theme}`);
  });
}

process.exit(
  await runWorkbenchCheck({ name: 'stats-check', files, settings, timeoutMs: 240_000, passedMessage }, async (page) => {
    await page
      .locator('.explorer-folders-view .monaco-list-row', { hasText: 'seed-004.dtmetrics' })
      .click({ timeout: 60_000 });
    await page.locator('.monaco-editor .codelens-decoration a', { hasText: LENS }).waitFor({ timeout: 60_000 });
    await dismissThemeOffer(page);
    await inEachTheme(page, async (theme) => {
      await page.mouse.move(1200, 700);
      await showStatusHover(page);
      await saveScreenshot(page, `stats-lens-hover-${theme}`);
      await page.keyboard.press('Escape');
      await showDropFix(page);
      await saveScreenshot(page, `stats-volatile-fix-${theme}`);
      await page.keyboard.press('Escape');
      await page.locator('.action-widget').waitFor({ state: 'hidden' });
      // The side bar closed, for the width of the table with its notes.
      await page.keyboard.press('Control+B');
      await showTable(page);
      await saveScreenshot(page, `stats-table-${theme}`);
      await page.keyboard.press('Control+W');
      await page.keyboard.press('Control+B');
      await page.locator('.tab', { hasText: '(stats).md' }).waitFor({ state: 'detached' });
    });
    // The Cardinality view in the Explorer: the file's metrics, the first expanded into its dimension keys.
    await runCommand(page, 'View: Show Explorer');
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Cardinality' }) });
    const header = pane.locator('.pane-header');
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const row = pane.locator('.monaco-list-row', { hasText: 'service.request.count' });
    await row.waitFor({ timeout: 30_000 });
    await row.locator('.monaco-tl-twistie').click();
    await pane.locator('.monaco-list-row', { hasText: 'status' }).waitFor();
    // The folder's pane folded away, so the view has the side bar's height.
    const folders = page.locator('.pane-header', { hasText: 'Workspace' });
    if ((await folders.getAttribute('aria-expanded')) === 'true') await folders.click();
    await pane.locator('.monaco-list-row', { hasText: 'api.latency' }).waitFor();
    await shootView(page, 'stats-cardinality');
    // The workspace's two files as one environment's: seed 004's metric gains the fourth host's series.
    await chooseScope(page, 'Workspace');
    await pane.locator('.monaco-list-row', { hasText: 'queue.depth' }).waitFor({ timeout: 60_000 });
    await pane.locator('.monaco-list-row', { hasText: '14 series' }).waitFor();
    await shootView(page, 'stats-cardinality-workspace');
    // The seed's file sent to the local tenant, then the view of what arrived there: the same 13 series.
    // Send File sends the active editor's: the seed's, still open.
    await runCommand(page, 'dtmetrics: Send File', 'Send File');
    // Nothing listens yet: Send offers to start the local tenant.
    await page
      .locator('.monaco-dialog-box .monaco-button', { hasText: 'Start Local Tenant' })
      .click({ timeout: 30_000 });
    await page.locator('.notification-toast', { hasText: /accepted by local tenant/ }).waitFor({ timeout: 60_000 });
    await runCommand(page, 'Notifications: Clear All Notifications', 'Clear All Notifications');
    await chooseScope(page, 'What Arrived');
    await pane.locator('.pane-body', { hasText: 'What arrived at the local tenant' }).waitFor({ timeout: 60_000 });
    await pane.locator('.monaco-list-row', { hasText: '13 series' }).waitFor();
    await shootView(page, 'stats-cardinality-tenant');
  }),
);
