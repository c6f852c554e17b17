// Starting and stopping code-server (VS Code 1.96.4 for Node 20, installed by scripts/vscode/install.sh) on
// 127.0.0.1 with an isolated profile: shared by the test runner (run-tests.mjs) and `npm start` (start.mjs).
import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as delay } from 'node:timers/promises';
import { ROOT } from './build-tests.mjs';

/* global AbortController, document */

export const CODE_SERVER_VERSION = '4.96.4';
export const CODE_SERVER = join(ROOT, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
export const CODE_SERVER_ENTRY = join(CODE_SERVER, 'node_modules/code-server/out/node/entry.js');
export const CHROMIUM = process.env.DTMETRICS_CHROMIUM ?? '/usr/bin/chromium';
// Chromium on a machine whose only network is loopback (VSCODE-TESTING in docs/evidence.md); Playwright adds --headless and
// --no-sandbox itself, and the profile folder is a new one for each run.
export const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// User settings that keep VS Code from looking anything up outside this machine.
const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'update.mode': 'none',
  'update.showReleaseNotes': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'json.schemaDownload.enable': false,
  'npm.fetchOnlinePackageInfo': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'git.enabled': false,
  'files.watcherExclude': { '**/.git/objects/**': true, '**/node_modules/**': true, '**/.vscode-test/**': true },
};

// Runs code-server ("$@") in the background and waits for it (its exit status becomes the shell's); meanwhile a reader
// of the shell's stdin, a pipe from this process that is never written, kills the whole process group at end of file,
// which comes when this process ends, however it ends.
const SERVER_WATCHDOG = 'exec 3<&0; "$@" </dev/null & server=$!; (read -r _ <&3; kill -KILL 0) & wait "$server"';

/**
 * A fresh profile in `temp`: HOME and XDG folders (code-server and chromium write there), user data with settings
 * that look nothing up outside this machine (and `settings`), and an extensions folder. Returns the paths and the
 * environment.
 */
export function createProfile(temp, settings = {}) {
  const home = join(temp, 'home');
  const userData = join(temp, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(join(userData, 'Machine'), { recursive: true });
  mkdirSync(join(temp, 'extensions'));
  mkdirSync(home);
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...settings }, null, 2));
  // The remote's own settings too: code-server's workbench is a remote window, which drops machine-scoped settings
  // (dtmetrics.localTenant.port) from the user settings once it has read the extension's scopes, i.e. at the first
  // rewrite of the file (a theme picked).
  writeFileSync(join(userData, 'Machine', 'settings.json'), JSON.stringify(settings, null, 2));
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CACHE_HOME: join(home, '.cache'),
  };
  return { userData, extensions: join(temp, 'extensions'), env };
}

/** Installs a .vsix into the profile's extensions folder with code-server's own command line. */
export function installExtension(vsix, profile) {
  execFileSync(
    process.execPath,
    [
      CODE_SERVER_ENTRY,
      '--install-extension',
      vsix,
      '--force',
      '--user-data-dir',
      profile.userData,
      '--extensions-dir',
      profile.extensions,
    ],
    {
      env: { ...process.env, ...profile.env, EXTENSIONS_GALLERY: '{}' },
      stdio: 'ignore',
    },
  );
}

/** An empty extension to develop, for a test suite that checks installed extensions only. */
export function createTestHost(temp) {
  const host = join(temp, 'test-host');
  mkdirSync(host);
  writeFileSync(
    join(host, 'package.json'),
    JSON.stringify({
      name: 'test-host',
      publisher: 'dtmetrics-tests',
      version: '0.0.0',
      engines: { vscode: '^1.91.0' },
    }),
  );
  return host;
}

/**
 * Starts code-server on 127.0.0.1:`port` as the leader of a new process group (one kill reaches the extension host
 * and the language server it forks too); SERVER_WATCHDOG ends the group should the caller die without cleaning up.
 */
export function spawnCodeServer({ port, folder, profile }) {
  const serverEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(VSCODE_|ELECTRON_RUN_AS_NODE$)/.test(key)),
  );
  return spawn(
    '/bin/sh',
    [
      '-c',
      SERVER_WATCHDOG,
      'code-server',
      process.execPath,
      CODE_SERVER_ENTRY,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      '--user-data-dir',
      profile.userData,
      '--extensions-dir',
      profile.extensions,
    ],
    {
      cwd: folder,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...serverEnv, ...profile.env, EXTENSIONS_GALLERY: '{}' },
    },
  );
}

