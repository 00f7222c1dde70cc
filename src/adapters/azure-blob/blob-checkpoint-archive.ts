import { ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
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
import { statusOf, storageError } from '../azure-storage/storage-errors.ts';

export type BlobArchiveOptions =
  /** In Azure: the container's URL and the app's managed identity (Storage Blob Data Contributor). */
  | { containerUrl: string; credential: TokenCredential; pipeline?: StoragePipelineOptions }
  /**
   * A storage account's connection string and a container name. `create` makes the container
   * when it is missing (Azurite in tests); a tenant's service passes false, since a container it
   * made would have no WORM policy (the Bicep creates it with one).
   */
  | {
      connectionString: string;
      containerName: string;
      create: boolean;
      pipeline?: StoragePipelineOptions;
    };

/** Blob names: `<15 digits counting down>-checkpoint-<N>.json`, so a listing starts at the latest. */
function blobName(number: number): string {
  return `${checkpointCopyKey(number)}-checkpoint-${String(number)}.json`;
}

/** What a stored copy must say for a retry to be told from another checkpoint. */
const heldHashSchema = z.object({ hash: z.string() });

function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null; // not JSON: not the copy this write would have made
  }
}

function blobError(error: unknown, what: string): CountersignError {
  return storageError('Blob', error, what);
}

/**
 * Checkpoint copies in an Azure Blob container. In Azure the container has a time-based retention
 * (WORM) policy (infra/main.bicep): a blob can be created, never changed or deleted while the
 * policy holds, not even by the storage account's owner once the policy is locked. Each copy is
 * created only if no blob has its name (If-None-Match: *), so a copy is never replaced here either.
 */
export class BlobCheckpointArchive implements CheckpointArchive {
  readonly #container: ContainerClient;

  constructor(container: ContainerClient) {
    this.#container = container;
  }

  async putCheckpoint(copy: CheckpointCopy): Promise<'created' | 'exists'> {
    const name = blobName(copy.record.number);
    const body = checkpointCopyText(copy);
    const blob = this.#container.getBlockBlobClient(name);
    try {
      await blob.upload(body, Buffer.byteLength(body), {
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      return 'created';
    } catch (error) {
      // 409 BlobAlreadyExists (or, under the WORM policy, an immutable blob): read what is there.
      if (statusOf(error) !== 409 && statusOf(error) !== 412) {
        throw blobError(error, `keep ${copy.record.id}`);
      }
    }
    const held = heldHashSchema.safeParse(jsonOrNull(await this.#read(name)));
    if (held.success && held.data.hash === copy.hash) return 'exists';
    throw new CountersignError('conflict', `The container holds another ${copy.record.id}.`, {
      key: copy.record.id,
    });
  }

  async latestCheckpoints(limit: number): Promise<EvidenceRow[]> {
    const top = Math.max(0, Math.trunc(limit));
    if (top === 0) return [];
    const names: string[] = [];
    try {
      for await (const page of this.#container.listBlobsFlat().byPage({ maxPageSize: top })) {
        for (const item of page.segment.blobItems) {
          if (names.length < top) names.push(item.name);
        }
        if (names.length >= top) break;
      }
    } catch (error) {
      throw blobError(error, 'list the checkpoints');
    }
    const rows: EvidenceRow[] = [];
    for (const name of names) rows.push(parseCheckpointCopy(await this.#read(name), name));
    return rows;
  }

  async #read(name: string): Promise<string> {
    try {
      const buffer = await this.#container.getBlockBlobClient(name).downloadToBuffer();
      return buffer.toString('utf8');
    } catch (error) {
      throw blobError(error, `read ${name}`);
    }
  }
}

/**
 * The archive on a container; creates the container when asked to (Azurite; in Azure the Bicep
 * creates it with its policy).
 */
export async function openBlobCheckpointArchive(
  options: BlobArchiveOptions,
): Promise<BlobCheckpointArchive> {
  if ('connectionString' in options) {
    const container = new ContainerClient(
      options.connectionString,
      options.containerName,
      options.pipeline,
    );
    if (!options.create) return new BlobCheckpointArchive(container);
    try {
      await container.createIfNotExists();
    } catch (error) {
      throw blobError(error, `create the container ${options.containerName}`);
    }
    return new BlobCheckpointArchive(container);
  }
  return new BlobCheckpointArchive(
    new ContainerClient(options.containerUrl, options.credential, options.pipeline),
  );
}
