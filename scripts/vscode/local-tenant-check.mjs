// The local tenant's life as a person meets it in the real workbench (code-server + chromium, Playwright):
//   - the command palette of a fresh workspace offers what means something there: Start Local Tenant and Restart
//     Language Server, not Stop Local Tenant, Export Query Results…, Open Saved Query Result…, Rerun Last Query,
//     Edit or Remove Environment;
//   - the status bar says the local tenant is stopped; Start Local Tenant's notification is short and whole, with
//     its address and buttons; the status bar then says where it runs;
//   - Add Environment switches to nothing unasked: it offers Use It and Test Connection; the local tenant keeps an item
//     of its own in the status bar while lines go elsewhere;
//   - the browser page is reloaded (a new extension host): the status bar still says it runs, the tenant answering
//     is the same instance; paused, it is shown as not answering, and running again once resumed; Stop, chosen
//     from the status item, stops it: its port stops answering.
// Screenshots of the notification and of the status item in a dark, a light and a high-contrast theme go to
// test-results/ (and docs/screenshots/ with --update-screenshot): local-tenant-started-*.png,
// local-tenant-status-*.png, local-tenant-not-answering-*.png. Prints `1 passed, 0 failed` or `0 passed, 1 failed`.
import { setTimeout as delay } from 'node:timers/promises';
import {
  dismissThemeOffer,
  freePort,
  inEachTheme,
  runCommand,
  runWorkbenchCheck,
  saveScreenshot,
} from './code-server.mjs';

/* global fetch, AbortSignal */

const port = await freePort();
const address = `127.0.0.1:${port}`;
const files = { 'checkout.dtmetrics': '// sent to the local tenant\ncheckout.orders,region=eu count,delta=3\n' };
const settings = { 'dtmetrics.localTenant.port': port };

/** The instance answering on the port, or null. */
async function instance() {
  try {
    const answer = await fetch(`http://${address}/_dtmetrics/instance`, { signal: AbortSignal.timeout(2_000) });
    return answer.ok ? await answer.json() : null;
  } catch {
    return null;
  }
}

async function until(what, probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(100);
  }
}

/** The labels of the command palette's rows for `text`; the palette is closed again. */
async function paletteRows(page, text) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await input.fill(`>${text}`);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor();
  await until('the palette to filter', async () => {
    const labels = await rows.allInnerTexts();
    return labels.every((label) => label.includes(text)) && labels;
  });
  // The list is virtual: a tall window shows every dtmetrics command at once.
  const labels = await rows.allInnerTexts();
  await page.keyboard.press('Escape');
  return labels.map((label) => label.split('\n')[0]);
}

/**
 * Answers the quick input titled `title`: picks the row `value` in a list, or types `value` into a box, and Enter.
 */
async function answer(page, title, value) {
  const widget = page.locator('.quick-input-widget', { has: page.locator('.quick-input-title', { hasText: title }) });
  await widget.waitFor({ timeout: 30_000 });
  const rows = widget.locator('.quick-input-list .monaco-list-row');
  if ((await rows.count()) > 0) {
    await rows.filter({ hasText: value }).first().click();
    return;
  }
  await widget.locator('.quick-input-box input').fill(value);
  await page.keyboard.press('Enter');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'hidden' });
}

