/**
 * The custom messages between the extension client and the language server (ARCHITECTURE.md, invariant 4): one
 * typed definition each, with who sends it and why, so that both sides take the params and result types from here.
 * Imported by both: vscode-languageserver-protocol's common entry is plain JavaScript (no Node-only module), and it
 * is the one copy vscode-languageclient and vscode-languageserver share (both 11), so either side passes these
 * objects to its connection as they are.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';

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
