import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../src/adapters/graph/sharepoint-record-store.ts';
import { startGraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.ts';
import { recordStoreContract } from './record-store.contract.ts';
import { emulatorGateway } from '../support/emulator-graph.ts';

recordStoreContract('SharePoint lists in the Graph emulator', async () => {
  const emulator = await startGraphEmulator({ seed: 'none' });
  const gateway = emulatorGateway(emulator);
  const store = new SharePointRecordStore({ gateway, site: emulator.siteId, pageSize: 10 });
  await provisionSite(gateway, store.site);
  return { store, pagingRows: 25, close: () => emulator.close() };
});
