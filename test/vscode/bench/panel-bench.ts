// The results panel's render benchmark, run inside a real VS Code by scripts/vscode/panel-bench.mjs (not part of the
// test suite): opens a saved query result (DTMETRICS_BENCH_FILE: 100 series × 1,000 points) in the panel
// DTMETRICS_BENCH_RUNS times, with every series charted, and writes each render's figures to DTMETRICS_BENCH_OUT
// as JSON. The panel measures itself: from the message's arrival in the webview to the end of uPlot's draw.
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { QueryOutcome } from '#client/query/index.ts';
import { EXTENSION_ID } from '../helpers.ts';

export interface BenchSample {
  /** In the webview: message arrival → table built → chart drawn. */
  webviewMs: number;
  /** The command in the extension host: file read, parse, post, render, report back. */
  commandMs: number;
  chartSeries: number;
  chartPoints: number;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run node scripts/vscode/panel-bench.mjs`);
  return value;
}

export async function run(): Promise<void> {
  const file = vscode.Uri.file(required('DTMETRICS_BENCH_FILE'));
  const runs = Number(required('DTMETRICS_BENCH_RUNS'));
  // Before the query bundle loads: the panel charts this many series from the start.
  await vscode.workspace
    .getConfiguration('dtmetrics')
    .update('query.chartSeries', 100, vscode.ConfigurationTarget.Global);
  await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  const samples: BenchSample[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const outcome = await vscode.commands.executeCommand<QueryOutcome>('dtmetrics.openQueryResult', { uri: file });
    const commandMs = performance.now() - started;
    const report = outcome.rendered;
    if (!report) throw new Error(`render ${i + 1}: the panel did not report: ${JSON.stringify(outcome)}`);
    samples.push({
      webviewMs: report.ms,
      commandMs,
      chartSeries: report.chartSeries.length,
      chartPoints: report.chartPoints,
    });
    console.log(
      `render ${i + 1}/${runs}: ${report.ms.toFixed(1)} ms in the webview, ${commandMs.toFixed(1)} ms for the command`,
    );
  }
  writeFileSync(required('DTMETRICS_BENCH_OUT'), JSON.stringify({ samples, vscode: vscode.version }, null, 2));
  console.log(`${runs} passed, 0 failed`);
}
