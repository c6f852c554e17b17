// The cost and cardinality figures in a real VS Code: the language server's CodeLens over a metric's first line, beside
// the client's own lenses, and the hover of a dimension key.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { DtmetricsApi } from '#client/extension.ts';
import { EXTENSION_ID, repoRoot, startTenant, stopProcess, waitFor } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'dtmetrics-vscode-stats-'));

const SEED_004_WEB_1 = [
  'service.request.count,host=web-1,service=checkout,status=200 count,delta=1',
  'service.request.count,host=web-1,service=checkout,status=500 count,delta=1',
  'service.request.count,host=web-1,service=cart,status=200 count,delta=1',
  'service.request.count,host=web-2,service=cart,status=200 count,delta=1',
  '',
].join('\n');

describe('dtmetrics stats in VS Code', () => {
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("shows the series, dims and points a year over a metric's first line, and a dimension's figures in its hover", async () => {
    const file = join(scratch, 'seed.dtmetrics');
    writeFileSync(file, SEED_004_WEB_1);
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(document);
    const lens = await waitFor('the stats lens', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        document.uri,
      );
      return lenses.find((l) => l.command?.command === 'dtmetrics.stats.show');
    });
    assert.equal(lens.command?.title, '4 series · 3 dims · ~2.1 M points/yr');
    assert.equal(lens.range.start.line, 0);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      new vscode.Position(0, 24),
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /`host` of `service\.request\.count` — 2 distinct values in this file: `web-1`, `web-2`\./);
  });

  it("the Cardinality view lists the active file's metrics with their figures, sorted by series or by points", async () => {
    const api = await (vscode.extensions.getExtension(EXTENSION_ID) as vscode.Extension<DtmetricsApi>).activate();
    const file = join(scratch, 'cardinality.dtmetrics');
    const t0 = 1_796_420_000_000;
    // 4 series a point every 5 minutes, and 2 series a point a minute: fewer series, more points.
    const lines = [
      ...[0, 5].flatMap((m) =>
        ['a', 'b', 'c', 'd'].map((host) => `service.request.count,host=${host} count,delta=1 ${t0 + m * 60_000}`),
      ),
      ...[0, 1, 2].flatMap((m) =>
        ['mail', 'sms'].map((queue) => `queue.depth,queue=${queue} gauge,3 ${t0 + m * 60_000}`),
      ),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
    await vscode.commands.executeCommand('dtmetrics.cardinality.focus');
    const shown = await waitFor('the Cardinality view', () => {
      const keys = api.cardinality.metrics.map((m) => `${m.key} ${m.series}`);
      return keys.length === 2 ? keys : undefined;
    });
    assert.deepEqual(shown, ['service.request.count 4', 'queue.depth 2']);
    await vscode.commands.executeCommand('dtmetrics.sortCardinality', 'points');
    assert.deepEqual(
      api.cardinality.metrics.map((m) => `${m.key} ${m.pointsPerYear}`),
      ['queue.depth 1051200', 'service.request.count 420480'],
    );
  });

  it("the Cardinality view of the workspace: its files as one environment's lines, files created and deleted followed", async function () {
    // Three workings-out of the whole repository (its fixtures, the benchmark's 25 MB): seconds each on a busy machine.
    this.timeout(240_000);
    const api = await (vscode.extensions.getExtension(EXTENSION_ID) as vscode.Extension<DtmetricsApi>).activate();
    // In the workspace (the repository), where git does not look (.scratch/ is ignored).
    const scratchRoot = join(repoRoot(), '.scratch');
    mkdirSync(scratchRoot, { recursive: true });
    // A run stopped midway leaves its folder: gone before this one counts.
    for (const stale of readdirSync(scratchRoot).filter((name) => name.startsWith('cardinality-')))
      rmSync(join(scratchRoot, stale), { recursive: true, force: true });
    const dir = join(scratchRoot, `cardinality-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const probeSeries = () => api.cardinality.metrics.find((m) => m.key === 'cardinality.probe')?.series;
    const deadline = 70_000;
    try {
      writeFileSync(
        join(dir, 'a.dtmetrics'),
        'cardinality.probe,zone=a,host=h1 1\ncardinality.probe,zone=b,host=h1 1\n',
      );
      // The same series as a's first line, its dimensions in another order: one series across the files.
      writeFileSync(
        join(dir, 'b.dtmetrics'),
        'cardinality.probe,host=h1,zone=a 1\ncardinality.probe,host=h2,zone=a 1\n',
      );
      await vscode.commands.executeCommand('dtmetrics.cardinality.focus');
      await vscode.commands.executeCommand('dtmetrics.cardinalityScope', 'workspace');
      await waitFor('3 series of the probe across two files', () => (probeSeries() === 3 ? true : undefined), deadline);
      // Created and deleted in the editor (as in the Explorer): followed whether or not a disk watcher reports it.
      const created = new vscode.WorkspaceEdit();
      created.createFile(vscode.Uri.file(join(dir, 'c.dtmetrics')), {
        contents: new TextEncoder().encode('cardinality.probe,host=h3,zone=a 1\n'),
      });
      assert.ok(await vscode.workspace.applyEdit(created));
      await waitFor('a file created: 4 series', () => (probeSeries() === 4 ? true : undefined), deadline);
      const deleted = new vscode.WorkspaceEdit();
      deleted.deleteFile(vscode.Uri.file(join(dir, 'b.dtmetrics')));
      assert.ok(await vscode.workspace.applyEdit(deleted));
      await waitFor('a file deleted: 3 series', () => (probeSeries() === 3 ? true : undefined), deadline);
    } finally {
      await vscode.commands.executeCommand('dtmetrics.cardinalityScope', 'file');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Cardinality view of what arrived at the selected environment: curl sending every 5 minutes projects to a fifth', async () => {
    const api = await (vscode.extensions.getExtension(EXTENSION_ID) as vscode.Extension<DtmetricsApi>).activate();
    const token = 'dt0c01.CARDINALITY.TEST';
    const tenant = await startTenant(0, token, join(scratch, 'arrived.data'));
    const environment = 'arrived test tenant';
    const settings = vscode.workspace.getConfiguration('dtmetrics');
    try {
      const added = await vscode.commands.executeCommand<{ error?: string }>('dtmetrics.addEnvironment', {
        name: environment,
        kind: 'url',
        url: tenant.url,
        token,
      });
      assert.equal(added.error, undefined);
      await settings.update('environment', environment, vscode.ConfigurationTarget.Global);
      // Thirty minutes of an app's sends, by a real client: 2 series each minute, 3 series every 5 minutes.
      const minute = 60_000;
      const now = Math.floor(Date.now() / minute) * minute;
      const lines: string[] = [];
      for (let m = 30; m >= 1; m--) {
        for (const region of ['eu', 'us'])
          lines.push(`arrived.each.minute,region=${region} gauge,1 ${now - m * minute}`);
        if (m % 5 === 0)
          for (const queue of ['a', 'b', 'c'])
            lines.push(`arrived.every.five,queue=${queue} gauge,2 ${now - m * minute}`);
      }
      const status = execFileSync(
        'curl',
        [
          '-sS',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          '-X',
          'POST',
          '--data-binary',
          '@-',
          '-H',
          `Authorization: Api-Token ${token}`,
          '-H',
          'Content-Type: text/plain; charset=utf-8',
          `${tenant.url}/api/v2/metrics/ingest`,
        ],
        { input: lines.join('\n'), encoding: 'utf8' },
      );
      assert.equal(status, '202');
      await vscode.commands.executeCommand('dtmetrics.cardinality.focus');
      await vscode.commands.executeCommand('dtmetrics.cardinalityScope', 'tenant');
      await vscode.commands.executeCommand('dtmetrics.sortCardinality', 'series');
      const shown = await waitFor('what arrived', () => {
        const rows = api.cardinality.metrics.map((m) => `${m.key} ${m.series} ${m.pointsPerYear}`);
        return rows.length === 2 ? rows : undefined;
      });
      assert.deepEqual(shown, ['arrived.every.five 3 315360', 'arrived.each.minute 2 1051200']);
    } finally {
      await vscode.commands.executeCommand('dtmetrics.cardinalityScope', 'file');
      await settings.update('environment', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('dtmetrics.removeEnvironment', { name: environment });
      await stopProcess(tenant.child);
    }
  });
});
