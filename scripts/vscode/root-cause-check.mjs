// Root causes as a person sees them, in the real workbench with Playwright: a file of lines in other formats (JSON,
// a literal \n, InfluxDB, Prometheus, StatsD) shows one finding per line in the Problems panel, each naming its
// cause, and one "Query" lens over the block that offers only the keys that are metric keys (the literal \n's first
// line, the InfluxDB measurement); the quick fix on the InfluxDB line rewrites it
// as metric lines. Screenshots of the editor and the panel in a dark, a light and a high-contrast theme go to
// test-results/ (and docs/screenshots/ with --update-screenshot).
import { dismissThemeOffer, inEachTheme, runWorkbenchCheck, saveScreenshot } from './code-server.mjs';

const LINES = [
  '{"metric": "shop.checkout.duration", "value": 42.5, "dimensions": {"region": "eu"}}',
  'cpu.load,host=web01 150\\ncustom.queue.length,queue=orders 12',
  'cpu,host=web01 usage_idle=98.2,usage_user=1.1',
  'http_requests_total{method="post",code="200"} 1027',
  'page.views:1|c|#env:prod',
];
const CAUSES = ['LN007', 'LN008', 'LN009', 'LN010', 'LN011'];
const files = { 'foreign.dtmetrics': `// lines written for other tools\n${LINES.join('\n')}\n` };
const passedMessage =
  'Root-cause check: five lines in other formats, five findings naming them, and a quick fix that rewrites one, in three themes.';

process.exit(
  await runWorkbenchCheck({ name: 'root-cause-check', files, timeoutMs: 180_000, passedMessage }, async (page) => {
    await page
      .locator('.explorer-folders-view .monaco-list-row', { hasText: 'foreign.dtmetrics' })
      .click({ timeout: 60_000 });
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
    await dismissThemeOffer(page);
    await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row', { hasText: /\[Ln \d+, Col \d+\]/ });
    for (const code of CAUSES) await rows.filter({ hasText: code }).first().waitFor({ timeout: 30_000 });
    const shown = await rows.allInnerTexts();
    if (shown.length !== CAUSES.length)
      throw new Error(`${shown.length} findings for ${CAUSES.length} mistakes:\n${shown.join('\n')}`);
    // One "Query" lens for the block, offering the two keys that are metric keys (the literal \n's first line, the
    // InfluxDB measurement), beside the block's Send lens.
    const lenses = page.locator('.monaco-editor .codelens-decoration', { hasText: 'Query' });
    await lenses.first().waitFor({ timeout: 30_000 });
    const titles = await lenses.allInnerTexts();
    if (titles.length !== 1 || !titles[0].includes('Query (2 metrics)…'))
      throw new Error(`Query lenses: ${titles.join(' | ')}, not one offering 2 metrics`);
    await inEachTheme(page, async (name) => {
      await page.mouse.move(1200, 300);
      await saveScreenshot(page, `root-causes-${name}`);
    });
    // The quick fix on the InfluxDB line (line 4 of the file): two metric lines in its place.
    await page.locator('.monaco-editor .view-line', { hasText: 'usage_idle' }).click();
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Rewrite as 2 metric lines' });
    await fix.waitFor({ timeout: 30_000 });
    await saveScreenshot(page, 'root-causes-quick-fix');
    // Applied from the keyboard, as the menu offers it (the menu's own overlay takes a pointer's clicks).
    await page.locator('.action-widget .monaco-list-row.focused', { hasText: 'Rewrite as 2 metric lines' }).waitFor();
    await page.keyboard.press('Enter');
    await page
      .locator('.monaco-editor .view-line', { hasText: 'cpu.usage_user,host=web01 1.1' })
      .waitFor({ timeout: 30_000 });
    await rows.filter({ hasText: 'LN009' }).waitFor({ state: 'detached', timeout: 30_000 });
  }),
);