/**
 * The workbench URL that opens `folder` with the extensions under development (code-server's command line refuses
 * --extensionDevelopmentPath; the workbench takes it in its payload), and a test suite when `testsPath` is given.
 */
export function workbenchUrl(port, folder, devPaths, testsPath) {
  const remote = (path) => `vscode-remote://127.0.0.1:${port}${path}`;
  const payload = devPaths.map((devPath) => ['extensionDevelopmentPath', remote(devPath)]);
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function healthy(port) {
  return new Promise((resolveHealth) => {
    const request = get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (response) => {
      response.resume();
      resolveHealth(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolveHealth(false));
  });
}

/** Polls /healthz until it answers 200; fails at once if code-server exits, or when the run's deadline passes. */
export async function waitForHealth(port, server, signal) {
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null)
      throw new Error(`code-server exited (${server.exitCode ?? server.signalCode}) before it was ready`);
    if (await healthy(port)) return;
    await delay(100, undefined, { signal });
  }
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

/** Whether a process of the group still runs: zombies do not count (the container's init reaps them late). */
function groupAlive(child) {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-child.pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === child.pid && state !== 'Z') return true;
  }
  return false;
}

/** Ends code-server's whole process group: SIGTERM, then SIGKILL for whatever is left after 3 s. */
export async function stopServer(child) {
  killGroup(child, 'SIGTERM');
  for (let waited = 0; waited < 3000 && groupAlive(child); waited += 50) await delay(50);
  if (groupAlive(child)) killGroup(child, 'SIGKILL');
  for (let waited = 0; waited < 2000 && groupAlive(child); waited += 50) await delay(50);
}

/**
 * A check of what only a person sees, with Playwright in the real workbench: a fresh code-server with the extension
 * under development, `files` (relative path → text) in a new workspace folder and `settings` in the user settings;
 * `check(page)` runs against the opened workbench and throws to fail. On a failure a screenshot goes to
 * test-results/`name`-….png. Prints `1 passed, 0 failed` (after `passedMessage`) or `0 passed, 1 failed`; resolves
 * with the exit code. Loads playwright-core only when called.
 */
export async function runWorkbenchCheck(
  { name, files = {}, settings = {}, timeoutMs = 120_000, passedMessage },
  check,
) {
  const { chromium } = await import('playwright-core');
  const temp = mkdtempSync(join(tmpdir(), `dtmetrics-${name}-`));
  const folder = join(temp, 'workspace');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
  mkdirSync(folder, { recursive: true });
  const port = await freePort();
  const server = spawnCodeServer({ port, folder, profile: createProfile(temp, settings) });
  server.stdout.resume();
  server.stderr.resume();
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(new Error(`the ${name} check timed out`)), timeoutMs);
  let context;
  let page;
  let passed = false;
  try {
    await waitForHealth(port, server, abort.signal);
    context = await chromium.launchPersistentContext(join(temp, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(workbenchUrl(port, folder, [ROOT]));
    await Promise.race([
      check(page),
      new Promise((_, reject) =>
        abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true }),
      ),
    ]);
    passed = true;
  } catch (error) {
    console.error(`[${name}] ${abort.signal.aborted ? abort.signal.reason.message : (error?.message ?? error)}`);
    if (page) {
      mkdirSync(join(ROOT, 'test-results'), { recursive: true });
      const shot = join(ROOT, 'test-results', `${name}-${Date.now()}.png`);
      await page.screenshot({ path: shot }).then(
        () => console.error(`[${name}] screenshot: ${shot}`),
        () => undefined,
      );
    }
  } finally {
    clearTimeout(deadline);
    await context?.close().catch(() => undefined);
    await stopServer(server);
    rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
  }
  console.log(passed ? `${passedMessage}\n1 passed, 0 failed` : '0 passed, 1 failed');
  return passed ? 0 : 1;
}

/**
 * `dtmetrics serve` (dist/cli.js) on `port`, in memory, with no token, and `extraArgs` (`--faults`); resolves with
 * the child once it listens. For the workbench checks that need a tenant.
 */
