// The results panel's render time for 100 series × 1,000 points, in a real VS Code (code-server) and Debian's
// chromium, from the data's message arriving in the webview to the end of uPlot's draw (the table of 100 rows is
// built in between), as the webview measures it with performance.now() and reports back.
//
//   npm run bench:panel    (= npm run build && node scripts/vscode/panel-bench.mjs [--runs=N])
//
// It writes a saved query result (a Metrics API v2 response, 1-minute points ending now, a fixed seed), bundles
// test/vscode/bench/panel-bench.ts as the extension-test entry and runs it through run-tests.mjs: the panel opens
// the file N + 1 times (the first render is a warm-up, reported apart), charting all 100 series. Results go to
// bench/PANEL-RESULTS.md with the median.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './build-tests.mjs';
import { CODE_SERVER_VERSION } from './code-server.mjs';

const SERIES = 100;
const POINTS = 1000;
const runsArg = process.argv.find((a) => a.startsWith('--runs='));
const RUNS = runsArg ? Number(runsArg.slice('--runs='.length)) : 10;
if (!(Number.isInteger(RUNS) && RUNS > 0)) throw new Error('--runs must be a positive integer');

/** A Metrics API v2 response: SERIES random walks of POINTS one-minute points, a few nulls, from a fixed seed. */
function response() {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  const timestamps = Array.from({ length: POINTS }, (_, i) => end - (POINTS - 1 - i) * 60_000);
  const data = Array.from({ length: SERIES }, (_, s) => {
    let value = 50 + s;
    const values = timestamps.map(() => (random() < 0.01 ? null : (value = Math.max(0, value + (random() - 0.5) * 4))));
    return {
      dimensions: [`host-${s}`, `zone-${s % 4}`],
      dimensionMap: { host: `host-${s}`, zone: `zone-${s % 4}` },
      timestamps,
      values,
    };
  });
  return {
    totalCount: SERIES,
    nextPageKey: null,
    resolution: '1m',
    result: [{ metricId: 'bench.latency', dataPointCountRatio: 0, dimensionCountRatio: 0, data }],
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[Math.floor(middle)];
};
const ms = (value) => value.toFixed(1);

const temp = mkdtempSync(join(tmpdir(), 'dtmetrics-panel-bench-'));
try {
  const file = join(temp, 'bench-result.json');
  const body = response();
  // The panel reports the values it drew: the nulls are not drawn.
  const drawn = body.result[0].data.reduce((n, series) => n + series.values.filter((v) => v !== null).length, 0);
  const text = JSON.stringify(body);
  writeFileSync(file, text);
  const suite = join(ROOT, '.vscode-test/out/bench/index.js');
  await build({
    entryPoints: [join(ROOT, 'test/vscode/bench/panel-bench.ts')],
    outfile: suite,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    logLevel: 'warning',
  });
  const out = join(temp, 'samples.json');
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts/vscode/run-tests.mjs'), suite], {
    stdio: 'inherit',
    env: {
      ...process.env,
      DTMETRICS_BENCH_FILE: file,
      DTMETRICS_BENCH_OUT: out,
      DTMETRICS_BENCH_RUNS: String(RUNS + 1),
    },
  });
  if (run.status !== 0) throw new Error(`the benchmark run failed (exit ${run.status})`);
  const { samples, vscode } = JSON.parse(readFileSync(out, 'utf8'));
  const [warmUp, ...measured] = samples;
  const wrong = samples.find((s) => s.chartSeries !== SERIES || s.chartPoints !== drawn);
  if (wrong)
    throw new Error(`a render drew ${wrong.chartSeries} series, ${wrong.chartPoints} points, not ${SERIES}, ${drawn}`);
  const chromium = spawnSync(process.env.DTMETRICS_CHROMIUM ?? '/usr/bin/chromium', ['--version'], {
    encoding: 'utf8',
  }).stdout.trim();
  const webview = measured.map((s) => s.webviewMs);
  const command = measured.map((s) => s.commandMs);
  const report = `# Results panel render time

Command: \`npm run bench:panel\` (\`npm run build && node scripts/vscode/panel-bench.mjs\`)  
Date: ${new Date().toISOString()}

Machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} logical CPUs), Linux ${release()}, Node ${process.version}; VS Code ${vscode} (code-server ${CODE_SERVER_VERSION}) in ${chromium || 'chromium'}, headless.

${SERIES} series × ${POINTS.toLocaleString('en-US')} points (1-minute steps, about 1 % nulls; ${(text.length / 1e6).toFixed(2)} MB of JSON) opened with **dtmetrics: Open Saved Query Result…**, all ${SERIES} series charted and listed. Median of ${RUNS} renders after one warm-up render.

| Measured | Median (ms) | Min (ms) | Max (ms) |
|---|--:|--:|--:|
| In the webview: the message's arrival → table built → uPlot's draw ended | **${ms(median(webview))}** | ${ms(Math.min(...webview))} | ${ms(Math.max(...webview))} |
| The command in the extension host: file read and parsed → posted → drawn → report received | ${ms(median(command))} | ${ms(Math.min(...command))} | ${ms(Math.max(...command))} |

Warm-up render (first in a new panel, not in the median): ${ms(warmUp.webviewMs)} ms in the webview, ${ms(warmUp.commandMs)} ms for the command.

Webview renders (ms): ${webview.map(ms).join(', ')}.  
Command runs (ms): ${command.map(ms).join(', ')}.
`;
  writeFileSync(join(ROOT, 'bench', 'PANEL-RESULTS.md'), report);
  console.log(`\n${report}`);
} finally {
  rmSync(temp, { recursive: true, force: true });
}
