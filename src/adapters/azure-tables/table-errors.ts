import { RestError } from '@azure/data-tables';
import { CountersignError } from '../../domain/errors.ts';

/** The HTTP status of a failed Table storage call, if it got one. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof RestError ? error.statusCode : undefined;
}

/**
 * A conditional write lost a race: the etag changed (412), an entity it expected is gone
 * (404), or one it was creating exists (409). In a transaction any of these fails the whole
 * batch, and none of its writes happened.
 */
export function isRaceLost(error: unknown): boolean {
  const status = statusOf(error);
  return status === 404 || status === 409 || status === 412;
}

/**
 * Which action of a failed transaction was refused: the service starts the message with its
 * index (`3:The specified entity already exists.`).
 */
export function failedActionIndex(error: unknown): number | undefined {
  if (!(error instanceof RestError)) return undefined;
  const match = /^(\d+):/.exec(error.message);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Wraps an unexpected storage failure in a typed error that keeps the status and the cause. */
export function storageError(error: unknown, what: string): CountersignError {
  if (error instanceof CountersignError) return error;
  const status = statusOf(error);
  const code =
    status === 429
      ? 'throttled'
      : status === 503 || status === undefined
        ? 'unavailable'
        : 'upstream';
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new CountersignError(
    code,
    `Table storage failed to ${what}: ${message}`,
    status === undefined ? {} : { status },
    { cause: error },
  );
}
