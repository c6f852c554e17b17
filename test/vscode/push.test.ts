// Pushing from a real VS Code to the real local tenant (dist/cli.js serve, started here with a token): an environment
// added through its command (token to secret storage), Send Selection, what the tenant stored, its refusal as a
// diagnostic that follows and then leaves with edits, the token kept out of the settings and the log; held-back
// lines, rebased timestamps, the block under the cursor and the CodeLens; the selection command's argument form;
// Start and Stop Local Tenant. The commands' argument objects answer beforehand what a person answers in modals.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { DtmetricsApi } from '#client/extension.ts';
import type { SendSummary } from '#client/push/send.ts';
import type { StoredPoint } from '#core/metrics/store.ts';
import { readLog } from '#tenant/data-file.ts';
import { DIAGNOSTIC_SOURCE } from '#protocol';
import { instanceAt, processEnded, readState, writeState, type LocalTenantState } from '#client/local-tenant/state.ts';
import { EXTENSION_ID, freePort, repoRoot, startTenant, stopProcess, tenantDiagnostics, waitFor } from './helpers.ts';

const codeOf = (d: vscode.Diagnostic) => String(typeof d.code === 'object' ? d.code.value : d.code);
/** The language server's diagnostics on the document. */
const lintDiagnostics = (uri: vscode.Uri) =>
  vscode.languages.getDiagnostics(uri).filter((d) => d.source === DIAGNOSTIC_SOURCE);

const ENVIRONMENT = 'vscode test tenant';
// Unique per run, so that finding it anywhere means it leaked.
const TOKEN = `dt0c01.VSCODETEST.${randomBytes(16).toString('hex')}`;

const scratch = mkdtempSync(join(tmpdir(), 'dtmetrics-vscode-push-'));
const dataFile = join(scratch, 'tenant.data');
let files = 0;

/** The points the tenant stored, as its data file's log holds them (no compaction at this size). */
async function storedPoints(): Promise<StoredPoint[]> {
  return (await readLog(dataFile)).flatMap((r) => ('point' in r ? [r.point] : []));
}

async function openFile(text: string): Promise<vscode.TextEditor> {
  const file = join(scratch, `push-${files++}.dtmetrics`);
  writeFileSync(file, text);
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
}

const settings = () => vscode.workspace.getConfiguration('dtmetrics');

/** The record of a tenant that has ended: its pid gone, nothing answering on its port. */
async function staleState(pid: number, port: number): Promise<LocalTenantState> {
  await waitFor(`pid ${pid} to end`, () => processEnded(pid));
  return {
    instance: 'ended-long-ago',
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    dataFile: 'in memory',
    logFile: 'none',
    secret: 'b'.repeat(64),
    startedAt: new Date(0).toISOString(),
  };
}

/** The process group of a process (Linux): a detached tenant leads its own. */
const processGroup = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
};

