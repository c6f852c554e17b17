/**
 * What both pushes and queries need of an environment: the one named or selected, and the Connection a request
 * uses: its token from SecretStorage (asked for when a SaaS or Managed environment has none), VS Code's proxy
 * settings, the CA file read at each use, and a modal question before a token would cross the network in plain
 * http://. Shared by dist/push.js and dist/query.js; the commands that add, edit and test environments stay in push/.
 */
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { environmentUrls, isLoopback, type EnvironmentKind } from '#core/environment.ts';
import { proxyProblem, type Connection } from '#http/client.ts';
import { describeSystemError, UserError } from '#edge/errors.ts';
import type { Notifier } from '../notifier.ts';
import { allEnvironments, selectedEnvironment, selectedName, type EnvironmentConfig } from './settings.ts';

export const tokenKey = (name: string) => `dtmetrics.token/${name}`;

export class Environments {
  constructor(
    protected readonly secrets: vscode.SecretStorage,
    protected readonly notifier: Notifier,
  ) {}

  /** The environment named, or the selected one. */
  resolve(name?: string): EnvironmentConfig {
    const environment = name === undefined ? selectedEnvironment() : allEnvironments().find((e) => e.name === name);
    if (!environment)
      throw new UserError(
        `No environment is named '${name ?? selectedName()}': choose one with 'dtmetrics: Select Environment'`,
      );
    return environment;
  }

  /**
   * What a request to `environment` needs: its URLs, its token (asked for and stored when a SaaS or Managed
   * environment has none yet), its CA file's certificates and VS Code's proxy. Undefined when the user declines, or
   * when a question would be needed and `ask` is false (a view reading in the background asks nothing).
   */
  async connection(environment: EnvironmentConfig, ask = true): Promise<Connection | undefined> {
    const read = environmentUrls(environment.url);
    if (!read.ok) throw new UserError(`The environment '${environment.name}' has an unusable URL: ${read.message}`);
    const urls = read.value;
    let token = urls.needsToken ? ((await this.secrets.get(tokenKey(environment.name))) ?? null) : null;
    if (token === null && urls.needsToken && (environment.kind === 'saas' || environment.kind === 'managed')) {
      if (!ask) return undefined;
      const asked = await askToken(`No token is stored for ${environment.name}`, environment.kind, false);
      if (!asked) return undefined;
      await this.secrets.store(tokenKey(environment.name), asked);
      token = asked;
    }
    const { protocol, hostname } = new URL(urls.ingest);
    if (token && protocol === 'http:' && !isLoopback(hostname)) {
      if (!ask) return undefined;
      const answer = await this.notifier.ask(
        `Send the token for ${environment.name} unencrypted to ${hostname}?`,
        `${urls.ingest} is plain http:// and not this machine: anyone on the way can read the token. Use https:// unless this network is yours.`,
        'Send Unencrypted',
      );
      if (answer !== 'Send Unencrypted') return undefined;
    }
    const http = vscode.workspace.getConfiguration('http');
    const connection = {
      urls,
      token,
      ca: await readCa(environment),
      proxy: http.get<string>('proxy') || null,
      strictSSL: http.get<boolean>('proxyStrictSSL') !== false,
    };
    const proxy = proxyProblem(connection);
    if (proxy) throw new UserError(proxy);
    return connection;
  }
}

/** A token from a password box; `''` when `optional` and left empty; undefined when cancelled. */
export function askToken(title: string, kind: EnvironmentKind, optional: boolean): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt:
      "An API token with the scopes metrics.ingest (to send) and metrics.read (to query; DataExport on an older cluster). Kept in VS Code's secret storage, never in settings.",
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => {
      if (v === '') return optional ? undefined : 'A token is needed for this environment';
      if (/\s/.test(v)) return 'A token has no spaces';
      if ((kind === 'saas' || kind === 'managed') && !v.startsWith('dt0c01.'))
        return { message: 'Dynatrace tokens start with dt0c01.', severity: vscode.InputBoxValidationSeverity.Warning };
      return undefined;
    },
  });
}

async function readCa(environment: EnvironmentConfig): Promise<string | null> {
  if (!environment.caFile) return null;
  try {
    return await readFile(environment.caFile, 'utf8');
  } catch (error) {
    throw new UserError(
      `Cannot read the CA file of ${environment.name}, ${environment.caFile}: ${describeSystemError(error)}`,
    );
  }
}
