/** What the edges that look for metric files on disk (`dtmetrics lint <dir>`, the language server's workspace index) share. */

/** The extension of metric line files, as package.json declares the language. */
export const METRIC_FILE_EXTENSION = '.dtmetrics';

/**
 * Folders a walk for metric files never enters: dependencies, version control data, the editor test runs' VS Code
 * and build output hold no fixtures of the user's, and a walk through them is slow. One list, so that the files
 * `dtmetrics lint .` checks are the files the editor completes keys from. A folder named on the command line is
 * still walked: only the folders found inside it are skipped by name.
 */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '.vscode-test',
  'dist',
]);
