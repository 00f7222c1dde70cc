import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import {
  checkpointCopyKey,
  checkpointCopyText,
  parseCheckpointCopy,
  type CheckpointCopy,
} from '../../domain/evidence/checkpoint-copy.ts';
import type { EvidenceRow } from '../../domain/evidence/evidence-row.ts';
import { CountersignError } from '../../domain/errors.ts';
import type { CheckpointArchive } from '../../ports/checkpoint-archive.ts';
import { allEntities, createOnce, readEntity } from './table-access.ts';
import { withKeys } from './table-entities.ts';
import { CHECKPOINT_PARTITION } from './table-keys.ts';

const checkpointEntity = z.object({
  number: z.number().int(),
  recordHash: z.string(),
  copy: z.string(),
});

/**
 * Checkpoint copies on Azure Table storage: one partition, a row per number keyed so that the
 * newest sorts first (the latest is one short query), created once and never replaced.
 */
export class AzureTablesCheckpointArchive implements CheckpointArchive {
  readonly #checkpoints: TableClient;

  constructor(checkpoints: TableClient) {
    this.#checkpoints = checkpoints;
  }

  async putCheckpoint(copy: CheckpointCopy): Promise<'created' | 'exists'> {
    const { number } = copy.record;
    const rowKey = checkpointCopyKey(number);
    const created = await createOnce(
      this.#checkpoints,
      withKeys(CHECKPOINT_PARTITION, rowKey, {
        number,
        recordHash: copy.hash,
        copy: checkpointCopyText(copy),
      }),
      `keep ${copy.record.id}`,
    );
    if (created) return 'created';
    const held = await readEntity(
      this.#checkpoints,
      CHECKPOINT_PARTITION,
      rowKey,
      checkpointEntity,
    );
    if (held?.value.recordHash === copy.hash) return 'exists';
    throw new CountersignError('conflict', `The work store holds another checkpoint ${number}.`, {
      key: copy.record.id,
    });
  }

  async latestCheckpoints(limit: number): Promise<EvidenceRow[]> {
    const top = Math.max(0, Math.trunc(limit));
    if (top === 0) return [];
    const rows = await allEntities(
      this.#checkpoints,
      `PartitionKey eq '${CHECKPOINT_PARTITION}'`,
      checkpointEntity,
      { limit: top },
    );
    return rows.map((row) =>
      parseCheckpointCopy(row.value.copy, `work store checkpoint ${row.value.number}`),
    );
  }
}
