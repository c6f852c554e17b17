// What only a person sees, checked in the real workbench with Playwright: a .dtmetrics file with an error shows an
// error squiggle, and the Problems panel lists the finding with its code. A screenshot goes to test-results/ on
// failure. Prints `1 passed, 0 failed` or `0 passed, 1 failed`, and exits accordingly.
import { runWorkbenchCheck } from './code-server.mjs';

const files = { 'cache.dtmetrics': '// an upper-case dimension key\ncache.size,cache=myCache,cacheM 5\n' };
const passedMessage = 'UI check: the error squiggle and its Problems entry (DK001) are shown.';
process.exit(
  await runWorkbenchCheck({ name: 'ui-check', files, passedMessage }, async (page) => {
    await page
      .locator('.explorer-folders-view .monaco-list-row', { hasText: 'cache.dtmetrics' })
      .click({ timeout: 60_000 });
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'Upper-case `M` in dimension key' });
    await row.first().waitFor({ timeout: 30_000 });
    const text = await row.first().innerText();
    if (!text.includes('DK001')) throw new Error(`the Problems entry does not name its code: ${text}`);
  }),
);
