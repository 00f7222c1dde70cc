import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { loadEvidenceKeyFile } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { loadEnv } from '../../src/config/env.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import { localBotToken } from '../../src/dev/local-bot-token.ts';
import { localBotFrameworkKeys } from '../../src/bot/auth/bot-framework-keys.ts';
import { parseCheckpointCopy } from '../../src/domain/evidence/checkpoint-copy.ts';
import { readRows } from '../../src/domain/evidence/evidence-row.ts';
import { keyRingSchema, prepareKeyRing } from '../../src/domain/evidence/key-ring.ts';
import { close, listen } from '../../src/server/http-server.ts';
import {
  composeProductionService,
  type ProductionService,
} from '../../src/server/production-service.ts';
import { failOnCi } from '../support/required-on-ci.ts';
import { startAzurite, type RunningAzurite } from '../support/start-azurite.ts';
import {
  PRODUCTION_CLIENT_ID,
  productionEnvVars,
  provisionedDemoSite,
  PRODUCTION_TENANT,
} from './support/production-fixture.ts';

// The service as main.ts composes it in Azure, with COUNTERSIGN_CHECKPOINT_CONTAINER naming the
// WORM container infra/main.bicep creates: here Azurite's Blob service, the container made by the
// test as the Bicep would make it (the service never creates it).
const CONTAINER = 'countersign-checkpoints';
const dir = mkdtempSync(join(tmpdir(), 'countersign-prod-blob-'));

let azurite: RunningAzurite | null = null;
let unavailable = '';
try {
  azurite = await startAzurite({ service: 'blob' });
} catch (error) {
  unavailable = error instanceof Error ? error.message : String(error);
  failOnCi('The checkpoint container suite', `Azurite could not start (${unavailable})`);
}

let emulator: GraphEmulator;
let graph: GraphAdapters;
let composed: ProductionService;
let base = '';

afterAll(async () => {
  await composed?.stop();
  if (composed) await close(composed.server);
  await emulator?.close();
  await azurite?.stop();
  rmSync(dir, { recursive: true, force: true });
});

if (azurite === null) {
  describe('the production composition with a checkpoint container', () => {
    it.skip(`skipped: Azurite could not start (${unavailable})`, () => {});
  });
} else {
  const { connectionString } = azurite;
  const container = new ContainerClient(connectionString, CONTAINER);

  beforeAll(async () => {
    await container.create();
    emulator = await startGraphEmulator(PRODUCTION_TENANT);
    ({ graph } = await provisionedDemoSite(emulator));
    const evidenceKeyFile = join(dir, 'evidence-key.pem');
    loadEvidenceKeyFile(evidenceKeyFile, { create: true });
    const env = loadEnv(
      productionEnvVars(emulator, dir, {
        COUNTERSIGN_EVIDENCE_KEY_FILE: evidenceKeyFile,
        COUNTERSIGN_STORAGE_CONNECTION: connectionString,
        COUNTERSIGN_CHECKPOINT_CONTAINER: CONTAINER,
      }),
    );
    if (env.COUNTERSIGN_MODE !== 'production') throw new Error('a production environment');
    composed = await composeProductionService(env, {
      botFrameworkKeys: localBotFrameworkKeys({ keys: [] }),
      botToken: () => Promise.resolve(localBotToken(PRODUCTION_CLIENT_ID)()),
      holderId: 'production-checkpoint-container-test',
      writeLog: () => {},
    });
    base = `http://127.0.0.1:${await listen(composed.server, 0, '127.0.0.1')}`;
  }, 60_000);

  describe('the production composition with a checkpoint container', () => {
    it('copies the scheduled work’s signed checkpoint to the container, as the site holds it', async () => {
      const report = await composed.campaigns.runScheduled();
      expect(report.checkpoint).toMatchObject({ kind: 'written', number: 1 });

      const names: string[] = [];
      for await (const blob of container.listBlobsFlat()) names.push(blob.name);
      expect(names).toEqual([expect.stringMatching(/-checkpoint-1\.json$/)]);
      const text = (await container.getBlockBlobClient(names[0] ?? '').downloadToBuffer()).toString(
        'utf8',
      );
      const copy = parseCheckpointCopy(text, names[0] ?? '');

      // The copy is the site's checkpoint exactly (record and signature), and it verifies with
      // the keys the service publishes.
      const [inSite] = await graph.records.readCheckpointsFrom(0);
      expect(copy.record).toEqual(inSite?.record);
      expect(copy.signature).toEqual(inSite?.signature);
      const ring = keyRingSchema.parse(await (await fetch(`${base}/api/evidence/keys`)).json());
      const [read] = readRows('checkpoints', [copy], prepareKeyRing(ring)).rows;
      expect(read?.status).toBe('valid');

      // The work store holds the same checkpoint: both copies outside the site.
      const [inStore] = await composed.work.latestCheckpoints(1);
      expect(inStore?.record).toEqual(copy.record);
    });
  });
}
