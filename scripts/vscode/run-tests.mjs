// Runs a mocha suite inside a real VS Code: code-server (VS Code 1.96.4, installed by scripts/vscode/install.sh) and
// Debian's headless chromium driven by playwright-core (shared/VSCODE-TESTING.md).
//
//   node scripts/vscode/run-tests.mjs [options] [extensionTestsPath]
//
// Without a tests path it bundles test/vscode/ first (build-tests.mjs) and runs that. Options, as on a desktop
// VS Code (scripts/vscode/electron-shim forwards @vscode/test-electron's arguments here):
//   --extensionDevelopmentPath=DIR  extension under test (repeatable; default: the repository root)
//   --extensionTestsPath=PATH       the suite's index (file, with or without .js, or folder)
//   --folder=DIR                    workspace folder to open (default: the first extension development path)
//   --timeout=SECONDS               whole run, start to cleanup (default: 180, or DTMETRICS_VSCODE_TIMEOUT)
//   --verbose                       also relay code-server's own output
// The extension host's log (mocha's report) goes to stdout; the exit code is the suite's (0 passed, 1 not). On a
// failure a screenshot and code-server's log are saved to test-results/. Every process started here (code-server's
// process group, which holds the extension host and any language server, and the browser) is ended before exit.
// Environment variables reach the extension host (code-server passes its environment on).
import { spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { ROOT, buildTests } from './build-tests.mjs';

/* global AbortController */

const started = Date.now();
const CODE_SERVER_VERSION = '4.96.4';
const CODE_SERVER = join(ROOT, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
const CODE_SERVER_ENTRY = join(CODE_SERVER, 'node_modules/code-server/out/node/entry.js');
const CHROMIUM = process.env.DTMETRICS_CHROMIUM ?? '/usr/bin/chromium';
const RESULTS_DIR = join(ROOT, 'test-results');
// Chromium on a machine whose only network is loopback (shared/VSCODE-TESTING.md); Playwright adds --headless and
// --no-sandbox itself, and the profile folder is a new one for each run.
const CHROMIUM_ARGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
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

// How long to wait, after the workbench reported the suite's end, for code-server to log the extension host's exit.
const HOST_EXIT_GRACE_MS = 3000;

// The workbench's own start-up messages share the channel with the extension host's console; shown with --verbose.
const WORKBENCH_CHATTER = /^(Resolving connection token|Resolved connection token|Creating a socket|Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|\[Service Worker\])/;

function parseArgs(argv) {
  const options = { devPaths: [], testsPath: undefined, folder: undefined, verbose: false,
    timeoutSeconds: Number(process.env.DTMETRICS_VSCODE_TIMEOUT ?? 180) };
  for (const arg of argv) {
    const [flag, value] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--extensionDevelopmentPath') options.devPaths.push(resolve(value));
    else if (flag === '--extensionTestsPath') options.testsPath = resolve(value);
    else if (flag === '--folder') options.folder = resolve(value);
    else if (flag === '--timeout') options.timeoutSeconds = Number(value);
    else if (flag === '--verbose') options.verbose = true;
    else if (!arg.startsWith('--') && options.testsPath === undefined) options.testsPath = resolve(arg);
    else throw new Error(`unknown argument: ${arg}`);
  }
  if (!(options.timeoutSeconds > 0)) throw new Error('--timeout must be a positive number of seconds');
  if (options.devPaths.length === 0) options.devPaths.push(ROOT);
  options.folder ??= options.devPaths[0];
  return options;
}

function log(message) {
  process.stdout.write(`[vscode-test ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

function freePort() {
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
async function waitForHealth(port, server, signal) {
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error(`code-server exited (${server.exitCode ?? server.signalCode}) before it was ready`);
    if (await healthy(port)) return;
    await delay(100, undefined, { signal });
  }
}

async function loadPlaywright() {
  // The project's own playwright-core (a devDependency) first, else the copy install.sh put beside code-server.
  for (const base of [ROOT, CODE_SERVER]) {
    try {
      const resolved = createRequire(join(base, 'package.json')).resolve('playwright-core');
      const module = await import(pathToFileURL(resolved).href);
      return module.chromium ?? module.default.chromium;
    } catch (error) {
      if (error?.code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  throw new Error('playwright-core not found: run scripts/vscode/install.sh (or npm install)');
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
async function stopServer(child) {
  killGroup(child, 'SIGTERM');
  for (let waited = 0; waited < 3000 && groupAlive(child); waited += 50) await delay(50);
  if (groupAlive(child)) killGroup(child, 'SIGKILL');
  for (let waited = 0; waited < 2000 && groupAlive(child); waited += 50) await delay(50);
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([promise, new Promise((resolveLate) => { timer = setTimeout(resolveLate, ms); })]).finally(() => clearTimeout(timer));
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(CODE_SERVER_ENTRY)) throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed: run scripts/vscode/install.sh`);
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: run scripts/vscode/install.sh`);
  for (const devPath of options.devPaths) {
    if (!existsSync(join(devPath, 'package.json'))) throw new Error(`no extension at ${devPath} (no package.json)`);
  }
  options.testsPath ??= await buildTests();

  const timeout = new AbortController();
  const deadline = setTimeout(() => timeout.abort(new Error(`timed out after ${options.timeoutSeconds} s`)), options.timeoutSeconds * 1000);
  const temp = mkdtempSync(join(tmpdir(), 'dtmetrics-vscode-'));
  const home = join(temp, 'home');
  const userData = join(temp, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(join(temp, 'extensions'));
  mkdirSync(home);
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const isolatedEnv = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CACHE_HOME: join(home, '.cache') };
  const serverLogFile = join(temp, 'code-server.log');
  const serverLog = createWriteStream(serverLogFile);

  let server;
  let context;
  let page;
  let exitCode = 1;
  const onSignal = (signal) => timeout.abort(new Error(`interrupted by ${signal}`));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, onSignal);
  const aborted = new Promise((_, reject) => {
    timeout.signal.addEventListener('abort', () => reject(timeout.signal.reason), { once: true });
  });
  aborted.catch(() => undefined); // a signal during cleanup must not end the process before the cleanup does
  const runSuite = async () => {
    const port = await freePort();
    const serverEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(VSCODE_|ELECTRON_RUN_AS_NODE$)/.test(key)));
    // detached: the group leads a new session and process group (setsid), so that one kill reaches the extension
    // host and the language server it forks too, which outlive the browser otherwise. SERVER_WATCHDOG ends the group
    // should this process die without cleaning up (SIGKILL).
    server = spawn('/bin/sh', ['-c', SERVER_WATCHDOG, 'code-server', process.execPath, CODE_SERVER_ENTRY,
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened',
      '--user-data-dir', userData, '--extensions-dir', join(temp, 'extensions')], {
      cwd: options.folder,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...serverEnv, ...isolatedEnv, EXTENSIONS_GALLERY: '{}' },
    });
    const serverExited = new Promise((_, reject) => {
      server.on('exit', (code, signal) => reject(new Error(`code-server exited (${code ?? signal})`)));
    });
    serverExited.catch(() => undefined);
    // The workbench reports 0 when the extension host's connection is lost, a crash included; code-server's log has
    // the process's real exit status.
    let hostExit;
    let onHostExit = () => undefined;
    for (const stream of [server.stdout, server.stderr]) {
      let partial = '';
      stream.on('data', (chunk) => {
        if (!serverLog.writableEnded) serverLog.write(chunk);
        if (options.verbose) process.stdout.write(chunk);
        const lines = (partial + chunk).split('\n');
        partial = lines.pop();
        for (const line of lines) {
          const exit = /Extension Host Process exited with code: (\w+), signal: (\w+)/.exec(line);
          if (exit) {
            hostExit = { code: exit[1], signal: exit[2] };
            onHostExit();
          }
        }
      });
    }
    await waitForHealth(port, server, timeout.signal);
    log(`code-server ${CODE_SERVER_VERSION} ready on 127.0.0.1:${port}`);

    const chromium = await loadPlaywright();
    log('starting chromium');
    const launched = await chromium.launchPersistentContext(join(temp, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      // Signals are this script's to handle: it closes the browser and ends code-server's group itself.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      env: { ...process.env, ...isolatedEnv },
      viewport: { width: 1280, height: 800 },
    });
    if (timeout.signal.aborted) {
      // The run ended (deadline, signal) while the browser started: the cleanup below did not see it.
      await launched.close();
      throw timeout.signal.reason;
    }
    context = launched;
    log('chromium started');
    page = context.pages()[0] ?? (await context.newPage());
    let suiteEnded;
    const suiteDone = new Promise((resolveDone, reject) => {
      suiteEnded = resolveDone;
      page.on('crash', () => reject(new Error('the workbench page crashed')));
      page.on('close', () => reject(new Error('the workbench page closed before the suite ended')));
    });
    await page.exposeFunction('codeAutomationExit', (code) => suiteEnded(Number(code)));
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      if (options.verbose || !WORKBENCH_CHATTER.test(line)) process.stdout.write(`${line}\n`);
    });
    const remote = (path) => `vscode-remote://127.0.0.1:${port}${path}`;
    const payload = [...options.devPaths.map((devPath) => ['extensionDevelopmentPath', remote(devPath)]),
      ['extensionTestsPath', remote(options.testsPath)]];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(options.folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    log(`workbench opened; running ${options.testsPath}`);
    const code = await Promise.race([suiteDone, serverExited]);
    if (!hostExit) await withTimeout(new Promise((resolveExit) => { onHostExit = resolveExit; }), HOST_EXIT_GRACE_MS);
    if (code === 0 && hostExit && (hostExit.code !== '0' || hostExit.signal !== 'null')) {
      log(`the extension host ended with code ${hostExit.code}, signal ${hostExit.signal}`);
      return 1;
    }
    return code;
  };
  try {
    const code = await Promise.race([runSuite(), aborted]);
    exitCode = code === 0 ? 0 : 1;
    log(`suite ${exitCode === 0 ? 'passed' : `failed (code ${code})`}`);
  } catch (error) {
    log(`error: ${timeout.signal.aborted ? timeout.signal.reason.message : (error?.message ?? error)}`);
    exitCode = 1;
  } finally {
    clearTimeout(deadline);
    if (exitCode !== 0) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      if (page) {
        const shot = join(RESULTS_DIR, `vscode-${stamp}.png`);
        await withTimeout(page.screenshot({ path: shot }).then(() => log(`screenshot: ${shot}`), () => undefined), 10_000);
      }
      await new Promise((resolveEnd) => serverLog.end(resolveEnd));
      copyFileSync(serverLogFile, join(RESULTS_DIR, `vscode-${stamp}-code-server.log`));
      log(`code-server log: ${join(RESULTS_DIR, `vscode-${stamp}-code-server.log`)}`);
    }
    if (context) await withTimeout(context.close().catch(() => undefined), 10_000);
    if (server?.pid) await stopServer(server);
    serverLog.end();
    rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
    log('browser and code-server stopped');
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(signal, onSignal);
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[vscode-test] ${error?.message ?? error}`);
    process.exit(1);
  },
);
