import { SharePointSite } from '../../src/adapters/graph/sharepoint-site.ts';
import { startGraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.ts';
import { emulatorGateway } from '../support/emulator-graph.ts';
import { provisioningContract } from './provisioning.contract.ts';

provisioningContract('the Graph emulator', async () => {
  const emulator = await startGraphEmulator({ seed: 'none' });
  const gateway = emulatorGateway(emulator);
  return {
    gateway,
    site: new SharePointSite(gateway, emulator.siteId),
    close: () => emulator.close(),
  };
});
