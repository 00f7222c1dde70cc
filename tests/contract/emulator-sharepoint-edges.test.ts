import { SharePointSite } from '../../src/adapters/graph/sharepoint-site.ts';
import { startGraphEmulator } from '../../src/dev/graph-emulator/graph-emulator.ts';
import { LIST_VIEW_THRESHOLD } from '../../src/dev/graph-emulator/sharepoint.ts';
import { emulatorGateway } from '../support/emulator-graph.ts';
import { sharePointEdgesContract } from './sharepoint-edges.contract.ts';

// Both ways a PATCH of /fields may be answered: as documented (no eTag) and with one (inferred).
for (const fieldsPatchEtag of ['absent', 'present'] as const) {
  sharePointEdgesContract(
    `the Graph emulator (PATCH of /fields answered, eTag ${fieldsPatchEtag})`,
    async () => {
      const emulator = await startGraphEmulator({ seed: 'none' });
      emulator.setup.setFieldsPatchEtag(fieldsPatchEtag === 'present');
      const gateway = emulatorGateway(emulator);
      return {
        gateway,
        site: new SharePointSite(gateway, emulator.siteId),
        threshold: {
          lower: (items) => emulator.setup.setListViewThreshold(items),
          restore: () => emulator.setup.setListViewThreshold(LIST_VIEW_THRESHOLD),
        },
        fieldsPatchEtag,
        close: () => emulator.close(),
      };
    },
  );
}
