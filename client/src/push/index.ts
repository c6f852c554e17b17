/**
 * The push bundle's entry (dist/push.js), loaded by activation.ts when a push or environment command first runs:
 * the HTTP client (undici) and everything that talks to a tenant stay out of activation. Turns the commands'
 * arguments into typed ones at this edge (arguments.ts).
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EnvironmentKind } from '#core/environment.ts';
import type { TimestampMode } from '#core/push/plan.ts';
import { argumentObject, flag, lineNumber, oneOf, optional, required, uri, type ArgumentObject } from '../arguments.ts';
import type { Notifier } from '../notifier.ts';
import type { PushCommand } from './activation.ts';
import { EnvironmentCommands, type AddArgument, type EditArgument } from './environment-commands.ts';
import { UserError } from '#edge/errors.ts';
import { LocalTenant } from './local-tenant.ts';
import { Sender, type SendArgument } from './send.ts';
import { ENVIRONMENT_KINDS, LOCAL_TENANT_NAME, localTenantPort, selectedName } from '../environments/settings.ts';
import { TenantDiagnostics } from './tenant-diagnostics.ts';

export interface PushFeatures extends vscode.Disposable {
  run(command: PushCommand, arg: unknown): Promise<unknown>;
  /** Stops the local tenant this window started. */
  stop(): Promise<void>;
}

export function activatePush(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  notifier: Notifier,
): PushFeatures {
  const environments = new EnvironmentCommands(context.secrets, notifier);
  const localTenant = new LocalTenant(
    context.asAbsolutePath('dist/cli.js'),
    join(context.globalStorageUri.fsPath, 'local-tenant.data'),
    log,
    join(context.globalStorageUri.fsPath, 'local-tenant.jsonl'),
  );
  const diagnostics = new TenantDiagnostics();
  const sender = new Sender(environments, localTenant, diagnostics, log, notifier);

  const startLocalTenant = async () => {
    const started = await localTenant.start(localTenantPort());
    const where = started.startedHere
      ? `The local tenant listens on ${started.url} (data in ${localTenant.dataFile})`
      : `A local tenant already listens on ${started.url}: lines sent to '${LOCAL_TENANT_NAME}' go there`;
    const select = `Send to ${LOCAL_TENANT_NAME}`;
    const buttons = selectedName() === LOCAL_TENANT_NAME ? [] : [select];
    void notifier
      .show('information', where, ...buttons)
      .then((choice) => (choice ? environments.select({ name: LOCAL_TENANT_NAME }) : undefined));
    return started;
  };
  const stopLocalTenant = async () => {
    const stopped = await localTenant.stop();
    void notifier.show(
      'information',
      stopped ? 'The local tenant stopped' : 'No local tenant was started from this window',
    );
    return { stopped };
  };

  const handlers: Record<PushCommand, (arg: ArgumentObject | undefined) => Promise<unknown>> = {
    // { name, kind: 'saas'|'managed'|'oneagent'|'local'|'url', url?, token?, caFile?, v1? }: no questions asked.
    'dtmetrics.addEnvironment': (a) => environments.add(a && addArgument(a)),
    // { name, newName?, url?, token?, caFile?, v1? }: '' removes the token or the CA file; v1: false, the v1 mark.
    'dtmetrics.editEnvironment': (a) => environments.edit(a && editArgument(a)),
    // { name }
    'dtmetrics.removeEnvironment': (a) => environments.remove(a && { name: required(a, 'name') }),
    // { name }
    'dtmetrics.selectEnvironment': (a) => environments.select(a && { name: required(a, 'name') }),
    // { name? }: the selected environment by default. Resolves with { ok, message }.
    'dtmetrics.testConnection': (a) => environments.test(a && { name: optional(a, 'name') }),
    // Resolves with { url, startedHere }.
    'dtmetrics.startLocalTenant': startLocalTenant,
    'dtmetrics.stopLocalTenant': stopLocalTenant,
    // SendArgument: { uri?, start?, end?, linesWithErrors?: 'hold'|'send', timestamps?, environment? }. Resolves
    // with a SendSummary.
    'dtmetrics.sendSelection': (a) => sender.sendSelection(sendArgument(a)),
    'dtmetrics.sendFile': (a) => sender.sendFile(sendArgument(a)),
  };

  return {
    run: (command, arg) => handlers[command](argumentObject(arg)),
    stop: async () => {
      await localTenant.stop();
    },
    dispose: () => {
      diagnostics.dispose();
      void localTenant.stop();
    },
  };
}

function addArgument(arg: ArgumentObject): AddArgument {
  const kind = oneOf<EnvironmentKind>(arg, 'kind', ENVIRONMENT_KINDS);
  if (!kind) throw new UserError("The argument needs 'kind'");
  return {
    name: required(arg, 'name'),
    kind,
    url: optional(arg, 'url'),
    token: optional(arg, 'token'),
    caFile: optional(arg, 'caFile'),
    v1: flag(arg, 'v1'),
  };
}

function editArgument(arg: ArgumentObject): EditArgument {
  return {
    name: required(arg, 'name'),
    newName: optional(arg, 'newName'),
    url: optional(arg, 'url'),
    token: optional(arg, 'token'),
    caFile: optional(arg, 'caFile'),
    v1: flag(arg, 'v1'),
  };
}

function sendArgument(arg: ArgumentObject | undefined): SendArgument {
  if (!arg) return {};
  return {
    uri: uri(arg, 'uri'),
    start: lineNumber(arg, 'start'),
    end: lineNumber(arg, 'end'),
    linesWithErrors: oneOf(arg, 'linesWithErrors', ['hold', 'send']),
    timestamps: oneOf<TimestampMode>(arg, 'timestamps', ['as-written', 'rebase', 'strip']),
    environment: optional(arg, 'environment'),
  };
}
