/**
 * The push bundle's entry (dist/push.js), loaded by activation.ts when a push or environment command first runs:
 * the HTTP client (undici) and everything that talks to a tenant stay out of activation. Turns the commands'
 * arguments into typed ones at this edge (arguments.ts).
 */
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { EnvironmentKind } from '#core/environment.ts';
import type { TimestampMode } from '#core/push/plan.ts';
import { argumentObject, flag, lineNumber, oneOf, optional, required, uri, type ArgumentObject } from '../arguments.ts';
import type { Notifier } from '../notifier.ts';
import type { PushCommand } from './activation.ts';
import { EnvironmentCommands, type AddArgument, type EditArgument } from './environment-commands.ts';
import { UserError } from '#edge/errors.ts';
import { LocalTenant } from './local-tenant.ts';
import type { LocalTenantWatch } from '../local-tenant/watch.ts';
import { Sender, type SendArgument } from './send.ts';
import { ENVIRONMENT_KINDS, LOCAL_TENANT_NAME, localTenantPort, selectedName } from '../environments/settings.ts';
import { TenantDiagnostics } from './tenant-diagnostics.ts';

export type PushFeatures = vscode.Disposable & { run(command: PushCommand, arg: unknown): Promise<unknown> };

export function activatePush(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  notifier: Notifier,
  watch: LocalTenantWatch,
): PushFeatures {
  const environments = new EnvironmentCommands(context.secrets, notifier);
  const localTenant = new LocalTenant(
    context.asAbsolutePath('dist/cli.js'),
    join(context.globalStorageUri.fsPath, 'local-tenant.data'),
    join(dirname(watch.stateFile), 'local-tenant.log'),
    log,
    join(context.globalStorageUri.fsPath, 'local-tenant.jsonl'),
    watch,
  );
  const diagnostics = new TenantDiagnostics();
  const sender = new Sender(environments, localTenant, diagnostics, log, notifier);

  // Short, so that the whole of it shows: where the tenant's data and output are goes to the log channel.
  const startLocalTenant = async () => {
    const started = await localTenant.start(localTenantPort());
    const selected = selectedName() === LOCAL_TENANT_NAME;
    const where = started.startedHere
      ? `The local tenant runs at ${started.url}${selected ? '; the lines you send go there' : ''}.`
      : `A local tenant started elsewhere already runs at ${started.url}: lines sent to '${LOCAL_TENANT_NAME}' go there.`;
    const buttons = [...(selected ? [] : [SEND_HERE]), COPY_URL, ...(started.startedHere ? [SHOW_OUTPUT] : [])];
    void notifier.show('information', where, ...buttons).then(async (choice) => {
      if (choice === SEND_HERE) await environments.select({ name: LOCAL_TENANT_NAME });
      else if (choice === COPY_URL) await vscode.env.clipboard.writeText(started.url);
      else if (choice === SHOW_OUTPUT) log.show(true);
    });
    return started;
  };
  const stopLocalTenant = async () => {
    const outcome = await watch.stop();
    void notifier.show(
      'information',
      outcome.stopped ? `The local tenant at ${outcome.url} stopped.` : `${outcome.reason}.`,
    );
    return outcome.stopped ? { stopped: true } : { stopped: false, reason: outcome.reason };
  };

  const handlers: Record<PushCommand, (arg: ArgumentObject | undefined) => Promise<unknown>> = {
    // { name, kind: 'saas'|'managed'|'oneagent'|'local'|'url', url?, token?, caFile?, v1?, select? }: no questions
    // asked; select: true selects it.
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
    // Resolves with { stopped: true }, or { stopped: false, reason }.
    'dtmetrics.stopLocalTenant': stopLocalTenant,
    // SendArgument: { uri?, start?, end?, linesWithErrors?: 'hold'|'send', timestamps?, environment? }. Resolves
    // with a SendSummary.
    'dtmetrics.sendSelection': (a) => sender.sendSelection(sendArgument(a)),
    'dtmetrics.sendFile': (a) => sender.sendFile(sendArgument(a)),
  };

  return {
    run: (command, arg) => handlers[command](argumentObject(arg)),
    // The local tenant is not stopped: it belongs to the workspace (a reload's new host takes it over).
    dispose: () => diagnostics.dispose(),
  };
}

const SEND_HERE = 'Send Lines Here';
const COPY_URL = 'Copy URL';
const SHOW_OUTPUT = 'Show Output';

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
    select: flag(arg, 'select'),
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
