/**
 * The defaults of the `dtmetrics.*` settings the extension reads itself (those of the language server are in
 * server/src/lsp/settings.ts). package.json declares the same, and VS Code hands those out; these stand where it
 * gives nothing. Free of `vscode`, so that test/lsp/settings.test.ts can hold them equal to package.json's.
 */
import { LOCAL_TENANT_PORT } from '#core/environment.ts';

export const SETTING_DEFAULTS = {
  /** None: the local tenant is selected. */
  environment: '',
  environments: [] as unknown[],
  'localTenant.port': LOCAL_TENANT_PORT,
  'push.timestamps': 'as-written' as const,
  'push.codeLens': true,
  'query.codeLens': true,
  'query.timeoutSeconds': 30,
  'query.chartSeries': 20,
};