export async function startLocalTenant(port, extraArgs = []) {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'serve', '--port', String(port), ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('the local tenant did not listen within 30 s')), 30_000).unref();
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('listening on')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the local tenant ended (${code}): ${output}`)));
  });
  child.stdout.resume();
  return child;
}

/**
 * Waits (up to 20 s) for VS Code's own offer of its new default theme, which a fresh profile gets a few seconds
 * after start, and cancels it, so that it neither covers nor displaces what a check reads or shows.
 */
export async function dismissThemeOffer(page) {
  const offer = page.locator('.notification-toast', { hasText: 'new default theme' });
  const shown = await offer.waitFor({ timeout: 20_000 }).then(
    () => true,
    () => false,
  );
  if (!shown) return;
  await offer.locator('a.monaco-button', { hasText: 'Cancel' }).click();
  await offer.waitFor({ state: 'detached' });
}

/** Runs a command from the command palette (F1), once the row showing `row` is the focused one. */
export async function runCommand(page, command, row = command) {
  await page.keyboard.press('F1');
  // Typed only once the command palette is open (its input holds '>'): keys pressed before it shows go elsewhere,
  // and another quick input still closing (a theme picker) must not take them.
  const input = '.quick-input-widget .quick-input-box input';
  await page.waitForFunction((selector) => document.querySelector(selector)?.value === '>', input);
  await page.keyboard.type(command);
  await page.waitForFunction(
    ([selector, value]) => document.querySelector(selector)?.value === value,
    [input, `>${command}`],
  );
  // Enter on the focused row rather than a click: the list re-renders its rows while it filters, so a row clicked
  // by position may hold another command by the time the click lands. The row may not be the first one.
  await page.locator('.quick-input-list .monaco-list-row', { hasText: row }).first().waitFor();
  const focused = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: row });
  for (let moves = 0; (await focused.count()) === 0; moves++) {
    if (moves === 20) throw new Error(`the command palette never focused '${row}'`);
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
}

export async function setColorTheme(page, theme) {
  await runCommand(page, 'Preferences: Color Theme');
  await page.locator('.quick-input-widget .quick-input-box input[placeholder*="Color Theme"]').waitFor();
  await page.keyboard.type(theme);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: theme }).waitFor();
  await page.keyboard.press('Enter');
}

/** The themes screenshots are judged in: file name, the theme's name in the picker, the class the workbench takes. */
export const THEMES = [
  ['dark', 'Dark Modern', 'vs-dark'],
  ['light', 'Light Modern', 'vs'],
  ['high-contrast', 'Dark High Contrast', 'hc-black'],
];

/**
 * Switches to each theme of `themes` in turn, waits until the workbench wears it and its picker is gone, then runs
 * `shoot(name)`.
 */
export async function inEachTheme(page, shoot, themes = THEMES) {
  for (const [name, theme, kind] of themes) {
    await setColorTheme(page, theme);
    await page.locator(`.monaco-workbench.${kind}`).waitFor();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await shoot(name);
  }
}

const updateScreenshots = process.argv.includes('--update-screenshot');

/**
 * Saves what the page shows (`clip`: a part of it) to test-results/`name`.png, and with --update-screenshot on the
 * command line to docs/screenshots/ too (the README's).
 */
export async function saveScreenshot(page, name, clip) {
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  const path = join(ROOT, 'test-results', `${name}.png`);
  await page.screenshot({ path, clip });
  if (updateScreenshots) copyFileSync(path, join(ROOT, 'docs', 'screenshots', `${name}.png`));
}

/** The hover fades in: a picture waits for it to be opaque, not the text behind it showing through. */
export async function hoverFadedIn(page) {
  await page.waitForFunction(
    () => {
      const hover = document.querySelector('.monaco-editor .monaco-hover:not(.hidden)');
      const running = [];
      for (let node = hover?.parentElement; node; node = node.parentElement) running.push(...node.getAnimations());
      running.push(...(hover?.getAnimations({ subtree: true }) ?? []));
      return hover && running.every((animation) => animation.playState === 'finished');
    },
    null,
    { timeout: 10_000 },
  );
}
