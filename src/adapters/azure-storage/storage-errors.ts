import { CountersignError } from '../../domain/errors.ts';

/**
 * The HTTP status of a failed Azure Storage call (Tables or Blobs), if it got one. Both SDKs throw
 * @azure/core-rest-pipeline's RestError (each re-exports the one class), so the check is on its
 * shape rather than on either package's export.
 */
export function statusOf(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== 'RestError') return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Which Azure Storage service failed, as the message names it. */
export type StorageService = 'Table' | 'Blob';

/**
 * Wraps an unexpected storage failure in a typed error that keeps the status and the cause: 429
 * is `throttled`, 503 or no answer `unavailable`, anything else `upstream`.
 */
export function storageError(
  service: StorageService,
  error: unknown,
  what: string,
): CountersignError {
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
    `${service} storage failed to ${what}: ${message}`,
    status === undefined ? {} : { status },
    { cause: error },
  );
}
