// What only a person sees, checked in the real workbench with Playwright: a .dtmetrics file with an error shows an
// error squiggle, and the Problems panel lists the finding with its code. A screenshot goes to test-results/ on
// failure. Prints `1 passed, 0 failed` or `0 passed, 1 failed`, and exits accordingly.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { chromium } from 'playwright-core';
import { ROOT } from './build-tests.mjs';
import { CHROMIUM, CHROMIUM_ARGS, createProfile, freePort, spawnCodeServer, stopServer, waitForHealth, workbenchUrl } from './code-server.mjs';

/* global AbortController */

const temp = mkdtempSync(join(tmpdir(), 'dtmetrics-ui-'));
const folder = join(temp, 'workspace');
mkdirSync(folder);
writeFileSync(join(folder, 'cache.dtmetrics'), '// an upper-case dimension key\ncache.size,cache=myCache,cacheM 5\n');
const port = await freePort();
const server = spawnCodeServer({ port, folder, profile: createProfile(temp) });
server.stdout.resume();
server.stderr.resume();
const abort = new AbortController();
const deadline = setTimeout(() => abort.abort(new Error('the UI check timed out')), 120_000);
let context;
let page;
let passed = false;
try {
  await waitForHealth(port, server, abort.signal);
  context = await chromium.launchPersistentContext(join(temp, 'chromium-profile'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(workbenchUrl(port, folder, [ROOT]));
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'cache.dtmetrics' }).click({ timeout: 60_000 });
  await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
  await page.keyboard.press('Control+Shift+M');
  const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'Upper-case `M` in dimension key' });
  await row.first().waitFor({ timeout: 30_000 });
  const text = await row.first().innerText();
  if (!text.includes('DK001')) throw new Error(`the Problems entry does not name its code: ${text}`);
  passed = true;
} catch (error) {
  console.error(`[ui-check] ${abort.signal.aborted ? abort.signal.reason.message : (error?.message ?? error)}`);
  if (page) {
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    const shot = join(ROOT, 'test-results', `ui-check-${Date.now()}.png`);
    await page.screenshot({ path: shot }).then(() => console.error(`[ui-check] screenshot: ${shot}`), () => undefined);
  }
} finally {
  clearTimeout(deadline);
  await context?.close().catch(() => undefined);
  await stopServer(server);
  rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
}
console.log(passed ? 'UI check: the error squiggle and its Problems entry (DK001) are shown.\n1 passed, 0 failed' : '0 passed, 1 failed');
process.exit(passed ? 0 : 1);
