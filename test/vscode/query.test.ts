// Querying from a real VS Code against the real local tenant (dist/cli.js serve, started here with a token and fault
// injection): lines sent with Send File, then the query commands with argument objects (no questions asked). Each
// query command resolves with a QueryOutcome whose `rendered` is the results panel's own report of what it drew
// (legend labels read from its DOM, table rows, banners, canvas size): the assertions read the webview through it.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { SendSummary } from '#client/push/send.ts';
import type { QueryOutcome } from '#client/query/index.ts';
import type { MetricData } from '#core/metrics/api.ts';
import { EXTENSION_ID, startTenant, stopProcess, waitFor } from './helpers.ts';

const ENVIRONMENT = 'query test tenant';
const V1_ENVIRONMENT = 'query test older cluster';
const TOKEN = `dt0c01.QUERYTEST.${randomBytes(16).toString('hex')}`;
const XSS = '<img src=x onerror=alert(1)>';
const MANY = 100_000;

const scratch = mkdtempSync(join(tmpdir(), 'dtmetrics-vscode-query-'));
const settings = () => vscode.workspace.getConfiguration('dtmetrics');
const query = (arg: object) =>
  vscode.commands.executeCommand<QueryOutcome>('dtmetrics.queryMetric', { environment: ENVIRONMENT, ...arg });

/** The results panels' tabs (their view type carries VS Code's own prefix). */
const resultTabs = () =>
  vscode.window.tabGroups.all
    .flatMap((group) => group.tabs.map((tab) => ({ tab, group })))
    .filter(
      ({ tab }) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('dtmetrics.queryResults'),
    );

function rendered(outcome: QueryOutcome) {
  assert.ok(outcome.rendered, `the panel did not report a render: ${JSON.stringify(outcome)}`);
  return outcome.rendered;
}

