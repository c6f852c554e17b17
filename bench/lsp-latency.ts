/**
 * `node --import tsx bench/lsp-latency.ts` (after `npm run build`): how long an editor waits, over a real JSON-RPC
 * connection on stdio, from a one-character `didChange` to the diagnostics of the changed version, for a 1 MB and a
 * 10 MB document, compared in the same run with `vscode-json-languageserver` (npm) on 1 MB and 10 MB of JSON. Also the
 * heap the linter keeps per line (bench/line-facts-heap.ts), the extension's bundle sizes and how long its bundle
 * takes to load. See bench/README.md. Writes bench/LSP-RESULTS.md.
 *
 * dtmetrics is measured in pull mode: `didChange`, then at once `textDocument/diagnostic`, timed from sending the
 * change to receiving the report (the server lints on demand, so no server-side delay hides in it). The JSON server
 * has no pull diagnostics; its closest equivalent is its own `json/validate` request, which validates the current
 * version at once and answers with the diagnostics. That pair is the main comparison. Push mode is measured too, for
 * both servers at 1 MB: `didChange` → `textDocument/publishDiagnostics`; there the JSON server waits a fixed 300 ms
 * before it validates, so that row shows what an editor sees rather than how fast the server works.
 *
 * The pull servers (dtmetrics at 1 MB and 10 MB, JSON at 1 MB) run at once and take turns by blocks of edits, so all
 * see the same machine noise, and the ratios between them (10 MB ÷ 1 MB, JSON ÷ dtmetrics) are of the same turns; they
 * do so BENCH_RUNS times (default 5), and the report gives the median run and the spread. The JSON server at 10 MB
 * runs alone after them (its validations would weigh on the others), then the push pair. The extension's activation is timed in a real VS Code through the project's code-server harness when it is
 * installed, and its bundle's load time in plain `node` in any case. Every wait is on a message, with a deadline; the
 * whole run has one too, and every process started here is shut down (or killed) before the script ends.
 * Environment: BENCH_EDITS=n measured edits per measurement (default 60, at least 50); BENCH_CPU_PROF=DIR starts the
 * servers with `--cpu-prof --cpu-prof-dir=DIR`; BENCH_BASELINE_SERVER=path/to/server.js measures another build of the
 * dtmetrics server (an older one, for a before-and-after) in the same turns, at both sizes.
 *
 * The parts, in bench/lsp-latency/: documents.ts (the documents), harness.ts (the servers as processes),
 * scenarios.ts (the sanity check and the interleaved edits), extension.ts (the bundle's load, VS Code's activation),
 * report.ts (LSP-RESULTS.md). This file runs them in order, within the run's deadline.
 */
import { statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonDocument, LARGE_BYTES, metricsDocument, SMALL_BYTES, type Doc } from './lsp-latency/documents.ts';
import { EXTENSION_BUNDLE, LOAD_RUNS, loadOnce, vscodeActivation } from './lsp-latency/extension.ts';
import { children, DTMETRICS_SERVER, JSON_SERVER, lineFactsHeap, Server } from './lsp-latency/harness.ts';
import { report } from './lsp-latency/report.ts';
import { interleave, prepare, type Series } from './lsp-latency/scenarios.ts';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'LSP-RESULTS.md');
/** The whole run is bounded. */
const RUN_DEADLINE_MS = 600_000;
const BASELINE_SERVER = process.env.BENCH_BASELINE_SERVER ? resolve(process.env.BENCH_BASELINE_SERVER) : null;
/** Runs of the pull servers' edits (BENCH_RUNS): the report gives the median run and the spread. */
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS) || 5);

const benchStart = performance.now();

async function main(): Promise<void> {
  for (const file of [DTMETRICS_SERVER, EXTENSION_BUNDLE, JSON_SERVER, ...(BASELINE_SERVER ? [BASELINE_SERVER] : [])])
    statSync(file); // fails early: run `npm run build`
  const small = metricsDocument(SMALL_BYTES);
  const large = metricsDocument(LARGE_BYTES);
  const jsonSmall = jsonDocument(small.parsed, SMALL_BYTES);
  const jsonLarge = jsonDocument(large.parsed, LARGE_BYTES);
  const base = `file://${tmpdir()}/dtmetrics-lsp-bench-${process.pid}`;
  const servers: Server[] = [];
  const started = (server: Server) => (servers.push(server), server);
  const dtmetrics = (name: string, script: string, mode: 'pull' | 'push', doc: Doc, suffix: string) =>
    prepare(started(new Server(name, script, mode, `${base}-${suffix}.dtmetrics`, 'dtmetrics')), doc, ' ');
  const json = (mode: 'validate' | 'push', doc: Doc, suffix: string) =>
    prepare(
      started(new Server('vscode-json-languageserver', JSON_SERVER, mode, `${base}-${suffix}.json`, 'json')),
      doc,
      '"',
    );
  try {
    const [pull, validate, pullLarge] = await Promise.all([
      dtmetrics('dtmetrics', DTMETRICS_SERVER, 'pull', small.doc, 'small'),
      json('validate', jsonSmall, 'small'),
      dtmetrics('dtmetrics', DTMETRICS_SERVER, 'pull', large.doc, 'large'),
    ]);
    const baseline: { small: Series; large: Series } | null = BASELINE_SERVER
      ? {
          small: await dtmetrics('dtmetrics (baseline)', BASELINE_SERVER, 'pull', small.doc, 'baseline-small'),
          large: await dtmetrics('dtmetrics (baseline)', BASELINE_SERVER, 'pull', large.doc, 'baseline-large'),
        }
      : null;
    const pulls = [pull, pullLarge, validate, ...(baseline ? [baseline.small, baseline.large] : [])];
    await interleave(pulls, RUNS);
    await Promise.all(pulls.map((s) => s.server.stop()));
    // Alone: its validations of 10 MB (about a second each) and their garbage collection would weigh on the others.
    const validateLarge = await json('validate', jsonLarge, 'large');
    await interleave([validateLarge]);
    await validateLarge.server.stop();
    const [dtmPush, jsonPush] = await Promise.all([
      dtmetrics('dtmetrics', DTMETRICS_SERVER, 'push', small.doc, 'push'),
      json('push', jsonSmall, 'push'),
    ]);
    await interleave([dtmPush, jsonPush]);
    await Promise.all([dtmPush.server.stop(), jsonPush.server.stop()]);
    const heap = await lineFactsHeap();
    const load: number[] = [];
    for (let i = 0; i < LOAD_RUNS; i++) load.push(await loadOnce());
    const activation = await vscodeActivation();
    const markdown = report(
      { pull, validate, pullLarge, validateLarge, dtmPush, jsonPush, baseline },
      heap,
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
