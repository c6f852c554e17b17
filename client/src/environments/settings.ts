/**
 * The environments lines can be sent to, as the settings hold them, and the one selected. Settings hold no
 * secret: tokens live in SecretStorage (environments.ts). Kept free of the HTTP client so that the status item and
 * the CodeLens, which exist from activation on, read it without loading the push bundle.
 */
import * as vscode from 'vscode';
import type { EnvironmentKind } from '#core/environment.ts';
import { SETTING_DEFAULTS } from '../setting-defaults.ts';

export interface EnvironmentConfig {
  name: string;
  kind: EnvironmentKind;
  /** The environment's base URL or an ingest endpoint, as environmentUrls() reads it. */
  url: string;
  /** A PEM file of certificates to trust, read at each push (for a Managed or ActiveGate with its own CA). */
  caFile?: string;
  /** An older cluster: queries go to the Timeseries API v1 (`POST /api/v1/timeseries/{id}`) instead of v2. */
  v1?: true;
}

/** Always there, not in the settings: the tenant `dtmetrics serve` runs on this machine. */
export const LOCAL_TENANT_NAME = 'local tenant';

export const ENVIRONMENT_KINDS: readonly EnvironmentKind[] = ['saas', 'managed', 'oneagent', 'local', 'url'];

const config = () => vscode.workspace.getConfiguration('dtmetrics');

export function localTenantPort(): number {
  return config().get('localTenant.port', SETTING_DEFAULTS['localTenant.port']);
}

export function localTenantEnvironment(): EnvironmentConfig {
  return { name: LOCAL_TENANT_NAME, kind: 'local', url: `http://127.0.0.1:${localTenantPort()}` };
}

/** The environments of `dtmetrics.environments`; entries written by hand without a name, kind or URL are left out. */
export function configuredEnvironments(): EnvironmentConfig[] {
  const raw = config().get('environments', SETTING_DEFAULTS.environments);
  return raw.flatMap((item) => {
    const e = item as Partial<Record<keyof EnvironmentConfig, unknown>>;
    if (
      typeof e.name !== 'string' ||
      typeof e.url !== 'string' ||
      !ENVIRONMENT_KINDS.includes(e.kind as EnvironmentKind)
    )
      return [];
    const environment: EnvironmentConfig = { name: e.name, kind: e.kind as EnvironmentKind, url: e.url };
    if (typeof e.caFile === 'string' && e.caFile !== '') environment.caFile = e.caFile;
    if (e.v1 === true) environment.v1 = true;
    return [environment];
  });
}

/** The local tenant, then the configured environments. */
export function allEnvironments(): EnvironmentConfig[] {
  return [localTenantEnvironment(), ...configuredEnvironments()];
}

/** The name in `dtmetrics.environment`; the local tenant when none is chosen. */
export function selectedName(): string {
  return config().get('environment', SETTING_DEFAULTS.environment) || LOCAL_TENANT_NAME;
}

/** The selected environment, or undefined when the setting names one that is not defined (any more). */
export function selectedEnvironment(): EnvironmentConfig | undefined {
  const name = selectedName();
  return allEnvironments().find((e) => e.name === name);
}

/** Whether a configuration change concerns which environment lines go to, or where it is. */
export function affectsEnvironment(event: vscode.ConfigurationChangeEvent): boolean {
  return ['dtmetrics.environment', 'dtmetrics.environments', 'dtmetrics.localTenant.port'].some((section) =>
    event.affectsConfiguration(section),
  );
}