/** Whether something accepts connections on the port now. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('pushing from VS Code to a tenant', () => {
  let tenant: { child: ChildProcess; url: string };
  let api: DtmetricsApi;

  before(async () => {
    tenant = await startTenant(0, TOKEN, dataFile);
    const extension = vscode.extensions.getExtension<DtmetricsApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    api = await extension.activate();
  });

  after(async () => {
    await vscode.commands.executeCommand('dtmetrics.removeEnvironment', { name: ENVIRONMENT });
    await settings().update('environment', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('localTenant.port', undefined, vscode.ConfigurationTarget.Global);
    if (tenant) await stopProcess(tenant.child);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('adds an environment from an argument: the token goes to secret storage, not the settings, and a connection test passes with it', async () => {
    const added = await vscode.commands.executeCommand<{ name?: string; error?: string }>('dtmetrics.addEnvironment', {
      name: ENVIRONMENT,
      kind: 'url',
      url: tenant.url,
      token: TOKEN,
    });
    assert.equal(added.error, undefined);
    assert.equal(settings().get('environment'), '', 'adding does not switch to it unasked');
    const stored = JSON.stringify(settings().inspect('environments'));
    // Messages name no setting's text: were the token in it, the report would show it.
    assert.ok(stored.includes(`"url":"${tenant.url}"`), 'the environment is not in the settings');
    assert.ok(!stored.includes(TOKEN), 'the token is in the settings');

    // The tenant takes no request without the token: the test passing shows the stored one is used.
    const test = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('dtmetrics.testConnection', {
      name: ENVIRONMENT,
    });
    assert.equal(test.ok, true, test.message);
    await vscode.commands.executeCommand('dtmetrics.addEnvironment', {
      name: 'no token',
      kind: 'url',
      url: tenant.url,
      select: true,
    });
    assert.equal(settings().get('environment'), 'no token', 'select: true selects it');
    try {
      const refused = await vscode.commands.executeCommand<{ ok: boolean; message: string }>(
        'dtmetrics.testConnection',
        { name: 'no token' },
      );
      assert.equal(refused.ok, false);
      assert.match(refused.message, /401/);
    } finally {
      await vscode.commands.executeCommand('dtmetrics.removeEnvironment', { name: 'no token' });
    }
    assert.equal(settings().get('environment'), '', 'removing the selected environment selects the local tenant');
  });

  it('Select Environment takes an argument, and refuses a name that is not defined', async () => {
    await vscode.commands.executeCommand('dtmetrics.selectEnvironment', { name: 'local tenant' });
    assert.equal(settings().get('environment'), 'local tenant');
    const unknown = await vscode.commands.executeCommand<{ error?: string }>('dtmetrics.selectEnvironment', {
      name: 'nowhere',
    });
    assert.match(unknown.error ?? '', /No environment is named 'nowhere'/);
    assert.equal(settings().get('environment'), 'local tenant');
    await vscode.commands.executeCommand('dtmetrics.selectEnvironment', { name: ENVIRONMENT });
    assert.equal(settings().get('environment'), ENVIRONMENT);
  });

  it('Send Selection stores the valid lines; the refused line gets a tenant diagnostic that moves with edits above it and goes with an edit of it', async () => {
    const editor = await openFile(
      [
        '// sent from the VS Code test',
        'vscode.push.first,host=a 1',
        'vscode.push.refused,Host=b 2',
        'vscode.push.gauge gauge,min=1,max=3,sum=4,count=2',
        '',
        'vscode.push.unselected 5',
        '',
      ].join('\n'),
    );
    const { document } = editor;
    await vscode.commands.executeCommand('dtmetrics.selectEnvironment', { name: ENVIRONMENT });
    editor.selection = new vscode.Selection(0, 0, 4, 0);
    const summary = await vscode.commands.executeCommand<SendSummary>('dtmetrics.sendSelection', {
      linesWithErrors: 'send',
    });
    assert.deepEqual([summary.lines, summary.accepted, summary.rejected, summary.held], [3, 2, 1, 0], summary.message);
    assert.match(summary.message, /^2 of 3 lines accepted by vscode test tenant; 1 rejected/);

    const points = await storedPoints();
    assert.deepEqual(points.map((p) => p.key).sort(), ['vscode.push.first', 'vscode.push.gauge']);
    assert.deepEqual(points.find((p) => p.key === 'vscode.push.first')?.dimensions, [['host', 'a']]);
    assert.deepEqual(points.find((p) => p.key === 'vscode.push.gauge')?.stats, { min: 1, max: 3, sum: 4, count: 2 });

    const refused = await waitFor('the tenant diagnostic', () => tenantDiagnostics(document.uri)[0]);
    assert.equal(tenantDiagnostics(document.uri).length, 1);
    assert.equal(refused.severity, vscode.DiagnosticSeverity.Error);
    // The tenant names the offending character, `H` at index 20.
    assert.deepEqual([refused.range.start.line, refused.range.start.character], [2, 'vscode.push.refused,'.length]);
    assert.match(refused.message, /refused this line: invalid dimension key/);

    const above = new vscode.WorkspaceEdit();
    above.insert(document.uri, new vscode.Position(0, 0), '// a line above\n');
    assert.ok(await vscode.workspace.applyEdit(above));
    await waitFor(
      'the diagnostic to move down a line',
      () => tenantDiagnostics(document.uri)[0]?.range.start.line === 3,
    );

    // Delete Line on the line just above: (2,0)–(3,0) replaced by nothing; the refused line only moves up.
    const deleteAbove = new vscode.WorkspaceEdit();
    deleteAbove.delete(document.uri, new vscode.Range(2, 0, 3, 0));
    const removed = document.lineAt(2).text;
    assert.ok(await vscode.workspace.applyEdit(deleteAbove));
    await waitFor('the diagnostic to move up a line', () => tenantDiagnostics(document.uri)[0]?.range.start.line === 2);
    const restore = new vscode.WorkspaceEdit();
    restore.insert(document.uri, new vscode.Position(2, 0), removed + '\n');
    assert.ok(await vscode.workspace.applyEdit(restore));
    await waitFor('the diagnostic to move back down', () => tenantDiagnostics(document.uri)[0]?.range.start.line === 3);

    const fix = new vscode.WorkspaceEdit();
    fix.replace(document.uri, new vscode.Range(3, 20, 3, 21), 'h');
    assert.ok(await vscode.workspace.applyEdit(fix));
    await waitFor('the tenant diagnostic to go', () => tenantDiagnostics(document.uri).length === 0);
  });

  it('the push is in the log, the token is not', async () => {
    const logFiles = () =>
      readdirSync(api.logUri.fsPath).map((name) => readFileSync(join(api.logUri.fsPath, name), 'utf8'));
    // The log is written in the background: wait for the previous test's push to arrive.
    const pushed = `POST ${tenant.url}/api/v2/metrics/ingest → 400`;
    const log = await waitFor('the push in the log', () =>
      logFiles().find((text) => text.includes(pushed) && text.includes('accepted by vscode test tenant')),
    );
    assert.match(log, /:3: rejected: invalid dimension key/);
    assert.ok(!logFiles().some((text) => text.includes(TOKEN)), 'the token is in the log');
  });

  it('holds lines with errors back when told to and says which; a held line keeps its own diagnostic, no second one', async () => {
    const editor = await openFile('vscode.push.held.first 1\nvscode.push.held,Bad=x 2\nvscode.push.held.last 3\n');
    const { uri } = editor.document;
    await waitFor("the linter's DK001", () => lintDiagnostics(uri).find((d) => d.range.start.line === 1));
    const summary = await vscode.commands.executeCommand<SendSummary>('dtmetrics.sendFile', {
      uri,
      linesWithErrors: 'hold',
    });
    assert.deepEqual([summary.lines, summary.accepted, summary.held], [3, 2, 1], summary.message);
    assert.equal(summary.message, `2 of 3 lines accepted by ${ENVIRONMENT}; 1 held back for errors (line 2)`);
    assert.ok(!(await storedPoints()).some((p) => p.key === 'vscode.push.held'), 'the held line was sent');
    // The answer's diagnostics are set before the command returns: none, as the tenant said nothing of these lines.
    assert.deepEqual(tenantDiagnostics(uri), []);
    assert.equal(lintDiagnostics(uri).length, 1);
  });

  it('a send that holds back every line says nothing was sent', async () => {
    const editor = await openFile('vscode.push.none,Bad=x 2\n');
    const summary = await vscode.commands.executeCommand<SendSummary>('dtmetrics.sendFile', {
      uri: editor.document.uri,
      linesWithErrors: 'hold',
    });
    assert.equal(summary.message, `Nothing sent to ${ENVIRONMENT}: 1 line held back for errors (line 1)`);
  });

  it("tenant warnings the linter already reports are not repeated: a count's `.count` key (MK010)", async () => {
    const editor = await openFile('vscode.push.jobs count,delta=3\nvscode.push.jobs count,delta=4\n');
    const { uri } = editor.document;
    await waitFor("the linter's MK010", () => lintDiagnostics(uri).find((d) => codeOf(d) === 'MK010'));
    const summary = await vscode.commands.executeCommand<SendSummary>('dtmetrics.sendFile', { uri });
    assert.equal(summary.message, `2 of 2 lines accepted by ${ENVIRONMENT}`);
    assert.equal(summary.warnings, 0);
    assert.deepEqual(tenantDiagnostics(uri), []);
    assert.ok((await storedPoints()).some((p) => p.key === 'vscode.push.jobs.count'));
  });

  it('rebases stale timestamps when told to: the newest becomes now, the spacing stays', async () => {
    const dayAgo = Date.now() - 24 * 3_600_000;
    const editor = await openFile(`vscode.push.stale 1 ${dayAgo}\nvscode.push.stale 2 ${dayAgo + 60_000}\n`);
    const held = await vscode.commands.executeCommand<SendSummary>('dtmetrics.sendFile', {
      uri: editor.document.uri,
      linesWithErrors: 'hold',
    });
    assert.deepEqual([held.accepted, held.held], [0, 2], held.message);
    const before = Date.now();
    const rebased = await vscode.commands.executeCommand<SendSummary>('dtmetrics.sendFile', {
      uri: editor.document.uri,
      timestamps: 'rebase',
    });
    assert.deepEqual([rebased.accepted, rebased.held], [2, 0], rebased.message);
    const stamps = (await storedPoints()).filter((p) => p.key === 'vscode.push.stale').map((p) => p.timestamp);
    assert.equal(stamps.length, 2);
    const [first = 0, second = 0] = stamps;
    assert.equal(second - first, 60_000);
    assert.ok(second >= before - 1_000 && second <= Date.now(), `the newest timestamp ${second} is not now`);
  });

  it("a file that says '// dtmetrics: timestamps=rebase' is rebased by Send, and shows no stale timestamp", async () => {
    const dayAgo = Date.now() - 24 * 3_600_000;
    // The count key without `.count` gets MK010's hint: a finding to wait for, so the lint is known to have run.
    const editor = await openFile(
      `// dtmetrics: timestamps=rebase\nvscode.push.replayed count,delta=1 ${dayAgo}\nvscode.push.replayed count,delta=2 ${dayAgo + 60_000}\n`,
    );
    const { uri } = editor.document;
    await waitFor("the linter's MK010", () => lintDiagnostics(uri).find((d) => codeOf(d) === 'MK010'));
    assert.deepEqual(lintDiagnostics(uri).map(codeOf), ['MK010'], 'no stale timestamp');
    const summary = await vscode.commands.executeCommand<SendSummary>('dtmetrics.sendFile', { uri });
    assert.deepEqual([summary.accepted, summary.held], [2, 0], summary.message);
  });

  it('a rebased recording longer than the window: its oldest line is held back, with a diagnostic that says why', async () => {
    const dayAgo = Date.now() - 24 * 3_600_000;
    const editor = await openFile(
      `// dtmetrics: timestamps=rebase\nvscode.push.long 1 ${dayAgo}\nvscode.push.long 2 ${dayAgo + 2 * 3_600_000}\n`,
    );
    const { uri } = editor.document;
    const summary = await vscode.commands.executeCommand<SendSummary>('dtmetrics.sendFile', {
      uri,
      linesWithErrors: 'hold',
    });
    assert.deepEqual([summary.accepted, summary.held], [1, 1], summary.message);
    const held = tenantDiagnostics(uri);
    assert.deepEqual(
      held.map((d) => d.range.start.line),
      [1],
    );
    assert.match(held[0]?.message ?? '', /held back for TS003/);
  });

  it('with no selection, Send Selection sends the block under the cursor; a Send CodeLens sends its block', async () => {
    const editor = await openFile(
      'vscode.push.block.a 1\nvscode.push.block.a 2\n\n// another block\nvscode.push.block.b 3\n',
    );
    const { uri } = editor.document;
    editor.selection = new vscode.Selection(1, 3, 1, 3);
    const cursor = await vscode.commands.executeCommand<SendSummary>('dtmetrics.sendSelection');
    assert.deepEqual([cursor.lines, cursor.accepted], [2, 2], cursor.message);

    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const sends = lenses.filter((lens) => lens.command?.command === 'dtmetrics.sendSelection');
    assert.deepEqual(
      sends.map((lens) => [lens.range.start.line, lens.command?.title]),
      [
        [0, `$(cloud-upload) Send to ${ENVIRONMENT}`],
        [4, `$(cloud-upload) Send to ${ENVIRONMENT}`],
      ],
    );
    const second = sends[1]?.command;
    assert.ok(second);
    const lensed = await vscode.commands.executeCommand<SendSummary>(second.command, ...(second.arguments ?? []));
    assert.deepEqual([lensed.lines, lensed.accepted], [1, 1], lensed.message);
    assert.deepEqual(
      (await storedPoints())
        .filter((p) => p.key.startsWith('vscode.push.block.'))
        .map((p) => `${p.key} ${p.stats.sum}`),
      ['vscode.push.block.a 1', 'vscode.push.block.a 2', 'vscode.push.block.b 3'],
    );
  });

  it('Start Local Tenant runs dtmetrics serve on the port setting as a process of its own with a lease, lines reach it, Stop ends it; a tenant already on the port is used (and not stopped), another program there is named', async () => {
    const port = await freePort();
    await settings().update('localTenant.port', port, vscode.ConfigurationTarget.Global);
    const started = await vscode.commands.executeCommand<{ url?: string; startedHere?: boolean; error?: string }>(
      'dtmetrics.startLocalTenant',
    );
    assert.deepEqual(started, { url: `http://127.0.0.1:${port}`, startedHere: true });
    const info = await instanceAt(`http://127.0.0.1:${port}`);
    assert.ok(info, 'the tenant says who it is');
    let secret = '';
    try {
      // Not the extension host's child in its process group: a reload's new host must find it running.
      assert.deepEqual([info.stoppable, info.leaseSeconds], [true, 120]);
      assert.notEqual(processGroup(info.pid), processGroup(process.pid));
      // The control secret reaches it in its environment, never on its command line.
      const environment = readFileSync(`/proc/${info.pid}/environ`, 'utf8').split('\0');
      secret = environment.find((v) => v.startsWith('DTMETRICS_CONTROL_SECRET='))?.split('=')[1] ?? '';
      assert.match(secret, /^[0-9a-f]{64}$/);
      assert.ok(!readFileSync(`/proc/${info.pid}/cmdline`, 'utf8').includes(secret));
      const again = await vscode.commands.executeCommand('dtmetrics.startLocalTenant');
      assert.deepEqual(again, started, 'a second start finds the first');
      const editor = await openFile('vscode.push.local 1\n');
      const summary = await vscode.commands.executeCommand<SendSummary>('dtmetrics.sendFile', {
        uri: editor.document.uri,
        environment: 'local tenant',
      });
      assert.equal(summary.accepted, 1, summary.message);
      assert.match(summary.message, /accepted by local tenant$/);
    } finally {
      assert.deepEqual(await vscode.commands.executeCommand('dtmetrics.stopLocalTenant'), { stopped: true });
    }
    await waitFor(`port ${port} to be free`, async () => !(await listening(port)));
    assert.ok(processEnded(info.pid), 'Stop waits until the tenant has ended');
    const logs = readdirSync(api.logUri.fsPath).map((name) => readFileSync(join(api.logUri.fsPath, name), 'utf8'));
    const output = logs.join('\n').match(/its output in (\S+) \(and here\)/)?.[1];
    assert.ok(output, 'the log names where the tenant writes its output');
    assert.match(readFileSync(output, 'utf8'), /stopping: asked by POST \/_dtmetrics\/stop/);
    for (const text of [...logs, readFileSync(output, 'utf8')])
      assert.ok(!text.includes(secret), 'the secret is logged');
    const none = await vscode.commands.executeCommand<{ stopped: boolean; reason?: string }>(
      'dtmetrics.stopLocalTenant',
    );
    assert.deepEqual(none, { stopped: false, reason: `No local tenant runs on port ${port}` });

    // Taken by a local tenant started elsewhere (here: one that takes no token): used as it is.
    const elsewhere = await startTenant(port, null, join(scratch, 'elsewhere.data'));
    try {
      assert.deepEqual(await vscode.commands.executeCommand('dtmetrics.startLocalTenant'), {
        url: `http://127.0.0.1:${port}`,
        startedHere: false,
      });
      const refused = await vscode.commands.executeCommand<{ stopped: boolean; reason?: string }>(
        'dtmetrics.stopLocalTenant',
      );
      assert.equal(refused.stopped, false);
      assert.match(
        refused.reason ?? '',
        /was not started from this workspace \(pid \d+; another window or a terminal\)/,
      );
      assert.ok(await listening(port), 'a tenant started elsewhere is left running');
    } finally {
      await stopProcess(elsewhere.child);
    }

    // Taken by another program: named, with what to do.
    const other = createHttpServer((_request, response) => response.writeHead(404).end('not a tenant'));
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
    try {
      const refused = await vscode.commands.executeCommand<{ error?: string }>('dtmetrics.startLocalTenant');
      assert.match(
        refused.error ?? '',
        new RegExp(
          `^Port ${port} is in use, and what listens there is not a local tenant .*404.*dtmetrics.localTenant.port$`,
        ),
      );
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('a tenant recorded by an earlier extension host (as after a reload) is found and stopped; a stale record, or a file that is none, is removed', async () => {
    const port = await freePort();
    await settings().update('localTenant.port', port, vscode.ConfigurationTarget.Global);
    const stateFile = api.localTenantStateFile;
    // What a host started before this one leaves: a tenant with a secret and a lease, and its record.
    const secret = randomBytes(32).toString('hex');
    const earlier = spawn(
      process.execPath,
      [
        join(repoRoot(), 'dist', 'cli.js'),
        'serve',
        '--port',
        String(port),
        '--control-secret-env',
        'SECRET',
        '--lease',
        '120',
      ],
      { env: { ...process.env, SECRET: secret, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'ignore' },
    );
    try {
      const info = await waitFor(
        'the earlier tenant to answer',
        async () => (await instanceAt(`http://127.0.0.1:${port}`)) ?? undefined,
      );
      await writeState(stateFile, {
        instance: info.instance,
        pid: info.pid,
        port,
        url: info.url,
        dataFile: 'in memory',
        logFile: join(scratch, 'earlier.log'),
        secret,
        startedAt: info.startedAt,
      });
      assert.deepEqual(await vscode.commands.executeCommand('dtmetrics.stopLocalTenant'), { stopped: true });
      await waitFor('the earlier tenant to end', () => earlier.exitCode !== null);
      assert.equal(earlier.exitCode, 0);
      assert.equal(await readState(stateFile), null, 'the record is removed');

      // A record whose tenant is gone (its pid ended, nothing answers): removed when next looked at.
      await writeState(stateFile, { ...(await staleState(info.pid, port)), logFile: join(scratch, 'gone.log') });
      const none = await vscode.commands.executeCommand('dtmetrics.stopLocalTenant');
      assert.deepEqual(none, { stopped: false, reason: `No local tenant runs on port ${port}` });
      assert.equal(await readState(stateFile), null);
      writeFileSync(stateFile, 'not a state');
      await vscode.commands.executeCommand('dtmetrics.stopLocalTenant');
      assert.equal(await readState(stateFile), null, 'a file that holds no state is removed');
    } finally {
      if (earlier.exitCode === null) earlier.kill();
    }
  });

  it('a recorded tenant that does not answer is kept while its process runs, and never signalled; one whose port another tenant answers is forgotten, its pid left alone', async () => {
    const port = await freePort();
    await settings().update('localTenant.port', port, vscode.ConfigurationTarget.Global);
    const stateFile = api.localTenantStateFile;
    // A process that runs and answers nothing: a busy tenant, or a pid another program has since.
    const silent = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: 'ignore',
    });
    let elsewhere: { child: ChildProcess } | undefined;
    try {
      const record = { ...(await staleState(2 ** 22 + 1, port)), pid: silent.pid ?? 0, instance: 'silent-one' };
      await writeState(stateFile, record);
      const started = await vscode.commands.executeCommand<{ error?: string }>('dtmetrics.startLocalTenant');
      assert.match(started.error ?? '', new RegExp(`\\(pid ${silent.pid}\\) does not answer at ${record.url}`));
      assert.deepEqual(await readState(stateFile), record, 'a record whose process runs is kept');
      const stopped = await vscode.commands.executeCommand<{ stopped: boolean; reason?: string }>(
        'dtmetrics.stopLocalTenant',
      );
      assert.equal(stopped.stopped, false);
      assert.match(stopped.reason ?? '', /does not answer at .*, so it was not signalled/);
      assert.equal(processEnded(silent.pid ?? 0), false, 'a pid nothing confirms is signalled');
      assert.equal(await readState(stateFile), null, 'Stop forgets it: its lease is no longer renewed');

      // Another tenant answers on the recorded port: the record is forgotten, and its pid never signalled.
      elsewhere = await startTenant(port, null, join(scratch, 'elsewhere-recorded.data'));
      await writeState(stateFile, record);
      const refused = await vscode.commands.executeCommand<{ stopped: boolean; reason?: string }>(
        'dtmetrics.stopLocalTenant',
      );
      assert.match(refused.reason ?? '', /was not started from this workspace/);
      assert.equal(await readState(stateFile), null);
      assert.equal(processEnded(silent.pid ?? 0), false);
    } finally {
      silent.kill();
      if (elsewhere) await stopProcess(elsewhere.child);
    }
  });

  it('Start and Send, the port setting changed while the tenant runs, say on which port it runs', async () => {
    const port = await freePort();
    const moved = await freePort();
    await settings().update('localTenant.port', port, vscode.ConfigurationTarget.Global);
    assert.deepEqual(await vscode.commands.executeCommand('dtmetrics.startLocalTenant'), {
      url: `http://127.0.0.1:${port}`,
      startedHere: true,
    });
    try {
      await settings().update('localTenant.port', moved, vscode.ConfigurationTarget.Global);
      const message = `The local tenant runs on port ${port}; stop it to start it on ${moved}`;
      const started = await vscode.commands.executeCommand<{ error?: string }>('dtmetrics.startLocalTenant');
      assert.equal(started.error, message);
      const editor = await openFile('vscode.push.moved 1\n');
      const sent = await vscode.commands.executeCommand<{ error?: string }>('dtmetrics.sendFile', {
        uri: editor.document.uri,
        environment: 'local tenant',
      });
      assert.equal(sent.error, message);
    } finally {
      assert.deepEqual(await vscode.commands.executeCommand('dtmetrics.stopLocalTenant'), { stopped: true });
    }
  });

  it('declares that an untrusted workspace limits it (the harness runs trusted, so the refusal itself is not reached)', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
      capabilities?: { untrustedWorkspaces?: { supported?: unknown } };
    };
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, 'limited');
    assert.equal(vscode.workspace.isTrusted, true);
  });
});
