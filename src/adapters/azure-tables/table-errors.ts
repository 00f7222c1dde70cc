import { RestError } from '@azure/data-tables';
import type { CountersignError } from '../../domain/errors.ts';
import { statusOf, storageError as azureStorageError } from '../azure-storage/storage-errors.ts';

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

/** Wraps an unexpected Table storage failure in a typed error (status and cause kept). */
export function storageError(error: unknown, what: string): CountersignError {
  return azureStorageError('Table', error, what);
}
