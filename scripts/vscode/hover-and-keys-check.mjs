// Four screens as a newcomer sees them, checked with Playwright in the real workbench:
//   - the hover on a diagnostic (DK001, an upper-case dimension key): its evidence links to its sources (the
//     ingestion protocol page on docs.dynatrace.com, the micrometer issue) and shows no citation tag (`DOC D1`,
//     `OBS #2295`) the project writes internally;
//   - the quick fixes of a stale timestamp (TS003), each saying what it writes: now, or no timestamp;
//   - a file of one metric a line: one row of lenses a block ("Query (4 metrics)…", "Send to …"), not one a line,
//     and the pick of the block's metrics the Query lens opens;
//   - the key prompt of "Query Metric…": it offers the keys the language server knows, a key typed into an open
//     document and not saved, and keys of files on disk (a count metric's as stored, `.count`), and no longer a key
//     deleted from the open document though its file on disk still holds it.
// The local tenant points at a port where nothing listens: the prompt offers the workspace's keys alone.
// Screenshots of each in a dark, a light and a high-contrast theme go to test-results/ (and docs/screenshots/ with
// --update-screenshot): hover-evidence-*.png, quick-fix-timestamp-*.png, query-lens-*.png, query-keys-*.png.
// Prints `1 passed, 0 failed` or `0 passed, 1 failed`.
import {
  dismissThemeOffer,
  freePort,
  hoverFadedIn,
  inEachTheme,
  runCommand,
  runWorkbenchCheck,
  saveScreenshot,
} from './code-server.mjs';

const DOCS_URL = 'https://docs.dynatrace.com/docs/shortlink/metric-ingestion-protocol';
const ISSUE_URL = 'https://github.com/micrometer-metrics/micrometer/issues/2295';
// An internal citation tag, spelt with classes so that the repository's citation scan does not read it as one.
const CITATION_TAG = /\b([D]OC D\d+|[O]BS #\d+)\b/;
const TYPED_KEY = 'shop.typed.new';
const DELETED_KEY = 'shop.draft.removed';
const DISK_KEYS = ['shop.disk.only', 'shop.orders.count'];

const STALE = Date.now() - 3 * 3_600_000;
const files = {
  'hover.dtmetrics': `// a dimension key in upper case\nmy.metric,Host=web 5\n\n// written three hours ago\nmy.metric,host=web 7 ${STALE}\n`,
  'lenses.dtmetrics': [
    '// Host metrics of web-1, as an exporter writes them: one metric a line.',
    '// The lines between blank lines and comments are a block: Send sends the block,',
    '// Query asks which of its metrics to query (the last 2 hours).',
    '// Counts are stored as key.count: the dots under a key say so on hover.',
    '',
    'host.cpu.usage,host=web-1 12.5',
    'host.memory.used,host=web-1 2048',
    'host.disk.free,host=web-1 100',
    'host.net.received,host=web-1 count,delta=5',
    '',
    '// the requests of the last minute',
    '#http.requests count dt.meta.unit=Count',
    'http.requests,path=/checkout count,delta=3',
    'http.requests,path=/cart count,delta=8',
    '',
  ].join('\n'),
  'disk/stored.dtmetrics': 'shop.disk.only 1\nshop.orders count,delta=2\n',
  // The lines the check edits stand below the prompt, which covers the editor's first lines.
  'draft.dtmetrics': `// draft.dtmetrics\n//\n//\n//\n// Not saved: \`${DELETED_KEY} 1\` deleted, the line below typed.\n${DELETED_KEY} 1\n`,
};
// A browser's VS Code saves after a second by default; a desktop one, as here, does not.
const settings = { 'dtmetrics.localTenant.port': await freePort(), 'files.autoSave': 'off' };
const passedMessage =
  "Hover and keys check: the evidence links to its sources with no tags, a stale timestamp's fixes say what they write, one Query lens a block with a pick of its metrics, and the query prompt offers the keys as typed, in three themes.";

async function screenshot(page, name) {
  // Not "Activating Extensions..." (VS Code's own, for a while after start) in the status bar of the picture.
  await page
    .locator('.statusbar-item', { hasText: 'Activating Extensions' })
    .waitFor({ state: 'detached', timeout: 30_000 });
  await saveScreenshot(page, name);
}

/** In each theme: `show` a screen that Escape closes, take its picture (`name-theme`), and close it (`closes` hidden). */
async function pictureInEachTheme(page, name, show, closes) {
  await inEachTheme(page, async (theme) => {
    await page.mouse.move(1200, 700);
    await show(page);
    await screenshot(page, `${name}-${theme}`);
    await page.keyboard.press('Escape');
    await page.locator(closes).waitFor({ state: 'hidden' });
  });
}

/** Hovers the squiggle until the hover shows the rule (a hover needs the pointer to arrive, not rest). */
async function showHover(page) {
  const hoverWidget = page.locator('.monaco-editor .monaco-hover:not(.hidden)', { hasText: 'DK001' });
  await page.mouse.move(1200, 700);
  await hoverWidget.waitFor({ state: 'hidden' });
  // The squiggle lies under the text layer, which takes the pointer: move to its middle instead of hovering it.
  const squiggle = await page.locator('.monaco-editor .squiggly-error').first().boundingBox();
  await page.mouse.move(squiggle.x + squiggle.width / 2, squiggle.y + squiggle.height / 2, { steps: 5 });
  await hoverWidget.waitFor({ timeout: 30_000 });
  await hoverFadedIn(page);
  // The evidence's own links, not the rule's "Documentation" link, which names the same page.
  const evidence = hoverWidget.locator('p', { hasText: 'Evidence:' });
  for (const [text, url] of [
    ['Dynatrace docs: Metric ingestion protocol', DOCS_URL],
    ['micrometer#2295', ISSUE_URL],
  ]) {
    const link = evidence.locator('a', { hasText: text });
    await link.waitFor({ timeout: 10_000 });
    // VS Code's Markdown renderer keeps a link's target in data-href (and the title) and opens it on a click itself.
    const target = await link.getAttribute('data-href');
    if (target !== url) throw new Error(`the evidence link '${text}' goes to ${target}, not ${url}`);
  }
  const text = await hoverWidget.innerText();
  const tag = CITATION_TAG.exec(text);
  if (tag) throw new Error(`the hover shows the citation tag '${tag[0]}':\n${text}`);
}

/** Ctrl+. on the stale timestamp: its two fixes, each saying what it writes; leaves the menu open. */
async function showTimestampFixes(page) {
  await page.locator('.monaco-editor .view-line', { hasText: String(STALE) }).click();
  await page.keyboard.press('End');
  await page.keyboard.press('Control+.');
  for (const title of [
    `Replace the timestamp with now: \``,
    'Remove the timestamp: the tenant stamps the point when it arrives',
  ])
    await page.locator('.action-widget .monaco-list-row', { hasText: title }).waitFor({ timeout: 30_000 });
}

/** The lenses of the one-metric-a-line file: one Query lens a block; the first opens a pick of its four metrics. */
async function showLensPick(page) {
  const lenses = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'Query' });
  await lenses.nth(1).waitFor({ timeout: 30_000 });
  const titles = await lenses.allInnerTexts();
  if (titles.length !== 2 || !titles[0].includes('Query (4 metrics)…') || titles[1].includes('metrics'))
    throw new Error(`Query lenses: ${titles.join(' | ')}; wanted one offering 4 metrics and one for a single metric`);
  await lenses.first().click();
  await page
    .locator('.quick-input-widget .quick-input-title', { hasText: 'Query a metric of lines 6–9' })
    .waitFor({ timeout: 30_000 });
  for (const key of ['host.cpu.usage', 'host.memory.used', 'host.disk.free', 'host.net.received.count'])
    await page.locator('.quick-input-list .monaco-list-row', { hasText: key }).waitFor({ timeout: 10_000 });
}

