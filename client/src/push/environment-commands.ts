/**
 * The environment commands: adding, editing, removing, selecting and testing environments, through QuickPick and
 * InputBox flows that check as you type or through an argument object (tests, keybindings); their tokens in
 * SecretStorage. Push-only: what queries need too (resolve, connection) is in ../environments/environments.ts.
 */
import * as vscode from 'vscode';
import { environmentUrls, managedUrl, ONEAGENT_INGEST_URL, saasUrl, type EnvironmentKind } from '#core/environment.ts';
import type { Result } from '#core/result.ts';
import { testConnection } from '#http/push.ts';
import { UserError } from '#edge/errors.ts';
import { askToken, Environments, tokenKey } from '../environments/environments.ts';
import {
  allEnvironments,
  configuredEnvironments,
  localTenantEnvironment,
  selectedName,
  type EnvironmentConfig,
} from '../environments/settings.ts';

/** `dtmetrics.addEnvironment`'s argument: the settings' fields and the token (stored in SecretStorage). */
export interface AddArgument {
  name: string;
  kind: EnvironmentKind;
  /** Needed for saas, managed and url; the kind's address for oneagent and local. */
  url?: string;
  token?: string;
  caFile?: string;
  /** An older cluster: queries use the Timeseries API v1. */
  v1?: boolean;
  /** Lines go to it from now on (as the prompt's Use It); without it the selection stays. */
  select?: boolean;
}

/** `dtmetrics.editEnvironment`'s argument: what changes; `''` removes the token or the CA file. */
export interface EditArgument {
  name: string;
  newName?: string;
  url?: string;
  token?: string;
  caFile?: string;
  /** true marks an older cluster (queries use the Timeseries API v1), false removes the mark. */
  v1?: boolean;
}

const USE_IT = 'Use It';
const TEST = 'Test Connection';

/** The kinds as the QuickPick offers them (`environmentKind`: a QuickPickItem's `kind` means something else). */
const KINDS: (vscode.QuickPickItem & { environmentKind: EnvironmentKind })[] = [
  { environmentKind: 'saas', label: 'SaaS', detail: 'https://{environment-id}.live.dynatrace.com' },
  { environmentKind: 'managed', label: 'Managed or ActiveGate', detail: 'https://{host}/e/{environment-id}' },
  { environmentKind: 'oneagent', label: 'Local OneAgent', detail: `${ONEAGENT_INGEST_URL}, no token` },
  { environmentKind: 'local', label: 'Local tenant', detail: 'dtmetrics serve on this machine' },
  { environmentKind: 'url', label: 'Any URL', detail: "an environment's base URL or an ingest endpoint" },
];

/** What an edit changes; `caFile: ''` removes the CA file, `token: ''` the token, `v1: false` the older-cluster mark. */
type EnvironmentChange = Partial<Pick<EnvironmentConfig, 'name' | 'url' | 'caFile'>> & { token?: string; v1?: boolean };

/** What an InputBox says under a value it refuses; undefined accepts it. */
const errorOf = (result: Result<unknown>) => (result.ok ? undefined : result.message);
/** A builder's URL once its InputBox accepted the input (it refuses any with an error). */
const urlOrUndefined = (result: Result<string>) => (result.ok ? result.value : undefined);

/** The environment commands: the shared Environments (resolve, connection) and the flows that change them. */
export class EnvironmentCommands extends Environments {
  /**
   * Adds an environment. Asked from the palette, it is not selected behind the user's back: a notification offers
   * to use it or test it. Asked from Select Environment's "Add an environment…", it is selected, and says so.
   */
  async add(arg?: AddArgument, from: 'palette' | 'selection' = 'palette'): Promise<EnvironmentConfig | undefined> {
    const answers = arg ? checkAdd(arg) : await askAdd();
    if (!answers) return undefined;
    const { token, ...environment } = answers;
    await saveEnvironments([...configuredEnvironments(), environment]);
    if (token) await this.secrets.store(tokenKey(environment.name), token);
    if (arg) {
      if (arg.select) await saveSelection(environment.name);
      return environment;
    }
    const { name } = environment;
    if (from === 'selection') await saveSelection(name);
    const said =
      from === 'selection'
        ? this.notifier.show('information', `Added '${name}': lines now go to it.`, TEST)
        : this.notifier.show('information', `Added '${name}'. Lines still go to '${selectedName()}'.`, USE_IT, TEST);
    void said.then(async (choice) => {
      if (choice === USE_IT) await this.use(name);
      // As a command, so that a failure is shown as any command's is.
      else if (choice === TEST) await vscode.commands.executeCommand('dtmetrics.testConnection', { name });
    });
    return environment;
  }

