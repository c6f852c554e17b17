// Converting as a person sees it, in the real workbench with Playwright: "dtmetrics: Convert to Metric Lines…" on a
// JSON file opens the metric lines beside it, a point that could not be converted kept as a comment, with the summary
// notification; and on a JSON document pasted into a .dtmetrics file, the quick fix menu offers to convert its lines
// as one, first. Screenshots in a dark, a light and a high-contrast theme go to test-results/ (and docs/screenshots/
// with --update-screenshot).
import { dismissThemeOffer, inEachTheme, runCommand, runWorkbenchCheck, saveScreenshot } from './code-server.mjs';

const POINT = (region, value) =>
  `  {"metricId": "payments.latency", "value": ${value}, "dimensions": {"region": "${region}", "method": "card"}}`;
const files = {
  'payments.json': `[\n${[POINT('eu', 120), POINT('us', 95), POINT('apac', '"n/a"')].join(',\n')}\n]\n`,
  'pasted.dtmetrics': [
    '// checkout metrics',
    'shop.checkout.count,region=eu count,delta=12',
    '{',
    '  "metricId": "payments.latency",',
    '  "value": 120,',
    '  "dimensions": {"region": "eu", "payment_method": "card"}',
    '}',
    'shop.checkout.count,region=us count,delta=7',
    '',
  ].join('\n'),
};
const RUN_FIX = 'Convert these 5 JSON lines to metric lines';
const passedMessage =
  'Convert check: a JSON file converted beside itself with its summary, and the run quick fix offered first on pasted JSON, in three themes.';

process.exit(
  await runWorkbenchCheck({ name: 'convert-check', files, timeoutMs: 240_000, passedMessage }, async (page) => {
    // The command reads the clipboard to know whether to ask; a browser asks the user first, this one is told yes.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const explorerRow = (name) => page.locator('.explorer-folders-view .monaco-list-row', { hasText: name });
    await explorerRow('payments.json').click({ timeout: 60_000 });
    await page.locator('.monaco-editor .view-line', { hasText: 'payments.latency' }).first().waitFor();
    await dismissThemeOffer(page);
    const summary = page.locator('.notification-toast', { hasText: 'Converted 2 of 3 data points into 2 lines' });
    // The two editors side by side get the width the explorer had.
    await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    await page.locator('.explorer-folders-view').waitFor({ state: 'hidden' });
    await inEachTheme(page, async (name) => {
      // Run anew in each theme: the notification hides after a while, and a theme switch takes that long.
      await page.locator('.tab', { hasText: 'payments.json' }).click();
      await runCommand(page, 'dtmetrics: Convert to Metric Lines', 'Convert to Metric Lines');
      // With text on the clipboard the command asks what to convert; here it is the file.
      const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'the whole file' });
      await Promise.race([summary.waitFor({ timeout: 30_000 }), pick.waitFor({ timeout: 30_000 })]);
      if (await pick.isVisible()) await page.keyboard.press('Enter');
      await summary.waitFor({ timeout: 30_000 });
      await page
        .locator('.monaco-editor .view-line', { hasText: 'payments.latency,region=us,method=card gauge,95' })
        .waitFor({ timeout: 30_000 });
      // Shot once the toast has slid into place (its button is drawn last).
      await summary.locator('a.monaco-button', { hasText: 'Show What Was Not Converted' }).waitFor();
      await page.waitForFunction(
        (toast) => toast.getAnimations({ subtree: true }).length === 0,
        await summary.elementHandle(),
      );
      await page.mouse.move(1200, 300);
      await saveScreenshot(page, `convert-command-${name}`);
      await runCommand(page, 'View: Revert and Close Editor');
    });
    await runCommand(page, 'Notifications: Clear All Notifications');
    await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
    await explorerRow('pasted.dtmetrics').click();
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
    await inEachTheme(page, async (name) => {
      await page.locator('.monaco-editor .view-line', { hasText: '"value": 120' }).click();
      await page.keyboard.press('Control+.');
      const first = page.locator('.action-widget .monaco-list-row.focused', { hasText: RUN_FIX });
      await first.waitFor({ timeout: 30_000 });
      await saveScreenshot(page, `convert-quick-fix-${name}`);
      await page.keyboard.press('Escape');
      await first.waitFor({ state: 'detached' });
    });
    // Applied from the keyboard: the five lines become one, and the document's errors go.
    await page.locator('.monaco-editor .view-line', { hasText: '"value": 120' }).click();
    await page.keyboard.press('Control+.');
    await page.locator('.action-widget .monaco-list-row.focused', { hasText: RUN_FIX }).waitFor();
    await page.keyboard.press('Enter');
    await page
      .locator('.monaco-editor .view-line', { hasText: 'payments.latency,region=eu,payment_method=card gauge,120' })
      .waitFor({ timeout: 30_000 });
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'detached', timeout: 30_000 });
  }),
);
