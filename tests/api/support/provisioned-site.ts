import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../../src/adapters/graph/sharepoint-record-store.ts';
import type { GraphEmulator } from '../../../src/dev/graph-emulator/graph-emulator.ts';
import type { EvidenceSigner } from '../../../src/domain/evidence/evidence-signer.ts';
import { emulatorGateway } from '../../support/emulator-graph.ts';

/**
 * The SharePoint record store over the emulator's site, its lists provisioned as
 * `countersign provision` makes them: what the API tests over the real service start from.
 */
export async function provisionedRecordStore(
  emulator: GraphEmulator,
  evidenceSigner?: EvidenceSigner,
): Promise<SharePointRecordStore> {
  const gateway = emulatorGateway(emulator);
  const records = new SharePointRecordStore({
    gateway,
    site: emulator.siteId,
    ...(evidenceSigner === undefined ? {} : { evidenceSigner }),
  });
  await provisionSite(gateway, records.site);
  return records;
}
