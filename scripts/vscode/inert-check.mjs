// What a person sees when a hostile tenant answers, checked with Playwright in the real workbench: the local tenant
// (dist/cli.js serve --faults, started here) answers Test Connection with a 401 whose message carries a token and
// `[Fix](command:workbench.action.quit)`. VS Code renders such a link in a notification as an <a> that runs the
// command on one click; the check fails if the notification's message holds any link, or the token, and takes a
// screenshot of the notification in the dark, light and high-contrast themes (test-results/inert-notification-*.png;
// with --update-screenshot also docs/screenshots/). Prints `1 passed, 0 failed` or `0 passed, 1 failed`.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './build-tests.mjs';
import {
  dismissThemeOffer,
  freePort,
  inEachTheme,
  runCommand,
  runWorkbenchCheck,
  startLocalTenant,
} from './code-server.mjs';

/* global fetch */

const TOKEN = 'dt0c01.UICHECK0123456789ABCDEFGHIJ.secret0123456789abcdefghijklmnopqrstuvwxyz';
const HOSTILE = `Token ${TOKEN} expired. [Fix](command:workbench.action.quit)`;
const updateScreenshot = process.argv.includes('--update-screenshot');

const port = await freePort();
const tenant = await startLocalTenant(port, ['--faults']);
let code = 1;
try {
  const body = JSON.stringify({ error: { code: 401, message: HOSTILE } });
  const faults = await fetch(`http://127.0.0.1:${port}/_dtmetrics/faults`, {
    method: 'POST',
    body: JSON.stringify({ faults: [{ status: 401, body, contentType: 'application/json' }] }),
    headers: { 'Content-Type': 'application/json' },
  });
  if (faults.status !== 204)
    throw new Error(`the local tenant refused the faults: ${faults.status} ${await faults.text()}`);
  const files = {
    'hostile.dtmetrics': '// Test Connection against a tenant that answers with a link\ninert.check 1\n',
  };
  const settings = { 'dtmetrics.localTenant.port': port };
  code = await runWorkbenchCheck(
    {
      name: 'inert-check',
      files,
      settings,
      timeoutMs: 180_000,
      passedMessage: 'Inert check: the hostile 401 is shown without its token and without a link, in three themes.',
    },
    async (page) => {
      await page
        .locator('.explorer-folders-view .monaco-list-row', { hasText: 'hostile.dtmetrics' })
        .click({ timeout: 60_000 });
      await page.locator('.monaco-editor .view-line', { hasText: 'inert.check' }).waitFor({ timeout: 60_000 });
      await dismissThemeOffer(page);
      await runCommand(page, 'dtmetrics: Test Connection', 'Test Connection');
      const toast = page.locator('.notification-toast', { hasText: 'token invalid' });
      await toast.waitFor({ timeout: 30_000 });
      const message = toast.locator('.notification-list-item-message');
      const text = await message.innerText();
      const links = await message.locator('a').count();
      if (links !== 0) throw new Error(`the notification renders ${links} link(s): ${await message.innerHTML()}`);
      if (text.includes(TOKEN.slice(20))) throw new Error(`the notification shows the token: ${text}`);
      if (!text.includes('Token *** expired. [Fix] (command:workbench.action.quit)'))
        throw new Error(`the notification does not show the tenant's words inert: ${text}`);
      // Expanded, so that the whole message shows.
      await toast.hover();
      await toast.locator('.codicon-notifications-expand').click();
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      // The same notification in each theme (a theme changed in a running code-server window drops the machine-scoped
      // port setting, so Test Connection runs once); the lower right of the window, so that the theme shows too.
      await inEachTheme(page, async (name) => {
        await toast.waitFor();
        await page.mouse.move(600, 300);
        const shot = join(ROOT, 'test-results', `inert-notification-${name}.png`);
        await page.screenshot({ path: shot, clip: { x: 560, y: 480, width: 720, height: 320 } });
        if (updateScreenshot) copyFileSync(shot, join(ROOT, 'docs', 'screenshots', `inert-notification-${name}.png`));
      });
    },
  );
} finally {
  tenant.kill('SIGTERM');
}
process.exit(code);
