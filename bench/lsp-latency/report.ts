/** The latency bench's report (bench/LSP-RESULTS.md): the tables, the targets met or missed, and how it was measured. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { reportHeader } from '../report-header.ts';
import { fmtInt, fmtMB, fmtMs, SEED, stats, verdict, type Stats } from '../lsp-common.ts';
import { TARGET_BYTES } from './documents.ts';
import { EXTENSION_BUNDLE, type Activation } from './extension.ts';
import { DTMETRICS_SERVER, JSON_PACKAGE, JSON_VALIDATION_DELAY_MS } from './harness.ts';
import { BLOCK, EDITS, WARMUP_EDITS, type Series } from './scenarios.ts';

const TARGET_P95_MS = 20;
const TARGET_RATIO = 5;
const TARGET_ACTIVATION_MS = 100;
const TARGET_BUNDLE_BYTES = 1_000_000;

export function report(
  rows: { pull: Series; validate: Series; dtmPush: Series; jsonPush: Series },
  load: number[],
  activation: Activation,
  wallS: number,
): string {
  const { pull, validate, dtmPush, jsonPush } = rows;
  const sP = stats(pull.samples);
  const sV = stats(validate.samples);
  const sDp = stats(dtmPush.samples);
  const sJp = stats(jsonPush.samples);
  const lint = stats(pull.lintMs);
  const extBytes = statSync(EXTENSION_BUNDLE).size;
  const srvBytes = statSync(DTMETRICS_SERVER).size;
  const loadStats = stats(load);
  const activationStats = stats(activation.ok ? activation.value.samples.map((a) => a.loadCode + a.callActivate) : [0]);
  const jsonVersion = (JSON.parse(readFileSync(join(JSON_PACKAGE, 'package.json'), 'utf8')) as { version: string })
    .version;
  const jsonName = `vscode-json-languageserver ${jsonVersion}`;
  const docM = pull.doc;
  const docJ = validate.doc;
  const ratio50 = sV.p50 / sP.p50;
  const ratio95 = sV.p95 / sP.p95;
  const row = (what: string, doc: string, s: Stats, target: string) =>
    `| ${what} | ${doc} | ${s.n} | ${fmtMs(s.p50)} | ${fmtMs(s.p95)} | ${fmtMs(s.max)} | ${target} |`;
  const dDoc = `${fmtMB(docM.bytes)}, ${fmtInt(docM.lines)} lines`;
  const jDoc = `${fmtMB(docJ.bytes)} JSON, ${fmtInt(docJ.lines)} lines`;
  const strays = validate.strays;
  return [
    ...reportHeader('dtmetrics language server latency', 'npm run build && node --import tsx bench/lsp-latency.ts'),
    '## One-character edit → diagnostics of the changed version',
    '',
    '| Measurement | Document | Edits | p50 (ms) | p95 (ms) | max (ms) | Target |',
    '|---|---|--:|--:|--:|--:|---|',
    row(
      'dtmetrics: `didChange` → `textDocument/diagnostic` (pull)',
      dDoc,
      sP,
      `p95 ≤ ${TARGET_P95_MS} ms: ${verdict(sP.p95 <= TARGET_P95_MS)}`,
    ),
    row(`${jsonName}: \`didChange\` → \`json/validate\` (no pull diagnostics; its on-demand validation)`, jDoc, sV, ''),
    `| **JSON ÷ dtmetrics, same work** (\`json/validate\` ÷ pull) | | | **×${ratio50.toFixed(1)}** | **×${ratio95.toFixed(1)}** | | ≥ ×${TARGET_RATIO} (p95): ${verdict(ratio95 >= TARGET_RATIO)} |`,
    `| JSON ÷ dtmetrics, JSON in push mode (JSON push, its ${JSON_VALIDATION_DELAY_MS} ms delay included, ÷ dtmetrics pull) | | | ×${(sJp.p50 / sP.p50).toFixed(1)} | ×${(sJp.p95 / sP.p95).toFixed(1)} | | ≥ ×${TARGET_RATIO} (p95): ${verdict(sJp.p95 / sP.p95 >= TARGET_RATIO)}, by the delay |`,
    row('dtmetrics: `didChange` → `publishDiagnostics` of that version (push)', dDoc, sDp, ''),
    row(
      `${jsonName}: \`didChange\` → next \`publishDiagnostics\` (push, after its fixed ${JSON_VALIDATION_DELAY_MS} ms delay)`,
      jDoc,
      sJp,
      '',
    ),
    `| JSON ÷ dtmetrics (push, what an editor sees) | | | ×${(sJp.p50 / sDp.p50).toFixed(1)} | ×${(sJp.p95 / sDp.p95).toFixed(1)} | | |`,
    '',
    '## Extension',
    '',
    '| Measurement | Value | Target |',
    '|---|--:|---|',
    `| Bundle \`dist/extension.js\` | ${fmtInt(extBytes)} bytes (${fmtMB(extBytes)}) | ≤ 1 MB: ${verdict(extBytes <= TARGET_BUNDLE_BYTES)} |`,
    `| Bundle \`dist/server.js\` | ${fmtInt(srvBytes)} bytes (${fmtMB(srvBytes)}) | ≤ 1 MB: ${verdict(srvBytes <= TARGET_BUNDLE_BYTES)} |`,
    !activation.ok
      ? `| Activation in VS Code (code-server) | not measured: ${activation.message.replace(/\|/g, '\\|')} | ≤ ${TARGET_ACTIVATION_MS} ms |`
      : `| Activation in VS Code (code-server; VS Code's own figure: load code + call \`activate()\`), median of ${activation.value.samples.length} fresh editors | ${fmtMs(activationStats.p50)} ms (min ${fmtMs(activationStats.min)}, max ${fmtMs(activationStats.max)}) | ≤ ${TARGET_ACTIVATION_MS} ms: ${verdict(activationStats.p50 <= TARGET_ACTIVATION_MS)} |`,
    `| Load time of \`dist/extension.js\` alone (\`require\` + module evaluation, fresh \`node\`, \`vscode\` stubbed), median of ${load.length} | ${fmtMs(loadStats.p50)} ms (max ${fmtMs(loadStats.max)}) | ≤ ${TARGET_ACTIVATION_MS} ms: ${verdict(loadStats.p50 <= TARGET_ACTIVATION_MS)} (load only) |`,
    `| dtmetrics language server start (spawn → \`initialize\` answered, stdio), median of 2 | ${fmtMs(stats([pull.server.startMs, dtmPush.server.startMs]).p50)} ms | (part of activation) |`,
    '',
    '## Notes',
    '',
    `- **Latency, dtmetrics (pull): p95 ${fmtMs(sP.p95)} ms** (target ≤ ${TARGET_P95_MS} ms): ${sP.p95 <= TARGET_P95_MS ? 'meets' : 'misses'} the target. Of that, the server's own lint of the whole document (its \`dtmetrics/validated\` notification, per measured version) took p50 ${fmtMs(lint.p50)} ms, p95 ${fmtMs(lint.p95)} ms; the rest is JSON-RPC on stdio both ways, applying the edit, and turning the findings into LSP diagnostics.`,
    `- **JSON server ÷ dtmetrics, same work: ×${ratio95.toFixed(1)} at p95, ×${ratio50.toFixed(1)} at p50** (target ≥ ×${TARGET_RATIO}): ${ratio95 >= TARGET_RATIO ? 'meets' : 'misses'} the target. Against the JSON server's push latency instead (didChange → publishDiagnostics, the measure to fall back on for a server without pull diagnostics) the ratio is ×${(sJp.p95 / sP.p95).toFixed(1)} at p95, but ${JSON_VALIDATION_DELAY_MS} ms of that is the JSON server's fixed delay before it validates, not work: the kind of server-side delay the pull measurement is meant to keep out.`,
    `- Method: ${EDITS} timed edits per row after ${WARMUP_EDITS} untimed ones, each timed from sending \`didChange\` to receiving the diagnostics, with the request for them sent right after the change (pull and \`json/validate\`). Edits alternate between inserting an \`x\` in the middle of a value and deleting it again, on ${docM.spots.length} lines spread over each document (dtmetrics: an unquoted dimension value near the middle of a data line; JSON: a string value), so the text stays realistic and returns to the original after every pair. The two servers of each pair run at the same time and take turns by blocks of ${BLOCK} edits, so machine noise falls on both; the pull pair runs first, then the push pair (each server its own process with one open document, ended before the next pair starts).`,
    `- ${jsonName} does not offer pull diagnostics (no \`diagnosticProvider\`), and it publishes diagnostics ${JSON_VALIDATION_DELAY_MS} ms after the last change, without a version. The main comparison therefore uses its \`json/validate\` request (what VS Code's JSON extension sends to validate on demand): it validates the current version at once (the parse of the new version included) and answers with its diagnostics, which is the same work as a dtmetrics pull. It was started as VS Code starts it (\`handledSchemaProtocols: ["file"]\`, settings with no schema): syntax validation only. It also validates by itself ${JSON_VALIDATION_DELAY_MS} ms after the last message: the script waits for that validation after each block of its edits, so it does not overlap the other server's; it still got in before a timed edit's answer ${strays} time(s). The push rows show what an editor waits for with each server in push mode; the JSON server's includes its fixed delay.`,
    `- Sanity check before timing, on each server: an edit that breaks one line (dtmetrics: a space in a dimension value; JSON: a \`"\` in a string) returned a diagnostic on that line (dtmetrics pull ${pull.check}; push ${dtmPush.check}; JSON validate ${validate.check}; push ${jsonPush.check}), and its undo returned none there and as many as before. After the series, the document, back to its original text, had ${pull.final} dtmetrics diagnostics (${pull.initial.length} on open) and ${validate.final} JSON ones (${validate.initial.length} on open).`,
    `- dtmetrics document: the lint benchmark's generator (bench/generate-metrics.ts, seed ${SEED}) at ${fmtInt(TARGET_BYTES)} bytes: ${docM.describe}. Its lines average ${Math.round(docM.bytes / docM.lines)} bytes, so 1 MB is ${fmtInt(docM.lines)} lines rather than about 10,000. Its timestamps are moved to end 5 minutes after the run starts (same digits), so the timestamp window is checked as in a live file. ${fmtInt(pull.initial.length)} diagnostics on open; the first diagnostics took ${fmtMs(pull.openMs)} ms after \`didOpen\` (pull).`,
    `- JSON document: the same data lines as an array of ${docJ.describe}; ${fmtInt(validate.initial.length)} diagnostics on open; the first diagnostics took ${fmtMs(validate.openMs)} ms after \`didOpen\` (\`json/validate\`).`,
    !activation.ok
      ? `- Activation: VS Code could not be run here (${activation.message}); the load-time row is \`require('dist/extension.js')\` in a fresh \`node\` with a stub for the \`vscode\` module (${load.map(fmtMs).join(', ')} ms): it covers evaluating the bundle (vscode-languageclient included) but not \`activate()\`, which creates the output channel and status item and starts the language server (spawn and \`initialize\`), nor VS Code's own work around it.`
      : `- Activation: measured in a real VS Code (code-server 4.96.4 / VS Code 1.96.4 with headless chromium, through scripts/vscode/run-tests.mjs), ${activation.value.samples.length} fresh editors (${activation.value.wallS.toFixed(1)} s in all). Each opens a \`.dtmetrics\` document (activation event ${[...new Set(activation.value.samples.map((a) => a.event))].join(', ')}), and reads VS Code's own figures from its Startup Performance view: load code + call \`activate()\` = ${activation.value.samples.map((a) => `${a.loadCode} + ${a.callActivate}`).join(', ')} ms; the activation promise settled ${activation.value.samples.map((a) => a.finishActivate).join(', ')} ms after that. The sum is the activation time VS Code shows (Developer: Show Running Extensions). \`activate()\` returns once the language client is created; the client then starts the server in the background (spawned over IPC and initialized), shown by the status item. The workbench is still starting when the suite runs, so the figures vary from run to run. For the parts: loading the bundle alone in \`node\` takes ${fmtMs(loadStats.p50)} ms (runs: ${load.map(fmtMs).join(', ')} ms), and starting the language server to its \`initialize\` answer takes about ${fmtMs(stats([pull.server.startMs, dtmPush.server.startMs]).p50)} ms in this script (stdio; the extension uses IPC).`,
    `- Bundles: esbuild, minified (scripts/build.mjs); the extension bundle includes vscode-languageclient. Source maps are not counted (${fmtInt(statSync(EXTENSION_BUNDLE + '.map').size)} and ${fmtInt(statSync(DTMETRICS_SERVER + '.map').size)} bytes).`,
    `- Whole bench: ${wallS.toFixed(1)} s.`,
    '',
  ].join('\n');
}
