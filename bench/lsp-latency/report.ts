/** The latency bench's report (bench/LSP-RESULTS.md): the tables, the targets met or missed, and how it was measured. */
import { readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { reportHeader } from '../report-header.ts';
import { fmtInt, fmtMB, fmtMs, SEED, stats, verdict, type Stats } from '../lsp-common.ts';
import type { LineFactsHeap } from '../line-facts-heap.ts';
import { LARGE_BYTES, SMALL_BYTES } from './documents.ts';
import { EXTENSION_BUNDLE, type Activation } from './extension.ts';
import { DTMETRICS_SERVER, JSON_PACKAGE, JSON_VALIDATION_DELAY_MS } from './harness.ts';
import { BLOCK, EDITS, WARMUP_EDITS, type Series } from './scenarios.ts';

const TARGET_P95_MS = 20;
const TARGET_RATIO = 5;
const TARGET_ACTIVATION_MS = 100;
const TARGET_BUNDLE_BYTES = 1_000_000;

export interface Rows {
  pull: Series;
  validate: Series;
  pullLarge: Series;
  validateLarge: Series;
  dtmPush: Series;
  jsonPush: Series;
  /** Another build of the dtmetrics server, measured in the same turns (BENCH_BASELINE_SERVER). */
  baseline: { small: Series; large: Series } | null;
}

const ratio = (a: number, b: number): string => `×${(a / b).toFixed(a / b < 10 ? 2 : 1)}`;
const median = (xs: number[]): number => stats(xs).p50;

/** A series over its runs: p50 and p95 are the median run's, `p95s` each run's; n and max of all edits. */
type RunStats = Stats & { runs: number; p95s: number[] };

function ofRuns(series: Series): RunStats {
  const runs = series.runs.filter((r) => r.length > 0).map(stats);
  return {
    ...stats(series.samples),
    p50: median(runs.map((r) => r.p50)),
    p95: median(runs.map((r) => r.p95)),
    runs: runs.length,
    p95s: runs.map((r) => r.p95),
  };
}

/** a ÷ b at a percentile: the median of each run's ratio where both ran in the same turns, else of their medians. */
function runRatio(a: Series, b: Series, q: 'p50' | 'p95'): number {
  if (a.runs.length !== b.runs.length) return ofRuns(a)[q] / ofRuns(b)[q];
  return median(a.runs.map((run, i) => stats(run)[q] / stats(b.runs[i] as number[])[q]));
}
const docOf = (doc: Series['doc'], json: boolean) =>
  `${fmtMB(doc.bytes)}${json ? ' JSON' : ''}, ${fmtInt(doc.lines)} lines`;

export function report(rows: Rows, heap: LineFactsHeap, load: number[], activation: Activation, wallS: number): string {
  const { pull, validate, pullLarge, validateLarge, dtmPush, jsonPush, baseline } = rows;
  const sP = ofRuns(pull);
  const sV = ofRuns(validate);
  const sPL = ofRuns(pullLarge);
  const sVL = ofRuns(validateLarge);
  const sDp = ofRuns(dtmPush);
  const sJp = ofRuns(jsonPush);
  const lint = stats(pull.lintMs);
  const lintLarge = stats(pullLarge.lintMs);
  const extBytes = statSync(EXTENSION_BUNDLE).size;
  const srvBytes = statSync(DTMETRICS_SERVER).size;
  const loadStats = stats(load);
  const activationStats = stats(activation.ok ? activation.value.samples.map((a) => a.loadCode + a.callActivate) : [0]);
  const jsonVersion = (JSON.parse(readFileSync(join(JSON_PACKAGE, 'package.json'), 'utf8')) as { version: string })
    .version;
  const jsonName = `vscode-json-languageserver ${jsonVersion}`;
  const docM = pull.doc;
  const docML = pullLarge.doc;
  const ratio50 = runRatio(validate, pull, 'p50');
  const ratio95 = runRatio(validate, pull, 'p95');
  const row = (what: string, doc: string, s: RunStats, target: string) =>
    `| ${what} | ${doc} | ${s.runs > 1 ? `${s.runs} × ${s.n / s.runs}` : s.n} | ${fmtMs(s.p50)} | ${fmtMs(s.p95)}${s.runs > 1 ? ` (${fmtMs(Math.min(...s.p95s))}–${fmtMs(Math.max(...s.p95s))})` : ''} | ${fmtMs(s.max)} | ${target} |`;
  const ratioRow = (what: string, a: Series, b: Series, target: string) =>
    `| ${what} | | | ${ratio(runRatio(a, b, 'p50'), 1)} | ${ratio(runRatio(a, b, 'p95'), 1)} | | ${target} |`;
  const dDoc = docOf(docM, false);
  const dDocL = docOf(docML, false);
  const jDoc = docOf(validate.doc, true);
  const jDocL = docOf(validateLarge.doc, true);
  const strays = validate.strays + validateLarge.strays;
  const largeMet = sPL.p95 <= TARGET_P95_MS;
  const before = baseline && { small: ofRuns(baseline.small), large: ofRuns(baseline.large) };
  return [
    ...reportHeader(
      'dtmetrics language server latency',
      `npm run build && ${baseline ? `BENCH_BASELINE_SERVER=${process.env.BENCH_BASELINE_SERVER} ` : ''}node --import tsx bench/lsp-latency.ts`,
    ),
    '## One-character edit → diagnostics of the changed version',
    '',
    '| Measurement | Document | Edits (runs × edits) | p50 (ms) | p95 (ms) (runs: lowest–highest) | max (ms) | Target |',
    '|---|---|--:|--:|--:|--:|---|',
    row(
      'dtmetrics: `didChange` → `textDocument/diagnostic` (pull)',
      dDoc,
      sP,
      `p95 ≤ ${TARGET_P95_MS} ms: ${verdict(sP.p95 <= TARGET_P95_MS)}`,
    ),
    row(
      '**dtmetrics: `didChange` → `textDocument/diagnostic` (pull)**',
      `**${dDocL}**`,
      sPL,
      `p95 ≤ ${TARGET_P95_MS} ms: ${verdict(largeMet)}`,
    ),
    row(`${jsonName}: \`didChange\` → \`json/validate\` (no pull diagnostics; its on-demand validation)`, jDoc, sV, ''),
    row(`${jsonName}: \`didChange\` → \`json/validate\``, jDocL, sVL, ''),
    ratioRow(
      `**dtmetrics, 10 MB ÷ 1 MB** (${fmtInt(pullLarge.initial.length)} diagnostics against ${fmtInt(pull.initial.length)}, each answer carries them all)`,
      pullLarge,
      pull,
      '',
    ),
    ratioRow('JSON, 10 MB ÷ 1 MB', validateLarge, validate, ''),
    `| **JSON ÷ dtmetrics, same work, 1 MB** (\`json/validate\` ÷ pull) | | | **×${ratio50.toFixed(1)}** | **×${ratio95.toFixed(1)}** | | ≥ ×${TARGET_RATIO} (p95): ${verdict(ratio95 >= TARGET_RATIO)} |`,
    ratioRow('**JSON ÷ dtmetrics, same work, 10 MB**', validateLarge, pullLarge, ''),
    `| JSON ÷ dtmetrics, JSON in push mode (JSON push, its ${JSON_VALIDATION_DELAY_MS} ms delay included, ÷ dtmetrics pull), 1 MB | | | ×${(sJp.p50 / sP.p50).toFixed(1)} | ×${(sJp.p95 / sP.p95).toFixed(1)} | | ≥ ×${TARGET_RATIO} (p95): ${verdict(sJp.p95 / sP.p95 >= TARGET_RATIO)}, by the delay |`,
    row('dtmetrics: `didChange` → `publishDiagnostics` of that version (push)', dDoc, sDp, ''),
    row(
      `${jsonName}: \`didChange\` → next \`publishDiagnostics\` (push, after its fixed ${JSON_VALIDATION_DELAY_MS} ms delay)`,
      jDoc,
      sJp,
      '',
    ),
    `| JSON ÷ dtmetrics (push, what an editor sees) | | | ×${(sJp.p50 / sDp.p50).toFixed(1)} | ×${(sJp.p95 / sDp.p95).toFixed(1)} | | |`,
    '',
    ...(before && baseline
      ? [
          `## Before and after: another build of the server in the same turns (\`BENCH_BASELINE_SERVER=${process.env.BENCH_BASELINE_SERVER}\`)`,
          '',
          '| Measurement | Document | Edits (runs × edits) | p50 (ms) | p95 (ms) (runs: lowest–highest) | max (ms) | Target |',
          '|---|---|--:|--:|--:|--:|---|',
          row('baseline build: pull', dDoc, before.small, ''),
          row('baseline build: pull', dDocL, before.large, ''),
          ratioRow('this build ÷ baseline, 1 MB', pull, baseline.small, ''),
          ratioRow('**this build ÷ baseline, 10 MB**', pullLarge, baseline.large, ''),
          ratioRow('baseline, 10 MB ÷ 1 MB', baseline.large, baseline.small, ''),
          '',
        ]
      : []),
    '## Heap the linter keeps per line',
    '',
    `Between versions the editor's linter keeps each line's facts and the file-level checks' lists (\`node --expose-gc --import tsx bench/line-facts-heap.ts\`: ${fmtInt(heap.lines)} lines from the document above, the heap after garbage collection with the linter held minus without; median of ${heap.runs} runs).`,
    '',
    '| Lines | Bytes per line | Runs |',
    '|---|--:|---|',
    `| clean data lines | ${fmtInt(heap.cleanMedian)} | ${heap.clean.map(fmtInt).join(', ')} |`,
    `| the same lines, each with a finding (${heap.finding}) | ${fmtInt(heap.withFindingMedian)} | ${heap.withFinding.map(fmtInt).join(', ')} |`,
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
    `- **Latency, dtmetrics (pull): p95 ${fmtMs(sPL.p95)} ms at 10 MB, ${fmtMs(sP.p95)} ms at 1 MB** (target ≤ ${TARGET_P95_MS} ms): ${largeMet && sP.p95 <= TARGET_P95_MS ? 'meets' : 'misses'} the target (the median of ${sPL.runs} runs; each run's p95 at 10 MB: ${sPL.p95s.map(fmtMs).join(', ')} ms). 10 MB ÷ 1 MB, run by run in the same turns, is ${ratio(runRatio(pullLarge, pull, 'p95'), 1)} at p95 and ${ratio(runRatio(pullLarge, pull, 'p50'), 1)} at p50; the JSON server's is ${ratio(sVL.p95, sV.p95)}. Of that, the server's own lint of the version (its \`dtmetrics/validated\` notification, per measured version: the edited line parsed, the file-level checks brought up to date, the diagnostics made) took p50 ${fmtMs(lintLarge.p50)} ms, p95 ${fmtMs(lintLarge.p95)} ms at 10 MB and p50 ${fmtMs(lint.p50)} ms, p95 ${fmtMs(lint.p95)} ms at 1 MB; the rest is JSON-RPC on stdio both ways (the 10 MB document's ${fmtInt(pullLarge.initial.length)} diagnostics are sent whole with each answer), applying the edit, and turning the findings into LSP diagnostics.`,
    `- **JSON server ÷ dtmetrics, same work: ×${ratio95.toFixed(1)} at p95, ×${ratio50.toFixed(1)} at p50** (target ≥ ×${TARGET_RATIO}): ${ratio95 >= TARGET_RATIO ? 'meets' : 'misses'} the target. Against the JSON server's push latency instead (didChange → publishDiagnostics, the measure to fall back on for a server without pull diagnostics) the ratio is ×${(sJp.p95 / sP.p95).toFixed(1)} at p95, but ${JSON_VALIDATION_DELAY_MS} ms of that is the JSON server's fixed delay before it validates, not work: the kind of server-side delay the pull measurement is meant to keep out.`,
    `- Noise: the machine is shared (2 cores; other work ran during the bench: load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ', ',
      )} at the end), so the pull servers' edits run ${sP.runs} times over and each row gives the median run's p50 and p95 with the lowest and highest run's p95: the spread is the noise. The ratios are taken run by run, between servers that took turns, and their median given.`,
    `- Method: ${EDITS} timed edits per row and run after ${WARMUP_EDITS} untimed ones, each timed from sending \`didChange\` to receiving the diagnostics, with the request for them sent right after the change (pull and \`json/validate\`). Edits alternate between inserting an \`x\` in the middle of a value and deleting it again, on ${docM.spots.length} lines spread over each document (dtmetrics: an unquoted dimension value near the middle of a data line; JSON: a string value), so the text stays realistic and returns to the original after every pair. The servers of a set run at the same time and take turns by blocks of ${BLOCK} edits, so machine noise falls on all: first dtmetrics at 1 MB and 10 MB and the JSON server at 1 MB${baseline ? ', with the baseline build at both sizes' : ''}, ${sP.runs} runs; then the JSON server at 10 MB alone, one run (its validations, about ${fmtMs(sVL.p50 / 1000)} s each, and their garbage collection would weigh on the others' timings); then the push pair. Each server is its own process with one open document, ended before the next set starts.`,
    `- ${jsonName} does not offer pull diagnostics (no \`diagnosticProvider\`), and it publishes diagnostics ${JSON_VALIDATION_DELAY_MS} ms after the last change, without a version. The main comparison therefore uses its \`json/validate\` request (what VS Code's JSON extension sends to validate on demand): it validates the current version at once (the parse of the new version included) and answers with its diagnostics, which is the same work as a dtmetrics pull. It was started as VS Code starts it (\`handledSchemaProtocols: ["file"]\`, settings with no schema): syntax validation only. It also validates by itself ${JSON_VALIDATION_DELAY_MS} ms after the last message: the script waits for that validation after each block of its edits, so it does not overlap the other server's; it still got in before a timed edit's answer ${strays} time(s). The push rows show what an editor waits for with each server in push mode; the JSON server's includes its fixed delay.`,
    `- Sanity check before timing, on each server: an edit that breaks one line (dtmetrics: a space in a dimension value; JSON: a \`"\` in a string) returned a diagnostic on that line (dtmetrics pull ${pull.check}, at 10 MB ${pullLarge.check}; push ${dtmPush.check}; JSON validate ${validate.check}, at 10 MB ${validateLarge.check}; push ${jsonPush.check}), and its undo returned none there and as many as before. After the series, the documents, back to their original text, had ${pull.final} and ${pullLarge.final} dtmetrics diagnostics (${pull.initial.length} and ${pullLarge.initial.length} on open: lines whose timestamps left the window meanwhile add TS003) and ${validate.final} and ${validateLarge.final} JSON ones (${validate.initial.length} and ${validateLarge.initial.length} on open).`,
    `- dtmetrics documents: the lint benchmark's generator (bench/generate-metrics.ts, seed ${SEED}) at ${fmtInt(SMALL_BYTES)} bytes (${docM.describe}) and at ${fmtInt(LARGE_BYTES)} bytes (${docML.describe}). Its lines average ${Math.round(docM.bytes / docM.lines)} bytes, so 1 MB is ${fmtInt(docM.lines)} lines rather than about 10,000. Their timestamps are moved to end 5 minutes after the run starts (same digits), so the timestamp window is checked as in a live file. ${fmtInt(pull.initial.length)} and ${fmtInt(pullLarge.initial.length)} diagnostics on open; the first diagnostics took ${fmtMs(pull.openMs)} and ${fmtMs(pullLarge.openMs)} ms after \`didOpen\` (pull).`,
    `- JSON documents: the same data lines as an array of ${validate.doc.describe} (1 MB) and of ${validateLarge.doc.describe} (10 MB); ${fmtInt(validate.initial.length)} and ${fmtInt(validateLarge.initial.length)} diagnostics on open; the first diagnostics took ${fmtMs(validate.openMs)} and ${fmtMs(validateLarge.openMs)} ms after \`didOpen\` (\`json/validate\`).`,
    !activation.ok
      ? `- Activation: VS Code could not be run here (${activation.message}); the load-time row is \`require('dist/extension.js')\` in a fresh \`node\` with a stub for the \`vscode\` module (${load.map(fmtMs).join(', ')} ms): it covers evaluating the bundle (vscode-languageclient included) but not \`activate()\`, which creates the output channel and status item and starts the language server (spawn and \`initialize\`), nor VS Code's own work around it.`
      : `- Activation: measured in a real VS Code (code-server 4.96.4 / VS Code 1.96.4 with headless chromium, through scripts/vscode/run-tests.mjs), ${activation.value.samples.length} fresh editors (${activation.value.wallS.toFixed(1)} s in all). Each opens a \`.dtmetrics\` document (activation event ${[...new Set(activation.value.samples.map((a) => a.event))].join(', ')}), and reads VS Code's own figures from its Startup Performance view: load code + call \`activate()\` = ${activation.value.samples.map((a) => `${a.loadCode} + ${a.callActivate}`).join(', ')} ms; the activation promise settled ${activation.value.samples.map((a) => a.finishActivate).join(', ')} ms after that. The sum is the activation time VS Code shows (Developer: Show Running Extensions). \`activate()\` returns once the language client is created; the client then starts the server in the background (spawned over IPC and initialized), shown by the status item. The workbench is still starting when the suite runs, so the figures vary from run to run. For the parts: loading the bundle alone in \`node\` takes ${fmtMs(loadStats.p50)} ms (runs: ${load.map(fmtMs).join(', ')} ms), and starting the language server to its \`initialize\` answer takes about ${fmtMs(stats([pull.server.startMs, dtmPush.server.startMs]).p50)} ms in this script (stdio; the extension uses IPC).`,
    `- Bundles: esbuild, minified (scripts/build.mjs); the extension bundle includes vscode-languageclient. Source maps are not counted (${fmtInt(statSync(EXTENSION_BUNDLE + '.map').size)} and ${fmtInt(statSync(DTMETRICS_SERVER + '.map').size)} bytes).`,
    `- Whole bench: ${wallS.toFixed(1)} s.`,
    '',
  ].join('\n');
}