  /** Selects an environment the user chose to use from a notification, and says so. */
  private async use(name: string): Promise<void> {
    await saveSelection(name);
    void this.notifier.show('information', `Lines now go to '${name}'.`);
  }

  async edit(arg?: EditArgument): Promise<EnvironmentConfig | undefined> {
    const current = arg ? configured(arg.name) : await this.pickConfigured('Edit an environment');
    if (!current) return undefined;
    const change = arg ? checkEdit(current, arg) : await this.askEdit(current);
    if (!change) return undefined;
    const { token, v1, ...fields } = change;
    const edited: EnvironmentConfig = { ...current, ...fields };
    if (edited.caFile === '') delete edited.caFile;
    if (v1 === true) edited.v1 = true;
    else if (v1 === false) delete edited.v1;
    await saveEnvironments(configuredEnvironments().map((e) => (e.name === current.name ? edited : e)));
    if (edited.name !== current.name) {
      const stored = await this.secrets.get(tokenKey(current.name));
      if (stored) await this.secrets.store(tokenKey(edited.name), stored);
      await this.secrets.delete(tokenKey(current.name));
      if (selectedName() === current.name) await saveSelection(edited.name);
    }
    if (token === '') await this.secrets.delete(tokenKey(edited.name));
    else if (token !== undefined) await this.secrets.store(tokenKey(edited.name), token);
    return edited;
  }

  async remove(arg?: { name: string }): Promise<EnvironmentConfig | undefined> {
    const environment = arg ? configured(arg.name) : await this.pickConfigured('Remove an environment');
    if (!environment) return undefined;
    if (!arg) {
      const answer = await this.notifier.ask(
        `Remove the environment '${environment.name}' and its token?`,
        undefined,
        'Remove',
      );
      if (answer !== 'Remove') return undefined;
    }
    await saveEnvironments(configuredEnvironments().filter((e) => e.name !== environment.name));
    await this.secrets.delete(tokenKey(environment.name));
    if (selectedName() === environment.name) await saveSelection(undefined);
    return environment;
  }