describe('querying from VS Code', () => {
  let tenant: { child: ChildProcess; url: string };
  let file: vscode.Uri;

  /** POSTs to the tenant with the token (fault injection and bulk ingest, which the editor does not do). */
  const post = async (path: string, body: string) => {
    const response = await fetch(`${tenant.url}${path}`, {
      method: 'POST',
      body,
      headers: {
        Authorization: `Api-Token ${TOKEN}`,
        'Content-Type': path.includes('faults') ? 'application/json' : 'text/plain',
      },
    });
    assert.ok(response.status < 300, `${path}: ${response.status} ${await response.text()}`);
  };

  before(async () => {
    tenant = await startTenant(0, TOKEN, join(scratch, 'tenant.data'), [
      '--faults',
      '--max-series',
      String(MANY + 1000),
    ]);
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const added = await vscode.commands.executeCommand<{ error?: string }>('dtmetrics.addEnvironment', {
      name: ENVIRONMENT,
      kind: 'url',
      url: tenant.url,
      token: TOKEN,
    });
    assert.equal(added.error, undefined);
    const minute = 60_000;
    const at = Math.floor(Date.now() / minute) * minute;
    const lines = [
      `vscode.query.latency,host=alpha 10 ${at - 20 * minute}`,
      `vscode.query.latency,host=alpha 12 ${at - 10 * minute}`,
      `vscode.query.latency,host=beta 7 ${at - 20 * minute}`,
      `vscode.query.latency,host=beta 9 ${at - 10 * minute}`,
      `vscode.query.latency,host="${XSS}" 3 ${at - 10 * minute}`,
      '',
      'vscode.query.requests,host=alpha count,delta=4',
    ];
    file = vscode.Uri.file(join(scratch, 'query.dtmetrics'));
    writeFileSync(file.fsPath, lines.join('\n') + '\n');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    const sent = await vscode.commands.executeCommand<SendSummary>('dtmetrics.sendFile', {
      uri: file,
      environment: ENVIRONMENT,
    });
    assert.equal(sent.accepted, 6, sent.message);
    // The unit, in the metric's descriptor: the panel asks for it beside the query.
    await post('/api/v2/metrics/ingest', '#vscode.query.latency gauge dt.meta.unit=MilliSecond');
  });

  after(async () => {
    for (const name of [ENVIRONMENT, V1_ENVIRONMENT])
      await vscode.commands.executeCommand('dtmetrics.removeEnvironment', { name });
    await settings().update('environment', undefined, vscode.ConfigurationTarget.Global);
    if (tenant) await stopProcess(tenant.child);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('Query Metric with an argument: one panel beside the editor, which keeps the focus; its chart and table show every series, a dimension value as text', async () => {
    const outcome = await query({ metricSelector: 'vscode.query.latency', from: 'now-30m', resolution: '1m' });
    assert.equal(outcome.ok, true, outcome.message);
    assert.equal(outcome.series, 3);
    const report = rendered(outcome);
    // By maximum; each with its last value and the descriptor's unit, also over the value axis.
    assert.deepEqual(report.chartSeries, ['host=alpha', 'host=beta', `host=${XSS}`]);
    assert.deepEqual(report.legendValues, ['12 ms', '9 ms', '3 ms']);
    assert.equal(report.axisUnit, 'ms');
    assert.equal(report.tableRows, 3);
    // Five values; the one value of the <img> host, alone, is a marker (the others are lines of two points).
    assert.deepEqual([report.chartPoints, report.markers], [5, 1]);
    assert.ok(report.canvas.width > 0 && report.canvas.height > 0, `canvas ${JSON.stringify(report.canvas)}`);
    assert.deepEqual(report.banners, []);
    assert.ok(!JSON.stringify(outcome).includes(TOKEN), 'the token reached the panel');

    const tabs = resultTabs();
    assert.equal(tabs.length, 1);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.toString(), file.toString(), 'the panel took the focus');
    assert.notEqual(tabs[0]?.group.viewColumn, editor?.viewColumn, 'the panel is not beside the editor');
  });

  it('the CodeLens and Query Metric Under Cursor query the stored key (count metrics as key.count); the same panel shows each result; Rerun Last Query reruns', async () => {
    await vscode.commands.executeCommand('dtmetrics.selectEnvironment', { name: ENVIRONMENT });
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file);
    const queries = lenses.filter((lens) => lens.command?.command === 'dtmetrics.queryMetricUnderCursor');
    assert.deepEqual(
      queries.map((lens) => lens.range.start.line),
      [0, 6],
    );
    const count = queries[1]?.command;
    assert.ok(count);
    const counted = await vscode.commands.executeCommand<QueryOutcome>(count.command, ...(count.arguments ?? []));
    assert.equal(counted.spec?.metricSelector, 'vscode.query.requests.count');
    assert.equal(counted.series, 1, counted.message);
    assert.deepEqual(rendered(counted).chartSeries, ['host=alpha']);
    // No unit in its descriptor: none over the axis.
    assert.equal(rendered(counted).axisUnit, '');

    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    editor.selection = new vscode.Selection(2, 5, 2, 5);
    const underCursor = await vscode.commands.executeCommand<QueryOutcome>('dtmetrics.queryMetricUnderCursor');
    assert.equal(underCursor.spec?.metricSelector, 'vscode.query.latency');
    assert.equal(underCursor.series, 3, underCursor.message);

    const rerun = await vscode.commands.executeCommand<QueryOutcome>('dtmetrics.rerunLastQuery');
    assert.deepEqual(rerun.spec, underCursor.spec);
    assert.equal(rendered(rerun).tableRows, 3);
    assert.equal(resultTabs().length, 1, 'a second panel opened');
  });

  it('a file of one metric a line gets one Query lens a block, beside its Send lens; a block of several metrics asks which', async () => {
    const minute = 60_000;
    const at = Math.floor(Date.now() / minute) * minute - 5 * minute;
    const lines = [
      '// one metric a line',
      `vscode.lens.cpu,host=a 12.5 ${at}`,
      `vscode.lens.memory,host=a 2048 ${at}`,
      `vscode.lens.disk,host=a 100 ${at}`,
      `vscode.lens.requests,host=a count,delta=5 ${at}`,
      '',
      `vscode.lens.alone,host=a 1 ${at}`,
    ];
    const uri = vscode.Uri.file(join(scratch, 'one-metric-a-line.dtmetrics'));
    writeFileSync(uri.fsPath, lines.join('\n') + '\n');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const sent = await vscode.commands.executeCommand<SendSummary>('dtmetrics.sendFile', {
      uri,
      environment: ENVIRONMENT,
    });
    assert.equal(sent.accepted, 5, sent.message);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const rows = (command: string) =>
      lenses.filter((lens) => lens.command?.command === command).map((lens) => lens.range.start.line);
    assert.deepEqual(rows('dtmetrics.queryMetricUnderCursor'), [1, 6], 'one Query lens a block, not a line');
    assert.deepEqual(rows('dtmetrics.queryMetricUnderCursor'), rows('dtmetrics.sendSelection'), 'beside the Send lens');
    const [several, one] = lenses
      .filter((lens) => lens.command?.command === 'dtmetrics.queryMetricUnderCursor')
      .map((lens) => lens.command as vscode.Command);
    assert.equal(several?.title, '$(graph) Query (4 metrics)…');
    assert.equal(one?.title, '$(graph) Query');

    const alone = await vscode.commands.executeCommand<QueryOutcome>(one.command, ...(one.arguments ?? []));
    assert.equal(alone.spec?.metricSelector, 'vscode.lens.alone', 'one metric: queried at once');
    // Several: a pick of the block's keys as stored, in order; the first one accepted.
    let settled = false;
    const picked = Promise.resolve(
      vscode.commands.executeCommand<QueryOutcome>(several.command, ...(several.arguments ?? [])),
    ).finally(() => (settled = true));
    await waitFor('the pick to be answered', async () => {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return settled;
    });
    const outcome = await picked;
    assert.equal(outcome.spec?.metricSelector, 'vscode.lens.cpu');
    assert.equal(outcome.series, 1, outcome.message);
  });

  it("bad input gets a clear banner: a selector mistake (the tenant's message), a metric that does not exist (with the .count hint), an empty result (its likely reasons)", async () => {
    const syntax = await query({ metricSelector: 'vscode.query.latency:splitBy(host))' });
    assert.equal(syntax.ok, false);
    assert.match(syntax.message ?? '', /metricSelector: .*Unexpected '\)' at index 34/);
    assert.match(
      rendered(syntax).banners[0] ?? '',
      /^The tenant refused the selector: metricSelector: .*Unexpected '\)' at index 34/,
    );

    const missing = await query({ metricSelector: 'vscode.query.requests' });
    assert.equal(missing.ok, false);
    assert.match(
      rendered(missing).banners[0] ?? '',
      /404 Metric 'vscode.query.requests' not found. Did you mean 'vscode.query.requests.count'\?/,
    );

    const empty = await query({ metricSelector: 'vscode.query.latency:filter(eq(host,nobody))' });
    assert.equal(empty.ok, true, empty.message);
    assert.equal(empty.series, 0);
    const report = rendered(empty);
    assert.deepEqual(report.banners, ['No series in this result.']);
    assert.deepEqual([report.tableRows, report.chartSeries.length], [0, 0]);
  });

  it('a tenant that does not answer in time: the panel says so', async () => {
    await post('/_dtmetrics/faults', JSON.stringify({ faults: [{ path: '/api/v2/metrics/query', slowMs: 3000 }] }));
    const slow = await query({ metricSelector: 'vscode.query.latency', timeoutMs: 300 });
    assert.equal(slow.ok, false);
    assert.match(slow.message ?? '', /did not answer in time/);
    assert.match(rendered(slow).banners[0] ?? '', /did not answer in time/);
  });

  it("a response with null values everywhere and a warning: the table lists the series, banners give the tenant's warning and say none has a value, nothing is charted", async () => {
    const timestamps = [Date.now() - 120_000, Date.now() - 60_000];
    const body: MetricData = {
      totalCount: 2,
      nextPageKey: null,
      resolution: '1m',
      warnings: [`The dimension ${XSS} was renamed`],
      result: [
        {
          metricId: 'vscode.query.nulls',
          dataPointCountRatio: 0,
          dimensionCountRatio: 0,
          data: ['a', 'b'].map((host) => ({
            dimensions: [host],
            dimensionMap: { host },
            timestamps,
            values: [null, null],
          })),
        },
      ],
    };
    await post(
      '/_dtmetrics/faults',
      JSON.stringify({
        faults: [
          { path: '/api/v2/metrics/query', status: 200, contentType: 'application/json', body: JSON.stringify(body) },
        ],
      }),
    );
    const nulls = await query({ metricSelector: 'vscode.query.nulls' });
    assert.equal(nulls.ok, true, nulls.message);
    const report = rendered(nulls);
    assert.deepEqual(report.banners.slice(0, 1), [`The tenant warns: The dimension ${XSS} was renamed`]);
    assert.match(report.banners[1] ?? '', /^Every value is null: 2 series exist/);
    assert.deepEqual([report.tableRows, report.chartSeries.length], [2, 0]);
  });

  it(`${MANY.toLocaleString('en-US')} series: the table holds them all, the chart the top 20 by maximum`, async function () {
    this.timeout(120_000);
    for (let start = 0; start < MANY; start += 5000) {
      await post(
        '/api/v2/metrics/ingest',
        Array.from({ length: 5000 }, (_, i) => `vscode.query.many,id=${start + i} ${start + i}`).join('\n'),
      );
    }
    const many = await query({ metricSelector: 'vscode.query.many', resolution: 'Inf' });
    assert.equal(many.ok, true, many.message);
    assert.equal(many.series, MANY);
    const report = rendered(many);
    assert.equal(report.tableRows, MANY);
    assert.deepEqual(report.chartSeries.slice(0, 3), ['id=99999', 'id=99998', 'id=99997']);
    assert.equal(report.chartSeries.length, 20);
  });

  it('an older cluster (v1): the same panel shows POST /api/v1/timeseries/{id} as series', async () => {
    const added = await vscode.commands.executeCommand<{ error?: string }>('dtmetrics.addEnvironment', {
      name: V1_ENVIRONMENT,
      kind: 'url',
      url: tenant.url,
      token: TOKEN,
      v1: true,
    });
    assert.equal(added.error, undefined);
    const stored = settings()
      .get<{ name: string; v1?: boolean }[]>('environments')
      ?.find((e) => e.name === V1_ENVIRONMENT);
    assert.equal(stored?.v1, true);
    const v1 = await query({
      environment: V1_ENVIRONMENT,
      metricSelector: 'vscode.query.latency',
      from: 'now-30m',
      aggregation: 'MAX',
    });
    assert.equal(v1.ok, true, v1.message);
    assert.equal(v1.series, 3);
    const report = rendered(v1);
    assert.deepEqual([...report.chartSeries].sort(), [`series=${XSS}`, 'series=alpha', 'series=beta']);
    assert.equal(report.tableRows, 3);
    // The v1 answer carries the unit itself.
    assert.equal(report.axisUnit, 'ms');

    // Edited back to the Metrics API v2: the mark leaves the settings, the selector goes to v2 again.
    await vscode.commands.executeCommand('dtmetrics.editEnvironment', { name: V1_ENVIRONMENT, v1: false });
    const edited = settings()
      .get<{ name: string; v1?: boolean }[]>('environments')
      ?.find((e) => e.name === V1_ENVIRONMENT);
    assert.deepEqual([edited?.name, edited?.v1], [V1_ENVIRONMENT, undefined]);
    const v2 = await query({
      environment: V1_ENVIRONMENT,
      metricSelector: 'vscode.query.latency:splitBy()',
      from: 'now-30m',
    });
    // The descriptor of a selector with transformations: the unit of the metric they make.
    assert.deepEqual([rendered(v2).chartSeries, rendered(v2).axisUnit], [['(no dimensions)'], 'ms']);
  });

  it('exports CSV and JSON; the JSON opens again in the panel', async () => {
    const shown = await query({ metricSelector: 'vscode.query.latency', from: 'now-30m', resolution: '1m' });
    assert.equal(shown.ok, true, shown.message);
    const csv = vscode.Uri.file(join(scratch, 'latency.csv'));
    const exported = await vscode.commands.executeCommand<{ series?: number; error?: string }>(
      'dtmetrics.exportQueryResults',
      { format: 'csv', uri: csv },
    );
    assert.equal(exported.series, 3, exported.error);
    const rows = readFileSync(csv.fsPath, 'utf8').split('\r\n');
    assert.equal(rows[0], 'metric,host,time,timestamp,value');
    assert.ok([3 * 30, 3 * 31].includes(rows.length - 2), `${rows.length} rows`);
    assert.ok(
      rows.some((row) => row.startsWith(`vscode.query.latency,${XSS},`) && row.endsWith(',3')),
      'the XSS series is not in the CSV',
    );

    const json = vscode.Uri.file(join(scratch, 'latency.json'));
    await vscode.commands.executeCommand('dtmetrics.exportQueryResults', { format: 'json', uri: json });
    const saved = JSON.parse(readFileSync(json.fsPath, 'utf8')) as MetricData;
    assert.deepEqual(
      saved.result.map((r) => [r.metricId, r.data.length]),
      [['vscode.query.latency', 3]],
    );
    const reopened = await vscode.commands.executeCommand<QueryOutcome>('dtmetrics.openQueryResult', { uri: json });
    assert.equal(reopened.series, 3);
    assert.equal(rendered(reopened).tableRows, 3);
    await waitFor('one results panel', () => resultTabs().length === 1);
  });
});
