/**
 * `node --import tsx bench/lsp-latency.ts` (after `npm run build`): how long an editor waits, over a real JSON-RPC
 * connection on stdio, from a one-character `didChange` to the diagnostics of the changed version, for a 1 MB
 * document, compared in the same run with `vscode-json-languageserver` (npm) on a 1 MB JSON document. Also the
 * extension's bundle sizes and how long its bundle takes to load. See bench/README.md. Writes bench/LSP-RESULTS.md.
 *
 * dtmetrics is measured in pull mode: `didChange`, then at once `textDocument/diagnostic`, timed from sending the
 * change to receiving the report (the server lints on demand, so no server-side delay hides in it). The JSON server
 * has no pull diagnostics; its closest equivalent is its own `json/validate` request, which validates the current
 * version at once and answers with the diagnostics. That pair is the main comparison. Push mode is measured too, for
 * both servers: `didChange` → `textDocument/publishDiagnostics`; there the JSON server waits a fixed 300 ms before it
 * validates, so that row shows what an editor sees rather than how fast the server works.
 *
 * The servers are measured in pairs (dtmetrics pull with JSON validate, then dtmetrics push with JSON push); the two
 * servers of a pair take turns by blocks of edits, so both see the same machine noise. The extension's activation is
 * timed in a real VS Code through the project's code-server harness when it is installed, and its bundle's load
 * time in plain `node` in any case. Every wait is on a message, with a deadline; the whole run has one too, and
 * every process started here is shut down (or killed) before the script ends.
 * Environment: BENCH_EDITS=n measured edits per measurement (default 60, at least 50); BENCH_CPU_PROF=DIR starts the
 * servers with `--cpu-prof --cpu-prof-dir=DIR`.
 *
 * The parts, in bench/lsp-latency/: documents.ts (the two documents), harness.ts (the servers as processes),
 * scenarios.ts (the sanity check and the interleaved edits), extension.ts (the bundle's load, VS Code's activation),
 * report.ts (LSP-RESULTS.md). This file runs them in order, within the run's deadline.
 */
import { statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonDocument, metricsDocument } from './lsp-latency/documents.ts';
import { EXTENSION_BUNDLE, LOAD_RUNS, loadOnce, vscodeActivation } from './lsp-latency/extension.ts';
import { children, DTMETRICS_SERVER, JSON_SERVER, Server } from './lsp-latency/harness.ts';
import { report } from './lsp-latency/report.ts';
import { interleave, prepare } from './lsp-latency/scenarios.ts';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'LSP-RESULTS.md');
/** The whole run is bounded. */
const RUN_DEADLINE_MS = 240_000;

const benchStart = performance.now();

async function main(): Promise<void> {
  for (const file of [DTMETRICS_SERVER, EXTENSION_BUNDLE, JSON_SERVER]) statSync(file); // fails early: run `npm run build`
  const { doc: metrics, parsed } = metricsDocument();
  const json = jsonDocument(parsed);
  const base = `file://${tmpdir()}/dtmetrics-lsp-bench-${process.pid}`;
  const servers: Server[] = [];
  const started = (server: Server) => (servers.push(server), server);
  try {
    const [pull, validate] = await Promise.all([
      prepare(
        started(new Server('dtmetrics', DTMETRICS_SERVER, 'pull', `${base}.dtmetrics`, 'dtmetrics')),
        metrics,
        ' ',
      ),
      prepare(
        started(new Server('vscode-json-languageserver', JSON_SERVER, 'validate', `${base}.json`, 'json')),
        json,
        '"',
      ),
    ]);
    await interleave([pull, validate]);
    await Promise.all([pull.server.stop(), validate.server.stop()]);
    const [dtmPush, jsonPush] = await Promise.all([
      prepare(
        started(new Server('dtmetrics', DTMETRICS_SERVER, 'push', `${base}-push.dtmetrics`, 'dtmetrics')),
        metrics,
        ' ',
      ),
      prepare(
        started(new Server('vscode-json-languageserver', JSON_SERVER, 'push', `${base}-push.json`, 'json')),
        json,
        '"',
      ),
    ]);
    await interleave([dtmPush, jsonPush]);
    await Promise.all([dtmPush.server.stop(), jsonPush.server.stop()]);
    const load: number[] = [];
    for (let i = 0; i < LOAD_RUNS; i++) load.push(await loadOnce());
    const activation = await vscodeActivation();
    const markdown = report(
      { pull, validate, dtmPush, jsonPush },
      load,
      activation,
      (performance.now() - benchStart) / 1000,
    );
    writeFileSync(RESULTS, markdown);
    process.stdout.write(markdown);
    process.stdout.write(`\nWritten to ${RESULTS}\n`);
  } catch (error) {
    for (const s of servers) if (s.errors) console.error(`${s.label} stderr:\n${s.errors}`);
    throw error;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

const deadline = setTimeout(() => {
  console.error(`lsp-latency: still running after ${RUN_DEADLINE_MS / 1000} s; stopping`);
  // SIGTERM: run-tests.mjs then ends code-server and the browser itself.
  for (const child of children) child.kill('SIGTERM');
  process.exit(2);
}, RUN_DEADLINE_MS);
deadline.unref();

main().then(
  () => {
    clearTimeout(deadline);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    for (const child of children) child.kill('SIGTERM');
    process.exitCode = 1;
  },
);
