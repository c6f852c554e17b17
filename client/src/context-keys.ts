/**
 * The context keys the extension sets (the `setContext` command), which package.json's `when` clauses read to show
 * a command in the palette only where it means something (test/client/commands.test.ts holds each clause to a key
 * named here). No imports: the activation bundle, the lazily loaded ones and the tests read it alike.
 */

export const CONTEXT_KEYS = {
  /** true once the extension is active: the language server exists, so Restart Language Server means something. */
  active: 'dtmetrics.active',
  /** true when `dtmetrics.environments` holds an environment to edit or remove. */
  hasEnvironments: 'dtmetrics.hasEnvironments',
  /**
   * The local tenant on the port: 'started' (from this workspace: it can stop it), 'elsewhere' (another window or
   * a terminal started it), 'stopped'. Unset until first looked at, when both Start and Stop show.
   */
  localTenant: 'dtmetrics.localTenant',
  /** true while the ingest inspector shows a request: Save Request as Fixture and Clear Ingest Inspector. */
  inspectorHasRequests: 'dtmetrics.inspectorHasRequests',
  /** true once a query has run in this workspace (its recent queries): Rerun Last Query and Open Saved Query Result. */
  queryRun: 'dtmetrics.queryRun',
  /** true while the extension holds a query result to export. */
  queryResult: 'dtmetrics.queryResult',
} as const;

/** The workspace state key of the recent queries (query/prompts.ts), read at activation for `queryRun`. */
export const RECENT_QUERIES_KEY = 'dtmetrics.query.recent';
