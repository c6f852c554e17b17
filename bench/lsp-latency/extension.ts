/**
 * The extension's side of the latency bench: how long dist/extension.js takes to load in plain `node`, and, when
 * code-server is installed, how long VS Code itself counts for its activation.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Result } from '#core/result.ts';
import { children, ROOT, runNode } from './harness.ts';

export const EXTENSION_BUNDLE = join(ROOT, 'dist', 'extension.js');
const RUN_TESTS = join(ROOT, 'scripts', 'vscode', 'run-tests.mjs');
/** Runs of the bundle's load time. */
export const LOAD_RUNS = 7;
/** Fresh code-server runs for the activation figure (about 8 s each). */
const ACTIVATION_RUNS = 5;

/**
 * Loads dist/extension.js in a fresh `node` with `vscode` stubbed (only the extension host provides it) and reports
 * how long `require` took: module evaluation of the bundle and everything it pulls in, not `activate()`.
 */
const LOAD_SCRIPT = `
const Module = require('node:module');
const stub = new Proxy(function () {}, {
  get: (_t, p) => (typeof p === 'symbol' || p === 'then' ? undefined : stub),
  apply: () => stub,
  construct: () => stub,
});
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? stub : load.call(this, request, ...rest); };
const t0 = performance.now();
const extension = require(process.argv[1]);
const ms = performance.now() - t0;
if (typeof extension.activate !== 'function') throw new Error('the bundle exports no activate()');
process.stdout.write(JSON.stringify({ ms }));
`;

export async function loadOnce(): Promise<number> {
  const out = await runNode(['-e', LOAD_SCRIPT, EXTENSION_BUNDLE], 'loading dist/extension.js', 20_000);
  return (JSON.parse(out) as { ms: number }).ms;
}

/**
 * The extension's activation in a real VS Code, when code-server is installed (scripts/vscode/install.sh): the
 * project's harness (scripts/vscode/run-tests.mjs) runs a one-function suite, written to a temporary folder, that
 * opens a `.dtmetrics` document (activation event `onLanguage:dtmetrics`, as for a user), waits for the extension to
 * be active, then reads VS Code's own figures from its "Startup Performance" view (`perfview.show`, table
 * "Extension Activation Stats"): the time to load the code and to call `activate()`. Their sum is what VS Code
 * shows as the extension's activation time (Developer: Show Running Extensions). An extension activates once per
 * window, so each sample is a fresh code-server.
 */
const ACTIVATION_SUITE = `
exports.run = async function () {
  const vscode = require('vscode');
  const extension = vscode.extensions.getExtension('dtmetrics.dtmetrics');
  if (!extension) throw new Error('dtmetrics.dtmetrics is not installed in the editor under test');
  if (extension.isActive) throw new Error('the extension was already active when the suite started');
  const until = async (what, ok) => {
    const deadline = Date.now() + 30000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await vscode.workspace.openTextDocument({ language: 'dtmetrics', content: 'cpu.temperature,host=a gauge,17.1\\n' });
  await until('activation', () => extension.isActive);
  await vscode.commands.executeCommand('perfview.show');
  const perf = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'perf', path: 'Startup Performance' }));
  const row = () => perf.getText().split('\\n').find((l) => l.startsWith('| dtmetrics.dtmetrics '));
  await until('the Startup Performance view', () => row() !== undefined);
  const [loadCode, callActivate, finishActivate, event] = row().split('|').slice(3, 7).map((c) => c.trim());
  console.log('DTMETRICS_ACTIVATION ' + JSON.stringify({ loadCode: +loadCode, callActivate: +callActivate, finishActivate: +finishActivate, event }));
};
`;

/** VS Code's activation figures for the extension, in ms, from one fresh editor. */
interface ActivationSample {
  loadCode: number;
  callActivate: number;
  finishActivate: number;
  event: string;
}
/** The activation figures of fresh editors, or why VS Code could not be run. */
export type Activation = Result<{ samples: ActivationSample[]; wallS: number }>;

export async function vscodeActivation(): Promise<Activation> {
  const dir = mkdtempSync(join(tmpdir(), 'dtmetrics-activation-'));
  const suite = join(dir, 'index.js');
  writeFileSync(suite, ACTIVATION_SUITE);
  const t0 = performance.now();
  const samples: ActivationSample[] = [];
  try {
    for (let i = 0; i < ACTIVATION_RUNS; i++) {
      const sample = await activationOnce(suite);
      if (!sample.ok) return sample;
      samples.push(sample.value);
    }
    return { ok: true, value: { samples, wallS: (performance.now() - t0) / 1000 } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function activationOnce(suite: string): Promise<Result<ActivationSample>> {
  return new Promise((resolveActivation) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    // run-tests.mjs ends code-server, the browser and the language server itself, on its own timeout or on SIGTERM.
    // A folder with no .dtmetrics file: one with them activates the extension at start-up (workspaceContains, for
    // the local tenant's lease), before the suite could open a document.
    const folder = `--folder=${dirname(suite)}`;
    const child = spawn(process.execPath, [RUN_TESTS, `--extensionTestsPath=${suite}`, folder, '--timeout=60'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 75_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      const line = /^DTMETRICS_ACTIVATION (.*)$/m.exec(out);
      const last = out.trim().split('\n').slice(-1)[0] ?? '';
      if (code !== 0 || !line)
        resolveActivation({ ok: false, message: `code-server run failed (exit ${code}): ${last}` });
      else resolveActivation({ ok: true, value: JSON.parse(line[1] as string) as ActivationSample });
    });
  });
}
