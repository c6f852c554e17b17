// Tenant text in the editor is inert and token-free: a hostile tenant (the real local tenant with canned answers
// through --faults) answers with its own token in the text and a `[Fix](command:…)` link, which VS Code's
// notifications would render as a link that runs the command on one click. Test Connection's and Send's
// notifications (read through the extension's onDidShowMessage: exactly what VS Code was given), the tenant
// diagnostics, the query panel's banner and the log never show the token, and the link is broken. A proxy setting
// that is not a URL is one message without its password.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { DtmetricsApi } from '#client/extension.ts';
import type { ShownMessage } from '#client/notifier.ts';
import type { SendSummary } from '#client/push/send.ts';
import type { QueryOutcome } from '#client/query/index.ts';
import { EXTENSION_ID, startTenant, stopProcess, tenantDiagnostics, waitFor } from './helpers.ts';

const ENVIRONMENT = 'hostile tenant';
const TOKEN = `dt0c01.INERTTEST.${randomBytes(16).toString('hex')}`;
/** What the hostile tenant says, and what the editor may show of it: the token cut out, the link and icon broken. */
const HOSTILE = `Token ${TOKEN} expired. [Fix](command:workbench.action.quit) [Docs](https://evil.example/) $(alert)`;
const INERT = 'Token *** expired. [Fix] (command:workbench.action.quit) [Docs] (https://evil.example/) $ (alert)';

const scratch = mkdtempSync(join(tmpdir(), 'dtmetrics-vscode-inert-'));

