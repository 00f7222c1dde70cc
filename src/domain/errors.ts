/** Stable error codes: the API maps them to HTTP statuses, the CLI to messages and exit codes. */
export type ErrorCode =
  | 'validation'
  | 'not-found'
  | 'conflict'
  | 'precondition-failed'
  | 'forbidden'
  | 'unauthenticated'
  | 'too-large'
  | 'unsupported-input'
  | 'throttled'
  | 'unavailable'
  | 'upstream';

export class CountersignError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CountersignError';
    this.code = code;
    this.details = details;
  }
}
