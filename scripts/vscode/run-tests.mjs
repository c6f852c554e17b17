// Runs a mocha suite inside a real VS Code: code-server (VS Code 1.96.4, installed by scripts/vscode/install.sh) and
// Debian's headless chromium driven by playwright-core (VSCODE-TESTING in docs/evidence.md).
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
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { clearTimeout, setTimeout } from 'node:timers';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { ROOT, buildTests } from './build-tests.mjs';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  CODE_SERVER,
  CODE_SERVER_ENTRY,
  CODE_SERVER_VERSION,
  createProfile,
  createTestHost,
  installExtension,
  freePort,
  spawnCodeServer,
  stopServer,
  waitForHealth,
  workbenchUrl,
} from './code-server.mjs';

/* global AbortController */

const started = Date.now();
const RESULTS_DIR = join(ROOT, 'test-results');
// How long to wait, after the workbench reported the suite's end, for code-server to log the extension host's exit.
const HOST_EXIT_GRACE_MS = 3000;

// The workbench's own start-up messages share the channel with the extension host's console; shown with --verbose.
const WORKBENCH_CHATTER =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|\[Service Worker\])/;

function parseArgs(argv) {
  const options = {
    devPaths: [],
    testsPath: undefined,
    folder: undefined,
    verbose: false,
    vsix: undefined,
    timeoutSeconds: Number(process.env.DTMETRICS_VSCODE_TIMEOUT ?? 180),
  };
  for (const arg of argv) {
    const [flag, value] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    if (flag === '--extensionDevelopmentPath') options.devPaths.push(resolve(value));
    else if (flag === '--extensionTestsPath') options.testsPath = resolve(value);
    else if (flag === '--folder') options.folder = resolve(value);
    else if (flag === '--timeout') options.timeoutSeconds = Number(value);
    else if (flag === '--verbose') options.verbose = true;
    else if (flag === '--vsix') options.vsix = resolve(value);
    else if (!arg.startsWith('--') && options.testsPath === undefined) options.testsPath = resolve(arg);
    else throw new Error(`unknown argument: ${arg}`);
  }
  if (!(options.timeoutSeconds > 0)) throw new Error('--timeout must be a positive number of seconds');
  if (options.devPaths.length === 0 && !options.vsix) options.devPaths.push(ROOT);
  options.folder ??= options.devPaths[0] ?? ROOT;
  return options;
}

function log(message) {
  process.stdout.write(`[vscode-test ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
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

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((resolveLate) => {
      timer = setTimeout(resolveLate, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(CODE_SERVER_ENTRY))
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed: run scripts/vscode/install.sh`);
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: run scripts/vscode/install.sh`);
  for (const devPath of options.devPaths) {
    if (!existsSync(join(devPath, 'package.json'))) throw new Error(`no extension at ${devPath} (no package.json)`);
  }
  options.testsPath ??= await buildTests();

  const timeout = new AbortController();
  const deadline = setTimeout(
    () => timeout.abort(new Error(`timed out after ${options.timeoutSeconds} s`)),
    options.timeoutSeconds * 1000,
  );
  const temp = mkdtempSync(join(tmpdir(), 'dtmetrics-vscode-'));
  const profile = createProfile(temp);
  if (options.vsix) {
    // The extension under test comes from the package, installed as a user would; a stub extension under
    // development only gives the test suite its host.
    installExtension(options.vsix, profile);
    options.devPaths.push(createTestHost(temp));
  }
  const isolatedEnv = profile.env;
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
    server = spawnCodeServer({ port, folder: options.folder, profile });
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
    const url = workbenchUrl(port, options.folder, options.devPaths, options.testsPath);
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    log(`workbench opened; running ${options.testsPath}`);
    const code = await Promise.race([suiteDone, serverExited]);
    if (!hostExit)
      await withTimeout(
        new Promise((resolveExit) => {
          onHostExit = resolveExit;
        }),
        HOST_EXIT_GRACE_MS,
      );
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
        await withTimeout(
          page.screenshot({ path: shot }).then(
            () => log(`screenshot: ${shot}`),
            () => undefined,
          ),
          10_000,
        );
      }
      await new Promise((resolveEnd) => serverLog.end(resolveEnd));
      copyFileSync(serverLogFile, join(RESULTS_DIR, `vscode-${stamp}-code-server.log`));
      log(`code-server log: ${join(RESULTS_DIR, `vscode-${stamp}-code-server.log`)}`);
    }
    if (context)
      await withTimeout(
        context.close().catch(() => undefined),
        10_000,
      );
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