  async select(arg?: { name: string }): Promise<EnvironmentConfig | undefined> {
    if (arg) {
      const environment = this.resolve(arg.name);
      await saveSelection(environment.name);
      return environment;
    }
    const current = selectedName();
    type Item = vscode.QuickPickItem & { environment?: EnvironmentConfig };
    const items: Item[] = [
      ...allEnvironments().map((e) => ({
        label: e.name,
        description: `${kindLabel(e.kind)} · ${e.url}`,
        detail: e.name === current ? 'selected' : undefined,
        environment: e,
      })),
      { label: '$(add) Add an environment…' },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Send metric lines to',
      placeHolder: `Now: ${current}`,
    });
    if (!picked) return undefined;
    if (!picked.environment) return this.add(undefined, 'selection');
    await saveSelection(picked.environment.name);
    return picked.environment;
  }

  /** Posts an empty body with the environment's token and says what came of it, naming the cause of a failure. */
  async test(arg?: { name?: string }): Promise<{ ok: boolean; message: string } | undefined> {
    const environment = this.resolve(arg?.name);
    const connection = await this.connection(environment);
    if (!connection) return undefined;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Testing the connection to ${environment.name}` },
      () => testConnection(connection),
    );
    const text = `${environment.name}: ${result.ok ? result.value : result.message}`;
    // A connection that works to an environment lines do not go to yet: the next step is to use it.
    const offer = result.ok && environment.name !== selectedName() ? [USE_IT] : [];
    void this.notifier.show(result.ok ? 'information' : 'error', text, ...offer).then(async (choice) => {
      if (choice === USE_IT) await this.use(environment.name);
    });
    // The command's answer to callers with an argument object (tests, keybindings) keeps its shape: ok and a message.
    return result.ok ? { ok: true, message: result.value } : result;
  }

  private async pickConfigured(title: string): Promise<EnvironmentConfig | undefined> {
    const environments = configuredEnvironments();
    if (environments.length === 0) {
      void this.notifier.show(
        'information',
        'No environment is configured yet (the local tenant is built in): add one with dtmetrics: Add Environment',
      );
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      environments.map((e) => ({ label: e.name, description: e.url, environment: e })),
      { title },
    );
    return picked?.environment;
  }

  private async askEdit(current: EnvironmentConfig): Promise<EnvironmentChange | undefined> {
    const hasToken = (await this.secrets.get(tokenKey(current.name))) !== undefined;
    const fields = [
      { label: 'Name', description: current.name, field: 'name' },
      ...(current.kind === 'oneagent' ? [] : [{ label: 'URL', description: current.url, field: 'url' }]),
      ...(current.kind === 'oneagent'
        ? []
        : [{ label: 'Token', description: hasToken ? 'stored' : 'none', field: 'token' }]),
      ...(current.kind === 'managed' || current.kind === 'url'
        ? [{ label: 'CA file', description: current.caFile ?? 'none', field: 'caFile' }]
        : []),
      ...(current.kind === 'oneagent'
        ? []
        : [{ label: 'Query API', description: apiLabel(current.v1 === true), field: 'v1' }]),
    ] as const;
    const picked = await vscode.window.showQuickPick(fields, {
      title: `Edit ${current.name}`,
      placeHolder: 'What to change',
    });
    if (!picked) return undefined;
    const others = new Set(
      allEnvironments()
        .map((e) => e.name)
        .filter((n) => n !== current.name),
    );
    switch (picked.field) {
      case 'name': {
        const name = await askName(current.name, others);
        return name === undefined ? undefined : { name };
      }
      case 'url': {
        const url = await askUrl(current.kind, current.url);
        return url === undefined ? undefined : { url };
      }
      case 'token': {
        const token = await askToken(`Token for ${current.name} (empty: none)`, current.kind, true);
        return token === undefined ? undefined : { token };
      }
      case 'caFile': {
        const caFile = await askCaFile();
        return caFile === undefined ? undefined : { caFile: caFile ?? '' };
      }
      case 'v1': {
        const v1 = await askOlderCluster(current.v1 === true);
        return v1 === undefined ? undefined : { v1 };
      }
    }
  }
}

type NewEnvironment = EnvironmentConfig & { token?: string };

function checkAdd(arg: AddArgument): NewEnvironment {
  const { kind } = arg;
  const name = arg.name.trim();
  const nameError = checkName(name, new Set(allEnvironments().map((e) => e.name)));
  if (nameError) throw new UserError(nameError);
  const url = arg.url ?? defaultUrl(kind);
  if (url === undefined) throw new UserError(`A ${kindLabel(kind)} environment needs a url`);
  const read = environmentUrls(url);
  if (!read.ok) throw new UserError(read.message);
  const urls = read.value;
  if (arg.token && !urls.needsToken) throw new UserError(`${urls.ingest} takes no token`);
  if (arg.v1 && !urls.metrics)
    throw new UserError(`${urls.ingest} takes metric lines only: it answers no query, v1 or v2`);
  return {
    name,
    kind,
    url,
    ...(arg.caFile ? { caFile: arg.caFile } : {}),
    ...(arg.token ? { token: arg.token } : {}),
    ...(arg.v1 ? { v1: true as const } : {}),
  };
}

function checkEdit(current: EnvironmentConfig, arg: EditArgument): EnvironmentChange {
  if (arg.newName !== undefined) {
    const error = checkName(
      arg.newName.trim(),
      new Set(
        allEnvironments()
          .map((e) => e.name)
          .filter((n) => n !== current.name),
      ),
    );
    if (error) throw new UserError(error);
  }
  const urlError = arg.url === undefined ? undefined : errorOf(environmentUrls(arg.url));
  if (urlError) throw new UserError(urlError);
  if (arg.v1 && current.kind === 'oneagent')
    throw new UserError(`${current.name} takes metric lines only: it answers no query, v1 or v2`);
  return {
    ...(arg.newName !== undefined ? { name: arg.newName.trim() } : {}),
    ...(arg.url !== undefined ? { url: arg.url } : {}),
    ...(arg.token !== undefined ? { token: arg.token } : {}),
    ...(arg.caFile !== undefined ? { caFile: arg.caFile } : {}),
    ...(arg.v1 !== undefined ? { v1: arg.v1 } : {}),
  };
}

async function askAdd(): Promise<NewEnvironment | undefined> {
  const kind = (
    await vscode.window.showQuickPick(KINDS, { title: 'Add an environment', placeHolder: 'Where do the lines go?' })
  )?.environmentKind;
  if (!kind) return undefined;
  const url = await askUrl(kind);
  if (url === undefined) return undefined;
  const name = await askName(suggestedName(kind, url), new Set(allEnvironments().map((e) => e.name)));
  if (name === undefined) return undefined;
  const read = environmentUrls(url);
  const tokenRequired = kind === 'saas' || kind === 'managed';
  const token =
    !read.ok || !read.value.needsToken
      ? ''
      : await askToken(`Token for ${name}${tokenRequired ? '' : ' (empty: none)'}`, kind, !tokenRequired);
  if (token === undefined) return undefined;
  const caFile = kind === 'managed' || (kind === 'url' && url.startsWith('https:')) ? await askCaFile() : null;
  if (caFile === undefined) return undefined;
  const v1 = kind === 'managed' || kind === 'url' ? await askOlderCluster(false) : false;
  if (v1 === undefined) return undefined;
  return {
    name,
    kind,
    url,
    ...(caFile ? { caFile } : {}),
    ...(token ? { token } : {}),
    ...(v1 ? { v1: true as const } : {}),
  };
}

const apiLabel = (v1: boolean) => (v1 ? 'Timeseries API v1 (older cluster)' : 'Metrics API v2');

/** Whether queries go to the Timeseries API v1: clusters older than the Metrics API v2 have only that one. */
async function askOlderCluster(current: boolean): Promise<boolean | undefined> {
  const items = [false, true].map((v1) => ({
    label: apiLabel(v1),
    description: v1 === current ? 'current' : undefined,
    v1,
    detail: v1
      ? 'POST /api/v1/timeseries/{id}: for clusters without the Metrics API v2'
      : 'GET /api/v2/metrics/query with a metric selector',
  }));
  return (
    await vscode.window.showQuickPick(items, {
      title: 'Which API answers queries?',
      placeHolder: 'Older Managed clusters have only the Timeseries API v1',
    })
  )?.v1;
}

/** The URL, as the kind asks for it: an id (SaaS), a host and an id (Managed), or a URL; fixed for the OneAgent. */
async function askUrl(kind: EnvironmentKind, current?: string): Promise<string | undefined> {
  const title = `${kindLabel(kind)} environment`;
  if (kind === 'oneagent') return ONEAGENT_INGEST_URL;
  // An edit starts from the current host and id (`https://{id}.live…`, `https://{host}/e/{id}`).
  const was = current === undefined ? undefined : new URL(current);
  if (kind === 'saas') {
    const id = await vscode.window.showInputBox({
      title,
      prompt: 'The environment id, as in https://{id}.live.dynatrace.com',
      placeHolder: 'abc12345',
      value: was?.hostname.split('.')[0],
      validateInput: (v) => errorOf(saasUrl(v)),
    });
    return id === undefined ? undefined : urlOrUndefined(saasUrl(id));
  }
  if (kind === 'managed') {
    // managedUrl checks the host before the id, so a well-formed stand-in id leaves only the host's findings.
    const host = await vscode.window.showInputBox({
      title,
      prompt: 'The host (and :port) of the Managed cluster or ActiveGate',
      placeHolder: 'dynatrace.example.com:9999',
      value: was?.host,
      ignoreFocusOut: true,
      validateInput: (v) => errorOf(managedUrl(v, 'id')),
    });
    if (host === undefined) return undefined;
    const id = await vscode.window.showInputBox({
      title,
      prompt: `The environment id, as in https://${host.trim()}/e/{id}`,
      value: was?.pathname.split('/')[2],
      ignoreFocusOut: true,
      validateInput: (v) => errorOf(managedUrl(host, v)),
    });
    return id === undefined ? undefined : urlOrUndefined(managedUrl(host, id));
  }
  return vscode.window.showInputBox({
    title,
    prompt: "The environment's base URL or its ingest endpoint",
    value: current ?? defaultUrl(kind) ?? 'https://',
    ignoreFocusOut: true,
    validateInput: (v) => errorOf(environmentUrls(v)),
  });
}

