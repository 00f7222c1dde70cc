import { randomUUID } from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { MembershipSnapshots } from '../../ports/membership-snapshots.ts';
import { mapLimit } from '../../domain/map-limit.ts';
import { memberEntity, withKeys } from './table-entities.ts';
import { failedActionIndex, storageError } from './table-errors.ts';
import { statusOf } from '../azure-storage/storage-errors.ts';
import {
  allEntities,
  chunk,
  PARALLEL,
  readEntity,
  TRANSACTION_LIMIT,
  writeIdEntity,
} from './table-access.ts';
import { encodeKey, prefixEnd } from './table-keys.ts';

const SCOPE_ROW = 's';
const MEMBER_PREFIX = 'u|';

/** Reads only the user id of a row (existence checks). */
const memberEntityOf = memberEntity.partial();

/**
 * Membership snapshots on Azure Table storage: one partition per scope, a scope row and a row
 * per member seen, members inserted a hundred to a transaction.
 */
export class AzureTablesMembershipSnapshots implements MembershipSnapshots {
  readonly #members: TableClient;

  constructor(members: TableClient) {
    this.#members = members;
  }

  async recordMembers(
    scope: string,
    userIds: readonly string[],
    now: Date,
  ): Promise<{ baseline: boolean; added: string[] }> {
    const partition = encodeKey(scope);
    const at = now.toISOString();
    const scopeRow = await readEntity(this.#members, partition, SCOPE_ROW, memberEntityOf);
    const seen = new Set(
      (
        await allEntities(
          this.#members,
          odata`PartitionKey eq ${partition} and RowKey ge ${MEMBER_PREFIX} and RowKey lt ${prefixEnd(MEMBER_PREFIX)}`,
          memberEntity,
          { select: ['userId'] },
        )
      ).map((row) => row.value.userId),
    );
    const fresh = [...new Set(userIds)].filter((userId) => !seen.has(userId));
    const added = (
      await mapLimit(chunk(fresh, TRANSACTION_LIMIT), PARALLEL, (batch) =>
        this.#insertMembers(partition, batch, at),
      )
    ).flat();
    if (scopeRow !== null) return { baseline: false, added };
    // The scope row goes last: a baseline cut short by a crash is a baseline again next time,
    // rather than a flood of "new" members.
    try {
      await this.#members.createEntity(
        withKeys(partition, SCOPE_ROW, { userId: '', firstSeenAt: at }),
      );
    } catch (error) {
      if (statusOf(error) !== 409) throw storageError(error, `record the scope ${scope}`);
    }
    return { baseline: true, added: [] };
  }

  /** Inserts members in one transaction; returns those this call added. */
  async #insertMembers(partition: string, userIds: string[], at: string): Promise<string[]> {
    let pending = userIds;
    while (pending.length > 0) {
      const writeId = randomUUID();
      try {
        await this.#members.submitTransaction(
          pending.map((userId): TransactionAction => [
            'create',
            withKeys(partition, MEMBER_PREFIX + encodeKey(userId), {
              userId,
              firstSeenAt: at,
              writeId,
            }),
          ]),
        );
        return pending;
      } catch (error) {
        if (statusOf(error) !== 409) throw storageError(error, 'record members');
        const failed = failedActionIndex(error);
        const loser = failed === undefined ? undefined : pending[failed];
        if (loser === undefined) throw storageError(error, 'record members');
        const found = await readEntity(
          this.#members,
          partition,
          MEMBER_PREFIX + encodeKey(loser),
          writeIdEntity,
        );
        // A retried transaction whose answer was lost had landed, all of it.
        if (found?.value.writeId === writeId) return pending;
        pending = pending.filter((userId) => userId !== loser);
      }
    }
    return [];
  }
}
