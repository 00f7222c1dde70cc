import { provisionSite } from '../../src/adapters/graph/provision.ts';
import { SharePointSettingsStore } from '../../src/adapters/graph/sharepoint-settings-store.ts';
import { SharePointSite } from '../../src/adapters/graph/sharepoint-site.ts';
import { startGraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.ts';
import { settingsStoreContract } from './settings-store.contract.ts';
import { emulatorGateway } from '../support/emulator-graph.ts';

settingsStoreContract('the CountersignSettings list in the Graph emulator', async () => {
  const emulator = await startGraphEmulator({ seed: 'none' });
  const gateway = emulatorGateway(emulator);
  const site = new SharePointSite(gateway, emulator.siteId);
  await provisionSite(gateway, site);
  return { store: new SharePointSettingsStore(gateway, site), close: () => emulator.close() };
});
