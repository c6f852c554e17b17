/**
 * What the IO edges (the CLI and the extension's bundles) share about failures the user can act on.
 * Each esbuild bundle carries its own copy of this module, so a UserError is recognised by a registered symbol
 * (isUserError), never by `instanceof` or its name.
 */

const USER_ERROR = Symbol.for('dtmetrics.userError');

/**
 * A failure the user can act on, worded for them: the CLI prints it as one line (exit code 2), the extension shows
 * it as it is; never a stack trace. Messages never carry a token.
 */
export class UserError extends Error {
  readonly [USER_ERROR] = true;
  /** `command`: the CLI command the mistake was made in, named in the line (`dtmetrics lint: …`). */
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Whether `error` is a UserError, from this bundle or another. */
export function isUserError(error: unknown): error is UserError {
  return typeof error === 'object' && error !== null && (error as { [USER_ERROR]?: unknown })[USER_ERROR] === true;
}

/** A Node system error as a short phrase: "no such file", "permission denied". */
export function describeSystemError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'EMFILE':
      return 'too many open files';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
