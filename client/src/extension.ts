/**
 * The VS Code client: starts the language server (dist/server.js) over IPC for `.dtmetrics` files and shows its
 * state, and registers pushing to a tenant (push/activation.ts), querying one (query/activation.ts) and converting
 * other formats to metric lines (convert/activation.ts), whose code loads on first use, and the ingest inspector
 * (inspector/view.ts). A thin adapter: every rule lives in the server's core.
 */
import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { CardinalityRequest, ValidatedNotification, WorkspaceKeysRequest } from '#protocol';
import { CONTEXT_KEYS } from './context-keys.ts';
import { Notifier, type ShownMessage } from './notifier.ts';
import { registerConvert } from './convert/activation.ts';
import { registerPush } from './push/activation.ts';
import { registerQuery } from './query/activation.ts';
import { registerStats } from './stats.ts';
import { IngestInspector } from './inspector/view.ts';
import { CardinalityView } from './cardinality-view.ts';

let client: LanguageClient | undefined;

/** What the extension gives other extensions and the in-editor tests. */
export interface DtmetricsApi {
  /** The folder of the extension's logs (context.logUri), where the `dtmetrics` log channel's file is. */
  logUri: vscode.Uri;
  /** Each notification and modal dialog as VS Code was given it (text from a tenant made inert). */
  onDidShowMessage: vscode.Event<ShownMessage>;
  /** Where the local tenant this workspace started is recorded (client/src/local-tenant/state.ts). */
  localTenantStateFile: string;
  /** The ingest inspector: the requests it shows, and the document each opens as. */
  ingestInspector: Pick<IngestInspector, 'requests' | 'uriOf'>;
  /** The Cardinality view: the metrics it shows, in its order. */
  cardinality: Pick<CardinalityView, 'metrics'>;
}

export function activate(context: vscode.ExtensionContext): DtmetricsApi {
  const log = vscode.window.createOutputChannel('dtmetrics', { log: true });
  const status = vscode.window.createStatusBarItem('dtmetrics.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'dtmetrics';
  status.command = 'dtmetrics.restartServer';
  const notifier = new Notifier();
  context.subscriptions.push(log, status, notifier);

  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'dtmetrics' }],
    synchronize: { configurationSection: 'dtmetrics' },
    outputChannel: log,
  };
  const languageClient = new LanguageClient('dtmetrics', 'dtmetrics language server', serverOptions, clientOptions);
  client = languageClient;
  const localTenant = registerPush(context, log, notifier);
  const ingestInspector = new IngestInspector(localTenant, notifier, log);
  // The query prompt offers the keys of the server's workspace index (the one completion uses).
  const query = registerQuery(context, log, notifier, (params) =>
    languageClient.sendRequest(WorkspaceKeysRequest, params),
  );
  const cardinality = new CardinalityView({
    request: (params, token) => languageClient.sendRequest(CardinalityRequest, params, token),
    // A tenant's figures need the HTTP client: the query bundle loads on the first.
    arrived: (options, signal, ask) => query.load().arrived(options, signal, ask),
    onDidReceive: ingestInspector.onDidReceive,
  });
  context.subscriptions.push(ingestInspector, cardinality);
  registerStats(context);
  registerConvert(context, log, notifier);

  const show = (text: string, tooltip: string) => {
    status.text = text;
    status.tooltip = tooltip;
    status.show();
  };
  context.subscriptions.push(
    client.onDidChangeState((e) => {
      if (e.newState === State.Running)
        show('$(check) dtmetrics', 'The dtmetrics language server is running. Click to restart it.');
      else if (e.newState === State.Starting)
        show('$(sync~spin) dtmetrics', 'The dtmetrics language server is starting.');
      else show('$(error) dtmetrics', 'The dtmetrics language server stopped. Click to restart it.');
    }),
    client.onNotification(ValidatedNotification, (p) => {
      const at = new Date().toLocaleTimeString();
      show(
        '$(check) dtmetrics',
        `Validated ${vscode.workspace.asRelativePath(vscode.Uri.parse(p.uri))} at ${at} in ${p.durationMs.toFixed(1)} ms: ${p.problems} problem(s). Click to restart the server.`,
      );
    }),
    vscode.commands.registerCommand('dtmetrics.restartServer', async () => {
      log.info('Restarting the language server');
      await client?.restart();
    }),
  );
  void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.active, true);
  // Activation returns at once; the server starts in the background (its state shows in the status item).
  client.start().catch((error: unknown) => {
    log.error(`The language server did not start: ${error instanceof Error ? error.message : String(error)}`);
    show('$(error) dtmetrics', 'The dtmetrics language server did not start. Click to try again.');
  });
  return {
    logUri: context.logUri,
    onDidShowMessage: notifier.onDidShow,
    localTenantStateFile: localTenant.stateFile,
    ingestInspector,
    cardinality,
  };
}

// The local tenant is left running: it belongs to the workspace, and a reload's new host takes it over.
export async function deactivate(): Promise<void> {
  await client?.stop();
}
