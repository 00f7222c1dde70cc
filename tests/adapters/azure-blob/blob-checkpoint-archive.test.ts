import { afterAll, describe, it } from 'vitest';
import { openBlobCheckpointArchive } from '../../../src/adapters/azure-blob/blob-checkpoint-archive.ts';
import { checkpointArchiveContract } from '../../contract/checkpoint-archive.contract.ts';
import { failOnCi } from '../../support/required-on-ci.ts';
import { startAzurite, type RunningAzurite } from '../../support/start-azurite.ts';

let azurite: RunningAzurite | null = null;
let unavailable = '';
try {
  azurite = await startAzurite({ service: 'blob' });
} catch (error) {
  unavailable = error instanceof Error ? error.message : String(error);
  failOnCi('The Azure Blob suite', `Azurite could not start (${unavailable})`);
  console.warn(`Azure Blob tests skipped: Azurite could not start (${unavailable})`);
}
afterAll(async () => {
  await azurite?.stop();
});

if (azurite === null) {
  describe('BlobCheckpointArchive', () => {
    it.skip(`skipped: Azurite could not start (${unavailable})`, () => {});
  });
} else {
  const { connectionString } = azurite;
  let n = 0;
  // Each test gets its own container, as each SQLite test gets a fresh file.
  checkpointArchiveContract('Azure Blob (Azurite)', async () => {
    const archive = await openBlobCheckpointArchive({
      connectionString,
      containerName: `checkpoints-${++n}-${process.pid}`,
      create: true,
    });
    return Object.assign(archive, { close: () => Promise.resolve() });
  });
}