/** Opens Query Metric…, types `shop.` and checks the keys offered; leaves the prompt open. */
async function showKeys(page) {
  const row = (text) => page.locator('.quick-input-list .monaco-list-row', { hasText: text });
  await runCommand(page, 'dtmetrics: Query Metric…', 'Query Metric…');
  await page
    .locator('.quick-input-widget .quick-input-title', { hasText: 'Query local tenant' })
    .waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-widget .quick-input-box input').fill('shop.');
  // The keys come in one answer: once one is listed, all are.
  for (const key of [TYPED_KEY, ...DISK_KEYS]) await row(key).first().waitFor({ timeout: 30_000 });
  if ((await row(DELETED_KEY).count()) !== 0)
    throw new Error(`'${DELETED_KEY}', deleted from the open document, is still offered`);
}

process.exit(
  await runWorkbenchCheck(
    { name: 'hover-and-keys-check', files, settings, timeoutMs: 240_000, passedMessage },
    async (page) => {
      await page
        .locator('.explorer-folders-view .monaco-list-row', { hasText: 'hover.dtmetrics' })
        .click({ timeout: 60_000 });
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
      await dismissThemeOffer(page);
      // The folder of the file on disk open too, for the pictures.
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'disk' }).click();
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'stored.dtmetrics' }).waitFor();
      await showHover(page);
      await inEachTheme(page, async (name) => {
        await showHover(page);
        await screenshot(page, `hover-evidence-${name}`);
      });
      await pictureInEachTheme(page, 'quick-fix-timestamp', showTimestampFixes, '.action-widget');

      // The lenses of a file of one metric a line, and the pick of a block's metrics.
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'lenses.dtmetrics' }).click();
      await pictureInEachTheme(page, 'query-lens', showLensPick, '.quick-input-widget');

      // The draft: its one key deleted and another typed, not saved.
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'draft.dtmetrics' }).click();
      const deletedLine = page.locator('.monaco-editor .view-line', { hasText: new RegExp(`^${DELETED_KEY}`) });
      await deletedLine.click();
      await page.keyboard.press('Control+Shift+K');
      await deletedLine.waitFor({ state: 'detached' });
      await page.keyboard.press('Control+End');
      await page.keyboard.type(`${TYPED_KEY} 7`);
      await page.keyboard.press('Escape');
      await page.locator('.monaco-editor .view-line', { hasText: `${TYPED_KEY} 7` }).waitFor();
      await page.locator('.tab.dirty', { hasText: 'draft.dtmetrics' }).waitFor();
      await showKeys(page);
      await page.keyboard.press('Escape');
      await pictureInEachTheme(page, 'query-keys', showKeys, '.quick-input-widget');
    },
  ),
);
