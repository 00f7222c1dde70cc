import { RestError as TablesRestError } from '@azure/data-tables';
import { RestError as BlobRestError } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import { statusOf, storageError } from '../../../src/adapters/azure-storage/storage-errors.ts';
import { CountersignError } from '../../../src/domain/errors.ts';

describe('Azure Storage errors (Tables and Blobs share one mapping)', () => {
  it('reads the status from either SDK’s RestError, and nothing from other errors', () => {
    expect(statusOf(new TablesRestError('conflict', { statusCode: 409 }))).toBe(409);
    expect(statusOf(new BlobRestError('gone', { statusCode: 404 }))).toBe(404);
    expect(statusOf(new Error('socket hang up'))).toBeUndefined();
    expect(statusOf({ statusCode: 500 })).toBeUndefined();
  });

  it.each([
    [429, 'throttled'],
    [503, 'unavailable'],
    [500, 'upstream'],
    [403, 'upstream'],
  ] as const)('a %i is %s, with the status and the cause kept', (status, code) => {
    const cause = new BlobRestError('The server said no.\nmore detail', { statusCode: status });
    const error = storageError('Blob', cause, 'keep checkpoint-1');
    expect(error).toMatchObject({
      code,
      message: 'Blob storage failed to keep checkpoint-1: The server said no.',
      details: { status },
      cause,
    });
  });

  it('no answer at all is unavailable; a typed error passes through unchanged', () => {
    expect(storageError('Table', new Error('ECONNREFUSED'), 'read a lease')).toMatchObject({
      code: 'unavailable',
      message: 'Table storage failed to read a lease: ECONNREFUSED',
      details: {},
    });
    const typed = new CountersignError('conflict', 'taken');
    expect(storageError('Table', typed, 'anything')).toBe(typed);
  });
});