function askName(suggestion: string, taken: ReadonlySet<string>): Thenable<string | undefined> {
  return vscode.window
    .showInputBox({
      title: 'Name of the environment',
      prompt: 'Shown in the status bar and in summaries',
      value: suggestion,
      validateInput: (v) => checkName(v.trim(), taken),
    })
    .then((v) => v?.trim());
}

/** A CA file's path; null for none; undefined when cancelled. */
async function askCaFile(): Promise<string | null | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'No CA file', detail: "The system's certificates are enough", choose: false },
      { label: 'Choose a CA file…', detail: 'PEM certificates of a private CA, read at each push', choose: true },
    ],
    { title: 'Certificates to trust' },
  );
  if (!picked) return undefined;
  if (!picked.choose) return null;
  const files = await vscode.window.showOpenDialog({
    title: 'CA file (PEM)',
    canSelectMany: false,
    filters: { 'PEM certificates': ['pem', 'crt', 'cer'], 'All files': ['*'] },
  });
  return files?.[0]?.fsPath;
}

function configured(name: string): EnvironmentConfig {
  const environment = configuredEnvironments().find((e) => e.name === name);
  if (!environment)
    throw new UserError(
      `No configured environment is named '${name}'${name === localTenantEnvironment().name ? ' (the local tenant is built in)' : ''}`,
    );
  return environment;
}

