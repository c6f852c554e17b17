/**
 * The custom messages between the extension client and the language server (ARCHITECTURE.md, invariant 4): one
 * typed definition each, with who sends it and why, so that both sides take the params and result types from here.
 * Imported by both: vscode-languageserver-protocol's common entry is plain JavaScript (no Node-only module), and it
 * is the one copy vscode-languageclient and vscode-languageserver share (both 11), so either side passes these
 * objects to its connection as they are.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { MetricStats, StatsTotals } from '#core/stats/analysis.ts';

/** The `source` of the language server's diagnostics: the client tells them from the tenant's (`tenant`) by it. */
export const DIAGNOSTIC_SOURCE = 'dtmetrics';

/** Server → client, after each validation: feeds the status item ("validated 3 ms ago, 2 problems"). */
export const ValidatedNotification = new NotificationType<ValidatedParams>('dtmetrics/validated');

export interface ValidatedParams {
  uri: string;
  version: number;
  /** How long linting the document took, in milliseconds. */
  durationMs: number;
  /** Diagnostics found, before the per-document cap. */
  problems: number;
}

/**
 * Client → server, when the query prompt opens: the keys the workspace's `.dtmetrics` files and open documents
 * (as typed) send metrics under, to complete a selector with beside the tenant's. Answered from the language
 * server's workspace index (the one completion uses), once it has read the workspace.
 */
export const WorkspaceKeysRequest = new RequestType<WorkspaceKeysParams, WorkspaceKeysResult, void>(
  'dtmetrics/workspaceKeys',
);

export interface WorkspaceKeysParams {
  /** The most keys the prompt offers: the answer holds the first of them in order. */
  limit: number;
}

export interface WorkspaceKeysResult {
  /** Stored keys (`x.count` for a count metric `x`), sorted, at most `limit`. */
  keys: string[];
}

/**
 * Client → server, while the Cardinality view is visible: the cost and cardinality figures of one open document (as
 * typed: the analysis the CodeLens shows) or of the workspace's `.dtmetrics` files read as one environment's lines
 * (open documents as typed, the others as saved), as `dtmetrics stats` reads several files. The settings of
 * dtmetrics.stats (cadence, price) apply. Answered once worked out, in slices; null for a document not open.
 */
export const CardinalityRequest = new RequestType<CardinalityParams, CardinalityResult | null, void>(
  'dtmetrics/cardinality',
);

export type CardinalityParams = { scope: 'document'; uri: string } | { scope: 'workspace' };

export interface CardinalityResult {
  /** Per metric, as `dtmetrics stats --format json` has them (core/stats/analysis.ts). */
  metrics: MetricStats[];
  totals: StatsTotals;
  /** Stored key → the first line that counts for it. */
  firstLines: Record<string, { uri: string; line: number }>;
  /** The files read. */
  files: number;
  /** Files left out of a workspace's figures, each with why (`big.dtmetrics: over 64 MB`). */
  skipped: string[];
}
