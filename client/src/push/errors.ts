/**
 * A failure the user can act on, worded for them: the command wrapper (activation.ts) shows its message as it is.
 * Messages never carry a token.
 */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}