function checkName(name: string, taken: ReadonlySet<string>): string | undefined {
  if (name === '') return 'A name is needed';
  if (taken.has(name)) return `'${name}' is taken`;
  return undefined;
}

function defaultUrl(kind: EnvironmentKind): string | undefined {
  if (kind === 'oneagent') return ONEAGENT_INGEST_URL;
  if (kind === 'local') return localTenantEnvironment().url;
  return undefined;
}

/** The environment id for SaaS and Managed (`abc12345`, `abc12345 on host`), else the host. */
function suggestedName(kind: EnvironmentKind, url: string): string {
  if (kind === 'oneagent') return 'local OneAgent';
  const { host, pathname } = new URL(url);
  const id = kind === 'saas' ? host.split('.')[0] : kind === 'managed' ? pathname.split('/')[2] : undefined;
  if (!id) return host;
  return kind === 'managed' ? `${id} on ${host}` : id;
}

function kindLabel(kind: EnvironmentKind): string {
  return KINDS.find((k) => k.environmentKind === kind)?.label ?? kind;
}

const settings = () => vscode.workspace.getConfiguration('dtmetrics');

function saveEnvironments(environments: EnvironmentConfig[]): Thenable<void> {
  return settings().update('environments', environments, vscode.ConfigurationTarget.Global);
}

/** Written where the choice in effect comes from: the workspace's settings when they make one, else the user's. */
function saveSelection(name: string | undefined): Thenable<void> {
  const inWorkspace = settings().inspect<string>('environment')?.workspaceValue !== undefined;
  return settings().update(
    'environment',
    name,
    inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global,
  );
}