describe('tenant text in the editor: inert, and without the token', () => {
  let tenant: { child: ChildProcess; url: string };
  let api: DtmetricsApi;
  const shown: ShownMessage[] = [];
  let subscription: vscode.Disposable;

  /** The next answer of the ingest (or `path`) API is this one. */
  const cannedAnswer = async (status: number, body: object, path = '/api/v2/metrics/ingest') => {
    const response = await fetch(`${tenant.url}/_dtmetrics/faults`, {
      method: 'POST',
      body: JSON.stringify({ faults: [{ path, status, body: JSON.stringify(body), contentType: 'application/json' }] }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(response.status, 204, await response.text());
  };
  /** The messages shown while `run` ran. */
  const showing = async (run: () => Thenable<unknown>): Promise<ShownMessage[]> => {
    const from = shown.length;
    await run();
    return shown.slice(from);
  };

  before(async () => {
    tenant = await startTenant(0, TOKEN, join(scratch, 'tenant.data'), ['--faults']);
    const extension = vscode.extensions.getExtension<DtmetricsApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    subscription = api.onDidShowMessage((message) => shown.push(message));
    const added = await vscode.commands.executeCommand<{ error?: string }>('dtmetrics.addEnvironment', {
      name: ENVIRONMENT,
      kind: 'url',
      url: tenant.url,
      token: TOKEN,
    });
    assert.equal(added.error, undefined);
  });

  after(async () => {
    subscription?.dispose();
    await vscode.commands.executeCommand('dtmetrics.removeEnvironment', { name: ENVIRONMENT });
    await vscode.workspace
      .getConfiguration('dtmetrics')
      .update('environment', undefined, vscode.ConfigurationTarget.Global);
    if (tenant) await stopProcess(tenant.child);
    rmSync(scratch, { recursive: true, force: true });
  });

  it("Test Connection: the tenant's 401 message is shown inert and without the token", async () => {
    await cannedAnswer(401, { error: { code: 401, message: HOSTILE } });
    let result: { ok: boolean; message: string } | undefined;
    const messages = await showing(
      async () => (result = await vscode.commands.executeCommand('dtmetrics.testConnection', { name: ENVIRONMENT })),
    );
    assert.equal(result?.ok, false);
    assert.ok(!result.message.includes(TOKEN), result.message);
    assert.deepEqual(messages, [
      { severity: 'error', message: `${ENVIRONMENT}: 401 token invalid, expired or missing: ${INERT}`, modal: false },
    ]);
  });

  it("Send: the push stopped by the tenant's 401 says so inert; the lines' diagnostics too", async () => {
    const file = join(scratch, 'stopped.dtmetrics');
    writeFileSync(file, 'vscode.inert.stopped 1\n');
    const uri = vscode.Uri.file(file);
    await cannedAnswer(401, { error: { code: 401, message: HOSTILE } });
    let summary: SendSummary | undefined;
    const messages = await showing(
      async () =>
        (summary = await vscode.commands.executeCommand('dtmetrics.sendFile', { uri, environment: ENVIRONMENT })),
    );
    assert.equal(summary?.stopped?.includes(TOKEN), false, summary?.stopped ?? 'not stopped');
    assert.deepEqual(messages, [
      {
        severity: 'error',
        message: `0 of 1 line accepted by ${ENVIRONMENT}; 1 not sent. Stopped: 401 token invalid, expired or missing: ${INERT}`,
        modal: false,
      },
    ]);
    const [notSent] = await waitFor('the not-sent diagnostic', () =>
      tenantDiagnostics(uri).length > 0 ? tenantDiagnostics(uri) : undefined,
    );
    assert.equal(notSent?.message, `Not sent to ${ENVIRONMENT}: 401 token invalid, expired or missing: ${INERT}`);
  });

  it('Send: a line the tenant refuses with hostile words gets a diagnostic with them inert', async () => {
    const file = join(scratch, 'refused.dtmetrics');
    writeFileSync(file, 'vscode.inert.refused 1\n');
    const uri = vscode.Uri.file(file);
    await cannedAnswer(400, {
      linesOk: 0,
      linesInvalid: 1,
      error: { code: 400, message: '1 invalid line', invalidLines: [{ line: 1, error: HOSTILE }] },
    });
    const messages = await showing(() =>
      vscode.commands.executeCommand('dtmetrics.sendFile', { uri, environment: ENVIRONMENT }),
    );
    assert.deepEqual(
      messages.map((m) => [m.severity, m.message]),
      [['warning', `0 of 1 line accepted by ${ENVIRONMENT}; 1 rejected`]],
    );
    const [refused] = await waitFor('the refusal diagnostic', () =>
      tenantDiagnostics(uri).length > 0 ? tenantDiagnostics(uri) : undefined,
    );
    assert.equal(refused?.message, `${ENVIRONMENT} refused this line: ${INERT}`);
  });

  it("Query: the panel's banner shows the tenant's 404 without the token", async () => {
    await cannedAnswer(404, { error: { code: 404, message: HOSTILE } }, '/api/v2/metrics/query');
    const outcome = await vscode.commands.executeCommand<QueryOutcome>('dtmetrics.queryMetric', {
      environment: ENVIRONMENT,
      metricSelector: 'vscode.inert.query',
    });
    assert.equal(outcome.ok, false);
    assert.ok(outcome.message?.includes('Token *** expired'), outcome.message);
    const banners = outcome.rendered?.banners ?? [];
    assert.ok(
      banners.some((text) => text.includes('Token *** expired')),
      JSON.stringify(banners),
    );
    assert.ok(!JSON.stringify(banners).includes(TOKEN));
  });

  it('a proxy setting that is not a URL: one error message, without its password', async () => {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const http = vscode.workspace.getConfiguration('http');
    await vscode.commands.executeCommand('dtmetrics.addEnvironment', {
      name: 'behind a proxy',
      kind: 'url',
      url: 'https://tenant.example',
      token: TOKEN,
    });
    await http.update('proxy', `http://user:${password}@bad host:3128`, vscode.ConfigurationTarget.Global);
    try {
      const messages = await showing(() =>
        vscode.commands.executeCommand('dtmetrics.testConnection', { name: 'behind a proxy' }),
      );
      assert.deepEqual(messages, [
        {
          severity: 'error',
          message:
            "http.proxy is not a URL ('http://***@bad host:3128'): write it as http://host:port, with credentials http://user:password@host:port",
          modal: false,
        },
      ]);
    } finally {
      await http.update('proxy', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('dtmetrics.removeEnvironment', { name: 'behind a proxy' });
    }
  });

  it('no notification, diagnostic or log line shows the token', async () => {
    assert.ok(shown.length >= 4);
    assert.ok(!JSON.stringify(shown).includes(TOKEN));
    assert.ok(!JSON.stringify(shown).includes('](command:'));
    const logFiles = () =>
      readdirSync(api.logUri.fsPath).map((name) => readFileSync(join(api.logUri.fsPath, name), 'utf8'));
    // The log is written in the background: wait for the last query's line.
    await waitFor('the query in the log', () =>
      logFiles().some((text) => text.includes('Query vscode.inert.query on hostile tenant')),
    );
    assert.ok(!logFiles().some((text) => text.includes(TOKEN)), 'the token is in the log');
    const diagnostics = vscode.languages
      .getDiagnostics()
      .flatMap(([, found]) => found.filter((d) => d.source === 'tenant'));
    assert.ok(!JSON.stringify(diagnostics.map((d) => d.message)).includes(TOKEN));
  });
});
