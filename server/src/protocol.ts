/**
 * The custom messages between the extension client and the language server (ARCHITECTURE.md, invariant 4):
 * one typed definition each, with who sends it and why. Imported by both sides.
 */

/** Server → client, after each validation: feeds the status item ("validated 3 ms ago, 2 problems"). */
export const VALIDATED_NOTIFICATION = 'dtmetrics/validated';

export interface ValidatedParams {
  uri: string;
  version: number;
  /** How long linting the document took, in milliseconds. */
  durationMs: number;
  /** Diagnostics found, before the per-document cap. */
  problems: number;
}
