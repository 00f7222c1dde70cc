import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { CountersignError } from '../../domain/errors.ts';
import type { StoredEntity } from './table-entities.ts';
import { storageError } from './table-errors.ts';
import { statusOf } from '../azure-storage/storage-errors.ts';

// Reading and writing entities, shared by the work store's parts (one file per port).

/** At most this many actions in one transaction (the service's limit). */
export const TRANSACTION_LIMIT = 100;
/** Parallel requests for fan-out work (enqueue batches, sweeps across jobs). */
export const PARALLEL = 4;
/** Conditional writes retried this often after losing a race before giving up visibly. */
export const RACE_RETRIES = 8;

/** Rows that live alone in their partition (a conversation, a marker). */
export const ONE_ROW = 'r';

export const iso = (ms: number): string => new Date(ms).toISOString();

export function isoToIso(value: string, what: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CountersignError('validation', `${what} is not a date.`);
  return iso(ms);
}

export interface Read<T> {
  value: T;
  etag: string;
}

/** Reads only the write id of an entity (recognising one's own landed write). */
export const writeIdEntity = z.object({ writeId: z.string().optional() });

export async function readEntity<S extends z.ZodType>(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
  schema: S,
): Promise<Read<z.infer<S>> | null> {
  let entity: Awaited<ReturnType<TableClient['getEntity']>>;
  try {
    entity = await client.getEntity(partitionKey, rowKey);
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw storageError(error, `read ${client.tableName}/${partitionKey}/${rowKey}`);
  }
  // Outside the try: an entity that does not parse is a data problem, not an outage.
  return { value: schema.parse(entity), etag: entity.etag };
}

/** Entities matching a filter, page by page, stopping once `limit` have been yielded. */
async function* queryEntities<S extends z.ZodType>(
  client: TableClient,
  filter: string,
  schema: S,
  options: { select?: string[]; limit?: number } = {},
): AsyncGenerator<Read<z.infer<S>> & { rowKey: string }> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return;
  let yielded = 0;
  const pages = client
    .listEntities({
      queryOptions: {
        filter,
        ...(options.select === undefined ? {} : { select: options.select }),
      },
    })
    .byPage({ maxPageSize: Math.min(1000, limit) });
  for (;;) {
    let next: Awaited<ReturnType<typeof pages.next>>;
    try {
      next = await pages.next();
    } catch (error) {
      throw storageError(error, `query ${client.tableName}`);
    }
    if (next.done === true) return;
    for (const entity of next.value) {
      yield { value: schema.parse(entity), etag: entity.etag, rowKey: entity.rowKey ?? '' };
      yielded += 1;
      if (yielded >= limit) return;
    }
  }
}

export async function allEntities<S extends z.ZodType>(
  client: TableClient,
  filter: string,
  schema: S,
  options: { select?: string[]; limit?: number } = {},
): Promise<Array<Read<z.infer<S>> & { rowKey: string }>> {
  const rows: Array<Read<z.infer<S>> & { rowKey: string }> = [];
  for await (const row of queryEntities(client, filter, schema, options)) rows.push(row);
  return rows;
}

/**
 * Creates an entity unless it exists. A 409 may also be the SDK retrying a create whose
 * answer was lost: the entity carries this call's write id, so that case still says true.
 */
export async function createOnce(
  client: TableClient,
  entity: StoredEntity,
  what: string,
): Promise<boolean> {
  const writeId = randomUUID();
  try {
    await client.createEntity({ ...entity, writeId });
    return true;
  } catch (error) {
    if (statusOf(error) !== 409) throw storageError(error, what);
    const found = await readEntity(client, entity.partitionKey, entity.rowKey, writeIdEntity);
    return found?.value.writeId === writeId;
  }
}

export function racing(what: string): CountersignError {
  return new CountersignError(
    'conflict',
    `Could not ${what}: it kept changing under this instance (${RACE_RETRIES} tries).`,
  );
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