let startedPid = null;
/** Whether the check has paused the tenant (SIGSTOP) and not yet resumed it. */
let paused = false;
let code = 1;
try {
  code = await runWorkbenchCheck(
    {
      name: 'local-tenant-check',
      files,
      settings,
      timeoutMs: 240_000,
      passedMessage:
        'Local tenant check: the palette offers what means something, the status bar says whether the tenant runs and where, and after a reload Stop stops the tenant started before it, in three themes.',
    },
    async (page) => {
      await page.setViewportSize({ width: 1280, height: 1000 });
      await page
        .locator('.explorer-folders-view .monaco-list-row', { hasText: 'checkout.dtmetrics' })
        .click({ timeout: 60_000 });
      await page.locator('.monaco-editor .view-line', { hasText: 'checkout.orders' }).waitFor({ timeout: 60_000 });
      await dismissThemeOffer(page);
      const item = (text) => page.locator('.statusbar-item', { hasText: text });
      await item('local tenant: stopped').waitFor({ timeout: 60_000 });

      const rows = await paletteRows(page, 'dtmetrics: ');
      for (const shown of ['Start Local Tenant', 'Restart Language Server', 'Add Environment', 'Query Metric…'])
        if (!rows.some((row) => row.endsWith(shown))) throw new Error(`the palette lacks '${shown}': ${rows}`);
      const hidden = [
        'Stop Local Tenant',
        'Export Query Results…',
        'Open Saved Query Result…',
        'Rerun Last Query',
        'Edit Environment',
        'Remove Environment',
      ];
      for (const title of hidden)
        if (rows.some((row) => row.endsWith(title))) throw new Error(`the palette offers '${title}' already: ${rows}`);

      await runCommand(page, 'dtmetrics: Start Local Tenant', 'Start Local Tenant');
      const toast = page.locator('.notification-toast', { hasText: 'The local tenant runs at' });
      await toast.waitFor({ timeout: 60_000 });
      const message = (await toast.locator('.notification-list-item-message').innerText()).trim();
      if (message !== `The local tenant runs at http://${address}; the lines you send go there.`)
        throw new Error(`the start notification says: ${message}`);
      const buttons = await toast.locator('.monaco-button').allInnerTexts();
      if (buttons.join('|') !== 'Copy URL|Show Output') throw new Error(`the notification's buttons: ${buttons}`);
      // Shown whole: the message is not cut off with an ellipsis.
      const cut = await toast
        .locator('.notification-list-item-message')
        .evaluate((element) => element.scrollWidth > element.clientWidth);
      if (cut) throw new Error('the start notification is cut off');
      await item(`local tenant: ${address}`).waitFor({ timeout: 30_000 });
      const before = await until('the tenant to answer', instance);
      startedPid = before.pid;

      await inEachTheme(page, async (theme) => {
        await toast.waitFor();
        await page.mouse.move(600, 300);
        await saveScreenshot(page, `local-tenant-started-${theme}`, { x: 560, y: 680, width: 720, height: 320 });
      });
      // The status item and its tooltip, the notification put away.
      await page.keyboard.press('Escape');
      await toast.waitFor({ state: 'hidden' });
      const status = await item('local tenant:').boundingBox();
      /** The right end of the status bar, with room above it for the item's tooltip. */
      const statusClip = { x: 1280 - 720, y: status.y - 100, width: 720, height: 100 + status.height };
      await inEachTheme(page, async (theme) => {
        await item(`local tenant: ${address}`).hover();
        await page.locator('.monaco-hover', { hasText: 'sends lines to the local tenant' }).waitFor();
        await saveScreenshot(page, `local-tenant-status-${theme}`, statusClip);
        await page.mouse.move(600, 300);
      });

      // Add Environment switches to nothing unasked: it offers Use It and Test Connection, and a test that passes
      // offers Use It again. Lines going elsewhere, the local tenant keeps a status item of its own.
      await runCommand(page, 'dtmetrics: Add Environment', 'Add Environment');
      await answer(page, 'Add an environment', 'Any URL');
      await answer(page, 'Any URL environment', `http://${address}`);
      await answer(page, 'Name of the environment', 'staging copy');
      await answer(page, 'Token for staging copy', '');
      await answer(page, 'Which API answers queries?', 'Metrics API v2');
      const added = page.locator('.notification-toast', {
        hasText: "Added 'staging copy'. Lines still go to 'local tenant'.",
      });
      await added.waitFor({ timeout: 30_000 });
      await item(`local tenant: ${address}`).waitFor();
      await added.locator('.monaco-button', { hasText: 'Test Connection' }).click();
      const tested = page.locator('.notification-toast', { hasText: 'staging copy:' });
      await tested.waitFor({ timeout: 30_000 });
      await tested.locator('.monaco-button', { hasText: 'Use It' }).click();
      await page.locator('.notification-toast', { hasText: "Lines now go to 'staging copy'." }).waitFor();
      await item('staging copy').waitFor();
      await page.mouse.move(600, 300);
      await saveScreenshot(page, 'local-tenant-sending-elsewhere-high-contrast', statusClip);
      await item(`local tenant: ${address}`).click();
      await answer(page, 'The local tenant runs at', 'Send Lines Here');
      await item('staging copy').waitFor({ state: 'hidden' });
      await page.keyboard.press('Escape');

      // A browser reload: the page's extension host is a new one.
      await page.reload();
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await item(`local tenant: ${address}`).waitFor({ timeout: 60_000 });
      const after = await instance();
      if (after?.instance !== before.instance)
        throw new Error(`after the reload another tenant answers: ${JSON.stringify(after)}`);

      // A tenant that stops answering (paused: its process lives, its port takes no answer) is shown as such at the
      // next look (every 20 s), and as running again once it answers.
      process.kill(before.pid, 'SIGSTOP');
      paused = true;
      const silent = item('not answering');
      await silent.waitFor({ timeout: 60_000 });
      await inEachTheme(page, async (theme) => {
        await page.mouse.move(600, 300);
        await saveScreenshot(page, `local-tenant-not-answering-${theme}`, statusClip);
      });
      process.kill(before.pid, 'SIGCONT');
      paused = false;
      await silent.waitFor({ state: 'hidden', timeout: 60_000 });

      await item(`local tenant: ${address}`).click();
      const stop = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Stop Local Tenant' });
      await stop.waitFor({ timeout: 30_000 });
      await saveScreenshot(page, 'local-tenant-actions-high-contrast', { x: 240, y: 0, width: 800, height: 260 });
      await stop.click();
      await page
        .locator('.notification-toast', { hasText: `The local tenant at http://${address} stopped.` })
        .waitFor({ timeout: 30_000 });
      await until('the port to stop answering', async () => (await instance()) === null);
      await item('local tenant: stopped').waitFor({ timeout: 30_000 });
      startedPid = null;
    },
  );
} finally {
  // A failed check leaves no tenant behind: the one it started, by its pid (resumed first if the check paused it).
  if (paused && startedPid !== null) process.kill(startedPid, 'SIGCONT');
  if (startedPid !== null && (await instance())?.pid === startedPid) process.kill(startedPid, 'SIGTERM');
}
process.exit(code);
